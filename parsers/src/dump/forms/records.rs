//! What the record-per-block forms share (psql `\x`, mysql `\G`): a record
//! marker, then one `name<separator>value` line per column.

use crate::dump::{Event, Row};

/// Collects one record's lines into a row.
#[derive(Default)]
pub(super) struct Records {
    current: Option<Row>,
}

impl Records {
    /// A new record begins at `line` (the first of a capture when `first`).
    pub(super) fn begin(&mut self, line: u64, first: bool, out: &mut Vec<Event>) {
        self.flush(out);
        if first {
            out.push(Event::Start);
        }
        self.current = Some(Row::new(line));
    }

    /// A `name`/`value` line; an empty name continues the last value (a
    /// value with a newline in it).
    pub(super) fn cell(&mut self, line: u64, name: &str, value: &str) {
        let row = self.current.get_or_insert_with(|| Row::new(line));
        let value = value.trim_end();
        if name.trim().is_empty()
            && let Some((_, Some(last))) = row.cells.last_mut()
        {
            last.truncate(last.trim_end_matches('+').trim_end().len());
            last.push('\n');
            last.push_str(value);
            return;
        }
        row.push(name, Some(value.to_string()));
    }

    pub(super) fn flush(&mut self, out: &mut Vec<Event>) {
        if let Some(row) = self.current.take().filter(|r| !r.cells.is_empty()) {
            out.push(Event::Row(row));
        }
    }
}
