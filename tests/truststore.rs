//! Trust stores as clients keep them, made here with the tools clients use:
//! certificates with the Amazon RDS CA names and keys (rcgen; RSA keys from
//! the `openssl` CLI, as rcgen's ring backend cannot make them), written as
//! PEM bundles, DER, PKCS#7 and PKCS#12 (`openssl`), and JKS / JCEKS /
//! PKCS#12 keystores (`keytool`, package openjdk-17-jre-headless).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    date_time_ymd,
};
use sslcensus::evidence::truststore::{
    KeyKind, Problem, RdsCa, RdsCoverage, RdsMatch, StoreFormat, rds_coverage, read, read_all,
};

/// 2026-01-01T00:00:00Z: after rds-ca-2019 expired, long before the G1 CAs do.
const NOW: i64 = 1_767_225_600;
/// 2024-08-22T00:00:00Z, when the test 2019 CA expires.
const EXPIRY_2019: i64 = 1_724_284_800;
/// 2061-05-22T00:00:00Z, when the test RSA2048 G1 CA expires.
const EXPIRY_2061: i64 = 2_883_945_600;
/// 2121-05-22T00:00:00Z, when the test RSA4096 and ECC384 G1 CAs expire.
const EXPIRY_2121: i64 = 4_777_315_200;

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

/// An RSA key from `openssl genpkey`, made once per size (4096 bits takes a while).
fn rsa(bits: u32) -> &'static KeyPair {
    static RSA2048: OnceLock<KeyPair> = OnceLock::new();
    static RSA4096: OnceLock<KeyPair> = OnceLock::new();
    let cell = if bits == 2048 { &RSA2048 } else { &RSA4096 };
    cell.get_or_init(|| {
        let option = format!("rsa_keygen_bits:{bits}");
        let pem = run(
            "openssl",
            &["genpkey", "-algorithm", "RSA", "-pkeyopt", &option],
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

fn root(cn: &str, key: &KeyPair, until: (i32, u8, u8)) -> String {
    ca_params(AWS, cn, (2021, 5, 25), until)
        .self_signed(key)
        .unwrap()
        .pem()
}

/// The CAs of the test world, as PEM.
struct World {
    root_2019: String,
    us_east_1_2019: String,
    rsa2048_g1: String,
    rsa4096_g1: String,
    ecc384_g1: String,
    /// ECC384 G1's name on a P-256 key.
    ecc384_lookalike: String,
    /// RSA2048 G1's name and key, but not Amazon's organization.
    wrong_organization: String,
    /// A server certificate pinned in a bundle: no CA.
    server: String,
    other_ca: String,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let params_2019 = ca_params(AWS, "Amazon RDS Root 2019 CA", (2019, 8, 22), (2024, 8, 22));
        let key_2019 = rsa(2048);
        let root_2019 = params_2019.self_signed(key_2019).unwrap().pem();
        let regional = ca_params(
            AWS,
            "Amazon RDS us-east-1 2019 CA",
            (2019, 9, 19),
            (2024, 8, 22),
        );
        let us_east_1_2019 = regional
            .signed_by(rsa(2048), &Issuer::from_params(&params_2019, key_2019))
            .unwrap()
            .pem();
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
            root_2019,
            us_east_1_2019,
            rsa2048_g1: root(
                "Amazon RDS us-east-1 Root CA RSA2048 G1",
                rsa(2048),
                (2061, 5, 22),
            ),
            rsa4096_g1: root(
                "Amazon RDS eu-west-1 Root CA RSA4096 G1",
                rsa(4096),
                (2121, 5, 22),
            ),
            ecc384_g1: root(
                "Amazon RDS us-east-1 Root CA ECC384 G1",
                &ec(&rcgen::PKCS_ECDSA_P384_SHA384),
                (2121, 5, 22),
            ),
            ecc384_lookalike: root(
                "Amazon RDS us-east-1 Root CA ECC384 G1",
                &ec(&rcgen::PKCS_ECDSA_P256_SHA256),
                (2121, 5, 22),
            ),
            wrong_organization: ca_params(
                "Example Corp",
                "Amazon RDS us-east-1 Root CA RSA2048 G1",
                (2021, 5, 25),
                (2061, 5, 22),
            )
            .self_signed(rsa(2048))
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
        covered(RdsCa::Rsa2048G1, EXPIRY_2061, &["us-east-1"]),
        covered(RdsCa::Rsa4096G1, EXPIRY_2121, &["eu-west-1"]),
        covered(RdsCa::Ecc384G1, EXPIRY_2121, &["us-east-1"]),
    ]
}

/// A bundle as people keep them: comments, `openssl x509 -text` output,
/// a private key, a pinned server certificate and an unrelated CA among the
/// RDS CAs.
fn noisy_bundle() -> String {
    let w = world();
    let key = rsa(2048).serialize_pem();
    let crlf = w.ecc384_g1.replace('\n', "\r\n");
    [
        "# Amazon RDS trust bundle, downloaded for prod\n\n",
        w.root_2019.as_str(),
        "Certificate:\n    Data:\n        Subject: CN = Amazon RDS us-east-1 2019 CA\n",
        w.us_east_1_2019.as_str(),
        key.as_str(),
        w.rsa2048_g1.as_str(),
        w.server.as_str(),
        w.rsa4096_g1.as_str(),
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
    let summary: Vec<(Option<RdsCa>, bool, KeyKind)> = store
        .certificates
        .iter()
        .map(|c| (c.rds.as_ref().map(|m| m.ca), c.is_ca, c.key.clone()))
        .collect();
    let p256 = KeyKind::Ec("P-256".into());
    assert_eq!(
        summary,
        [
            (Some(RdsCa::Ca2019), true, KeyKind::Rsa(2048)),
            (Some(RdsCa::Ca2019), true, KeyKind::Rsa(2048)),
            (Some(RdsCa::Rsa2048G1), true, KeyKind::Rsa(2048)),
            (None, false, p256.clone()),
            (Some(RdsCa::Rsa4096G1), true, KeyKind::Rsa(4096)),
            (None, true, p256),
            (Some(RdsCa::Ecc384G1), true, KeyKind::Ec("P-384".into())),
        ]
    );
    let intermediate = &store.certificates[1];
    assert_eq!(
        intermediate.subject,
        "C=US, O=Amazon Web Services, Inc., OU=Amazon RDS, ST=WA, CN=Amazon RDS us-east-1 2019 CA, L=Seattle"
    );
    assert_eq!(intermediate.issuer, store.certificates[0].subject);
    assert_eq!(
        intermediate.rds,
        Some(RdsMatch {
            ca: RdsCa::Ca2019,
            region: Some("us-east-1".into()),
            genuine: true,
        })
    );
    assert_eq!(rds_coverage(&store, NOW), everything());
}

#[test]
fn recognition_goes_by_subject_and_key_not_file_name() {
    let w = world();
    let dir = tempfile::tempdir().unwrap();
    let only_2019 = [w.root_2019.as_str(), w.us_east_1_2019.as_str()].concat();
    let lookalikes = [
        w.ecc384_lookalike.as_str(),
        w.wrong_organization.as_str(),
        w.rsa2048_g1.as_str(),
    ]
    .concat();
    let table: [(&str, String, Vec<RdsCoverage>); 3] = [
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
            w.us_east_1_2019.clone(),
            RdsCa::CURRENT.into_iter().map(absent).collect(),
        ),
        (
            "rds-combined-ca-bundle.pem",
            lookalikes,
            vec![
                absent(RdsCa::Ca2019),
                covered(RdsCa::Rsa2048G1, EXPIRY_2061, &["us-east-1"]),
                absent(RdsCa::Rsa4096G1),
                absent(RdsCa::Ecc384G1),
            ],
        ),
    ];
    for (name, pem, want) in table {
        let store = read(&write(dir.path(), name, pem), None).unwrap();
        assert_eq!(rds_coverage(&store, NOW), want, "{name}");
    }
    let store = read(&dir.path().join("rds-combined-ca-bundle.pem"), None).unwrap();
    let lookalike = &store.certificates[0];
    assert_eq!(lookalike.key, KeyKind::Ec("P-256".into()));
    assert_eq!(
        lookalike.rds,
        Some(RdsMatch {
            ca: RdsCa::Ecc384G1,
            region: Some("us-east-1".into()),
            genuine: false,
        })
    );
    assert_eq!(store.certificates[1].rds, None, "O=Example Corp");
}

#[test]
fn fingerprints_match_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "ca.pem", &world().rsa4096_g1);
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
    let pem = write(dir.path(), "ecc.pem", &world().ecc384_g1);
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
        covered(RdsCa::Ecc384G1, EXPIRY_2121, &["us-east-1"])
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
        ("rds-2019", &w.root_2019),
        ("rds-rsa2048-g1", &w.rsa2048_g1),
        ("rds-rsa4096-g1", &w.rsa4096_g1),
        ("rds-ecc384-g1", &w.ecc384_g1),
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
        assert_eq!(store.certificates.len(), 4, "{kind}");
        assert_eq!(rds_coverage(&store, NOW), everything(), "{kind}");
    }
    // A password is not needed to list a JKS, so a wrong one changes nothing.
    let store = read(&dir.path().join("rds-truststore.jks"), Some("not-it")).unwrap();
    assert_eq!(store.certificates.len(), 4);
}

#[test]
fn directories_are_walked_skipping_what_is_not_certificate_material() {
    let w = world();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "app/global-bundle.pem", noisy_bundle());
    write(
        root,
        "app/config/database.yml",
        "production:\n  sslmode: verify-full\n",
    );
    write(root, "app/client-key.pem", rsa(2048).serialize_pem());
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
    write(root, "ssl/rds-ca-2019-root.pem", &w.root_2019);
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
            write(dir.path(), "key.pem", rsa(2048).serialize_pem()),
            "holds PEM blocks but no certificate",
        ),
        (
            write(dir.path(), "half.pem", &world().rsa2048_g1[..300]),
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
