//! Readers of the syntaxes settings are written in, shared by the
//! detectors: one file a reader, each with its table tests; `live_text/`,
//! the pass that blanks comments and joins literals before any detector
//! reads a file.

pub mod calls;
pub mod comment;
pub mod conn_string;
pub mod framework;
pub mod ini;
pub mod kv;
pub mod lex;
pub mod lines;
pub mod live_text;
pub mod prisma;
pub mod quote;
pub mod shell;
pub mod url;
pub mod yaml;

/// What the readers' table tests share.
#[cfg(test)]
mod testing {
    pub use crate::evidence::testing::assert_rows;
}
