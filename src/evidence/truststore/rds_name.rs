//! The names AWS gives the RDS CAs in a certificate's subject.

use x509_parser::prelude::X509Name;

use super::RdsCa;

/// An RDS CA's name in a certificate's subject.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct RdsName {
    pub(super) ca: RdsCa,
    pub(super) region: Option<String>,
    /// A root's name (`Amazon RDS Root 2019 CA`, `… Root CA RSA2048 G1`),
    /// not an issuing CA's.
    pub(super) root: bool,
}

/// The RDS CA a subject names, and the region in the name.
pub(super) fn rds_name(subject: &X509Name<'_>) -> Option<RdsName> {
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
pub(super) fn rds_common_name(cn: &str) -> Option<RdsName> {
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
        use RdsCa::{Ca2015, Ca2019, Ecc384G1, Rsa2048G1, Rsa4096G1};
        // (common name after `Amazon RDS `, (CA, region, a root's name))
        let table = [
            ("Root CA", (Ca2015, None, true)),
            ("ap-northeast-1 CA", (Ca2015, Some("ap-northeast-1"), false)),
            ("Root 2019 CA", (Ca2019, None, true)),
            ("us-east-1 2019 CA", (Ca2019, Some("us-east-1"), false)),
            (
                "us-east-1 Root CA RSA2048 G1",
                (Rsa2048G1, Some("us-east-1"), true),
            ),
            (
                "eu-central-2 Root CA RSA4096 G1",
                (Rsa4096G1, Some("eu-central-2"), true),
            ),
            (
                "me-south-1 Root CA ECC384 G1",
                (Ecc384G1, Some("me-south-1"), true),
            ),
            (
                "us-gov-west-1 Root CA RSA2048 G1",
                (Rsa2048G1, Some("us-gov-west-1"), true),
            ),
            (
                "us-east-1 Subordinate CA RSA2048 G1.A.3",
                (Rsa2048G1, Some("us-east-1"), false),
            ),
        ];
        for (cn, (ca, region, root)) in table {
            let want = RdsName {
                ca,
                region: region.map(str::to_string),
                root,
            };
            let cn = format!("Amazon RDS {cn}");
            assert_eq!(rds_common_name(&cn), Some(want), "{cn}");
        }
        let not_rds = [
            // Left out of the table on purpose (docs/FORMATS.md): Beta and
            // Preview roots, and the 2019-generation roots of opt-in regions
            // and partitions, all expired.
            "Amazon RDS Beta us-east-1 Root CA RSA2048 G1",
            "Amazon RDS me-south-1 Root CA",
            "Amazon RDS GovCloud Root CA",
            "Amazon RDS us-east-1 Root CA RSA2048 G2",
            "Amazon RDS us-east-1 Root CA RSA1024 G1",
            "Amazon RDS Root CA RSA2048 G1",
            "Amazon RDS US-EAST-1 Root CA RSA2048 G1",
            "Amazon RDS us-east Root CA RSA2048 G1",
            "Amazon RDS us-east-1 2020 CA",
            "Amazon Root CA 1",
            "rds-ca-2019",
        ];
        for cn in not_rds {
            assert_eq!(rds_common_name(cn), None, "{cn}");
        }
    }
}
