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

use std::sync::LazyLock;

use regex::Regex;
use sslcensus_parsers::Engine;

use super::Fact::{self, No, Unknown, Yes};
use super::facts::{Facts, PLAIN, UNKNOWN};
use super::stack::{self, Reading, Row, Stack};
use super::syntax::comment::commented;
use super::syntax::kv::norm_key;
use super::syntax::lex::{matching_close, pairs, split_top_level};
use super::syntax::lines::Lines;
use super::syntax::quote::{parse_bool, unquote};
use super::syntax::url::{query_params, split_host_port, url_end};
use super::{ConfigHit, FileCtx};

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
        hit.trust_store = props.wallet.clone().or_else(|| props.trust_store.clone());
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
/// properties in it, and the hits with the ranges consumed.
struct Ora;

impl Reading for Ora {
    type Cx<'a> = OraCx<'a>;
    type Hits = Found;
}

struct OraCx<'a> {
    file: &'a FileCtx<'a>,
    props: JdbcProps,
}

#[derive(Default)]
struct Found {
    hits: Vec<ConfigHit>,
    /// Byte ranges a call reported, which later stacks pass over.
    consumed: Vec<(usize, usize)>,
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

// ---------------------------------------------------------------------------
// Connect descriptors
// ---------------------------------------------------------------------------

static DESCRIPTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\(\s*description\s*=").expect("descriptor pattern compiles"));

/// A parsed `(KEY=value)` / `(KEY=(…)(…))` node.
#[derive(Debug, Default)]
struct Node {
    key: String,
    value: Option<String>,
    children: Vec<Node>,
}

impl Node {
    /// Every descendant (and self) named `key`, depth first.
    fn all<'n>(&'n self, key: &str, out: &mut Vec<&'n Node>) {
        if self.key == key {
            out.push(self);
        }
        for c in &self.children {
            c.all(key, out);
        }
    }

    fn find(&self, key: &str) -> Option<&Node> {
        let mut out = Vec::new();
        self.all(key, &mut out);
        out.into_iter().next()
    }

    fn value_of(&self, key: &str) -> Option<&str> {
        self.find(key).and_then(|n| n.value.as_deref())
    }
}

/// Parses one parenthesized node; `#` comment lines are skipped.
fn parse_node(s: &[u8], i: &mut usize) -> Option<Node> {
    skip_space(s, i);
    if s.get(*i) != Some(&b'(') {
        return None;
    }
    *i += 1;
    let key_start = *i;
    while *i < s.len() && !matches!(s[*i], b'=' | b')' | b'(') {
        *i += 1;
    }
    let key = String::from_utf8_lossy(&s[key_start..*i])
        .trim()
        .to_ascii_uppercase();
    let mut node = Node {
        key,
        ..Node::default()
    };
    if s.get(*i) == Some(&b'=') {
        *i += 1;
        skip_space(s, i);
        if s.get(*i) == Some(&b'(') {
            while let Some(child) = parse_node(s, i) {
                node.children.push(child);
                skip_space(s, i);
            }
        } else {
            let value_start = *i;
            let mut quote = None;
            while *i < s.len() {
                match (s[*i], quote) {
                    (b'"', None) => quote = Some(b'"'),
                    (b'"', Some(_)) => quote = None,
                    // A value never spans lines: an unclosed one ends here.
                    (b')' | b'\n', None) => break,
                    _ => {}
                }
                *i += 1;
            }
            let value = String::from_utf8_lossy(&s[value_start..*i])
                .trim()
                .to_string();
            node.value = Some(unquote(&value).to_string());
        }
    }
    skip_space(s, i);
    if s.get(*i) == Some(&b')') {
        *i += 1;
    }
    Some(node)
}

fn skip_space(s: &[u8], i: &mut usize) {
    loop {
        while *i < s.len() && s[*i].is_ascii_whitespace() {
            *i += 1;
        }
        // A comment line inside a multi-line entry.
        if s.get(*i) == Some(&b'#')
            && (*i == 0
                || s[..*i]
                    .iter()
                    .rev()
                    .take_while(|b| **b != b'\n')
                    .all(u8::is_ascii_whitespace))
        {
            while *i < s.len() && s[*i] != b'\n' {
                *i += 1;
            }
            continue;
        }
        break;
    }
}

/// What a descriptor says.
struct Descriptor {
    host: Option<String>,
    port: Option<u16>,
    database: Option<String>,
    facts: Facts,
    wallet: Option<String>,
}

fn read_descriptor(node: &Node, dn_default: Fact) -> Descriptor {
    let mut addresses = Vec::new();
    node.all("ADDRESS", &mut addresses);
    let protocols: Vec<String> = addresses
        .iter()
        .filter_map(|a| a.value_of("PROTOCOL"))
        .map(str::to_ascii_lowercase)
        .collect();
    // Plaintext protocols; anything else unrecognized (a template,
    // `' + protocol + '`) decides nothing.
    let plain = |p: &String| matches!(p.as_str(), "tcp" | "ipc" | "beq" | "sdp" | "nmp");
    let tls = if protocols.is_empty() {
        Unknown
    } else if protocols.iter().all(|p| p == "tcps") {
        Yes
    } else if protocols.iter().all(plain) {
        No
    } else {
        // A list mixing TCP and TCPS (which address answers decides), or
        // an unreadable value.
        Unknown
    };
    let first = addresses.iter().find(|a| a.value_of("HOST").is_some());
    let security = node.find("SECURITY");
    let dn_match = security
        .and_then(|s| s.value_of("SSL_SERVER_DN_MATCH"))
        .and_then(parse_bool);
    let wallet = security.and_then(|s| {
        s.value_of("MY_WALLET_DIRECTORY")
            .or_else(|| s.value_of("WALLET_LOCATION"))
    });
    let facts = if tls == No {
        PLAIN
    } else {
        Facts::new(tls, Yes, dn_fact(dn_match, dn_default))
    };
    let connect = node.find("CONNECT_DATA");
    Descriptor {
        host: first
            .and_then(|a| a.value_of("HOST"))
            // `' + host + '` is code, not a host.
            .filter(|h| !h.contains(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '+')))
            .map(|h| {
                h.strip_prefix('[')
                    .and_then(|h| h.strip_suffix(']'))
                    .unwrap_or(h)
                    .to_string()
            }),
        port: first
            .and_then(|a| a.value_of("PORT"))
            .and_then(|p| p.trim().parse().ok()),
        database: connect
            .and_then(|c| c.value_of("SERVICE_NAME").or_else(|| c.value_of("SID")))
            .map(str::to_string),
        facts,
        wallet: wallet.map(str::to_string),
    }
}

/// The descriptor starting at `open` (a `(`): its end and parse.
fn descriptor_at(text: &str, open: usize) -> Option<(usize, Node)> {
    let mut i = open;
    let node = parse_node(text.as_bytes(), &mut i)?;
    // Prose like "(description = …)" has no address.
    let mut addresses = Vec::new();
    node.all("ADDRESS", &mut addresses);
    (node.key == "DESCRIPTION" && !addresses.is_empty()).then_some((i, node))
}

static DESCRIPTORS: Row<Ora> = Row {
    name: "connect descriptors",
    // Every file `detect` lets through.
    wants: |_| true,
    detect: |cx, found| {
        let file = cx.file;
        descriptors(
            file.text,
            file.name.ends_with(".ora"),
            file.lines(),
            &found.consumed,
            &mut found.hits,
        )
    },
};

fn descriptors(
    text: &str,
    ora_file: bool,
    lines: &Lines,
    consumed: &[(usize, usize)],
    hits: &mut Vec<ConfigHit>,
) {
    let mut done_until = 0;
    for m in DESCRIPTION.find_iter(text) {
        let at = m.start();
        if at < done_until
            || consumed.iter().any(|&(s, e)| s <= at && at < e)
            || commented(text, at)
        {
            continue;
        }
        let Some((end, node)) = descriptor_at(text, at) else {
            continue;
        };
        done_until = end;
        let d = read_descriptor(&node, No);
        // The entry name: `ALIAS =` before the descriptor, at a line start.
        let (start, stack) = match entry_name(text, at) {
            Some(name_at) if ora_file => (name_at, "tnsnames.ora entry"),
            _ => (at, "Oracle connect descriptor"),
        };
        let shown: Vec<&str> = text[start..end]
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect();
        let mut hit = oracle_hit(lines.line(start), stack, d.facts, &shown.join(" "));
        hit.host = d.host;
        hit.port = d.port;
        hit.database = d.database;
        hit.trust_store = d.wallet;
        hit.user = odp_user(text, end);
        hits.push(hit);
    }
}

/// `ORCL_TLS =` (possibly on the line above) before the descriptor at `at`.
fn entry_name(text: &str, at: usize) -> Option<usize> {
    let before = text[..at].trim_end();
    let before = before.strip_suffix('=')?.trim_end();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let name = &before[line_start..];
    let ok = !name.is_empty()
        && !name.starts_with(char::is_whitespace)
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b',' | b' '));
    ok.then_some(line_start)
}

/// ODP.NET: `Data Source=(DESCRIPTION=…);User Id=app;Password=…`.
fn odp_user(text: &str, end: usize) -> Option<String> {
    let rest = text[end..].strip_prefix(';')?;
    let stop = rest.find(['"', '\'', '\n']).unwrap_or(rest.len());
    rest[..stop]
        .split(';')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| matches!(norm_key(k).as_str(), "userid" | "uid" | "user"))
        .map(|(_, v)| v.trim().to_string())
}

// ---------------------------------------------------------------------------
// JDBC thin (and OCI) URLs, and the oracle.net.* properties
// ---------------------------------------------------------------------------

static JDBC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)jdbc:(?:aws-wrapper:)?oracle:(?:thin|oci8?|kprb)?:")
        .expect("JDBC pattern compiles")
});

/// `oracle.net.ssl_server_dn_match`, `oracle.net.wallet_location`,
/// `javax.net.ssl.trustStore` set in the same file (properties, `-D`
/// flags, Spring `data-source-properties`, `setProperty` calls).
#[derive(Debug, Default)]
struct JdbcProps {
    dn_match: Option<bool>,
    wallet: Option<String>,
    trust_store: Option<String>,
    /// `v$session.program`: the program name the session reports.
    program: Option<String>,
    /// The first Oracle-specific one: offset and text.
    first: Option<(usize, String)>,
}

impl JdbcProps {
    fn find(text: &str) -> JdbcProps {
        static PROP: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(
                r#"(?i)(oracle\.net\.ssl_server_dn_match|oracle\.net\.wallet_location|javax\.net\.ssl\.truststore|v\$session\.program)(?-u:\b)["']?\s*(?:=|:|,|>)\s*["']?"#,
            )
            .expect("property pattern compiles")
        });
        let mut props = JdbcProps::default();
        for c in PROP.captures_iter(text) {
            let whole = c.get(0).expect("match");
            if commented(text, whole.start()) {
                continue;
            }
            let value = if text[whole.end()..].starts_with('(') {
                matching_close(text, whole.end(), false).map(|e| &text[whole.end()..=e])
            } else {
                let rest = &text[whole.end()..];
                let stop = rest
                    .find(|c: char| {
                        c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ',' | ';' | ')')
                    })
                    .unwrap_or(rest.len());
                Some(&rest[..stop])
            };
            let Some(value) = value.filter(|v| !v.is_empty()) else {
                continue;
            };
            let key = c[1].to_ascii_lowercase();
            if key.ends_with("dn_match") {
                props.dn_match = parse_bool(value).or(props.dn_match);
            } else if key.ends_with("wallet_location") {
                props.wallet = Some(wallet_directory(value));
            } else if key.ends_with("program") {
                props.program = Some(value.to_string());
                continue;
            } else {
                props.trust_store = Some(value.to_string());
                continue;
            }
            let line_end = text[whole.start()..]
                .find('\n')
                .map_or(text.len(), |i| whole.start() + i);
            props
                .first
                .get_or_insert_with(|| (whole.start(), text[whole.start()..line_end].to_string()));
        }
        props
    }
}

/// `(SOURCE=(METHOD=FILE)(METHOD_DATA=(DIRECTORY=/w)))` → `/w`; a path as is.
fn wallet_directory(value: &str) -> String {
    let v = value.trim();
    if v.starts_with('(') {
        let mut i = 0;
        if let Some(node) = parse_node(v.as_bytes(), &mut i)
            && let Some(dir) = node.value_of("DIRECTORY")
        {
            return dir.to_string();
        }
    }
    unquote(v).to_string()
}

static JDBC_URLS: Row<Ora> = Row {
    name: "JDBC URLs",
    // Every file `detect` lets through.
    wants: |_| true,
    detect: |cx, found| {
        let file = cx.file;
        jdbc_urls(
            file.text,
            file.lines(),
            &cx.props,
            &mut found.consumed,
            &mut found.hits,
        )
    },
};

fn jdbc_urls(
    text: &str,
    lines: &Lines,
    props: &JdbcProps,
    consumed: &mut Vec<(usize, usize)>,
    hits: &mut Vec<ConfigHit>,
) {
    for m in JDBC.find_iter(text) {
        if commented(text, m.start()) {
            continue;
        }
        let rest_start = m.end();
        let Some(at) = text[rest_start..].find('@').map(|i| rest_start + i) else {
            continue;
        };
        let userinfo = &text[rest_start..at];
        if userinfo.contains(char::is_whitespace) || userinfo.contains(['"', '\'']) {
            continue;
        }
        let user = userinfo
            .split('/')
            .next()
            .filter(|u| !u.is_empty())
            .map(str::to_string);
        let body_start = at + 1;
        let line = lines.line(m.start());
        if text[body_start..].trim_start().starts_with('(') {
            let open =
                body_start + (text[body_start..].len() - text[body_start..].trim_start().len());
            let Some((end, node)) = descriptor_at(text, open) else {
                continue;
            };
            consumed.push((m.start(), end));
            let d = read_descriptor(&node, dn_fact(props.dn_match, No));
            let mut hit = oracle_hit(line, "JDBC Oracle thin", d.facts, &text[m.start()..end]);
            hit.host = d.host;
            hit.port = d.port;
            hit.user = user;
            hit.database = d.database;
            hit.trust_store = d
                .wallet
                .or_else(|| props.wallet.clone())
                .or_else(|| props.trust_store.clone());
            hit.application = props.program.clone();
            hits.push(hit);
            continue;
        }
        let end = url_end(text, m.start(), body_start);
        consumed.push((m.start(), end));
        let ez = EzConnect::parse(&text[body_start..end]);
        let params = query_params(ez.query);
        let dn_match = params
            .iter()
            .rev()
            .find(|(k, _)| k.ends_with("sslserverdnmatch"))
            .and_then(|(_, v)| parse_bool(v))
            .or(props.dn_match);
        let facts = match ez.protocol.as_deref() {
            Some("tcps") => Facts::new(Yes, Yes, dn_fact(dn_match, No)),
            Some(_) => PLAIN,
            // `@alias`: the protocol is in a tnsnames.ora elsewhere.
            None if ez.alias => UNKNOWN,
            None => PLAIN,
        };
        let wallet = params
            .iter()
            .rev()
            .find(|(k, _)| k.ends_with("walletlocation") || k.ends_with("truststore"))
            .map(|(_, v)| wallet_directory(v));
        let mut hit = oracle_hit(line, "JDBC Oracle thin", facts, &text[m.start()..end]);
        hit.host = ez.host;
        hit.port = ez.port;
        hit.user = user;
        hit.database = ez.service;
        hit.trust_store = wallet
            .or_else(|| props.wallet.clone())
            .or_else(|| props.trust_store.clone());
        hit.application = props.program.clone();
        hits.push(hit);
    }
}

/// `[tcps://]host[:port][/service][?params]`, `//host:port/service`,
/// `host:port:SID`, or a TNS alias.
#[derive(Debug, Default)]
struct EzConnect<'a> {
    protocol: Option<String>,
    host: Option<String>,
    port: Option<u16>,
    service: Option<String>,
    query: &'a str,
    alias: bool,
}

impl<'a> EzConnect<'a> {
    fn parse(s: &'a str) -> EzConnect<'a> {
        let (body, query) = s.split_once('?').unwrap_or((s, ""));
        let (protocol, body) = match body.split_once("://") {
            Some((p, rest)) => (Some(p.to_ascii_lowercase()), rest),
            None => (None, body.strip_prefix("//").unwrap_or(body)),
        };
        // `awss3://`, `azure://`, `config-file://`: a centralized
        // configuration provider, not an address.
        if protocol
            .as_deref()
            .is_some_and(|p| p != "tcp" && p != "tcps")
        {
            return EzConnect {
                query,
                alias: true,
                ..EzConnect::default()
            };
        }
        let explicit = protocol.is_some() || s.starts_with("//");
        let (hostport, service) = match body.split_once('/') {
            Some((h, svc)) => (
                h,
                Some(svc.split([':', '/']).next().unwrap_or(svc).to_string()),
            ),
            None => (body, None),
        };
        let (host, port, service) = if service.is_none() && !explicit {
            // host:port:SID, or an alias.
            let parts: Vec<&str> = hostport.rsplitn(3, ':').collect();
            match parts.as_slice() {
                [sid, port, host] if port.parse::<u16>().is_ok() => (
                    Some(host.to_string()),
                    port.parse().ok(),
                    Some(sid.to_string()),
                ),
                _ => {
                    let (h, p) = split_host_port(hostport);
                    if p.is_none() {
                        return EzConnect {
                            query,
                            alias: true,
                            ..EzConnect::default()
                        };
                    }
                    (h, p, None)
                }
            }
        } else {
            let (h, p) = split_host_port(hostport);
            (h, p, service)
        };
        EzConnect {
            protocol: protocol.or(Some("tcp".to_string())),
            host,
            port,
            service: service.filter(|s| !s.is_empty()),
            query,
            alias: false,
        }
    }
}

static EZ_CONNECT_STRINGS: Row<Ora> = Row {
    name: "EZConnect strings",
    // Every file `detect` lets through.
    wants: |_| true,
    detect: |cx, found| {
        let file = cx.file;
        ez_connect(file.text, file.lines(), &found.consumed, &mut found.hits)
    },
};

/// `sqlplus app/…@tcps://host:2484/svc` and the like outside JDBC URLs.
fn ez_connect(text: &str, lines: &Lines, consumed: &[(usize, usize)], hits: &mut Vec<ConfigHit>) {
    static EZ: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)@(tcps?)://").expect("EZConnect pattern compiles"));
    for m in EZ.find_iter(text) {
        let at = m.start();
        if consumed.iter().any(|&(s, e)| s <= at && at < e) || commented(text, at) {
            continue;
        }
        let start = text[..at]
            .rfind(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '=' | '('))
            .map_or(0, |i| i + 1);
        let end = url_end(text, start, m.end());
        let ez = EzConnect::parse(&text[at + 1..end]);
        let dn = query_params(ez.query)
            .iter()
            .rev()
            .find(|(k, _)| k.ends_with("sslserverdnmatch"))
            .and_then(|(_, v)| parse_bool(v));
        let facts = if ez.protocol.as_deref() == Some("tcps") {
            Facts::new(Yes, Yes, dn_fact(dn, No))
        } else {
            PLAIN
        };
        let mut hit = oracle_hit(
            lines.line(start),
            "Oracle EZConnect",
            facts,
            &text[start..end],
        );
        hit.host = ez.host;
        hit.port = ez.port;
        hit.database = ez.service;
        hit.user = text[start..at]
            .split('/')
            .next()
            .filter(|u| !u.is_empty())
            .map(str::to_string);
        hits.push(hit);
    }
}

// ---------------------------------------------------------------------------
// python-oracledb and cx_Oracle
// ---------------------------------------------------------------------------

static PY_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)(oracledb|cx_Oracle)\.(connect|create_pool|SessionPool|Connection|ConnectParams)\s*\(",
    )
    .expect("Python pattern compiles")
});

static PYTHON_CALLS: Row<Ora> = Row {
    name: "python-oracledb and cx_Oracle calls",
    // Every file `detect` lets through.
    wants: |_| true,
    detect: |cx, found| {
        let file = cx.file;
        python_calls(
            file.text,
            file.lower(),
            file.lines(),
            &mut found.consumed,
            &mut found.hits,
        )
    },
};

fn python_calls(
    text: &str,
    lower: &str,
    lines: &Lines,
    consumed: &mut Vec<(usize, usize)>,
    hits: &mut Vec<ConfigHit>,
) {
    // python-oracledb runs in thin mode unless init_oracle_client() is called;
    // thin mode checks the DN by default, thick mode (and cx_Oracle) reads
    // sqlnet.ora, whose default is no.
    let thick = lower.contains("init_oracle_client");
    for m in PY_CALL.captures_iter(text) {
        let whole = m.get(0).expect("match");
        if commented(text, whole.start()) {
            continue;
        }
        let open = whole.end() - 1;
        let Some(close) = matching_close(text, open, true) else {
            continue;
        };
        let args = &text[open + 1..close];
        if args.trim().is_empty() {
            continue; // `oracledb.connect()` in prose, or all from the environment
        }
        let kwargs = pairs(args, "=", true);
        let all_args = split_top_level(args, b',', true);
        let spread = all_args.iter().any(|a| a.starts_with("**"));
        let get = |k: &str| {
            kwargs
                .iter()
                .find(|(key, _)| key.as_str() == k)
                .map(|(_, v)| unquote(v))
        };
        let thin = &m[1] == "oracledb" && !thick;
        let dn_default = Fact::from(thin);
        // The DSN: `dsn=`, positional (user, password, dsn), or one
        // positional "user/pass@dsn" / "dsn" string.
        let positional: Vec<&str> = all_args
            .iter()
            .filter(|a| !a.contains('=') || a.starts_with(['"', '\'']))
            .map(|a| unquote(a))
            .collect();
        let (positional_user, positional_dsn) = match positional.as_slice() {
            [user, _, dsn, ..] => (Some(*user), Some(*dsn)),
            [one] => match one.split_once('@') {
                Some((up, dsn)) => (Some(up.split('/').next().unwrap_or(up)), Some(dsn)),
                None => (None, Some(*one)),
            },
            _ => (None, None),
        };
        let dsn = get("dsn").or(positional_dsn);
        if dsn.is_some_and(|d| d.to_ascii_uppercase().contains("(DESCRIPTION")) {
            continue; // the descriptor detector reports it
        }
        let dn_kw = get("ssl_server_dn_match").and_then(parse_bool);
        let (protocol, host, port, service) = match dsn {
            Some(dsn) => {
                let ez = EzConnect::parse(dsn);
                if ez.alias {
                    (None, None, None, None)
                } else {
                    (ez.protocol, ez.host, ez.port, ez.service)
                }
            }
            // Neither a DSN nor a host: from elsewhere (a spread dict, the
            // environment, a params object).
            None if get("host").is_none() && get("protocol").is_none() => (None, None, None, None),
            None if spread && get("protocol").is_none() => {
                (None, get("host").map(str::to_string), None, None)
            }
            None => (
                get("protocol")
                    .map(str::to_ascii_lowercase)
                    .or(Some("tcp".to_string())),
                get("host").map(str::to_string),
                get("port").and_then(|p| p.parse().ok()),
                get("service_name")
                    .or_else(|| get("sid"))
                    .map(str::to_string),
            ),
        };
        let facts = match protocol.as_deref() {
            Some("tcps") => Facts::new(Yes, Yes, dn_fact(dn_kw, dn_default)),
            Some("tcp" | "ipc" | "beq") => PLAIN,
            // `protocol=os.environ["DB_PROTOCOL"]`.
            Some(_) | None => UNKNOWN,
        };
        let stack = if &m[1] == "cx_Oracle" {
            "Python cx_Oracle"
        } else {
            "Python oracledb"
        };
        consumed.push((whole.start(), close));
        // Positional arguments after the first may be the password.
        let shown: Vec<&str> = all_args
            .iter()
            .enumerate()
            .map(|(i, a)| if i == 0 || a.contains('=') { *a } else { "…" })
            .collect();
        let raw = format!("{}({})", &text[whole.start()..open], shown.join(", "));
        let mut hit = oracle_hit(lines.line(whole.start()), stack, facts, &raw);
        hit.host = host;
        hit.port = port;
        hit.database = service;
        hit.user = get("user").or(positional_user).map(str::to_string);
        hit.trust_store = get("wallet_location")
            .or_else(|| get("config_dir"))
            .map(str::to_string);
        hits.push(hit);
    }
}

// ---------------------------------------------------------------------------
// node-oracledb
// ---------------------------------------------------------------------------

static NODE_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\boracledb\.(getConnection|createPool)\s*\(\s*\{").expect("Node pattern compiles")
});

static NODE_CALLS: Row<Ora> = Row {
    name: "node-oracledb calls",
    // Every file `detect` lets through.
    wants: |_| true,
    detect: |cx, found| {
        let file = cx.file;
        node_calls(
            file.text,
            file.lower(),
            file.lines(),
            &mut found.consumed,
            &mut found.hits,
        )
    },
};

/// node-oracledb: thin mode (the default unless `initOracleClient()` is
/// called) checks the DN by default (`sslServerDNMatch`), thick mode reads
/// sqlnet.ora.
fn node_calls(
    text: &str,
    lower: &str,
    lines: &Lines,
    consumed: &mut Vec<(usize, usize)>,
    hits: &mut Vec<ConfigHit>,
) {
    let thick = lower.contains("initoracleclient");
    for m in NODE_CALL.find_iter(text) {
        if commented(text, m.start()) {
            continue;
        }
        let open = m.end() - 1;
        let Some(close) = matching_close(text, open, false) else {
            continue;
        };
        let entries = pairs(&text[open + 1..close], ":", false);
        let get = |k: &str| {
            entries
                .iter()
                .find(|(key, _)| key.as_str() == k)
                .map(|(_, v)| unquote(v))
        };
        let Some(cs) = get("connectString").or_else(|| get("connectionString")) else {
            continue;
        };
        if cs.to_ascii_uppercase().contains("(DESCRIPTION") {
            continue; // the descriptor detector reports it
        }
        let ez = EzConnect::parse(cs);
        let dn = get("sslServerDNMatch").and_then(parse_bool);
        let facts = match ez.protocol.as_deref() {
            _ if ez.alias => UNKNOWN,
            Some("tcps") => Facts::new(Yes, Yes, dn_fact(dn, if thick { No } else { Yes })),
            _ => PLAIN,
        };
        consumed.push((m.start(), close));
        let mut hit = oracle_hit(
            lines.line(m.start()),
            "Node oracledb",
            facts,
            &text[m.start()..=close],
        );
        hit.host = ez.host;
        hit.port = ez.port;
        hit.database = ez.service;
        hit.user = get("user").map(str::to_string);
        hit.trust_store = get("walletLocation")
            .or_else(|| get("configDir"))
            .map(str::to_string);
        hits.push(hit);
    }
}

// ---------------------------------------------------------------------------
// sqlnet.ora
// ---------------------------------------------------------------------------

/// `NAME = value` parameters; continuation lines start with whitespace.
fn ora_params(text: &str) -> Vec<(usize, String, String)> {
    let mut params: Vec<(usize, String, String)> = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            offset += raw.len();
            continue;
        }
        if line.starts_with(char::is_whitespace) || line.starts_with(')') {
            if let Some(last) = params.last_mut() {
                last.2.push(' ');
                last.2.push_str(trimmed);
            }
        } else if let Some((k, v)) = line.split_once('=') {
            params.push((offset, k.trim().to_ascii_uppercase(), v.trim().to_string()));
        }
        offset += raw.len();
    }
    params
}

static SQLNET_ORA: Row<Ora> = Row {
    name: "sqlnet.ora",
    wants: |file| file.name == "sqlnet.ora",
    detect: |cx, found| {
        let file = cx.file;
        sqlnet_ora(file.text, file.lines(), &mut found.hits)
    },
};

fn sqlnet_ora(text: &str, lines: &Lines, hits: &mut Vec<ConfigHit>) {
    let params = ora_params(text);
    let relevant: Vec<&(usize, String, String)> = params
        .iter()
        .filter(|(_, k, v)| {
            k.starts_with("SSL_")
                || k == "WALLET_LOCATION"
                || (k == "SQLNET.AUTHENTICATION_SERVICES"
                    && v.to_ascii_uppercase().contains("TCPS"))
        })
        .collect();
    let Some(first) = relevant.first() else {
        return;
    };
    let get = |key: &str| {
        relevant
            .iter()
            .rev()
            .find(|(_, k, _)| k == key)
            .map(|(_, _, v)| v.as_str())
    };
    let dn = get("SSL_SERVER_DN_MATCH").and_then(parse_bool);
    let shown: Vec<String> = relevant
        .iter()
        .map(|(_, k, v)| format!("{k} = {v}"))
        .collect();
    // Whether TCPS is used is up to tnsnames.ora; when it is, the chain is
    // checked against this wallet.
    let mut hit = oracle_hit(
        lines.line(first.0),
        "sqlnet.ora",
        Facts::new(Unknown, Yes, dn_fact(dn, No)),
        &shown.join("; "),
    );
    hit.trust_store = get("WALLET_LOCATION").map(wallet_directory);
    hits.push(hit);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::facts::{CA_ONLY, FULL};
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
        let hits = scan(name, text);
        assert!(hits.iter().all(|h| h.engine == Engine::Oracle), "{hits:#?}");
        let got: Vec<Expect<'_>> = hits.iter().map(testing::seen).collect();
        assert_eq!(got, expected, "\n{name}:\n{text}");
        testing::assert_masked(&hits, "hunter2");
    }

    const TNS: &str = "tnsnames.ora entry";
    const THIN: &str = "JDBC Oracle thin";

    #[test]
    fn tnsnames_entries() {
        let text = "\
# tnsnames.ora for the app
ORCL_TLS =
  (DESCRIPTION =
    (ADDRESS = (PROTOCOL = TCPS)(HOST = orcl.abc.us-east-1.rds.amazonaws.com)(PORT = 2484))
    # (ADDRESS = (PROTOCOL = TCP)(HOST = old)(PORT = 1521))
    (CONNECT_DATA =
      (SERVER = DEDICATED)
      (SERVICE_NAME = ORCL)
    )
    (SECURITY =
      (SSL_SERVER_DN_MATCH = yes)
      (SSL_SERVER_CERT_DN = \"CN=orcl.abc.us-east-1.rds.amazonaws.com,OU=RDS,O=Amazon.com,L=Seattle,ST=Washington,C=US\")
      (MY_WALLET_DIRECTORY = /opt/oracle/wallet)
    )
  )

ORCL_PLAIN = (DESCRIPTION=(ADDRESS=(PROTOCOL=tcp)(HOST=orcl)(PORT=1521))(CONNECT_DATA=(SID=ORCL)))

orcl_tcps.world, ORCL_ALT=(description=(address=(protocol=tcps)(host=[::1])(port=2484))(connect_data=(service_name=svc)))

ORCL_HA =
  (DESCRIPTION =
    (ADDRESS_LIST =
      (ADDRESS = (PROTOCOL = TCP)(HOST = a)(PORT = 1521))
      (ADDRESS = (PROTOCOL = TCPS)(HOST = b)(PORT = 2484))
    )
    (CONNECT_DATA = (SERVICE_NAME = HA))
    (SECURITY = (SSL_SERVER_DN_MATCH = FALSE))
  )
";
        check(
            "tnsnames.ora",
            text,
            &[
                (
                    TNS,
                    Some("orcl.abc.us-east-1.rds.amazonaws.com"),
                    Some(2484),
                    None,
                    Some("ORCL"),
                    FULL,
                    Some("/opt/oracle/wallet"),
                ),
                (
                    TNS,
                    Some("orcl"),
                    Some(1521),
                    None,
                    Some("ORCL"),
                    PLAIN,
                    None,
                ),
                (
                    TNS,
                    Some("::1"),
                    Some(2484),
                    None,
                    Some("svc"),
                    CA_ONLY,
                    None,
                ),
                (
                    TNS,
                    Some("a"),
                    Some(1521),
                    None,
                    Some("HA"),
                    Facts::new(Unknown, Yes, No),
                    None,
                ),
            ],
        );
        let hits = scan("tnsnames.ora", text);
        assert_eq!(
            hits.iter().map(|h| h.line).collect::<Vec<_>>(),
            [2, 17, 19, 21]
        );
        assert!(
            hits[0]
                .setting
                .starts_with("ORCL_TLS = (DESCRIPTION = (ADDRESS = (PROTOCOL = TCPS)"),
            "{}",
            hits[0].setting
        );
        assert!(
            !hits[0].setting.contains("old"),
            "comment lines are dropped? {}",
            hits[0].setting
        );
    }

    #[test]
    fn descriptors_elsewhere() {
        let table: &[(&str, &str, Expect<'_>)] = &[
            (
                "connect.js",
                "const cs = '(DESCRIPTION=(ADDRESS=(PROTOCOL=' + protocol + ')(HOST=' + host + ')(PORT=1521))(CONNECT_DATA=(SERVICE_NAME=S)))';",
                (
                    "Oracle connect descriptor",
                    None,
                    Some(1521),
                    None,
                    Some("S"),
                    Facts::new(Unknown, Yes, No),
                    None,
                ),
            ),
            (
                "appsettings.json",
                r#""Ora": "Data Source=(DESCRIPTION=(ADDRESS=(PROTOCOL=TCPS)(HOST=o)(PORT=2484))(CONNECT_DATA=(SERVICE_NAME=S)));User Id=app;Password=hunter2""#,
                (
                    "Oracle connect descriptor",
                    Some("o"),
                    Some(2484),
                    Some("app"),
                    Some("S"),
                    CA_ONLY,
                    None,
                ),
            ),
            (
                "application.properties",
                "spring.datasource.url=jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(PROTOCOL=TCPS)(HOST=o)(PORT=2484))(CONNECT_DATA=(SERVICE_NAME=S))(SECURITY=(SSL_SERVER_DN_MATCH=TRUE)))",
                (THIN, Some("o"), Some(2484), None, Some("S"), FULL, None),
            ),
            (
                "db.py",
                "conn = oracledb.connect(user='app', password='hunter2', dsn='(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=o)(PORT=1521))(CONNECT_DATA=(SERVICE_NAME=S)))')",
                (
                    "Oracle connect descriptor",
                    Some("o"),
                    Some(1521),
                    None,
                    Some("S"),
                    PLAIN,
                    None,
                ),
            ),
        ];
        for (name, text, expected) in table {
            check(name, text, std::slice::from_ref(expected));
        }
    }

    #[test]
    fn jdbc_thin_urls() {
        let table: &[(&str, Expect<'_>)] = &[
            (
                "url=jdbc:oracle:thin:@tcps://orcl.abc.us-east-1.rds.amazonaws.com:2484/ORCL",
                (
                    THIN,
                    Some("orcl.abc.us-east-1.rds.amazonaws.com"),
                    Some(2484),
                    None,
                    Some("ORCL"),
                    CA_ONLY,
                    None,
                ),
            ),
            (
                "url=jdbc:oracle:thin:@tcps://o:2484/S?oracle.net.ssl_server_dn_match=true&wallet_location=/w",
                (
                    THIN,
                    Some("o"),
                    Some(2484),
                    None,
                    Some("S"),
                    FULL,
                    Some("/w"),
                ),
            ),
            (
                "url=jdbc:oracle:thin:@o:1521:ORCL",
                (THIN, Some("o"), Some(1521), None, Some("ORCL"), PLAIN, None),
            ),
            (
                "url=jdbc:oracle:thin:@//o:1521/svc",
                (THIN, Some("o"), Some(1521), None, Some("svc"), PLAIN, None),
            ),
            (
                "url=jdbc:oracle:thin:@o:1521/svc",
                (THIN, Some("o"), Some(1521), None, Some("svc"), PLAIN, None),
            ),
            (
                "url=\"jdbc:oracle:thin:scott/hunter2@o:1521:ORCL\"",
                (
                    THIN,
                    Some("o"),
                    Some(1521),
                    Some("scott"),
                    Some("ORCL"),
                    PLAIN,
                    None,
                ),
            ),
            (
                "url=jdbc:oracle:thin:@orcl_tls?TNS_ADMIN=/opt/tns",
                (THIN, None, None, None, None, UNKNOWN, None),
            ),
            (
                "url=jdbc:oracle:thin:@config-azure://myappconfig?key=/sales/",
                (THIN, None, None, None, None, UNKNOWN, None),
            ),
            (
                "url=jdbc:oracle:thin:@tcps://[::1]:2484/S",
                (
                    THIN,
                    Some("::1"),
                    Some(2484),
                    None,
                    Some("S"),
                    CA_ONLY,
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
    fn jdbc_properties_in_the_same_file() {
        let text = "\
spring.datasource.url=jdbc:oracle:thin:@tcps://o:2484/S
spring.datasource.hikari.data-source-properties.oracle.net.ssl_server_dn_match=true
spring.datasource.hikari.data-source-properties.javax.net.ssl.trustStore=/etc/ssl/rds.jks
spring.datasource.hikari.data-source-properties.javax.net.ssl.trustStorePassword=hunter2
";
        check(
            "application.properties",
            text,
            &[(
                THIN,
                Some("o"),
                Some(2484),
                None,
                Some("S"),
                FULL,
                Some("/etc/ssl/rds.jks"),
            )],
        );
        // Properties without a URL: a hit of their own.
        let props = "JAVA_OPTS=\"-Doracle.net.ssl_server_dn_match=false -Doracle.net.wallet_location=(SOURCE=(METHOD=FILE)(METHOD_DATA=(DIRECTORY=/w)))\"";
        check(
            "setenv.sh",
            props,
            &[(
                "Oracle JDBC properties",
                None,
                None,
                None,
                None,
                Facts::new(Unknown, Yes, No),
                Some("/w"),
            )],
        );
    }

    #[test]
    fn sqlnet_ora() {
        let text = "\
NAMES.DIRECTORY_PATH = (TNSNAMES, EZCONNECT)
WALLET_LOCATION =
  (SOURCE =
    (METHOD = FILE)
    (METHOD_DATA =
      (DIRECTORY = /u01/app/oracle/wallet)
    )
  )
SSL_CLIENT_AUTHENTICATION = FALSE
SSL_SERVER_DN_MATCH = ON
";
        check(
            "sqlnet.ora",
            text,
            &[(
                "sqlnet.ora",
                None,
                None,
                None,
                None,
                Facts::new(Unknown, Yes, Yes),
                Some("/u01/app/oracle/wallet"),
            )],
        );
        assert_eq!(scan("sqlnet.ora", text)[0].line, 2);
        assert!(scan("sqlnet.ora", "NAMES.DIRECTORY_PATH = (TNSNAMES)\n").is_empty());
        check(
            "sqlnet.ora",
            "SQLNET.AUTHENTICATION_SERVICES = (TCPS, NTS)\n",
            &[(
                "sqlnet.ora",
                None,
                None,
                None,
                None,
                Facts::new(Unknown, Yes, No),
                None,
            )],
        );
    }

    #[test]
    fn python_and_sqlplus() {
        let table: &[(&str, Expect<'_>)] = &[
            (
                "conn = oracledb.connect(user='app', password='hunter2', dsn='tcps://o:2484/S')",
                (
                    "Python oracledb",
                    Some("o"),
                    Some(2484),
                    Some("app"),
                    Some("S"),
                    FULL,
                    None,
                ),
            ),
            (
                "conn = oracledb.connect(user='app', password='hunter2', host='o', port=2484, service_name='S', protocol='tcps', ssl_server_dn_match=False, wallet_location='/w')",
                (
                    "Python oracledb",
                    Some("o"),
                    Some(2484),
                    Some("app"),
                    Some("S"),
                    CA_ONLY,
                    Some("/w"),
                ),
            ),
            (
                "conn = oracledb.connect(user='app', password='hunter2', dsn='o:1521/S')",
                (
                    "Python oracledb",
                    Some("o"),
                    Some(1521),
                    Some("app"),
                    Some("S"),
                    PLAIN,
                    None,
                ),
            ),
            (
                "conn = cx_Oracle.connect('app/hunter2@tcps://o:2484/S')",
                (
                    "Python cx_Oracle",
                    Some("o"),
                    Some(2484),
                    Some("app"),
                    Some("S"),
                    CA_ONLY,
                    None,
                ),
            ),
            (
                "sqlplus -s app/hunter2@tcps://o:2484/S @report.sql",
                (
                    "Oracle EZConnect",
                    Some("o"),
                    Some(2484),
                    Some("app"),
                    Some("S"),
                    CA_ONLY,
                    None,
                ),
            ),
        ];
        for (text, expected) in table {
            check("run.py", text, std::slice::from_ref(expected));
        }
        check(
            "run.py",
            "conn = cx_Oracle.connect('app', 'hunter2', 'tcps://o:2484/S')",
            &[(
                "Python cx_Oracle",
                Some("o"),
                Some(2484),
                Some("app"),
                Some("S"),
                CA_ONLY,
                None,
            )],
        );
        check(
            "run.py",
            "conn = oracledb.connect(**params)\npool = oracledb.create_pool(user=u, password=p, dsn=dsn)",
            &[
                ("Python oracledb", None, None, None, None, UNKNOWN, None),
                (
                    "Python oracledb",
                    None,
                    None,
                    Some("u"),
                    None,
                    UNKNOWN,
                    None,
                ),
            ],
        );
        assert!(scan("notes.md", "Call `oracledb.connect()` first.").is_empty());
        check(
            "db.js",
            "const c = await oracledb.getConnection({ user: 'app', password: 'hunter2', connectString: 'tcps://o:2484/S' });",
            &[(
                "Node oracledb",
                Some("o"),
                Some(2484),
                Some("app"),
                Some("S"),
                FULL,
                None,
            )],
        );
        check(
            "db.js",
            "oracledb.initOracleClient();\nconst p = await oracledb.createPool({ connectString: 'o:1521/S', walletLocation: '/w' });",
            &[(
                "Node oracledb",
                Some("o"),
                Some(1521),
                None,
                Some("S"),
                PLAIN,
                Some("/w"),
            )],
        );
        // Thick mode reads sqlnet.ora: DN match off by default.
        check(
            "run.py",
            "oracledb.init_oracle_client()\nconn = oracledb.connect(user='app', dsn='tcps://o:2484/S')",
            &[(
                "Python oracledb",
                Some("o"),
                Some(2484),
                Some("app"),
                Some("S"),
                CA_ONLY,
                None,
            )],
        );
    }

    /// A TLS value from elsewhere — a variable, a connect alias whose
    /// tnsnames.ora is not in the file — is unknown.
    #[test]
    fn values_from_elsewhere_are_unknown() {
        let table: &[(&str, &str, Facts)] = &[
            (
                "db.properties",
                "url=jdbc:oracle:thin:@${ORACLE_URL}",
                UNKNOWN,
            ),
            ("db.properties", "url=jdbc:oracle:thin:@ERP_TLS", UNKNOWN),
            (
                "db.py",
                "import oracledb\nconn = oracledb.connect(user='erp', dsn=os.environ['ORACLE_DSN'])\n",
                UNKNOWN,
            ),
            (
                "db.py",
                "import oracledb\nconn = oracledb.connect(user='erp', host='erp-db', port=2484, protocol=os.environ['DB_PROTOCOL'], service_name='ERP')\n",
                UNKNOWN,
            ),
            (
                "db.py",
                "import oracledb\nconn = oracledb.connect(user='erp', host='erp-db', port=1521, service_name='ERP')\n",
                PLAIN,
            ),
        ];
        let rows: Vec<testing::FactsRow<'_>> = table
            .iter()
            .map(|&(file, text, want)| (file, text, &[][..], want))
            .collect();
        testing::assert_facts(detect, &rows);
    }

    #[test]
    fn prose_and_comments_are_not_settings() {
        let table = [
            (
                "README.md",
                "The description = a short text; Oracle uses TCPS on port 2484.",
            ),
            (
                "tnsnames.ora",
                "# OLD = (DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=old)(PORT=1521)))",
            ),
            ("App.java", "// jdbc:oracle:thin:@old:1521:ORCL"),
            ("notes.txt", "mail me at ops@tcps-team.example.com"),
            (
                "package.json",
                r#"{"description": "(description = something)"}"#,
            ),
            (
                "tnsnames.ora",
                "# X = (DESCRIPTION=\n#  (ADDRESS=(PROTOCOL=TCPS)(HOST=h)(PORT=2484)))",
            ),
        ];
        // An unclosed descriptor in prose: a hit, but no host made of prose.
        let hits = scan(
            "guide.rst",
            "(description=(address=(protocol=tcps)(host= . . .\n\nand so on.",
        );
        assert!(hits.iter().all(|h| h.host.is_none()), "{hits:?}");
        for (name, text) in table {
            assert_eq!(scan(name, text), Vec::new(), "{name}: {text}");
        }
    }
}
