//! Reports: the CSV (also JSON and Parquet, by the output's extension),
//! built with polars, and the terminal summary.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use polars::prelude::{
    Column, CsvWriter, DataFrame, DataType, JsonFormat, JsonWriter, NamedFrom, ParquetWriter,
    PolarsResult, SerWriter, Series, TimeUnit, TimeZone,
};

use crate::evidence::truststore::{Certificate, Standing, TrustStore};
use crate::evidence::walk::FoundHit;
use crate::verdict::{ReportRow, Values, Verdict, rfc3339, sessions};

/// The report's columns, in their stable order.
pub const COLUMNS: [&str; 20] = [
    "instance",
    "engine",
    "user",
    "database",
    "application",
    "client_hosts",
    "first_seen",
    "last_seen",
    "sessions",
    "tls_sessions",
    "plain_sessions",
    "tls_versions",
    "ciphers",
    "handshake_failures",
    "verification",
    "verdict",
    "reason",
    "application_names",
    "application_examples",
    "drivers",
];

/// Values a CSV list cell shows before counting the rest.
pub const CSV_LIST_CAP: usize = 20;

/// JSON and Parquet's timeline columns, after [`COLUMNS`]: lists, one
/// element per UTC day the row was seen (`YYYY-MM-DD`, then its counts).
pub const TIMELINE_COLUMNS: [&str; 4] =
    ["days", "tls_per_day", "plain_per_day", "failures_per_day"];
/// Spreadsheets cut cells past 32,767 characters; stay well below.
pub const CSV_CELL_CHARS: usize = 32_000;
/// Addresses the terminal summary names per row.
const SUMMARY_HOSTS: usize = 5;
/// Rows the terminal summary shows: a screenful.
const SUMMARY_ROWS: usize = 15;

/// A CSV cell that fits a spreadsheet cell: cut at a character boundary,
/// saying how much more the JSON and Parquet reports hold.
fn fit_cell(text: Cow<'_, str>) -> Cow<'_, str> {
    if text.len() <= CSV_CELL_CHARS {
        return text;
    }
    let mut end = CSV_CELL_CHARS;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!(
        "{} … [{} more bytes in the JSON or Parquet report]",
        &text[..end],
        text.len() - end
    ))
}

/// A text column from cells borrowed where they can be.
fn text_cells<'r>(name: &str, cells: impl Iterator<Item = Cow<'r, str>>) -> Column {
    let cells: Vec<Cow<'r, str>> = cells.collect();
    Column::new(
        name.into(),
        cells.iter().map(Cow::as_ref).collect::<Vec<&str>>(),
    )
}

/// A list column: whole lists for JSON and Parquet, capped `;`-separated
/// text for CSV.
fn list_column<'v>(name: &str, cells: impl Iterator<Item = &'v Values>, csv: bool) -> Column {
    if csv {
        text_cells(name, cells.map(|v| fit_cell(v.capped(CSV_LIST_CAP))))
    } else {
        let lists = cells
            .map(|v| Series::new("".into(), v.items()))
            .collect::<Vec<Series>>();
        Column::new(name.into(), lists)
    }
}

/// A list column of one of the row's own fields.
fn values(name: &str, rows: &[ReportRow], f: fn(&ReportRow) -> &Values, csv: bool) -> Column {
    list_column(name, rows.iter().map(f), csv)
}

/// What a report says of the run as a whole.
#[derive(Debug, Clone, Default)]
pub struct RunFacts {
    /// `--since`/`--until`: when set, every row carries it
    /// (`window_since`, `window_until`), so that a report read alone says
    /// what time it covers.
    pub window: crate::correlate::Window,
    /// The command line, secrets masked (the HTML report says it).
    pub command: Option<String>,
    /// What was read and skipped, in words (the HTML report says it).
    pub read: Option<String>,
    /// Each input and what became of it (the HTML report lists them).
    pub inputs: Vec<InputFact>,
}

/// One input as a report lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct InputFact {
    pub file: String,
    pub instance: String,
    /// The format detected, or empty.
    pub format: String,
    pub lines: u64,
    /// Lines skipped as malformed or not UTF-8.
    pub skipped: u64,
    /// `read`, or what else happened (failed, not a log, empty, the same
    /// records as another input), with any caveat.
    pub status: String,
    /// Whether the status is an error.
    pub failed: bool,
}

/// `inventory`: add [`crate::inventory::COLUMNS`] (decided for the whole
/// report, so every batch has the same columns).
fn frame(
    rows: &[ReportRow],
    context: &RunFacts,
    format: OutputFormat,
    inventory: bool,
) -> PolarsResult<DataFrame> {
    let csv = format.is_csv();
    let strings = |name: &str, f: fn(&ReportRow) -> &str| {
        text_cells(
            name,
            rows.iter().map(|r| {
                if csv {
                    fit_cell(Cow::Borrowed(f(r)))
                } else {
                    Cow::Borrowed(f(r))
                }
            }),
        )
    };
    let time = |name: &str, f: fn(&ReportRow) -> Option<i64>| {
        time_column(name, rows.iter().map(f).collect(), format)
    };
    let count = |f: fn(&ReportRow) -> u64| rows.iter().map(f).collect::<Vec<u64>>();
    let mut columns = vec![
        values(COLUMNS[0], rows, |r| &r.instance, csv),
        values(COLUMNS[1], rows, |r| &r.engine, csv),
        values(COLUMNS[2], rows, |r| &r.user, csv),
        values(COLUMNS[3], rows, |r| &r.database, csv),
        values(COLUMNS[4], rows, |r| &r.application, csv),
        values(COLUMNS[5], rows, |r| &r.client_hosts, csv),
        time(COLUMNS[6], |r| r.first_seen)?,
        time(COLUMNS[7], |r| r.last_seen)?,
        Column::new(COLUMNS[8].into(), count(|r| r.sessions)),
        Column::new(COLUMNS[9].into(), count(|r| r.tls_sessions)),
        Column::new(COLUMNS[10].into(), count(|r| r.plain_sessions)),
        values(COLUMNS[11], rows, |r| &r.tls_versions, csv),
        values(COLUMNS[12], rows, |r| &r.ciphers, csv),
        Column::new(COLUMNS[13].into(), count(|r| r.handshake_failures)),
        strings(COLUMNS[14], |r| r.verification.as_str()),
        strings(COLUMNS[15], |r| r.verdict.as_str()),
        strings(COLUMNS[16], |r| &r.reason),
        Column::new(COLUMNS[17].into(), count(|r| r.application_names)),
        values(COLUMNS[18], rows, |r| &r.application_examples, csv),
        values(COLUMNS[19], rows, |r| &r.drivers, csv),
    ];
    if !csv {
        // The timeline behind the HTML report's charts: per UTC day, TLS
        // and plaintext sessions and failed handshakes (JSON and Parquet;
        // a CSV cell would not hold it).
        let dates = rows
            .iter()
            .map(|r| {
                let days: Vec<String> = r
                    .days
                    .iter()
                    .map(|(d, _)| crate::census::day_text(d))
                    .collect();
                Series::new("".into(), days)
            })
            .collect::<Vec<Series>>();
        columns.push(Column::new(TIMELINE_COLUMNS[0].into(), dates));
        let per_day = |name: &str, f: fn(crate::census::DayCounts) -> u64| {
            let lists = rows
                .iter()
                .map(|r| {
                    Series::new(
                        "".into(),
                        r.days.iter().map(|(_, c)| f(c)).collect::<Vec<u64>>(),
                    )
                })
                .collect::<Vec<Series>>();
            Column::new(name.into(), lists)
        };
        columns.push(per_day(TIMELINE_COLUMNS[1], |c| c.tls));
        columns.push(per_day(TIMELINE_COLUMNS[2], |c| c.plain));
        columns.push(per_day(TIMELINE_COLUMNS[3], |c| c.failures));
    }
    if context.window.is_set() {
        let (since, until) = (context.window.since, context.window.until);
        columns.push(time_column(
            "window_since",
            vec![since; rows.len()],
            format,
        )?);
        columns.push(time_column(
            "window_until",
            vec![until; rows.len()],
            format,
        )?);
    }
    if inventory {
        let none = crate::inventory::InventoryCells::default();
        for (i, name) in crate::inventory::COLUMNS.iter().enumerate() {
            let cells = rows
                .iter()
                .map(|r| r.inventory.as_deref().unwrap_or(&none).cells()[i]);
            columns.push(list_column(name, cells, csv));
        }
    }
    DataFrame::new(rows.len(), columns)
}

/// Times: RFC 3339 text in CSV and JSON, typed UTC timestamps in Parquet.
fn time_column(name: &str, millis: Vec<Option<i64>>, format: OutputFormat) -> PolarsResult<Column> {
    if format == OutputFormat::Parquet {
        Ok(Series::new(name.into(), millis)
            .cast(&DataType::Datetime(
                TimeUnit::Milliseconds,
                Some(TimeZone::UTC),
            ))?
            .into())
    } else {
        let text = millis
            .into_iter()
            .map(|t| t.map(rfc3339))
            .collect::<Vec<_>>();
        Ok(Column::new(name.into(), text))
    }
}

/// Output formats, chosen by the output path's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// CSV whose cells cannot start a spreadsheet formula (see [`guard_cell`]).
    Csv,
    /// CSV with every cell exactly as found (`--csv-raw`, for programs).
    CsvRaw,
    Json,
    Parquet,
    /// One self-contained page ([`crate::html`]).
    Html,
}

impl OutputFormat {
    pub fn is_csv(self) -> bool {
        matches!(self, OutputFormat::Csv | OutputFormat::CsvRaw)
    }

    /// The same format, CSV cells written exactly as found.
    pub fn raw(self) -> OutputFormat {
        match self {
            OutputFormat::Csv => OutputFormat::CsvRaw,
            other => other,
        }
    }

    pub fn for_path(path: &Path) -> Result<OutputFormat> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => Ok(OutputFormat::Csv),
            Some("json") => Ok(OutputFormat::Json),
            Some("parquet") => Ok(OutputFormat::Parquet),
            Some("html" | "htm") => Ok(OutputFormat::Html),
            _ => bail!(
                "cannot tell the report format of {}: name it .csv, .json, .parquet or .html",
                path.display()
            ),
        }
    }
}

/// Rows turned into one table at a time when writing CSV or Parquet: the
/// table's copy of the text then costs a batch, not the whole report.
const WRITE_BATCH_ROWS: usize = 16_384;

/// Writes the report in `format`. CSV and Parquet are written a batch of
/// rows at a time; JSON (one array) whole.
pub fn write<W: Write>(rows: &[ReportRow], format: OutputFormat, out: W) -> Result<()> {
    write_with(rows, &RunFacts::default(), format, out)
}

/// The CSV header line, written here rather than by polars: its header
/// writer allocates and zeroes a buffer of tens of megabytes (a null array
/// for the names), a fixed cost of every run that was a tenth of a small
/// log's. Quoted and ended as polars writes rows (only where needed, `\n`).
fn write_csv_header<W: Write>(df: &DataFrame, out: &mut W) -> Result<()> {
    let mut header = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    header.write_record(df.get_column_names().iter().map(|name| name.as_str()))?;
    header.flush()?;
    Ok(())
}

/// [`write`], with what the report says of the run as a whole.
pub fn write_with<W: Write>(
    rows: &[ReportRow],
    context: &RunFacts,
    format: OutputFormat,
    mut out: W,
) -> Result<()> {
    let inventory = rows.iter().any(|r| r.inventory.is_some());
    let batch = |part: &[ReportRow]| {
        frame(part, context, format, inventory).context("building the report table")
    };
    match format {
        OutputFormat::Html => return crate::html::write(rows, context, out),
        OutputFormat::Json => return write_frame(&mut batch(rows)?, format, out),
        OutputFormat::Csv | OutputFormat::CsvRaw => {
            // A header even when there are no rows.
            let mut parts = rows.chunks(WRITE_BATCH_ROWS);
            let mut first = true;
            let empty: &[ReportRow] = &[];
            while let Some(part) = parts.next().or(first.then_some(empty)) {
                let mut df = batch(part)?;
                if format == OutputFormat::Csv {
                    guard_text_columns(&mut df).context("writing the report")?;
                }
                if first {
                    write_csv_header(&df, &mut out).context("writing the report")?;
                }
                CsvWriter::new(&mut out)
                    .include_header(false)
                    .finish(&mut df)
                    .context("writing the report")?;
                first = false;
            }
        }
        OutputFormat::Parquet => {
            let mut parts = rows.chunks(WRITE_BATCH_ROWS);
            let mut df = batch(parts.next().unwrap_or_default())?;
            let mut writer = ParquetWriter::new(&mut out)
                .batched(df.schema())
                .context("writing the report")?;
            writer.write_batch(&df).context("writing the report")?;
            for part in parts {
                df = batch(part)?;
                writer.write_batch(&df).context("writing the report")?;
            }
            writer.finish().context("writing the report")?;
        }
    }
    out.flush().context("writing the report")?;
    Ok(())
}

/// Text safe to print on a terminal: control characters (escape
/// sequences, carriage returns, newlines inside names) shown escaped.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_debug().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// Whether a cell would start a formula in a spreadsheet: `=`, `+`, `-`,
/// `@`, a tab or a carriage return first (OWASP's list).
fn starts_formula(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A cell a spreadsheet shows as text: a leading `'` where the text would
/// start a formula (client-chosen names reach the report), else unchanged.
pub fn guard_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if starts_formula(text) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The guard taken off again, for CSV files sslcensus reads back (its own
/// settings and override files an analyst edited).
pub fn unguard_cell(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if starts_formula(rest) => rest,
        _ => text,
    }
}

/// Guards every text column's cells (numbers and times are never touched:
/// they are not text, or start with a digit).
fn guard_text_columns(df: &mut DataFrame) -> PolarsResult<()> {
    let names: Vec<_> = df.get_column_names_owned();
    for name in names {
        let column = df.column(name.as_str())?;
        if column.dtype() != &DataType::String {
            continue;
        }
        let cells = column.str()?;
        if !cells.iter().flatten().any(starts_formula) {
            continue;
        }
        let guarded: Vec<Option<String>> = cells
            .iter()
            .map(|cell| cell.map(|text| guard_cell(text).into_owned()))
            .collect();
        df.with_column(Column::new(name, guarded))?;
    }
    Ok(())
}

fn write_frame<W: Write>(df: &mut DataFrame, format: OutputFormat, mut out: W) -> Result<()> {
    match format {
        OutputFormat::Csv => guard_text_columns(df)
            .and_then(|()| CsvWriter::new(&mut out).include_header(true).finish(df)),
        OutputFormat::CsvRaw => CsvWriter::new(&mut out).include_header(true).finish(df),
        OutputFormat::Json => JsonWriter::new(&mut out)
            .with_json_format(JsonFormat::Json)
            .finish(df),
        OutputFormat::Parquet => ParquetWriter::new(&mut out).finish(df).map(|_| ()),
        OutputFormat::Html => {
            return Err(anyhow::anyhow!(
                "HTML is the analyze report's format: write this as .csv, .json or .parquet"
            ));
        }
    }
    .context("writing the report")?;
    out.flush().context("writing the report")?;
    Ok(())
}

/// The `scan-config` columns, in their stable order.
pub const SETTING_COLUMNS: [&str; 16] = [
    "file",
    "line",
    "stack",
    "engine",
    "host",
    "port",
    "user",
    "database",
    "application",
    "uses_tls",
    "verifies_chain",
    "verifies_hostname",
    "driver_version",
    "trust_store",
    "trust_store_rds_cas",
    "setting",
];

/// Writes client settings found by `scan-config`; `setting` is masked.
pub fn write_settings<W: Write>(found: &[FoundHit], format: OutputFormat, out: W) -> Result<()> {
    let text = |f: &dyn Fn(&FoundHit) -> String| found.iter().map(f).collect::<Vec<String>>();
    let optional = |f: &dyn Fn(&FoundHit) -> Option<String>| {
        found.iter().map(f).collect::<Vec<Option<String>>>()
    };
    let c = SETTING_COLUMNS;
    let columns = vec![
        Column::new(c[0].into(), text(&|h| h.file.display().to_string())),
        Column::new(
            c[1].into(),
            found
                .iter()
                .map(|h| h.hit.line as u64)
                .collect::<Vec<u64>>(),
        ),
        Column::new(c[2].into(), text(&|h| h.hit.stack.to_string())),
        Column::new(c[3].into(), text(&|h| h.hit.engine.name().to_string())),
        Column::new(c[4].into(), optional(&|h| h.hit.host.clone())),
        Column::new(
            c[5].into(),
            found
                .iter()
                .map(|h| h.hit.port.map(u32::from))
                .collect::<Vec<Option<u32>>>(),
        ),
        Column::new(c[6].into(), optional(&|h| h.hit.user.clone())),
        Column::new(c[7].into(), optional(&|h| h.hit.database.clone())),
        Column::new(c[8].into(), optional(&|h| h.hit.application.clone())),
        Column::new(
            c[9].into(),
            text(&|h| h.hit.facts.uses_tls.as_str().to_string()),
        ),
        Column::new(
            c[10].into(),
            text(&|h| h.hit.facts.verifies_chain.as_str().to_string()),
        ),
        Column::new(
            c[11].into(),
            text(&|h| h.hit.facts.verifies_hostname.as_str().to_string()),
        ),
        Column::new(c[12].into(), optional(&|h| h.hit.driver_version.clone())),
        Column::new(c[13].into(), optional(&|h| h.hit.trust_store.clone())),
        Column::new(c[14].into(), optional(&|h| h.trust_store_rds_cas.clone())),
        Column::new(c[15].into(), text(&|h| h.hit.setting.clone())),
    ];
    let mut df = DataFrame::new(found.len(), columns).context("building the settings table")?;
    write_frame(&mut df, format, out)
}

/// Writes every certificate of the stores, with its RDS CA match.
pub fn write_certificates<W: Write>(
    stores: &[TrustStore],
    format: OutputFormat,
    out: W,
) -> Result<()> {
    let certs: Vec<(&TrustStore, &Certificate)> = stores
        .iter()
        .flat_map(|s| s.certificates.iter().map(move |c| (s, c)))
        .collect();
    let text = |f: &dyn Fn(&TrustStore, &Certificate) -> String| {
        certs.iter().map(|(s, c)| f(s, c)).collect::<Vec<String>>()
    };
    let columns = vec![
        Column::new("store".into(), text(&|s, _| s.path.display().to_string())),
        Column::new("format".into(), text(&|s, _| s.format.as_str().to_string())),
        Column::new("subject".into(), text(&|_, c| c.subject.clone())),
        Column::new("issuer".into(), text(&|_, c| c.issuer.clone())),
        Column::new(
            "not_after".into(),
            text(&|_, c| rfc3339(c.not_after * 1000)),
        ),
        Column::new("key".into(), text(&|_, c| c.key.to_string())),
        Column::new(
            "is_ca".into(),
            certs.iter().map(|(_, c)| c.is_ca).collect::<Vec<bool>>(),
        ),
        Column::new("sha256".into(), text(&|_, c| c.sha256.clone())),
        Column::new("spki_sha256".into(), text(&|_, c| c.spki_sha256.clone())),
        Column::new(
            "rds_ca".into(),
            text(&|_, c| {
                c.rds
                    .as_ref()
                    .map(|m| m.ca.id().to_string())
                    .unwrap_or_default()
            }),
        ),
        Column::new(
            "rds_region".into(),
            text(&|_, c| {
                c.rds
                    .as_ref()
                    .and_then(|m| m.region.clone())
                    .unwrap_or_default()
            }),
        ),
        Column::new(
            "rds_genuine".into(),
            certs
                .iter()
                .map(|(_, c)| c.rds.as_ref().map(|m| m.standing == Standing::Genuine))
                .collect::<Vec<Option<bool>>>(),
        ),
        Column::new(
            "rds_standing".into(),
            text(&|_, c| {
                c.rds
                    .as_ref()
                    .map(|m| m.standing.as_str().to_string())
                    .unwrap_or_default()
            }),
        ),
    ];
    let mut df = DataFrame::new(certs.len(), columns).context("building the certificate table")?;
    write_frame(&mut df, format, out)
}

/// Counts per verdict.
pub fn counts(rows: &[ReportRow]) -> [(Verdict, usize); 3] {
    Verdict::ALL.map(|v| (v, rows.iter().filter(|r| r.verdict == v).count()))
}

/// The terminal summary: counts per verdict, then the rows that need action
/// (affected, then review) with their reasons, with what the report says of
/// the run as a whole.
pub fn summary_with(rows: &[ReportRow], context: &RunFacts, full_report: Option<&Path>) -> String {
    let mut out = String::new();
    let [(_, affected), (_, review), (_, not_affected)] = counts(rows);
    let _ = writeln!(
        out,
        "{} client groups: {affected} affected, {review} to review, {not_affected} not affected",
        rows.len()
    );
    if context.window.is_set() {
        let end = |t: Option<i64>| t.map_or("(open)".to_string(), rfc3339);
        let _ = writeln!(
            out,
            "window: {} .. {} (only connection records in it were read)",
            end(context.window.since),
            end(context.window.until)
        );
    }
    // A screenful: affected rows first, then review rows by sessions.
    let mut action: Vec<&ReportRow> = rows
        .iter()
        .filter(|r| r.verdict != Verdict::NotAffected)
        .collect();
    action.sort_by(|a, b| a.verdict.cmp(&b.verdict).then(b.sessions.cmp(&a.sessions)));
    for row in action.iter().take(SUMMARY_ROWS) {
        let app = if row.application.is_empty() {
            Cow::Borrowed("(no application_name)")
        } else {
            row.application.capped(SUMMARY_HOSTS)
        };
        let names = if row.application_names > 1 {
            format!(
                " ({} names, e.g. {})",
                row.application_names,
                row.application_examples.capped(2)
            )
        } else {
            String::new()
        };
        let hosts = if row.client_hosts.is_empty() {
            Cow::Borrowed("?")
        } else {
            row.client_hosts.capped(SUMMARY_HOSTS)
        };
        let _ = writeln!(
            out,
            "\n{:<12} {} {}@{} {app:?}{} from {}\n  {}, {} TLS, {} plaintext, {} failed handshakes\n  {}",
            row.verdict.as_str().to_uppercase(),
            printable(&row.instance.capped(SUMMARY_HOSTS)),
            printable(&row.user.capped(SUMMARY_HOSTS)),
            printable(&row.database.capped(SUMMARY_HOSTS)),
            printable(&names),
            printable(&hosts),
            sessions(row.sessions),
            row.tls_sessions,
            row.plain_sessions,
            row.handshake_failures,
            printable(&fit_cell(Cow::Borrowed(&row.reason)))
        );
    }
    if action.len() > SUMMARY_ROWS {
        let _ = match full_report {
            Some(path) => writeln!(
                out,
                "\n{} more rows to act on: see {}",
                action.len() - SUMMARY_ROWS,
                path.display()
            ),
            None => writeln!(
                out,
                "\n{} more rows to act on: see the full report with -o report.csv",
                action.len() - SUMMARY_ROWS
            ),
        };
    }
    if not_affected > 0 {
        let _ = match full_report {
            Some(path) => writeln!(out, "\n{not_affected} not affected: see {}", path.display()),
            None => writeln!(
                out,
                "\n{not_affected} not affected: see the full report with -o report.csv"
            ),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_guarded_and_read_back_and_control_characters_escaped() {
        // (cell, as written to CSV)
        let table = [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+cmd", "'+cmd"),
            ("-2+3", "'-2+3"),
            ("@SUM(1)", "'@SUM(1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("billing", "billing"),
            ("2026-11-02T10:00:00Z", "2026-11-02T10:00:00Z"),
            ("'quoted", "'quoted"),
            ("", ""),
        ];
        for (cell, written) in table {
            assert_eq!(guard_cell(cell), written, "{cell:?}");
            assert_eq!(unguard_cell(written), cell, "{cell:?}");
        }
        assert_eq!(printable("red\u{1b}[31m"), "red\\u{1b}[31m");
        assert_eq!(printable("a\nb"), "a\\nb");
        assert_eq!(printable("café"), "café");
    }

    fn report_row(i: usize) -> ReportRow {
        let one = |s: &str| Values::new(vec![s.to_string()]);
        // A formula-shaped name in a later batch: every batch is guarded.
        let application = if i == WRITE_BATCH_ROWS + 7 {
            "=cmd".to_string()
        } else {
            format!("worker {i}")
        };
        ReportRow {
            client_hosts: Values::new(vec!["10.0.0.1".into(), "10.0.0.2".into()]),
            sessions: i as u64,
            tls_sessions: i as u64,
            plain_sessions: 0,
            application_examples: one("x"),
            ..crate::verdict::sample_row(&application, Verdict::Review)
        }
    }

    #[test]
    fn batched_reports_hold_one_header_and_every_row() {
        use polars::prelude::{ParquetReader, SerReader};
        for n in [0, 1, WRITE_BATCH_ROWS, 2 * WRITE_BATCH_ROWS + 5] {
            let rows: Vec<ReportRow> = (0..n).map(report_row).collect();
            let mut csv = Vec::new();
            write(&rows, OutputFormat::Csv, &mut csv).unwrap();
            let text = String::from_utf8(csv).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len(), n + 1, "{n} rows");
            assert_eq!(lines[0], COLUMNS.join(","));
            assert_eq!(text.matches("instance,engine").count(), 1);
            assert_eq!(text.contains("'=cmd"), n > WRITE_BATCH_ROWS + 7);
            assert!(!text.contains(",=cmd"));
            if n > 0 {
                assert!(
                    lines[n].contains(&format!("worker {}", n - 1)),
                    "{}",
                    lines[n]
                );
                assert!(lines[1].contains("10.0.0.1;10.0.0.2"));
            }
            let mut parquet = Vec::new();
            write(&rows, OutputFormat::Parquet, &mut parquet).unwrap();
            let df = ParquetReader::new(std::io::Cursor::new(parquet))
                .finish()
                .unwrap();
            assert_eq!(df.height(), n);
            assert_eq!(df.width(), COLUMNS.len() + TIMELINE_COLUMNS.len());
        }
    }

    #[test]
    fn list_cells_are_one_value_or_joined() {
        // (values, as_str, capped at 2)
        let table: [(&[&str], &str, &str); 4] = [
            (&[], "", ""),
            (&["a"], "a", "a"),
            (&["a", "b"], "a;b", "a;b"),
            (&["a", "b", "c"], "a;b;c", "a;b;… and 1 more"),
        ];
        for (items, joined, capped) in table {
            let values = Values::new(items.iter().map(|s| s.to_string()).collect());
            assert_eq!(values.as_str(), joined);
            assert_eq!(values.capped(2), capped);
            assert_eq!(values.items().len(), items.len());
            assert_eq!(values.is_empty(), items.is_empty());
        }
    }
}
