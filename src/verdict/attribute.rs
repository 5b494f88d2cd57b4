//! Address-level findings (failed handshakes, abandoned handshakes,
//! rejected logins) happen before the server knows the client's user or
//! application: they are attributed to the clients seen from the same
//! address, with what the rules need to judge whether that attribution is
//! more than coincidence.

use std::collections::{HashMap, HashSet};

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
    pub stats: ClientStats,
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
/// address the log did not give is never attributed to a client.
pub fn attribute(census: &Census) -> HashMap<ClientKey, Attribution> {
    let mut by_address: HashMap<(&str, &str), Vec<&ClientKey>> = HashMap::new();
    for key in census.clients.keys() {
        by_address
            .entry((key.instance.as_str(), key.client_host.as_str()))
            .or_default()
            .push(key);
    }
    let mut clients: HashMap<ClientKey, Attribution> = census
        .clients
        .iter()
        .map(|(k, s)| {
            let address_clients = by_address
                .get(&(k.instance.as_str(), k.client_host.as_str()))
                .map_or(0, Vec::len);
            let consistent_fallbacks = fallback_is_consistent(&Fallbacks {
                tally: s.prefer_fallbacks,
                plain_sessions: s.plain_sessions,
                address_clients,
            });
            let attribution = Attribution {
                stats: s.clone(),
                findings: Vec::new(),
                address_clients,
                consistent_fallbacks,
            };
            (k.clone(), attribution)
        })
        .collect();
    // Clients that use TLS: only they can fail a handshake or abandon one
    // after a hostname check; a plaintext client whose "fallbacks" are
    // chance timing is not one of them.
    let uses_tls: HashSet<&ClientKey> = census
        .clients
        .iter()
        .filter(|(k, s)| s.tls_seen() || clients[*k].consistent_fallbacks)
        .map(|(k, _)| k)
        .collect();
    let mut orphan_findings: Vec<(ClientKey, Finding, Tally, usize)> = Vec::new();
    let mut sole_client_hints: Vec<(ClientKey, Finding, Attributed)> = Vec::new();
    let mut give = |targets: Vec<&ClientKey>,
                    address_clients: usize,
                    orphan: ClientKey,
                    finding: Finding,
                    tally: Tally| {
        if targets.is_empty() {
            orphan_findings.push((orphan, finding, tally, address_clients));
            return;
        }
        let candidates = targets.len();
        for key in targets {
            let entry = clients
                .get_mut(key)
                .expect("candidate keys come from the census");
            let continued = match (entry.stats.seen.last, tally.span.first) {
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
            entry.findings.push((finding.clone(), attributed));
        }
    };
    for (address, stats) in &census.addresses {
        // An empty host: the log did not say where the attempt came from
        // (an unrecognised prefix, a message without the address). Such a
        // finding could be anyone's.
        let seen = if address.host.is_empty() {
            &[][..]
        } else {
            by_address
                .get(&(address.instance.as_str(), address.host.as_str()))
                .map(Vec::as_slice)
                .unwrap_or_default()
        };
        let address_clients = seen.len();
        let tls_clients: Vec<&ClientKey> = seen
            .iter()
            .copied()
            .filter(|k| uses_tls.contains(k))
            .collect();
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
                finding,
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
                let finding = Finding::Handshake {
                    host: address.host.clone(),
                    kind: *kind,
                    reason: reason.clone(),
                };
                sole_client_hints.push(((*sole).clone(), finding, hint));
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
            let same_login: Vec<&ClientKey> = seen
                .iter()
                .copied()
                .filter(|k| {
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
    for (key, finding, hint) in sole_client_hints {
        if let Some(entry) = clients.get_mut(&key) {
            entry.findings.push((finding, hint));
        }
    }
    for (key, finding, tally, address_clients) in orphan_findings {
        let attributed = Attributed {
            tally,
            candidates: 0,
            address_clients,
            client_continued: false,
            hint_only: false,
        };
        clients
            .entry(key)
            .or_default()
            .findings
            .push((finding, attributed));
    }
    clients
}
