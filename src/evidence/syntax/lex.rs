//! Code read without a parser: the bracket around a place, the bracket
//! that closes one, top-level items split at a separator and `key: value`
//! entries, skipping string literals and comments. Two readers, still
//! (issue #13): [`Lex`], a file's strings, comments and bracket pairs found
//! once, and the functions below it, which scan a slice each time.

use std::collections::HashMap;

use regex::Regex;

use super::quote::unquote;

/// The comments of the language a text is read as; strings are read alike
/// in all (`'…'`, `"…"`, `` `…` ``, `'''…'''`, `"""…"""`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Comments {
    /// `#…` (Python).
    Hash,
    /// `//…` and `/*…*/` (JavaScript, Java, Prisma).
    Slash,
    /// Both (PHP; and configs whose comments are `#` but whose values may
    /// hold `//` code: ProxySQL, PgCat, Odyssey, Python calls as the MySQL
    /// and Oracle stacks read them).
    HashAndSlash,
}

impl Comments {
    /// Every kind, each at its [`Comments::index`].
    pub(crate) const COUNT: usize = 3;

    pub(crate) fn index(self) -> usize {
        match self {
            Comments::Hash => 0,
            Comments::Slash => 1,
            Comments::HashAndSlash => 2,
        }
    }

    fn hash(self) -> bool {
        self != Comments::Slash
    }

    fn slash(self) -> bool {
        self != Comments::Hash
    }
}

/// Where the string literals, comments and bracket pairs of a source file
/// are. Strings end at a newline unless triple-quoted or backquoted, so a
/// stray apostrophe spoils one line, not the file.
pub(crate) struct Lex {
    /// Start → (end, is a comment) of each string literal and comment.
    skips: HashMap<usize, (usize, bool)>,
    /// Comment ranges, ordered.
    comments: Vec<(usize, usize)>,
    /// Open → close index of each bracket pair.
    close_of: HashMap<usize, usize>,
    /// Bracket pairs ordered by the opening index.
    pairs: Vec<(usize, usize)>,
}

/// One `key: value` / `key => value` / `key=value` item of an object, dict,
/// array or argument list; `key` is None for positional items.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) key: Option<String>,
    pub(crate) value: (usize, usize),
}

impl Entry {
    pub(crate) fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.value.0..self.value.1]
    }

    pub(crate) fn key_lower(&self) -> Option<String> {
        self.key.as_deref().map(str::to_ascii_lowercase)
    }
}

impl Lex {
    pub(crate) fn new(text: &str, comments: Comments) -> Lex {
        let (hash_comments, slash_comments) = (comments.hash(), comments.slash());
        let b = text.as_bytes();
        let mut lex = Lex {
            skips: HashMap::new(),
            comments: Vec::new(),
            close_of: HashMap::new(),
            pairs: Vec::new(),
        };
        let mut stack: Vec<usize> = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            let next = b.get(i + 1).copied();
            let skip = match c {
                b'"' | b'\'' | b'`' => Some((string_end(b, i), false)),
                b'#' if hash_comments => Some((line_end(b, i), true)),
                b'/' if slash_comments && next == Some(b'/') => Some((line_end(b, i), true)),
                b'/' if slash_comments && next == Some(b'*') => Some((
                    memchr::memmem::find(&b[i + 2..], b"*/").map_or(b.len(), |e| i + 2 + e + 2),
                    true,
                )),
                _ => None,
            };
            if let Some((end, comment)) = skip {
                lex.skips.insert(i, (end, comment));
                if comment {
                    lex.comments.push((i, end));
                }
                i = end.max(i + 1);
                continue;
            }
            match c {
                b'(' | b'[' | b'{' => stack.push(i),
                b')' | b']' | b'}' => {
                    let want = match c {
                        b')' => b'(',
                        b']' => b'[',
                        _ => b'{',
                    };
                    if let Some(k) = stack.iter().rposition(|&o| b[o] == want) {
                        let open = stack[k];
                        stack.truncate(k);
                        lex.pairs.push((open, i));
                        lex.close_of.insert(open, i);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        lex.pairs.sort_unstable();
        lex
    }

    /// The bracket that closes the one at `open`.
    pub(crate) fn closing(&self, open: usize) -> Option<usize> {
        self.close_of.get(&open).copied()
    }

    pub(crate) fn in_comment(&self, at: usize) -> bool {
        let k = self.comments.partition_point(|&(s, _)| s <= at);
        k > 0 && at < self.comments[k - 1].1
    }

    /// The innermost bracket pair around `at` opened by one of `opens`.
    pub(crate) fn enclosing(&self, text: &str, at: usize, opens: &[u8]) -> Option<(usize, usize)> {
        let b = text.as_bytes();
        self.pairs
            .iter()
            .filter(|&&(o, c)| o < at && at < c && opens.contains(&b[o]))
            .max_by_key(|&&(o, _)| o)
            .copied()
    }

    /// The index after the token at `i`: past a whole string, comment or
    /// bracket group.
    pub(crate) fn step(&self, i: usize) -> usize {
        if let Some(&(end, _)) = self.skips.get(&i) {
            end.max(i + 1)
        } else if let Some(&close) = self.close_of.get(&i) {
            close + 1
        } else {
            i + 1
        }
    }

    pub(crate) fn skip_blank(&self, b: &[u8], mut i: usize, end: usize) -> usize {
        loop {
            while i < end && b[i].is_ascii_whitespace() {
                i += 1;
            }
            match self.skips.get(&i) {
                Some(&(e, true)) if i < end => i = e,
                _ => return i,
            }
        }
    }

    /// The end of a value starting at `start`: before trailing comments and
    /// whitespace.
    pub(crate) fn value_end(&self, b: &[u8], start: usize, end: usize) -> usize {
        let (mut i, mut last) = (start, start);
        while i < end {
            if let Some(&(_, true)) = self.skips.get(&i) {
                break;
            }
            let next = self.step(i).min(end);
            if !b[i].is_ascii_whitespace() {
                last = next;
            }
            i = next;
        }
        last
    }

    /// The items between the brackets at `open` and `close`.
    pub(crate) fn entries(&self, text: &str, open: usize, close: usize) -> Vec<Entry> {
        let b = text.as_bytes();
        let mut out = Vec::new();
        let mut i = open + 1;
        while i < close {
            let mut j = i;
            while j < close && b[j] != b',' {
                j = self.step(j);
            }
            let end = j.min(close);
            if let Some(e) = self.entry(text, i, end) {
                out.push(e);
            }
            i = end + 1;
        }
        out
    }

    fn entry(&self, text: &str, start: usize, end: usize) -> Option<Entry> {
        let b = text.as_bytes();
        let at = self.skip_blank(b, start, end);
        if at >= end {
            return None;
        }
        let mut k = at;
        let key = if matches!(b[k], b'"' | b'\'') {
            let &(e, _) = self.skips.get(&k)?;
            let e = e.min(end);
            let key = text.get(k + 1..e.saturating_sub(1).max(k + 1));
            k = e;
            key
        } else {
            while k < end
                && (b[k].is_ascii_alphanumeric() || matches!(b[k], b'_' | b'$' | b'.' | b'-'))
            {
                k += 1;
            }
            (k > at).then(|| &text[at..k])
        };
        let mut s = k;
        while s < end && b[s].is_ascii_whitespace() {
            s += 1;
        }
        let sep = if text[s..end].starts_with("=>") {
            Some(2)
        } else if s < end && (b[s] == b':' || b[s] == b'=') && b.get(s + 1) != Some(&b[s]) {
            Some(1)
        } else {
            None
        };
        Some(match (key, sep) {
            (Some(key), Some(n)) => {
                let vs = self.skip_blank(b, s + n, end);
                Entry {
                    key: Some(key.to_string()),
                    value: (vs, self.value_end(b, vs, end).max(vs)),
                }
            }
            _ => Entry {
                key: None,
                value: (at, self.value_end(b, at, end).max(at)),
            },
        })
    }

    /// The object/dict/array a value opens (`{…}`, `[…]`, `dict(…)`,
    /// `array(…)`), as its bracket pair.
    pub(crate) fn object_at(&self, text: &str, at: usize) -> Option<(usize, usize)> {
        let rest = &text[at..];
        let open = if rest.starts_with(['{', '[']) {
            at
        } else if rest.starts_with("dict(") {
            at + 4
        } else if rest.starts_with("array(") {
            at + 5
        } else {
            return None;
        };
        self.close_of.get(&open).map(|&c| (open, c))
    }

    /// The object literal assigned to `ident` in this file
    /// (`const ident = {…}`, `ident: Type = {…}`, Python `ident = {…}`).
    pub(crate) fn object_named(&self, text: &str, ident: &str) -> Option<(usize, usize)> {
        let re = Regex::new(&format!(
            r"(?-u:\b){}\s*(?::\s*[\w.<>\[\]| ]+)?=\s*(?:dict\(|\{{)",
            regex::escape(ident)
        ))
        .ok()?;
        re.find_iter(text)
            .filter(|m| !self.in_comment(m.start()))
            .find_map(|m| {
                let open = m.end() - 1;
                self.close_of.get(&open).map(|&c| (open, c))
            })
    }
}

/// Where the line holding `i` ends: its newline, or the end.
pub(crate) fn line_end(b: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |e| i + e)
}

fn string_end(b: &[u8], i: usize) -> usize {
    let q = b[i];
    if q != b'`' && b[i..].starts_with(&[q, q, q]) {
        return memchr::memmem::find(&b[i + 3..], &[q, q, q]).map_or(b.len(), |e| i + 3 + e + 3);
    }
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            c if c == q => return j + 1,
            b'\n' if q != b'`' => return j,
            _ => j += 1,
        }
    }
    b.len()
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

/// The value of the first of [`pairs`]' entries named `key`, as written.
pub(crate) fn entry<'a>(entries: &[(String, &'a str)], key: &str) -> Option<&'a str> {
    entries
        .iter()
        .find(|(k, _)| k.as_str() == key)
        .map(|(_, v)| *v)
}

/// A value in a Python dict / JS object literal: `{'ca': '/x.pem'}` → `/x.pem`.
pub(crate) fn dict_get<'a>(dict: &'a str, key: &str) -> Option<&'a str> {
    let inner = dict.trim().strip_prefix('{')?.strip_suffix('}')?;
    entry(&pairs(inner, ":", true), key).map(unquote)
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_rows;
    use super::*;

    #[test]
    fn the_first_entry_of_a_key() {
        let body = "host='db', 'port': 3306, host='other', ssl";
        assert_rows(
            |key| entry(&pairs(body, "=", true), key),
            &[("host", Some("'db'")), ("ssl", None), ("user", None)],
        );
        assert_rows(
            |key| entry(&pairs("'ca': '/x.pem', verify: true", ":", true), key),
            &[
                ("ca", Some("'/x.pem'")),
                ("verify", Some("true")),
                ("cert", None),
            ],
        );
    }

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

    /// (source, where to look) → the `{…}` around it, as text.
    #[test]
    fn lex_the_object_around_a_place() {
        let enclosing = |text: &'static str| {
            let lex = Lex::new(text, Comments::HashAndSlash);
            let at = text.find("HOST").expect("a place");
            lex.enclosing(text, at, b"{")
                .map(|(open, close)| &text[open..=close])
        };
        assert_rows(
            enclosing,
            &[
                ("x = {'HOST': 'db'}", Some("{'HOST': 'db'}")),
                ("{'a': {'HOST': 'db'}}", Some("{'HOST': 'db'}")),
                // A bracket in a string or a comment is not one.
                ("{'a': '}', 'HOST': 'db'}", Some("{'a': '}', 'HOST': 'db'}")),
                ("{# }\n'HOST': 'db'}", Some("{# }\n'HOST': 'db'}")),
                ("'{' HOST", None),
            ],
        );
    }

    /// An object's entries: (key, value as written).
    #[test]
    fn lex_entries() {
        let entries = |text: &'static str| {
            let lex = Lex::new(text, Comments::HashAndSlash);
            let (open, close) = lex.object_at(text, 0).expect("an object");
            lex.entries(text, open, close)
                .iter()
                .map(|e| (e.key.clone(), e.text(text)))
                .collect::<Vec<_>>()
        };
        let key = |k: &str| Some(k.to_string());
        assert_rows(
            entries,
            &[
                (
                    "{'HOST': 'db', \"PORT\": 5432}",
                    vec![(key("HOST"), "'db'"), (key("PORT"), "5432")],
                ),
                (
                    "['host' => env('DB_HOST', 'x'), 'port' => 5432 /* pg */]",
                    vec![(key("host"), "env('DB_HOST', 'x')"), (key("port"), "5432")],
                ),
                (
                    "{ host: 'a,b', ssl: { ca }, // c\n}",
                    vec![(key("host"), "'a,b'"), (key("ssl"), "{ ca }")],
                ),
                ("dict(host='db')", vec![(key("host"), "'db'")]),
                ("{'it\\'s': 1}", vec![(key("it\\'s"), "1")]),
                ("[1, x == y]", vec![(None, "1"), (None, "x == y")]),
            ],
        );
    }

    #[test]
    fn lex_comments() {
        let text = "a # b\n'#' c // d\n/* e */ f";
        let lex = Lex::new(text, Comments::HashAndSlash);
        assert_rows(
            |needle: &str| lex.in_comment(text.find(needle).expect("a place")),
            &[
                ("a", false),
                ("b", true),
                ("'#'", false),
                ("c", false),
                ("d", true),
                ("e", true),
                ("f", false),
            ],
        );
    }
}
