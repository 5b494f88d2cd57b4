//! CSV with a header line: psql `--csv`, `COPY (…) TO STDOUT WITH CSV
//! HEADER`, spreadsheets, any tool's export. Quoted fields (`"a,b"`, `""`)
//! are read as CSV has them; a value spanning lines is skipped and counted.

use super::delimited::{Delimited, Quoting, header_columns};
use super::{DumpForm, FormReader, Head};

pub struct Csv;

impl DumpForm for Csv {
    fn id(&self) -> &'static str {
        "csv"
    }
    fn name(&self) -> &'static str {
        "CSV"
    }
    fn columns(&self, head: &Head<'_>) -> Option<Vec<String>> {
        header_columns(head, Some(","), Quoting::Csv)
    }
    fn reader(&self) -> Box<dyn FormReader> {
        Box::new(Delimited::new(Some(","), Quoting::Csv))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::forms::testing::{cells, lines, read};

    #[test]
    fn csv_with_quotes_and_several_captures() {
        let text = "captured_at,pid,application_name,ssl\n\
                    2026-11-29 04:01:12+00,4242,\"worker, 2\",t\n\
                    2026-11-29 04:01:12+00,4243,\"say \"\"hi\"\"\",f\n\
                    captured_at,pid,application_name,ssl\n\
                    2026-11-29 04:02:12+00,4242,\"open,t\n";
        assert!(Csv.columns(&lines(text)).is_some());
        let (rows, shape) = read(&Csv, text);
        assert_eq!(shape, "SRRSB");
        assert_eq!(
            cells(&rows[0]),
            "captured_at=2026-11-29 04:01:12+00 pid=4242 application_name=worker, 2 ssl=t"
        );
        assert_eq!(rows[1].get("application_name"), Some("say \"hi\""));
        assert!(Csv.columns(&lines("hello,world\n1,2\n")).is_none());
    }
}
