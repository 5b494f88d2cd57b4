//! EZConnect strings (`[tcps://]host[:port][/service]`), as the other
//! stacks read them and as `sqlplus` scripts write them.

use super::*;

/// `[tcps://]host[:port][/service][?params]`, `//host:port/service`,
/// `host:port:SID`, or a TNS alias.
#[derive(Debug, Default)]
pub(super) struct EzConnect<'a> {
    /// `tcp` or `tcps`; None for an alias.
    pub(super) protocol: Option<String>,
    /// Host, port and service (or SID); empty for an alias.
    pub(super) address: Address,
    pub(super) query: &'a str,
    pub(super) alias: bool,
}

impl<'a> EzConnect<'a> {
    pub(super) fn parse(s: &'a str) -> EzConnect<'a> {
        let (body, query) = s.split_once('?').unwrap_or((s, ""));
        let (protocol, body) = match body.split_once("://") {
            Some((p, rest)) => (Some(p.to_ascii_lowercase()), rest),
            None => (None, body.strip_prefix("//").unwrap_or(body)),
        };
        // `awss3://`, `azure://`, `config-file://`: a centralized
        // configuration provider, not an address.
        if protocol
            .as_deref()
            .is_some_and(|p| p != "tcp" && p != "tcps")
        {
            return EzConnect {
                query,
                alias: true,
                ..EzConnect::default()
            };
        }
        let explicit = protocol.is_some() || s.starts_with("//");
        let (hostport, service) = match body.split_once('/') {
            Some((h, svc)) => (
                h,
                Some(svc.split([':', '/']).next().unwrap_or(svc).to_string()),
            ),
            None => (body, None),
        };
        let (host, port, service) = if service.is_none() && !explicit {
            // host:port:SID, or an alias.
            let parts: Vec<&str> = hostport.rsplitn(3, ':').collect();
            match parts.as_slice() {
                [sid, port, host] if port.parse::<u16>().is_ok() => (
                    Some(host.to_string()),
                    port.parse().ok(),
                    Some(sid.to_string()),
                ),
                _ => {
                    let (h, p) = split_host_port(hostport);
                    if p.is_none() {
                        return EzConnect {
                            query,
                            alias: true,
                            ..EzConnect::default()
                        };
                    }
                    (h, p, None)
                }
            }
        } else {
            let (h, p) = split_host_port(hostport);
            (h, p, service)
        };
        EzConnect {
            protocol: protocol.or(Some("tcp".to_string())),
            address: (host, port, service.filter(|s| !s.is_empty())),
            query,
            alias: false,
        }
    }
}

// Every file `detect` lets through.
stack::row!(EZ_CONNECT_STRINGS: Ora, "EZConnect strings", |_| true, ez_connect);

/// `sqlplus app/…@tcps://host:2484/svc` and the like outside JDBC URLs.
pub(super) fn ez_connect(cx: &OraCx<'_>, found: &mut Found) {
    let (text, lines) = (cx.file.text, cx.file.lines());
    let Found { hits, claimed } = found;
    static EZ: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)@(tcps?)://").expect("EZConnect pattern compiles"));
    for m in EZ.find_iter(text) {
        let at = m.start();
        if claimed.holds(at) || commented(text, at) {
            continue;
        }
        let start = text[..at]
            .rfind(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '=' | '('))
            .map_or(0, |i| i + 1);
        let end = url_end(text, start, m.end());
        let ez = EzConnect::parse(&text[at + 1..end]);
        let dn = query_params(ez.query)
            .iter()
            .rev()
            .find(|(k, _)| k.ends_with("sslserverdnmatch"))
            .and_then(|(_, v)| parse_bool(v));
        let facts = if ez.protocol.as_deref() == Some("tcps") {
            Facts::new(Yes, Yes, dn_fact(dn, No))
        } else {
            PLAIN
        };
        let user = text[start..at]
            .split('/')
            .next()
            .filter(|u| !u.is_empty())
            .map(str::to_string);
        hits.push(hit_at(
            lines.line(start),
            ("Oracle EZConnect", facts),
            &text[start..end],
            ez.address,
            user,
            None,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;

    #[test]
    fn sqlplus() {
        check(
            "run.py",
            "sqlplus -s app/hunter2@tcps://o:2484/S @report.sql",
            &hits! {
                "Oracle EZConnect", "o", 2484, "app", "S", CA_ONLY, _;
            },
        );
    }
}
