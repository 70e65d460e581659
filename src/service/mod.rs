//! The use cases: one function for each thing a user can do that writes (save a report,
//! review it, manage accounts and tokens, set targets, import) and the exports. Each takes the
//! acting user, checks the policy, owns its write transaction and audits in it. The pages, the
//! JSON API and the command line call these same functions.

pub mod accounts;
pub mod docx;
pub mod exchange;
pub mod export;
pub mod import;
pub mod pool;
pub mod reporting;
pub mod reports;
pub mod targets;
pub mod tiles;
pub mod tokens;
