//! anju (安居): quarterly housing-security targets and progress for a provincial housing
//! department. `domain` holds the rules and numbers, `db` the SQL, `service` the use cases,
//! `web` the pages and API, `seed` the demonstration data; this file wires them together.

#![forbid(unsafe_code)]

pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod seed;
pub mod service;
pub mod web;

use std::future::Future;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;

pub use config::{ServeConfig, StoreConfig};
pub use web::AppState;

use domain::{Actor, Role};

/// The whole HTTP application for `state`.
pub fn app(state: AppState) -> Router {
    web::router(state)
}

/// Opens the database, loads demo data or creates the first admin as configured, and builds
/// the state the server runs on. Passwords that were generated are printed to stdout once.
pub fn prepare(store: &StoreConfig, mut config: ServeConfig) -> anyhow::Result<AppState> {
    let db = service::pool::Db::open(&store.db, &store.data_dir)?
        .with_write_wait(std::time::Duration::from_millis(config.write_wait_ms))?;
    let mut conn = db::connect(&store.db)?;
    let has_users = db::users::count(&conn)? > 0;
    if config.demo {
        let loaded = seed::demo::load(&mut conn)?;
        // The demo accounts get the configured password, or a fresh one printed at every start,
        // so a restarted demo can always be signed into. A database of real figures (not
        // marked as demonstration data) keeps its accounts untouched.
        if loaded || !has_users || db::meta::is_demo(&conn)? {
            let password = config.demo_password.clone().unwrap_or_else(|| {
                let password = auth::new_password();
                println!("演示账户 admin / gz_officer / leader / analyst / wj_officer / sg_admin / sg_leader 的密码(demo password): {password}");
                password
            });
            domain::account::check_password(&password)?;
            seed::demo::ensure_accounts(&mut conn, &password)?;
        } else {
            println!("数据库已有正式数据,未载入演示数据(database has real figures; demo data not loaded)");
        }
    } else if !has_users {
        let password = config.admin_password.clone().unwrap_or_else(|| {
            let password = auth::new_password();
            println!("已创建管理员 admin,初始密码(initial admin password): {password}");
            password
        });
        let admin = service::accounts::NewUser {
            username: "admin".into(),
            role: Role::Admin.as_str().into(),
            region: None,
            password,
        };
        let catalogue = db::catalogue::load(&conn)?;
        service::accounts::create(&mut conn, &catalogue, &Actor::system("anju"), &admin)?;
    }
    let catalogue = db::catalogue::load(&conn)?;
    config.tile_layout = Arc::new(service::tiles::load(&store.data_dir, &catalogue)?);
    Ok(AppState(Arc::new(web::App::new(Arc::new(db), catalogue, config))))
}

/// Serves `state` on `listener` until `shutdown` resolves; in-flight requests finish first.
/// Expired sign-in records are purged meanwhile, at once and every few minutes, and the caches
/// apply their pending evictions every second.
pub async fn launch(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let purge = tokio::spawn(web::auth::purge_periodically(state.clone()));
    let housekeeping = {
        let state = state.clone();
        tokio::spawn(async move { state.housekeep_periodically().await })
    };
    let limits = web::server::Limits::from_config(&state.config, web::server::raise_open_file_limit());
    let served = web::server::serve(listener, app(state), limits, shutdown).await;
    purge.abort();
    housekeeping.abort();
    served.context("serving HTTP")
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// The database file's directory exists, or is created.
pub fn ensure_parent(path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    Ok(())
}
