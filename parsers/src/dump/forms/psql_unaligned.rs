//! psql `-A` (unaligned), with any field separator (`-F`): a header line,
//! rows, `(N rows)`. Nothing is quoted: a value holding the separator makes
//! its row unreadable (skipped and counted).

use super::delimited::{Delimited, Quoting, header_columns, infer_separator};
use super::{DumpForm, FormReader, Head};

pub struct PsqlUnaligned;

impl DumpForm for PsqlUnaligned {
    fn id(&self) -> &'static str {
        "psql-unaligned"
    }
    fn name(&self) -> &'static str {
        "psql unaligned"
    }
    fn columns(&self, head: &Head<'_>) -> Option<Vec<String>> {
        // Comma and tab tables are the CSV and TSV forms'; spaces alone
        // cannot be told from a value's.
        let first = head.content().first()?.1;
        let separator = infer_separator(first)?;
        if separator == "," || separator == "\t" || separator.trim().is_empty() {
            return None;
        }
        header_columns(head, Some(&separator), Quoting::None)
    }
    fn reader(&self) -> Box<dyn FormReader> {
        Box::new(Delimited::new(None, Quoting::None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::forms::testing::{cells, lines, read};

    #[test]
    fn psql_unaligned_with_any_separator() {
        // psql -A, then psql -A -F '::' (hand-made headers of the real shape).
        let table = [
            (
                "pid|usename|ssl\n4242|app-user|t\n4243||f\n(2 rows)\n",
                "SRRE",
                vec!["pid=4242 usename=app-user ssl=t", "pid=4243 usename= ssl=f"],
            ),
            (
                "pid::usename::ssl\n4242::app-user::t\n",
                "SR",
                vec!["pid=4242 usename=app-user ssl=t"],
            ),
            ("pid|usename|ssl\n4242|a|b|t\n", "SB", vec![]),
        ];
        for (text, shape, want) in table {
            // A misfit second line keeps the head from passing for a table.
            assert_eq!(
                PsqlUnaligned.columns(&lines(text)).is_some(),
                shape != "SB",
                "{text}"
            );
            let (rows, got) = read(&PsqlUnaligned, text);
            assert_eq!(got, shape, "{text}");
            assert_eq!(rows.iter().map(cells).collect::<Vec<_>>(), want, "{text}");
        }
        assert!(
            PsqlUnaligned
                .columns(&lines("pid,usename\n1,a\n"))
                .is_none()
        );
    }
}
