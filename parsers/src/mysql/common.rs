//! Pieces the MySQL/MariaDB logs share: the fixed-width times MariaDB
//! prints, and the `Access denied` message.

use chrono::NaiveDate;

use crate::observation::{Malformed, Millis};

/// A right-aligned decimal field of a fixed-width time (`%2d` pads with a
/// space, `%02d` with a zero).
fn number(field: Option<&str>) -> Option<u32> {
    let digits = field?.trim_start_matches(' ');
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A civil time read as UTC: MariaDB prints server-local time, which is
/// UTC on RDS.
fn utc(year: u32, month: u32, day: u32, hms: &str) -> Option<Millis> {
    let b = hms.as_bytes();
    if b.len() != 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let time = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?.and_hms_opt(
        number(hms.get(0..2))?,
        number(hms.get(3..5))?,
        number(hms.get(6..8))?,
    )?;
    Some(time.and_utc().timestamp_millis())
}

/// `YYMMDD H:MM:SS` (`%02d%02d%02d %2d:%02d:%02d`): the MariaDB (and MySQL
/// ≤ 5.6) general log; the hour is space-padded.
pub(super) fn short_time(text: &str) -> Option<Millis> {
    if text.len() != 15 || text.as_bytes()[6] != b' ' {
        return None;
    }
    utc(
        2000 + number(text.get(0..2))?,
        number(text.get(2..4))?,
        number(text.get(4..6))?,
        text.get(7..)?,
    )
}

/// `YYYY-MM-DD H:MM:SS`: the MariaDB 10.x error log; the hour is
/// space-padded, so early hours show two spaces after the date.
pub(super) fn dashed_time(text: &str) -> Option<Millis> {
    let b = text.as_bytes();
    if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b' ' {
        return None;
    }
    utc(
        number(text.get(0..4))?,
        number(text.get(5..7))?,
        number(text.get(8..10))?,
        text.get(11..)?,
    )
}

/// `YYYYMMDD HH:MM:SS`: the MariaDB Audit Plugin.
pub(super) fn compact_time(text: &str) -> Option<Millis> {
    if text.len() != 17 || text.as_bytes()[8] != b' ' {
        return None;
    }
    utc(
        number(text.get(0..4))?,
        number(text.get(4..6))?,
        number(text.get(6..8))?,
        text.get(9..)?,
    )
}

const ACCESS_DENIED: &str = "Access denied for user '";
const USING_PASSWORD: &str = "' (using password: ";

/// `Access denied for user 'u'@'h' (using password: YES|NO)`, a failed
/// login, as the general log's `Connect` argument and in the error log:
/// the user and the client host. `None` for other texts, including the
/// `… to database 'd'` variant, which refuses a database to a login that
/// succeeded.
pub(super) fn access_denied(text: &str) -> Option<Result<(&str, &str), Malformed>> {
    let quoted = text.strip_prefix(ACCESS_DENIED)?;
    let (quoted, _) = quoted.rsplit_once(USING_PASSWORD)?;
    // Hosts never hold a quote, so the last `'@'` ends the user.
    Some(
        quoted
            .rsplit_once("'@'")
            .ok_or(Malformed("Access denied: expected 'user'@'host'")),
    )
}

/// What the table tests of the three logs' readers share.
#[cfg(test)]
pub(super) mod testing {
    use crate::format::Engine;
    use crate::observation::{
        Authorized, Disconnected, LineOutcome, Message, Observation, Transport,
    };

    /// A reader of one line, as the audit and error logs' `observe`.
    pub type Observe = fn(&str, &mut dyn FnMut(Observation<'_>)) -> LineOutcome;

    /// The `Debug` text of a login: what the tests compare messages by.
    pub fn authorized(
        user: &'static str,
        database: Option<&'static str>,
        transport: Transport<'static>,
    ) -> String {
        format!(
            "{:?}",
            Message::Authorized(Authorized {
                replication: false,
                user,
                database,
                application: None,
                transport,
                gss: None,
                ambiguous_tls: false,
                application_with_clause: None,
            })
        )
    }

    /// The `Debug` text of a session's end, which names nothing.
    pub fn disconnected() -> String {
        format!(
            "{:?}",
            Message::Disconnected(Disconnected {
                session_millis: None,
                user: None,
                database: None,
                remote: None,
            })
        )
    }

    /// Each line is read, and holds one of the needles (the scanner only
    /// hands over lines with a needle in them).
    pub fn assert_read_with_needles(observe: Observe, needles: &[&str], lines: &[&str]) {
        for line in lines {
            assert!(observe(line, &mut |_| {}).is_some(), "{line}");
            assert!(needles.iter().any(|n| line.contains(n)), "{line}");
        }
    }

    /// No line is read.
    pub fn assert_not_read(observe: Observe, lines: &[&str]) {
        for line in lines {
            assert_eq!(observe(line, &mut |_| {}), None, "{line}");
        }
    }

    /// Every line is a record that cannot be read.
    pub fn assert_broken(observe: Observe, lines: &[&str]) {
        for line in lines {
            assert!(matches!(observe(line, &mut |_| {}), Some(Err(_))), "{line}");
        }
    }

    /// `detect` tells each head's engine, or that it is not this log.
    pub fn assert_detects(
        detect: fn(&[String]) -> Option<Engine>,
        table: &[(&str, Option<Engine>)],
    ) {
        for (head, engine) in table {
            let lines: Vec<String> = head.lines().map(str::to_string).collect();
            assert_eq!(detect(&lines), *engine, "{head}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Millis = 1_795_924_375_000; // 2026-11-29 03:52:55 UTC

    #[test]
    fn mariadb_times_with_space_padded_hours() {
        let table = [
            (short_time("261129  3:52:55"), Some(T0)),
            (short_time("261129 13:52:55"), Some(T0 + 10 * 3_600_000)),
            (dashed_time("2026-11-29  3:52:55"), Some(T0)),
            (dashed_time("2026-11-29 03:52:55"), Some(T0)),
            (compact_time("20261129 03:52:55"), Some(T0)),
            (short_time("261329  3:52:55"), None),
            (short_time("26112x  3:52:55"), None),
            (dashed_time("2026-11-29T03:52:55"), None),
            (compact_time("20261129 03:52"), None),
        ];
        for (i, (parsed, expected)) in table.into_iter().enumerate() {
            assert_eq!(parsed, expected, "row {i}");
        }
    }

    #[test]
    fn access_denied_users_and_hosts() {
        let table = [
            (
                "Access denied for user 'app'@'127.0.0.1' (using password: YES)",
                Some(Ok(("app", "127.0.0.1"))),
            ),
            (
                "Access denied for user 'o'@'brien'@'::1' (using password: NO)",
                Some(Ok(("o'@'brien", "::1"))),
            ),
            (
                "Access denied for user ''@'localhost' to database 'shop'",
                None,
            ),
            ("Aborted connection 4 to db: 'unconnected'", None),
            (
                "Access denied for user 'app' (using password: YES)",
                Some(Err(Malformed("Access denied: expected 'user'@'host'"))),
            ),
        ];
        for (text, expected) in table {
            assert_eq!(access_denied(text), expected, "{text}");
        }
    }
}
