//! The MySQL detector's tests across stacks, and what the stacks' tests
//! (beside each stack) share.

use super::*;
// The facts of MySQL's ssl-modes, as the tables call them.
pub(super) use crate::evidence::facts::{
    CA_ONLY as V_CA, FULL as V_ID, NO_VERIFY as REQ, OPPORTUNISTIC as PREF,
};
pub(super) use crate::evidence::testing;
pub(super) use crate::evidence::testing::{facts_rows, hits};

testing::engine_helpers!(Engine::Mysql);

/// [`check`] for a file whose hits are of several engines: `engines`,
/// one a hit.
pub(super) fn check_engines(
    name: &str,
    text: &str,
    engines: &[Engine],
    expected: &[testing::Seen<'_>],
) {
    let hits = scan(name, text);
    let got: Vec<Engine> = hits.iter().map(|h| h.engine).collect();
    assert_eq!(got, engines, "\n{name}:\n{text}");
    let seen: Vec<testing::Seen<'_>> = hits.iter().map(testing::seen).collect();
    assert_eq!(seen, expected, "\n{name}:\n{text}");
    testing::assert_masked(&hits, "hunter2");
}

/// Connector/J's defaults by version (docs/FORMATS.md, "MySQL"), and
/// every stack's TLS value taken from elsewhere, registered, pulled in
/// from another file or cut short: by file, (setting, driver versions in
/// the project, facts).
#[test]
fn versions_and_values_from_elsewhere() {
    use crate::evidence::deps::Package::ConnectorJ;
    testing::assert_facts(
        detect,
        &facts_rows! {
            // Connector/J 8.0.13+: useSSL is true by default, so
            // verifyServerCertificate=true alone is VERIFY_CA. Before, an
            // unset useSSL meant TLS without verification (5.7+ server).
            "app.properties" {
                "url=jdbc:mysql://shop-db/shop?verifyServerCertificate=true", [(ConnectorJ, "8.0.33")] => V_CA;
                "url=jdbc:mysql://shop-db/shop?verifyServerCertificate=true", [(ConnectorJ, "5.1.49")] => PREF;
                "url=jdbc:mysql://shop-db/shop?verifyServerCertificate=true", [] => Facts::new(Unknown, Unknown, No);
                "url=jdbc:mysql://shop-db/shop?useSSL=true", [(ConnectorJ, "5.1.49")] => Facts::new(Unknown, Yes, No);
                "url=jdbc:mysql://shop-db/shop?useSSL=true", [(ConnectorJ, "8.0.12")] => Facts::new(Unknown, Yes, No);
                "url=jdbc:mysql://shop-db/shop?useSSL=true", [(ConnectorJ, "^8.0.13")] => PREF;
                "url=jdbc:mysql://shop-db/shop?useSSL=true&requireSSL=true&verifyServerCertificate=false", [] => REQ;
                "url=jdbc:mysql://shop-db/shop", [] => PREF;
                "url=jdbc:mysql://shop-db/shop?sslMode=VERIFY_IDENTITY", [] => V_ID;
                // Values from elsewhere.
                "url=jdbc:mysql://shop-db/shop?sslMode=${MYSQL_SSL_MODE}", [] => UNKNOWN;
                "url=jdbc:mysql://shop-db/shop?useSSL=${USE_SSL}", [(ConnectorJ, "8.0.33")] => UNKNOWN;
            }
            ".env" { "DATABASE_URL=mysql://app@shop-db/shop?ssl-mode=${MYSQL_SSL_MODE}", [] => UNKNOWN; }
            "database.yml" { "production:\n adapter: mysql2\n host: shop-db\n ssl_mode: <%= ENV['DB_SSL_MODE'] %>\n", [] => UNKNOWN; }
            "my.cnf" { "[client]\nhost=shop-db\nssl-mode=$MYSQL_SSL_MODE\n", [] => UNKNOWN; }
            "db.py" { "import MySQLdb\ndb = MySQLdb.connect(host='shop-db', ssl_mode=os.environ['SSL_MODE'])\n", [] => UNKNOWN; }
            "settings.py" { "DATABASES = {'default': {'ENGINE': 'django.db.backends.mysql', 'HOST': 'shop-db', 'OPTIONS': {'ssl_mode': env('DB_SSL_MODE')}}}\n", [] => UNKNOWN; }
            "db.js" { "const mysql = require('mysql2');\nmysql.createPool({ host: 'shop-db', ssl: process.env.DB_SSL });\n", [] => UNKNOWN; }
            // A registered tls.Config decides.
            "main.go" { "dsn := \"app@tcp(shop-db:3306)/shop?tls=custom\"", [] => Facts::new(Yes, Unknown, Unknown); }
            // Cut short: the rest may set TLS.
            "Db.java" { "String url = \"jdbc:mysql://shop-db:3306/shop\" + props;", [] => UNKNOWN; }
            "main.go" { "dsn := \"app@tcp(shop-db:3306)/shop?tls=\" + tlsName", [] => UNKNOWN; }
            "db.php" { "$url = 'mysql://app@shop-db/shop?' . $query;", [] => UNKNOWN; }
            // A file pulled in may hold the TLS options.
            "my.cnf" {
                "[client]\nhost=shop-db\n\n!includedir /etc/mysql/conf.d/\n", [] => UNKNOWN;
                "[client]\nhost=shop-db\nssl-mode=DISABLED\n!include /etc/mysql/extra.cnf\n", [] => PLAIN;
            }
        },
    );
    let hits = testing::scan_with(
        detect,
        "app.properties",
        "url=jdbc:mysql://shop-db/shop?useSSL=true",
        &[(ConnectorJ, "8.0.33")],
    );
    assert_eq!(
        hits[0].driver_version.as_deref(),
        Some("mysql-connector-j 8.0.33")
    );
}

#[test]
fn prose_comments_and_lookalikes_are_not_settings() {
    let table = [
        (
            "Db.java",
            "String url = \"jdbc:mysql://\" + host + \"/app\";",
        ),
        ("README.md", "use a mysql2:// URL"),
        (
            "dsn_test.go",
            "\"user:p@tcp(/\", // no closing brace\n\t\"net(addr)//\",",
        ),
        (
            "README.md",
            "We use MySQL 8.0 with TLS; see the mysql docs for ssl-mode.",
        ),
        (
            "app.properties",
            "# spring.datasource.url=jdbc:mysql://old-db/app?useSSL=false",
        ),
        ("Main.java", "  // String url = \"jdbc:mysql://old/app\";"),
        ("Main.java", "/*\n * jdbc:mysql://old/app\n */"),
        (
            "web.xml",
            "<!-- <property name=\"url\" value=\"jdbc:mysql://old/app\"/> -->",
        ),
        ("web.xml", "<!--\n  jdbc:mysql://old/app\n-->"),
        ("schema.sql", "-- mysql://example/db is the old host"),
        (
            "a.py",
            "import mysql.connector  # mysql.connector.connect is used elsewhere",
        ),
        ("my.cnf", "[mysqld]\nssl-ca=/etc/mysql/ca.pem\nhost=x\n"),
        (
            "database.yml",
            "production:\n  adapter: postgresql\n  host: db\n",
        ),
        ("email.txt", "reach me at someone@tcp.example.com"),
        ("mysql_test.go", "func TestMySQL(t *testing.T) {}"),
    ];
    for (name, text) in table {
        assert_eq!(scan(name, text), Vec::new(), "{name}: {text}");
    }
}

#[test]
fn lines_and_masked_settings() {
    let text = "a=1\n\nurl=jdbc:mysql://app:hunter2@db/app?password=hunter2&sslMode=VERIFY_CA\n";
    let hits = scan("x.properties", text);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].line, 3);
    assert_eq!(
        hits[0].setting,
        "jdbc:mysql://app:****@db/app?password=****&sslMode=VERIFY_CA"
    );
}

#[test]
fn helpers() {}
