//! Input formats, and detecting one from the first lines of a file.

use std::fmt;
use std::sync::LazyLock;

use crate::envelope::{self, Envelope};
use crate::pg::stderr::{KNOWN_PREFIXES, LinePrefix};
use crate::pg::{csvlog, jsonlog, message, stderr};
use crate::{mysql, oracle};

/// The database engine a log came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Engine {
    /// PostgreSQL (RDS and Aurora alike).
    Postgres,
    /// MySQL (RDS and Aurora alike).
    Mysql,
    /// MariaDB.
    Mariadb,
    /// Oracle Database.
    Oracle,
    /// Only from client settings so far: no SQL Server log is read.
    SqlServer,
}

impl Engine {
    /// The engine's name in reports and messages (`postgres`, `mysql`, …).
    pub fn name(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::Mysql => "mysql",
            Engine::Mariadb => "mariadb",
            Engine::Oracle => "oracle",
            Engine::SqlServer => "sqlserver",
        }
    }
}

/// A log format sslcensus can read.
#[derive(Debug, Clone)]
pub enum LogFormat {
    /// `stderr` output; `None` when the `log_line_prefix` could not be made
    /// out, in which case only the messages are read.
    PgStderr {
        /// The prefix compiled from `log_line_prefix`.
        prefix: Option<LinePrefix>,
    },
    /// PostgreSQL `csvlog` output.
    PgCsvlog,
    /// PostgreSQL `jsonlog` output (PG 15+).
    PgJsonlog,
    /// The general query log (MySQL, MariaDB, Aurora MySQL).
    MysqlGeneral {
        /// MySQL or MariaDB, as the log's lines tell (MySQL when they do not).
        engine: Engine,
    },
    /// The error log.
    MysqlError {
        /// MySQL or MariaDB, as the log's lines tell (MySQL when they do not).
        engine: Engine,
    },
    /// The MariaDB Audit Plugin / Aurora Advanced Auditing CSV.
    MysqlAudit {
        /// MySQL for Aurora's epoch timestamps, else MariaDB (whose plugin
        /// RDS MySQL also runs).
        engine: Engine,
    },
    /// Oracle `listener.log`, text or `log.xml`.
    OracleListener,
    /// Another format, each line behind an envelope (a CloudWatch Logs
    /// event time, a syslog header, a shipper's JSON: [`crate::envelope`]).
    Enveloped {
        /// The envelope around each line.
        envelope: &'static dyn Envelope,
        /// The format of the lines inside it.
        inner: Box<LogFormat>,
    },
}

impl LogFormat {
    /// The engine whose log this is.
    pub fn engine(&self) -> Engine {
        match self {
            LogFormat::PgStderr { .. } | LogFormat::PgCsvlog | LogFormat::PgJsonlog => {
                Engine::Postgres
            }
            LogFormat::MysqlGeneral { engine }
            | LogFormat::MysqlError { engine }
            | LogFormat::MysqlAudit { engine } => *engine,
            LogFormat::OracleListener => Engine::Oracle,
            LogFormat::Enveloped { inner, .. } => inner.engine(),
        }
    }

    /// Whether an observation of this format may carry the session's stored
    /// application name ([`crate::Observation::stored_application`]): every
    /// format but a stderr log whose prefix has no `%a`.
    pub fn gives_stored_names(&self) -> bool {
        match self {
            LogFormat::PgStderr { prefix } => prefix
                .as_ref()
                .is_some_and(LinePrefix::names_the_application),
            LogFormat::Enveloped { inner, .. } => inner.gives_stored_names(),
            _ => true,
        }
    }

    /// The `--format` choice that reads this format.
    pub fn choice(&self) -> FormatChoice {
        match self {
            LogFormat::PgStderr { .. } => FormatChoice::Stderr,
            LogFormat::PgCsvlog => FormatChoice::Csvlog,
            LogFormat::PgJsonlog => FormatChoice::Jsonlog,
            LogFormat::MysqlGeneral { .. } => FormatChoice::GeneralLog,
            LogFormat::MysqlError { .. } => FormatChoice::ErrorLog,
            LogFormat::MysqlAudit { .. } => FormatChoice::AuditLog,
            LogFormat::OracleListener => FormatChoice::ListenerLog,
            LogFormat::Enveloped { inner, .. } => inner.choice(),
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogFormat::PgStderr { prefix: Some(p) } => {
                write!(f, "PostgreSQL stderr (log_line_prefix '{}')", p.escapes())
            }
            LogFormat::PgStderr { prefix: None } => {
                f.write_str("PostgreSQL stderr (log_line_prefix not recognised)")
            }
            LogFormat::PgCsvlog => f.write_str("PostgreSQL csvlog"),
            LogFormat::PgJsonlog => f.write_str("PostgreSQL jsonlog"),
            LogFormat::MysqlGeneral { engine } => write!(f, "{} general log", engine.name()),
            LogFormat::MysqlError { engine } => write!(f, "{} error log", engine.name()),
            LogFormat::MysqlAudit { engine } => write!(f, "{} audit log", engine.name()),
            LogFormat::OracleListener => f.write_str("Oracle listener log"),
            LogFormat::Enveloped { envelope, inner } => {
                write!(f, "{inner}, behind {}", envelope.name())
            }
        }
    }
}

/// The format a user can force with `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatChoice {
    /// PostgreSQL `stderr` (`--format stderr`).
    Stderr,
    /// PostgreSQL csvlog.
    Csvlog,
    /// PostgreSQL jsonlog.
    Jsonlog,
    /// MySQL/MariaDB general log (the engine is still read from its header).
    GeneralLog,
    /// MySQL/MariaDB error log.
    ErrorLog,
    /// MySQL/MariaDB audit log (MariaDB Audit Plugin, Aurora Advanced
    /// Auditing).
    AuditLog,
    /// Oracle `listener.log`.
    ListenerLog,
    /// A session dump of this form (its id, `--format psql-aligned`): not a
    /// log at all, read by [`crate::dump`].
    Dump(&'static str),
}

/// Why a file's format could not be told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetectError {
    /// The file is empty or only whitespace.
    Empty,
    /// The file holds NUL bytes in most lines: not a text log.
    Binary,
    /// No format sslcensus knows reads its lines.
    Unknown,
    /// Found in a folder, it reads as prose that quotes a few log lines (a
    /// README, a ticket), not as a log.
    Prose,
}

impl fmt::Display for DetectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DetectError::Empty => "the file is empty",
            DetectError::Binary => "the file holds binary data (NUL bytes), not a text log",
            DetectError::Prose => {
                "its lines are mostly not log records (prose quoting a few log lines?); name the file itself to read it anyway"
            }
            DetectError::Unknown => {
                "not a log format sslcensus knows (PostgreSQL stderr, csvlog, jsonlog; MySQL/MariaDB general, error, audit log; Oracle listener log); use --format to force one"
            }
        })
    }
}

/// A detected format, with a caveat for the user where one applies.
#[derive(Debug, Clone)]
pub struct Detected {
    /// The format found (or forced).
    pub format: LogFormat,
    /// What the user should know about reading it (bare messages: time, pid
    /// and host unknown); `None` when nothing.
    pub caveat: Option<String>,
}

/// What the run's summary says of a file of bare PostgreSQL messages.
pub const BARE_MESSAGES: &str = "the lines are bare PostgreSQL messages, no log_line_prefix or severity (journalctl -o cat, a log viewer's copy): time, pid and client host unknown, so a session's lines cannot be joined and a plaintext session cannot be told from an sslmode=prefer fallback";

/// How many lines of the head detection looks at.
const SAMPLE_LINES: usize = 200;

static KNOWN: LazyLock<Vec<LinePrefix>> = LazyLock::new(|| {
    KNOWN_PREFIXES
        .iter()
        .map(|p| LinePrefix::compile(p).expect("built-in prefixes compile"))
        .collect()
});

fn sample_lines(head: &[u8]) -> Vec<String> {
    // The head may end mid-line: drop the partial last line unless it is all.
    let whole = match memchr::memrchr(b'\n', head) {
        Some(end) => &head[..end],
        None => head,
    };
    whole
        .split(|&b| b == b'\n')
        .map(|l| String::from_utf8_lossy(l.strip_suffix(b"\r").unwrap_or(l)).into_owned())
        .filter(|l| !l.trim().is_empty())
        .take(SAMPLE_LINES)
        .collect()
}

/// Binary: NUL bytes in most lines of the head. A text log with a few
/// (a crash's zeroed block, a NUL a client put in a name) is still a log,
/// read line by line.
fn looks_binary(head: &[u8]) -> bool {
    if memchr::memchr(0, head).is_none() {
        return false;
    }
    let (mut lines, mut clean) = (0, 0);
    for line in head.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        lines += 1;
        if memchr::memchr(0, line).is_none() {
            clean += 1;
        }
    }
    clean < 2 || clean * 2 < lines
}

/// Tells the format from the head of a file. `forced` skips detection of the
/// kind; `prefix` is the user's `--log-line-prefix`.
pub fn detect(
    head: &[u8],
    forced: Option<FormatChoice>,
    prefix: Option<&LinePrefix>,
) -> Result<Detected, DetectError> {
    if head.iter().all(u8::is_ascii_whitespace) {
        return Err(DetectError::Empty);
    }
    if looks_binary(&head[..head.len().min(8192)]) {
        return Err(DetectError::Binary);
    }
    let lines = sample_lines(head);
    // Behind an envelope when most lines have one and what is inside is a
    // format's own records (a MariaDB general-log header would make the
    // enveloped lines pass for a bare general log); a MySQL 8 error log's
    // own ISO time looks like an envelope, but what follows it is no record.
    for &envelope in envelope::ENVELOPES {
        if let Some(opened) = envelope::open_most(envelope, &lines)
            && recognised(&opened, forced, prefix)
        {
            let inner = detect_lines(&opened, forced, prefix)?;
            return Ok(Detected {
                format: LogFormat::Enveloped {
                    envelope,
                    inner: Box::new(inner.format),
                },
                caveat: inner.caveat,
            });
        }
    }
    detect_lines(&lines, forced, prefix)
}

/// Whether the lines are records of a format detection knows (of the one
/// forced, if any), by its own shape, not by the message-only fallback.
fn recognised(lines: &[String], forced: Option<FormatChoice>, prefix: Option<&LinePrefix>) -> bool {
    detect_lines(lines, None, prefix).is_ok_and(|d| {
        d.caveat.is_none()
            && !d.format_is_message_only()
            && forced.is_none_or(|f| d.format.choice() == f)
    })
}

fn detect_lines(
    lines: &[String],
    forced: Option<FormatChoice>,
    prefix: Option<&LinePrefix>,
) -> Result<Detected, DetectError> {
    let plain = |format| {
        Ok(Detected {
            format,
            caveat: None,
        })
    };
    // The MySQL family names its engine in its lines; default to MySQL.
    let mysql_engine = |found: Option<Engine>| found.unwrap_or(Engine::Mysql);
    match forced {
        Some(FormatChoice::Csvlog) => return plain(LogFormat::PgCsvlog),
        Some(FormatChoice::Jsonlog) => return plain(LogFormat::PgJsonlog),
        Some(FormatChoice::Stderr) => return Ok(detect_stderr(lines, prefix, true)),
        Some(FormatChoice::GeneralLog) => {
            let engine = mysql_engine(mysql::general::detect(lines));
            return plain(LogFormat::MysqlGeneral { engine });
        }
        Some(FormatChoice::ErrorLog) => {
            let engine = mysql_engine(mysql::error::detect(lines));
            return plain(LogFormat::MysqlError { engine });
        }
        Some(FormatChoice::AuditLog) => {
            let engine = mysql_engine(mysql::audit::detect(lines));
            return plain(LogFormat::MysqlAudit { engine });
        }
        Some(FormatChoice::ListenerLog) => return plain(LogFormat::OracleListener),
        Some(FormatChoice::Dump(_)) => return Err(DetectError::Unknown),
        None => {}
    }
    if lines.iter().take(5).any(|l| jsonlog::is_record(l)) {
        return plain(LogFormat::PgJsonlog);
    }
    if let Some(engine) = mysql::general::detect(lines) {
        return plain(LogFormat::MysqlGeneral { engine });
    }
    if let Some(engine) = mysql::error::detect(lines) {
        return plain(LogFormat::MysqlError { engine });
    }
    if let Some(engine) = mysql::audit::detect(lines) {
        return plain(LogFormat::MysqlAudit { engine });
    }
    if oracle::listener::detect(lines) {
        return plain(LogFormat::OracleListener);
    }
    let rows = lines
        .iter()
        .filter(|l| l.as_bytes()[0].is_ascii_digit())
        .take(20);
    let (mut csv, mut total) = (0, 0);
    for line in rows {
        total += 1;
        csv += usize::from(csvlog::is_row(line));
    }
    if csv > 0 && csv * 2 >= total {
        return plain(LogFormat::PgCsvlog);
    }
    let detected = detect_stderr(lines, prefix, false);
    if detected.format_is_message_only()
        && !lines
            .iter()
            .any(|l| stderr::split_without_prefix(l).is_some())
    {
        // Bare messages: connection messages at line starts, nothing before.
        if lines.iter().any(|l| stderr::is_bare_connection_message(l)) {
            return Ok(Detected {
                caveat: Some(BARE_MESSAGES.to_string()),
                ..detected
            });
        }
        return Err(DetectError::Unknown);
    }
    Ok(detected)
}

/// Like [`detect`], for a file found by walking a folder rather than named:
/// most of its first lines must be records of the format found, so that a
/// README or a ticket quoting a few connection lines is not read as a log.
pub fn detect_found(
    head: &[u8],
    forced: Option<FormatChoice>,
    prefix: Option<&LinePrefix>,
) -> Result<Detected, DetectError> {
    let detected = detect(head, forced, prefix)?;
    if forced.is_some() {
        return Ok(detected);
    }
    let mut lines = sample_lines(head);
    let mut format = &detected.format;
    if let LogFormat::Enveloped { envelope, inner } = format {
        lines = envelope::open_most(*envelope, &lines).unwrap_or(lines);
        format = inner;
    }
    let is_record = |line: &String| match format {
        LogFormat::PgStderr { prefix: Some(p) } => {
            line.starts_with('\t') || p.split(line).is_some()
        }
        // Bare messages (no severity either) count where they are
        // connection messages.
        LogFormat::PgStderr { prefix: None } => {
            line.starts_with('\t')
                || stderr::split_without_prefix(line).is_some()
                || message::parse(line).is_some()
        }
        LogFormat::PgJsonlog => line.starts_with('{'),
        // Their detectors already want the records' own shape.
        _ => true,
    };
    let records = lines.iter().filter(|l| is_record(l)).count();
    if records * 2 < lines.len() {
        return Err(DetectError::Prose);
    }
    Ok(detected)
}

/// The instance a file's envelope names ([`Envelope::instance`]): the one
/// the head's records that name one all agree on. `None` for a plain file,
/// an envelope that names none, or records naming several instances (a
/// project's whole export: its lines stay the file's instance, for one
/// file is one stream to correlation).
pub fn named_instance(format: &LogFormat, head: &[u8]) -> Option<String> {
    let LogFormat::Enveloped { envelope, .. } = format else {
        return None;
    };
    let mut named = sample_lines(head)
        .into_iter()
        .filter_map(|line| envelope.instance(&line));
    let first = named.next()?;
    named.all(|other| other == first).then_some(first)
}

impl Detected {
    fn format_is_message_only(&self) -> bool {
        matches!(self.format, LogFormat::PgStderr { prefix: None })
    }
}

fn detect_stderr(lines: &[String], given: Option<&LinePrefix>, forced: bool) -> Detected {
    let prefixed: Vec<&String> = lines.iter().filter(|l| !l.starts_with('\t')).collect();
    let matches = |p: &LinePrefix| prefixed.iter().filter(|l| p.split(l).is_some()).count();
    if let Some(given) = given {
        let caveat = (matches(given) == 0 && !prefixed.is_empty()).then(|| {
            format!(
                "none of the first {} lines match --log-line-prefix '{}'",
                prefixed.len(),
                given.escapes()
            )
        });
        return Detected {
            format: LogFormat::PgStderr {
                prefix: Some(given.clone()),
            },
            caveat,
        };
    }
    // Most matching lines wins; ties go to the earlier, more specific prefix.
    let best =
        KNOWN
            .iter()
            .map(|p| (matches(p), p))
            .fold(None::<(usize, &LinePrefix)>, |best, (n, p)| match best {
                Some((m, _)) if m >= n => best,
                _ => Some((n, p)),
            });
    match best {
        Some((n, prefix)) if n > 0 && n * 2 >= prefixed.len() => Detected {
            format: LogFormat::PgStderr {
                prefix: Some(prefix.clone()),
            },
            caveat: None,
        },
        _ => Detected {
            format: LogFormat::PgStderr { prefix: None },
            caveat: Some(
                if forced {
                    "log_line_prefix not recognised"
                } else {
                    "log_line_prefix not recognised (give it with --log-line-prefix)"
                }
                .to_string()
                    + ": reading the messages only; pid and client host unknown, time only where a line starts with one",
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_come_from_percent_a_and_the_structured_formats() {
        let stderr = |escapes: &str| LogFormat::PgStderr {
            prefix: Some(LinePrefix::compile(escapes).unwrap()),
        };
        assert!(!stderr("%t:%r:%u@%d:[%p]:").gives_stored_names());
        assert!(stderr("%m [%p] %q%u@%d %a ").gives_stored_names());
        assert!(!LogFormat::PgStderr { prefix: None }.gives_stored_names());
        assert!(LogFormat::PgCsvlog.gives_stored_names());
        assert!(LogFormat::PgJsonlog.gives_stored_names());
    }

    fn kind(head: &str) -> Result<String, DetectError> {
        detect(head.as_bytes(), None, None).map(|d| d.format.to_string())
    }

    /// `journalctl -o cat` or a log viewer's copy: messages with nothing
    /// before them, told by connection messages at line starts (the
    /// samples' real messages), read message-only and said so; prose that
    /// only mentions them is still no log.
    #[test]
    fn bare_messages_are_read_message_only() {
        let bare = concat!(
            "database system is ready to accept connections\n",
            "connection received: host=127.0.0.10 port=40000\n",
            "connection authorized: user=app-user database=appdb application_name=app_disable\n",
            "disconnection: session time: 0:00:00.004 user=app-user database=appdb host=127.0.0.10 port=40000\n",
        );
        let detected = detect(bare.as_bytes(), None, None).unwrap();
        assert!(matches!(
            detected.format,
            LogFormat::PgStderr { prefix: None }
        ));
        assert_eq!(detected.caveat.as_deref(), Some(BARE_MESSAGES));
        for prose in [
            "We saw a connection received: host=1.2.3.4 port=5 line.\n",
            "- connection authorized: user=a database=b\n",
        ] {
            assert_eq!(
                detect(prose.as_bytes(), None, None).map(|d| d.format.to_string()),
                Err(DetectError::Unknown),
                "{prose}"
            );
        }
    }

    #[test]
    fn formats_are_told_apart_by_their_first_lines() {
        let rds = "2026-11-29 03:52:55 UTC::@:[6504]:LOG:  checkpoint starting: time\n2026-11-29 03:52:55 UTC:127.0.0.1(53004):[unknown]@[unknown]:[6504]:LOG:  connection received: host=127.0.0.1 port=53004\n";
        assert_eq!(
            kind(rds).unwrap(),
            "PostgreSQL stderr (log_line_prefix '%t:%r:%u@%d:[%p]:')"
        );
        let debian = "2026-11-29 03:52:55.964 UTC [6504] LOG:  database system is ready to accept connections\n";
        assert_eq!(
            kind(debian).unwrap(),
            "PostgreSQL stderr (log_line_prefix '%m [%p] %q%u@%d ')"
        );
        let csv = "2026-11-29 03:52:55.964 UTC,,,6497,,6b0ba197.1961,1,,2026-11-29 03:52:55 UTC,,0,LOG,00000,\"starting PostgreSQL 15.18\",,,,,,,,,\"\",\"postmaster\",,0\n";
        assert_eq!(kind(csv).unwrap(), "PostgreSQL csvlog");
        let json =
            "{\"timestamp\":\"2026-11-29 03:52:56.043 UTC\",\"pid\":6510,\"message\":\"x\"}\n";
        assert_eq!(kind(json).unwrap(), "PostgreSQL jsonlog");
        let odd = "db-7 | LOG:  connection received: host=1.2.3.4 port=5\n";
        assert_eq!(
            kind(odd).unwrap(),
            "PostgreSQL stderr (log_line_prefix not recognised)"
        );
    }

    #[test]
    fn unusable_heads_are_refused() {
        assert_eq!(kind("").unwrap_err(), DetectError::Empty);
        assert_eq!(kind("\n \n").unwrap_err(), DetectError::Empty);
        assert_eq!(kind("abc\0def\n").unwrap_err(), DetectError::Binary);
        assert_eq!(
            kind("\0\0\0\0\nabc\0\ndef\0\n").unwrap_err(),
            DetectError::Binary
        );
        // A log with a NUL in one line (a crash's zeroes, a name) is a log.
        let damaged = "2026-11-29 05:00:28 UTC:10.0.0.1(5):u@d:[1]:LOG:  connection received: host=10.0.0.1 port=5\n\0\0\0\0\n2026-11-29 05:00:28 UTC:10.0.0.1(5):u@d:[1]:LOG:  connection authorized: user=u database=d application_name=a\0b\n2026-11-29 05:00:29 UTC:10.0.0.2(6):u@d:[2]:LOG:  connection received: host=10.0.0.2 port=6\n2026-11-29 05:00:29 UTC:10.0.0.2(6):u@d:[2]:LOG:  connection authorized: user=u database=d\n";
        assert!(kind(damaged).is_ok(), "{:?}", kind(damaged));
        assert_eq!(
            kind("hello world\nsecond line\n").unwrap_err(),
            DetectError::Unknown
        );
    }
}
