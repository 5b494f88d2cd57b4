//! Timestamps as PostgreSQL prints them (`%t`, `%m`, `%n`, csvlog, jsonlog).

use std::cell::Cell;

use chrono::NaiveDate;

use crate::observation::Millis;

/// A parsed time and whether its zone was one we can convert exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    /// The time, in milliseconds since the Unix epoch (UTC).
    pub millis: Millis,
    /// False when the zone was an abbreviation other than UTC/GMT (`CET`,
    /// `EST`, …): the time was then read as UTC, and callers should say so.
    pub zone_known: bool,
}

fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        bytes
            .iter()
            .fold(0u32, |n, d| n.wrapping_mul(10) + u32::from(d - b'0')),
    )
}

/// `YYYY-MM-DD HH:MM:SS[.fff…][ ZONE]` (a `T` between date and time is also
/// accepted, and a `Z` or numeric offset glued to the seconds).
///
/// Read as bytes, never sliced as text: a damaged line read with replacement
/// characters may put a multi-byte character anywhere, and it then simply
/// fails to be a time.
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b' ' | b'T') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let minute = minute_millis(b)?;
    let seconds = digits(&b[17..19])?;
    if seconds > 59 {
        return None;
    }
    let mut rest = &b[19..];
    let mut millis = 0;
    if let Some(fraction) = rest.strip_prefix(b".") {
        let len = fraction.iter().take_while(|d| d.is_ascii_digit()).count();
        // Keep milliseconds; pad or cut whatever precision was printed.
        millis = fraction[..len]
            .iter()
            .chain(std::iter::repeat(&b'0'))
            .take(3)
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
        rest = &fraction[len..];
    }
    let spaces = rest.iter().take_while(|&&c| c == b' ').count();
    let (offset_secs, zone_known) = parse_zone(&rest[spaces..])?;
    Some(Timestamp {
        millis: minute + i64::from(seconds * 1000 + millis) - i64::from(offset_secs) * 1000,
        zone_known,
    })
}

thread_local! {
    /// The last `YYYY-MM-DD HH:MM` read on this thread and its millis: the
    /// lines of a log share their minute, and the calendar is the costly part.
    static LAST_MINUTE: Cell<([u8; 16], i64)> = const { Cell::new(([0; 16], 0)) };
}

/// Milliseconds since the epoch of the minute `b` starts with (date, `T` or
/// space, hours and minutes; shape already checked), as if in UTC.
fn minute_millis(b: &[u8]) -> Option<i64> {
    let key: [u8; 16] = b.get(..16)?.try_into().ok()?;
    let (cached, millis) = LAST_MINUTE.get();
    if cached == key {
        return Some(millis);
    }
    let date = NaiveDate::from_ymd_opt(
        digits(&b[0..4])? as i32,
        digits(&b[5..7])?,
        digits(&b[8..10])?,
    )?;
    let millis = date
        .and_hms_opt(digits(&b[11..13])?, digits(&b[14..16])?, 0)?
        .and_utc()
        .timestamp_millis();
    LAST_MINUTE.set((key, millis));
    Some(millis)
}

/// A zone suffix: empty, `UTC`/`GMT`/`Z`, `+03`, `-0330`, `+05:30`, or an
/// abbreviation that is read as UTC with `zone_known = false`.
fn parse_zone(zone: &[u8]) -> Option<(i32, bool)> {
    match zone {
        b"" | b"UTC" | b"GMT" | b"Z" | b"UCT" | b"+00" | b"+00:00" => return Some((0, true)),
        _ => {}
    }
    if let Some((&sign, body)) = zone.split_first().filter(|(s, _)| matches!(s, b'+' | b'-')) {
        let body: Vec<u8> = body.iter().copied().filter(|&c| c != b':').collect();
        let (hours, minutes) = match body.len() {
            2 => (digits(&body)?, 0),
            4 => (digits(&body[..2])?, digits(&body[2..])?),
            _ => return None,
        };
        let secs = (hours * 3600 + minutes * 60) as i32;
        return Some((if sign == b'-' { -secs } else { secs }, true));
    }
    zone.iter()
        .all(u8::is_ascii_alphabetic)
        .then_some((0, false))
}

/// `%n`: seconds since the epoch with milliseconds, e.g. `1732852375.123`.
pub fn parse_epoch(text: &str) -> Option<Timestamp> {
    let (secs, frac) = text.split_once('.').unwrap_or((text, ""));
    let secs: i64 = secs.parse().ok()?;
    if !frac.bytes().all(|d| d.is_ascii_digit()) {
        return None;
    }
    let frac_ms = frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
    Some(Timestamp {
        millis: secs.checked_mul(1000)?.checked_add(frac_ms)?,
        zone_known: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Millis = 1_795_924_375_000; // 2026-11-29 03:52:55 UTC

    #[test]
    fn pg_timestamps() {
        let table = [
            ("2026-11-29 03:52:55 UTC", T0, true),
            ("2026-11-29 03:52:55.964 UTC", T0 + 964, true),
            ("2026-11-29 03:52:55.9 UTC", T0 + 900, true),
            ("2026-11-29 04:52:55 +01", T0, true),
            ("2026-11-29 00:22:55.000 -03:30", T0, true),
            ("2026-11-29T03:52:55.000Z", T0, true),
            ("2026-11-29T03:52:55.123456Z", T0 + 123, true),
            ("2026-11-29 03:52:55 CET", T0, false),
            ("2026-11-29 03:52:55", T0, true),
        ];
        for (text, millis, zone_known) in table {
            assert_eq!(
                parse_timestamp(text),
                Some(Timestamp { millis, zone_known }),
                "{text}"
            );
        }
        assert_eq!(parse_timestamp("2026-13-29 03:52:55 UTC"), None);
        assert_eq!(parse_timestamp("not a time at all, no"), None);
        assert_eq!(parse_epoch("1795924375.123").unwrap().millis, T0 + 123);
        assert_eq!(parse_epoch("1795924375").unwrap().millis, T0);
        assert_eq!(parse_epoch("1795924375.9").unwrap().millis, T0 + 900);
    }

    /// Issue #19: a time with one damaged byte, read with a replacement
    /// character, was sliced by byte offset inside that character (a panic
    /// that ended the run). Damaged times are no times.
    #[test]
    fn damaged_times_are_not_times() {
        let table = [
            "2026-11-29 05:00:2\u{fffd} UTC",
            "2024-05-01T10:00:\u{20ac}00.999999999991234561",
            "2026-11-29 05:00:20.9\u{fffd} UTC",
            "2026-11-29 05:00:20 \u{fffd}",
            "2026-11-29 05:00:20 +0\u{e9}",
            "2026-11-29 05:00:20 UT\u{1f600}",
            "\u{fffd}026-11-29 05:00:20 UTC",
        ];
        for text in table {
            assert_eq!(parse_timestamp(text), None, "{text}");
        }
        for text in [
            "12\u{e9}",
            "1795924375.12\u{e9}",
            "1795924375.\u{20ac}",
            "9223372036854775807.123",
            "-9223372036854775808",
        ] {
            assert_eq!(parse_epoch(text), None, "{text}");
        }
    }
}
