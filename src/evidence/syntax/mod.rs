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
    use std::fmt::Debug;

    /// Each row's input, read by `read`, gives the row's output; every
    /// failing row is listed.
    pub fn assert_rows<I: Copy + Debug, O: PartialEq<W> + Debug, W: Debug>(
        read: impl Fn(I) -> O,
        rows: &[(I, W)],
    ) {
        let failures: Vec<String> = rows
            .iter()
            .filter_map(|(input, want)| {
                let got = read(*input);
                (got != *want).then(|| format!("{input:?}\n got  {got:?}\n want {want:?}"))
            })
            .collect();
        assert!(
            failures.is_empty(),
            "{} of {} rows failed:\n{}",
            failures.len(),
            rows.len(),
            failures.join("\n")
        );
    }
}
