//! Session dumps: what a DBA saved of the engines' session views
//! (`pg_stat_ssl` + `pg_stat_activity`, performance_schema, `sys.dm_exec_*`)
//! again and again, in the form a client printed it.
//!
//! Two kinds of plug-in, kept apart:
//! - a **form** ([`forms`]) is how a client printed a table: psql aligned,
//!   unaligned, CSV, expanded, JSON; mysql `-B`, `-t`, `\G`; sqlcmd. It turns
//!   lines into [`Event`]s: rows of named cells, capture starts, capture
//!   times printed between captures, lines that do not fit;
//! - a **schema** ([`schemas`]) is which engine view the columns are. It turns
//!   one row into a [`Captured`] session (or a connect attribute).
//!
//! [`DumpReader`] puts a form and the schemas together line by line and gives
//! each session its capture time: a time column of the capture query, else a
//! time line printed between captures, else the caller's (the file name, the
//! user's, the file's modification time). Nothing here knows clients,
//! sessions across captures or reports.

pub mod forms;
pub mod schemas;

use std::borrow::Cow;
use std::fmt;

use crate::observation::Millis;
use crate::time::parse_timestamp;

pub use forms::{DumpForm, FORMS, FormReader};
pub use schemas::{Captured, CapturedSession, DumpSchema, DumpTransport, SCHEMAS};

/// One row of a capture: cells by column name (lower case, without a table
/// qualifier), as the query named them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Row {
    /// The line the row starts on (1-based, in the file).
    pub line: u64,
    /// The cells in the order the form gave them: the column name as
    /// [`column_name`] spells it, and the text (`None` where the form marks
    /// no value).
    pub cells: Vec<(String, Option<String>)>,
}

/// How clients spell NULL (psql prints nothing, mysql and sqlcmd `NULL`,
/// `mysqldump`-style TSV `\N`).
const NULLS: [&str; 5] = ["", "NULL", "\\N", "(null)", "<null>"];

impl Row {
    /// An empty row starting on `line`.
    pub fn new(line: u64) -> Row {
        Row {
            line,
            cells: Vec::new(),
        }
    }

    /// Adds a cell; the name is spelt as schemas look it up ([`column_name`]).
    pub fn push(&mut self, name: &str, value: Option<String>) {
        self.cells.push((column_name(name), value));
    }

    /// The value of a column; `None` when the column is absent or NULL (or
    /// empty: psql prints NULL and the empty string alike).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.cells
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
            .map(str::trim)
            .filter(|v| !NULLS.contains(v))
    }

    /// The first of these columns that has a value.
    pub fn any(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|n| self.get(n))
    }

    /// Whether the row has this column, NULL or not.
    pub fn has(&self, name: &str) -> bool {
        self.cells.iter().any(|(n, _)| n == name)
    }

    /// The row's column names, in order.
    pub fn columns(&self) -> Vec<String> {
        self.cells.iter().map(|(n, _)| n.clone()).collect()
    }
}

/// A column name as schemas look it up: lower case, trimmed, unquoted,
/// without a table qualifier (`a.pid` → `pid`, `"PROCESSLIST_ID"` →
/// `processlist_id`).
pub fn column_name(name: &str) -> String {
    let name = name
        .trim()
        .trim_matches(|c| matches!(c, '"' | '`' | '[' | ']'));
    let name = name.rsplit_once('.').map_or(name, |(_, n)| n);
    name.to_ascii_lowercase()
}

/// What a form makes of its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A capture begins (a header, an expanded record 1, a JSON array).
    Start,
    /// A capture ends (a `(N rows)` footer).
    End,
    /// A row of the capture under way.
    Row(Row),
    /// A line that should have been part of a table and does not fit it.
    Bad {
        /// The line it is on (1-based).
        line: u64,
        /// What is wrong with it, for the skipped-line message.
        why: &'static str,
    },
}

/// Where a capture's time came from; the report says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimeSource {
    /// A column of the capture query (`captured_at`, `now()`, `GETDATE()`).
    Column,
    /// A time printed on a line of its own between captures (`date -u`).
    Line,
    /// A time in the file's name (`pg_stat_ssl_20261129T040112Z.csv`).
    FileName,
    /// `--captured-at`.
    Given,
    /// The file's modification time: every capture in it gets that one time.
    FileModified,
}

impl TimeSource {
    /// How the report names this source.
    pub fn describe(self) -> &'static str {
        match self {
            TimeSource::Column => "a time column of the capture query",
            TimeSource::Line => "the time lines between captures",
            TimeSource::FileName => "the file name",
            TimeSource::Given => "--captured-at",
            TimeSource::FileModified => {
                "the file's modification time (no time column, time line or time in the name: all its captures share it)"
            }
        }
    }
}

/// Columns a capture query names its capture time with.
pub const TIME_COLUMNS: [&str; 10] = [
    "captured_at",
    "capture_time",
    "sampled_at",
    "snapshot_time",
    "now",
    "current_timestamp",
    "getdate",
    "sysdatetime",
    "sysutcdatetime",
    "statement_timestamp",
];

/// What starts a note `sslcensus capture` writes between captures (a gap
/// while the server could not be reached): never a row, never a time.
pub const NOTE_PREFIX: &str = "# sslcensus:";

/// A note line of `sslcensus capture` (see [`NOTE_PREFIX`]).
pub fn is_note(line: &str) -> bool {
    line.starts_with(NOTE_PREFIX)
}

/// A gap `sslcensus capture` noted (`# sslcensus: no capture from FROM to
/// TO: why`, FROM an RFC 3339 time or `the start`): when it began, if
/// known, and when it ended.
pub fn gap(line: &str) -> Option<(Option<Millis>, Millis)> {
    let text = line.strip_prefix(NOTE_PREFIX)?.trim_start();
    let text = text.strip_prefix("no capture from ")?;
    let (from, rest) = text.split_once(" to ")?;
    let to = rest.split_whitespace().next()?.trim_end_matches(':');
    let to = parse_timestamp(to)?.millis;
    let from = parse_timestamp(from).map(|t| t.millis);
    Some((from, to))
}

/// A time printed on a line of its own between captures: the output of
/// `date -u +%FT%TZ` or `date -u` (`Sun Nov 29 04:01:12 UTC 2026`), as is
/// or behind `--`, `#`, `==` decorations or the words `captured at`.
pub fn time_line(line: &str) -> Option<Millis> {
    let decoration = |c: char| c.is_whitespace() || matches!(c, '#' | '-' | '=' | '*' | '[' | ']');
    let mut text = line.trim_matches(decoration);
    for word in ["captured at", "capture at", "capture", "captured", "time"] {
        if let Some(rest) = strip_prefix_ignore_case(text, word) {
            text = rest.trim_start_matches(|c: char| c == ':' || c.is_whitespace());
            break;
        }
    }
    if let Some(t) = parse_timestamp(text) {
        return Some(t.millis);
    }
    date_output(text)
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| text.get(prefix.len()..))
        .flatten()
}

/// `date`'s default output in the C locale: `Sun Nov 29 04:01:12 UTC 2026`.
fn date_output(text: &str) -> Option<Millis> {
    // `date` prints 28 bytes (`Sun Nov 29 04:01:12 UTC 2026`); detection
    // runs this on every sampled line of every file, and a log line is long:
    // turn it away before splitting it. Six words at most, for the same reason.
    if text.len() > 40 {
        return None;
    }
    let mut words = text.split_whitespace();
    let parts: Vec<&str> = words.by_ref().take(6).collect();
    if words.next().is_some() {
        return None;
    }
    let [_, month, day, time, zone, year] = parts.as_slice() else {
        return None;
    };
    if !matches!(*zone, "UTC" | "GMT") {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| m == month)? + 1;
    let day: u32 = day.parse().ok()?;
    parse_timestamp(&format!("{year}-{month:02}-{day:02} {time}")).map(|t| t.millis)
}

/// A time in a file name: `20261129T040112Z`, `2026-11-29T04:01:12Z`,
/// `2026-11-29_04-01-12`, `2026-11-29-0401`: the first such run of digits.
pub fn time_in_name(name: &str) -> Option<Millis> {
    let digits: Vec<(usize, u8)> = name
        .bytes()
        .enumerate()
        .filter(|(_, b)| b.is_ascii_digit())
        .collect();
    // Fourteen digits (date and time to the second) or twelve (to the
    // minute), close together: no more than two separators between groups.
    for want in [14usize, 12] {
        for start in 0..digits.len() {
            let Some(run) = digits.get(start..start + want) else {
                break;
            };
            let spread = run[want - 1].0 - run[0].0 + 1;
            if spread > want + 6 {
                continue;
            }
            let d: String = run.iter().map(|&(_, b)| char::from(b)).collect();
            let seconds = if want == 14 { d.get(12..14)? } else { "00" };
            let text = format!(
                "{}-{}-{} {}:{}:{seconds}",
                d.get(0..4)?,
                d.get(4..6)?,
                d.get(6..8)?,
                d.get(8..10)?,
                d.get(10..12)?
            );
            if let Some(t) = parse_timestamp(&text) {
                return Some(t.millis);
            }
        }
    }
    None
}

/// A form and the schema of its first capture, as detected or forced.
#[derive(Clone, Copy)]
pub struct DumpFormat {
    /// How the client printed the table.
    pub form: &'static dyn DumpForm,
    /// Which engine view the first capture's columns are.
    pub schema: &'static dyn DumpSchema,
    /// Drawn with box characters (psql's `linestyle=unicode`): each line is
    /// read as the ASCII line style would print it.
    pub boxes: bool,
}

impl fmt::Debug for DumpFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DumpFormat({self})")
    }
}

impl fmt::Display for DumpFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let boxes = if self.boxes { ", unicode lines" } else { "" };
        write!(
            f,
            "{} dump ({}{boxes})",
            self.schema.name(),
            self.form.name()
        )
    }
}

/// The head's first lines, as detection reads them.
fn head_lines(head: &[u8]) -> Vec<String> {
    let whole = match memchr::memrchr(b'\n', head) {
        Some(end) if end + 1 < head.len() => &head[..end],
        _ => head,
    };
    whole
        .split(|&b| b == b'\n')
        .map(|l| String::from_utf8_lossy(l.strip_suffix(b"\r").unwrap_or(l)).into_owned())
        .take(400)
        .collect()
}

/// Tells a dump from the head of a file: the first form whose shape the
/// lines have and whose first capture's columns a schema knows. `forced`
/// is a form's id (`--format`): only that form is tried.
pub fn detect(head: &[u8], forced: Option<&str>) -> Option<DumpFormat> {
    if memchr::memchr(0, &head[..head.len().min(8192)]).is_some() {
        return None;
    }
    let mut lines = head_lines(head);
    let boxes = lines.iter().any(|l| is_box_rule(l));
    if boxes {
        lines = lines.iter().map(|l| ascii_lines(l).into_owned()).collect();
    }
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let head = forms::Head::new(&lines);
    for form in FORMS {
        if forced.is_some_and(|id| id != form.id()) {
            continue;
        }
        let Some(columns) = form.columns(&head) else {
            continue;
        };
        let columns: Vec<String> = columns.iter().map(|c| column_name(c)).collect();
        if let Some(schema) = schemas::schema_for(&columns) {
            return Some(DumpFormat {
                form: *form,
                schema,
                boxes,
            });
        }
    }
    None
}

/// A rule drawn with box characters: psql's `linestyle=unicode` header
/// rule (`──┼──`), a border-2 frame (`┌──┬`), an expanded record's header
/// (`─[ RECORD 1 ]──┬──`).
fn is_box_rule(line: &str) -> bool {
    line.trim_start()
        .chars()
        .next()
        .is_some_and(|c| ('\u{2500}'..='\u{257F}').contains(&c))
}

/// A line of a box-drawn table as psql's ASCII line style prints it:
/// horizontal lines `-`, vertical ones `|`, joints and corners `+`, the
/// wrapped form's `…` and `↵` markers `.` and `+` (psql lays out both
/// styles alike, one character for one). A value holding these characters
/// is changed the same way.
fn ascii_lines(line: &str) -> Cow<'_, str> {
    let drawn = |c: char| ('\u{2500}'..='\u{257F}').contains(&c) || c == '…' || c == '↵';
    if !line.chars().any(drawn) {
        return Cow::Borrowed(line);
    }
    Cow::Owned(
        line.chars()
            .map(|c| match c {
                '─' | '━' | '═' | '┄' | '┅' | '┈' | '┉' | '╌' | '╍' => '-',
                '│' | '┃' | '║' | '┆' | '┇' | '┊' | '┋' | '╎' | '╏' => '|',
                '…' => '.',
                '↵' => '+',
                c if drawn(c) => '+',
                c => c,
            })
            .collect(),
    )
}

/// The form ids `--format` takes.
pub fn form_ids() -> Vec<&'static str> {
    FORMS.iter().map(|f| f.id()).collect()
}

/// Receives what a dump holds.
pub trait DumpSink {
    /// A session row of capture number `capture` (counted from 0 in the
    /// file), taken at `time`.
    fn session(
        &mut self,
        line: u64,
        capture: u32,
        time: Option<(Millis, TimeSource)>,
        session: CapturedSession<'_>,
    );
    /// A connect attribute of a MySQL-family session (a
    /// `session_connect_attrs` row).
    fn attribute(&mut self, line: u64, processlist_id: u64, name: &str, value: &str);
    /// A line or row that cannot be read, and why: it does not fit the
    /// table, no session view has its columns, or a value does not parse.
    fn malformed(&mut self, line: u64, why: &'static str);
    /// A gap `sslcensus capture` noted (see [`gap`]).
    fn gap(&mut self, _line: u64, _from: Option<Millis>, _to: Millis) {}
}

/// Reads one dump file line by line.
pub struct DumpReader {
    reader: Box<dyn FormReader>,
    format: DumpFormat,
    /// The caller's time for captures that carry none.
    fallback: Option<(Millis, TimeSource)>,
    /// The latest time line.
    line_time: Option<Millis>,
    /// Capture number, and whether a capture is under way.
    capture: u32,
    open: bool,
    /// The time column of the last row: a new time is a new capture (rows
    /// with no header between captures: sqlcmd -h -1, row_to_json).
    column_time: Option<Millis>,
    events: Vec<Event>,
}

impl DumpReader {
    /// A reader of a file in `format`; `fallback` is the time for captures
    /// that carry none (the file name's, the user's, the file's modification
    /// time).
    pub fn new(format: DumpFormat, fallback: Option<(Millis, TimeSource)>) -> DumpReader {
        DumpReader {
            reader: format.form.reader(),
            format,
            fallback,
            line_time: None,
            capture: 0,
            open: false,
            column_time: None,
            events: Vec::new(),
        }
    }

    /// Feeds the next line (1-based `number`, without its newline).
    pub fn line(&mut self, number: u64, line: &str, sink: &mut impl DumpSink) {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let ascii;
        let line = if self.format.boxes {
            ascii = ascii_lines(line);
            ascii.as_ref()
        } else {
            line
        };
        if is_note(line) {
            if let Some((from, to)) = gap(line) {
                sink.gap(number, from, to);
            }
            return;
        }
        if let Some(time) = time_line(line) {
            // Rows held back belong to the capture before the time line.
            self.reader.boundary(&mut self.events);
            self.drain(sink);
            self.line_time = Some(time);
            self.end_capture();
            return;
        }
        self.reader.line(number, line, &mut self.events);
        self.drain(sink);
    }

    /// The end of the file.
    pub fn finish(&mut self, sink: &mut impl DumpSink) {
        self.reader.finish(&mut self.events);
        self.drain(sink);
    }

    fn end_capture(&mut self) {
        if self.open {
            self.capture += 1;
            self.open = false;
        }
    }

    fn drain(&mut self, sink: &mut impl DumpSink) {
        for event in std::mem::take(&mut self.events) {
            match event {
                Event::Start => self.end_capture(),
                Event::End => self.end_capture(),
                Event::Bad { line, why } => sink.malformed(line, why),
                Event::Row(row) => self.row(&row, sink),
            }
        }
    }

    fn row(&mut self, row: &Row, sink: &mut impl DumpSink) {
        // Each capture may be of another view (two queries per capture).
        let schema = if self.format.schema.fits(&row.columns()) {
            self.format.schema
        } else if let Some(schema) = schemas::schema_for(&row.columns()) {
            self.format.schema = schema;
            schema
        } else {
            sink.malformed(row.line, "a row of columns no session view has");
            return;
        };
        let time = match row.any(&TIME_COLUMNS) {
            Some(text) => match parse_timestamp(text) {
                Some(t) => {
                    if self.column_time.is_some_and(|last| last != t.millis) {
                        self.end_capture();
                    }
                    self.column_time = Some(t.millis);
                    Some((t.millis, TimeSource::Column))
                }
                None => {
                    sink.malformed(row.line, "the capture time column does not hold a time");
                    return;
                }
            },
            None => self
                .line_time
                .map(|t| (t, TimeSource::Line))
                .or(self.fallback),
        };
        self.open = true;
        match schema.read(row) {
            Ok(Captured::Session(session)) => sink.session(row.line, self.capture, time, session),
            Ok(Captured::Attribute {
                processlist_id,
                name,
                value,
            }) => sink.attribute(row.line, processlist_id, name, value),
            Ok(Captured::NotAClient) => {}
            Err(why) => sink.malformed(row.line, why),
        }
    }
}

/// Splits `line` at `separator`, honouring CSV quotes (`"a,b"`, `""`) when
/// `quoted`; `None` for a quote left open.
pub fn split_fields(line: &str, separator: &str, quoted: bool) -> Option<Vec<String>> {
    if separator.is_empty() {
        return Some(vec![line.to_string()]);
    }
    if !quoted || !line.contains('"') {
        return Some(line.split(separator).map(str::to_string).collect());
    }
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        let trimmed = rest.trim_start_matches(' ');
        if let Some(inner) = trimmed.strip_prefix('"') {
            let mut value = String::new();
            let mut tail = inner;
            loop {
                let (text, after) = tail.split_once('"')?;
                value.push_str(text);
                if let Some(again) = after.strip_prefix('"') {
                    value.push('"');
                    tail = again;
                } else {
                    tail = after;
                    break;
                }
            }
            fields.push(value);
            let tail = tail.trim_start_matches(' ');
            match tail.strip_prefix(separator) {
                Some(next) => rest = next,
                None if tail.is_empty() => return Some(fields),
                None => return None,
            }
        } else {
            match rest.split_once(separator) {
                Some((field, next)) => {
                    fields.push(field.to_string());
                    rest = next;
                }
                None => {
                    fields.push(rest.to_string());
                    return Some(fields);
                }
            }
        }
    }
}

/// `(3 rows)`, `(1 row)` (psql), `(3 rows affected)` (sqlcmd), `3 rows in
/// set (0.00 sec)`, `Empty set (0.00 sec)` (mysql).
pub fn is_footer(line: &str) -> bool {
    let t = line.trim();
    if let Some(inner) = t.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        let mut words = inner.split_whitespace();
        return words
            .next()
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
            && words.next().is_some_and(|w| w == "row" || w == "rows");
    }
    t.starts_with("Empty set")
        || t.split_once(' ').is_some_and(|(n, rest)| {
            n.bytes().all(|b| b.is_ascii_digit())
                && (rest.starts_with("rows in set") || rest.starts_with("row in set"))
        })
}

/// Whether a line is only dashes and the given joints (`-----+----`,
/// `---------- -----`, `+----+`).
pub fn is_rule(line: &str, joints: &[char]) -> bool {
    let t = line.trim_end();
    t.contains("--") && t.chars().all(|c| c == '-' || joints.contains(&c))
}

/// The column extents a rule line gives: char ranges of its dash runs.
pub fn rule_extents(rule: &str) -> Vec<std::ops::Range<usize>> {
    let mut extents = Vec::new();
    let mut start = None;
    for (i, c) in rule.chars().chain(std::iter::once(' ')).enumerate() {
        match (c == '-', start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                extents.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    extents
}

/// Cuts a line into the cells under each extent (char positions), trimmed;
/// `None` unless the characters between extents are `joint` (or the line
/// ends there) — a misaligned line is cut otherwise.
pub fn cut_at(line: &str, extents: &[std::ops::Range<usize>], joint: char) -> Option<Vec<String>> {
    let chars: Vec<char> = line.chars().collect();
    for pair in extents.windows(2) {
        let end = pair[1].start.min(chars.len());
        let start = pair[0].end.min(end);
        if chars[start..end].iter().any(|&c| c != joint) {
            return None;
        }
    }
    // The last column runs to the end of the line: a value wider than its
    // header's rule (a hand-edited file) is not cut.
    let last = extents.len().saturating_sub(1);
    Some(
        extents
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let end = if i == last {
                    chars.len()
                } else {
                    r.end.min(chars.len())
                };
                let start = r.start.min(end);
                let cell = chars[start..end].iter().collect::<String>();
                let cell = cell.trim();
                // A closing border (mysql -t) after the last cell.
                let cell = if i == last {
                    cell.strip_suffix(joint).map_or(cell, str::trim_end)
                } else {
                    cell
                };
                cell.to_string()
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Millis = 1_795_924_872_000; // 2026-11-29 04:01:12 UTC

    /// psql 15's output of one query in `linestyle=unicode` and in `ascii`
    /// (aligned, border 2, expanded, wrapped with `…` and `↵`): the first
    /// read as the second, character for character.
    #[test]
    fn box_drawn_tables_read_as_their_ascii_style() {
        let table = [
            (" pid  │ usename  │ ssl ", " pid  | usename  | ssl "),
            ("──────┼──────────┼─────", "------+----------+-----"),
            (" 4243 │ x        │ a|b", " 4243 | x        | a|b"),
            ("┌──────┬──────────┐", "+------+----------+"),
            ("├──────┼──────────┤", "+------+----------+"),
            ("└──────┴──────────┘", "+------+----------+"),
            ("│ 4242 │ app-user │", "| 4242 | app-user |"),
            ("─[ RECORD 1 ]────┬─────────", "-[ RECORD 1 ]----+---------"),
            ("application_name │ y", "application_name | y"),
            (
                " 4242 │ app-user │ app_long_running_orders_service_…│ multi↵",
                " 4242 | app-user | app_long_running_orders_service_.| multi+",
            ),
            (
                "      │          │…with_a_long_application_name     │ line",
                "      |          |.with_a_long_application_name     | line",
            ),
            ("(2 rows)", "(2 rows)"),
        ];
        for (unicode, ascii) in table {
            assert_eq!(ascii_lines(unicode), ascii, "{unicode}");
        }
        assert!(matches!(ascii_lines("(2 rows)"), Cow::Borrowed(_)));
        assert!(is_box_rule("──────┼─────"));
        assert!(is_box_rule("─[ RECORD 1 ]────┬─────────"));
        assert!(is_box_rule("┌──────┬───┐"));
        assert!(!is_box_rule(" pid  │ usename"));
        assert!(!is_box_rule("------+-----"));
    }

    #[test]
    fn time_lines_between_captures() {
        let table = [
            ("2026-11-29T04:01:12Z", Some(T)),
            ("-- 2026-11-29 04:01:12+00", Some(T)),
            ("# captured at 2026-11-29T04:01:12Z", Some(T)),
            ("=== 2026-11-29 04:01:12 UTC ===", Some(T)),
            ("Sun Nov 29 04:01:12 UTC 2026", Some(T)),
            ("capture: 2026-11-29T04:01:12Z", Some(T)),
            (" 12345 | app | 2026-11-29 04:01:12+00", None),
            ("captured_at: 2026-11-29 04:01:12", None),
            ("(3 rows)", None),
            ("", None),
        ];
        for (line, want) in table {
            assert_eq!(time_line(line), want, "{line:?}");
        }
    }

    #[test]
    fn times_in_file_names() {
        let table = [
            ("pg_stat_ssl_20261129T040112Z.csv", Some(T)),
            ("sessions-2026-11-29T04:01:12Z.txt", Some(T)),
            ("dump.2026-11-29_04-01-12.tsv", Some(T)),
            ("capture-2026-11-29-0401.txt", Some(T - 12_000)),
            ("sessions.txt", None),
            ("pg15-main-5432.csv", None),
        ];
        for (name, want) in table {
            assert_eq!(time_in_name(name), want, "{name}");
        }
    }

    #[test]
    fn fields_split_with_and_without_quotes() {
        let table = [
            ("a,b,c", ",", true, Some(vec!["a", "b", "c"])),
            (
                "\"a,b\",\"say \"\"hi\"\"\",",
                ",",
                true,
                Some(vec!["a,b", "say \"hi\"", ""]),
            ),
            ("\"open,b", ",", true, None),
            ("a::b::c", "::", false, Some(vec!["a", "b", "c"])),
            ("\"x\"|y", "|", false, Some(vec!["\"x\"", "y"])),
        ];
        for (line, sep, quoted, want) in table {
            let want = want.map(|w| w.into_iter().map(String::from).collect::<Vec<_>>());
            assert_eq!(split_fields(line, sep, quoted), want, "{line}");
        }
    }

    #[test]
    fn footers_and_rules() {
        for footer in [
            "(3 rows)",
            "(1 row)",
            "(12 rows affected)",
            "3 rows in set (0.00 sec)",
            "Empty set (0.001 sec)",
        ] {
            assert!(is_footer(footer), "{footer}");
        }
        for not in ["(a rows)", "rows", " 3 | x"] {
            assert!(!is_footer(not), "{not}");
        }
        assert!(is_rule("-----+------", &['+']));
        assert!(is_rule("+----+---+", &['+']));
        assert!(!is_rule("-", &['+']));
        assert_eq!(rule_extents("---- --"), vec![0..4, 5..7]);
        assert_eq!(
            cut_at(" 12 | app", &[0..4, 5..9], '|'),
            Some(vec!["12".to_string(), "app".to_string()])
        );
        assert_eq!(cut_at(" 12 x app", &[0..4, 5..9], '|'), None);
    }

    /// What a sink saw, one line per call.
    #[derive(Default)]
    struct Seen(Vec<String>);

    impl DumpSink for Seen {
        fn session(
            &mut self,
            line: u64,
            capture: u32,
            time: Option<(Millis, TimeSource)>,
            s: CapturedSession<'_>,
        ) {
            let time = time.map(|(t, source)| format!("{}s {source:?}", (t - T) / 1000));
            self.0.push(format!(
                "{line}: #{capture} {} {} {} {}@{} {:?}",
                time.unwrap_or_default(),
                s.source,
                s.id,
                s.user,
                s.host,
                s.transport
            ));
        }
        fn attribute(&mut self, line: u64, id: u64, name: &str, value: &str) {
            self.0.push(format!("{line}: attr {id} {name}={value}"));
        }
        fn malformed(&mut self, line: u64, why: &'static str) {
            self.0.push(format!("{line}: bad: {why}"));
        }
    }

    fn read_all(text: &str, fallback: Option<(Millis, TimeSource)>) -> Vec<String> {
        let format = detect(text.as_bytes(), None).expect("a dump");
        let mut reader = DumpReader::new(format, fallback);
        let mut seen = Seen::default();
        for (i, line) in text.lines().enumerate() {
            reader.line(i as u64 + 1, line, &mut seen);
        }
        reader.finish(&mut seen);
        seen.0
    }

    #[test]
    fn capture_times_from_lines_columns_and_the_caller() {
        // Two psql captures, each after a `date -u` line.
        let text = "2026-11-29T04:01:12Z\n pid | usename | client_addr | ssl\n-----+---------+-------------+-----\n   7 | app     | 10.0.0.5    | t\n(1 row)\n\n2026-11-29T04:02:12Z\n pid | usename | client_addr | ssl\n-----+---------+-------------+-----\n   7 | app     | 10.0.0.5    | t\n   8 | app     | 10.0.0.6    | x\n(2 rows)\n";
        assert_eq!(
            read_all(text, Some((T + 99_000, TimeSource::FileModified))),
            [
                "4: #0 0s Line pg_stat_ssl 7 app@10.0.0.5 Tls { protocol: None, cipher: None }",
                "10: #1 60s Line pg_stat_ssl 7 app@10.0.0.5 Tls { protocol: None, cipher: None }",
                "11: bad: ssl is neither true nor false",
            ]
        );
        // A time column wins; without one, the caller's time.
        let csv =
            "captured_at,pid,usename,ssl\n2026-11-29 04:01:12+00,7,app,f\nnot a time,8,app,f\n";
        assert_eq!(
            read_all(csv, None),
            [
                "2: #0 0s Column pg_stat_ssl 7 app@ Plain",
                "3: bad: the capture time column does not hold a time",
            ]
        );
        let plain = "pid,usename,ssl\n7,app,f\n";
        assert_eq!(
            read_all(plain, Some((T, TimeSource::FileName))),
            ["2: #0 0s FileName pg_stat_ssl 7 app@ Plain"]
        );
    }

    #[test]
    fn notes_of_sslcensus_capture_are_skipped() {
        // A gap note first in the file (detection looks past it) and between captures.
        let text = "# sslcensus: no capture from 2026-11-29T04:00:12Z to 2026-11-29T04:01:12Z: connection refused\ncaptured_at,pid,usename,ssl\n2026-11-29 04:01:12+00,7,app,f\n# sslcensus: no capture from 2026-11-29T04:01:12Z to 2026-11-29T04:03:12Z: server closed the connection\ncaptured_at,pid,usename,ssl\n2026-11-29 04:03:12+00,7,app,f\n";
        assert_eq!(
            read_all(text, None),
            [
                "3: #0 0s Column pg_stat_ssl 7 app@ Plain",
                "6: #1 120s Column pg_stat_ssl 7 app@ Plain",
            ]
        );
        assert_eq!(
            time_line("# sslcensus: no capture from 2026-11-29T04:00:12Z"),
            None
        );
        let table = [
            (
                "# sslcensus: no capture from 2026-11-29T04:00:12Z to 2026-11-29T04:01:12Z: connection refused",
                Some((Some(T - 60_000), T)),
            ),
            (
                "# sslcensus: no capture from the start to 2026-11-29T04:01:12Z (stopped): refused",
                Some((None, T)),
            ),
            ("# sslcensus: something else", None),
            (
                "no capture from 2026-11-29T04:00:12Z to 2026-11-29T04:01:12Z",
                None,
            ),
        ];
        for (line, want) in table {
            assert_eq!(gap(line), want, "{line}");
        }
    }

    #[test]
    fn one_capture_may_hold_two_views() {
        // mysql -B: threads, then session_connect_attrs, in one file.
        let text = "PROCESSLIST_ID\tPROCESSLIST_USER\tPROCESSLIST_HOST\tCONNECTION_TYPE\n31\tapp-user\t127.0.0.32\tSSL/TLS\nPROCESSLIST_ID\tATTR_NAME\tATTR_VALUE\n31\tprogram_name\tmysql\nwhat\n";
        assert_eq!(
            read_all(text, None),
            [
                "2: #0  performance_schema.threads 31 app-user@127.0.0.32 Tls { protocol: None, cipher: None }",
                "4: attr 31 program_name=mysql",
                "5: bad: not as many fields as the header has columns (a separator inside a value?)",
            ]
        );
    }
}
