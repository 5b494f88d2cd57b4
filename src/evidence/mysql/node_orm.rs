//! Node ORMs over mysql2/mysql: Sequelize (`new Sequelize(url | db, user,
//! pass, {dialect, dialectOptions: {ssl}})`), knex (`{client: 'mysql2',
//! connection}`) and TypeORM (`{type: 'mysql', ssl}` outside
//! `createConnection`, which the Node configs stack reads). Each hands its
//! `ssl` to the driver, read as [`node_ssl`] reads it. A URL these calls
//! take is theirs: the URL stack leaves it alone, as the options beside it
//! decide (a URL alone never says "no TLS" when options pass `ssl`).

use super::*;

static ORM_ANCHOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"new\s+Sequelize\s*\(|(?-u:\b)(?:client|type|dialect)\s*:\s*['"`](?:mysql2?|mariadb|aurora-mysql)['"`]"#,
    )
    .expect("ORM pattern compiles")
});

stack::row!(NODE_ORMS: My, "Node ORMs (Sequelize, knex, TypeORM)",
    |file| is_js(file.name) && mentions(file), node_orms);

pub(super) fn node_orms(file: &FileCtx<'_>, hits: &mut Found) {
    for c in orm_configs(file) {
        // The URL the call takes is reported with it, not on its own.
        if let Some(at) = c.url_at {
            hits.claimed.claim(at, at + 1);
        }
        let mut hit = ConfigHit::new(
            file.lines().line(c.at),
            c.stack,
            c.engine,
            c.facts,
            &c.setting,
        );
        hit.host = c.host;
        hit.port = c.port;
        hit.user = c.user;
        hit.database = c.database;
        hit.trust_store = c.trust;
        hits.push(hit);
    }
}

pub(super) fn is_js(name: &str) -> bool {
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(ext, "js" | "mjs" | "cjs" | "ts" | "mts" | "cts")
}

/// One ORM configuration and the URL literal it took, if any.
pub(super) struct OrmConfig {
    at: usize,
    stack: &'static str,
    engine: Engine,
    facts: Facts,
    host: Option<String>,
    port: Option<u16>,
    user: Option<String>,
    database: Option<String>,
    trust: Option<String>,
    setting: String,
    /// Where the URL it took starts (the scheme).
    url_at: Option<usize>,
}

/// Every ORM configuration in a JavaScript/TypeScript file.
pub(super) fn orm_configs(file: &FileCtx<'_>) -> Vec<OrmConfig> {
    let text = file.text;
    let mut out: Vec<OrmConfig> = Vec::new();
    for m in ORM_ANCHOR.find_iter(text) {
        if commented(text, m.start()) {
            continue;
        }
        // Lexed once an anchor is found.
        let lex = file.lex(Comments::Slash);
        let found = if m.as_str().starts_with("new") {
            sequelize(text, lex, m.end() - 1)
        } else {
            lex.enclosing(text, m.start(), b"{")
                .filter(|&(open, _)| !out.iter().any(|c| c.at == open))
                .and_then(|(open, close)| object_config(text, lex, open, close))
        };
        out.extend(found);
    }
    out
}

/// `new Sequelize(url, options)` or `new Sequelize(db, user, pass, options)`.
fn sequelize(text: &str, lex: &Lex, open: usize) -> Option<OrmConfig> {
    let close = lex.closing(open)?;
    let args = lex.split(text, open + 1..close, b',');
    let url = args
        .first()
        .map(|a| js_value(a))
        .filter(|a| a.contains("://"));
    let options = args
        .iter()
        .rev()
        .find(|a| a.starts_with('{'))
        .map(|o| strip_brackets(o));
    let entries = options
        .map(|o| value_pairs(o, ":", Comments::Slash))
        .unwrap_or_default();
    let get = |k: &str| entries.iter().find(|(key, _)| key == k).map(|(_, v)| *v);
    let scheme = url
        .and_then(|u| u.split_once("://"))
        .map(|(s, _)| s.to_ascii_lowercase());
    let dialect = get("dialect")
        .map(|d| js_value(d).to_ascii_lowercase())
        .or(scheme);
    let engine = match dialect.as_deref() {
        Some("mysql") => Engine::Mysql,
        Some("mariadb") => Engine::Mariadb,
        _ => return None,
    };
    let ssl = get("dialectOptions")
        .filter(|d| d.trim_start().starts_with('{'))
        .and_then(|d| {
            value_pairs(strip_brackets(d), ":", Comments::Slash)
                .into_iter()
                .find(|(k, _)| k == "ssl")
        });
    let from_elsewhere = get("dialectOptions").is_some_and(|d| !d.trim_start().starts_with('{'))
        || has_spread(&value_items(options.unwrap_or(""), Comments::Slash), "...")
        || get("ssl").is_some();
    let mut c = config(
        text,
        open,
        "Sequelize",
        engine,
        ssl.map(|(_, v)| v),
        from_elsewhere,
        url,
    );
    if url.is_none() {
        c.database = args.first().map(|a| js_value(a).to_string());
        c.user = args
            .get(1)
            .filter(|a| !a.starts_with('{'))
            .map(|a| js_value(a).to_string());
        c.host = get("host").map(|h| js_value(h).to_string());
        c.port = get("port").and_then(|p| js_value(p).parse().ok());
    }
    let shown: Vec<String> = args
        .iter()
        .enumerate()
        .map(|(i, a)| match (i, url) {
            (2, None) if args.len() > 3 => "****".to_string(),
            _ => a.to_string(),
        })
        .collect();
    c.setting = format!("new Sequelize({})", shown.join(", "));
    Some(c)
}

/// A knex (`client`) or TypeORM (`type`) options object.
fn object_config(text: &str, lex: &Lex, open: usize, close: usize) -> Option<OrmConfig> {
    let entries = lex.pairs(text, open + 1..close, ":");
    let get = |k: &str| entries.iter().find(|(key, _)| key == k).map(|(_, v)| *v);
    let before = text[..open].trim_end();
    let (stack, kind) = if let Some(client) = get("client") {
        ("knex", client)
    } else if let Some(kind) = get("type") {
        // createConnection({…}) is the Node configs stack's.
        if before.ends_with("createConnection(") || before.ends_with("createPool(") {
            return None;
        }
        ("TypeORM", kind)
    } else {
        return None;
    };
    let engine = match js_value(kind).to_ascii_lowercase().as_str() {
        "mysql" | "mysql2" | "aurora-mysql" => Engine::Mysql,
        "mariadb" => Engine::Mariadb,
        _ => return None,
    };
    let spread = has_spread(&lex.split(text, open + 1..close, b','), "...");
    // The driver's options: knex's `connection` object (or a URL), TypeORM's
    // own object.
    let (settings, url) = match (stack, get("connection")) {
        ("knex", Some(conn)) if conn.trim_start().starts_with('{') => {
            (Some(strip_brackets(conn)), None)
        }
        ("knex", Some(conn)) => (Some(""), Some(conn)),
        ("knex", None) => (Some(""), None),
        _ => (None, get("url")),
    };
    let (inner, settings_spread) = match settings {
        Some(s) => (
            value_pairs(s, ":", Comments::Slash),
            has_spread(&value_items(s, Comments::Slash), "..."),
        ),
        None => (entries.clone(), spread),
    };
    let iget = |k: &str| inner.iter().find(|(key, _)| key == k).map(|(_, v)| *v);
    // TypeORM also passes `extra` to the driver.
    let ssl = iget("ssl").or_else(|| {
        iget("extra").and_then(|e| {
            let e = e.trim();
            e.starts_with('{')
                .then(|| value_pairs(strip_brackets(e), ":", Comments::Slash))
                .and_then(|p| p.into_iter().find(|(k, _)| k == "ssl").map(|(_, v)| v))
        })
    });
    let from_elsewhere = spread
        || settings_spread
        || (stack == "knex" && get("connection").is_none())
        || url.is_some_and(|u| !js_value(u).contains("://"));
    let url_text = url.map(js_value).filter(|u| u.contains("://"));
    let mut c = config(text, open, stack, engine, ssl, from_elsewhere, url_text);
    if url_text.is_none() {
        c.host = iget("host").map(|v| js_value(v).to_string());
        c.port = iget("port").and_then(|v| js_value(v).parse().ok());
        c.user = iget("user")
            .or_else(|| iget("username"))
            .map(|v| js_value(v).to_string());
        c.database = iget("database").map(|v| js_value(v).to_string());
    }
    c.setting = format!("{{{}}}", shown_entries(&entries, ": "));
    Some(c)
}

/// The facts of an ORM's driver options: `ssl` read as mysql2 reads it;
/// none at all is no TLS, unless a URL's parameters or options from
/// elsewhere may carry it.
fn config(
    text: &str,
    at: usize,
    stack: &'static str,
    engine: Engine,
    ssl: Option<&str>,
    from_elsewhere: bool,
    url: Option<&str>,
) -> OrmConfig {
    let parts = url
        .and_then(|u| u.split_once("://"))
        .map(|(_, rest)| UrlParts::parse(rest));
    let url_params = parts.as_ref().is_some_and(|p| !p.query.is_empty());
    let (facts, trust) = match ssl {
        Some(ssl) => node_ssl(ssl),
        None if from_elsewhere || url_params => (UNKNOWN, None),
        None => (PLAIN, None),
    };
    let url_at = url.and_then(|u| text[at..].find(u).map(|i| at + i));
    let (host, port, user, database) = match parts {
        Some(p) => (p.host, p.port, p.user, p.database),
        None => (None, None, None, None),
    };
    OrmConfig {
        at,
        stack,
        engine,
        facts,
        host,
        port,
        user,
        database,
        trust,
        setting: String::new(),
        url_at,
    }
}

stack::case_tests! {
    fn node_orms(Engine::Mysql) {
        // SAFETY: the URL alone would read as unverified; the options
        // beside it decide, and the URL is not reported apart.
        "db.js", "const sequelize = new Sequelize('mysql://app:hunter2@shop.cluster-x.eu-west-1.rds.amazonaws.com:3306/shop', {\n  dialect: 'mysql',\n  dialectOptions: { ssl: { ca: fs.readFileSync('/certs/global-bundle.pem') } },\n});" => "Sequelize", "shop.cluster-x.eu-west-1.rds.amazonaws.com", 3306, "app", "shop", V_CA, "/certs/global-bundle.pem";
        "db.js", "const sequelize = new Sequelize('mysql://app:hunter2@db:3306/shop', { dialectOptions: sslOptions });" => "Sequelize", "db", 3306, "app", "shop", UNKNOWN, _;
        "db.ts", "const sequelize = new Sequelize('shop', 'app', 'hunter2', {\n  host: 'db.example.com',\n  port: 3306,\n  dialect: 'mysql',\n});" => "Sequelize", "db.example.com", 3306, "app", "shop", PLAIN, _;
        "db.ts", "new Sequelize(process.env.DB_NAME, process.env.DB_USER, process.env.DB_PASS, { host, dialect: 'mysql', dialectOptions: { ssl: { rejectUnauthorized: false } } })" => "Sequelize", "host", _, "process.env.DB_USER", "process.env.DB_NAME", REQ, _;
        "knexfile.js", "module.exports = {\n  production: {\n    client: 'mysql2',\n    connection: {\n      host: 'shop.cluster-x.eu-west-1.rds.amazonaws.com',\n      user: 'app',\n      password: 'hunter2',\n      database: 'shop',\n      ssl: { ca: fs.readFileSync('/certs/global-bundle.pem'), verifyIdentity: true },\n    },\n  },\n};" => "knex", "shop.cluster-x.eu-west-1.rds.amazonaws.com", _, "app", "shop", V_ID, "/certs/global-bundle.pem";
        "knexfile.ts", "export default { client: 'mysql', connection: 'mysql://app:hunter2@db/shop' };" => "knex", "db", _, "app", "shop", PLAIN, _;
        "knexfile.js", "module.exports = { client: 'mysql2', connection: process.env.DATABASE_URL };" => "knex", _, _, _, _, UNKNOWN, _;
        "data-source.ts", "export const AppDataSource = new DataSource({\n  type: 'mysql',\n  host: 'db.example.com',\n  port: 3306,\n  username: 'app',\n  password: 'hunter2',\n  database: 'shop',\n  ssl: { rejectUnauthorized: true },\n});" => "TypeORM", "db.example.com", 3306, "app", "shop", V_CA, _;
    }

    fn node_orms_of_mariadb(Engine::Mariadb) {
        "app.module.ts", "TypeOrmModule.forRoot({ type: 'mariadb', url: 'mariadb://app:hunter2@db:3306/shop?ssl=true' })" => "TypeORM", "db", 3306, "app", "shop", UNKNOWN, _;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;

    #[test]
    fn postgres_orms_are_not_mysql_s() {
        check(
            "db.js",
            "new Sequelize('postgres://app@db/shop', { dialect: 'postgres' })",
            &[],
        );
    }
}
