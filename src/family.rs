//! Application families: an application name with its volatile parts (pids,
//! counters, Kubernetes replica-set and pod suffixes, hashes, UUIDs) replaced
//! by placeholders, so that the processes of one application share a row.
//!
//! A family never merges names that differ in their words: only tokens that
//! look machine-made are replaced, and every other byte is kept as it is.

use std::borrow::Cow;

use regex::Regex;

/// Site rules (`--app-family REGEX=NAME`), tried before the built-in ones, and
/// whether families are on at all (`--app-families off` gives raw names).
#[derive(Debug, Clone)]
pub struct Families {
    enabled: bool,
    site: Vec<(Regex, String)>,
    /// Keep every raw name as an example (`--keep-raw-names`), not a few.
    keep_all_names: bool,
}

impl Default for Families {
    fn default() -> Self {
        Families {
            enabled: true,
            site: Vec::new(),
            keep_all_names: false,
        }
    }
}

impl Families {
    /// One row per raw name, as without families.
    pub fn off() -> Self {
        Families {
            enabled: false,
            ..Families::default()
        }
    }

    /// Keeps every raw name of a family, for JSON and Parquet.
    pub fn keeping_all_names(mut self) -> Self {
        self.keep_all_names = true;
        self
    }

    /// How many raw names a client keeps as examples.
    pub fn examples(&self) -> usize {
        if self.keep_all_names {
            usize::MAX
        } else {
            crate::census::RawNames::EXAMPLES
        }
    }

    /// Adds a site rule: a name the regex matches (anywhere; anchor it to
    /// match whole names) belongs to the family `name`.
    pub fn with_rule(mut self, regex: Regex, name: String) -> Self {
        self.site.push((regex, name));
        self
    }

    /// Parses `REGEX=NAME` as given on the command line (the last `=` splits,
    /// so the regex may hold `=`).
    pub fn parse_rule(text: &str) -> Result<(Regex, String), RuleError> {
        let (regex, name) = text
            .rsplit_once('=')
            .ok_or_else(|| RuleError::NoName(text.to_string()))?;
        if name.is_empty() {
            return Err(RuleError::EmptyName(text.to_string()));
        }
        let regex = Regex::new(regex).map_err(|error| RuleError::BadRegex {
            rule: text.to_string(),
            error,
        })?;
        Ok((regex, name.to_string()))
    }

    /// The family of one raw application name.
    pub fn of<'a>(&self, name: &'a str) -> Cow<'a, str> {
        if !self.enabled {
            return Cow::Borrowed(name);
        }
        if let Some((_, family)) = self.site.iter().find(|(re, _)| re.is_match(name)) {
            return Cow::Owned(family.clone());
        }
        family(name)
    }
}

/// An `--app-family` rule that cannot be read; each names the rule.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleError {
    /// No `=` between the regex and the name.
    #[error("--app-family takes REGEX=NAME, got {0:?}")]
    NoName(String),
    /// Nothing after the last `=`.
    #[error("--app-family {0:?}: the family name is empty")]
    EmptyName(String),
    /// The regex does not compile (its error is part of the message, which
    /// clap shows alone).
    #[error("--app-family {rule:?}: {error}")]
    BadRegex { rule: String, error: regex::Error },
}

/// Raw names already given their family, for one correlator: most sessions
/// repeat a name seen before, and [`Families::of`] scans and copies every
/// name with a digit or a `-` in it. Emptied when full, so one-off names
/// (a pid or pod hash in each) keep its memory bounded.
#[derive(Debug, Default)]
pub struct FamilyCache {
    /// Raw name → its family, `None` where that is the raw name itself.
    names: hashbrown::HashMap<Box<str>, Option<Box<str>>, rustc_hash::FxBuildHasher>,
}

impl FamilyCache {
    /// Names held before the cache starts over.
    const CAPACITY: usize = 4096;

    /// [`Families::of`] `raw`, from the cache when it was asked before.
    pub fn of<'a>(&'a mut self, families: &Families, raw: &'a str) -> &'a str {
        if self.names.len() >= Self::CAPACITY && !self.names.contains_key(raw) {
            self.names.clear();
        }
        let family = self
            .names
            .entry_ref(raw)
            .or_insert_with(|| match families.of(raw) {
                Cow::Borrowed(_) => None,
                Cow::Owned(family) => Some(family.into_boxed_str()),
            });
        family.as_deref().unwrap_or(raw)
    }
}

/// The built-in family of a name; names with nothing volatile come back
/// borrowed.
pub fn family(name: &str) -> Cow<'_, str> {
    // Every rule needs a digit, or a Kubernetes suffix pair (whose alphabet
    // has no vowels), so most names leave here without a copy.
    if !name.bytes().any(|b| b.is_ascii_digit()) && !name.contains('-') {
        return Cow::Borrowed(name);
    }
    let bytes = name.as_bytes();
    let mut out = String::with_capacity(name.len());
    let mut changed = false;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(len) = uuid_at(bytes, i) {
            out.push_str("<uuid>");
            changed = true;
            i += len;
            continue;
        }
        if bytes[i] == b'-'
            && let Some((len, placeholder)) = kubernetes_suffix_at(bytes, i)
        {
            out.push_str(placeholder);
            changed = true;
            i += len;
            continue;
        }
        if !bytes[i].is_ascii_alphanumeric() {
            // Stop at each '-': it may start a Kubernetes suffix.
            let start = i;
            while i < bytes.len() && !bytes[i].is_ascii_alphanumeric() && bytes[i] != b'-' {
                i += 1;
            }
            if i == start {
                // A '-' that did not start a Kubernetes suffix.
                i += 1;
            }
            out.push_str(&name[start..i]);
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let token = &bytes[start..i];
        match volatile_token(bytes, start, token) {
            Some(placeholder) => {
                out.push_str(placeholder);
                changed = true;
            }
            None => out.push_str(&name[start..i]),
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(name)
    }
}

/// The placeholder for an alphanumeric token, if it is volatile.
fn volatile_token(bytes: &[u8], start: usize, token: &[u8]) -> Option<&'static str> {
    let digits = token.iter().filter(|b| b.is_ascii_digit()).count();
    let letters = token.len() - digits;
    if digits == token.len() {
        // Dotted versions (`sidekiq 7.1.2`) name a release, not a process;
        // a dotted quad is an address.
        return match dotted_run(bytes, start) {
            Some(parts) if parts != 4 => None,
            _ => Some("N"),
        };
    }
    // ISO 8601 date and time run together at the `T` (`29T05`).
    if letters == 1 && token.len() >= 3 {
        let t = token.iter().position(|b| !b.is_ascii_digit());
        if t.is_some_and(|t| token[t] == b'T' && t > 0 && t + 1 < token.len()) {
            return Some("NTN");
        }
    }
    let hex = token.iter().all(u8::is_ascii_hexdigit);
    if hex && digits > 0 && ((token.len() >= 7 && letters > 0) || token.len() >= 12) {
        return Some("<hex>");
    }
    // Base-36 ids and similar: long, with plenty of both kinds.
    if token.len() >= 10 && digits >= 3 && letters >= 3 {
        return Some("<id>");
    }
    None
}

/// How many numeric parts the dotted run around `start` has, if the digits
/// there are part of one (`7.1.2` → 3); `None` for a lone number.
fn dotted_run(bytes: &[u8], start: usize) -> Option<usize> {
    let mut begin = start;
    while begin >= 2 && bytes[begin - 1] == b'.' && bytes[begin - 2].is_ascii_digit() {
        begin -= 2;
        while begin > 0 && bytes[begin - 1].is_ascii_digit() {
            begin -= 1;
        }
    }
    let mut parts = 1;
    let mut i = begin;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
            parts += 1;
            i += 1;
        } else {
            break;
        }
    }
    (parts > 1).then_some(parts)
}

/// `8-4-4-4-12` hex digits.
fn uuid_at(bytes: &[u8], i: usize) -> Option<usize> {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    if i > 0 && bytes[i - 1].is_ascii_alphanumeric() {
        return None;
    }
    let mut at = i;
    for (n, len) in GROUPS.iter().enumerate() {
        if n > 0 {
            if bytes.get(at) != Some(&b'-') {
                return None;
            }
            at += 1;
        }
        let group = bytes.get(at..at + len)?;
        if !group.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        at += len;
    }
    match bytes.get(at) {
        Some(b) if b.is_ascii_alphanumeric() => None,
        _ => Some(at - i),
    }
}

/// Kubernetes names its pods `<deployment>-<replica-set hash>-<pod suffix>`
/// (or `<owner>-<suffix>`), both from an alphabet without vowels
/// (apimachinery's `rand.SafeEncodeString`): `bcdfghjklmnpqrstvwxz2456789`.
fn kubernetes_suffix_at(bytes: &[u8], dash: usize) -> Option<(usize, &'static str)> {
    // A match, not `contains`: a slice search per byte is a memchr call.
    let safe = |b: &u8| matches!(b, b'b'..=b'd' | b'f'..=b'h' | b'j'..=b'n' | b'p'..=b't' | b'v' | b'w' | b'x' | b'z' | b'2' | b'4'..=b'9');
    let word = |from: usize| {
        let len = bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        (len, bytes[from..from + len].iter().all(safe))
    };
    let ends_name = |at: usize| {
        bytes
            .get(at)
            .is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'-')
    };
    let (hash_len, hash_safe) = word(dash + 1);
    let after_hash = dash + 1 + hash_len;
    if hash_safe && (6..=10).contains(&hash_len) && bytes.get(after_hash) == Some(&b'-') {
        let (pod_len, pod_safe) = word(after_hash + 1);
        let end = after_hash + 1 + pod_len;
        if pod_safe && pod_len == 5 && ends_name(end) {
            return Some((end - dash, "-<rs>-<pod>"));
        }
    }
    // A lone pod suffix (DaemonSet, Job): only with a digit, as words have none.
    let has_digit = bytes[dash + 1..after_hash].iter().any(u8::is_ascii_digit);
    let has_letter = bytes[dash + 1..after_hash]
        .iter()
        .any(u8::is_ascii_alphabetic);
    if hash_safe && hash_len == 5 && has_digit && has_letter && ends_name(after_hash) {
        return Some((after_hash - dash, "-<pod>"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real-shaped names from common stacks and their families.
    const FAMILIES: &[(&str, &str)] = &[
        // puma (Rails), unicorn, gunicorn
        (
            "puma: cluster worker 2: 44125 [shop]",
            "puma: cluster worker N: N [shop]",
        ),
        (
            "puma: cluster worker 0: 9 [shop]",
            "puma: cluster worker N: N [shop]",
        ),
        (
            "unicorn worker[3] -E production -c config/unicorn.rb",
            "unicorn worker[N] -E production -c config/unicorn.rb",
        ),
        (
            "gunicorn: worker [orders.wsgi:application]",
            "gunicorn: worker [orders.wsgi:application]",
        ),
        // Sidekiq: the version stays, the busy counter goes
        (
            "sidekiq 7.1.2 shop [3 of 10 busy]",
            "sidekiq 7.1.2 shop [N of N busy]",
        ),
        (
            "sidekiq 7.1.2 shop [0 of 10 busy]",
            "sidekiq 7.1.2 shop [N of N busy]",
        ),
        // Celery worker host names
        ("celery@worker-7f9c2ab1", "celery@worker-<hex>"),
        (
            "celery@orders-worker-7d9f8c6b5-x2x4q",
            "celery@orders-worker-<rs>-<pod>",
        ),
        // Kubernetes deployments, statefulsets, daemonsets
        ("orders-api-7d9f8c6b5-x2x4q", "orders-api-<rs>-<pod>"),
        ("orders-api-5b8c7dfd4b-zq9lm", "orders-api-<rs>-<pod>"),
        ("orders-api-6bcdfgh-tzvwx", "orders-api-<rs>-<pod>"),
        ("billing-db-proxy-0", "billing-db-proxy-N"),
        ("log-agent-x7k2p", "log-agent-<pod>"),
        // GUI tools
        ("pgAdmin 4 - DB:orders", "pgAdmin N - DB:orders"),
        (
            "DBeaver 23.2.5 - Main <orders>",
            "DBeaver 23.2.5 - Main <orders>",
        ),
        (
            "DBeaver 23.2.5 - SQLEditor <Script-12.sql>",
            "DBeaver 23.2.5 - SQLEditor <Script-N.sql>",
        ),
        // Drivers and tools with fixed names
        ("PostgreSQL JDBC Driver", "PostgreSQL JDBC Driver"),
        ("psql", "psql"),
        ("pgbouncer", "pgbouncer"),
        // Airflow tasks: run ids carry times
        (
            "airflow extract 2026-11-29T05:00:00+00:00",
            "airflow extract N-N-NTN:N:N+N:N",
        ),
        // UUIDs and addresses
        ("job 3f2b8c1e-9a4d-4e2f-8b1a-0c9d8e7f6a5b", "job <uuid>"),
        ("etl@10.0.3.7", "etl@N.N.N.N"),
        // base-36 ids
        ("sync-k3j9x8q2m7", "sync-<id>"),
    ];

    /// Names that differ in their words must keep apart.
    const APART: &[(&str, &str)] = &[
        ("orders-api", "billing-api"),
        ("orders-api-7d9f8c6b5-x2x4q", "billing-api-7d9f8c6b5-x2x4q"),
        ("app-v2", "app-v3"),
        (
            "sidekiq 7.1.2 shop [3 of 10 busy]",
            "sidekiq 7.1.2 admin [3 of 10 busy]",
        ),
        ("sidekiq 7.1.2 shop", "sidekiq 7.2.0 shop"),
        ("orders-batch", "orders-stream"),
        ("report-sync", "report-build"),
        ("utf8mb4 loader", "latin1 loader"),
    ];

    #[test]
    fn names_fold_into_their_families() {
        for (name, want) in FAMILIES {
            assert_eq!(family(name), *want, "{name}");
        }
    }

    #[test]
    fn names_that_differ_in_words_stay_apart() {
        for (a, b) in APART {
            assert_ne!(family(a), family(b), "{a} / {b}");
        }
    }

    #[test]
    fn names_with_nothing_volatile_are_not_copied() {
        for name in [
            "psql",
            "orders-api",
            "billing worker",
            "app-v2",
            "orders-batch",
        ] {
            assert!(matches!(family(name), Cow::Borrowed(_)), "{name}");
        }
    }

    #[test]
    fn site_rules_come_first_and_off_keeps_raw_names() {
        let (re, name) = Families::parse_rule("^cron-.*=cron jobs").unwrap();
        let families = Families::default().with_rule(re, name);
        assert_eq!(families.of("cron-2026-11-29"), "cron jobs");
        assert_eq!(
            families.of("puma: cluster worker 2: 1 [x]"),
            "puma: cluster worker N: N [x]"
        );
        assert_eq!(
            Families::off().of("puma: cluster worker 2: 1 [x]"),
            "puma: cluster worker 2: 1 [x]"
        );
        let error = |text| Families::parse_rule(text).unwrap_err();
        assert_eq!(error("no-equals"), RuleError::NoName("no-equals".into()));
        assert!(matches!(error("(=x"), RuleError::BadRegex { rule, .. } if rule == "(=x"));
        assert_eq!(error("x="), RuleError::EmptyName("x=".into()));
    }

    #[test]
    fn odd_bytes_do_not_panic() {
        for name in [
            "-",
            "--",
            "a-",
            "-12345",
            "1.",
            ".1",
            "1..2",
            "é-9x2k7",
            "x-\u{fffd}2",
        ] {
            let _ = family(name);
        }
    }

    /// The cache gives what `Families::of` gives, on first sight, again,
    /// and after it started over; site rules included.
    #[test]
    fn the_cache_gives_the_families_of() {
        let families = Families::default().with_rule(Regex::new("^etl-").unwrap(), "etl".into());
        let names = [
            "web-7f9c6d8b5-x2x4z",
            "psql",
            "",
            "worker 12345",
            "etl-nightly-3",
            "puma: cluster worker 3: 4411 [app]",
            "search-indexer",
        ];
        let mut cache = FamilyCache::default();
        for round in 0..3 {
            for name in names {
                let expected = families.of(name).into_owned();
                assert_eq!(
                    cache.of(&families, name),
                    expected,
                    "round {round}: {name:?}"
                );
            }
        }
        for n in 0..FamilyCache::CAPACITY + 10 {
            let name = format!("job-{n}");
            assert_eq!(cache.of(&families, &name), families.of(&name));
        }
        assert!(cache.names.len() <= FamilyCache::CAPACITY);
        let off = Families::off();
        assert_eq!(FamilyCache::default().of(&off, "web-1"), "web-1");
    }
}
