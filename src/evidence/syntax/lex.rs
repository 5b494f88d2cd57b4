//! Code read without a parser, by one reader: [`Lex`] finds a text's
//! string literals, comments and bracket pairs once, and answers from them
//! what detectors ask of code: the bracket that closes one
//! ([`Lex::closing`]) or encloses a place ([`Lex::enclosing`]), the
//! top-level items of a bracket body ([`Lex::items`], [`Lex::split`]), a
//! separator outside strings, comments and brackets
//! ([`Lex::find_top_level`]), and `key: value` entries ([`Lex::pairs`] at
//! a separator the caller names, [`Lex::entries`] at whichever of `:`, `=`
//! and `=>` an entry has, with offsets). A file is lexed once per kind of
//! comment, by [`crate::evidence::FileCtx::lex`], and only when a detector
//! has found something to read in it; a short value (an option's dict) is
//! lexed alone ([`value_items`], [`value_pairs`], [`dict_get`]).

use std::collections::HashMap;
use std::ops::Range;

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
    brackets: Vec<(usize, usize)>,
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
            brackets: Vec::new(),
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
                        lex.brackets.push((open, i));
                        lex.close_of.insert(open, i);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        lex.brackets.sort_unstable();
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
        self.brackets
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

    /// The first index of `range` outside strings, comments and nested
    /// brackets where `found` holds, offered between characters only (so a
    /// caller may cut the text there). None when there is none, or when a
    /// bracket that does not close within `range` comes first: what follows
    /// it is not top level.
    pub(crate) fn find_top_level(
        &self,
        text: &str,
        range: Range<usize>,
        mut found: impl FnMut(usize) -> bool,
    ) -> Option<usize> {
        let b = text.as_bytes();
        let mut i = range.start;
        while i < range.end {
            if let Some(&(end, _)) = self.skips.get(&i) {
                i = end.max(i + 1);
                continue;
            }
            match b[i] {
                b'(' | b'[' | b'{' => match self.close_of.get(&i) {
                    Some(&close) if close < range.end => {
                        i = close + 1;
                        continue;
                    }
                    _ => return None,
                },
                b')' | b']' | b'}' => return None,
                _ if text.is_char_boundary(i) && found(i) => return Some(i),
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// The items of `range` between top-level `sep` bytes, each without
    /// the whitespace around it and the comments that lead it; empty items
    /// left out.
    pub(crate) fn split<'t>(&self, text: &'t str, range: Range<usize>, sep: u8) -> Vec<&'t str> {
        self.item_ranges(text, range, sep)
            .into_iter()
            .map(|item| &text[item])
            .collect()
    }

    /// The `,`-separated items between the bracket at `open` and the one
    /// closing it (none when it does not close): a call's arguments, an
    /// array's elements.
    pub(crate) fn items<'t>(&self, text: &'t str, open: usize) -> Vec<&'t str> {
        match self.closing(open) {
            Some(close) => self.split(text, open + 1..close, b','),
            None => Vec::new(),
        }
    }

    /// The `key<sep>value` items of `range` (an object, argument list or
    /// array body; `sep` is `:`, `=` or `=>`), as (key unquoted, value as
    /// written). The key is all before the first top-level `sep` (`=` not
    /// of `==` or `=>`); an item without one is left out, but for a
    /// JavaScript shorthand `{ ca }` (`sep` `:`), its name both key and
    /// value. Unlike [`Lex::entries`], which reads the separator each entry
    /// has, keys of words only, and keeps positional items.
    pub(crate) fn pairs<'t>(
        &self,
        text: &'t str,
        range: Range<usize>,
        sep: &str,
    ) -> Vec<(String, &'t str)> {
        self.item_ranges(text, range, b',')
            .into_iter()
            .filter_map(|item| {
                let entry = &text[item.clone()];
                let at = self.find_top_level(text, item.clone(), |i| {
                    let rest = &text[i..item.end];
                    rest.starts_with(sep)
                        && !(sep == "=" && (rest.starts_with("==") || rest.starts_with("=>")))
                });
                let Some(at) = at else {
                    let shorthand = sep == ":"
                        && entry
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$');
                    return shorthand.then(|| (entry.to_string(), entry));
                };
                let key = unquote(text[item.start..at].trim()).to_string();
                Some((key, text[at + sep.len()..item.end].trim()))
            })
            .collect()
    }

    /// Where [`Lex::split`]'s items are.
    fn item_ranges(&self, text: &str, range: Range<usize>, sep: u8) -> Vec<Range<usize>> {
        let b = text.as_bytes();
        let mut items = Vec::new();
        let mut from = range.start;
        loop {
            let cut = self.find_top_level(text, from..range.end, |i| b[i] == sep);
            let end = cut.unwrap_or(range.end);
            let start = self.after_comments(text, from, end);
            let item_end = start + text[start..end].trim_end().len();
            if start < item_end {
                items.push(start..item_end);
            }
            match cut {
                Some(cut) => from = cut + 1,
                None => return items,
            }
        }
    }

    /// The index in `from..end` after the whitespace and comments that
    /// start there.
    fn after_comments(&self, text: &str, mut from: usize, end: usize) -> usize {
        loop {
            from = end - text[from..end].trim_start().len();
            match self.skips.get(&from) {
                Some(&(after, true)) if from < end => from = after.min(end),
                _ => return from,
            }
        }
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

/// The first of [`Lex::pairs`]' entries named `key`, as written.
pub(crate) fn entry<'a>(entries: &[(String, &'a str)], key: &str) -> Option<&'a str> {
    entries
        .iter()
        .find(|(k, _)| k.as_str() == key)
        .map(|(_, v)| *v)
}

/// A short value's top-level items at `,` ([`Lex::split`] over the value
/// alone).
pub(crate) fn value_items(value: &str, comments: Comments) -> Vec<&str> {
    Lex::new(value, comments).split(value, 0..value.len(), b',')
}

/// A short value's `key<sep>value` entries ([`Lex::pairs`] over the value
/// alone): the inside of an options array or a nested object.
pub(crate) fn value_pairs<'a>(
    value: &'a str,
    sep: &str,
    comments: Comments,
) -> Vec<(String, &'a str)> {
    Lex::new(value, comments).pairs(value, 0..value.len(), sep)
}

/// A value in a Python dict / JS object literal: `{'ca': '/x.pem'}` → `/x.pem`.
pub(crate) fn dict_get<'a>(dict: &'a str, key: &str) -> Option<&'a str> {
    let inner = dict.trim().strip_prefix('{')?.strip_suffix('}')?;
    entry(&value_pairs(inner, ":", Comments::HashAndSlash), key).map(unquote)
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_rows;
    use super::*;

    /// Each row's value read alone: `,`-separated items, a key's first
    /// value.
    #[test]
    fn the_first_entry_of_a_key() {
        let body = "host='db', 'port': 3306, host='other', ssl";
        assert_rows(
            |key| entry(&value_pairs(body, "=", Comments::HashAndSlash), key),
            &[("host", Some("'db'")), ("ssl", None), ("user", None)],
        );
        let body = "'ca': '/x.pem', verify: true";
        assert_rows(
            |key| entry(&value_pairs(body, ":", Comments::HashAndSlash), key),
            &[
                ("ca", Some("'/x.pem'")),
                ("verify", Some("true")),
                ("cert", None),
            ],
        );
    }

    /// (text, its comments) → its top-level items at `,`.
    #[test]
    fn top_level_items() {
        assert_rows(
            |(text, comments)| value_items(text, comments),
            &[
                (
                    ("a, f(b, c), 'd,e', {x: 1, y: 2}", Comments::Slash),
                    vec!["a", "f(b, c)", "'d,e'", "{x: 1, y: 2}"],
                ),
                (("a, // b, c\n d", Comments::Slash), vec!["a", "d"]),
                (("a, # b, c\n d", Comments::HashAndSlash), vec!["a", "d"]),
                (
                    ("a, # b, c\n d", Comments::Slash),
                    vec!["a", "# b", "c\n d"],
                ),
                (("a, /* b, */ c", Comments::Slash), vec!["a", "c"]),
                // A comment that trails an item stays with it.
                (("a // b\n, c", Comments::Slash), vec!["a // b", "c"]),
                (("", Comments::Slash), vec![]),
                ((" , \u{a0}a\u{a0},", Comments::Slash), vec!["a"]),
                // What follows a bracket that does not close is one item.
                (("a, (b, c", Comments::Slash), vec!["a", "(b, c"]),
                (("a, b), c", Comments::Slash), vec!["a", "b), c"]),
            ],
        );
    }

    /// A bracket's items, where the text is a whole file.
    #[test]
    fn the_items_of_a_bracket() {
        assert_rows(
            |text: &str| {
                let lex = Lex::new(text, Comments::HashAndSlash);
                lex.items(text, text.find('(').expect("a bracket"))
            },
            &[
                (
                    "x = f(a, g(b, c), 'd)', # e, f\n h)",
                    vec!["a", "g(b, c)", "'d)'", "h"],
                ),
                ("f()", vec![]),
                ("f(a, b", vec![]),
            ],
        );
    }

    /// (text, comments) → where the first top-level `=` is.
    #[test]
    fn a_separator_at_top_level() {
        assert_rows(
            |(text, comments): (&str, Comments)| {
                let lex = Lex::new(text, comments);
                lex.find_top_level(text, 0..text.len(), |i| text.as_bytes()[i] == b'=')
            },
            &[
                (("a(=) '=' [=] {=} = b", Comments::Slash), Some(17)),
                (("a /* = */ # =\n=", Comments::HashAndSlash), Some(14)),
                (("a # =\n=", Comments::Slash), Some(4)),
                // Past a bracket that does not close, nothing is top level.
                (("a (= b", Comments::Slash), None),
                (("a ) = b", Comments::Slash), None),
                (("a b", Comments::Slash), None),
            ],
        );
    }

    /// (text, separator) → the pairs between the first bracket and its
    /// close.
    #[test]
    fn pairs_of_a_bracket() {
        let read = |(text, sep): (&'static str, &'static str)| {
            let lex = Lex::new(text, Comments::HashAndSlash);
            let open = text.find(['(', '{', '[']).expect("a bracket");
            let close = lex.closing(open).expect("it closes");
            lex.pairs(text, open + 1..close, sep)
        };
        let p = |v: &[(&str, &'static str)]| -> Vec<(String, &'static str)> {
            v.iter().map(|(k, v)| (k.to_string(), *v)).collect()
        };
        assert_rows(
            read,
            &[
                (
                    (
                        "connect(host='db', port=(3306), f(y), **kw, 'ssl'= {'a': 1})",
                        "=",
                    ),
                    p(&[("host", "'db'"), ("port", "(3306)"), ("ssl", "{'a': 1}")]),
                ),
                (
                    ("[PDO::MYSQL_ATTR_SSL_CA => $ca, 'x' => f(a => b)]", "=>"),
                    p(&[("PDO::MYSQL_ATTR_SSL_CA", "$ca"), ("x", "f(a => b)")]),
                ),
                // A shorthand `{ ca }` is its own key.
                (
                    ("{ ca, 'host': 'db:5432', ...rest }", ":"),
                    p(&[("ca", "ca"), ("host", "'db:5432'")]),
                ),
                // `=>` is no `=`.
                (("f(a => 1)", "="), p(&[])),
            ],
        );
    }

    /// (text, comments) → the bracket that closes the one at 0.
    #[test]
    fn the_closing_bracket() {
        assert_rows(
            |(text, comments)| Lex::new(text, comments).closing(0),
            &[
                (("(a, (b), ')')", Comments::Slash), Some(12)),
                (("{a: '}'} x", Comments::Slash), Some(7)),
                (("[a # ]\n]", Comments::HashAndSlash), Some(7)),
                (("[a # ]\n]", Comments::Slash), Some(5)),
                (("(a // )\n)", Comments::Slash), Some(8)),
                (("(a // )\n)", Comments::Hash), Some(6)),
                (("(never closed", Comments::Slash), None),
                // A quote ends at its line's end, unless tripled or a
                // backquote: a stray apostrophe spoils one line.
                (("(it's\n)", Comments::Slash), Some(6)),
                (("('''a\n)''')", Comments::Hash), Some(10)),
                (("(`a\n)`)", Comments::Slash), Some(6)),
                (("('a\\')')", Comments::Slash), Some(7)),
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
            let entries = value_pairs(body, sep, Comments::Slash);
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
