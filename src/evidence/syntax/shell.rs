//! Command lines in shell scripts, Makefiles, CI YAML, Dockerfile `RUN`
//! lines and Jenkinsfiles, read without a shell: where a named command
//! starts, the variables assigned just before it (`PGSSLMODE=… psql`), its
//! words with the quotes removed, and its options read as getopt does.

use std::sync::LazyLock;

use regex::Regex;

/// Files whose text runs commands: scripts, Makefiles, CI and container
/// definitions.
pub(crate) fn is_script(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let name = name.as_str();
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    matches!(
        ext,
        "sh" | "bash" | "zsh" | "ksh" | "mk" | "yml" | "yaml" | "groovy" | "jenkinsfile"
    ) || matches!(
        name,
        "makefile" | "gnumakefile" | "jenkinsfile" | "procfile"
    ) || name.starts_with("dockerfile")
        || name.ends_with(".dockerfile")
        || name.starts_with("containerfile")
}

/// One word of a command line: its text with quotes and escapes removed,
/// and where it is in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    pub(crate) text: String,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// One command found in a file.
#[derive(Debug)]
pub(crate) struct Command {
    /// Where the first variable assigned before it starts, else its name.
    pub(crate) start: usize,
    /// The command's name, without its directory.
    pub(crate) name: String,
    /// Where the name starts.
    pub(crate) name_at: usize,
    /// `NAME=value` words before the name: they hold for this command only.
    pub(crate) env: Vec<(String, Word)>,
    /// The words after the name, up to `;`, `|`, `&`, a redirection or the
    /// end of the line (`\` continues it).
    pub(crate) args: Vec<Word>,
    pub(crate) end: usize,
}

impl Command {
    /// The command as written, the words `hidden` (password options) shown
    /// as `****`.
    pub(crate) fn shown(&self, text: &str, hidden: &[&Word]) -> String {
        let mut out = String::new();
        let mut at = self.start;
        let mut hidden: Vec<&&Word> = hidden.iter().collect();
        hidden.sort_by_key(|w| w.start);
        for w in hidden {
            if w.start < at {
                continue;
            }
            out.push_str(&text[at..w.start]);
            out.push_str("****");
            at = w.end;
        }
        out.push_str(&text[at..self.end.max(at)]);
        out.split_whitespace()
            .filter(|w| *w != "\\")
            .collect::<Vec<_>>()
            .join(" ")
    }
}

static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([A-Za-z_][A-Za-z0-9_]*)=("[^"\n]*"|'[^'\n]*'|[^\s"';|&]*)[ \t]+$"#)
        .expect("assignment pattern compiles")
});

/// The commands in `text` whose name `word` matches (a pattern of whole
/// names, longest first: `pg_dumpall|pg_dump|psql`). Any place a name
/// stands alone counts (`docker run … psql`, `kubectl exec … -- psql`):
/// a caller reports only commands that name a server.
pub(crate) fn commands(text: &str, word: &Regex) -> Vec<Command> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    for m in word.find_iter(text) {
        let (at, name_end) = (m.start(), m.end());
        // A whole word: after a path or a delimiter, before a blank.
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b"_-.$".contains(&b[at - 1])) {
            continue;
        }
        if !matches!(b.get(name_end), None | Some(b' ' | b'\t' | b'\n' | b'\r')) {
            continue;
        }
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let mut head = &text[line_start..at];
        // `/usr/bin/psql`.
        if head.ends_with('/') {
            let cut = head.rfind([' ', '\t', '"', '\'']).map_or(0, |i| i + 1);
            head = &head[..cut];
        }
        let mut env = Vec::new();
        let mut start = line_start + head.len();
        while let Some(c) = ASSIGNMENT.captures(head) {
            let whole = c.get(0).expect("match");
            let value = c.get(2).expect("value");
            let v = value.as_str();
            let text = v
                .strip_prefix(['"', '\''])
                .and_then(|v| v.strip_suffix(['"', '\'']))
                .unwrap_or(v);
            env.push((
                c[1].to_string(),
                Word {
                    text: text.to_string(),
                    start: line_start + value.start(),
                    end: line_start + value.end(),
                },
            ));
            start = line_start + whole.start();
            head = &head[..whole.start()];
        }
        env.reverse();
        let start = if env.is_empty() { at } else { start };
        let enclosing = head
            .trim_end()
            .bytes()
            .last()
            .filter(|c| matches!(c, b'"' | b'\''));
        let (args, end) = words(text, name_end, enclosing);
        out.push(Command {
            start,
            name: m.as_str().to_string(),
            name_at: at,
            env,
            args,
            end,
        });
    }
    out
}

/// The words from `from` to the end of the command, and where it ends.
fn words(text: &str, from: usize, enclosing: Option<u8>) -> (Vec<Word>, usize) {
    let b = text.as_bytes();
    let mut i = from;
    let mut out = Vec::new();
    loop {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r') {
            i += 1;
        }
        if b[i..].starts_with(b"\\\n") || b[i..].starts_with(b"\\\r\n") {
            i += if b[i + 1] == b'\n' { 2 } else { 3 };
            continue;
        }
        if i >= b.len() || b"\n;|&<>)`".contains(&b[i]) || Some(b[i]) == enclosing {
            return (out, i);
        }
        let start = i;
        let mut word = Vec::new();
        while i < b.len() {
            let c = b[i];
            if matches!(
                c,
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'|' | b'&' | b'<' | b'>' | b')' | b'`'
            ) || Some(c) == enclosing
            {
                break;
            }
            match c {
                b'"' | b'\'' => {
                    let close = text[i + 1..]
                        .find(char::from(c))
                        .map_or(b.len(), |j| i + 1 + j);
                    word.extend_from_slice(&b[i + 1..close]);
                    i = (close + 1).min(b.len());
                }
                b'\\' if i + 1 < b.len() && b[i + 1] != b'\n' => {
                    word.push(b[i + 1]);
                    i += 2;
                }
                b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => {
                    let (open, close) = if b[i + 1] == b'(' {
                        (b'(', b')')
                    } else {
                        (b'{', b'}')
                    };
                    let mut depth = 0;
                    let mut j = i + 1;
                    while j < b.len() && b[j] != b'\n' {
                        if b[j] == open {
                            depth += 1;
                        } else if b[j] == close {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        j += 1;
                    }
                    let end = (j + 1).min(b.len());
                    word.extend_from_slice(&b[i..end]);
                    i = end;
                }
                _ => {
                    word.push(c);
                    i += 1;
                }
            }
        }
        out.push(Word {
            text: String::from_utf8_lossy(&word).into_owned(),
            start,
            end: i,
        });
    }
}

/// Which options of a command take a value, as its getopt reads them.
pub(crate) struct Options {
    /// Short options whose value is the rest of the word or the next word.
    pub(crate) short_valued: &'static str,
    /// Short options whose value may only be glued on (MySQL's `-p`).
    pub(crate) short_glued: &'static str,
    /// Long options (without `--`) that take the next word as their value
    /// when none is given with `=`.
    pub(crate) long_valued: &'static [&'static str],
}

/// One option or operand of a command line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Arg<'w> {
    /// `-h db`, `-hdb`, `--host=db`, `--host db`, `--ssl`: the option's
    /// name (a letter, or the long name) and its value, from the words
    /// holding them.
    Opt {
        name: String,
        value: Option<String>,
        words: Vec<&'w Word>,
    },
    /// An operand.
    Operand(&'w Word),
}

impl Options {
    /// Reads `args` as getopt does: `--` ends the options.
    pub(crate) fn read<'w>(&self, args: &'w [Word]) -> Vec<Arg<'w>> {
        let mut out = Vec::new();
        let mut i = 0;
        let mut operands_only = false;
        while i < args.len() {
            let w = &args[i];
            i += 1;
            let t = w.text.as_str();
            if operands_only || !t.starts_with('-') || t == "-" {
                out.push(Arg::Operand(w));
                continue;
            }
            if t == "--" {
                operands_only = true;
                continue;
            }
            if let Some(long) = t.strip_prefix("--") {
                let (name, value) = match long.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (long, None),
                };
                let mut words = vec![w];
                let value = match value {
                    None if self.long_valued.contains(&name) && i < args.len() => {
                        words.push(&args[i]);
                        i += 1;
                        Some(args[i - 1].text.clone())
                    }
                    v => v,
                };
                out.push(Arg::Opt {
                    name: name.to_string(),
                    value,
                    words,
                });
                continue;
            }
            let letters = &t[1..];
            for (k, c) in letters.char_indices() {
                let rest = &letters[k + c.len_utf8()..];
                if self.short_glued.contains(c) {
                    out.push(Arg::Opt {
                        name: c.to_string(),
                        value: (!rest.is_empty()).then(|| rest.to_string()),
                        words: vec![w],
                    });
                    break;
                }
                if self.short_valued.contains(c) {
                    let mut words = vec![w];
                    let value = if !rest.is_empty() {
                        Some(rest.to_string())
                    } else if i < args.len() {
                        words.push(&args[i]);
                        i += 1;
                        Some(args[i - 1].text.clone())
                    } else {
                        None
                    };
                    out.push(Arg::Opt {
                        name: c.to_string(),
                        value,
                        words,
                    });
                    break;
                }
                out.push(Arg::Opt {
                    name: c.to_string(),
                    value: None,
                    words: vec![w],
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command's name, variables and words.
    type Found = (String, Vec<(String, String)>, Vec<String>);

    fn found(text: &str) -> Vec<Found> {
        let word = Regex::new(r"psql|mysql").unwrap();
        commands(text, &word)
            .into_iter()
            .map(|c| {
                (
                    c.name,
                    c.env.into_iter().map(|(k, v)| (k, v.text)).collect(),
                    c.args.into_iter().map(|w| w.text).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn commands_are_found_where_commands_start() {
        let s = |v: &[&str]| v.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        let rows: &[(&str, Vec<Found>)] = &[
            (
                "PGSSLMODE=verify-full PGHOST='db x' psql -h db -c \"select 1\" | tee out\n",
                vec![(
                    "psql".into(),
                    vec![
                        ("PGSSLMODE".into(), "verify-full".into()),
                        ("PGHOST".into(), "db x".into()),
                    ],
                    s(&["-h", "db", "-c", "select 1"]),
                )],
            ),
            (
                "cd /x && /usr/bin/psql \\\n  --host=db \\\n  app > out.txt\n",
                vec![("psql".into(), vec![], s(&["--host=db", "app"]))],
            ),
            (
                "  script:\n    - mysql -h \"$DB_HOST\" -u${DB_USER} app < x.sql\n",
                vec![(
                    "mysql".into(),
                    vec![],
                    s(&["-h", "$DB_HOST", "-u${DB_USER}", "app"]),
                )],
            ),
            (
                "sh \"mysql -h db --ssl\"\nRUN psql $(cat url)\n",
                vec![
                    ("mysql".into(), vec![], s(&["-h", "db", "--ssl"])),
                    ("psql".into(), vec![], s(&["$(cat url)"])),
                ],
            ),
            // Not commands: part of a name.
            (
                "apt-get install mysql-client\nimage: mysql:8\nmy_psql -h x\n",
                vec![],
            ),
        ];
        for (text, want) in rows {
            assert_eq!(&found(text), want, "{text}");
        }
    }

    #[test]
    fn options_are_read_as_getopt_does() {
        let args: Vec<Word> = [
            "-hdb", "-p", "5432", "-Uapp", "-pw", "--ssl", "--ssl-ca", "/ca.pem", "--port=1",
            "-xv", "--", "-d",
        ]
        .iter()
        .enumerate()
        .map(|(i, t)| Word {
            text: t.to_string(),
            start: i,
            end: i + 1,
        })
        .collect();
        let spec = Options {
            short_valued: "hpU",
            short_glued: "",
            long_valued: &["ssl-ca"],
        };
        let got: Vec<(String, Option<String>)> = spec
            .read(&args)
            .into_iter()
            .map(|a| match a {
                Arg::Opt { name, value, .. } => (name, value),
                Arg::Operand(w) => ("operand".into(), Some(w.text.clone())),
            })
            .collect();
        let o = |n: &str, v: Option<&str>| (n.to_string(), v.map(str::to_string));
        assert_eq!(
            got,
            [
                o("h", Some("db")),
                o("p", Some("5432")),
                o("U", Some("app")),
                o("p", Some("w")),
                o("ssl", None),
                o("ssl-ca", Some("/ca.pem")),
                o("port", Some("1")),
                o("x", None),
                o("v", None),
                o("operand", Some("-d")),
            ]
        );
    }
}
