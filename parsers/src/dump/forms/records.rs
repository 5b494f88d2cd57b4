//! What the record-per-block forms share (psql `\x`, mysql `\G`): a record
//! marker, then one `name<separator>value` line per column.

use super::FormReader;
use crate::dump::{Event, Row, is_footer};

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

/// A record form: its marker line (with the record's number) and its
/// `name`/`value` lines.
pub(super) struct RecordForm {
    pub(super) marker: fn(&str) -> Option<u64>,
    pub(super) cell: fn(&str) -> Option<(&str, &str)>,
    /// A blank line ends a record (psql `-A -x`, whose records have no marker).
    pub(super) blank_ends_record: bool,
    pub(super) bad: &'static str,
}

/// Reads a record form.
pub(super) struct RecordReader {
    form: RecordForm,
    records: Records,
}

impl RecordReader {
    pub(super) fn new(form: RecordForm) -> RecordReader {
        RecordReader {
            form,
            records: Records::default(),
        }
    }
}

impl FormReader for RecordReader {
    fn line(&mut self, number: u64, line: &str, out: &mut Vec<Event>) {
        if let Some(n) = (self.form.marker)(line) {
            self.records.begin(number, n == 1, out);
        } else if is_footer(line) {
            self.records.flush(out);
            out.push(Event::End);
        } else if line.trim().is_empty() {
            if self.form.blank_ends_record {
                self.records.flush(out);
            }
        } else if let Some((name, value)) = (self.form.cell)(line) {
            self.records.cell(number, name, value);
        } else {
            out.push(Event::Bad {
                line: number,
                why: self.form.bad,
            });
        }
    }

    fn boundary(&mut self, out: &mut Vec<Event>) {
        self.records.flush(out);
    }

    fn finish(&mut self, out: &mut Vec<Event>) {
        self.records.flush(out);
    }
}
