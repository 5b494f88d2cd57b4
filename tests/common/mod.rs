//! What the tests that run the binary share. Each test file compiles this
//! module on its own and uses part of it.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `sslcensus` with these arguments.
pub fn sslcensus(args: &[&str]) -> Output {
    sslcensus_os(&args.iter().map(OsStr::new).collect::<Vec<_>>())
}

/// The same, with arguments that are paths.
pub fn sslcensus_os(args: &[&OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sslcensus"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs `sslcensus` and expects exit 0, showing its stderr otherwise.
pub fn sslcensus_ok(args: &[&str]) -> Output {
    sslcensus_os_ok(&args.iter().map(OsStr::new).collect::<Vec<_>>())
}

/// The same, with arguments that are paths.
pub fn sslcensus_os_ok(args: &[&OsStr]) -> Output {
    let out = sslcensus_os(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `sslcensus` in `dir` (or here), feeding `stdin` (or none).
pub fn sslcensus_in(dir: Option<&Path>, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sslcensus"));
    command
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = command.spawn().unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// Output bytes as text (lossy: the tests read what a person would see).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
