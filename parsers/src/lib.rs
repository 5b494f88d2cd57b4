//! The parsing core of sslcensus: database connection logs in, typed
//! [`Observation`]s out.
//!
//! Parsers borrow from the input bytes and never allocate for lines they do
//! not read: [`scan()`] runs a multi-literal prefilter over a chunk and only the
//! lines it hits are split, decoded and matched. Nothing here knows about
//! sessions, clients or reports.

#![warn(missing_docs)]

pub mod dump;
pub mod envelope;
pub mod format;
pub mod literal;
pub mod mysql;
pub mod observation;
pub mod oracle;
pub mod pg;
pub mod scan;
pub mod time;

pub use format::{
    DetectError, Detected, Engine, FormatChoice, LogFormat, detect, detect_found, named_instance,
};
pub use observation::{Millis, Observation};
pub use scan::{PARSER_FAULT, Sink, count_lines, scan, scan_line};
