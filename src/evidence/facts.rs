//! The three facts a connection setting decides for a CA rotation — uses
//! TLS, verifies the certificate chain, verifies the host name — and the
//! combinations settings name, defined once for every detector.

use Fact::{No as N, Unknown as U, Yes as Y};

/// Yes, no, or not decidable from the settings found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fact {
    Yes,
    No,
    Unknown,
}

impl Fact {
    pub fn as_str(self) -> &'static str {
        match self {
            Fact::Yes => "yes",
            Fact::No => "no",
            Fact::Unknown => "unknown",
        }
    }
}

impl From<bool> for Fact {
    fn from(yes: bool) -> Fact {
        if yes { Fact::Yes } else { Fact::No }
    }
}

/// What a setting says about the connection it makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Facts {
    pub uses_tls: Fact,
    pub verifies_chain: Fact,
    pub verifies_hostname: Fact,
}

/// No TLS: `sslmode=disable`, `ssl-mode=DISABLED`, `Encrypt=false` where
/// the login packet is not encrypted either, Oracle `tcp://`.
pub const PLAIN: Facts = Facts::new(N, N, N);
/// Nothing decidable: a placeholder, or a setting read differently by the
/// driver versions that may read it.
pub const UNKNOWN: Facts = Facts::new(U, U, U);
/// TLS, chain and host name verified: `sslmode=verify-full`,
/// `ssl-mode=VERIFY_IDENTITY`, `Encrypt=true;TrustServerCertificate=false`.
pub const FULL: Facts = Facts::new(Y, Y, Y);
/// TLS, chain verified, host name not: `sslmode=verify-ca`,
/// `ssl-mode=VERIFY_CA`, Oracle `tcps://` without DN matching.
pub const CA_ONLY: Facts = Facts::new(Y, Y, N);
/// TLS, nothing verified: `sslmode=require`, `ssl-mode=REQUIRED`,
/// `TrustServerCertificate=true`.
pub const NO_VERIFY: Facts = Facts::new(Y, N, N);
/// TLS if the server offers it, never verified: `sslmode=prefer`,
/// `ssl-mode=PREFERRED`, SQL Server's login-only encryption.
pub const OPPORTUNISTIC: Facts = Facts::new(U, N, N);

impl Facts {
    pub const fn new(uses_tls: Fact, verifies_chain: Fact, verifies_hostname: Fact) -> Facts {
        Facts {
            uses_tls,
            verifies_chain,
            verifies_hostname,
        }
    }

    /// The facts a setting has under every driver version that may read it
    /// (see [`super::deps::eras`]): where the versions disagree, unknown. A
    /// version that refuses the setting (`None`: it cannot connect with it
    /// at all) is left out; when every version refuses it, [`UNKNOWN`].
    pub fn agree(candidates: impl IntoIterator<Item = Option<Facts>>) -> Facts {
        let one = |a: Fact, b: Fact| if a == b { a } else { U };
        candidates
            .into_iter()
            .flatten()
            .reduce(|a, b| {
                Facts::new(
                    one(a.uses_tls, b.uses_tls),
                    one(a.verifies_chain, b.verifies_chain),
                    one(a.verifies_hostname, b.verifies_hostname),
                )
            })
            .unwrap_or(UNKNOWN)
    }

    /// The facts of a setting the file does not show whole (cut short, see
    /// [`super::text::cut_short`]): what it is silent on may be set in the
    /// rest, so a `no` becomes unknown.
    pub fn unsettled(self) -> Facts {
        let open = |f: Fact| if f == N { U } else { f };
        Facts::new(
            open(self.uses_tls),
            open(self.verifies_chain),
            open(self.verifies_hostname),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agree_keeps_what_every_version_says() {
        let table: &[(&[Option<Facts>], Facts)] = &[
            (&[], UNKNOWN),
            (&[None, None], UNKNOWN),
            (&[Some(FULL)], FULL),
            (&[Some(FULL), Some(FULL)], FULL),
            // A version that cannot connect with the setting is left out.
            (&[None, Some(CA_ONLY)], CA_ONLY),
            (&[Some(FULL), Some(CA_ONLY)], Facts::new(Y, Y, U)),
            (&[Some(NO_VERIFY), Some(OPPORTUNISTIC)], Facts::new(U, N, N)),
            (&[Some(PLAIN), Some(FULL)], UNKNOWN),
            (
                &[Some(FULL), Some(FULL), Some(NO_VERIFY)],
                Facts::new(Y, U, U),
            ),
        ];
        for (candidates, want) in table {
            assert_eq!(
                Facts::agree(candidates.iter().copied()),
                *want,
                "{candidates:?}"
            );
        }
    }

    #[test]
    fn unsettled_opens_every_no() {
        let table: &[(Facts, Facts)] = &[
            (PLAIN, UNKNOWN),
            (UNKNOWN, UNKNOWN),
            (FULL, FULL),
            (CA_ONLY, Facts::new(Y, Y, U)),
            (NO_VERIFY, Facts::new(Y, U, U)),
            (OPPORTUNISTIC, UNKNOWN),
        ];
        for (facts, want) in table {
            assert_eq!(facts.unsettled(), *want, "{facts:?}");
        }
    }
}
