//! mysql/mariadb table output (`-t`, and the interactive default): borders
//! of `+---+`, cells between `|`, `N rows in set`.

use super::{DumpForm, FormReader, Head, is_header};
use crate::dump::{Event, Row, cut_at, is_footer, is_rule, rule_extents};

pub struct MysqlTable;

fn is_border(line: &str) -> bool {
    line.trim_start().starts_with('+') && is_rule(line.trim(), &['+'])
}

fn cells(line: &str, border: &str) -> Option<Vec<String>> {
    cut_at(line, &rule_extents(border), '|')
}

impl DumpForm for MysqlTable {
    fn id(&self) -> &'static str {
        "mysql-table"
    }
    fn name(&self) -> &'static str {
        "mysql table (-t)"
    }
    fn columns(&self, head: &Head<'_>) -> Option<Vec<String>> {
        let content = head.content();
        content.windows(3).find_map(|w| {
            let ((_, top), (_, header), (_, under)) = (w[0], w[1], w[2]);
            if !is_border(top) || !is_border(under) {
                return None;
            }
            cells(header, top).filter(|c| is_header(c))
        })
    }
    fn reader(&self) -> Box<dyn FormReader> {
        Box::new(Table::default())
    }
}

#[derive(Default, PartialEq)]
enum State {
    /// Before a table, or after one.
    #[default]
    Outside,
    /// After the top border: the header comes.
    Header,
    /// After the header: its border comes.
    UnderHeader,
    Body,
}

#[derive(Default)]
struct Table {
    state: State,
    border: String,
    columns: Vec<String>,
}

impl FormReader for Table {
    fn line(&mut self, number: u64, line: &str, out: &mut Vec<Event>) {
        if is_border(line) {
            self.border = line.to_string();
            self.state = match self.state {
                State::Outside => State::Header,
                State::UnderHeader => {
                    out.push(Event::Start);
                    State::Body
                }
                State::Header => State::Header,
                State::Body => {
                    out.push(Event::End);
                    State::Outside
                }
            };
            return;
        }
        if is_footer(line) || line.trim().is_empty() {
            return;
        }
        match self.state {
            State::Header => match cells(line, &self.border) {
                Some(columns) => {
                    self.columns = columns;
                    self.state = State::UnderHeader;
                }
                None => out.push(Event::Bad {
                    line: number,
                    why: "a table header that does not fit its border",
                }),
            },
            State::Body => {
                match cells(line, &self.border).filter(|c| c.len() == self.columns.len()) {
                    Some(values) => {
                        let mut row = Row::new(number);
                        for (name, value) in self.columns.iter().zip(values) {
                            row.push(name, Some(value));
                        }
                        out.push(Event::Row(row));
                    }
                    None => out.push(Event::Bad {
                        line: number,
                        why: "a table row that does not fit its border",
                    }),
                }
            }
            _ => out.push(Event::Bad {
                line: number,
                why: "a line outside any table",
            }),
        }
    }

    fn boundary(&mut self, _out: &mut Vec<Event>) {
        self.state = State::Outside;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::forms::testing::{cells as row_cells, lines, read};

    #[test]
    fn mysql_table_output() {
        let text = "+----------------+------------------+-----------------+\n\
                    | PROCESSLIST_ID | PROCESSLIST_USER | CONNECTION_TYPE |\n\
                    +----------------+------------------+-----------------+\n\
                    |              5 | app-user         | SSL/TLS         |\n\
                    |              6 | a|b              | TCP/IP          |\n\
                    +----------------+------------------+-----------------+\n\
                    2 rows in set (0.001 sec)\n\
                    \n";
        assert_eq!(MysqlTable.columns(&lines(text)).map(|c| c.len()), Some(3));
        let (rows, shape) = read(&MysqlTable, text);
        assert_eq!(shape, "SRRE");
        assert_eq!(
            row_cells(&rows[0]),
            "processlist_id=5 processlist_user=app-user connection_type=SSL/TLS"
        );
        assert_eq!(rows[1].get("processlist_user"), Some("a|b"));
    }
}
