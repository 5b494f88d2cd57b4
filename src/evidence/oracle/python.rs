//! python-oracledb and cx_Oracle.

use super::*;

pub(super) static PY_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)(oracledb|cx_Oracle)\.(connect|create_pool|SessionPool|Connection|ConnectParams)\s*\(",
    )
    .expect("Python pattern compiles")
});

// Every file `detect` lets through.
stack::row!(PYTHON_CALLS: Ora, "python-oracledb and cx_Oracle calls", |_| true, python_calls);

pub(super) fn python_calls(cx: &OraCx<'_>, found: &mut Found) {
    let (text, lower, lines) = (cx.file.text, cx.file.lower(), cx.file.lines());
    let Found { hits, claimed } = found;
    // python-oracledb runs in thin mode unless init_oracle_client() is called;
    // thin mode checks the DN by default, thick mode (and cx_Oracle) reads
    // sqlnet.ora, whose default is no.
    let thick = lower.contains("init_oracle_client");
    let lex = || cx.file.lex(Comments::HashAndSlash);
    for (captures, start, open, close) in calls(text, &PY_CALL, lex) {
        if text[open + 1..close].trim().is_empty() {
            continue; // `oracledb.connect()` in prose, or all from the environment
        }
        let kwargs = lex().pairs(text, open + 1..close, "=");
        let all_args = lex().split(text, open + 1..close, b',');
        let spread = all_args.iter().any(|a| a.starts_with("**"));
        let get = |k: &str| entry(&kwargs, k).map(unquote);
        let thin = &captures[1] == "oracledb" && !thick;
        let dn_default = Fact::from(thin);
        // The DSN: `dsn=`, positional (user, password, dsn), or one
        // positional "user/pass@dsn" / "dsn" string.
        let positional: Vec<&str> = all_args
            .iter()
            .filter(|a| !a.contains('=') || a.starts_with(['"', '\'']))
            .map(|a| unquote(a))
            .collect();
        let (positional_user, positional_dsn) = match positional.as_slice() {
            [user, _, dsn, ..] => (Some(*user), Some(*dsn)),
            [one] => match one.split_once('@') {
                Some((up, dsn)) => (Some(up.split('/').next().unwrap_or(up)), Some(dsn)),
                None => (None, Some(*one)),
            },
            _ => (None, None),
        };
        let dsn = get("dsn").or(positional_dsn);
        if dsn.is_some_and(|d| d.to_ascii_uppercase().contains("(DESCRIPTION")) {
            continue; // the descriptor detector reports it
        }
        let dn_kw = get("ssl_server_dn_match").and_then(parse_bool);
        let (protocol, address) = match dsn {
            // An alias's protocol and address are in a tnsnames.ora elsewhere.
            Some(dsn) => {
                let ez = EzConnect::parse(dsn);
                (ez.protocol, ez.address)
            }
            // Neither a DSN nor a host: from elsewhere (a spread dict, the
            // environment, a params object).
            None if get("host").is_none() && get("protocol").is_none() => {
                (None, Address::default())
            }
            None if spread && get("protocol").is_none() => {
                (None, (get("host").map(str::to_string), None, None))
            }
            None => (
                get("protocol")
                    .map(str::to_ascii_lowercase)
                    .or(Some("tcp".to_string())),
                (
                    get("host").map(str::to_string),
                    get("port").and_then(|p| p.parse().ok()),
                    get("service_name")
                        .or_else(|| get("sid"))
                        .map(str::to_string),
                ),
            ),
        };
        let facts = match protocol.as_deref() {
            Some("tcps") => Facts::new(Yes, Yes, dn_fact(dn_kw, dn_default)),
            Some("tcp" | "ipc" | "beq") => PLAIN,
            // `protocol=os.environ["DB_PROTOCOL"]`.
            Some(_) | None => UNKNOWN,
        };
        let stack = if &captures[1] == "cx_Oracle" {
            "Python cx_Oracle"
        } else {
            "Python oracledb"
        };
        claimed.claim(start, close);
        // Positional arguments after the first may be the password.
        let shown: Vec<&str> = all_args
            .iter()
            .enumerate()
            .map(|(i, a)| if i == 0 || a.contains('=') { *a } else { "…" })
            .collect();
        let raw = format!("{}({})", &text[start..open], shown.join(", "));
        hits.push(hit_at(
            lines.line(start),
            (stack, facts),
            &raw,
            address,
            get("user").or(positional_user).map(str::to_string),
            get("wallet_location")
                .or_else(|| get("config_dir"))
                .map(str::to_string),
        ));
    }
}

stack::case_tests! {
    fn python_calls(Engine::Oracle) {
        "run.py", "conn = oracledb.connect(user='app', password='hunter2', dsn='tcps://o:2484/S')" => "Python oracledb", "o", 2484, "app", "S", FULL, _;
        "run.py", "conn = oracledb.connect(user='app', password='hunter2', host='o', port=2484, service_name='S', protocol='tcps', ssl_server_dn_match=False, wallet_location='/w')" => "Python oracledb", "o", 2484, "app", "S", CA_ONLY, "/w";
        "run.py", "conn = oracledb.connect(user='app', password='hunter2', dsn='o:1521/S')" => "Python oracledb", "o", 1521, "app", "S", PLAIN, _;
        "run.py", "conn = cx_Oracle.connect('app/hunter2@tcps://o:2484/S')" => "Python cx_Oracle", "o", 2484, "app", "S", CA_ONLY, _;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::*;
    use super::*;

    #[test]
    fn positional_arguments_spread_and_thick_mode() {
        check(
            "run.py",
            "conn = cx_Oracle.connect('app', 'hunter2', 'tcps://o:2484/S')",
            &hits! {
                "Python cx_Oracle", "o", 2484, "app", "S", CA_ONLY, _;
            },
        );
        check(
            "run.py",
            "conn = oracledb.connect(**params)\npool = oracledb.create_pool(user=u, password=p, dsn=dsn)",
            &hits! {
                "Python oracledb", _, _, _, _, UNKNOWN, _;
                "Python oracledb", _, _, "u", _, UNKNOWN, _;
            },
        );
        assert!(scan("notes.md", "Call `oracledb.connect()` first.").is_empty());
        // Thick mode reads sqlnet.ora: DN match off by default.
        check(
            "run.py",
            "oracledb.init_oracle_client()\nconn = oracledb.connect(user='app', dsn='tcps://o:2484/S')",
            &hits! {
                "Python oracledb", "o", 2484, "app", "S", CA_ONLY, _;
            },
        );
    }
}
