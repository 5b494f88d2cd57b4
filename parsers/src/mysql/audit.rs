//! The MariaDB Audit Plugin file (`server_audit_output_type=file`; RDS MySQL
//! and MariaDB `MARIADB_AUDIT_PLUGIN`) and Aurora MySQL Advanced Auditing:
//! comma-separated `timestamp,serverhost,username,host,connectionid,queryid,
//! operation,database,object,retcode`.
//!
//! The plugin's timestamp is `YYYYMMDD HH:MM:SS`; Aurora's is epoch
//! microseconds. Only the object may hold commas (a QUERY's statement,
//! quoted with `'` and backslash escapes, newlines as `\n`), so the eight
//! columns before it are split on commas and the rest is left alone. RDS
//! and Aurora may append further columns after the retcode; they are
//! ignored. No column says whether the session used TLS.

use super::common::compact_time;
use crate::format::Engine;
use crate::observation::{
    Authorized, Disconnected, FailureKind, LineOutcome, Malformed, Message, Millis, Observation,
    Remote, Transport,
};

/// Literals every line this parser reads contains.
pub const NEEDLES: &[&str] = &[",CONNECT,", ",DISCONNECT,", ",FAILED_CONNECT,"];

/// Reads one line.
pub fn observe(line: &str, emit: &mut dyn FnMut(Observation<'_>)) -> LineOutcome {
    let record = record(line)?;
    // QUERY, TABLE and the other events say nothing about connections.
    if !matches!(
        record.operation,
        "CONNECT" | "DISCONNECT" | "FAILED_CONNECT"
    ) {
        return None;
    }
    Some(connection_event(&record).map(|(pid, message)| {
        emit(Observation {
            time: Some(record.time),
            pid: Some(pid),
            remote: Some(remote(record.host)),
            stored_application: None,
            message,
        })
    }))
}

fn connection_event<'a>(record: &Record<'a>) -> Result<(u32, Message<'a>), Malformed> {
    let pid = record
        .connection_id
        .parse()
        .map_err(|_| Malformed("audit record: connectionid is not a number"))?;
    let message = match record.operation {
        "CONNECT" => Message::Authorized(Authorized {
            replication: false,
            user: record.user,
            database: (!record.database.is_empty()).then_some(record.database),
            application: None,
            transport: Transport::Unknown,
            gss: None,
            ambiguous_tls: false,
            application_with_clause: None,
        }),
        "DISCONNECT" => Message::Disconnected(Disconnected {
            session_millis: None,
            user: None,
            database: None,
            remote: None,
        }),
        _ => failed_connect(record)?,
    };
    Ok((pid, message))
}

/// A FAILED_CONNECT's retcode is the server error that ended the attempt.
/// 1045 (wrong password, or a `REQUIRE SSL` account without TLS), 1044
/// (database refused) and the like are failed logins. The network codes
/// come with an empty user: the client went away during the handshake, as
/// a client rejecting the server certificate does (1043 or 1158 on MariaDB
/// 10.11, seen), so they read as a handshake failure, with the server's
/// text for the code as the reason.
fn failed_connect<'a>(record: &Record<'a>) -> Result<Message<'a>, Malformed> {
    let retcode = record
        .rest
        .split(',')
        .nth(1)
        .and_then(|code| code.parse::<u32>().ok())
        .ok_or(Malformed(
            "audit record: FAILED_CONNECT without a numeric retcode",
        ))?;
    let network = match retcode {
        1043 => Some("Bad handshake"),
        1158 => Some("Got an error reading communication packets"),
        1159 => Some("Got timeout reading communication packets"),
        1160 => Some("Got an error writing communication packets"),
        1161 => Some("Got timeout writing communication packets"),
        _ => None,
    };
    Ok(match network {
        Some(reason) => Message::HandshakeFailed {
            reason,
            kind: FailureKind::classify(reason),
        },
        None => Message::AuthenticationFailed {
            method: "login",
            user: record.user,
        },
    })
}

/// The client host. MariaDB 12 appends `:<port>` to it; an address with
/// more than one colon is IPv6 and left whole.
fn remote(host: &str) -> Remote<'_> {
    match host.split_once(':') {
        Some((name, port)) if !port.contains(':') => match port.parse() {
            Ok(port) => Remote {
                host: name,
                port: Some(port),
            },
            Err(_) => Remote { host, port: None },
        },
        _ => Remote { host, port: None },
    }
}

struct Record<'a> {
    time: Millis,
    epoch: bool,
    user: &'a str,
    host: &'a str,
    connection_id: &'a str,
    operation: &'a str,
    database: &'a str,
    /// `object,retcode[,…]`.
    rest: &'a str,
}

/// `YYYYMMDD HH:MM:SS` (the plugin) or epoch microseconds (Aurora).
fn timestamp(text: &str) -> Option<(Millis, bool)> {
    if text.len() == 17 {
        compact_time(text).map(|millis| (millis, false))
    } else if (13..=19).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<Millis>()
            .ok()
            .map(|micros| (micros / 1000, true))
    } else {
        None
    }
}

fn record(line: &str) -> Option<Record<'_>> {
    let mut columns = line.splitn(9, ',');
    let mut next = || columns.next();
    let (time, epoch) = timestamp(next()?)?;
    let (_server_host, user, host) = (next()?, next()?, next()?);
    let (connection_id, query_id) = (next()?, next()?);
    let (operation, database, rest) = (next()?, next()?, next()?);
    // Not the ids and operation of a record: some other text that happens
    // to start with a time.
    let word =
        |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
    if !query_id.bytes().all(|b| b.is_ascii_digit()) || !word(operation) {
        return None;
    }
    Some(Record {
        time,
        epoch,
        user,
        host,
        connection_id,
        operation,
        database,
        rest,
    })
}

/// Whether the head of a file is this log, and of which engine: Aurora's
/// epoch timestamps are MySQL's; the plugin's own format is MariaDB's
/// (RDS MySQL runs the same plugin and writes it too).
pub fn detect(lines: &[String]) -> Option<Engine> {
    let (mut records, mut epoch) = (0, 0);
    for record in lines.iter().filter_map(|line| record(line)) {
        records += 1;
        epoch += usize::from(record.epoch);
    }
    if records == 0 || records * 2 < lines.len() {
        return None;
    }
    Some(if epoch * 2 > records {
        Engine::Mysql
    } else {
        Engine::Mariadb
    })
}

#[cfg(test)]
mod tests {
    //! Plugin lines are real MariaDB 10.11.19 lines (server_audit 1.4.14),
    //! copied from a throwaway server's audit log. Aurora lines are
    //! hand-typed from FORMATS.md (epoch microseconds); no MySQL 8 server
    //! can run here.

    use super::super::common::testing::{
        assert_broken, assert_detects, assert_not_read, assert_read_with_needles, authorized,
        disconnected,
    };
    use super::*;

    /// The time, pid, client host and message `observe` emits for `line`,
    /// owned to outlive the line's borrow.
    fn seen(line: &str) -> (Option<Millis>, Option<u32>, Option<Remote<'static>>, String) {
        let mut out = None;
        observe(line, &mut |o| {
            let remote = o.remote.map(|r| Remote {
                host: String::from(r.host).leak(),
                port: r.port,
            });
            out = Some((o.time, o.pid, remote, format!("{:?}", o.message)))
        })
        .expect("read")
        .expect("parsed");
        out.expect("emitted")
    }

    fn handshake(reason: &'static str) -> String {
        format!(
            "{:?}",
            Message::HandshakeFailed {
                reason,
                kind: FailureKind::Aborted,
            }
        )
    }

    fn login_failed(user: &'static str) -> String {
        format!(
            "{:?}",
            Message::AuthenticationFailed {
                method: "login",
                user,
            }
        )
    }

    /// 2026-11-29 05:20:33 UTC.
    const T: Millis = 1_795_929_633_000;

    fn at(host: &'static str) -> Option<Remote<'static>> {
        Some(Remote { host, port: None })
    }

    #[test]
    fn real_mariadb_connection_events() {
        let local = at("127.0.0.1");
        let table = [
            (
                "20261129 05:20:33,vm,app,127.0.0.1,31,0,CONNECT,shop,,0",
                T,
                31,
                local,
                authorized("app", Some("shop"), Transport::Unknown),
            ),
            (
                "20261129 05:20:33,vm,app,127.0.0.1,31,0,DISCONNECT,shop,,0",
                T,
                31,
                local,
                disconnected(),
            ),
            (
                "20261129 05:20:33,vm,app,::1,32,0,CONNECT,shop,,0",
                T,
                32,
                at("::1"),
                authorized("app", Some("shop"), Transport::Unknown),
            ),
            (
                "20261129 05:20:33,vm,sp ace,127.0.0.1,37,0,CONNECT,my db,,0",
                T,
                37,
                local,
                authorized("sp ace", Some("my db"), Transport::Unknown),
            ),
            (
                "20261129 05:20:34,vm,root,localhost,40,0,CONNECT,,,0",
                T + 1000,
                40,
                at("localhost"),
                authorized("root", None, Transport::Unknown),
            ),
            // A wrong password, and a REQUIRE SSL account without TLS.
            (
                "20261129 05:20:33,vm,app,127.0.0.1,35,0,FAILED_CONNECT,,,1045",
                T,
                35,
                local,
                login_failed("app"),
            ),
            (
                "20261129 05:20:33,vm,tlsonly,127.0.0.1,36,0,FAILED_CONNECT,,,1045",
                T,
                36,
                local,
                login_failed("tlsonly"),
            ),
            // Clients rejecting the server certificate: a wrong CA
            // (`self-signed certificate in certificate chain`), the right CA
            // but a name mismatch (`Validation of SSL server certificate
            // failed`, after the handshake, from the days before
            // skip-name-resolve), and one offering only TLS 1.1.
            (
                "20261129 05:20:33,vm,,127.0.0.1,34,0,FAILED_CONNECT,,,1043",
                T,
                34,
                local,
                handshake("Bad handshake"),
            ),
            (
                "20261129 05:15:00,vm,,localhost,8,0,FAILED_CONNECT,,,1158",
                T - 333_000,
                8,
                at("localhost"),
                handshake("Got an error reading communication packets"),
            ),
            (
                "20261129 05:20:34,vm,,127.0.0.1,42,0,FAILED_CONNECT,,,1043",
                T + 1000,
                42,
                local,
                handshake("Bad handshake"),
            ),
        ];
        for (line, time, pid, remote, message) in table {
            assert_eq!(
                seen(line),
                (Some(time), Some(pid), remote, message),
                "{line}"
            );
        }
    }

    #[test]
    fn every_line_read_holds_a_needle() {
        // The scanner only hands over lines with a needle in them.
        let lines = [
            "20261129 05:20:33,vm,app,127.0.0.1,31,0,CONNECT,shop,,0",
            "20261129 05:20:33,vm,app,127.0.0.1,31,0,DISCONNECT,shop,,0",
            "20261129 05:20:33,vm,app,127.0.0.1,35,0,FAILED_CONNECT,,,1045",
        ];
        assert_read_with_needles(observe, NEEDLES, &lines);
    }

    /// Hand-typed from FORMATS.md and AWS's documentation; no Aurora or
    /// RDS instance can be reached here.
    #[test]
    fn aurora_epoch_times_rds_extra_columns_and_mariadb_12_ports() {
        let t = 1_714_557_600_123; // 2024-05-01 10:00:00.123 UTC
        let table = [
            (
                "1714557600123456,ip-172-31-0-10,app,10.0.1.5,42,0,CONNECT,orders,,0",
                Some(t),
                42,
                at("10.0.1.5"),
                authorized("app", Some("orders"), Transport::Unknown),
            ),
            (
                "1714557600123456,ip-172-31-0-10,app,10.0.1.5,42,0,DISCONNECT,orders,,0,TCP/IP",
                Some(t),
                42,
                at("10.0.1.5"),
                disconnected(),
            ),
            (
                "1714557600123456,ip-172-31-0-10,bad,10.0.1.6,43,0,FAILED_CONNECT,,,1045,SSL",
                Some(t),
                43,
                at("10.0.1.6"),
                login_failed("bad"),
            ),
            (
                "20221201 14:07:05,ip-10-22-1-51,rdsadmin,localhost,821,0,CONNECT,,,0,SOCKET",
                Some(1_669_903_625_000),
                821,
                at("localhost"),
                authorized("rdsadmin", None, Transport::Unknown),
            ),
            (
                "20260731 09:14:22,db1,root,192.168.1.24:54312,7,0,CONNECT,mysql,,0",
                Some(1_785_489_262_000),
                7,
                Some(Remote {
                    host: "192.168.1.24",
                    port: Some(54312),
                }),
                authorized("root", Some("mysql"), Transport::Unknown),
            ),
        ];
        for (line, time, pid, remote, message) in table {
            assert_eq!(seen(line), (time, Some(pid), remote, message), "{line}");
        }
    }

    #[test]
    fn other_operations_and_non_records_are_not_read() {
        let table = [
            // Real MariaDB 10.11: statements with escapes, newlines and
            // commas, a table event, the plugin's own line in the error
            // log.
            r"20261129 05:15:11,vm,app,localhost,22,22,QUERY,shop,'select \'two\nlines\', \'Connect\'',0",
            r#"20261129 05:15:11,vm,app,localhost,21,19,QUERY,shop,'insert into t values (\'it\'\'s, "quoted", x\')',0"#,
            "20261129 05:15:11,vm,app,localhost,21,19,WRITE,shop,t,",
            "261129  5:14:52 server_audit: MariaDB Audit Plugin version 1.4.14 STARTED.",
            // Hand-typed: a statement holding a needle, text that merely
            // holds one.
            r"20261129 05:15:11,vm,app,localhost,21,19,QUERY,shop,'select \'x,CONNECT,y\'',0",
            "see ,CONNECT, in the manual",
            "2026-11-29  5:15:35 6 [Warning] x,y,z,1,2,CONNECT,,,0",
        ];
        assert_not_read(observe, &table);
    }

    #[test]
    fn broken_records_are_reported() {
        // Hand-typed: a non-numeric connection id, missing retcodes.
        let table = [
            "20261129 05:20:33,vm,app,127.0.0.1,x,0,CONNECT,shop,,0",
            "20261129 05:20:33,vm,app,127.0.0.1,35,0,FAILED_CONNECT,,,",
            "20261129 05:20:33,vm,app,127.0.0.1,35,0,FAILED_CONNECT,,",
        ];
        assert_broken(observe, &table);
    }

    #[test]
    fn detection() {
        let table = [
            // Real MariaDB 10.11.
            (
                "20261129 05:15:00,vm,root,localhost,3,0,CONNECT,,,0\n20261129 05:15:00,vm,root,localhost,3,0,DISCONNECT,,,0\n20261129 05:15:11,vm,root,localhost,20,17,QUERY,shop,'FLUSH PRIVILEGES',0\n",
                Some(Engine::Mariadb),
            ),
            // Hand-typed from FORMATS.md: Aurora.
            (
                "1714557600123456,ip-172-31-0-10,app,10.0.1.5,42,0,CONNECT,orders,,0\n1714557600123456,ip-172-31-0-10,app,10.0.1.5,42,7,QUERY,orders,'select 1',0\n",
                Some(Engine::Mysql),
            ),
            // Not audit logs: PostgreSQL csvlog, real MariaDB general and
            // error logs, text.
            (
                "2026-11-29 03:52:55.964 UTC,,,6497,,6b0ba197.1961,1,,2026-11-29 03:52:55 UTC,,0,LOG,00000,\"starting PostgreSQL 15.18\",,,,,,,,,\"\",\"postmaster\",,0\n",
                None,
            ),
            (
                "261129  5:20:33\t    31 Connect\tapp@127.0.0.1 on shop using TCP/IP\n",
                None,
            ),
            (
                "2026-11-29  5:20:33 35 [Warning] Access denied for user 'app'@'127.0.0.1' (using password: YES)\n",
                None,
            ),
            ("hello world\nsecond line\n", None),
        ];
        assert_detects(detect, &table);
    }
}
