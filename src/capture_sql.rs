//! `sslcensus sql ENGINE`: the capture query sslcensus reads best for each
//! engine, with its capture-time column, and a cron line and a loop that
//! append captures to one file a day for sites that capture with their own
//! client.

use sslcensus_parsers::dump::schemas::sqlserver::CAPTURE_QUERY as SQLSERVER_QUERY;

/// An engine `sslcensus sql` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SqlEngine {
    Postgres,
    Mysql,
    Mariadb,
    Sqlserver,
    Oracle,
}

/// PostgreSQL 12+ (`client_dn` is `clientdn` before 12). `now()` is the
/// capture time; `backend_start` with `pid` makes a session one across
/// captures; the capturing session leaves itself out.
pub const POSTGRES_QUERY: &str =
    "SELECT now() AS captured_at, a.pid, a.usename, a.datname, a.application_name,
       a.client_addr, a.client_port, a.backend_start, a.backend_type,
       s.ssl, s.version, s.cipher, s.bits, s.client_dn
FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
WHERE a.backend_type IN ('client backend', 'walsender') AND a.pid <> pg_backend_pid();";

/// MySQL 8 / Aurora MySQL 3 / MariaDB 10.5+ with `performance_schema = ON`
/// (MariaDB's default is off; it needs a restart): the transport of every
/// connection, its TLS version, and the connect attributes that name the
/// program and the driver.
pub const MYSQL_QUERY: &str = "SELECT NOW(6) AS captured_at, @@version AS server_version,
       t.PROCESSLIST_ID, t.PROCESSLIST_USER, t.PROCESSLIST_HOST, t.PROCESSLIST_DB, t.CONNECTION_TYPE,
       (SELECT v.VARIABLE_VALUE FROM performance_schema.status_by_thread v
         WHERE v.THREAD_ID = t.THREAD_ID AND v.VARIABLE_NAME = 'Ssl_version') AS ssl_version,
       (SELECT v.VARIABLE_VALUE FROM performance_schema.status_by_thread v
         WHERE v.THREAD_ID = t.THREAD_ID AND v.VARIABLE_NAME = 'Ssl_cipher') AS ssl_cipher,
       (SELECT a.ATTR_VALUE FROM performance_schema.session_connect_attrs a
         WHERE a.PROCESSLIST_ID = t.PROCESSLIST_ID AND a.ATTR_NAME = 'program_name') AS program_name,
       (SELECT a.ATTR_VALUE FROM performance_schema.session_connect_attrs a
         WHERE a.PROCESSLIST_ID = t.PROCESSLIST_ID AND a.ATTR_NAME = '_client_name') AS _client_name,
       (SELECT a.ATTR_VALUE FROM performance_schema.session_connect_attrs a
         WHERE a.PROCESSLIST_ID = t.PROCESSLIST_ID AND a.ATTR_NAME = '_client_version') AS _client_version,
       (SELECT a.ATTR_VALUE FROM performance_schema.session_connect_attrs a
         WHERE a.PROCESSLIST_ID = t.PROCESSLIST_ID AND a.ATTR_NAME = '_connector_name') AS _connector_name,
       (SELECT a.ATTR_VALUE FROM performance_schema.session_connect_attrs a
         WHERE a.PROCESSLIST_ID = t.PROCESSLIST_ID AND a.ATTR_NAME = '_connector_version') AS _connector_version
FROM performance_schema.threads t
WHERE t.TYPE = 'FOREGROUND' AND t.PROCESSLIST_ID IS NOT NULL
  AND t.PROCESSLIST_ID <> CONNECTION_ID();";

/// Without performance_schema: who is connected, but not how.
pub const PROCESSLIST_QUERY: &str =
    "SELECT NOW(6) AS captured_at, @@version AS server_version, ID, USER, HOST, DB, COMMAND
FROM information_schema.PROCESSLIST;";

/// Oracle: the session and its network banners. sslcensus does not read
/// Oracle dumps yet; the listener log (`PROTOCOL=tcps`) is read.
pub const ORACLE_QUERY: &str =
    "SELECT SYSTIMESTAMP AS captured_at, s.sid, s.serial#, s.username, s.program, s.machine,
       s.logon_time, i.network_service_banner
FROM v$session s JOIN v$session_connect_info i ON i.sid = s.sid AND i.serial# = s.serial#
WHERE s.type = 'USER';";

/// The query (or queries) and the recipe for an engine.
pub fn text(engine: SqlEngine) -> String {
    match engine {
        SqlEngine::Postgres => format!(
            "-- PostgreSQL 12+: pg_stat_ssl joined with pg_stat_activity; now() is the capture time.
{POSTGRES_QUERY}

-- Capture every minute, appending to one file a day per instance (credentials from
-- ~/.pgpass or PGPASSFILE, never on the command line). crontab line:
-- * * * * * psql \"host=HOST dbname=postgres user=USER sslmode=verify-full\" -X --csv -f capture.sql >> \"$HOME/sessions/INSTANCE/sessions.$(date -u +\\%F).csv\" 2>> \"$HOME/sessions/capture.err\"
-- or a loop:
-- while :; do psql \"host=HOST dbname=postgres user=USER sslmode=verify-full\" -X --csv -f capture.sql >> \"sessions/INSTANCE/sessions.$(date -u +%F).csv\"; sleep 60; done
-- Any psql form works (aligned, -A, --csv, -x, json_agg); a role with pg_read_all_stats sees
-- every session. Then: sslcensus analyze sessions/INSTANCE postgresql-logs/INSTANCE
"
        ),
        SqlEngine::Mysql | SqlEngine::Mariadb => {
            let (client, note) = if engine == SqlEngine::Mariadb {
                (
                    "mariadb",
                    "-- MariaDB: performance_schema is off by default (performance_schema = ON in my.cnf, then a\n-- restart); until then the PROCESSLIST query below shows who connects, not how.",
                )
            } else {
                (
                    "mysql",
                    "-- MySQL 8 / Aurora MySQL 3: performance_schema is on by default.",
                )
            };
            format!(
                "{note}
-- Connection type, TLS version and the connect attributes that name program and driver;
-- NOW(6) is the capture time, @@version tells MySQL from MariaDB.
{MYSQL_QUERY}

-- Without performance_schema (no transport: the report then stays at review):
{PROCESSLIST_QUERY}

-- Capture every minute, appending to one file a day per instance (credentials from an option
-- file, e.g. --defaults-extra-file=~/.sslcensus.cnf, never on the command line). crontab line:
-- * * * * * {client} --defaults-extra-file=$HOME/.sslcensus.cnf -B -e \"source capture.sql\" >> \"$HOME/sessions/INSTANCE/sessions.$(date -u +\\%F).tsv\" 2>> \"$HOME/sessions/capture.err\"
-- or a loop:
-- while :; do {client} --defaults-extra-file=$HOME/.sslcensus.cnf -B < capture.sql >> \"sessions/INSTANCE/sessions.$(date -u +%F).tsv\"; sleep 60; done
-- -B, -t and \\G all work. Then: sslcensus analyze sessions/INSTANCE mysql-logs/INSTANCE
"
            )
        }
        SqlEngine::Sqlserver => format!(
            "-- SQL Server: sys.dm_exec_connections joined with sys.dm_exec_sessions; SYSUTCDATETIME() is the
-- capture time. encrypt_option FALSE means only the login was encrypted (not plaintext
-- evidence: some drivers verify that handshake).
{SQLSERVER_QUERY}

-- Capture every minute (VIEW SERVER STATE needed; password from SQLCMDPASSWORD or -G/-E,
-- never on the command line), with a separator that cannot occur in the data:
-- * * * * * sqlcmd -S HOST -d master -U USER -i capture.sql -s \"|\" -W >> \"$HOME/sessions/INSTANCE/sessions.$(date -u +\\%F).txt\"
-- The default fixed-width form and -h -1 (with -s) are read too.
-- Then: sslcensus analyze sessions/INSTANCE
"
        ),
        SqlEngine::Oracle => format!(
            "-- Oracle: v$session with its network banners. sslcensus does not read Oracle session dumps
-- yet (the listener log's PROTOCOL=tcps is read); this query is for sites that sample anyway.
{ORACLE_QUERY}

-- * * * * * sqlplus -s -L /@INSTANCE @capture.sql >> \"$HOME/sessions/INSTANCE/sessions.$(date -u +\\%F).txt\"
"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sslcensus_parsers::dump::{SCHEMAS, column_name, schemas::is_known_column};

    /// The select list of a query, as column names.
    fn select_list(query: &str) -> Vec<String> {
        let list = query.split_once("SELECT ").unwrap().1;
        let list = list.rsplit_once("\nFROM ").unwrap().0;
        let mut depth = 0;
        let mut columns = Vec::new();
        let mut current = String::new();
        for c in list.chars() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    columns.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            }
            current.push(c);
        }
        columns.push(current);
        columns
            .iter()
            .map(|c| column_name(c.rsplit(" AS ").next().unwrap()))
            .collect()
    }

    /// Every column the capture queries select is one a schema reads (or
    /// the capture time), and the schema it is detected as is the right
    /// one.
    #[test]
    fn capture_queries_select_what_the_schemas_read() {
        let table = [
            (POSTGRES_QUERY, "pg_stat_ssl"),
            (MYSQL_QUERY, "performance_schema.threads"),
            (PROCESSLIST_QUERY, "information_schema.PROCESSLIST"),
            (SQLSERVER_QUERY, "sys.dm_exec_connections"),
        ];
        for (query, schema) in table {
            let columns = select_list(query);
            for column in &columns {
                assert!(
                    is_known_column(column) || column == "server_version",
                    "{schema}: {column}"
                );
            }
            let found = SCHEMAS.iter().find(|s| s.fits(&columns)).unwrap();
            assert_eq!(found.name(), schema);
        }
        for engine in [
            SqlEngine::Postgres,
            SqlEngine::Mysql,
            SqlEngine::Mariadb,
            SqlEngine::Sqlserver,
            SqlEngine::Oracle,
        ] {
            let text = text(engine);
            assert!(text.contains("captured_at"), "{engine:?}");
            assert!(text.contains("* * * * *"), "{engine:?}");
        }
    }
}
