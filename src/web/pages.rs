//! HTML pages for people: the request context every page needs, the error and not-found pages,
//! (the leadership pages live in `dashboard.rs` and `bulletin.rs`).

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::auth::{AuthRejection, identify};
use super::views::Lang;
use super::views::layout::{Page, layout};
use super::{AppState, DataFacts};
use crate::db::users::User;
use crate::domain::Role;
use crate::error::AppError;

/// Who is asking, in which language, on which page, and whether the data is a demonstration.
#[derive(Clone)]
pub struct PageContext {
    pub user: User,
    pub lang: Lang,
    /// Path and query as the browser sent them.
    pub here: String,
    pub demo: bool,
    /// The data version and what depends only on it, as of this request.
    pub facts: DataFacts,
    /// The name of the user's region, for the header.
    pub region_name: Option<String>,
    /// An officer's returned reports, for the navigation badge.
    pub returned: i64,
}

impl PageContext {
    /// The layout's view of this request, titled `title`.
    pub fn page(&self, title: impl Into<String>) -> Page<'_> {
        Page {
            title: title.into(),
            lang: self.lang,
            user: Some(&self.user),
            demo: self.demo,
            here: &self.here,
            region_name: self.region_name.as_deref(),
            returned: self.returned,
        }
    }

    /// `body` in the layout.
    pub fn render(&self, title: impl Into<String>, body: Markup) -> Markup {
        layout(&self.page(title), body)
    }

    /// An error as a page in the same layout, in this language.
    pub fn error(&self, error: AppError) -> PageError {
        PageError {
            error,
            lang: self.lang,
            user: Some(self.user.clone()),
            demo: self.demo,
            region_name: self.region_name.clone(),
        }
    }
}

impl FromRequestParts<AppState> for PageContext {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (user, read) = identify(parts, state, true).await?;
        let lang = super::lang::of(parts);
        let uri = parts.extensions.get::<OriginalUri>().map_or(&parts.uri, |o| &o.0);
        let here = uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        let facts = match read {
            Some((version, demo)) => state.facts_at(version, demo).await,
            None => state.facts().await,
        }
        .map_err(AuthRejection::Internal)?;
        let region_name = user
            .region_code
            .as_deref()
            .and_then(|code| state.catalogue().region(code).map(|r| r.name(lang.is_en()).to_owned()));
        let returned = match (user.role, user.region_code.clone()) {
            (Role::Officer, Some(code)) => state
                .db
                .call(move |conn| Ok(crate::db::reports::returned_count(conn, &code)?))
                .await
                .map_err(AuthRejection::Internal)?,
            _ => 0,
        };
        Ok(Self {
            user,
            lang,
            here,
            demo: facts.demo,
            facts,
            region_name,
            returned,
        })
    }
}

/// An error shown as a page: the status code of the error, its message, a way back.
pub struct PageError {
    pub error: AppError,
    pub lang: Lang,
    pub user: Option<User>,
    pub demo: bool,
    pub region_name: Option<String>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.error.log();
        let lang = self.lang;
        let status = self.error.status();
        let title = match status {
            StatusCode::NOT_FOUND => lang.t("页面不存在", "Not found"),
            StatusCode::FORBIDDEN => lang.t("无权访问", "Forbidden"),
            StatusCode::PAYLOAD_TOO_LARGE => lang.t("内容过大", "Too large"),
            StatusCode::SERVICE_UNAVAILABLE => lang.t("暂时无法完成", "Try again shortly"),
            s if s.is_server_error() => lang.t("服务器出错", "Server error"),
            _ => lang.t("请求有误", "Bad request"),
        };
        let page = Page {
            title: title.into(),
            lang,
            user: self.user.as_ref(),
            demo: self.demo,
            here: "/",
            region_name: self.region_name.as_deref(),
            returned: 0,
        };
        let body = html! {
            section.error-page {
                h1 { (title) }
                p.error-message { (self.error.message().get(lang)) }
                @for field in self.error.field_errors().iter().skip(1) {
                    p.error-message { (field.message.get(lang)) }
                }
                p { a href="/" { (lang.t("返回总览", "Back to the dashboard")) } }
            }
        };
        super::error::with_retry_after(&self.error, (status, layout(&page, body)).into_response())
    }
}

pub type PageResult = Result<Response, PageError>;

pub async fn not_found(lang: Lang, uri: Uri) -> Response {
    let here = uri.path().to_owned();
    let page = Page {
        title: lang.t("页面不存在", "Page not found").into(),
        lang,
        user: None,
        demo: false,
        here: &here,
        region_name: None,
        returned: 0,
    };
    let body = html! {
        section.error-page {
            h1 { (lang.t("页面不存在", "Page not found")) }
            p { (lang.t("您要找的页面不存在或已移动。", "The page you asked for does not exist.")) }
            p { a href="/" { (lang.t("返回总览", "Back to the dashboard")) } }
        }
    };
    (StatusCode::NOT_FOUND, layout(&page, body)).into_response()
}
