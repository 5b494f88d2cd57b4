//! odbc.ini DSNs.

use super::*;

stack::row!(ODBC_INI: Ms, "odbc.ini", |file| file.name.ends_with("odbc.ini"), odbc_ini);

pub(super) fn odbc_ini(file: &FileCtx<'_>, found: &mut Found) {
    let (text, lines) = (file.text, file.lines());
    for section in ini_sections(text) {
        let name = section.name.to_ascii_lowercase();
        if name == "odbc data sources" || name == "odbc" || found.claimed.holds(section.start) {
            continue;
        }
        let Some(driver) = section.get("driver") else {
            continue;
        };
        let server = section.get("server").or_else(|| section.get("address"));
        let odbc = odbc_driver(driver);
        if odbc == OdbcDriver::Other || server.is_none() && section.get("servername").is_none() {
            continue;
        }
        let encryption = Encryption::read(
            section.get("encrypt"),
            section.get("trustservercertificate"),
        );
        let authentication = section
            .get("authentication")
            .is_some_and(|a| !a.eq_ignore_ascii_case("none"));
        let (stack, facts) = match odbc {
            OdbcDriver::FreeTds => (
                "odbc.ini DSN (FreeTDS)",
                freetds_string(section.get("encryption"), section.get("tds_version")),
            ),
            OdbcDriver::Microsoft(major) => (
                "odbc.ini DSN",
                encryption.facts(&[major], |e, t, major| {
                    odbc_facts(e, t, major, authentication)
                }),
            ),
            OdbcDriver::Other => unreachable!("skipped above"),
        };
        let mut hit = ms_hit(
            lines.line(section.start),
            stack,
            facts,
            &section.shown(text),
        );
        if let Some(server) = server {
            (hit.host, hit.port) = server_host_port(server);
        }
        hit.port = hit
            .port
            .or_else(|| section.get("port").and_then(|p| p.parse().ok()));
        hit.database = section.get("database").map(str::to_string);
        hit.user = section
            .get("uid")
            .or_else(|| section.get("user"))
            .map(str::to_string);
        hit.trust_store = section.get("servercertificate").map(str::to_string);
        found.claimed.claim(section.start, section.end);
        found.push(hit);
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    #[test]
    fn odbc_ini_dsns() {
        let text = "\
[ODBC Data Sources]
orders = ODBC Driver 18 for SQL Server

[orders]
Driver = ODBC Driver 18 for SQL Server
Server = tcp:orders.abc.us-east-1.rds.amazonaws.com,1433
Database = orders
TrustServerCertificate = no

[legacy]
Driver=/opt/microsoft/msodbcsql17/lib64/libmsodbcsql-17.10.so.6.1
Server=db2
Encrypt=yes
TrustServerCertificate=yes

[tds]
Driver = FreeTDS
Servername = myserver
TDS_Version = 7.4

[pg]
Driver = PostgreSQL Unicode
Servername = pg
";
        check(
            "odbc.ini",
            text,
            &hits! {
                "odbc.ini DSN", "orders.abc.us-east-1.rds.amazonaws.com", 1433, _, "orders", FULL, _;
                "odbc.ini DSN", "db2", _, _, _, NO_VERIFY, _;
                "odbc.ini DSN (FreeTDS)", _, _, _, _, UNKNOWN, _;
            },
        );
        let lines: Vec<usize> = scan("odbc.ini", text).iter().map(|h| h.line).collect();
        assert_eq!(lines, [4, 10, 16]);
    }
}
