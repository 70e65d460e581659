//! Seed data: the demonstration dataset (`serve --demo`) and the synthetic national benchmark
//! dataset (`anju gen`). Both write through `db` and `service`; storage never imports them.

pub mod demo;
pub mod national;
