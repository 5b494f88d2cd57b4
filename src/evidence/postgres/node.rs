//! node-postgres, Sequelize, knex, TypeORM.

use super::*;

pub(super) static PG_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"require\(\s*['"](?:pg|pg-pool)['"]\s*\)|from\s+['"](?:pg|pg-pool)['"]"#)
        .expect("pg import pattern compiles")
});
pub(super) static NEW_POOL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)new\s+(?:[\w$]+\.)?(?:Pool|Client)\s*\(")
        .expect("new Pool pattern compiles")
});
pub(super) static NODE_DIALECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["']?(dialect|client|type)["']?\s*:\s*["'](?:postgres|postgresql|pg)["']"#)
        .expect("dialect pattern compiles")
});
pub(super) static REJECT_FALSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["']?rejectUnauthorized["']?\s*:\s*false"#)
        .expect("rejectUnauthorized pattern compiles")
});
pub(super) static READ_FILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"readFileSync\(\s*['"`]([^'"`]+)['"`]"#).expect("readFileSync pattern compiles")
});

/// What one node config object names.
#[derive(Default)]
pub(super) struct NodeConfig {
    pub(super) fields: Vec<(String, (usize, usize))>,
    /// `ssl` settings with their depth: the deepest wins (Sequelize
    /// `dialectOptions.ssl`, TypeORM `extra.ssl` are what pg receives).
    pub(super) ssl: Vec<(usize, (usize, usize))>,
    pub(super) url: Option<(usize, usize)>,
    /// `...base` spreads another object in, which may hold `ssl`.
    pub(super) spread: bool,
}

stack::row!(NODE_OBJECTS: Pg, "node-postgres, Sequelize, knex, TypeORM objects",
    |file| matches!(Lang::of(file.name), Lang::Js | Lang::Json), node_objects);

pub(super) fn node_objects(cx: &Ctx<'_>, out: &mut Found<Setting>) {
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
        if seen.insert(open) && !out.claimed.holds(open) {
            node_object(cx, lex, out, anchor, open, stack);
        }
    }
}

pub(super) fn collect_node(
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

pub(super) fn node_object(
    cx: &Ctx<'_>,
    lex: &Lex,
    out: &mut Found<Setting>,
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
    out.claimed.claim(open, close + 1);
    out.push(Setting {
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
pub(super) fn node_ssl(cx: &Ctx<'_>, lex: &Lex, value: (usize, usize)) -> (Facts, Option<String>) {
    let (fx, ca, reject_set) = node_ssl_v8(cx, lex, value);
    let fx = Facts::agree(cx.eras(Package::NodePg, PG_ERAS).into_iter().map(|era| {
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
pub(super) fn node_ssl_v8(
    cx: &Ctx<'_>,
    lex: &Lex,
    (s, e): (usize, usize),
) -> (Facts, Option<String>, bool) {
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

case_table![
    // ---- node-postgres, Sequelize, knex, TypeORM
    case!("db.js", "const { Pool } = require('pg');\nconst pool = new Pool({\n  host: process.env.PGHOST,\n  port: 5432,\n  database: 'app',\n  ssl: true,\n});\n" => "node-postgres config", FULL, host "process.env.PGHOST", port 5432, db "app", versions &[(Package::NodePg, "8.16.0")]),
    case!("db.ts", "import { Pool } from 'pg';\nexport const pool = new Pool({\n  connectionString: process.env.DATABASE_URL,\n  ssl: { rejectUnauthorized: false },\n});\n" => "node-postgres config", NO_VERIFY),
    case!("db.js", "const pg = require('pg');\nconst fs = require('fs');\nconst client = new pg.Client({\n  host: 'db.example.com',\n  user: 'app',\n  ssl: {\n    ca: fs.readFileSync('/certs/global-bundle.pem').toString(),\n  },\n});\n" => "node-postgres config", FULL, host "db.example.com", user "app", trust "/certs/global-bundle.pem", versions &[(Package::NodePg, "8.16.0")]),
    // The URL's sslmode overrides the object's ssl (pg merges it over).
    case!("db.js", "const { Client } = require('pg')\nconst config = {\n  connectionString: 'postgres://postgres:password@localhost:5432/postgres?sslmode=require',\n  ssl: { rejectUnauthorized: false },\n}\nconst client = new Client(config)\n" => "node-postgres config", FULL, host "localhost", port 5432, user "postgres", db "postgres", versions &[(Package::NodePg, "8.16.0")]),
    case!("db.js", "const { Pool } = require('pg');\nconst pool = new Pool({ connectionString: process.env.DATABASE_URL });\n" => "node-postgres config", UNKNOWN),
    case!("config.json", "{\n  \"production\": {\n    \"username\": \"app\",\n    \"password\": \"secret\",\n    \"database\": \"app\",\n    \"host\": \"db.example.com\",\n    \"dialect\": \"postgres\",\n    \"dialectOptions\": {\n      \"ssl\": { \"require\": true, \"rejectUnauthorized\": false }\n    }\n  }\n}\n" => "Sequelize config", NO_VERIFY, host "db.example.com", user "app", db "app"),
    case!("knexfile.js", "module.exports = {\n  production: {\n    client: 'pg',\n    connection: {\n      host: 'db.example.com',\n      database: 'app',\n      ssl: { ca: process.env.RDS_CA },\n    },\n  },\n};\n" => "knex config", FULL, host "db.example.com", db "app", trust "process.env.RDS_CA", versions &[(Package::NodePg, "8.16.0")]),
    case!("data-source.ts", "export const AppDataSource = new DataSource({\n  type: 'postgres',\n  host: 'db',\n  port: 5432,\n  ssl: process.env.NODE_ENV === 'production' ? { rejectUnauthorized: false } : false,\n});\n" => "TypeORM config", OPPORTUNISTIC, host "db", port 5432),
    // ES shorthand, the ssl object defined beside it.
    case!("pool.js", "import pg from 'pg';\nconst ssl = { rejectUnauthorized: false };\nexport const pool = new pg.Pool({ host, ssl });\n" => "node-postgres config", NO_VERIFY, host "host"),
];
