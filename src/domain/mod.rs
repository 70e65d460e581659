//! The pure core: periods, the rate/benchmark/status arithmetic, roll-up, validation and the
//! report workflow, the plan of a save, access policy and account rules. No I/O, no clock, no async: everything here is a function of its arguments.

pub mod account;
pub mod allocation;
pub mod bulletin;
pub mod catalogue;
pub mod change;
pub mod columns;
pub mod deadline;
pub mod format;
pub mod lang;
pub mod levels;
pub mod period;
pub mod plan;
pub mod policy;
pub mod progress;
pub mod projection;
pub mod rate;
pub mod reminder;
pub mod review;
pub mod role;
pub mod tiles;
pub mod validation;
pub mod workflow;

pub use catalogue::{Indicator, Region};
pub use lang::{Lang, Text};
pub use period::Period;
pub use rate::{Status, Tenths};
pub use role::{Actor, Role};
pub use workflow::ReportStatus;
