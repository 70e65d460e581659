//! The one error type: a clear message for the person, the cause for the log.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A problem with one field of what was sent; `field` is an indicator key or a form field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: Option<String>,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl ToString) -> Self {
        Self {
            field: Some(field.into()),
            message: message.to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("请先登录(sign in required)")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// Validation failed; every bad field is listed.
    #[error("{}", first_message(.0))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// Never shown to the client: logged, and answered with a generic message.
    #[error("服务器内部错误,请稍后重试(internal error)")]
    Internal(#[from] anyhow::Error),
}

fn first_message(errors: &[FieldError]) -> &str {
    errors.first().map_or("输入有误(invalid input)", |e| e.message.as_str())
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl ToString) -> Self {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn forbidden() -> Self {
        AppError::Forbidden("无权执行此操作(forbidden for your role or region)".into())
    }

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
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The field the message is about, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid(errors) => errors.first().and_then(|e| e.field.as_deref()),
            _ => None,
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            AppError::Invalid(errors) => errors,
            _ => &[],
        }
    }

    /// Logs a server-side failure's cause; client errors are the client's business.
    pub fn log(&self) {
        if let AppError::Internal(cause) = self {
            tracing::error!(error = ?cause, "request failed");
        }
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(error: rusqlite::Error) -> Self {
        AppError::Internal(error.into())
    }
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
        (self.status(), Json(body)).into_response()
    }
}

pub type AppResult<T> = Result<T, AppError>;
