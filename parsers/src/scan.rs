//! The scanning core: find connection lines in a chunk of bytes with a
//! multi-literal prefilter, and hand only those lines to a format's parser.

use std::sync::OnceLock;

use aho_corasick::Span;
use aho_corasick::packed::{self, Searcher};
use memchr::{memchr, memrchr};

use crate::caught;
use crate::envelope::Needles;
use crate::format::LogFormat;
use crate::observation::{LineOutcome, Malformed, Observation};
use crate::pg::{csvlog, jsonlog, stderr};
use crate::{mysql, oracle};

/// Literals every PostgreSQL message sslcensus reads contains: all but two
/// say "connection"; those two (pg_hba and authentication failures) are
/// FATAL, which is rare and spelt so in stderr, csvlog and jsonlog alike.
/// Lines without one of its format's needles are never split, decoded or
/// matched.
const PG_NEEDLES: [&str; 2] = ["onnection", "FATAL"];

/// PostgreSQL messages read without a prefix may have no severity either
/// (bare messages): the two FATAL ones are found by their own words.
const PG_MESSAGE_ONLY_NEEDLES: [&str; 4] = [
    "onnection",
    "FATAL",
    "authentication failed for user",
    "pg_hba.conf",
];

/// Each format family's needles, indexed by [`needle_set`].
const NEEDLE_SETS: [&[&str]; 6] = [
    &PG_NEEDLES,
    &PG_MESSAGE_ONLY_NEEDLES,
    mysql::general::NEEDLES,
    mysql::error::NEEDLES,
    mysql::audit::NEEDLES,
    oracle::listener::NEEDLES,
];

/// Which needles a format's lines hold, and how they appear behind its
/// envelope (escaped in JSON: a general log's `\t` is `\\t` there).
fn needle_set(format: &LogFormat) -> (usize, Needles) {
    match format {
        LogFormat::PgStderr { prefix: None } => (1, Needles::AsWritten),
        LogFormat::PgStderr { .. } | LogFormat::PgCsvlog | LogFormat::PgJsonlog => {
            (0, Needles::AsWritten)
        }
        LogFormat::MysqlGeneral { .. } => (2, Needles::AsWritten),
        LogFormat::MysqlError { .. } => (3, Needles::AsWritten),
        LogFormat::MysqlAudit { .. } => (4, Needles::AsWritten),
        LogFormat::OracleListener => (5, Needles::AsWritten),
        LogFormat::Enveloped { envelope, inner } => (needle_set(inner).0, envelope.needles()),
    }
}

fn prefilter(format: &LogFormat) -> &'static Searcher {
    // Teddy, aho-corasick's SIMD multi-literal searcher: for a handful of
    // needles it runs at memchr speed, unlike the automaton's rare-byte
    // prefilter, which stalls on the bytes log lines are full of.
    fn build<N: AsRef<[u8]>>(needles: &[N]) -> Searcher {
        let mut builder = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .builder();
        builder.extend(needles);
        builder.build().expect("a few short literals always build")
    }
    // Built once each, on first use: [set][how the needles appear].
    static SEARCHERS: [[OnceLock<Searcher>; Needles::FORMS]; NEEDLE_SETS.len()] =
        [const { [const { OnceLock::new() }; Needles::FORMS] }; NEEDLE_SETS.len()];
    let (set, form) = needle_set(format);
    SEARCHERS[set][form as usize].get_or_init(|| build(&form.of(NEEDLE_SETS[set])))
}

/// Why a line was skipped when reading it failed inside sslcensus: a bug,
/// which the mutation tests are there to find, but which costs one line, not
/// the run.
pub const PARSER_FAULT: Malformed =
    Malformed("internal error while reading this line (a bug in sslcensus: please report it)");

/// What `aws rds download-db-log-file-portion` puts where it cut a line at
/// its 1 MB page limit: the rest of that line is lost.
pub const RDS_CUT_MARKER: &str = " [Your log message was truncated]";

/// Why a connection line cut short by the RDS download is skipped: what is
/// left of it cannot be trusted (a cut `SSL enabled (…)` clause would read
/// as a plaintext session).
pub const CUT_SHORT: Malformed = Malformed(
    "cut short by the RDS log download ([Your log message was truncated]); download the file whole to read it",
);

/// Receives what a scan finds. Offsets are byte offsets of the line start
/// within the scanned chunk, so the caller can name the line.
pub trait Sink {
    /// A connection-related line read into an observation.
    fn observation(&mut self, offset: usize, observation: Observation<'_>);
    /// A line that announced a connection message and does not parse.
    fn malformed(&mut self, offset: usize, why: Malformed);
    /// The line was not UTF-8; it was read with replacement characters.
    fn invalid_utf8(&mut self, offset: usize);
}

/// Scans `chunk` (whole lines), reports every connection line to `sink`,
/// and returns how many lines the chunk holds ([`count_lines`]). The lines
/// are counted behind the prefilter, a stretch at a time while its bytes
/// are still in the cache: a second pass over the chunk cost as much as
/// the prefilter on logs with few connection lines.
pub fn scan(format: &LogFormat, chunk: &[u8], sink: &mut impl Sink) -> u64 {
    scan_after(format, &[], chunk, sink)
}

/// How much of the bytes before a chunk [`scan_after`] looks at: a caller
/// that keeps the end of one window for the next keeps this much.
pub const BEFORE_BYTES: usize = mysql::general::LOOKBACK;

/// [`scan`] of a chunk that follows `before` (whole lines, the end of the
/// file's bytes before the chunk): where a format's lines borrow from the
/// lines above (MariaDB prints a time only when it changes), the chunk's
/// first lines look there.
pub fn scan_after(format: &LogFormat, before: &[u8], chunk: &[u8], sink: &mut impl Sink) -> u64 {
    let mut memory = ChunkMemory::after(format, before);
    let searcher = prefilter(format);
    /// Bytes counted at once: still in the cache after the prefilter, and
    /// enough that a count's set-up is nothing beside it.
    const COUNTED_AT_ONCE: usize = 64 * 1024;
    let mut next_line = 0;
    let (mut lines, mut counted) = (0, 0);
    // The search resumes at the next line: the rest of a line just read
    // (most of a connection line lies after its needle) is not searched.
    while next_line < chunk.len() {
        let Some(hit) = searcher.find_in(chunk, Span::from(next_line..chunk.len())) else {
            break;
        };
        let start = memrchr(b'\n', &chunk[..hit.start()]).map_or(0, |i| i + 1);
        let start = record_last_line(format, chunk, start);
        next_line = (read_line_at(format, chunk, start, &mut memory, sink) + 1).min(chunk.len());
        if next_line - counted >= COUNTED_AT_ONCE {
            lines += count_lines(&chunk[counted..next_line]);
            counted = next_line;
        }
    }
    lines + count_lines(&chunk[counted..])
}

/// Where the record holding the line at `start` ends: a record cut over
/// lines (a CRI `P` part, a wrapped log.xml `<txt>`) is read at its last
/// line, which puts the parts before it back in front.
fn record_last_line(format: &LogFormat, chunk: &[u8], mut start: usize) -> usize {
    if !matches!(
        format,
        LogFormat::Enveloped { .. } | LogFormat::OracleListener
    ) {
        return start;
    }
    while let Some(end) = memchr(b'\n', &chunk[start..]).map(|i| start + i) {
        let line = &chunk[start..end];
        let continues = match format {
            LogFormat::Enveloped { envelope, .. } => envelope.is_partial(line),
            _ => {
                let next = &chunk[end + 1..];
                let next = &next[..memchr(b'\n', next).unwrap_or(next.len())];
                oracle::listener::continues(line, next, &chunk[..start])
            }
        };
        if !continues {
            break;
        }
        start = end + 1;
    }
    start
}

/// Reads the one line of `chunk` starting at `offset` (as [`scan`] would);
/// returns where the line ends. The bytes before it stay visible to parsers
/// that need them (MariaDB prints a time only when it changes).
pub fn scan_line(format: &LogFormat, chunk: &[u8], offset: usize, sink: &mut impl Sink) {
    scan_line_after(format, &[], chunk, offset, sink);
}

/// [`scan_line`] in a chunk that follows `before` ([`scan_after`]).
pub fn scan_line_after(
    format: &LogFormat,
    before: &[u8],
    chunk: &[u8],
    offset: usize,
    sink: &mut impl Sink,
) {
    read_line_at(
        format,
        chunk,
        offset,
        &mut ChunkMemory::after(format, before),
        sink,
    );
}

/// What line parsers learn while reading one chunk in order: MariaDB's
/// look-back for the last printed time resumes where it stopped, and a
/// PostgreSQL line's timestamp is compared with the one before it.
#[derive(Debug, Default)]
struct ChunkMemory {
    lookback: mysql::general::Lookback,
    stderr: stderr::LineMemory,
}

impl ChunkMemory {
    /// The memory of a chunk that follows `before`.
    fn after(format: &LogFormat, before: &[u8]) -> ChunkMemory {
        ChunkMemory {
            lookback: match format {
                LogFormat::MysqlGeneral { .. } if !before.is_empty() => {
                    mysql::general::Lookback::after(before)
                }
                _ => mysql::general::Lookback::default(),
            },
            ..ChunkMemory::default()
        }
    }
}

fn read_line_at(
    format: &LogFormat,
    chunk: &[u8],
    start: usize,
    memory: &mut ChunkMemory,
    sink: &mut impl Sink,
) -> usize {
    let end = memchr(b'\n', &chunk[start..]).map_or(chunk.len(), |i| start + i);
    let raw = chunk[start..end]
        .strip_suffix(b"\r")
        .unwrap_or(&chunk[start..end]);
    let before = &chunk[..start];
    // A line is read or skipped and counted, never a panic that ends the run
    // (issue #19). Only the sink and the look-back memory outlive the unwind:
    // the sink has seen part of this line at most, and the memory restarts.
    let read = caught::catch(|| match simdutf8::basic::from_utf8(raw) {
        Ok(line) => read_line(format, line, before, start, memory, sink),
        Err(_) => {
            sink.invalid_utf8(start);
            read_line(
                format,
                &String::from_utf8_lossy(raw),
                before,
                start,
                memory,
                sink,
            );
        }
    });
    if read.is_err() {
        *memory = ChunkMemory::default();
        sink.malformed(start, PARSER_FAULT);
    }
    end
}

/// Newlines in `bytes` (SIMD-counted: it runs over every byte read).
pub fn count_lines(bytes: &[u8]) -> u64 {
    bytecount::count(bytes, b'\n') as u64
}

fn read_line(
    format: &LogFormat,
    line: &str,
    before: &[u8],
    offset: usize,
    memory: &mut ChunkMemory,
    sink: &mut impl Sink,
) {
    // The marker's last byte first: a whole comparison at the end of every
    // line cost a memcmp call.
    if line.ends_with(']')
        && let Some(cut) = line.strip_suffix(RDS_CUT_MARKER)
    {
        // Skip it, counted, if it was a line this format reads.
        let mut read = false;
        let outcome = parse_line(format, cut, before, memory, &mut |_| read = true);
        if read || outcome.is_some() {
            sink.malformed(offset, CUT_SHORT);
        }
        return;
    }
    let outcome = parse_line(format, line, before, memory, &mut |o| {
        sink.observation(offset, o)
    });
    if let Some(Err(why)) = outcome {
        sink.malformed(offset, why);
    }
}

fn parse_line(
    format: &LogFormat,
    line: &str,
    before: &[u8],
    memory: &mut ChunkMemory,
    emit: &mut dyn FnMut(Observation<'_>),
) -> LineOutcome {
    match format {
        LogFormat::PgStderr { prefix } => {
            stderr::observe(prefix.as_ref(), line, &mut memory.stderr)
                .map(|parsed| parsed.map(emit))
        }
        LogFormat::PgCsvlog => csvlog::observe(line, emit),
        LogFormat::PgJsonlog => jsonlog::observe(line, emit),
        LogFormat::MysqlGeneral { engine } => {
            mysql::general::observe(*engine, line, before, &mut memory.lookback, emit)
        }
        LogFormat::MysqlError { .. } => mysql::error::observe(line, emit),
        LogFormat::MysqlAudit { .. } => mysql::audit::observe(line, emit),
        LogFormat::OracleListener => oracle::listener::observe_after(line, before, emit),
        LogFormat::Enveloped { envelope, inner } => match envelope.open_after(line, before) {
            // The event's time stands in for a time the line lacks; the
            // lines before are other events', with times of their own.
            Some(opened) => {
                let before = if envelope.keeps_lines_before() {
                    before
                } else {
                    &[]
                };
                parse_line(inner, &opened.line, before, memory, &mut |o| {
                    emit(Observation {
                        time: o.time.or(opened.time),
                        ..o
                    })
                })
            }
            // The second line of a multi-line event.
            None => parse_line(inner, line, before, memory, emit),
        },
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
        assert_eq!(scan(&format, &bytes, &mut sink), count_lines(&bytes));
        assert_eq!(sink.seen.len(), 4, "{:?}", sink.seen);
        assert!(sink.seen[1].1.contains("Authorized"));
        assert!(sink.seen[3].1.contains("AuthenticationFailed"));
        assert_eq!(sink.invalid.len(), 1);
        assert_eq!(sink.malformed.len(), 1);
        assert!(bytes[sink.malformed[0]..].starts_with(b"garbage"));
    }

    /// Issue #19: a panic while reading one line (here the sink's) costs that
    /// line, skipped and counted, and the scan goes on.
    /// The lines a scan counts behind its prefilter are the chunk's
    /// newlines, wherever the hits fall: first, last, none, every line.
    #[test]
    fn a_scan_counts_every_line_of_its_chunk() {
        let hit = "2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  connection authorized: user=u database=d";
        let other = "2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  statement: select 1";
        let format = LogFormat::PgStderr {
            prefix: Some(LinePrefix::compile("%t:%r:%u@%d:[%p]:").unwrap()),
        };
        let table = [
            String::new(),
            "\n\n\n".to_string(),
            hit.to_string(),
            format!("{hit}\n"),
            format!("{other}\n{other}"),
            format!("{hit}\n{other}\n{other}\n"),
            format!("{other}\n{other}\n{hit}"),
            format!("{hit}\r\n{hit}\r\n\n{other}\r\n{hit}"),
            format!("{other}\n").repeat(50) + hit + "\n" + &format!("{other}\n").repeat(50),
            // Longer than a count's stretch, hits throughout.
            format!("{other}\n{hit}\n").repeat(2_000),
        ];
        for text in table {
            let mut sink = Collect::default();
            let lines = scan(&format, text.as_bytes(), &mut sink);
            assert_eq!(lines, count_lines(text.as_bytes()), "{text:?}");
        }
    }

    #[test]
    fn a_fault_in_one_line_skips_that_line_only() {
        struct PanicsOnFirst {
            seen: usize,
            malformed: Vec<(usize, Malformed)>,
        }
        impl Sink for PanicsOnFirst {
            fn observation(&mut self, _: usize, _: Observation<'_>) {
                self.seen += 1;
                assert!(self.seen > 1, "a fault while reading the first line");
            }
            fn malformed(&mut self, offset: usize, why: Malformed) {
                self.malformed.push((offset, why));
            }
            fn invalid_utf8(&mut self, _: usize) {}
        }
        let first = "2026-11-29 03:52:55 UTC:10.0.0.1(5):[unknown]@[unknown]:[1]:LOG:  connection received: host=10.0.0.1 port=5\n";
        let second = "2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  connection authorized: user=u database=d\n";
        let format = LogFormat::PgStderr {
            prefix: Some(LinePrefix::compile("%t:%r:%u@%d:[%p]:").unwrap()),
        };
        let mut sink = PanicsOnFirst {
            seen: 0,
            malformed: Vec::new(),
        };
        scan(&format, format!("{first}{second}").as_bytes(), &mut sink);
        assert_eq!(sink.seen, 2);
        assert_eq!(sink.malformed, [(0, PARSER_FAULT)]);
    }

    /// Real lines of each engine as a CloudWatch Logs export to S3 writes
    /// them (`<event time> <line>`): detected behind the envelope, read as
    /// their format, the event's time used only where the line has none.
    #[test]
    fn enveloped_lines_read_as_their_format() {
        const EVENT: &str = "2026-11-29T05:18:27.345Z";
        const EVENT_MILLIS: i64 = 1_795_929_507_345;
        let table: [(&str, &str, Option<i64>); 5] = [
            (
                "2026-11-29 05:00:27 UTC:[local]:postgres@postgres:[12919]:LOG:  connection authorized: user=postgres database=postgres application_name=sample_setup",
                "PostgreSQL stderr (log_line_prefix '%t:%r:%u@%d:[%p]:'), behind CloudWatch/syslog envelopes",
                Some(1_795_928_427_000),
            ),
            // MariaDB prints no time within the same second: the event's.
            (
                "\t\t     5 Connect\tapp-user@127.0.0.42 on shop-db using SSL/TLS",
                "mariadb general log, behind CloudWatch/syslog envelopes",
                Some(EVENT_MILLIS),
            ),
            (
                "2026-11-29  5:18:28 11 [Warning] Aborted connection 11 to db: 'unconnected' user: 'unauthenticated' host: '127.0.0.35' (This connection closed normally without authentication)",
                "mariadb error log, behind CloudWatch/syslog envelopes",
                Some(1_795_929_508_000),
            ),
            (
                "20261129 05:18:27,vm,root,localhost,3,0,CONNECT,,,0",
                "mariadb audit log, behind CloudWatch/syslog envelopes",
                Some(1_795_929_507_000),
            ),
            // Typed from FORMATS.md: no Oracle server here.
            (
                "29-NOV-2026 05:18:27 * (CONNECT_DATA=(SERVICE_NAME=ORCL)(CID=(PROGRAM=x)(HOST=h)(USER=u))) * (ADDRESS=(PROTOCOL=tcp)(HOST=10.0.1.13)(PORT=5)) * establish * ORCL * 0",
                "Oracle listener log, behind CloudWatch/syslog envelopes",
                Some(1_795_929_507_000),
            ),
        ];
        // A MySQL 8 error log's own time is no envelope. (Typed from
        // FORMATS.md: no MySQL 8 server here.)
        let mysql8 = "2024-05-01T10:00:00.123456Z 42 [Note] [MY-010914] [Server] Aborted connection 42 to db: 'unconnected' user: 'unauthenticated' host: '10.0.1.5' (Got an error reading communication packets).\n";
        let detected = crate::detect(mysql8.as_bytes(), None, None).unwrap();
        assert_eq!(detected.format.to_string(), "mysql error log");
        for (line, format, time) in table {
            let head = match line {
                // A general log is told by its header or its timed records.
                l if l.starts_with("\t\t") => format!(
                    "{EVENT} /usr/sbin/mariadbd, Version: 10.11.19-MariaDB-0+deb12u1-log (Debian 12). started with:\n{EVENT} Time\t\t    Id Command\tArgument\n{EVENT} 261129  5:18:27\t     3 Connect\troot@localhost on  using Socket\n{EVENT} {l}\n"
                ),
                l => format!("{EVENT} {l}\n"),
            };
            let detected = crate::detect(head.as_bytes(), None, None).unwrap();
            assert_eq!(detected.format.to_string(), format, "{line}");
            let mut times = Vec::new();
            struct Times<'t>(&'t mut Vec<Option<i64>>);
            impl Sink for Times<'_> {
                fn observation(&mut self, _: usize, o: Observation<'_>) {
                    self.0.push(o.time);
                }
                fn malformed(&mut self, _: usize, why: Malformed) {
                    panic!("{why:?}");
                }
                fn invalid_utf8(&mut self, _: usize) {}
            }
            scan(&detected.format, head.as_bytes(), &mut Times(&mut times));
            assert_eq!(times.last(), Some(&time), "{line}");
        }
    }

    /// `download-db-log-file-portion` cuts a line at its page limit and
    /// marks it: a connection line so cut is skipped and counted, never
    /// read (its SSL clause is gone); other cut lines are nobody's concern.
    #[test]
    fn lines_cut_by_the_rds_download_are_skipped() {
        let format = LogFormat::PgStderr {
            prefix: Some(LinePrefix::compile("%t:%r:%u@%d:[%p]:").unwrap()),
        };
        let log = concat!(
            "2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  connection authorized: user=u database=d SSL enabled (protocol=TLSv1.3, ciph [Your log message was truncated]\n",
            "2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  statement: select 'connection' [Your log message was truncated]\n",
            "2026-11-29 03:52:56 UTC:10.0.0.1(6):u@d:[2]:LOG:  connection authorized: user=u database=d\n",
        );
        let mut sink = Collect::default();
        scan(&format, log.as_bytes(), &mut sink);
        assert_eq!(sink.seen.len(), 1, "{:?}", sink.seen);
        assert_eq!(sink.malformed, [0]);
    }
}
