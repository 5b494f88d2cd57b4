//! Text helpers the detectors share.

use std::sync::LazyLock;

use regex::Regex;

use super::facts::Facts;

/// `key = value`, `key: value`, `'key': 'value'`, `key => value`,
/// `key=value;` and `&key=value` where the key names a secret.
static SECRET_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)((?-u:\b)[a-z0-9_.\-]*(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_\-]?key|access[_\-]?key|private[_\-]?key)["']?\s*(?:=>|:=|[:=])\s*)("[^"]*"|'[^']*'|\{[^}]*\}|[^\s;&,'"})\]]+)"#,
    )
    .expect("secret pattern compiles")
});

/// The password in URL userinfo: `scheme://user:password@host`. It runs to
/// the *last* `@` before the path, since passwords hold unencoded `@`s.
static URL_PASSWORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(://[^:/?#@\s]*:)([^\s/]+)(@)").expect("URL pattern compiles"));

/// Go MySQL DSNs: `user:password@tcp(host)`.
static DSN_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"((?:^|[\s"'`=])[^:\s"'`@/]+:)([^@\s"'`]+)(@(?:tcp|unix)\()"#)
        .expect("DSN pattern compiles")
});

/// Oracle's `user/password@service` connect strings.
static SLASH_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"((?:^|[\s"'`=(])[A-Za-z][A-Za-z0-9_$#]*/)([^@\s/"'`]+)(@)"#)
        .expect("connect string pattern compiles")
});

/// AWS access key ids.
static AWS_KEY_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:AKIA|ASIA)[0-9A-Z]{16}(?-u:\b)").expect("key id pattern compiles")
});

const MASK: &str = "****";

/// Replaces secrets with `****`: values of secret-bearing keys (`password`,
/// `PGPASSWORD`, `pwd`, `secret`, `token`, `trustStorePassword`, …), the
/// password in URL userinfo and Go DSNs, and AWS access key ids. Every
/// string a report shows from a scanned file passes through here.
pub fn mask(setting: &str) -> String {
    let masked = SECRET_ASSIGNMENT.replace_all(setting, |caps: &regex::Captures<'_>| {
        // Keep the value's quotes or ODBC braces, so the setting still reads.
        let value = &caps[2];
        let wrap = match value.chars().next() {
            Some(q @ ('"' | '\'')) if value.len() > 1 => Some((q, q)),
            Some('{') => Some(('{', '}')),
            _ => None,
        };
        match wrap {
            Some((open, close)) => format!("{}{open}{MASK}{close}", &caps[1]),
            None => format!("{}{MASK}", &caps[1]),
        }
    });
    let masked = URL_PASSWORD.replace_all(&masked, format!("${{1}}{MASK}${{3}}"));
    let masked = DSN_PASSWORD.replace_all(&masked, format!("${{1}}{MASK}${{3}}"));
    let masked = SLASH_PASSWORD.replace_all(&masked, format!("${{1}}{MASK}${{3}}"));
    AWS_KEY_ID.replace_all(&masked, MASK).into_owned()
}

/// A value as a hit's field: none when it is empty.
pub fn non_empty(v: Option<&str>) -> Option<String> {
    v.filter(|v| !v.is_empty()).map(str::to_string)
}

/// A value a setting takes from somewhere else: `${X}`, `$X`, `%s`,
/// `%(x)s`, `{x}`, `<%= … %>`, `{{ … }}`, `$(Property)`.
pub fn is_placeholder(v: &str) -> bool {
    v.contains(['$', '{', '%', '<'])
}

/// Whether a URL or connection string that ends at `end` goes on beyond
/// what the file shows, so that parameters it is silent on may be set:
/// concatenated with more text after its closing quote (`+`, PHP's `.`,
/// Lua's `..`), ending where a parameter goes (`?`, `&`), or ending in
/// a placeholder glued to its last part (`/orders${QUERY}`, `?${PARAMS}`,
/// `&{extra}`). A whole path segment that is a placeholder (`/${DB_NAME}`)
/// is a database name, not a cut.
pub fn cut_short(text: &str, end: usize) -> bool {
    let shown = text[..end].trim_end();
    if shown.ends_with(['?', '&']) {
        return true;
    }
    let cut = shown.rfind(['/', '?', '&', ';', ' ']);
    let last = cut.map_or(shown, |i| &shown[i + 1..]);
    let after_path = cut.is_some_and(|i| shown.as_bytes()[i] == b'/');
    let ends_in_placeholder = last.ends_with(['}', ')']) && is_placeholder(last);
    let database_name = after_path
        && (last.starts_with("${") || last.starts_with('{'))
        && last.matches('{').count() == 1;
    if ends_in_placeholder && !last.contains('=') && !database_name {
        return true;
    }
    let after = &text[end..];
    let quoted = after.starts_with(['"', '\'', '`']);
    let rest = after
        .trim_start_matches(['"', '\'', '`'])
        .trim_start_matches([' ', '\t']);
    let php_dot = quoted
        && rest
            .strip_prefix('.')
            .is_some_and(|r| r.trim_start_matches(' ').starts_with(['$', '\'', '"']));
    rest.starts_with('+') && !rest.starts_with("++") || rest.starts_with("..") || php_dot
}

/// `facts` of a setting whose text ends at `end`: no `no` when the text is
/// [`cut_short`] there, as the rest may settle it.
pub fn unless_cut(facts: Facts, text: &str, end: usize) -> Facts {
    if cut_short(text, end) {
        facts.unsettled()
    } else {
        facts
    }
}

/// Longest setting a report shows.
const MAX_SETTING: usize = 400;

/// One line, secrets masked, at most [`MAX_SETTING`] bytes.
pub fn shown_setting(raw: &str) -> String {
    let one_line = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut masked = mask(&one_line);
    if masked.len() > MAX_SETTING {
        masked.truncate(masked.floor_char_boundary(MAX_SETTING));
        masked.push('…');
    }
    masked
}

/// The non-comment lines of a block, joined with `; `, without the lines
/// that hold secrets (a block format's secrets are not always `key=value`).
pub fn shown_lines(block: &str) -> String {
    block
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with(['#', ';']))
        .filter(|l| {
            let key = l
                .split(['=', ':'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            !(key.contains("pass") || key.contains("pwd") || key.contains("secret"))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::{cut_short, mask};
    use crate::evidence::testing::assert_rows;

    #[test]
    fn urls_cut_short_are_told_apart_from_whole_ones() {
        // (text, the setting as a detector reads it, cut short?)
        let table = [
            (
                "\"postgres://app@db/orders\" + params",
                "postgres://app@db/orders",
                true,
            ),
            (
                "\"jdbc:mysql://db/orders?\" + props",
                "jdbc:mysql://db/orders?",
                true,
            ),
            (
                "'postgres://app@db/orders' . $query",
                "postgres://app@db/orders",
                true,
            ),
            (
                "`postgres://app@db/orders${query}`",
                "postgres://app@db/orders${query}",
                true,
            ),
            (
                "\"postgres://app@db/orders?${PARAMS}\"",
                "postgres://app@db/orders?${PARAMS}",
                true,
            ),
            (
                "\"postgres://app@db/orders?sslmode=require&\"",
                "postgres://app@db/orders?sslmode=require&",
                true,
            ),
            (
                "'Server=db;Database=x;' + extra",
                "Server=db;Database=x;",
                true,
            ),
            (
                "url = \"postgres://app@db/orders\"",
                "postgres://app@db/orders",
                false,
            ),
            (
                "\"postgres://${DB_USER}@${DB_HOST}:5432/${DB_NAME}\"",
                "postgres://${DB_USER}@${DB_HOST}:5432/${DB_NAME}",
                false,
            ),
            (
                "\"postgres://app@db/orders?sslmode=${SSLMODE}\"",
                "postgres://app@db/orders?sslmode=${SSLMODE}",
                false,
            ),
            ("\"host=%s dbname=%s\" % (h, d)", "host=%s dbname=%s", false),
            (
                "Connect with postgres://app@db/orders. Then run it.",
                "postgres://app@db/orders",
                false,
            ),
            (
                "x = \"postgres://app@db/orders\"; i++",
                "postgres://app@db/orders",
                false,
            ),
        ];
        for (text, setting, want) in table {
            let end = text.find(setting).unwrap() + setting.len();
            assert_eq!(cut_short(text, end), want, "{text}");
        }
    }

    #[test]
    fn secrets_are_masked_in_every_shape_they_come_in() {
        assert_rows(
            mask,
            &[
                (
                    "postgres://app:s3cr%40t@db.example.com:5432/orders?sslmode=verify-full",
                    "postgres://app:****@db.example.com:5432/orders?sslmode=verify-full",
                ),
                (
                    "host=db user=app password=hunter2 sslmode=require",
                    "host=db user=app password=**** sslmode=require",
                ),
                (
                    "host=db password='with space' dbname=x",
                    "host=db password='****' dbname=x",
                ),
                (
                    "Server=tcp:db,1433;User ID=sa;Password=P@ss;Encrypt=True",
                    "Server=tcp:db,1433;User ID=sa;Password=****;Encrypt=True",
                ),
                (
                    "Host=db;Username=app;PWD=abc;SSL Mode=Require",
                    "Host=db;Username=app;PWD=****;SSL Mode=Require",
                ),
                (
                    "jdbc:mysql://db/x?user=app&password=abc&sslMode=VERIFY_CA",
                    "jdbc:mysql://db/x?user=app&password=****&sslMode=VERIFY_CA",
                ),
                (
                    "app:hunter2@tcp(db:3306)/orders?tls=true",
                    "app:****@tcp(db:3306)/orders?tls=true",
                ),
                ("  password: \"hunter2\"", "  password: \"****\""),
                ("'PASSWORD': 'hunter2',", "'PASSWORD': '****',"),
                ("password => 'hunter2'", "password => '****'"),
                ("PGPASSWORD=hunter2", "PGPASSWORD=****"),
                ("MYSQL_PWD=hunter2", "MYSQL_PWD=****"),
                (
                    "javax.net.ssl.trustStorePassword=changeit",
                    "javax.net.ssl.trustStorePassword=****",
                ),
                (
                    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                    "aws_secret_access_key = ****",
                ),
                (
                    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
                    "aws_access_key_id = ****",
                ),
                (
                    "sslmode=verify-full sslrootcert=/etc/ssl/rds.pem",
                    "sslmode=verify-full sslrootcert=/etc/ssl/rds.pem",
                ),
                ("postgres://bob:p@ss@db/app", "postgres://bob:****@db/app"),
                (
                    "Driver={ODBC Driver 18};PWD={a;b};Encrypt=yes",
                    "Driver={ODBC Driver 18};PWD={****};Encrypt=yes",
                ),
                ("sqlplus scott/tiger@orcl", "sqlplus scott/****@orcl"),
                (
                    "conn = cx_Oracle.connect('scott/tiger@db.example.com/ORCL')",
                    "conn = cx_Oracle.connect('scott/****@db.example.com/ORCL')",
                ),
            ],
        );
    }
}
