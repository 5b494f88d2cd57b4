//! Calls found by a pattern that ends at the call's opening bracket: the
//! matches outside comments, each with the bracket that closes it.

use regex::{Captures, Regex};

use super::comment::live_matches;
use super::lex::Lex;

/// `pattern`'s matches in `text` that are not commented out and whose
/// bracket closes, as `lex` (the text lexed) pairs them, each as (the
/// pattern's captures, where the match starts, its opening bracket: the
/// match's last byte, the bracket closing that one). `lex` is asked for
/// only once a match is found, so a file without one is never lexed.
pub(crate) fn calls<'t, 'l>(
    text: &'t str,
    pattern: &Regex,
    lex: impl Fn() -> &'l Lex,
) -> Vec<(Captures<'t>, usize, usize, usize)> {
    live_matches(text, pattern)
        .filter_map(|(captures, whole)| {
            let open = whole.end() - 1;
            let close = lex().closing(open)?;
            Some((captures, whole.start(), open, close))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::lex::Comments;
    use super::super::testing::assert_rows;
    use super::*;

    #[test]
    fn calls_outside_comments_that_close() {
        let pattern = Regex::new(r"(connect|pool)\s*\(").expect("compiles");
        let found = |(text, comments)| {
            let lex = Lex::new(text, comments);
            calls(text, &pattern, || &lex)
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
                    (
                        "db = connect(host='db', port=(3306))",
                        Comments::HashAndSlash,
                    ),
                    vec![("connect".to_string(), "connect", "host='db', port=(3306)")],
                ),
                (
                    (
                        "a = pool (x)\n# connect(old)\nb = connect(y)",
                        Comments::HashAndSlash,
                    ),
                    vec![
                        ("pool".to_string(), "pool ", "x"),
                        ("connect".to_string(), "connect", "y"),
                    ],
                ),
                (
                    ("# connect(old)\n// pool(x)", Comments::HashAndSlash),
                    vec![],
                ),
                (("connect(never closed", Comments::HashAndSlash), vec![]),
                // A call written in a string is none.
                (("s = 'connect(x)'", Comments::HashAndSlash), vec![]),
                (
                    ("connect(a, # )\n b)", Comments::HashAndSlash),
                    vec![("connect".to_string(), "connect", "a, # )\n b")],
                ),
                (
                    ("connect(a, # )\n b)", Comments::Slash),
                    vec![("connect".to_string(), "connect", "a, # ")],
                ),
            ],
        );
    }
}
