//! Verification evidence from outside the server: application connection
//! settings found in code and config trees (`scan-config`), trust stores
//! (`truststore`), and the analyst's own findings (`--evidence`).
//!
//! The server cannot see whether a client verifies its certificate; the
//! client's settings can. Each detector reads one file's text and reports
//! [`ConfigHit`]s with the three facts that decide a CA rotation's effect,
//! driver defaults applied (FORMATS.md, "Client-side settings").

pub mod fold;
pub mod mysql;
pub mod oracle;
pub mod postgres;
pub mod source_text;
pub mod sqlserver;
pub mod text;
pub mod truststore;
pub mod walk;

use std::path::Path;

use sslcensus_parsers::Engine;

/// Yes, no, or not decidable from the settings found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fact {
    Yes,
    No,
    Unknown,
}

impl Fact {
    pub fn as_str(self) -> &'static str {
        match self {
            Fact::Yes => "yes",
            Fact::No => "no",
            Fact::Unknown => "unknown",
        }
    }
}

/// What one connection setting in one file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigHit {
    /// 1-based line where the setting starts.
    pub line: usize,
    /// What was recognised, e.g. `libpq URI`, `JDBC PostgreSQL`, `Rails database.yml`.
    pub stack: &'static str,
    pub engine: Engine,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub database: Option<String>,
    pub uses_tls: Fact,
    pub verifies_chain: Fact,
    pub verifies_hostname: Fact,
    /// The trust material the setting names (`sslrootcert`, `ssl-ca`,
    /// `trustCertificateKeyStoreUrl`, a wallet directory), as written.
    pub trust_store: Option<String>,
    /// The setting as found, with every secret masked (see [`text::mask`]):
    /// this is what reports show.
    pub setting: String,
}

/// One file's text, as a detector sees it.
#[derive(Debug, Clone, Copy)]
pub struct SourceFile<'a> {
    pub path: &'a Path,
    /// The file name, lowercased (detectors choose by it: `database.yml`,
    /// `my.cnf`, `.env`, `tnsnames.ora`, …).
    pub name: &'a str,
    pub text: &'a str,
}

/// Every detector's hits in one file, in line order. Detectors read the
/// file's live text ([`source_text::live_text`]): comments blanked,
/// concatenated literals joined, offsets and lines kept.
pub fn detect_all(file: &SourceFile<'_>) -> Vec<ConfigHit> {
    let live = source_text::live_text(file.name, file.text);
    let file = &SourceFile {
        text: &live,
        ..*file
    };
    let mut hits: Vec<ConfigHit> = [
        postgres::detect,
        mysql::detect,
        sqlserver::detect,
        oracle::detect,
    ]
    .iter()
    .flat_map(|detect| detect(file))
    .collect();
    hits.sort_by_key(|h| h.line);
    hits
}

/// What detector tests share.
#[cfg(test)]
pub(crate) mod testing {
    use std::path::Path;

    use super::source_text::live_text;
    use super::{ConfigHit, Fact, SourceFile};

    /// A detector's hits in `text`, as if read from a file named `name`
    /// (through [`live_text`], as [`super::detect_all`] reads files).
    pub fn scan(
        detect: fn(&SourceFile<'_>) -> Vec<ConfigHit>,
        name: &str,
        text: &str,
    ) -> Vec<ConfigHit> {
        detect(&SourceFile {
            path: Path::new(name),
            name,
            text: &live_text(name, text),
        })
    }

    /// What detector tables compare: stack, host, port, user, database,
    /// (uses TLS, verifies chain, verifies hostname), trust store.
    pub type Seen<'a> = (
        &'a str,
        Option<&'a str>,
        Option<u16>,
        Option<&'a str>,
        Option<&'a str>,
        (Fact, Fact, Fact),
        Option<&'a str>,
    );

    pub fn seen(h: &ConfigHit) -> Seen<'_> {
        (
            h.stack,
            h.host.as_deref(),
            h.port,
            h.user.as_deref(),
            h.database.as_deref(),
            (h.uses_tls, h.verifies_chain, h.verifies_hostname),
            h.trust_store.as_deref(),
        )
    }

    /// No hit may show `secret` in its setting.
    pub fn assert_masked(hits: &[ConfigHit], secret: &str) {
        for h in hits {
            assert!(!h.setting.contains(secret), "password shown: {}", h.setting);
        }
    }
}
