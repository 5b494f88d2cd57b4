//! Framework settings: Laravel config/database.php, Django DATABASES, read
//! by the frameworks' shared reader (`syntax::framework`); here the keys and
//! options MySQL's drivers read.

use super::super::syntax::framework::{self, Framework, blocks};
use super::*;

pub(super) static LARAVEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"['"]driver['"]\s*=>\s*['"](mysql|mariadb)['"]"#)
        .expect("Laravel pattern compiles")
});

pub(super) static DJANGO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"['"]ENGINE['"]\s*:\s*['"]([A-Za-z0-9_.]*mysql[A-Za-z0-9_.]*)['"]"#)
        .expect("Django pattern compiles")
});

stack::row!(FRAMEWORK_SETTINGS: My, "Laravel and Django settings", mentions, framework_settings);

pub(super) fn framework_settings(file: &FileCtx<'_>, hits: &mut Found) {
    let (text, lines) = (file.text, file.lines());
    if !LARAVEL.is_match(text) && !DJANGO.is_match(text) {
        return;
    }
    // PHP's and Python's strings and comments, both kinds of comment.
    let lex = file.lex(Comments::HashAndSlash);
    for block in blocks(text, lex, Framework::Laravel, &LARAVEL) {
        let entries = block.pairs(text);
        let get = |k: &str| block.get(text, k);
        let (options, filtered) = match get("options") {
            Some(v) => {
                let start = v.find(['[']).or_else(|| v.find("array("));
                match start {
                    Some(s) => {
                        let body = &v[s..];
                        let open_at = s + body.find(['[', '(']).unwrap_or(0);
                        let close = Lex::new(v, Comments::HashAndSlash).closing(open_at);
                        let inner = close.map_or(&v[s..], |e| &v[s..=e]);
                        (pdo_options(inner), v.contains("array_filter"))
                    }
                    None => (Vec::new(), false),
                }
            }
            None => (Vec::new(), false),
        };
        let (facts, ca) = pdo_facts(&options, filtered);
        let engine = if block.found[1].eq_ignore_ascii_case("mariadb") {
            Engine::Mariadb
        } else {
            Engine::Mysql
        };
        let mut hit = ConfigHit::new(
            lines.line(block.open),
            "Laravel database.php",
            engine,
            facts,
            &format!("[{}]", shown_entries(&entries, " => ")),
        );
        set_place(
            &mut hit,
            get,
            [&["host"], &["port"], &["username"], &["database"]],
        );
        hit.trust_store = ca;
        hits.push(hit);
    }
    for block in blocks(text, lex, Framework::Django, &DJANGO) {
        let entries = block.pairs(text);
        let get = |k: &str| block.get(text, k);
        let options = block.nested(text, lex, "OPTIONS");
        let opt = |k: &str| options.as_deref().and_then(|o| framework::get(o, text, k));
        let spread = get("OPTIONS").is_some() && options.is_none();
        let connector = block.found[1].contains("connector");
        let (stack, (facts, trust)) = if connector {
            (
                "Django settings (mysql-connector)",
                connector_python_options(opt),
            )
        } else {
            // django.db.backends.mysql → mysqlclient.
            ("Django settings (mysqlclient)", mysqlclient(opt))
        };
        let facts = if spread { UNKNOWN } else { facts };
        let mut hit = ConfigHit::new(
            lines.line(block.open),
            stack,
            Engine::Mysql,
            facts,
            &format!("{{{}}}", shown_entries(&entries, ": ")),
        );
        set_place(&mut hit, get, [&["HOST"], &["PORT"], &["USER"], &["NAME"]]);
        hit.host = hit.host.filter(|h| !h.is_empty());
        hit.trust_store = trust;
        hits.push(hit);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

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
        'plain' => ['driver' => 'mysql', 'host' => 'db1', 'host' => 'db2'],
    ],
];
"#;
        let lv = "Laravel database.php";
        check_engines(
            "database.php",
            laravel,
            &[Engine::Mysql, Engine::Mariadb, Engine::Mysql],
            &hits! {
                lv, "env('DB_HOST', '127.0.0.1')", _, "env('DB_USERNAME', 'root')", "env('DB_DATABASE', 'laravel')", UNKNOWN, "env('MYSQL_ATTR_SSL_CA')";
                lv, "db.example.com", _, _, _, REQ, "/etc/ssl/rds.pem";
                lv, "db2", _, _, _, PLAIN, _;
            },
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
            &hits! {
                dj, "shop.abc.us-east-1.rds.amazonaws.com", 3306, "app", "shop", V_ID, "/etc/ssl/global-bundle.pem";
                dj, "old", _, _, _, Facts::new(Yes, Unknown, Unknown), "/c.pem";
                dj, "db3", _, _, _, PREF, _;
                "Django settings (mysql-connector)", "db4", _, _, _, V_CA, "/c.pem";
            },
        );
    }
}
