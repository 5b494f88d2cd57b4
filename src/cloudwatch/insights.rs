//! Pushdown (`--insights`): the aggregation runs inside CloudWatch Logs
//! Insights, so a month of a fleet's PostgreSQL logs comes back as one row
//! per (log group, stream, client address, connection message) with a count
//! and the first and last time, instead of every line.
//!
//! The service parses the RDS prefix (`%t:%r:%u@%d:[%p]:`) only far enough to
//! cut the client address and the message; the message itself is read here by
//! the same grammar as a log line's (`sslcensus_parsers::parse_pg_message`),
//! so both paths read `connection authorized` and `could not accept SSL
//! connection` alike.
//!
//! What pushdown cannot see: lines are counted, not tied by pid, so a
//! `sslmode=prefer` fallback (a certificate rejection, then a plaintext
//! session within 1 s) is invisible. Plaintext sessions from an address
//! that had certificate rejections are therefore counted as unchecked,
//! never as "no TLS", and every row's reason says it was counted by Logs
//! Insights. FilterLogEvents stays the default and the reference.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::types::QueryStatus;
use chrono::NaiveDateTime;
use sslcensus_parsers::observation::{FailureKind, Message, Transport};
use sslcensus_parsers::{Engine, Millis};

use super::fetch::{ServiceError, explain};
use crate::census::{Census, ClientKeyRef, Tally};
use crate::family::Families;

/// GetQueryResults returns at most this many rows: a window whose result
/// reaches it is split in two and each half asked again.
pub const ROW_CAP: usize = 10_000;
/// Log groups in one StartQuery.
pub const GROUPS_PER_QUERY: usize = 20;

/// The PostgreSQL query. `%r` is `host(port)` or `[local]`; the port is
/// cut, or every connection would be a row of its own.
pub const POSTGRES_QUERY: &str = r"filter @message like /connection authorized: |could not accept SSL connection: /
| parse @message /^\S+ \S+ [^:\s]+:(?<host>\[local\]|[^(\s]*)(?:\(\d+\))?:[^:]*@[^:]*:\[\d+\]:[A-Z]+:\s+(?<msg>.*)$/
| stats count(*) as events, min(@timestamp) as first_seen, max(@timestamp) as last_seen by @log, @logStream, host, msg";

/// One result row, field by field, as GetQueryResults gives it.
pub type Row = Vec<(String, String)>;

/// Which groups pushdown reads: the RDS PostgreSQL log (its prefix is fixed
/// on RDS and Aurora). Other groups are read with FilterLogEvents.
pub fn reads(group: &str) -> bool {
    super::names::group(group)
        .kind
        .is_some_and(|k| k.name == "postgresql")
}

/// Query windows in whole seconds, both ends inclusive (StartQuery's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Window {
    pub start: i64,
    pub end: i64,
}

impl Window {
    /// `--since`/`--until` (milliseconds; until exclusive) as seconds.
    pub fn of(since: Option<Millis>, until: Option<Millis>, now: Millis) -> Window {
        let end = until.unwrap_or(now + 1) - 1;
        Window {
            start: since.unwrap_or(0).div_euclid(1000),
            end: end.div_euclid(1000),
        }
    }

    fn halves(self) -> Option<(Window, Window)> {
        (self.end > self.start).then(|| {
            let mid = self.start + (self.end - self.start) / 2;
            (
                Window {
                    start: self.start,
                    end: mid,
                },
                Window {
                    start: mid + 1,
                    end: self.end,
                },
            )
        })
    }
}

/// Runs `query` over `window`, splitting windows whose result reaches the
/// row cap until none does; every window's rows, in time order. A single
/// second that still reaches the cap is an error: its rows would be cut.
pub async fn rows_of_windows<F, Fut>(
    window: Window,
    mut query: F,
) -> Result<(Vec<Row>, u64), QueryError>
where
    F: FnMut(Window) -> Fut,
    Fut: Future<Output = Result<Vec<Row>, QueryError>>,
{
    let mut todo = vec![window];
    let mut rows = Vec::new();
    let mut queries = 0;
    while let Some(w) = todo.pop() {
        queries += 1;
        let got = query(w).await?;
        if got.len() < ROW_CAP {
            rows.extend(got);
            continue;
        }
        match w.halves() {
            // Later half first on the stack, so earlier windows come first.
            Some((early, late)) => {
                todo.push(late);
                todo.push(early);
            }
            None => return Err(QueryError::SecondOverCap { second: w.start }),
        }
    }
    Ok((rows, queries))
}

/// Why a batch of groups could not be read by Logs Insights.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// StartQuery or GetQueryResults failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error("StartQuery answered without a query id")]
    NoQueryId,
    /// The query ended without results (`failed`, `cancelled`, `timeout`).
    #[error("the Logs Insights query ended {0}")]
    Ended(String),
    /// One second (epoch seconds) whose rows alone reach [`ROW_CAP`].
    #[error(
        "more than {ROW_CAP} distinct clients and messages within one second ({second}): Logs Insights cannot return them whole; read these groups without --insights"
    )]
    SecondOverCap { second: i64 },
}

/// Queries in flight, stopped on Ctrl-C.
#[derive(Default, Clone)]
pub struct Running(Arc<Mutex<BTreeSet<String>>>);

impl Running {
    fn add(&self, id: &str) {
        self.0.lock().expect("query list").insert(id.to_string());
    }
    fn remove(&self, id: &str) {
        self.0.lock().expect("query list").remove(id);
    }
    fn ids(&self) -> Vec<String> {
        self.0.lock().expect("query list").iter().cloned().collect()
    }
}

/// Starts one query and polls it (backing off from 0.5 s to 5 s) until it
/// ends.
async fn run_query(
    client: &Client,
    groups: &[String],
    window: Window,
    running: &Running,
) -> Result<Vec<Row>, QueryError> {
    let started = client
        .start_query()
        .set_log_group_names(Some(groups.to_vec()))
        .start_time(window.start)
        .end_time(window.end)
        .query_string(POSTGRES_QUERY)
        .limit(ROW_CAP as i32)
        .send()
        .await
        .map_err(|e| explain(&e, "logs:StartQuery"))?;
    let id = started.query_id().ok_or(QueryError::NoQueryId)?.to_string();
    running.add(&id);
    let mut wait = Duration::from_millis(500);
    let outcome = loop {
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(5));
        let answer = match client.get_query_results().query_id(&id).send().await {
            Ok(answer) => answer,
            Err(e) => break Err(explain(&e, "logs:GetQueryResults").into()),
        };
        match answer.status() {
            Some(QueryStatus::Complete) => {
                break Ok(answer
                    .results()
                    .iter()
                    .map(|fields| {
                        fields
                            .iter()
                            .filter_map(|f| Some((f.field()?.to_string(), f.value()?.to_string())))
                            .collect()
                    })
                    .collect());
            }
            Some(
                status @ (QueryStatus::Failed | QueryStatus::Cancelled | QueryStatus::Timeout),
            ) => {
                break Err(QueryError::Ended(status.as_str().to_lowercase()));
            }
            _ => {}
        }
    };
    running.remove(&id);
    outcome
}

/// What pushdown brought back.
#[derive(Default)]
pub struct Pushed {
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
    /// A batch's name and why it was not read.
    pub errors: Vec<(String, QueryError)>,
    /// Ctrl-C: the running queries were stopped.
    pub interrupted: bool,
}

/// Queries `groups` (a batch of [`GROUPS_PER_QUERY`] at a time) over the
/// window; Ctrl-C stops the queries in flight (StopQuery) and ends the run.
pub async fn push_down(
    client: &Client,
    groups: &[String],
    window: Window,
    progress: &crate::progress::FetchProgress,
) -> Pushed {
    let running = Running::default();
    let mut pushed = Pushed::default();
    let work = async {
        for batch in groups.chunks(GROUPS_PER_QUERY) {
            let name = match batch {
                [one] => one.clone(),
                _ => format!("{} and {} more groups", batch[0], batch.len() - 1),
            };
            let mut bar = progress.group(&format!("insights:{name}"));
            let outcome = rows_of_windows(window, |w| run_query(client, batch, w, &running)).await;
            match outcome {
                Ok((rows, queries)) => {
                    bar.page(rows.len() as u64, 0);
                    pushed.notes.push(format!(
                        "cloudwatch:{name}: {} Logs Insights rows from {queries} queries (pushdown)",
                        rows.len()
                    ));
                    pushed.rows.extend(rows);
                }
                Err(error) => pushed.errors.push((format!("cloudwatch:{name}"), error)),
            }
            bar.finish();
        }
    };
    let interrupted = tokio::select! {
        () = work => false,
        _ = tokio::signal::ctrl_c() => true,
    };
    if interrupted {
        for id in running.ids() {
            // Best effort: a query left running costs until it ends.
            let _ = client.stop_query().query_id(&id).send().await;
        }
        pushed.interrupted = true;
    }
    pushed
}

/// What [`fold`] made of the rows.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Folded {
    pub sessions: u64,
    pub handshake_failures: u64,
    /// Rows of no message sslcensus reads, or without the fields the query
    /// makes (counted; the first one's field names kept for the warning).
    pub skipped: u64,
    pub first_skipped: Option<String>,
}

fn field<'r>(row: &'r Row, name: &str) -> Option<&'r str> {
    row.iter().find(|(f, _)| f == name).map(|(_, v)| v.as_str())
}

/// Logs Insights prints times as `2026-11-29 05:00:28.000` (UTC).
fn insights_time(text: &str) -> Option<Millis> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc().timestamp_millis())
}

/// Folds result rows into a census, as the correlator would count the same
/// lines, except that nothing is tied by pid (see the module's note).
pub fn fold(rows: &[Row], families: &Families, census: &mut Census) -> Folded {
    struct Parsed<'r> {
        instance: String,
        host: &'r str,
        message: Message<'r>,
        tally: Tally,
    }
    let mut folded = Folded::default();
    let mut parsed = Vec::new();
    for row in rows {
        let reading = (|| {
            // `@log` is `account-id:group-name`.
            let log = field(row, "@log")?;
            let group = log.split_once(':').map_or(log, |(_, g)| g);
            let stream = field(row, "@logStream").unwrap_or_default();
            let count: u64 = field(row, "events")?.parse().ok()?;
            let mut tally = Tally {
                count,
                ..Tally::default()
            };
            tally
                .span
                .see(field(row, "first_seen").and_then(insights_time));
            tally
                .span
                .see(field(row, "last_seen").and_then(insights_time));
            let message = sslcensus_parsers::parse_pg_message(field(row, "msg")?)?.ok()?;
            Some(Parsed {
                instance: super::names::instance(group, stream),
                host: field(row, "host").unwrap_or_default(),
                message,
                tally,
            })
        })();
        match reading {
            Some(p) => parsed.push(p),
            None => {
                folded.skipped += 1;
                if folded.first_skipped.is_none() {
                    // Field names only: a value may be any log line,
                    // statements with passwords included.
                    folded.first_skipped = Some(format!(
                        "fields {}",
                        row.iter()
                            .map(|(f, _)| crate::report::printable(f).into_owned())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            }
        }
    }
    // Addresses with certificate rejections: their plaintext sessions may be
    // prefer fallbacks, which pushdown cannot tell.
    let mut rejecting: BTreeSet<(&str, &str)> = BTreeSet::new();
    for p in &parsed {
        if let Message::HandshakeFailed { reason, kind } = &p.message {
            if *kind == FailureKind::CertificateRejected {
                rejecting.insert((p.instance.as_str(), p.host));
            }
            folded.handshake_failures += p.tally.count;
            census
                .addresses
                .entry(crate::census::AddressKey {
                    instance: p.instance.clone(),
                    engine: Engine::Postgres,
                    host: p.host.to_string(),
                })
                .or_default()
                .handshake_failures
                .entry((*kind, reason.to_string()))
                .or_default()
                .merge(p.tally);
        }
    }
    let keep = families.examples();
    let mut applications: BTreeMap<&str, String> = BTreeMap::new();
    for p in &parsed {
        let Message::Authorized(a) = &p.message else {
            continue;
        };
        let n = p.tally.count;
        let raw = crate::correlate::stored_name(a.application.unwrap_or_default());
        let application = applications
            .entry(raw)
            .or_insert_with(|| families.of(raw).into_owned());
        let key = ClientKeyRef {
            instance: &p.instance,
            engine: Engine::Postgres,
            user: a.user,
            database: a.database.unwrap_or_default(),
            application,
            client_host: p.host,
        };
        let (_, stats) = crate::correlate::client(&mut census.clients, key);
        stats.raw_names.see(raw, keep);
        stats.sessions += n;
        stats.pushdown_sessions += n;
        stats.seen.merge(p.tally.span);
        stats.replication_sessions += if a.replication { n } else { 0 };
        stats.ambiguous_tls += if a.ambiguous_tls { n } else { 0 };
        match (a.transport, &a.gss) {
            (Transport::Tls(details), _) => {
                stats.tls_sessions += n;
                if let Some(tls) = details {
                    stats.tls_versions.add(tls.protocol, n);
                    stats.ciphers.add(tls.cipher, n);
                }
            }
            (Transport::Plain, Some(gss)) if gss.encrypted => stats.gss_sessions += n,
            (Transport::Plain, _) => {
                stats.plain_sessions += n;
                if rejecting.contains(&(p.instance.as_str(), p.host)) {
                    stats.unchecked_plaintext += n;
                }
            }
            (Transport::Unknown, _) => stats.unknown_transport_sessions += n,
        }
        folded.sessions += n;
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(fields: &[(&str, &str)]) -> Row {
        fields
            .iter()
            .map(|(f, v)| (f.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_query_cuts_the_port_and_groups_by_address_and_message() {
        // What the parse regex must take from real RDS lines (the samples'),
        // checked with the regex crate: Logs Insights' dialect shares this
        // subset (named groups, classes, lazy and optional groups).
        let parse = POSTGRES_QUERY
            .lines()
            .find_map(|l| l.strip_prefix("| parse @message /"))
            .and_then(|l| l.strip_suffix('/'))
            .unwrap();
        let re = regex::Regex::new(parse).unwrap();
        let table = [
            (
                "2026-11-29 05:00:28 UTC:127.0.0.12(43717):app-user@appdb:[12998]:LOG:  connection authorized: user=app-user database=appdb application_name=app_prefer SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
                "127.0.0.12",
                "connection authorized: user=app-user database=appdb application_name=app_prefer SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
            ),
            (
                "2026-11-29 05:00:27 UTC:[local]:postgres@postgres:[12919]:LOG:  connection authorized: user=postgres database=postgres application_name=sample_setup",
                "[local]",
                "connection authorized: user=postgres database=postgres application_name=sample_setup",
            ),
            (
                "2026-11-29 05:00:29 UTC:2001:db8::7(50211):[unknown]@[unknown]:[13001]:LOG:  could not accept SSL connection: tlsv1 alert unknown ca",
                "2001:db8::7",
                "could not accept SSL connection: tlsv1 alert unknown ca",
            ),
        ];
        for (line, host, msg) in table {
            let caps = re.captures(line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!((&caps["host"], &caps["msg"]), (host, msg), "{line}");
        }
        assert!(POSTGRES_QUERY.contains("by @log, @logStream, host, msg"));
        assert!(reads("/aws/rds/instance/db/postgresql"));
        assert!(!reads("/aws/rds/instance/db/general"));
    }

    #[test]
    fn windows_are_split_until_no_result_reaches_the_cap() {
        // A fake service: 3 rows per second of events at seconds 0..=9999,
        // so only windows of under 3,334 s come back whole.
        let asked = std::cell::RefCell::new(Vec::new());
        let service = |w: Window| {
            asked.borrow_mut().push(w);
            let rows = ((w.start.max(0))..=(w.end.min(9_999)))
                .flat_map(|s| {
                    (0..3).map(move |i| row(&[("s", &s.to_string()), ("i", &i.to_string())]))
                })
                .take(ROW_CAP)
                .collect::<Vec<_>>();
            async move { Ok(rows) }
        };
        let (rows, queries) = block_on(rows_of_windows(
            Window {
                start: 0,
                end: 9_999,
            },
            service,
        ))
        .unwrap();
        assert_eq!(rows.len(), 30_000);
        assert_eq!(queries as usize, asked.borrow().len());
        // Every second once, in time order.
        let seconds: Vec<i64> = rows
            .iter()
            .map(|r| field(r, "s").unwrap().parse().unwrap())
            .collect();
        assert!(seconds.windows(2).all(|w| w[0] <= w[1]));
        // A second that alone reaches the cap cannot be split.
        let full = |_w: Window| async { Ok(vec![Row::new(); ROW_CAP]) };
        let err = block_on(rows_of_windows(Window { start: 5, end: 6 }, full)).unwrap_err();
        assert_eq!(err, QueryError::SecondOverCap { second: 5 });
        assert!(err.to_string().contains("within one second (5)"), "{err}");
    }

    fn block_on<T>(f: impl Future<Output = Result<T, QueryError>>) -> Result<T, QueryError> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn window_bounds_are_whole_inclusive_seconds() {
        assert_eq!(
            Window::of(Some(1_500), Some(10_000), 99_999),
            Window { start: 1, end: 9 }
        );
        assert_eq!(Window::of(None, None, 5_000), Window { start: 0, end: 5 });
    }

    #[test]
    fn result_rows_fold_into_the_census() {
        // Shaped like GetQueryResults of POSTGRES_QUERY on the samples'
        // lines (typed by hand: the emulator ignores parse and stats).
        let log = "123456789012:/aws/rds/instance/pg-1/postgresql";
        let rows = vec![
            row(&[
                ("@log", log),
                ("@logStream", "pg-1.0"),
                ("host", "10.0.0.5"),
                (
                    "msg",
                    "connection authorized: user=app database=orders application_name=puma: cluster worker 3: 4242 [shop] SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
                ),
                ("events", "40"),
                ("first_seen", "2026-11-29 05:00:28.000"),
                ("last_seen", "2026-11-30 07:10:00.250"),
            ]),
            row(&[
                ("@log", log),
                ("@logStream", "pg-1.0"),
                ("host", "10.0.0.5"),
                (
                    "msg",
                    "connection authorized: user=app database=orders application_name=puma: cluster worker 7: 4250 [shop] SSL enabled (protocol=TLSv1.2, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256)",
                ),
                ("events", "2"),
                ("first_seen", "2026-11-29 06:00:00.000"),
                ("last_seen", "2026-11-29 06:00:01.000"),
            ]),
            // Plaintext from an address with certificate rejections: maybe
            // prefer fallbacks, so unchecked.
            row(&[
                ("@log", log),
                ("@logStream", "pg-1.0"),
                ("host", "10.0.0.9"),
                (
                    "msg",
                    "connection authorized: user=report database=orders application_name=cron",
                ),
                ("events", "5"),
                ("first_seen", "2026-11-29 05:00:00.000"),
                ("last_seen", "2026-11-29 05:05:00.000"),
            ]),
            row(&[
                ("@log", log),
                ("@logStream", "pg-1.0"),
                ("host", "10.0.0.9"),
                (
                    "msg",
                    "could not accept SSL connection: tlsv1 alert unknown ca",
                ),
                ("events", "5"),
                ("first_seen", "2026-11-29 05:00:00.000"),
                ("last_seen", "2026-11-29 05:05:00.000"),
            ]),
            // Plaintext from an address without rejections: counted plain.
            row(&[
                ("@log", log),
                ("@logStream", "pg-1.0"),
                ("host", "10.0.0.20"),
                ("msg", "connection authorized: user=etl database=dw"),
                ("events", "3"),
                ("first_seen", "2026-11-29 05:00:00.000"),
                ("last_seen", "2026-11-29 05:00:00.000"),
            ]),
            // What the emulator returns (no stats fields): skipped, said.
            row(&[("@timestamp", "2026-11-29 05:00:00.000"), ("@message", "x")]),
        ];
        let mut census = Census::default();
        let folded = fold(&rows, &Families::default(), &mut census);
        assert_eq!(folded.sessions, 50);
        assert_eq!(folded.handshake_failures, 5);
        assert_eq!(folded.skipped, 1);
        assert_eq!(folded.first_skipped.unwrap(), "fields @timestamp, @message");
        let client = |user: &str| {
            census
                .clients
                .iter()
                .find(|(k, _)| k.user == user)
                .map(|(k, s)| (k.clone(), s.clone()))
                .unwrap()
        };
        // The two puma workers are one family.
        let (key, shop) = client("app");
        assert_eq!(
            census
                .clients
                .iter()
                .filter(|(k, _)| k.user == "app")
                .count(),
            1
        );
        assert_eq!(key.instance, "pg-1");
        assert_eq!(key.client_host, "10.0.0.5");
        assert_eq!(
            (shop.sessions, shop.tls_sessions, shop.pushdown_sessions),
            (42, 42, 42)
        );
        assert_eq!(shop.tls_versions.get("TLSv1.3"), Some(40));
        assert_eq!(shop.raw_names.count(), 2);
        assert_eq!(shop.seen.first, insights_time("2026-11-29 05:00:28.000"));
        assert_eq!(shop.seen.last, insights_time("2026-11-30 07:10:00.250"));
        let (_, cron) = client("report");
        assert_eq!((cron.plain_sessions, cron.unchecked_plaintext), (5, 5));
        let (_, etl) = client("etl");
        assert_eq!((etl.plain_sessions, etl.unchecked_plaintext), (3, 0));
        let failures = &census.addresses.values().next().unwrap().handshake_failures;
        // The dangerous direction: plaintext that may be a verifying
        // client's prefer fallback is never judged "no TLS".
        let rows = crate::verdict::judge(
            census.clone(),
            &crate::verdict::GroupBy::default(),
            &crate::evidence::fold::Evidence::default(),
        );
        let verdict = |user: &str| {
            rows.iter()
                .find(|r| r.user == user)
                .map(|r| r.verdict)
                .unwrap()
        };
        assert_ne!(verdict("report"), crate::verdict::Verdict::NotAffected);
        assert_eq!(verdict("etl"), crate::verdict::Verdict::NotAffected);
        assert_eq!(
            failures[&(
                FailureKind::CertificateRejected,
                "tlsv1 alert unknown ca".into()
            )]
                .count,
            5
        );
    }
}
