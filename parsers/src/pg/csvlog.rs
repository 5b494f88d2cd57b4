//! PostgreSQL `csvlog`: 23 (PG 12), 24 (13) or 26 (14–17) columns; the
//! message may hold doubled quotes, and multi-line values span lines.

use super::message::{self, Malformed};
use crate::observation::{Observation, Remote};
use crate::time::parse_timestamp;

const LOG_TIME: usize = 0;
const PROCESS_ID: usize = 3;
const CONNECTION_FROM: usize = 4;
const MESSAGE: usize = 13;
const APPLICATION_NAME: usize = 22;
const MAX_FIELDS: usize = 40;

/// Splits a csvlog row into unquoted fields, reusing `scratch`.
fn fields<'s>(line: &str, scratch: &'s mut Vec<u8>) -> Option<Vec<&'s str>> {
    let mut input = Vec::with_capacity(line.len() + 1);
    input.extend_from_slice(line.as_bytes());
    input.push(b'\n');
    scratch.clear();
    scratch.resize(input.len(), 0);
    let mut ends = [0usize; MAX_FIELDS];
    let mut reader = csv_core::Reader::new();
    let (result, _, written, count) = reader.read_record(&input, scratch, &mut ends);
    if !matches!(result, csv_core::ReadRecordResult::Record) {
        return None;
    }
    let text = std::str::from_utf8(&scratch[..written]).ok()?;
    let mut start = 0;
    ends[..count]
        .iter()
        .map(|&end| {
            // Fields end where csv-core removed an ASCII delimiter, so
            // between characters.
            let field = text.get(start..end);
            start = end;
            field
        })
        .collect()
}

/// `host:port` (the port after the last colon, so IPv6 works) or `[local]`.
pub(crate) fn split_connection_from(from: &str) -> Option<Remote<'_>> {
    if from.is_empty() {
        return None;
    }
    match from.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
            Some(Remote {
                host,
                port: port.parse().ok(),
            })
        }
        _ => Some(Remote {
            host: from,
            port: None,
        }),
    }
}

/// Reads one csvlog row; `emit` receives the observation if it is a
/// connection line. Returns `None` when the row is not one.
pub fn observe(line: &str, emit: &mut dyn FnMut(Observation<'_>)) -> Option<Result<(), Malformed>> {
    // Rows start with the log time; anything else continues a quoted value.
    if !line.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut scratch = Vec::new();
    let Some(fields) = fields(line, &mut scratch) else {
        return Some(Err(Malformed("csvlog row is not valid CSV")));
    };
    let Some(&msg) = fields.get(MESSAGE) else {
        return Some(Err(Malformed("csvlog row has fewer than 14 columns")));
    };
    let message = message::parse(msg)?;
    Some(message.map(|message| {
        emit(Observation {
            time: parse_timestamp(fields[LOG_TIME]).map(|t| t.millis),
            pid: fields[PROCESS_ID].parse().ok(),
            remote: split_connection_from(fields[CONNECTION_FROM]),
            stored_application: fields
                .get(APPLICATION_NAME)
                .copied()
                .filter(|a| !a.is_empty()),
            message,
        })
    }))
}

/// Whether a line looks like a csvlog row (for format detection).
pub fn is_row(line: &str) -> bool {
    let mut scratch = Vec::new();
    parse_timestamp(line.split(',').next().unwrap_or(""))
        .is_some()
        .then(|| fields(line, &mut scratch))
        .flatten()
        .is_some_and(|f| (23..=30).contains(&f.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observation::Message;

    fn with<R>(line: &str, check: impl FnOnce(&Observation<'_>) -> R) -> R {
        let mut result = None;
        let mut check = Some(check);
        observe(line, &mut |obs| {
            result = Some((check.take().unwrap())(&obs))
        })
        .expect("a connection row")
        .expect("parsed");
        result.expect("observed")
    }

    #[test]
    fn authorized_row_pg15() {
        let line = r#"2026-11-29 03:52:55.964 UTC,"postgres","postgres",6504,"127.0.0.1:53004",6b0ba197.1968,2,"authentication",2026-11-29 03:52:55 UTC,3/1,0,LOG,00000,"connection authorized: user=postgres database=postgres application_name=app_require SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",,,,,,,,,"","client backend",,0"#;
        assert!(is_row(line));
        with(line, |obs| {
            assert_eq!(obs.time, Some(1_795_924_375_964));
            assert_eq!(obs.pid, Some(6504));
            assert_eq!(
                obs.remote,
                Some(Remote {
                    host: "127.0.0.1",
                    port: Some(53004)
                })
            );
            assert_eq!(obs.stored_application, None);
            let Message::Authorized(a) = &obs.message else {
                panic!()
            };
            assert_eq!(a.application, Some("app_require"));
            assert!(a.tls().is_some());
        });
    }

    #[test]
    fn doubled_quotes_ipv6_and_stored_application_pg12() {
        let line = r#"2026-11-29 03:52:56.001 UTC,"jürgen","db",7,"::1:35864",6b0ba197.7,3,"idle",2026-11-29 03:52:55 UTC,,0,LOG,00000,"connection authenticated: identity=""jürgen"" method=scram-sha-256 (/etc/pg_hba.conf:9)",,,,,,,,,"my app""s name""#;
        with(line, |obs| {
            assert_eq!(
                obs.remote,
                Some(Remote {
                    host: "::1",
                    port: Some(35864)
                })
            );
            assert_eq!(obs.stored_application, Some(r#"my app"s name"#));
            assert_eq!(
                obs.message,
                Message::Authenticated {
                    identity: Some("jürgen"),
                    method: "scram-sha-256"
                }
            );
        });
    }

    /// Real rows of PostgreSQL 13 (24 columns) and 18 (26) from
    /// samples/postgresql/pg*/.
    #[test]
    fn rows_of_each_major() {
        use crate::observation::{PG18_SAMPLE_READY, Tls, Transport};
        let pg13 = r#"2026-12-03 07:23:10.260 UTC,"app-user","appdb",8480,"127.0.0.12:49209",6b1118de.2120,2,"authentication",2026-12-03 07:23:10 UTC,3/14,0,LOG,00000,"connection authorized: user=app-user database=appdb application_name=app_prefer SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256, compression=off)",,,,,,,,,"","client backend""#;
        assert!(is_row(pg13));
        with(pg13, |obs| {
            assert_eq!((obs.time, obs.pid), (Some(1_796_282_590_260), Some(8480)));
            let Message::Authorized(a) = &obs.message else {
                panic!("{:?}", obs.message)
            };
            assert_eq!(
                a.transport,
                Transport::Tls(Some(Tls {
                    protocol: "TLSv1.3",
                    cipher: "TLS_AES_256_GCM_SHA384",
                    bits: 256,
                    compression: Some(false),
                }))
            );
        });
        let pg18_trust = r#"2026-12-03 07:24:04.417 UTC,"postgres","postgres",11458,"[local]",6b111914.2cc2,2,"authentication",2026-12-03 07:24:04 UTC,0/1,0,LOG,00000,"connection authenticated: user=""postgres"" method=trust (/tmp/pgsamples.ggCTNT/pg/data/pg_hba.conf:2)",,,,,,,,,"","client backend",,0"#;
        with(pg18_trust, |obs| {
            assert_eq!(
                obs.message,
                Message::Authenticated {
                    identity: None,
                    method: "trust"
                }
            );
        });
        let pg18_ready = r#"2026-12-03 07:24:04.429 UTC,"postgres","postgres",11458,"[local]",6b111914.2cc2,4,"idle",2026-12-03 07:24:04 UTC,0/0,0,LOG,00000,"connection ready: setup total=14.316 ms, fork=0.655 ms, authentication=0.532 ms",,,,,,,,,"sample_setup","client backend",,0"#;
        with(pg18_ready, |obs| {
            assert_eq!(obs.stored_application, Some("sample_setup"));
            assert_eq!(obs.message, Message::Ready(PG18_SAMPLE_READY));
        });
    }

    #[test]
    fn non_rows_and_other_messages_are_ignored() {
        assert!(observe("\tcontinued text, connection authorized", &mut |_| {}).is_none());
        let stmt = r#"2026-11-29 03:52:55.964 UTC,"u","d",1,"[local]",1.1,1,"idle",2026-11-29 03:52:55 UTC,1/1,0,LOG,00000,"statement: select 1",,,,,,,,,"psql","client backend",,0"#;
        assert!(observe(stmt, &mut |_| {}).is_none());
        assert!(matches!(
            observe("2026-11-29 03:52:55 UTC,\"unterminated", &mut |_| {}),
            Some(Err(_))
        ));
    }
}
