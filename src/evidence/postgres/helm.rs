//! Database settings as nested YAML keys, as Helm `values*.yaml`,
//! Kustomize patches and other deployment YAML write them:
//! `postgresql: {host: …, port: 5432, sslmode: require}` or
//! `db: {host: …, ssl: {mode: verify-full, rootCert: …}}`, at any depth.
//! The chart passes them on to a client this file does not name; they are
//! libpq's words, read with libpq's rules. `env:` lists and URLs are the
//! variables' and URIs' stacks.

use super::super::syntax::lex::{Comments, value_pairs};
use super::super::syntax::yaml::{children, key_lines};
use super::*;

stack::row!(YAML_KEYS: Pg, "nested YAML keys", yaml_with_ssl, yaml_keys);

/// A YAML file that mentions SSL. Rails' `database.yml` (its blocks merge
/// templates) is its own stack's.
fn yaml_with_ssl(file: &FileCtx<'_>) -> bool {
    (file.name.ends_with(".yaml") || file.name.ends_with(".yml"))
        && file.lower().contains("ssl")
        && !RAILS_ADAPTER.is_match(file.text)
}

/// What a key names, lowercased without `-` and `_`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Host,
    Port,
    User,
    Database,
    Mode,
    Root,
}

fn field(key: &str, in_ssl: bool) -> Option<Field> {
    let k: String = key
        .chars()
        .filter(|c| !matches!(c, '-' | '_'))
        .collect::<String>()
        .to_ascii_lowercase();
    Some(match k.as_str() {
        "mode" | "sslmode" if in_ssl => Field::Mode,
        "rootcert" | "rootcertificate" | "sslrootcert" | "ca" | "cacert" | "cafile" | "sslca"
        | "cabundle"
            if in_ssl =>
        {
            Field::Root
        }
        "sslmode" => Field::Mode,
        "sslrootcert" | "sslrootcertificate" | "rootcert" | "sslca" | "cacert" | "cabundle" => {
            Field::Root
        }
        _ if in_ssl => return None,
        "host" | "hostname" | "dbhost" | "endpoint" | "address" => Field::Host,
        "port" | "dbport" => Field::Port,
        "user" | "username" | "dbuser" => Field::User,
        "database" | "dbname" | "databasename" => Field::Database,
        _ => return None,
    })
}

/// Keys that make a block another stack's (Rails' `adapter`), a URL's, or
/// one whose other keys come from elsewhere (a `<<:` merge).
const NOT_OURS: [&str; 5] = ["adapter", "url", "uri", "connectionstring", "<<"];

/// One setting a block names: what it is, as written, and where.
struct Item<'a> {
    field: Field,
    key: String,
    value: &'a str,
    at: usize,
}

/// The entries of a flow mapping (`{host: x, ssl: {mode: require}}`).
fn flow(value: &str) -> Option<Vec<(String, &str)>> {
    let inner = value.trim().strip_prefix('{')?.strip_suffix('}')?;
    Some(
        value_pairs(inner, ":", Comments::HashAndSlash)
            .into_iter()
            .map(|(k, v)| (k, unquote(v.trim())))
            .collect(),
    )
}

/// Takes `key: value` into `items` if it names a setting; an `ssl:`/`tls:`
/// flow mapping's entries by their TLS names.
fn take<'a>(key: &str, value: &'a str, at: usize, in_ssl: bool, items: &mut Vec<Item<'a>>) {
    if !in_ssl && matches!(key.to_ascii_lowercase().as_str(), "ssl" | "tls") {
        for (k, v) in flow(value).unwrap_or_default() {
            take(&k, v, at, true, items);
        }
        return;
    }
    if let Some(field) = field(key, in_ssl).filter(|_| !value.is_empty()) {
        items.push(Item {
            field,
            key: key.to_string(),
            value,
            at,
        });
    }
}

fn is_foreign(key: &str) -> bool {
    NOT_OURS.contains(&key.to_ascii_lowercase().replace(['-', '_'], "").as_str())
}

pub(super) fn yaml_keys(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    let ys = key_lines(cx.text, cx.lines);
    for (i, y) in ys.iter().enumerate() {
        let mut got: Vec<Item<'_>> = Vec::new();
        let mut foreign = false;
        if y.value.is_empty() {
            for k in children(&ys, i) {
                let kid = &ys[k];
                foreign |= is_foreign(kid.key);
                let ssl = matches!(kid.key.to_ascii_lowercase().as_str(), "ssl" | "tls");
                if kid.value.is_empty() && ssl {
                    for s in children(&ys, k) {
                        take(ys[s].key, ys[s].value, ys[s].at, true, &mut got);
                    }
                } else {
                    take(kid.key, kid.value, kid.at, false, &mut got);
                }
            }
        } else if let Some(entries) = flow(y.value) {
            for (k, v) in entries {
                foreign |= is_foreign(&k);
                take(&k, v, y.at, false, &mut got);
            }
        } else {
            continue;
        }
        let get = |f: Field| got.iter().rev().find(|item| item.field == f);
        let (Some(host), Some(mode)) = (get(Field::Host), get(Field::Mode)) else {
            continue;
        };
        if foreign || out.claimed.holds(mode.at) {
            continue;
        }
        // libpq's mode names, or a value from elsewhere in a block that
        // says PostgreSQL; MySQL's names (`REQUIRED`) are not ours.
        let named = |s: &str| {
            let s = s.to_ascii_lowercase();
            s.contains("postgres") || s.contains("pg")
        };
        let libpq_word = matches!(
            mode.value,
            "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full"
        );
        let postgres_block = named(y.key)
            || get(Field::Port).is_some_and(|p| p.value == "5432")
            || named(host.value);
        let mysql = y.key.to_ascii_lowercase().contains("mysql")
            || y.key.to_ascii_lowercase().contains("maria")
            || get(Field::Port).is_some_and(|p| p.value == "3306");
        if mysql || !(libpq_word || (is_placeholder(mode.value) && postgres_block)) {
            continue;
        }
        let mut conn = Conn::default();
        for (f, name) in [
            (Field::Host, "host"),
            (Field::Port, "port"),
            (Field::User, "user"),
            (Field::Database, "dbname"),
            (Field::Mode, "sslmode"),
            (Field::Root, "sslrootcert"),
        ] {
            if let Some(l) = get(f) {
                conn.set(name, l.value.to_string());
            }
        }
        let mut shown: Vec<&Item<'_>> = got.iter().collect();
        shown.sort_by_key(|l| l.at);
        let setting = format!(
            "{}: {}",
            y.key,
            shown
                .iter()
                .map(|l| format!("{}: {}", l.key, l.value))
                .collect::<Vec<_>>()
                .join("; ")
        );
        out.push(found(
            cx,
            mode.at,
            "YAML database keys",
            Driver::Libpq,
            conn,
            setting,
        ));
    }
}

case_table![
    case!("values.yaml", "replicaCount: 2\nconfig:\n  postgresql:\n    host: orders.abc.us-east-1.rds.amazonaws.com\n    port: 5432\n    username: app\n    password: s3cret\n    database: orders\n    sslmode: require\n" => "YAML database keys", REQUIRE, host "orders.abc.us-east-1.rds.amazonaws.com", port 5432, user "app", db "orders"),
    case!("values-production.yaml", "db:\n  host: db.example.com\n  name: orders\n  ssl:\n    mode: verify-full\n    rootCert: /certs/rds.pem\n" => "YAML database keys", FULL, host "db.example.com", trust "/certs/rds.pem"),
    case!("values.yaml", "postgresql: {host: orders.abc.us-east-1.rds.amazonaws.com, sslmode: require, ssl: {rootCert: /certs/rds.pem}}\n" => "YAML database keys", Facts::new(Y, Y, N), host "orders.abc.us-east-1.rds.amazonaws.com", trust "/certs/rds.pem"),
    // A template expression is unknown, never no.
    case!("values.yaml", "postgres:\n  host: \"{{ .Values.global.dbHost }}\"\n  sslMode: \"{{ .Values.global.sslMode }}\"\n" => "YAML database keys", UNKNOWN, host "{{ .Values.global.dbHost }}"),
    case!("patch-db.yaml", "spec:\n  database:\n    endpoint: pg.internal\n    ssl_mode: disable\n" => "YAML database keys", PLAIN, host "pg.internal"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_blocks_are_not_read_as_database_keys() {
        for text in [
            // MySQL's words, MySQL's port.
            "mysql:\n  host: db\n  sslMode: REQUIRED\n",
            "db:\n  host: db\n  port: 3306\n  sslmode: require\n",
            // No host: nothing to connect to.
            "postgresql:\n  sslmode: require\n",
            // A placeholder in a block that does not say PostgreSQL.
            "cache:\n  host: redis\n  sslmode: ${MODE}\n",
            // A URL: the URIs' stack reports it.
            "db:\n  host: db\n  url: postgres://app@db/app\n  sslmode: require\n",
        ] {
            let hits = crate::evidence::testing::scan(detect, "values.yaml", text);
            let ours: Vec<_> = hits
                .iter()
                .filter(|h| h.stack == "YAML database keys")
                .collect();
            assert!(ours.is_empty(), "{text}\n{ours:#?}");
        }
    }
}
