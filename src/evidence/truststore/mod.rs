//! Trust stores (`sslcensus truststore FILE|DIR…`): which CAs a client's
//! trust material holds, and whether the Amazon RDS CAs are among them.
//!
//! A CA rotation breaks a verifying client exactly when its trust store lacks
//! the new CA (FORMATS.md 5.4), so this reads the stores clients really use:
//! PEM bundles (`global-bundle.pem`, OS bundles), DER and PKCS#7 (`.p7b`)
//! files, PKCS#12 and Java JKS/JCEKS keystores. An RDS root is genuine when
//! its public key is the one AWS published for it (the SHA-256 of its
//! SubjectPublicKeyInfo is in [`published_roots`]), never by file name
//! (bundles get renamed, and a `global-bundle.pem` may predate the new CAs)
//! nor by name alone (anyone can make a certificate called `Amazon RDS Root
//! 2019 CA`). The name only says which CA a look-alike imitates.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

mod certificate;
mod coverage;
mod jks;
mod pem;
mod pkcs12;
mod pkcs7;
mod rds;
mod rds_name;
mod rds_roots;
mod require;
mod sniff;

pub use coverage::{coverage_summary, rds_coverage};
pub use rds::{KeyKind, PublishedRoot, RdsCa, RdsMatch, Standing};
pub use rds_name::is_region;
pub use require::check_required;

use certificate::certificate;
use jks::jks_entries;
use pem::pem_entries;
use pkcs7::pkcs7_certificates;
use pkcs12::pkcs12_entries;
use sniff::sniff;

/// No trust store comes near this size; it bounds what a directory walk
/// reads from files that turn out to be something else.
const MAX_BYTES: u64 = 16 << 20;

/// One certificate in a trust store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub subject: String,
    pub issuer: String,
    /// notAfter, Unix seconds.
    pub not_after: i64,
    pub key: KeyKind,
    /// basicConstraints CA:TRUE. Bundles also hold pinned server
    /// certificates, which vouch for nothing but themselves.
    pub is_ca: bool,
    /// SHA-256 of the DER, lowercase hex: what `openssl x509 -fingerprint
    /// -sha256` and `keytool -list` print, without the colons.
    pub sha256: String,
    /// SHA-256 of the DER SubjectPublicKeyInfo, lowercase hex: `openssl x509
    /// -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum`.
    pub spki_sha256: String,
    pub rds: Option<RdsMatch>,
}

/// How a store is encoded, as found from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreFormat {
    Pem,
    Der,
    Pkcs7,
    Pkcs12,
    Jks,
    Jceks,
}

impl StoreFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            StoreFormat::Pem => "PEM",
            StoreFormat::Der => "DER",
            StoreFormat::Pkcs7 => "PKCS#7",
            StoreFormat::Pkcs12 => "PKCS#12",
            StoreFormat::Jks => "JKS",
            StoreFormat::Jceks => "JCEKS",
        }
    }
}

/// One trust store file and the certificates in it, in store order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustStore {
    pub path: PathBuf,
    pub format: StoreFormat,
    pub certificates: Vec<Certificate>,
}

/// Whether a store can anchor one RDS CA's chains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdsCoverage {
    pub ca: RdsCa,
    /// A genuine root of the CA is in the store. Intermediates do not count:
    /// OpenSSL-based clients (libpq, the MySQL clients) accept only a root as
    /// the end of a chain unless told otherwise, and look-alikes never count.
    pub present: bool,
    /// The latest notAfter among those roots (Unix seconds): the store is of
    /// use for this CA until then.
    pub expires: Option<i64>,
    /// Every root of the CA in the store has expired.
    pub expired: bool,
    /// Regions of the roots found, sorted. Empty for the 2019 root, which
    /// serves every region; a G1 root serves only its own region, so a
    /// regional bundle does not cover instances elsewhere.
    pub regions: Vec<String>,
}

/// A file that could not be read as a trust store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustStoreError {
    pub path: PathBuf,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The I/O error's text.
    Io(String),
    TooLarge,
    /// Not PEM certificates, DER, PKCS#7, PKCS#12 or JKS/JCEKS.
    NotATrustStore,
    /// PEM text whose blocks are keys, requests or CRLs, no certificate.
    NoCertificates,
    /// A store format with no certificate in it.
    Empty,
    /// Recognised, but damaged: what and where.
    Malformed(String),
    /// A PKCS#12 store rejected the password: the one given, or when none
    /// was given, the defaults `changeit` and the empty password.
    Password {
        given: bool,
    },
    /// Valid content this reader cannot handle.
    Unsupported(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Io(error) => write!(f, "cannot read: {error}"),
            Problem::TooLarge => {
                write!(f, "larger than {} MiB, not a trust store", MAX_BYTES >> 20)
            }
            Problem::NotATrustStore => write!(
                f,
                "not a trust store (no PEM certificate, DER, PKCS#7, PKCS#12 or JKS)"
            ),
            Problem::NoCertificates => write!(f, "holds PEM blocks but no certificate"),
            Problem::Empty => write!(f, "holds no certificate"),
            Problem::Malformed(what) => write!(f, "damaged: {what}"),
            Problem::Password { given: true } => write!(f, "PKCS#12 password rejected"),
            Problem::Password { given: false } => write!(
                f,
                "PKCS#12 store needs its password (the defaults `changeit` and empty were rejected)"
            ),
            Problem::Unsupported(what) => write!(f, "unsupported: {what}"),
        }
    }
}

impl fmt::Display for TrustStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.problem)
    }
}

impl std::error::Error for TrustStoreError {}

/// Reads one trust store. `password` opens PKCS#12 stores; without one, the
/// Java default `changeit` and the empty password are tried, which open most
/// truststores (certificates are rarely secret). JKS and JCEKS need none.
pub fn read(path: &Path, password: Option<&str>) -> Result<TrustStore, TrustStoreError> {
    let fail = |problem| TrustStoreError {
        path: path.to_path_buf(),
        problem,
    };
    let bytes = read_bounded(path).map_err(fail)?;
    read_bytes(path, bytes, password)
}

/// Reads a trust store's bytes (`path` names it in the result and errors).
pub fn read_bytes(
    path: &Path,
    bytes: Vec<u8>,
    password: Option<&str>,
) -> Result<TrustStore, TrustStoreError> {
    let fail = |problem| TrustStoreError {
        path: path.to_path_buf(),
        problem,
    };
    let format = sniff(&bytes).ok_or_else(|| fail(Problem::NotATrustStore))?;
    let certificates = certificates(format, &bytes, password).map_err(fail)?;
    Ok(TrustStore {
        path: path.to_path_buf(),
        format,
        certificates,
    })
}

/// Reads every store named, and every file under the directories named
/// (recursively, following links, hidden entries skipped as Kubernetes
/// keeps the real files of a mounted secret in `..data`). A file reached
/// twice through links is read once. Directories hold keys, configs and
/// READMEs beside their CA files: such files are passed over silently,
/// unless their name says they are certificate material.
pub fn read_all(
    paths: &[PathBuf],
    password: Option<&str>,
) -> (Vec<TrustStore>, Vec<TrustStoreError>) {
    let mut stores = Vec::new();
    let mut errors = Vec::new();
    // (file, found in a directory)
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push((path.clone(), false));
            continue;
        }
        let walk = walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walk {
            match entry {
                Ok(e) if e.file_type().is_file() => files.push((e.into_path(), true)),
                Ok(_) => {}
                Err(e) => errors.push(TrustStoreError {
                    path: e.path().unwrap_or(path).to_path_buf(),
                    problem: Problem::Io(
                        e.io_error()
                            .map_or_else(|| e.to_string(), ToString::to_string),
                    ),
                }),
            }
        }
    }
    let mut seen = HashSet::new();
    for (path, found) in files {
        if !seen.insert(path.canonicalize().unwrap_or_else(|_| path.clone())) {
            continue;
        }
        match read(&path, password) {
            Ok(store) => stores.push(store),
            Err(e) if !found || worth_reporting(&e.problem, &path) => errors.push(e),
            Err(_) => {}
        }
    }
    (stores, errors)
}

/// Whether a failure on a file found in a directory is news: a damaged or
/// locked store always is; a file that is not certificate material only
/// when its name claims it is (an empty `ca.pem`, an HTML error page saved as
/// `global-bundle.pem`).
fn worth_reporting(problem: &Problem, path: &Path) -> bool {
    const CERTIFICATE_EXTENSIONS: [&str; 12] = [
        "pem",
        "crt",
        "cer",
        "der",
        "p7b",
        "p7c",
        "p12",
        "pfx",
        "jks",
        "jceks",
        "keystore",
        "truststore",
    ];
    match problem {
        Problem::NoCertificates => false,
        Problem::Io(_) | Problem::TooLarge | Problem::NotATrustStore => {
            path.extension().is_some_and(|x| {
                CERTIFICATE_EXTENSIONS.contains(&x.to_string_lossy().to_lowercase().as_str())
            })
        }
        _ => true,
    }
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, Problem> {
    let io = |e: std::io::Error| Problem::Io(e.to_string());
    if std::fs::metadata(path).map_err(io)?.len() > MAX_BYTES {
        return Err(Problem::TooLarge);
    }
    std::fs::read(path).map_err(io)
}

/// One certificate as a store holds it, and where it sits (for messages).
struct Entry {
    at: String,
    der: Vec<u8>,
}

fn certificates(
    format: StoreFormat,
    bytes: &[u8],
    password: Option<&str>,
) -> Result<Vec<Certificate>, Problem> {
    let entries = match format {
        StoreFormat::Pem => pem_entries(&String::from_utf8_lossy(bytes))?,
        StoreFormat::Der => vec![Entry {
            at: "the certificate".into(),
            der: bytes.to_vec(),
        }],
        StoreFormat::Pkcs7 => numbered(pkcs7_certificates(bytes).map_err(Problem::Malformed)?, ""),
        StoreFormat::Pkcs12 => pkcs12_entries(bytes, password)?,
        StoreFormat::Jks | StoreFormat::Jceks => jks_entries(bytes)?,
    };
    if entries.is_empty() {
        return Err(Problem::Empty);
    }
    entries
        .iter()
        .map(|e| certificate(&e.der).map_err(|why| Problem::Malformed(format!("{}: {why}", e.at))))
        .collect()
}

/// Each entry's place and DER, for tests to compare.
#[cfg(test)]
fn listed(entries: &[Entry]) -> Vec<(&str, &[u8])> {
    entries
        .iter()
        .map(|e| (e.at.as_str(), e.der.as_slice()))
        .collect()
}

fn numbered(ders: Vec<Vec<u8>>, prefix: &str) -> Vec<Entry> {
    ders.into_iter()
        .enumerate()
        .map(|(i, der)| Entry {
            at: format!("{prefix}certificate {}", i + 1),
            der,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_files_are_reported_only_when_they_claim_to_be_certificates() {
        let table = [
            ("notes.txt", Problem::NotATrustStore, false),
            ("ca.pem", Problem::NotATrustStore, true),
            ("CA.CRT", Problem::Io("denied".into()), true),
            ("cacerts", Problem::TooLarge, false),
            ("key.pem", Problem::NoCertificates, false),
            ("cacerts", Problem::Password { given: false }, true),
            ("app.bin", Problem::Malformed("line 3".into()), true),
        ];
        for (name, problem, reported) in table {
            assert_eq!(
                worth_reporting(&problem, Path::new(name)),
                reported,
                "{name}: {problem}"
            );
        }
    }
}
