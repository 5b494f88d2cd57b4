//! .NET connection strings of MySqlConnector and Connector/NET (MySql.Data)
//! in `appsettings*.json`, `App.config`/`Web.config` and code:
//! `Server=…;SslMode=VerifyCA;SslCa=…`. Both default to `SslMode=Preferred`
//! and read the libmysqlclient ladder's names (`None`, `Preferred`,
//! `Required`, `VerifyCA`, `VerifyFull`).

use super::super::syntax::conn_string::runs;
use super::super::text::non_empty;
use super::*;

/// Keys only MySQL's .NET drivers read (normalized: lowercase, no spaces,
/// `-` or `_`), which tell their strings from Npgsql's and SqlClient's.
const MYSQL_ONLY: [&str; 14] = [
    "sslca",
    "cacertificatefile",
    "sslcert",
    "sslkey",
    "tlsversion",
    "allowpublickeyretrieval",
    "allowuservariables",
    "allowzerodatetime",
    "convertzerodatetime",
    "treattinyasboolean",
    "guidformat",
    "charset",
    "characterset",
    "serverrsapublickeyfile",
];

/// Keys that name another driver's string: Npgsql's (`Root Certificate`),
/// SqlClient's, ODBC's, a PDO DSN's (`dbname`).
const OTHER_DRIVERS: [&str; 12] = [
    "dbname",
    "rootcertificate",
    "searchpath",
    "trustservercertificate",
    "encrypt",
    "integratedsecurity",
    "trustedconnection",
    "multipleactiveresultsets",
    "applicationintent",
    "driver",
    "provider",
    "dsn",
];

/// The file may hold such a string: the engine's file-level needles miss
/// strings that never say "mysql".
pub(super) fn dotnet_candidate(file: &FileCtx<'_>) -> bool {
    let lower = file.lower();
    lower.contains(';')
        && [
            "sslmode",
            "ssl mode",
            "sslca",
            "ssl-ca",
            "cacertificatefile",
        ]
        .iter()
        .any(|n| lower.contains(n))
}

fn is_key(key: &str) -> bool {
    matches!(
        key,
        "server"
            | "host"
            | "datasource"
            | "address"
            | "addr"
            | "networkaddress"
            | "port"
            | "userid"
            | "uid"
            | "user"
            | "username"
            | "password"
            | "pwd"
            | "database"
            | "initialcatalog"
            | "sslmode"
    ) || MYSQL_ONLY.contains(&key)
}

/// The stack's hits' label.
const NET: &str = "MySQL .NET connection string";

stack::row!(DOTNET_STRINGS: My, ".NET connection strings",
    |file| file.text.contains(';'), dotnet_strings);

pub(super) fn dotnet_strings(file: &FileCtx<'_>, hits: &mut Found) {
    let mentions = mentions(file);
    for run in runs(file.text) {
        let (start, pairs) = run.pairs(is_key);
        let get = |names: &[&str]| {
            pairs
                .iter()
                .rev()
                .find(|p| names.contains(&p.key.as_str()))
                .map(|p| &*p.value)
        };
        let host = get(&[
            "server",
            "host",
            "datasource",
            "address",
            "addr",
            "networkaddress",
        ]);
        let port = get(&["port"]);
        let mode = get(&["sslmode"]);
        let line = file.lines().text(file.text, file.lines().line(run.start()));
        let line = line.to_ascii_lowercase();
        let mysql_mode = mode.is_some_and(|m| {
            matches!(
                m.to_ascii_lowercase().as_str(),
                "none" | "preferred" | "required" | "disabled"
            )
        });
        let marked = pairs.iter().any(|p| MYSQL_ONLY.contains(&p.key.as_str()))
            || mysql_mode
            || port == Some("3306")
            || line.contains("mysql")
            || line.contains("mariadb")
            || (mentions && mode.is_some());
        let libpq_mode = mode.is_some_and(|m| {
            matches!(
                m.to_ascii_lowercase().replace(['-', ' '], "").as_str(),
                "disable" | "allow" | "prefer" | "require"
            ) || m.contains('-')
        });
        let other = pairs
            .iter()
            .any(|p| OTHER_DRIVERS.contains(&p.key.as_str()))
            || libpq_mode
            || port == Some("5432")
            || line.contains("postgres")
            || line.contains("npgsql");
        // `mysql:host=…;dbname=…`: a PDO DSN, its own stack's.
        let dsn = file.text[..run.start()].ends_with(':');
        if host.is_none() || !marked || other || dsn {
            continue;
        }
        let facts = match given(mode, SslMode::parse) {
            Given::Value(m) => m.facts(),
            Given::Absent => SslMode::Preferred.facts(),
            Given::Unreadable => UNKNOWN,
        };
        let facts = unless_cut(facts, file.text, run.end());
        let setting = file.text[start..run.end()].trim_end_matches([';', ' ', '\t']);
        let mut hit = ConfigHit::new(file.lines().line(start), NET, Engine::Mysql, facts, setting);
        // `Server=host:port` is not read; a `,`-separated list names several.
        hit.host = non_empty(host);
        hit.port = port.and_then(|p| p.parse().ok());
        hit.user = non_empty(get(&["userid", "uid", "user", "username"]));
        hit.database = non_empty(get(&["database", "initialcatalog"]));
        hit.trust_store = non_empty(get(&["sslca", "cacertificatefile"]));
        hits.push(hit);
    }
}

stack::case_tests! {
    /// No SslMode is Preferred, the default of both drivers; a placeholder
    /// is unknown, never no.
    fn dotnet_connection_strings(Engine::Mysql) {
        "appsettings.json", "{\"ConnectionStrings\": {\"Main\": \"Server=db.example.com;Port=3306;Database=app;Uid=app;Pwd=hunter2;SslMode=VerifyCA;SslCa=/certs/rds.pem\"}}\n" => NET, "db.example.com", 3306, "app", "app", V_CA, "/certs/rds.pem";
        "appsettings.Production.json", "{\n  \"ConnectionStrings\": {\n    \"Orders\": \"Server=db.example.com;Database=orders;User ID=app;Password=hunter2;SslMode=Required\"\n  }\n}\n" => NET, "db.example.com", _, "app", "orders", REQ, _;
        "App.config", "<connectionStrings>\n  <add name=\"db\" connectionString=\"server=db.example.com;user id=app;password=hunter2;database=app;SslMode=VerifyFull;CACertificateFile=/certs/rds.pem\" providerName=\"MySql.Data.MySqlClient\"/>\n</connectionStrings>\n" => NET, "db.example.com", _, "app", "app", V_ID, "/certs/rds.pem";
        "Web.config", "<add name=\"shop\" connectionString=\"Server=db.example.com;Port=3306;Database=shop;Uid=app;Pwd=hunter2\" providerName=\"MySqlConnector\" />\n" => NET, "db.example.com", 3306, "app", "shop", PREF, _;
        "Startup.cs", "services.AddDbContext<Db>(o => o.UseMySql(\"Server=db;Database=shop;User=app;Password=hunter2;SslMode=None\", v));\n" => NET, "db", _, "app", "shop", PLAIN, _;
        "appsettings.json", "{\"Db\": \"Server=db;Database=shop;Uid=app;SslMode=${MYSQL_SSL_MODE};SslCa=/ca.pem\"}\n" => NET, "db", _, "app", "shop", UNKNOWN, "/ca.pem";
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;

    #[test]
    fn npgsql_and_sqlclient_strings_are_not_mysql_s() {
        for text in [
            "{\"Db\": \"Host=db;Database=app;Username=app;SSL Mode=VerifyFull;Root Certificate=/ca.pem\"}\n",
            "{\"Db\": \"Server=db;Port=5432;Database=app;User Id=app;SslMode=Require\"}\n",
            "{\"Db\": \"Server=tcp:db,1433;Initial Catalog=app;User ID=app;Password=p;Encrypt=True;\"}\n",
        ] {
            assert!(scan("appsettings.json", text).is_empty(), "{text}");
        }
    }
}
