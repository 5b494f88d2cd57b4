//! Partials: a run's census (and its inputs' coverage) as a Parquet table
//! that merges exactly (`analyze --partial`, `sslcensus merge`), so a fleet
//! read in shards is judged as one run would judge it.
//!
//! The table is long-form: one row per (record, key, item, detail), so that
//! merging partials is one `GROUP BY` of every column but the last three:
//! `count` is summed — except for the set records ([`SET_RECORDS`]), where
//! each member is a row of count 1 (`raw_names_keep`: the number kept) and
//! the merge takes the largest — and `first_seen`/`last_seen` take the
//! smallest and largest. Then `raw_name_example` rows past a client's
//! `raw_names_keep` (in byte order of the name) are dropped. README's SQL
//! does exactly that; docs/PARTIAL.md lists the records.
//!
//! A row exists only for what is not zero or empty, except the rows that
//! say a client (`client`), an address (`address`), a captured view
//! (`captured`), an instance's coverage (`coverage`) and a run (`run`)
//! exist. So reading a partial and writing it again gives the same rows,
//! and the rows of a merge are the rows the SQL gives.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use polars::prelude::{
    Column, DataFrame, DataType, NamedFrom, ParquetReader, ParquetWriter, SerReader, Series,
    TimeUnit, TimeZone,
};
use sslcensus_parsers::Engine;
use sslcensus_parsers::observation::FailureKind;

use crate::analyze::{FileStatus, FileSummary};
use crate::census::{
    AddressKey, AddressStats, CapturedStats, Census, ClientKey, ClientKeyRef, ClientStats, Counts,
    DayCounts, RejectedAttempt, Rejection, Span, Tally, TransportKey,
};
use crate::correlate::{Coverage, Window};

/// The partial schema this sslcensus writes and reads (the
/// `partial_version` column of every row).
pub const VERSION: u32 = 1;

/// The columns, in order.
pub const COLUMNS: [&str; 13] = [
    "partial_version",
    "record",
    "instance",
    "engine",
    "user",
    "database",
    "application",
    "client_host",
    "item",
    "detail",
    "count",
    "first_seen",
    "last_seen",
];

/// Records whose rows are members of a set: merged by `max(count)`, not
/// summed.
pub const SET_RECORDS: [&str; 4] = [
    "raw_name",
    "raw_name_example",
    "raw_names_keep",
    "captured_capture",
];

/// A census with what a merge needs besides: the coverage of the inputs
/// (to say what the merged runs read, and to fail one that read nothing)
/// and how many runs it holds.
#[derive(Debug, Default)]
pub struct Partial {
    pub census: Census,
    /// By instance and the engine its files' format names (none: dumps).
    pub coverage: BTreeMap<(String, Option<Engine>), FilesCoverage>,
    /// The runs merged into it, by their random id
    /// ([`crate::captures::run_id`]).
    pub runs: BTreeMap<u64, Run>,
}

/// One run of `analyze` in a partial.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// How many times it was merged: more than once counts its clients
    /// twice, which [`read_all`] refuses.
    pub times: u64,
    /// It ended incomplete (an input unreadable, a log group refused: its
    /// own exit code was 1).
    pub incomplete: bool,
    /// Its `--since`/`--until`: a merge of runs with one window says it.
    pub window: Window,
}

/// The coverage of an instance's files that were read.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FilesCoverage {
    pub coverage: Coverage,
    pub files: u64,
}

impl Partial {
    /// One run's partial: its census and the coverage of the files it read.
    pub fn of_run(
        census: Census,
        files: &[FileSummary],
        incomplete: bool,
        window: Window,
    ) -> Partial {
        let mut coverage: BTreeMap<(String, Option<Engine>), FilesCoverage> = BTreeMap::new();
        for f in files.iter().filter(|f| f.status == FileStatus::Read) {
            let entry = coverage.entry((f.instance.clone(), f.engine)).or_default();
            entry.coverage.merge(f.coverage);
            entry.files += 1;
        }
        Partial {
            census,
            coverage,
            runs: BTreeMap::from([(
                crate::captures::run_id(),
                Run {
                    times: 1,
                    incomplete,
                    window,
                },
            )]),
        }
    }

    /// The `--since`/`--until` of the runs merged when they all had the
    /// same; `None` when they differ (a report then says no window).
    pub fn common_window(&self) -> Option<Window> {
        let mut windows = self.runs.values().map(|r| r.window);
        let first = windows.next().unwrap_or_default();
        windows.all(|w| w == first).then_some(first)
    }

    pub fn merge(&mut self, other: Partial) {
        self.census.merge(other.census);
        for (key, c) in other.coverage {
            let entry = self.coverage.entry(key).or_default();
            entry.coverage.merge(c.coverage);
            entry.files += c.files;
        }
        for (id, run) in other.runs {
            let mine = self.runs.entry(id).or_default();
            mine.times += run.times;
            mine.incomplete |= run.incomplete;
            mine.window = merged_window(mine.window, run.window);
        }
    }

    /// How many runs ended incomplete.
    pub fn incomplete_runs(&self) -> usize {
        self.runs.values().filter(|r| r.incomplete).count()
    }

    /// Whether any run read a connection record.
    pub fn held_records(&self) -> bool {
        self.coverage.values().any(|c| c.coverage.records > 0)
    }
}

/// One row of the table, borrowed where it can be.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Row<'a> {
    record: Cow<'a, str>,
    instance: Cow<'a, str>,
    engine: Cow<'a, str>,
    user: Cow<'a, str>,
    database: Cow<'a, str>,
    application: Cow<'a, str>,
    client_host: Cow<'a, str>,
    item: Cow<'a, str>,
    detail: Cow<'a, str>,
    count: u64,
    first: Option<i64>,
    last: Option<i64>,
}

impl<'a> Row<'a> {
    fn of_client(record: &'static str, key: &'a ClientKey) -> Row<'a> {
        Row {
            record: record.into(),
            instance: key.instance.as_str().into(),
            engine: key.engine.name().into(),
            user: key.user.as_str().into(),
            database: key.database.as_str().into(),
            application: key.application.as_str().into(),
            client_host: key.client_host.as_str().into(),
            ..Row::default()
        }
    }

    fn of_address(record: &'static str, key: &'a AddressKey) -> Row<'a> {
        Row {
            record: record.into(),
            instance: key.instance.as_str().into(),
            engine: key.engine.name().into(),
            client_host: key.host.as_str().into(),
            ..Row::default()
        }
    }

    fn item(mut self, item: impl Into<Cow<'a, str>>) -> Self {
        self.item = item.into();
        self
    }

    fn detail(mut self, detail: impl Into<Cow<'a, str>>) -> Self {
        self.detail = detail.into();
        self
    }

    fn count(mut self, count: u64) -> Self {
        self.count = count;
        self
    }

    fn span(mut self, span: Span) -> Self {
        self.first = span.first;
        self.last = span.last;
        self
    }

    fn tally(self, tally: Tally) -> Self {
        self.count(tally.count).span(tally.span)
    }

    fn span_of(&self) -> Span {
        Span {
            first: self.first,
            last: self.last,
        }
    }

    fn tally_of(&self) -> Tally {
        Tally {
            count: self.count,
            span: self.span_of(),
        }
    }
}

/// A field of a stats record that is one count, by its name in `item` (or
/// `detail`).
type Field<T> = (&'static str, fn(&T) -> u64, fn(&mut T) -> &mut u64);

const CLIENT_COUNTS: [Field<ClientStats>; 13] = [
    ("tls_sessions", |s| s.tls_sessions, |s| &mut s.tls_sessions),
    (
        "plain_sessions",
        |s| s.plain_sessions,
        |s| &mut s.plain_sessions,
    ),
    ("gss_sessions", |s| s.gss_sessions, |s| &mut s.gss_sessions),
    (
        "replication_sessions",
        |s| s.replication_sessions,
        |s| &mut s.replication_sessions,
    ),
    (
        "unknown_transport_sessions",
        |s| s.unknown_transport_sessions,
        |s| &mut s.unknown_transport_sessions,
    ),
    (
        "verifying_protocol_sessions",
        |s| s.verifying_protocol_sessions,
        |s| &mut s.verifying_protocol_sessions,
    ),
    (
        "disconnections",
        |s| s.disconnections,
        |s| &mut s.disconnections,
    ),
    (
        "session_millis",
        |s| s.session_millis,
        |s| &mut s.session_millis,
    ),
    (
        "unchecked_plaintext",
        |s| s.unchecked_plaintext,
        |s| &mut s.unchecked_plaintext,
    ),
    (
        "ambiguous_tls",
        |s| s.ambiguous_tls,
        |s| &mut s.ambiguous_tls,
    ),
    (
        "clause_imitations",
        |s| s.clause_imitations,
        |s| &mut s.clause_imitations,
    ),
    (
        "pushdown_sessions",
        |s| s.pushdown_sessions,
        |s| &mut s.pushdown_sessions,
    ),
    // `sessions` is the `client` row's count; listed for reading only.
    ("sessions", |_| 0, |s| &mut s.sessions),
];

const CAPTURED_COUNTS: [Field<CapturedStats>; 5] = [
    ("tls_sessions", |s| s.tls_sessions, |s| &mut s.tls_sessions),
    (
        "plain_sessions",
        |s| s.plain_sessions,
        |s| &mut s.plain_sessions,
    ),
    (
        "login_only_sessions",
        |s| s.login_only_sessions,
        |s| &mut s.login_only_sessions,
    ),
    (
        "unknown_transport_sessions",
        |s| s.unknown_transport_sessions,
        |s| &mut s.unknown_transport_sessions,
    ),
    (
        "client_certificates",
        |s| s.client_certificates,
        |s| &mut s.client_certificates,
    ),
];

const COVERAGE_COUNTS: [Field<FilesCoverage>; 4] = [
    ("logins", |c| c.coverage.logins, |c| &mut c.coverage.logins),
    (
        "outside_window",
        |c| c.coverage.outside_window,
        |c| &mut c.coverage.outside_window,
    ),
    // Counted, without where the first step was: a merge cannot say.
    (
        "backwards",
        |c| c.coverage.backwards,
        |c| &mut c.coverage.backwards,
    ),
    ("files", |c| c.files, |c| &mut c.files),
];

const FAILURE_KINDS: [(FailureKind, &str); 4] = [
    (FailureKind::CertificateRejected, "certificate_rejected"),
    (FailureKind::Negotiation, "negotiation"),
    (FailureKind::Aborted, "aborted"),
    (FailureKind::Other, "other"),
];

const TRANSPORTS: [(TransportKey, &str); 4] = [
    (TransportKey::Tls, "tls"),
    (TransportKey::Gss, "gss"),
    (TransportKey::Plain, "plain"),
    (TransportKey::Unknown, "unknown"),
];

const ENGINES: [Engine; 5] = [
    Engine::Postgres,
    Engine::Mysql,
    Engine::Mariadb,
    Engine::Oracle,
    Engine::SqlServer,
];

fn name_of<T: PartialEq + Copy>(table: &[(T, &'static str)], value: T) -> &'static str {
    table
        .iter()
        .find(|(v, _)| *v == value)
        .map_or("", |(_, name)| name)
}

fn counts_rows<'a>(
    rows: &mut Vec<Row<'a>>,
    base: &Row<'a>,
    record: &'static str,
    counts: &'a Counts,
) {
    for (text, n) in counts.iter() {
        rows.push(
            Row {
                record: record.into(),
                ..base.clone()
            }
            .item(text)
            .count(n),
        );
    }
}

/// Rows turned into one table at a time: the table's copy of the text
/// costs a batch, not the whole census.
const WRITE_BATCH_ROWS: usize = 16_384;

/// The partial's rows, a batch at a time to `flush`, in a fixed order:
/// runs and coverage, then clients and addresses by key.
fn each_batch<'a>(
    partial: &'a Partial,
    mut flush: impl FnMut(&[Row<'a>]) -> Result<()>,
) -> Result<()> {
    let mut rows = Vec::new();
    run_rows(partial, &mut rows);
    let mut clients: Vec<_> = partial.census.clients.iter().collect();
    clients.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut addresses: Vec<_> = partial.census.addresses.iter().collect();
    addresses.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let clients = clients.into_iter().map(|(k, s)| Part::Client(k, s));
    let addresses = addresses.into_iter().map(|(k, s)| Part::Address(k, s));
    for part in clients.chain(addresses) {
        match part {
            Part::Client(key, stats) => client_rows(key, stats, &mut rows),
            Part::Address(key, stats) => address_rows(key, stats, &mut rows),
        }
        if rows.len() >= WRITE_BATCH_ROWS {
            flush(&rows)?;
            rows.clear();
        }
    }
    if !rows.is_empty() {
        flush(&rows)?;
    }
    Ok(())
}

/// A client or an address, in the order their rows are written.
enum Part<'a> {
    Client(&'a ClientKey, &'a ClientStats),
    Address(&'a AddressKey, &'a AddressStats),
}

/// One run's window as its rows may come: either bound from either part.
fn merged_window(a: Window, b: Window) -> Window {
    Window {
        since: a.since.or(b.since),
        until: a.until.or(b.until),
    }
}

/// The rows of the runs, the unmatched and the coverage.
fn run_rows<'a>(partial: &'a Partial, rows: &mut Vec<Row<'a>>) {
    for (id, run) in &partial.runs {
        rows.push(
            Row {
                record: "run".into(),
                ..Row::default()
            }
            .item(format!("{id:016x}"))
            .detail(if run.incomplete { "incomplete" } else { "" })
            .count(run.times),
        );
        for (bound, time) in [("since", run.window.since), ("until", run.window.until)] {
            if let Some(time) = time {
                rows.push(
                    Row {
                        record: "run_window".into(),
                        ..Row::default()
                    }
                    .item(format!("{id:016x}"))
                    .detail(bound)
                    .count(1)
                    .span(Span {
                        first: Some(time),
                        last: Some(time),
                    }),
                );
            }
        }
    }
    if partial.census.unmatched.disconnections > 0 {
        rows.push(
            Row {
                record: "unmatched".into(),
                ..Row::default()
            }
            .item("disconnections")
            .count(partial.census.unmatched.disconnections),
        );
    }
    for ((instance, engine), c) in &partial.coverage {
        let base = Row {
            record: "coverage".into(),
            instance: instance.as_str().into(),
            engine: engine.map_or("", Engine::name).into(),
            ..Row::default()
        };
        for (name, get, _) in COVERAGE_COUNTS {
            if get(c) > 0 {
                rows.push(
                    Row {
                        record: "coverage_count".into(),
                        ..base.clone()
                    }
                    .item(name)
                    .count(get(c)),
                );
            }
        }
        rows.push(base.count(c.coverage.records).span(c.coverage.span));
    }
}

/// A `YYYY-MM-DD` day back to days since the epoch.
fn day_of(text: &str) -> Result<i32> {
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| anyhow!("`{text}` is not a day (YYYY-MM-DD)"))?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch");
    i32::try_from((date - epoch).num_days()).map_err(|_| anyhow!("`{text}` is out of range"))
}

/// A client's rows.
fn client_rows<'a>(key: &'a ClientKey, stats: &'a ClientStats, rows: &mut Vec<Row<'a>>) {
    let base = Row::of_client("client", key);
    rows.push(base.clone().count(stats.sessions).span(stats.seen));
    let with = |record: &'static str| Row {
        record: record.into(),
        ..base.clone()
    };
    for (name, get, _) in CLIENT_COUNTS {
        if get(stats) > 0 {
            rows.push(with("client_count").item(name).count(get(stats)));
        }
    }
    if stats.prefer_fallbacks != Tally::default() {
        rows.push(with("prefer_fallbacks").tally(stats.prefer_fallbacks));
    }
    counts_rows(rows, &base, "tls_version", &stats.tls_versions);
    counts_rows(rows, &base, "cipher", &stats.ciphers);
    counts_rows(rows, &base, "auth_method", &stats.auth_methods);
    counts_rows(rows, &base, "driver", &stats.drivers);
    for (day, c) in stats.days.iter() {
        for (detail, n) in [("tls", c.tls), ("plain", c.plain)] {
            if n > 0 {
                rows.push(
                    with("client_day")
                        .item(crate::census::day_text(day))
                        .detail(detail)
                        .count(n),
                );
            }
        }
    }
    let names = &stats.raw_names;
    if names.keep() > 0 {
        rows.push(with("raw_names_keep").count(names.keep() as u64));
    }
    let mut hashes: Vec<u64> = names.hashes().collect();
    hashes.sort_unstable();
    for hash in hashes {
        rows.push(with("raw_name").item(format!("{hash:016x}")).count(1));
    }
    for example in names.examples() {
        rows.push(with("raw_name_example").item(example.as_str()).count(1));
    }
    for (view, captured) in &stats.captured {
        let view_row = with("captured").item(view.as_str());
        rows.push(
            view_row
                .clone()
                .count(captured.sessions)
                .span(captured.span),
        );
        let with_view = |record: &'static str| Row {
            record: record.into(),
            ..view_row.clone()
        };
        for (name, get, _) in CAPTURED_COUNTS {
            if get(captured) > 0 {
                rows.push(
                    with_view("captured_count")
                        .detail(name)
                        .count(get(captured)),
                );
            }
        }
        for (text, n) in captured.tls_versions.iter() {
            rows.push(with_view("captured_tls_version").detail(text).count(n));
        }
        for (text, n) in captured.ciphers.iter() {
            rows.push(with_view("captured_cipher").detail(text).count(n));
        }
        for (tag, number) in &captured.captures {
            rows.push(
                with_view("captured_capture")
                    .detail(format!("{tag:016x}/{number}"))
                    .count(1),
            );
        }
    }
}

/// An address's rows.
fn address_rows<'a>(key: &'a AddressKey, stats: &'a AddressStats, rows: &mut Vec<Row<'a>>) {
    rows.push(Row::of_address("address", key).tally(stats.abandoned));
    for (day, c) in stats.failure_days.iter() {
        rows.push(
            Row::of_address("address_failure_day", key)
                .item(crate::census::day_text(day))
                .count(c.failures),
        );
    }
    for ((kind, reason), tally) in &stats.handshake_failures {
        rows.push(
            Row::of_address("handshake_failure", key)
                .item(name_of(&FAILURE_KINDS, *kind))
                .detail(reason.as_str())
                .tally(*tally),
        );
    }
    for (attempt, tally) in &stats.rejections {
        let (record, detail) = match &attempt.rejection {
            Rejection::Hba => ("rejection_hba", ""),
            Rejection::Authentication(method) => ("rejection_authentication", method.as_str()),
            Rejection::Refused(why) => ("rejection_refused", why.as_str()),
        };
        rows.push(Row {
            user: attempt.user.as_str().into(),
            database: attempt.database.as_str().into(),
            application: attempt.application.as_str().into(),
            ..Row::of_address(record, key)
                .item(name_of(&TRANSPORTS, attempt.transport))
                .detail(detail)
                .tally(*tally)
        });
    }
}

/// Writes `partial` as Parquet.
pub fn write<W: Write>(partial: &Partial, mut out: W) -> Result<()> {
    let mut writer = ParquetWriter::new(&mut out)
        .batched(frame(&[])?.schema())
        .context("writing the partial")?;
    each_batch(partial, |rows| {
        writer
            .write_batch(&frame(rows)?)
            .context("writing the partial")
    })?;
    writer.finish().context("writing the partial")?;
    out.flush().context("writing the partial")?;
    Ok(())
}

/// A batch of rows as a table.
fn frame(rows: &[Row<'_>]) -> Result<DataFrame> {
    let text = |name: &str, f: for<'r> fn(&'r Row<'_>) -> &'r str| {
        Column::new(name.into(), rows.iter().map(f).collect::<Vec<&str>>())
    };
    let time = |name: &str, f: fn(&Row) -> Option<i64>| -> Result<Column> {
        Ok(Series::new(
            name.into(),
            rows.iter().map(f).collect::<Vec<Option<i64>>>(),
        )
        .cast(&time_type())?
        .into())
    };
    let columns = vec![
        Column::new(COLUMNS[0].into(), vec![VERSION; rows.len()]),
        text(COLUMNS[1], |r| &r.record),
        text(COLUMNS[2], |r| &r.instance),
        text(COLUMNS[3], |r| &r.engine),
        text(COLUMNS[4], |r| &r.user),
        text(COLUMNS[5], |r| &r.database),
        text(COLUMNS[6], |r| &r.application),
        text(COLUMNS[7], |r| &r.client_host),
        text(COLUMNS[8], |r| &r.item),
        text(COLUMNS[9], |r| &r.detail),
        Column::new(
            COLUMNS[10].into(),
            rows.iter().map(|r| r.count).collect::<Vec<u64>>(),
        ),
        time(COLUMNS[11], |r| r.first)?,
        time(COLUMNS[12], |r| r.last)?,
    ];
    DataFrame::new(rows.len(), columns).context("building the partial table")
}

fn time_type() -> DataType {
    DataType::Datetime(TimeUnit::Milliseconds, Some(TimeZone::UTC))
}

/// Reads a partial; every error names the file.
pub fn read(path: &Path) -> Result<Partial> {
    // polars' Parquet reader can panic on a damaged file (an assertion in
    // a page decoder, tests/mutation.rs): that file fails, not the merge.
    sslcensus_parsers::caught::catch(|| read_file(path))
        .unwrap_or_else(|_| Err(anyhow!("damaged: the Parquet reader failed inside")))
        .with_context(|| format!("{}", path.display()))
}

fn read_file(path: &Path) -> Result<Partial> {
    let file = std::fs::File::open(path).context("cannot open")?;
    let df = ParquetReader::new(file)
        .finish()
        .map_err(|e| anyhow!("not a Parquet file ({e})"))?;
    let missing: Vec<&str> = COLUMNS
        .into_iter()
        .filter(|c| df.column(c).is_err())
        .collect();
    if missing.contains(&"partial_version") {
        bail!(
            "not an sslcensus partial (no partial_version column): write one with `sslcensus analyze --partial FILE.parquet`"
        );
    }
    let column = |name: &str, dtype: &DataType| -> Result<Series> {
        df.column(name)?
            .as_materialized_series()
            .strict_cast(dtype)
            .map_err(|e| anyhow!("column {name} is not {dtype} ({e})"))
    };
    let versions = column("partial_version", &DataType::UInt32)?;
    let versions = versions.u32()?;
    if let Some(v) = (0..versions.len())
        .map(|i| versions.get(i))
        .find(|v| *v != Some(VERSION))
    {
        match v {
            Some(v) => bail!(
                "a partial of schema version {v}; this sslcensus reads version {VERSION} (merge partials with the sslcensus that wrote them)"
            ),
            None => bail!("a row without a partial_version"),
        }
    }
    if !missing.is_empty() {
        bail!("not an sslcensus partial: no column {}", missing.join(", "));
    }
    let texts: Vec<Series> = COLUMNS[1..10]
        .iter()
        .map(|name| column(name, &DataType::String))
        .collect::<Result<_>>()?;
    let texts = texts
        .iter()
        .map(|s| s.str().map_err(anyhow::Error::from))
        .collect::<Result<Vec<_>>>()?;
    let counts = column("count", &DataType::UInt64)?;
    let counts = counts.u64()?;
    let firsts = column("first_seen", &time_type())?;
    let lasts = column("last_seen", &time_type())?;
    let firsts = firsts.datetime()?.physical();
    let lasts = lasts.datetime()?.physical();
    let row_at = |i: usize| {
        let cell = |c: usize| Cow::Borrowed(texts[c].get(i).unwrap_or(""));
        Row {
            record: cell(0),
            instance: cell(1),
            engine: cell(2),
            user: cell(3),
            database: cell(4),
            application: cell(5),
            client_host: cell(6),
            item: cell(7),
            detail: cell(8),
            count: counts.get(i).unwrap_or(0),
            first: firsts.get(i),
            last: lasts.get(i),
        }
    };
    if counts.null_count() > 0 {
        bail!("a row without a count");
    }
    let mut partial = Partial::default();
    // A client's number of examples first: examples past it are dropped
    // as they are added.
    let is_keep = |i: &usize| texts[0].get(*i) == Some("raw_names_keep");
    let rows = 0..df.height();
    let order = rows
        .clone()
        .filter(is_keep)
        .chain(rows.filter(|i| !is_keep(i)));
    for i in order {
        let row = row_at(i);
        add(&mut partial, &row)
            .with_context(|| format!("row {} (a `{}` row)", i + 1, row.record))?;
    }
    if let Some((id, run)) = partial.runs.iter().find(|(_, r)| r.times > 1) {
        bail!(
            "it holds run {id:016x} {} times: a run merged more than once counts its clients more than once",
            run.times
        );
    }
    // What the verdicts subtract must add up (a damaged or hand-made file).
    for (key, stats) in &partial.census.clients {
        if stats.unknown_transport_sessions > stats.sessions {
            bail!(
                "client {}/{}@{} from {}: more sessions of unknown transport than sessions",
                key.instance,
                key.user,
                key.database,
                key.client_host
            );
        }
    }
    Ok(partial)
}

fn engine(text: &str) -> Result<Engine> {
    ENGINES
        .into_iter()
        .find(|e| e.name() == text)
        .ok_or_else(|| anyhow!("unknown engine `{text}`"))
}

fn named<T: Copy>(table: &[(T, &'static str)], text: &str, what: &str) -> Result<T> {
    table
        .iter()
        .find(|(_, name)| *name == text)
        .map(|(v, _)| *v)
        .ok_or_else(|| anyhow!("unknown {what} `{text}`"))
}

fn field<'t, T>(table: &'t [Field<T>], name: &str) -> Result<&'t Field<T>> {
    table
        .iter()
        .find(|(n, _, _)| *n == name)
        .ok_or_else(|| anyhow!("unknown count `{name}`"))
}

fn client<'p>(partial: &'p mut Partial, row: &Row) -> Result<&'p mut ClientStats> {
    let key = ClientKeyRef {
        instance: &row.instance,
        engine: engine(&row.engine)?,
        user: &row.user,
        database: &row.database,
        application: &row.application,
        client_host: &row.client_host,
    };
    let clients = &mut partial.census.clients;
    if clients.get(&key).is_none() {
        clients.insert(Arc::new(key.to_key()), Box::default());
    }
    Ok(clients.get_mut(&key).expect("inserted above"))
}

fn address<'p>(partial: &'p mut Partial, row: &Row) -> Result<&'p mut AddressStats> {
    let key = AddressKey {
        instance: row.instance.to_string(),
        engine: engine(&row.engine)?,
        host: row.client_host.to_string(),
    };
    Ok(partial.census.addresses.entry(key).or_default())
}

/// Adds one row to what was read: every row is a merge of its part.
fn add(partial: &mut Partial, row: &Row) -> Result<()> {
    match row.record.as_ref() {
        "run" => {
            let id = u64::from_str_radix(&row.item, 16)
                .map_err(|_| anyhow!("`{}` is not a run id", row.item))?;
            let incomplete = match row.detail.as_ref() {
                "" => false,
                "incomplete" => true,
                other => bail!("unknown detail `{other}`"),
            };
            let run = partial.runs.entry(id).or_default();
            run.times += row.count;
            run.incomplete |= incomplete;
        }
        "run_window" => {
            let id = u64::from_str_radix(&row.item, 16)
                .map_err(|_| anyhow!("`{}` is not a run id", row.item))?;
            let time = row
                .first
                .ok_or_else(|| anyhow!("a run's window bound without a time"))?;
            let window = &mut partial.runs.entry(id).or_default().window;
            match row.detail.as_ref() {
                "since" => window.since = Some(time),
                "until" => window.until = Some(time),
                other => bail!("unknown detail `{other}`"),
            }
        }
        "unmatched" => match row.item.as_ref() {
            "disconnections" => partial.census.unmatched.disconnections += row.count,
            other => bail!("unknown item `{other}`"),
        },
        "coverage" | "coverage_count" => {
            let engine = match row.engine.as_ref() {
                "" => None,
                text => Some(engine(text)?),
            };
            let c = partial
                .coverage
                .entry((row.instance.to_string(), engine))
                .or_default();
            if row.record == "coverage" {
                c.coverage.records += row.count;
                c.coverage.span.merge(row.span_of());
            } else {
                *(field(&COVERAGE_COUNTS, &row.item)?.2)(c) += row.count;
            }
        }
        "client" => {
            let stats = client(partial, row)?;
            stats.sessions += row.count;
            stats.seen.merge(row.span_of());
        }
        "client_count" => {
            let f = field(&CLIENT_COUNTS, &row.item)?.2;
            *f(client(partial, row)?) += row.count;
        }
        "prefer_fallbacks" => client(partial, row)?.prefer_fallbacks.merge(row.tally_of()),
        "tls_version" => client(partial, row)?.tls_versions.add(&row.item, row.count),
        "cipher" => client(partial, row)?.ciphers.add(&row.item, row.count),
        "auth_method" => client(partial, row)?.auth_methods.add(&row.item, row.count),
        "driver" => client(partial, row)?.drivers.add(&row.item, row.count),
        "client_day" => {
            let day = day_of(&row.item)?;
            let counts = match row.detail.as_ref() {
                "tls" => DayCounts::tls(row.count),
                "plain" => DayCounts::plain(row.count),
                other => return Err(anyhow!("`{other}` is not tls or plain")),
            };
            client(partial, row)?.days.add_day(day, counts);
        }
        "address_failure_day" => {
            let day = day_of(&row.item)?;
            address(partial, row)?
                .failure_days
                .add_day(day, DayCounts::failures(row.count));
        }
        "raw_names_keep" => {
            let keep = usize::try_from(row.count).unwrap_or(usize::MAX);
            client(partial, row)?.raw_names.merge_parts(keep, [], []);
        }
        "raw_name" => {
            let hash = u64::from_str_radix(&row.item, 16)
                .map_err(|_| anyhow!("`{}` is not a hash", row.item))?;
            client(partial, row)?.raw_names.merge_parts(0, [hash], []);
        }
        "raw_name_example" => {
            client(partial, row)?
                .raw_names
                .merge_parts(0, [], [row.item.as_ref()])
        }
        "captured"
        | "captured_count"
        | "captured_tls_version"
        | "captured_cipher"
        | "captured_capture" => {
            let stats = client(partial, row)?;
            let captured = stats.captured.entry(row.item.to_string()).or_default();
            match row.record.as_ref() {
                "captured" => {
                    captured.sessions += row.count;
                    captured.span.merge(row.span_of());
                }
                "captured_count" => {
                    *(field(&CAPTURED_COUNTS, &row.detail)?.2)(captured) += row.count
                }
                "captured_tls_version" => captured.tls_versions.add(&row.detail, row.count),
                "captured_cipher" => captured.ciphers.add(&row.detail, row.count),
                _ => {
                    let id = row
                        .detail
                        .split_once('/')
                        .and_then(|(tag, number)| {
                            Some((u64::from_str_radix(tag, 16).ok()?, number.parse().ok()?))
                        })
                        .ok_or_else(|| anyhow!("`{}` is not a capture id", row.detail))?;
                    captured.captures.insert(id);
                }
            }
        }
        "address" => address(partial, row)?.abandoned.merge(row.tally_of()),
        "handshake_failure" => {
            let kind = named(&FAILURE_KINDS, &row.item, "failure kind")?;
            address(partial, row)?
                .handshake_failures
                .entry((kind, row.detail.to_string()))
                .or_default()
                .merge(row.tally_of());
        }
        "rejection_hba" | "rejection_authentication" | "rejection_refused" => {
            let rejection = match row.record.as_ref() {
                "rejection_hba" => Rejection::Hba,
                "rejection_authentication" => Rejection::Authentication(row.detail.to_string()),
                _ => Rejection::Refused(row.detail.to_string()),
            };
            let attempt = RejectedAttempt {
                user: row.user.to_string(),
                database: row.database.to_string(),
                application: row.application.to_string(),
                transport: named(&TRANSPORTS, &row.item, "transport")?,
                rejection,
            };
            address(partial, row)?
                .rejections
                .entry(attempt)
                .or_default()
                .merge(row.tally_of());
        }
        other => bail!("unknown record `{other}`"),
    }
    Ok(())
}

/// The partials in `paths` merged, each file's errors named; all are
/// tried, so every bad one is said.
pub fn read_all(paths: &[impl AsRef<Path>]) -> (Partial, Vec<anyhow::Error>) {
    let mut merged = Partial::default();
    let mut errors = Vec::new();
    // Which file each run came from: a shard given twice (a retried job's
    // upload, a merged partial beside its parts) is refused, not summed.
    let mut run_files: BTreeMap<u64, &Path> = BTreeMap::new();
    for path in paths {
        let path = path.as_ref();
        match read(path) {
            Ok(partial) => {
                let twice: Vec<String> = partial
                    .runs
                    .keys()
                    .filter_map(|id| {
                        run_files.insert(*id, path).map(|other| {
                            format!("run {id:016x}, which {} holds too", other.display())
                        })
                    })
                    .collect();
                if twice.is_empty() {
                    merged.merge(partial);
                } else {
                    errors.push(anyhow!(
                        "{}: holds {}: merging a run twice would count its clients twice",
                        path.display(),
                        twice.join(", ")
                    ));
                }
            }
            Err(e) => errors.push(e),
        }
    }
    (merged, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(app: &str, host: &str) -> ClientKey {
        ClientKey {
            instance: "orders-db".into(),
            engine: Engine::Postgres,
            user: "app".into(),
            database: "orders".into(),
            application: app.into(),
            client_host: host.into(),
        }
    }

    fn tally(count: u64, first: i64, last: i64) -> Tally {
        Tally {
            count,
            span: Span {
                first: Some(first),
                last: Some(last),
            },
        }
    }

    /// A census with every field of every part set.
    fn census(salt: u64) -> Partial {
        let mut census = Census::default();
        let mut stats = ClientStats {
            seen: tally(0, 1000, 2000 + salt as i64).span,
            sessions: 7 + salt,
            tls_sessions: 5,
            plain_sessions: 2,
            gss_sessions: 1,
            replication_sessions: 1,
            unknown_transport_sessions: 1,
            verifying_protocol_sessions: 1,
            disconnections: 6,
            session_millis: 12_345,
            prefer_fallbacks: tally(2, 1500, 1600),
            unchecked_plaintext: 1,
            ambiguous_tls: 1,
            clause_imitations: 1,
            pushdown_sessions: 2,
            ..ClientStats::default()
        };
        stats.tls_versions.add("TLSv1.3", 4);
        stats.tls_versions.add("TLSv1.2", 1);
        stats.days.add(
            Some(86_400_000 * 20_000 + 5),
            DayCounts {
                tls: 4,
                plain: 1,
                failures: 0,
            },
        );
        stats.ciphers.add("TLS_AES_256_GCM_SHA384", 5);
        stats.auth_methods.add("scram-sha-256", 7);
        stats.drivers.add("pgjdbc 42.7", 2);
        for name in ["worker 1", "worker 2", "worker 3", "worker 4", "a;b, \"c\""] {
            stats.raw_names.see(name, 3);
        }
        let mut captured = CapturedStats {
            sessions: 3,
            tls_sessions: 2,
            plain_sessions: 1,
            login_only_sessions: 1,
            unknown_transport_sessions: 1,
            client_certificates: 1,
            span: tally(0, 900, 950).span,
            ..CapturedStats::default()
        };
        captured.tls_versions.add("TLSv1.3", 2);
        captured.ciphers.add("ECDHE-RSA-AES256-GCM-SHA384", 2);
        captured.captures.extend([(u64::MAX - salt, 0), (7, 3)]);
        stats.captured.insert("pg_stat_ssl".into(), captured);
        census
            .clients
            .insert(Arc::new(key("billing", "10.0.0.5")), Box::new(stats));
        // A client with nothing but its key.
        census
            .clients
            .insert(Arc::new(key("", "[local]")), Box::default());
        let mut address = AddressStats {
            abandoned: tally(3, 10, 20),
            ..AddressStats::default()
        };
        address.handshake_failures.insert(
            (
                FailureKind::CertificateRejected,
                "tlsv1 alert unknown ca".into(),
            ),
            tally(4, 11, 19),
        );
        address
            .handshake_failures
            .insert((FailureKind::Other, String::new()), tally(1, 12, 12));
        for (rejection, transport) in [
            (Rejection::Hba, TransportKey::Plain),
            (
                Rejection::Authentication("password".into()),
                TransportKey::Tls,
            ),
            (
                Rejection::Refused("TNS-12514".into()),
                TransportKey::Unknown,
            ),
        ] {
            address.rejections.insert(
                RejectedAttempt {
                    user: "app".into(),
                    database: "orders".into(),
                    application: "[unknown]".into(),
                    transport,
                    rejection,
                },
                tally(2, 13, 14),
            );
        }
        census.addresses.insert(
            AddressKey {
                instance: "orders-db".into(),
                engine: Engine::Postgres,
                host: "10.0.0.5".into(),
            },
            address,
        );
        census.addresses.insert(
            AddressKey {
                instance: "orders-db".into(),
                engine: Engine::Mariadb,
                host: "10.0.0.6".into(),
            },
            AddressStats::default(),
        );
        census.unmatched.disconnections = 4;
        let mut coverage = BTreeMap::new();
        coverage.insert(
            ("orders-db".to_string(), Some(Engine::Postgres)),
            FilesCoverage {
                coverage: Coverage {
                    records: 40,
                    outside_window: 2,
                    backwards: 3,
                    logins: 7,
                    span: tally(0, 5, 2500).span,
                    ..Coverage::default()
                },
                files: 2,
            },
        );
        coverage.insert(("orders-db".to_string(), None), FilesCoverage::default());
        Partial {
            census,
            coverage,
            runs: BTreeMap::from([(
                salt,
                Run {
                    times: 1,
                    incomplete: salt == 0,
                    // A window on some runs, so that its rows go round too.
                    window: Window {
                        since: (salt % 2 == 1).then_some(1_795_000_000_000 + salt as i64),
                        until: (salt % 3 == 1).then_some(1_796_000_000_000),
                    },
                },
            )]),
        }
    }

    /// Everything a partial holds, in an order.
    type Flat = (
        Vec<(ClientKey, ClientStats)>,
        BTreeMap<AddressKey, AddressStats>,
        u64,
        BTreeMap<(String, Option<Engine>), FilesCoverage>,
        BTreeMap<u64, Run>,
    );

    fn flat(p: &Partial) -> Flat {
        let mut clients: Vec<(ClientKey, ClientStats)> = p
            .census
            .clients
            .iter()
            .map(|(k, s)| ((**k).clone(), (**s).clone()))
            .collect();
        clients.sort_by(|a, b| a.0.cmp(&b.0));
        (
            clients,
            p.census.addresses.clone().into_iter().collect(),
            p.census.unmatched.disconnections,
            p.coverage.clone(),
            p.runs.clone(),
        )
    }

    fn round_trip(p: &Partial) -> Partial {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.parquet");
        let mut bytes = Vec::new();
        write(p, &mut bytes).unwrap();
        std::fs::write(&path, bytes).unwrap();
        read(&path).unwrap()
    }

    #[test]
    fn partial_census_round_trips_exactly() {
        let p = census(0);
        assert_eq!(flat(&round_trip(&p)), flat(&p));
        // And keeping every example.
        let mut all = Partial::default();
        let mut stats = ClientStats::default();
        for name in ["b", "a", "c", "d"] {
            stats.raw_names.see(name, usize::MAX);
        }
        all.census
            .clients
            .insert(Arc::new(key("x", "h")), Box::new(stats));
        assert_eq!(flat(&round_trip(&all)), flat(&all));
    }

    #[test]
    fn partial_read_back_merges_as_the_census_merges() {
        let (a, b) = (census(0), census(1));
        let mut expected = census(0);
        expected.merge(census(1));
        let mut merged = round_trip(&a);
        merged.merge(round_trip(&b));
        assert_eq!(flat(&merged), flat(&expected));
        assert_eq!(expected.runs.len(), 2);
        assert_eq!(expected.incomplete_runs(), 1);
        // Written again, the same rows as the merge of the rows.
        assert_eq!(flat(&round_trip(&merged)), flat(&expected));
    }

    #[test]
    fn partial_of_many_batches_round_trips() {
        let mut many = Partial::default();
        for i in 0..WRITE_BATCH_ROWS + 10 {
            let stats = ClientStats {
                sessions: i as u64,
                ..ClientStats::default()
            };
            many.census
                .clients
                .insert(Arc::new(key(&format!("app {i}"), "h")), Box::new(stats));
        }
        assert_eq!(flat(&round_trip(&many)), flat(&many));
    }

    /// Reading a partial of the one `row`, written at `path`: its error,
    /// causes and all.
    fn read_error_of(row: Row, path: &Path) -> String {
        let mut df = frame(&[row]).unwrap();
        ParquetWriter::new(std::fs::File::create(path).unwrap())
            .finish(&mut df)
            .unwrap();
        format!("{:#}", read(path).unwrap_err())
    }

    #[test]
    fn partial_rows_sslcensus_does_not_know_are_refused_by_row() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("client", "db2", "", "unknown engine `db2`"),
            (
                "client_count",
                "postgres",
                "sessions_2",
                "unknown count `sessions_2`",
            ),
            ("hosts", "postgres", "", "unknown record `hosts`"),
            ("raw_name", "postgres", "xyz", "`xyz` is not a hash"),
        ];
        let path = dir.path().join("inconsistent.parquet");
        let row = Row {
            record: "client_count".into(),
            engine: "postgres".into(),
            item: "unknown_transport_sessions".into(),
            count: 2,
            ..Row::default()
        };
        let e = read_error_of(row, &path);
        assert!(
            e.ends_with("more sessions of unknown transport than sessions"),
            "{e}"
        );
        // A run merged twice into one file (the SQL over a shard given twice).
        let row = Row {
            record: "run".into(),
            item: "00000000000000ff".into(),
            count: 2,
            ..Row::default()
        };
        let e = read_error_of(row, &path);
        assert!(e.contains("it holds run 00000000000000ff 2 times"), "{e}");
        for (record, engine, item, why) in cases {
            let row = Row {
                record: record.into(),
                engine: engine.into(),
                item: item.into(),
                ..Row::default()
            };
            let path = dir.path().join("bad.parquet");
            assert_eq!(
                read_error_of(row, &path),
                format!("{}: row 1 (a `{record}` row): {why}", path.display())
            );
        }
    }

    #[test]
    fn partial_rows_of_nothing_but_a_run() {
        let run = Partial::of_run(Census::default(), &[], false, Window::default());
        let mut rows = Vec::new();
        each_batch(&run, |batch| {
            rows.extend_from_slice(batch);
            Ok(())
        })
        .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].record, "run");
    }
}
