//! `sslcensus plan`: an inventory shaped like real `aws rds
//! describe-db-instances` output (typed by hand: no AWS account here; two
//! pages one after the other, CAs rds-ca-2019, rds-ca-rsa2048-g1 and
//! rds-ca-ecc384-g1) joined with the report of the bundled real samples.

use std::path::{Path, PathBuf};

mod common;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

#[test]
fn every_instance_gets_its_status_and_next_step() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.csv");
    let samples = root().join("samples");
    let pg = samples.join("postgresql/stderr/pg-sample-1");
    let maria = samples.join("mariadb/general/mariadb-sample-1");
    common::sslcensus_ok(&[
        "analyze",
        "-q",
        pg.to_str().unwrap(),
        maria.to_str().unwrap(),
        "-o",
        report.to_str().unwrap(),
    ]);
    let inventory = root().join("tests/fixtures/inventory/describe-db-instances.json");
    let plan = dir.path().join("plan.csv");
    common::sslcensus_ok(&[
        "plan",
        report.to_str().unwrap(),
        "--instances",
        inventory.to_str().unwrap(),
        "-o",
        plan.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&plan).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let get =
        |row: &[String], name: &str| row[headers.iter().position(|h| h == name).unwrap()].clone();
    let statuses: Vec<(String, String)> = rows
        .iter()
        .map(|r| (get(r, "instance"), get(r, "status")))
        .collect();
    // Most urgent first; every inventory instance is there, observed or not,
    // and a reported instance the inventory lacks is said.
    assert_eq!(
        statuses,
        [
            ("pg-sample-1".to_string(), "action_needed".to_string()),
            ("orders-db-3".into(), "not_observed".into()),
            ("billing-db-2".into(), "on_target_ca".into()),
            ("mariadb-sample-1".into(), "not_in_inventory".into()),
        ],
        "{text}"
    );
    let pg_row = &rows[0];
    assert_eq!(get(pg_row, "ca"), "rds-ca-2019");
    assert_eq!(
        get(pg_row, "server_certificate_valid_till"),
        "2024-08-22T17:08:50+00:00"
    );
    assert_eq!(get(pg_row, "affected"), "2", "{text}");
    assert!(
        get(pg_row, "next_step").starts_with("1. add rds-ca-rsa2048-g1's root"),
        "{text}"
    );
    assert_eq!(
        get(pg_row, "command"),
        "aws rds modify-db-instance --db-instance-identifier pg-sample-1 --ca-certificate-identifier rds-ca-rsa2048-g1 --apply-immediately"
    );
    assert_eq!(
        get(&rows[1], "affected"),
        "",
        "not observed: no counts, {text}"
    );
    assert_eq!(get(&rows[1], "command"), "", "look before rotating, {text}");
    assert_eq!(get(&rows[2], "command"), "", "{text}");

    // The table on the terminal says the same.
    let out = common::sslcensus_ok(&[
        "plan",
        report.to_str().unwrap(),
        "--instances",
        inventory.to_str().unwrap(),
    ]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.starts_with("action_needed    pg-sample-1"), "{table}");
    assert!(table.contains("not_observed"), "{table}");
}

#[test]
fn a_file_that_is_no_inventory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.csv");
    std::fs::write(&report, "instance,verdict\ndb,review\n").unwrap();
    let bad = dir.path().join("inv.json");
    // (contents, what the message says)
    let table = [
        ("{\"DBClusters\": []}", "no DB instances or clusters"),
        (
            "{\"Certificates\": []}",
            "inv.json: page 1 has no DBInstances, DBClusters or DBEngineVersions",
        ),
    ];
    for (contents, message) in table {
        std::fs::write(&bad, contents).unwrap();
        let out = common::sslcensus(&[
            "plan",
            report.to_str().unwrap(),
            "--instances",
            bad.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{err}");
    }
}

/// The CSV's rows as maps of column → cell.
fn csv_rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            headers
                .iter()
                .map(str::to_string)
                .zip(r.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn analyze_with_an_inventory_says_each_instance_and_lists_the_unobserved() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.csv");
    let samples = root().join("samples");
    let fixtures = root().join("tests/fixtures/inventory");
    let pg = samples.join("postgresql/stderr/pg-sample-1");
    let maria = samples.join("mariadb/general/mariadb-sample-1");
    let mut args = vec![
        "analyze".to_string(),
        pg.display().to_string(),
        maria.display().to_string(),
        "-o".into(),
        report.display().to_string(),
    ];
    for file in [
        "describe-db-instances.json",
        "describe-db-clusters.json",
        "describe-db-engine-versions.json",
    ] {
        args.push("--instances".into());
        args.push(fixtures.join(file).display().to_string());
    }
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = common::sslcensus_ok(&argv);
    let err = String::from_utf8_lossy(&out.stderr);
    // Inventory instances without logs: a warning and a review row each;
    // those the rotation does not concern: a note, no row.
    assert!(
        err.contains("warning: 3 inventory instances have no log among the inputs (a review row each, [not observed]): ledger-instance-1, ledger-instance-2, orders-db-3"),
        "{err}"
    );
    assert!(
        err.contains("2 inventory instances without logs are not concerned (already on the target CA, or Aurora Serverless v1): billing-db-2, reports-legacy"),
        "{err}"
    );
    assert!(
        err.contains("1 instances of the logs are not in the inventory (check their names, or --instance): mariadb-sample-1"),
        "{err}"
    );
    let rows = csv_rows(&report);
    let pg_rows: Vec<_> = rows
        .iter()
        .filter(|r| r["instance"] == "pg-sample-1")
        .collect();
    assert!(!pg_rows.is_empty());
    for r in &pg_rows {
        assert_eq!(r["rds_engine"], "postgres");
        assert_eq!(r["rds_engine_version"], "15.5");
        assert_eq!(r["ca"], "rds-ca-2019");
        assert_eq!(
            r["server_certificate_valid_till"],
            "2024-08-22T17:08:50+00:00"
        );
        assert_eq!(r["rotation"], "concerned");
    }
    for r in rows.iter().filter(|r| r["instance"] == "mariadb-sample-1") {
        assert_eq!(r["rotation"], "not_in_inventory");
        assert_eq!(r["ca"], "");
    }
    let unobserved: Vec<_> = rows
        .iter()
        .filter(|r| r["application"] == "[not observed]")
        .map(|r| {
            (
                r["instance"].as_str(),
                r["verdict"].as_str(),
                r["rotation"].as_str(),
                r["ca"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        unobserved,
        [
            ("ledger-instance-1", "review", "not_observed", "rds-ca-2019"),
            ("ledger-instance-2", "review", "not_observed", "rds-ca-2019"),
            ("orders-db-3", "review", "not_observed", "rds-ca-ecc384-g1"),
        ]
    );
    // A batch job with --fail-on review fails on an instance it did not see.
    let mut strict = argv.clone();
    strict.extend(["--fail-on", "review"]);
    let out = common::sslcensus(&strict);
    assert_eq!(out.status.code(), Some(3));

    // plan reads that report: the placeholder rows are no clients.
    let plan = dir.path().join("plan.csv");
    let mut plan_args = vec![
        "plan",
        report.to_str().unwrap(),
        "-o",
        plan.to_str().unwrap(),
    ];
    for a in args.iter().skip(5) {
        plan_args.push(a.as_str());
    }
    common::sslcensus_ok(&plan_args);
    let planned = csv_rows(&plan);
    let status = |id: &str| {
        planned
            .iter()
            .find(|r| r["instance"] == id)
            .map(|r| (r["status"].clone(), r["command"].clone()))
            .unwrap()
    };
    assert_eq!(
        status("orders-db-3"),
        ("not_observed".into(), String::new())
    );
    assert_eq!(status("ledger-instance-1").0, "not_observed");
    assert_eq!(
        status("reports-legacy"),
        ("acm_certificate".into(), String::new())
    );
    // pg-sample-1 runs postgres 15.5, which rotates without a restart.
    assert_eq!(
        status("pg-sample-1"),
        (
            "action_needed".into(),
            "aws rds modify-db-instance --db-instance-identifier pg-sample-1 --ca-certificate-identifier rds-ca-rsa2048-g1 --no-certificate-rotation-restart --apply-immediately".into()
        )
    );
}
