//! The parsing core of sslcensus: database connection logs in, typed
//! [`Observation`]s out.
//!
//! Parsers borrow from the input bytes and never allocate for lines they do
//! not read: [`scan()`] runs a multi-literal prefilter over a chunk and only the
//! lines it hits are split, decoded and matched. Nothing here knows about
//! sessions, clients or reports.

#![warn(missing_docs)]

// Public modules have a surface of their own (session-view dumps and their
// schemas, the envelope table, the observation types); the line grammars
// are private and reached through the `pub use` list below.
pub mod caught;
pub mod dump;
pub mod envelope;
pub mod observation;

mod format;
mod literal;
mod mysql;
mod number;
mod oracle;
mod pg;
mod scan;
mod time;
mod word;

pub use format::{
    DetectError, Detected, Engine, FormatChoice, LogFormat, detect, detect_found, named_instance,
};
pub use observation::{Millis, Observation};
pub use pg::message::parse as parse_pg_message;
pub use pg::stderr::{KNOWN_PREFIXES, LinePrefix, PrefixError};
pub use scan::{
    BEFORE_BYTES, PARSER_FAULT, Sink, count_lines, scan, scan_after, scan_line, scan_line_after,
};
pub use time::parse_timestamp;
pub use word::same_bytes;
