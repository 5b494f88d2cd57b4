//! PgCat's `pgcat.toml`: the pooler is the client of the database, so each
//! `[pools.<pool>.shards.<n>]` is a connection setting, with `[general]`'s
//! `server_tls` and `verify_server_certificate`.

use super::*;
use crate::evidence::syntax::ini::{IniSection, ini_sections};
use crate::evidence::syntax::lex::{Comments, value_items};
use crate::evidence::syntax::quote::parse_bool;
use crate::evidence::text::shown_lines;

stack::row!(PGCAT: Pg, "PgCat",
    |file| file.name.contains("pgcat") && file.text.contains("[pools."), pgcat);

/// What PgCat's verifier trusts: the Mozilla roots of the `webpki-roots`
/// crate compiled into it, not a file (src/server.rs).
const WEBPKI_ROOTS: &str = "webpki-roots (compiled into PgCat)";

/// One hit per shard, at its first server, with the user of its pool.
pub(super) fn pgcat(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    let sections = ini_sections(cx.text);
    let general = sections.iter().rfind(|s| s.name == "general");
    let tls = general.and_then(|g| g.get("server_tls"));
    let verify = general.and_then(|g| g.get("verify_server_certificate"));
    let facts = pgcat_facts(tls, verify);
    let trust = (facts.verifies_chain == Y).then(|| WEBPKI_ROOTS.to_string());
    let general_shown = general
        .map(|g| {
            g.entries
                .iter()
                .filter(|e| e.key.starts_with("server_tls") || e.key.starts_with("verify_server"))
                .map(|e| cx.text[e.at..e.end].trim())
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default();
    for (i, shard) in sections.iter().enumerate() {
        let Some((pool, "shards", _)) = pool_part(shard.name) else {
            continue;
        };
        let mut conn = Conn::default();
        if let Some(servers) = shard.entries.iter().find(|e| e.key == "servers") {
            let (host, port) = first_server(cx, servers.at);
            conn.host = host;
            conn.port = port;
        }
        // Rows of a multi-line `servers` array read as INI headers: the
        // keys after them are still the shard's.
        conn.database = std::iter::once(shard)
            .chain(
                sections[i + 1..]
                    .iter()
                    .take_while(|s| s.name.starts_with('"')),
            )
            .find_map(|s| s.get("database"))
            .map(str::to_string);
        conn.user = pool_user(&sections, pool);
        let setting = [
            shown_lines(&cx.text[shard.start..shard.end]),
            general_shown.clone(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
        out.push(Setting {
            at: shard.start,
            stack: "PgCat",
            conn,
            facts,
            trust: trust.clone(),
            driver_version: None,
            setting,
        });
    }
}

/// `pools.<pool>.<part>.<n>` → (pool, part, n).
fn pool_part(section: &str) -> Option<(&str, &str, &str)> {
    let rest = section.strip_prefix("pools.")?;
    let (rest, n) = rest.rsplit_once('.')?;
    let (pool, part) = rest.rsplit_once('.')?;
    Some((pool.trim_matches('"'), part, n))
}

/// The first `[host, port, role]` of a `servers = [[…], …]` array, which may
/// run over several lines.
fn first_server(cx: &Ctx<'_>, entry_at: usize) -> (Option<String>, Option<String>) {
    let text = cx.text;
    let Some(open) = text[entry_at..].find('[').map(|i| entry_at + i) else {
        return (None, None);
    };
    let Some(first) = cx
        .file
        .lex(Comments::HashAndSlash)
        .items(text, open)
        .into_iter()
        .next()
    else {
        return (None, None);
    };
    let fields = value_items(
        first.trim_start_matches('[').trim_end_matches(']'),
        Comments::HashAndSlash,
    );
    (
        fields.first().map(|h| unquote(h).to_string()),
        fields.get(1).map(|p| unquote(p).to_string()),
    )
}

/// The server user of a pool's first user (`server_username`, else
/// `username`).
fn pool_user(sections: &[IniSection<'_>], pool: &str) -> Option<String> {
    sections
        .iter()
        .filter(|s| matches!(pool_part(s.name), Some((p, "users", _)) if p == pool))
        .find_map(|s| s.get("server_username").or_else(|| s.get("username")))
        .map(str::to_string)
}

/// `server_tls` asks the server for TLS and goes on in plaintext when it
/// says no (src/server.rs); without `verify_server_certificate` any
/// certificate is accepted, with it rustls checks the chain against
/// `webpki-roots` and the host name. Both default to false (src/config.rs).
pub(super) fn pgcat_facts(tls: Option<&str>, verify: Option<&str>) -> Facts {
    let flag = |v: Option<&str>| match v {
        None => Some(false),
        Some(v) => parse_bool(v),
    };
    match (flag(tls), flag(verify)) {
        (Some(false), _) => PLAIN,
        (Some(true), Some(false)) => OPPORTUNISTIC,
        (Some(true), Some(true)) => Facts::new(U, Y, Y),
        (Some(true), None) | (None, _) => UNKNOWN,
    }
}

case_table![
    case!("pgcat.toml", "[general]\nport = 6432\nserver_tls = true\nverify_server_certificate = true\n\n[pools.shop.users.0]\nusername = \"app\"\npassword = \"hunter2\"\npool_size = 20\n\n[pools.shop.shards.0]\nservers = [\n    [\"shop.cluster-x.eu-west-1.rds.amazonaws.com\", 5432, \"primary\"],\n    [\"shop-ro.cluster-x.eu-west-1.rds.amazonaws.com\", 5432, \"replica\"],\n]\ndatabase = \"shop\"\n" => "PgCat", Facts::new(U, Y, Y), host "shop.cluster-x.eu-west-1.rds.amazonaws.com", port 5432, user "app", db "shop", trust WEBPKI_ROOTS),
    // TLS asked for, any certificate taken, plaintext when refused.
    case!("pgcat.toml", "[general]\nserver_tls = true\n\n[pools.shop.users.0]\nusername = \"app\"\npassword = \"hunter2\"\npool_size = 20\n\n[pools.shop.shards.0]\nservers = [\n    [\"shop.cluster-x.eu-west-1.rds.amazonaws.com\", 5432, \"primary\"],\n    [\"shop-ro.cluster-x.eu-west-1.rds.amazonaws.com\", 5432, \"replica\"],\n]\ndatabase = \"shop\"\n" => "PgCat", OPPORTUNISTIC, host "shop.cluster-x.eu-west-1.rds.amazonaws.com", port 5432, user "app", db "shop"),
    // Both default to false.
    case!("pgcat.toml", "[general]\nport = 6432\n# server_tls = true\n\n[pools.shop.users.0]\nusername = \"app\"\npassword = \"hunter2\"\npool_size = 20\n\n[pools.shop.shards.0]\nservers = [\n    [\"shop.cluster-x.eu-west-1.rds.amazonaws.com\", 5432, \"primary\"],\n    [\"shop-ro.cluster-x.eu-west-1.rds.amazonaws.com\", 5432, \"replica\"],\n]\ndatabase = \"shop\"\n" => "PgCat", PLAIN, host "shop.cluster-x.eu-west-1.rds.amazonaws.com", port 5432, user "app", db "shop"),
    case!("pgcat.toml", "[general]\nserver_tls = ${PGCAT_SERVER_TLS}\n\n[pools.shop.users.0]\nusername = \"app\"\npassword = \"hunter2\"\npool_size = 20\n\n[pools.shop.shards.0]\nservers = [\n    [\"shop.cluster-x.eu-west-1.rds.amazonaws.com\", 5432, \"primary\"],\n    [\"shop-ro.cluster-x.eu-west-1.rds.amazonaws.com\", 5432, \"replica\"],\n]\ndatabase = \"shop\"\n" => "PgCat", UNKNOWN, host "shop.cluster-x.eu-west-1.rds.amazonaws.com", port 5432, user "app", db "shop"),
    case!("pgcat.toml", "[pools.\"shop\".users.0]\nusername = \"app\"\nserver_username = \"reporting\"\nserver_password = \"hunter2\"\n[pools.\"shop\".shards.0]\nservers = [[\"10.0.0.5\", 6432, \"primary\"]]\ndatabase = \"shop\"\n" => "PgCat", PLAIN, host "10.0.0.5", port 6432, user "reporting", db "shop"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testing;

    #[test]
    fn pool_passwords_are_not_shown() {
        for case in cases::CASES {
            let hits = testing::scan(detect, case.file, case.text);
            assert!(!hits.is_empty());
            testing::assert_masked(&hits, "hunter2");
        }
    }
}
