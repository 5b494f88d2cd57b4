//! Python: psycopg / asyncpg calls, SQLAlchemy create_engine.

use super::*;

pub(super) static PY_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(psycopg2|psycopg|psycopg_pool|asyncpg)((?:\s*\.\s*[A-Za-z_]\w*)+)\s*\(")
        .expect("Python call pattern compiles")
});
pub(super) static SA_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)create_(?:async_)?engine\s*\(").expect("create_engine pattern compiles")
});

pub(super) const PY_CONNECTORS: [&str; 9] = [
    "connect",
    "create_pool",
    "SimpleConnectionPool",
    "ThreadedConnectionPool",
    "PersistentConnectionPool",
    "ConnectionPool",
    "AsyncConnectionPool",
    "NullConnectionPool",
    "Pool",
];

/// A DSN literal: URL or conninfo.
pub(super) fn parse_dsn(s: &str) -> Option<Conn> {
    if is_pg_uri(s) {
        Some(parse_uri(after_scheme(s)))
    } else if KV_TOKEN.is_match(s) {
        Some(parse_conninfo(s))
    } else {
        None
    }
}

stack::row!(PYTHON_CALLS: Pg, "psycopg and asyncpg calls",
    |file| lang_file_with(file, Lang::Python, &PY_CALL), python_calls);

pub(super) fn python_calls(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    let lex = cx.lex();
    for m in PY_CALL.captures_iter(cx.text) {
        let whole = m.get(0).expect("match");
        let attr: String = m[2].chars().filter(|c| !c.is_whitespace()).collect();
        if !attr
            .rsplit('.')
            .next()
            .is_some_and(|last| PY_CONNECTORS.contains(&last))
            || lex.in_comment(whole.start())
        {
            continue;
        }
        let paren = whole.end() - 1;
        let Some(close) = lex.closing(paren) else {
            continue;
        };
        if out.claimed.holds(whole.start()) {
            continue;
        }
        let asyncpg = &m[1] == "asyncpg";
        let mut conn = Conn::default();
        let mut kwargs = Conn::default();
        let mut ssl_arg = None;
        let mut parts = Vec::new();
        let mut any = false;
        for e in lex.entries(cx.text, paren, close) {
            let v = e.text(cx.text);
            match e.key_lower().as_deref() {
                None | Some("dsn" | "conninfo") => {
                    if let Some(dsn) = literal(v).and_then(parse_dsn) {
                        conn = dsn;
                        parts.push(v.to_string());
                        any = true;
                    }
                }
                Some("kwargs") => {
                    let Some((o, c)) = lex.object_at(cx.text, e.value.0) else {
                        continue;
                    };
                    for k in lex.entries(cx.text, o, c) {
                        if let Some(key) = k.key_lower().filter(|key| key != "password") {
                            let v = as_written(k.text(cx.text));
                            parts.push(format!("{key}={v}"));
                            kwargs.set(&key, v);
                            any = true;
                        }
                    }
                }
                Some("ssl") if asyncpg => {
                    ssl_arg = Some(v);
                    parts.push(format!("ssl={}", collapse(v)));
                    any = true;
                }
                Some(
                    k @ ("host" | "hostaddr" | "port" | "user" | "dbname" | "database" | "sslmode"
                    | "sslrootcert" | "application_name"),
                ) => {
                    kwargs.set(k, as_written(v));
                    parts.push(format!("{k}={}", collapse(v)));
                    any = true;
                }
                _ => {}
            }
        }
        if !any {
            continue;
        }
        conn.overlay(kwargs);
        let callee = format!("{}{attr}", &m[1]);
        let setting = format!("{callee}({})", parts.join(", "));
        out.claimed.claim(whole.start(), close + 1);
        let f = if asyncpg {
            let mut f = found(
                cx,
                whole.start(),
                "asyncpg connect()",
                Driver::Asyncpg,
                conn,
                setting,
            );
            if let Some(v) = ssl_arg {
                (f.facts, f.trust) = asyncpg_ssl(cx, v, &f.conn, f.trust.take());
            }
            f
        } else {
            found(
                cx,
                whole.start(),
                "psycopg connect()",
                Driver::Libpq,
                conn,
                setting,
            )
        };
        out.push(f);
    }
}

/// asyncpg's `ssl=` argument: an sslmode string, True (a default context:
/// full verification against the system store), False, or an SSLContext
/// built in this file.
pub(super) fn asyncpg_ssl(
    cx: &Ctx<'_>,
    v: &str,
    conn: &Conn,
    trust: Option<String>,
) -> (Facts, Option<String>) {
    if let Some(mode) = literal(v) {
        return (
            prefer_skips_facts(Some(mode), conn.sslrootcert.as_deref()),
            trust,
        );
    }
    match v.trim() {
        "True" => return (FULL, trust),
        "False" => return (PLAIN, trust),
        "None" => {
            return (
                prefer_skips_facts(conn.sslmode.as_deref(), conn.sslrootcert.as_deref()),
                trust,
            );
        }
        _ => {}
    }
    let v = v.trim();
    let (mut fx, mut cafile) = (UNKNOWN, None);
    let context_args = if v.starts_with("ssl.create_default_context(") {
        Some(v.to_string())
    } else if is_ident(v) {
        let re = Regex::new(&format!(
            r"(?-u:\b){}\s*=\s*(ssl\.create_default_context\([^)]*\)|ssl\.SSLContext\()",
            regex::escape(v)
        ))
        .ok();
        re.and_then(|re| re.captures(cx.text).map(|c| c[1].to_string()))
    } else {
        None
    };
    if let Some(ctx) = &context_args {
        if ctx.starts_with("ssl.create_default_context") {
            fx = FULL;
            cafile = Regex::new(r#"cafile\s*=\s*["']([^"']+)["']"#)
                .ok()
                .and_then(|re| re.captures(ctx).map(|c| c[1].to_string()));
        } else {
            fx = Facts::new(Y, U, U);
        }
    }
    if is_ident(v) {
        let name = regex::escape(v);
        let set = |pattern: &str| {
            Regex::new(&format!(r"(?-u:\b){name}\.{pattern}")).is_ok_and(|re| re.is_match(cx.text))
        };
        if set(r"verify_mode\s*=\s*ssl\.CERT_NONE") {
            fx = NO_VERIFY;
        } else if set(r"check_hostname\s*=\s*False") {
            fx = Facts::new(Y, fx.verifies_chain, N);
        }
        if let Some(c) = Regex::new(&format!(
            r#"(?-u:\b){name}\.load_verify_locations\(\s*(?:cafile\s*=\s*)?["']([^"']+)["']"#
        ))
        .ok()
        .and_then(|re| re.captures(cx.text))
        {
            cafile = Some(c[1].to_string());
            if fx.verifies_chain == U {
                fx = Facts::new(Y, Y, fx.verifies_hostname);
            }
        }
    }
    if fx.uses_tls == U && context_args.is_none() && !is_ident(v) {
        return (UNKNOWN, trust);
    }
    if fx.uses_tls == U {
        fx = Facts::new(Y, U, U);
    }
    (fx, cafile.or(trust))
}

stack::row!(SQL_ALCHEMY: Pg, "SQLAlchemy create_engine",
    |file| lang_file_with(file, Lang::Python, &SA_CALL), sqlalchemy);

/// SQLAlchemy `create_engine("postgresql+driver://…", connect_args={…})`:
/// `connect_args` reach the driver's connect call.
pub(super) fn sqlalchemy(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    let lex = cx.lex();
    for m in SA_CALL.find_iter(cx.text) {
        let paren = m.end() - 1;
        let Some(close) = lex.closing(paren) else {
            continue;
        };
        if lex.in_comment(m.start()) || out.claimed.holds(m.start()) {
            continue;
        }
        let mut url = None;
        let mut args = Conn::default();
        let mut ssl_arg = None;
        let mut parts = Vec::new();
        for e in lex.entries(cx.text, paren, close) {
            let v = e.text(cx.text);
            match e.key_lower().as_deref() {
                None | Some("url") if url.is_none() => {
                    if let Some(u) = literal(v).filter(|u| is_pg_uri(u)) {
                        url = Some(u);
                        parts.push(v.to_string());
                    }
                }
                Some("connect_args") => {
                    let Some((o, c)) = lex.object_at(cx.text, e.value.0) else {
                        continue;
                    };
                    let mut inner = Vec::new();
                    for k in lex.entries(cx.text, o, c) {
                        let Some(key) = k.key_lower().filter(|key| key != "password") else {
                            continue;
                        };
                        let kv = k.text(cx.text);
                        inner.push(format!("{key}: {}", collapse(kv)));
                        if key == "ssl" {
                            ssl_arg = Some(kv);
                        } else {
                            args.set(&key, as_written(kv));
                        }
                    }
                    parts.push(format!("connect_args={{{}}}", inner.join(", ")));
                }
                _ => {}
            }
        }
        let driver = match url {
            Some(u) => URI
                .captures(u)
                .and_then(|c| {
                    c.get(1)
                        .map(|d| sqlalchemy_driver(&d.as_str().to_ascii_lowercase()))
                })
                .unwrap_or(Driver::Libpq),
            // Without a literal URL only libpq's own keywords say postgres.
            None if args.sslmode.is_some() || args.sslrootcert.is_some() => Driver::Libpq,
            None => continue,
        };
        let mut conn = url.map_or_else(Conn::default, |u| parse_uri(after_scheme(u)));
        conn.overlay(args);
        let setting = format!("{}{})", &cx.text[m.start()..m.end()], parts.join(", "));
        let mut f = found(
            cx,
            m.start(),
            "SQLAlchemy create_engine()",
            driver,
            conn,
            setting,
        );
        if let (Driver::Asyncpg, Some(v)) = (driver, ssl_arg) {
            (f.facts, f.trust) = asyncpg_ssl(cx, v, &f.conn, f.trust.take());
        }
        out.claimed.claim(m.start(), close + 1);
        out.push(f);
    }
}

case_table![
    // ---- Python drivers
    case!("db.py", "import psycopg2\nconn = psycopg2.connect(\n    host=\"db.example.com\",\n    dbname=\"app\",\n    user=\"app\",\n    password=os.environ[\"PGPASSWORD\"],\n    sslmode=\"verify-full\",\n    sslrootcert=\"/certs/global-bundle.pem\",\n)\n" => "psycopg connect()", FULL, host "db.example.com", user "app", db "app", trust "/certs/global-bundle.pem"),
    case!("db.py", "import psycopg\nwith psycopg.connect(\"host=db dbname=app user=app sslmode=require\") as conn:\n    pass\n" => "psycopg connect()", REQUIRE, host "db", user "app", db "app"),
    case!("db.py", "import asyncpg\nconn = await asyncpg.connect(host='db', database='app', user='app', ssl='require')\n" => "asyncpg connect()", REQUIRE, host "db", user "app", db "app"),
    case!("db.py", "pool = await asyncpg.create_pool('postgresql://app@db/app', ssl=True)\n" => "asyncpg connect()", FULL, host "db", user "app", db "app"),
    case!("db.py", "import ssl\nctx = ssl.create_default_context()\nctx.check_hostname = False\nctx.verify_mode = ssl.CERT_NONE\nconn = await asyncpg.connect(dsn, ssl=ctx)\n" => "asyncpg connect()", NO_VERIFY),
    case!("db.py", "ctx = ssl.create_default_context(cafile='/certs/global-bundle.pem')\npool = await asyncpg.create_pool(host='db', ssl=ctx)\n" => "asyncpg connect()", FULL, host "db", trust "/certs/global-bundle.pem"),
    case!("db.py", "engine = create_engine(\n    \"postgresql+psycopg2://app@db/app\",\n    connect_args={\"sslmode\": \"verify-ca\", \"sslrootcert\": \"/certs/global-bundle.pem\"},\n)\n" => "SQLAlchemy create_engine()", CA_ONLY, host "db", user "app", db "app", trust "/certs/global-bundle.pem"),
];
