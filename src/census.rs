//! Per-client aggregation: what was seen of each client (instance, user,
//! database, application, address) and of each client address. Memory grows
//! with the number of distinct clients, never with the input.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rustc_hash::{FxBuildHasher, FxHashMap};
use serde::{Deserialize, Serialize};

use sslcensus_parsers::observation::{FailureKind, HbaTransport};
use sslcensus_parsers::{Engine, Millis, same_bytes};

/// The finest grain sslcensus keeps; reports group these (`--group-by`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ClientKey {
    pub instance: String,
    pub engine: Engine,
    pub user: String,
    pub database: String,
    pub application: String,
    pub client_host: String,
}

/// A [`ClientKey`] of borrowed text, to look a client up without copying
/// its key. Its fields are in `ClientKey`'s order, so both hash alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKeyRef<'a> {
    pub instance: &'a str,
    pub engine: Engine,
    pub user: &'a str,
    pub database: &'a str,
    pub application: &'a str,
    pub client_host: &'a str,
}

impl ClientKey {
    /// The key as borrowed text.
    pub fn as_ref_key(&self) -> ClientKeyRef<'_> {
        ClientKeyRef {
            instance: &self.instance,
            engine: self.engine,
            user: &self.user,
            database: &self.database,
            application: &self.application,
            client_host: &self.client_host,
        }
    }
}

impl ClientKeyRef<'_> {
    pub fn to_key(self) -> ClientKey {
        ClientKey {
            instance: self.instance.to_string(),
            engine: self.engine,
            user: self.user.to_string(),
            database: self.database.to_string(),
            application: self.application.to_string(),
            client_host: self.client_host.to_string(),
        }
    }
}

impl hashbrown::Equivalent<Arc<ClientKey>> for ClientKeyRef<'_> {
    fn equivalent(&self, key: &Arc<ClientKey>) -> bool {
        // In place, not a memcmp call per field: this runs at every login.
        let same = |a: &str, b: &str| same_bytes(a.as_bytes(), b.as_bytes());
        self.engine == key.engine
            && same(self.client_host, &key.client_host)
            && same(self.application, &key.application)
            && same(self.user, &key.user)
            && same(self.database, &key.database)
            && same(self.instance, &key.instance)
    }
}

/// The clients, by key. Keys are shared (`Arc`): a session in progress
/// holds its client's key without a copy of its text.
pub type Clients = hashbrown::HashMap<Arc<ClientKey>, Box<ClientStats>, FxBuildHasher>;

/// Shown where the logs cannot tell a field (a failed handshake happens
/// before the client names its user, database or application).
pub const UNKNOWN: &str = "[unknown]";

/// A first/last time window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub first: Option<Millis>,
    pub last: Option<Millis>,
}

impl Span {
    pub fn see(&mut self, time: Option<Millis>) {
        if let Some(t) = time {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
    }

    pub fn merge(&mut self, other: Span) {
        self.see(other.first);
        self.see(other.last);
    }
}

/// A count of events and when they happened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub count: u64,
    pub span: Span,
}

impl Tally {
    pub fn add(&mut self, time: Option<Millis>) {
        self.count += 1;
        self.span.see(time);
    }

    pub fn merge(&mut self, other: Tally) {
        self.count += other.count;
        self.span.merge(other.span);
    }
}

/// What happened per UTC day (the HTML report's timelines): a sorted
/// vector of (day since the epoch, counts), since most clients are seen on
/// a few days and a map's node would cost more than the counts; the first
/// day is held inline, so a client of one day costs no allocation. Memory
/// grows with clients × days, never with input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Days(smallvec::SmallVec<[(i32, DayCounts); 1]>);

/// One day's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCounts {
    pub tls: u64,
    pub plain: u64,
    /// Failed TLS handshakes (addresses only).
    pub failures: u64,
}

impl DayCounts {
    /// `n` TLS sessions.
    pub fn tls(n: u64) -> DayCounts {
        DayCounts {
            tls: n,
            ..DayCounts::default()
        }
    }

    /// `n` plaintext sessions.
    pub fn plain(n: u64) -> DayCounts {
        DayCounts {
            plain: n,
            ..DayCounts::default()
        }
    }

    /// `n` failed handshakes.
    pub fn failures(n: u64) -> DayCounts {
        DayCounts {
            failures: n,
            ..DayCounts::default()
        }
    }

    fn merge(&mut self, other: DayCounts) {
        self.tls += other.tls;
        self.plain += other.plain;
        self.failures += other.failures;
    }
}

const DAY_MS: Millis = 86_400_000;

impl Days {
    /// Adds to the day of `time` (nothing without a time).
    pub fn add(&mut self, time: Option<Millis>, counts: DayCounts) {
        if let Some(t) = time {
            self.add_day(t.div_euclid(DAY_MS) as i32, counts);
        }
    }

    pub fn add_day(&mut self, day: i32, counts: DayCounts) {
        match self.0.binary_search_by_key(&day, |(d, _)| *d) {
            Ok(at) => self.0[at].1.merge(counts),
            Err(at) => {
                self.0.reserve_exact(1);
                self.0.insert(at, (day, counts));
            }
        }
    }

    /// Takes back one session counted on the day of `time` (a MySQL
    /// `Connect` turned away, a TLS reading that was a name).
    pub fn take_one(&mut self, time: Option<Millis>, tls: bool) {
        let Some(t) = time else { return };
        let day = t.div_euclid(DAY_MS) as i32;
        if let Ok(at) = self.0.binary_search_by_key(&day, |(d, _)| *d) {
            let counts = &mut self.0[at].1;
            let slot = if tls {
                &mut counts.tls
            } else {
                &mut counts.plain
            };
            *slot = slot.saturating_sub(1);
            if *counts == DayCounts::default() {
                self.0.remove(at);
            }
        }
    }

    /// Forgets every day, keeping the room.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn merge(&mut self, other: &Days) {
        for &(day, counts) in &other.0 {
            self.add_day(day, counts);
        }
    }

    /// (day since the epoch, counts), in day order.
    pub fn iter(&self) -> impl Iterator<Item = (i32, DayCounts)> + '_ {
        self.0.iter().copied()
    }

    /// The midnight of a day, in milliseconds.
    pub fn midnight(day: i32) -> Millis {
        Millis::from(day) * DAY_MS
    }
}

/// A day since the epoch as `YYYY-MM-DD`.
pub fn day_text(day: i32) -> String {
    chrono::DateTime::from_timestamp_millis(Days::midnight(day))
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Counts of a few distinct texts (TLS versions, ciphers, authentication
/// methods: a client uses one or two), sorted by text. A sorted vector,
/// because a map's node costs hundreds of bytes per client and a count
/// is looked up by `&str` without building a key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts(Vec<(Box<str>, u64)>);

impl Counts {
    pub fn add(&mut self, text: &str, n: u64) {
        // Most clients have one text of each kind (one cipher, one TLS
        // version): an equality test of it costs less than a search's
        // ordered comparisons.
        if let Some((first, count)) = self.0.first_mut()
            && same_bytes(first.as_bytes(), text.as_bytes())
        {
            *count += n;
            return;
        }
        match self.0.binary_search_by(|(t, _)| t.as_ref().cmp(text)) {
            Ok(at) => self.0[at].1 += n,
            Err(at) => {
                // One slot at a time: a client has one or two of each, and
                // a growing vector's spare room would be most of its memory.
                self.0.reserve_exact(1);
                self.0.insert(at, (text.into(), n));
            }
        }
    }

    /// Takes one count back, forgetting the text at zero.
    pub fn take_one(&mut self, text: &str) {
        if let Ok(at) = self.0.binary_search_by(|(t, _)| t.as_ref().cmp(text)) {
            self.0[at].1 -= 1;
            if self.0[at].1 == 0 {
                self.0.remove(at);
            }
        }
    }

    #[cfg(test)]
    pub fn get(&self, text: &str) -> Option<u64> {
        self.0
            .binary_search_by(|(t, _)| t.as_ref().cmp(text))
            .ok()
            .map(|at| self.0[at].1)
    }

    /// The texts and their counts, sorted by text.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.0.iter().map(|(t, n)| (t.as_ref(), *n))
    }

    /// The texts, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(t, _)| t.as_ref())
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Forgets every text, keeping the room.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn merge(&mut self, other: &Counts) {
        for (text, n) in &other.0 {
            self.add(text, *n);
        }
    }
}

fn merge_tallies<K: Ord + Clone>(into: &mut BTreeMap<K, Tally>, from: &BTreeMap<K, Tally>) {
    for (k, t) in from {
        into.entry(k.clone()).or_default().merge(*t);
    }
}

/// The raw application names behind a family: how many distinct ones (by
/// hash, so memory stays at a few bytes per name) and a few examples for
/// the analyst to find the processes by.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RawNames {
    #[serde(with = "crate::state::sorted_set")]
    hashes: rustc_hash::FxHashSet<u64>,
    examples: Vec<String>,
    /// How many examples to keep (`--keep-raw-names`: all).
    keep: usize,
}

impl RawNames {
    /// Examples kept per client unless all are asked for.
    pub const EXAMPLES: usize = 3;

    /// Notes a raw name; keeps up to `keep` examples (the smallest, so the
    /// result does not depend on the order chunks are merged in).
    pub fn see(&mut self, name: &str, keep: usize) {
        use std::hash::BuildHasher;
        self.keep = self.keep.max(keep);
        if self.hashes.insert(rustc_hash::FxBuildHasher.hash_one(name)) {
            self.add_example(name);
        }
    }

    fn add_example(&mut self, name: &str) {
        if let Err(at) = self.examples.binary_search_by(|e| e.as_str().cmp(name))
            && at < self.keep
        {
            self.examples.reserve_exact(1);
            self.examples.insert(at, name.to_string());
            self.examples.truncate(self.keep);
        }
    }

    /// Forgets every name, keeping the room.
    pub fn clear(&mut self) {
        self.hashes.clear();
        self.examples.clear();
        self.keep = 0;
    }

    pub fn merge(&mut self, other: &RawNames) {
        self.merge_parts(
            other.keep,
            other.hashes.iter().copied(),
            other.examples.iter().map(String::as_str),
        );
    }

    /// Merges a `RawNames` given by its parts ([`Self::keep`],
    /// [`Self::hashes`], [`Self::examples`]), as a partial file holds them.
    pub fn merge_parts<'a>(
        &mut self,
        keep: usize,
        hashes: impl IntoIterator<Item = u64>,
        examples: impl IntoIterator<Item = &'a str>,
    ) {
        self.keep = self.keep.max(keep);
        self.hashes.extend(hashes);
        for name in examples {
            self.add_example(name);
        }
    }

    /// How many examples are kept.
    pub fn keep(&self) -> usize {
        self.keep
    }

    /// The names' hashes (FxHash of the raw name), in no order.
    pub fn hashes(&self) -> impl Iterator<Item = u64> + '_ {
        self.hashes.iter().copied()
    }

    pub fn count(&self) -> u64 {
        self.hashes.len() as u64
    }

    pub fn examples(&self) -> &[String] {
        &self.examples
    }
}

/// Everything seen of one client's sessions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientStats {
    pub seen: Span,
    pub sessions: u64,
    pub tls_sessions: u64,
    pub plain_sessions: u64,
    /// Sessions encrypted with GSSAPI instead of TLS (no certificate involved).
    pub gss_sessions: u64,
    pub replication_sessions: u64,
    /// Sessions (counted in `sessions` too) whose log does not say whether
    /// they used TLS (audit logs).
    pub unknown_transport_sessions: u64,
    /// TLS sessions of a protocol that always verifies (Oracle TCPS).
    pub verifying_protocol_sessions: u64,
    pub tls_versions: Counts,
    pub ciphers: Counts,
    pub auth_methods: Counts,
    pub disconnections: u64,
    pub session_millis: u64,
    /// Plaintext sessions that followed a certificate rejection from the same
    /// address within a second: libpq's `sslmode=prefer` fallback.
    pub prefer_fallbacks: Tally,
    /// Plaintext PostgreSQL sessions over TCP whose line gives no time or no
    /// client address (a log read message-only, a prefix without `%t`):
    /// whether each was an `sslmode=prefer` fallback after a certificate
    /// rejection cannot be told, so they prove no "no TLS".
    pub unchecked_plaintext: u64,
    /// Sessions counted by CloudWatch Logs Insights (`--insights`): lines
    /// counted, not tied by pid (counted in `sessions` too).
    pub pushdown_sessions: u64,
    /// Sessions whose application name holds text shaped like the SSL clause.
    pub ambiguous_tls: u64,
    /// Plaintext sessions whose name imitates the SSL clause, told apart by
    /// the stored name on their later lines.
    pub clause_imitations: u64,
    /// The raw application names of the client's family.
    pub raw_names: RawNames,
    /// What session dumps showed of the client, by view (`pg_stat_ssl`).
    /// Kept apart from the logs' counts: a sampler sees only the sessions
    /// open at capture time, and a session both logged and captured would
    /// otherwise count twice (and thin out the logs' fallback pattern).
    pub captured: BTreeMap<String, CapturedStats>,
    /// The client drivers the dumps name (connect attributes, SQL Server's
    /// client_interface_name, a driver's default application_name), by
    /// sessions.
    pub drivers: Counts,
    /// Sessions per day, TLS and plaintext (logs only).
    pub days: Days,
}

/// The sessions of one client that one view showed, each counted once
/// however many captures it was open in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CapturedStats {
    pub sessions: u64,
    pub tls_sessions: u64,
    pub plain_sessions: u64,
    /// SQL Server `encrypt_option = FALSE`: TLS for the login only.
    pub login_only_sessions: u64,
    /// The view does not say (PROCESSLIST).
    pub unknown_transport_sessions: u64,
    /// Sessions with a client certificate (mutual TLS: the server checked
    /// the client).
    pub client_certificates: u64,
    pub tls_versions: Counts,
    pub ciphers: Counts,
    /// The captures the client was seen in: (instance tag, capture number).
    pub captures: BTreeSet<(u64, u32)>,
    /// When those captures were taken.
    pub span: Span,
}

impl CapturedStats {
    pub fn merge(&mut self, other: &CapturedStats) {
        self.sessions += other.sessions;
        self.tls_sessions += other.tls_sessions;
        self.plain_sessions += other.plain_sessions;
        self.login_only_sessions += other.login_only_sessions;
        self.unknown_transport_sessions += other.unknown_transport_sessions;
        self.client_certificates += other.client_certificates;
        self.tls_versions.merge(&other.tls_versions);
        self.ciphers.merge(&other.ciphers);
        self.captures.extend(other.captures.iter().copied());
        self.span.merge(other.span);
    }
}

impl ClientStats {
    pub fn merge(&mut self, other: &ClientStats) {
        self.seen.merge(other.seen);
        self.sessions += other.sessions;
        self.tls_sessions += other.tls_sessions;
        self.plain_sessions += other.plain_sessions;
        self.gss_sessions += other.gss_sessions;
        self.replication_sessions += other.replication_sessions;
        self.unknown_transport_sessions += other.unknown_transport_sessions;
        self.verifying_protocol_sessions += other.verifying_protocol_sessions;
        self.tls_versions.merge(&other.tls_versions);
        self.ciphers.merge(&other.ciphers);
        self.auth_methods.merge(&other.auth_methods);
        self.disconnections += other.disconnections;
        self.session_millis += other.session_millis;
        self.prefer_fallbacks.merge(other.prefer_fallbacks);
        self.unchecked_plaintext += other.unchecked_plaintext;
        self.pushdown_sessions += other.pushdown_sessions;
        self.ambiguous_tls += other.ambiguous_tls;
        self.clause_imitations += other.clause_imitations;
        self.raw_names.merge(&other.raw_names);
        for (source, captured) in &other.captured {
            self.captured
                .entry(source.clone())
                .or_default()
                .merge(captured);
        }
        self.drivers.merge(&other.drivers);
        self.days.merge(&other.days);
    }

    /// Back to [`ClientStats::default`], keeping the room its tables had:
    /// a chunk's reused client record ([`Census::merge_clearing`]). Every
    /// field is named, so a new one cannot be left uncleared.
    pub fn clear(&mut self) {
        let ClientStats {
            seen,
            sessions,
            tls_sessions,
            plain_sessions,
            gss_sessions,
            replication_sessions,
            unknown_transport_sessions,
            verifying_protocol_sessions,
            tls_versions,
            ciphers,
            auth_methods,
            disconnections,
            session_millis,
            prefer_fallbacks,
            unchecked_plaintext,
            pushdown_sessions,
            ambiguous_tls,
            clause_imitations,
            raw_names,
            captured,
            drivers,
            days,
        } = self;
        *seen = Span::default();
        *sessions = 0;
        *tls_sessions = 0;
        *plain_sessions = 0;
        *gss_sessions = 0;
        *replication_sessions = 0;
        *unknown_transport_sessions = 0;
        *verifying_protocol_sessions = 0;
        *disconnections = 0;
        *session_millis = 0;
        *unchecked_plaintext = 0;
        *pushdown_sessions = 0;
        *ambiguous_tls = 0;
        *clause_imitations = 0;
        for counts in [tls_versions, ciphers, auth_methods, drivers] {
            counts.clear();
        }
        *prefer_fallbacks = Tally::default();
        raw_names.clear();
        captured.clear();
        days.clear();
    }

    /// Every view's captured sessions together.
    pub fn captured_total(&self) -> CapturedStats {
        let mut total = CapturedStats::default();
        for captured in self.captured.values() {
            total.merge(captured);
        }
        total
    }

    /// Whether a log or a dump showed the client using TLS.
    pub fn tls_seen(&self) -> bool {
        self.tls_sessions > 0 || self.captured.values().any(|c| c.tls_sessions > 0)
    }

    /// Sessions whose transport the logs tell.
    pub fn known_transport_sessions(&self) -> u64 {
        self.sessions - self.unknown_transport_sessions
    }
}

/// Why a connection attempt was turned away before a session existed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Rejection {
    /// pg_hba.conf had no entry for this transport.
    Hba,
    /// `<method> authentication failed`, MySQL `Access denied`.
    Authentication(String),
    /// Refused for another reason (an Oracle TNS error).
    Refused(String),
}

/// How an attempt or session travelled, as a map key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TransportKey {
    Tls,
    Gss,
    Plain,
    Unknown,
}

impl From<HbaTransport> for TransportKey {
    fn from(t: HbaTransport) -> Self {
        match t {
            HbaTransport::Tls => TransportKey::Tls,
            HbaTransport::Gss => TransportKey::Gss,
            HbaTransport::Plain => TransportKey::Plain,
            HbaTransport::Unknown => TransportKey::Unknown,
        }
    }
}

/// Rejected attempts carry a user (and usually a database); the
/// application only where the record names it (Oracle `PROGRAM`), else
/// [`UNKNOWN`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RejectedAttempt {
    pub user: String,
    pub database: String,
    pub application: String,
    pub transport: TransportKey,
    pub rejection: Rejection,
}

/// What was seen of one client address before any session existed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AddressStats {
    /// Failed TLS handshakes by kind and the server's reason text.
    #[serde(with = "crate::state::pairs")]
    pub handshake_failures: BTreeMap<(FailureKind, String), Tally>,
    /// `connection received` with nothing after it from the same backend.
    pub abandoned: Tally,
    #[serde(with = "crate::state::pairs")]
    pub rejections: BTreeMap<RejectedAttempt, Tally>,
    /// Failed TLS handshakes per day.
    pub failure_days: Days,
}

impl AddressStats {
    pub fn merge(&mut self, other: &AddressStats) {
        merge_tallies(&mut self.handshake_failures, &other.handshake_failures);
        self.abandoned.merge(other.abandoned);
        merge_tallies(&mut self.rejections, &other.rejections);
        self.failure_days.merge(&other.failure_days);
    }
}

/// Identifies a client address on one instance.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AddressKey {
    pub instance: String,
    pub engine: Engine,
    pub host: String,
}

/// Counts that belong to no client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmatched {
    /// `disconnection` lines whose session started before the logs begin.
    pub disconnections: u64,
}

/// The aggregate of everything read (written in the `--state` file as
/// sorted lists of key and value).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Census {
    /// Boxed: a table of 100,000s of clients moves only keys and pointers
    /// when it grows, and its empty slots cost a pointer, not a record.
    #[serde(with = "crate::state::pairs")]
    pub clients: Clients,
    #[serde(with = "crate::state::pairs")]
    pub addresses: FxHashMap<AddressKey, AddressStats>,
    pub unmatched: Unmatched,
}

impl Census {
    pub fn merge(&mut self, mut other: Census) {
        // Merge the smaller into the larger: the first merge into an empty
        // census is a move, and a large map is never copied entry by entry.
        if other.clients.len() > self.clients.len() {
            std::mem::swap(&mut self.clients, &mut other.clients);
        }
        if other.addresses.len() > self.addresses.len() {
            std::mem::swap(&mut self.addresses, &mut other.addresses);
        }
        for (key, stats) in other.clients {
            match self.clients.get_mut(&key) {
                Some(mine) => mine.merge(&stats),
                None => {
                    self.clients.insert(key, stats);
                }
            }
        }
        for (key, stats) in other.addresses {
            self.addresses.entry(key).or_default().merge(&stats);
        }
        self.unmatched.disconnections += other.unmatched.disconnections;
    }

    /// Merges a chunk's client table in and clears it for the next chunk,
    /// keeping its keys and records: a chunk's clients are mostly the last
    /// one's, and making each key and record anew, then merging and freeing
    /// it, cost a tenth of a connection-heavy log's time. Records still
    /// [`ClientStats::default`] were not touched by the chunk and are passed
    /// over.
    pub fn merge_clearing(&mut self, chunk: &mut Clients) {
        let untouched = ClientStats::default();
        for (key, stats) in chunk.iter_mut() {
            if **stats == untouched {
                continue;
            }
            match self.clients.get_mut(key) {
                Some(mine) => {
                    mine.merge(stats);
                    stats.clear();
                }
                None => {
                    self.clients
                        .insert(Arc::clone(key), Box::new(std::mem::take(&mut **stats)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record with every field set, as a chunk may leave it.
    fn busy_stats() -> ClientStats {
        let mut stats = ClientStats {
            sessions: 3,
            tls_sessions: 2,
            plain_sessions: 1,
            gss_sessions: 1,
            replication_sessions: 1,
            unknown_transport_sessions: 1,
            verifying_protocol_sessions: 1,
            disconnections: 2,
            session_millis: 1500,
            unchecked_plaintext: 1,
            pushdown_sessions: 1,
            ambiguous_tls: 1,
            clause_imitations: 1,
            ..ClientStats::default()
        };
        stats.seen.see(Some(1_000));
        stats.tls_versions.add("TLSv1.3", 2);
        stats.ciphers.add("TLS_AES_256_GCM_SHA384", 2);
        stats.auth_methods.add("scram-sha-256", 3);
        stats.drivers.add("libpq", 1);
        stats.prefer_fallbacks.add(Some(1_000));
        stats
            .raw_names
            .see("puma: cluster worker 0: 4616 [myapp]", 3);
        stats
            .captured
            .insert("pg_stat_ssl".into(), CapturedStats::default());
        stats.days.add(Some(1_000), DayCounts::tls(2));
        stats
    }

    #[test]
    fn a_cleared_record_is_a_new_one() {
        let mut stats = busy_stats();
        stats.clear();
        assert_eq!(stats, ClientStats::default());
    }

    #[test]
    fn a_chunk_table_merges_its_touched_records_and_keeps_its_keys_cleared() {
        let key = |application: &str| {
            Arc::new(ClientKey {
                instance: "db".into(),
                engine: Engine::Postgres,
                user: "app".into(),
                database: "shop".into(),
                application: application.into(),
                client_host: "10.0.0.1".into(),
            })
        };
        let mut census = Census::default();
        census.clients.insert(key("known"), Box::new(busy_stats()));
        let mut chunk = Clients::default();
        chunk.insert(key("known"), Box::new(busy_stats()));
        chunk.insert(key("new"), Box::new(busy_stats()));
        chunk.insert(key("untouched"), Box::default());
        census.merge_clearing(&mut chunk);

        let mut twice = busy_stats();
        twice.merge(&busy_stats());
        assert_eq!(*census.clients[&key("known")], twice);
        assert_eq!(*census.clients[&key("new")], busy_stats());
        assert!(!census.clients.contains_key(&key("untouched")));
        assert_eq!(chunk.len(), 3, "the chunk keeps its keys");
        assert!(
            chunk
                .values()
                .all(|stats| **stats == ClientStats::default())
        );
    }

    #[test]
    fn spans_and_tallies_merge_to_the_widest_window() {
        let mut a = Tally::default();
        a.add(Some(10));
        a.add(None);
        let mut b = Tally::default();
        b.add(Some(5));
        b.add(Some(30));
        a.merge(b);
        assert_eq!(a.count, 4);
        assert_eq!((a.span.first, a.span.last), (Some(5), Some(30)));
    }

    #[test]
    fn counts_stay_sorted_and_forget_zeroes() {
        let mut a = Counts::default();
        for text in ["TLSv1.3", "TLSv1.2", "TLSv1.3"] {
            a.add(text, 1);
        }
        let mut b = Counts::default();
        b.add("TLSv1", 4);
        a.merge(&b);
        assert_eq!(
            a.keys().collect::<Vec<_>>(),
            ["TLSv1", "TLSv1.2", "TLSv1.3"]
        );
        assert_eq!(a.get("TLSv1.3"), Some(2));
        // The first text, counted without a search.
        a.add("TLSv1", 1);
        assert_eq!(a.get("TLSv1"), Some(5));
        a.take_one("TLSv1.2");
        a.take_one("absent");
        assert_eq!(a.get("TLSv1.2"), None);
        assert_eq!(a.keys().count(), 2);
    }

    #[test]
    fn a_borrowed_key_finds_its_client() {
        let key = ClientKey {
            instance: "db".into(),
            engine: Engine::Mysql,
            user: "u".into(),
            database: "d".into(),
            application: "app".into(),
            client_host: "10.0.0.1".into(),
        };
        let borrowed = ClientKeyRef {
            instance: "db",
            engine: Engine::Mysql,
            user: "u",
            database: "d",
            application: "app",
            client_host: "10.0.0.1",
        };
        let mut clients = Clients::default();
        clients.insert(Arc::new(key.clone()), Box::default());
        assert!(clients.get(&borrowed).is_some());
        assert!(clients.get(&key).is_some());
        assert_eq!(borrowed.to_key(), key);
        let other = ClientKeyRef {
            user: "v",
            ..borrowed
        };
        assert!(clients.get(&other).is_none());
    }

    #[test]
    fn merging_either_way_gives_the_same_census() {
        let census = |clients: &[(&str, u64)]| {
            let mut c = Census::default();
            for (app, sessions) in clients {
                let key = ClientKey {
                    instance: "db".into(),
                    engine: Engine::Postgres,
                    user: "u".into(),
                    database: "d".into(),
                    application: app.to_string(),
                    client_host: "10.0.0.1".into(),
                };
                let stats = ClientStats {
                    sessions: *sessions,
                    ..ClientStats::default()
                };
                c.clients.insert(Arc::new(key), Box::new(stats));
            }
            c
        };
        let small = [("a", 1)];
        let large = [("a", 2), ("b", 3), ("c", 4)];
        let mut one = census(&small);
        one.merge(census(&large));
        let mut other = census(&large);
        other.merge(census(&small));
        for c in [&one, &other] {
            let mut sessions: Vec<(String, u64)> = c
                .clients
                .iter()
                .map(|(k, s)| (k.application.clone(), s.sessions))
                .collect();
            sessions.sort();
            assert_eq!(
                sessions,
                [("a".into(), 3), ("b".into(), 3), ("c".into(), 4)]
            );
        }
    }
}
