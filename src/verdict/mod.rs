//! Census → report rows: attribute address-level evidence (failed handshakes,
//! abandoned handshakes, rejections) to the clients seen from each address
//! (`attribute`), group clients as asked, decide each group's verdict with
//! the rules (`rules`, a pure function) and word its reason (`reason`).

mod attribute;
pub mod drivers;
pub mod reason;
pub mod rules;

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use sslcensus_parsers::{Engine, Millis};

use crate::census::{Census, ClientKey, Counts, UNKNOWN};
use crate::evidence::fold::Evidence;

use attribute::{Attribution, attribute};
pub use rules::{Distinct, Group, Tie, decide};

/// What an RDS CA rotation does to a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Uses TLS and verifies the server certificate: breaks at the rotation
    /// unless its trust store holds the new CA.
    Affected,
    /// Uses TLS; whether it verifies is unknown: check its settings.
    Review,
    /// No TLS, or TLS without verification.
    NotAffected,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Affected, Verdict::Review, Verdict::NotAffected];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Affected => "affected",
            Verdict::Review => "review",
            Verdict::NotAffected => "not_affected",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the evidence says about server-certificate verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Proven: the client rejected a certificate, or fell back after doing so.
    Verifies,
    /// TLS is used; nothing in the logs tells whether the client verifies.
    Unknown,
    /// No TLS was used, so there is nothing to verify.
    NoTls,
    /// The client's settings (or the analyst) say it does not verify.
    DoesNotVerify,
}

impl Verification {
    pub fn as_str(self) -> &'static str {
        match self {
            Verification::Verifies => "verifies",
            Verification::Unknown => "unknown",
            Verification::NoTls => "no_tls",
            Verification::DoesNotVerify => "does_not_verify",
        }
    }
}

/// A column clients can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupField {
    Instance,
    Engine,
    User,
    Database,
    Application,
    ClientHost,
}

/// Why `--group-by` cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupByError {
    /// A name that is no [`GroupField`].
    #[error(
        "unknown group-by field {0:?} (use instance, engine, user, database, application, client_host)"
    )]
    UnknownField(String),
    /// Only commas and spaces.
    #[error("--group-by needs at least one field")]
    NoField,
    /// The same field named again.
    #[error("--group-by names a field twice: {0:?}")]
    FieldTwice(String),
}

impl FromStr for GroupField {
    type Err = GroupByError;
    fn from_str(s: &str) -> Result<Self, GroupByError> {
        Ok(match s.trim() {
            "instance" => GroupField::Instance,
            "engine" => GroupField::Engine,
            "user" => GroupField::User,
            "database" => GroupField::Database,
            "application" => GroupField::Application,
            "client_host" => GroupField::ClientHost,
            other => return Err(GroupByError::UnknownField(other.to_string())),
        })
    }
}

/// The fields that make one report row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupBy(pub Vec<GroupField>);

impl Default for GroupBy {
    fn default() -> Self {
        GroupBy(vec![
            GroupField::Instance,
            GroupField::User,
            GroupField::Database,
            GroupField::Application,
        ])
    }
}

impl FromStr for GroupBy {
    type Err = GroupByError;
    fn from_str(s: &str) -> Result<Self, GroupByError> {
        let names: Vec<&str> = s
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect();
        let fields = names
            .iter()
            .map(|name| name.parse())
            .collect::<Result<Vec<GroupField>, _>>()?;
        if fields.is_empty() {
            return Err(GroupByError::NoField);
        }
        for (i, field) in fields.iter().enumerate() {
            if fields[..i].contains(field) {
                return Err(GroupByError::FieldTwice(names[i].to_string()));
            }
        }
        Ok(GroupBy(fields))
    }
}

/// The distinct values of a list column (a group may span several
/// instances, users, addresses…), sorted. CSV and the terminal show them
/// `;`-separated and capped; JSON and Parquet write them whole, as lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values(ValueList);

/// Most rows hold one value per column: that one is kept as it is, with no
/// list around it (a row has a dozen such columns, and 100,000s of rows are
/// held until the report is written).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum ValueList {
    #[default]
    None,
    One(String),
    /// Two or more, with their `;`-joined text.
    Many(Box<(Vec<String>, String)>),
}

impl Values {
    pub fn new(mut items: Vec<String>) -> Values {
        Values(match items.len() {
            0 => ValueList::None,
            1 => ValueList::One(items.pop().expect("one item")),
            _ => {
                items.shrink_to_fit();
                let joined = items.join(";");
                ValueList::Many(Box::new((items, joined)))
            }
        })
    }

    /// All values, `;`-separated.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            ValueList::None => "",
            ValueList::One(only) => only,
            ValueList::Many(many) => &many.1,
        }
    }

    pub fn items(&self) -> &[String] {
        match &self.0 {
            ValueList::None => &[],
            ValueList::One(only) => std::slice::from_ref(only),
            ValueList::Many(many) => &many.0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.as_str().is_empty()
    }

    /// At most `n` values, `;`-separated, then how many more there are.
    pub fn capped(&self, n: usize) -> Cow<'_, str> {
        let items = self.items();
        if items.len() <= n {
            return Cow::Borrowed(self.as_str());
        }
        Cow::Owned(format!(
            "{};… and {} more",
            items[..n].join(";"),
            items.len() - n
        ))
    }
}

impl From<Distinct> for Values {
    fn from(set: Distinct) -> Values {
        Values::new(set.0)
    }
}

impl fmt::Display for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Values {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Values {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One row of the report, in the CSV's column order.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub instance: Values,
    pub engine: Values,
    pub user: Values,
    pub database: Values,
    pub application: Values,
    pub client_hosts: Values,
    pub first_seen: Option<Millis>,
    pub last_seen: Option<Millis>,
    pub sessions: u64,
    pub tls_sessions: u64,
    pub plain_sessions: u64,
    pub tls_versions: Values,
    pub ciphers: Values,
    pub handshake_failures: u64,
    pub verification: Verification,
    pub verdict: Verdict,
    pub reason: String,
    /// Distinct raw application names behind the row's families.
    pub application_names: u64,
    /// A few of them (all with `--keep-raw-names`).
    pub application_examples: Values,
    /// The client drivers session dumps name (connect attributes, SQL
    /// Server's client_interface_name, a driver's default application name).
    pub drivers: Values,
    /// The RDS inventory's facts of the row's instances (`--instances`).
    pub inventory: Option<Box<crate::inventory::InventoryCells>>,
    /// Sessions (TLS, plaintext) and failed handshakes per day.
    pub days: crate::census::Days,
}

fn group_key<'k>(key: &'k ClientKey, by: &GroupBy) -> Vec<&'k str> {
    let mut fields: Vec<&str> =
        by.0.iter()
            .map(|field| match field {
                GroupField::Instance => key.instance.as_str(),
                GroupField::Engine => key.engine.name(),
                GroupField::User => key.user.as_str(),
                GroupField::Database => key.database.as_str(),
                GroupField::Application => key.application.as_str(),
                GroupField::ClientHost => key.client_host.as_str(),
            })
            .collect();
    if is_nameless(key) && !by.0.contains(&GroupField::ClientHost) {
        fields.push(key.client_host.as_str());
    }
    fields
}

/// A client known only by its address stays one row per address: two
/// unknown clients are not one application. MySQL-family logs never name
/// the application, so there the address is what tells clients apart.
fn is_nameless(key: &ClientKey) -> bool {
    key.application == UNKNOWN
        || (key.application.is_empty() && matches!(key.engine, Engine::Mysql | Engine::Mariadb))
}

/// What tells one application from another when a setting is tied to rows.
fn application_identity(key: &ClientKey) -> String {
    if is_nameless(key) || key.application.is_empty() {
        format!("{}@{}", key.application, key.client_host)
    } else {
        key.application.clone()
    }
}

/// Judges every client group in the census; rows come sorted: affected,
/// review, not affected, then by instance, user, database, application.
/// Consumes the census: each stage moves what it keeps into the next, so
/// memory holds one copy of the clients at a time.
pub fn judge(census: Census, by: &GroupBy, evidence: &Evidence) -> Vec<ReportRow> {
    // Failed handshakes per day and address, for the rows' timelines.
    let failure_days: HashMap<(String, String), crate::census::Days> = census
        .addresses
        .iter()
        .filter(|(_, a)| a.failure_days.iter().next().is_some())
        .map(|(k, a)| ((k.instance.clone(), k.host.clone()), a.failure_days.clone()))
        .collect();
    let attributions = attribute(census);
    // Which applications each setting matched, over the whole census: a
    // setting that names no application and matches several can be any
    // one's.
    let mut matched: HashMap<&str, BTreeSet<String>> = HashMap::new();
    let mut settings_of = Vec::with_capacity(attributions.len());
    for (key, _) in &attributions {
        let settings = evidence.settings_for(key);
        for s in &settings {
            matched
                .entry(s.source.as_str())
                .or_default()
                .insert(application_identity(key));
        }
        settings_of.push(settings);
    }
    // Each client's group, by index: the keys are borrowed while grouping.
    let mut group_of: Vec<u32> = Vec::with_capacity(attributions.len());
    // Groups are numbered 0..groups.
    let groups = {
        let mut index: rustc_hash::FxHashMap<Vec<&str>, u32> = Default::default();
        for (key, _) in &attributions {
            let next = index.len() as u32;
            group_of.push(*index.entry(group_key(key, by)).or_insert(next));
        }
        // Groups numbered in key order, so rows that sort equal keep one
        // order from run to run.
        let mut keys: Vec<(Vec<&str>, u32)> = index.into_iter().collect();
        keys.sort_unstable();
        let mut rank = vec![0; keys.len()];
        for (at, (_, g)) in keys.into_iter().enumerate() {
            rank[g as usize] = at as u32;
        }
        for g in &mut group_of {
            *g = rank[*g as usize];
        }
        rank.len()
    };
    // Groups are built and judged one at a time, their clients moved in:
    // memory holds the clients and the finished rows, never every group
    // at once.
    let mut order: Vec<u32> = (0..group_of.len() as u32).collect();
    order.sort_unstable_by_key(|&i| group_of[i as usize]);
    let mut clients: Vec<Option<_>> = attributions
        .into_iter()
        .zip(settings_of)
        .map(Some)
        .collect();
    // Sized once: doubling a vector of 100,000s of rows would, for a moment,
    // hold up to twice their memory.
    let mut rows: Vec<ReportRow> = Vec::with_capacity(groups);
    for members in order.chunk_by(|&a, &b| group_of[a as usize] == group_of[b as usize]) {
        let mut group = Group::default();
        for (n, &i) in members.iter().enumerate() {
            let ((key, attribution), settings) = clients[i as usize]
                .take()
                .expect("each client is in one group");
            let first = n == 0;
            join_group(
                &mut group,
                first,
                key,
                attribution,
                settings,
                &matched,
                evidence,
            );
        }
        rows.push(row(group, &failure_days));
    }
    drop(clients);
    rows.sort_by(|a, b| {
        (
            a.verdict,
            a.instance.as_str(),
            a.user.as_str(),
            a.database.as_str(),
            a.application.as_str(),
            a.client_hosts.as_str(),
        )
            .cmp(&(
                b.verdict,
                b.instance.as_str(),
                b.user.as_str(),
                b.database.as_str(),
                b.application.as_str(),
                b.client_hosts.as_str(),
            ))
    });
    rows
}

/// Adds one client to its group: its key's fields, stats, findings, and the
/// settings and override that point at it.
fn join_group(
    group: &mut Group,
    first: bool,
    key: ClientKey,
    attribution: Attribution,
    settings: Vec<&crate::evidence::fold::ClientSetting>,
    matched: &HashMap<&str, BTreeSet<String>>,
    evidence: &Evidence,
) {
    for setting in settings {
        let tie = if setting.names.application.is_some() {
            Tie::Named
        } else {
            match matched[setting.source.as_str()].len() {
                1 => Tie::Sole,
                n => Tie::Shared(n),
            }
        };
        group
            .settings
            .insert(setting.source.clone(), (setting.clone(), tie));
    }
    if let Some(o) = evidence.override_for(&key) {
        group.overrides.insert(o.source.clone(), o.clone());
    }
    let Attribution {
        stats,
        findings,
        address_clients,
        consistent_fallbacks,
    } = attribution;
    if consistent_fallbacks {
        group.consistent_fallbacks.merge(stats.prefer_fallbacks);
    } else if stats.prefer_fallbacks.count > 0 {
        let chance = &mut group.chance_fallbacks;
        chance.tally.merge(stats.prefer_fallbacks);
        chance.plain_sessions += stats.plain_sessions;
        chance.address_clients = chance.address_clients.max(address_clients);
    }
    if first {
        group.stats = *stats;
    } else {
        group.stats.merge(&stats);
    }
    for (finding, attributed) in findings {
        // The same address finding reaches a group once, however many of
        // its clients it was attributed to.
        group.findings.entry(finding).or_insert(attributed);
    }
    let ClientKey {
        instance,
        engine,
        user,
        database,
        application,
        client_host,
    } = key;
    group.instances.insert(instance);
    group.engines.insert(engine.name().to_string());
    group.users.insert(user);
    group.databases.insert(database);
    group.applications.insert(application);
    group.hosts.insert(client_host);
}

pub fn rfc3339(millis: Millis) -> String {
    DateTime::<Utc>::from_timestamp_millis(millis)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}

pub fn sessions(n: u64) -> String {
    if n == 1 {
        "1 session".into()
    } else {
        format!("{n} sessions")
    }
}

fn row(group: Group, failure_days: &HashMap<(String, String), crate::census::Days>) -> ReportRow {
    let decision = decide(&group);
    let stats = &group.stats;
    // The row's timeline: its sessions per day, and the failed handshakes
    // of the addresses its handshake findings came from.
    // An address with failures of several kinds or reasons is several
    // findings, but its days are counted once.
    let failing: BTreeSet<&str> = group
        .findings
        .keys()
        .filter_map(|finding| match finding {
            attribute::Finding::Handshake { host, .. } => Some(host.as_str()),
            _ => None,
        })
        .collect();
    let mut days = stats.days.clone();
    for host in failing {
        for instance in group.instances.iter() {
            if let Some(d) = failure_days.get(&(instance.to_string(), host.to_string())) {
                days.merge(d);
            }
        }
    }
    // A row of failures only is seen when its failures happened.
    let mut seen = stats.seen;
    if seen.first.is_none() {
        for attributed in group.findings.values() {
            seen.merge(attributed.tally.span);
        }
    }
    let captured = stats.captured_total();
    let union = |logged: &Counts, captured: &Counts| {
        let mut names = Distinct::default();
        for name in logged.keys().chain(captured.keys()) {
            names.insert(name.to_string());
        }
        Values::from(names)
    };
    let handshake_failures = group
        .findings
        .iter()
        .filter(|(f, _)| matches!(f, attribute::Finding::Handshake { .. }))
        .map(|(_, a)| a.tally.count)
        .sum();
    ReportRow {
        reason: reason::write(&group, &decision),
        instance: group.instances.into(),
        engine: group.engines.into(),
        user: group.users.into(),
        database: group.databases.into(),
        application: group.applications.into(),
        client_hosts: group.hosts.into(),
        first_seen: seen.first,
        last_seen: seen.last,
        // Audit-log sessions repeat those of a general log when both are
        // read: count them only where nothing better was logged. A session
        // both logged and captured is one session: the row shows the larger
        // of the logs' and the dumps' counts (the reason gives each).
        sessions: match stats.known_transport_sessions() {
            0 => stats.sessions,
            known => known,
        }
        .max(captured.sessions),
        tls_sessions: stats.tls_sessions.max(captured.tls_sessions),
        plain_sessions: stats.plain_sessions.max(captured.plain_sessions),
        tls_versions: union(&stats.tls_versions, &captured.tls_versions),
        ciphers: union(&stats.ciphers, &captured.ciphers),
        handshake_failures,
        verification: decision.verification,
        verdict: decision.verdict,
        application_names: stats.raw_names.count(),
        application_examples: Values::new(stats.raw_names.examples().to_vec()),
        drivers: Values::new(stats.drivers.keys().map(str::to_string).collect()),
        inventory: None,
        days,
    }
}

/// A report row for the writers' tests: one TLS 1.3 client of `db1`.
#[cfg(test)]
pub(crate) fn sample_row(application: &str, verdict: Verdict) -> ReportRow {
    let one = |s: &str| Values::new(vec![s.to_string()]);
    ReportRow {
        instance: one("db1"),
        engine: one("postgres"),
        user: one("app"),
        database: one("orders"),
        application: one(application),
        client_hosts: one("10.0.0.1"),
        first_seen: Some(1_700_000_000_000),
        last_seen: None,
        sessions: 4,
        tls_sessions: 3,
        plain_sessions: 1,
        tls_versions: one("TLSv1.3"),
        ciphers: Values::default(),
        handshake_failures: 0,
        verification: Verification::Unknown,
        verdict,
        reason: "r".into(),
        application_names: 1,
        application_examples: Values::default(),
        drivers: Values::default(),
        inventory: None,
        days: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_by_names_what_it_cannot_read() {
        use GroupField::*;
        let table: [(&str, Result<Vec<GroupField>, GroupByError>); 6] = [
            (" user , application ", Ok(vec![User, Application])),
            ("client_host,,engine", Ok(vec![ClientHost, Engine])),
            (
                "instance, colour",
                Err(GroupByError::UnknownField("colour".into())),
            ),
            (" , ", Err(GroupByError::NoField)),
            (
                "user,application, user",
                Err(GroupByError::FieldTwice("user".into())),
            ),
            ("", Err(GroupByError::NoField)),
        ];
        for (text, want) in table {
            assert_eq!(text.parse::<GroupBy>().map(|g| g.0), want, "{text:?}");
        }
        assert_eq!(
            GroupByError::FieldTwice("user".into()).to_string(),
            "--group-by names a field twice: \"user\""
        );
    }

    #[test]
    fn values_keep_one_value_bare_and_join_several() {
        // (items, as_str, capped at 2)
        let table: [(&[&str], &str, &str); 5] = [
            (&[], "", ""),
            (&[""], "", ""),
            (&["a"], "a", "a"),
            (&["a", "b"], "a;b", "a;b"),
            (&["a", "b", "c"], "a;b;c", "a;b;… and 1 more"),
        ];
        for (items, joined, capped) in table {
            let owned: Vec<String> = items.iter().map(|s| s.to_string()).collect();
            let values = Values::new(owned.clone());
            assert_eq!(values.as_str(), joined, "{items:?}");
            assert_eq!(values.items(), owned.as_slice(), "{items:?}");
            assert_eq!(values.capped(2), capped, "{items:?}");
            assert_eq!(values.is_empty(), joined.is_empty(), "{items:?}");
        }
    }
}
