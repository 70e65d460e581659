//! CSS, script and fonts, built into the binary and served with caching headers, gzip-compressed
//! for the browsers that take it. Nothing is read from disk at run time, so no path can escape
//! the folder.

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use include_dir::{Dir, DirEntry, include_dir};

use super::compress;

static STATIC_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/static");

/// The compressed bytes of each file worth compressing (text and fonts), made at the file's first
/// request and kept.
static GZIPPED: LazyLock<HashMap<&'static str, OnceLock<Vec<u8>>>> = LazyLock::new(|| {
    let mut files = HashMap::new();
    let mut dirs = vec![&STATIC_DIR];
    while let Some(dir) = dirs.pop() {
        for entry in dir.entries() {
            match entry {
                DirEntry::Dir(inner) => dirs.push(inner),
                DirEntry::File(file) => {
                    if let Some(path) = file.path().to_str().filter(|p| compressible(p)) {
                        files.insert(path, OnceLock::new());
                    }
                }
            }
        }
    }
    files
});

fn compressible(path: &str) -> bool {
    matches!(
        path.rsplit_once('.').map(|(_, ext)| ext),
        Some("css" | "js" | "svg" | "txt" | "ttf" | "otf")
    )
}

/// `contents` of the file at `path` compressed, or `None` for a file not worth compressing.
async fn gzipped(path: &str, contents: &'static [u8]) -> Option<&'static [u8]> {
    let cell = GZIPPED.get(path)?;
    if let Some(done) = cell.get() {
        return Some(done);
    }
    // The font takes a noticeable moment: off the request threads, once.
    tokio::task::spawn_blocking(move || cell.get_or_init(|| compress::gzip(contents)).as_slice())
        .await
        .ok()
}

/// A bundled file's bytes, for the chart renderer's font.
pub fn file(path: &str) -> Option<&'static [u8]> {
    STATIC_DIR.get_file(path).map(|f| f.contents())
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ttf") => "font/ttf",
        Some("otf") => "font/otf",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

pub async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(file) = STATIC_DIR.get_file(&path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let contents = file.contents();
    let compressed = if compress::accepts_gzip(&headers) {
        gzipped(&path, contents).await
    } else {
        None
    };
    // The files change only with the binary, so its version and the size identify them.
    let etag = format!(
        "\"{}-{}{}\"",
        env!("CARGO_PKG_VERSION"),
        contents.len(),
        if compressed.is_some() { "-gzip" } else { "" }
    );
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut response = compress::bytes_response(
        Bytes::from_static(compressed.unwrap_or(contents)),
        content_type(&path),
        compressed.is_some(),
    );
    let response_headers = response.headers_mut();
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        response_headers.insert(header::ETAG, value);
    }
    if compressible(&path) {
        compress::vary(&mut response);
    }
    response
}
