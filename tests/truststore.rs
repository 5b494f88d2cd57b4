//! Trust stores as clients keep them: the real Amazon RDS CA certificates
//! (tests/fixtures/rds, with where each came from) and look-alikes made here
//! with the tools clients use (rcgen; RSA keys from the `openssl` CLI, as
//! rcgen's ring backend cannot make them), written as PEM bundles, DER,
//! PKCS#7 and PKCS#12 (`openssl`), and JKS / JCEKS / PKCS#12 keystores
//! (`keytool`, package openjdk-17-jre-headless).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, KeyPair, date_time_ymd,
};
use sslcensus::truststore::{
    KeyKind, Problem, RdsCa, RdsCoverage, RdsMatch, Standing, StoreFormat, rds_coverage, read,
    read_all,
};

mod common;
use common::{sslcensus, text};

/// 2026-01-01T00:00:00Z: after rds-ca-2019 expired, long before the G1 CAs do.
const NOW: i64 = 1_767_225_600;

/// The real RDS CAs.
const ROOT_2019: &str = include_str!("fixtures/rds/rds-ca-2019-root.pem");
const US_EAST_1_2019: &str = include_str!("fixtures/rds/rds-ca-2019-us-east-1.pem");
const RSA2048_G1: &str = include_str!("fixtures/rds/us-east-1-rsa2048-g1.pem");
const RSA4096_G1: &str = include_str!("fixtures/rds/eu-west-1-rsa4096-g1.pem");
const ECC384_G1: &str = include_str!("fixtures/rds/us-east-1-ecc384-g1.pem");
/// 2024-08-22T17:08:50Z, when rds-ca-2019 expired.
const EXPIRY_2019: i64 = 1_724_346_530;
/// 2061-05-25T23:34:57Z, when the us-east-1 RSA2048 G1 root expires.
const EXPIRY_RSA2048: i64 = 2_884_289_697;
/// 2121-05-20T17:53:54Z, when the eu-west-1 RSA4096 G1 root expires.
const EXPIRY_RSA4096: i64 = 4_777_206_834;
/// 2121-05-25T23:41:55Z, when the us-east-1 ECC384 G1 root expires.
const EXPIRY_ECC384: i64 = 4_777_659_715;

fn run(program: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn has_keytool() -> bool {
    let found = Command::new("keytool").arg("-help").output().is_ok();
    if !found {
        eprintln!(
            "keytool not found (apt-get install openjdk-17-jre-headless): keystore test skipped"
        );
    }
    found
}

/// An RSA 2048 key from `openssl genpkey`, made once.
fn rsa2048() -> &'static KeyPair {
    static KEY: OnceLock<KeyPair> = OnceLock::new();
    KEY.get_or_init(|| {
        let pem = run(
            "openssl",
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
            ],
        );
        KeyPair::from_pem(std::str::from_utf8(&pem).unwrap()).unwrap()
    })
}

fn ec(curve: &'static rcgen::SignatureAlgorithm) -> KeyPair {
    KeyPair::generate_for(curve).unwrap()
}

/// A CA certificate's parameters: the subject attributes in the order AWS
/// writes them, valid from `from` to `until` (year, month, day).
fn ca_params(
    organization: &str,
    cn: &str,
    from: (i32, u8, u8),
    until: (i32, u8, u8),
) -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CountryName, "US");
    name.push(DnType::OrganizationName, organization);
    name.push(DnType::OrganizationalUnitName, "Amazon RDS");
    name.push(DnType::StateOrProvinceName, "WA");
    name.push(DnType::CommonName, cn);
    name.push(DnType::LocalityName, "Seattle");
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.not_before = date_time_ymd(from.0, from.1, from.2);
    params.not_after = date_time_ymd(until.0, until.1, until.2);
    params
}

const AWS: &str = "Amazon Web Services, Inc.";

/// A self-made root with an RDS root's name, valid until `until`.
fn selfmade(cn: &str, key: &KeyPair, until: (i32, u8, u8)) -> String {
    ca_params(AWS, cn, (2021, 5, 25), until)
        .self_signed(key)
        .unwrap()
        .pem()
}

/// The real 2019 root with one byte of its RSA modulus changed: the same
/// name, the same kind of key, every field AWS wrote but the key, as
/// copies damaged or edited in public repositories are.
fn tampered_2019() -> String {
    let body: String = ROOT_2019
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let mut der = data_encoding::BASE64.decode(body.as_bytes()).unwrap();
    // INTEGER, 257 bytes: the modulus, after its leading zero.
    let modulus = der
        .windows(5)
        .position(|w| w == [0x02, 0x82, 0x01, 0x01, 0x00])
        .unwrap();
    der[modulus + 100] ^= 0x01;
    let text = data_encoding::BASE64.encode(&der);
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

/// Certificates made here, as PEM.
struct World {
    /// The case: `Amazon RDS Root 2019 CA` on a fresh RSA 2048 key,
    /// valid now.
    lookalike_2019: String,
    /// The us-east-1 RSA2048 G1 root's name on a fresh RSA 2048 key.
    lookalike_rsa2048_g1: String,
    /// ECC384 G1's name on a P-256 key.
    ecc384_on_p256: String,
    /// A G1 root's name for a region whose published keys sslcensus lacks.
    unverified_cn_north_1: String,
    /// RSA2048 G1's name and key kind, but not Amazon's organization.
    wrong_organization: String,
    /// A server certificate pinned in a bundle: no CA.
    server: String,
    other_ca: String,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let mut server = CertificateParams::new(vec!["db.example.com".to_string()]).unwrap();
        server
            .distinguished_name
            .push(DnType::CommonName, "db.example.com");
        let mut other = ca_params(
            "Example Corp",
            "Example Root CA",
            (2020, 1, 1),
            (2040, 1, 1),
        );
        other
            .distinguished_name
            .remove(DnType::OrganizationalUnitName);
        World {
            lookalike_2019: ca_params(AWS, "Amazon RDS Root 2019 CA", (2019, 8, 22), (2030, 8, 22))
                .self_signed(rsa2048())
                .unwrap()
                .pem(),
            lookalike_rsa2048_g1: selfmade(
                "Amazon RDS us-east-1 Root CA RSA2048 G1",
                rsa2048(),
                (2061, 5, 22),
            ),
            ecc384_on_p256: selfmade(
                "Amazon RDS us-east-1 Root CA ECC384 G1",
                &ec(&rcgen::PKCS_ECDSA_P256_SHA256),
                (2121, 5, 22),
            ),
            unverified_cn_north_1: selfmade(
                "Amazon RDS cn-north-1 Root CA RSA2048 G1",
                rsa2048(),
                (2061, 5, 22),
            ),
            wrong_organization: ca_params(
                "Example Corp",
                "Amazon RDS us-east-1 Root CA RSA2048 G1",
                (2021, 5, 25),
                (2061, 5, 22),
            )
            .self_signed(rsa2048())
            .unwrap()
            .pem(),
            server: server
                .self_signed(&ec(&rcgen::PKCS_ECDSA_P256_SHA256))
                .unwrap()
                .pem(),
            other_ca: other
                .self_signed(&ec(&rcgen::PKCS_ECDSA_P256_SHA256))
                .unwrap()
                .pem(),
        }
    })
}

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, content).unwrap();
    path
}

fn covered(ca: RdsCa, expires: i64, regions: &[&str]) -> RdsCoverage {
    RdsCoverage {
        ca,
        present: true,
        expires: Some(expires),
        expired: expires <= NOW,
        regions: regions.iter().map(|r| r.to_string()).collect(),
    }
}

fn absent(ca: RdsCa) -> RdsCoverage {
    RdsCoverage {
        ca,
        present: false,
        expires: None,
        expired: false,
        regions: vec![],
    }
}

fn everything() -> Vec<RdsCoverage> {
    vec![
        covered(RdsCa::Ca2019, EXPIRY_2019, &[]),
        covered(RdsCa::Rsa2048G1, EXPIRY_RSA2048, &["us-east-1"]),
        covered(RdsCa::Rsa4096G1, EXPIRY_RSA4096, &["eu-west-1"]),
        covered(RdsCa::Ecc384G1, EXPIRY_ECC384, &["us-east-1"]),
    ]
}

/// A bundle as people keep them: comments, `openssl x509 -text` output,
/// a private key, a pinned server certificate and an unrelated CA among the
/// RDS CAs.
fn noisy_bundle() -> String {
    let w = world();
    let key = rsa2048().serialize_pem();
    let crlf = ECC384_G1.replace('\n', "\r\n");
    [
        "# Amazon RDS trust bundle, downloaded for prod\n\n",
        ROOT_2019,
        "Certificate:\n    Data:\n        Subject: CN = Amazon RDS us-east-1 2019 CA\n",
        US_EAST_1_2019,
        key.as_str(),
        RSA2048_G1,
        w.server.as_str(),
        RSA4096_G1,
        w.other_ca.as_str(),
        crlf.as_str(),
    ]
    .concat()
}

#[test]
fn a_full_bundle_covers_every_ca_and_shows_2019_expired() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "certs/whatever.txt", noisy_bundle());
    let store = read(&path, None).unwrap();
    assert_eq!(store.format, StoreFormat::Pem);
    assert_eq!(store.path, path);
    let summary: Vec<(Option<RdsCa>, Option<Standing>, bool, KeyKind)> = store
        .certificates
        .iter()
        .map(|c| {
            (
                c.rds.as_ref().map(|m| m.ca),
                c.rds.as_ref().map(|m| m.standing),
                c.is_ca,
                c.key.clone(),
            )
        })
        .collect();
    let p256 = KeyKind::Ec("P-256".into());
    let genuine = Some(Standing::Genuine);
    assert_eq!(
        summary,
        [
            (Some(RdsCa::Ca2019), genuine, true, KeyKind::Rsa(2048)),
            (
                Some(RdsCa::Ca2019),
                Some(Standing::Intermediate),
                true,
                KeyKind::Rsa(2048)
            ),
            (Some(RdsCa::Rsa2048G1), genuine, true, KeyKind::Rsa(2048)),
            (None, None, false, p256.clone()),
            (Some(RdsCa::Rsa4096G1), genuine, true, KeyKind::Rsa(4096)),
            (None, None, true, p256),
            (
                Some(RdsCa::Ecc384G1),
                genuine,
                true,
                KeyKind::Ec("P-384".into())
            ),
        ]
    );
    let intermediate = &store.certificates[1];
    assert_eq!(
        intermediate.subject,
        "C=US, ST=Washington, L=Seattle, O=Amazon Web Services, Inc., OU=Amazon RDS, CN=Amazon RDS us-east-1 2019 CA"
    );
    assert_eq!(intermediate.issuer, store.certificates[0].subject);
    assert_eq!(
        intermediate.rds,
        Some(RdsMatch {
            ca: RdsCa::Ca2019,
            region: Some("us-east-1".into()),
            standing: Standing::Intermediate,
        })
    );
    assert_eq!(rds_coverage(&store, NOW), everything());
}

#[test]
fn recognition_goes_by_published_key_not_name_or_file_name() {
    let w = world();
    let dir = tempfile::tempdir().unwrap();
    let only_2019 = [ROOT_2019, US_EAST_1_2019].concat();
    let tampered = tampered_2019();
    let lookalikes = [
        w.lookalike_2019.as_str(),
        tampered.as_str(),
        w.lookalike_rsa2048_g1.as_str(),
        w.ecc384_on_p256.as_str(),
        w.wrong_organization.as_str(),
    ]
    .concat();
    let unverified = [w.unverified_cn_north_1.as_str(), RSA2048_G1].concat();
    let table: [(&str, String, Vec<RdsCoverage>); 4] = [
        // A legacy bundle under the current bundle's name.
        (
            "global-bundle.pem",
            only_2019,
            vec![
                covered(RdsCa::Ca2019, EXPIRY_2019, &[]),
                absent(RdsCa::Rsa2048G1),
                absent(RdsCa::Rsa4096G1),
                absent(RdsCa::Ecc384G1),
            ],
        ),
        // An intermediate alone anchors nothing for OpenSSL clients.
        (
            "rds-ca-2019-root.pem",
            US_EAST_1_2019.to_string(),
            RdsCa::CURRENT.into_iter().map(absent).collect(),
        ),
        // Names and kinds of key right, keys not AWS's: nothing counts.
        (
            "rds-combined-ca-bundle.pem",
            lookalikes,
            RdsCa::CURRENT.into_iter().map(absent).collect(),
        ),
        // A root of a region the table lacks is not counted either.
        (
            "cn-north-1-bundle.pem",
            unverified,
            vec![
                absent(RdsCa::Ca2019),
                covered(RdsCa::Rsa2048G1, EXPIRY_RSA2048, &["us-east-1"]),
                absent(RdsCa::Rsa4096G1),
                absent(RdsCa::Ecc384G1),
            ],
        ),
    ];
    for (name, pem, want) in table {
        let store = read(&write(dir.path(), name, pem), None).unwrap();
        assert_eq!(rds_coverage(&store, NOW), want, "{name}");
    }
    let standings = |name: &str| -> Vec<Option<(RdsCa, Option<String>, Standing)>> {
        let store = read(&dir.path().join(name), None).unwrap();
        store
            .certificates
            .iter()
            .map(|c| c.rds.as_ref().map(|m| (m.ca, m.region.clone(), m.standing)))
            .collect()
    };
    let east = || Some("us-east-1".to_string());
    assert_eq!(
        standings("rds-combined-ca-bundle.pem"),
        [
            Some((RdsCa::Ca2019, None, Standing::LookAlike)),
            Some((RdsCa::Ca2019, None, Standing::LookAlike)),
            Some((RdsCa::Rsa2048G1, east(), Standing::LookAlike)),
            Some((RdsCa::Ecc384G1, east(), Standing::LookAlike)),
            None, // O=Example Corp
        ]
    );
    assert_eq!(
        standings("cn-north-1-bundle.pem"),
        [
            Some((
                RdsCa::Rsa2048G1,
                Some("cn-north-1".to_string()),
                Standing::Unverified
            )),
            Some((RdsCa::Rsa2048G1, east(), Standing::Genuine)),
        ]
    );
    // The tampered copy differs from the real root in its key alone.
    let store = read(&dir.path().join("rds-combined-ca-bundle.pem"), None).unwrap();
    let real = read(&write(dir.path(), "real.pem", ROOT_2019), None).unwrap();
    let (copy, real) = (&store.certificates[1], &real.certificates[0]);
    assert_eq!(
        (&copy.subject, copy.not_after, &copy.key),
        (&real.subject, real.not_after, &real.key)
    );
    assert_ne!(copy.spki_sha256, real.spki_sha256);
    assert_eq!(
        copy.rds.as_ref().and_then(|m| m.warning()).as_deref(),
        Some("named like rds-ca-2019 but not its published key: a look-alike, not counted")
    );
}

#[test]
fn public_key_hashes_match_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "ecc.pem", ECC384_G1);
    let store = read(&path, None).unwrap();
    let pubkey = run(
        "openssl",
        &["x509", "-noout", "-pubkey", "-in", path.to_str().unwrap()],
    );
    let key = write(dir.path(), "ecc.pub", pubkey);
    let der = run(
        "openssl",
        &[
            "pkey",
            "-pubin",
            "-outform",
            "DER",
            "-in",
            key.to_str().unwrap(),
        ],
    );
    let want = run(
        "sha256sum",
        &[write(dir.path(), "ecc.der", der).to_str().unwrap()],
    );
    let want = String::from_utf8(want).unwrap();
    assert_eq!(store.certificates[0].spki_sha256, want[..64]);
}

#[test]
fn fingerprints_match_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "ca.pem", RSA4096_G1);
    let store = read(&path, None).unwrap();
    let out = run(
        "openssl",
        &[
            "x509",
            "-noout",
            "-fingerprint",
            "-sha256",
            "-in",
            path.to_str().unwrap(),
        ],
    );
    let openssl = String::from_utf8(out).unwrap();
    let openssl = openssl.trim().rsplit('=').next().unwrap().replace(':', "");
    assert_eq!(store.certificates[0].sha256, openssl.to_lowercase());
}

#[test]
fn der_and_pkcs7_files_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = write(dir.path(), "bundle.pem", noisy_bundle());
    let pem = write(dir.path(), "ecc.pem", ECC384_G1);
    let der = dir.path().join("ecc.cer");
    run(
        "openssl",
        &[
            "x509",
            "-in",
            pem.to_str().unwrap(),
            "-outform",
            "DER",
            "-out",
            der.to_str().unwrap(),
        ],
    );
    let p7b = dir.path().join("global-bundle.p7b");
    let p7_pem = dir.path().join("global-bundle.p7.pem");
    for (out, form) in [(&p7b, "DER"), (&p7_pem, "PEM")] {
        run(
            "openssl",
            &[
                "crl2pkcs7",
                "-nocrl",
                "-certfile",
                bundle.to_str().unwrap(),
                "-outform",
                form,
                "-out",
                out.to_str().unwrap(),
            ],
        );
    }
    let store = read(&der, None).unwrap();
    assert_eq!(store.format, StoreFormat::Der);
    assert_eq!(store.certificates.len(), 1);
    assert_eq!(
        rds_coverage(&store, NOW)[3],
        covered(RdsCa::Ecc384G1, EXPIRY_ECC384, &["us-east-1"])
    );
    for (path, format) in [(&p7b, StoreFormat::Pkcs7), (&p7_pem, StoreFormat::Pem)] {
        let store = read(path, None).unwrap();
        assert_eq!(store.format, format);
        assert_eq!(store.certificates.len(), 7, "{format:?}");
        assert_eq!(rds_coverage(&store, NOW), everything(), "{format:?}");
    }
}

#[test]
fn pkcs12_truststores_open_with_the_given_or_a_default_password() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = write(dir.path(), "bundle.pem", noisy_bundle());
    let export = |name: &str, password: &str| {
        let out = dir.path().join(name);
        let pass = format!("pass:{password}");
        run(
            "openssl",
            &[
                "pkcs12",
                "-export",
                "-nokeys",
                "-in",
                bundle.to_str().unwrap(),
                "-out",
                out.to_str().unwrap(),
                "-passout",
                &pass,
            ],
        );
        out
    };
    let secret = export("truststore.p12", "s3cret-Passw0rd");
    let default = export("cacerts", "changeit");
    let empty = export("rds.pfx", "");
    for (path, password) in [
        (&secret, Some("s3cret-Passw0rd")),
        (&default, None),
        (&empty, None),
    ] {
        let store = read(path, password).unwrap();
        assert_eq!(store.format, StoreFormat::Pkcs12);
        // The pinned server certificate and the unrelated CA are in it too.
        assert_eq!(store.certificates.len(), 7);
        assert_eq!(
            rds_coverage(&store, NOW),
            everything(),
            "{}",
            path.display()
        );
    }
    for (password, given) in [(None, false), (Some("wrong-guess"), true)] {
        let error = read(&secret, password).unwrap_err();
        assert_eq!(error.problem, Problem::Password { given });
        let message = error.to_string();
        assert!(
            message.starts_with(&secret.display().to_string()),
            "{message}"
        );
        assert!(
            !message.contains("s3cret") && !message.contains("wrong-guess"),
            "{message}"
        );
    }
}

#[test]
fn java_keystores_are_read_without_their_password() {
    if !has_keytool() {
        return;
    }
    let w = world();
    let dir = tempfile::tempdir().unwrap();
    let certs = [
        ("rds-2019", ROOT_2019),
        ("rds-rsa2048-g1", RSA2048_G1),
        ("rds-rsa4096-g1", RSA4096_G1),
        ("rds-ecc384-g1", ECC384_G1),
        ("lookalike-2019", w.lookalike_2019.as_str()),
    ];
    for (kind, format, name) in [
        ("JKS", StoreFormat::Jks, "rds-truststore.jks"),
        ("JCEKS", StoreFormat::Jceks, "rds.jceks"),
        ("PKCS12", StoreFormat::Pkcs12, "rds-truststore.ks"),
    ] {
        let store_path = dir.path().join(name);
        for (alias, pem) in certs {
            let file = write(dir.path(), &format!("{alias}.pem"), pem);
            run(
                "keytool",
                &[
                    "-importcert",
                    "-noprompt",
                    "-storetype",
                    kind,
                    "-keystore",
                    store_path.to_str().unwrap(),
                    "-storepass",
                    "changeit",
                    "-alias",
                    alias,
                    "-file",
                    file.to_str().unwrap(),
                ],
            );
        }
        let store = read(&store_path, None).unwrap();
        assert_eq!(store.format, format);
        // The look-alike is in the store, and counts for nothing.
        assert_eq!(store.certificates.len(), 5, "{kind}");
        assert_eq!(rds_coverage(&store, NOW), everything(), "{kind}");
    }
    // A password is not needed to list a JKS, so a wrong one changes nothing.
    let store = read(&dir.path().join("rds-truststore.jks"), Some("not-it")).unwrap();
    assert_eq!(store.certificates.len(), 5);
}

#[test]
fn directories_are_walked_skipping_what_is_not_certificate_material() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "app/global-bundle.pem", noisy_bundle());
    write(
        root,
        "app/config/database.yml",
        "production:\n  sslmode: verify-full\n",
    );
    write(root, "app/client-key.pem", rsa2048().serialize_pem());
    write(root, "app/.git/objects/ca.pem", "not a certificate");
    write(
        root,
        "java/cacerts",
        [
            &[0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0, 0, 0, 1][..],
            &[0, 0],
        ]
        .concat(),
    );
    write(root, "java/rds.jks", b"");
    write(root, "ssl/rds-ca-2019-root.pem", ROOT_2019);
    write(
        root,
        "ssl/broken.crt",
        "-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n",
    );
    write(root, "ssl/README", "certificates live here");
    std::os::unix::fs::symlink(
        root.join("ssl/rds-ca-2019-root.pem"),
        root.join("ssl/rds-current.pem"),
    )
    .unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let explicit = write(elsewhere.path(), "notes.txt", "hello");

    let (stores, errors) = read_all(&[root.to_path_buf(), explicit.clone()], None);
    let found: Vec<(PathBuf, usize)> = stores
        .iter()
        .map(|s| {
            (
                s.path.strip_prefix(root).unwrap().to_path_buf(),
                s.certificates.len(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (PathBuf::from("app/global-bundle.pem"), 7),
            // ssl/rds-current.pem, a link to it, is not read again.
            (PathBuf::from("ssl/rds-ca-2019-root.pem"), 1),
        ]
    );
    let want = [
        (root.join("java/cacerts"), "damaged: keystore is truncated"),
        (root.join("java/rds.jks"), "not a trust store"),
        (
            root.join("ssl/broken.crt"),
            "damaged: line 1: not an X.509 certificate",
        ),
        (explicit, "not a trust store"),
    ];
    assert_eq!(errors.len(), want.len(), "{errors:?}");
    for (error, (path, problem)) in errors.iter().zip(want) {
        assert_eq!(error.path, path);
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("{}: {problem}", path.display())),
            "{message}"
        );
    }
}

#[test]
fn unreadable_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let table = [
        (dir.path().join("missing.pem"), "cannot read"),
        (
            write(dir.path(), "garbage.bin", [0x30, 0x82, 0xff]),
            "not a trust store",
        ),
        (
            write(dir.path(), "key.pem", rsa2048().serialize_pem()),
            "holds PEM blocks but no certificate",
        ),
        (
            write(dir.path(), "half.pem", &RSA2048_G1[..300]),
            "damaged: line 1: no `-----END CERTIFICATE-----`",
        ),
    ];
    for (path, want) in table {
        let message = read(&path, None).unwrap_err().to_string();
        assert_eq!(
            message
                .strip_prefix(&format!("{}: ", path.display()))
                .map(|m| m.starts_with(want)),
            Some(true),
            "{message}"
        );
    }
}

#[test]
fn require_answers_per_store_and_in_total_and_sets_the_exit_code() {
    let w = world();
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str, pem: &str| write(dir.path(), name, pem).to_string_lossy().into_owned();
    let current = path("current.pem", &[RSA2048_G1, ECC384_G1].concat());
    let legacy = path("legacy.pem", ROOT_2019);
    let lookalike = path("lookalike.pem", &w.lookalike_2019);
    let warning = "  warning: C=US, O=Amazon Web Services, Inc., OU=Amazon RDS, ST=WA, CN=Amazon RDS Root 2019 CA, L=Seattle: named like rds-ca-2019 but not its published key: a look-alike, not counted";
    // (stores, options) → exit code, lines stdout must hold
    type Case<'a> = (Vec<&'a str>, &'a [&'a str], i32, Vec<String>);
    let table: [Case; 8] = [
        (
            vec![&current],
            &[
                "--require",
                "rds-ca-rsa2048-g1,rds-ca-ecc384-g1",
                "--region",
                "us-east-1",
            ],
            0,
            vec![
                "  required: yes: rds-ca-rsa2048-g1 (us-east-1) until 2061-05-25; rds-ca-ecc384-g1 (us-east-1) until 2121-05-25".into(),
                "required rds-ca-rsa2048-g1, rds-ca-ecc384-g1 for us-east-1, valid now: yes, the store holds them".into(),
            ],
        ),
        (
            vec![&current],
            &["--require", "rds-ca-rsa2048-g1", "--region", "us-east-1,eu-west-1"],
            3,
            vec![
                "  required: no: rds-ca-rsa2048-g1 (us-east-1) until 2061-05-25; rds-ca-rsa2048-g1 (eu-west-1) missing".into(),
                "required rds-ca-rsa2048-g1 for us-east-1, eu-west-1, valid now: no, the store falls short".into(),
            ],
        ),
        // No region given: any region's root will do, and the answer says which.
        (
            vec![&current],
            &["--require", "rds-ca-rsa2048-g1,rds-ca-rsa4096-g1"],
            3,
            vec!["  required: no: rds-ca-rsa2048-g1 until 2061-05-25 (us-east-1); rds-ca-rsa4096-g1 missing".into()],
        ),
        (
            vec![&legacy],
            &["--require", "rds-ca-2019"],
            3,
            vec!["  required: no: rds-ca-2019 expired 2024-08-22".into()],
        ),
        // The case: a self-made `Amazon RDS Root 2019 CA`, valid until 2030.
        (
            vec![&lookalike],
            &["--require", "rds-ca-2019"],
            3,
            vec![
                "  rds-ca-2019        absent".into(),
                warning.into(),
                "  required: no: rds-ca-2019 only a look-alike (its name, not its published key)".into(),
            ],
        ),
        (
            vec![&current, &legacy],
            &["--require", "rds-ca-rsa2048-g1,rds-ca-rsa2048-g1"],
            3,
            vec![format!(
                "required rds-ca-rsa2048-g1, valid now: no, 1 of 2 stores fall short: {legacy}"
            )],
        ),
        (
            vec![&current, &legacy],
            &["--require", "rds-ca-ecc384-g1"],
            3,
            vec![format!(
                "required rds-ca-ecc384-g1, valid now: no, 1 of 2 stores fall short: {legacy}"
            )],
        ),
        // Without --require: today's answer and exit code, the look-alike named.
        (
            vec![&lookalike],
            &[],
            0,
            vec!["  rds-ca-2019        absent".into(), warning.into()],
        ),
    ];
    for (stores, options, code, want) in table {
        let args: Vec<&str> = ["truststore"]
            .into_iter()
            .chain(stores)
            .chain(options.iter().copied())
            .collect();
        let out = sslcensus(&args);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(code), "{args:?}\n{stdout}");
        for line in want {
            assert!(
                stdout.lines().any(|l| l == line),
                "{args:?}: no line\n{line}\nin\n{stdout}"
            );
        }
        if options.is_empty() {
            assert!(!stdout.contains("required"), "{stdout}");
        }
    }
}

#[test]
fn require_exit_codes_for_errors_and_usage() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = write(dir.path(), "legacy.pem", ROOT_2019);
    let legacy = legacy.to_str().unwrap();
    let missing = dir.path().join("missing.pem");
    let missing = missing.to_str().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    write(&empty, "README", "no certificates here");
    let empty = empty.to_str().unwrap();
    // (arguments) → exit code, what stderr says
    let table: [(&[&str], i32, &str); 7] = [
        // An unreadable store wins over a requirement not met.
        (
            &[legacy, missing, "--require", "rds-ca-2019"],
            1,
            "missing.pem: cannot read",
        ),
        (
            &[empty, "--require", "rds-ca-rsa2048-g1"],
            1,
            "no trust store found in",
        ),
        // Without --require, an empty folder is not an error (today's behaviour).
        (&[empty], 0, ""),
        (
            &[legacy, "--require", "rds-ca-2020"],
            2,
            "unknown CA `rds-ca-2020`; one of rds-ca-2019, rds-ca-rsa2048-g1, rds-ca-rsa4096-g1, rds-ca-ecc384-g1",
        ),
        (&[legacy, "--region", "us-east-1"], 2, "--require"),
        (
            &[
                legacy,
                "--require",
                "rds-ca-rsa2048-g1",
                "--region",
                "US-EAST-1",
            ],
            2,
            "`US-EAST-1` is not a region name like us-east-1",
        ),
        (&[legacy, "--require"], 2, "a value is required"),
    ];
    for (args, code, says) in table {
        let args: Vec<&str> = ["truststore"]
            .into_iter()
            .chain(args.iter().copied())
            .collect();
        let out = sslcensus(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}\n{stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

#[test]
fn truststore_help_lists_only_its_own_exit_codes() {
    let out = sslcensus(&["truststore", "--help"]);
    let help = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    let codes: Vec<&str> = help
        .lines()
        .skip_while(|l| *l != "Exit codes:")
        .skip(1)
        .collect();
    let numbers: Vec<&str> = codes
        .iter()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(numbers, ["0", "1", "2", "3"], "{help}");
    assert!(codes[3].contains("--require not met"), "{help}");
    assert!(!help.contains("--fail-on"), "{help}");
}
