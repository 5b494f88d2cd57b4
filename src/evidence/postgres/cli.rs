//! psql, pg_dump, pg_dumpall and pg_restore command lines in scripts, CI
//! files and Dockerfiles: `-h`/`--host` and the other connection options,
//! a URI or keyword/value string as the database, and the PG* variables
//! set before the command (`PGSSLMODE=verify-full psql …`) or earlier in
//! the file (`export PGSSLMODE=…`). libpq reads them all.

use super::super::syntax::shell::{Arg, Command, Options, commands, is_script};
use super::*;

static CLI_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"pg_dumpall|pg_dump|pg_restore|psql").expect("libpq command pattern compiles")
});

stack::row!(PG_COMMANDS: Pg, "libpq command lines", psql_script, pg_commands);

/// A script that may run `psql` or a `pg_*` tool.
fn psql_script(file: &FileCtx<'_>) -> bool {
    is_script(file.name) && (file.text.contains("psql") || file.text.contains("pg_"))
}

/// The long options (all four programs) that take the next word as value.
const LONG_VALUED: &[&str] = &[
    "host",
    "port",
    "username",
    "dbname",
    "database",
    "file",
    "command",
    "set",
    "variable",
    "output",
    "field-separator",
    "record-separator",
    "pset",
    "log-file",
    "table-attr",
    "format",
    "jobs",
    "schema",
    "exclude-schema",
    "table",
    "exclude-table",
    "compress",
    "encoding",
    "superuser",
    "role",
    "section",
    "index",
    "function",
    "trigger",
    "use-list",
];

/// Each program's options that take a value, and whether its first
/// operand is the database (pg_restore's is the archive).
fn options(name: &str) -> (Options, bool) {
    let (short_valued, db_operand) = match name {
        "psql" => ("cdfhLopPRTUvF", true),
        "pg_dump" => ("dfFhjnNpStTUZE", true),
        "pg_restore" => ("dfFhIjLnNpPStTU", false),
        _ => ("dfhlpSU", false),
    };
    (
        Options {
            short_valued,
            short_glued: "",
            long_valued: LONG_VALUED,
        },
        db_operand,
    )
}

fn stack_name(name: &str) -> &'static str {
    match name {
        "psql" => "psql command line",
        "pg_dump" => "pg_dump command line",
        "pg_restore" => "pg_restore command line",
        _ => "pg_dumpall command line",
    }
}

/// A database argument: libpq expands a URI or a `key=value` string.
fn database_arg(conn: &mut Conn, value: &str) -> bool {
    if is_pg_uri(value) {
        conn.overlay(parse_uri(after_scheme(trim_url(value))));
        true
    } else if value.contains('=') {
        conn.overlay(parse_conninfo(value));
        true
    } else {
        conn.database = Some(value.to_string());
        false
    }
}

pub(super) fn pg_commands(cx: &Ctx<'_>, out: &mut Found<Setting>) {
    let found_commands = commands(cx.text, &CLI_NAME);
    if found_commands.is_empty() {
        return;
    }
    // Variables set for one command only hold for it.
    let inline = |at: usize| {
        found_commands
            .iter()
            .any(|c| c.start <= at && at < c.name_at)
    };
    let exported: Vec<EnvVar> = env_vars(cx).into_iter().filter(|v| !inline(v.at)).collect();
    for c in &found_commands {
        if out.claimed.holds(c.start) {
            continue;
        }
        pg_command(cx, c, &exported, out);
    }
}

fn pg_command(cx: &Ctx<'_>, c: &Command, exported: &[EnvVar], out: &mut Found<Setting>) {
    // The environment: the last setting of each variable before the
    // command, then the command's own.
    let mut env: Vec<(&str, Option<&str>)> = Vec::new();
    let mut used = Vec::new();
    for name in PG_VARS.split('|') {
        let own = c.env.iter().rev().find(|(n, _)| n == name);
        let earlier = exported
            .iter()
            .rev()
            .find(|v| v.name == name && v.at < c.start);
        match (own, earlier) {
            (Some((_, w)), _) => env.push((name, Some(w.text.as_str()))),
            (None, Some(v)) => {
                env.push((name, v.value.as_deref()));
                used.push(v.at);
            }
            (None, None) => {}
        }
    }
    let mut conn = Conn::default();
    for (name, value) in &env {
        let key = match *name {
            "PGSSLMODE" => "sslmode",
            "PGSSLROOTCERT" => "sslrootcert",
            "PGHOSTADDR" => "hostaddr",
            "PGHOST" => "host",
            "PGPORT" => "port",
            "PGUSER" => "user",
            "PGDATABASE" => "dbname",
            _ => "application_name",
        };
        if let Some(v) = value {
            conn.set(key, v.to_string());
        }
    }
    let (spec, db_operand) = options(&c.name);
    let mut flags = Conn::default();
    let mut conninfo = Conn::default();
    let (mut named, mut expanded) = (false, false);
    let mut operands = 0;
    for arg in spec.read(&c.args) {
        match arg {
            Arg::Opt {
                name,
                value: Some(v),
                ..
            } => match name.as_str() {
                "h" | "host" => flags.set("host", v),
                "p" | "port" => flags.set("port", v),
                "U" | "username" => flags.set("user", v),
                "d" | "dbname" | "l" | "database" => {
                    named |= !database_arg(&mut conninfo, &v);
                    expanded |= conninfo.host.is_some() || conninfo.sslmode.is_some();
                    continue;
                }
                _ => continue,
            },
            Arg::Opt { .. } => continue,
            Arg::Operand(w) => {
                operands += 1;
                match operands {
                    1 if db_operand => {
                        named |= !database_arg(&mut conninfo, &w.text);
                        expanded |= conninfo.host.is_some() || conninfo.sslmode.is_some();
                    }
                    2 if c.name == "psql" => flags.set("user", w.text.clone()),
                    _ => {}
                }
                continue;
            }
        }
        named = true;
    }
    // A URI or keyword string alone is reported by its own stack, and
    // variables alone by theirs: the command adds what its options and
    // variables say, or the variables exported before a URI.
    let own = named || !c.env.is_empty();
    if !own && (!expanded || env.is_empty()) {
        return;
    }
    conn.overlay(flags);
    conn.overlay(conninfo);
    if conn.host.is_none() {
        return;
    }
    let unreadable_mode =
        env.iter().any(|(n, v)| *n == "PGSSLMODE" && v.is_none()) && conn.sslmode.is_none();
    let mut f = found(
        cx,
        c.start,
        stack_name(&c.name),
        Driver::Libpq,
        conn,
        c.shown(cx.text, &[]),
    );
    if unreadable_mode {
        f.facts = UNKNOWN;
    }
    // From the quote opening `sh "PGSSLMODE=… psql …"`: where the
    // variables' stack places such a variable.
    let quoted = c.start > 0 && matches!(cx.text.as_bytes()[c.start - 1], b'"' | b'\'');
    out.claimed.claim(c.start - usize::from(quoted), c.end);
    // The variables exported for it are reported with it.
    for at in used {
        out.claimed.claim(at, at + 1);
    }
    out.push(f);
}

case_table![
    case!("deploy.sh", "#!/bin/sh\nPGSSLMODE=verify-full PGSSLROOTCERT=/certs/rds.pem PGPASSWORD=s3cret psql -h db.example.com -p 5432 -U app -d app -c 'select 1'\n" => "psql command line", FULL, host "db.example.com", port 5432, user "app", db "app", trust "/certs/rds.pem"),
    // Exported earlier in the script.
    case!("deploy.sh", "#!/bin/sh\nset -e\nexport PGSSLMODE=require\necho migrating\npsql --host=db.example.com --username=app app < schema.sql\n" => "psql command line", REQUIRE, host "db.example.com", user "app", db "app"),
    // No sslmode anywhere: libpq's prefer.
    case!("backup.sh", "pg_dump -h db.example.com -U app -Fc -f app.dump app\n" => "pg_dump command line", PREFER, host "db.example.com", user "app", db "app"),
    // A URI with an exported sslmode it does not override: one hit.
    case!("restore.sh", "export PGSSLMODE=verify-ca\npg_restore --clean -d \"postgresql://app:s3cret@db.example.com/app\" app.dump\n" => "pg_restore command line", CA_ONLY, host "db.example.com", user "app", db "app"),
    // The keyword string overrides the flags and the variables.
    case!("Makefile", "migrate:\n\tPGSSLMODE=disable psql -h ignored \"host=db.example.com dbname=app sslmode=verify-full\" -f schema.sql\n" => "psql command line", FULL, host "db.example.com", db "app"),
    // A variable is unknown, never no.
    case!(".gitlab-ci.yml", "migrate:\n  script:\n    - PGSSLMODE=$PGSSLMODE psql -h \"$DB_HOST\" -U app -c 'select 1'\n" => "psql command line", UNKNOWN, host "$DB_HOST", user "app"),
    case!("ci.yml", "    steps:\n      - run: PGSSLMODE=${SSL_MODE} pg_dumpall -h db.example.com > all.sql\n" => "pg_dumpall command line", UNKNOWN, host "db.example.com"),
    case!("Dockerfile", "FROM postgres:16\nRUN psql -h db.example.com -U app -d app -c 'select 1'\n" => "psql command line", PREFER, host "db.example.com", user "app", db "app"),
    case!("Jenkinsfile", "node {\n  sh \"PGSSLMODE=require psql -h db.example.com app -c 'select 1'\"\n}\n" => "psql command line", REQUIRE, host "db.example.com", db "app"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uri_or_keyword_string_alone_stays_with_its_stack() {
        for (file, text, stack) in [
            (
                "deploy.sh",
                "psql postgresql://app@db.example.com/app?sslmode=require -c 'select 1'\n",
                "libpq URI",
            ),
            (
                "backup.sh",
                "pg_dump \"host=db dbname=app sslmode=verify-ca\" > d.sql\n",
                "libpq keyword/value",
            ),
        ] {
            let hits = crate::evidence::testing::scan(detect, file, text);
            let stacks: Vec<&str> = hits.iter().map(|h| h.stack).collect();
            assert_eq!(stacks, [stack], "{text}");
        }
        // No server named: the variables' own stack reports them.
        let hits = crate::evidence::testing::scan(
            detect,
            "run.sh",
            "PGSSLMODE=verify-full psql -c 'select 1'\n",
        );
        let stacks: Vec<&str> = hits.iter().map(|h| h.stack).collect();
        assert_eq!(stacks, ["PGSSLMODE env"]);
    }
}
