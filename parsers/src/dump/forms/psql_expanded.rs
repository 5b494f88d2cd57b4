//! psql expanded (`\x`, `-x`): `-[ RECORD N ]-----+-----` then one
//! `name | value` line per column; unaligned (`-A -x`): `name|value` lines,
//! records separated by a blank line.

use super::records::{RecordForm, RecordReader};
use super::{DumpForm, FormReader, Head, is_identifier};
use crate::dump::{column_name, schemas::is_known_column};

pub struct PsqlExpanded;

/// `-[ RECORD 12 ]---+----`: the record number.
fn record_number(line: &str) -> Option<u64> {
    let rest = line.trim_start().strip_prefix("-[ RECORD ")?;
    let (number, _) = rest.split_once(' ')?;
    number.parse().ok()
}

/// `name | value` or `name|value`.
fn name_value(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once('|')?;
    Some((name.trim(), value.strip_prefix(' ').unwrap_or(value)))
}

impl DumpForm for PsqlExpanded {
    fn id(&self) -> &'static str {
        "psql-expanded"
    }
    fn name(&self) -> &'static str {
        "psql expanded"
    }
    fn columns(&self, head: &Head<'_>) -> Option<Vec<String>> {
        let content = head.content();
        let start = usize::from(record_number(content.first()?.1).is_some());
        // The first record's names: up to the next record, or a name again.
        let mut names: Vec<String> = Vec::new();
        for (_, line) in content.iter().skip(start) {
            let Some((name, _)) = record_number(line)
                .is_none()
                .then(|| name_value(line))
                .flatten()
            else {
                break;
            };
            if names.iter().any(|n| n == name) {
                break;
            }
            if !name.is_empty() {
                names.push(name.to_string());
            }
        }
        let known = names
            .iter()
            .filter(|n| is_known_column(&column_name(n)))
            .count();
        (names.iter().all(|n| is_identifier(n)) && known >= 3.min(names.len()) && names.len() >= 2)
            .then_some(names)
    }
    fn reader(&self) -> Box<dyn FormReader> {
        Box::new(RecordReader::new(RecordForm {
            marker: record_number,
            cell: name_value,
            blank_ends_record: true,
            bad: "neither a record marker nor a name | value line",
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::forms::testing::{cells, lines, read};

    #[test]
    fn psql_expanded_aligned_and_unaligned() {
        let table = [
            (
                "-[ RECORD 1 ]----+-----------\n\
                 pid              | 4242\n\
                 usename          | app-user\n\
                 application_name | two+\n\
                 \x20                | lines\n\
                 ssl              | t\n\
                 -[ RECORD 2 ]----+-----------\n\
                 pid              | 4243\n\
                 usename          | \n\
                 application_name | \n\
                 ssl              | f\n\
                 \n",
                "SRR",
            ),
            (
                "pid|4242\nusename|app-user\napplication_name|two\nssl|t\n\npid|4243\nusename|\napplication_name|\nssl|f\n",
                "RR",
            ),
        ];
        for (text, shape) in table {
            assert_eq!(
                PsqlExpanded.columns(&lines(text)).map(|c| c.len()),
                Some(4),
                "{text}"
            );
            let (rows, got) = read(&PsqlExpanded, text);
            assert_eq!(got, shape);
            assert_eq!(rows[0].get("pid"), Some("4242"));
            assert_eq!(cells(&rows[1]), "pid=4243 usename= application_name= ssl=f");
        }
        let (rows, _) = read(&PsqlExpanded, table[0].0);
        assert_eq!(rows[0].get("application_name"), Some("two\nlines"));
        assert!(
            PsqlExpanded
                .columns(&lines("pid|usename|ssl\n4242|a|t\n"))
                .is_none()
        );
    }
}
