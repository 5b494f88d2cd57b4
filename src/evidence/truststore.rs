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

use p12_keystore::Pkcs12Archive;
use p12_keystore::error::Error as Pkcs12Error;
use sha2::{Digest, Sha256};
use x509_parser::asn1_rs::{Any, Class, FromBer, Tag};
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

mod rds_roots;

/// No trust store comes near this size; it bounds what a directory walk
/// reads from files that turn out to be something else.
const MAX_BYTES: u64 = 16 << 20;

/// An Amazon RDS certificate authority, as `CACertificateIdentifier` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RdsCa {
    Ca2015,
    Ca2019,
    Rsa2048G1,
    Rsa4096G1,
    Ecc384G1,
}

impl RdsCa {
    /// The CAs a store is checked for: 2019 (expired in 2024, yet still the
    /// only RDS CA in many stores) and the three G1 CAs that replace it.
    pub const CURRENT: [RdsCa; 4] = [
        RdsCa::Ca2019,
        RdsCa::Rsa2048G1,
        RdsCa::Rsa4096G1,
        RdsCa::Ecc384G1,
    ];

    pub fn id(self) -> &'static str {
        match self {
            RdsCa::Ca2015 => "rds-ca-2015",
            RdsCa::Ca2019 => "rds-ca-2019",
            RdsCa::Rsa2048G1 => "rds-ca-rsa2048-g1",
            RdsCa::Rsa4096G1 => "rds-ca-rsa4096-g1",
            RdsCa::Ecc384G1 => "rds-ca-ecc384-g1",
        }
    }

    /// The CA `id` names (`rds-ca-rsa2048-g1`), among [`RdsCa::CURRENT`].
    pub fn from_id(id: &str) -> Option<RdsCa> {
        RdsCa::CURRENT.into_iter().find(|ca| ca.id() == id)
    }

    /// Whether the CA's roots are regional: a G1 root serves only the
    /// region in its name, the 2015 and 2019 roots serve every region.
    pub fn regional(self) -> bool {
        matches!(self, RdsCa::Rsa2048G1 | RdsCa::Rsa4096G1 | RdsCa::Ecc384G1)
    }

    /// The kind of key every certificate of this CA has (FORMATS.md 5.4).
    fn key(self) -> KeyKind {
        match self {
            RdsCa::Ca2015 | RdsCa::Ca2019 | RdsCa::Rsa2048G1 => KeyKind::Rsa(2048),
            RdsCa::Rsa4096G1 => KeyKind::Rsa(4096),
            RdsCa::Ecc384G1 => KeyKind::Ec("P-384".into()),
        }
    }

    /// Whether `key` is this CA's kind: an issuing CA, which the table of
    /// published keys does not list, is checked by its kind of key alone.
    fn key_fits(self, key: &KeyKind) -> bool {
        *key == self.key()
    }
}

/// A root certificate AWS published for an RDS CA, by its public key: the
/// table in `truststore/rds_roots.rs`, made by `scripts/rds-spki.sh` from
/// the bundles docs/FORMATS.md names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishedRoot {
    pub ca: RdsCa,
    /// The region in the root's name; `None` for the 2015 and 2019 roots.
    pub region: Option<&'static str>,
    /// The kind of key, as [`KeyKind`] displays it.
    pub key: &'static str,
    /// SHA-256 of the root's DER SubjectPublicKeyInfo, lowercase hex.
    pub spki_sha256: &'static str,
    /// The root's notAfter, RFC 3339.
    pub not_after: &'static str,
}

/// Every RDS root whose public key sslcensus knows.
pub fn published_roots() -> &'static [PublishedRoot] {
    rds_roots::RDS_ROOTS
}

/// A certificate's public key, as far as telling CAs apart needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA, by modulus size in bits.
    Rsa(u32),
    /// Elliptic curve: `P-256`, `P-384`, `P-521`, or the curve's OID.
    Ec(String),
    /// Any other algorithm, by OID.
    Other(String),
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyKind::Rsa(bits) => write!(f, "RSA {bits}"),
            KeyKind::Ec(curve) => write!(f, "EC {curve}"),
            KeyKind::Other(oid) => write!(f, "key algorithm {oid}"),
        }
    }
}

/// An Amazon RDS CA name found in a certificate's subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdsMatch {
    pub ca: RdsCa,
    /// The region the name carries (`us-east-1`); `None` for the 2015 and
    /// 2019 roots, which serve every region.
    pub region: Option<String>,
    pub standing: Standing,
}

/// What a certificate with an RDS CA's name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standing {
    /// The root AWS published: its public key is in the table.
    Genuine,
    /// Named like the CA, but not its published key (or no CA, or the wrong
    /// kind of key): it cannot anchor the CA's chains and counts for nothing.
    LookAlike,
    /// Named like the root of a region whose published keys the table lacks,
    /// with the right kind of key: perhaps genuine, but not verified, so it
    /// counts for nothing either.
    Unverified,
    /// An issuing CA with the CA's name and kind of key. Issuing CAs are
    /// reissued and not in the table; OpenSSL clients anchor nothing on them.
    Intermediate,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Genuine => "genuine",
            Standing::LookAlike => "look-alike",
            Standing::Unverified => "unverified",
            Standing::Intermediate => "intermediate",
        }
    }
}

/// A CA and region as messages name them: `rds-ca-rsa2048-g1 (us-east-1)`,
/// `rds-ca-2019`.
fn ca_name(ca: RdsCa, region: Option<&str>) -> String {
    match region {
        Some(region) => format!("{} ({region})", ca.id()),
        None => ca.id().to_string(),
    }
}

impl RdsMatch {
    pub fn name(&self) -> String {
        ca_name(self.ca, self.region.as_deref())
    }

    /// What a look-alike or an unverified root is, in a sentence; `None` for
    /// genuine roots and issuing CAs.
    pub fn warning(&self) -> Option<String> {
        match self.standing {
            Standing::LookAlike => Some(format!(
                "named like {} but not its published key: a look-alike, not counted",
                self.name()
            )),
            Standing::Unverified => Some(format!(
                "named like {}, a region whose published keys sslcensus lacks: unverified, not counted",
                self.name()
            )),
            Standing::Genuine | Standing::Intermediate => None,
        }
    }
}

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

/// A day, `2061-05-25`, from Unix seconds.
fn day(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// One line on which RDS CAs a store holds, e.g.
/// `rds-ca-rsa2048-g1 until 2061-05-25; rds-ca-2019 expired 2024-08-22`;
/// `no RDS CA` when it holds none. Look-alikes and unverified roots follow:
/// `no RDS CA; look-alike of rds-ca-2019`.
pub fn coverage_summary(store: &TrustStore, now: i64) -> String {
    let mut parts: Vec<String> = rds_coverage(store, now)
        .into_iter()
        .filter(|c| c.present)
        .map(|c| match (c.expired, c.expires) {
            (true, Some(t)) => format!("{} expired {}", c.ca.id(), day(t)),
            (false, Some(t)) => format!("{} until {}", c.ca.id(), day(t)),
            (_, None) => c.ca.id().to_string(),
        })
        .collect();
    if parts.is_empty() {
        parts.push("no RDS CA".to_string());
    }
    for m in store.certificates.iter().filter_map(|c| c.rds.as_ref()) {
        let part = match m.standing {
            Standing::LookAlike => format!("look-alike of {}", m.name()),
            Standing::Unverified => format!("unverified {}", m.name()),
            Standing::Genuine | Standing::Intermediate => continue,
        };
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    parts.join("; ")
}

/// How each RDS CA in [`RdsCa::CURRENT`] is covered by `store` at `now`
/// (Unix seconds): by genuine roots only.
pub fn rds_coverage(store: &TrustStore, now: i64) -> Vec<RdsCoverage> {
    RdsCa::CURRENT
        .iter()
        .map(|&ca| {
            let roots: Vec<&Certificate> = store
                .certificates
                .iter()
                .filter(|c| {
                    c.rds
                        .as_ref()
                        .is_some_and(|m| m.ca == ca && m.standing == Standing::Genuine)
                })
                .collect();
            let expires = roots.iter().map(|c| c.not_after).max();
            let mut regions: Vec<String> = roots
                .iter()
                .filter_map(|c| c.rds.as_ref()?.region.clone())
                .collect();
            regions.sort();
            regions.dedup();
            RdsCoverage {
                ca,
                present: !roots.is_empty(),
                expires,
                expired: expires.is_some_and(|t| t <= now),
                regions,
            }
        })
        .collect()
}

/// How a store stands against one CA given to `--require`, for one region
/// or, when no region was given or the CA serves every region, for any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Required {
    pub ca: RdsCa,
    pub region: Option<String>,
    pub outcome: Result<Held, Shortfall>,
}

/// Genuine roots of a required CA, valid now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// The latest notAfter among them, Unix seconds.
    pub until: i64,
    /// Their regions, sorted; empty for the 2019 root, which serves all.
    pub regions: Vec<String>,
}

/// Why a store does not hold a required CA, from the closest miss down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shortfall {
    /// Its genuine roots have all expired, the latest at this time (Unix seconds).
    Expired(i64),
    /// Only roots of regions whose published keys the table lacks.
    Unverified,
    /// Only look-alikes.
    LookAlike,
    /// Only issuing CAs, no root.
    IntermediateOnly,
    /// Nothing with the CA's name.
    Missing,
}

impl Required {
    /// `rds-ca-rsa2048-g1 (us-east-1) until 2061-05-22`, `rds-ca-ecc384-g1
    /// (us-east-1) only a look-alike …`.
    pub fn describe(&self) -> String {
        let name = ca_name(self.ca, self.region.as_deref());
        match &self.outcome {
            Ok(held) => {
                // Asked for any region: say which ones the store serves.
                let regions = if self.region.is_some() || held.regions.is_empty() {
                    String::new()
                } else if held.regions.len() <= 3 {
                    format!(" ({})", held.regions.join(", "))
                } else {
                    format!(" ({} regions)", held.regions.len())
                };
                format!("{name} until {}{regions}", day(held.until))
            }
            Err(Shortfall::Expired(t)) => format!("{name} expired {}", day(*t)),
            Err(Shortfall::Unverified) => {
                format!("{name} unverified (a region whose published keys sslcensus lacks)")
            }
            Err(Shortfall::LookAlike) => {
                format!("{name} only a look-alike (its name, not its published key)")
            }
            Err(Shortfall::IntermediateOnly) => format!("{name} only an issuing CA, no root"),
            Err(Shortfall::Missing) => format!("{name} missing"),
        }
    }
}

/// Whether `store` holds a genuine root, valid at `now`, of each CA in
/// `required`: for each region in `regions` when the CA is regional (G1),
/// else for any region.
pub fn check_required(
    store: &TrustStore,
    required: &[RdsCa],
    regions: &[String],
    now: i64,
) -> Vec<Required> {
    let mut out = Vec::new();
    for &ca in required {
        let scopes: Vec<Option<&str>> = if ca.regional() && !regions.is_empty() {
            regions.iter().map(|r| Some(r.as_str())).collect()
        } else {
            vec![None]
        };
        for region in scopes {
            let named: Vec<(&Certificate, Standing)> = store
                .certificates
                .iter()
                .filter_map(|c| {
                    let m = c.rds.as_ref()?;
                    let in_scope = region.is_none_or(|r| m.region.as_deref() == Some(r));
                    (m.ca == ca && in_scope).then_some((c, m.standing))
                })
                .collect();
            let has = |standing| named.iter().any(|&(_, s)| s == standing);
            let genuine = || {
                named
                    .iter()
                    .filter(|&&(_, s)| s == Standing::Genuine)
                    .map(|&(c, _)| c)
            };
            let valid: Vec<&Certificate> = genuine().filter(|c| c.not_after > now).collect();
            let outcome = if let Some(until) = valid.iter().map(|c| c.not_after).max() {
                let mut regions: Vec<String> = valid
                    .iter()
                    .filter_map(|c| c.rds.as_ref()?.region.clone())
                    .collect();
                regions.sort();
                regions.dedup();
                Ok(Held { until, regions })
            } else if let Some(expired) = genuine().map(|c| c.not_after).max() {
                Err(Shortfall::Expired(expired))
            } else if has(Standing::Unverified) {
                Err(Shortfall::Unverified)
            } else if has(Standing::LookAlike) {
                Err(Shortfall::LookAlike)
            } else if has(Standing::Intermediate) {
                Err(Shortfall::IntermediateOnly)
            } else {
                Err(Shortfall::Missing)
            };
            out.push(Required {
                ca,
                region: region.map(str::to_string),
                outcome,
            });
        }
    }
    out
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, Problem> {
    let io = |e: std::io::Error| Problem::Io(e.to_string());
    if std::fs::metadata(path).map_err(io)?.len() > MAX_BYTES {
        return Err(Problem::TooLarge);
    }
    std::fs::read(path).map_err(io)
}

const JKS_MAGIC: [u8; 4] = [0xfe, 0xed, 0xfe, 0xed];
const JCEKS_MAGIC: [u8; 4] = [0xce, 0xce, 0xce, 0xce];
/// The content of the OID 1.2.840.113549.1.7.2, PKCS#7 signed data.
const SIGNED_DATA: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

/// The format of a file, from its content: Java magic numbers, then the
/// shape of a DER structure, then PEM armour anywhere in the text (bundles
/// often open with comments).
fn sniff(bytes: &[u8]) -> Option<StoreFormat> {
    if bytes.starts_with(&JKS_MAGIC) {
        return Some(StoreFormat::Jks);
    }
    if bytes.starts_with(&JCEKS_MAGIC) {
        return Some(StoreFormat::Jceks);
    }
    if let Some(format) = der_format(bytes) {
        return Some(format);
    }
    memchr::memmem::find(bytes, b"-----BEGIN ").map(|_| StoreFormat::Pem)
}

/// All three DER formats are one SEQUENCE filling the file (which keeps text
/// that happens to start with `0`, byte 0x30, out); its first element tells
/// them apart: PFX opens with its version, ContentInfo with its content
/// type, a certificate with its to-be-signed SEQUENCE.
fn der_format(bytes: &[u8]) -> Option<StoreFormat> {
    let (rest, outer) = Any::from_ber(bytes).ok()?;
    if !rest.is_empty() || outer.tag() != Tag::Sequence {
        return None;
    }
    let (_, first) = Any::from_ber(outer.data).ok()?;
    if first.class() != Class::Universal {
        return None;
    }
    match first.tag() {
        Tag::Integer => Some(StoreFormat::Pkcs12),
        Tag::Oid if first.data == SIGNED_DATA => Some(StoreFormat::Pkcs7),
        Tag::Sequence => Some(StoreFormat::Der),
        _ => None,
    }
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

fn numbered(ders: Vec<Vec<u8>>, prefix: &str) -> Vec<Entry> {
    ders.into_iter()
        .enumerate()
        .map(|(i, der)| Entry {
            at: format!("{prefix}certificate {}", i + 1),
            der,
        })
        .collect()
}

/// PEM labels that hold one X.509 certificate (`TRUSTED CERTIFICATE` is
/// OpenSSL's, with trust settings after the certificate).
const CERTIFICATE_LABELS: [&str; 3] = ["CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE"];

/// The certificates of a PEM bundle. Text around blocks (comments, `openssl
/// x509 -text` dumps) and blocks of other kinds (keys, requests, CRLs) are
/// passed over; key blocks are never decoded.
fn pem_entries(text: &str) -> Result<Vec<Entry>, Problem> {
    let mut entries = Vec::new();
    let mut blocks = 0;
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let Some(label) = line
            .trim()
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let at = format!("line {}", n + 1);
        let end = format!("-----END {label}-----");
        let mut base64 = String::new();
        let mut closed = false;
        for (_, line) in lines.by_ref() {
            let line = line.trim();
            if line == end {
                closed = true;
                break;
            }
            // RFC 1421 headers (`Proc-Type:`, `DEK-Info:`) precede the data.
            if !line.contains(':') {
                base64.push_str(line);
            }
        }
        if !closed {
            return Err(Problem::Malformed(format!("{at}: no `{end}`")));
        }
        blocks += 1;
        let is_certificate = CERTIFICATE_LABELS.contains(&label);
        if !is_certificate && label != "PKCS7" {
            continue;
        }
        let der = data_encoding::BASE64
            .decode(base64.as_bytes())
            .map_err(|_| Problem::Malformed(format!("{at}: {label} block is not valid base64")))?;
        if is_certificate {
            entries.push(Entry { at, der });
        } else {
            let ders = pkcs7_certificates(&der)
                .map_err(|why| Problem::Malformed(format!("{at}: {why}")))?;
            entries.extend(numbered(ders, &format!("{at}, ")));
        }
    }
    if entries.is_empty() && blocks > 0 {
        return Err(Problem::NoCertificates);
    }
    Ok(entries)
}

/// The certificates of a PKCS#7 certificate bag (`.p7b`, as AWS publishes
/// next to the PEM bundles): ContentInfo { signedData, [0] SignedData {
/// version, digestAlgorithms, encapContentInfo, [0] certificates, … } }.
fn pkcs7_certificates(der: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let element = |input| Any::from_ber(input).map_err(|_| "not PKCS#7 signed data".to_string());
    let (_, info) = element(der)?;
    let (rest, content_type) = element(info.data)?;
    if content_type.tag() != Tag::Oid || content_type.data != SIGNED_DATA {
        return Err("PKCS#7 content is not signed data".into());
    }
    let (_, explicit) = element(rest)?;
    let (_, signed) = element(explicit.data)?;
    let mut fields = signed.data;
    for _ in 0..3 {
        fields = element(fields)?.0;
    }
    let mut ders = Vec::new();
    let Ok((_, set)) = Any::from_ber(fields) else {
        return Ok(ders);
    };
    if set.class() != Class::ContextSpecific || set.tag() != Tag(0) {
        return Ok(ders);
    }
    let mut input = set.data;
    while !input.is_empty() {
        let (rest, choice) = element(input)?;
        // The other CertificateChoices (attribute certificates) anchor nothing.
        if choice.class() == Class::Universal && choice.tag() == Tag::Sequence {
            ders.push(input[..input.len() - rest.len()].to_vec());
        }
        input = rest;
    }
    Ok(ders)
}

fn pkcs12_entries(bytes: &[u8], password: Option<&str>) -> Result<Vec<Entry>, Problem> {
    let tries: &[&str] = match &password {
        Some(p) => std::slice::from_ref(p),
        None => &["changeit", ""],
    };
    let mut failure = None;
    for password in tries {
        match Pkcs12Archive::from_pkcs12(bytes, password) {
            Ok(archive) => {
                return Ok(archive
                    .certs
                    .into_iter()
                    .enumerate()
                    .map(|(i, bag)| Entry {
                        at: bag.friendly_name.map_or_else(
                            || format!("certificate {}", i + 1),
                            |name| format!("entry `{name}`"),
                        ),
                        der: bag.cert.as_der().to_vec(),
                    })
                    .collect());
            }
            Err(e) => failure = Some(e),
        }
    }
    // A wrong password fails the MAC, or without a MAC, the decryption.
    // Error texts never carry the password.
    Err(match failure {
        Some(Pkcs12Error::MacError(_) | Pkcs12Error::Pkcs5Error(_) | Pkcs12Error::UnpadError) => {
            Problem::Password {
                given: password.is_some(),
            }
        }
        Some(e) => Problem::Malformed(format!("PKCS#12: {e}")),
        None => Problem::Empty,
    })
}

/// The certificates of a JKS or JCEKS store, in the layout of Java's
/// `JavaKeyStore`: magic, version, count, then per entry a tag, alias and
/// date, and for a private key its encrypted key and certificate chain, for
/// a trusted certificate the certificate. Certificates are stored in the
/// clear; the password only seals an integrity digest, left unchecked here
/// as Java leaves it when loading without a password, so any store can be
/// inventoried.
fn jks_entries(bytes: &[u8]) -> Result<Vec<Entry>, Problem> {
    let mut store = Reader(bytes);
    store.take(4)?; // magic
    let version = store.u32()?;
    if version != 1 && version != 2 {
        return Err(Problem::Malformed(format!("JKS version {version}")));
    }
    let mut entries = Vec::new();
    for _ in 0..store.u32()? {
        let tag = store.u32()?;
        let at = format!("entry `{}`", store.utf()?);
        store.take(8)?; // creation date
        let chain = match tag {
            1 => {
                let key = store.u32()?;
                store.take(key)?;
                store.u32()?
            }
            2 => 1,
            3 => {
                return Err(Problem::Unsupported(format!(
                    "{at} is a JCEKS secret key (a serialized Java object)"
                )));
            }
            _ => return Err(Problem::Malformed(format!("{at}: unknown entry tag {tag}"))),
        };
        for _ in 0..chain {
            if version == 2 {
                let kind = store.utf()?;
                if kind != "X.509" {
                    return Err(Problem::Unsupported(format!("{at}: {kind} certificate")));
                }
            }
            let length = store.u32()?;
            entries.push(Entry {
                at: at.clone(),
                der: store.take(length)?.to_vec(),
            });
        }
    }
    Ok(entries)
}

/// Big-endian fields read off the front of a Java keystore.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: u32) -> Result<&'a [u8], Problem> {
        let n = n as usize;
        if self.0.len() < n {
            return Err(Problem::Malformed("keystore is truncated".into()));
        }
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(taken)
    }

    fn u32(&mut self) -> Result<u32, Problem> {
        let bytes = self.take(4)?;
        Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    /// Java's `writeUTF`: a 16-bit length, then modified UTF-8 (which
    /// differs from UTF-8 only for NUL and astral characters).
    fn utf(&mut self) -> Result<String, Problem> {
        let length = self.take(2)?;
        let text = self.take(u32::from(u16::from_be_bytes([length[0], length[1]])))?;
        Ok(String::from_utf8_lossy(text).into_owned())
    }
}

fn certificate(der: &[u8]) -> Result<Certificate, String> {
    let (rest, cert) =
        X509Certificate::from_der(der).map_err(|e| format!("not an X.509 certificate ({e})"))?;
    // Only the certificate: OpenSSL's TRUSTED CERTIFICATE appends trust settings.
    let der = &der[..der.len() - rest.len()];
    let key = key_kind(cert.public_key());
    let is_ca = cert.is_ca();
    let subject = cert.subject().to_string();
    let issuer = cert.issuer().to_string();
    let spki_sha256 = data_encoding::HEXLOWER.encode(&Sha256::digest(cert.public_key().raw));
    let rds = rds_name(cert.subject()).map(|name| RdsMatch {
        standing: standing(&name, &key, is_ca, subject == issuer, &spki_sha256),
        ca: name.ca,
        region: name.region,
    });
    Ok(Certificate {
        subject,
        issuer,
        not_after: cert.validity().not_after.timestamp(),
        key,
        is_ca,
        sha256: data_encoding::HEXLOWER.encode(&Sha256::digest(der)),
        spki_sha256,
        rds,
    })
}

/// What a certificate with an RDS CA's name is: a root is genuine only with
/// the key AWS published for that CA and region; the name, the kind of key
/// and the CA flag only tell which CA a look-alike imitates.
fn standing(
    name: &RdsName,
    key: &KeyKind,
    is_ca: bool,
    self_issued: bool,
    spki_sha256: &str,
) -> Standing {
    if !is_ca || !name.ca.key_fits(key) || name.root != self_issued {
        return Standing::LookAlike;
    }
    if !name.root {
        return Standing::Intermediate;
    }
    let mut published = published_roots()
        .iter()
        .filter(|r| r.ca == name.ca && r.region == name.region.as_deref())
        .peekable();
    if published.peek().is_none() {
        Standing::Unverified
    } else if published.any(|r| r.spki_sha256 == spki_sha256) {
        Standing::Genuine
    } else {
        Standing::LookAlike
    }
}

fn key_kind(spki: &SubjectPublicKeyInfo<'_>) -> KeyKind {
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => {
            // Counted from the modulus itself: DER may pad it with a zero byte.
            let modulus = rsa.modulus;
            let start = modulus
                .iter()
                .position(|&b| b != 0)
                .unwrap_or(modulus.len());
            let bits = modulus[start..].first().map_or(0, |&top| {
                (modulus.len() - start) * 8 - top.leading_zeros() as usize
            });
            KeyKind::Rsa(bits as u32)
        }
        Ok(PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map_or_else(
                    || "with no named curve".to_string(),
                    |oid| oid.to_id_string(),
                );
            KeyKind::Ec(
                match curve.as_str() {
                    "1.2.840.10045.3.1.7" => "P-256",
                    "1.3.132.0.34" => "P-384",
                    "1.3.132.0.35" => "P-521",
                    _ => &curve,
                }
                .to_string(),
            )
        }
        _ => KeyKind::Other(spki.algorithm.algorithm.to_id_string()),
    }
}

/// An RDS CA's name in a certificate's subject.
#[derive(Debug, PartialEq, Eq)]
struct RdsName {
    ca: RdsCa,
    region: Option<String>,
    /// A root's name (`Amazon RDS Root 2019 CA`, `… Root CA RSA2048 G1`),
    /// not an issuing CA's.
    root: bool,
}

/// The RDS CA a subject names, and the region in the name.
fn rds_name(subject: &X509Name<'_>) -> Option<RdsName> {
    let organization = subject
        .iter_organization()
        .next()
        .and_then(|a| a.as_str().ok());
    let cn = subject
        .iter_common_name()
        .next()
        .and_then(|a| a.as_str().ok());
    let in_rds = subject
        .iter_organizational_unit()
        .any(|unit| unit.as_str() == Ok("Amazon RDS"));
    if !in_rds || !organization?.starts_with("Amazon Web Services") {
        return None;
    }
    rds_common_name(cn?)
}

/// The CN shapes AWS gives RDS CAs: `Amazon RDS Root CA` (2015) and its
/// regional intermediates `Amazon RDS us-east-1 CA`; `Amazon RDS Root 2019
/// CA` and `Amazon RDS us-east-1 2019 CA`; `Amazon RDS us-east-1 Root CA
/// RSA2048 G1` (also `RSA4096`, `ECC384`) and its issuing CAs `Amazon RDS
/// us-east-1 Subordinate CA RSA2048 G1.A.3`.
fn rds_common_name(cn: &str) -> Option<RdsName> {
    let global = |ca| {
        Some(RdsName {
            ca,
            region: None,
            root: true,
        })
    };
    match cn.strip_prefix("Amazon RDS ")? {
        "Root CA" => global(RdsCa::Ca2015),
        "Root 2019 CA" => global(RdsCa::Ca2019),
        rest => {
            let (region, name) = rest.split_once(' ')?;
            if !is_region(region) {
                return None;
            }
            let (ca, root) = match name {
                "CA" => (RdsCa::Ca2015, false),
                "2019 CA" => (RdsCa::Ca2019, false),
                _ => {
                    let (g1, root) = match name.strip_prefix("Root CA ") {
                        Some(g1) => (g1, true),
                        None => (name.strip_prefix("Subordinate CA ")?, false),
                    };
                    let (key, generation) = g1.split_once(' ')?;
                    if generation != "G1" && !generation.starts_with("G1.") {
                        return None;
                    }
                    let ca = match key {
                        "RSA2048" => RdsCa::Rsa2048G1,
                        "RSA4096" => RdsCa::Rsa4096G1,
                        "ECC384" => RdsCa::Ecc384G1,
                        _ => return None,
                    };
                    (ca, root)
                }
            };
            Some(RdsName {
                ca,
                region: Some(region.to_string()),
                root,
            })
        }
    }
}

/// `us-east-1`, `us-gov-west-1`, `eusc-de-east-1`: lowercase words, then a number.
pub fn is_region(word: &str) -> bool {
    let parts: Vec<&str> = word.split('-').collect();
    let Some((number, words)) = parts.split_last() else {
        return false;
    };
    words.len() >= 2
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rds_common_names_name_their_ca_and_region() {
        let table = [
            ("Amazon RDS Root CA", Some((RdsCa::Ca2015, None, true))),
            (
                "Amazon RDS ap-northeast-1 CA",
                Some((RdsCa::Ca2015, Some("ap-northeast-1"), false)),
            ),
            ("Amazon RDS Root 2019 CA", Some((RdsCa::Ca2019, None, true))),
            (
                "Amazon RDS us-east-1 2019 CA",
                Some((RdsCa::Ca2019, Some("us-east-1"), false)),
            ),
            (
                "Amazon RDS us-east-1 Root CA RSA2048 G1",
                Some((RdsCa::Rsa2048G1, Some("us-east-1"), true)),
            ),
            (
                "Amazon RDS eu-central-2 Root CA RSA4096 G1",
                Some((RdsCa::Rsa4096G1, Some("eu-central-2"), true)),
            ),
            (
                "Amazon RDS me-south-1 Root CA ECC384 G1",
                Some((RdsCa::Ecc384G1, Some("me-south-1"), true)),
            ),
            (
                "Amazon RDS us-gov-west-1 Root CA RSA2048 G1",
                Some((RdsCa::Rsa2048G1, Some("us-gov-west-1"), true)),
            ),
            (
                "Amazon RDS us-east-1 Subordinate CA RSA2048 G1.A.3",
                Some((RdsCa::Rsa2048G1, Some("us-east-1"), false)),
            ),
            // Left out of the table on purpose (docs/FORMATS.md): Beta and
            // Preview roots, and the 2019-generation roots of opt-in regions
            // and partitions, all expired.
            ("Amazon RDS Beta us-east-1 Root CA RSA2048 G1", None),
            ("Amazon RDS me-south-1 Root CA", None),
            ("Amazon RDS GovCloud Root CA", None),
            ("Amazon RDS us-east-1 Root CA RSA2048 G2", None),
            ("Amazon RDS us-east-1 Root CA RSA1024 G1", None),
            ("Amazon RDS Root CA RSA2048 G1", None),
            ("Amazon RDS US-EAST-1 Root CA RSA2048 G1", None),
            ("Amazon RDS us-east Root CA RSA2048 G1", None),
            ("Amazon RDS us-east-1 2020 CA", None),
            ("Amazon Root CA 1", None),
            ("rds-ca-2019", None),
        ];
        for (cn, want) in table {
            let want = want.map(|(ca, region, root): (RdsCa, Option<&str>, bool)| RdsName {
                ca,
                region: region.map(str::to_string),
                root,
            });
            assert_eq!(rds_common_name(cn), want, "{cn}");
        }
    }

    #[test]
    fn each_rds_ca_accepts_only_its_key_kind() {
        let rsa2048 = KeyKind::Rsa(2048);
        let rsa4096 = KeyKind::Rsa(4096);
        let p384 = KeyKind::Ec("P-384".into());
        let p256 = KeyKind::Ec("P-256".into());
        let ed25519 = KeyKind::Other("1.3.101.112".into());
        let table = [
            (RdsCa::Ca2019, &rsa2048, true),
            (RdsCa::Ca2019, &rsa4096, false),
            (RdsCa::Ca2015, &rsa2048, true),
            (RdsCa::Rsa2048G1, &rsa2048, true),
            (RdsCa::Rsa2048G1, &rsa4096, false),
            (RdsCa::Rsa2048G1, &p384, false),
            (RdsCa::Rsa4096G1, &rsa4096, true),
            (RdsCa::Rsa4096G1, &rsa2048, false),
            (RdsCa::Ecc384G1, &p384, true),
            (RdsCa::Ecc384G1, &p256, false),
            (RdsCa::Ecc384G1, &rsa4096, false),
            (RdsCa::Ecc384G1, &ed25519, false),
        ];
        for (ca, key, fits) in table {
            assert_eq!(ca.key_fits(key), fits, "{} with {key}", ca.id());
        }
    }

    fn is_hex_sha256(text: &str) -> bool {
        text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    }

    #[test]
    fn the_published_roots_table_is_whole_and_consistent() {
        let roots = published_roots();
        let mut keys = HashSet::new();
        for root in roots {
            let at = format!("{} {:?}", root.ca.id(), root.region);
            assert_eq!(root.key, root.ca.key().to_string(), "{at}");
            assert!(is_hex_sha256(root.spki_sha256), "{at}");
            assert!(keys.insert(root.spki_sha256), "{at}: key listed twice");
            assert_eq!(root.region.is_some(), root.ca.regional(), "{at}");
            assert!(root.region.is_none_or(is_region), "{at}");
            let not_after = chrono::DateTime::parse_from_rfc3339(root.not_after).unwrap();
            assert!(not_after.timestamp() > 1_500_000_000, "{at}");
        }
        // The regions docs/FORMATS.md says the table covers, each with all
        // three G1 roots; China (cn-north-1, cn-northwest-1) is not among them.
        let regions = [
            "af-south-1",
            "ap-east-1",
            "ap-east-2",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-south-1",
            "ap-south-2",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-southeast-3",
            "ap-southeast-4",
            "ap-southeast-5",
            "ap-southeast-6",
            "ap-southeast-7",
            "ca-central-1",
            "ca-west-1",
            "eu-central-1",
            "eu-central-2",
            "eu-north-1",
            "eu-south-1",
            "eu-south-2",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "il-central-1",
            "me-central-1",
            "me-south-1",
            "mx-central-1",
            "sa-east-1",
            "us-east-1",
            "us-east-2",
            "us-gov-east-1",
            "us-gov-west-1",
            "us-west-1",
            "us-west-2",
        ];
        for ca in [RdsCa::Rsa2048G1, RdsCa::Rsa4096G1, RdsCa::Ecc384G1] {
            let mut listed: Vec<&str> = roots
                .iter()
                .filter(|r| r.ca == ca)
                .filter_map(|r| r.region)
                .collect();
            listed.sort();
            assert_eq!(listed, regions, "{}", ca.id());
        }
        for ca in [RdsCa::Ca2015, RdsCa::Ca2019] {
            assert_eq!(
                roots.iter().filter(|r| r.ca == ca).count(),
                1,
                "{}",
                ca.id()
            );
        }
    }

    /// The published key of `ca`'s root for `region`.
    fn published(ca: RdsCa, region: Option<&str>) -> &'static str {
        published_roots()
            .iter()
            .find(|r| r.ca == ca && r.region == region)
            .unwrap()
            .spki_sha256
    }

    #[test]
    fn only_the_published_key_makes_a_root_genuine() {
        let name = |cn: &str| rds_common_name(cn).unwrap();
        let rsa2048 = KeyKind::Rsa(2048);
        let p384 = KeyKind::Ec("P-384".into());
        let p256 = KeyKind::Ec("P-256".into());
        let real_2019 = published(RdsCa::Ca2019, None);
        let real_ecc = published(RdsCa::Ecc384G1, Some("us-east-1"));
        let other = "0".repeat(64);
        // (common name, key, CA flag, self-issued, SPKI hash) → standing
        let table = [
            (
                "Amazon RDS Root 2019 CA",
                &rsa2048,
                true,
                true,
                real_2019,
                Standing::Genuine,
            ),
            // The issue's case: the name and kind of key, not the key.
            (
                "Amazon RDS Root 2019 CA",
                &rsa2048,
                true,
                true,
                &other,
                Standing::LookAlike,
            ),
            (
                "Amazon RDS Root 2019 CA",
                &rsa2048,
                false,
                true,
                real_2019,
                Standing::LookAlike,
            ),
            (
                "Amazon RDS Root 2019 CA",
                &rsa2048,
                true,
                false,
                real_2019,
                Standing::LookAlike,
            ),
            (
                "Amazon RDS us-east-1 Root CA ECC384 G1",
                &p384,
                true,
                true,
                real_ecc,
                Standing::Genuine,
            ),
            (
                "Amazon RDS us-east-1 Root CA ECC384 G1",
                &p384,
                true,
                true,
                &other,
                Standing::LookAlike,
            ),
            (
                "Amazon RDS us-east-1 Root CA ECC384 G1",
                &p256,
                true,
                true,
                &other,
                Standing::LookAlike,
            ),
            // Another region's published key under this region's name.
            (
                "Amazon RDS eu-west-1 Root CA ECC384 G1",
                &p384,
                true,
                true,
                real_ecc,
                Standing::LookAlike,
            ),
            // A region the table lacks.
            (
                "Amazon RDS cn-north-1 Root CA ECC384 G1",
                &p384,
                true,
                true,
                &other,
                Standing::Unverified,
            ),
            (
                "Amazon RDS cn-north-1 Root CA ECC384 G1",
                &p256,
                true,
                true,
                &other,
                Standing::LookAlike,
            ),
            (
                "Amazon RDS us-east-1 2019 CA",
                &rsa2048,
                true,
                false,
                &other,
                Standing::Intermediate,
            ),
            (
                "Amazon RDS us-east-1 2019 CA",
                &rsa2048,
                true,
                true,
                &other,
                Standing::LookAlike,
            ),
            (
                "Amazon RDS us-east-1 Subordinate CA ECC384 G1.A.1",
                &p384,
                true,
                false,
                &other,
                Standing::Intermediate,
            ),
            (
                "Amazon RDS us-east-1 Subordinate CA ECC384 G1.A.1",
                &p256,
                true,
                false,
                &other,
                Standing::LookAlike,
            ),
        ];
        for (cn, key, is_ca, self_issued, spki, want) in table {
            assert_eq!(
                standing(&name(cn), key, is_ca, self_issued, spki),
                want,
                "{cn} {key} CA:{is_ca} self-issued:{self_issued} {spki}"
            );
        }
    }

    /// A certificate with an RDS CA's name, as far as `check_required` looks.
    fn named(ca: RdsCa, region: Option<&str>, standing: Standing, not_after: i64) -> Certificate {
        Certificate {
            subject: String::new(),
            issuer: String::new(),
            not_after,
            key: ca.key(),
            is_ca: true,
            sha256: String::new(),
            spki_sha256: String::new(),
            rds: Some(RdsMatch {
                ca,
                region: region.map(str::to_string),
                standing,
            }),
        }
    }

    #[test]
    fn a_requirement_is_met_by_valid_genuine_roots_of_the_region_only() {
        const NOW: i64 = 1_767_225_600; // 2026-01-01
        const LATER: i64 = 2_884_289_697; // 2061-05-25
        const PAST: i64 = 1_724_346_530; // 2024-08-22
        let store = |certificates| TrustStore {
            path: PathBuf::from("ca.pem"),
            format: StoreFormat::Pem,
            certificates,
        };
        let east = Some("us-east-1");
        let held = |until: i64, regions: &[&str]| {
            Ok(Held {
                until,
                regions: regions.iter().map(|r| r.to_string()).collect(),
            })
        };
        use RdsCa::{Ca2019, Ecc384G1, Rsa2048G1};
        use Standing::{Genuine, Intermediate, LookAlike, Unverified};
        // (certificates, required, regions) → outcome of each requirement
        type Case<'a> = (
            Vec<Certificate>,
            &'a [RdsCa],
            &'a [&'a str],
            Vec<Result<Held, Shortfall>>,
        );
        let table: [Case; 9] = [
            (
                vec![named(Rsa2048G1, east, Genuine, LATER)],
                &[Rsa2048G1],
                &["us-east-1"],
                vec![held(LATER, &["us-east-1"])],
            ),
            (
                vec![named(Rsa2048G1, east, Genuine, LATER)],
                &[Rsa2048G1],
                &["eu-west-1", "us-east-1"],
                vec![Err(Shortfall::Missing), held(LATER, &["us-east-1"])],
            ),
            // No region asked: any will do, and the answer says which.
            (
                vec![named(Rsa2048G1, east, Genuine, LATER)],
                &[Rsa2048G1, Ecc384G1],
                &[],
                vec![held(LATER, &["us-east-1"]), Err(Shortfall::Missing)],
            ),
            // The 2019 root serves every region, so --region does not split it.
            (
                vec![named(Ca2019, None, Genuine, PAST)],
                &[Ca2019],
                &["us-east-1", "eu-west-1"],
                vec![Err(Shortfall::Expired(PAST))],
            ),
            (
                vec![named(Ca2019, None, LookAlike, LATER)],
                &[Ca2019],
                &[],
                vec![Err(Shortfall::LookAlike)],
            ),
            // An expired genuine root is the closer miss than a look-alike.
            (
                vec![
                    named(Ca2019, None, LookAlike, LATER),
                    named(Ca2019, None, Genuine, PAST),
                ],
                &[Ca2019],
                &[],
                vec![Err(Shortfall::Expired(PAST))],
            ),
            (
                vec![named(Rsa2048G1, Some("cn-north-1"), Unverified, LATER)],
                &[Rsa2048G1],
                &["cn-north-1"],
                vec![Err(Shortfall::Unverified)],
            ),
            (
                vec![named(Ca2019, east, Intermediate, LATER)],
                &[Ca2019],
                &[],
                vec![Err(Shortfall::IntermediateOnly)],
            ),
            // A valid root beside an expired one of the same CA and region.
            (
                vec![
                    named(Rsa2048G1, east, Genuine, PAST),
                    named(Rsa2048G1, east, Genuine, LATER),
                ],
                &[Rsa2048G1],
                &["us-east-1"],
                vec![held(LATER, &["us-east-1"])],
            ),
        ];
        for (certificates, required, regions, want) in table {
            let regions: Vec<String> = regions.iter().map(|r| r.to_string()).collect();
            let got: Vec<Result<Held, Shortfall>> =
                check_required(&store(certificates), required, &regions, NOW)
                    .into_iter()
                    .map(|r| r.outcome)
                    .collect();
            assert_eq!(got, want, "{required:?} {regions:?}");
        }
    }

    #[test]
    fn requirements_are_described_for_people() {
        let required = |region: Option<&str>, outcome| Required {
            ca: RdsCa::Rsa2048G1,
            region: region.map(str::to_string),
            outcome,
        };
        let held = |regions: &[&str]| {
            Ok(Held {
                until: 2_884_289_697,
                regions: regions.iter().map(|r| r.to_string()).collect(),
            })
        };
        let many: Vec<&str> = ["a-b-1", "c-d-1", "e-f-1", "g-h-1"].to_vec();
        let table = [
            (
                required(Some("us-east-1"), held(&["us-east-1"])),
                "rds-ca-rsa2048-g1 (us-east-1) until 2061-05-25",
            ),
            (
                required(None, held(&["us-east-1"])),
                "rds-ca-rsa2048-g1 until 2061-05-25 (us-east-1)",
            ),
            (
                required(None, held(&many)),
                "rds-ca-rsa2048-g1 until 2061-05-25 (4 regions)",
            ),
            (
                required(None, Err(Shortfall::Expired(1_724_346_530))),
                "rds-ca-rsa2048-g1 expired 2024-08-22",
            ),
            (
                required(Some("us-east-1"), Err(Shortfall::LookAlike)),
                "rds-ca-rsa2048-g1 (us-east-1) only a look-alike (its name, not its published key)",
            ),
            (
                required(Some("cn-north-1"), Err(Shortfall::Unverified)),
                "rds-ca-rsa2048-g1 (cn-north-1) unverified (a region whose published keys sslcensus lacks)",
            ),
            (
                required(None, Err(Shortfall::IntermediateOnly)),
                "rds-ca-rsa2048-g1 only an issuing CA, no root",
            ),
            (
                required(Some("us-east-1"), Err(Shortfall::Missing)),
                "rds-ca-rsa2048-g1 (us-east-1) missing",
            ),
        ];
        for (required, want) in table {
            assert_eq!(required.describe(), want);
        }
    }

    #[test]
    fn formats_are_told_apart_by_content() {
        // DER headers: SEQUENCE { INTEGER 3 … }, SEQUENCE { OID signedData … },
        // SEQUENCE { SEQUENCE … }.
        let pfx = [0x30, 0x03, 0x02, 0x01, 0x03];
        let mut pkcs7 = vec![0x30, 0x0b, 0x06, 0x09];
        pkcs7.extend(SIGNED_DATA);
        let cert = [0x30, 0x02, 0x30, 0x00];
        let table: [(&[u8], Option<StoreFormat>); 10] = [
            (
                &[0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2],
                Some(StoreFormat::Jks),
            ),
            (
                &[0xce, 0xce, 0xce, 0xce, 0, 0, 0, 2],
                Some(StoreFormat::Jceks),
            ),
            (&pfx, Some(StoreFormat::Pkcs12)),
            (&pkcs7, Some(StoreFormat::Pkcs7)),
            (&cert, Some(StoreFormat::Der)),
            (
                b"# Amazon RDS\n-----BEGIN CERTIFICATE-----\n",
                Some(StoreFormat::Pem),
            ),
            (b"", None),
            (b"[client]\nssl-ca=/etc/rds/global-bundle.pem\n", None),
            (&[0x30, 0x03, 0x04, 0x01, 0x00], None),
            (b"0\x020\x00 and then more", None),
        ];
        for (bytes, want) in table {
            assert_eq!(sniff(bytes), want, "{bytes:02x?}");
        }
    }

    fn pem(label: &str, body: &str) -> String {
        format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n")
    }

    #[test]
    fn pem_blocks_other_than_certificates_are_passed_over() {
        let text = [
            "# comment before\n".to_string(),
            pem("CERTIFICATE", "AQID"),
            "Subject: between blocks\n".into(),
            pem(
                "RSA PRIVATE KEY",
                "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES\n\nnot base64 at all!",
            ),
            pem("TRUSTED CERTIFICATE", "BAUG\r"),
        ]
        .concat();
        let entries = pem_entries(&text).unwrap();
        let got: Vec<(&str, &[u8])> = entries
            .iter()
            .map(|e| (e.at.as_str(), e.der.as_slice()))
            .collect();
        assert_eq!(
            got,
            [("line 2", &[1u8, 2, 3][..]), ("line 12", &[4, 5, 6][..])]
        );
    }

    #[test]
    fn pem_problems_say_where() {
        let table = [
            (pem("PRIVATE KEY", "AQID"), Problem::NoCertificates),
            (
                format!("x\n{}", pem("CERTIFICATE", "A*ID")),
                Problem::Malformed("line 2: CERTIFICATE block is not valid base64".into()),
            ),
            (
                "-----BEGIN CERTIFICATE-----\nAQID\n".into(),
                Problem::Malformed("line 1: no `-----END CERTIFICATE-----`".into()),
            ),
        ];
        for (text, want) in table {
            assert_eq!(pem_entries(&text).err(), Some(want), "{text}");
        }
    }

    fn utf(text: &str) -> Vec<u8> {
        let mut out = (text.len() as u16).to_be_bytes().to_vec();
        out.extend(text.as_bytes());
        out
    }

    /// A version-2 JKS: a private-key entry with a two-certificate chain,
    /// then a trusted certificate, then `tail`.
    fn jks(tail: &[u8]) -> Vec<u8> {
        let mut out = [JKS_MAGIC, 2u32.to_be_bytes(), 2u32.to_be_bytes()].concat();
        out.extend(1u32.to_be_bytes());
        out.extend(utf("server"));
        out.extend([0; 8]);
        out.extend(3u32.to_be_bytes());
        out.extend([9, 9, 9]);
        out.extend(2u32.to_be_bytes());
        for der in [[1u8], [2]] {
            out.extend(utf("X.509"));
            out.extend(1u32.to_be_bytes());
            out.extend(der);
        }
        out.extend(2u32.to_be_bytes());
        out.extend(utf("rds-root"));
        out.extend([0; 8]);
        out.extend(utf("X.509"));
        out.extend(2u32.to_be_bytes());
        out.extend([3, 4]);
        out.extend(tail);
        out
    }

    #[test]
    fn jks_entries_give_chains_and_trusted_certificates() {
        let entries = jks_entries(&jks(&[0; 20])).unwrap();
        let got: Vec<(&str, &[u8])> = entries
            .iter()
            .map(|e| (e.at.as_str(), e.der.as_slice()))
            .collect();
        assert_eq!(
            got,
            [
                ("entry `server`", &[1u8][..]),
                ("entry `server`", &[2][..]),
                ("entry `rds-root`", &[3, 4][..]),
            ]
        );
    }

    #[test]
    fn jks_problems_are_named() {
        let mut secret = jks(&[]);
        secret[8..12].copy_from_slice(&3u32.to_be_bytes());
        secret.extend(3u32.to_be_bytes());
        secret.extend(utf("hmac"));
        secret.extend([0; 8]);
        let full = jks(&[]);
        let table = [
            (
                full[..full.len() - 1].to_vec(),
                Problem::Malformed("keystore is truncated".into()),
            ),
            (
                secret,
                Problem::Unsupported(
                    "entry `hmac` is a JCEKS secret key (a serialized Java object)".into(),
                ),
            ),
        ];
        for (bytes, want) in table {
            assert_eq!(jks_entries(&bytes).err(), Some(want));
        }
    }

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
