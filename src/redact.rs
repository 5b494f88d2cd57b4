//! `--redact`: client addresses, user names and application names become
//! keyed hashes (`h:` and 12 hex digits of HMAC-SHA256) in every output, for
//! reports that leave the DBA team. The key is random per run unless
//! `--redact-key` gives one, which makes the tokens stable across runs (and
//! across the shards of a fleet, whose partials then still merge).
//!
//! The values are collected from the census before the verdicts (every
//! client's user, application, raw application names and address, every
//! address with findings, every user of a rejected attempt), and replaced
//! after them: in the list cells exactly, and in each reason wherever one
//! stands as a word of its own — so the verdicts and the settings tied by
//! name are decided on the real names, and only the words change.

use std::collections::BTreeMap;

use aho_corasick::{AhoCorasick, MatchKind};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::census::{Census, UNKNOWN};
use crate::verdict::{ReportRow, Values};

/// Keyed hashing of names.
pub struct Redactor {
    key: Vec<u8>,
}

/// Placeholders that name no one: kept as they are.
fn is_placeholder(value: &str) -> bool {
    value.is_empty()
        || value == UNKNOWN
        || value == "[local]"
        || value == crate::inventory::NOT_OBSERVED
}

impl Redactor {
    /// `key`: `--redact-key`; else 32 random bytes for this run.
    pub fn new(key: Option<&str>) -> Redactor {
        let key = match key {
            Some(k) => k.as_bytes().to_vec(),
            None => {
                let mut bytes = vec![0u8; 32];
                getrandom::fill(&mut bytes).expect("the system's random source");
                bytes
            }
        };
        Redactor { key }
    }

    /// The token of a value; placeholders unchanged.
    pub fn token(&self, value: &str) -> String {
        if is_placeholder(value) {
            return value.to_string();
        }
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .expect("HMAC takes a key of any length");
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        format!("h:{}", data_encoding::HEXLOWER.encode(&digest[..6]))
    }

    /// Every name the census holds, with its token.
    pub fn table(&self, census: &Census) -> Table {
        let mut values: BTreeMap<String, String> = BTreeMap::new();
        let mut add = |v: &str| {
            if !is_placeholder(v) && !values.contains_key(v) {
                values.insert(v.to_string(), self.token(v));
            }
        };
        for (key, stats) in &census.clients {
            add(&key.user);
            add(&key.application);
            add(&key.client_host);
            for name in stats.raw_names.examples() {
                add(name);
            }
        }
        for (address, stats) in &census.addresses {
            add(&address.host);
            for attempt in stats.rejections.keys() {
                add(&attempt.user);
                add(&attempt.application);
            }
        }
        Table::new(values)
    }
}

/// Names and their tokens, and a searcher for them in text.
pub struct Table {
    tokens: BTreeMap<String, String>,
    searcher: Option<AhoCorasick>,
    needles: Vec<String>,
}

impl Table {
    fn new(tokens: BTreeMap<String, String>) -> Table {
        let needles: Vec<String> = tokens.keys().cloned().collect();
        let searcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&needles)
            .ok();
        Table {
            tokens,
            searcher,
            needles,
        }
    }

    fn value(&self, value: &str) -> String {
        self.tokens
            .get(value)
            .cloned()
            .unwrap_or_else(|| value.to_string())
    }

    fn values(&self, values: &Values) -> Values {
        Values::new(values.items().iter().map(|v| self.value(v)).collect())
    }

    /// `text` with every name that stands as a word of its own (not inside
    /// a longer word: `app` in `application` stays) replaced.
    pub fn text(&self, text: &str) -> String {
        let Some(searcher) = &self.searcher else {
            return text.to_string();
        };
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for m in searcher.find_iter(text) {
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            let needle = &self.needles[m.pattern().as_usize()];
            // A name whose own edge is not a word character (`[x]`, `a b `)
            // needs no boundary on that side.
            let starts_word = needle.chars().next().is_some_and(|c| word(Some(c)));
            let ends_word = needle.chars().next_back().is_some_and(|c| word(Some(c)));
            if (starts_word && word(before)) || (ends_word && word(after)) {
                continue;
            }
            out.push_str(&text[at..m.start()]);
            out.push_str(&self.tokens[needle]);
            at = m.end();
        }
        out.push_str(&text[at..]);
        out
    }

    /// The rows with their names replaced.
    pub fn rows(&self, rows: &mut [ReportRow]) {
        for row in rows {
            row.user = self.values(&row.user);
            row.application = self.values(&row.application);
            row.client_hosts = self.values(&row.client_hosts);
            row.application_examples = self.values(&row.application_examples);
            row.reason = self.text(&row.reason);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(values: &[&str]) -> Table {
        let r = Redactor::new(Some("k"));
        Table::new(values.iter().map(|v| (v.to_string(), r.token(v))).collect())
    }

    #[test]
    fn tokens_are_keyed_and_stable() {
        let a = Redactor::new(Some("key-1"));
        let b = Redactor::new(Some("key-1"));
        let c = Redactor::new(Some("key-2"));
        assert_eq!(a.token("10.0.0.5"), b.token("10.0.0.5"));
        assert_ne!(a.token("10.0.0.5"), c.token("10.0.0.5"));
        assert_ne!(a.token("10.0.0.5"), a.token("10.0.0.6"));
        assert!(a.token("orders").starts_with("h:") && a.token("orders").len() == 14);
        // Random keys: two runs differ.
        assert_ne!(
            Redactor::new(None).token("x"),
            Redactor::new(None).token("x")
        );
        for kept in ["", UNKNOWN, "[local]"] {
            assert_eq!(a.token(kept), kept);
        }
    }

    #[test]
    fn names_are_replaced_where_they_stand_as_words() {
        let t = table(&[
            "app",
            "10.0.0.5",
            "10.0.0.55",
            "app-user",
            "puma: cluster worker N",
        ]);
        let tok = |v: &str| t.tokens[v].clone();
        // (text, expected with tokens as {name})
        let cases = [
            ("from 10.0.0.5.", "from {10.0.0.5}."),
            ("from 10.0.0.55 ×3", "from {10.0.0.55} ×3"),
            ("the application app", "the application {app}"),
            ("user app-user and app", "user {app-user} and {app}"),
            ("applications", "applications"),
            ("app_x app1", "app_x app1"),
            ("(puma: cluster worker N)", "({puma: cluster worker N})"),
        ];
        for (text, want) in cases {
            let mut expected = want.to_string();
            for name in [
                "10.0.0.55",
                "10.0.0.5",
                "app-user",
                "puma: cluster worker N",
                "app",
            ] {
                expected = expected.replace(&format!("{{{name}}}"), &tok(name));
            }
            assert_eq!(t.text(text), expected, "{text}");
        }
    }
}
