//! Gzip for the browsers that take it (all of them). A page, an API body or a bundled file is
//! compressed once and the bytes kept, so a repeated request costs a cache look-up, not a
//! compression; a client that does not ask for gzip gets the same bytes uncompressed.

use std::io::Write;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use flate2::Compression;
use flate2::write::GzEncoder;
use maud::Markup;

use super::AppState;
use super::etag;
use crate::error::AppResult;

const HTML: &str = "text/html; charset=utf-8";

/// Whether the request's `Accept-Encoding` takes gzip: `gzip`, `x-gzip` or `*` with a weight
/// above zero, where a weight named for gzip itself overrides the one for `*` (RFC 9110 §12.5.3).
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut gzip = None;
    let mut any = None;
    let items = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','));
    for item in items {
        let mut params = item.split(';');
        let coding = params.next().unwrap_or_default().trim();
        let weight = params
            .filter_map(|param| param.trim().split_once('='))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
            .map_or(Some(1.0), |(_, q)| q.trim().parse::<f32>().ok());
        let accepted = weight.is_some_and(|w| w > 0.0);
        if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            gzip = Some(accepted);
        } else if coding == "*" {
            any = Some(accepted);
        }
    }
    gzip.or(any).unwrap_or(false)
}

/// `bytes` compressed with gzip at the default level.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(bytes.len() / 4 + 64), Compression::default());
    // Writing into a Vec cannot fail.
    match encoder.write_all(bytes) {
        Ok(()) => encoder.finish().unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// Tells caches that the response differs with `Accept-Encoding`.
pub fn vary(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
}

/// `bytes` of `content_type` as a response, marked as gzip-compressed when `gzipped`.
pub fn bytes_response(bytes: Bytes, content_type: &'static str, gzipped: bool) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if gzipped {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

/// `bytes` as the response, compressed (once per data `version`, kept under `key`) when the
/// client takes gzip.
pub async fn body_response(
    state: &AppState,
    headers: &HeaderMap,
    key: &str,
    version: i64,
    bytes: Arc<[u8]>,
    content_type: &'static str,
) -> AppResult<Response> {
    let gzip = accepts_gzip(headers);
    let bytes = if gzip {
        state
            .fragment(&body_key(key, true), version, move || self::gzip(&bytes))
            .await?
    } else {
        bytes
    };
    let mut response = bytes_response(Bytes::from_owner(bytes), content_type, gzip);
    vary(&mut response);
    Ok(response)
}

/// The body kept under `key` (as [`body_response`] keeps it) in the encoding this request
/// takes, if it was made at data `version`: a repeated request then neither reads nor
/// serialises anything, and a large body whose uncompressed bytes were too large to keep is
/// still answered from its compressed ones.
pub async fn cached_body(
    state: &AppState,
    headers: &HeaderMap,
    key: &str,
    version: i64,
    content_type: &'static str,
) -> Option<Response> {
    let gzip = accepts_gzip(headers);
    let bytes = state.cached_fragment(&body_key(key, gzip), version).await?;
    let mut response = bytes_response(Bytes::from_owner(bytes), content_type, gzip);
    vary(&mut response);
    Some(response)
}

/// Where [`body_response`] keeps the body made under `key`: the uncompressed bytes under `key`
/// itself (kept by their maker), the compressed ones beside them.
fn body_key(key: &str, gzip: bool) -> String {
    if gzip { format!("gzip|{key}") } else { key.to_owned() }
}

/// Where the page for ETag `tag` is kept, compressed or not.
fn page_key(tag: &str, gzip: bool) -> String {
    format!("page|{}|{tag}", if gzip { "gzip" } else { "plain" })
}

/// The page as it was kept: compressed when `gzip`.
fn page_bytes(bytes: Arc<[u8]>, gzip: bool, tag: &str) -> Response {
    let mut response = bytes_response(Bytes::from_owner(bytes), HTML, gzip);
    vary(&mut response);
    etag::tag_response(&mut response, tag);
    response
}

/// The page kept for ETag `tag` in the encoding this request takes, if it was rendered at data
/// `version`: a repeated page view then reads neither the data nor the templates.
pub async fn cached_page(state: &AppState, headers: &HeaderMap, tag: &str, version: i64) -> Option<Response> {
    let gzip = accepts_gzip(headers);
    let bytes = state.cached_fragment(&page_key(tag, gzip), version).await?;
    Some(page_bytes(bytes, gzip, tag))
}

/// The page that `render` makes, as the response for ETag `tag`: rendered and compressed (when
/// the browser takes gzip) off the async workers, and kept for [`cached_page`].
pub async fn page_response(
    state: &AppState,
    headers: &HeaderMap,
    tag: &str,
    version: i64,
    render: impl FnOnce() -> Markup + Send + 'static,
) -> AppResult<Response> {
    let gzip = accepts_gzip(headers);
    let bytes = state
        .fragment(&page_key(tag, gzip), version, move || {
            let page = render();
            if gzip {
                self::gzip(page.0.as_bytes())
            } else {
                page.0.into_bytes()
            }
        })
        .await?;
    Ok(page_bytes(bytes, gzip, tag))
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn accepts(value: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
        accepts_gzip(&headers)
    }

    #[test]
    fn gzip_is_taken_when_offered_with_a_weight_above_zero() {
        assert!(accepts("gzip, deflate, br, zstd"));
        assert!(accepts("br;q=1.0, gzip;q=0.8"));
        assert!(accepts("x-gzip"));
        assert!(accepts("*"));
        assert!(accepts("GZIP"));
        assert!(!accepts("br, deflate"));
        assert!(!accepts("gzip;q=0"));
        assert!(!accepts("gzip;q=0.000"));
        assert!(!accepts("*, gzip;q=0"));
        assert!(!accepts("gzip;q=nonsense"));
        assert!(!accepts("identity"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn compressed_bytes_decompress_to_the_original() {
        let text = "全省棚户区改造新开工 10,918 套。".repeat(200);
        let compressed = gzip(text.as_bytes());
        assert!(compressed.len() < text.len() / 10);
        let mut back = String::new();
        flate2::read::GzDecoder::new(&compressed[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, text);
    }
}
