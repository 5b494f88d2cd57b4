//! Connection settings of PostgreSQL clients, with each driver's defaults
//! applied (FORMATS.md §1.3).
//!
//! Recognised, one [`ConfigHit`] per setting:
//! - URIs `postgres://…` / `postgresql://…` (also SQLAlchemy's
//!   `postgresql+driver://…`) anywhere in any text file. Read with libpq
//!   semantics, except: in JavaScript/TypeScript files, `package.json`, and
//!   env/YAML/JSON/Dockerfile files of a node project (a `package.json`
//!   beside them and no other stack's marker) with node-postgres semantics;
//!   in Go files with lib/pq's or pgx's (chosen by the imports and the
//!   `sql.Open` driver name); `+asyncpg` URLs, and URLs in asyncpg-only
//!   Python files, with asyncpg's.
//! - JDBC URLs `jdbc:postgresql:…` (pgjdbc semantics), with Spring's
//!   `…username` beside a `…url` key when the URL names no user.
//! - libpq keyword/value strings (`host=… dbname=… sslmode=…`) holding
//!   `host`/`hostaddr`/`dbname` and another keyword; PDO `pgsql:` DSNs.
//! - Npgsql connection strings (`Host=…;SSL Mode=…;Root Certificate=…`).
//! - `PGSSLMODE`/`PGSSLROOTCERT`/`PGHOST`/… in env files, shell, Docker,
//!   Compose, Kubernetes/ECS `name:`/`value:` env lists and `setenv` calls:
//!   one hit per `PGSSLMODE` (or per `PGHOST` when the file sets no
//!   `PGSSLMODE`), the other variables nearby filled in.
//! - Rails `database.yml` blocks (anchors and `<<:` merges resolved),
//!   Django `DATABASES` entries, Laravel `pgsql` connections, `pg_service.conf`.
//! - node-postgres `new Pool({…})`/`new Client({…})`, Sequelize, knex and
//!   TypeORM configs.
//! - `psycopg2`/`psycopg`/`psycopg_pool`/`asyncpg` connect calls and
//!   SQLAlchemy `create_engine(url, connect_args={…})`.
//!
//! Values are kept as written (`${DB_HOST}`, `os.environ["DB_HOST"]`, ERB);
//! a placeholder where the sslmode belongs makes the facts `unknown`.
//! Passwords are never read into any field; `setting` passes through
//! [`mask`].

use std::cell::{OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use sslcensus_parsers::Engine;

use super::Fact::{No as N, Unknown as U, Yes as Y};
use super::deps::{DriverVersion, Package, Versions, eras};
use super::facts::{CA_ONLY, FULL, Facts, NO_VERIFY, OPPORTUNISTIC, PLAIN, UNKNOWN};
use super::stack::{self, Reading, Stack};
use super::syntax::lex::Lex;
use super::syntax::lines::Lines;
use super::syntax::quote::unquote;
use super::syntax::url::percent_decode;
use super::text::{cut_short, is_placeholder, mask};
use super::{ConfigHit, FileCtx};

/// Finds postgres connection settings in one file.
pub fn detect(file: &FileCtx<'_>) -> Vec<ConfigHit> {
    let cx = Ctx::new(file);
    let mut out = Out::default();
    stack::run(STACKS, file, &cx, &mut out);
    out.hits(&cx)
}

/// PostgreSQL's stacks, in the order they run: structured settings first,
/// as they claim the URLs and strings inside them.
static STACKS: &[&dyn Stack<Pg>] = &[
    &Rails,
    &Django,
    &Laravel,
    &NodeObjects,
    &PythonCalls,
    &SqlAlchemy,
    &JdbcUrls,
    &Uris,
    &Pdo,
    &Npgsql,
    &KeywordStrings,
    &Env,
    &PgService,
];

/// What PostgreSQL's stacks share while reading a file: its [`Ctx`], and
/// the hits and claimed ranges in [`Out`].
struct Pg;

impl Reading for Pg {
    type Cx<'a> = Ctx<'a>;
    type Hits = Out;
}

// ---------------------------------------------------------------------------
// Facts per driver (docs/FORMATS.md, "Driver defaults")

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
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
fn parse_mode(raw: &str) -> Option<Mode> {
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
fn mode_or(raw: Option<&str>, default: Mode) -> Option<Mode> {
    match raw.map(unquote) {
        None | Some("") => Some(default),
        Some(r) => parse_mode(r),
    }
}

/// A root-certificate file is named. libpq 16's `sslrootcert=system` is the
/// OS store, not a file, and does not trigger the root-cert rule.
fn names_root_file(root: Option<&str>) -> bool {
    root.map(unquote)
        .is_some_and(|r| !r.is_empty() && !is_system_store(Some(r)))
}

/// `sslrootcert=system`: the operating system's trust store (libpq 16+,
/// pgx 5.7+, lib/pq 1.12+).
fn is_system_store(root: Option<&str>) -> bool {
    root.map(unquote).is_some_and(|r| r == "system")
}

/// The facts of a client that reads `sslrootcert=system` as the system
/// store: verify-full by default, and any weaker mode refused (libpq 16
/// libpq-connect "sslrootcert"; lib/pq connector.go).
fn system_store(mode: Option<&str>) -> Option<Facts> {
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
fn libpq_facts(mode: Option<&str>, root: Option<&str>) -> Facts {
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
fn libpq_rules(mode: Option<&str>, root: Option<&str>, default: Mode) -> Facts {
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

/// Go lib/pq releases whose defaults differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PqEra {
    /// Default `require`; `sslrootcert` must be a readable file.
    Require,
    /// v1.12.0: `sslrootcert=system`, `~/.postgresql/root.crt` by default.
    SystemStore,
    /// After v1.12.3 (unreleased on the master branch): default `prefer`.
    Prefer,
}

const PQ_ERAS: [((u32, u32, u32), PqEra); 3] = [
    ((0, 0, 0), PqEra::Require),
    ((1, 12, 0), PqEra::SystemStore),
    ((1, 12, 4), PqEra::Prefer),
];

/// Go lib/pq: libpq's rules with its own default (`require` up to v1.12.3,
/// `prefer` after; CHANGELOG.md), and `sslrootcert=system` from v1.12.0
/// (before, a file named `system` that cannot be read refuses the
/// connection). lib/pq applies the root-cert rule, with the
/// `~/.postgresql/root.crt` default since v1.12.0.
fn go_pq_facts(mode: Option<&str>, root: Option<&str>, eras: &[PqEra]) -> Facts {
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
fn prefer_skips_facts(mode: Option<&str>, root: Option<&str>) -> Facts {
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
fn pgx_facts(mode: Option<&str>, root: Option<&str>, system_store_read: &[bool]) -> Facts {
    if is_system_store(root) {
        return Facts::agree(system_store_read.iter().map(|&read| read.then_some(FULL)));
    }
    prefer_skips_facts(mode, root)
}

enum Factory {
    LibPq,
    NonValidating,
    DefaultJava,
    Other,
}

fn factory_kind(class: &str) -> Factory {
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
fn pgjdbc_facts(c: &Conn) -> Facts {
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

/// node-postgres releases whose reading of TLS settings differs
/// (CHANGELOG.md; lib/connection.js, lib/connection-parameters.js,
/// pg-connection-string/index.js).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PgEra {
    /// 7.x: `rejectUnauthorized` unset means no verification, so `ssl:
    /// true` and `ssl: {}` do not verify.
    V7,
    /// 8.0: verification by default; URLs take `ssl`, never `sslmode`.
    V8_0,
    /// 8.1: `ssl=no-verify` and `PGSSLMODE=no-verify`.
    V8_1,
    /// 8.4: URLs read `sslmode` (any value but `disable`/`no-verify`
    /// verifies).
    V8_4,
    /// 8.15: `uselibpqcompat=true` reads `sslmode` as libpq does.
    V8_15,
}

const PG_ERAS: [((u32, u32, u32), PgEra); 5] = [
    ((0, 0, 0), PgEra::V7),
    ((8, 0, 0), PgEra::V8_0),
    ((8, 1, 0), PgEra::V8_1),
    ((8, 4, 0), PgEra::V8_4),
    ((8, 15, 0), PgEra::V8_15),
];

/// node-postgres reading a URL (pg-connection-string) in one era. Values
/// are matched case-sensitively, as its `switch` does: `sslmode=Disable`
/// is not `disable`. `sslrootcert` becomes `ssl.ca`; no TLS parameter at
/// all means no TLS.
fn node_url_era(c: &Conn, era: PgEra) -> Facts {
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
fn node_env_era(mode: Option<&str>, era: PgEra) -> Facts {
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

/// Npgsql releases whose SSL modes differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NpgsqlEra {
    /// Up to 5.x: `Disable` (default), `Prefer` and `Require` only; TLS is
    /// validated (chain and host name) unless `Trust Server Certificate`.
    V5,
    /// 6.0: libpq's modes, default `Prefer`; `Require` never validates (6
    /// and 7 refuse it without `Trust Server Certificate=true`).
    V6,
}

const NPGSQL_ERAS: [((u32, u32, u32), NpgsqlEra); 2] =
    [((0, 0, 0), NpgsqlEra::V5), ((6, 0, 0), NpgsqlEra::V6)];

/// Npgsql in one era (NpgsqlConnector.RawOpen in v5.0.18 and v6.0.0;
/// release notes 6.0 and 8.0). In 5.x a `Root Certificate` (or
/// `PGSSLROOTCERT`, or `~/.postgresql/root.crt` when present) replaces the
/// default validation with a chain check that ignores the host name.
fn npgsql_era(
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
enum Driver {
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
    fn facts(self, c: &Conn, cx: &Ctx<'_>) -> Facts {
        let fx = self.own_facts(c, cx);
        if c.service
            && c.sslmode.is_none()
            && matches!(self, Driver::Libpq | Driver::GoLibPq | Driver::Pgx)
        {
            return fx.unsettled();
        }
        fx
    }

    fn own_facts(self, c: &Conn, cx: &Ctx<'_>) -> Facts {
        let (mode, root) = (c.sslmode.as_deref(), c.sslrootcert.as_deref());
        match self {
            Driver::Libpq => libpq_facts(mode, root),
            Driver::GoLibPq => go_pq_facts(mode, root, &cx.eras(Package::GoPq, &PQ_ERAS)),
            Driver::Pgx => pgx_facts(
                mode,
                root,
                &cx.eras(Package::Pgx, &[((0, 0, 0), false), ((5, 7, 0), true)]),
            ),
            // asyncpg DSNs take `ssl=` as well as `sslmode=`.
            Driver::Asyncpg => prefer_skips_facts(mode.or(c.ssl.as_deref()), root),
            Driver::Pgjdbc => pgjdbc_facts(c),
            Driver::NodePg => Facts::agree(
                cx.eras(Package::NodePg, &PG_ERAS)
                    .into_iter()
                    .map(|era| Some(node_url_era(c, era))),
            ),
            Driver::Npgsql => Facts::agree(
                cx.eras(Package::Npgsql, &NPGSQL_ERAS)
                    .into_iter()
                    .map(|era| npgsql_era(mode, c.trust_server.as_deref(), root, era)),
            ),
            Driver::Other => UNKNOWN,
        }
    }

    /// The package whose version the project's dependency files give.
    fn package(self) -> Option<Package> {
        match self {
            Driver::GoLibPq => Some(Package::GoPq),
            Driver::Pgx => Some(Package::Pgx),
            Driver::NodePg => Some(Package::NodePg),
            Driver::Npgsql => Some(Package::Npgsql),
            Driver::Libpq | Driver::Pgjdbc | Driver::Asyncpg | Driver::Other => None,
        }
    }

    /// The trust material the setting names, as written.
    fn trust(self, c: &Conn) -> Option<String> {
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

    fn uri_stack(self) -> &'static str {
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

    fn keyword_stack(self) -> &'static str {
        match self {
            Driver::GoLibPq => "Go lib/pq keyword/value",
            Driver::Pgx => "Go pgx keyword/value",
            _ => "libpq keyword/value",
        }
    }

    fn env_stack(self) -> &'static str {
        match self {
            Driver::NodePg => "PGSSLMODE env (node-postgres)",
            Driver::GoLibPq => "PGSSLMODE env (Go lib/pq)",
            Driver::Pgx => "PGSSLMODE env (Go pgx)",
            _ => "PGSSLMODE env",
        }
    }
}

// ---------------------------------------------------------------------------
// One connection's settings, and what becomes a hit

/// The settings one connection names, values as written. There is no
/// password field: passwords are never read.
#[derive(Debug, Clone, Default)]
struct Conn {
    host: Option<String>,
    port: Option<String>,
    user: Option<String>,
    database: Option<String>,
    /// `application_name` (libpq, node-postgres), `ApplicationName`
    /// (pgjdbc), `Application Name` (Npgsql); `fallback_application_name`
    /// when no other is given.
    application: Option<String>,
    sslmode: Option<String>,
    sslrootcert: Option<String>,
    /// pgjdbc / node-postgres / asyncpg `ssl` parameter.
    ssl: Option<String>,
    /// pgjdbc `sslfactory`.
    sslfactory: Option<String>,
    /// pgjdbc `sslhostnameverifier`.
    hostname_verifier: Option<String>,
    /// Npgsql `Trust Server Certificate`.
    trust_server: Option<String>,
    /// node-postgres: `sslcert`/`sslkey` turn TLS on.
    sslcert: bool,
    /// node-postgres `uselibpqcompat=true`.
    libpq_compat: bool,
    /// libpq `service=`: `pg_service.conf` may set what this is silent on.
    service: bool,
}

impl Conn {
    /// Takes one setting by its libpq/pgjdbc/node-postgres name, any case.
    fn set(&mut self, key: &str, value: String) {
        match key.to_ascii_lowercase().as_str() {
            "host" | "server" => self.host = Some(value),
            "hostaddr" => {
                self.host.get_or_insert(value);
            }
            "port" => self.port = Some(value),
            "user" | "username" => self.user = Some(value),
            "dbname" | "database" => self.database = Some(value),
            "application_name" | "applicationname" => self.application = Some(value),
            "fallback_application_name" => {
                self.application.get_or_insert(value);
            }
            "sslmode" => self.sslmode = Some(value),
            "sslrootcert" => self.sslrootcert = Some(value),
            "ssl" => self.ssl = Some(value),
            "sslfactory" => self.sslfactory = Some(value),
            "sslhostnameverifier" => self.hostname_verifier = Some(value),
            "sslcert" | "sslkey" => self.sslcert = true,
            // pg-connection-string compares with `=== 'true'`.
            "uselibpqcompat" => self.libpq_compat = value == "true",
            "service" => self.service = true,
            _ => {}
        }
    }

    /// Takes every setting `other` names.
    fn overlay(&mut self, other: Conn) {
        macro_rules! take {
            ($($f:ident),*) => { $(if other.$f.is_some() { self.$f = other.$f; })* };
        }
        take!(
            host,
            port,
            user,
            database,
            application,
            sslmode,
            sslrootcert,
            ssl,
            sslfactory,
            hostname_verifier,
            trust_server
        );
        self.sslcert |= other.sslcert;
        self.libpq_compat |= other.libpq_compat;
        self.service |= other.service;
    }

    /// Names any TLS setting a node-postgres URL reads.
    fn has_ssl_params(&self) -> bool {
        self.sslmode.is_some() || self.ssl.is_some() || self.sslrootcert.is_some() || self.sslcert
    }
}

/// A recognised setting before it becomes a [`ConfigHit`].
struct Found {
    /// Byte offset where it starts.
    at: usize,
    stack: &'static str,
    conn: Conn,
    facts: Facts,
    trust: Option<String>,
    /// The driver's version, as the scan output shows it.
    driver_version: Option<String>,
    /// Unmasked; masked on the way out.
    setting: String,
}

impl Found {
    /// The setting goes on past `end` in the file (concatenated, or open
    /// where parameters go): what it is silent on is unknown.
    fn unless_cut_at(mut self, cx: &Ctx<'_>, end: usize) -> Found {
        if cut_short(cx.text, end) {
            let f = self.facts;
            self.facts = f.unsettled();
        }
        self
    }
}

fn found(
    cx: &Ctx<'_>,
    at: usize,
    stack: &'static str,
    driver: Driver,
    conn: Conn,
    setting: String,
) -> Found {
    Found {
        at,
        stack,
        facts: driver.facts(&conn, cx),
        trust: driver.trust(&conn),
        driver_version: cx.shown_version(driver.package()),
        conn,
        setting,
    }
}

#[derive(Default)]
struct Out {
    found: Vec<Found>,
    /// Byte ranges already reported by a structured detector.
    claimed: Vec<(usize, usize)>,
}

impl Out {
    fn is_claimed(&self, at: usize) -> bool {
        self.claimed.iter().any(|&(s, e)| s <= at && at < e)
    }

    fn claim(&mut self, start: usize, end: usize) {
        self.claimed.push((start, end));
    }

    fn hits(mut self, cx: &Ctx<'_>) -> Vec<ConfigHit> {
        self.found.sort_by_key(|f| f.at);
        self.found
            .into_iter()
            .map(|f| ConfigHit {
                line: cx.line_of(f.at),
                stack: f.stack,
                engine: Engine::Postgres,
                host: nonempty(f.conn.host),
                port: f.conn.port.as_deref().and_then(parse_port),
                user: nonempty(f.conn.user),
                database: nonempty(f.conn.database),
                application: nonempty(f.conn.application),
                uses_tls: f.facts.uses_tls,
                verifies_chain: f.facts.verifies_chain,
                verifies_hostname: f.facts.verifies_hostname,
                trust_store: f.trust,
                driver_version: f.driver_version,
                setting: mask(&f.setting),
            })
            .collect()
    }
}

fn nonempty(v: Option<String>) -> Option<String> {
    v.map(|s| unquote(&s).to_string()).filter(|s| !s.is_empty())
}

/// The first port of a (possibly multi-host) port list.
fn parse_port(p: &str) -> Option<u16> {
    unquote(p).split(',').next()?.trim().parse().ok()
}

// ---------------------------------------------------------------------------
// The file being read

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Js,
    Python,
    Go,
    Php,
    Yaml,
    Json,
    Other,
}

impl Lang {
    fn of(name: &str) -> Lang {
        match name.rsplit_once('.').map_or("", |(_, ext)| ext) {
            "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" => Lang::Js,
            "py" => Lang::Python,
            "go" => Lang::Go,
            "php" => Lang::Php,
            "yml" | "yaml" => Lang::Yaml,
            "json" => Lang::Json,
            _ => Lang::Other,
        }
    }
}

fn is_env_file(name: &str) -> bool {
    name == ".env" || name.starts_with(".env.") || name.ends_with(".env")
}

/// Files beside which mean the project is not (only) a node app. A Rails or
/// Django app often has a `package.json` for its front end; Prisma reads
/// `DATABASE_URL` with its own engine, not node-postgres.
const OTHER_STACKS: [&str; 12] = [
    "Gemfile",
    "requirements.txt",
    "pyproject.toml",
    "Pipfile",
    "manage.py",
    "go.mod",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "composer.json",
    "mix.exs",
    "prisma",
];

/// A node project: `package.json` beside the file, no other stack's marker.
/// (Reads the file system: only the scanned file's own directory.)
fn node_project(path: &Path) -> bool {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    dir.join("package.json").is_file() && !OTHER_STACKS.iter().any(|m| dir.join(m).exists())
}

static GO_PQ_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:Open|Connect|MustConnect|MustOpen)\(\s*"postgres""#)
        .expect("Go lib/pq pattern compiles")
});
static GO_PGX_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:Open|Connect|MustConnect|MustOpen)\(\s*"pgx|(?-u:\b)pgx(?:pool)?\.(?:Connect|New|ParseConfig)"#)
        .expect("Go pgx pattern compiles")
});

struct Ctx<'a> {
    file: &'a FileCtx<'a>,
    path: &'a Path,
    name: &'a str,
    text: &'a str,
    lang: Lang,
    lines: &'a Lines,
    /// Strings, comments and brackets, for the languages whose configs are
    /// read as objects (JavaScript, JSON, Python, PHP).
    lex: OnceCell<Lex>,
    node: OnceCell<bool>,
    /// Go: the file points at lib/pq, at pgx.
    go: (bool, bool),
    /// Python: asyncpg is imported and psycopg is not.
    asyncpg_only: bool,
    versions: Versions<'a>,
    /// Driver versions looked up so far.
    found_versions: RefCell<HashMap<Package, Option<DriverVersion>>>,
}

impl<'a> Ctx<'a> {
    fn new(file: &'a FileCtx<'a>) -> Self {
        let text = file.text;
        let lang = Lang::of(file.name);
        let lines = file.lines();
        let go = if lang == Lang::Go {
            (
                text.contains("github.com/lib/pq") || GO_PQ_CALL.is_match(text),
                text.contains("github.com/jackc/pgx")
                    || text.contains("gorm.io/driver/postgres")
                    || GO_PGX_CALL.is_match(text),
            )
        } else {
            (false, false)
        };
        let asyncpg_only = lang == Lang::Python
            && (text.contains("import asyncpg") || text.contains("from asyncpg"))
            && !text.contains("psycopg");
        Ctx {
            file,
            path: file.path,
            name: file.name,
            text,
            lang,
            lines,
            lex: OnceCell::new(),
            node: OnceCell::new(),
            go,
            asyncpg_only,
            versions: file.versions,
            found_versions: RefCell::new(HashMap::new()),
        }
    }

    /// The version of `package` the project's dependency files give.
    fn version(&self, package: Package) -> Option<DriverVersion> {
        self.found_versions
            .borrow_mut()
            .entry(package)
            .or_insert_with(|| self.versions.of(package))
            .clone()
    }

    fn shown_version(&self, package: Option<Package>) -> Option<String> {
        package.and_then(|p| self.version(p)).map(|v| v.shown())
    }

    /// The eras of `package` its version in sight may fall in.
    fn eras<T: Copy>(&self, package: Package, table: &[((u32, u32, u32), T)]) -> Vec<T> {
        eras(self.version(package).as_ref(), table)
    }

    fn line_of(&self, at: usize) -> usize {
        self.lines.line(at)
    }

    /// Line `n` (1-based), without its newline.
    fn line_text(&self, n: usize) -> &'a str {
        self.lines.text(self.text, n)
    }

    /// Built on first use: only files where an anchor pattern matched pay
    /// for it.
    fn lex(&self) -> &Lex {
        self.lex.get_or_init(|| match self.lang {
            Lang::Python => Lex::new(self.text, true, false),
            Lang::Php => Lex::new(self.text, true, true),
            _ => Lex::new(self.text, false, true),
        })
    }

    /// Program text, where an unquoted value is an expression rather than
    /// a literal (unlike env files, shell and YAML).
    fn is_code(&self) -> bool {
        matches!(self.lang, Lang::Js | Lang::Python | Lang::Go | Lang::Php)
            || [".rb", ".java", ".kt", ".cs", ".scala", ".groovy"]
                .iter()
                .any(|e| self.name.ends_with(e))
    }

    /// URLs and `PGSSLMODE` here are read by node-postgres.
    fn node(&self) -> bool {
        *self.node.get_or_init(|| match self.lang {
            Lang::Js => true,
            _ if self.name == "package.json" => true,
            Lang::Yaml | Lang::Json => node_project(self.path),
            Lang::Other if is_env_file(self.name) || self.name == "dockerfile" => {
                node_project(self.path)
            }
            _ => false,
        })
    }

    /// The Go driver reading a string at `at`: the one the file points at,
    /// or, when it points at both, the one named by a call on the same line,
    /// else by the nearest call before it.
    fn go_driver(&self, at: usize) -> Driver {
        match self.go {
            (true, false) => Driver::GoLibPq,
            (false, true) => Driver::Pgx,
            (true, true) => {
                let line = self.line_text(self.line_of(at));
                let before = &self.text[self.text.floor_char_boundary(at.saturating_sub(400))..at];
                for window in [line, before] {
                    let pq = GO_PQ_CALL.find_iter(window).last().map(|m| m.start());
                    let pgx = GO_PGX_CALL.find_iter(window).last().map(|m| m.start());
                    match (pq, pgx) {
                        (Some(a), Some(b)) => {
                            return if a > b { Driver::GoLibPq } else { Driver::Pgx };
                        }
                        (Some(_), None) => return Driver::GoLibPq,
                        (None, Some(_)) => return Driver::Pgx,
                        (None, None) => {}
                    }
                }
                Driver::Libpq
            }
            (false, false) => Driver::Libpq,
        }
    }

    fn uri_driver(&self, at: usize) -> Driver {
        if self.lang == Lang::Go {
            self.go_driver(at)
        } else if self.asyncpg_only {
            Driver::Asyncpg
        } else if self.node() {
            Driver::NodePg
        } else {
            Driver::Libpq
        }
    }

    /// Keyword/value strings: node-postgres and asyncpg do not read them.
    fn keyword_driver(&self, at: usize) -> Driver {
        if self.lang == Lang::Go {
            self.go_driver(at)
        } else {
            Driver::Libpq
        }
    }

    fn env_driver(&self, at: usize) -> Driver {
        if self.lang == Lang::Go {
            self.go_driver(at)
        } else if self.node() {
            Driver::NodePg
        } else {
            Driver::Libpq
        }
    }
}

// ---------------------------------------------------------------------------
// Small text helpers

/// The text of a string literal (`'…'`, `"…"`, `` `…` ``, `"""…"""`, with
/// Python prefixes such as `f` or `r`), or None when `v` is not one.
fn literal(v: &str) -> Option<&str> {
    let v = v.trim();
    let body = v.trim_start_matches(['r', 'R', 'f', 'F', 'b', 'B', 'u', 'U']);
    if v.len() - body.len() > 2 {
        return None;
    }
    for q in ["\"\"\"", "'''"] {
        if body.len() >= 6 && body.starts_with(q) && body.ends_with(q) {
            return Some(&body[3..body.len() - 3]);
        }
    }
    let q = body.chars().next()?;
    if matches!(q, '"' | '\'' | '`') && body.len() >= 2 && body.ends_with(q) {
        let inner = &body[1..body.len() - 1];
        // `'a' + b + 'c'` is not one literal.
        if !inner.contains(q) || inner.contains('\\') {
            return Some(inner);
        }
    }
    None
}

/// A value as written: a literal's text, or the expression with its
/// whitespace collapsed.
fn as_written(v: &str) -> String {
    literal(v).map_or_else(|| collapse(v), str::to_string)
}

fn collapse(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_ident(v: &str) -> bool {
    let mut chars = v.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

// ---------------------------------------------------------------------------
// URIs and JDBC URLs

static URI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?-u:\b)postgres(?:ql)?(\+[a-z0-9_]+)?://[^\s"'`<>\\)]*"#)
        .expect("URI pattern compiles")
});
static JDBC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?-u:\b)jdbc:(?:aws-wrapper:|log4jdbc:|p6spy:|otel:|tracing:)?postgresql:[^\s"'`<>\\)]*"#,
    )
    .expect("JDBC pattern compiles")
});

/// A URL without the punctuation prose or markup puts after it.
fn trim_url(s: &str) -> &str {
    let mut s = s;
    while let Some(c) = s.chars().last() {
        let strip = match c {
            '.' | ',' | ';' | ':' | '!' | '?' | '*' => true,
            ']' => s.matches('[').count() < s.matches(']').count(),
            '}' => s.matches('{').count() < s.matches('}').count(),
            _ => false,
        };
        if !strip {
            break;
        }
        s = &s[..s.len() - c.len_utf8()];
    }
    s
}

fn is_pg_uri(s: &str) -> bool {
    URI.find(s).is_some_and(|m| m.start() == 0)
}

/// The part after `://`.
fn after_scheme(url: &str) -> &str {
    url.find("://").map_or("", |i| &url[i + 3..])
}

/// Reads `[user[:password]@][host][:port][,…][/dbname][?k=v&…]`. Query
/// parameters override the URI parts, as in libpq; parameter names are
/// matched in any case. The password is skipped.
fn parse_uri(rest: &str) -> Conn {
    let mut c = Conn::default();
    let query_at = rest.find('?').unwrap_or(rest.len());
    let (auth_path, query) = (&rest[..query_at], rest.get(query_at + 1..));
    // The last `@` before the query: an unencoded `@` in a password is a
    // common mistake, and the host must not swallow the password's tail.
    let hostpath = match auth_path.rfind('@') {
        Some(i) => {
            let user = auth_path[..i].split(':').next().unwrap_or("");
            if !user.is_empty() {
                c.user = Some(percent_decode(user));
            }
            &auth_path[i + 1..]
        }
        None => auth_path,
    };
    let (hostspec, path) = match hostpath.find('/') {
        Some(i) => (&hostpath[..i], &hostpath[i + 1..]),
        None => (hostpath, ""),
    };
    if !path.is_empty() {
        c.database = Some(percent_decode(path));
    }
    let (host, port) = parse_hosts(hostspec);
    c.host = host;
    c.port = port;
    // `&amp;` when the URL sits in XML.
    for pair in query.unwrap_or("").replace("&amp;", "&").split('&') {
        if let Some((k, v)) = pair.split_once('=')
            && !k.eq_ignore_ascii_case("password")
        {
            c.set(k, percent_decode(v));
        }
    }
    c
}

/// Hosts joined by `,` (IPv6 brackets dropped), and the first port.
fn parse_hosts(spec: &str) -> (Option<String>, Option<String>) {
    let mut hosts = Vec::new();
    let mut first_port = None;
    let mut rest = spec;
    while !rest.is_empty() {
        let (part, tail) = if rest.starts_with('[') {
            let close = rest.find(']').map_or(rest.len(), |i| i + 1);
            let end = rest[close..].find(',').map_or(rest.len(), |i| close + i);
            (&rest[..end], rest.get(end + 1..).unwrap_or(""))
        } else {
            match rest.find(',') {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, ""),
            }
        };
        rest = tail;
        let (host, port) = if let Some(r) = part.strip_prefix('[') {
            match r.find(']') {
                Some(i) => (&r[..i], r[i + 1..].strip_prefix(':')),
                None => (r, None),
            }
        } else {
            match part.rfind(':') {
                Some(i) if !part[..i].ends_with(":-") => (&part[..i], Some(&part[i + 1..])),
                _ => (part, None),
            }
        };
        if !host.is_empty() {
            hosts.push(percent_decode(host));
        }
        if first_port.is_none() {
            first_port = port.filter(|p| !p.is_empty()).map(str::to_string);
        }
    }
    ((!hosts.is_empty()).then(|| hosts.join(",")), first_port)
}

/// The URI is inside another scheme (`r2dbc:postgresql://`, `jdbc:…`).
fn wrapped_scheme(text: &str, at: usize) -> bool {
    let b = text.as_bytes();
    at >= 2 && b[at - 1] == b':' && b[at - 2].is_ascii_alphanumeric()
}

/// Something after `://` a client could connect with (not `postgres://` alone,
/// as in `url.replace("postgres://", …)`).
fn plausible(rest: &str) -> bool {
    rest.bytes()
        .any(|c| c.is_ascii_alphanumeric() || b"$/{%[".contains(&c))
}

struct Uris;

impl Stack<Pg> for Uris {
    fn name(&self) -> &'static str {
        "postgres:// URIs"
    }

    /// Every file: the URL pattern is as cheap a test as any needle.
    fn wants(&self, _: &FileCtx<'_>) -> bool {
        true
    }

    fn detect(&self, cx: &Ctx<'_>, out: &mut Out) {
        uris(cx, out)
    }
}

fn uris(cx: &Ctx<'_>, out: &mut Out) {
    for m in URI.captures_iter(cx.text) {
        let whole = m.get(0).expect("match");
        let at = whole.start();
        if out.is_claimed(at) || wrapped_scheme(cx.text, at) {
            continue;
        }
        let url = trim_url(whole.as_str());
        let rest = after_scheme(url);
        if !plausible(rest) {
            continue;
        }
        let driver = match m.get(1).map(|d| d.as_str().to_ascii_lowercase()) {
            None => cx.uri_driver(at),
            Some(d) => sqlalchemy_driver(&d),
        };
        out.found.push(
            found(
                cx,
                at,
                driver.uri_stack(),
                driver,
                parse_uri(rest),
                url.to_string(),
            )
            .unless_cut_at(cx, whole.end()),
        );
    }
}

/// The driver a SQLAlchemy `postgresql+…` scheme names.
fn sqlalchemy_driver(suffix: &str) -> Driver {
    match suffix.trim_start_matches('+') {
        "asyncpg" => Driver::Asyncpg,
        "psycopg2" | "psycopg" | "psycopg2cffi" | "psycopg_async" => Driver::Libpq,
        _ => Driver::Other,
    }
}

struct JdbcUrls;

impl Stack<Pg> for JdbcUrls {
    fn name(&self) -> &'static str {
        "JDBC URLs"
    }

    /// Every file: the URL pattern is as cheap a test as any needle.
    fn wants(&self, _: &FileCtx<'_>) -> bool {
        true
    }

    fn detect(&self, cx: &Ctx<'_>, out: &mut Out) {
        jdbc_urls(cx, out)
    }
}

fn jdbc_urls(cx: &Ctx<'_>, out: &mut Out) {
    for m in JDBC.find_iter(cx.text) {
        let at = m.start();
        if out.is_claimed(at) {
            continue;
        }
        let url = trim_url(m.as_str());
        let Some(i) = url.to_ascii_lowercase().find("postgresql:") else {
            continue;
        };
        let rest = &url[i + "postgresql:".len()..];
        let mut conn = if let Some(r) = rest.strip_prefix("//") {
            parse_uri(r)
        } else {
            // `jdbc:postgresql:dbname?…` / `jdbc:postgresql:/`: local host.
            let (db, query) = rest.split_once('?').unwrap_or((rest, ""));
            let mut c = parse_uri(&format!("/{}?{query}", db.trim_start_matches('/')));
            c.host = None;
            c
        };
        if conn.user.is_none() {
            conn.user = spring_user(cx, at);
        }
        out.found.push(
            found(
                cx,
                at,
                "JDBC PostgreSQL",
                Driver::Pgjdbc,
                conn,
                url.to_string(),
            )
            .unless_cut_at(cx, m.end()),
        );
    }
}

static KEY_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*([\w.\-]*?)url\s*[=:]").expect("url key pattern compiles")
});

/// The user a Spring-style `…url` key's sibling `…username` names:
/// `spring.datasource.username=` in properties, `username:` beside `url:`
/// in YAML.
fn spring_user(cx: &Ctx<'_>, at: usize) -> Option<String> {
    let n = cx.line_of(at);
    let line = cx.line_text(n);
    let caps = KEY_URL.captures(line)?;
    let prefix = caps.get(1).map_or("", |p| p.as_str());
    if !prefix.is_empty() {
        let re = Regex::new(&format!(
            r"(?im)^\s*{}(?:username|user)\s*[=:]\s*(\S+)",
            regex::escape(prefix)
        ))
        .ok()?;
        return re.captures(cx.text).map(|c| unquote(&c[1]).to_string());
    }
    let indent = line.len() - line.trim_start().len();
    (n.saturating_sub(8).max(1)..=n + 8).find_map(|k| {
        let l = cx.line_text(k);
        let v = l.trim_start().strip_prefix("username:")?;
        (l.len() - l.trim_start().len() == indent).then(|| unquote(v).to_string())
    })
}

// ---------------------------------------------------------------------------
// libpq keyword/value strings, PDO DSNs, pg_service.conf

/// libpq connection keywords (libpq-connect.html, PostgreSQL 17).
const LIBPQ_KEYS: [&str; 44] = [
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "passfile",
    "require_auth",
    "channel_binding",
    "connect_timeout",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "replication",
    "gssencmode",
    "sslmode",
    "requiressl",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslcertmode",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "service",
    "target_session_attrs",
    "load_balance_hosts",
    "min_protocol_version",
    "max_protocol_version",
];

static KV_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([a-z_]+)[ \t]*=[ \t]*('(?:[^'\\\n]|\\.)*'|[^\s'"`;,)&]+(?:,[^\s'"`;,)&]+)*)"#)
        .expect("keyword pattern compiles")
});
static KV_HINT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:host|hostaddr|dbname)[ \t]*=").expect("keyword hint compiles")
});

/// A keyword value: single quotes removed, `\'` and `\\` unescaped.
fn kv_value(v: &str) -> String {
    match v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        Some(inner) => inner.replace("\\'", "'").replace("\\\\", "\\"),
        None => v.to_string(),
    }
}

/// Every `key=value` of a conninfo string (lenient: no run rules).
fn parse_conninfo(s: &str) -> Conn {
    let mut c = Conn::default();
    for t in KV_TOKEN.captures_iter(s) {
        if &t[1] != "password" {
            c.set(&t[1], kv_value(&t[2]));
        }
    }
    c
}

struct Token {
    start: usize,
    end: usize,
    key: String,
    value: String,
}

struct KeywordStrings;

impl Stack<Pg> for KeywordStrings {
    fn name(&self) -> &'static str {
        "libpq keyword/value strings"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        KV_HINT.is_match(file.text)
    }

    fn detect(&self, cx: &Ctx<'_>, out: &mut Out) {
        keyword_strings(cx, out)
    }
}

fn keyword_strings(cx: &Ctx<'_>, out: &mut Out) {
    let b = cx.text.as_bytes();
    let mut runs: Vec<Vec<Token>> = Vec::new();
    let mut run: Vec<Token> = Vec::new();
    for t in KV_TOKEN.captures_iter(cx.text) {
        let whole = t.get(0).expect("match");
        let (start, end) = (whole.start(), whole.end());
        // `--host=` flags, `ansible_host=`, `$host=`, URL query parameters.
        let glued = start > 0
            && (b[start - 1].is_ascii_alphanumeric() || b"_.-$@:/?&".contains(&b[start - 1]));
        let follows = run.last().is_some_and(|p: &Token| {
            start > p.end
                && cx.text[p.end..start]
                    .bytes()
                    .all(|c| c == b' ' || c == b'\t')
        });
        if !follows && !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
        if glued {
            continue;
        }
        run.push(Token {
            start,
            end,
            key: t[1].to_string(),
            value: kv_value(&t[2]),
        });
    }
    runs.push(run);
    for run in runs {
        let (Some(first), Some(last)) = (run.first(), run.last()) else {
            continue;
        };
        // Python keyword arguments (`host=h, user=u`) and URL queries.
        if matches!(b.get(last.end), Some(b',' | b'&' | b'(')) {
            continue;
        }
        let known = run
            .iter()
            .filter(|t| LIBPQ_KEYS.contains(&t.key.as_str()))
            .count();
        let anchored = run
            .iter()
            .any(|t| matches!(t.key.as_str(), "host" | "hostaddr" | "dbname"));
        if known < 2 || !anchored || out.is_claimed(first.start) {
            continue;
        }
        let mut conn = Conn::default();
        for t in &run {
            if t.key != "password" {
                conn.set(&t.key, t.value.clone());
            }
        }
        let driver = cx.keyword_driver(first.start);
        let setting = cx.text[first.start..last.end].to_string();
        out.found.push(
            found(
                cx,
                first.start,
                driver.keyword_stack(),
                driver,
                conn,
                setting,
            )
            .unless_cut_at(cx, last.end),
        );
    }
}

static PDO_DSN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)pgsql:((?:[ \t]*[a-z_]+[ \t]*=[^;\x22'\s]*;?)+)")
        .expect("PDO pattern compiles")
});

struct Pdo;

impl Stack<Pg> for Pdo {
    fn name(&self) -> &'static str {
        "PDO DSNs"
    }

    /// Every file: the URL pattern is as cheap a test as any needle.
    fn wants(&self, _: &FileCtx<'_>) -> bool {
        true
    }

    fn detect(&self, cx: &Ctx<'_>, out: &mut Out) {
        pdo(cx, out)
    }
}

/// PHP PDO `pgsql:host=…;port=…;dbname=…;sslmode=…` (libpq underneath).
fn pdo(cx: &Ctx<'_>, out: &mut Out) {
    for m in PDO_DSN.captures_iter(cx.text) {
        let whole = m.get(0).expect("match");
        if out.is_claimed(whole.start()) {
            continue;
        }
        let mut conn = Conn::default();
        for pair in m[1].split(';') {
            if let Some((k, v)) = pair.split_once('=')
                && !k.trim().eq_ignore_ascii_case("password")
            {
                conn.set(k.trim(), v.trim().to_string());
            }
        }
        if conn.host.is_none() && conn.database.is_none() {
            continue;
        }
        out.claim(whole.start(), whole.end());
        let setting = whole.as_str().trim_end_matches(';').to_string();
        out.found.push(found(
            cx,
            whole.start(),
            "PDO pgsql DSN",
            Driver::Libpq,
            conn,
            setting,
        ));
    }
}

struct PgService;

impl Stack<Pg> for PgService {
    fn name(&self) -> &'static str {
        "pg_service.conf"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        file.name.ends_with("pg_service.conf")
    }

    fn detect(&self, cx: &Ctx<'_>, out: &mut Out) {
        pg_service(cx, out)
    }
}

/// `pg_service.conf`: one hit per `[service]` naming a host or database.
fn pg_service(cx: &Ctx<'_>, out: &mut Out) {
    let mut sections: Vec<(usize, &str, Conn, Vec<String>)> = Vec::new();
    for (i, line) in cx.text.lines().enumerate() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            sections.push((cx.lines.starts()[i], name, Conn::default(), Vec::new()));
        } else if let (Some((k, v)), Some(s)) = (t.split_once('='), sections.last_mut()) {
            let (k, v) = (k.trim(), v.trim());
            if !t.starts_with('#') && k != "password" {
                s.2.set(k, v.to_string());
                s.3.push(format!("{k}={v}"));
            }
        }
    }
    for (at, name, conn, parts) in sections {
        if conn.host.is_some() || conn.database.is_some() {
            let setting = format!("[{name}] {}", parts.join(" "));
            out.found.push(found(
                cx,
                at,
                "pg_service.conf",
                Driver::Libpq,
                conn,
                setting,
            ));
        }
    }
}

// ---------------------------------------------------------------------------
// Npgsql connection strings

static NPGSQL_RUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:[a-z][a-z0-9 _]{0,40}=[^;"'<>\n]*;[ \t]*){2,}(?:[a-z][a-z0-9 _]{0,40}=[^;"'<>\n]*)?"#)
        .expect("Npgsql pattern compiles")
});

/// A connection string's span in the file's text.
struct Run<'a> {
    start: usize,
    text: &'a str,
}

impl<'a> Run<'a> {
    fn start(&self) -> usize {
        self.start
    }
    fn end(&self) -> usize {
        self.start + self.text.len()
    }
    fn as_str(&self) -> &'a str {
        self.text
    }
}

/// `key=value;` runs, searched line by line (a run never spans lines) and
/// only on lines that could hold one: over a whole source file the pattern's
/// counted repetitions overflow regex's DFA cache, and it falls back to a
/// hundred times slower engine.
fn npgsql_runs(text: &str) -> impl Iterator<Item = Run<'_>> {
    let mut line_start = 0;
    text.split_inclusive('\n').flat_map(move |line| {
        let start = line_start;
        line_start += line.len();
        let candidate = line.contains(';') && line.bytes().filter(|&b| b == b'=').count() >= 2;
        candidate
            .then(|| {
                NPGSQL_RUN.find_iter(line).map(move |m| Run {
                    start: start + m.start(),
                    text: m.as_str(),
                })
            })
            .into_iter()
            .flatten()
    })
}

/// Keys other drivers' connection strings use and Npgsql's do not
/// (SqlClient, ODBC, OLE DB, MySQL Connector/NET), spaces and `_` removed.
const NOT_NPGSQL: [&str; 20] = [
    "uid",
    "pwd",
    "datasource",
    "initialcatalog",
    "encrypt",
    "integratedsecurity",
    "trustedconnection",
    "multipleactiveresultsets",
    "driver",
    "provider",
    "dsn",
    "sslca",
    "allowpublickeyretrieval",
    "charset",
    "allowuservariables",
    "persistsecurityinfo",
    "applicationintent",
    "multisubnetfailover",
    "attachdbfilename",
    "networklibrary",
];

struct Npgsql;

impl Stack<Pg> for Npgsql {
    fn name(&self) -> &'static str {
        "Npgsql connection strings"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        file.text.contains(';')
    }

    fn detect(&self, cx: &Ctx<'_>, out: &mut Out) {
        npgsql(cx, out)
    }
}

fn npgsql(cx: &Ctx<'_>, out: &mut Out) {
    let mentions_npgsql = cx.file.lower().contains("npgsql");
    for m in npgsql_runs(cx.text) {
        if out.is_claimed(m.start()) {
            continue;
        }
        let mut pairs: Vec<(String, &str)> = Vec::new();
        let mut start = m.start();
        for (i, piece) in m.as_str().split(';').enumerate() {
            let Some((k, v)) = piece.split_once('=') else {
                continue;
            };
            let mut key: String = k
                .chars()
                .filter(|c| !matches!(c, ' ' | '_'))
                .collect::<String>()
                .to_ascii_lowercase();
            let mut value = v.trim();
            if i == 0 {
                // `ConnectionStrings__Default=Host=…` in an env file, or
                // prose before the first key.
                if let (Some((k2, v2)), false) = (value.split_once('='), is_npgsql_key(&key)) {
                    key = k2.trim().to_ascii_lowercase().replace([' ', '_'], "");
                    value = v2.trim();
                    start += piece.find(k2.trim()).unwrap_or(0);
                } else if !is_npgsql_key(&key)
                    && let Some(last) = k.split_whitespace().last()
                {
                    key = last.to_ascii_lowercase();
                    start += piece.rfind(last).unwrap_or(0);
                }
            }
            pairs.push((key, value));
        }
        let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| *v);
        let mode = get("sslmode");
        let port = get("port");
        let has = |name: &str| get(name).is_some();
        let foreign = pairs.iter().any(|(k, _)| NOT_NPGSQL.contains(&k.as_str()))
            || mode.is_some_and(|m| {
                matches!(
                    m.to_ascii_lowercase().as_str(),
                    "required" | "preferred" | "none"
                )
            })
            || port.is_some_and(|p| matches!(p.trim(), "3306" | "1433" | "1521"));
        let line = cx.line_text(cx.line_of(m.start())).to_ascii_lowercase();
        let postgres_only = mode.is_some_and(|m| {
            matches!(
                m.to_ascii_lowercase().replace(['-', ' '], "").as_str(),
                "disable" | "allow" | "prefer" | "require"
            )
        }) || has("rootcertificate")
            || has("searchpath")
            || port.is_some_and(|p| p.trim() == "5432")
            || (has("host") && has("username"))
            || line.contains("postgres")
            || line.contains("npgsql")
            || mentions_npgsql;
        if foreign || !postgres_only || !(has("host") || has("server")) {
            continue;
        }
        let mut conn = Conn::default();
        for (k, v) in &pairs {
            let v = v.to_string();
            match k.as_str() {
                "host" | "server" => conn.host = Some(v),
                "port" => conn.port = Some(v),
                "database" | "db" => conn.database = Some(v),
                "username" | "userid" | "user" => conn.user = Some(v),
                "applicationname" => conn.application = Some(v),
                "sslmode" => conn.sslmode = Some(v),
                "rootcertificate" => conn.sslrootcert = Some(v),
                "trustservercertificate" => conn.trust_server = Some(v),
                _ => {}
            }
        }
        let setting = cx.text[start..m.end()]
            .trim_end_matches([';', ' ', '\t'])
            .to_string();
        out.found.push(
            found(
                cx,
                start,
                "Npgsql connection string",
                Driver::Npgsql,
                conn,
                setting,
            )
            .unless_cut_at(cx, m.end()),
        );
    }
}

fn is_npgsql_key(key: &str) -> bool {
    matches!(
        key,
        "host"
            | "server"
            | "port"
            | "database"
            | "db"
            | "username"
            | "userid"
            | "user"
            | "password"
            | "sslmode"
            | "rootcertificate"
            | "trustservercertificate"
            | "searchpath"
            | "pooling"
            | "timeout"
            | "commandtimeout"
            | "applicationname"
    )
}

// ---------------------------------------------------------------------------
// PG* environment variables

const PG_VARS: &str =
    "PGSSLMODE|PGSSLROOTCERT|PGHOSTADDR|PGHOST|PGPORT|PGUSER|PGDATABASE|PGAPPNAME";

static ENV_ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?m)(?:^|[^\w${{])["']?({PG_VARS})["']?\]?[ \t]*[=:]"#
    ))
    .expect("env pattern compiles")
});
static ENV_DOCKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?m)^[ \t]*(?:ENV|ARG)[ \t]+({PG_VARS})[ \t]+([^\s=]\S*)"
    ))
    .expect("ENV pattern compiles")
});
static ENV_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"["']?name["']?[ \t]*[:=][ \t]*["']?({PG_VARS})["']?"#
    ))
    .expect("env name pattern compiles")
});
static ENV_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["']?value(From)?["']?[ \t]*[:=][ \t]*"#).expect("env value pattern compiles")
});
static ENV_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?:setdefault|putenv|Setenv|setenv|SetEnvironmentVariable)\s*\(\s*["']({PG_VARS})["']\s*,\s*["']([^"'\n]*)["']\s*\)?"#
    ))
    .expect("setenv pattern compiles")
});

struct EnvVar {
    name: String,
    /// None: not readable here (a Kubernetes `valueFrom`, a variable in
    /// code).
    value: Option<String>,
    at: usize,
    line: usize,
    /// The assignment as written.
    text: String,
}

/// An env value at the start of `rest`, and where it ends.
fn env_value(rest: &str) -> (String, usize) {
    let t = rest.trim_start_matches([' ', '\t']);
    let skipped = rest.len() - t.len();
    if let Some(q) = t.chars().next().filter(|c| matches!(c, '"' | '\'')) {
        let inner = &t[1..];
        let end = inner.find([q, '\n']).unwrap_or(inner.len());
        return (inner[..end].to_string(), skipped + end + 2);
    }
    let end = t
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '"' | '\''))
        .unwrap_or(t.len());
    let mut v = &t[..end];
    while v.ends_with(['}', ']']) && v.matches(['{', '[']).count() < v.matches(['}', ']']).count() {
        v = &v[..v.len() - 1];
    }
    (v.to_string(), skipped + v.len())
}

struct Env;

impl Stack<Pg> for Env {
    fn name(&self) -> &'static str {
        "PG* environment variables"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        file.text.contains("PG")
    }

    fn detect(&self, cx: &Ctx<'_>, out: &mut Out) {
        env(cx, out)
    }
}

fn env(cx: &Ctx<'_>, out: &mut Out) {
    let b = cx.text.as_bytes();
    let mut vars: Vec<EnvVar> = Vec::new();
    let mut push = |name: &str, value: Option<String>, at: usize, end: usize| {
        // Type annotations (`PGHOST: string`) and empty settings say nothing.
        if value.as_deref().is_some_and(|v| {
            v.is_empty() || matches!(v, "string" | "str" | "number" | "undefined" | "null")
        }) {
            return;
        }
        let end = cx.text.floor_char_boundary(end.min(cx.text.len()));
        let text = collapse(&cx.text[at..end.max(at)]);
        vars.push(EnvVar {
            name: name.to_string(),
            value,
            at,
            line: cx.line_of(at),
            text,
        });
    };
    for m in ENV_ASSIGN.captures_iter(cx.text) {
        let name = m.get(1).expect("name");
        let end = m.get(0).expect("match").end();
        // `==`, `===`, `::`.
        if matches!(b.get(end), Some(b'=' | b':')) {
            continue;
        }
        let (value, len) = env_value(&cx.text[end..]);
        let at = name.start()
            - usize::from(name.start() > 0 && matches!(b[name.start() - 1], b'"' | b'\''));
        // Type annotations (`PGHOST: string`) and empty settings say nothing.
        if value.is_empty()
            || matches!(
                value.as_str(),
                "string" | "str" | "number" | "undefined" | "null"
            )
        {
            continue;
        }
        // In code, an unquoted value is an expression (`= mode`).
        let literal = !cx.is_code()
            || cx.text[end..].trim_start().starts_with(['"', '\'', '`'])
            || value.parse::<f64>().is_ok();
        push(name.as_str(), literal.then_some(value), at, end + len);
    }
    for m in ENV_DOCKER.captures_iter(cx.text) {
        let (name, value) = (m.get(1).expect("name"), m.get(2).expect("value"));
        push(
            name.as_str(),
            Some(unquote(value.as_str()).to_string()),
            m.get(0).expect("match").start(),
            value.end(),
        );
    }
    for m in ENV_CALL.captures_iter(cx.text) {
        let whole = m.get(0).expect("match");
        push(&m[1], Some(m[2].to_string()), whole.start(), whole.end());
    }
    for m in ENV_NAME.captures_iter(cx.text) {
        let whole = m.get(0).expect("match");
        // The value: on the same line or one of the next three.
        let n = cx.line_of(whole.end());
        let window_end = cx.lines.starts().get(n + 3).map_or(cx.text.len(), |&e| e);
        let window = &cx.text[whole.end()..window_end];
        let Some(v) = ENV_VALUE.captures(window) else {
            continue;
        };
        let vend = whole.end() + v.get(0).expect("match").end();
        if v.get(1).is_some() {
            push(&m[1], None, whole.start(), vend);
        } else {
            let (value, len) = env_value(&cx.text[vend..]);
            push(&m[1], Some(value), whole.start(), vend + len);
        }
    }
    vars.retain(|v| !out.is_claimed(v.at));
    vars.sort_by_key(|v| v.at);
    vars.dedup_by_key(|v| v.at);
    let anchors: Vec<&EnvVar> = ["PGSSLMODE", "PGHOST", "PGHOSTADDR", "PGSSLROOTCERT"]
        .iter()
        .map(|name| vars.iter().filter(|v| v.name == *name).collect::<Vec<_>>())
        .find(|a| !a.is_empty())
        .unwrap_or_default();
    for a in anchors {
        // The nearest setting of each other variable, within 40 lines.
        let near = |name: &str| {
            vars.iter()
                .filter(|v| v.name == name && v.line.abs_diff(a.line) <= 40)
                .min_by_key(|v| v.line.abs_diff(a.line))
        };
        let mode = near("PGSSLMODE");
        let parts: Vec<&EnvVar> = [
            "PGSSLMODE",
            "PGSSLROOTCERT",
            "PGHOST",
            "PGHOSTADDR",
            "PGPORT",
            "PGUSER",
            "PGDATABASE",
            "PGAPPNAME",
        ]
        .iter()
        .filter_map(|n| near(n))
        .collect();
        let value = |name: &str| near(name).and_then(|v| v.value.clone());
        let conn = Conn {
            host: value("PGHOST").or_else(|| value("PGHOSTADDR")),
            port: value("PGPORT"),
            user: value("PGUSER"),
            database: value("PGDATABASE"),
            application: value("PGAPPNAME"),
            sslmode: value("PGSSLMODE"),
            sslrootcert: value("PGSSLROOTCERT"),
            ..Conn::default()
        };
        let driver = cx.env_driver(a.at);
        let stack = if mode.is_some() {
            driver.env_stack()
        } else {
            "PG env"
        };
        let mut f = found(
            cx,
            a.at,
            stack,
            driver,
            conn,
            parts
                .iter()
                .map(|v| v.text.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        );
        if driver == Driver::NodePg {
            let mode = f.conn.sslmode.as_deref();
            f.facts = Facts::agree(
                cx.eras(Package::NodePg, &PG_ERAS)
                    .into_iter()
                    .map(|era| Some(node_env_era(mode, era))),
            );
        }
        if mode.is_some_and(|m| m.value.is_none()) {
            f.facts = UNKNOWN;
        }
        out.found.push(f);
    }
}

// ---------------------------------------------------------------------------
// Rails database.yml

static YAML_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^( *)([A-Za-z0-9_.<\-]+|"[^"]*"|'[^']*')[ \t]*:(?:[ \t]+(.*?))?[ \t]*$"#)
        .expect("YAML pattern compiles")
});
static RAILS_ADAPTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*adapter:\s*["']?(?:postgresql|postgis)(?-u:\b)"#)
        .expect("adapter pattern compiles")
});

struct YLine<'a> {
    indent: usize,
    key: &'a str,
    value: &'a str,
    at: usize,
}

/// A mapping: the lines of its direct children.
struct YNode {
    kids: Vec<usize>,
}

fn yaml_scalar(v: &str) -> &str {
    let v = v.trim();
    if v.starts_with(['"', '\'']) {
        return unquote(v);
    }
    v.find(" #").map_or(v, |i| v[..i].trim_end())
}

struct Rails;

impl Stack<Pg> for Rails {
    fn name(&self) -> &'static str {
        "Rails database.yml"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        (file.name.contains(".yml") || file.name.contains(".yaml"))
            && RAILS_ADAPTER.is_match(file.text)
    }

    fn detect(&self, cx: &Ctx<'_>, out: &mut Out) {
        rails(cx, out)
    }
}

fn rails(cx: &Ctx<'_>, out: &mut Out) {
    let mut ys: Vec<YLine<'_>> = Vec::new();
    for (i, line) in cx.text.split('\n').enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(c) = YAML_KEY.captures(line) {
            let indent = c[1].len();
            let key = unquote(c.get(2).expect("key").as_str());
            let value = c.get(3).map_or("", |v| yaml_scalar(v.as_str()));
            ys.push(YLine {
                indent,
                key,
                value,
                at: cx.lines.starts()[i] + indent,
            });
        }
    }
    let mut nodes: Vec<YNode> = Vec::new();
    let mut anchors: HashMap<&str, usize> = HashMap::new();
    for (i, y) in ys.iter().enumerate() {
        if !(y.value.is_empty() || y.value.starts_with('&')) {
            continue;
        }
        let mut kids = Vec::new();
        let mut child_indent = None;
        for (j, k) in ys.iter().enumerate().skip(i + 1) {
            if k.indent <= y.indent {
                break;
            }
            if k.indent == *child_indent.get_or_insert(k.indent) {
                kids.push(j);
            }
        }
        if kids.is_empty() {
            continue;
        }
        let anchor = y
            .value
            .strip_prefix('&')
            .and_then(|a| a.split_whitespace().next());
        if let Some(a) = anchor {
            anchors.insert(a, nodes.len());
        }
        nodes.push(YNode { kids });
    }
    let merged_from = |n: &YNode| -> Vec<usize> {
        n.kids
            .iter()
            .filter(|&&k| ys[k].key == "<<")
            .flat_map(|&k| {
                ys[k]
                    .value
                    .trim_matches(['[', ']'])
                    .split(',')
                    .map(str::trim)
                    .collect::<Vec<_>>()
            })
            .filter_map(|r| r.strip_prefix('*').and_then(|a| anchors.get(a).copied()))
            .collect()
    };
    let referenced: HashSet<usize> = nodes.iter().flat_map(merged_from).collect();
    // key → line index, merges first, own keys override.
    fn resolve<'y>(
        i: usize,
        nodes: &[YNode],
        ys: &[YLine<'y>],
        merged_from: &dyn Fn(&YNode) -> Vec<usize>,
        depth: usize,
        map: &mut HashMap<&'y str, usize>,
    ) {
        if depth > 8 {
            return;
        }
        for m in merged_from(&nodes[i]) {
            resolve(m, nodes, ys, merged_from, depth + 1, map);
        }
        for &k in &nodes[i].kids {
            if ys[k].key != "<<" && !ys[k].value.is_empty() {
                map.insert(ys[k].key, k);
            }
        }
    }
    for (i, node) in nodes.iter().enumerate() {
        let mut map: HashMap<&str, usize> = HashMap::new();
        resolve(i, &nodes, &ys, &merged_from, 0, &mut map);
        let get = |k: &str| map.get(k).map(|&j| ys[j].value);
        if !get("adapter")
            .is_some_and(|a| matches!(a.to_ascii_lowercase().as_str(), "postgresql" | "postgis"))
        {
            continue;
        }
        // The `url:` is part of this block (and of those merging it).
        for &j in map.values() {
            if ys[j].key == "url" {
                out.claim(ys[j].at, ys[j].at + ys[j].key.len() + ys[j].value.len() + 8);
            }
        }
        // Templates (`default: &default`) are reported through the blocks
        // that merge them.
        if referenced.contains(&i) {
            continue;
        }
        let mut conn = Conn::default();
        for (key, name) in [
            ("host", "host"),
            ("port", "port"),
            ("database", "dbname"),
            ("username", "user"),
            ("sslmode", "sslmode"),
            ("sslrootcert", "sslrootcert"),
            ("application_name", "application_name"),
        ] {
            if let Some(v) = get(key) {
                conn.set(name, v.to_string());
            }
        }
        if let Some(url) = get("url").filter(|u| is_pg_uri(u)) {
            // ActiveRecord merges `url:` over the other keys.
            conn.overlay(parse_uri(after_scheme(url)));
        }
        let own_sslmode = node.kids.iter().find(|&&k| ys[k].key == "sslmode");
        let at = ys[*own_sslmode.unwrap_or(&node.kids[0])].at;
        let setting = [
            "adapter",
            "host",
            "port",
            "database",
            "username",
            "sslmode",
            "sslrootcert",
            "url",
        ]
        .iter()
        .filter_map(|k| get(k).map(|v| format!("{k}: {v}")))
        .collect::<Vec<_>>()
        .join("; ");
        out.found.push(found(
            cx,
            at,
            "Rails database.yml",
            Driver::Libpq,
            conn,
            setting,
        ));
    }
}

// ---------------------------------------------------------------------------
// Django and Laravel settings

static DJANGO_ENGINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"['"]ENGINE['"]\s*:\s*['"]django(?:\.contrib\.gis)?\.db\.backends\.(?:postgresql(?:_psycopg2)?|postgis)['"]"#)
        .expect("Django pattern compiles")
});

struct Django;

impl Stack<Pg> for Django {
    fn name(&self) -> &'static str {
        "Django settings"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        Lang::of(file.name) == Lang::Python && DJANGO_ENGINE.is_match(file.text)
    }

    fn detect(&self, cx: &Ctx<'_>, out: &mut Out) {
        django(cx, out)
    }
}

fn django(cx: &Ctx<'_>, out: &mut Out) {
    let lex = cx.lex();
    for m in DJANGO_ENGINE.find_iter(cx.text) {
        if lex.in_comment(m.start()) {
            continue;
        }
        let Some((open, close)) = lex.enclosing(cx.text, m.start(), b"{") else {
            continue;
        };
        if out.is_claimed(open) {
            continue;
        }
        let mut conn = Conn::default();
        let mut parts = Vec::new();
        for e in lex.entries(cx.text, open, close) {
            let Some(key) = e.key.as_deref().map(str::to_ascii_uppercase) else {
                continue;
            };
            let v = e.text(cx.text);
            let name = match key.as_str() {
                "ENGINE" => "",
                "HOST" => "host",
                "PORT" => "port",
                "NAME" => "dbname",
                "USER" => "user",
                "OPTIONS" => {
                    let Some((o, c)) = lex.object_at(cx.text, e.value.0) else {
                        continue;
                    };
                    for opt in lex.entries(cx.text, o, c) {
                        if let Some(k @ ("sslmode" | "sslrootcert" | "application_name")) =
                            opt.key_lower().as_deref()
                        {
                            let v = as_written(opt.text(cx.text));
                            parts.push(format!("OPTIONS.{k}: {v}"));
                            conn.set(k, v);
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            let v = as_written(v);
            parts.push(format!("{key}: {v}"));
            if !name.is_empty() {
                conn.set(name, v);
            }
        }
        out.claim(open, close + 1);
        out.found.push(found(
            cx,
            open,
            "Django settings",
            Driver::Libpq,
            conn,
            parts.join("; "),
        ));
    }
}

static LARAVEL_DRIVER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"['"]driver['"]\s*=>\s*['"]pgsql['"]"#).expect("Laravel pattern compiles")
});

struct Laravel;

impl Stack<Pg> for Laravel {
    fn name(&self) -> &'static str {
        "Laravel settings"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        Lang::of(file.name) == Lang::Php && LARAVEL_DRIVER.is_match(file.text)
    }

    fn detect(&self, cx: &Ctx<'_>, out: &mut Out) {
        laravel(cx, out)
    }
}

/// Laravel `config/database.php`: `'driver' => 'pgsql'` with `'host'`,
/// `'port'`, `'database'`, `'username'`, `'sslmode'` beside it.
fn laravel(cx: &Ctx<'_>, out: &mut Out) {
    let lex = cx.lex();
    for m in LARAVEL_DRIVER.find_iter(cx.text) {
        if lex.in_comment(m.start()) {
            continue;
        }
        let Some((open, close)) = lex.enclosing(cx.text, m.start(), b"[(") else {
            continue;
        };
        let mut conn = Conn::default();
        let mut parts = Vec::new();
        for e in lex.entries(cx.text, open, close) {
            let Some(key) = e.key_lower() else { continue };
            let name = match key.as_str() {
                "driver" => "",
                "host" => "host",
                "port" => "port",
                "database" => "dbname",
                "username" => "user",
                "sslmode" => "sslmode",
                "sslrootcert" => "sslrootcert",
                _ => continue,
            };
            let v = as_written(e.text(cx.text));
            parts.push(format!("{key}: {v}"));
            if !name.is_empty() {
                conn.set(name, v);
            }
        }
        out.claim(open, close + 1);
        out.found.push(found(
            cx,
            open,
            "Laravel database.php",
            Driver::Libpq,
            conn,
            parts.join("; "),
        ));
    }
}

// ---------------------------------------------------------------------------
// node-postgres, Sequelize, knex, TypeORM

static PG_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"require\(\s*['"](?:pg|pg-pool)['"]\s*\)|from\s+['"](?:pg|pg-pool)['"]"#)
        .expect("pg import pattern compiles")
});
static NEW_POOL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)new\s+(?:[\w$]+\.)?(?:Pool|Client)\s*\(")
        .expect("new Pool pattern compiles")
});
static NODE_DIALECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["']?(dialect|client|type)["']?\s*:\s*["'](?:postgres|postgresql|pg)["']"#)
        .expect("dialect pattern compiles")
});
static REJECT_FALSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["']?rejectUnauthorized["']?\s*:\s*false"#)
        .expect("rejectUnauthorized pattern compiles")
});
static READ_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"readFileSync\(\s*['"`]([^'"`]+)['"`]"#).expect("readFileSync pattern compiles")
});

/// What one node config object names.
#[derive(Default)]
struct NodeConfig {
    fields: Vec<(String, (usize, usize))>,
    /// `ssl` settings with their depth: the deepest wins (Sequelize
    /// `dialectOptions.ssl`, TypeORM `extra.ssl` are what pg receives).
    ssl: Vec<(usize, (usize, usize))>,
    url: Option<(usize, usize)>,
    /// `...base` spreads another object in, which may hold `ssl`.
    spread: bool,
}

struct NodeObjects;

impl Stack<Pg> for NodeObjects {
    fn name(&self) -> &'static str {
        "node-postgres, Sequelize, knex, TypeORM objects"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        matches!(Lang::of(file.name), Lang::Js | Lang::Json)
    }

    fn detect(&self, cx: &Ctx<'_>, out: &mut Out) {
        node_objects(cx, out)
    }
}

fn node_objects(cx: &Ctx<'_>, out: &mut Out) {
    let pool = cx.lang == Lang::Js && PG_IMPORT.is_match(cx.text) && NEW_POOL.is_match(cx.text);
    if !(pool || NODE_DIALECT.is_match(cx.text)) {
        return;
    }
    let lex = cx.lex();
    let b = cx.text.as_bytes();
    let mut objects: Vec<(usize, usize, &'static str)> = Vec::new();
    if pool {
        for m in NEW_POOL.find_iter(cx.text) {
            let paren = m.end() - 1;
            if lex.in_comment(m.start()) {
                continue;
            }
            let Some(close) = lex.closing(paren) else {
                continue;
            };
            let arg = lex.skip_blank(b, paren + 1, close);
            let end = lex.value_end(b, arg, close);
            let arg_text = &cx.text[arg..end];
            let open = if b.get(arg) == Some(&b'{') {
                Some(arg)
            } else if is_ident(arg_text) {
                lex.object_named(cx.text, arg_text).map(|(o, _)| o)
            } else {
                None
            };
            if let Some(open) = open {
                objects.push((m.start(), open, "node-postgres config"));
            }
        }
    }
    for c in NODE_DIALECT.captures_iter(cx.text) {
        let at = c.get(0).expect("match").start();
        if lex.in_comment(at) {
            continue;
        }
        let stack = match &c[1] {
            "dialect" => "Sequelize config",
            "client" => "knex config",
            _ => "TypeORM config",
        };
        if let Some((open, _)) = lex.enclosing(cx.text, at, b"{") {
            objects.push((open, open, stack));
        }
    }
    let mut seen = HashSet::new();
    for (anchor, open, stack) in objects {
        if seen.insert(open) && !out.is_claimed(open) {
            node_object(cx, lex, out, anchor, open, stack);
        }
    }
}

fn collect_node(
    cx: &Ctx<'_>,
    lex: &Lex,
    open: usize,
    close: usize,
    depth: usize,
    cfg: &mut NodeConfig,
) {
    for e in lex.entries(cx.text, open, close) {
        let v = e.text(cx.text);
        if e.key.is_none() && v.starts_with("...") {
            cfg.spread = true;
            continue;
        }
        // ES shorthand: `{ host, ssl }` names variables of the same name.
        let Some(key) = e
            .key_lower()
            .or_else(|| is_ident(v).then(|| v.to_ascii_lowercase()))
        else {
            continue;
        };
        match key.as_str() {
            "ssl" => {
                cfg.ssl.push((depth, e.value));
                continue;
            }
            "host" | "port" | "user" | "username" | "database" | "application_name"
                if !cfg.fields.iter().any(|(k, _)| *k == key) =>
            {
                cfg.fields.push((key, e.value));
            }
            "connectionstring" | "connection" | "url" | "uri" if !v.starts_with('{') => {
                cfg.url.get_or_insert(e.value);
            }
            _ => {}
        }
        if depth < 3
            && v.starts_with('{')
            && let Some((o, c)) = lex.object_at(cx.text, e.value.0)
        {
            collect_node(cx, lex, o, c, depth + 1, cfg);
        }
    }
}

fn node_object(
    cx: &Ctx<'_>,
    lex: &Lex,
    out: &mut Out,
    anchor: usize,
    open: usize,
    stack: &'static str,
) {
    let Some(close) = lex.closing(open) else {
        return;
    };
    let mut cfg = NodeConfig::default();
    collect_node(cx, lex, open, close, 0, &mut cfg);
    let ssl = cfg
        .ssl
        .iter()
        .max_by_key(|(depth, (start, _))| (*depth, *start))
        .map(|&(_, r)| r);
    if stack != "node-postgres config"
        && ssl.is_none()
        && cfg.url.is_none()
        && cfg.fields.is_empty()
    {
        return;
    }
    let url_text = cfg.url.map(|(s, e)| &cx.text[s..e]);
    let url = url_text.and_then(literal).filter(|u| is_pg_uri(u));
    let url_conn = url.map(|u| parse_uri(after_scheme(u)));
    let mut conn = Conn::default();
    let mut parts = Vec::new();
    for (key, (s, e)) in &cfg.fields {
        let v = as_written(&cx.text[*s..*e]);
        parts.push(format!("{key}: {v}"));
        conn.set(if key == "database" { "dbname" } else { key }, v);
    }
    if let Some(u) = url_text {
        parts.push(format!("connectionString: {}", as_written(u)));
    }
    if let Some((s, e)) = ssl {
        parts.push(format!("ssl: {}", collapse(&cx.text[s..e])));
    }
    // pg merges the parsed connection string over the config object.
    let (mut fx, mut trust) = match (&url_conn, ssl) {
        (Some(u), _) if u.has_ssl_params() => {
            (Driver::NodePg.facts(u, cx), Driver::NodePg.trust(u))
        }
        (_, Some(r)) => node_ssl(cx, lex, r),
        // The URL comes from elsewhere and may carry an sslmode; a spread
        // object may carry `ssl`.
        (None, None) if url_text.is_some() || cfg.spread => (UNKNOWN, None),
        _ => (PLAIN, None),
    };
    if let Some(u) = url_conn {
        conn.overlay(Conn {
            sslmode: None,
            sslrootcert: None,
            ssl: None,
            ..u
        });
    }
    if fx == PLAIN && ssl.is_none() && url_text.is_none() && cfg.fields.is_empty() {
        trust = None;
        fx = PLAIN;
    }
    out.claim(open, close + 1);
    out.found.push(Found {
        at: anchor,
        stack,
        conn,
        facts: fx,
        trust,
        driver_version: cx.shown_version(Driver::NodePg.package()),
        setting: parts.join("; "),
    });
}

/// node-postgres `ssl:` value → facts and the `ca` it names, under every
/// release its version in sight may be: before 8.0 only an explicit
/// `rejectUnauthorized: true` verifies (CHANGELOG.md, pg@8.0.0).
fn node_ssl(cx: &Ctx<'_>, lex: &Lex, value: (usize, usize)) -> (Facts, Option<String>) {
    let (fx, ca, reject_set) = node_ssl_v8(cx, lex, value);
    let fx = Facts::agree(cx.eras(Package::NodePg, &PG_ERAS).into_iter().map(|era| {
        Some(match era {
            PgEra::V7 if fx.uses_tls != N && fx != UNKNOWN && !reject_set => {
                Facts::new(fx.uses_tls, N, N)
            }
            _ => fx,
        })
    }));
    (fx, ca)
}

/// node-postgres 8 `ssl:` value → facts, the `ca` it names, and whether it
/// sets `rejectUnauthorized` at all.
fn node_ssl_v8(cx: &Ctx<'_>, lex: &Lex, (s, e): (usize, usize)) -> (Facts, Option<String>, bool) {
    let v = cx.text[s..e].trim();
    match v {
        "true" | "!0" => return (FULL, None, false),
        "false" | "null" | "undefined" | "!1" => return (PLAIN, None, false),
        _ => {}
    }
    let object = if v.starts_with('{') {
        lex.object_at(cx.text, s)
    } else if is_ident(v) {
        lex.object_named(cx.text, v)
    } else {
        None
    };
    if let Some((o, c)) = object {
        let (mut chain, mut host, mut ca, mut reject_set) = (Y, Y, None, false);
        for e in lex.entries(cx.text, o, c) {
            let v = e.text(cx.text);
            match e.key_lower().as_deref() {
                Some("rejectunauthorized") => {
                    reject_set = true;
                    chain = match v {
                        "false" | "0" | "!1" => N,
                        "true" | "1" | "!0" => Y,
                        _ => U,
                    }
                }
                Some("ca") => {
                    ca = Some(READ_FILE.captures(v).map_or_else(
                        || {
                            let w = as_written(v);
                            if w.starts_with("-----BEGIN") {
                                "inline PEM".to_string()
                            } else {
                                w
                            }
                        },
                        |c| c[1].to_string(),
                    ))
                }
                Some("checkserveridentity") => host = N,
                _ => {}
            }
        }
        if chain == N {
            host = N;
        } else if chain == U && host == Y {
            host = U;
        }
        return (Facts::new(Y, chain, host), ca, reject_set);
    }
    // A conditional or computed value.
    if REJECT_FALSE.is_match(v) {
        (OPPORTUNISTIC, None, true)
    } else {
        (UNKNOWN, None, false)
    }
}

// ---------------------------------------------------------------------------
// Python: psycopg / asyncpg calls, SQLAlchemy create_engine

static PY_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(psycopg2|psycopg|psycopg_pool|asyncpg)((?:\s*\.\s*[A-Za-z_]\w*)+)\s*\(")
        .expect("Python call pattern compiles")
});
static SA_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)create_(?:async_)?engine\s*\(").expect("create_engine pattern compiles")
});

const PY_CONNECTORS: [&str; 9] = [
    "connect",
    "create_pool",
    "SimpleConnectionPool",
    "ThreadedConnectionPool",
    "PersistentConnectionPool",
    "ConnectionPool",
    "AsyncConnectionPool",
    "NullConnectionPool",
    "Pool",
];

/// A DSN literal: URL or conninfo.
fn parse_dsn(s: &str) -> Option<Conn> {
    if is_pg_uri(s) {
        Some(parse_uri(after_scheme(s)))
    } else if KV_TOKEN.is_match(s) {
        Some(parse_conninfo(s))
    } else {
        None
    }
}

struct PythonCalls;

impl Stack<Pg> for PythonCalls {
    fn name(&self) -> &'static str {
        "psycopg and asyncpg calls"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        Lang::of(file.name) == Lang::Python && PY_CALL.is_match(file.text)
    }

    fn detect(&self, cx: &Ctx<'_>, out: &mut Out) {
        python_calls(cx, out)
    }
}

fn python_calls(cx: &Ctx<'_>, out: &mut Out) {
    let lex = cx.lex();
    for m in PY_CALL.captures_iter(cx.text) {
        let whole = m.get(0).expect("match");
        let attr: String = m[2].chars().filter(|c| !c.is_whitespace()).collect();
        if !attr
            .rsplit('.')
            .next()
            .is_some_and(|last| PY_CONNECTORS.contains(&last))
            || lex.in_comment(whole.start())
        {
            continue;
        }
        let paren = whole.end() - 1;
        let Some(close) = lex.closing(paren) else {
            continue;
        };
        if out.is_claimed(whole.start()) {
            continue;
        }
        let asyncpg = &m[1] == "asyncpg";
        let mut conn = Conn::default();
        let mut kwargs = Conn::default();
        let mut ssl_arg = None;
        let mut parts = Vec::new();
        let mut any = false;
        for e in lex.entries(cx.text, paren, close) {
            let v = e.text(cx.text);
            match e.key_lower().as_deref() {
                None | Some("dsn" | "conninfo") => {
                    if let Some(dsn) = literal(v).and_then(parse_dsn) {
                        conn = dsn;
                        parts.push(v.to_string());
                        any = true;
                    }
                }
                Some("kwargs") => {
                    let Some((o, c)) = lex.object_at(cx.text, e.value.0) else {
                        continue;
                    };
                    for k in lex.entries(cx.text, o, c) {
                        if let Some(key) = k.key_lower().filter(|key| key != "password") {
                            let v = as_written(k.text(cx.text));
                            parts.push(format!("{key}={v}"));
                            kwargs.set(&key, v);
                            any = true;
                        }
                    }
                }
                Some("ssl") if asyncpg => {
                    ssl_arg = Some(v);
                    parts.push(format!("ssl={}", collapse(v)));
                    any = true;
                }
                Some(
                    k @ ("host" | "hostaddr" | "port" | "user" | "dbname" | "database" | "sslmode"
                    | "sslrootcert" | "application_name"),
                ) => {
                    kwargs.set(k, as_written(v));
                    parts.push(format!("{k}={}", collapse(v)));
                    any = true;
                }
                _ => {}
            }
        }
        if !any {
            continue;
        }
        conn.overlay(kwargs);
        let callee = format!("{}{attr}", &m[1]);
        let setting = format!("{callee}({})", parts.join(", "));
        out.claim(whole.start(), close + 1);
        let f = if asyncpg {
            let mut f = found(
                cx,
                whole.start(),
                "asyncpg connect()",
                Driver::Asyncpg,
                conn,
                setting,
            );
            if let Some(v) = ssl_arg {
                (f.facts, f.trust) = asyncpg_ssl(cx, v, &f.conn, f.trust.take());
            }
            f
        } else {
            found(
                cx,
                whole.start(),
                "psycopg connect()",
                Driver::Libpq,
                conn,
                setting,
            )
        };
        out.found.push(f);
    }
}

/// asyncpg's `ssl=` argument: an sslmode string, True (a default context:
/// full verification against the system store), False, or an SSLContext
/// built in this file.
fn asyncpg_ssl(
    cx: &Ctx<'_>,
    v: &str,
    conn: &Conn,
    trust: Option<String>,
) -> (Facts, Option<String>) {
    if let Some(mode) = literal(v) {
        return (
            prefer_skips_facts(Some(mode), conn.sslrootcert.as_deref()),
            trust,
        );
    }
    match v.trim() {
        "True" => return (FULL, trust),
        "False" => return (PLAIN, trust),
        "None" => {
            return (
                prefer_skips_facts(conn.sslmode.as_deref(), conn.sslrootcert.as_deref()),
                trust,
            );
        }
        _ => {}
    }
    let v = v.trim();
    let (mut fx, mut cafile) = (UNKNOWN, None);
    let context_args = if v.starts_with("ssl.create_default_context(") {
        Some(v.to_string())
    } else if is_ident(v) {
        let re = Regex::new(&format!(
            r"(?-u:\b){}\s*=\s*(ssl\.create_default_context\([^)]*\)|ssl\.SSLContext\()",
            regex::escape(v)
        ))
        .ok();
        re.and_then(|re| re.captures(cx.text).map(|c| c[1].to_string()))
    } else {
        None
    };
    if let Some(ctx) = &context_args {
        if ctx.starts_with("ssl.create_default_context") {
            fx = FULL;
            cafile = Regex::new(r#"cafile\s*=\s*["']([^"']+)["']"#)
                .ok()
                .and_then(|re| re.captures(ctx).map(|c| c[1].to_string()));
        } else {
            fx = Facts::new(Y, U, U);
        }
    }
    if is_ident(v) {
        let name = regex::escape(v);
        let set = |pattern: &str| {
            Regex::new(&format!(r"(?-u:\b){name}\.{pattern}")).is_ok_and(|re| re.is_match(cx.text))
        };
        if set(r"verify_mode\s*=\s*ssl\.CERT_NONE") {
            fx = NO_VERIFY;
        } else if set(r"check_hostname\s*=\s*False") {
            fx = Facts::new(Y, fx.verifies_chain, N);
        }
        if let Some(c) = Regex::new(&format!(
            r#"(?-u:\b){name}\.load_verify_locations\(\s*(?:cafile\s*=\s*)?["']([^"']+)["']"#
        ))
        .ok()
        .and_then(|re| re.captures(cx.text))
        {
            cafile = Some(c[1].to_string());
            if fx.verifies_chain == U {
                fx = Facts::new(Y, Y, fx.verifies_hostname);
            }
        }
    }
    if fx.uses_tls == U && context_args.is_none() && !is_ident(v) {
        return (UNKNOWN, trust);
    }
    if fx.uses_tls == U {
        fx = Facts::new(Y, U, U);
    }
    (fx, cafile.or(trust))
}

struct SqlAlchemy;

impl Stack<Pg> for SqlAlchemy {
    fn name(&self) -> &'static str {
        "SQLAlchemy create_engine"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        Lang::of(file.name) == Lang::Python && SA_CALL.is_match(file.text)
    }

    fn detect(&self, cx: &Ctx<'_>, out: &mut Out) {
        sqlalchemy(cx, out)
    }
}

/// SQLAlchemy `create_engine("postgresql+driver://…", connect_args={…})`:
/// `connect_args` reach the driver's connect call.
fn sqlalchemy(cx: &Ctx<'_>, out: &mut Out) {
    let lex = cx.lex();
    for m in SA_CALL.find_iter(cx.text) {
        let paren = m.end() - 1;
        let Some(close) = lex.closing(paren) else {
            continue;
        };
        if lex.in_comment(m.start()) || out.is_claimed(m.start()) {
            continue;
        }
        let mut url = None;
        let mut args = Conn::default();
        let mut ssl_arg = None;
        let mut parts = Vec::new();
        for e in lex.entries(cx.text, paren, close) {
            let v = e.text(cx.text);
            match e.key_lower().as_deref() {
                None | Some("url") if url.is_none() => {
                    if let Some(u) = literal(v).filter(|u| is_pg_uri(u)) {
                        url = Some(u);
                        parts.push(v.to_string());
                    }
                }
                Some("connect_args") => {
                    let Some((o, c)) = lex.object_at(cx.text, e.value.0) else {
                        continue;
                    };
                    let mut inner = Vec::new();
                    for k in lex.entries(cx.text, o, c) {
                        let Some(key) = k.key_lower().filter(|key| key != "password") else {
                            continue;
                        };
                        let kv = k.text(cx.text);
                        inner.push(format!("{key}: {}", collapse(kv)));
                        if key == "ssl" {
                            ssl_arg = Some(kv);
                        } else {
                            args.set(&key, as_written(kv));
                        }
                    }
                    parts.push(format!("connect_args={{{}}}", inner.join(", ")));
                }
                _ => {}
            }
        }
        let driver = match url {
            Some(u) => URI
                .captures(u)
                .and_then(|c| {
                    c.get(1)
                        .map(|d| sqlalchemy_driver(&d.as_str().to_ascii_lowercase()))
                })
                .unwrap_or(Driver::Libpq),
            // Without a literal URL only libpq's own keywords say postgres.
            None if args.sslmode.is_some() || args.sslrootcert.is_some() => Driver::Libpq,
            None => continue,
        };
        let mut conn = url.map_or_else(Conn::default, |u| parse_uri(after_scheme(u)));
        conn.overlay(args);
        let setting = format!("{}{})", &cx.text[m.start()..m.end()], parts.join(", "));
        let mut f = found(
            cx,
            m.start(),
            "SQLAlchemy create_engine()",
            driver,
            conn,
            setting,
        );
        if let (Driver::Asyncpg, Some(v)) = (driver, ssl_arg) {
            (f.facts, f.trust) = asyncpg_ssl(cx, v, &f.conn, f.trust.take());
        }
        out.claim(m.start(), close + 1);
        out.found.push(f);
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::evidence::SourceFile;
    use crate::evidence::deps::Versions;

    /// Scans `text` as a file called `name`, in a directory that does not
    /// exist (so no node project is found beside it).
    fn scan(name: &str, text: &str) -> Vec<ConfigHit> {
        let path = PathBuf::from("/nonexistent-sslcensus-test").join(name);
        let lower = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .to_ascii_lowercase();
        detect(&FileCtx::new(&SourceFile {
            path: &path,
            name: &lower,
            text,
            versions: Versions::None,
        }))
    }

    /// libpq prefer, no sslrootcert: a ~/.postgresql/root.crt is unknowable.
    const PREFER: Facts = Facts::new(U, U, N);
    /// libpq require, no sslrootcert.
    const REQUIRE: Facts = Facts::new(Y, U, N);

    /// A snippet that yields exactly one hit, and that hit.
    struct Case {
        file: &'static str,
        text: &'static str,
        stack: &'static str,
        host: Option<&'static str>,
        port: Option<u16>,
        user: Option<&'static str>,
        db: Option<&'static str>,
        facts: Facts,
        trust: Option<&'static str>,
        /// Driver versions in the project's dependency files.
        versions: &'static [(Package, &'static str)],
    }

    const CASES: &[Case] = &[
        // ---- libpq URIs
        Case {
            file: ".env",
            text: "DATABASE_URL=postgres://app:s3cret@db.example.com:5432/appdb?sslmode=verify-full&sslrootcert=/etc/ssl/certs/global-bundle.pem\n",
            stack: "libpq URI",
            host: Some("db.example.com"),
            port: Some(5432),
            user: Some("app"),
            db: Some("appdb"),
            facts: FULL,
            trust: Some("/etc/ssl/certs/global-bundle.pem"),
            versions: &[],
        },
        Case {
            file: "config.yaml",
            text: "database:\n  url: \"postgresql://app@db.internal/app?sslmode=require\"\n",
            stack: "libpq URI",
            host: Some("db.internal"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: REQUIRE,
            trust: None,
            versions: &[],
        },
        // Parameters in any order; the root-cert rule makes require verify.
        Case {
            file: "deploy.sh",
            text: "psql 'postgresql://db.example.com:5432/app?sslrootcert=/certs/rds-combined-ca-bundle.pem&application_name=etl&sslmode=require' -c 'select 1'\n",
            stack: "libpq URI",
            host: Some("db.example.com"),
            port: Some(5432),
            user: None,
            db: Some("app"),
            facts: CA_ONLY,
            trust: Some("/certs/rds-combined-ca-bundle.pem"),
            versions: &[],
        },
        Case {
            file: "deploy-notes.txt",
            text: "Connect with `postgres://reporter@reports.example.com/reports` and you are done.\n",
            stack: "libpq URI",
            host: Some("reports.example.com"),
            port: None,
            user: Some("reporter"),
            db: Some("reports"),
            facts: PREFER,
            trust: None,
            versions: &[],
        },
        Case {
            file: "config.toml",
            text: "url = \"postgres://app:pw@localhost:5432/app?sslmode=disable\"\n",
            stack: "libpq URI",
            host: Some("localhost"),
            port: Some(5432),
            user: Some("app"),
            db: Some("app"),
            facts: PLAIN,
            trust: None,
            versions: &[],
        },
        Case {
            file: "app.ini",
            text: "dsn = postgresql://app@db:5432/app?sslmode=verify-ca\n",
            stack: "libpq URI",
            host: Some("db"),
            port: Some(5432),
            user: Some("app"),
            db: Some("app"),
            facts: CA_ONLY,
            trust: None,
            versions: &[],
        },
        Case {
            file: "app.ini",
            text: "dsn = postgresql://app@db:5432/app?sslmode=prefer&sslrootcert=/certs/global-bundle.pem\n",
            stack: "libpq URI",
            host: Some("db"),
            port: Some(5432),
            user: Some("app"),
            db: Some("app"),
            facts: Facts::new(U, Y, N),
            trust: Some("/certs/global-bundle.pem"),
            versions: &[],
        },
        // libpq 16: the OS store, only with verify-full.
        Case {
            file: "app.conf",
            text: "db_url postgresql://app@db.example.com/app?sslmode=verify-full&sslrootcert=system\n",
            stack: "libpq URI",
            host: Some("db.example.com"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: FULL,
            trust: Some("system"),
            versions: &[],
        },
        Case {
            file: "app.conf",
            text: "db_url postgresql://app@db.example.com/app?sslmode=require&sslrootcert=system\n",
            stack: "libpq URI",
            host: Some("db.example.com"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: REQUIRE,
            trust: Some("system"),
            versions: &[],
        },
        // `@` and `/` in the password, percent-encoded.
        Case {
            file: ".env.production",
            text: "DATABASE_URL=\"postgres://alice:p%40ss%2Fw0rd@db.example.com:6432/sales?sslmode=require\"\n",
            stack: "libpq URI",
            host: Some("db.example.com"),
            port: Some(6432),
            user: Some("alice"),
            db: Some("sales"),
            facts: REQUIRE,
            trust: None,
            versions: &[],
        },
        // An unencoded `@` in the password: the last one before the path wins.
        Case {
            file: ".env",
            text: "DATABASE_URL=postgres://bob:p@ss@db.example.com/app\n",
            stack: "libpq URI",
            host: Some("db.example.com"),
            port: None,
            user: Some("bob"),
            db: Some("app"),
            facts: PREFER,
            trust: None,
            versions: &[],
        },
        Case {
            file: "settings.ini",
            text: "url=postgresql://app@[::1]:5433/app?sslmode=verify-ca\n",
            stack: "libpq URI",
            host: Some("::1"),
            port: Some(5433),
            user: Some("app"),
            db: Some("app"),
            facts: CA_ONLY,
            trust: None,
            versions: &[],
        },
        Case {
            file: "settings.ini",
            text: "url=postgresql://app@host1:5432,host2:5433/app?target_session_attrs=read-write&sslmode=verify-full\n",
            stack: "libpq URI",
            host: Some("host1,host2"),
            port: Some(5432),
            user: Some("app"),
            db: Some("app"),
            facts: FULL,
            trust: None,
            versions: &[],
        },
        // Parameter names in any case.
        Case {
            file: "settings.ini",
            text: "url=postgresql://app@db/app?SSLMODE=verify-full&SSLROOTCERT=/certs/global-bundle.pem\n",
            stack: "libpq URI",
            host: Some("db"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: FULL,
            trust: Some("/certs/global-bundle.pem"),
            versions: &[],
        },
        // Placeholders are kept as written; an sslmode placeholder is unknown.
        Case {
            file: "docker-compose.yml",
            text: "services:\n  api:\n    environment:\n      DATABASE_URL: postgres://${DB_USER}:${DB_PASSWORD}@${DB_HOST}:5432/${DB_NAME}?sslmode=${DB_SSLMODE}\n",
            stack: "libpq URI",
            host: Some("${DB_HOST}"),
            port: Some(5432),
            user: Some("${DB_USER}"),
            db: Some("${DB_NAME}"),
            facts: UNKNOWN,
            trust: None,
            versions: &[],
        },
        Case {
            file: "settings.py",
            text: "DATABASE_URL = \"postgresql+psycopg2://app@db.example.com/app?sslmode=require\"\n",
            stack: "libpq URI",
            host: Some("db.example.com"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: REQUIRE,
            trust: None,
            versions: &[],
        },
        Case {
            file: "settings.py",
            text: "DATABASE_URL = \"postgresql+asyncpg://app@db.example.com/app?ssl=require\"\n",
            stack: "asyncpg URI",
            host: Some("db.example.com"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: REQUIRE,
            trust: None,
            versions: &[],
        },
        // asyncpg prefer never verifies, even with a root certificate.
        Case {
            file: "db.py",
            text: "import asyncpg\nDSN = 'postgresql://app@db/app?sslmode=prefer&sslrootcert=/certs/ca.pem'\n",
            stack: "asyncpg URI",
            host: Some("db"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: OPPORTUNISTIC,
            trust: Some("/certs/ca.pem"),
            versions: &[],
        },
        Case {
            file: "settings.py",
            text: "URL = 'postgresql+pg8000://app@db/app'\n",
            stack: "SQLAlchemy URI (other driver)",
            host: Some("db"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: UNKNOWN,
            trust: None,
            versions: &[],
        },
        // ---- node-postgres URLs: every sslmode but disable/no-verify verifies
        Case {
            file: "db.js",
            text: "const url = 'postgres://app:pw@db.example.com:5432/app?sslmode=require';\n",
            stack: "node-postgres URI",
            host: Some("db.example.com"),
            port: Some(5432),
            user: Some("app"),
            db: Some("app"),
            facts: FULL,
            trust: None,
            versions: &[(Package::NodePg, "8.16.0")],
        },
        Case {
            file: "db.ts",
            text: "export const url = `postgres://app@db/app?sslmode=no-verify`;\n",
            stack: "node-postgres URI",
            host: Some("db"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: NO_VERIFY,
            trust: None,
            versions: &[(Package::NodePg, "8.16.0")],
        },
        Case {
            file: "db.mjs",
            text: "const url = \"postgres://app@db/app?sslmode=require&uselibpqcompat=true\";\n",
            stack: "node-postgres URI",
            host: Some("db"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: NO_VERIFY,
            trust: None,
            versions: &[(Package::NodePg, "8.16.0")],
        },
        Case {
            file: "db.cjs",
            text: "const url = \"postgres://app@db/app?uselibpqcompat=true&sslmode=require&sslrootcert=/certs/global-bundle.pem\";\n",
            stack: "node-postgres URI",
            host: Some("db"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: CA_ONLY,
            trust: Some("/certs/global-bundle.pem"),
            versions: &[(Package::NodePg, "8.16.0")],
        },
        Case {
            file: "db.js",
            text: "const url = 'postgres://app@localhost/app';\n",
            stack: "node-postgres URI",
            host: Some("localhost"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: PLAIN,
            trust: None,
            versions: &[],
        },
        Case {
            file: "package.json",
            text: "{\n  \"scripts\": {\n    \"migrate\": \"DATABASE_URL=postgres://app@db/app?ssl=true node-pg-migrate up\"\n  }\n}\n",
            stack: "node-postgres URI",
            host: Some("db"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: FULL,
            trust: None,
            versions: &[(Package::NodePg, "8.16.0")],
        },
        // ---- Go
        Case {
            file: "main.go",
            text: "import (\n\t\"database/sql\"\n\t_ \"github.com/lib/pq\"\n)\n\nfunc open() {\n\tdb, err := sql.Open(\"postgres\", \"host=db.example.com port=5432 user=app dbname=app sslmode=require\")\n}\n",
            stack: "Go lib/pq keyword/value",
            host: Some("db.example.com"),
            port: Some(5432),
            user: Some("app"),
            db: Some("app"),
            facts: REQUIRE,
            trust: None,
            versions: &[],
        },
        // lib/pq: no sslmode means require (TLS certain).
        Case {
            file: "db.go",
            text: "db, err := sql.Open(\"postgres\", \"host=db user=app dbname=app\")\n",
            stack: "Go lib/pq keyword/value",
            host: Some("db"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: REQUIRE,
            trust: None,
            versions: &[(Package::GoPq, "v1.10.9")],
        },
        Case {
            file: "db.go",
            text: "import _ \"github.com/lib/pq\"\nconst dsn = \"host=db user=app dbname=app sslmode=require sslrootcert=/certs/global-bundle.pem\"\n",
            stack: "Go lib/pq keyword/value",
            host: Some("db"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: CA_ONLY,
            trust: Some("/certs/global-bundle.pem"),
            versions: &[],
        },
        Case {
            file: "db.go",
            text: "import _ \"github.com/lib/pq\"\nvar db, _ = sql.Open(\"postgres\", \"postgres://app@db/app?sslmode=verify-full\")\n",
            stack: "Go lib/pq URI",
            host: Some("db"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: FULL,
            trust: None,
            versions: &[],
        },
        // pgx: prefer never verifies, even with sslrootcert.
        Case {
            file: "pool.go",
            text: "import \"github.com/jackc/pgx/v5/pgxpool\"\n\npool, err := pgxpool.New(ctx, \"postgres://app@db:5432/app?sslmode=prefer&sslrootcert=/certs/ca.pem\")\n",
            stack: "Go pgx URI",
            host: Some("db"),
            port: Some(5432),
            user: Some("app"),
            db: Some("app"),
            facts: OPPORTUNISTIC,
            trust: Some("/certs/ca.pem"),
            versions: &[],
        },
        Case {
            file: "conn.go",
            text: "import \"github.com/jackc/pgx/v5\"\n\nconn, err := pgx.Connect(ctx, \"host=db dbname=app sslmode=require\")\n",
            stack: "Go pgx keyword/value",
            host: Some("db"),
            port: None,
            user: None,
            db: Some("app"),
            facts: REQUIRE,
            trust: None,
            versions: &[],
        },
        // ---- libpq keyword/value strings
        Case {
            file: "backup.sh",
            text: "psql \"host=db.example.com port=5432 dbname='my db' user=app sslmode=verify-full sslrootcert=/certs/global-bundle.pem\" -f dump.sql\n",
            stack: "libpq keyword/value",
            host: Some("db.example.com"),
            port: Some(5432),
            user: Some("app"),
            db: Some("my db"),
            facts: FULL,
            trust: Some("/certs/global-bundle.pem"),
            versions: &[],
        },
        Case {
            file: "worker.py",
            text: "conninfo = \"host=%s port=%s dbname=%s user=%s password=%s\" % (h, p, d, u, pw)\n",
            stack: "libpq keyword/value",
            host: Some("%s"),
            port: None,
            user: Some("%s"),
            db: Some("%s"),
            facts: PREFER,
            trust: None,
            versions: &[],
        },
        Case {
            file: "index.php",
            text: "$db = new PDO('pgsql:host=db.example.com;port=5432;dbname=shop;sslmode=verify-full;sslrootcert=/etc/ssl/rds.pem', $user, $pass);\n",
            stack: "PDO pgsql DSN",
            host: Some("db.example.com"),
            port: Some(5432),
            user: None,
            db: Some("shop"),
            facts: FULL,
            trust: Some("/etc/ssl/rds.pem"),
            versions: &[],
        },
        Case {
            file: "pg_service.conf",
            text: "# services\n[reports]\nhost=reports.example.com\nport=5432\ndbname=reports\nuser=reader\nsslmode=verify-ca\nsslrootcert=/certs/global-bundle.pem\n",
            stack: "pg_service.conf",
            host: Some("reports.example.com"),
            port: Some(5432),
            user: Some("reader"),
            db: Some("reports"),
            facts: CA_ONLY,
            trust: Some("/certs/global-bundle.pem"),
            versions: &[],
        },
        // ---- JDBC
        Case {
            file: "application.properties",
            text: "spring.datasource.url=jdbc:postgresql://db.example.com:5432/app?ssl=true\nspring.datasource.username=app\nspring.datasource.password=secret\n",
            stack: "JDBC PostgreSQL",
            host: Some("db.example.com"),
            port: Some(5432),
            user: Some("app"),
            db: Some("app"),
            facts: FULL,
            trust: None,
            versions: &[],
        },
        // pgjdbc require never verifies, root.crt or not.
        Case {
            file: "application.properties",
            text: "spring.datasource.url=jdbc:postgresql://db:5432/app?sslmode=require&sslrootcert=/certs/ca.pem\n",
            stack: "JDBC PostgreSQL",
            host: Some("db"),
            port: Some(5432),
            user: None,
            db: Some("app"),
            facts: NO_VERIFY,
            trust: Some("/certs/ca.pem"),
            versions: &[],
        },
        Case {
            file: "hibernate.cfg.xml",
            text: "<property name=\"connection.url\">jdbc:postgresql://db/app?ssl=true&amp;sslfactory=org.postgresql.ssl.NonValidatingFactory</property>\n",
            stack: "JDBC PostgreSQL",
            host: Some("db"),
            port: None,
            user: None,
            db: Some("app"),
            // verify-full (ssl=true) checks the host name whatever the
            // factory.
            facts: Facts::new(Y, N, Y),
            trust: None,
            versions: &[],
        },
        Case {
            file: "jdbc.properties",
            text: "url=jdbc:postgresql://db/app?sslmode=verify-ca&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory\n",
            stack: "JDBC PostgreSQL",
            host: Some("db"),
            port: None,
            user: None,
            db: Some("app"),
            facts: CA_ONLY,
            trust: Some("org.postgresql.ssl.DefaultJavaSSLFactory"),
            versions: &[],
        },
        Case {
            file: "Main.java",
            text: "String url = \"jdbc:postgresql://db.example.com/app\";\n",
            stack: "JDBC PostgreSQL",
            host: Some("db.example.com"),
            port: None,
            user: None,
            db: Some("app"),
            facts: OPPORTUNISTIC,
            trust: None,
            versions: &[],
        },
        Case {
            file: "Db.kt",
            text: "val url = \"jdbc:postgresql://db:5432/app?user=app&password=hunter2&sslmode=verify-full&sslrootcert=/certs/global-bundle.pem\"\n",
            stack: "JDBC PostgreSQL",
            host: Some("db"),
            port: Some(5432),
            user: Some("app"),
            db: Some("app"),
            facts: FULL,
            trust: Some("/certs/global-bundle.pem"),
            versions: &[],
        },
        Case {
            file: "application.yml",
            text: "spring:\n  datasource:\n    url: jdbc:postgresql://db:5432/app?sslmode=verify-ca\n    username: app\n    password: ${DB_PASSWORD}\n",
            stack: "JDBC PostgreSQL",
            host: Some("db"),
            port: Some(5432),
            user: Some("app"),
            db: Some("app"),
            facts: CA_ONLY,
            trust: None,
            versions: &[],
        },
        Case {
            file: "application.properties",
            text: "spring.datasource.url=jdbc:aws-wrapper:postgresql://db.cluster-abc.us-east-1.rds.amazonaws.com:5432/app?sslmode=disable\n",
            stack: "JDBC PostgreSQL",
            host: Some("db.cluster-abc.us-east-1.rds.amazonaws.com"),
            port: Some(5432),
            user: None,
            db: Some("app"),
            facts: PLAIN,
            trust: None,
            versions: &[],
        },
        // ---- Npgsql
        Case {
            file: "appsettings.json",
            text: "{\n  \"ConnectionStrings\": {\n    \"Default\": \"Host=db.example.com;Port=5432;Database=orders;Username=app;Password=secret;SSL Mode=Require;Trust Server Certificate=true\"\n  }\n}\n",
            stack: "Npgsql connection string",
            host: Some("db.example.com"),
            port: Some(5432),
            user: Some("app"),
            db: Some("orders"),
            facts: NO_VERIFY,
            trust: None,
            versions: &[],
        },
        Case {
            file: "Startup.cs",
            text: "options.UseNpgsql(\"Host=db;Database=orders;Username=app;SslMode=VerifyFull;Root Certificate=/certs/global-bundle.pem\");\n",
            stack: "Npgsql connection string",
            host: Some("db"),
            port: None,
            user: Some("app"),
            db: Some("orders"),
            facts: FULL,
            trust: Some("/certs/global-bundle.pem"),
            versions: &[],
        },
        Case {
            file: ".env",
            text: "ConnectionStrings__Default=Server=db;Port=5432;Database=orders;User Id=app;sslmode=verify-ca\n",
            stack: "Npgsql connection string",
            host: Some("db"),
            port: Some(5432),
            user: Some("app"),
            db: Some("orders"),
            facts: CA_ONLY,
            trust: None,
            versions: &[],
        },
        Case {
            file: "web.config",
            text: "<add name=\"Pg\" connectionString=\"Host=db;Port=5432;Database=orders;Username=app\" providerName=\"Npgsql\" />\n",
            stack: "Npgsql connection string",
            host: Some("db"),
            port: Some(5432),
            user: Some("app"),
            db: Some("orders"),
            facts: OPPORTUNISTIC,
            trust: None,
            versions: &[],
        },
        // ---- PG* environment variables
        Case {
            file: ".env",
            text: "PGSSLMODE=verify-full\nPGSSLROOTCERT=/certs/global-bundle.pem\nPGHOST=db.example.com\nPGPORT=5432\nPGUSER=app\nPGPASSWORD=secret\nPGDATABASE=app\n",
            stack: "PGSSLMODE env",
            host: Some("db.example.com"),
            port: Some(5432),
            user: Some("app"),
            db: Some("app"),
            facts: FULL,
            trust: Some("/certs/global-bundle.pem"),
            versions: &[],
        },
        Case {
            file: "Dockerfile",
            text: "FROM python:3.12\nENV PGSSLMODE require\nENV PGHOST=db.example.com PGPORT=5432\n",
            stack: "PGSSLMODE env",
            host: Some("db.example.com"),
            port: Some(5432),
            user: None,
            db: None,
            facts: REQUIRE,
            trust: None,
            versions: &[],
        },
        Case {
            file: "docker-compose.yml",
            text: "services:\n  worker:\n    environment:\n      PGSSLMODE: \"verify-ca\"\n      PGHOST: db\n",
            stack: "PGSSLMODE env",
            host: Some("db"),
            port: None,
            user: None,
            db: None,
            facts: CA_ONLY,
            trust: None,
            versions: &[],
        },
        Case {
            file: "compose.yaml",
            text: "services:\n  worker:\n    environment:\n      - PGSSLMODE=disable\n      - PGHOST=db\n",
            stack: "PGSSLMODE env",
            host: Some("db"),
            port: None,
            user: None,
            db: None,
            facts: PLAIN,
            trust: None,
            versions: &[],
        },
        Case {
            file: "deployment.yaml",
            text: "        env:\n          - name: PGHOST\n            value: db.example.com\n          - name: PGSSLMODE\n            value: \"verify-full\"\n          - name: PGSSLROOTCERT\n            value: /etc/rds/global-bundle.pem\n",
            stack: "PGSSLMODE env",
            host: Some("db.example.com"),
            port: None,
            user: None,
            db: None,
            facts: FULL,
            trust: Some("/etc/rds/global-bundle.pem"),
            versions: &[],
        },
        // From a secret: unknowable.
        Case {
            file: "deployment.yaml",
            text: "        env:\n          - name: PGSSLMODE\n            valueFrom:\n              secretKeyRef: {name: db, key: sslmode}\n",
            stack: "PGSSLMODE env",
            host: None,
            port: None,
            user: None,
            db: None,
            facts: UNKNOWN,
            trust: None,
            versions: &[],
        },
        Case {
            file: "task-definition.json",
            text: "{\"environment\": [\n  {\"name\": \"PGSSLMODE\", \"value\": \"require\"},\n  {\"name\": \"PGHOST\", \"value\": \"db.example.com\"}\n]}\n",
            stack: "PGSSLMODE env",
            host: Some("db.example.com"),
            port: None,
            user: None,
            db: None,
            facts: REQUIRE,
            trust: None,
            versions: &[],
        },
        Case {
            file: "run.sh",
            text: "#!/bin/sh\nexport PGSSLMODE=verify-ca\nexport PGSSLROOTCERT=\"$HOME/rds-ca-2019-root.pem\"\npsql -c 'select 1'\n",
            stack: "PGSSLMODE env",
            host: None,
            port: None,
            user: None,
            db: None,
            facts: CA_ONLY,
            trust: Some("$HOME/rds-ca-2019-root.pem"),
            versions: &[],
        },
        Case {
            file: "server.js",
            text: "process.env.PGSSLMODE = 'no-verify';\n",
            stack: "PGSSLMODE env (node-postgres)",
            host: None,
            port: None,
            user: None,
            db: None,
            facts: NO_VERIFY,
            trust: None,
            versions: &[(Package::NodePg, "8.16.0")],
        },
        Case {
            file: "main.go",
            text: "import _ \"github.com/lib/pq\"\nfunc init() { os.Setenv(\"PGSSLMODE\", \"require\") }\n",
            stack: "PGSSLMODE env (Go lib/pq)",
            host: None,
            port: None,
            user: None,
            db: None,
            facts: REQUIRE,
            trust: None,
            versions: &[],
        },
        // No PGSSLMODE: libpq's default, prefer.
        Case {
            file: ".env",
            text: "PGHOST=db.example.com\nPGDATABASE=app\n",
            stack: "PG env",
            host: Some("db.example.com"),
            port: None,
            user: None,
            db: Some("app"),
            facts: PREFER,
            trust: None,
            versions: &[],
        },
        // ---- Rails
        Case {
            file: "database.yml",
            text: "production:\n  adapter: postgresql\n  host: db.example.com\n  port: 5432\n  database: shop\n  username: shop\n  password: <%= ENV['DB_PASSWORD'] %>\n",
            stack: "Rails database.yml",
            host: Some("db.example.com"),
            port: Some(5432),
            user: Some("shop"),
            db: Some("shop"),
            facts: PREFER,
            trust: None,
            versions: &[],
        },
        Case {
            file: "database.yml",
            text: "production:\n  adapter: postgis\n  host: <%= ENV.fetch(\"DB_HOST\") %>\n  database: geo\n  sslmode: verify-full\n  sslrootcert: config/certs/global-bundle.pem\n",
            stack: "Rails database.yml",
            host: Some("<%= ENV.fetch(\"DB_HOST\") %>"),
            port: None,
            user: None,
            db: Some("geo"),
            facts: FULL,
            trust: Some("config/certs/global-bundle.pem"),
            versions: &[],
        },
        // ---- Django
        Case {
            file: "settings.py",
            text: "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n        'NAME': 'shop',\n        'USER': 'shop',\n        'PASSWORD': os.environ['DB_PASSWORD'],\n        'HOST': os.environ.get('DB_HOST', 'localhost'),\n        'PORT': '5432',\n        'OPTIONS': {\n            'sslmode': 'verify-full',\n            'sslrootcert': '/certs/global-bundle.pem',\n        },\n    }\n}\n",
            stack: "Django settings",
            host: Some("os.environ.get('DB_HOST', 'localhost')"),
            port: Some(5432),
            user: Some("shop"),
            db: Some("shop"),
            facts: FULL,
            trust: Some("/certs/global-bundle.pem"),
            versions: &[],
        },
        Case {
            file: "settings.py",
            text: "DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.postgresql_psycopg2\", \"NAME\": \"app\", \"HOST\": \"db\", \"PORT\": 5432}}\n",
            stack: "Django settings",
            host: Some("db"),
            port: Some(5432),
            user: None,
            db: Some("app"),
            facts: PREFER,
            trust: None,
            versions: &[],
        },
        // ---- Laravel
        Case {
            file: "database.php",
            text: "'pgsql' => [\n    'driver' => 'pgsql',\n    'host' => env('DB_HOST', '127.0.0.1'),\n    'port' => env('DB_PORT', '5432'),\n    'database' => env('DB_DATABASE', 'forge'),\n    'username' => env('DB_USERNAME', 'forge'),\n    'password' => env('DB_PASSWORD', ''),\n    'sslmode' => 'require',\n],\n",
            stack: "Laravel database.php",
            host: Some("env('DB_HOST', '127.0.0.1')"),
            port: None,
            user: Some("env('DB_USERNAME', 'forge')"),
            db: Some("env('DB_DATABASE', 'forge')"),
            facts: REQUIRE,
            trust: None,
            versions: &[],
        },
        // ---- node-postgres, Sequelize, knex, TypeORM
        Case {
            file: "db.js",
            text: "const { Pool } = require('pg');\nconst pool = new Pool({\n  host: process.env.PGHOST,\n  port: 5432,\n  database: 'app',\n  ssl: true,\n});\n",
            stack: "node-postgres config",
            host: Some("process.env.PGHOST"),
            port: Some(5432),
            user: None,
            db: Some("app"),
            facts: FULL,
            trust: None,
            versions: &[(Package::NodePg, "8.16.0")],
        },
        Case {
            file: "db.ts",
            text: "import { Pool } from 'pg';\nexport const pool = new Pool({\n  connectionString: process.env.DATABASE_URL,\n  ssl: { rejectUnauthorized: false },\n});\n",
            stack: "node-postgres config",
            host: None,
            port: None,
            user: None,
            db: None,
            facts: NO_VERIFY,
            trust: None,
            versions: &[],
        },
        Case {
            file: "db.js",
            text: "const pg = require('pg');\nconst fs = require('fs');\nconst client = new pg.Client({\n  host: 'db.example.com',\n  user: 'app',\n  ssl: {\n    ca: fs.readFileSync('/certs/global-bundle.pem').toString(),\n  },\n});\n",
            stack: "node-postgres config",
            host: Some("db.example.com"),
            port: None,
            user: Some("app"),
            db: None,
            facts: FULL,
            trust: Some("/certs/global-bundle.pem"),
            versions: &[(Package::NodePg, "8.16.0")],
        },
        // The URL's sslmode overrides the object's ssl (pg merges it over).
        Case {
            file: "db.js",
            text: "const { Client } = require('pg')\nconst config = {\n  connectionString: 'postgres://postgres:password@localhost:5432/postgres?sslmode=require',\n  ssl: { rejectUnauthorized: false },\n}\nconst client = new Client(config)\n",
            stack: "node-postgres config",
            host: Some("localhost"),
            port: Some(5432),
            user: Some("postgres"),
            db: Some("postgres"),
            facts: FULL,
            trust: None,
            versions: &[(Package::NodePg, "8.16.0")],
        },
        Case {
            file: "db.js",
            text: "const { Pool } = require('pg');\nconst pool = new Pool({ connectionString: process.env.DATABASE_URL });\n",
            stack: "node-postgres config",
            host: None,
            port: None,
            user: None,
            db: None,
            facts: UNKNOWN,
            trust: None,
            versions: &[],
        },
        Case {
            file: "config.json",
            text: "{\n  \"production\": {\n    \"username\": \"app\",\n    \"password\": \"secret\",\n    \"database\": \"app\",\n    \"host\": \"db.example.com\",\n    \"dialect\": \"postgres\",\n    \"dialectOptions\": {\n      \"ssl\": { \"require\": true, \"rejectUnauthorized\": false }\n    }\n  }\n}\n",
            stack: "Sequelize config",
            host: Some("db.example.com"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: NO_VERIFY,
            trust: None,
            versions: &[],
        },
        Case {
            file: "knexfile.js",
            text: "module.exports = {\n  production: {\n    client: 'pg',\n    connection: {\n      host: 'db.example.com',\n      database: 'app',\n      ssl: { ca: process.env.RDS_CA },\n    },\n  },\n};\n",
            stack: "knex config",
            host: Some("db.example.com"),
            port: None,
            user: None,
            db: Some("app"),
            facts: FULL,
            trust: Some("process.env.RDS_CA"),
            versions: &[(Package::NodePg, "8.16.0")],
        },
        Case {
            file: "data-source.ts",
            text: "export const AppDataSource = new DataSource({\n  type: 'postgres',\n  host: 'db',\n  port: 5432,\n  ssl: process.env.NODE_ENV === 'production' ? { rejectUnauthorized: false } : false,\n});\n",
            stack: "TypeORM config",
            host: Some("db"),
            port: Some(5432),
            user: None,
            db: None,
            facts: OPPORTUNISTIC,
            trust: None,
            versions: &[],
        },
        // ES shorthand, the ssl object defined beside it.
        Case {
            file: "pool.js",
            text: "import pg from 'pg';\nconst ssl = { rejectUnauthorized: false };\nexport const pool = new pg.Pool({ host, ssl });\n",
            stack: "node-postgres config",
            host: Some("host"),
            port: None,
            user: None,
            db: None,
            facts: NO_VERIFY,
            trust: None,
            versions: &[],
        },
        // ---- Python drivers
        Case {
            file: "db.py",
            text: "import psycopg2\nconn = psycopg2.connect(\n    host=\"db.example.com\",\n    dbname=\"app\",\n    user=\"app\",\n    password=os.environ[\"PGPASSWORD\"],\n    sslmode=\"verify-full\",\n    sslrootcert=\"/certs/global-bundle.pem\",\n)\n",
            stack: "psycopg connect()",
            host: Some("db.example.com"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: FULL,
            trust: Some("/certs/global-bundle.pem"),
            versions: &[],
        },
        Case {
            file: "db.py",
            text: "import psycopg\nwith psycopg.connect(\"host=db dbname=app user=app sslmode=require\") as conn:\n    pass\n",
            stack: "psycopg connect()",
            host: Some("db"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: REQUIRE,
            trust: None,
            versions: &[],
        },
        Case {
            file: "db.py",
            text: "import asyncpg\nconn = await asyncpg.connect(host='db', database='app', user='app', ssl='require')\n",
            stack: "asyncpg connect()",
            host: Some("db"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: REQUIRE,
            trust: None,
            versions: &[],
        },
        Case {
            file: "db.py",
            text: "pool = await asyncpg.create_pool('postgresql://app@db/app', ssl=True)\n",
            stack: "asyncpg connect()",
            host: Some("db"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: FULL,
            trust: None,
            versions: &[],
        },
        Case {
            file: "db.py",
            text: "import ssl\nctx = ssl.create_default_context()\nctx.check_hostname = False\nctx.verify_mode = ssl.CERT_NONE\nconn = await asyncpg.connect(dsn, ssl=ctx)\n",
            stack: "asyncpg connect()",
            host: None,
            port: None,
            user: None,
            db: None,
            facts: NO_VERIFY,
            trust: None,
            versions: &[],
        },
        Case {
            file: "db.py",
            text: "ctx = ssl.create_default_context(cafile='/certs/global-bundle.pem')\npool = await asyncpg.create_pool(host='db', ssl=ctx)\n",
            stack: "asyncpg connect()",
            host: Some("db"),
            port: None,
            user: None,
            db: None,
            facts: FULL,
            trust: Some("/certs/global-bundle.pem"),
            versions: &[],
        },
        Case {
            file: "db.py",
            text: "engine = create_engine(\n    \"postgresql+psycopg2://app@db/app\",\n    connect_args={\"sslmode\": \"verify-ca\", \"sslrootcert\": \"/certs/global-bundle.pem\"},\n)\n",
            stack: "SQLAlchemy create_engine()",
            host: Some("db"),
            port: None,
            user: Some("app"),
            db: Some("app"),
            facts: CA_ONLY,
            trust: Some("/certs/global-bundle.pem"),
            versions: &[],
        },
    ];

    #[test]
    fn each_stack_and_sslmode_reads_as_its_driver_does() {
        let mut failures = Vec::new();
        for (i, c) in CASES.iter().enumerate() {
            let hits = crate::evidence::testing::scan_with(detect, c.file, c.text, c.versions);
            let [h] = hits.as_slice() else {
                failures.push(format!(
                    "case {i} ({}): {} hits\n{}\n{hits:#?}",
                    c.file,
                    hits.len(),
                    c.text
                ));
                continue;
            };
            let got = crate::evidence::testing::seen(h);
            let want = (c.stack, c.host, c.port, c.user, c.db, c.facts, c.trust);
            if got != want {
                failures.push(format!(
                    "case {i} ({}):\n{}\n got  {got:?}\n want {want:?}",
                    c.file, c.text
                ));
            }
            assert_eq!(h.engine, Engine::Postgres);
        }
        assert!(
            failures.is_empty(),
            "{} of {} cases failed:\n\n{}",
            failures.len(),
            CASES.len(),
            failures.join("\n\n")
        );
    }

    #[test]
    fn hits_start_on_the_right_line() {
        let text = "# app config\n\nDATABASE_URL=postgres://app@db/app?sslmode=require\nREPLICA_URL=postgres://app@replica/app\n";
        let lines: Vec<usize> = scan(".env", text).iter().map(|h| h.line).collect();
        assert_eq!(lines, [3, 4]);
        let yml = "default: &default\n  adapter: postgresql\n  encoding: unicode\n\ndevelopment:\n  <<: *default\n  database: app_dev\n\nproduction:\n  <<: *default\n  database: app\n  host: db.example.com\n  sslmode: verify-full\n  sslrootcert: /certs/global-bundle.pem\n";
        let hits = scan("database.yml", yml);
        let got: Vec<_> = hits
            .iter()
            .map(|h| (h.line, h.database.as_deref(), h.verifies_chain))
            .collect();
        // The anchor block is a template: only the environments are reported;
        // production's sslmode line is its line.
        assert_eq!(got, [(6, Some("app_dev"), U), (13, Some("app"), Y)]);
        assert_eq!(
            hits[1].setting,
            "adapter: postgresql; host: db.example.com; database: app; sslmode: verify-full; sslrootcert: /certs/global-bundle.pem"
        );
    }

    #[test]
    fn rails_url_key_is_merged_not_reported_twice() {
        let yml = "production:\n  adapter: postgresql\n  url: postgres://app@db.example.com/app?sslmode=verify-ca\n  pool: 5\n";
        let hits = scan("database.yml", yml);
        assert_eq!(hits.len(), 1, "{hits:#?}");
        assert_eq!(hits[0].stack, "Rails database.yml");
        assert_eq!(hits[0].host.as_deref(), Some("db.example.com"));
        assert_eq!(hits[0].facts(), CA_ONLY);
        // In a template: reported once, through the block merging it.
        let yml = "default: &default\n  adapter: postgresql\n  url: postgres://app@db/app?sslmode=verify-full\nproduction:\n  <<: *default\n";
        let hits = scan("database.yml", yml);
        let got: Vec<_> = hits
            .iter()
            .map(|h| (h.line, h.stack, h.verifies_hostname))
            .collect();
        assert_eq!(got, [(5, "Rails database.yml", Y)]);
    }

    #[test]
    fn structured_settings_claim_the_strings_inside_them() {
        // One hit each, not one for the object and one for its URL/conninfo.
        let js = "const { Pool } = require('pg');\nconst pool = new Pool({ connectionString: 'postgres://app@db/app?sslmode=verify-full' });\n";
        assert_eq!(scan("db.js", js).len(), 1);
        let py = "conn = psycopg2.connect('postgresql://app@db/app', sslmode='disable')\n";
        let hits = scan("db.py", py);
        assert_eq!(hits.len(), 1, "{hits:#?}");
        assert_eq!((hits[0].uses_tls, hits[0].verifies_chain), (N, N));
        let engine = "engine = create_engine('postgresql+asyncpg://app@db/app', connect_args={'ssl': 'verify-full'})\n";
        let hits = scan("db.py", engine);
        assert_eq!(hits.len(), 1, "{hits:#?}");
        assert_eq!(hits[0].facts(), FULL);
    }

    #[test]
    fn several_settings_in_one_file() {
        let go = "import (\n\t\"github.com/jackc/pgx/v5\"\n\t_ \"github.com/lib/pq\"\n)\n\nfunc a() { sql.Open(\"postgres\", \"host=a dbname=x\") }\n\nfunc b() { pgx.Connect(ctx, \"host=b dbname=y\") }\n";
        let hits = scan("both.go", go);
        let got: Vec<_> = hits
            .iter()
            .map(|h| (h.line, h.stack, h.host.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (6, "Go lib/pq keyword/value", Some("a")),
                (8, "Go pgx keyword/value", Some("b"))
            ]
        );
        // lib/pq's default (require up to v1.12.3, prefer after) depends on
        // a version no dependency file gives here; pgx defaults to prefer.
        assert_eq!(hits[0].uses_tls, U);
        assert_eq!(hits[1].uses_tls, U, "pgx defaults to prefer");
    }

    #[test]
    fn not_connection_settings() {
        let cases = [
            (
                "README.md",
                "We store orders in Postgres; postgres is great. PostgreSQL 16 supports sslrootcert=system.\n",
            ),
            (
                "app.py",
                "# remember to set sslmode=require in production\nx = 1\n",
            ),
            ("NOTES.md", "Use `sslmode=verify-full` everywhere.\n"),
            (
                "heroku.py",
                "url = url.replace(\"postgres://\", \"postgresql://\", 1)\nif url.startswith('postgresql://'):\n    pass\n",
            ),
            (
                "db.py",
                "conn = pymysql.connect(host=host, user=user, password=pw, db=db)\n",
            ),
            (
                "backup.sh",
                "pg_dump --host=db --dbname=app --username=app > dump.sql\n",
            ),
            (
                "appsettings.json",
                "{\"Db\": \"Server=tcp:db.database.windows.net,1433;Initial Catalog=app;User ID=app;Password=p;Encrypt=True;\"}\n",
            ),
            (
                "appsettings.json",
                "{\"Db\": \"Server=db;Port=3306;Database=app;Uid=app;Pwd=p;SslMode=Required;\"}\n",
            ),
            ("my.cnf", "[client]\nhost=db\nuser=app\npassword=secret\n"),
            (
                "config.py",
                "mode = os.getenv(\"PGSSLMODE\", \"require\")\nhost = os.environ.get('PGHOST')\n",
            ),
            (
                "check.js",
                "if (process.env.PGSSLMODE === 'disable') { warn(); }\n",
            ),
            ("hosts", "web1 ansible_host=10.0.0.1 ansible_user=ubuntu\n"),
            (
                "search.js",
                "const { Client } = require('@elastic/elasticsearch');\nconst c = new Client({ node: 'http://es:9200' });\n",
            ),
            (
                "application.yml",
                "spring:\n  r2dbc:\n    url: r2dbc:postgresql://db/app\n",
            ),
            (
                "types.ts",
                "interface Env { PGHOST: string; PGPORT: number }\n",
            ),
            (
                "docs.md",
                "The URI scheme is `postgres://...` or `postgresql://...`.\n",
            ),
        ];
        for (name, text) in cases {
            let hits = scan(name, text);
            assert!(hits.is_empty(), "{name}: {text}\n{hits:#?}");
        }
    }

    #[test]
    fn passwords_stay_out_of_every_field_and_are_masked_in_settings() {
        let secrets = ["s3cret", "p%40ss%2Fw0rd", "hunter2", "secret"];
        for c in CASES {
            for h in scan(c.file, c.text) {
                let fields = [
                    h.host.as_deref(),
                    h.user.as_deref(),
                    h.database.as_deref(),
                    h.trust_store.as_deref(),
                    Some(h.setting.as_str()),
                ];
                for field in fields.into_iter().flatten() {
                    for s in secrets {
                        // `secret` is also a Kubernetes word (`secretKeyRef`).
                        if s == "secret"
                            && !field.contains("=secret")
                            && !field.contains(": secret")
                        {
                            continue;
                        }
                        assert!(!field.contains(s), "{}: {s:?} in {field:?}", c.file);
                    }
                }
            }
        }
        let hit = &scan(
            ".env",
            "DATABASE_URL=postgres://app:s3cret@db.example.com:5432/appdb?sslmode=require\n",
        )[0];
        assert_eq!(
            hit.setting,
            "postgres://app:****@db.example.com:5432/appdb?sslmode=require"
        );
        let hit = &scan(
            "Db.kt",
            "val url = \"jdbc:postgresql://db/app?user=app&password=hunter2&sslmode=require\"\n",
        )[0];
        assert_eq!(
            hit.setting,
            "jdbc:postgresql://db/app?user=app&password=****&sslmode=require"
        );
    }

    #[test]
    fn node_project_files_use_node_postgres_semantics() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("package.json"),
            r#"{"dependencies": {"pg": "^8.11.3"}}"#,
        )
        .unwrap();
        let env = dir.path().join(".env");
        let text = "DATABASE_URL=postgres://app@db/app?sslmode=require\nPGSSLMODE=require\n";
        let deps = crate::evidence::deps::ProjectDeps::default();
        let versions = Versions::Tree {
            deps: &deps,
            dir: dir.path(),
            stop: dir.path(),
        };
        let hits = detect(&FileCtx::new(&SourceFile {
            path: &env,
            name: ".env",
            text,
            versions,
        }));
        let got: Vec<_> = hits.iter().map(|h| (h.stack, h.verifies_chain)).collect();
        assert_eq!(
            got,
            [
                ("node-postgres URI", Y),
                ("PGSSLMODE env (node-postgres)", Y)
            ]
        );
        // A Rails app with a front-end package.json is not a node project.
        std::fs::write(dir.path().join("Gemfile"), "").unwrap();
        let hits = detect(&FileCtx::new(&SourceFile {
            path: &env,
            name: ".env",
            text,
            versions: Versions::None,
        }));
        let got: Vec<_> = hits.iter().map(|h| (h.stack, h.verifies_chain)).collect();
        assert_eq!(got, [("libpq URI", U), ("PGSSLMODE env", U)]);
    }

    /// Each driver's defaults by version, as its source has them
    /// (docs/FORMATS.md, "Driver defaults"): (file, setting, the driver
    /// version in the project's dependency files, facts).
    #[test]
    fn driver_defaults_follow_the_version_in_sight() {
        use crate::evidence::deps::Package::{GoPq, NodePg, Npgsql, Pgx};
        const NPGSQL: &str = "appsettings.json";
        let pg = "const { Pool } = require('pg');\n";
        type Row<'a> = (&'a str, String, &'a [(Package, &'a str)], Facts);
        let table: &[Row<'_>] = &[
            // ---- Npgsql: 5.x validated Prefer/Require unless Trust Server
            // Certificate; default Disable. 6+: libpq's modes, default Prefer.
            (NPGSQL, npgsql("SSL Mode=Require"), &[(Npgsql, "5.0.18")], Facts::new(Y, Y, U)),
            (NPGSQL, npgsql("SSL Mode=Require"), &[(Npgsql, "8.0.3")], NO_VERIFY),
            (NPGSQL, npgsql("SSL Mode=Require"), &[], Facts::new(Y, U, U)),
            (NPGSQL, npgsql("SSL Mode=Prefer"), &[(Npgsql, "5.0.18")], Facts::new(U, Y, U)),
            (NPGSQL, npgsql("SSL Mode=Prefer"), &[(Npgsql, "6.0.0")], OPPORTUNISTIC),
            (NPGSQL, npgsql("SSL Mode=Prefer"), &[], UNKNOWN),
            (NPGSQL, npgsql("Pooling=true"), &[(Npgsql, "5.0.18")], PLAIN),
            (NPGSQL, npgsql("Pooling=true"), &[(Npgsql, "8.0.3")], OPPORTUNISTIC),
            // Neither default verifies; whether TLS is used differs.
            (NPGSQL, npgsql("Pooling=true"), &[], OPPORTUNISTIC),
            (
                NPGSQL,
                npgsql("SSL Mode=Require;Trust Server Certificate=true"),
                &[],
                NO_VERIFY,
            ),
            (
                NPGSQL,
                npgsql("SSL Mode=Require;Root Certificate=/certs/rds.pem"),
                &[(Npgsql, "5.0.18")],
                CA_ONLY,
            ),
            // 5.x refuses VerifyFull: only 6+ can connect with it.
            (NPGSQL, npgsql("SSL Mode=VerifyFull"), &[], FULL),
            (NPGSQL, npgsql("SSL Mode=VerifyFull"), &[(Npgsql, "5.0.18")], UNKNOWN),
            (NPGSQL, npgsql("SSL Mode=VerifyCA"), &[(Npgsql, "^8.0.0")], CA_ONLY),
            // ---- node-postgres: pg 7 verified only with an explicit
            // rejectUnauthorized: true.
            ("db.js", format!("{pg}new Pool({{ host: 'db', ssl: true }});\n"), &[(NodePg, "^7.18.2")], NO_VERIFY),
            ("db.js", format!("{pg}new Pool({{ host: 'db', ssl: true }});\n"), &[(NodePg, "8.11.3")], FULL),
            ("db.js", format!("{pg}new Pool({{ host: 'db', ssl: true }});\n"), &[], Facts::new(Y, U, U)),
            (
                "db.js",
                format!("{pg}new Pool({{ host: 'db', ssl: {{ ca: fs.readFileSync('/certs/rds.pem') }} }});\n"),
                &[(NodePg, "7.4.0")],
                NO_VERIFY,
            ),
            (
                "db.js",
                format!("{pg}new Pool({{ host: 'db', ssl: {{ rejectUnauthorized: true }} }});\n"),
                &[(NodePg, "7.4.0")],
                FULL,
            ),
            (
                "db.js",
                format!("{pg}new Pool({{ host: 'db', ssl: {{ rejectUnauthorized: false }} }});\n"),
                &[],
                NO_VERIFY,
            ),
            // URLs read `sslmode` from 8.4; 8.0–8.3 ignore it.
            ("db.js", "const url = 'postgres://app@db/app?sslmode=require';\n".into(), &[(NodePg, "8.11.3")], FULL),
            ("db.js", "const url = 'postgres://app@db/app?sslmode=require';\n".into(), &[(NodePg, "8.2.0")], PLAIN),
            ("db.js", "const url = 'postgres://app@db/app?sslmode=require';\n".into(), &[], UNKNOWN),
            // Case-sensitive: `Disable` is not `disable`, so TLS with
            // verification.
            ("db.js", "const url = 'postgres://app@db/app?sslmode=Disable';\n".into(), &[(NodePg, "8.11.3")], FULL),
            ("db.js", "const url = 'postgres://app@db/app?sslmode=disable';\n".into(), &[], PLAIN),
            ("db.js", "const url = 'postgres://app@db/app?sslmode=no-verify';\n".into(), &[(NodePg, "^8.4.0")], NO_VERIFY),
            ("db.js", "const url = 'postgres://app@db/app?ssl=no-verify';\n".into(), &[(NodePg, "^8.4.0")], NO_VERIFY),
            // The libpq compatibility switch (8.15+) has no `no-verify`: the
            // `ssl: {}` object stays, and verifies.
            (
                "db.js",
                "const url = 'postgres://app@db/app?uselibpqcompat=true&sslmode=no-verify';\n".into(),
                &[(NodePg, "8.16.0")],
                FULL,
            ),
            (
                "db.js",
                "const url = 'postgres://app@db/app?uselibpqcompat=true&sslmode=require';\n".into(),
                &[(NodePg, "8.16.0")],
                NO_VERIFY,
            ),
            // Before 8.15 the switch is ignored.
            (
                "db.js",
                "const url = 'postgres://app@db/app?uselibpqcompat=true&sslmode=require';\n".into(),
                &[(NodePg, "8.11.3")],
                FULL,
            ),
            // PGSSLMODE: `allow` (and any word not in pg's switch) is no TLS.
            ("db.js", "process.env.PGSSLMODE = 'allow';\n".into(), &[], PLAIN),
            ("db.js", "process.env.PGSSLMODE = 'Require';\n".into(), &[], PLAIN),
            ("db.js", "process.env.PGSSLMODE = 'require';\n".into(), &[(NodePg, "7.18.2")], NO_VERIFY),
            ("db.js", "process.env.PGSSLMODE = 'require';\n".into(), &[(NodePg, "8.11.3")], FULL),
            ("db.js", "process.env.PGSSLMODE = 'no-verify';\n".into(), &[(NodePg, "8.0.0")], PLAIN),
            ("db.js", "process.env.PGSSLMODE = 'no-verify';\n".into(), &[(NodePg, "8.11.3")], NO_VERIFY),
            // ---- sslrootcert=system. libpq 16+: verify-full by default;
            // before 16 a file named `system`; libpq's version is never in
            // sight.
            ("app.conf", "url postgresql://app@db/app?sslrootcert=system\n".into(), &[], UNKNOWN),
            ("app.conf", "url postgresql://app@db/app?sslmode=verify-full&sslrootcert=system\n".into(), &[], FULL),
            // pgx 5.7+: verify-full whatever the sslmode; older pgx cannot
            // read the file `system`.
            (
                "main.go",
                pgx("postgres://app@db/app?sslmode=prefer&sslrootcert=system"),
                &[(Pgx, "v5.7.1")],
                FULL,
            ),
            (
                "main.go",
                pgx("postgres://app@db/app?sslmode=prefer&sslrootcert=system"),
                &[],
                FULL,
            ),
            (
                "main.go",
                pgx("postgres://app@db/app?sslmode=prefer&sslrootcert=system"),
                &[(Pgx, "v5.5.5")],
                UNKNOWN,
            ),
            // lib/pq 1.12+: verify-full by default with it, weaker refused.
            ("main.go", pq("host=db dbname=app sslrootcert=system"), &[(GoPq, "v1.12.3")], FULL),
            ("main.go", pq("host=db dbname=app sslrootcert=system"), &[], FULL),
            ("main.go", pq("host=db dbname=app sslrootcert=system"), &[(GoPq, "v1.10.9")], UNKNOWN),
            ("main.go", pq("host=db dbname=app sslmode=require sslrootcert=system"), &[(GoPq, "v1.12.3")], UNKNOWN),
            // lib/pq's default: require up to v1.12.3, prefer after.
            ("main.go", pq("host=db dbname=app"), &[(GoPq, "v1.10.9")], REQUIRE),
            ("main.go", pq("host=db dbname=app"), &[], Facts::new(U, U, N)),
            // ---- pgjdbc: verify-full checks the host name whatever the
            // factory.
            (
                "app.properties",
                "url=jdbc:postgresql://db/app?sslmode=verify-full&sslfactory=org.postgresql.ssl.NonValidatingFactory\n".into(),
                &[],
                Facts::new(Y, N, Y),
            ),
            (
                "app.properties",
                "url=jdbc:postgresql://db/app?sslmode=verify-full&sslfactory=com.example.TrustAll\n".into(),
                &[],
                Facts::new(Y, U, Y),
            ),
            (
                "app.properties",
                "url=jdbc:postgresql://db/app?sslmode=verify-full&sslhostnameverifier=com.example.AnyHost\n".into(),
                &[],
                Facts::new(Y, Y, U),
            ),
            (
                "app.properties",
                "url=jdbc:postgresql://db/app?sslmode=require&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory\n".into(),
                &[],
                CA_ONLY,
            ),
        ];
        let rows: Vec<crate::evidence::testing::FactsRow<'_>> = table
            .iter()
            .map(|(file, text, versions, want)| (*file, text.as_str(), *versions, *want))
            .collect();
        crate::evidence::testing::assert_facts(detect, &rows);
    }

    /// A TLS value taken from elsewhere (a variable, an environment
    /// interpolation, a registered config, a service file) or a setting
    /// cut short is unknown, never "no".
    #[test]
    fn values_from_elsewhere_are_unknown() {
        let table: &[(&str, &str, Facts)] = &[
            (
                "compose.yml",
                "DATABASE_URL: postgres://app@db/app?sslmode=${DB_SSLMODE}\n",
                UNKNOWN,
            ),
            (
                "db.py",
                "conninfo = \"host=db dbname=app sslmode=%(mode)s\"\n",
                UNKNOWN,
            ),
            (
                "db.py",
                "import psycopg2\nconn = psycopg2.connect(host='db', dbname='app', sslmode=mode)\n",
                UNKNOWN,
            ),
            (
                "db.py",
                "import os\nos.environ[\"PGSSLMODE\"] = mode\nos.environ[\"PGHOST\"] = \"db\"\n",
                UNKNOWN,
            ),
            ("db.js", "process.env.PGSSLMODE = mode;\n", UNKNOWN),
            (
                "db.js",
                "const { Pool } = require('pg');\nnew Pool({ host: 'db', ssl: process.env.DB_SSL });\n",
                UNKNOWN,
            ),
            // A spread object may carry `ssl`.
            (
                "db.js",
                "const { Pool } = require('pg');\nnew Pool({ ...base, host: 'db' });\n",
                UNKNOWN,
            ),
            (
                "settings.py",
                "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'HOST': 'db', 'OPTIONS': {'sslmode': os.environ['PGSSLMODE']}}}\n",
                UNKNOWN,
            ),
            (
                "database.yml",
                "production:\n  adapter: postgresql\n  host: db\n  sslmode: <%= ENV['DB_SSLMODE'] %>\n",
                UNKNOWN,
            ),
            (
                "app.properties",
                "url=jdbc:postgresql://db/app?sslmode=${PG_SSLMODE}\n",
                UNKNOWN,
            ),
            (
                "appsettings.json",
                "{\"Db\": \"Host=db;Database=app;Username=app;SSL Mode=${SSL_MODE}\"}\n",
                UNKNOWN,
            ),
            // A registered tls.Config (lib/pq `pqgo-` modes).
            (
                "main.go",
                "import _ \"github.com/lib/pq\"\nsql.Open(\"postgres\", \"host=db dbname=app sslmode=pqgo-custom\")\n",
                UNKNOWN,
            ),
            // pg_service.conf may set the sslmode.
            (
                "deploy.sh",
                "psql \"service=orders dbname=app host=db\"\n",
                UNKNOWN,
            ),
            // Cut short: the rest may carry the TLS parameters.
            (
                "Db.java",
                "String url = \"jdbc:postgresql://\" + host + \"/app\";\n",
                UNKNOWN,
            ),
            (
                "main.go",
                "import \"github.com/jackc/pgx/v5\"\nconn, err := pgx.Connect(ctx, \"postgres://app@db/app?\" + params)\n",
                UNKNOWN,
            ),
            (
                "db.js",
                "const url = `postgres://app@db/app${query}`;\n",
                UNKNOWN,
            ),
            (
                "Program.cs",
                "var cs = \"Host=db;Database=app;Username=app;\" + extra; // Npgsql\n",
                UNKNOWN,
            ),
        ];
        let rows: Vec<crate::evidence::testing::FactsRow<'_>> = table
            .iter()
            .map(|&(file, text, want)| (file, text, &[][..], want))
            .collect();
        crate::evidence::testing::assert_facts(detect, &rows);
    }

    fn npgsql(setting: &str) -> String {
        format!("{{\"Db\": \"Host=db;Database=orders;Username=app;{setting}\"}}\n")
    }

    fn pgx(url: &str) -> String {
        format!("import \"github.com/jackc/pgx/v5\"\n\nconn, err := pgx.Connect(ctx, \"{url}\")\n")
    }

    fn pq(conninfo: &str) -> String {
        format!(
            "import _ \"github.com/lib/pq\"\n\ndb, err := sql.Open(\"postgres\", \"{conninfo}\")\n"
        )
    }

    #[test]
    fn the_driver_version_is_shown() {
        let hits = crate::evidence::testing::scan_with(
            detect,
            "appsettings.json",
            &npgsql("SSL Mode=Require"),
            &[(Package::Npgsql, "5.0.18")],
        );
        assert_eq!(hits[0].driver_version.as_deref(), Some("Npgsql 5.0.18"));
        let hits = scan("appsettings.json", &npgsql("SSL Mode=Require"));
        assert_eq!(hits[0].driver_version, None);
    }
}
