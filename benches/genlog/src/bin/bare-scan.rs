//! The bare scan limit BENCHMARKS.md compares with: map a file and count its
//! lines with memchr, on one thread — what any reader of every line pays
//! before it parses anything.
//!
//!     bare-scan FILE

use std::fs::File;

fn main() {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: bare-scan FILE");
        std::process::exit(2);
    };
    let file = File::open(&path).unwrap_or_else(|e| {
        eprintln!("bare-scan: {}: {e}", path.to_string_lossy());
        std::process::exit(1);
    });
    // SAFETY: read only; a benchmark's own file is not truncated under it.
    let map = unsafe { memmap2::Mmap::map(&file) }.unwrap_or_else(|e| {
        eprintln!("bare-scan: {}: {e}", path.to_string_lossy());
        std::process::exit(1);
    });
    println!("{}", memchr::memchr_iter(b'\n', &map).count());
}
