//! Envelopes: what other tools put around the server's own line. One design
//! for every format and every envelope: detection finds, per file, the
//! envelope and the format behind it ([`crate::LogFormat::Enveloped`]); each
//! line is opened and read as its format, and the envelope's time is the
//! line's only when the line carries none of its own (a MariaDB general-log
//! record within the same second, a PostgreSQL prefix without `%t`). A line
//! without an envelope in such a log (the second line of a multi-line event)
//! is read as it is.
//!
//! An envelope is a small [`Envelope`] in a file of its own with its table of
//! real-shaped records, and an entry in [`ENVELOPES`]:
//! - `text`: a CloudWatch Logs export time, a syslog header;
//! - JSON lines with the server's line in a known field: `docker`
//!   (Kubernetes/Docker json-file), `journald` (`journalctl -o json`),
//!   `cloud_logging` (Google Cloud Logging `LogEntry`), `azure` (Azure
//!   Monitor diagnostic records), `cloudnative_pg` (CloudNativePG's
//!   csvlog rows by column name, put back into rows), `shipper` (Fluent
//!   Bit, Vector, Logstash);
//! - `cri`: containerd's and CRI-O's `<time> <stream> P|F <line>`, a long
//!   line's `P` parts joined to its `F` line;
//! - a copy whose tabs became runs of spaces: `spaced` (a MySQL/MariaDB
//!   general log pasted into a ticket).
//!
//! The server's line inside JSON is escaped (`\"`, `\t`): the scan looks for
//! the format's needles in their escaped forms ([`json_needles`]) and opens
//! only the records they hit, borrowing the text unless it had escapes.

mod azure;
mod cloud_logging;
mod cloudnative_pg;
mod cri;
mod docker;
mod journald;
mod shipper;
mod spaced;
mod text;

use std::borrow::Cow;
use std::fmt;

pub use cloud_logging::instance_of_database_id;

use crate::observation::Millis;

/// What other tools put around the server's line.
pub trait Envelope: Sync + fmt::Debug {
    /// How the format's description names it (`…, behind <name>`).
    fn name(&self) -> &'static str;
    /// How the format's needles appear in the enveloped bytes.
    fn needles(&self) -> Needles;
    /// Whether the lines before an opened line are the log's own records
    /// (re-spaced, not wrapped), which MariaDB's look-back for the time of
    /// a record within the same second may read.
    fn keeps_lines_before(&self) -> bool {
        false
    }
    /// The line inside; `None` when this line has no such envelope.
    fn open<'a>(&self, line: &'a str) -> Option<Opened<'a>>;
    /// [`Envelope::open`] for the scan, which also has the chunk's bytes
    /// before the line: where a record's first parts are (CRI `P` lines).
    fn open_after<'a>(&self, line: &'a str, _before: &[u8]) -> Option<Opened<'a>> {
        self.open(line)
    }
    /// Whether this line is a part of a record whose last part is on a
    /// following line (CRI `P`): the scan reads the record there.
    fn is_partial(&self, _line: &[u8]) -> bool {
        false
    }
    /// The instance this record names (a Cloud SQL `database_id`, an Azure
    /// `resourceId`, a Kubernetes pod), if its envelope names one. Asked of
    /// the head's records once per file ([`crate::format::named_instance`]),
    /// never per line.
    fn instance(&self, _line: &str) -> Option<String> {
        None
    }
}

/// A Kubernetes pod as Fluent Bit's `kubernetes` filter and Vector's
/// `kubernetes_logs` source attach it to a record: a database pod runs one
/// server (a StatefulSet's `pg-0`, CloudNativePG's `cluster-example-1`).
#[derive(serde::Deserialize)]
struct Kubernetes<'a> {
    #[serde(borrow)]
    pod_name: Option<Cow<'a, str>>,
}

impl Kubernetes<'_> {
    fn pod(this: Option<Self>) -> Option<String> {
        this?
            .pod_name
            .filter(|p| !p.is_empty())
            .map(Cow::into_owned)
    }
}

/// How a format's needles appear behind an envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needles {
    /// As the server wrote them: the envelope keeps the line as it is.
    AsWritten = 0,
    /// Inside a JSON string: [`json_needles`].
    JsonEscaped = 1,
    /// Tabs turned into runs of spaces: [`spaced_needles`].
    TabsAsSpaces = 2,
    /// As written, and every CRI `P` line: a needle may be cut in two
    /// where the runtime cut the line (rare: only lines over its buffer).
    WithCriParts = 3,
}

impl Needles {
    /// How many variants there are: the size of the per-form tables of
    /// searchers.
    pub const FORMS: usize = 4;

    /// The needles to search for in such bytes.
    pub fn of(self, needles: &[&str]) -> Vec<String> {
        match self {
            Needles::AsWritten => needles.iter().map(|n| n.to_string()).collect(),
            Needles::JsonEscaped => json_needles(needles),
            Needles::TabsAsSpaces => spaced_needles(needles),
            Needles::WithCriParts => needles
                .iter()
                .map(|n| n.to_string())
                .chain(cri::PART_NEEDLES.iter().map(|n| n.to_string()))
                .collect(),
        }
    }
}

/// Needles up to their first tab: where a tab was, any run of spaces is.
pub fn spaced_needles(needles: &[&str]) -> Vec<String> {
    needles
        .iter()
        .map(|n| n.split('\t').next().unwrap_or(n).to_string())
        .collect()
}

/// Every envelope, in the order detection tries them: CRI's lines before
/// the text envelopes (its time would pass for a CloudWatch export's), the
/// JSON shapes that name their fields particularly before Fluent Bit's and
/// Vector's generic `log` and `message`.
pub static ENVELOPES: &[&dyn Envelope] = &[
    &cri::Cri,
    &text::Text,
    &docker::Docker,
    &journald::Journald,
    &cloud_logging::CloudLogging,
    &azure::Azure,
    &cloudnative_pg::CloudNativePg,
    &shipper::Shipper,
    &spaced::Spaced,
];

/// The text envelopes (CloudWatch export time, syslog header).
pub static TEXT: &dyn Envelope = &text::Text;

/// A line opened: the envelope's time, if it gives one, and the server's own
/// line (unescaped, so owned when it had escapes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened<'a> {
    /// The envelope's own time (a CloudWatch event time, a runtime's
    /// timestamp), if it gives one.
    pub time: Option<Millis>,
    /// The server's own line inside the envelope: borrowed from the input,
    /// owned when unescaping changed it.
    pub line: Cow<'a, str>,
}

impl<'a> Opened<'a> {
    /// The first line of a record's text: Docker ends every `log` with its
    /// newline, and a shipper's multi-line record starts with the line that
    /// carries the prefix (what follows is DETAIL or SQL, never read).
    fn first_line(time: Option<Millis>, text: Cow<'a, str>) -> Opened<'a> {
        fn cut(text: &str) -> &str {
            let line = text.split_once('\n').map_or(text, |(first, _)| first);
            line.strip_suffix('\r').unwrap_or(line)
        }
        let line = match text {
            Cow::Borrowed(text) => Cow::Borrowed(cut(text)),
            Cow::Owned(mut text) => {
                text.truncate(cut(&text).len());
                Cow::Owned(text)
            }
        };
        Opened { time, line }
    }
}

/// Whether `line` starts with an ISO date and the `T` of its time
/// (`YYYY-MM-DDT`): how the envelopes whose records start with one are told
/// from other lines before their patterns are tried (or compiled).
pub(super) fn starts_with_iso_date_t(line: &[u8]) -> bool {
    let digits = |bytes: &[u8]| bytes.iter().all(u8::is_ascii_digit);
    line.len() > 10
        && digits(&line[..4])
        && line[4] == b'-'
        && digits(&line[5..7])
        && line[7] == b'-'
        && digits(&line[8..10])
        && line[10] == b'T'
}

/// The sample lines without their envelopes, when most of them have one.
pub fn open_most(envelope: &dyn Envelope, lines: &[String]) -> Option<Vec<String>> {
    // The lines before each, for envelopes that join a record's parts.
    let mut before = String::new();
    let opened: Vec<Option<Opened<'_>>> = lines
        .iter()
        .map(|line| {
            let opened = envelope.open_after(line, before.as_bytes());
            before.push_str(line);
            before.push('\n');
            opened
        })
        .collect();
    let enveloped = opened.iter().filter(|o| o.is_some()).count();
    (enveloped > 0 && enveloped * 2 >= lines.len()).then(|| {
        lines
            .iter()
            .zip(opened)
            .filter_map(|(line, opened)| match opened {
                Some(opened) if opened.line.trim().is_empty() => None,
                Some(opened) => Some(opened.line.into_owned()),
                None => Some(line.clone()),
            })
            .collect()
    })
}

/// A format's needles as they appear inside a JSON string: escaped as
/// serde_json, Go and most encoders write them (`\t`, `\"`), and with
/// `\u00XX` for control characters, as journalctl writes them.
pub fn json_needles(needles: &[&str]) -> Vec<String> {
    let mut escaped = Vec::new();
    for needle in needles {
        let json = serde_json::to_string(needle).expect("a string serializes");
        let json = json
            .strip_prefix('"')
            .and_then(|j| j.strip_suffix('"'))
            .unwrap_or(&json)
            .to_string();
        let unicode: String = needle
            .chars()
            .map(|c| match c {
                '"' => "\\\"".to_string(),
                '\\' => "\\\\".to_string(),
                c if c < ' ' => format!("\\u{:04x}", u32::from(c)),
                c => c.to_string(),
            })
            .collect();
        if unicode != json {
            escaped.push(unicode);
        }
        escaped.push(json);
    }
    escaped
}

/// One JSON record of an envelope's shape; `None` for another shape or no
/// JSON (the `{` test keeps plain lines off the parser).
fn json<'a, T: serde::Deserialize<'a>>(line: &'a str) -> Option<T> {
    if !line.starts_with('{') {
        return None;
    }
    serde_json::from_str(line).ok()
}

/// A JSON time field: RFC 3339 text, as every shipper here writes it.
fn rfc3339(time: Option<&str>) -> Option<Millis> {
    crate::time::parse_timestamp(time?).map(|t| t.millis)
}

/// The envelope's table test: each line opens to its time and inner line,
/// and none of `not_opened` opens.
#[cfg(test)]
fn assert_opens(
    envelope: &dyn Envelope,
    opened: &[(&str, Option<Millis>, &str)],
    not_opened: &[&str],
) {
    for &(line, time, inner) in opened {
        let got = envelope.open(line).unwrap_or_else(|| panic!("{line}"));
        assert_eq!((got.time, got.line.as_ref()), (time, inner), "{line}");
    }
    for line in not_opened {
        assert_eq!(envelope.open(line), None, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_date_and_t() {
        let table = [
            ("2026-11-29T03:52:55Z x", true),
            ("2026-11-29T", true),
            ("2026-11-29 03:52:55 UTC", false),
            ("2026-11-29", false),
            ("261129  5:18:27", false),
            ("2026-1a-29T03", false),
            ("20a6-11-29T03", false),
            ("", false),
        ];
        for (line, want) in table {
            assert_eq!(starts_with_iso_date_t(line.as_bytes()), want, "{line}");
        }
    }

    #[test]
    fn needles_are_escaped_as_json_writes_them() {
        assert_eq!(
            json_needles(&[" Connect\t", "onnection", "a\"b"]),
            [" Connect\\u0009", " Connect\\t", "onnection", "a\\\"b"]
        );
    }

    /// Each envelope opens its own records only: a line of one shape is no
    /// other JSON shape's (the generic shipper comes last), and a server's
    /// own line (PostgreSQL jsonlog included) is no JSON envelope's record
    /// the format could be read from.
    #[test]
    fn shapes_are_told_apart() {
        let records = [
            (
                "docker",
                r#"{"log":"2026-11-29 05:00:27 UTC::@:[12910]:LOG:  x\n","stream":"stderr","time":"2026-11-29T05:00:27.123456789Z"}"#,
            ),
            (
                "journald",
                r#"{"__REALTIME_TIMESTAMP":"1795928427000000","_HOSTNAME":"db1","MESSAGE":"x"}"#,
            ),
            (
                "cloud_logging",
                r#"{"textPayload":"x","timestamp":"2026-11-29T05:00:27Z","resource":{"type":"cloudsql_database","labels":{"database_id":"p:db"}}}"#,
            ),
            (
                "azure",
                r#"{"time":"2026-11-29T05:00:27Z","resourceId":"/SUBSCRIPTIONS/X","properties":{"message":"x"}}"#,
            ),
            (
                "cloudnative_pg",
                r#"{"level":"info","ts":"2026-11-29T05:00:27Z","logger":"postgres","msg":"record","record":{"log_time":"2026-11-29 05:00:27.500 UTC","message":"x"}}"#,
            ),
        ];
        for (i, (name, record)) in records.iter().enumerate() {
            let openers: Vec<usize> = ENVELOPES
                .iter()
                .enumerate()
                .filter(|(_, e)| e.open(record).is_some())
                .map(|(j, _)| j)
                .collect();
            // Its own shape, first among the JSON ones (CRI and the text
            // envelope are indexes 0 and 1).
            assert_eq!(openers.first(), Some(&(i + 2)), "{name}: {openers:?}");
        }
    }

    /// The committed fixtures (samples/envelopes/, the bundled samples'
    /// real lines wrapped by make-envelopes.py): each detected behind its
    /// own envelope, the format inside the server's.
    #[test]
    fn fixtures_are_detected_behind_their_envelope() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/envelopes");
        let table = [
            ("docker", "Docker/Kubernetes json-file records"),
            ("journald", "journald JSON entries"),
            ("cloud-logging", "Cloud Logging entries"),
            ("azure", "Azure diagnostic records"),
            ("shipper", "Fluent Bit/Vector/Logstash records"),
            ("tabs-as-spaces", "a copy with its tabs turned into spaces"),
            ("cri", "CRI container log lines"),
        ];
        for (folder, envelope) in table {
            for (file, inner) in [
                (
                    "pg-sample-1/postgresql.log.2026-11-29-05",
                    "PostgreSQL stderr (log_line_prefix '%t:%r:%u@%d:[%p]:')",
                ),
                ("mariadb-sample-1/mysql-general.log", "mariadb general log"),
            ] {
                let path = root.join(folder).join(file);
                let Ok(head) = std::fs::read(&path) else {
                    // Azure's are PostgreSQL's; the spaced copy is MariaDB's.
                    assert!(
                        matches!(folder, "azure" | "tabs-as-spaces"),
                        "{}",
                        path.display()
                    );
                    continue;
                };
                let detected = crate::detect(&head, None, None).unwrap();
                assert_eq!(
                    detected.format.to_string(),
                    format!("{inner}, behind {envelope}"),
                    "{}",
                    path.display()
                );
                assert!(detected.caveat.is_none(), "{}", path.display());
            }
        }
        let path = root.join("cloudnative-pg/pg-sample-1/postgresql.log.2026-11-29-05.csv");
        let head = std::fs::read(&path).unwrap();
        let detected = crate::detect(&head, None, None).unwrap();
        assert_eq!(
            detected.format.to_string(),
            "PostgreSQL csvlog, behind CloudNativePG JSON records"
        );
        assert_eq!(
            crate::format::named_instance(&detected.format, &head).as_deref(),
            Some("pg-sample-1")
        );
    }
}
