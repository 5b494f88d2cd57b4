//! Prisma schema files: the `datasource` blocks and their settings.

use std::sync::LazyLock;

use regex::Regex;

use super::lex::Lex;
use super::quote::unquote;

static DATASOURCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^[ \t]*datasource[ \t]+\w+[ \t]*\{").expect("Prisma pattern compiles")
});

/// One `datasource name { … }` block.
pub(crate) struct Datasource<'a> {
    /// Byte offset of the `datasource` keyword.
    pub(crate) at: usize,
    /// `provider`, unquoted.
    pub(crate) provider: Option<&'a str>,
    /// `url` and `directUrl` as written (`"postgres://…"`, `env("…")`),
    /// each with the byte offset of its value.
    pub(crate) urls: Vec<(&'a str, usize)>,
}

/// The datasource blocks of a schema, in order; `lex`, the schema lexed
/// (`//` comments), is asked for once a block is found.
pub(crate) fn datasources<'t, 'l>(text: &'t str, lex: impl Fn() -> &'l Lex) -> Vec<Datasource<'t>> {
    let mut out = Vec::new();
    for m in DATASOURCE.find_iter(text) {
        let open = m.end() - 1;
        let Some(close) = lex().closing(open) else {
            continue;
        };
        let mut ds = Datasource {
            at: m.start(),
            provider: None,
            urls: Vec::new(),
        };
        let mut offset = open + 1;
        for line in text[open + 1..close].split_inclusive('\n') {
            if let Some((key, value)) = line.split_once('=') {
                let v = value.trim();
                let value_at = offset + key.len() + 1 + (value.len() - value.trim_start().len());
                match key.trim() {
                    "provider" => ds.provider = Some(unquote(v)),
                    "url" | "directUrl" => ds.urls.push((v, value_at)),
                    _ => {}
                }
            }
            offset += line.len();
        }
        out.push(ds);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::lex::Comments;
    use super::*;

    #[test]
    fn datasource_blocks() {
        let text = "generator client {\n  provider = \"prisma-client-js\"\n}\n\ndatasource db {\n  provider  = \"postgresql\"\n  url       = env(\"DATABASE_URL\")\n  directUrl = \"postgres://app@db/shop\"\n}\n";
        let lex = Lex::new(text, Comments::Slash);
        let all = datasources(text, || &lex);
        assert_eq!(all.len(), 1);
        let ds = &all[0];
        assert_eq!(&text[ds.at..ds.at + 10], "datasource");
        assert_eq!(ds.provider, Some("postgresql"));
        let urls: Vec<&str> = ds.urls.iter().map(|(u, _)| *u).collect();
        assert_eq!(
            urls,
            ["env(\"DATABASE_URL\")", "\"postgres://app@db/shop\""]
        );
        for (u, at) in &ds.urls {
            assert_eq!(&text[*at..*at + u.len()], *u);
        }
    }
}
