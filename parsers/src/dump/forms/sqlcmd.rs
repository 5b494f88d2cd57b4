//! sqlcmd's default form: a header padded to each column's display width, a
//! rule of dashes per column (joined by a space, or by the `-s` separator),
//! fixed-width rows, `(N rows affected)` unless `SET NOCOUNT ON`. With `-W`
//! the padding goes and rows are split at the separator: give `-s` then,
//! since a space also sits inside `connect_time`.

use super::ruled::{Ruled, Rules, header_columns};
use super::{DumpForm, FormReader};

pub struct Sqlcmd;

impl DumpForm for Sqlcmd {
    fn id(&self) -> &'static str {
        "sqlcmd"
    }
    fn name(&self) -> &'static str {
        "sqlcmd"
    }
    fn columns(&self, lines: &[&str]) -> Option<Vec<String>> {
        header_columns(lines, Rules::Sqlcmd)
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
}
