//! The `--require` check: whether a store holds a valid genuine root of
//! each CA asked for, region by region.

use super::coverage::{day, regions_of};
use super::rds::ca_name;
use super::{Certificate, RdsCa, Standing, TrustStore};

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
                Ok(Held {
                    until,
                    regions: regions_of(&valid),
                })
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    use super::super::{RdsMatch, StoreFormat};

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
        const EAST: &str = "us-east-1";
        let held = |until: i64, regions: &[&str]| {
            Ok(Held {
                until,
                regions: regions.iter().map(|r| r.to_string()).collect(),
            })
        };
        use RdsCa::{Ca2019, Ecc384G1, Rsa2048G1};
        use Shortfall as No;
        use Standing::{Genuine, Intermediate, LookAlike, Unverified};
        let east_root = || named(Rsa2048G1, Some(EAST), Genuine, LATER);
        let held_east = || held(LATER, &[EAST]);
        // (certificates, required, regions) → outcome of each requirement
        type Case<'a> = (
            Vec<Certificate>,
            (&'a [RdsCa], &'a [&'a str]),
            Vec<Result<Held, Shortfall>>,
        );
        let table: [Case; 9] = [
            (
                vec![east_root()],
                (&[Rsa2048G1], &[EAST]),
                vec![held_east()],
            ),
            (
                vec![east_root()],
                (&[Rsa2048G1], &["eu-west-1", EAST]),
                vec![Err(No::Missing), held_east()],
            ),
            // No region asked: any will do, and the answer says which.
            (
                vec![east_root()],
                (&[Rsa2048G1, Ecc384G1], &[]),
                vec![held_east(), Err(No::Missing)],
            ),
            // The 2019 root serves every region, so --region does not split it.
            (
                vec![named(Ca2019, None, Genuine, PAST)],
                (&[Ca2019], &[EAST, "eu-west-1"]),
                vec![Err(No::Expired(PAST))],
            ),
            (
                vec![named(Ca2019, None, LookAlike, LATER)],
                (&[Ca2019], &[]),
                vec![Err(No::LookAlike)],
            ),
            // An expired genuine root is the closer miss than a look-alike.
            (
                vec![
                    named(Ca2019, None, LookAlike, LATER),
                    named(Ca2019, None, Genuine, PAST),
                ],
                (&[Ca2019], &[]),
                vec![Err(No::Expired(PAST))],
            ),
            (
                vec![named(Rsa2048G1, Some("cn-north-1"), Unverified, LATER)],
                (&[Rsa2048G1], &["cn-north-1"]),
                vec![Err(No::Unverified)],
            ),
            (
                vec![named(Ca2019, Some(EAST), Intermediate, LATER)],
                (&[Ca2019], &[]),
                vec![Err(No::IntermediateOnly)],
            ),
            // A valid root beside an expired one of the same CA and region.
            (
                vec![named(Rsa2048G1, Some(EAST), Genuine, PAST), east_root()],
                (&[Rsa2048G1], &[EAST]),
                vec![held_east()],
            ),
        ];
        for (certificates, (required, regions), want) in table {
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
}
