//! One instance's log, twice: RDS writes `postgresql.log.*` and, when
//! `log_destination` includes csvlog, `postgresql.log.*.csv` beside it,
//! holding the same records; downloads leave a file and its `.gz` copy side
//! by side. Reading both counts every session twice. The files of one
//! instance are compared by the sessions they start (second and pid or
//! thread id of `connection received` / `authorized` / `Connect` in the
//! first few megabytes); a pair of one log kind that mostly agrees is one
//! log, and only one is read: the richer format (csvlog, then jsonlog, then
//! stderr), else the first.

use std::collections::{BTreeMap, HashMap, HashSet};

use sslcensus_parsers::observation::{Malformed, Message, Observation};
use sslcensus_parsers::{LogFormat, Sink, detect, scan};

use crate::analyze::Settings;
use crate::source::{InputFile, WindowReader};

/// How much of a file's start is compared.
const COMPARED_BYTES: usize = 4 << 20;

/// How much of each file's start is read first: enough to tell whether it
/// shares sessions with another file at all. A month of hourly files shares
/// none, and then no file is read further (each is scanned in full later);
/// files that share a session, or that start none in this much, are
/// sampled on [`COMPARED_BYTES`] before they are judged.
const FIRST_BYTES: usize = 256 << 10;

/// The (second, pid) of every session start seen.
#[derive(Default)]
struct SessionStarts(HashSet<(i64, u32)>);

impl Sink for SessionStarts {
    fn observation(&mut self, _offset: usize, obs: Observation<'_>) {
        if let (Some(time), Some(pid)) = (obs.time, obs.pid)
            && matches!(obs.message, Message::Received(_) | Message::Authorized(_))
        {
            // stderr's `%t` has seconds; csvlog and jsonlog milliseconds.
            self.0.insert((time.div_euclid(1000), pid));
        }
    }
    fn malformed(&mut self, _offset: usize, _why: Malformed) {}
    fn invalid_utf8(&mut self, _offset: usize) {}
}

/// Which logs can hold the same records, and which of them is kept (lower
/// is richer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Kind {
    family: u8,
    richness: u8,
}

fn kind(format: &LogFormat) -> Kind {
    let (family, richness) = match format {
        LogFormat::PgCsvlog => (0, 0),
        LogFormat::PgJsonlog => (0, 1),
        LogFormat::PgStderr { .. } => (0, 2),
        LogFormat::MysqlGeneral { .. } => (1, 0),
        LogFormat::MysqlError { .. } => (2, 0),
        LogFormat::MysqlAudit { .. } => (3, 0),
        LogFormat::OracleListener => (4, 0),
        LogFormat::Enveloped { inner, .. } => return kind(inner),
    };
    Kind { family, richness }
}

/// A log's kind and session starts, from its first `bytes`.
struct Sample {
    kind: Kind,
    starts: SessionStarts,
    /// The sample holds the whole of what [`COMPARED_BYTES`] would.
    complete: bool,
}

fn sample(file: &InputFile, settings: &Settings, bytes: usize) -> Option<Sample> {
    file.path.as_ref()?;
    let mut reader = WindowReader::open(file).ok()?;
    let window = reader.next_window().ok()??;
    let mut head = &window[..window.len().min(bytes)];
    let complete = head.len() == window.len().min(COMPARED_BYTES);
    if head.len() < window.len() {
        let end = memchr::memrchr(b'\n', head)? + 1;
        head = &head[..end];
    }
    let detected = detect(head, settings.forced, settings.prefix.as_ref()).ok()?;
    let mut starts = SessionStarts::default();
    scan(&detected.format, head, &mut starts);
    Some(Sample {
        kind: kind(&detected.format),
        starts,
        complete,
    })
}

/// Session starts shared per pair of files (lower index first), through
/// an index of who started what: pairing every file with every other
/// would be quadratic in files × sessions.
fn shared_starts(samples: &[Option<Sample>]) -> BTreeMap<(usize, usize), usize> {
    let mut started_in: HashMap<(i64, u32), Vec<usize>> = HashMap::new();
    for (index, sample) in samples.iter().enumerate() {
        if let Some(sample) = sample {
            for start in &sample.starts.0 {
                started_in.entry(*start).or_default().push(index);
            }
        }
    }
    let mut shared: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for files in started_in.values() {
        for (n, &i) in files.iter().enumerate() {
            for &j in &files[n + 1..] {
                *shared.entry((i.min(j), i.max(j))).or_default() += 1;
            }
        }
    }
    shared
}

/// For files (of one instance) that repeat another's records: its index →
/// the index of the file read instead.
pub fn find(files: &[&InputFile], settings: &Settings) -> HashMap<usize, usize> {
    let mut same = HashMap::new();
    if files.len() < 2 {
        return same;
    }
    let mut samples: Vec<Option<Sample>> = files
        .iter()
        .map(|f| sample(f, settings, FIRST_BYTES))
        .collect();
    // Files that may repeat another's records are sampled further: those
    // sharing a session start with another, and those that start none in
    // their first bytes (nothing to judge them by yet).
    let mut further: HashSet<usize> = shared_starts(&samples)
        .keys()
        .flat_map(|&(i, j)| [i, j])
        .collect();
    further.extend(
        samples
            .iter()
            .enumerate()
            .filter(|(_, s)| s.as_ref().is_some_and(|s| s.starts.0.is_empty()))
            .map(|(i, _)| i),
    );
    for i in further {
        if samples[i].as_ref().is_some_and(|s| !s.complete) {
            samples[i] = sample(files[i], settings, COMPARED_BYTES);
        }
    }
    for ((i, j), shared) in shared_starts(&samples) {
        let (Some(a), Some(b)) = (&samples[i], &samples[j]) else {
            continue;
        };
        if a.kind.family != b.kind.family || same.contains_key(&i) || same.contains_key(&j) {
            continue;
        }
        let smaller = a.starts.0.len().min(b.starts.0.len());
        // Most sessions alike: one log written twice.
        if smaller > 0 && shared * 10 >= smaller * 8 {
            let (dropped, kept) = if b.kind.richness < a.kind.richness {
                (i, j)
            } else {
                (j, i)
            };
            same.insert(dropped, kept);
        }
    }
    same
}
