//! How a use case's error reads over HTTP: the status code and the JSON body
//! `{"error": …, "field": …}`. Pages wrap the same error in a page (`web::pages`).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{AppError, FieldError};

impl AppError {
    /// The status code that says what went wrong.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy | AppError::DiskFull => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Seconds after which trying again may succeed, for `Retry-After`.
    pub fn retry_after(&self) -> Option<&'static str> {
        match self {
            AppError::Busy => Some("2"),
            AppError::DiskFull => Some("60"),
            _ => None,
        }
    }
}

/// `response` with the `Retry-After` that `error` calls for.
pub fn with_retry_after(error: &AppError, mut response: Response) -> Response {
    if let Some(seconds) = error.retry_after() {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static(seconds),
        );
    }
    response
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: String,
    field: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [FieldError],
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let body = ErrorBody {
            error: self.to_string(),
            field: self.field(),
            errors: self.field_errors(),
        };
        let response = (self.status(), Json(body)).into_response();
        with_retry_after(&self, response)
    }
}
