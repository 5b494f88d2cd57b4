//! Django and Laravel settings, read by the frameworks' shared reader
//! (`syntax::framework`); here the keys libpq's settings come from.

use super::super::syntax::framework::{Block, Framework, blocks, keyed};
use super::*;

pub(super) static DJANGO_ENGINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"['"]ENGINE['"]\s*:\s*['"]django(?:\.contrib\.gis)?\.db\.backends\.(?:postgresql(?:_psycopg2)?|postgis)['"]"#)
        .expect("Django pattern compiles")
});

pub(super) static DJANGO: Row<Pg> = Row {
    name: "Django settings",
    wants: |file| Lang::of(file.name) == Lang::Python && DJANGO_ENGINE.is_match(file.text),
    detect: |cx, out| django(cx, out),
};

pub(super) fn django(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    let lex = cx.lex();
    for block in blocks(cx.text, lex, Framework::Django, &DJANGO_ENGINE) {
        if out.claimed.holds(block.open) {
            continue;
        }
        let mut conn = Conn::default();
        let mut parts = Vec::new();
        for (key, v) in block.pairs(cx.text) {
            let name = match key.as_str() {
                "ENGINE" => "",
                "HOST" => "host",
                "PORT" => "port",
                "NAME" => "dbname",
                "USER" => "user",
                "OPTIONS" => {
                    let Some(options) = block.nested(cx.text, lex, "OPTIONS") else {
                        continue;
                    };
                    for (k, v) in keyed(&options, cx.text) {
                        if let k @ ("sslmode" | "sslrootcert" | "application_name") = k.as_str() {
                            let v = as_written(v);
                            parts.push(format!("OPTIONS.{k}: {v}"));
                            conn.set(k, v);
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            keep(&mut conn, &mut parts, &key, name, as_written(v));
        }
        block_found(cx, out, &block, "Django settings", conn, &parts);
    }
}

pub(super) static LARAVEL_DRIVER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"['"]driver['"]\s*=>\s*['"]pgsql['"]"#).expect("Laravel pattern compiles")
});

pub(super) static LARAVEL: Row<Pg> = Row {
    name: "Laravel settings",
    wants: |file| Lang::of(file.name) == Lang::Php && LARAVEL_DRIVER.is_match(file.text),
    detect: |cx, out| laravel(cx, out),
};

/// Laravel `config/database.php`: `'driver' => 'pgsql'` with `'host'`,
/// `'port'`, `'database'`, `'username'`, `'sslmode'` beside it.
pub(super) fn laravel(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    for block in blocks(cx.text, cx.lex(), Framework::Laravel, &LARAVEL_DRIVER) {
        let mut conn = Conn::default();
        let mut parts = Vec::new();
        for (key, v) in block.pairs(cx.text) {
            let name = match key.as_str() {
                "driver" => "",
                "host" => "host",
                "port" => "port",
                "database" => "dbname",
                "username" => "user",
                "sslmode" => "sslmode",
                "sslrootcert" => "sslrootcert",
                _ => continue,
            };
            keep(&mut conn, &mut parts, &key, name, as_written(v));
        }
        block_found(cx, out, &block, "Laravel database.php", conn, &parts);
    }
}

/// Records `key: v` in the setting, and in the connection under libpq's
/// keyword `name` (none for the key naming the engine or driver).
fn keep(conn: &mut Conn, parts: &mut Vec<String>, key: &str, name: &str, v: String) {
    parts.push(format!("{key}: {v}"));
    if !name.is_empty() {
        conn.set(name, v);
    }
}

/// A settings block read: claimed whole, one libpq hit at its bracket.
fn block_found(
    cx: &Ctx<'_>,
    out: &mut Found<Setting>,
    block: &Block<'_>,
    stack: &'static str,
    conn: Conn,
    parts: &[String],
) {
    out.claimed.claim(block.open, block.close + 1);
    let setting = parts.join("; ");
    out.push(found(cx, block.open, stack, Driver::Libpq, conn, setting));
}

#[cfg(test)]
pub(super) mod cases {
    use super::super::tests::*;
    use super::*;

    /// This file's stacks, one hit per case, as the table test in
    /// [`super::super::tests`] reads them.
    pub(in super::super) const CASES: &[Case] = &[
        // ---- Django
        case!("settings.py", "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n        'NAME': 'shop',\n        'USER': 'shop',\n        'PASSWORD': os.environ['DB_PASSWORD'],\n        'HOST': os.environ.get('DB_HOST', 'localhost'),\n        'PORT': '5432',\n        'OPTIONS': {\n            'sslmode': 'verify-full',\n            'sslrootcert': '/certs/global-bundle.pem',\n        },\n    }\n}\n" => "Django settings", FULL, host "os.environ.get('DB_HOST', 'localhost')", port 5432, user "shop", db "shop", trust "/certs/global-bundle.pem"),
        case!("settings.py", "DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.postgresql_psycopg2\", \"NAME\": \"app\", \"HOST\": \"db\", \"PORT\": 5432}}\n" => "Django settings", PREFER, host "db", port 5432, db "app"),
        // Django reads its keys as the dict spells them, the last of one
        // written twice: `host` is not `HOST`.
        case!("settings.py", "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'HOST': 'db', 'host': 'other', 'NAME': 'a', 'NAME': 'app'}}\n" => "Django settings", PREFER, host "db", db "app"),
        // ---- Laravel
        case!("database.php", "'pgsql' => [\n    'driver' => 'pgsql',\n    'host' => env('DB_HOST', '127.0.0.1'),\n    'port' => env('DB_PORT', '5432'),\n    'database' => env('DB_DATABASE', 'forge'),\n    'username' => env('DB_USERNAME', 'forge'),\n    'password' => env('DB_PASSWORD', ''),\n    'sslmode' => 'require',\n],\n" => "Laravel database.php", REQUIRE, host "env('DB_HOST', '127.0.0.1')", user "env('DB_USERNAME', 'forge')", db "env('DB_DATABASE', 'forge')"),
    ];
}
