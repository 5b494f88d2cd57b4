//! A store's format, told from its content.

use x509_parser::asn1_rs::{Any, Class, FromBer, Tag};

use super::StoreFormat;
use super::jks::{JCEKS_MAGIC, JKS_MAGIC};
use super::pkcs7::SIGNED_DATA;

/// The format of a file, from its content: Java magic numbers, then the
/// shape of a DER structure, then PEM armour anywhere in the text (bundles
/// often open with comments).
pub(super) fn sniff(bytes: &[u8]) -> Option<StoreFormat> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
