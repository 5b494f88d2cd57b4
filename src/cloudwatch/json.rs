//! Offline CloudWatch Logs events: the JSON that `aws logs filter-log-events`
//! and `aws logs get-log-events` print, one page or many concatenated
//! (`{"events":[{"logStreamName","timestamp","message",…}],…}{…}`), plain or
//! gzipped. Each stream's events become an input like the live source's
//! ([`super::spool`]).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::names;
use super::spool::{DumpError, Event, JsonPlace, Spool};
use crate::source::InputFile;

/// Whether a file's head is such a dump: a JSON object whose first key is
/// `events` (a jsonlog record starts with its own keys).
pub fn is_dump(head: &[u8]) -> bool {
    let text = head.trim_ascii_start();
    text.strip_prefix(b"{")
        .is_some_and(|rest| rest.trim_ascii_start().starts_with(b"\"events\""))
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    events: Vec<JsonEvent>,
}

#[derive(Deserialize)]
struct JsonEvent {
    #[serde(rename = "logStreamName")]
    stream: Option<String>,
    timestamp: Option<i64>,
    message: Option<String>,
}

/// What reading a dump gave.
pub struct Expanded {
    pub files: Vec<InputFile>,
    /// Events left out, named by page and place (never by content).
    pub skipped: Vec<String>,
    pub skipped_count: u64,
    /// Why reading stopped early, if it did; the events before still count.
    pub error: Option<DumpError>,
}

/// How many skipped events are named; all are counted.
const SKIPS_SHOWN: usize = 10;

/// Reads a dump into per-stream inputs. Streams name their instance
/// (`names::instance_of_stream`) unless `--instance` was given; a dump
/// without stream names (`get-log-events`) is the file's instance.
pub fn expand(file: &InputFile, forced_instance: Option<&str>, spool: &mut Spool) -> Expanded {
    let mut expanded = Expanded {
        files: Vec::new(),
        skipped: Vec::new(),
        skipped_count: 0,
        error: None,
    };
    let Some(path) = &file.path else {
        return expanded;
    };
    let reader = match crate::source::open_text(path) {
        Ok(reader) => reader,
        Err(e) => {
            expanded.error = Some(DumpError::Open(e));
            return expanded;
        }
    };
    let mut streams: BTreeMap<Option<String>, Vec<Event>> = BTreeMap::new();
    let pages = serde_json::Deserializer::from_reader(reader).into_iter::<Page>();
    for (number, page) in pages.enumerate() {
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                expanded.error = Some(DumpError::PagesCut {
                    at: JsonPlace::from(&e),
                    page: number + 1,
                });
                break;
            }
        };
        for (index, event) in page.events.into_iter().enumerate() {
            match (event.timestamp, event.message) {
                (Some(timestamp), Some(message)) => streams
                    .entry(event.stream)
                    .or_default()
                    .push(Event { timestamp, message }),
                (timestamp, _) => {
                    expanded.skipped_count += 1;
                    if expanded.skipped.len() < SKIPS_SHOWN {
                        let missing = if timestamp.is_none() {
                            "timestamp"
                        } else {
                            "message"
                        };
                        expanded.skipped.push(format!(
                            "page {}, event {}: skipped: no \"{missing}\"",
                            number + 1,
                            index + 1
                        ));
                    }
                }
            }
        }
    }
    for (stream, events) in streams {
        let (display, instance) = match &stream {
            Some(stream) => (
                format!("{} [{stream}]", file.display),
                forced_instance
                    .or_else(|| names::instance_of_stream(stream))
                    .unwrap_or(&file.instance)
                    .to_string(),
            ),
            None => (file.display.clone(), file.instance.clone()),
        };
        match spool.add_stream(display, instance, events) {
            Ok((mut input, _)) => {
                input.explicit = file.explicit;
                expanded.files.push(input);
            }
            Err(e) => {
                expanded.error = Some(DumpError::Write(e));
                break;
            }
        }
    }
    expanded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dumps_are_told_from_jsonlog() {
        assert!(is_dump(b"{\n    \"events\": [\n"));
        assert!(is_dump(b"{\"events\":[]}"));
        assert!(!is_dump(
            b"{\"timestamp\":\"2026-11-29 03:52:56.043 UTC\",\"pid\":6510}"
        ));
        assert!(!is_dump(b"2026-11-29 03:52:55 UTC::@:[1]:LOG:  x"));
    }

    #[test]
    fn pages_split_into_streams_and_bad_events_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.json");
        // Two pages of `filter-log-events`, as `--no-paginate` loops append them.
        std::fs::write(
            &path,
            concat!(
                "{\"events\": [{\"logStreamName\": \"db-2\", \"timestamp\": 1795929507001, \"message\": \"b\", \"ingestionTime\": 1, \"eventId\": \"1\"},\n",
                " {\"logStreamName\": \"db-1\", \"timestamp\": 1795929507000, \"message\": \"a\"},\n",
                " {\"logStreamName\": \"db-1\", \"message\": \"x\"}], \"searchedLogStreams\": [], \"nextToken\": \"t\"}\n",
                "{\"events\": [{\"logStreamName\": \"db-1\", \"timestamp\": 1795929506000, \"message\": \"c\"}]}\n",
                "{\"events\": [tru",
            ),
        )
        .unwrap();
        let file = InputFile {
            path: Some(path),
            display: "events.json".into(),
            instance: "events".into(),
            explicit: true,
        };
        let mut spool = Spool::new().unwrap();
        let expanded = expand(&file, None, &mut spool);
        let got: Vec<(String, String, String)> = expanded
            .files
            .iter()
            .map(|f| {
                (
                    f.display.clone(),
                    f.instance.clone(),
                    std::fs::read_to_string(f.path.as_ref().unwrap()).unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "events.json [db-1]".to_string(),
                    "db-1".to_string(),
                    "2026-11-29T05:18:26.000Z c\n2026-11-29T05:18:27.000Z a\n".to_string()
                ),
                (
                    "events.json [db-2]".to_string(),
                    "db-2".to_string(),
                    "2026-11-29T05:18:27.001Z b\n".to_string()
                ),
            ]
        );
        assert_eq!(
            expanded.skipped,
            ["page 1, event 3: skipped: no \"timestamp\""]
        );
        let error = expanded.error.unwrap();
        assert!(
            matches!(
                error,
                DumpError::PagesCut {
                    at: JsonPlace { line: 5, .. },
                    page: 3
                }
            ),
            "{error:?}"
        );
        let error = error.to_string();
        assert!(
            error.contains("line 5") && error.contains("page 3"),
            "{error}"
        );
        assert!(!error.contains("tru"), "{error}");
    }
}
