//! `key=value;` connection strings — ADO.NET (SqlClient, Npgsql,
//! MySqlConnector, Connector/NET), ODBC, OLE DB, and the `;key=value`
//! properties of SQL Server's JDBC and Prisma URLs: where such a string
//! stands in a file, its pairs (keys normalized, values read by the
//! string's grammar — ADO.NET's quotes or ODBC's braces — each with its
//! offset), and the string with its secrets masked.

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

    /// Its pairs as Npgsql and MySQL's .NET drivers read them (ADO.NET's
    /// quotes; `{…}` as written: ODBC's braces are not theirs), and
    /// where the string starts in the file: at its first pair, past what
    /// stands before a first key `is_key` does not know (see
    /// [`Lead::Known`]).
    pub(crate) fn pairs(&self, is_key: impl Fn(&str) -> bool) -> (usize, Vec<Pair<'a>>) {
        let dialect = Dialect {
            quoting: Quoting::Quotes,
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
    /// The value read: trimmed and, by the string's [`Quoting`], out of its
    /// quotes or its braces (a doubled closing one inside is one).
    pub(crate) value: Cow<'a, str>,
    /// Byte offset of the key in the string read.
    pub(crate) offset: usize,
    /// The value as written (braces, quotes), in the string read, with the
    /// pieces after it that are no pair: a `;` the grammar does not hold
    /// (`Password={a;b}` in an ADO.NET string, `PWD="a;b"` in an ODBC one)
    /// is masked with the secret before it.
    pub(crate) raw: Range<usize>,
}

/// How a connection string is written.
#[derive(Clone, Copy)]
pub(crate) struct Dialect<'k> {
    pub(crate) quoting: Quoting,
    /// What may stand before the first key.
    pub(crate) lead: Lead<'k>,
}

/// How a value holds a `;`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Quoting {
    /// ADO.NET's (SqlClient, Npgsql, MySqlConnector; DbConnectionStringBuilder)
    /// and OLE DB's: a value in `'…'` or `"…"`, a doubled quote inside
    /// is one; braces are as written ("Connection strings", SqlClient docs).
    Quotes,
    /// ODBC's (SQLDriverConnect, MS-ODBCSTR), and SQL Server's JDBC and
    /// Prisma properties: a value in `{…}`, a doubled `}}` inside is one
    /// `}`; quotes are as written.
    Braces,
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

/// ODBC strings, found as quoted strings or lines.
pub(crate) const ODBC: Dialect<'static> = Dialect {
    quoting: Quoting::Braces,
    lead: Lead::Assignment,
};

/// ADO.NET (and OLE DB) strings, found as quoted strings or lines.
pub(crate) const ADO_NET: Dialect<'static> = Dialect {
    quoting: Quoting::Quotes,
    lead: Lead::Assignment,
};

/// A SQL Server connection string's pairs, read by its kind's grammar: a
/// `Driver` or `DSN` keyword makes it an ODBC string (braces); ADO.NET's
/// and OLE DB's quote.
pub(crate) fn sql_server_pairs(text: &str) -> Vec<Pair<'_>> {
    let ado = pairs(text, ADO_NET);
    if ado.iter().any(|p| p.key == "driver" || p.key == "dsn") {
        pairs(text, ODBC)
    } else {
        ado
    }
}

/// `text`'s `key=value` pairs: `;` separates them, except inside a value
/// the dialect's quoting holds (`Password="a;b"`, `'it''s'`, `PWD={a;b}`,
/// `{a}}b}`): one that opens where a value starts. A piece without `=` or
/// whose key is not a word is no pair: it is left out, and counts as the
/// value before it where secrets are masked (see [`Pair::raw`]).
pub(crate) fn pairs<'a>(text: &'a str, dialect: Dialect<'_>) -> Vec<Pair<'a>> {
    let mut out: Vec<Pair<'a>> = Vec::new();
    let bytes = text.as_bytes();
    let mut seg_start = 0;
    let mut i = 0;
    // The closing quote or brace of the value being read.
    let mut close: Option<u8> = None;
    while i <= bytes.len() {
        let b = bytes.get(i).copied();
        match (b, close) {
            // A doubled closing one inside is one of it.
            (Some(c), Some(end)) if c == end && bytes.get(i + 1) == Some(&c) => i += 1,
            (Some(c), Some(end)) if c == end => close = None,
            (Some(_), Some(_)) => {}
            (Some(open), None)
                if opens(dialect.quoting, open) && text[seg_start..i].trim_end().ends_with('=') =>
            {
                close = Some(if open == b'{' { b'}' } else { open });
            }
            (Some(b';') | None, None) => {
                let lead = out.is_empty().then_some(dialect.lead);
                let seg = &text[seg_start..i];
                match pair(seg, seg_start, lead, dialect.quoting) {
                    Some(pair) => out.push(pair),
                    None => {
                        if let Some(last) = out.last_mut()
                            && !seg.trim().is_empty()
                        {
                            last.raw.end = seg_start + seg.trim_end().len();
                        }
                    }
                }
                seg_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Whether `b` opens a quoted value in `quoting`.
fn opens(quoting: Quoting, b: u8) -> bool {
    match quoting {
        Quoting::Quotes => matches!(b, b'"' | b'\''),
        Quoting::Braces => b == b'{',
    }
}

/// One piece, at `seg_start`; `lead` for the first pair.
fn pair<'a>(
    seg: &'a str,
    seg_start: usize,
    lead: Option<Lead<'_>>,
    quoting: Quoting,
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
        value: value(v, quoting),
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

/// A value as the drivers read it: trimmed, out of its quotes or braces
/// (by `quoting`), a doubled closing one inside one of it.
fn value(v: &str, quoting: Quoting) -> Cow<'_, str> {
    let v = v.trim();
    let (inner, doubled) = match quoting {
        Quoting::Braces => match v.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
            Some(inner) => (inner, "}}"),
            None => return Cow::Borrowed(v),
        },
        Quoting::Quotes => {
            let doubled = match v.as_bytes().first() {
                Some(b'"') => "\"\"",
                Some(b'\'') => "''",
                _ => "",
            };
            (unquote(v), doubled)
        }
    };
    let quoted = inner.len() + 2 == v.len();
    if quoted && !doubled.is_empty() && inner.contains(doubled) {
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

    /// Each pair as `key=value @offset`, ` | ` between pairs.
    fn read(text: &str, dialect: Dialect<'_>) -> String {
        shown(&pairs(text, dialect))
    }

    fn shown(pairs: &[Pair<'_>]) -> String {
        pairs
            .iter()
            .map(|p| format!("{}={} @{}", p.key, p.value, p.offset))
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// ODBC (SQLDriverConnect; MS-ODBCSTR): `{…}` holds `;` and `=`, `}}`
    /// in it is one `}`, a `{` elsewhere and quotes are as written.
    #[test]
    fn odbc_strings_read_with_braces() {
        assert_rows(
            |text| read(text, ODBC),
            &[
                (
                    "Driver={ODBC Driver 18};Server=db;PWD={a;b}",
                    "driver=ODBC Driver 18 @0 | server=db @24 | pwd=a;b @34",
                ),
                ("PWD={a}}b;c};Server=db", "pwd=a}b;c @0 | server=db @13"),
                ("PWD={a{b};Server=db", "pwd=a{b @0 | server=db @10"),
                ("PWD=a{b;Server=db", "pwd=a{b @0 | server=db @8"),
                ("PWD=\"a;b\";Server=db", "pwd=\"a @0 | server=db @10"),
                ("UID='app';Server=db", "uid='app' @0 | server=db @10"),
                // The assignment holding the string.
                (
                    "export X=Driver={a=b};Server=db",
                    "driver=a=b @9 | server=db @22",
                ),
                ("ODBC_DSN=DSN=orders;UID=app", "dsn=orders @9 | uid=app @20"),
                // Not pairs.
                ("; Server=db;a-b/c=1;x", "server=db @2"),
            ],
        );
    }

    /// ADO.NET (SqlClient's "Connection strings"; DbConnectionStringBuilder)
    /// and OLE DB: quotes hold `;`, a doubled quote in them is one, braces
    /// are as written.
    #[test]
    fn ado_net_strings_read_with_quotes() {
        assert_rows(
            |text| read(text, ADO_NET),
            &[
                (
                    "Server=db;Password=\"a;b\";User Id='x'",
                    "server=db @0 | password=a;b @10 | userid=x @25",
                ),
                (
                    "Password=\"a\"\";b\";Server=db",
                    "password=a\";b @0 | server=db @17",
                ),
                (
                    "Password='it''s';Server=db",
                    "password=it's @0 | server=db @17",
                ),
                (
                    "Server={0};Database={1};Encrypt=True",
                    "server={0} @0 | database={1} @11 | encrypt=True @24",
                ),
                ("Password={a;b};Server=db", "password={a @0 | server=db @15"),
                // Empty values; keys compared as drivers do.
                (
                    "Password=;SERVER = db; SSL Mode=Require;Initial_Catalog=",
                    "password= @0 | server=db @10 | sslmode=Require @23 | initialcatalog= @40",
                ),
                // The assignment holding the string.
                (
                    "ConnectionStrings__Default=Server=db;Database=x",
                    "server=db @27 | database=x @37",
                ),
                (
                    "connectionString: Address=db;Encrypt=yes",
                    "address=db @18 | encrypt=yes @29",
                ),
            ],
        );
    }

    /// A `Driver` or `DSN` keyword makes a SQL Server string ODBC's.
    #[test]
    fn sql_server_strings_are_read_by_their_kind() {
        assert_rows(
            |text| shown(&sql_server_pairs(text)),
            &[
                (
                    "Driver={ODBC Driver 18 for SQL Server};Server=db;PWD={p;w}}d}",
                    "driver=ODBC Driver 18 for SQL Server @0 | server=db @39 | pwd=p;w}d @49",
                ),
                (
                    "DSN=orders;PWD={p;w};Encrypt=yes",
                    "dsn=orders @0 | pwd=p;w @11 | encrypt=yes @21",
                ),
                (
                    "Server=db;PWD={p;w};Encrypt=yes",
                    "server=db @0 | pwd={p @10 | encrypt=yes @20",
                ),
                (
                    "Provider=MSOLEDBSQL;Data Source=db;Password=\"p;w\"",
                    "provider=MSOLEDBSQL @0 | datasource=db @20 | password=p;w @35",
                ),
            ],
        );
    }

    #[test]
    fn ado_net_runs_in_free_text() {
        let is_key = |k: &str| matches!(k, "host" | "server" | "port");
        let ado = Dialect {
            quoting: Quoting::Quotes,
            lead: Lead::Known(&is_key),
        };
        assert_rows(
            |text| read(text, ado),
            &[
                // Npgsql and MySQL's .NET drivers take braces as written.
                ("Server={0};Port=1", "server={0} @0 | port=1 @11"),
                ("Host=a=b;Port=1", "host=a=b @0 | port=1 @9"),
                (
                    "ConnectionStrings__Default=Host=db;Port=1",
                    "host=db @27 | port=1 @35",
                ),
                // Prose before the first key: its last word is the key,
                // found where it stands (not again in the value).
                ("use Host=myHost;Port=5", "host=myHost @4 | port=5 @16"),
                ("set User_Id=a;Host=db", "userid=a @4 | host=db @14"),
            ],
        );
    }

    /// A secret is masked whatever it holds, and with it what follows it
    /// that is no pair (a `;` its grammar does not hold).
    #[test]
    fn secrets_are_masked_whatever_they_hold() {
        assert_rows(
            |text| masked_from(text, &sql_server_pairs(text), 0),
            &[
                (
                    "Driver={x};Server=db;PWD={a;b};x=1",
                    "Driver={x};Server=db;PWD=****;x=1",
                ),
                ("Driver={x};PWD={a}}b;c};x=1", "Driver={x};PWD=****;x=1"),
                ("Driver={x};PWD=\"a;b\";x=1", "Driver={x};PWD=****;x=1"),
                ("Server=db;Password=\"a\"\";b\"", "Server=db;Password=****"),
                (
                    "Server=db;Password={a;b};x=1",
                    "Server=db;Password=****;x=1",
                ),
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
