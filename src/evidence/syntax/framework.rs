//! Framework database settings written as code: Django's `DATABASES`
//! entries (`'ENGINE': '…'` in a dict) and Laravel's `config/database.php`
//! connections (`'driver' => '…'` in an array): the block around the
//! engine's or driver's name, and its entries as the framework reads them.

use regex::{Captures, Regex};

use super::lex::{Entry, Lex};

/// Whose settings a block holds.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Framework {
    /// A Python dict: `{'ENGINE': …, 'HOST': …, 'OPTIONS': {…}}`.
    Django,
    /// A PHP array: `['driver' => …, 'host' => …]` or `array(…)`.
    Laravel,
}

impl Framework {
    /// The brackets that open a block.
    fn opens(self) -> &'static [u8] {
        match self {
            Framework::Django => b"{",
            Framework::Laravel => b"[(",
        }
    }
}

/// One settings block: the brackets around a match of the engine's pattern
/// and the entries between them (strings and comments skipped: a bracket or
/// a comma inside a string is not one).
pub(crate) struct Block<'t> {
    /// The engine's pattern, matched in the block.
    pub(crate) found: Captures<'t>,
    pub(crate) open: usize,
    pub(crate) close: usize,
    pub(crate) entries: Vec<Entry>,
}

/// Each block around a match of `pattern` outside comments, in the order
/// of the matches; a match in no block is left out.
pub(crate) fn blocks<'t>(
    text: &'t str,
    lex: &Lex,
    framework: Framework,
    pattern: &Regex,
) -> Vec<Block<'t>> {
    pattern
        .captures_iter(text)
        .filter_map(|found| {
            let at = found.get(0)?.start();
            if lex.in_comment(at) {
                return None;
            }
            let (open, close) = lex.enclosing(text, at, framework.opens())?;
            let entries = lex.entries(text, open, close);
            Some(Block {
                found,
                open,
                close,
                entries,
            })
        })
        .collect()
}

impl<'t> Block<'t> {
    /// Its keyed entries, (key, value as written), in order.
    pub(crate) fn pairs(&self, text: &'t str) -> Vec<(String, &'t str)> {
        keyed(&self.entries, text)
    }

    /// The value of `key`, as written: keys compare as the frameworks'
    /// (Python's dict, PHP's array) do, case and all, and of a key written
    /// twice the last counts.
    pub(crate) fn get(&self, text: &'t str, key: &str) -> Option<&'t str> {
        get(&self.entries, text, key)
    }

    /// The entries of the dict or array `key`'s value is (Django's
    /// `OPTIONS`); None when the value is something else (`**base`, a
    /// call).
    pub(crate) fn nested(&self, text: &str, lex: &Lex, key: &str) -> Option<Vec<Entry>> {
        let e = self
            .entries
            .iter()
            .rev()
            .find(|e| e.key.as_deref() == Some(key))?;
        let (open, close) = lex.object_at(text, e.value.0)?;
        Some(lex.entries(text, open, close))
    }
}

/// `entries`' keyed ones, (key, value as written).
pub(crate) fn keyed<'t>(entries: &[Entry], text: &'t str) -> Vec<(String, &'t str)> {
    entries
        .iter()
        .filter_map(|e| Some((e.key.clone()?, e.text(text))))
        .collect()
}

/// The value of the last of `entries` named `key` (exact case).
pub(crate) fn get<'t>(entries: &[Entry], text: &'t str, key: &str) -> Option<&'t str> {
    entries
        .iter()
        .rev()
        .find(|e| e.key.as_deref() == Some(key))
        .map(|e| e.text(text))
}

#[cfg(test)]
mod tests {
    use super::super::lex::Comments;
    use super::super::testing::assert_rows;
    use super::*;

    /// Each block as (its bracket, its keyed entries), for the pattern
    /// `ENGINE` / `driver` names.
    fn read(framework: Framework, text: &str) -> Vec<(char, Vec<(String, String)>)> {
        let (lex, pattern) = match framework {
            Framework::Django => (Lex::new(text, Comments::Hash), r#"['"]ENGINE['"]\s*:"#),
            Framework::Laravel => (
                Lex::new(text, Comments::HashAndSlash),
                r#"['"]driver['"]\s*=>"#,
            ),
        };
        let pattern = Regex::new(pattern).expect("pattern compiles");
        blocks(text, &lex, framework, &pattern)
            .iter()
            .map(|b| {
                let pairs = b.pairs(text);
                let pairs = pairs.into_iter().map(|(k, v)| (k, v.to_string())).collect();
                (text.as_bytes()[b.open] as char, pairs)
            })
            .collect()
    }

    fn p(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn django_dicts() {
        assert_rows(
            |text| read(Framework::Django, text),
            &[
                (
                    "D = {'default': {'ENGINE': 'x', 'HOST': os.environ.get('H', 'db'), 'PORT': 5432}}",
                    vec![(
                        '{',
                        p(&[
                            ("ENGINE", "'x'"),
                            ("HOST", "os.environ.get('H', 'db')"),
                            ("PORT", "5432"),
                        ]),
                    )],
                ),
                // An escaped quote and a bracket in a string end nothing.
                (
                    "{\"ENGINE\": \"x\", \"NAME\": 'it\\'s }, {', \"USER\": \"u\"}",
                    vec![(
                        '{',
                        p(&[
                            ("ENGINE", "\"x\""),
                            ("NAME", "'it\\'s }, {'"),
                            ("USER", "\"u\""),
                        ]),
                    )],
                ),
                // A commented-out block is none, nor a match in no block.
                ("# {'ENGINE': 'x'}\n", vec![]),
                ("'ENGINE': 'x'\n", vec![]),
            ],
        );
    }

    #[test]
    fn laravel_arrays() {
        assert_rows(
            |text| read(Framework::Laravel, text),
            &[
                (
                    "['mysql' => [\n  'prefix' => '(',\n  'driver' => 'mysql', // main\n  'host' => env('DB_HOST', '127.0.0.1'),\n]]",
                    vec![(
                        '[',
                        p(&[
                            ("prefix", "'('"),
                            ("driver", "'mysql'"),
                            ("host", "env('DB_HOST', '127.0.0.1')"),
                        ]),
                    )],
                ),
                (
                    "array('driver' => \"pgsql\", 'host' => 'db')",
                    vec![('(', p(&[("driver", "\"pgsql\""), ("host", "'db'")]))],
                ),
            ],
        );
    }

    /// Keys compare as the languages do, and the last of a key counts.
    #[test]
    fn a_key_is_its_last_entry_case_and_all() {
        let text = "{'ENGINE': 'x', 'HOST': 'a', 'host': 'b', 'HOST': 'c', 'OPTIONS': {'sslmode': 'require'}}";
        let lex = Lex::new(text, Comments::Hash);
        let pattern = Regex::new("'ENGINE'").expect("pattern compiles");
        let blocks = blocks(text, &lex, Framework::Django, &pattern);
        let block = &blocks[0];
        assert_rows(
            |key| block.get(text, key),
            &[("HOST", Some("'c'")), ("host", Some("'b'")), ("PORT", None)],
        );
        let options = block.nested(text, &lex, "OPTIONS").expect("a dict");
        assert_eq!(get(&options, text, "sslmode"), Some("'require'"));
        assert!(block.nested(text, &lex, "HOST").is_none());
    }
}
