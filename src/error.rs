//! The one error type of the use cases: a clear message for the person, the cause for the log.
//! It names what went wrong, not how HTTP says it: `web::error` chooses the status code.

use crate::domain::Text;
pub use crate::domain::validation::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(Text),
    #[error("{}", self.message())]
    Unauthorized,
    #[error("{0}")]
    Forbidden(Text),
    #[error("{0}")]
    NotFound(Text),
    #[error("{0}")]
    Conflict(Text),
    /// Validation failed; every bad field is listed.
    #[error("{}", self.message())]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    TooLarge(Text),
    #[error("{0}")]
    TooManyRequests(Text),
    /// Another writer held the database longer than this request could wait; nothing was stored.
    #[error("{}", self.message())]
    Busy,
    /// The disk holding the database is full; nothing was stored.
    #[error("{}", self.message())]
    DiskFull,
    /// Never shown to the client: logged, and answered with a generic message.
    #[error("{}", self.message())]
    Internal(#[from] anyhow::Error),
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

    pub fn invalid(field: impl Into<String>, message: Text) -> Self {
        AppError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn forbidden() -> Self {
        AppError::Forbidden(Text::new(
            "您的角色或所属地区无权执行此操作",
            "Your role or region may not do this.",
        ))
    }

    /// What the person is told, in both languages; an internal error's cause stays in the log.
    pub fn message(&self) -> Text {
        match self {
            AppError::BadRequest(m)
            | AppError::Forbidden(m)
            | AppError::NotFound(m)
            | AppError::Conflict(m)
            | AppError::TooLarge(m)
            | AppError::TooManyRequests(m) => m.clone(),
            AppError::Unauthorized => Text::new("请先登录", "Please sign in first."),
            AppError::Invalid(errors) => errors.first().map_or_else(
                || Text::new("输入有误", "Something you entered is not valid."),
                |e| e.message.clone(),
            ),
            AppError::Busy => Text::new(
                "系统正忙，本次操作未保存，请稍后重试",
                "The database is busy; nothing was saved. Please try again shortly.",
            ),
            AppError::DiskFull => Text::new(
                "服务器磁盘已满，本次操作未保存，请联系管理员",
                "The server's disk is full; nothing was saved. Please tell the administrator.",
            ),
            AppError::Internal(_) => Text::new(
                "服务器内部错误，请稍后重试",
                "Something went wrong on the server. Please try again shortly.",
            ),
        }
    }

    /// The same error with a lead-in before its message: a batch says which item was refused.
    pub fn prefixed(self, zh: &str, en: &str) -> Self {
        match self {
            AppError::BadRequest(m) => AppError::BadRequest(m.after(zh, en)),
            AppError::Forbidden(m) => AppError::Forbidden(m.after(zh, en)),
            AppError::NotFound(m) => AppError::NotFound(m.after(zh, en)),
            AppError::Conflict(m) => AppError::Conflict(m.after(zh, en)),
            AppError::Invalid(fields) => AppError::Invalid(
                fields
                    .into_iter()
                    .map(|f| FieldError {
                        message: f.message.after(zh, en),
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
