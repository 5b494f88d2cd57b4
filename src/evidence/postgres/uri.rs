//! URIs and JDBC URLs.

use super::*;

pub(super) static URI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?-u:\b)postgres(?:ql)?(\+[a-z0-9_]+)?://[^\s"'`<>\\)]*"#)
        .expect("URI pattern compiles")
});
pub(super) static JDBC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?-u:\b)jdbc:(?:aws-wrapper:|log4jdbc:|p6spy:|otel:|tracing:)?postgresql:[^\s"'`<>\\)]*"#,
    )
    .expect("JDBC pattern compiles")
});

/// A URL without the punctuation prose or markup puts after it.
pub(super) fn trim_url(s: &str) -> &str {
    let mut s = s;
    while let Some(c) = s.chars().last() {
        let strip = match c {
            '.' | ',' | ';' | ':' | '!' | '?' | '*' => true,
            ']' => s.matches('[').count() < s.matches(']').count(),
            '}' => s.matches('{').count() < s.matches('}').count(),
            _ => false,
        };
        if !strip {
            break;
        }
        s = &s[..s.len() - c.len_utf8()];
    }
    s
}

pub(super) fn is_pg_uri(s: &str) -> bool {
    URI.find(s).is_some_and(|m| m.start() == 0)
}

/// The part after `://`.
pub(super) fn after_scheme(url: &str) -> &str {
    url.find("://").map_or("", |i| &url[i + 3..])
}

/// Reads `[user[:password]@][host][:port][,…][/dbname][?k=v&…]`. Query
/// parameters override the URI parts, as in libpq; parameter names are
/// matched in any case. The password is skipped.
pub(super) fn parse_uri(rest: &str) -> Conn {
    let mut c = Conn::default();
    let query_at = rest.find('?').unwrap_or(rest.len());
    let (auth_path, query) = (&rest[..query_at], rest.get(query_at + 1..));
    // The last `@` before the query: an unencoded `@` in a password is a
    // common mistake, and the host must not swallow the password's tail.
    let hostpath = match auth_path.rfind('@') {
        Some(i) => {
            let user = auth_path[..i].split(':').next().unwrap_or("");
            if !user.is_empty() {
                c.user = Some(percent_decode(user));
            }
            &auth_path[i + 1..]
        }
        None => auth_path,
    };
    let (hostspec, path) = match hostpath.find('/') {
        Some(i) => (&hostpath[..i], &hostpath[i + 1..]),
        None => (hostpath, ""),
    };
    if !path.is_empty() {
        c.database = Some(percent_decode(path));
    }
    let (host, port) = parse_hosts(hostspec);
    c.host = host;
    c.port = port;
    // `&amp;` when the URL sits in XML.
    for pair in query.unwrap_or("").replace("&amp;", "&").split('&') {
        if let Some((k, v)) = pair.split_once('=')
            && !k.eq_ignore_ascii_case("password")
        {
            c.set(k, percent_decode(v));
        }
    }
    c
}

/// Hosts joined by `,` (IPv6 brackets dropped), and the first port.
pub(super) fn parse_hosts(spec: &str) -> (Option<String>, Option<String>) {
    let mut hosts = Vec::new();
    let mut first_port = None;
    let mut rest = spec;
    while !rest.is_empty() {
        let (part, tail) = if rest.starts_with('[') {
            let close = rest.find(']').map_or(rest.len(), |i| i + 1);
            let end = rest[close..].find(',').map_or(rest.len(), |i| close + i);
            (&rest[..end], rest.get(end + 1..).unwrap_or(""))
        } else {
            match rest.find(',') {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, ""),
            }
        };
        rest = tail;
        let (host, port) = if let Some(r) = part.strip_prefix('[') {
            match r.find(']') {
                Some(i) => (&r[..i], r[i + 1..].strip_prefix(':')),
                None => (r, None),
            }
        } else {
            match part.rfind(':') {
                Some(i) if !part[..i].ends_with(":-") => (&part[..i], Some(&part[i + 1..])),
                _ => (part, None),
            }
        };
        if !host.is_empty() {
            hosts.push(percent_decode(host));
        }
        if first_port.is_none() {
            first_port = port.filter(|p| !p.is_empty()).map(str::to_string);
        }
    }
    ((!hosts.is_empty()).then(|| hosts.join(",")), first_port)
}

/// The URI is inside another scheme (`r2dbc:postgresql://`, `jdbc:…`).
pub(super) fn wrapped_scheme(text: &str, at: usize) -> bool {
    let b = text.as_bytes();
    at >= 2 && b[at - 1] == b':' && b[at - 2].is_ascii_alphanumeric()
}

/// Something after `://` a client could connect with (not `postgres://` alone,
/// as in `url.replace("postgres://", …)`).
pub(super) fn plausible(rest: &str) -> bool {
    rest.bytes()
        .any(|c| c.is_ascii_alphanumeric() || b"$/{%[".contains(&c))
}

pub(super) struct Uris;

impl Stack<Pg> for Uris {
    fn name(&self) -> &'static str {
        "postgres:// URIs"
    }

    /// Every file: the URL pattern is as cheap a test as any needle.
    fn wants(&self, _: &FileCtx<'_>) -> bool {
        true
    }

    fn detect(&self, cx: &Ctx<'_>, out: &mut Out) {
        uris(cx, out)
    }
}

pub(super) fn uris(cx: &Ctx<'_>, out: &mut Out) {
    for m in URI.captures_iter(cx.text) {
        let whole = m.get(0).expect("match");
        let at = whole.start();
        if out.is_claimed(at) || wrapped_scheme(cx.text, at) {
            continue;
        }
        let url = trim_url(whole.as_str());
        let rest = after_scheme(url);
        if !plausible(rest) {
            continue;
        }
        let driver = match m.get(1).map(|d| d.as_str().to_ascii_lowercase()) {
            None => cx.uri_driver(at),
            Some(d) => sqlalchemy_driver(&d),
        };
        out.found.push(
            found(
                cx,
                at,
                driver.uri_stack(),
                driver,
                parse_uri(rest),
                url.to_string(),
            )
            .unless_cut_at(cx, whole.end()),
        );
    }
}

/// The driver a SQLAlchemy `postgresql+…` scheme names.
pub(super) fn sqlalchemy_driver(suffix: &str) -> Driver {
    match suffix.trim_start_matches('+') {
        "asyncpg" => Driver::Asyncpg,
        "psycopg2" | "psycopg" | "psycopg2cffi" | "psycopg_async" => Driver::Libpq,
        _ => Driver::Other,
    }
}

pub(super) struct JdbcUrls;

impl Stack<Pg> for JdbcUrls {
    fn name(&self) -> &'static str {
        "JDBC URLs"
    }

    /// Every file: the URL pattern is as cheap a test as any needle.
    fn wants(&self, _: &FileCtx<'_>) -> bool {
        true
    }

    fn detect(&self, cx: &Ctx<'_>, out: &mut Out) {
        jdbc_urls(cx, out)
    }
}

pub(super) fn jdbc_urls(cx: &Ctx<'_>, out: &mut Out) {
    for m in JDBC.find_iter(cx.text) {
        let at = m.start();
        if out.is_claimed(at) {
            continue;
        }
        let url = trim_url(m.as_str());
        let Some(i) = url.to_ascii_lowercase().find("postgresql:") else {
            continue;
        };
        let rest = &url[i + "postgresql:".len()..];
        let mut conn = if let Some(r) = rest.strip_prefix("//") {
            parse_uri(r)
        } else {
            // `jdbc:postgresql:dbname?…` / `jdbc:postgresql:/`: local host.
            let (db, query) = rest.split_once('?').unwrap_or((rest, ""));
            let mut c = parse_uri(&format!("/{}?{query}", db.trim_start_matches('/')));
            c.host = None;
            c
        };
        if conn.user.is_none() {
            conn.user = spring_user(cx, at);
        }
        out.found.push(
            found(
                cx,
                at,
                "JDBC PostgreSQL",
                Driver::Pgjdbc,
                conn,
                url.to_string(),
            )
            .unless_cut_at(cx, m.end()),
        );
    }
}

pub(super) static KEY_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*([\w.\-]*?)url\s*[=:]").expect("url key pattern compiles")
});

/// The user a Spring-style `…url` key's sibling `…username` names:
/// `spring.datasource.username=` in properties, `username:` beside `url:`
/// in YAML.
pub(super) fn spring_user(cx: &Ctx<'_>, at: usize) -> Option<String> {
    let n = cx.line_of(at);
    let line = cx.line_text(n);
    let caps = KEY_URL.captures(line)?;
    let prefix = caps.get(1).map_or("", |p| p.as_str());
    if !prefix.is_empty() {
        let re = Regex::new(&format!(
            r"(?im)^\s*{}(?:username|user)\s*[=:]\s*(\S+)",
            regex::escape(prefix)
        ))
        .ok()?;
        return re.captures(cx.text).map(|c| unquote(&c[1]).to_string());
    }
    let indent = line.len() - line.trim_start().len();
    (n.saturating_sub(8).max(1)..=n + 8).find_map(|k| {
        let l = cx.line_text(k);
        let v = l.trim_start().strip_prefix("username:")?;
        (l.len() - l.trim_start().len() == indent).then(|| unquote(v).to_string())
    })
}
