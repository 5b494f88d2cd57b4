//! node-oracledb.

use super::*;

pub(super) static NODE_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\boracledb\.(getConnection|createPool)\s*\(\s*\{").expect("Node pattern compiles")
});

// Every file `detect` lets through.
stack::row!(NODE_CALLS: Ora, "node-oracledb calls", |_| true, node_calls);

/// node-oracledb: thin mode (the default unless `initOracleClient()` is
/// called) checks the DN by default (`sslServerDNMatch`), thick mode reads
/// sqlnet.ora.
pub(super) fn node_calls(cx: &OraCx<'_>, found: &mut Found) {
    let (text, lower, lines) = (cx.file.text, cx.file.lower(), cx.file.lines());
    let Found { hits, claimed } = found;
    let thick = lower.contains("initoracleclient");
    for m in NODE_CALL.find_iter(text) {
        if commented(text, m.start()) {
            continue;
        }
        let open = m.end() - 1;
        // Lexed once a call is found.
        let lex = cx.file.lex(Comments::Slash);
        let Some(close) = lex.closing(open) else {
            continue;
        };
        let entries = lex.pairs(text, open + 1..close, ":");
        let get = |k: &str| entry(&entries, k).map(unquote);
        let Some(cs) = get("connectString").or_else(|| get("connectionString")) else {
            continue;
        };
        if cs.to_ascii_uppercase().contains("(DESCRIPTION") {
            continue; // the descriptor detector reports it
        }
        let ez = EzConnect::parse(cs);
        let dn = get("sslServerDNMatch").and_then(parse_bool);
        let facts = match ez.protocol.as_deref() {
            _ if ez.alias => UNKNOWN,
            Some("tcps") => Facts::new(Yes, Yes, dn_fact(dn, if thick { No } else { Yes })),
            _ => PLAIN,
        };
        claimed.claim(m.start(), close);
        hits.push(hit_at(
            lines.line(m.start()),
            ("Node oracledb", facts),
            &text[m.start()..=close],
            ez.address,
            get("user").map(str::to_string),
            get("walletLocation")
                .or_else(|| get("configDir"))
                .map(str::to_string),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    #[test]
    fn node_calls() {
        check(
            "db.js",
            "const c = await oracledb.getConnection({ user: 'app', password: 'hunter2', connectString: 'tcps://o:2484/S' });",
            &hits! {
                "Node oracledb", "o", 2484, "app", "S", FULL, _;
            },
        );
        check(
            "db.js",
            "oracledb.initOracleClient();\nconst p = await oracledb.createPool({ connectString: 'o:1521/S', walletLocation: '/w' });",
            &hits! {
                "Node oracledb", "o", 1521, _, "S", PLAIN, "/w";
            },
        );
    }
}
