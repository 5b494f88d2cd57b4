//! URIs and JDBC URLs.

use super::*;

pub(super) static URI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?-u:\b)postgres(?:ql)?(\+[a-z0-9_]+)?://[^\s"'`<>\\)]*"#)
        .expect("URI pattern compiles")
});
pub(super) static JDBC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?-u:\b)jdbc:(?:aws-wrapper:|log4jdbc:|p6spy:|otel:|tracing:)?postgresql:[^\s"'`<>\\)]*"#,
    )
    .expect("JDBC pattern compiles")
});

/// A URL without the punctuation prose or markup puts after it.
pub(super) fn trim_url(s: &str) -> &str {
    let mut s = s;
    while let Some(c) = s.chars().last() {
        let strip = match c {
            '.' | ',' | ';' | ':' | '!' | '?' | '*' => true,
            ']' => s.matches('[').count() < s.matches(']').count(),
            '}' => s.matches('{').count() < s.matches('}').count(),
            _ => false,
        };
        if !strip {
            break;
        }
        s = &s[..s.len() - c.len_utf8()];
    }
    s
}

pub(super) fn is_pg_uri(s: &str) -> bool {
    URI.find(s).is_some_and(|m| m.start() == 0)
}

/// The part after `://`.
pub(super) fn after_scheme(url: &str) -> &str {
    url.find("://").map_or("", |i| &url[i + 3..])
}

/// Reads `[user[:password]@][host][:port][,…][/dbname][?k=v&…]`. Query
/// parameters override the URI parts, as in libpq; parameter names are
/// matched in any case. The password is skipped.
pub(super) fn parse_uri(rest: &str) -> Conn {
    let mut c = Conn::default();
    let query_at = rest.find('?').unwrap_or(rest.len());
    let (auth_path, query) = (&rest[..query_at], rest.get(query_at + 1..));
    // The last `@` before the query: an unencoded `@` in a password is a
    // common mistake, and the host must not swallow the password's tail.
    let hostpath = match auth_path.rfind('@') {
        Some(i) => {
            let user = auth_path[..i].split(':').next().unwrap_or("");
            if !user.is_empty() {
                c.user = Some(percent_decode(user));
            }
            &auth_path[i + 1..]
        }
        None => auth_path,
    };
    let (hostspec, path) = match hostpath.find('/') {
        Some(i) => (&hostpath[..i], &hostpath[i + 1..]),
        None => (hostpath, ""),
    };
    if !path.is_empty() {
        c.database = Some(percent_decode(path));
    }
    let (host, port) = parse_hosts(hostspec);
    c.host = host;
    c.port = port;
    // `&amp;` when the URL sits in XML.
    for pair in query.unwrap_or("").replace("&amp;", "&").split('&') {
        if let Some((k, v)) = pair.split_once('=')
            && !k.eq_ignore_ascii_case("password")
        {
            c.set(k, percent_decode(v));
        }
    }
    c
}

/// Hosts joined by `,` (IPv6 brackets dropped), and the first port.
pub(super) fn parse_hosts(spec: &str) -> (Option<String>, Option<String>) {
    let mut hosts = Vec::new();
    let mut first_port = None;
    let mut rest = spec;
    while !rest.is_empty() {
        let (part, tail) = if rest.starts_with('[') {
            let close = rest.find(']').map_or(rest.len(), |i| i + 1);
            let end = rest[close..].find(',').map_or(rest.len(), |i| close + i);
            (&rest[..end], rest.get(end + 1..).unwrap_or(""))
        } else {
            match rest.find(',') {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, ""),
            }
        };
        rest = tail;
        let (host, port) = if let Some(r) = part.strip_prefix('[') {
            match r.find(']') {
                Some(i) => (&r[..i], r[i + 1..].strip_prefix(':')),
                None => (r, None),
            }
        } else {
            match part.rfind(':') {
                Some(i) if !part[..i].ends_with(":-") => (&part[..i], Some(&part[i + 1..])),
                _ => (part, None),
            }
        };
        if !host.is_empty() {
            hosts.push(percent_decode(host));
        }
        if first_port.is_none() {
            first_port = port.filter(|p| !p.is_empty()).map(str::to_string);
        }
    }
    ((!hosts.is_empty()).then(|| hosts.join(",")), first_port)
}

/// The URI is inside another scheme (`r2dbc:postgresql://`, `jdbc:…`).
pub(super) fn wrapped_scheme(text: &str, at: usize) -> bool {
    let b = text.as_bytes();
    at >= 2 && b[at - 1] == b':' && b[at - 2].is_ascii_alphanumeric()
}

/// Something after `://` a client could connect with (not `postgres://` alone,
/// as in `url.replace("postgres://", …)`).
pub(super) fn plausible(rest: &str) -> bool {
    rest.bytes()
        .any(|c| c.is_ascii_alphanumeric() || b"$/{%[".contains(&c))
}

// Every file: the URL pattern is as cheap a test as any needle.
stack::row!(URIS: Pg, "postgres:// URIs", |_| true, uris);

pub(super) fn uris(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    for m in URI.captures_iter(cx.text) {
        let whole = m.get(0).expect("match");
        let at = whole.start();
        if out.claimed.holds(at) || wrapped_scheme(cx.text, at) {
            continue;
        }
        let url = trim_url(whole.as_str());
        let rest = after_scheme(url);
        if !plausible(rest) {
            continue;
        }
        let driver = match m.get(1).map(|d| d.as_str().to_ascii_lowercase()) {
            None => cx.uri_driver(at),
            Some(d) => sqlalchemy_driver(&d),
        };
        out.push(
            found(
                cx,
                at,
                driver.uri_stack(),
                driver,
                parse_uri(rest),
                url.to_string(),
            )
            .unless_cut_at(cx, whole.end()),
        );
    }
}

/// The driver a SQLAlchemy `postgresql+…` scheme names.
pub(super) fn sqlalchemy_driver(suffix: &str) -> Driver {
    match suffix.trim_start_matches('+') {
        "asyncpg" => Driver::Asyncpg,
        "psycopg2" | "psycopg" | "psycopg2cffi" | "psycopg_async" => Driver::Libpq,
        _ => Driver::Other,
    }
}

stack::row!(JDBC_URLS: Pg, "JDBC URLs", |file| file.lower().contains("jdbc:"), jdbc_urls);

pub(super) fn jdbc_urls(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    for m in JDBC.find_iter(cx.text) {
        let at = m.start();
        if out.claimed.holds(at) {
            continue;
        }
        let url = trim_url(m.as_str());
        let Some(i) = url.to_ascii_lowercase().find("postgresql:") else {
            continue;
        };
        let rest = &url[i + "postgresql:".len()..];
        let mut conn = if let Some(r) = rest.strip_prefix("//") {
            parse_uri(r)
        } else {
            // `jdbc:postgresql:dbname?…` / `jdbc:postgresql:/`: local host.
            let (db, query) = rest.split_once('?').unwrap_or((rest, ""));
            let mut c = parse_uri(&format!("/{}?{query}", db.trim_start_matches('/')));
            c.host = None;
            c
        };
        if conn.user.is_none() {
            conn.user = spring_user(cx, at);
        }
        out.push(
            found(
                cx,
                at,
                "JDBC PostgreSQL",
                Driver::Pgjdbc,
                conn,
                url.to_string(),
            )
            .unless_cut_at(cx, m.end()),
        );
    }
}

pub(super) static KEY_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*([\w.\-]*?)url\s*[=:]").expect("url key pattern compiles")
});

/// The user a Spring-style `…url` key's sibling `…username` names:
/// `spring.datasource.username=` in properties, `username:` beside `url:`
/// in YAML.
pub(super) fn spring_user(cx: &Ctx<'_>, at: usize) -> Option<String> {
    let n = cx.line_of(at);
    let line = cx.line_text(n);
    let caps = KEY_URL.captures(line)?;
    let prefix = caps.get(1).map_or("", |p| p.as_str());
    if !prefix.is_empty() {
        let re = Regex::new(&format!(
            r"(?im)^\s*{}(?:username|user)\s*[=:]\s*(\S+)",
            regex::escape(prefix)
        ))
        .ok()?;
        return re.captures(cx.text).map(|c| unquote(&c[1]).to_string());
    }
    let indent = line.len() - line.trim_start().len();
    (n.saturating_sub(8).max(1)..=n + 8).find_map(|k| {
        let l = cx.line_text(k);
        let v = l.trim_start().strip_prefix("username:")?;
        (l.len() - l.trim_start().len() == indent).then(|| unquote(v).to_string())
    })
}

case_table![
    // ---- libpq URIs
    case!(".env", "DATABASE_URL=postgres://app:s3cret@db.example.com:5432/appdb?sslmode=verify-full&sslrootcert=/etc/ssl/certs/global-bundle.pem\n" => "libpq URI", FULL, host "db.example.com", port 5432, user "app", db "appdb", trust "/etc/ssl/certs/global-bundle.pem"),
    case!("config.yaml", "database:\n  url: \"postgresql://app@db.internal/app?sslmode=require\"\n" => "libpq URI", REQUIRE, host "db.internal", user "app", db "app"),
    // Parameters in any order; the root-cert rule makes require verify.
    case!("deploy.sh", "psql 'postgresql://db.example.com:5432/app?sslrootcert=/certs/rds-combined-ca-bundle.pem&application_name=etl&sslmode=require' -c 'select 1'\n" => "libpq URI", CA_ONLY, host "db.example.com", port 5432, db "app", trust "/certs/rds-combined-ca-bundle.pem"),
    case!("deploy-notes.txt", "Connect with `postgres://reporter@reports.example.com/reports` and you are done.\n" => "libpq URI", PREFER, host "reports.example.com", user "reporter", db "reports"),
    case!("config.toml", "url = \"postgres://app:pw@localhost:5432/app?sslmode=disable\"\n" => "libpq URI", PLAIN, host "localhost", port 5432, user "app", db "app"),
    case!("app.ini", "dsn = postgresql://app@db:5432/app?sslmode=verify-ca\n" => "libpq URI", CA_ONLY, host "db", port 5432, user "app", db "app"),
    case!("app.ini", "dsn = postgresql://app@db:5432/app?sslmode=prefer&sslrootcert=/certs/global-bundle.pem\n" => "libpq URI", Facts::new(U, Y, N), host "db", port 5432, user "app", db "app", trust "/certs/global-bundle.pem"),
    // libpq 16: the OS store, only with verify-full.
    case!("app.conf", "db_url postgresql://app@db.example.com/app?sslmode=verify-full&sslrootcert=system\n" => "libpq URI", FULL, host "db.example.com", user "app", db "app", trust "system"),
    case!("app.conf", "db_url postgresql://app@db.example.com/app?sslmode=require&sslrootcert=system\n" => "libpq URI", REQUIRE, host "db.example.com", user "app", db "app", trust "system"),
    // `@` and `/` in the password, percent-encoded.
    case!(".env.production", "DATABASE_URL=\"postgres://alice:p%40ss%2Fw0rd@db.example.com:6432/sales?sslmode=require\"\n" => "libpq URI", REQUIRE, host "db.example.com", port 6432, user "alice", db "sales"),
    // An unencoded `@` in the password: the last one before the path wins.
    case!(".env", "DATABASE_URL=postgres://bob:p@ss@db.example.com/app\n" => "libpq URI", PREFER, host "db.example.com", user "bob", db "app"),
    case!("settings.ini", "url=postgresql://app@[::1]:5433/app?sslmode=verify-ca\n" => "libpq URI", CA_ONLY, host "::1", port 5433, user "app", db "app"),
    case!("settings.ini", "url=postgresql://app@host1:5432,host2:5433/app?target_session_attrs=read-write&sslmode=verify-full\n" => "libpq URI", FULL, host "host1,host2", port 5432, user "app", db "app"),
    // Parameter names in any case.
    case!("settings.ini", "url=postgresql://app@db/app?SSLMODE=verify-full&SSLROOTCERT=/certs/global-bundle.pem\n" => "libpq URI", FULL, host "db", user "app", db "app", trust "/certs/global-bundle.pem"),
    // Placeholders are kept as written; an sslmode placeholder is unknown.
    case!("docker-compose.yml", "services:\n  api:\n    environment:\n      DATABASE_URL: postgres://${DB_USER}:${DB_PASSWORD}@${DB_HOST}:5432/${DB_NAME}?sslmode=${DB_SSLMODE}\n" => "libpq URI", UNKNOWN, host "${DB_HOST}", port 5432, user "${DB_USER}", db "${DB_NAME}"),
    case!("settings.py", "DATABASE_URL = \"postgresql+psycopg2://app@db.example.com/app?sslmode=require\"\n" => "libpq URI", REQUIRE, host "db.example.com", user "app", db "app"),
    case!("settings.py", "DATABASE_URL = \"postgresql+asyncpg://app@db.example.com/app?ssl=require\"\n" => "asyncpg URI", REQUIRE, host "db.example.com", user "app", db "app"),
    // asyncpg prefer never verifies, even with a root certificate.
    case!("db.py", "import asyncpg\nDSN = 'postgresql://app@db/app?sslmode=prefer&sslrootcert=/certs/ca.pem'\n" => "asyncpg URI", OPPORTUNISTIC, host "db", user "app", db "app", trust "/certs/ca.pem"),
    case!("settings.py", "URL = 'postgresql+pg8000://app@db/app'\n" => "SQLAlchemy URI (other driver)", UNKNOWN, host "db", user "app", db "app"),
    // ---- node-postgres URLs: every sslmode but disable/no-verify verifies
    case!("db.js", "const url = 'postgres://app:pw@db.example.com:5432/app?sslmode=require';\n" => "node-postgres URI", FULL, host "db.example.com", port 5432, user "app", db "app", versions &[(Package::NodePg, "8.16.0")]),
    case!("db.ts", "export const url = `postgres://app@db/app?sslmode=no-verify`;\n" => "node-postgres URI", NO_VERIFY, host "db", user "app", db "app", versions &[(Package::NodePg, "8.16.0")]),
    case!("db.mjs", "const url = \"postgres://app@db/app?sslmode=require&uselibpqcompat=true\";\n" => "node-postgres URI", NO_VERIFY, host "db", user "app", db "app", versions &[(Package::NodePg, "8.16.0")]),
    case!("db.cjs", "const url = \"postgres://app@db/app?uselibpqcompat=true&sslmode=require&sslrootcert=/certs/global-bundle.pem\";\n" => "node-postgres URI", CA_ONLY, host "db", user "app", db "app", trust "/certs/global-bundle.pem", versions &[(Package::NodePg, "8.16.0")]),
    case!("db.js", "const url = 'postgres://app@localhost/app';\n" => "node-postgres URI", PLAIN, host "localhost", user "app", db "app"),
    case!("package.json", "{\n  \"scripts\": {\n    \"migrate\": \"DATABASE_URL=postgres://app@db/app?ssl=true node-pg-migrate up\"\n  }\n}\n" => "node-postgres URI", FULL, host "db", user "app", db "app", versions &[(Package::NodePg, "8.16.0")]),
    // ---- Go
    case!("main.go", "import (\n\t\"database/sql\"\n\t_ \"github.com/lib/pq\"\n)\n\nfunc open() {\n\tdb, err := sql.Open(\"postgres\", \"host=db.example.com port=5432 user=app dbname=app sslmode=require\")\n}\n" => "Go lib/pq keyword/value", REQUIRE, host "db.example.com", port 5432, user "app", db "app"),
    // lib/pq: no sslmode means require (TLS certain).
    case!("db.go", "db, err := sql.Open(\"postgres\", \"host=db user=app dbname=app\")\n" => "Go lib/pq keyword/value", REQUIRE, host "db", user "app", db "app", versions &[(Package::GoPq, "v1.10.9")]),
    case!("db.go", "import _ \"github.com/lib/pq\"\nconst dsn = \"host=db user=app dbname=app sslmode=require sslrootcert=/certs/global-bundle.pem\"\n" => "Go lib/pq keyword/value", CA_ONLY, host "db", user "app", db "app", trust "/certs/global-bundle.pem"),
    case!("db.go", "import _ \"github.com/lib/pq\"\nvar db, _ = sql.Open(\"postgres\", \"postgres://app@db/app?sslmode=verify-full\")\n" => "Go lib/pq URI", FULL, host "db", user "app", db "app"),
    // pgx: prefer never verifies, even with sslrootcert.
    case!("pool.go", "import \"github.com/jackc/pgx/v5/pgxpool\"\n\npool, err := pgxpool.New(ctx, \"postgres://app@db:5432/app?sslmode=prefer&sslrootcert=/certs/ca.pem\")\n" => "Go pgx URI", OPPORTUNISTIC, host "db", port 5432, user "app", db "app", trust "/certs/ca.pem"),
    case!("conn.go", "import \"github.com/jackc/pgx/v5\"\n\nconn, err := pgx.Connect(ctx, \"host=db dbname=app sslmode=require\")\n" => "Go pgx keyword/value", REQUIRE, host "db", db "app"),
    // ---- JDBC
    case!("application.properties", "spring.datasource.url=jdbc:postgresql://db.example.com:5432/app?ssl=true\nspring.datasource.username=app\nspring.datasource.password=secret\n" => "JDBC PostgreSQL", FULL, host "db.example.com", port 5432, user "app", db "app"),
    // pgjdbc require never verifies, root.crt or not.
    case!("application.properties", "spring.datasource.url=jdbc:postgresql://db:5432/app?sslmode=require&sslrootcert=/certs/ca.pem\n" => "JDBC PostgreSQL", NO_VERIFY, host "db", port 5432, db "app", trust "/certs/ca.pem"),
    // verify-full (ssl=true) checks the host name whatever the
    // factory.
    case!("hibernate.cfg.xml", "<property name=\"connection.url\">jdbc:postgresql://db/app?ssl=true&amp;sslfactory=org.postgresql.ssl.NonValidatingFactory</property>\n" => "JDBC PostgreSQL", Facts::new(Y, N, Y), host "db", db "app"),
    case!("jdbc.properties", "url=jdbc:postgresql://db/app?sslmode=verify-ca&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory\n" => "JDBC PostgreSQL", CA_ONLY, host "db", db "app", trust "org.postgresql.ssl.DefaultJavaSSLFactory"),
    case!("Main.java", "String url = \"jdbc:postgresql://db.example.com/app\";\n" => "JDBC PostgreSQL", OPPORTUNISTIC, host "db.example.com", db "app"),
    case!("Db.kt", "val url = \"jdbc:postgresql://db:5432/app?user=app&password=hunter2&sslmode=verify-full&sslrootcert=/certs/global-bundle.pem\"\n" => "JDBC PostgreSQL", FULL, host "db", port 5432, user "app", db "app", trust "/certs/global-bundle.pem"),
    case!("application.yml", "spring:\n  datasource:\n    url: jdbc:postgresql://db:5432/app?sslmode=verify-ca\n    username: app\n    password: ${DB_PASSWORD}\n" => "JDBC PostgreSQL", CA_ONLY, host "db", port 5432, user "app", db "app"),
    case!("application.properties", "spring.datasource.url=jdbc:aws-wrapper:postgresql://db.cluster-abc.us-east-1.rds.amazonaws.com:5432/app?sslmode=disable\n" => "JDBC PostgreSQL", PLAIN, host "db.cluster-abc.us-east-1.rds.amazonaws.com", port 5432, db "app"),
];
