//! What leaves the DBA team: no password in any output format, and with
//! `--redact` no client address, user or application name either — the
//! bundled real samples with the fixture apps' settings (each holding the
//! planted password `PLANTED-s3cret`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

mod common;

const PLANTED: &str = "PLANTED-s3cret";
const ENGINES: [&str; 5] = ["postgres", "mysql", "mariadb", "oracle", "sqlserver"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Every output of one run: CSV, JSON, Parquet (its text cells), the
/// summary and stderr.
struct Outputs {
    csv: String,
    json: String,
    parquet: Vec<String>,
    terminal: String,
}

impl Outputs {
    fn texts(&self) -> Vec<(&'static str, String)> {
        vec![
            ("csv", self.csv.clone()),
            ("json", self.json.clone()),
            ("parquet", self.parquet.join("\n")),
            ("terminal", self.terminal.clone()),
        ]
    }
}

/// The text cells of a Parquet report, list items included.
fn parquet_strings(path: &Path) -> Vec<String> {
    use polars::prelude::{DataType, ParquetReader, SerReader};
    let df = ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap();
    let mut out = Vec::new();
    let mut take = |cells: &polars::prelude::StringChunked| {
        out.extend((0..cells.len()).filter_map(|i| cells.get(i).map(str::to_string)));
    };
    for column in df.columns() {
        let series = column.as_materialized_series();
        match series.dtype() {
            // Text lists only (the timeline's counts are numbers).
            DataType::List(inner) if **inner == DataType::String => {
                let lists = series.list().unwrap();
                for i in 0..lists.len() {
                    if let Some(items) = lists.get_as_series(i) {
                        take(items.str().unwrap());
                    }
                }
            }
            DataType::String => take(series.str().unwrap()),
            _ => {}
        }
    }
    out
}

fn run(dir: &Path, extra: &[&str]) -> Outputs {
    let samples = root().join("samples");
    let inputs = [
        samples.join("postgresql/stderr/pg-sample-1"),
        samples.join("mariadb/general/mariadb-sample-1"),
    ];
    let apps = root().join("tests/fixtures/apps");
    let mut base: Vec<String> = vec![
        "analyze".into(),
        "--scan".into(),
        apps.display().to_string(),
    ];
    base.extend(inputs.iter().map(|p| p.display().to_string()));
    base.extend(extra.iter().map(|s| s.to_string()));
    let mut terminal = String::new();
    let mut output = |name: &str| {
        let path = dir.join(name);
        let mut args = base.clone();
        args.extend(["-o".to_string(), path.display().to_string()]);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = common::sslcensus(&argv);
        assert!(
            matches!(out.status.code(), Some(0 | 3)),
            "{}",
            common::text(&out.stderr)
        );
        terminal.push_str(&common::text(&out.stdout));
        terminal.push_str(&common::text(&out.stderr));
        path
    };
    let csv = std::fs::read_to_string(output("r.csv")).unwrap();
    let json = std::fs::read_to_string(output("r.json")).unwrap();
    let parquet = parquet_strings(&output("r.parquet"));
    Outputs {
        csv,
        json,
        parquet,
        terminal,
    }
}

/// The names a report shows: users, applications, client addresses and
/// raw application names, placeholders left out.
fn names(csv: &str) -> BTreeSet<String> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let mut names = BTreeSet::new();
    for record in reader.records() {
        let record = record.unwrap();
        for column in [
            "user",
            "application",
            "client_hosts",
            "application_examples",
        ] {
            let cell = &record[headers.iter().position(|h| h == column).unwrap()];
            for value in cell.split(';') {
                let value = value.trim_start_matches('\'');
                if !value.is_empty() && !value.starts_with('[') && !value.starts_with('…') {
                    names.insert(value.to_string());
                }
            }
        }
    }
    names
}

fn column(csv: &str, name: &str) -> Vec<String> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let at = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == name)
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap()[at].to_string())
        .collect()
}

#[test]
fn no_password_in_any_output_and_no_name_when_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let plain = run(dir.path(), &[]);
    for (what, text) in plain.texts() {
        assert!(!text.contains(PLANTED), "{what}: a planted password leaked");
    }
    let shown = names(&plain.csv);
    assert!(
        shown.contains("127.0.0.11") && shown.contains("app_prefer"),
        "{shown:?}"
    );

    let key = ["--redact-key", "team-key-2026"];
    let redacted = run(dir.path(), &key);
    for (what, text) in redacted.texts() {
        assert!(!text.contains(PLANTED), "{what}: a planted password leaked");
        // A name that is also an engine's (the user `postgres`) is checked
        // by the cells below, since the engine column says it too.
        for name in shown.iter().filter(|n| !ENGINES.contains(&n.as_str())) {
            // As a word of its own: `app` may stay inside `application`.
            let word =
                regex::Regex::new(&format!(r"(^|[^\w]){}($|[^\w])", regex::escape(name))).unwrap();
            assert!(
                !word.is_match(&text),
                "{what}: {name:?} shown despite --redact"
            );
        }
    }
    for cell in [
        "user",
        "application",
        "client_hosts",
        "application_examples",
    ]
    .iter()
    .flat_map(|c| column(&redacted.csv, c))
    {
        for value in cell.split(';').filter(|v| !v.is_empty()) {
            assert!(
                value.starts_with("h:") || value.starts_with('[') || value.starts_with('…'),
                "{value:?} not redacted"
            );
        }
    }
    // The verdicts are the plain run's, row for row.
    assert_eq!(
        column(&redacted.csv, "verdict"),
        column(&plain.csv, "verdict")
    );
    assert!(
        column(&redacted.csv, "client_hosts")
            .iter()
            .any(|h| h.starts_with("h:"))
    );
    // The same key gives the same tokens; another run without a key others.
    let again = run(dir.path(), &key);
    assert_eq!(again.csv, redacted.csv);
    let random = run(dir.path(), &["--redact"]);
    assert_ne!(random.csv, redacted.csv);
    assert_eq!(
        column(&random.csv, "verdict"),
        column(&plain.csv, "verdict")
    );
}
