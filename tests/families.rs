//! Applications, not processes: names with pids, pod suffixes and counters
//! make one row per application family, with the raw names counted and
//! exemplified; `--app-families off` and site rules through the binary.

use std::path::Path;

mod common;

fn session(pid: u32, host: &str, app: &str, tls: bool) -> String {
    let clause = if tls {
        " SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)"
    } else {
        ""
    };
    format!(
        "2026-11-02 10:00:00 UTC:{host}(4{pid}):app@orders:[{pid}]:LOG:  connection authorized: user=app database=orders application_name={app}{clause}\n"
    )
}

/// Puma workers and pods of one deployment, and a second deployment.
fn log() -> String {
    let mut log = String::new();
    let mut pid = 100;
    for worker in 0..4 {
        for process in [44125, 44190, 45001] {
            pid += 1;
            log.push_str(&session(
                pid,
                "10.0.1.1",
                &format!("puma: cluster worker {worker}: {process} [shop]"),
                true,
            ));
        }
    }
    for pod in ["7d9f8c6b5-x2x4q", "7d9f8c6b5-zq9lm", "5b8c7dfd4b-tzvwx"] {
        pid += 1;
        log.push_str(&session(
            pid,
            "10.0.1.2",
            &format!("orders-api-{pod}"),
            true,
        ));
        pid += 1;
        log.push_str(&session(
            pid,
            "10.0.1.3",
            &format!("billing-api-{pod}"),
            false,
        ));
    }
    log
}

fn analyze(dir: &Path, extra: &[&str]) -> Vec<csv::StringRecord> {
    let log = dir.join("db-1/postgresql.log.2026-11-02-10");
    let mut args: Vec<&std::ffi::OsStr> = ["analyze", "-q", "-o", "-"]
        .iter()
        .chain(extra)
        .map(std::ffi::OsStr::new)
        .collect();
    args.push(log.as_os_str());
    let out = common::sslcensus_os_ok(&args);
    csv::Reader::from_reader(out.stdout.as_slice())
        .records()
        .map(Result::unwrap)
        .collect()
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db-1/postgresql.log.2026-11-02-10");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, log()).unwrap();
    dir
}

#[test]
fn processes_of_one_application_share_a_row_with_their_names_counted() {
    let dir = setup();
    let rows = analyze(dir.path(), &[]);
    let apps: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|r| (&r[4], &r[8], &r[17], &r[18]))
        .collect();
    assert_eq!(
        apps,
        [
            (
                "orders-api-<rs>-<pod>",
                "3",
                "3",
                "orders-api-5b8c7dfd4b-tzvwx;orders-api-7d9f8c6b5-x2x4q;orders-api-7d9f8c6b5-zq9lm"
            ),
            (
                "puma: cluster worker N: N [shop]",
                "12",
                "12",
                "puma: cluster worker 0: 44125 [shop];puma: cluster worker 0: 44190 [shop];puma: cluster worker 0: 45001 [shop]"
            ),
            // Words differ: never merged with orders-api.
            (
                "billing-api-<rs>-<pod>",
                "3",
                "3",
                "billing-api-5b8c7dfd4b-tzvwx;billing-api-7d9f8c6b5-x2x4q;billing-api-7d9f8c6b5-zq9lm"
            ),
        ]
    );
}

#[test]
fn families_off_gives_a_row_per_raw_name_and_site_rules_come_first() {
    let dir = setup();
    assert_eq!(analyze(dir.path(), &["--app-families", "off"]).len(), 18);
    let rows = analyze(dir.path(), &["--app-family", "^puma: .*=storefront"]);
    assert!(
        rows.iter().any(|r| &r[4] == "storefront" && &r[8] == "12"),
        "{rows:?}"
    );
}

#[test]
fn an_override_naming_a_raw_name_applies_to_its_family() {
    let dir = setup();
    let evidence = dir.path().join("evidence.csv");
    std::fs::write(
        &evidence,
        "application,verifies,note\norders-api-7d9f8c6b5-x2x4q,yes,checked the deployment's sslmode\n",
    )
    .unwrap();
    let rows = analyze(dir.path(), &["--evidence", evidence.to_str().unwrap()]);
    let orders = rows
        .iter()
        .find(|r| &r[4] == "orders-api-<rs>-<pod>")
        .unwrap();
    assert_eq!((&orders[14], &orders[15]), ("verifies", "affected"));
    assert!(orders[16].contains("evidence.csv:2"), "{}", &orders[16]);
}
