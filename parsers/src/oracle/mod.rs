//! Oracle (Amazon RDS for Oracle) listener logs.

pub mod listener;
