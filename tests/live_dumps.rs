//! Session dumps end to end. `samples/dumps/postgresql.sh` and `samples/dumps/mariadb.sh`
//! start a private PostgreSQL and MariaDB server as the log samples' scripts do (the same
//! `server.sh`), connect clients of known behaviour from their own loopback addresses — a TLS
//! session open across four captures, a plaintext one of the same user open across all four,
//! two short TLS sessions each seen by one capture — and capture the session views with the
//! real psql and mariadb clients in every form they print, with the query `sslcensus sql`
//! recommends. The `sslcensus` binary must count each session once whatever the form, give
//! each client its verdict, and merge the dumps with the server's log of the same run into one
//! row per client. The committed dumps (made by the same scripts; SQL Server's typed by hand)
//! are held to the same without a server.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

/// (application, client address, verdict, sessions, captures the client was seen in).
type Expected = [(&'static str, &'static str, &'static str, u64, usize); 3];

/// Long enough that psql's wrapped form cuts it over lines.
const APP_LONG: &str = "app_long_running_orders_service_with_a_long_application_name";

const POSTGRES: Expected = [
    (APP_LONG, "127.0.0.51", "review", 1, 4),
    ("app_plain", "127.0.0.52", "not_affected", 1, 4),
    ("app_short", "127.0.0.53", "review", 2, 2),
];
const POSTGRES_FORMS: [&str; 10] = [
    "psql-aligned",
    "psql-unaligned",
    "csv",
    "psql-expanded",
    "json",
    "psql-wrapped",
    "psql-wrapped-old-ascii",
    "psql-unicode",
    "psql-unicode-expanded",
    "psql-unicode-wrapped",
];

/// The mariadb CLI always sends the connect attribute program_name=mysql: the rows are named
/// after it.
const MARIADB: Expected = [
    ("mysql", "127.0.0.61", "review", 1, 4),
    ("mysql", "127.0.0.62", "not_affected", 1, 4),
    ("mysql", "127.0.0.63", "review", 2, 2),
];
const MARIADB_FORMS: [&str; 3] = ["tsv", "mysql-table", "mysql-vertical"];

/// Typed from the documented layout (no SQL Server runs here): a TLS session across three
/// captures, one encrypted for its login only, and a session id reused by another client.
const SQLSERVER: Expected = [
    ("orders-api", "10.0.1.5", "review", 1, 3),
    ("legacy-batch", "10.0.1.6", "review", 1, 1),
    ("", "10.0.1.7", "review", 1, 1),
];
const SQLSERVER_FORMS: [&str; 5] = [
    "sqlcmd",
    "sqlcmd-separator",
    "sqlcmd-trimmed",
    "sqlcmd-headerless",
    "sqlcmd-headerless-spaced",
];

/// A committed engine's dumps: folder, forms, expected rows, the view's name, the form
/// merged with the logs of the same run.
type Engine = (
    &'static str,
    &'static [&'static str],
    &'static Expected,
    &'static str,
    Option<&'static str>,
);

/// (application, client host) → [(verdict, sessions, reason)]
type Rows = BTreeMap<(String, String), Vec<(String, u64, String)>>;

fn rows(inputs: &[PathBuf]) -> Rows {
    let mut args = vec![
        "analyze".into(),
        "--group-by".into(),
        "instance,user,database,application,client_host".into(),
    ];
    args.extend(inputs.iter().map(|p| p.as_os_str().to_owned()));
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let out = common::sslcensus_os_ok(&args);
    let err = common::text(&out.stderr);
    assert!(
        err.contains(" 0 connection lines skipped as malformed, 0 lines not UTF-8;"),
        "{inputs:?}: {err}"
    );
    let mut rows = Rows::new();
    for record in csv::Reader::from_reader(out.stdout.as_slice()).records() {
        let r = record.unwrap();
        rows.entry((r[4].to_string(), r[5].to_string()))
            .or_default()
            .push((r[15].to_string(), r[8].parse().unwrap(), r[16].to_string()));
    }
    rows
}

/// Each form of the dumps under `root` gives each client one row, its verdict, each session
/// counted once, and the captures it was seen in.
fn check_forms(root: &Path, forms: &[&str], expected: &Expected, source: &str) {
    for form in forms {
        let found = rows(&[root.join(form)]);
        for (app, host, verdict, sessions, captures) in expected {
            let got = &found[&(app.to_string(), host.to_string())];
            let [(v, n, reason)] = got.as_slice() else {
                panic!("{form}: {app}@{host}: {got:?}");
            };
            let seen = if *captures == 1 {
                "across 1 capture".to_string()
            } else {
                format!("across {captures} captures")
            };
            assert_eq!(
                (v.as_str(), n),
                (*verdict, sessions),
                "{form}: {app}@{host}: {reason}"
            );
            assert!(
                reason.contains(&format!("{source}: ")) && reason.contains(&seen),
                "{form}: {app}@{host}: {reason}"
            );
            assert!(
                reason.contains("a sampler sees only the sessions open at capture time"),
                "{reason}"
            );
        }
    }
}

/// The dumps and the server's log of the same run: one row per client, its reason naming
/// both sources, each session counted once.
fn check_merged(root: &Path, form: &str, expected: &Expected, source: &str) {
    let found = rows(&[root.join(form), root.join("logs")]);
    for (app, host, verdict, sessions, _) in expected {
        let got = &found[&(app.to_string(), host.to_string())];
        let [(v, n, reason)] = got.as_slice() else {
            panic!("{form} + logs: {app}@{host}: {got:?}");
        };
        assert_eq!(
            (v.as_str(), n),
            (*verdict, sessions),
            "{app}@{host}: {reason}"
        );
        assert!(
            reason.starts_with("logs: ") && reason.contains(&format!("; {source}: ")),
            "{app}@{host}: {reason}"
        );
    }
    // No nameless row of the logs is left beside a named one.
    for (app, host, ..) in expected {
        if !app.is_empty() {
            assert!(
                !found.contains_key(&(String::new(), host.to_string())),
                "{host}: {found:#?}"
            );
        }
    }
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/dumps")
}

#[test]
fn committed_dumps_of_every_form_count_each_session_once() {
    let root = samples();
    // (folder, forms, expected rows, source, the form merged with the logs)
    let engines: [Engine; 3] = [
        (
            "postgresql",
            &POSTGRES_FORMS,
            &POSTGRES,
            "pg_stat_ssl",
            Some("psql-aligned"),
        ),
        (
            "mariadb",
            &MARIADB_FORMS,
            &MARIADB,
            "performance_schema.threads",
            Some("tsv"),
        ),
        (
            "sqlserver",
            &SQLSERVER_FORMS,
            &SQLSERVER,
            "sys.dm_exec_connections",
            None,
        ),
    ];
    for (engine, forms, expected, source, with_logs) in engines {
        check_forms(&root.join(engine), forms, expected, source);
        if let Some(form) = with_logs {
            check_merged(&root.join(engine), form, expected, source);
        }
    }
}

/// Runs a dump script (with `args` before the folder) against its live server into a
/// fresh folder.
fn live(script: &str, args: &[&str]) -> tempfile::TempDir {
    live_with(script, args, &[])
}

/// [`live`], with these environment variables for the script.
fn live_with(script: &str, args: &[&str], envs: &[(&str, &str)]) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new("bash")
        .arg(samples().join(script))
        .args(args)
        .arg(out.path())
        .env("SSLCENSUS_BIN", env!("CARGO_BIN_EXE_sslcensus"))
        .envs(envs.iter().copied())
        .status()
        .unwrap();
    assert!(
        status.success(),
        "{script} failed: are the PostgreSQL and MariaDB servers installed (tests/run-all.sh)?"
    );
    out
}

#[test]
fn live_postgres_captures_of_every_psql_form() {
    let out = live("postgresql.sh", &[]);
    check_forms(out.path(), &POSTGRES_FORMS, &POSTGRES, "pg_stat_ssl");
    for form in POSTGRES_FORMS {
        check_merged(out.path(), form, &POSTGRES, "pg_stat_ssl");
    }
}

#[test]
fn live_mariadb_captures_of_every_mariadb_form() {
    let out = live("mariadb.sh", &[]);
    check_forms(
        out.path(),
        &MARIADB_FORMS,
        &MARIADB,
        "performance_schema.threads",
    );
    for form in MARIADB_FORMS {
        // The general log names no application: its rows take `mysql` from the
        // connect attributes and merge with the dumps'.
        check_merged(out.path(), form, &MARIADB, "performance_schema.threads");
    }
}

/// (application, client address, verdict, sessions) of a capture run's rows.
type CaptureExpected = [(&'static str, &'static str, &'static str, u64); 3];

const PG_CAPTURE: CaptureExpected = [
    ("app_N", "127.0.0.71", "review", 1),
    ("app_N", "127.0.0.72", "not_affected", 1),
    ("app_N", "127.0.0.73", "review", 2),
];
const MARIADB_CAPTURE: CaptureExpected = [
    ("mysql", "127.0.0.81", "review", 1),
    ("mysql", "127.0.0.82", "not_affected", 1),
    ("mysql", "127.0.0.83", "review", 2),
];

/// Runs `samples/dumps/capture.sh ENGINE` with `envs` and holds `analyze` of its folder to
/// `expected`: each session once (the long ones across every capture written, by one run or
/// two), the verdicts, and no file or message holding the password.
fn check_capture(engine: &str, envs: &[(&str, &str)], source: &str, expected: &CaptureExpected) {
    let out = live_with("capture.sh", &[engine], envs);
    let err = std::fs::read_to_string(out.path().join("capture.err")).unwrap();
    // Every run says how many captures it wrote.
    let runs: Vec<usize> = err
        .lines()
        .filter_map(|l| l.strip_suffix(" captures written"))
        .filter_map(|l| l.rsplit(' ').next()?.parse().ok())
        .collect();
    let written: usize = runs.iter().sum();
    assert!(!runs.is_empty() && written >= 4, "{engine} {envs:?}: {err}");
    let found = rows(&[out.path().join("capture")]);
    assert_eq!(found.len(), expected.len(), "{engine} {envs:?}: {found:#?}");
    for (app, host, verdict, sessions) in expected {
        let got = &found[&(app.to_string(), host.to_string())];
        let [(v, n, reason)] = got.as_slice() else {
            panic!("{engine}: {app}@{host}: {got:?}");
        };
        assert_eq!((v.as_str(), n), (*verdict, sessions), "{engine}: {reason}");
        assert!(reason.starts_with(&format!("{source}: ")), "{reason}");
        if *sessions == 1 {
            // Open across every capture: one session however many captures (and runs) saw it.
            assert!(
                reason.contains(&format!("across {written} captures")),
                "{engine} {envs:?}: {app}@{host}: {reason}"
            );
        }
    }
    for entry in walkdir::WalkDir::new(out.path()) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let text = std::fs::read(entry.path()).unwrap();
            assert!(
                !String::from_utf8_lossy(&text).contains("capture-secret-9"),
                "{}",
                entry.path().display()
            );
        }
    }
    assert_eq!(
        runs.len(),
        envs.iter()
            .any(|(k, v)| *k == "CAPTURE_RESTART" && *v == "1") as usize
            + 1,
        "{err}"
    );
}

/// `sslcensus capture` itself (`samples/dumps/capture.sh`): every second, over TLS verified
/// against the sample CA, with the password from the environment, while a TLS and a
/// plaintext session stay open across every capture and two short TLS sessions come and go.
/// `analyze` on its folder counts each session once, gives the verdicts, and no file or
/// message holds the password.
#[test]
fn live_capture_counts_each_session_once() {
    check_capture("postgres", &[], "pg_stat_ssl", &PG_CAPTURE);
    check_capture(
        "mariadb",
        &[],
        "performance_schema.threads",
        &MARIADB_CAPTURE,
    );
}

/// The MySQL/MariaDB credentials from an option file, as the mysql client reads them:
/// `--defaults-file FILE` (its `[client]` group; the `[mysqld]` one is another program's)
/// and `~/.my.cnf` (`[mysql]`), with no MYSQL_PWD and no --user.
#[test]
fn live_capture_reads_mysql_option_files() {
    for credentials in ["defaults-file", "home"] {
        check_capture(
            "mariadb",
            &[("CAPTURE_CREDENTIALS", credentials)],
            "performance_schema.threads",
            &MARIADB_CAPTURE,
        );
    }
}

/// `sslcensus capture` stopped (SIGTERM) and started again on the same folder while the long
/// sessions stay open: `analyze` counts each of them once, across the captures of both runs.
#[test]
fn live_capture_restarted_on_the_same_folder() {
    check_capture(
        "postgres",
        &[("CAPTURE_RESTART", "1")],
        "pg_stat_ssl",
        &PG_CAPTURE,
    );
    check_capture(
        "mariadb",
        &[("CAPTURE_RESTART", "1")],
        "performance_schema.threads",
        &MARIADB_CAPTURE,
    );
}

/// The gaps `sslcensus capture` noted in its file (`# sslcensus: no capture from … to …`) are
/// counted and said with the file's coverage: how many, how long in all.
#[test]
fn gaps_noted_by_capture_are_said_with_the_coverage() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("pg-gaps-1");
    std::fs::create_dir(&folder).unwrap();
    let file = folder.join("sessions.2026-11-29.csv");
    std::fs::write(
        &file,
        "captured_at,pid,usename,datname,application_name,client_addr,client_port,backend_start,ssl,version\n\
         2026-11-29 04:00:00+00,7,app,db,orders,10.0.0.5,50000,2026-11-29 03:00:00+00,t,TLSv1.3\n\
         # sslcensus: no capture from 2026-11-29T04:00:00Z to 2026-11-29T04:02:00Z: connection refused\n\
         captured_at,pid,usename,datname,application_name,client_addr,client_port,backend_start,ssl,version\n\
         2026-11-29 04:02:00+00,7,app,db,orders,10.0.0.5,50000,2026-11-29 03:00:00+00,t,TLSv1.3\n\
         # sslcensus: no capture from 2026-11-29T04:02:00Z to 2026-11-29T04:03:00Z: server closed the connection\n\
         captured_at,pid,usename,datname,application_name,client_addr,client_port,backend_start,ssl,version\n\
         2026-11-29 04:03:00+00,7,app,db,orders,10.0.0.5,50000,2026-11-29 03:00:00+00,t,TLSv1.3\n",
    )
    .unwrap();
    let out = common::sslcensus_os_ok(&[std::ffi::OsStr::new("analyze"), folder.as_os_str()]);
    let err = common::text(&out.stderr);
    assert!(
        err.contains("3 captures") && err.contains("; 2 gaps with no capture (sslcensus capture could not reach the server), 3 min in all: sessions that began and ended within them are not seen"),
        "{err}"
    );
    assert!(
        err.contains(" 0 connection lines skipped as malformed"),
        "{err}"
    );
    let stdout = common::text(&out.stdout);
    assert!(
        stdout.contains("in its only session across 3 captures"),
        "{stdout}"
    );
}
