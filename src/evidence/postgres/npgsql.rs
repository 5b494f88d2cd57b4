//! Npgsql connection strings.

use super::super::syntax::conn_string::runs;
use super::*;

/// Keys other drivers' connection strings use and Npgsql's do not
/// (SqlClient, ODBC, OLE DB, MySQL Connector/NET), spaces and `_` removed.
pub(super) const NOT_NPGSQL: [&str; 20] = [
    "uid",
    "pwd",
    "datasource",
    "initialcatalog",
    "encrypt",
    "integratedsecurity",
    "trustedconnection",
    "multipleactiveresultsets",
    "driver",
    "provider",
    "dsn",
    "sslca",
    "allowpublickeyretrieval",
    "charset",
    "allowuservariables",
    "persistsecurityinfo",
    "applicationintent",
    "multisubnetfailover",
    "attachdbfilename",
    "networklibrary",
];

stack::row!(NPGSQL: Pg, "Npgsql connection strings", |file| file.text.contains(';'), npgsql);

pub(super) fn npgsql(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    let mentions_npgsql = cx.file.lower().contains("npgsql");
    for m in runs(cx.text) {
        if out.claimed.holds(m.start()) {
            continue;
        }
        let (start, pairs) = m.pairs(is_npgsql_key);
        let get = |name: &str| pairs.iter().find(|p| p.key == name).map(|p| &*p.value);
        let mode = get("sslmode");
        let port = get("port");
        let has = |name: &str| get(name).is_some();
        let foreign = pairs.iter().any(|p| NOT_NPGSQL.contains(&p.key.as_str()))
            || mode.is_some_and(|m| {
                matches!(
                    m.to_ascii_lowercase().as_str(),
                    "required" | "preferred" | "none"
                )
            })
            || port.is_some_and(|p| matches!(p.trim(), "3306" | "1433" | "1521"));
        let line = cx.line_text(cx.line_of(m.start())).to_ascii_lowercase();
        let postgres_only = mode.is_some_and(|m| {
            matches!(
                m.to_ascii_lowercase().replace(['-', ' '], "").as_str(),
                "disable" | "allow" | "prefer" | "require"
            )
        }) || has("rootcertificate")
            || has("searchpath")
            || port.is_some_and(|p| p.trim() == "5432")
            || (has("host") && has("username"))
            || line.contains("postgres")
            || line.contains("npgsql")
            || mentions_npgsql;
        if foreign || !postgres_only || !(has("host") || has("server")) {
            continue;
        }
        let mut conn = Conn::default();
        for p in &pairs {
            let v = p.value.to_string();
            match p.key.as_str() {
                "host" | "server" => conn.host = Some(v),
                "port" => conn.port = Some(v),
                "database" | "db" => conn.database = Some(v),
                "username" | "userid" | "user" => conn.user = Some(v),
                "applicationname" => conn.application = Some(v),
                "sslmode" => conn.sslmode = Some(v),
                "rootcertificate" => conn.sslrootcert = Some(v),
                "trustservercertificate" => conn.trust_server = Some(v),
                _ => {}
            }
        }
        let setting = cx.text[start..m.end()]
            .trim_end_matches([';', ' ', '\t'])
            .to_string();
        out.push(
            found(
                cx,
                start,
                "Npgsql connection string",
                Driver::Npgsql,
                conn,
                setting,
            )
            .unless_cut_at(cx, m.end()),
        );
    }
}

pub(super) fn is_npgsql_key(key: &str) -> bool {
    matches!(
        key,
        "host"
            | "server"
            | "port"
            | "database"
            | "db"
            | "username"
            | "userid"
            | "user"
            | "password"
            | "sslmode"
            | "rootcertificate"
            | "trustservercertificate"
            | "searchpath"
            | "pooling"
            | "timeout"
            | "commandtimeout"
            | "applicationname"
    )
}

case_table![
    // ---- Npgsql
    case!("appsettings.json", "{\n  \"ConnectionStrings\": {\n    \"Default\": \"Host=db.example.com;Port=5432;Database=orders;Username=app;Password=secret;SSL Mode=Require;Trust Server Certificate=true\"\n  }\n}\n" => "Npgsql connection string", NO_VERIFY, host "db.example.com", port 5432, user "app", db "orders"),
    case!("Startup.cs", "options.UseNpgsql(\"Host=db;Database=orders;Username=app;SslMode=VerifyFull;Root Certificate=/certs/global-bundle.pem\");\n" => "Npgsql connection string", FULL, host "db", user "app", db "orders", trust "/certs/global-bundle.pem"),
    case!(".env", "ConnectionStrings__Default=Server=db;Port=5432;Database=orders;User Id=app;sslmode=verify-ca\n" => "Npgsql connection string", CA_ONLY, host "db", port 5432, user "app", db "orders"),
    case!("web.config", "<add name=\"Pg\" connectionString=\"Host=db;Port=5432;Database=orders;Username=app\" providerName=\"Npgsql\" />\n" => "Npgsql connection string", OPPORTUNISTIC, host "db", port 5432, user "app", db "orders"),
];
