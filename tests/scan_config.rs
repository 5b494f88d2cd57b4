//! `scan-config` over trees of small fake applications: one stack each
//! (tests/fixtures/apps), every setting found with the right three facts and
//! the driver version read from the app's own dependency file; live settings
//! beside commented-out ones and split over lines (tests/fixtures/commented),
//! only the live ones found, joined. The planted password is in none of the
//! output.

use std::path::Path;
use std::process::Command;

const PLANTED: &str = "PLANTED-s3cret";

/// (file under tests/fixtures/apps, engine, host's first label, uses TLS,
/// verifies chain, verifies hostname)
const EXPECTED: [(&str, &str, &str, &str, &str, &str); 26] = [
    ("cnf/my.cnf", "mysql", "warehouse-db", "yes", "no", "no"), // ssl-mode=REQUIRED
    (
        "compose/docker-compose.yml",
        "postgres",
        "jobs-db",
        "yes",
        "yes",
        "yes",
    ), // verify-full
    (
        "django/mysite/settings.py",
        "postgres",
        "cms-db",
        "yes",
        "unknown",
        "no",
    ), // require: root.crt decides
    (
        "dotnet/appsettings.json",
        "sqlserver",
        "ledger-db",
        "yes",
        "no",
        "no",
    ), // TrustServerCertificate=True
    (
        "dotnet-mysql/App.config",
        "mysql",
        "dotnet-db",
        "yes",
        "yes",
        "yes",
    ), // MySqlConnector SslMode=VerifyFull with SslCa
    (
        "go-mysql/main.go",
        "mysql",
        "inventory-db",
        "yes",
        "no",
        "no",
    ), // tls=skip-verify
    (
        "go-pq/main.go",
        "postgres",
        "events-db",
        "yes",
        "yes",
        "yes",
    ), // verify-full
    (
        "helm/values.yaml",
        "postgres",
        "helm-db",
        "yes",
        "yes",
        "no",
    ), // sslmode: verify-ca nested under database:
    (
        "k8s/deployment.yaml",
        "postgres",
        "search-db",
        "no",
        "no",
        "no",
    ), // PGSSLMODE=disable
    (
        "node-mysql/db.js",
        "mysql",
        "catalog-db",
        "yes",
        "yes",
        "no",
    ), // ssl: 'Amazon RDS'
    (
        "odbc/odbc.ini",
        "sqlserver",
        "payroll-db",
        "yes",
        "yes",
        "yes",
    ), // Driver 18, Encrypt=yes
    (
        "oracle/network/admin/tnsnames.ora",
        "oracle",
        "erp-db",
        "yes",
        "yes",
        "yes",
    ), // TCPS, DN match
    ("node-pg/db.js", "postgres", "billing-db", "yes", "no", "no"), // ssl: true, and package.json says pg 7
    (
        "npgsql/appsettings.json",
        "postgres",
        "orders-db",
        "yes",
        "yes",
        "unknown",
    ), // SSL Mode=Require, and Orders.csproj says Npgsql 5
    ("php/db.php", "mysql", "crm-db", "yes", "no", "no"), // SSL_VERIFY_SERVER_CERT => false
    (
        "sqlalchemy-mssql/db.py",
        "sqlserver",
        "ledger-db",
        "yes",
        "yes",
        "yes",
    ), // odbc_connect: ODBC Driver 18, Encrypt=yes; one setting, not the URL and the string
    (
        "sqlcmd/export.sh",
        "sqlserver",
        "export-db",
        "yes",
        "no",
        "no",
    ), // mssql-tools18's sqlcmd -N -C
    (
        "pg-scripts/backup.sh",
        "postgres",
        "backup-db",
        "yes",
        "yes",
        "yes",
    ), // PGSSLMODE=verify-full set for pg_dump
    (
        "pgbouncer/pgbouncer.ini",
        "postgres",
        "pool-db",
        "yes",
        "yes",
        "yes",
    ), // server_tls_sslmode = verify-full
    (
        "mysql-cli/report.sh",
        "mysql",
        "report-db",
        "yes",
        "yes",
        "yes",
    ), // mysql --ssl-mode=VERIFY_IDENTITY
    (
        "proxysql/proxysql.cnf",
        "mysql",
        "proxy-db",
        "yes",
        "yes",
        "no",
    ), // use_ssl=1 with ssl_p2s_ca: the chain, never the host name
    ("py-mysql/app.py", "mysql", "audit-db", "yes", "yes", "yes"), // ssl={"ca": …}
    (
        "rails-pg/config/database.yml",
        "postgres",
        "orders-db",
        "yes",
        "yes",
        "no",
    ), // verify-ca
    (
        "sequelize/models/index.js",
        "mysql",
        "catalog-db",
        "yes",
        "yes",
        "no",
    ), // a plain mysql:// URL with dialectOptions.ssl.ca beside it: one setting
    (
        "spring/src/main/resources/application.properties",
        "mysql",
        "shop-db",
        "yes",
        "yes",
        "yes",
    ), // VERIFY_IDENTITY
    (
        "wordpress/wp-config.php",
        "mysql",
        "blog-db",
        "yes",
        "no",
        "no",
    ), // MYSQL_CLIENT_FLAGS = MYSQLI_CLIENT_SSL
];

/// `scan-config`'s CSV: its header and rows.
struct Scan {
    headers: csv::StringRecord,
    rows: Vec<csv::StringRecord>,
    stdout: String,
}

impl Scan {
    fn column(&self, name: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} column: {:?}", self.headers))
    }

    /// The row found in `file`.
    fn row_of(&self, file: &str) -> &csv::StringRecord {
        let column = self.column("file");
        self.rows
            .iter()
            .find(|r| r[column].ends_with(file))
            .unwrap_or_else(|| panic!("nothing found in {file}: {}", self.stdout))
    }

    fn field<'r>(&self, row: &'r csv::StringRecord, name: &str) -> &'r str {
        &row[self.column(name)]
    }
}

/// `scan-config` over tests/fixtures/`tree`, after checking that it
/// succeeded and showed the planted secret nowhere.
fn scan_config(tree: &str) -> Scan {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(tree);
    let out = Command::new(env!("CARGO_BIN_EXE_sslcensus"))
        .arg("scan-config")
        .arg(&root)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        !stdout.contains(PLANTED) && !stderr.contains(PLANTED),
        "a planted secret leaked:\n{stdout}{stderr}"
    );
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let rows = reader.records().map(Result::unwrap).collect();
    Scan {
        headers,
        rows,
        stdout,
    }
}

#[test]
fn every_stack_is_found_with_its_three_facts_and_no_secret() {
    let scan = scan_config("apps");
    assert_eq!(scan.rows.len(), EXPECTED.len(), "{}", scan.stdout);
    for (file, engine, host, tls, chain, hostname) in EXPECTED {
        let row = scan.row_of(file);
        let field = |name: &str| scan.field(row, name);
        assert_eq!(
            (
                field("engine"),
                field("host").split('.').next().unwrap(),
                field("uses_tls"),
                field("verifies_chain"),
                field("verifies_hostname")
            ),
            (engine, host, tls, chain, hostname),
            "{file}: {row:?}"
        );
        assert!(
            field("setting").contains("****") || !field("setting").contains("assword"),
            "{file}: unmasked: {}",
            field("setting")
        );
    }
    // The application each setting names, and the driver version from the
    // app's own dependency file (none for the others).
    for (file, application, version, dependency_file) in [
        (
            "node-pg/db.js",
            "billing-worker",
            "pg ^7.18.2 (",
            "apps/node-pg/package.json)",
        ),
        (
            "npgsql/appsettings.json",
            "orders-api",
            "Npgsql 5.0.18 (",
            "apps/npgsql/Orders.csproj)",
        ),
        ("rails-pg/config/database.yml", "", "", ""),
    ] {
        let row = scan.row_of(file);
        let shown = scan.field(row, "driver_version");
        assert_eq!(scan.field(row, "application"), application, "{file}");
        assert!(
            shown.starts_with(version) && shown.ends_with(dependency_file),
            "{file}: {shown:?}"
        );
    }
}

/// (file under tests/fixtures/commented, line, engine, host's first label,
/// uses TLS, verifies chain, verifies hostname): the live settings, every
/// one verifying; beside each, settings commented out that must not show.
const LIVE: [(&str, &str, &str, &str, &str, &str, &str); 12] = [
    ("cnf/my.cnf", "1", "mysql", "cnf-db", "yes", "yes", "yes"),
    (
        "dotnet/Orders.cs",
        "5",
        "postgres",
        "cs-db",
        "yes",
        "yes",
        "yes",
    ), // `+`-joined
    (
        "dotnet/Web.config",
        "8",
        "sqlserver",
        "config-db",
        "yes",
        "yes",
        "yes",
    ),
    ("env/.env", "2", "postgres", "env-db", "yes", "yes", "yes"),
    ("go/main.go", "11", "postgres", "go-db", "yes", "yes", "yes"), // `+`-joined
    (
        "k8s/deployment.yaml",
        "19",
        "postgres",
        "k8s-db",
        "yes",
        "yes",
        "yes",
    ),
    (
        "node/db.js",
        "5",
        "postgres",
        "node-db",
        "yes",
        "yes",
        "yes",
    ), // `+`-joined
    (
        "odbc/odbc.ini",
        "1",
        "sqlserver",
        "odbc-db",
        "yes",
        "yes",
        "yes",
    ),
    ("php/db.php", "4", "postgres", "php-db", "yes", "yes", "yes"), // `.`-joined
    // SQLAlchemy passes `?ssl_ca=` of the second literal to PyMySQL as
    // ssl={'ca': …}: chain and host name verified.
    (
        "py/reports.py",
        "9",
        "mysql",
        "reports-db",
        "yes",
        "yes",
        "yes",
    ),
    // A `\`-continued properties line.
    (
        "spring/application.properties",
        "4",
        "postgres",
        "spring-db",
        "yes",
        "yes",
        "yes",
    ),
    (
        "yaml/application.yml",
        "4",
        "mysql",
        "yaml-db",
        "yes",
        "yes",
        "yes",
    ),
];

#[test]
fn commented_out_settings_are_not_reported_and_split_ones_are_joined() {
    let scan = scan_config("commented");
    assert!(
        !scan.stdout.contains("commented-db"),
        "a commented-out setting was reported:\n{}",
        scan.stdout
    );
    assert_eq!(scan.rows.len(), LIVE.len(), "{}", scan.stdout);
    for (file, line, engine, host, tls, chain, hostname) in LIVE {
        let row = scan.row_of(file);
        let field = |name: &str| scan.field(row, name);
        assert_eq!(
            (
                field("line"),
                field("engine"),
                field("host").split('.').next().unwrap(),
                field("uses_tls"),
                field("verifies_chain"),
                field("verifies_hostname")
            ),
            (line, engine, host, tls, chain, hostname),
            "{file}: {row:?}"
        );
    }
}
