//! The pipeline: inputs → windows → chunks parsed in parallel → each
//! instance's stream correlator, in file order → one census.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;
use sslcensus_parsers::LinePrefix;
use sslcensus_parsers::dump::{
    self, CapturedSession, DumpFormat, DumpReader, DumpSink, TimeSource,
};
use sslcensus_parsers::observation::Malformed;
use sslcensus_parsers::{
    BEFORE_BYTES, DetectError, Engine, FormatChoice, LogFormat, Millis, count_lines, detect,
    detect_found, named_instance, scan_after, scan_line_after,
};

use crate::captures::{self, Captures};
use crate::census::{Census, Span};
use crate::correlate::{ChunkRooms, Correlator, Coverage, OpenState, Problem};
use crate::family::Families;
use crate::in_order::map_fold_in_order;
use crate::progress::Progress;
use crate::same_records;
use crate::source::{InputFile, WindowReader};
use crate::verdict::rfc3339;

/// How inputs are read.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub forced: Option<FormatChoice>,
    pub prefix: Option<LinePrefix>,
    /// How application names become families (default: on).
    pub families: Arc<Families>,
    /// The capture time of session dumps that carry none and whose file
    /// name holds none (`--captured-at`).
    pub captured_at: Option<Millis>,
    /// `--since`/`--until`: only records in it are read.
    pub window: crate::correlate::Window,
}

/// How reading one input ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileStatus {
    Read,
    /// Nothing in it: said, not an error.
    Empty,
    /// Found in a directory walk but not a log: said, not an error.
    NotALog(String),
    /// The same records as another input (RDS writes `postgresql.log.*`
    /// and `postgresql.log.*.csv` side by side): not read, said.
    SameAs(String),
    /// An error: unreadable, truncated, or named but not a log. What was
    /// read before the error still counts.
    Failed(String),
}

/// What happened to one input.
#[derive(Debug, Clone)]
pub struct FileSummary {
    pub display: String,
    pub instance: String,
    pub format: Option<String>,
    pub engine: Option<Engine>,
    pub caveat: Option<String>,
    pub lines: u64,
    pub skipped_lines: u64,
    pub invalid_utf8_lines: u64,
    /// The connection records it held.
    pub coverage: Coverage,
    pub status: FileStatus,
}

impl FileSummary {
    /// What a report lists of this input.
    pub fn fact(&self) -> crate::report::InputFact {
        let mut status = match &self.status {
            FileStatus::Read => "read".to_string(),
            FileStatus::Empty => "empty".to_string(),
            FileStatus::NotALog(why) => format!("not read: {why}"),
            FileStatus::SameAs(other) => format!("not read: the same records as {other}"),
            FileStatus::Failed(why) => format!("error: {why}"),
        };
        if let Some(caveat) = &self.caveat {
            status = format!("{status}; {caveat}");
        }
        crate::report::InputFact {
            file: self.display.clone(),
            instance: self.instance.clone(),
            format: self.format.clone().unwrap_or_default(),
            lines: self.lines,
            skipped: self.skipped_lines + self.invalid_utf8_lines,
            status,
            failed: matches!(self.status, FileStatus::Failed(_)),
        }
    }

    /// Nothing read yet.
    fn new(file: &InputFile, instance: &str) -> FileSummary {
        FileSummary {
            display: file.display.clone(),
            instance: instance.to_string(),
            format: None,
            engine: None,
            caveat: None,
            lines: 0,
            skipped_lines: 0,
            invalid_utf8_lines: 0,
            coverage: Coverage::default(),
            status: FileStatus::Read,
        }
    }
}

/// A line that could not be used, named by file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub file: String,
    pub line: u64,
    pub problem: Problem,
}

/// How many problems per file are kept to be shown; all are counted.
const PROBLEMS_SHOWN_PER_FILE: usize = 10;
/// How much of a file's start format detection reads.
const DETECT_BYTES: usize = 64 << 10;

/// Everything read.
#[derive(Debug, Default)]
pub struct Analysis {
    pub census: Census,
    pub files: Vec<FileSummary>,
    pub problems: Vec<LineProblem>,
}

/// What a run's files gave, counted: the closing line on stderr and the
/// HTML report's "read" say it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub files: usize,
    /// Files read to their end.
    pub read: u64,
    /// Files that failed part-way (a gzip cut short): read in part.
    pub in_part: u64,
    pub lines: u64,
    pub skipped: u64,
    pub invalid_utf8: u64,
}

impl std::fmt::Display for Totals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.read)?;
        if self.in_part > 0 {
            write!(f, " (and {} in part)", self.in_part)?;
        }
        write!(
            f,
            " of {} files, {} lines; {} connection lines skipped as malformed, {} lines not UTF-8",
            self.files, self.lines, self.skipped, self.invalid_utf8
        )
    }
}

impl Analysis {
    /// The files' counts together.
    pub fn totals(&self) -> Totals {
        let mut t = Totals {
            files: self.files.len(),
            ..Totals::default()
        };
        for f in &self.files {
            t.lines += f.lines;
            t.skipped += f.skipped_lines;
            t.invalid_utf8 += f.invalid_utf8_lines;
            match f.status {
                FileStatus::Read => t.read += 1,
                FileStatus::Failed(_) => t.in_part += u64::from(f.lines > 0),
                _ => {}
            }
        }
        t
    }

    pub fn failed(&self) -> bool {
        self.files
            .iter()
            .any(|f| matches!(f.status, FileStatus::Failed(_)))
    }

    /// Whether any input held a connection record: a run that read none
    /// (a wrong --format or prefix, an empty folder, empty stdin) has
    /// nothing to say and must not pass for a clean one.
    pub fn held_records(&self) -> bool {
        self.files.iter().any(|f| f.coverage.records > 0)
    }

    /// Per instance: its files' coverage together, and how many were read.
    pub fn coverage_by_instance(&self) -> BTreeMap<&str, (Coverage, usize)> {
        let mut by: BTreeMap<&str, (Coverage, usize)> = BTreeMap::new();
        for f in self.files.iter().filter(|f| f.status == FileStatus::Read) {
            let entry = by.entry(f.instance.as_str()).or_default();
            entry.0.merge(f.coverage);
            entry.1 += 1;
        }
        by
    }
}

/// A stream read across runs (`--state`): its instance, how its lines are
/// read, what they held so far, and its correlator's open state.
#[derive(Debug, Clone)]
pub struct Resumed {
    pub instance: String,
    pub format: LogFormat,
    pub coverage: Coverage,
    pub open: OpenState,
}

/// Gives each file whose envelope names its instance (a Cloud SQL
/// `database_id`, an Azure `resourceId`, a Kubernetes pod) that instance;
/// for when `--instance` is not given. Only a file starting with `{` (a
/// JSON envelope's record) has its head read and detected here; a plain
/// file costs one read of its first bytes, as the CloudWatch dump check.
pub fn name_instances_from_envelopes(files: &mut [InputFile], settings: &Settings) {
    for file in files {
        let Some(path) = &file.path else { continue };
        if !crate::source::head_is(path, |first| first.trim_ascii_start().starts_with(b"{")) {
            continue;
        }
        let mut head = vec![0; DETECT_BYTES];
        let Ok(got) = crate::source::open_text(path)
            .and_then(|text| crate::source::read_up_to(text, &mut head))
        else {
            continue;
        };
        let head = &head[..got];
        let detected = if file.explicit {
            detect(head, settings.forced, settings.prefix.as_ref())
        } else {
            detect_found(head, settings.forced, settings.prefix.as_ref())
        };
        if let Some(instance) = detected.ok().and_then(|d| named_instance(&d.format, head)) {
            file.instance = instance;
        }
    }
}

/// Reads every input. Instances run in parallel; the files of one instance
/// are read in order, so sessions spanning a log rotation are tied together.
pub fn analyze(files: &[InputFile], settings: &Settings, progress: &Progress) -> Analysis {
    analyze_streams(files, settings, progress, None).0
}

/// `--state`: reads every input (each a CloudWatch stream, by display
/// name) with a correlator of its own, resumed from `resumed` where the
/// stream has one; streams without new lines still count with what they
/// held. Returns what each stream leaves for the next run.
pub fn analyze_resuming(
    files: &[InputFile],
    settings: &Settings,
    progress: &Progress,
    resumed: BTreeMap<String, Resumed>,
) -> (Analysis, BTreeMap<String, Resumed>) {
    analyze_streams(files, settings, progress, Some(resumed))
}

fn analyze_streams(
    files: &[InputFile],
    settings: &Settings,
    progress: &Progress,
    resumed: Option<BTreeMap<String, Resumed>>,
) -> (Analysis, BTreeMap<String, Resumed>) {
    type Part<'a> = (Vec<&'a InputFile>, Option<BTreeMap<String, Resumed>>);
    let mut by_instance: BTreeMap<&str, Part> = BTreeMap::new();
    for file in files {
        let part = by_instance.entry(&file.instance).or_default();
        part.0.push(file);
        if resumed.is_some() {
            part.1.get_or_insert_default();
        }
    }
    for (display, stream) in resumed.iter().flatten() {
        let part = by_instance.entry(&stream.instance).or_default();
        part.1
            .get_or_insert_default()
            .insert(display.clone(), stream.clone());
    }
    let per_instance: Vec<(Analysis, BTreeMap<String, Resumed>)> = by_instance
        .into_par_iter()
        .map(|(instance, (files, resumed))| {
            // Under --state, a stream lost is a failed input, so that the
            // state keeping it is not written without it.
            let carried: Vec<InputFile> = resumed
                .iter()
                .flat_map(BTreeMap::keys)
                .filter(|display| !files.iter().any(|f| &f.display == *display))
                .map(|display| kept_stream(display, instance))
                .collect();
            // The last line of defence (a line that fails is already skipped
            // by the scan): a bug costs this instance's report, not the run's.
            sslcensus_parsers::caught::catch(|| {
                read_instance(instance, &files, settings, progress, resumed)
            })
            .unwrap_or_else(|_| {
                let lost: Vec<&InputFile> = files.iter().copied().chain(&carried).collect();
                (lost_instance(instance, &lost), BTreeMap::new())
            })
        })
        .collect();
    let mut all = Analysis::default();
    let mut left = BTreeMap::new();
    for (part, streams) in per_instance {
        all.census.merge(part.census);
        all.files.extend(part.files);
        all.problems.extend(part.problems);
        left.extend(streams);
    }
    (all, left)
}

/// An instance whose reading failed inside sslcensus: each file an error.
fn lost_instance(instance: &str, files: &[&InputFile]) -> Analysis {
    let files = files
        .iter()
        .map(|file| FileSummary {
            status: FileStatus::Failed(
                "internal error while reading this instance's logs (a bug in sslcensus: please report it); none of its files were used".into(),
            ),
            ..FileSummary::new(file, instance)
        })
        .collect();
    Analysis {
        files,
        ..Analysis::default()
    }
}

/// Splits a window at line boundaries into chunks sized to keep every core
/// busy without making chunks so small that their edges dominate.
fn chunk_ranges(window: &[u8]) -> Vec<Range<usize>> {
    let threads = rayon::current_num_threads().max(1);
    // Two a thread: fewer left the other core idle at the window's end
    // when one chunk ran long; more paid their per-chunk costs again.
    let target = (window.len() / (threads * 2)).clamp(256 << 10, 32 << 20);
    let mut ranges = Vec::new();
    let mut start = 0;
    while start < window.len() {
        let mut end = (start + target).min(window.len());
        if end < window.len() {
            end = memchr::memchr(b'\n', &window[end..]).map_or(window.len(), |i| end + i + 1);
        }
        ranges.push(start..end);
        start = end;
    }
    ranges
}

fn read_instance(
    instance: &str,
    files: &[&InputFile],
    settings: &Settings,
    progress: &Progress,
    mut resumed: Option<BTreeMap<String, Resumed>>,
) -> (Analysis, BTreeMap<String, Resumed>) {
    let mut stream: Option<Correlator> = None;
    // Under --state each stream has a correlator of its own, carried from
    // run to run: (display, format, coverage, correlator).
    let mut streams: Vec<(String, LogFormat, Coverage, Correlator)> = Vec::new();
    let mut captures = Captures::new(instance, settings.families.clone());
    let mut analysis = Analysis::default();
    let same = same_records::find(files, settings);
    // Chunks of one instance see the same clients: each runs in the room a
    // folded one left.
    let rooms = ChunkRooms::default();
    for (index, file) in files.iter().enumerate() {
        let mut summary = FileSummary::new(file, instance);
        if let Some(&kept) = same.get(&index) {
            summary.status = FileStatus::SameAs(files[kept].display.clone());
            analysis.files.push(summary);
            continue;
        }
        let mut format: Option<LogFormat> = None;
        if let Some(resumed) = &mut resumed {
            stream = None;
            if let Some(carried) = resumed.remove(&file.display) {
                summary.format = Some(carried.format.to_string());
                summary.engine = Some(carried.format.engine());
                summary.coverage = carried.coverage;
                stream = Some(resume(instance, &carried, settings));
                format = Some(carried.format);
            }
        }
        let mut reader = match WindowReader::open(file) {
            Ok(reader) => reader,
            Err(e) => {
                summary.status = FileStatus::Failed(format!("cannot open: {e}"));
                analysis.files.push(summary);
                continue;
            }
        };
        let mut dump: Option<DumpFile> = None;
        let mut consumed = 0;
        // The end of the window before, whole lines: what the next window's
        // first chunk follows (MariaDB prints a time only when it changes).
        let mut carried: Vec<u8> = Vec::new();
        loop {
            let window = match reader.next_window() {
                Ok(Some(window)) => window,
                Ok(None) => {
                    let grew = reader.grew();
                    if grew > 0 {
                        let note = format!(
                            "grew by {grew} bytes while it was read (a log still being written): what was written after the read began is not in this report"
                        );
                        summary.caveat = Some(match summary.caveat.take() {
                            Some(before) => format!("{before}; {note}"),
                            None => note,
                        });
                    }
                    break;
                }
                Err(e) => {
                    summary.status = FileStatus::Failed(format!(
                        "read error after line {}: {e}; the lines before it were used",
                        summary.lines
                    ));
                    break;
                }
            };
            if format.is_none() && dump.is_none() {
                let head = &window[..window.len().min(DETECT_BYTES)];
                // Session dumps first: a log never has a session view's header.
                let forced_dump = match settings.forced {
                    None => Some(None),
                    Some(FormatChoice::Dump(id)) => Some(Some(id)),
                    Some(_) => None,
                };
                if let Some(forced) = forced_dump {
                    match dump::detect(head, forced) {
                        Some(found) => {
                            summary.format = Some(found.to_string());
                            dump = Some(DumpFile::new(
                                found,
                                fallback_time(file, settings),
                                settings.window,
                            ));
                        }
                        None if forced.is_some() => {
                            summary.status = FileStatus::Failed(format!(
                                "not a {} dump of a session view sslcensus knows (pg_stat_ssl with pg_stat_activity, performance_schema.threads, session_connect_attrs, PROCESSLIST, sys.dm_exec_connections; see `sslcensus sql`)",
                                forced.unwrap_or_default()
                            ));
                            break;
                        }
                        None => {}
                    }
                }
            }
            if let Some(dump) = &mut dump {
                dump.feed(
                    window,
                    index,
                    &mut captures,
                    &mut summary,
                    &mut analysis.problems,
                );
                let now = reader.consumed();
                progress.add_bytes(now - consumed);
                consumed = now;
                continue;
            }
            if format.is_none() {
                let head = &window[..window.len().min(DETECT_BYTES)];
                let detected = if file.explicit {
                    detect(head, settings.forced, settings.prefix.as_ref())
                } else {
                    detect_found(head, settings.forced, settings.prefix.as_ref())
                };
                match detected {
                    Ok(detected) => {
                        summary.format = Some(detected.format.to_string());
                        summary.engine = Some(detected.format.engine());
                        summary.caveat = detected.caveat;
                        format = Some(detected.format);
                    }
                    Err(DetectError::Empty) => break,
                    Err(e) if file.explicit => {
                        summary.status = FileStatus::Failed(e.to_string());
                        break;
                    }
                    Err(e) => {
                        summary.status = FileStatus::NotALog(e.to_string());
                        break;
                    }
                }
            }
            let format = format.as_ref().expect("detected above");
            let stream = stream.get_or_insert_with(|| {
                Correlator::for_stream(instance, format.engine())
                    .with_families(settings.families.clone())
                    .with_window(settings.window)
                    .with_stored_names(format.gives_stored_names())
            });
            let ranges = chunk_ranges(window);
            let before = |range: &Range<usize>| match range.start {
                0 => &carried[..],
                start => &window[..start],
            };
            let mut folded = (&mut *stream, &mut summary, &mut analysis.problems);
            map_fold_in_order(
                &ranges,
                &mut folded,
                |range| {
                    let chunk = &window[range.clone()];
                    let mut local = Correlator::for_chunk(instance, format.engine(), rooms.take())
                        .with_families(settings.families.clone())
                        .with_window(settings.window)
                        .with_stored_names(format.gives_stored_names());
                    let lines = scan_after(format, before(range), chunk, &mut local);
                    (local.into_chunk_outcome(), lines)
                },
                |(stream, summary, problems), index, (mut outcome, lines)| {
                    let range = &ranges[index];
                    let chunk = &window[range.clone()];
                    for (offset, problem) in outcome.problems.drain(..) {
                        match problem {
                            Problem::Malformed(_) => summary.skipped_lines += 1,
                            Problem::InvalidUtf8 => summary.invalid_utf8_lines += 1,
                        }
                        if summary.skipped_lines + summary.invalid_utf8_lines
                            <= PROBLEMS_SHOWN_PER_FILE as u64
                        {
                            problems.push(LineProblem {
                                file: file.display.clone(),
                                line: summary.lines + count_lines(&chunk[..offset]) + 1,
                                problem,
                            });
                        }
                    }
                    summary.coverage.merge(outcome.coverage);
                    let room = stream.absorb(outcome, |correlator, offset| {
                        scan_line_after(format, before(range), chunk, offset, correlator)
                    });
                    rooms.give(room);
                    summary.lines += lines;
                    progress.add_lines(lines);
                },
            );
            let cut = window.len().saturating_sub(BEFORE_BYTES);
            let line_start = if cut == 0 || window[cut - 1] == b'\n' {
                cut
            } else {
                memchr::memchr(b'\n', &window[cut..]).map_or(window.len(), |i| cut + i + 1)
            };
            carried.clear();
            carried.extend_from_slice(&window[line_start..]);
            let now = reader.consumed();
            progress.add_bytes(now - consumed);
            consumed = now;
        }
        if let Some(mut dump) = dump {
            dump.finish(index, &mut captures, &mut summary, &mut analysis.problems);
        } else if format.is_none() && summary.status == FileStatus::Read {
            summary.status = FileStatus::Empty;
        }
        if resumed.is_some()
            && let (Some(format), Some(correlator)) = (format, stream.take())
        {
            streams.push((file.display.clone(), format, summary.coverage, correlator));
        }
        analysis.files.push(summary);
    }
    if let Some(resumed) = resumed {
        // Streams with no new event: what they held still counts.
        for (display, carried) in resumed {
            analysis.files.push(FileSummary {
                format: Some(carried.format.to_string()),
                engine: Some(carried.format.engine()),
                coverage: carried.coverage,
                ..FileSummary::new(&kept_stream(&display, instance), instance)
            });
            let correlator = resume(instance, &carried, settings);
            streams.push((display, carried.format, carried.coverage, correlator));
        }
        let mut left = BTreeMap::new();
        for (display, format, coverage, correlator) in streams {
            let open = correlator.open_state();
            analysis.census.merge(correlator.finish());
            let instance = instance.to_string();
            left.insert(
                display,
                Resumed {
                    instance,
                    format,
                    coverage,
                    open,
                },
            );
        }
        analysis.census.merge(captures.finish(None));
        captures::name_from_attributes(&mut analysis.census);
        return (analysis, left);
    }
    let log_engine = stream.as_ref().map(Correlator::engine);
    let mut census = stream.map(Correlator::finish).unwrap_or_default();
    census.merge(captures.finish(log_engine));
    captures::name_from_attributes(&mut census);
    analysis.census = census;
    (analysis, BTreeMap::new())
}

/// A stream the state holds, as an input of this run with no new line.
fn kept_stream(display: &str, instance: &str) -> InputFile {
    InputFile {
        path: None,
        display: display.to_string(),
        instance: instance.to_string(),
        explicit: false,
    }
}

/// A stream's correlator where the last run left it.
fn resume(instance: &str, carried: &Resumed, settings: &Settings) -> Correlator {
    Correlator::resume(instance, carried.format.engine(), carried.open.clone())
        .with_families(settings.families.clone())
        .with_window(settings.window)
        .with_stored_names(carried.format.gives_stored_names())
}

/// The capture time of a dump's captures that carry none: the file's name,
/// else `--captured-at`, else the file's modification time.
fn fallback_time(file: &InputFile, settings: &Settings) -> Option<(Millis, TimeSource)> {
    let path = file.path.as_ref();
    if let Some(t) = path
        .and_then(|p| p.file_name())
        .and_then(|n| dump::time_in_name(&n.to_string_lossy()))
    {
        return Some((t, TimeSource::FileName));
    }
    if let Some(t) = settings.captured_at {
        return Some((t, TimeSource::Given));
    }
    let modified = std::fs::metadata(path?).and_then(|m| m.modified()).ok()?;
    let millis = modified
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_millis();
    Some((i64::try_from(millis).ok()?, TimeSource::FileModified))
}

/// Reading one session dump: its lines, in order, into the instance's
/// captured sessions.
struct DumpFile {
    format: DumpFormat,
    reader: DumpReader,
    /// `--since`/`--until`: rows of captures outside it are passed over.
    window: crate::correlate::Window,
    /// Captures of this file that held a session, and when.
    captures: std::collections::BTreeSet<u32>,
    span: Span,
    times: std::collections::BTreeSet<TimeSource>,
    rows: u64,
    /// Gaps `sslcensus capture` noted: how many, how long in all (those
    /// with both ends known), how many have no known start.
    gaps: u64,
    gap_millis: i64,
    gaps_from_start: u64,
}

/// What a dump's rows go to while one window is read.
struct DumpRows<'a> {
    file: usize,
    window: crate::correlate::Window,
    dump_file: &'a mut DumpFile,
    captures: &'a mut Captures,
    summary: &'a mut FileSummary,
    problems: &'a mut Vec<LineProblem>,
}

impl DumpSink for DumpRows<'_> {
    fn session(
        &mut self,
        _line: u64,
        capture: u32,
        time: Option<(Millis, TimeSource)>,
        session: CapturedSession<'_>,
    ) {
        if !self.window.contains(time.map(|(t, _)| t)) {
            self.summary.coverage.outside_window += 1;
            return;
        }
        let file = &mut *self.dump_file;
        file.rows += 1;
        file.captures.insert(capture);
        let at = time.map(|(t, source)| {
            file.times.insert(source);
            t
        });
        file.span.see(at);
        let fresh = self.captures.see(self.file, capture, at, &session);
        let coverage = &mut self.summary.coverage;
        coverage.records += 1;
        coverage.logins += u64::from(fresh);
        coverage.span.see(at);
    }

    fn attribute(&mut self, _line: u64, id: u64, name: &str, value: &str) {
        self.dump_file.rows += 1;
        self.summary.coverage.records += 1;
        self.captures.attribute(id, name, value);
    }

    fn gap(&mut self, _line: u64, from: Option<Millis>, to: Millis) {
        let file = &mut *self.dump_file;
        file.gaps += 1;
        match from {
            Some(from) => file.gap_millis += (to - from).max(0),
            None => file.gaps_from_start += 1,
        }
    }

    fn malformed(&mut self, line: u64, why: &'static str) {
        self.summary.skipped_lines += 1;
        if self.summary.skipped_lines + self.summary.invalid_utf8_lines
            <= PROBLEMS_SHOWN_PER_FILE as u64
        {
            self.problems.push(LineProblem {
                file: self.summary.display.clone(),
                line,
                problem: Problem::Malformed(Malformed(why)),
            });
        }
    }
}

impl DumpFile {
    /// The gaps `sslcensus capture` noted, said for the file's note: `; 2
    /// gaps with no capture (sslcensus capture could not reach the server),
    /// 3 min in all: sessions that began and ended within them are not
    /// seen`.
    fn gaps_said(&self) -> String {
        if self.gaps == 0 {
            return String::new();
        }
        let count = match self.gaps {
            1 => "1 gap".to_string(),
            n => format!("{n} gaps"),
        };
        let length = match (self.gap_millis, self.gaps_from_start) {
            (_, n) if n == self.gaps => "of unknown length".to_string(),
            (ms, 0) => format!("{} in all", duration_said(ms)),
            (ms, n) => format!(
                "{} in all and {n} of unknown length (from the start of a capture run)",
                duration_said(ms)
            ),
        };
        format!(
            "; {count} with no capture (sslcensus capture could not reach the server), {length}: sessions that began and ended within them are not seen"
        )
    }

    fn new(
        format: DumpFormat,
        fallback: Option<(Millis, TimeSource)>,
        window: crate::correlate::Window,
    ) -> DumpFile {
        DumpFile {
            format,
            reader: DumpReader::new(format, fallback),
            window,
            captures: Default::default(),
            span: Span::default(),
            times: Default::default(),
            rows: 0,
            gaps: 0,
            gap_millis: 0,
            gaps_from_start: 0,
        }
    }

    /// Feeds a window of whole lines.
    fn feed(
        &mut self,
        window: &[u8],
        file: usize,
        captures: &mut Captures,
        summary: &mut FileSummary,
        problems: &mut Vec<LineProblem>,
    ) {
        let body = window.strip_suffix(b"\n").unwrap_or(window);
        let mut reader = std::mem::replace(&mut self.reader, DumpReader::new(self.format, None));
        let mut rows = DumpRows {
            file,
            window: self.window,
            dump_file: self,
            captures,
            summary,
            problems,
        };
        for raw in body.split(|&b| b == b'\n') {
            rows.summary.lines += 1;
            let number = rows.summary.lines;
            match std::str::from_utf8(raw) {
                Ok(line) => reader.line(number, line, &mut rows),
                Err(_) => {
                    rows.summary.invalid_utf8_lines += 1;
                    reader.line(number, &String::from_utf8_lossy(raw), &mut rows);
                }
            }
        }
        self.reader = reader;
    }

    /// The end of the file: what it held, said as a note.
    fn finish(
        &mut self,
        file: usize,
        captures: &mut Captures,
        summary: &mut FileSummary,
        problems: &mut Vec<LineProblem>,
    ) {
        let mut reader = std::mem::replace(&mut self.reader, DumpReader::new(self.format, None));
        reader.finish(&mut DumpRows {
            file,
            window: self.window,
            dump_file: self,
            captures,
            summary,
            problems,
        });
        let span = match (self.span.first, self.span.last) {
            (Some(first), Some(last)) if first == last => format!(" at {}", rfc3339(first)),
            (Some(first), Some(last)) => format!(" {} .. {}", rfc3339(first), rfc3339(last)),
            _ => " (times unknown)".to_string(),
        };
        let sources: Vec<&str> = self.times.iter().map(|t| t.describe()).collect();
        let from = if sources.is_empty() {
            "no capture time: give --captured-at".to_string()
        } else {
            format!("capture times from {}", sources.join(" and "))
        };
        summary.caveat = Some(format!(
            "{}: {} captures{span}, {} rows; {from}; a sampler sees only the sessions open at capture time{}",
            self.format,
            self.captures.len(),
            self.rows,
            self.gaps_said()
        ));
    }
}

/// A length of time as a person says it: `40 s`, `3 min`, `2 h 5 min`.
fn duration_said(millis: i64) -> String {
    let seconds = (millis + 500) / 1000;
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", (s + 30) / 60),
        s => {
            let minutes = (s + 30) / 60;
            match minutes % 60 {
                0 => format!("{} h", minutes / 60),
                m => format!("{} h {m} min", minutes / 60),
            }
        }
    }
}
