//! Reports safe to open: names the clients chose cannot become spreadsheet
//! formulas in the CSV or escape sequences on the terminal, while JSON and
//! Parquet keep their exact bytes.

use std::path::Path;
use std::process::Output;

mod common;

const NAMES: [(&str, &str); 5] = [
    ("app", r#"=HYPERLINK("http://evil.example/x","click")"#),
    ("app", "@SUM(1+1)*cmd|x"),
    ("+cmd", "reports"),
    ("app", "-2+3"),
    ("app", "red\u{1b}[31malert"),
];

fn log() -> String {
    NAMES
        .iter()
        .enumerate()
        .map(|(i, (user, app))| {
            format!(
                "2026-11-02 10:00:00 UTC:10.0.0.{i}(4000):{user}@orders:[10{i}]:LOG:  connection authorized: user={user} database=orders application_name={app} SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)\n"
            )
        })
        .collect()
}

fn run(args: &[&str]) -> Output {
    common::sslcensus_ok(args)
}

fn setup() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db-1/postgresql.log.2026-11-02-10");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, log()).unwrap();
    let path = path.to_string_lossy().into_owned();
    (dir, path)
}

fn cells(csv: &[u8], column: usize) -> Vec<String> {
    csv::Reader::from_reader(csv)
        .records()
        .map(|r| r.unwrap()[column].to_string())
        .collect()
}

#[test]
fn csv_cells_never_start_a_formula_unless_asked_and_json_parquet_stay_exact() {
    let (dir, log) = setup();
    let base = ["analyze", "-q", "--app-families", "off"];
    let csv = run(&[&base[..], &["-o", "-", &log]].concat()).stdout;
    let apps = cells(&csv, 4);
    for app in [
        r#"'=HYPERLINK("http://evil.example/x","click")"#,
        "'@SUM(1+1)*cmd|x",
        "'-2+3",
        "reports",
    ] {
        assert!(apps.iter().any(|a| a == app), "{app}: {apps:?}");
    }
    let users = cells(&csv, 2);
    assert!(users.iter().any(|u| u == "'+cmd"), "{users:?}");
    for record in csv::Reader::from_reader(csv.as_slice()).records() {
        for cell in record.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell}"
            );
        }
    }

    // --csv-raw: the exact names, for programs.
    let raw = run(&[&base[..], &["--csv-raw", "-o", "-", &log]].concat()).stdout;
    assert!(cells(&raw, 4).iter().any(|a| a == "-2+3"));

    // JSON and Parquet: exact bytes.
    let json = run(&[&base[..], &["-o", "-", "--output-format", "json", &log]].concat()).stdout;
    let parsed: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let names: Vec<&str> = parsed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["application"][0].as_str().unwrap())
        .collect();
    for (_, app) in NAMES {
        assert!(names.contains(&app), "{app:?}: {names:?}");
    }
    let parquet = dir.path().join("r.parquet");
    run(&[&base[..], &["-o", parquet.to_str().unwrap(), &log]].concat());
    use polars::prelude::{ParquetReader, SerReader};
    let df = ParquetReader::new(std::fs::File::open(&parquet).unwrap())
        .finish()
        .unwrap();
    // One application per row: the list's first value.
    let apps = df.column("application").unwrap().list().unwrap().clone();
    let found: Vec<String> = (0..apps.len())
        .filter_map(|i| apps.get_as_series(i))
        .map(|s| s.str().unwrap().get(0).unwrap().to_string())
        .collect();
    assert!(found.iter().any(|a| a == "-2+3"), "{found:?}");
}

#[test]
fn the_terminal_summary_shows_control_characters_escaped() {
    let (dir, log) = setup();
    let report = dir.path().join("r.csv");
    let out = run(&["analyze", "-o", report.to_str().unwrap(), &log]);
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(!summary.contains('\u{1b}'), "{summary}");
    assert!(summary.contains(r"red\u{1b}[31malert"), "{summary}");
}

#[test]
fn an_override_copied_from_the_guarded_csv_still_matches() {
    let (dir, log) = setup();
    let evidence = Path::new(dir.path()).join("evidence.csv");
    // As an analyst copies the name out of the report: with its guard.
    std::fs::write(&evidence, "application,verifies,note\n'-2+3,no,checked\n").unwrap();
    let csv = run(&[
        "analyze",
        "-q",
        "--app-families",
        "off",
        "--evidence",
        evidence.to_str().unwrap(),
        "-o",
        "-",
        &log,
    ])
    .stdout;
    let rows: Vec<csv::StringRecord> = csv::Reader::from_reader(csv.as_slice())
        .records()
        .map(Result::unwrap)
        .collect();
    let row = rows.iter().find(|r| &r[4] == "'-2+3").unwrap();
    assert_eq!(&row[15], "not_affected", "{row:?}");
}
