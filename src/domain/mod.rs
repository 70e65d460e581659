//! The pure core: periods, the rate/benchmark/status arithmetic, roll-up, validation and the
//! report workflow. No I/O, no clock, no async: everything here is a function of its arguments.

pub mod bulletin;
pub mod catalogue;
pub mod deadline;
pub mod format;
pub mod lang;
pub mod period;
pub mod progress;
pub mod rate;
pub mod role;
pub mod validation;
pub mod workflow;

pub use catalogue::{Indicator, Region};
pub use lang::Lang;
pub use period::Period;
pub use rate::{Status, Tenths};
pub use role::{Actor, Role};
pub use workflow::ReportStatus;
