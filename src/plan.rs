//! The action plan per instance (`sslcensus plan`): an RDS inventory
//! (`aws rds describe-db-instances` JSON) joined with sslcensus reports, so
//! that each instance says its CA now, what its client rows say, and the next
//! step in order. Instances of the inventory that no report covers are listed
//! as not observed, never left out.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::report::unguard_cell;

/// The CA new instances get since January 2024 (docs/FORMATS.md).
pub const DEFAULT_TARGET_CA: &str = "rds-ca-rsa2048-g1";

/// One instance of the inventory, as `describe-db-instances` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub id: String,
    pub engine: String,
    pub engine_version: String,
    /// `CACertificateIdentifier`.
    pub ca: String,
    /// `CertificateDetails.ValidTill`: the server certificate's expiry.
    pub server_certificate_valid_till: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Page {
    #[serde(rename = "DBInstances", default)]
    db_instances: Vec<DbInstance>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DbInstance {
    #[serde(rename = "DBInstanceIdentifier")]
    db_instance_identifier: String,
    #[serde(default)]
    engine: String,
    #[serde(default)]
    engine_version: String,
    #[serde(rename = "CACertificateIdentifier", default)]
    ca_certificate_identifier: Option<String>,
    #[serde(default)]
    certificate_details: Option<CertificateDetails>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CertificateDetails {
    #[serde(rename = "CAIdentifier", default)]
    ca_identifier: Option<String>,
    #[serde(default)]
    valid_till: Option<String>,
}

/// Reads `describe-db-instances` output: one page or several pages one after
/// the other (`--no-paginate` runs appended to one file).
pub fn read_inventory(text: &str, name: &str) -> Result<Vec<Instance>> {
    let mut instances = Vec::new();
    let pages = serde_json::Deserializer::from_str(text).into_iter::<Page>();
    for (n, page) in pages.enumerate() {
        let page = page
            .with_context(|| format!("{name}: page {} is not describe-db-instances JSON", n + 1))?;
        for db in page.db_instances {
            let details = db.certificate_details;
            let ca = db
                .ca_certificate_identifier
                .or_else(|| details.as_ref().and_then(|d| d.ca_identifier.clone()))
                .unwrap_or_default();
            instances.push(Instance {
                id: db.db_instance_identifier,
                engine: db.engine,
                engine_version: db.engine_version,
                ca,
                server_certificate_valid_till: details
                    .and_then(|d| d.valid_till)
                    .unwrap_or_default(),
            });
        }
    }
    if instances.is_empty() {
        bail!("{name}: no DBInstances in it (describe-db-instances JSON expected)");
    }
    Ok(instances)
}

/// Client rows per verdict, for one instance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub affected: u64,
    pub review: u64,
    pub not_affected: u64,
}

/// Reads sslcensus CSV reports (its own `instance` and `verdict` columns;
/// the formula guard taken off) into counts per instance.
pub fn read_reports(paths: &[&Path]) -> Result<BTreeMap<String, RowCounts>> {
    let mut counts: BTreeMap<String, RowCounts> = BTreeMap::new();
    for path in paths {
        let mut reader = csv::Reader::from_path(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let headers = reader
            .headers()
            .with_context(|| format!("{}: not a CSV report", path.display()))?
            .clone();
        let column = |name: &str| {
            headers.iter().position(|h| h == name).with_context(|| {
                format!(
                    "{}: no {name} column: an sslcensus CSV report expected",
                    path.display()
                )
            })
        };
        let (instance, verdict) = (column("instance")?, column("verdict")?);
        for (n, record) in reader.records().enumerate() {
            let record = record.with_context(|| format!("{}:{}", path.display(), n + 2))?;
            let row = counts
                .entry(unguard_cell(record.get(instance).unwrap_or_default()).to_string())
                .or_default();
            match record.get(verdict).unwrap_or_default() {
                "affected" => row.affected += 1,
                "review" => row.review += 1,
                "not_affected" => row.not_affected += 1,
                other => bail!("{}:{}: unknown verdict {other:?}", path.display(), n + 2),
            }
        }
    }
    Ok(counts)
}

/// Where an instance stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Affected client rows: their trust stores come first.
    ActionNeeded,
    /// Rows to settle before rotating.
    Review,
    /// No report covers it: nothing is known of its clients.
    NotObserved,
    /// Every client row is not affected: rotate.
    Ready,
    /// Already on the target CA.
    OnTarget,
    /// In a report, not in the inventory.
    NotInInventory,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::ActionNeeded => "action_needed",
            Status::Review => "review",
            Status::NotObserved => "not_observed",
            Status::Ready => "ready",
            Status::OnTarget => "on_target_ca",
            Status::NotInInventory => "not_in_inventory",
        }
    }
}

/// One line of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub instance: String,
    pub inventory: Option<Instance>,
    pub counts: Option<RowCounts>,
    pub status: Status,
    pub next_step: String,
    pub command: String,
}

/// The status, from the CA and the counts: a pure function, worded apart.
pub fn status(inventory: Option<&Instance>, counts: Option<RowCounts>, target: &str) -> Status {
    match (inventory, counts) {
        (None, _) => Status::NotInInventory,
        (Some(i), _) if i.ca == target => Status::OnTarget,
        (Some(_), None) => Status::NotObserved,
        (Some(_), Some(c)) if c.affected > 0 => Status::ActionNeeded,
        (Some(_), Some(c)) if c.review > 0 => Status::Review,
        (Some(_), Some(_)) => Status::Ready,
    }
}

fn next_step(status: Status, counts: Option<RowCounts>, target: &str) -> String {
    let c = counts.unwrap_or_default();
    match status {
        Status::ActionNeeded => format!(
            "1. add {target}'s root to the trust stores of the {} affected client row(s) (see the report); 2. settle the {} review row(s); 3. rotate",
            c.affected, c.review
        ),
        Status::Review => format!(
            "1. settle the {} review row(s) (client settings, --evidence, or a canary rotation of a staging copy); 2. rotate",
            c.review
        ),
        Status::NotObserved => {
            "no report covers it: analyze its connection logs (PostgreSQL log_connections; MySQL/MariaDB the general or audit log) before rotating".into()
        }
        // Only the clients the logs saw: a job that did not connect in their
        // window is unknown, so the window is part of the step.
        Status::Ready => "rotate: every client row the logs show is not affected (clients that did not connect within the logs' window are not known: check that window covers monthly jobs)".into(),
        Status::OnTarget => format!("nothing: already on {target}"),
        Status::NotInInventory => {
            "not in the inventory: check the instance name, or add its describe-db-instances output"
                .into()
        }
    }
}

fn command(inventory: Option<&Instance>, status: Status, target: &str) -> String {
    match (inventory, status) {
        // Not for an instance nothing is known of: its step is to look first.
        (Some(i), Status::ActionNeeded | Status::Review | Status::Ready) => {
            format!(
                "aws rds modify-db-instance --db-instance-identifier {} --ca-certificate-identifier {target} --apply-immediately",
                i.id
            )
        }
        _ => String::new(),
    }
}

/// The plan: every inventory instance, then report instances the inventory
/// lacks; most urgent first.
pub fn plan(
    inventory: &[Instance],
    counts: &BTreeMap<String, RowCounts>,
    target: &str,
) -> Vec<PlanRow> {
    let mut rows: Vec<PlanRow> = inventory
        .iter()
        .map(|i| {
            let c = counts.get(&i.id).copied();
            let s = status(Some(i), c, target);
            PlanRow {
                instance: i.id.clone(),
                inventory: Some(i.clone()),
                counts: c,
                status: s,
                next_step: next_step(s, c, target),
                command: command(Some(i), s, target),
            }
        })
        .collect();
    for (instance, c) in counts {
        if !inventory.iter().any(|i| &i.id == instance) {
            let s = Status::NotInInventory;
            rows.push(PlanRow {
                instance: instance.clone(),
                inventory: None,
                counts: Some(*c),
                status: s,
                next_step: next_step(s, Some(*c), target),
                command: String::new(),
            });
        }
    }
    rows.sort_by(|a, b| (a.status, &a.instance).cmp(&(b.status, &b.instance)));
    rows
}

/// The plan's CSV columns.
pub const COLUMNS: [&str; 12] = [
    "instance",
    "engine",
    "engine_version",
    "ca",
    "server_certificate_valid_till",
    "target_ca",
    "affected",
    "review",
    "not_affected",
    "status",
    "next_step",
    "command",
];

/// Writes the plan as CSV (text cells guarded against spreadsheet formulas,
/// as every sslcensus CSV).
pub fn write_csv(rows: &[PlanRow], target: &str, out: impl std::io::Write) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(COLUMNS)?;
    for row in rows {
        let i = row.inventory.as_ref();
        let c = row.counts;
        let count = |f: fn(RowCounts) -> u64| c.map(|c| f(c).to_string()).unwrap_or_default();
        let text = |s: &str| crate::report::guard_cell(s).into_owned();
        writer.write_record([
            text(&row.instance),
            text(i.map_or("", |i| i.engine.as_str())),
            text(i.map_or("", |i| i.engine_version.as_str())),
            text(i.map_or("", |i| i.ca.as_str())),
            text(i.map_or("", |i| i.server_certificate_valid_till.as_str())),
            text(target),
            count(|c| c.affected),
            count(|c| c.review),
            count(|c| c.not_affected),
            row.status.name().to_string(),
            text(&row.next_step),
            text(&row.command),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

/// The terminal table: one line per instance, then its next step.
pub fn table(rows: &[PlanRow]) -> String {
    let mut out = String::new();
    for row in rows {
        let c = row.counts.unwrap_or_default();
        let ca = row.inventory.as_ref().map_or("-", |i| i.ca.as_str());
        let _ = writeln!(
            out,
            "{:<16} {:<20} {:<18} affected {:>3}  review {:>3}  not affected {:>3}",
            row.status.name(),
            crate::report::printable(&row.instance),
            ca,
            c.affected,
            c.review,
            c.not_affected
        );
        let _ = writeln!(out, "  {}", row.next_step);
        if !row.command.is_empty() {
            let _ = writeln!(out, "  {}", row.command);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(id: &str, ca: &str) -> Instance {
        Instance {
            id: id.into(),
            engine: "postgres".into(),
            engine_version: "15.5".into(),
            ca: ca.into(),
            server_certificate_valid_till: String::new(),
        }
    }

    #[test]
    fn status_table() {
        let t = DEFAULT_TARGET_CA;
        let old = instance("db", "rds-ca-2019");
        let on = instance("db", t);
        let counts = |affected, review, not_affected| {
            Some(RowCounts {
                affected,
                review,
                not_affected,
            })
        };
        // (inventory, counts, status)
        let table = [
            (Some(&old), counts(1, 2, 3), Status::ActionNeeded),
            (Some(&old), counts(0, 2, 3), Status::Review),
            (Some(&old), counts(0, 0, 3), Status::Ready),
            (Some(&old), None, Status::NotObserved),
            (Some(&on), counts(1, 0, 0), Status::OnTarget),
            (None, counts(0, 0, 1), Status::NotInInventory),
        ];
        for (inventory, c, want) in table {
            assert_eq!(status(inventory, c, t), want, "{inventory:?} {c:?}");
        }
    }

    #[test]
    fn pages_one_after_another_are_one_inventory() {
        let text = r#"{"DBInstances":[{"DBInstanceIdentifier":"a","Engine":"postgres","EngineVersion":"15.5","CACertificateIdentifier":"rds-ca-2019","CertificateDetails":{"CAIdentifier":"rds-ca-2019","ValidTill":"2024-08-22T17:08:50+00:00"}}],"NextToken":"x"}
{"DBInstances":[{"DBInstanceIdentifier":"b","Engine":"mariadb","EngineVersion":"10.11.6","CertificateDetails":{"CAIdentifier":"rds-ca-ecc384-g1"}}]}"#;
        let got = read_inventory(text, "inv.json").unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].ca, "rds-ca-2019");
        assert_eq!(
            got[0].server_certificate_valid_till,
            "2024-08-22T17:08:50+00:00"
        );
        assert_eq!(got[1].ca, "rds-ca-ecc384-g1");
        assert!(read_inventory("{}", "x.json").is_err());
        assert!(read_inventory("not json", "x.json").is_err());
    }
}
