//! PG* environment variables.

use super::*;

pub(super) const PG_VARS: &str =
    "PGSSLMODE|PGSSLROOTCERT|PGHOSTADDR|PGHOST|PGPORT|PGUSER|PGDATABASE|PGAPPNAME";

pub(super) static ENV_ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?m)(?:^|[^\w${{])["']?({PG_VARS})["']?\]?[ \t]*[=:]"#
    ))
    .expect("env pattern compiles")
});
pub(super) static ENV_DOCKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?m)^[ \t]*(?:ENV|ARG)[ \t]+({PG_VARS})[ \t]+([^\s=]\S*)"
    ))
    .expect("ENV pattern compiles")
});
pub(super) static ENV_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"["']?name["']?[ \t]*[:=][ \t]*["']?({PG_VARS})["']?"#
    ))
    .expect("env name pattern compiles")
});
pub(super) static ENV_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["']?value(From)?["']?[ \t]*[:=][ \t]*"#).expect("env value pattern compiles")
});
pub(super) static ENV_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?:setdefault|putenv|Setenv|setenv|SetEnvironmentVariable)\s*\(\s*["']({PG_VARS})["']\s*,\s*["']([^"'\n]*)["']\s*\)?"#
    ))
    .expect("setenv pattern compiles")
});

pub(super) struct EnvVar {
    pub(super) name: String,
    /// None: not readable here (a Kubernetes `valueFrom`, a variable in
    /// code).
    pub(super) value: Option<String>,
    pub(super) at: usize,
    pub(super) line: usize,
    /// The assignment as written.
    pub(super) text: String,
}

/// An env value at the start of `rest`, and where it ends.
pub(super) fn env_value(rest: &str) -> (String, usize) {
    let t = rest.trim_start_matches([' ', '\t']);
    let skipped = rest.len() - t.len();
    if let Some(q) = t.chars().next().filter(|c| matches!(c, '"' | '\'')) {
        let inner = &t[1..];
        let end = inner.find([q, '\n']).unwrap_or(inner.len());
        return (inner[..end].to_string(), skipped + end + 2);
    }
    let end = t
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '"' | '\''))
        .unwrap_or(t.len());
    let mut v = &t[..end];
    while v.ends_with(['}', ']']) && v.matches(['{', '[']).count() < v.matches(['}', ']']).count() {
        v = &v[..v.len() - 1];
    }
    (v.to_string(), skipped + v.len())
}

stack::row!(ENV: Pg, "PG* environment variables", |file| file.text.contains("PG"), env);

/// Every PG* variable the file sets, in the order they stand.
pub(super) fn env_vars(cx: &Ctx<'_>) -> Vec<EnvVar> {
    let b = cx.text.as_bytes();
    let mut vars: Vec<EnvVar> = Vec::new();
    let mut push = |name: &str, value: Option<String>, at: usize, end: usize| {
        // Type annotations (`PGHOST: string`) and empty settings say nothing.
        if value.as_deref().is_some_and(|v| {
            v.is_empty() || matches!(v, "string" | "str" | "number" | "undefined" | "null")
        }) {
            return;
        }
        let end = cx.text.floor_char_boundary(end.min(cx.text.len()));
        let text = collapse(&cx.text[at..end.max(at)]);
        vars.push(EnvVar {
            name: name.to_string(),
            value,
            at,
            line: cx.line_of(at),
            text,
        });
    };
    for m in ENV_ASSIGN.captures_iter(cx.text) {
        let name = m.get(1).expect("name");
        let end = m.get(0).expect("match").end();
        // `==`, `===`, `::`.
        if matches!(b.get(end), Some(b'=' | b':')) {
            continue;
        }
        let (value, len) = env_value(&cx.text[end..]);
        let at = name.start()
            - usize::from(name.start() > 0 && matches!(b[name.start() - 1], b'"' | b'\''));
        // Type annotations (`PGHOST: string`) and empty settings say nothing.
        if value.is_empty()
            || matches!(
                value.as_str(),
                "string" | "str" | "number" | "undefined" | "null"
            )
        {
            continue;
        }
        // In code, an unquoted value is an expression (`= mode`).
        let literal = !cx.is_code()
            || cx.text[end..].trim_start().starts_with(['"', '\'', '`'])
            || value.parse::<f64>().is_ok();
        push(name.as_str(), literal.then_some(value), at, end + len);
    }
    for m in ENV_DOCKER.captures_iter(cx.text) {
        let (name, value) = (m.get(1).expect("name"), m.get(2).expect("value"));
        push(
            name.as_str(),
            Some(unquote(value.as_str()).to_string()),
            m.get(0).expect("match").start(),
            value.end(),
        );
    }
    for m in ENV_CALL.captures_iter(cx.text) {
        let whole = m.get(0).expect("match");
        push(&m[1], Some(m[2].to_string()), whole.start(), whole.end());
    }
    for m in ENV_NAME.captures_iter(cx.text) {
        let whole = m.get(0).expect("match");
        // The value: on the same line or one of the next three.
        let n = cx.line_of(whole.end());
        let window_end = cx.lines.starts().get(n + 3).map_or(cx.text.len(), |&e| e);
        let window = &cx.text[whole.end()..window_end];
        let Some(v) = ENV_VALUE.captures(window) else {
            continue;
        };
        let vend = whole.end() + v.get(0).expect("match").end();
        if v.get(1).is_some() {
            push(&m[1], None, whole.start(), vend);
        } else {
            let (value, len) = env_value(&cx.text[vend..]);
            push(&m[1], Some(value), whole.start(), vend + len);
        }
    }
    vars.sort_by_key(|v| v.at);
    vars.dedup_by_key(|v| v.at);
    vars
}

pub(super) fn env(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    let mut vars = env_vars(cx);
    vars.retain(|v| !out.claimed.holds(v.at));
    let anchors: Vec<&EnvVar> = ["PGSSLMODE", "PGHOST", "PGHOSTADDR", "PGSSLROOTCERT"]
        .iter()
        .map(|name| vars.iter().filter(|v| v.name == *name).collect::<Vec<_>>())
        .find(|a| !a.is_empty())
        .unwrap_or_default();
    for a in anchors {
        // The nearest setting of each other variable, within 40 lines.
        let near = |name: &str| {
            vars.iter()
                .filter(|v| v.name == name && v.line.abs_diff(a.line) <= 40)
                .min_by_key(|v| v.line.abs_diff(a.line))
        };
        let mode = near("PGSSLMODE");
        let parts: Vec<&EnvVar> = [
            "PGSSLMODE",
            "PGSSLROOTCERT",
            "PGHOST",
            "PGHOSTADDR",
            "PGPORT",
            "PGUSER",
            "PGDATABASE",
            "PGAPPNAME",
        ]
        .iter()
        .filter_map(|n| near(n))
        .collect();
        let value = |name: &str| near(name).and_then(|v| v.value.clone());
        let conn = Conn {
            host: value("PGHOST").or_else(|| value("PGHOSTADDR")),
            port: value("PGPORT"),
            user: value("PGUSER"),
            database: value("PGDATABASE"),
            application: value("PGAPPNAME"),
            sslmode: value("PGSSLMODE"),
            sslrootcert: value("PGSSLROOTCERT"),
            ..Conn::default()
        };
        let driver = cx.env_driver(a.at);
        let stack = if mode.is_some() {
            driver.env_stack()
        } else {
            "PG env"
        };
        let mut f = found(
            cx,
            a.at,
            stack,
            driver,
            conn,
            parts
                .iter()
                .map(|v| v.text.as_str())
                .collect::<Vec<_>>()
                .join("; "),
        );
        if driver == Driver::NodePg {
            let mode = f.conn.sslmode.as_deref();
            f.facts = Facts::agree(
                cx.eras(Package::NodePg, PG_ERAS)
                    .into_iter()
                    .map(|era| Some(node_env_era(mode, era))),
            );
        }
        if mode.is_some_and(|m| m.value.is_none()) {
            f.facts = UNKNOWN;
        }
        out.push(f);
    }
}

case_table![
    // ---- PG* environment variables
    case!(".env", "PGSSLMODE=verify-full\nPGSSLROOTCERT=/certs/global-bundle.pem\nPGHOST=db.example.com\nPGPORT=5432\nPGUSER=app\nPGPASSWORD=secret\nPGDATABASE=app\n" => "PGSSLMODE env", FULL, host "db.example.com", port 5432, user "app", db "app", trust "/certs/global-bundle.pem"),
    case!("Dockerfile", "FROM python:3.12\nENV PGSSLMODE require\nENV PGHOST=db.example.com PGPORT=5432\n" => "PGSSLMODE env", REQUIRE, host "db.example.com", port 5432),
    case!("docker-compose.yml", "services:\n  worker:\n    environment:\n      PGSSLMODE: \"verify-ca\"\n      PGHOST: db\n" => "PGSSLMODE env", CA_ONLY, host "db"),
    case!("compose.yaml", "services:\n  worker:\n    environment:\n      - PGSSLMODE=disable\n      - PGHOST=db\n" => "PGSSLMODE env", PLAIN, host "db"),
    case!("deployment.yaml", "        env:\n          - name: PGHOST\n            value: db.example.com\n          - name: PGSSLMODE\n            value: \"verify-full\"\n          - name: PGSSLROOTCERT\n            value: /etc/rds/global-bundle.pem\n" => "PGSSLMODE env", FULL, host "db.example.com", trust "/etc/rds/global-bundle.pem"),
    // From a secret: unknowable.
    case!("deployment.yaml", "        env:\n          - name: PGSSLMODE\n            valueFrom:\n              secretKeyRef: {name: db, key: sslmode}\n" => "PGSSLMODE env", UNKNOWN),
    case!("task-definition.json", "{\"environment\": [\n  {\"name\": \"PGSSLMODE\", \"value\": \"require\"},\n  {\"name\": \"PGHOST\", \"value\": \"db.example.com\"}\n]}\n" => "PGSSLMODE env", REQUIRE, host "db.example.com"),
    case!("run.sh", "#!/bin/sh\nexport PGSSLMODE=verify-ca\nexport PGSSLROOTCERT=\"$HOME/rds-ca-2019-root.pem\"\npsql -c 'select 1'\n" => "PGSSLMODE env", CA_ONLY, trust "$HOME/rds-ca-2019-root.pem"),
    case!("server.js", "process.env.PGSSLMODE = 'no-verify';\n" => "PGSSLMODE env (node-postgres)", NO_VERIFY, versions &[(Package::NodePg, "8.16.0")]),
    case!("main.go", "import _ \"github.com/lib/pq\"\nfunc init() { os.Setenv(\"PGSSLMODE\", \"require\") }\n" => "PGSSLMODE env (Go lib/pq)", REQUIRE),
    // No PGSSLMODE: libpq's default, prefer.
    case!(".env", "PGHOST=db.example.com\nPGDATABASE=app\n" => "PG env", PREFER, host "db.example.com", db "app"),
];
