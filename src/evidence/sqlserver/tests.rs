//! The SQL Server detector's tests across stacks, and what the stacks'
//! tests (beside each stack) share.

use super::*;
pub(super) use crate::evidence::Fact;
pub(super) use crate::evidence::testing;
pub(super) use crate::evidence::testing::{facts_rows, hits};

testing::engine_helpers!(Engine::SqlServer);

pub(super) const ADO: &str = "ADO.NET SqlClient connection string";
pub(super) const ODBC: &str = "ODBC connection string";

/// Each driver's defaults by version (docs/FORMATS.md, "SQL Server"):
/// by file, (setting, the driver version in the project's dependency
/// files, facts). `Encrypt=false` is never "does not verify" for a driver that
/// validates a server-forced encryption.
#[test]
fn driver_defaults_follow_the_version_in_sight() {
    let ado = |tail: &str| {
        format!(r#"{{"Db": "Server=tcp:ledger-db,1433;Initial Catalog=ledger;{tail}"}}"#)
    };
    let table = facts_rows! {
        // Microsoft.Data.SqlClient: 1.x never validates Encrypt=false; 2.0+
        // validates when the server forces encryption; 4.0+ encrypts by
        // default.
        "appsettings.json" {
            "Encrypt=false", [(SqlClient, "1.1.4")] => OPPORTUNISTIC;
            "Encrypt=false", [(SqlClient, "2.1.7")] => UNKNOWN;
            "Encrypt=false", [(SqlClient, "5.2.1")] => UNKNOWN;
            "Encrypt=false", [] => UNKNOWN;
            "Encrypt=false;TrustServerCertificate=true", [] => OPPORTUNISTIC;
            "User ID=app", [(SqlClient, "1.1.4")] => OPPORTUNISTIC;
            "User ID=app", [(SqlClient, "3.1.0")] => UNKNOWN;
            "User ID=app", [(SqlClient, "5.2.1")] => FULL;
            "User ID=app", [] => UNKNOWN;
            "TrustServerCertificate=true", [(SqlClient, "5.2.1")] => NO_VERIFY;
            // System.Data.SqlClient behaves as 1.x.
            "Encrypt=false", [(SystemDataSqlClient, "4.8.6")] => OPPORTUNISTIC;
            // Values from elsewhere.
            "Encrypt=${SQL_ENCRYPT}", [(SqlClient, "5.2.1")] => UNKNOWN;
            "Encrypt=true;TrustServerCertificate=$(TrustCert)", [(SqlClient, "5.2.1")] => Facts::new(Yes, Unknown, Unknown);
        }
        // mssql-jdbc: encrypt=false negotiates a server-required
        // encryption and validates it; encrypt true by default from 10.1.
        "application.properties" {
            "url=jdbc:sqlserver://ledger-db:1433;databaseName=ledger;encrypt=false", [] => UNKNOWN;
            "url=jdbc:sqlserver://ledger-db:1433;databaseName=ledger;encrypt=false;trustServerCertificate=true", [] => OPPORTUNISTIC;
            "url=jdbc:sqlserver://ledger-db:1433;databaseName=ledger", [(MssqlJdbc, "9.4.1.jre8")] => UNKNOWN;
            "url=jdbc:sqlserver://ledger-db:1433;databaseName=ledger", [(MssqlJdbc, "12.6.1.jre11")] => FULL;
            "url=jdbc:sqlserver://ledger-db:1433;databaseName=ledger", [] => UNKNOWN;
            "url=jdbc:sqlserver://ledger-db:1433;databaseName=ledger;encrypt=true;trustManagerClass=com.example.PinnedTrustManager", [] => Facts::new(Yes, Unknown, Unknown);
        }
        // ODBC: 18 validates whenever it encrypts; 17 only when asked.
        "db.py" {
            "cs = 'Driver={ODBC Driver 18 for SQL Server};Server=ledger-db;Encrypt=no'", [] => UNKNOWN;
            "cs = 'Driver={ODBC Driver 18 for SQL Server};Server=ledger-db;Encrypt=no;TrustServerCertificate=yes'", [] => OPPORTUNISTIC;
            "cs = 'Driver={ODBC Driver 17 for SQL Server};Server=ledger-db;Encrypt=no'", [] => OPPORTUNISTIC;
            // 17 with an Authentication method encrypts by default.
            "cs = 'Driver={ODBC Driver 17 for SQL Server};Server=ledger-db;Authentication=ActiveDirectoryMsi'", [] => FULL;
            // OLE DB 18 with an Authentication method validates whatever the
            // encryption.
            "cs = 'Provider=MSOLEDBSQL;Data Source=ledger-db;Authentication=ActiveDirectoryPassword;Use Encryption for Data=false'", [] => Facts::new(Unknown, Yes, Yes);
            "cs = 'Provider=MSOLEDBSQL;Data Source=ledger-db;Initial Catalog=ledger'", [] => OPPORTUNISTIC;
        }
        // go-mssqldb: an explicit encrypt=false still validates the login
        // handshake; without encrypt the certificate is trusted.
        "main.go" {
            "db, _ := sql.Open(\"sqlserver\", \"sqlserver://sa@ledger-db?database=ledger&encrypt=false\")", [] => Facts::new(Unknown, Yes, Yes);
            "db, _ := sql.Open(\"sqlserver\", \"sqlserver://sa@ledger-db?database=ledger\")", [] => OPPORTUNISTIC;
            "db, _ := sql.Open(\"sqlserver\", \"server=ledger-db;user id=sa;encrypt=false\")", [] => Facts::new(Unknown, Yes, Yes);
        }
        // Drivers that do not document a server-forced encryption.
        "schema.prisma" { "url = \"sqlserver://ledger-db:1433;database=ledger;encrypt=false\"", [] => UNKNOWN; }
        // Cut short: the rest may set Encrypt.
        "Program.cs" { "var cs = \"Server=tcp:ledger-db,1433;Initial Catalog=ledger;Encrypt=false;TrustServerCertificate=true;\" + extra; // SqlConnection", [] => UNKNOWN; }
        "Db.java" { "String url = \"jdbc:sqlserver://ledger-db:1433;databaseName=ledger;encrypt=false;trustServerCertificate=true\" + props;", [] => UNKNOWN; }
    };
    testing::assert_facts_wrapped(detect, &table, |file, setting| {
        if file == "appsettings.json" {
            ado(setting)
        } else {
            setting.to_string()
        }
    });
}

#[test]
fn lookalikes_are_not_sql_server() {
    let table = [
        (
            "appsettings.json",
            r#""Pg": "Host=db;Port=5432;Database=x;Username=u;Password=hunter2;SSL Mode=VerifyFull""#,
        ),
        (
            "appsettings.json",
            r#""Pg": "Server=db;Port=5432;Database=x;User Id=u;Password=hunter2;SslMode=Require""#,
        ),
        (
            "appsettings.json",
            r#""My": "Server=db;Database=x;Uid=u;Pwd=hunter2;SslMode=VerifyCA;SslCa=/c.pem""#,
        ),
        (
            "appsettings.json",
            r#""Lite": "Data Source=app.db;Cache=Shared""#,
        ),
        (
            "appsettings.json",
            r#""Ora": "Data Source=(DESCRIPTION=(ADDRESS=(PROTOCOL=TCPS)(HOST=o)(PORT=2484)));User Id=u;Password=hunter2""#,
        ),
        (
            "appsettings.json",
            r#""Ora": "Data Source=o:1521/ORCL;User Id=u;Password=hunter2""#,
        ),
        // Plain Server/Database with nothing that says SQL Server.
        ("settings.ini", "conn = Server=db;Database=x;User Id=u"),
        (
            "README.md",
            "Set the server = your host name, and the database name.",
        ),
        (
            "web.config",
            "<!-- <add connectionString=\"Server=tcp:old,1433;Encrypt=False\" /> -->",
        ),
        (
            "app.cs",
            "// var cs = \"Server=tcp:old,1433;Encrypt=False\";",
        ),
    ];
    for (name, text) in table {
        assert_eq!(scan(name, text), Vec::new(), "{name}: {text}");
    }
}

#[test]
fn settings_are_masked_and_start_at_the_first_key() {
    let hits = scan(
        ".env",
        "\n\nCONN=Driver={ODBC Driver 18 for SQL Server};Server=db;PWD={hunter2};Encrypt=no\n",
    );
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].line, 3);
    // ODBC 18 validates a server-forced encryption even with Encrypt=no.
    assert_eq!(
        (hits[0].facts.uses_tls, hits[0].facts.verifies_chain),
        (Fact::Unknown, Fact::Unknown)
    );
    assert_eq!(
        hits[0].setting,
        "Driver={ODBC Driver 18 for SQL Server};Server=db;PWD=****;Encrypt=no"
    );
    // Secrets that hold `;`, braces, quotes or `@`.
    let table = [
        (
            "a.py",
            "cs = 'Driver={ODBC Driver 18 for SQL Server};Server=db;PWD={hun;ter2};Encrypt=yes'",
            "Driver={ODBC Driver 18 for SQL Server};Server=db;PWD=****;Encrypt=yes",
        ),
        (
            "appsettings.json",
            r#""Db": "Server=tcp:db,1433;Initial Catalog=x;Password='hun;ter2';Encrypt=True""#,
            "Server=tcp:db,1433;Initial Catalog=x;Password=****;Encrypt=True",
        ),
        // Braces ADO.NET does not read, quotes ODBC does not: what follows
        // the secret up to the next key is masked with it.
        (
            "appsettings.json",
            r#""Db": "Server=tcp:db,1433;Initial Catalog=x;Password={hun;ter2};Encrypt=True""#,
            "Server=tcp:db,1433;Initial Catalog=x;Password=****;Encrypt=True",
        ),
        (
            "a.py",
            "cs = 'Driver={ODBC Driver 18 for SQL Server};Server=db;PWD=\"hun;ter2\";Encrypt=yes'",
            "Driver={ODBC Driver 18 for SQL Server};Server=db;PWD=****;Encrypt=yes",
        ),
        (
            "app.properties",
            "url=jdbc:sqlserver://db:1433;databaseName=x;password={hun;ter2};encrypt=true",
            "jdbc:sqlserver://db:1433;databaseName=x;password=****;encrypt=true",
        ),
        // SQLAlchemy's odbc_connect, shown decoded.
        (
            ".env",
            "URL=mssql+pyodbc://app:hunter2@/ledger?odbc_connect=DRIVER%3D%7BODBC+Driver+18+for+SQL+Server%7D%3BSERVER%3Dledger-db%3BPWD%3D%7Bhun%3Bter2%7D&echo=1",
            "mssql+pyodbc://app:****@/ledger?odbc_connect=DRIVER={ODBC Driver 18 for SQL Server};SERVER=ledger-db;PWD=****&echo=1",
        ),
        (
            "main.go",
            "dsn := \"sqlserver://app:hun;ter@2@db:1433?database=x&encrypt=true\"",
            "sqlserver://app:****@db:1433?database=x&encrypt=true",
        ),
    ];
    for (name, text, shown) in table {
        let hits = scan(name, text);
        assert_eq!(hits.len(), 1, "{text}");
        assert_eq!(hits[0].setting, shown);
        assert!(!hits[0].setting.contains("ter"), "{}", hits[0].setting);
    }
    // The go-mssqldb URL above is not mistaken for Prisma's `;` form.
    assert_eq!(scan("main.go", table[6].1)[0].stack, "go-mssqldb URL");
}

#[test]
fn placeholders_and_concatenation() {
    check(
        "main.bicep",
        "value: 'Server=${sqlServer.properties.fullyQualifiedDomainName}; Database=${db}; Encrypt=true'",
        &hits! {
            ADO, "${sqlServer.properties.fullyQualifiedDomainName}", _, _, "${db}", FULL, _;
        },
    );
    assert!(
        scan(
            "Db.java",
            "String u = \"jdbc:sqlserver://\" + host + \";encrypt=true\";"
        )
        .is_empty()
    );
}

/// Text two stacks read is reported once, by the stack that runs first and
/// claims it: a connection string in a sqlcmd variable, a `server=` in a
/// Prisma URL (each was also reported as an ADO.NET string).
#[test]
fn claimed_text_is_reported_once() {
    let table = [
        (
            "deploy.sh",
            "sqlcmd -S db -N -v CS=\"Server=db;Database=x;Encrypt=no\" -i seed.sql",
            "sqlcmd",
        ),
        (
            ".env",
            "DATABASE_URL=sqlserver://db:1433;database=x;server=db2;encrypt=true",
            "Prisma sqlserver URL",
        ),
    ];
    for (name, text, stack) in table {
        let stacks: Vec<&str> = scan(name, text).iter().map(|h| h.stack).collect();
        assert_eq!(stacks, [stack], "{name}: {text}");
    }
}
