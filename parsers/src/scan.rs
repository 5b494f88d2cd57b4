//! The scanning core: find connection lines in a chunk of bytes with a
//! multi-literal prefilter, and hand only those lines to a format's parser.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use memchr::{memchr, memrchr};

use crate::format::LogFormat;
use crate::observation::Observation;
use crate::pg::{csvlog, jsonlog, message::Malformed, stderr};

/// Literals every message sslcensus reads contains. Lines without one are
/// never split, decoded or matched.
const NEEDLES: [&str; 3] = ["onnection", "pg_hba.conf", "authentication failed"];

static PREFILTER: LazyLock<AhoCorasick> =
    LazyLock::new(|| AhoCorasick::new(NEEDLES).expect("literal needles build"));

/// Receives what a scan finds. Offsets are byte offsets of the line start
/// within the scanned chunk, so the caller can name the line.
pub trait Sink {
    fn observation(&mut self, offset: usize, observation: Observation<'_>);
    fn malformed(&mut self, offset: usize, why: Malformed);
    /// The line was not UTF-8; it was read with replacement characters.
    fn invalid_utf8(&mut self, offset: usize);
}

/// Scans `chunk` (whole lines) and reports every connection line to `sink`.
pub fn scan(format: &LogFormat, chunk: &[u8], sink: &mut impl Sink) {
    let mut next_line = 0;
    for hit in PREFILTER.find_iter(chunk) {
        if hit.start() < next_line {
            continue; // another needle on a line already read
        }
        let start = memrchr(b'\n', &chunk[..hit.start()]).map_or(0, |i| i + 1);
        let end = memchr(b'\n', &chunk[hit.start()..]).map_or(chunk.len(), |i| hit.start() + i);
        next_line = end + 1;
        let raw = chunk[start..end]
            .strip_suffix(b"\r")
            .unwrap_or(&chunk[start..end]);
        match std::str::from_utf8(raw) {
            Ok(line) => read_line(format, line, start, sink),
            Err(_) => {
                sink.invalid_utf8(start);
                read_line(format, &String::from_utf8_lossy(raw), start, sink);
            }
        }
    }
}

/// Newlines in `bytes` (SIMD-counted: it runs over every byte read).
pub fn count_lines(bytes: &[u8]) -> u64 {
    bytecount::count(bytes, b'\n') as u64
}

fn read_line(format: &LogFormat, line: &str, offset: usize, sink: &mut impl Sink) {
    let outcome = match format {
        LogFormat::PgStderr { prefix } => match stderr::observe(prefix.as_ref(), line) {
            Some(Ok(observation)) => {
                sink.observation(offset, observation);
                Some(Ok(()))
            }
            Some(Err(why)) => Some(Err(why)),
            None => None,
        },
        LogFormat::PgCsvlog => csvlog::observe(line, &mut |o| sink.observation(offset, o)),
        LogFormat::PgJsonlog => jsonlog::observe(line, &mut |o| sink.observation(offset, o)),
    };
    if let Some(Err(why)) = outcome {
        sink.malformed(offset, why);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pg::stderr::LinePrefix;

    #[derive(Default)]
    struct Collect {
        seen: Vec<(usize, String)>,
        malformed: Vec<usize>,
        invalid: Vec<usize>,
    }

    impl Sink for Collect {
        fn observation(&mut self, offset: usize, o: Observation<'_>) {
            self.seen.push((offset, format!("{:?}", o.message)));
        }
        fn malformed(&mut self, offset: usize, _: Malformed) {
            self.malformed.push(offset);
        }
        fn invalid_utf8(&mut self, offset: usize) {
            self.invalid.push(offset);
        }
    }

    #[test]
    fn only_connection_lines_reach_the_parser() {
        let log = concat!(
            "2026-11-29 03:52:55 UTC:10.0.0.1(5):[unknown]@[unknown]:[1]:LOG:  connection received: host=10.0.0.1 port=5\n",
            "2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  statement: select 'a connection'\n",
            "\tand connection authorized: in a continuation\n",
            "2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  connection authorized: user=u database=d\r\n",
            "2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  connection authorized: user=INVALID database=d\n",
            "garbage LOG:  connection received: host=x port=1\n",
            "2026-11-29 03:52:56 UTC:10.0.0.1(5):u@d:[1]:FATAL:  password authentication failed for user \"u\"",
        );
        let format = LogFormat::PgStderr {
            prefix: Some(LinePrefix::compile("%t:%r:%u@%d:[%p]:").unwrap()),
        };
        let mut sink = Collect::default();
        let bytes = log.replace("INVALID", "\u{1}").into_bytes();
        let bytes: Vec<u8> = bytes
            .into_iter()
            .map(|b| if b == 1 { 0xff } else { b })
            .collect();
        scan(&format, &bytes, &mut sink);
        assert_eq!(sink.seen.len(), 4, "{:?}", sink.seen);
        assert!(sink.seen[1].1.contains("Authorized"));
        assert!(sink.seen[3].1.contains("AuthenticationFailed"));
        assert_eq!(sink.invalid.len(), 1);
        assert_eq!(sink.malformed.len(), 1);
        assert!(bytes[sink.malformed[0]..].starts_with(b"garbage"));
    }
}
