//! `gcloud logging read --format=json` output: one pretty-printed JSON array
//! of Cloud Logging `LogEntry` objects over many lines, newest first by
//! default. Like a CloudWatch JSON dump ([`crate::cloudwatch::json`]), each
//! instance's entries become an input of whole lines in the spool: here the
//! entries themselves, one compact `LogEntry` a line in time order, which
//! detection reads behind the Cloud Logging envelope
//! (`sslcensus_parsers::envelope`), so the array and a sink's JSON lines
//! are read alike.
//!
//! The array is parsed one element at a time (serde's `SeqAccess` over a
//! reader); the entries are written as they come, and only their place and
//! time are held to put them in order, not their text.

use std::fmt;
use std::io::{BufWriter, Write};

use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde_json::Value;
use sslcensus_parsers::envelope::instance_of_database_id;

use crate::cloudwatch::spool::{DumpError, JsonPlace, Spool};
use crate::source::{InputError, InputFile};

/// LogEntry's fields (`gcloud` prints them sorted): the first key of the
/// first element tells the array from other JSON.
const LOG_ENTRY_KEYS: [&str; 12] = [
    "httpRequest",
    "insertId",
    "jsonPayload",
    "labels",
    "logName",
    "protoPayload",
    "receiveTimestamp",
    "resource",
    "severity",
    "textPayload",
    "timestamp",
    "trace",
];

/// Whether a file's head is such an array: `[`, then `{` and a LogEntry key.
pub fn is_entry_array(head: &[u8]) -> bool {
    let Some(rest) = head.trim_ascii_start().strip_prefix(b"[") else {
        return false;
    };
    let Some(rest) = rest.trim_ascii_start().strip_prefix(b"{") else {
        return false;
    };
    let rest = rest.trim_ascii_start();
    LOG_ENTRY_KEYS
        .iter()
        .any(|key| rest.starts_with(format!("\"{key}\"").as_bytes()))
}

/// Replaces the `gcloud logging read` arrays among `files` by an input per
/// instance. Returns errors (an array cut short: its entries before still
/// count) and notes (entries without a time).
pub fn expand_arrays(
    files: Vec<InputFile>,
    forced_instance: Option<&str>,
    spool: &mut Option<Spool>,
) -> (Vec<InputFile>, Vec<InputError>, Vec<String>) {
    let (mut out, mut errors, mut notes) = (Vec::new(), Vec::new(), Vec::new());
    for file in files {
        let Some(path) = file.path.as_deref() else {
            out.push(file);
            continue;
        };
        if !crate::source::head_is(path, is_entry_array) {
            out.push(file);
            continue;
        }
        let expanded = Spool::in_slot(spool)
            .map_err(DumpError::NoFolder)
            .and_then(|spool| expand(&file, forced_instance, spool));
        match expanded {
            Ok(expanded) => {
                out.extend(expanded.files);
                if expanded.untimed > 0 {
                    notes.push(format!(
                        "{}: {} entries without a timestamp skipped",
                        file.display, expanded.untimed
                    ));
                }
                if let Some(error) = expanded.error {
                    errors.push(InputError {
                        input: file.display.clone(),
                        message: error.to_string(),
                    });
                }
            }
            Err(error) => errors.push(InputError {
                input: file.display.clone(),
                message: error.to_string(),
            }),
        }
    }
    (out, errors, notes)
}

/// What reading one array gave.
pub struct Expanded {
    pub files: Vec<InputFile>,
    pub untimed: u64,
    /// Why reading stopped early, if it did; the entries before still count.
    pub error: Option<DumpError>,
}

/// Where one entry was written, and when it was logged.
struct Placed {
    instance: usize,
    time: i64,
    start: usize,
    len: usize,
}

/// Reads one array into an input per instance.
pub fn expand(
    file: &InputFile,
    forced_instance: Option<&str>,
    spool: &mut Spool,
) -> Result<Expanded, DumpError> {
    let path = file.path.as_deref().ok_or(DumpError::NotAFile)?;
    let reader = crate::source::open_text(path).map_err(DumpError::Open)?;
    let unsorted_path = spool.new_path("gcloud-unsorted");
    let write_error = DumpError::Write;
    let mut unsorted = BufWriter::new(std::fs::File::create(&unsorted_path).map_err(write_error)?);
    let mut instances: Vec<String> = Vec::new();
    let mut placed: Vec<Placed> = Vec::new();
    let (mut written, mut untimed) = (0usize, 0u64);
    let mut write_failed = None;
    let mut each = |entry: Value| {
        let text = entry
            .get("textPayload")
            .or_else(|| entry.pointer("/jsonPayload/message"));
        if !text.is_some_and(Value::is_string) || write_failed.is_some() {
            return; // no server line in it (an audit entry, a request)
        }
        let time = entry
            .get("timestamp")
            .and_then(Value::as_str)
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.timestamp_millis());
        let Some(time) = time else {
            untimed += 1;
            return;
        };
        let instance = forced_instance
            .or_else(|| {
                entry
                    .pointer("/resource/labels/database_id")
                    .and_then(Value::as_str)
                    .and_then(instance_of_database_id)
            })
            .unwrap_or(&file.instance);
        let instance = match instances.iter().position(|i| i == instance) {
            Some(i) => i,
            None => {
                instances.push(instance.to_string());
                instances.len() - 1
            }
        };
        let line = entry.to_string() + "\n";
        if let Err(e) = unsorted.write_all(line.as_bytes()) {
            write_failed = Some(e);
            return;
        }
        placed.push(Placed {
            instance,
            time,
            start: written,
            len: line.len(),
        });
        written += line.len();
    };
    let mut json = serde_json::Deserializer::from_reader(reader);
    let error = Entries(&mut each)
        .deserialize(&mut json)
        .and_then(|()| json.end())
        .err()
        .map(|e| DumpError::ArrayCut {
            at: JsonPlace::from(&e),
        });
    if let Some(e) = write_failed {
        return Err(write_error(e));
    }
    drop(
        unsorted
            .into_inner()
            .map_err(|e| write_error(e.into_error()))?,
    );
    // Time order (stable: entries of one millisecond keep the order gcloud
    // gave, reversed when it printed newest first).
    let newest_first = placed
        .first()
        .zip(placed.last())
        .is_some_and(|(a, b)| a.time > b.time);
    if newest_first {
        placed.reverse();
    }
    placed.sort_by_key(|p| (p.instance, p.time));
    // Mapped, not read: the kernel pages it in and out as it is copied.
    let unsorted = std::fs::File::open(&unsorted_path).map_err(write_error)?;
    let bytes = match written {
        0 => None,
        // SAFETY: the file is the spool's own, written above and not changed
        // while mapped.
        _ => Some(unsafe { memmap2::Mmap::map(&unsorted) }.map_err(write_error)?),
    };
    let bytes: &[u8] = bytes.as_deref().unwrap_or(&[]);
    let mut files = Vec::new();
    for (index, instance) in instances.iter().enumerate() {
        let out_path = spool.new_path("gcloud");
        let mut out = BufWriter::new(std::fs::File::create(&out_path).map_err(write_error)?);
        for p in placed.iter().filter(|p| p.instance == index) {
            out.write_all(&bytes[p.start..p.start + p.len])
                .map_err(write_error)?;
        }
        out.flush().map_err(write_error)?;
        files.push(InputFile {
            path: Some(out_path),
            display: if instances.len() > 1 {
                format!("{} [{instance}]", file.display)
            } else {
                file.display.clone()
            },
            instance: instance.clone(),
            explicit: file.explicit,
        });
    }
    drop(unsorted);
    let _ = std::fs::remove_file(&unsorted_path);
    Ok(Expanded {
        files,
        untimed,
        error,
    })
}

/// The array's elements, each handed over as soon as it is parsed.
struct Entries<'f, F: FnMut(Value)>(&'f mut F);

impl<'de, F: FnMut(Value)> DeserializeSeed<'de> for Entries<'_, F> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(Value)> Visitor<'de> for Entries<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of LogEntry objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(entry) = seq.next_element::<Value>()? {
            (self.0)(entry);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_are_told_from_other_json() {
        assert!(is_entry_array(b"[\n  {\n    \"insertId\": \"s1\",\n"));
        assert!(is_entry_array(b"[{\"textPayload\":\"x\"}]"));
        assert!(!is_entry_array(b"[]"));
        assert!(!is_entry_array(b"{\"events\": []}"));
        assert!(!is_entry_array(b"[{\"a\": 1}]"));
        assert!(!is_entry_array(b"2026-11-29 03:52:55 UTC::@:[1]:LOG:  x"));
    }

    /// Entries newest first, of two instances, one without a time and one
    /// without a server line, and the array cut short.
    #[test]
    fn entries_split_by_instance_in_time_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("read.json");
        let entry = |id: &str, time: &str, text: &str| {
            format!(
                "  {{\n    \"resource\": {{\n      \"labels\": {{\n        \"database_id\": \"p:{id}\"\n      }},\n      \"type\": \"cloudsql_database\"\n    }},\n    \"textPayload\": \"{text}\",\n    \"timestamp\": \"{time}\"\n  }}"
            )
        };
        let entries = [
            entry("db-2", "2026-11-29T05:18:29Z", "c"),
            entry("db-1", "2026-11-29T05:18:28Z", "b"),
            entry("db-1", "2026-11-29T05:18:27Z", "a"),
            "  {\n    \"textPayload\": \"x\"\n  }".to_string(),
            "  {\n    \"protoPayload\": {},\n    \"timestamp\": \"2026-11-29T05:18:27Z\"\n  }"
                .to_string(),
        ];
        std::fs::write(&path, format!("[\n{}\n]\n", entries.join(",\n"))).unwrap();
        let file = InputFile {
            path: Some(path.clone()),
            display: "read.json".into(),
            instance: "read".into(),
            explicit: true,
        };
        let mut spool = Spool::new().unwrap();
        let expanded = expand(&file, None, &mut spool).unwrap();
        assert_eq!(expanded.untimed, 1);
        assert!(expanded.error.is_none(), "{:?}", expanded.error);
        let got: Vec<(String, String, Vec<String>)> = expanded
            .files
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(f.path.as_ref().unwrap()).unwrap();
                let texts = text
                    .lines()
                    .map(|l| {
                        let v: Value = serde_json::from_str(l).unwrap();
                        v["textPayload"].as_str().unwrap().to_string()
                    })
                    .collect();
                (f.display.clone(), f.instance.clone(), texts)
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "read.json [db-2]".to_string(),
                    "db-2".to_string(),
                    vec!["c".to_string()]
                ),
                (
                    "read.json [db-1]".to_string(),
                    "db-1".to_string(),
                    vec!["a".to_string(), "b".to_string()]
                ),
            ]
        );
        // Cut short: the entries before count, and the error says where.
        let whole = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, &whole[..whole.len() / 2]).unwrap();
        let expanded = expand(&file, Some("given"), &mut spool).unwrap();
        let error = expanded.error.unwrap();
        assert!(
            matches!(
                error,
                DumpError::ArrayCut {
                    at: JsonPlace {
                        category: serde_json::error::Category::Eof,
                        ..
                    }
                }
            ),
            "{error:?}"
        );
        assert!(error.to_string().contains("ends early"), "{error}");
        assert_eq!(expanded.files.len(), 1);
        assert_eq!(expanded.files[0].instance, "given");
    }
}
