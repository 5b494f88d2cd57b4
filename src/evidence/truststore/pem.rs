//! PEM bundles: `global-bundle.pem`, OS bundles, `openssl x509` output.

use super::pkcs7::pkcs7_certificates;
use super::{Entry, Problem, numbered};

/// PEM labels that hold one X.509 certificate (`TRUSTED CERTIFICATE` is
/// OpenSSL's, with trust settings after the certificate).
const CERTIFICATE_LABELS: [&str; 3] = ["CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE"];

/// The certificates of a PEM bundle. Text around blocks (comments, `openssl
/// x509 -text` dumps) and blocks of other kinds (keys, requests, CRLs) are
/// passed over; key blocks are never decoded.
pub(super) fn pem_entries(text: &str) -> Result<Vec<Entry>, Problem> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::truststore::listed;

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
        assert_eq!(
            listed(&entries),
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
}
