//! Address-level findings (failed handshakes, abandoned handshakes,
//! rejected logins) happen before the server knows the client's user or
//! application: they are attributed to the clients seen from the same
//! address, with what the rules need to judge whether that attribution is
//! more than coincidence.

use rustc_hash::FxHashMap as HashMap;

use sslcensus_parsers::observation::FailureKind;

use super::rules::{Fallbacks, fallback_is_consistent};
use crate::census::{AddressKey, Census, ClientKey, ClientStats, RejectedAttempt, Tally, UNKNOWN};

/// Address-level evidence as attributed to a client.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Finding {
    Handshake {
        host: String,
        kind: FailureKind,
        reason: String,
    },
    Abandoned {
        host: String,
    },
    Rejected {
        host: String,
        attempt: RejectedAttempt,
    },
}

impl Finding {
    pub fn host(&self) -> &str {
        match self {
            Finding::Handshake { host, .. }
            | Finding::Abandoned { host }
            | Finding::Rejected { host, .. } => host,
        }
    }
}

/// A finding with its tally and the company it was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attributed {
    pub tally: Tally,
    /// Clients it was attributed to: those of the address that could have
    /// caused it (0: none, the row exists only for this finding).
    pub candidates: usize,
    /// Every client seen from the address, whatever its transport.
    pub address_clients: usize,
    /// The client's own sessions went on after the finding first happened
    /// (a verifying client whose CA changed stops connecting instead).
    pub client_continued: bool,
    /// Given to the only client of its address although that client never
    /// used TLS: a hint, never proof (see [`attribute`]).
    pub hint_only: bool,
}

/// One client's evidence after attribution.
#[derive(Debug, Clone, Default)]
pub struct Attribution {
    /// Boxed as the census holds it: moved, never copied.
    pub stats: Box<ClientStats>,
    pub findings: Vec<(Finding, Attributed)>,
    /// Every client seen from this client's address.
    pub address_clients: usize,
    /// Its prefer fallbacks are its own pattern, not chance
    /// ([`fallback_is_consistent`]).
    pub consistent_fallbacks: bool,
}

fn unknown_client(
    address: &AddressKey,
    user: &str,
    database: &str,
    application: &str,
) -> ClientKey {
    ClientKey {
        instance: address.instance.clone(),
        engine: address.engine,
        user: user.to_string(),
        database: database.to_string(),
        application: application.to_string(),
        client_host: address.host.clone(),
    }
}

/// Attributes each address's findings to the clients seen from it, or to a
/// row of its own when none match: nothing is dropped. A finding whose
/// address the log did not give is never attributed to a client. Consumes
/// the census: each client's stats move into its attribution.
pub fn attribute(census: Census) -> Vec<(ClientKey, Attribution)> {
    let Census {
        clients: census_clients,
        addresses,
        ..
    } = census;
    let mut clients: Vec<(ClientKey, Attribution)> = census_clients
        .into_iter()
        .map(|(key, stats)| {
            let attribution = Attribution {
                stats,
                ..Attribution::default()
            };
            // The last holder of the key: no copy.
            (std::sync::Arc::unwrap_or_clone(key), attribution)
        })
        .collect();
    // Clients by address, as indices into `clients`.
    let mut by_address: HashMap<(&str, &str), Vec<usize>> = HashMap::default();
    for (i, (key, _)) in clients.iter().enumerate() {
        by_address
            .entry((key.instance.as_str(), key.client_host.as_str()))
            .or_default()
            .push(i);
    }
    let mut address_clients_of = vec![0; clients.len()];
    for members in by_address.values() {
        for &i in members {
            address_clients_of[i] = members.len();
        }
    }
    // Clients that use TLS: only they can fail a handshake or abandon one
    // after a hostname check; a plaintext client whose "fallbacks" are
    // chance timing is not one of them.
    let mut consistent_of = vec![false; clients.len()];
    let mut uses_tls = vec![false; clients.len()];
    for (i, (_, attribution)) in clients.iter().enumerate() {
        let s = &attribution.stats;
        consistent_of[i] = fallback_is_consistent(&Fallbacks {
            tally: s.prefer_fallbacks,
            plain_sessions: s.plain_sessions,
            address_clients: address_clients_of[i],
        });
        uses_tls[i] = s.tls_seen() || consistent_of[i];
    }
    let mut given: Vec<(usize, Finding, Attributed)> = Vec::new();
    let mut sole_client_hints: Vec<(usize, Finding, Attributed)> = Vec::new();
    let mut orphan_findings: Vec<(ClientKey, Finding, Tally, usize)> = Vec::new();
    let mut give = |targets: Vec<usize>,
                    address_clients: usize,
                    orphan: ClientKey,
                    finding: Finding,
                    tally: Tally| {
        if targets.is_empty() {
            orphan_findings.push((orphan, finding, tally, address_clients));
            return;
        }
        let candidates = targets.len();
        for i in targets {
            let continued = match (clients[i].1.stats.seen.last, tally.span.first) {
                (Some(last), Some(first)) => last > first,
                // Without times, assume the worst for proof.
                _ => true,
            };
            let attributed = Attributed {
                tally,
                candidates,
                address_clients,
                client_continued: continued,
                hint_only: false,
            };
            given.push((i, finding.clone(), attributed));
        }
    };
    for (address, stats) in &addresses {
        // An empty host: the log did not say where the attempt came from
        // (an unrecognised prefix, a message without the address). Such a
        // finding could be anyone's.
        let seen: &[usize] = if address.host.is_empty() {
            &[]
        } else {
            by_address
                .get(&(address.instance.as_str(), address.host.as_str()))
                .map(Vec::as_slice)
                .unwrap_or_default()
        };
        let address_clients = seen.len();
        let tls_clients: Vec<usize> = seen.iter().copied().filter(|&i| uses_tls[i]).collect();
        for ((kind, reason), tally) in &stats.handshake_failures {
            let finding = Finding::Handshake {
                host: address.host.clone(),
                kind: *kind,
                reason: reason.clone(),
            };
            give(
                tls_clients.clone(),
                address_clients,
                unknown_client(address, UNKNOWN, UNKNOWN, UNKNOWN),
                finding.clone(),
                *tally,
            );
            // A certificate rejection from an address whose only client never
            // used TLS: its own row keeps the proof, and the client is told
            // too, for it may be an sslmode=prefer client whose server logged
            // the plaintext retry before the rejection (seen under load).
            if *kind == FailureKind::CertificateRejected
                && tls_clients.is_empty()
                && let [sole] = seen
            {
                let hint = Attributed {
                    tally: *tally,
                    candidates: 1,
                    address_clients,
                    client_continued: true,
                    hint_only: true,
                };
                sole_client_hints.push((*sole, finding, hint));
            }
        }
        if stats.abandoned.count > 0 {
            let finding = Finding::Abandoned {
                host: address.host.clone(),
            };
            give(
                tls_clients.clone(),
                address_clients,
                unknown_client(address, UNKNOWN, UNKNOWN, UNKNOWN),
                finding,
                stats.abandoned,
            );
        }
        for (attempt, tally) in &stats.rejections {
            let same_login: Vec<usize> = seen
                .iter()
                .copied()
                .filter(|&i| {
                    let k = &clients[i].0;
                    k.user == attempt.user
                        && (attempt.database == UNKNOWN || k.database == attempt.database)
                        && (attempt.application == UNKNOWN || k.application == attempt.application)
                })
                .collect();
            let database = if attempt.database.is_empty() {
                UNKNOWN
            } else {
                &attempt.database
            };
            let finding = Finding::Rejected {
                host: address.host.clone(),
                attempt: attempt.clone(),
            };
            give(
                same_login,
                address_clients,
                unknown_client(address, &attempt.user, database, &attempt.application),
                finding,
                *tally,
            );
        }
    }
    // An orphan's row may be a known client's (one without an address
    // shares the empty one): look among the clients of its address.
    let orphan_findings: Vec<(Option<usize>, ClientKey, Finding, Tally, usize)> = orphan_findings
        .into_iter()
        .map(|(key, finding, tally, address_clients)| {
            let known = by_address
                .get(&(key.instance.as_str(), key.client_host.as_str()))
                .and_then(|members| members.iter().copied().find(|&i| clients[i].0 == key));
            (known, key, finding, tally, address_clients)
        })
        .collect();
    drop(by_address);
    for (i, (_, attribution)) in clients.iter_mut().enumerate() {
        attribution.address_clients = address_clients_of[i];
        attribution.consistent_fallbacks = consistent_of[i];
    }
    for (i, finding, attributed) in given.into_iter().chain(sole_client_hints) {
        clients[i].1.findings.push((finding, attributed));
    }
    // Findings no known client can have caused: a row of their own per
    // (address, user, database, application) they name.
    let mut orphans: HashMap<ClientKey, usize> = HashMap::default();
    for (known, key, finding, tally, address_clients) in orphan_findings {
        let attributed = Attributed {
            tally,
            candidates: 0,
            address_clients,
            client_continued: false,
            hint_only: false,
        };
        let at = match known.or_else(|| orphans.get(&key).copied()) {
            Some(at) => at,
            None => {
                orphans.insert(key.clone(), clients.len());
                clients.push((key, Attribution::default()));
                clients.len() - 1
            }
        };
        clients[at].1.findings.push((finding, attributed));
    }
    clients
}
