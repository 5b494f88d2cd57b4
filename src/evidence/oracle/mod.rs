//! Connection settings of Oracle clients: connect descriptors (tnsnames.ora
//! entries, and descriptors inside JDBC URLs, ODP.NET strings, scripts),
//! JDBC thin URLs and EZConnect strings, `sqlnet.ora`, the JDBC
//! `oracle.net.*` properties, and python-oracledb / cx_Oracle calls.
//!
//! FORMATS.md §4.2–4.3: with Oracle Net, TCPS always checks the server's
//! chain against the wallet or trust store, so TCPS = TLS yes, chain yes;
//! the host/DN check happens only with `SSL_SERVER_DN_MATCH=yes` (default
//! `no` up to 19c; reportedly `yes` in 23ai [unconfirmed]), except in
//! python-oracledb's thin mode, whose `ssl_server_dn_match` defaults to True.
//!
//! One file per stack (`jdbc.rs`, `python.rs`, `node.rs`, `descriptor.rs`,
//! `ez_connect.rs`, `sqlnet.rs`), each with its tests; `STACKS` runs them.

use std::sync::LazyLock;

use regex::Regex;
use sslcensus_parsers::Engine;

use super::Fact::{self, No, Unknown, Yes};
use super::facts::{Facts, PLAIN, UNKNOWN};
use super::stack::{self, Found, Reading, Stack};
use super::syntax::calls::calls;
use super::syntax::comment::commented;
use super::syntax::kv::norm_key;
use super::syntax::lex::{Comments, Lex, entry};
use super::syntax::quote::{parse_bool, unquote};
use super::syntax::url::{query_params, split_host_port, url_end};
use super::{ConfigHit, FileCtx};

mod descriptor;
mod ez_connect;
mod jdbc;
mod node;
mod python;
mod sqlnet;
#[cfg(test)]
mod tests;

use descriptor::*;
use ez_connect::*;
use jdbc::*;
use node::*;
use python::*;
use sqlnet::*;

/// Finds Oracle connection settings in one file.
pub fn detect(file: &FileCtx<'_>) -> Vec<ConfigHit> {
    let text = file.text;
    let lower = file.lower();
    let sqlnet = file.name == "sqlnet.ora";
    let interesting = [
        "description",
        "jdbc:oracle",
        "oracle.net.",
        "oracledb",
        "cx_oracle",
        "@tcps://",
        "@tcp://",
    ]
    .iter()
    .any(|w| lower.contains(w));
    if !(interesting || sqlnet) {
        return Vec::new();
    }
    let lines = file.lines();
    let cx = OraCx {
        file,
        props: JdbcProps::find(text),
    };
    let mut found = Found::default();
    stack::run(STACKS, file, &cx, &mut found);
    let (props, mut hits) = (cx.props, found.hits);
    if !sqlnet
        && hits.is_empty()
        && (props.dn_match.is_some() || props.wallet.is_some())
        && let Some((offset, raw)) = &props.first
    {
        // Properties for a URL defined elsewhere.
        let mut hit = ConfigHit::new(
            lines.line(*offset),
            "Oracle JDBC properties",
            Engine::Oracle,
            Facts::new(Unknown, Yes, dn_fact(props.dn_match, No)),
            raw,
        );
        hit.trust_store = props.trust();
        hit.application = props.program.clone();
        hits.push(hit);
    }
    hits.sort_by_key(|h| h.line);
    hits
}

/// Oracle's stacks, in the order they run: the calls first, as they
/// consume the descriptors and EZConnect strings inside them.
static STACKS: &[&dyn Stack<Ora>] = &[
    &JDBC_URLS,
    &PYTHON_CALLS,
    &NODE_CALLS,
    &DESCRIPTORS,
    &EZ_CONNECT_STRINGS,
    &SQLNET_ORA,
];

/// What Oracle's stacks share while reading a file: the file and the JDBC
/// properties in it, and the hits with the text they claimed.
struct Ora;

impl Reading for Ora {
    type Cx<'a> = OraCx<'a>;
    type Hits = Found;
}

struct OraCx<'a> {
    file: &'a FileCtx<'a>,
    props: JdbcProps,
}

fn dn_fact(dn_match: Option<bool>, default: Fact) -> Fact {
    match dn_match {
        Some(true) => Yes,
        Some(false) => No,
        None => default,
    }
}

/// `user/password@` in EZConnect, JDBC thin and sqlplus strings: the
/// shared mask does not know this shape.
fn mask_oracle_userpass(raw: &str) -> String {
    static USERPASS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"([A-Za-z0-9_$#."]+)/([^@\s"'/]+)@"#).expect("userpass pattern compiles")
    });
    USERPASS.replace_all(raw, "$1/****@").into_owned()
}

fn oracle_hit(line: usize, stack: &'static str, facts: Facts, raw: &str) -> ConfigHit {
    ConfigHit::new(
        line,
        stack,
        Engine::Oracle,
        facts,
        &mask_oracle_userpass(raw),
    )
}

/// Host, port and service (or SID) of a setting.
type Address = (Option<String>, Option<u16>, Option<String>);

/// The hit of a setting at `address`, connecting as `user`, whose wallet
/// or trust store is `trust`.
fn hit_at(
    line: usize,
    (stack, facts): (&'static str, Facts),
    raw: &str,
    (host, port, database): Address,
    user: Option<String>,
    trust: Option<String>,
) -> ConfigHit {
    let mut hit = oracle_hit(line, stack, facts, raw);
    (hit.host, hit.port, hit.database) = (host, port, database);
    hit.user = user;
    hit.trust_store = trust;
    hit
}
