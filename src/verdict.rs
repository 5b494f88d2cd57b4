//! Census → report rows: attribute address-level evidence (failed handshakes,
//! abandoned handshakes, rejections) to the clients seen from each address,
//! group clients as asked, and judge each group.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use sslcensus_parsers::observation::FailureKind;
use sslcensus_parsers::{Engine, Millis};

use crate::census::{
    AddressKey, Census, ClientKey, ClientStats, RejectedAttempt, Rejection, Tally, TransportKey,
    UNKNOWN,
};
use crate::evidence::Fact;
use crate::evidence::fold::{ClientSetting, Evidence, Override};

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
        Ok(GroupBy(fields))
    }
}

/// One row of the report, in the CSV's column order.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub instance: String,
    pub engine: String,
    pub user: String,
    pub database: String,
    pub application: String,
    pub client_hosts: String,
    pub first_seen: Option<Millis>,
    pub last_seen: Option<Millis>,
    pub sessions: u64,
    pub tls_sessions: u64,
    pub plain_sessions: u64,
    pub tls_versions: String,
    pub ciphers: String,
    pub handshake_failures: u64,
    pub verification: Verification,
    pub verdict: Verdict,
    pub reason: String,
}

/// Address-level evidence as attributed to a client.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Finding {
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

/// A finding with its tally and how many clients it was attributed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Attributed {
    tally: Tally,
    /// Clients seen from the address it could belong to (0: none, the row
    /// exists only for this finding).
    candidates: usize,
}

#[derive(Debug, Default)]
struct Group {
    stats: ClientStats,
    findings: BTreeMap<Finding, Attributed>,
    instances: BTreeSet<String>,
    engines: BTreeSet<String>,
    users: BTreeSet<String>,
    databases: BTreeSet<String>,
    applications: BTreeSet<String>,
    hosts: BTreeSet<String>,
    /// Client settings that point at the group's clients, by `file:line`.
    settings: BTreeMap<String, ClientSetting>,
    overrides: BTreeMap<String, Override>,
}

fn unknown_client(address: &AddressKey, user: &str, database: &str) -> ClientKey {
    ClientKey {
        instance: address.instance.clone(),
        engine: address.engine,
        user: user.to_string(),
        database: database.to_string(),
        application: UNKNOWN.to_string(),
        client_host: address.host.clone(),
    }
}

/// Attributes each address's findings to the clients seen from it, or to a
/// row of its own when none match: nothing is dropped.
fn attribute(census: &Census) -> HashMap<ClientKey, (ClientStats, Vec<(Finding, Attributed)>)> {
    let mut clients: HashMap<ClientKey, (ClientStats, Vec<(Finding, Attributed)>)> = census
        .clients
        .iter()
        .map(|(k, s)| (k.clone(), (s.clone(), Vec::new())))
        .collect();
    let mut by_address: HashMap<(&str, &str), Vec<&ClientKey>> = HashMap::new();
    for key in census.clients.keys() {
        by_address
            .entry((key.instance.as_str(), key.client_host.as_str()))
            .or_default()
            .push(key);
    }
    let mut orphan_findings: Vec<(ClientKey, Finding, Tally)> = Vec::new();
    let mut give = |targets: Vec<&ClientKey>, orphan: ClientKey, finding: Finding, tally: Tally| {
        if targets.is_empty() {
            orphan_findings.push((orphan, finding, tally));
            return;
        }
        let attributed = Attributed {
            tally,
            candidates: targets.len(),
        };
        for key in targets {
            let entry = clients
                .get_mut(key)
                .expect("candidate keys come from the census");
            entry.1.push((finding.clone(), attributed));
        }
    };
    for (address, stats) in &census.addresses {
        let seen = by_address
            .get(&(address.instance.as_str(), address.host.as_str()))
            .map(Vec::as_slice)
            .unwrap_or_default();
        // Only clients that use TLS can fail a handshake or abandon one
        // after a hostname check.
        let tls_clients = || -> Vec<&ClientKey> {
            seen.iter()
                .copied()
                .filter(|k| census.clients[*k].attempted_tls())
                .collect()
        };
        for ((kind, reason), tally) in &stats.handshake_failures {
            let finding = Finding::Handshake {
                host: address.host.clone(),
                kind: *kind,
                reason: reason.clone(),
            };
            give(
                tls_clients(),
                unknown_client(address, UNKNOWN, UNKNOWN),
                finding,
                *tally,
            );
        }
        if stats.abandoned.count > 0 {
            let finding = Finding::Abandoned {
                host: address.host.clone(),
            };
            give(
                tls_clients(),
                unknown_client(address, UNKNOWN, UNKNOWN),
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
                unknown_client(address, &attempt.user, database),
                finding,
                *tally,
            );
        }
    }
    for (key, finding, tally) in orphan_findings {
        let attributed = Attributed {
            tally,
            candidates: 0,
        };
        clients
            .entry(key)
            .or_default()
            .1
            .push((finding, attributed));
    }
    clients
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
    // A client known only by its address stays one row per address: two
    // unknown clients are not one application. MySQL-family logs never name
    // the application, so there the address is what tells clients apart.
    let nameless = key.application == UNKNOWN
        || (key.application.is_empty() && matches!(key.engine, Engine::Mysql | Engine::Mariadb));
    if nameless && !by.0.contains(&GroupField::ClientHost) {
        fields.push(key.client_host.clone());
    }
    fields
}

/// Judges every client group in the census; rows come sorted: affected,
/// review, not affected, then by instance, user, database, application.
pub fn judge(census: &Census, by: &GroupBy, evidence: &Evidence) -> Vec<ReportRow> {
    let mut groups: BTreeMap<Vec<String>, Group> = BTreeMap::new();
    for (key, (stats, findings)) in attribute(census) {
        let group = groups.entry(group_key(&key, by)).or_default();
        for setting in evidence.settings_for(&key) {
            group
                .settings
                .insert(setting.source.clone(), setting.clone());
        }
        if let Some(o) = evidence.override_for(&key) {
            group.overrides.insert(o.source.clone(), o.clone());
        }
        group.stats.merge(&stats);
        for (finding, attributed) in findings {
            // The same address finding reaches a group once, however many
            // of its clients it was attributed to.
            group.findings.entry(finding).or_insert(attributed);
        }
        group.instances.insert(key.instance);
        group.engines.insert(key.engine.name().to_string());
        group.users.insert(key.user);
        group.databases.insert(key.database);
        group.applications.insert(key.application);
        group.hosts.insert(key.client_host);
    }
    let mut rows: Vec<ReportRow> = groups.into_values().map(row).collect();
    rows.sort_by(|a, b| {
        (
            a.verdict,
            &a.instance,
            &a.user,
            &a.database,
            &a.application,
            &a.client_hosts,
        )
            .cmp(&(
                b.verdict,
                &b.instance,
                &b.user,
                &b.database,
                &b.application,
                &b.client_hosts,
            ))
    });
    rows
}

/// Distinct values of a column, `;`-separated (a group may span several).
fn list(values: &BTreeSet<String>) -> String {
    values
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(";")
}

fn counted(values: &BTreeMap<String, u64>) -> String {
    values
        .keys()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(";")
}

pub fn rfc3339(millis: Millis) -> String {
    DateTime::<Utc>::from_timestamp_millis(millis)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}

fn day(millis: Option<Millis>) -> String {
    millis
        .and_then(DateTime::<Utc>::from_timestamp_millis)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "time unknown".to_string())
}

fn days(tally: &Tally) -> String {
    let (first, last) = (day(tally.span.first), day(tally.span.last));
    if first == last {
        format!("on {first}")
    } else {
        format!("{first}..{last}")
    }
}

pub fn sessions(n: u64) -> String {
    if n == 1 {
        "1 session".into()
    } else {
        format!("{n} sessions")
    }
}

fn times(n: u64) -> String {
    if n == 1 {
        "once".into()
    } else {
        format!("{n} times")
    }
}

fn host_label(host: &str) -> String {
    if host.is_empty() {
        "an unknown address".into()
    } else {
        host.to_string()
    }
}

/// Settles verification with outside evidence: the analyst's word wins;
/// client settings decide only what the logs left open, and only when they
/// agree. Every piece used is cited in the reason.
fn with_evidence(logged: Verification, group: &Group, reason: &mut Vec<String>) -> Verification {
    if let Some(o) = group.overrides.values().next() {
        let said = if o.verifies {
            "verifies"
        } else {
            "does not verify"
        };
        let note = if o.note.is_empty() {
            String::new()
        } else {
            format!(": {}", o.note)
        };
        reason.push(format!("analyst ({}): {said}{note}", o.source));
        return if o.verifies {
            Verification::Verifies
        } else {
            Verification::DoesNotVerify
        };
    }
    if group.settings.is_empty() {
        return logged;
    }
    const CITED: usize = 5;
    let describe = |s: &ClientSetting| {
        let what = match (s.uses_tls, s.verifies_chain) {
            (Fact::No, _) => "no TLS",
            (_, Fact::Yes) => "verifies the chain",
            (_, Fact::No) => "does not verify",
            (_, Fact::Unknown) => "verification not decidable",
        };
        let bundle = s
            .trust_store_rds_cas
            .as_deref()
            .map(|cas| format!(", its trust store holds: {cas}"))
            .unwrap_or_default();
        format!("{} ({}) {what}{bundle}", s.source, s.stack)
    };
    let mut cited: Vec<String> = group.settings.values().take(CITED).map(describe).collect();
    if group.settings.len() > CITED {
        cited.push(format!("{} more", group.settings.len() - CITED));
    }
    let verifying = group
        .settings
        .values()
        .filter(|s| s.verifies_chain == Fact::Yes && s.uses_tls != Fact::No)
        .count();
    let not_verifying = group
        .settings
        .values()
        .filter(|s| s.uses_tls == Fact::No || s.verifies_chain == Fact::No)
        .count();
    let all = group.settings.len();
    let settled = match logged {
        Verification::Unknown if verifying == all => Verification::Verifies,
        Verification::Unknown if not_verifying == all => Verification::DoesNotVerify,
        other => other,
    };
    let conflict = logged == Verification::Unknown && settled == Verification::Unknown;
    reason.push(format!(
        "client settings{}: {}",
        if conflict {
            " (conflicting or incomplete: still to check)"
        } else {
            ""
        },
        cited.join("; ")
    ));
    settled
}

/// The client settings that decide verification, per engine (FORMATS.md).
fn settings_to_check(engines: &BTreeSet<String>) -> String {
    let names: Vec<&str> = engines
        .iter()
        .map(|engine| match engine.as_str() {
            "postgres" => "sslmode, sslrootcert",
            "mysql" | "mariadb" => "ssl-mode, ssl-ca, ssl-verify-server-cert",
            "oracle" => "wallet, SSL_SERVER_DN_MATCH",
            "sqlserver" => "Encrypt, TrustServerCertificate",
            _ => "TLS options",
        })
        .collect();
    format!(" ({})", names.join("; "))
}

fn row(group: Group) -> ReportRow {
    let stats = &group.stats;
    let mut reason: Vec<String> = Vec::new();
    let mut handshake_failures = 0;
    let mut proven = stats.prefer_fallbacks.count > 0 || stats.verifying_protocol_sessions > 0;
    let mut tls_hint = false;
    let mut plain_attempts = false;

    let known = stats.known_transport_sessions();
    if stats.sessions > 0 {
        let window = days(&Tally {
            count: stats.sessions,
            span: stats.seen,
        });
        let base = if known > 0 { known } else { stats.sessions };
        let of_all = |n: u64| {
            if n == base {
                if n == 1 {
                    "its only session".to_string()
                } else {
                    format!("all {n} sessions")
                }
            } else {
                format!("{n} of {}", sessions(base))
            }
        };
        let mut parts = Vec::new();
        if stats.tls_sessions > 0 {
            let versions: Vec<&str> = stats.tls_versions.keys().map(String::as_str).collect();
            let tls = if versions.is_empty() {
                "TLS".to_string()
            } else {
                versions.join("/")
            };
            parts.push(format!("{tls} in {}", of_all(stats.tls_sessions)));
        }
        if stats.gss_sessions > 0 {
            parts.push(format!(
                "GSSAPI encryption in {}",
                of_all(stats.gss_sessions)
            ));
        }
        if stats.plain_sessions > 0 {
            parts.push(format!("plaintext in {}", of_all(stats.plain_sessions)));
        }
        if known == 0 {
            parts.push(format!(
                "transport not logged in {} (audit log only: it never says whether TLS was used)",
                of_all(stats.unknown_transport_sessions)
            ));
        }
        reason.push(format!("{} {window}", parts.join(", ")));
        if known > 0 && stats.unknown_transport_sessions > 0 {
            reason.push(format!(
                "the audit log recorded {} too (without transport)",
                sessions(stats.unknown_transport_sessions)
            ));
        }
    }
    if stats.sessions == 0 {
        reason.push("no session established in the logs".to_string());
    }
    if stats.verifying_protocol_sessions > 0 {
        reason.push(format!(
            "Oracle Net TCPS in {}: it always checks the server certificate against the client's wallet or truststore",
            sessions(stats.verifying_protocol_sessions)
        ));
    }
    if stats.replication_sessions > 0 {
        reason.push(format!(
            "{} replication sessions",
            stats.replication_sessions
        ));
    }
    if stats.prefer_fallbacks.count > 0 {
        reason.push(format!(
            "sslmode=prefer fallback {} {}: a certificate rejection, then a plaintext session from the same address within 1 s — the client verifies against a stale root certificate and silently drops TLS",
            times(stats.prefer_fallbacks.count),
            days(&stats.prefer_fallbacks)
        ));
    }
    for (finding, attributed) in &group.findings {
        let Attributed { tally, candidates } = *attributed;
        let shared = match candidates {
            0 => String::new(),
            1 => String::new(),
            n => format!(" (attributed to each of the {n} TLS clients seen from that address)"),
        };
        match finding {
            Finding::Handshake {
                host,
                kind,
                reason: text,
            } => {
                handshake_failures += tally.count;
                let what = match kind {
                    FailureKind::CertificateRejected => {
                        proven |= candidates <= 1;
                        tls_hint = true;
                        "the client rejected the server certificate"
                    }
                    FailureKind::Negotiation => "TLS negotiation failed, not a trust problem",
                    FailureKind::Aborted => {
                        "the handshake ended without a reason (a client rejecting the certificate, a TLS version mismatch, or a probe)"
                    }
                    FailureKind::Other => "unclassified handshake failure",
                };
                tls_hint |= *kind != FailureKind::CertificateRejected;
                reason.push(format!(
                    "server logged '{text}' from {} {} {}: {what}{shared}",
                    host_label(host),
                    times(tally.count),
                    days(&tally)
                ));
            }
            Finding::Abandoned { host } => {
                tls_hint = true;
                reason.push(format!(
                    "{} from {} received with nothing logged after {} (a verify-full hostname mismatch, or health checks): a hint, not proof{shared}",
                    if tally.count == 1 { "1 connection".to_string() } else { format!("{} connections", tally.count) },
                    host_label(host),
                    days(&tally)
                ));
            }
            Finding::Rejected { host, attempt } => {
                let over = match attempt.transport {
                    TransportKey::Tls => {
                        tls_hint = true;
                        " over TLS"
                    }
                    TransportKey::Gss => " over GSSAPI encryption",
                    TransportKey::Plain => {
                        plain_attempts = true;
                        " without encryption"
                    }
                    TransportKey::Unknown => "",
                };
                let what = match &attempt.rejection {
                    Rejection::Hba => format!("rejected by pg_hba.conf{over}"),
                    Rejection::Authentication(method) => {
                        format!("failed {method} authentication{over}")
                    }
                    Rejection::Refused(reason) => format!("refused ({reason}){over}"),
                };
                reason.push(format!(
                    "{} as {} from {} {what} {}{shared}",
                    if tally.count == 1 {
                        "1 login".to_string()
                    } else {
                        format!("{} logins", tally.count)
                    },
                    attempt.user,
                    host_label(host),
                    days(&tally)
                ));
            }
        }
    }
    if stats.clause_imitations > 0 {
        reason.push(format!(
            "{} plaintext: the application name imitates the SSL clause, and the name the server stored shows it",
            sessions(stats.clause_imitations)
        ));
    }
    if stats.ambiguous_tls > 0 {
        reason.push(format!(
            "the application name of {} sessions contains text shaped like the SSL clause: their TLS reading is uncertain",
            stats.ambiguous_tls
        ));
    }
    let unknown_app = group.applications.iter().all(|a| a == UNKNOWN);
    let logged = if proven {
        Verification::Verifies
    } else if stats.attempted_tls() || tls_hint {
        Verification::Unknown
    } else if stats.known_transport_sessions() > 0 || plain_attempts {
        Verification::NoTls
    } else {
        Verification::Unknown
    };
    let verification = with_evidence(logged, &group, &mut reason);
    let verdict = match verification {
        Verification::Verifies => Verdict::Affected,
        Verification::Unknown => Verdict::Review,
        Verification::NoTls | Verification::DoesNotVerify => Verdict::NotAffected,
    };
    reason.push(
        match (verdict, unknown_app) {
            (Verdict::Affected, true) => {
                "verifies: find the client at this address and update its trust store"
            }
            (Verdict::Affected, false) => {
                "verifies: update its trust store with the new CA before the rotation"
            }
            (Verdict::Review, _) => "verification unknown: check the client's TLS settings",
            (Verdict::NotAffected, _) if verification == Verification::DoesNotVerify => {
                "does not verify: not affected by the rotation"
            }
            (Verdict::NotAffected, _) => "no TLS: not affected by the rotation",
        }
        .to_string()
            + &if verdict == Verdict::Review {
                settings_to_check(&group.engines)
            } else {
                String::new()
            },
    );
    ReportRow {
        instance: list(&group.instances),
        engine: list(&group.engines),
        user: list(&group.users),
        database: list(&group.databases),
        application: list(&group.applications),
        client_hosts: list(&group.hosts),
        first_seen: stats.seen.first,
        last_seen: stats.seen.last,
        // Audit-log sessions repeat those of a general log when both are
        // read: count them only where nothing better was logged.
        sessions: match stats.known_transport_sessions() {
            0 => stats.sessions,
            known => known,
        },
        tls_sessions: stats.tls_sessions,
        plain_sessions: stats.plain_sessions,
        tls_versions: counted(&stats.tls_versions),
        ciphers: counted(&stats.ciphers),
        handshake_failures,
        verification,
        verdict,
        reason: reason.join("; "),
    }
}
