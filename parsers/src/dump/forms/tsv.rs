//! Tab-separated with a header line: mysql/mariadb `-B` (`--batch`), which
//! escapes tabs, newlines and backslashes in values and prints NULL as
//! `NULL`; any TSV export.

use super::delimited::{Delimited, Quoting, header_columns};
use super::{DumpForm, FormReader, Head};

pub struct Tsv;

impl DumpForm for Tsv {
    fn id(&self) -> &'static str {
        "tsv"
    }
    fn name(&self) -> &'static str {
        "mysql -B / TSV"
    }
    fn columns(&self, head: &Head<'_>) -> Option<Vec<String>> {
        header_columns(head, Some("\t"), Quoting::Backslash)
    }
    fn reader(&self) -> Box<dyn FormReader> {
        Box::new(Delimited::new(Some("\t"), Quoting::Backslash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::forms::testing::{cells, lines, read};

    #[test]
    fn mysql_batch_output() {
        let text = "PROCESSLIST_ID\tPROCESSLIST_USER\tCONNECTION_TYPE\tprogram_name\n\
                    5\tapp-user\tSSL/TLS\tmysql\n\
                    6\tNULL\tNULL\ta\\tb\n";
        assert!(Tsv.columns(&lines(text)).is_some());
        let (rows, shape) = read(&Tsv, text);
        assert_eq!(shape, "SRR");
        assert_eq!(
            cells(&rows[0]),
            "processlist_id=5 processlist_user=app-user connection_type=SSL/TLS program_name=mysql"
        );
        assert_eq!(rows[1].get("processlist_user"), None);
        assert_eq!(rows[1].get("program_name"), Some("a\tb"));
    }
}
