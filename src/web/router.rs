//! Every route of anju in one place: the pages, the downloads, the JSON API and the bundled
//! files, and the layers every response passes through.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::routing::{get, post};
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use super::state::AppState;
use super::{
    account, admin, api, auth, bulletin, charts, dashboard, export, forms, import, lang, openapi, pages, reports,
    statics,
};

/// Request bodies above this are refused with 413 (imports have their own, larger limit).
pub const BODY_LIMIT: usize = 256 * 1024;

/// What the browser may load, and from where.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(pages())
        .merge(downloads())
        .nest("/api/v1", api())
        .merge(bundled_files())
        .fallback(pages::not_found)
        // The first layer listed is the innermost.
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CsrfLayer::new().with_rejection_response(auth::cross_origin_refused))
        .layer(middleware::from_fn_with_state(state.clone(), auth::refuse_other_scheme))
        .layer(middleware::from_fn(forms::refuse_declared_oversize))
        .layer(middleware::from_fn(forms::explain_plain_errors))
        .layer(middleware::from_fn(lang::remember_lang))
        .layer(middleware::from_fn(no_store_on_private))
        .layer(header_if_missing(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(header_if_missing(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_if_missing(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_if_missing(header::REFERRER_POLICY, "same-origin"))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// HTML pages for people: signing in, the leadership pages, reporting, administration.
fn pages() -> Router<AppState> {
    Router::new()
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/account", get(account::page))
        .route("/account/password", post(account::change_password))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/", get(dashboard::dashboard))
        .route("/regions/{code}", get(dashboard::region))
        .route("/indicators/{key}", get(dashboard::indicator))
        .route("/bulletin", get(bulletin::bulletin))
        .route("/briefing", get(dashboard::briefing))
        .route("/completeness", get(dashboard::completeness))
        .route("/reports", get(reports::home))
        .route("/reports/{code}/{period}", get(reports::form).post(reports::save))
        .route("/reports/{code}/{period}/check", post(reports::check))
        .route("/admin/approvals", get(admin::approvals))
        .route("/admin/approvals/batch", post(admin::approve_batch))
        .route("/admin/reports/{code}/{period}/{action}", post(admin::review))
        .route("/admin/cities/{code}/{period}/consolidate", post(admin::consolidate))
        .route("/admin/targets", get(admin::targets).post(admin::save_targets))
        .route("/admin/users", get(admin::users).post(admin::create_user))
        .route("/admin/users/{id}/{action}", post(admin::user_action))
        .route("/audit", get(admin::audit))
        .route(
            "/import",
            get(import::page)
                .post(import::upload)
                .layer(DefaultBodyLimit::max(import::IMPORT_BODY_LIMIT)),
        )
}

/// Charts as image files and the tables as CSV and Excel.
fn downloads() -> Router<AppState> {
    Router::new()
        .route("/charts/{file}", get(charts::http::chart))
        .route("/bulletin.docx", get(bulletin::docx))
        .route("/export", get(export::page))
        .route("/export/progress.csv", get(export::progress_csv))
        .route("/export/progress.xlsx", get(export::progress_xlsx))
        .route("/export/history.csv", get(export::history_csv))
        .route("/export/history.xlsx", get(export::history_xlsx))
        .route("/export/reports.csv", get(export::reports_csv))
        .route("/export/reports.xlsx", get(export::reports_xlsx))
        .route("/export/targets.csv", get(export::targets_csv))
        .route("/export/targets.xlsx", get(export::targets_xlsx))
        .route("/import/template/reports.xlsx", get(export::reports_template))
        .route("/import/template/targets.xlsx", get(export::targets_template))
}

/// The JSON API, with its own JSON 404.
fn api() -> Router<AppState> {
    Router::new()
        .route("/progress", get(api::progress))
        .route("/regions", get(api::regions))
        .route("/completeness", get(api::completeness))
        .route("/indicators", get(api::indicators))
        .route("/reports/{code}/{period}", get(api::get_report).put(api::put_report))
        .route("/reports/{code}/{period}/approve", post(api::approve))
        .route("/reports/{code}/{period}/return", post(api::return_report))
        .route("/reports/{code}/{period}/reopen", post(api::reopen))
        .route("/reports/{code}/{period}/consolidate", post(api::consolidate))
        .route("/audit", get(api::audit))
        .route("/openapi.json", get(openapi::openapi))
        .fallback(api::not_found)
}

/// The stylesheet, the script and the fonts bundled into the binary.
fn bundled_files() -> Router<AppState> {
    Router::new().nest_service("/static", statics::router())
}

fn header_if_missing(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Paths whose answers name people, drafts or review steps: no cache, shared or private,
/// keeps them.
const PRIVATE_PATHS: [&str; 9] = [
    "/account",
    "/import",
    "/admin/",
    "/audit",
    "/reports/",
    "/api/v1/audit",
    "/api/v1/reports/",
    "/api/v1/progress",
    "/export/",
];

/// Marks the answers of [`PRIVATE_PATHS`] `Cache-Control: private, no-store`.
async fn no_store_on_private(request: axum::extract::Request, next: middleware::Next) -> axum::response::Response {
    let private = PRIVATE_PATHS.iter().any(|p| request.uri().path().starts_with(p));
    let mut response = next.run(request).await;
    if private {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    response
}
