use super::*;

pub(crate) fn generate(cfg: &Config) -> (Vec<u8>, Summary) {
    let mut v = Vec::new();
    let s = write_log(cfg, &mut v).expect("write_log");
    (v, s)
}

pub(crate) fn cfg_of(format: LogKind, seed: u64, bytes: u64) -> Config {
    Config {
        format,
        seed,
        target_bytes: bytes,
        ..Config::default()
    }
}

fn cfg(seed: u64, bytes: u64) -> Config {
    cfg_of(LogKind::PostgresRds, seed, bytes)
}

/// The same config gives the same bytes and summary, another seed other
/// bytes; the bytes of seed 7, 2 MiB.
pub(crate) fn assert_deterministic(format: LogKind) -> Vec<u8> {
    let c = cfg_of(format, 7, 2 << 20);
    let (a, sa) = generate(&c);
    let (b, sb) = generate(&c);
    assert_eq!(sa, sb);
    assert!(a == b, "same seed must give identical bytes");
    let (d, _) = generate(&cfg_of(format, 8, 2 << 20));
    assert!(a != d, "different seeds should differ");
    a
}

/// Logs reach their target size (or `floor`, what every log starts with),
/// overshoot it by less than a flush and end in a newline; `each` checks
/// each log further.
pub(crate) fn assert_sizes_match_targets(format: LogKind, floor: u64, each: impl Fn(&[u8])) {
    for target in [1u64, 100_000, 3 << 20] {
        let (v, s) = generate(&cfg_of(format, 1, target));
        assert_eq!(s.bytes, v.len() as u64);
        assert!(s.bytes >= target, "{} < {target}", s.bytes);
        assert!(
            s.bytes < target.max(floor) + 64 * 1024,
            "overshoot: {} for {target}",
            s.bytes
        );
        assert_eq!(v.last(), Some(&b'\n'));
        each(&v);
    }
}

/// Populations of a few clients up to many, around the special kinds'
/// threshold (20), give a log of many lines; `each` checks each further.
pub(crate) fn assert_small_populations_work(
    format: LogKind,
    each: impl Fn(usize, &[u8], &Summary),
) {
    for clients in [1, 2, 5, 19, 20, 1000] {
        let (v, s) = generate(&Config {
            clients,
            ..cfg_of(format, 3, 300_000)
        });
        assert!(s.bytes >= 300_000 && s.lines > 100, "clients={clients}");
        each(clients, &v, &s);
    }
}

const SEVERITIES: &[&str] = &[
    "LOG",
    "ERROR",
    "FATAL",
    "WARNING",
    "DETAIL",
    "HINT",
    "STATEMENT",
    "CONTEXT",
];

/// A parsed prefix: (timestamp, remote, user@db, pid, severity, message).
type Prefix<'a> = (&'a str, &'a str, &'a str, u32, &'a str, &'a str);

/// Parses `%t:%r:%u@%d:[%p]:SEVERITY:  message` strictly.
fn parse(line: &str) -> Option<Prefix<'_>> {
    let b = line.as_bytes();
    if b.len() < 24 || &line[19..24] != " UTC:" {
        return None;
    }
    for (i, &c) in b[..19].iter().enumerate() {
        let ok = match i {
            4 | 7 => c == b'-',
            10 => c == b' ',
            13 | 16 => c == b':',
            _ => c.is_ascii_digit(),
        };
        if !ok {
            return None;
        }
    }
    let ts = &line[..19];
    let rest = &line[24..];
    // %r: empty, [local], or host(port)
    let (remote, rest) = if rest.starts_with(":@:[") {
        ("", &rest[1..])
    } else if let Some(r) = rest.strip_prefix("[local]:") {
        ("[local]", r)
    } else {
        let open = rest.find('(')?;
        let host = &rest[..open];
        if host.is_empty()
            || !host
                .bytes()
                .all(|c| c.is_ascii_hexdigit() || c == b'.' || c == b':')
        {
            return None;
        }
        let close = open + rest[open..].find(')')?;
        let port: u32 = rest[open + 1..close].parse().ok()?;
        if port == 0 || port > 65_535 || rest.as_bytes().get(close + 1) != Some(&b':') {
            return None;
        }
        (&rest[..=close], &rest[close + 2..])
    };
    // %u@%d up to ":[pid]:"
    let mut search = 0;
    loop {
        let k = search + rest[search..].find(":[")?;
        let after = &rest[k + 2..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with("]:") {
            let userdb = &rest[..k];
            if !userdb.contains('@') {
                return None;
            }
            if remote.is_empty() != (userdb == "@") {
                return None;
            }
            let pid: u32 = after[..digits].parse().ok()?;
            let tail = &after[digits + 2..];
            let sev_end = tail.find(":  ")?;
            let sev = &tail[..sev_end];
            if !SEVERITIES.contains(&sev) {
                return None;
            }
            return Some((ts, remote, userdb, pid, sev, &tail[sev_end + 3..]));
        }
        search = k + 2;
    }
}

#[test]
fn parse_rejects_garbage() {
    assert!(parse("2026-11-29 03:52:55 UTC:10.0.3.7(53004):a@b:[6504]:LOG:  x").is_some());
    assert!(parse("2026-11-29 03:52:55 UTC::@:[6504]:LOG:  checkpoint starting: time").is_some());
    assert!(parse("2026-11-29 03:52:55 UTC:[local]:rdsadmin@rdsadmin:[1]:LOG:  x").is_some());
    assert!(parse("2026-11-29 03:52:55 UTC:::1(40522):ops@cron@Sales DW:[8812]:LOG:  x").is_some());
    assert!(parse("2026-11-29 03:52:55 UTC:10.0.3.7(53004):a@b:[6504]:LOG: x").is_none());
    assert!(parse("2026-11-29 03:52:55 UTC:10.0.3.7:a@b:[6504]:LOG:  x").is_none());
    assert!(parse("\tFROM orders").is_none());
}

#[test]
fn deterministic() {
    assert_deterministic(LogKind::PostgresRds);
}

#[test]
fn size_matches_target() {
    assert_sizes_match_targets(LogKind::PostgresRds, 0, |_| {});
}

#[test]
fn invalid_config() {
    assert!(
        write_log(
            &Config {
                clients: 0,
                ..cfg(1, 10)
            },
            Vec::new()
        )
        .is_err()
    );
    let bad = Config {
        connection_share_percent: 101.0,
        ..cfg(1, 10)
    };
    assert!(write_log(&bad, Vec::new()).is_err());
}

#[test]
fn small_populations_work() {
    assert_small_populations_work(LogKind::PostgresRds, |_, v, _| {
        assert!(std::str::from_utf8(v).is_ok());
    });
}

/// Summary counts, prefixes, continuation lines, time order and content checks on one log.
#[test]
fn content_is_consistent_and_realistic() {
    let (v, s) = generate(&cfg(42, 24 << 20));
    let text = std::str::from_utf8(&v).expect("utf-8");

    let mut lines = 0u64;
    let (mut received, mut authorized, mut tls, mut failures, mut conn) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut last_ts = "";
    let mut prev_was_prefixed = false;
    let mut long_lines = 0;
    let mut continuation = 0u64;
    let mut seen = std::collections::BTreeSet::new();
    // time of the last unknown-ca failure per address
    let mut last_unknown_ca: std::collections::HashMap<String, String> = Default::default();
    let mut fallbacks = 0;
    for line in text.split_terminator('\n') {
        lines += 1;
        if line.len() > 2000 {
            long_lines += 1;
        }
        if line.starts_with('\t') {
            assert!(
                prev_was_prefixed,
                "continuation line without a head: {line:?}"
            );
            continuation += 1;
            continue;
        }
        let Some((ts, remote, userdb, _pid, sev, msg)) = parse(line) else {
            panic!("bad prefix: {line:?}");
        };
        prev_was_prefixed = true;
        assert!(ts >= last_ts, "time went backwards at {line:?}");
        last_ts = ts;
        let host = remote.split('(').next().unwrap().to_string();
        if msg.starts_with("connection received: ") {
            received += 1;
            conn += 1;
            assert_eq!(userdb, "[unknown]@[unknown]");
        } else if msg.contains("connection authorized: ") {
            assert!(
                msg.starts_with("connection authorized: user=")
                    || msg.starts_with("replication connection authorized: user=")
            );
            authorized += 1;
            conn += 1;
            if msg.contains(" SSL enabled (protocol=TLSv1.") {
                tls += 1;
                assert!(msg.ends_with(')'));
            } else if let Some(t) = last_unknown_ca.remove(&host)
                && t.as_str() >= secs_before(ts, 1).as_str()
            {
                fallbacks += 1;
            }
            if msg.contains("application_name=puma: cluster worker") {
                seen.insert("puma");
            }
            if msg.contains("application_name=PostgreSQL JDBC Driver") {
                seen.insert("jdbc");
            }
            if msg.contains("application_name=pgAdmin 4 - ") {
                seen.insert("pgadmin");
            }
            if !msg.contains("application_name=") {
                seen.insert("no-app");
            }
            if msg.contains(" SSL enabled (protocol=TLSv1.2, ") {
                seen.insert("tls12");
            }
        } else if msg.starts_with("could not accept SSL connection: ") {
            failures += 1;
            conn += 1;
            assert_eq!(userdb, "[unknown]@[unknown]");
            if msg.ends_with("tlsv1 alert unknown ca") {
                seen.insert("unknown-ca");
                last_unknown_ca.insert(host, ts.to_string());
            } else if msg.ends_with("EOF detected") {
                seen.insert("eof");
            }
        } else if msg.starts_with("connection authenticated: identity=\"") {
            conn += 1;
            assert!(msg.contains(" method=scram-sha-256 (/rdsdbdata/config/pg_hba.conf:1"));
        } else if msg.starts_with("disconnection: session time: ") {
            conn += 1;
            assert!(msg.contains(" user=") && msg.contains(" database=") && msg.contains(" host="));
        } else if sev == "FATAL" && msg.starts_with("no pg_hba.conf entry for host \"") {
            conn += 1;
            assert!(msg.ends_with(", no encryption"));
            seen.insert("hba");
        } else if sev == "FATAL" && msg.starts_with("password authentication failed for user \"") {
            conn += 1;
            seen.insert("password");
        } else if sev == "DETAIL" && msg.starts_with("Connection matched file ") {
            conn += 1;
        } else if msg.starts_with("checkpoint starting: time") {
            assert_eq!(remote, "");
            seen.insert("checkpoint");
        } else if msg.starts_with("automatic vacuum of table ") {
            assert_eq!(userdb, "@");
            seen.insert("autovacuum");
        } else if sev == "STATEMENT" {
            seen.insert("statement-line");
        } else if sev == "ERROR" {
            seen.insert("error");
        } else if msg.starts_with("duration: ") && msg.contains(" ms  statement: ") {
            seen.insert("duration-statement");
        } else if msg.starts_with("duration: ") && msg.contains(" ms  execute ") {
            seen.insert("execute");
        }
        if remote == "[local]" {
            seen.insert("local");
        }
        if remote.starts_with("2600:") {
            seen.insert("ipv6");
        }
        if userdb == "ops@cron@Sales DW" {
            seen.insert("at-user");
        }
    }

    assert_eq!(s.bytes, v.len() as u64);
    assert_eq!(s.lines, lines);
    assert_eq!(s.sessions, received);
    assert_eq!(s.authorized_lines, authorized);
    assert_eq!(s.tls_sessions, tls);
    assert_eq!(s.handshake_failures, failures);
    assert_eq!(
        text.matches("connection authorized: ").count() as u64,
        authorized
    );

    assert!(long_lines > 0, "expected some lines of several KB");
    assert!(continuation > lines / 50, "expected multi-line statements");
    assert!(
        fallbacks > 0,
        "expected unknown-ca followed by a plaintext session from the same host"
    );
    let share = conn as f64 * 100.0 / lines as f64;
    assert!((2.0..4.5).contains(&share), "connection share {share:.2}%");
    assert!(
        tls > authorized / 4 && tls < authorized,
        "tls {tls} of {authorized}"
    );
    for want in [
        "puma",
        "jdbc",
        "pgadmin",
        "no-app",
        "tls12",
        "unknown-ca",
        "eof",
        "hba",
        "password",
        "checkpoint",
        "autovacuum",
        "statement-line",
        "error",
        "duration-statement",
        "execute",
        "local",
        "ipv6",
        "at-user",
    ] {
        assert!(seen.contains(want), "never saw {want}");
    }
}

/// `ts` minus `n` seconds, formatted like `%t` without the zone (only needs to order correctly).
fn secs_before(ts: &str, n: i64) -> String {
    let p = |a: usize, b: usize| ts[a..b].parse::<i64>().unwrap();
    let days = out::days_from_civil(p(0, 4), p(5, 7) as u32, p(8, 10) as u32);
    let secs = days * 86_400 + p(11, 13) * 3600 + p(14, 16) * 60 + p(17, 19) - n;
    let (y, m, d) = out::civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}

/// Every pid's lines follow the session order: nothing but `connection received` or a handshake
/// failure precedes authorization, and nothing of a session follows its disconnection.
#[test]
fn per_pid_order() {
    let (v, _) = generate(&cfg(5, 12 << 20));
    let text = std::str::from_utf8(&v).unwrap();
    #[derive(PartialEq, Clone, Copy, Debug)]
    enum St {
        Received,
        Authorized,
        Closed,
    }
    let mut st: std::collections::HashMap<u32, St> = Default::default();
    for line in text.split_terminator('\n').filter(|l| !l.starts_with('\t')) {
        let (_, remote, _, pid, sev, msg) = parse(line).unwrap();
        if remote.is_empty() {
            continue; // background processes
        }
        if msg.starts_with("connection received: ") {
            if let Some(s) = st.get(&pid) {
                assert!(
                    *s != St::Authorized,
                    "pid {pid} reused while its session is open"
                );
            }
            st.insert(pid, St::Received);
        } else if msg.contains("connection authorized: ") {
            assert_eq!(st.get(&pid), Some(&St::Received), "{line}");
            st.insert(pid, St::Authorized);
        } else if msg.starts_with("connection authenticated: ")
            || msg.starts_with("could not accept SSL connection: ")
            || (sev == "FATAL" && !msg.starts_with("terminating connection"))
            || msg.starts_with("Connection matched file")
        {
            assert_eq!(st.get(&pid), Some(&St::Received), "{line}");
        } else if msg.starts_with("disconnection: ") {
            // sessions open before the file started have no state yet
            assert_ne!(st.get(&pid), Some(&St::Received), "{line}");
            assert_ne!(st.get(&pid), Some(&St::Closed), "{line}");
            st.insert(pid, St::Closed);
        } else {
            assert_ne!(
                st.get(&pid),
                Some(&St::Received),
                "statement before authorization: {line}"
            );
            assert_ne!(
                st.get(&pid),
                Some(&St::Closed),
                "statement after disconnection: {line}"
            );
        }
    }
}

/// The application-family case: three applications whose processes name
/// themselves with volatile parts, most logins under a name of their own.
#[test]
fn volatile_names_make_many_names_of_three_families() {
    let config = Config {
        clients: 3,
        connection_share_percent: 70.0,
        volatile_names: true,
        ..cfg(7, 2 << 20)
    };
    let (log, summary) = generate(&config);
    let text = String::from_utf8(log).unwrap();
    let names: std::collections::HashSet<&str> = text
        .lines()
        .filter_map(|l| l.split_once(" application_name=").map(|(_, n)| n))
        .map(|n| n.split(" SSL enabled").next().unwrap())
        .collect();
    assert!(
        names.len() as u64 * 2 > summary.authorized_lines,
        "{} names for {} logins",
        names.len(),
        summary.authorized_lines
    );
    for name in &names {
        assert!(
            name.starts_with("puma: cluster worker ")
                || name.starts_with("orders-api-")
                || name.starts_with("sidekiq 7.1.2 shop ["),
            "{name}"
        );
    }
}
