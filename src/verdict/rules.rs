//! The verdict rules: a pure function from one report row's evidence to
//! what it shows and the verdict. Nothing here writes words; `reason.rs`
//! words the [`Decision`] afterwards, so rewording cannot change a verdict.

use std::collections::{BTreeMap, BTreeSet};

use sslcensus_parsers::observation::FailureKind;

use super::attribute::{Attributed, Finding};
use super::{Verdict, Verification};
use crate::census::{ClientStats, Tally, TransportKey};
use crate::evidence::Fact;
use crate::evidence::fold::{ClientSetting, Override};

/// How a client setting is tied to the row it matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tie {
    /// The setting names the application (`application_name`, …), or
    /// `--app-map` ties its file to the application.
    Named,
    /// It matched this one application and no other.
    Sole,
    /// It matched this many applications (sharing the user or address):
    /// it could be any one's, so it is a candidate only.
    Shared(usize),
}

impl Tie {
    pub fn settles(self) -> bool {
        !matches!(self, Tie::Shared(_))
    }
}

/// A prefer-fallback pattern seen from one address, with its context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fallbacks {
    /// Plaintext sessions that followed a certificate rejection within 1 s.
    pub tally: Tally,
    /// All plaintext sessions of that client from that address.
    pub plain_sessions: u64,
    /// Clients seen from that address.
    pub address_clients: usize,
}

/// Whether a prefer-fallback pattern is the client's own: it repeats on
/// most of its plaintext sessions, or nobody else connects from there.
pub fn fallback_is_consistent(f: &Fallbacks) -> bool {
    if f.tally.count == 0 {
        return false;
    }
    f.address_clients <= 1 || (f.tally.count >= 2 && f.tally.count * 2 > f.plain_sessions)
}

/// Whether an attributed certificate rejection proves that this client
/// verifies: it is the only TLS client of the address, and either nobody
/// else connects from there, or the rejections repeat and the client
/// stopped connecting once they began (what a rotated CA does to a
/// verifying client). Chance rejections on a busy address do neither. A
/// rejection no known client can have sent is a row of its own, and proves
/// that some client of that address verifies.
pub fn rejection_proves(kind: FailureKind, a: &Attributed) -> bool {
    kind == FailureKind::CertificateRejected
        && !a.hint_only
        && match a.candidates {
            0 => true,
            1 => a.address_clients <= 1 || (a.tally.count >= 2 && !a.client_continued),
            _ => false,
        }
}

/// The distinct values of a key field among a group's clients, sorted. A
/// sorted vector: most groups hold one value per field, where a set's
/// node would cost hundreds of bytes per row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Distinct(pub(crate) Vec<String>);

impl Distinct {
    pub fn insert(&mut self, value: String) {
        if let Err(at) = self.0.binary_search(&value) {
            self.0.insert(at, value);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

/// Everything known of one report row (a group of clients).
#[derive(Debug, Default)]
pub struct Group {
    pub stats: ClientStats,
    pub findings: BTreeMap<Finding, Attributed>,
    /// Prefer fallbacks that are the client's own pattern.
    pub consistent_fallbacks: Tally,
    /// Prefer fallbacks that may be chance timing, with the plaintext
    /// sessions and the most clients of the addresses they came from.
    pub chance_fallbacks: Fallbacks,
    pub instances: Distinct,
    pub engines: Distinct,
    pub users: Distinct,
    pub databases: Distinct,
    pub applications: Distinct,
    pub hosts: Distinct,
    /// Client settings that point at the group's clients, by `file:line`.
    pub settings: BTreeMap<String, (ClientSetting, Tie)>,
    pub overrides: BTreeMap<String, Override>,
}

/// What a setting claims about the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Claim {
    NoTls,
    /// TLS (or TLS when offered) without verifying the chain.
    TlsWithoutVerification,
    Verifies,
    /// Not decidable from the setting (a variable, an unknown default).
    Undecided,
}

pub fn claim(s: &ClientSetting) -> Claim {
    match (s.uses_tls, s.verifies_chain) {
        (Fact::No, _) => Claim::NoTls,
        (_, Fact::Yes) => Claim::Verifies,
        (_, Fact::No) => Claim::TlsWithoutVerification,
        (_, Fact::Unknown) => Claim::Undecided,
    }
}

/// How one setting was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingUse {
    /// It agrees with the logs and (with the others) decides the row.
    Settles,
    /// It agrees with the logs but another setting disagrees, or one is
    /// undecided, so the row stays as the logs left it.
    Agrees,
    /// It says something the logs contradict.
    Conflicts,
    /// It cannot be decided.
    Undecided,
    /// It could belong to another application sharing the user or address.
    Candidate,
}

/// What proved that the row verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Proof {
    /// libpq `sslmode=prefer` falling back to plaintext after rejecting the
    /// certificate, consistently.
    PreferFallback,
    /// A certificate rejection the client alone can have sent.
    CertificateRejected,
    /// A protocol that always verifies (Oracle TCPS).
    VerifyingProtocol,
}

/// The rules' result for one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// What the logs alone show.
    pub logged: Verification,
    pub proofs: BTreeSet<Proof>,
    /// The logs hint at TLS (failed or abandoned handshakes, TLS logins
    /// rejected) without a session showing it.
    pub tls_hint: bool,
    /// The analyst's word, when given: it wins.
    pub analyst: Option<bool>,
    /// Each setting's part, by source.
    pub settings: BTreeMap<String, SettingUse>,
    pub verification: Verification,
    pub verdict: Verdict,
}

impl Decision {
    /// Any setting the logs contradict.
    pub fn has_conflict(&self) -> bool {
        self.settings.values().any(|u| *u == SettingUse::Conflicts)
    }
}

/// Whether the logs or dumps show the row using TLS (not just hinting at
/// it).
fn tls_seen(group: &Group, proofs: &BTreeSet<Proof>) -> bool {
    group.stats.tls_seen() || !proofs.is_empty()
}

/// The logs and session dumps alone: proofs, hints and the verification
/// they show. A captured plaintext session is plaintext evidence tied to
/// its client as a logged one is; a client certificate (`client_dn`) is the
/// server checking the client, never evidence about the client; a SQL
/// Server session encrypted for its login only is a hint of TLS.
fn from_logs(group: &Group) -> (Verification, BTreeSet<Proof>, bool) {
    let stats = &group.stats;
    let captured = stats.captured_total();
    let mut proofs = BTreeSet::new();
    if group.consistent_fallbacks.count > 0 {
        proofs.insert(Proof::PreferFallback);
    }
    if stats.verifying_protocol_sessions > 0 {
        proofs.insert(Proof::VerifyingProtocol);
    }
    let mut tls_hint = captured.login_only_sessions > 0;
    let mut plain_attempts = false;
    for (finding, attributed) in &group.findings {
        match finding {
            Finding::Handshake { kind, .. } => {
                if rejection_proves(*kind, attributed) {
                    proofs.insert(Proof::CertificateRejected);
                } else {
                    tls_hint = true;
                }
            }
            Finding::Abandoned { .. } => tls_hint = true,
            Finding::Rejected { attempt, .. } => match attempt.transport {
                TransportKey::Tls => tls_hint = true,
                TransportKey::Plain => plain_attempts = true,
                TransportKey::Gss | TransportKey::Unknown => {}
            },
        }
    }
    let logged = if !proofs.is_empty() {
        Verification::Verifies
    } else if stats.tls_seen() || tls_hint {
        Verification::Unknown
    } else if stats.unchecked_plaintext > 0 {
        // Plaintext, but maybe a verifying client's sslmode=prefer fallback
        // that a log without times or addresses cannot show.
        Verification::Unknown
    } else if stats.known_transport_sessions() > 0 || captured.plain_sessions > 0 || plain_attempts
    {
        Verification::NoTls
    } else {
        Verification::Unknown
    };
    (logged, proofs, tls_hint)
}

/// Whether a setting's claim can describe what the logs show.
fn consistent(claim: Claim, logged: Verification, tls_seen: bool, tls_hint: bool) -> bool {
    match claim {
        // A client seen (or hinted) using TLS is not configured without it.
        Claim::NoTls => !tls_seen && !tls_hint,
        // A client proven to verify does not skip verification; one seen
        // only in plaintext is not configured for TLS either way.
        Claim::TlsWithoutVerification => !matches!(logged, Verification::Verifies),
        // A client seen only in plaintext does not verify today, whatever a
        // setting says: still worth a look (the setting may be newer).
        Claim::Verifies => logged != Verification::NoTls,
        Claim::Undecided => true,
    }
}

/// The verdict rules. Logs first; an analyst's override wins; client
/// settings decide only what the logs leave open, only when every tied
/// setting agrees with the logs and with each other, and never when a
/// setting that could be this client's says it may verify.
pub fn decide(group: &Group) -> Decision {
    let (logged, proofs, tls_hint) = from_logs(group);
    let seen = tls_seen(group, &proofs);
    let analyst = group.overrides.values().next().map(|o| o.verifies);

    let mut settings = BTreeMap::new();
    let mut tied_claims = BTreeSet::new();
    let mut tied_undecided = false;
    let mut candidate_may_verify = false;
    let mut conflict = false;
    for (source, (setting, tie)) in &group.settings {
        let claim = claim(setting);
        // A setting that may be another client's neither settles nor
        // contradicts this one; it only keeps "does not verify" open.
        let usage = if !tie.settles() {
            candidate_may_verify |= matches!(claim, Claim::Verifies | Claim::Undecided);
            SettingUse::Candidate
        } else if !consistent(claim, logged, seen, tls_hint) {
            conflict = true;
            SettingUse::Conflicts
        } else if claim == Claim::Undecided {
            tied_undecided = true;
            SettingUse::Undecided
        } else {
            tied_claims.insert(claim);
            SettingUse::Agrees
        };
        settings.insert(source.clone(), usage);
    }

    let settled = if logged == Verification::Unknown
        && !conflict
        && !tied_undecided
        && tied_claims.len() == 1
    {
        match tied_claims.first() {
            Some(Claim::Verifies) => Some(Verification::Verifies),
            Some(Claim::TlsWithoutVerification) if !candidate_may_verify => {
                Some(Verification::DoesNotVerify)
            }
            // A "no TLS" claim cannot be consistent with an unknown
            // verification: that is TLS seen or hinted.
            _ => None,
        }
    } else {
        None
    };
    if settled.is_some() {
        for usage in settings.values_mut() {
            if *usage == SettingUse::Agrees {
                *usage = SettingUse::Settles;
            }
        }
    }

    let verification = match analyst {
        Some(true) => Verification::Verifies,
        Some(false) => Verification::DoesNotVerify,
        None => match (logged, settled) {
            (Verification::Verifies, _) => Verification::Verifies,
            (_, Some(v)) => v,
            // A setting the logs contradict leaves the row to a person.
            (Verification::NoTls, _) if conflict => Verification::Unknown,
            (other, None) => other,
        },
    };
    let verdict = match verification {
        Verification::Verifies => Verdict::Affected,
        Verification::Unknown => Verdict::Review,
        Verification::NoTls | Verification::DoesNotVerify => Verdict::NotAffected,
    };
    Decision {
        logged,
        proofs,
        tls_hint,
        analyst,
        settings,
        verification,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::census::Span;
    use crate::evidence::fold::ClientNames;

    fn tally(count: u64) -> Tally {
        Tally {
            count,
            span: Span {
                first: Some(1_000),
                last: Some(2_000),
            },
        }
    }

    fn tls_sessions(n: u64) -> ClientStats {
        ClientStats {
            sessions: n,
            tls_sessions: n,
            ..ClientStats::default()
        }
    }

    fn plain_sessions(n: u64) -> ClientStats {
        ClientStats {
            sessions: n,
            plain_sessions: n,
            ..ClientStats::default()
        }
    }

    fn setting(source: &str, uses_tls: Fact, verifies_chain: Fact) -> ClientSetting {
        ClientSetting {
            source: source.into(),
            stack: "libpq URI".into(),
            engine: None,
            host: None,
            names: ClientNames::default(),
            driver_version: None,
            uses_tls,
            verifies_chain,
            trust_store_rds_cas: None,
        }
    }

    const NO_TLS: (Fact, Fact) = (Fact::No, Fact::No);
    const NO_VERIFY: (Fact, Fact) = (Fact::Yes, Fact::No);
    const VERIFY: (Fact, Fact) = (Fact::Yes, Fact::Yes);
    const UNDECIDED: (Fact, Fact) = (Fact::Yes, Fact::Unknown);

    fn with_settings(stats: ClientStats, settings: &[((Fact, Fact), Tie)]) -> Group {
        let mut group = Group {
            stats,
            ..Group::default()
        };
        for (i, ((tls, chain), tie)) in settings.iter().enumerate() {
            let source = format!("app/.env:{}", i + 1);
            group
                .settings
                .insert(source.clone(), (setting(&source, *tls, *chain), *tie));
        }
        group
    }

    /// A case of the settings table: name, sessions, settings, verdict,
    /// each setting's part.
    type Case = (
        &'static str,
        ClientStats,
        Vec<((Fact, Fact), Tie)>,
        Verdict,
        Vec<SettingUse>,
    );

    /// Rule 1: settings decide only what the logs leave open, only when
    /// tied to the application and agreeing; they never override the logs.
    #[test]
    fn settings_against_the_logs() {
        use SettingUse::*;
        use Verdict::*;
        let table: Vec<Case> = vec![
            (
                "TLS seen, setting says no TLS",
                tls_sessions(3),
                vec![(NO_TLS, Tie::Sole)],
                Review,
                vec![Conflicts],
            ),
            (
                "TLS seen, setting skips verification",
                tls_sessions(3),
                vec![(NO_VERIFY, Tie::Sole)],
                NotAffected,
                vec![Settles],
            ),
            (
                "named in the setting",
                tls_sessions(3),
                vec![(NO_VERIFY, Tie::Named)],
                NotAffected,
                vec![Settles],
            ),
            (
                "shared by two applications",
                tls_sessions(3),
                vec![(NO_VERIFY, Tie::Shared(2))],
                Review,
                vec![Candidate],
            ),
            (
                "tied no-verify, a candidate that verifies",
                tls_sessions(3),
                vec![(NO_VERIFY, Tie::Sole), (VERIFY, Tie::Shared(2))],
                Review,
                vec![Agrees, Candidate],
            ),
            (
                "tied no-verify, a candidate undecided",
                tls_sessions(3),
                vec![(NO_VERIFY, Tie::Sole), (UNDECIDED, Tie::Shared(2))],
                Review,
                vec![Agrees, Candidate],
            ),
            (
                "tied no-verify, a candidate that does not verify",
                tls_sessions(3),
                vec![(NO_VERIFY, Tie::Sole), (NO_VERIFY, Tie::Shared(2))],
                NotAffected,
                vec![Settles, Candidate],
            ),
            (
                "TLS seen, setting verifies",
                tls_sessions(3),
                vec![(VERIFY, Tie::Sole)],
                Affected,
                vec![Settles],
            ),
            (
                "a shared verifying setting is a candidate",
                tls_sessions(3),
                vec![(VERIFY, Tie::Shared(3))],
                Review,
                vec![Candidate],
            ),
            (
                "two tied settings disagree",
                tls_sessions(3),
                vec![(VERIFY, Tie::Named), (NO_VERIFY, Tie::Named)],
                Review,
                vec![Agrees, Agrees],
            ),
            (
                "undecided (a variable)",
                tls_sessions(3),
                vec![(UNDECIDED, Tie::Sole)],
                Review,
                vec![Undecided],
            ),
            (
                "tied no-verify and tied undecided",
                tls_sessions(3),
                vec![(NO_VERIFY, Tie::Sole), (UNDECIDED, Tie::Sole)],
                Review,
                vec![Agrees, Undecided],
            ),
            (
                "plaintext seen, setting says no TLS",
                plain_sessions(3),
                vec![(NO_TLS, Tie::Sole)],
                NotAffected,
                vec![Agrees],
            ),
            (
                "plaintext seen, setting verifies",
                plain_sessions(3),
                vec![(VERIFY, Tie::Sole)],
                Review,
                vec![Conflicts],
            ),
            (
                "plaintext seen, setting TLS without verification",
                plain_sessions(3),
                vec![(NO_VERIFY, Tie::Sole)],
                NotAffected,
                vec![Agrees],
            ),
            (
                "plaintext seen, shared verifying candidate",
                plain_sessions(3),
                vec![(VERIFY, Tie::Shared(2))],
                NotAffected,
                vec![Candidate],
            ),
            ("no setting", tls_sessions(1), vec![], Review, vec![]),
        ];
        for (case, stats, settings, verdict, uses) in table {
            let group = with_settings(stats, &settings);
            let decision = decide(&group);
            assert_eq!(decision.verdict, verdict, "{case}");
            assert_eq!(
                decision.settings.values().copied().collect::<Vec<_>>(),
                uses,
                "{case}"
            );
        }
    }

    #[test]
    fn proof_in_the_logs_outranks_a_setting_that_says_otherwise() {
        for claim in [NO_TLS, NO_VERIFY] {
            let mut group = with_settings(plain_sessions(4), &[(claim, Tie::Named)]);
            group.consistent_fallbacks = tally(4);
            let decision = decide(&group);
            assert_eq!(decision.verdict, Verdict::Affected);
            assert!(decision.has_conflict(), "{claim:?}");
        }
    }

    #[test]
    fn the_analyst_wins_over_settings_and_logs() {
        let mut group = with_settings(tls_sessions(2), &[(VERIFY, Tie::Sole)]);
        group.overrides.insert(
            "evidence.csv:2".into(),
            Override {
                source: "evidence.csv:2".into(),
                instance: None,
                names: ClientNames::default(),
                client_host: None,
                verifies: false,
                note: String::new(),
            },
        );
        let decision = decide(&group);
        assert_eq!(
            (decision.verification, decision.verdict),
            (Verification::DoesNotVerify, Verdict::NotAffected)
        );
    }

    /// Rule 4: a prefer fallback counts when it is the client's pattern.
    #[test]
    fn prefer_fallbacks_must_be_consistent_or_alone() {
        // (fallbacks, plaintext sessions, clients at the address) → proof
        let table = [
            (1, 1, 1, true),
            (1, 40, 1, true),
            (2, 2, 5, true),
            (9, 10, 30, true),
            (1, 1, 2, false),
            (2, 3000, 40, false),
            (2, 4, 3, false),
            (0, 5, 1, false),
        ];
        for (count, plain, clients, proves) in table {
            let f = Fallbacks {
                tally: tally(count),
                plain_sessions: plain,
                address_clients: clients,
            };
            assert_eq!(
                fallback_is_consistent(&f),
                proves,
                "{count} of {plain}, {clients} clients"
            );
        }
    }

    /// Rule 4: certificate rejections attributed by address.
    #[test]
    fn certificate_rejections_prove_only_without_coincidence() {
        // (candidates, address clients, count, client kept connecting) → proof
        let table = [
            (1, 1, 1, true, true),
            (0, 0, 1, false, true),
            (0, 7, 1, false, true),
            (1, 5, 1, false, false),
            (1, 5, 3, true, false),
            (1, 5, 3, false, true),
            (2, 2, 10, false, false),
        ];
        for (candidates, address_clients, count, continued, proves) in table {
            let a = Attributed {
                tally: tally(count),
                candidates,
                address_clients,
                client_continued: continued,
                hint_only: false,
            };
            assert_eq!(
                rejection_proves(FailureKind::CertificateRejected, &a),
                proves,
                "{a:?}"
            );
            assert!(!rejection_proves(FailureKind::Aborted, &a));
            // Given to a plaintext client only as a hint: never proof.
            let hint = Attributed {
                hint_only: true,
                ..a
            };
            assert!(!rejection_proves(FailureKind::CertificateRejected, &hint));
        }
    }

    fn captured(view: &str, edit: impl Fn(&mut crate::census::CapturedStats)) -> ClientStats {
        let mut stats = ClientStats::default();
        let mut c = crate::census::CapturedStats {
            sessions: 1,
            ..Default::default()
        };
        edit(&mut c);
        stats.captured.insert(view.into(), c);
        stats
    }

    /// Session dumps are evidence like the logs: a captured plaintext
    /// session clears a client that never used TLS, a captured TLS one keeps
    /// it in review; a client certificate proves nothing about the client
    /// verifying; login-only encryption (SQL Server) and a view without a
    /// transport (PROCESSLIST) settle nothing.
    #[test]
    fn captured_sessions_against_the_rules() {
        use Verdict::*;
        let table: Vec<(&str, ClientStats, Verdict, Verification)> = vec![
            (
                "captured plaintext",
                captured("pg_stat_ssl", |c| c.plain_sessions = 1),
                NotAffected,
                Verification::NoTls,
            ),
            (
                "captured TLS",
                captured("pg_stat_ssl", |c| c.tls_sessions = 1),
                Review,
                Verification::Unknown,
            ),
            (
                "captured TLS with a client certificate",
                captured("pg_stat_ssl", |c| {
                    c.tls_sessions = 1;
                    c.client_certificates = 1;
                }),
                Review,
                Verification::Unknown,
            ),
            (
                "login-only encryption",
                captured("sys.dm_exec_connections", |c| c.login_only_sessions = 1),
                Review,
                Verification::Unknown,
            ),
            (
                "transport not in the view",
                captured("information_schema.PROCESSLIST", |c| {
                    c.unknown_transport_sessions = 1
                }),
                Review,
                Verification::Unknown,
            ),
            (
                "logged plaintext, captured TLS",
                ClientStats {
                    captured: captured("pg_stat_ssl", |c| c.tls_sessions = 1).captured,
                    ..plain_sessions(2)
                },
                Review,
                Verification::Unknown,
            ),
        ];
        for (case, stats, verdict, verification) in table {
            let decision = decide(&Group {
                stats,
                ..Group::default()
            });
            assert_eq!(
                (decision.verdict, decision.verification),
                (verdict, verification),
                "{case}"
            );
        }
        // A plaintext capture that a tied verifying setting disagrees with
        // leaves the row to a person, as a logged one does.
        let group = with_settings(
            captured("pg_stat_ssl", |c| c.plain_sessions = 1),
            &[(VERIFY, Tie::Sole)],
        );
        assert_eq!(decide(&group).verdict, Verdict::Review);
    }

    #[test]
    fn distinct_values_are_sorted_and_once() {
        let mut set = Distinct::default();
        for value in ["b", "a", "b", "c", "a"] {
            set.insert(value.to_string());
        }
        assert_eq!(set.iter().collect::<Vec<_>>(), ["a", "b", "c"]);
    }

    #[test]
    fn chance_fallbacks_leave_a_plaintext_client_not_affected() {
        let mut group = Group {
            stats: plain_sessions(3000),
            ..Group::default()
        };
        group.chance_fallbacks = Fallbacks {
            tally: tally(2),
            plain_sessions: 3000,
            address_clients: 40,
        };
        let decision = decide(&group);
        assert_eq!(decision.verdict, Verdict::NotAffected);
        assert!(decision.proofs.is_empty());
    }

    /// Plaintext sessions logged without a time or an address (a log read
    /// message-only) may be sslmode=prefer fallbacks no line can show: they
    /// prove no "no TLS", and a tied "no TLS" setting cannot settle them.
    #[test]
    fn unchecked_plaintext_is_never_no_tls() {
        let stats = ClientStats {
            unchecked_plaintext: 1,
            ..plain_sessions(2)
        };
        let decision = decide(&Group {
            stats: stats.clone(),
            ..Group::default()
        });
        assert_eq!(
            (decision.verdict, decision.verification),
            (Verdict::Review, Verification::Unknown)
        );
        let checked = decide(&Group {
            stats: plain_sessions(2),
            ..Group::default()
        });
        assert_eq!(checked.verdict, Verdict::NotAffected);
    }

    /// Driver identity (connect attributes, client_interface_name, a
    /// driver's default application_name) is cited, never a verdict: the
    /// application may override the driver's default, even one that does
    /// not verify (go-mssqldb, PyMySQL with ssl_ca alone).
    #[test]
    fn driver_identity_never_moves_a_row() {
        for hint in crate::verdict::drivers::HINTS {
            let mut stats = captured("sys.dm_exec_connections", |c| c.tls_sessions = 1);
            stats.drivers.add(hint.prefix, 1);
            let mut group = Group {
                stats,
                ..Group::default()
            };
            group
                .applications
                .insert("PostgreSQL JDBC Driver".to_string());
            let decision = decide(&group);
            assert_eq!(
                (decision.verdict, decision.verification),
                (Verdict::Review, Verification::Unknown),
                "{}",
                hint.prefix
            );
            let reason = super::super::reason::write(&group, &decision);
            assert!(
                reason.contains(&format!(
                    "the sessions name the driver {}: check its {}",
                    hint.prefix, hint.settings
                )) && reason
                    .contains("the sessions name the driver pgjdbc: check its ssl, sslmode"),
                "{reason}"
            );
            // Without the driver the verdict is the same.
            let bare = Group {
                stats: captured("sys.dm_exec_connections", |c| c.tls_sessions = 1),
                ..Group::default()
            };
            assert_eq!(decide(&bare).verdict, decision.verdict);
        }
    }
}
