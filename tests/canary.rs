//! The README's canary walkthrough on a real PostgreSQL server:
//! `samples/postgresql/canary.sh` starts a private TLS-enabled cluster whose certificate
//! CA-1 signed, drives libpq clients of known behaviour (each from its own loopback
//! address), switches the server certificate to one CA-2 signed at time T and keeps the
//! clients connecting. `sslcensus diff --at T` over its logs, and `diff` of the two reports
//! `analyze --until T` and `analyze --since T` wrote, must list as breaking exactly the
//! clients that verify with CA-1 alone, and none of the others.
//!
//! The server is the one make-samples.sh finds (pg_config --bindir, else the PATH).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

/// The breaking clients: (application, address, kinds of change).
const BREAKING: [(&str, &str, &str); 3] = [
    ("canary_verify_full", "127.0.0.31", "started_failing"),
    ("canary_verify_ca", "127.0.0.32", "started_failing"),
    // Its rejection, then the plaintext retry.
    (
        "canary_prefer_ca1",
        "127.0.0.33",
        "started_failing;tls_to_plaintext",
    ),
];
/// Clients that keep working: require (no verification), disable, and
/// verify-full with a bundle of both CAs.
const UNCHANGED: [&str; 3] = ["127.0.0.34", "127.0.0.35", "127.0.0.36"];

fn sslcensus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sslcensus"))
        .args(args)
        .output()
        .unwrap()
}

/// The diff CSV's rows: address → (severity, changes, application).
fn changes(csv: &[u8]) -> BTreeMap<String, Vec<(String, String, String)>> {
    let mut rows: BTreeMap<String, Vec<_>> = BTreeMap::new();
    let mut reader = csv::Reader::from_reader(csv);
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        sslcensus::DIFF_COLUMNS
    );
    for record in reader.records() {
        let r = record.unwrap();
        rows.entry(r[6].to_string()).or_default().push((
            r[0].to_string(),
            r[1].to_string(),
            r[5].to_string(),
        ));
    }
    rows
}

fn assert_breaking(label: &str, csv: &[u8]) {
    let rows = changes(csv);
    for (app, host, kinds) in BREAKING {
        assert_eq!(
            rows.get(host),
            Some(&vec![(
                "affected".to_string(),
                kinds.to_string(),
                app.to_string()
            )]),
            "{label}: {host}: {rows:#?}"
        );
    }
    for host in UNCHANGED {
        assert!(!rows.contains_key(host), "{label}: {host}: {rows:#?}");
    }
    // Nothing else breaks: the rest are the superuser's own sessions over
    // the socket (the setup before T, the reload after).
    for (host, listed) in &rows {
        if !BREAKING.iter().any(|(_, h, _)| h == host) {
            assert_eq!(host, "[local]", "{label}: {rows:#?}");
            assert!(
                listed.iter().all(|(severity, _, _)| severity != "affected"),
                "{label}: {rows:#?}"
            );
        }
    }
}

#[test]
fn the_canary_finds_exactly_the_clients_that_verify_with_the_old_ca_alone() {
    let out = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/postgresql/canary.sh");
    let made = Command::new("bash")
        .arg(&script)
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "canary.sh failed:\n{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let at = std::fs::read_to_string(out.path().join("at.txt")).unwrap();
    let at = at.trim();

    for format in ["stderr", "csvlog"] {
        let logs = out.path().join(format);
        let logs = logs.to_str().unwrap();
        let label = format!("{format} diff --at {at}");

        // The walkthrough's first step: analyze over the whole log already
        // calls the three affected (their rejections prove they verify).
        let analyzed = sslcensus(&[
            "analyze",
            "-q",
            "--group-by",
            "instance,user,database,application,client_host",
            logs,
        ]);
        assert_eq!(analyzed.status.code(), Some(0), "{label}");
        let mut affected: Vec<String> = csv::Reader::from_reader(analyzed.stdout.as_slice())
            .records()
            .map(Result::unwrap)
            .filter(|r| &r[15] == "affected")
            .map(|r| r[5].to_string())
            .collect();
        affected.sort();
        assert_eq!(
            affected,
            ["127.0.0.31", "127.0.0.32", "127.0.0.33"],
            "{label}"
        );

        // diff --at T, CSV on stdout, and --fail-on affected matched.
        let diffed = sslcensus(&["diff", "-q", "--at", at, "--fail-on", "affected", logs]);
        let err = String::from_utf8_lossy(&diffed.stderr);
        assert_eq!(diffed.status.code(), Some(3), "{label}: {err}");
        assert_breaking(&label, &diffed.stdout);

        // The same from the two reports analyze writes with --until T and
        // --since T, in every report format.
        for ext in ["csv", "json", "parquet"] {
            let before = out.path().join(format!("{format}-before.{ext}"));
            let after = out.path().join(format!("{format}-after.{ext}"));
            for (window, path) in [("--until", &before), ("--since", &after)] {
                let written = sslcensus(&[
                    "analyze",
                    "-q",
                    window,
                    at,
                    "-o",
                    path.to_str().unwrap(),
                    logs,
                ]);
                assert_eq!(written.status.code(), Some(0), "{label} {window}");
            }
            let csv = out.path().join(format!("{format}-{ext}-diff.csv"));
            let diffed = sslcensus(&[
                "diff",
                "-q",
                before.to_str().unwrap(),
                after.to_str().unwrap(),
                "-o",
                csv.to_str().unwrap(),
            ]);
            let err = String::from_utf8_lossy(&diffed.stderr);
            assert_eq!(diffed.status.code(), Some(0), "{label} {ext}: {err}");
            assert_breaking(
                &format!("{format} reports .{ext}"),
                &std::fs::read(&csv).unwrap(),
            );
        }
    }
}

/// A report of the given rows (application, address, tls, plain, failures).
fn report(path: &Path, rows: &[(&str, &str, u64, u64, u64)]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record([
        "instance",
        "user",
        "database",
        "application",
        "client_hosts",
        "sessions",
        "tls_sessions",
        "plain_sessions",
        "handshake_failures",
        "verification",
        "verdict",
    ])
    .unwrap();
    for (app, host, tls, plain, failures) in rows {
        let unknown = *app == "[unknown]";
        w.write_record([
            "staging",
            if unknown { "[unknown]" } else { "app" },
            if unknown { "[unknown]" } else { "appdb" },
            app,
            host,
            &(tls + plain).to_string(),
            &tls.to_string(),
            &plain.to_string(),
            &failures.to_string(),
            if *failures > 0 { "verifies" } else { "unknown" },
            "review",
        ])
        .unwrap();
    }
    w.flush().unwrap();
}

#[test]
fn exit_codes_and_fail_on_levels() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    report(
        &dir.path().join("before.csv"),
        &[("'=vf", "10.0.0.1", 5, 0, 0), ("gone", "10.0.0.2", 5, 0, 0)],
    );
    report(
        &dir.path().join("after.csv"),
        &[("[unknown]", "10.0.0.1", 0, 0, 2)],
    );
    report(
        &dir.path().join("quiet.csv"),
        &[("gone", "10.0.0.2", 1, 0, 0)],
    );
    report(&dir.path().join("none.csv"), &[]);
    let run = |args: &[&str]| sslcensus(args).status.code();
    let (before, after, quiet) = (path("before.csv"), path("after.csv"), path("quiet.csv"));
    assert_eq!(run(&["diff", &before, &after]), Some(0));
    assert_eq!(
        run(&["diff", "--fail-on", "affected", &before, &after]),
        Some(3)
    );
    // Only a gone client: review, not affected.
    assert_eq!(
        run(&["diff", "--fail-on", "affected", &quiet, &path("none.csv")]),
        Some(0)
    );
    assert_eq!(
        run(&["diff", "--fail-on", "review", &quiet, &path("none.csv")]),
        Some(3)
    );
    assert_eq!(
        run(&["diff", "--fail-on", "review", &before, &quiet]),
        Some(3)
    );
    // An unreadable report: 1, even when --fail-on would match.
    assert_eq!(
        run(&["diff", "--fail-on", "review", &before, &path("missing.csv")]),
        Some(1)
    );
    // One report, or stdin read twice: usage.
    assert_eq!(run(&["diff", &before]), Some(2));
    assert_eq!(run(&["diff", "--at", "2026-11-29T05:00:00Z", "-"]), Some(2));
    assert_eq!(
        run(&[
            "diff",
            "--at",
            "2026-11-29T05:00:00Z",
            "--since",
            "2026-11-29T06:00:00Z",
            "x.log"
        ]),
        Some(2)
    );
    // The written CSV: the guard taken off on reading, put back on writing.
    let out = path("changes.csv");
    assert_eq!(run(&["diff", &before, &after, "-o", &out]), Some(0));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains(
            "affected,started_failing,staging,app,appdb,'=vf,10.0.0.1,5,5,0,0,0,0,0,2,yes,"
        ),
        "{text}"
    );
    assert!(
        text.contains("review,gone_client,staging,app,appdb,gone,10.0.0.2,"),
        "{text}"
    );
}

/// The seam at T: a prefer client whose rejection is logged in the second
/// before T and whose plaintext retry comes at T is read by the after side
/// as a fallback (the window rule at `since`), and its rejection, on both
/// sides, keeps it affected. (Hand-typed lines of the shape canary.sh's
/// server writes, to place the rejection exactly.)
#[test]
fn a_prefer_client_rejected_just_before_t_is_affected() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("staging/postgresql.log.1");
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    std::fs::write(
        &log,
        "\
2026-11-02 10:04:50 UTC:10.0.3.8(4100):[unknown]@[unknown]:[300]:LOG:  connection received: host=10.0.3.8 port=4100
2026-11-02 10:04:50 UTC:10.0.3.8(4100):app@orders:[300]:LOG:  connection authorized: user=app database=orders application_name=stale_root SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)
2026-11-02 10:04:50 UTC:10.0.3.8(4100):app@orders:[300]:LOG:  disconnection: session time: 0:00:00.010 user=app database=orders host=10.0.3.8 port=4100
2026-11-02 10:04:59 UTC:10.0.3.8(4101):[unknown]@[unknown]:[301]:LOG:  connection received: host=10.0.3.8 port=4101
2026-11-02 10:04:59 UTC:10.0.3.8(4101):[unknown]@[unknown]:[301]:LOG:  could not accept SSL connection: tlsv1 alert unknown ca
2026-11-02 10:05:00 UTC:10.0.3.8(4102):[unknown]@[unknown]:[302]:LOG:  connection received: host=10.0.3.8 port=4102
2026-11-02 10:05:00 UTC:10.0.3.8(4102):app@orders:[302]:LOG:  connection authorized: user=app database=orders application_name=stale_root
2026-11-02 10:05:00 UTC:10.0.3.8(4102):app@orders:[302]:LOG:  disconnection: session time: 0:00:00.010 user=app database=orders host=10.0.3.8 port=4102
",
    )
    .unwrap();
    let out = sslcensus(&[
        "diff",
        "-q",
        "--at",
        "2026-11-02T10:05:00Z",
        "--fail-on",
        "affected",
        log.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    let rows = changes(&out.stdout);
    assert_eq!(
        rows.get("10.0.3.8"),
        Some(&vec![(
            "affected".to_string(),
            "still_failing;tls_to_plaintext".to_string(),
            "stale_root".to_string()
        )]),
        "{rows:#?}"
    );
    assert_eq!(rows.len(), 1, "{rows:#?}");
}
