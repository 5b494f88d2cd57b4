//! Calls found by a pattern that ends at the call's opening bracket: the
//! matches outside comments, each with the bracket that closes it.

use regex::{Captures, Regex};

use super::comment::live_matches;
use super::lex::matching_close;

/// `pattern`'s matches in `text` that are not commented out and whose
/// bracket closes (`#` starts a comment inside when `hash_comments`), each
/// as (the pattern's captures, where the match starts, its opening bracket:
/// the match's last byte, the bracket closing that one).
pub(crate) fn calls<'t>(
    text: &'t str,
    pattern: &Regex,
    hash_comments: bool,
) -> Vec<(Captures<'t>, usize, usize, usize)> {
    live_matches(text, pattern)
        .filter_map(|(captures, whole)| {
            let open = whole.end() - 1;
            let close = matching_close(text, open, hash_comments)?;
            Some((captures, whole.start(), open, close))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_rows;
    use super::*;

    #[test]
    fn calls_outside_comments_that_close() {
        let pattern = Regex::new(r"(connect|pool)\s*\(").expect("compiles");
        let found = |(text, hash_comments)| {
            calls(text, &pattern, hash_comments)
                .iter()
                .map(|(captures, start, open, close)| {
                    (
                        captures[1].to_string(),
                        &text[*start..*open],
                        &text[*open + 1..*close],
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_rows(
            found,
            &[
                (
                    ("db = connect(host='db', port=(3306))", true),
                    vec![("connect".to_string(), "connect", "host='db', port=(3306)")],
                ),
                (
                    ("a = pool (x)\n# connect(old)\nb = connect(y)", true),
                    vec![
                        ("pool".to_string(), "pool ", "x"),
                        ("connect".to_string(), "connect", "y"),
                    ],
                ),
                (("# connect(old)\n// pool(x)", true), vec![]),
                (("connect(never closed", true), vec![]),
                (
                    ("connect(a, # )\n b)", true),
                    vec![("connect".to_string(), "connect", "a, # )\n b")],
                ),
                (
                    ("connect(a, # )\n b)", false),
                    vec![("connect".to_string(), "connect", "a, # ")],
                ),
            ],
        );
    }
}
