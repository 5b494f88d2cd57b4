//! End to end against a real MariaDB server: `samples/mariadb/make-samples.sh`
//! starts a private TLS-enabled `mariadbd` (general, error and audit logs on),
//! drives `mariadb` clients of known behaviour, each from its own loopback
//! address, and leaves fresh logs. The `sslcensus` binary must give every
//! client its expected verdict, from the general log alone and from all three
//! logs together.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

mod common;

/// (user, client address) → verdict; see samples/mariadb/SCENARIOS.md.
const EXPECTED: [(&str, &str, &str); 15] = [
    ("app-user", "127.0.0.31", "not_affected"), // --skip-ssl
    ("app-user", "127.0.0.32", "review"),       // --ssl, no verification
    ("svc.reporting", "127.0.0.33", "review"),  // client default: TLS, no verification
    ("svc.reporting", "127.0.0.34", "review"),  // verifies: the server cannot tell
    ("[unknown]", "127.0.0.35", "review"),      // wrong CA: only an aborted handshake
    ("[unknown]", "127.0.0.36", "review"),      // hostname mismatch
    ("[unknown]", "127.0.0.37", "review"),      // TLS version refused
    ("[unknown]", "127.0.0.38", "review"),      // TCP probe
    ("app-user", "127.0.0.39", "review"),       // wrong password, over TLS
    ("secure-only", "127.0.0.40", "not_affected"), // REQUIRE SSL account tried plaintext
    ("svc.reporting", "127.0.0.41", "review"),  // no database
    ("app-user", "127.0.0.42", "review"),       // killed mid-query
    ("app-user", "127.0.0.43", "review"),       // no privileges on its database
    ("svc.reporting", "localhost", "not_affected"), // socket, --skip-ssl
    ("app-user", "localhost", "review"),        // socket with TLS
];

/// (user, client address) → verdicts of its rows.
fn verdicts(inputs: &[&Path]) -> BTreeMap<(String, String), Vec<String>> {
    let mut args = vec![std::ffi::OsStr::new("analyze"), std::ffi::OsStr::new("-q")];
    args.extend(inputs.iter().map(|p| p.as_os_str()));
    let out = common::sslcensus_os_ok(&args);
    let mut rows: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for record in csv::Reader::from_reader(out.stdout.as_slice()).records() {
        let r = record.unwrap();
        assert_eq!(&r[1], "mariadb");
        rows.entry((r[2].to_string(), r[5].to_string()))
            .or_default()
            .push(r[15].to_string());
    }
    rows
}

#[test]
fn every_client_of_a_live_mariadb_gets_its_verdict() {
    let out = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/mariadb/make-samples.sh");
    let status = Command::new("bash")
        .arg(&script)
        .arg(out.path())
        .status()
        .unwrap();
    assert!(
        status.success(),
        "make-samples.sh failed: is mariadb-server installed?"
    );
    let dir = |name: &str| out.path().join(name);
    let (general, error, audit, general_gz) = (
        dir("general"),
        dir("error"),
        dir("audit"),
        dir("general-gz"),
    );
    for inputs in [
        vec![general.as_path(), error.as_path(), audit.as_path()],
        vec![general_gz.as_path(), error.as_path()],
    ] {
        let rows = verdicts(&inputs);
        for (user, host, verdict) in EXPECTED {
            let got = rows
                .get(&(user.to_string(), host.to_string()))
                .unwrap_or_else(|| panic!("{inputs:?}: no row for {user} from {host}: {rows:#?}"));
            assert!(
                got.iter().all(|v| v == verdict),
                "{inputs:?}: {user} from {host}: {got:?}, expected {verdict}"
            );
        }
    }
    // The audit log alone never tells TLS: nothing it shows may be cleared.
    let rows = verdicts(&[audit.as_path()]);
    assert!(rows.values().flatten().all(|v| v == "review"), "{rows:#?}");
}
