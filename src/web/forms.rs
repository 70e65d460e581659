//! HTML form bodies for the pages that write, and clear answers to the plain-text rejections
//! (413, 415, 405, …) that would otherwise reach a person as bare English text.

use axum::RequestExt;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use super::pages::PageError;
use super::views::Lang;
use crate::domain::Text;
use crate::error::AppError;

/// A URL-encoded form as name/value pairs in the order sent; repeated names are kept.
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    /// The first value sent under `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The fields whose name starts with `prefix`, with the prefix removed.
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.0
            .iter()
            .filter_map(move |(n, v)| n.strip_prefix(prefix).map(|rest| (rest, v.as_str())))
    }
}

impl<S: Send + Sync> FromRequest<S> for FormFields {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        // A form of buttons only may arrive with no body and no content type: no fields.
        if !request.headers().contains_key(header::CONTENT_TYPE) {
            let body = axum::body::Bytes::from_request(request, state).await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large()
                } else {
                    AppError::BadRequest(e.body_text().as_str().into())
                }
            })?;
            if body.iter().all(u8::is_ascii_whitespace) {
                return Ok(FormFields(Vec::new()));
            }
            return Err(not_a_form());
        }
        match axum::Form::<Vec<(String, String)>>::from_request(request, state).await {
            Ok(form) => Ok(FormFields(form.0)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(too_large()),
            Err(e) if e.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE => Err(not_a_form()),
            Err(e) => Err(AppError::BadRequest(Text::new(
                format!("表单内容有误：{}", e.body_text()),
                format!("The form is malformed: {}", e.body_text()),
            ))),
        }
    }
}

/// Bodies declared over the limit but no larger than this are read and dropped before the 413,
/// so that a browser still uploading sees the answer rather than a connection reset; larger ones
/// are answered at once and the connection closed.
const DRAINED_AT_MOST: u64 = 64 * 1024 * 1024;

/// Refuses a body whose declared length is over what its route takes, without handing it to the
/// route (which would wait for every byte of an upload it must refuse anyway).
pub async fn refuse_declared_oversize(request: Request, next: Next) -> Response {
    let limit = if request.uri().path() == "/import" {
        super::import::IMPORT_BODY_LIMIT
    } else {
        super::BODY_LIMIT
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(length) if length > limit as u64 => {
            if length <= DRAINED_AT_MOST {
                let mut chunks = request.into_body().into_data_stream();
                let mut read = 0;
                while let Some(Ok(chunk)) = chunks.next().await {
                    read += chunk.len() as u64;
                    if read >= length {
                        break;
                    }
                }
            }
            StatusCode::PAYLOAD_TOO_LARGE.into_response()
        }
        _ => next.run(request).await,
    }
}

fn not_a_form() -> AppError {
    AppError::BadRequest(Text::new("请以表单方式提交", "Send this as an HTML form."))
}

fn too_large() -> AppError {
    let limit = super::BODY_LIMIT / 1024;
    AppError::TooLarge(Text::new(
        format!("提交的内容过大，超过 {limit} KiB 的上限"),
        format!("What was sent is too large: the limit is {limit} KiB."),
    ))
}

/// Replaces a framework's plain-text or empty 4xx answer with the app's own error: JSON for machines,
/// a page for people, the message in Chinese first.
pub async fn explain_plain_errors(mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let lang = request.extract_parts::<Lang>().await.unwrap_or_default();
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !status.is_client_error() || !plain {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let text = axum::body::to_bytes(response.into_body(), 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE if path == "/import" => AppError::TooLarge(super::import::too_large()),
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::BadRequest(Text::new(
            format!("请求格式不受支持：{text}"),
            format!("This kind of request body is not supported: {text}"),
        )),
        StatusCode::NOT_FOUND => AppError::NotFound(Text::new("找不到请求的内容", "There is nothing at this address.")),
        // The one plain-text 403 is the cross-origin refusal.
        StatusCode::FORBIDDEN => AppError::Forbidden(super::auth::cross_origin_refusal()),
        StatusCode::METHOD_NOT_ALLOWED => AppError::BadRequest(Text::new(
            "不支持该请求方法",
            "This address does not take that request method.",
        )),
        _ => AppError::BadRequest(Text::new(
            format!("请求有误：{text}"),
            format!("The request is not valid: {text}"),
        )),
    };
    let mut answer = if path.starts_with("/api/") {
        error.into_response()
    } else {
        PageError {
            error,
            lang,
            user: None,
            demo: false,
            region_name: None,
        }
        .into_response()
    };
    *answer.status_mut() = status;
    if let Some(allow) = allow {
        answer.headers_mut().insert(header::ALLOW, allow);
    }
    answer
}
