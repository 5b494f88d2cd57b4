//! Option files: my.cnf, .my.cnf, conf.d/*.cnf, my.ini.

use super::super::text::non_empty;
use super::*;

pub(super) fn is_option_file(name: &str) -> bool {
    name.ends_with(".cnf") || name == "my.ini"
}

/// Groups read by client programs (not the server's `[mysqld]`, `[mariadb]`).
pub(super) const CLIENT_GROUPS: [&str; 12] = [
    "client",
    "mysql",
    "mysqldump",
    "mysqladmin",
    "mysqlimport",
    "mysqlshow",
    "mysqlcheck",
    "mariadb-client",
    "client-mariadb",
    "client-server",
    "mariadb-dump",
    "mysqlsh",
];

stack::row!(OPTION_GROUPS: My, "option files", |file| is_option_file(file.name), option_groups);

pub(super) fn option_groups(file: &FileCtx<'_>, hits: &mut Found) {
    let (text, lines) = (file.text, file.lines());
    // `!include` / `!includedir` pull in files that may set the TLS options.
    let includes = text.lines().any(|l| l.trim_start().starts_with("!include"));
    for section in ini_sections(text) {
        let group = section.name.to_ascii_lowercase();
        if !CLIENT_GROUPS.contains(&group.as_str()) {
            continue;
        }
        let opts: Vec<(String, Option<&str>)> = section
            .entries
            .iter()
            .map(|e| (option_name(e.key), e.value))
            .collect();
        let get = |name: &str| last_value(&opts, name);
        let relevant = opts
            .iter()
            .any(|(k, _)| k.contains("ssl") || k == "host" || k.starts_with("tls"));
        if !relevant {
            continue;
        }
        let tls = ClientTls::read(&opts);
        let mariadb = group.contains("mariadb");
        let facts = tls.facts(mariadb);
        let facts = if includes && !tls.names_tls() {
            facts.unsettled()
        } else {
            facts
        };
        let ca = tls.ca;
        let engine = if mariadb {
            Engine::Mariadb
        } else {
            Engine::Mysql
        };
        let shown = section.shown(text);
        let mut hit = ConfigHit::new(
            lines.line(section.start),
            "MySQL option file",
            engine,
            facts,
            &shown,
        );
        hit.host = non_empty(get("host").map(unquote));
        hit.port = get("port").and_then(|p| unquote(p).parse().ok());
        hit.user = non_empty(get("user").map(unquote));
        hit.database = non_empty(get("database").map(unquote));
        hit.trust_store = ca.map(|v| unquote(v).to_string());
        hits.push(hit);
    }
}

/// A client option's name as MySQL's and MariaDB's clients compare it, in
/// option files and on command lines alike: lowercased, `_` read as `-`,
/// without the `loose-` prefix (`loose_ssl_ca` is `ssl-ca`).
pub(super) fn option_name(name: &str) -> String {
    let name = name.to_ascii_lowercase().replace('_', "-");
    name.strip_prefix("loose-").unwrap_or(&name).to_string()
}

/// The value the last of `opts` named `name` gives it (`""` for a switch
/// given without one).
fn last_value<'a>(opts: &[(String, Option<&'a str>)], name: &str) -> Option<&'a str> {
    opts.iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.unwrap_or(""))
}

/// The TLS options of a client: an option group, or a command line
/// (`--ssl-mode=…`, `--skip-ssl`): option names lowercased with `-`, each
/// with its value if it has one.
pub(super) struct ClientTls<'a> {
    pub(super) ca: Option<&'a str>,
    mode: Given<SslMode>,
    ssl: Option<bool>,
    verify: Option<bool>,
}

impl<'a> ClientTls<'a> {
    pub(super) fn read(opts: &[(String, Option<&'a str>)]) -> ClientTls<'a> {
        let get = |name: &str| last_value(opts, name);
        let switch = |name: &str| -> Option<bool> {
            // `name`, `name=1|0|ON|OFF`, `enable-name`, `skip-name`, `disable-name`.
            let mut state = None;
            for (k, v) in opts {
                let v = v.unwrap_or("");
                if k == name {
                    state = if v.is_empty() {
                        Some(true)
                    } else {
                        parse_bool(v)
                    };
                } else if k.strip_prefix("enable-") == Some(name) {
                    state = Some(true);
                } else if k.strip_prefix("skip-") == Some(name)
                    || k.strip_prefix("disable-") == Some(name)
                {
                    state = Some(false);
                }
            }
            state
        };
        ClientTls {
            ca: get("ssl-ca")
                .or_else(|| get("ssl-capath"))
                .filter(|v| !v.is_empty()),
            mode: given(get("ssl-mode"), SslMode::parse),
            ssl: switch("ssl"),
            verify: switch("ssl-verify-server-cert"),
        }
    }

    /// Names `--ssl-mode`, `--ssl` or `--ssl-verify-server-cert`.
    pub(super) fn names_tls(&self) -> bool {
        self.mode != Given::Absent || self.ssl.is_some() || self.verify.is_some()
    }

    /// Names `--ssl-mode`, which only MySQL's clients read.
    pub(super) fn names_mode(&self) -> bool {
        self.mode != Given::Absent
    }

    /// What a MySQL client (or a MariaDB one) does with these options.
    pub(super) fn facts(&self, mariadb: bool) -> Facts {
        let (ca, ssl, verify) = (self.ca, self.ssl, self.verify);
        if let Given::Value(mode) = self.mode {
            mode.facts()
        } else if self.mode == Given::Unreadable {
            UNKNOWN
        } else if ssl == Some(false) {
            PLAIN
        } else if mariadb {
            // MariaDB clients: `ssl-ca` or `ssl` turn TLS on; up to 11.3 the
            // certificate is checked only with `ssl-verify-server-cert`,
            // from 11.4 (Connector/C 3.4) by default [unconfirmed].
            match verify {
                Some(true) => FULL,
                Some(false) => Facts::new(
                    if ssl == Some(true) || ca.is_some() {
                        Yes
                    } else {
                        Unknown
                    },
                    No,
                    No,
                ),
                None if ssl == Some(true) || ca.is_some() => Facts::new(Yes, Unknown, Unknown),
                None => UNKNOWN,
            }
        } else if verify == Some(true) {
            // MySQL 5.7 maps it to VERIFY_IDENTITY; MariaDB clients verify too.
            SslMode::VerifyIdentity.facts()
        } else if ca.is_some() {
            // mysql client programs: a CA without --ssl-mode means VERIFY_CA
            // (include/sslopt-case.h).
            SslMode::VerifyCa.facts()
        } else if ssl == Some(true) {
            // MySQL 5.7's deprecated --ssl: REQUIRED.
            SslMode::Required.facts()
        } else {
            SslMode::Preferred.facts()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    #[test]
    fn option_files() {
        let text = "\
# client settings
[mysqld]
ssl-ca=/etc/mysql/server-ca.pem

[client]
host = orders.abc.us-east-1.rds.amazonaws.com
user = app
password = hunter2
ssl-ca = /etc/ssl/rds-combined-ca-bundle.pem

[mysql]
ssl_mode=VERIFY_IDENTITY
loose-ssl-ca=\"/etc/ssl/global-bundle.pem\"

[mysqldump]
skip-ssl

[client-mariadb]
ssl
ssl-verify-server-cert

[mariadb-client]
ssl-ca=/x.pem

[mysqladmin]
ssl=1

[mysqlshow]
host=db2
";
        let opt = "MySQL option file";
        check_engines(
            "my.cnf",
            text,
            &[
                Engine::Mysql,
                Engine::Mysql,
                Engine::Mysql,
                Engine::Mariadb,
                Engine::Mariadb,
                Engine::Mysql,
                Engine::Mysql,
            ],
            &hits! {
                opt, "orders.abc.us-east-1.rds.amazonaws.com", _, "app", _, V_CA, "/etc/ssl/rds-combined-ca-bundle.pem";
                opt, _, _, _, _, V_ID, "/etc/ssl/global-bundle.pem";
                opt, _, _, _, _, PLAIN, _;
                opt, _, _, _, _, V_ID, _;
                opt, _, _, _, _, Facts::new(Yes, Unknown, Unknown), "/x.pem";
                opt, _, _, _, _, REQ, _;
                opt, "db2", _, _, _, PREF, _;
            },
        );
        let hits = scan("my.cnf", text);
        assert_eq!(
            hits.iter().map(|h| h.line).collect::<Vec<_>>(),
            [5, 11, 15, 18, 22, 25, 28]
        );
        assert!(
            hits[0].setting.starts_with("[client]; host = orders"),
            "{}",
            hits[0].setting
        );
        // The same text in a file that is not an option file.
        assert!(scan("notes.txt", "[client]\nssl-ca=/x.pem\nhost=db\n").is_empty());
    }
}
