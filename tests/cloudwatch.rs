//! CloudWatch Logs through the binary. Log groups named as RDS names them
//! hold the real lines of the samples (PostgreSQL and MariaDB) in moto's
//! CloudWatch Logs emulator (`tests/run-all.sh` installs it under
//! /var/cache/sslcensus/moto; `SSLCENSUS_MOTO_SERVER` names another), on
//! loopback: the report must be the one the same lines give as files. A
//! loopback proxy in front of it answers with throttling or refusals to
//! prove the retries and the messages. The offline forms (JSON dumps, S3
//! exports) need no emulator.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_cloudwatchlogs::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cloudwatchlogs::types::InputLogEvent;
use chrono::{NaiveDate, NaiveDateTime, Utc};
use regex::Regex;

mod common;

/// Stand-ins for secrets: they must never be printed.
const SECRET_KEY: &str = "sEcReT-kEy-3f9a7c21-never-shown";
const SESSION_TOKEN: &str = "sEsSiOn-ToKeN-77b2e0d4-never-shown";

/// moto's server, killed when dropped.
struct Moto {
    child: Child,
    url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn moto() -> Moto {
    let server = std::env::var_os("SSLCENSUS_MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/sslcensus/moto/bin/moto_server"));
    assert!(
        server.exists(),
        "{} missing: tests/run-all.sh installs moto's server (pip install 'moto[server]' in a venv)",
        server.display()
    );
    let port = free_port();
    let child = Command::new(&server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "moto did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}

/// A day the emulator accepts events of (the service keeps 14 days back).
fn recent_day() -> NaiveDate {
    Utc::now().date_naive() - chrono::Days::new(2)
}

/// A sample's text with its date moved to `day` (the times of day stay).
fn moved(text: &str, day: NaiveDate) -> String {
    let table = [
        (r"(?m)^2026-11-29", day.format("%Y-%m-%d").to_string()),
        (r"(?m)^20261129 ", day.format("%Y%m%d ").to_string()),
        (r"(?m)^261129 ", day.format("%y%m%d ").to_string()),
    ];
    table.iter().fold(text.to_string(), |text, (from, to)| {
        Regex::new(from)
            .unwrap()
            .replace_all(&text, to.as_str())
            .into_owned()
    })
}

/// The time a sample line carries (PostgreSQL, MariaDB general, error and
/// audit log), in milliseconds.
fn line_time(line: &str) -> Option<i64> {
    let forms = [
        (
            r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC",
            "%Y-%m-%d %H:%M:%S",
        ),
        (r"^(\d{6} {1,2}\d{1,2}:\d\d:\d\d)\t", "%y%m%d %H:%M:%S"),
        (
            r"^(\d{4}-\d\d-\d\d {1,2}\d{1,2}:\d\d:\d\d) ",
            "%Y-%m-%d %H:%M:%S",
        ),
        (r"^(\d{8} \d\d:\d\d:\d\d),", "%Y%m%d %H:%M:%S"),
    ];
    forms.iter().find_map(|(pattern, format)| {
        let text = Regex::new(pattern)
            .unwrap()
            .captures(line)?
            .get(1)?
            .as_str();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let time = NaiveDateTime::parse_from_str(&text, format).ok()?;
        Some(time.and_utc().timestamp_millis())
    })
}

/// The events RDS would publish for a log's lines: one per line, at the
/// line's own time, or the time of the line before (MariaDB's same-second
/// records, continuation lines), or the first time for a header.
fn events_of(text: &str) -> Vec<(i64, String)> {
    let first = text.lines().find_map(line_time).unwrap();
    let mut last = first;
    text.lines()
        .map(|line| {
            last = line_time(line).unwrap_or(last);
            (last, line.to_string())
        })
        .collect()
}

fn client(url: &str) -> aws_sdk_cloudwatchlogs::Client {
    let config = aws_sdk_cloudwatchlogs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .build();
    aws_sdk_cloudwatchlogs::Client::from_conf(config)
}

/// Creates the group and the stream (once), and puts the events.
fn put(url: &str, group: &str, stream: &str, events: &[(i64, String)]) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = client(url);
        let _ = client.create_log_group().log_group_name(group).send().await;
        let _ = client
            .create_log_stream()
            .log_group_name(group)
            .log_stream_name(stream)
            .send()
            .await;
        for batch in events.chunks(5_000) {
            let batch = batch
                .iter()
                .map(|(t, m)| {
                    InputLogEvent::builder()
                        .timestamp(*t)
                        .message(m)
                        .build()
                        .unwrap()
                })
                .collect::<Vec<_>>();
            let out = client
                .put_log_events()
                .log_group_name(group)
                .log_stream_name(stream)
                .set_log_events(Some(batch))
                .send()
                .await
                .unwrap();
            assert!(out.rejected_log_events_info().is_none(), "{out:?}");
        }
    });
}

fn sample(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples")
            .join(path),
    )
    .unwrap()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Runs the binary with only these AWS settings in its environment.
fn run(args: &[&str], credentials: bool) -> Output {
    let home = tempfile::tempdir().unwrap();
    let out = command(args, credentials, home.path()).output().unwrap();
    assert_no_secret(&out);
    out
}

/// Neither the secret key nor the session token is ever printed.
fn assert_no_secret(out: &Output) {
    for stream in [&out.stdout, &out.stderr] {
        let text = common::text(stream);
        assert!(
            !text.contains(SECRET_KEY) && !text.contains(SESSION_TOKEN),
            "{text}"
        );
    }
}

/// The binary with only these AWS settings in its environment, `home` its
/// home folder.
fn command(args: &[&str], credentials: bool, home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sslcensus"));
    command.args(args);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") {
            command.env_remove(key);
        }
    }
    command
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true");
    if credentials {
        command
            .env("AWS_ACCESS_KEY_ID", "AKIATESTING")
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
            .env("AWS_SESSION_TOKEN", SESSION_TOKEN);
    }
    command
}

/// Runs `analyze -o -` with these arguments against the emulator at `url`.
fn analyze_at(url: &str, args: &[&str]) -> Output {
    run(&analyze_args(url, args), true)
}

fn analyze_args<'a>(url: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec![
        "analyze",
        "-o",
        "-",
        "--region",
        "us-east-1",
        "--endpoint-url",
        url,
    ];
    all.extend_from_slice(args);
    all
}

fn report_of(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    let report = common::text(&out.stdout);
    assert!(
        report.lines().count() > 5,
        "{report}\n{}",
        common::text(&out.stderr)
    );
    report
}

const MARIADB_LOGS: [(&str, &str); 3] = [
    ("audit", "mariadb/audit/mariadb-sample-1/server_audit.log"),
    ("error", "mariadb/error/mariadb-sample-1/mysql-error.log"),
    (
        "general",
        "mariadb/general/mariadb-sample-1/mysql-general.log",
    ),
];

/// The MariaDB sample's three logs, moved to a recent day: as files under
/// `dir` and as the instance's three groups in the emulator.
fn mariadb(url: &str, dir: &Path) -> Vec<PathBuf> {
    let day = recent_day();
    let mut folders = Vec::new();
    for (kind, path) in MARIADB_LOGS {
        let text = moved(&sample(path), day);
        let file = dir.join(kind).join(path.split_once('/').unwrap().1);
        write(&file, &text);
        folders.push(dir.join(kind));
        put(
            url,
            &format!("/aws/rds/instance/mariadb-sample-1/{kind}"),
            "mariadb-sample-1",
            &events_of(&text),
        );
    }
    folders
}

#[test]
fn log_groups_give_the_report_their_lines_give_as_files() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    // An Aurora-style cluster group with a stream per instance: forty
    // instances logging the PostgreSQL sample's lines, more events than
    // one FilterLogEvents page (10,000) holds.
    let pg = moved(
        &sample("postgresql/stderr/pg-sample-1/postgresql.log.2026-11-29-05"),
        recent_day(),
    );
    let events = events_of(&pg);
    for n in 1..=40 {
        let instance = format!("pg-copy-{n:02}");
        write(
            &dir.path()
                .join("pg")
                .join(&instance)
                .join("postgresql.log.1"),
            &pg,
        );
        put(
            &moto.url,
            "/aws/rds/cluster/pg-fleet/postgresql",
            &instance,
            &events,
        );
    }
    let mut inputs = vec![dir.path().join("pg")];
    inputs.extend(mariadb(&moto.url, &dir.path().join("mariadb")));
    // A kind of log with no connection records: passed over by a prefix.
    put(
        &moto.url,
        "/aws/rds/instance/mariadb-sample-1/slowquery",
        "mariadb-sample-1",
        &[(events[0].0, "# Query_time: 0.1".into())],
    );

    let mut file_args = vec!["analyze", "-o", "-"];
    let inputs: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    file_args.extend(inputs.iter().map(String::as_str));
    let from_files = report_of(&run(&file_args, false));

    let out = analyze_at(&moto.url, &["--log-group-prefix", "/aws/rds/"]);
    assert_eq!(report_of(&out), from_files);
    let stderr = common::text(&out.stderr);
    assert!(
        stderr.contains("cloudwatch:/aws/rds/cluster/pg-fleet/postgresql: 13840 events in 40 streams, 2 FilterLogEvents calls"),
        "{stderr}"
    );
    assert!(
        stderr.contains("mariadb-sample-1/slowquery: passed over"),
        "{stderr}"
    );

    // Named groups read alike, alongside files.
    let out = analyze_at(
        &moto.url,
        &[
            &inputs[0],
            "--log-group",
            "/aws/rds/instance/mariadb-sample-1/audit",
            "--log-group",
            "/aws/rds/instance/mariadb-sample-1/error",
            "--log-group",
            "/aws/rds/instance/mariadb-sample-1/general",
        ],
    );
    assert_eq!(report_of(&out), from_files);

    // A window after every event reads nothing, and says so.
    let out = analyze_at(
        &moto.url,
        &[
            "--log-group",
            "/aws/rds/instance/mariadb-sample-1/general",
            "--since",
            "1h",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(common::text(&out.stderr).contains("no connection record in any input"));
}

/// A loopback proxy: answers the first `refusals` requests with this error
/// (`None` upstream: every request), then forwards to `upstream`.
struct Proxy {
    url: String,
    /// Requests it was sent.
    requests: Arc<AtomicUsize>,
}

fn proxy(upstream: Option<String>, refusals: usize, code: &'static str) -> Proxy {
    let forwards = upstream.is_some();
    proxy_by(
        upstream,
        Arc::new(move |seen| {
            if !forwards || seen < refusals {
                Answer::Refuse(code)
            } else {
                Answer::Forward
            }
        }),
    )
}

/// A loopback proxy that forwards the first `forwarded` requests to
/// `upstream` and then answers none: a run stopped mid-read, to be killed.
fn stalling_proxy(upstream: String, forwarded: usize) -> Proxy {
    proxy_by(
        Some(upstream),
        Arc::new(move |seen| {
            if seen < forwarded {
                Answer::Forward
            } else {
                Answer::Stall
            }
        }),
    )
}

/// What the proxy does with its n-th request.
enum Answer {
    Refuse(&'static str),
    Forward,
    Stall,
}

type Plan = Arc<dyn Fn(usize) -> Answer + Send + Sync>;

fn proxy_by(upstream: Option<String>, plan: Plan) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let count = requests.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let (upstream, count, plan) = (upstream.clone(), count.clone(), plan.clone());
            std::thread::spawn(move || serve(client, upstream, &plan, &count));
        }
    });
    Proxy { url, requests }
}

fn serve(client: TcpStream, upstream: Option<String>, plan: &Plan, requests: &AtomicUsize) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut client = client;
    loop {
        let mut head = Vec::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap();
                }
                if name.eq_ignore_ascii_case("connection") {
                    continue;
                }
            }
            head.push(line);
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let seen = requests.fetch_add(1, Ordering::SeqCst);
        let code = match plan(seen) {
            Answer::Refuse(code) => code,
            Answer::Forward => "",
            Answer::Stall => {
                // Held open until the client is killed.
                std::thread::sleep(Duration::from_secs(600));
                return;
            }
        };
        if !code.is_empty() {
            let answer = format!(r#"{{"__type":"{code}","message":"refused by the test proxy"}}"#);
            let _ = write!(
                client,
                "HTTP/1.1 400 Bad Request\r\ncontent-type: application/x-amz-json-1.1\r\nx-amzn-errortype: {code}\r\ncontent-length: {}\r\n\r\n{answer}",
                answer.len()
            );
            continue;
        }
        let mut server = TcpStream::connect(upstream.as_deref().unwrap()).unwrap();
        server.write_all(head.concat().as_bytes()).unwrap();
        server.write_all(b"connection: close\r\n\r\n").unwrap();
        server.write_all(&body).unwrap();
        let _ = client.write_all(&read_response(server));
        return;
    }
}

/// One HTTP response, read by its content-length (the emulator may keep
/// the connection open whatever the request asked).
fn read_response(server: TcpStream) -> Vec<u8> {
    let mut reader = BufReader::new(server);
    let mut answer = Vec::new();
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            return answer;
        }
        answer.extend_from_slice(line.as_bytes());
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = Some(value.trim().parse::<usize>().unwrap());
        }
    }
    match length {
        Some(length) => {
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            answer.extend_from_slice(&body);
        }
        None => {
            reader.read_to_end(&mut answer).unwrap();
        }
    }
    answer
}

/// Two throttled answers, then the emulator: the SDK's adaptive retry mode
/// backs off (and slows its own sending, which makes this test take tens of
/// seconds) and the report is whole.
#[test]
fn throttling_is_retried_with_backoff() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let folders = mariadb(&moto.url, dir.path());
    let general = folders[2].display().to_string();
    let from_files = report_of(&run(&["analyze", "-o", "-", &general], false));
    let proxy = proxy(
        Some(moto.url.trim_start_matches("http://").to_string()),
        2,
        "ThrottlingException",
    );
    let out = analyze_at(
        &proxy.url,
        &["--log-group", "/aws/rds/instance/mariadb-sample-1/general"],
    );
    assert_eq!(report_of(&out), from_files);
    assert!(
        proxy.requests.load(Ordering::SeqCst) > 2,
        "every throttled call retried"
    );
}

#[test]
fn a_refusal_names_the_missing_permission() {
    let proxy = proxy(None, 0, "AccessDeniedException");
    let table = [
        (
            "--log-group",
            "/aws/rds/instance/db-1/postgresql",
            "logs:FilterLogEvents",
        ),
        ("--log-group-prefix", "/aws/rds/", "logs:DescribeLogGroups"),
    ];
    for (flag, name, permission) in table {
        let out = analyze_at(&proxy.url, &[flag, name]);
        assert_eq!(out.status.code(), Some(1));
        let stderr = common::text(&out.stderr);
        assert!(stderr.contains(permission), "{stderr}");
        assert!(stderr.contains("access denied"), "{stderr}");
    }
}

#[test]
fn no_credentials_is_one_clear_error() {
    let out = run(
        &[
            "analyze",
            "-o",
            "-",
            "--log-group",
            "/aws/rds/instance/db-1/postgresql",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
        false,
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = common::text(&out.stderr);
    assert!(
        stderr.contains("sslcensus: error: cloudwatch: no AWS credentials found"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("no AWS credentials").count(), 1, "{stderr}");
}

/// `aws logs filter-log-events` output (two pages, concatenated, streams
/// interleaved), `get-log-events` output, and an export to S3 (gzipped
/// `<time> <message>` lines in a folder named after the stream) give the
/// report the log file gives.
#[test]
fn offline_forms_read_like_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let pg = sample("postgresql/stderr/pg-sample-1/postgresql.log.2026-11-29-05");
    let log = dir
        .path()
        .join("files/pg-sample-1/postgresql.log.2026-11-29-05");
    write(&log, &pg);
    let from_files = report_of(&run(
        &["analyze", "-o", "-", &log.display().to_string()],
        false,
    ));

    let events: Vec<serde_json::Value> = events_of(&pg)
        .into_iter()
        .enumerate()
        .map(|(i, (t, m))| {
            serde_json::json!({"logStreamName": "pg-sample-1", "timestamp": t, "message": m,
                "ingestionTime": t + 500, "eventId": format!("{i:056}")})
        })
        .collect();
    let (first, second) = events.split_at(events.len() / 2);
    let dump = format!(
        "{}\n{}\n",
        serde_json::to_string_pretty(
            &serde_json::json!({"events": first, "searchedLogStreams": [], "nextToken": "x"})
        )
        .unwrap(),
        serde_json::to_string_pretty(
            &serde_json::json!({"events": second, "searchedLogStreams": []})
        )
        .unwrap()
    );
    let filtered = dir.path().join("filter-log-events.json");
    std::fs::write(&filtered, dump).unwrap();
    let report = report_of(&run(
        &["analyze", "-o", "-", &filtered.display().to_string()],
        false,
    ));
    assert_eq!(report, from_files);

    // get-log-events names no stream: the file's instance (here given).
    let plain: Vec<serde_json::Value> = events_of(&pg)
        .into_iter()
        .map(|(t, m)| serde_json::json!({"timestamp": t, "message": m, "ingestionTime": t}))
        .collect();
    let got = dir.path().join("pg-sample-1/get-log-events.json");
    write(
        &got,
        &serde_json::to_string(&serde_json::json!({"events": plain, "nextForwardToken": "f/1", "nextBackwardToken": "b/1"})).unwrap(),
    );
    let report = report_of(&run(
        &[
            "analyze",
            "-o",
            "-",
            "--instance",
            "pg-sample-1",
            &got.display().to_string(),
        ],
        false,
    ));
    assert_eq!(report, from_files);

    let export: String = events_of(&pg)
        .into_iter()
        .map(|(t, m)| {
            let time = chrono::DateTime::from_timestamp_millis(t).unwrap();
            format!(
                "{} {m}\n",
                time.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            )
        })
        .collect();
    let gz = dir.path().join("export/task-1/pg-sample-1/000000.gz");
    std::fs::create_dir_all(gz.parent().unwrap()).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(export.as_bytes()).unwrap();
    std::fs::write(&gz, encoder.finish().unwrap()).unwrap();
    let report = report_of(&run(
        &["analyze", "-o", "-", &gz.display().to_string()],
        false,
    ));
    assert_eq!(report, from_files);
}

/// The PostgreSQL sample, moved to a recent day, as one stream of `group`;
/// its text.
fn put_pg_sample(url: &str, group: &str, stream: &str) -> String {
    let pg = moved(
        &sample("postgresql/stderr/pg-sample-1/postgresql.log.2026-11-29-05"),
        recent_day(),
    );
    put(url, group, stream, &events_of(&pg));
    pg
}

/// `--insights` against the emulator: the queries are started and polled
/// to the end. moto ignores `parse` and `stats` (its rows are the raw
/// events), so the rows are not connection counts: they are counted and
/// said, never read as clients, and a run that got nothing else fails. The
/// query text and the folding of real result rows are unit-tested
/// (src/cloudwatch/insights.rs).
#[test]
fn insights_pushdown_queries_and_says_what_it_could_not_read() {
    let moto = moto();
    let group = "/aws/rds/instance/pg-sample-1/postgresql";
    let pg = put_pg_sample(&moto.url, group, "pg-sample-1.0");
    let out = analyze_at(
        &moto.url,
        &["--log-group", group, "--insights", "--since", "5d"],
    );
    let err = common::text(&out.stderr);
    assert!(
        err.contains(&format!(
            "cloudwatch:{group}: {} Logs Insights rows from 1 queries (pushdown)",
            pg.lines().count()
        )),
        "{err}"
    );
    assert!(
        err.contains("Logs Insights result rows were not connection counts and were skipped (the first: fields @"),
        "{err}"
    );
    // Values are never echoed: a row may hold any log line.
    assert!(!err.contains("connection authorized"), "{err}");
    assert_eq!(out.status.code(), Some(1), "{err}");
}

/// The credential chain as the AWS CLI has it beyond static keys: a
/// profile whose `credential_process` prints the keys (the secret never
/// shown), and an IAM Identity Center (SSO) profile without a cached login,
/// which is one clear message naming `aws sso login`.
#[test]
fn credential_process_and_sso_profiles() {
    let moto = moto();
    let group = "/aws/rds/instance/pg-sample-1/postgresql";
    put_pg_sample(&moto.url, group, "pg-sample-1");
    let home = tempfile::tempdir().unwrap();
    let helper = home.path().join("creds.sh");
    write(
        &helper,
        &format!(
            "#!/bin/sh\necho '{{\"Version\": 1, \"AccessKeyId\": \"AKIAPROCESS\", \"SecretAccessKey\": \"{SECRET_KEY}\", \"SessionToken\": \"{SESSION_TOKEN}\"}}'\n"
        ),
    );
    std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let config = home.path().join("config");
    write(
        &config,
        &format!(
            "[profile audit]\ncredential_process = {}\nregion = us-east-1\n\n[profile sso-user]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = ReadLogs\nregion = us-east-1\n",
            helper.display()
        ),
    );
    let run_profile = |profile: &str| {
        let args = [
            "analyze",
            "-o",
            "-",
            "--log-group",
            group,
            "--profile",
            profile,
            "--endpoint-url",
            &moto.url,
        ];
        // The profiles' config file in place of none.
        let out = command(&args, false, home.path())
            .env("AWS_CONFIG_FILE", &config)
            .output()
            .unwrap();
        assert_no_secret(&out);
        out
    };
    let out = run_profile("audit");
    assert!(report_of(&out).contains("app_prefer"));
    let out = run_profile("sso-user");
    assert_eq!(out.status.code(), Some(1));
    let err = common::text(&out.stderr);
    assert!(err.contains("no AWS credentials found"), "{err}");
    assert!(err.contains("aws sso login"), "{err}");
}

/// A stream's events and where a test cuts them in two.
struct Cut {
    group: String,
    stream: String,
    events: Vec<(i64, String)>,
    at: usize,
}

impl Cut {
    /// Cuts after the first event past the middle that holds `after`; with
    /// `same_millisecond`, one whose next event has its time, so that the
    /// cut falls inside a millisecond as well as inside a session.
    fn new(
        group: &str,
        stream: &str,
        events: Vec<(i64, String)>,
        after: &str,
        same_millisecond: bool,
    ) -> Cut {
        let at = (events.len() / 2..events.len() - 1)
            .find(|&i| {
                events[i].1.contains(after) && (!same_millisecond || events[i + 1].0 == events[i].0)
            })
            .unwrap_or_else(|| panic!("no `{after}` past the middle of {group} [{stream}]"))
            + 1;
        Cut {
            group: group.into(),
            stream: stream.into(),
            events,
            at,
        }
    }

    fn put_first(&self, url: &str) {
        put(url, &self.group, &self.stream, &self.events[..self.at]);
    }

    fn put_second(&self, url: &str) {
        put(url, &self.group, &self.stream, &self.events[self.at..]);
    }
}

const PG_FLEET: &str = "/aws/rds/cluster/pg-fleet/postgresql";

/// Streams of the PostgreSQL sample cut where a session is received but
/// not authorized, authorized but not ended, and right after a certificate
/// rejection whose prefer fallback follows; the MariaDB instance's three
/// logs cut after a login.
fn cut_streams() -> Vec<Cut> {
    let day = recent_day();
    let pg = events_of(&moved(
        &sample("postgresql/stderr/pg-sample-1/postgresql.log.2026-11-29-05"),
        day,
    ));
    let mut cuts = vec![
        Cut::new(PG_FLEET, "pg-a", pg.clone(), "connection received", true),
        Cut::new(PG_FLEET, "pg-b", pg.clone(), "connection authorized", true),
        Cut::new(
            PG_FLEET,
            "pg-c",
            pg,
            "[13154]:LOG:  could not accept SSL",
            true,
        ),
    ];
    for (kind, path, after) in [
        (MARIADB_LOGS[0].0, MARIADB_LOGS[0].1, ",CONNECT,"),
        (MARIADB_LOGS[1].0, MARIADB_LOGS[1].1, ""),
        (MARIADB_LOGS[2].0, MARIADB_LOGS[2].1, " Connect\t"),
    ] {
        cuts.push(Cut::new(
            &format!("/aws/rds/instance/mariadb-sample-1/{kind}"),
            "mariadb-sample-1",
            events_of(&moved(&sample(path), day)),
            after,
            false,
        ));
    }
    cuts
}

/// `--log-group` for each group of the cuts.
fn group_args(cuts: &[Cut]) -> Vec<&str> {
    let mut groups: Vec<&str> = cuts.iter().map(|c| c.group.as_str()).collect();
    groups.dedup();
    groups.iter().flat_map(|g| ["--log-group", g]).collect()
}

/// What a run with --state says it read: (events, streams).
fn read_new(out: &Output) -> (u64, u64) {
    let stderr = common::text(&out.stderr);
    let found = Regex::new(r"sslcensus: read (\d+) new events from (\d+) streams \(state ")
        .unwrap()
        .captures(&stderr)
        .unwrap_or_else(|| panic!("{stderr}"));
    (found[1].parse().unwrap(), found[2].parse().unwrap())
}

/// The events a run pulled, by its notes.
fn events_pulled(out: &Output) -> u64 {
    let stderr = common::text(&out.stderr);
    Regex::new(r"(?m)^sslcensus: note: cloudwatch:\S+: (\d+) events in ")
        .unwrap()
        .captures_iter(&stderr)
        .map(|c| c[1].parse::<u64>().unwrap())
        .sum()
}

/// A scheduled job: run 1 reads the first part of every stream; events
/// later in time arrive (sessions straddling the cut: received in run 1
/// and authorized in run 2, open across it and ended in run 2, a
/// certificate rejection in run 1 and its prefer fallback in run 2; events
/// of one millisecond on both sides); run 2 with the state reads only
/// those, and its report is the one a single run over all events gives
/// without state. Run 3, with nothing new, reads nothing and reports the
/// same.
#[test]
fn a_scheduled_run_reads_only_new_events_and_reports_as_one_run() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("census-state.json");
    let state_arg = state.display().to_string();
    let cuts = cut_streams();
    let mut with_state = group_args(&cuts);
    let groups = with_state.clone();
    with_state.extend(["--state", &state_arg]);

    for cut in &cuts {
        cut.put_first(&moto.url);
    }
    let first = analyze_at(&moto.url, &with_state);
    let stderr = common::text(&first.stderr);
    assert!(stderr.contains("no state yet: a first run"), "{stderr}");
    let first_part = analyze_at(&moto.url, &groups);
    assert_eq!(report_of(&first), report_of(&first_part));
    let (read_first, streams) = read_new(&first);
    assert_eq!((read_first, streams), (events_pulled(&first_part), 6));

    for cut in &cuts {
        cut.put_second(&moto.url);
    }
    let second = analyze_at(&moto.url, &with_state);
    let one_run = analyze_at(&moto.url, &groups);
    let expected = report_of(&one_run);
    assert_eq!(report_of(&second), expected);
    let (read_second, streams) = read_new(&second);
    assert_eq!(streams, 6);
    // Only the new events: together the runs read each event once.
    assert_eq!(read_first + read_second, events_pulled(&one_run));
    let second_part: usize = cuts.iter().map(|c| c.events.len() - c.at).sum();
    assert!(read_second <= second_part as u64, "{read_second}");
    let stderr = common::text(&second.stderr);
    assert!(
        stderr.contains("read by an earlier run skipped"),
        "{stderr}"
    );
    // A session open across the cut ends in run 2 as one of run 2's own.
    assert_eq!(unmatched(&second), unmatched(&one_run));
    let kept = state_read(&state);

    let third = analyze_at(&moto.url, &with_state);
    assert_eq!(report_of(&third), expected);
    assert_eq!(read_new(&third), (0, 0));
    assert_eq!(state_read(&state), kept);
}

/// What a state file holds but the ends of the runs' requests (now less
/// --settle: the clock of each run).
fn state_read(path: &Path) -> serde_json::Value {
    let mut state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(state["schema"], 1);
    for group in state["groups"].as_object_mut().unwrap().values_mut() {
        assert!(group["read_until"].is_i64(), "{group}");
        group["read_until"] = serde_json::Value::Null;
    }
    state
}

/// How many disconnections a run found without their session.
fn unmatched(out: &Output) -> u64 {
    let stderr = common::text(&out.stderr);
    Regex::new(r"(\d+) disconnections of sessions that began before the logs")
        .unwrap()
        .captures(&stderr)
        .unwrap_or_else(|| panic!("{stderr}"))[1]
        .parse()
        .unwrap()
}

fn as_strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Runs `analyze` with these arguments through `proxy`, and kills it once
/// the proxy holds a request it will not answer (the first page read, the
/// second asked for).
fn kill_mid_run(proxy: &Proxy, args: &[&str], held: usize) {
    let home = tempfile::tempdir().unwrap();
    let mut child = command(&analyze_args(&proxy.url, args), true, home.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while proxy.requests.load(Ordering::SeqCst) < held {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it was stopped"
        );
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no request came"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SIGKILL: nothing of the run's own shutdown runs.
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A run killed mid-read (after the first page of FilterLogEvents) leaves
/// no state on a first run and the previous state untouched on a later
/// one; run again, the same events are read and the report and the state
/// are those of a run never interrupted.
#[test]
fn an_interrupted_run_leaves_the_state_and_a_rerun_is_exact() {
    let moto = moto();
    let dir = tempfile::tempdir().unwrap();
    let upstream = moto.url.trim_start_matches("http://").to_string();
    // Enough streams that either half is more than one page (10,000 events).
    let pg = events_of(&moved(
        &sample("postgresql/stderr/pg-sample-1/postgresql.log.2026-11-29-05"),
        recent_day(),
    ));
    let cuts: Vec<Cut> = (1..=60)
        .map(|n| {
            Cut::new(
                PG_FLEET,
                &format!("pg-{n:02}"),
                pg.clone(),
                "connection received",
                true,
            )
        })
        .collect();
    let state = dir.path().join("state.json");
    let reference = dir.path().join("reference.json");
    let args = |path: &Path| -> Vec<String> {
        [
            "--log-group",
            PG_FLEET,
            "--state",
            &path.display().to_string(),
        ]
        .map(String::from)
        .to_vec()
    };
    let (state_args, reference_args) = (args(&state), args(&reference));
    let listing = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };

    for cut in &cuts {
        cut.put_first(&moto.url);
    }
    // A first run killed: no state, and no part of one.
    kill_mid_run(
        &stalling_proxy(upstream.clone(), 1),
        &as_strs(&state_args),
        2,
    );
    assert!(listing(dir.path()).is_empty(), "{:?}", listing(dir.path()));
    let first = analyze_at(&moto.url, &as_strs(&state_args));
    assert_eq!(read_new(&first).0, (cuts[0].at * cuts.len()) as u64);
    std::fs::copy(&state, &reference).unwrap();

    for cut in &cuts {
        cut.put_second(&moto.url);
    }
    let kept = std::fs::read(&state).unwrap();
    kill_mid_run(&stalling_proxy(upstream, 1), &as_strs(&state_args), 2);
    assert_eq!(
        std::fs::read(&state).unwrap(),
        kept,
        "the state was touched"
    );
    assert_eq!(listing(dir.path()), ["reference.json", "state.json"]);

    let rerun = analyze_at(&moto.url, &as_strs(&state_args));
    let uninterrupted = analyze_at(&moto.url, &as_strs(&reference_args));
    let one_run = analyze_at(&moto.url, &["--log-group", PG_FLEET]);
    assert_eq!(report_of(&rerun), report_of(&uninterrupted));
    assert_eq!(report_of(&rerun), report_of(&one_run));
    assert_eq!(read_new(&rerun), read_new(&uninterrupted));
    assert_eq!(
        read_new(&first).0 + read_new(&rerun).0,
        events_pulled(&one_run)
    );
    assert_eq!(state_read(&state), state_read(&reference));
}

/// `--state` takes log groups only (files would be counted again by every
/// run); a damaged state file or one of another schema stops the run
/// before anything is read, naming the file, and is left as it was.
#[test]
fn a_state_needs_log_groups_and_a_state_file_it_can_read() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let state_arg = state.display().to_string();
    let log = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples/postgresql/stderr/pg-sample-1/postgresql.log.2026-11-29-05");
    let out = run(
        &[
            "analyze",
            "-o",
            "-",
            "--state",
            &state_arg,
            &log.display().to_string(),
        ],
        false,
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = common::text(&out.stderr);
    assert!(
        stderr.contains("--state reads live CloudWatch log groups only"),
        "{stderr}"
    );
    assert!(!state.exists());

    // (contents, words the message must hold)
    let table = [
        ("{\"schema\":1,\"groups\":", "damaged"),
        ("{\"schema\":99,\"groups\":{}}", "schema 99"),
        ("not json", "damaged"),
    ];
    for (contents, words) in table {
        std::fs::write(&state, contents).unwrap();
        let out = analyze_at(
            "http://127.0.0.1:9",
            &[
                "--log-group",
                "/aws/rds/instance/db-1/postgresql",
                "--state",
                &state_arg,
            ],
        );
        assert_eq!(out.status.code(), Some(1));
        let stderr = common::text(&out.stderr);
        assert!(
            stderr.contains(&format!("sslcensus: error: {state_arg}: ")) && stderr.contains(words),
            "{stderr}"
        );
        assert!(!stderr.contains("could not reach"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&state).unwrap(), contents);
    }
}

/// A run killed (SIGKILL, the OOM killer, a batch job's time limit) leaves
/// its spool of pulled events in the temporary folder: the next run removes
/// the spools of runs whose process is gone, and its own when it ends, and
/// leaves a live run's alone.
#[test]
fn spools_of_killed_runs_are_removed_by_the_next_run() {
    let moto = moto();
    let group = "/aws/rds/instance/pg-sample-1/postgresql";
    put_pg_sample(&moto.url, group, "pg-sample-1.0");
    let tmp = tempfile::tempdir().unwrap();
    let mut gone = Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let killed = tmp.path().join(format!("sslcensus-cw-{dead}-a1b2c3"));
    std::fs::create_dir(&killed).unwrap();
    std::fs::write(killed.join("stream-1.log"), "2026-11-29T05:00:00.000Z x\n").unwrap();
    let live = tmp
        .path()
        .join(format!("sslcensus-cw-{}-d4e5f6", std::process::id()));
    std::fs::create_dir(&live).unwrap();

    let home = tempfile::tempdir().unwrap();
    let out = command(
        &analyze_args(&moto.url, &["--log-group", group, "--since", "5d"]),
        true,
        home.path(),
    )
    .env("TMPDIR", tmp.path())
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", common::text(&out.stderr));
    let mut left: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, [live.file_name().unwrap().to_string_lossy()]);
}
