//! Client settings and analyst findings settle what the logs leave at
//! `review`: logs in, a tree of application configs in, verdicts out — and
//! no secret from those configs in any output.

use std::path::Path;
use std::process::Command;

mod common;
use common::{sslcensus as run, text};

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
        .arg("--app-map")
        .arg(root.join("samples/configs/app-map.csv"))
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
    let reason_of = |key: &str| -> String {
        let key: Vec<&str> = key.split(',').collect();
        records
            .iter()
            .find(|r| key.iter().enumerate().all(|(i, k)| &r[i] == *k))
            .map(|r| r[16].to_string())
            .unwrap_or_default()
    };
    // reporting-api/.env: verify-full for svc.reporting on Sales DW, tied to
    // app_verify_full by the app map; the other applications of that user
    // are not that file's.
    assert_eq!(
        verdict_of("pg-sample-1,postgres,svc.reporting,Sales DW,app_verify_full"),
        ["verifies,affected"]
    );
    for app in ["app_verify_ca", "PostgreSQL JDBC Driver"] {
        assert_eq!(
            verdict_of(&format!(
                "pg-sample-1,postgres,svc.reporting,Sales DW,{app}"
            )),
            ["unknown,review"],
            "{app}"
        );
    }
    // billing-worker/db.js: rejectUnauthorized false for app-user on
    // secure_only, tied to app_require.
    assert_eq!(
        verdict_of("pg-sample-1,postgres,app-user,secure_only,app_require"),
        ["does_not_verify,not_affected"]
    );
    // storefront database.yml: verify_identity for svc.reporting on
    // reports.v2. MariaDB logs name no application and three clients share
    // that user, so the setting is only a candidate for each: cited, and
    // the logs' verdicts stand (TLS clients in review, the plaintext socket
    // client not affected).
    for host in ["127.0.0.33", "127.0.0.34"] {
        let key = format!("mariadb-sample-1,mariadb,svc.reporting,reports.v2,,{host}");
        assert_eq!(verdict_of(&key), ["unknown,review"], "{host}");
        assert!(
            reason_of(&key).contains("storefront/config/database.yml:1 (Rails database.yml (mysql2)) verifies the chain: a candidate only, it names no application and matches 3"),
            "{}",
            reason_of(&key)
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

/// A throwaway CA with the RDS rsa2048-g1 root's subject and kind of key,
/// not its key: a look-alike.
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
    // The real root (tests/fixtures/rds/README.md).
    write(
        root,
        "apps/billing/certs/rds-bundle.pem",
        include_str!("fixtures/rds/us-east-1-rsa2048-g1.pem"),
    );
    write(
        root,
        "apps/reports/.env",
        &format!(
            "DATABASE_URL=postgres://reports:{PASSWORD}@{ENDPOINT}/orders?sslmode=verify-full&sslrootcert=certs/rds-bundle.pem\n"
        ),
    );
    rds_like_ca(&root.join("apps/reports/certs/rds-bundle.pem"));
    let arg = |rel: &str| root.join(rel).to_string_lossy().into_owned();

    let scan = run(&["scan-config", &arg("apps")]);
    let settings = text(&scan.stdout);
    let store_of = |app: &str| {
        settings
            .lines()
            .find(|l| l.contains(&format!("apps/{app}/.env")))
            .unwrap_or_else(|| panic!("{app}: {settings}"))
            .to_string()
    };
    assert!(
        store_of("billing").contains(",rds-ca-rsa2048-g1 until 2061-05-25,"),
        "{settings}"
    );
    assert!(
        store_of("reports").contains(",no RDS CA; look-alike of rds-ca-rsa2048-g1 (us-east-1),"),
        "{settings}"
    );

    let out = run(&["analyze", "-q", &arg("logs"), "--scan", &arg("apps")]);
    let report = text(&out.stdout);
    let billing = report.lines().find(|l| l.contains(",billing,")).unwrap();
    assert!(billing.contains(",verifies,affected,"), "{billing}");
    assert!(
        billing.contains("its trust store holds: rds-ca-rsa2048-g1 until "),
        "{billing}"
    );
}

/// One session of `user` as `app` from `host`, with TLS or without.
fn session_line(second: u32, host: &str, user: &str, app: &str, tls: bool) -> String {
    let clause = if tls {
        " SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)"
    } else {
        ""
    };
    format!(
        "2026-11-02 10:00:{second:02} UTC:{host}(5000):{user}@orders:[1{second:02}]:LOG:  connection authorized: user={user} database=orders application_name={app}{clause}\n"
    )
}

/// The CSV row of `app`, as (verification, verdict, reason).
fn row_of(csv: &str, app: &str) -> (String, String, String) {
    csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(Result::unwrap)
        .find(|r| &r[4] == app)
        .map(|r| (r[14].to_string(), r[15].to_string(), r[16].to_string()))
        .unwrap_or_else(|| panic!("no row for {app}: {csv}"))
}

/// One TLS session of `orders-api` as `app`, and an `.env` with this
/// DATABASE_URL query: the row's (verification, verdict, reason).
fn one_tls_client_with_env(query: &str) -> (String, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "logs/orders-db/postgresql.log.2026-11-02-10",
        &session_line(1, "10.0.3.7", "app", "orders-api", true),
    );
    write(
        root,
        "apps/orders/.env",
        &format!("DATABASE_URL=postgres://app:{PASSWORD}@{ENDPOINT}/orders?{query}\n"),
    );
    let arg = |rel: &str| root.join(rel).to_string_lossy().into_owned();
    let out = run(&["analyze", "-q", &arg("logs"), "--scan", &arg("apps")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    row_of(&text(&out.stdout), "orders-api")
}

/// Rule 1 of the verdict rules: a setting that says "no TLS" cannot
/// describe a client the server saw using TLS.
#[test]
fn a_setting_never_overrides_the_sessions_logged() {
    let (verification, verdict, reason) = one_tls_client_with_env("sslmode=disable");
    assert_eq!(
        (verification.as_str(), verdict.as_str()),
        ("unknown", "review")
    );
    assert!(
        reason.contains("TLSv1.3 in its only session")
            && reason.contains("orders/.env:1 (libpq URI) no TLS: disagrees with the logs"),
        "{reason}"
    );
}

/// Rule 1: a setting that names no application, matching two services that
/// share a database user, settles neither; `--app-map` ties it to one.
#[test]
fn a_setting_shared_by_several_applications_is_only_a_candidate() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let log = [
        session_line(1, "10.0.3.7", "app", "billing", true),
        session_line(2, "10.0.3.9", "app", "payments", true),
    ]
    .concat();
    write(root, "logs/orders-db/postgresql.log.2026-11-02-10", &log);
    write(
        root,
        "apps/src/billing/db.js",
        &format!(
            "const {{ Pool }} = require('pg');\nconst pool = new Pool({{ host: '{ENDPOINT}', user: 'app', password: '{PASSWORD}', database: 'orders', ssl: {{ rejectUnauthorized: false }} }});\n"
        ),
    );
    let arg = |rel: &str| root.join(rel).to_string_lossy().into_owned();
    let out = run(&["analyze", "-q", &arg("logs"), "--scan", &arg("apps")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    for app in ["billing", "payments"] {
        let (_, verdict, reason) = row_of(&csv, app);
        assert_eq!(verdict, "review", "{app}: {reason}");
        assert!(
            reason.contains("a candidate only, it names no application and matches 2"),
            "{reason}"
        );
    }

    write(
        root,
        "app-map.csv",
        "path,application\nsrc/billing/,billing\n",
    );
    let out = run(&[
        "analyze",
        "-q",
        &arg("logs"),
        "--scan",
        &arg("apps"),
        "--app-map",
        &arg("app-map.csv"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let (verification, verdict, reason) = row_of(&csv, "billing");
    assert_eq!(
        (verification.as_str(), verdict.as_str()),
        ("does_not_verify", "not_affected"),
        "{reason}"
    );
    assert!(reason.contains("src/billing/db.js:2"), "{reason}");
    let (_, verdict, reason) = row_of(&csv, "payments");
    assert_eq!(verdict, "review", "{reason}");
    assert!(!reason.contains("db.js"), "{reason}");
}

/// Rule 3 of the verdict rules: "no TLS" and "does not verify" need
/// positive evidence. A TLS mode taken from a variable decides nothing: the
/// row stays in review with the setting cited.
#[test]
fn a_tls_setting_from_a_variable_settles_nothing() {
    let (verification, verdict, reason) = one_tls_client_with_env("sslmode=${DB_SSLMODE}");
    assert_eq!(
        (verification.as_str(), verdict.as_str()),
        ("unknown", "review")
    );
    assert!(
        reason.contains("orders/.env:1 (libpq URI) verification not decidable"),
        "{reason}"
    );
    assert!(!reason.contains(PASSWORD), "{reason}");
}
