//! The worst inputs a DBA feeds by accident, made from the real samples:
//! each gets a clear message naming the file (and line), counts of what was
//! skipped, the documented exit code, no panic, and a report of the good
//! parts. (A gzip cut short and damaged bytes of every kind: tests/cli.rs
//! and tests/mutation.rs; a file truncated or growing while read:
//! src/mapguard.rs and src/source.rs.)

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

fn sample() -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples/postgresql/stderr/pg-sample-1/postgresql.log.2026-11-29-05"),
    )
    .unwrap()
}

fn write(path: &Path, bytes: &[u8]) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
    path.to_path_buf()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// `analyze --instance db -o -` on these inputs: (exit code, report, stderr).
fn analyze(inputs: &[&Path]) -> (Option<i32>, String, String) {
    let mut args = vec!["analyze", "--instance", "db", "-o", "-"];
    let inputs: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    args.extend(inputs.iter().map(String::as_str));
    let out: Output = common::sslcensus(&args);
    (
        out.status.code(),
        common::text(&out.stdout),
        common::text(&out.stderr),
    )
}

/// The report of the sample as it is.
fn reference(dir: &Path) -> String {
    let (code, report, stderr) = analyze(&[&write(&dir.join("ref/a.log"), &sample())]);
    assert_eq!(code, Some(0), "{stderr}");
    report
}

#[test]
fn line_ends_long_lines_and_gzip_members_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let expected = reference(dir.path());
    let text = sample();
    let crlf: Vec<u8> = String::from_utf8(text.clone())
        .unwrap()
        .replace('\n', "\r\n")
        .into_bytes();
    // A 10 MB line among the others.
    let mut long = text[..2000].to_vec();
    let cut = long.iter().rposition(|&b| b == b'\n').unwrap() + 1;
    long.truncate(cut);
    long.extend(std::iter::repeat_n(b'x', 10 << 20));
    long.push(b'\n');
    long.extend_from_slice(&text[cut..]);
    // Two gzip members back to back (a rotated log appended to).
    let half = text.len() / 2;
    let half = half + text[half..].iter().position(|&b| b == b'\n').unwrap() + 1;
    let mut members = gzip(&text[..half]);
    members.extend(gzip(&text[half..]));
    for (name, bytes) in [
        ("crlf.log", crlf),
        ("long.log", long),
        ("members.log.gz", members),
    ] {
        let (code, report, stderr) = analyze(&[&write(&dir.path().join(name), &bytes)]);
        assert_eq!(code, Some(0), "{name}: {stderr}");
        assert_eq!(report, expected, "{name}: {stderr}");
    }
}

#[test]
fn nul_bytes_and_invalid_utf8_in_names_are_read_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let text = String::from_utf8(sample()).unwrap();
    let mut bytes = text
        .replacen(
            "application_name=app_tls12",
            "application_name=app_\u{0}_tls12",
            1,
        )
        .into_bytes();
    let at = bytes
        .windows(b"application_name=app_disable".len())
        .position(|w| w == b"application_name=app_disable")
        .unwrap();
    bytes.splice(at + 17..at + 17, [0xff, 0xfe]);
    // A crash's zeroed block between two lines.
    let block = bytes.iter().rposition(|&b| b == b'\n').unwrap();
    bytes.splice(block..block, std::iter::repeat_n(0u8, 4096));
    let log = write(&dir.path().join("damaged.log"), &bytes);
    let (code, report, stderr) = analyze(&[&log]);
    assert_eq!(code, Some(0), "{stderr}");
    let line = text[..text.find("application_name=app_disable").unwrap()]
        .matches('\n')
        .count()
        + 1;
    assert!(
        stderr.contains(&format!(
            "{}:{line}: not valid UTF-8; read with replacement characters",
            log.display()
        )),
        "{stderr}"
    );
    assert!(stderr.contains(", 1 lines not UTF-8"), "{stderr}");
    // The good sessions are all there, and the damaged names too.
    for app in [
        "app_verify_full",
        "app_prefer",
        "app_stale_root",
        "app_\u{fffd}\u{fffd}app_disable",
    ] {
        let app = app.replace(
            "app_\u{fffd}\u{fffd}app_disable",
            "\u{fffd}\u{fffd}app_disable",
        );
        assert!(report.contains(&app), "{app}: {report}");
    }
}

#[test]
fn binary_files_empty_gzip_and_mixed_formats() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mixed = dir.path().join("mixed");
    write(&mixed.join("pg/postgresql.log"), &sample());
    for (to, from) in [
        (
            "maria/mysql-general.log",
            "mariadb/general/mariadb-sample-1/mysql-general.log",
        ),
        (
            "csv/postgresql.csv",
            "postgresql/csvlog/pg-sample-1/postgresql.log.2026-11-29-05.csv",
        ),
        (
            "dump/pg_stat_ssl.csv",
            "dumps/postgresql/csv/pg-dumps-1/sessions.csv",
        ),
    ] {
        if let Ok(bytes) = std::fs::read(root.join(from)) {
            write(&mixed.join(to), &bytes);
        }
    }
    let noise: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let binary = write(&mixed.join("core.bin"), &noise);
    write(
        &mixed.join("README.txt"),
        b"Logs copied from the servers on Monday.\n",
    );
    let empty = write(&mixed.join("empty.log.gz"), &gzip(b""));
    let out = common::sslcensus(&["analyze", "-o", "-", mixed.to_str().unwrap()]);
    let stderr = common::text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "note: {}: not read: the file holds binary data (NUL bytes), not a text log",
            binary.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("note: {}: empty", empty.display())),
        "{stderr}"
    );
    let report = common::text(&out.stdout);
    for instance in ["pg", "maria"] {
        assert!(
            report
                .lines()
                .any(|l| l.starts_with(&format!("{instance},"))),
            "{instance}: {report}"
        );
    }
    // Named alone, a binary file is an error: exit 1.
    let (code, _, stderr) = analyze(&[&binary]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains(&binary.display().to_string()), "{stderr}");
}

#[test]
fn time_stepping_back_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let text = String::from_utf8(sample()).unwrap();
    let later = text.replace("2026-11-29 05:", "2026-11-29 06:");
    let log = write(
        &dir.path().join("db/postgresql.log"),
        format!("{later}{text}").as_bytes(),
    );
    let (code, _, stderr) = analyze(&[&log]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("db: the time steps back by more than 2 s 1 times (first to 2026-11-29T05:00:27Z after 2026-11-29T06:00:29Z)"),
        "{stderr}"
    );
    // A partial keeps the count (not where the first step was): merged, it is said too.
    let partial = dir.path().join("run.parquet");
    let (log, partial_arg) = (log.display().to_string(), partial.display().to_string());
    let run = common::sslcensus(&[
        "analyze",
        "--instance",
        "db",
        "-q",
        "-o",
        "-",
        "--partial",
        &partial_arg,
        &log,
    ]);
    assert_eq!(run.status.code(), Some(0));
    let merged = common::sslcensus(&["merge", "-o", "-", &partial_arg]);
    let stderr = common::text(&merged.stderr);
    assert!(
        stderr.contains("db: the time steps back by more than 2 s 1 times: a clock stepped back"),
        "{stderr}"
    );
}

#[test]
fn a_symlink_loop_is_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    let expected = reference(dir.path());
    let logs = dir.path().join("logs");
    write(&logs.join("a.log"), &sample());
    std::fs::create_dir_all(logs.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", logs.join("sub/up")).unwrap();
    let (code, report, stderr) = analyze(&[&logs]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(report, expected);
}

#[test]
fn an_unreadable_file_is_an_error_and_the_others_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    write(&logs.join("a.log"), &sample());
    let locked = write(&logs.join("b.log"), &sample());
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    for p in [dir.path(), logs.as_path()] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(logs.join("a.log"), std::fs::Permissions::from_mode(0o644)).unwrap();
    // Root reads anything: run as nobody then (CI runs as root).
    let binary = env!("CARGO_BIN_EXE_sslcensus");
    let as_root = unsafe { libc::geteuid() } == 0;
    let mut command = if as_root {
        let mut c = std::process::Command::new("runuser");
        c.args(["-u", "nobody", "--", binary]);
        c
    } else {
        std::process::Command::new(binary)
    };
    // The binary and its folders must be reachable by nobody.
    if as_root
        && std::process::Command::new("runuser")
            .args(["-u", "nobody", "--", binary, "--version"])
            .output()
            .map_or(true, |o| !o.status.success())
    {
        eprintln!("skipped: nobody cannot run {binary}");
        return;
    }
    let out = command
        .args([
            "analyze",
            "--instance",
            "db",
            "-o",
            "-",
            logs.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let stderr = common::text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: {}: cannot open: Permission denied",
            locked.display()
        )),
        "{stderr}"
    );
    assert!(common::text(&out.stdout).lines().count() > 5);
}

#[test]
fn a_folder_of_100000_small_files_prints_a_screenful() {
    let dir = tempfile::tempdir().unwrap();
    let many = dir.path().join("many");
    std::fs::create_dir_all(&many).unwrap();
    for i in 0..100_000 {
        std::fs::write(
            many.join(format!("f{i:06}.log")),
            format!("2026-11-29 05:00:27 UTC:10.0.{}.{}(5):u@d:[{i}]:LOG:  connection authorized: user=u database=d application_name=a\n", i / 250, i % 250),
        )
        .unwrap();
    }
    let out = common::sslcensus(&["analyze", "-o", "-", many.to_str().unwrap()]);
    let stderr = common::text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        &stderr[..stderr.len().min(2000)]
    );
    assert!(
        stderr.lines().count() < 40,
        "{} lines: {}",
        stderr.lines().count(),
        &stderr[..2000]
    );
    assert!(
        stderr.contains("… and 99980 more instances with connection records (99980 logins)"),
        "{stderr}"
    );
    assert!(stderr.contains("read 100000 of 100000 files"), "{stderr}");
    assert_eq!(common::text(&out.stdout).lines().count(), 100_001);
}
