//! MySQL / MariaDB / Aurora MySQL `performance_schema.threads`, with
//! `status_by_thread`'s `Ssl_version`/`Ssl_cipher` and connect attributes
//! pivoted into columns where the capture query joins them. `Ssl_verify_mode`
//! is the server checking *client* certificates and reads the same whether
//! or not the client verifies the server: it is not read.

use std::borrow::Cow;

use super::{Captured, CapturedSession, DumpSchema, DumpTransport, driver, mysql_engine, number};
use crate::dump::Row;

pub struct Threads;

const COLUMNS: [&str; 17] = [
    "processlist_id",
    "processlist_user",
    "processlist_host",
    "processlist_db",
    "connection_type",
    "type",
    "thread_id",
    "ssl_version",
    "ssl_cipher",
    "ssl_verify_mode",
    "program_name",
    "_client_name",
    "_client_version",
    "_connector_name",
    "_connector_version",
    "server_version",
    "processlist_command",
];

/// The transport `CONNECTION_TYPE` names; `Ssl_version` alone where the
/// query has no `CONNECTION_TYPE` (an empty one then says nothing: it is
/// also what a LEFT JOIN without a status row gives).
pub(super) fn transport(row: &Row) -> Result<DumpTransport<'_>, &'static str> {
    let tls = DumpTransport::Tls {
        protocol: row.get("ssl_version"),
        cipher: row.get("ssl_cipher"),
    };
    Ok(match row.get("connection_type") {
        Some("SSL/TLS") => tls,
        Some("TCP/IP" | "Socket" | "Named Pipe" | "Shared Memory") => DumpTransport::Plain,
        Some(_) => return Err("CONNECTION_TYPE is none of SSL/TLS, TCP/IP, Socket"),
        None if row.get("ssl_version").is_some() => tls,
        None => DumpTransport::Unknown,
    })
}

/// The driver the connect attributes name: a connector over the C client.
pub(super) fn attributes_driver(row: &Row) -> Option<String> {
    driver(row.get("_connector_name"), row.get("_connector_version"))
        .or_else(|| driver(row.get("_client_name"), row.get("_client_version")))
}

impl DumpSchema for Threads {
    fn name(&self) -> &'static str {
        "performance_schema.threads"
    }
    fn columns(&self) -> &'static [&'static str] {
        &COLUMNS
    }
    fn fits(&self, columns: &[String]) -> bool {
        let has = |n: &str| columns.iter().any(|c| c == n);
        has("processlist_id") && (has("connection_type") || has("processlist_user"))
    }
    fn read<'r>(&self, row: &'r Row) -> Result<Captured<'r>, &'static str> {
        if row.get("type").is_some_and(|t| t != "FOREGROUND") {
            return Ok(Captured::NotAClient);
        }
        let Some(user) = row.get("processlist_user") else {
            return Ok(Captured::NotAClient);
        };
        let (engine, engine_certain) = mysql_engine(row);
        let id = number(row, &["processlist_id"])?;
        Ok(Captured::Session(CapturedSession {
            engine_certain,
            database: row.get("processlist_db").unwrap_or_default(),
            application: row.get("program_name"),
            host: Cow::Borrowed(row.get("processlist_host").unwrap_or_default()),
            transport: transport(row)?,
            connection_type: row.get("connection_type"),
            driver: attributes_driver(row),
            ..CapturedSession::new(self.name(), engine, id, user)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::schemas::testing::row;
    use crate::format::Engine;

    /// Rows of the capture query over MariaDB 10.11's performance_schema
    /// (checked on the live server by samples/dumps).
    #[test]
    fn threads_rows() {
        let table = [
            (
                "processlist_id=31 ; processlist_user=app-user ; processlist_host=127.0.0.32 ; processlist_db=shop-db ; connection_type=SSL/TLS ; ssl_version=TLSv1.3 ; ssl_verify_mode=5 ; program_name=mysql ; _client_name=libmariadb ; _client_version=3.3.8 ; server_version=10.11.19-MariaDB-0+deb12u1",
                (
                    Engine::Mariadb,
                    true,
                    "tls Some(\"TLSv1.3\")",
                    Some("mysql"),
                    Some("libmariadb 3.3.8"),
                ),
            ),
            (
                "processlist_id=32 ; processlist_user=app-user ; processlist_host=127.0.0.31 ; processlist_db=shop-db ; connection_type=TCP/IP ; ssl_version= ; ssl_verify_mode=0 ; program_name=∅",
                (Engine::Mysql, false, "plain", None, None),
            ),
            (
                "processlist_id=33 ; processlist_user=app ; processlist_host=10.0.1.5 ; connection_type=∅ ; ssl_version=∅ ; _connector_name=mysql-connector-java ; _connector_version=8.0.33 ; _client_name=libmysql",
                (
                    Engine::Mysql,
                    false,
                    "unknown",
                    None,
                    Some("mysql-connector-java 8.0.33"),
                ),
            ),
        ];
        for (cells, (engine, certain, transport, app, drv)) in table {
            let r = row(cells);
            let Ok(Captured::Session(s)) = Threads.read(&r) else {
                panic!("{cells}");
            };
            let got = match s.transport {
                DumpTransport::Tls { protocol, .. } => format!("tls {protocol:?}"),
                DumpTransport::Plain => "plain".into(),
                _ => "unknown".into(),
            };
            assert_eq!(
                (
                    s.engine,
                    s.engine_certain,
                    got.as_str(),
                    s.application,
                    s.driver.as_deref()
                ),
                (engine, certain, transport, app, drv),
                "{cells}"
            );
        }
        // Ssl_verify_mode is never evidence: the same session with 5 or 0.
        let a = row(
            "processlist_id=1 ; processlist_user=u ; connection_type=SSL/TLS ; ssl_verify_mode=5",
        );
        let b = row(
            "processlist_id=1 ; processlist_user=u ; connection_type=SSL/TLS ; ssl_verify_mode=0",
        );
        assert_eq!(Threads.read(&a), Threads.read(&b));
        let bg = row("processlist_id=∅ ; processlist_user=∅ ; type=BACKGROUND");
        assert_eq!(Threads.read(&bg), Ok(Captured::NotAClient));
        assert!(
            Threads
                .read(&row(
                    "processlist_id=1 ; processlist_user=u ; connection_type=Carrier pigeon"
                ))
                .is_err()
        );
    }
}
