//! Sources: which files to read (paths, directories, globs, stdin), which
//! instance each belongs to, and reading them as windows of whole lines.
//!
//! Plain files are memory-mapped one window at a time and unmapped behind
//! the reader, so resident memory stays bounded whatever the file size;
//! gzip files and stdin are decoded into a reused buffer of the same size.

use std::fs::File;
use std::io::{self, BufRead, Read, Seek};
use std::path::{Path, PathBuf};

use memmap2::MmapOptions;

use crate::mapguard::Guarded;

/// Bytes per window. Two windows' worth of pages stays well inside the
/// memory budget (peak RSS about 90 MB), and a window holds chunks large
/// enough that their per-chunk costs (head lines replayed, clients merged)
/// stay small: on a log of connection lines, 32 MiB windows of eight
/// chunks took 10 % more CPU (BENCHMARKS.md).
pub const WINDOW_BYTES: usize = 64 << 20;
/// The buffer a stream starts with; it doubles while the input fills it, up
/// to a window, so that a small gzip file (an hourly RDS log) does not pay
/// for zeroing a whole window.
const FIRST_STREAM_BYTES: usize = 256 << 10;

/// One input to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    /// `None` for stdin.
    pub path: Option<PathBuf>,
    /// How messages name the input.
    pub display: String,
    pub instance: String,
    /// Named on the command line (rather than found in a directory): a file
    /// that is not a log is then an error, not a notice.
    pub explicit: bool,
}

/// An input that could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub input: String,
    pub message: String,
}

/// File names Amazon RDS / Aurora give engine logs, and session dumps
/// (`sessions.2026-11-29.csv`); such a file is named after its kind or
/// hour, not its instance, so its instance is the folder it sits in.
fn is_rds_log_name(name: &str) -> bool {
    const NAMES: [&str; 9] = [
        "postgresql.log",
        "postgres.log",
        "mysql-general.log",
        "mysql-error",
        "server_audit.log",
        "audit.log",
        "listener.log",
        "log.xml",
        // Session dumps as `sslcensus sql` has them captured, one a day.
        "sessions",
    ];
    NAMES.iter().any(|n| name.starts_with(n))
}

/// Folders RDS sorts log files into (as `aws rds download-db-log-file-portion`
/// names them), which say the kind of log, not the instance.
const KIND_FOLDERS: [&str; 6] = ["error", "general", "audit", "trace", "slowquery", "log"];

/// The instance a file belongs to: its folder for RDS-named logs (skipping
/// the kind folders RDS uses) and for the numbered files of a CloudWatch
/// export to S3, else the file name without its log
/// extensions and rotation suffixes. The path is resolved first, so
/// `cd pg-prod && sslcensus analyze postgresql.log.*` names the same
/// instance as the files' absolute paths do.
pub fn instance_of(path: &Path) -> String {
    let resolved = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let name = resolved
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(pod) = kubernetes_pod(&resolved, &name) {
        return pod;
    }
    // A CloudWatch export to S3 names its files `000000.gz`, … in a folder
    // named after the log stream, which RDS names after the instance.
    let stem = log_stem(&name);
    let numbered = !stem.is_empty() && stem.bytes().all(|b| b.is_ascii_digit());
    if is_rds_log_name(&name) || numbered {
        let folders = resolved.ancestors().skip(1).filter_map(|p| p.file_name());
        for folder in folders {
            let folder = folder.to_string_lossy();
            if !KIND_FOLDERS.contains(&folder.as_ref()) && folder != "." {
                return folder.into_owned();
            }
        }
    }
    log_stem(&name).to_string()
}

/// The pod a node's container log belongs to (CRI lines, or Docker's json
/// lines behind the same paths): `pods/<namespace>_<pod>_<uid>/<container>/0.log`
/// (and its rotations), or the kubelet's link
/// `containers/<pod>_<namespace>_<container>-<id>.log`. The file is named
/// after the restart count or the container, never the server, and a
/// database pod runs one server. Kubernetes names hold no `_`.
fn kubernetes_pod(path: &Path, name: &str) -> Option<String> {
    fn folder(p: Option<&Path>) -> Option<String> {
        p.and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
    }
    let parent = path.parent();
    let pod_folder = parent.and_then(Path::parent);
    let three = |text: &str| {
        let parts: Vec<&str> = text.splitn(3, '_').collect();
        (parts.len() == 3 && parts.iter().all(|p| !p.is_empty()))
            .then(|| parts.iter().map(|p| p.to_string()).collect::<Vec<String>>())
    };
    if folder(pod_folder.and_then(Path::parent)).as_deref() == Some("pods") {
        return three(&folder(pod_folder)?).map(|parts| parts[1].clone());
    }
    if folder(parent).as_deref() == Some("containers") {
        return three(name.strip_suffix(".log")?).map(|parts| parts[0].clone());
    }
    None
}

/// A log's name without its extensions and rotation suffixes:
/// `postgresql-15-main.log.1.gz` → `postgresql-15-main`,
/// `app.log.2026-11-02` → `app`.
fn log_stem(name: &str) -> &str {
    let mut stem = name;
    loop {
        let before = stem;
        for ext in [".gz", ".json", ".csv", ".log", ".txt"] {
            stem = stem.strip_suffix(ext).unwrap_or(stem);
        }
        // A rotation number or date: `.1`, `.2026-11-02`, `.2026-11-02-10`.
        if let Some((head, tail)) = stem.rsplit_once('.')
            && !head.is_empty()
            && !tail.is_empty()
            && tail.bytes().all(|b| b.is_ascii_digit() || b == b'-')
        {
            stem = head;
        }
        if stem == before {
            return stem;
        }
    }
}

fn file_input(path: PathBuf, instance: Option<&str>, explicit: bool) -> InputFile {
    InputFile {
        display: path.display().to_string(),
        instance: instance.map_or_else(|| instance_of(&path), str::to_string),
        path: Some(path),
        explicit,
    }
}

/// Resolves command-line inputs into files, in a stable order: directories
/// are walked recursively (hidden entries skipped), globs expanded, `-` is
/// stdin.
pub fn resolve(inputs: &[String], instance: Option<&str>) -> (Vec<InputFile>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        if input == "-" {
            files.push(InputFile {
                path: None,
                display: "<stdin>".into(),
                instance: instance.unwrap_or("stdin").to_string(),
                explicit: true,
            });
            continue;
        }
        let path = PathBuf::from(input);
        if path.is_dir() {
            let mut found: Vec<PathBuf> = walkdir::WalkDir::new(&path)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                })
                .filter_map(|e| match e {
                    Ok(e) => e.file_type().is_file().then(|| e.into_path()),
                    Err(err) => {
                        errors.push(InputError {
                            input: input.clone(),
                            message: err.to_string(),
                        });
                        None
                    }
                })
                .collect();
            found.sort();
            files.extend(found.into_iter().map(|p| file_input(p, instance, false)));
        } else if path.exists() {
            files.push(file_input(path, instance, true));
        } else if input.contains(['*', '?', '[']) {
            match glob::glob(input) {
                Ok(paths) => {
                    let before = files.len();
                    for entry in paths {
                        match entry {
                            Ok(p) if p.is_file() => files.push(file_input(p, instance, true)),
                            Ok(_) => {}
                            Err(err) => errors.push(InputError {
                                input: input.clone(),
                                message: err.to_string(),
                            }),
                        }
                    }
                    if files.len() == before {
                        errors.push(InputError {
                            input: input.clone(),
                            message: "the pattern matches no file".into(),
                        });
                    }
                }
                Err(err) => errors.push(InputError {
                    input: input.clone(),
                    message: format!("bad glob pattern: {err}"),
                }),
            }
        } else {
            errors.push(InputError {
                input: input.clone(),
                message: "no such file or directory".into(),
            });
        }
    }
    (files, errors)
}

/// Counts the bytes read through it (compressed bytes, for progress).
struct Counting<R> {
    inner: R,
    count: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Reads an input as consecutive windows that end at a line boundary.
pub enum WindowReader {
    Mapped {
        file: File,
        len: u64,
        pos: u64,
        map: Option<Guarded>,
    },
    Stream {
        inner: Box<dyn Read + Send>,
        buf: Vec<u8>,
        /// Bytes of `buf` holding the unfinished last line of the previous window.
        carry: usize,
        /// Length of the window handed out last.
        handed: usize,
        eof: bool,
        raw: std::sync::Arc<std::sync::atomic::AtomicU64>,
    },
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

impl WindowReader {
    /// Opens an input: gzip (by its magic bytes, not its name) and stdin are
    /// streamed, plain files mapped.
    pub fn open(input: &InputFile) -> io::Result<WindowReader> {
        let Some(path) = &input.path else {
            let mut stdin = io::BufReader::new(io::stdin());
            let gzip = stdin.fill_buf()?.starts_with(&GZIP_MAGIC);
            return Ok(Self::stream(Box::new(stdin), !gzip));
        };
        let mut file = File::open(path)?;
        if starts_gzip(&mut file)? {
            return Ok(Self::stream(Box::new(file), false));
        }
        let len = file.metadata()?.len();
        Ok(WindowReader::Mapped {
            file,
            len,
            pos: 0,
            map: None,
        })
    }

    fn stream(raw: Box<dyn Read + Send>, plain: bool) -> WindowReader {
        let count = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counted = Counting {
            inner: raw,
            count: count.clone(),
        };
        let inner: Box<dyn Read + Send> = if plain {
            Box::new(counted)
        } else {
            Box::new(flate2::read::MultiGzDecoder::new(io::BufReader::new(
                counted,
            )))
        };
        WindowReader::Stream {
            inner,
            buf: Vec::new(),
            carry: 0,
            handed: 0,
            eof: false,
            raw: count,
        }
    }

    /// Bytes a mapped file gained after it was opened (a log still being
    /// written): they are not read.
    pub fn grew(&self) -> u64 {
        match self {
            WindowReader::Mapped { file, len, .. } => {
                file.metadata().map_or(0, |m| m.len().saturating_sub(*len))
            }
            WindowReader::Stream { .. } => 0,
        }
    }

    /// Input bytes consumed so far (compressed bytes for gzip).
    pub fn consumed(&self) -> u64 {
        match self {
            WindowReader::Mapped { pos, .. } => *pos,
            WindowReader::Stream { raw, .. } => raw.load(std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// The next window of whole lines (the last may lack its newline at the
    /// end of input); `None` at the end. A read error (a truncated gzip
    /// stream) comes after the data decoded before it.
    pub fn next_window(&mut self) -> io::Result<Option<&[u8]>> {
        match self {
            WindowReader::Mapped {
                file,
                len,
                pos,
                map,
            } => {
                // Unmap what was read, off the critical path: tearing down
                // a window's page tables is serial kernel work.
                if let Some(done) = map.take() {
                    let shrank = done.shrank();
                    rayon::spawn(move || drop(done));
                    if shrank {
                        // What the window held past the new end read as
                        // zeros: no line of it was taken.
                        let at = *pos;
                        *pos = *len;
                        return Err(io::Error::other(format!(
                            "the file shrank while it was read (truncated, or rotated with copytruncate) before byte {at}"
                        )));
                    }
                }
                if *pos >= *len {
                    return Ok(None);
                }
                let mut size = WINDOW_BYTES as u64;
                loop {
                    let take = size.min(*len - *pos);
                    // SAFETY: the file is only read; a log truncated
                    // underneath us would raise SIGBUS, which the window's
                    // guard turns into zeros and an error (mapguard.rs).
                    let mapped = unsafe {
                        MmapOptions::new()
                            .offset(*pos)
                            .len(take as usize)
                            .map(&*file)?
                    };
                    let at_end = *pos + take == *len;
                    let cut = if at_end {
                        Some(mapped.len())
                    } else {
                        memchr::memrchr(b'\n', &mapped).map(|i| i + 1)
                    };
                    if let Some(cut) = cut {
                        *pos += cut as u64;
                        let window: &Guarded = map.insert(Guarded::new(mapped));
                        return Ok(Some(&window[..cut]));
                    }
                    size *= 2; // a line longer than the window
                }
            }
            WindowReader::Stream {
                inner,
                buf,
                carry,
                handed,
                eof,
                ..
            } => {
                // Move the unfinished line to the front.
                let (done, total) = (*handed, *handed + *carry);
                buf.copy_within(done..total, 0);
                *handed = 0;
                let mut filled = *carry;
                if buf.len() < FIRST_STREAM_BYTES {
                    buf.resize(FIRST_STREAM_BYTES, 0);
                }
                loop {
                    while !*eof && filled < buf.len() {
                        match inner.read(&mut buf[filled..]) {
                            Ok(0) => *eof = true,
                            Ok(n) => filled += n,
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            Err(e) => {
                                *eof = true;
                                *carry = 0;
                                *handed = filled;
                                if filled > 0 {
                                    // Hand out what was decoded; report the
                                    // error on the next call.
                                    *inner = Box::new(FailingReader(Some(e)));
                                    *eof = false;
                                    return Ok(Some(&buf[..filled]));
                                }
                                return Err(e);
                            }
                        }
                    }
                    if !*eof && filled == buf.len() && buf.len() < WINDOW_BYTES {
                        buf.resize((buf.len() * 2).min(WINDOW_BYTES), 0);
                        continue;
                    }
                    if filled == 0 {
                        return Ok(None);
                    }
                    let cut = if *eof {
                        Some(filled)
                    } else {
                        memchr::memrchr(b'\n', &buf[..filled]).map(|i| i + 1)
                    };
                    if let Some(cut) = cut {
                        *handed = cut;
                        *carry = filled - cut;
                        return Ok(Some(&buf[..cut]));
                    }
                    let grown = buf.len() * 2; // a line longer than the window
                    buf.resize(grown, 0);
                }
            }
        }
    }
}

/// Yields a stored read error once, then end of input.
struct FailingReader(Option<io::Error>);

impl Read for FailingReader {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(e) => Err(e),
            None => Ok(0),
        }
    }
}

/// Whether the file's first 256 bytes (decompressed) pass `test`: the cheap
/// look that tells a dump or an envelope from a log. A file that cannot be
/// read does not.
pub fn head_is(path: &Path, test: impl FnOnce(&[u8]) -> bool) -> bool {
    let mut head = [0u8; 256];
    open_text(path)
        .and_then(|text| read_up_to(text, &mut head))
        .is_ok_and(|got| test(&head[..got]))
}

/// Reads until `buf` is full or the input ends; how much was read.
pub fn read_up_to(mut reader: impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Whether a file is gzip, by its magic bytes; the file is left at its start.
fn starts_gzip(file: &mut File) -> io::Result<bool> {
    let mut magic = [0u8; 2];
    let got = read_up_to(&mut *file, &mut magic)?;
    file.seek(io::SeekFrom::Start(0))?;
    Ok(got == 2 && magic == GZIP_MAGIC)
}

/// A file's text as a stream, gunzipped when it is gzip (for inputs read
/// whole rather than in windows: CloudWatch JSON dumps).
pub fn open_text(path: &Path) -> io::Result<Box<dyn Read + Send>> {
    let mut file = File::open(path)?;
    Ok(if starts_gzip(&mut file)? {
        Box::new(flate2::read::MultiGzDecoder::new(io::BufReader::new(file)))
    } else {
        Box::new(io::BufReader::new(file))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn instances_come_from_rds_folders_or_file_names() {
        let table = [
            ("logs/prod-db-1/postgresql.log.2026-11-01-10", "prod-db-1"),
            (
                "logs/prod-db-1/error/postgresql.log.2026-11-01-10.gz",
                "prod-db-1",
            ),
            ("exports/billing-db.log.gz", "billing-db"),
            // No folder to name it (and none on disk to resolve): the kind.
            ("postgresql.log.2026-11-01-1000", "postgresql"),
            (
                "var/log/postgresql/postgresql-15-main.log.1.gz",
                "postgresql-15-main",
            ),
            (
                "var/log/postgresql/postgresql-15-main.log",
                "postgresql-15-main",
            ),
            ("dumps/app.log.2026-11-02", "app"),
            ("rds/orders-mysql/mysql-general.log.3", "orders-mysql"),
            ("x/analytics.csv", "analytics"),
            ("rds/orders-mysql/general/mysql-general.log", "orders-mysql"),
            (
                "rds/orders-mysql/error/mysql-error-running.log.2026-11-01.12",
                "orders-mysql",
            ),
            ("rds/erp-ora/trace/listener.log", "erp-ora"),
            (
                "exports/0c5e6a7e-task/orders-db-instance-1/000000.gz",
                "orders-db-instance-1",
            ),
            // A node's container logs: the pod, not the container or the
            // restart count.
            (
                "var/log/pods/db_pg-sample-0_0c5e6a7e-1b2c/postgres/0.log",
                "pg-sample-0",
            ),
            (
                "var/log/pods/db_pg-sample-0_0c5e6a7e-1b2c/postgres/1.log.20261129-051827.gz",
                "pg-sample-0",
            ),
            (
                "var/log/containers/pg-sample-0_db_postgres-4f1d2c.log",
                "pg-sample-0",
            ),
            ("x/containers/app.log", "app"),
        ];
        for (path, instance) in table {
            assert_eq!(instance_of(Path::new(path)), instance, "{path}");
        }
    }

    fn windows_of(reader: &mut WindowReader) -> (Vec<Vec<u8>>, Option<io::ErrorKind>) {
        let mut out = Vec::new();
        loop {
            match reader.next_window() {
                Ok(Some(w)) => out.push(w.to_vec()),
                Ok(None) => return (out, None),
                Err(e) => return (out, Some(e.kind())),
            }
        }
    }

    #[test]
    fn plain_and_gzip_files_read_back_whole_and_truncated_gzip_keeps_its_data() {
        let dir = tempfile::tempdir().unwrap();
        // Larger than a stream's first buffer, smaller than a window.
        let text: String = (0..60_000).map(|i| format!("line {i}\n")).collect();
        let plain = dir.path().join("a.log");
        std::fs::write(&plain, &text).unwrap();
        let gz = dir.path().join("a.log.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(text.as_bytes()).unwrap();
        let compressed = enc.finish().unwrap();
        std::fs::write(&gz, &compressed).unwrap();
        for path in [&plain, &gz] {
            let input = file_input(path.clone(), None, true);
            let (windows, err) = windows_of(&mut WindowReader::open(&input).unwrap());
            assert_eq!(err, None);
            assert_eq!(windows.concat(), text.as_bytes());
            assert_eq!(windows.len(), 1, "the stream's buffer grows to a window");
        }
        let cut = dir.path().join("cut.log.gz");
        std::fs::write(&cut, &compressed[..compressed.len() / 2]).unwrap();
        let input = file_input(cut, None, true);
        let (windows, err) = windows_of(&mut WindowReader::open(&input).unwrap());
        assert!(err.is_some());
        let got = windows.concat();
        assert!(!got.is_empty() && text.as_bytes().starts_with(&got));
    }

    #[test]
    fn resolving_inputs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("db-1/.hidden")).unwrap();
        std::fs::write(dir.path().join("db-1/postgresql.log.2026-11-01-10"), "x\n").unwrap();
        std::fs::write(dir.path().join("db-1/.hidden/postgresql.log.1"), "x\n").unwrap();
        let root = dir.path().to_string_lossy().into_owned();
        let (files, errors) = resolve(
            &[
                root.clone(),
                format!("{root}/db-1/*.log*"),
                "missing".into(),
                "-".into(),
            ],
            None,
        );
        assert_eq!(files.len(), 3, "{files:?}");
        assert_eq!(files[0].instance, "db-1");
        assert!(!files[0].explicit && files[1].explicit);
        assert_eq!(files[2].path, None);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].input, "missing");
    }
}

#[cfg(test)]
mod window_tests {
    use super::*;
    use std::io::Write;

    fn input(path: &Path) -> InputFile {
        InputFile {
            path: Some(path.to_path_buf()),
            display: path.display().to_string(),
            instance: "db".into(),
            explicit: true,
        }
    }

    #[test]
    fn a_file_that_grows_while_read_says_by_how_much() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        std::fs::write(&path, "one\ntwo\n").unwrap();
        let mut reader = WindowReader::open(&input(&path)).unwrap();
        assert_eq!(reader.next_window().unwrap(), Some(&b"one\ntwo\n"[..]));
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"three\n")
            .unwrap();
        assert_eq!(reader.next_window().unwrap(), None);
        assert_eq!(reader.grew(), 6);
    }

    #[test]
    fn a_file_truncated_while_read_stops_with_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.log");
        let line = b"x".repeat(99);
        let mut file = std::fs::File::create(&path).unwrap();
        for _ in 0..(WINDOW_BYTES / 100 + 5_000) {
            file.write_all(&line).unwrap();
            file.write_all(b"\n").unwrap();
        }
        drop(file);
        let mut reader = WindowReader::open(&input(&path)).unwrap();
        let window = reader.next_window().unwrap().unwrap();
        let len = window.len();
        assert_eq!(window[len - 2], b'x');
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(1 << 20)
            .unwrap();
        // Reading past the new end: zeros, not SIGBUS.
        assert_eq!(window[len - 2], 0);
        assert_eq!(window[10], b'x');
        let err = reader.next_window().unwrap_err();
        assert!(
            err.to_string().contains("shrank while it was read"),
            "{err}"
        );
    }
}
