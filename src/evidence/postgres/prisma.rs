//! Prisma `schema.prisma` with `provider = "postgresql"`: Prisma's own
//! engine reads the URL, not libpq, so its `sslmode` and `sslaccept` are
//! read here and the URL stack leaves the URL alone.

use super::*;
use crate::evidence::syntax::lex::Comments;
use crate::evidence::syntax::prisma::datasources;
use crate::evidence::syntax::url::{UrlParts, query_params};

stack::row!(PRISMA: Pg, "Prisma schema",
    |file| file.name.ends_with(".prisma") && file.text.contains("postgres"), prisma);

/// One hit per `url`/`directUrl` of a PostgreSQL datasource.
pub(super) fn prisma(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    for ds in datasources(cx.text, || cx.file.lex(Comments::Slash)) {
        if !matches!(ds.provider, Some("postgresql" | "postgres")) {
            continue;
        }
        for &(url, at) in &ds.urls {
            let literal = unquote(url);
            let mut conn = Conn::default();
            let (facts, trust) = match literal.split_once("://") {
                Some((_, rest)) if literal != url => {
                    let parts = UrlParts::parse(rest);
                    conn.host = parts.host.clone();
                    conn.port = parts.port.map(|p| p.to_string());
                    conn.user = parts.user.clone();
                    conn.database = parts.database.clone();
                    let params = query_params(parts.query);
                    let get = |k: &str| {
                        params
                            .iter()
                            .rev()
                            .find(|(key, _)| key == k)
                            .map(|(_, v)| v.as_str())
                    };
                    (
                        prisma_facts(get("sslmode"), get("sslaccept")),
                        get("sslcert").map(str::to_string),
                    )
                }
                // `env("DATABASE_URL")`: what the variable holds decides.
                _ => (UNKNOWN, None),
            };
            out.claimed.claim(at, at + url.len());
            out.push(Setting {
                at: ds.at,
                stack: "Prisma schema",
                conn,
                facts,
                trust,
                driver_version: None,
                setting: format!("provider = \"postgresql\"; url = {url}"),
            });
        }
    }
}

/// Prisma's PostgreSQL URL (docs, "PostgreSQL connection URL arguments"):
/// `sslmode` is `prefer` (default), `disable` or `require`; `sslaccept` is
/// `accept_invalid_certs` (default) or `strict`, which checks the chain
/// (against `sslcert`, else the system store) and the host name.
pub(super) fn prisma_facts(mode: Option<&str>, accept: Option<&str>) -> Facts {
    let checked = match accept {
        None | Some("accept_invalid_certs") => N,
        Some("strict") => Y,
        Some(_) => return UNKNOWN,
    };
    match mode {
        Some("disable") => PLAIN,
        None | Some("prefer") => Facts::new(U, checked, checked),
        Some("require") => Facts::new(Y, checked, checked),
        Some(_) => UNKNOWN,
    }
}

case_table![
    // libpq would read `require` with a CA as a chain check; Prisma
    // does not without `sslaccept=strict`.
    case!("schema.prisma", "datasource db {\n  provider = \"postgresql\"\n  url      = \"postgresql://app:hunter2@shop.cluster-x.eu-west-1.rds.amazonaws.com:5432/shop?sslmode=require&sslcert=/certs/global-bundle.pem\"\n}\n" => "Prisma schema", NO_VERIFY, host "shop.cluster-x.eu-west-1.rds.amazonaws.com", port 5432, user "app", db "shop", trust "/certs/global-bundle.pem"),
    case!("schema.prisma", "datasource db {\n  provider = \"postgresql\"\n  url      = \"postgresql://app@db:5432/shop?sslmode=require&sslaccept=strict\"\n}\n" => "Prisma schema", FULL, host "db", port 5432, user "app", db "shop"),
    case!("schema.prisma", "datasource db {\n  provider = \"postgresql\"\n  url      = \"postgresql://app@db/shop\"\n}\n" => "Prisma schema", OPPORTUNISTIC, host "db", user "app", db "shop"),
    case!("schema.prisma", "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n" => "Prisma schema", UNKNOWN),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::testing;

    #[test]
    fn passwords_are_masked() {
        for case in cases::CASES {
            testing::assert_masked(&testing::scan(detect, case.file, case.text), "hunter2");
        }
    }
}
