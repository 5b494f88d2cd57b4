//! Observations → sessions → census. Lines of one backend are tied together
//! by pid: the address from `connection received`, the identity and TLS from
//! `connection authorized`, the duration from `disconnection`.
//!
//! Chunks are read in parallel, so a chunk's correlator cannot know what the
//! chunks before it left open. It handles what it can alone and hands the rest
//! to the instance's stream correlator, which folds chunks in file order:
//! - the *head*: lines of pids that had no `connection received` yet in this
//!   chunk (their session began earlier); they are replayed in order;
//! - the *tail*: sessions still open at the chunk's end;
//! - plaintext sessions in the chunk's first second, which may be the
//!   `sslmode=prefer` fallback after a certificate rejection just before it.

use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, PoisonError};

use compact_str::CompactString;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::{Deserialize, Serialize};

use sslcensus_parsers::observation::Malformed;
use sslcensus_parsers::observation::{FailureKind, Gss, Message, Observation, Transport};
use sslcensus_parsers::{Engine, Millis, Sink};

use crate::census::{
    AddressKey, Census, ClientKey, ClientKeyRef, ClientStats, Clients, DayCounts, RejectedAttempt,
    Rejection, Span, TransportKey, UNKNOWN,
};
use crate::family::{Families, FamilyCache};

/// How long after a certificate rejection a plaintext session from the same
/// address counts as libpq's `sslmode=prefer` fallback.
const FALLBACK_WINDOW_MS: Millis = 1000;

/// PostgreSQL keeps names in NAMEDATALEN - 1 bytes; the stored
/// application_name (pg_stat_activity, `%a`, csvlog) is cut there.
const NAME_BYTES: usize = 63;

/// Cuts a name where the server does, on a character boundary.
pub fn stored_name(name: &str) -> &str {
    if name.len() <= NAME_BYTES {
        return name;
    }
    let mut end = NAME_BYTES;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// How a session or attempt travelled, as census keys say it.
fn transport_key(transport: Transport<'_>, gss: Option<&Gss>) -> TransportKey {
    match (transport, gss) {
        (Transport::Tls(_), _) => TransportKey::Tls,
        (Transport::Plain, Some(gss)) if gss.encrypted => TransportKey::Gss,
        (Transport::Plain, _) => TransportKey::Plain,
        (Transport::Unknown, _) => TransportKey::Unknown,
    }
}

/// What a backend pid is waiting for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Pending {
    /// `connection received` seen; the outcome not yet.
    Received {
        // Inline (an address, a method name fit): one is made per session.
        host: CompactString,
        time: Option<Millis>,
        method: Option<CompactString>,
    },
    /// Turned away; its closing line (MySQL `Quit`, audit `DISCONNECT`) is
    /// not a session's end.
    Rejected,
    /// Authorized; waiting for its `disconnection`.
    Session {
        key: Arc<ClientKey>,
        /// The key's hash in the census's client table, so the
        /// `disconnection` finds its client without hashing six fields again.
        #[serde(skip)]
        hash: KeyHash,
        start: Option<Millis>,
        transport: TransportKey,
        /// Set when the line also reads as a plaintext session whose name
        /// imitates the SSL clause; the stored name at the end decides.
        plaintext_reading: Option<PlaintextReading>,
    },
}

/// A client key's hash in [`Clients`], kept by an open session. A cache:
/// not saved with the state (a resumed session hashes its key again), and
/// never part of a session's equality.
#[derive(Debug, Clone, Copy, Default)]
pub struct KeyHash(Option<u64>);

impl PartialEq for KeyHash {
    fn eq(&self, _: &KeyHash) -> bool {
        true
    }
}

/// The other reading of a TLS `connection authorized` line: no TLS, and a
/// name that runs on through the clause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "ReadingFields", into = "ReadingFields")]
pub struct PlaintextReading {
    /// That name as the server stores it (cut at 63 bytes), then the
    /// clause's protocol and cipher, counted for the TLS reading: one
    /// allocation, made per TLS session with a name.
    text: Box<str>,
    name_end: u32,
    protocol_end: u32,
}

/// A [`PlaintextReading`] as the saved state writes it.
#[derive(Serialize, Deserialize)]
struct ReadingFields {
    name: String,
    protocol: String,
    cipher: String,
}

impl PlaintextReading {
    fn new(name: &str, protocol: &str, cipher: &str) -> PlaintextReading {
        let length = |text: &str| u32::try_from(text.len()).unwrap_or(u32::MAX);
        // Sized once: `into_boxed_str` then keeps the allocation.
        let mut text = String::with_capacity(name.len() + protocol.len() + cipher.len());
        text.push_str(name);
        text.push_str(protocol);
        text.push_str(cipher);
        PlaintextReading {
            text: text.into_boxed_str(),
            name_end: length(name),
            protocol_end: length(name).saturating_add(length(protocol)),
        }
    }

    fn name(&self) -> &str {
        self.text.get(..self.name_end as usize).unwrap_or_default()
    }

    fn protocol(&self) -> &str {
        let range = self.name_end as usize..self.protocol_end as usize;
        self.text.get(range).unwrap_or_default()
    }

    fn cipher(&self) -> &str {
        self.text
            .get(self.protocol_end as usize..)
            .unwrap_or_default()
    }
}

impl From<ReadingFields> for PlaintextReading {
    fn from(fields: ReadingFields) -> PlaintextReading {
        PlaintextReading::new(&fields.name, &fields.protocol, &fields.cipher)
    }
}

impl From<PlaintextReading> for ReadingFields {
    fn from(reading: PlaintextReading) -> ReadingFields {
        ReadingFields {
            name: reading.name().to_string(),
            protocol: reading.protocol().to_string(),
            cipher: reading.cipher().to_string(),
        }
    }
}

/// A line the scanner could not use, by byte offset in its chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The line announced a connection message but did not parse: skipped.
    Malformed(Malformed),
    /// The line was not UTF-8 and was read with replacement characters.
    InvalidUtf8,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EarlyPlaintext {
    host: String,
    time: Millis,
    key: Arc<ClientKey>,
}

/// The client of a key, added if new: only a new client's key is copied.
pub(crate) fn client<'c>(
    clients: &'c mut Clients,
    key: ClientKeyRef<'_>,
) -> (Arc<ClientKey>, &'c mut ClientStats) {
    let (shared, _, stats) = client_hashed(clients, key);
    (shared, stats)
}

/// [`client`], and the key's hash for finding it again with
/// [`client_of_session`].
fn client_hashed<'c>(
    clients: &'c mut Clients,
    key: ClientKeyRef<'_>,
) -> (Arc<ClientKey>, KeyHash, &'c mut ClientStats) {
    // `ClientKeyRef` hashes as its `ClientKey` does.
    let hash = clients.hasher().hash_one(key);
    let (shared, stats) = clients
        .raw_entry_mut()
        .from_key_hashed_nocheck(hash, &key)
        .or_insert_with(|| (Arc::new(key.to_key()), Box::default()));
    (Arc::clone(shared), KeyHash(Some(hash)), stats)
}

/// The client of an open session's key, added if gone: by the hash kept at
/// its login, and the key's pointer before its text.
fn client_of_session(
    clients: &mut Clients,
    key: Arc<ClientKey>,
    hash: KeyHash,
) -> &mut ClientStats {
    let hash = hash.0.unwrap_or_else(|| clients.hasher().hash_one(&key));
    let (_, stats) = clients
        .raw_entry_mut()
        .from_hash(hash, |k| Arc::ptr_eq(k, &key) || **k == *key)
        .or_insert_with(|| (key, Box::default()));
    stats
}

/// How much of what a log holds was connection records: what tells a log
/// that shows its clients from one that cannot (wrong format, wrong prefix,
/// connection logging off).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Connection records read (any connection message).
    pub records: u64,
    /// Connection records outside `--since`/`--until`, passed over.
    pub outside_window: u64,
    /// Of those, logins (`connection authorized`, `Connect`, `establish`):
    /// none means connection logging was off or not in this log.
    pub logins: u64,
    /// When the connection records were written.
    pub span: Span,
    /// Steps back in time: a record more than [`BACKWARDS_SLACK_MS`]
    /// before the record read just before it (in file order).
    pub backwards: u64,
    /// The first such step: (the time it went back to, the time before).
    pub first_backwards: Option<(Millis, Millis)>,
    /// The first and the latest time in file order, for merging in order.
    pub(crate) in_order: Option<(Millis, Millis)>,
}

/// Lines of different backends reach the log a little out of order; a
/// step back of more than this is a clock or a file order problem.
pub const BACKWARDS_SLACK_MS: Millis = 2_000;

impl Coverage {
    /// `other` comes after `self` in file order.
    pub fn merge(&mut self, other: Coverage) {
        self.records += other.records;
        self.outside_window += other.outside_window;
        self.logins += other.logins;
        self.span.merge(other.span);
        if let Some((first, latest)) = other.in_order {
            // The step at the boundary comes before any inside `other`.
            self.step_to(first);
            if let Some((_, mine)) = &mut self.in_order {
                *mine = latest;
            }
        }
        if self.first_backwards.is_none() {
            self.first_backwards = other.first_backwards;
        }
        self.backwards += other.backwards;
    }

    fn see(&mut self, obs: &Observation<'_>) {
        self.records += 1;
        self.logins += u64::from(matches!(obs.message, Message::Authorized(_)));
        self.span.see(obs.time);
        if let Some(t) = obs.time {
            self.step_to(t);
        }
    }

    /// Notes a time read after the ones before it.
    fn step_to(&mut self, t: Millis) {
        match &mut self.in_order {
            None => self.in_order = Some((t, t)),
            Some((_, last)) => {
                if t < *last - BACKWARDS_SLACK_MS {
                    self.backwards += 1;
                    if self.first_backwards.is_none() {
                        self.first_backwards = Some((t, *last));
                    }
                }
                *last = t;
            }
        }
    }
}

/// The time window of `--since`/`--until`: `[since, until)`, either end
/// open. A record without a time cannot be placed, and is kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub since: Option<Millis>,
    pub until: Option<Millis>,
}

impl Window {
    pub fn contains(&self, time: Option<Millis>) -> bool {
        let Some(t) = time else { return true };
        self.since.is_none_or(|since| t >= since) && self.until.is_none_or(|until| t < until)
    }

    pub fn is_set(&self) -> bool {
        self.since.is_some() || self.until.is_some()
    }
}

/// What a chunk leaves for the stream correlator.
#[derive(Debug, Default)]
pub struct ChunkOutcome {
    pub coverage: Coverage,
    pub census: Census,
    /// Offsets of lines to replay in the stream, in order.
    pub head: Vec<usize>,
    /// Pids that had a `connection received` in this chunk.
    pub reset: HashSet<u32>,
    pub tail: HashMap<u32, Pending>,
    pub cert_rejections: HashMap<String, Millis>,
    pub early_plaintext: Vec<EarlyPlaintext>,
    pub problems: Vec<(usize, Problem)>,
    family_names: FamilyCache,
}

/// What a chunk's correlator leaves to the next chunk's once the stream has
/// folded it: its client table (keys kept, records cleared), its families
/// cache and its pid tables' room. The chunks of one log mostly see the
/// same clients: making each client's key and record anew in every chunk,
/// then merging and freeing them, cost about a tenth of a connection-heavy
/// log's time at 4 MiB chunks (BENCHMARKS.md).
#[derive(Debug, Default)]
pub struct ChunkRoom {
    clients: Clients,
    family_names: FamilyCache,
    pending: HashMap<u32, Pending>,
    reset: HashSet<u32>,
}

impl ChunkRoom {
    /// A room keeping more clients than this is let go: the next chunk
    /// starts a table of its own rather than passing over a huge one.
    const MAX_CLIENTS: usize = 1 << 16;
}

/// The rooms of one stream's folded chunks, for its next chunks' correlators
/// on any thread.
#[derive(Debug, Default)]
pub struct ChunkRooms(Mutex<Vec<ChunkRoom>>);

impl ChunkRooms {
    /// A folded chunk's room, or a new one.
    pub fn take(&self) -> ChunkRoom {
        let mut rooms = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        rooms.pop().unwrap_or_else(|| ChunkRoom {
            // A chunk of a busy log opens thousands of sessions: growing
            // from empty rehashed each one several times.
            pending: HashMap::with_capacity_and_hasher(4096, Default::default()),
            ..ChunkRoom::default()
        })
    }

    /// Keeps a folded chunk's room for a later chunk.
    pub fn give(&self, room: ChunkRoom) {
        if room.clients.len() <= ChunkRoom::MAX_CLIENTS {
            let mut rooms = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            rooms.push(room);
        }
    }
}

/// What a stream's correlator holds between two runs (`--state`): the
/// census so far, before [`Correlator::finish`] calls a pending `connection
/// received` abandoned, the pids still waiting (open sessions, a
/// `connection received` awaiting its next line, pids turned away), and the
/// latest certificate rejection per address that the prefer-fallback rule
/// looks back at. Resumed, the next run's lines continue exactly where the
/// last one stopped.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OpenState {
    #[serde(with = "crate::state::pairs")]
    pending: HashMap<u32, Pending>,
    #[serde(with = "crate::state::pairs")]
    cert_rejections: HashMap<String, Millis>,
    census: Census,
}

#[derive(Debug, Default)]
struct Deferral {
    reset: HashSet<u32>,
    head: Vec<usize>,
    first_time: Option<Millis>,
    early_plaintext: Vec<EarlyPlaintext>,
}

/// Correlates the observations of one instance.
#[derive(Debug)]
pub struct Correlator {
    instance: String,
    engine: Engine,
    pending: HashMap<u32, Pending>,
    /// The latest certificate rejection per client address.
    cert_rejections: HashMap<String, Millis>,
    census: Census,
    coverage: Coverage,
    problems: Vec<(usize, Problem)>,
    /// Set for a chunk's correlator; `None` for the stream's.
    deferral: Option<Deferral>,
    /// Replayed lines were already checked when their chunk was scanned.
    replaying: bool,
    /// Application names become their families as sessions are counted.
    families: Arc<Families>,
    family_names: FamilyCache,
    /// Records outside it are passed over (counted in the coverage).
    window: Window,
    /// Whether the lines may carry the session's stored application name,
    /// the only thing a session's plaintext reading is compared with: where
    /// they cannot (RDS's prefix has no `%a`), no reading is kept.
    stored_names: bool,
}

impl Correlator {
    /// A correlator for one chunk, which defers what it cannot know, in
    /// the room an earlier chunk of the same stream left
    /// ([`Correlator::absorb`], [`ChunkRooms`]).
    pub fn for_chunk(instance: &str, engine: Engine, room: ChunkRoom) -> Correlator {
        let ChunkRoom {
            clients,
            family_names,
            pending,
            reset,
        } = room;
        debug_assert!(pending.is_empty() && reset.is_empty());
        Correlator {
            deferral: Some(Deferral {
                reset,
                ..Deferral::default()
            }),
            pending,
            census: Census {
                clients,
                ..Census::default()
            },
            family_names,
            ..Correlator::for_stream(instance, engine)
        }
    }

    /// The correlator of an instance's whole, ordered stream of lines.
    pub fn for_stream(instance: &str, engine: Engine) -> Correlator {
        Correlator {
            instance: instance.to_string(),
            engine,
            pending: HashMap::default(),
            cert_rejections: HashMap::default(),
            census: Census::default(),
            coverage: Coverage::default(),
            problems: Vec::new(),
            deferral: None,
            replaying: false,
            families: Arc::new(Families::off()),
            family_names: FamilyCache::default(),
            window: Window::default(),
            stored_names: true,
        }
    }

    /// A stream's correlator resumed where [`Correlator::open_state`] left it.
    pub fn resume(instance: &str, engine: Engine, open: OpenState) -> Correlator {
        Correlator {
            pending: open.pending,
            cert_rejections: open.cert_rejections,
            census: open.census,
            ..Correlator::for_stream(instance, engine)
        }
    }

    /// What the next run needs to go on from here (a copy: the census is
    /// still finished for this run's report).
    pub fn open_state(&self) -> OpenState {
        OpenState {
            pending: self.pending.clone(),
            cert_rejections: self.cert_rejections.clone(),
            census: self.census.clone(),
        }
    }

    /// The engine whose logs this correlator reads.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// Reads only the records of this window.
    pub fn with_window(mut self, window: Window) -> Correlator {
        self.window = window;
        self
    }

    /// Whether the lines may carry the stored application name (default:
    /// they may; [`sslcensus_parsers::LogFormat::gives_stored_names`]).
    pub fn with_stored_names(mut self, stored_names: bool) -> Correlator {
        self.stored_names = stored_names;
        self
    }

    /// Counts applications by family (default: raw names).
    pub fn with_families(mut self, families: Arc<Families>) -> Correlator {
        self.families = families;
        self
    }

    /// The key's application for a raw name: its family.
    fn application(&self, raw: &str) -> String {
        self.families.of(raw).into_owned()
    }

    /// Ends a chunk's correlation.
    pub fn into_chunk_outcome(self) -> ChunkOutcome {
        let deferral = self.deferral.unwrap_or_default();
        ChunkOutcome {
            coverage: self.coverage,
            census: self.census,
            head: deferral.head,
            reset: deferral.reset,
            tail: self.pending,
            cert_rejections: self.cert_rejections,
            early_plaintext: deferral.early_plaintext,
            problems: self.problems,
            family_names: self.family_names,
        }
    }

    /// Folds the next chunk of this instance's stream in; `replay` feeds the
    /// line at each head offset back into this correlator. Gives back the
    /// chunk's room for a later chunk.
    pub fn absorb(
        &mut self,
        mut chunk: ChunkOutcome,
        mut replay: impl FnMut(&mut Correlator, usize),
    ) -> ChunkRoom {
        let mut clients = std::mem::take(&mut chunk.census.clients);
        self.census.merge_clearing(&mut clients);
        self.census.merge(chunk.census);
        self.replaying = true;
        for offset in chunk.head {
            replay(self, offset);
        }
        self.replaying = false;
        for early in chunk.early_plaintext {
            if self.follows_cert_rejection(&early.host, early.time)
                && let Some(stats) = self.census.clients.get_mut(&early.key)
            {
                stats.prefer_fallbacks.add(Some(early.time));
            }
        }
        for pid in chunk.reset.drain() {
            if let Some(Pending::Received { host, time, .. }) = self.pending.remove(&pid) {
                self.abandoned(host, time);
            }
        }
        self.pending.extend(chunk.tail.drain());
        for (host, time) in chunk.cert_rejections {
            let latest = self.cert_rejections.entry(host).or_insert(time);
            *latest = (*latest).max(time);
        }
        ChunkRoom {
            clients,
            family_names: chunk.family_names,
            pending: chunk.tail,
            reset: chunk.reset,
        }
    }

    /// Ends the stream: a `connection received` never followed by anything
    /// is an abandoned handshake.
    pub fn finish(mut self) -> Census {
        let pending = std::mem::take(&mut self.pending);
        for (_, p) in pending {
            if let Pending::Received { host, time, .. } = p {
                self.abandoned(host, time);
            }
        }
        self.census
    }

    fn address_key(&self, host: String) -> AddressKey {
        AddressKey {
            instance: self.instance.clone(),
            engine: self.engine,
            host,
        }
    }

    fn abandoned(&mut self, host: CompactString, time: Option<Millis>) {
        let key = self.address_key(host.into_string());
        self.census
            .addresses
            .entry(key)
            .or_default()
            .abandoned
            .add(time);
    }

    /// Whether a record outside the window is read all the same for what it
    /// says of the window's first second (outside the window's coverage
    /// count; a rejection is also evidence in the report): a `connection
    /// received` gives its session, authorized within the window, its
    /// address; a certificate rejection makes a plaintext session right
    /// after `since` a prefer fallback (a verifying client), never a client
    /// without TLS.
    fn opens_the_window(&self, obs: &Observation<'_>) -> bool {
        let (Some(since), Some(t)) = (self.window.since, obs.time) else {
            return false;
        };
        (since - FALLBACK_WINDOW_MS..since).contains(&t)
            && matches!(
                obs.message,
                Message::Received(_)
                    | Message::HandshakeFailed {
                        kind: FailureKind::CertificateRejected,
                        ..
                    }
            )
    }

    /// Whether a record of the window's first second before `since` ends
    /// a session attempt there (authorized, turned away, closed): a
    /// `connection received` read for that second is then no abandoned
    /// handshake, and no session of the window.
    fn settles_before_the_window(&self, obs: &Observation<'_>) -> bool {
        let (Some(since), Some(t), Some(_)) = (self.window.since, obs.time, obs.pid) else {
            return false;
        };
        (since - FALLBACK_WINDOW_MS..since).contains(&t)
            && matches!(
                obs.message,
                Message::Authorized(_)
                    | Message::Disconnected(_)
                    | Message::HandshakeFailed { .. }
                    | Message::HbaRejected(_)
                    | Message::AuthenticationFailed { .. }
                    | Message::Refused { .. }
            )
    }

    /// Drops the pid's pending `connection received`; a chunk that did not
    /// see it leaves the line to the stream, which holds it.
    fn forget_received(&mut self, offset: usize, obs: &Observation<'_>) {
        let Some(pid) = obs.pid else { return };
        if let Some(deferral) = &mut self.deferral
            && !deferral.reset.contains(&pid)
        {
            deferral.head.push(offset);
            return;
        }
        if matches!(self.pending.get(&pid), Some(Pending::Received { .. })) {
            self.pending.remove(&pid);
        }
    }

    fn follows_cert_rejection(&self, host: &str, time: Millis) -> bool {
        self.cert_rejections
            .get(host)
            .is_some_and(|&rejected| (0..=FALLBACK_WINDOW_MS).contains(&(time - rejected)))
    }

    /// The client address of a line: its own prefix, else the pid's
    /// `connection received`.
    fn host_of(obs: &Observation<'_>, received: Option<&Pending>) -> String {
        match (obs.remote, received) {
            (Some(remote), _) => remote.host.to_string(),
            (None, Some(Pending::Received { host, .. })) => host.to_string(),
            _ => String::new(),
        }
    }

    fn apply(&mut self, obs: &Observation<'_>) {
        let turned_away = matches!(
            obs.message,
            Message::HandshakeFailed { .. }
                | Message::HbaRejected(_)
                | Message::AuthenticationFailed { .. }
                | Message::Refused { .. }
        );
        let pid = obs.pid;
        self.apply_message(obs);
        if let (true, Some(pid)) = (turned_away, pid) {
            self.pending.insert(pid, Pending::Rejected);
        }
    }

    fn apply_message(&mut self, obs: &Observation<'_>) {
        let time = obs.time;
        match &obs.message {
            Message::Received(remote) => {
                let Some(pid) = obs.pid else { return };
                let fresh = Pending::Received {
                    host: remote.host.into(),
                    time,
                    method: None,
                };
                if let Some(Pending::Received { host, time, .. }) = self.pending.insert(pid, fresh)
                {
                    self.abandoned(host, time);
                }
            }
            // An authorized session says how long its setup took (PG 18).
            Message::Ready(_) => {}
            Message::Authenticated { method, .. } => {
                if let Some(Pending::Received { method: slot, .. }) =
                    obs.pid.and_then(|pid| self.pending.get_mut(&pid))
                {
                    *slot = Some((*method).into());
                }
            }
            Message::Authorized(a) => {
                let received = obs.pid.and_then(|pid| self.pending.remove(&pid));
                // Borrowed: a known client costs no copy of its address.
                let host = match (obs.remote, &received) {
                    (Some(remote), _) => remote.host,
                    (None, Some(Pending::Received { host, .. })) => host.as_str(),
                    _ => "",
                };
                let raw = stored_name(a.application.unwrap_or_default());
                let plaintext = a.transport == Transport::Plain;
                let fallback =
                    plaintext && time.is_some_and(|t| self.follows_cert_rejection(host, t));
                // libpq never negotiates TLS over a unix socket: only TCP
                // sessions can be fallbacks.
                let unchecked = plaintext
                    && self.engine == Engine::Postgres
                    && host != "[local]"
                    && (time.is_none() || host.is_empty());
                let keep = self.families.examples();
                let application = self.family_names.of(&self.families, raw);
                let (key, hash, stats) = client_hashed(
                    &mut self.census.clients,
                    ClientKeyRef {
                        instance: &self.instance,
                        engine: self.engine,
                        user: a.user,
                        database: a.database.unwrap_or_default(),
                        application,
                        client_host: host,
                    },
                );
                stats.raw_names.see(raw, keep);
                stats.sessions += 1;
                stats.seen.see(time);
                if let Some(Pending::Received {
                    method: Some(method),
                    ..
                }) = &received
                {
                    stats.auth_methods.add(method, 1);
                }
                match (a.transport, &a.gss) {
                    (Transport::Tls(details), _) => {
                        stats.tls_sessions += 1;
                        stats.days.add(time, DayCounts::tls(1));
                        if let Some(tls) = details {
                            stats.tls_versions.add(tls.protocol, 1);
                            stats.ciphers.add(tls.cipher, 1);
                        }
                        // Oracle Net checks the chain against the wallet on
                        // every TCPS connection: there is no "no verify" mode.
                        if self.engine == Engine::Oracle {
                            stats.verifying_protocol_sessions += 1;
                        }
                    }
                    (Transport::Plain, Some(gss)) if gss.encrypted => stats.gss_sessions += 1,
                    (Transport::Plain, _) => {
                        stats.plain_sessions += 1;
                        stats.days.add(time, DayCounts::plain(1));
                    }
                    (Transport::Unknown, _) => stats.unknown_transport_sessions += 1,
                }
                stats.replication_sessions += u64::from(a.replication);
                stats.ambiguous_tls += u64::from(a.ambiguous_tls);
                stats.unchecked_plaintext += u64::from(unchecked);
                if fallback {
                    stats.prefer_fallbacks.add(time);
                } else if let (true, Some(t), Some(deferral)) =
                    (plaintext, time, &mut self.deferral)
                {
                    let chunk_start = deferral.first_time.unwrap_or(t);
                    if t - chunk_start <= FALLBACK_WINDOW_MS {
                        deferral.early_plaintext.push(EarlyPlaintext {
                            host: host.to_string(),
                            time: t,
                            key: key.clone(),
                        });
                    }
                }
                if let Some(pid) = obs.pid {
                    let transport = transport_key(a.transport, a.gss.as_ref());
                    let plaintext_reading = match (a.application_with_clause, a.tls()) {
                        (Some(whole), Some(tls))
                            if self.stored_names && stored_name(whole) != raw =>
                        {
                            Some(PlaintextReading::new(
                                stored_name(whole),
                                tls.protocol,
                                tls.cipher,
                            ))
                        }
                        _ => None,
                    };
                    self.pending.insert(
                        pid,
                        Pending::Session {
                            key,
                            hash,
                            start: time,
                            transport,
                            plaintext_reading,
                        },
                    );
                }
            }
            Message::Disconnected(d) => match obs.pid.and_then(|pid| self.pending.remove(&pid)) {
                Some(Pending::Rejected) => {}
                Some(Pending::Session {
                    key,
                    hash,
                    start,
                    plaintext_reading,
                    ..
                }) => {
                    let (key, hash) = match (plaintext_reading, obs.stored_application) {
                        (Some(reading), Some(stored)) if stored == reading.name() => {
                            self.reread_as_plaintext(key, reading, start)
                        }
                        _ => (key, hash),
                    };
                    let stats = client_of_session(&mut self.census.clients, key, hash);
                    stats.disconnections += 1;
                    // MySQL's Quit gives no duration: take it from the times.
                    let elapsed = match (start, time) {
                        (Some(start), Some(end)) => u64::try_from(end - start).ok(),
                        _ => None,
                    };
                    stats.session_millis += d.session_millis.or(elapsed).unwrap_or(0);
                    stats.seen.see(time);
                }
                // Without a pid no disconnection can be joined to a session,
                // nor said to end one that began before the logs.
                _ if obs.pid.is_none() => {}
                _ => self.census.unmatched.disconnections += 1,
            },
            Message::HandshakeFailed { reason, kind } => {
                let received = obs.pid.and_then(|pid| self.pending.remove(&pid));
                let host = Self::host_of(obs, received.as_ref());
                if let (FailureKind::CertificateRejected, Some(t)) = (kind, time) {
                    let latest = self.cert_rejections.entry(host.clone()).or_insert(t);
                    *latest = (*latest).max(t);
                }
                let key = self.address_key(host);
                let address = self.census.addresses.entry(key).or_default();
                address
                    .handshake_failures
                    .entry((*kind, reason.to_string()))
                    .or_default()
                    .add(time);
                address.failure_days.add(time, DayCounts::failures(1));
            }
            Message::HbaRejected(h) => {
                if let Some(pid) = obs.pid {
                    self.pending.remove(&pid);
                }
                let attempt = RejectedAttempt {
                    user: h.user.to_string(),
                    database: h.database.unwrap_or_default().to_string(),
                    application: UNKNOWN.to_string(),
                    transport: h.transport.into(),
                    rejection: Rejection::Hba,
                };
                self.reject(h.host.to_string(), attempt, time);
            }
            Message::AuthenticationFailed { method, user } => {
                let attempt = RejectedAttempt {
                    user: user.to_string(),
                    database: UNKNOWN.to_string(),
                    application: UNKNOWN.to_string(),
                    transport: TransportKey::Unknown,
                    rejection: Rejection::Authentication(method.to_string()),
                };
                self.turn_away(obs, attempt);
            }
            Message::Refused {
                user,
                database,
                application,
                transport,
                reason,
            } => {
                let attempt = RejectedAttempt {
                    user: user.unwrap_or(UNKNOWN).to_string(),
                    database: database.unwrap_or(UNKNOWN).to_string(),
                    application: application.map_or(UNKNOWN.to_string(), |a| self.application(a)),
                    transport: transport_key(*transport, None),
                    rejection: Rejection::Refused(reason.to_string()),
                };
                self.turn_away(obs, attempt);
            }
        }
    }

    /// Records a failed login or refusal. MySQL logs `Connect` before it
    /// authenticates: when the pid has a session, that session never
    /// existed, and its identity and transport describe the attempt.
    fn turn_away(&mut self, obs: &Observation<'_>, attempt: RejectedAttempt) {
        match obs.pid.and_then(|pid| self.pending.remove(&pid)) {
            Some(Pending::Session {
                key,
                transport,
                start,
                ..
            }) => {
                self.unsession(&key, transport, start);
                let key = Arc::unwrap_or_clone(key);
                let attempt = RejectedAttempt {
                    user: key.user,
                    database: key.database,
                    // MySQL-family logs never name the application.
                    application: if key.application.is_empty() {
                        UNKNOWN.to_string()
                    } else {
                        key.application
                    },
                    transport,
                    ..attempt
                };
                self.reject(key.client_host, attempt, obs.time);
            }
            received => {
                let host = Self::host_of(obs, received.as_ref());
                self.reject(host, attempt, obs.time);
            }
        }
    }

    /// The session's stored name is the one that runs on through the SSL
    /// clause: it was a plaintext session whose name imitates the clause.
    /// Moves it from its TLS reading to that one.
    fn reread_as_plaintext(
        &mut self,
        key: Arc<ClientKey>,
        reading: PlaintextReading,
        start: Option<Millis>,
    ) -> (Arc<ClientKey>, KeyHash) {
        if let Some(stats) = self.census.clients.get_mut(&key) {
            stats.tls_versions.take_one(reading.protocol());
            stats.ciphers.take_one(reading.cipher());
        }
        self.unsession(&key, TransportKey::Tls, start);
        let application = self.families.of(reading.name());
        let (plaintext, hash, stats) = client_hashed(
            &mut self.census.clients,
            ClientKeyRef {
                application: &application,
                ..key.as_ref_key()
            },
        );
        let keep = self.families.examples();
        stats.raw_names.see(reading.name(), keep);
        stats.sessions += 1;
        stats.plain_sessions += 1;
        stats.clause_imitations += 1;
        stats.seen.see(start);
        stats.days.add(start, DayCounts::plain(1));
        (plaintext, hash)
    }

    /// Takes back a session counted at its `Connect`.
    fn unsession(&mut self, key: &ClientKey, transport: TransportKey, start: Option<Millis>) {
        let Some(stats) = self.census.clients.get_mut(key) else {
            return;
        };
        stats.sessions = stats.sessions.saturating_sub(1);
        match transport {
            TransportKey::Tls => stats.days.take_one(start, true),
            TransportKey::Plain => stats.days.take_one(start, false),
            TransportKey::Gss | TransportKey::Unknown => {}
        }
        let counter = match transport {
            TransportKey::Tls => &mut stats.tls_sessions,
            TransportKey::Gss => &mut stats.gss_sessions,
            TransportKey::Plain => &mut stats.plain_sessions,
            TransportKey::Unknown => &mut stats.unknown_transport_sessions,
        };
        *counter = counter.saturating_sub(1);
        if stats.sessions == 0 && stats.disconnections == 0 {
            self.census.clients.remove(key);
        }
    }

    fn reject(&mut self, host: String, attempt: RejectedAttempt, time: Option<Millis>) {
        let key = self.address_key(host);
        let address = self.census.addresses.entry(key).or_default();
        address.rejections.entry(attempt).or_default().add(time);
    }
}

impl Sink for Correlator {
    fn observation(&mut self, offset: usize, obs: Observation<'_>) {
        let inside = self.window.contains(obs.time);
        if !inside && !self.replaying {
            self.coverage.outside_window += 1;
        }
        if !inside && !self.opens_the_window(&obs) {
            if self.settles_before_the_window(&obs) {
                self.forget_received(offset, &obs);
            }
            return;
        }
        if inside && !self.replaying {
            self.coverage.see(&obs);
        }
        if let Some(deferral) = &mut self.deferral {
            if deferral.first_time.is_none() {
                deferral.first_time = obs.time;
            }
            if let Some(pid) = obs.pid {
                // A session starts at `connection received` in PostgreSQL;
                // other engines log nothing before the login line.
                let starts_session = match obs.message {
                    Message::Received(_) => true,
                    Message::Authorized(_) => self.engine != Engine::Postgres,
                    _ => false,
                };
                if starts_session {
                    deferral.reset.insert(pid);
                } else if !deferral.reset.contains(&pid) {
                    deferral.head.push(offset);
                    return;
                }
            }
        }
        self.apply(&obs);
    }

    fn malformed(&mut self, offset: usize, why: Malformed) {
        if !self.replaying {
            self.problems.push((offset, Problem::Malformed(why)));
        }
    }

    fn invalid_utf8(&mut self, offset: usize) {
        if !self.replaying {
            self.problems.push((offset, Problem::InvalidUtf8));
        }
    }
}

#[cfg(test)]
mod window_tests {
    use super::Window;

    #[test]
    fn a_window_holds_since_and_not_until() {
        let w = Window {
            since: Some(10),
            until: Some(20),
        };
        // (time, inside)
        for (time, inside) in [
            (Some(9), false),
            (Some(10), true),
            (Some(19), true),
            (Some(20), false),
            (None, true),
        ] {
            assert_eq!(w.contains(time), inside, "{time:?}");
        }
        assert!(Window::default().contains(Some(i64::MIN)));
        assert!(!Window::default().is_set());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sslcensus_parsers::LinePrefix;
    use sslcensus_parsers::LogFormat;

    fn format() -> LogFormat {
        LogFormat::PgStderr {
            prefix: Some(LinePrefix::compile("%t:%r:%u@%d:[%p]:").unwrap()),
        }
    }

    /// Correlates `log` whole, and again split into chunks at every possible
    /// line boundary, and checks that both give the same census.
    fn census_any_split(log: &str) -> Census {
        census_any_split_as(&format(), log)
    }

    fn census_any_split_as(format: &LogFormat, log: &str) -> Census {
        census_any_split_in(format, log, Window::default())
    }

    fn census_any_split_in(format: &LogFormat, log: &str, window: Window) -> Census {
        let mut whole = Correlator::for_stream("db", format.engine()).with_window(window);
        sslcensus_parsers::scan(format, log.as_bytes(), &mut whole);
        let expected = whole.finish();
        let boundaries: Vec<usize> = log.match_indices('\n').map(|(i, _)| i + 1).collect();
        // One set of rooms for every split: each chunk after the first runs
        // in a room earlier chunks left, which must hold nothing of them.
        let rooms = ChunkRooms::default();
        for &cut in &boundaries {
            let mut stream = Correlator::for_stream("db", format.engine()).with_window(window);
            for (start, end) in [(0, cut), (cut, log.len())] {
                let chunk = &log.as_bytes()[start..end];
                let before = &log.as_bytes()[..start];
                let mut local =
                    Correlator::for_chunk("db", format.engine(), rooms.take()).with_window(window);
                sslcensus_parsers::scan_after(format, before, chunk, &mut local);
                let room = stream.absorb(local.into_chunk_outcome(), |c, offset| {
                    sslcensus_parsers::scan_line_after(format, before, chunk, offset, c);
                });
                rooms.give(room);
            }
            let split = stream.finish();
            assert_eq!(sorted(&split), sorted(&expected), "split at byte {cut}");
            assert_eq!(split.unmatched, expected.unmatched, "split at byte {cut}");
        }
        expected
    }

    fn sorted(c: &Census) -> (Vec<String>, Vec<String>) {
        let mut clients: Vec<String> = c.clients.iter().map(|kv| format!("{kv:?}")).collect();
        let mut addresses: Vec<String> = c.addresses.iter().map(|kv| format!("{kv:?}")).collect();
        clients.sort();
        addresses.sort();
        (clients, addresses)
    }

    const SESSIONS: &str = "\
2026-11-29 03:52:55 UTC:10.0.0.5(5001):[unknown]@[unknown]:[100]:LOG:  connection received: host=10.0.0.5 port=5001
2026-11-29 03:52:55 UTC:10.0.0.5(5001):app@orders:[100]:LOG:  connection authenticated: identity=\"app\" method=scram-sha-256 (/etc/pg_hba.conf:9)
2026-11-29 03:52:55 UTC:10.0.0.5(5001):app@orders:[100]:LOG:  connection authorized: user=app database=orders application_name=billing SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)
2026-11-29 03:52:56 UTC:10.0.0.9(6001):[unknown]@[unknown]:[101]:LOG:  connection received: host=10.0.0.9 port=6001
2026-11-29 03:52:56 UTC:10.0.0.9(6001):[unknown]@[unknown]:[101]:LOG:  could not accept SSL connection: tlsv1 alert unknown ca
2026-11-29 03:52:56 UTC:10.0.0.9(6002):[unknown]@[unknown]:[102]:LOG:  connection received: host=10.0.0.9 port=6002
2026-11-29 03:52:56 UTC:10.0.0.9(6002):etl@dw:[102]:LOG:  connection authorized: user=etl database=dw application_name=nightly etl
2026-11-29 03:52:57 UTC:10.0.0.7(7001):[unknown]@[unknown]:[103]:LOG:  connection received: host=10.0.0.7 port=7001
2026-11-29 03:53:10 UTC:10.0.0.5(5001):app@orders:[100]:LOG:  disconnection: session time: 0:00:15.000 user=app database=orders host=10.0.0.5 port=5001
2026-11-29 03:53:11 UTC:10.0.0.9(6002):etl@dw:[102]:LOG:  disconnection: session time: 0:00:15.000 user=etl database=dw host=10.0.0.9 port=6002
2026-11-29 03:53:12 UTC:10.0.0.8(8001):old@dw:[99]:LOG:  disconnection: session time: 9:00:00.000 user=old database=dw host=10.0.0.8 port=8001
";

    fn client<'c>(c: &'c Census, app: &str) -> &'c crate::census::ClientStats {
        c.clients
            .iter()
            .find(|(k, _)| k.application == app)
            .map(|(_, s)| s)
            .unwrap()
    }

    #[test]
    fn sessions_fallbacks_and_abandoned_handshakes_survive_any_chunking() {
        let census = census_any_split(SESSIONS);
        let billing = client(&census, "billing");
        assert_eq!(
            (
                billing.sessions,
                billing.tls_sessions,
                billing.disconnections
            ),
            (1, 1, 1)
        );
        assert_eq!(billing.session_millis, 15_000);
        assert_eq!(billing.auth_methods.get("scram-sha-256"), Some(1));
        let etl = client(&census, "nightly etl");
        assert_eq!((etl.plain_sessions, etl.prefer_fallbacks.count), (1, 1));
        let failing = &census.addresses[&AddressKey {
            instance: "db".into(),
            engine: Engine::Postgres,
            host: "10.0.0.9".into(),
        }];
        assert_eq!(
            failing
                .handshake_failures
                .values()
                .map(|t| t.count)
                .sum::<u64>(),
            1
        );
        let silent = &census.addresses[&AddressKey {
            instance: "db".into(),
            engine: Engine::Postgres,
            host: "10.0.0.7".into(),
        }];
        assert_eq!(silent.abandoned.count, 1);
        assert_eq!(census.unmatched.disconnections, 1);
    }

    /// A window opening at 03:52:56 reads the second before it for
    /// `connection received` lines and certificate rejections; a session
    /// authorized in that second belongs before the window: its received
    /// line is no abandoned handshake (`diff --at` splits logs so, right
    /// after a round of sessions).
    #[test]
    fn a_session_settled_in_the_second_before_the_window_is_no_abandoned_handshake() {
        let since = sslcensus_parsers::parse_timestamp("2026-11-29T03:52:56Z")
            .unwrap()
            .millis;
        let window = Window {
            since: Some(since),
            until: None,
        };
        // billing's session closes in that second too: nothing of it is
        // inside the window.
        let closed = "2026-11-29 03:52:55 UTC:10.0.0.5(5001):app@orders:[100]:LOG:  disconnection: session time: 0:00:00.100 user=app database=orders host=10.0.0.5 port=5001\n";
        let log: String = SESSIONS
            .lines()
            .filter(|l| !l.contains("[100]:LOG:  disconnection"))
            .enumerate()
            .flat_map(|(i, l)| {
                let extra = if i == 2 { closed } else { "" };
                [format!("{l}\n"), extra.to_string()]
            })
            .collect();
        let census = census_any_split_in(&format(), &log, window);
        assert!(census.clients.keys().all(|k| k.application != "billing"));
        let before = AddressKey {
            instance: "db".into(),
            engine: Engine::Postgres,
            host: "10.0.0.5".into(),
        };
        assert!(
            census
                .addresses
                .get(&before)
                .is_none_or(|a| a.abandoned.count == 0),
            "{:?}",
            census.addresses.get(&before)
        );
        let silent = &census.addresses[&AddressKey {
            instance: "db".into(),
            engine: Engine::Postgres,
            host: "10.0.0.7".into(),
        }];
        assert_eq!(silent.abandoned.count, 1);
        let etl = client(&census, "nightly etl");
        assert_eq!((etl.plain_sessions, etl.prefer_fallbacks.count), (1, 1));
    }

    /// `--state`: the stream read in two runs, its open state written as
    /// JSON and read back between them, at every line boundary, gives the
    /// census of one run (sessions received in run 1 and authorized in run
    /// 2, open across the boundary, fallbacks just after it).
    #[test]
    fn a_stream_resumed_from_its_saved_state_at_any_line_gives_one_runs_census() {
        let format = format();
        let mut whole = Correlator::for_stream("db", Engine::Postgres);
        sslcensus_parsers::scan(&format, SESSIONS.as_bytes(), &mut whole);
        let expected = whole.finish();
        for (cut, _) in SESSIONS.match_indices('\n') {
            let (first, second) = SESSIONS.split_at(cut + 1);
            let mut run = Correlator::for_stream("db", Engine::Postgres);
            sslcensus_parsers::scan(&format, first.as_bytes(), &mut run);
            let saved = serde_json::to_string(&run.open_state()).unwrap();
            let open: OpenState = serde_json::from_str(&saved).unwrap();
            let mut resumed = Correlator::resume("db", Engine::Postgres, open);
            sslcensus_parsers::scan(&format, second.as_bytes(), &mut resumed);
            let census = resumed.finish();
            assert_eq!(sorted(&census), sorted(&expected), "cut at byte {cut}");
            assert_eq!(census.unmatched, expected.unmatched, "cut at byte {cut}");
        }
    }

    /// MariaDB prints a record's time only when the second changes: a
    /// chunk that starts inside a second takes its first records' time from
    /// the lines before it, so their sessions count on their day however
    /// the log is cut (they were counted in the totals but not the days
    /// when the cut fell after the second's first record).
    #[test]
    fn a_mariadb_second_cut_by_a_chunk_edge_keeps_its_time() {
        let format = LogFormat::MysqlGeneral {
            engine: Engine::Mariadb,
        };
        let log = "261129  5:18:27\t     3 Connect\tapp@10.0.0.1 on shop using SSL/TLS\n\
                   \t\t     4 Connect\tapp@10.0.0.2 on shop using TCP/IP\n\
                   \t\t     3 Quit\t\n\
                   \t\t     5 Connect\tapp@10.0.0.1 on shop using SSL/TLS\n\
                   \t\t     4 Quit\t\n\
                   261130  0:00:01\t     6 Connect\tapp@10.0.0.2 on shop using TCP/IP\n\
                   \t\t     5 Quit\t\n";
        let census = census_any_split_as(&format, log);
        for stats in census.clients.values() {
            let days: u64 = stats.days.iter().map(|(_, d)| d.tls + d.plain).sum();
            assert_eq!(days, stats.sessions, "{stats:?}");
        }
        assert_eq!(census.clients.values().map(|s| s.sessions).sum::<u64>(), 4);
    }

    #[test]
    fn reused_pids_close_the_earlier_handshake() {
        let log = "\
2026-11-29 03:52:55 UTC:10.0.0.7(1):[unknown]@[unknown]:[7]:LOG:  connection received: host=10.0.0.7 port=1
2026-11-29 04:52:55 UTC:10.0.0.8(2):[unknown]@[unknown]:[7]:LOG:  connection received: host=10.0.0.8 port=2
2026-11-29 04:52:55 UTC:10.0.0.8(2):u@d:[7]:LOG:  connection authorized: user=u database=d
";
        let census = census_any_split(log);
        let abandoned: Vec<_> = census
            .addresses
            .iter()
            .filter(|(_, a)| a.abandoned.count > 0)
            .map(|(k, _)| k.host.as_str())
            .collect();
        assert_eq!(abandoned, ["10.0.0.7"]);
        assert_eq!(census.clients.values().next().unwrap().sessions, 1);
    }

    #[test]
    fn a_plaintext_session_long_after_a_rejection_is_not_a_fallback() {
        let log = "\
2026-11-29 03:52:55 UTC:10.0.0.9(1):[unknown]@[unknown]:[1]:LOG:  could not accept SSL connection: tlsv1 alert unknown ca
2026-11-29 03:52:58 UTC:10.0.0.9(2):u@d:[2]:LOG:  connection authorized: user=u database=d application_name=late
";
        let census = census_any_split(log);
        assert_eq!(client(&census, "late").prefer_fallbacks.count, 0);
    }

    #[test]
    fn a_clause_imitation_is_unmasked_by_the_stored_name_across_chunks() {
        let fake = "x SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)";
        let stored = stored_name(fake);
        let log = format!(
            "2026-11-02 10:00:00.000 UTC,,,7,\"10.0.8.8:5\",1.7,1,\"\",2026-11-02 10:00:00 UTC,,0,LOG,00000,\"connection received: host=10.0.8.8 port=5\",,,,,,,,,\"\",\"not initialized\",,0\n\
             2026-11-02 10:00:00.010 UTC,\"u\",\"d\",7,\"10.0.8.8:5\",1.7,2,\"authentication\",2026-11-02 10:00:00 UTC,3/1,0,LOG,00000,\"connection authorized: user=u database=d application_name={fake}\",,,,,,,,,\"\",\"client backend\",,0\n\
             2026-11-02 10:00:05.000 UTC,\"u\",\"d\",7,\"10.0.8.8:5\",1.7,3,\"idle\",2026-11-02 10:00:00 UTC,,0,LOG,00000,\"disconnection: session time: 0:00:05.000 user=u database=d host=10.0.8.8 port=5\",,,,,,,,,\"{stored}\",\"client backend\",,0\n"
        );
        let census = census_any_split_as(&LogFormat::PgCsvlog, &log);
        assert_eq!(census.clients.len(), 1, "{census:?}");
        let stats = client(&census, stored);
        assert_eq!(
            (
                stats.plain_sessions,
                stats.tls_sessions,
                stats.clause_imitations
            ),
            (1, 0, 1)
        );
        assert!(stats.tls_versions.is_empty());
    }

    /// One text with two ends inside it, saved (`--state`) as the three
    /// texts it was before.
    #[test]
    fn a_plaintext_reading_keeps_its_three_texts_and_saves_them_apart() {
        // (name, protocol, cipher)
        for (name, protocol, cipher) in [
            (
                "x SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
                "TLSv1.3",
                "TLS_AES_256_GCM_SHA384",
            ),
            ("é SSL enabled (protocol=", "", "c"),
            ("", "", ""),
        ] {
            let reading = PlaintextReading::new(name, protocol, cipher);
            assert_eq!(
                (reading.name(), reading.protocol(), reading.cipher()),
                (name, protocol, cipher)
            );
            let saved = serde_json::to_value(&reading).unwrap();
            assert_eq!(
                saved,
                serde_json::json!({"name": name, "protocol": protocol, "cipher": cipher})
            );
            assert_eq!(
                serde_json::from_value::<PlaintextReading>(saved).unwrap(),
                reading
            );
        }
    }

    #[test]
    fn stored_names_are_cut_at_63_bytes_on_a_character_boundary() {
        let long = "é".repeat(40);
        assert_eq!(stored_name(&long).len(), 62);
        assert_eq!(stored_name("short"), "short");
    }
}
