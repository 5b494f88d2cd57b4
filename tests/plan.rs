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
    std::fs::write(&bad, "{\"DBClusters\": []}").unwrap();
    let out = common::sslcensus(&[
        "plan",
        report.to_str().unwrap(),
        "--instances",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no DBInstances"), "{err}");
}
