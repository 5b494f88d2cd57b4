//! Rails database.yml (mysql2, trilogy).

use super::super::syntax::yaml::Mappings;
use super::*;

pub(super) static ADAPTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?im)^\s*adapter:\s*["']?[a-z0-9_]*(mysql|trilogy)"#)
        .expect("adapter pattern compiles")
});

stack::row!(RAILS_YAML: My, "Rails database.yml",
    |file| mentions(file) && ADAPTER.is_match(file.lower()), rails_yaml);

pub(super) fn rails_yaml(file: &FileCtx<'_>, hits: &mut Found) {
    let (text, lines) = (file.text, file.lines());
    let yaml = Mappings::read(text, lines);
    for m in 0..yaml.len() {
        if yaml.is_merged(m) {
            continue; // reported through the blocks that merge it
        }
        let keys = yaml.resolved(m);
        let get = |k: &str| {
            keys.iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, &line)| yaml.lines[line].value)
                .filter(|v| !v.is_empty())
        };
        let Some(adapter) = get("adapter") else {
            continue;
        };
        let key = &yaml.lines[yaml.key_line(m)];
        let start = key.at - key.indent;
        let adapter = adapter.to_ascii_lowercase();
        if !(adapter.contains("mysql") || adapter.contains("trilogy")) || commented(text, start) {
            continue;
        }
        let ca = get("sslca")
            .or_else(|| get("ssl_ca"))
            .or_else(|| get("sslcapath"));
        let mode = given(get("ssl_mode").or_else(|| get("tls_mode")), SslMode::parse);
        let verify = given(get("sslverify").or_else(|| get("ssl_verify")), parse_bool);
        let facts = if let Given::Value(mode) = mode {
            mode.facts()
        } else if mode == Given::Unreadable || verify == Given::Unreadable {
            // `<%= ENV['DB_SSL_MODE'] %>`.
            UNKNOWN
        } else {
            let verify = match verify {
                Given::Value(v) => Some(v),
                _ => None,
            };
            match verify {
                // mysql2 maps `sslverify: true` to VERIFY_IDENTITY.
                Some(true) => FULL,
                Some(false) => Facts::new(if ca.is_some() { Yes } else { Unknown }, No, No),
                // A CA alone: libmysqlclient stays PREFERRED and does not
                // verify; MariaDB Connector/C (which the gem may be built
                // against) turns TLS on and, from 3.4, verifies.
                None if ca.is_some() => UNKNOWN,
                None if get("ssl").and_then(parse_bool) == Some(true) => {
                    Facts::new(Yes, Unknown, Unknown)
                }
                None => SslMode::Preferred.facts(),
            }
        };
        let stack = if adapter.contains("trilogy") {
            "Rails database.yml (trilogy)"
        } else {
            "Rails database.yml (mysql2)"
        };
        let mut hit = ConfigHit::new(
            lines.line(start),
            stack,
            Engine::Mysql,
            facts,
            &shown_lines(&text[start..yaml.end(m, text)]),
        );
        hit.host = get("host").map(str::to_string);
        hit.port = get("port").and_then(|p| p.parse().ok());
        hit.user = get("username").or_else(|| get("user")).map(str::to_string);
        hit.database = get("database").map(str::to_string);
        hit.trust_store = ca.map(str::to_string);
        hits.push(hit);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    #[test]
    fn rails_database_yml() {
        let text = r#"
default: &default
  adapter: mysql2
  encoding: utf8mb4
  username: <%= ENV["DB_USER"] %>
  password: hunter2
  host: <%= ENV.fetch("DB_HOST") { "localhost" } %>

development:
  <<: *default
  database: app_development

production:
  <<: *default
  database: app_production
  host: orders.abc.us-east-1.rds.amazonaws.com
  port: 3306
  sslca: /etc/ssl/certs/global-bundle.pem
  sslverify: true

staging:
  primary:
    adapter: "trilogy"
    host: "staging-db"
    ssl_mode: :REQUIRED
  analytics:
    adapter: postgresql
    host: pg
ci:
  adapter: mysql2
  # sslca: /nowhere.pem
  sslca: /etc/ssl/ci.pem
  ssl_mode: verify_ca
"#;
        let rails = "Rails database.yml (mysql2)";
        let erb_host = r#"<%= ENV.fetch("DB_HOST") { "localhost" } %>"#;
        let erb_user = r#"<%= ENV["DB_USER"] %>"#;
        check(
            "database.yml",
            text,
            &hits! {
                rails, erb_host, _, erb_user, "app_development", PREF, _;
                rails, "orders.abc.us-east-1.rds.amazonaws.com", 3306, erb_user, "app_production", V_ID, "/etc/ssl/certs/global-bundle.pem";
                "Rails database.yml (trilogy)", "staging-db", _, _, _, REQ, _;
                rails, _, _, _, _, V_CA, "/etc/ssl/ci.pem";
            },
        );
        let lines: Vec<usize> = scan("database.yml", text).iter().map(|h| h.line).collect();
        assert_eq!(lines, [9, 13, 22, 29]);
        // A CA alone depends on the C library the gem is built against.
        check(
            "database.yml",
            "production:\n  adapter: mysql2\n  host: db\n  sslca: /c.pem\n",
            &hits! {
                rails, "db", _, _, _, UNKNOWN, "/c.pem";
            },
        );
        // A block that clears the template's ssl_mode does not inherit it:
        // the gem's default (PREFERRED), never the template's DISABLED.
        check(
            "database.yml",
            "default: &default\n  adapter: mysql2\n  ssl_mode: disabled\n\nproduction:\n  <<: *default\n  host: db\n  ssl_mode:\n",
            &hits! {
                rails, "db", _, _, _, PREF, _;
            },
        );
    }
}
