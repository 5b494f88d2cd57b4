//! PostgreSQL, Amazon RDS for PostgreSQL and Aurora PostgreSQL logs.

pub mod csvlog;
pub mod jsonlog;
pub mod message;
mod prefix;
pub mod stderr;
