//! CloudNativePG's JSON log (`kubectl logs` of a CloudNativePG pod, or its
//! lines as a shipper kept them): the instance manager has PostgreSQL write
//! csvlog and prints each row as `{"level","ts","logger":"postgres",
//! "msg":"record","logging_pod","record":{…}}`, the row's columns by their
//! csvlog names (`log_time`, `user_name`, …, `application_name`,
//! `backend_type`, `leader_pid`, `query_id`; empty ones left out, Go's
//! `omitempty`). The record is put back into its csvlog row, which the
//! csvlog reader reads as the server wrote it. The instance manager's own
//! lines (other loggers, no record) open to nothing. `logging_pod` is the
//! instance; `ts` (RFC 3339, or seconds in older releases) stands in where
//! `log_time` cannot be read.
//!
//! Source: cloudnative-pg `pkg/management/postgres/logpipe/` (`LoggingRecord`
//! and its `FromCSV`; `writer.go` adds `logging_pod`), docs `logging.md`.

use std::borrow::Cow;

use serde::Deserialize;

use super::{Envelope, Needles, Opened, rfc3339};
use crate::observation::Millis;

#[derive(Debug)]
pub struct CloudNativePg;

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(borrow)]
    logger: Cow<'a, str>,
    #[serde(borrow)]
    msg: Cow<'a, str>,
    #[serde(borrow)]
    ts: Option<Time<'a>>,
    #[serde(borrow)]
    logging_pod: Option<Cow<'a, str>>,
    #[serde(default)]
    record: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Time<'a> {
    Text(#[serde(borrow)] Cow<'a, str>),
    Seconds(f64),
}

/// The csvlog columns in their order (PostgreSQL 14+; the reader wants 23
/// to 30 of them).
const COLUMNS: [&str; 26] = [
    "log_time",
    "user_name",
    "database_name",
    "process_id",
    "connection_from",
    "session_id",
    "session_line_num",
    "command_tag",
    "session_start_time",
    "virtual_transaction_id",
    "transaction_id",
    "error_severity",
    "sql_state_code",
    "message",
    "detail",
    "hint",
    "internal_query",
    "internal_query_pos",
    "context",
    "query",
    "query_pos",
    "location",
    "application_name",
    "backend_type",
    "leader_pid",
    "query_id",
];

/// The record as the csvlog row it was read from: each value quoted where
/// CSV needs it, the log time first and bare, as the csvlog reader wants.
fn csv_row(record: &serde_json::Map<String, serde_json::Value>) -> String {
    let mut row = String::new();
    for (i, column) in COLUMNS.iter().enumerate() {
        if i > 0 {
            row.push(',');
        }
        let value = match record.get(*column) {
            Some(serde_json::Value::String(text)) => Cow::Borrowed(text.as_str()),
            Some(serde_json::Value::Null) | None => Cow::Borrowed(""),
            Some(other) => Cow::Owned(other.to_string()),
        };
        if value.contains([',', '"', '\n', '\r']) {
            row.push('"');
            row.push_str(&value.replace('"', "\"\""));
            row.push('"');
        } else {
            row.push_str(&value);
        }
    }
    row
}

impl Envelope for CloudNativePg {
    fn name(&self) -> &'static str {
        "CloudNativePG JSON records"
    }

    fn needles(&self) -> Needles {
        Needles::JsonEscaped
    }

    fn open<'a>(&self, line: &'a str) -> Option<Opened<'a>> {
        let entry: Entry<'a> = super::json(line)?;
        let _ = entry.msg; // with `logger`, what tells the shape
        let time = match &entry.ts {
            Some(Time::Text(text)) => rfc3339(Some(text)),
            Some(Time::Seconds(seconds)) => Some((seconds * 1000.0).round() as Millis),
            None => None,
        };
        let row = match (&*entry.logger, &entry.record) {
            ("postgres", Some(record)) if record.contains_key("log_time") => csv_row(record),
            // The instance manager's own lines, pgaudit's: no server line.
            _ => String::new(),
        };
        Some(Opened {
            time,
            line: Cow::Owned(row),
        })
    }

    fn instance(&self, line: &str) -> Option<String> {
        let entry: Entry<'_> = super::json(line)?;
        entry
            .logging_pod
            .filter(|p| !p.is_empty())
            .map(Cow::into_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real-shaped records: the csvlog sample's rows (pg-sample-1) as the
    /// instance manager prints them, and lines of its own.
    #[test]
    fn records_are_opened() {
        let table = [
            (
                r#"{"level":"info","ts":"2026-11-29T05:00:27.500123Z","logger":"postgres","msg":"record","logging_pod":"pg-sample-1","record":{"log_time":"2026-11-29 05:00:27.500 UTC","user_name":"app-user","database_name":"appdb","process_id":"12919","connection_from":"127.0.0.10:40000","session_id":"6929e9f3.3277","session_line_num":"3","command_tag":"authentication","session_start_time":"2026-11-29 05:00:27 UTC","virtual_transaction_id":"3/5","transaction_id":"0","error_severity":"LOG","sql_state_code":"00000","message":"connection authorized: user=app-user database=appdb application_name=app, \"q\" SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)","backend_type":"client backend","query_id":"0"}}"#,
                Some(1_795_928_427_500),
                r#"2026-11-29 05:00:27.500 UTC,app-user,appdb,12919,127.0.0.10:40000,6929e9f3.3277,3,authentication,2026-11-29 05:00:27 UTC,3/5,0,LOG,00000,"connection authorized: user=app-user database=appdb application_name=app, ""q"" SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",,,,,,,,,,client backend,,0"#,
            ),
            // Older releases: `ts` in seconds.
            (
                r#"{"level":"info","ts":1795928427.5,"logger":"postgres","msg":"record","record":{"log_time":"2026-11-29 05:00:27.500 UTC","process_id":"25","error_severity":"LOG","message":"x"}}"#,
                Some(1_795_928_427_500),
                "2026-11-29 05:00:27.500 UTC,,,25,,,,,,,,LOG,,x,,,,,,,,,,,,",
            ),
            (
                r#"{"level":"info","ts":"2026-11-29T05:00:27Z","msg":"Archived WAL file","logger":"wal-archive","logging_pod":"pg-sample-1","walName":"x"}"#,
                Some(1_795_928_427_000),
                "",
            ),
        ];
        let not_opened = [
            r#"{"log":"x","stream":"stderr","time":"2026-11-29T05:00:27Z"}"#,
            r#"{"timestamp":"2026-11-29 03:52:56.043 UTC","pid":1,"message":"x"}"#,
            "2026-11-29 05:00:27.500 UTC,,,25,,,,,,,,LOG,,x,,,,,,,,,,,,",
        ];
        crate::envelope::assert_opens(&CloudNativePg, &table, &not_opened);
        assert_eq!(
            CloudNativePg.instance(table[0].0).as_deref(),
            Some("pg-sample-1")
        );
        assert_eq!(CloudNativePg.instance(table[1].0), None);
        // The row read as csvlog, with the session's TLS.
        let mut seen = Vec::new();
        crate::pg::csvlog::observe(table[0].2, &mut |o| seen.push(format!("{o:?}")));
        assert_eq!(seen.len(), 1);
        assert!(
            seen[0].contains("TLSv1.3") && seen[0].contains("12919"),
            "{seen:?}"
        );
    }
}
