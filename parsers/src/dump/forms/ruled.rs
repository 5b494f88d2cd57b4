//! What the ruled forms share (psql aligned, sqlcmd): a header line, a rule
//! of dashes under it that gives each column's extent, then rows cut at
//! those extents.

use super::psql_wrap::PsqlRow;
use super::{FormReader, Head, is_header, words};
use crate::dump::{Event, Row, column_name, cut_at, is_footer, is_rule, rule_extents};

/// A rule line's joints: psql puts `+` between the dash runs, sqlcmd its
/// column separator (a space by default, `-s` otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rules {
    Psql,
    Sqlcmd,
}

const SQLCMD_JOINTS: [char; 5] = [' ', ',', '|', ';', '\t'];

impl Rules {
    fn is_rule(self, line: &str) -> bool {
        match self {
            Rules::Psql => is_rule(line, &['+']),
            Rules::Sqlcmd => is_rule(line, &SQLCMD_JOINTS),
        }
    }

    /// The character between cells of the rows under this rule.
    fn joint(self, rule: &str) -> char {
        match self {
            Rules::Psql => '|',
            Rules::Sqlcmd => rule.trim_end().chars().find(|&c| c != '-').unwrap_or(' '),
        }
    }
}

/// Splits a line at `joint` (runs of spaces for a space), trimmed.
fn split(line: &str, joint: char) -> Vec<String> {
    if joint == ' ' {
        line.split_whitespace().map(str::to_string).collect()
    } else {
        line.split(joint).map(|c| c.trim().to_string()).collect()
    }
}

/// The header's cells: cut at the rule's extents, else split at the joint.
fn header_cells(header: &str, rule: &str, joint: char) -> Vec<String> {
    let extents = rule_extents(rule);
    cut_at(header, &extents, joint)
        .filter(|cells| cells.iter().all(|c| !c.is_empty()))
        .unwrap_or_else(|| split(header, joint))
}

/// The columns of the first header a rule underlines.
pub(super) fn header_columns(head: &Head<'_>, rules: Rules) -> Option<Vec<String>> {
    let content = head.content();
    content.windows(2).find_map(|pair| {
        let ((_, header), (_, rule)) = (pair[0], pair[1]);
        let psql_joints = rule.contains('+');
        if !rules.is_rule(rule) || psql_joints != (rules == Rules::Psql) {
            return None;
        }
        let cells = header_cells(header, rule, rules.joint(rule));
        is_header(&cells).then_some(cells)
    })
}

/// sqlcmd `-W` without `-s`: the header is its names joined by single
/// spaces and the rule underlines each name only, so the rule says nothing
/// of where the values are (they are cut by [`words`]).
fn is_trimmed(header: &str, rule: &str, joint: char, columns: &[String]) -> bool {
    let runs: Vec<usize> = rule_extents(rule).iter().map(|r| r.len()).collect();
    let names: Vec<usize> = columns.iter().map(|c| c.chars().count()).collect();
    joint == ' ' && runs == names && header.trim_end() == columns.join(" ")
}

/// A psql row whose markers promise more than the next line gives.
const BROKEN: &str = "a psql row whose cell says it goes on (+ or . at its edge) and whose next line does not fit: skipped";

pub(super) struct Ruled {
    rules: Rules,
    /// Rows cut by their values' shapes (sqlcmd `-W` without `-s`).
    trimmed: bool,
    previous: Option<String>,
    extents: Vec<std::ops::Range<usize>>,
    joint: char,
    columns: Option<Vec<String>>,
    in_table: bool,
    /// A psql row whose next line may continue it (a newline in a value,
    /// `\pset format wrapped`): given out once a line shows it is whole.
    pending: Option<PsqlRow>,
}

impl Ruled {
    pub(super) fn new(rules: Rules) -> Ruled {
        Ruled {
            rules,
            trimmed: false,
            previous: None,
            extents: Vec::new(),
            joint: ' ',
            columns: None,
            in_table: false,
            pending: None,
        }
    }

    /// Gives out the held row; a row whose markers promised more than came
    /// (a footer, a rule, a time line or the end next) is skipped, counted.
    fn flush(&mut self, out: &mut Vec<Event>) {
        if let Some(row) = self.pending.take_if(|row| row.goes_on()) {
            out.push(Event::Bad {
                line: row.line,
                why: BROKEN,
            });
        }
        if let (Some(row), Some(columns)) = (self.pending.take(), &self.columns) {
            let mut cells = Row::new(row.line);
            for (name, value) in columns.iter().zip(row.values()) {
                cells.push(name, Some(value));
            }
            out.push(Event::Row(cells));
        }
    }
}

impl FormReader for Ruled {
    fn line(&mut self, number: u64, line: &str, out: &mut Vec<Event>) {
        let may_continue = !is_footer(line) && !self.rules.is_rule(line);
        if let Some(row) = &mut self.pending
            && may_continue
        {
            match row.continue_with(line, &self.extents) {
                Ok(true) => return,
                Ok(false) => self.flush(out),
                Err(()) => {
                    out.push(Event::Bad {
                        line: row.line,
                        why: BROKEN,
                    });
                    self.pending = None;
                }
            }
        }
        self.flush(out);
        if self.rules.is_rule(line)
            && let Some(header) = self.previous.take()
        {
            self.joint = self.rules.joint(line);
            self.extents = rule_extents(line);
            let columns = header_cells(&header, line, self.joint);
            self.trimmed =
                self.rules == Rules::Sqlcmd && is_trimmed(&header, line, self.joint, &columns);
            self.columns = Some(columns);
            self.in_table = true;
            out.push(Event::Start);
            return;
        }
        if is_footer(line) {
            self.in_table = false;
            out.push(Event::End);
            return;
        }
        if line.trim().is_empty() {
            self.in_table = false;
            self.previous = None;
            return;
        }
        // The next capture's header, with no footer before it (SET NOCOUNT
        // ON, psql -P footer=off): held until its rule shows it is one.
        let looks_like_header = is_header(&split(line, self.joint))
            || is_header(&split(line, '|'))
            || is_header(&split(line, ' '));
        self.previous = Some(line.to_string());
        if !self.in_table || looks_like_header {
            return;
        }
        let Some(columns) = &self.columns else {
            return;
        };
        if self.trimmed {
            let names: Vec<String> = columns.iter().map(|c| column_name(c)).collect();
            out.push(words::row_event(number, line, columns, &names));
            return;
        }
        if self.rules == Rules::Psql
            && let Some(row) = PsqlRow::start(number, line, &self.extents)
            && row.values_fit(columns.len())
        {
            self.pending = Some(row);
            return;
        }
        let cells = cut_at(line, &self.extents, self.joint)
            .filter(|c| c.len() == columns.len())
            .or_else(|| Some(split(line, self.joint)).filter(|c| c.len() == columns.len()));
        match cells {
            Some(cells) => {
                let mut row = Row::new(number);
                for (name, value) in columns.iter().zip(cells) {
                    row.push(name, Some(value));
                }
                out.push(Event::Row(row));
            }
            None => out.push(Event::Bad {
                line: number,
                why: "does not fit the columns its header's rule gives (a value wider than its column, or a separator inside a value)",
            }),
        }
    }

    fn boundary(&mut self, out: &mut Vec<Event>) {
        self.flush(out);
        self.in_table = false;
        self.previous = None;
    }

    fn finish(&mut self, out: &mut Vec<Event>) {
        self.flush(out);
    }
}
