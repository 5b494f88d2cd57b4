//! JDBC: MySQL Connector/J and MariaDB Connector/J.

use super::super::deps::driver_eras;
use super::*;

pub(super) static JDBC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)jdbc:(?:aws-wrapper:)?(mysql|mariadb)(?:\+srv)?(?::[a-z]+)?://")
        .expect("JDBC pattern compiles")
});

/// The stack's hits' labels.
const CJ: &str = "JDBC MySQL Connector/J";
const MJ: &str = "JDBC MariaDB Connector/J";

stack::row!(JDBC_URLS: My, "JDBC URLs", mentions, jdbc_urls);

pub(super) fn jdbc_urls(file: &FileCtx<'_>, hits: &mut Found) {
    let (text, lines, versions) = (file.text, file.lines(), &file.versions);
    let version = std::cell::OnceCell::new();
    let connector_j_version = || version.get_or_init(|| versions.of(Package::ConnectorJ));
    for (m, whole, rest) in live_urls(text, &JDBC) {
        if rest.is_empty() {
            continue; // `"jdbc:mysql://" + host + …`
        }
        let parts = UrlParts::parse(rest);
        let url = format!("{}{}", whole.as_str(), parts.masked(rest));
        let params = query_params(parts.query);
        let mariadb = m[1].eq_ignore_ascii_case("mariadb");
        let (stack, engine, (facts, trust)) = if mariadb {
            (MJ, Engine::Mariadb, mariadb_connector_j(&params))
        } else {
            (
                CJ,
                Engine::Mysql,
                connector_j(&params, connector_j_version().as_ref()),
            )
        };
        let facts = unless_cut(facts, text, whole.end() + rest.len());
        let mut hit = ConfigHit::new(lines.line(whole.start()), stack, engine, facts, &url);
        if !mariadb {
            hit.driver_version = connector_j_version().as_ref().map(DriverVersion::shown);
        }
        hit.host = parts.host;
        hit.port = parts.port;
        hit.user = parts
            .user
            .or_else(|| param(&params, "user").map(str::to_string));
        hit.database = parts.database;
        hit.trust_store = trust;
        hit.application = attribute_program(&params);
        hits.push(hit);
    }
}

/// The `program_name` connection attribute (`connectionAttributes=
/// program_name:billing,…` in Connector/J, MariaDB Connector/J and
/// go-sql-driver), the application name MySQL records for the session.
pub(super) fn attribute_program(params: &[(String, String)]) -> Option<String> {
    param(params, "connectionattributes")?
        .split(',')
        .filter_map(|kv| kv.split_once(':'))
        .find(|(k, _)| k.trim() == "program_name")
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

driver_eras! {
    /// Connector/J releases whose TLS options differ.
    pub(super) enum ConnectorJEra in CONNECTOR_J_ERAS {
        /// 5.1 to 8.0.12: `useSSL` false, `verifyServerCertificate` true by
        /// default; against a 5.7+ server an unset `useSSL` becomes true with
        /// verification off (5.1.49 MysqlIO, 8.0.12
        /// NativeAuthenticationProvider); `sslMode` does not exist.
        Legacy from (0, 0, 0),
        /// 8.0.13: `sslMode` (PREFERRED by default); `useSSL` true and
        /// `verifyServerCertificate` false by default, translated when set
        /// (DefaultPropertySet: `verifyServerCertificate=true` → VERIFY_CA).
        SslMode from (8, 0, 13),
    }
}

/// MySQL Connector/J, under every release its version in sight may be.
pub(super) fn connector_j(
    params: &[(String, String)],
    version: Option<&DriverVersion>,
) -> (Facts, Option<String>) {
    let trust = param(params, "trustcertificatekeystoreurl").map(str::to_string);
    // `sslMode` exists only from 8.0.13: a setting that names it is taken as
    // written for that driver.
    let eras = if param(params, "sslmode").is_some() {
        vec![ConnectorJEra::SslMode]
    } else {
        eras(version, CONNECTOR_J_ERAS)
    };
    let facts = Facts::agree(
        eras.into_iter()
            .map(|era| Some(connector_j_era(params, era))),
    );
    (facts, trust)
}

pub(super) fn connector_j_era(params: &[(String, String)], era: ConnectorJEra) -> Facts {
    let flag = |key: &str| given(param(params, key), parse_bool);
    let (use_ssl, verify, require) = (
        flag("usessl"),
        flag("verifyservercertificate"),
        flag("requiressl"),
    );
    let mode = given(param(params, "sslmode"), SslMode::parse);
    if era == ConnectorJEra::SslMode {
        match mode {
            Given::Value(mode) => return mode.facts(),
            Given::Unreadable => return UNKNOWN,
            Given::Absent => {}
        }
    }
    let read = |g: Given<bool>, default: bool| match g {
        Given::Absent => Some(default),
        Given::Value(v) => Some(v),
        Given::Unreadable => None,
    };
    let explicit = [use_ssl, verify, require]
        .iter()
        .any(|g| *g != Given::Absent);
    match era {
        ConnectorJEra::Legacy => match (use_ssl, read(verify, true), read(require, false)) {
            (Given::Unreadable, _, _) | (_, None, _) | (_, _, None) => UNKNOWN,
            (Given::Value(false), _, _) => PLAIN,
            // Connector/J 5.1 checks the chain, never the host name.
            (Given::Value(true), Some(verify), Some(require)) => {
                Facts::new(if require { Yes } else { Unknown }, Fact::from(verify), No)
            }
            // TLS against a 5.7+ server, verification off whatever
            // `verifyServerCertificate` says; none against an older one.
            (Given::Absent, _, _) => SslMode::Preferred.facts(),
        },
        ConnectorJEra::SslMode => {
            match (
                read(use_ssl, true),
                read(verify, false),
                read(require, false),
            ) {
                (None, _, _) | (_, None, _) | (_, _, None) => UNKNOWN,
                _ if !explicit => SslMode::Preferred.facts(),
                (Some(false), _, _) => PLAIN,
                (_, Some(true), _) => SslMode::VerifyCa.facts(),
                (_, _, Some(true)) => SslMode::Required.facts(),
                _ => SslMode::Preferred.facts(),
            }
        }
    }
}

/// MariaDB Connector/J 3.x `sslMode` (`disable` by default) and the 2.x
/// `useSsl` + `trustServerCertificate` / `disableSslHostnameVerification`
/// options, mapped the way 3.x maps them (`Configuration.handleLegacySslSettings`).
pub(super) fn mariadb_connector_j(params: &[(String, String)]) -> (Facts, Option<String>) {
    let trust = param(params, "serversslcert")
        .or_else(|| param(params, "truststore"))
        .map(str::to_string);
    // SslMode.from: the value, the enum name, or an alias, any case.
    let mode = param(params, "sslmode").map(|v| unquote(v).to_ascii_lowercase().replace('_', "-"));
    let facts = match mode.as_deref() {
        Some("disable" | "disabled" | "0" | "false") => PLAIN,
        Some("trust" | "required") => NO_VERIFY,
        Some("verify-ca") => CA_ONLY,
        Some("verify-full" | "verify-identity" | "1" | "true") => FULL,
        Some(_) => UNKNOWN,
        None => {
            let set = |key: &str| {
                param(params, key).is_some_and(|v| v.is_empty() || parse_bool(v) == Some(true))
            };
            let iam =
                param(params, "credentialtype").is_some_and(|v| v.eq_ignore_ascii_case("aws-iam"));
            if set("usessl") {
                if set("trustservercertificate") {
                    NO_VERIFY
                } else if set("disablesslhostnameverification") {
                    CA_ONLY
                } else {
                    FULL
                }
            } else if iam {
                // IAM authentication forces verify-full.
                FULL
            } else {
                PLAIN
            }
        }
    };
    (facts, trust)
}

stack::case_tests! {
    fn connector_j_urls(Engine::Mysql) {
        "application.properties", "spring.datasource.url=jdbc:mysql://orders.abc123.us-east-1.rds.amazonaws.com:3306/orders?sslMode=VERIFY_IDENTITY&trustCertificateKeyStoreUrl=file:/etc/ssl/rds-truststore.jks" => CJ, "orders.abc123.us-east-1.rds.amazonaws.com", 3306, _, "orders", V_ID, "file:/etc/ssl/rds-truststore.jks";
        "application.properties", r#"<property name="url" value="jdbc:mysql://db:3306/app?useSSL=true&amp;requireSSL=true&amp;verifyServerCertificate=true"/>"# => CJ, "db", 3306, _, "app", V_CA, _;
        "application.properties", "url: jdbc:mysql://db/app?useSSL=true&requireSSL=true&verifyServerCertificate=false" => CJ, "db", _, _, "app", REQ, _;
        "application.properties", "url: jdbc:mysql://db/app?USESSL=TRUE&VerifyServerCertificate=False" => CJ, "db", _, _, "app", PREF, _;
        "application.properties", "url: jdbc:mysql://db/app?useSSL=true&requireSSL=true" => CJ, "db", _, _, "app", Facts::new(Yes, Unknown, No), _;
        "application.properties", "url: jdbc:mysql://db/app?useSSL=false" => CJ, "db", _, _, "app", PLAIN, _;
        "application.properties", "url: jdbc:mysql://db:3306/app" => CJ, "db", 3306, _, "app", PREF, _;
        "application.properties", "url: jdbc:mysql://db/app?sslmode=verify_ca&useSSL=false" => CJ, "db", _, _, "app", V_CA, _;
        "application.properties", "url: jdbc:mysql://db/app?sslMode=REQUIRED" => CJ, "db", _, _, "app", REQ, _;
        "application.properties", "url: jdbc:mysql://db/app?sslMode=DISABLED" => CJ, "db", _, _, "app", PLAIN, _;
        "application.properties", "String url = \"jdbc:mysql://app:hunter2@[::1]:3307/app?sslMode=VERIFY_CA\";" => CJ, "::1", 3307, "app", "app", V_CA, _;
        "application.properties", "spring.datasource.url=${MYSQL_URL:jdbc:mysql://localhost/petclinic}" => CJ, "localhost", _, _, "petclinic", PREF, _;
        "application.properties", "String url = \"jdbc:mysql://app:hunter2@db@x/app\";" => CJ, "x", _, "app", "app", PREF, _;
        "application.properties", "url=jdbc:mysql://${DB_HOST:localhost}:${DB_PORT:3306}/${DB_NAME}?sslMode=VERIFY_IDENTITY" => CJ, "${DB_HOST:localhost}", _, _, "${DB_NAME}", V_ID, _;
        "application.properties", "jdbc:mysql:replication://primary:3306,replica:3306/app?user=svc&password=hunter2&sslMode=PREFERRED" => CJ, "primary", 3306, "svc", "app", PREF, _;
        "application.properties", "jdbc:mysql://address=(host=db1)(port=3310)(key=v)/app?sslMode=VERIFY_CA" => CJ, "db1", 3310, _, "app", V_CA, _;
        "application.properties", "jdbc:aws-wrapper:mysql://cluster.cluster-xyz.eu-west-1.rds.amazonaws.com/app?sslMode=VERIFY_IDENTITY" => CJ, "cluster.cluster-xyz.eu-west-1.rds.amazonaws.com", _, _, "app", V_ID, _;
    }

    fn mariadb_connector_j_urls(Engine::Mariadb) {
        "application.yml", "jdbc:mariadb://db:3306/app?sslMode=verify-full" => MJ, "db", 3306, _, "app", V_ID, _;
        "application.yml", "jdbc:mariadb://db/app?sslMode=VERIFY-CA&serverSslCert=/etc/ssl/global-bundle.pem" => MJ, "db", _, _, "app", V_CA, "/etc/ssl/global-bundle.pem";
        "application.yml", "jdbc:mariadb://db/app?sslMode=VERIFY_FULL" => MJ, "db", _, _, "app", V_ID, _;
        "application.yml", "jdbc:mariadb://db/app?sslMode=REQUIRED" => MJ, "db", _, _, "app", REQ, _;
        "application.yml", "jdbc:mariadb://db/app?sslMode=trust" => MJ, "db", _, _, "app", REQ, _;
        "application.yml", "jdbc:mariadb://db/app?sslMode=disable" => MJ, "db", _, _, "app", PLAIN, _;
        "application.yml", "jdbc:mariadb://db/app" => MJ, "db", _, _, "app", PLAIN, _;
        "application.yml", "jdbc:mariadb://db/app?useSsl=true&trustServerCertificate=true" => MJ, "db", _, _, "app", REQ, _;
        "application.yml", "jdbc:mariadb://db/app?useSSL=true" => MJ, "db", _, _, "app", V_ID, _;
        "application.yml", "jdbc:mariadb://db/app?useSsl&disableSslHostnameVerification=true" => MJ, "db", _, _, "app", V_CA, _;
        "application.yml", "jdbc:mariadb:aurora://db/app?credentialType=AWS-IAM" => MJ, "db", _, _, "app", V_ID, _;
    }
}
