//! Django and Laravel settings, read by the frameworks' shared reader
//! (`syntax::framework`); here the keys libpq's settings come from.

use super::super::syntax::framework::{Block, Framework, blocks, keyed};
use super::*;

pub(super) static DJANGO_ENGINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"['"]ENGINE['"]\s*:\s*['"]django(?:\.contrib\.gis)?\.db\.backends\.(?:postgresql(?:_psycopg2)?|postgis)['"]"#)
        .expect("Django pattern compiles")
});

pub(super) static LARAVEL_DRIVER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"['"]driver['"]\s*=>\s*['"]pgsql['"]"#).expect("Laravel pattern compiles")
});

stack::row!(FRAMEWORK_SETTINGS: Pg, "Django and Laravel settings",
    framework_file, framework_settings);

/// A file in a framework's language that names its PostgreSQL driver.
fn framework_file(file: &FileCtx<'_>) -> bool {
    FRAMEWORKS
        .iter()
        .any(|f| lang_file_with(file, f.lang, f.pattern))
}

/// Django's `DATABASES` entries and Laravel's `config/database.php`
/// connections (`'driver' => 'pgsql'` with `'host'`, `'port'`,
/// `'database'`, `'username'`, `'sslmode'` beside it).
static FRAMEWORKS: [Settings; 2] = [
    Settings::new(
        "Django settings",
        Lang::Python,
        Framework::Django,
        &DJANGO_ENGINE,
        DJANGO_KEYS,
    ),
    Settings::new(
        "Laravel database.php",
        Lang::Php,
        Framework::Laravel,
        &LARAVEL_DRIVER,
        LARAVEL_KEYS,
    ),
];

/// Django's keys, as the dict spells them.
const DJANGO_KEYS: Keys = Keys {
    engine: "ENGINE",
    libpq: &[
        ("HOST", "host"),
        ("PORT", "port"),
        ("NAME", "dbname"),
        ("USER", "user"),
    ],
    options: Some("OPTIONS"),
};

/// Laravel's keys, those of Rails' database.yml.
const LARAVEL_KEYS: Keys = Keys {
    engine: "driver",
    libpq: &FRAMEWORK_KEYS,
    options: None,
};

/// A framework's settings blocks: the block around each match of
/// `pattern` (the engine or driver naming PostgreSQL) in a file in `lang`,
/// read by `keys` into one hit of `stack`.
struct Settings {
    stack: &'static str,
    lang: Lang,
    framework: Framework,
    pattern: &'static LazyLock<Regex>,
    keys: Keys,
}

impl Settings {
    const fn new(
        stack: &'static str,
        lang: Lang,
        framework: Framework,
        pattern: &'static LazyLock<Regex>,
        keys: Keys,
    ) -> Settings {
        Settings {
            stack,
            lang,
            framework,
            pattern,
            keys,
        }
    }
}

/// The blocks of each framework's settings the file may hold that no stack
/// has claimed, each read into one hit.
fn framework_settings(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    for settings in FRAMEWORKS.iter().filter(|f| f.lang == cx.lang) {
        for block in blocks(cx.text, cx.lex(), settings.framework, settings.pattern) {
            if out.claimed.holds(block.open) {
                continue;
            }
            read_block(cx, out, &block, settings.stack, &settings.keys);
        }
    }
}

/// The keys a framework's settings block is read by.
struct Keys {
    /// The key naming the engine or driver: shown, not a libpq setting.
    engine: &'static str,
    /// Keys and libpq's keywords for them.
    libpq: &'static [(&'static str, &'static str)],
    /// The key of a dict of libpq settings (Django's `OPTIONS`).
    options: Option<&'static str>,
}

/// A framework's settings block read, claimed whole, into one libpq hit at
/// its bracket: each entry `keys` knows recorded in the setting, and set
/// under its libpq keyword.
fn read_block(
    cx: &Ctx<'_>,
    out: &mut Found<Setting>,
    block: &Block<'_>,
    stack: &'static str,
    keys: &Keys,
) {
    let mut conn = Conn::default();
    let mut parts = Vec::new();
    for (key, v) in block.pairs(cx.text) {
        if Some(key.as_str()) == keys.options {
            let Some(options) = block.nested(cx.text, cx.lex(), &key) else {
                continue;
            };
            for (k, v) in keyed(&options, cx.text) {
                if let k @ ("sslmode" | "sslrootcert" | "application_name") = k.as_str() {
                    let v = as_written(v);
                    parts.push(format!("{key}.{k}: {v}"));
                    conn.set(k, v);
                }
            }
            continue;
        }
        let name = keys.libpq.iter().find(|(k, _)| *k == key).map(|&(_, n)| n);
        if name.is_none() && key != keys.engine {
            continue;
        }
        let v = as_written(v);
        parts.push(format!("{key}: {v}"));
        if let Some(name) = name {
            conn.set(name, v);
        }
    }
    out.claimed.claim(block.open, block.close + 1);
    let setting = parts.join("; ");
    out.push(found(cx, block.open, stack, Driver::Libpq, conn, setting));
}

case_table![
    // ---- Django
    case!("settings.py", "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n        'NAME': 'shop',\n        'USER': 'shop',\n        'PASSWORD': os.environ['DB_PASSWORD'],\n        'HOST': os.environ.get('DB_HOST', 'localhost'),\n        'PORT': '5432',\n        'OPTIONS': {\n            'sslmode': 'verify-full',\n            'sslrootcert': '/certs/global-bundle.pem',\n        },\n    }\n}\n" => "Django settings", FULL, host "os.environ.get('DB_HOST', 'localhost')", port 5432, user "shop", db "shop", trust "/certs/global-bundle.pem"),
    case!("settings.py", "DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.postgresql_psycopg2\", \"NAME\": \"app\", \"HOST\": \"db\", \"PORT\": 5432}}\n" => "Django settings", PREFER, host "db", port 5432, db "app"),
    // Django reads its keys as the dict spells them, the last of one
    // written twice: `host` is not `HOST`.
    case!("settings.py", "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'HOST': 'db', 'host': 'other', 'NAME': 'a', 'NAME': 'app'}}\n" => "Django settings", PREFER, host "db", db "app"),
    // ---- Laravel
    case!("database.php", "'pgsql' => [\n    'driver' => 'pgsql',\n    'host' => env('DB_HOST', '127.0.0.1'),\n    'port' => env('DB_PORT', '5432'),\n    'database' => env('DB_DATABASE', 'forge'),\n    'username' => env('DB_USERNAME', 'forge'),\n    'password' => env('DB_PASSWORD', ''),\n    'sslmode' => 'require',\n],\n" => "Laravel database.php", REQUIRE, host "env('DB_HOST', '127.0.0.1')", user "env('DB_USERNAME', 'forge')", db "env('DB_DATABASE', 'forge')"),
];
