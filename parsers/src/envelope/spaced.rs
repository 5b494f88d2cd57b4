//! A MySQL/MariaDB general log copied through something that turned its tab
//! separators into runs of spaces (a ticket, a chat, an editor expanding
//! tabs): each record's shape is put back, `<time>\t<id> <Command>\t<arg>`
//! or MariaDB's `\t\t<id> <Command>\t<arg>`, from the time, the thread id and
//! a command of the general log's own list. Lines that still hold a tab are
//! no such copy's, so a real general log is never taken for one.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use super::{Envelope, Needles, Opened, starts_with_iso_date_t};

#[derive(Debug)]
pub struct Spaced;

/// The commands a general log names (MySQL's and MariaDB's
/// `command_name`), the two-word ones first so that `Connect Out` is not
/// `Connect` with an argument.
/// (ASCII digits: a Unicode `\d` makes the automaton, compiled on first
/// use, several times larger.)
static RECORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:(?P<time>[0-9]{6} [ 0-9][0-9]:[0-9][0-9]:[0-9][0-9]|[0-9]{4}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9](?:\.[0-9]+)?(?:Z|[+-][0-9][0-9]:[0-9][0-9])) +| {2,})",
        r" *(?P<id>[0-9]+) ",
        r"(?P<command>Init DB|Field List|Create DB|Drop DB|Delayed insert|Change user|Binlog Dump|Table Dump",
        r"|Connect Out|Register Slave|Long Data|Close stmt|Reset stmt|Set option|Reset Connection",
        r"|Sleep|Quit|Query|Refresh|Shutdown|Statistics|Processlist|Connect|Kill|Debug|Ping|Time",
        r"|Prepare|Execute|Fetch|Daemon|Error)",
        r"(?: +(?P<argument>.*))?$",
    ))
    .expect("the record pattern compiles")
});

impl Envelope for Spaced {
    fn name(&self) -> &'static str {
        "a copy with its tabs turned into spaces"
    }

    fn needles(&self) -> Needles {
        Needles::TabsAsSpaces
    }

    fn keeps_lines_before(&self) -> bool {
        true
    }

    fn open<'a>(&self, line: &'a str) -> Option<Opened<'a>> {
        if line.contains('\t') || !may_open(line.as_bytes()) {
            return None;
        }
        let caps = RECORD.captures(line)?;
        let id = caps.name("id")?.as_str();
        let command = caps.name("command")?.as_str();
        let argument = caps.name("argument").map_or("", |a| a.as_str());
        let line = match caps.name("time") {
            Some(time) => format!("{}\t{id} {command}\t{argument}", time.as_str()),
            None => format!("\t\t{id} {command}\t{argument}"),
        };
        Some(Opened {
            time: None,
            line: Cow::Owned(line),
        })
    }
}

/// Whether `line` starts as a [`RECORD`] can: a MySQL time (`YYMMDD `), an
/// ISO time (`YYYY-MM-DDT`) or the spaces of a record without one. Other
/// logs' lines (a PostgreSQL `YYYY-MM-DD hh:mm`) are turned away here, and
/// the pattern is never compiled for them.
fn may_open(line: &[u8]) -> bool {
    line.starts_with(b"  ")
        || starts_with_iso_date_t(line)
        || (line.len() > 6 && line[6] == b' ' && line[..6].iter().all(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The MariaDB sample's real records and MySQL 8's (typed from
    /// FORMATS.md: no MySQL 8 server here), with their tabs expanded to
    /// 8-column stops or turned into single spaces.
    #[test]
    fn records_get_their_tabs_back() {
        let table = [
            (
                "261129  5:18:27      3 Connect   root@localhost on  using Socket",
                "261129  5:18:27\t3 Connect\troot@localhost on  using Socket",
            ),
            (
                "                     5 Connect   app-user@127.0.0.42 on shop-db using SSL/TLS",
                "\t\t5 Connect\tapp-user@127.0.0.42 on shop-db using SSL/TLS",
            ),
            (
                "  5 Connect app-user@127.0.0.42 on shop-db using SSL/TLS",
                "\t\t5 Connect\tapp-user@127.0.0.42 on shop-db using SSL/TLS",
            ),
            (
                "                    35 Connect   Access denied for user 'app'@'127.0.0.1' (using password: YES)",
                "\t\t35 Connect\tAccess denied for user 'app'@'127.0.0.1' (using password: YES)",
            ),
            ("                    31 Quit", "\t\t31 Quit\t"),
            (
                "                    33 Init DB    Access denied for user 'app'@'%' to database 'x'",
                "\t\t33 Init DB\tAccess denied for user 'app'@'%' to database 'x'",
            ),
            (
                "2024-05-01T10:00:00.123456Z      42 Connect   app@10.0.1.5 on orders using SSL/TLS",
                "2024-05-01T10:00:00.123456Z\t42 Connect\tapp@10.0.1.5 on orders using SSL/TLS",
            ),
        ];
        let table = table.map(|(copy, record)| (copy, None, record));
        let not_opened = [
            // The real thing, tabs and all.
            "261129  5:18:27\t     3 Connect\troot@localhost on  using Socket",
            "\t\t     5 Connect\tapp-user@127.0.0.42 on shop-db using SSL/TLS",
            // A statement's continuation, the banner, the header.
            "    7 Quit' as q",
            "select 1",
            "/usr/sbin/mariadbd, Version: 10.11.19-MariaDB-0+deb12u1-log (Debian 12). started with:",
            "Time                Id Command    Argument",
            "2026-11-29 05:00:27 UTC::@:[12910]:LOG:  connection received: host=x port=1",
        ];
        crate::envelope::assert_opens(&Spaced, &table, &not_opened);
    }
}
