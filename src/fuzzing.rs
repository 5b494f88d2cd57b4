//! The fuzz targets' bodies (`fuzz/fuzz_targets/*.rs` are one line each),
//! kept here so that `tests/fuzz_regressions.rs` replays every input a
//! fuzzer ever found against the same code on stable Rust. Each takes
//! arbitrary bytes; the first byte (where one is read) picks a variant, so
//! a seed from the corpus says which format it is.
//!
//! Nothing here may panic on any input: that is what the fuzzer checks.

use std::path::Path;

use sslcensus_parsers::dump::{self, CapturedSession, DumpReader, DumpSink, TimeSource};
use sslcensus_parsers::observation::Malformed;
use sslcensus_parsers::{
    Engine, LogFormat, Observation, PARSER_FAULT, Sink, detect, scan, scan_line,
};
use sslcensus_parsers::{KNOWN_PREFIXES, LinePrefix};

/// Reads every field of what parsers give; a line a parser's guard had to
/// skip is a bug the fuzzer (and tests/mutation.rs) must report.
pub struct Check;

impl Sink for Check {
    fn observation(&mut self, _: usize, o: Observation<'_>) {
        std::hint::black_box(format!("{o:?}"));
    }
    fn malformed(&mut self, offset: usize, why: Malformed) {
        assert_ne!(
            why, PARSER_FAULT,
            "a parser failed on the line at byte {offset}"
        );
    }
    fn invalid_utf8(&mut self, _: usize) {}
}

impl DumpSink for Check {
    fn session(
        &mut self,
        _: u64,
        _: u32,
        time: Option<(i64, TimeSource)>,
        session: CapturedSession<'_>,
    ) {
        std::hint::black_box(format!("{time:?} {session:?}"));
    }
    fn attribute(&mut self, _: u64, id: u64, name: &str, value: &str) {
        std::hint::black_box(format!("{id} {name} {value}"));
    }
    fn malformed(&mut self, _: u64, _: &'static str) {}
}

/// Every format a parser exists for: stderr under each known prefix and
/// none, csvlog, jsonlog, the MySQL family's three logs, Oracle's listener.
pub fn every_format() -> Vec<LogFormat> {
    let mut formats: Vec<LogFormat> = KNOWN_PREFIXES
        .iter()
        .filter_map(|p| LinePrefix::compile(p).ok())
        .map(|prefix| LogFormat::PgStderr {
            prefix: Some(prefix),
        })
        .collect();
    formats.push(LogFormat::PgStderr { prefix: None });
    formats.push(LogFormat::PgCsvlog);
    formats.push(LogFormat::PgJsonlog);
    for engine in [Engine::Mysql, Engine::Mariadb] {
        formats.push(LogFormat::MysqlGeneral { engine });
        formats.push(LogFormat::MysqlError { engine });
        formats.push(LogFormat::MysqlAudit { engine });
    }
    formats.push(LogFormat::OracleListener);
    formats
}

/// `log_lines`: byte 0 picks a format; the rest is a chunk of a log.
/// Detection (envelopes included), a scan in the picked and the detected
/// format, and every line re-read alone as the correlator's replay does.
pub fn log_lines(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let formats = every_format();
    let picked = &formats[usize::from(pick) % formats.len()];
    let detected = detect(&bytes[..bytes.len().min(64 << 10)], None, None)
        .ok()
        .map(|d| d.format);
    for format in std::iter::once(picked).chain(detected.as_ref()) {
        scan(format, bytes, &mut Check);
        let mut start = 0;
        while start <= bytes.len() {
            scan_line(format, bytes, start, &mut Check);
            match memchr::memchr(b'\n', &bytes[start..]) {
                Some(end) => start += end + 1,
                None => break,
            }
        }
    }
}

/// `line_prefix`: a `log_line_prefix` (up to the first newline), compiled,
/// then the rest read as stderr under it.
pub fn line_prefix(data: &[u8]) {
    let (prefix, rest) = match memchr::memchr(b'\n', data) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let Ok(prefix) = std::str::from_utf8(prefix) else {
        return;
    };
    if let Ok(compiled) = LinePrefix::compile(prefix) {
        scan(
            &LogFormat::PgStderr {
                prefix: Some(compiled),
            },
            rest,
            &mut Check,
        );
    }
}

/// `dumps`: byte 0 picks a form to force; the rest is a session dump,
/// detected as it is and in the forced form, read line by line.
pub fn dumps(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let forms = dump::form_ids();
    let forced = forms[usize::from(pick) % forms.len()];
    let head = &bytes[..bytes.len().min(64 << 10)];
    let text = String::from_utf8_lossy(bytes);
    for format in dump::detect(head, None)
        .into_iter()
        .chain(dump::detect(head, Some(forced)))
    {
        let mut reader = DumpReader::new(format, Some((0, TimeSource::Given)));
        for (i, line) in text.split('\n').enumerate() {
            reader.line(i as u64 + 1, line, &mut Check);
        }
        reader.finish(&mut Check);
    }
}

/// File names the settings detectors choose by.
pub const SETTINGS_FILES: [&str; 24] = [
    ".env",
    "application.properties",
    "application.yml",
    "database.yml",
    "settings.py",
    "config.php",
    "wp-config.php",
    "appsettings.json",
    "web.config",
    "app.config",
    "pom.xml",
    "build.gradle",
    "package.json",
    "knexfile.js",
    "db.js",
    "main.go",
    "db.py",
    "Program.cs",
    "docker-compose.yml",
    "values.yaml",
    "my.cnf",
    "tnsnames.ora",
    "sqlnet.ora",
    "deploy.sh",
];

/// `settings`: byte 0 picks a file name; the rest is the file, through every
/// settings detector.
pub fn settings(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let name = SETTINGS_FILES[usize::from(pick) % SETTINGS_FILES.len()].to_lowercase();
    let text = String::from_utf8_lossy(bytes);
    let hits = crate::evidence::detect_all(&crate::evidence::SourceFile {
        path: Path::new(&name),
        name: &name,
        text: &text,
        versions: crate::evidence::deps::Versions::None,
    });
    std::hint::black_box(format!("{hits:?}"));
}

/// `truststore`: the bytes as a trust store file (PEM, DER, PKCS#7,
/// PKCS#12, JKS, JCEKS), and what it covers of the RDS CAs.
pub fn truststore(data: &[u8]) {
    if let Ok(store) =
        crate::evidence::truststore::read_bytes(Path::new("fuzz.pem"), data.to_vec(), None)
    {
        std::hint::black_box(crate::evidence::truststore::coverage_summary(&store, 0));
    }
}

/// `inventory`: the text as `describe-db-*` JSON pages.
pub fn inventory(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(inventory) = crate::inventory::Inventory::from_text(&text, "fuzz.json") {
        std::hint::black_box(inventory.nodes.len());
    }
}

/// A target's body.
pub type Target = fn(&[u8]);

/// Every target by name, for the regression replay.
pub const TARGETS: [(&str, Target); 6] = [
    ("log_lines", log_lines),
    ("line_prefix", line_prefix),
    ("dumps", dumps),
    ("settings", settings),
    ("truststore", truststore),
    ("inventory", inventory),
];
