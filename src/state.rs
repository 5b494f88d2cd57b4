//! `analyze --state FILE`: what a run read of each CloudWatch stream and
//! what it made of it, kept for the next run. Per log group and stream: the
//! last event time read and the ids of the events read at that time (the
//! next run asks from that time and skips those ids, so events of one
//! millisecond neither repeat nor vanish), how the stream's lines are read
//! (its format), their coverage, and the stream correlator's open state
//! ([`OpenState`]: the census so far, open sessions, a `connection received`
//! awaiting its next line, the certificate rejections the prefer-fallback
//! rule looks back at). A run resumes each stream where the last one
//! stopped, so its report is the one a single run over all the events
//! gives.
//!
//! JSON with a `schema` number (gzipped when the name ends in `.gz`),
//! written whole or not at all ([`AtomicFile`]) after the report.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sslcensus_parsers::envelope::ENVELOPES;
use sslcensus_parsers::{Engine, LogFormat, Millis};
use sslcensus_parsers::{LinePrefix, PrefixError};

use crate::analyze::Resumed;
use crate::atomic::AtomicFile;
use crate::correlate::{Coverage, OpenState};

/// The layout this sslcensus writes and reads.
pub const SCHEMA: u32 = 1;

/// Everything kept between runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub schema: u32,
    /// By log group.
    pub groups: BTreeMap<String, GroupState>,
}

/// What was read of one log group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupState {
    /// The end (exclusive) of the last run's request: now less --settle,
    /// or --until.
    pub read_until: Option<Millis>,
    /// By stream.
    pub streams: BTreeMap<String, StreamState>,
}

/// How far a group was read, for the next request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupPositions {
    pub read_until: Option<Millis>,
    /// By stream.
    pub streams: BTreeMap<String, Position>,
}

/// How far back before the last run's end a group is asked again for a
/// stream whose last event is older (an instance deleted or idle): the
/// cost of a quiet stream is bounded, and only an event of it arriving
/// more than this late is missed.
pub const QUIET_STREAM_LOOKBACK: Millis = 7 * 86_400_000;

impl GroupPositions {
    /// The group's request starts at its earliest stream's last time (that
    /// millisecond included), at most [`QUIET_STREAM_LOOKBACK`] before the
    /// last run's end; `since` without positions.
    pub fn start(&self, since: Option<Millis>) -> Option<Millis> {
        let earliest = self.streams.values().map(|p| p.last_time).min();
        match (earliest, self.read_until) {
            (Some(t), Some(end)) => Some(t.max(end - QUIET_STREAM_LOOKBACK)),
            (Some(t), None) => Some(t),
            (None, _) => since,
        }
    }
}

impl Default for State {
    fn default() -> State {
        State {
            schema: SCHEMA,
            groups: BTreeMap::new(),
        }
    }
}

/// What was read of one stream, and where the next run starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamState {
    pub position: Position,
    /// What its lines held; `None` while none was read as a log.
    pub reading: Option<Reading>,
}

/// How far a stream was read: every event before `last_time`, and those
/// of `ids_at_last_time` at it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Milliseconds since the epoch.
    pub last_time: Millis,
    /// Sorted.
    pub ids_at_last_time: Vec<String>,
    /// Events read in all runs.
    pub events: u64,
}

impl Position {
    /// Whether an event was read already.
    pub fn has_read(&self, time: Millis, id: &str) -> bool {
        time < self.last_time
            || time == self.last_time
                && self
                    .ids_at_last_time
                    .binary_search_by(|i| i.as_str().cmp(id))
                    .is_ok()
    }

    /// The position after also reading these events (time, id).
    pub fn after<'a>(&self, read: impl IntoIterator<Item = (Millis, &'a str)>) -> Position {
        let mut next = self.clone();
        for (time, id) in read {
            next.events += 1;
            if time > next.last_time {
                next.last_time = time;
                next.ids_at_last_time.clear();
            }
            if time == next.last_time
                && let Err(at) = next
                    .ids_at_last_time
                    .binary_search_by(|i| i.as_str().cmp(id))
            {
                next.ids_at_last_time.insert(at, id.to_string());
            }
        }
        next
    }
}

/// A stream's lines as read so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub instance: String,
    pub format: FormatState,
    pub coverage: Coverage,
    pub correlator: OpenState,
}

/// A [`LogFormat`] as the state file names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FormatState {
    PgStderr {
        log_line_prefix: Option<String>,
    },
    PgCsvlog,
    PgJsonlog,
    MysqlGeneral {
        engine: Engine,
    },
    MysqlError {
        engine: Engine,
    },
    MysqlAudit {
        engine: Engine,
    },
    OracleListener,
    Enveloped {
        envelope: String,
        inner: Box<FormatState>,
    },
}

impl FormatState {
    pub fn of(format: &LogFormat) -> FormatState {
        match format {
            LogFormat::PgStderr { prefix } => FormatState::PgStderr {
                log_line_prefix: prefix.as_ref().map(|p| p.escapes().to_string()),
            },
            LogFormat::PgCsvlog => FormatState::PgCsvlog,
            LogFormat::PgJsonlog => FormatState::PgJsonlog,
            LogFormat::MysqlGeneral { engine } => FormatState::MysqlGeneral { engine: *engine },
            LogFormat::MysqlError { engine } => FormatState::MysqlError { engine: *engine },
            LogFormat::MysqlAudit { engine } => FormatState::MysqlAudit { engine: *engine },
            LogFormat::OracleListener => FormatState::OracleListener,
            LogFormat::Enveloped { envelope, inner } => FormatState::Enveloped {
                envelope: envelope.name().to_string(),
                inner: Box::new(FormatState::of(inner)),
            },
        }
    }

    pub fn format(&self) -> Result<LogFormat, FormatError> {
        Ok(match self {
            FormatState::PgStderr { log_line_prefix } => LogFormat::PgStderr {
                prefix: log_line_prefix
                    .as_deref()
                    .map(LinePrefix::compile)
                    .transpose()
                    .map_err(FormatError::Prefix)?,
            },
            FormatState::PgCsvlog => LogFormat::PgCsvlog,
            FormatState::PgJsonlog => LogFormat::PgJsonlog,
            FormatState::MysqlGeneral { engine } => LogFormat::MysqlGeneral { engine: *engine },
            FormatState::MysqlError { engine } => LogFormat::MysqlError { engine: *engine },
            FormatState::MysqlAudit { engine } => LogFormat::MysqlAudit { engine: *engine },
            FormatState::OracleListener => LogFormat::OracleListener,
            FormatState::Enveloped { envelope, inner } => LogFormat::Enveloped {
                envelope: *ENVELOPES
                    .iter()
                    .find(|e| e.name() == envelope)
                    .ok_or_else(|| FormatError::UnknownEnvelope(envelope.clone()))?,
                inner: Box::new(inner.format()?),
            },
        })
    }
}

/// A kept format this sslcensus cannot rebuild.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// A `log_line_prefix` that does not compile.
    #[error("{0}")]
    Prefix(PrefixError),
    /// An envelope by a name no envelope has.
    #[error("unknown envelope `{0}`")]
    UnknownEnvelope(String),
}

/// Why a state file cannot be used; each names the file. Starting from
/// zero instead would silently count everything again or lose what was kept.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// It is there but cannot be read.
    #[error("{}: cannot read the state file: {error}", path.display())]
    Unreadable {
        path: PathBuf,
        error: std::io::Error,
    },
    /// Written by an sslcensus of another layout.
    #[error(
        "{}: a state file of schema {schema}; this sslcensus reads schema {SCHEMA} (use the sslcensus that wrote it, or remove the file to read everything again from --since)",
        path.display()
    )]
    OtherSchema { path: PathBuf, schema: u64 },
    /// Not a whole state file of this layout.
    #[error(
        "{}: the state file is damaged ({damage}); restore it from a backup, or remove it to read everything again from --since",
        path.display()
    )]
    Damaged { path: PathBuf, damage: Damage },
}

/// What is wrong inside a damaged state file.
#[derive(Debug, thiserror::Error)]
pub enum Damage {
    /// A gzip stream that does not decode.
    #[error("gzip: {0}")]
    Gzip(std::io::Error),
    /// Not JSON, or not the state's fields (serde_json's words).
    #[error("{0}")]
    Json(serde_json::Error),
    /// JSON without a schema number.
    #[error("no schema number: not an sslcensus state file")]
    NoSchema,
    /// A stream's format that cannot be rebuilt.
    #[error("{0}")]
    Format(FormatError),
}

/// How the stream's display name reads in messages and in `analyze`.
pub fn display(group: &str, stream: &str) -> String {
    format!("cloudwatch:{group} [{stream}]")
}

impl State {
    /// Reads the state at `path`: `None` when there is none yet (a first
    /// run). A file of another schema or a damaged one is an error naming
    /// it: starting from zero would silently count everything again or
    /// lose what was kept.
    pub fn load(path: &Path) -> Result<Option<State>, StateError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => {
                return Err(StateError::Unreadable {
                    path: path.to_path_buf(),
                    error,
                });
            }
        };
        let damaged = |damage: Damage| StateError::Damaged {
            path: path.to_path_buf(),
            damage,
        };
        let text = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut text = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_end(&mut text)
                .map_err(|e| damaged(Damage::Gzip(e)))?;
            text
        } else {
            bytes
        };
        let value: serde_json::Value =
            serde_json::from_slice(&text).map_err(|e| damaged(Damage::Json(e)))?;
        match value.get("schema").and_then(serde_json::Value::as_u64) {
            Some(n) if n == u64::from(SCHEMA) => {}
            Some(schema) => {
                return Err(StateError::OtherSchema {
                    path: path.to_path_buf(),
                    schema,
                });
            }
            None => return Err(damaged(Damage::NoSchema)),
        }
        let state: State = serde_json::from_value(value).map_err(|e| damaged(Damage::Json(e)))?;
        for group in state.groups.values() {
            for stream in group.streams.values() {
                if let Some(reading) = &stream.reading {
                    reading
                        .format
                        .format()
                        .map_err(|e| damaged(Damage::Format(e)))?;
                }
            }
        }
        Ok(Some(state))
    }

    /// Writes the state whole or not at all.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let gzip = path.extension().is_some_and(|e| e == "gz");
        AtomicFile::create(path)?.fill(|out| {
            if gzip {
                let mut encoder =
                    flate2::write::GzEncoder::new(out, flate2::Compression::default());
                serde_json::to_writer(&mut encoder, self)?;
                encoder.finish()?.flush()?;
            } else {
                serde_json::to_writer(&mut *out, self)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        })
    }

    /// The positions to ask each group from.
    pub fn positions(&self) -> BTreeMap<String, GroupPositions> {
        self.groups
            .iter()
            .map(|(group, g)| {
                let positions = GroupPositions {
                    read_until: g.read_until,
                    streams: g
                        .streams
                        .iter()
                        .map(|(stream, s)| (stream.clone(), s.position.clone()))
                        .collect(),
                };
                (group.clone(), positions)
            })
            .collect()
    }

    /// The streams' readings for `analyze`, by display name.
    pub fn resumed(&self) -> BTreeMap<String, Resumed> {
        let mut resumed = BTreeMap::new();
        for (group, g) in &self.groups {
            for (stream, s) in &g.streams {
                if let Some(reading) = &s.reading {
                    resumed.insert(
                        display(group, stream),
                        Resumed {
                            instance: reading.instance.clone(),
                            // Checked when the file was loaded.
                            format: reading.format.format().expect("checked at load"),
                            coverage: reading.coverage,
                            open: reading.correlator.clone(),
                        },
                    );
                }
            }
        }
        resumed
    }

    /// The state after a run: its positions (groups it read; the others
    /// keep theirs) and what `analyze` left of every stream.
    pub fn after(
        &self,
        positions: BTreeMap<String, GroupPositions>,
        mut left: BTreeMap<String, Resumed>,
    ) -> State {
        let mut next = State::default();
        let mut all = self.positions();
        all.extend(positions);
        for (group, positions) in all {
            let kept = next.groups.entry(group.clone()).or_default();
            kept.read_until = positions.read_until;
            for (stream, position) in positions.streams {
                let reading = left.remove(&display(&group, &stream)).map(|r| Reading {
                    instance: r.instance,
                    format: FormatState::of(&r.format),
                    coverage: r.coverage,
                    correlator: r.open,
                });
                kept.streams
                    .insert(stream, StreamState { position, reading });
            }
        }
        next
    }
}

/// Serde for maps whose keys are not text (JSON's object keys must be): a
/// list of `[key, value]` pairs, sorted by key so the same state is the
/// same file.
pub mod pairs {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<'a, M, K, V, S>(map: &'a M, serializer: S) -> Result<S::Ok, S::Error>
    where
        &'a M: IntoIterator<Item = (&'a K, &'a V)>,
        K: Serialize + Ord + 'a,
        V: Serialize + 'a,
        S: Serializer,
    {
        let mut entries: Vec<(&K, &V)> = map.into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        serializer.collect_seq(entries)
    }

    pub fn deserialize<'de, M, K, V, D>(deserializer: D) -> Result<M, D::Error>
    where
        M: FromIterator<(K, V)>,
        K: Deserialize<'de>,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

/// Serde for a hash set of numbers: a sorted list.
pub mod sorted_set {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        set: &rustc_hash::FxHashSet<u64>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut values: Vec<u64> = set.iter().copied().collect();
        values.sort_unstable();
        serializer.collect_seq(values)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<rustc_hash::FxHashSet<u64>, D::Error> {
        Ok(Vec::<u64>::deserialize(deserializer)?.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_skip_what_was_read_and_keep_every_id_of_the_last_millisecond() {
        let p = Position::default().after([(10, "a"), (12, "c"), (12, "b"), (11, "x")]);
        assert_eq!((p.last_time, p.events), (12, 4));
        assert_eq!(p.ids_at_last_time, ["b", "c"]);
        // (time, id, read already)
        for (time, id, read) in [
            (11, "y", true),
            (12, "b", true),
            (12, "d", false),
            (13, "a", false),
        ] {
            assert_eq!(p.has_read(time, id), read, "{time} {id}");
        }
        let q = p.after([(12, "d")]);
        assert_eq!(q.ids_at_last_time, ["b", "c", "d"]);
        assert_eq!(q.after([(13, "e")]).ids_at_last_time, ["e"]);
    }

    /// A group is asked from its earliest stream's last event, but a
    /// stream quiet for long holds it back no further than a week before
    /// the last run's end.
    #[test]
    fn a_group_is_asked_from_its_earliest_stream_within_a_week() {
        let day = 86_400_000;
        let group = |read_until, times: &[Millis]| GroupPositions {
            read_until,
            streams: times
                .iter()
                .enumerate()
                .map(|(i, &t)| (format!("s{i}"), Position::default().after([(t, "id")])))
                .collect(),
        };
        // (group, --since, start)
        let table = [
            (group(None, &[]), Some(3), Some(3)),
            (group(Some(30 * day), &[]), None, None),
            (group(None, &[20 * day, 29 * day]), Some(3), Some(20 * day)),
            (
                group(Some(30 * day), &[25 * day, 29 * day]),
                None,
                Some(25 * day),
            ),
            (
                group(Some(30 * day), &[2 * day, 29 * day]),
                Some(3),
                Some(23 * day),
            ),
        ];
        for (positions, since, start) in table {
            assert_eq!(positions.start(since), start, "{positions:?}");
        }
    }

    #[test]
    fn formats_are_named_and_found_again() {
        let formats = [
            LogFormat::PgStderr {
                prefix: Some(LinePrefix::compile("%t:%r:%u@%d:[%p]:").unwrap()),
            },
            LogFormat::Enveloped {
                envelope: sslcensus_parsers::envelope::TEXT,
                inner: Box::new(LogFormat::MysqlGeneral {
                    engine: Engine::Mariadb,
                }),
            },
        ];
        for format in formats {
            let named = FormatState::of(&format);
            let text = serde_json::to_string(&named).unwrap();
            let back: FormatState = serde_json::from_str(&text).unwrap();
            assert_eq!(back.format().unwrap().to_string(), format.to_string());
        }
    }

    #[test]
    fn formats_that_cannot_be_rebuilt_say_why() {
        let table = [
            (
                FormatState::PgStderr {
                    log_line_prefix: Some("%t %".into()),
                },
                FormatError::Prefix(PrefixError::LonePercent {
                    prefix: "%t %".into(),
                }),
            ),
            (
                FormatState::Enveloped {
                    envelope: "telegraph".into(),
                    inner: Box::new(FormatState::PgCsvlog),
                },
                FormatError::UnknownEnvelope("telegraph".into()),
            ),
        ];
        for (kept, want) in table {
            assert_eq!(kept.format().unwrap_err(), want, "{kept:?}");
        }
        assert_eq!(
            FormatError::UnknownEnvelope("telegraph".into()).to_string(),
            "unknown envelope `telegraph`"
        );
    }

    /// A missing file is a first run; another schema, a damaged file or
    /// something else entirely is an error naming the file, never a fresh
    /// start.
    #[test]
    fn a_state_of_another_schema_or_damaged_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert_eq!(State::load(&path).unwrap(), None);
        let saved = State::default().after(
            BTreeMap::from([(
                "/aws/rds/instance/db/postgresql".to_string(),
                GroupPositions {
                    read_until: Some(9),
                    streams: BTreeMap::from([(
                        "db".to_string(),
                        Position::default().after([(5, "id")]),
                    )]),
                },
            )]),
            BTreeMap::new(),
        );
        saved.save(&path).unwrap();
        assert_eq!(State::load(&path).unwrap(), Some(saved.clone()));
        let gz = dir.path().join("state.json.gz");
        saved.save(&gz).unwrap();
        assert_eq!(std::fs::read(&gz).unwrap()[..2], [0x1f, 0x8b]);
        assert_eq!(State::load(&gz).unwrap(), Some(saved));
        let text = std::fs::read_to_string(&path).unwrap();
        let kind = |e: &StateError| match e {
            StateError::Unreadable { .. } => "unreadable",
            StateError::OtherSchema { .. } => "other schema",
            StateError::Damaged { damage, .. } => match damage {
                Damage::Gzip(_) => "gzip",
                Damage::Json(_) => "json",
                Damage::NoSchema => "no schema",
                Damage::Format(_) => "format",
            },
        };
        let text = text.as_bytes();
        let replaced =
            |from: &str, to: &str| String::from_utf8_lossy(text).replace(from, to).into_bytes();
        // (contents, the error's kind, words the message must hold)
        let table: [(Vec<u8>, &str, &str); 6] = [
            (
                replaced("\"schema\":1", "\"schema\":2"),
                "other schema",
                "schema 2",
            ),
            (text[..text.len() / 2].to_vec(), "json", "damaged"),
            (
                b"{\"groups\":{}}".to_vec(),
                "no schema",
                "not an sslcensus state file",
            ),
            (
                replaced("\"last_time\":5", "\"last_time\":\"x\""),
                "json",
                "damaged",
            ),
            (b"\x1f\x8bjunk".to_vec(), "gzip", "damaged (gzip: "),
            ("\u{1f}\u{8b}junk".into(), "json", "damaged"),
        ];
        for (contents, want, words) in table {
            std::fs::write(&path, &contents).unwrap();
            let error = State::load(&path).unwrap_err();
            assert_eq!(kind(&error), want, "{error:?}");
            let message = error.to_string();
            assert!(message.contains(&path.display().to_string()), "{message}");
            assert!(message.contains(words), "{message}");
        }
        // A folder: there, but not readable as a file.
        let error = State::load(dir.path()).unwrap_err();
        assert_eq!(kind(&error), "unreadable", "{error:?}");
        assert!(
            error.to_string().contains("cannot read the state file"),
            "{error}"
        );
    }
}
