//! SQL Server `sys.dm_exec_connections` joined with `sys.dm_exec_sessions`
//! on session_id. `encrypt_option = TRUE` is TLS; `FALSE` means only the
//! login packet went through TLS, and whether that handshake checked the
//! certificate is the driver's choice (Microsoft.Data.SqlClient 2.0+ and
//! go-mssqldb validate it): never plaintext evidence.

use std::borrow::Cow;

use super::{Captured, CapturedSession, DumpSchema, DumpTransport, boolean, number, time};
use crate::dump::Row;
use crate::format::Engine;

/// SQL Server `sys.dm_exec_connections` joined with
/// `sys.dm_exec_sessions`.
pub struct DmExecConnections;

/// The columns it reads: the documented capture query's (`sslcensus sql
/// sqlserver`), in its order, then others a site's query may have.
const COLUMNS: [&str; 17] = [
    "captured_at",
    "session_id",
    "connect_time",
    "net_transport",
    "protocol_type",
    "encrypt_option",
    "auth_scheme",
    "client_net_address",
    "client_tcp_port",
    "program_name",
    "host_name",
    "login_name",
    "database_name",
    "client_interface_name",
    "is_user_process",
    "login_time",
    "client_version",
];

/// The capture query's columns: what `sqlcmd -h -1` rows are read as.
pub const CAPTURE_COLUMNS: &[&str] = COLUMNS.split_at(15).0;

/// The capture query, whose select list is [`CAPTURE_COLUMNS`].
pub const CAPTURE_QUERY: &str = "SET NOCOUNT ON;
SELECT SYSUTCDATETIME() AS captured_at, c.session_id, c.connect_time, c.net_transport,
       c.protocol_type, c.encrypt_option, c.auth_scheme, c.client_net_address,
       c.client_tcp_port, s.program_name, s.host_name, s.login_name,
       DB_NAME(s.database_id) AS database_name, s.client_interface_name, s.is_user_process
FROM sys.dm_exec_connections c
JOIN sys.dm_exec_sessions s ON s.session_id = c.session_id
WHERE s.is_user_process = 1 AND c.session_id <> @@SPID;";

impl DumpSchema for DmExecConnections {
    fn name(&self) -> &'static str {
        "sys.dm_exec_connections"
    }
    fn columns(&self) -> &'static [&'static str] {
        &COLUMNS
    }
    fn fits(&self, columns: &[String]) -> bool {
        let has = |n: &str| columns.iter().any(|c| c == n);
        has("session_id") && (has("encrypt_option") || has("connect_time"))
    }
    fn read<'r>(&self, row: &'r Row) -> Result<Captured<'r>, &'static str> {
        if row.get("is_user_process").and_then(boolean) == Some(false) {
            return Ok(Captured::NotAClient);
        }
        let transport = match row.get("encrypt_option").map(boolean) {
            Some(Some(true)) => DumpTransport::Tls {
                protocol: None,
                cipher: None,
            },
            Some(Some(false)) => DumpTransport::LoginOnly,
            Some(None) => return Err("encrypt_option is neither TRUE nor FALSE"),
            None => DumpTransport::Unknown,
        };
        let id = number(row, &["session_id"])?;
        Ok(Captured::Session(CapturedSession {
            started: time(row, &["connect_time"])?,
            database: row.get("database_name").unwrap_or_default(),
            application: row.get("program_name"),
            host: Cow::Borrowed(row.get("client_net_address").unwrap_or_default()),
            transport,
            driver: row.get("client_interface_name").map(str::to_string),
            ..CapturedSession::new(
                self.name(),
                Engine::SqlServer,
                id,
                row.get("login_name").unwrap_or_default(),
            )
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::schemas::testing::row;

    /// Typed from the documented columns (no SQL Server runs here).
    #[test]
    fn dm_exec_rows() {
        let table = [
            ("TRUE", "Tls { protocol: None, cipher: None }"),
            ("FALSE", "LoginOnly"),
            ("NULL", "Unknown"),
        ];
        for (encrypt, want) in table {
            let r = row(&format!(
                "session_id=52 ; connect_time=2024-05-01 10:00:00.123 ; encrypt_option={encrypt} ; client_net_address=10.0.1.5 ; program_name=orders-api ; login_name=app ; database_name=orders ; client_interface_name=Microsoft JDBC Driver 12.4 ; is_user_process=1"
            ));
            let Ok(Captured::Session(s)) = DmExecConnections.read(&r) else {
                panic!("{encrypt}")
            };
            assert_eq!(format!("{:?}", s.transport), want);
            assert_eq!(
                (s.id, s.user, s.application),
                (52, "app", Some("orders-api"))
            );
            assert_eq!(s.driver.as_deref(), Some("Microsoft JDBC Driver 12.4"));
            assert!(s.started.is_some());
        }
        let system = row("session_id=12 ; encrypt_option=FALSE ; is_user_process=0");
        assert_eq!(DmExecConnections.read(&system), Ok(Captured::NotAClient));
        let query_columns: Vec<String> = CAPTURE_QUERY
            .split_once("SELECT ")
            .unwrap()
            .1
            .split_once("\nFROM")
            .unwrap()
            .0
            .split(',')
            .map(|c| crate::dump::column_name(c.rsplit(" AS ").next().unwrap()))
            .collect();
        assert_eq!(query_columns, CAPTURE_COLUMNS);
    }
}
