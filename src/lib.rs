//! sslcensus: find the client applications an Amazon RDS / Aurora
//! certificate-authority rotation will break.
//!
//! Data flows one way: [`source`] (files, stdin) and [`cloudwatch`] (log groups) → format detection and
//! parsing (the `sslcensus-parsers` crate) → [`correlate`] (sessions) →
//! [`census`] (per-client aggregates) → [`verdict`] → [`report`].
//! [`analyze`] runs the pipeline; [`partial`] writes a run's census as
//! mergeable Parquet and reads it back (`merge`); [`cli`] is the command
//! line.

pub mod analyze;
pub mod atomic;
pub mod capture;
pub mod capture_sql;
pub mod captures;
pub mod census;
pub mod cli;
pub mod cloudwatch;
pub mod correlate;
pub mod diff;
pub mod evidence;
pub mod family;
#[doc(hidden)]
pub mod fuzzing;
pub mod gcloud;
pub mod html;
pub mod in_order;
pub mod inventory;
pub mod mapguard;
pub mod mysql_options;
pub mod partial;
pub mod plan;
pub mod progress;
pub mod redact;
pub mod report;
pub mod same_records;
pub mod source;
pub mod state;
pub mod verdict;
