//! The one error type of the use cases: a clear message for the person, the cause for the log.
//! It names what went wrong, not how HTTP says it: `web::error` chooses the status code.

pub use crate::domain::validation::FieldError;

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
    /// Another writer held the database longer than this request could wait; nothing was stored.
    #[error("系统正忙,本次操作未保存,请稍后重试(the database is busy; nothing was saved, please try again shortly)")]
    Busy,
    /// The disk holding the database is full; nothing was stored.
    #[error(
        "服务器磁盘已满,本次操作未保存,请联系管理员(the server's disk is full; nothing was saved, tell the administrator)"
    )]
    DiskFull,
    /// Never shown to the client: logged, and answered with a generic message.
    #[error("服务器内部错误,请稍后重试(internal error)")]
    Internal(#[from] anyhow::Error),
}

fn first_message(errors: &[FieldError]) -> &str {
    errors.first().map_or("输入有误(invalid input)", |e| e.message.as_str())
}

impl AppError {
    /// The same error again, for one more of the callers it concerns (the waiters of a shared
    /// computation, the writes of a batch that could not commit); an internal cause keeps its
    /// message.
    pub fn duplicate(&self) -> AppError {
        match self {
            AppError::BadRequest(message) => AppError::BadRequest(message.clone()),
            AppError::Unauthorized => AppError::Unauthorized,
            AppError::Forbidden(message) => AppError::Forbidden(message.clone()),
            AppError::NotFound(message) => AppError::NotFound(message.clone()),
            AppError::Conflict(message) => AppError::Conflict(message.clone()),
            AppError::Invalid(errors) => AppError::Invalid(errors.clone()),
            AppError::TooLarge(message) => AppError::TooLarge(message.clone()),
            AppError::TooManyRequests(message) => AppError::TooManyRequests(message.clone()),
            AppError::Busy => AppError::Busy,
            AppError::DiskFull => AppError::DiskFull,
            AppError::Internal(cause) => AppError::Internal(anyhow::anyhow!("{cause:#}")),
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl ToString) -> Self {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn forbidden() -> Self {
        AppError::Forbidden("无权执行此操作(forbidden for your role or region)".into())
    }

    /// The same error with `prefix` before its message: a batch says which item was refused.
    pub fn prefixed(self, prefix: &str) -> Self {
        let with = |message: String| format!("{prefix}{message}");
        match self {
            AppError::BadRequest(m) => AppError::BadRequest(with(m)),
            AppError::Forbidden(m) => AppError::Forbidden(with(m)),
            AppError::NotFound(m) => AppError::NotFound(with(m)),
            AppError::Conflict(m) => AppError::Conflict(with(m)),
            AppError::Invalid(fields) => AppError::Invalid(
                fields
                    .into_iter()
                    .map(|f| FieldError {
                        message: with(f.message),
                        ..f
                    })
                    .collect(),
            ),
            other => other,
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
        use rusqlite::ErrorCode;
        match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => AppError::Busy,
            Some(ErrorCode::DiskFull) => {
                tracing::error!(error = ?error, "the database's disk is full");
                AppError::DiskFull
            }
            _ => AppError::Internal(error.into()),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::ffi;

    fn sqlite(code: i32) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(ffi::Error::new(code), None)
    }

    #[test]
    fn a_busy_or_full_database_has_its_own_readable_error() {
        assert!(matches!(AppError::from(sqlite(ffi::SQLITE_BUSY)), AppError::Busy));
        assert!(matches!(AppError::from(sqlite(ffi::SQLITE_LOCKED)), AppError::Busy));
        assert!(matches!(AppError::from(sqlite(ffi::SQLITE_FULL)), AppError::DiskFull));
        assert!(AppError::DiskFull.to_string().contains("disk is full"));
        assert!(matches!(
            AppError::from(sqlite(ffi::SQLITE_CORRUPT)),
            AppError::Internal(_)
        ));
    }
}
