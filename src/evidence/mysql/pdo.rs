//! PHP PDO.

use super::*;

pub(super) static PDO_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)new\s+\\?PDO\s*\(\s*["']mysql:"#).expect("PDO pattern compiles")
});

stack::row!(PHP_PDO: My, "PHP PDO", mentions, php_pdo);

pub(super) fn php_pdo(file: &FileCtx<'_>, hits: &mut Found) {
    let text = file.text;
    for m in PDO_CALL.find_iter(text) {
        if commented(text, m.start()) {
            continue;
        }
        let open = m.start() + text[m.start()..].find('(').expect("pattern has a paren");
        // Lexed once a call is found.
        let lex = file.lex(Comments::HashAndSlash);
        let Some(close) = lex.closing(open) else {
            continue;
        };
        let args = lex.split(text, open + 1..close, b',');
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
            file.lines().line(m.start()),
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
pub(super) fn pdo_options(o: &str) -> Vec<(String, &str)> {
    let o = o.trim();
    let o = o.strip_prefix("array").map(str::trim_start).unwrap_or(o);
    value_pairs(strip_brackets(o), "=>", Comments::HashAndSlash)
}

/// `{…}`, `[…]` or `(…)` → its inside (one pair only); anything else as is.
pub(super) fn strip_brackets(v: &str) -> &str {
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
/// `MYSQL_ATTR_SSL_VERIFY_SERVER_CERT` is false, and checks the peer's name
/// whenever it checks the peer (mysqlnd_vio.c enable_ssl sets
/// `verify_peer_name` to `verify_peer`). `filtered`: the
/// options pass through `array_filter` (Laravel), so a CA from `env()` may
/// be dropped.
pub(super) fn pdo_facts(options: &[(String, &str)], filtered: bool) -> (Facts, Option<String>) {
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
            Some(Literal::True) => FULL,
            Some(_) => Facts::new(Yes, Unknown, Unknown),
            None if ca.is_some() => FULL,
            None => Facts::new(Yes, Unknown, Unknown),
        }
    };
    (facts, ca.map(|v| unquote(v).to_string()))
}

stack::case_tests! {
    fn php_pdo(Engine::Mysql) {
        "db.php", "$pdo = new PDO('mysql:host=db.example.com;port=3306;dbname=shop;charset=utf8mb4', 'app', 'hunter2', [\n  PDO::MYSQL_ATTR_SSL_CA => '/etc/ssl/rds.pem',\n]);" => "PHP PDO_MYSQL", "db.example.com", 3306, "app", "shop", V_ID, "/etc/ssl/rds.pem";
        "db.php", "$pdo = new PDO(\"mysql:host=$host;dbname=shop\", $user, $pass, array(PDO::MYSQL_ATTR_SSL_CA => $ca, PDO::MYSQL_ATTR_SSL_VERIFY_SERVER_CERT => false));" => "PHP PDO_MYSQL", "$host", _, "$user", "shop", REQ, "$ca";
        "db.php", "$pdo = new \\PDO('mysql:host=db;dbname=shop', 'app', 'hunter2');" => "PHP PDO_MYSQL", "db", _, "app", "shop", PLAIN, _;
        "db.php", "$pdo = new PDO('mysql:host=db', $u, $p, [PDO::MYSQL_ATTR_SSL_CA => getenv('CA')]);" => "PHP PDO_MYSQL", "db", _, "$u", _, V_ID, "getenv('CA')";
    }
}
