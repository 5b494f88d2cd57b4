//! Seeded generator of large, realistic database logs for benchmarks.
//!
//! Two formats, chosen by [`Config::format`]:
//!
//! * [`LogKind::PostgresRds`] (the default): an Amazon RDS PostgreSQL stderr log, described below.
//! * [`LogKind::MariadbGeneral`]: an Amazon RDS for MariaDB 10.11 general query log
//!   (`log_output=FILE`, `mysql-general.log`); see the `mariadb` module for its layout and
//!   content, and [`Summary`] for what its counts mean.
//!
//! Output is byte-for-byte determined by the [`Config`] (ChaCha8 seeded with [`Config::seed`]).
//!
//! # RDS PostgreSQL stderr
//!
//! The output uses the RDS default `log_line_prefix` `%t:%r:%u@%d:[%p]:` and PostgreSQL 14–17
//! message formats (see `FORMATS.md` §1.1), with `log_connections`, `log_disconnections` and
//! statement logging on:
//!
//! ```text
//! 2026-11-01 00:00:01 UTC:10.0.3.7(53004):[unknown]@[unknown]:[6504]:LOG:  connection received: host=10.0.3.7 port=53004
//! 2026-11-01 00:00:01 UTC:10.0.3.7(53004):app_user@orders:[6504]:LOG:  connection authenticated: identity="app_user" method=scram-sha-256 (/rdsdbdata/config/pg_hba.conf:13)
//! 2026-11-01 00:00:01 UTC:10.0.3.7(53004):app_user@orders:[6504]:LOG:  connection authorized: user=app_user database=orders application_name=billing-api SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)
//! 2026-11-01 00:00:01 UTC:10.0.3.7(53004):app_user@orders:[6504]:LOG:  duration: 0.123 ms  statement: SELECT 1
//! 2026-11-01 00:00:02 UTC::@:[397]:LOG:  checkpoint starting: time
//! 2026-11-01 00:01:03 UTC:10.0.3.7(53004):app_user@orders:[6504]:LOG:  disconnection: session time: 0:01:02.345 user=app_user database=orders host=10.0.3.7 port=53004
//! ```
//!
//! A fixed population of [`Config::clients`] client applications (stable user, database,
//! application_name, addresses and TLS behaviour) opens sessions whose lines interleave by
//! backend pid; pids are reused, time only moves forward, pooled sessions stay open for hours.
//! A few clients fail TLS handshakes (`tlsv1 alert unknown ca`, `EOF detected`, sometimes
//! followed within a second by a plaintext retry from the same address), hang up right after
//! `connection received`, or are rejected by `pg_hba.conf` / a wrong password.
//! About [`Config::connection_share_percent`] of all lines are connection lines; the rest are
//! statements (multi-line ones continue on tab-indented lines without a prefix), errors with
//! `DETAIL:` / `HINT:` / `STATEMENT:` lines, checkpoints and autovacuum reports.
//!
//! The log starts mid-stream, like a rotated RDS file: a few pooled sessions are already open
//! (their statements and `disconnection` lines appear without a `connection received`), and
//! sessions still open at the end simply stop.

use std::fmt;
use std::io::{self, Write};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

mod clients;
mod mariadb;
mod out;
mod population;
mod sql;
mod values;

use clients::{Client, TlsMode, Workload};
use out::Out;
use population::{ByWeight, OpenSessions, draw_index};
use sql::{Sql, fixed3};

/// Which log format [`write_log`] writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LogKind {
    /// Amazon RDS PostgreSQL stderr log (`postgresql.log.YYYY-MM-DD-HH`), RDS default
    /// `log_line_prefix`, `log_connections` / `log_disconnections` and statement logging on.
    #[default]
    PostgresRds,
    /// Amazon RDS for MariaDB 10.11 general query log (`mysql-general.log`, `log_output=FILE`):
    /// a start-up banner, then one record per client command (`Connect`, `Query`, `Quit`, …).
    MariadbGeneral,
}

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Output format (default [`LogKind::PostgresRds`]). The other fields apply to both
    /// formats; each format has its own client population and RNG use, so the PostgreSQL
    /// output does not depend on the MariaDB code and vice versa.
    pub format: LogKind,
    /// RNG seed; same seed and config give byte-identical output.
    pub seed: u64,
    /// Stop at the first line boundary at or after this many bytes
    /// (overshoot is one event, at most a few tens of KB).
    pub target_bytes: u64,
    /// Number of distinct client applications (at least 1). PostgreSQL: with 20 or more, the
    /// population includes psql, pgAdmin, DBeaver, Metabase, a health checker, RDS's `rdsadmin`
    /// over `[local]`, a Debezium walsender, an IPv6 client with user `ops@cron` on database
    /// `Sales DW`, and a client with an application_name longer than 63 bytes.
    /// MariaDB: with 20 or more, it includes RDS's `rdsadmin` over the unix socket
    /// (`using Socket`), a TLS client over the socket, the `mariadb` CLI, DBeaver, Metabase,
    /// an IPv6 client with user `ops@cron`, and a client that connects without a database.
    pub clients: usize,
    /// Timestamp of the first line, seconds since the Unix epoch (UTC).
    pub start_epoch_secs: i64,
    /// Share of all lines (continuation lines included) that are connection lines. PostgreSQL:
    /// `connection received/authenticated/authorized`, `disconnection`, handshake failures,
    /// pg_hba/password FATALs and their DETAIL lines. MariaDB: `Connect` records (logins and
    /// `Access denied`), `Init DB` `Access denied` records and `Quit` records.
    /// 0–100, default 3.
    pub connection_share_percent: f64,
    /// PostgreSQL: clients name themselves as real processes do, with volatile parts — a
    /// puma worker's number and pid, a Kubernetes replica-set hash and pod suffix, a Sidekiq
    /// busy counter — so that most sessions carry a name of their own (the application-family
    /// case). Default off.
    pub volatile_names: bool,
}

impl Default for Config {
    /// PostgreSQL, seed 42, 64 MiB, 200 clients, starting 2026-11-01T00:00:00Z,
    /// 3 % connection lines.
    fn default() -> Self {
        Config {
            format: LogKind::PostgresRds,
            seed: 42,
            target_bytes: 64 << 20,
            clients: 200,
            start_epoch_secs: out::days_from_civil(2026, 11, 1) * 86_400,
            connection_share_percent: 3.0,
            volatile_names: false,
        }
    }
}

/// Counts of what was written.
///
/// The field names come from the PostgreSQL format; for [`LogKind::MariadbGeneral`] each field's
/// documentation says what it counts there. In the MariaDB general log a login is a `Connect`
/// record `user@host on db using TRANSPORT`, written before the password is checked; a failed
/// login adds an `Access denied` record (`Connect` or `Init DB`) on the same thread id, so the
/// number of failed logins is `authorized_lines - sessions`. A failed TLS handshake leaves no
/// record in that log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Bytes written.
    pub bytes: u64,
    /// Lines written (every `\n`; continuation lines and the MariaDB banner included).
    pub lines: u64,
    /// PostgreSQL: `connection received:` lines (connection attempts logged in this file).
    /// MariaDB: successful logins, i.e. login `Connect` records whose thread id has no
    /// `Access denied` record.
    pub sessions: u64,
    /// PostgreSQL: `connection authorized:` lines (including
    /// `replication connection authorized:`) that carry `SSL enabled (…)`.
    /// MariaDB: those of the `sessions` logins that end in `using SSL/TLS`.
    pub tls_sessions: u64,
    /// PostgreSQL: `connection authorized:` lines (including
    /// `replication connection authorized:`).
    /// MariaDB: all login `Connect` records (`user@host on db using …`), failed logins'
    /// included; the `Access denied` records themselves are not counted.
    pub authorized_lines: u64,
    /// PostgreSQL: `could not accept SSL connection:` lines.
    /// MariaDB: always 0 (the general log records no TLS handshake failures).
    pub handshake_failures: u64,
}

impl fmt::Display for Summary {
    /// One line of `key=value` pairs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "bytes={} lines={} sessions={} tls_sessions={} authorized_lines={} handshake_failures={}",
            self.bytes,
            self.lines,
            self.sessions,
            self.tls_sessions,
            self.authorized_lines,
            self.handshake_failures
        )
    }
}

/// Writes a log as described by `cfg` to `out` and returns what was written.
///
/// `out` is written in large chunks (256 KiB), so it need not be buffered.
/// Errors: `InvalidInput` for `clients == 0` or a share outside 0–100; otherwise only I/O errors
/// from `out`.
pub fn write_log<W: Write>(cfg: &Config, out: W) -> io::Result<Summary> {
    if cfg.clients == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "clients must be at least 1",
        ));
    }
    let share = cfg.connection_share_percent;
    if !share.is_finite() || !(0.0..=100.0).contains(&share) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "connection_share_percent must be within 0..=100",
        ));
    }
    match cfg.format {
        LogKind::PostgresRds => Gen::new(cfg, out).run(),
        LogKind::MariadbGeneral => mariadb::write(cfg, out),
    }
}

#[inline]
pub(crate) fn pick<'a, T>(rng: &mut ChaCha8Rng, s: &'a [T]) -> &'a T {
    &s[rng.random_range(0..s.len())]
}

/// Picks up to `count` distinct indices of `items` satisfying `ok` and not
/// yet `taken`, in a seeded order, and marks them taken.
pub(crate) fn choose_where<T>(
    rng: &mut ChaCha8Rng,
    items: &[T],
    taken: &mut [bool],
    count: usize,
    ok: impl Fn(&T) -> bool,
) -> Vec<usize> {
    let mut cand: Vec<usize> = (0..items.len())
        .filter(|&i| !taken[i] && ok(&items[i]))
        .collect();
    let mut chosen = Vec::new();
    while chosen.len() < count && !cand.is_empty() {
        let k = rng.random_range(0..cand.len());
        let i = cand.swap_remove(k);
        taken[i] = true;
        chosen.push(i);
    }
    chosen
}

/// The next gap between generator steps, in microseconds: exponential
/// around `mean_us`, busier in the (UTC) afternoon, at most 0.4 s.
pub(crate) fn next_gap_us(rng: &mut ChaCha8Rng, now_us: i64, mean_us: f64) -> i64 {
    let hour = (now_us / 1_000_000).rem_euclid(86_400) as f64 / 3600.0;
    let load = 1.0 + 0.6 * ((hour - 15.0) / 24.0 * std::f64::consts::TAU).cos();
    let u: f64 = rng.random();
    (-(1.0 - u).ln() * mean_us / load).min(400_000.0) as i64
}

/// `SELECT … WHERE id IN (…)` with hundreds of ids: the long statements
/// every busy database sees.
pub(crate) fn huge_in_list(text: &mut Vec<u8>, rng: &mut ChaCha8Rng) {
    text.extend_from_slice(b"SELECT id, status, total_cents FROM orders WHERE id IN (");
    let k = rng.random_range(300..1500);
    for j in 0..k {
        if j > 0 {
            text.push(b',');
        }
        let _ =
            std::io::Write::write_fmt(text, format_args!("{}", rng.random_range(1..8_000_000u32)));
    }
    text.push(b')');
}

const PID_MIN: u32 = 300;
const PID_MAX: u32 = 32_768;
/// Mean time between generator steps (each step writes roughly 1.3 lines).
const MEAN_GAP_US: f64 = 7_000.0;
const CHECKPOINT_TIMEOUT_US: i64 = 300_000_000;
const HBA: &str = "/rdsdbdata/config/pg_hba.conf";
const TABLES: &[&str] = &[
    "orders",
    "order_items",
    "customers",
    "events",
    "sessions",
    "accounts",
    "inventory",
    "payments",
    "audit_log",
    "products",
];

struct Session {
    pid: u32,
    client: u32,
    addr: u8,
    port: u16,
    start_us: i64,
    pooled: bool,
    workload: Workload,
    /// `host(port):user@db:[pid]:`
    prefix: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok { tls: bool },
    SslFail { fallback: bool },
    ReceivedOnly,
    HbaReject,
    PasswordFail,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Nothing logged yet (a scheduled retry).
    Connect,
    /// `connection received` logged.
    Received,
}

struct Pending {
    due_us: i64,
    client: u32,
    addr: u8,
    port: u16,
    pid: u32,
    stage: Stage,
    outcome: Outcome,
}

struct Gen<'a, W: Write> {
    cfg: &'a Config,
    rng: ChaCha8Rng,
    out: Out<W>,
    sql: Sql,
    clients: Vec<Client>,
    by_weight: ByWeight,
    now_us: i64,
    now_ms: i64,
    sessions: Vec<Session>,
    pending: Vec<Pending>,
    next_pid: u32,
    open: OpenSessions,
    checkpointer_prefix: String,
    checkpointer_pid: u32,
    next_checkpoint_us: i64,
    checkpoint_done_us: Option<(i64, i64)>,
    next_autovac_us: i64,
    scratch: String,
    conn_lines: u64,
    summary: Summary,
}

impl<'a, W: Write> Gen<'a, W> {
    fn new(cfg: &'a Config, w: W) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
        let clients = clients::population(&mut rng, cfg.clients);
        let by_weight = ByWeight::new(clients.iter().map(|c| c.weight));
        let now_us = cfg.start_epoch_secs * 1_000_000;
        let checkpointer_pid = rng.random_range(360..420);
        let next_pid = rng.random_range(PID_MIN..PID_MAX);
        let n = clients.len();
        Gen {
            cfg,
            out: Out::new(w),
            sql: Sql::new(),
            by_weight,
            clients,
            now_us,
            now_ms: now_us / 1000,
            sessions: Vec::new(),
            pending: Vec::new(),
            next_pid,
            open: OpenSessions::for_clients(n),
            checkpointer_prefix: format!(":@:[{checkpointer_pid}]:"),
            checkpointer_pid,
            next_checkpoint_us: now_us + rng.random_range(0..CHECKPOINT_TIMEOUT_US),
            checkpoint_done_us: None,
            next_autovac_us: now_us + rng.random_range(0..30_000_000),
            rng,
            scratch: String::with_capacity(256),
            conn_lines: 0,
            summary: Summary::default(),
        }
    }

    fn run(mut self) -> io::Result<Summary> {
        self.preexisting_sessions();
        let share = self.cfg.connection_share_percent / 100.0;
        let target = self.cfg.target_bytes;
        while self.out.bytes() < target {
            self.tick();
            self.background();
            if let Some(i) = self.pending.iter().position(|p| p.due_us <= self.now_us) {
                self.advance_pending(i);
            } else {
                let lines = self.out.lines();
                let want_conn =
                    self.sessions.is_empty() || (self.conn_lines as f64) < share * lines as f64;
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
        self.now_ms = self.now_us / 1000;
    }

    fn alloc_pid(&mut self) -> u32 {
        loop {
            self.next_pid += 1;
            if self.rng.random_bool(0.3) {
                self.next_pid += self.rng.random_range(1..6); // other forks (monitoring, workers)
            }
            if self.next_pid >= PID_MAX {
                self.next_pid = PID_MIN + self.rng.random_range(0..200);
            }
            let p = self.next_pid;
            if p != self.checkpointer_pid
                && !self.sessions.iter().any(|s| s.pid == p)
                && !self.pending.iter().any(|s| s.pid == p)
            {
                return p;
            }
        }
    }

    fn remote(&self, client: u32, addr: u8, port: u16) -> String {
        let c = &self.clients[client as usize];
        if c.is_local() {
            "[local]".to_string()
        } else {
            format!("{}({port})", c.addrs[addr as usize])
        }
    }

    /// Sessions already open when the file starts (pools, the walsender): no connection lines.
    fn preexisting_sessions(&mut self) {
        let want = self.open.lo / 2 + 1;
        for _ in 0..want * 4 {
            if self.sessions.len() >= want {
                break;
            }
            let ci = self.rng.random_range(0..self.clients.len());
            let c = &self.clients[ci];
            if !(c.pooled || c.replication)
                || c.quirks.received_only >= 1.0
                || c.quirks.hba_reject > 0.9
            {
                continue;
            }
            let addr = self.rng.random_range(0..c.addrs.len()) as u8;
            let port = self.rng.random_range(32_768..61_000u16);
            let start_us = self.now_us - self.rng.random_range(60_000_000..36_000_000_000i64);
            self.open_session(ci as u32, addr, port, start_us);
        }
    }

    fn open_session(&mut self, client: u32, addr: u8, port: u16, start_us: i64) -> usize {
        let pid = self.alloc_pid();
        self.open_session_with_pid(client, addr, port, start_us, pid)
    }

    fn open_session_with_pid(
        &mut self,
        client: u32,
        addr: u8,
        port: u16,
        start_us: i64,
        pid: u32,
    ) -> usize {
        let remote = self.remote(client, addr, port);
        let c = &self.clients[client as usize];
        let prefix = format!("{remote}:{}@{}:[{pid}]:", c.user, c.db);
        self.sessions.push(Session {
            pid,
            client,
            addr,
            port,
            start_us,
            pooled: c.pooled || c.replication,
            workload: c.workload,
            prefix,
        });
        self.sessions.len() - 1
    }

    // ---------------------------------------------------------------- background processes

    fn background(&mut self) {
        if self.now_us >= self.next_checkpoint_us {
            self.next_checkpoint_us += CHECKPOINT_TIMEOUT_US;
            if self.checkpoint_done_us.is_none() {
                self.out
                    .begin(self.now_ms, &self.checkpointer_prefix, "LOG");
                self.out.s("checkpoint starting: time");
                self.out.end();
                let dur = 269_000_000 + self.rng.random_range(0..1_500_000);
                self.checkpoint_done_us = Some((self.now_us + dur, self.now_us));
            }
        }
        if let Some((done, started)) = self.checkpoint_done_us
            && self.now_us >= done
        {
            self.checkpoint_done_us = None;
            self.checkpoint_complete(started);
        }
        if self.now_us >= self.next_autovac_us {
            let u: f64 = self.rng.random();
            self.next_autovac_us = self.now_us + (-(1.0 - u).ln() * 40_000_000.0) as i64 + 1;
            self.autovacuum();
        }
    }

    fn checkpoint_complete(&mut self, started_us: i64) {
        let r = &mut self.rng;
        let buffers: u32 = r.random_range(50..40_000);
        let pct10 = buffers as u64 * 1000 / 131_072;
        let total_ms = ((self.now_us - started_us) / 1000) as u64;
        let sync_ms: u64 = r.random_range(1..400);
        let files: u32 = r.random_range(3..300);
        let distance: u32 = r.random_range(1_000..2_000_000);
        let estimate = distance + r.random_range(0..500_000);
        let (removed, recycled) = (r.random_range(0..3u32), r.random_range(0..12u32));
        let longest = r.random_range(0..sync_ms.max(2));
        let average = longest / 2;
        let o = &mut self.out;
        o.begin(self.now_ms, &self.checkpointer_prefix, "LOG");
        let _ = write!(
            o.buf,
            "checkpoint complete: wrote {buffers} buffers ({}.{}%); 0 WAL file(s) added, {removed} removed, {recycled} recycled; write=",
            pct10 / 10,
            pct10 % 10
        );
        fixed3(&mut o.buf, total_ms.saturating_sub(sync_ms + 5));
        o.s(" s, sync=");
        fixed3(&mut o.buf, sync_ms);
        o.s(" s, total=");
        fixed3(&mut o.buf, total_ms);
        let _ = write!(o.buf, " s; sync files={files}, longest=");
        fixed3(&mut o.buf, longest);
        o.s(" s, average=");
        fixed3(&mut o.buf, average);
        let _ = write!(o.buf, " s; distance={distance} kB, estimate={estimate} kB");
        o.end();
    }

    fn autovacuum(&mut self) {
        let pid = self.alloc_pid();
        let prefix = format!(":@:[{pid}]:");
        let ci = self.rng.random_range(0..self.clients.len());
        let db = if self.clients[ci].db.is_empty() {
            "postgres"
        } else {
            &self.clients[ci].db
        };
        let table = *pick(&mut self.rng, TABLES);
        let vacuum = self.rng.random_bool(0.6);
        let analyze = !vacuum || self.rng.random_bool(0.4);
        let r = &mut self.rng;
        let o = &mut self.out;
        if vacuum {
            let pages: u32 = r.random_range(10..2_000_000);
            let scanned = r.random_range(1..=pages);
            let tuples = pages as u64 * r.random_range(20..120);
            let removed = r.random_range(0..tuples / 10 + 1);
            let xid: u32 = r.random_range(10_000_000..900_000_000);
            let index_scans = r.random_range(0..2u32);
            o.begin(self.now_ms, &prefix, "LOG");
            let _ = write!(
                o.buf,
                "automatic vacuum of table \"{db}.public.{table}\": index scans: {index_scans}\n\
                 \tpages: 0 removed, {pages} remain, {scanned} scanned ({:.2}% of total)\n\
                 \ttuples: {removed} removed, {tuples} remain, {} are dead but not yet removable\n\
                 \tremovable cutoff: {xid}, which was {} XIDs old when operation ended\n\
                 \tnew relfrozenxid: {}, which is {} XIDs ahead of previous value\n",
                scanned as f64 * 100.0 / pages as f64,
                r.random_range(0..50u32),
                r.random_range(0..200u32),
                xid - r.random_range(0..100_000),
                r.random_range(1..500_000u32),
            );
            if index_scans > 0 {
                let dead = r.random_range(1..=scanned);
                let _ = write!(
                    o.buf,
                    "\tindex scan needed: {dead} pages from table ({:.2}% of total) had {removed} dead item identifiers removed\n\
                     \tindex \"{table}_pkey\": pages: {} in total, 0 newly deleted, 0 currently deleted, 0 reusable\n",
                    dead as f64 * 100.0 / pages as f64,
                    pages / 20 + 1,
                );
            } else {
                o.s("\tindex scan not needed: 0 pages from table (0.00% of total) had 0 dead item identifiers removed\n");
            }
            let _ = write!(
                o.buf,
                "\tavg read rate: {:.3} MB/s, avg write rate: {:.3} MB/s\n\
                 \tbuffer usage: {} hits, {} misses, {} dirtied\n\
                 \tWAL usage: {} records, {} full page images, {} bytes\n\
                 \tsystem usage: CPU: user: {:.2} s, system: {:.2} s, elapsed: {:.2} s",
                r.random_range(0.0..200.0f64),
                r.random_range(0.0..50.0f64),
                r.random_range(100..5_000_000u32),
                r.random_range(0..100_000u32),
                r.random_range(0..50_000u32),
                r.random_range(0..200_000u32),
                r.random_range(0..20_000u32),
                r.random_range(0..900_000_000u32),
                r.random_range(0.0..5.0f64),
                r.random_range(0.0..1.0f64),
                r.random_range(0.0..30.0f64),
            );
            o.end();
        }
        if analyze {
            o.begin(self.now_ms, &prefix, "LOG");
            let _ = write!(
                o.buf,
                "automatic analyze of table \"{db}.public.{table}\"\n\
                 \tavg read rate: {:.3} MB/s, avg write rate: {:.3} MB/s\n\
                 \tbuffer usage: {} hits, {} misses, {} dirtied\n\
                 \tsystem usage: CPU: user: {:.2} s, system: {:.2} s, elapsed: {:.2} s",
                r.random_range(0.0..200.0f64),
                r.random_range(0.0..5.0f64),
                r.random_range(100..500_000u32),
                r.random_range(0..30_000u32),
                r.random_range(0..500u32),
                r.random_range(0.0..2.0f64),
                r.random_range(0.0..0.5f64),
                r.random_range(0.0..10.0f64),
            );
            o.end();
        }
    }

    // ---------------------------------------------------------------- connections

    fn connection_event(&mut self) {
        if self.open.starts(&mut self.rng, self.sessions.len()) {
            self.start_connection();
        } else {
            self.end_session();
        }
    }

    fn start_connection(&mut self) {
        let ci = self.by_weight.pick(&mut self.rng);
        let c = &self.clients[ci];
        let q = c.quirks;
        let r = &mut self.rng;
        let tls = match c.tls {
            TlsMode::Plain => false,
            TlsMode::Always(_) => true,
            TlsMode::Mixed(_, p) => r.random_bool(p),
        };
        let outcome = if r.random::<f64>() < q.received_only {
            Outcome::ReceivedOnly
        } else if tls && r.random::<f64>() < q.ssl_fail {
            Outcome::SslFail {
                fallback: q.fallback,
            }
        } else if !tls && r.random::<f64>() < q.hba_reject {
            Outcome::HbaReject
        } else if r.random::<f64>() < q.password_fail {
            Outcome::PasswordFail
        } else {
            Outcome::Ok { tls }
        };
        let addr = r.random_range(0..c.addrs.len()) as u8;
        let port = r.random_range(32_768..61_000u16);
        self.pending.push(Pending {
            due_us: self.now_us,
            client: ci as u32,
            addr,
            port,
            pid: 0,
            stage: Stage::Connect,
            outcome,
        });
        self.advance_pending(self.pending.len() - 1);
    }

    fn conn_line(&mut self, prefix: &str, severity: &str, msg: &str) {
        self.out.begin(self.now_ms, prefix, severity);
        self.out.s(msg);
        self.out.end();
        self.conn_lines += 1;
    }

    fn advance_pending(&mut self, i: usize) {
        let p = &self.pending[i];
        let (client, addr, port, outcome) = (p.client, p.addr, p.port, p.outcome);
        let c = &self.clients[client as usize];
        let local = c.is_local();
        let stage = p.stage;
        match stage {
            Stage::Connect => {
                let pid = self.alloc_pid();
                let remote = self.remote(client, addr, port);
                let prefix = format!("{remote}:[unknown]@[unknown]:[{pid}]:");
                let c = &self.clients[client as usize];
                self.scratch.clear();
                if local {
                    self.scratch.push_str("connection received: host=[local]");
                } else {
                    let _ = fmt::Write::write_fmt(
                        &mut self.scratch,
                        format_args!(
                            "connection received: host={} port={port}",
                            c.addrs[addr as usize]
                        ),
                    );
                }
                let msg = std::mem::take(&mut self.scratch);
                self.conn_line(&prefix, "LOG", &msg);
                self.scratch = msg;
                self.summary.sessions += 1;
                if outcome == Outcome::ReceivedOnly {
                    self.pending.swap_remove(i);
                    return;
                }
                let delay = match outcome {
                    Outcome::Ok { tls: true } | Outcome::SslFail { .. } => {
                        self.rng.random_range(2_000..30_000)
                    }
                    _ => self.rng.random_range(500..8_000),
                };
                let p = &mut self.pending[i];
                p.pid = pid;
                p.stage = Stage::Received;
                p.due_us = self.now_us + delay;
            }
            Stage::Received => {
                let pid = p.pid;
                self.pending.swap_remove(i);
                match outcome {
                    Outcome::Ok { tls } => self.authorize(client, addr, port, pid, tls),
                    Outcome::SslFail { fallback } => {
                        let remote = self.remote(client, addr, port);
                        let prefix = format!("{remote}:[unknown]@[unknown]:[{pid}]:");
                        let reason = self.clients[client as usize].quirks.ssl_reason;
                        let msg = format!("could not accept SSL connection: {reason}");
                        self.conn_line(&prefix, "LOG", &msg);
                        self.summary.handshake_failures += 1;
                        if fallback {
                            // libpq sslmode=prefer retries in plaintext on a new socket.
                            let port = if port >= 60_990 {
                                32_768
                            } else {
                                port + self.rng.random_range(1..4)
                            };
                            let due_us = self.now_us + self.rng.random_range(3_000..250_000);
                            self.pending.push(Pending {
                                due_us,
                                client,
                                addr,
                                port,
                                pid: 0,
                                stage: Stage::Connect,
                                outcome: Outcome::Ok { tls: false },
                            });
                        }
                    }
                    Outcome::HbaReject => {
                        let remote = self.remote(client, addr, port);
                        let c = &self.clients[client as usize];
                        let prefix = format!("{remote}:{}@{}:[{pid}]:", c.user, c.db);
                        let msg = format!(
                            "no pg_hba.conf entry for host \"{}\", user \"{}\", database \"{}\", no encryption",
                            c.addrs[addr as usize], c.user, c.db
                        );
                        self.conn_line(&prefix, "FATAL", &msg);
                    }
                    Outcome::PasswordFail => {
                        let remote = self.remote(client, addr, port);
                        let c = &self.clients[client as usize];
                        let prefix = format!("{remote}:{}@{}:[{pid}]:", c.user, c.db);
                        let msg = format!("password authentication failed for user \"{}\"", c.user);
                        let detail = format!(
                            "Connection matched file \"{HBA}\" line {}: \"host all all {} scram-sha-256\"",
                            hba_line(&c.addrs[addr as usize]),
                            if c.addrs[addr as usize].contains(':') {
                                "::/0"
                            } else {
                                "0.0.0.0/0"
                            }
                        );
                        self.conn_line(&prefix, "FATAL", &msg);
                        self.conn_line(&prefix, "DETAIL", &detail);
                    }
                    Outcome::ReceivedOnly => {}
                }
            }
        }
    }

    fn authorize(&mut self, client: u32, addr: u8, port: u16, pid: u32, tls: bool) {
        let idx = self.open_session_with_pid(client, addr, port, self.now_us, pid);
        let c = &self.clients[client as usize];
        let s = &self.sessions[idx];
        let o = &mut self.out;
        if !c.is_local() {
            o.begin(self.now_ms, &s.prefix, "LOG");
            let _ = write!(
                o.buf,
                "connection authenticated: identity=\"{}\" method=scram-sha-256 ({HBA}:{})",
                c.user,
                hba_line(&c.addrs[addr as usize])
            );
            o.end();
            self.conn_lines += 1;
        }
        o.begin(self.now_ms, &s.prefix, "LOG");
        if c.replication {
            let _ = write!(o.buf, "replication connection authorized: user={}", c.user);
        } else {
            let _ = write!(
                o.buf,
                "connection authorized: user={} database={}",
                c.user, c.db
            );
        }
        if self.cfg.volatile_names {
            o.s(" application_name=");
            o.s(&volatile_name(client, self.summary.authorized_lines));
        } else if let Some(app) = &c.app {
            o.s(" application_name=");
            o.s(app);
        }
        if tls {
            let t = match c.tls {
                TlsMode::Always(t) | TlsMode::Mixed(t, _) => t,
                TlsMode::Plain => unreachable!("plaintext client negotiated TLS"),
            };
            let _ = write!(
                o.buf,
                " SSL enabled (protocol={}, cipher={}, bits={})",
                t.proto, t.cipher, t.bits
            );
            self.summary.tls_sessions += 1;
        }
        o.end();
        self.conn_lines += 1;
        self.summary.authorized_lines += 1;
        if c.replication {
            let hi: u32 = self.rng.random_range(0x10..0x3ff);
            let lo: u32 = self.rng.random_range(0x1000_0000..0xf000_0000);
            let slot = format!("debezium_{}", c.db.replace(' ', "_"));
            let start = format!(
                "START_REPLICATION SLOT \"{slot}\" LOGICAL {hi:X}/{lo:X} (\"proto_version\" '1', \"publication_names\" 'dbz_publication')"
            );
            let prefix = s.prefix.clone();
            for (sev, text) in [
                (
                    "LOG",
                    format!("starting logical decoding for slot \"{slot}\""),
                ),
                (
                    "DETAIL",
                    format!(
                        "Streaming transactions committing after {hi:X}/{lo:X}, reading WAL from {hi:X}/{:X}.",
                        lo - 0x1c8
                    ),
                ),
                ("STATEMENT", start.clone()),
                (
                    "LOG",
                    format!(
                        "logical decoding found consistent point at {hi:X}/{:X}",
                        lo - 0x1c8
                    ),
                ),
                ("DETAIL", "There are no running transactions.".to_string()),
                ("STATEMENT", start.clone()),
            ] {
                self.out.begin(self.now_ms, &prefix, sev);
                self.out.s(&text);
                self.out.end();
            }
        }
    }

    fn end_session(&mut self) {
        // Pooled sessions rarely end.
        let idx = draw_index(&mut self.rng, &self.sessions, 6, |s, rng| {
            !s.pooled || rng.random_bool(0.03)
        });
        let s = self.sessions.swap_remove(idx);
        let c = &self.clients[s.client as usize];
        let r: f64 = self.rng.random();
        let preface = if r < 0.02 {
            Some((
                "LOG",
                "could not receive data from client: Connection reset by peer",
            ))
        } else if r < 0.03 {
            Some((
                "LOG",
                "unexpected EOF on client connection with an open transaction",
            ))
        } else if r < 0.035 && !c.replication {
            Some((
                "FATAL",
                "terminating connection due to idle-in-transaction timeout",
            ))
        } else {
            None
        };
        let o = &mut self.out;
        if let Some((sev, msg)) = preface {
            o.begin(self.now_ms, &s.prefix, sev);
            o.s(msg);
            o.end();
            self.conn_lines += 1;
        }
        let ms = ((self.now_us - s.start_us) / 1000).max(0);
        o.begin(self.now_ms, &s.prefix, "LOG");
        let _ = write!(
            o.buf,
            "disconnection: session time: {}:{:02}:{:02}.{:03} user={} database={} host=",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000,
            c.user,
            c.db
        );
        if c.is_local() {
            o.s("[local]");
        } else {
            let _ = write!(o.buf, "{} port={}", c.addrs[s.addr as usize], s.port);
        }
        o.end();
        self.conn_lines += 1;
    }

    // ---------------------------------------------------------------- statements

    fn statement(&mut self) {
        let idx = draw_index(&mut self.rng, &self.sessions, 5, |s, rng| {
            let ch = s.workload.chattiness();
            ch >= 1.0 || rng.random_bool(ch)
        });
        let wl = self.sessions[idx].workload;
        if wl == Workload::Replication {
            return; // walsenders are quiet after START_REPLICATION
        }
        let now_secs = self.now_us.div_euclid(1_000_000);
        let class = self.sql.generate(&mut self.rng, wl, now_secs);
        let r = &mut self.rng;
        let o = &mut self.out;
        let s = &self.sessions[idx];
        let now = self.now_ms;

        if r.random_bool(sql::error_rate(wl)) {
            let e = sql::error_for(r, class);
            o.begin(now, &s.prefix, "ERROR");
            self.sql.expand_raw(r, e.msg, now_secs, &mut o.buf);
            o.end();
            for (sev, t) in [
                ("DETAIL", e.detail),
                ("HINT", e.hint),
                ("CONTEXT", e.context),
            ] {
                if let Some(t) = t {
                    o.begin(now, &s.prefix, sev);
                    self.sql.expand_raw(r, t, now_secs, &mut o.buf);
                    o.end();
                }
            }
            o.begin(now, &s.prefix, "STATEMENT");
            o.buf.extend_from_slice(&self.sql.text);
            o.end();
            return;
        }

        let dur = sql::duration_us(r, wl);
        if wl == Workload::Extended {
            let unnamed = r.random_bool(0.75);
            let sid = r.random_range(1..40u32);
            let name = |buf: &mut Vec<u8>| {
                if unnamed {
                    buf.extend_from_slice(b"<unnamed>");
                } else {
                    let _ = write!(buf, "S_{sid}");
                }
            };
            let phases: &[&str] = if r.random_bool(0.12) {
                &["parse", "bind", "execute"]
            } else {
                &["execute"]
            };
            for &ph in phases {
                let d = if ph == "execute" {
                    dur
                } else {
                    r.random_range(5..400)
                };
                o.begin(now, &s.prefix, "LOG");
                o.s("duration: ");
                fixed3(&mut o.buf, d);
                o.s(" ms  ");
                o.s(ph);
                o.buf.push(b' ');
                name(&mut o.buf);
                o.s(": ");
                o.buf.extend_from_slice(&self.sql.text);
                o.end();
                if ph != "parse" && !self.sql.params.is_empty() {
                    o.begin(now, &s.prefix, "DETAIL");
                    o.s("parameters: ");
                    o.buf.extend_from_slice(&self.sql.params);
                    o.end();
                }
            }
            return;
        }

        let form: f64 = r.random();
        if form < 0.70 {
            o.begin(now, &s.prefix, "LOG");
            o.s("duration: ");
            fixed3(&mut o.buf, dur);
            o.s(" ms  statement: ");
            o.buf.extend_from_slice(&self.sql.text);
            o.end();
        } else {
            o.begin(now, &s.prefix, "LOG");
            o.s("statement: ");
            o.buf.extend_from_slice(&self.sql.text);
            o.end();
            if form < 0.92 {
                o.begin(now, &s.prefix, "LOG");
                o.s("duration: ");
                fixed3(&mut o.buf, dur);
                o.s(" ms");
                o.end();
            }
        }
        if matches!(wl, Workload::Reporting | Workload::Etl)
            && class == sql::Class::Select
            && r.random_bool(0.04)
        {
            o.begin(now, &s.prefix, "LOG");
            let _ = write!(
                o.buf,
                "temporary file: path \"base/pgsql_tmp/pgsql_tmp{}.{}\", size {}",
                s.pid,
                r.random_range(0..8u32),
                r.random_range(1u64 << 20..1u64 << 31)
            );
            o.end();
            o.begin(now, &s.prefix, "STATEMENT");
            o.buf.extend_from_slice(&self.sql.text);
            o.end();
        } else if wl == Workload::Orm && self.sql.text == b"COMMIT" && r.random_bool(0.02) {
            o.begin(now, &s.prefix, "WARNING");
            o.s("there is no transaction in progress");
            o.end();
        }
    }
}

/// pg_hba.conf line of the `host all all … scram-sha-256` entry matching an address.
/// The name a process of client `client` gives itself in the volatile-names case, for the
/// `serial`-th login of the log: one of three application families whose volatile parts come
/// from the serial, so that most logins carry a name of their own and the output stays a
/// function of the seed.
fn volatile_name(client: u32, serial: u64) -> String {
    const POD: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mix = serial.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    match client % 3 {
        0 => format!(
            "puma: cluster worker {}: {} [shop]",
            serial % 8,
            10_000 + serial.wrapping_mul(7919) % 90_000
        ),
        1 => {
            let rs = ["7d9f8c6b5", "5b8c7dfd4b", "6bcdf8h4x"][(serial % 3) as usize];
            let pod: String = (0..5)
                .map(|i| POD[((mix >> (i * 7 + 20)) % POD.len() as u64) as usize] as char)
                .collect();
            format!("orders-api-{rs}-{pod}")
        }
        _ => format!("sidekiq 7.1.2 shop [{} of 10 busy]", serial % 11),
    }
}

fn hba_line(addr: &str) -> u32 {
    if addr.contains(':') { 14 } else { 13 }
}

#[cfg(test)]
mod tests;
