//! CloudWatch Logs as a source: the log groups RDS publishes to, read live
//! ([`fetch`]) or from the JSON the AWS CLI prints ([`json`]). Either way each
//! stream's events become one input of whole lines ([`spool`]), and the
//! pipeline reads them like rotated files of one instance. (An export to S3
//! is already such a file: `<time> <message>` lines, read by detection
//! behind the envelope.)

pub mod fetch;
pub mod insights;
pub mod json;
pub mod names;
pub mod spool;

use chrono::{DateTime, NaiveDate, Utc};

use crate::source::{InputError, InputFile};
pub use spool::{DumpError, Spool};

/// Replaces the CloudWatch JSON dumps among `files` by their streams, in
/// place. Returns errors (a dump cut short: its pages before still count)
/// and notes (events skipped, named by page and place).
pub fn expand_dumps(
    files: Vec<InputFile>,
    forced_instance: Option<&str>,
    spool: &mut Option<Spool>,
) -> (Vec<InputFile>, Vec<InputError>, Vec<String>) {
    let (mut out, mut errors, mut notes) = (Vec::new(), Vec::new(), Vec::new());
    for file in files {
        if !file
            .path
            .as_deref()
            .is_some_and(|path| crate::source::head_is(path, json::is_dump))
        {
            out.push(file);
            continue;
        }
        let spool = match Spool::in_slot(spool) {
            Ok(spool) => spool,
            Err(e) => {
                errors.push(InputError {
                    input: file.display.clone(),
                    message: DumpError::NoFolder(e).to_string(),
                });
                continue;
            }
        };
        let expanded = json::expand(&file, forced_instance, spool);
        out.extend(expanded.files);
        notes.extend(
            expanded
                .skipped
                .iter()
                .map(|s| format!("{}: {s}", file.display)),
        );
        if expanded.skipped_count > expanded.skipped.len() as u64 {
            notes.push(format!(
                "{}: {} more events skipped",
                file.display,
                expanded.skipped_count - expanded.skipped.len() as u64
            ));
        }
        if let Some(error) = expanded.error {
            errors.push(InputError {
                input: file.display,
                message: error.to_string(),
            });
        }
    }
    (out, errors, notes)
}

/// A `--since` / `--until` that is no time [`parse_time`] reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a time: give 2026-11-29T05:00:00Z, 2026-11-29, or a time before now such as 12h or 7d"
)]
pub struct NotATime(pub String);

/// `--since` / `--until`: an RFC 3339 time, a date (UTC midnight), or a
/// time before now (`90m`, `12h`, `7d`, `2w`). Milliseconds since the epoch.
pub fn parse_time(text: &str) -> Result<i64, NotATime> {
    parse_time_at(text, Utc::now())
}

fn parse_time_at(text: &str, now: DateTime<Utc>) -> Result<i64, NotATime> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.timestamp_millis());
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date
            .and_time(Default::default())
            .and_utc()
            .timestamp_millis());
    }
    let unit = |u: &str| match u {
        "m" => Some(60_000),
        "h" => Some(3_600_000),
        "d" => Some(86_400_000),
        "w" => Some(604_800_000),
        _ => None,
    };
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    if let (Some((count, u)), true) = (text.split_at_checked(split), split > 0)
        && let (Ok(count), Some(unit)) = (count.parse::<i64>(), unit(u))
        && let Some(ago) = count.checked_mul(unit)
    {
        return Ok(now.timestamp_millis() - ago);
    }
    Err(NotATime(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_on_the_command_line() {
        let now = DateTime::parse_from_rfc3339("2026-11-29T05:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = |t| parse_time_at(t, now);
        assert_eq!(at("2026-11-29T05:00:00Z"), Ok(1_795_928_400_000));
        assert_eq!(at("2026-11-29T06:00:00+01:00"), Ok(1_795_928_400_000));
        assert_eq!(at("2026-11-29"), Ok(1_795_910_400_000));
        assert_eq!(at("2h"), Ok(1_795_928_400_000 - 7_200_000));
        assert_eq!(at("7d"), Ok(1_795_928_400_000 - 7 * 86_400_000));
        for bad in ["", "h", "2y", "yesterday", "99999999999999999999d"] {
            assert_eq!(at(bad), Err(NotATime(bad.to_string())), "{bad}");
        }
    }
}
