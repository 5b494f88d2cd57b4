//! mysql:// URLs (DATABASE_URL, SQLAlchemy, Prisma, MySQL Shell, …).

use super::*;

pub(super) static PLAIN_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(mysql2|mysqlx|mysql|mariadb|trilogy)(?:\+([a-z0-9_]+))?://")
        .expect("URL pattern compiles")
});

stack::row!(PLAIN_URLS: My, "mysql:// URLs", mentions, plain_urls);

pub(super) fn plain_urls(file: &FileCtx<'_>, found: &mut Found) {
    let (text, lines) = (file.text, file.lines());
    for (m, whole, rest) in live_urls(text, &PLAIN_URL) {
        // The URLs Node ORMs take are theirs, read with the options beside them.
        if found.claimed.holds(whole.start()) {
            continue;
        }
        // `jdbc:mysql://`, `jdbc:mysql:loadbalance://` are Connector/J's.
        let before = text[..whole.start()].bytes().next_back();
        if matches!(before, Some(b':' | b'-' | b'+' | b'.' | b'_')) {
            continue;
        }
        if rest.is_empty() {
            continue;
        }
        let parts = UrlParts::parse(rest);
        // golang-migrate style `mysql://user:pass@tcp(host)/db`: the Go DSN
        // detector reports it.
        if parts.host.as_deref().is_some_and(|h| {
            let h = h.to_ascii_lowercase();
            h.starts_with("tcp(") || h.starts_with("tcp6(") || h.starts_with("unix(")
        }) {
            continue;
        }
        let scheme = m[1].to_ascii_lowercase();
        let driver = m.get(2).map(|d| d.as_str().to_ascii_lowercase());
        let params = query_params(parts.query);
        let (stack, facts) = url_facts(&scheme, driver.as_deref(), &params);
        let facts = unless_cut(facts, text, whole.end() + rest.len());
        let engine = if scheme == "mariadb" {
            Engine::Mariadb
        } else {
            Engine::Mysql
        };
        let raw = format!("{}{}", whole.as_str(), parts.masked(rest));
        let mut hit = ConfigHit::new(lines.line(whole.start()), stack, engine, facts, &raw);
        hit.host = parts.host;
        hit.port = parts.port;
        hit.user = parts.user;
        hit.database = parts.database;
        hit.trust_store = ["sslca", "sslcapath", "sslcert", "sslrootcert"]
            .iter()
            .find_map(|k| param(&params, k))
            .map(|v| unquote(v).trim_matches(['(', ')']).to_string());
        found.push(hit);
    }
}

/// Which client reads the URL decides the defaults; the scheme and the
/// SQLAlchemy `+driver` say which.
pub(super) fn url_facts(
    scheme: &str,
    driver: Option<&str>,
    params: &[(String, String)],
) -> (&'static str, Facts) {
    let mode = param(params, "sslmode").and_then(SslMode::parse);
    // A TLS parameter from a variable: whatever it holds decides.
    let from_elsewhere = [
        "sslmode",
        "sslverify",
        "sslverifyservercert",
        "sslaccept",
        "ssldisabled",
        "sslverifycert",
        "sslverifyidentity",
    ]
    .iter()
    .any(|k| param(params, k).is_some_and(is_placeholder));
    let ca = param(params, "sslca")
        .or_else(|| param(params, "sslcapath"))
        .is_some();
    let verify = param(params, "sslverify")
        .or_else(|| param(params, "sslverifyservercert"))
        .and_then(parse_bool);
    let (stack, facts) = match (scheme, driver) {
        ("mysql" | "mariadb", Some("pymysql" | "aiomysql" | "asyncmy")) => {
            // SQLAlchemy turns `ssl_ca=…` into PyMySQL's `ssl={"ca": …}`,
            // which verifies the chain and (unless `ssl_check_hostname=false`)
            // the host.
            let facts = if ca {
                let host = param(params, "sslcheckhostname")
                    .and_then(parse_bool)
                    .unwrap_or(true);
                Facts::new(Yes, Yes, Fact::from(host))
            } else {
                OPPORTUNISTIC
            };
            ("SQLAlchemy mysql+pymysql URL", facts)
        }
        ("mysql" | "mariadb", Some("mysqlconnector")) => {
            let facts = connector_python(
                param(params, "ssldisabled").map(Literal::of),
                param(params, "sslverifycert").map(Literal::of),
                param(params, "sslverifyidentity").map(Literal::of),
                ca,
            );
            ("SQLAlchemy mysql+mysqlconnector URL", facts)
        }
        ("mysqlx", _) => {
            // X DevAPI / MySQL Shell: ssl-mode defaults to REQUIRED, and a CA
            // alone means VERIFY_CA (as in the mysql CLI).
            let mode = mode.unwrap_or(if ca {
                SslMode::VerifyCa
            } else {
                SslMode::Required
            });
            ("mysqlx URI", mode.facts())
        }
        _ => {
            let stack = match scheme {
                "mysql2" => "mysql2 URL (Rails)",
                "trilogy" => "trilogy URL (Rails)",
                "mariadb" => "mariadb URL",
                _ => "mysql URL",
            };
            let facts = if let Some(mode) = mode {
                mode.facts()
            } else if let Some(verify) = verify {
                // Rails' `sslverify` / libmysqlclient's
                // `ssl-verify-server-cert`: VERIFY_IDENTITY.
                if verify {
                    FULL
                } else {
                    Facts::new(if ca { Yes } else { Unknown }, No, No)
                }
            } else if let Some(ssl) = param(params, "ssl") {
                // Node mysql2 JSON-parses URL parameters: `ssl={"rejectUnauthorized":false}`.
                node_ssl(unquote(ssl)).0
            } else if let Some(accept) = param(params, "sslaccept") {
                // Prisma: `strict` (the default) verifies, `accept_invalid_certs` does not.
                if accept.eq_ignore_ascii_case("accept_invalid_certs") {
                    OPPORTUNISTIC
                } else {
                    Facts::new(Unknown, Yes, Yes)
                }
            } else if ca {
                // The mysql CLI and MySQL Shell take a CA alone as VERIFY_CA;
                // the C API (mysql2 gem, mysqlclient) stays PREFERRED without
                // verification; MariaDB Connector/C ≥ 3.4 verifies. The URL
                // does not say which client reads it.
                UNKNOWN
            } else {
                SslMode::Preferred.facts()
            };
            (stack, facts)
        }
    };
    (stack, if from_elsewhere { UNKNOWN } else { facts })
}

stack::case_tests! {
    fn mysql_urls(Engine::Mysql) {
        ".env", "DATABASE_URL=mysql2://app:hunter2@db.example.com:3306/app_production?sslca=/etc/ssl/certs/rds.pem&sslverify=true" => "mysql2 URL (Rails)", "db.example.com", 3306, "app", "app_production", V_ID, "/etc/ssl/certs/rds.pem";
        ".env", "DATABASE_URL=\"mysql://app:hunter2@db/app\"" => "mysql URL", "db", _, "app", "app", PREF, _;
        ".env", "url = mysql://app@db/app?ssl-mode=VERIFY_IDENTITY" => "mysql URL", "db", _, "app", "app", V_ID, _;
        ".env", "url = mysql://app@db/app?ssl_mode=required" => "mysql URL", "db", _, "app", "app", REQ, _;
        ".env", "url = mysql://app@db/app?sslMode=DISABLED" => "mysql URL", "db", _, "app", "app", PLAIN, _;
        ".env", "url = mysql://app@db/app?ssl-ca=%2Fetc%2Fssl%2Frds.pem" => "mysql URL", "db", _, "app", "app", UNKNOWN, "/etc/ssl/rds.pem";
        ".env", "create_engine(\"mysql+pymysql://app:hunter2@db:3306/app?ssl_ca=/certs/global-bundle.pem\")" => "SQLAlchemy mysql+pymysql URL", "db", 3306, "app", "app", V_ID, "/certs/global-bundle.pem";
        ".env", "create_engine('mysql+pymysql://app@db/app?ssl_ca=/c.pem&ssl_check_hostname=false')" => "SQLAlchemy mysql+pymysql URL", "db", _, "app", "app", V_CA, "/c.pem";
        ".env", "create_engine('mysql+pymysql://app@db/app')" => "SQLAlchemy mysql+pymysql URL", "db", _, "app", "app", PREF, _;
        ".env", "create_engine('mysql+mysqlconnector://app@db/app?ssl_ca=/c.pem&ssl_verify_cert=true')" => "SQLAlchemy mysql+mysqlconnector URL", "db", _, "app", "app", V_CA, "/c.pem";
        ".env", r#"mysql.createConnection('mysql://app@db/app?ssl={"rejectUnauthorized":false}')"# => "mysql URL", "db", _, "app", "app", REQ, _;
        ".env", "DATABASE_URL=\"mysql://app@db:3306/app?sslaccept=strict&sslcert=./rds.pem\"" => "mysql URL", "db", 3306, "app", "app", Facts::new(Unknown, Yes, Yes), "./rds.pem";
        ".env", "shell.connect('mysqlx://app@db:33060/app')" => "mysqlx URI", "db", 33060, "app", "app", REQ, _;
        ".env", "[link](mysql://db/app)." => "mysql URL", "db", _, _, "app", PREF, _;
    }

    fn mariadb_urls(Engine::Mariadb) {
        ".env", "DATABASE_URL=mariadb://app@[2001:db8::5]:3306/app?ssl-mode=VERIFY_CA" => "mariadb URL", "2001:db8::5", 3306, "app", "app", V_CA, _;
    }
}
