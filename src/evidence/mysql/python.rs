//! Python: PyMySQL, mysql-connector-python, mysqlclient (MySQLdb).

use super::*;

pub(super) static PY_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)(pymysql(?:\.connections)?\.(?:connect|Connect|Connection)|aiomysql\.(?:connect|create_pool)|mysql\.connector\.(?:connect|pooling\.MySQLConnectionPool|aio\.connect)|MySQLdb\.(?:connect|Connect|Connection))\s*\(",
    )
    .expect("Python pattern compiles")
});

stack::row!(PYTHON_CALLS: My, "Python calls", mentions, python_calls);

pub(super) fn python_calls(file: &FileCtx<'_>, hits: &mut Found) {
    let text = file.text;
    let lex = || file.lex(Comments::HashAndSlash);
    for (captures, start, open, close) in calls(text, &PY_CALL, lex) {
        let kwargs = lex().pairs(text, open + 1..close, "=");
        let args = lex().split(text, open + 1..close, b',');
        let get = |k: &str| entry(&kwargs, k);
        // `connect(**config)`: the TLS options may be in the dict.
        let spread = has_spread(&args, "**") && !kwargs.iter().any(|(k, _)| k.starts_with("ssl"));
        let lit = |k: &str| get(k).map(Literal::of);
        let func = captures[1].to_ascii_lowercase();
        let (stack, (facts, trust)) = if func.starts_with("pymysql") || func.starts_with("aiomysql")
        {
            let ssl_ca = get("ssl_ca").map(|v| unquote(v).to_string());
            let (facts, dict_ca) = pymysql(&lit, get("ssl"));
            let stack = if func.starts_with("aiomysql") {
                "Python aiomysql"
            } else {
                "Python PyMySQL"
            };
            (stack, (facts, ssl_ca.or(dict_ca)))
        } else if func.starts_with("mysql.connector") {
            ("Python mysql-connector", connector_python_options(get))
        } else {
            ("Python mysqlclient (MySQLdb)", mysqlclient(get))
        };
        let facts = if spread { UNKNOWN } else { facts };
        // Positional arguments may hold the password: not shown.
        let shown: Vec<&str> = args
            .into_iter()
            .map(|a| if a.contains('=') { a } else { "…" })
            .collect();
        let raw = format!("{}({})", &text[start..open], shown.join(", "));
        let line = file.lines().line(start);
        let mut hit = ConfigHit::new(line, stack, Engine::Mysql, facts, &raw);
        set_place(
            &mut hit,
            get,
            [&["host"], &["port"], &["user"], &["database", "db"]],
        );
        hit.trust_store = trust;
        // PyMySQL's `program_name=`, mysql-connector's `conn_attrs={…}`.
        hit.application = get("program_name")
            .map(unquote)
            .or_else(|| get("conn_attrs").and_then(|a| dict_get(a, "program_name")))
            .map(str::to_string);
        hits.push(hit);
    }
}

/// PyMySQL ≥ 1.0 (`Connection.__init__`, `_create_ssl_ctx`):
/// - any of `ssl_ca`/`ssl_cert`/`ssl_key`/`ssl_verify_cert`/`ssl_verify_identity`
///   builds `{"ca": ssl_ca, "check_hostname": bool(ssl_verify_identity),
///   "verify_mode": ssl_verify_cert or False}`, so `ssl_ca` **alone does not
///   verify** (FORMATS.md assumed it did);
/// - an `ssl={"ca": …}` dict verifies the chain, and the host unless
///   `"check_hostname": False`; a dict without a CA does not verify;
/// - the host is never checked without a CA.
pub(super) fn pymysql(
    lit: &dyn Fn(&str) -> Option<Literal>,
    ssl: Option<&str>,
) -> (Facts, Option<String>) {
    if lit("ssl_disabled").is_some_and(|l| l == Literal::True) {
        return (PLAIN, None);
    }
    let kwargs = [
        "ssl_ca",
        "ssl_cert",
        "ssl_key",
        "ssl_verify_cert",
        "ssl_verify_identity",
    ];
    let given: Vec<Literal> = kwargs.iter().filter_map(|k| lit(k)).collect();
    if given
        .iter()
        .any(|l| *l != Literal::False && *l != Literal::None)
    {
        let has_ca = lit("ssl_ca").is_some_and(|l| l != Literal::None);
        let chain = lit("ssl_verify_cert").map_or(No, Literal::fact);
        let host = match lit("ssl_verify_identity") {
            _ if !has_ca => No,
            None => No,
            Some(l) => l.fact(),
        };
        let host = if chain == No { No } else { host };
        return (Facts::new(Yes, chain, host), None);
    }
    let Some(ssl) = ssl.map(str::trim) else {
        return (OPPORTUNISTIC, None);
    };
    if !ssl.starts_with('{') {
        // An ssl.SSLContext (or a variable): its settings decide.
        return if matches!(Literal::of(ssl), Literal::None | Literal::False) {
            (OPPORTUNISTIC, None)
        } else {
            (Facts::new(Yes, Unknown, Unknown), None)
        };
    }
    let ca = dict_get(ssl, "ca").or_else(|| dict_get(ssl, "capath"));
    let inner = strip_brackets(ssl).trim();
    if inner.is_empty() {
        return (OPPORTUNISTIC, None);
    }
    let verify_mode = dict_get(ssl, "verify_mode").map(Literal::of);
    let check_hostname = dict_get(ssl, "check_hostname").map(Literal::of);
    let chain = match verify_mode {
        None => Fact::from(ca.is_some()),
        Some(l) => l.fact(),
    };
    let host = if ca.is_none() || chain == No {
        No
    } else {
        check_hostname.map_or(Yes, Literal::fact)
    };
    (Facts::new(Yes, chain, host), ca.map(str::to_string))
}

/// mysql-connector-python: TLS when the server offers it unless
/// `ssl_disabled=True`; the chain is checked only with `ssl_verify_cert=True`
/// (or `ssl_verify_identity=True`), the host only with `ssl_verify_identity=True`.
pub(super) fn connector_python(
    disabled: Option<Literal>,
    verify_cert: Option<Literal>,
    verify_identity: Option<Literal>,
    ca: bool,
) -> Facts {
    if disabled == Some(Literal::True) {
        return PLAIN;
    }
    let host = verify_identity.map_or(No, Literal::fact);
    let chain = match (verify_cert.map_or(No, Literal::fact), host) {
        (_, Yes) => Yes,
        (c, _) => c,
    };
    let tls = if chain == Yes || ca { Yes } else { Unknown };
    Facts::new(tls, chain, host)
}

/// mysql-connector-python's facts and CA from its keyword options
/// (`ssl_disabled`, `ssl_verify_cert`, `ssl_verify_identity`, `ssl_ca`).
pub(super) fn connector_python_options<'a>(
    get: impl Fn(&str) -> Option<&'a str>,
) -> (Facts, Option<String>) {
    let lit = |k: &str| get(k).map(Literal::of);
    let ca = get("ssl_ca").map(|v| unquote(v).to_string());
    let facts = connector_python(
        lit("ssl_disabled"),
        lit("ssl_verify_cert"),
        lit("ssl_verify_identity"),
        ca.is_some(),
    );
    (facts, ca)
}

/// mysqlclient's (MySQLdb's) facts and CA from its `ssl_mode` and `ssl`
/// options: ssl_mode is libmysqlclient's; an `ssl` dict alone goes to
/// mysql_ssl_set, whose effect depends on the C library.
pub(super) fn mysqlclient<'a>(get: impl Fn(&str) -> Option<&'a str>) -> (Facts, Option<String>) {
    let facts = match given(get("ssl_mode"), SslMode::parse) {
        Given::Value(mode) => mode.facts(),
        Given::Unreadable => UNKNOWN,
        Given::Absent if get("ssl").is_some() => Facts::new(Yes, Unknown, Unknown),
        Given::Absent => SslMode::Preferred.facts(),
    };
    let ca = get("ssl")
        .and_then(|d| dict_get(d, "ca"))
        .map(str::to_string);
    (facts, ca)
}

stack::case_tests! {
    fn python_calls(Engine::Mysql) {
        "db.py", "conn = pymysql.connect(host='db', user='app', password='hunter2', database='orders', ssl={'ca': '/certs/global-bundle.pem'})" => "Python PyMySQL", "db", _, "app", "orders", V_ID, "/certs/global-bundle.pem";
        "db.py", "conn = pymysql.connect(host='db', ssl={'ca': CA, 'check_hostname': False})" => "Python PyMySQL", "db", _, _, _, V_CA, "CA";
        // ssl_ca alone: verify_mode False, check_hostname False.
        "db.py", "conn = pymysql.connect(host='db', ssl_ca='/c.pem')" => "Python PyMySQL", "db", _, _, _, REQ, "/c.pem";
        "db.py", "conn = pymysql.connect(\n    host=\"db\",\n    port=3307,\n    ssl_ca=\"/c.pem\",\n    ssl_verify_cert=True,\n    ssl_verify_identity=True,\n)" => "Python PyMySQL", "db", 3307, _, _, V_ID, "/c.pem";
        "db.py", "conn = pymysql.connect(host='db', ssl_verify_cert=True)" => "Python PyMySQL", "db", _, _, _, V_CA, _;
        "db.py", "conn = pymysql.connect(host='db', ssl={})" => "Python PyMySQL", "db", _, _, _, PREF, _;
        "db.py", "conn = pymysql.connect(host='db', db='x')" => "Python PyMySQL", "db", _, _, "x", PREF, _;
        "db.py", "conn = pymysql.connect(host='db', ssl_disabled=True, ssl_ca='/c.pem')" => "Python PyMySQL", "db", _, _, _, PLAIN, "/c.pem";
        "db.py", "cnx = mysql.connector.connect(host='db', user='app', password='hunter2', ssl_ca='/c.pem', ssl_verify_cert=True, ssl_verify_identity=True)" => "Python mysql-connector", "db", _, "app", _, V_ID, "/c.pem";
        "db.py", "cnx = mysql.connector.connect(host='db', ssl_ca='/c.pem', ssl_verify_cert=True)" => "Python mysql-connector", "db", _, _, _, V_CA, "/c.pem";
        "db.py", "cnx = mysql.connector.connect(host='db', ssl_ca='/c.pem')" => "Python mysql-connector", "db", _, _, _, REQ, "/c.pem";
        "db.py", "cnx = mysql.connector.connect(host='db')" => "Python mysql-connector", "db", _, _, _, PREF, _;
        "db.py", "cnx = mysql.connector.connect(host='db', ssl_disabled=True)" => "Python mysql-connector", "db", _, _, _, PLAIN, _;
        "db.py", "cnx = mysql.connector.connect(**config)" => "Python mysql-connector", _, _, _, _, UNKNOWN, _;
        "db.py", "conn = pymysql.connect(host='db', **ssl_kwargs)" => "Python PyMySQL", "db", _, _, _, UNKNOWN, _;
        "db.py", "db = MySQLdb.connect(host='db', ssl_mode='VERIFY_IDENTITY', ssl={'ca': '/c.pem'})" => "Python mysqlclient (MySQLdb)", "db", _, _, _, V_ID, "/c.pem";
    }
}
