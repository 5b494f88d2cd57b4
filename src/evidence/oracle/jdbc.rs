//! JDBC thin (and OCI) URLs, and the `oracle.net.*` properties.

use super::*;

pub(super) static JDBC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)jdbc:(?:aws-wrapper:)?oracle:(?:thin|oci8?|kprb)?:")
        .expect("JDBC pattern compiles")
});

/// `oracle.net.ssl_server_dn_match`, `oracle.net.wallet_location`,
/// `javax.net.ssl.trustStore` set in the same file (properties, `-D`
/// flags, Spring `data-source-properties`, `setProperty` calls).
#[derive(Debug, Default)]
pub(super) struct JdbcProps {
    pub(super) dn_match: Option<bool>,
    pub(super) wallet: Option<String>,
    pub(super) trust_store: Option<String>,
    /// `v$session.program`: the program name the session reports.
    pub(super) program: Option<String>,
    /// The first Oracle-specific one: offset and text.
    pub(super) first: Option<(usize, String)>,
}

impl JdbcProps {
    /// The wallet, else the trust store, the properties name.
    pub(super) fn trust(&self) -> Option<String> {
        self.wallet.clone().or_else(|| self.trust_store.clone())
    }

    pub(super) fn find(text: &str) -> JdbcProps {
        static PROP: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(
                r#"(?i)(oracle\.net\.ssl_server_dn_match|oracle\.net\.wallet_location|javax\.net\.ssl\.truststore|v\$session\.program)(?-u:\b)["']?\s*(?:=|:|,|>)\s*["']?"#,
            )
            .expect("property pattern compiles")
        });
        let mut props = JdbcProps::default();
        for c in PROP.captures_iter(text) {
            let whole = c.get(0).expect("match");
            if commented(text, whole.start()) {
                continue;
            }
            let value = if text[whole.end()..].starts_with('(') {
                // The value may stand in a string (`setProperty("…",
                // "(SOURCE=…)")`): lexed from its bracket on.
                let rest = &text[whole.end()..];
                Lex::new(rest, Comments::Slash)
                    .closing(0)
                    .map(|e| &rest[..=e])
            } else {
                let rest = &text[whole.end()..];
                let stop = rest
                    .find(|c: char| {
                        c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ',' | ';' | ')')
                    })
                    .unwrap_or(rest.len());
                Some(&rest[..stop])
            };
            let Some(value) = value.filter(|v| !v.is_empty()) else {
                continue;
            };
            let key = c[1].to_ascii_lowercase();
            if key.ends_with("dn_match") {
                props.dn_match = parse_bool(value).or(props.dn_match);
            } else if key.ends_with("wallet_location") {
                props.wallet = Some(wallet_directory(value));
            } else if key.ends_with("program") {
                props.program = Some(value.to_string());
                continue;
            } else {
                props.trust_store = Some(value.to_string());
                continue;
            }
            let line_end = text[whole.start()..]
                .find('\n')
                .map_or(text.len(), |i| whole.start() + i);
            props
                .first
                .get_or_insert_with(|| (whole.start(), text[whole.start()..line_end].to_string()));
        }
        props
    }
}

/// `(SOURCE=(METHOD=FILE)(METHOD_DATA=(DIRECTORY=/w)))` → `/w`; a path as is.
pub(super) fn wallet_directory(value: &str) -> String {
    let v = value.trim();
    if v.starts_with('(') {
        let mut i = 0;
        if let Some(node) = parse_node(v.as_bytes(), &mut i)
            && let Some(dir) = node.value_of("DIRECTORY")
        {
            return dir.to_string();
        }
    }
    unquote(v).to_string()
}

/// The JDBC URLs' stack, as hits name it.
pub(super) const THIN: &str = "JDBC Oracle thin";

// Every file `detect` lets through.
stack::row!(JDBC_URLS: Ora, "JDBC URLs", |_| true, jdbc_urls);

pub(super) fn jdbc_urls(cx: &OraCx<'_>, found: &mut Found) {
    let (text, lines, props) = (cx.file.text, cx.file.lines(), &cx.props);
    let Found { hits, claimed } = found;
    for m in JDBC.find_iter(text) {
        if commented(text, m.start()) {
            continue;
        }
        let rest_start = m.end();
        let Some(at) = text[rest_start..].find('@').map(|i| rest_start + i) else {
            continue;
        };
        let userinfo = &text[rest_start..at];
        if userinfo.contains(char::is_whitespace) || userinfo.contains(['"', '\'']) {
            continue;
        }
        let user = userinfo
            .split('/')
            .next()
            .filter(|u| !u.is_empty())
            .map(str::to_string);
        let body_start = at + 1;
        let line = lines.line(m.start());
        if text[body_start..].trim_start().starts_with('(') {
            let open =
                body_start + (text[body_start..].len() - text[body_start..].trim_start().len());
            let Some((end, node)) = descriptor_at(text, open) else {
                continue;
            };
            claimed.claim(m.start(), end);
            let d = read_descriptor(&node, dn_fact(props.dn_match, No));
            let trust = d.wallet.or_else(|| props.trust());
            let mut hit = hit_at(
                line,
                (THIN, d.facts),
                &text[m.start()..end],
                (d.host, d.port, d.database),
                user,
                trust,
            );
            hit.application = props.program.clone();
            hits.push(hit);
            continue;
        }
        let end = url_end(text, m.start(), body_start);
        claimed.claim(m.start(), end);
        let ez = EzConnect::parse(&text[body_start..end]);
        let params = query_params(ez.query);
        let dn_match = params
            .iter()
            .rev()
            .find(|(k, _)| k.ends_with("sslserverdnmatch"))
            .and_then(|(_, v)| parse_bool(v))
            .or(props.dn_match);
        let facts = match ez.protocol.as_deref() {
            Some("tcps") => Facts::new(Yes, Yes, dn_fact(dn_match, No)),
            Some(_) => PLAIN,
            // `@alias`: the protocol is in a tnsnames.ora elsewhere.
            None if ez.alias => UNKNOWN,
            None => PLAIN,
        };
        let wallet = params
            .iter()
            .rev()
            .find(|(k, _)| k.ends_with("walletlocation") || k.ends_with("truststore"))
            .map(|(_, v)| wallet_directory(v));
        let trust = wallet.or_else(|| props.trust());
        let mut hit = hit_at(
            line,
            (THIN, facts),
            &text[m.start()..end],
            ez.address,
            user,
            trust,
        );
        hit.application = props.program.clone();
        hits.push(hit);
    }
}

stack::case_tests! {
    fn jdbc_thin_urls(Engine::Oracle) {
        "application.properties", "url=jdbc:oracle:thin:@tcps://orcl.abc.us-east-1.rds.amazonaws.com:2484/ORCL" => THIN, "orcl.abc.us-east-1.rds.amazonaws.com", 2484, _, "ORCL", CA_ONLY, _;
        "application.properties", "url=jdbc:oracle:thin:@tcps://o:2484/S?oracle.net.ssl_server_dn_match=true&wallet_location=/w" => THIN, "o", 2484, _, "S", FULL, "/w";
        "application.properties", "url=jdbc:oracle:thin:@o:1521:ORCL" => THIN, "o", 1521, _, "ORCL", PLAIN, _;
        "application.properties", "url=jdbc:oracle:thin:@//o:1521/svc" => THIN, "o", 1521, _, "svc", PLAIN, _;
        "application.properties", "url=jdbc:oracle:thin:@o:1521/svc" => THIN, "o", 1521, _, "svc", PLAIN, _;
        "application.properties", "url=\"jdbc:oracle:thin:scott/hunter2@o:1521:ORCL\"" => THIN, "o", 1521, "scott", "ORCL", PLAIN, _;
        "application.properties", "url=jdbc:oracle:thin:@orcl_tls?TNS_ADMIN=/opt/tns" => THIN, _, _, _, _, UNKNOWN, _;
        "application.properties", "url=jdbc:oracle:thin:@config-azure://myappconfig?key=/sales/" => THIN, _, _, _, _, UNKNOWN, _;
        "application.properties", "url=jdbc:oracle:thin:@tcps://[::1]:2484/S" => THIN, "::1", 2484, _, "S", CA_ONLY, _;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    #[test]
    fn jdbc_properties_in_the_same_file() {
        let text = "\
spring.datasource.url=jdbc:oracle:thin:@tcps://o:2484/S
spring.datasource.hikari.data-source-properties.oracle.net.ssl_server_dn_match=true
spring.datasource.hikari.data-source-properties.javax.net.ssl.trustStore=/etc/ssl/rds.jks
spring.datasource.hikari.data-source-properties.javax.net.ssl.trustStorePassword=hunter2
";
        check(
            "application.properties",
            text,
            &hits! {
                THIN, "o", 2484, _, "S", FULL, "/etc/ssl/rds.jks";
            },
        );
        // Properties without a URL: a hit of their own.
        let props = "JAVA_OPTS=\"-Doracle.net.ssl_server_dn_match=false -Doracle.net.wallet_location=(SOURCE=(METHOD=FILE)(METHOD_DATA=(DIRECTORY=/w)))\"";
        check(
            "setenv.sh",
            props,
            &hits! {
                "Oracle JDBC properties", _, _, _, _, Facts::new(Unknown, Yes, No), "/w";
            },
        );
    }
}
