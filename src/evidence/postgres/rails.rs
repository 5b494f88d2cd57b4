//! Rails database.yml.

use super::super::syntax::yaml::{YLine, children, key_lines};
use super::*;

pub(super) static RAILS_ADAPTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*adapter:\s*["']?(?:postgresql|postgis)(?-u:\b)"#)
        .expect("adapter pattern compiles")
});

/// A mapping: the lines of its direct children.
pub(super) struct YNode {
    pub(super) kids: Vec<usize>,
}

pub(super) static RAILS: Row<Pg> = Row {
    name: "Rails database.yml",
    wants: |file| {
        (file.name.contains(".yml") || file.name.contains(".yaml"))
            && RAILS_ADAPTER.is_match(file.text)
    },
    detect: |cx, out| rails(cx, out),
};

pub(super) fn rails(cx: &Ctx<'_>, out: &mut Out) {
    let ys = key_lines(cx.text, cx.lines);
    let mut nodes: Vec<YNode> = Vec::new();
    let mut anchors: HashMap<&str, usize> = HashMap::new();
    for (i, y) in ys.iter().enumerate() {
        if !(y.value.is_empty() || y.value.starts_with('&')) {
            continue;
        }
        let kids = children(&ys, i);
        if kids.is_empty() {
            continue;
        }
        let anchor = y
            .value
            .strip_prefix('&')
            .and_then(|a| a.split_whitespace().next());
        if let Some(a) = anchor {
            anchors.insert(a, nodes.len());
        }
        nodes.push(YNode { kids });
    }
    let merged_from = |n: &YNode| -> Vec<usize> {
        n.kids
            .iter()
            .filter(|&&k| ys[k].key == "<<")
            .flat_map(|&k| {
                ys[k]
                    .value
                    .trim_matches(['[', ']'])
                    .split(',')
                    .map(str::trim)
                    .collect::<Vec<_>>()
            })
            .filter_map(|r| r.strip_prefix('*').and_then(|a| anchors.get(a).copied()))
            .collect()
    };
    let referenced: HashSet<usize> = nodes.iter().flat_map(merged_from).collect();
    // key → line index, merges first, own keys override.
    fn resolve<'y>(
        i: usize,
        nodes: &[YNode],
        ys: &[YLine<'y>],
        merged_from: &dyn Fn(&YNode) -> Vec<usize>,
        depth: usize,
        map: &mut HashMap<&'y str, usize>,
    ) {
        if depth > 8 {
            return;
        }
        for m in merged_from(&nodes[i]) {
            resolve(m, nodes, ys, merged_from, depth + 1, map);
        }
        for &k in &nodes[i].kids {
            if ys[k].key != "<<" && !ys[k].value.is_empty() {
                map.insert(ys[k].key, k);
            }
        }
    }
    for (i, node) in nodes.iter().enumerate() {
        let mut map: HashMap<&str, usize> = HashMap::new();
        resolve(i, &nodes, &ys, &merged_from, 0, &mut map);
        let get = |k: &str| map.get(k).map(|&j| ys[j].value);
        if !get("adapter")
            .is_some_and(|a| matches!(a.to_ascii_lowercase().as_str(), "postgresql" | "postgis"))
        {
            continue;
        }
        // The `url:` is part of this block (and of those merging it).
        for &j in map.values() {
            if ys[j].key == "url" {
                out.claim(ys[j].at, ys[j].at + ys[j].key.len() + ys[j].value.len() + 8);
            }
        }
        // Templates (`default: &default`) are reported through the blocks
        // that merge them.
        if referenced.contains(&i) {
            continue;
        }
        let mut conn = Conn::default();
        for (key, name) in [
            ("host", "host"),
            ("port", "port"),
            ("database", "dbname"),
            ("username", "user"),
            ("sslmode", "sslmode"),
            ("sslrootcert", "sslrootcert"),
            ("application_name", "application_name"),
        ] {
            if let Some(v) = get(key) {
                conn.set(name, v.to_string());
            }
        }
        if let Some(url) = get("url").filter(|u| is_pg_uri(u)) {
            // ActiveRecord merges `url:` over the other keys.
            conn.overlay(parse_uri(after_scheme(url)));
        }
        let own_sslmode = node.kids.iter().find(|&&k| ys[k].key == "sslmode");
        let at = ys[*own_sslmode.unwrap_or(&node.kids[0])].at;
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
        out.found.push(hit);
    }
}

#[cfg(test)]
pub(super) mod cases {
    use super::super::tests::*;
    use super::*;

    /// This file's stacks, one hit per case, as the table test in
    /// [`super::super::tests`] reads them.
    pub(in super::super) const CASES: &[Case] = &[
        // ---- Rails
        case!("database.yml", "production:\n  adapter: postgresql\n  host: db.example.com\n  port: 5432\n  database: shop\n  username: shop\n  password: <%= ENV['DB_PASSWORD'] %>\n" => "Rails database.yml", PREFER, host "db.example.com", port 5432, user "shop", db "shop"),
        case!("database.yml", "production:\n  adapter: postgis\n  host: <%= ENV.fetch(\"DB_HOST\") %>\n  database: geo\n  sslmode: verify-full\n  sslrootcert: config/certs/global-bundle.pem\n" => "Rails database.yml", FULL, host "<%= ENV.fetch(\"DB_HOST\") %>", db "geo", trust "config/certs/global-bundle.pem"),
    ];
}
