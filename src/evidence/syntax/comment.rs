//! Whether a place in a file is commented out, for detectors that read
//! text the live-text pass left as it is.

use regex::{Captures, Match, Regex};

/// How far back an open `<!--` is looked for.
const XML_COMMENT_LOOKBACK: usize = 16 * 1024;

/// `pattern`'s matches in `text` that are not commented out, each as (the
/// pattern's captures, the whole match).
pub(crate) fn live_matches<'t>(
    text: &'t str,
    pattern: &Regex,
) -> impl Iterator<Item = (Captures<'t>, Match<'t>)> {
    pattern.captures_iter(text).filter_map(move |captures| {
        let whole = captures.get(0).expect("match");
        (!commented(text, whole.start())).then_some((captures, whole))
    })
}

/// Whether `at` is inside a comment: a line starting with `#`, `//`, `;`,
/// `--␠`, `*`, `/*`, `REM`, or an open `<!--`.
pub(crate) fn commented(text: &str, at: usize) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let prefix = text[line_start..at].trim_start();
    let lower = prefix.get(..4).unwrap_or(prefix).to_ascii_lowercase();
    if prefix.starts_with(['#', ';'])
        || prefix.starts_with("//")
        || prefix.starts_with("/*")
        || prefix == "--"
        || prefix.starts_with("-- ")
        || prefix == "*"
        || prefix.starts_with("* ")
        || lower.starts_with("rem ")
    {
        return true;
    }
    // Inside an XML comment (looking back a bounded distance, so that a
    // file with many candidates stays linear).
    let from = text.ceil_char_boundary(at.saturating_sub(XML_COMMENT_LOOKBACK));
    let window = &text[from..at];
    match (window.rfind("<!--"), window.rfind("-->")) {
        (Some(open), Some(close)) => open > close,
        (Some(_), None) => true,
        _ => false,
    }
}

/// `value  # comment` → `value` (a `#` after whitespace, outside quotes).
pub(crate) fn strip_inline_comment(v: &str) -> &str {
    if v.starts_with(['"', '\'']) {
        return v;
    }
    match v.find(" #").or_else(|| v.find("\t#")) {
        Some(i) => v[..i].trim_end(),
        None => v,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_rows;
    use super::*;

    /// (text, the place) → commented out.
    #[test]
    fn commented_places() {
        assert_rows(
            |text: &str| commented(text, text.find("db").expect("a place")),
            &[
                ("url=db", false),
                ("# url=db", true),
                ("  ; url=db", true),
                ("// url=db", true),
                ("/* url=db", true),
                ("-- url=db", true),
                ("--url=db", false),
                (" * url=db", true),
                ("REM url=db", true),
                ("<!-- <url>db</url> -->", true),
                ("<!-- x --> <url>db</url>", false),
                ("a\n# b\nurl=db", false),
            ],
        );
    }

    #[test]
    fn inline_comments() {
        assert_rows(
            strip_inline_comment,
            &[
                ("/c.pem  # the bundle", "/c.pem"),
                ("/c.pem# not one", "/c.pem# not one"),
                // A quoted value is left whole.
                ("'a # b' # c", "'a # b' # c"),
                ("\"a # b\"", "\"a # b\""),
                ("plain", "plain"),
            ],
        );
    }
}
