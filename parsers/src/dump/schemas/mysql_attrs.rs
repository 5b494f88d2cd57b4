//! MySQL / MariaDB `performance_schema.session_connect_attrs` (or
//! `session_account_connect_attrs`): one row per attribute of a session.

use super::{Captured, DumpSchema, number};
use crate::dump::Row;

pub struct SessionConnectAttrs;

const COLUMNS: [&str; 4] = [
    "processlist_id",
    "attr_name",
    "attr_value",
    "ordinal_position",
];

impl DumpSchema for SessionConnectAttrs {
    fn name(&self) -> &'static str {
        "performance_schema.session_connect_attrs"
    }
    fn columns(&self) -> &'static [&'static str] {
        &COLUMNS
    }
    fn fits(&self, columns: &[String]) -> bool {
        ["processlist_id", "attr_name", "attr_value"]
            .iter()
            .all(|n| columns.iter().any(|c| c == n))
    }
    fn read<'r>(&self, row: &'r Row) -> Result<Captured<'r>, &'static str> {
        let Some(name) = row.get("attr_name") else {
            return Err("an attribute without a name");
        };
        Ok(Captured::Attribute {
            processlist_id: number(row, &["processlist_id"])?,
            name,
            value: row.get("attr_value").unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::schemas::testing::row;

    #[test]
    fn connect_attribute_rows() {
        let r = row(
            "processlist_id=31 ; attr_name=program_name ; attr_value=mysql ; ordinal_position=5",
        );
        assert_eq!(
            SessionConnectAttrs.read(&r),
            Ok(Captured::Attribute {
                processlist_id: 31,
                name: "program_name",
                value: "mysql"
            })
        );
        let bad = row("processlist_id=x ; attr_name=_os ; attr_value=Linux");
        assert!(SessionConnectAttrs.read(&bad).is_err());
    }
}
