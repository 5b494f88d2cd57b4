//! Dump schemas: which engine view a capture's columns are. One small file
//! per view, each with its table test; [`SCHEMAS`] is the table a capture's
//! columns are matched against, in order.

mod mysql_attrs;
mod mysql_processlist;
mod mysql_ssl_status;
mod mysql_threads;
mod postgres;
pub use postgres::driver_of_application;
pub mod sqlserver;

use std::borrow::Cow;

use super::Row;
use crate::format::Engine;
use crate::observation::Millis;
use crate::time::parse_timestamp;

/// An engine view (or a join of views) a capture can be of.
pub trait DumpSchema: Sync {
    /// How the report names this source (`pg_stat_ssl`).
    fn name(&self) -> &'static str;
    /// The columns it reads; a header naming one of any view's is a header.
    fn columns(&self) -> &'static [&'static str];
    /// Whether a capture with these columns is of this view.
    fn fits(&self, columns: &[String]) -> bool;
    /// One row: a session, a connect attribute, a row that is no client
    /// (a background process), or why the row cannot be read.
    fn read<'r>(&self, row: &'r Row) -> Result<Captured<'r>, &'static str>;
}

/// Tried in order: the first whose columns fit.
pub static SCHEMAS: &[&dyn DumpSchema] = &[
    &mysql_attrs::SessionConnectAttrs,
    &mysql_threads::Threads,
    &mysql_ssl_status::SessionSslStatus,
    &mysql_processlist::Processlist,
    &sqlserver::DmExecConnections,
    &postgres::PgStatSsl,
];

/// The schema a capture with these columns is of.
pub fn schema_for(columns: &[String]) -> Option<&'static dyn DumpSchema> {
    SCHEMAS.iter().copied().find(|s| s.fits(columns))
}

/// Whether any view has a column of this name (lower case).
pub fn is_known_column(name: &str) -> bool {
    SCHEMAS.iter().any(|s| s.columns().contains(&name)) || super::TIME_COLUMNS.contains(&name)
}

/// What one row of a capture holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Captured<'r> {
    /// A client session.
    Session(CapturedSession<'r>),
    /// A `session_connect_attrs` row.
    Attribute {
        /// The MySQL session it belongs to.
        processlist_id: u64,
        /// The attribute's name (`program_name`, `_client_name`).
        name: &'r str,
        /// The attribute's value.
        value: &'r str,
    },
    /// A background process, a replication thread, a system session.
    NotAClient,
}

/// How a captured session's bytes travel, as the view shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpTransport<'r> {
    /// TLS, with the protocol and cipher where the view gives them.
    Tls {
        /// The TLS version (pg_stat_ssl `version`, performance_schema
        /// `ssl_version`).
        protocol: Option<&'r str>,
        /// The cipher suite (pg_stat_ssl `cipher`, performance_schema
        /// `ssl_cipher`).
        cipher: Option<&'r str>,
    },
    /// The view says the session has no TLS.
    Plain,
    /// SQL Server `encrypt_option = FALSE`: only the login packet went
    /// through TLS, and whether that handshake checked the certificate is
    /// the driver's choice: not plaintext evidence.
    LoginOnly,
    /// The view does not say (information_schema.PROCESSLIST).
    Unknown,
}

/// One session as a capture shows it, borrowed from its row.
#[derive(Debug, Clone, PartialEq)]
pub struct CapturedSession<'r> {
    /// The view's name (`pg_stat_ssl`).
    pub source: &'static str,
    /// The engine the view belongs to.
    pub engine: Engine,
    /// False when the view leaves the MySQL family's engine open (no
    /// server version column): the instance's logs decide.
    pub engine_certain: bool,
    /// PostgreSQL pid, MySQL processlist id, SQL Server session_id.
    pub id: u64,
    /// backend_start / connect_time: with the id, what makes a session one
    /// across captures.
    pub started: Option<Millis>,
    /// The login name (usename, `USER`, processlist_user, login_name).
    pub user: &'r str,
    /// The database the session is connected to (datname, `DB`,
    /// database_name); empty when the row has none.
    pub database: &'r str,
    /// application_name, the `program_name` connect attribute, program_name.
    pub application: Option<&'r str>,
    /// The client address as the engine's logs write it (`[local]` for
    /// PostgreSQL's unix socket, `localhost` for MySQL's).
    pub host: Cow<'r, str>,
    /// Whether the session uses TLS, as far as the view says.
    pub transport: DumpTransport<'r>,
    /// A client certificate (PostgreSQL `client_dn`): the server checked the
    /// client, which says nothing about the client checking the server.
    pub client_certificate: bool,
    /// MySQL `CONNECTION_TYPE`, part of what makes a processlist id one
    /// session.
    pub connection_type: Option<&'r str>,
    /// The client driver and its version, where the view names it.
    pub driver: Option<String>,
}

impl<'r> CapturedSession<'r> {
    /// A session of `user` known by `id`, nothing else known yet: schemas
    /// fill in what their view shows.
    pub fn new(source: &'static str, engine: Engine, id: u64, user: &'r str) -> Self {
        CapturedSession {
            source,
            engine,
            engine_certain: true,
            id,
            started: None,
            user,
            database: "",
            application: None,
            host: Cow::Borrowed(""),
            transport: DumpTransport::Unknown,
            client_certificate: false,
            connection_type: None,
            driver: None,
        }
    }
}

/// `t`, `true`, `on`, `yes`, `1` / `f`, `false`, `off`, `no`, `0`.
pub(crate) fn boolean(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "t" | "true" | "on" | "yes" | "1" => Some(true),
        "f" | "false" | "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

pub(crate) fn number(row: &Row, names: &[&str]) -> Result<u64, &'static str> {
    row.any(names)
        .ok_or("no session id")?
        .parse()
        .map_err(|_| "the session id is not a number")
}

pub(crate) fn time(row: &Row, names: &[&str]) -> Result<Option<Millis>, &'static str> {
    match row.any(names) {
        None => Ok(None),
        Some(text) => parse_timestamp(text)
            .map(|t| Some(t.millis))
            .ok_or("the session's start is not a time"),
    }
}

/// The engine a server version string names (`10.11.19-MariaDB`, `8.0.36`).
pub(crate) fn mysql_engine(row: &Row) -> (Engine, bool) {
    match row.any(&["server_version", "version()", "@@version", "version"]) {
        Some(v) if v.contains("MariaDB") => (Engine::Mariadb, true),
        Some(v) if v.starts_with(|c: char| c.is_ascii_digit()) => (Engine::Mysql, true),
        _ => (Engine::Mysql, false),
    }
}

/// `name version` of a driver, from the connect attributes a row carries.
pub(crate) fn driver(name: Option<&str>, version: Option<&str>) -> Option<String> {
    match (name, version) {
        (Some(n), Some(v)) => Some(format!("{n} {v}")),
        (Some(n), None) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::dump::Row;

    /// A row from `name=value` pairs (`name=∅` for NULL).
    pub fn row(cells: &str) -> Row {
        let mut row = Row::new(1);
        for cell in cells.split(" ; ") {
            let (name, value) = cell.split_once('=').unwrap();
            row.push(name, (value != "∅").then(|| value.to_string()));
        }
        row
    }
}
