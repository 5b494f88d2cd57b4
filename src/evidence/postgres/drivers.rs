//! Facts per driver (docs/FORMATS.md, "Driver defaults").

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Disable,
    Allow,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
    /// node-postgres only.
    NoVerify,
}

/// The sslmode a value names, in libpq's spelling or Npgsql's (`VerifyCA`),
/// any case; None for placeholders (`${PGSSLMODE}`, `%s`, `<%= … %>`,
/// expressions) and unknown words.
pub(super) fn parse_mode(raw: &str) -> Option<Mode> {
    let v: String = unquote(raw)
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .collect::<String>()
        .to_ascii_lowercase();
    Some(match v.as_str() {
        "disable" => Mode::Disable,
        "allow" => Mode::Allow,
        "prefer" => Mode::Prefer,
        "require" => Mode::Require,
        "verifyca" => Mode::VerifyCa,
        "verifyfull" => Mode::VerifyFull,
        "noverify" => Mode::NoVerify,
        _ => return None,
    })
}

/// The mode `raw` names, `default` when it is absent or empty.
pub(super) fn mode_or(raw: Option<&str>, default: Mode) -> Option<Mode> {
    match raw.map(unquote) {
        None | Some("") => Some(default),
        Some(r) => parse_mode(r),
    }
}

/// A root-certificate file is named. libpq 16's `sslrootcert=system` is the
/// OS store, not a file, and does not trigger the root-cert rule.
pub(super) fn names_root_file(root: Option<&str>) -> bool {
    root.map(unquote)
        .is_some_and(|r| !r.is_empty() && !is_system_store(Some(r)))
}

/// `sslrootcert=system`: the operating system's trust store (libpq 16+,
/// pgx 5.7+, lib/pq 1.12+).
pub(super) fn is_system_store(root: Option<&str>) -> bool {
    root.map(unquote).is_some_and(|r| r == "system")
}

/// The facts of a client that reads `sslrootcert=system` as the system
/// store: verify-full by default, and any weaker mode refused (libpq 16
/// libpq-connect "sslrootcert"; lib/pq connector.go).
pub(super) fn system_store(mode: Option<&str>) -> Option<Facts> {
    match mode_or(mode, Mode::VerifyFull) {
        Some(Mode::VerifyFull) => Some(FULL),
        None => Some(UNKNOWN),
        Some(_) => None,
    }
}

/// libpq (psql, psycopg, Ruby pg, PHP, Rails, Django).
///
/// Root-cert rule: with a root CA file, `require` verifies the chain as
/// `verify-ca` does, and so does `prefer` (observed on libpq 15; it then
/// falls back to plaintext on failure). Without `sslrootcert`, a
/// `~/.postgresql/root.crt` on the client host would do the same, which no
/// config file tells: chain unknown.
///
/// `sslrootcert=system` is the system store from libpq 16 (verify-full
/// by default, weaker modes refused) and a file named `system` before;
/// libpq's version is in no dependency file, so where the two differ the
/// fact is unknown.
pub(super) fn libpq_facts(mode: Option<&str>, root: Option<&str>) -> Facts {
    if is_system_store(root) {
        return Facts::agree([
            system_store(mode),
            Some(libpq_rules(mode, root, Mode::Prefer)),
        ]);
    }
    libpq_rules(mode, root, Mode::Prefer)
}

/// libpq's sslmode ladder with the root-cert rule; `default` when no mode
/// is set.
pub(super) fn libpq_rules(mode: Option<&str>, root: Option<&str>, default: Mode) -> Facts {
    let Some(mode) = mode_or(mode, default) else {
        return UNKNOWN;
    };
    let rooted = if names_root_file(root) { Y } else { U };
    match mode {
        Mode::Disable => PLAIN,
        Mode::Allow | Mode::Prefer => Facts::new(U, rooted, N),
        Mode::Require => Facts::new(Y, rooted, N),
        Mode::VerifyCa => CA_ONLY,
        Mode::VerifyFull => FULL,
        // Not a libpq mode: the connection attempt fails.
        Mode::NoVerify => UNKNOWN,
    }
}

driver_eras! {
    /// Go lib/pq releases whose defaults differ.
    pub(super) enum PqEra in PQ_ERAS {
        /// Default `require`; `sslrootcert` must be a readable file.
        Require from (0, 0, 0),
        /// v1.12.0: `sslrootcert=system`, `~/.postgresql/root.crt` by default.
        SystemStore from (1, 12, 0),
        /// After v1.12.3 (unreleased on the master branch): default `prefer`.
        Prefer from (1, 12, 4),
    }
}

/// Go lib/pq: libpq's rules with its own default (`require` up to v1.12.3,
/// `prefer` after; CHANGELOG.md), and `sslrootcert=system` from v1.12.0
/// (before, a file named `system` that cannot be read refuses the
/// connection). lib/pq applies the root-cert rule, with the
/// `~/.postgresql/root.crt` default since v1.12.0.
pub(super) fn go_pq_facts(mode: Option<&str>, root: Option<&str>, eras: &[PqEra]) -> Facts {
    Facts::agree(eras.iter().map(|&era| {
        let default = if era == PqEra::Prefer {
            Mode::Prefer
        } else {
            Mode::Require
        };
        match (is_system_store(root), era) {
            (true, PqEra::Require) => None,
            (true, _) => system_store(mode),
            (false, _) => Some(libpq_rules(mode, root, default)),
        }
    }))
}

/// pgx/pgconn and asyncpg: `allow`/`prefer` never verify, even with
/// `sslrootcert` (pgconn: InsecureSkipVerify; asyncpg: CERT_NONE); `require`
/// verifies the chain when a root CA file is given or
/// `~/.postgresql/root.crt` exists (both default to it); default prefer.
pub(super) fn prefer_skips_facts(mode: Option<&str>, root: Option<&str>) -> Facts {
    match mode_or(mode, Mode::Prefer) {
        None => UNKNOWN,
        Some(Mode::Allow | Mode::Prefer) => OPPORTUNISTIC,
        Some(_) => libpq_rules(mode, root, Mode::Prefer),
    }
}

/// pgx: as [`prefer_skips_facts`], except that `sslrootcert=system` loads
/// the system store and forces verify-full whatever the sslmode, from
/// v5.7.0 (pgconn/config.go configTLS); before, the file `system` cannot be
/// read and the configuration is refused.
pub(super) fn pgx_facts(
    mode: Option<&str>,
    root: Option<&str>,
    system_store_read: &[bool],
) -> Facts {
    if is_system_store(root) {
        return Facts::agree(system_store_read.iter().map(|&read| read.then_some(FULL)));
    }
    prefer_skips_facts(mode, root)
}

pub(super) enum Factory {
    LibPq,
    NonValidating,
    DefaultJava,
    Other,
}

pub(super) fn factory_kind(class: &str) -> Factory {
    let class = unquote(class);
    if class.ends_with("NonValidatingFactory") {
        Factory::NonValidating
    } else if class.ends_with("DefaultJavaSSLFactory") {
        Factory::DefaultJava
    } else if class.ends_with("LibPQFactory") || class.is_empty() {
        Factory::LibPq
    } else {
        Factory::Other
    }
}

/// pgjdbc: `ssl=true` alone means verify-full (42.2.5+); `require` never
/// verifies (root.crt does not matter, unlike libpq); the factory can
/// override the chain check, but not the host-name check, which
/// `verify-full` makes whatever the factory (MakeSSL.convert →
/// verifyPeerName) unless `sslhostnameverifier` names another verifier.
pub(super) fn pgjdbc_facts(c: &Conn) -> Facts {
    let mode = match (&c.sslmode, &c.ssl) {
        (Some(m), _) => mode_or(Some(m), Mode::Prefer),
        (None, Some(ssl)) => match unquote(ssl).to_ascii_lowercase().as_str() {
            "" | "true" => Some(Mode::VerifyFull),
            "false" => Some(Mode::Prefer),
            _ => None,
        },
        (None, None) => Some(Mode::Prefer),
    };
    let base = match mode {
        None | Some(Mode::NoVerify) => UNKNOWN,
        Some(Mode::Disable) => return PLAIN,
        Some(Mode::Allow | Mode::Prefer) => OPPORTUNISTIC,
        Some(Mode::Require) => NO_VERIFY,
        Some(Mode::VerifyCa) => CA_ONLY,
        Some(Mode::VerifyFull) => FULL,
    };
    let host = match (&c.hostname_verifier, base.verifies_hostname) {
        (Some(_), Y) => U,
        (_, host) => host,
    };
    match c.sslfactory.as_deref().map(factory_kind) {
        None | Some(Factory::LibPq) => Facts::new(base.uses_tls, base.verifies_chain, host),
        Some(Factory::NonValidating) => Facts::new(base.uses_tls, N, host),
        // Verifies against the JVM truststore whatever the sslmode.
        Some(Factory::DefaultJava) => Facts::new(base.uses_tls, Y, host),
        Some(Factory::Other) => Facts::new(base.uses_tls, U, if host == Y { Y } else { U }),
    }
}

driver_eras! {
    /// node-postgres releases whose reading of TLS settings differs
    /// (CHANGELOG.md; lib/connection.js, lib/connection-parameters.js,
    /// pg-connection-string/index.js).
    #[derive(PartialOrd, Ord)]
    pub(super) enum PgEra in PG_ERAS {
        /// 7.x: `rejectUnauthorized` unset means no verification, so `ssl:
        /// true` and `ssl: {}` do not verify.
        V7 from (0, 0, 0),
        /// 8.0: verification by default; URLs take `ssl`, never `sslmode`.
        V8_0 from (8, 0, 0),
        /// 8.1: `ssl=no-verify` and `PGSSLMODE=no-verify`.
        V8_1 from (8, 1, 0),
        /// 8.4: URLs read `sslmode` (any value but `disable`/`no-verify`
        /// verifies).
        V8_4 from (8, 4, 0),
        /// 8.15: `uselibpqcompat=true` reads `sslmode` as libpq does.
        V8_15 from (8, 15, 0),
    }
}

/// node-postgres reading a URL (pg-connection-string) in one era. Values
/// are matched case-sensitively, as its `switch` does: `sslmode=Disable`
/// is not `disable`. `sslrootcert` becomes `ssl.ca`; no TLS parameter at
/// all means no TLS.
pub(super) fn node_url_era(c: &Conn, era: PgEra) -> Facts {
    let mode = c.sslmode.as_deref().map(unquote);
    let ssl_param = c.ssl.as_deref().map(unquote);
    if mode.is_some_and(is_placeholder) || ssl_param.is_some_and(is_placeholder) {
        return UNKNOWN;
    }
    let files = c.sslrootcert.is_some() || c.sslcert;
    let reads_mode = era >= PgEra::V8_4;
    let object = files || (reads_mode && mode.is_some());
    let on = if object {
        FULL
    } else {
        match ssl_param {
            None | Some("") | Some("0") => PLAIN,
            Some("true" | "1") => FULL,
            Some("no-verify") if era >= PgEra::V8_1 => NO_VERIFY,
            // `ssl=false` stays a (truthy) string.
            Some(_) => UNKNOWN,
        }
    };
    let fx = match (reads_mode, mode) {
        (false, _) | (true, None) => on,
        (true, Some(m)) if era == PgEra::V8_15 && c.libpq_compat => match m {
            "disable" => PLAIN,
            "prefer" => NO_VERIFY,
            "require" if names_root_file(c.sslrootcert.as_deref()) => CA_ONLY,
            "require" => NO_VERIFY,
            // Refused without a CA file.
            "verify-ca" if !files => UNKNOWN,
            "verify-ca" => CA_ONLY,
            // `no-verify`, `allow` and other words: the `ssl: {}` object.
            _ => FULL,
        },
        (true, Some("disable")) => PLAIN,
        (true, Some("no-verify")) => NO_VERIFY,
        (true, Some(_)) => on,
    };
    if era == PgEra::V7 && fx.uses_tls != N && fx != UNKNOWN {
        // A URL cannot set `rejectUnauthorized: true`.
        return Facts::new(fx.uses_tls, N, N);
    }
    fx
}

/// node-postgres with only `PGSSLMODE` set (no `ssl` in the config):
/// `disable` → off, `prefer`/`require`/`verify-ca`/`verify-full` → `ssl:
/// true`, `no-verify` (8.1+) → no verification, anything else (`allow`,
/// `Disable`) → the default, off. Matched case-sensitively.
pub(super) fn node_env_era(mode: Option<&str>, era: PgEra) -> Facts {
    let Some(mode) = mode.map(unquote) else {
        return PLAIN;
    };
    if is_placeholder(mode) {
        return UNKNOWN;
    }
    match mode {
        "prefer" | "require" | "verify-ca" | "verify-full" if era == PgEra::V7 => NO_VERIFY,
        "prefer" | "require" | "verify-ca" | "verify-full" => FULL,
        "no-verify" if era >= PgEra::V8_1 => NO_VERIFY,
        _ => PLAIN,
    }
}

driver_eras! {
    /// Npgsql releases whose SSL modes differ.
    pub(super) enum NpgsqlEra in NPGSQL_ERAS {
        /// Up to 5.x: `Disable` (default), `Prefer` and `Require` only; TLS is
        /// validated (chain and host name) unless `Trust Server Certificate`.
        V5 from (0, 0, 0),
        /// 6.0: libpq's modes, default `Prefer`; `Require` never validates (6
        /// and 7 refuse it without `Trust Server Certificate=true`).
        V6 from (6, 0, 0),
    }
}

/// Npgsql in one era (NpgsqlConnector.RawOpen in v5.0.18 and v6.0.0;
/// release notes 6.0 and 8.0). In 5.x a `Root Certificate` (or
/// `PGSSLROOTCERT`, or `~/.postgresql/root.crt` when present) replaces the
/// default validation with a chain check that ignores the host name.
pub(super) fn npgsql_era(
    mode: Option<&str>,
    trust_server: Option<&str>,
    root: Option<&str>,
    era: NpgsqlEra,
) -> Option<Facts> {
    let trust = match trust_server.map(unquote) {
        None | Some("") => Some(false),
        Some(t) if t.eq_ignore_ascii_case("true") => Some(true),
        Some(t) if t.eq_ignore_ascii_case("false") => Some(false),
        Some(_) => None,
    };
    match era {
        NpgsqlEra::V5 => {
            let mode = mode_or(mode, Mode::Disable);
            let tls = match mode {
                Some(Mode::Disable) => return Some(PLAIN),
                Some(Mode::Prefer) => U,
                Some(Mode::Require) => Y,
                None => return Some(UNKNOWN),
                // Not a mode before 6.0: the connection string is refused.
                Some(_) => return None,
            };
            Some(match trust {
                None => Facts::new(tls, U, U),
                Some(true) => Facts::new(tls, N, N),
                Some(false) if names_root_file(root) => Facts::new(tls, Y, N),
                Some(false) => Facts::new(tls, Y, U),
            })
        }
        NpgsqlEra::V6 => Some(match mode_or(mode, Mode::Prefer) {
            None | Some(Mode::NoVerify) => UNKNOWN,
            Some(Mode::Disable) => PLAIN,
            Some(Mode::Allow | Mode::Prefer) => OPPORTUNISTIC,
            Some(Mode::Require) => NO_VERIFY,
            Some(Mode::VerifyCa | Mode::VerifyFull) if trust == Some(true) => return None,
            Some(Mode::VerifyCa) => CA_ONLY,
            Some(Mode::VerifyFull) => FULL,
        }),
    }
}

/// Which client library reads a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Driver {
    Libpq,
    GoLibPq,
    Pgx,
    Pgjdbc,
    NodePg,
    Asyncpg,
    Npgsql,
    /// A driver whose TLS defaults FORMATS.md does not describe (pg8000, …).
    Other,
}

impl Driver {
    pub(super) fn facts(self, c: &Conn, cx: &Ctx<'_>) -> Facts {
        let fx = self.own_facts(c, cx);
        if c.service
            && c.sslmode.is_none()
            && matches!(self, Driver::Libpq | Driver::GoLibPq | Driver::Pgx)
        {
            return fx.unsettled();
        }
        fx
    }

    pub(super) fn own_facts(self, c: &Conn, cx: &Ctx<'_>) -> Facts {
        let (mode, root) = (c.sslmode.as_deref(), c.sslrootcert.as_deref());
        match self {
            Driver::Libpq => libpq_facts(mode, root),
            Driver::GoLibPq => go_pq_facts(mode, root, &cx.eras(Package::GoPq, PQ_ERAS)),
            Driver::Pgx => pgx_facts(
                mode,
                root,
                &cx.eras(Package::Pgx, &[((0, 0, 0), false), ((5, 7, 0), true)]),
            ),
            // asyncpg DSNs take `ssl=` as well as `sslmode=`.
            Driver::Asyncpg => prefer_skips_facts(mode.or(c.ssl.as_deref()), root),
            Driver::Pgjdbc => pgjdbc_facts(c),
            Driver::NodePg => Facts::agree(
                cx.eras(Package::NodePg, PG_ERAS)
                    .into_iter()
                    .map(|era| Some(node_url_era(c, era))),
            ),
            Driver::Npgsql => Facts::agree(
                cx.eras(Package::Npgsql, NPGSQL_ERAS)
                    .into_iter()
                    .map(|era| npgsql_era(mode, c.trust_server.as_deref(), root, era)),
            ),
            Driver::Other => UNKNOWN,
        }
    }

    /// The package whose version the project's dependency files give.
    pub(super) fn package(self) -> Option<Package> {
        match self {
            Driver::GoLibPq => Some(Package::GoPq),
            Driver::Pgx => Some(Package::Pgx),
            Driver::NodePg => Some(Package::NodePg),
            Driver::Npgsql => Some(Package::Npgsql),
            Driver::Libpq | Driver::Pgjdbc | Driver::Asyncpg | Driver::Other => None,
        }
    }

    /// The trust material the setting names, as written.
    pub(super) fn trust(self, c: &Conn) -> Option<String> {
        let root = c
            .sslrootcert
            .as_deref()
            .map(unquote)
            .filter(|r| !r.is_empty());
        if let (Driver::Pgjdbc, None, Some(factory)) = (self, root, c.sslfactory.as_deref())
            && let Factory::DefaultJava = factory_kind(factory)
        {
            return Some(unquote(factory).to_string());
        }
        root.map(str::to_string)
    }

    pub(super) fn uri_stack(self) -> &'static str {
        match self {
            Driver::NodePg => "node-postgres URI",
            Driver::GoLibPq => "Go lib/pq URI",
            Driver::Pgx => "Go pgx URI",
            Driver::Asyncpg => "asyncpg URI",
            Driver::Pgjdbc => "JDBC PostgreSQL",
            Driver::Npgsql => "Npgsql connection string",
            Driver::Other => "SQLAlchemy URI (other driver)",
            Driver::Libpq => "libpq URI",
        }
    }

    pub(super) fn keyword_stack(self) -> &'static str {
        match self {
            Driver::GoLibPq => "Go lib/pq keyword/value",
            Driver::Pgx => "Go pgx keyword/value",
            _ => "libpq keyword/value",
        }
    }

    pub(super) fn env_stack(self) -> &'static str {
        match self {
            Driver::NodePg => "PGSSLMODE env (node-postgres)",
            Driver::GoLibPq => "PGSSLMODE env (Go lib/pq)",
            Driver::Pgx => "PGSSLMODE env (Go pgx)",
            _ => "PGSSLMODE env",
        }
    }
}
