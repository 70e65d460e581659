//! HTTP: the router, shared state and caches, middleware, and the handlers grouped by resource.

pub mod account;
pub mod admin;
pub mod api;
pub mod auth;
pub mod bulletin;
pub mod cache;
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
pub mod openapi;
pub mod pages;
pub mod periods;
pub mod reports;
pub mod router;
pub mod server;
pub mod state;
pub mod statics;
pub mod throttle;
pub mod views;

pub use router::{BODY_LIMIT, router};
pub use state::{App, AppState, DataFacts};
