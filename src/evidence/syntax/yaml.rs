//! Block YAML read line by line, without a parser: each `key: value` line
//! with its indent, and the children of a mapping key. Anchors and merges
//! are the reader's caller's (Rails' `database.yml`); list items (`- …`)
//! and flow collections are not keys.

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

#[cfg(test)]
mod tests {
    use super::*;

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
