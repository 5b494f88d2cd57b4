//! Which RDS CAs a store can anchor, for the report.

use super::{Certificate, RdsCa, RdsCoverage, Standing, TrustStore};

/// A day, `2061-05-25`, from Unix seconds.
pub(super) fn day(secs: i64) -> String {
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
            RdsCoverage {
                ca,
                present: !roots.is_empty(),
                expires,
                expired: expires.is_some_and(|t| t <= now),
                regions: regions_of(&roots),
            }
        })
        .collect()
}

/// The regions in the names of `roots`, sorted, each once.
pub(super) fn regions_of(roots: &[&Certificate]) -> Vec<String> {
    let mut regions: Vec<String> = roots
        .iter()
        .filter_map(|c| c.rds.as_ref()?.region.clone())
        .collect();
    regions.sort();
    regions.dedup();
    regions
}
