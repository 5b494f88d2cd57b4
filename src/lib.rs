//! sslcensus: find the client applications an Amazon RDS / Aurora
//! certificate-authority rotation will break.
//!
//! Data flows one way: `source` (files, stdin) and `cloudwatch` (log
//! groups) → format detection and parsing (the `sslcensus-parsers` crate) →
//! `correlate` (sessions) → `census` (per-client aggregates) → `verdict` →
//! `report`. `analyze` runs the pipeline; `partial` writes a run's census as
//! mergeable Parquet and reads it back (`merge`); `cli` is the command line.
//!
//! The modules are private: the list of `pub use` below is the library's
//! surface (what the binary, the integration tests, the benches and the
//! fuzz targets use), so a change inside a module cannot widen it unseen.

mod analyze;
mod atomic;
mod capture;
mod capture_sql;
mod captures;
mod census;
mod cli;
mod cloudwatch;
mod correlate;
mod diff;
mod evidence;
mod family;
#[doc(hidden)]
pub mod fuzzing;
mod gcloud;
mod html;
mod in_order;
mod inventory;
mod mapguard;
mod mysql_options;
mod partial;
mod plan;
mod progress;
mod redact;
mod report;
mod same_records;
mod source;
mod state;
mod verdict;

pub use analyze::{FileStatus, Settings, analyze};
pub use census::day_text;
pub use cli::{Cli, run};
pub use correlate::{Problem, Window};
pub use diff::write::COLUMNS as DIFF_COLUMNS;
pub use family::{Families, family};
pub use partial::{Partial, SET_RECORDS, read as read_partial, write as write_partial};
pub use progress::Progress;
pub use report::{OutputFormat, RunFacts, summary_with, write as write_report, write_settings};
pub use source::resolve;
pub use verdict::{GroupBy, GroupByError, ReportRow, Verdict, judge};

/// Application settings as evidence: the scanner over a tree, one file's
/// detectors, and the files that tie settings to clients.
pub mod settings {
    pub use crate::evidence::deps::Versions;
    pub use crate::evidence::fold::{AppMap, EndpointMap, Evidence, read_overrides, read_settings};
    pub use crate::evidence::walk::scan;
    pub use crate::evidence::{SourceFile, detect_all};
}

/// Trust stores: reading them and what they say of the RDS CAs.
pub mod truststore {
    pub use crate::evidence::truststore::{
        KeyKind, Problem, RdsCa, RdsCoverage, RdsMatch, Standing, StoreFormat, rds_coverage, read,
        read_all,
    };
}
