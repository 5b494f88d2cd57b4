//! WordPress `wp-config.php`: `DB_HOST`, `DB_USER`, `DB_NAME` and
//! `MYSQL_CLIENT_FLAGS`, which wpdb passes to `mysqli_real_connect`.

use super::*;

static DEFINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)define\s*\(\s*['"](DB_HOST|DB_USER|DB_NAME|MYSQL_CLIENT_FLAGS)['"]\s*,\s*([^;]*?)\s*\)\s*;"#)
        .expect("WordPress pattern compiles")
});

/// The stack and its hits' label.
const WP_CONFIG: &str = "WordPress wp-config.php";

stack::row!(WORDPRESS: My, WP_CONFIG, is_wp_config, wordpress);

/// A `wp-config*.php` that defines `DB_HOST`.
pub(super) fn is_wp_config(file: &FileCtx<'_>) -> bool {
    file.name.starts_with("wp-config")
        && file.name.ends_with(".php")
        && file.text.contains("DB_HOST")
}

/// One hit at `DB_HOST`. wpdb::db_connect calls `mysqli_real_connect` with
/// `MYSQL_CLIENT_FLAGS` (0 when undefined) and no `ssl_set`, so
/// `MYSQLI_CLIENT_SSL` gives TLS that checks nothing (mysqlnd) and no flag
/// gives no TLS. The official image's `WORDPRESS_CONFIG_EXTRA`, evaluated
/// at run time, may define the flags: then unset flags are unknown.
pub(super) fn wordpress(file: &FileCtx<'_>, hits: &mut Found) {
    let (text, lines) = (file.text, file.lines());
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
        WP_CONFIG,
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

stack::case_tests! {
    /// `MYSQL_CLIENT_FLAGS` (or the config evaluated at run time) beside
    /// the official wp-config's defines.
    fn wp_config_flags(Engine::Mysql, in_wp_config) {
        "wp-config.php", "" => WP_CONFIG, "blog.cluster-x.eu-west-1.rds.amazonaws.com", 3306, "wp", "wordpress", PLAIN, _;
        "wp-config.php", "define( 'MYSQL_CLIENT_FLAGS', MYSQLI_CLIENT_SSL );\n" => WP_CONFIG, "blog.cluster-x.eu-west-1.rds.amazonaws.com", 3306, "wp", "wordpress", REQ, _;
        "wp-config.php", "define('MYSQL_CLIENT_FLAGS', MYSQLI_CLIENT_SSL | MYSQLI_CLIENT_SSL_DONT_VERIFY_SERVER_CERT);\n" => WP_CONFIG, "blog.cluster-x.eu-west-1.rds.amazonaws.com", 3306, "wp", "wordpress", REQ, _;
        "wp-config.php", "// define( 'MYSQL_CLIENT_FLAGS', MYSQLI_CLIENT_SSL );\n" => WP_CONFIG, "blog.cluster-x.eu-west-1.rds.amazonaws.com", 3306, "wp", "wordpress", PLAIN, _;
        "wp-config.php", "define( 'MYSQL_CLIENT_FLAGS', getenv('DB_FLAGS') );\n" => WP_CONFIG, "blog.cluster-x.eu-west-1.rds.amazonaws.com", 3306, "wp", "wordpress", UNKNOWN, _;
        "wp-config.php", "if ($configExtra = getenv_docker('WORDPRESS_CONFIG_EXTRA', '')) {\n\teval($configExtra);\n}\n" => WP_CONFIG, "blog.cluster-x.eu-west-1.rds.amazonaws.com", 3306, "wp", "wordpress", UNKNOWN, _;
    }

    fn wp_config_values_from_the_environment(Engine::Mysql) {
        "wp-config.php", "<?php\ndefine( 'DB_NAME', getenv_docker('WORDPRESS_DB_NAME', 'wordpress') );\ndefine( 'DB_HOST', getenv_docker('WORDPRESS_DB_HOST', 'mysql') );\n" => WP_CONFIG, "getenv_docker('WORDPRESS_DB_HOST', 'mysql')", _, _, "getenv_docker('WORDPRESS_DB_NAME', 'wordpress')", PLAIN, _;
    }
}

/// `defines` among those of a wp-config.php.
#[cfg(test)]
fn in_wp_config(_: &str, defines: &str) -> String {
    format!(
        "<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', 'wp' );\ndefine( 'DB_PASSWORD', 'hunter2' );\ndefine( 'DB_HOST', 'blog.cluster-x.eu-west-1.rds.amazonaws.com:3306' );\n{defines}require_once ABSPATH . 'wp-settings.php';\n"
    )
}
