//! PostgreSQL `stderr` logs: a `log_line_prefix`, the severity, two spaces,
//! the message. The prefix is compiled into a matcher (`super::prefix`);
//! the message is handed to the grammars in [`super::message`]. A CloudWatch
//! or syslog envelope in front is [`crate::envelope`]'s.

use std::cell::Cell;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use super::message::{self, Malformed};
use super::prefix::{self, Matcher, Slot};
use crate::number::{decimal, digit_run};
use crate::observation::{Observation, Remote};
use crate::time::{Timestamp, parse_epoch, parse_timestamp};
use crate::word::same_bytes;

/// The severity and the two spaces before the message, for lines whose
/// prefix is unknown.
const SEVERITY: &str = r"(?P<severity>DEBUG[1-5]|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|STATEMENT|CONTEXT|QUERY|LOCATION):  ";

/// The `log_line_prefix` values tried, in order, when none is given: Amazon
/// RDS / Aurora, the Debian and PostgreSQL defaults, and prefixes that
/// pgBadger's documentation and common tutorials recommend.
pub const KNOWN_PREFIXES: [&str; 10] = [
    "%t:%r:%u@%d:[%p]:",
    "%m [%p] %q%u@%d ",
    "%t [%p-%l] %q%u@%d ",
    "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
    "%t [%p]: user=%u,db=%d,app=%a,client=%h ",
    "%t [%p]: [%l-1] db=%d,user=%u ",
    "%m [%p] %q[user=%u,db=%d,app=%a] ",
    "%m [%p] ",
    "%t [%p] ",
    "%m:%r:%u@%d:[%p]:",
];

/// A compiled `log_line_prefix`.
#[derive(Clone)]
pub struct LinePrefix {
    escapes: String,
    matcher: Matcher,
}

impl fmt::Debug for LinePrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LinePrefix({:?})", self.escapes)
    }
}

/// A `log_line_prefix` that cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrefixError {
    /// The escapes end in a `%` with nothing after it.
    LonePercent {
        /// The escapes as given.
        prefix: String,
    },
    /// A `%` escape PostgreSQL does not have.
    UnknownEscape {
        /// The escapes as given.
        prefix: String,
        /// The character after the `%`.
        escape: char,
    },
}

impl fmt::Display for PrefixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrefixError::LonePercent { prefix } => {
                write!(f, "log_line_prefix {prefix:?} ends in a lone %")
            }
            PrefixError::UnknownEscape { prefix, escape } => {
                write!(f, "log_line_prefix {prefix:?}: unknown escape %{escape}")
            }
        }
    }
}

impl std::error::Error for PrefixError {}

/// What a line's prefix said, and its message.
#[derive(Debug, Clone, PartialEq)]
pub struct PrefixedLine<'a> {
    /// `%t`, `%m` or `%n`, if the prefix has one.
    pub time: Option<Timestamp>,
    /// `%p`, the backend process id.
    pub pid: Option<u32>,
    /// `%r` or `%h`, the client address.
    pub remote: Option<Remote<'a>>,
    /// `%a`, the stored application_name; `None` when empty or `[unknown]`.
    pub application: Option<&'a str>,
    /// The severity word (`LOG`, `FATAL`).
    pub severity: &'a str,
    /// The message after the severity.
    pub message: &'a str,
}

impl LinePrefix {
    /// Compiles `log_line_prefix` escapes (`%t %m %n %r %h %p %u %d %a %c %l
    /// %e %q %x %v %b %i %s %L %P %Q %%`) into a parser of whole lines.
    pub fn compile(escapes: &str) -> Result<LinePrefix, PrefixError> {
        Ok(LinePrefix {
            escapes: escapes.to_string(),
            matcher: Matcher::compile(escapes)?,
        })
    }

    /// The escapes this prefix was compiled from.
    pub fn escapes(&self) -> &str {
        &self.escapes
    }

    /// Whether its lines carry the session's stored application name
    /// (`%a`).
    pub fn names_the_application(&self) -> bool {
        self.matcher.names_the_application()
    }

    /// Splits a line into prefix fields and message; `None` if the line does
    /// not carry this prefix.
    pub fn split<'a>(&self, line: &'a str) -> Option<PrefixedLine<'a>> {
        let matched = self.matcher.match_at(line, 0)?;
        let text = |slot| matched.captures.get(line, slot);
        let time = text(Slot::Time)
            .and_then(timestamp_of_line)
            .or_else(|| text(Slot::Epoch).and_then(parse_epoch));
        let remote = match (text(Slot::RemoteHost), text(Slot::Host)) {
            (Some(host), _) if !host.is_empty() => Some(Remote {
                host,
                port: text(Slot::RemotePort).and_then(decimal),
            }),
            (_, Some(host)) if !host.is_empty() => Some(Remote { host, port: None }),
            _ => None,
        };
        let (severity_start, severity_end) = matched.severity;
        Some(PrefixedLine {
            time,
            pid: text(Slot::Pid).and_then(decimal),
            remote,
            application: text(Slot::Application).filter(|a| !a.is_empty() && *a != "[unknown]"),
            severity: line.get(severity_start..severity_end)?,
            message: line.get(matched.message..)?,
        })
    }

    /// [`LinePrefix::split`] for the lines of a chunk read in order: RDS's
    /// prefix is read by its written-out path, the timestamp text compared
    /// with the line before's rather than read again. Same result as
    /// `split` (tested against it).
    pub(crate) fn split_in_order<'a>(
        &self,
        line: &'a str,
        memory: &mut LineMemory,
    ) -> Option<PrefixedLine<'a>> {
        if !self.matcher.is_rds() {
            return self.split(line);
        }
        self.split_rds(line, memory).or_else(|| self.split(line))
    }

    /// RDS's prefix on its first path; `None` where that path fails (the
    /// general matcher then decides).
    #[inline(always)]
    fn split_rds<'a>(&self, line: &'a str, memory: &mut LineMemory) -> Option<PrefixedLine<'a>> {
        let bytes = line.as_bytes();
        let (time_end, time) = match memory.repeated_time(bytes) {
            Some(repeated) => repeated,
            None => {
                let end = prefix::rds_time_end(bytes)?;
                let time = line.get(..end).and_then(parse_timestamp);
                memory.keep_time(&bytes[..end], time);
                (end, time)
            }
        };
        let fields = prefix::rds_after_time(bytes, time_end)?;
        let text = |(start, end): (usize, usize)| line.get(start..end);
        let remote = match fields.host.and_then(text) {
            Some(host) if !host.is_empty() => Some(Remote {
                host,
                port: fields.port.and_then(text).and_then(digit_run),
            }),
            _ => None,
        };
        Some(PrefixedLine {
            time,
            pid: text(fields.pid).and_then(digit_run),
            remote,
            application: None,
            severity: text(fields.severity)?,
            message: line.get(fields.message..)?,
        })
    }
}

/// What reading a chunk's lines in order remembers: the timestamp text of
/// the last RDS prefix read and its reading, since lines come in time order,
/// many to a second (`%t`) or to a millisecond under load (`%m`).
#[derive(Debug, Default)]
pub(crate) struct LineMemory {
    time_text: [u8; TIME_KEPT],
    /// 0: nothing kept.
    time_len: usize,
    time: Option<Timestamp>,
}

/// Longer timestamp texts (a zone name spelt out) are not kept.
const TIME_KEPT: usize = 32;

impl LineMemory {
    /// Where the timestamp of an RDS line ends and what it reads, if the
    /// line starts with the text kept and a `:` after it: the matcher's
    /// first path would end the timestamp there too (its runs stop at the
    /// `:`; texts with a numeric zone, whose run goes on through a `:`,
    /// are never kept).
    #[inline(always)]
    fn repeated_time(&self, bytes: &[u8]) -> Option<(usize, Option<Timestamp>)> {
        let len = self.time_len;
        (len > 0
            && bytes.get(len) == Some(&b':')
            && same_bytes(&bytes[..len], &self.time_text[..len]))
        .then_some((len, self.time))
    }

    fn keep_time(&mut self, text: &[u8], time: Option<Timestamp>) {
        let numeric_zone = text
            .get(prefix::DATE_TIME_LEN..)
            .is_some_and(|zone| zone.iter().any(|&b| b == b'+' || b == b'-'));
        if text.len() > TIME_KEPT || numeric_zone {
            self.time_len = 0;
            return;
        }
        self.time_text[..text.len()].copy_from_slice(text);
        self.time_len = text.len();
        self.time = time;
    }
}

/// [`parse_timestamp`], remembering the last text read on this thread:
/// lines come in time order, many to a second (`%t`) or to a millisecond
/// under load (`%m`), so most lines repeat the text before them.
fn timestamp_of_line(text: &str) -> Option<Timestamp> {
    /// Longer texts (a zone name spelt out) are parsed every time.
    const KEPT: usize = 32;
    thread_local! {
        static LAST: Cell<(usize, [u8; KEPT], Option<Timestamp>)> =
            const { Cell::new((usize::MAX, [0; KEPT], None)) };
    }
    let bytes = text.as_bytes();
    if bytes.len() > KEPT {
        return parse_timestamp(text);
    }
    LAST.with(|last| {
        let (len, kept, parsed) = last.get();
        if len == bytes.len() && kept[..len] == *bytes {
            return parsed;
        }
        let parsed = parse_timestamp(text);
        let mut kept = [0; KEPT];
        kept[..bytes.len()].copy_from_slice(bytes);
        last.set((bytes.len(), kept, parsed));
        parsed
    })
}

/// Where a prefix cannot be made out, the message itself still carries user,
/// database, application and TLS: find the severity marker anywhere in the
/// line, and take a time only if the line starts with one.
pub fn split_without_prefix(line: &str) -> Option<PrefixedLine<'_>> {
    static FALLBACK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(
            r"^(?:(?P<time>\d{{4}}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z| [A-Za-z]+| ?[+-]\d\d(?::?\d\d)?)?))?.*?\b{SEVERITY}"
        ))
        .expect("fallback pattern compiles")
    });
    let caps = FALLBACK.captures(line)?;
    Some(PrefixedLine {
        time: caps.name("time").and_then(|m| parse_timestamp(m.as_str())),
        pid: None,
        remote: None,
        application: None,
        severity: caps.name("severity")?.as_str(),
        message: line.get(caps.get(0)?.end()..)?,
    })
}

/// A line that is the message alone, no prefix and no severity before it
/// (`journalctl -o cat`, a log viewer's copy): read as it is.
fn bare(line: &str) -> PrefixedLine<'_> {
    PrefixedLine {
        time: None,
        pid: None,
        remote: None,
        application: None,
        severity: "",
        message: line,
    }
}

/// Whether a line starts with a connection message, nothing before it: what
/// tells a file of bare messages (most of its lines say other things).
pub fn is_bare_connection_message(line: &str) -> bool {
    [
        "connection received: ",
        "connection authorized: ",
        "replication connection authorized: ",
    ]
    .iter()
    .any(|message| line.starts_with(message))
}

/// Reads one stderr line. `None`: not a connection line.
pub(crate) fn observe<'a>(
    prefix: Option<&LinePrefix>,
    line: &'a str,
    memory: &mut LineMemory,
) -> Option<Result<Observation<'a>, Malformed>> {
    // Tab-indented lines continue the previous message (DETAIL, multi-line SQL).
    if line.starts_with('\t') {
        return None;
    }
    let split = match prefix {
        Some(prefix) => prefix.split_in_order(line, memory),
        None => Some(split_without_prefix(line).unwrap_or_else(|| bare(line))),
    };
    let Some(split) = split else {
        // Say so only when the line holds a message we would have read.
        let ours = split_without_prefix(line)
            .and_then(|s| message::parse(s.message))
            .is_some();
        return ours.then_some(Err(Malformed("line does not match the log_line_prefix")));
    };
    let parsed = message::parse(split.message)?;
    Some(parsed.map(|message| Observation {
        time: split.time.map(|t| t.millis),
        pid: split.pid,
        remote: split.remote,
        stored_application: split.application,
        message,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observation::{FailureKind, Message};

    /// [`super::observe`] of one line, nothing remembered.
    fn observe<'a>(
        prefix: Option<&LinePrefix>,
        line: &'a str,
    ) -> Option<Result<Observation<'a>, Malformed>> {
        super::observe(prefix, line, &mut LineMemory::default())
    }

    /// Read in order, with the timestamp of the line before remembered,
    /// each line splits as it does alone: same text (a zone, a fraction, a
    /// numeric zone whose run would go on through the `:`), a text that
    /// extends the one kept, damaged lines.
    #[test]
    fn lines_read_in_order_split_as_alone() {
        let lines = [
            "2026-11-01 00:00:00 UTC:10.0.0.1(5):u@d:[1]:LOG:  connection received: host=10.0.0.1 port=5",
            "2026-11-01 00:00:00 UTC:10.0.0.1(5):u@d:[1]:LOG:  connection authorized: user=u database=d",
            "2026-11-01 00:00:00 UTCX:10.0.0.1(5):u@d:[1]:LOG:  disconnection: session time: 0:00:00.001 user=u database=d host=10.0.0.1 port=5",
            "2026-11-01 00:00:00 UTC:[local]:u@d:[2]:LOG:  connection received: host=[local]",
            "2026-11-01 00:00:00 UTC::1:u@d:[3]:FATAL:  x",
            "2026-11-01 00:00:00 UTC:::@:[3]:LOG:  checkpoint",
            "2026-11-01 00:00:00 UTC:h(1):u@d:[99999999999999999999]:LOG:  x",
            "2026-11-01 00:00:00 UTC:h(1):u@d:[4294967295]:LOG:  x",
            "2026-11-01 00:00:00 UTC:h(1):u@d:[4294967296]:LOG:  x",
            "2026-11-01 00:00:00 UTC:h(1):u@d:[00000000000000000000042]:LOG:  x",
            "2026-11-01 00:00:00 UTC:h(1):u@d:[0042]:LOG:  x",
            "2026-11-01 00:00:00 UTC:h(99999):u@d:[7]:LOG:  x",
            "2026-11-01 00:00:00 UTC:h(1):u@d:[7]:NOTALEVEL:  x",
            "2026-11-01 00:00:00 UTC:h(1):u:d:[7]:LOG:  x",
            "2026-11-01 00:00:00 UTC:h(1):u@d:x:[7]:LOG:  x",
            "2026-11-01 00:00:00 UTC",
            "2026-11-01 00:00:00 UTC:",
            "2026-11-01 00:00:00:h(1):u@d:[7]:LOG:  x",
            "2026-11-01 00:00:00:h(1):u@d:[7]:LOG:  x",
            "2026-11-01 00:00:00.123:h(1):u@d:[7]:LOG:  x",
            "2026-11-01 00:00:00.123:h(1):u@d:[7]:LOG:  x",
            "2026-11-01 00:00:00.1234:h(1):u@d:[7]:LOG:  x",
            "2026-11-01 00:00:00 +01:h(1):u@d:[7]:LOG:  x",
            "2026-11-01 00:00:00 +01:h(1):u@d:[7]:LOG:  x",
            "2026-11-01 00:00:00 +01:00:h(1):u@d:[7]:LOG:  x",
            "2026-11-01 00:00:00 -01:h(1):u@d:[7]:LOG:  x",
            "2026-11-01 00:00:00 Europe/Amsterdam:h(1):u@d:[7]:LOG:  x",
            "2026-11-01 00:00:00 Europe/Amsterdam:h(1):u@d:[7]:LOG:  x",
            "2026-11-01 00:00:00 ABCDEFGHIJKLMNOPQRSTUVWXYZ:h(1):u@d:[7]:LOG:  x",
            "2026-11-01 00:00:00 ABCDEFGHIJKLMNOPQRSTUVWXYZ:h(1):u@d:[7]:LOG:  x",
            "2026-11-01 00:00:01 UTC:h(1):ü@d:[7]:LOG:  x",
            "2026-11-01 00:00:01 UTC:h(1):ü@d:[7]:LOG:  x",
            "2026-11-01 00:00:01 UTC:h\u{fffd}(1):u@d:[7]:LOG:  x",
            "2026-11-01 00:00:01 UT",
            "2026-11-01 00:00:01 UTC\u{fffd}:h(1):u@d:[7]:LOG:  x",
            "2026-13-01 00:00:01 UTC:h(1):u@d:[7]:LOG:  x",
            "2026-13-01 00:00:01 UTC:h(1):u@d:[7]:LOG:  x",
            "",
            "2026-11-01 00:00:01 UTC:h(1):u@d:[7]:LOG:  x",
        ];
        for escapes in ["%t:%r:%u@%d:[%p]:", "%m:%r:%u@%d:[%p]:", "%m [%p] "] {
            let p = LinePrefix::compile(escapes).unwrap();
            let mut memory = LineMemory::default();
            for line in lines {
                assert_eq!(
                    p.split_in_order(line, &mut memory),
                    p.split(line),
                    "{escapes} {line}"
                );
            }
        }
    }

    #[test]
    fn the_remembered_timestamp_is_the_parsed_one() {
        let texts = [
            "2026-11-01 00:00:00 UTC",
            "2026-11-01 00:00:00 UTC",
            "2026-11-01 00:00:01 UTC",
            "2026-11-01 00:00:01.123 UTC",
            "2026-11-01 00:00:01 CET",
            "2026-11-01 00:00:01",
            "2026-11-01 00:00:01 UTC",
            "2026-11-01 00:00:01.123456789 Europe/Amsterdam",
            "2026-11-01 00:00:01.123456789 Europe/Amsterdam",
            "not a time",
            "not a time",
            "2026-11-01 00:00:00 UTC",
            "",
        ];
        for text in texts {
            assert_eq!(timestamp_of_line(text), parse_timestamp(text), "{text:?}");
        }
    }

    fn rds() -> LinePrefix {
        LinePrefix::compile(KNOWN_PREFIXES[0]).unwrap()
    }

    #[test]
    fn rds_prefix_fields() {
        let p = rds();
        let line = "2026-11-29 03:52:55 UTC:127.0.0.1(53004):postgres@postgres:[6504]:LOG:  connection authorized: user=postgres database=postgres application_name=app_require SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)";
        let s = p.split(line).unwrap();
        assert_eq!(s.time.unwrap().millis, 1_795_924_375_000);
        assert_eq!(s.pid, Some(6504));
        assert_eq!(
            s.remote,
            Some(Remote {
                host: "127.0.0.1",
                port: Some(53004)
            })
        );
        assert_eq!(s.severity, "LOG");
        assert!(
            s.message
                .starts_with("connection authorized: user=postgres")
        );
    }

    #[test]
    fn rds_prefix_ipv6_socket_background_and_at_in_user() {
        let p = rds();
        let table = [
            (
                "2026-11-02 09:14:07 UTC:::1(40522):ops@cron@Sales DW:[8812]:LOG:  connection authorized: user=ops@cron database=Sales DW application_name=Npgsql",
                Some(("::1", Some(40522))),
                8812,
            ),
            (
                "2026-11-02 09:14:07 UTC:[local]:postgres@postgres:[77]:LOG:  connection authorized: user=postgres database=postgres",
                Some(("[local]", None)),
                77,
            ),
            (
                "2026-11-02 09:14:07 UTC::@:[6504]:LOG:  checkpoint starting: time",
                None,
                6504,
            ),
            (
                "2026-11-02 09:14:07 UTC:10.0.3.7(53022):[unknown]@[unknown]:[6510]:LOG:  could not accept SSL connection: tlsv1 alert unknown ca",
                Some(("10.0.3.7", Some(53022))),
                6510,
            ),
        ];
        for (line, remote, pid) in table {
            let s = p.split(line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!(s.remote.map(|r| (r.host, r.port)), remote, "{line}");
            assert_eq!(s.pid, Some(pid), "{line}");
        }
    }

    #[test]
    fn other_prefixes() {
        let table = [
            (
                "%m [%p] ",
                "2026-11-29 03:52:55.964 UTC [6504] LOG:  connection received: host=::1 port=1",
                Some(6504),
                None,
            ),
            (
                "%m [%p] %q%u@%d ",
                "2026-11-29 03:52:55.964 UTC [6504] app@orders LOG:  disconnection: session time: 0:00:01.000 user=app database=orders host=::1 port=1",
                Some(6504),
                None,
            ),
            (
                "%m [%p] %q%u@%d ",
                "2026-11-29 03:52:55.964 UTC [6504] LOG:  checkpoint starting: time",
                Some(6504),
                None,
            ),
            (
                "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
                "2026-11-29 03:52:55 UTC [6504]: [3-1] user=app,db=orders,app=billing api,client=10.1.1.1 LOG:  disconnection: session time: 0:00:01.000 user=app database=orders host=10.1.1.1 port=1",
                Some(6504),
                Some("billing api"),
            ),
            (
                "%n|%p|%h|",
                "1795924375.123|42|10.1.1.1|FATAL:  password authentication failed for user \"x\"",
                Some(42),
                None,
            ),
            (
                "%m %c %v %e %x %%%p%% ",
                "2026-11-29 03:52:55.964 UTC 6b0ba197.1968 3/1 08P01 0 %17% LOG:  connection received: host=::1 port=1",
                Some(17),
                None,
            ),
            (
                // The application name holds the literal that follows it.
                "%t [%p] %q[%a] ",
                "2026-11-29 03:52:55 UTC [5] [app: [x] y] LOG:  disconnection: session time: 0:00:01.000 user=u database=d host=h",
                Some(5),
                Some("app: [x] y"),
            ),
            (
                "%t [%p] %q[%a] ",
                "2026-11-29 03:52:55 UTC [5] LOG:  checkpoint starting: time",
                Some(5),
                None,
            ),
        ];
        for (escapes, line, pid, app) in table {
            let p = LinePrefix::compile(escapes).unwrap();
            let s = p
                .split(line)
                .unwrap_or_else(|| panic!("{escapes} / {line}"));
            assert_eq!(s.pid, pid, "{line}");
            assert_eq!(s.application, app, "{line}");
            assert!(s.time.is_some(), "{line}");
        }
    }

    #[test]
    fn bad_prefixes_are_rejected() {
        assert!(LinePrefix::compile("%t %Z").is_err());
        assert!(LinePrefix::compile("%t %").is_err());
    }

    #[test]
    fn continuation_and_statement_lines_are_not_connections() {
        let p = rds();
        assert_eq!(
            observe(Some(&p), "\tconnection authorized: user=x database=y"),
            None
        );
        assert_eq!(
            observe(
                Some(&p),
                "2026-11-29 03:52:55 UTC:1.2.3.4(5):u@d:[1]:LOG:  statement: SELECT 'connection authorized: user=x database=y'"
            ),
            None
        );
    }

    #[test]
    fn unknown_prefix_still_yields_the_message() {
        let line = "2026-11-29 03:52:55.964 UTC db-7 [x] LOG:  could not accept SSL connection: sslv3 alert bad certificate";
        let obs = observe(None, line).unwrap().unwrap();
        assert_eq!(obs.time, Some(1_795_924_375_964));
        assert_eq!((obs.pid, obs.remote), (None, None));
        assert!(matches!(
            obs.message,
            Message::HandshakeFailed {
                kind: FailureKind::CertificateRejected,
                ..
            }
        ));
    }

    /// Real lines of PostgreSQL 13–18 servers (samples/postgresql/pg*/, RDS
    /// prefix), one of each kind that changed between majors.
    #[test]
    fn connection_lines_of_each_major() {
        use crate::observation::{HbaRejected, HbaTransport, PG18_SAMPLE_READY, Tls, Transport};
        let tls12 = |compression| {
            Transport::Tls(Some(Tls {
                protocol: "TLSv1.2",
                cipher: "ECDHE-RSA-AES256-GCM-SHA384",
                bits: 256,
                compression,
            }))
        };
        let authorized = |line| match observe(Some(&rds()), line) {
            Some(Ok(Observation {
                message: Message::Authorized(a),
                ..
            })) => (a.application, a.transport),
            other => panic!("{line}: {other:?}"),
        };
        // 13: the SSL clause ends with `compression=`.
        assert_eq!(
            authorized(
                "2026-12-03 07:23:10 UTC:127.0.0.16(55361):app-user@appdb:[8509]:LOG:  connection authorized: user=app-user database=appdb application_name=app_tls12 SSL enabled (protocol=TLSv1.2, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256, compression=off)"
            ),
            (Some("app_tls12"), tls12(Some(false)))
        );
        // 14–18: without it.
        for line in [
            "2026-12-03 07:23:21 UTC:127.0.0.16(40663):app-user@appdb:[9071]:LOG:  connection authorized: user=app-user database=appdb application_name=app_tls12 SSL enabled (protocol=TLSv1.2, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256)",
            "2026-12-03 07:24:07 UTC:127.0.0.16(42087):app-user@appdb:[11615]:LOG:  connection authorized: user=app-user database=appdb application_name=app_tls12 SSL enabled (protocol=TLSv1.2, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256)",
        ] {
            assert_eq!(authorized(line), (Some("app_tls12"), tls12(None)));
        }
        let table = [
            // 13: `SSL off`, 14+: `no encryption`.
            (
                "2026-12-03 07:23:11 UTC:127.0.0.24(49349):app-user@secure_only:[8566]:FATAL:  no pg_hba.conf entry for host \"127.0.0.24\", user \"app-user\", database \"secure_only\", SSL off",
                8566,
                Message::HbaRejected(HbaRejected {
                    host: "127.0.0.24",
                    user: "app-user",
                    database: Some("secure_only"),
                    transport: HbaTransport::Plain,
                }),
            ),
            (
                "2026-12-03 07:24:08 UTC:127.0.0.24(41877):app-user@secure_only:[11739]:FATAL:  no pg_hba.conf entry for host \"127.0.0.24\", user \"app-user\", database \"secure_only\", no encryption",
                11739,
                Message::HbaRejected(HbaRejected {
                    host: "127.0.0.24",
                    user: "app-user",
                    database: Some("secure_only"),
                    transport: HbaTransport::Plain,
                }),
            ),
            // 14+: the identity a password login authenticated as.
            (
                "2026-12-03 07:23:20 UTC:127.0.0.11(60801):app-user@appdb:[9026]:LOG:  connection authenticated: identity=\"app-user\" method=scram-sha-256 (/tmp/pgsamples.HFTi5l/pg/data/pg_hba.conf:5)",
                9026,
                Message::Authenticated {
                    identity: Some("app-user"),
                    method: "scram-sha-256",
                },
            ),
            // 17+: a trust login names its user instead.
            (
                "2026-12-03 07:23:48 UTC:[local]:postgres@postgres:[10195]:LOG:  connection authenticated: user=\"postgres\" method=trust (/tmp/pgsamples.tIlWb7/pg/data/pg_hba.conf:2)",
                10195,
                Message::Authenticated {
                    identity: None,
                    method: "trust",
                },
            ),
            // 18 with log_connections = '…,setup_durations'.
            (
                "2026-12-03 07:24:04 UTC:[local]:postgres@postgres:[11458]:LOG:  connection ready: setup total=14.316 ms, fork=0.655 ms, authentication=0.532 ms",
                11458,
                Message::Ready(PG18_SAMPLE_READY),
            ),
        ];
        for (line, pid, message) in table {
            let obs = observe(Some(&rds()), line).unwrap().unwrap();
            assert_eq!((obs.pid, obs.message), (Some(pid), message), "{line}");
        }
        // The DETAIL of a failed login (16+ names the file) is not ours.
        for line in [
            "2026-12-03 07:23:11 UTC:127.0.0.25(53329):app-user@appdb:[8574]:DETAIL:  Connection matched pg_hba.conf line 5: \"host    appdb,\"Sales DW\",postgres      all       127.0.0.0/8   scram-sha-256\"",
            "2026-12-03 07:24:08 UTC:127.0.0.25(42069):app-user@appdb:[11746]:DETAIL:  Connection matched file \"/tmp/pgsamples.ggCTNT/pg/data/pg_hba.conf\" line 5: \"host    appdb,\"Sales DW\",postgres      all       127.0.0.0/8   scram-sha-256\"",
        ] {
            assert_eq!(observe(Some(&rds()), line), None, "{line}");
        }
    }

    #[test]
    fn a_connection_line_with_a_foreign_prefix_is_reported() {
        let line = "03:52:55 [1] LOG:  connection received: host=1.2.3.4 port=5";
        assert!(matches!(observe(Some(&rds()), line), Some(Err(_))));
    }

    /// Read message-only, a line may be the bare message (`journalctl -o
    /// cat`): read as it is, with no time, pid or host; other lines are
    /// still no connection lines.
    #[test]
    fn bare_messages_are_read_without_a_prefix() {
        let table = [
            ("connection received: host=127.0.0.10 port=40000", true),
            ("password authentication failed for user \"app-user\"", true),
            ("checkpoint starting: time", false),
            ("db-7 | connection received: host=1.2.3.4 port=5", false),
        ];
        for (line, read) in table {
            match observe(None, line) {
                Some(Ok(obs)) => {
                    assert!(read, "{line}");
                    assert_eq!(
                        (obs.time, obs.pid, obs.remote),
                        (None, None, None),
                        "{line}"
                    );
                }
                None => assert!(!read, "{line}"),
                Some(Err(why)) => panic!("{line}: {why:?}"),
            }
        }
    }
}
