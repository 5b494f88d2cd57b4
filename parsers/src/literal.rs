//! Fixed field labels searched in every connection line. `str::split_once`
//! with a `&str` pattern builds a two-way searcher on each call, which costs
//! more than the search on short lines; so does a prebuilt `memmem::Finder`,
//! whose Rabin-Karp loop reads every byte of a short haystack. A `Literal`
//! jumps between occurrences of its rarest byte (memchr, SIMD) and compares
//! the label there, forwards and backwards.

use crate::word::same_bytes;

/// A label and its rarest byte, found on first use (`static` + `LazyLock`).
pub struct Literal {
    text: &'static [u8],
    /// Where in the label its rarest byte is: the searches jump between
    /// occurrences of that byte and compare there.
    anchor: usize,
}

/// How common a byte is in log text, lowest first: punctuation but the
/// space, then capitals and digits, then lower case, then the space.
fn commonness(b: u8) -> u8 {
    match b {
        b' ' => 4,
        b'a'..=b'z' => 3,
        b'A'..=b'Z' | b'0'..=b'9' => 2,
        b'=' | b'.' | b',' | b':' | b'_' | b'-' => 1,
        _ => 0,
    }
}

impl Literal {
    /// Finds a label's rarest byte, which anchors the searches.
    pub fn new(text: &'static str) -> Literal {
        let bytes = text.as_bytes();
        let anchor = (0..bytes.len())
            .min_by_key(|&i| commonness(bytes[i]))
            .unwrap_or(0);
        Literal {
            text: bytes,
            anchor,
        }
    }

    /// Where the label first occurs. Occurrences of the anchor byte come in
    /// the order of the starts they would give, so the first that holds the
    /// label is the first occurrence.
    pub fn find(&self, hay: &str) -> Option<usize> {
        let hay = hay.as_bytes();
        let &rare = self.text.get(self.anchor)?;
        // Offsets in the haystack past the anchor's place are label starts.
        memchr::memchr_iter(rare, hay.get(self.anchor..)?).find(|&start| self.is_at(hay, start))
    }

    /// Where the label last occurs.
    pub fn rfind(&self, hay: &str) -> Option<usize> {
        let hay = hay.as_bytes();
        let &rare = self.text.get(self.anchor)?;
        memchr::memrchr_iter(rare, hay)
            .filter_map(|at| at.checked_sub(self.anchor))
            .find(|&start| self.is_at(hay, start))
    }

    /// Whether the label stands in `hay` at `start`.
    pub fn is_at(&self, hay: &[u8], start: usize) -> bool {
        hay.get(start..start + self.text.len())
            .is_some_and(|here| same_bytes(here, self.text))
    }

    /// Text before and after the first occurrence.
    pub fn split_once<'a>(&self, hay: &'a str) -> Option<(&'a str, &'a str)> {
        let at = self.find(hay)?;
        // The label is whole UTF-8, so both cuts are character boundaries.
        Some((hay.get(..at)?, hay.get(at + self.text.len()..)?))
    }

    /// Text before and after the last occurrence.
    pub fn rsplit_once<'a>(&self, hay: &'a str) -> Option<(&'a str, &'a str)> {
        let at = self.rfind(hay)?;
        Some((hay.get(..at)?, hay.get(at + self.text.len()..)?))
    }

    /// The label's length in bytes.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Whether the label occurs at all.
    pub fn is_in(&self, hay: &str) -> bool {
        self.find(hay).is_some()
    }
}

/// Declares `static NAME: LazyLock<Literal>` for a label.
#[macro_export]
macro_rules! literal {
    ($name:ident = $text:expr) => {
        static $name: std::sync::LazyLock<$crate::literal::Literal> =
            std::sync::LazyLock::new(|| $crate::literal::Literal::new($text));
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_str() {
        // (label, text)
        let table = [
            (" database=", "user=a database=b database=c"),
            (" host=", "x host=1 host=2"),
            ("é", "aébéc"),
            (" port=", "no label here"),
            (" port=", ""),
            // Overlapping and repeated occurrences, the anchor near either end.
            ("aa(", "aa(aa(a(aa("),
            (
                " SSL enabled (protocol=",
                "x SSL enabled (protocol= SSL enabled (protocol=y",
            ),
            ("\" method=", "a\" method=b\" method=c"),
            ("=", "=="),
            ("ab", "b"),
        ];
        for (label, text) in table {
            let literal = Literal::new(label);
            assert_eq!(literal.split_once(text), text.split_once(label), "{text}");
            assert_eq!(literal.rsplit_once(text), text.rsplit_once(label), "{text}");
            assert_eq!(literal.is_in(text), text.contains(label), "{text}");
        }
    }
}
