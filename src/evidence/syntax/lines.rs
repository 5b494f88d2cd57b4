//! Lines of a text: which line an offset is on, and a line's text.

/// Where each line of a text starts.
pub(crate) struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub(crate) fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Lines { starts }
    }

    /// The line (1-based) the byte at `offset` is on.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset)
    }

    /// The byte offset where each line starts, first line first.
    pub(crate) fn starts(&self) -> &[usize] {
        &self.starts
    }

    /// Line `n` (1-based) of `text` (the text these lines are of), without
    /// its newline; empty past the end.
    pub(crate) fn text<'t>(&self, text: &'t str, n: usize) -> &'t str {
        let Some(&start) = self.starts.get(n.wrapping_sub(1)) else {
            return "";
        };
        let end = self.starts.get(n).map_or(text.len(), |&e| e - 1);
        text[start..end.max(start)].trim_end_matches('\r')
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_rows;
    use super::*;

    const TEXT: &str = "a\nbc\r\n\nd";

    #[test]
    fn the_line_of_an_offset() {
        let lines = Lines::new(TEXT);
        assert_rows(
            |offset| lines.line(offset),
            &[(0, 1), (1, 1), (2, 2), (5, 2), (6, 3), (7, 4), (99, 4)],
        );
    }

    #[test]
    fn the_text_of_a_line() {
        let lines = Lines::new(TEXT);
        assert_rows(
            |n| lines.text(TEXT, n),
            &[(0, ""), (1, "a"), (2, "bc"), (3, ""), (4, "d"), (5, "")],
        );
    }
}
