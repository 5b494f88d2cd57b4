//! PostgreSQL `pg_stat_ssl` joined with `pg_stat_activity` on `pid` (the
//! columns of 12–18, in any order; extra columns ignored).

use std::borrow::Cow;

use super::{Captured, CapturedSession, DumpSchema, DumpTransport, boolean, number, time};
use crate::dump::Row;
use crate::format::Engine;

pub struct PgStatSsl;

const COLUMNS: [&str; 19] = [
    "pid",
    "usename",
    "datname",
    "application_name",
    "client_addr",
    "client_hostname",
    "client_port",
    "backend_start",
    "backend_type",
    "ssl",
    "version",
    "cipher",
    "bits",
    "compression",
    "client_dn",
    "clientdn",
    "client_serial",
    "issuer_dn",
    "state",
];

/// Application names that are a driver's default, not the application's:
/// they tell the analyst which settings to check.
const DRIVER_NAMES: [(&str, &str); 2] = [
    ("PostgreSQL JDBC Driver", "pgjdbc"),
    ("psql", "psql (libpq)"),
];

/// The driver whose default application_name this is (`PostgreSQL JDBC
/// Driver` → `pgjdbc`), logs and dumps alike.
pub fn driver_of_application(name: &str) -> Option<&'static str> {
    DRIVER_NAMES
        .iter()
        .find(|(default, _)| *default == name)
        .map(|(_, driver)| *driver)
}

impl DumpSchema for PgStatSsl {
    fn name(&self) -> &'static str {
        "pg_stat_ssl"
    }
    fn columns(&self) -> &'static [&'static str] {
        &COLUMNS
    }
    fn fits(&self, columns: &[String]) -> bool {
        let has = |n: &str| columns.iter().any(|c| c == n);
        has("pid")
            && ["ssl", "usename", "client_addr", "backend_start"]
                .iter()
                .any(|n| has(n))
    }
    fn read<'r>(&self, row: &'r Row) -> Result<Captured<'r>, &'static str> {
        // Background workers and the like are no clients; walsenders are
        // replication sessions, counted as the logs count them.
        if row
            .get("backend_type")
            .is_some_and(|t| t != "client backend" && t != "walsender")
        {
            return Ok(Captured::NotAClient);
        }
        let Some(user) = row.get("usename") else {
            return Ok(Captured::NotAClient);
        };
        let id = number(row, &["pid"])?;
        let host = match (row.get("client_addr"), row.get("client_port")) {
            // inet prints a host without its /32; keep what is before any mask.
            (Some(addr), _) => Cow::Borrowed(addr.split_once('/').map_or(addr, |(a, _)| a)),
            (None, Some("-1")) => Cow::Borrowed("[local]"),
            (None, _) => Cow::Borrowed(""),
        };
        let transport = match row.get("ssl").map(|s| (s, boolean(s))) {
            Some((_, Some(true))) => DumpTransport::Tls {
                protocol: row.get("version"),
                cipher: row.get("cipher"),
            },
            Some((_, Some(false))) => DumpTransport::Plain,
            Some((_, None)) => return Err("ssl is neither true nor false"),
            None if row.get("version").is_some() => DumpTransport::Tls {
                protocol: row.get("version"),
                cipher: row.get("cipher"),
            },
            None => DumpTransport::Unknown,
        };
        let application = row.get("application_name");
        Ok(Captured::Session(CapturedSession {
            started: time(row, &["backend_start"])?,
            database: row.get("datname").unwrap_or_default(),
            application,
            host,
            transport,
            client_certificate: row.any(&["client_dn", "clientdn"]).is_some(),
            driver: application
                .and_then(driver_of_application)
                .map(str::to_string),
            ..CapturedSession::new(self.name(), Engine::Postgres, id, user)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::schemas::testing::row;

    /// Rows as psql prints pg_stat_activity joined with pg_stat_ssl
    /// (PostgreSQL 15, checked on the live server by samples/dumps).
    #[test]
    fn pg_stat_ssl_rows() {
        let table = [
            (
                "pid=4242 ; usename=app-user ; datname=appdb ; application_name=app_prefer ; client_addr=127.0.0.12 ; client_port=50432 ; backend_start=2026-11-29 04:01:10.5+00 ; backend_type=client backend ; ssl=t ; version=TLSv1.3 ; cipher=TLS_AES_256_GCM_SHA384 ; bits=256 ; client_dn=∅",
                "4242 127.0.0.12 app-user appdb Some(\"app_prefer\") tls TLSv1.3 cert=false started",
            ),
            (
                "pid=4243 ; usename=app-user ; datname=appdb ; application_name=psql ; client_addr=∅ ; client_port=-1 ; backend_start=2026-11-29 04:01:11+00 ; ssl=f ; version=∅",
                "4243 [local] app-user appdb Some(\"psql\") plain cert=false started",
            ),
            (
                "pid=4244 ; usename=svc ; datname=dw ; application_name=∅ ; client_addr=10.0.0.5/32 ; ssl=true ; version=TLSv1.2 ; client_dn=/CN=svc",
                "4244 10.0.0.5 svc dw None tls TLSv1.2 cert=true",
            ),
        ];
        for (cells, want) in table {
            let r = row(cells);
            let Ok(Captured::Session(s)) = PgStatSsl.read(&r) else {
                panic!("{cells}");
            };
            let transport = match s.transport {
                DumpTransport::Tls { protocol, .. } => format!("tls {}", protocol.unwrap()),
                DumpTransport::Plain => "plain".into(),
                other => format!("{other:?}"),
            };
            let got = format!(
                "{} {} {} {} {:?} {transport} cert={}{}",
                s.id,
                s.host,
                s.user,
                s.database,
                s.application,
                s.client_certificate,
                if s.started.is_some() { " started" } else { "" }
            );
            assert_eq!(got, want);
        }
        let r = row("pid=4245 ; usename=∅ ; backend_type=autovacuum launcher ; ssl=f");
        assert_eq!(PgStatSsl.read(&r), Ok(Captured::NotAClient));
        let r = row("pid=x ; usename=u ; ssl=t");
        assert!(PgStatSsl.read(&r).is_err());
        let r = row("pid=1 ; usename=u ; ssl=maybe");
        assert!(PgStatSsl.read(&r).is_err());
        let psql = row("pid=1 ; usename=u ; application_name=psql ; ssl=t");
        let Ok(Captured::Session(s)) = PgStatSsl.read(&psql) else {
            panic!()
        };
        assert_eq!(s.driver.as_deref(), Some("psql (libpq)"));
    }
}
