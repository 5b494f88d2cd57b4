//! What a parser reports about one log line: a typed, borrowed view of a
//! connection-related message plus the context (time, pid, client address)
//! that the line's prefix or columns carried.

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// Why a line that announced a connection message could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed(pub &'static str);

/// What a line parser made of one line: `None`, not a line it reads;
/// `Some(Ok)`, observations were emitted; `Some(Err)`, it should have been
/// one but does not parse.
pub type LineOutcome = Option<Result<(), Malformed>>;

/// One connection-related log line, borrowed from the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation<'a> {
    /// When the line was written, if the prefix carried a time.
    pub time: Option<Millis>,
    /// The backend process id, which ties the lines of one session together.
    pub pid: Option<u32>,
    /// The client address from the prefix or columns (`%r`, `%h`, csvlog
    /// `connection_from`, jsonlog `remote_host`), if any.
    pub remote: Option<Remote<'a>>,
    /// The session's stored application_name (`%a`, csvlog/jsonlog column):
    /// cut at 63 bytes by the server and empty on the connection lines.
    pub stored_application: Option<&'a str>,
    /// What the line says.
    pub message: Message<'a>,
}

/// A client address as the server printed it. `host` is `[local]` for the
/// unix socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remote<'a> {
    /// The host name or IP address, as printed.
    pub host: &'a str,
    /// The client's port; absent for the unix socket and where the log
    /// leaves it out (`%h`).
    pub port: Option<u16>,
}

/// The connection-related messages sslcensus understands.
#[derive(Debug, Clone, PartialEq)]
pub enum Message<'a> {
    /// `connection received: host=… port=…` (before any TLS negotiation).
    Received(Remote<'a>),
    /// `[replication ]connection authorized: …`: the session is established.
    Authorized(Authorized<'a>),
    /// `connection authenticated: identity="…" method=… (file:line)` (PG 14+);
    /// `None` for `user="…"` instead, which PG 17+ logs for a method that
    /// establishes no identity (trust).
    Authenticated {
        /// The authenticated identity; `None` for the `user="…"` form.
        identity: Option<&'a str>,
        /// The authentication method (`scram-sha-256`, `md5`, `cert`, `trust`).
        method: &'a str,
    },
    /// `connection ready: setup total=… ms, fork=… ms, authentication=… ms`
    /// (PG 18+, `log_connections` with `setup_durations`): an authorized
    /// session finished its setup.
    Ready(SetupDurations),
    /// `disconnection: session time: …`.
    Disconnected(Disconnected<'a>),
    /// `could not accept SSL connection: …` and `SSL error: …` (no host in the
    /// message; the prefix or an earlier line of the same pid has it).
    HandshakeFailed {
        /// The server's words (the OpenSSL reason or socket error).
        reason: &'a str,
        /// What the reason says about the client ([`FailureKind::classify`]).
        kind: FailureKind,
    },
    /// `no pg_hba.conf entry for …` / `pg_hba.conf rejects …`.
    HbaRejected(HbaRejected<'a>),
    /// `<method> authentication failed for user "…"`, MySQL `Access denied`.
    AuthenticationFailed {
        /// The method the line names (PostgreSQL `password`, `md5`, `cert`);
        /// `password` for MySQL's `Access denied`, `login` in its audit log.
        method: &'a str,
        /// The user the client named.
        user: &'a str,
    },
    /// A connection refused for another reason (an Oracle TNS error, a
    /// MySQL database denied).
    Refused {
        /// The user the client named.
        user: Option<&'a str>,
        /// The database the client asked for.
        database: Option<&'a str>,
        /// The program the client named (Oracle CID `PROGRAM`).
        application: Option<&'a str>,
        /// How the attempt travelled, where the record says (Oracle
        /// `PROTOCOL`: a refused `tcp` attempt is a plaintext one).
        transport: Transport<'a>,
        /// The server's words, as logged.
        reason: &'a str,
    },
}

/// What PostgreSQL 18 says a session's setup took, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SetupDurations {
    /// The whole setup, from accepting the connection to ready.
    pub total: f64,
    /// Forking the backend process.
    pub fork: f64,
    /// Authenticating the client.
    pub authentication: f64,
}

/// The `connection ready` line of the setup session in the PostgreSQL 18
/// sample (samples/postgresql/pg18/), which the stderr, csvlog and jsonlog
/// tables all read.
#[cfg(test)]
pub(crate) const PG18_SAMPLE_READY: SetupDurations = SetupDurations {
    total: 14.316,
    fork: 0.655,
    authentication: 0.532,
};

/// How a session's bytes travelled, as far as the log says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport<'a> {
    /// TLS, with the details where the log gives them.
    Tls(Option<Tls<'a>>),
    /// No TLS: the bytes went in the clear.
    Plain,
    /// The log does not say (audit logs, old MySQL general logs).
    Unknown,
}

/// A `connection authorized` line (PostgreSQL) or its counterpart in the
/// other engines' logs: a session was established.
#[derive(Debug, Clone, PartialEq)]
pub struct Authorized<'a> {
    /// A `replication connection authorized` line (a walsender).
    pub replication: bool,
    /// The user the session logged in as.
    pub user: &'a str,
    /// Absent for walsenders.
    pub database: Option<&'a str>,
    /// As the client sent it (not cut at 63 bytes); absent when not sent.
    pub application: Option<&'a str>,
    /// Whether the session used TLS, plaintext, or the log does not say.
    pub transport: Transport<'a>,
    /// The GSSAPI clause, when the line has one.
    pub gss: Option<Gss>,
    /// The application name itself holds text shaped like the SSL clause, so
    /// the TLS reading of this line alone is not certain.
    pub ambiguous_tls: bool,
    /// When TLS was read from the end of the line: the name as it would read
    /// if that clause were part of it (a plaintext session whose name
    /// imitates the clause). Only the stored name on the session's later
    /// lines tells the two readings apart.
    pub application_with_clause: Option<&'a str>,
}

impl<'a> Authorized<'a> {
    /// The TLS details, when TLS was used and the log gave them.
    pub fn tls(&self) -> Option<Tls<'a>> {
        match self.transport {
            Transport::Tls(tls) => tls,
            _ => None,
        }
    }
}

/// The `SSL enabled (…)` clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tls<'a> {
    /// The TLS version (`TLSv1.3`).
    pub protocol: &'a str,
    /// The cipher suite (`TLS_AES_256_GCM_SHA384`).
    pub cipher: &'a str,
    /// The cipher's key length in bits.
    pub bits: u32,
    /// PG 12–13 only.
    pub compression: Option<bool>,
}

/// The `GSS (authenticated=…, encrypted=…)` clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gss {
    /// GSSAPI authenticated the client.
    pub authenticated: bool,
    /// GSSAPI encrypts the session.
    pub encrypted: bool,
}

/// The end of a session. PostgreSQL says everything; MySQL's `Quit` only
/// names the thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disconnected<'a> {
    /// How long the session lasted, where the log says.
    pub session_millis: Option<u64>,
    /// The session's user, where the log says.
    pub user: Option<&'a str>,
    /// The session's database, where the log says.
    pub database: Option<&'a str>,
    /// The client address, where the log says.
    pub remote: Option<Remote<'a>>,
}

/// A connection pg_hba.conf refused (`no pg_hba.conf entry for …`,
/// `pg_hba.conf rejects …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HbaRejected<'a> {
    /// The client's host or address.
    pub host: &'a str,
    /// The user the client named.
    pub user: &'a str,
    /// Absent for replication connections.
    pub database: Option<&'a str>,
    /// How the connection came in, as pg_hba saw it.
    pub transport: HbaTransport,
}

/// The transport a rejected connection came in on, as pg_hba saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HbaTransport {
    /// `SSL encryption` (14+) or `SSL on` (≤ 13).
    Tls,
    /// `GSS encryption`.
    Gss,
    /// `no encryption` (14+) or `SSL off` (≤ 13).
    Plain,
    /// A server built without SSL prints no transport.
    Unknown,
}

/// What a failed TLS handshake says about the client.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum FailureKind {
    /// The client sent a certificate alert (`unknown ca`, `bad certificate`,
    /// `certificate unknown`, `certificate expired`, …): it verifies the chain.
    CertificateRejected,
    /// Protocol or cipher negotiation failed: not a trust problem.
    Negotiation,
    /// The peer went away mid-handshake (`EOF detected`, reset): a hint only.
    Aborted,
    /// Anything else.
    Other,
}

impl FailureKind {
    /// Classifies an OpenSSL reason string or socket error from the log.
    pub fn classify(reason: &str) -> FailureKind {
        const CERTIFICATE: [&str; 7] = [
            "unknown ca",
            "bad certificate",
            "certificate unknown",
            "certificate expired",
            "certificate revoked",
            "unsupported certificate",
            "access denied",
        ];
        const NEGOTIATION: [&str; 9] = [
            "protocol version",
            "no shared cipher",
            "wrong version number",
            "unsupported protocol",
            "version too low",
            "decrypt error",
            "handshake failure",
            "no application protocol",
            "inappropriate fallback",
        ];
        const ABORTED: [&str; 11] = [
            "EOF detected",
            "unexpected eof",
            "Connection reset by peer",
            "Broken pipe",
            "Connection timed out",
            // MySQL/MariaDB `Aborted connection … (reason)` before login,
            // and the server's texts for the audit log's network retcodes.
            "closed normally without authentication",
            "error reading communication packets",
            "error writing communication packets",
            "timeout reading communication packets",
            "timeout writing communication packets",
            "Bad handshake",
        ];
        let has = |list: &[&str]| list.iter().any(|needle| reason.contains(needle));
        if has(&CERTIFICATE) {
            FailureKind::CertificateRejected
        } else if has(&NEGOTIATION) {
            FailureKind::Negotiation
        } else if has(&ABORTED) {
            FailureKind::Aborted
        } else {
            FailureKind::Other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FailureKind::{self, *};

    #[test]
    fn failure_reasons_are_classified_by_what_they_prove() {
        let table = [
            ("tlsv1 alert unknown ca", CertificateRejected),
            ("sslv3 alert certificate unknown", CertificateRejected),
            ("sslv3 alert bad certificate", CertificateRejected),
            ("tlsv1 alert certificate expired", CertificateRejected),
            ("tlsv1 alert protocol version", Negotiation),
            ("no shared cipher", Negotiation),
            ("wrong version number", Negotiation),
            ("EOF detected", Aborted),
            ("Connection reset by peer", Aborted),
            ("unexpected eof while reading", Aborted),
            (
                "This connection closed normally without authentication",
                Aborted,
            ),
            ("Got an error reading communication packets", Aborted),
            ("Got timeout reading communication packets", Aborted),
            ("Bad handshake", Aborted),
            ("something new", Other),
        ];
        for (reason, kind) in table {
            assert_eq!(FailureKind::classify(reason), kind, "{reason}");
        }
    }
}
