//! MySQL / MariaDB option files as their clients read them, for `sslcensus
//! capture`: `~/.my.cnf`, or only the file `--defaults-file` names (the
//! mysql client's meaning), groups `[client]` and `[mysql]` (MariaDB's
//! client also `[client-server]`, `[client-mariadb]`, `[mariadb-client]`),
//! the last value of a key winning. Only `user`, `password`, `host` and
//! `port` are taken. A world-writable file is ignored, as the clients
//! ignore it. Values are never echoed: messages name the file and line.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// What an option file gives a connection.
#[derive(Default, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    pub user: Option<String>,
    pub password: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("host", &self.host)
            .field("port", &self.port)
            .finish()
    }
}

/// The groups the mysql client reads, and those the mariadb client adds.
const MYSQL_GROUPS: &[&str] = &["client", "mysql"];
const MARIADB_GROUPS: &[&str] = &[
    "client",
    "client-server",
    "client-mariadb",
    "mysql",
    "mariadb-client",
];

/// The file to read: `--defaults-file`, else `~/.my.cnf` when it exists.
pub fn option_file(defaults_file: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = defaults_file {
        return Some(path.to_path_buf());
    }
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    let path = Path::new(&home).join(".my.cnf");
    path.is_file().then_some(path)
}

/// Reads `path` for a client of MariaDB (`mariadb`) or MySQL. A file given
/// with `--defaults-file` must be readable; `~/.my.cnf` too once it exists.
pub fn read(path: &Path, mariadb: bool) -> anyhow::Result<ClientOptions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("cannot read the option file {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o002 != 0 {
            eprintln!(
                "sslcensus: capture: warning: the option file {} is world-writable: ignored (as the mysql client ignores it)",
                path.display()
            );
            return Ok(ClientOptions::default());
        }
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the option file {}", path.display()))?;
    parse(
        &text,
        if mariadb {
            MARIADB_GROUPS
        } else {
            MYSQL_GROUPS
        },
    )
    .map_err(|(line, why)| anyhow::anyhow!("{}:{line}: {why}", path.display()))
}

/// An option's name as the clients compare them: `-` and `_` alike.
fn key(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace('_', "-")
}

/// A value as written: quoted (`"…"`, `'…'`, with backslash escapes) or
/// bare up to a `#` comment; `None` for an open quote.
fn value(text: &str) -> Option<String> {
    let text = text.trim();
    let Some(quote) = text.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        let bare = match text.find(" #").or_else(|| text.find("\t#")) {
            Some(i) => &text[..i],
            None => text,
        };
        return Some(unescape(bare.trim_end()));
    };
    let inner = &text[1..];
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str(&unescape(&format!("\\{}", chars.next()?))),
            c if c == quote => return Some(out),
            c => out.push(c),
        }
    }
    None
}

/// The escapes the option file format knows (`\n`, `\t`, `\\`, `\s`, …).
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('s') => out.push(' '),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The options of `groups` in an option file's text; an error names the
/// line, never its value.
fn parse(text: &str, groups: &[&str]) -> Result<ClientOptions, (usize, &'static str)> {
    let mut options = ClientOptions::default();
    let mut reading = false;
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        // !include and !includedir: the files they name are not read.
        if line.starts_with('!') {
            continue;
        }
        if let Some(group) = line.strip_prefix('[') {
            let group = group
                .split_once(']')
                .map(|(g, _)| g.trim().to_ascii_lowercase())
                .ok_or((number, "a group header without its closing ]"))?;
            reading = groups.contains(&group.as_str());
            continue;
        }
        if !reading {
            continue;
        }
        let (name, text) = line.split_once('=').unwrap_or((line, ""));
        let has_value = line.contains('=');
        let slot = match key(name).as_str() {
            "user" => &mut options.user,
            "password" => &mut options.password,
            "host" => &mut options.host,
            "port" => {
                if has_value {
                    let port = value(text).ok_or((number, "a quote is left open"))?;
                    options.port = Some(
                        port.trim()
                            .parse()
                            .map_err(|_| (number, "port is not a port number"))?,
                    );
                }
                continue;
            }
            _ => continue,
        };
        if !has_value {
            // A bare `password` makes the clients prompt: not read here.
            if key(name) == "password" {
                return Err((
                    number,
                    "a password option without a value (the mysql client would prompt): give -W",
                ));
            }
            continue;
        }
        *slot = Some(value(text).ok_or((number, "a quote is left open"))?);
    }
    Ok(options)
}

/// Checks a `--defaults-file` before anything else: it must exist.
pub fn check_defaults_file(path: &Path) -> anyhow::Result<()> {
    if !path.is_file() {
        bail!("--defaults-file {}: no such file", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(user: &str, password: &str, host: &str, port: Option<u16>) -> ClientOptions {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        ClientOptions {
            user: some(user),
            password: some(password),
            host: some(host),
            port,
        }
    }

    #[test]
    fn option_files_as_the_clients_read_them() {
        let table = [
            (
                "[client]\nuser=capture\npassword=s3cret\nhost = db.example\nport=3307\n",
                opts("capture", "s3cret", "db.example", Some(3307)),
            ),
            // [mysql] after [client]: the last value wins; other groups
            // are another program's.
            (
                "[client]\nuser=a\n[mysqld]\nuser=mysql\n[mysql]\nuser=b\npassword=\"p#1 \\\"x\\\"\"\n",
                opts("b", "p#1 \"x\"", "", None),
            ),
            (
                "# comment\n; comment\n!includedir /etc/mysql/conf.d/\n[CLIENT]\nPassword = 'two words' \nssl_ca=/x\n",
                opts("", "two words", "", None),
            ),
            ("[client]\nhost=h # the host\n", opts("", "", "h", None)),
            ("[mysqldump]\nuser=x\n", opts("", "", "", None)),
        ];
        for (text, want) in table {
            assert_eq!(parse(text, MYSQL_GROUPS), Ok(want), "{text}");
        }
        assert_eq!(
            parse("[client-mariadb]\nuser=m\n", MARIADB_GROUPS).map(|o| o.user),
            Ok(Some("m".into()))
        );
        assert_eq!(
            parse("[client-mariadb]\nuser=m\n", MYSQL_GROUPS).map(|o| o.user),
            Ok(None)
        );
        // Errors name the line, never the value.
        for (text, line) in [
            ("[client]\npassword=\"zz-secret\n", 2),
            ("[client\nuser=zz\n", 1),
            ("[client]\nport=zz99\n", 2),
            ("[client]\npassword\n", 2),
        ] {
            let Err((n, why)) = parse(text, MYSQL_GROUPS) else {
                panic!("{text}")
            };
            assert_eq!(n, line, "{text}");
            assert!(!why.contains("zz"), "{why}");
        }
        let debug = format!("{:?}", opts("u", "s3cret", "", None));
        assert!(!debug.contains("s3cret"), "{debug}");
    }
}
