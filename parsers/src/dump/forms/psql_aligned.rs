//! psql's default aligned form: a centred header, a rule of dashes joined by
//! `+`, rows with cells between `|`, a `(N rows)` footer. NULL and the empty
//! string both print as nothing.

use super::ruled::{Ruled, Rules, header_columns};
use super::{DumpForm, FormReader, Head};

pub struct PsqlAligned;

impl DumpForm for PsqlAligned {
    fn id(&self) -> &'static str {
        "psql-aligned"
    }
    fn name(&self) -> &'static str {
        "psql aligned"
    }
    fn columns(&self, head: &Head<'_>) -> Option<Vec<String>> {
        header_columns(head, Rules::Psql)
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

    /// psql 15 with `-P format=wrapped -P columns=180`, in the default
    /// (`ascii`) and the `old-ascii` line styles: the first capture of
    /// samples/dumps/postgresql/psql-wrapped{,-old-ascii}, cut to five
    /// columns; and a value holding a newline (`+`, then `:`).
    #[test]
    fn wrapped_and_multi_line_cells_are_put_back_together() {
        let table = [
            (
                "     captured_at      | pid  | usename | application_name | ssl \n\
                 ----------------------+------+---------+------------------+-----\n\
                 \x202026-12-03 13:04:18..| 1613.| app-use.| app_long_running.| t   \n\
                 .532101+00            |.   5 |.r       |._orders_service_.|     \n\
                 \x20                     |      |         |.with_a_long_appl.|     \n\
                 \x20                     |      |         |.ication_name     |     \n\
                 \x202026-12-03 13:04:18..| 1613.| app-use.| app_plain        | f   \n\
                 .532101+00            |.   0 |.r       |                  |     \n\
                 (2 rows)\n",
                "SRRE",
            ),
            (
                "     captured_at      | pid  | usename | application_name | ssl \n\
                 ----------------------+------+---------+------------------+-----\n\
                 \x202026-12-03 13:04:18. | 1613 | app-use | app_long_running | t   \n\
                 \x20532101+00            ;    5 ; r       ; _orders_service_        \n\
                 \x20                                      ; with_a_long_appl        \n\
                 \x20                                      ; ication_name            \n\
                 \x202026-12-03 13:04:18. | 1613 | app-use | app_plain        | f   \n\
                 \x20532101+00            ;    0 ; r                               \n\
                 (2 rows)\n",
                "SRRE",
            ),
        ];
        for (text, shape) in table {
            let (rows, got) = read(&PsqlAligned, text);
            assert_eq!(got, shape, "{text}");
            assert_eq!(
                cells(&rows[0]),
                "captured_at=2026-12-03 13:04:18.532101+00 pid=16135 usename=app-user application_name=app_long_running_orders_service_with_a_long_application_name ssl=t",
                "{text}"
            );
            assert_eq!(rows[1].get("pid"), Some("16130"));
        }
        let newline = " pid | client_dn | ssl \n-----+-----------+-----\n   1 | CN=a     +| t\n     | O=b       | \n   2 | x         | f\n";
        let (rows, shape) = read(&PsqlAligned, newline);
        assert_eq!(shape, "SRR");
        assert_eq!(rows[0].get("client_dn"), Some("CN=a\nO=b"));
        let old = newline
            .replace("+|", " |")
            .replace("     | O=b       | ", "     : O=b         ");
        let (rows, shape) = read(&PsqlAligned, &old);
        assert_eq!(shape, "SRR");
        assert_eq!(rows[0].get("client_dn"), Some("CN=a\nO=b"));
        // A `+` whose next line does not go on: the row is skipped, counted.
        let broken = " pid | client_dn | ssl \n-----+-----------+-----\n   1 | CN=a     +| t\n   2 | x         | f\n";
        assert_eq!(read(&PsqlAligned, broken).1, "SBR");
        let cut =
            " pid | client_dn | ssl \n-----+-----------+-----\n   1 | CN=a     +| t\n(1 row)\n";
        assert_eq!(read(&PsqlAligned, cut).1, "SBE");
    }
}
