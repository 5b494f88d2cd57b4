//! `scan-config` over a tree of small fake applications, one stack each
//! (tests/fixtures/apps): every setting found with the right three facts,
//! the driver version read from the app's own dependency file, and the
//! planted password in none of the output.

use std::path::Path;
use std::process::Command;

const PLANTED: &str = "PLANTED-s3cret";

/// (file under tests/fixtures/apps, engine, host's first label, uses TLS,
/// verifies chain, verifies hostname)
const EXPECTED: [(&str, &str, &str, &str, &str, &str); 16] = [
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
        "spring/src/main/resources/application.properties",
        "mysql",
        "shop-db",
        "yes",
        "yes",
        "yes",
    ), // VERIFY_IDENTITY
];

#[test]
fn every_stack_is_found_with_its_three_facts_and_no_secret() {
    let apps = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apps");
    let out = Command::new(env!("CARGO_BIN_EXE_sslcensus"))
        .arg("scan-config")
        .arg(&apps)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        !stdout.contains(PLANTED) && !stderr.contains(PLANTED),
        "a planted secret leaked:\n{stdout}{stderr}"
    );
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} column: {headers:?}"))
    };
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), EXPECTED.len(), "{stdout}");
    let row_of = |file: &str| {
        rows.iter()
            .find(|r| r[column("file")].ends_with(file))
            .unwrap_or_else(|| panic!("nothing found in {file}: {stdout}"))
    };
    for (file, engine, host, tls, chain, hostname) in EXPECTED {
        let row = row_of(file);
        let field = |name: &str| &row[column(name)];
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
        let row = row_of(file);
        let shown = &row[column("driver_version")];
        assert_eq!(&row[column("application")], application, "{file}");
        assert!(
            shown.starts_with(version) && shown.ends_with(dependency_file),
            "{file}: {shown:?}"
        );
    }
}
