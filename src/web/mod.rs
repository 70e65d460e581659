//! HTTP: the router, shared state, middleware, and the handlers grouped by resource.

pub mod account;
pub mod admin;
pub mod api;
pub mod auth;
pub mod bulletin;
pub mod charts;
pub mod compress;
pub mod dashboard;
pub mod error;
pub mod etag;
pub mod export;
pub mod extract;
pub mod forms;
pub mod import;
pub mod lang;
pub mod pages;
pub mod reports;
pub mod statics;
pub mod views;

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware;
use axum::routing::{get, post};
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::ServeConfig;
use crate::db::Db;
use crate::domain::Period;
use crate::domain::catalogue::Catalogue;
use crate::domain::progress::ProgressTable;
use crate::error::AppResult;

/// Everything a handler may need; shared behind one `Arc`.
pub struct App {
    pub db: Arc<Db>,
    catalogue: RwLock<Arc<Catalogue>>,
    /// Computed progress tables by period, each valid for the data version it was computed at.
    tables: Mutex<HashMap<Period, Versioned<Arc<ProgressTable>>>>,
    /// Held while a progress table is computed, so that concurrent misses compute it once.
    computing: tokio::sync::Mutex<()>,
    /// The facts of the last data version seen.
    facts: Mutex<Option<DataFacts>>,
    /// Rendered fragments (chart SVGs, page bodies, API bodies) by key, each valid for the data
    /// version it was rendered at.
    fragments: Mutex<HashMap<String, Versioned<Arc<[u8]>>>>,
    /// Held while a fragment is rendered.
    rendering: Mutex<()>,
    pub config: ServeConfig,
}

/// A cached value and the data version it was made at.
type Versioned<T> = (i64, T);

/// What every page needs to know about the data as a whole, read once per data version.
#[derive(Clone, Debug)]
pub struct DataFacts {
    /// Increases with every write: the key of every cache and ETag.
    pub version: i64,
    /// The database holds demonstration data.
    pub demo: bool,
    /// Periods with counted figures, newest first.
    pub periods: Arc<Vec<Period>>,
}

/// Rendered fragments kept at most, their total size at most, and the largest one worth keeping.
const CACHED_FRAGMENTS: usize = 512;
const CACHED_FRAGMENT_BYTES: usize = 32 * 1024 * 1024;
const LARGEST_FRAGMENT: usize = 16 * 1024 * 1024;

/// Progress tables kept at most; those of older data versions are dropped first.
const CACHED_TABLES: usize = 64;

impl App {
    pub fn new(db: Arc<Db>, catalogue: Catalogue, config: ServeConfig) -> Self {
        Self {
            db,
            catalogue: RwLock::new(Arc::new(catalogue)),
            tables: Mutex::new(HashMap::new()),
            computing: tokio::sync::Mutex::new(()),
            facts: Mutex::new(None),
            fragments: Mutex::new(HashMap::new()),
            rendering: Mutex::new(()),
            config,
        }
    }

    /// The data version, the demo flag and the counted periods: one small query per request,
    /// the periods read again only when the version has moved.
    pub async fn facts(&self) -> AppResult<DataFacts> {
        let (version, demo) = self
            .db
            .call(|conn| Ok((crate::db::meta::data_version(conn)?, crate::db::meta::is_demo(conn)?)))
            .await?;
        self.facts_at(version, demo).await
    }

    /// [`App::facts`] when the caller has just read the version and the demo flag.
    pub async fn facts_at(&self, version: i64, demo: bool) -> AppResult<DataFacts> {
        if let Some(facts) = self.facts.lock().unwrap_or_else(|e| e.into_inner()).as_ref()
            && facts.version == version
            && facts.demo == demo
        {
            return Ok(facts.clone());
        }
        let periods = self
            .db
            .call(|conn| Ok(crate::db::progress::counted_periods(conn)?))
            .await?;
        let facts = DataFacts {
            version,
            demo,
            periods: Arc::new(periods),
        };
        *self.facts.lock().unwrap_or_else(|e| e.into_inner()) = Some(facts.clone());
        Ok(facts)
    }

    /// A fragment rendered for `key` at data `version`: from the cache, or rendered now and kept.
    pub fn fragment(&self, key: &str, version: i64, render: impl FnOnce() -> Vec<u8>) -> Arc<[u8]> {
        if let Some(bytes) = self.cached_fragment(key, version) {
            return bytes;
        }
        // One rendering at a time: concurrent misses of a large fragment (the whole country's
        // rows) would otherwise each build their own copy.
        let _rendering = self.rendering.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((cached_version, bytes)) = self.fragments.lock().unwrap_or_else(|e| e.into_inner()).get(key)
            && *cached_version >= version
        {
            return Arc::clone(bytes);
        }
        let bytes: Arc<[u8]> = render().into();
        if bytes.len() <= LARGEST_FRAGMENT {
            let mut fragments = self.fragments.lock().unwrap_or_else(|e| e.into_inner());
            let full = |fragments: &HashMap<String, Versioned<Arc<[u8]>>>| {
                let kept: usize = fragments.values().map(|(_, kept)| kept.len()).sum();
                fragments.len() >= CACHED_FRAGMENTS || kept + bytes.len() > CACHED_FRAGMENT_BYTES
            };
            if full(&fragments) {
                fragments.retain(|_, (cached_version, _)| *cached_version == version);
                if full(&fragments) {
                    fragments.clear();
                }
            }
            fragments.insert(key.to_owned(), (version, Arc::clone(&bytes)));
        }
        bytes
    }

    /// The fragment kept for `key` if it was rendered at data `version`.
    pub fn cached_fragment(&self, key: &str, version: i64) -> Option<Arc<[u8]>> {
        self.fragments
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .filter(|(cached_version, _)| *cached_version == version)
            .map(|(_, bytes)| Arc::clone(bytes))
    }

    /// The progress table of `period` and the data version it reflects. Computed once per data
    /// version and shared by every page, chart, export and API response until the next write.
    pub async fn progress(&self, period: Period) -> AppResult<(Arc<ProgressTable>, i64)> {
        let version = self.db.call(|conn| Ok(crate::db::meta::data_version(conn)?)).await?;
        self.progress_at(period, version).await
    }

    /// [`App::progress`] when the caller has just read the data version.
    pub async fn progress_at(&self, period: Period, version: i64) -> AppResult<(Arc<ProgressTable>, i64)> {
        let cached = |tables: &HashMap<Period, Versioned<Arc<ProgressTable>>>| {
            tables
                .get(&period)
                .filter(|(v, _)| *v >= version)
                .map(|(v, table)| (Arc::clone(table), *v))
        };
        if let Some(hit) = cached(&self.tables.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(hit);
        }
        // One computation at a time: when many requests miss together (a cold cache under load,
        // or the first request after a write), the rest wait for the first and share its table.
        let _computing = self.computing.lock().await;
        if let Some(hit) = cached(&self.tables.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(hit);
        }
        let catalogue = self.catalogue();
        let (table, version) = self
            .db
            .call(move |conn| {
                // The version and the figures are read in one transaction so that they agree.
                let tx = conn.transaction()?;
                let version = crate::db::meta::data_version(&tx)?;
                let table = crate::db::progress::table(&tx, &catalogue, period)?;
                Ok((Arc::new(table), version))
            })
            .await?;
        let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        if tables.len() >= CACHED_TABLES {
            tables.retain(|_, (cached_version, _)| *cached_version == version);
        }
        tables.insert(period, (version, Arc::clone(&table)));
        Ok((table, version))
    }

    /// The region tree and indicators; loaded once, they change only through `migrate`.
    pub fn catalogue(&self) -> Arc<Catalogue> {
        Arc::clone(&self.catalogue.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Re-reads the catalogue, after regions were added.
    pub async fn reload_catalogue(&self) -> AppResult<()> {
        let fresh = self.db.call(|conn| Ok(crate::db::catalogue::load(conn)?)).await?;
        *self.catalogue.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(fresh);
        Ok(())
    }
}

#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}

/// Request bodies above this are refused with 413 (imports have their own, larger limit).
pub const BODY_LIMIT: usize = 256 * 1024;

/// Every route of anju, in one place.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/progress", get(api::progress))
        .route("/regions", get(api::regions))
        .route("/indicators", get(api::indicators))
        .route("/reports/{code}/{period}", get(api::get_report).put(api::put_report))
        .route("/reports/{code}/{period}/approve", post(api::approve))
        .route("/reports/{code}/{period}/return", post(api::return_report))
        .route("/reports/{code}/{period}/reopen", post(api::reopen))
        .route("/audit", get(api::audit))
        .fallback(api::not_found);

    Router::new()
        .route("/healthz", get(|| async { "ok" }))
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
        .route("/charts/{file}", get(charts::http::chart))
        .nest_service("/static", statics::router())
        .route("/reports", get(reports::home))
        .route("/reports/{code}/{period}", get(reports::form).post(reports::save))
        .route("/admin/approvals", get(admin::approvals))
        .route("/admin/reports/{code}/{period}/{action}", post(admin::review))
        .route("/admin/targets", get(admin::targets).post(admin::save_targets))
        .route("/admin/users", get(admin::users).post(admin::create_user))
        .route("/admin/users/{id}/{action}", post(admin::user_action))
        .route("/audit", get(admin::audit))
        .route("/export/progress.csv", get(export::progress_csv))
        .route("/export/progress.xlsx", get(export::progress_xlsx))
        .route("/export/history.csv", get(export::history_csv))
        .route(
            "/import",
            get(import::page)
                .post(import::upload)
                .layer(DefaultBodyLimit::max(import::IMPORT_BODY_LIMIT)),
        )
        .nest("/api/v1", api)
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CsrfLayer::new().with_rejection_response(auth::cross_origin_refused))
        .layer(middleware::from_fn(forms::refuse_declared_oversize))
        .layer(middleware::from_fn(forms::explain_plain_errors))
        .layer(middleware::from_fn(lang::remember_lang))
        .layer(middleware::from_fn(no_store_on_private))
        .layer(header_if_missing(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
             object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        ))
        .layer(header_if_missing(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header_if_missing(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_if_missing(header::REFERRER_POLICY, "same-origin"))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Paths whose answers name people, drafts or review steps: no cache, shared or private,
/// keeps them.
const PRIVATE_PATHS: [&str; 8] = [
    "/account",
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

fn header_if_missing(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_fragments_stay_within_their_byte_budget() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("anju.db"), &dir.path().join("data")).unwrap();
        let app = App::new(
            Arc::new(db),
            Catalogue::new(Vec::new(), Vec::new()),
            ServeConfig::default(),
        );
        let kept = |app: &App| -> usize { app.fragments.lock().unwrap().values().map(|(_, b)| b.len()).sum() };
        let megabyte = 1024 * 1024;
        for i in 0..100 {
            let bytes = app.fragment(&format!("chart|{i}"), 1, || vec![b'x'; megabyte]);
            assert_eq!(bytes.len(), megabyte);
            assert!(kept(&app) <= CACHED_FRAGMENT_BYTES, "{} bytes kept", kept(&app));
        }
        // The newest is kept and served from memory.
        assert!(app.cached_fragment("chart|99", 1).is_some());
        // A new data version makes every older fragment stale.
        assert!(app.cached_fragment("chart|99", 2).is_none());
        // Too large to keep, but still answered.
        let huge = app.fragment("country", 1, || vec![b'x'; LARGEST_FRAGMENT + 1]);
        assert_eq!(huge.len(), LARGEST_FRAGMENT + 1);
        assert!(app.cached_fragment("country", 1).is_none());
    }
}
