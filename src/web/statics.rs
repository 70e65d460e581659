//! CSS, script and the browsers' CJK font, built into the binary by `memory-serve` (see
//! `build.rs`) and served from memory with an ETag, `Cache-Control` and gzip for the clients
//! that take it. Nothing is read from disk at run time, so no path can escape the folder.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use memory_serve::CacheControl;

use super::compress;

/// Made once: `memory-serve` compresses and leaks the files' bytes each time a router is built.
static FILES: LazyLock<Router> = LazyLock::new(|| {
    memory_serve::load!()
        .index_file(None)
        .enable_gzip(true)
        // Gzip only, as for pages and the API (see `compress`).
        .enable_brotli(false)
        .cache_control(CacheControl::Custom("public, max-age=3600"))
        .into_router()
        .layer(middleware::from_fn(tag_per_encoding))
});

/// The bundled files, to be nested under `/static`.
pub fn router() -> Router {
    FILES.clone()
}

/// What marks the tag of a gzip body.
const GZIP_TAG: &str = "-gzip\"";

/// `memory-serve` gives a file one ETag (its SHA-256) whatever the encoding, but a strong tag
/// names one representation (RFC 9110 §8.8.3): a gzip body's tag gets `-gzip`, and a request
/// revalidating such a tag is checked against the file only while the client still takes gzip.
async fn tag_per_encoding(mut request: Request, next: Next) -> Response {
    let revalidates_gzip = compress::accepts_gzip(request.headers()) && strip_gzip_tags(request.headers_mut());
    let mut response = next.run(request).await;
    let gzipped = response
        .headers()
        .get(header::CONTENT_ENCODING)
        .is_some_and(|v| v == "gzip");
    let gzip_not_modified = response.status() == StatusCode::NOT_MODIFIED && revalidates_gzip;
    if gzipped || gzip_not_modified {
        let headers = response.headers_mut();
        let tagged = headers
            .get(header::ETAG)
            .and_then(|tag| tag.to_str().ok())
            .and_then(|tag| tag.strip_suffix('"'))
            .and_then(|tag| HeaderValue::from_str(&format!("{tag}{GZIP_TAG}")).ok());
        if let Some(tag) = tagged {
            headers.insert(header::ETAG, tag);
        }
    }
    response
}

/// Rewrites `If-None-Match` so a tag given to a gzip body names the file; says whether it had one.
fn strip_gzip_tags(headers: &mut HeaderMap) -> bool {
    let Some(value) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if !value.contains(GZIP_TAG) {
        return false;
    }
    match HeaderValue::from_str(&value.replace(GZIP_TAG, "\"")) {
        Ok(stripped) => {
            headers.insert(header::IF_NONE_MATCH, stripped);
            true
        }
        Err(_) => false,
    }
}
