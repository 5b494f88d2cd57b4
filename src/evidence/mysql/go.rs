//! Go go-sql-driver/mysql DSNs.

use super::*;

pub(super) static GO_NET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)@(tcp6?|unix)\(").expect("Go DSN pattern compiles"));

/// The stack's hits' label.
const GO_DSN: &str = "Go go-sql-driver/mysql DSN";

stack::row!(GO_DSNS: My, "Go DSNs", go_dsn, go_dsns);

pub(super) fn go_dsns(file: &FileCtx<'_>, hits: &mut Found) {
    let (text, lines) = (file.text, file.lines());
    for m in GO_NET.captures_iter(text) {
        let at = m.get(0).expect("match").start();
        let open = m.get(0).expect("match").end() - 1;
        // userinfo: back to a delimiter.
        let start = text[..at]
            .rfind(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '=' | '/' | ',' | '>')
            })
            .map_or(0, |i| i + 1);
        if commented(text, start) {
            continue;
        }
        let Some(close) = text[open..].find(')').map(|i| open + i) else {
            continue;
        };
        let addr = &text[open + 1..close];
        if addr.contains(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`')) {
            continue; // not a DSN: an unclosed `tcp(` in code or prose
        }
        let after = &text[close + 1..];
        let Some(after) = after.strip_prefix('/') else {
            continue;
        };
        let end = close + 2 + url_end(after, 0, 0);
        let (path, query) = text[close + 2..end]
            .split_once('?')
            .unwrap_or((&text[close + 2..end], ""));
        let params = query_params(query);
        let userinfo = &text[start..at];
        let user = userinfo
            .split(':')
            .next()
            .filter(|u| !u.is_empty())
            .map(str::to_string);
        let facts = match param(&params, "tls").map(unquote) {
            // `tls=` (empty) is the default: no TLS.
            None | Some("") => PLAIN,
            Some(v) if is_placeholder(v) => UNKNOWN,
            Some(v) => match parse_bool(v) {
                Some(false) => PLAIN,
                Some(true) => FULL,
                None if v.eq_ignore_ascii_case("skip-verify") => NO_VERIFY,
                None if v.eq_ignore_ascii_case("preferred") => OPPORTUNISTIC,
                // A name registered with mysql.RegisterTLSConfig: its
                // tls.Config (RootCAs, InsecureSkipVerify) decides.
                None => Facts::new(Yes, Unknown, Unknown),
            },
        };
        let facts = unless_cut(facts, text, end);
        // The password may hold `@`, `(` or quotes: masked here, not by pattern.
        let raw = match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:****{}", &text[at..end]),
            None => text[start..end].to_string(),
        };
        let mut hit = ConfigHit::new(lines.line(start), GO_DSN, Engine::Mysql, facts, &raw);
        if m[1].to_ascii_lowercase().starts_with("tcp") {
            (hit.host, hit.port) = split_host_port(addr);
        }
        hit.user = user;
        hit.database = Some(path.to_string()).filter(|p| !p.is_empty());
        hit.application = attribute_program(&params);
        hits.push(hit);
    }
}

stack::case_tests! {
    fn go_dsns(Engine::Mysql) {
        "main.go", r#"db, err := sql.Open("mysql", "app:hunter2@tcp(orders.abc.us-east-1.rds.amazonaws.com:3306)/orders?tls=true&parseTime=true")"# => GO_DSN, "orders.abc.us-east-1.rds.amazonaws.com", 3306, "app", "orders", V_ID, _;
        "main.go", "DSN=app:hunter2@tcp(db:3306)/app?parseTime=true&tls=skip-verify" => GO_DSN, "db", 3306, "app", "app", REQ, _;
        "main.go", "dsn: 'app@tcp(db)/app?tls=preferred'" => GO_DSN, "db", _, "app", "app", PREF, _;
        "main.go", "dsn: \"app@tcp([::1]:3306)/app?tls=rds\"" => GO_DSN, "::1", 3306, "app", "app", Facts::new(Yes, Unknown, Unknown), _;
        "main.go", "dsn: \"app@tcp(db:3306)/app?tls=\"" => GO_DSN, "db", 3306, "app", "app", PLAIN, _;
        "main.go", "dsn: \"app:p@ss(hunter2)@tcp(db:3306)/app?tls=true\"" => GO_DSN, "db", 3306, "app", "app", V_ID, _;
        "main.go", "dsn: \"app@tcp(db:3306)/app?tls=false\"" => GO_DSN, "db", 3306, "app", "app", PLAIN, _;
        "main.go", "dsn: \"app@tcp(db:3306)/app\"" => GO_DSN, "db", 3306, "app", "app", PLAIN, _;
        "main.go", "dsn: \"app@unix(/var/run/mysqld/mysqld.sock)/app\"" => GO_DSN, _, _, "app", "app", PLAIN, _;
        "main.go", r#"exec.Command("migrate", "-database", "mysql://app:hunter2@tcp(db:3306)/app?tls=true", "up")"# => GO_DSN, "db", 3306, "app", "app", V_ID, _;
        "main.go", r#"fmt.Sprintf("%s:%s@tcp(%s:%d)/%s?tls=true", user, pass, host, port, db)"# => GO_DSN, "%s", _, "%s", "%s", V_ID, _;
    }
}
