//! mysql/mariadb vertical output (`\G`, `-E`): `*** N. row ***` then one
//! right-aligned `NAME: value` line per column; `N rows in set`.

use super::records::{RecordForm, RecordReader};
use super::{DumpForm, FormReader, Head, is_identifier};

pub struct MysqlVertical;

/// `*************************** 3. row ***************************`.
fn row_number(line: &str) -> Option<u64> {
    let inner = line.trim().trim_matches('*').trim();
    inner.strip_suffix(". row")?.parse().ok()
}

/// `  NAME: value` (`NAME:` alone for an empty value).
fn name_value(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(':')?;
    let name = name.trim();
    is_identifier(name).then(|| (name, value.strip_prefix(' ').unwrap_or(value)))
}

impl DumpForm for MysqlVertical {
    fn id(&self) -> &'static str {
        "mysql-vertical"
    }
    fn name(&self) -> &'static str {
        "mysql vertical (\\G)"
    }
    fn columns(&self, head: &Head<'_>) -> Option<Vec<String>> {
        let content = head.content();
        row_number(content.first()?.1)?;
        let names: Vec<String> = content
            .iter()
            .skip(1)
            .map_while(|(_, l)| row_number(l).is_none().then(|| name_value(l)).flatten())
            .map(|(name, _)| name.to_string())
            .collect();
        super::is_header(&names).then_some(names)
    }
    fn reader(&self) -> Box<dyn FormReader> {
        Box::new(RecordReader::new(RecordForm {
            marker: row_number,
            cell: name_value,
            blank_ends_record: false,
            bad: "neither a row marker nor a NAME: value line",
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::forms::testing::{cells, lines, read};

    #[test]
    fn mysql_vertical_rows() {
        let text = "*************************** 1. row ***************************\n\
                    \x20 PROCESSLIST_ID: 5\n\
                    PROCESSLIST_USER: app-user\n\
                    \x20CONNECTION_TYPE: SSL/TLS\n\
                    *************************** 2. row ***************************\n\
                    \x20 PROCESSLIST_ID: 6\n\
                    PROCESSLIST_USER: NULL\n\
                    \x20CONNECTION_TYPE:\n\
                    2 rows in set (0.001 sec)\n";
        assert_eq!(
            MysqlVertical.columns(&lines(text)).map(|c| c.len()),
            Some(3)
        );
        let (rows, shape) = read(&MysqlVertical, text);
        assert_eq!(shape, "SRRE");
        assert_eq!(
            cells(&rows[0]),
            "processlist_id=5 processlist_user=app-user connection_type=SSL/TLS"
        );
        assert_eq!(rows[1].get("processlist_user"), None);
        assert_eq!(rows[1].get("connection_type"), None);
    }
}
