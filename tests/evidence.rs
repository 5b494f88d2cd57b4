//! Client settings and analyst findings settle what the logs leave at
//! `review`: logs in, a tree of application configs in, verdicts out — and
//! no secret from those configs in any output.

use std::path::Path;
use std::process::{Command, Output};

const ENDPOINT: &str = "orders-db.c9akciq32.us-east-1.rds.amazonaws.com";
const PASSWORD: &str = "Sup3r-S3cret-pw";

/// One TLS session per user, from its own address.
fn logs() -> String {
    ["billing", "reports", "legacy", "etl"]
        .iter()
        .enumerate()
        .map(|(i, user)| {
            format!(
                "2026-11-02 10:00:0{i} UTC:10.0.0.{i}(5000):{user}@orders:[10{i}]:LOG:  connection authorized: user={user} database=orders application_name={user}-app SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)\n"
            )
        })
        .collect()
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn apps(root: &Path) {
    write(
        root,
        "billing/.env",
        &format!(
            "DATABASE_URL=postgres://billing:{PASSWORD}@{ENDPOINT}:5432/orders?sslmode=verify-full&sslrootcert=/etc/ssl/rds-global-bundle.pem\n"
        ),
    );
    write(
        root,
        "reports/config/database.yml",
        &format!(
            "production:\n  adapter: postgresql\n  host: {ENDPOINT}\n  database: orders\n  username: reports\n  password: {PASSWORD}\n  sslmode: require\n"
        ),
    );
    write(
        root,
        "legacy/db.js",
        &format!(
            "const {{ Pool }} = require('pg');\nconst pool = new Pool({{ host: '{ENDPOINT}', user: 'legacy', password: '{PASSWORD}', database: 'orders', ssl: {{ rejectUnauthorized: false }} }});\n"
        ),
    );
    write(
        root,
        "overrides.csv",
        "user,verifies,note\netl,no,\"checked the job's JDBC settings by hand\"\n",
    );
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sslcensus"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn configs_and_overrides_settle_review_rows_and_never_leak_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "logs/orders-db/postgresql.log.2026-11-02-10", &logs());
    apps(&root.join("apps"));
    let arg = |rel: &str| root.join(rel).to_string_lossy().into_owned();

    // Without evidence, every TLS client needs review.
    let plain = run(&["analyze", "-q", &arg("logs")]);
    assert!(
        text(&plain.stdout)
            .lines()
            .skip(1)
            .all(|l| l.contains(",review,")),
        "{}",
        text(&plain.stdout)
    );

    // scan-config finds the settings, masked.
    let scan_csv = arg("scan.csv");
    let scan = run(&["scan-config", &arg("apps"), "-o", &scan_csv]);
    assert_eq!(scan.status.code(), Some(0), "{}", text(&scan.stderr));
    let settings = std::fs::read_to_string(&scan_csv).unwrap();
    assert!(settings.contains("billing"), "{settings}");

    let (logs_dir, apps_dir, overrides) = (arg("logs"), arg("apps"), arg("apps/overrides.csv"));
    for evidence in [
        ["--configs", scan_csv.as_str()],
        ["--scan", apps_dir.as_str()],
    ] {
        let mut args = vec![
            "analyze",
            "-q",
            logs_dir.as_str(),
            "--evidence",
            overrides.as_str(),
        ];
        args.extend(evidence);
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let csv = text(&out.stdout);
        let row = |user: &str| {
            csv.lines()
                .find(|l| l.starts_with(&format!("orders-db,postgres,{user},")))
                .unwrap_or_else(|| panic!("no row for {user}: {csv}"))
                .to_string()
        };
        assert!(
            row("billing").contains(",verifies,affected,"),
            "{}",
            row("billing")
        );
        assert!(
            row("billing").contains("billing/.env:1"),
            "{}",
            row("billing")
        );
        assert!(
            row("legacy").contains(",does_not_verify,not_affected,"),
            "{}",
            row("legacy")
        );
        // sslmode=require without a root certificate: the host's
        // ~/.postgresql/root.crt decides, so the row stays to check.
        assert!(
            row("reports").contains(",unknown,review,"),
            "{}",
            row("reports")
        );
        assert!(
            row("etl").contains(",does_not_verify,not_affected,"),
            "{}",
            row("etl")
        );
        assert!(
            row("etl").contains("checked the job's JDBC settings by hand"),
            "{}",
            row("etl")
        );
        for output in [&out.stdout, &out.stderr, &scan.stdout, &scan.stderr] {
            assert!(
                !text(output).contains(PASSWORD),
                "a secret leaked: {}",
                text(output)
            );
        }
    }
    assert!(
        !settings.contains(PASSWORD),
        "a secret leaked into the scan: {settings}"
    );
}

#[test]
fn broken_evidence_files_are_named_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "logs/orders-db/postgresql.log.1", &logs());
    write(root, "overrides.csv", "user,verifies\nbilling,perhaps\n");
    let out = run(&[
        "analyze",
        "-q",
        &root.join("logs").to_string_lossy(),
        "--evidence",
        &root.join("overrides.csv").to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("overrides.csv:2: \"perhaps\" is not yes, no or unknown"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_scan_that_cannot_read_a_path_fails_the_run_but_still_reports() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "logs/orders-db/postgresql.log.1", &logs());
    let missing = root.join("no-such-app");
    let out = run(&[
        "analyze",
        "-q",
        &root.join("logs").to_string_lossy(),
        "--scan",
        &missing.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no-such-app"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("orders-db,postgres,billing,"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn the_bundled_sample_settings_move_sample_rows_out_of_review() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_sslcensus"))
        .args([
            "analyze",
            "-q",
            "--group-by",
            "instance,user,database,application,client_host",
        ])
        .arg(root.join("samples/postgresql/stderr"))
        .arg(root.join("samples/mariadb/general"))
        .arg("--scan")
        .arg(root.join("samples/configs"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let records: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect();
    // (verification, verdict) of the rows whose leading columns are `key`.
    let verdict_of = |key: &str| -> Vec<String> {
        let key: Vec<&str> = key.split(',').collect();
        records
            .iter()
            .filter(|r| key.iter().enumerate().all(|(i, k)| &r[i] == *k))
            .map(|r| format!("{},{}", &r[14], &r[15]))
            .collect()
    };
    // reporting-api/.env: verify-full for svc.reporting on Sales DW.
    let reporting = verdict_of("pg-sample-1,postgres,svc.reporting,Sales DW");
    assert_eq!(reporting.len(), 3, "{csv}");
    assert!(
        reporting.iter().all(|v| v == "verifies,affected"),
        "{reporting:?}"
    );
    // billing-worker/db.js: rejectUnauthorized false for app-user on secure_only.
    assert_eq!(
        verdict_of("pg-sample-1,postgres,app-user,secure_only,app_require"),
        ["does_not_verify,not_affected"]
    );
    // storefront database.yml: verify_identity for svc.reporting on reports.v2 (the
    // TLS clients; the plaintext socket client stays not affected).
    for host in ["127.0.0.33", "127.0.0.34"] {
        assert_eq!(
            verdict_of(&format!(
                "mariadb-sample-1,mariadb,svc.reporting,reports.v2,,{host}"
            )),
            ["verifies,affected"],
            "{host}"
        );
    }
    assert_eq!(
        verdict_of("mariadb-sample-1,mariadb,svc.reporting,reports.v2,,localhost"),
        ["no_tls,not_affected"]
    );
    // Everything else the logs left open stays open.
    assert_eq!(
        verdict_of("pg-sample-1,postgres,app-user,appdb,app_prefer"),
        ["unknown,review"]
    );
}

/// A throwaway CA with the RDS rsa2048-g1 root's subject and key kind.
fn rds_like_ca(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650"])
        .args(["-keyout", "/dev/null", "-out"])
        .arg(path)
        .args([
            "-subj",
            "/C=US/ST=WA/L=Seattle/O=Amazon Web Services, Inc./OU=Amazon RDS/CN=Amazon RDS us-east-1 Root CA RSA2048 G1",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        ])
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl runs");
    assert!(status.success());
}

#[test]
fn the_trust_store_a_setting_names_is_checked_and_cited() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "logs/orders-db/postgresql.log.2026-11-02-10", &logs());
    write(
        root,
        "apps/billing/.env",
        &format!(
            "DATABASE_URL=postgres://billing:{PASSWORD}@{ENDPOINT}/orders?sslmode=verify-full&sslrootcert=certs/rds-bundle.pem\n"
        ),
    );
    rds_like_ca(&root.join("apps/billing/certs/rds-bundle.pem"));
    let arg = |rel: &str| root.join(rel).to_string_lossy().into_owned();

    let scan = run(&["scan-config", &arg("apps")]);
    let settings = text(&scan.stdout);
    assert!(settings.contains(",rds-ca-rsa2048-g1 until "), "{settings}");

    let out = run(&["analyze", "-q", &arg("logs"), "--scan", &arg("apps")]);
    let report = text(&out.stdout);
    let billing = report.lines().find(|l| l.contains(",billing,")).unwrap();
    assert!(billing.contains(",verifies,affected,"), "{billing}");
    assert!(
        billing.contains("its trust store holds: rds-ca-rsa2048-g1 until "),
        "{billing}"
    );
}
