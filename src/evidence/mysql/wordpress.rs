//! WordPress `wp-config.php`: `DB_HOST`, `DB_USER`, `DB_NAME` and
//! `MYSQL_CLIENT_FLAGS`, which wpdb passes to `mysqli_real_connect`.

use super::*;

static DEFINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)define\s*\(\s*['"](DB_HOST|DB_USER|DB_NAME|MYSQL_CLIENT_FLAGS)['"]\s*,\s*([^;]*?)\s*\)\s*;"#)
        .expect("WordPress pattern compiles")
});

pub(super) static WORDPRESS: Row<My> = Row {
    name: "WordPress wp-config.php",
    wants: |file| {
        file.name.starts_with("wp-config")
            && file.name.ends_with(".php")
            && file.text.contains("DB_HOST")
    },
    detect: |file, hits| wordpress(file.text, file.lines(), hits),
};

/// One hit at `DB_HOST`. wpdb::db_connect calls `mysqli_real_connect` with
/// `MYSQL_CLIENT_FLAGS` (0 when undefined) and no `ssl_set`, so
/// `MYSQLI_CLIENT_SSL` gives TLS that checks nothing (mysqlnd) and no flag
/// gives no TLS. The official image's `WORDPRESS_CONFIG_EXTRA`, evaluated
/// at run time, may define the flags: then unset flags are unknown.
pub(super) fn wordpress(text: &str, lines: &Lines, hits: &mut Vec<ConfigHit>) {
    let defines: Vec<(String, &str, usize)> = DEFINE
        .captures_iter(text)
        .map(|c| {
            let at = c.get(0).expect("match").start();
            (
                c[1].to_ascii_uppercase(),
                c.get(2).expect("value").as_str(),
                at,
            )
        })
        .collect();
    let get = |k: &str| defines.iter().rev().find(|(key, _, _)| key == k);
    let Some(&(_, host, at)) = get("DB_HOST") else {
        return;
    };
    let flags = get("MYSQL_CLIENT_FLAGS").map(|(_, v, _)| *v);
    let (facts, _) = MysqliTls {
        flags,
        ..MysqliTls::default()
    }
    .facts();
    let evaluated = text.contains("WORDPRESS_CONFIG_EXTRA") || text.contains("eval(");
    let facts = if flags.is_none() && evaluated {
        UNKNOWN
    } else {
        facts
    };
    let shown: Vec<String> = defines.iter().map(|(k, v, _)| format!("{k}={v}")).collect();
    let mut hit = ConfigHit::new(
        lines.line(at),
        "WordPress wp-config.php",
        Engine::Mysql,
        facts,
        &shown.join("; "),
    );
    let literal = unquote(host);
    if literal == host.trim() {
        hit.host = Some(literal.to_string()); // getenv('WORDPRESS_DB_HOST')
    } else {
        let (h, p) = split_host_port(literal);
        hit.host = h;
        hit.port = p;
    }
    hit.user = get("DB_USER").map(|(_, v, _)| unquote(v).to_string());
    hit.database = get("DB_NAME").map(|(_, v, _)| unquote(v).to_string());
    hits.push(hit);
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    #[test]
    fn wp_config() {
        let s = "WordPress wp-config.php";
        let base = "<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', 'wp' );\ndefine( 'DB_PASSWORD', 'hunter2' );\ndefine( 'DB_HOST', 'blog.cluster-x.eu-west-1.rds.amazonaws.com:3306' );\n";
        let host = "blog.cluster-x.eu-west-1.rds.amazonaws.com";
        let table: &[(&str, Facts)] = &[
            ("", PLAIN),
            ("define( 'MYSQL_CLIENT_FLAGS', MYSQLI_CLIENT_SSL );\n", REQ),
            (
                "define('MYSQL_CLIENT_FLAGS', MYSQLI_CLIENT_SSL | MYSQLI_CLIENT_SSL_DONT_VERIFY_SERVER_CERT);\n",
                REQ,
            ),
            (
                "// define( 'MYSQL_CLIENT_FLAGS', MYSQLI_CLIENT_SSL );\n",
                PLAIN,
            ),
            (
                "define( 'MYSQL_CLIENT_FLAGS', getenv('DB_FLAGS') );\n",
                UNKNOWN,
            ),
            (
                "if ($configExtra = getenv_docker('WORDPRESS_CONFIG_EXTRA', '')) {\n\teval($configExtra);\n}\n",
                UNKNOWN,
            ),
        ];
        for (extra, facts) in table {
            check(
                "wp-config.php",
                &format!("{base}{extra}require_once ABSPATH . 'wp-settings.php';\n"),
                &hits! {
                    s, host, 3306, "wp", "wordpress", *facts, _;
                },
            );
        }
        check(
            "wp-config.php",
            "<?php\ndefine( 'DB_NAME', getenv_docker('WORDPRESS_DB_NAME', 'wordpress') );\ndefine( 'DB_HOST', getenv_docker('WORDPRESS_DB_HOST', 'mysql') );\n",
            &hits! {
                s, "getenv_docker('WORDPRESS_DB_HOST', 'mysql')", _, _, "getenv_docker('WORDPRESS_DB_NAME', 'wordpress')", PLAIN, _;
            },
        );
    }
}
