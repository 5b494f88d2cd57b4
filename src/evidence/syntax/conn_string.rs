//! ADO.NET-style connection strings (`Host=…;Port=…;SSL Mode=…`), as
//! Npgsql, MySqlConnector and Connector/NET read them: where a `key=value;`
//! run stands in a file, and its keys, normalized.

use std::sync::LazyLock;

use regex::Regex;

use super::kv::norm_key;

static RUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:[a-z][a-z0-9 _]{0,40}=[^;"'<>\n]*;[ \t]*){2,}(?:[a-z][a-z0-9 _]{0,40}=[^;"'<>\n]*)?"#)
        .expect("connection string pattern compiles")
});

/// A connection string's span in the file's text.
pub(crate) struct Run<'a> {
    pub(crate) start: usize,
    pub(crate) text: &'a str,
}

impl<'a> Run<'a> {
    pub(crate) fn start(&self) -> usize {
        self.start
    }
    pub(crate) fn end(&self) -> usize {
        self.start + self.text.len()
    }

    /// Its `key=value` pairs, keys lowercased without spaces and `_`
    /// (`SSL Mode` is `sslmode`), values trimmed; and where the string
    /// starts. The first piece may hold what stands before the first key:
    /// `ConnectionStrings__Default=Host=…` in an env file, or prose; a
    /// first key that `is_key` does not know is looked for there.
    pub(crate) fn pairs(&self, is_key: impl Fn(&str) -> bool) -> (usize, Vec<(String, &'a str)>) {
        let mut pairs: Vec<(String, &str)> = Vec::new();
        let mut start = self.start;
        for (i, piece) in self.text.split(';').enumerate() {
            let Some((k, v)) = piece.split_once('=') else {
                continue;
            };
            // The pattern's keys hold letters, digits, spaces and `_` only.
            let mut key = norm_key(k);
            let mut value = v.trim();
            if i == 0 {
                if let (Some((k2, v2)), false) = (value.split_once('='), is_key(&key)) {
                    key = k2.trim().to_ascii_lowercase().replace([' ', '_'], "");
                    value = v2.trim();
                    start += piece.find(k2.trim()).unwrap_or(0);
                } else if !is_key(&key)
                    && let Some(last) = k.split_whitespace().last()
                {
                    key = last.to_ascii_lowercase();
                    start += piece.rfind(last).unwrap_or(0);
                }
            }
            pairs.push((key, value));
        }
        (start, pairs)
    }
}

/// `key=value;` runs, searched line by line (a run never spans lines) and
/// only on lines that could hold one: over a whole source file the pattern's
/// counted repetitions overflow regex's DFA cache, and it falls back to a
/// hundred times slower engine.
pub(crate) fn runs(text: &str) -> impl Iterator<Item = Run<'_>> {
    let mut line_start = 0;
    text.split_inclusive('\n').flat_map(move |line| {
        let start = line_start;
        line_start += line.len();
        let candidate = line.contains(';') && line.bytes().filter(|&b| b == b'=').count() >= 2;
        candidate
            .then(|| {
                RUN.find_iter(line).map(move |m| Run {
                    start: start + m.start(),
                    text: m.as_str(),
                })
            })
            .into_iter()
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_rows;
    use super::*;

    fn read(text: &str) -> Vec<(usize, Vec<(String, String)>)> {
        let is_key = |k: &str| matches!(k, "host" | "server" | "port");
        runs(text)
            .map(|r| {
                let (start, pairs) = r.pairs(is_key);
                let pairs = pairs.into_iter().map(|(k, v)| (k, v.to_string())).collect();
                (start, pairs)
            })
            .collect()
    }

    #[test]
    fn runs_and_their_pairs() {
        let p = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        assert_rows(
            read,
            &[
                (
                    "x = \"Host=db; SSL Mode=Require;User_Id=a\";\n",
                    vec![(
                        5,
                        p(&[("host", "db"), ("sslmode", "Require"), ("userid", "a")]),
                    )],
                ),
                (
                    "ConnectionStrings__Default=Server=db;Port=3306;Database=x\n",
                    vec![(
                        27,
                        p(&[("server", "db"), ("port", "3306"), ("database", "x")]),
                    )],
                ),
                ("a=1\nb=2;\n", vec![]),
            ],
        );
    }
}
