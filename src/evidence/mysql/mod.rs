//! Connection settings of MySQL-protocol clients (MySQL, Aurora MySQL,
//! MariaDB): JDBC URLs (Connector/J, MariaDB Connector/J), `mysql://`-style
//! URLs, Go go-sql-driver DSNs, option files (`my.cnf`), Rails
//! `database.yml`, Node mysql/mysql2, Python PyMySQL / Connector/Python /
//! mysqlclient, PHP PDO, mysql/mariadb command lines, and MySqlConnector /
//! Connector/NET connection strings.
//!
//! Semantics follow FORMATS.md §2.3, corrected where the drivers' own source
//! says otherwise (each such place says so). One file per stack (`jdbc.rs`,
//! `uri.rs`, `go.rs`, `option_file.rs`, `rails.rs`, `node.rs`, `python.rs`,
//! `pdo.rs`, `framework.rs`, `cli.rs`, `dotnet.rs`), each with its tests;
//! `STACKS` runs them.

use std::sync::LazyLock;

use regex::Regex;
use sslcensus_parsers::Engine;

use super::Fact::{self, No, Unknown, Yes};
use super::deps::{DriverVersion, Package, eras};
use super::facts::{CA_ONLY, FULL, Facts, NO_VERIFY, OPPORTUNISTIC, PLAIN, UNKNOWN};
use super::stack::{self, Found, Reading, Stack};
use super::syntax::calls::calls;
use super::syntax::comment::commented;
use super::syntax::ini::ini_sections;
use super::syntax::kv::param;
use super::syntax::lex::{Comments, Lex, dict_get, entry, value_items, value_pairs};
use super::syntax::quote::{Literal, parse_bool, unquote};
use super::syntax::url::{UrlParts, live_urls, query_params, split_host_port, url_end};
use super::text::{is_placeholder, shown_lines, unless_cut};
use super::{ConfigHit, FileCtx, Given, given};

mod cli;
mod dotnet;
mod framework;
mod go;
mod jdbc;
mod mysqli;
mod node;
mod node_orm;
mod option_file;
mod pdo;
mod prisma;
mod proxysql;
mod python;
mod rails;
#[cfg(test)]
mod tests;
mod uri;
mod wordpress;

use cli::*;
use dotnet::*;
use framework::*;
use go::*;
use jdbc::*;
use mysqli::*;
use node::*;
use node_orm::*;
use option_file::*;
use pdo::*;
use prisma::*;
use proxysql::*;
use python::*;
use rails::*;
use uri::*;
use wordpress::*;

/// Finds MySQL-family connection settings in one file.
pub fn detect(file: &FileCtx<'_>) -> Vec<ConfigHit> {
    if !(mentions(file)
        || go_dsn(file)
        || is_option_file(file.name)
        || is_wp_config(file)
        || dotnet_candidate(file))
    {
        return Vec::new();
    }
    stack::hits(STACKS, file, file)
}

/// MySQL's and MariaDB's stacks, in the order they run.
static STACKS: &[&dyn Stack<My>] = &[
    &JDBC_URLS,
    // Before the URLs: the URL an ORM call takes is the call's.
    &NODE_ORMS,
    &PLAIN_URLS,
    &RAILS_YAML,
    &NODE_CONFIGS,
    &PRISMA,
    &PYTHON_CALLS,
    &PHP_PDO,
    &PHP_MYSQLI,
    &WORDPRESS,
    &FRAMEWORK_SETTINGS,
    &PROXYSQL,
    &GO_DSNS,
    &OPTION_GROUPS,
    &CLIENT_COMMANDS,
    &DOTNET_STRINGS,
];

/// What MySQL's stacks share while reading a file: the file, and the hits
/// with the text they claimed.
struct My;

impl Reading for My {
    type Cx<'a> = FileCtx<'a>;
    type Hits = Found;
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
// Shared by the Node, Python and framework stacks
// ---------------------------------------------------------------------------

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

/// Whether an argument list's or object literal's items spread another
/// one in (`**config`, `...base`).
fn has_spread(items: &[&str], marker: &str) -> bool {
    items.iter().any(|item| item.starts_with(marker))
}

/// Fills the hit's host, port, user and database from a call's or object's
/// entries: each the unquoted value of the first of its `keys` that `get`
/// finds.
fn set_place<'a>(hit: &mut ConfigHit, get: impl Fn(&str) -> Option<&'a str>, keys: [&[&str]; 4]) {
    let [host, port, user, database] =
        keys.map(|keys| keys.iter().find_map(|k| get(k)).map(unquote));
    hit.host = host.map(str::to_string);
    hit.port = port.and_then(|p| p.parse().ok());
    hit.user = user.map(str::to_string);
    hit.database = database.map(str::to_string);
}
