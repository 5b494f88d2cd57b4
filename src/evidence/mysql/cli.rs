//! mysql, mysqldump, mariadb, mariadb-dump and the other client programs'
//! command lines in scripts, CI files and Dockerfiles: `-h`/`--host`, the
//! TLS options (`--ssl-mode`, `--ssl-ca`, `--ssl`, `--skip-ssl`,
//! `--ssl-verify-server-cert`), read as the option files' same options are.

use super::super::syntax::shell::{Arg, Options, commands, is_script};
use super::super::text::non_empty;
use super::*;

static CLI_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"mariadb-dump|mariadb-import|mariadb-admin|mariadb-check|mariadb-show|mariadb|mysqldump|mysqlpump|mysqlimport|mysqladmin|mysqlcheck|mysqlshow|mysql",
    )
    .expect("mysql command pattern compiles")
});

/// The options of MySQL's and MariaDB's client programs that take a value
/// (my_getopt: `-p` only glued on, `--password` only with `=`).
const CLIENT_OPTIONS: Options = Options {
    short_valued: "hPuDSerw",
    short_glued: "p",
    long_valued: &[
        "host",
        "port",
        "user",
        "database",
        "socket",
        "ssl-mode",
        "ssl-ca",
        "ssl-capath",
        "ssl-cert",
        "ssl-key",
        "ssl-cipher",
        "ssl-crl",
        "tls-version",
        "execute",
        "default-character-set",
        "init-command",
        "result-file",
        "where",
        "protocol",
    ],
};

/// The stack's hits' label.
const CLI: &str = "mysql client command line";

stack::row!(CLIENT_COMMANDS: My, "client command lines",
    |file| is_script(file.name), client_commands);

pub(super) fn client_commands(file: &FileCtx<'_>, hits: &mut Found) {
    for c in commands(file.text, &CLI_NAME) {
        let mut opts: Vec<(String, Option<&str>)> = Vec::new();
        let mut hidden = Vec::new();
        let (mut host, mut port, mut user, mut database) = (None, None, None, None);
        let mut operands = 0;
        let read = CLIENT_OPTIONS.read(&c.args);
        for arg in &read {
            match arg {
                Arg::Opt { name, value, words } => {
                    // Short options keep their case (`-P` port, `-p` password).
                    let key = if name.len() == 1 {
                        name.clone()
                    } else {
                        option_name(name)
                    };
                    let value = value.as_deref();
                    match (key.as_str(), value) {
                        ("p" | "password", _) => hidden.extend(words.iter().copied()),
                        ("h" | "host", Some(v)) => host = Some(v),
                        ("P" | "port", Some(v)) => port = v.parse().ok(),
                        ("u" | "user", Some(v)) => user = Some(v),
                        ("D" | "database", Some(v)) => database = Some(v),
                        _ => {}
                    }
                    opts.push((key, value));
                }
                Arg::Operand(w) => {
                    operands += 1;
                    // mysqladmin's operands are its commands.
                    if operands == 1 && !c.name.ends_with("admin") {
                        database.get_or_insert(w.text.as_str());
                    }
                }
            }
        }
        let env_host = c
            .env
            .iter()
            .rev()
            .find(|(n, _)| n == "MYSQL_HOST")
            .map(|(_, w)| w.text.as_str());
        let host = host.or(env_host);
        let tls = ClientTls::read(&opts);
        if host.is_none() && !tls.names_tls() && tls.ca.is_none() {
            continue;
        }
        let mariadb = c.name.starts_with("mariadb");
        // `mysql` may be MySQL's client or MariaDB's (Debian's `mysql` is
        // MariaDB's): the two must agree, unless `--ssl-mode`, which only
        // MySQL's reads, names it.
        let facts = if mariadb {
            tls.facts(true)
        } else if tls.names_mode() {
            tls.facts(false)
        } else {
            Facts::agree([Some(tls.facts(false)), Some(tls.facts(true))])
        };
        let engine = if mariadb {
            Engine::Mariadb
        } else {
            Engine::Mysql
        };
        let mut hit = ConfigHit::new(
            file.lines().line(c.start),
            CLI,
            engine,
            facts,
            &c.shown(file.text, &hidden),
        );
        hit.host = non_empty(host);
        hit.port = port;
        hit.user = non_empty(user);
        hit.database = non_empty(database);
        hit.trust_store = non_empty(tls.ca);
        hits.push(hit);
    }
}

stack::case_tests! {
    /// A `mysql` program may be MySQL's client, which prefers TLS, or
    /// MariaDB's, which (before 11.4) does not use it unless told: with no
    /// TLS option it is unknown. Variables set for the command are read
    /// (MYSQL_HOST; MYSQL_PWD masked); values from variables are unknown.
    fn client_command_lines(Engine::Mysql) {
        "deploy.sh", "mysql --ssl-mode=VERIFY_IDENTITY --ssl-ca=/certs/rds.pem -h db.example.com -P 3306 -u app -phunter2 app < schema.sql\n" => CLI, "db.example.com", 3306, "app", "app", V_ID, "/certs/rds.pem";
        ".gitlab-ci.yml", "test:\n  script:\n    - mysql -h db.example.com -u root --password=hunter2 --ssl-mode REQUIRED shop -e 'select 1'\n" => CLI, "db.example.com", _, "root", "shop", REQ, _;
        "backup.sh", "mysqldump -h db.example.com -u app app > d.sql\n" => CLI, "db.example.com", _, "app", "app", UNKNOWN, _;
        "backup.sh", "mysqldump --host=db.example.com --ssl app > d.sql\n" => CLI, "db.example.com", _, _, "app", Facts::new(Yes, Unknown, Unknown), _;
        "deploy.sh", "MYSQL_HOST=db.example.com MYSQL_PWD=hunter2 mysql --ssl-mode=REQUIRED -u app app < x.sql\n" => CLI, "db.example.com", _, "app", "app", REQ, _;
        "Jenkinsfile", "sh \"mysql -h ${DB_HOST} --ssl-mode=${SSL_MODE} -u app app\"\n" => CLI, "${DB_HOST}", _, "app", "app", UNKNOWN, _;
        "ci.yml", "      - run: mysql -h \"$DB_HOST\" --ssl-mode=\"$MODE\" -e 'select 1'\n" => CLI, "$DB_HOST", _, _, _, UNKNOWN, _;
    }

    fn mariadb_client_command_lines(Engine::Mariadb) {
        "Makefile", "load:\n\tmariadb -h db --skip-ssl -u app app < x.sql\n" => CLI, "db", _, "app", "app", PLAIN, _;
        "Dockerfile", "RUN mariadb-dump -h db --ssl-verify-server-cert --ssl-ca=/certs/ca.pem -u app app > /d.sql\n" => CLI, "db", _, "app", "app", V_ID, "/certs/ca.pem";
        "restore.sh", "mariadb -h db.example.com --ssl -u app app < d.sql\n" => CLI, "db.example.com", _, "app", "app", Facts::new(Yes, Unknown, Unknown), _;
        "restore.sh", "mariadb -h db.example.com -u app app < d.sql\n" => CLI, "db.example.com", _, "app", "app", UNKNOWN, _;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;

    #[test]
    fn passwords_are_masked_and_lines_without_a_server_or_tls_are_not_settings() {
        let hit = &scan(
            "deploy.sh",
            "mysql --ssl-mode=VERIFY_IDENTITY --ssl-ca=/certs/rds.pem -h db.example.com -P 3306 -u app -phunter2 app < schema.sql\n",
        )[0];
        assert_eq!(
            hit.setting,
            "mysql --ssl-mode=VERIFY_IDENTITY --ssl-ca=/certs/rds.pem -h db.example.com -P 3306 -u app **** app"
        );
        // No server and no TLS option: nothing said.
        for text in [
            "mysql -u root app < x.sql\n",
            "apt-get install -y mysql-client\n",
        ] {
            assert!(scan("setup.sh", text).is_empty(), "{text}");
        }
        // Not a script.
        assert!(scan("notes.txt", "mysql -h db --ssl\n").is_empty());
    }
}
