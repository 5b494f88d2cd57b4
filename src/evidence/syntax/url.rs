//! URLs: where one ends in text, its parts (`user@host:port/database?query`,
//! Connector/J's `address=(…)` hosts), `host:port`, query parameters, and
//! percent-decoding.

use std::sync::LazyLock;

use regex::{Captures, Match, Regex};

use super::comment::live_matches;
use super::kv::norm_key;

/// `pattern`'s matches in `text` that are not commented out, each as (the
/// pattern's captures, the whole match, the rest of its URL: from the
/// match's end to the URL's).
pub(crate) fn live_urls<'t>(
    text: &'t str,
    pattern: &Regex,
) -> Vec<(Captures<'t>, Match<'t>, &'t str)> {
    live_matches(text, pattern)
        .map(|(captures, whole)| {
            let rest = &text[whole.end()..url_end(text, whole.start(), whole.end())];
            (captures, whole, rest)
        })
        .collect()
}

/// Where a URL that starts at `start` ends (scanning from `from`). Inside
/// quotes: at the closing quote or whitespace. Elsewhere: at whitespace, a
/// quote, `<`, `>`, `\`, or a `)` that closes nothing inside it, without
/// trailing `.,;:` (prose).
pub(crate) fn url_end(text: &str, start: usize, from: usize) -> usize {
    let bytes = text.as_bytes();
    let quote = start
        .checked_sub(1)
        .map(|i| bytes[i])
        .filter(|b| matches!(b, b'"' | b'\'' | b'`'));
    let mut depth = 0usize;
    let mut braces = 0usize;
    let mut end = from;
    while end < bytes.len() {
        match (bytes[end], quote) {
            (b, _) if b.is_ascii_whitespace() => break,
            (b, Some(q)) if b == q => break,
            // `${URL:jdbc:mysql://h/db}`: the placeholder's brace.
            (b'{', _) => braces += 1,
            (b'}', _) if braces == 0 => break,
            (b'}', _) => braces -= 1,
            (_, Some(_)) => {}
            (b'"' | b'\'' | b'`' | b'<' | b'>' | b'\\', None) => break,
            (b'(', None) => depth += 1,
            (b')', None) if depth == 0 => break,
            (b')', None) => depth -= 1,
            _ => {}
        }
        end += 1;
    }
    if quote.is_none() {
        while end > from && matches!(bytes[end - 1], b'.' | b',' | b';' | b':') {
            end -= 1;
        }
    }
    end
}

/// `[user[:password]@]host[:port][,host…][/database][?query]`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct UrlParts<'a> {
    pub(crate) user: Option<String>,
    pub(crate) host: Option<String>,
    pub(crate) port: Option<u16>,
    pub(crate) database: Option<String>,
    pub(crate) query: &'a str,
    /// Where the userinfo password is in the parsed text.
    password: Option<std::ops::Range<usize>>,
}

impl<'a> UrlParts<'a> {
    /// `rest` is what follows `scheme://`.
    pub(crate) fn parse(rest: &'a str) -> UrlParts<'a> {
        let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
        let auth_end = authority_end(before_query);
        let (authority, path) = before_query.split_at(auth_end);
        let (userinfo, hostlist) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let password = userinfo.and_then(|u| u.find(':').map(|colon| colon + 1..u.len()));
        let user = userinfo
            .and_then(|u| u.split(':').next())
            .filter(|u| !u.is_empty())
            .map(percent_decode);
        let first = first_host(hostlist);
        let (host, port) = if first.starts_with("address=") || first.starts_with('(') {
            address_equals(first)
        } else {
            split_host_port(first)
        };
        let database = path
            .trim_start_matches('/')
            .split(['/', ';', '#'])
            .next()
            .filter(|d| !d.is_empty())
            .map(percent_decode);
        UrlParts {
            user,
            host,
            port,
            database,
            query,
            password,
        }
    }

    /// `rest` (as given to [`UrlParts::parse`]) with the userinfo password
    /// replaced by `****`, whatever characters it holds.
    pub(crate) fn masked(&self, rest: &str) -> String {
        match &self.password {
            Some(range) if range.end <= rest.len() => {
                format!("{}****{}", &rest[..range.start], &rest[range.end..])
            }
            _ => rest.to_string(),
        }
    }
}

/// The authority ends at the first `/` outside `${…}` placeholders and
/// Connector/J's `address=(…)` groups.
fn authority_end(s: &str) -> usize {
    let mut depth = 0i32;
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'{' | b'(' => depth += 1,
            b'}' | b')' => depth -= 1,
            b'/' if depth <= 0 => return i,
            _ => {}
        }
    }
    s.len()
}

/// The first of `host1:3306,host2:3306`, ignoring commas in placeholders.
fn first_host(list: &str) -> &str {
    let mut depth = 0i32;
    for (i, b) in list.bytes().enumerate() {
        match b {
            b'{' | b'(' | b'[' => depth += 1,
            b'}' | b')' | b']' => depth -= 1,
            b',' if depth <= 0 => return &list[..i],
            _ => {}
        }
    }
    list
}

/// Connector/J `address=(host=db)(port=3306)` and `(host=db,port=3306)`.
fn address_equals(s: &str) -> (Option<String>, Option<u16>) {
    static KV: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(host|port)=([^)(,]+)").expect("address pattern compiles")
    });
    let mut host = None;
    let mut port = None;
    for c in KV.captures_iter(s) {
        if c[1].eq_ignore_ascii_case("host") {
            host.get_or_insert_with(|| c[2].trim().to_string());
        } else {
            port = port.or_else(|| c[2].trim().parse().ok());
        }
    }
    (host, port)
}

/// `host:port`, `[v6]:port`, `${HOST:default}:${PORT}`, a bare IPv6
/// address; an unreadable port (`%d`, `${PORT}`) is dropped.
pub(crate) fn split_host_port(s: &str) -> (Option<String>, Option<u16>) {
    let s = s.trim();
    if s.is_empty() {
        return (None, None);
    }
    if let Some(rest) = s.strip_prefix('[')
        && let Some((h, after)) = rest.split_once(']')
    {
        let port = after.strip_prefix(':').and_then(|p| p.parse().ok());
        return (Some(h.to_string()), port);
    }
    let mut depth = 0i32;
    let mut colons = Vec::new();
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'{' | b'(' => depth += 1,
            b'}' | b')' => depth -= 1,
            b':' if depth == 0 => colons.push(i),
            _ => {}
        }
    }
    if colons.len() == 1 {
        let (h, p) = (&s[..colons[0]], &s[colons[0] + 1..]);
        if !h.is_empty() {
            if let Ok(port) = p.parse() {
                return (Some(h.to_string()), Some(port));
            }
            if p.starts_with(['$', '%', '{', '<']) {
                return (Some(h.to_string()), None);
            }
        }
    }
    (Some(s.to_string()), None)
}

/// `a=b&c=d` (also `&amp;`), keys lowercased without `-`, `_`, `.` and
/// spaces, values percent-decoded.
pub(crate) fn query_params(query: &str) -> Vec<(String, String)> {
    query
        .replace("&amp;", "&")
        .split(['&', ';'])
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let k = norm_key(k);
            (!k.is_empty()).then(|| (k, percent_decode(v.trim())))
        })
        .collect()
}

/// Decodes `%XX` escapes (invalid UTF-8 replaced).
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        // Bytes, not text: what follows a `%` may be any character.
        if b[i] == b'%'
            && let Some(&[hi, lo]) = b.get(i + 1..i + 3)
            && let (Some(hi), Some(lo)) = (char::from(hi).to_digit(16), char::from(lo).to_digit(16))
        {
            out.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_rows;
    use super::*;

    #[test]
    fn host_and_port() {
        let host = |h: &str| Some(h.to_string());
        assert_rows(
            split_host_port,
            &[
                ("db:3306", (host("db"), Some(3306))),
                ("[fe80::1]:5", (host("fe80::1"), Some(5))),
                ("fe80::1", (host("fe80::1"), None)),
                ("${H}:${P}", (host("${H}"), None)),
                ("${H:x}:33", (host("${H:x}"), Some(33))),
                ("", (None, None)),
            ],
        );
    }

    /// (text, where the URL starts) → where it ends.
    #[test]
    fn where_a_url_ends() {
        assert_rows(
            |(text, start)| url_end(text, start, start),
            &[
                (("mysql://h/d). more", 0), 11),
                (("'mysql://h/d?a={\"b\":1}' x", 1), 22),
                (("see mysql://h/d.", 4), 15),
                (("${URL:jdbc:mysql://h/db}", 6), 23),
            ],
        );
    }

    /// text → (each live match, the rest of its URL).
    #[test]
    fn urls_outside_comments() {
        let pattern = Regex::new(r"(mysql|pg)://").expect("compiles");
        assert_rows(
            |text| {
                live_urls(text, &pattern)
                    .into_iter()
                    .map(|(captures, whole, rest)| (captures[1].to_string(), whole.as_str(), rest))
                    .collect::<Vec<_>>()
            },
            &[
                (
                    "a = 'mysql://h/d?x=1' b = pg://h2/e.",
                    vec![
                        ("mysql".to_string(), "mysql://", "h/d?x=1"),
                        ("pg".to_string(), "pg://", "h2/e"),
                    ],
                ),
                (
                    "# mysql://old/d
url=pg://",
                    vec![("pg".to_string(), "pg://", "")],
                ),
                ("see the docs", vec![]),
            ],
        );
    }

    /// Found by the mutation test: a `%` before a multi-byte character was
    /// decoded by slicing the text inside that character.
    #[test]
    fn percent_escapes_decode_bytes_and_leave_the_rest() {
        assert_rows(
            percent_decode,
            &[
                ("p%40ss%2Fw0rd", "p@ss/w0rd"),
                ("caf%C3%A9", "café"),
                ("%1\u{e9}", "%1\u{e9}"),
                ("%\u{e9}", "%\u{e9}"),
                ("100%", "100%"),
                ("%zz%4", "%zz%4"),
                ("%+1", "%+1"),
                ("%FF", "\u{fffd}"),
            ],
        );
    }
}
