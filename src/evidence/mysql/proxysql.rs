//! ProxySQL's `proxysql.cnf`: the proxy is the client of the database, so
//! each `mysql_servers` entry is a connection setting.

use super::*;

static SERVERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*mysql_servers[ \t]*[=:][ \t\r\n]*\(")
        .expect("ProxySQL pattern compiles")
});

stack::row!(PROXYSQL: My, "ProxySQL",
    |file| file.name.contains("proxysql") && file.text.contains("mysql_servers"), proxysql);

/// One hit per `{ address=…, port=…, use_ssl=… }` of `mysql_servers`, with
/// `mysql_variables`' `ssl_p2s_ca`/`ssl_p2s_capath` and the user of the
/// first `mysql_users` entry whose `default_hostgroup` is the server's.
pub(super) fn proxysql(file: &FileCtx<'_>, hits: &mut Found) {
    let (text, lines) = (file.text, file.lines());
    // libconfig: `#`, `//` and `/* */` comments.
    let lex = file.lex(Comments::HashAndSlash);
    let variables = block_entries(text, lex, "mysql_variables");
    let var = |k: &str| {
        variables
            .iter()
            .flatten()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| unquote(v))
            .filter(|v| !v.is_empty())
    };
    let ca = var("ssl_p2s_ca").or_else(|| var("ssl_p2s_capath"));
    let users = block_entries(text, lex, "mysql_users");
    for m in SERVERS.find_iter(text) {
        let open = m.end() - 1;
        let Some(close) = lex.closing(open) else {
            continue;
        };
        for (at, server) in groups(text, lex, open, close) {
            let get = |k: &str| {
                server
                    .iter()
                    .find(|(key, _)| *key == k)
                    .map(|(_, v)| unquote(v))
            };
            let group = get("hostgroup").or_else(|| get("hostgroup_id"));
            let facts = backend_facts(get("use_ssl"), ca);
            let shown: Vec<(String, &str)> =
                server.iter().map(|(k, v)| (k.to_string(), *v)).collect();
            let mut hit = ConfigHit::new(
                lines.line(at),
                "ProxySQL",
                Engine::Mysql,
                facts,
                &format!("mysql_servers {{ {} }}", shown_entries(&shown, "=")),
            );
            hit.host = get("address")
                .or_else(|| get("hostname"))
                .map(str::to_string);
            hit.port = get("port").and_then(|p| p.parse().ok());
            hit.user = users
                .iter()
                .find(|u| {
                    u.iter()
                        .find(|(k, _)| *k == "default_hostgroup")
                        .map(|(_, v)| unquote(v))
                        == group
                })
                .and_then(|u| u.iter().find(|(k, _)| *k == "username"))
                .map(|(_, v)| unquote(v).to_string());
            hit.trust_store = ca.filter(|_| facts.uses_tls != No).map(str::to_string);
            hits.push(hit);
        }
    }
}

/// ProxySQL's backend TLS (lib/mysql_connection.cpp, set_ssl_params):
/// `use_ssl` (default 0) passes `mysql-ssl_p2s_*` to `mysql_ssl_set` of the
/// bundled MariaDB Connector/C, which checks the chain only when a CA is
/// given, and never sets `MYSQL_OPT_SSL_VERIFY_SERVER_CERT`, so the host
/// name is not checked.
pub(super) fn backend_facts(use_ssl: Option<&str>, ca: Option<&str>) -> Facts {
    match use_ssl.map(Literal::of) {
        None | Some(Literal::False) => PLAIN,
        Some(Literal::True) if ca.is_some_and(is_placeholder) => Facts::new(Yes, Unknown, No),
        Some(Literal::True) if ca.is_some() => CA_ONLY,
        Some(Literal::True) => NO_VERIFY,
        Some(_) => UNKNOWN,
    }
}

/// The `{ key = value … }` groups of the list or group named `name`.
fn block_entries<'t>(text: &'t str, lex: &Lex, name: &str) -> Vec<Vec<(&'t str, &'t str)>> {
    let pattern = format!(r"(?m)^[ \t]*{name}[ \t]*[=:][ \t\r\n]*[({{]");
    let Some(m) = Regex::new(&pattern).ok().and_then(|r| r.find(text)) else {
        return Vec::new();
    };
    let open = m.end() - 1;
    let Some(close) = lex.closing(open) else {
        return Vec::new();
    };
    if text.as_bytes()[open] == b'{' {
        return vec![settings(&text[open + 1..close])];
    }
    groups(text, lex, open, close)
        .into_iter()
        .map(|(_, g)| g)
        .collect()
}

/// The `{…}` groups between `open` and `close`, with where each starts.
fn groups<'t>(
    text: &'t str,
    lex: &Lex,
    open: usize,
    close: usize,
) -> Vec<(usize, Vec<(&'t str, &'t str)>)> {
    let mut out = Vec::new();
    let mut i = open + 1;
    while let Some(start) = text[i..close].find('{').map(|j| i + j) {
        let Some(end) = lex.closing(start) else {
            break;
        };
        out.push((start, settings(&text[start + 1..end])));
        i = end + 1;
    }
    out
}

/// libconfig settings `key = value` / `key: value`, separated by `,`, `;`
/// or new lines.
fn settings(body: &str) -> Vec<(&str, &str)> {
    body.split([',', ';', '\n'])
        .filter_map(|s| {
            let (k, v) = s.split_once(['=', ':'])?;
            Some((k.trim(), v.trim()))
        })
        .collect()
}

stack::case_tests! {
    fn proxysql_servers(Engine::Mysql, with_users) {
        "proxysql.cnf", "mysql_servers = ( { address = \"db\", port = 3306, hostgroup = 0, use_ssl = 1 } )\n" => "ProxySQL", "db", 3306, "app", _, REQ, _;
        "proxysql.cnf", "mysql_servers : ( { address = \"db\" # , use_ssl = 1\n } )\n" => "ProxySQL", "db", _, _, _, PLAIN, _;
        "proxysql.cnf", "mysql_servers = ( { address = \"db\", use_ssl = ${USE_SSL} } )\n" => "ProxySQL", "db", _, _, _, UNKNOWN, _;
    }
}

/// `servers` before ProxySQL's users, whose hostgroup 0 user is `app`.
#[cfg(test)]
fn with_users(_: &str, servers: &str) -> String {
    format!(
        "{servers}mysql_users =\n(\n\t{{ username = \"app\", password = \"hunter2\", default_hostgroup = 0 }}\n)\n"
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    /// Each server of a file, with the variables' CA and its hostgroup's user.
    #[test]
    fn every_server_is_a_setting() {
        check(
            "proxysql.cnf",
            &with_users(
                "",
                "mysql_variables =\n{\n\tthreads = 4\n\tssl_p2s_ca = \"/etc/proxysql/global-bundle.pem\"\n}\nmysql_servers =\n(\n\t{\n\t\taddress = \"shop.cluster-x.eu-west-1.rds.amazonaws.com\"\n\t\tport = 3306\n\t\thostgroup = 0\n\t\tuse_ssl = 1\n\t},\n\t{ address=\"10.0.0.9\", port=3307, hostgroup=1 }\n)\n",
            ),
            &hits! {
                "ProxySQL", "shop.cluster-x.eu-west-1.rds.amazonaws.com", 3306, "app", _, V_CA, "/etc/proxysql/global-bundle.pem";
                "ProxySQL", "10.0.0.9", 3307, _, _, PLAIN, _;
            },
        );
    }
}
