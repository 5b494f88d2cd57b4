//! Text envelopes: the ISO time of a CloudWatch Logs export to S3
//! (`<time> <message>`, also how sslcensus's CloudWatch source writes the
//! events it pulls) and a syslog header — BSD (RFC 3164, with or without a
//! host name and `<PRI>`), rsyslog's ISO file format, RFC 5424 — with the
//! `[seq-part]` marker PostgreSQL adds for syslog.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use super::{Envelope, Needles, Opened, starts_with_iso_date_t};
use crate::time::parse_timestamp;

static ENVELOPE: LazyLock<Regex> = LazyLock::new(|| {
    // ASCII digits: a Unicode `\d` makes the automaton (and its start-up
    // compile, paid by every run) several times larger.
    Regex::new(concat!(
        // CloudWatch Logs: the event's ISO time and a space.
        r"^(?:(?P<time>[0-9]{4}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9](?:\.[0-9]+)?(?:Z|[+-][0-9][0-9]:?[0-9][0-9])) ",
        // BSD syslog (RFC 3164) with the program's pid: as a syslog daemon
        // writes its files (a host name, no priority) or as a collector
        // keeps what it received (`<PRI>`, the host name left out).
        r"|(?:<[0-9]{1,3}>)?[A-Z][a-z]{2} [ 0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9] (?:[^\s\[]+ )?[^\s\[]+\[[0-9]+\]: (?:\[[0-9]+-[0-9]+\] )?",
        // rsyslog's ISO-time file format: time, host, program[pid].
        r"|[0-9]{4}-[0-9][0-9]-[0-9][0-9]T\S+ \S+ [^\s\[]+\[[0-9]+\]: (?:\[[0-9]+-[0-9]+\] )?",
        // RFC 5424: <PRI>1 TIME HOST APP PROCID MSGID STRUCTURED-DATA, the
        // message maybe after a byte-order mark; `-` for what is not known.
        r"|<[0-9]{1,3}>1 (?P<time5424>\S+) \S+ \S+ \S+ \S+ (?:-|(?:\[(?:[^\]\\]|\\.)*\])+) \x{FEFF}?(?:\[[0-9]+-[0-9]+\] )?)",
    ))
    .expect("envelope pattern compiles")
});

/// CloudWatch export times and syslog headers (BSD syslog's time carries no
/// year, so it gives none; RFC 5424's does).
#[derive(Debug)]
pub struct Text;

impl Envelope for Text {
    fn name(&self) -> &'static str {
        "CloudWatch/syslog envelopes"
    }

    fn needles(&self) -> Needles {
        Needles::AsWritten
    }

    fn open<'a>(&self, line: &'a str) -> Option<Opened<'a>> {
        if !may_open(line.as_bytes()) {
            return None;
        }
        let caps = ENVELOPE.captures(line)?;
        Some(Opened {
            time: caps
                .name("time")
                .or_else(|| caps.name("time5424"))
                .and_then(|t| parse_timestamp(t.as_str()))
                .map(|t| t.millis),
            line: Cow::Borrowed(line.get(caps.get(0)?.end()..)?),
        })
    }
}

/// Whether `line` starts as one of [`ENVELOPE`]'s alternatives can: an
/// ISO time (`YYYY-MM-DDT`), a `<PRI>` or BSD syslog's
/// capitalised month. Most files are no such export: their lines are turned
/// away here, and the pattern is never compiled for them.
fn may_open(line: &[u8]) -> bool {
    matches!(line, [b'<' | b'A'..=b'Z', ..]) || starts_with_iso_date_t(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_are_opened() {
        let table = [
            (
                "2026-11-29T03:52:55.000Z 2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  connection received: host=10.0.0.1 port=5",
                Some(1_795_924_375_000),
                "2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  connection received: host=10.0.0.1 port=5",
            ),
            (
                "Nov 29 03:52:55 db1 postgres[1]: [3-1] 2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  x",
                None,
                "2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  x",
            ),
            (
                "2026-11-29T05:18:27.123+01:00 \t\t     5 Connect\tapp@10.0.3.42 on shop using SSL/TLS",
                Some(1_795_925_907_123),
                "\t\t     5 Connect\tapp@10.0.3.42 on shop using SSL/TLS",
            ),
            (
                "<134>Nov 29 03:52:55 postgres[1]: [3-1] 2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  x",
                None,
                "2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  x",
            ),
            (
                "Nov  9 03:52:55 db1.example.com postgres[12919]: [3-1] 2026-11-09 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  x",
                None,
                "2026-11-09 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  x",
            ),
            (
                "<134>1 2026-11-29T03:52:55.000Z db1 postgres 12919 - - [3-1] 2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  x",
                Some(1_795_924_375_000),
                "2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  x",
            ),
            (
                // Structured data (with an escaped bracket), a nil host.
                "<134>1 2026-11-29T03:52:55+00:00 - postgres 12919 - [origin ip=\"10.0.0.9\" x=\"a\\]b\"][meta seq=\"4\"] [3-1] 2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  x",
                Some(1_795_924_375_000),
                "2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  x",
            ),
            (
                "<134>1 2026-11-29T03:52:55.000Z db1 postgres 12919 - - \u{FEFF}[3-1] 2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  x",
                Some(1_795_924_375_000),
                "2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  x",
            ),
        ];
        // A MySQL 8 error-log line starts with an ISO time too: opening it
        // is detection's call (an envelope is kept only when what it holds
        // reads as a known format).
        let bare = [
            "2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  x",
            "261129  5:18:27\t     3 Connect\troot@localhost on  using Socket",
            "\t\t     3 Query\tSELECT 1",
            "{\"timestamp\":\"2026-11-29 03:52:56.043 UTC\"}",
        ];
        crate::envelope::assert_opens(&Text, &table, &bare);
    }
}
