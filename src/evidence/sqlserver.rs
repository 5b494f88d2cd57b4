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

use std::sync::LazyLock;

use regex::Regex;
use sslcensus_parsers::Engine;

use super::Fact::{self, No, Unknown, Yes};
use super::deps::{Package, Versions, eras};
use super::facts::{CA_ONLY, FULL, Facts, NO_VERIFY, OPPORTUNISTIC, PLAIN, UNKNOWN};
use super::stack::{self, Reading, Row, Stack};
use super::syntax::comment::commented;
use super::syntax::ini::{IniSection, ini_sections};
use super::syntax::kv::{norm_key, param};
use super::syntax::lines::Lines;
use super::syntax::quote::{parse_bool, unquote};
use super::syntax::url::{UrlParts, query_params, split_host_port, url_end};
use super::text::cut_short;
use super::{ConfigHit, FileCtx, Given, given};

/// Finds SQL Server connection settings in one file.
pub fn detect(file: &FileCtx<'_>) -> Vec<ConfigHit> {
    let mut hits = Vec::new();
    stack::run(STACKS, file, file, &mut hits);
    hits.sort_by_key(|h| h.line);
    hits
}

/// SQL Server's stacks, in the order they run.
static STACKS: &[&dyn Stack<Ms>] = &[
    &JDBC_URLS,
    &URLS,
    &CONNECTION_STRINGS,
    &ODBC_INI,
    &FREETDS_CONF,
];

/// What SQL Server's stacks share while reading a file: the file, and the
/// hits (they claim nothing).
struct Ms;

impl Reading for Ms {
    type Cx<'a> = FileCtx<'a>;
    type Hits = Vec<ConfigHit>;
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

/// SqlClient releases whose encryption handling differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SqlClientEra {
    /// System.Data.SqlClient and Microsoft.Data.SqlClient 1.x: `Encrypt`
    /// false by default, and with it the certificate is never validated,
    /// even when the server forces encryption.
    V1,
    /// Microsoft.Data.SqlClient 2.0: a server-forced encryption is
    /// validated unless `TrustServerCertificate=true`.
    V2,
    /// 4.0: `Encrypt` true by default.
    V4,
}

const SQLCLIENT_ERAS: [((u32, u32, u32), SqlClientEra); 3] = [
    ((0, 0, 0), SqlClientEra::V1),
    ((2, 0, 0), SqlClientEra::V2),
    ((4, 0, 0), SqlClientEra::V4),
];

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

/// `tcp:host,1433`, `host\INSTANCE`, `[::1],1433`, `np:…` → (host, port).
fn server_host_port(v: &str) -> (Option<String>, Option<u16>) {
    let v = unquote(v).trim();
    let v = v
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(v);
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

// ---------------------------------------------------------------------------
// Connection strings: ADO.NET (SqlClient), ODBC, OLE DB
// ---------------------------------------------------------------------------

static SERVER_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(server|data\s+source|addr|address|network\s+address)\s*=")
        .expect("server key pattern compiles")
});

/// Keys only SQL Server drivers know.
const SQLSERVER_KEYS: [&str; 14] = [
    "encrypt",
    "trustservercertificate",
    "hostnameincertificate",
    "initialcatalog",
    "integratedsecurity",
    "trustedconnection",
    "multipleactiveresultsets",
    "applicationintent",
    "multisubnetfailover",
    "failoverpartner",
    "columnencryptionsetting",
    "attachdbfilename",
    "useencryptionfordata",
    "servercertificate",
];

/// Keys of other databases' connection strings (MySqlConnector, Npgsql,
/// SQLite, Oracle ODP.NET) that SqlClient rejects.
const FOREIGN_KEYS: [&str; 12] = [
    "sslmode",
    "host",
    "charset",
    "sslca",
    "allowpublickeyretrieval",
    "rootcertificate",
    "searchpath",
    "version",
    "dbq",
    "mode",
    "journalmode",
    "cache",
];

static CONNECTION_STRINGS: Row<Ms> = Row {
    name: "connection strings",
    // Every file: a string's keys are the test.
    wants: |_| true,
    detect: |file, hits| {
        let go_file = file.name.ends_with(".go");
        connection_strings(
            file.text,
            file.lower(),
            file.lines(),
            &file.versions,
            go_file,
            hits,
        )
    },
};

fn connection_strings(
    text: &str,
    lower: &str,
    lines: &Lines,
    versions: &Versions<'_>,
    go_file: bool,
    hits: &mut Vec<ConfigHit>,
) {
    let mut done_until = 0;
    // Which SqlClient reads an ADO.NET string: System.Data.SqlClient when the
    // file or the project names only it, else Microsoft.Data.SqlClient of
    // the version in sight. Looked up once a string is found.
    let sqlclient = std::cell::OnceCell::new();
    let sqlclient = || {
        sqlclient.get_or_init(|| {
            let mds = versions.of(Package::SqlClient);
            let sds_only = mds.is_none()
                && ((lower.contains("system.data.sqlclient")
                    && !lower.contains("microsoft.data.sqlclient"))
                    || versions.of(Package::SystemDataSqlClient).is_some());
            let eras = if sds_only {
                vec![SqlClientEra::V1]
            } else {
                eras(mds.as_ref(), &SQLCLIENT_ERAS)
            };
            (mds, sds_only, eras)
        })
    };
    let named_context = [
        "sqlclient",
        "sqlconnection",
        "usesqlserver",
        "mssql",
        "sqlserver",
        "sql server",
    ]
    .iter()
    .any(|w| lower.contains(w));
    for m in SERVER_KEY.find_iter(text) {
        if m.start() < done_until || commented(text, m.start()) {
            continue;
        }
        let (span_start, span_end) = enclosing_span(text, m.start());
        done_until = span_end;
        let span = &text[span_start..span_end];
        let pairs = cs_pairs(span);
        // One `Server = x` line is an INI entry or an assignment, not a
        // connection string.
        let Some(first) = pairs.first().filter(|_| pairs.len() >= 2) else {
            continue;
        };
        let get = |key: &str| pairs.iter().rev().find(|p| p.key == key).map(|p| p.value);
        let Some(server) = ["server", "datasource", "address", "addr", "networkaddress"]
            .iter()
            .find_map(|k| get(k))
        else {
            continue;
        };
        let server_lower = server.to_ascii_lowercase();
        let driver = get("driver").map(str::to_ascii_lowercase);
        let provider = get("provider").map(str::to_ascii_lowercase);
        // Oracle descriptors, EZConnect and SQLite files are not servers.
        if server.is_empty()
            || server.starts_with('(')
            || server.contains('/')
            || [".db", ".sqlite", ".sqlite3", ".mdb", ".accdb"]
                .iter()
                .any(|e| server_lower.ends_with(e))
        {
            continue;
        }
        let odbc = driver.as_deref().map(odbc_driver);
        let oledb = provider.as_deref().is_some_and(|p| {
            p.contains("sqloledb") || p.contains("msoledbsql") || p.contains("sqlncli")
        });
        let foreign = (provider.is_some() && !oledb)
            || (driver.is_some() && odbc == Some(OdbcDriver::Other))
            || pairs.iter().any(|p| FOREIGN_KEYS.contains(&p.key.as_str()))
            || (get("port").is_some() && !matches!(odbc, Some(OdbcDriver::FreeTds)));
        let marked = odbc.is_some_and(|d| d != OdbcDriver::Other)
            || oledb
            || pairs
                .iter()
                .any(|p| SQLSERVER_KEYS.contains(&p.key.as_str()))
            || ["tcp:", "np:", "lpc:", "(localdb)"]
                .iter()
                .any(|p| server_lower.starts_with(p))
            || server.contains('\\')
            || server
                .rsplit_once(',')
                .is_some_and(|(_, p)| p.trim().parse::<u16>().is_ok())
            || server_lower.contains(".database.windows.net");
        let has_db_or_user = [
            "database",
            "initialcatalog",
            "userid",
            "uid",
            "user",
            "integratedsecurity",
            "trustedconnection",
        ]
        .iter()
        .any(|k| get(k).is_some());
        let sqlserver_context = || {
            let (mds, sds_only, _) = sqlclient();
            named_context || mds.is_some() || *sds_only
        };
        if foreign || !(marked || (has_db_or_user && sqlserver_context())) {
            continue;
        }
        let encryption = Encryption::read(
            get("encrypt").or_else(|| get("useencryptionfordata")),
            get("trustservercertificate"),
        );
        let authentication = get("authentication").is_some_and(|a| !a.eq_ignore_ascii_case("none"));
        let (stack, facts) = match odbc {
            Some(OdbcDriver::FreeTds) => (
                "FreeTDS ODBC connection string",
                freetds_string(get("encryption"), get("tdsversion")),
            ),
            Some(OdbcDriver::Microsoft(major)) => (
                "ODBC connection string",
                encryption.facts(&[major], |e, t, major| {
                    odbc_facts(e, t, major, authentication)
                }),
            ),
            _ if oledb => {
                let v19 = provider.as_deref().unwrap_or("").contains("msoledbsql19");
                (
                    "OLE DB connection string",
                    encryption.facts(&[v19], |e, t, v19| oledb_facts(e, t, v19, authentication)),
                )
            }
            _ if go_file => (
                "go-mssqldb connection string",
                encryption.facts(&[()], |e, t, ()| go_mssqldb(e, t)),
            ),
            _ => (
                "ADO.NET SqlClient connection string",
                encryption.facts(&sqlclient().2, sqlclient_facts),
            ),
        };
        let driver_version = match (odbc, oledb, go_file) {
            (None, false, false) => sqlclient().0.as_ref().map(|v| v.shown()),
            _ => None,
        };
        let facts = if cut_short(text, span_end) {
            facts.unsettled()
        } else {
            facts
        };
        let line_at = span_start + first.offset;
        let mut hit = ConfigHit::new(
            lines.line(line_at),
            stack,
            Engine::SqlServer,
            facts,
            &masked_from(span, &pairs, first.offset),
        );
        (hit.host, hit.port) = server_host_port(server);
        hit.port = hit
            .port
            .or_else(|| get("port").and_then(|p| p.parse().ok()));
        hit.user = ["userid", "uid", "user", "username"]
            .iter()
            .find_map(|k| get(k))
            .map(str::to_string);
        hit.database = get("database")
            .or_else(|| get("initialcatalog"))
            .map(str::to_string);
        // `certificate` is go-mssqldb's CA file.
        hit.trust_store = get("servercertificate")
            .or_else(|| get("certificate"))
            .map(str::to_string);
        hit.application = get("applicationname")
            .or_else(|| get("app"))
            .map(str::to_string);
        hit.driver_version = driver_version;
        hits.push(hit);
    }
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

/// The quoted string around `at`, or the rest of its line.
fn enclosing_span(text: &str, at: usize) -> (usize, usize) {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let bytes = text.as_bytes();
    let mut open: Option<(u8, usize)> = None;
    for (i, &b) in bytes.iter().enumerate().take(at).skip(line_start) {
        match open {
            Some((q, _)) if b == q => open = None,
            None if matches!(b, b'"' | b'\'' | b'`') => open = Some((b, i)),
            _ => {}
        }
    }
    match open {
        Some((q, i)) => {
            let end = text[at..line_end]
                .find(q as char)
                .map_or(line_end, |e| at + e);
            (i + 1, end)
        }
        None => {
            let end = line_start + text[line_start..line_end].trim_end().len();
            (line_start, end.max(at))
        }
    }
}

/// One `key=value` of a connection string.
struct CsPair<'a> {
    /// Normalized key (lowercase, no spaces or underscores).
    key: String,
    value: &'a str,
    /// Byte offset of the key in the span.
    offset: usize,
    /// The value as written (braces, quotes), in the span.
    raw: std::ops::Range<usize>,
}

/// Keys whose values are never shown.
fn is_secret(key: &str) -> bool {
    [
        "pwd",
        "password",
        "passphrase",
        "secret",
        "token",
        "accesskey",
    ]
    .iter()
    .any(|s| key.contains(s))
}

/// `span[from..]` with secret values replaced by `****`, whatever they
/// hold (`PWD={a;b}` defeats a pattern).
fn masked_from(span: &str, pairs: &[CsPair<'_>], from: usize) -> String {
    let mut out = String::new();
    let mut at = from;
    for p in pairs
        .iter()
        .filter(|p| is_secret(&p.key) && p.raw.start >= from)
    {
        out.push_str(&span[at..p.raw.start]);
        out.push_str("****");
        at = p.raw.end;
    }
    out.push_str(&span[at..]);
    out
}

/// `key=value;…` with `{…}` and quoted values; a leading `NAME=` or
/// `name: ` before the first key (an env var, a YAML key) is skipped.
fn cs_pairs(span: &str) -> Vec<CsPair<'_>> {
    let mut out = Vec::new();
    let bytes = span.as_bytes();
    let mut seg_start = 0;
    let mut i = 0;
    let mut depth = 0;
    let mut quote: Option<u8> = None;
    while i <= bytes.len() {
        let b = bytes.get(i).copied();
        match (b, quote) {
            (Some(q), Some(open)) if q == open => quote = None,
            (Some(_), Some(_)) => {}
            (Some(b'{'), None) => depth += 1,
            (Some(b'}'), None) => depth -= 1,
            // A quoted value.
            (Some(q @ (b'"' | b'\'')), None)
                if depth == 0 && span[seg_start..i].trim_end().ends_with('=') =>
            {
                quote = Some(q);
            }
            (Some(b';') | None, None) if depth <= 0 => {
                let seg = &span[seg_start..i];
                if let Some(pair) = cs_pair(seg, seg_start, out.is_empty()) {
                    out.push(pair);
                }
                seg_start = i + 1;
                depth = 0;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn cs_pair(seg: &str, seg_start: usize, first: bool) -> Option<CsPair<'_>> {
    let trimmed_start = seg.len() - seg.trim_start().len();
    let mut seg_off = seg_start + trimmed_start;
    let mut seg = seg.trim();
    if first {
        // `ConnectionStrings__Default=Server=…`, `export X=Driver={…}`,
        // `connectionString: Server=…`.
        let brace = seg.find('{').unwrap_or(seg.len());
        let eqs: Vec<usize> = seg[..brace].match_indices('=').map(|(i, _)| i).collect();
        if eqs.len() >= 2 {
            let cut = eqs[0] + 1;
            seg_off += cut;
            seg = &seg[cut..];
        }
        if let Some(colon) = seg.find(": ")
            && colon < seg.find('=').unwrap_or(0)
        {
            let cut = colon + 2;
            seg_off += cut;
            seg = &seg[cut..];
        }
        let lead = seg.len() - seg.trim_start().len();
        seg_off += lead;
        seg = seg.trim_start();
    }
    let (k, v) = seg.split_once('=')?;
    let raw_start = seg_off + k.len() + 1 + (v.len() - v.trim_start().len());
    let raw = raw_start..(seg_off + seg.trim_end().len()).max(raw_start);
    let key = norm_key(k);
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let v = v.trim();
    let v = v
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or_else(|| unquote(v));
    Some(CsPair {
        key,
        value: v.trim(),
        offset: seg_off,
        raw,
    })
}

// ---------------------------------------------------------------------------
// JDBC: mssql-jdbc and jTDS
// ---------------------------------------------------------------------------

static JDBC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)jdbc:(?:aws-wrapper:)?(sqlserver|jtds:sqlserver)://")
        .expect("JDBC pattern compiles")
});

static JDBC_URLS: Row<Ms> = Row {
    name: "JDBC URLs",
    wants: |file| {
        file.lower().contains("jdbc:sqlserver:") || file.lower().contains("jdbc:jtds:sqlserver:")
    },
    detect: |file, hits| jdbc_urls(file.text, file.lines(), &file.versions, hits),
};

fn jdbc_urls(text: &str, lines: &Lines, versions: &Versions<'_>, hits: &mut Vec<ConfigHit>) {
    let version = versions.of(Package::MssqlJdbc);
    let encrypt_by_default = eras(version.as_ref(), &[((0, 0, 0), false), ((10, 1, 0), true)]);
    for m in JDBC.captures_iter(text) {
        let whole = m.get(0).expect("match");
        if commented(text, whole.start()) {
            continue;
        }
        let end = url_end(text, whole.start(), whole.end());
        let rest = &text[whole.end()..end];
        let (server, props) = rest.split_once(';').unwrap_or((rest, ""));
        if server.is_empty() && props.is_empty() {
            continue; // `"jdbc:sqlserver://" + host + …`
        }
        let (params, masked_props) = jdbc_props(props);
        let jtds = m[1].to_ascii_lowercase().starts_with("jtds");
        let (server, database) = if jtds {
            match server.split_once('/') {
                Some((s, d)) => (s, Some(d.to_string()).filter(|d| !d.is_empty())),
                None => (server, None),
            }
        } else {
            (server, None)
        };
        let (mut host, mut port) = split_host_port(server);
        if let Some(h) = param(&params, "servername") {
            host = host.or_else(|| Some(h.to_string()));
        }
        if let Some(p) = param(&params, "portnumber").or_else(|| param(&params, "port")) {
            port = port.or_else(|| p.parse().ok());
        }
        let (stack, facts) = if jtds {
            ("JDBC jTDS", jtds_facts(param(&params, "ssl")))
        } else {
            let encryption = Encryption::read(
                param(&params, "encrypt"),
                param(&params, "trustservercertificate"),
            );
            let trust_manager = param(&params, "trustmanagerclass").is_some();
            (
                "JDBC mssql-jdbc",
                encryption.facts(&encrypt_by_default, |e, t, on| {
                    mssql_jdbc(e, t, on, trust_manager)
                }),
            )
        };
        let facts = if cut_short(text, end) {
            facts.unsettled()
        } else {
            facts
        };
        let mut hit = ConfigHit::new(
            lines.line(whole.start()),
            stack,
            Engine::SqlServer,
            facts,
            &format!("{}{server};{masked_props}", whole.as_str()),
        );
        hit.host = host;
        hit.port = port;
        hit.user = param(&params, "user")
            .or_else(|| param(&params, "username"))
            .map(str::to_string);
        hit.database = database.or_else(|| {
            param(&params, "databasename")
                .or_else(|| param(&params, "database"))
                .map(str::to_string)
        });
        hit.trust_store = param(&params, "truststore")
            .or_else(|| param(&params, "servercertificate"))
            .map(str::to_string);
        hit.application = param(&params, "applicationname")
            .or_else(|| param(&params, "appname"))
            .map(str::to_string);
        if !jtds {
            hit.driver_version = version.as_ref().map(|v| v.shown());
        }
        hits.push(hit);
    }
}

/// `;key=value;key={value}` properties, keys normalized.
/// `;key=value;key={va;lue}` properties (keys normalized) and the text
/// with secrets masked.
fn jdbc_props(props: &str) -> (Vec<(String, String)>, String) {
    let pairs = cs_pairs(props);
    let masked = masked_from(props, &pairs, 0);
    let params = pairs
        .into_iter()
        .map(|p| (p.key, p.value.to_string()))
        .collect();
    (params, masked)
}

/// jTDS `ssl=`: `off` (default), `request`, `require` (no validation),
/// `authenticate` (validates the chain; jTDS does no host-name check).
fn jtds_facts(ssl: Option<&str>) -> Facts {
    match ssl.map(|s| s.to_ascii_lowercase()).as_deref() {
        None | Some("off") => PLAIN,
        Some("request") => OPPORTUNISTIC,
        Some("require") => NO_VERIFY,
        Some("authenticate") => CA_ONLY,
        Some(_) => UNKNOWN,
    }
}

// ---------------------------------------------------------------------------
// URLs: go-mssqldb, Prisma, node-mssql, SQLAlchemy
// ---------------------------------------------------------------------------

static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(sqlserver|mssql)(?:\+([a-z0-9_]+))?://")
        .expect("URL pattern compiles")
});

static URLS: Row<Ms> = Row {
    name: "sqlserver:// URLs",
    wants: |file| file.lower().contains("sqlserver://") || file.lower().contains("mssql"),
    detect: |file, hits| urls(file.text, file.lines(), hits),
};

fn urls(text: &str, lines: &Lines, hits: &mut Vec<ConfigHit>) {
    for m in URL.captures_iter(text) {
        let whole = m.get(0).expect("match");
        let before = text[..whole.start()].bytes().next_back();
        if matches!(before, Some(b':' | b'-' | b'+' | b'.')) || commented(text, whole.start()) {
            continue;
        }
        let end = url_end(text, whole.start(), whole.end());
        let rest = &text[whole.end()..end];
        let scheme = m[1].to_ascii_lowercase();
        let driver = m.get(2).map(|d| d.as_str().to_ascii_lowercase());
        // Prisma: `sqlserver://host:1433;database=…;encrypt=true`.
        if rest.is_empty() {
            continue;
        }
        let query_at = rest.find('?').unwrap_or(rest.len());
        let host_from = rest[..query_at].rfind('@').map_or(0, |i| i + 1);
        let semicolon = rest[host_from..query_at].find(';').map(|i| host_from + i);
        let (parts, params, shown) = match semicolon {
            Some(i) => {
                let parts = UrlParts::parse(&rest[..i]);
                let (params, masked) = jdbc_props(&rest[i + 1..]);
                let shown = format!("{};{masked}", parts.masked(&rest[..i]));
                (parts, params, shown)
            }
            None => {
                let parts = UrlParts::parse(rest);
                let params = query_params(parts.query);
                let shown = parts.masked(rest);
                (parts, params, shown)
            }
        };
        let encryption = Encryption::read(
            param(&params, "encrypt"),
            param(&params, "trustservercertificate"),
        );
        let authentication =
            param(&params, "authentication").is_some_and(|a| !a.eq_ignore_ascii_case("none"));
        let (stack, facts) = match (scheme.as_str(), driver.as_deref()) {
            ("mssql", Some("pyodbc" | "aioodbc")) => {
                let odbc_name = param(&params, "driver").map(|d| odbc_driver(&d.replace('+', " ")));
                let facts = match odbc_name {
                    Some(OdbcDriver::Microsoft(major)) => encryption
                        .facts(&[major], |e, t, major| {
                            odbc_facts(e, t, major, authentication)
                        }),
                    Some(OdbcDriver::FreeTds) => {
                        freetds_string(param(&params, "encryption"), param(&params, "tdsversion"))
                    }
                    // A DSN or an unnamed driver: its defaults are unknown.
                    _ => encryption.facts(&[17, 18], |e, t, major| {
                        odbc_facts(e, t, major, authentication)
                    }),
                };
                ("SQLAlchemy mssql+pyodbc URL", facts)
            }
            ("mssql", Some("pymssql")) => (
                "SQLAlchemy mssql+pymssql URL",
                freetds_string(param(&params, "encryption"), param(&params, "tdsversion")),
            ),
            ("sqlserver", None) if semicolon.is_some() => (
                "Prisma sqlserver URL",
                encryption.facts(&[()], |e, t, ()| undocumented(e, t)),
            ),
            ("sqlserver", None) => (
                "go-mssqldb URL",
                encryption.facts(&[()], |e, t, ()| go_mssqldb(e, t)),
            ),
            // node-mssql / tedious: encrypt defaults to true from tedious 7
            // (mssql 7); older versions did not encrypt.
            _ => (
                "mssql URL",
                encryption.facts(&[()], |e, t, ()| undocumented(e, t)),
            ),
        };
        let facts = if cut_short(text, end) {
            facts.unsettled()
        } else {
            facts
        };
        let mut hit = ConfigHit::new(
            lines.line(whole.start()),
            stack,
            Engine::SqlServer,
            facts,
            &format!("{}{shown}", whole.as_str()),
        );
        hit.host = parts.host;
        hit.port = parts.port;
        hit.user = parts.user.or_else(|| {
            param(&params, "user")
                .or_else(|| param(&params, "userid"))
                .map(str::to_string)
        });
        hit.database =
            param(&params, "database")
                .map(str::to_string)
                .or(if scheme == "sqlserver" {
                    None
                } else {
                    parts.database
                });
        hit.trust_store = param(&params, "certificate")
            .or_else(|| param(&params, "servercertificate"))
            .or_else(|| param(&params, "truststore"))
            .map(str::to_string);
        hit.application = param(&params, "appname")
            .or_else(|| param(&params, "applicationname"))
            .map(str::to_string);
        hits.push(hit);
    }
}

// ---------------------------------------------------------------------------
// odbc.ini and freetds.conf
// ---------------------------------------------------------------------------

static ODBC_INI: Row<Ms> = Row {
    name: "odbc.ini",
    wants: |file| file.name.ends_with("odbc.ini"),
    detect: |file, hits| odbc_ini(file.text, file.lines(), hits),
};

fn odbc_ini(text: &str, lines: &Lines, hits: &mut Vec<ConfigHit>) {
    for section in ini_sections(text) {
        let name = section.name.to_ascii_lowercase();
        if name == "odbc data sources" || name == "odbc" {
            continue;
        }
        let Some(driver) = section.get("driver") else {
            continue;
        };
        let server = section.get("server").or_else(|| section.get("address"));
        let odbc = odbc_driver(driver);
        if odbc == OdbcDriver::Other || server.is_none() && section.get("servername").is_none() {
            continue;
        }
        let encryption = Encryption::read(
            section.get("encrypt"),
            section.get("trustservercertificate"),
        );
        let authentication = section
            .get("authentication")
            .is_some_and(|a| !a.eq_ignore_ascii_case("none"));
        let (stack, facts) = match odbc {
            OdbcDriver::FreeTds => (
                "odbc.ini DSN (FreeTDS)",
                freetds_string(section.get("encryption"), section.get("tds_version")),
            ),
            OdbcDriver::Microsoft(major) => (
                "odbc.ini DSN",
                encryption.facts(&[major], |e, t, major| {
                    odbc_facts(e, t, major, authentication)
                }),
            ),
            OdbcDriver::Other => unreachable!("skipped above"),
        };
        let mut hit = ConfigHit::new(
            lines.line(section.start),
            stack,
            Engine::SqlServer,
            facts,
            &section.shown(text),
        );
        if let Some(server) = server {
            (hit.host, hit.port) = server_host_port(server);
        }
        hit.port = hit
            .port
            .or_else(|| section.get("port").and_then(|p| p.parse().ok()));
        hit.database = section.get("database").map(str::to_string);
        hit.user = section
            .get("uid")
            .or_else(|| section.get("user"))
            .map(str::to_string);
        hit.trust_store = section.get("servercertificate").map(str::to_string);
        hits.push(hit);
    }
}

static FREETDS_CONF: Row<Ms> = Row {
    name: "freetds.conf",
    wants: |file| file.name.ends_with("freetds.conf"),
    detect: |file, hits| freetds_conf(file.text, file.lines(), hits),
};

/// freetds.conf: `[global]` settings apply to every server section.
/// FreeTDS validates the certificate only when `ca file` is set, and then
/// checks the host name unless `check certificate hostname = no`;
/// `encryption` is `off`, `request` (default), `require` or `strict`.
fn freetds_conf(text: &str, lines: &Lines, hits: &mut Vec<ConfigHit>) {
    let sections = ini_sections(text);
    let global = sections
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case("global"));
    let lookup = |section: &IniSection<'_>, key: &str| -> Option<String> {
        section
            .get(key)
            .or_else(|| global.and_then(|g| g.get(key)))
            .map(str::to_string)
    };
    for section in &sections {
        let is_global = section.name.eq_ignore_ascii_case("global");
        let relevant = if is_global {
            // Reported only when no server section inherits it.
            sections.len() == 1
                && (section.get("encryption").is_some() || section.get("ca file").is_some())
        } else {
            section.get("host").is_some()
        };
        if !relevant {
            continue;
        }
        let encryption = lookup(section, "encryption").map(|e| e.to_ascii_lowercase());
        let ca = lookup(section, "ca file").filter(|c| !c.is_empty());
        let check_host = lookup(section, "check certificate hostname")
            .and_then(|v| parse_bool(&v))
            .unwrap_or(true);
        let tds_off = lookup(section, "tds version").is_some_and(|v| tds_without_tls(&v));
        let tls = match encryption.as_deref() {
            _ if tds_off => No,
            Some("off") => No,
            Some("require" | "required" | "strict") => Yes,
            _ => Unknown,
        };
        let facts = if tls == No {
            PLAIN
        } else {
            let chain = Fact::from(ca.is_some());
            Facts::new(tls, chain, Fact::from(chain == Yes && check_host))
        };
        let mut hit = ConfigHit::new(
            lines.line(section.start),
            "freetds.conf",
            Engine::SqlServer,
            facts,
            &section.shown(text),
        );
        hit.host = section.get("host").map(str::to_string);
        hit.port = lookup(section, "port").and_then(|p| p.parse().ok());
        hit.trust_store = ca;
        hits.push(hit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Fact;
    use crate::evidence::deps::Package;
    use crate::evidence::testing;

    #[test]
    fn each_stack_has_its_own_name() {
        stack::assert_distinct_names(STACKS);
    }

    fn scan(name: &str, text: &str) -> Vec<ConfigHit> {
        testing::scan(detect, name, text)
    }

    type Expect<'a> = testing::Seen<'a>;

    fn check(name: &str, text: &str, expected: &[Expect<'_>]) {
        check_hits(&scan(name, text), expected, &format!("{name}:\n{text}"));
    }

    fn check_hits(hits: &[ConfigHit], expected: &[Expect<'_>], context: &str) {
        assert!(
            hits.iter().all(|h| h.engine == Engine::SqlServer),
            "{hits:#?}"
        );
        let got: Vec<Expect<'_>> = hits.iter().map(testing::seen).collect();
        assert_eq!(got, expected, "\n{context}");
        testing::assert_masked(hits, "hunter2");
    }

    const ADO: &str = "ADO.NET SqlClient connection string";
    const ODBC: &str = "ODBC connection string";

    #[test]
    fn ado_net_connection_strings() {
        let rds = Some("orders.abc123.us-east-1.rds.amazonaws.com");
        let table: &[(&str, &str, Expect<'_>)] = &[
            (
                "appsettings.json",
                r#"  "DefaultConnection": "Server=tcp:orders.abc123.us-east-1.rds.amazonaws.com,1433;Database=orders;User ID=app;Password=hunter2;Encrypt=True;TrustServerCertificate=False;""#,
                (
                    ADO,
                    rds,
                    Some(1433),
                    Some("app"),
                    Some("orders"),
                    FULL,
                    None,
                ),
            ),
            (
                "web.config",
                r#"<add name="Db" connectionString="Data Source=db.example.com\SQLEXPRESS;Initial Catalog=Shop;UID=app;PWD=hunter2;Encrypt=Mandatory;TrustServerCertificate=True" />"#,
                (
                    ADO,
                    Some("db.example.com\\SQLEXPRESS"),
                    None,
                    Some("app"),
                    Some("Shop"),
                    NO_VERIFY,
                    None,
                ),
            ),
            (
                "appsettings.json",
                r#"{"ConnectionStrings": {"Db": "server=db,1433;initial catalog=x;user id=app;password=hunter2;encrypt=false"}}"#,
                (
                    ADO,
                    Some("db"),
                    Some(1433),
                    Some("app"),
                    Some("x"),
                    UNKNOWN,
                    None,
                ),
            ),
            (
                "appsettings.json",
                r#""Db": "Server=db;Initial Catalog=x;Integrated Security=true;Encrypt=Strict;TrustServerCertificate=true""#,
                (ADO, Some("db"), None, None, Some("x"), FULL, None),
            ),
            (
                "appsettings.json",
                r#""Db": "Server=db;Initial Catalog=x;Encrypt=Optional""#,
                (ADO, Some("db"), None, None, Some("x"), UNKNOWN, None),
            ),
            // No Encrypt: SqlClient < 4 does not encrypt, ≥ 4 does.
            (
                "appsettings.json",
                r#""Db": "Data Source=tcp:db,1433;Initial Catalog=x;User Id=app;Password=hunter2""#,
                (
                    ADO,
                    Some("db"),
                    Some(1433),
                    Some("app"),
                    Some("x"),
                    UNKNOWN,
                    None,
                ),
            ),
            (
                "appsettings.json",
                r#""Db": "Data Source=tcp:db,1433;Initial Catalog=x;TrustServerCertificate=yes""#,
                (
                    ADO,
                    Some("db"),
                    Some(1433),
                    None,
                    Some("x"),
                    OPPORTUNISTIC,
                    None,
                ),
            ),
            (
                ".env",
                "ConnectionStrings__Default=Server=tcp:[2001:db8::7],1433;Database=x;Encrypt=yes;HostNameInCertificate=*.example.com",
                (
                    ADO,
                    Some("2001:db8::7"),
                    Some(1433),
                    None,
                    Some("x"),
                    FULL,
                    None,
                ),
            ),
            (
                "appsettings.yaml",
                "connectionString: Address=db;Trusted_Connection=True;Encrypt=True;ServerCertificate=/certs/db.cer",
                (
                    ADO,
                    Some("db"),
                    None,
                    None,
                    None,
                    FULL,
                    Some("/certs/db.cer"),
                ),
            ),
            (
                "Program.cs",
                "var cs = @\"Server=db;Database=orders;User Id=sa;Password=hunter2;\"; var c = new SqlConnection(cs);",
                (
                    ADO,
                    Some("db"),
                    None,
                    Some("sa"),
                    Some("orders"),
                    UNKNOWN,
                    None,
                ),
            ),
        ];
        for (name, text, expected) in table {
            check(name, text, std::slice::from_ref(expected));
        }
    }

    /// Each driver's defaults by version (docs/FORMATS.md, "SQL Server"):
    /// (file, setting, the driver version in the project's dependency files,
    /// facts). `Encrypt=false` is never "does not verify" for a driver that
    /// validates a server-forced encryption.
    #[test]
    fn driver_defaults_follow_the_version_in_sight() {
        use crate::evidence::deps::Package::{MssqlJdbc, SqlClient, SystemDataSqlClient};
        let ado = |tail: &str| {
            format!(r#"{{"Db": "Server=tcp:ledger-db,1433;Initial Catalog=ledger;{tail}"}}"#)
        };
        let table: &[testing::FactsRow<'_>] = &[
            // Microsoft.Data.SqlClient: 1.x never validates Encrypt=false; 2.0+
            // validates when the server forces encryption; 4.0+ encrypts by
            // default.
            (
                "appsettings.json",
                "Encrypt=false",
                &[(SqlClient, "1.1.4")],
                OPPORTUNISTIC,
            ),
            (
                "appsettings.json",
                "Encrypt=false",
                &[(SqlClient, "2.1.7")],
                UNKNOWN,
            ),
            (
                "appsettings.json",
                "Encrypt=false",
                &[(SqlClient, "5.2.1")],
                UNKNOWN,
            ),
            ("appsettings.json", "Encrypt=false", &[], UNKNOWN),
            (
                "appsettings.json",
                "Encrypt=false;TrustServerCertificate=true",
                &[],
                OPPORTUNISTIC,
            ),
            (
                "appsettings.json",
                "User ID=app",
                &[(SqlClient, "1.1.4")],
                OPPORTUNISTIC,
            ),
            (
                "appsettings.json",
                "User ID=app",
                &[(SqlClient, "3.1.0")],
                UNKNOWN,
            ),
            (
                "appsettings.json",
                "User ID=app",
                &[(SqlClient, "5.2.1")],
                FULL,
            ),
            ("appsettings.json", "User ID=app", &[], UNKNOWN),
            (
                "appsettings.json",
                "TrustServerCertificate=true",
                &[(SqlClient, "5.2.1")],
                NO_VERIFY,
            ),
            // System.Data.SqlClient behaves as 1.x.
            (
                "appsettings.json",
                "Encrypt=false",
                &[(SystemDataSqlClient, "4.8.6")],
                OPPORTUNISTIC,
            ),
            // Values from elsewhere.
            (
                "appsettings.json",
                "Encrypt=${SQL_ENCRYPT}",
                &[(SqlClient, "5.2.1")],
                UNKNOWN,
            ),
            (
                "appsettings.json",
                "Encrypt=true;TrustServerCertificate=$(TrustCert)",
                &[(SqlClient, "5.2.1")],
                Facts::new(Yes, Unknown, Unknown),
            ),
            // mssql-jdbc: encrypt=false negotiates a server-required
            // encryption and validates it; encrypt true by default from 10.1.
            (
                "application.properties",
                "url=jdbc:sqlserver://ledger-db:1433;databaseName=ledger;encrypt=false",
                &[],
                UNKNOWN,
            ),
            (
                "application.properties",
                "url=jdbc:sqlserver://ledger-db:1433;databaseName=ledger;encrypt=false;trustServerCertificate=true",
                &[],
                OPPORTUNISTIC,
            ),
            (
                "application.properties",
                "url=jdbc:sqlserver://ledger-db:1433;databaseName=ledger",
                &[(MssqlJdbc, "9.4.1.jre8")],
                UNKNOWN,
            ),
            (
                "application.properties",
                "url=jdbc:sqlserver://ledger-db:1433;databaseName=ledger",
                &[(MssqlJdbc, "12.6.1.jre11")],
                FULL,
            ),
            (
                "application.properties",
                "url=jdbc:sqlserver://ledger-db:1433;databaseName=ledger",
                &[],
                UNKNOWN,
            ),
            (
                "application.properties",
                "url=jdbc:sqlserver://ledger-db:1433;databaseName=ledger;encrypt=true;trustManagerClass=com.example.PinnedTrustManager",
                &[],
                Facts::new(Yes, Unknown, Unknown),
            ),
            // ODBC: 18 validates whenever it encrypts; 17 only when asked.
            (
                "db.py",
                "cs = 'Driver={ODBC Driver 18 for SQL Server};Server=ledger-db;Encrypt=no'",
                &[],
                UNKNOWN,
            ),
            (
                "db.py",
                "cs = 'Driver={ODBC Driver 18 for SQL Server};Server=ledger-db;Encrypt=no;TrustServerCertificate=yes'",
                &[],
                OPPORTUNISTIC,
            ),
            (
                "db.py",
                "cs = 'Driver={ODBC Driver 17 for SQL Server};Server=ledger-db;Encrypt=no'",
                &[],
                OPPORTUNISTIC,
            ),
            // 17 with an Authentication method encrypts by default.
            (
                "db.py",
                "cs = 'Driver={ODBC Driver 17 for SQL Server};Server=ledger-db;Authentication=ActiveDirectoryMsi'",
                &[],
                FULL,
            ),
            // OLE DB 18 with an Authentication method validates whatever the
            // encryption.
            (
                "db.py",
                "cs = 'Provider=MSOLEDBSQL;Data Source=ledger-db;Authentication=ActiveDirectoryPassword;Use Encryption for Data=false'",
                &[],
                Facts::new(Unknown, Yes, Yes),
            ),
            (
                "db.py",
                "cs = 'Provider=MSOLEDBSQL;Data Source=ledger-db;Initial Catalog=ledger'",
                &[],
                OPPORTUNISTIC,
            ),
            // go-mssqldb: an explicit encrypt=false still validates the login
            // handshake; without encrypt the certificate is trusted.
            (
                "main.go",
                "db, _ := sql.Open(\"sqlserver\", \"sqlserver://sa@ledger-db?database=ledger&encrypt=false\")",
                &[],
                Facts::new(Unknown, Yes, Yes),
            ),
            (
                "main.go",
                "db, _ := sql.Open(\"sqlserver\", \"sqlserver://sa@ledger-db?database=ledger\")",
                &[],
                OPPORTUNISTIC,
            ),
            (
                "main.go",
                "db, _ := sql.Open(\"sqlserver\", \"server=ledger-db;user id=sa;encrypt=false\")",
                &[],
                Facts::new(Unknown, Yes, Yes),
            ),
            // Drivers that do not document a server-forced encryption.
            (
                "schema.prisma",
                "url = \"sqlserver://ledger-db:1433;database=ledger;encrypt=false\"",
                &[],
                UNKNOWN,
            ),
            // Cut short: the rest may set Encrypt.
            (
                "Program.cs",
                "var cs = \"Server=tcp:ledger-db,1433;Initial Catalog=ledger;Encrypt=false;TrustServerCertificate=true;\" + extra; // SqlConnection",
                &[],
                UNKNOWN,
            ),
            (
                "Db.java",
                "String url = \"jdbc:sqlserver://ledger-db:1433;databaseName=ledger;encrypt=false;trustServerCertificate=true\" + props;",
                &[],
                UNKNOWN,
            ),
        ];
        let texts: Vec<String> = table
            .iter()
            .map(|&(file, setting, _, _)| {
                if file == "appsettings.json" {
                    ado(setting)
                } else {
                    setting.to_string()
                }
            })
            .collect();
        let rows: Vec<testing::FactsRow<'_>> = table
            .iter()
            .zip(&texts)
            .map(|(&(file, _, versions, want), text)| (file, text.as_str(), versions, want))
            .collect();
        testing::assert_facts(detect, &rows);
    }

    /// A Microsoft.Data.SqlClient 3.1 project's connection string with no
    /// `Encrypt` and no SQL Server-only keyword is reported, because the
    /// project names SqlClient.
    #[test]
    fn a_sqlclient_project_marks_its_plain_connection_strings() {
        let text = r#"{"ConnectionStrings": {"Db": "Server=ledger-db;Database=ledger;User Id=app;Password=hunter2"}}"#;
        assert_eq!(scan("appsettings.json", text), Vec::new());
        let hits = testing::scan_with(
            detect,
            "appsettings.json",
            text,
            &[(Package::SqlClient, "3.1.0")],
        );
        check_hits(
            &hits,
            &[(
                ADO,
                Some("ledger-db"),
                None,
                Some("app"),
                Some("ledger"),
                UNKNOWN,
                None,
            )],
            text,
        );
        assert_eq!(
            hits[0].driver_version.as_deref(),
            Some("Microsoft.Data.SqlClient 3.1.0")
        );
        // web.config naming System.Data.SqlClient as the provider.
        let old = r#"<add name="Db" providerName="System.Data.SqlClient" connectionString="Server=db;Initial Catalog=x;User ID=u;Password=hunter2;Encrypt=false" />"#;
        check(
            "web.config",
            old,
            &[(
                ADO,
                Some("db"),
                None,
                Some("u"),
                Some("x"),
                OPPORTUNISTIC,
                None,
            )],
        );
    }

    #[test]
    fn odbc_and_ole_db_strings() {
        let table: &[(&str, Expect<'_>)] = &[
            (
                r#"conn = pyodbc.connect("DRIVER={ODBC Driver 18 for SQL Server};SERVER=tcp:db,1433;DATABASE=x;UID=app;PWD=hunter2")"#,
                (
                    ODBC,
                    Some("db"),
                    Some(1433),
                    Some("app"),
                    Some("x"),
                    FULL,
                    None,
                ),
            ),
            (
                r#"conn = pyodbc.connect("DRIVER={ODBC Driver 18 for SQL Server};SERVER=db;Encrypt=yes;TrustServerCertificate=yes")"#,
                (ODBC, Some("db"), None, None, None, NO_VERIFY, None),
            ),
            (
                r#"conn = pyodbc.connect('Driver={ODBC Driver 17 for SQL Server};Server=db;Database=x;Uid=app;Pwd={hunter2}')"#,
                (
                    ODBC,
                    Some("db"),
                    None,
                    Some("app"),
                    Some("x"),
                    OPPORTUNISTIC,
                    None,
                ),
            ),
            (
                r#"conn = pyodbc.connect('Driver={ODBC Driver 17 for SQL Server};Server=db;Encrypt=yes')"#,
                (ODBC, Some("db"), None, None, None, FULL, None),
            ),
            (
                r#"ODBC_DSN=Driver={ODBC Driver 18 for SQL Server};Server=db;Encrypt=Strict"#,
                (ODBC, Some("db"), None, None, None, FULL, None),
            ),
            (
                r#"cs = "Driver={SQL Server};Server=db;Database=x;Trusted_Connection=yes;""#,
                (ODBC, Some("db"), None, None, Some("x"), OPPORTUNISTIC, None),
            ),
            (
                r#"cs = "Driver=FreeTDS;Server=db;Port=1433;Database=x;TDS_Version=7.4;Encryption=require""#,
                (
                    "FreeTDS ODBC connection string",
                    Some("db"),
                    Some(1433),
                    None,
                    Some("x"),
                    Facts::new(Yes, Unknown, Unknown),
                    None,
                ),
            ),
            (
                r#"cs = "Provider=MSOLEDBSQL19;Data Source=db;Initial Catalog=x;Use Encryption for Data=Optional""#,
                (
                    "OLE DB connection string",
                    Some("db"),
                    None,
                    None,
                    Some("x"),
                    UNKNOWN,
                    None,
                ),
            ),
            (
                r#"cs = "Provider=MSOLEDBSQL19;Data Source=db;Initial Catalog=x""#,
                (
                    "OLE DB connection string",
                    Some("db"),
                    None,
                    None,
                    Some("x"),
                    FULL,
                    None,
                ),
            ),
        ];
        for (text, expected) in table {
            check("db.py", text, std::slice::from_ref(expected));
        }
    }

    #[test]
    fn jdbc_urls() {
        let table: &[(&str, Expect<'_>)] = &[
            (
                "spring.datasource.url=jdbc:sqlserver://orders.abc.us-east-1.rds.amazonaws.com:1433;databaseName=orders;encrypt=true;trustServerCertificate=false;hostNameInCertificate=*.abc.us-east-1.rds.amazonaws.com;trustStore=/etc/ssl/rds.jks;trustStorePassword=hunter2",
                (
                    "JDBC mssql-jdbc",
                    Some("orders.abc.us-east-1.rds.amazonaws.com"),
                    Some(1433),
                    None,
                    Some("orders"),
                    FULL,
                    Some("/etc/ssl/rds.jks"),
                ),
            ),
            (
                "url: \"jdbc:sqlserver://db;databaseName=x;user=app;password=hunter2;encrypt=true;trustServerCertificate=true\"",
                (
                    "JDBC mssql-jdbc",
                    Some("db"),
                    None,
                    Some("app"),
                    Some("x"),
                    NO_VERIFY,
                    None,
                ),
            ),
            (
                "url=jdbc:sqlserver://db:1433;DatabaseName=x;ENCRYPT=false",
                (
                    "JDBC mssql-jdbc",
                    Some("db"),
                    Some(1433),
                    None,
                    Some("x"),
                    UNKNOWN,
                    None,
                ),
            ),
            (
                "url=jdbc:sqlserver://db:1433;databaseName=x",
                (
                    "JDBC mssql-jdbc",
                    Some("db"),
                    Some(1433),
                    None,
                    Some("x"),
                    UNKNOWN,
                    None,
                ),
            ),
            (
                "url=jdbc:sqlserver://db;encrypt=strict;serverCertificate=/c/db.cer",
                (
                    "JDBC mssql-jdbc",
                    Some("db"),
                    None,
                    None,
                    None,
                    FULL,
                    Some("/c/db.cer"),
                ),
            ),
            (
                "url=jdbc:sqlserver://;serverName=db;portNumber=1444;databaseName={x};encrypt=true",
                (
                    "JDBC mssql-jdbc",
                    Some("db"),
                    Some(1444),
                    None,
                    Some("x"),
                    FULL,
                    None,
                ),
            ),
            (
                "url=jdbc:sqlserver://[::1]:1433;encrypt=true",
                (
                    "JDBC mssql-jdbc",
                    Some("::1"),
                    Some(1433),
                    None,
                    None,
                    FULL,
                    None,
                ),
            ),
            (
                "url=jdbc:jtds:sqlserver://db:1433/x;ssl=require",
                (
                    "JDBC jTDS",
                    Some("db"),
                    Some(1433),
                    None,
                    Some("x"),
                    NO_VERIFY,
                    None,
                ),
            ),
            (
                "url=jdbc:jtds:sqlserver://db/x;ssl=authenticate",
                (
                    "JDBC jTDS",
                    Some("db"),
                    None,
                    None,
                    Some("x"),
                    CA_ONLY,
                    None,
                ),
            ),
            (
                "url=jdbc:jtds:sqlserver://db/x",
                ("JDBC jTDS", Some("db"), None, None, Some("x"), PLAIN, None),
            ),
        ];
        for (text, expected) in table {
            check(
                "application.properties",
                text,
                std::slice::from_ref(expected),
            );
        }
    }

    #[test]
    fn urls() {
        let table: &[(&str, Expect<'_>)] = &[
            (
                "dsn := \"sqlserver://app:hunter2@db:1433?database=x&encrypt=true&certificate=/etc/ssl/rds.pem\"",
                (
                    "go-mssqldb URL",
                    Some("db"),
                    Some(1433),
                    Some("app"),
                    Some("x"),
                    FULL,
                    Some("/etc/ssl/rds.pem"),
                ),
            ),
            (
                "dsn := \"sqlserver://app:hunter2@db:1433?database=x\"",
                (
                    "go-mssqldb URL",
                    Some("db"),
                    Some(1433),
                    Some("app"),
                    Some("x"),
                    OPPORTUNISTIC,
                    None,
                ),
            ),
            (
                "dsn := \"sqlserver://app@db?encrypt=disable\"",
                (
                    "go-mssqldb URL",
                    Some("db"),
                    None,
                    Some("app"),
                    None,
                    PLAIN,
                    None,
                ),
            ),
            (
                "DATABASE_URL=\"sqlserver://db:1433;database=x;user=sa;password=hunter2;encrypt=true\"",
                (
                    "Prisma sqlserver URL",
                    Some("db"),
                    Some(1433),
                    Some("sa"),
                    Some("x"),
                    FULL,
                    None,
                ),
            ),
            (
                "engine = create_engine(\"mssql+pyodbc://app:hunter2@db:1433/x?driver=ODBC+Driver+18+for+SQL+Server&TrustServerCertificate=yes\")",
                (
                    "SQLAlchemy mssql+pyodbc URL",
                    Some("db"),
                    Some(1433),
                    Some("app"),
                    Some("x"),
                    NO_VERIFY,
                    None,
                ),
            ),
            (
                "engine = create_engine(\"mssql+pyodbc://app@db/x?driver=ODBC+Driver+17+for+SQL+Server\")",
                (
                    "SQLAlchemy mssql+pyodbc URL",
                    Some("db"),
                    None,
                    Some("app"),
                    Some("x"),
                    OPPORTUNISTIC,
                    None,
                ),
            ),
            (
                "const pool = await sql.connect(\"mssql://app:hunter2@db/x?encrypt=true\")",
                (
                    "mssql URL",
                    Some("db"),
                    None,
                    Some("app"),
                    Some("x"),
                    FULL,
                    None,
                ),
            ),
        ];
        for (text, expected) in table {
            check("db.go", text, std::slice::from_ref(expected));
        }
    }

    #[test]
    fn odbc_ini_dsns() {
        let text = "\
[ODBC Data Sources]
orders = ODBC Driver 18 for SQL Server

[orders]
Driver = ODBC Driver 18 for SQL Server
Server = tcp:orders.abc.us-east-1.rds.amazonaws.com,1433
Database = orders
TrustServerCertificate = no

[legacy]
Driver=/opt/microsoft/msodbcsql17/lib64/libmsodbcsql-17.10.so.6.1
Server=db2
Encrypt=yes
TrustServerCertificate=yes

[tds]
Driver = FreeTDS
Servername = myserver
TDS_Version = 7.4

[pg]
Driver = PostgreSQL Unicode
Servername = pg
";
        check(
            "odbc.ini",
            text,
            &[
                (
                    "odbc.ini DSN",
                    Some("orders.abc.us-east-1.rds.amazonaws.com"),
                    Some(1433),
                    None,
                    Some("orders"),
                    FULL,
                    None,
                ),
                (
                    "odbc.ini DSN",
                    Some("db2"),
                    None,
                    None,
                    None,
                    NO_VERIFY,
                    None,
                ),
                (
                    "odbc.ini DSN (FreeTDS)",
                    None,
                    None,
                    None,
                    None,
                    UNKNOWN,
                    None,
                ),
            ],
        );
        let lines: Vec<usize> = scan("odbc.ini", text).iter().map(|h| h.line).collect();
        assert_eq!(lines, [4, 10, 16]);
    }

    #[test]
    fn freetds_conf() {
        let text = "\
[global]
    tds version = 7.4
    encryption = require

[orders]
    host = orders.abc.us-east-1.rds.amazonaws.com
    port = 1433
    ca file = /etc/ssl/certs/global-bundle.pem

[nohostcheck]
    host = db2
    ca file = /etc/ssl/certs/global-bundle.pem
    check certificate hostname = no

[plain]
    host = db3
    encryption = off

[old]
    host = db4
    tds version = 7.0

[opportunistic]
    host = db5
    encryption = request
";
        let ca = Some("/etc/ssl/certs/global-bundle.pem");
        check(
            "freetds.conf",
            text,
            &[
                (
                    "freetds.conf",
                    Some("orders.abc.us-east-1.rds.amazonaws.com"),
                    Some(1433),
                    None,
                    None,
                    FULL,
                    ca,
                ),
                ("freetds.conf", Some("db2"), None, None, None, CA_ONLY, ca),
                ("freetds.conf", Some("db3"), None, None, None, PLAIN, None),
                ("freetds.conf", Some("db4"), None, None, None, PLAIN, None),
                (
                    "freetds.conf",
                    Some("db5"),
                    None,
                    None,
                    None,
                    OPPORTUNISTIC,
                    None,
                ),
            ],
        );
        // encryption=require inherited, no CA: encrypted, unverified.
        check(
            "freetds.conf",
            "[global]\nencryption = require\n[s]\nhost = db\n",
            &[(
                "freetds.conf",
                Some("db"),
                None,
                None,
                None,
                NO_VERIFY,
                None,
            )],
        );
    }

    #[test]
    fn lookalikes_are_not_sql_server() {
        let table = [
            (
                "appsettings.json",
                r#""Pg": "Host=db;Port=5432;Database=x;Username=u;Password=hunter2;SSL Mode=VerifyFull""#,
            ),
            (
                "appsettings.json",
                r#""Pg": "Server=db;Port=5432;Database=x;User Id=u;Password=hunter2;SslMode=Require""#,
            ),
            (
                "appsettings.json",
                r#""My": "Server=db;Database=x;Uid=u;Pwd=hunter2;SslMode=VerifyCA;SslCa=/c.pem""#,
            ),
            (
                "appsettings.json",
                r#""Lite": "Data Source=app.db;Cache=Shared""#,
            ),
            (
                "appsettings.json",
                r#""Ora": "Data Source=(DESCRIPTION=(ADDRESS=(PROTOCOL=TCPS)(HOST=o)(PORT=2484)));User Id=u;Password=hunter2""#,
            ),
            (
                "appsettings.json",
                r#""Ora": "Data Source=o:1521/ORCL;User Id=u;Password=hunter2""#,
            ),
            // Plain Server/Database with nothing that says SQL Server.
            ("settings.ini", "conn = Server=db;Database=x;User Id=u"),
            (
                "README.md",
                "Set the server = your host name, and the database name.",
            ),
            (
                "web.config",
                "<!-- <add connectionString=\"Server=tcp:old,1433;Encrypt=False\" /> -->",
            ),
            (
                "app.cs",
                "// var cs = \"Server=tcp:old,1433;Encrypt=False\";",
            ),
        ];
        for (name, text) in table {
            assert_eq!(scan(name, text), Vec::new(), "{name}: {text}");
        }
    }

    #[test]
    fn settings_are_masked_and_start_at_the_first_key() {
        let hits = scan(
            ".env",
            "\n\nCONN=Driver={ODBC Driver 18 for SQL Server};Server=db;PWD={hunter2};Encrypt=no\n",
        );
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].line, 3);
        // ODBC 18 validates a server-forced encryption even with Encrypt=no.
        assert_eq!(
            (hits[0].uses_tls, hits[0].verifies_chain),
            (Fact::Unknown, Fact::Unknown)
        );
        assert_eq!(
            hits[0].setting,
            "Driver={ODBC Driver 18 for SQL Server};Server=db;PWD=****;Encrypt=no"
        );
        // Secrets that hold `;`, braces, quotes or `@`.
        let table = [
            (
                "a.py",
                "cs = 'Driver={ODBC Driver 18 for SQL Server};Server=db;PWD={hun;ter2};Encrypt=yes'",
                "Driver={ODBC Driver 18 for SQL Server};Server=db;PWD=****;Encrypt=yes",
            ),
            (
                "appsettings.json",
                r#""Db": "Server=tcp:db,1433;Initial Catalog=x;Password='hun;ter2';Encrypt=True""#,
                "Server=tcp:db,1433;Initial Catalog=x;Password=****;Encrypt=True",
            ),
            (
                "app.properties",
                "url=jdbc:sqlserver://db:1433;databaseName=x;password={hun;ter2};encrypt=true",
                "jdbc:sqlserver://db:1433;databaseName=x;password=****;encrypt=true",
            ),
            (
                "main.go",
                "dsn := \"sqlserver://app:hun;ter@2@db:1433?database=x&encrypt=true\"",
                "sqlserver://app:****@db:1433?database=x&encrypt=true",
            ),
        ];
        for (name, text, shown) in table {
            let hits = scan(name, text);
            assert_eq!(hits.len(), 1, "{text}");
            assert_eq!(hits[0].setting, shown);
            assert!(!hits[0].setting.contains("ter"), "{}", hits[0].setting);
        }
        // The go-mssqldb URL above is not mistaken for Prisma's `;` form.
        assert_eq!(scan("main.go", table[3].1)[0].stack, "go-mssqldb URL");
    }

    #[test]
    fn placeholders_and_concatenation() {
        check(
            "main.bicep",
            "value: 'Server=${sqlServer.properties.fullyQualifiedDomainName}; Database=${db}; Encrypt=true'",
            &[(
                ADO,
                Some("${sqlServer.properties.fullyQualifiedDomainName}"),
                None,
                None,
                Some("${db}"),
                FULL,
                None,
            )],
        );
        assert!(
            scan(
                "Db.java",
                "String u = \"jdbc:sqlserver://\" + host + \";encrypt=true\";"
            )
            .is_empty()
        );
    }
}
