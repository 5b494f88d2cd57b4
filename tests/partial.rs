//! Partials and `sslcensus merge` through the binary: shards of real
//! samples (PostgreSQL and MariaDB logs, session dumps beside their
//! server's log) read apart and merged give the report of one run over them
//! all; merging is order-free and associative; bad partials are named and
//! nothing is written; and README's SQL query, run by DuckDB (from PyPI,
//! installed by `tests/run-all.sh` under /var/cache/sslcensus/duckdb;
//! `SSLCENSUS_DUCKDB_PYTHON` names another Python), gives the rows of
//! `sslcensus merge --partial`.

use std::path::{Path, PathBuf};
use std::process::Command;

use polars::prelude::{Column, DataFrame, ParquetReader, ParquetWriter, SerReader};

mod common;
use common::{sslcensus_os, text};

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// The shards: disjoint instances, each with all its files.
fn shard_inputs() -> Vec<Vec<PathBuf>> {
    let s = samples();
    vec![
        // A PostgreSQL instance's log; an instance's dumps and its log.
        vec![
            s.join("postgresql/stderr"),
            s.join("dumps/postgresql/csv"),
            s.join("dumps/postgresql/logs"),
        ],
        // MariaDB's general, error and audit logs of one instance.
        vec![
            s.join("mariadb/general"),
            s.join("mariadb/error"),
            s.join("mariadb/audit"),
        ],
        // Another PostgreSQL instance (its csvlog); MariaDB dumps and log.
        vec![
            s.join("postgresql/pg16/csvlog"),
            s.join("dumps/mariadb/tsv"),
            s.join("dumps/mariadb/logs"),
        ],
    ]
}

/// Runs sslcensus on these words and paths, expecting `code`.
fn run(args: &[&dyn AsRef<std::ffi::OsStr>], code: i32) -> String {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    let out = sslcensus_os(&args);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}\n{err}");
    err
}

/// Analyzes `inputs` into a report (and a partial, if named).
fn analyze(inputs: &[PathBuf], report: &Path, partial: Option<&Path>) {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"analyze", &"-q", &"-o", &report];
    if let Some(partial) = &partial {
        args.push(&"--partial");
        args.push(partial);
    }
    for input in inputs {
        args.push(input);
    }
    run(&args, 0);
}

/// Merges `partials` into a report (and a merged partial, if named).
fn merge(partials: &[&Path], report: &Path, merged: Option<&Path>) -> String {
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"merge", &"-o", &report];
    if let Some(merged) = &merged {
        args.push(&"--partial");
        args.push(merged);
    }
    for partial in partials {
        args.push(partial);
    }
    run(&args, 0)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn frame(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

/// Each shard analyzed with --partial, in a temporary folder.
struct Shards {
    dir: tempfile::TempDir,
    partials: Vec<PathBuf>,
}

fn analyze_shards() -> Shards {
    let dir = tempfile::tempdir().unwrap();
    let partials = shard_inputs()
        .iter()
        .enumerate()
        .map(|(i, inputs)| {
            let partial = dir.path().join(format!("shard-{i}.parquet"));
            analyze(
                inputs,
                &dir.path().join(format!("shard-{i}.csv")),
                Some(&partial),
            );
            partial
        })
        .collect();
    Shards { dir, partials }
}

#[test]
fn merged_shards_give_the_report_of_one_run() {
    let shards = analyze_shards();
    let dir = shards.dir.path();
    let all: Vec<PathBuf> = shard_inputs().concat();
    analyze(&all, &dir.join("one-run.csv"), None);
    let p: Vec<&Path> = shards.partials.iter().map(PathBuf::as_path).collect();
    let err = merge(&p, &dir.join("merged.csv"), None);
    let one_run = read(&dir.join("one-run.csv"));
    assert_eq!(read(&dir.join("merged.csv")), one_run);
    // The rows the samples are known for, captured sessions among them.
    assert!(one_run.contains("pg_stat_ssl"), "{one_run}");
    assert!(one_run.contains("performance_schema.threads"), "{one_run}");
    assert!(one_run.contains("mariadb-sample-1"), "{one_run}");
    assert!(one_run.lines().count() > 40, "{one_run}");
    // What the runs read, per instance.
    assert!(
        err.contains("merged 3 partials of 3 runs")
            && err.contains("sslcensus: mariadb-sample-1: connection records"),
        "{err}"
    );
    // JSON too: every list whole.
    let json = dir.join("merged.json");
    run(&[&"merge", &"-q", &"-o", &json, &p[0], &p[1], &p[2]], 0);
    let one_json = dir.join("one-run.json");
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"analyze", &"-q", &"-o", &one_json];
    for input in &all {
        args.push(input);
    }
    run(&args, 0);
    assert_eq!(read(&json), read(&one_json));
    // The evidence and grouping flags judge a merge as they judge a run.
    let configs = samples().join("configs");
    let app_map = configs.join("app-map.csv");
    let flags: [&dyn AsRef<std::ffi::OsStr>; 6] = [
        &"--scan",
        &configs,
        &"--app-map",
        &app_map,
        &"--group-by",
        &"instance,application",
    ];
    let judged = dir.join("one-run-judged.csv");
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&"analyze", &"-q", &"-o", &judged];
    args.extend(flags);
    for input in &all {
        args.push(input);
    }
    run(&args, 0);
    let merged_judged = dir.join("merged-judged.csv");
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> =
        vec![&"merge", &"-q", &"-o", &merged_judged, &p[0], &p[1], &p[2]];
    args.extend(flags);
    run(&args, 0);
    let judged = read(&judged);
    assert_eq!(read(&merged_judged), judged);
    assert!(
        judged.contains("storefront") || judged.contains("billing"),
        "{judged}"
    );
    assert_ne!(judged, one_run);
}

/// Shards of one window merge into a report that names it, as one run's
/// does; runs of different windows merge, and the report names none.
#[test]
fn a_merge_says_the_window_its_runs_share() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let inputs = shard_inputs();
    let shard = |i: usize, since: &str, name: &str| -> PathBuf {
        let partial = d.join(format!("{name}.parquet"));
        let report = d.join(format!("{name}.csv"));
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![
            &"analyze",
            &"-q",
            &"--since",
            &since,
            &"-o",
            &report,
            &"--partial",
            &partial,
        ];
        for input in &inputs[i] {
            args.push(input);
        }
        run(&args, 0);
        partial
    };
    let a = shard(0, "2026-11-01", "a");
    let b = shard(1, "2026-11-01", "b");
    let c = shard(1, "2026-11-02", "c");

    let one_run = d.join("one-run.csv");
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![
        &"analyze",
        &"-q",
        &"--since",
        &"2026-11-01",
        &"-o",
        &one_run,
    ];
    let both: Vec<PathBuf> = inputs[..2].concat();
    for input in &both {
        args.push(input);
    }
    run(&args, 0);
    let err = merge(&[&a, &b], &d.join("same.csv"), None);
    assert!(!err.contains("different --since"), "{err}");
    let same = read(&d.join("same.csv"));
    assert!(
        same.lines().next().unwrap().contains("window_since"),
        "{same}"
    );
    assert!(same.contains("2026-11-01T00:00:00Z"), "{same}");
    assert_eq!(same, read(&one_run));

    let err = merge(&[&a, &c], &d.join("mixed.csv"), None);
    assert!(
        err.contains(
            "the runs merged had different --since/--until windows: the report names none"
        ),
        "{err}"
    );
    let mixed = read(&d.join("mixed.csv"));
    assert!(
        !mixed.lines().next().unwrap().contains("window_since"),
        "{mixed}"
    );
}

#[test]
fn merging_is_order_free_and_associative() {
    let shards = analyze_shards();
    let dir = shards.dir.path();
    let [a, b, c] = [0, 1, 2].map(|i| shards.partials[i].as_path());
    merge(
        &[a, b, c],
        &dir.join("abc.csv"),
        Some(&dir.join("abc.parquet")),
    );
    merge(
        &[c, a, b],
        &dir.join("cab.csv"),
        Some(&dir.join("cab.parquet")),
    );
    merge(&[a, b], &dir.join("ab.csv"), Some(&dir.join("ab.parquet")));
    merge(
        &[&dir.join("ab.parquet"), c],
        &dir.join("ab-c.csv"),
        Some(&dir.join("ab-c.parquet")),
    );
    let abc = read(&dir.join("abc.csv"));
    assert_eq!(read(&dir.join("cab.csv")), abc);
    assert_eq!(read(&dir.join("ab-c.csv")), abc);
    let rows = frame(&dir.join("abc.parquet"));
    assert!(rows.height() > 100, "{rows}");
    for other in ["cab.parquet", "ab-c.parquet"] {
        assert!(
            frame(&dir.join(other)).equals_missing(&rows),
            "{other} differs from abc.parquet"
        );
    }
    // A shard given twice (a retried job's upload, a merged partial beside
    // its parts) is refused, not counted twice.
    let out = dir.join("twice.csv");
    for twice in [[a, a], [&dir.join("ab.parquet"), b]] {
        let err = run(&[&"merge", &"-o", &out, &twice[0], &twice[1]], 1);
        assert!(
            err.contains(&format!("{}: holds run ", twice[1].display()))
                && err.contains(&format!("which {} holds too", twice[0].display()))
                && err.contains("1 of 2 partials could not be merged; nothing written"),
            "{err}"
        );
        assert!(!out.exists());
    }
    // A merge of one partial writes it back row for row.
    merge(&[a], &dir.join("a.csv"), Some(&dir.join("a-again.parquet")));
    assert!(frame(&dir.join("a-again.parquet")).equals_missing(&frame(a)));
}

#[test]
fn bad_partials_are_named_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let partial = d.join("good.parquet");
    analyze(
        &[samples().join("postgresql/stderr")],
        &d.join("good.csv"),
        Some(&partial),
    );
    // A report, not a partial.
    let report = d.join("report.parquet");
    analyze(&[samples().join("postgresql/stderr")], &report, None);
    // Text named .parquet.
    let csv = d.join("report-as.parquet");
    std::fs::copy(d.join("good.csv"), &csv).unwrap();
    // A partial of a schema version to come.
    let mut df = frame(&partial);
    let n = df.height();
    df.replace(
        "partial_version",
        Column::new("partial_version".into(), vec![2u32; n]),
    )
    .unwrap();
    let future = d.join("future.parquet");
    ParquetWriter::new(std::fs::File::create(&future).unwrap())
        .finish(&mut df)
        .unwrap();
    let missing = d.join("missing.parquet");
    let cases: [(&Path, &str); 4] = [
        (
            &report,
            "not an sslcensus partial (no partial_version column)",
        ),
        (&csv, "not a Parquet file"),
        (
            &future,
            "a partial of schema version 2; this sslcensus reads version 1",
        ),
        (&missing, "cannot open"),
    ];
    for (bad, why) in cases {
        let out = d.join("out.csv");
        let merged = d.join("merged.parquet");
        let err = run(
            &[&"merge", &"-o", &out, &"--partial", &merged, &partial, &bad],
            1,
        );
        assert!(
            err.contains(&format!("sslcensus: error: {}: {why}", bad.display())),
            "{err}"
        );
        assert!(
            err.contains("1 of 2 partials could not be merged; nothing written"),
            "{err}"
        );
        assert!(!out.exists() && !merged.exists(), "{err}");
    }
    // Every bad one is named, not only the first.
    let err = run(&[&"merge", &"-o", &"-", &csv, &missing], 1);
    assert!(
        err.contains(&csv.display().to_string()) && err.contains(&missing.display().to_string()),
        "{err}"
    );
    // A partial must be Parquet, said before reading.
    let err = run(
        &[
            &"analyze",
            &"--partial",
            &d.join("p.csv"),
            &samples().join("postgresql/stderr"),
        ],
        2,
    );
    assert!(
        err.contains("a partial is Parquet; name it .parquet"),
        "{err}"
    );
}

#[test]
fn a_merge_of_an_incomplete_run_fails_as_the_run_did() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = d.join("good.parquet");
    analyze(
        &[samples().join("mariadb/general")],
        &d.join("g.csv"),
        Some(&good),
    );
    let partial = d.join("incomplete.parquet");
    let err = run(
        &[
            &"analyze",
            &"-q",
            &"-o",
            &d.join("i.csv"),
            &"--partial",
            &partial,
            &samples().join("postgresql/stderr"),
            &d.join("no-such.log"),
        ],
        1,
    );
    assert!(err.contains("no-such.log"), "{err}");
    let out = d.join("merged.csv");
    let err = run(
        &[
            &"merge",
            &"-o",
            &out,
            &good,
            &partial,
            &"--fail-on",
            &"affected",
        ],
        1,
    );
    assert!(
        err.contains("1 of the 2 runs merged were incomplete")
            && err.contains("exit 1 (an incomplete run) takes precedence over 3"),
        "{err}"
    );
    // The report still covers what was read.
    assert!(read(&out).contains("pg-sample-1"));
}

/// DuckDB's Python: `SSLCENSUS_DUCKDB_PYTHON`, else the venv run-all.sh
/// makes. None (said loudly) when it is missing outside CI; in CI a
/// missing DuckDB fails.
fn duckdb_python() -> Option<PathBuf> {
    let python = std::env::var_os("SSLCENSUS_DUCKDB_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/sslcensus/duckdb/bin/python"));
    let works = Command::new(&python)
        .args(["-c", "import duckdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        return Some(python);
    }
    let message = format!(
        "{} cannot import duckdb: tests/run-all.sh installs it (pip install duckdb in a venv)",
        python.display()
    );
    assert!(std::env::var_os("CI").is_none(), "{message}");
    eprintln!("\n\n*** SKIPPED: README's SQL merge not checked against DuckDB: {message} ***\n\n");
    None
}

/// README's merge query (the ```sql block that starts with its comment),
/// reading these files.
fn readme_query(partials: &[PathBuf]) -> String {
    let readme = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"));
    let start = readme
        .find("```sql\n-- sslcensus merge, as one query")
        .expect("README's merge query")
        + "```sql\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let query = &readme[start..end];
    let files: Vec<String> = partials
        .iter()
        .map(|p| format!("'{}'", p.display()))
        .collect();
    // The records merged by max are the ones the reader treats as sets.
    for record in sslcensus::SET_RECORDS {
        assert!(query.contains(&format!("'{record}'")), "{record}: {query}");
    }
    let from = "read_parquet('partials/*.parquet')";
    assert!(query.contains(from), "{query}");
    query.replace(from, &format!("read_parquet([{}])", files.join(", ")))
}

#[test]
fn readme_sql_in_duckdb_gives_the_rows_of_merge() {
    let Some(python) = duckdb_python() else {
        return;
    };
    let mut shards = analyze_shards();
    let dir = shards.dir.path().to_path_buf();
    // Slices of instances the shards have too, so that the query meets
    // sums of one client, unions of raw names past the examples kept, and
    // captures of two runs.
    for (i, (input, instance)) in [
        ("postgresql/pg17/stderr", "pg-sample-1"),
        ("dumps/postgresql/json", "pg-dumps-1"),
    ]
    .into_iter()
    .enumerate()
    {
        let partial = dir.join(format!("slice-{i}.parquet"));
        run(
            &[
                &"analyze",
                &"-q",
                &"-o",
                &dir.join(format!("slice-{i}.csv")),
                &"--partial",
                &partial,
                &"--instance",
                &instance,
                &samples().join(input),
            ],
            0,
        );
        shards.partials.push(partial);
    }
    // The instance's log again with other worker pids: the puma family
    // of 127.0.0.21 gets more raw names than it keeps examples of.
    let log = read(&samples().join("postgresql/stderr/pg-sample-1/postgresql.log.2026-11-29-05"));
    for i in 0..3 {
        let slice = dir.join(format!(
            "renamed-{i}/pg-sample-1/postgresql.log.2026-11-29-0{i}"
        ));
        std::fs::create_dir_all(slice.parent().unwrap()).unwrap();
        std::fs::write(
            &slice,
            log.replace("worker 2: 44125", &format!("worker {i}: 5000{i}")),
        )
        .unwrap();
        let partial = dir.join(format!("renamed-{i}.parquet"));
        analyze(
            &[slice],
            &dir.join(format!("renamed-{i}.csv")),
            Some(&partial),
        );
        shards.partials.push(partial);
    }
    let merged = dir.join("merged.parquet");
    let p: Vec<&Path> = shards.partials.iter().map(PathBuf::as_path).collect();
    merge(&p, &dir.join("merged.csv"), Some(&merged));
    let report = read(&dir.join("merged.csv"));
    assert!(
        report.contains(",4,puma: cluster worker 0: 50000 [myapp];puma: cluster worker 1: 50001 [myapp];puma: cluster worker 2: 44125 [myapp],"),
        "{report}"
    );
    let by_sql = dir.join("by-sql.parquet");
    // Both tables read by DuckDB, every value as text, rows sorted; the
    // query's result also written as Parquet for `sslcensus merge`.
    let script = r#"
import sys, duckdb
query, merged, out = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect()
def rows(sql):
    return sorted(tuple('' if v is None else str(v) for v in row) for row in con.sql(sql).fetchall())
by_sql = rows(query)
by_merge = rows("SELECT * FROM read_parquet('%s')" % merged)
con.sql("COPY (%s) TO '%s' (FORMAT parquet)" % (query, out))
print(len(by_sql), len(by_merge))
if by_sql != by_merge:
    only_sql = [r for r in by_sql if r not in by_merge]
    only_merge = [r for r in by_merge if r not in by_sql]
    print("only in the query:", only_sql[:20], file=sys.stderr)
    print("only in merge:", only_merge[:20], file=sys.stderr)
    sys.exit(1)
"#;
    let out = Command::new(&python)
        .arg("-c")
        .arg(script)
        .arg(readme_query(&shards.partials))
        .arg(&merged)
        .arg(&by_sql)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let counts = text(&out.stdout);
    let n: Vec<usize> = counts
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    assert!(n[0] > 100 && n[0] == n[1], "{counts}");
    // The query's result is a partial: merged, the same report.
    merge(&[&by_sql], &dir.join("by-sql.csv"), None);
    assert_eq!(read(&dir.join("by-sql.csv")), read(&dir.join("merged.csv")));
}
