//! Conditional GET for pages and charts: an ETag from the data version and the request, and the
//! 304 when the browser already holds it.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::AppState;
use crate::db;
use crate::error::AppResult;

/// A weak ETag for `version` and everything else the response depends on (path and query,
/// language, who asks).
pub fn etag(version: i64, parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let digest = hash.finalize();
    let short = hex::encode(&digest[..8]);
    format!("W/\"{version}-{short}\"")
}

/// The current data version.
pub async fn data_version(state: &AppState) -> AppResult<i64> {
    state.db.call(|conn| Ok(db::meta::data_version(conn)?)).await
}

/// Whether the request's `If-None-Match` names `tag`.
pub fn matches(headers: &HeaderMap, tag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|candidate| {
            let candidate = candidate.trim();
            candidate == "*" || candidate.trim_start_matches("W/") == tag.trim_start_matches("W/")
        })
}

/// 304 with the tag.
pub fn not_modified(tag: &str) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    tag_response(&mut response, tag);
    response
}

/// Adds the ETag and asks caches to revalidate each time (the data can change at any write).
pub fn tag_response(response: &mut Response, tag: &str) {
    if let Ok(value) = HeaderValue::from_str(tag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_depends_on_version_and_request() {
        assert_ne!(etag(1, &["/a"]), etag(2, &["/a"]));
        assert_ne!(etag(1, &["/a"]), etag(1, &["/b"]));
        let mut headers = HeaderMap::new();
        let tag = etag(1, &["/a"]);
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(&tag).unwrap());
        assert!(matches(&headers, &tag));
        assert!(!matches(&headers, &etag(2, &["/a"])));
    }
}
