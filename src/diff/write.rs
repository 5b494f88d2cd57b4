//! The wording of `diff`'s changes: the CSV and the terminal table.

use std::fmt::Write as _;

use anyhow::Result;

use super::{Change, Counts, Kind, Severity};
use crate::report::{guard_cell, printable};

/// The diff CSV's columns, in their stable order.
pub const COLUMNS: [&str; 17] = [
    "severity",
    "changes",
    "instance",
    "user",
    "database",
    "application",
    "client_hosts",
    "sessions_before",
    "tls_sessions_before",
    "plain_sessions_before",
    "handshake_failures_before",
    "sessions_after",
    "tls_sessions_after",
    "plain_sessions_after",
    "handshake_failures_after",
    "tied_by_address",
    "what",
];

/// What a change means, in a sentence.
pub fn what(change: &Change) -> String {
    let mut said: Vec<&str> = Vec::new();
    for kind in &change.kinds {
        said.push(match kind {
            Kind::StartedFailing if change.tied_by_address => {
                "its address now has failed handshakes (certificate rejections) and it no longer connects over TLS: it verifies the server certificate and its trust store lacks the new CA; add the new CA before rotating production"
            }
            Kind::StartedFailing => {
                "failed handshakes (certificate rejections) after, none before: it verifies the server certificate and its trust store lacks the new CA; add the new CA before rotating production"
            }
            Kind::StillFailing => {
                "failed handshakes before and after: it rejects the certificate it is shown now (a rejection just before the split is read by both sides); fix its trust store"
            }
            Kind::TlsToPlaintext => {
                "used TLS before, only plaintext after: an sslmode=prefer client that dropped TLS (its rejections, if logged, are above)"
            }
            Kind::PlaintextToTls => "plaintext before, TLS after",
            Kind::StoppedConnecting => {
                "sessions before, none after, while its address is still seen: it may be failing without a logged rejection; check it"
            }
            Kind::GoneClient => {
                "sessions before, nothing after: it may have stopped, or be failing silently; check it"
            }
            Kind::NewClient => "only after",
        });
    }
    said.join("; ")
}

fn kinds(change: &Change) -> String {
    change
        .kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

/// Writes the changes as CSV; `guard`: cells that would start a
/// spreadsheet formula get a leading `'`, as in every sslcensus CSV.
pub fn write_csv(changes: &[Change], guard: bool, out: impl std::io::Write) -> Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(COLUMNS)?;
    let text = |s: &str| {
        if guard {
            guard_cell(s).into_owned()
        } else {
            s.to_string()
        }
    };
    let count = |c: Option<Counts>, f: fn(&Counts) -> u64| c.map(|c| f(&c).to_string());
    for c in changes {
        let mut record = vec![
            c.severity.as_str().to_string(),
            kinds(c),
            text(&c.client.instance),
            text(&c.client.user),
            text(&c.client.database),
            text(&c.client.application),
            text(&c.client.hosts.join(";")),
        ];
        for side in [c.before, c.after] {
            for f in [
                (|c: &Counts| c.sessions) as fn(&Counts) -> u64,
                |c| c.tls_sessions,
                |c| c.plain_sessions,
                |c| c.handshake_failures,
            ] {
                record.push(count(side, f).unwrap_or_default());
            }
        }
        record.push(if c.tied_by_address { "yes" } else { "no" }.into());
        record.push(text(&what(c)));
        writer.write_record(&record)?;
    }
    writer.flush()?;
    Ok(())
}

/// The terminal table: counts per severity, then each change.
pub fn table(changes: &[Change], sides: (&str, &str)) -> String {
    let mut out = String::new();
    let n = |s: Severity| changes.iter().filter(|c| c.severity == s).count();
    let _ = writeln!(
        out,
        "{} clients changed ({} → {}): {} affected, {} to review, {} for information",
        changes.len(),
        printable(sides.0),
        printable(sides.1),
        n(Severity::Affected),
        n(Severity::Review),
        n(Severity::Info)
    );
    let side = |c: Option<Counts>| {
        c.map_or("-".to_string(), |c| {
            format!(
                "{} TLS, {} plaintext, {} failed handshakes",
                c.tls_sessions, c.plain_sessions, c.handshake_failures
            )
        })
    };
    for c in changes {
        let app = if c.client.application.is_empty() {
            "(no application_name)".to_string()
        } else {
            format!("{:?}", c.client.application)
        };
        let _ = writeln!(
            out,
            "\n{:<8} {} {}@{} {} from {}\n  {}\n  before: {}\n  after:  {}\n  {}",
            c.severity.as_str().to_uppercase(),
            printable(&c.client.instance),
            printable(&c.client.user),
            printable(&c.client.database),
            printable(&app),
            printable(&c.client.hosts.join(";")),
            kinds(c),
            side(c.before),
            side(c.after),
            what(c)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{ClientRow, diff};
    use super::*;

    #[test]
    fn csv_cells_are_guarded_and_counts_written() {
        let client = |app: &str, tls, failures| ClientRow {
            instance: "staging".into(),
            user: "app".into(),
            database: "appdb".into(),
            application: app.into(),
            hosts: vec!["10.0.0.1".into()],
            counts: Counts {
                sessions: tls,
                tls_sessions: tls,
                handshake_failures: failures,
                ..Counts::default()
            },
        };
        let changes = diff(&[client("=cmd", 3, 0)], &[client("=cmd", 0, 2)]);
        let mut out = Vec::new();
        write_csv(&changes, true, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), COLUMNS.join(","));
        let row = lines.next().unwrap();
        assert!(
            row.starts_with(
                "affected,started_failing,staging,app,appdb,'=cmd,10.0.0.1,3,3,0,0,0,0,0,2,no,"
            ),
            "{row}"
        );
        let mut out = Vec::new();
        write_csv(&changes, false, &mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains(",=cmd,"));
        let shown = table(&changes, ("a.csv", "b.csv"));
        assert!(shown.starts_with("1 clients changed (a.csv → b.csv): 1 affected"));
        assert!(shown.contains("AFFECTED staging app@appdb \"=cmd\" from 10.0.0.1"));
    }
}
