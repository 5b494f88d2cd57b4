//! Rails database.yml.

use super::super::syntax::yaml::Mappings;
use super::*;

pub(super) static RAILS_ADAPTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*adapter:\s*["']?(?:postgresql|postgis)(?-u:\b)"#)
        .expect("adapter pattern compiles")
});

stack::row!(RAILS: Pg, "Rails database.yml", rails_yaml, rails);

/// A YAML file (or a template of one) with a PostgreSQL adapter.
fn rails_yaml(file: &FileCtx<'_>) -> bool {
    (file.name.contains(".yml") || file.name.contains(".yaml")) && RAILS_ADAPTER.is_match(file.text)
}

pub(super) fn rails(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    let yaml = Mappings::read(cx.text, cx.lines);
    let ys = &yaml.lines;
    for m in 0..yaml.len() {
        let map = yaml.resolved(m);
        let get = |k: &str| map.get(k).map(|&j| ys[j].value).filter(|v| !v.is_empty());
        if !get("adapter")
            .is_some_and(|a| matches!(a.to_ascii_lowercase().as_str(), "postgresql" | "postgis"))
        {
            continue;
        }
        // The `url:` is part of this block (and of those merging it).
        for &j in map.values() {
            if ys[j].key == "url" {
                out.claimed
                    .claim(ys[j].at, ys[j].at + ys[j].key.len() + ys[j].value.len() + 8);
            }
        }
        // Templates (`default: &default`) are reported through the blocks
        // that merge them.
        if yaml.is_merged(m) {
            continue;
        }
        let kids = yaml.kids(m);
        let mut conn = Conn::default();
        for &(key, name) in FRAMEWORK_KEYS
            .iter()
            .chain(&[("application_name", "application_name")])
        {
            if let Some(v) = get(key) {
                conn.set(name, v.to_string());
            }
        }
        if let Some(url) = get("url").filter(|u| is_pg_uri(u)) {
            // ActiveRecord merges `url:` over the other keys.
            conn.overlay(parse_uri(after_scheme(url)));
        }
        let own_sslmode = kids.iter().find(|&&k| ys[k].key == "sslmode");
        let at = ys[*own_sslmode.unwrap_or(&kids[0])].at;
        let setting = [
            "adapter",
            "host",
            "port",
            "database",
            "username",
            "sslmode",
            "sslrootcert",
            "url",
        ]
        .iter()
        .filter_map(|k| get(k).map(|v| format!("{k}: {v}")))
        .collect::<Vec<_>>()
        .join("; ");
        let hit = found(cx, at, "Rails database.yml", Driver::Libpq, conn, setting);
        out.push(hit);
    }
}

case_table![
    // ---- Rails
    case!("database.yml", "production:\n  adapter: postgresql\n  host: db.example.com\n  port: 5432\n  database: shop\n  username: shop\n  password: <%= ENV['DB_PASSWORD'] %>\n" => "Rails database.yml", PREFER, host "db.example.com", port 5432, user "shop", db "shop"),
    // A block that clears the template's sslmode does not inherit it:
    // libpq's default, never the template's disable.
    case!("database.yml", "default: &default\n  adapter: postgresql\n  sslmode: disable\n\nproduction:\n  <<: *default\n  host: db\n  sslmode:\n" => "Rails database.yml", PREFER, host "db"),
    case!("database.yml", "production:\n  adapter: postgis\n  host: <%= ENV.fetch(\"DB_HOST\") %>\n  database: geo\n  sslmode: verify-full\n  sslrootcert: config/certs/global-bundle.pem\n" => "Rails database.yml", FULL, host "<%= ENV.fetch(\"DB_HOST\") %>", db "geo", trust "config/certs/global-bundle.pem"),
];
