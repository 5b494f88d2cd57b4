//! End to end against real PostgreSQL servers of each major RDS and Aurora run side by side
//! (13–18): `samples/postgresql/make-samples.sh` starts a private TLS-enabled cluster of
//! each installed major, drives libpq clients of known behaviour, each from its own loopback
//! address, and leaves fresh logs in every format that major writes (stderr, csvlog, jsonlog
//! from 15, gzipped stderr). The `sslcensus` binary must give every client the same verdict
//! in each, and read every line it is handed. The committed samples of each major
//! (`samples/postgresql/pg*/`, made by the same script from the same servers) are held to
//! the same verdicts without a server.
//!
//! Servers: Debian's (`/usr/lib/postgresql/<major>/bin`) and those `tests/pg-majors.sh`
//! installed (`$SSLCENSUS_PG_CACHE`, default `/var/cache/sslcensus/pg`); with neither, the one
//! on the PATH. Majors not installed are skipped and named.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

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

const MAJORS: [u32; 6] = [13, 14, 15, 16, 17, 18];

/// (application, client host) → [(verdict, verification, reason)]
type Rows = BTreeMap<(String, String), Vec<(String, String, String)>>;

/// The verdicts for the logs under `dir`; fails if a line was skipped.
fn verdicts(dir: &Path) -> Rows {
    let out = Command::new(env!("CARGO_BIN_EXE_sslcensus"))
        .args([
            "analyze",
            "--group-by",
            "instance,user,database,application,client_host",
        ])
        .arg(dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{}: {err}", dir.display());
    // Every connection line of every major is read: none skipped as malformed.
    assert!(
        err.contains(" 0 connection lines skipped as malformed, 0 lines not UTF-8;"),
        "{}: {err}",
        dir.display()
    );
    let mut rows = Rows::new();
    for record in csv::Reader::from_reader(out.stdout.as_slice()).records() {
        let r = record.unwrap();
        rows.entry((r[4].to_string(), r[5].to_string()))
            .or_default()
            .push((r[15].to_string(), r[14].to_string(), r[16].to_string()));
    }
    rows
}

/// The formats a major writes, as make-samples.sh names their folders.
fn formats(major: u32) -> &'static [&'static str] {
    if major >= 15 {
        &["stderr", "csvlog", "jsonlog", "stderr-gz"]
    } else {
        &["stderr", "csvlog", "stderr-gz"]
    }
}

/// Whether a run's two `sslmode=prefer` fallbacks can be counted exactly.
#[derive(Clone, Copy)]
enum Fallbacks {
    /// Both: a committed sample, where each rejection was logged first.
    Both,
    /// At least one: on a loaded machine a server may log the rejected
    /// handshake a millisecond after the plaintext retry's authorization
    /// (seen on PostgreSQL 14 csvlog), and the fallback rule, which measures
    /// from the rejection, does not count that pair.
    AtLeastOne,
}

/// Every client's verdict in every format of one run (`dir` holds the format folders).
fn assert_verdicts(label: &str, dir: &Path, major: u32, fallbacks: Fallbacks) {
    for format in formats(major) {
        let rows = verdicts(&dir.join(format));
        for (app, host, verdict, verification) in EXPECTED {
            let got = rows
                .get(&(app.to_string(), host.to_string()))
                .unwrap_or_else(|| {
                    panic!("{label} {format}: no row for {app:?} from {host}: {rows:#?}")
                });
            for (v, ver, reason) in got {
                assert_eq!(
                    (v.as_str(), ver.as_str()),
                    (verdict, verification),
                    "{label} {format}: {app:?} from {host}: {reason}"
                );
            }
        }
        let stale = &rows[&("app_stale_root".to_string(), "127.0.0.18".to_string())][0].2;
        let counted = match fallbacks {
            Fallbacks::Both => stale.contains("sslmode=prefer fallback 2 times"),
            Fallbacks::AtLeastOne => stale.contains("sslmode=prefer fallback "),
        };
        assert!(counted, "{label} {format}: {stale}");
        let tls12 = &rows[&("app_tls12".to_string(), "127.0.0.16".to_string())][0].2;
        assert!(
            tls12.starts_with("TLSv1.2 in all 2 sessions"),
            "{label} {format}: {tls12}"
        );
    }
}

/// A server to run: its major and where its binaries and libraries are.
struct Server {
    major: u32,
    bindir: Option<PathBuf>,
    libdir: Option<PathBuf>,
}

/// The installed servers of each major, and the majors missing.
fn servers() -> (Vec<Server>, Vec<u32>) {
    let cache = std::env::var_os("SSLCENSUS_PG_CACHE")
        .map_or_else(|| PathBuf::from("/var/cache/sslcensus/pg"), PathBuf::from);
    let (mut found, mut missing) = (Vec::new(), Vec::new());
    for major in MAJORS {
        let system = PathBuf::from(format!("/usr/lib/postgresql/{major}/bin"));
        let cached = cache.join(major.to_string()).join("native");
        if system.join("postgres").is_file() {
            found.push(Server {
                major,
                bindir: Some(system),
                libdir: None,
            });
        } else if cached.join("bin/postgres").is_file() {
            found.push(Server {
                major,
                bindir: Some(cached.join("bin")),
                libdir: Some(cached.join("lib")),
            });
        } else {
            missing.push(major);
        }
    }
    (found, missing)
}

/// The major of the server make-samples.sh would find on the PATH.
fn path_major() -> u32 {
    let out = Command::new("postgres").arg("--version").output();
    let version = out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    let version = version.expect("no PostgreSQL server installed (see tests/pg-majors.sh)");
    version
        .split("(PostgreSQL) ")
        .nth(1)
        .and_then(|v| v.split('.').next())
        .and_then(|m| m.parse().ok())
        .unwrap_or_else(|| panic!("cannot read the major of {version:?}"))
}

fn make_samples(server: &Server, out: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/postgresql/make-samples.sh");
    let mut command = Command::new("bash");
    command
        .arg(&script)
        .arg(out)
        .arg(format!("pg{}-live", server.major));
    if let Some(bindir) = &server.bindir {
        command.env("SSLCENSUS_PG_BINDIR", bindir);
    }
    if let Some(libdir) = &server.libdir {
        command.env("SSLCENSUS_PG_LIBDIR", libdir);
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "PostgreSQL {}: make-samples.sh failed:\n{}",
        server.major,
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn every_client_of_a_live_server_of_each_major_gets_its_verdict_in_every_log_format() {
    let (mut found, mut missing) = servers();
    if found.is_empty() {
        let major = path_major();
        missing.retain(|&m| m != major);
        found.push(Server {
            major,
            bindir: None,
            libdir: None,
        });
    }
    if !missing.is_empty() {
        eprintln!(
            "live_postgres: PostgreSQL {missing:?} not installed, skipped (tests/pg-majors.sh installs them)"
        );
    }
    let out = tempfile::tempdir().unwrap();
    // Two servers at a time: each run mostly waits on its clients.
    std::thread::scope(|scope| {
        for pair in found.chunks(2) {
            let runs: Vec<_> = pair
                .iter()
                .map(|server| {
                    let dir = out.path().join(format!("pg{}", server.major));
                    scope.spawn(move || {
                        make_samples(server, &dir);
                        assert_verdicts(
                            &format!("PostgreSQL {}", server.major),
                            &dir,
                            server.major,
                            Fallbacks::AtLeastOne,
                        );
                    })
                })
                .collect();
            for run in runs {
                if let Err(panic) = run.join() {
                    std::panic::resume_unwind(panic);
                }
            }
        }
    });
    let ran: Vec<u32> = found.iter().map(|s| s.major).collect();
    eprintln!("live_postgres: verdicts held on PostgreSQL {ran:?}");
}

/// The committed samples of each major, made by make-samples.sh from real servers: the
/// same verdicts, and every line read, with no server needed.
#[test]
fn the_committed_samples_of_each_major_get_the_same_verdicts() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/postgresql");
    for major in MAJORS {
        let dir = if major == 15 {
            samples.clone()
        } else {
            samples.join(format!("pg{major}"))
        };
        let label = format!("samples of PostgreSQL {major}");
        assert_verdicts(&label, &dir, major, Fallbacks::Both);
    }
}
