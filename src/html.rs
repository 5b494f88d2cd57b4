//! The report people look at: one self-contained HTML file (`-o
//! report.html`) — styles and script inline, nothing fetched at view time —
//! with a board per instance, the rows as a sortable, filterable table that
//! opens each row to its evidence and reason, and how the report was made.
//! The page is a minijinja template (`html/report.html`, escaped as HTML);
//! this module only turns rows into the template's values.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::report::RunFacts;
use crate::verdict::{ReportRow, Verdict, rfc3339};

const TEMPLATE: &str = include_str!("html/report.html");

/// List cells show this many values, then how many more (as the CSV).
const LIST_CAP: usize = 20;

/// Inputs listed at most (a directory of 100,000 small files stays a page):
/// failed ones and those with skipped lines first.
const INPUTS_SHOWN: usize = 500;

#[derive(Serialize, Default)]
struct Counts {
    affected: usize,
    review: usize,
    not_affected: usize,
}

impl Counts {
    fn add(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Affected => self.affected += 1,
            Verdict::Review => self.review += 1,
            Verdict::NotAffected => self.not_affected += 1,
        }
    }
}

#[derive(Serialize, Default)]
struct Board {
    instance: String,
    affected: usize,
    review: usize,
    not_affected: usize,
    ca: String,
    valid_till: String,
    rotation: String,
}

#[derive(Serialize)]
struct Row {
    verdict: &'static str,
    verdict_text: String,
    verification: &'static str,
    instance: String,
    engine: String,
    user: String,
    database: String,
    application: String,
    hosts: String,
    sessions: u64,
    tls_sessions: u64,
    plain_sessions: u64,
    tls_share: String,
    tls_versions: String,
    ciphers: String,
    handshake_failures: u64,
    first_seen: String,
    last_seen: String,
    reason: String,
    timeline: Option<Timeline>,
}

/// A row's sessions per day as bars: TLS (up), plaintext (stacked on it),
/// and a mark on days with failed handshakes. Drawn by the template as
/// inline SVG.
#[derive(Serialize)]
struct Timeline {
    width: u32,
    height: u32,
    bars: Vec<Bar>,
    first: String,
    last: String,
    peak: u64,
}

#[derive(Serialize)]
struct Bar {
    x: u32,
    tls_y: u32,
    tls_h: u32,
    plain_y: u32,
    plain_h: u32,
    failures: u64,
    title: String,
}

/// Days shown at most (the latest).
const TIMELINE_DAYS: i32 = 120;
const BAR: u32 = 6;
const CHART_H: u32 = 60;

fn timeline(days: &crate::census::Days) -> Option<Timeline> {
    let all: Vec<(i32, crate::census::DayCounts)> = days.iter().collect();
    let (&(first, _), &(last, _)) = (all.first()?, all.last()?);
    let first = first.max(last - TIMELINE_DAYS + 1);
    let shown: Vec<_> = all.into_iter().filter(|(d, _)| *d >= first).collect();
    let peak = shown
        .iter()
        .map(|(_, c)| c.tls + c.plain)
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = |n: u64| ((n * u64::from(CHART_H - 8)).div_ceil(peak)) as u32;
    let bars = shown
        .iter()
        .map(|&(day, c)| {
            let x = (day - first) as u32 * (BAR + 1);
            let (tls_h, plain_h) = (scale(c.tls), scale(c.plain));
            Bar {
                x,
                tls_y: CHART_H - tls_h,
                tls_h,
                plain_y: CHART_H - tls_h - plain_h,
                plain_h,
                failures: c.failures,
                title: format!(
                    "{}: {} TLS, {} plaintext, {} failed handshakes",
                    crate::census::day_text(day),
                    c.tls,
                    c.plain,
                    c.failures
                ),
            }
        })
        .collect();
    Some(Timeline {
        width: ((last - first + 1) as u32) * (BAR + 1),
        height: CHART_H,
        bars,
        first: crate::census::day_text(first),
        last: crate::census::day_text(last),
        peak,
    })
}

#[derive(Serialize)]
struct Page {
    counts: Counts,
    boards: Vec<Board>,
    rows: Vec<Row>,
    window: Option<String>,
    version: &'static str,
    written: String,
    command: Option<String>,
    read: Option<String>,
    inputs: Vec<crate::report::InputFact>,
    inputs_more: usize,
    inputs_more_failed: usize,
}

fn page(rows: &[ReportRow], facts: &RunFacts) -> Page {
    let mut counts = Counts::default();
    let mut boards: BTreeMap<String, Board> = BTreeMap::new();
    for row in rows {
        counts.add(row.verdict);
        for instance in row.instance.items() {
            let board = boards.entry(instance.clone()).or_insert_with(|| Board {
                instance: instance.clone(),
                ..Board::default()
            });
            match row.verdict {
                Verdict::Affected => board.affected += 1,
                Verdict::Review => board.review += 1,
                Verdict::NotAffected => board.not_affected += 1,
            }
            if let Some(cells) = row.inventory.as_deref()
                && board.ca.is_empty()
            {
                board.ca = cells.ca.to_string();
                board.valid_till = cells.server_certificate_valid_till.to_string();
                board.rotation = cells.rotation.to_string();
            }
        }
    }
    // `2026-11-29 05:00:28`: a table cell's width (UTC, as the header says).
    let time = |t: Option<i64>| {
        t.map(|t| {
            rfc3339(t)
                .replace('T', " ")
                .trim_end_matches('Z')
                .to_string()
        })
        .unwrap_or_default()
    };
    let rows = rows
        .iter()
        .map(|r| Row {
            verdict: r.verdict.as_str(),
            verdict_text: r.verdict.as_str().replace('_', " "),
            verification: r.verification.as_str(),
            instance: r.instance.capped(LIST_CAP).into_owned(),
            engine: r.engine.capped(LIST_CAP).into_owned(),
            user: r.user.capped(LIST_CAP).into_owned(),
            database: r.database.capped(LIST_CAP).into_owned(),
            application: if r.application.is_empty() {
                "(no application_name)".into()
            } else {
                r.application.capped(LIST_CAP).into_owned()
            },
            hosts: r.client_hosts.capped(LIST_CAP).into_owned(),
            sessions: r.sessions,
            tls_sessions: r.tls_sessions,
            plain_sessions: r.plain_sessions,
            tls_share: match r.sessions {
                0 => "—".into(),
                n => format!("{}%", r.tls_sessions * 100 / n),
            },
            tls_versions: r.tls_versions.capped(LIST_CAP).into_owned(),
            ciphers: r.ciphers.capped(LIST_CAP).into_owned(),
            handshake_failures: r.handshake_failures,
            first_seen: time(r.first_seen),
            last_seen: time(r.last_seen),
            reason: r.reason.clone(),
            timeline: timeline(&r.days),
        })
        .collect();
    let end = |t: Option<i64>| t.map_or("(open)".to_string(), rfc3339);
    Page {
        counts,
        boards: boards.into_values().collect(),
        rows,
        window: facts
            .window
            .is_set()
            .then(|| format!("{} .. {}", end(facts.window.since), end(facts.window.until))),
        version: env!("CARGO_PKG_VERSION"),
        written: rfc3339(chrono::Utc::now().timestamp_millis()),
        command: facts.command.clone(),
        read: facts.read.clone(),
        inputs: shown_inputs(&facts.inputs),
        inputs_more: facts.inputs.len().saturating_sub(INPUTS_SHOWN),
        inputs_more_failed: facts
            .inputs
            .iter()
            .filter(|i| i.failed)
            .count()
            .saturating_sub(INPUTS_SHOWN),
    }
}

/// The inputs the page lists: errors, then inputs with skipped lines, then
/// the rest, each group in the order read.
fn shown_inputs(inputs: &[crate::report::InputFact]) -> Vec<crate::report::InputFact> {
    let mut order: Vec<&crate::report::InputFact> = inputs.iter().collect();
    order.sort_by_key(|i| (!i.failed, i.skipped == 0));
    order.into_iter().take(INPUTS_SHOWN).cloned().collect()
}

/// Writes the report as one HTML page.
pub fn write(rows: &[ReportRow], facts: &RunFacts, mut out: impl Write) -> Result<()> {
    let mut env = minijinja::Environment::new();
    // The name's `.html` turns HTML escaping on for every value.
    env.add_template("report.html", TEMPLATE)
        .context("the report template")?;
    let html = env
        .get_template("report.html")
        .and_then(|t| t.render(page(rows, facts)))
        .context("rendering the HTML report")?;
    out.write_all(html.as_bytes())
        .and_then(|()| out.flush())
        .context("writing the report")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(app: &str, verdict: Verdict) -> ReportRow {
        ReportRow {
            reason: "because <b>".into(),
            ..crate::verdict::sample_row(app, verdict)
        }
    }

    #[test]
    fn inputs_are_listed_errors_first_and_capped() {
        let input = |n: usize, failed: bool, skipped: u64| crate::report::InputFact {
            file: format!("f{n}.log"),
            instance: "db1".into(),
            format: "PostgreSQL stderr".into(),
            lines: 10,
            skipped,
            status: if failed {
                "error: <cut>".into()
            } else {
                "read".into()
            },
            failed,
        };
        let mut inputs: Vec<_> = (0..INPUTS_SHOWN + 3).map(|n| input(n, false, 0)).collect();
        inputs.push(input(9001, false, 2));
        inputs.push(input(9002, true, 0));
        let facts = RunFacts {
            inputs,
            ..RunFacts::default()
        };
        let shown = shown_inputs(&facts.inputs);
        assert_eq!(shown.len(), INPUTS_SHOWN);
        assert_eq!(
            (shown[0].file.as_str(), shown[1].file.as_str()),
            ("f9002.log", "f9001.log")
        );
        let mut out = Vec::new();
        write(&[row("billing", Verdict::Review)], &facts, &mut out).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert!(html.contains("error: &lt;cut&gt;"), "escaped");
        assert!(html.contains("… and 5 more inputs, read without error."));
    }

    #[test]
    fn names_are_escaped_and_counts_add_up() {
        let rows = [
            row("<script>alert(1)</script>", Verdict::Affected),
            row("billing", Verdict::Review),
        ];
        let mut out = Vec::new();
        write(&rows, &RunFacts::default(), &mut out).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert!(!html.contains("<script>alert(1)"), "a name became markup");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;"));
        assert!(html.contains("because &lt;b&gt;"));
        assert!(html.contains("1 affected") && html.contains("1 to review"));
        assert!(html.contains("75%"));
        // Self-contained: nothing fetched at view time.
        for fetch in ["src=\"http", "href=\"http", "@import", "url(http"] {
            assert!(!html.contains(fetch), "{fetch}");
        }
    }
}
