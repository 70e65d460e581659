//! Extractors whose rejections speak the API's JSON error format, so malformed input gets a
//! clear 400 rather than a plain-text one.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::domain::{Period, Text};
use crate::error::AppError;

/// A query string, or 400 naming what was wrong with it.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e| {
                AppError::BadRequest(Text::new(
                    format!("查询参数有误：{}", e.body_text()),
                    format!("The query string is not valid: {}", e.body_text()),
                ))
            })
    }
}

/// A JSON body, or 400/415/413 saying why not.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<T>::from_request(request, state).await {
            Ok(json) => Ok(Json(json.0)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::BadRequest(Text::new(
                "请求须为 JSON（Content-Type: application/json）",
                "Send a JSON body with Content-Type: application/json.",
            ))),
            Err(JsonRejection::BytesRejection(e)) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => Err(
                AppError::TooLarge(Text::new("请求内容过大", "The request body is too large.")),
            ),
            Err(e) => Err(malformed_json(&e.body_text())),
        }
    }
}

/// A JSON body that does not parse, with the parser's reason.
pub fn malformed_json(reason: &str) -> AppError {
    AppError::BadRequest(Text::new(
        format!("JSON 内容有误：{reason}"),
        format!("The JSON is malformed: {reason}"),
    ))
}

/// Parses a `period` parameter; 400 with the reason when it is malformed.
/// Every page, export, chart and API route reads its optional filters through this.
pub use crate::domain::validation::given;

/// A period a person typed or picked on a page (`2022年第一季度`, `2022q1`, `2022-Q1`, …); the
/// API and the download links keep the strict [`period`].
pub fn typed_period(text: &str) -> Result<Period, AppError> {
    Period::parse_typed(text).map_err(|e| AppError::BadRequest(e.text()))
}

pub fn period(text: &str) -> Result<Period, AppError> {
    text.parse()
        .map_err(|e: crate::domain::period::PeriodError| AppError::BadRequest(e.text()))
}
