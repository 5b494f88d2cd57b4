//! The fixed MariaDB client population: who connects, from where, over what, and how often
//! their logins fail.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::population::{Kinds, addrs, few, ipv6, seen_often, skewed_weight};
use crate::{choose_where, pick};

/// The host of unix-socket clients, as MariaDB prints it.
pub(crate) const LOCALHOST: &str = "localhost";

/// Whether a client's logins use TLS.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Tls {
    /// `using TCP/IP` (or `using Socket` on the unix socket).
    Never,
    /// `using SSL/TLS`.
    Always,
    /// TLS with this probability per login.
    Mixed(f64),
}

/// What kind of SQL a client's sessions send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Workload {
    /// Hand-written OLTP SQL (PHP, Go, Node).
    Oltp,
    /// Rails / Django / Hibernate SQL.
    Orm,
    /// Server-side prepared statements: `Prepare` (with `?`) and `Execute` (values filled in).
    Prepared,
    /// Multi-line analytical queries (BI tools).
    Reporting,
    /// Bulk loads: multi-row INSERTs (long lines), `LOAD DATA`, rollups.
    Etl,
    /// DBeaver catalog browsing.
    Gui,
    /// A human with the `mariadb` CLI.
    Admin,
    /// RDS's own `rdsadmin` monitoring over the unix socket.
    Rds,
    /// A metrics exporter polling status tables.
    Exporter,
}

impl Workload {
    /// Relative share of statements a session of this workload gets.
    pub fn chattiness(self) -> f64 {
        match self {
            Workload::Rds | Workload::Exporter => 0.1,
            Workload::Admin | Workload::Gui => 0.25,
            Workload::Reporting | Workload::Etl => 0.5,
            _ => 1.0,
        }
    }
}

/// The connector, which decides the statements sent right after a login.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Driver {
    /// MySQL Connector/J 8.
    ConnectorJ,
    /// MariaDB Connector/J 3.
    MariadbJ,
    /// DBeaver (MariaDB Connector/J plus its own catalog queries).
    DBeaver,
    /// Rails `mysql2` adapter.
    Rails,
    /// Django with mysqlclient.
    Django,
    /// Python scripts with mysqlclient.
    Python,
    /// PHP PDO / mysqli.
    Php,
    /// Node.js `mysql2`.
    Node,
    /// Go `go-sql-driver/mysql`.
    Go,
    /// The `mariadb` command-line client.
    Cli,
    /// Sends nothing extra (RDS's own sessions).
    Bare,
}

#[derive(Clone, Debug)]
pub(crate) struct Client {
    pub user: String,
    /// Empty: connects without a database (`on  using`).
    pub db: String,
    /// Textual addresses (`10.0.3.7`, `2600:1f18:…`), or [`LOCALHOST`] for socket clients.
    pub addrs: Vec<String>,
    pub tls: Tls,
    pub workload: Workload,
    pub driver: Driver,
    /// Long-lived pooled sessions (rarely disconnect).
    pub pooled: bool,
    /// Relative weight for starting new connections.
    pub weight: f64,
    /// Probability that a login fails with `Access denied … (using password: …)`.
    pub deny: f64,
    /// Its failed logins sent no password (`using password: NO`).
    pub deny_no_password: bool,
    /// Probability that a plaintext login is refused (a `REQUIRE SSL` account).
    pub deny_plain: f64,
    /// Probability that a login names `bad_db`, which it may not use
    /// (an `Init DB` record `Access denied … to database …`).
    pub deny_db: f64,
    pub bad_db: String,
}

impl Client {
    pub fn is_local(&self) -> bool {
        self.addrs[0] == LOCALHOST
    }
}

const SERVICES: &[&str] = &[
    "app-user",
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
    "invoice-renderer",
    "recommendations",
    "pricing-engine",
    "warehouse-sync",
    "customer-portal",
    "loyalty-points",
    "subscriptions",
];

pub(crate) const DATABASES: &[&str] = &[
    "shop-db",
    "orders",
    "billing",
    "inventory",
    "customers",
    "app_production",
    "payments",
    "catalog",
    "analytics",
    "reports.v2",
];

const HUMANS: &[&str] = &[
    "jane.doe",
    "m.oconnor",
    "dba_team",
    "admin",
    "raj.patel",
    "li.wei",
];

fn user_for(rng: &mut ChaCha8Rng, svc: &str) -> String {
    match rng.random_range(0..4) {
        0 => svc.to_string(),
        1 => format!("svc_{}", svc.replace('-', "_")),
        2 => format!("{svc}.rw"),
        _ => format!("{}_app", svc.replace('-', "_")),
    }
}

/// `Never` with `p_plain`, `Mixed` with `p_mixed`, `Always` otherwise.
fn mode(rng: &mut ChaCha8Rng, p_plain: f64, p_mixed: f64) -> Tls {
    let r: f64 = rng.random();
    if r < p_plain {
        Tls::Never
    } else if r < p_plain + p_mixed {
        Tls::Mixed(rng.random_range(0.2..0.8))
    } else {
        Tls::Always
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Spring,
    Rails,
    Django,
    Php,
    Node,
    Go,
    Etl,
    Grafana,
    // "special" ones, at most a few each
    RdsAdmin,
    Cli,
    DBeaver,
    LocalTls,
    Metabase,
    Cron,
    NoDb,
    SecureOnly,
}

/// Kinds guaranteed to appear (in this order) when there are enough clients.
const SPECIAL: &[Kind] = &[
    Kind::RdsAdmin,
    Kind::Cli,
    Kind::DBeaver,
    Kind::LocalTls,
    Kind::Metabase,
    Kind::Cron,
    Kind::NoDb,
    Kind::SecureOnly,
    Kind::Cli,
    Kind::DBeaver,
];

const COMMON: &[(Kind, u32)] = &[
    (Kind::Spring, 22),
    (Kind::Rails, 14),
    (Kind::Django, 12),
    (Kind::Php, 14),
    (Kind::Node, 12),
    (Kind::Go, 10),
    (Kind::Etl, 5),
    (Kind::Grafana, 3),
];

fn make(rng: &mut ChaCha8Rng, kind: Kind) -> Client {
    let svc = *pick(rng, SERVICES);
    let db = pick(rng, &DATABASES[..DATABASES.len() - 2]).to_string();
    let base = Client {
        user: user_for(rng, svc),
        db,
        addrs: addrs(rng, 3),
        tls: Tls::Always,
        workload: Workload::Oltp,
        driver: Driver::Go,
        pooled: false,
        weight: 1.0,
        deny: 0.0,
        deny_no_password: false,
        deny_plain: 0.0,
        deny_db: 0.0,
        bad_db: String::new(),
    };
    match kind {
        Kind::Spring => Client {
            tls: mode(rng, 0.15, 0.05),
            workload: if rng.random_bool(0.5) {
                Workload::Prepared
            } else {
                Workload::Orm
            },
            driver: if rng.random_bool(0.6) {
                Driver::ConnectorJ
            } else {
                Driver::MariadbJ
            },
            pooled: true,
            addrs: addrs(rng, 4),
            ..base
        },
        Kind::Rails => Client {
            tls: mode(rng, 0.3, 0.1),
            workload: Workload::Orm,
            driver: Driver::Rails,
            pooled: true,
            ..base
        },
        Kind::Django => Client {
            tls: mode(rng, 0.3, 0.1),
            workload: Workload::Orm,
            driver: Driver::Django,
            weight: 1.5, // CONN_MAX_AGE=0: a connection per request
            ..base
        },
        Kind::Php => Client {
            tls: mode(rng, 0.5, 0.05),
            driver: Driver::Php,
            weight: 2.5, // a connection per request
            ..base
        },
        Kind::Node => Client {
            tls: mode(rng, 0.4, 0.05),
            driver: Driver::Node,
            pooled: rng.random_bool(0.7),
            ..base
        },
        Kind::Go => Client {
            tls: mode(rng, 0.15, 0.0),
            pooled: true,
            ..base
        },
        Kind::Etl => Client {
            user: pick(rng, &["etl_loader", "airflow", "dbt"]).to_string(),
            db: "analytics".into(),
            tls: mode(rng, 0.4, 0.1),
            workload: Workload::Etl,
            driver: Driver::Python,
            addrs: addrs(rng, 1),
            weight: 0.5,
            ..base
        },
        Kind::Grafana => Client {
            user: "grafana_ro".into(),
            tls: mode(rng, 0.3, 0.0),
            workload: Workload::Reporting,
            pooled: true,
            ..base
        },
        Kind::RdsAdmin => Client {
            user: "rdsadmin".into(),
            db: String::new(),
            addrs: vec![LOCALHOST.into()],
            tls: Tls::Never,
            workload: Workload::Rds,
            driver: Driver::Bare,
            weight: 3.0,
            ..base
        },
        Kind::Cli => Client {
            user: pick(rng, HUMANS).to_string(),
            db: if rng.random_bool(0.3) {
                String::new()
            } else {
                pick(rng, DATABASES).to_string()
            },
            tls: mode(rng, 0.2, 0.3),
            workload: Workload::Admin,
            driver: Driver::Cli,
            addrs: addrs(rng, 2),
            weight: 0.2,
            ..base
        },
        Kind::DBeaver => Client {
            user: pick(rng, HUMANS).to_string(),
            db: pick(rng, DATABASES).to_string(),
            tls: Tls::Always,
            workload: Workload::Gui,
            driver: Driver::DBeaver,
            addrs: addrs(rng, 1),
            weight: 0.3,
            ..base
        },
        Kind::LocalTls => Client {
            // TLS over the unix socket reads `using SSL/TLS`, not `using Socket`.
            user: "exporter".into(),
            db: String::new(),
            addrs: vec![LOCALHOST.into()],
            tls: Tls::Always,
            workload: Workload::Exporter,
            weight: 0.6,
            ..base
        },
        Kind::Metabase => Client {
            user: "metabase".into(),
            db: "analytics".into(),
            tls: Tls::Always,
            workload: Workload::Reporting,
            driver: Driver::MariadbJ,
            pooled: true,
            ..base
        },
        Kind::Cron => Client {
            // '@' in the user name, an IPv6 address, a '.' in the database name.
            user: "ops@cron".into(),
            db: "reports.v2".into(),
            addrs: vec![ipv6(rng)],
            tls: Tls::Mixed(0.5),
            workload: Workload::Etl,
            driver: Driver::Python,
            weight: 0.3,
            ..base
        },
        Kind::NoDb => Client {
            user: "svc.reporting".into(),
            db: String::new(),
            tls: Tls::Always,
            workload: Workload::Reporting,
            driver: Driver::Node,
            weight: 0.4,
            ..base
        },
        Kind::SecureOnly => Client {
            // A `REQUIRE SSL` account whose plaintext logins are refused.
            user: "secure-only".into(),
            db: "shop-db".into(),
            tls: Tls::Mixed(0.7),
            driver: Driver::Php,
            deny_plain: 1.0,
            weight: 0.3,
            ..base
        },
    }
}

/// Builds the population of `n` clients.
pub(crate) fn population(rng: &mut ChaCha8Rng, n: usize) -> Vec<Client> {
    let n = n.max(1);
    let kinds = Kinds::new(n, SPECIAL, COMMON);
    let mut clients = Vec::with_capacity(n);
    for i in 0..n {
        let kind = kinds.of(rng, i);
        let mut c = make(rng, kind);
        c.weight = skewed_weight(rng, c.weight, c.pooled);
        if kinds.is_special(i) {
            // often enough to be seen in a few MB
            c.weight = c.weight.max(0.2);
        }
        clients.push(c);
    }

    // Failed logins: a few clients of each sort, never RDS's own.
    let mut taken: Vec<bool> = clients.iter().map(|c| c.deny_plain > 0.0).collect();
    let not_rds = |c: &Client| c.workload != Workload::Rds;
    // Wrong passwords (a rotated secret not yet deployed everywhere).
    for (k, i) in choose_where(rng, &clients, &mut taken, few(n, 50), not_rds)
        .into_iter()
        .enumerate()
    {
        // The first one is a misconfigured job that sends no password at all and keeps retrying.
        clients[i].deny_no_password = k == 0;
        clients[i].deny = if k == 0 {
            rng.random_range(0.2..0.6)
        } else {
            rng.random_range(0.02..0.2)
        };
    }
    // A database the account has no privileges on.
    for i in choose_where(rng, &clients, &mut taken, few(n, 120), not_rds) {
        clients[i].deny_db = rng.random_range(0.15..0.5);
        clients[i].bad_db = if rng.random_bool(0.5) {
            "no-such.db".to_string()
        } else {
            format!("{}_archive", pick(rng, &DATABASES[1..6]))
        };
    }
    // Make sure the failing clients connect often enough to be seen.
    seen_often(clients.iter_mut().map(|c| &mut c.weight), &taken);
    clients
}
