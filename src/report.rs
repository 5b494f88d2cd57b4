//! Reports: the CSV (also JSON and Parquet, by the output's extension),
//! built with polars, and the terminal summary.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, bail};
use polars::prelude::{
    Column, CsvWriter, DataFrame, JsonFormat, JsonWriter, ParquetWriter, PolarsResult, SerWriter,
};

use crate::evidence::truststore::{Certificate, TrustStore};
use crate::evidence::walk::FoundHit;
use crate::verdict::{ReportRow, Verdict, rfc3339, sessions};

/// The report's columns, in their stable order.
pub const COLUMNS: [&str; 17] = [
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
];

fn text(name: &str, values: Vec<String>) -> Column {
    Column::new(name.into(), values)
}

fn frame(rows: &[ReportRow]) -> PolarsResult<DataFrame> {
    let strings =
        |f: fn(&ReportRow) -> &str| rows.iter().map(|r| f(r).to_string()).collect::<Vec<_>>();
    let time = |f: fn(&ReportRow) -> Option<i64>| {
        rows.iter().map(|r| f(r).map(rfc3339)).collect::<Vec<_>>()
    };
    let count = |f: fn(&ReportRow) -> u64| rows.iter().map(f).collect::<Vec<u64>>();
    let columns = vec![
        text(COLUMNS[0], strings(|r| &r.instance)),
        text(COLUMNS[1], strings(|r| &r.engine)),
        text(COLUMNS[2], strings(|r| &r.user)),
        text(COLUMNS[3], strings(|r| &r.database)),
        text(COLUMNS[4], strings(|r| &r.application)),
        text(COLUMNS[5], strings(|r| &r.client_hosts)),
        Column::new(COLUMNS[6].into(), time(|r| r.first_seen)),
        Column::new(COLUMNS[7].into(), time(|r| r.last_seen)),
        Column::new(COLUMNS[8].into(), count(|r| r.sessions)),
        Column::new(COLUMNS[9].into(), count(|r| r.tls_sessions)),
        Column::new(COLUMNS[10].into(), count(|r| r.plain_sessions)),
        text(COLUMNS[11], strings(|r| &r.tls_versions)),
        text(COLUMNS[12], strings(|r| &r.ciphers)),
        Column::new(COLUMNS[13].into(), count(|r| r.handshake_failures)),
        text(COLUMNS[14], strings(|r| r.verification.as_str())),
        text(COLUMNS[15], strings(|r| r.verdict.as_str())),
        text(COLUMNS[16], strings(|r| &r.reason)),
    ];
    DataFrame::new(rows.len(), columns)
}

/// Output formats, chosen by the output path's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Csv,
    Json,
    Parquet,
}

impl OutputFormat {
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
            _ => bail!(
                "cannot tell the report format of {}: name it .csv, .json or .parquet",
                path.display()
            ),
        }
    }
}

/// Writes the report in `format`.
pub fn write<W: Write>(rows: &[ReportRow], format: OutputFormat, out: W) -> Result<()> {
    let mut df = frame(rows).context("building the report table")?;
    write_frame(&mut df, format, out)
}

fn write_frame<W: Write>(df: &mut DataFrame, format: OutputFormat, mut out: W) -> Result<()> {
    match format {
        OutputFormat::Csv => CsvWriter::new(&mut out).include_header(true).finish(df),
        OutputFormat::Json => JsonWriter::new(&mut out)
            .with_json_format(JsonFormat::Json)
            .finish(df),
        OutputFormat::Parquet => ParquetWriter::new(&mut out).finish(df).map(|_| ()),
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
        Column::new(c[9].into(), text(&|h| h.hit.uses_tls.as_str().to_string())),
        Column::new(
            c[10].into(),
            text(&|h| h.hit.verifies_chain.as_str().to_string()),
        ),
        Column::new(
            c[11].into(),
            text(&|h| h.hit.verifies_hostname.as_str().to_string()),
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
            "rds_genuine".into(),
            certs
                .iter()
                .map(|(_, c)| c.rds.as_ref().map(|m| m.genuine))
                .collect::<Vec<Option<bool>>>(),
        ),
    ];
    let mut df = DataFrame::new(certs.len(), columns).context("building the certificate table")?;
    write_frame(&mut df, format, out)
}

/// Writes the report to a file named after its format.
pub fn write_file(rows: &[ReportRow], path: &Path) -> Result<()> {
    let format = OutputFormat::for_path(path)?;
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    write(rows, format, std::io::BufWriter::new(file))
        .with_context(|| format!("writing {}", path.display()))
}

/// Counts per verdict.
pub fn counts(rows: &[ReportRow]) -> [(Verdict, usize); 3] {
    Verdict::ALL.map(|v| (v, rows.iter().filter(|r| r.verdict == v).count()))
}

/// The terminal summary: counts per verdict, then the rows that need action
/// (affected, then review) with their reasons.
pub fn summary(rows: &[ReportRow], full_report: Option<&Path>) -> String {
    let mut out = String::new();
    let [(_, affected), (_, review), (_, not_affected)] = counts(rows);
    let _ = writeln!(
        out,
        "{} client groups: {affected} affected, {review} to review, {not_affected} not affected",
        rows.len()
    );
    for row in rows.iter().filter(|r| r.verdict != Verdict::NotAffected) {
        let app = if row.application.is_empty() {
            "(no application_name)"
        } else {
            &row.application
        };
        let _ = writeln!(
            out,
            "\n{:<12} {} {}@{} {app:?} from {}\n  {}, {} TLS, {} plaintext, {} failed handshakes\n  {}",
            row.verdict.as_str().to_uppercase(),
            row.instance,
            row.user,
            row.database,
            if row.client_hosts.is_empty() {
                "?"
            } else {
                &row.client_hosts
            },
            sessions(row.sessions),
            row.tls_sessions,
            row.plain_sessions,
            row.handshake_failures,
            row.reason
        );
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
