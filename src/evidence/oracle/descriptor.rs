//! Connect descriptors: tnsnames.ora entries, and descriptors inside
//! JDBC URLs, ODP.NET strings and scripts.

use super::*;

pub(super) static DESCRIPTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\(\s*description\s*=").expect("descriptor pattern compiles"));

/// A parsed `(KEY=value)` / `(KEY=(…)(…))` node.
#[derive(Debug, Default)]
pub(super) struct Node {
    pub(super) key: String,
    pub(super) value: Option<String>,
    pub(super) children: Vec<Node>,
}

impl Node {
    /// Every descendant (and self) named `key`, depth first.
    pub(super) fn all<'n>(&'n self, key: &str, out: &mut Vec<&'n Node>) {
        if self.key == key {
            out.push(self);
        }
        for c in &self.children {
            c.all(key, out);
        }
    }

    pub(super) fn find(&self, key: &str) -> Option<&Node> {
        let mut out = Vec::new();
        self.all(key, &mut out);
        out.into_iter().next()
    }

    pub(super) fn value_of(&self, key: &str) -> Option<&str> {
        self.find(key).and_then(|n| n.value.as_deref())
    }
}

/// Parses one parenthesized node; `#` comment lines are skipped.
pub(super) fn parse_node(s: &[u8], i: &mut usize) -> Option<Node> {
    skip_space(s, i);
    if s.get(*i) != Some(&b'(') {
        return None;
    }
    *i += 1;
    let key_start = *i;
    while *i < s.len() && !matches!(s[*i], b'=' | b')' | b'(') {
        *i += 1;
    }
    let key = String::from_utf8_lossy(&s[key_start..*i])
        .trim()
        .to_ascii_uppercase();
    let mut node = Node {
        key,
        ..Node::default()
    };
    if s.get(*i) == Some(&b'=') {
        *i += 1;
        skip_space(s, i);
        if s.get(*i) == Some(&b'(') {
            while let Some(child) = parse_node(s, i) {
                node.children.push(child);
                skip_space(s, i);
            }
        } else {
            let value_start = *i;
            let mut quote = None;
            while *i < s.len() {
                match (s[*i], quote) {
                    (b'"', None) => quote = Some(b'"'),
                    (b'"', Some(_)) => quote = None,
                    // A value never spans lines: an unclosed one ends here.
                    (b')' | b'\n', None) => break,
                    _ => {}
                }
                *i += 1;
            }
            let value = String::from_utf8_lossy(&s[value_start..*i])
                .trim()
                .to_string();
            node.value = Some(unquote(&value).to_string());
        }
    }
    skip_space(s, i);
    if s.get(*i) == Some(&b')') {
        *i += 1;
    }
    Some(node)
}

pub(super) fn skip_space(s: &[u8], i: &mut usize) {
    loop {
        while *i < s.len() && s[*i].is_ascii_whitespace() {
            *i += 1;
        }
        // A comment line inside a multi-line entry.
        if s.get(*i) == Some(&b'#')
            && (*i == 0
                || s[..*i]
                    .iter()
                    .rev()
                    .take_while(|b| **b != b'\n')
                    .all(u8::is_ascii_whitespace))
        {
            while *i < s.len() && s[*i] != b'\n' {
                *i += 1;
            }
            continue;
        }
        break;
    }
}

/// What a descriptor says.
pub(super) struct Descriptor {
    pub(super) host: Option<String>,
    pub(super) port: Option<u16>,
    pub(super) database: Option<String>,
    pub(super) facts: Facts,
    pub(super) wallet: Option<String>,
}

pub(super) fn read_descriptor(node: &Node, dn_default: Fact) -> Descriptor {
    let mut addresses = Vec::new();
    node.all("ADDRESS", &mut addresses);
    let protocols: Vec<String> = addresses
        .iter()
        .filter_map(|a| a.value_of("PROTOCOL"))
        .map(str::to_ascii_lowercase)
        .collect();
    // Plaintext protocols; anything else unrecognized (a template,
    // `' + protocol + '`) decides nothing.
    let plain = |p: &String| matches!(p.as_str(), "tcp" | "ipc" | "beq" | "sdp" | "nmp");
    let tls = if protocols.is_empty() {
        Unknown
    } else if protocols.iter().all(|p| p == "tcps") {
        Yes
    } else if protocols.iter().all(plain) {
        No
    } else {
        // A list mixing TCP and TCPS (which address answers decides), or
        // an unreadable value.
        Unknown
    };
    let first = addresses.iter().find(|a| a.value_of("HOST").is_some());
    let security = node.find("SECURITY");
    let dn_match = security
        .and_then(|s| s.value_of("SSL_SERVER_DN_MATCH"))
        .and_then(parse_bool);
    let wallet = security.and_then(|s| {
        s.value_of("MY_WALLET_DIRECTORY")
            .or_else(|| s.value_of("WALLET_LOCATION"))
    });
    let facts = if tls == No {
        PLAIN
    } else {
        Facts::new(tls, Yes, dn_fact(dn_match, dn_default))
    };
    let connect = node.find("CONNECT_DATA");
    Descriptor {
        host: first
            .and_then(|a| a.value_of("HOST"))
            // `' + host + '` is code, not a host.
            .filter(|h| !h.contains(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '+')))
            .map(|h| {
                h.strip_prefix('[')
                    .and_then(|h| h.strip_suffix(']'))
                    .unwrap_or(h)
                    .to_string()
            }),
        port: first
            .and_then(|a| a.value_of("PORT"))
            .and_then(|p| p.trim().parse().ok()),
        database: connect
            .and_then(|c| c.value_of("SERVICE_NAME").or_else(|| c.value_of("SID")))
            .map(str::to_string),
        facts,
        wallet: wallet.map(str::to_string),
    }
}

/// The descriptor starting at `open` (a `(`): its end and parse.
pub(super) fn descriptor_at(text: &str, open: usize) -> Option<(usize, Node)> {
    let mut i = open;
    let node = parse_node(text.as_bytes(), &mut i)?;
    // Prose like "(description = …)" has no address.
    let mut addresses = Vec::new();
    node.all("ADDRESS", &mut addresses);
    (node.key == "DESCRIPTION" && !addresses.is_empty()).then_some((i, node))
}

// Every file `detect` lets through.
stack::row!(DESCRIPTORS: Ora, "connect descriptors", |_| true, descriptors);

pub(super) fn descriptors(cx: &OraCx<'_>, found: &mut Found) {
    let (text, lines) = (cx.file.text, cx.file.lines());
    let ora_file = cx.file.name.ends_with(".ora");
    let Found { hits, claimed } = found;
    let mut done_until = 0;
    for m in DESCRIPTION.find_iter(text) {
        let at = m.start();
        if at < done_until || claimed.holds(at) || commented(text, at) {
            continue;
        }
        let Some((end, node)) = descriptor_at(text, at) else {
            continue;
        };
        done_until = end;
        let d = read_descriptor(&node, No);
        // The entry name: `ALIAS =` before the descriptor, at a line start.
        let (start, stack) = match entry_name(text, at) {
            Some(name_at) if ora_file => (name_at, "tnsnames.ora entry"),
            _ => (at, "Oracle connect descriptor"),
        };
        let shown: Vec<&str> = text[start..end]
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect();
        let mut hit = oracle_hit(lines.line(start), stack, d.facts, &shown.join(" "));
        hit.host = d.host;
        hit.port = d.port;
        hit.database = d.database;
        hit.trust_store = d.wallet;
        hit.user = odp_user(text, end);
        hits.push(hit);
    }
}

/// `ORCL_TLS =` (possibly on the line above) before the descriptor at `at`.
pub(super) fn entry_name(text: &str, at: usize) -> Option<usize> {
    let before = text[..at].trim_end();
    let before = before.strip_suffix('=')?.trim_end();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let name = &before[line_start..];
    let ok = !name.is_empty()
        && !name.starts_with(char::is_whitespace)
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b',' | b' '));
    ok.then_some(line_start)
}

/// ODP.NET: `Data Source=(DESCRIPTION=…);User Id=app;Password=…`.
pub(super) fn odp_user(text: &str, end: usize) -> Option<String> {
    let rest = text[end..].strip_prefix(';')?;
    let stop = rest.find(['"', '\'', '\n']).unwrap_or(rest.len());
    rest[..stop]
        .split(';')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| matches!(norm_key(k).as_str(), "userid" | "uid" | "user"))
        .map(|(_, v)| v.trim().to_string())
}

stack::case_tests! {
    fn descriptors_elsewhere(Engine::Oracle) {
        "connect.js", "const cs = '(DESCRIPTION=(ADDRESS=(PROTOCOL=' + protocol + ')(HOST=' + host + ')(PORT=1521))(CONNECT_DATA=(SERVICE_NAME=S)))';" => "Oracle connect descriptor", _, 1521, _, "S", Facts::new(Unknown, Yes, No), _;
        "appsettings.json", r#""Ora": "Data Source=(DESCRIPTION=(ADDRESS=(PROTOCOL=TCPS)(HOST=o)(PORT=2484))(CONNECT_DATA=(SERVICE_NAME=S)));User Id=app;Password=hunter2""# => "Oracle connect descriptor", "o", 2484, "app", "S", CA_ONLY, _;
        "application.properties", "spring.datasource.url=jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(PROTOCOL=TCPS)(HOST=o)(PORT=2484))(CONNECT_DATA=(SERVICE_NAME=S))(SECURITY=(SSL_SERVER_DN_MATCH=TRUE)))" => THIN, "o", 2484, _, "S", FULL, _;
        "db.py", "conn = oracledb.connect(user='app', password='hunter2', dsn='(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=o)(PORT=1521))(CONNECT_DATA=(SERVICE_NAME=S)))')" => "Oracle connect descriptor", "o", 1521, _, "S", PLAIN, _;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    #[test]
    fn tnsnames_entries() {
        let text = "\
# tnsnames.ora for the app
ORCL_TLS =
  (DESCRIPTION =
    (ADDRESS = (PROTOCOL = TCPS)(HOST = orcl.abc.us-east-1.rds.amazonaws.com)(PORT = 2484))
    # (ADDRESS = (PROTOCOL = TCP)(HOST = old)(PORT = 1521))
    (CONNECT_DATA =
      (SERVER = DEDICATED)
      (SERVICE_NAME = ORCL)
    )
    (SECURITY =
      (SSL_SERVER_DN_MATCH = yes)
      (SSL_SERVER_CERT_DN = \"CN=orcl.abc.us-east-1.rds.amazonaws.com,OU=RDS,O=Amazon.com,L=Seattle,ST=Washington,C=US\")
      (MY_WALLET_DIRECTORY = /opt/oracle/wallet)
    )
  )

ORCL_PLAIN = (DESCRIPTION=(ADDRESS=(PROTOCOL=tcp)(HOST=orcl)(PORT=1521))(CONNECT_DATA=(SID=ORCL)))

orcl_tcps.world, ORCL_ALT=(description=(address=(protocol=tcps)(host=[::1])(port=2484))(connect_data=(service_name=svc)))

ORCL_HA =
  (DESCRIPTION =
    (ADDRESS_LIST =
      (ADDRESS = (PROTOCOL = TCP)(HOST = a)(PORT = 1521))
      (ADDRESS = (PROTOCOL = TCPS)(HOST = b)(PORT = 2484))
    )
    (CONNECT_DATA = (SERVICE_NAME = HA))
    (SECURITY = (SSL_SERVER_DN_MATCH = FALSE))
  )
";
        check(
            "tnsnames.ora",
            text,
            &hits! {
                TNS, "orcl.abc.us-east-1.rds.amazonaws.com", 2484, _, "ORCL", FULL, "/opt/oracle/wallet";
                TNS, "orcl", 1521, _, "ORCL", PLAIN, _;
                TNS, "::1", 2484, _, "svc", CA_ONLY, _;
                TNS, "a", 1521, _, "HA", Facts::new(Unknown, Yes, No), _;
            },
        );
        let hits = scan("tnsnames.ora", text);
        assert_eq!(
            hits.iter().map(|h| h.line).collect::<Vec<_>>(),
            [2, 17, 19, 21]
        );
        assert!(
            hits[0]
                .setting
                .starts_with("ORCL_TLS = (DESCRIPTION = (ADDRESS = (PROTOCOL = TCPS)"),
            "{}",
            hits[0].setting
        );
        assert!(
            !hits[0].setting.contains("old"),
            "comment lines are dropped? {}",
            hits[0].setting
        );
    }
}
