//! PHP mysqli: `mysqli_real_connect`/`->real_connect` with their client
//! flags and the `ssl_set` call on the same link, and `mysqli_connect` /
//! `new mysqli(host, …)`, which connect at once with no flags.

use super::*;

static MYSQLI_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:(?P<fn>mysqli_real_connect|mysqli_connect)|(?P<recv>\$[A-Za-z_][\w\->]*)->real_connect|new\s+\\?mysqli)\s*\(",
    )
    .expect("mysqli pattern compiles")
});

static SSL_SET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:mysqli_ssl_set|(?P<recv>\$[A-Za-z_][\w\->]*)->ssl_set)\s*\(")
        .expect("ssl_set pattern compiles")
});

static VERIFY_OPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:mysqli_options\s*\(\s*(?P<link>\$[\w\->]+)\s*,|(?P<recv>\$[A-Za-z_][\w\->]*)->options\s*\()\s*MYSQLI_OPT_SSL_VERIFY_SERVER_CERT\s*,\s*(?P<value>[^)]*)\)")
        .expect("mysqli option pattern compiles")
});

stack::row!(PHP_MYSQLI: My, "PHP mysqli",
    |file| file.name.ends_with(".php") && file.lower().contains("mysqli"), php_mysqli);

/// What one link was given before it connects, as mysqlnd reads it.
#[derive(Default)]
pub(super) struct MysqliTls<'t> {
    /// The client flags as written (`MYSQLI_CLIENT_SSL`), None when absent.
    pub(super) flags: Option<&'t str>,
    /// `ssl_set(key, cert, ca, capath, cipher)`'s arguments.
    pub(super) ssl_set: Option<Vec<&'t str>>,
    /// `MYSQLI_OPT_SSL_VERIFY_SERVER_CERT`'s value.
    pub(super) verify: Option<&'t str>,
}

impl MysqliTls<'_> {
    /// mysqlnd (mysqlnd_vio.c enable_ssl): TLS with `MYSQLI_CLIENT_SSL` or
    /// any `ssl_set` option; the peer and its name are checked when any
    /// `ssl_set` option is given, not when only the flag is, unless
    /// `MYSQLI_CLIENT_SSL_DONT_VERIFY_SERVER_CERT` or the verify option say
    /// otherwise. The check uses `ca`, else OpenSSL's default store.
    pub(super) fn facts(&self) -> (Facts, Option<String>) {
        let flags = self.flags.map(str::trim).filter(|f| !f.is_empty());
        let flag_word = |w: &str| {
            flags.is_some_and(|f| {
                f.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .any(|t| t.eq_ignore_ascii_case(w))
            })
        };
        let dont_verify = flag_word("MYSQLI_CLIENT_SSL_DONT_VERIFY_SERVER_CERT");
        let ssl_flag = dont_verify || flag_word("MYSQLI_CLIENT_SSL");
        // Flags from a variable or a constant of the application's; mysqli's
        // own other flags (`MYSQLI_CLIENT_COMPRESS`) are known.
        let flags_unknown = flags.is_some_and(|f| {
            f.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|t| !t.is_empty())
                .any(|t| {
                    !(t == "0"
                        || t.eq_ignore_ascii_case("null")
                        || t.to_ascii_uppercase().starts_with("MYSQLI_CLIENT_"))
                })
        });
        let set_args: Vec<&str> = self.ssl_set.iter().flatten().copied().collect();
        let given = |a: &&str| !a.trim().eq_ignore_ascii_case("null") && !unquote(a).is_empty();
        let literal_option = set_args.iter().any(|a| given(a) && unquote(a) != a.trim());
        let any_option = set_args.iter().any(given);
        let ca = set_args
            .get(2)
            .or(set_args.get(3))
            .filter(|c| given(c))
            .map(|c| unquote(c).to_string());
        let verify_option = self.verify.map(Literal::of);
        let facts = if dont_verify || verify_option == Some(Literal::False) {
            NO_VERIFY
        } else if !ssl_flag && !any_option {
            if flags_unknown { UNKNOWN } else { PLAIN }
        } else if verify_option == Some(Literal::True) || literal_option {
            FULL
        } else if any_option {
            // `ssl_set($key, $cert, $ca, …)`: all may be null at run time.
            Facts::new(if ssl_flag { Yes } else { Unknown }, Unknown, Unknown)
        } else {
            NO_VERIFY
        };
        (facts, ca)
    }
}

pub(super) fn php_mysqli(file: &FileCtx<'_>, hits: &mut Found) {
    let text = file.text;
    for m in MYSQLI_CALL.captures_iter(text) {
        let whole = m.get(0).expect("match");
        let open = whole.end() - 1;
        // Lexed once a call is found.
        let lex = file.lex(Comments::HashAndSlash);
        let Some(close) = lex.closing(open) else {
            continue;
        };
        let args = lex.split(text, open + 1..close, b',');
        // (link, the index of host, whether flags are read).
        let (link, host_at, connects_later) = match (m.name("fn"), m.name("recv")) {
            (Some(f), _) if f.as_str().eq_ignore_ascii_case("mysqli_real_connect") => {
                (args.first().copied(), 1, true)
            }
            (Some(_), _) => (None, 0, false),
            (None, Some(recv)) => (Some(recv.as_str()), 0, true),
            (None, None) => (None, 0, false),
        };
        let Some(host) = args.get(host_at) else {
            continue; // `new mysqli()`: connects later through real_connect
        };
        let tls = MysqliTls {
            flags: if connects_later {
                args.get(host_at + 6).copied()
            } else {
                None
            },
            ssl_set: link.and_then(|l| ssl_set_args(text, lex, l, whole.start())),
            verify: link.and_then(|l| verify_option(text, l, whole.start())),
        };
        let (facts, ca) = tls.facts();
        let shown: Vec<&str> = args
            .iter()
            .enumerate()
            .map(|(i, a)| if i == host_at + 2 { "****" } else { a })
            .collect();
        let call = &text[whole.start()..open];
        let mut hit = ConfigHit::new(
            file.lines().line(whole.start()),
            "PHP mysqli",
            Engine::Mysql,
            facts,
            &format!("{call}({})", shown.join(", ")),
        );
        let host = unquote(host);
        hit.host =
            Some(host.strip_prefix("p:").unwrap_or(host).to_string()).filter(|h| !h.is_empty());
        hit.user = args.get(host_at + 1).map(|u| unquote(u).to_string());
        hit.database = args
            .get(host_at + 3)
            .filter(|d| !d.trim().eq_ignore_ascii_case("null"))
            .map(|d| unquote(d).to_string());
        hit.port = args.get(host_at + 4).and_then(|p| unquote(p).parse().ok());
        hit.trust_store = ca;
        hits.push(hit);
    }
}

/// The arguments of the last `ssl_set` on `link` before `before`, without
/// the link.
fn ssl_set_args<'t>(text: &'t str, lex: &Lex, link: &str, before: usize) -> Option<Vec<&'t str>> {
    let link = link.trim();
    SSL_SET
        .captures_iter(&text[..before])
        .filter_map(|c| {
            let open = c.get(0)?.end() - 1;
            let close = lex.closing(open)?;
            let mut args = lex.split(text, open + 1..close, b',');
            match c.name("recv") {
                Some(r) if r.as_str() == link => Some(args),
                Some(_) => None,
                None if args.first().is_some_and(|a| *a == link) => {
                    args.remove(0);
                    Some(args)
                }
                None => None,
            }
        })
        .last()
}

/// `MYSQLI_OPT_SSL_VERIFY_SERVER_CERT`'s value set on `link` before `before`.
fn verify_option<'t>(text: &'t str, link: &str, before: usize) -> Option<&'t str> {
    VERIFY_OPTION
        .captures_iter(&text[..before])
        .filter(|c| {
            c.name("link")
                .or(c.name("recv"))
                .is_some_and(|l| l.as_str() == link.trim())
        })
        .last()
        .and_then(|c| c.name("value"))
        .map(|v| v.as_str().trim())
}

stack::case_tests! {
    fn php_mysqli(Engine::Mysql, |_, text| format!("<?php\n{text}\n")) {
        "db.php", "$link = mysqli_init();\nmysqli_ssl_set($link, NULL, NULL, '/etc/ssl/rds-global-bundle.pem', NULL, NULL);\nmysqli_real_connect($link, 'shop.cluster-x.eu-west-1.rds.amazonaws.com', 'app', 'hunter2', 'shop', 3306, NULL, MYSQLI_CLIENT_SSL);" => "PHP mysqli", "shop.cluster-x.eu-west-1.rds.amazonaws.com", 3306, "app", "shop", V_ID, "/etc/ssl/rds-global-bundle.pem";
        // The flag alone: TLS, nothing checked (no ssl_set option).
        "db.php", "$db = mysqli_init();\n$db->real_connect('db.example.com', 'app', 'hunter2', 'shop', 3306, null, MYSQLI_CLIENT_SSL);" => "PHP mysqli", "db.example.com", 3306, "app", "shop", REQ, _;
        "db.php", "$mysqli->ssl_set(null, null, '/certs/ca.pem', null, null);\n$mysqli->real_connect($host, $user, $pass, $db, 3306, null, MYSQLI_CLIENT_SSL_DONT_VERIFY_SERVER_CERT);" => "PHP mysqli", "$host", 3306, "$user", "$db", REQ, "/certs/ca.pem";
        "db.php", "$c = mysqli_connect('db', 'app', 'hunter2', 'shop');" => "PHP mysqli", "db", _, "app", "shop", PLAIN, _;
        "db.php", "$c = new mysqli('p:db', 'app', 'hunter2', 'shop', 3307);" => "PHP mysqli", "db", 3307, "app", "shop", PLAIN, _;
        "db.php", "mysqli_real_connect($link, $h, $u, $p, $d, 3306, null, $flags);" => "PHP mysqli", "$h", 3306, "$u", "$d", UNKNOWN, _;
        "db.php", "mysqli_ssl_set($link, $key, $cert, $ca, null, null);\nmysqli_real_connect($link, 'db', 'app', 'hunter2', 'shop', 3306, null, MYSQLI_CLIENT_SSL);" => "PHP mysqli", "db", 3306, "app", "shop", Facts::new(Yes, Unknown, Unknown), "$ca";
        "db.php", "mysqli_options($link, MYSQLI_OPT_SSL_VERIFY_SERVER_CERT, true);\nmysqli_real_connect($link, 'db', 'app', 'hunter2', 'shop', 3306, null, MYSQLI_CLIENT_SSL);" => "PHP mysqli", "db", 3306, "app", "shop", V_ID, _;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    /// `new mysqli()` with no host connects later.
    #[test]
    fn a_mysqli_made_without_a_host_connects_later() {
        check(
            "db.php",
            "<?php\n$m = new mysqli();\n$m->real_connect('db', 'app', 'hunter2', 'shop', 3306, null, 0);\n",
            &hits! {
                "PHP mysqli", "db", 3306, "app", "shop", PLAIN, _;
            },
        );
    }
}
