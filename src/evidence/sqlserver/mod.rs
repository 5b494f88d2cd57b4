//! Connection settings of SQL Server clients: ADO.NET / ODBC / OLE DB
//! connection strings, mssql-jdbc and jTDS URLs, `odbc.ini` DSNs,
//! `freetds.conf` servers, and `sqlserver://` / `mssql://` URLs
//! (go-mssqldb, Prisma, node-mssql, SQLAlchemy).
//!
//! Semantics follow docs/FORMATS.md ("SQL Server"), from the drivers'
//! source and documentation. Several defaults changed between versions
//! (Microsoft.Data.SqlClient validates a server-forced encryption from 2.0
//! and encrypts by default from 4.0; ODBC Driver 18 and MSOLEDBSQL 19
//! encrypt by default; mssql-jdbc from 10.2); the version comes from the
//! project's dependency files where the driver is a package, from the
//! driver name where the string names it (ODBC, OLE DB). An `Encrypt=false`
//! is never "does not verify" for a driver that validates whenever the
//! server forces encryption (RDS with `rds.force_ssl=1`): that depends on
//! the server.
//!
//! One file per stack (`jdbc.rs`, `url.rs`, `connection_string.rs`,
//! `odbc_ini.rs`, `freetds.rs`, `sqlcmd.rs`), each with its tests; `syntax::conn_string` reads the
//! `key=value;` pairs they share; `STACKS` runs them.

use std::sync::LazyLock;

use regex::Regex;
use sslcensus_parsers::Engine;

use super::Fact::{self, No, Unknown, Yes};
use super::deps::{Package, driver_eras, eras};
use super::facts::{CA_ONLY, FULL, Facts, NO_VERIFY, OPPORTUNISTIC, PLAIN, UNKNOWN};
use super::stack::{self, Found, Reading, Stack};
use super::syntax::comment::commented;
use super::syntax::conn_string::{self, enclosing_span, jdbc_props, masked_from};
use super::syntax::ini::{IniSection, ini_sections};
use super::syntax::kv::{norm_key, param};
use super::syntax::quote::{parse_bool, unquote};
use super::syntax::url::{UrlParts, live_urls, percent_decode, query_params, split_host_port};
use super::text::{is_placeholder, unless_cut};
use super::{ConfigHit, FileCtx, Given, given};

mod connection_string;
mod freetds;
mod jdbc;
mod odbc_ini;
mod sqlcmd;
#[cfg(test)]
mod tests;
mod url;

use connection_string::*;
use freetds::*;
use jdbc::*;
use odbc_ini::*;
use sqlcmd::*;
use url::*;

/// Finds SQL Server connection settings in one file.
pub fn detect(file: &FileCtx<'_>) -> Vec<ConfigHit> {
    stack::hits(STACKS, file, file)
}

/// SQL Server's stacks, in the order they run: the most specific first, as
/// each claims the text it reports (a connection string, the loosest
/// reader, comes last).
static STACKS: &[&dyn Stack<Ms>] = &[
    &JDBC_URLS,
    &URLS,
    &SQLCMD_CALLS,
    &ODBC_INI,
    &FREETDS_CONF,
    &CONNECTION_STRINGS,
];

/// What SQL Server's stacks share while reading a file: the file, and the
/// hits with the text they claimed.
struct Ms;

impl Reading for Ms {
    type Cx<'a> = FileCtx<'a>;
    type Hits = Found;
}

/// `Encrypt=` / `encrypt=` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encrypt {
    /// Not even the login packet (go-mssqldb `disable`).
    Disable,
    /// `False`/`Optional`/`no`: the login packet only, unless the server
    /// forces encryption.
    Off,
    /// `True`/`Mandatory`/`yes`.
    On,
    /// `Strict` (TDS 8.0): always validates.
    Strict,
}

impl Encrypt {
    fn parse(v: &str) -> Option<Encrypt> {
        match unquote(v)
            .trim_matches(['{', '}'])
            .to_ascii_lowercase()
            .as_str()
        {
            "disable" => Some(Encrypt::Disable),
            "strict" => Some(Encrypt::Strict),
            "mandatory" | "true" | "yes" | "1" | "t" => Some(Encrypt::On),
            "optional" | "false" | "no" | "0" | "f" => Some(Encrypt::Off),
            _ => None,
        }
    }
}

/// `Encrypt` and `TrustServerCertificate` as a setting gives them.
#[derive(Debug, Clone, Copy)]
struct Encryption {
    encrypt: Given<Encrypt>,
    trust_server: Given<bool>,
}

impl Encryption {
    fn read(encrypt: Option<&str>, trust_server: Option<&str>) -> Encryption {
        Encryption {
            encrypt: given(encrypt, Encrypt::parse),
            trust_server: given(trust_server, parse_bool),
        }
    }

    /// The facts under every driver era in `eras` and every value an
    /// unreadable `TrustServerCertificate` may take; an unreadable
    /// `Encrypt` is unknown.
    fn facts<E: Copy>(
        self,
        eras: &[E],
        driver: impl Fn(Option<Encrypt>, Option<bool>, E) -> Option<Facts>,
    ) -> Facts {
        let encrypt = match self.encrypt {
            Given::Absent => None,
            Given::Value(e) => Some(e),
            Given::Unreadable => return UNKNOWN,
        };
        let trust: &[Option<bool>] = match self.trust_server {
            Given::Absent => &[None],
            Given::Value(true) => &[Some(true)],
            Given::Value(false) => &[Some(false)],
            Given::Unreadable => &[Some(true), Some(false)],
        };
        Facts::agree(
            trust
                .iter()
                .flat_map(|&t| eras.iter().map(move |&era| (t, era)))
                .map(|(t, era)| driver(encrypt, t, era)),
        )
    }
}

driver_eras! {
    /// SqlClient releases whose encryption handling differs.
    enum SqlClientEra in SQLCLIENT_ERAS {
        /// System.Data.SqlClient and Microsoft.Data.SqlClient 1.x: `Encrypt`
        /// false by default, and with it the certificate is never validated,
        /// even when the server forces encryption.
        V1 from (0, 0, 0),
        /// Microsoft.Data.SqlClient 2.0: a server-forced encryption is
        /// validated unless `TrustServerCertificate=true`.
        V2 from (2, 0, 0),
        /// 4.0: `Encrypt` true by default.
        V4 from (4, 0, 0),
    }
}

/// The facts of `Encrypt` and `TrustServerCertificate` for a TDS driver
/// that encrypts by default when `default_on`, and whose `Encrypt=false`
/// without a trusted certificate gives `off`. A trusted certificate is
/// never validated; `Strict` always is (TDS 8.0 ignores the trust); a value
/// the driver does not know (`disable`) refuses the connection.
fn tds_facts(
    encrypt: Option<Encrypt>,
    trust: Option<bool>,
    default_on: bool,
    off: Facts,
) -> Option<Facts> {
    let trust = trust.unwrap_or(false);
    let default = if default_on {
        Encrypt::On
    } else {
        Encrypt::Off
    };
    Some(match encrypt.unwrap_or(default) {
        Encrypt::Disable => return None,
        Encrypt::Off if trust => OPPORTUNISTIC,
        Encrypt::Off => off,
        Encrypt::On if trust => NO_VERIFY,
        Encrypt::On | Encrypt::Strict => FULL,
    })
}

/// ADO.NET SqlClient (docs: "Encryption and certificate validation in
/// Microsoft.Data.SqlClient", tables for 1.0, 2.0 and 4.0; dotnet/SqlClient
/// #391, #2368).
fn sqlclient_facts(
    encrypt: Option<Encrypt>,
    trust: Option<bool>,
    era: SqlClientEra,
) -> Option<Facts> {
    let off = if era == SqlClientEra::V1 {
        OPPORTUNISTIC
    } else {
        UNKNOWN
    };
    tds_facts(encrypt, trust, era == SqlClientEra::V4, off)
}

/// Microsoft ODBC Driver (`major` 0 for `{SQL Server}` and Native Client):
/// 18 encrypts by default and validates whenever it encrypts, a
/// server-forced encryption included; 17 and older encrypt by default only
/// with an `Authentication` method (whether they then validate a
/// login-only encryption is not documented), and otherwise validate only an
/// encryption they asked for ("ODBC Driver major version differences").
fn odbc_facts(
    encrypt: Option<Encrypt>,
    trust: Option<bool>,
    major: u32,
    authentication: bool,
) -> Option<Facts> {
    let modern = major >= 18 || authentication;
    let off = if modern { UNKNOWN } else { OPPORTUNISTIC };
    tds_facts(encrypt, trust, modern, off)
}

/// OLE DB providers ("Encryption and certificate validation in OLE DB"):
/// MSOLEDBSQL 19 encrypts by default (it shares ODBC 18's network layer;
/// the documentation does not cover a server-forced encryption);
/// MSOLEDBSQL 18 with an `Authentication` method encrypts by default and
/// validates the certificate whatever the encryption; 18 otherwise, SQLNCLI
/// and SQLOLEDB validate only an encryption they asked for.
fn oledb_facts(
    encrypt: Option<Encrypt>,
    trust: Option<bool>,
    v19: bool,
    authentication: bool,
) -> Option<Facts> {
    let off = match (v19, authentication) {
        (true, _) => UNKNOWN,
        (false, true) => Facts::new(Unknown, Yes, Yes),
        (false, false) => OPPORTUNISTIC,
    };
    tds_facts(encrypt, trust, v19 || authentication, off)
}

/// mssql-jdbc: `encrypt` true by default from 10.1 (10.2 stable); with
/// `encrypt=false` a server that requires encryption negotiates it and the
/// certificate is validated unless `trustServerCertificate=true`
/// (IOBuffer.java TDSChannel.enableSSL: only a negotiated ENCRYPT_OFF or
/// trustServerCertificate skip validation); a `trustManagerClass`
/// replaces the validation with its own.
fn mssql_jdbc(
    encrypt: Option<Encrypt>,
    trust: Option<bool>,
    encrypt_default_on: bool,
    trust_manager: bool,
) -> Option<Facts> {
    let facts = tds_facts(encrypt, trust, encrypt_default_on, UNKNOWN)?;
    Some(if trust_manager && facts == FULL {
        Facts::new(Yes, Unknown, Unknown)
    } else {
        facts
    })
}

/// go-mssqldb (msdsn/conn_str.go parseTLS, tds.go): `TrustServerCertificate`
/// defaults to true only when `encrypt` is absent; the login handshake is
/// TLS whenever the server supports encryption (`encrypt=false` too), and
/// is validated unless the certificate is trusted.
fn go_mssqldb(encrypt: Option<Encrypt>, trust: Option<bool>) -> Option<Facts> {
    let trust = trust.unwrap_or(encrypt.is_none());
    Some(match encrypt {
        Some(Encrypt::Disable) => PLAIN,
        Some(Encrypt::Strict) => FULL,
        None | Some(Encrypt::Off) if trust => OPPORTUNISTIC,
        None | Some(Encrypt::Off) => Facts::new(Unknown, Yes, Yes),
        Some(Encrypt::On) if trust => NO_VERIFY,
        Some(Encrypt::On) => FULL,
    })
}

/// Drivers whose handling of a server-forced encryption is not documented
/// (Prisma's tiberius, node-mssql's tedious): an `Encrypt=false` may be
/// validated, and a missing `Encrypt` depends on the version.
fn undocumented(encrypt: Option<Encrypt>, trust: Option<bool>) -> Option<Facts> {
    Some(match (encrypt, trust) {
        (Some(Encrypt::Disable), _) => PLAIN,
        (Some(Encrypt::Off) | None, Some(true)) => OPPORTUNISTIC,
        (Some(Encrypt::On), Some(true)) => NO_VERIFY,
        (Some(Encrypt::On | Encrypt::Strict), _) => FULL,
        (Some(Encrypt::Off) | None, _) => UNKNOWN,
    })
}

/// A SQL Server hit at `line`.
fn ms_hit(line: usize, stack: &'static str, facts: Facts, raw: &str) -> ConfigHit {
    ConfigHit::new(line, stack, Engine::SqlServer, facts, raw)
}

/// A hit of the URL that spans `start..end` of the file, showing `shown`:
/// its facts unless the URL is cut short, the URL claimed.
fn url_hit(
    file: &FileCtx<'_>,
    found: &mut Found,
    (start, end): (usize, usize),
    stack: &'static str,
    facts: Facts,
    shown: &str,
) -> ConfigHit {
    found.claimed.claim(start, end);
    let facts = unless_cut(facts, file.text, end);
    ms_hit(file.lines().line(start), stack, facts, shown)
}

/// `tcp:host,1433`, `host\INSTANCE`, `[::1],1433`, `np:…` → (host, port).
fn server_host_port(v: &str) -> (Option<String>, Option<u16>) {
    let v = unquote(v).trim();
    let lower = v.to_ascii_lowercase();
    let v = ["tcp:", "np:", "lpc:", "admin:"]
        .iter()
        .find(|p| lower.starts_with(*p))
        .map_or(v, |p| &v[p.len()..]);
    let (host, port) = match v.rsplit_once(',') {
        Some((h, p)) => (h.trim(), p.trim().parse().ok()),
        None => (v, None),
    };
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    (Some(host.to_string()).filter(|h| !h.is_empty()), port)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OdbcDriver {
    /// `ODBC Driver 18 for SQL Server` (major), `SQL Server Native Client`
    /// and `{SQL Server}` (0).
    Microsoft(u32),
    FreeTds,
    Other,
}

/// `{ODBC Driver 18 for SQL Server}`, `/opt/microsoft/msodbcsql18/lib64/libmsodbcsql-18.3.so.2.1`,
/// `FreeTDS`, `libtdsodbc.so`.
fn odbc_driver(driver: &str) -> OdbcDriver {
    static VERSION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)odbc driver (\d+) for sql server|msodbcsql-?(\d+)")
            .expect("driver pattern compiles")
    });
    let d = driver.to_ascii_lowercase();
    if d.contains("freetds") || d.contains("tdsodbc") {
        return OdbcDriver::FreeTds;
    }
    if let Some(c) = VERSION.captures(&d) {
        let major = c
            .get(1)
            .or_else(|| c.get(2))
            .and_then(|m| m.as_str().parse().ok())
            .unwrap_or(0);
        return OdbcDriver::Microsoft(major);
    }
    if d.contains("sql server") || d.contains("sqlsrv32") || d.contains("sqlncli") {
        return OdbcDriver::Microsoft(0);
    }
    OdbcDriver::Other
}

/// FreeTDS `encryption` / `tds version` in an ODBC string; the CA (`ca
/// file`) lives in freetds.conf, so the chain is unknown whenever TLS is on.
fn freetds_string(encryption: Option<&str>, tds_version: Option<&str>) -> Facts {
    if tds_version.is_some_and(tds_without_tls) {
        return PLAIN;
    }
    match encryption.map(|e| e.to_ascii_lowercase()).as_deref() {
        Some("off") => PLAIN,
        Some("require" | "required" | "strict") => Facts::new(Yes, Unknown, Unknown),
        _ => UNKNOWN,
    }
}

/// TLS needs TDS 7.1 or later.
fn tds_without_tls(v: &str) -> bool {
    let mut parts = v.trim().split('.');
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(99);
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    major < 7 || major == 7 && minor == 0
}
