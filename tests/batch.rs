//! Trustworthy in batch jobs: a run that read nothing fails, one instance is
//! one instance however its paths are written, only logs are read as logs,
//! and the small things a CLI user expects (closed pipes, early output
//! checks, no secrets in messages, typed outputs).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;

const TLS_SESSION: &str = "\
2026-11-02 10:00:00 UTC:10.0.3.7(4001):[unknown]@[unknown]:[101]:LOG:  connection received: host=10.0.3.7 port=4001
2026-11-02 10:00:00 UTC:10.0.3.7(4001):app@orders:[101]:LOG:  connection authorized: user=app database=orders application_name=billing SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)
";

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn run_in(dir: Option<&Path>, args: &[&str], stdin: Option<&[u8]>) -> Output {
    common::sslcensus_in(dir, args, stdin)
}

fn run(args: &[&str]) -> Output {
    run_in(None, args, None)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(path: &Path, content: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// The CSV's (instance, application) pairs and session counts.
fn rows(csv: &str) -> Vec<(String, String, u64)> {
    csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[4].to_string(), r[8].parse().unwrap())
        })
        .collect()
}

#[test]
fn runs_that_read_nothing_fail_and_say_why() {
    let stderr_samples = s(&samples().join("postgresql/stderr"));
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let prose = dir.path().join("notes");
    write(&prose.join("a.txt"), "nothing to see\n");
    let cases: Vec<(Vec<String>, Option<&[u8]>)> = vec![
        (
            vec!["--format".into(), "jsonlog".into(), stderr_samples.clone()],
            None,
        ),
        (
            vec![
                "--log-line-prefix".into(),
                "%m|%p|".into(),
                stderr_samples.clone(),
            ],
            None,
        ),
        (vec![s(&empty)], None),
        (vec![s(&prose)], None),
        (vec!["-".into()], Some(b"")),
    ];
    for (inputs, stdin) in cases {
        let mut args = vec!["analyze", "--fail-on", "review", "-o", "-"];
        args.extend(inputs.iter().map(String::as_str));
        let out = run_in(None, &args, stdin);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{inputs:?}: {err}");
        assert!(
            err.contains("error: no connection record in any input"),
            "{inputs:?}: {err}"
        );
    }
}

#[test]
fn an_input_that_yields_nothing_among_others_is_a_warning_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("db-1/postgresql.log.2026-11-02-10");
    write(&good, TLS_SESSION);
    // log_connections off: statements only.
    let quiet_log = dir.path().join("db-2/postgresql.log.2026-11-02-10");
    write(
        &quiet_log,
        "2026-11-02 10:00:00 UTC:10.0.3.8(4002):app@orders:[201]:LOG:  statement: SELECT 1\n",
    );
    let out = run(&["analyze", "-o", "-", &s(&good), &s(&quiet_log)]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "warning: {}: 1 lines read as PostgreSQL stderr",
            quiet_log.display()
        )) && err.contains("not one connection record in them (PostgreSQL: log_connections = on"),
        "{err}"
    );
    // Coverage per instance: the span and the logins.
    assert!(
        err.contains(
            "db-1: connection records 2026-11-02T10:00:00Z .. 2026-11-02T10:00:00Z, 1 logins"
        ),
        "{err}"
    );
}

#[test]
fn a_log_without_logins_warns_that_connection_logging_looks_off() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("db-3/postgresql.log.2026-11-02-10");
    write(
        &log,
        "2026-11-02 10:05:00 UTC:10.0.9.9(5001):[unknown]@[unknown]:[102]:LOG:  could not accept SSL connection: tlsv1 alert unknown ca\n",
    );
    let out = run(&["analyze", "-o", "-", &s(&log)]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning: db-3: no login was logged") && err.contains("log_connections = on"),
        "{err}"
    );
}

#[test]
fn an_error_and_a_fail_on_match_together_exit_1_and_say_both() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("db-1/postgresql.log.2026-11-02-10");
    write(&good, TLS_SESSION);
    let out = run(&[
        "analyze",
        "--fail-on",
        "review",
        "-o",
        "-",
        &s(&good),
        "/nonexistent/postgresql.log",
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("--fail-on matched too"), "{err}");
    // Each subcommand's help lists the codes it can return.
    let help = text(&run(&["analyze", "--help"]).stdout);
    assert!(help.contains("3  --fail-on matched") && help.contains("1 wins over 3"));
    let help = text(&run(&["scan-config", "--help"]).stdout);
    assert!(help.contains("Exit codes:") && !help.contains("--fail-on matched"));
}

#[test]
fn one_instance_whatever_the_paths_and_rotated_files_stay_one() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("pg-prod");
    // A session that crosses the hour.
    write(
        &folder.join("postgresql.log.2026-11-02-10"),
        "2026-11-02 10:59:59 UTC:10.0.9.9(1):[unknown]@[unknown]:[901]:LOG:  connection received: host=10.0.9.9 port=1\n\
         2026-11-02 10:59:59 UTC:10.0.9.9(1):app@orders:[901]:LOG:  connection authorized: user=app database=orders application_name=pool SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)\n",
    );
    write(
        &folder.join("postgresql.log.2026-11-02-11"),
        "2026-11-02 11:30:00 UTC:10.0.9.9(1):app@orders:[901]:LOG:  disconnection: session time: 0:30:01.000 user=app database=orders host=10.0.9.9 port=1\n",
    );
    let relative = run_in(
        Some(&folder),
        &[
            "analyze",
            "-o",
            "-",
            "postgresql.log.2026-11-02-10",
            "postgresql.log.2026-11-02-11",
        ],
        None,
    );
    assert_eq!(
        relative.status.code(),
        Some(0),
        "{}",
        text(&relative.stderr)
    );
    let absolute = run(&[
        "analyze",
        "-o",
        "-",
        &s(&folder.join("postgresql.log.2026-11-02-10")),
        &s(&folder.join("postgresql.log.2026-11-02-11")),
    ]);
    let want = vec![("pg-prod".to_string(), "pool".to_string(), 1)];
    assert_eq!(rows(&text(&relative.stdout)), want);
    assert_eq!(rows(&text(&absolute.stdout)), want);
    // The disconnection in the next hour closed the one session.
    assert!(
        text(&relative.stderr).contains("0 disconnections of sessions that began before the logs"),
        "{}",
        text(&relative.stderr)
    );
}

/// One sample log twice, as RDS writes it with csvlog on: (under
/// samples/postgresql, the name in the instance's folder).
const TWINS: [(&str, &str); 2] = [
    (
        "stderr/pg-sample-1/postgresql.log.2026-11-29-05",
        "postgresql.log.2026-11-29-05",
    ),
    (
        "csvlog/pg-sample-1/postgresql.log.2026-11-29-05.csv",
        "postgresql.log.2026-11-29-05.csv",
    ),
];

#[test]
fn the_same_records_in_two_formats_are_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("pg-sample-1");
    let pg = samples().join("postgresql");
    for (from, to) in TWINS {
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::copy(pg.join(from), folder.join(to)).unwrap();
    }
    let both = run(&["analyze", "-o", "-", &s(&folder)]);
    let err = text(&both.stderr);
    assert_eq!(both.status.code(), Some(0), "{err}");
    assert!(
        err.contains("postgresql.log.2026-11-29-05: not read: the same records as")
            && err.contains("postgresql.log.2026-11-29-05.csv, which was read"),
        "{err}"
    );
    let alone = run(&["analyze", "-o", "-", &s(&pg.join("csvlog/pg-sample-1"))]);
    assert_eq!(
        rows(&text(&both.stdout))
            .into_iter()
            .map(|(_, app, n)| (app, n))
            .collect::<Vec<_>>(),
        rows(&text(&alone.stdout))
            .into_iter()
            .map(|(_, app, n)| (app, n))
            .collect::<Vec<_>>()
    );
}

/// Files are first compared on their first 256 KB; twins whose sessions
/// start only after that (a server that logged other things first) are
/// sampled further and still read once, and files that share nothing (one
/// instance's hours) are all read.
#[test]
fn twins_whose_sessions_start_late_are_still_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("pg-sample-1");
    std::fs::create_dir_all(&folder).unwrap();
    let pg = samples().join("postgresql");
    for (from, to) in TWINS {
        let log = std::fs::read_to_string(pg.join(from)).unwrap();
        // The server's first line (its start banner), repeated past 300 KB.
        let banner = log.lines().next().unwrap();
        let mut padded = format!("{banner}\n").repeat(300_000 / banner.len() + 1);
        padded.push_str(&log);
        std::fs::write(folder.join(to), padded).unwrap();
    }
    let out = run(&["analyze", "-o", "-", &s(&folder)]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("postgresql.log.2026-11-29-05: not read: the same records as"),
        "{err}"
    );
    // Hours of one instance share no session: none is dropped.
    let hours = dir.path().join("db-1");
    for hour in 10..14 {
        let session = TLS_SESSION.replace("10:", &format!("{hour}:"));
        write(
            &hours.join(format!("postgresql.log.2026-11-02-{hour}")),
            &session,
        );
    }
    let out = run(&["analyze", "-o", "-", &s(&hours)]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("the same records as"), "{err}");
}

#[test]
fn prose_quoting_log_lines_is_not_read_when_walking_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("download");
    write(
        &folder.join("db-1/postgresql.log.2026-11-02-10"),
        TLS_SESSION,
    );
    write(
        &folder.join("NOTES.md"),
        "# What we saw\n\nThe billing app logs in like this:\n\n    LOG:  connection authorized: user=app database=orders application_name=billing SSL enabled (protocol=TLSv1.3, cipher=x, bits=256)\n\nand then it\nworks fine.\nAsk the team\nbefore changing\nanything.\n",
    );
    let out = run(&["analyze", "-o", "-", &s(&folder)]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("NOTES.md: not read: its lines are mostly not log records"),
        "{err}"
    );
    assert!(
        rows(&text(&out.stdout))
            .iter()
            .all(|(instance, _, _)| instance == "db-1")
    );
}

#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("db-1/postgresql.log.2026-11-02-10");
    let mut text_log = String::new();
    for i in 0..4000 {
        text_log.push_str(&format!(
            "2026-11-02 10:00:00 UTC:10.0.{}.{}(4001):app@orders:[{i}]:LOG:  connection authorized: user=app database=orders application_name=app-{i} SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)\n",
            i / 250,
            i % 250
        ));
    }
    write(&log, &text_log);
    let mut child = Command::new(env!("CARGO_BIN_EXE_sslcensus"))
        .args([
            "analyze",
            "-q",
            "--app-families",
            "off",
            "-o",
            "-",
            &s(&log),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn the_output_path_is_checked_before_reading() {
    let out = run(&[
        "analyze",
        "-o",
        "/nonexistent-dir/report.csv",
        &s(&samples().join("postgresql/stderr")),
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cannot create /nonexistent-dir/report.csv"),
        "{err}"
    );
    assert!(
        !err.contains("connection records"),
        "read before failing: {err}"
    );
}

#[test]
fn a_settings_line_given_as_an_evidence_file_is_not_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join(".env");
    write(
        &env,
        "database_url=postgres://u:Sup3r-S3cret-pw@db.example.com/orders\n",
    );
    let out = run(&[
        "analyze",
        "--configs",
        &s(&env),
        "-o",
        "-",
        &s(&samples().join("postgresql/stderr")),
    ]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(".env:1: missing column"), "{err}");
    assert!(!err.contains("Sup3r-S3cret-pw"), "{err}");
}

#[test]
fn json_on_stdout_and_typed_parquet() {
    let stderr_samples = s(&samples().join("postgresql/stderr"));
    let out = run(&[
        "analyze",
        "-o",
        "-",
        "--output-format",
        "json",
        &stderr_samples,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &parsed[0];
    assert!(first["client_hosts"].is_array(), "{first}");
    assert!(
        first["first_seen"].as_str().unwrap().ends_with('Z'),
        "{first}"
    );

    let dir = tempfile::tempdir().unwrap();
    let parquet = dir.path().join("report.parquet");
    let out = run(&["analyze", "-q", "-o", &s(&parquet), &stderr_samples]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    use polars::prelude::{DataType, ParquetReader, SerReader, TimeUnit};
    let df = ParquetReader::new(std::fs::File::open(&parquet).unwrap())
        .finish()
        .unwrap();
    let dtype = df.column("first_seen").unwrap().dtype().clone();
    assert!(
        matches!(dtype, DataType::Datetime(TimeUnit::Milliseconds, Some(_))),
        "{dtype:?}"
    );
    assert!(matches!(
        df.column("client_hosts").unwrap().dtype(),
        DataType::List(_)
    ));
}

#[test]
fn several_trees_to_scan_are_explicit_and_group_by_fields_are_not_repeated() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    write(&a.join("README"), "nothing\n");
    write(&b.join("README"), "nothing\n");
    let logs = s(&samples().join("postgresql/stderr"));
    let out = run(&[
        "analyze",
        "-o",
        "-",
        "--scan",
        &format!("{},{}", s(&a), s(&b)),
        &logs,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // A tree given as a log input by mistake is said to be one.
    let out = run(&["analyze", "-o", "-", "--scan", &s(&a), &s(&b), &logs]);
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("warning: {}: no log in it", s(&b)))
            && err.contains("an application tree goes to --scan"),
        "{err}"
    );
    let out = run(&["analyze", "--group-by", "user,application,user", &logs]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("names a field twice"));
}
