//! Rails database.yml (mysql2, trilogy).

use super::*;

pub(super) static ADAPTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?im)^\s*adapter:\s*["']?[a-z0-9_]*(mysql|trilogy)"#)
        .expect("adapter pattern compiles")
});

pub(super) static RAILS_YAML: Row<My> = Row {
    name: "Rails database.yml",
    wants: |file| mentions(file),
    detect: |file, hits| rails_yaml(file.text, file.lower(), file.lines(), hits),
};

pub(super) fn rails_yaml(text: &str, lower: &str, lines: &Lines, hits: &mut Vec<ConfigHit>) {
    if !ADAPTER.is_match(lower) {
        return;
    }
    let blocks = yaml_blocks(text);
    let merged_anchors: Vec<&str> = blocks.iter().filter_map(|b| b.merge).collect();
    for block in &blocks {
        if block.anchor.is_some_and(|a| merged_anchors.contains(&a)) {
            continue; // reported through the blocks that merge it
        }
        let keys = block.effective(&blocks, 0);
        let get = |k: &str| {
            keys.iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, v)| unquote(v))
                .filter(|v| !v.is_empty())
        };
        let Some(adapter) = get("adapter") else {
            continue;
        };
        let adapter = adapter.to_ascii_lowercase();
        if !(adapter.contains("mysql") || adapter.contains("trilogy"))
            || commented(text, block.start)
        {
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
            lines.line(block.start),
            stack,
            Engine::Mysql,
            facts,
            &block.shown(text),
        );
        hit.host = get("host").map(str::to_string);
        hit.port = get("port").and_then(|p| p.parse().ok());
        hit.user = get("username").or_else(|| get("user")).map(str::to_string);
        hit.database = get("database").map(str::to_string);
        hit.trust_store = ca.map(str::to_string);
        hits.push(hit);
    }
}

/// A YAML mapping whose parent key is `name:` (optionally `name: &anchor`).
pub(super) struct YamlBlock<'a> {
    /// Byte offset of the parent key line.
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) anchor: Option<&'a str>,
    /// `<<: *name`
    pub(super) merge: Option<&'a str>,
    /// Direct children, in order.
    pub(super) keys: Vec<(&'a str, &'a str)>,
}

impl<'a> YamlBlock<'a> {
    /// Own keys over merged ones.
    pub(super) fn effective(&self, all: &[YamlBlock<'a>], depth: usize) -> Vec<(&'a str, &'a str)> {
        let mut keys = self.keys.clone();
        if let Some(merge) = self.merge
            && depth < 4
            && let Some(base) = all.iter().find(|b| b.anchor == Some(merge))
        {
            for (k, v) in base.effective(all, depth + 1) {
                if !keys.iter().any(|(own, _)| *own == k) {
                    keys.push((k, v));
                }
            }
        }
        keys
    }

    pub(super) fn shown(&self, text: &str) -> String {
        shown_lines(&text[self.start..self.end])
    }
}

/// `key: value` lines: (offset, indent, key, value).
pub(super) fn yaml_lines(text: &str) -> Vec<(usize, usize, &str, &str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let body = line.trim_start();
        let indent = line.len() - body.len();
        if !body.is_empty()
            && !body.starts_with('#')
            && !body.starts_with('-')
            && let Some((k, v)) = body.split_once(':')
        {
            let k = k.trim().trim_matches(['"', '\'']);
            let v = v.trim();
            let v = if v.starts_with('#') {
                ""
            } else {
                strip_inline_comment(v)
            };
            if (!k.is_empty() && !k.contains(' ')) || k == "<<" {
                out.push((offset, indent, k, v));
            }
        }
        offset += raw.len();
    }
    out
}

pub(super) fn yaml_blocks(text: &str) -> Vec<YamlBlock<'_>> {
    let rows = yaml_lines(text);
    let mut blocks = Vec::new();
    for (i, &(start, indent, _, value)) in rows.iter().enumerate() {
        let anchor = value
            .strip_prefix('&')
            .map(|a| a.split_whitespace().next().unwrap_or(""));
        if !(value.is_empty() || anchor.is_some()) {
            continue;
        }
        let children: Vec<_> = rows[i + 1..].iter().take_while(|r| r.1 > indent).collect();
        let Some(first) = children.first() else {
            continue;
        };
        let child_indent = first.1;
        let direct: Vec<(&str, &str)> = children
            .iter()
            .filter(|r| r.1 == child_indent)
            .map(|r| (r.2, r.3))
            .collect();
        let merge = direct
            .iter()
            .find(|(k, _)| *k == "<<")
            .and_then(|(_, v)| v.strip_prefix('*'))
            .map(str::trim);
        let last = children.last().expect("non-empty");
        let end = text[last.0..].find('\n').map_or(text.len(), |i| last.0 + i);
        blocks.push(YamlBlock {
            start,
            end,
            anchor,
            merge,
            keys: direct,
        });
    }
    blocks
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
    }
}
