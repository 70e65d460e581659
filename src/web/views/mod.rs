//! Pages as maud functions of plain data: the layout, shared components and one module a page.

pub mod account;
pub mod admin;
pub mod briefing;
pub mod bulletin;
pub mod completeness;
pub mod components;
pub mod dashboard;
pub mod export;
pub mod import;
pub mod layout;
pub mod login;
pub mod region;
pub mod report_form;

/// The page language; views take it as plain data.
pub use crate::domain::Lang;
