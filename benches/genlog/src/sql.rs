//! SQL text generation from small templates.
//!
//! Templates are static strings with `{code}` placeholders. A `\n` in a template becomes
//! `\n\t` in the log, as PostgreSQL's stderr logger does for multi-line messages.
//! In extended-protocol mode each placeholder becomes `$n` and its value goes to the
//! `DETAIL:  parameters: $1 = '…'` buffer instead.

use std::io::Write;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::clients::Workload;
use crate::{huge_in_list, pick, values};

/// Broad statement class, used to pick a plausible error.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Class {
    Select,
    Insert,
    Update,
    Delete,
    Other,
}

fn class_of(t: &str) -> Class {
    let t = t.trim_start();
    let head = |p: &str| t.len() >= p.len() && t[..p.len()].eq_ignore_ascii_case(p);
    if head("select") || head("with") {
        Class::Select
    } else if head("insert") {
        Class::Insert
    } else if head("update") {
        Class::Update
    } else if head("delete") {
        Class::Delete
    } else {
        Class::Other
    }
}

const OLTP: &[&str] = &[
    "SELECT id, email, full_name, created_at FROM users WHERE id = {id} LIMIT 1",
    "SELECT id, status, total_cents, currency FROM orders WHERE customer_id = {id} ORDER BY created_at DESC LIMIT {lim}",
    "UPDATE orders SET status = {st}, updated_at = now() WHERE id = {id}",
    "INSERT INTO order_items (order_id, product_id, quantity, price_cents) VALUES ({id}, {id}, {n}, {id})",
    "BEGIN",
    "COMMIT",
    "SELECT count(*) FROM sessions WHERE user_id = {id} AND expires_at > now()",
    "DELETE FROM cart_items WHERE cart_id = {id} AND product_id = {id}",
    "SELECT p.id, p.sku, p.price_cents, i.on_hand FROM products p JOIN inventory i ON i.product_id = p.id WHERE p.sku = {sku}",
    "INSERT INTO events (kind, user_id, payload, created_at) VALUES ({w}, {id}, {json}, now()) RETURNING id",
    "SELECT balance_cents FROM accounts WHERE id = {id} FOR UPDATE",
    "UPDATE accounts SET balance_cents = balance_cents - {amt} WHERE id = {id}",
    "SELECT 1",
    "SET application_name = 'worker'",
];

const ORM: &[&str] = &[
    "SELECT \"users\".* FROM \"users\" WHERE \"users\".\"id\" = {id} LIMIT {n}",
    "SELECT \"orders\".* FROM \"orders\" WHERE \"orders\".\"customer_id\" = {id} ORDER BY \"orders\".\"created_at\" DESC LIMIT 25 OFFSET {n}",
    "INSERT INTO \"events\" (\"name\", \"properties\", \"user_id\", \"created_at\", \"updated_at\") VALUES ({w}, {json}, {id}, {ts}, {ts}) RETURNING \"id\"",
    "UPDATE \"carts\" SET \"updated_at\" = {ts}, \"lock_version\" = {n} WHERE \"carts\".\"id\" = {id} AND \"carts\".\"lock_version\" = {n}",
    "SELECT 1 AS one FROM \"products\" WHERE \"products\".\"sku\" = {sku} LIMIT 1",
    "SELECT \"auth_user\".\"id\", \"auth_user\".\"password\", \"auth_user\".\"last_login\", \"auth_user\".\"is_superuser\", \"auth_user\".\"username\", \"auth_user\".\"email\" FROM \"auth_user\" WHERE \"auth_user\".\"id\" = {id} LIMIT 21",
    "SELECT \"django_session\".\"session_key\", \"django_session\".\"session_data\", \"django_session\".\"expire_date\" FROM \"django_session\" WHERE (\"django_session\".\"expire_date\" > {ts} AND \"django_session\".\"session_key\" = {uuid}) LIMIT 21",
    "BEGIN",
    "COMMIT",
    "SELECT \"line_items\".* FROM \"line_items\" WHERE \"line_items\".\"order_id\" IN ({ids})",
    "DELETE FROM \"sessions\" WHERE \"sessions\".\"updated_at\" < {ts}",
    "SELECT \"orders\".\"id\", \"orders\".\"status\", \"customers\".\"email\"\nFROM \"orders\"\nINNER JOIN \"customers\" ON \"customers\".\"id\" = \"orders\".\"customer_id\"\nWHERE \"orders\".\"status\" = {st}\n  AND \"orders\".\"created_at\" > {ts}\nORDER BY \"orders\".\"created_at\" DESC\nLIMIT 50",
    "UPDATE \"sidekiq_jobs\" SET \"state\" = {st}, \"finished_at\" = {ts} WHERE \"sidekiq_jobs\".\"jid\" = {uuid}",
];

const EXTENDED: &[&str] = &[
    "select o1_0.id,o1_0.created_at,o1_0.customer_id,o1_0.status,o1_0.total_cents from orders o1_0 where o1_0.id={id}",
    "insert into payment (amount_cents,currency,order_id,status,id) values ({id},{cur},{id},{st},{id})",
    "update invoice set status={st},version={n} where id={id} and version={n}",
    "select nextval('hibernate_sequence')",
    "select c1_0.id,c1_0.email,c1_0.country from customer c1_0 where c1_0.email={em}",
    "select count(*) from shipment s1_0 where s1_0.order_id={id} and s1_0.state={st}",
    "SELECT id, sku, name, price_cents FROM product WHERE id = ANY ({id}) AND active = {bool}",
    "UPDATE inventory SET on_hand = on_hand - {n}, updated_at = {ts} WHERE product_id = {id}",
    "INSERT INTO audit_log (actor, action, entity_id, at) VALUES ({em}, {w}, {id}, {ts})",
    "select l1_0.id,l1_0.entry_type,l1_0.amount_cents from ledger_entry l1_0\nwhere l1_0.account_id={id}\norder by l1_0.posted_at desc\nfetch first {n} rows only",
];

const REPORTING: &[&str] = &[
    "SELECT date_trunc('day', o.created_at) AS day,\n       count(*) AS orders,\n       sum(o.total_cents) / 100.0 AS revenue\nFROM orders o\nJOIN customers c ON c.id = o.customer_id\nWHERE o.created_at >= {ts}\n  AND c.country = {cc}\nGROUP BY 1\nORDER BY 1",
    "WITH recent AS (\n    SELECT customer_id, max(created_at) AS last_order\n    FROM orders\n    WHERE created_at > now() - interval '90 days'\n    GROUP BY customer_id\n)\nSELECT c.country, count(*) AS active_customers\nFROM recent r\nJOIN customers c ON c.id = r.customer_id\nGROUP BY c.country\nORDER BY 2 DESC\nLIMIT {lim}",
    "SELECT \"source\".\"category\" AS \"category\", count(*) AS \"count\" FROM (SELECT \"public\".\"products\".\"category\" AS \"category\", \"public\".\"products\".\"price_cents\" AS \"price_cents\" FROM \"public\".\"products\" WHERE \"public\".\"products\".\"created_at\" >= {ts}) AS \"source\" GROUP BY \"source\".\"category\" ORDER BY \"source\".\"category\" ASC",
    "SELECT date_trunc('minute', created_at) AS \"time\", count(*) AS \"requests\" FROM http_requests WHERE created_at BETWEEN {ts} AND {ts} GROUP BY 1 ORDER BY 1",
    "SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) FROM api_calls WHERE called_at > now() - interval '1 hour'",
    "SELECT p.category,\n       sum(oi.quantity) AS units,\n       sum(oi.quantity * oi.price_cents) AS gross_cents\nFROM order_items oi\nJOIN products p ON p.id = oi.product_id\nJOIN orders o ON o.id = oi.order_id\nWHERE o.status IN ('paid', 'shipped')\n  AND o.created_at BETWEEN {ts} AND {ts}\nGROUP BY p.category\nHAVING sum(oi.quantity) > {n}\nORDER BY gross_cents DESC",
];

const ETL: &[&str] = &[
    "COPY staging.events_raw (id, kind, payload, created_at) FROM STDIN WITH (FORMAT csv, HEADER false)",
    "TRUNCATE staging.events_raw",
    "INSERT INTO daily_rollup (day, kind, n)\nSELECT date_trunc('day', created_at), kind, count(*)\nFROM staging.events_raw\nGROUP BY 1, 2\nON CONFLICT (day, kind) DO UPDATE SET n = daily_rollup.n + EXCLUDED.n",
    "ANALYZE staging.events_raw",
    "DELETE FROM staging.events_raw WHERE created_at < {ts}",
    "COPY public.orders (id, customer_id, status, total_cents, created_at) TO stdout",
    "SELECT pg_catalog.set_config('search_path', '', false)",
    "CREATE TEMP TABLE tmp_batch_{n} (LIKE staging.events_raw INCLUDING DEFAULTS)",
    "BEGIN",
    "COMMIT",
];

const GUI: &[&str] = &[
    "SELECT version()",
    "SET search_path = public",
    "SHOW search_path",
    "SELECT oid, nspname FROM pg_catalog.pg_namespace ORDER BY nspname",
    "SELECT db.oid as did, db.datname as name, ta.spcname as spcname, db.datallowconn,\n    has_database_privilege(db.oid, 'CREATE') as cancreate, datdba as owner\nFROM pg_catalog.pg_database db\n    LEFT OUTER JOIN pg_catalog.pg_tablespace ta ON db.dattablespace = ta.oid\nWHERE db.oid > 16383::OID OR db.datname IN ('postgres', 'edb')\nORDER BY datname",
    "SELECT c.oid,c.*,t.relname as tabrelname,rt.relnamespace as refnamespace,d.description, case when c.relkind in ('c','r') then obj_description(c.oid) end as tabdescription\nFROM pg_catalog.pg_class c\nLEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_class'::regclass\nWHERE c.relnamespace={n} AND c.relkind not in ('i','I','c')",
    "SELECT * FROM public.orders\nLIMIT 200",
    "SELECT * FROM public.customers WHERE email = {em}",
];

const ADMIN: &[&str] = &[
    "SELECT n.nspname as \"Schema\",\n  c.relname as \"Name\",\n  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as \"Type\",\n  pg_catalog.pg_get_userbyid(c.relowner) as \"Owner\"\nFROM pg_catalog.pg_class c\n     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam\nWHERE c.relkind IN ('r','p','')\n      AND n.nspname <> 'pg_catalog'\n      AND n.nspname !~ '^pg_toast'\n      AND n.nspname <> 'information_schema'\n  AND pg_catalog.pg_table_is_visible(c.oid)\nORDER BY 1,2;",
    "select pid, usename, application_name, client_addr, state, query from pg_stat_activity where state <> 'idle';",
    "select * from pg_stat_ssl where ssl;",
    "VACUUM (VERBOSE, ANALYZE) orders;",
    "select relname, n_dead_tup from pg_stat_user_tables order by 2 desc limit 20;",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_at_idx ON orders (created_at);",
    "SELECT pg_cancel_backend({n});",
    "show rds.force_ssl;",
];

const RDS: &[&str] = &[
    "SELECT 1",
    "select pg_catalog.pg_is_in_recovery()",
    "SELECT pg_catalog.pg_last_wal_replay_lsn()",
    "select datname, pg_database_size(datname) from pg_database",
];

/// Probability that a statement is an error, per workload.
pub(crate) fn error_rate(w: Workload) -> f64 {
    match w {
        Workload::Admin | Workload::Gui => 0.06,
        Workload::Reporting => 0.02,
        Workload::Rds | Workload::Replication => 0.0,
        _ => 0.012,
    }
}

/// Duration in microseconds, skewed towards fast.
pub(crate) fn duration_us(rng: &mut ChaCha8Rng, w: Workload) -> u64 {
    let (lo, hi): (f64, f64) = match w {
        Workload::Reporting => (2_000.0, 40_000_000.0),
        Workload::Etl => (500.0, 120_000_000.0),
        Workload::Admin | Workload::Gui => (80.0, 3_000_000.0),
        _ => (40.0, 1_500_000.0),
    };
    let u: f64 = rng.random();
    (lo.ln() + (hi.ln() - lo.ln()) * u * u * u).exp() as u64
}

/// Writes `thousandths` as `X.YYY`.
#[inline]
pub(crate) fn fixed3(buf: &mut Vec<u8>, thousandths: u64) {
    let _ = write!(buf, "{}.{:03}", thousandths / 1000, thousandths % 1000);
}

/// Template expander. `text` gets the SQL, `params` the `$n = '…'` list (extended mode).
pub(crate) struct Sql {
    pub text: Vec<u8>,
    pub params: Vec<u8>,
    nparams: u32,
    mode: Mode,
    value: Vec<u8>,
}

/// How placeholder values are written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// SQL literals: strings single-quoted.
    Literal,
    /// `$n` in the text, values in `params`.
    Extended,
    /// Bare values (for error messages and details).
    Raw,
}

impl Sql {
    pub fn new() -> Self {
        Sql {
            text: Vec::with_capacity(1 << 15),
            params: Vec::with_capacity(1 << 12),
            nparams: 0,
            mode: Mode::Literal,
            value: Vec::with_capacity(256),
        }
    }

    /// Generates one statement for `w`; returns its class.
    pub fn generate(&mut self, rng: &mut ChaCha8Rng, w: Workload, now_secs: i64) -> Class {
        self.text.clear();
        self.params.clear();
        self.nparams = 0;
        self.mode = if w == Workload::Extended {
            Mode::Extended
        } else {
            Mode::Literal
        };
        // Occasionally a statement of several KB on one line.
        if w == Workload::Etl && rng.random_bool(0.08) {
            values::bulk_insert(&mut self.text, rng, now_secs, ", ", "to_timestamp");
            return Class::Insert;
        }
        if rng.random_bool(0.0015) && !matches!(w, Workload::Rds | Workload::Replication) {
            huge_in_list(&mut self.text, rng);
            return Class::Select;
        }
        let set = match w {
            Workload::Oltp => OLTP,
            Workload::Orm => ORM,
            Workload::Extended => EXTENDED,
            Workload::Reporting => REPORTING,
            Workload::Etl => ETL,
            Workload::Gui => GUI,
            Workload::Admin => ADMIN,
            Workload::Rds | Workload::Replication => RDS,
        };
        let t = *pick(rng, set);
        self.expand(rng, t, now_secs);
        class_of(t)
    }

    /// Expands a message template (error text, DETAIL…) with bare values, appending to `out`.
    /// Does not disturb the current statement in `text` / `params`.
    pub fn expand_raw(&mut self, rng: &mut ChaCha8Rng, t: &str, now_secs: i64, out: &mut Vec<u8>) {
        let saved = self.mode;
        self.mode = Mode::Raw;
        std::mem::swap(&mut self.text, out);
        self.expand(rng, t, now_secs);
        std::mem::swap(&mut self.text, out);
        self.mode = saved;
    }

    fn expand(&mut self, rng: &mut ChaCha8Rng, t: &str, now_secs: i64) {
        let b = t.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c == b'\n' {
                self.text.extend_from_slice(b"\n\t");
                i += 1;
            } else if c == b'{' {
                let end = i + b[i..].iter().position(|&x| x == b'}').expect("unclosed {");
                let code = &t[i + 1..end];
                self.placeholder(rng, code, now_secs);
                i = end + 1;
            } else {
                let next = b[i..]
                    .iter()
                    .position(|&x| x == b'{' || x == b'\n')
                    .map_or(b.len(), |p| i + p);
                self.text.extend_from_slice(&b[i..next]);
                i = next;
            }
        }
    }

    fn placeholder(&mut self, rng: &mut ChaCha8Rng, code: &str, now_secs: i64) {
        self.value.clear();
        let v = &mut self.value;
        let quoted = match code {
            "pid" => {
                let _ = write!(v, "{}", rng.random_range(300..32_768u32));
                false
            }
            "xid" => {
                let _ = write!(v, "{}", rng.random_range(10_000_000..900_000_000u32));
                false
            }
            "bool" => {
                v.extend_from_slice(if rng.random_bool(0.8) {
                    b"true"
                } else {
                    b"false"
                });
                false
            }
            "ids" => {
                values::ids(rng, v);
                // a list is never a single bind parameter here
                self.text.extend_from_slice(&self.value);
                return;
            }
            "uuid" => {
                values::uuid(rng, v, "-");
                true
            }
            "ts" => {
                values::timestamp(rng, v, now_secs, true);
                true
            }
            other => values::shared(rng, other, v)
                .unwrap_or_else(|| panic!("unknown placeholder {other}")),
        };
        if self.mode == Mode::Extended {
            self.nparams += 1;
            let _ = write!(self.text, "${}", self.nparams);
            if self.nparams > 1 {
                self.params.extend_from_slice(b", ");
            }
            let _ = write!(self.params, "${} = '", self.nparams);
            self.params.extend_from_slice(&self.value);
            self.params.push(b'\'');
        } else if quoted && self.mode == Mode::Literal {
            self.text.push(b'\'');
            self.text.extend_from_slice(&self.value);
            self.text.push(b'\'');
        } else {
            self.text.extend_from_slice(&self.value);
        }
    }
}

/// An error report: message, optional DETAIL / HINT / CONTEXT (templates).
pub(crate) struct ErrorTpl {
    pub msg: &'static str,
    pub detail: Option<&'static str>,
    pub hint: Option<&'static str>,
    pub context: Option<&'static str>,
}

const fn e(msg: &'static str, detail: Option<&'static str>) -> ErrorTpl {
    ErrorTpl {
        msg,
        detail,
        hint: None,
        context: None,
    }
}

const ERR_INSERT: &[ErrorTpl] = &[
    e(
        "duplicate key value violates unique constraint \"orders_pkey\"",
        Some("Key (id)=({id}) already exists."),
    ),
    e(
        "duplicate key value violates unique constraint \"users_email_key\"",
        Some("Key (email)=({em}) already exists."),
    ),
    e(
        "null value in column \"customer_id\" of relation \"orders\" violates not-null constraint",
        Some(
            "Failing row contains ({id}, null, pending, {amt}, USD, 2026-11-02 10:11:12.345678+00).",
        ),
    ),
    e(
        "insert or update on table \"order_items\" violates foreign key constraint \"order_items_order_id_fkey\"",
        Some("Key (order_id)=({id}) is not present in table \"orders\"."),
    ),
    e("value too long for type character varying(64)", None),
];

const ERR_UPDATE: &[ErrorTpl] = &[
    ErrorTpl {
        msg: "deadlock detected",
        detail: Some(
            "Process {pid} waits for ShareLock on transaction {xid}; blocked by process {pid}.\nProcess {pid} waits for ShareLock on transaction {xid}; blocked by process {pid}.\nProcess {pid}: UPDATE accounts SET balance_cents = balance_cents - {amt} WHERE id = {id}\nProcess {pid}: UPDATE accounts SET balance_cents = balance_cents + {amt} WHERE id = {id}",
        ),
        hint: Some("See server log for query details."),
        context: Some("while updating tuple ({n},{n}) in relation \"accounts\""),
    },
    e("could not serialize access due to concurrent update", None),
    e("canceling statement due to lock timeout", None),
    e(
        "new row for relation \"orders\" violates check constraint \"orders_total_cents_check\"",
        Some("Failing row contains ({id}, {id}, paid, -{amt}, USD)."),
    ),
];

const ERR_SELECT: &[ErrorTpl] = &[
    e("canceling statement due to statement timeout", None),
    e(
        "relation \"order_itmes\" does not exist at character {n}",
        None,
    ),
    ErrorTpl {
        msg: "column \"costumer_id\" does not exist at character {n}",
        detail: None,
        hint: Some("Perhaps you meant to reference the column \"orders.customer_id\"."),
        context: None,
    },
    e("syntax error at or near \"FROM\" at character {n}", None),
    e("division by zero", None),
    e("invalid input syntax for type integer: \"{w}\"", None),
    e("permission denied for table payments", None),
    e("canceling statement due to user request", None),
];

const ERR_OTHER: &[ErrorTpl] = &[
    e(
        "current transaction is aborted, commands ignored until end of transaction block",
        None,
    ),
    e("permission denied for schema staging", None),
    e("canceling statement due to statement timeout", None),
];

pub(crate) fn error_for(rng: &mut ChaCha8Rng, class: Class) -> &'static ErrorTpl {
    match class {
        Class::Insert => pick(rng, ERR_INSERT),
        Class::Update | Class::Delete => pick(rng, ERR_UPDATE),
        Class::Select => pick(rng, ERR_SELECT),
        Class::Other => pick(rng, ERR_OTHER),
    }
}
