//! `sslcensus capture`: runs the capture query of `sslcensus sql` (the same
//! text: [`capture_sql`]) against a PostgreSQL or MySQL/MariaDB server every
//! interval, and appends each capture as CSV with its header and
//! `captured_at` column to `OUT/INSTANCE/sessions.YYYY-MM-DD.csv` — the
//! form `analyze` reads — until the duration ends or Ctrl-C / SIGTERM
//! (which let the capture under way be written first). A lost connection is
//! retried with backoff and the gap written as a note line the dump reader
//! skips ([`sslcensus_parsers::dump::NOTE_PREFIX`]).
//!
//! Credentials are the drivers' and the engines' usual ones, never a flag:
//! sqlx-postgres reads PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD,
//! PGSSLMODE, PGSSLROOTCERT and PGPASSFILE / ~/.pgpass; for MySQL and
//! MariaDB the option file (`~/.my.cnf`, or `--defaults-file`: see
//! [`crate::mysql_options`]), then MYSQL_HOST, MYSQL_TCP_PORT and MYSQL_PWD
//! are read here; `-W` prompts without echo. A password is never printed
//! nor written.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::{SecondsFormat, Utc};
use sqlx::mysql::{MySqlConnectOptions, MySqlSslMode};
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use sqlx::{Column, Connection, Row};
use sslcensus_parsers::dump::NOTE_PREFIX;

use crate::capture_sql::{MYSQL_QUERY, POSTGRES_QUERY, PROCESSLIST_QUERY};
use crate::mysql_options;

/// An engine `sslcensus capture` connects to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CaptureEngine {
    Postgres,
    Mysql,
    Mariadb,
}

impl CaptureEngine {
    /// The engine a connection URL's scheme names.
    fn from_scheme(scheme: &str) -> Option<CaptureEngine> {
        match scheme {
            "postgres" | "postgresql" => Some(CaptureEngine::Postgres),
            "mysql" => Some(CaptureEngine::Mysql),
            "mariadb" => Some(CaptureEngine::Mariadb),
            _ => None,
        }
    }
}

/// TLS to the server, in libpq's words (`sslmode`); MySQL's `--ssl-mode`
/// words are accepted as aliases. `require` does not check the certificate
/// (as in both clients); `verify-ca` checks the chain, `verify-full` the
/// host name too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SslMode {
    #[value(alias = "disabled")]
    Disable,
    /// PostgreSQL only (MySQL has no such mode: read as `prefer`).
    Allow,
    #[value(alias = "preferred")]
    Prefer,
    #[value(alias = "required")]
    Require,
    #[value(alias = "verify_ca")]
    VerifyCa,
    #[value(alias = "verify_identity", alias = "verify-identity")]
    VerifyFull,
}

/// What `sslcensus capture` was asked.
#[derive(Debug, Clone)]
pub struct CaptureRequest {
    pub engine: Option<CaptureEngine>,
    /// A connection URL without a password (`postgres://user@host/db`).
    pub url: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub database: Option<String>,
    pub ssl_mode: Option<SslMode>,
    pub ssl_ca: Option<PathBuf>,
    pub prompt_password: bool,
    /// MySQL/MariaDB: the only option file read (else `~/.my.cnf`).
    pub defaults_file: Option<PathBuf>,
    pub out: PathBuf,
    pub instance: Option<String>,
    pub interval: Duration,
    pub duration: Option<Duration>,
}

/// A span ([`parse_span`]) that cannot be read; each names the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpanError {
    /// No number before the unit.
    #[error("{0:?}: a number and s, m, h or d (e.g. 30s, 5m)")]
    NoNumber(String),
    /// A unit other than s, m, h, d.
    #[error("{0:?}: the unit is s, m, h or d")]
    UnknownUnit(String),
    /// Zero of any unit.
    #[error("{0:?}: must be at least 1s")]
    Zero(String),
    /// More seconds than a duration holds.
    #[error("{0:?}: too long a span")]
    TooLong(String),
}

/// `30s`, `5m`, `2h`, `1d`, or seconds.
pub fn parse_span(text: &str) -> Result<Duration, SpanError> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| SpanError::NoNumber(text.to_string()))?;
    let unit_seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(SpanError::UnknownUnit(text.to_string())),
    };
    let seconds = n
        .checked_mul(unit_seconds)
        .ok_or_else(|| SpanError::TooLong(text.to_string()))?;
    if seconds == 0 {
        return Err(SpanError::Zero(text.to_string()));
    }
    Ok(Duration::from_secs(seconds))
}

/// Connection settings, resolved once.
enum Target {
    Postgres(PgConnectOptions),
    MySql(MySqlConnectOptions),
}

enum Connected {
    Postgres(sqlx::PgConnection),
    MySql(sqlx::MySqlConnection),
}

/// One capture: column names and rows of text (`None` for NULL).
struct Capture {
    columns: Vec<String>,
    rows: Vec<Vec<Option<String>>>,
}

impl Target {
    fn resolve(req: &CaptureRequest) -> anyhow::Result<(Target, String)> {
        let url = match &req.url {
            Some(text) => {
                let url = url::Url::parse(text)
                    .map_err(|e| anyhow::anyhow!("the connection URL does not parse: {e}"))?;
                if url.password().is_some() {
                    bail!(
                        "the connection URL holds a password: command lines are visible to every user of the machine; use PGPASSWORD / ~/.pgpass, MYSQL_PWD or -W instead"
                    );
                }
                Some(url)
            }
            None => None,
        };
        let from_url = url
            .as_ref()
            .and_then(|u| CaptureEngine::from_scheme(u.scheme()));
        if url.is_some() && from_url.is_none() {
            bail!("the connection URL's scheme is not postgres://, mysql:// or mariadb://");
        }
        let engine = match (req.engine, from_url) {
            (Some(a), Some(b)) if a != b && !(is_mysql_family(a) && is_mysql_family(b)) => {
                bail!("--engine {a:?} and the URL's scheme disagree")
            }
            (Some(e), _) | (None, Some(e)) => e,
            (None, None) => bail!("give --engine postgres|mysql|mariadb or a connection URL"),
        };
        let password = if req.prompt_password {
            Some(
                rpassword::prompt_password("Password: ")
                    .context("cannot read a password from the terminal")?,
            )
        } else {
            None
        };
        if engine == CaptureEngine::Postgres && req.defaults_file.is_some() {
            bail!(
                "--defaults-file is a MySQL/MariaDB option file; PostgreSQL reads PGPASSFILE / ~/.pgpass"
            );
        }
        match engine {
            CaptureEngine::Postgres => {
                // From a URL so that ~/.pgpass is looked up with the host, port,
                // user and database given here (sqlx-postgres does it on parse).
                let mut url = url.unwrap_or_else(|| url::Url::parse("postgres://").unwrap());
                set_url_fields(&mut url, req)?;
                let mut options = PgConnectOptions::from_str(url.as_str())
                    .map_err(|e| anyhow::anyhow!("connection settings: {e}"))?
                    .application_name("sslcensus capture");
                if let Some(p) = &password {
                    options = options.password(p);
                }
                if let Some(ca) = &req.ssl_ca {
                    options = options.ssl_root_cert(ca);
                }
                if let Some(mode) = req.ssl_mode {
                    options = options.ssl_mode(match mode {
                        SslMode::Disable => PgSslMode::Disable,
                        SslMode::Allow => PgSslMode::Allow,
                        SslMode::Prefer => PgSslMode::Prefer,
                        SslMode::Require => PgSslMode::Require,
                        SslMode::VerifyCa => PgSslMode::VerifyCa,
                        SslMode::VerifyFull => PgSslMode::VerifyFull,
                    });
                }
                let name = options.get_host().to_string();
                Ok((Target::Postgres(options), name))
            }
            CaptureEngine::Mysql | CaptureEngine::Mariadb => {
                let mut url = url.unwrap_or_else(|| url::Url::parse("mysql://").unwrap());
                if url.scheme() == "mariadb" {
                    let rest = url.as_str().trim_start_matches("mariadb");
                    url = url::Url::parse(&format!("mysql{rest}")).expect("same URL");
                }
                set_url_fields(&mut url, req)?;
                let mut options = MySqlConnectOptions::from_str(url.as_str())
                    .map_err(|e| anyhow::anyhow!("connection settings: {e}"))?;
                // What the mysql and mariadb clients read (their manuals,
                // "Using Option Files", "Environment Variables"): the
                // command line first, then the option file, then the
                // environment; the user defaults to the login name.
                if let Some(path) = &req.defaults_file {
                    mysql_options::check_defaults_file(path)?;
                }
                let file = match mysql_options::option_file(req.defaults_file.as_deref()) {
                    Some(path) => mysql_options::read(&path, engine == CaptureEngine::Mariadb)?,
                    None => Default::default(),
                };
                let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
                if url.host_str().is_none_or(str::is_empty) {
                    let host = file.host.or_else(|| env("MYSQL_HOST"));
                    options = options.host(&host.unwrap_or("localhost".into()));
                }
                if url.port().is_none()
                    && let Some(port) = file
                        .port
                        .or_else(|| env("MYSQL_TCP_PORT").and_then(|p| p.parse().ok()))
                {
                    options = options.port(port);
                }
                if url.username().is_empty()
                    && let Some(user) = file.user.or_else(|| env("USER"))
                {
                    options = options.username(&user);
                }
                if let Some(p) = password.or(file.password).or_else(|| env("MYSQL_PWD")) {
                    options = options.password(&p);
                }
                if let Some(ca) = &req.ssl_ca {
                    options = options.ssl_ca(ca);
                }
                if let Some(mode) = req.ssl_mode {
                    options = options.ssl_mode(match mode {
                        SslMode::Disable => MySqlSslMode::Disabled,
                        SslMode::Allow | SslMode::Prefer => MySqlSslMode::Preferred,
                        SslMode::Require => MySqlSslMode::Required,
                        SslMode::VerifyCa => MySqlSslMode::VerifyCa,
                        SslMode::VerifyFull => MySqlSslMode::VerifyIdentity,
                    });
                }
                let name = options.get_host().to_string();
                Ok((Target::MySql(options), name))
            }
        }
    }

    async fn connect(&self) -> Result<Connected, sqlx::Error> {
        Ok(match self {
            Target::Postgres(o) => Connected::Postgres(sqlx::PgConnection::connect_with(o).await?),
            Target::MySql(o) => Connected::MySql(sqlx::MySqlConnection::connect_with(o).await?),
        })
    }
}

fn is_mysql_family(engine: CaptureEngine) -> bool {
    engine != CaptureEngine::Postgres
}

/// Puts the flags' host, port, user and database into the URL.
fn set_url_fields(url: &mut url::Url, req: &CaptureRequest) -> anyhow::Result<()> {
    let bad = |what: &str| anyhow::anyhow!("cannot put the {what} into the connection URL");
    if let Some(host) = &req.host {
        url.set_host(Some(host)).map_err(|_| bad("host"))?;
    }
    if let Some(port) = req.port {
        url.set_port(Some(port)).map_err(|_| bad("port"))?;
    }
    if let Some(user) = &req.user {
        url.set_username(user).map_err(|_| bad("user"))?;
    }
    if let Some(database) = &req.database {
        url.set_path(database);
    }
    Ok(())
}

impl Connected {
    /// Runs a query in the text protocol (PostgreSQL's simple query, MySQL's
    /// COM_QUERY), so that every value arrives as the server prints it.
    async fn run(&mut self, query: &str) -> Result<Capture, sqlx::Error> {
        match self {
            Connected::Postgres(c) => Ok(texts(sqlx::raw_sql(query).fetch_all(c).await?)),
            Connected::MySql(c) => Ok(texts(sqlx::raw_sql(query).fetch_all(c).await?)),
        }
    }

    async fn close(self) {
        let _ = match self {
            Connected::Postgres(c) => c.close().await,
            Connected::MySql(c) => c.close().await,
        };
    }
}

fn texts<R: Row>(rows: Vec<R>) -> Capture
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database>,
{
    let columns = rows.first().map_or_else(Vec::new, |r| {
        r.columns().iter().map(|c| c.name().to_string()).collect()
    });
    let rows = rows
        .iter()
        .map(|row| {
            (0..columns.len())
                // Text protocol: any type reads as its text.
                .map(|i| row.try_get_unchecked::<Option<String>, _>(i).ok().flatten())
                .collect()
        })
        .collect();
    Capture { columns, rows }
}

/// Appends to `OUT/INSTANCE/sessions.YYYY-MM-DD.csv` (UTC days).
struct DayFiles {
    dir: PathBuf,
}

impl DayFiles {
    fn path(&self) -> PathBuf {
        self.dir
            .join(format!("sessions.{}.csv", Utc::now().format("%Y-%m-%d")))
    }

    fn append(&self, text: &[u8]) -> anyhow::Result<PathBuf> {
        let path = self.path();
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        file.write_all(text)
            .and_then(|()| file.flush())
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    }

    fn capture(&self, capture: &Capture) -> anyhow::Result<Option<PathBuf>> {
        if capture.columns.is_empty() {
            return Ok(None);
        }
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record(&capture.columns)?;
        for row in &capture.rows {
            csv.write_record(row.iter().map(|v| v.as_deref().unwrap_or("")))?;
        }
        let text = csv.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
        self.append(&text).map(Some)
    }

    fn note(&self, text: &str) -> anyhow::Result<PathBuf> {
        let line = format!("{NOTE_PREFIX} {}\n", text.replace(['\n', '\r'], " "));
        self.append(line.as_bytes())
    }
}

fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An error as one line, with what the driver says (never a password: the
/// drivers' messages name the user and host at most).
fn one_line(e: &sqlx::Error) -> String {
    e.to_string().replace(['\n', '\r'], " ")
}

/// Runs `sslcensus capture`; returns the number of captures written.
pub fn run(req: CaptureRequest) -> anyhow::Result<u64> {
    let (target, host) = Target::resolve(&req)?;
    let instance = req.instance.clone().unwrap_or(host);
    if instance.is_empty() || instance.contains(['/', '\\']) || instance.starts_with('.') {
        bail!("--instance {instance:?}: a folder name is needed");
    }
    let dir = req.out.join(&instance);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let files = DayFiles { dir };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(capture_loop(&target, &files, &req))
}

/// Set once Ctrl-C or SIGTERM arrived; the loop stops after the capture
/// under way.
fn stop_flag() -> (Arc<AtomicBool>, Arc<tokio::sync::Notify>) {
    let stop = Arc::new(AtomicBool::new(false));
    let notify = Arc::new(tokio::sync::Notify::new());
    let (s, n) = (stop.clone(), notify.clone());
    tokio::spawn(async move {
        #[cfg(unix)]
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut t) => {
                    t.recv().await;
                }
                Err(_) => std::future::pending().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term => {}
        }
        s.store(true, Ordering::SeqCst);
        n.notify_waiters();
        n.notify_one();
    });
    (stop, notify)
}

async fn capture_loop(
    target: &Target,
    files: &DayFiles,
    req: &CaptureRequest,
) -> anyhow::Result<u64> {
    let (stop, notify) = stop_flag();
    let start = tokio::time::Instant::now();
    let end = req.duration.map(|d| start + d);
    let mut next = start;
    let mut connection: Option<Connected> = None;
    // The query: the one `sslcensus sql` prints; MariaDB without
    // performance_schema gets the PROCESSLIST query it prints too.
    let mut query: Option<&'static str> = None;
    // The last capture written, for the gap note.
    let mut last_capture: Option<String> = None;
    let mut lost: Option<String> = None;
    let mut backoff = Duration::from_secs(1);
    let mut written = 0u64;
    loop {
        if stop.load(Ordering::SeqCst) || end.is_some_and(|e| tokio::time::Instant::now() >= e) {
            break;
        }
        if connection.is_none() {
            match target.connect().await {
                Ok(mut c) => {
                    if query.is_none() {
                        query = Some(choose_query(target, &mut c).await?);
                    }
                    if let Some(why) = lost.take() {
                        let since = last_capture.clone().unwrap_or_else(|| "the start".into());
                        let note = format!("no capture from {since} to {}: {why}", now_text());
                        let path = files.note(&note)?;
                        eprintln!(
                            "sslcensus: capture: reconnected; {note} (noted in {})",
                            path.display()
                        );
                    }
                    backoff = Duration::from_secs(1);
                    connection = Some(c);
                }
                Err(e) => {
                    if written == 0 && lost.is_none() && is_fatal(&e) {
                        bail!("cannot connect: {}", one_line(&e));
                    }
                    let why = one_line(&e);
                    eprintln!(
                        "sslcensus: capture: cannot connect ({why}); retrying in {}s",
                        backoff.as_secs()
                    );
                    lost.get_or_insert(why);
                    if wait(&stop, &notify, tokio::time::Instant::now() + backoff, end).await {
                        break;
                    }
                    backoff = (backoff * 2)
                        .min(Duration::from_secs(60))
                        .min(req.interval.max(Duration::from_secs(1)) * 4);
                    continue;
                }
            }
        }
        let c = connection.as_mut().expect("connected above");
        let q = query.expect("chosen on the first connection");
        match c.run(q).await {
            Ok(capture) => {
                if let Some(path) = files.capture(&capture)? {
                    written += 1;
                    if written == 1 {
                        eprintln!("sslcensus: capture: writing to {}", path.display());
                    }
                }
                last_capture = Some(now_text());
            }
            Err(e) => {
                let why = one_line(&e);
                if written == 0 && lost.is_none() && matches!(e, sqlx::Error::Database(_)) {
                    bail!("the capture query failed: {why}");
                }
                eprintln!("sslcensus: capture: the connection was lost ({why}); reconnecting");
                lost.get_or_insert(why);
                if let Some(c) = connection.take() {
                    c.close().await;
                }
                continue;
            }
        }
        next += req.interval;
        let now = tokio::time::Instant::now();
        while next < now {
            next += req.interval;
        }
        if wait(&stop, &notify, next, end).await {
            break;
        }
    }
    if let Some(c) = connection.take() {
        c.close().await;
    }
    if let Some(why) = lost {
        let since = last_capture.unwrap_or_else(|| "the start".into());
        let note = format!("no capture from {since} to {} (stopped): {why}", now_text());
        files.note(&note)?;
        eprintln!("sslcensus: capture: {note}");
    }
    eprintln!("sslcensus: capture: {written} captures written");
    Ok(written)
}

/// Waits until `until`; true when stopped (a signal, or the end).
async fn wait(
    stop: &AtomicBool,
    notify: &tokio::sync::Notify,
    until: tokio::time::Instant,
    end: Option<tokio::time::Instant>,
) -> bool {
    if let Some(end) = end
        && until >= end
    {
        tokio::select! {
            _ = tokio::time::sleep_until(end) => return true,
            _ = notify.notified() => return true,
        }
    }
    if stop.load(Ordering::SeqCst) {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep_until(until) => stop.load(Ordering::SeqCst),
        _ = notify.notified() => true,
    }
}

/// Errors no retry mends: a refused login, a certificate that does not
/// verify, settings that do not parse.
fn is_fatal(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::Database(_) | sqlx::Error::Tls(_) | sqlx::Error::Configuration(_)
    )
}

/// The capture query for the server: MariaDB's performance_schema is off by
/// default, and its threads table is then empty.
async fn choose_query(target: &Target, c: &mut Connected) -> anyhow::Result<&'static str> {
    match target {
        Target::Postgres(_) => Ok(POSTGRES_QUERY),
        Target::MySql(_) => {
            let on = c
                .run("SELECT @@performance_schema AS performance_schema")
                .await
                .map_err(|e| anyhow::anyhow!("cannot ask the server: {}", one_line(&e)))?;
            let on = on
                .rows
                .first()
                .and_then(|r| r.first().cloned().flatten())
                .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("on"));
            if on {
                Ok(MYSQL_QUERY)
            } else {
                eprintln!(
                    "sslcensus: capture: performance_schema is off on this server: capturing information_schema.PROCESSLIST (who connects, not how: such clients stay review). Turn performance_schema on (my.cnf, then a restart) to capture TLS."
                );
                Ok(PROCESSLIST_QUERY)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans() {
        use SpanError::*;
        let table = [
            ("30s", Ok(30)),
            ("5m", Ok(300)),
            ("2h", Ok(7200)),
            ("1d", Ok(86_400)),
            ("45", Ok(45)),
            (" 45 ", Ok(45)),
            ("0s", Err(Zero("0s".into()))),
            ("5x", Err(UnknownUnit("5x".into()))),
            ("m", Err(NoNumber("m".into()))),
            (
                "99999999999999999999",
                Err(NoNumber("99999999999999999999".into())),
            ),
            // Past u64 seconds once multiplied (it overflowed before).
            (
                "999999999999999999d",
                Err(TooLong("999999999999999999d".into())),
            ),
        ];
        for (text, want) in table {
            assert_eq!(parse_span(text).map(|d| d.as_secs()), want, "{text}");
        }
        assert_eq!(
            UnknownUnit("5x".into()).to_string(),
            "\"5x\": the unit is s, m, h or d"
        );
    }
}
