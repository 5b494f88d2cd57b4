//! Block YAML read line by line, without a parser: each `key: value` line
//! with its indent, the children of a mapping key, and the mappings with
//! their anchors and merges resolved (`Mappings`: Rails' `database.yml`
//! `default: &default` / `<<: *default`). List items (`- …`) and flow
//! collections are not keys.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use super::lines::Lines;
use super::quote::unquote;

static YAML_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^( *)([A-Za-z0-9_.<\-]+|"[^"]*"|'[^']*')[ \t]*:(?:[ \t]+(.*?))?[ \t]*$"#)
        .expect("YAML pattern compiles")
});

/// One `key: value` line.
pub(crate) struct YLine<'a> {
    pub(crate) indent: usize,
    pub(crate) key: &'a str,
    /// The scalar, unquoted, without an inline comment; empty for a
    /// mapping's key.
    pub(crate) value: &'a str,
    /// Where the key starts.
    pub(crate) at: usize,
}

/// A scalar as written after `key:`: unquoted, or without its inline
/// comment.
pub(crate) fn yaml_scalar(v: &str) -> &str {
    let v = v.trim();
    if v.starts_with(['"', '\'']) {
        return unquote(v);
    }
    v.find(" #").map_or(v, |i| v[..i].trim_end())
}

/// Every `key: value` line of `text`, in order.
pub(crate) fn key_lines<'a>(text: &'a str, lines: &Lines) -> Vec<YLine<'a>> {
    let mut ys = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(c) = YAML_KEY.captures(line) {
            let indent = c[1].len();
            let key = unquote(c.get(2).expect("key").as_str());
            let value = c.get(3).map_or("", |v| yaml_scalar(v.as_str()));
            ys.push(YLine {
                indent,
                key,
                value,
                at: lines.starts()[i] + indent,
            });
        }
    }
    ys
}

/// The lines of `ys[i]`'s direct children: the keys after it, indented
/// more, at its first child's indent.
pub(crate) fn children(ys: &[YLine<'_>], i: usize) -> Vec<usize> {
    let mut kids = Vec::new();
    let mut child_indent = None;
    for (j, k) in ys.iter().enumerate().skip(i + 1) {
        if k.indent <= ys[i].indent {
            break;
        }
        if k.indent == *child_indent.get_or_insert(k.indent) {
            kids.push(j);
        }
    }
    kids
}

/// One mapping: the line of its key and the lines of its direct children.
struct Mapping {
    line: usize,
    kids: Vec<usize>,
}

/// The mappings of a YAML text, with `&anchor`s and `<<:` merges (`*a` or
/// `[*a, *b]`) resolved as YAML merge keys are: merged keys first, a
/// mapping's own keys over them.
pub(crate) struct Mappings<'a> {
    /// Every `key: value` line, as [`key_lines`] reads them.
    pub(crate) lines: Vec<YLine<'a>>,
    mappings: Vec<Mapping>,
    anchors: HashMap<&'a str, usize>,
    /// The mappings another one merges (templates).
    merged: HashSet<usize>,
}

impl<'a> Mappings<'a> {
    pub(crate) fn read(text: &'a str, lines: &Lines) -> Self {
        let ys = key_lines(text, lines);
        let mut mappings = Vec::new();
        let mut anchors = HashMap::new();
        for (i, y) in ys.iter().enumerate() {
            if !(y.value.is_empty() || y.value.starts_with('&')) {
                continue;
            }
            let kids = children(&ys, i);
            if kids.is_empty() {
                continue;
            }
            if let Some(anchor) = y
                .value
                .strip_prefix('&')
                .and_then(|a| a.split_whitespace().next())
            {
                anchors.insert(anchor, mappings.len());
            }
            mappings.push(Mapping { line: i, kids });
        }
        let mut this = Mappings {
            lines: ys,
            mappings,
            anchors,
            merged: HashSet::new(),
        };
        this.merged = (0..this.mappings.len())
            .flat_map(|m| this.merges(m))
            .collect();
        this
    }

    /// How many mappings there are; each is named by its index.
    pub(crate) fn len(&self) -> usize {
        self.mappings.len()
    }

    /// The line (in [`Self::lines`]) of mapping `m`'s key.
    pub(crate) fn key_line(&self, m: usize) -> usize {
        self.mappings[m].line
    }

    /// The lines of mapping `m`'s direct children, as written.
    pub(crate) fn kids(&self, m: usize) -> &[usize] {
        &self.mappings[m].kids
    }

    /// Whether another mapping merges `m` (a template such as Rails'
    /// `default: &default`).
    pub(crate) fn is_merged(&self, m: usize) -> bool {
        self.merged.contains(&m)
    }

    /// The mappings `m` merges, in the order written.
    fn merges(&self, m: usize) -> Vec<usize> {
        self.mappings[m]
            .kids
            .iter()
            .filter(|&&k| self.lines[k].key == "<<")
            .flat_map(|&k| self.lines[k].value.trim_matches(['[', ']']).split(','))
            .filter_map(|r| {
                r.trim()
                    .strip_prefix('*')
                    .and_then(|a| self.anchors.get(a).copied())
            })
            .collect()
    }

    /// Mapping `m`'s keys, merges resolved: key → its line. A key set
    /// empty is there with its empty value; callers read it as unset.
    pub(crate) fn resolved(&self, m: usize) -> HashMap<&'a str, usize> {
        let mut map = HashMap::new();
        self.resolve(m, 0, &mut map);
        map
    }

    fn resolve(&self, m: usize, depth: usize, map: &mut HashMap<&'a str, usize>) {
        // Merge loops (`a` merges `b` merges `a`) end here.
        if depth > 8 {
            return;
        }
        for merged in self.merges(m) {
            self.resolve(merged, depth + 1, map);
        }
        // A key the mapping sets without a value (YAML's null, or a nested
        // mapping) hides a merged one too: it reads as empty, not as the
        // template's value (a template's `sslmode: disable` must not stand
        // where the block cleared it).
        for &k in &self.mappings[m].kids {
            if self.lines[k].key != "<<" {
                map.insert(self.lines[k].key, k);
            }
        }
    }

    /// Where mapping `m`'s text ends: the end of its last descendant's line.
    pub(crate) fn end(&self, m: usize, text: &str) -> usize {
        let key = self.mappings[m].line;
        let last = self.lines[key + 1..]
            .iter()
            .take_while(|y| y.indent > self.lines[key].indent)
            .last()
            .unwrap_or(&self.lines[key]);
        text[last.at..]
            .find('\n')
            .map_or(text.len(), |i| last.at + i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_and_merges_resolve_as_yaml_merge_keys() {
        let text = "default: &default\n  adapter: mysql2\n  host: base\n  port: 3306\nextra: &extra\n  sslca: /ca.pem\nproduction:\n  <<: [*default, *extra]\n  host: prod\nloop: &loop\n  <<: *loop\n  host: l\nstaging:\n  <<: *default\n  host:\n";
        let lines = Lines::new(text);
        let yaml = Mappings::read(text, &lines);
        let name = |m: usize| yaml.lines[yaml.key_line(m)].key;
        /// (the mapping's key, whether another merges it, its keys resolved)
        type Row<'r> = (&'r str, bool, &'r [(&'r str, &'r str)]);
        let table: [Row<'_>; 5] = [
            (
                "default",
                true,
                &[("adapter", "mysql2"), ("host", "base"), ("port", "3306")],
            ),
            ("extra", true, &[("sslca", "/ca.pem")]),
            (
                "production",
                false,
                &[
                    ("adapter", "mysql2"),
                    ("host", "prod"),
                    ("port", "3306"),
                    ("sslca", "/ca.pem"),
                ],
            ),
            ("loop", true, &[("host", "l")]),
            // Set empty, the merged host is hidden, not inherited.
            (
                "staging",
                false,
                &[("adapter", "mysql2"), ("host", ""), ("port", "3306")],
            ),
        ];
        assert_eq!(yaml.len(), table.len());
        for (m, (key, merged, want)) in table.into_iter().enumerate() {
            assert_eq!(name(m), key);
            assert_eq!(yaml.is_merged(m), merged, "{key}");
            let mut got: Vec<(&str, &str)> = yaml
                .resolved(m)
                .into_iter()
                .map(|(k, line)| (k, yaml.lines[line].value))
                .collect();
            got.sort_unstable();
            assert_eq!(got, want, "{key}");
        }
        assert_eq!(
            &text[..yaml.end(0, text)],
            "default: &default\n  adapter: mysql2\n  host: base\n  port: 3306"
        );
    }

    #[test]
    fn keys_and_children() {
        let text = "db:\n  host: \"x\"  \n  ssl:\n    mode: verify-full # strict\n  - item: 1\n  port: 5432\ntop: 1\n";
        let lines = Lines::new(text);
        let ys = key_lines(text, &lines);
        let got: Vec<(usize, &str, &str)> = ys.iter().map(|y| (y.indent, y.key, y.value)).collect();
        assert_eq!(
            got,
            [
                (0, "db", ""),
                (2, "host", "x"),
                (2, "ssl", ""),
                (4, "mode", "verify-full"),
                (2, "port", "5432"),
                (0, "top", "1"),
            ]
        );
        assert_eq!(children(&ys, 0), [1, 2, 4]);
        assert_eq!(children(&ys, 2), [3]);
        assert_eq!(ys[3].at, text.find("mode").unwrap());
    }
}
