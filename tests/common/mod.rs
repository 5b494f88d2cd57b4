//! What the tests that run the binary share. Each test file compiles this
//! module on its own and uses part of it.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::process::{Command, Output};

/// Runs `sslcensus` with these arguments.
pub fn sslcensus<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_sslcensus"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs `sslcensus` and expects exit 0, showing its stderr otherwise.
pub fn sslcensus_ok<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = sslcensus(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
