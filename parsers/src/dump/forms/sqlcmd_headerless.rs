//! sqlcmd `-h -1` (no header, no rule): rows only, whose columns are those
//! of the documented capture query (`sslcensus sql sqlserver`), in its
//! order. With `-s` they are split at the separator; without it (padded,
//! or `-W`) they are cut by their values' shapes ([`words`]), and a row
//! more than one cut fits is skipped and counted. Detected by the shape of
//! the first row: a time, a session id, a time, and the rest fitting.

use super::delimited::Delimited;
use super::{DumpForm, FormReader, Head, words};
use crate::dump::schemas::sqlserver::CAPTURE_COLUMNS;
use crate::dump::{Event, is_footer};
use crate::time::parse_timestamp;

pub struct SqlcmdHeaderless;

/// The separators tried, in order.
const SEPARATORS: [&str; 4] = [",", "|", "\t", ";"];

/// The separator that cuts `line` into the capture query's columns, with
/// the capture time, a session id and its connect time where the query puts
/// them.
/// Whether `line` is a row of the capture query's columns joined by spaces
/// only.
fn spaced(line: &str) -> bool {
    let w: Vec<&str> = line.split_whitespace().collect();
    w.len() >= CAPTURE_COLUMNS.len() + 2
        && parse_timestamp(&w[..2].join(" ")).is_some()
        && w[2].bytes().all(|b| b.is_ascii_digit())
        && parse_timestamp(&w[3..5].join(" ")).is_some()
        && words::fits_somehow(line, CAPTURE_COLUMNS)
}

fn separator(line: &str) -> Option<&'static str> {
    SEPARATORS.into_iter().find(|sep| {
        let fields: Vec<&str> = line.split(sep).map(str::trim).collect();
        fields.len() == CAPTURE_COLUMNS.len()
            && parse_timestamp(fields[0]).is_some()
            && !fields[1].is_empty()
            && fields[1].bytes().all(|b| b.is_ascii_digit())
            && parse_timestamp(fields[2]).is_some()
    })
}

impl DumpForm for SqlcmdHeaderless {
    fn id(&self) -> &'static str {
        "sqlcmd-headerless"
    }
    fn name(&self) -> &'static str {
        "sqlcmd -h -1"
    }
    fn columns(&self, head: &Head<'_>) -> Option<Vec<String>> {
        let (_, first) = *head.content().first()?;
        if separator(first).is_none() && !spaced(first) {
            return None;
        }
        Some(CAPTURE_COLUMNS.iter().map(|c| c.to_string()).collect())
    }
    fn reader(&self) -> Box<dyn FormReader> {
        Box::new(Headerless::Unknown)
    }
}

/// How the rows are joined, as the first row shows.
enum Headerless {
    Unknown,
    Separated(Delimited),
    Spaced,
}

impl FormReader for Headerless {
    fn line(&mut self, number: u64, line: &str, out: &mut Vec<Event>) {
        if matches!(self, Headerless::Unknown) {
            if let Some(sep) = separator(line) {
                *self = Headerless::Separated(Delimited::headerless(Some(sep), CAPTURE_COLUMNS));
            } else if spaced(line) {
                *self = Headerless::Spaced;
            }
        }
        match self {
            Headerless::Separated(reader) => reader.line(number, line, out),
            _ if line.trim().is_empty() => {}
            Headerless::Spaced if is_footer(line) => out.push(Event::End),
            Headerless::Spaced => {
                let columns: Vec<String> = CAPTURE_COLUMNS.iter().map(|c| c.to_string()).collect();
                out.push(words::row_event(number, line, &columns, &columns));
            }
            Headerless::Unknown => out.push(Event::Bad {
                line: number,
                why: "not a row of the capture query's columns (sslcensus sql sqlserver)",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::forms::testing::{lines, read};

    /// Typed from the documented layout of `sqlcmd -h -1 -s, -W` over the
    /// capture query (no SQL Server runs here).
    #[test]
    fn headerless_rows_take_the_capture_query_columns() {
        let text = "2026-11-29 04:01:12.000,52,2024-05-01 10:00:00.123,TCP,TSQL,TRUE,SQL,10.0.1.5,50123,orders-api,app01,app,orders,Microsoft JDBC Driver 12.4,1\n\
                    2026-11-29 04:01:12.000,53,2024-05-01 10:00:01.000,TCP,TSQL,FALSE,NTLM,10.0.1.6,50124,sqlcmd,ops,dba,master,ODBC,1\n\
                    (2 rows affected)\n";
        assert_eq!(CAPTURE_COLUMNS[0], "captured_at");
        assert!(SqlcmdHeaderless.columns(&lines(text)).is_some());
        let (rows, shape) = read(&SqlcmdHeaderless, text);
        assert_eq!(shape, "RRE");
        assert_eq!(rows[0].get("program_name"), Some("orders-api"));
        assert_eq!(rows[1].get("encrypt_option"), Some("FALSE"));
        assert!(SqlcmdHeaderless.columns(&lines("1,2,3\n")).is_none());
    }

    /// Typed from the documented layouts of `sqlcmd -h -1` (padded) and
    /// `sqlcmd -h -1 -W` without `-s` (no SQL Server runs here).
    #[test]
    fn headerless_rows_joined_by_spaces() {
        let table = [
            (
                // -h -1 -W: single spaces; the third row's program name
                // holds spaces a login or database could hold too.
                "2026-11-29 04:01:12.0000000 52 2026-11-29 03:58:40.117 TCP TSQL TRUE SQL 10.0.1.5 50123 orders-api app01 app orders Microsoft JDBC Driver 12.4 1\n\
                 2026-11-29 04:01:12.0000000 53 2026-11-29 04:00:02.530 TCP TSQL FALSE SQL 10.0.1.6 50124 legacy-batch batch01 batch orders .Net SqlClient Data Provider 1\n\
                 2026-11-29 04:01:12.0000000 54 2026-11-29 04:00:09.000 TCP TSQL TRUE SQL 10.0.1.8 50200 SQLAgent - Job invocation engine ws07 dba msdb ODBC 1\n",
                "RRB",
            ),
            (
                // -h -1: padded to the columns' widths, a footer.
                "2026-11-29 04:01:12.0000000         52 2026-11-29 03:58:40.117 TCP        TSQL       TRUE       SQL        10.0.1.5          50123 orders-api       app01      app        orders     Microsoft JDBC Driver 12.4              1\n\
                 \n\
                 (1 rows affected)\n",
                "RE",
            ),
        ];
        for (text, shape) in table {
            assert!(SqlcmdHeaderless.columns(&lines(text)).is_some(), "{text}");
            let (rows, got) = read(&SqlcmdHeaderless, text);
            assert_eq!(got, shape, "{text}");
            assert_eq!(rows[0].get("program_name"), Some("orders-api"));
            assert_eq!(
                rows[0].get("client_interface_name"),
                Some("Microsoft JDBC Driver 12.4")
            );
            assert_eq!(rows[0].get("connect_time"), Some("2026-11-29 03:58:40.117"));
        }
        // Not a capture query's row.
        assert!(
            SqlcmdHeaderless
                .columns(&lines("2026-11-29 04:01:12 52 x\n"))
                .is_none()
        );
    }
}
