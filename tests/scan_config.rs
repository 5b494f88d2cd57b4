//! `scan-config` over a tree of small fake applications, one stack each
//! (tests/fixtures/apps): every setting found with the right three facts,
//! and the planted password in none of the output.

use std::path::Path;
use std::process::Command;

const PLANTED: &str = "PLANTED-s3cret";

/// (file under tests/fixtures/apps, engine, host's first label, uses TLS,
/// verifies chain, verifies hostname)
const EXPECTED: [(&str, &str, &str, &str, &str, &str); 14] = [
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
    ("php/db.php", "mysql", "crm-db", "yes", "no", "no"),       // SSL_VERIFY_SERVER_CERT => false
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
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), EXPECTED.len(), "{stdout}");
    for (file, engine, host, tls, chain, hostname) in EXPECTED {
        let row = rows
            .iter()
            .find(|r| r[0].ends_with(file))
            .unwrap_or_else(|| panic!("nothing found in {file}: {stdout}"));
        assert_eq!(
            (
                &row[3],
                row[4].split('.').next().unwrap(),
                &row[8],
                &row[9],
                &row[10]
            ),
            (engine, host, tls, chain, hostname),
            "{file}: {row:?}"
        );
        assert!(
            row[13].contains("****") || !row[13].contains("assword"),
            "{file}: unmasked: {}",
            &row[13]
        );
    }
}
