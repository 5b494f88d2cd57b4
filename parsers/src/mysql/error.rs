//! The error log of MySQL 5.7/8 (traditional format), Aurora MySQL and
//! MariaDB 10.x: `<time> <thread id> [<Severity>] [MY-<code>] [<Subsystem>]
//! <message>` (the two bracketed tags are MySQL 8's).
//!
//! Neither server prints OpenSSL's reason when a client drops the TLS
//! handshake (a client rejecting the server certificate included): all the
//! error log shows is an unauthenticated `Aborted connection`, the same line
//! a port probe or a TLS-version mismatch leaves. Its host is on the line,
//! so no correlation by thread is needed; the thread in the prefix is not
//! even always the aborted one (a `KILL` logs the killer's).

use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::{tag, take_till1},
    character::complete::{char, digit1},
    combinator::{opt, peek},
    sequence::{delimited, preceded, terminated},
};

use super::common::{access_denied, dashed_time};
use crate::format::Engine;
use crate::observation::{
    FailureKind, LineOutcome, Malformed, Message, Millis, Observation, Remote,
};
use crate::time::parse_timestamp;

/// Literals every line this parser reads contains.
pub const NEEDLES: &[&str] = &["Aborted connection ", "Access denied for user '"];

/// Reads one line.
pub fn observe(line: &str, emit: &mut dyn FnMut(Observation<'_>)) -> LineOutcome {
    let record = record(line)?;
    let (message, host) = if let Some(rest) = record.message.strip_prefix("Aborted connection ") {
        match aborted(rest)? {
            Ok(found) => found,
            Err(why) => return Some(Err(why)),
        }
    } else {
        match access_denied(record.message)? {
            Ok((user, host)) => (
                Message::AuthenticationFailed {
                    method: "password",
                    user,
                },
                host,
            ),
            Err(why) => return Some(Err(why)),
        }
    };
    emit(Observation {
        time: Some(record.time),
        pid: None,
        remote: Some(Remote { host, port: None }),
        stored_application: None,
        message,
    });
    Some(Ok(()))
}

/// `Aborted connection <id> to db: '<db>' user: '<user>' host: '<host>'
/// (<reason>)`, with a closing `.` on MySQL 8. Only aborts before
/// authentication (`user: 'unauthenticated'`) can be failed handshakes;
/// sessions that time out or are killed later say nothing about TLS.
fn aborted(rest: &str) -> Option<Result<(Message<'_>, &str), Malformed>> {
    let err = Malformed("Aborted connection: expected … user: '…' host: '…' (reason)");
    let parsed = (|| {
        let (_, after_db) = rest.split_once(" to db: '")?;
        let (_, after_user) = after_db.split_once("' user: '")?;
        let (user, after_host) = after_user.split_once("' host: '")?;
        let (host, reason) = after_host.split_once("' (")?;
        let reason = reason.trim_end_matches('.').strip_suffix(')')?;
        Some((user, host, reason))
    })();
    match parsed {
        Some(("unauthenticated", host, reason)) => Some(Ok((
            Message::HandshakeFailed {
                reason,
                kind: FailureKind::classify(reason),
            },
            host,
        ))),
        Some(_) => None,
        None => Some(Err(err)),
    }
}

struct Record<'a> {
    time: Millis,
    style: TimeStyle,
    message: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeStyle {
    /// MySQL 5.7+: `2024-05-01T10:00:00.123456Z` (or `+02:00` with
    /// `log_timestamps=SYSTEM`).
    Iso,
    /// MariaDB 10.x: `2026-11-29  5:15:35`.
    Dashed,
}

/// `[…] `: a bracketed tag and the space after it.
fn bracket_tag(input: &str) -> IResult<&str, &str> {
    terminated(
        delimited(char('['), take_till1(|c| c == ']'), char(']')),
        char(' '),
    )
    .parse(input)
}

/// `<thread id> [<Severity>] ` and MySQL 8's `[MY-<code>] [<Subsystem>] `,
/// returning the message as the rest.
fn after_time(input: &str) -> IResult<&str, ()> {
    let severity = alt((tag("Note"), tag("Warning"), tag("ERROR"), tag("System")));
    let (input, _) = (
        terminated(digit1, char(' ')),
        terminated(delimited(char('['), severity, char(']')), char(' ')),
        opt(preceded(peek(tag("[MY-")), (bracket_tag, bracket_tag))),
    )
        .parse(input)?;
    Ok((input, ()))
}

fn record(line: &str) -> Option<Record<'_>> {
    let (time, style, rest) = if line.as_bytes().get(10) == Some(&b'T') {
        let (stamp, rest) = line.split_once(' ')?;
        (parse_timestamp(stamp)?.millis, TimeStyle::Iso, rest)
    } else {
        let rest = line.get(19..)?.strip_prefix(' ')?;
        (dashed_time(line.get(..19)?)?, TimeStyle::Dashed, rest)
    };
    let (message, ()) = after_time(rest).ok()?;
    Some(Record {
        time,
        style,
        message,
    })
}

/// Whether the head of a file is this log, and of which engine: MariaDB
/// names itself (`Starting MariaDB`, `mariadbd:`), MySQL 8 tags its
/// messages `[MY-…]`; otherwise MariaDB's time style tells them apart.
/// (`mysqld` is no sign: MariaDB before 10.5 and RDS MariaDB run a binary
/// of that name.)
pub fn detect(lines: &[String]) -> Option<Engine> {
    let (mut records, mut dashed) = (0, 0);
    let (mut mariadb, mut my_codes) = (false, false);
    for line in lines {
        if let Some(record) = record(line) {
            records += 1;
            dashed += usize::from(record.style == TimeStyle::Dashed);
            my_codes |= line.contains("] [MY-");
        }
        mariadb |= line.contains("MariaDB") || line.contains("mariadbd");
    }
    // Startup banners and InnoDB dumps are not records; a third is plenty
    // for a prefix this strict.
    if records == 0 || records * 3 < lines.len() {
        return None;
    }
    Some(if mariadb || (!my_codes && dashed * 2 > records) {
        Engine::Mariadb
    } else {
        Engine::Mysql
    })
}

#[cfg(test)]
mod tests {
    //! MariaDB lines are real MariaDB 10.11.19 lines (Debian 12, OpenSSL 3,
    //! `log_warnings=4`), copied from a throwaway server's error log while
    //! clients rejected its certificate, spoke an old TLS version, gave
    //! wrong passwords, timed out and were killed. MySQL 8 / Aurora lines
    //! are hand-typed from FORMATS.md; no MySQL 8 server can run here.

    use super::super::common::testing::{
        assert_broken, assert_detects, assert_not_read, assert_read_with_needles,
    };
    use super::*;

    /// The time, client host and message `observe` emits for `line`
    /// (owned, to outlive the line's borrow); the pid is always `None`.
    fn seen(line: &str) -> (Option<Millis>, Option<String>, String) {
        let mut out = None;
        observe(line, &mut |o| {
            assert_eq!(o.pid, None, "{line}");
            out = Some((
                o.time,
                o.remote.map(|r| r.host.to_string()),
                format!("{:?}", o.message),
            ))
        })
        .expect("read")
        .expect("parsed");
        out.expect("emitted")
    }

    fn expect(
        time: Millis,
        host: &str,
        message: Message<'_>,
    ) -> (Option<Millis>, Option<String>, String) {
        (Some(time), Some(host.to_string()), format!("{message:?}"))
    }

    const T: Millis = 1_795_929_335_000; // 2026-11-29 05:15:35 UTC

    #[test]
    fn real_mariadb_unauthenticated_aborts_and_failed_logins() {
        let closed = "This connection closed normally without authentication";
        let table = [
            (
                "2026-11-29  5:15:35 6 [Warning] Aborted connection 6 to db: 'unconnected' user: 'unauthenticated' host: '127.0.0.1' (This connection closed normally without authentication)",
                "127.0.0.1",
                Message::HandshakeFailed {
                    reason: closed,
                    kind: FailureKind::Aborted,
                },
            ),
            (
                "2026-11-29  5:15:35 7 [Warning] Aborted connection 7 to db: 'unconnected' user: 'unauthenticated' host: '::1' (This connection closed normally without authentication)",
                "::1",
                Message::HandshakeFailed {
                    reason: closed,
                    kind: FailureKind::Aborted,
                },
            ),
            (
                "2026-11-29  5:15:35 8 [Warning] Access denied for user 'app'@'127.0.0.1' (using password: YES)",
                "127.0.0.1",
                Message::AuthenticationFailed {
                    method: "password",
                    user: "app",
                },
            ),
        ];
        for (line, host, message) in table {
            assert_eq!(seen(line), expect(T, host, message), "{line}");
        }
    }

    /// Hand-typed from FORMATS.md; no MySQL 8 server can run here.
    #[test]
    fn mysql_aborts_and_failed_logins() {
        let t = 1_714_557_600_123; // 2024-05-01 10:00:00.123 UTC
        let table = [
            (
                "2024-05-01T10:00:00.123456Z 42 [Note] [MY-010914] [Server] Aborted connection 42 to db: 'unconnected' user: 'unauthenticated' host: '10.0.1.5' (Got an error reading communication packets).",
                "10.0.1.5",
                Message::HandshakeFailed {
                    reason: "Got an error reading communication packets",
                    kind: FailureKind::Aborted,
                },
            ),
            (
                "2024-05-01T10:00:00.123456Z 43 [Note] [MY-010914] [Server] Aborted connection 43 to db: 'unconnected' user: 'unauthenticated' host: '10.0.1.6' (Bad handshake).",
                "10.0.1.6",
                Message::HandshakeFailed {
                    reason: "Bad handshake",
                    kind: FailureKind::Aborted,
                },
            ),
            // MySQL 5.7 / Aurora MySQL 2: no [MY-] code or subsystem.
            (
                "2024-05-01T10:00:00.123456Z 44 [Note] Aborted connection 44 to db: 'unconnected' user: 'unauthenticated' host: '10.0.1.7' (Got timeout reading communication packets)",
                "10.0.1.7",
                Message::HandshakeFailed {
                    reason: "Got timeout reading communication packets",
                    kind: FailureKind::Aborted,
                },
            ),
            (
                "2024-05-01T10:00:00.123456Z 45 [Note] [MY-010926] [Server] Access denied for user 'bad'@'10.0.1.8' (using password: NO)",
                "10.0.1.8",
                Message::AuthenticationFailed {
                    method: "password",
                    user: "bad",
                },
            ),
        ];
        for (line, host, message) in table {
            assert_eq!(seen(line), expect(t, host, message), "{line}");
        }
    }

    #[test]
    fn every_line_read_holds_a_needle() {
        // The scanner only hands over lines with a needle in them.
        let lines = [
            "2026-11-29  5:20:34 42 [Warning] Aborted connection 42 to db: 'unconnected' user: 'unauthenticated' host: '127.0.0.1' (This connection closed normally without authentication)",
            "2026-11-29  5:20:33 35 [Warning] Access denied for user 'app'@'127.0.0.1' (using password: YES)",
        ];
        assert_read_with_needles(observe, NEEDLES, &lines);
    }

    #[test]
    fn lines_that_say_nothing_about_tls_are_not_read() {
        let table = [
            // Real MariaDB 10.11: authenticated sessions that timed out or
            // were killed, a database refused after login, the packet
            // errors printed before an abort (no host), startup lines.
            "2026-11-29  5:17:25 24 [Warning] Aborted connection 24 to db: 'shop' user: 'app' host: '127.0.0.1' (Got timeout reading communication packets)",
            "2026-11-29  5:17:26 27 [Warning] Aborted connection 25 to db: 'shop' user: 'app' host: '127.0.0.1' (KILLED)",
            "2026-11-29  5:15:00 13 [Warning] Access denied for user ''@'localhost' to database 'shop'",
            "2026-11-29  5:15:35 6 [Warning] Could not write packet: fd: 47  state: 1  errno: 104  vio_errno: 1160  length: 26",
            "2026-11-29  5:15:35 6 [ERROR] mariadbd: Got an error writing communication packets",
            "2026-11-29  5:14:52 0 [Note] mariadbd: ready for connections.",
            "Version: '10.11.19-MariaDB-0+deb12u1-log'  socket: '/var/tmp/mdb-helper/mysqld.sock'  port: 33117  Debian 12",
            "261129  5:14:52 server_audit: MariaDB Audit Plugin version 1.4.14 STARTED.",
            // Hand-typed: MySQL 8 authenticated abort; text that quotes the
            // needle outside a record.
            "2024-05-01T10:00:00.123456Z 42 [Note] [MY-010914] [Server] Aborted connection 42 to db: 'orders' user: 'app' host: '10.0.1.5' (Got an error reading communication packets).",
            "\tAborted connection 4 to db: 'unconnected' user: 'unauthenticated' host: 'x' (y)",
        ];
        assert_not_read(observe, &table);
    }

    #[test]
    fn broken_records_are_reported() {
        let table = [
            "2026-11-29  5:15:35 6 [Warning] Aborted connection 6 to db: 'unconnected' user: 'unauthenticated'",
            "2026-11-29  5:15:35 6 [Warning] Aborted connection 6 to db: 'unconnected' user: 'unauthenticated' host: '127.0.0.1' (no close",
            "2024-05-01T10:00:00.123456Z 45 [Note] [MY-010926] [Server] Access denied for user 'bad' (using password: NO)",
        ];
        assert_broken(observe, &table);
    }

    #[test]
    fn detection() {
        let table = [
            // Real MariaDB 10.11 startup.
            (
                "2026-11-29  5:14:52 0 [Note] Starting MariaDB 10.11.19-MariaDB-0+deb12u1-log source revision 5843d8475120241667a7ce0f8a1abb6c9b43a273 server_uid pzLcZjWDBlSds1fOTz7O1LCK40k= as process 6712\n2026-11-29  5:14:52 0 [Note] InnoDB: Compressed tables use zlib 1.2.13\n261129  5:14:52 server_audit: MariaDB Audit Plugin version 1.4.14 STARTED.\n",
                Some(Engine::Mariadb),
            ),
            // A rotated MariaDB log: no name, but MariaDB's time style.
            (
                "2026-11-29  5:15:35 8 [Warning] Access denied for user 'app'@'127.0.0.1' (using password: YES)\n",
                Some(Engine::Mariadb),
            ),
            // Hand-typed MySQL 8 and 5.7.
            (
                "2024-05-01T10:00:00.123456Z 0 [System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld 8.0.36) starting as process 1\n2024-05-01T10:00:01.000000Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections.\n",
                Some(Engine::Mysql),
            ),
            (
                "2024-05-01T10:00:00.123456Z 0 [Note] InnoDB: Buffer pool(s) load completed at 240501 10:00:00\n",
                Some(Engine::Mysql),
            ),
            // Not error logs: PostgreSQL, general and audit logs, text.
            (
                "2026-11-29 03:52:55.964 UTC [6504] LOG:  database system is ready to accept connections\n",
                None,
            ),
            (
                "261129  5:15:35\t     3 Connect\tapp@127.0.0.1 on shop using TCP/IP\n",
                None,
            ),
            (
                "2024-05-01T10:00:00.123456Z\t   42 Connect\tapp@10.0.1.5 on orders using SSL/TLS\n",
                None,
            ),
            (
                "20261129 05:15:35,vm,app,127.0.0.1,3,0,CONNECT,shop,,0\n",
                None,
            ),
            ("hello world\nsecond line\n", None),
        ];
        assert_detects(detect, &table);
    }
}
