//! Census → report rows: attribute address-level evidence (failed handshakes,
//! abandoned handshakes, rejections) to the clients seen from each address
//! (`attribute`), group clients as asked, decide each group's verdict with
//! the rules (`rules`, a pure function) and word its reason (`reason`).

mod attribute;
pub mod reason;
pub mod rules;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use sslcensus_parsers::{Engine, Millis};

use crate::census::{Census, ClientKey, UNKNOWN};
use crate::evidence::fold::Evidence;

use attribute::attribute;
pub use rules::{Decision, Group, Tie, decide};

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

impl FromStr for GroupField {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.trim() {
            "instance" => GroupField::Instance,
            "engine" => GroupField::Engine,
            "user" => GroupField::User,
            "database" => GroupField::Database,
            "application" => GroupField::Application,
            "client_host" => GroupField::ClientHost,
            other => {
                return Err(format!(
                    "unknown group-by field {other:?} (use instance, engine, user, database, application, client_host)"
                ));
            }
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
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let fields = s
            .split(',')
            .filter(|f| !f.trim().is_empty())
            .map(str::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if fields.is_empty() {
            return Err("--group-by needs at least one field".into());
        }
        for (i, field) in fields.iter().enumerate() {
            if fields[..i].contains(field) {
                return Err(format!(
                    "--group-by names a field twice: {:?}",
                    s.split(',')
                        .map(str::trim)
                        .filter(|f| !f.is_empty())
                        .nth(i)
                        .unwrap_or_default()
                ));
            }
        }
        Ok(GroupBy(fields))
    }
}

/// The distinct values of a list column (a group may span several
/// instances, users, addresses…), sorted. CSV and the terminal show them
/// `;`-separated and capped; JSON and Parquet write them whole, as lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values {
    items: Vec<String>,
    joined: String,
}

impl Values {
    pub fn new(items: Vec<String>) -> Values {
        let joined = items.join(";");
        Values { items, joined }
    }

    /// All values, `;`-separated.
    pub fn as_str(&self) -> &str {
        &self.joined
    }

    pub fn items(&self) -> &[String] {
        &self.items
    }

    pub fn is_empty(&self) -> bool {
        self.joined.is_empty()
    }

    /// At most `n` values, `;`-separated, then how many more there are.
    pub fn capped(&self, n: usize) -> String {
        if self.items.len() <= n {
            return self.joined.clone();
        }
        format!(
            "{};… and {} more",
            self.items[..n].join(";"),
            self.items.len() - n
        )
    }
}

impl From<&BTreeSet<String>> for Values {
    fn from(set: &BTreeSet<String>) -> Values {
        Values::new(set.iter().cloned().collect())
    }
}

impl fmt::Display for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.joined)
    }
}

impl PartialEq<str> for Values {
    fn eq(&self, other: &str) -> bool {
        self.joined == other
    }
}

impl PartialEq<&str> for Values {
    fn eq(&self, other: &&str) -> bool {
        self.joined == *other
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
}

fn group_key(key: &ClientKey, by: &GroupBy) -> Vec<String> {
    let mut fields: Vec<String> =
        by.0.iter()
            .map(|field| match field {
                GroupField::Instance => key.instance.clone(),
                GroupField::Engine => key.engine.name().to_string(),
                GroupField::User => key.user.clone(),
                GroupField::Database => key.database.clone(),
                GroupField::Application => key.application.clone(),
                GroupField::ClientHost => key.client_host.clone(),
            })
            .collect();
    if is_nameless(key) && !by.0.contains(&GroupField::ClientHost) {
        fields.push(key.client_host.clone());
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
pub fn judge(census: &Census, by: &GroupBy, evidence: &Evidence) -> Vec<ReportRow> {
    let attributions = attribute(census);
    // Which applications each setting matched, over the whole census: a
    // setting that names no application and matches several can be any
    // one's.
    let mut matched: HashMap<&str, BTreeSet<String>> = HashMap::new();
    let mut settings_of: HashMap<&ClientKey, Vec<_>> = HashMap::new();
    for key in attributions.keys() {
        let settings = evidence.settings_for(key);
        for s in &settings {
            matched
                .entry(s.source.as_str())
                .or_default()
                .insert(application_identity(key));
        }
        settings_of.insert(key, settings);
    }
    let mut groups: BTreeMap<Vec<String>, Group> = BTreeMap::new();
    for (key, attribution) in &attributions {
        let group = groups.entry(group_key(key, by)).or_default();
        for setting in &settings_of[key] {
            let tie = if setting.application.is_some() {
                Tie::Named
            } else {
                match matched[setting.source.as_str()].len() {
                    1 => Tie::Sole,
                    n => Tie::Shared(n),
                }
            };
            group
                .settings
                .insert(setting.source.clone(), ((*setting).clone(), tie));
        }
        if let Some(o) = evidence.override_for(key) {
            group.overrides.insert(o.source.clone(), o.clone());
        }
        let stats = &attribution.stats;
        if attribution.consistent_fallbacks {
            group.consistent_fallbacks.merge(stats.prefer_fallbacks);
        } else if stats.prefer_fallbacks.count > 0 {
            let chance = &mut group.chance_fallbacks;
            chance.tally.merge(stats.prefer_fallbacks);
            chance.plain_sessions += stats.plain_sessions;
            chance.address_clients = chance.address_clients.max(attribution.address_clients);
        }
        group.stats.merge(stats);
        for (finding, attributed) in &attribution.findings {
            // The same address finding reaches a group once, however many
            // of its clients it was attributed to.
            group.findings.entry(finding.clone()).or_insert(*attributed);
        }
        group.instances.insert(key.instance.clone());
        group.engines.insert(key.engine.name().to_string());
        group.users.insert(key.user.clone());
        group.databases.insert(key.database.clone());
        group.applications.insert(key.application.clone());
        group.hosts.insert(key.client_host.clone());
    }
    let mut rows: Vec<ReportRow> = groups.into_values().map(|g| row(&g)).collect();
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

fn row(group: &Group) -> ReportRow {
    let decision = decide(group);
    let stats = &group.stats;
    // A row of failures only is seen when its failures happened.
    let mut seen = stats.seen;
    if seen.first.is_none() {
        for attributed in group.findings.values() {
            seen.merge(attributed.tally.span);
        }
    }
    let captured = stats.captured_total();
    let union = |logged: &BTreeMap<String, u64>, captured: &BTreeMap<String, u64>| {
        let names: BTreeSet<String> = logged.keys().chain(captured.keys()).cloned().collect();
        Values::new(names.into_iter().collect())
    };
    let handshake_failures = group
        .findings
        .iter()
        .filter(|(f, _)| matches!(f, attribute::Finding::Handshake { .. }))
        .map(|(_, a)| a.tally.count)
        .sum();
    ReportRow {
        instance: (&group.instances).into(),
        engine: (&group.engines).into(),
        user: (&group.users).into(),
        database: (&group.databases).into(),
        application: (&group.applications).into(),
        client_hosts: (&group.hosts).into(),
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
        reason: reason::write(group, &decision),
        application_names: stats.raw_names.count(),
        application_examples: Values::new(stats.raw_names.examples().to_vec()),
        drivers: Values::new(stats.drivers.keys().cloned().collect()),
    }
}
