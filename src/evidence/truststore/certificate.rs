//! One X.509 certificate of a store: its subject, key and hashes, and the
//! RDS CA its name claims.

use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::rds::standing;
use super::rds_name::rds_name;
use super::{Certificate, KeyKind, RdsMatch};

pub(super) fn certificate(der: &[u8]) -> Result<Certificate, String> {
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
