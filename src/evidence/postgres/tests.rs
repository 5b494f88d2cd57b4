//! The PostgreSQL detector's tests across stacks: every stack's case
//! table (beside each stack), files that hold no setting, masking, node
//! projects, driver versions.

use std::path::PathBuf;

use super::*;
use crate::evidence::SourceFile;
use crate::evidence::deps::Versions;

/// Scans `text` as a file called `name`, in a directory that does not
/// exist (so no node project is found beside it).
fn scan(name: &str, text: &str) -> Vec<ConfigHit> {
    let path = PathBuf::from("/nonexistent-sslcensus-test").join(name);
    let lower = path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_ascii_lowercase();
    detect(&FileCtx::new(&SourceFile {
        path: &path,
        name: &lower,
        text,
        versions: Versions::None,
    }))
}

/// libpq prefer, no sslrootcert: a ~/.postgresql/root.crt is unknowable.
pub(super) const PREFER: Facts = Facts::new(U, U, N);
/// libpq require, no sslrootcert.
pub(super) const REQUIRE: Facts = Facts::new(Y, U, N);

/// A snippet that yields exactly one hit, and that hit.
pub(super) struct Case {
    pub(super) file: &'static str,
    pub(super) text: &'static str,
    pub(super) stack: &'static str,
    pub(super) host: Option<&'static str>,
    pub(super) port: Option<u16>,
    pub(super) user: Option<&'static str>,
    pub(super) db: Option<&'static str>,
    pub(super) facts: Facts,
    pub(super) trust: Option<&'static str>,
    /// Driver versions in the project's dependency files.
    pub(super) versions: &'static [(Package, &'static str)],
}

/// A [`Case`] in a line or two: `case!(file, text => stack, facts, host
/// "db", port 5432, user "app", db "app", trust "/ca.pem", versions
/// &[(Package::NodePg, "8.16.0")])`; each field after the facts is optional
/// (`None`, no versions) and named.
macro_rules! case {
    (@set $case:ident versions $value:expr) => {
        $case.versions = $value;
    };
    (@set $case:ident $field:ident $value:expr) => {
        $case.$field = Some($value);
    };
    ($file:expr, $text:expr => $stack:expr, $facts:expr $(, $field:ident $value:expr)* $(,)?) => {{
        #[allow(unused_mut)]
        let mut case = Case {
            file: $file,
            text: $text,
            stack: $stack,
            host: None,
            port: None,
            user: None,
            db: None,
            facts: $facts,
            trust: None,
            versions: &[],
        };
        $(case!(@set case $field $value);)*
        case
    }};
}
pub(super) use case;

/// Every stack's cases, each table beside its stack.
fn cases() -> impl Iterator<Item = &'static Case> {
    [
        uri::cases::CASES,
        kv::cases::CASES,
        npgsql::cases::CASES,
        env::cases::CASES,
        rails::cases::CASES,
        django::cases::CASES,
        node::cases::CASES,
        python::cases::CASES,
        pgbouncer::cases::CASES,
        odyssey::cases::CASES,
        pgcat::cases::CASES,
        prisma::cases::CASES,
        cli::cases::CASES,
        helm::cases::CASES,
    ]
    .into_iter()
    .flatten()
}

#[test]
fn each_stack_and_sslmode_reads_as_its_driver_does() {
    let mut failures = Vec::new();
    for (i, c) in cases().enumerate() {
        let hits = crate::evidence::testing::scan_with(detect, c.file, c.text, c.versions);
        let [h] = hits.as_slice() else {
            failures.push(format!(
                "case {i} ({}): {} hits\n{}\n{hits:#?}",
                c.file,
                hits.len(),
                c.text
            ));
            continue;
        };
        let got = crate::evidence::testing::seen(h);
        let want = (c.stack, c.host, c.port, c.user, c.db, c.facts, c.trust);
        if got != want {
            failures.push(format!(
                "case {i} ({}):\n{}\n got  {got:?}\n want {want:?}",
                c.file, c.text
            ));
        }
        assert_eq!(h.engine, Engine::Postgres);
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases().count(),
        failures.join("\n\n")
    );
}

#[test]
fn hits_start_on_the_right_line() {
    let text = "# app config\n\nDATABASE_URL=postgres://app@db/app?sslmode=require\nREPLICA_URL=postgres://app@replica/app\n";
    let lines: Vec<usize> = scan(".env", text).iter().map(|h| h.line).collect();
    assert_eq!(lines, [3, 4]);
    let yml = "default: &default\n  adapter: postgresql\n  encoding: unicode\n\ndevelopment:\n  <<: *default\n  database: app_dev\n\nproduction:\n  <<: *default\n  database: app\n  host: db.example.com\n  sslmode: verify-full\n  sslrootcert: /certs/global-bundle.pem\n";
    let hits = scan("database.yml", yml);
    let got: Vec<_> = hits
        .iter()
        .map(|h| (h.line, h.database.as_deref(), h.facts.verifies_chain))
        .collect();
    // The anchor block is a template: only the environments are reported;
    // production's sslmode line is its line.
    assert_eq!(got, [(6, Some("app_dev"), U), (13, Some("app"), Y)]);
    assert_eq!(
        hits[1].setting,
        "adapter: postgresql; host: db.example.com; database: app; sslmode: verify-full; sslrootcert: /certs/global-bundle.pem"
    );
}

#[test]
fn rails_url_key_is_merged_not_reported_twice() {
    let yml = "production:\n  adapter: postgresql\n  url: postgres://app@db.example.com/app?sslmode=verify-ca\n  pool: 5\n";
    let hits = scan("database.yml", yml);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!(hits[0].stack, "Rails database.yml");
    assert_eq!(hits[0].host.as_deref(), Some("db.example.com"));
    assert_eq!(hits[0].facts, CA_ONLY);
    // In a template: reported once, through the block merging it.
    let yml = "default: &default\n  adapter: postgresql\n  url: postgres://app@db/app?sslmode=verify-full\nproduction:\n  <<: *default\n";
    let hits = scan("database.yml", yml);
    let got: Vec<_> = hits
        .iter()
        .map(|h| (h.line, h.stack, h.facts.verifies_hostname))
        .collect();
    assert_eq!(got, [(5, "Rails database.yml", Y)]);
}

#[test]
fn structured_settings_claim_the_strings_inside_them() {
    // One hit each, not one for the object and one for its URL/conninfo.
    let js = "const { Pool } = require('pg');\nconst pool = new Pool({ connectionString: 'postgres://app@db/app?sslmode=verify-full' });\n";
    assert_eq!(scan("db.js", js).len(), 1);
    let py = "conn = psycopg2.connect('postgresql://app@db/app', sslmode='disable')\n";
    let hits = scan("db.py", py);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!(
        (hits[0].facts.uses_tls, hits[0].facts.verifies_chain),
        (N, N)
    );
    let engine = "engine = create_engine('postgresql+asyncpg://app@db/app', connect_args={'ssl': 'verify-full'})\n";
    let hits = scan("db.py", engine);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!(hits[0].facts, FULL);
}

#[test]
fn several_settings_in_one_file() {
    let go = "import (\n\t\"github.com/jackc/pgx/v5\"\n\t_ \"github.com/lib/pq\"\n)\n\nfunc a() { sql.Open(\"postgres\", \"host=a dbname=x\") }\n\nfunc b() { pgx.Connect(ctx, \"host=b dbname=y\") }\n";
    let hits = scan("both.go", go);
    let got: Vec<_> = hits
        .iter()
        .map(|h| (h.line, h.stack, h.host.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (6, "Go lib/pq keyword/value", Some("a")),
            (8, "Go pgx keyword/value", Some("b"))
        ]
    );
    // lib/pq's default (require up to v1.12.3, prefer after) depends on
    // a version no dependency file gives here; pgx defaults to prefer.
    assert_eq!(hits[0].facts.uses_tls, U);
    assert_eq!(hits[1].facts.uses_tls, U, "pgx defaults to prefer");
}

#[test]
fn not_connection_settings() {
    let cases = [
        (
            "README.md",
            "We store orders in Postgres; postgres is great. PostgreSQL 16 supports sslrootcert=system.\n",
        ),
        (
            "app.py",
            "# remember to set sslmode=require in production\nx = 1\n",
        ),
        ("NOTES.md", "Use `sslmode=verify-full` everywhere.\n"),
        (
            "heroku.py",
            "url = url.replace(\"postgres://\", \"postgresql://\", 1)\nif url.startswith('postgresql://'):\n    pass\n",
        ),
        (
            "db.py",
            "conn = pymysql.connect(host=host, user=user, password=pw, db=db)\n",
        ),
        (
            "appsettings.json",
            "{\"Db\": \"Server=tcp:db.database.windows.net,1433;Initial Catalog=app;User ID=app;Password=p;Encrypt=True;\"}\n",
        ),
        (
            "appsettings.json",
            "{\"Db\": \"Server=db;Port=3306;Database=app;Uid=app;Pwd=p;SslMode=Required;\"}\n",
        ),
        ("my.cnf", "[client]\nhost=db\nuser=app\npassword=secret\n"),
        (
            "config.py",
            "mode = os.getenv(\"PGSSLMODE\", \"require\")\nhost = os.environ.get('PGHOST')\n",
        ),
        (
            "check.js",
            "if (process.env.PGSSLMODE === 'disable') { warn(); }\n",
        ),
        ("hosts", "web1 ansible_host=10.0.0.1 ansible_user=ubuntu\n"),
        (
            "search.js",
            "const { Client } = require('@elastic/elasticsearch');\nconst c = new Client({ node: 'http://es:9200' });\n",
        ),
        (
            "application.yml",
            "spring:\n  r2dbc:\n    url: r2dbc:postgresql://db/app\n",
        ),
        (
            "types.ts",
            "interface Env { PGHOST: string; PGPORT: number }\n",
        ),
        (
            "docs.md",
            "The URI scheme is `postgres://...` or `postgresql://...`.\n",
        ),
    ];
    for (name, text) in cases {
        let hits = scan(name, text);
        assert!(hits.is_empty(), "{name}: {text}\n{hits:#?}");
    }
}

#[test]
fn passwords_stay_out_of_every_field_and_are_masked_in_settings() {
    let secrets = ["s3cret", "p%40ss%2Fw0rd", "hunter2", "secret"];
    for c in cases() {
        for h in scan(c.file, c.text) {
            let fields = [
                h.host.as_deref(),
                h.user.as_deref(),
                h.database.as_deref(),
                h.trust_store.as_deref(),
                Some(h.setting.as_str()),
            ];
            for field in fields.into_iter().flatten() {
                for s in secrets {
                    // `secret` is also a Kubernetes word (`secretKeyRef`).
                    if s == "secret" && !field.contains("=secret") && !field.contains(": secret") {
                        continue;
                    }
                    assert!(!field.contains(s), "{}: {s:?} in {field:?}", c.file);
                }
            }
        }
    }
    let hit = &scan(
        ".env",
        "DATABASE_URL=postgres://app:s3cret@db.example.com:5432/appdb?sslmode=require\n",
    )[0];
    assert_eq!(
        hit.setting,
        "postgres://app:****@db.example.com:5432/appdb?sslmode=require"
    );
    let hit = &scan(
        "Db.kt",
        "val url = \"jdbc:postgresql://db/app?user=app&password=hunter2&sslmode=require\"\n",
    )[0];
    assert_eq!(
        hit.setting,
        "jdbc:postgresql://db/app?user=app&password=****&sslmode=require"
    );
}

#[test]
fn node_project_files_use_node_postgres_semantics() {
    let dir = crate::evidence::testing::tree(&[(
        "package.json",
        br#"{"dependencies": {"pg": "^8.11.3"}}"#,
    )]);
    let env = dir.path().join(".env");
    let text = "DATABASE_URL=postgres://app@db/app?sslmode=require\nPGSSLMODE=require\n";
    let deps = crate::evidence::deps::ProjectDeps::default();
    let versions = Versions::Tree {
        deps: &deps,
        dir: dir.path(),
        stop: dir.path(),
    };
    let hits = detect(&FileCtx::new(&SourceFile {
        path: &env,
        name: ".env",
        text,
        versions,
    }));
    let got: Vec<_> = hits
        .iter()
        .map(|h| (h.stack, h.facts.verifies_chain))
        .collect();
    assert_eq!(
        got,
        [
            ("node-postgres URI", Y),
            ("PGSSLMODE env (node-postgres)", Y)
        ]
    );
    // A Rails app with a front-end package.json is not a node project.
    std::fs::write(dir.path().join("Gemfile"), "").unwrap();
    let hits = detect(&FileCtx::new(&SourceFile {
        path: &env,
        name: ".env",
        text,
        versions: Versions::None,
    }));
    let got: Vec<_> = hits
        .iter()
        .map(|h| (h.stack, h.facts.verifies_chain))
        .collect();
    assert_eq!(got, [("libpq URI", U), ("PGSSLMODE env", U)]);
}

/// Each driver's defaults by version, as its source has them
/// (docs/FORMATS.md, "Driver defaults"): (file, setting, the driver
/// version in the project's dependency files, facts).
#[test]
fn driver_defaults_follow_the_version_in_sight() {
    use crate::evidence::deps::Package::{GoPq, NodePg, Npgsql, Pgx};
    const NPGSQL: &str = "appsettings.json";
    let pg = "const { Pool } = require('pg');\n";
    type Row<'a> = (&'a str, String, &'a [(Package, &'a str)], Facts);
    let table: &[Row<'_>] = &[
            // ---- Npgsql: 5.x validated Prefer/Require unless Trust Server
            // Certificate; default Disable. 6+: libpq's modes, default Prefer.
            (NPGSQL, npgsql("SSL Mode=Require"), &[(Npgsql, "5.0.18")], Facts::new(Y, Y, U)),
            (NPGSQL, npgsql("SSL Mode=Require"), &[(Npgsql, "8.0.3")], NO_VERIFY),
            (NPGSQL, npgsql("SSL Mode=Require"), &[], Facts::new(Y, U, U)),
            (NPGSQL, npgsql("SSL Mode=Prefer"), &[(Npgsql, "5.0.18")], Facts::new(U, Y, U)),
            (NPGSQL, npgsql("SSL Mode=Prefer"), &[(Npgsql, "6.0.0")], OPPORTUNISTIC),
            (NPGSQL, npgsql("SSL Mode=Prefer"), &[], UNKNOWN),
            (NPGSQL, npgsql("Pooling=true"), &[(Npgsql, "5.0.18")], PLAIN),
            (NPGSQL, npgsql("Pooling=true"), &[(Npgsql, "8.0.3")], OPPORTUNISTIC),
            // Neither default verifies; whether TLS is used differs.
            (NPGSQL, npgsql("Pooling=true"), &[], OPPORTUNISTIC),
            (
                NPGSQL,
                npgsql("SSL Mode=Require;Trust Server Certificate=true"),
                &[],
                NO_VERIFY,
            ),
            (
                NPGSQL,
                npgsql("SSL Mode=Require;Root Certificate=/certs/rds.pem"),
                &[(Npgsql, "5.0.18")],
                CA_ONLY,
            ),
            // 5.x refuses VerifyFull: only 6+ can connect with it.
            (NPGSQL, npgsql("SSL Mode=VerifyFull"), &[], FULL),
            (NPGSQL, npgsql("SSL Mode=VerifyFull"), &[(Npgsql, "5.0.18")], UNKNOWN),
            (NPGSQL, npgsql("SSL Mode=VerifyCA"), &[(Npgsql, "^8.0.0")], CA_ONLY),
            // ---- node-postgres: pg 7 verified only with an explicit
            // rejectUnauthorized: true.
            ("db.js", format!("{pg}new Pool({{ host: 'db', ssl: true }});\n"), &[(NodePg, "^7.18.2")], NO_VERIFY),
            ("db.js", format!("{pg}new Pool({{ host: 'db', ssl: true }});\n"), &[(NodePg, "8.11.3")], FULL),
            ("db.js", format!("{pg}new Pool({{ host: 'db', ssl: true }});\n"), &[], Facts::new(Y, U, U)),
            (
                "db.js",
                format!("{pg}new Pool({{ host: 'db', ssl: {{ ca: fs.readFileSync('/certs/rds.pem') }} }});\n"),
                &[(NodePg, "7.4.0")],
                NO_VERIFY,
            ),
            (
                "db.js",
                format!("{pg}new Pool({{ host: 'db', ssl: {{ rejectUnauthorized: true }} }});\n"),
                &[(NodePg, "7.4.0")],
                FULL,
            ),
            (
                "db.js",
                format!("{pg}new Pool({{ host: 'db', ssl: {{ rejectUnauthorized: false }} }});\n"),
                &[],
                NO_VERIFY,
            ),
            // URLs read `sslmode` from 8.4; 8.0–8.3 ignore it.
            ("db.js", "const url = 'postgres://app@db/app?sslmode=require';\n".into(), &[(NodePg, "8.11.3")], FULL),
            ("db.js", "const url = 'postgres://app@db/app?sslmode=require';\n".into(), &[(NodePg, "8.2.0")], PLAIN),
            ("db.js", "const url = 'postgres://app@db/app?sslmode=require';\n".into(), &[], UNKNOWN),
            // Case-sensitive: `Disable` is not `disable`, so TLS with
            // verification.
            ("db.js", "const url = 'postgres://app@db/app?sslmode=Disable';\n".into(), &[(NodePg, "8.11.3")], FULL),
            ("db.js", "const url = 'postgres://app@db/app?sslmode=disable';\n".into(), &[], PLAIN),
            ("db.js", "const url = 'postgres://app@db/app?sslmode=no-verify';\n".into(), &[(NodePg, "^8.4.0")], NO_VERIFY),
            ("db.js", "const url = 'postgres://app@db/app?ssl=no-verify';\n".into(), &[(NodePg, "^8.4.0")], NO_VERIFY),
            // The libpq compatibility switch (8.15+) has no `no-verify`: the
            // `ssl: {}` object stays, and verifies.
            (
                "db.js",
                "const url = 'postgres://app@db/app?uselibpqcompat=true&sslmode=no-verify';\n".into(),
                &[(NodePg, "8.16.0")],
                FULL,
            ),
            (
                "db.js",
                "const url = 'postgres://app@db/app?uselibpqcompat=true&sslmode=require';\n".into(),
                &[(NodePg, "8.16.0")],
                NO_VERIFY,
            ),
            // Before 8.15 the switch is ignored.
            (
                "db.js",
                "const url = 'postgres://app@db/app?uselibpqcompat=true&sslmode=require';\n".into(),
                &[(NodePg, "8.11.3")],
                FULL,
            ),
            // PGSSLMODE: `allow` (and any word not in pg's switch) is no TLS.
            ("db.js", "process.env.PGSSLMODE = 'allow';\n".into(), &[], PLAIN),
            ("db.js", "process.env.PGSSLMODE = 'Require';\n".into(), &[], PLAIN),
            ("db.js", "process.env.PGSSLMODE = 'require';\n".into(), &[(NodePg, "7.18.2")], NO_VERIFY),
            ("db.js", "process.env.PGSSLMODE = 'require';\n".into(), &[(NodePg, "8.11.3")], FULL),
            ("db.js", "process.env.PGSSLMODE = 'no-verify';\n".into(), &[(NodePg, "8.0.0")], PLAIN),
            ("db.js", "process.env.PGSSLMODE = 'no-verify';\n".into(), &[(NodePg, "8.11.3")], NO_VERIFY),
            // ---- sslrootcert=system. libpq 16+: verify-full by default;
            // before 16 a file named `system`; libpq's version is never in
            // sight.
            ("app.conf", "url postgresql://app@db/app?sslrootcert=system\n".into(), &[], UNKNOWN),
            ("app.conf", "url postgresql://app@db/app?sslmode=verify-full&sslrootcert=system\n".into(), &[], FULL),
            // pgx 5.7+: verify-full whatever the sslmode; older pgx cannot
            // read the file `system`.
            (
                "main.go",
                pgx("postgres://app@db/app?sslmode=prefer&sslrootcert=system"),
                &[(Pgx, "v5.7.1")],
                FULL,
            ),
            (
                "main.go",
                pgx("postgres://app@db/app?sslmode=prefer&sslrootcert=system"),
                &[],
                FULL,
            ),
            (
                "main.go",
                pgx("postgres://app@db/app?sslmode=prefer&sslrootcert=system"),
                &[(Pgx, "v5.5.5")],
                UNKNOWN,
            ),
            // lib/pq 1.12+: verify-full by default with it, weaker refused.
            ("main.go", pq("host=db dbname=app sslrootcert=system"), &[(GoPq, "v1.12.3")], FULL),
            ("main.go", pq("host=db dbname=app sslrootcert=system"), &[], FULL),
            ("main.go", pq("host=db dbname=app sslrootcert=system"), &[(GoPq, "v1.10.9")], UNKNOWN),
            ("main.go", pq("host=db dbname=app sslmode=require sslrootcert=system"), &[(GoPq, "v1.12.3")], UNKNOWN),
            // lib/pq's default: require up to v1.12.3, prefer after.
            ("main.go", pq("host=db dbname=app"), &[(GoPq, "v1.10.9")], REQUIRE),
            ("main.go", pq("host=db dbname=app"), &[], Facts::new(U, U, N)),
            // ---- pgjdbc: verify-full checks the host name whatever the
            // factory.
            (
                "app.properties",
                "url=jdbc:postgresql://db/app?sslmode=verify-full&sslfactory=org.postgresql.ssl.NonValidatingFactory\n".into(),
                &[],
                Facts::new(Y, N, Y),
            ),
            (
                "app.properties",
                "url=jdbc:postgresql://db/app?sslmode=verify-full&sslfactory=com.example.TrustAll\n".into(),
                &[],
                Facts::new(Y, U, Y),
            ),
            (
                "app.properties",
                "url=jdbc:postgresql://db/app?sslmode=verify-full&sslhostnameverifier=com.example.AnyHost\n".into(),
                &[],
                Facts::new(Y, Y, U),
            ),
            (
                "app.properties",
                "url=jdbc:postgresql://db/app?sslmode=require&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory\n".into(),
                &[],
                CA_ONLY,
            ),
        ];
    let rows: Vec<crate::evidence::testing::FactsRow<'_>> = table
        .iter()
        .map(|(file, text, versions, want)| (*file, text.as_str(), *versions, *want))
        .collect();
    crate::evidence::testing::assert_facts(detect, &rows);
}

/// A TLS value taken from elsewhere (a variable, an environment
/// interpolation, a registered config, a service file) or a setting
/// cut short is unknown, never "no".
#[test]
fn values_from_elsewhere_are_unknown() {
    let table: &[(&str, &str, Facts)] = &[
        (
            "compose.yml",
            "DATABASE_URL: postgres://app@db/app?sslmode=${DB_SSLMODE}\n",
            UNKNOWN,
        ),
        (
            "db.py",
            "conninfo = \"host=db dbname=app sslmode=%(mode)s\"\n",
            UNKNOWN,
        ),
        (
            "db.py",
            "import psycopg2\nconn = psycopg2.connect(host='db', dbname='app', sslmode=mode)\n",
            UNKNOWN,
        ),
        (
            "db.py",
            "import os\nos.environ[\"PGSSLMODE\"] = mode\nos.environ[\"PGHOST\"] = \"db\"\n",
            UNKNOWN,
        ),
        ("db.js", "process.env.PGSSLMODE = mode;\n", UNKNOWN),
        (
            "db.js",
            "const { Pool } = require('pg');\nnew Pool({ host: 'db', ssl: process.env.DB_SSL });\n",
            UNKNOWN,
        ),
        // A spread object may carry `ssl`.
        (
            "db.js",
            "const { Pool } = require('pg');\nnew Pool({ ...base, host: 'db' });\n",
            UNKNOWN,
        ),
        (
            "settings.py",
            "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'HOST': 'db', 'OPTIONS': {'sslmode': os.environ['PGSSLMODE']}}}\n",
            UNKNOWN,
        ),
        (
            "database.yml",
            "production:\n  adapter: postgresql\n  host: db\n  sslmode: <%= ENV['DB_SSLMODE'] %>\n",
            UNKNOWN,
        ),
        (
            "app.properties",
            "url=jdbc:postgresql://db/app?sslmode=${PG_SSLMODE}\n",
            UNKNOWN,
        ),
        (
            "appsettings.json",
            "{\"Db\": \"Host=db;Database=app;Username=app;SSL Mode=${SSL_MODE}\"}\n",
            UNKNOWN,
        ),
        // A registered tls.Config (lib/pq `pqgo-` modes).
        (
            "main.go",
            "import _ \"github.com/lib/pq\"\nsql.Open(\"postgres\", \"host=db dbname=app sslmode=pqgo-custom\")\n",
            UNKNOWN,
        ),
        // pg_service.conf may set the sslmode.
        (
            "deploy.sh",
            "psql \"service=orders dbname=app host=db\"\n",
            UNKNOWN,
        ),
        // Cut short: the rest may carry the TLS parameters.
        (
            "Db.java",
            "String url = \"jdbc:postgresql://\" + host + \"/app\";\n",
            UNKNOWN,
        ),
        (
            "main.go",
            "import \"github.com/jackc/pgx/v5\"\nconn, err := pgx.Connect(ctx, \"postgres://app@db/app?\" + params)\n",
            UNKNOWN,
        ),
        (
            "db.js",
            "const url = `postgres://app@db/app${query}`;\n",
            UNKNOWN,
        ),
        (
            "Program.cs",
            "var cs = \"Host=db;Database=app;Username=app;\" + extra; // Npgsql\n",
            UNKNOWN,
        ),
    ];
    let rows: Vec<crate::evidence::testing::FactsRow<'_>> = table
        .iter()
        .map(|&(file, text, want)| (file, text, &[][..], want))
        .collect();
    crate::evidence::testing::assert_facts(detect, &rows);
}

fn npgsql(setting: &str) -> String {
    format!("{{\"Db\": \"Host=db;Database=orders;Username=app;{setting}\"}}\n")
}

fn pgx(url: &str) -> String {
    format!("import \"github.com/jackc/pgx/v5\"\n\nconn, err := pgx.Connect(ctx, \"{url}\")\n")
}

fn pq(conninfo: &str) -> String {
    format!("import _ \"github.com/lib/pq\"\n\ndb, err := sql.Open(\"postgres\", \"{conninfo}\")\n")
}

#[test]
fn the_driver_version_is_shown() {
    let hits = crate::evidence::testing::scan_with(
        detect,
        "appsettings.json",
        &npgsql("SSL Mode=Require"),
        &[(Package::Npgsql, "5.0.18")],
    );
    assert_eq!(hits[0].driver_version.as_deref(), Some("Npgsql 5.0.18"));
    let hits = scan("appsettings.json", &npgsql("SSL Mode=Require"));
    assert_eq!(hits[0].driver_version, None);
}

#[test]
fn each_stack_has_its_own_name() {
    stack::assert_distinct_names(STACKS);
}
