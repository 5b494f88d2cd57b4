//! The general query log (`general_log=1`, `log_output=FILE`) of MySQL 5.7/8,
//! Aurora MySQL and MariaDB: one record per client command,
//! `<time>\t<thread id> <Command>\t<argument>`.
//!
//! MySQL prints an ISO-8601 time on every record. MariaDB prints
//! `YYMMDD H:MM:SS` only when the second changes and starts the other
//! records with two tabs; their time is that of the nearest timed record
//! above. Statements are written raw, so a multi-line statement continues
//! on lines without a time, thread or command: a line is a record only when
//! it has the whole shape. (A statement line that copies that shape
//! exactly cannot be told from a record; nothing on the line says so.)

use memchr::memrchr_iter;
use nom::{
    IResult, Parser,
    bytes::complete::take_till1,
    character::complete::{char, space0, u32 as dec_u32},
    sequence::{preceded, terminated},
};

use super::common::{access_denied, short_time};
use crate::format::Engine;
use crate::observation::{
    Authorized, Disconnected, LineOutcome, Malformed, Message, Millis, Observation, Remote,
    Transport,
};
use crate::time::parse_timestamp;

/// Literals every line this parser reads contains: the commands with the
/// space after the thread id and the tab before the argument, so statements
/// that merely mention them are not split.
pub const NEEDLES: &[&str] = &[" Connect\t", " Quit\t", " Init DB\tAccess denied"];

/// How far back a MariaDB record without a time looks for one. A second of
/// a busy server's log rarely exceeds it; past it the time stays unknown
/// rather than scanning without bound for every record.
pub(crate) const LOOKBACK: usize = 64 * 1024;

/// Reads one line.
/// `before` holds the chunk's bytes before the line: MariaDB prints the
/// time only on the first record of each second. The line itself shows
/// which layout it has, so the engine is not needed to read it.
pub fn observe(
    _engine: Engine,
    line: &str,
    before: &[u8],
    lookback: &mut Lookback,
    emit: &mut dyn FnMut(Observation<'_>),
) -> LineOutcome {
    let record = record(line)?;
    let pid = Some(record.thread);
    let mut time = |stamp| match stamp {
        Stamp::At(millis) => Some(millis),
        Stamp::SameSecond => time_before(before, lookback),
    };
    match record.command {
        "Connect" => Some(connect(record.argument).map(|(message, remote)| {
            emit(Observation {
                time: time(record.stamp),
                pid,
                remote: Some(remote),
                stored_application: None,
                message,
            })
        })),
        // A login whose default database it may not use fails after its
        // `Connect` line; the host named is the grant's (`'%'`), not the
        // client's.
        "Init DB" => {
            let (user, database) = database_denied(record.argument)?;
            emit(Observation {
                time: time(record.stamp),
                pid,
                remote: None,
                stored_application: None,
                message: Message::Refused {
                    user: Some(user),
                    database: Some(database),
                    // The thread's `Connect` line told both.
                    application: None,
                    transport: Transport::Unknown,
                    reason: "access denied to the database",
                },
            });
            Some(Ok(()))
        }
        // The argument is empty; the thread id is all `Quit` says.
        "Quit" => {
            emit(Observation {
                time: time(record.stamp),
                pid,
                remote: None,
                stored_application: None,
                message: Message::Disconnected(Disconnected {
                    session_millis: None,
                    user: None,
                    database: None,
                    remote: None,
                }),
            });
            Some(Ok(()))
        }
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stamp {
    At(Millis),
    /// MariaDB's two leading tabs: the second of the last timed record.
    SameSecond,
}

struct Record<'a> {
    stamp: Stamp,
    thread: u32,
    command: &'a str,
    argument: &'a str,
}

/// `<thread id right-aligned> <Command>\t`, returning the argument as the
/// rest. MySQL pads the id to 5 columns, MariaDB to 6.
fn thread_and_command(input: &str) -> IResult<&str, (u32, &str)> {
    (
        preceded(space0, dec_u32),
        preceded(char(' '), terminated(take_till1(|c| c == '\t'), char('\t'))),
    )
        .parse(input)
}

/// A MySQL ISO-8601 time (`log_timestamps` UTC, `…Z`, or SYSTEM, `…+02:00`)
/// or a MariaDB `YYMMDD H:MM:SS`.
fn record_time(stamp: &str) -> Option<Millis> {
    if stamp.as_bytes().get(10) == Some(&b'T') {
        parse_timestamp(stamp).map(|t| t.millis)
    } else {
        short_time(stamp)
    }
}

fn record(line: &str) -> Option<Record<'_>> {
    let (rest, stamp) = match line.strip_prefix("\t\t") {
        Some(rest) => (rest, Stamp::SameSecond),
        None => {
            let (stamp, rest) = line.split_once('\t')?;
            (rest, Stamp::At(record_time(stamp)?))
        }
    };
    let (argument, (thread, command)) = thread_and_command(rest).ok()?;
    Some(Record {
        stamp,
        thread,
        command,
        argument,
    })
}

/// What the look-back for times has learnt so far in one chunk. Records
/// of a chunk are read in order, so each look-back only scans the lines
/// since the previous one: without this, every record of a busy second
/// re-scans the whole second (35× slower on 1,000 records a second). A scan
/// owns one per chunk; a single line read alone gets a fresh one.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lookback {
    /// How much of the chunk has been scanned.
    scanned: usize,
    /// The nearest timed record within it.
    timed: Option<Timed>,
    /// The nearest timed record before the chunk: how far its start lies
    /// before the chunk's, and its time. A chunk boundary inside a second
    /// must not leave the records after it without a time.
    outer: Option<(usize, Millis)>,
}

impl Lookback {
    /// The look-back of a chunk after `outer`, the bytes before it (whole
    /// lines, as much of [`LOOKBACK`] as there is).
    pub fn after(outer: &[u8]) -> Lookback {
        Lookback {
            outer: nearest_timed(outer, 0).map(|t| (outer.len() - t.at, t.millis)),
            ..Lookback::default()
        }
    }
}

/// A timed record: its offset in the chunk, and its time.
#[derive(Debug, Clone, Copy)]
struct Timed {
    at: usize,
    millis: Millis,
}

/// The time of the nearest record above that carries one, within
/// [`LOOKBACK`] bytes.
fn time_before(before: &[u8], lookback: &mut Lookback) -> Option<Millis> {
    let from = if lookback.scanned <= before.len() {
        lookback.scanned
    } else {
        *lookback = Lookback {
            outer: lookback.outer,
            ..Lookback::default()
        };
        0
    };
    let timed = nearest_timed(before, from).or(lookback.timed);
    lookback.scanned = before.len();
    lookback.timed = timed;
    match timed {
        Some(t) => (before.len() - t.at <= LOOKBACK).then_some(t.millis),
        // None in the chunk above the line: the one before the chunk.
        None => lookback
            .outer
            .filter(|&(distance, _)| before.len() + distance <= LOOKBACK)
            .map(|(_, millis)| millis),
    }
}

/// The nearest timed record among the lines of `before` that start at or
/// after `from` (a line start) and within [`LOOKBACK`] bytes of its end.
fn nearest_timed(before: &[u8], from: usize) -> Option<Timed> {
    let floor = from.max(before.len().saturating_sub(LOOKBACK));
    let region = &before[floor..];
    // A floor cut by the look-back limit starts mid-line: that piece is not
    // a line.
    let first_is_line = floor == from;
    let mut end = region.len();
    let starts = memrchr_iter(b'\n', region)
        .map(|newline| newline + 1)
        .chain(first_is_line.then_some(0));
    for start in starts {
        let line = &region[start..end];
        end = start.saturating_sub(1);
        // Untimed records start with a tab; only a timed one starts with a
        // digit (a statement's continuation might too, hence the parse).
        // (A space instead of the tab: a copy whose tabs became spaces.)
        if line.first().is_some_and(u8::is_ascii_digit)
            && matches!(line.get(15), Some(b'\t' | b' '))
            && let Some(millis) = std::str::from_utf8(&line[..15]).ok().and_then(short_time)
        {
            return Some(Timed {
                at: floor + start,
                millis,
            });
        }
    }
    None
}

/// The vio type names `get_vio_type_name()` (MySQL) and `vio_type_name()`
/// (MariaDB) print after `using`. TLS replaces the transport under it, so
/// TLS over the unix socket also reads `SSL/TLS`.
fn transport(name: &str) -> Option<Transport<'static>> {
    match name {
        "SSL/TLS" => Some(Transport::Tls(None)),
        "TCP/IP" | "Socket" | "Named Pipe" | "Shared Memory" => Some(Transport::Plain),
        // In-server sessions and X Plugin sessions: the name says nothing
        // about TLS.
        "Internal" | "Plugin" => Some(Transport::Unknown),
        _ => None,
    }
}

/// `Access denied for user 'u'@'h' to database 'd'`: the user and database.
fn database_denied(argument: &str) -> Option<(&str, &str)> {
    let quoted = argument.strip_prefix("Access denied for user '")?;
    let (user_host, database) = quoted.rsplit_once("' to database '")?;
    let (user, _grant_host) = user_host.rsplit_once("'@'")?;
    Some((user, database.strip_suffix('\'')?))
}

/// A `Connect` argument: a login, or the error a failed one logs instead.
///
/// Logins read `user@host on db using TRANSPORT`, or with a proxy user
/// `user@host as authenticated on db using TRANSPORT`; the database is
/// empty (two spaces) when none was given; MySQL 5.6 and older MariaDB
/// print no `using` clause. MariaDB writes the login line *before* checking
/// the password, so a failed login there is this line followed by an
/// `Access denied` `Connect` of the same thread.
fn connect(argument: &str) -> Result<(Message<'_>, Remote<'_>), Malformed> {
    if let Some(denied) = access_denied(argument) {
        let (user, host) = denied?;
        return Ok((
            Message::AuthenticationFailed {
                method: "password",
                user,
            },
            Remote { host, port: None },
        ));
    }
    let (head, transport) = match argument.rsplit_once(" using ") {
        Some((head, name)) => match transport(name) {
            Some(transport) => (head, transport),
            None => (argument, Transport::Unknown),
        },
        None => (argument, Transport::Unknown),
    };
    let (user, host, database) =
        user_host_database(head).ok_or(Malformed("Connect: expected user@host on database"))?;
    Ok((
        Message::Authorized(Authorized {
            replication: false,
            user,
            database: (!database.is_empty()).then_some(database),
            application: None,
            transport,
            gss: None,
            ambiguous_tls: false,
            application_with_clause: None,
        }),
        Remote { host, port: None },
    ))
}

/// Splits `user@host[ as authenticated] on db`. User names may hold `@`,
/// spaces and ` on `; hosts hold neither spaces nor `@`, so the host is
/// the first `@`-led word that is followed by ` on ` or ` as `.
fn user_host_database(head: &str) -> Option<(&str, &str, &str)> {
    for (at, _) in head.match_indices('@') {
        let (user, after) = (head.get(..at)?, head.get(at + 1..)?);
        let (host, tail) = after.split_once(' ')?;
        if host.is_empty() || host.contains('@') {
            continue;
        }
        let database = match tail.strip_prefix("as ") {
            Some(proxied) => proxied.split_once(" on ").map(|(_, db)| db),
            None => tail.strip_prefix("on "),
        };
        if let Some(database) = database {
            return Some((user, host, database));
        }
    }
    None
}

/// The `mysqld, Version: … started with:` line each (re)start writes.
fn banner(line: &str) -> bool {
    line.contains(", Version: ") && line.trim_end().ends_with("started with:")
}

/// Whether the head of a file is this log, and of which engine: the banner
/// names MariaDB in its version; otherwise the column header (MariaDB
/// separates it with tabs, MySQL with spaces) or the record times (ISO on
/// MySQL 5.7+) tell.
pub fn detect(lines: &[String]) -> Option<Engine> {
    let (mut named, mut header, mut records) = (None, None, 0);
    let (mut iso, mut short) = (0, 0);
    for line in lines {
        if banner(line) {
            let mariadb = line.contains("MariaDB") || line.contains("mariadbd");
            named = Some(if mariadb {
                Engine::Mariadb
            } else {
                Engine::Mysql
            });
        } else if line.starts_with("Time") && line.contains("Id Command") {
            header = Some(if line.contains('\t') {
                Engine::Mariadb
            } else {
                Engine::Mysql
            });
        } else if let Some(record) = record(line) {
            records += 1;
            match record.stamp {
                Stamp::At(_) if line.as_bytes().get(10) == Some(&b'T') => iso += 1,
                _ => short += 1,
            }
        }
    }
    let by_times = || match (iso, short) {
        (0, 0) => None,
        _ if iso >= short => Some(Engine::Mysql),
        _ => Some(Engine::Mariadb),
    };
    // Statements may span many lines, but a third of records is still a
    // lot for text that is not a general log: the record shape is strict.
    let mostly_records = records > 0 && records * 3 >= lines.len();
    if named.is_none() && header.is_none() && !mostly_records {
        return None;
    }
    named.or_else(by_times).or(header)
}

#[cfg(test)]
mod tests {
    //! MariaDB lines are real MariaDB 10.11.19 lines (Debian 12, OpenSSL 3),
    //! copied from a throwaway server's general log. MySQL 8 lines are
    //! hand-typed from FORMATS.md and the `File_query_log::write_general`
    //! layout (`%5u `); no MySQL 8 server can run here.

    use super::super::common::testing::{assert_detects, authorized, disconnected};
    use super::*;
    use crate::observation::Tls;

    /// What `observe` made of one line: owned, so that it outlives the
    /// borrow of the line.
    #[derive(Debug, PartialEq)]
    struct Seen {
        time: Option<Millis>,
        pid: Option<u32>,
        host: Option<String>,
        message: String,
    }

    /// What `observe_log` reads of a log whose every read line is whole.
    fn observe_whole(log: &str) -> Vec<Seen> {
        observe_log(log)
            .into_iter()
            .map(|(line, seen)| seen.unwrap_or_else(|why| panic!("{line}: {why:?}")))
            .collect()
    }

    /// Runs `observe` over every line of `log` the way the scanner does
    /// (with the bytes before each line), keeping the lines it reads.
    fn observe_log(log: &str) -> Vec<(String, Result<Seen, Malformed>)> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut lookback = Lookback::default();
        for line in log.split_inclusive('\n') {
            let text = line.trim_end_matches('\n');
            let mut seen = None;
            let outcome = observe(
                Engine::Mariadb,
                text,
                &log.as_bytes()[..start],
                &mut lookback,
                &mut |o| {
                    seen = Some(Seen {
                        time: o.time,
                        pid: o.pid,
                        host: o.remote.map(|r| r.host.to_string()),
                        message: format!("{:?}", o.message),
                    })
                },
            );
            match outcome {
                Some(Ok(())) => out.push((text.to_string(), Ok(seen.expect("emitted")))),
                Some(Err(why)) => out.push((text.to_string(), Err(why))),
                None => assert!(seen.is_none(), "{text}"),
            }
            start += line.len();
        }
        out
    }

    fn denied(user: &'static str) -> String {
        format!(
            "{:?}",
            Message::AuthenticationFailed {
                method: "password",
                user,
            }
        )
    }

    fn seen(time: Millis, pid: u32, host: Option<&str>, message: String) -> Seen {
        Seen {
            time: Some(time),
            pid: Some(pid),
            host: host.map(str::to_string),
            message,
        }
    }

    const TLS: Transport<'static> = Transport::Tls(None::<Tls<'static>>);
    /// 2026-11-29 05:20:33 UTC.
    const T1: Millis = 1_795_929_633_000;

    /// Real MariaDB 10.11 lines, a contiguous stretch of the log: TCP,
    /// IPv6 and TLS logins, a multi-line statement whose continuation lines
    /// hold `Quit`/`Connect` text, a client rejecting the server
    /// certificate (no line at all), failed logins (a wrong password; a
    /// `REQUIRE SSL` account without TLS), a user and a database with
    /// spaces, the time changing mid-way, and socket logins with and
    /// without TLS.
    const MARIADB_LOG: &str = "\
261129  5:20:33\t    31 Connect\tapp@127.0.0.1 on shop using TCP/IP
\t\t    31 Query\tselect 1
\t\t    31 Quit\t
\t\t    32 Connect\tapp@::1 on shop using SSL/TLS
\t\t    32 Query\tselect 1
\t\t    32 Quit\t
\t\t    33 Connect\tapp@127.0.0.1 on shop using SSL/TLS
\t\t    33 Query\tselect 'Quit
\t\tQuit\t
Connect\tapp@10.9.9.9 on shop using SSL/TLS
\t  42 Connect\tx@y on z using TCP/IP
    7 Quit\t' as q
\t\t    33 Quit\t
\t\t    35 Connect\tapp@127.0.0.1 on shop using SSL/TLS
\t\t    35 Connect\tAccess denied for user 'app'@'127.0.0.1' (using password: YES)
\t\t    36 Connect\ttlsonly@127.0.0.1 on  using TCP/IP
\t\t    36 Connect\tAccess denied for user 'tlsonly'@'127.0.0.1' (using password: YES)
\t\t    37 Connect\tsp ace@127.0.0.1 on my db using SSL/TLS
\t\t    37 Query\tselect 1
\t\t    37 Quit\t
\t\t    38 Connect\tapp@127.0.0.1 on shop using SSL/TLS
\t\t    38 Query\tselect sleep(1.1)
261129  5:20:34\t    38 Quit\t
\t\t    39 Connect\tapp@127.0.0.1 on shop using SSL/TLS
\t\t    39 Query\tselect 2
\t\t    39 Quit\t
\t\t    40 Connect\troot@localhost on  using Socket
\t\t    40 Query\tselect 1
\t\t    40 Quit\t
\t\t    41 Connect\troot@localhost on  using SSL/TLS
\t\t    41 Query\tselect 1
\t\t    41 Quit\t
";

    /// The real banner a (re)start writes above the records.
    const MARIADB_BANNER: &str = "\
mariadbd, Version: 10.11.19-MariaDB-0+deb12u1-log (Debian 12). started with:
Tcp port: 33117  Unix socket: /var/tmp/mdb-helper/mysqld.sock
Time\t\t    Id Command\tArgument
";

    #[test]
    fn real_mariadb_records_with_times_carried_from_above() {
        let local = Some("127.0.0.1");
        let shop = Some("shop");
        let expected = vec![
            seen(T1, 31, local, authorized("app", shop, Transport::Plain)),
            seen(T1, 31, None, disconnected()),
            seen(T1, 32, Some("::1"), authorized("app", shop, TLS)),
            seen(T1, 32, None, disconnected()),
            seen(T1, 33, local, authorized("app", shop, TLS)),
            seen(T1, 33, None, disconnected()),
            seen(T1, 35, local, authorized("app", shop, TLS)),
            seen(T1, 35, local, denied("app")),
            seen(T1, 36, local, authorized("tlsonly", None, Transport::Plain)),
            seen(T1, 36, local, denied("tlsonly")),
            seen(T1, 37, local, authorized("sp ace", Some("my db"), TLS)),
            seen(T1, 37, None, disconnected()),
            seen(T1, 38, local, authorized("app", shop, TLS)),
            seen(T1 + 1000, 38, None, disconnected()),
            seen(T1 + 1000, 39, local, authorized("app", shop, TLS)),
            seen(T1 + 1000, 39, None, disconnected()),
            seen(
                T1 + 1000,
                40,
                Some("localhost"),
                authorized("root", None, Transport::Plain),
            ),
            seen(T1 + 1000, 40, None, disconnected()),
            seen(
                T1 + 1000,
                41,
                Some("localhost"),
                authorized("root", None, TLS),
            ),
            seen(T1 + 1000, 41, None, disconnected()),
        ];
        let log = format!("{MARIADB_BANNER}{MARIADB_LOG}");
        assert_eq!(observe_whole(&log), expected);
    }

    #[test]
    fn every_line_read_holds_a_needle() {
        // The scanner only hands over lines with a needle in them.
        for line in MARIADB_LOG.lines() {
            if observe(
                Engine::Mariadb,
                line,
                b"",
                &mut Lookback::default(),
                &mut |_| {},
            )
            .is_some()
            {
                assert!(NEEDLES.iter().any(|n| line.contains(n)), "{line}");
            }
        }
    }

    #[test]
    fn resumed_and_fresh_look_backs_agree() {
        let log = format!("{MARIADB_BANNER}{MARIADB_LOG}");
        let in_order = observe_log(&log);
        // Each line again with no resume point, as the scanner's replays of
        // single lines (`scan_line`) read them.
        let mut fresh = Vec::new();
        let mut start = 0;
        for line in log.split_inclusive('\n') {
            let mut time = None;
            let read = observe(
                Engine::Mariadb,
                line.trim_end_matches('\n'),
                &log.as_bytes()[..start],
                &mut Lookback::default(),
                &mut |o| time = Some(o.time),
            );
            if read.is_some() {
                fresh.push(time.expect("emitted"));
            }
            start += line.len();
        }
        let times: Vec<_> = in_order
            .iter()
            .map(|(_, seen)| seen.as_ref().unwrap().time)
            .collect();
        assert_eq!(times, fresh);
    }

    #[test]
    fn mariadb_records_without_a_timed_record_above_have_no_time() {
        let log = "\t\t    32 Connect\tapp@::1 on shop using SSL/TLS\n";
        let observed = observe_log(log);
        assert_eq!(observed.len(), 1);
        assert_eq!(observed[0].1.as_ref().unwrap().time, None);
        // A timed line further back than the look-back window is not used.
        let filler = "\t\t    31 Query\tselect 1\n".repeat(LOOKBACK / 20);
        let far = format!(
            "261129  5:20:33\t    31 Connect\tapp@127.0.0.1 on shop using TCP/IP\n{filler}{log}"
        );
        let observed = observe_log(&far);
        assert_eq!(observed.len(), 2);
        assert_eq!(observed[1].1.as_ref().unwrap().time, None);
    }

    /// Hand-typed from FORMATS.md; no MySQL 8 server can run here.
    #[test]
    fn mysql8_records_each_carry_an_iso_time() {
        let log = "\
/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:
Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock
Time                 Id Command    Argument
2024-05-01T10:00:00.123456Z\t   42 Connect\tapp@10.0.1.5 on orders using SSL/TLS
2024-05-01T10:00:00.124001Z\t   42 Query\tSET autocommit=1
2024-05-01T10:00:00.200000Z\t   43 Connect\tops@cron@10.0.1.6 as ops on  using TCP/IP
2024-05-01T10:00:00.300000Z\t   44 Connect\tAccess denied for user 'bad'@'10.0.1.7' (using password: NO)
2024-05-01T12:00:00.250000+02:00\t   45 Connect\tlegacy@10.0.1.8 on orders
2024-05-01T10:00:00.400000Z\t   46 Connect Out\trepl@10.0.0.1:3306
2024-05-01T10:05:00.000001Z\t   42 Quit\t
";
        let t = 1_714_557_600_000; // 2024-05-01 10:00:00 UTC
        let expected = vec![
            seen(
                t + 123,
                42,
                Some("10.0.1.5"),
                authorized("app", Some("orders"), TLS),
            ),
            seen(
                t + 200,
                43,
                Some("10.0.1.6"),
                authorized("ops@cron", None, Transport::Plain),
            ),
            seen(t + 300, 44, Some("10.0.1.7"), denied("bad")),
            seen(
                t + 250,
                45,
                Some("10.0.1.8"),
                authorized("legacy", Some("orders"), Transport::Unknown),
            ),
            seen(t + 300_000, 42, None, disconnected()),
        ];
        assert_eq!(observe_whole(log), expected);
    }

    #[test]
    fn connect_arguments() {
        let table = [
            // Real MariaDB 10.11.
            (
                "app@127.0.0.1 on shop using TCP/IP",
                "app",
                "127.0.0.1",
                Some("shop"),
                Transport::Plain,
            ),
            (
                "root@localhost on  using SSL/TLS",
                "root",
                "localhost",
                None,
                TLS,
            ),
            (
                "sp ace@127.0.0.1 on my db using SSL/TLS",
                "sp ace",
                "127.0.0.1",
                Some("my db"),
                TLS,
            ),
            // Hand-typed: names with `@`, ` on ` and `using` in them, a
            // proxy user, old servers without `using`, other vio types.
            (
                "john@example.com@10.0.0.1 on db using TCP/IP",
                "john@example.com",
                "10.0.0.1",
                Some("db"),
                Transport::Plain,
            ),
            (
                "a on b@h on c on d using SSL/TLS",
                "a on b",
                "h",
                Some("c on d"),
                TLS,
            ),
            (
                "u@h as proxied user on  using Named Pipe",
                "u",
                "h",
                None,
                Transport::Plain,
            ),
            (
                "u@h as anonymous on db",
                "u",
                "h",
                Some("db"),
                Transport::Unknown,
            ),
            (
                "u@h on reports using old",
                "u",
                "h",
                Some("reports using old"),
                Transport::Unknown,
            ),
            (
                "u@h on  using Shared Memory",
                "u",
                "h",
                None,
                Transport::Plain,
            ),
            ("u@h on  using Internal", "u", "h", None, Transport::Unknown),
        ];
        for (argument, user, host, database, transport) in table {
            let (message, remote) = connect(argument).expect(argument);
            let Message::Authorized(a) = message else {
                panic!("{argument}")
            };
            assert_eq!(
                (a.user, remote.host, a.database),
                (user, host, database),
                "{argument}"
            );
            assert_eq!(a.transport, transport, "{argument}");
        }
    }

    #[test]
    fn broken_connect_records_are_reported() {
        // Hand-typed: an empty argument, a refusal worded otherwise, no
        // host, an unquoted user.
        let table = [
            "261129  5:15:35\t     3 Connect\t",
            "261129  5:15:35\t     3 Connect\tHost '10.0.0.9' is blocked because of many connection errors",
            "\t\t     3 Connect\tapp@ on shop using TCP/IP",
            "\t\t     3 Connect\tAccess denied for user 'app' (using password: YES)",
        ];
        for line in table {
            assert!(
                matches!(
                    observe(
                        Engine::Mariadb,
                        line,
                        b"",
                        &mut Lookback::default(),
                        &mut |_| {}
                    ),
                    Some(Err(_))
                ),
                "{line}"
            );
        }
    }

    #[test]
    fn non_records_are_not_read() {
        let table = [
            // Real MariaDB 10.11: continuation lines of a statement and the
            // column header.
            "Connect\tapp@10.9.9.9 on shop using SSL/TLS",
            "\t  42 Connect\tx@y on z using TCP/IP",
            "\t\tQuit\t",
            "    7 Quit\t' as q",
            "Time\t\t    Id Command\tArgument",
            // Hand-typed: an error-log line, a bad time, another command.
            "2026-11-29  5:15:35 0 [Note] Connect\tx",
            "not a time\t     3 Connect\tapp@h on d using TCP/IP",
            "\t\t     3 Query\tselect 'Connect\t'",
        ];
        for line in table {
            assert_eq!(
                observe(
                    Engine::Mariadb,
                    line,
                    b"",
                    &mut Lookback::default(),
                    &mut |_| {}
                ),
                None,
                "{line}"
            );
        }
    }

    #[test]
    fn detection() {
        let table = [
            (MARIADB_BANNER, Some(Engine::Mariadb)),
            // A rotated MariaDB log without the banner.
            (MARIADB_LOG, Some(Engine::Mariadb)),
            // Hand-typed: RDS names MySQL's binary mysqld and MariaDB's
            // too; MySQL 8.
            (
                "/rdsdbbin/mysql/bin/mysqld, Version: 10.6.14-MariaDB-log (managed by https://aws.amazon.com/rds/). started with:\n",
                Some(Engine::Mariadb),
            ),
            (
                "/rdsdbbin/mysql/bin/mysqld, Version: 8.0.35 (Source distribution). started with:\nTcp port: 3306  Unix socket: /tmp/mysql.sock\nTime                 Id Command    Argument\n",
                Some(Engine::Mysql),
            ),
            (
                "2024-05-01T10:00:00.123456Z\t   42 Connect\tapp@10.0.1.5 on orders using SSL/TLS\n",
                Some(Engine::Mysql),
            ),
            // Not general logs: PostgreSQL, a real MariaDB error and audit
            // log, text.
            (
                "2026-11-29 03:52:55 UTC::@:[6504]:LOG:  checkpoint starting: time\n",
                None,
            ),
            (
                "2026-11-29  5:20:33 34 [Warning] Aborted connection 34 to db: 'unconnected' user: 'unauthenticated' host: '127.0.0.1' (This connection closed normally without authentication)\n",
                None,
            ),
            (
                "20261129 05:20:33,vm,app,127.0.0.1,31,0,CONNECT,shop,,0\n",
                None,
            ),
            ("hello world\nsecond line\n", None),
        ];
        assert_detects(detect, &table);
    }

    /// Real MariaDB 10.11 lines: a login refused its default database.
    #[test]
    fn a_database_refused_after_connect_is_a_refusal_of_that_thread() {
        let log = "\t\t    18 Connect\tapp-user@127.0.0.43 on no-such.db using SSL/TLS\n\t\t    18 Init DB\tAccess denied for user 'app-user'@'%' to database 'no-such.db'\n\t\t    19 Init DB\tshop\n";
        let lines: Vec<&str> = log.lines().collect();
        let mut seen = Vec::new();
        for line in &lines {
            observe(
                Engine::Mariadb,
                line,
                b"",
                &mut Lookback::default(),
                &mut |o| seen.push((o.pid, format!("{:?}", o.message))),
            );
        }
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(seen[1].0, Some(18));
        assert!(
            seen[1]
                .1
                .starts_with("Refused { user: Some(\"app-user\"), database: Some(\"no-such.db\")"),
            "{seen:?}"
        );
        assert!(NEEDLES.iter().any(|n| lines[1].contains(n)));
    }
}
