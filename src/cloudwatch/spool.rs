//! CloudWatch events become a log like any other: each stream's events, in
//! time order, are written to a file of its own in a private temporary
//! folder as a CloudWatch export to S3 writes them (`<ISO time> <message>`),
//! and handed to the pipeline as an input of the stream's instance.
//! Detection then finds the format behind that envelope
//! (`sslcensus_parsers::envelope`), so an export, a JSON dump and the live
//! source are read alike, and the event's time stands in only for lines
//! without one of their own.

use std::io::{self, BufWriter, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use chrono::{DateTime, SecondsFormat};

use crate::source::InputFile;

/// Why reading a dump into the spool (a CloudWatch Logs JSON output, a
/// `gcloud logging read` array) stopped; what was read before still counts.
#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    /// An input that is no file (stdin).
    #[error("not a file")]
    NotAFile,
    /// The spool's folder cannot be made.
    #[error("cannot make a temporary folder: {0}")]
    NoFolder(io::Error),
    /// The dump cannot be opened.
    #[error("cannot open: {0}")]
    Open(io::Error),
    /// A spool file cannot be written.
    #[error("cannot write a temporary file: {0}")]
    Write(io::Error),
    /// CloudWatch pages that stop being JSON of their shape.
    #[error(
        "not a whole CloudWatch Logs JSON output: {at} (page {page}); the pages before it were used"
    )]
    PagesCut { at: JsonPlace, page: usize },
    /// A gcloud array that stops being JSON of its shape.
    #[error(
        "not a whole `gcloud logging read --format=json` array: {at}; the entries before it were used"
    )]
    ArrayCut { at: JsonPlace },
}

/// Where and how JSON stopped being read: serde's own message may quote the
/// input, so only its kind and place are said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonPlace {
    pub category: serde_json::error::Category,
    pub line: usize,
    pub column: usize,
}

impl From<&serde_json::Error> for JsonPlace {
    fn from(e: &serde_json::Error) -> JsonPlace {
        JsonPlace {
            category: e.classify(),
            line: e.line(),
            column: e.column(),
        }
    }
}

impl std::fmt::Display for JsonPlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use serde_json::error::Category;
        let kind = match self.category {
            Category::Eof => "it ends early",
            Category::Syntax => "a JSON syntax error",
            Category::Data => "an unexpected value",
            Category::Io => "a read error",
        };
        write!(f, "{kind} at line {} column {}", self.line, self.column)
    }
}

/// One event as CloudWatch returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    pub message: String,
}

/// The temporary folder of spooled streams; removed when dropped, so it
/// must outlive the reading.
pub struct Spool {
    dir: tempfile::TempDir,
    written: usize,
}

/// Spool folders are named `sslcensus-cw-<pid>-<random>` in the temporary
/// folder, so a later run can tell whose they are.
const SPOOL_PREFIX: &str = "sslcensus-cw-";

impl Spool {
    pub fn new() -> io::Result<Spool> {
        let tmp = std::env::temp_dir();
        sweep_abandoned(&tmp);
        Ok(Spool {
            dir: tempfile::Builder::new()
                .prefix(&format!("{SPOOL_PREFIX}{}-", std::process::id()))
                .tempdir_in(&tmp)?,
            written: 0,
        })
    }

    /// The spool in `slot`, made on first use.
    pub fn in_slot(slot: &mut Option<Spool>) -> io::Result<&mut Spool> {
        Ok(match slot {
            Some(spool) => spool,
            None => slot.insert(Spool::new()?),
        })
    }

    /// A new file's path in the spool, for a reader writing its own lines.
    pub fn new_path(&mut self, name: &str) -> std::path::PathBuf {
        self.written += 1;
        self.dir.path().join(format!("{name}-{}.log", self.written))
    }

    /// Writes one stream's events in time order (a stable sort: events of
    /// one millisecond keep the order the service gave them, which is the
    /// order they were written in) and returns the input reading them.
    /// Events whose time cannot be written are left out and counted.
    pub fn add_stream(
        &mut self,
        display: String,
        instance: String,
        mut events: Vec<Event>,
    ) -> io::Result<(InputFile, u64)> {
        events.sort_by_key(|e| e.timestamp);
        self.written += 1;
        let path = self.dir.path().join(format!("stream-{}.log", self.written));
        let mut out = BufWriter::new(std::fs::File::create(&path)?);
        let mut untimed = 0;
        for event in &events {
            let Some(time) = DateTime::from_timestamp_millis(event.timestamp) else {
                untimed += 1;
                continue;
            };
            let message = event.message.strip_suffix('\n').unwrap_or(&event.message);
            let message = message.strip_suffix('\r').unwrap_or(message);
            writeln!(
                out,
                "{} {message}",
                time.to_rfc3339_opts(SecondsFormat::Millis, true)
            )?;
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        Ok((
            InputFile {
                path: Some(path),
                display,
                instance,
                explicit: false,
            },
            untimed,
        ))
    }
}

/// Removes the spools of runs that died without removing their own
/// (SIGKILL, the OOM killer, a batch job's time limit): a scheduled job that
/// is killed now and then would otherwise fill the temporary folder with
/// pulled events. Only this user's folders whose process is gone are
/// touched; one whose pid now names another process is left alone.
fn sweep_abandoned(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    // SAFETY: geteuid cannot fail.
    let me = unsafe { libc::geteuid() };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(SPOOL_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<libc::pid_t>().ok())
        else {
            continue;
        };
        let ours = entry.metadata().is_ok_and(|m| m.is_dir() && m.uid() == me);
        if ours && pid > 0 && !alive(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether a process `pid` exists (one of another user's counts).
fn alive(pid: libc::pid_t) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    let found = unsafe { libc::kill(pid, 0) } == 0;
    found || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spools_of_dead_runs_are_swept_others_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let mut sleeper = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let live = sleeper.id();
        let dirs = [
            (format!("sslcensus-cw-{dead}-abc"), false),
            (format!("sslcensus-cw-{live}-def"), true),
            (format!("sslcensus-cw-{}-own", std::process::id()), true),
            ("sslcensus-cw-xyz".to_string(), true),
            (format!("other-{dead}-abc"), true),
        ];
        for (dir, _) in &dirs {
            std::fs::create_dir(tmp.path().join(dir)).unwrap();
            std::fs::write(tmp.path().join(dir).join("stream-1.log"), "x\n").unwrap();
        }
        sweep_abandoned(tmp.path());
        sleeper.kill().unwrap();
        sleeper.wait().unwrap();
        for (dir, kept) in dirs {
            assert_eq!(tmp.path().join(&dir).exists(), kept, "{dir}");
        }
    }

    #[test]
    fn streams_are_written_in_time_order_as_export_lines() {
        let mut spool = Spool::new().unwrap();
        let event = |timestamp, message: &str| Event {
            timestamp,
            message: message.into(),
        };
        let (input, untimed) = spool
            .add_stream(
                "g [s]".into(),
                "db".into(),
                vec![
                    event(1_795_929_507_001, "second\n"),
                    event(1_795_929_507_000, "first"),
                    event(1_795_929_507_001, "third\r\n"),
                    event(i64::MAX, "never"),
                ],
            )
            .unwrap();
        assert_eq!(untimed, 1);
        assert_eq!(input.instance, "db");
        assert_eq!(
            std::fs::read_to_string(input.path.unwrap()).unwrap(),
            "2026-11-29T05:18:27.000Z first\n2026-11-29T05:18:27.001Z second\n2026-11-29T05:18:27.001Z third\n"
        );
    }
}
