//! `journalctl -o json`: one object per entry, the line in `MESSAGE`, the
//! time journald received it in `__REALTIME_TIMESTAMP` (microseconds since
//! the epoch, as a string). PostgreSQL's syslog output keeps its
//! `[seq-part] ` marker in `MESSAGE`; it is taken off.
//!
//! journalctl writes a `MESSAGE` that is not printable UTF-8 as an array of
//! byte values: such an entry is not opened (its bytes hold no needle).
//!
//! `_HOSTNAME` names a machine, not an instance (a host may run several
//! clusters: Debian's `postgresql@15-main`, `@16-main`), so the instance
//! stays the file's.

use std::borrow::Cow;

use serde::Deserialize;

use super::{Envelope, Needles, Opened};
use crate::observation::Millis;

#[derive(Debug)]
pub struct Journald;

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(rename = "MESSAGE", borrow)]
    message: Cow<'a, str>,
    #[serde(rename = "__REALTIME_TIMESTAMP", borrow)]
    realtime: Option<Cow<'a, str>>,
}

impl Envelope for Journald {
    fn name(&self) -> &'static str {
        "journald JSON entries"
    }

    fn needles(&self) -> Needles {
        Needles::JsonEscaped
    }

    fn open<'a>(&self, line: &'a str) -> Option<Opened<'a>> {
        let entry: Entry<'a> = super::json(line)?;
        let time = entry
            .realtime
            .and_then(|micros| micros.parse::<Millis>().ok())
            .map(|micros| micros / 1000);
        let message = match entry.message {
            Cow::Borrowed(text) => Cow::Borrowed(without_sequence(text)),
            Cow::Owned(text) => Cow::Owned(without_sequence(&text).to_string()),
        };
        Some(Opened::first_line(time, message))
    }
}

/// PostgreSQL's syslog `[line-part] ` marker, when the line starts with one.
fn without_sequence(text: &str) -> &str {
    text.strip_prefix('[')
        .and_then(|rest| rest.split_once("] "))
        .filter(|(marker, _)| {
            marker.split_once('-').is_some_and(|(line, part)| {
                [line, part]
                    .iter()
                    .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            })
        })
        .map_or(text, |(_, rest)| rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real-shaped entries: the samples' lines as `journalctl -o json`
    /// prints them (control characters as `\u0009`).
    #[test]
    fn entries_are_opened() {
        let table = [
            (
                r#"{"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"1795928427123456","__MONOTONIC_TIMESTAMP":"12","_BOOT_ID":"b","PRIORITY":"6","_HOSTNAME":"db1","SYSLOG_IDENTIFIER":"postgres","_PID":"12919","MESSAGE":"[3-1] 2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@appdb:[12919]:LOG:  connection received: host=127.0.0.10 port=40000"}"#,
                Some(1_795_928_427_123),
                "2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@appdb:[12919]:LOG:  connection received: host=127.0.0.10 port=40000",
            ),
            (
                r#"{"__REALTIME_TIMESTAMP":"1795929507345000","_HOSTNAME":"db2","SYSLOG_IDENTIFIER":"mariadbd","MESSAGE":"\u0009\u0009     5 Connect\u0009app-user@127.0.0.42 on shop-db using SSL/TLS"}"#,
                Some(1_795_929_507_345),
                "\t\t     5 Connect\tapp-user@127.0.0.42 on shop-db using SSL/TLS",
            ),
            (
                r#"{"MESSAGE":"[not-a-marker] x"}"#,
                None,
                "[not-a-marker] x",
            ),
        ];
        let not_opened = [
            r#"{"MESSAGE":[104,105,255]}"#,
            r#"{"log":"x"}"#,
            "Nov 29 05:00:27 db1 postgres[1]: x",
        ];
        crate::envelope::assert_opens(&Journald, &table, &not_opened);
    }
}
