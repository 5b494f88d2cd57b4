//! JDBC: mssql-jdbc and jTDS.

use super::*;

pub(super) static JDBC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)jdbc:(?:aws-wrapper:)?(sqlserver|jtds:sqlserver)://")
        .expect("JDBC pattern compiles")
});

stack::row!(JDBC_URLS: Ms, "JDBC URLs", names_jdbc_url, jdbc_urls);

/// The file names an mssql-jdbc or jTDS URL.
fn names_jdbc_url(file: &FileCtx<'_>) -> bool {
    file.lower().contains("jdbc:sqlserver:") || file.lower().contains("jdbc:jtds:sqlserver:")
}

pub(super) fn jdbc_urls(file: &FileCtx<'_>, found: &mut Found) {
    let version = file.versions.of(Package::MssqlJdbc);
    let encrypt_by_default = eras(version.as_ref(), &[((0, 0, 0), false), ((10, 1, 0), true)]);
    for (m, whole, rest) in live_urls(file.text, &JDBC) {
        if found.claimed.holds(whole.start()) {
            continue;
        }
        let (server, props) = rest.split_once(';').unwrap_or((rest, ""));
        if server.is_empty() && props.is_empty() {
            continue; // `"jdbc:sqlserver://" + host + …`
        }
        let (params, masked_props) = jdbc_props(props);
        let jtds = m[1].to_ascii_lowercase().starts_with("jtds");
        let (server, database) = if jtds {
            match server.split_once('/') {
                Some((s, d)) => (s, Some(d.to_string()).filter(|d| !d.is_empty())),
                None => (server, None),
            }
        } else {
            (server, None)
        };
        let (mut host, mut port) = split_host_port(server);
        if let Some(h) = param(&params, "servername") {
            host = host.or_else(|| Some(h.to_string()));
        }
        if let Some(p) = param(&params, "portnumber").or_else(|| param(&params, "port")) {
            port = port.or_else(|| p.parse().ok());
        }
        let (stack, facts) = if jtds {
            ("JDBC jTDS", jtds_facts(param(&params, "ssl")))
        } else {
            let encryption = Encryption::read(
                param(&params, "encrypt"),
                param(&params, "trustservercertificate"),
            );
            let trust_manager = param(&params, "trustmanagerclass").is_some();
            (
                "JDBC mssql-jdbc",
                encryption.facts(&encrypt_by_default, |e, t, on| {
                    mssql_jdbc(e, t, on, trust_manager)
                }),
            )
        };
        let shown = format!("{}{server};{masked_props}", whole.as_str());
        let span = (whole.start(), whole.end() + rest.len());
        let mut hit = url_hit(file, found, span, stack, facts, &shown);
        hit.host = host;
        hit.port = port;
        hit.user = param(&params, "user")
            .or_else(|| param(&params, "username"))
            .map(str::to_string);
        hit.database = database.or_else(|| {
            param(&params, "databasename")
                .or_else(|| param(&params, "database"))
                .map(str::to_string)
        });
        hit.trust_store = param(&params, "truststore")
            .or_else(|| param(&params, "servercertificate"))
            .map(str::to_string);
        hit.application = param(&params, "applicationname")
            .or_else(|| param(&params, "appname"))
            .map(str::to_string);
        if !jtds {
            hit.driver_version = version.as_ref().map(|v| v.shown());
        }
        found.push(hit);
    }
}

/// jTDS `ssl=`: `off` (default), `request`, `require` (no validation),
/// `authenticate` (validates the chain; jTDS does no host-name check).
pub(super) fn jtds_facts(ssl: Option<&str>) -> Facts {
    match ssl.map(|s| s.to_ascii_lowercase()).as_deref() {
        None | Some("off") => PLAIN,
        Some("request") => OPPORTUNISTIC,
        Some("require") => NO_VERIFY,
        Some("authenticate") => CA_ONLY,
        Some(_) => UNKNOWN,
    }
}

stack::case_tests! {
    fn jdbc_urls(Engine::SqlServer) {
        "application.properties", "spring.datasource.url=jdbc:sqlserver://orders.abc.us-east-1.rds.amazonaws.com:1433;databaseName=orders;encrypt=true;trustServerCertificate=false;hostNameInCertificate=*.abc.us-east-1.rds.amazonaws.com;trustStore=/etc/ssl/rds.jks;trustStorePassword=hunter2" => "JDBC mssql-jdbc", "orders.abc.us-east-1.rds.amazonaws.com", 1433, _, "orders", FULL, "/etc/ssl/rds.jks";
        "application.properties", "url: \"jdbc:sqlserver://db;databaseName=x;user=app;password=hunter2;encrypt=true;trustServerCertificate=true\"" => "JDBC mssql-jdbc", "db", _, "app", "x", NO_VERIFY, _;
        "application.properties", "url=jdbc:sqlserver://db:1433;DatabaseName=x;ENCRYPT=false" => "JDBC mssql-jdbc", "db", 1433, _, "x", UNKNOWN, _;
        "application.properties", "url=jdbc:sqlserver://db:1433;databaseName=x" => "JDBC mssql-jdbc", "db", 1433, _, "x", UNKNOWN, _;
        "application.properties", "url=jdbc:sqlserver://db;encrypt=strict;serverCertificate=/c/db.cer" => "JDBC mssql-jdbc", "db", _, _, _, FULL, "/c/db.cer";
        "application.properties", "url=jdbc:sqlserver://;serverName=db;portNumber=1444;databaseName={x};encrypt=true" => "JDBC mssql-jdbc", "db", 1444, _, "x", FULL, _;
        "application.properties", "url=jdbc:sqlserver://[::1]:1433;encrypt=true" => "JDBC mssql-jdbc", "::1", 1433, _, _, FULL, _;
        "application.properties", "url=jdbc:jtds:sqlserver://db:1433/x;ssl=require" => "JDBC jTDS", "db", 1433, _, "x", NO_VERIFY, _;
        "application.properties", "url=jdbc:jtds:sqlserver://db/x;ssl=authenticate" => "JDBC jTDS", "db", _, _, "x", CA_ONLY, _;
        "application.properties", "url=jdbc:jtds:sqlserver://db/x" => "JDBC jTDS", "db", _, _, "x", PLAIN, _;
    }
}
