//! URLs: go-mssqldb, Prisma, node-mssql, SQLAlchemy.

use super::*;

pub(super) static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(sqlserver|mssql)(?:\+([a-z0-9_]+))?://")
        .expect("URL pattern compiles")
});

stack::row!(URLS: Ms, "sqlserver:// URLs",
    |file| file.lower().contains("sqlserver://") || file.lower().contains("mssql"), urls);

pub(super) fn urls(file: &FileCtx<'_>, found: &mut Found) {
    let text = file.text;
    let strings = Strings::new(file);
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
        let (parts, params, mut shown) = match semicolon {
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
        let pyodbc = matches!(
            (scheme.as_str(), driver.as_deref()),
            ("mssql", Some("pyodbc" | "aioodbc"))
        );
        let mut span = (whole.start(), whole.end() + rest.len());
        let odbc_connect = pyodbc
            .then(|| OdbcConnect::find(text, whole.end(), rest))
            .flatten();
        if let Some(connect) = &odbc_connect {
            // Shown decoded, its secrets masked: encoded, they would show.
            let masked = masked_from(
                &connect.decoded,
                &conn_string::sql_server_pairs(&connect.decoded),
                0,
            );
            let before = parts.masked(&rest[..connect.start - whole.end()]);
            let after = text.get(connect.end..span.1).unwrap_or("");
            shown = format!("{before}{masked}{after}");
            span.1 = span.1.max(connect.end);
        }
        // The ODBC string pyodbc is given, read as the connection strings'
        // stack reads one (which then passes over the text claimed here).
        let odbc_string = odbc_connect.and_then(|c| strings.read(&c.decoded, true));
        let (stack, facts) = if let Some(read) = &odbc_string {
            ("SQLAlchemy mssql+pyodbc URL", read.facts)
        } else {
            match (scheme.as_str(), driver.as_deref()) {
                ("mssql", Some("pyodbc" | "aioodbc")) => {
                    let odbc_name =
                        param(&params, "driver").map(|d| odbc_driver(&d.replace('+', " ")));
                    let facts = match odbc_name {
                        Some(OdbcDriver::Microsoft(major)) => encryption
                            .facts(&[major], |e, t, major| {
                                odbc_facts(e, t, major, authentication)
                            }),
                        Some(OdbcDriver::FreeTds) => freetds_string(
                            param(&params, "encryption"),
                            param(&params, "tdsversion"),
                        ),
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
            }
        };
        let shown = format!("{}{shown}", whole.as_str());
        let mut hit = url_hit(file, found, span, stack, facts, &shown);
        if let Some(read) = &odbc_string {
            read.fill(&mut hit);
            found.push(hit);
            continue;
        }
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

/// SQLAlchemy's `odbc_connect` query parameter: the ODBC connection string
/// pyodbc is given instead of the URL's parts, percent-encoded as
/// `quote_plus` writes it (or not encoded at all).
struct OdbcConnect {
    /// Where the value stands in the file.
    start: usize,
    end: usize,
    decoded: String,
}

impl OdbcConnect {
    /// The parameter in the URL whose text after the scheme, `rest`, starts
    /// at `rest_at`. A value not encoded runs past the URL's end (a space
    /// in a driver's name) to the next parameter or the end of the quoted
    /// string or line.
    fn find(text: &str, rest_at: usize, rest: &str) -> Option<OdbcConnect> {
        let query_at = rest.find('?')? + 1;
        let mut at = query_at;
        for param in rest.get(query_at..)?.split('&') {
            if let Some((key, _)) = param.split_once('=')
                && norm_key(key) == "odbcconnect"
            {
                let start = rest_at + at + key.len() + 1;
                let (_, string_end) = enclosing_span(text, start);
                let end = text
                    .get(start..string_end)?
                    .find('&')
                    .map_or(string_end, |i| start + i);
                let decoded = percent_decode(&text.get(start..end)?.replace('+', " "));
                return Some(OdbcConnect {
                    start,
                    end,
                    decoded,
                });
            }
            at += param.len() + 1;
        }
        None
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

    /// SQLAlchemy's `odbc_connect`: the ODBC string pyodbc is given, read
    /// as a connection string, one setting (the URL's own parts are not
    /// used), encoded or not.
    fn odbc_connect(Engine::SqlServer) {
        ".env", "DATABASE_URL=mssql+pyodbc://app:hunter2@/ledger?odbc_connect=DRIVER%3D%7BODBC+Driver+18+for+SQL+Server%7D%3BSERVER%3Dtcp%3Aledger-db%2C1433%3BDATABASE%3Dledger%3BUID%3Dreports%3BPWD%3Dhunter2%3BEncrypt%3Dyes%3BTrustServerCertificate%3Dyes" => "SQLAlchemy mssql+pyodbc URL", "ledger-db", 1433, "reports", "ledger", NO_VERIFY, _;
        "db.py", "engine = create_engine(\"mssql+pyodbc:///?odbc_connect=DRIVER={ODBC Driver 17 for SQL Server};SERVER=ledger-db;DATABASE=ledger;PWD={hunter2}\")" => "SQLAlchemy mssql+pyodbc URL", "ledger-db", _, _, "ledger", OPPORTUNISTIC, _;
        "db.py", "e = create_engine('mssql+pyodbc:///?odbc_connect=Driver%3D%7BODBC%20Driver%2018%20for%20SQL%20Server%7D%3BServer%3Dledger-db%3BEncrypt%3Dno&fast_executemany=True')" => "SQLAlchemy mssql+pyodbc URL", "ledger-db", _, _, _, UNKNOWN, _;
        // A DSN names no server: the URL's own reading, its secret masked.
        ".env", "DB=mssql+pyodbc:///?odbc_connect=DSN%3Dledger%3BUID%3Dapp%3BPWD%3Dhunter2" => "SQLAlchemy mssql+pyodbc URL", _, _, _, _, UNKNOWN, _;
    }
}
