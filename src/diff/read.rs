//! The two censuses `diff` compares: report files sslcensus wrote (CSV,
//! JSON or Parquet, by extension), or the rows of an analysis.

use std::path::Path;

use anyhow::{Context, Result, bail};
use polars::prelude::{AnyValue, ParquetReader, SerReader};

use super::{ClientRow, Counts};
use crate::inventory::NOT_OBSERVED;
use crate::report::{OutputFormat, unguard_cell};
use crate::verdict::{ReportRow, Verification};

/// The columns diff reads; every other column is passed over.
const TEXT: [&str; 4] = ["instance", "user", "database", "application"];
const HOSTS: &str = "client_hosts";
const COUNTS: [&str; 4] = [
    "sessions",
    "tls_sessions",
    "plain_sessions",
    "handshake_failures",
];
const VERIFICATION: &str = "verification";

/// The client rows of an analysis.
pub fn from_report_rows(rows: &[ReportRow]) -> Vec<ClientRow> {
    rows.iter()
        .filter(|r| r.application != NOT_OBSERVED)
        .map(|r| ClientRow {
            instance: r.instance.as_str().to_string(),
            user: r.user.as_str().to_string(),
            database: r.database.as_str().to_string(),
            application: r.application.as_str().to_string(),
            hosts: r.client_hosts.items().to_vec(),
            counts: Counts {
                sessions: r.sessions,
                tls_sessions: r.tls_sessions,
                plain_sessions: r.plain_sessions,
                handshake_failures: r.handshake_failures,
                verifies: r.verification == Verification::Verifies,
            },
        })
        .collect()
}

/// A cell as a report format holds it.
enum Cell {
    Text(String),
    List(Vec<String>),
    Count(u64),
    Empty,
}

impl Cell {
    fn text(self) -> String {
        match self {
            Cell::Text(t) => t,
            Cell::List(items) => items.join(";"),
            Cell::Count(n) => n.to_string(),
            Cell::Empty => String::new(),
        }
    }

    /// A list cell: JSON and Parquet hold lists, CSV their `;`-joined text
    /// (capped: the `… and N more` item is no value).
    fn list(self) -> Vec<String> {
        match self {
            Cell::List(items) => items,
            Cell::Text(t) if t.is_empty() => Vec::new(),
            Cell::Text(t) => t
                .split(';')
                .filter(|h| !h.starts_with("… and "))
                .map(str::to_string)
                .collect(),
            Cell::Count(n) => vec![n.to_string()],
            Cell::Empty => Vec::new(),
        }
    }
}

/// Reads a report, by its extension; messages name the file, and the
/// line or row of a bad cell.
pub fn read_report(path: &Path) -> Result<Vec<ClientRow>> {
    let format = OutputFormat::for_path(path)?;
    let rows = match format {
        OutputFormat::Csv | OutputFormat::CsvRaw => read_csv(path),
        OutputFormat::Json => read_json(path),
        OutputFormat::Parquet => read_parquet(path),
        OutputFormat::Html => Err(anyhow::anyhow!(
            "{}: an HTML report is for people; compare the CSV, JSON or Parquet reports",
            path.display()
        )),
    }?;
    Ok(rows)
}

/// One row from a cell getter (`cell(name)`: None when the report has no
/// such column).
fn client_row(
    mut cell: impl FnMut(&str) -> Result<Option<Cell>>,
    at: &dyn Fn() -> String,
) -> Result<Option<ClientRow>> {
    let mut need = |name: &str| -> Result<Cell> {
        cell(name)?
            .with_context(|| format!("{}: no {name} column: an sslcensus report expected", at()))
    };
    let mut text = Vec::with_capacity(TEXT.len());
    for name in TEXT {
        text.push(need(name)?.text());
    }
    let [instance, user, database, application]: [String; 4] =
        text.try_into().expect("four columns");
    if application == NOT_OBSERVED {
        return Ok(None);
    }
    let hosts = need(HOSTS)?.list();
    let mut counts = [0u64; 4];
    for (n, name) in counts.iter_mut().zip(COUNTS) {
        *n = match need(name)? {
            Cell::Count(c) => c,
            Cell::Empty => 0,
            Cell::Text(t) => t
                .trim()
                .parse()
                .with_context(|| format!("{}: {name} is not a count: {t:?}", at()))?,
            Cell::List(_) => bail!("{}: {name} is not a count", at()),
        };
    }
    let verification = need(VERIFICATION)?.text();
    Ok(Some(ClientRow {
        instance,
        user,
        database,
        application,
        hosts,
        counts: Counts {
            sessions: counts[0],
            tls_sessions: counts[1],
            plain_sessions: counts[2],
            handshake_failures: counts[3],
            verifies: verification == Verification::Verifies.as_str(),
        },
    }))
}

fn read_csv(path: &Path) -> Result<Vec<ClientRow>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let headers = reader
        .headers()
        .with_context(|| format!("{}: not a CSV report", path.display()))?
        .clone();
    if let Some(missing) = TEXT
        .iter()
        .chain(&COUNTS)
        .chain(&[HOSTS, VERIFICATION])
        .find(|name| !headers.iter().any(|h| h == **name))
    {
        bail!(
            "{}: no {missing} column: an sslcensus report expected",
            path.display()
        );
    }
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.with_context(|| format!("{}:{line}", path.display()))?;
        let at = || format!("{}:{line}", path.display());
        // Cells written by sslcensus carry its formula guard: taken off.
        let cell = |name: &str| -> Result<Option<Cell>> {
            Ok(headers
                .iter()
                .position(|h| h == name)
                .map(|i| Cell::Text(unguard_cell(record.get(i).unwrap_or_default()).to_string())))
        };
        rows.extend(client_row(cell, &at)?);
    }
    Ok(rows)
}

fn read_json(path: &Path) -> Result<Vec<ClientRow>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let records: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_reader(std::io::BufReader::new(file)).with_context(|| {
            format!(
                "{}: not a JSON report (an array of row objects)",
                path.display()
            )
        })?;
    let mut rows = Vec::new();
    for (n, record) in records.iter().enumerate() {
        let at = || format!("{}: row {}", path.display(), n + 1);
        let cell = |name: &str| -> Result<Option<Cell>> {
            use serde_json::Value;
            Ok(record.get(name).map(|v| match v {
                Value::Null => Cell::Empty,
                Value::String(s) => Cell::Text(s.clone()),
                Value::Number(n) => n.as_u64().map_or(Cell::Text(n.to_string()), Cell::Count),
                Value::Array(items) => Cell::List(
                    items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                        .collect(),
                ),
                other => Cell::Text(other.to_string()),
            }))
        };
        rows.extend(client_row(cell, &at)?);
    }
    Ok(rows)
}

fn read_parquet(path: &Path) -> Result<Vec<ClientRow>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let df = ParquetReader::new(file)
        .finish()
        .with_context(|| format!("{}: not a Parquet report", path.display()))?;
    let mut rows = Vec::new();
    for n in 0..df.height() {
        let at = || format!("{}: row {}", path.display(), n + 1);
        let cell = |name: &str| -> Result<Option<Cell>> {
            let Ok(column) = df.column(name) else {
                return Ok(None);
            };
            let value = column.get(n).with_context(at)?;
            Ok(Some(any_cell(value)))
        };
        rows.extend(client_row(cell, &at)?);
    }
    Ok(rows)
}

fn any_cell(value: AnyValue<'_>) -> Cell {
    match value {
        AnyValue::Null => Cell::Empty,
        AnyValue::String(s) => Cell::Text(s.to_string()),
        AnyValue::StringOwned(s) => Cell::Text(s.to_string()),
        AnyValue::UInt64(n) => Cell::Count(n),
        AnyValue::UInt32(n) => Cell::Count(n.into()),
        AnyValue::Int64(n) => u64::try_from(n).map_or(Cell::Text(n.to_string()), Cell::Count),
        AnyValue::List(series) => Cell::List(
            series
                .iter()
                .filter_map(|v| match any_cell(v) {
                    Cell::Text(t) => Some(t),
                    _ => None,
                })
                .collect(),
        ),
        other => Cell::Text(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::{Values, Verdict};

    fn report_row(app: &str) -> ReportRow {
        ReportRow {
            instance: Values::new(vec!["staging".into()]),
            engine: Values::new(vec!["postgres".into()]),
            user: Values::new(vec!["app".into()]),
            database: Values::new(vec!["appdb".into()]),
            application: Values::new(vec![app.into()]),
            client_hosts: Values::new(vec!["10.0.0.1".into(), "10.0.0.2".into()]),
            first_seen: Some(1_700_000_000_000),
            last_seen: Some(1_700_000_060_000),
            sessions: 7,
            tls_sessions: 4,
            plain_sessions: 3,
            tls_versions: Values::new(vec!["TLSv1.3".into()]),
            ciphers: Values::default(),
            handshake_failures: 2,
            verification: Verification::Verifies,
            verdict: Verdict::Affected,
            reason: "a reason, with a comma".into(),
            application_names: 1,
            application_examples: Values::default(),
            drivers: Values::default(),
            inventory: None,
            days: Default::default(),
        }
    }

    #[test]
    fn every_report_format_reads_back_the_same_rows() {
        // A name that starts a formula: the CSV guard is taken off again.
        let rows = vec![report_row("=billing"), report_row("plain")];
        let want = from_report_rows(&rows);
        assert_eq!(want[0].application, "=billing");
        assert_eq!(want[0].hosts, ["10.0.0.1", "10.0.0.2"]);
        let dir = tempfile::tempdir().unwrap();
        for (name, format) in [
            ("r.csv", OutputFormat::Csv),
            ("raw.csv", OutputFormat::CsvRaw),
            ("r.json", OutputFormat::Json),
            ("r.parquet", OutputFormat::Parquet),
        ] {
            let path = dir.path().join(name);
            crate::report::write(&rows, format, std::fs::File::create(&path).unwrap()).unwrap();
            assert_eq!(read_report(&path).unwrap(), want, "{name}");
        }
    }

    #[test]
    fn a_file_that_is_no_report_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.csv");
        std::fs::write(&path, "file,line\na,1\n").unwrap();
        let e = format!("{:#}", read_report(&path).unwrap_err());
        assert!(e.contains("settings.csv: no instance column"), "{e}");
        let path = dir.path().join("bad.csv");
        std::fs::write(
            &path,
            "instance,user,database,application,client_hosts,sessions,tls_sessions,plain_sessions,handshake_failures,verification\ni,u,d,a,h,many,0,0,0,unknown\n",
        )
        .unwrap();
        let e = format!("{:#}", read_report(&path).unwrap_err());
        assert!(e.contains("bad.csv:2: sessions is not a count"), "{e}");
        let path = dir.path().join("report.txt");
        assert!(read_report(&path).is_err());
    }
}
