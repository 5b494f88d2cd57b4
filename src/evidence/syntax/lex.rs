//! Code read without a parser: the bracket around a place, the bracket
//! that closes one, top-level items split at a separator and `key: value`
//! entries, skipping string literals and comments.

use super::quote::unquote;

/// The `[`, `(` or `{` that opens the container around `at`, by bracket
/// counting (strings are not tracked backwards: settings files rarely
/// hold brackets in strings).
pub(crate) fn enclosing_open(text: &str, at: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.as_bytes()[..at].iter().enumerate().rev() {
        match b {
            b']' | b')' | b'}' => depth += 1,
            b'[' | b'(' | b'{' if depth == 0 => return Some(i),
            b'[' | b'(' | b'{' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Calls `f(i)` for each byte index of `s` outside string literals,
/// comments (`//`, `/* */`, and `#` when `hash_comments`) and nested
/// brackets; stops when `f` returns false or a bracket closes below the
/// start (returning that index).
fn scan_top_level(s: &str, hash_comments: bool, mut f: impl FnMut(usize) -> bool) -> Option<usize> {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = s[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 1);
            }
            b'#' if hash_comments => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            // Offered between characters only: callers cut the text there.
            _ if depth == 0 && s.is_char_boundary(i) && !f(i) => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// `s` without the comments (`//…`, `/*…*/`, `#…` when `hash_comments`)
/// that lead it.
fn skip_comments(s: &str, hash_comments: bool) -> &str {
    let mut s = s.trim_start();
    loop {
        let rest = if s.starts_with("//") || (hash_comments && s.starts_with('#')) {
            s.find('\n').map_or("", |i| &s[i + 1..])
        } else if let Some(body) = s.strip_prefix("/*") {
            body.find("*/").map_or("", |i| &body[i + 2..])
        } else {
            return s;
        };
        s = rest.trim_start();
    }
}

/// The index of the bracket closing the one at `open`.
pub(crate) fn matching_close(text: &str, open: usize, hash_comments: bool) -> Option<usize> {
    scan_top_level(&text[open + 1..], hash_comments, |_| true).map(|i| open + 1 + i)
}

/// `s` split at top-level `sep` bytes, trimmed, empties dropped.
pub(crate) fn split_top_level(s: &str, sep: u8, hash_comments: bool) -> Vec<&str> {
    let mut cuts = Vec::new();
    scan_top_level(s, hash_comments, |i| {
        if s.as_bytes()[i] == sep {
            cuts.push(i);
        }
        true
    });
    let mut parts = Vec::new();
    let mut from = 0;
    for cut in cuts.into_iter().chain(std::iter::once(s.len())) {
        let part = skip_comments(&s[from..cut], hash_comments).trim();
        if !part.is_empty() {
            parts.push(part);
        }
        from = cut + 1;
    }
    parts
}

/// `key: value`, `key=value`, `'key' => value` entries of an object,
/// argument list or array body, keys unquoted.
pub(crate) fn pairs<'a>(body: &'a str, sep: &str, hash_comments: bool) -> Vec<(String, &'a str)> {
    split_top_level(body, b',', hash_comments)
        .into_iter()
        .filter_map(|entry| {
            let mut at = None;
            scan_top_level(entry, hash_comments, |i| {
                if entry[i..].starts_with(sep)
                    && !(sep == "=" && entry[i..].starts_with("=="))
                    && !(sep == "=" && entry[i..].starts_with("=>"))
                {
                    at = Some(i);
                    return false;
                }
                true
            });
            let Some(i) = at else {
                // JS shorthand `{ ca }`.
                let ident = sep == ":"
                    && entry
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$');
                return ident.then(|| (entry.to_string(), entry));
            };
            let key = unquote(entry[..i].trim()).to_string();
            Some((key, entry[i + sep.len()..].trim()))
        })
        .collect()
}

/// A value in a Python dict / JS object literal: `{'ca': '/x.pem'}` → `/x.pem`.
pub(crate) fn dict_get<'a>(dict: &'a str, key: &str) -> Option<&'a str> {
    let inner = dict.trim().strip_prefix('{')?.strip_suffix('}')?;
    pairs(inner, ":", true)
        .into_iter()
        .find(|(k, _)| k.as_str() == key)
        .map(|(_, v)| unquote(v))
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_rows;
    use super::*;

    #[test]
    fn top_level_items() {
        assert_rows(
            |(text, hash_comments)| split_top_level(text, b',', hash_comments),
            &[
                (
                    ("a, f(b, c), 'd,e', {x: 1, y: 2}", false),
                    vec!["a", "f(b, c)", "'d,e'", "{x: 1, y: 2}"],
                ),
                (("a, // b, c\n d", false), vec!["a", "d"]),
                (("a, # b, c\n d", true), vec!["a", "d"]),
                (("a, /* b, */ c", false), vec!["a", "c"]),
                (("", false), vec![]),
            ],
        );
    }

    /// The offset of the bracket that closes the one at 0.
    #[test]
    fn the_closing_bracket() {
        assert_rows(
            |(text, hash_comments)| matching_close(text, 0, hash_comments),
            &[
                (("(a, (b), ')')", false), Some(12)),
                (("{a: '}'} x", false), Some(7)),
                (("[a # ]\n]", true), Some(7)),
                (("(never closed", false), None),
            ],
        );
    }

    #[test]
    fn the_open_bracket_around_a_place() {
        let text = "f(a, [b, c], d)";
        assert_rows(
            |at| enclosing_open(text, at),
            &[(3, Some(1)), (7, Some(5)), (13, Some(1)), (0, None)],
        );
    }

    #[test]
    fn a_dict_entry() {
        let dict = "{'ca': '/c.pem', 'check_hostname': False}";
        assert_rows(
            |key| dict_get(dict, key),
            &[
                ("ca", Some("/c.pem")),
                ("check_hostname", Some("False")),
                ("key", None),
            ],
        );
    }

    /// Found by the mutation test: a separator was looked for at every byte
    /// of an entry, and the text sliced there, inside multi-byte characters.
    #[test]
    fn entries_with_multi_byte_characters_split_between_characters() {
        let table = [
            (
                "h\u{e9}: 'x', ca: 'y'",
                ":",
                vec![("h\u{e9}", "'x'"), ("ca", "'y'")],
            ),
            ("\u{fffd}", ":", vec![]),
            (
                "ssl\u{1f600}={'ca': '/etc/rds.pem'}",
                "=",
                vec![("ssl\u{1f600}", "{'ca': '/etc/rds.pem'}")],
            ),
            (
                "host: 'db.amazonaws.c\u{20ac}om'",
                ":",
                vec![("host", "'db.amazonaws.c\u{20ac}om'")],
            ),
        ];
        for (body, sep, expected) in table {
            let entries = pairs(body, sep, false);
            let seen: Vec<(&str, &str)> = entries.iter().map(|(k, v)| (k.as_str(), *v)).collect();
            assert_eq!(seen, expected, "{body}");
        }
    }
}
