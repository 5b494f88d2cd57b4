//! The action plan per instance (`sslcensus plan`): an RDS inventory
//! ([`crate::inventory`]) joined with sslcensus reports, so
//! that each instance says its CA now, what its client rows say, and the next
//! step in order. Instances of the inventory that no report covers are listed
//! as not observed, never left out.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::inventory::{Inventory, Kind, NOT_OBSERVED, Node};
use crate::report::unguard_cell;

pub use crate::inventory::DEFAULT_TARGET_CA;

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
        let application = headers.iter().position(|h| h == "application");
        for (n, record) in reader.records().enumerate() {
            let record = record.with_context(|| format!("{}:{}", path.display(), n + 2))?;
            // `analyze --instances` lists an inventory instance no log
            // showed as a row of its own: no client of it is known.
            if application.and_then(|a| record.get(a)) == Some(NOT_OBSERVED) {
                continue;
            }
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
    /// Aurora Serverless v1: an ACM certificate, the rotation does not
    /// apply.
    NotConcerned,
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
            Status::NotConcerned => "acm_certificate",
            Status::NotInInventory => "not_in_inventory",
        }
    }
}

/// One line of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub instance: String,
    pub inventory: Option<Node>,
    pub counts: Option<RowCounts>,
    pub status: Status,
    pub next_step: String,
    pub command: String,
}

/// The status, from the CA and the counts: a pure function, worded apart.
pub fn status(inventory: Option<&Node>, counts: Option<RowCounts>, target: &str) -> Status {
    match (inventory, counts) {
        (None, _) => Status::NotInInventory,
        (Some(i), _) if i.kind == Kind::ServerlessV1 => Status::NotConcerned,
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
        Status::NotConcerned => "nothing: Aurora Serverless v1 presents an ACM certificate, which the RDS CA rotation does not change".into(),
        Status::NotInInventory => {
            "not in the inventory: check the instance name, or add its describe-db-instances output"
                .into()
        }
    }
}

/// The modify command. A Multi-AZ DB cluster's CA is changed on the
/// cluster (its instances cannot be modified); `--no-certificate-rotation-restart`
/// only where `describe-db-engine-versions` said the engine version loads
/// the new certificate without a restart — elsewhere the instance restarts
/// (RDS's default), since without one it would keep the old certificate.
fn command(inventory: &Inventory, node: Option<&Node>, status: Status, target: &str) -> String {
    let Some(n) = node else {
        return String::new();
    };
    // Not for an instance nothing is known of: its step is to look first.
    if !matches!(
        status,
        Status::ActionNeeded | Status::Review | Status::Ready
    ) {
        return String::new();
    }
    let restart = if inventory.rotates_without_restart(n) == Some(true) {
        " --no-certificate-rotation-restart"
    } else {
        ""
    };
    match &n.kind {
        Kind::MultiAz { cluster } => format!(
            "aws rds modify-db-cluster --db-cluster-identifier {cluster} --ca-certificate-identifier {target} --apply-immediately"
        ),
        _ => format!(
            "aws rds modify-db-instance --db-instance-identifier {} --ca-certificate-identifier {target}{restart} --apply-immediately",
            n.id
        ),
    }
}

/// The plan: every inventory instance, then report instances the inventory
/// lacks; most urgent first.
pub fn plan(
    inventory: &Inventory,
    counts: &BTreeMap<String, RowCounts>,
    target: &str,
) -> Vec<PlanRow> {
    let mut rows: Vec<PlanRow> = inventory
        .nodes
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
                command: command(inventory, Some(i), s, target),
            }
        })
        .collect();
    for (instance, c) in counts {
        if inventory.node(instance).is_none() {
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

    fn instance(id: &str, ca: &str) -> Node {
        Node {
            id: id.into(),
            engine: "postgres".into(),
            engine_version: "15.5".into(),
            ca: ca.into(),
            server_certificate_valid_till: String::new(),
            kind: Kind::Instance,
        }
    }

    #[test]
    fn status_table() {
        let t = DEFAULT_TARGET_CA;
        let old = instance("db", "rds-ca-2019");
        let on = instance("db", t);
        let v1 = Node {
            kind: Kind::ServerlessV1,
            ..instance("db", "")
        };
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
            (Some(&v1), counts(1, 0, 0), Status::NotConcerned),
            (Some(&v1), None, Status::NotConcerned),
        ];
        for (inventory, c, want) in table {
            assert_eq!(status(inventory, c, t), want, "{inventory:?} {c:?}");
        }
    }

    #[test]
    fn commands_follow_the_kind_and_the_engine_version() {
        let text = r#"{"DBInstances":[
 {"DBInstanceIdentifier":"solo","Engine":"postgres","EngineVersion":"15.5","CACertificateIdentifier":"rds-ca-2019"},
 {"DBInstanceIdentifier":"old","Engine":"postgres","EngineVersion":"11.22","CACertificateIdentifier":"rds-ca-2019"},
 {"DBInstanceIdentifier":"maz-1","Engine":"mysql","EngineVersion":"8.0.35","DBClusterIdentifier":"maz","CACertificateIdentifier":"rds-ca-2019"}]}
{"DBEngineVersions":[{"Engine":"postgres","EngineVersion":"15.5","SupportsCertificateRotationWithoutRestart":true},
 {"Engine":"postgres","EngineVersion":"11.22","SupportsCertificateRotationWithoutRestart":false}]}"#;
        let inv = Inventory::from_text(text, "inv.json").unwrap();
        let t = DEFAULT_TARGET_CA;
        let cmd = |id: &str| command(&inv, inv.node(id), Status::Ready, t);
        assert_eq!(
            cmd("solo"),
            "aws rds modify-db-instance --db-instance-identifier solo --ca-certificate-identifier rds-ca-rsa2048-g1 --no-certificate-rotation-restart --apply-immediately"
        );
        assert_eq!(
            cmd("old"),
            "aws rds modify-db-instance --db-instance-identifier old --ca-certificate-identifier rds-ca-rsa2048-g1 --apply-immediately"
        );
        assert_eq!(
            cmd("maz-1"),
            "aws rds modify-db-cluster --db-cluster-identifier maz --ca-certificate-identifier rds-ca-rsa2048-g1 --apply-immediately"
        );
        assert_eq!(command(&inv, inv.node("solo"), Status::NotObserved, t), "");
    }
}
