//! INI-style files (`my.cnf`, `odbc.ini`, `freetds.conf`): sections of
//! `key = value` and bare keys.

use super::super::text::shown_lines;
use super::comment::strip_inline_comment;
use super::kv::norm_key;
use super::quote::unquote;

/// One `[section]` of an INI-style file (`my.cnf`, `odbc.ini`, `freetds.conf`).
pub(crate) struct IniSection<'a> {
    pub(crate) name: &'a str,
    /// Byte offset of the `[name]` line.
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) entries: Vec<IniEntry<'a>>,
}

pub(crate) struct IniEntry<'a> {
    /// Byte offset of the entry's line, and where that line ends.
    pub(crate) at: usize,
    pub(crate) end: usize,
    pub(crate) key: &'a str,
    /// `None` for a bare option (`ssl`, `skip-ssl`).
    pub(crate) value: Option<&'a str>,
}

impl IniSection<'_> {
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|e| norm_key(e.key) == norm_key(key))
            .map(|e| e.value.map_or("", unquote))
    }

    pub(crate) fn shown(&self, text: &str) -> String {
        shown_lines(&text[self.start..self.end])
    }
}

/// Sections of an INI-style file; `#`/`;` comments, `key = value` or bare keys.
pub(crate) fn ini_sections(text: &str) -> Vec<IniSection<'_>> {
    let mut sections: Vec<IniSection<'_>> = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim();
        let line_end = offset + raw.trim_end_matches(['\n', '\r']).len();
        if let Some(header) = line.strip_prefix('[') {
            let name = header.split(']').next().unwrap_or(header);
            sections.push(IniSection {
                name: name.trim(),
                start: offset,
                end: line_end,
                entries: Vec::new(),
            });
        } else if !line.is_empty()
            && !line.starts_with(['#', ';', '!'])
            && let Some(section) = sections.last_mut()
        {
            let (key, value) = match line.split_once('=') {
                Some((k, v)) => (k.trim(), Some(strip_inline_comment(v.trim()))),
                None => (line, None),
            };
            section.entries.push(IniEntry {
                at: offset,
                end: line_end,
                key,
                value,
            });
            section.end = line_end;
        }
        offset += raw.len();
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_rows;
    use super::*;

    /// A key before any section, a commented-out entry, a switch, a quoted
    /// value, an inline comment, and the server's section.
    const MY_CNF: &str = "top=1\n[client]\nssl-ca = /c.pem  # the bundle\n; ssl-mode=DISABLED\nskip-ssl\nhost='db'\n\n[mysqld]\nport=3306\n";

    #[test]
    fn sections_and_their_keys() {
        let sections = ini_sections(MY_CNF);
        let names: Vec<&str> = sections.iter().map(|s| s.name).collect();
        assert_eq!(names, ["client", "mysqld"]);
        let client = &sections[0];
        assert_rows(
            |key| client.get(key),
            &[
                ("ssl_ca", Some("/c.pem")),
                ("SSL-CA", Some("/c.pem")),
                ("skip-ssl", Some("")),
                ("host", Some("db")),
                ("ssl-mode", None),
                ("port", None),
            ],
        );
        assert_eq!(
            &MY_CNF[client.start..client.end],
            "[client]\nssl-ca = /c.pem  # the bundle\n; ssl-mode=DISABLED\nskip-ssl\nhost='db'"
        );
        assert_eq!(sections[1].get("port"), Some("3306"));
        let port = &sections[1].entries[0];
        assert_eq!(&MY_CNF[port.at..port.end], "port=3306");
    }
}
