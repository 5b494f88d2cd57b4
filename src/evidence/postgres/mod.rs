//! Connection settings of PostgreSQL clients, with each driver's defaults
//! applied (FORMATS.md §1.3).
//!
//! Recognised, one [`ConfigHit`] per setting:
//! - URIs `postgres://…` / `postgresql://…` (also SQLAlchemy's
//!   `postgresql+driver://…`) anywhere in any text file. Read with libpq
//!   semantics, except: in JavaScript/TypeScript files, `package.json`, and
//!   env/YAML/JSON/Dockerfile files of a node project (a `package.json`
//!   beside them and no other stack's marker) with node-postgres semantics;
//!   in Go files with lib/pq's or pgx's (chosen by the imports and the
//!   `sql.Open` driver name); `+asyncpg` URLs, and URLs in asyncpg-only
//!   Python files, with asyncpg's.
//! - JDBC URLs `jdbc:postgresql:…` (pgjdbc semantics), with Spring's
//!   `…username` beside a `…url` key when the URL names no user.
//! - libpq keyword/value strings (`host=… dbname=… sslmode=…`) holding
//!   `host`/`hostaddr`/`dbname` and another keyword; PDO `pgsql:` DSNs.
//! - Npgsql connection strings (`Host=…;SSL Mode=…;Root Certificate=…`).
//! - `PGSSLMODE`/`PGSSLROOTCERT`/`PGHOST`/… in env files, shell, Docker,
//!   Compose, Kubernetes/ECS `name:`/`value:` env lists and `setenv` calls:
//!   one hit per `PGSSLMODE` (or per `PGHOST` when the file sets no
//!   `PGSSLMODE`), the other variables nearby filled in.
//! - Rails `database.yml` blocks (anchors and `<<:` merges resolved),
//!   Django `DATABASES` entries, Laravel `pgsql` connections, `pg_service.conf`.
//! - node-postgres `new Pool({…})`/`new Client({…})`, Sequelize, knex and
//!   TypeORM configs.
//! - `psycopg2`/`psycopg`/`psycopg_pool`/`asyncpg` connect calls and
//!   SQLAlchemy `create_engine(url, connect_args={…})`.
//! - psql, pg_dump, pg_restore and pg_dumpall command lines in scripts, CI
//!   files and Dockerfiles, with the PG* variables set for them.
//! - A host and an sslmode as nested YAML keys (Helm values, Kustomize
//!   patches).
//!
//! Values are kept as written (`${DB_HOST}`, `os.environ["DB_HOST"]`, ERB);
//! a placeholder where the sslmode belongs makes the facts `unknown`.
//! Passwords are never read into any field; `setting` passes through
//! [`mask`].

use std::cell::{OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use sslcensus_parsers::Engine;

use super::Fact::{No as N, Unknown as U, Yes as Y};
use super::deps::{DriverVersion, Package, Versions, driver_eras, eras};
use super::facts::{CA_ONLY, FULL, Facts, NO_VERIFY, OPPORTUNISTIC, PLAIN, UNKNOWN};
use super::stack::{self, Found, Reading, Stack};
use super::syntax::lex::{Comments, Lex};
use super::syntax::lines::Lines;
use super::syntax::quote::unquote;
use super::syntax::url::percent_decode;
use super::text::{is_placeholder, mask, unless_cut};
use super::{ConfigHit, FileCtx};

/// A stack's [`tests::Case`] table, written beside the stack (compiled in
/// tests only): `case_table![case!(…), …];` is the file's `cases::CASES`,
/// which `tests.rs` runs with every other stack's.
macro_rules! case_table {
    ($($case:expr),* $(,)?) => {
        #[cfg(test)]
        pub(super) mod cases {
            use super::super::tests::*;
            #[allow(unused_imports)]
            use super::*;

            pub(in super::super) const CASES: &[Case] = &[$($case),*];
        }
    };
}

mod cli;
mod django;
mod drivers;
mod env;
mod helm;
mod kv;
mod node;
mod npgsql;
mod odyssey;
mod pgbouncer;
mod pgcat;
mod prisma;
mod python;
mod rails;
#[cfg(test)]
mod tests;
mod uri;

use cli::*;
use django::*;
use drivers::*;
use env::*;
use helm::*;
use kv::*;
use node::*;
use npgsql::*;
use odyssey::*;
use pgbouncer::*;
use pgcat::*;
use prisma::*;
use python::*;
use rails::*;
use uri::*;

/// Finds postgres connection settings in one file.
pub fn detect(file: &FileCtx<'_>) -> Vec<ConfigHit> {
    let cx = Ctx::new(file);
    let mut out = Found::default();
    stack::run(STACKS, file, &cx, &mut out);
    out.hits.sort_by_key(|s| s.at);
    out.hits.into_iter().map(|s| s.hit(&cx)).collect()
}

/// PostgreSQL's stacks, in the order they run: structured settings first,
/// as they claim the URLs and strings inside them.
static STACKS: &[&dyn Stack<Pg>] = &[
    &RAILS,
    &FRAMEWORK_SETTINGS,
    &NODE_OBJECTS,
    &PYTHON_CALLS,
    &SQL_ALCHEMY,
    &PGBOUNCER,
    &ODYSSEY,
    &PGCAT,
    &PRISMA,
    &PG_COMMANDS,
    &YAML_KEYS,
    &JDBC_URLS,
    &URIS,
    &PDO,
    &NPGSQL,
    &KEYWORD_STRINGS,
    &ENV,
    &PG_SERVICE,
];

/// What PostgreSQL's stacks share while reading a file: its [`Ctx`], and
/// the [`Setting`]s found with the text they claimed.
struct Pg;

impl Reading for Pg {
    type Cx<'a> = Ctx<'a>;
    type Hits = Found<Setting>;
}

// ---------------------------------------------------------------------------
// One connection's settings, and what becomes a hit

/// The settings one connection names, values as written. There is no
/// password field: passwords are never read.
#[derive(Debug, Clone, Default)]
struct Conn {
    host: Option<String>,
    port: Option<String>,
    user: Option<String>,
    database: Option<String>,
    /// `application_name` (libpq, node-postgres), `ApplicationName`
    /// (pgjdbc), `Application Name` (Npgsql); `fallback_application_name`
    /// when no other is given.
    application: Option<String>,
    sslmode: Option<String>,
    sslrootcert: Option<String>,
    /// pgjdbc / node-postgres / asyncpg `ssl` parameter.
    ssl: Option<String>,
    /// pgjdbc `sslfactory`.
    sslfactory: Option<String>,
    /// pgjdbc `sslhostnameverifier`.
    hostname_verifier: Option<String>,
    /// Npgsql `Trust Server Certificate`.
    trust_server: Option<String>,
    /// node-postgres: `sslcert`/`sslkey` turn TLS on.
    sslcert: bool,
    /// node-postgres `uselibpqcompat=true`.
    libpq_compat: bool,
    /// libpq `service=`: `pg_service.conf` may set what this is silent on.
    service: bool,
}

impl Conn {
    /// Takes one setting by its libpq/pgjdbc/node-postgres name, any case.
    fn set(&mut self, key: &str, value: String) {
        match key.to_ascii_lowercase().as_str() {
            "host" | "server" => self.host = Some(value),
            "hostaddr" => {
                self.host.get_or_insert(value);
            }
            "port" => self.port = Some(value),
            "user" | "username" => self.user = Some(value),
            "dbname" | "database" => self.database = Some(value),
            "application_name" | "applicationname" => self.application = Some(value),
            "fallback_application_name" => {
                self.application.get_or_insert(value);
            }
            "sslmode" => self.sslmode = Some(value),
            "sslrootcert" => self.sslrootcert = Some(value),
            "ssl" => self.ssl = Some(value),
            "sslfactory" => self.sslfactory = Some(value),
            "sslhostnameverifier" => self.hostname_verifier = Some(value),
            "sslcert" | "sslkey" => self.sslcert = true,
            // pg-connection-string compares with `=== 'true'`.
            "uselibpqcompat" => self.libpq_compat = value == "true",
            "service" => self.service = true,
            _ => {}
        }
    }

    /// Takes every setting `other` names.
    fn overlay(&mut self, other: Conn) {
        macro_rules! take {
            ($($f:ident),*) => { $(if other.$f.is_some() { self.$f = other.$f; })* };
        }
        take!(
            host,
            port,
            user,
            database,
            application,
            sslmode,
            sslrootcert,
            ssl,
            sslfactory,
            hostname_verifier,
            trust_server
        );
        self.sslcert |= other.sslcert;
        self.libpq_compat |= other.libpq_compat;
        self.service |= other.service;
    }

    /// Names any TLS setting a node-postgres URL reads.
    fn has_ssl_params(&self) -> bool {
        self.sslmode.is_some() || self.ssl.is_some() || self.sslrootcert.is_some() || self.sslcert
    }
}

/// A recognised setting before it becomes a [`ConfigHit`].
struct Setting {
    /// Byte offset where it starts.
    at: usize,
    stack: &'static str,
    conn: Conn,
    facts: Facts,
    trust: Option<String>,
    /// The driver's version, as the scan output shows it.
    driver_version: Option<String>,
    /// Unmasked; masked on the way out.
    setting: String,
}

impl Setting {
    /// The setting goes on past `end` in the file (concatenated, or open
    /// where parameters go): what it is silent on is unknown.
    fn unless_cut_at(mut self, cx: &Ctx<'_>, end: usize) -> Setting {
        self.facts = unless_cut(self.facts, cx.text, end);
        self
    }

    /// The hit it is, the setting masked.
    fn hit(self, cx: &Ctx<'_>) -> ConfigHit {
        ConfigHit {
            line: cx.line_of(self.at),
            stack: self.stack,
            engine: Engine::Postgres,
            host: nonempty(self.conn.host),
            port: self.conn.port.as_deref().and_then(parse_port),
            user: nonempty(self.conn.user),
            database: nonempty(self.conn.database),
            application: nonempty(self.conn.application),
            facts: self.facts,
            trust_store: self.trust,
            driver_version: self.driver_version,
            setting: mask(&self.setting),
        }
    }
}

fn found(
    cx: &Ctx<'_>,
    at: usize,
    stack: &'static str,
    driver: Driver,
    conn: Conn,
    setting: String,
) -> Setting {
    Setting {
        at,
        stack,
        facts: driver.facts(&conn, cx),
        trust: driver.trust(&conn),
        driver_version: cx.shown_version(driver.package()),
        conn,
        setting,
    }
}

fn nonempty(v: Option<String>) -> Option<String> {
    v.map(|s| unquote(&s).to_string()).filter(|s| !s.is_empty())
}

/// The first port of a (possibly multi-host) port list.
fn parse_port(p: &str) -> Option<u16> {
    unquote(p).split(',').next()?.trim().parse().ok()
}

// ---------------------------------------------------------------------------
// The file being read

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Js,
    Python,
    Go,
    Php,
    Yaml,
    Json,
    Other,
}

impl Lang {
    fn of(name: &str) -> Lang {
        match name.rsplit_once('.').map_or("", |(_, ext)| ext) {
            "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" => Lang::Js,
            "py" => Lang::Python,
            "go" => Lang::Go,
            "php" => Lang::Php,
            "yml" | "yaml" => Lang::Yaml,
            "json" => Lang::Json,
            _ => Lang::Other,
        }
    }
}

/// The keys Rails' `database.yml` and Laravel's `database.php` share, with
/// libpq's keywords for them.
const FRAMEWORK_KEYS: [(&str, &str); 6] = [
    ("host", "host"),
    ("port", "port"),
    ("database", "dbname"),
    ("username", "user"),
    ("sslmode", "sslmode"),
    ("sslrootcert", "sslrootcert"),
];

/// A file in `lang` that `pattern` matches: what a stack that reads one
/// language's calls or settings wants.
fn lang_file_with(file: &FileCtx<'_>, lang: Lang, pattern: &Regex) -> bool {
    Lang::of(file.name) == lang && pattern.is_match(file.text)
}

fn is_env_file(name: &str) -> bool {
    name == ".env" || name.starts_with(".env.") || name.ends_with(".env")
}

/// Files beside which mean the project is not (only) a node app. A Rails or
/// Django app often has a `package.json` for its front end; Prisma reads
/// `DATABASE_URL` with its own engine, not node-postgres.
const OTHER_STACKS: [&str; 12] = [
    "Gemfile",
    "requirements.txt",
    "pyproject.toml",
    "Pipfile",
    "manage.py",
    "go.mod",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "composer.json",
    "mix.exs",
    "prisma",
];

/// A node project: `package.json` beside the file, no other stack's marker.
/// (Reads the file system: only the scanned file's own directory.)
fn node_project(path: &Path) -> bool {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    dir.join("package.json").is_file() && !OTHER_STACKS.iter().any(|m| dir.join(m).exists())
}

static GO_PQ_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:Open|Connect|MustConnect|MustOpen)\(\s*"postgres""#)
        .expect("Go lib/pq pattern compiles")
});
static GO_PGX_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:Open|Connect|MustConnect|MustOpen)\(\s*"pgx|(?-u:\b)pgx(?:pool)?\.(?:Connect|New|ParseConfig)"#)
        .expect("Go pgx pattern compiles")
});

struct Ctx<'a> {
    file: &'a FileCtx<'a>,
    path: &'a Path,
    name: &'a str,
    text: &'a str,
    lang: Lang,
    lines: &'a Lines,
    node: OnceCell<bool>,
    /// Go: the file points at lib/pq, at pgx.
    go: (bool, bool),
    /// Python: asyncpg is imported and psycopg is not.
    asyncpg_only: bool,
    versions: Versions<'a>,
    /// Driver versions looked up so far.
    found_versions: RefCell<HashMap<Package, Option<DriverVersion>>>,
}

impl<'a> Ctx<'a> {
    fn new(file: &'a FileCtx<'a>) -> Self {
        let text = file.text;
        let lang = Lang::of(file.name);
        let lines = file.lines();
        let go = if lang == Lang::Go {
            (
                text.contains("github.com/lib/pq") || GO_PQ_CALL.is_match(text),
                text.contains("github.com/jackc/pgx")
                    || text.contains("gorm.io/driver/postgres")
                    || GO_PGX_CALL.is_match(text),
            )
        } else {
            (false, false)
        };
        let asyncpg_only = lang == Lang::Python
            && (text.contains("import asyncpg") || text.contains("from asyncpg"))
            && !text.contains("psycopg");
        Ctx {
            file,
            path: file.path,
            name: file.name,
            text,
            lang,
            lines,
            node: OnceCell::new(),
            go,
            asyncpg_only,
            versions: file.versions,
            found_versions: RefCell::new(HashMap::new()),
        }
    }

    /// The version of `package` the project's dependency files give.
    fn version(&self, package: Package) -> Option<DriverVersion> {
        self.found_versions
            .borrow_mut()
            .entry(package)
            .or_insert_with(|| self.versions.of(package))
            .clone()
    }

    fn shown_version(&self, package: Option<Package>) -> Option<String> {
        package.and_then(|p| self.version(p)).map(|v| v.shown())
    }

    /// The eras of `package` its version in sight may fall in.
    fn eras<T: Copy>(&self, package: Package, table: &[((u32, u32, u32), T)]) -> Vec<T> {
        eras(self.version(package).as_ref(), table)
    }

    fn line_of(&self, at: usize) -> usize {
        self.lines.line(at)
    }

    /// Line `n` (1-based), without its newline.
    fn line_text(&self, n: usize) -> &'a str {
        self.lines.text(self.text, n)
    }

    /// Strings, comments and brackets, for the languages whose configs are
    /// read as objects (JavaScript, JSON, Python, PHP): the file's lex,
    /// built on first use, so only files where an anchor pattern matched
    /// pay for it.
    fn lex(&self) -> &'a Lex {
        self.file.lex(match self.lang {
            Lang::Python => Comments::Hash,
            Lang::Php => Comments::HashAndSlash,
            _ => Comments::Slash,
        })
    }

    /// Program text, where an unquoted value is an expression rather than
    /// a literal (unlike env files, shell and YAML).
    fn is_code(&self) -> bool {
        matches!(self.lang, Lang::Js | Lang::Python | Lang::Go | Lang::Php)
            || [".rb", ".java", ".kt", ".cs", ".scala", ".groovy"]
                .iter()
                .any(|e| self.name.ends_with(e))
    }

    /// URLs and `PGSSLMODE` here are read by node-postgres.
    fn node(&self) -> bool {
        *self.node.get_or_init(|| match self.lang {
            Lang::Js => true,
            _ if self.name == "package.json" => true,
            Lang::Yaml | Lang::Json => node_project(self.path),
            Lang::Other if is_env_file(self.name) || self.name == "dockerfile" => {
                node_project(self.path)
            }
            _ => false,
        })
    }

    /// The Go driver reading a string at `at`: the one the file points at,
    /// or, when it points at both, the one named by a call on the same line,
    /// else by the nearest call before it.
    fn go_driver(&self, at: usize) -> Driver {
        match self.go {
            (true, false) => Driver::GoLibPq,
            (false, true) => Driver::Pgx,
            (true, true) => {
                let line = self.line_text(self.line_of(at));
                let before = &self.text[self.text.floor_char_boundary(at.saturating_sub(400))..at];
                for window in [line, before] {
                    let pq = GO_PQ_CALL.find_iter(window).last().map(|m| m.start());
                    let pgx = GO_PGX_CALL.find_iter(window).last().map(|m| m.start());
                    match (pq, pgx) {
                        (Some(a), Some(b)) => {
                            return if a > b { Driver::GoLibPq } else { Driver::Pgx };
                        }
                        (Some(_), None) => return Driver::GoLibPq,
                        (None, Some(_)) => return Driver::Pgx,
                        (None, None) => {}
                    }
                }
                Driver::Libpq
            }
            (false, false) => Driver::Libpq,
        }
    }

    fn uri_driver(&self, at: usize) -> Driver {
        if self.lang == Lang::Go {
            self.go_driver(at)
        } else if self.asyncpg_only {
            Driver::Asyncpg
        } else if self.node() {
            Driver::NodePg
        } else {
            Driver::Libpq
        }
    }

    /// Keyword/value strings: node-postgres and asyncpg do not read them.
    fn keyword_driver(&self, at: usize) -> Driver {
        if self.lang == Lang::Go {
            self.go_driver(at)
        } else {
            Driver::Libpq
        }
    }

    fn env_driver(&self, at: usize) -> Driver {
        if self.lang == Lang::Go {
            self.go_driver(at)
        } else if self.node() {
            Driver::NodePg
        } else {
            Driver::Libpq
        }
    }
}

// ---------------------------------------------------------------------------
// Small text helpers

/// The text of a string literal (`'…'`, `"…"`, `` `…` ``, `"""…"""`, with
/// Python prefixes such as `f` or `r`), or None when `v` is not one.
fn literal(v: &str) -> Option<&str> {
    let v = v.trim();
    let body = v.trim_start_matches(['r', 'R', 'f', 'F', 'b', 'B', 'u', 'U']);
    if v.len() - body.len() > 2 {
        return None;
    }
    for q in ["\"\"\"", "'''"] {
        if body.len() >= 6 && body.starts_with(q) && body.ends_with(q) {
            return Some(&body[3..body.len() - 3]);
        }
    }
    let q = body.chars().next()?;
    if matches!(q, '"' | '\'' | '`') && body.len() >= 2 && body.ends_with(q) {
        let inner = &body[1..body.len() - 1];
        // `'a' + b + 'c'` is not one literal.
        if !inner.contains(q) || inner.contains('\\') {
            return Some(inner);
        }
    }
    None
}

/// A value as written: a literal's text, or the expression with its
/// whitespace collapsed.
fn as_written(v: &str) -> String {
    literal(v).map_or_else(|| collapse(v), str::to_string)
}

fn collapse(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_ident(v: &str) -> bool {
    let mut chars = v.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}
