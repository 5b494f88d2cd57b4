//! The verdict rules as a spec: log lines in, one verdict per client out.
//! PostgreSQL lines are real (RDS prefix); lines of engines no server here
//! can run are typed by hand from FORMATS.md and say so.

use sslcensus::Progress;
use sslcensus::resolve;
use sslcensus::settings::Evidence;
use sslcensus::{GroupBy, ReportRow, Verdict, judge};
use sslcensus::{Settings, analyze};

mod common;

/// Writes each log as the next hourly file of one RDS instance and judges them.
fn judge_logs(logs: &[&str], group_by: &str) -> Vec<ReportRow> {
    let names: Vec<String> = (0..logs.len())
        .map(|hour| format!("postgresql.log.2026-11-02-{hour:02}"))
        .collect();
    let files: Vec<(&str, &str)> = names
        .iter()
        .map(String::as_str)
        .zip(logs.iter().copied())
        .collect();
    judge_files(&files, group_by)
}

/// Writes `(file name, content)` pairs into one instance's folder and judges them.
fn judge_files(files: &[(&str, &str)], group_by: &str) -> Vec<ReportRow> {
    let dir = tempfile::tempdir().unwrap();
    let instance = dir.path().join("prod-db");
    std::fs::create_dir(&instance).unwrap();
    for (name, log) in files {
        std::fs::write(instance.join(name), log).unwrap();
    }
    let (files, errors) = resolve(&[instance.to_string_lossy().into_owned()], None);
    assert!(errors.is_empty());
    let analysis = analyze(&files, &Settings::default(), &Progress::new(0, false));
    assert!(!analysis.failed());
    judge(
        analysis.census,
        &group_by.parse::<GroupBy>().unwrap(),
        &Evidence::default(),
    )
}

fn judge_log(log: &str) -> Vec<ReportRow> {
    judge_logs(&[log], "instance,user,database,application")
}

fn row<'r>(rows: &'r [ReportRow], application: &str) -> &'r ReportRow {
    rows.iter()
        .find(|r| r.application == application)
        .unwrap_or_else(|| panic!("no row for {application:?} in {rows:#?}"))
}

fn verdict(rows: &[ReportRow], application: &str) -> Verdict {
    row(rows, application).verdict
}

/// A complete session: received, authorized (optionally with TLS), disconnected.
fn session(time: &str, host: &str, pid: u32, app: &str, tls: Option<&str>) -> String {
    let clause = tls
        .map(|v| format!(" SSL enabled (protocol={v}, cipher=TLS_AES_256_GCM_SHA384, bits=256)"))
        .unwrap_or_default();
    format!(
        "2026-11-02 {time} UTC:{host}(4{pid}):[unknown]@[unknown]:[{pid}]:LOG:  connection received: host={host} port=4{pid}\n\
         2026-11-02 {time} UTC:{host}(4{pid}):app@orders:[{pid}]:LOG:  connection authorized: user=app database=orders application_name={app}{clause}\n\
         2026-11-02 {time} UTC:{host}(4{pid}):app@orders:[{pid}]:LOG:  statement: SELECT 1\n\
         2026-11-02 {time} UTC:{host}(4{pid}):app@orders:[{pid}]:LOG:  disconnection: session time: 0:00:01.000 user=app database=orders host={host} port=4{pid}\n"
    )
}

fn unknown_ca(time: &str, host: &str, pid: u32) -> String {
    format!(
        "2026-11-02 {time} UTC:{host}(5{pid}):[unknown]@[unknown]:[{pid}]:LOG:  connection received: host={host} port=5{pid}\n\
         2026-11-02 {time} UTC:{host}(5{pid}):[unknown]@[unknown]:[{pid}]:LOG:  could not accept SSL connection: tlsv1 alert unknown ca\n"
    )
}

#[test]
fn plaintext_only_is_not_affected_and_tls_needs_review() {
    let log = [
        session("10:00:00", "10.0.1.1", 101, "cron-report", None),
        session("10:00:01", "10.0.1.2", 102, "billing-api", Some("TLSv1.3")),
        session("10:00:02", "10.0.1.2", 103, "billing-api", Some("TLSv1.2")),
    ]
    .concat();
    let rows = judge_log(&log);
    assert_eq!(verdict(&rows, "cron-report"), Verdict::NotAffected);
    let billing = row(&rows, "billing-api");
    assert_eq!(billing.verdict, Verdict::Review);
    assert_eq!((billing.sessions, billing.tls_sessions), (2, 2));
    assert_eq!(billing.tls_versions, "TLSv1.2;TLSv1.3");
    assert!(
        billing
            .reason
            .starts_with("TLSv1.2/TLSv1.3 in all 2 sessions on 2026-11-02"),
        "{}",
        billing.reason
    );
}

#[test]
fn a_certificate_rejection_proves_verification_of_the_only_tls_client_at_that_address() {
    let log = [
        session("10:00:00", "10.0.3.7", 201, "payments", Some("TLSv1.3")),
        unknown_ca("10:05:00", "10.0.3.7", 202),
        session("10:00:00", "10.0.3.8", 203, "other", Some("TLSv1.3")),
    ]
    .concat();
    let rows = judge_log(&log);
    let payments = row(&rows, "payments");
    assert_eq!(payments.verdict, Verdict::Affected);
    assert_eq!(payments.handshake_failures, 1);
    assert!(
        payments
            .reason
            .contains("server logged 'tlsv1 alert unknown ca' from 10.0.3.7 once on 2026-11-02"),
        "{}",
        payments.reason
    );
    assert_eq!(verdict(&rows, "other"), Verdict::Review);
    assert!(
        rows[0].application == "payments",
        "affected rows come first"
    );
}

#[test]
fn a_rejection_shared_by_several_tls_clients_is_cited_but_proves_nothing_alone() {
    let log = [
        session("10:00:00", "10.0.3.7", 201, "web", Some("TLSv1.3")),
        session("10:00:00", "10.0.3.7", 202, "worker", Some("TLSv1.3")),
        session("10:00:00", "10.0.3.7", 203, "plain-cron", None),
        unknown_ca("10:05:00", "10.0.3.7", 204),
    ]
    .concat();
    let rows = judge_log(&log);
    for app in ["web", "worker"] {
        let r = row(&rows, app);
        assert_eq!(r.verdict, Verdict::Review, "{app}");
        assert!(
            r.reason.contains("attributed to each of the 2 TLS clients"),
            "{}",
            r.reason
        );
    }
    // A client that never tried TLS cannot have sent a TLS alert.
    assert_eq!(row(&rows, "plain-cron").handshake_failures, 0);
    assert_eq!(verdict(&rows, "plain-cron"), Verdict::NotAffected);
}

#[test]
fn a_rejection_from_an_address_with_no_session_is_its_own_affected_row() {
    let rows = judge_log(&unknown_ca("10:05:00", "10.9.9.9", 301));
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(
        (
            r.user.as_str(),
            r.application.as_str(),
            r.client_hosts.as_str()
        ),
        ("[unknown]", "[unknown]", "10.9.9.9")
    );
    assert_eq!(r.verdict, Verdict::Affected);
    assert!(
        r.reason.contains("find the client at this address"),
        "{}",
        r.reason
    );
}

#[test]
fn unknown_clients_at_different_addresses_stay_apart() {
    let log = [
        unknown_ca("10:05:00", "10.9.9.1", 1),
        unknown_ca("10:05:00", "10.9.9.2", 2),
    ]
    .concat();
    let rows = judge_log(&log);
    assert_eq!(rows.len(), 2);
}

#[test]
fn the_prefer_fallback_after_a_rejection_is_affected() {
    let log = [
        unknown_ca("10:05:00", "10.0.4.4", 401),
        session("10:05:00", "10.0.4.4", 402, "legacy-php", None),
        session("10:06:00", "10.0.4.4", 403, "legacy-php", None),
    ]
    .concat();
    let rows = judge_log(&log);
    let r = row(&rows, "legacy-php");
    assert_eq!(r.verdict, Verdict::Affected);
    assert_eq!((r.tls_sessions, r.plain_sessions), (0, 2));
    assert!(
        r.reason.contains("sslmode=prefer fallback once"),
        "{}",
        r.reason
    );
    assert_eq!(
        rows.len(),
        1,
        "the rejection belongs to the app, not to a row of its own"
    );
}

/// The same prefer fallback read message-only (the prefix stripped, as a
/// console or `log_line_prefix = ''` through syslog leaves it): no time, pid
/// or address ties the plaintext sessions to the rejection, so they prove
/// no "no TLS" — review, never not affected; the rejection stays a row of
/// its own, given to no client, and no disconnection is said to end a
/// session that began before the logs.
#[test]
fn message_only_plaintext_is_never_called_safe() {
    // With the severity (`log_line_prefix = ''`) and bare (`journalctl -o cat`).
    for severity in ["LOG:  ", ""] {
        message_only_plaintext_is_never_called_safe_in(severity);
    }
}

fn message_only_plaintext_is_never_called_safe_in(severity: &str) {
    let log: String = [
        unknown_ca("10:05:00", "10.0.4.4", 401),
        session("10:05:00", "10.0.4.4", 402, "legacy-php", None),
        session("10:06:00", "10.0.4.4", 403, "legacy-php", None),
        session("10:07:00", "[local]", 404, "local-cron", None),
    ]
    .concat()
    .lines()
    .map(|line| {
        let (_, message) = line.split_once("]:LOG:  ").unwrap();
        format!("{severity}{message}\n")
    })
    .collect();
    let rows = judge_log(&log);
    let r = row(&rows, "legacy-php");
    assert_eq!(r.verdict, Verdict::Review, "{}", r.reason);
    assert_eq!(r.plain_sessions, 2);
    assert!(
        r.reason
            .contains("2 plaintext sessions logged without a time or client address"),
        "{}",
        r.reason
    );
    assert!(r.client_hosts.is_empty(), "{:?}", r.client_hosts);
    // Without an address, even a socket session cannot be told from TCP.
    assert_eq!(verdict(&rows, "local-cron"), Verdict::Review);
    let unknown = rows
        .iter()
        .find(|r| r.application == "[unknown]" && r.handshake_failures > 0)
        .unwrap_or_else(|| panic!("{rows:#?}"));
    assert_eq!(unknown.verdict, Verdict::Affected);
    assert!(
        rows.iter().all(|r| r.verdict != Verdict::NotAffected),
        "{rows:#?}"
    );
}

#[test]
fn abandoned_handshakes_and_aborted_ones_are_hints_only() {
    let log = "\
2026-11-02 10:00:00 UTC:10.0.5.5(1):[unknown]@[unknown]:[501]:LOG:  connection received: host=10.0.5.5 port=1
2026-11-02 10:00:01 UTC:10.0.5.6(2):[unknown]@[unknown]:[502]:LOG:  connection received: host=10.0.5.6 port=2
2026-11-02 10:00:01 UTC:10.0.5.6(2):[unknown]@[unknown]:[502]:LOG:  could not accept SSL connection: EOF detected
";
    let rows = judge_log(log);
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r.verdict == Verdict::Review && r.application == "[unknown]")
    );
    assert!(
        rows.iter()
            .any(|r| r.reason.contains("received with nothing logged after"))
    );
    assert!(rows.iter().any(|r| r.reason.contains("'EOF detected'")));
}

#[test]
fn pg_hba_rejections_keep_the_user_and_database() {
    let log = "\
2026-11-02 10:00:00 UTC:10.0.6.6(1):app@secure:[601]:FATAL:  no pg_hba.conf entry for host \"10.0.6.6\", user \"app\", database \"secure\", no encryption
";
    let rows = judge_log(log);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].user.as_str(), rows[0].database.as_str()),
        ("app", "secure")
    );
    assert_eq!(rows[0].verdict, Verdict::NotAffected);
    assert!(
        rows[0]
            .reason
            .contains("rejected by pg_hba.conf without encryption")
    );
}

#[test]
fn gss_encryption_is_not_tls() {
    let log = "\
2026-11-02 10:00:00 UTC:10.0.7.7(1):[unknown]@[unknown]:[701]:LOG:  connection received: host=10.0.7.7 port=1
2026-11-02 10:00:00 UTC:10.0.7.7(1):app@orders:[701]:LOG:  connection authorized: user=app database=orders application_name=kerberized GSS (authenticated=yes, encrypted=yes, principal=app@CORP)
";
    let rows = judge_log(log);
    assert_eq!(verdict(&rows, "kerberized"), Verdict::NotAffected);
    assert!(
        rows[0]
            .reason
            .contains("GSSAPI encryption in its only session")
    );
}

#[test]
fn names_that_imitate_the_ssl_clause_are_flagged() {
    let log = "\
2026-11-02 10:00:00 UTC:10.0.8.8(1):app@orders:[801]:LOG:  connection authorized: user=app database=orders application_name=x SSL enabled (protocol=TLSv1.3, cipher=A, bits=1) SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)
";
    let rows = judge_log(log);
    assert!(
        rows[0].reason.contains("TLS reading is uncertain"),
        "{}",
        rows[0].reason
    );
}

#[test]
fn sessions_are_tied_together_across_rotated_files_of_one_instance() {
    let first = "\
2026-11-02 10:59:59 UTC:10.0.9.9(1):[unknown]@[unknown]:[901]:LOG:  connection received: host=10.0.9.9 port=1
2026-11-02 10:59:59 UTC:10.0.9.9(1):app@orders:[901]:LOG:  connection authorized: user=app database=orders application_name=pool SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)
";
    let second = "\
2026-11-02 11:30:00 UTC:10.0.9.9(1):app@orders:[901]:LOG:  disconnection: session time: 0:30:01.000 user=app database=orders host=10.0.9.9 port=1
";
    let rows = judge_logs(&[first, second], "instance,user,database,application");
    let pool = row(&rows, "pool");
    assert_eq!(
        pool.last_seen,
        Some(1_793_619_000_000),
        "the disconnection in the next file extends the window"
    );
}

#[test]
fn grouping_by_client_host_splits_an_application() {
    let log = [
        session("10:00:00", "10.0.1.1", 1, "api", Some("TLSv1.3")),
        session("10:00:00", "10.0.1.2", 2, "api", Some("TLSv1.3")),
    ]
    .concat();
    assert_eq!(judge_log(&log).len(), 1);
    assert_eq!(judge_log(&log)[0].client_hosts, "10.0.1.1;10.0.1.2");
    let by_host = judge_logs(&[&log], "instance,application,client_host");
    assert_eq!(by_host.len(), 2);
}

/// Oracle: hand-typed from ../shared/spec/FORMATS.md section 4 — no Oracle
/// server can run here. TCPS always verifies the chain against the wallet.
#[test]
fn oracle_tcps_clients_are_affected_and_tcp_clients_are_not() {
    let listener = "\
01-MAY-2024 10:00:00 * (CONNECT_DATA=(SERVICE_NAME=ORCL)(CID=(PROGRAM=JDBC Thin Client)(HOST=__jdbc__)(USER=app))) * (ADDRESS=(PROTOCOL=tcps)(HOST=10.0.1.5)(PORT=53122)) * establish * ORCL * 0
01-MAY-2024 10:00:01 * (CONNECT_DATA=(SID=ORCL)(CID=(PROGRAM=sqlplus@apphost (TNS V1-V3))(HOST=apphost)(USER=oracle))) * (ADDRESS=(PROTOCOL=tcp)(HOST=10.0.1.6)(PORT=40022)) * establish * ORCL * 0
01-MAY-2024 10:00:02 * (CONNECT_DATA=(SERVICE_NAME=NOPE)(CID=(PROGRAM=batch)(HOST=h)(USER=etl))) * (ADDRESS=(PROTOCOL=tcp)(HOST=10.0.1.7)(PORT=40023)) * establish * NOPE * 12514
";
    let rows = judge_files(
        &[("listener.log", listener)],
        "instance,user,database,application",
    );
    let jdbc = row(&rows, "JDBC Thin Client");
    assert_eq!(
        (jdbc.engine.as_str(), jdbc.verdict),
        ("oracle", Verdict::Affected)
    );
    assert!(jdbc.reason.contains("Oracle Net TCPS"), "{}", jdbc.reason);
    let sqlplus = row(&rows, "sqlplus@apphost (TNS V1-V3)");
    assert_eq!(
        (sqlplus.database.as_str(), sqlplus.verdict),
        ("ORCL", Verdict::NotAffected)
    );
    // A refused plaintext attempt is a plaintext attempt, and the record's
    // program, user and service stay in the row.
    let refused = rows.iter().find(|r| r.user == "etl").unwrap();
    assert_eq!(
        (
            refused.application.as_str(),
            refused.database.as_str(),
            refused.verdict
        ),
        ("batch", "NOPE", Verdict::NotAffected)
    );
    assert!(
        refused
            .reason
            .contains("refused (TNS-12514) without encryption"),
        "{}",
        refused.reason
    );
}

/// csvlog rows of one session: received, authorized, disconnection (whose
/// application_name column holds the name the server stored).
fn csv_session(pid: u32, app_in_message: &str, tls: bool, stored: &str) -> String {
    let clause = if tls {
        " SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)"
    } else {
        ""
    };
    let from = format!("\"10.0.8.8:5{pid}\"");
    format!(
        "2026-11-02 10:00:00.000 UTC,,,{pid},{from},6b0.{pid},1,\"\",2026-11-02 10:00:00 UTC,,0,LOG,00000,\"connection received: host=10.0.8.8 port=5{pid}\",,,,,,,,,\"\",\"not initialized\",,0\n\
         2026-11-02 10:00:00.010 UTC,\"app\",\"orders\",{pid},{from},6b0.{pid},2,\"authentication\",2026-11-02 10:00:00 UTC,3/1,0,LOG,00000,\"connection authorized: user=app database=orders application_name={app_in_message}{clause}\",,,,,,,,,\"\",\"client backend\",,0\n\
         2026-11-02 10:00:05.000 UTC,\"app\",\"orders\",{pid},{from},6b0.{pid},3,\"idle\",2026-11-02 10:00:00 UTC,,0,LOG,00000,\"disconnection: session time: 0:00:05.000 user=app database=orders host=10.0.8.8 port=5{pid}\",,,,,,,,,\"{stored}\",\"client backend\",,0\n"
    )
}

#[test]
fn the_stored_name_unmasks_a_plaintext_session_whose_name_imitates_the_ssl_clause() {
    let fake = "x SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)";
    let stored_fake = &fake[..63];
    let log = [
        // A real TLS session of application "x".
        csv_session(801, "x", true, "x"),
        // A plaintext session named with the whole clause: its line reads
        // exactly like a TLS session of "x" until the stored name shows.
        csv_session(802, fake, false, stored_fake),
    ]
    .concat();
    let rows = judge_files(
        &[("postgresql.log.csv", &log)],
        "instance,user,database,application",
    );
    let real = row(&rows, "x");
    assert_eq!(
        (real.sessions, real.tls_sessions, real.verdict),
        (1, 1, Verdict::Review)
    );
    // Its row is its name's family (the version digits are placeholders).
    let imitation = row(&rows, &sslcensus::family(stored_fake));
    assert_eq!(
        (
            imitation.sessions,
            imitation.plain_sessions,
            imitation.verdict
        ),
        (1, 1, Verdict::NotAffected)
    );
    assert!(
        imitation.reason.contains("imitates the SSL clause"),
        "{}",
        imitation.reason
    );
}

/// Rule 4: behind one shared address, one rejection just before a
/// plaintext session is chance, not an `sslmode=prefer` fallback.
#[test]
fn a_single_coincidence_on_a_shared_address_proves_nothing() {
    let log = [
        session("10:00:00", "10.0.4.4", 401, "web", Some("TLSv1.3")),
        session("10:00:10", "10.0.4.4", 402, "worker", Some("TLSv1.3")),
        unknown_ca("10:05:00", "10.0.4.4", 403),
        session("10:05:00", "10.0.4.4", 404, "cron-disable", None),
        session("10:06:00", "10.0.4.4", 405, "cron-disable", None),
        session("10:07:00", "10.0.4.4", 406, "web", Some("TLSv1.3")),
    ]
    .concat();
    let rows = judge_log(&log);
    let cron = row(&rows, "cron-disable");
    assert_eq!(cron.verdict, Verdict::NotAffected, "{}", cron.reason);
    assert!(
        cron.reason
            .contains("chance timing on a busy address, a hint, not proof"),
        "{}",
        cron.reason
    );
    assert!(
        rows.iter().all(|r| r.verdict != Verdict::Affected),
        "{rows:#?}"
    );
}

/// Rule 4: the sole TLS client of a shared address is proven to verify when
/// the rejections repeat and it stopped connecting once they began (a
/// rotated CA), not when it kept connecting through them.
#[test]
fn rejections_on_a_shared_address_prove_only_a_consistent_pattern() {
    let shared = |tls_after: bool| {
        let mut log = vec![
            session("10:00:00", "10.0.5.5", 501, "api", Some("TLSv1.3")),
            session("10:00:01", "10.0.5.5", 502, "cron", None),
            unknown_ca("10:10:00", "10.0.5.5", 503),
            unknown_ca("10:20:00", "10.0.5.5", 504),
        ];
        if tls_after {
            log.push(session("10:30:00", "10.0.5.5", 505, "api", Some("TLSv1.3")));
        }
        judge_log(&log.concat())
    };
    let stopped = shared(false);
    assert_eq!(verdict(&stopped, "api"), Verdict::Affected);
    let continued = shared(true);
    let api = row(&continued, "api");
    assert_eq!(api.verdict, Verdict::Review, "{}", api.reason);
    assert!(api.reason.contains("a hint, not proof"), "{}", api.reason);
}

/// A log whose prefix is not recognised gives no address on the failure
/// line: the failure is never pinned on the only client known.
#[test]
fn a_failure_without_an_address_is_nobody_s_but_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let instance = dir.path().join("prod-db");
    std::fs::create_dir(&instance).unwrap();
    let log = "\
2026-11-02 10:00:00.000 UTC|10.0.1.1|app|orders|billing|101|LOG:  connection authorized: user=app database=orders application_name=billing SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)
2026-11-02 10:01:00.000 UTC|10.0.1.2|[unknown]|[unknown]||102|LOG:  could not accept SSL connection: tlsv1 alert unknown ca
";
    std::fs::write(instance.join("postgresql.log"), log).unwrap();
    let (files, errors) = resolve(&[instance.to_string_lossy().into_owned()], None);
    assert!(errors.is_empty());
    let analysis = analyze(&files, &Settings::default(), &Progress::new(0, false));
    let rows = judge(analysis.census, &GroupBy::default(), &Evidence::default());
    let billing = row(&rows, "billing");
    assert_eq!(billing.verdict, Verdict::Review, "{}", billing.reason);
    assert_eq!(billing.handshake_failures, 0);
    let unknown = rows
        .iter()
        .find(|r| r.application == "[unknown]" && r.handshake_failures == 1)
        .unwrap_or_else(|| panic!("{rows:#?}"));
    // Its reason never points at "this address": there is none.
    assert!(
        !unknown.reason.contains("at this address"),
        "{}",
        unknown.reason
    );
    if unknown.verdict == Verdict::Affected {
        assert!(
            unknown.reason.contains("gave no address"),
            "{}",
            unknown.reason
        );
    }
}

/// A small deterministic generator (xorshift64*), so the busy log is the
/// same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A busy, connection-dense instance: 120 applications behind 12 shared NAT
/// addresses, a third of them never using TLS, several sessions a second,
/// and 400 certificate rejections at random times from those addresses that
/// belong to no application in particular.
fn busy_log() -> String {
    let mut rng = Rng(0x5eed_cafe);
    let mut log = String::new();
    let mut pid = 10_000u32;
    let clock = |second: u64| {
        format!(
            "{:02}:{:02}:{:02}",
            10 + second / 3600,
            second / 60 % 60,
            second % 60
        )
    };
    for second in 0..3600u64 {
        for _ in 0..6 {
            let app = rng.below(120);
            // Names of words, not numbers: numbered names are one family.
            let vowels = |n: u64| ["a", "e", "i", "o", "u"][(n % 5) as usize];
            let name = format!("svc-{}{}{}", vowels(app / 25), vowels(app / 5), vowels(app));
            let host = format!("10.20.0.{}", 1 + rng.below(12));
            let tls = (!app.is_multiple_of(3)).then_some("TLSv1.3");
            pid += 1;
            log.push_str(&session(&clock(second), &host, pid, &name, tls));
        }
        if rng.below(9) == 0 {
            let host = format!("10.20.0.{}", 1 + rng.below(12));
            pid += 1;
            log.push_str(&unknown_ca(&clock(second), &host, pid));
        }
    }
    log
}

#[test]
fn chance_rejections_on_a_busy_instance_make_nothing_affected_and_cells_stay_readable() {
    let log = busy_log();
    for group_by in [
        "instance,user,database,application",
        "instance,user,database",
        "instance,user,database,application,client_host",
    ] {
        let rows = judge_logs(&[&log], group_by);
        assert!(!rows.is_empty(), "{group_by}");
        let affected: Vec<_> = rows
            .iter()
            .filter(|r| r.verdict == Verdict::Affected)
            .map(|r| (&r.application, &r.client_hosts, &r.reason))
            .collect();
        assert!(affected.is_empty(), "{group_by}: {affected:#?}");
        // Plaintext applications met chance rejections, and stay not affected.
        let plain = rows
            .iter()
            .filter(|r| r.tls_sessions == 0 && r.sessions > 0)
            .collect::<Vec<_>>();
        assert_eq!(plain.is_empty(), group_by == "instance,user,database");
        assert!(
            plain.iter().all(|r| r.verdict == Verdict::NotAffected),
            "{group_by}"
        );
        if group_by == "instance,user,database,application" {
            assert!(
                plain
                    .iter()
                    .any(|r| r.reason.contains("chance timing on a busy address")),
                "the log must exercise the rule"
            );
        }

        let mut csv = Vec::new();
        sslcensus::write_report(&rows, sslcensus::OutputFormat::Csv, &mut csv).unwrap();
        let mut longest = 0;
        for record in csv::Reader::from_reader(csv.as_slice()).records() {
            for cell in record.unwrap().iter() {
                longest = longest.max(cell.chars().count());
            }
        }
        assert!(
            longest <= 32_767,
            "{group_by}: a cell of {longest} characters"
        );
        if group_by == "instance,user,database" {
            // One row holds every address: the CSV names a few and counts the rest.
            let text = String::from_utf8(csv).unwrap();
            let line = text.lines().nth(1).unwrap_or_default();
            assert!(
                line.contains(";… and 100 more"),
                "{}",
                &line[..line.len().min(3000)]
            );
            let reason = &rows[0].reason;
            assert!(
                reason.contains("from 12 addresses (") && reason.contains(" and 9 more)"),
                "{reason}"
            );
        }
    }
}

/// The same busy log through the binary: the CSV a batch job would read.
#[test]
fn the_binary_reports_the_busy_instance_without_a_coincidental_affected_row() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("busy-db/postgresql.log.2026-11-02-10");
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    std::fs::write(&log, busy_log()).unwrap();
    let report = dir.path().join("report.csv");
    // Exit 0: --fail-on affected found nothing to fail on.
    let out = common::sslcensus_os_ok(&[
        "analyze".as_ref(),
        "-q".as_ref(),
        "--fail-on".as_ref(),
        "affected".as_ref(),
        "-o".as_ref(),
        report.as_os_str(),
        log.as_os_str(),
    ]);
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains(" 0 affected,"), "{summary}");
    let csv = std::fs::read_to_string(&report).unwrap();
    assert!(
        csv::Reader::from_reader(csv.as_bytes())
            .records()
            .all(|r| r.unwrap().iter().all(|cell| cell.chars().count() <= 32_767))
    );
}

/// Seen on a live PostgreSQL 14 under load: the plaintext retry of an
/// sslmode=prefer client was logged before the certificate rejection that
/// caused it, so the fallback rule (which looks forward from a rejection)
/// missed it. The rejection keeps its own affected row, and the only client
/// of that address is not cleared: it stays in review with the hint.
#[test]
fn a_rejection_beside_the_only_client_of_an_address_keeps_that_client_in_review() {
    let log = [
        session("10:00:00", "10.0.6.6", 601, "legacy-php", None),
        unknown_ca("10:00:01", "10.0.6.6", 602),
        session("10:00:00", "10.0.6.7", 603, "cron-disable", None),
    ]
    .concat();
    let rows = judge_log(&log);
    let php = row(&rows, "legacy-php");
    assert_eq!(php.verdict, Verdict::Review, "{}", php.reason);
    assert!(
        php.reason.contains("logged before the rejection"),
        "{}",
        php.reason
    );
    assert!(rows.iter().any(|r| r.application == "[unknown]"
        && r.client_hosts == "10.0.6.6"
        && r.verdict == Verdict::Affected));
    // A plaintext client on an address with no rejection stays cleared.
    assert_eq!(verdict(&rows, "cron-disable"), Verdict::NotAffected);
}

/// A row's timeline: its sessions per day, and its address's failed
/// handshakes per day counted once, however many kinds of failure the
/// address had (each kind is a finding of its own).
#[test]
fn a_rows_days_count_each_failure_once() {
    let eof = "2026-11-03 09:00:00 UTC:10.0.3.7(59):[unknown]@[unknown]:[209]:LOG:  connection received: host=10.0.3.7 port=59\n\
               2026-11-03 09:00:00 UTC:10.0.3.7(59):[unknown]@[unknown]:[209]:LOG:  could not accept SSL connection: EOF detected\n";
    let log = [
        session("10:00:00", "10.0.3.7", 201, "payments", Some("TLSv1.3")),
        session("10:00:01", "10.0.3.7", 203, "payments", None),
        unknown_ca("10:05:00", "10.0.3.7", 202),
        eof.to_string(),
    ]
    .concat();
    let rows = judge_log(&log);
    let payments = row(&rows, "payments");
    assert_eq!(payments.handshake_failures, 2);
    let days: Vec<(String, u64, u64, u64)> = payments
        .days
        .iter()
        .map(|(d, c)| (sslcensus::day_text(d), c.tls, c.plain, c.failures))
        .collect();
    assert_eq!(
        days,
        [
            ("2026-11-02".to_string(), 1, 1, 1),
            ("2026-11-03".to_string(), 0, 0, 1)
        ]
    );
}
