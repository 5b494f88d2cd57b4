//! PostgreSQL `jsonlog` (15+): one object per line; absent keys are omitted.

use std::borrow::Cow;

use serde::Deserialize;

use super::message::{self, Malformed};
use crate::observation::{Observation, Remote};
use crate::time::parse_timestamp;

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    timestamp: Option<Cow<'a, str>>,
    pid: Option<u32>,
    #[serde(borrow)]
    remote_host: Option<Cow<'a, str>>,
    remote_port: Option<u16>,
    #[serde(borrow)]
    message: Option<Cow<'a, str>>,
    #[serde(borrow)]
    application_name: Option<Cow<'a, str>>,
}

/// Reads one jsonlog line; `emit` receives the observation if it is a
/// connection line. Returns `None` when the line is not one.
pub fn observe(line: &str, emit: &mut dyn FnMut(Observation<'_>)) -> Option<Result<(), Malformed>> {
    if !line.starts_with('{') {
        return None;
    }
    let record: Record<'_> = match serde_json::from_str(line) {
        Ok(record) => record,
        Err(_) => return Some(Err(Malformed("jsonlog line is not a valid JSON object"))),
    };
    let msg = record.message.as_deref()?;
    let message = message::parse(msg)?;
    Some(message.map(|message| {
        emit(Observation {
            time: record
                .timestamp
                .as_deref()
                .and_then(parse_timestamp)
                .map(|t| t.millis),
            pid: record.pid,
            remote: record.remote_host.as_deref().map(|host| Remote {
                host,
                port: record.remote_port,
            }),
            stored_application: record.application_name.as_deref().filter(|a| !a.is_empty()),
            message,
        })
    }))
}

/// Whether a line looks like a jsonlog record (for format detection).
pub fn is_record(line: &str) -> bool {
    line.starts_with("{\"timestamp\":")
        && serde_json::from_str::<Record<'_>>(line).is_ok_and(|r| r.timestamp.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observation::{FailureKind, Message};

    #[test]
    fn handshake_failure_record_pg15() {
        let line = r#"{"timestamp":"2026-11-29 03:52:56.043 UTC","pid":6510,"remote_host":"127.0.0.1","remote_port":53022,"session_id":"6b0ba198.196e","line_num":2,"ps":"","session_start":"2026-11-29 03:52:56 UTC","txid":0,"error_severity":"LOG","state_code":"08P01","message":"could not accept SSL connection: tlsv1 alert unknown ca","backend_type":"not initialized","query_id":0}"#;
        assert!(is_record(line));
        let mut seen = 0;
        observe(line, &mut |obs| {
            seen += 1;
            assert_eq!(obs.pid, Some(6510));
            assert_eq!(
                obs.remote,
                Some(Remote {
                    host: "127.0.0.1",
                    port: Some(53022)
                })
            );
            assert_eq!(
                obs.message,
                Message::HandshakeFailed {
                    reason: "tlsv1 alert unknown ca",
                    kind: FailureKind::CertificateRejected
                }
            );
        })
        .unwrap()
        .unwrap();
        assert_eq!(seen, 1);
    }

    /// Real records of PostgreSQL 16, 17 and 18 (samples/postgresql/pg*/).
    #[test]
    fn records_of_each_major() {
        use crate::observation::PG18_SAMPLE_READY;
        let table = [
            (
                r#"{"timestamp":"2026-12-03 07:23:34.599 UTC","user":"app-user","dbname":"appdb","pid":9708,"remote_host":"127.0.0.16","remote_port":40443,"session_id":"6b1118f6.25ec","line_num":3,"ps":"authentication","session_start":"2026-12-03 07:23:34 UTC","vxid":"3/29","txid":0,"error_severity":"LOG","message":"connection authorized: user=app-user database=appdb application_name=app_tls12 SSL enabled (protocol=TLSv1.2, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256)","backend_type":"client backend","query_id":0}"#,
                "Authorized",
            ),
            (
                r#"{"timestamp":"2026-12-03 07:23:48.968 UTC","user":"postgres","dbname":"postgres","pid":10195,"remote_host":"[local]","session_id":"6b111904.27d3","line_num":2,"ps":"authentication","session_start":"2026-12-03 07:23:48 UTC","vxid":"0/1","txid":0,"error_severity":"LOG","message":"connection authenticated: user=\"postgres\" method=trust (/tmp/pgsamples.tIlWb7/pg/data/pg_hba.conf:2)","backend_type":"client backend","query_id":0}"#,
                "Authenticated",
            ),
            (
                r#"{"timestamp":"2026-12-03 07:24:04.429 UTC","user":"postgres","dbname":"postgres","pid":11458,"remote_host":"[local]","session_id":"6b111914.2cc2","line_num":4,"ps":"idle","session_start":"2026-12-03 07:24:04 UTC","vxid":"0/0","txid":0,"error_severity":"LOG","message":"connection ready: setup total=14.316 ms, fork=0.655 ms, authentication=0.532 ms","application_name":"sample_setup","backend_type":"client backend","query_id":0}"#,
                "Ready",
            ),
        ];
        for (line, kind) in table {
            let mut seen = String::new();
            observe(line, &mut |obs| seen = format!("{:?}", obs.message))
                .unwrap()
                .unwrap();
            assert!(seen.starts_with(kind), "{line}: {seen}");
        }
        observe(table[2].0, &mut |obs| {
            assert_eq!(obs.stored_application, Some("sample_setup"));
            assert_eq!(obs.message, Message::Ready(PG18_SAMPLE_READY));
        });
    }

    #[test]
    fn escaped_names_and_broken_lines() {
        let line = r#"{"timestamp":"2026-11-29 03:52:56.043 UTC","pid":1,"message":"connection authorized: user=a\"b database=d application_name=tab\there"}"#;
        let mut app = String::new();
        observe(line, &mut |obs| {
            let Message::Authorized(a) = obs.message else {
                panic!()
            };
            app = a.application.unwrap().to_string();
        })
        .unwrap()
        .unwrap();
        assert_eq!(app, "tab\there");
        assert!(matches!(
            observe("{\"timestamp\":", &mut |_| {}),
            Some(Err(_))
        ));
        assert!(
            observe(
                r#"{"timestamp":"x","message":"statement: select 1"}"#,
                &mut |_| {}
            )
            .is_none()
        );
    }
}
