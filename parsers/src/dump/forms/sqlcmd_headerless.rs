//! sqlcmd `-h -1` (no header, no rule) with a separator (`-s`, and `-W`):
//! rows only, whose columns are those of the documented capture query
//! (`sslcensus sql sqlserver`). Without `-s` the columns cannot be cut.

use super::delimited::Delimited;
use super::{DumpForm, FormReader, content};
use crate::dump::schemas::sqlserver::CAPTURE_COLUMNS;
use crate::time::parse_timestamp;

pub struct SqlcmdHeaderless;

/// The separators tried, in order.
const SEPARATORS: [&str; 4] = [",", "|", "\t", ";"];

/// The separator that cuts `line` into the capture query's columns, with
/// the capture time, a session id and its connect time where the query puts
/// them.
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
    fn columns(&self, lines: &[&str]) -> Option<Vec<String>> {
        let (_, first) = *content(lines).first()?;
        separator(first)?;
        Some(CAPTURE_COLUMNS.iter().map(|c| c.to_string()).collect())
    }
    fn reader(&self) -> Box<dyn FormReader> {
        Box::new(Headerless(None))
    }
}

/// Picks the separator on the first row.
struct Headerless(Option<Delimited>);

impl FormReader for Headerless {
    fn line(&mut self, number: u64, line: &str, out: &mut Vec<crate::dump::Event>) {
        if self.0.is_none()
            && let Some(sep) = separator(line)
        {
            self.0 = Some(Delimited::headerless(Some(sep), CAPTURE_COLUMNS));
        }
        match &mut self.0 {
            Some(reader) => reader.line(number, line, out),
            None if line.trim().is_empty() => {}
            None => out.push(crate::dump::Event::Bad {
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
}
