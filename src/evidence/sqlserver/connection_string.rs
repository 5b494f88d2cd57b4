//! Connection strings: ADO.NET (SqlClient), ODBC, OLE DB.

use std::cell::OnceCell;

use super::super::deps::DriverVersion;
use super::*;

pub(super) static SERVER_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(server|data\s+source|addr|address|network\s+address)\s*=")
        .expect("server key pattern compiles")
});

/// Keys only SQL Server drivers know.
pub(super) const SQLSERVER_KEYS: [&str; 14] = [
    "encrypt",
    "trustservercertificate",
    "hostnameincertificate",
    "initialcatalog",
    "integratedsecurity",
    "trustedconnection",
    "multipleactiveresultsets",
    "applicationintent",
    "multisubnetfailover",
    "failoverpartner",
    "columnencryptionsetting",
    "attachdbfilename",
    "useencryptionfordata",
    "servercertificate",
];

/// Keys of other databases' connection strings (MySqlConnector, Npgsql,
/// SQLite, Oracle ODP.NET) that SqlClient rejects.
pub(super) const FOREIGN_KEYS: [&str; 12] = [
    "sslmode",
    "host",
    "charset",
    "sslca",
    "allowpublickeyretrieval",
    "rootcertificate",
    "searchpath",
    "version",
    "dbq",
    "mode",
    "journalmode",
    "cache",
];

// Every file: a string's keys are the test.
stack::row!(CONNECTION_STRINGS: Ms, "connection strings", |_| true, connection_strings);

pub(super) fn connection_strings(file: &FileCtx<'_>, found: &mut Found) {
    let text = file.text;
    let strings = Strings::new(file);
    let mut done_until = 0;
    for m in SERVER_KEY.find_iter(text) {
        if m.start() < done_until || commented(text, m.start()) || found.claimed.holds(m.start()) {
            continue;
        }
        let (span_start, span_end) = enclosing_span(text, m.start());
        done_until = span_end;
        let span = &text[span_start..span_end];
        let Some(read) = strings.read(span, false) else {
            continue;
        };
        let line = file.lines().line(span_start + read.start);
        let facts = unless_cut(read.facts, text, span_end);
        found.claimed.claim(span_start, span_end);
        let mut hit = ms_hit(line, read.stack, facts, &read.shown);
        read.fill(&mut hit);
        found.push(hit);
    }
}

/// What reading a file's connection strings needs of the file, looked up
/// once.
pub(super) struct Strings<'f> {
    file: &'f FileCtx<'f>,
    /// Go: a string without a driver or provider is go-mssqldb's.
    go_file: bool,
    /// The file names SQL Server or its .NET client.
    named_context: bool,
    /// Which SqlClient reads an ADO.NET string: System.Data.SqlClient when
    /// the file or the project names only it, else Microsoft.Data.SqlClient
    /// of the version in sight. Looked up once a string is found.
    sqlclient: OnceCell<(Option<DriverVersion>, bool, Vec<SqlClientEra>)>,
}

/// A connection string read as SQL Server's: its stack, facts and place.
pub(super) struct StringRead {
    pub(super) stack: &'static str,
    pub(super) facts: Facts,
    /// Where the string starts in the text read: its first key.
    pub(super) start: usize,
    /// The string from its first key, its secrets masked.
    pub(super) shown: String,
    host: Option<String>,
    port: Option<u16>,
    user: Option<String>,
    database: Option<String>,
    trust_store: Option<String>,
    application: Option<String>,
    driver_version: Option<String>,
}

impl StringRead {
    /// Its place (host, port, user, database, trust store, application,
    /// driver version) in `hit`.
    pub(super) fn fill(&self, hit: &mut ConfigHit) {
        hit.host.clone_from(&self.host);
        hit.port = self.port;
        hit.user.clone_from(&self.user);
        hit.database.clone_from(&self.database);
        hit.trust_store.clone_from(&self.trust_store);
        hit.application.clone_from(&self.application);
        hit.driver_version.clone_from(&self.driver_version);
    }
}

impl<'f> Strings<'f> {
    pub(super) fn new(file: &'f FileCtx<'f>) -> Strings<'f> {
        let lower = file.lower();
        Strings {
            file,
            go_file: file.name.ends_with(".go"),
            named_context: [
                "sqlclient",
                "sqlconnection",
                "usesqlserver",
                "mssql",
                "sqlserver",
                "sql server",
            ]
            .iter()
            .any(|w| lower.contains(w)),
            sqlclient: OnceCell::new(),
        }
    }

    fn sqlclient(&self) -> &(Option<DriverVersion>, bool, Vec<SqlClientEra>) {
        self.sqlclient.get_or_init(|| {
            let (lower, versions) = (self.file.lower(), &self.file.versions);
            let mds = versions.of(Package::SqlClient);
            let sds_only = mds.is_none()
                && ((lower.contains("system.data.sqlclient")
                    && !lower.contains("microsoft.data.sqlclient"))
                    || versions.of(Package::SystemDataSqlClient).is_some());
            let eras = if sds_only {
                vec![SqlClientEra::V1]
            } else {
                eras(mds.as_ref(), SQLCLIENT_ERAS)
            };
            (mds, sds_only, eras)
        })
    }

    /// `span` read as a SQL Server connection string (ADO.NET, ODBC, OLE
    /// DB, go-mssqldb's); None when it is none: a lone `Server = x` line,
    /// another database's string, no server. `sql_server`: where the string
    /// stands says SQL Server already (SQLAlchemy's `odbc_connect`), so no
    /// key of its own need.
    pub(super) fn read(&self, span: &str, sql_server: bool) -> Option<StringRead> {
        let pairs = conn_string::sql_server_pairs(span);
        // One `Server = x` line is an INI entry or an assignment, not a
        // connection string.
        let first = pairs.first().filter(|_| pairs.len() >= 2)?;
        let get = |key: &str| pairs.iter().rev().find(|p| p.key == key).map(|p| &*p.value);
        let server = ["server", "datasource", "address", "addr", "networkaddress"]
            .iter()
            .find_map(|k| get(k))?;
        let server_lower = server.to_ascii_lowercase();
        let driver = get("driver").map(str::to_ascii_lowercase);
        let provider = get("provider").map(str::to_ascii_lowercase);
        // Oracle descriptors, EZConnect and SQLite files are not servers.
        if server.is_empty()
            || server.starts_with('(')
            || server.contains('/')
            || [".db", ".sqlite", ".sqlite3", ".mdb", ".accdb"]
                .iter()
                .any(|e| server_lower.ends_with(e))
        {
            return None;
        }
        let odbc = driver.as_deref().map(odbc_driver);
        let oledb = provider.as_deref().is_some_and(|p| {
            p.contains("sqloledb") || p.contains("msoledbsql") || p.contains("sqlncli")
        });
        let foreign = (provider.is_some() && !oledb)
            || (driver.is_some() && odbc == Some(OdbcDriver::Other))
            || pairs.iter().any(|p| FOREIGN_KEYS.contains(&p.key.as_str()))
            || (get("port").is_some() && !matches!(odbc, Some(OdbcDriver::FreeTds)));
        let marked = odbc.is_some_and(|d| d != OdbcDriver::Other)
            || oledb
            || pairs
                .iter()
                .any(|p| SQLSERVER_KEYS.contains(&p.key.as_str()))
            || ["tcp:", "np:", "lpc:", "(localdb)"]
                .iter()
                .any(|p| server_lower.starts_with(p))
            || server.contains('\\')
            || server
                .rsplit_once(',')
                .is_some_and(|(_, p)| p.trim().parse::<u16>().is_ok())
            || server_lower.contains(".database.windows.net");
        let has_db_or_user = [
            "database",
            "initialcatalog",
            "userid",
            "uid",
            "user",
            "integratedsecurity",
            "trustedconnection",
        ]
        .iter()
        .any(|k| get(k).is_some());
        let sqlserver_context = || {
            let (mds, sds_only, _) = self.sqlclient();
            self.named_context || mds.is_some() || *sds_only
        };
        if foreign || !(sql_server || marked || (has_db_or_user && sqlserver_context())) {
            return None;
        }
        let encryption = Encryption::read(
            get("encrypt").or_else(|| get("useencryptionfordata")),
            get("trustservercertificate"),
        );
        let authentication = get("authentication").is_some_and(|a| !a.eq_ignore_ascii_case("none"));
        let (stack, facts) = match odbc {
            Some(OdbcDriver::FreeTds) => (
                "FreeTDS ODBC connection string",
                freetds_string(get("encryption"), get("tdsversion")),
            ),
            Some(OdbcDriver::Microsoft(major)) => (
                "ODBC connection string",
                encryption.facts(&[major], |e, t, major| {
                    odbc_facts(e, t, major, authentication)
                }),
            ),
            _ if oledb => {
                let v19 = provider.as_deref().unwrap_or("").contains("msoledbsql19");
                (
                    "OLE DB connection string",
                    encryption.facts(&[v19], |e, t, v19| oledb_facts(e, t, v19, authentication)),
                )
            }
            _ if self.go_file => (
                "go-mssqldb connection string",
                encryption.facts(&[()], |e, t, ()| go_mssqldb(e, t)),
            ),
            _ => (
                "ADO.NET SqlClient connection string",
                encryption.facts(&self.sqlclient().2, sqlclient_facts),
            ),
        };
        let driver_version = match (odbc, oledb, self.go_file) {
            (None, false, false) => self.sqlclient().0.as_ref().map(|v| v.shown()),
            _ => None,
        };
        let (host, port) = server_host_port(server);
        Some(StringRead {
            stack,
            facts,
            start: first.offset,
            shown: masked_from(span, &pairs, first.offset),
            host,
            port: port.or_else(|| get("port").and_then(|p| p.parse().ok())),
            user: ["userid", "uid", "user", "username"]
                .iter()
                .find_map(|k| get(k))
                .map(str::to_string),
            database: get("database")
                .or_else(|| get("initialcatalog"))
                .map(str::to_string),
            // `certificate` is go-mssqldb's CA file.
            trust_store: get("servercertificate")
                .or_else(|| get("certificate"))
                .map(str::to_string),
            application: get("applicationname")
                .or_else(|| get("app"))
                .map(str::to_string),
            driver_version,
        })
    }
}

stack::case_tests! {
    fn ado_net_connection_strings(Engine::SqlServer) {
        "appsettings.json", r#"  "DefaultConnection": "Server=tcp:orders.abc123.us-east-1.rds.amazonaws.com,1433;Database=orders;User ID=app;Password=hunter2;Encrypt=True;TrustServerCertificate=False;""# => ADO, "orders.abc123.us-east-1.rds.amazonaws.com", 1433, "app", "orders", FULL, _;
        "web.config", r#"<add name="Db" connectionString="Data Source=db.example.com\SQLEXPRESS;Initial Catalog=Shop;UID=app;PWD=hunter2;Encrypt=Mandatory;TrustServerCertificate=True" />"# => ADO, "db.example.com\\SQLEXPRESS", _, "app", "Shop", NO_VERIFY, _;
        "appsettings.json", r#"{"ConnectionStrings": {"Db": "server=db,1433;initial catalog=x;user id=app;password=hunter2;encrypt=false"}}"# => ADO, "db", 1433, "app", "x", UNKNOWN, _;
        "appsettings.json", r#""Db": "Server=db;Initial Catalog=x;Integrated Security=true;Encrypt=Strict;TrustServerCertificate=true""# => ADO, "db", _, _, "x", FULL, _;
        "appsettings.json", r#""Db": "Server=db;Initial Catalog=x;Encrypt=Optional""# => ADO, "db", _, _, "x", UNKNOWN, _;
        // No Encrypt: SqlClient < 4 does not encrypt, ≥ 4 does.
        "appsettings.json", r#""Db": "Data Source=tcp:db,1433;Initial Catalog=x;User Id=app;Password=hunter2""# => ADO, "db", 1433, "app", "x", UNKNOWN, _;
        "appsettings.json", r#""Db": "Data Source=tcp:db,1433;Initial Catalog=x;TrustServerCertificate=yes""# => ADO, "db", 1433, _, "x", OPPORTUNISTIC, _;
        ".env", "ConnectionStrings__Default=Server=tcp:[2001:db8::7],1433;Database=x;Encrypt=yes;HostNameInCertificate=*.example.com" => ADO, "2001:db8::7", 1433, _, "x", FULL, _;
        "appsettings.yaml", "connectionString: Address=db;Trusted_Connection=True;Encrypt=True;ServerCertificate=/certs/db.cer" => ADO, "db", _, _, _, FULL, "/certs/db.cer";
        "Program.cs", "var cs = @\"Server=db;Database=orders;User Id=sa;Password=hunter2;\"; var c = new SqlConnection(cs);" => ADO, "db", _, "sa", "orders", UNKNOWN, _;
        // ADO.NET quotes; its braces are as written (a format's holes).
        "Program.cs", "var cs = string.Format(\"Server={0};Database={1};User Id={2};Password={3};Encrypt=True\", host, db, user, pw);" => ADO, "{0}", _, "{2}", "{1}", FULL, _;
        "Program.cs", "var cs = \"Server=db;Database=x;Password='p;Encrypt=False';Encrypt=True\";" => ADO, "db", _, _, "x", FULL, _;
    }

    fn odbc_and_ole_db_strings(Engine::SqlServer) {
        "db.py", r#"conn = pyodbc.connect("DRIVER={ODBC Driver 18 for SQL Server};SERVER=tcp:db,1433;DATABASE=x;UID=app;PWD=hunter2")"# => ODBC, "db", 1433, "app", "x", FULL, _;
        "db.py", r#"conn = pyodbc.connect("DRIVER={ODBC Driver 18 for SQL Server};SERVER=db;Encrypt=yes;TrustServerCertificate=yes")"# => ODBC, "db", _, _, _, NO_VERIFY, _;
        "db.py", r#"conn = pyodbc.connect('Driver={ODBC Driver 17 for SQL Server};Server=db;Database=x;Uid=app;Pwd={hunter2}')"# => ODBC, "db", _, "app", "x", OPPORTUNISTIC, _;
        "db.py", r#"conn = pyodbc.connect('Driver={ODBC Driver 17 for SQL Server};Server=db;Encrypt=yes')"# => ODBC, "db", _, _, _, FULL, _;
        "db.py", r#"ODBC_DSN=Driver={ODBC Driver 18 for SQL Server};Server=db;Encrypt=Strict"# => ODBC, "db", _, _, _, FULL, _;
        "db.py", r#"cs = "Driver={SQL Server};Server=db;Database=x;Trusted_Connection=yes;""# => ODBC, "db", _, _, "x", OPPORTUNISTIC, _;
        "db.py", r#"cs = "Driver=FreeTDS;Server=db;Port=1433;Database=x;TDS_Version=7.4;Encryption=require""# => "FreeTDS ODBC connection string", "db", 1433, _, "x", Facts::new(Yes, Unknown, Unknown), _;
        "db.py", r#"cs = "Provider=MSOLEDBSQL19;Data Source=db;Initial Catalog=x;Use Encryption for Data=Optional""# => "OLE DB connection string", "db", _, _, "x", UNKNOWN, _;
        "db.py", r#"cs = "Provider=MSOLEDBSQL19;Data Source=db;Initial Catalog=x""# => "OLE DB connection string", "db", _, _, "x", FULL, _;
        // ODBC's braces hold `;`, a doubled `}}` in them is one `}`: no
        // Encrypt here, 17's default.
        "db.py", r#"cs = "Driver={ODBC Driver 17 for SQL Server};Server=db;PWD={p}};Encrypt=yes}""# => ODBC, "db", _, _, _, OPPORTUNISTIC, _;
        // OLE DB quotes as ADO.NET does.
        "db.py", r#"cs = "Provider=MSOLEDBSQL;Data Source=db;Password='p;Use Encryption for Data=True'""# => "OLE DB connection string", "db", _, _, _, OPPORTUNISTIC, _;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    /// A Microsoft.Data.SqlClient 3.1 project's connection string with no
    /// `Encrypt` and no SQL Server-only keyword is reported, because the
    /// project names SqlClient.
    #[test]
    fn a_sqlclient_project_marks_its_plain_connection_strings() {
        let text = r#"{"ConnectionStrings": {"Db": "Server=ledger-db;Database=ledger;User Id=app;Password=hunter2"}}"#;
        assert_eq!(scan("appsettings.json", text), Vec::new());
        let hits = testing::scan_with(
            detect,
            "appsettings.json",
            text,
            &[(Package::SqlClient, "3.1.0")],
        );
        testing::assert_hits(
            &hits,
            Engine::SqlServer,
            &hits! {
                ADO, "ledger-db", _, "app", "ledger", UNKNOWN, _;
            },
            text,
        );
        assert_eq!(
            hits[0].driver_version.as_deref(),
            Some("Microsoft.Data.SqlClient 3.1.0")
        );
        // web.config naming System.Data.SqlClient as the provider.
        let old = r#"<add name="Db" providerName="System.Data.SqlClient" connectionString="Server=db;Initial Catalog=x;User ID=u;Password=hunter2;Encrypt=false" />"#;
        check(
            "web.config",
            old,
            &hits! {
                ADO, "db", _, "u", "x", OPPORTUNISTIC, _;
            },
        );
    }

    /// .NET configuration files: `<connectionStrings>` of App.config and
    /// Web.config, `"ConnectionStrings"` of appsettings*.json (any key),
    /// read by the SqlClient in sight: Microsoft.Data.SqlClient 4+ encrypts
    /// by default, System.Data.SqlClient does not, an unknown one is unknown.
    #[test]
    fn dotnet_configuration_files() {
        const APP_CONFIG: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <connectionStrings>
    <add name="Ledger" connectionString="Server=tcp:ledger-db,1433;Initial Catalog=ledger;User ID=app;Password=hunter2;Encrypt=True;TrustServerCertificate=False" providerName="Microsoft.Data.SqlClient" />
    <!-- <add name="Old" connectionString="Server=tcp:old-db,1433;Encrypt=False" /> -->
    <add name="Reports" connectionString="Data Source=tcp:reports-db,1433;Initial Catalog=reports;Integrated Security=True" />
  </connectionStrings>
</configuration>
"#;
        const APPSETTINGS: &str = r#"{
  "Logging": { "LogLevel": { "Default": "Information" } },
  "ConnectionStrings": {
    "Orders": "Server=tcp:orders-db,1433;Database=orders;User Id=app;Password=hunter2;Encrypt=True;TrustServerCertificate=True",
    "AuditDb": "Server=audit-db;Database=audit;Integrated Security=true;Encrypt=false"
  }
}
"#;
        check(
            "App.config",
            APP_CONFIG,
            &hits! {
                ADO, "ledger-db", 1433, "app", "ledger", FULL, _;
                ADO, "reports-db", 1433, _, "reports", UNKNOWN, _;
            },
        );
        check(
            "appsettings.Production.json",
            APPSETTINGS,
            &hits! {
                ADO, "orders-db", 1433, "app", "orders", NO_VERIFY, _;
                ADO, "audit-db", _, _, "audit", UNKNOWN, _;
            },
        );
        let web = |tail: &str| {
            format!(
                r#"<connectionStrings><add name="Db" connectionString="Server=tcp:ledger-db,1433;Initial Catalog=ledger;{tail}" /></connectionStrings>"#
            )
        };
        let json = |tail: &str| {
            format!(
                r#"{{"ConnectionStrings": {{"Main": "Data Source=tcp:ledger-db,1433;Initial Catalog=ledger;{tail}"}}}}"#
            )
        };
        // In every kind of file (`*`: each of `files`): no Encrypt, 4+
        // encrypts and validates, System.Data.SqlClient and 1.x do not ask
        // for encryption, an unknown SqlClient is unknown; an Encrypt given
        // is read.
        let settings = facts_rows! {
            "*" {
                "User ID=app", [(SqlClient, "5.2.1")] => FULL;
                "User Id=app", [(SqlClient, "5.2.1")] => FULL;
                "User ID=app", [(SqlClient, "3.1.0")] => UNKNOWN;
                "User ID=app", [(SystemDataSqlClient, "4.8.6")] => OPPORTUNISTIC;
                "User ID=app", [] => UNKNOWN;
                "Encrypt=True;TrustServerCertificate=False", [] => FULL;
                "Encrypt=True;TrustServerCertificate=True", [] => NO_VERIFY;
                "Encrypt=False", [(SystemDataSqlClient, "4.8.6")] => OPPORTUNISTIC;
                "Encrypt=False", [(SqlClient, "5.2.1")] => UNKNOWN;
                "Encrypt=Strict", [] => FULL;
                "Encrypt=False;TrustServerCertificate=True", [] => OPPORTUNISTIC;
            }
        };
        let files = [
            "Web.config",
            "App.config",
            "appsettings.json",
            "appsettings.Development.json",
        ];
        let table: Vec<testing::FactsRow<'_>> = files
            .iter()
            .flat_map(|&file| {
                settings
                    .iter()
                    .map(move |&(_, tail, versions, facts)| (file, tail, versions, facts))
            })
            .collect();
        testing::assert_facts_wrapped(detect, &table, |file, tail| {
            if file.ends_with(".json") {
                json(tail)
            } else {
                web(tail)
            }
        });
    }
}
