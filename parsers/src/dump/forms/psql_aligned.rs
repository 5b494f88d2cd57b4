//! psql's default aligned form: a centred header, a rule of dashes joined by
//! `+`, rows with cells between `|`, a `(N rows)` footer. NULL and the empty
//! string both print as nothing.

use super::ruled::{Ruled, Rules, header_columns};
use super::{DumpForm, FormReader};

pub struct PsqlAligned;

impl DumpForm for PsqlAligned {
    fn id(&self) -> &'static str {
        "psql-aligned"
    }
    fn name(&self) -> &'static str {
        "psql aligned"
    }
    fn columns(&self, lines: &[&str]) -> Option<Vec<String>> {
        header_columns(lines, Rules::Psql)
    }
    fn reader(&self) -> Box<dyn FormReader> {
        Box::new(Ruled::new(Rules::Psql))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::forms::testing::{cells, lines, read};

    #[test]
    fn psql_aligned_captures() {
        // psql 15's aligned output (a pipe inside a value stays in its cell:
        // cells are cut where the rule's joints are).
        let text = "  pid  | usename  | application_name | ssl \n\
                    -------+----------+------------------+-----\n\
                    \x20 4242 | app-user | a | b            | t\n\
                    \x20 4243 |          |                  | f\n\
                    (2 rows)\n\
                    \n\
                    \x20 pid | usename | application_name | ssl \n\
                    -----+---------+------------------+-----\n\
                    (0 rows)\n\
                    \n";
        assert_eq!(
            PsqlAligned.columns(&lines(text)),
            Some(vec![
                "pid".into(),
                "usename".into(),
                "application_name".into(),
                "ssl".into()
            ])
        );
        let (rows, shape) = read(&PsqlAligned, text);
        assert_eq!(shape, "SRRESE");
        assert_eq!(
            cells(&rows[0]),
            "pid=4242 usename=app-user application_name=a | b ssl=t"
        );
        assert_eq!(rows[1].get("usename"), None);
    }

    #[test]
    fn captures_without_footers_and_misfits() {
        let text = " pid | ssl\n-----+-----\n 1   | t\n pid | ssl\n-----+-----\n 2   | f\nnot a row at all\n";
        let (rows, shape) = read(&PsqlAligned, text);
        assert_eq!(shape, "SRSRB");
        assert_eq!(
            rows.iter().map(cells).collect::<Vec<_>>(),
            ["pid=1 ssl=t", "pid=2 ssl=f"]
        );
    }
}
