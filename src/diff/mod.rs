//! `sslcensus diff`: what changed for each client between two censuses —
//! two reports, or two windows of the same logs split at a time T (a
//! staging instance rotated to a new CA at T). Deciding is here, a pure
//! function of the two sets of rows; reading reports is `read.rs`, wording
//! and writing `write.rs`.
//!
//! A client that verifies the server certificate and lacks the new CA is
//! turned away at the handshake: the server logs a certificate rejection
//! and, as no session was authorized, no name — the rejection lands on an
//! `[unknown]` row of its address, and the client's own row is gone.
//! Such a row is tied back, by instance and address, to the clients of
//! that address that used TLS before and no longer do.

pub mod read;
pub mod write;

use std::collections::{BTreeMap, BTreeSet};

use crate::census::UNKNOWN;

/// One client row of a census, as a report gives it (list columns are
/// their `;`-joined text; the hosts are kept apart to tie rows by address).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientRow {
    pub instance: String,
    pub user: String,
    pub database: String,
    pub application: String,
    pub hosts: Vec<String>,
    pub counts: Counts,
}

/// What a client did in one census.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub sessions: u64,
    pub tls_sessions: u64,
    pub plain_sessions: u64,
    /// Failed handshakes attributed to the client (certificate rejections
    /// among them).
    pub handshake_failures: u64,
    /// The report proved it verifies (a rejection, or a prefer fallback).
    pub verifies: bool,
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.sessions += other.sessions;
        self.tls_sessions += other.tls_sessions;
        self.plain_sessions += other.plain_sessions;
        self.handshake_failures += other.handshake_failures;
        self.verifies |= other.verifies;
    }

    /// Turned away at the handshake.
    fn rejects(&self) -> bool {
        self.handshake_failures > 0
    }
}

/// A kind of change, in the order they are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Failed handshakes after, none before (or proven to verify only
    /// after): it verifies, and its trust store lacks the new CA.
    StartedFailing,
    /// Failed handshakes before and after: it rejects the certificate it
    /// is shown now, whatever it did before (a rejection in the second
    /// before T is read by both windows).
    StillFailing,
    /// Used TLS before, only plaintext after: an `sslmode=prefer` client
    /// dropping TLS.
    TlsToPlaintext,
    PlaintextToTls,
    /// Sessions before, none after, while its address is still seen: it
    /// may be failing in a way the server does not log as a rejection.
    StoppedConnecting,
    /// Sessions before, nothing at all after.
    GoneClient,
    /// Only after.
    NewClient,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::StartedFailing => "started_failing",
            Kind::StillFailing => "still_failing",
            Kind::TlsToPlaintext => "tls_to_plaintext",
            Kind::PlaintextToTls => "plaintext_to_tls",
            Kind::StoppedConnecting => "stopped_connecting",
            Kind::GoneClient => "gone_client",
            Kind::NewClient => "new_client",
        }
    }
}

/// How much a change matters for the rotation (`--fail-on`, as analyze's
/// verdicts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// It will break in production: fix its trust store first.
    Affected,
    /// It may be failing silently, or dropped TLS without a logged
    /// rejection: look at it.
    Review,
    /// Worth knowing, harmless to the rotation.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Affected => "affected",
            Severity::Review => "review",
            Severity::Info => "info",
        }
    }
}

/// One client that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub client: ClientRow,
    pub kinds: Vec<Kind>,
    pub severity: Severity,
    /// What it did before (None: a new client).
    pub before: Option<Counts>,
    /// What it did after (None: gone), `[unknown]` rows of its address
    /// tied to it included.
    pub after: Option<Counts>,
    /// `[unknown]` rows of its address (failed handshakes without a name)
    /// were tied to it.
    pub tied_by_address: bool,
}

fn is_nameless(row: &ClientRow) -> bool {
    row.application == UNKNOWN
}

type Key = (String, String, String, String, String);
type Name<'r> = (&'r str, &'r str, &'r str, &'r str);

fn name(row: &ClientRow) -> Name<'_> {
    (&row.instance, &row.user, &row.database, &row.application)
}

/// Names that hold several rows on one side: a report grouped by
/// client_host (or engine) lists a client once per address.
fn repeated_names<'r>(sides: [&'r [ClientRow]; 2]) -> BTreeSet<Name<'r>> {
    let mut repeated = BTreeSet::new();
    for rows in sides {
        let mut seen = BTreeSet::new();
        for row in rows.iter().filter(|r| !is_nameless(r)) {
            if !seen.insert(name(row)) {
                repeated.insert(name(row));
            }
        }
    }
    repeated
}

/// The row key: instance, user, database, application, and the hosts
/// where they tell rows apart (nameless rows, and names that repeat).
fn key(row: &ClientRow, repeated: &BTreeSet<Name<'_>>) -> Key {
    let hosts = if is_nameless(row) || repeated.contains(&name(row)) {
        row.hosts.join(";")
    } else {
        String::new()
    };
    (
        row.instance.clone(),
        row.user.clone(),
        row.database.clone(),
        row.application.clone(),
        hosts,
    )
}

/// One side's rows by key, repeated keys summed.
fn by_key(rows: &[ClientRow], repeated: &BTreeSet<Name<'_>>) -> BTreeMap<Key, ClientRow> {
    let mut map: BTreeMap<Key, ClientRow> = BTreeMap::new();
    for row in rows {
        match map.get_mut(&key(row, repeated)) {
            Some(held) => {
                held.counts.add(&row.counts);
                for h in &row.hosts {
                    if !held.hosts.contains(h) {
                        held.hosts.push(h.clone());
                    }
                }
            }
            None => {
                map.insert(key(row, repeated), row.clone());
            }
        }
    }
    map
}

fn shares_address(a: &ClientRow, b: &ClientRow) -> bool {
    a.instance == b.instance && a.hosts.iter().any(|h| !h.is_empty() && b.hosts.contains(h))
}

/// The changes from `before` to `after`, unchanged clients left out;
/// sorted by severity, then client.
pub fn diff(before: &[ClientRow], after: &[ClientRow]) -> Vec<Change> {
    let repeated = repeated_names([before, after]);
    let before = by_key(before, &repeated);
    let after = by_key(after, &repeated);

    // After-only nameless rows with failed handshakes, tied to the
    // clients of their address that used TLS before and none after.
    let mut tied: BTreeMap<&Key, Counts> = BTreeMap::new();
    let mut consumed: BTreeSet<&Key> = BTreeSet::new();
    for (akey, arow) in &after {
        if !is_nameless(arow) || before.contains_key(akey) || !arow.counts.rejects() {
            continue;
        }
        for (bkey, brow) in &before {
            let tls_after = after.get(bkey).map_or(0, |r| r.counts.tls_sessions);
            if !is_nameless(brow)
                && brow.counts.tls_sessions > 0
                && tls_after == 0
                && shares_address(brow, arow)
            {
                tied.entry(bkey).or_default().add(&arow.counts);
                consumed.insert(akey);
            }
        }
    }
    // After-only nameless rows without a rejection (a lone `connection
    // received`, a failed password) still show the address.
    let address_seen = |brow: &ClientRow| {
        after
            .values()
            .any(|arow| is_nameless(arow) && shares_address(brow, arow))
    };

    let mut changes = Vec::new();
    for (key, brow) in &before {
        let exact = after.get(key).map(|r| r.counts);
        let extra = tied.get(key).copied();
        let after_counts = match (exact, extra) {
            (None, None) => None,
            (a, t) => {
                let mut sum = a.unwrap_or_default();
                if let Some(t) = t {
                    sum.add(&t);
                }
                Some(sum)
            }
        };
        let kinds = match after_counts {
            Some(a) => compare(&brow.counts, &a),
            None if brow.counts.sessions > 0 && address_seen(brow) => {
                vec![Kind::StoppedConnecting]
            }
            None if brow.counts.sessions > 0 => vec![Kind::GoneClient],
            None => Vec::new(),
        };
        if kinds.is_empty() {
            continue;
        }
        let mut client = brow.clone();
        if let Some(arow) = after.get(key) {
            for h in &arow.hosts {
                if !client.hosts.contains(h) {
                    client.hosts.push(h.clone());
                }
            }
        }
        changes.push(change(
            client,
            kinds,
            Some(brow.counts),
            after_counts,
            extra.is_some(),
        ));
    }
    for (key, arow) in &after {
        if before.contains_key(key) || consumed.contains(key) {
            continue;
        }
        let mut kinds = vec![Kind::NewClient];
        if arow.counts.rejects() || arow.counts.verifies {
            kinds.push(Kind::StartedFailing);
        }
        changes.push(change(arow.clone(), kinds, None, Some(arow.counts), false));
    }
    changes.sort_by(|a, b| {
        (a.severity, &a.kinds, key_text(&a.client)).cmp(&(
            b.severity,
            &b.kinds,
            key_text(&b.client),
        ))
    });
    changes
}

fn key_text(row: &ClientRow) -> (&str, &str, &str, &str, String) {
    (
        &row.instance,
        &row.user,
        &row.database,
        &row.application,
        row.hosts.join(";"),
    )
}

/// The kinds of change of a client seen on both sides.
fn compare(before: &Counts, after: &Counts) -> Vec<Kind> {
    let mut kinds = Vec::new();
    match (before.rejects(), after.rejects()) {
        (false, true) => kinds.push(Kind::StartedFailing),
        (true, true) => kinds.push(Kind::StillFailing),
        // Proven to verify only after: a prefer fallback whose rejection
        // the report gave to another row.
        (false, false) if after.verifies && !before.verifies => kinds.push(Kind::StartedFailing),
        _ => {}
    }
    if before.tls_sessions > 0 && after.tls_sessions == 0 && after.plain_sessions > 0 {
        kinds.push(Kind::TlsToPlaintext);
    }
    if before.plain_sessions > 0 && before.tls_sessions == 0 && after.tls_sessions > 0 {
        kinds.push(Kind::PlaintextToTls);
    }
    if before.sessions > 0 && after.sessions == 0 && !kinds.contains(&Kind::StartedFailing) {
        kinds.push(Kind::StoppedConnecting);
    }
    kinds
}

fn change(
    client: ClientRow,
    mut kinds: Vec<Kind>,
    before: Option<Counts>,
    after: Option<Counts>,
    tied_by_address: bool,
) -> Change {
    kinds.sort();
    let proven = after.is_some_and(|a| a.rejects() || a.verifies);
    let severity = if kinds
        .iter()
        .any(|k| matches!(k, Kind::StartedFailing | Kind::StillFailing))
        || kinds.contains(&Kind::TlsToPlaintext) && proven
    {
        Severity::Affected
    } else if kinds.iter().any(|k| {
        matches!(
            k,
            Kind::TlsToPlaintext | Kind::StoppedConnecting | Kind::GoneClient
        )
    }) {
        Severity::Review
    } else {
        Severity::Info
    };
    Change {
        client,
        kinds,
        severity,
        before,
        after,
        tied_by_address,
    }
}

#[cfg(test)]
mod tests;
