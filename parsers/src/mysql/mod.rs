//! MySQL, MariaDB, Amazon RDS for MySQL / MariaDB and Aurora MySQL logs.

pub mod audit;
mod common;
pub mod error;
pub mod general;
