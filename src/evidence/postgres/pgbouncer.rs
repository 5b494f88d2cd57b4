//! PgBouncer's `pgbouncer.ini`: the pooler is the client of the database,
//! so its `server_tls_*` settings decide the connections its `[databases]`
//! entries make.

use super::*;
use crate::evidence::syntax::ini::ini_sections;

stack::row!(PGBOUNCER: Pg, "PgBouncer", pgbouncer_ini, pgbouncer);

/// A PgBouncer configuration with databases or server TLS settings.
fn pgbouncer_ini(file: &FileCtx<'_>) -> bool {
    file.name.contains("pgbouncer")
        && (file.text.contains("[databases]") || file.text.contains("server_tls_sslmode"))
}

/// One hit per `[databases]` entry (`name = host=… port=… dbname=…`), with
/// the `[pgbouncer]` section's `server_tls_sslmode` and
/// `server_tls_ca_file`; one hit for those alone when no entry names a
/// server.
pub(super) fn pgbouncer(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    let sections = ini_sections(cx.text);
    let settings = sections
        .iter()
        .rfind(|s| s.name.eq_ignore_ascii_case("pgbouncer"));
    let tls_entries: Vec<_> = settings
        .iter()
        .flat_map(|s| &s.entries)
        .filter(|e| e.key.starts_with("server_tls_"))
        .collect();
    let mode = settings.and_then(|s| s.get("server_tls_sslmode"));
    let ca = settings
        .and_then(|s| s.get("server_tls_ca_file"))
        .filter(|ca| !ca.is_empty());
    let facts = pooler_facts(mode);
    let tls_shown: Vec<String> = tls_entries
        .iter()
        .map(|e| cx.text[e.at..e.end].trim().to_string())
        .collect();
    let mut reported = false;
    for db in sections
        .iter()
        .filter(|s| s.name.eq_ignore_ascii_case("databases"))
    {
        for entry in &db.entries {
            let Some(value) = entry.value else { continue };
            out.claimed.claim(entry.at, entry.end);
            let mut conn = parse_conninfo(value);
            // PgBouncer's own setting decides; an entry takes no sslmode.
            conn.sslmode = None;
            conn.sslrootcert = None;
            if conn.host.is_none() && conn.database.is_none() && conn.port.is_none() {
                continue; // `%include`, `pool_size=…` alone
            }
            if conn.database.is_none() && entry.key != "*" {
                conn.database = Some(entry.key.to_string());
            }
            let setting = std::iter::once(format!("[databases] {}", entry_text(cx, entry)))
                .chain(tls_shown.iter().cloned())
                .collect::<Vec<_>>()
                .join("; ");
            out.push(Setting {
                at: entry.at,
                stack: "PgBouncer",
                conn,
                facts,
                trust: ca.map(str::to_string),
                driver_version: None,
                setting,
            });
            reported = true;
        }
    }
    if let (false, Some(first)) = (reported, tls_entries.first()) {
        out.push(Setting {
            at: first.at,
            stack: "PgBouncer",
            conn: Conn::default(),
            facts,
            trust: ca.map(str::to_string),
            driver_version: None,
            setting: tls_shown.join("; "),
        });
    }
}

fn entry_text<'t>(cx: &Ctx<'t>, entry: &crate::evidence::syntax::ini::IniEntry<'_>) -> &'t str {
    cx.text[entry.at..entry.end].trim()
}

/// `server_tls_sslmode` (doc/config.md): libpq's words, but `prefer` and
/// `require` never check the certificate, even with `server_tls_ca_file`
/// set, unlike libpq's root-cert rule. Unset is `disable` in older releases
/// and `prefer` in newer ones: neither verifies, and whether TLS is used
/// depends on the release and the server.
pub(super) fn pooler_facts(mode: Option<&str>) -> Facts {
    match mode.map(unquote) {
        None | Some("") => Facts::agree([Some(PLAIN), Some(OPPORTUNISTIC)]),
        Some(m) => unverified_ladder(parse_mode(m)),
    }
}

/// The sslmode ladder of a client that verifies only from `verify-ca` up
/// (PgBouncer): no root-cert rule.
pub(super) fn unverified_ladder(mode: Option<Mode>) -> Facts {
    match mode {
        None | Some(Mode::NoVerify) => UNKNOWN,
        Some(Mode::Disable) => PLAIN,
        Some(Mode::Allow | Mode::Prefer) => OPPORTUNISTIC,
        Some(Mode::Require) => NO_VERIFY,
        Some(Mode::VerifyCa) => CA_ONLY,
        Some(Mode::VerifyFull) => FULL,
    }
}

case_table![
    case!("pgbouncer.ini", "[databases]\nshop = host=shop.cluster-x.eu-west-1.rds.amazonaws.com port=5432 dbname=shop user=app password=hunter2\n\n[pgbouncer]\nlisten_port = 6432\nserver_tls_sslmode = verify-full\nserver_tls_ca_file = /etc/pgbouncer/global-bundle.pem\n" => "PgBouncer", FULL, host "shop.cluster-x.eu-west-1.rds.amazonaws.com", port 5432, user "app", db "shop", trust "/etc/pgbouncer/global-bundle.pem"),
    // `require` with a CA file: still unverified, unlike libpq.
    case!("pgbouncer.ini", "[databases]\nreports = host=reports.internal port=6543\n[pgbouncer]\nserver_tls_sslmode = require\nserver_tls_ca_file = /etc/ssl/rds.pem\n" => "PgBouncer", NO_VERIFY, host "reports.internal", port 6543, db "reports", trust "/etc/ssl/rds.pem"),
    case!("pgbouncer.ini", "[databases]\n* = host=db.example.com\n[pgbouncer]\nserver_tls_sslmode = verify-ca\n" => "PgBouncer", CA_ONLY, host "db.example.com"),
    // Unset: `disable` or `prefer` by release, unverified either way.
    case!("pgbouncer.ini", "[databases]\napp = host=10.0.0.5 dbname=app_prod\n[pgbouncer]\n;server_tls_sslmode = verify-full\npool_mode = transaction\n" => "PgBouncer", OPPORTUNISTIC, host "10.0.0.5", db "app_prod"),
    case!("pgbouncer.ini", "[databases]\napp = host=db dbname=app\n[pgbouncer]\nserver_tls_sslmode = disable\n" => "PgBouncer", PLAIN, host "db", db "app"),
    case!("pgbouncer.ini.j2", "[databases]\napp = host={{ db_host }} dbname=app\n[pgbouncer]\nserver_tls_sslmode = {{ pgbouncer_sslmode }}\n" => "PgBouncer", UNKNOWN, host "{{", db "app"),
    // The TLS settings alone, databases elsewhere (`%include`).
    case!("pgbouncer.ini", "[databases]\n%include /etc/pgbouncer/databases.ini\n[pgbouncer]\nserver_tls_sslmode = prefer\n" => "PgBouncer", OPPORTUNISTIC),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testing;

    #[test]
    fn passwords_are_masked_and_entries_not_read_again_as_keyword_strings() {
        let text = "[databases]\nshop = host=db port=5432 dbname=shop user=app password=hunter2\nlegacy = host=old dbname=legacy password='hunter2'\n[pgbouncer]\nserver_tls_sslmode = verify-full\n";
        let hits = testing::scan(detect, "pgbouncer.ini", text);
        let got: Vec<_> = hits.iter().map(|h| (h.line, h.stack)).collect();
        assert_eq!(got, [(2, "PgBouncer"), (3, "PgBouncer")]);
        testing::assert_masked(&hits, "hunter2");
        assert_eq!(
            hits[0].setting,
            "[databases] shop = host=db port=5432 dbname=shop user=app password=****; server_tls_sslmode = verify-full"
        );
    }
}
