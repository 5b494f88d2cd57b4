//! The PostgreSQL detector's table tests.

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
const PREFER: Facts = Facts::new(U, U, N);
/// libpq require, no sslrootcert.
const REQUIRE: Facts = Facts::new(Y, U, N);

/// A snippet that yields exactly one hit, and that hit.
struct Case {
    file: &'static str,
    text: &'static str,
    stack: &'static str,
    host: Option<&'static str>,
    port: Option<u16>,
    user: Option<&'static str>,
    db: Option<&'static str>,
    facts: Facts,
    trust: Option<&'static str>,
    /// Driver versions in the project's dependency files.
    versions: &'static [(Package, &'static str)],
}

const CASES: &[Case] = &[
    // ---- libpq URIs
    Case {
        file: ".env",
        text: "DATABASE_URL=postgres://app:s3cret@db.example.com:5432/appdb?sslmode=verify-full&sslrootcert=/etc/ssl/certs/global-bundle.pem\n",
        stack: "libpq URI",
        host: Some("db.example.com"),
        port: Some(5432),
        user: Some("app"),
        db: Some("appdb"),
        facts: FULL,
        trust: Some("/etc/ssl/certs/global-bundle.pem"),
        versions: &[],
    },
    Case {
        file: "config.yaml",
        text: "database:\n  url: \"postgresql://app@db.internal/app?sslmode=require\"\n",
        stack: "libpq URI",
        host: Some("db.internal"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: REQUIRE,
        trust: None,
        versions: &[],
    },
    // Parameters in any order; the root-cert rule makes require verify.
    Case {
        file: "deploy.sh",
        text: "psql 'postgresql://db.example.com:5432/app?sslrootcert=/certs/rds-combined-ca-bundle.pem&application_name=etl&sslmode=require' -c 'select 1'\n",
        stack: "libpq URI",
        host: Some("db.example.com"),
        port: Some(5432),
        user: None,
        db: Some("app"),
        facts: CA_ONLY,
        trust: Some("/certs/rds-combined-ca-bundle.pem"),
        versions: &[],
    },
    Case {
        file: "deploy-notes.txt",
        text: "Connect with `postgres://reporter@reports.example.com/reports` and you are done.\n",
        stack: "libpq URI",
        host: Some("reports.example.com"),
        port: None,
        user: Some("reporter"),
        db: Some("reports"),
        facts: PREFER,
        trust: None,
        versions: &[],
    },
    Case {
        file: "config.toml",
        text: "url = \"postgres://app:pw@localhost:5432/app?sslmode=disable\"\n",
        stack: "libpq URI",
        host: Some("localhost"),
        port: Some(5432),
        user: Some("app"),
        db: Some("app"),
        facts: PLAIN,
        trust: None,
        versions: &[],
    },
    Case {
        file: "app.ini",
        text: "dsn = postgresql://app@db:5432/app?sslmode=verify-ca\n",
        stack: "libpq URI",
        host: Some("db"),
        port: Some(5432),
        user: Some("app"),
        db: Some("app"),
        facts: CA_ONLY,
        trust: None,
        versions: &[],
    },
    Case {
        file: "app.ini",
        text: "dsn = postgresql://app@db:5432/app?sslmode=prefer&sslrootcert=/certs/global-bundle.pem\n",
        stack: "libpq URI",
        host: Some("db"),
        port: Some(5432),
        user: Some("app"),
        db: Some("app"),
        facts: Facts::new(U, Y, N),
        trust: Some("/certs/global-bundle.pem"),
        versions: &[],
    },
    // libpq 16: the OS store, only with verify-full.
    Case {
        file: "app.conf",
        text: "db_url postgresql://app@db.example.com/app?sslmode=verify-full&sslrootcert=system\n",
        stack: "libpq URI",
        host: Some("db.example.com"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: FULL,
        trust: Some("system"),
        versions: &[],
    },
    Case {
        file: "app.conf",
        text: "db_url postgresql://app@db.example.com/app?sslmode=require&sslrootcert=system\n",
        stack: "libpq URI",
        host: Some("db.example.com"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: REQUIRE,
        trust: Some("system"),
        versions: &[],
    },
    // `@` and `/` in the password, percent-encoded.
    Case {
        file: ".env.production",
        text: "DATABASE_URL=\"postgres://alice:p%40ss%2Fw0rd@db.example.com:6432/sales?sslmode=require\"\n",
        stack: "libpq URI",
        host: Some("db.example.com"),
        port: Some(6432),
        user: Some("alice"),
        db: Some("sales"),
        facts: REQUIRE,
        trust: None,
        versions: &[],
    },
    // An unencoded `@` in the password: the last one before the path wins.
    Case {
        file: ".env",
        text: "DATABASE_URL=postgres://bob:p@ss@db.example.com/app\n",
        stack: "libpq URI",
        host: Some("db.example.com"),
        port: None,
        user: Some("bob"),
        db: Some("app"),
        facts: PREFER,
        trust: None,
        versions: &[],
    },
    Case {
        file: "settings.ini",
        text: "url=postgresql://app@[::1]:5433/app?sslmode=verify-ca\n",
        stack: "libpq URI",
        host: Some("::1"),
        port: Some(5433),
        user: Some("app"),
        db: Some("app"),
        facts: CA_ONLY,
        trust: None,
        versions: &[],
    },
    Case {
        file: "settings.ini",
        text: "url=postgresql://app@host1:5432,host2:5433/app?target_session_attrs=read-write&sslmode=verify-full\n",
        stack: "libpq URI",
        host: Some("host1,host2"),
        port: Some(5432),
        user: Some("app"),
        db: Some("app"),
        facts: FULL,
        trust: None,
        versions: &[],
    },
    // Parameter names in any case.
    Case {
        file: "settings.ini",
        text: "url=postgresql://app@db/app?SSLMODE=verify-full&SSLROOTCERT=/certs/global-bundle.pem\n",
        stack: "libpq URI",
        host: Some("db"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: FULL,
        trust: Some("/certs/global-bundle.pem"),
        versions: &[],
    },
    // Placeholders are kept as written; an sslmode placeholder is unknown.
    Case {
        file: "docker-compose.yml",
        text: "services:\n  api:\n    environment:\n      DATABASE_URL: postgres://${DB_USER}:${DB_PASSWORD}@${DB_HOST}:5432/${DB_NAME}?sslmode=${DB_SSLMODE}\n",
        stack: "libpq URI",
        host: Some("${DB_HOST}"),
        port: Some(5432),
        user: Some("${DB_USER}"),
        db: Some("${DB_NAME}"),
        facts: UNKNOWN,
        trust: None,
        versions: &[],
    },
    Case {
        file: "settings.py",
        text: "DATABASE_URL = \"postgresql+psycopg2://app@db.example.com/app?sslmode=require\"\n",
        stack: "libpq URI",
        host: Some("db.example.com"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: REQUIRE,
        trust: None,
        versions: &[],
    },
    Case {
        file: "settings.py",
        text: "DATABASE_URL = \"postgresql+asyncpg://app@db.example.com/app?ssl=require\"\n",
        stack: "asyncpg URI",
        host: Some("db.example.com"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: REQUIRE,
        trust: None,
        versions: &[],
    },
    // asyncpg prefer never verifies, even with a root certificate.
    Case {
        file: "db.py",
        text: "import asyncpg\nDSN = 'postgresql://app@db/app?sslmode=prefer&sslrootcert=/certs/ca.pem'\n",
        stack: "asyncpg URI",
        host: Some("db"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: OPPORTUNISTIC,
        trust: Some("/certs/ca.pem"),
        versions: &[],
    },
    Case {
        file: "settings.py",
        text: "URL = 'postgresql+pg8000://app@db/app'\n",
        stack: "SQLAlchemy URI (other driver)",
        host: Some("db"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: UNKNOWN,
        trust: None,
        versions: &[],
    },
    // ---- node-postgres URLs: every sslmode but disable/no-verify verifies
    Case {
        file: "db.js",
        text: "const url = 'postgres://app:pw@db.example.com:5432/app?sslmode=require';\n",
        stack: "node-postgres URI",
        host: Some("db.example.com"),
        port: Some(5432),
        user: Some("app"),
        db: Some("app"),
        facts: FULL,
        trust: None,
        versions: &[(Package::NodePg, "8.16.0")],
    },
    Case {
        file: "db.ts",
        text: "export const url = `postgres://app@db/app?sslmode=no-verify`;\n",
        stack: "node-postgres URI",
        host: Some("db"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: NO_VERIFY,
        trust: None,
        versions: &[(Package::NodePg, "8.16.0")],
    },
    Case {
        file: "db.mjs",
        text: "const url = \"postgres://app@db/app?sslmode=require&uselibpqcompat=true\";\n",
        stack: "node-postgres URI",
        host: Some("db"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: NO_VERIFY,
        trust: None,
        versions: &[(Package::NodePg, "8.16.0")],
    },
    Case {
        file: "db.cjs",
        text: "const url = \"postgres://app@db/app?uselibpqcompat=true&sslmode=require&sslrootcert=/certs/global-bundle.pem\";\n",
        stack: "node-postgres URI",
        host: Some("db"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: CA_ONLY,
        trust: Some("/certs/global-bundle.pem"),
        versions: &[(Package::NodePg, "8.16.0")],
    },
    Case {
        file: "db.js",
        text: "const url = 'postgres://app@localhost/app';\n",
        stack: "node-postgres URI",
        host: Some("localhost"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: PLAIN,
        trust: None,
        versions: &[],
    },
    Case {
        file: "package.json",
        text: "{\n  \"scripts\": {\n    \"migrate\": \"DATABASE_URL=postgres://app@db/app?ssl=true node-pg-migrate up\"\n  }\n}\n",
        stack: "node-postgres URI",
        host: Some("db"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: FULL,
        trust: None,
        versions: &[(Package::NodePg, "8.16.0")],
    },
    // ---- Go
    Case {
        file: "main.go",
        text: "import (\n\t\"database/sql\"\n\t_ \"github.com/lib/pq\"\n)\n\nfunc open() {\n\tdb, err := sql.Open(\"postgres\", \"host=db.example.com port=5432 user=app dbname=app sslmode=require\")\n}\n",
        stack: "Go lib/pq keyword/value",
        host: Some("db.example.com"),
        port: Some(5432),
        user: Some("app"),
        db: Some("app"),
        facts: REQUIRE,
        trust: None,
        versions: &[],
    },
    // lib/pq: no sslmode means require (TLS certain).
    Case {
        file: "db.go",
        text: "db, err := sql.Open(\"postgres\", \"host=db user=app dbname=app\")\n",
        stack: "Go lib/pq keyword/value",
        host: Some("db"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: REQUIRE,
        trust: None,
        versions: &[(Package::GoPq, "v1.10.9")],
    },
    Case {
        file: "db.go",
        text: "import _ \"github.com/lib/pq\"\nconst dsn = \"host=db user=app dbname=app sslmode=require sslrootcert=/certs/global-bundle.pem\"\n",
        stack: "Go lib/pq keyword/value",
        host: Some("db"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: CA_ONLY,
        trust: Some("/certs/global-bundle.pem"),
        versions: &[],
    },
    Case {
        file: "db.go",
        text: "import _ \"github.com/lib/pq\"\nvar db, _ = sql.Open(\"postgres\", \"postgres://app@db/app?sslmode=verify-full\")\n",
        stack: "Go lib/pq URI",
        host: Some("db"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: FULL,
        trust: None,
        versions: &[],
    },
    // pgx: prefer never verifies, even with sslrootcert.
    Case {
        file: "pool.go",
        text: "import \"github.com/jackc/pgx/v5/pgxpool\"\n\npool, err := pgxpool.New(ctx, \"postgres://app@db:5432/app?sslmode=prefer&sslrootcert=/certs/ca.pem\")\n",
        stack: "Go pgx URI",
        host: Some("db"),
        port: Some(5432),
        user: Some("app"),
        db: Some("app"),
        facts: OPPORTUNISTIC,
        trust: Some("/certs/ca.pem"),
        versions: &[],
    },
    Case {
        file: "conn.go",
        text: "import \"github.com/jackc/pgx/v5\"\n\nconn, err := pgx.Connect(ctx, \"host=db dbname=app sslmode=require\")\n",
        stack: "Go pgx keyword/value",
        host: Some("db"),
        port: None,
        user: None,
        db: Some("app"),
        facts: REQUIRE,
        trust: None,
        versions: &[],
    },
    // ---- libpq keyword/value strings
    Case {
        file: "backup.sh",
        text: "psql \"host=db.example.com port=5432 dbname='my db' user=app sslmode=verify-full sslrootcert=/certs/global-bundle.pem\" -f dump.sql\n",
        stack: "libpq keyword/value",
        host: Some("db.example.com"),
        port: Some(5432),
        user: Some("app"),
        db: Some("my db"),
        facts: FULL,
        trust: Some("/certs/global-bundle.pem"),
        versions: &[],
    },
    Case {
        file: "worker.py",
        text: "conninfo = \"host=%s port=%s dbname=%s user=%s password=%s\" % (h, p, d, u, pw)\n",
        stack: "libpq keyword/value",
        host: Some("%s"),
        port: None,
        user: Some("%s"),
        db: Some("%s"),
        facts: PREFER,
        trust: None,
        versions: &[],
    },
    Case {
        file: "index.php",
        text: "$db = new PDO('pgsql:host=db.example.com;port=5432;dbname=shop;sslmode=verify-full;sslrootcert=/etc/ssl/rds.pem', $user, $pass);\n",
        stack: "PDO pgsql DSN",
        host: Some("db.example.com"),
        port: Some(5432),
        user: None,
        db: Some("shop"),
        facts: FULL,
        trust: Some("/etc/ssl/rds.pem"),
        versions: &[],
    },
    Case {
        file: "pg_service.conf",
        text: "# services\n[reports]\nhost=reports.example.com\nport=5432\ndbname=reports\nuser=reader\nsslmode=verify-ca\nsslrootcert=/certs/global-bundle.pem\n",
        stack: "pg_service.conf",
        host: Some("reports.example.com"),
        port: Some(5432),
        user: Some("reader"),
        db: Some("reports"),
        facts: CA_ONLY,
        trust: Some("/certs/global-bundle.pem"),
        versions: &[],
    },
    // ---- JDBC
    Case {
        file: "application.properties",
        text: "spring.datasource.url=jdbc:postgresql://db.example.com:5432/app?ssl=true\nspring.datasource.username=app\nspring.datasource.password=secret\n",
        stack: "JDBC PostgreSQL",
        host: Some("db.example.com"),
        port: Some(5432),
        user: Some("app"),
        db: Some("app"),
        facts: FULL,
        trust: None,
        versions: &[],
    },
    // pgjdbc require never verifies, root.crt or not.
    Case {
        file: "application.properties",
        text: "spring.datasource.url=jdbc:postgresql://db:5432/app?sslmode=require&sslrootcert=/certs/ca.pem\n",
        stack: "JDBC PostgreSQL",
        host: Some("db"),
        port: Some(5432),
        user: None,
        db: Some("app"),
        facts: NO_VERIFY,
        trust: Some("/certs/ca.pem"),
        versions: &[],
    },
    Case {
        file: "hibernate.cfg.xml",
        text: "<property name=\"connection.url\">jdbc:postgresql://db/app?ssl=true&amp;sslfactory=org.postgresql.ssl.NonValidatingFactory</property>\n",
        stack: "JDBC PostgreSQL",
        host: Some("db"),
        port: None,
        user: None,
        db: Some("app"),
        // verify-full (ssl=true) checks the host name whatever the
        // factory.
        facts: Facts::new(Y, N, Y),
        trust: None,
        versions: &[],
    },
    Case {
        file: "jdbc.properties",
        text: "url=jdbc:postgresql://db/app?sslmode=verify-ca&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory\n",
        stack: "JDBC PostgreSQL",
        host: Some("db"),
        port: None,
        user: None,
        db: Some("app"),
        facts: CA_ONLY,
        trust: Some("org.postgresql.ssl.DefaultJavaSSLFactory"),
        versions: &[],
    },
    Case {
        file: "Main.java",
        text: "String url = \"jdbc:postgresql://db.example.com/app\";\n",
        stack: "JDBC PostgreSQL",
        host: Some("db.example.com"),
        port: None,
        user: None,
        db: Some("app"),
        facts: OPPORTUNISTIC,
        trust: None,
        versions: &[],
    },
    Case {
        file: "Db.kt",
        text: "val url = \"jdbc:postgresql://db:5432/app?user=app&password=hunter2&sslmode=verify-full&sslrootcert=/certs/global-bundle.pem\"\n",
        stack: "JDBC PostgreSQL",
        host: Some("db"),
        port: Some(5432),
        user: Some("app"),
        db: Some("app"),
        facts: FULL,
        trust: Some("/certs/global-bundle.pem"),
        versions: &[],
    },
    Case {
        file: "application.yml",
        text: "spring:\n  datasource:\n    url: jdbc:postgresql://db:5432/app?sslmode=verify-ca\n    username: app\n    password: ${DB_PASSWORD}\n",
        stack: "JDBC PostgreSQL",
        host: Some("db"),
        port: Some(5432),
        user: Some("app"),
        db: Some("app"),
        facts: CA_ONLY,
        trust: None,
        versions: &[],
    },
    Case {
        file: "application.properties",
        text: "spring.datasource.url=jdbc:aws-wrapper:postgresql://db.cluster-abc.us-east-1.rds.amazonaws.com:5432/app?sslmode=disable\n",
        stack: "JDBC PostgreSQL",
        host: Some("db.cluster-abc.us-east-1.rds.amazonaws.com"),
        port: Some(5432),
        user: None,
        db: Some("app"),
        facts: PLAIN,
        trust: None,
        versions: &[],
    },
    // ---- Npgsql
    Case {
        file: "appsettings.json",
        text: "{\n  \"ConnectionStrings\": {\n    \"Default\": \"Host=db.example.com;Port=5432;Database=orders;Username=app;Password=secret;SSL Mode=Require;Trust Server Certificate=true\"\n  }\n}\n",
        stack: "Npgsql connection string",
        host: Some("db.example.com"),
        port: Some(5432),
        user: Some("app"),
        db: Some("orders"),
        facts: NO_VERIFY,
        trust: None,
        versions: &[],
    },
    Case {
        file: "Startup.cs",
        text: "options.UseNpgsql(\"Host=db;Database=orders;Username=app;SslMode=VerifyFull;Root Certificate=/certs/global-bundle.pem\");\n",
        stack: "Npgsql connection string",
        host: Some("db"),
        port: None,
        user: Some("app"),
        db: Some("orders"),
        facts: FULL,
        trust: Some("/certs/global-bundle.pem"),
        versions: &[],
    },
    Case {
        file: ".env",
        text: "ConnectionStrings__Default=Server=db;Port=5432;Database=orders;User Id=app;sslmode=verify-ca\n",
        stack: "Npgsql connection string",
        host: Some("db"),
        port: Some(5432),
        user: Some("app"),
        db: Some("orders"),
        facts: CA_ONLY,
        trust: None,
        versions: &[],
    },
    Case {
        file: "web.config",
        text: "<add name=\"Pg\" connectionString=\"Host=db;Port=5432;Database=orders;Username=app\" providerName=\"Npgsql\" />\n",
        stack: "Npgsql connection string",
        host: Some("db"),
        port: Some(5432),
        user: Some("app"),
        db: Some("orders"),
        facts: OPPORTUNISTIC,
        trust: None,
        versions: &[],
    },
    // ---- PG* environment variables
    Case {
        file: ".env",
        text: "PGSSLMODE=verify-full\nPGSSLROOTCERT=/certs/global-bundle.pem\nPGHOST=db.example.com\nPGPORT=5432\nPGUSER=app\nPGPASSWORD=secret\nPGDATABASE=app\n",
        stack: "PGSSLMODE env",
        host: Some("db.example.com"),
        port: Some(5432),
        user: Some("app"),
        db: Some("app"),
        facts: FULL,
        trust: Some("/certs/global-bundle.pem"),
        versions: &[],
    },
    Case {
        file: "Dockerfile",
        text: "FROM python:3.12\nENV PGSSLMODE require\nENV PGHOST=db.example.com PGPORT=5432\n",
        stack: "PGSSLMODE env",
        host: Some("db.example.com"),
        port: Some(5432),
        user: None,
        db: None,
        facts: REQUIRE,
        trust: None,
        versions: &[],
    },
    Case {
        file: "docker-compose.yml",
        text: "services:\n  worker:\n    environment:\n      PGSSLMODE: \"verify-ca\"\n      PGHOST: db\n",
        stack: "PGSSLMODE env",
        host: Some("db"),
        port: None,
        user: None,
        db: None,
        facts: CA_ONLY,
        trust: None,
        versions: &[],
    },
    Case {
        file: "compose.yaml",
        text: "services:\n  worker:\n    environment:\n      - PGSSLMODE=disable\n      - PGHOST=db\n",
        stack: "PGSSLMODE env",
        host: Some("db"),
        port: None,
        user: None,
        db: None,
        facts: PLAIN,
        trust: None,
        versions: &[],
    },
    Case {
        file: "deployment.yaml",
        text: "        env:\n          - name: PGHOST\n            value: db.example.com\n          - name: PGSSLMODE\n            value: \"verify-full\"\n          - name: PGSSLROOTCERT\n            value: /etc/rds/global-bundle.pem\n",
        stack: "PGSSLMODE env",
        host: Some("db.example.com"),
        port: None,
        user: None,
        db: None,
        facts: FULL,
        trust: Some("/etc/rds/global-bundle.pem"),
        versions: &[],
    },
    // From a secret: unknowable.
    Case {
        file: "deployment.yaml",
        text: "        env:\n          - name: PGSSLMODE\n            valueFrom:\n              secretKeyRef: {name: db, key: sslmode}\n",
        stack: "PGSSLMODE env",
        host: None,
        port: None,
        user: None,
        db: None,
        facts: UNKNOWN,
        trust: None,
        versions: &[],
    },
    Case {
        file: "task-definition.json",
        text: "{\"environment\": [\n  {\"name\": \"PGSSLMODE\", \"value\": \"require\"},\n  {\"name\": \"PGHOST\", \"value\": \"db.example.com\"}\n]}\n",
        stack: "PGSSLMODE env",
        host: Some("db.example.com"),
        port: None,
        user: None,
        db: None,
        facts: REQUIRE,
        trust: None,
        versions: &[],
    },
    Case {
        file: "run.sh",
        text: "#!/bin/sh\nexport PGSSLMODE=verify-ca\nexport PGSSLROOTCERT=\"$HOME/rds-ca-2019-root.pem\"\npsql -c 'select 1'\n",
        stack: "PGSSLMODE env",
        host: None,
        port: None,
        user: None,
        db: None,
        facts: CA_ONLY,
        trust: Some("$HOME/rds-ca-2019-root.pem"),
        versions: &[],
    },
    Case {
        file: "server.js",
        text: "process.env.PGSSLMODE = 'no-verify';\n",
        stack: "PGSSLMODE env (node-postgres)",
        host: None,
        port: None,
        user: None,
        db: None,
        facts: NO_VERIFY,
        trust: None,
        versions: &[(Package::NodePg, "8.16.0")],
    },
    Case {
        file: "main.go",
        text: "import _ \"github.com/lib/pq\"\nfunc init() { os.Setenv(\"PGSSLMODE\", \"require\") }\n",
        stack: "PGSSLMODE env (Go lib/pq)",
        host: None,
        port: None,
        user: None,
        db: None,
        facts: REQUIRE,
        trust: None,
        versions: &[],
    },
    // No PGSSLMODE: libpq's default, prefer.
    Case {
        file: ".env",
        text: "PGHOST=db.example.com\nPGDATABASE=app\n",
        stack: "PG env",
        host: Some("db.example.com"),
        port: None,
        user: None,
        db: Some("app"),
        facts: PREFER,
        trust: None,
        versions: &[],
    },
    // ---- Rails
    Case {
        file: "database.yml",
        text: "production:\n  adapter: postgresql\n  host: db.example.com\n  port: 5432\n  database: shop\n  username: shop\n  password: <%= ENV['DB_PASSWORD'] %>\n",
        stack: "Rails database.yml",
        host: Some("db.example.com"),
        port: Some(5432),
        user: Some("shop"),
        db: Some("shop"),
        facts: PREFER,
        trust: None,
        versions: &[],
    },
    Case {
        file: "database.yml",
        text: "production:\n  adapter: postgis\n  host: <%= ENV.fetch(\"DB_HOST\") %>\n  database: geo\n  sslmode: verify-full\n  sslrootcert: config/certs/global-bundle.pem\n",
        stack: "Rails database.yml",
        host: Some("<%= ENV.fetch(\"DB_HOST\") %>"),
        port: None,
        user: None,
        db: Some("geo"),
        facts: FULL,
        trust: Some("config/certs/global-bundle.pem"),
        versions: &[],
    },
    // ---- Django
    Case {
        file: "settings.py",
        text: "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.postgresql',\n        'NAME': 'shop',\n        'USER': 'shop',\n        'PASSWORD': os.environ['DB_PASSWORD'],\n        'HOST': os.environ.get('DB_HOST', 'localhost'),\n        'PORT': '5432',\n        'OPTIONS': {\n            'sslmode': 'verify-full',\n            'sslrootcert': '/certs/global-bundle.pem',\n        },\n    }\n}\n",
        stack: "Django settings",
        host: Some("os.environ.get('DB_HOST', 'localhost')"),
        port: Some(5432),
        user: Some("shop"),
        db: Some("shop"),
        facts: FULL,
        trust: Some("/certs/global-bundle.pem"),
        versions: &[],
    },
    Case {
        file: "settings.py",
        text: "DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.postgresql_psycopg2\", \"NAME\": \"app\", \"HOST\": \"db\", \"PORT\": 5432}}\n",
        stack: "Django settings",
        host: Some("db"),
        port: Some(5432),
        user: None,
        db: Some("app"),
        facts: PREFER,
        trust: None,
        versions: &[],
    },
    // ---- Laravel
    Case {
        file: "database.php",
        text: "'pgsql' => [\n    'driver' => 'pgsql',\n    'host' => env('DB_HOST', '127.0.0.1'),\n    'port' => env('DB_PORT', '5432'),\n    'database' => env('DB_DATABASE', 'forge'),\n    'username' => env('DB_USERNAME', 'forge'),\n    'password' => env('DB_PASSWORD', ''),\n    'sslmode' => 'require',\n],\n",
        stack: "Laravel database.php",
        host: Some("env('DB_HOST', '127.0.0.1')"),
        port: None,
        user: Some("env('DB_USERNAME', 'forge')"),
        db: Some("env('DB_DATABASE', 'forge')"),
        facts: REQUIRE,
        trust: None,
        versions: &[],
    },
    // ---- node-postgres, Sequelize, knex, TypeORM
    Case {
        file: "db.js",
        text: "const { Pool } = require('pg');\nconst pool = new Pool({\n  host: process.env.PGHOST,\n  port: 5432,\n  database: 'app',\n  ssl: true,\n});\n",
        stack: "node-postgres config",
        host: Some("process.env.PGHOST"),
        port: Some(5432),
        user: None,
        db: Some("app"),
        facts: FULL,
        trust: None,
        versions: &[(Package::NodePg, "8.16.0")],
    },
    Case {
        file: "db.ts",
        text: "import { Pool } from 'pg';\nexport const pool = new Pool({\n  connectionString: process.env.DATABASE_URL,\n  ssl: { rejectUnauthorized: false },\n});\n",
        stack: "node-postgres config",
        host: None,
        port: None,
        user: None,
        db: None,
        facts: NO_VERIFY,
        trust: None,
        versions: &[],
    },
    Case {
        file: "db.js",
        text: "const pg = require('pg');\nconst fs = require('fs');\nconst client = new pg.Client({\n  host: 'db.example.com',\n  user: 'app',\n  ssl: {\n    ca: fs.readFileSync('/certs/global-bundle.pem').toString(),\n  },\n});\n",
        stack: "node-postgres config",
        host: Some("db.example.com"),
        port: None,
        user: Some("app"),
        db: None,
        facts: FULL,
        trust: Some("/certs/global-bundle.pem"),
        versions: &[(Package::NodePg, "8.16.0")],
    },
    // The URL's sslmode overrides the object's ssl (pg merges it over).
    Case {
        file: "db.js",
        text: "const { Client } = require('pg')\nconst config = {\n  connectionString: 'postgres://postgres:password@localhost:5432/postgres?sslmode=require',\n  ssl: { rejectUnauthorized: false },\n}\nconst client = new Client(config)\n",
        stack: "node-postgres config",
        host: Some("localhost"),
        port: Some(5432),
        user: Some("postgres"),
        db: Some("postgres"),
        facts: FULL,
        trust: None,
        versions: &[(Package::NodePg, "8.16.0")],
    },
    Case {
        file: "db.js",
        text: "const { Pool } = require('pg');\nconst pool = new Pool({ connectionString: process.env.DATABASE_URL });\n",
        stack: "node-postgres config",
        host: None,
        port: None,
        user: None,
        db: None,
        facts: UNKNOWN,
        trust: None,
        versions: &[],
    },
    Case {
        file: "config.json",
        text: "{\n  \"production\": {\n    \"username\": \"app\",\n    \"password\": \"secret\",\n    \"database\": \"app\",\n    \"host\": \"db.example.com\",\n    \"dialect\": \"postgres\",\n    \"dialectOptions\": {\n      \"ssl\": { \"require\": true, \"rejectUnauthorized\": false }\n    }\n  }\n}\n",
        stack: "Sequelize config",
        host: Some("db.example.com"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: NO_VERIFY,
        trust: None,
        versions: &[],
    },
    Case {
        file: "knexfile.js",
        text: "module.exports = {\n  production: {\n    client: 'pg',\n    connection: {\n      host: 'db.example.com',\n      database: 'app',\n      ssl: { ca: process.env.RDS_CA },\n    },\n  },\n};\n",
        stack: "knex config",
        host: Some("db.example.com"),
        port: None,
        user: None,
        db: Some("app"),
        facts: FULL,
        trust: Some("process.env.RDS_CA"),
        versions: &[(Package::NodePg, "8.16.0")],
    },
    Case {
        file: "data-source.ts",
        text: "export const AppDataSource = new DataSource({\n  type: 'postgres',\n  host: 'db',\n  port: 5432,\n  ssl: process.env.NODE_ENV === 'production' ? { rejectUnauthorized: false } : false,\n});\n",
        stack: "TypeORM config",
        host: Some("db"),
        port: Some(5432),
        user: None,
        db: None,
        facts: OPPORTUNISTIC,
        trust: None,
        versions: &[],
    },
    // ES shorthand, the ssl object defined beside it.
    Case {
        file: "pool.js",
        text: "import pg from 'pg';\nconst ssl = { rejectUnauthorized: false };\nexport const pool = new pg.Pool({ host, ssl });\n",
        stack: "node-postgres config",
        host: Some("host"),
        port: None,
        user: None,
        db: None,
        facts: NO_VERIFY,
        trust: None,
        versions: &[],
    },
    // ---- Python drivers
    Case {
        file: "db.py",
        text: "import psycopg2\nconn = psycopg2.connect(\n    host=\"db.example.com\",\n    dbname=\"app\",\n    user=\"app\",\n    password=os.environ[\"PGPASSWORD\"],\n    sslmode=\"verify-full\",\n    sslrootcert=\"/certs/global-bundle.pem\",\n)\n",
        stack: "psycopg connect()",
        host: Some("db.example.com"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: FULL,
        trust: Some("/certs/global-bundle.pem"),
        versions: &[],
    },
    Case {
        file: "db.py",
        text: "import psycopg\nwith psycopg.connect(\"host=db dbname=app user=app sslmode=require\") as conn:\n    pass\n",
        stack: "psycopg connect()",
        host: Some("db"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: REQUIRE,
        trust: None,
        versions: &[],
    },
    Case {
        file: "db.py",
        text: "import asyncpg\nconn = await asyncpg.connect(host='db', database='app', user='app', ssl='require')\n",
        stack: "asyncpg connect()",
        host: Some("db"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: REQUIRE,
        trust: None,
        versions: &[],
    },
    Case {
        file: "db.py",
        text: "pool = await asyncpg.create_pool('postgresql://app@db/app', ssl=True)\n",
        stack: "asyncpg connect()",
        host: Some("db"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: FULL,
        trust: None,
        versions: &[],
    },
    Case {
        file: "db.py",
        text: "import ssl\nctx = ssl.create_default_context()\nctx.check_hostname = False\nctx.verify_mode = ssl.CERT_NONE\nconn = await asyncpg.connect(dsn, ssl=ctx)\n",
        stack: "asyncpg connect()",
        host: None,
        port: None,
        user: None,
        db: None,
        facts: NO_VERIFY,
        trust: None,
        versions: &[],
    },
    Case {
        file: "db.py",
        text: "ctx = ssl.create_default_context(cafile='/certs/global-bundle.pem')\npool = await asyncpg.create_pool(host='db', ssl=ctx)\n",
        stack: "asyncpg connect()",
        host: Some("db"),
        port: None,
        user: None,
        db: None,
        facts: FULL,
        trust: Some("/certs/global-bundle.pem"),
        versions: &[],
    },
    Case {
        file: "db.py",
        text: "engine = create_engine(\n    \"postgresql+psycopg2://app@db/app\",\n    connect_args={\"sslmode\": \"verify-ca\", \"sslrootcert\": \"/certs/global-bundle.pem\"},\n)\n",
        stack: "SQLAlchemy create_engine()",
        host: Some("db"),
        port: None,
        user: Some("app"),
        db: Some("app"),
        facts: CA_ONLY,
        trust: Some("/certs/global-bundle.pem"),
        versions: &[],
    },
];

#[test]
fn each_stack_and_sslmode_reads_as_its_driver_does() {
    let mut failures = Vec::new();
    for (i, c) in CASES.iter().enumerate() {
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
        CASES.len(),
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
        .map(|h| (h.line, h.database.as_deref(), h.verifies_chain))
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
    assert_eq!(hits[0].facts(), CA_ONLY);
    // In a template: reported once, through the block merging it.
    let yml = "default: &default\n  adapter: postgresql\n  url: postgres://app@db/app?sslmode=verify-full\nproduction:\n  <<: *default\n";
    let hits = scan("database.yml", yml);
    let got: Vec<_> = hits
        .iter()
        .map(|h| (h.line, h.stack, h.verifies_hostname))
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
    assert_eq!((hits[0].uses_tls, hits[0].verifies_chain), (N, N));
    let engine = "engine = create_engine('postgresql+asyncpg://app@db/app', connect_args={'ssl': 'verify-full'})\n";
    let hits = scan("db.py", engine);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!(hits[0].facts(), FULL);
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
    assert_eq!(hits[0].uses_tls, U);
    assert_eq!(hits[1].uses_tls, U, "pgx defaults to prefer");
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
            "backup.sh",
            "pg_dump --host=db --dbname=app --username=app > dump.sql\n",
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
    for c in CASES {
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
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"dependencies": {"pg": "^8.11.3"}}"#,
    )
    .unwrap();
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
    let got: Vec<_> = hits.iter().map(|h| (h.stack, h.verifies_chain)).collect();
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
    let got: Vec<_> = hits.iter().map(|h| (h.stack, h.verifies_chain)).collect();
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
