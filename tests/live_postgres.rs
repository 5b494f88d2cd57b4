//! End to end against a real PostgreSQL server: `samples/postgresql/make-samples.sh`
//! starts a private TLS-enabled cluster (server binaries from `pg_config
//! --bindir` or the PATH), drives libpq clients of known behaviour, each from
//! its own loopback address, and leaves fresh logs in four formats. The
//! `sslcensus` binary must give every client its expected verdict in each.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

mod common;

/// (application, client address) → (verdict, verification) for the clients
/// the script drives; see samples/postgresql/SCENARIOS.md.
const EXPECTED: [(&str, &str, &str, &str); 16] = [
    ("app_disable", "127.0.0.11", "not_affected", "no_tls"),
    ("app_prefer", "127.0.0.12", "review", "unknown"),
    ("app_require", "127.0.0.13", "review", "unknown"),
    ("app_verify_ca", "127.0.0.14", "review", "unknown"),
    ("app_verify_full", "127.0.0.15", "review", "unknown"),
    ("app_tls12", "127.0.0.16", "review", "unknown"),
    // verify-full against the wrong CA: the server logs 'unknown ca' and no session.
    ("[unknown]", "127.0.0.17", "affected", "verifies"),
    // prefer with a stale root.crt: rejection, then a plaintext fallback.
    ("app_stale_root", "127.0.0.18", "affected", "verifies"),
    // verify-full with a hostname mismatch: a lone `connection received`.
    ("[unknown]", "127.0.0.19", "review", "unknown"),
    ("PostgreSQL JDBC Driver", "127.0.0.20", "review", "unknown"),
    // Its family: the worker number and pid are placeholders.
    (
        "puma: cluster worker N: N [myapp]",
        "127.0.0.21",
        "review",
        "unknown",
    ),
    ("psql", "127.0.0.22", "review", "unknown"),
    ("", "127.0.0.23", "review", "unknown"),
    // a plaintext attempt rejected by pg_hba.conf
    ("[unknown]", "127.0.0.24", "not_affected", "no_tls"),
    // failed password logins: no session, TLS unknown
    ("[unknown]", "127.0.0.25", "review", "unknown"),
    ("app_socket", "[local]", "not_affected", "no_tls"),
];

/// (application, client host) → [(verdict, verification, reason)]
type Rows = BTreeMap<(String, String), Vec<(String, String, String)>>;

fn verdicts(dir: &Path) -> Rows {
    let out = common::sslcensus_ok([
        std::ffi::OsStr::new("analyze"),
        std::ffi::OsStr::new("-q"),
        std::ffi::OsStr::new("--group-by"),
        std::ffi::OsStr::new("instance,user,database,application,client_host"),
        dir.as_os_str(),
    ]);
    let mut rows = Rows::new();
    for record in csv::Reader::from_reader(out.stdout.as_slice()).records() {
        let r = record.unwrap();
        rows.entry((r[4].to_string(), r[5].to_string()))
            .or_default()
            .push((r[15].to_string(), r[14].to_string(), r[16].to_string()));
    }
    rows
}

#[test]
fn every_client_of_a_live_server_gets_its_verdict_in_every_log_format() {
    let out = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/postgresql/make-samples.sh");
    let status = Command::new("bash")
        .arg(&script)
        .arg(out.path())
        .status()
        .unwrap();
    assert!(
        status.success(),
        "make-samples.sh failed: is PostgreSQL installed?"
    );
    for format in ["stderr", "csvlog", "jsonlog", "stderr-gz"] {
        let rows = verdicts(&out.path().join(format));
        for (app, host, verdict, verification) in EXPECTED {
            let got = rows
                .get(&(app.to_string(), host.to_string()))
                .unwrap_or_else(|| panic!("{format}: no row for {app:?} from {host}: {rows:#?}"));
            for (v, ver, reason) in got {
                assert_eq!(
                    (v.as_str(), ver.as_str()),
                    (verdict, verification),
                    "{format}: {app:?} from {host}: {reason}"
                );
            }
        }
        let stale = &rows[&("app_stale_root".to_string(), "127.0.0.18".to_string())][0].2;
        // Two connections, each rejected then retried in plaintext; on a
        // loaded machine the server may log a retry more than the 1 s window
        // after its rejection, so at least one is recognised.
        assert!(
            stale.contains("sslmode=prefer fallback 2 times")
                || stale.contains("sslmode=prefer fallback once"),
            "{format}: {stale}"
        );
        let tls12 = &rows[&("app_tls12".to_string(), "127.0.0.16".to_string())][0].2;
        assert!(
            tls12.starts_with("TLSv1.2 in all 2 sessions"),
            "{format}: {tls12}"
        );
    }
}
