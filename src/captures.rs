//! Captured sessions → census. A session open for an hour is in every
//! capture of that hour: it is one session, known by what the engine keys
//! it with —
//! - PostgreSQL: pid + backend_start;
//! - MySQL family: processlist id, and a new session when that id's user,
//!   host or connection type changes (ids are reused after a restart);
//! - SQL Server: session_id + connect_time.
//!
//! Sessions are kept until the end of the instance's files, so connect
//! attributes (a separate `session_connect_attrs` capture, before or after
//! the threads one) reach their session whatever the order, then folded
//! into the census under the same keys the logs use, so dumps and logs of
//! one instance meet in the same client rows.

use std::collections::{BTreeSet, HashMap};
use std::hash::BuildHasher;
use std::sync::Arc;

use sslcensus_parsers::Engine;
use sslcensus_parsers::Millis;
use sslcensus_parsers::dump::{CapturedSession, DumpTransport};

use crate::census::{Census, ClientKey, Span};
use crate::correlate::stored_name;
use crate::family::Families;

/// What makes a session one across captures.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Identity {
    engine: Engine,
    id: u64,
    started: Option<Millis>,
}

/// What tells two sessions apart that share an identity (a MySQL id
/// reused, a pid without its start time).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Who {
    user: String,
    host: String,
    connection_type: Option<String>,
}

/// The connect attributes that name a MySQL-family client.
#[derive(Debug, Clone, Default)]
struct Attributes {
    program_name: Option<String>,
    client: (Option<String>, Option<String>),
    connector: (Option<String>, Option<String>),
}

impl Attributes {
    fn set(&mut self, name: &str, value: &str) {
        let value = Some(value.to_string());
        match name {
            "program_name" => self.program_name = value,
            "_client_name" => self.client.0 = value,
            "_client_version" => self.client.1 = value,
            "_connector_name" => self.connector.0 = value,
            "_connector_version" => self.connector.1 = value,
            _ => {}
        }
    }

    fn driver(&self) -> Option<String> {
        let join = |(name, version): &(Option<String>, Option<String>)| match (name, version) {
            (Some(n), Some(v)) => Some(format!("{n} {v}")),
            (Some(n), None) => Some(n.clone()),
            _ => None,
        };
        join(&self.connector).or_else(|| join(&self.client))
    }
}

/// One session, as its captures showed it first.
#[derive(Debug, Clone)]
struct Record {
    source: &'static str,
    engine: Engine,
    engine_certain: bool,
    who: Who,
    database: String,
    application: Option<String>,
    transport: Transport,
    protocol: Option<String>,
    cipher: Option<String>,
    client_certificate: bool,
    driver: Option<String>,
    captures: BTreeSet<u32>,
    span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transport {
    Tls,
    Plain,
    LoginOnly,
    Unknown,
}

/// Correlates the captured sessions of one instance.
pub struct Captures {
    instance: String,
    /// Tells this instance's capture numbers from another's.
    tag: u64,
    families: Arc<Families>,
    /// Each identity's sessions, the latest last.
    sessions: HashMap<Identity, Vec<Record>>,
    /// Connect attributes by MySQL processlist id, the latest.
    attributes: HashMap<u64, Attributes>,
    /// (file, capture in the file) → capture number in the instance.
    numbers: HashMap<(usize, u32), u32>,
}

impl Captures {
    pub fn new(instance: &str, families: Arc<Families>) -> Captures {
        Captures {
            instance: instance.to_string(),
            tag: rustc_hash::FxBuildHasher.hash_one((instance, run_id())),
            families,
            sessions: HashMap::new(),
            attributes: HashMap::new(),
            numbers: HashMap::new(),
        }
    }

    /// A session row of capture `capture` of file `file`; true when it is a
    /// session not seen before.
    pub fn see(
        &mut self,
        file: usize,
        capture: u32,
        time: Option<Millis>,
        s: &CapturedSession<'_>,
    ) -> bool {
        let next = self.numbers.len() as u32;
        let number = *self.numbers.entry((file, capture)).or_insert(next);
        let identity = Identity {
            engine: match s.engine {
                // One id space for the family, whatever a row calls it.
                Engine::Mariadb => Engine::Mysql,
                other => other,
            },
            id: s.id,
            started: s.started,
        };
        let who = Who {
            user: s.user.to_string(),
            host: s.host.to_string(),
            connection_type: s.connection_type.map(str::to_string),
        };
        let records = self.sessions.entry(identity).or_default();
        let fresh = records.last().is_none_or(|r| r.who != who);
        if fresh {
            let (transport, protocol, cipher) = match s.transport {
                DumpTransport::Tls { protocol, cipher } => (
                    Transport::Tls,
                    protocol.map(str::to_string),
                    cipher.map(str::to_string),
                ),
                DumpTransport::Plain => (Transport::Plain, None, None),
                DumpTransport::LoginOnly => (Transport::LoginOnly, None, None),
                DumpTransport::Unknown => (Transport::Unknown, None, None),
            };
            records.push(Record {
                source: s.source,
                engine: s.engine,
                engine_certain: s.engine_certain,
                who,
                database: s.database.to_string(),
                application: s.application.map(str::to_string),
                transport,
                protocol,
                cipher,
                client_certificate: s.client_certificate,
                driver: s.driver.clone(),
                captures: BTreeSet::new(),
                span: Span::default(),
            });
        }
        let record = records.last_mut().expect("pushed above");
        record.captures.insert(number);
        record.span.see(time);
        // What an earlier capture left open (a program name from the
        // attributes query) a later one may fill.
        if record.application.is_none() {
            record.application = s.application.map(str::to_string);
        }
        if record.driver.is_none() {
            record.driver.clone_from(&s.driver);
        }
        if let Some(attributes) = self.attributes.get(&s.id)
            && s.engine != Engine::Postgres
            && s.engine != Engine::SqlServer
        {
            apply(record, attributes);
        }
        fresh
    }

    /// A MySQL-family connect attribute of processlist id `id`.
    pub fn attribute(&mut self, id: u64, name: &str, value: &str) {
        let attributes = self.attributes.entry(id).or_default();
        attributes.set(name, value);
        let attributes = attributes.clone();
        let identity = Identity {
            engine: Engine::Mysql,
            id,
            started: None,
        };
        if let Some(record) = self.sessions.get_mut(&identity).and_then(|r| r.last_mut()) {
            apply(record, &attributes);
        }
    }

    /// The census of the captured sessions. `log_engine` is the engine the
    /// instance's logs name: a MySQL-family view without a server version
    /// column takes it, so that dumps and logs meet in one row.
    pub fn finish(self, log_engine: Option<Engine>) -> Census {
        let mut census = Census::default();
        let keep = self.families.examples();
        for record in self.sessions.into_values().flatten() {
            let engine = match (record.engine_certain, log_engine) {
                (false, Some(e @ (Engine::Mysql | Engine::Mariadb))) => e,
                _ => record.engine,
            };
            let raw = record.application.as_deref().unwrap_or_default();
            let raw = if engine == Engine::Postgres {
                stored_name(raw)
            } else {
                raw
            };
            let key = ClientKey {
                instance: self.instance.clone(),
                engine,
                user: record.who.user.clone(),
                database: record.database.clone(),
                application: self.families.of(raw).into_owned(),
                client_host: record.who.host.clone(),
            };
            let stats = census.clients.entry(Arc::new(key)).or_default();
            stats.raw_names.see(raw, keep);
            stats.seen.merge(record.span);
            if let Some(driver) = &record.driver {
                stats.drivers.add(driver, 1);
            }
            let captured = stats.captured.entry(record.source.to_string()).or_default();
            captured.sessions += 1;
            match record.transport {
                Transport::Tls => {
                    captured.tls_sessions += 1;
                    if let Some(protocol) = record.protocol {
                        captured.tls_versions.add(&protocol, 1);
                    }
                    if let Some(cipher) = record.cipher {
                        captured.ciphers.add(&cipher, 1);
                    }
                }
                Transport::Plain => captured.plain_sessions += 1,
                Transport::LoginOnly => captured.login_only_sessions += 1,
                Transport::Unknown => captured.unknown_transport_sessions += 1,
            }
            captured.client_certificates += u64::from(record.client_certificate);
            captured
                .captures
                .extend(record.captures.iter().map(|&n| (self.tag, n)));
            captured.span.merge(record.span);
        }
        census
    }
}

/// A random number of this run's own: in every capture tag (each run
/// numbers its captures from 0, and the partials of several runs —
/// `sslcensus merge`, an instance read in time slices — must not take one
/// run's capture 3 for another's), and the id of its partial.
pub fn run_id() -> u64 {
    use std::hash::Hasher;
    static ID: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *ID.get_or_init(|| {
        // RandomState's keys are random per process.
        let mut hasher = std::hash::RandomState::new().build_hasher();
        hasher.write_u32(std::process::id());
        hasher.finish()
    })
}

fn apply(record: &mut Record, attributes: &Attributes) {
    if record.application.is_none() {
        record.application.clone_from(&attributes.program_name);
    }
    // Attributes come one by one: the latest reading is the fullest.
    if let Some(driver) = attributes.driver() {
        record.driver = Some(driver);
    }
}

/// MySQL-family logs never name the application; connect attributes do. A
/// nameless client of the logs takes the program name the dumps show for
/// the same instance, user and address — when they show exactly one —
/// and its row merges with theirs.
pub fn name_from_attributes(census: &mut Census) {
    let mut named: HashMap<(String, Engine, String, String), BTreeSet<String>> = HashMap::new();
    for (key, stats) in &census.clients {
        if matches!(key.engine, Engine::Mysql | Engine::Mariadb)
            && !key.application.is_empty()
            && !stats.captured.is_empty()
        {
            named
                .entry((
                    key.instance.clone(),
                    key.engine,
                    key.user.clone(),
                    key.client_host.clone(),
                ))
                .or_default()
                .insert(key.application.clone());
        }
    }
    let nameless: Vec<Arc<ClientKey>> = census
        .clients
        .keys()
        .filter(|k| matches!(k.engine, Engine::Mysql | Engine::Mariadb) && k.application.is_empty())
        .cloned()
        .collect();
    for key in nameless {
        let found = named.get(&(
            key.instance.clone(),
            key.engine,
            key.user.clone(),
            key.client_host.clone(),
        ));
        let Some(name) = found
            .filter(|names| names.len() == 1)
            .and_then(|n| n.first())
        else {
            continue;
        };
        let mut stats = census.clients.remove(&key).expect("listed above");
        // Its raw name was the empty one the logs gave it.
        stats.raw_names = Default::default();
        let renamed = ClientKey {
            application: name.clone(),
            ..Arc::unwrap_or_clone(key)
        };
        census
            .clients
            .entry(Arc::new(renamed))
            .or_default()
            .merge(&stats);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn session<'a>(
        engine: Engine,
        id: u64,
        started: Option<Millis>,
        user: &'a str,
        host: &'a str,
        transport: DumpTransport<'a>,
    ) -> CapturedSession<'a> {
        CapturedSession {
            source: "view",
            engine,
            engine_certain: engine != Engine::Mysql,
            id,
            started,
            user,
            database: "db",
            application: None,
            host: Cow::Borrowed(host),
            transport,
            client_certificate: false,
            connection_type: None,
            driver: None,
        }
    }

    const TLS: DumpTransport<'static> = DumpTransport::Tls {
        protocol: Some("TLSv1.3"),
        cipher: None,
    };

    #[test]
    fn a_session_in_many_captures_counts_once() {
        let mut captures = Captures::new("db", Arc::new(Families::off()));
        // pid 7 open across five captures; pid 7 again later with another
        // start: a new session; pid 8 seen once.
        for capture in 0..5 {
            let time = Some(1_000 * i64::from(capture));
            let long = session(Engine::Postgres, 7, Some(0), "app", "10.0.0.5", TLS);
            assert_eq!(captures.see(0, capture, time, &long), capture == 0);
        }
        let reused = session(Engine::Postgres, 7, Some(9_000), "app", "10.0.0.5", TLS);
        assert!(captures.see(1, 0, Some(9_000), &reused));
        let short = session(
            Engine::Postgres,
            8,
            Some(4_500),
            "app",
            "10.0.0.6",
            DumpTransport::Plain,
        );
        assert!(captures.see(0, 4, Some(4_000), &short));
        let census = captures.finish(None);
        let stats = |host: &str| {
            census
                .clients
                .iter()
                .find(|(k, _)| k.client_host == host)
                .map(|(_, s)| s.captured["view"].clone())
                .unwrap()
        };
        let tls = stats("10.0.0.5");
        assert_eq!(
            (tls.sessions, tls.tls_sessions, tls.captures.len()),
            (2, 2, 6)
        );
        assert_eq!((tls.span.first, tls.span.last), (Some(0), Some(9_000)));
        let plain = stats("10.0.0.6");
        assert_eq!(
            (plain.sessions, plain.plain_sessions, plain.captures.len()),
            (1, 1, 1)
        );
    }

    #[test]
    fn a_mysql_id_is_a_new_session_when_its_user_or_host_changes() {
        let mut captures = Captures::new("db", Arc::new(Families::off()));
        let a = session(Engine::Mysql, 5, None, "app", "10.0.0.5", TLS);
        let same = session(Engine::Mysql, 5, None, "app", "10.0.0.5", TLS);
        let other = session(
            Engine::Mysql,
            5,
            None,
            "etl",
            "10.0.0.9",
            DumpTransport::Plain,
        );
        assert!(captures.see(0, 0, None, &a));
        assert!(!captures.see(0, 1, None, &same));
        assert!(captures.see(0, 2, None, &other));
        captures.attribute(5, "program_name", "nightly");
        captures.attribute(5, "_client_name", "libmariadb");
        captures.attribute(5, "_client_version", "3.3.8");
        let census = captures.finish(Some(Engine::Mariadb));
        let mut keys: Vec<String> = census
            .clients
            .iter()
            .map(|(k, s)| {
                format!(
                    "{:?} {} {} {:?} {}",
                    k.engine,
                    k.user,
                    k.application,
                    s.drivers.keys().collect::<Vec<_>>(),
                    s.captured["view"].sessions
                )
            })
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "Mariadb app  [] 1",
                "Mariadb etl nightly [\"libmariadb 3.3.8\"] 1",
            ]
        );
    }

    #[test]
    fn log_rows_take_the_program_name_of_their_user_and_address() {
        let key = |user: &str, host: &str, app: &str| ClientKey {
            instance: "db".into(),
            engine: Engine::Mariadb,
            user: user.into(),
            database: "shop".into(),
            application: app.into(),
            client_host: host.into(),
        };
        let logged = crate::census::ClientStats {
            sessions: 3,
            tls_sessions: 3,
            ..Default::default()
        };
        let mut captured = crate::census::ClientStats::default();
        captured.captured.insert("view".into(), Default::default());
        let mut census = Census::default();
        for (user, host, app, stats) in [
            ("app", "10.0.0.5", "", &logged),
            ("app", "10.0.0.6", "", &logged),
            ("etl", "10.0.0.7", "", &logged),
            ("app", "10.0.0.5", "billing", &captured),
            ("etl", "10.0.0.7", "a", &captured),
            ("etl", "10.0.0.7", "b", &captured),
        ] {
            census
                .clients
                .insert(Arc::new(key(user, host, app)), Box::new(stats.clone()));
        }
        name_from_attributes(&mut census);
        assert_eq!(
            census.clients[&key("app", "10.0.0.5", "billing")].sessions,
            3
        );
        // No dump of that address: stays nameless; two names: ambiguous.
        assert!(census.clients.contains_key(&key("app", "10.0.0.6", "")));
        assert!(census.clients.contains_key(&key("etl", "10.0.0.7", "")));
    }
}
