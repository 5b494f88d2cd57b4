//! The HTML report of the bundled samples in a real browser: headless
//! Chromium (Debian package; `tests/run-all.sh` installs it) loads the page
//! with no network, its own self-test (`#selftest`: the filters, the
//! sorting, a row opening to its reason) writes what it found into the
//! page, and the test reads the DOM back: no console message or script
//! error, every row of the
//! CSV report in the page, the filters counting what the CSV counts. A
//! screenshot is kept as an artifact under the target directory.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("SSLCENSUS_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| {
            ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
                .iter()
                .map(PathBuf::from)
                .find(|p| p.exists())
        });
    if found.is_none() {
        let message = "chromium missing: tests/run-all.sh installs it (apt-get install chromium)";
        assert!(std::env::var_os("CI").is_none(), "{message}");
        eprintln!("SKIPPED: {message}");
    }
    found
}

/// Runs headless Chromium on `url` with these flags; its stdout and the
/// page's console messages (Chromium logs them to stderr as `CONSOLE`).
fn browse(chromium: &Path, profile: &Path, flags: &[&str], url: &str) -> (String, Vec<String>) {
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            // No network at view time: the page must need none.
            "--proxy-server=127.0.0.1:9",
            "--virtual-time-budget=5000",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(flags)
        .arg(url)
        .output()
        .unwrap();
    let stderr = common::text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (common::text(&out.stdout), console)
}

#[test]
fn the_samples_report_works_in_a_browser() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let inputs = [
        samples.join("postgresql/stderr/pg-sample-1"),
        samples.join("mariadb/general/mariadb-sample-1"),
        samples.join("dumps/postgresql/csv/pg-dumps-1"),
    ];
    let html = dir.path().join("report.html");
    let csv = dir.path().join("report.csv");
    for out in [&html, &csv] {
        let mut args = vec!["analyze".to_string(), "-q".into()];
        args.extend(inputs.iter().map(|p| p.display().to_string()));
        args.extend(["--since".into(), "2026-11-01".into()]);
        args.extend(["-o".into(), out.display().to_string()]);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        common::sslcensus_ok(&argv);
    }
    let page = std::fs::read_to_string(&html).unwrap();
    // Self-contained: nothing to fetch.
    for fetch in ["src=\"http", "href=\"http", "@import", "url("] {
        assert!(!page.contains(fetch), "{fetch}");
    }
    // Every part the issue lists: boards, table, details, how it was made.
    for part in [
        "<h2>Instances</h2>",
        "id=\"filter\"",
        "class=\"details\"",
        "How this report was made",
        "Window: 2026-11-01T00:00:00Z .. (open)",
        "analyze -q",
        // Each input and what became of it.
        "<h3>Inputs</h3>",
        "postgresql.log.2026-11-29-05",
        "pg-dumps-1",
    ] {
        assert!(page.contains(part), "{part}");
    }

    // Each row's timeline: an inline SVG of sessions per day, whose
    // counts JSON (and Parquet) give as lists.
    assert!(page.contains("<svg") && page.contains("sessions per day (UTC)"));
    let json = dir.path().join("report.json");
    let mut args = vec!["analyze".to_string(), "-q".into()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(["-o".into(), json.display().to_string()]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    common::sslcensus_ok(&argv);
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let sum = |row: &serde_json::Value, key: &str| -> u64 {
        row[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .sum()
    };
    let mut with_days = 0;
    for row in report.as_array().unwrap() {
        if row["instance"][0] == "pg-dumps-1" {
            continue; // sampled sessions are no log lines: no days
        }
        let days = row["days"].as_array().unwrap();
        assert_eq!(days.len(), row["tls_per_day"].as_array().unwrap().len());
        assert_eq!(
            sum(row, "tls_per_day") + sum(row, "plain_per_day"),
            row["tls_sessions"].as_u64().unwrap() + row["plain_sessions"].as_u64().unwrap(),
            "{row}"
        );
        with_days += usize::from(!days.is_empty());
    }
    assert!(with_days > 10, "{with_days}");

    let url = format!("file://{}#selftest", html.display());
    let (dom, console) = browse(
        &chromium,
        &dir.path().join("profile"),
        &["--dump-dom"],
        &url,
    );
    // The page writes nothing to the console: any message is an error.
    assert!(console.is_empty(), "{console:?}");
    let selftest = dom
        .split("<output id=\"selftest\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("no self-test result: {}", &dom[..dom.len().min(3000)]));
    let result: serde_json::Value =
        serde_json::from_str(&selftest.replace("&quot;", "\"").replace("&amp;", "&")).unwrap();

    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let headers = reader.headers().unwrap().clone();
    let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let affected = rows
        .iter()
        .filter(|r| &r[at("verdict")] == "affected")
        .count();
    let prefer = rows
        .iter()
        .filter(|r| r.iter().any(|cell| cell.contains("app_prefer")))
        .count();
    assert_eq!(result["errors"], serde_json::json!([]), "{result}");
    assert_eq!(result["rows"], rows.len(), "{result}");
    assert_eq!(result["all"], rows.len(), "{result}");
    assert_eq!(result["affected"], affected, "{result}");
    assert!(affected > 0);
    assert_eq!(result["filtered"], prefer, "{result}");
    assert_eq!(result["sorted_desc"], true, "{result}");
    assert_eq!(result["details_open"], true, "{result}");
    // Every CSV row is in the page: its application (escaped as the page
    // escapes it) on a row of its instance.
    for row in &rows {
        let app = match &row[at("application")] {
            "" => "(no application_name)".to_string(),
            app => app
                .trim_start_matches('\'')
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;"),
        };
        assert!(
            dom.contains(&format!("<td>{app}</td>")),
            "{app} missing from the page"
        );
    }

    // The screenshot, kept for people to look at.
    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-report");
    std::fs::create_dir_all(&artifacts).unwrap();
    let shot = artifacts.join("samples-report.png");
    let (_, console) = browse(
        &chromium,
        &dir.path().join("profile"),
        &[
            "--hide-scrollbars",
            "--window-size=1400,1200",
            &format!("--screenshot={}", shot.display()),
        ],
        &format!("file://{}", html.display()),
    );
    assert!(console.is_empty(), "{console:?}");
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "no screenshot");
    eprintln!("screenshot: {}", shot.display());
}
