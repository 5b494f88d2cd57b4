//! The Amazon RDS CAs, the roots AWS published for them, and what a
//! certificate bearing one of their names is.

use std::fmt;

use super::rds_name::RdsName;
use super::rds_roots;

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
    pub(super) fn key(self) -> KeyKind {
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
pub(super) fn ca_name(ca: RdsCa, region: Option<&str>) -> String {
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

/// What a certificate with an RDS CA's name is: a root is genuine only with
/// the key AWS published for that CA and region; the name, the kind of key
/// and the CA flag only tell which CA a look-alike imitates.
pub(super) fn standing(
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    use super::super::rds_name::{is_region, rds_common_name};

    #[test]
    fn each_rds_ca_accepts_only_its_key_kind() {
        let rsa2048 = KeyKind::Rsa(2048);
        let rsa4096 = KeyKind::Rsa(4096);
        let p384 = KeyKind::Ec("P-384".into());
        let p256 = KeyKind::Ec("P-256".into());
        let ed25519 = KeyKind::Other("1.3.101.112".into());
        let keys = [&rsa2048, &rsa4096, &p384, &p256, &ed25519];
        // Each CA with the one kind of key it accepts; every other is refused.
        let table = [
            (RdsCa::Ca2015, &rsa2048),
            (RdsCa::Ca2019, &rsa2048),
            (RdsCa::Rsa2048G1, &rsa2048),
            (RdsCa::Rsa4096G1, &rsa4096),
            (RdsCa::Ecc384G1, &p384),
        ];
        for (ca, accepted) in table {
            for key in keys {
                let fits = key == accepted;
                assert_eq!(ca.key_fits(key), fits, "{} with {key}", ca.id());
            }
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
        let name = |cn: &str| rds_common_name(&format!("Amazon RDS {cn}")).unwrap();
        let rsa2048 = KeyKind::Rsa(2048);
        let p384 = KeyKind::Ec("P-384".into());
        let p256 = KeyKind::Ec("P-256".into());
        let real_2019 = published(RdsCa::Ca2019, None);
        let real_ecc = published(RdsCa::Ecc384G1, Some("us-east-1"));
        let other: &str = &"0".repeat(64);
        use Standing::{Genuine, Intermediate, LookAlike, Unverified};
        // (common name after `Amazon RDS `, key, CA flag, self-issued, SPKI
        // hash) → standing
        let table = [
            ("Root 2019 CA", &rsa2048, true, true, real_2019, Genuine),
            // The case: the name and kind of key, not the key.
            ("Root 2019 CA", &rsa2048, true, true, other, LookAlike),
            ("Root 2019 CA", &rsa2048, false, true, real_2019, LookAlike),
            ("Root 2019 CA", &rsa2048, true, false, real_2019, LookAlike),
            (
                "us-east-1 Root CA ECC384 G1",
                &p384,
                true,
                true,
                real_ecc,
                Genuine,
            ),
            (
                "us-east-1 Root CA ECC384 G1",
                &p384,
                true,
                true,
                other,
                LookAlike,
            ),
            (
                "us-east-1 Root CA ECC384 G1",
                &p256,
                true,
                true,
                other,
                LookAlike,
            ),
            // Another region's published key under this region's name.
            (
                "eu-west-1 Root CA ECC384 G1",
                &p384,
                true,
                true,
                real_ecc,
                LookAlike,
            ),
            // A region the table lacks.
            (
                "cn-north-1 Root CA ECC384 G1",
                &p384,
                true,
                true,
                other,
                Unverified,
            ),
            (
                "cn-north-1 Root CA ECC384 G1",
                &p256,
                true,
                true,
                other,
                LookAlike,
            ),
            (
                "us-east-1 2019 CA",
                &rsa2048,
                true,
                false,
                other,
                Intermediate,
            ),
            ("us-east-1 2019 CA", &rsa2048, true, true, other, LookAlike),
            (
                "us-east-1 Subordinate CA ECC384 G1.A.1",
                &p384,
                true,
                false,
                other,
                Intermediate,
            ),
            (
                "us-east-1 Subordinate CA ECC384 G1.A.1",
                &p256,
                true,
                false,
                other,
                LookAlike,
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
}
