//! sqlcmd's default form: a header padded to each column's display width, a
//! rule of dashes per column (joined by a space, or by the `-s` separator),
//! fixed-width rows, `(N rows affected)` unless `SET NOCOUNT ON`. With `-W`
//! the padding goes: with `-s` rows are split at the separator; without it
//! the header is its names joined by single spaces, the rule underlines
//! each name only, and rows are cut by their values' shapes (a row more
//! than one cut fits is skipped and counted: give `-s` to keep such rows).

use super::ruled::{Ruled, Rules, header_columns};
use super::{DumpForm, FormReader, Head};

pub struct Sqlcmd;

impl DumpForm for Sqlcmd {
    fn id(&self) -> &'static str {
        "sqlcmd"
    }
    fn name(&self) -> &'static str {
        "sqlcmd"
    }
    fn columns(&self, head: &Head<'_>) -> Option<Vec<String>> {
        header_columns(head, Rules::Sqlcmd)
    }
    fn reader(&self) -> Box<dyn FormReader> {
        Box::new(Ruled::new(Rules::Sqlcmd))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::forms::testing::{cells, lines, read};

    /// Typed from the documented layout (no SQL Server runs here).
    #[test]
    fn sqlcmd_default_separator_and_trimmed() {
        let table = [
            (
                "session_id connect_time            encrypt_option program_name\n\
                 ---------- ----------------------- -------------- ------------------------\n\
                 \x20       52 2024-05-01 10:00:00.123 TRUE           Core .Net SqlClient Data\n\
                 \x20       53 2024-05-01 10:00:01.000 FALSE          NULL                    \n\
                 \n\
                 (2 rows affected)\n",
                "SRRE",
                "session_id=52 connect_time=2024-05-01 10:00:00.123 encrypt_option=TRUE program_name=Core .Net SqlClient Data",
            ),
            (
                "session_id,connect_time           ,encrypt_option,program_name\n\
                 ----------,-----------------------,--------------,------------\n\
                 \x20       52,2024-05-01 10:00:00.123,TRUE          ,sqlcmd      \n",
                "SR",
                "session_id=52 connect_time=2024-05-01 10:00:00.123 encrypt_option=TRUE program_name=sqlcmd",
            ),
            (
                "session_id|connect_time|encrypt_option|program_name\n\
                 ----------|------------|--------------|------------\n\
                 52|2024-05-01 10:00:00.123|TRUE|Microsoft SQL Server Management Studio - Query\n",
                "SR",
                "session_id=52 connect_time=2024-05-01 10:00:00.123 encrypt_option=TRUE program_name=Microsoft SQL Server Management Studio - Query",
            ),
        ];
        for (text, shape, first) in table {
            assert!(Sqlcmd.columns(&lines(text)).is_some(), "{text}");
            let (rows, got) = read(&Sqlcmd, text);
            assert_eq!(got, shape, "{text}");
            assert_eq!(cells(&rows[0]), first);
        }
    }

    /// Typed from the documented layout of `sqlcmd -W` without `-s` (no SQL
    /// Server runs here): the dashes underline the names only.
    #[test]
    fn sqlcmd_trimmed_without_separator() {
        let text = "captured_at session_id connect_time encrypt_option client_net_address program_name login_name client_interface_name\n\
                    ----------- ---------- ------------ -------------- ------------------ ------------ ---------- ---------------------\n\
                    2026-11-29 04:01:12.0000000 52 2026-11-29 03:58:40.117 TRUE 10.0.1.5 orders-api app Microsoft JDBC Driver 12.4\n\
                    2026-11-29 04:01:12.0000000 53 2026-11-29 04:00:02.530 FALSE 10.0.1.6 Report Builder svc ODBC\n\
                    2026-11-29 04:01:12.0000000 54 2026-11-29 04:00:03.000 MAYBE 10.0.1.6 x svc ODBC\n\
                    \n\
                    (3 rows affected)\n";
        assert!(Sqlcmd.columns(&lines(text)).is_some());
        let (rows, shape) = read(&Sqlcmd, text);
        // The second row: `Report Builder svc` is a program and a login in
        // two ways. The third: MAYBE is no encrypt_option.
        assert_eq!(shape, "SRBBE");
        assert_eq!(
            cells(&rows[0]),
            "captured_at=2026-11-29 04:01:12.0000000 session_id=52 connect_time=2026-11-29 03:58:40.117 encrypt_option=TRUE client_net_address=10.0.1.5 program_name=orders-api login_name=app client_interface_name=Microsoft JDBC Driver 12.4"
        );
    }
}
