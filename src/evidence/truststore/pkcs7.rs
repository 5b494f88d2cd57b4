//! PKCS#7 certificate bags (`.p7b`), alone or inside a PEM `PKCS7` block.

use x509_parser::asn1_rs::{Any, Class, FromBer, Tag};

/// The content of the OID 1.2.840.113549.1.7.2, PKCS#7 signed data.
pub(super) const SIGNED_DATA: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];

/// The certificates of a PKCS#7 certificate bag (`.p7b`, as AWS publishes
/// next to the PEM bundles): ContentInfo { signedData, [0] SignedData {
/// version, digestAlgorithms, encapContentInfo, [0] certificates, … } }.
pub(super) fn pkcs7_certificates(der: &[u8]) -> Result<Vec<Vec<u8>>, String> {
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
