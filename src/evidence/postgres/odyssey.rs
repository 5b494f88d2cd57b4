//! Odyssey's `odyssey.conf`: the pooler is the client of the database, so
//! each remote `storage "name" { … }` block is a connection setting.

use super::*;
use crate::evidence::syntax::lex::Comments;
use crate::evidence::text::shown_lines;

static STORAGE_BLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^[ \t]*storage[ \t]+"([^"\n]*)"[ \t]*\{"#).expect("Odyssey pattern compiles")
});

stack::row!(ODYSSEY: Pg, "Odyssey",
    |file| file.name.contains("odyssey") && file.text.contains("storage"), odyssey);

/// One hit per `storage` block of `type "remote"`, with the database and
/// user of the first route that names it (`storage_db`, `storage_user`).
pub(super) fn odyssey(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    for m in STORAGE_BLOCK.captures_iter(cx.text) {
        let whole = m.get(0).expect("match");
        let open = whole.end() - 1;
        let Some(close) = cx.file.lex(Comments::HashAndSlash).closing(open) else {
            continue;
        };
        let block = directives(&cx.text[open + 1..close]);
        let get = |k: &str| {
            block
                .iter()
                .rev()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| *v)
        };
        if get("type") != Some("remote") {
            continue; // `local`: Odyssey's own console
        }
        let name = &m[1];
        let mut conn = Conn::default();
        if let Some(host) = get("host") {
            // `host "h1:5432,h2"`: the first endpoint.
            let first = host.split(',').next().unwrap_or(host);
            match first.rsplit_once(':') {
                Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => {
                    conn.host = Some(h.to_string());
                    conn.port = Some(p.to_string());
                }
                _ => conn.host = Some(first.to_string()),
            }
        }
        if let Some(port) = get("port") {
            conn.port = Some(port.to_string());
        }
        if let Some(route) = route_of(cx.text, name) {
            conn.database = route
                .iter()
                .find(|(k, _)| *k == "storage_db")
                .map(|(_, v)| v.to_string());
            conn.user = route
                .iter()
                .find(|(k, _)| *k == "storage_user")
                .map(|(_, v)| v.to_string());
        }
        let trust = get("tls_ca_file").filter(|ca| !ca.is_empty());
        out.claimed.claim(whole.start(), close + 1);
        out.push(Setting {
            at: whole.start(),
            stack: "Odyssey",
            conn,
            facts: storage_tls_facts(get("tls")),
            trust: trust.map(str::to_string),
            driver_version: None,
            setting: shown_lines(&cx.text[whole.start()..=close]),
        });
    }
}

/// `key value` lines of a block body, values unquoted; nested blocks'
/// lines included.
fn directives(body: &str) -> Vec<(&str, &str)> {
    body.lines()
        .filter_map(|line| {
            let (key, value) = line.trim().split_once([' ', '\t'])?;
            Some((key, unquote(value.trim())))
        })
        .collect()
}

/// The directives after the first `storage "name"` reference in a route,
/// up to the end of its block.
fn route_of<'t>(text: &'t str, name: &str) -> Option<Vec<(&'t str, &'t str)>> {
    let reference = format!("storage \"{name}\"");
    let mut from = 0;
    while let Some(i) = text[from..].find(&reference) {
        let at = from + i + reference.len();
        let rest = &text[at..];
        if !rest.trim_start().starts_with('{') {
            let end = rest.find('}').unwrap_or(rest.len());
            return Some(directives(&rest[..end]));
        }
        from = at;
    }
    None
}

/// `tls` of a storage (sources/tls.c, od_tls_backend; machinarium/tls.c):
/// unset is `disable`; `allow` and `prefer` fall back to plaintext and
/// verify nothing; `require` already checks the chain (SSL_VERIFY_PEER
/// against `tls_ca_file`); `verify_ca` and `verify_full` check the chain
/// only, as nothing in Odyssey matches the certificate to the host name.
pub(super) fn storage_tls_facts(tls: Option<&str>) -> Facts {
    match tls.map(str::trim) {
        None | Some("disable") => PLAIN,
        Some("allow" | "prefer") => OPPORTUNISTIC,
        Some("require" | "verify_ca" | "verify_full") => CA_ONLY,
        // A placeholder, or a word Odyssey refuses to start with.
        Some(_) => UNKNOWN,
    }
}

case_table![
    case!("odyssey.conf", "storage \"postgres_server\" {\n\ttype \"remote\"\n\thost \"shop.cluster-x.eu-west-1.rds.amazonaws.com\"\n\tport 5432\n\ttls \"verify_full\"\n\ttls_ca_file \"/etc/odyssey/global-bundle.pem\"\n}\n\ndatabase \"shop\" {\n\tuser \"app\" {\n\t\tauthentication \"md5\"\n\t\tpassword \"hunter2\"\n\t\tstorage \"postgres_server\"\n\t\tstorage_db \"shop\"\n\t\tstorage_user \"app_rw\"\n\t\tstorage_password \"hunter2\"\n\t\tpool \"transaction\"\n\t}\n}\n" => "Odyssey", CA_ONLY, host "shop.cluster-x.eu-west-1.rds.amazonaws.com", port 5432, user "app_rw", db "shop", trust "/etc/odyssey/global-bundle.pem"),
    case!("odyssey.conf", "storage \"local\" {\n\ttype \"local\"\n}\nstorage \"pg\" {\n\ttype \"remote\"\n\thost \"10.0.0.7:6432,10.0.0.8\"\n\t# tls \"verify_full\"\n}\n" => "Odyssey", PLAIN, host "10.0.0.7", port 6432),
    case!("odyssey.conf", "storage \"pg\" {\n\ttype \"remote\"\n\thost \"db\"\n\ttls \"prefer\"\n}\n" => "Odyssey", OPPORTUNISTIC, host "db"),
    case!("odyssey.conf", "storage \"pg\" {\n\ttype \"remote\"\n\thost \"db\"\n\ttls \"require\"\n\ttls_ca_file \"/etc/ssl/rds.pem\"\n}\n" => "Odyssey", CA_ONLY, host "db", trust "/etc/ssl/rds.pem"),
    // A storage password is masked.
    case!("odyssey.conf", "storage \"pg\" {\n\ttype \"remote\"\n\thost \"db\"\n\tpassword \"hunter2\"\n\ttls \"disable\"\n}\n" => "Odyssey", PLAIN, host "db"),
    case!("odyssey.conf.j2", "storage \"pg\" {\n\ttype \"remote\"\n\thost \"{{ pg_host }}\"\n\ttls \"{{ odyssey_tls }}\"\n}\n" => "Odyssey", UNKNOWN, host "{{ pg_host }}"),
];
