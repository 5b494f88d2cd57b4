//! Dump forms: how a client printed a table. One small file per form, each
//! with its table test of real output; [`FORMS`] is the table detection
//! tries in order (the most particular shapes first).

mod csv;
mod delimited;
mod json;
mod mysql_table;
mod mysql_vertical;
mod psql_aligned;
mod psql_expanded;
mod psql_unaligned;
mod psql_wrap;
mod records;
mod ruled;
mod sqlcmd;
mod sqlcmd_headerless;
mod tsv;
mod words;

use super::Event;

/// A way of printing a table.
pub trait DumpForm: Sync {
    /// The `--format` value.
    fn id(&self) -> &'static str;
    /// How messages name it.
    fn name(&self) -> &'static str;
    /// The column names of the first capture, if the head has this form's
    /// shape.
    fn columns(&self, head: &Head<'_>) -> Option<Vec<String>>;
    /// A reader for one file of this form.
    fn reader(&self) -> Box<dyn FormReader>;
}

/// Reads one file of a form, line by line.
pub trait FormReader: Send {
    /// Reads the next line (1-based `number`, without its newline) and
    /// adds what it makes of it to `out`.
    fn line(&mut self, number: u64, line: &str, out: &mut Vec<Event>);
    /// A time line came between captures: what is held is given out, and
    /// what follows starts afresh.
    fn boundary(&mut self, _out: &mut Vec<Event>) {}
    /// The file ended: what is held is given out (a last record, a cut
    /// JSON array as [`Event::Bad`]).
    fn finish(&mut self, _out: &mut Vec<Event>) {}
}

/// Detection tries these in order.
pub static FORMS: &[&dyn DumpForm] = &[
    &json::Json,
    &psql_expanded::PsqlExpanded,
    &mysql_vertical::MysqlVertical,
    &mysql_table::MysqlTable,
    &psql_aligned::PsqlAligned,
    &sqlcmd::Sqlcmd,
    &csv::Csv,
    &tsv::Tsv,
    &psql_unaligned::PsqlUnaligned,
    &sqlcmd_headerless::SqlcmdHeaderless,
];

/// Whether `text` can be a column name as a query prints it.
fn is_identifier(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '@' | '.' | '(' | ')' | '$'))
        && !t.starts_with(|c: char| c.is_ascii_digit())
}

/// Whether these header cells are column names, one of them a session
/// view's.
fn is_header(cells: &[String]) -> bool {
    cells.len() >= 2
        && cells.iter().all(|c| is_identifier(c))
        && cells
            .iter()
            .any(|c| super::schemas::is_known_column(&super::column_name(c)))
}

/// A file's first lines as detection shows them to every form: the lines
/// worth looking at, with their index (not blank, not a time line or a
/// note between captures), picked out once rather than by each form.
pub struct Head<'a> {
    content: Vec<(usize, &'a str)>,
}

impl<'a> Head<'a> {
    /// The head of these lines.
    pub fn new(lines: &[&'a str]) -> Head<'a> {
        let content = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| {
                !l.trim().is_empty() && !super::is_note(l) && super::time_line(l).is_none()
            })
            .map(|(i, l)| (i, *l))
            .collect();
        Head { content }
    }

    /// The lines worth looking at, with their index among all lines.
    fn content(&self) -> &[(usize, &'a str)] {
        &self.content
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::dump::Row;

    /// The rows a form reads from `text`, as (column, value) pairs, and
    /// the events in order as letters: S start, E end, R row, B bad.
    pub fn read(form: &dyn DumpForm, text: &str) -> (Vec<Row>, String) {
        let mut reader = form.reader();
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            reader.line(i as u64 + 1, line, &mut out);
        }
        reader.finish(&mut out);
        let mut rows = Vec::new();
        let mut shape = String::new();
        for event in out {
            match event {
                Event::Start => shape.push('S'),
                Event::End => shape.push('E'),
                Event::Bad { .. } => shape.push('B'),
                Event::Row(row) => {
                    shape.push('R');
                    rows.push(row);
                }
            }
        }
        (rows, shape)
    }

    /// A row's cells as `name=value` (`name=∅` for NULL).
    pub fn cells(row: &Row) -> String {
        row.cells
            .iter()
            .map(|(n, v)| format!("{n}={}", v.as_deref().unwrap_or("∅")))
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn lines(text: &str) -> Head<'_> {
        Head::new(&text.lines().collect::<Vec<_>>())
    }
}
