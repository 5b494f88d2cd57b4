//! URLs: go-mssqldb, Prisma, node-mssql, SQLAlchemy.

use super::*;

pub(super) static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(sqlserver|mssql)(?:\+([a-z0-9_]+))?://")
        .expect("URL pattern compiles")
});

pub(super) static URLS: Row<Ms> = Row {
    name: "sqlserver:// URLs",
    wants: |file| file.lower().contains("sqlserver://") || file.lower().contains("mssql"),
    detect: urls,
};

pub(super) fn urls(file: &FileCtx<'_>, found: &mut Found) {
    let text = file.text;
    for (m, whole, rest) in live_urls(text, &URL) {
        let before = text[..whole.start()].bytes().next_back();
        if matches!(before, Some(b':' | b'-' | b'+' | b'.')) || found.claimed.holds(whole.start()) {
            continue;
        }
        let scheme = m[1].to_ascii_lowercase();
        let driver = m.get(2).map(|d| d.as_str().to_ascii_lowercase());
        // Prisma: `sqlserver://host:1433;database=…;encrypt=true`.
        if rest.is_empty() {
            continue;
        }
        let query_at = rest.find('?').unwrap_or(rest.len());
        let host_from = rest[..query_at].rfind('@').map_or(0, |i| i + 1);
        let semicolon = rest[host_from..query_at].find(';').map(|i| host_from + i);
        let (parts, params, shown) = match semicolon {
            Some(i) => {
                let parts = UrlParts::parse(&rest[..i]);
                let (params, masked) = jdbc_props(&rest[i + 1..]);
                let shown = format!("{};{masked}", parts.masked(&rest[..i]));
                (parts, params, shown)
            }
            None => {
                let parts = UrlParts::parse(rest);
                let params = query_params(parts.query);
                let shown = parts.masked(rest);
                (parts, params, shown)
            }
        };
        let encryption = Encryption::read(
            param(&params, "encrypt"),
            param(&params, "trustservercertificate"),
        );
        let authentication =
            param(&params, "authentication").is_some_and(|a| !a.eq_ignore_ascii_case("none"));
        let (stack, facts) = match (scheme.as_str(), driver.as_deref()) {
            ("mssql", Some("pyodbc" | "aioodbc")) => {
                let odbc_name = param(&params, "driver").map(|d| odbc_driver(&d.replace('+', " ")));
                let facts = match odbc_name {
                    Some(OdbcDriver::Microsoft(major)) => encryption
                        .facts(&[major], |e, t, major| {
                            odbc_facts(e, t, major, authentication)
                        }),
                    Some(OdbcDriver::FreeTds) => {
                        freetds_string(param(&params, "encryption"), param(&params, "tdsversion"))
                    }
                    // A DSN or an unnamed driver: its defaults are unknown.
                    _ => encryption.facts(&[17, 18], |e, t, major| {
                        odbc_facts(e, t, major, authentication)
                    }),
                };
                ("SQLAlchemy mssql+pyodbc URL", facts)
            }
            ("mssql", Some("pymssql")) => (
                "SQLAlchemy mssql+pymssql URL",
                freetds_string(param(&params, "encryption"), param(&params, "tdsversion")),
            ),
            ("sqlserver", None) if semicolon.is_some() => (
                "Prisma sqlserver URL",
                encryption.facts(&[()], |e, t, ()| undocumented(e, t)),
            ),
            ("sqlserver", None) => (
                "go-mssqldb URL",
                encryption.facts(&[()], |e, t, ()| go_mssqldb(e, t)),
            ),
            // node-mssql / tedious: encrypt defaults to true from tedious 7
            // (mssql 7); older versions did not encrypt.
            _ => (
                "mssql URL",
                encryption.facts(&[()], |e, t, ()| undocumented(e, t)),
            ),
        };
        let shown = format!("{}{shown}", whole.as_str());
        let span = (whole.start(), whole.end() + rest.len());
        let mut hit = url_hit(file, found, span, stack, facts, &shown);
        hit.host = parts.host;
        hit.port = parts.port;
        hit.user = parts.user.or_else(|| {
            param(&params, "user")
                .or_else(|| param(&params, "userid"))
                .map(str::to_string)
        });
        hit.database =
            param(&params, "database")
                .map(str::to_string)
                .or(if scheme == "sqlserver" {
                    None
                } else {
                    parts.database
                });
        hit.trust_store = param(&params, "certificate")
            .or_else(|| param(&params, "servercertificate"))
            .or_else(|| param(&params, "truststore"))
            .map(str::to_string);
        hit.application = param(&params, "appname")
            .or_else(|| param(&params, "applicationname"))
            .map(str::to_string);
        found.push(hit);
    }
}

stack::case_tests! {
    fn urls(Engine::SqlServer) {
        "db.go", "dsn := \"sqlserver://app:hunter2@db:1433?database=x&encrypt=true&certificate=/etc/ssl/rds.pem\"" => "go-mssqldb URL", "db", 1433, "app", "x", FULL, "/etc/ssl/rds.pem";
        "db.go", "dsn := \"sqlserver://app:hunter2@db:1433?database=x\"" => "go-mssqldb URL", "db", 1433, "app", "x", OPPORTUNISTIC, _;
        "db.go", "dsn := \"sqlserver://app@db?encrypt=disable\"" => "go-mssqldb URL", "db", _, "app", _, PLAIN, _;
        "db.go", "DATABASE_URL=\"sqlserver://db:1433;database=x;user=sa;password=hunter2;encrypt=true\"" => "Prisma sqlserver URL", "db", 1433, "sa", "x", FULL, _;
        "db.go", "engine = create_engine(\"mssql+pyodbc://app:hunter2@db:1433/x?driver=ODBC+Driver+18+for+SQL+Server&TrustServerCertificate=yes\")" => "SQLAlchemy mssql+pyodbc URL", "db", 1433, "app", "x", NO_VERIFY, _;
        "db.go", "engine = create_engine(\"mssql+pyodbc://app@db/x?driver=ODBC+Driver+17+for+SQL+Server\")" => "SQLAlchemy mssql+pyodbc URL", "db", _, "app", "x", OPPORTUNISTIC, _;
        "db.go", "const pool = await sql.connect(\"mssql://app:hunter2@db/x?encrypt=true\")" => "mssql URL", "db", _, "app", "x", FULL, _;
    }
}
