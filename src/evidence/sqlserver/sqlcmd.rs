//! `sqlcmd` command lines in shell and CI scripts: the ODBC sqlcmd
//! (mssql-tools, mssql-tools18) and go-sqlcmd.
//!
//! `-N` asks for encryption (ODBC 18 `-N[s|m|o]`, go-sqlcmd `-N
//! true|false|disable|strict`), `-C` trusts the server certificate (no
//! validation). Without `-N` the default is the variant's: ODBC Driver 18's
//! sqlcmd encrypts (`mandatory`) and validates, 17's does not ask for
//! encryption, go-sqlcmd negotiates without validating. The variant shows
//! only in a path (`/opt/mssql-tools18/bin/sqlcmd`); elsewhere the facts
//! are what every variant agrees on.

use super::*;

/// `sqlcmd` as a command word (a path before it may name the variant).
pub(super) static SQLCMD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)sqlcmd(?:\.exe)?(?:[ \t\r\n]|$)").expect("sqlcmd pattern compiles")
});

stack::row!(SQLCMD_CALLS: Ms, "sqlcmd command lines",
    |file| file.lower().contains("sqlcmd"), sqlcmd_calls);

/// The sqlcmd that reads a command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sqlcmd {
    /// The ODBC sqlcmd on Microsoft ODBC Driver `major`.
    Odbc(u32),
    Go,
}

impl Sqlcmd {
    /// The variants a command word may be: its path may name the
    /// mssql-tools package (`mssql-tools18`: ODBC Driver 18; `mssql-tools`:
    /// 17), else any.
    pub(super) fn candidates(word: &str) -> &'static [Sqlcmd] {
        if word.contains("mssql-tools18") {
            &[Sqlcmd::Odbc(18)]
        } else if word.contains("mssql-tools/") {
            &[Sqlcmd::Odbc(17)]
        } else {
            &[Sqlcmd::Odbc(17), Sqlcmd::Odbc(18), Sqlcmd::Go]
        }
    }

    /// The facts of `-N` and `-C` (`authentication`: `-G`, Microsoft Entra).
    pub(super) fn facts(
        self,
        encrypt: Option<Encrypt>,
        trust: Option<bool>,
        authentication: bool,
    ) -> Option<Facts> {
        match self {
            Sqlcmd::Odbc(major) => odbc_facts(encrypt, trust, major, authentication),
            // go-sqlcmd passes `-C` as TrustServerCertificate and leaves it
            // unset (go-mssqldb's default: trusted) when neither is given;
            // `-N` alone requires validation.
            Sqlcmd::Go => {
                let trust = trust.or(encrypt.map(|_| false));
                go_mssqldb(encrypt, trust)
            }
        }
    }
}

/// `-N` values: ODBC 18's `s`/`m`/`o`, go-sqlcmd's words.
pub(super) fn sqlcmd_encrypt(v: &str) -> Option<Encrypt> {
    match v.to_ascii_lowercase().as_str() {
        "s" => Some(Encrypt::Strict),
        "m" => Some(Encrypt::On),
        "o" => Some(Encrypt::Off),
        other => Encrypt::parse(other),
    }
}

/// One sqlcmd command line, options read.
#[derive(Debug)]
pub(super) struct SqlcmdLine<'a> {
    pub(super) encrypt: Given<Encrypt>,
    pub(super) trust: bool,
    pub(super) authentication: bool,
    pub(super) server: Option<&'a str>,
    pub(super) user: Option<&'a str>,
    pub(super) database: Option<&'a str>,
    /// A word that is a variable (`$SQLCMD_OPTS`): it may add any option.
    pub(super) open: bool,
    /// The line as shown, the password masked.
    pub(super) shown: String,
}

/// Options that take a value (ODBC sqlcmd and go-sqlcmd).
const VALUED: &str = "SUPdHiovqQltacfhswKmVyYzZF";

/// Options whose value is a password.
const SECRET: &str = "PzZ";

impl<'a> SqlcmdLine<'a> {
    /// Reads the words after `sqlcmd` up to the end of the command.
    pub(super) fn read(words: &[(usize, &'a str)], line: &str, at: usize) -> SqlcmdLine<'a> {
        let mut out = SqlcmdLine {
            encrypt: Given::Absent,
            trust: false,
            authentication: false,
            server: None,
            user: None,
            database: None,
            open: false,
            shown: String::new(),
        };
        let mut secrets = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let (_, w) = words[i];
            let next = words.get(i + 1).map(|&(_, n)| n);
            i += 1;
            let Some(opt) = w.strip_prefix('-') else {
                out.open |= is_placeholder(w);
                continue;
            };
            if let Some(long) = opt.strip_prefix('-') {
                let (name, value) = long.split_once('=').unwrap_or((long, ""));
                match name {
                    "trust-server-certificate" => out.trust = true,
                    "encrypt-connection" => {
                        out.encrypt = given(
                            Some(value).filter(|v| !v.is_empty()).or(next),
                            sqlcmd_encrypt,
                        );
                    }
                    _ => {}
                }
                continue;
            }
            let Some(flag) = opt.chars().next() else {
                continue;
            };
            let attached = &opt[flag.len_utf8()..];
            match flag {
                'C' => out.trust = true,
                'G' => out.authentication = true,
                'N' => {
                    out.encrypt = if !attached.is_empty() {
                        given(Some(attached), sqlcmd_encrypt)
                    } else if let Some(e) = next.and_then(sqlcmd_encrypt) {
                        i += 1;
                        Given::Value(e)
                    } else if next.is_some_and(is_placeholder) {
                        // `-N $MODE`: a value from elsewhere, or more options.
                        i += 1;
                        Given::Unreadable
                    } else {
                        Given::Value(Encrypt::On)
                    };
                }
                f if VALUED.contains(f) => {
                    let value = if attached.is_empty() {
                        i += 1;
                        next
                    } else {
                        Some(attached)
                    };
                    if SECRET.contains(f)
                        && let Some(&(offset, word)) = words.get(i - 1)
                    {
                        let skip = if attached.is_empty() { 0 } else { 2 };
                        secrets.push(offset - at + skip..offset - at + word.len());
                    }
                    let value = value.map(unquote);
                    match f {
                        'S' => out.server = value,
                        'U' => out.user = value,
                        'd' => out.database = value,
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        let mut shown = line.to_string();
        for secret in secrets.into_iter().rev() {
            shown.replace_range(secret, "****");
        }
        // The lines a `\` or `` ` `` continues, shown as one.
        for continued in ["\\\r\n", "\\\n", "`\r\n", "`\n"] {
            shown = shown.replace(continued, " ");
        }
        out.shown = shown;
        out
    }
}

/// The words of a command from `from` to its end: the line, and the lines
/// a trailing `\` or `` ` `` continues; quotes kept together; `;`, `|`, `&`,
/// `>` and `<` end it. Each word with its offset.
pub(super) fn command_words(text: &str, from: usize) -> (Vec<(usize, &str)>, usize) {
    let bytes = text.as_bytes();
    let mut words = Vec::new();
    let mut i = from;
    let mut start: Option<usize> = None;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match (b, quote) {
            (q, Some(open)) if q == open => quote = None,
            (_, Some(_)) => {}
            (b'"' | b'\'', None) => {
                quote = Some(b);
                start.get_or_insert(i);
            }
            (b'\\' | b'`', None)
                if text[i + 1..].starts_with('\n') || text[i + 1..].starts_with("\r\n") =>
            {
                if let Some(s) = start.take() {
                    words.push((s, &text[s..i]));
                }
                i += if bytes[i + 1] == b'\r' { 3 } else { 2 };
                continue;
            }
            (b'\n' | b';' | b'|' | b'&' | b'>' | b'<', None) => break,
            (b' ' | b'\t' | b'\r', None) => {
                if let Some(s) = start.take() {
                    words.push((s, &text[s..i]));
                }
            }
            _ => {
                start.get_or_insert(i);
            }
        }
        i += 1;
    }
    if let Some(s) = start {
        words.push((s, &text[s..i]));
    }
    (words, i)
}

pub(super) fn sqlcmd_calls(file: &FileCtx<'_>, found: &mut Found) {
    let (text, lines) = (file.text, file.lines());
    for m in SQLCMD.find_iter(text) {
        let before = text[..m.start()].bytes().next_back();
        // `go-sqlcmd`, `$sqlcmd`, `sqlcmd_path`: names, not the command.
        if matches!(before, Some(b'-' | b'_' | b'$' | b'.' | b'@'))
            || commented(text, m.start())
            || found.claimed.holds(m.start())
        {
            continue;
        }
        // The command word with its path.
        let word_start = text[..m.start()]
            .rfind(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '(' | '=' | '&'))
            .map_or(0, |i| i + 1);
        let word_end = m.start() + text[m.start()..m.end()].trim_end().len();
        let (words, end) = command_words(text, word_end);
        let line = &text[word_start..end];
        let call = SqlcmdLine::read(&words, line, word_start);
        let Some(server) = call.server else {
            continue; // a sqlcmd config context, or prose
        };
        let encryption = Encryption {
            encrypt: call.encrypt,
            trust_server: if call.trust {
                Given::Value(true)
            } else {
                Given::Absent
            },
        };
        let variants = Sqlcmd::candidates(&text[word_start..word_end]);
        let facts = encryption.facts(variants, |e, t, v| v.facts(e, t, call.authentication));
        let facts = if call.open { facts.unsettled() } else { facts };
        let mut hit = ms_hit(
            lines.line(word_start),
            "sqlcmd",
            facts,
            call.shown.trim_end(),
        );
        (hit.host, hit.port) = server_host_port(server);
        hit.user = call.user.map(str::to_string);
        hit.database = call.database.map(str::to_string);
        found.claimed.claim(word_start, end);
        found.push(hit);
    }
}

stack::case_tests! {
    fn sqlcmd_command_lines(Engine::SqlServer) {
        // -N: encrypt; -C: trust the certificate (no validation).
        "deploy.sh", "sqlcmd -S tcp:orders-db,1433 -d orders -U app -P hunter2 -N -i migrate.sql" => "sqlcmd", "orders-db", 1433, "app", "orders", FULL, _;
        "deploy.sh", "sqlcmd -S orders-db -U app -P 'hunter2' -N -C -Q 'SELECT 1'" => "sqlcmd", "orders-db", _, "app", _, NO_VERIFY, _;
        "deploy.sh", "sqlcmd -S orders-db -Ns -Q 'SELECT 1'" => "sqlcmd", "orders-db", _, _, _, FULL, _;
        "deploy.sh", "sqlcmd -S orders-db -N true -C -Q 'SELECT 1'" => "sqlcmd", "orders-db", _, _, _, NO_VERIFY, _;
        // No -N: ODBC 18's sqlcmd encrypts and validates, 17's does
        // not ask for encryption, go-sqlcmd does not validate.
        "deploy.sh", "/opt/mssql-tools18/bin/sqlcmd -S orders-db -U app -Phunter2 -Q 'SELECT 1'" => "sqlcmd", "orders-db", _, "app", _, FULL, _;
        "deploy.sh", "/opt/mssql-tools18/bin/sqlcmd -S orders-db -C -Q 'SELECT 1'" => "sqlcmd", "orders-db", _, _, _, NO_VERIFY, _;
        "deploy.sh", "/opt/mssql-tools/bin/sqlcmd -S orders-db -Q 'SELECT 1'" => "sqlcmd", "orders-db", _, _, _, OPPORTUNISTIC, _;
        "deploy.sh", "sqlcmd -S orders-db -Q 'SELECT 1'" => "sqlcmd", "orders-db", _, _, _, UNKNOWN, _;
        // -C alone: never validated, whichever sqlcmd.
        "deploy.sh", "sqlcmd -S orders-db -C -Q 'SELECT 1'" => "sqlcmd", "orders-db", _, _, _, Facts::new(Unknown, No, No), _;
        // Continued lines, a CI step.
        "ci.yml", "      - run: sqlcmd -S \"$DB_HOST\" \\\n          -U sa -P \"$SA_PASSWORD\" \\\n          -N -C -i seed.sql" => "sqlcmd", "$DB_HOST", _, "sa", _, NO_VERIFY, _;
        // Options from a variable may add -C or -N.
        "deploy.sh", "sqlcmd -S orders-db -N -i migrate.sql $SQLCMD_OPTS" => "sqlcmd", "orders-db", _, _, _, FULL, _;
        "deploy.sh", "sqlcmd -S orders-db -C $SQLCMD_OPTS -i migrate.sql" => "sqlcmd", "orders-db", _, _, _, UNKNOWN, _;
        "deploy.sh", "sqlcmd -S orders-db -N $ENCRYPT_MODE -i migrate.sql" => "sqlcmd", "orders-db", _, _, _, UNKNOWN, _;
        "deploy.sh", "sqlcmd -S orders-db -N${ENCRYPT_MODE} -i migrate.sql" => "sqlcmd", "orders-db", _, _, _, UNKNOWN, _;
        "deploy.ps1", "sqlcmd.exe -S orders-db -E -N -C -i migrate.sql" => "sqlcmd", "orders-db", _, _, _, NO_VERIFY, _;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;

    #[test]
    fn sqlcmd_lookalikes_and_masking() {
        for (name, text) in [
            ("README.md", "Run sqlcmd -S db -N -C to check."),
            (
                "install.sh",
                "apt-get install -y mssql-tools18 && ln -s /opt/mssql-tools18/bin/sqlcmd /usr/bin/sqlcmd",
            ),
            ("deploy.sh", "# sqlcmd -S old-db -C -Q 'SELECT 1'"),
            (
                "deploy.sh",
                "sqlcmd config use-context prod && sqlcmd query 'SELECT 1'",
            ),
            ("go.mod", "require github.com/microsoft/go-sqlcmd v1.8.0"),
        ] {
            assert_eq!(scan(name, text), Vec::new(), "{name}: {text}");
        }
        let hits = scan(
            "deploy.sh",
            "sqlcmd -S db -U sa -Phunter2 -N -C\nsqlcmd -S db -P hunter2 -N | tee out.log\n",
        );
        let shown: Vec<&str> = hits.iter().map(|h| h.setting.as_str()).collect();
        assert_eq!(
            shown,
            ["sqlcmd -S db -U sa -P**** -N -C", "sqlcmd -S db -P **** -N"]
        );
        // Continued lines shown as one.
        let hits = scan(
            "deploy.sh",
            "sqlcmd -S db \\\n  -U sa -P hunter2 -N \\\n  -i x.sql\n",
        );
        assert_eq!(hits[0].setting, "sqlcmd -S db -U sa -P **** -N -i x.sql");
    }
}
