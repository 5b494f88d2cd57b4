//! The pipeline: inputs → windows → chunks parsed in parallel → each
//! instance's stream correlator, in file order → one census.

use std::collections::BTreeMap;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use rayon::prelude::*;
use sslcensus_parsers::pg::stderr::LinePrefix;
use sslcensus_parsers::{
    DetectError, Engine, FormatChoice, LogFormat, count_lines, detect, detect_found, scan,
    scan_line,
};

use crate::census::Census;
use crate::correlate::{ChunkOutcome, Correlator, Coverage, Problem};
use crate::family::Families;
use crate::progress::Progress;
use crate::same_records;
use crate::source::{InputFile, WindowReader};

/// How inputs are read.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub forced: Option<FormatChoice>,
    pub prefix: Option<LinePrefix>,
    /// How application names become families (default: on).
    pub families: Arc<Families>,
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

impl Analysis {
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

/// Reads every input. Instances run in parallel; the files of one instance
/// are read in order, so sessions spanning a log rotation are tied together.
pub fn analyze(files: &[InputFile], settings: &Settings, progress: &Progress) -> Analysis {
    let mut by_instance: BTreeMap<&str, Vec<&InputFile>> = BTreeMap::new();
    for file in files {
        by_instance.entry(&file.instance).or_default().push(file);
    }
    let per_instance: Vec<Analysis> = by_instance
        .into_par_iter()
        .map(|(instance, files)| {
            // The last line of defence (a line that fails is already skipped
            // by the scan): a bug costs this instance's report, not the run's.
            catch_unwind(AssertUnwindSafe(|| {
                read_instance(instance, &files, settings, progress)
            }))
            .unwrap_or_else(|_| lost_instance(instance, &files))
        })
        .collect();
    let mut all = Analysis::default();
    for part in per_instance {
        all.census.merge(part.census);
        all.files.extend(part.files);
        all.problems.extend(part.problems);
    }
    all
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
    let target = (window.len() / (threads * 4)).clamp(256 << 10, 8 << 20);
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
) -> Analysis {
    let mut stream: Option<Correlator> = None;
    let mut analysis = Analysis::default();
    let same = same_records::find(files, settings);
    for (index, file) in files.iter().enumerate() {
        let mut summary = FileSummary::new(file, instance);
        if let Some(&kept) = same.get(&index) {
            summary.status = FileStatus::SameAs(files[kept].display.clone());
            analysis.files.push(summary);
            continue;
        }
        let mut reader = match WindowReader::open(file) {
            Ok(reader) => reader,
            Err(e) => {
                summary.status = FileStatus::Failed(format!("cannot open: {e}"));
                analysis.files.push(summary);
                continue;
            }
        };
        let mut format: Option<LogFormat> = None;
        let mut consumed = 0;
        loop {
            let window = match reader.next_window() {
                Ok(Some(window)) => window,
                Ok(None) => break,
                Err(e) => {
                    summary.status = FileStatus::Failed(format!(
                        "read error after line {}: {e}; the lines before it were used",
                        summary.lines
                    ));
                    break;
                }
            };
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
            });
            let ranges = chunk_ranges(window);
            let outcomes: Vec<(ChunkOutcome, u64)> = ranges
                .par_iter()
                .map(|range| {
                    let chunk = &window[range.clone()];
                    let mut local = Correlator::for_chunk(instance, format.engine())
                        .with_families(settings.families.clone());
                    scan(format, chunk, &mut local);
                    (local.into_chunk_outcome(), count_lines(chunk))
                })
                .collect();
            for (range, (mut outcome, lines)) in ranges.into_iter().zip(outcomes) {
                let chunk = &window[range];
                for (offset, problem) in outcome.problems.drain(..) {
                    match problem {
                        Problem::Malformed(_) => summary.skipped_lines += 1,
                        Problem::InvalidUtf8 => summary.invalid_utf8_lines += 1,
                    }
                    if summary.skipped_lines + summary.invalid_utf8_lines
                        <= PROBLEMS_SHOWN_PER_FILE as u64
                    {
                        analysis.problems.push(LineProblem {
                            file: file.display.clone(),
                            line: summary.lines + count_lines(&chunk[..offset]) + 1,
                            problem,
                        });
                    }
                }
                summary.coverage.merge(outcome.coverage);
                stream.absorb(outcome, |correlator, offset| {
                    scan_line(format, chunk, offset, correlator)
                });
                summary.lines += lines;
                progress.add_lines(lines);
            }
            let now = reader.consumed();
            progress.add_bytes(now - consumed);
            consumed = now;
        }
        if format.is_none() && summary.status == FileStatus::Read {
            summary.status = FileStatus::Empty;
        }
        analysis.files.push(summary);
    }
    analysis.census = stream.map(Correlator::finish).unwrap_or_default();
    analysis
}
