//! MariaDB / MySQL-dialect SQL from small templates.
//!
//! Templates are static strings with `{code}` placeholders. A `\n` in a template is written as
//! is: the general log copies statements raw, so a multi-line statement continues on lines
//! with no prefix. Continuation lines never start with a tab (they are indented with spaces).

use std::io::Write;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::clients::Workload;
use crate::{huge_in_list, pick, values};

const OLTP: &[&str] = &[
    "SELECT id, email, full_name, created_at FROM users WHERE id = {id} LIMIT 1",
    "SELECT id, status, total_cents, currency FROM orders WHERE customer_id = {id} ORDER BY created_at DESC LIMIT {lim}",
    "UPDATE orders SET status = {st}, updated_at = NOW() WHERE id = {id}",
    "INSERT INTO order_items (order_id, product_id, quantity, price_cents) VALUES ({id}, {id}, {n}, {amt})",
    "START TRANSACTION",
    "COMMIT",
    "SELECT COUNT(*) FROM sessions WHERE user_id = {id} AND expires_at > NOW()",
    "DELETE FROM cart_items WHERE cart_id = {id} AND product_id = {id}",
    "SELECT p.id, p.sku, p.price_cents, i.on_hand FROM products p JOIN inventory i ON i.product_id = p.id WHERE p.sku = {sku}",
    "INSERT INTO events (kind, user_id, payload, created_at) VALUES ({w}, {id}, {json}, NOW())",
    "SELECT balance_cents FROM accounts WHERE id = {id} FOR UPDATE",
    "UPDATE accounts SET balance_cents = balance_cents - {amt} WHERE id = {id}",
    "SELECT 1",
    "INSERT INTO page_views (path, user_id, hits, viewed_at) VALUES ({path}, {id}, 1, NOW()) ON DUPLICATE KEY UPDATE hits = hits + 1",
    "SELECT LAST_INSERT_ID()",
    "SELECT id, name, price_cents FROM products WHERE category_id = {n} AND active = 1 ORDER BY name LIMIT {lim}",
];

const ORM: &[&str] = &[
    "SELECT `users`.* FROM `users` WHERE `users`.`id` = {id} LIMIT 1",
    "SELECT `orders`.* FROM `orders` WHERE `orders`.`customer_id` = {id} ORDER BY `orders`.`created_at` DESC LIMIT 25 OFFSET {n}",
    "INSERT INTO `events` (`name`, `properties`, `user_id`, `created_at`, `updated_at`) VALUES ({w}, {json}, {id}, {ts6}, {ts6})",
    "UPDATE `carts` SET `carts`.`updated_at` = {ts6}, `carts`.`lock_version` = {n} WHERE `carts`.`id` = {id} AND `carts`.`lock_version` = {n}",
    "SELECT 1 AS one FROM `products` WHERE `products`.`sku` = {sku} LIMIT 1",
    "SELECT `auth_user`.`id`, `auth_user`.`password`, `auth_user`.`last_login`, `auth_user`.`is_superuser`, `auth_user`.`username`, `auth_user`.`email` FROM `auth_user` WHERE `auth_user`.`id` = {id} LIMIT 21",
    "SELECT `django_session`.`session_key`, `django_session`.`session_data`, `django_session`.`expire_date` FROM `django_session` WHERE (`django_session`.`expire_date` > {ts6} AND `django_session`.`session_key` = {uuid}) LIMIT 21",
    "BEGIN",
    "COMMIT",
    "SELECT `line_items`.* FROM `line_items` WHERE `line_items`.`order_id` IN ({ids})",
    "DELETE FROM `sessions` WHERE `sessions`.`updated_at` < {ts6}",
    "select o1_0.id,o1_0.created_at,o1_0.customer_id,o1_0.status,o1_0.total_cents from orders o1_0 where o1_0.id={id}",
    "insert into payment (amount_cents,currency,order_id,status,id) values ({amt},{cur},{id},{st},{id})",
    "update invoice set status={st},version={n} where id={id} and version={n}",
    "SELECT `orders`.`id`, `orders`.`status`, `customers`.`email`\nFROM `orders`\nINNER JOIN `customers` ON `customers`.`id` = `orders`.`customer_id`\nWHERE `orders`.`status` = {st}\n  AND `orders`.`created_at` > {ts6}\nORDER BY `orders`.`created_at` DESC\nLIMIT 50",
    "SET autocommit=0",
    "SET autocommit=1",
];

const PREPARED: &[&str] = &[
    "SELECT id, sku, name, price_cents FROM product WHERE id = {id} AND active = {bool}",
    "UPDATE inventory SET on_hand = on_hand - {n}, updated_at = {ts} WHERE product_id = {id}",
    "INSERT INTO audit_log (actor, action, entity_id, at) VALUES ({em}, {w}, {id}, {ts})",
    "select c1_0.id,c1_0.email,c1_0.country from customer c1_0 where c1_0.email={em}",
    "select count(*) from shipment s1_0 where s1_0.order_id={id} and s1_0.state={st}",
    "select o1_0.id,o1_0.created_at,o1_0.customer_id,o1_0.status,o1_0.total_cents from orders o1_0 where o1_0.id={id}",
    "insert into payment (amount_cents,currency,order_id,status,id) values ({amt},{cur},{id},{st},{id})",
    "select l1_0.id,l1_0.entry_type,l1_0.amount_cents from ledger_entry l1_0\nwhere l1_0.account_id={id}\norder by l1_0.posted_at desc\nlimit {lim}",
];

const REPORTING: &[&str] = &[
    "SELECT DATE(o.created_at) AS day,\n       COUNT(*) AS orders,\n       SUM(o.total_cents) / 100.0 AS revenue\n  FROM orders o\n  JOIN customers c ON c.id = o.customer_id\n WHERE o.created_at >= {ts}\n   AND c.country = {cc}\n GROUP BY 1\n ORDER BY 1",
    "SELECT customer,\n       SUM(total) AS spent,\n       COUNT(*) AS n\n  FROM orders\n WHERE placed_at > NOW() - INTERVAL 1 DAY\n GROUP BY customer\n ORDER BY spent DESC\n LIMIT {lim}",
    "SELECT day, orders, revenue\n  FROM daily\n ORDER BY day",
    "SELECT `source`.`category` AS `category`, COUNT(*) AS `count` FROM (SELECT `products`.`category` AS `category`, `products`.`price_cents` AS `price_cents` FROM `products` WHERE `products`.`created_at` >= {ts}) AS `source` GROUP BY `source`.`category` ORDER BY `source`.`category` ASC",
    "SELECT UNIX_TIMESTAMP(created_at) DIV 60 * 60 AS `time`, COUNT(*) AS requests FROM http_requests WHERE created_at BETWEEN FROM_UNIXTIME({epoch}) AND FROM_UNIXTIME({epoch}) GROUP BY 1 ORDER BY 1",
    "SELECT p.category,\n       SUM(oi.quantity) AS units,\n       SUM(oi.quantity * oi.price_cents) AS gross_cents\n  FROM order_items oi\n  JOIN products p ON p.id = oi.product_id\n  JOIN orders o ON o.id = oi.order_id\n WHERE o.status IN ('paid', 'shipped')\n   AND o.created_at BETWEEN {ts} AND {ts}\n GROUP BY p.category\nHAVING SUM(oi.quantity) > {n}\n ORDER BY gross_cents DESC",
    "WITH recent AS (\n    SELECT customer_id, MAX(created_at) AS last_order\n      FROM orders\n     WHERE created_at > NOW() - INTERVAL 90 DAY\n     GROUP BY customer_id\n)\nSELECT c.country, COUNT(*) AS active_customers\n  FROM recent r\n  JOIN customers c ON c.id = r.customer_id\n GROUP BY c.country\n ORDER BY 2 DESC\n LIMIT {lim}",
    "SELECT COUNT(*) FROM orders WHERE created_at >= CURDATE()",
];

const ETL: &[&str] = &[
    "LOAD DATA LOCAL INFILE '/tmp/events_{n}.csv' INTO TABLE staging.events_raw FIELDS TERMINATED BY ',' ENCLOSED BY '\"' LINES TERMINATED BY '\\n' (id, kind, payload, created_at)",
    "TRUNCATE TABLE staging.events_raw",
    "INSERT INTO daily_rollup (day, kind, n)\nSELECT DATE(created_at), kind, COUNT(*)\n  FROM staging.events_raw\n GROUP BY 1, 2\nON DUPLICATE KEY UPDATE n = daily_rollup.n + VALUES(n)",
    "ANALYZE TABLE staging.events_raw",
    "DELETE FROM staging.events_raw WHERE created_at < {ts}",
    "SELECT id, customer_id, status, total_cents, created_at FROM orders WHERE updated_at >= {ts}",
    "START TRANSACTION",
    "COMMIT",
];

const GUI: &[&str] = &[
    "SHOW DATABASES",
    "SHOW FULL TABLES FROM `{db}`",
    "SELECT * FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {dbq} AND TABLE_NAME = {tbl} ORDER BY ORDINAL_POSITION",
    "SHOW CREATE TABLE `{db}`.`orders`",
    "SELECT * FROM orders\nLIMIT 200",
    "SHOW VARIABLES LIKE 'lower_case_table_names'",
    "SELECT @@GLOBAL.version, @@GLOBAL.version_comment",
    "SELECT * FROM customers WHERE email = {em}",
    "SHOW TABLE STATUS FROM `{db}`",
];

const ADMIN: &[&str] = &[
    "show databases",
    "SHOW PROCESSLIST",
    "show full processlist",
    "SELECT user, host, ssl_type FROM mysql.user",
    "SHOW GLOBAL STATUS LIKE 'Threads_connected'",
    "SHOW SESSION STATUS LIKE 'Ssl_version'",
    "select id, user, host, db, command, time, state from information_schema.processlist where command <> 'Sleep' order by time desc",
    "CALL mysql.rds_kill({n})",
    "SELECT table_schema,\n       COUNT(*) AS tables\n  FROM information_schema.tables\n GROUP BY table_schema",
    "show variables like '%ssl%'",
    "ALTER TABLE orders ADD INDEX idx_orders_created_at (created_at), ALGORITHM=INPLACE, LOCK=NONE",
    "SELECT COUNT(*) FROM orders",
    "SELECT NOW()",
];

const RDS: &[&str] = &[
    "SELECT 1",
    "SELECT @@GLOBAL.read_only",
    "SELECT @@GLOBAL.innodb_read_only",
    "SELECT value FROM mysql.rds_heartbeat2",
    "INSERT INTO mysql.rds_heartbeat2(id, value) values (1,{hb}) ON DUPLICATE KEY UPDATE value = {hb}",
    "SELECT count(*) from information_schema.TABLES WHERE TABLE_SCHEMA = 'mysql' AND TABLE_NAME = 'rds_heartbeat2'",
    "SELECT NAME, VALUE FROM mysql.rds_configuration",
    "PURGE BINARY LOGS TO 'mysql-bin-changelog.{binlog}'",
];

const EXPORTER: &[&str] = &[
    "SHOW GLOBAL STATUS",
    "SHOW GLOBAL VARIABLES",
    "SELECT * FROM information_schema.INNODB_METRICS WHERE status = 'enabled'",
    "SHOW ENGINE INNODB STATUS",
    "SELECT @@GLOBAL.read_only",
];

const TABLES: &[&str] = &[
    "orders",
    "order_items",
    "customers",
    "events",
    "sessions",
    "accounts",
    "inventory",
    "payments",
    "products",
];
const PATHS: &[&str] = &[
    "/",
    "/products",
    "/cart",
    "/checkout",
    "/account",
    "/search",
];

/// Where the statement is sent: the session's database and the clock.
pub(crate) struct Ctx<'a> {
    /// The session's database; empty when it has none.
    pub db: &'a str,
    pub now_ms: i64,
}

/// Template expander. `text` gets the statement with values in it; `prepared` (for
/// [`Workload::Prepared`]) the same statement with `?` for every bound value.
pub(crate) struct Sql {
    pub text: Vec<u8>,
    pub prepared: Vec<u8>,
    prepare: bool,
    value: Vec<u8>,
}

impl Sql {
    pub fn new() -> Self {
        Sql {
            text: Vec::with_capacity(1 << 15),
            prepared: Vec::with_capacity(1 << 12),
            prepare: false,
            value: Vec::with_capacity(256),
        }
    }

    /// Generates one statement for `w`.
    pub fn generate(&mut self, rng: &mut ChaCha8Rng, w: Workload, ctx: &Ctx<'_>) {
        self.text.clear();
        self.prepared.clear();
        self.prepare = w == Workload::Prepared;
        // Occasionally a statement of several KB on one line.
        if w == Workload::Etl && rng.random_bool(0.08) {
            self.prepare = false;
            values::bulk_insert(&mut self.text, rng, ctx.now_ms / 1000, ",", "FROM_UNIXTIME");
            return;
        }
        if rng.random_bool(0.0015)
            && !matches!(w, Workload::Rds | Workload::Exporter | Workload::Prepared)
        {
            huge_in_list(&mut self.text, rng);
            return;
        }
        let set = match w {
            Workload::Oltp => OLTP,
            Workload::Orm => ORM,
            Workload::Prepared => PREPARED,
            Workload::Reporting => REPORTING,
            Workload::Etl => ETL,
            Workload::Gui => GUI,
            Workload::Admin => ADMIN,
            Workload::Rds => RDS,
            Workload::Exporter => EXPORTER,
        };
        let t = *pick(rng, set);
        self.expand(rng, t, ctx);
    }

    /// Appends literal template text to both outputs.
    #[inline]
    fn lit(&mut self, b: &[u8]) {
        self.text.extend_from_slice(b);
        if self.prepare {
            self.prepared.extend_from_slice(b);
        }
    }

    fn expand(&mut self, rng: &mut ChaCha8Rng, t: &str, ctx: &Ctx<'_>) {
        let b = t.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'{' {
                let end = i + b[i..].iter().position(|&x| x == b'}').expect("unclosed {");
                self.placeholder(rng, &t[i + 1..end], ctx);
                i = end + 1;
            } else {
                let next = b[i..]
                    .iter()
                    .position(|&x| x == b'{')
                    .map_or(b.len(), |p| i + p);
                self.lit(&b[i..next]);
                i = next;
            }
        }
    }

    fn placeholder(&mut self, rng: &mut ChaCha8Rng, code: &str, ctx: &Ctx<'_>) {
        self.value.clear();
        let v = &mut self.value;
        // (quoted, bound): quoted values are string literals; bound ones are `?` when prepared.
        let (quoted, bound) = match code {
            "bool" => {
                v.push(if rng.random_bool(0.8) { b'1' } else { b'0' });
                (false, true)
            }
            "epoch" => {
                let _ = write!(v, "{}", ctx.now_ms / 1000 - rng.random_range(0..86_400));
                (false, true)
            }
            "ids" => {
                values::ids(rng, v);
                (false, false)
            }
            "hb" => {
                let _ = write!(v, "{}", ctx.now_ms);
                (false, false)
            }
            "binlog" => {
                let _ = write!(v, "{:06}", (ctx.now_ms / 300_000).rem_euclid(1_000_000));
                (false, false)
            }
            "db" => {
                let db = if ctx.db.is_empty() {
                    "information_schema"
                } else {
                    ctx.db
                };
                v.extend_from_slice(db.as_bytes());
                (false, false)
            }
            "dbq" => {
                let db = if ctx.db.is_empty() {
                    "information_schema"
                } else {
                    ctx.db
                };
                v.extend_from_slice(db.as_bytes());
                (true, false)
            }
            "tbl" => {
                v.extend_from_slice(pick(rng, TABLES).as_bytes());
                (true, false)
            }
            "path" => {
                let _ = write!(
                    v,
                    "{}/{}",
                    pick(rng, PATHS),
                    rng.random_range(1..100_000u32)
                );
                (true, true)
            }
            "uuid" => {
                values::uuid(rng, v, "");
                (true, true)
            }
            "ts" | "ts6" => {
                values::timestamp(rng, v, ctx.now_ms / 1000, code == "ts6");
                (true, true)
            }
            other => match values::shared(rng, other, v) {
                // Every shared value is a bound parameter.
                Some(quoted) => (quoted, true),
                None => panic!("unknown placeholder {other}"),
            },
        };
        if quoted {
            self.text.push(b'\'');
            self.text.extend_from_slice(&self.value);
            self.text.push(b'\'');
        } else {
            self.text.extend_from_slice(&self.value);
        }
        if self.prepare {
            if bound {
                self.prepared.push(b'?');
            } else if quoted {
                self.prepared.push(b'\'');
                self.prepared.extend_from_slice(&self.value);
                self.prepared.push(b'\'');
            } else {
                self.prepared.extend_from_slice(&self.value);
            }
        }
    }
}
