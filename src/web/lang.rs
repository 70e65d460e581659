//! The page language of a request: `?lang=` first, then the cookie that remembers it, then
//! Chinese; and the middleware that sets that cookie.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

pub use crate::domain::Lang;

/// The cookie that remembers `?lang=`.
pub const LANG_COOKIE: &str = "anju_lang";

/// The language a query string asks for with `lang=`, if any.
fn from_query(query: Option<&str>) -> Option<Lang> {
    query?
        .split('&')
        .filter_map(|pair| pair.strip_prefix("lang="))
        .find_map(Lang::parse)
}

/// `?lang=` first, then the cookie, then Chinese.
pub fn of(parts: &Parts) -> Lang {
    from_query(parts.uri.query())
        .or_else(|| super::auth::cookie(&parts.headers, LANG_COOKIE).and_then(Lang::parse))
        .unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(of(parts))
    }
}

/// Remembers an explicit `?lang=` in a cookie so the next page keeps the language.
pub async fn remember_lang(request: Request, next: Next) -> Response {
    let chosen = from_query(request.uri().query());
    let mut response = next.run(request).await;
    if let Some(lang) = chosen {
        let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code());
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_names_the_language() {
        assert_eq!(from_query(Some("period=2020Q1&lang=en")), Some(Lang::En));
        assert_eq!(from_query(Some("lang=zh-CN")), Some(Lang::Zh));
        assert_eq!(from_query(Some("lang=fr&lang=en")), Some(Lang::En));
        assert_eq!(from_query(Some("slang=en")), None);
        assert_eq!(from_query(None), None);
    }

    fn parts(uri: &str, cookie: &str) -> Parts {
        let request = axum::http::Request::builder()
            .uri(uri)
            .header(header::COOKIE, cookie)
            .body(())
            .expect("a valid request");
        request.into_parts().0
    }

    #[test]
    fn the_query_wins_over_the_cookie() {
        assert_eq!(of(&parts("/?lang=zh", "anju_lang=en")), Lang::Zh);
        assert_eq!(of(&parts("/", "other=1; anju_lang=en")), Lang::En);
        assert_eq!(of(&parts("/", "anju_lang=fr")), Lang::Zh);
    }
}
