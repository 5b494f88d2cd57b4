use std::collections::{BTreeSet, HashMap};

use super::BANNER;
use crate::tests::{
    assert_deterministic, assert_sizes_match_targets, assert_small_populations_work, cfg_of,
    generate,
};
use crate::{Config, LogKind};

fn cfg(seed: u64, bytes: u64) -> Config {
    cfg_of(LogKind::MariadbGeneral, seed, bytes)
}

const COMMANDS: &[&str] = &["Connect", "Query", "Quit", "Init DB", "Prepare", "Execute"];

/// A parsed record: (seconds since 2000-01-01 if timed, thread id, command, argument).
type Record<'a> = (Option<i64>, u64, &'a str, &'a str);

/// `YYMMDD H:MM:SS` (hour space-padded to 2) → seconds since 2000-01-01 00:00:00.
fn stamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 15 || b[6] != b' ' || b[9] != b':' || b[12] != b':' {
        return None;
    }
    let digit = |i: usize| b[i].is_ascii_digit().then(|| i64::from(b[i] - b'0'));
    let two = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
    let (y, m, d) = (two(0)?, two(2)?, two(4)?);
    let hour = if b[7] == b' ' {
        digit(8)?
    } else {
        let h = two(7)?;
        if h < 10 {
            return None; // must be space-padded, not zero-padded
        }
        h
    };
    let (mi, se) = (two(10)?, two(13)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hour > 23 || mi > 59 || se > 59 {
        return None;
    }
    let days = crate::out::days_from_civil(2000 + y, m as u32, d as u32)
        - crate::out::days_from_civil(2000, 1, 1);
    Some(days * 86_400 + hour * 3600 + mi * 60 + se)
}

/// Parses `(YYMMDD H:MM:SS|\t)\t{id:>6} Command\tArgument` strictly.
fn record(line: &str) -> Option<Record<'_>> {
    let (time, rest) = match line.strip_prefix("\t\t") {
        Some(rest) => (None, rest),
        None => {
            if line.as_bytes().get(15) != Some(&b'\t') {
                return None;
            }
            (Some(stamp(line.get(..15)?)?), &line[16..])
        }
    };
    let pad = rest.bytes().take_while(|&c| c == b' ').count();
    let digits = rest[pad..].bytes().take_while(u8::is_ascii_digit).count();
    // right-aligned in 6 columns: padding only up to 6, no leading zero
    if digits == 0 || pad + digits != digits.max(6) || rest.as_bytes()[pad] == b'0' {
        return None;
    }
    let id: u64 = rest[pad..pad + digits].parse().ok()?;
    let rest = rest[pad + digits..].strip_prefix(' ')?;
    let (command, argument) = rest.split_once('\t')?;
    COMMANDS
        .contains(&command)
        .then_some((time, id, command, argument))
}

/// `user@host on db using TRANSPORT` → (user, host, db, transport).
fn login(arg: &str) -> Option<(&str, &str, &str, &str)> {
    let (head, transport) = arg.rsplit_once(" using ")?;
    if !["TCP/IP", "SSL/TLS", "Socket"].contains(&transport) {
        return None;
    }
    let (user_host, db) = head.rsplit_once(" on ")?;
    let (user, host) = user_host.rsplit_once('@')?;
    let plain = |s: &str| !s.is_empty() && !s.contains([' ', '\t', '\'']);
    (plain(user) && plain(host) && (db.is_empty() || plain(db)))
        .then_some((user, host, db, transport))
}

/// `Access denied for user 'u'@'h' (using password: YES|NO)` → (user, host).
fn denied_password(arg: &str) -> Option<(&str, &str)> {
    let rest = arg.strip_prefix("Access denied for user '")?;
    let rest = rest
        .strip_suffix("' (using password: YES)")
        .or_else(|| rest.strip_suffix("' (using password: NO)"))?;
    rest.split_once("'@'")
}

/// `Access denied for user 'u'@'h' to database 'db'` → (user, host, db).
fn denied_database(arg: &str) -> Option<(&str, &str, &str)> {
    let rest = arg.strip_prefix("Access denied for user '")?;
    let (user_host, db) = rest.split_once("' to database '")?;
    let (user, host) = user_host.split_once("'@'")?;
    Some((user, host, db.strip_suffix('\'')?))
}

#[test]
fn record_parser_is_strict() {
    let ok = [
        "261129  5:18:27\t     3 Connect\troot@localhost on  using Socket",
        "261129 15:18:27\t    10 Query\tSELECT 1",
        "\t\t     6 Quit\t",
        "\t\t1234567 Query\tSELECT 1",
        "\t\t    18 Init DB\tAccess denied for user 'app-user'@'%' to database 'no-such.db'",
    ];
    for l in ok {
        assert!(record(l).is_some(), "{l:?}");
    }
    let bad = [
        "261129 05:18:27\t     3 Connect\troot@localhost on  using Socket",
        "261129  5:18:27\t    3 Connect\troot@localhost on  using Socket",
        "\t\t      6 Quit\t",
        "\t\t     6 Quit",
        "\t\t     6 Ping\t",
        "\t\t 000006 Quit\t",
        "  FROM daily",
        "\tFROM daily",
    ];
    for l in bad {
        assert!(record(l).is_none(), "{l:?}");
    }
    assert_eq!(
        login("ops@cron@2600:1f18::1 on reports.v2 using SSL/TLS"),
        Some(("ops@cron", "2600:1f18::1", "reports.v2", "SSL/TLS"))
    );
    assert_eq!(
        login("svc.reporting@10.0.3.41 on  using SSL/TLS"),
        Some(("svc.reporting", "10.0.3.41", "", "SSL/TLS"))
    );
    assert_eq!(login("a@b on c using Carrier pigeon"), None);
}

/// The record parser accepts every record of the real MariaDB 10.11 sample log, and the
/// continuation lines there have the shape the generator writes.
#[test]
fn record_parser_reads_the_real_sample() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../samples/mariadb/general/mariadb-sample-1/mysql-general.log"
    );
    let Ok(sample) = std::fs::read_to_string(path) else {
        return; // not in this checkout
    };
    let (mut records, mut continuation) = (0, 0);
    let mut last = "";
    for line in sample.lines().skip(3) {
        match record(line) {
            Some((_, _, command, arg)) => {
                records += 1;
                last = command;
                match command {
                    "Quit" => assert_eq!(arg, ""),
                    "Connect" => assert!(
                        login(arg).is_some() || denied_password(arg).is_some(),
                        "{line:?}"
                    ),
                    _ => {}
                }
            }
            None => {
                assert_eq!(last, "Query", "{line:?}");
                assert!(!line.starts_with('\t') && !line.is_empty());
                continuation += 1;
            }
        }
    }
    assert!(
        records > 100 && continuation > 20,
        "{records} {continuation}"
    );
}

#[test]
fn banner_matches_the_sample_layout() {
    let lines: Vec<&str> = BANNER.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].contains(", Version: ") && lines[0].ends_with("started with:"));
    assert!(lines[0].contains("MariaDB"));
    assert!(lines[1].starts_with("Tcp port: 3306  Unix socket: "));
    assert_eq!(lines[2], "Time\t\t    Id Command\tArgument");
}

#[test]
fn deterministic() {
    let a = assert_deterministic(LogKind::MariadbGeneral);
    let (p, _) = generate(&cfg_of(LogKind::PostgresRds, 7, 2 << 20));
    assert!(a != p, "the format must matter");
}

#[test]
fn size_matches_target() {
    assert_sizes_match_targets(LogKind::MariadbGeneral, BANNER.len() as u64, |v| {
        assert!(v.starts_with(BANNER.as_bytes()));
    });
}

#[test]
fn small_populations_work() {
    assert_small_populations_work(LogKind::MariadbGeneral, |clients, v, s| {
        assert!(s.sessions > 0 && s.sessions <= s.authorized_lines);
        let text = std::str::from_utf8(v).unwrap();
        let records = text.lines().skip(3).filter_map(record).count();
        assert!(records > 100, "clients={clients}");
    });
}

#[test]
fn share_is_honoured() {
    for share in [1.0, 10.0] {
        let (v, _) = generate(&Config {
            connection_share_percent: share,
            ..cfg(9, 4 << 20)
        });
        let text = std::str::from_utf8(&v).unwrap();
        let lines = text.lines().count() as f64;
        let conn = text
            .lines()
            .filter_map(record)
            .filter(|r| {
                matches!(r.2, "Connect" | "Quit")
                    || (r.2 == "Init DB" && r.3.starts_with("Access denied"))
            })
            .count() as f64;
        let got = conn * 100.0 / lines;
        assert!(
            (share * 0.8..share * 1.25).contains(&got),
            "asked {share} %, got {got:.2} %"
        );
    }
}

/// Layout of every line, per-thread session order, summary counts and content on one log.
#[test]
fn content_is_consistent_and_realistic() {
    let (v, s) = generate(&cfg(42, 24 << 20));
    let text = std::str::from_utf8(&v).expect("utf-8");
    assert!(text.starts_with(BANNER));

    #[derive(Clone, Copy, PartialEq, Debug)]
    enum St {
        /// Login logged; the next record of the id decides.
        LoggedIn {
            tls: bool,
            fresh: bool,
        },
        Failed,
        Quit,
    }
    let mut st: HashMap<u64, St> = HashMap::new();
    let mut lines = 0u64;
    let (mut authorized, mut conn, mut quits) = (0u64, 0u64, 0u64);
    let (mut timed, mut untimed, mut continuation, mut long_lines) = (0u64, 0u64, 0u64, 0u64);
    let mut last_time = i64::MIN;
    let mut max_id = 0u64;
    let mut prev_takes_continuation = false;
    // a Prepare whose `?` has not been seen yet (it may be on a continuation line)
    let mut prepare_without_mark = false;
    let mut open = 0usize;
    let mut interleaved = 0u64;
    let mut seen = BTreeSet::new();

    for line in text.split_terminator('\n').skip(3) {
        lines += 1;
        if line.len() > 2000 {
            long_lines += 1;
        }
        let Some((time, id, command, arg)) = record(line) else {
            assert!(
                prev_takes_continuation,
                "not a record and not a statement's continuation: {line:?}"
            );
            assert!(!line.starts_with('\t') && !line.is_empty(), "{line:?}");
            continuation += 1;
            prepare_without_mark &= !line.contains('?');
            continue;
        };
        assert!(
            !prepare_without_mark,
            "Prepare without a '?' before {line:?}"
        );
        prev_takes_continuation = matches!(command, "Query" | "Prepare" | "Execute");
        match time {
            Some(t) => {
                assert!(t > last_time, "time not increasing at {line:?}");
                last_time = t;
                timed += 1;
            }
            None => {
                assert!(timed > 0, "first record without a time");
                untimed += 1;
            }
        }
        let state = st.get(&id).copied();
        match command {
            "Connect" => {
                conn += 1;
                if let Some((user, host)) = denied_password(arg) {
                    let Some(St::LoggedIn { fresh: true, .. }) = state else {
                        panic!("Access denied without its login: {line:?}");
                    };
                    assert!(!user.is_empty() && !host.is_empty());
                    st.insert(id, St::Failed);
                    open -= 1;
                    seen.insert(if arg.ends_with("password: NO)") {
                        "denied-no-password"
                    } else {
                        "denied-password"
                    });
                    continue;
                }
                let Some((user, host, db, transport)) = login(arg) else {
                    panic!("bad Connect argument: {line:?}");
                };
                assert!(state.is_none(), "thread id reused: {line:?}");
                assert!(id > max_id, "thread ids must increase: {line:?}");
                max_id = id;
                authorized += 1;
                if open >= 2 {
                    interleaved += 1;
                }
                open += 1;
                let tls = transport == "SSL/TLS";
                st.insert(id, St::LoggedIn { tls, fresh: true });
                let local = host == "localhost";
                assert!(local || host.starts_with("10.") || host.starts_with("2600:"));
                assert_eq!(transport == "Socket", local && !tls, "{line:?}");
                seen.insert(match (local, tls) {
                    (true, true) => "socket-tls",
                    (true, false) => "socket",
                    (false, true) => "tls",
                    (false, false) => "tcp",
                });
                if db.is_empty() {
                    seen.insert("no-db");
                }
                if user.contains('@') {
                    seen.insert("at-user");
                }
                if host.contains(':') {
                    seen.insert("ipv6");
                }
                if user == "rdsadmin" {
                    seen.insert("rdsadmin");
                }
            }
            "Init DB" if arg.starts_with("Access denied") => {
                conn += 1;
                let Some((_, host, db)) = denied_database(arg) else {
                    panic!("bad Init DB denial: {line:?}");
                };
                let Some(St::LoggedIn { fresh: true, .. }) = state else {
                    panic!("Access denied without its login: {line:?}");
                };
                assert!(host == "%" || host == "localhost");
                assert!(!db.is_empty());
                st.insert(id, St::Failed);
                open -= 1;
                seen.insert("denied-db");
            }
            "Quit" => {
                conn += 1;
                quits += 1;
                assert_eq!(arg, "", "Quit has an empty argument: {line:?}");
                let Some(St::LoggedIn { .. }) = state else {
                    panic!("Quit outside a session: {line:?}");
                };
                st.insert(id, St::Quit);
                open -= 1;
            }
            _ => {
                assert!(!arg.is_empty(), "{line:?}");
                let Some(St::LoggedIn { tls, .. }) = state else {
                    panic!("{command} outside a session: {line:?}");
                };
                st.insert(id, St::LoggedIn { tls, fresh: false });
                match command {
                    "Init DB" => {
                        assert!(!arg.contains(' '), "{line:?}");
                        seen.insert("init-db");
                    }
                    "Prepare" => {
                        prepare_without_mark = !arg.contains('?');
                        seen.insert("prepare");
                    }
                    "Execute" => {
                        seen.insert("execute");
                    }
                    _ => {}
                }
            }
        }
    }

    let failed = st.values().filter(|s| **s == St::Failed).count() as u64;
    let sessions = authorized - failed;
    // Sessions still open at the end keep their state; TLS is known for the rest from the
    // login, so count it again from the text.
    let tls_logins = text
        .lines()
        .filter_map(record)
        .filter(|r| r.2 == "Connect" && r.3.ends_with(" using SSL/TLS"))
        .filter(|r| st.get(&r.1) != Some(&St::Failed))
        .count() as u64;

    assert_eq!(s.bytes, v.len() as u64);
    assert_eq!(s.lines, lines + 3);
    assert_eq!(s.authorized_lines, authorized);
    assert_eq!(s.sessions, sessions);
    assert_eq!(s.tls_sessions, tls_logins);
    assert_eq!(s.handshake_failures, 0);
    assert_eq!(
        text.matches(" using SSL/TLS\n").count() as u64,
        text.lines()
            .filter_map(record)
            .filter(|r| r.2 == "Connect" && r.3.ends_with(" using SSL/TLS"))
            .count() as u64,
        "a statement looks like a TLS login"
    );

    assert!(
        failed > 0 && failed < authorized / 20,
        "{failed} failed logins"
    );
    assert!(
        quits < sessions && quits > sessions * 3 / 4,
        "{quits} Quit of {sessions}"
    );
    assert!(
        s.tls_sessions > sessions / 4 && s.tls_sessions < sessions * 9 / 10,
        "tls {} of {sessions}",
        s.tls_sessions
    );
    assert!(
        timed > 1000 && untimed > timed * 10,
        "{timed} timed, {untimed} untimed"
    );
    assert!(continuation > lines / 50, "expected multi-line statements");
    assert!(long_lines > 0, "expected some lines of several KB");
    assert!(interleaved > authorized / 2, "sessions should interleave");
    let share = conn as f64 * 100.0 / (lines + 3) as f64;
    assert!((2.5..3.5).contains(&share), "connection share {share:.2}%");
    for want in [
        "socket",
        "socket-tls",
        "tls",
        "tcp",
        "no-db",
        "at-user",
        "ipv6",
        "rdsadmin",
        "denied-password",
        "denied-no-password",
        "denied-db",
        "init-db",
        "prepare",
        "execute",
    ] {
        assert!(seen.contains(want), "never saw {want}");
    }
}
