//! The command line as a user meets it: inputs good and bad, outputs, exit
//! codes (0 ok, 1 error, 2 usage, 3 --fail-on matched).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

const TLS_SESSION: &str = "\
2026-11-02 10:00:00 UTC:10.0.3.7(4001):[unknown]@[unknown]:[101]:LOG:  connection received: host=10.0.3.7 port=4001
2026-11-02 10:00:00 UTC:10.0.3.7(4001):app@orders:[101]:LOG:  connection authorized: user=app database=orders application_name=billing SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)
";
const REJECTION: &str = "\
2026-11-02 10:05:00 UTC:10.0.9.9(5001):[unknown]@[unknown]:[102]:LOG:  could not accept SSL connection: tlsv1 alert unknown ca
";

fn sslcensus(args: &[&str], stdin: Option<&[u8]>) -> Output {
    common::sslcensus_in(None, args, stdin)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    path
}

fn gzip(content: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(content).unwrap();
    enc.finish().unwrap()
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn csv_on_stdout_has_the_stable_columns_and_sorted_rows() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(
        dir.path(),
        "db-1/postgresql.log.2026-11-02-10",
        format!("{TLS_SESSION}{REJECTION}").as_bytes(),
    );
    let out = sslcensus(&["analyze", arg(&log)], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "instance,engine,user,database,application,client_hosts,first_seen,last_seen,sessions,tls_sessions,plain_sessions,tls_versions,ciphers,handshake_failures,verification,verdict,reason,application_names,application_examples,drivers"
    );
    let first = lines.next().unwrap();
    assert!(
        // A row of failures only is seen when its failures happened.
        first.starts_with("db-1,postgres,[unknown],[unknown],[unknown],10.0.9.9,2026-11-02T10:05:00Z,2026-11-02T10:05:00Z,0,0,0,"),
        "{first}"
    );
    assert!(first.contains(",verifies,affected,"), "{first}");
    let second = lines.next().unwrap();
    assert!(second.starts_with("db-1,postgres,app,orders,billing,10.0.3.7,2026-11-02T10:00:00Z,2026-11-02T10:00:00Z,1,1,0,TLSv1.3,TLS_AES_256_GCM_SHA384,0,unknown,review,"), "{second}");
}

#[test]
fn json_and_parquet_reports_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(
        dir.path(),
        "db-1/postgresql.log.2026-11-02-10",
        TLS_SESSION.as_bytes(),
    );
    let json = dir.path().join("report.json");
    let out = sslcensus(&["analyze", "-q", arg(&log), "-o", arg(&json)], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let parsed: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    // List columns are arrays in JSON (whole, never capped); times RFC 3339.
    assert_eq!(parsed[0]["application"], serde_json::json!(["billing"]));
    assert_eq!(parsed[0]["client_hosts"], serde_json::json!(["10.0.3.7"]));
    assert_eq!(parsed[0]["first_seen"], "2026-11-02T10:00:00Z");
    assert_eq!(parsed[0]["verdict"], "review");
    let parquet = dir.path().join("report.parquet");
    let out = sslcensus(&["analyze", "-q", arg(&log), "-o", arg(&parquet)], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(std::fs::read(&parquet).unwrap().starts_with(b"PAR1"));
}

#[test]
fn stdin_and_gzip_are_read() {
    let out = sslcensus(
        &["analyze", "--instance", "piped", "-"],
        Some(&gzip(TLS_SESSION.as_bytes())),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("\npiped,postgres,app,orders,billing,"));
    let out = sslcensus(
        &["analyze", "--instance", "piped"],
        Some(TLS_SESSION.as_bytes()),
    );
    assert!(text(&out.stdout).contains("\npiped,postgres,app,orders,billing,"));
}

#[test]
fn fail_on_sets_exit_code_3_for_batch_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let review_only = write(dir.path(), "a/postgresql.log.1", TLS_SESSION.as_bytes());
    let affected = write(dir.path(), "b/postgresql.log.1", REJECTION.as_bytes());
    assert_eq!(
        sslcensus(
            &["analyze", "-q", arg(&review_only), "--fail-on", "affected"],
            None
        )
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        sslcensus(
            &["analyze", "-q", arg(&review_only), "--fail-on", "review"],
            None
        )
        .status
        .code(),
        Some(3)
    );
    assert_eq!(
        sslcensus(
            &["analyze", "-q", arg(&affected), "--fail-on", "affected"],
            None
        )
        .status
        .code(),
        Some(3)
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "x.log", TLS_SESSION.as_bytes());
    for args in [
        vec!["analyze", arg(&log), "--group-by", "instance,colour"],
        vec!["analyze", arg(&log), "--log-line-prefix", "%t %Z"],
        vec!["analyze", arg(&log), "-o", "report.xlsx"],
        vec!["analyze", arg(&log), "--format", "xml"],
        vec!["frobnicate"],
    ] {
        let out = sslcensus(&args, None);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!text(&out.stderr).is_empty());
    }
}

/// A folder whose one log is a gzip file cut short: its lines up to the cut
/// are used, the run fails naming the file, and the folder is not said to
/// hold no log (it was a log, read in part).
#[test]
fn a_folder_of_one_cut_short_gzip_is_a_log_read_in_part() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = gzip(TLS_SESSION.repeat(2000).as_bytes());
    let cut = write(
        dir.path(),
        "db1/postgresql.log.1.gz",
        &bytes[..bytes.len() / 2],
    );
    let folder = cut.parent().unwrap();
    let out = sslcensus(&["analyze", arg(folder), "-o", "-"], None);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("error: {}: read error after line", cut.display())),
        "{err}"
    );
    assert!(err.contains("read 0 (and 1 in part) of 1 files"), "{err}");
    assert!(!err.contains("no log in it"), "{err}");
    assert!(
        text(&out.stdout).contains("10.0.3.7"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn bad_inputs_are_named_counted_and_never_crash() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut long_line = format!(
        "2026-11-02 10:00:00 UTC:10.0.0.1(1):u@d:[9]:LOG:  statement: SELECT '{}'\n",
        "x".repeat(1 << 20)
    );
    long_line.push_str(TLS_SESSION);
    let long = write(d, "long/postgresql.log.1", long_line.as_bytes());
    let mut invalid = TLS_SESSION.as_bytes().to_vec();
    invalid.extend_from_slice(b"2026-11-02 10:00:01 UTC:10.0.3.7(4002):app@orders:[103]:LOG:  connection authorized: user=app database=orders application_name=caf\xe9\n");
    let invalid = write(d, "latin1/postgresql.log.1", &invalid);
    let malformed = write(
        d,
        "broken/postgresql.log.1",
        format!("{TLS_SESSION}2026-11-02 10:00:02 UTC:10.0.3.7(4003):app@orders:[104]:LOG:  connection authorized: database=orders\n").as_bytes(),
    );
    let empty = write(d, "empty/postgresql.log.1", b"");
    let text_log = TLS_SESSION.repeat(2000);
    let truncated_bytes = gzip(text_log.as_bytes());
    let truncated = write(
        d,
        "cut/postgresql.log.1.gz",
        &truncated_bytes[..truncated_bytes.len() * 2 / 3],
    );
    let binary = write(
        d,
        "bin/postgresql.log.1",
        b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
    );
    let unknown = write(d, "notes.txt", b"hello\nthis is not a log\n");

    let out = sslcensus(
        &[
            "analyze",
            arg(&long),
            arg(&invalid),
            arg(&malformed),
            arg(&empty),
            arg(&truncated),
            arg(&binary),
            arg(&unknown),
        ],
        None,
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("{}:3: not valid UTF-8", invalid.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{}:3: skipped: connection authorized: expected user=",
            malformed.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("note: {}: empty", empty.display())),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "error: {}: read error after line",
            truncated.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "error: {}: the file holds binary data",
            binary.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("error: {}: not a log format", unknown.display())),
        "{err}"
    );
    assert!(
        err.contains("1 connection lines skipped as malformed, 1 lines not UTF-8"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let csv = text(&out.stdout);
    // Everything readable still made it into the report.
    for instance in ["long", "latin1", "broken", "cut"] {
        assert!(
            csv.contains(&format!("\n{instance},postgres,app,orders,billing,")),
            "{instance}: {csv}"
        );
    }
    assert!(
        csv.contains("\nlatin1,postgres,app,orders,caf\u{fffd},"),
        "{csv}"
    );
}

/// Issue #19: one damaged byte in a time, read as a replacement character,
/// was sliced inside that character: a panic that ended the run (exit 101)
/// in stderr, csvlog and gzipped logs alike. The bundled samples with the
/// last digit of a time damaged, in the first line (which format detection
/// reads) and in the first `connection authorized` line: that line is named
/// and counted, and every instance is still reported.
#[test]
fn a_damaged_byte_in_a_time_is_a_named_line_not_a_crash() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/postgresql");
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("stderr", "postgresql.log.2026-11-29-05", 0, false),
        ("csvlog", "postgresql.log.2026-11-29-05.csv", 0, false),
        ("jsonlog", "postgresql.log.2026-11-29-05.json", 14, false),
        ("stderr", "postgresql.log.2026-11-29-05", 0, true),
    ];
    let mut args = vec!["analyze".to_string()];
    let mut expected = Vec::new();
    for (kind, name, time_at, gzipped) in cases {
        let sample = std::fs::read(samples.join(kind).join("pg-sample-1").join(name)).unwrap();
        let mut lines: Vec<Vec<u8>> = sample
            .split_inclusive(|&b| b == b'\n')
            .map(<[u8]>::to_vec)
            .collect();
        let authorized = lines
            .iter()
            .position(|l| l.windows(21).any(|w| w == b"connection authorized"))
            .unwrap();
        for line in [0, authorized] {
            // `2026-11-29 05:00:2?`: the seconds' last digit.
            lines[line][time_at + 18] = 0xff;
        }
        let damaged = lines.concat();
        let instance = format!("{kind}{}", if gzipped { "-gz" } else { "" });
        let path = if gzipped {
            write(
                dir.path(),
                &format!("{instance}/{name}.gz"),
                &gzip(&damaged),
            )
        } else {
            write(dir.path(), &format!("{instance}/{name}"), &damaged)
        };
        expected.push((
            instance,
            format!("{}:{}: not valid UTF-8", path.display(), authorized + 1),
        ));
        args.push(path.display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = sslcensus(&args, None);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        !err.contains("internal error") && !err.contains("panicked"),
        "{err}"
    );
    let csv = text(&out.stdout);
    for (instance, message) in expected {
        assert!(err.contains(&message), "{message}: {err}");
        assert!(
            csv.contains(&format!(
                "\n{instance},postgres,svc.reporting,Sales DW,app_verify_full,"
            )),
            "{instance}: {csv}"
        );
    }
}

#[test]
fn files_found_in_a_directory_that_are_not_logs_are_noted_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "db-1/postgresql.log.2026-11-02-10",
        TLS_SESSION.as_bytes(),
    );
    write(dir.path(), "db-1/README.md", b"# notes\nnothing to see\n");
    let out = sslcensus(&["analyze", arg(dir.path())], None);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("README.md: not read: not a log format"),
        "{err}"
    );
}

#[test]
fn missing_inputs_are_errors_but_the_rest_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "db-1/postgresql.log.1", TLS_SESSION.as_bytes());
    let out = sslcensus(&["analyze", arg(&log), "/nonexistent/file.log"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error: /nonexistent/file.log: no such file or directory"));
    assert!(text(&out.stdout).contains("billing"));
}

#[test]
fn a_custom_log_line_prefix_is_compiled() {
    let log = "\
2026-11-02 10:00:00.123 UTC [201] LOG:  connection received: host=10.1.1.1 port=5
2026-11-02 10:00:00.125 UTC [201] LOG:  connection authorized: user=etl database=dw application_name=nightly SSL enabled (protocol=TLSv1.2, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256)
2026-11-02 10:00:00.126 UTC [202] LOG:  connection received: host=10.1.1.2 port=6
2026-11-02 10:00:00.127 UTC [202] LOG:  could not accept SSL connection: sslv3 alert certificate unknown
";
    let out = sslcensus(
        &[
            "analyze",
            "--log-line-prefix",
            "%m [%p] ",
            "--instance",
            "dw",
            "-",
        ],
        Some(log.as_bytes()),
    );
    let csv = text(&out.stdout);
    assert!(
        csv.contains("\ndw,postgres,etl,dw,nightly,10.1.1.1,"),
        "{csv}"
    );
    // The host of the failed handshake comes from its `connection received`.
    assert!(
        csv.contains("\ndw,postgres,[unknown],[unknown],[unknown],10.1.1.2,"),
        "{csv}"
    );
}

/// A run killed before it finishes leaves the last report as it was, not a
/// half one; a run that finishes replaces it whole and leaves no temporary
/// file. The kill comes while the run waits on an input that never ends
/// (stdin held open), its output already staged.
#[test]
fn a_killed_run_never_leaves_a_half_report() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let report = write(dir.path(), "report.csv", b"the last good report\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sslcensus"))
        .args(["analyze", "-q", "-", "-o", arg(&report)])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(TLS_SESSION.repeat(1000).as_bytes())
        .unwrap();
    stdin.flush().unwrap();
    let staged = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().ends_with(".partial"))
    };
    let started = std::time::Instant::now();
    while !staged() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the output was never staged"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    drop(stdin);
    assert_eq!(
        std::fs::read_to_string(&report).unwrap(),
        "the last good report\n"
    );

    let out = sslcensus(
        &["analyze", "-q", "-", "-o", arg(&report)],
        Some(TLS_SESSION.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .contains("billing")
    );
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "report.csv")
        .collect();
    // Only the killed run's staging file can be left (a kill gives no
    // chance to clean up); the finished run leaves nothing.
    assert!(left.len() <= 1, "{left:?}");
}

/// `--since`/`--until` apply to files too: records outside the window are
/// passed over, counted and said, and the window is stated.
#[test]
fn a_window_reads_only_its_records() {
    let dir = tempfile::tempdir().unwrap();
    let later = TLS_SESSION
        .replace("2026-11-02", "2026-11-04")
        .replace("billing", "invoicing")
        .replace("[101]", "[201]");
    let log = write(
        dir.path(),
        "db1/postgresql.log.1",
        format!("{TLS_SESSION}{later}").as_bytes(),
    );
    let out = sslcensus(
        &["analyze", "--since", "2026-11-03", arg(&log), "-o", "-"],
        None,
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(
            "window 2026-11-03T00:00:00Z .. (open): 2 connection records outside it passed over"
        ),
        "{err}"
    );
    let report = text(&out.stdout);
    assert!(report.contains("invoicing"), "{report}");
    assert!(!report.contains("billing"), "{report}");
    // Every output says the window: CSV and JSON columns, typed Parquet
    // timestamps, the summary.
    let header = report.lines().next().unwrap();
    assert!(header.ends_with(",window_since,window_until"), "{header}");
    assert!(
        report
            .lines()
            .nth(1)
            .unwrap()
            .ends_with(",2026-11-03T00:00:00Z,"),
        "{report}"
    );
    let json = text(
        &sslcensus(
            &[
                "analyze",
                "-q",
                "--since",
                "2026-11-03",
                arg(&log),
                "-o",
                "-",
                "--output-format",
                "json",
            ],
            None,
        )
        .stdout,
    );
    assert!(
        json.contains("\"window_since\":\"2026-11-03T00:00:00Z\""),
        "{json}"
    );
    let parquet = dir.path().join("r.parquet");
    let out = sslcensus(
        &[
            "analyze",
            "--since",
            "2026-11-03",
            arg(&log),
            "-o",
            arg(&parquet),
        ],
        None,
    );
    assert!(
        text(&out.stdout).contains("window: 2026-11-03T00:00:00Z .. (open)"),
        "{}",
        text(&out.stdout)
    );
    use polars::prelude::{DataType, ParquetReader, SerReader};
    let df = ParquetReader::new(std::fs::File::open(&parquet).unwrap())
        .finish()
        .unwrap();
    assert!(matches!(
        df.column("window_since").unwrap().dtype(),
        DataType::Datetime(_, _)
    ));

    // Nothing in the window: said as such, exit 1 (nothing to judge).
    let out = sslcensus(
        &["analyze", "--until", "2026-11-01", arg(&log), "-o", "-"],
        None,
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("all 4 connection records read are outside the window"),
        "{err}"
    );
}

/// Session dumps honour the window by capture time.
#[test]
fn a_window_applies_to_session_dumps() {
    let dump =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/dumps/postgresql/csv/pg-dumps-1");
    let out = sslcensus(
        &["analyze", "--until", "2026-11-01", arg(&dump), "-o", "-"],
        None,
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("connection records read are outside the window"),
        "{err}"
    );
    let out = sslcensus(
        &["analyze", "--since", "2026-11-01", arg(&dump), "-o", "-"],
        None,
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(": 0 connection records outside it passed over"),
        "{err}"
    );
    assert!(
        text(&out.stdout).contains("app_plain"),
        "{}",
        text(&out.stdout)
    );
}

/// The dangerous direction at the window's edge: a certificate rejection
/// just before `--since`, then a plaintext session from the same address
/// just after, is a verifying client falling back (sslmode=prefer), and must
/// not come out not_affected because the rejection was cut off.
#[test]
fn a_window_never_cuts_a_fallback_into_no_tls() {
    let dir = tempfile::tempdir().unwrap();
    let rejection = "2026-11-02 10:04:59 UTC:10.0.3.8(4101):[unknown]@[unknown]:[301]:LOG:  connection received: host=10.0.3.8 port=4101\n\
2026-11-02 10:04:59 UTC:10.0.3.8(4101):[unknown]@[unknown]:[301]:LOG:  could not accept SSL connection: tlsv1 alert unknown ca\n";
    let plaintext = "2026-11-02 10:05:00 UTC:10.0.3.8(4102):[unknown]@[unknown]:[302]:LOG:  connection received: host=10.0.3.8 port=4102\n\
2026-11-02 10:05:00 UTC:10.0.3.8(4102):app@orders:[302]:LOG:  connection authorized: user=app database=orders application_name=stale_root\n";
    let verdict = |log: &Path| {
        let out = sslcensus(
            &[
                "analyze",
                "--since",
                "2026-11-02T10:05:00Z",
                arg(log),
                "-o",
                "-",
            ],
            None,
        );
        let report = text(&out.stdout);
        report
            .lines()
            .find(|l| l.contains("stale_root"))
            .unwrap_or_else(|| panic!("{report}{}", text(&out.stderr)))
            .to_string()
    };
    let with = write(
        dir.path(),
        "a/postgresql.log.1",
        format!("{rejection}{plaintext}").as_bytes(),
    );
    let row = verdict(&with);
    assert!(!row.contains(",not_affected,"), "{row}");
    assert!(row.contains(",affected,"), "{row}");
    // Without the rejection the same session is plaintext: not affected.
    let without = write(dir.path(), "b/postgresql.log.1", plaintext.as_bytes());
    assert!(verdict(&without).contains(",not_affected,"));
}
