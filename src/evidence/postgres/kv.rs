//! libpq keyword/value strings, PDO DSNs, pg_service.conf.

use super::*;

/// libpq connection keywords (libpq-connect.html, PostgreSQL 17).
pub(super) const LIBPQ_KEYS: [&str; 44] = [
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "require_auth",
    "channel_binding",
    "connect_timeout",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "replication",
    "gssencmode",
    "sslmode",
    "requiressl",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslcertmode",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "service",
    "target_session_attrs",
    "load_balance_hosts",
    "min_protocol_version",
    "max_protocol_version",
];

pub(super) static KV_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([a-z_]+)[ \t]*=[ \t]*('(?:[^'\\\n]|\\.)*'|[^\s'"`;,)&]+(?:,[^\s'"`;,)&]+)*)"#)
        .expect("keyword pattern compiles")
});
pub(super) static KV_HINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:host|hostaddr|dbname)[ \t]*=").expect("keyword hint compiles")
});

/// A keyword value: single quotes removed, `\'` and `\\` unescaped.
pub(super) fn kv_value(v: &str) -> String {
    match v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        Some(inner) => inner.replace("\\'", "'").replace("\\\\", "\\"),
        None => v.to_string(),
    }
}

/// Every `key=value` of a conninfo string (lenient: no run rules).
pub(super) fn parse_conninfo(s: &str) -> Conn {
    let mut c = Conn::default();
    for t in KV_TOKEN.captures_iter(s) {
        if &t[1] != "password" {
            c.set(&t[1], kv_value(&t[2]));
        }
    }
    c
}

pub(super) struct Token {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) key: String,
    pub(super) value: String,
}

stack::row!(KEYWORD_STRINGS: Pg, "libpq keyword/value strings",
    |file| KV_HINT.is_match(file.text), keyword_strings);

pub(super) fn keyword_strings(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    let b = cx.text.as_bytes();
    let mut runs: Vec<Vec<Token>> = Vec::new();
    let mut run: Vec<Token> = Vec::new();
    for t in KV_TOKEN.captures_iter(cx.text) {
        let whole = t.get(0).expect("match");
        let (start, end) = (whole.start(), whole.end());
        // `--host=` flags, `ansible_host=`, `$host=`, URL query parameters.
        let glued = start > 0
            && (b[start - 1].is_ascii_alphanumeric() || b"_.-$@:/?&".contains(&b[start - 1]));
        let follows = run.last().is_some_and(|p: &Token| {
            start > p.end
                && cx.text[p.end..start]
                    .bytes()
                    .all(|c| c == b' ' || c == b'\t')
        });
        if !follows && !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
        if glued {
            continue;
        }
        run.push(Token {
            start,
            end,
            key: t[1].to_string(),
            value: kv_value(&t[2]),
        });
    }
    runs.push(run);
    for run in runs {
        let (Some(first), Some(last)) = (run.first(), run.last()) else {
            continue;
        };
        // Python keyword arguments (`host=h, user=u`) and URL queries.
        if matches!(b.get(last.end), Some(b',' | b'&' | b'(')) {
            continue;
        }
        let known = run
            .iter()
            .filter(|t| LIBPQ_KEYS.contains(&t.key.as_str()))
            .count();
        let anchored = run
            .iter()
            .any(|t| matches!(t.key.as_str(), "host" | "hostaddr" | "dbname"));
        if known < 2 || !anchored || out.claimed.holds(first.start) {
            continue;
        }
        let mut conn = Conn::default();
        for t in &run {
            if t.key != "password" {
                conn.set(&t.key, t.value.clone());
            }
        }
        let driver = cx.keyword_driver(first.start);
        let setting = cx.text[first.start..last.end].to_string();
        out.push(
            found(
                cx,
                first.start,
                driver.keyword_stack(),
                driver,
                conn,
                setting,
            )
            .unless_cut_at(cx, last.end),
        );
    }
}

pub(super) static PDO_DSN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)pgsql:((?:[ \t]*[a-z_]+[ \t]*=[^;\x22'\s]*;?)+)")
        .expect("PDO pattern compiles")
});

// Every file: the DSN pattern is as cheap a test as any needle.
stack::row!(PDO: Pg, "PDO DSNs", |_| true, pdo);

/// PHP PDO `pgsql:host=…;port=…;dbname=…;sslmode=…` (libpq underneath).
pub(super) fn pdo(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    for m in PDO_DSN.captures_iter(cx.text) {
        let whole = m.get(0).expect("match");
        if out.claimed.holds(whole.start()) {
            continue;
        }
        let mut conn = Conn::default();
        for pair in m[1].split(';') {
            if let Some((k, v)) = pair.split_once('=')
                && !k.trim().eq_ignore_ascii_case("password")
            {
                conn.set(k.trim(), v.trim().to_string());
            }
        }
        if conn.host.is_none() && conn.database.is_none() {
            continue;
        }
        out.claimed.claim(whole.start(), whole.end());
        let setting = whole.as_str().trim_end_matches(';').to_string();
        out.push(found(
            cx,
            whole.start(),
            "PDO pgsql DSN",
            Driver::Libpq,
            conn,
            setting,
        ));
    }
}

stack::row!(PG_SERVICE: Pg, "pg_service.conf",
    |file| file.name.ends_with("pg_service.conf"), pg_service);

/// `pg_service.conf`: one hit per `[service]` naming a host or database.
pub(super) fn pg_service(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    let mut sections: Vec<(usize, &str, Conn, Vec<String>)> = Vec::new();
    for (i, line) in cx.text.lines().enumerate() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            sections.push((cx.lines.starts()[i], name, Conn::default(), Vec::new()));
        } else if let (Some((k, v)), Some(s)) = (t.split_once('='), sections.last_mut()) {
            let (k, v) = (k.trim(), v.trim());
            if !t.starts_with('#') && k != "password" {
                s.2.set(k, v.to_string());
                s.3.push(format!("{k}={v}"));
            }
        }
    }
    for (at, name, conn, parts) in sections {
        if conn.host.is_some() || conn.database.is_some() {
            let setting = format!("[{name}] {}", parts.join(" "));
            let hit = found(cx, at, "pg_service.conf", Driver::Libpq, conn, setting);
            out.push(hit);
        }
    }
}

case_table![
    // ---- libpq keyword/value strings
    case!("backup.sh", "psql \"host=db.example.com port=5432 dbname='my db' user=app sslmode=verify-full sslrootcert=/certs/global-bundle.pem\" -f dump.sql\n" => "libpq keyword/value", FULL, host "db.example.com", port 5432, user "app", db "my db", trust "/certs/global-bundle.pem"),
    case!("worker.py", "conninfo = \"host=%s port=%s dbname=%s user=%s password=%s\" % (h, p, d, u, pw)\n" => "libpq keyword/value", PREFER, host "%s", user "%s", db "%s"),
    case!("index.php", "$db = new PDO('pgsql:host=db.example.com;port=5432;dbname=shop;sslmode=verify-full;sslrootcert=/etc/ssl/rds.pem', $user, $pass);\n" => "PDO pgsql DSN", FULL, host "db.example.com", port 5432, db "shop", trust "/etc/ssl/rds.pem"),
    case!("pg_service.conf", "# services\n[reports]\nhost=reports.example.com\nport=5432\ndbname=reports\nuser=reader\nsslmode=verify-ca\nsslrootcert=/certs/global-bundle.pem\n" => "pg_service.conf", CA_ONLY, host "reports.example.com", port 5432, user "reader", db "reports", trust "/certs/global-bundle.pem"),
    // PHP pg_connect / pg_pconnect take a libpq string.
    case!("db.php", "<?php\n$conn = pg_connect(\"host=db.example.com port=5432 dbname=shop user=app password=hunter2 sslmode=verify-full sslrootcert=/etc/ssl/rds.pem\");\n" => "libpq keyword/value", FULL, host "db.example.com", port 5432, user "app", db "shop", trust "/etc/ssl/rds.pem"),
    case!("db.php", "<?php\n$conn = pg_pconnect(\"host=$host dbname=shop user=app\");\n" => "libpq keyword/value", PREFER, host "$host", user "app", db "shop"),
];
