//! Amazon RDS for MariaDB 10.11 general query log (`mysql-general.log`, `log_output=FILE`).
//!
//! Layout, as MariaDB 10.11 writes it (see `samples/mariadb/`; `⇥` marks a tab):
//!
//! ```text
//! /rdsdbbin/mysql/bin/mysqld, Version: 10.11.9-MariaDB-log (Source distribution). started with:
//! Tcp port: 3306  Unix socket: /tmp/mysql.sock
//! Time⇥⇥    Id Command⇥Argument
//! 261101  0:00:00⇥     5 Connect⇥rdsadmin@localhost on  using Socket
//! ⇥⇥     5 Query⇥SELECT 1
//! ⇥⇥     6 Connect⇥app-user@10.0.3.42 on shop-db using SSL/TLS
//! ⇥⇥     5 Quit⇥
//! ⇥⇥     6 Query⇥SELECT day, orders, revenue
//!   FROM daily
//!  ORDER BY day
//! ⇥⇥     7 Connect⇥billing-api@10.0.3.31 on billing using TCP/IP
//! ⇥⇥     7 Connect⇥Access denied for user 'billing-api'@'10.0.3.31' (using password: YES)
//! 261101  0:00:01⇥     6 Init DB⇥shop-db
//! ```
//!
//! The time (`YYMMDD H:MM:SS`, hour space-padded) is printed only on the first record of each
//! second; the other records start with two tabs. Then the thread id right-aligned in 6
//! columns, a space, the command, a tab and the argument (empty for `Quit`). Statements are
//! copied raw, so multi-line ones continue on lines with no prefix.
//!
//! A fixed population of clients (user, database, one or a few `10.x` addresses or
//! `localhost`, TLS always / never / mixed) opens sessions: `Connect` → the connector's
//! start-up statements → `Query` (or `Prepare` / `Execute`) records → `Quit`; some sessions
//! end without `Quit` (killed, timed out). Sessions interleave; thread ids only increase, with
//! small gaps for connections that never reach the log (TLS handshake failures, TCP probes).
//! A few clients fail some logins: the login `Connect` is followed, on the same id, by
//! `Connect⇥Access denied for user '…'@'…' (using password: YES|NO)` (a wrong password, or
//! a `REQUIRE SSL` account trying plaintext) or `Init DB⇥Access denied for user '…'@'%' to
//! database '…'`, and nothing else. The file starts with the server's start-up banner, so no
//! session predates it; sessions still open at the end simply stop.

use std::io::{self, Write};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

mod clients;
mod sql;

use crate::out::{Out, civil_from_days};
use crate::population::{ByWeight, OpenSessions, draw_index};
use crate::{Config, Summary, next_gap_us, pick};
use clients::{Client, DATABASES, Driver, LOCALHOST, Tls, Workload};
use sql::{Ctx, Sql};

/// The three lines `mysqld` writes when it opens the general log at start-up.
pub(crate) const BANNER: &str = "/rdsdbbin/mysql/bin/mysqld, Version: 10.11.9-MariaDB-log (Source distribution). started with:\n\
Tcp port: 3306  Unix socket: /tmp/mysql.sock\n\
Time\t\t    Id Command\tArgument\n";

/// Mean time between generator steps (each step writes roughly 1.3 lines).
const MEAN_GAP_US: f64 = 5_000.0;

/// Writes a MariaDB general log as described by `cfg` (already validated).
pub(crate) fn write<W: Write>(cfg: &Config, out: W) -> io::Result<Summary> {
    Gen::new(cfg, out).run()
}

struct Session {
    id: u64,
    client: u32,
    workload: Workload,
    pooled: bool,
    /// Statements sent so far (start-up statements not counted).
    done: u32,
    /// Statements a short-lived session means to send before it quits.
    budget: u32,
}

#[derive(Clone, Copy)]
enum Denial {
    /// `Connect⇥Access denied … (using password: YES|NO)`.
    Password { sent: bool },
    /// `Init DB⇥Access denied … to database '…'`.
    Database,
}

/// A failed login's `Access denied` record, written a little after its `Connect`.
struct Pending {
    due_us: i64,
    id: u64,
    client: u32,
    addr: u8,
    denial: Denial,
}

struct Gen<'a, W: Write> {
    cfg: &'a Config,
    rng: ChaCha8Rng,
    out: Out<W>,
    sql: Sql,
    clients: Vec<Client>,
    by_weight: ByWeight,
    now_us: i64,
    /// The second of the last record that printed a time.
    stamp_sec: i64,
    sessions: Vec<Session>,
    pending: Vec<Pending>,
    next_id: u64,
    open: OpenSessions,
    /// Still ramping up after the server start: pools connect in a burst.
    warming_up: bool,
    conn_lines: u64,
    summary: Summary,
}

impl<'a, W: Write> Gen<'a, W> {
    fn new(cfg: &'a Config, w: W) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let clients = clients::population(&mut rng, cfg.clients);
        let by_weight = ByWeight::new(clients.iter().map(|c| c.weight));
        let n = clients.len();
        // Ids 1–2 are the server's own threads, a few more go to start-up connections.
        let next_id = rng.random_range(2..8);
        Gen {
            cfg,
            out: Out::new(w),
            sql: Sql::new(),
            by_weight,
            clients,
            now_us: cfg.start_epoch_secs * 1_000_000,
            stamp_sec: i64::MIN,
            sessions: Vec::new(),
            pending: Vec::new(),
            next_id,
            open: OpenSessions::for_clients(n),
            warming_up: cfg.connection_share_percent > 0.0,
            rng,
            conn_lines: 0,
            summary: Summary::default(),
        }
    }

    fn run(mut self) -> io::Result<Summary> {
        self.out.s(BANNER);
        let share = self.cfg.connection_share_percent / 100.0;
        let target = self.cfg.target_bytes;
        while self.out.bytes() < target {
            self.tick();
            if let Some(i) = self.pending.iter().position(|p| p.due_us <= self.now_us) {
                let p = self.pending.swap_remove(i);
                self.deny(&p);
            } else {
                let lines = self.out.lines();
                self.warming_up &= self.sessions.len() < self.open.lo;
                let want_conn = self.sessions.is_empty()
                    || (self.warming_up && self.rng.random_bool(0.3))
                    || (self.conn_lines as f64) < share * lines as f64;
                if want_conn {
                    self.connection_event();
                } else {
                    self.statement();
                }
            }
            self.out.flush_if_full()?;
        }
        let (bytes, lines) = self.out.finish()?;
        self.summary.bytes = bytes;
        self.summary.lines = lines;
        Ok(self.summary)
    }

    /// Advances the clock: exponential gaps, busier in the (UTC) afternoon.
    fn tick(&mut self) {
        self.now_us += next_gap_us(&mut self.rng, self.now_us, MEAN_GAP_US);
    }

    /// Starts a record: the time (first record of a second) or two tabs, the thread id, the
    /// command and a tab. The caller writes the argument and calls `out.end()`.
    fn head(&mut self, id: u64, command: &str) {
        let sec = self.now_us.div_euclid(1_000_000);
        let b = &mut self.out.buf;
        if sec != self.stamp_sec {
            self.stamp_sec = sec;
            let (y, m, d) = civil_from_days(sec.div_euclid(86_400));
            let sod = sec.rem_euclid(86_400);
            let _ = write!(
                b,
                "{:02}{m:02}{d:02} {:>2}:{:02}:{:02}\t",
                y.rem_euclid(100),
                sod / 3600,
                sod / 60 % 60,
                sod % 60
            );
        } else {
            b.extend_from_slice(b"\t\t");
        }
        let _ = write!(b, "{id:>6} {command}\t");
    }

    /// One whole record.
    fn record(&mut self, id: u64, command: &str, argument: &[u8]) {
        self.head(id, command);
        self.out.buf.extend_from_slice(argument);
        self.out.end();
    }

    fn alloc_id(&mut self) -> u64 {
        self.next_id += 1;
        if self.rng.random_bool(0.02) {
            // connections that never reach the general log
            self.next_id += self.rng.random_range(1..4);
        }
        self.next_id
    }

    // ---------------------------------------------------------------- connections

    fn connection_event(&mut self) {
        if self.open.starts(&mut self.rng, self.sessions.len()) {
            self.start_session();
        } else {
            self.end_session();
        }
    }

    fn start_session(&mut self) {
        let ci = self.by_weight.pick(&mut self.rng);
        let id = self.alloc_id();
        let c = &self.clients[ci];
        let r = &mut self.rng;
        let tls = match c.tls {
            Tls::Never => false,
            Tls::Always => true,
            Tls::Mixed(p) => r.random_bool(p),
        };
        let addr = r.random_range(0..c.addrs.len()) as u8;
        let denial = if !tls && r.random::<f64>() < c.deny_plain {
            Some(Denial::Password { sent: true })
        } else if r.random::<f64>() < c.deny {
            Some(Denial::Password {
                sent: !c.deny_no_password,
            })
        } else if r.random::<f64>() < c.deny_db {
            Some(Denial::Database)
        } else {
            None
        };
        let db = if matches!(denial, Some(Denial::Database)) {
            &c.bad_db
        } else {
            &c.db
        };
        let transport = if tls {
            "SSL/TLS"
        } else if c.is_local() {
            "Socket"
        } else {
            "TCP/IP"
        };
        let host = &c.addrs[addr as usize];
        let mut arg = Vec::with_capacity(96);
        let _ = write!(arg, "{}@{host} on {db} using {transport}", c.user);
        self.record(id, "Connect", &arg);
        self.conn_lines += 1;
        self.summary.authorized_lines += 1;
        if let Some(denial) = denial {
            let due_us = self.now_us + self.rng.random_range(100..4_000);
            self.pending.push(Pending {
                due_us,
                id,
                client: ci as u32,
                addr,
                denial,
            });
            return;
        }
        self.summary.sessions += 1;
        if tls {
            self.summary.tls_sessions += 1;
        }
        let c = &self.clients[ci];
        let (workload, pooled, driver) = (c.workload, c.pooled, c.driver);
        let u: f64 = self.rng.random();
        let budget = match workload {
            Workload::Rds | Workload::Exporter => 1 + (u * 4.0) as u32,
            Workload::Admin | Workload::Gui => 3 + (u * u * 60.0) as u32,
            _ => 1 + (u * u * 24.0) as u32,
        };
        self.sessions.push(Session {
            id,
            client: ci as u32,
            workload,
            pooled,
            done: 0,
            budget,
        });
        self.startup_statements(id, driver);
    }

    /// What the connector sends right after logging in.
    fn startup_statements(&mut self, id: u64, driver: Driver) {
        const CONNECTOR_J: &str = "/* mysql-connector-j-8.4.0 */SELECT  @@session.auto_increment_increment AS auto_increment_increment, @@character_set_client AS character_set_client, @@character_set_connection AS character_set_connection, @@character_set_results AS character_set_results, @@character_set_server AS character_set_server, @@collation_server AS collation_server, @@collation_connection AS collation_connection, @@init_connect AS init_connect, @@interactive_timeout AS interactive_timeout, @@license AS license, @@lower_case_table_names AS lower_case_table_names, @@max_allowed_packet AS max_allowed_packet, @@net_write_timeout AS net_write_timeout, @@performance_schema AS performance_schema, @@sql_mode AS sql_mode, @@system_time_zone AS system_time_zone, @@time_zone AS time_zone, @@transaction_isolation AS transaction_isolation, @@wait_timeout AS wait_timeout";
        const MARIADB_J: &str = "set autocommit=1, sql_mode = concat(@@sql_mode,',STRICT_TRANS_TABLES'), session_track_schema=1, session_track_system_variables = CONCAT(@@global.session_track_system_variables,',auto_increment_increment')";
        let stmts: &[&str] = match driver {
            Driver::ConnectorJ => &[
                CONNECTOR_J,
                "SET character_set_results = NULL",
                "SET autocommit=1",
            ],
            Driver::MariadbJ => &[MARIADB_J],
            Driver::DBeaver => &[MARIADB_J, "SELECT DATABASE()", "SHOW DATABASES"],
            Driver::Rails => &[
                "SET  @@SESSION.sql_mode = CONCAT(CONCAT(@@sql_mode, ',STRICT_ALL_TABLES'), ',NO_AUTO_VALUE_ON_ZERO'),  @@SESSION.wait_timeout = 2147483",
            ],
            Driver::Django => &[
                "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
                "SET autocommit=1",
            ],
            Driver::Python => &["SET NAMES utf8mb4", "SET autocommit=0"],
            Driver::Php if self.rng.random_bool(0.5) => &["SET NAMES utf8mb4"],
            Driver::Cli => &["select @@version_comment limit 1"],
            Driver::Php | Driver::Node | Driver::Go | Driver::Bare => &[],
        };
        for s in stmts {
            self.record(id, "Query", s.as_bytes());
        }
    }

    fn deny(&mut self, p: &Pending) {
        let c = &self.clients[p.client as usize];
        let mut arg = Vec::with_capacity(96);
        let command = match p.denial {
            Denial::Password { sent } => {
                let _ = write!(
                    arg,
                    "Access denied for user '{}'@'{}' (using password: {})",
                    c.user,
                    c.addrs[p.addr as usize],
                    if sent { "YES" } else { "NO" }
                );
                "Connect"
            }
            Denial::Database => {
                let _ = write!(
                    arg,
                    "Access denied for user '{}'@'{}' to database '{}'",
                    c.user,
                    if c.is_local() { LOCALHOST } else { "%" },
                    c.bad_db
                );
                "Init DB"
            }
        };
        self.record(p.id, command, &arg);
        self.conn_lines += 1;
    }

    fn end_session(&mut self) {
        // Sessions end once they sent their statements; pooled ones rarely.
        let idx = draw_index(&mut self.rng, &self.sessions, 8, |s, rng| {
            (!s.pooled && s.done >= s.budget) || rng.random_bool(0.02)
        });
        let s = self.sessions.swap_remove(idx);
        let quit = match s.workload {
            Workload::Rds => 1.0,
            _ if s.pooled => 0.7, // pools often drop idle connections on wait_timeout
            _ => 0.95,
        };
        if self.rng.random_bool(quit) {
            self.record(s.id, "Quit", b"");
            self.conn_lines += 1;
        }
    }

    // ---------------------------------------------------------------- statements

    fn statement(&mut self) {
        let idx = draw_index(&mut self.rng, &self.sessions, 5, |s, rng| {
            let ch = s.workload.chattiness();
            let idle = !s.pooled && s.done >= s.budget;
            let p = if idle { ch * 0.1 } else { ch };
            p >= 1.0 || rng.random_bool(p)
        });
        let s = &mut self.sessions[idx];
        s.done += 1;
        let (id, wl, client) = (s.id, s.workload, s.client);

        if matches!(wl, Workload::Admin | Workload::Gui) && self.rng.random_bool(0.04) {
            // `USE db` is logged as its own command.
            let db = *pick(&mut self.rng, DATABASES);
            self.record(id, "Init DB", db.as_bytes());
            return;
        }
        let ctx = Ctx {
            db: &self.clients[client as usize].db,
            now_ms: self.now_us.div_euclid(1000),
        };
        self.sql.generate(&mut self.rng, wl, &ctx);
        if wl == Workload::Prepared {
            // Connector/J caches prepared statements: most executions reuse one.
            if self.rng.random_bool(0.3) {
                self.head(id, "Prepare");
                self.out.buf.extend_from_slice(&self.sql.prepared);
                self.out.end();
            }
            self.head(id, "Execute");
        } else {
            self.head(id, "Query");
        }
        self.out.buf.extend_from_slice(&self.sql.text);
        self.out.end();
    }
}

#[cfg(test)]
mod tests;
