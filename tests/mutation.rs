//! One bad byte must not end the run: byte-mutated copies of every sample
//! (flips, cuts, inserted quotes, brackets, newlines, NULs and invalid UTF-8,
//! fragments spliced from other samples, gzip made and broken) go through
//! every parser and the whole `analyze` pipeline, and client settings through
//! every detector and the settings/evidence CSV readers; nothing may panic.
//!
//! Deterministic: a fixed seed and a tiny xorshift generator. A longer sweep,
//! with the number of mutants per sample file and another seed:
//! `SSLCENSUS_MUTANTS=3000 SSLCENSUS_MUTATION_SEED=7 cargo test --test mutation`
//! (a debug build, so that arithmetic overflows panic too). A mutant that
//! panics is kept in the test's temporary folder and named in the failure.

use std::collections::BTreeMap;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use sslcensus::OutputFormat;
use sslcensus::Partial;
use sslcensus::Problem;
use sslcensus::Progress;
use sslcensus::fuzzing::{Check, every_format};
use sslcensus::resolve;
use sslcensus::settings::{self as fold, Evidence};
use sslcensus::settings::{self as walk, SourceFile, detect_all};
use sslcensus::{FileStatus, Settings, analyze};
use sslcensus::{GroupBy, judge};
use sslcensus_parsers::{FormatChoice, LogFormat, PARSER_FAULT, detect, scan, scan_line};
use sslcensus_parsers::{KNOWN_PREFIXES, LinePrefix};

/// Mutants per sample file in CI: enough for every operator to hit every
/// kind of line many times, small enough for a debug build on two cores.
const DEFAULT_MUTANTS: usize = 60;
const DEFAULT_SEED: u64 = 0x5eed_2026_1129;
/// How much of a sample one mutant is made from.
const EXCERPT_BYTES: usize = 12 << 10;

fn mutants() -> usize {
    std::env::var("SSLCENSUS_MUTANTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_MUTANTS)
}

fn seed() -> u64 {
    std::env::var("SSLCENSUS_MUTATION_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_SEED)
}

/// xorshift64*: deterministic and dependency-free; quality is not the point.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        // Never zero; streams far apart.
        Rng((seed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// In `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Bytes inserted whole: what breaks quoting, nesting, lines and UTF-8.
const INSERTS: [&[u8]; 31] = [
    b"\"",
    b"'",
    b"\"\"",
    b"\\",
    b"\\\"",
    b"(",
    b")",
    b"[",
    b"]",
    b"{",
    b"}",
    b"<",
    b">",
    b",",
    b":",
    b"=",
    b" ",
    b"\t",
    b"\n",
    b"\r",
    b"\r\n",
    b"\0",
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\xf0\x9f\x98",
    b"\xed\xa0\x80",
    "é".as_bytes(),
    "€".as_bytes(),
    "\u{fffd}".as_bytes(),
    "😀".as_bytes(),
];

/// Where to damage: mostly inside a line a parser reads, and often in the
/// first lines (format detection reads them) or a line's first 40 bytes
/// (times, prefixes), so that mutations land where they matter.
fn position(rng: &mut Rng, bytes: &[u8]) -> usize {
    if bytes.is_empty() || rng.one_in(3) {
        return rng.below(bytes.len() + 1);
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .filter(|&start| start < bytes.len())
        .collect();
    let lines = if rng.one_in(2) {
        line_starts.len().min(32)
    } else {
        line_starts.len()
    };
    let start = line_starts[rng.below(lines)];
    let end = bytes[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| start + i);
    if rng.one_in(2) {
        start + rng.below((end - start).min(40) + 1)
    } else {
        start + rng.below(end - start + 1)
    }
}

/// One mutation of `bytes`; `others` are the other samples, for splicing.
fn mutate_once(rng: &mut Rng, bytes: &mut Vec<u8>, others: &[&[u8]]) {
    let at = position(rng, bytes);
    match rng.below(10) {
        0 if !bytes.is_empty() => {
            let i = at.min(bytes.len() - 1);
            bytes[i] ^= 1 << rng.below(8);
        }
        1 if !bytes.is_empty() => {
            let i = at.min(bytes.len() - 1);
            bytes[i] = rng.next() as u8;
        }
        2 => {
            let len = rng.below(64).min(bytes.len() - at);
            bytes.drain(at..at + len);
        }
        3 if rng.one_in(4) => bytes.truncate(at),
        4 | 5 => {
            let insert = rng.pick(&INSERTS);
            bytes.splice(at..at, insert.iter().copied());
        }
        6 | 7 => {
            let other = rng.pick(others);
            if !other.is_empty() {
                let from = rng.below(other.len());
                let len = (1 + rng.below(200)).min(other.len() - from);
                bytes.splice(at..at, other[from..from + len].iter().copied());
            }
        }
        8 if at < bytes.len() => {
            // Repeat a stretch: duplicated lines, doubled fields.
            let len = (1 + rng.below(120)).min(bytes.len() - at);
            let copy = bytes[at..at + len].to_vec();
            bytes.splice(at..at, copy);
        }
        _ => {
            // A run of one byte, e.g. a line of NULs from a crashed disk.
            let byte = *rng.pick(&[0u8, b' ', b'\n', b'"', 0xff, b'9']);
            let len = 1 + rng.below(16);
            bytes.splice(at..at, std::iter::repeat_n(byte, len));
        }
    }
}

/// Whole lines, at most [`EXCERPT_BYTES`] of them: the head of a larger file
/// (what format detection reads) as often as a stretch from anywhere. Keeps
/// each mutant cheap while the sweep still covers every line.
fn excerpt<'a>(rng: &mut Rng, bytes: &'a [u8]) -> &'a [u8] {
    if bytes.len() <= EXCERPT_BYTES {
        return bytes;
    }
    let line_start = |at: usize| {
        bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1)
    };
    let start = if rng.one_in(2) {
        0
    } else {
        line_start(rng.below(bytes.len() - EXCERPT_BYTES))
    };
    let end = line_start(start + EXCERPT_BYTES).max(start + 1);
    &bytes[start..end]
}

fn mutate(rng: &mut Rng, original: &[u8], others: &[&[u8]]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    // Mostly a few mutations, sometimes dozens.
    let count = 1 << rng.below(6);
    for _ in 0..count.min(1 + rng.below(count)) {
        mutate_once(rng, &mut bytes, others);
    }
    bytes
}

fn gzip(content: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(content).unwrap();
    enc.finish().unwrap()
}

fn gunzip(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(content), &mut out).unwrap();
    out
}

fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, in a stable order, with its bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect()
}

/// Lines of engines no server here can run (MySQL 8, Aurora MySQL, Oracle),
/// typed from the formats reference as the parsers' own tables are: seeds,
/// so that mutants reach those parsers with lines of their own kind.
const TYPED_SEEDS: [(&str, &str); 5] = [
    (
        "mysql8/mysql-general.log",
        "/rdsdbbin/mysql/bin/mysqld, Version: 8.0.36 (Source distribution). started with:\nTcp port: 3306  Unix socket: /tmp/mysql.sock\nTime                 Id Command    Argument\n2024-05-01T10:00:00.123456Z\t   42 Connect\tapp@10.0.1.5 on orders using SSL/TLS\n2024-05-01T10:00:01.000000Z\t   42 Quit\t\n2024-05-01T10:00:02.000000Z\t   43 Connect\tapp@10.0.1.6 on orders using TCP/IP\n2024-05-01T10:00:02.100000Z\t   43 Connect\tAccess denied for user 'app'@'10.0.1.6' (using password: YES)\n",
    ),
    (
        "mysql8/mysql-error.log",
        "2024-05-01T10:00:00.123456Z 42 [Note] [MY-010914] [Server] Aborted connection 42 to db: 'unconnected' user: 'unauthenticated' host: '10.0.1.5' (Got an error reading communication packets).\n2024-05-01T10:00:01.000000Z 43 [Note] [MY-010926] [Server] Access denied for user 'app'@'10.0.1.6' (using password: YES)\n",
    ),
    (
        "aurora/audit.log",
        "1407932262463958,ip-10-0-0-5,app,10.0.1.5,42,0,CONNECT,orders,,0\n1407932262999999,ip-10-0-0-5,app,10.0.1.5,42,0,DISCONNECT,orders,,0\n1407932263000000,ip-10-0-0-5,app,10.0.1.6,43,0,FAILED_CONNECT,orders,,1045\n",
    ),
    (
        "oracle/listener.log",
        "01-MAY-2024 10:00:00 * (CONNECT_DATA=(SERVICE_NAME=ORCL)(CID=(PROGRAM=JDBC Thin Client)(HOST=__jdbc__)(USER=app))) * (ADDRESS=(PROTOCOL=tcps)(HOST=10.0.1.5)(PORT=53122)) * establish * ORCL * 0\n01-MAY-2024 10:00:01 * (CONNECT_DATA=(SID=NOPE)(CID=(PROGRAM=)(HOST=__jdbc__)(USER=))) * (ADDRESS=(PROTOCOL=tcp)(HOST=10.0.1.6)(PORT=40023)) * establish * NOPE * 12505\nTNS-12505: TNS:listener does not currently know of SID given in connect descriptor\n",
    ),
    (
        "oracle/alert/log.xml",
        "<msg time='2024-05-01T10:00:10.000+00:00' org_id='oracle' comp_id='tnslsnr' type='UNKNOWN' level='16' host_id='db1' host_addr='10.0.0.5'>\n <txt>01-MAY-2024 10:00:10 * (CONNECT_DATA=(SERVICE_NAME=ORCL)(CID=(PROGRAM=JDBC Thin Client)(HOST=__jdbc__)(USER=app))) * (ADDRESS=(PROTOCOL=tcps)(HOST=10.0.1.5)(PORT=53123)) * establish * ORCL * 0\n </txt>\n</msg>\n<msg time='2024-05-01T10:00:11.000+00:00' org_id='oracle' comp_id='tnslsnr' type='UNKNOWN' level='16' host_id='db1' host_addr='10.0.0.5'>\n <txt> 01-MAY-2024 10:00:11 * (CONNECT_DATA=(SID=ORCL)(CID=(PROGRAM=O&apos;Brien &amp; Sons &quot;ETL&quot;)(HOST=h)(USER=etl))) * (ADDRESS=(PROTOCOL=tcp)(HOST=10.0.1.10)(PORT=2)) * establish * ORCL * 0 </txt>\n</msg>\n",
    ),
];

/// The connection logs: every file under samples/ (gzip decoded), then the
/// typed seeds. Scripts and READMEs are included: they are what a directory
/// walk meets, and fine splicing material.
fn log_corpus() -> Vec<(String, Vec<u8>)> {
    let root = repo();
    let mut corpus: Vec<(String, Vec<u8>)> = files_under(&root.join("samples"))
        .into_iter()
        .filter(|(path, _)| !path.starts_with(root.join("samples/configs")))
        .map(|(path, bytes)| {
            let name = path.strip_prefix(&root).unwrap().display().to_string();
            (name, bytes)
        })
        .collect();
    corpus.extend(
        TYPED_SEEDS
            .iter()
            .map(|(name, text)| (format!("typed:{name}"), text.as_bytes().to_vec())),
    );
    corpus
}

/// Session dumps, as the `dumps` fuzz target reads them: detected as they
/// are and in a form picked at random, then read line by line as `analyze`
/// reads them.
fn parse_dumps(rng: &mut Rng, bytes: &[u8]) {
    let mut data = Vec::with_capacity(bytes.len() + 1);
    data.push(rng.below(256) as u8);
    data.extend_from_slice(bytes);
    sslcensus::fuzzing::dumps(&data);
}

const CHOICES: [FormatChoice; 7] = [
    FormatChoice::Stderr,
    FormatChoice::Csvlog,
    FormatChoice::Jsonlog,
    FormatChoice::GeneralLog,
    FormatChoice::ErrorLog,
    FormatChoice::AuditLog,
    FormatChoice::ListenerLog,
];

/// The parsers alone: detection (free, and forced to some format), a scan
/// in the detected format and in a few others (every format over the
/// sweep), and single lines re-read as the correlator's replay does.
fn parse_everything(rng: &mut Rng, bytes: &[u8], formats: &[LogFormat]) {
    let head = &bytes[..bytes.len().min(64 << 10)];
    let detected = detect(head, None, None).ok().map(|d| d.format);
    let _ = detect(head, Some(*rng.pick(&CHOICES)), None);
    let others: Vec<&LogFormat> = (0..4).map(|_| rng.pick(formats)).collect();
    for format in detected.iter().chain(others) {
        scan(format, bytes, &mut Check);
        for _ in 0..4 {
            let at = rng.below(bytes.len() + 1);
            let start = bytes[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            scan_line(format, bytes, start, &mut Check);
        }
    }
}

/// The pipeline as `analyze` runs it: the mutant written as one or more
/// consecutive files of one RDS instance (cut anywhere, so sessions and
/// lines span files), plain or gzipped, then judged and reported.
fn run_pipeline(rng: &mut Rng, dir: &Path, name: &str, bytes: &[u8], gzipped: bool) {
    let instance = dir.join("db-mutant");
    let _ = std::fs::remove_dir_all(&instance);
    std::fs::create_dir_all(&instance).unwrap();
    let pieces = 1 + rng.below(3);
    let mut cuts: Vec<usize> = (1..pieces).map(|_| rng.below(bytes.len() + 1)).collect();
    cuts.sort_unstable();
    let bounds: Vec<usize> = std::iter::once(0)
        .chain(cuts)
        .chain([bytes.len()])
        .collect();
    // Keep the sample's own file name where RDS names it (it decides the
    // instance and the kind of log).
    let base = Path::new(name).file_name().unwrap().to_string_lossy();
    for (i, pair) in bounds.windows(2).enumerate() {
        let piece = &bytes[pair[0]..pair[1]];
        let content = if gzipped { gzip(piece) } else { piece.to_vec() };
        std::fs::write(instance.join(format!("{base}.{i}")), content).unwrap();
    }
    let (files, errors) = resolve(&[instance.display().to_string()], None);
    assert!(errors.is_empty(), "{errors:?}");
    let settings = Settings {
        forced: rng.one_in(4).then(|| *rng.pick(&CHOICES)),
        prefix: rng
            .one_in(4)
            .then(|| LinePrefix::compile(KNOWN_PREFIXES[rng.below(KNOWN_PREFIXES.len())]).unwrap()),
        ..Settings::default()
    };
    let analysis = analyze(&files, &settings, &Progress::new(0, false));
    for problem in &analysis.problems {
        // Named by file and line, as the messages print them.
        assert!(problem.line >= 1 && !problem.file.is_empty());
        assert_ne!(
            problem.problem,
            Problem::Malformed(PARSER_FAULT),
            "{problem:?}"
        );
    }
    for file in &analysis.files {
        if let FileStatus::Failed(why) = &file.status {
            assert!(
                !why.starts_with("internal error"),
                "{}: {why}",
                file.display
            );
        }
    }
    for group_by in ["instance,user,database,application", "client_host,engine"] {
        let rows = judge(
            analysis.census.clone(),
            &group_by.parse::<GroupBy>().unwrap(),
            &Evidence::default(),
        );
        for format in [OutputFormat::Csv, OutputFormat::Json] {
            sslcensus::write_report(&rows, format, Vec::new()).unwrap();
        }
        let _ = sslcensus::summary_with(&rows, &sslcensus::RunFacts::default(), None);
    }
}

thread_local! {
    /// Where this thread's first panic was, while a sweep watches for them.
    static CAUGHT: std::cell::RefCell<Option<Option<String>>> = const { std::cell::RefCell::new(None) };
}

/// The first panic of a mutant is recorded (location and message) instead of
/// printed: a parser's, not the check that saw the scan skip its line. Every
/// other panic goes to the default hook as usual.
fn watch_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let watched = CAUGHT.with(|c| {
                let mut c = c.borrow_mut();
                let Some(slot) = c.as_mut() else {
                    return false;
                };
                if slot.is_none() {
                    let message = info
                        .payload()
                        .downcast_ref::<String>()
                        .map(String::as_str)
                        .or_else(|| info.payload().downcast_ref::<&str>().copied())
                        .unwrap_or("");
                    let location = info.location().map(|l| l.to_string()).unwrap_or_default();
                    *slot = Some(format!("{location}: {message}"));
                }
                true
            });
            if !watched {
                default(info);
            }
        }));
    });
}

/// Runs `check` for each mutant of each file. Panics are collected; the
/// sweep fails at the end naming each distinct one, with the mutant kept in
/// the test's temporary folder for a rerun.
fn sweep(label: &str, corpus: &[(String, Vec<u8>)], mut check: impl FnMut(&mut Rng, &str, &[u8])) {
    watch_panics();
    let others: Vec<&[u8]> = corpus.iter().map(|(_, b)| b.as_slice()).collect();
    let (seed, count) = (seed(), mutants());
    let mut failures: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (index, (name, original)) in corpus.iter().enumerate() {
        for mutant in 0..count {
            let mut rng = Rng::new(seed, ((index as u64) << 32) | mutant as u64);
            let source = excerpt(&mut rng, original);
            let bytes = mutate(&mut rng, source, &others);
            CAUGHT.with(|c| *c.borrow_mut() = Some(None));
            let outcome = catch_unwind(AssertUnwindSafe(|| check(&mut rng, name, &bytes)));
            let caught = CAUGHT.with(|c| c.borrow_mut().take()).flatten();
            if outcome.is_err() {
                let caught = caught.unwrap_or_else(|| "?: panic".into());
                // Told apart by where; the message (which may quote the
                // damaged text) of the first one is shown, cut to one line.
                let (place, message) = caught.split_once(": ").unwrap_or(("?", &caught));
                let entry = failures.entry(place.to_string()).or_insert_with(|| {
                    let kept = Path::new(env!("CARGO_TARGET_TMPDIR"))
                        .join(format!("{label}-seed{seed}-{index}-{mutant}"));
                    std::fs::write(&kept, &bytes).unwrap();
                    let message: String = message
                        .lines()
                        .next()
                        .unwrap_or("")
                        .chars()
                        .take(200)
                        .collect();
                    (
                        0,
                        format!(
                            "{message}\n      first: mutant {mutant} of {name}, kept in {}",
                            kept.display()
                        ),
                    )
                });
                entry.0 += 1;
            }
        }
    }
    let report: Vec<String> = failures
        .iter()
        .map(|(place, (n, first))| format!("  {n} x {place}: {first}"))
        .collect();
    assert!(
        failures.is_empty(),
        "{label}: {} mutants of {} (seed {seed}) panicked:\n{}",
        failures.values().map(|(n, _)| n).sum::<usize>(),
        corpus.len() * count,
        report.join("\n")
    );
}

#[test]
fn parsers_survive_damaged_logs() {
    let formats = every_format();
    let corpus: Vec<(String, Vec<u8>)> = log_corpus()
        .into_iter()
        .map(|(name, bytes)| {
            let bytes = if is_gzip(&bytes) {
                gunzip(&bytes)
            } else {
                bytes
            };
            (name, bytes)
        })
        .collect();
    sweep("parsers", &corpus, |rng, _, bytes| {
        parse_everything(rng, bytes, &formats);
        parse_dumps(rng, bytes)
    });
}

#[test]
fn analyze_survives_damaged_logs() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = log_corpus();
    sweep("analyze", &corpus, |rng, name, bytes| {
        // A gzip sample is damaged in its compressed bytes (a broken or cut
        // stream) as often as in its text; a plain one is sometimes gzipped.
        let gzipped = !is_gzip(bytes) && rng.one_in(5);
        run_pipeline(rng, dir.path(), name, bytes, gzipped);
    });
    let gzipped: Vec<(String, Vec<u8>)> = corpus
        .into_iter()
        .filter(|(_, bytes)| is_gzip(bytes))
        .map(|(name, bytes)| (name, gunzip(&bytes)))
        .collect();
    assert!(!gzipped.is_empty(), "the samples hold gzipped logs");
    sweep("analyze-gz", &gzipped, |rng, name, bytes| {
        run_pipeline(rng, dir.path(), name, bytes, true)
    });
}

/// Client settings: every detector over damaged copies of the bundled app
/// trees (under each other's file names too, which routes them to other
/// detectors), and a directory walk over a damaged tree.
#[test]
fn detectors_survive_damaged_settings() {
    let root = repo();
    let corpus: Vec<(String, Vec<u8>)> =
        [root.join("samples/configs"), root.join("tests/fixtures")]
            .iter()
            .flat_map(|dir| files_under(dir))
            .map(|(path, bytes)| (path.display().to_string(), bytes))
            .collect();
    let names: Vec<String> = corpus
        .iter()
        .map(|(path, _)| {
            Path::new(path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_lowercase()
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    sweep("detectors", &corpus, |rng, path, bytes| {
        let text = String::from_utf8_lossy(bytes);
        let own = Path::new(path)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_lowercase();
        for name in [own.as_str(), rng.pick(&names).as_str()] {
            detect_all(&SourceFile {
                path: Path::new(path),
                name,
                text: &text,
                versions: sslcensus::settings::Versions::None,
            });
        }
        if rng.one_in(8) {
            let file = dir.path().join(&own);
            std::fs::write(&file, bytes).unwrap();
            let (_, summary) = walk::scan(&[file]);
            assert!(summary.errors.is_empty(), "{:?}", summary.errors);
        }
    });
}

/// The CSVs `analyze` reads back (`--configs`, `--endpoint-map`,
/// `--evidence`), damaged: a bad row is an error naming file and line.
#[test]
fn evidence_readers_survive_damaged_csv() {
    let (found, _) = walk::scan(&[repo().join("samples/configs")]);
    assert!(!found.is_empty(), "the bundled app settings are found");
    let mut settings = Vec::new();
    sslcensus::write_settings(&found, OutputFormat::Csv, &mut settings).unwrap();
    let corpus = vec![
        ("settings.csv".to_string(), settings),
        (
            "endpoints.csv".to_string(),
            b"host,instance\norders-db.internal.example.com,orders-prod\n\"a,b\",c\n".to_vec(),
        ),
        (
            "evidence.csv".to_string(),
            b"instance,user,database,application,client_host,verifies,note\npg-sample-1,postgres,,app_prefer,,yes,\"checked, by hand\"\n,,,,127.0.0.11,no,\n".to_vec(),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    sweep("evidence-csv", &corpus, |_, name, bytes| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let settings = fold::read_settings(&path).unwrap_or_default();
        let map = fold::EndpointMap::read(&path).unwrap_or_default();
        let overrides = fold::read_overrides(&path).unwrap_or_default();
        let apps = fold::AppMap::read(&path).unwrap_or_default();
        let evidence = Evidence::new(
            settings,
            &map,
            &apps,
            overrides,
            &sslcensus::Families::default(),
        );
        let _ = evidence.untied_settings;
    });
}

/// Partials (`merge`'s input), damaged anywhere — the Parquet footer,
/// pages, dictionaries, the rows' text: an error naming the file, or a
/// census that judges and writes back.
#[test]
fn merge_survives_damaged_partials() {
    let dir = tempfile::tempdir().unwrap();
    let corpus: Vec<(String, Vec<u8>)> = [
        "postgresql/stderr",
        "mariadb/general",
        "dumps/postgresql/csv",
    ]
    .iter()
    .map(|input| {
        let (files, _) = resolve(
            &[repo().join("samples").join(input).display().to_string()],
            None,
        );
        let analysis = analyze(&files, &Settings::default(), &Progress::new(0, false));
        let window = sslcensus::Window {
            since: Some(1_795_000_000_000),
            until: None,
        };
        let partial = Partial::of_run(analysis.census, &analysis.files, false, window);
        let mut bytes = Vec::new();
        sslcensus::write_partial(&partial, &mut bytes).unwrap();
        (format!("{input}.parquet"), bytes)
    })
    .collect();
    assert!(
        corpus.iter().all(|(_, b)| b.len() <= EXCERPT_BYTES),
        "every byte of a partial may be damaged"
    );
    let path = dir.path().join("partial.parquet");
    sweep("partials", &corpus, |_, _, bytes| {
        std::fs::write(&path, bytes).unwrap();
        match sslcensus::read_partial(&path) {
            Ok(partial) => {
                let mut again = Vec::new();
                sslcensus::write_partial(&partial, &mut again).unwrap();
                judge(partial.census, &GroupBy::default(), &Evidence::default());
            }
            Err(e) => assert!(
                format!("{e:#}").starts_with(&path.display().to_string()),
                "{e:#}"
            ),
        }
    });
}
