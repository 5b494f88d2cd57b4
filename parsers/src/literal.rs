//! Fixed field labels searched in every connection line. `str::split_once`
//! with a `&str` pattern builds a two-way searcher on each call, which costs
//! more than the search on short lines; a `Literal` builds its forward and
//! reverse searchers once.

use memchr::memmem::{Finder, FinderRev};

/// A label with its searchers, built on first use (`static` + `LazyLock`).
pub struct Literal {
    forward: Finder<'static>,
    reverse: FinderRev<'static>,
    len: usize,
}

impl Literal {
    pub fn new(text: &'static str) -> Literal {
        Literal {
            forward: Finder::new(text),
            reverse: FinderRev::new(text),
            len: text.len(),
        }
    }

    /// Where the label first occurs.
    pub fn find(&self, hay: &str) -> Option<usize> {
        self.forward.find(hay.as_bytes())
    }

    /// Text before and after the first occurrence.
    pub fn split_once<'a>(&self, hay: &'a str) -> Option<(&'a str, &'a str)> {
        let at = self.find(hay)?;
        // The label is whole UTF-8, so both cuts are character boundaries.
        Some((hay.get(..at)?, hay.get(at + self.len..)?))
    }

    /// Text before and after the last occurrence.
    pub fn rsplit_once<'a>(&self, hay: &'a str) -> Option<(&'a str, &'a str)> {
        let at = self.reverse.rfind(hay.as_bytes())?;
        Some((hay.get(..at)?, hay.get(at + self.len..)?))
    }

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
        ];
        for (label, text) in table {
            let literal = Literal::new(label);
            assert_eq!(literal.split_once(text), text.split_once(label), "{text}");
            assert_eq!(literal.rsplit_once(text), text.rsplit_once(label), "{text}");
            assert_eq!(literal.is_in(text), text.contains(label), "{text}");
        }
    }
}
