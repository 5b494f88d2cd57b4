//! `key=value;` connection strings — ADO.NET (SqlClient, Npgsql,
//! MySqlConnector, Connector/NET), ODBC, OLE DB, and the `;key=value`
//! properties of SQL Server's JDBC and Prisma URLs: where such a string
//! stands in a file, its pairs (keys normalized, quoted and `{…}` values read,
//! each with its offset), and the string with its secrets masked.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::kv::norm_key;
use super::quote::unquote;

static RUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:[a-z][a-z0-9 _]{0,40}=[^;"'<>\n]*;[ \t]*){2,}(?:[a-z][a-z0-9 _]{0,40}=[^;"'<>\n]*)?"#)
        .expect("connection string pattern compiles")
});

/// A connection string's span in the file's text.
pub(crate) struct Run<'a> {
    pub(crate) start: usize,
    pub(crate) text: &'a str,
}

impl<'a> Run<'a> {
    pub(crate) fn start(&self) -> usize {
        self.start
    }
    pub(crate) fn end(&self) -> usize {
        self.start + self.text.len()
    }

    /// Its pairs as Npgsql and MySQL's .NET drivers read them (their
    /// builders take `{…}` as written: ODBC's braces are not theirs), and
    /// where the string starts in the file: at its first pair, past what
    /// stands before a first key `is_key` does not know (see
    /// [`Lead::Known`]).
    pub(crate) fn pairs(&self, is_key: impl Fn(&str) -> bool) -> (usize, Vec<Pair<'a>>) {
        let dialect = Dialect {
            braces: false,
            lead: Lead::Known(&is_key),
        };
        let pairs = pairs(self.text, dialect);
        let start = self.start + pairs.first().map_or(0, |p| p.offset);
        (start, pairs)
    }
}

/// `key=value;` runs, searched line by line (a run never spans lines) and
/// only on lines that could hold one: over a whole source file the pattern's
/// counted repetitions overflow regex's DFA cache, and it falls back to a
/// hundred times slower engine. Its values hold no quotes: a quoted string
/// is found around its key ([`enclosing_span`]).
pub(crate) fn runs(text: &str) -> impl Iterator<Item = Run<'_>> {
    let mut line_start = 0;
    text.split_inclusive('\n').flat_map(move |line| {
        let start = line_start;
        line_start += line.len();
        let candidate = line.contains(';') && line.bytes().filter(|&b| b == b'=').count() >= 2;
        candidate
            .then(|| {
                RUN.find_iter(line).map(move |m| Run {
                    start: start + m.start(),
                    text: m.as_str(),
                })
            })
            .into_iter()
            .flatten()
    })
}

/// The quoted string around `at`, or the rest of its line: where a
/// connection string whose key stands at `at` lies.
pub(crate) fn enclosing_span(text: &str, at: usize) -> (usize, usize) {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let bytes = text.as_bytes();
    let mut open: Option<(u8, usize)> = None;
    for (i, &b) in bytes.iter().enumerate().take(at).skip(line_start) {
        match open {
            Some((q, _)) if b == q => open = None,
            None if matches!(b, b'"' | b'\'' | b'`') => open = Some((b, i)),
            _ => {}
        }
    }
    match open {
        Some((q, i)) => {
            let end = text[at..line_end]
                .find(q as char)
                .map_or(line_end, |e| at + e);
            (i + 1, end)
        }
        None => {
            let end = line_start + text[line_start..line_end].trim_end().len();
            (line_start, end.max(at))
        }
    }
}

/// One `key=value` of a connection string.
#[derive(Debug, PartialEq)]
pub(crate) struct Pair<'a> {
    /// Normalized key ([`norm_key`]: `SSL Mode` is `sslmode`).
    pub(crate) key: String,
    /// The value read: trimmed, out of its quotes (a doubled quote inside
    /// is one) or, with ODBC's braces, out of its `{…}`.
    pub(crate) value: Cow<'a, str>,
    /// Byte offset of the key in the string read.
    pub(crate) offset: usize,
    /// The value as written (braces, quotes), in the string read.
    pub(crate) raw: Range<usize>,
}

/// How a connection string is written.
#[derive(Clone, Copy)]
pub(crate) struct Dialect<'k> {
    /// `{…}` holds a value, `;` and all (ODBC, OLE DB); ADO.NET's builders
    /// take braces as written.
    pub(crate) braces: bool,
    /// What may stand before the first key.
    pub(crate) lead: Lead<'k>,
}

/// What may stand before a connection string's first key, in the text a
/// reader is given.
#[derive(Clone, Copy)]
pub(crate) enum Lead<'k> {
    /// The text is a quoted string's or a line's: the assignment that holds
    /// the string is skipped, `NAME=` (an env var: two `=` before any `{`)
    /// or `name: ` (a YAML key).
    Assignment,
    /// The text is a run found in free text: a first key the function does
    /// not know is an assignment's name when its value holds a `=`
    /// (`ConnectionStrings__Default=Host=…`), else prose whose last word is
    /// the key (`use Host=…`).
    Known(&'k dyn Fn(&str) -> bool),
}

/// The dialect of SQL Server's strings: ODBC's braces, found as quoted
/// strings or lines.
pub(crate) const ODBC: Dialect<'static> = Dialect {
    braces: true,
    lead: Lead::Assignment,
};

/// `text`'s `key=value` pairs: `;` separates them, except inside a quoted
/// value (`Password="a;b"`, `'it''s'`) or, with braces, a `{…}` one. A piece
/// without `=` or whose key is not a word is left out.
pub(crate) fn pairs<'a>(text: &'a str, dialect: Dialect<'_>) -> Vec<Pair<'a>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut seg_start = 0;
    let mut i = 0;
    let mut depth = 0;
    let mut quote: Option<u8> = None;
    while i <= bytes.len() {
        let b = bytes.get(i).copied();
        match (b, quote) {
            // A doubled quote inside a quoted value is one quote.
            (Some(q), Some(open)) if q == open && bytes.get(i + 1) == Some(&q) => i += 1,
            (Some(q), Some(open)) if q == open => quote = None,
            (Some(_), Some(_)) => {}
            (Some(b'{'), None) if dialect.braces => depth += 1,
            (Some(b'}'), None) if dialect.braces => depth -= 1,
            // A quoted value.
            (Some(q @ (b'"' | b'\'')), None)
                if depth == 0 && text[seg_start..i].trim_end().ends_with('=') =>
            {
                quote = Some(q);
            }
            (Some(b';') | None, None) if depth <= 0 => {
                let lead = out.is_empty().then_some(dialect.lead);
                if let Some(pair) = pair(&text[seg_start..i], seg_start, lead, dialect.braces) {
                    out.push(pair);
                }
                seg_start = i + 1;
                depth = 0;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// One piece, at `seg_start`; `lead` for the first pair.
fn pair<'a>(
    seg: &'a str,
    seg_start: usize,
    lead: Option<Lead<'_>>,
    braces: bool,
) -> Option<Pair<'a>> {
    let mut seg_off = seg_start + (seg.len() - seg.trim_start().len());
    let mut seg = seg.trim();
    let mut key = None;
    if let Some(lead) = lead {
        let (cut, lead_key) = lead.skip(seg);
        seg_off += cut;
        seg = &seg[cut..];
        key = lead_key;
    }
    let (k, v) = seg.split_once('=')?;
    let raw_start = seg_off + k.len() + 1 + (v.len() - v.trim_start().len());
    let raw = raw_start..(seg_off + seg.trim_end().len()).max(raw_start);
    let key = key.unwrap_or_else(|| norm_key(k));
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some(Pair {
        key,
        value: value(v, braces),
        offset: seg_off,
        raw,
    })
}

impl Lead<'_> {
    /// How many bytes of the trimmed first piece `seg` stand before its key,
    /// and the key when it is not the text before the first `=` (prose's
    /// last word).
    fn skip(self, seg: &str) -> (usize, Option<String>) {
        match self {
            Lead::Assignment => {
                // `ConnectionStrings__Default=Server=…`, `export X=Driver={…}`,
                // `connectionString: Server=…`.
                let mut cut = 0;
                let brace = seg.find('{').unwrap_or(seg.len());
                if seg[..brace].matches('=').count() >= 2 {
                    cut = seg.find('=').map_or(0, |i| i + 1);
                }
                let rest = &seg[cut..];
                if let Some(colon) = rest.find(": ")
                    && colon < rest.find('=').unwrap_or(0)
                {
                    cut += colon + 2;
                }
                cut += seg[cut..].len() - seg[cut..].trim_start().len();
                (cut, None)
            }
            Lead::Known(is_key) => {
                let Some((k, v)) = seg.split_once('=') else {
                    return (0, None);
                };
                if is_key(&norm_key(k)) {
                    (0, None)
                } else if v.contains('=') {
                    (k.len() + 1 + (v.len() - v.trim_start().len()), None)
                } else {
                    let word = k.trim_end().rsplit([' ', '\t']).next().unwrap_or(k);
                    let at = k.trim_end().len() - word.len();
                    (at, Some(norm_key(word)))
                }
            }
        }
    }
}

/// A value as the drivers read it: trimmed, `{…}` (with braces) or quotes
/// taken off, a doubled quote inside quotes one quote.
fn value(v: &str, braces: bool) -> Cow<'_, str> {
    let v = v.trim();
    if braces && let Some(inner) = v.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
        return Cow::Borrowed(inner.trim());
    }
    let inner = unquote(v);
    let doubled = match v.as_bytes().first() {
        Some(b'"') => "\"\"",
        Some(b'\'') => "''",
        _ => "",
    };
    if !doubled.is_empty() && inner.len() + 2 == v.len() && inner.contains(doubled) {
        return Cow::Owned(inner.replace(doubled, &doubled[1..]).trim().to_string());
    }
    Cow::Borrowed(inner.trim())
}

/// Keys whose values are never shown.
pub(crate) fn is_secret(key: &str) -> bool {
    [
        "pwd",
        "password",
        "passphrase",
        "secret",
        "token",
        "accesskey",
    ]
    .iter()
    .any(|s| key.contains(s))
}

/// `text[from..]` with secret values replaced by `****`, whatever they
/// hold (`PWD={a;b}` defeats a pattern); `pairs` are `text`'s.
pub(crate) fn masked_from(text: &str, pairs: &[Pair<'_>], from: usize) -> String {
    let mut out = String::new();
    let mut at = from;
    for p in pairs
        .iter()
        .filter(|p| is_secret(&p.key) && p.raw.start >= from)
    {
        out.push_str(&text[at..p.raw.start]);
        out.push_str("****");
        at = p.raw.end;
    }
    out.push_str(&text[at..]);
    out
}

/// `;key=value;key={va;lue}` properties (JDBC's, a Prisma URL's: keys
/// normalized) and the text with secrets masked.
pub(crate) fn jdbc_props(props: &str) -> (Vec<(String, String)>, String) {
    let pairs = pairs(props, ODBC);
    let masked = masked_from(props, &pairs, 0);
    let params = pairs
        .into_iter()
        .map(|p| (p.key, p.value.into_owned()))
        .collect();
    (params, masked)
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_rows;
    use super::*;

    /// Each pair as (key, value, offset of the key).
    fn read(text: &str, dialect: Dialect<'_>) -> Vec<(String, String, usize)> {
        pairs(text, dialect)
            .into_iter()
            .map(|p| (p.key, p.value.into_owned(), p.offset))
            .collect()
    }

    fn rows(v: &[(&str, &str, usize)]) -> Vec<(String, String, usize)> {
        v.iter()
            .map(|(k, v, at)| (k.to_string(), v.to_string(), *at))
            .collect()
    }

    #[test]
    fn odbc_strings_found_as_strings_or_lines() {
        assert_rows(
            |text| read(text, ODBC),
            &[
                (
                    "Driver={ODBC Driver 18};Server=db;PWD={a;b}",
                    rows(&[
                        ("driver", "ODBC Driver 18", 0),
                        ("server", "db", 24),
                        ("pwd", "a;b", 34),
                    ]),
                ),
                // Quotes hold a `;`; a doubled quote inside them is one
                // quote (ADO.NET's rule), not their end.
                (
                    "Server=db;Password=\"a;b\";User Id='x'",
                    rows(&[
                        ("server", "db", 0),
                        ("password", "a;b", 10),
                        ("userid", "x", 25),
                    ]),
                ),
                (
                    "Password=\"a\"\";b\";Server=db",
                    rows(&[("password", "a\";b", 0), ("server", "db", 17)]),
                ),
                (
                    "Password='it''s';Server=db",
                    rows(&[("password", "it's", 0), ("server", "db", 17)]),
                ),
                // Empty values; keys compared as drivers do.
                (
                    "Password=;SERVER = db; SSL Mode=Require;Initial_Catalog=",
                    rows(&[
                        ("password", "", 0),
                        ("server", "db", 10),
                        ("sslmode", "Require", 23),
                        ("initialcatalog", "", 40),
                    ]),
                ),
                // The assignment holding the string.
                (
                    "ConnectionStrings__Default=Server=db;Database=x",
                    rows(&[("server", "db", 27), ("database", "x", 37)]),
                ),
                (
                    "connectionString: Address=db;Encrypt=yes",
                    rows(&[("address", "db", 18), ("encrypt", "yes", 29)]),
                ),
                (
                    "export X=Driver={a=b};Server=db",
                    rows(&[("driver", "a=b", 9), ("server", "db", 22)]),
                ),
                // Not pairs.
                ("; Server=db;a-b/c=1;x", rows(&[("server", "db", 2)])),
            ],
        );
    }

    #[test]
    fn ado_net_runs_in_free_text() {
        let is_key = |k: &str| matches!(k, "host" | "server" | "port");
        let ado = Dialect {
            braces: false,
            lead: Lead::Known(&is_key),
        };
        assert_rows(
            |text| read(text, ado),
            &[
                // Npgsql and MySQL's .NET drivers take braces as written.
                (
                    "Server={0};Port=1",
                    rows(&[("server", "{0}", 0), ("port", "1", 11)]),
                ),
                (
                    "Host=a=b;Port=1",
                    rows(&[("host", "a=b", 0), ("port", "1", 9)]),
                ),
                (
                    "ConnectionStrings__Default=Host=db;Port=1",
                    rows(&[("host", "db", 27), ("port", "1", 35)]),
                ),
                // Prose before the first key: its last word is the key,
                // found where it stands (not again in the value).
                (
                    "use Host=myHost;Port=5",
                    rows(&[("host", "myHost", 4), ("port", "5", 16)]),
                ),
                (
                    "set User_Id=a;Host=db",
                    rows(&[("userid", "a", 4), ("host", "db", 14)]),
                ),
            ],
        );
    }

    #[test]
    fn secrets_are_masked_whatever_they_hold() {
        assert_rows(
            |text| masked_from(text, &pairs(text, ODBC), 0),
            &[
                ("Server=db;PWD={a;b};x=1", "Server=db;PWD=****;x=1"),
                ("Server=db;Password=\"a\"\";b\"", "Server=db;Password=****"),
                ("Server=db;Pwd=", "Server=db;Pwd=****"),
            ],
        );
    }

    fn runs_read(text: &str) -> Vec<(usize, Vec<(String, String)>)> {
        let is_key = |k: &str| matches!(k, "host" | "server" | "port");
        runs(text)
            .map(|r| {
                let (start, pairs) = r.pairs(is_key);
                let pairs = pairs
                    .into_iter()
                    .map(|p| (p.key, p.value.into_owned()))
                    .collect();
                (start, pairs)
            })
            .collect()
    }

    #[test]
    fn runs_and_their_pairs() {
        let p = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        assert_rows(
            runs_read,
            &[
                (
                    "x = \"Host=db; SSL Mode=Require;User_Id=a\";\n",
                    vec![(
                        5,
                        p(&[("host", "db"), ("sslmode", "Require"), ("userid", "a")]),
                    )],
                ),
                (
                    "ConnectionStrings__Default=Server=db;Port=3306;Database=x\n",
                    vec![(
                        27,
                        p(&[("server", "db"), ("port", "3306"), ("database", "x")]),
                    )],
                ),
                (
                    "see use Host=myHost;Port=5;\n",
                    vec![(8, p(&[("host", "myHost"), ("port", "5")]))],
                ),
                ("a=1\nb=2;\n", vec![]),
            ],
        );
    }
}
