//! Verification evidence from outside the server: application connection
//! settings found in code and config trees (`scan-config`), trust stores
//! (`truststore`), and the analyst's own findings (`--evidence`).
//!
//! The server cannot see whether a client verifies its certificate; the
//! client's settings can. Each detector reads one file's text and reports
//! [`ConfigHit`]s with the three facts that decide a CA rotation's effect,
//! driver defaults applied (FORMATS.md, "Client-side settings").

pub mod ctx;
pub mod deps;
pub mod facts;
pub mod fold;
pub mod mysql;
pub mod oracle;
pub mod postgres;
pub mod sqlserver;
pub mod stack;
pub mod syntax;
pub mod text;
pub mod truststore;
pub mod walk;

use std::path::Path;

use sslcensus_parsers::Engine;

use deps::Versions;

pub use ctx::FileCtx;
pub use facts::{Fact, Facts};

/// A setting as a file gives it: absent, a value, or present but not
/// readable here (`${ENCRYPT}`, `$(Encrypt)`, an expression).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Given<T> {
    Absent,
    Value(T),
    Unreadable,
}

/// `raw` read with `parse`: a value it cannot read is [`Given::Unreadable`].
pub fn given<T>(raw: Option<&str>, parse: impl Fn(&str) -> Option<T>) -> Given<T> {
    match raw {
        None => Given::Absent,
        Some(v) => parse(v).map_or(Given::Unreadable, Given::Value),
    }
}

/// What one connection setting in one file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigHit {
    /// 1-based line where the setting starts.
    pub line: usize,
    /// What was recognised, e.g. `libpq URI`, `JDBC PostgreSQL`, `Rails database.yml`.
    pub stack: &'static str,
    pub engine: Engine,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub database: Option<String>,
    /// The application the setting itself names, as written: libpq
    /// `application_name`, pgjdbc `ApplicationName`, Npgsql and SqlClient
    /// `Application Name`, MySQL connection attribute `program_name`,
    /// Oracle JDBC `v$session.program`.
    pub application: Option<String>,
    /// Whether it uses TLS and verifies the chain and the host name, the
    /// driver's defaults applied.
    pub facts: Facts,
    /// The trust material the setting names (`sslrootcert`, `ssl-ca`,
    /// `trustCertificateKeyStoreUrl`, a wallet directory), as written.
    pub trust_store: Option<String>,
    /// The driver's version as the project's dependency files give it, with
    /// the file it comes from (`Npgsql 5.0.18 (src/App/App.csproj)`); None
    /// when no dependency file in sight names the driver.
    pub driver_version: Option<String>,
    /// The setting as found, with every secret masked (see [`text::mask`]):
    /// this is what reports show.
    pub setting: String,
}

impl ConfigHit {
    /// A hit with the facts set and the setting masked; the caller fills in
    /// host, port, user, database and trust store.
    pub fn new(line: usize, stack: &'static str, engine: Engine, facts: Facts, raw: &str) -> Self {
        Self {
            line,
            stack,
            engine,
            host: None,
            port: None,
            user: None,
            database: None,
            application: None,
            facts,
            trust_store: None,
            driver_version: None,
            setting: text::shown_setting(raw),
        }
    }
}

/// One file's text, as a detector sees it.
#[derive(Debug, Clone, Copy)]
pub struct SourceFile<'a> {
    pub path: &'a Path,
    /// The file name, lowercased (detectors choose by it: `database.yml`,
    /// `my.cnf`, `.env`, `tnsnames.ora`, …).
    pub name: &'a str,
    pub text: &'a str,
    /// Where the drivers' versions are looked up (the project's dependency
    /// files), for defaults that changed between versions.
    pub versions: Versions<'a>,
}

/// Every detector's hits in one file, in line order. Detectors read the
/// file's live text ([`syntax::live_text::live_text`]): comments blanked,
/// concatenated literals joined, offsets and lines kept.
pub fn detect_all(file: &SourceFile<'_>) -> Vec<ConfigHit> {
    let live = syntax::live_text::live_text(file.name, file.text);
    detect_file(&FileCtx::new(&SourceFile {
        text: &live,
        ..*file
    }))
}

/// Every detector's hits in one file already read into its context.
fn detect_file(file: &FileCtx<'_>) -> Vec<ConfigHit> {
    let mut hits: Vec<ConfigHit> = [
        postgres::detect,
        mysql::detect,
        sqlserver::detect,
        oracle::detect,
    ]
    .iter()
    .flat_map(|detect| detect(file))
    .collect();
    hits.sort_by_key(|h| h.line);
    hits
}

/// What detector tests share.
#[cfg(test)]
pub(crate) mod testing {
    use std::fmt::Debug;
    use std::path::Path;

    use sslcensus_parsers::Engine;

    use super::deps::{Package, Versions};
    use super::syntax::live_text::live_text;
    use super::{ConfigHit, Facts, FileCtx, SourceFile};

    /// A detector's hits in `text`, as if read from a file named `name`
    /// (through [`live_text`], as [`super::detect_all`] reads files) with
    /// no dependency file in sight.
    pub fn scan(
        detect: fn(&FileCtx<'_>) -> Vec<ConfigHit>,
        name: &str,
        text: &str,
    ) -> Vec<ConfigHit> {
        scan_with(detect, name, text, &[])
    }

    /// The same, with these driver versions in the project's dependency
    /// files.
    pub fn scan_with(
        detect: fn(&FileCtx<'_>) -> Vec<ConfigHit>,
        name: &str,
        text: &str,
        versions: &[(Package, &str)],
    ) -> Vec<ConfigHit> {
        detect(&FileCtx::new(&SourceFile {
            path: Path::new(name),
            name,
            text: &live_text(name, text),
            versions: if versions.is_empty() {
                Versions::None
            } else {
                Versions::Given(versions)
            },
        }))
    }

    /// Each row's input, read by `read`, gives the row's output; every
    /// failing row is listed.
    pub fn assert_rows<I: Copy + Debug, O: PartialEq<W> + Debug, W: Debug>(
        read: impl Fn(I) -> O,
        rows: &[(I, W)],
    ) {
        let failures: Vec<String> = rows
            .iter()
            .filter_map(|(input, want)| {
                let got = read(*input);
                (got != *want).then(|| format!("{input:?}\n got  {got:?}\n want {want:?}"))
            })
            .collect();
        assert!(
            failures.is_empty(),
            "{} of {} rows failed:\n{}",
            failures.len(),
            rows.len(),
            failures.join("\n")
        );
    }

    /// A temporary folder holding `files`: (path below it, content), its
    /// folders made as needed.
    pub fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temporary folder");
        for (path, content) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("folders made");
            std::fs::write(path, content).expect("file written");
        }
        dir
    }

    /// What detector tables compare: stack, host, port, user, database,
    /// (uses TLS, verifies chain, verifies hostname), trust store.
    pub type Seen<'a> = (
        &'a str,
        Option<&'a str>,
        Option<u16>,
        Option<&'a str>,
        Option<&'a str>,
        Facts,
        Option<&'a str>,
    );

    pub fn seen(h: &ConfigHit) -> Seen<'_> {
        (
            h.stack,
            h.host.as_deref(),
            h.port,
            h.user.as_deref(),
            h.database.as_deref(),
            h.facts,
            h.trust_store.as_deref(),
        )
    }

    /// One row of a driver table: file name, text, the driver versions in
    /// the project's dependency files, and the facts.
    pub type FactsRow<'a> = (&'a str, &'a str, &'a [(Package, &'a str)], Facts);

    /// Each row yields exactly one hit, with those facts; every failing row
    /// is listed.
    pub fn assert_facts(detect: fn(&FileCtx<'_>) -> Vec<ConfigHit>, rows: &[FactsRow<'_>]) {
        let mut failures = Vec::new();
        for &(file, text, versions, want) in rows {
            let hits = scan_with(detect, file, text, versions);
            let got: Vec<Facts> = hits.iter().map(|h| h.facts).collect();
            if got != [want] {
                failures.push(format!(
                    "{file} {versions:?}\n{text}\n got  {got:?}\n want {want:?}"
                ));
            }
        }
        assert_no_failures(&failures, rows.len());
    }

    /// Fails listing `failures`, if any, of a table of `rows` rows.
    fn assert_no_failures(failures: &[String], rows: usize) {
        assert!(
            failures.is_empty(),
            "{} of {rows} rows failed:\n\n{}",
            failures.len(),
            failures.join("\n\n")
        );
    }

    /// No hit may show `secret` in its setting.
    pub fn assert_masked(hits: &[ConfigHit], secret: &str) {
        for h in hits {
            assert!(!h.setting.contains(secret), "password shown: {}", h.setting);
        }
    }

    /// `hits` are of `engine`, are `expected` and show no `hunter2`.
    pub fn assert_hits(hits: &[ConfigHit], engine: Engine, expected: &[Seen<'_>], context: &str) {
        assert!(hits.iter().all(|h| h.engine == engine), "{hits:#?}");
        let got: Vec<Seen<'_>> = hits.iter().map(seen).collect();
        assert_eq!(got, expected, "\n{context}");
        assert_masked(hits, "hunter2");
    }

    /// `detect`'s hits in `text`, read as a file named `name`, are of
    /// `engine`, are `expected` and show no `hunter2`.
    pub fn check(
        detect: fn(&FileCtx<'_>) -> Vec<ConfigHit>,
        engine: Engine,
        name: &str,
        text: &str,
        expected: &[Seen<'_>],
    ) {
        let hits = scan(detect, name, text);
        assert_hits(&hits, engine, expected, &format!("{name}:\n{text}"));
    }

    /// One row of a hit table: file name, text, the one hit it gives.
    pub type Case<'a> = (&'a str, &'a str, Seen<'a>);

    /// Each row's text gives exactly its hit, of `engine`; every failing
    /// row is listed.
    pub fn assert_cases(
        detect: fn(&FileCtx<'_>) -> Vec<ConfigHit>,
        engine: Engine,
        rows: &[Case<'_>],
    ) {
        let mut failures = Vec::new();
        for &(file, text, want) in rows {
            let hits = scan(detect, file, text);
            let got: Vec<Seen<'_>> = hits.iter().map(seen).collect();
            if got != [want] || hits.iter().any(|h| h.engine != engine) {
                failures.push(format!("{file}\n{text}\n got  {got:?}\n want {want:?}"));
            }
            assert_masked(&hits, "hunter2");
        }
        assert_no_failures(&failures, rows.len());
    }

    /// [`assert_cases`] over rows whose text `wrap` puts in a file of
    /// their file's kind.
    pub fn assert_cases_wrapped(
        detect: fn(&FileCtx<'_>) -> Vec<ConfigHit>,
        engine: Engine,
        rows: &[Case<'_>],
        wrap: impl Fn(&str, &str) -> String,
    ) {
        let texts: Vec<String> = rows
            .iter()
            .map(|&(file, text, _)| wrap(file, text))
            .collect();
        let wrapped: Vec<Case<'_>> = rows
            .iter()
            .zip(&texts)
            .map(|(&(file, _, want), text)| (file, text.as_str(), want))
            .collect();
        assert_cases(detect, engine, &wrapped);
    }

    /// `_` → `None`, anything else → `Some(it)`: the optional fields of
    /// [`cases!`].
    macro_rules! opt {
        (_) => {
            None
        };
        ($v:expr) => {
            Some($v)
        };
    }
    pub(crate) use opt;

    /// One expected hit ([`Seen`]):
    /// `stack, host, port, user, database, facts, trust store` with `_` for
    /// a field the hit leaves empty.
    macro_rules! hit {
        ($stack:expr, $host:tt, $port:tt, $user:tt, $db:tt, $facts:expr, $trust:tt) => {{
            use $crate::evidence::testing::opt;
            (
                $stack,
                opt!($host),
                opt!($port),
                opt!($user),
                opt!($db),
                $facts,
                opt!($trust),
            )
        }};
    }
    pub(crate) use hit;

    /// [`Case`] rows, one a line: `file, text => ` and a [`hit!`]`;`.
    macro_rules! cases {
        ($($file:expr, $text:expr => $stack:expr, $host:tt, $port:tt, $user:tt, $db:tt, $facts:expr, $trust:tt;)*) => {
            [$(($file, $text, $crate::evidence::testing::hit!($stack, $host, $port, $user, $db, $facts, $trust))),*]
        };
    }
    pub(crate) use cases;

    /// Expected hits, one [`hit!`] a line, each ending in `;`.
    macro_rules! hits {
        ($($stack:expr, $host:tt, $port:tt, $user:tt, $db:tt, $facts:expr, $trust:tt;)*) => {
            [$($crate::evidence::testing::hit!($stack, $host, $port, $user, $db, $facts, $trust)),*]
        };
    }
    pub(crate) use hits;

    /// An engine's test helpers, in its `tests.rs`: `scan` and `check`
    /// through its `detect`, and the test that its `STACKS` have names of
    /// their own.
    macro_rules! engine_helpers {
        ($engine:expr) => {
            pub(super) fn scan(name: &str, text: &str) -> Vec<ConfigHit> {
                testing::scan(detect, name, text)
            }

            pub(super) fn check(name: &str, text: &str, expected: &[testing::Seen<'_>]) {
                testing::check(detect, $engine, name, text, expected);
            }

            #[test]
            fn each_stack_has_its_own_name() {
                stack::assert_distinct_names(STACKS);
            }
        };
    }
    pub(crate) use engine_helpers;

    /// [`assert_facts`] over rows whose text `wrap` puts in a file of
    /// their file's kind.
    pub fn assert_facts_wrapped(
        detect: fn(&FileCtx<'_>) -> Vec<ConfigHit>,
        rows: &[FactsRow<'_>],
        wrap: impl Fn(&str, &str) -> String,
    ) {
        let texts: Vec<String> = rows
            .iter()
            .map(|&(file, text, _, _)| wrap(file, text))
            .collect();
        let wrapped: Vec<FactsRow<'_>> = rows
            .iter()
            .zip(&texts)
            .map(|(&(file, _, versions, want), text)| (file, text.as_str(), versions, want))
            .collect();
        assert_facts(detect, &wrapped);
    }

    /// [`FactsRow`]s, grouped by file name, one a line:
    /// `"file" { text, [(Package, "version"), …] => facts; … }`.
    macro_rules! facts_rows {
        ($($file:literal { $($text:expr, [$(($pkg:ident, $version:literal)),*] => $facts:expr;)* })*) => {
            [$($((
                $file,
                $text,
                &[$(($crate::evidence::deps::Package::$pkg, $version)),*][..],
                $facts,
            ),)*)*]
        };
    }
    pub(crate) use facts_rows;
}

#[cfg(test)]
mod tests {
    use super::testing;
    use super::*;

    /// Every stack whose setting can name the application fills
    /// `application` from it, as written.
    #[test]
    fn settings_that_name_their_application() {
        let table: &[(&str, &str, Option<&str>)] = &[
            (
                ".env",
                "DATABASE_URL=postgres://app@orders-db.example.com/orders?sslmode=verify-full&application_name=billing\n",
                Some("billing"),
            ),
            (
                "deploy.sh",
                "psql \"host=orders-db dbname=orders application_name='nightly export' sslmode=require\"\n",
                Some("nightly export"),
            ),
            (
                "deploy.sh",
                "psql \"host=orders-db dbname=orders fallback_application_name=etl sslmode=require\"\n",
                Some("etl"),
            ),
            (
                "application.properties",
                "spring.datasource.url=jdbc:postgresql://orders-db:5432/orders?ssl=true&ApplicationName=billing-api\n",
                Some("billing-api"),
            ),
            (
                "appsettings.json",
                "{\"Db\": \"Host=orders-db;Database=orders;Username=app;SSL Mode=VerifyFull;Application Name=Billing\"}\n",
                Some("Billing"),
            ),
            (
                "db.js",
                "const { Pool } = require('pg');\nconst pool = new Pool({ host: 'orders-db', application_name: 'billing-worker', ssl: true });\n",
                Some("billing-worker"),
            ),
            (
                "db.py",
                "import psycopg2\nconn = psycopg2.connect(host='orders-db', dbname='orders', application_name='reports', sslmode='verify-full')\n",
                Some("reports"),
            ),
            (
                "worker.env",
                "PGHOST=orders-db\nPGSSLMODE=verify-full\nPGAPPNAME=worker\n",
                Some("worker"),
            ),
            (
                "appsettings.json",
                "{\"Db\": \"Server=tcp:ledger-db,1433;Initial Catalog=ledger;Encrypt=True;Application Name=Ledger API\"}\n",
                Some("Ledger API"),
            ),
            (
                "db.py",
                "conn = pyodbc.connect('Driver={ODBC Driver 18 for SQL Server};Server=ledger-db;Database=ledger;APP=ledger-sync')\n",
                Some("ledger-sync"),
            ),
            (
                "application.properties",
                "url=jdbc:sqlserver://ledger-db:1433;databaseName=ledger;encrypt=true;applicationName=ledger-batch\n",
                Some("ledger-batch"),
            ),
            (
                "application.properties",
                "url=jdbc:mysql://shop-db:3306/shop?sslMode=VERIFY_IDENTITY&connectionAttributes=program_name:shop-api,team:web\n",
                Some("shop-api"),
            ),
            (
                "main.go",
                "dsn := \"app:pw@tcp(shop-db:3306)/shop?tls=true&connectionAttributes=program_name:inventory\"\n",
                Some("inventory"),
            ),
            (
                "app.py",
                "import pymysql\nconn = pymysql.connect(host='shop-db', user='app', program_name='audit-job', ssl={'ca': '/certs/ca.pem'})\n",
                Some("audit-job"),
            ),
            (
                "db.js",
                "const mysql = require('mysql2');\nconst pool = mysql.createPool({ host: 'shop-db', ssl: 'Amazon RDS', connectAttributes: { program_name: 'catalog' } });\n",
                Some("catalog"),
            ),
            (
                "db.properties",
                "url=jdbc:oracle:thin:@tcps://erp-db:2484/ERP\nv$session.program=erp-sync\n",
                Some("erp-sync"),
            ),
            // Nothing names the application.
            (
                ".env",
                "DATABASE_URL=postgres://app@orders-db/orders?sslmode=verify-full\n",
                None,
            ),
        ];
        for (name, text, want) in table {
            let hits = testing::scan(detect_file, name, text);
            assert_eq!(hits.len(), 1, "{name}: {text}\n{hits:#?}");
            assert_eq!(hits[0].application.as_deref(), *want, "{name}: {text}");
        }
    }
}
