//! MySQL / MariaDB `information_schema.PROCESSLIST` and `SHOW PROCESSLIST`
//! (Id, User, Host, db, Command, Time, State, Info): who is connected, with
//! no TLS column, so the transport stays unknown.

use std::borrow::Cow;

use super::{Captured, CapturedSession, DumpSchema, mysql_engine, number};
use crate::dump::Row;

pub struct Processlist;

const COLUMNS: [&str; 8] = [
    "id", "user", "host", "db", "command", "time", "state", "info",
];

/// Users and commands of the server's own threads.
const NOT_CLIENTS: [&str; 5] = [
    "system user",
    "event_scheduler",
    "unauthenticated user",
    "DELAYED",
    "Daemon",
];

/// `127.0.0.1:53422` → `127.0.0.1`; `localhost` and `::1` stay.
fn without_port(host: &str) -> &str {
    match host.rsplit_once(':') {
        Some((addr, port))
            if !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit())
                && (addr.contains('.') || addr.contains(':')) =>
        {
            addr.strip_prefix('[')
                .and_then(|a| a.strip_suffix(']'))
                .unwrap_or(addr)
        }
        _ => host,
    }
}

impl DumpSchema for Processlist {
    fn name(&self) -> &'static str {
        "information_schema.PROCESSLIST"
    }
    fn columns(&self) -> &'static [&'static str] {
        &COLUMNS
    }
    fn fits(&self, columns: &[String]) -> bool {
        ["id", "user", "host", "command"]
            .iter()
            .all(|n| columns.iter().any(|c| c == n))
    }
    fn read<'r>(&self, row: &'r Row) -> Result<Captured<'r>, &'static str> {
        let (Some(user), command) = (row.get("user"), row.get("command").unwrap_or_default())
        else {
            return Ok(Captured::NotAClient);
        };
        if NOT_CLIENTS.contains(&user)
            || NOT_CLIENTS.contains(&command)
            || command.starts_with("Binlog Dump")
            || command.starts_with("Slave_")
        {
            return Ok(Captured::NotAClient);
        }
        let (engine, engine_certain) = mysql_engine(row);
        let id = number(row, &["id"])?;
        Ok(Captured::Session(CapturedSession {
            engine_certain,
            database: row.get("db").unwrap_or_default(),
            host: Cow::Borrowed(without_port(row.get("host").unwrap_or_default())),
            ..CapturedSession::new(self.name(), engine, id, user)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::schemas::testing::row;

    #[test]
    fn processlist_rows() {
        let table = [
            ("127.0.0.31:54012", "127.0.0.31"),
            ("localhost", "localhost"),
            ("[::1]:3306", "::1"),
            ("::1:3306", "::1"),
            ("db-host", "db-host"),
        ];
        for (host, want) in table {
            assert_eq!(without_port(host), want, "{host}");
        }
        let r = row(
            "id=5 ; user=app-user ; host=127.0.0.31:54012 ; db=shop-db ; command=Sleep ; time=3 ; state= ; info=∅",
        );
        let Ok(Captured::Session(s)) = Processlist.read(&r) else {
            panic!()
        };
        assert_eq!(
            (s.id, s.user, &*s.host, s.database),
            (5, "app-user", "127.0.0.31", "shop-db")
        );
        assert_eq!(s.transport, super::super::DumpTransport::Unknown);
        for cells in [
            "id=1 ; user=system user ; host= ; command=Daemon",
            "id=2 ; user=repl ; host=10.0.0.9:4000 ; command=Binlog Dump GTID",
        ] {
            assert_eq!(
                Processlist.read(&row(cells)),
                Ok(Captured::NotAClient),
                "{cells}"
            );
        }
    }
}
