//! What the delimited forms share (psql `-A`, CSV, TSV, sqlcmd `-h -1`):
//! a header line, then rows of as many fields, split at one separator.

use super::{FormReader, Head, is_header};
use crate::dump::{Event, Row, is_footer, split_fields};

/// How fields are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Quoting {
    /// As is (psql `-A`: a value holding the separator cannot be told).
    None,
    /// CSV quotes (`"a,b"`, `""`).
    Csv,
    /// mysql `-B`: `\t`, `\n`, `\\`, `\0` escaped.
    Backslash,
}

/// The separator a header line uses: the first run of characters between
/// two column names (`pid|usename` → `|`, `pid::usename` → `::`).
pub(super) fn infer_separator(header: &str) -> Option<String> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let start = header.find(word)?;
    let rest = header.get(start..)?;
    let after_word = rest.find(|c: char| !word(c))?;
    let tail = rest.get(after_word..)?;
    let sep_len = tail.find(word)?;
    let sep = tail.get(..sep_len)?;
    (!sep.is_empty()).then(|| sep.to_string())
}

fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('0') => out.push('\0'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Splits a line as the form writes it.
pub(super) fn fields(line: &str, separator: &str, quoting: Quoting) -> Option<Vec<String>> {
    let fields = split_fields(line, separator, quoting == Quoting::Csv)?;
    Some(match quoting {
        Quoting::Backslash => fields.iter().map(|f| unescape(f)).collect(),
        _ => fields,
    })
}

/// The columns of a head that is a delimited table with this separator (or
/// the one its header uses): a header line, and a next line with as many
/// fields (or none, or a footer).
pub(super) fn header_columns(
    head: &Head<'_>,
    separator: Option<&str>,
    quoting: Quoting,
) -> Option<Vec<String>> {
    let content = head.content();
    let (_, first) = content.first()?;
    let separator = match separator {
        Some(s) => s.to_string(),
        None => infer_separator(first)?,
    };
    let header = fields(first, &separator, quoting)?;
    if !is_header(&header) {
        return None;
    }
    match content.get(1) {
        Some((_, next)) if !is_footer(next) => {
            (fields(next, &separator, quoting)?.len() == header.len()).then_some(header)
        }
        _ => Some(header),
    }
}

pub(super) struct Delimited {
    separator: Option<String>,
    quoting: Quoting,
    /// The current capture's columns.
    columns: Option<Vec<String>>,
    /// Columns no header gives (sqlcmd `-h -1`).
    fixed: Option<Vec<String>>,
}

impl Delimited {
    pub(super) fn new(separator: Option<&str>, quoting: Quoting) -> Delimited {
        Delimited {
            separator: separator.map(str::to_string),
            quoting,
            columns: None,
            fixed: None,
        }
    }

    /// Rows without a header, of these columns.
    pub(super) fn headerless(separator: Option<&str>, columns: &[&str]) -> Delimited {
        Delimited {
            fixed: Some(columns.iter().map(|c| c.to_string()).collect()),
            ..Delimited::new(separator, Quoting::None)
        }
    }
}

impl FormReader for Delimited {
    fn line(&mut self, number: u64, line: &str, out: &mut Vec<Event>) {
        if line.trim().is_empty() {
            return;
        }
        if is_footer(line) {
            out.push(Event::End);
            return;
        }
        if self.fixed.is_none() {
            let separator = self
                .separator
                .clone()
                .or_else(|| infer_separator(line))
                .unwrap_or_default();
            if let Some(header) = fields(line, &separator, self.quoting).filter(|h| is_header(h)) {
                self.separator = Some(separator);
                self.columns = Some(header);
                out.push(Event::Start);
                return;
            }
        }
        let Some(columns) = self.columns.as_ref().or(self.fixed.as_ref()) else {
            out.push(Event::Bad {
                line: number,
                why: "a row before any header line",
            });
            return;
        };
        let separator = self.separator.as_deref().unwrap_or(",");
        let Some(values) = fields(line, separator, self.quoting) else {
            out.push(Event::Bad {
                line: number,
                why: "a quote is left open",
            });
            return;
        };
        if values.len() != columns.len() {
            out.push(Event::Bad {
                line: number,
                why: "not as many fields as the header has columns (a separator inside a value?)",
            });
            return;
        }
        let mut row = Row::new(number);
        for (name, value) in columns.iter().zip(values) {
            row.push(name, Some(value));
        }
        out.push(Event::Row(row));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_come_from_the_header() {
        let table = [
            ("pid|usename|ssl", Some("|")),
            ("pid::usename", Some("::")),
            ("pid\tusename", Some("\t")),
            ("pid, usename", Some(", ")),
            ("pid", None),
        ];
        for (header, want) in table {
            assert_eq!(infer_separator(header).as_deref(), want, "{header}");
        }
        assert_eq!(unescape("a\\tb\\\\c\\n"), "a\tb\\c\n");
    }
}
