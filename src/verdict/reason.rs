//! Words for a [`Decision`]: what the logs showed, what proved or hinted
//! at verification, which settings were used and how, and what to do. The
//! verdict is already decided; nothing here changes it.
//!
//! Address-level findings are aggregated per kind across addresses (count,
//! dates, the addresses with most events, "and N more"), so a busy instance
//! gives a sentence, not a clause per address.

use std::collections::BTreeMap;

use sslcensus_parsers::dump::schemas::driver_of_application;
use sslcensus_parsers::observation::FailureKind;

use super::attribute::{Attributed, Finding};
use super::rules::{Claim, Decision, Group, Proof, SettingUse, Tie, claim, rejection_proves};
use super::{Verdict, Verification, drivers, sessions};
use crate::census::{Rejection, Span, Tally, TransportKey, UNKNOWN};
use crate::evidence::fold::ClientSetting;

/// Addresses named in one clause; the rest are counted.
const NAMED_ADDRESSES: usize = 3;
/// Settings cited in full; the rest are counted.
const CITED_SETTINGS: usize = 5;

fn day(millis: Option<i64>) -> String {
    millis
        .and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_millis)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "time unknown".to_string())
}

fn days(span: Span) -> String {
    let (first, last) = (day(span.first), day(span.last));
    if first == last {
        format!("on {first}")
    } else {
        format!("{first}..{last}")
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

/// A finding without its address: what is aggregated across addresses.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Kind<'a> {
    Handshake(FailureKind, &'a str),
    Abandoned,
    Rejected(&'a crate::census::RejectedAttempt),
}

/// One kind of finding over all its addresses.
#[derive(Debug, Default)]
struct Across<'a> {
    tally: Tally,
    by_host: Vec<(&'a str, Attributed)>,
}

impl Across<'_> {
    /// `from 10.0.0.1` or `from 12 addresses (10.0.0.1 ×40, … and 9 more)`.
    fn origin(&self) -> String {
        if let [(host, _)] = self.by_host.as_slice() {
            return format!("from {}", host_label(host));
        }
        let mut hosts = self.by_host.clone();
        hosts.sort_by(|a, b| b.1.tally.count.cmp(&a.1.tally.count).then(a.0.cmp(b.0)));
        let named: Vec<String> = hosts
            .iter()
            .take(NAMED_ADDRESSES)
            .map(|(h, a)| format!("{} ×{}", host_label(h), a.tally.count))
            .collect();
        let rest = hosts.len().saturating_sub(NAMED_ADDRESSES);
        let more = if rest > 0 {
            format!(" and {rest} more")
        } else {
            String::new()
        };
        format!(
            "from {} addresses ({}{more})",
            hosts.len(),
            named.join(", ")
        )
    }

    /// How the finding was shared with other clients of its addresses.
    fn shared(&self) -> String {
        let shared: Vec<usize> = self
            .by_host
            .iter()
            .map(|(_, a)| a.candidates)
            .filter(|&n| n > 1)
            .collect();
        match (self.by_host.len(), shared.as_slice()) {
            (_, []) => String::new(),
            (1, [n]) => {
                format!(" (attributed to each of the {n} TLS clients seen from that address)")
            }
            (_, s) => format!(
                " (attributed to every TLS client of its address; shared with others at {} of those addresses)",
                s.len()
            ),
        }
    }
}

fn aggregate(findings: &BTreeMap<Finding, Attributed>) -> BTreeMap<Kind<'_>, Across<'_>> {
    let mut kinds: BTreeMap<Kind<'_>, Across<'_>> = BTreeMap::new();
    for (finding, attributed) in findings {
        let kind = match finding {
            Finding::Handshake { kind, reason, .. } => Kind::Handshake(*kind, reason),
            Finding::Abandoned { .. } => Kind::Abandoned,
            Finding::Rejected { attempt, .. } => Kind::Rejected(attempt),
        };
        let across = kinds.entry(kind).or_default();
        across.tally.merge(attributed.tally);
        across.by_host.push((finding.host(), *attributed));
    }
    kinds
}

/// `2026-11-29 04:01..04:31`, `2026-11-29 04:01..2026-11-30 02:10`,
/// `at 2026-11-29 04:01`.
fn minutes(span: Span) -> String {
    let at = |millis: Option<i64>| {
        millis.and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_millis)
    };
    match (at(span.first), at(span.last)) {
        (Some(first), Some(last))
            if first.format("%F %R").to_string() == last.format("%F %R").to_string() =>
        {
            format!("at {}", first.format("%F %R"))
        }
        (Some(first), Some(last)) if first.date_naive() == last.date_naive() => {
            format!("{}..{}", first.format("%F %R"), last.format("%R"))
        }
        (Some(first), Some(last)) => format!("{}..{}", first.format("%F %R"), last.format("%F %R")),
        _ => "at times unknown".to_string(),
    }
}

/// `all 14 sessions`, `its only session`, `3 of 14 sessions`.
fn share(n: u64, base: u64) -> String {
    match (n == base, n) {
        (true, 1) => "its only session".to_string(),
        (true, _) => format!("all {n} sessions"),
        (false, _) => format!("{n} of {}", sessions(base)),
    }
}

/// One clause per session view: what its captures showed, each session
/// counted once, and over which captures — a sampler sees only the
/// sessions open at capture time.
fn captured_clauses(group: &Group, reason: &mut Vec<String>) {
    for (source, c) in &group.stats.captured {
        let mut parts = Vec::new();
        if c.tls_sessions > 0 {
            let versions: Vec<&str> = c.tls_versions.keys().collect();
            let tls = if versions.is_empty() {
                "TLS".to_string()
            } else {
                versions.join("/")
            };
            parts.push(format!("{tls} in {}", share(c.tls_sessions, c.sessions)));
        }
        if c.plain_sessions > 0 {
            parts.push(format!(
                "plaintext in {}",
                share(c.plain_sessions, c.sessions)
            ));
        }
        if c.login_only_sessions > 0 {
            parts.push(format!(
                "encrypt_option FALSE in {} (only the login was encrypted; whether that handshake checked the certificate depends on the driver)",
                share(c.login_only_sessions, c.sessions)
            ));
        }
        if c.unknown_transport_sessions > 0 {
            parts.push(format!(
                "transport not shown in {} (the view has no TLS column)",
                share(c.unknown_transport_sessions, c.sessions)
            ));
        }
        let captures = match c.captures.len() {
            1 => "1 capture".to_string(),
            n => format!("{n} captures"),
        };
        reason.push(format!(
            "{source}: {} across {captures} {} (a sampler sees only the sessions open at capture time)",
            parts.join(", "),
            minutes(c.span)
        ));
        if c.client_certificates > 0 {
            reason.push(format!(
                "{source}: a client certificate (client_dn) in {}: the server checked the client's certificate, which says nothing about the client checking the server's",
                sessions(c.client_certificates)
            ));
        }
    }
    let drivers: Vec<&str> = group.stats.drivers.keys().collect();
    if !drivers.is_empty() {
        reason.push(format!("client driver: {}", drivers.join(", ")));
    }
}

fn sessions_clause(group: &Group, reason: &mut Vec<String>) {
    let stats = &group.stats;
    let known = stats.known_transport_sessions();
    if stats.sessions == 0 {
        if stats.captured.is_empty() {
            reason.push("no session established in the logs".to_string());
        }
        captured_clauses(group, reason);
        return;
    }
    let window = days(stats.seen);
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
        let versions: Vec<&str> = stats.tls_versions.keys().collect();
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
    let source = if stats.captured.is_empty() {
        ""
    } else {
        "logs: "
    };
    reason.push(format!("{source}{} {window}", parts.join(", ")));
    if known > 0 && stats.unknown_transport_sessions > 0 {
        reason.push(format!(
            "the audit log recorded {} too (without transport)",
            sessions(stats.unknown_transport_sessions)
        ));
    }
    captured_clauses(group, reason);
}

fn fallback_clauses(group: &Group, reason: &mut Vec<String>) {
    let consistent = group.consistent_fallbacks;
    if consistent.count > 0 {
        reason.push(format!(
            "sslmode=prefer fallback {} {}: a certificate rejection, then a plaintext session from the same address within 1 s — the client verifies against a stale root certificate and silently drops TLS",
            times(consistent.count),
            days(consistent.span)
        ));
    }
    let unchecked = group.stats.unchecked_plaintext;
    if unchecked > 0 {
        reason.push(format!(
            "{unchecked} plaintext session{} {}: whether {} an sslmode=prefer fallback after a certificate rejection cannot be told from this log",
            if unchecked == 1 { "" } else { "s" },
            if group.stats.pushdown_sessions > 0 {
                "logged without a time or client address, or counted by Logs Insights from an address with certificate rejections"
            } else {
                "logged without a time or client address"
            },
            if unchecked == 1 { "it was" } else { "they were" },
        ));
    }
    let pushed = group.stats.pushdown_sessions;
    if pushed > 0 {
        reason.push(format!(
            "{pushed} session{} counted by CloudWatch Logs Insights (--insights): lines counted, not tied by pid, so an sslmode=prefer fallback cannot be seen",
            if pushed == 1 { "" } else { "s" },
        ));
    }
    let chance = &group.chance_fallbacks;
    // Only patterns the rules found inconsistent land here.
    if chance.tally.count > 0 {
        reason.push(format!(
            "a plaintext session followed a certificate rejection from the same address within 1 s {} {} ({} of {} plaintext sessions, on addresses up to {} clients share): chance timing on a busy address, a hint, not proof",
            times(chance.tally.count),
            days(chance.tally.span),
            chance.tally.count,
            chance.plain_sessions,
            chance.address_clients
        ));
    }
}

fn finding_clauses(group: &Group, reason: &mut Vec<String>) {
    for (kind, across) in aggregate(&group.findings) {
        let tally = across.tally;
        let shared = across.shared();
        let from = across.origin();
        match kind {
            Kind::Handshake(failure, text) => {
                let what = match failure {
                    FailureKind::CertificateRejected => {
                        let proves = across
                            .by_host
                            .iter()
                            .any(|(_, a)| rejection_proves(failure, a));
                        let sole_but_unproven = !proves
                            && across.by_host.iter().any(|(_, a)| a.candidates == 1);
                        if across.by_host.iter().all(|(_, a)| a.hint_only) {
                            "a client at this address rejected the server certificate, and this plaintext client is the only one seen there: an sslmode=prefer client whose plaintext retry was logged before the rejection, or another client that never got in — a hint, not proof".to_string()
                        } else if sole_but_unproven {
                            "a client rejected the server certificate, but others connect from that address too and this one kept connecting (or it happened once): a hint, not proof".to_string()
                        } else {
                            "the client rejected the server certificate".to_string()
                        }
                    }
                    FailureKind::Negotiation => {
                        "TLS negotiation failed, not a trust problem".to_string()
                    }
                    FailureKind::Aborted => "the handshake ended without a reason (a client rejecting the certificate, a TLS version mismatch, or a probe)".to_string(),
                    FailureKind::Other => "unclassified handshake failure".to_string(),
                };
                reason.push(format!(
                    "server logged '{text}' {from} {} {}: {what}{shared}",
                    times(tally.count),
                    days(tally.span)
                ));
            }
            Kind::Abandoned => {
                reason.push(format!(
                    "{} {from} received with nothing logged after {} (a verify-full hostname mismatch, or health checks): a hint, not proof{shared}",
                    if tally.count == 1 {
                        "1 connection".to_string()
                    } else {
                        format!("{} connections", tally.count)
                    },
                    days(tally.span)
                ));
            }
            Kind::Rejected(attempt) => {
                let over = match attempt.transport {
                    TransportKey::Tls => " over TLS",
                    TransportKey::Gss => " over GSSAPI encryption",
                    TransportKey::Plain => " without encryption",
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
                    "{} as {} {from} {what} {}{shared}",
                    if tally.count == 1 {
                        "1 login".to_string()
                    } else {
                        format!("{} logins", tally.count)
                    },
                    attempt.user,
                    days(tally.span)
                ));
            }
        }
    }
}

fn describe_setting(s: &ClientSetting, tie: Tie, usage: SettingUse) -> String {
    let what = match claim(s) {
        Claim::NoTls => "no TLS",
        Claim::Verifies => "verifies the chain",
        Claim::TlsWithoutVerification => "does not verify",
        Claim::Undecided => "verification not decidable",
    };
    let bundle = s
        .trust_store_rds_cas
        .as_deref()
        .map(|cas| format!(", its trust store holds: {cas}"))
        .unwrap_or_default();
    let part = match (usage, tie) {
        (SettingUse::Conflicts, _) => ": disagrees with the logs",
        (SettingUse::Candidate, Tie::Shared(n)) => {
            return format!(
                "{} ({}) {what}{bundle}: a candidate only, it names no application and matches {n} (give --app-map or application_name)",
                s.source, s.stack
            );
        }
        _ => "",
    };
    format!("{} ({}) {what}{bundle}{part}", s.source, s.stack)
}

fn settings_clause(group: &Group, decision: &Decision, reason: &mut Vec<String>) {
    if group.settings.is_empty() {
        return;
    }
    let mut cited: Vec<String> = group
        .settings
        .iter()
        .take(CITED_SETTINGS)
        .map(|(source, (setting, tie))| describe_setting(setting, *tie, decision.settings[source]))
        .collect();
    if group.settings.len() > CITED_SETTINGS {
        cited.push(format!("{} more", group.settings.len() - CITED_SETTINGS));
    }
    let settled = decision
        .settings
        .values()
        .any(|u| *u == SettingUse::Settles);
    let heading = if decision.has_conflict() {
        " (they disagree with the sessions logged: still to check)"
    } else if settled || decision.analyst.is_some() {
        ""
    } else if decision.logged == Verification::Unknown {
        " (conflicting, incomplete or not tied to this application: still to check)"
    } else {
        ""
    };
    reason.push(format!("client settings{heading}: {}", cited.join("; ")));
}

fn analyst_clause(group: &Group, reason: &mut Vec<String>) {
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
    }
}

/// The client settings that decide verification, per engine (FORMATS.md).
fn settings_to_check(group: &Group) -> String {
    let names: Vec<&str> = group
        .engines
        .iter()
        .map(|engine| match engine {
            "postgres" => "sslmode, sslrootcert",
            "mysql" | "mariadb" => "ssl-mode, ssl-ca, ssl-verify-server-cert",
            "oracle" => "wallet, SSL_SERVER_DN_MATCH",
            "sqlserver" => "Encrypt, TrustServerCertificate",
            _ => "TLS options",
        })
        .collect();
    format!(" ({})", names.join("; "))
}

/// The drivers the sessions name: the dumps' (connect attributes,
/// client_interface_name) and a driver's default application_name.
fn named_drivers(group: &Group) -> Vec<&str> {
    let mut names: Vec<&str> = group.stats.drivers.keys().collect();
    for application in group.applications.iter() {
        names.extend(driver_of_application(application));
    }
    names
}

fn conclusion(group: &Group, decision: &Decision) -> String {
    let unknown_app = group.applications.iter().all(|a| a == UNKNOWN);
    let no_address = group.hosts.iter().all(str::is_empty);
    let what = match (decision.verdict, unknown_app) {
        (Verdict::Affected, true) if no_address => {
            "verifies: some client of this instance must get the new CA in its trust store; the log gave no address to find it by (PostgreSQL: %r or %h in log_line_prefix)"
        }
        (Verdict::Affected, true) => {
            "verifies: find the client at this address and update its trust store"
        }
        (Verdict::Affected, false) => {
            "verifies: update its trust store with the new CA before the rotation"
        }
        (Verdict::Review, _) => "verification unknown: check the client's TLS settings",
        (Verdict::NotAffected, _) if decision.verification == Verification::DoesNotVerify => {
            "does not verify: not affected by the rotation"
        }
        (Verdict::NotAffected, _) => "no TLS: not affected by the rotation",
    };
    if decision.verdict == Verdict::Review {
        format!("{what}{}", settings_to_check(group))
    } else {
        what.to_string()
    }
}

/// The reason cell of a row.
pub fn write(group: &Group, decision: &Decision) -> String {
    let stats = &group.stats;
    let mut reason: Vec<String> = Vec::new();
    sessions_clause(group, &mut reason);
    if decision.proofs.contains(&Proof::VerifyingProtocol) {
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
    fallback_clauses(group, &mut reason);
    finding_clauses(group, &mut reason);
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
    analyst_clause(group, &mut reason);
    settings_clause(group, decision, &mut reason);
    if decision.verdict == Verdict::Review {
        reason.extend(drivers::to_check(&named_drivers(group)));
    }
    reason.push(conclusion(group, decision));
    reason.join("; ")
}
