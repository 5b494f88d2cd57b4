//! psql aligned cells that run over more than one line: a value holding a
//! newline, and with `\pset format wrapped` a value wider than the column.
//! psql says so in the space either side of each cell. The `ascii` line
//! style (the default) puts `+` after a line that a newline ends and `.`
//! after a line cut by the wrap, and `.` before the wrapped part on the
//! next line; `old-ascii` says it in the border before the continued cell
//! on the next line instead: `:` after a newline, `;` after a wrap (the
//! first cell has no border before it: its next part is taken as wrapped).
//! psql right-aligns numbers, their wrapped parts too. The
//! row's other cells are blank on those lines. A row is put back together
//! before it is given out, so a long `application_name` is one value, not
//! a bogus row.

use std::ops::Range;

/// How a cell goes on on the next line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Goes {
    /// It does not.
    Ends,
    /// After a newline in the value.
    Newline,
    /// Cut by the wrap: the next part follows with nothing between.
    Wrapped,
}

/// A row read so far.
#[derive(Debug, Default)]
pub(super) struct PsqlRow {
    pub(super) line: u64,
    cells: Vec<String>,
    /// What the ascii markers of the last line said of each cell.
    goes: Vec<Goes>,
}

/// One physical line cut at the rule's extents: each cell's text (between
/// its two marker places), the marker before it and the one after it.
fn pieces(line: &str, extents: &[Range<usize>]) -> Vec<(String, char, char)> {
    let chars: Vec<char> = line.chars().collect();
    let last = extents.len().saturating_sub(1);
    extents
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let left = chars.get(r.start).copied().unwrap_or(' ');
            // A last cell wider than its rule (a hand-edited file) runs to
            // the end of the line.
            if i == last && chars.len() > r.end {
                let text: String = chars[r.start.min(chars.len())..].iter().collect();
                return (text, left, ' ');
            }
            let end = r.end.saturating_sub(1).min(chars.len());
            let start = (r.start + 1).min(end);
            let right = chars.get(r.end.saturating_sub(1)).copied().unwrap_or(' ');
            (chars[start..end].iter().collect(), left, right)
        })
        .collect()
}

/// The border characters before each cell but the first.
fn joints(line: &str, extents: &[Range<usize>]) -> Option<Vec<char>> {
    let chars: Vec<char> = line.chars().collect();
    extents
        .iter()
        .skip(1)
        .map(|r| {
            r.start
                .checked_sub(1)
                .map(|j| chars.get(j).copied().unwrap_or(' '))
        })
        .collect()
}

/// Digits (and a sign or a point): what psql right-aligns.
fn is_number(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e'))
}

fn goes(right: char) -> Goes {
    match right {
        '+' => Goes::Newline,
        '.' => Goes::Wrapped,
        _ => Goes::Ends,
    }
}

impl PsqlRow {
    /// A row's first line: `None` unless every border is `|`.
    pub(super) fn start(number: u64, line: &str, extents: &[Range<usize>]) -> Option<PsqlRow> {
        if joints(line, extents)?.iter().any(|&j| j != '|') {
            return None;
        }
        let (cells, goes) = pieces(line, extents)
            .into_iter()
            .map(|(text, _, right)| (text, self::goes(right)))
            .unzip();
        Some(PsqlRow {
            line: number,
            cells,
            goes,
        })
    }

    /// Whether the row has as many cells as the header has columns.
    pub(super) fn values_fit(&self, columns: usize) -> bool {
        self.cells.len() == columns
    }

    /// Whether the ascii markers of the last line said a cell goes on.
    pub(super) fn goes_on(&self) -> bool {
        self.goes.iter().any(|&g| g != Goes::Ends)
    }

    /// Takes `line` as the row's next line if it is one: after an ascii
    /// marker, or with old-ascii borders (`:`, `;`, blank, no `|`).
    /// `Err(())` for a line the markers announced that does not fit.
    pub(super) fn continue_with(
        &mut self,
        line: &str,
        extents: &[Range<usize>],
    ) -> Result<bool, ()> {
        let Some(joints) = joints(line, extents) else {
            return Ok(false);
        };
        let ascii = self.goes_on();
        let pieces = pieces(line, extents);
        // old-ascii: no `|` at all, and every cell with text in it has a
        // `:` or `;` before it (or is the first).
        let old_ascii = !ascii
            && !line.trim().is_empty()
            && joints.iter().all(|j| matches!(j, ':' | ';' | ' '))
            && pieces.iter().enumerate().skip(1).all(|(i, (text, ..))| {
                text.trim().is_empty() || matches!(joints[i - 1], ':' | ';')
            });
        if !ascii && !old_ascii {
            return Ok(false);
        }
        if ascii && joints.iter().any(|&j| j != '|') {
            return Err(());
        }
        for (i, (text, _, right)) in pieces.into_iter().enumerate() {
            let how = if ascii {
                self.goes[i]
            } else {
                match i.checked_sub(1).map(|j| joints[j]) {
                    Some(';') => Goes::Wrapped,
                    Some(':') => Goes::Newline,
                    // The first cell has no border before it to say which:
                    // taken as wrapped (what psql's wrapped form does to a
                    // capture time; a time with a newline is no time).
                    None if !text.trim().is_empty() => Goes::Wrapped,
                    _ => Goes::Ends,
                }
            };
            let cell = &mut self.cells[i];
            match how {
                Goes::Newline => {
                    let kept = cell.trim_end().len();
                    cell.truncate(kept);
                    cell.push('\n');
                    cell.push_str(&text);
                }
                // psql right-aligns numbers, their last part too.
                Goes::Wrapped if is_number(cell) && is_number(&text) => {
                    cell.push_str(text.trim_start())
                }
                Goes::Wrapped => cell.push_str(&text),
                Goes::Ends if text.trim().is_empty() => {}
                Goes::Ends => return Err(()),
            }
            self.goes[i] = if ascii { goes(right) } else { Goes::Ends };
        }
        Ok(true)
    }

    /// The row's values, each trimmed of its padding.
    pub(super) fn values(self) -> Vec<String> {
        self.cells
            .into_iter()
            .map(|c| c.trim().to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::rule_extents;

    /// Lines printed by psql 15 (`\pset format wrapped`, `\pset columns
    /// 60`; `linestyle old-ascii`) for one row whose application_name is
    /// too long and whose client_dn holds a newline.
    #[test]
    fn rows_put_back_together() {
        let rule = "-----+----------+-------------------------+-----------+-----";
        let table: [(&[&str], &str); 3] = [
            (
                &[
                    "   1 | app-user | a long application name.| two      +| t",
                    "     |          |. that keeps going on an.| lines     | ",
                    "     |          |.d on for quite a while  |           | ",
                ],
                "1|app-user|a long application name that keeps going on and on for quite a while|two\nlines|t",
            ),
            (
                &[
                    "   1 | app-user | a long application name | two       | t",
                    "                ;  that keeps going on an : lines       ",
                    "                ; d on for quite a while                ",
                ],
                "1|app-user|a long application name that keeps going on and on for quite a while|two\nlines|t",
            ),
            (
                &["   1 | app-user | short                   | one       | t"],
                "1|app-user|short|one|t",
            ),
        ];
        let extents = rule_extents(rule);
        for (lines, want) in table {
            let mut row = PsqlRow::start(1, lines[0], &extents).expect(lines[0]);
            for line in &lines[1..] {
                assert_eq!(row.continue_with(line, &extents), Ok(true), "{line}");
            }
            assert!(!row.goes_on());
            assert_eq!(row.values().join("|"), want);
        }
        // A new row is no continuation; a marker's promise broken is bad.
        let mut row = PsqlRow::start(
            1,
            "   1 | a        | b                       | c         | t",
            &extents,
        )
        .unwrap();
        assert_eq!(
            row.continue_with(
                "   2 | a        | b                       | c         | t",
                &extents
            ),
            Ok(false)
        );
        let mut row = PsqlRow::start(
            1,
            "   1 | a        | b                      +| c         | t",
            &extents,
        )
        .unwrap();
        assert_eq!(
            row.continue_with(
                "   2 | a        | b                       | c         | t",
                &extents
            ),
            Err(())
        );
    }
}
