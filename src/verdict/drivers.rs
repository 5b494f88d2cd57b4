//! Which client settings to check for a driver the sessions name (connect
//! attributes, SQL Server's `client_interface_name`, a driver's default
//! `application_name`), and that driver's default as docs/FORMATS.md
//! ("Driver defaults") has it. Cited in the reason only: a driver's name
//! says nothing of how the application set it up, so it never moves a
//! verdict (rules.rs does not read it).

/// A driver the sessions can name.
pub struct DriverHint {
    /// How the sessions spell it: a prefix of the driver's name, matched
    /// without regard to case.
    pub prefix: &'static str,
    /// The settings that decide whether it verifies the server.
    pub settings: &'static str,
    /// Its default where docs/FORMATS.md has it.
    pub default: Option<&'static str>,
}

/// Tried in order: the most particular first.
pub const HINTS: &[DriverHint] = &[
    DriverHint {
        prefix: "pgjdbc",
        settings: "ssl, sslmode, sslrootcert, sslfactory",
        default: Some(
            "ssl=true verifies the chain and the host name (42.2.5+), sslmode=require does not verify",
        ),
    },
    DriverHint {
        prefix: "psql (libpq)",
        settings: "sslmode, sslrootcert, ~/.postgresql/root.crt",
        default: Some(
            "no sslmode is prefer, which checks the chain only when ~/.postgresql/root.crt exists",
        ),
    },
    DriverHint {
        prefix: "mysql-connector-java",
        settings: "sslMode, useSSL, verifyServerCertificate, trustCertificateKeyStoreUrl",
        default: Some(
            "no sslMode is PREFERRED, no verification (8.0.13+); 5.1-8.0.12 against a 5.7+ server use TLS without verification",
        ),
    },
    DriverHint {
        prefix: "MySQL Connector/J",
        settings: "sslMode, useSSL, verifyServerCertificate, trustCertificateKeyStoreUrl",
        default: Some(
            "no sslMode is PREFERRED, no verification (8.0.13+); 5.1-8.0.12 against a 5.7+ server use TLS without verification",
        ),
    },
    DriverHint {
        prefix: "MariaDB Connector/J",
        settings: "sslMode, serverSslCert, trustStore",
        default: Some("no sslMode is disable (3.x)"),
    },
    DriverHint {
        prefix: "libmysql",
        settings: "ssl-mode, ssl-ca (my.cnf or the program's options)",
        default: Some("ssl-ca without ssl-mode is VERIFY_CA (MySQL 5.7+)"),
    },
    DriverHint {
        prefix: "libmariadb",
        settings: "ssl-verify-server-cert, ssl-ca (my.cnf or the program's options)",
        default: None,
    },
    DriverHint {
        prefix: "pymysql",
        settings: "ssl, ssl_ca, ssl_verify_cert, ssl_verify_identity",
        default: Some(
            "ssl_ca alone does not verify (1.0+); ssl={'ca': …} verifies the chain and the host name",
        ),
    },
    DriverHint {
        prefix: "Go-MySQL-Driver",
        settings: "tls (and the tls.Config registered under its name)",
        default: None,
    },
    DriverHint {
        prefix: "Microsoft JDBC Driver",
        settings: "encrypt, trustServerCertificate, trustManagerClass",
        default: Some(
            "no encrypt encrypts and validates from 10.1; up to 10.0 it is encrypt=false, validated only when the server forces encryption",
        ),
    },
    DriverHint {
        prefix: ".Net SqlClient Data Provider",
        settings: "Encrypt, TrustServerCertificate",
        default: Some(
            "no Encrypt never validates in System.Data.SqlClient and Microsoft.Data.SqlClient 1.x; Microsoft.Data.SqlClient 4.0+ is Encrypt=Mandatory and validates",
        ),
    },
    DriverHint {
        prefix: "Core .Net SqlClient Data Provider",
        settings: "Encrypt, TrustServerCertificate",
        default: Some(
            "no Encrypt: Microsoft.Data.SqlClient 4.0+ is Encrypt=Mandatory and validates, 2.0-3.x validates only when the server forces encryption, 1.x never",
        ),
    },
    DriverHint {
        prefix: "Microsoft SqlClient Data Provider",
        settings: "Encrypt, TrustServerCertificate",
        default: Some(
            "no Encrypt: Microsoft.Data.SqlClient 4.0+ is Encrypt=Mandatory and validates, 2.0-3.x validates only when the server forces encryption, 1.x never",
        ),
    },
    DriverHint {
        prefix: "ODBC",
        settings: "Encrypt, TrustServerCertificate (the ODBC driver's major version)",
        default: Some(
            "no Encrypt encrypts and validates in ODBC Driver 18+; 17 and older validate only when encryption is asked",
        ),
    },
    DriverHint {
        prefix: "OLEDB",
        settings: "Use Encryption for Data, Trust Server Certificate (the provider's major version)",
        default: Some("MSOLEDBSQL 19 is Mandatory by default and validates"),
    },
    DriverHint {
        prefix: "go-mssqldb",
        settings: "encrypt, TrustServerCertificate",
        default: Some("no encrypt leaves TrustServerCertificate true: no validation"),
    },
    DriverHint {
        prefix: "jTDS",
        settings: "ssl",
        default: Some(
            "ssl=request/require do not validate; authenticate checks the chain, never the host",
        ),
    },
];

/// The hint for a driver the sessions name.
pub fn hint(driver: &str) -> Option<&'static DriverHint> {
    HINTS.iter().find(|h| {
        driver
            .get(..h.prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(h.prefix))
    })
}

/// What the reason of a review row says of the drivers the sessions name:
/// `driver pgjdbc (named by the sessions, not by the application's
/// settings): check ssl, sslmode, …; docs/FORMATS.md: …`.
pub fn to_check(drivers: &[&str]) -> Vec<String> {
    let mut said = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for driver in drivers {
        let Some(h) = hint(driver) else { continue };
        if seen.contains(&h.prefix) {
            continue;
        }
        seen.push(h.prefix);
        let default = h
            .default
            .map(|d| format!("; its defaults (docs/FORMATS.md): {d}"))
            .unwrap_or_default();
        said.push(format!(
            "the sessions name the driver {driver}: check its {}{default} — the application may set its own, so the driver's name alone decides nothing",
            h.settings
        ));
    }
    said
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drivers_the_sessions_name() {
        let table = [
            ("pgjdbc", Some("pgjdbc")),
            ("libmariadb 3.3.20", Some("libmariadb")),
            ("mysql-connector-java 8.0.33", Some("mysql-connector-java")),
            ("Microsoft JDBC Driver 12.4", Some("Microsoft JDBC Driver")),
            (
                "Core .Net SqlClient Data Provider",
                Some("Core .Net SqlClient Data Provider"),
            ),
            (
                ".Net SqlClient Data Provider",
                Some(".Net SqlClient Data Provider"),
            ),
            ("ODBC", Some("ODBC")),
            ("some in-house driver", None),
        ];
        for (driver, want) in table {
            assert_eq!(hint(driver).map(|h| h.prefix), want, "{driver}");
        }
        let said = to_check(&["pgjdbc", "unknown thing", "pgjdbc"]);
        assert_eq!(said.len(), 1);
        assert!(said[0].contains("check its ssl, sslmode, sslrootcert, sslfactory"));
        assert!(said[0].contains("alone decides nothing"));
    }
}
