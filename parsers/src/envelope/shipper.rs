//! What generic log shippers write, one object per line: Fluent Bit's
//! `tail` input (`log`, the time as `date` in seconds), Vector's `file`
//! source (`message`, `timestamp`) and Logstash's `file` input (`message`,
//! `@timestamp`). Tried last: any object with a `log` or `message` string
//! is one, so the shapes that name their fields particularly go first, and
//! PostgreSQL's own jsonlog (whose `message` is a bare message, no format's
//! record) is told by detection. Vector's `kubernetes_logs` source and
//! Fluent Bit's `kubernetes` filter name the pod (`kubernetes.pod_name`),
//! the instance; a `host` is a machine, which may run several servers, so
//! it names none.

use std::borrow::Cow;

use serde::Deserialize;

use super::{Envelope, Needles, Opened, rfc3339};
use crate::observation::Millis;

#[derive(Debug)]
pub struct Shipper;

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    log: Option<Field<'a>>,
    #[serde(borrow)]
    message: Option<Field<'a>>,
    #[serde(borrow, alias = "@timestamp", alias = "time", alias = "date")]
    timestamp: Option<Time<'a>>,
    #[serde(borrow)]
    kubernetes: Option<super::Kubernetes<'a>>,
}

/// Logstash's ECS fields make `log` an object (`log.file.path`): only a
/// string is the line.
#[derive(Deserialize)]
#[serde(untagged)]
enum Field<'a> {
    Text(#[serde(borrow)] Cow<'a, str>),
    Other(serde::de::IgnoredAny),
}

impl<'a> Field<'a> {
    fn text(self) -> Option<Cow<'a, str>> {
        match self {
            Field::Text(text) => Some(text),
            Field::Other(_) => None,
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Time<'a> {
    Text(#[serde(borrow)] Cow<'a, str>),
    Seconds(f64),
}

impl Envelope for Shipper {
    fn name(&self) -> &'static str {
        "Fluent Bit/Vector/Logstash records"
    }

    fn needles(&self) -> Needles {
        Needles::JsonEscaped
    }

    fn open<'a>(&self, line: &'a str) -> Option<Opened<'a>> {
        let record: Record<'a> = super::json(line)?;
        let time = match &record.timestamp {
            Some(Time::Text(text)) => rfc3339(Some(text)),
            Some(Time::Seconds(seconds)) => Some((seconds * 1000.0).round() as Millis),
            None => None,
        };
        Some(Opened::first_line(
            time,
            record
                .log
                .and_then(Field::text)
                .or_else(|| record.message.and_then(Field::text))?,
        ))
    }

    fn instance(&self, line: &str) -> Option<String> {
        let record: Record<'_> = super::json(line)?;
        super::Kubernetes::pod(record.kubernetes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real-shaped records of each shipper holding the samples' lines.
    #[test]
    fn records_are_opened() {
        let line = "2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@appdb:[12919]:LOG:  connection received: host=127.0.0.10 port=40000";
        let table = [
            // Fluent Bit, tail input, stdout/file output as json_lines.
            (
                r#"{"date":1795928427.5,"log":"2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@appdb:[12919]:LOG:  connection received: host=127.0.0.10 port=40000"}"#,
                Some(1_795_928_427_500),
            ),
            // Vector, file source, file sink with json encoding.
            (
                r#"{"file":"/var/log/postgresql/postgresql.log","host":"db1","message":"2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@appdb:[12919]:LOG:  connection received: host=127.0.0.10 port=40000","source_type":"file","timestamp":"2026-11-29T05:00:27.500123Z"}"#,
                Some(1_795_928_427_500),
            ),
            // Logstash, file input, json_lines codec.
            (
                r#"{"@version":"1","@timestamp":"2026-11-29T05:00:27.500Z","host":{"name":"db1"},"log":{"file":{"path":"/var/log/postgresql/postgresql.log"}},"message":"2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@appdb:[12919]:LOG:  connection received: host=127.0.0.10 port=40000"}"#,
                Some(1_795_928_427_500),
            ),
        ];
        let table = table.map(|(record, time)| (record, time, line));
        let not_opened = [r#"{"other":"x"}"#, "x", r#"{"log":1}"#];
        crate::envelope::assert_opens(&Shipper, &table, &not_opened);
        assert_eq!(Shipper.instance(table[1].0), None, "a host is no instance");
        // Vector's kubernetes_logs source.
        let vector = r#"{"file":"/var/log/pods/db_pg-1_0/postgres/0.log","kubernetes":{"container_name":"postgres","pod_name":"pg-1","pod_namespace":"db"},"message":"x","source_type":"kubernetes_logs","stream":"stderr","timestamp":"2026-11-29T05:00:27.5Z"}"#;
        assert_eq!(Shipper.instance(vector).as_deref(), Some("pg-1"));
    }
}
