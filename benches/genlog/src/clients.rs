//! The fixed client population: who connects, from where, how (TLS or not), and their quirks.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::population::{Kinds, addrs, few, ipv4, ipv6, seen_often, skewed_weight};
use crate::{choose_where, pick};

/// Negotiated TLS parameters as printed in `SSL enabled (protocol=…, cipher=…, bits=…)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tls {
    pub proto: &'static str,
    pub cipher: &'static str,
    pub bits: u16,
}

const TLS13_256: Tls = Tls {
    proto: "TLSv1.3",
    cipher: "TLS_AES_256_GCM_SHA384",
    bits: 256,
};
const TLS13_128: Tls = Tls {
    proto: "TLSv1.3",
    cipher: "TLS_AES_128_GCM_SHA256",
    bits: 128,
};
const TLS13_CHACHA: Tls = Tls {
    proto: "TLSv1.3",
    cipher: "TLS_CHACHA20_POLY1305_SHA256",
    bits: 256,
};
const TLS12_256: Tls = Tls {
    proto: "TLSv1.2",
    cipher: "ECDHE-RSA-AES256-GCM-SHA384",
    bits: 256,
};
const TLS12_128: Tls = Tls {
    proto: "TLSv1.2",
    cipher: "ECDHE-RSA-AES128-GCM-SHA256",
    bits: 128,
};
const TLS12_CHACHA: Tls = Tls {
    proto: "TLSv1.2",
    cipher: "ECDHE-RSA-CHACHA20-POLY1305",
    bits: 256,
};

/// How a client's successful sessions are encrypted.
#[derive(Clone, Copy, Debug)]
pub(crate) enum TlsMode {
    Plain,
    Always(Tls),
    /// TLS with this probability per connection, plaintext otherwise.
    Mixed(Tls, f64),
}

/// What kind of SQL a client's sessions send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Workload {
    /// Simple hand-written OLTP SQL.
    Oltp,
    /// Rails / Django style ORM SQL (quoted identifiers).
    Orm,
    /// Extended protocol (pgjdbc / Npgsql): `execute <unnamed>:` + `DETAIL:  parameters:`.
    Extended,
    /// Multi-line analytical queries (BI tools).
    Reporting,
    /// Bulk loads: COPY, multi-row INSERTs (long lines).
    Etl,
    /// pgAdmin / DBeaver catalog browsing.
    Gui,
    /// A human with psql.
    Admin,
    /// RDS's own `rdsadmin` monitoring over the unix socket.
    Rds,
    /// A logical-replication walsender (Debezium).
    Replication,
}

impl Workload {
    /// Relative share of statement lines a session of this workload gets.
    pub fn chattiness(self) -> f64 {
        match self {
            Workload::Replication => 0.002,
            Workload::Rds => 0.05,
            Workload::Admin | Workload::Gui => 0.25,
            Workload::Reporting | Workload::Etl => 0.5,
            _ => 1.0,
        }
    }
}

/// Per-connection-attempt failure probabilities (checked in this order).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Quirks {
    /// `connection received` and nothing else (health check, verify-full hostname mismatch).
    pub received_only: f64,
    /// `could not accept SSL connection: <ssl_reason>`.
    pub ssl_fail: f64,
    pub ssl_reason: &'static str,
    /// After an SSL failure, a plaintext session from the same address follows (sslmode=prefer).
    pub fallback: bool,
    /// `no pg_hba.conf entry for host …, no encryption` (only for plaintext attempts).
    pub hba_reject: f64,
    /// `password authentication failed for user …`.
    pub password_fail: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Driver {
    Libpq,
    Jdbc,
    Node,
    Go,
    DotNet,
    /// TCP health checker; never completes a startup packet.
    Probe,
}

#[derive(Clone, Debug)]
pub(crate) struct Client {
    pub user: String,
    pub db: String,
    pub app: Option<String>,
    /// Textual addresses (`10.0.3.7`, `2600:1f18:…`, or `[local]`).
    pub addrs: Vec<String>,
    pub tls: TlsMode,
    pub workload: Workload,
    pub driver: Driver,
    /// Long-lived pooled sessions (rarely disconnect).
    pub pooled: bool,
    pub replication: bool,
    /// Relative weight for starting new connections.
    pub weight: f64,
    pub quirks: Quirks,
}

impl Client {
    pub fn is_local(&self) -> bool {
        self.addrs[0] == "[local]"
    }
}

const SERVICES: &[&str] = &[
    "billing-api",
    "orders-service",
    "inventory-worker",
    "checkout",
    "payments-gateway",
    "notification-svc",
    "search-indexer",
    "user-profile",
    "auth-service",
    "catalog-api",
    "shipping-tracker",
    "fraud-scorer",
    "ledger",
    "reconciliation-job",
    "invoice-renderer",
    "email-digest",
    "recommendations",
    "pricing-engine",
    "warehouse-sync",
    "customer-portal",
    "loyalty-points",
    "refunds",
    "tax-calculator",
    "subscriptions",
    "audit-trail",
];

const DATABASES: &[&str] = &[
    "orders",
    "billing",
    "inventory",
    "customers",
    "app_production",
    "payments",
    "catalog",
    "analytics",
    "postgres",
    "Sales DW",
];

const RAILS_APPS: &[&str] = &["myapp", "storefront", "admin_portal", "helpdesk", "crm"];

const HUMANS: &[&str] = &[
    "jane.doe",
    "m.oconnor",
    "dba_team",
    "postgres",
    "raj.patel",
    "li.wei",
];

fn snake(s: &str) -> String {
    s.replace('-', "_")
}

fn tls_libpq(rng: &mut ChaCha8Rng) -> Tls {
    *pick(
        rng,
        &[TLS13_256, TLS13_256, TLS13_256, TLS13_CHACHA, TLS12_256],
    )
}

fn tls_java(rng: &mut ChaCha8Rng) -> Tls {
    *pick(
        rng,
        &[TLS13_256, TLS13_128, TLS12_256, TLS12_256, TLS12_128],
    )
}

fn mode(tls: Tls, rng: &mut ChaCha8Rng, p_plain: f64, p_mixed: f64) -> TlsMode {
    let r: f64 = rng.random();
    if r < p_plain {
        TlsMode::Plain
    } else if r < p_plain + p_mixed {
        TlsMode::Mixed(tls, rng.random_range(0.2..0.8))
    } else {
        TlsMode::Always(tls)
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Jdbc,
    Puma,
    Sidekiq,
    Django,
    Node,
    Go,
    DotNet,
    Etl,
    Grafana,
    // "special" ones, at most a few each
    Psql,
    PgAdmin,
    DBeaver,
    Metabase,
    HealthCheck,
    RdsAdmin,
    Debezium,
    Cron,
    LongName,
    PgDump,
}

/// Kinds guaranteed to appear (in this order) when there are enough clients.
const SPECIAL: &[Kind] = &[
    Kind::Psql,
    Kind::PgAdmin,
    Kind::HealthCheck,
    Kind::DBeaver,
    Kind::Metabase,
    Kind::RdsAdmin,
    Kind::Cron,
    Kind::Debezium,
    Kind::LongName,
    Kind::PgDump,
    Kind::PgAdmin,
    Kind::Psql,
];

const COMMON: &[(Kind, u32)] = &[
    (Kind::Jdbc, 22),
    (Kind::Puma, 14),
    (Kind::Sidekiq, 5),
    (Kind::Django, 14),
    (Kind::Node, 14),
    (Kind::Go, 10),
    (Kind::DotNet, 6),
    (Kind::Etl, 5),
    (Kind::Grafana, 3),
];

fn make(rng: &mut ChaCha8Rng, kind: Kind, i: usize) -> Client {
    let svc = *pick(rng, SERVICES);
    let db = pick(rng, &DATABASES[..DATABASES.len() - 2]).to_string();
    let base = Client {
        user: format!("svc_{}", snake(svc)),
        db,
        app: Some(svc.to_string()),
        addrs: addrs(rng, 3),
        tls: TlsMode::Always(TLS13_256),
        workload: Workload::Oltp,
        driver: Driver::Libpq,
        pooled: false,
        replication: false,
        weight: 1.0,
        quirks: Quirks::default(),
    };
    match kind {
        Kind::Jdbc => {
            let tls = tls_java(rng);
            Client {
                app: if rng.random_bool(0.55) {
                    Some("PostgreSQL JDBC Driver".into())
                } else {
                    Some(svc.into())
                },
                tls: mode(tls, rng, 0.1, 0.05),
                workload: Workload::Extended,
                driver: Driver::Jdbc,
                pooled: true,
                addrs: addrs(rng, 4),
                ..base
            }
        }
        Kind::Puma => {
            let app = *pick(rng, RAILS_APPS);
            Client {
                user: format!("{app}_rw"),
                app: Some(format!(
                    "puma: cluster worker {}: {} [{app}]",
                    rng.random_range(0..4),
                    rng.random_range(1000..60000)
                )),
                tls: mode(tls_libpq(rng), rng, 0.25, 0.1),
                workload: Workload::Orm,
                pooled: true,
                ..base
            }
        }
        Kind::Sidekiq => {
            let app = *pick(rng, RAILS_APPS);
            Client {
                user: format!("{app}_rw"),
                app: Some(format!(
                    "sidekiq 7.2.4 {app} [{} of 10 busy]",
                    rng.random_range(0..=10)
                )),
                tls: mode(tls_libpq(rng), rng, 0.25, 0.1),
                workload: Workload::Orm,
                pooled: true,
                ..base
            }
        }
        Kind::Django => Client {
            user: pick(rng, &["django", "app_user", "web"]).to_string(),
            app: match rng.random_range(0..3) {
                0 => None,
                1 => Some("gunicorn".into()),
                _ => Some(svc.into()),
            },
            tls: mode(tls_libpq(rng), rng, 0.3, 0.1),
            workload: Workload::Orm,
            weight: 1.5, // CONN_MAX_AGE=0: a connection per request
            ..base
        },
        Kind::Node => Client {
            app: if rng.random_bool(0.6) {
                None
            } else {
                Some(svc.into())
            },
            tls: mode(*pick(rng, &[TLS13_256, TLS12_128]), rng, 0.45, 0.05),
            driver: Driver::Node,
            pooled: rng.random_bool(0.7),
            ..base
        },
        Kind::Go => Client {
            app: if rng.random_bool(0.5) {
                None
            } else {
                Some(svc.into())
            },
            tls: mode(
                *pick(rng, &[TLS13_128, TLS13_128, TLS13_CHACHA]),
                rng,
                0.15,
                0.0,
            ),
            driver: Driver::Go,
            pooled: true,
            ..base
        },
        Kind::DotNet => Client {
            app: Some(if rng.random_bool(0.5) {
                "Npgsql".into()
            } else {
                svc.into()
            }),
            tls: mode(
                *pick(rng, &[TLS12_256, TLS12_CHACHA, TLS13_256]),
                rng,
                0.2,
                0.05,
            ),
            workload: Workload::Extended,
            driver: Driver::DotNet,
            pooled: true,
            ..base
        },
        Kind::Etl => Client {
            user: pick(rng, &["etl_loader", "airflow", "dbt"]).to_string(),
            db: "analytics".into(),
            app: pick(
                rng,
                &[None, Some("airflow_task"), Some("dbt"), Some("etl-nightly")],
            )
            .map(String::from),
            tls: mode(tls_libpq(rng), rng, 0.4, 0.1),
            workload: Workload::Etl,
            addrs: addrs(rng, 1),
            weight: 0.5,
            ..base
        },
        Kind::Grafana => Client {
            user: "grafana_ro".into(),
            app: Some("grafana".into()),
            tls: mode(TLS13_128, rng, 0.3, 0.0),
            workload: Workload::Reporting,
            driver: Driver::Go,
            pooled: true,
            ..base
        },
        Kind::Psql => Client {
            user: pick(rng, HUMANS).to_string(),
            db: pick(rng, DATABASES).to_string(),
            app: Some("psql".into()),
            tls: TlsMode::Always(TLS13_256),
            workload: Workload::Admin,
            addrs: addrs(rng, 2),
            weight: 0.2,
            ..base
        },
        Kind::PgAdmin => {
            let db = pick(rng, DATABASES).to_string();
            Client {
                user: pick(rng, HUMANS).to_string(),
                app: Some(if rng.random_bool(0.6) {
                    format!("pgAdmin 4 - DB:{db}")
                } else {
                    format!(
                        "pgAdmin 4 - CONN:{}",
                        rng.random_range(1_000_000..9_999_999)
                    )
                }),
                db,
                tls: mode(TLS13_256, rng, 0.2, 0.0),
                workload: Workload::Gui,
                addrs: addrs(rng, 1),
                weight: 0.3,
                ..base
            }
        }
        Kind::DBeaver => {
            let db = pick(rng, DATABASES).to_string();
            Client {
                user: pick(rng, HUMANS).to_string(),
                app: Some(match rng.random_range(0..3) {
                    0 => format!("DBeaver 24.2.5 - Main <{db}>"),
                    1 => format!("DBeaver 24.2.5 - Metadata <{db}>"),
                    _ => format!(
                        "DBeaver 24.2.5 - SQLEditor <Script-{}.sql>",
                        rng.random_range(1..40)
                    ),
                }),
                db,
                tls: TlsMode::Always(TLS13_256),
                workload: Workload::Gui,
                driver: Driver::Jdbc,
                addrs: addrs(rng, 1),
                weight: 0.3,
                ..base
            }
        }
        Kind::Metabase => Client {
            user: "metabase".into(),
            db: "analytics".into(),
            app: Some(format!(
                "Metabase v0.50.10 [{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}]",
                rng.random::<u32>(),
                rng.random::<u16>(),
                rng.random_range(0..0x1000u16),
                rng.random_range(0..0x1000u16),
                rng.random::<u64>() & 0xffff_ffff_ffff
            )),
            tls: TlsMode::Always(TLS12_256),
            workload: Workload::Reporting,
            driver: Driver::Jdbc,
            pooled: true,
            ..base
        },
        Kind::HealthCheck => Client {
            user: String::new(),
            db: String::new(),
            app: None,
            addrs: vec![
                format!(
                    "10.0.{}.{}",
                    rng.random_range(0..4),
                    rng.random_range(4..250)
                ),
                ipv4(rng),
            ],
            tls: TlsMode::Plain,
            driver: Driver::Probe,
            weight: 4.0,
            quirks: Quirks {
                received_only: 1.0,
                ..Quirks::default()
            },
            ..base
        },
        Kind::RdsAdmin => Client {
            user: "rdsadmin".into(),
            db: "rdsadmin".into(),
            app: None,
            addrs: vec!["[local]".into()],
            tls: TlsMode::Plain,
            workload: Workload::Rds,
            weight: 1.5,
            ..base
        },
        Kind::Debezium => Client {
            user: "debezium".into(),
            db: "orders".into(),
            app: Some("Debezium Streaming".into()),
            tls: TlsMode::Always(TLS13_256),
            workload: Workload::Replication,
            driver: Driver::Jdbc,
            pooled: true,
            replication: true,
            addrs: addrs(rng, 1),
            weight: 0.05,
            ..base
        },
        Kind::Cron => Client {
            // '@' in the user name and a space in the database name (FORMATS.md 1.1.4a).
            user: "ops@cron".into(),
            db: "Sales DW".into(),
            app: Some("cron: nightly-rollup".into()),
            tls: mode(TLS13_256, rng, 0.5, 0.0),
            workload: Workload::Etl,
            addrs: vec![ipv6(rng)],
            weight: 0.3,
            ..base
        },
        Kind::LongName => Client {
            user: "exporter".into(),
            db: "analytics".into(),
            app: Some(format!(
                "analytics-exporter/2.14.1 (k8s; namespace=data-platform; pod=analytics-exporter-7f9c6d5b8-{}{}x2k)",
                i % 10,
                (b'a' + (i % 26) as u8) as char
            )),
            tls: TlsMode::Always(TLS13_128),
            workload: Workload::Reporting,
            driver: Driver::Go,
            addrs: vec![ipv6(rng), ipv4(rng)],
            pooled: true,
            ..base
        },
        Kind::PgDump => Client {
            user: "backup".into(),
            app: Some("pg_dump".into()),
            tls: TlsMode::Always(TLS13_256),
            workload: Workload::Etl,
            addrs: addrs(rng, 1),
            weight: 0.05,
            ..base
        },
    }
}

fn attempts_tls(c: &Client) -> bool {
    !matches!(c.tls, TlsMode::Plain) && c.driver != Driver::Probe && !c.replication
}

/// Builds the population of `n` clients.
pub(crate) fn population(rng: &mut ChaCha8Rng, n: usize) -> Vec<Client> {
    let n = n.max(1);
    let kinds = Kinds::new(n, SPECIAL, COMMON);
    let mut clients = Vec::with_capacity(n);
    for i in 0..n {
        let kind = kinds.of(rng, i);
        let mut c = make(rng, kind, i);
        c.weight = skewed_weight(rng, c.weight, c.pooled);
        clients.push(c);
    }

    // Quirks: a few clients of each sort, only among clients they make sense for.
    let mut taken = vec![false; n];
    let libpq_tls = |c: &Client| attempts_tls(c) && c.driver == Driver::Libpq;

    // Stale root.crt + sslmode=prefer: unknown ca, then a plaintext retry from the same address.
    for i in choose_where(rng, &clients, &mut taken, few(n, 70), libpq_tls) {
        clients[i].quirks.ssl_fail = rng.random_range(0.3..1.0);
        clients[i].quirks.ssl_reason = "tlsv1 alert unknown ca";
        clients[i].quirks.fallback = true;
    }
    // sslmode=verify-full / require with a wrong CA: unknown ca, no retry.
    for i in choose_where(rng, &clients, &mut taken, few(n, 60), libpq_tls) {
        clients[i].quirks.ssl_fail = rng.random_range(0.02..0.2);
        clients[i].quirks.ssl_reason = "tlsv1 alert unknown ca";
    }
    // Java clients rejecting the chain.
    if n >= 60 {
        for i in choose_where(rng, &clients, &mut taken, few(n, 150), |c| {
            attempts_tls(c) && c.driver == Driver::Jdbc
        }) {
            clients[i].quirks.ssl_fail = rng.random_range(0.02..0.1);
            clients[i].quirks.ssl_reason = "sslv3 alert certificate unknown";
        }
    }
    // Node.js verify failures show up as EOF detected.
    for i in choose_where(rng, &clients, &mut taken, few(n, 50), |c| {
        attempts_tls(c) && matches!(c.driver, Driver::Node | Driver::Go | Driver::Libpq)
    }) {
        clients[i].quirks.ssl_fail = rng.random_range(0.05..0.3);
        clients[i].quirks.ssl_reason = "EOF detected";
    }
    // verify-full hostname mismatch: the client hangs up after the handshake, nothing logged.
    for i in choose_where(rng, &clients, &mut taken, few(n, 100), libpq_tls) {
        clients[i].quirks.received_only = rng.random_range(0.05..0.4);
    }
    // Plaintext clients hitting a hostssl-only pg_hba.
    for i in choose_where(rng, &clients, &mut taken, few(n, 100), |c| {
        c.driver != Driver::Probe && !c.is_local() && !c.replication
    }) {
        clients[i].tls = TlsMode::Plain;
        clients[i].quirks.hba_reject = rng.random_range(0.3..1.0);
    }
    // Wrong passwords.
    for i in choose_where(rng, &clients, &mut taken, few(n, 60), |c| {
        c.driver != Driver::Probe && !c.is_local()
    }) {
        clients[i].quirks.password_fail = rng.random_range(0.01..0.15);
    }
    // Make sure the quirky clients connect often enough to be seen.
    seen_often(clients.iter_mut().map(|c| &mut c.weight), &taken);
    clients
}
