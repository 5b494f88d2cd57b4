//! Prisma `schema.prisma`: a `datasource` block with `provider = "mysql"`
//! whose `url` comes from `env("…")`. A literal URL there is the URL
//! stack's (it reads Prisma's `sslaccept`).

use super::*;
use crate::evidence::syntax::prisma::datasources;

stack::row!(PRISMA: My, "Prisma schema",
    |file| file.name.ends_with(".prisma") && mentions(file), prisma);

/// One hit per MySQL datasource whose URL is read from the environment:
/// what the variable holds decides, so every fact is unknown.
pub(super) fn prisma(file: &FileCtx<'_>, hits: &mut Found) {
    for ds in datasources(file.text, || file.lex(Comments::Slash)) {
        if ds.provider != Some("mysql") {
            continue;
        }
        for (url, _) in ds.urls.iter().filter(|(u, _)| u.starts_with("env(")) {
            hits.push(ConfigHit::new(
                file.lines().line(ds.at),
                "Prisma schema",
                Engine::Mysql,
                UNKNOWN,
                &format!("provider = \"mysql\"; url = {url}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    #[test]
    fn prisma_datasources() {
        check(
            "schema.prisma",
            "generator client {\n  provider = \"prisma-client-js\"\n}\n\ndatasource db {\n  provider = \"mysql\"\n  url      = env(\"DATABASE_URL\")\n}\n",
            &hits! {
                "Prisma schema", _, _, _, _, UNKNOWN, _;
            },
        );
        // A literal URL: the URL stack reads Prisma's sslaccept.
        check(
            "schema.prisma",
            "datasource db {\n  provider = \"mysql\"\n  url      = \"mysql://app:hunter2@db:3306/shop?sslaccept=strict\"\n}\n",
            &hits! {
                "mysql URL", "db", 3306, "app", "shop", Facts::new(Unknown, Yes, Yes), _;
            },
        );
        check_engines(
            "schema.prisma",
            "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n",
            &[],
            &hits! {},
        );
    }
}
