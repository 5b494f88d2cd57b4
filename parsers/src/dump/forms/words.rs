//! sqlcmd rows whose cells are joined by spaces and nothing else: `-W`
//! without `-s` (single spaces, trailing spaces removed) and `-h -1`
//! without `-s` (cells padded to their widths, no header to measure them).
//! Values hold spaces too (`program_name`, `client_interface_name`, the
//! times), so a row is cut by what each column of SQL Server's views can
//! hold, and taken only when exactly one cut fits: a row two cuts fit is
//! skipped and counted, never guessed.

use crate::dump::{Event, Row};
use crate::time::parse_timestamp;

/// What a column's cell can hold, in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A `datetime`/`datetime2`: date and time (and an offset), or NULL.
    Time,
    /// An integer, or NULL.
    Int,
    /// One of the documented values, or NULL.
    OneOf(&'static [&'static str]),
    /// One word (an address, a computer name: NetBIOS names hold no
    /// spaces), or `<local machine>` (shared memory).
    Word,
    /// `client_interface_name`: a known driver's name, or one word that is
    /// no part of one.
    Interface,
    /// Anything, one word or more (`program_name`, a login, a database, a
    /// column sslcensus does not know).
    Text,
}

/// `sys.dm_exec_connections` documents these values.
const NET_TRANSPORTS: &[&str] = &[
    "TCP",
    "Shared memory",
    "Named pipe",
    "Session",
    "HTTP",
    "VIA",
];
const PROTOCOL_TYPES: &[&str] = &["TSQL", "SOAP", "Database Mirroring", "Service Broker"];
const BOOLEANS: &[&str] = &["TRUE", "FALSE"];
const AUTH_SCHEMES: &[&str] = &["SQL", "NTLM", "KERBEROS", "DIGEST", "BASIC", "NEGOTIATE"];

/// `client_interface_name` as drivers report it; `*` is one word (a
/// version).
const INTERFACES: &[&str] = &[
    ".Net SqlClient Data Provider",
    "Core .Net SqlClient Data Provider",
    "Microsoft SqlClient Data Provider",
    "Microsoft JDBC Driver *",
    "ODBC",
    "OLEDB",
    "DB-Library",
    "jTDS",
    "go-mssqldb",
    "Tedious",
];

fn shape(column: &str) -> Shape {
    match column {
        "captured_at" | "connect_time" | "login_time" | "last_read" | "last_write" => Shape::Time,
        "session_id" | "client_tcp_port" | "is_user_process" | "client_version"
        | "local_tcp_port" => Shape::Int,
        "net_transport" => Shape::OneOf(NET_TRANSPORTS),
        "protocol_type" => Shape::OneOf(PROTOCOL_TYPES),
        "encrypt_option" => Shape::OneOf(BOOLEANS),
        "auth_scheme" => Shape::OneOf(AUTH_SCHEMES),
        "client_net_address" | "local_net_address" | "host_name" => Shape::Word,
        "client_interface_name" => Shape::Interface,
        _ => Shape::Text,
    }
}

fn is_interface(words: &[&str]) -> bool {
    let known = INTERFACES.iter().any(|name| {
        let name: Vec<&str> = name.split(' ').collect();
        name.len() == words.len() && name.iter().zip(words).all(|(n, w)| *n == "*" || n == w)
    });
    if known {
        return true;
    }
    // One word that no known name holds (so `Microsoft JDBC Driver 12.4`
    // is never cut into a database `Microsoft JDBC Driver` and `12.4`).
    let [word] = words else { return false };
    !word.starts_with(|c: char| c.is_ascii_digit())
        && !INTERFACES
            .iter()
            .filter(|n| n.contains(' '))
            .any(|n| n.split(' ').any(|w| w == *word))
}

fn fits(shape: Shape, words: &[&str]) -> bool {
    if words == ["NULL"] {
        return true;
    }
    let joined = || words.join(" ");
    match shape {
        Shape::Time => words.len() <= 3 && parse_timestamp(&joined()).is_some(),
        Shape::Int => words.len() == 1 && words[0].bytes().all(|b| b.is_ascii_digit()),
        Shape::OneOf(values) => values.contains(&joined().as_str()),
        Shape::Word => words.len() == 1 || joined() == "<local machine>",
        Shape::Interface => is_interface(words),
        Shape::Text => !words.is_empty(),
    }
}

/// How many cuts of `words[from..]` fit `shapes`: 0, 1, or 2 for more.
fn cuts(shapes: &[Shape], words: &[&str], from: usize, memo: &mut Vec<Option<u8>>) -> u8 {
    let Some((&first, rest)) = shapes.split_first() else {
        return u8::from(from == words.len());
    };
    let key = shapes.len() * (words.len() + 1) + from;
    if let Some(n) = memo[key] {
        return n;
    }
    let mut n = 0u8;
    // Every later column takes one word at least.
    let most = words.len().saturating_sub(from + rest.len());
    for take in 1..=most {
        if fits(first, &words[from..from + take]) {
            n = n
                .saturating_add(cuts(rest, words, from + take, memo))
                .min(2);
            if n >= 2 {
                break;
            }
        }
    }
    memo[key] = Some(n);
    n
}

/// Why a row of space-joined cells was not cut.
pub(super) const NO_FIT: &str = "a space-joined sqlcmd row (-W or -h -1 without -s) that does not fit the columns' values: skipped";
pub(super) const AMBIGUOUS: &str = "a space-joined sqlcmd row (-W or -h -1 without -s) whose values hold spaces where more than one cut fits: skipped (give sqlcmd -s to keep such rows)";

/// Whether `line` can be cut into `columns` at all (detection).
pub(super) fn fits_somehow(line: &str, columns: &[&str]) -> bool {
    let shapes: Vec<Shape> = columns.iter().map(|c| shape(c)).collect();
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut memo = vec![None; (shapes.len() + 1) * (words.len() + 1)];
    cuts(&shapes, &words, 0, &mut memo) > 0
}

/// Cuts `line` into the cells of `columns` (lower-case names), each cell's
/// words joined by one space; the one cut that fits, or why none is taken.
pub(super) fn cut(line: &str, columns: &[String]) -> Result<Vec<String>, &'static str> {
    let shapes: Vec<Shape> = columns.iter().map(|c| shape(c)).collect();
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut memo = vec![None; (shapes.len() + 1) * (words.len() + 1)];
    match cuts(&shapes, &words, 0, &mut memo) {
        0 => return Err(NO_FIT),
        1 => {}
        _ => return Err(AMBIGUOUS),
    }
    let mut cells = Vec::with_capacity(shapes.len());
    let mut from = 0;
    for (i, &first) in shapes.iter().enumerate() {
        let rest = &shapes[i + 1..];
        let most = words.len().saturating_sub(from + rest.len());
        let take = (1..=most)
            .find(|&take| {
                fits(first, &words[from..from + take])
                    && cuts(rest, &words, from + take, &mut memo) == 1
            })
            .ok_or(NO_FIT)?;
        cells.push(words[from..from + take].join(" "));
        from += take;
    }
    Ok(cells)
}

/// The event of a space-joined row: its cells under `columns` (as printed;
/// `names` are their lower-case forms the cut goes by), or why it is skipped.
pub(super) fn row_event(number: u64, line: &str, columns: &[String], names: &[String]) -> Event {
    match cut(line, names) {
        Ok(cells) => {
            let mut row = Row::new(number);
            for (name, value) in columns.iter().zip(cells) {
                row.push(name, Some(value));
            }
            Event::Row(row)
        }
        Err(why) => Event::Bad { line: number, why },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::schemas::sqlserver::CAPTURE_COLUMNS;

    /// Typed from the documented values of sys.dm_exec_connections and
    /// sys.dm_exec_sessions (no SQL Server runs here).
    #[test]
    fn rows_are_cut_only_where_one_cut_fits() {
        let columns: Vec<String> = CAPTURE_COLUMNS.iter().map(|c| c.to_string()).collect();
        let table: [(&str, Result<&str, &str>); 6] = [
            (
                "2026-11-29 04:01:12.0000000 52 2026-11-29 03:58:40.117 TCP TSQL TRUE SQL 10.0.1.5 50123 orders-api app01 app orders Microsoft JDBC Driver 12.4 1",
                Ok(
                    "2026-11-29 04:01:12.0000000|52|2026-11-29 03:58:40.117|TCP|TSQL|TRUE|SQL|10.0.1.5|50123|orders-api|app01|app|orders|Microsoft JDBC Driver 12.4|1",
                ),
            ),
            // Padded (-h -1 without -W): runs of spaces are one joint.
            (
                "2026-11-29 04:01:12.0000000         53 2026-11-29 04:00:02.530 Shared memory   TSQL   FALSE  NTLM  <local machine>   NULL legacy-batch   batch01   CORP\\batch   orders   .Net SqlClient Data Provider   1",
                Ok(
                    "2026-11-29 04:01:12.0000000|53|2026-11-29 04:00:02.530|Shared memory|TSQL|FALSE|NTLM|<local machine>|NULL|legacy-batch|batch01|CORP\\batch|orders|.Net SqlClient Data Provider|1",
                ),
            ),
            // A program name with spaces, a one-word login and database:
            // the spaces could belong to the program, the login or the
            // database.
            (
                "2026-11-29 04:01:12.0000000 54 2026-11-29 04:00:09.000 TCP TSQL TRUE SQL 10.0.1.8 50200 Microsoft SQL Server Management Studio - Query ws07 dba master .Net SqlClient Data Provider 1",
                Err(AMBIGUOUS),
            ),
            (
                "2026-11-29 04:01:12.0000000 55 2026-11-29 04:00:09.000 TCP TSQL MAYBE SQL 10.0.1.8 50200 app h u d ODBC 1",
                Err(NO_FIT),
            ),
            // A cut line.
            (
                "2026-11-29 04:01:12.0000000 56 2026-11-29 04:00:09.000 TCP TSQL",
                Err(NO_FIT),
            ),
            // An interface name sslcensus does not know, of two words.
            (
                "2026-11-29 04:01:12.0000000 57 2026-11-29 04:00:09.000 TCP TSQL TRUE SQL 10.0.1.8 50200 app h u d Acme Connector 1",
                Err(AMBIGUOUS),
            ),
        ];
        for (line, want) in table {
            let got = cut(line, &columns).map(|cells| cells.join("|"));
            assert_eq!(got, want.map(str::to_string), "{line}");
        }
    }
}
