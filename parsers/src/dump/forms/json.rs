//! JSON: `SELECT json_agg(t) FROM (…) t` (one array per capture) or
//! `row_to_json` (one object per line), as printed by `psql -At`, or by
//! plain psql with its header, rule, `+` line ends and `(1 row)` footer.
//! Nested objects (connect attributes as one JSON column) are flattened.

use serde_json::Value;

use super::{DumpForm, FormReader, Head, is_header};
use crate::dump::{Event, Row, is_footer, is_rule};

pub struct Json;

/// A line without psql's decoration, or `None` for a decoration line.
fn bare(line: &str) -> Option<&str> {
    let t = line.trim();
    if t.is_empty() || is_footer(t) || is_rule(t, &['+']) {
        return None;
    }
    // The header psql prints over the one JSON column.
    if t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    Some(t.strip_suffix('+').map_or(t, str::trim_end))
}

/// Bracket depth after `text`, outside strings.
fn depth_after(mut depth: i64, in_string: &mut bool, text: &str) -> i64 {
    let mut escaped = false;
    for c in text.chars() {
        if *in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => *in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => *in_string = true,
            '{' | '[' => depth += 1,
            '}' | ']' => depth -= 1,
            _ => {}
        }
    }
    depth
}

fn flatten(row: &mut Row, object: &serde_json::Map<String, Value>) {
    for (name, value) in object {
        match value {
            Value::Null => row.push(name, None),
            Value::String(s) => row.push(name, Some(s.clone())),
            Value::Object(inner) => flatten(row, inner),
            other => row.push(name, Some(other.to_string())),
        }
    }
}

/// The rows of one JSON value: an array of objects is a capture.
fn emit(line: u64, value: &Value, out: &mut Vec<Event>) -> bool {
    let objects: Vec<&serde_json::Map<String, Value>> = match value {
        Value::Array(items) => {
            out.push(Event::Start);
            items.iter().filter_map(Value::as_object).collect()
        }
        Value::Object(object) => vec![object],
        _ => return false,
    };
    for object in objects {
        let mut row = Row::new(line);
        flatten(&mut row, object);
        out.push(Event::Row(row));
    }
    out.push(Event::End);
    true
}

impl DumpForm for Json {
    fn id(&self) -> &'static str {
        "json"
    }
    fn name(&self) -> &'static str {
        "JSON"
    }
    fn columns(&self, head: &Head<'_>) -> Option<Vec<String>> {
        let mut reader = JsonReader::default();
        let mut out = Vec::new();
        for &(i, line) in head.content() {
            if bare(line).is_some_and(|b| !b.starts_with(['[', '{'])) && reader.text.is_empty() {
                return None;
            }
            reader.line(i as u64 + 1, line, &mut out);
            if let Some(Event::Row(row)) = out.iter().find(|e| matches!(e, Event::Row(_))) {
                let columns = row.columns();
                return is_header(&columns).then_some(columns);
            }
            if out.iter().any(|e| matches!(e, Event::Bad { .. })) {
                return None;
            }
        }
        None
    }
    fn reader(&self) -> Box<dyn FormReader> {
        Box::new(JsonReader::default())
    }
}

#[derive(Default)]
struct JsonReader {
    text: String,
    start: u64,
    depth: i64,
    in_string: bool,
}

impl FormReader for JsonReader {
    fn line(&mut self, number: u64, line: &str, out: &mut Vec<Event>) {
        let Some(bare) = bare(line) else {
            return;
        };
        if self.text.is_empty() {
            if !bare.starts_with(['[', '{']) {
                out.push(Event::Bad {
                    line: number,
                    why: "not JSON",
                });
                return;
            }
            self.start = number;
        }
        self.text.push_str(bare);
        self.text.push('\n');
        self.depth = depth_after(self.depth, &mut self.in_string, bare);
        if self.depth > 0 {
            return;
        }
        let text = std::mem::take(&mut self.text);
        let parsed = serde_json::from_str::<Value>(&text);
        let fine = parsed.is_ok_and(|value| emit(self.start, &value, out));
        if !fine {
            out.push(Event::Bad {
                line: self.start,
                why: "JSON that does not parse, or not an object or an array of objects",
            });
        }
        self.depth = 0;
        self.in_string = false;
    }

    fn boundary(&mut self, _out: &mut Vec<Event>) {
        *self = JsonReader::default();
    }

    fn finish(&mut self, out: &mut Vec<Event>) {
        if !self.text.is_empty() {
            out.push(Event::Bad {
                line: self.start,
                why: "JSON cut short at the end of the file",
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dump::forms::testing::{cells, lines, read};

    #[test]
    fn json_agg_row_to_json_and_psql_decoration() {
        let table = [
            // psql -At -c "SELECT json_agg(t) FROM (…) t"
            (
                "[{\"pid\":4242,\"usename\":\"app-user\",\"ssl\":true}, \n {\"pid\":4243,\"usename\":null,\"ssl\":false}]\n",
                "SRRE",
            ),
            // plain psql: header, rule, `+` line ends, footer
            (
                "                      json_agg                       \n\
                 -----------------------------------------------------\n\
                 \x20[{\"pid\":4242,\"usename\":\"app-user\",\"ssl\":true}, +\n\
                 \x20 {\"pid\":4243,\"usename\":null,\"ssl\":false}]\n\
                 (1 row)\n\n",
                "SRRE",
            ),
            // row_to_json, one object a line
            (
                "{\"pid\":4242,\"usename\":\"app-user\",\"ssl\":true}\n{\"pid\":4243,\"usename\":null,\"ssl\":false}\n",
                "RERE",
            ),
        ];
        for (text, shape) in table {
            assert_eq!(
                Json.columns(&lines(text)).map(|c| c.len()),
                Some(3),
                "{text}"
            );
            let (rows, got) = read(&Json, text);
            assert_eq!(got, shape, "{text}");
            // serde_json orders keys by name.
            assert_eq!(cells(&rows[0]), "pid=4242 ssl=true usename=app-user");
            assert_eq!(cells(&rows[1]), "pid=4243 ssl=false usename=∅");
        }
        let (_, shape) = read(&Json, "{\"pid\": 1,\n");
        assert_eq!(shape, "B");
        let (_, shape) = read(&Json, "{\"pid\": 1}}\n[1,2]\n");
        assert_eq!(shape, "BSE");
        // A PostgreSQL jsonlog line is JSON too, but of no session view.
        let jsonlog = "{\"timestamp\":\"2026-11-29 03:52:56.043 UTC\",\"pid\":6510,\"remote_host\":\"127.0.0.1\",\"message\":\"connection received\"}\n";
        assert!(crate::dump::detect(jsonlog.as_bytes(), None).is_none());
    }
}
