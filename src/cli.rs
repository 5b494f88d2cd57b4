//! The command line: argument parsing, messages on stderr, exit codes.

use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use polars::prelude::PolarsError;
use sslcensus_parsers::LinePrefix;
use sslcensus_parsers::{Engine, FormatChoice};

use crate::analyze::{Analysis, FileStatus, Settings, analyze};
use crate::atomic::AtomicFile;
use crate::capture;
use crate::capture_sql::{self, SqlEngine};
use crate::census::Census;
use crate::correlate::Problem;
use crate::correlate::{Coverage, Window};
use crate::evidence::fold::{self, AppMap, ClientSetting, EndpointMap, Evidence};
use crate::evidence::truststore::{self, RdsCa};
use crate::evidence::walk;
use crate::family::Families;
use crate::partial::Partial;
use crate::progress::{FetchProgress, Progress};
use crate::report::{self, OutputFormat, printable};
use crate::verdict::{self, GroupBy, Verdict, judge};
use crate::{cloudwatch, source};

const EXIT_CODES: &str = "\
Exit codes (each subcommand's --help lists its own):
  0  done
  1  error: an input could not be read or is not what it should be, nothing usable was read, or the output could not be written
  2  usage error
  3  analyze, merge or diff --fail-on matched, or truststore --require not met";

const ANALYZE_EXIT_CODES: &str = "\
Exit codes:
  0  done: the inputs held connection records, none failed, and --fail-on (if given) matched nothing
  1  error: an input could not be read, was truncated or is not a log, or a log group could not be read (no AWS credentials, a permission missing, no such group; the report still covers the rest); no input held a single connection record; the --state file is damaged or of another schema (nothing is read), or could not be written; an evidence file (--configs, --evidence, --endpoint-map, --app-map) is bad; or the report could not be written. 1 wins over 3: an incomplete run is reported as one even when --fail-on also matched
  2  usage error
  3  --fail-on matched: the report has rows at or above that verdict
A closed output pipe (sslcensus analyze ... | head) ends quietly with 0.";

const MERGE_EXIT_CODES: &str = "\
Exit codes:
  0  done: the partials' runs held connection records, none of them was incomplete, and --fail-on (if given) matched nothing
  1  error: a partial could not be read, is not an sslcensus partial, has another schema version, or holds a run another partial holds (nothing is written); a run merged was incomplete (its own exit code was 1); no run held a single connection record; an evidence file is bad; or the report or the merged partial could not be written. 1 wins over 3
  2  usage error
  3  --fail-on matched: the report has rows at or above that verdict";

const DIFF_EXIT_CODES: &str = "\
Exit codes:
  0  done, and --fail-on (if given) matched nothing
  1  error: a report could not be read or is not an sslcensus report; with --at, a log could not be read or a side of T held no connection record; or -o could not be written. 1 wins over 3
  2  usage error
  3  --fail-on matched: a change at or above that severity (affected: started or still failing, TLS dropped after a rejection; review: also stopped connecting, gone, TLS dropped)";

const SCAN_CONFIG_EXIT_CODES: &str = "\
Exit codes:
  0  done
  1  error: a file or folder could not be read (the output still covers the rest), or the output could not be written
  2  usage error";

const PLAN_EXIT_CODES: &str = "\
Exit codes:
  0  done
  1  error: a report or inventory could not be read, or -o could not be written
  2  usage error";

const TRUSTSTORE_EXIT_CODES: &str = "\
Exit codes:
  0  done; with --require, every store holds every required CA
  1  error: a trust store could not be read or is damaged (the others are still listed), --require found no trust store at all, or -o could not be written; wins over 3
  2  usage error
  3  --require not met: a store lacks a genuine root, valid now, of a required CA (missing, expired, only a look-alike or unverified)";

#[derive(Debug, Parser)]
#[command(name = "sslcensus", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Write CSV cells exactly as found. By default a cell that would start
    /// a spreadsheet formula (=, +, -, @, tab, carriage return first: client
    /// names are chosen by the clients) gets a leading ' so spreadsheets
    /// show it as text; use this for programs that read the CSV.
    #[arg(long, global = true)]
    pub csv_raw: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read connection logs and judge, per client application, whether a CA
    /// rotation affects it.
    #[command(after_help = ANALYZE_EXIT_CODES)]
    Analyze(Box<AnalyzeArgs>),
    /// Merge the partials of runs over shards of a fleet (`analyze
    /// --partial`) and judge them as one run over all their inputs.
    #[command(after_help = MERGE_EXIT_CODES)]
    Merge(Box<MergeArgs>),
    /// Find database connection settings in application code and config
    /// trees, with whether each uses TLS and verifies the server certificate.
    #[command(name = "scan-config", after_help = SCAN_CONFIG_EXIT_CODES)]
    ScanConfig(ScanConfigArgs),
    /// List the CAs in trust stores (PEM bundles, DER, PKCS#7, PKCS#12, JKS)
    /// and whether they hold the Amazon RDS CAs, known by their published
    /// public keys.
    #[command(after_help = TRUSTSTORE_EXIT_CODES)]
    Truststore(TruststoreArgs),
    /// Print the session-view capture query sslcensus reads best for an
    /// engine (with its capture-time column), and a cron line and a loop
    /// that capture with the site's own client.
    Sql(SqlArgs),
    /// Capture the session views of a PostgreSQL or MySQL/MariaDB server
    /// every interval (the query `sslcensus sql` prints) into one CSV file
    /// a day that `analyze` reads. Credentials: PGPASSWORD, PGPASSFILE /
    /// ~/.pgpass, MYSQL_PWD, or -W (a prompt); never on the command line.
    Capture(Box<CaptureArgs>),
    /// The rotation plan per instance: an RDS inventory (`aws rds
    /// describe-db-instances` JSON) joined with sslcensus CSV reports — CA now,
    /// client rows per verdict, the next step, the modify command.
    #[command(after_help = PLAN_EXIT_CODES)]
    Plan(PlanArgs),
    /// What changed per client between two reports, or two windows of the
    /// same logs split at --at T (a staging instance rotated to a new CA at
    /// T): started failing handshakes, TLS dropped for plaintext, stopped
    /// connecting, new and gone clients.
    #[command(after_help = DIFF_EXIT_CODES)]
    Diff(Box<DiffArgs>),
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// BEFORE AFTER: two reports of `analyze -o` (.csv, .json or .parquet).
    /// With --at: log files, directories or globs, read twice (before T,
    /// from T on).
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Compare the logs before this time with the logs from it on (the
    /// time the server certificate changed): 2026-11-29T05:00:00Z.
    #[arg(long, value_name = "TIME", value_parser = crate::cloudwatch::parse_time)]
    pub at: Option<i64>,
    /// With --at: the before side starts here.
    #[arg(long, value_name = "TIME", requires = "at", value_parser = crate::cloudwatch::parse_time)]
    pub since: Option<i64>,
    /// With --at: the after side ends before this.
    #[arg(long, value_name = "TIME", requires = "at", value_parser = crate::cloudwatch::parse_time)]
    pub until: Option<i64>,
    /// With --at: as analyze's.
    #[arg(long, value_enum, requires = "at")]
    pub format: Option<FormatArg>,
    /// With --at: as analyze's.
    #[arg(long, value_name = "ESCAPES", requires = "at")]
    pub log_line_prefix: Option<String>,
    /// With --at: as analyze's.
    #[arg(long, requires = "at")]
    pub instance: Option<String>,
    /// With --at: the fields of a client row, as analyze's (reports are
    /// compared by the rows they hold: make both with the same --group-by).
    #[arg(long, default_value = "instance,user,database,application", value_parser = clap::value_parser!(GroupBy))]
    pub group_by: GroupBy,
    /// Write the changes here as CSV, and the table on stdout. Default:
    /// the table on a terminal, else CSV on stdout.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// What stdout gets (without -o, or with -o -).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub output_format: Option<DiffFormat>,
    /// Exit with code 3 when changes at or above this severity exist.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// No notes; errors are still printed.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Csv,
    Table,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// sslcensus CSV reports (`analyze -o report.csv`), one or many.
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,
    /// `aws rds describe-db-instances` output (JSON; pages one after another
    /// are fine). Repeatable.
    #[arg(long = "instances", value_name = "FILE", required = true)]
    pub instances: Vec<PathBuf>,
    /// The CA to rotate to.
    #[arg(long, value_name = "CA", default_value = crate::plan::DEFAULT_TARGET_CA)]
    pub target_ca: String,
    /// Write the plan here as CSV (else a table on the terminal).
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// A connection URL without a password: postgres://USER@HOST:PORT/DB,
    /// mysql://…, mariadb://… (the flags below override its parts).
    pub url: Option<String>,
    /// The engine (else the URL's scheme).
    #[arg(long, value_enum)]
    pub engine: Option<capture::CaptureEngine>,
    #[arg(long, short = 'H')]
    pub host: Option<String>,
    #[arg(long, short = 'p')]
    pub port: Option<u16>,
    #[arg(long, short = 'U')]
    pub user: Option<String>,
    #[arg(long, short = 'd')]
    pub database: Option<String>,
    /// TLS to the server: libpq's sslmode words (MySQL's ssl-mode words are
    /// aliases). Default: the engine's (PGSSLMODE, else prefer; MySQL
    /// PREFERRED).
    #[arg(long, alias = "sslmode", value_enum)]
    pub ssl_mode: Option<capture::SslMode>,
    /// CA certificates (PEM) that verify the server (sslrootcert, ssl-ca),
    /// added to the system's.
    #[arg(long, alias = "sslrootcert")]
    pub ssl_ca: Option<PathBuf>,
    /// Ask for the password (not echoed).
    #[arg(long = "password", short = 'W')]
    pub prompt_password: bool,
    /// MySQL/MariaDB: read only this option file, as `mysql
    /// --defaults-file` does (default: ~/.my.cnf; groups [client] and
    /// [mysql], user, password, host, port).
    #[arg(long)]
    pub defaults_file: Option<PathBuf>,
    /// Folder the captures go to: OUT/INSTANCE/sessions.YYYY-MM-DD.csv.
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    /// The instance's folder name (default: the host).
    #[arg(long)]
    pub instance: Option<String>,
    /// Time between captures: 30s, 5m, 1h.
    #[arg(long, default_value = "60s", value_parser = capture::parse_span)]
    pub interval: std::time::Duration,
    /// Stop after this long (default: at Ctrl-C or SIGTERM, after the
    /// capture under way is written).
    #[arg(long, value_parser = capture::parse_span)]
    pub duration: Option<std::time::Duration>,
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    pub engine: SqlEngine,
}

#[derive(Debug, Args)]
pub struct TruststoreArgs {
    /// Trust store files and directories (read recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Password of PKCS#12 / Java keystores (default: tries changeit, then
    /// none). Never printed.
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "SSLCENSUS_STOREPASS",
        hide_env_values = true
    )]
    pub storepass: Option<String>,
    /// Write every certificate here (.csv, .json or .parquet).
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Also list every certificate of each store.
    #[arg(short, long)]
    pub list: bool,
    /// Answer whether every store holds a genuine root, valid now, of each of
    /// these CAs (rds-ca-2019, rds-ca-rsa2048-g1, rds-ca-rsa4096-g1,
    /// rds-ca-ecc384-g1), and exit 3 if not.
    #[arg(long, value_name = "CA,…", value_delimiter = ',', value_parser = parse_rds_ca)]
    pub require: Vec<RdsCa>,
    /// With --require: the regions whose G1 roots must be there (a G1 root
    /// serves only its own region). Default: any region.
    #[arg(
        long,
        value_name = "REGION,…",
        value_delimiter = ',',
        requires = "require",
        value_parser = parse_region
    )]
    pub region: Vec<String>,
}

fn parse_rds_ca(id: &str) -> Result<RdsCa, String> {
    RdsCa::from_id(id).ok_or_else(|| {
        let known: Vec<&str> = RdsCa::CURRENT.iter().map(|ca| ca.id()).collect();
        format!("unknown CA `{id}`; one of {}", known.join(", "))
    })
}

fn parse_region(region: &str) -> Result<String, String> {
    if truststore::is_region(region) {
        Ok(region.to_string())
    } else {
        Err(format!("`{region}` is not a region name like us-east-1"))
    }
}

#[derive(Debug, Args)]
pub struct ScanConfigArgs {
    /// Files and directories (walked recursively; .gitignore respected,
    /// vendored and build folders skipped).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Write the settings here (.csv, .json or .parquet); default: CSV on stdout.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// No notes; errors are still printed.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// PostgreSQL stderr log (any log_line_prefix)
    Stderr,
    /// PostgreSQL csvlog
    Csvlog,
    /// PostgreSQL jsonlog (15+)
    Jsonlog,
    /// MySQL / MariaDB / Aurora MySQL general query log
    GeneralLog,
    /// MySQL / MariaDB error log
    ErrorLog,
    /// MariaDB Audit Plugin CSV / Aurora MySQL Advanced Auditing
    AuditLog,
    /// Oracle listener.log (text or log.xml)
    ListenerLog,
    /// Session dump: psql's default aligned table
    PsqlAligned,
    /// Session dump: psql -A, any -F separator
    PsqlUnaligned,
    /// Session dump: psql expanded (\x, -x; aligned or -A)
    PsqlExpanded,
    /// Session dump: CSV with a header (psql --csv, exports)
    Csv,
    /// Session dump: TSV with a header (mysql/mariadb -B)
    Tsv,
    /// Session dump: mysql/mariadb -t tables
    MysqlTable,
    /// Session dump: mysql/mariadb vertical (\G)
    MysqlVertical,
    /// Session dump: JSON (json_agg, row_to_json)
    Json,
    /// Session dump: sqlcmd (default fixed width, -s, -W with or without -s)
    Sqlcmd,
    /// Session dump: sqlcmd -h -1 (with -s, or joined by spaces), over the capture query of `sslcensus sql sqlserver`
    SqlcmdHeaderless,
}

impl FormatArg {
    fn choice(self) -> FormatChoice {
        match self {
            FormatArg::Stderr => FormatChoice::Stderr,
            FormatArg::Csvlog => FormatChoice::Csvlog,
            FormatArg::Jsonlog => FormatChoice::Jsonlog,
            FormatArg::GeneralLog => FormatChoice::GeneralLog,
            FormatArg::ErrorLog => FormatChoice::ErrorLog,
            FormatArg::AuditLog => FormatChoice::AuditLog,
            FormatArg::ListenerLog => FormatChoice::ListenerLog,
            FormatArg::PsqlAligned => FormatChoice::Dump("psql-aligned"),
            FormatArg::PsqlUnaligned => FormatChoice::Dump("psql-unaligned"),
            FormatArg::PsqlExpanded => FormatChoice::Dump("psql-expanded"),
            FormatArg::Csv => FormatChoice::Dump("csv"),
            FormatArg::Tsv => FormatChoice::Dump("tsv"),
            FormatArg::MysqlTable => FormatChoice::Dump("mysql-table"),
            FormatArg::MysqlVertical => FormatChoice::Dump("mysql-vertical"),
            FormatArg::Json => FormatChoice::Dump("json"),
            FormatArg::Sqlcmd => FormatChoice::Dump("sqlcmd"),
            FormatArg::SqlcmdHeaderless => FormatChoice::Dump("sqlcmd-headerless"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormatArg {
    Csv,
    Json,
    Parquet,
    Html,
}

impl From<OutputFormatArg> for OutputFormat {
    fn from(f: OutputFormatArg) -> OutputFormat {
        match f {
            OutputFormatArg::Csv => OutputFormat::Csv,
            OutputFormatArg::Json => OutputFormat::Json,
            OutputFormatArg::Parquet => OutputFormat::Parquet,
            OutputFormatArg::Html => OutputFormat::Html,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 3 if any row is affected
    Affected,
    /// Exit 3 if any row is affected or needs review
    Review,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Log files (plain or gzip), directories (read recursively), glob
    /// patterns, or - for stdin. Default: stdin, when it is not a terminal.
    pub inputs: Vec<String>,
    /// Skip format detection and read every input as this format (a log
    /// format, or the form a session dump was printed in).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// The capture time of session dumps whose captures carry none (no time
    /// column, no time line, none in the file name); default: the file's
    /// modification time. RFC 3339, e.g. 2026-11-29T04:01:12Z.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub captured_at: Option<i64>,
    /// The server's log_line_prefix, e.g. '%m [%p] %q%u@%d ' (default:
    /// detected among RDS, Debian and common pgBadger-style prefixes).
    #[arg(long, value_name = "ESCAPES")]
    pub log_line_prefix: Option<String>,
    /// The instance name for every input (default: the RDS folder the log
    /// sits in, else the file name).
    #[arg(long)]
    pub instance: Option<String>,
    #[command(flatten)]
    pub judging: JudgeArgs,
    /// Also write this run's per-client aggregates here (Parquet) for
    /// `sslcensus merge`: shards of a fleet (by instance) read apart and
    /// judged together. Checked before reading starts.
    #[arg(long, value_name = "FILE.parquet")]
    pub partial: Option<PathBuf>,
    /// JSON and Parquet list every raw application name of a family in
    /// application_examples (default: a few, as in the CSV).
    #[arg(long)]
    pub keep_raw_names: bool,
    #[command(flatten)]
    pub cloudwatch: CloudWatchArgs,
}

/// How a census is judged and reported: what `analyze` and `merge` share.
#[derive(Debug, Args)]
pub struct JudgeArgs {
    /// Comma-separated fields that make one report row: instance, engine,
    /// user, database, application, client_host.
    #[arg(long, default_value = "instance,user,database,application", value_parser = clap::value_parser!(GroupBy))]
    pub group_by: GroupBy,
    /// Write the report here (.csv, .json, .parquet or .html) and print the
    /// summary on stdout; - for the report on stdout. Default: the summary on a
    /// terminal, else CSV on stdout. Checked before reading starts.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// The report's format, whatever the output's name (needed for JSON or
    /// Parquet on stdout).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub output_format: Option<OutputFormatArg>,
    /// Exit with code 3 when rows at or above this verdict exist.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Client settings found by `sslcensus scan-config` (its CSV): they settle
    /// `review` rows whose endpoint, user and database they name.
    #[arg(long, value_name = "CSV")]
    pub configs: Vec<PathBuf>,
    /// Scan these application trees for client settings, as scan-config
    /// would, and use them like --configs. Several: repeat the flag or
    /// separate them with commas (--scan a,b); a second word after it is a
    /// log input, not another tree.
    #[arg(long, value_name = "DIR", value_delimiter = ',')]
    pub scan: Vec<PathBuf>,
    /// host,instance rows tying custom DNS names of databases to instances.
    #[arg(long, value_name = "CSV")]
    pub endpoint_map: Option<PathBuf>,
    /// path,application rows tying the settings under a path to an
    /// application (e.g. src/billing/,billing). A setting that names no
    /// application settles a row only when it matches one application
    /// alone; services sharing a database user need this.
    #[arg(long, value_name = "CSV")]
    pub app_map: Option<PathBuf>,
    /// What an analyst confirmed: key columns (instance, user, database,
    /// application, client_host; empty = any), verifies (yes/no), note.
    /// It wins over everything else and is cited.
    #[arg(long, value_name = "CSV")]
    pub evidence: Option<PathBuf>,
    /// An RDS inventory: `aws rds describe-db-instances`, `describe-db-clusters`
    /// (and `describe-db-engine-versions`) JSON, repeatable. The report gains
    /// each instance's engine, version, CA, certificate expiry and whether
    /// the rotation concerns it; an inventory instance no log showed gets a
    /// `review` row of its own ([not observed]).
    #[arg(long = "instances", value_name = "FILE")]
    pub instances: Vec<PathBuf>,
    /// Replace client addresses, user names and application names by keyed
    /// hashes (h:…) in every output, for reports that leave the DBA team.
    #[arg(long)]
    pub redact: bool,
    /// The key of --redact's hashes (implies --redact): the same key gives
    /// the same tokens in every run. Default: a random key per run.
    #[arg(
        long,
        value_name = "KEY",
        env = "SSLCENSUS_REDACT_KEY",
        hide_env_values = true
    )]
    pub redact_key: Option<String>,
    /// The CA the rotation goes to (with --instances).
    #[arg(long, value_name = "CA", default_value = crate::inventory::DEFAULT_TARGET_CA)]
    pub target_ca: String,
    /// Application families: a row per application, its pids, counters,
    /// pod suffixes and hashes made placeholders (`puma: cluster worker N:
    /// N [shop]`, `orders-api-<rs>-<pod>`); off gives a row per raw name.
    #[arg(long, value_enum, default_value = "on", value_name = "ON|OFF")]
    pub app_families: Switch,
    /// A site rule, tried before the built-in ones: names the regex
    /// matches belong to family NAME (repeatable).
    #[arg(long, value_name = "REGEX=NAME", value_parser = Families::parse_rule)]
    pub app_family: Vec<(regex::Regex, String)>,
    /// No progress bar and no notes; errors are still printed.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Partials written by `analyze --partial` (or merged ones, or README's
    /// SQL query's result).
    #[arg(required = true, value_name = "PARTIAL")]
    pub partials: Vec<PathBuf>,
    #[command(flatten)]
    pub judging: JudgeArgs,
    /// Also write the merged partial here, to merge again later.
    #[arg(long, value_name = "FILE.parquet")]
    pub partial: Option<PathBuf>,
}

/// Reading the log groups RDS publishes to CloudWatch Logs.
#[derive(Debug, Args, Default)]
#[command(next_help_heading = "CloudWatch Logs")]
pub struct CloudWatchArgs {
    /// Read this log group (repeatable), e.g. /aws/rds/instance/orders-db/postgresql.
    /// Each stream is an instance's log: /aws/rds/instance/<id>/<type>,
    /// or /aws/rds/cluster/<id>/<type> with the instance as the stream.
    #[arg(long, value_name = "NAME")]
    pub log_group: Vec<String>,
    /// Read every log group whose name starts with this (repeatable), e.g.
    /// /aws/rds/ for a whole account and region; kinds of log without
    /// connection records (slowquery, upgrade, alert, …) are passed over.
    #[arg(long, value_name = "PREFIX")]
    pub log_group_prefix: Vec<String>,
    /// Events from this time on: 2026-11-29T05:00:00Z, 2026-11-29, or a
    /// time before now such as 12h or 7d.
    #[arg(long, value_name = "TIME", value_parser = crate::cloudwatch::parse_time)]
    pub since: Option<i64>,
    /// Events before this time (same forms as --since).
    #[arg(long, value_name = "TIME", value_parser = crate::cloudwatch::parse_time)]
    pub until: Option<i64>,
    /// The AWS profile of the shared config and credentials files (default:
    /// AWS_PROFILE, else default).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// The AWS region (default: AWS_REGION, else the profile's).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Send CloudWatch Logs requests here instead (a VPC endpoint, an emulator).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Aggregate PostgreSQL log groups inside CloudWatch Logs Insights
    /// (StartQuery): counts per client come back instead of every line.
    /// Lines are not tied by pid, so sslmode=prefer fallbacks cannot be
    /// seen; FilterLogEvents (the default) is the reference.
    #[arg(long)]
    pub insights: bool,
    /// Keep what was read here (JSON, gzipped if FILE ends in .gz) and read
    /// only new events next time: a scheduled run's report covers every run
    /// before it. Log groups only, no files. Written after the report; an
    /// interrupted run leaves it as it was. --since applies to streams not
    /// in it yet.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// With --state: events of the last DURATION are left for the next run,
    /// as CloudWatch may still be taking in events of that time (0s: none).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_settle)]
    pub settle: std::time::Duration,
}

impl CloudWatchArgs {
    fn wanted(&self) -> bool {
        !self.log_group.is_empty() || !self.log_group_prefix.is_empty()
    }

    fn request(&self) -> crate::cloudwatch::fetch::Request {
        crate::cloudwatch::fetch::Request {
            groups: self.log_group.clone(),
            prefixes: self.log_group_prefix.clone(),
            since: self.since,
            until: self.until,
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            insights: self.insights,
            positions: Default::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    On,
    Off,
}

fn parse_time(text: &str) -> Result<i64, String> {
    sslcensus_parsers::parse_timestamp(text)
        .map(|t| t.millis)
        .ok_or_else(|| format!("`{text}` is not a time like 2026-11-29T04:01:12Z"))
}

/// `--settle`: a span as `capture --interval` takes it, or none at all.
fn parse_settle(text: &str) -> Result<std::time::Duration, capture::SpanError> {
    match text.trim() {
        "0" | "0s" | "0m" => Ok(std::time::Duration::ZERO),
        _ => capture::parse_span(text),
    }
}

impl JudgeArgs {
    fn families(&self) -> Families {
        let mut families = match self.app_families {
            Switch::On => Families::default(),
            Switch::Off => Families::off(),
        };
        for (regex, name) in &self.app_family {
            families = families.with_rule(regex.clone(), name.clone());
        }
        families
    }
}

impl AnalyzeArgs {
    fn families(&self) -> Families {
        let families = self.judging.families();
        if self.keep_raw_names {
            families.keeping_all_names()
        } else {
            families
        }
    }
}

impl clap::builder::ValueParserFactory for GroupBy {
    type Parser = clap::builder::ValueParser;
    fn value_parser() -> Self::Parser {
        clap::builder::ValueParser::new(|s: &str| s.parse::<GroupBy>())
    }
}

fn usage_error(message: &str) -> ExitCode {
    usage_error_of("analyze", message)
}

fn usage_error_of(command: &str, message: &str) -> ExitCode {
    eprintln!("sslcensus: {message}");
    eprintln!("Try 'sslcensus {command} --help'.");
    ExitCode::from(2)
}

pub fn run(cli: Cli) -> ExitCode {
    // The CSV every command writes: guarded unless --csv-raw.
    let csv = if cli.csv_raw {
        OutputFormat::CsvRaw
    } else {
        OutputFormat::Csv
    };
    let choose = |format: OutputFormat| if cli.csv_raw { format.raw() } else { format };
    match cli.command {
        Command::Analyze(args) => run_analyze(*args, csv, choose),
        Command::Merge(args) => run_merge(*args, csv, choose),
        Command::ScanConfig(args) => run_scan_config(args, csv, choose),
        Command::Truststore(args) => run_truststore(args, choose),
        Command::Sql(args) => {
            if output_written(print_out(&capture_sql::text(args.engine))) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Command::Capture(args) => run_capture(*args),
        Command::Plan(args) => run_plan(args),
        Command::Diff(args) => run_diff(*args, cli.csv_raw),
    }
}

/// What Logs Insights counted, on stderr; skipped rows even with -q.
fn report_pushdown(pushed: &cloudwatch::insights::Folded, quiet: bool) {
    if pushed.skipped > 0 {
        eprintln!(
            "sslcensus: warning: {} Logs Insights result rows were not connection counts and were skipped (the first: {})",
            pushed.skipped,
            pushed.first_skipped.as_deref().unwrap_or_default()
        );
    }
    if !quiet {
        eprintln!(
            "sslcensus: note: Logs Insights counted {} sessions and {} handshake failures (pushdown: lines not tied by pid, so sslmode=prefer fallbacks cannot be seen)",
            pushed.sessions, pushed.handshake_failures
        );
    }
}

/// What joining the inventory found, on stderr.
fn report_inventory(joined: &crate::inventory::Joined, quiet: bool) {
    let list = |ids: &[String]| {
        let shown: Vec<String> = ids
            .iter()
            .take(10)
            .map(|i| printable(i).into_owned())
            .collect();
        match ids.len() {
            n if n > 10 => format!("{} and {} more", shown.join(", "), n - 10),
            _ => shown.join(", "),
        }
    };
    // Instances without logs are a gap in the census: said even with -q.
    if !joined.not_observed.is_empty() {
        eprintln!(
            "sslcensus: warning: {} inventory instances have no log among the inputs (a review row each, [not observed]): {}",
            joined.not_observed.len(),
            list(&joined.not_observed)
        );
    }
    if quiet {
        return;
    }
    if !joined.not_in_inventory.is_empty() {
        eprintln!(
            "sslcensus: note: {} instances of the logs are not in the inventory (check their names, or --instance): {}",
            joined.not_in_inventory.len(),
            list(&joined.not_in_inventory)
        );
    }
    if !joined.not_concerned.is_empty() {
        eprintln!(
            "sslcensus: note: {} inventory instances without logs are not concerned (already on the target CA, or Aurora Serverless v1): {}",
            joined.not_concerned.len(),
            list(&joined.not_concerned)
        );
    }
}

fn run_plan(args: PlanArgs) -> ExitCode {
    let result = (|| -> anyhow::Result<String> {
        let inventory = crate::inventory::Inventory::read_files(&args.instances)?;
        let reports: Vec<&std::path::Path> = args.reports.iter().map(PathBuf::as_path).collect();
        let counts = crate::plan::read_reports(&reports)?;
        let rows = crate::plan::plan(&inventory, &counts, &args.target_ca);
        match &args.output {
            Some(path) => {
                AtomicFile::create(path)
                    .with_context(|| format!("cannot create {}", path.display()))?
                    .fill(|out| crate::plan::write_csv(&rows, &args.target_ca, out))
                    .with_context(|| format!("writing {}", path.display()))?;
                Ok(format!(
                    "sslcensus: wrote the plan of {} instances to {}\n",
                    rows.len(),
                    path.display()
                ))
            }
            None => Ok(crate::plan::table(&rows)),
        }
    })();
    match result {
        Ok(text) => {
            let printed = if args.output.is_some() {
                eprint!("{text}");
                Ok(())
            } else {
                print_out(&text)
            };
            if output_written(printed) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("sslcensus: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run_diff(args: DiffArgs, csv_raw: bool) -> ExitCode {
    let usage = |message: &str| {
        eprintln!("sslcensus: {message}");
        eprintln!("Try 'sslcensus diff --help'.");
        ExitCode::from(2)
    };
    if args.at.is_none() && args.inputs.len() != 2 {
        return usage("give two reports, BEFORE AFTER, or log inputs with --at TIME");
    }
    if args.at.is_some() && args.inputs.iter().any(|i| i == "-") {
        return usage("--at reads the logs twice: stdin cannot be one of them");
    }
    if let (Some(at), window) = (args.at, (args.since, args.until))
        && (window.0.is_some_and(|since| since >= at) || window.1.is_some_and(|until| until <= at))
    {
        return usage("--at must fall between --since and --until");
    }
    if let Some(path) = args.output.as_deref().filter(|p| p.as_os_str() != "-")
        && !matches!(OutputFormat::for_path(path), Ok(OutputFormat::Csv))
    {
        return usage("diff writes CSV: name the output .csv");
    }
    let prefix = match args
        .log_line_prefix
        .as_deref()
        .map(LinePrefix::compile)
        .transpose()
    {
        Ok(prefix) => prefix,
        Err(e) => return usage(&e.to_string()),
    };
    // The output is made before the reading, as analyze does.
    let file = match args.output.as_deref().filter(|p| p.as_os_str() != "-") {
        Some(path) => match AtomicFile::create(path) {
            Ok(file) => Some((path.to_path_buf(), file)),
            Err(e) => {
                eprintln!("sslcensus: error: cannot create {}: {e}", path.display());
                return ExitCode::from(1);
            }
        },
        None => None,
    };
    let (sides, before, after, incomplete) = match args.at {
        None => {
            let read = |path: &str| crate::diff::read::read_report(std::path::Path::new(path));
            match (read(&args.inputs[0]), read(&args.inputs[1])) {
                (Ok(before), Ok(after)) => (
                    (args.inputs[0].clone(), args.inputs[1].clone()),
                    before,
                    after,
                    false,
                ),
                (Err(e), _) | (_, Err(e)) => {
                    eprintln!("sslcensus: error: {e:#}");
                    return ExitCode::from(1);
                }
            }
        }
        Some(at) => {
            let settings = Settings {
                forced: args.format.map(FormatArg::choice),
                prefix,
                families: Arc::new(Families::default()),
                captured_at: None,
                window: Default::default(),
            };
            let (before, after, incomplete) = diff_windows(&args, settings, at);
            let at = verdict::rfc3339(at);
            (
                (format!("before {at}"), format!("from {at} on")),
                before,
                after,
                incomplete,
            )
        }
    };
    let changes = crate::diff::diff(&before, &after);
    let table = || crate::diff::write::table(&changes, (&sides.0, &sides.1));
    let to_stdout = match args.output_format {
        Some(DiffFormat::Csv) => true,
        Some(DiffFormat::Table) => false,
        None => file.is_none() && !std::io::stdout().is_terminal(),
    };
    let written = match file {
        Some((path, file)) => file
            .fill(|out| crate::diff::write::write_csv(&changes, !csv_raw, out))
            .with_context(|| format!("writing {}", path.display()))
            .and_then(|()| {
                if !args.quiet {
                    eprintln!(
                        "sslcensus: wrote {} changes to {}",
                        changes.len(),
                        path.display()
                    );
                }
                if to_stdout {
                    crate::diff::write::write_csv(&changes, !csv_raw, std::io::stdout().lock())
                } else {
                    print_out(&table())
                }
            }),
        None if to_stdout => {
            crate::diff::write::write_csv(&changes, !csv_raw, std::io::stdout().lock())
        }
        None => print_out(&table()),
    };
    if !output_written(written) {
        return ExitCode::from(1);
    }
    let threshold = match args.fail_on {
        Some(FailOn::Affected) => Some(crate::diff::Severity::Affected),
        Some(FailOn::Review) => Some(crate::diff::Severity::Review),
        None => None,
    };
    let matched = threshold.is_some_and(|t| changes.iter().any(|c| c.severity <= t));
    exit_code(incomplete, matched)
}

/// How a run ends: 1 when it is incomplete, which wins over 3 (and says
/// so when --fail-on matched too); 3 when --fail-on matched.
fn exit_code(failed: bool, matched: bool) -> ExitCode {
    if failed {
        if matched {
            eprintln!(
                "sslcensus: --fail-on matched too; exit 1 (an incomplete run) takes precedence over 3"
            );
        }
        return ExitCode::from(1);
    }
    if matched {
        return ExitCode::from(3);
    }
    ExitCode::SUCCESS
}

/// `diff --at T`: the logs read twice through analyze's pipeline, the
/// window [since, T) and [T, until), each judged into client rows. The
/// window rule holds at T as at any --since: the after side also reads the
/// certificate rejections of the second before T, so a prefer client's
/// plaintext retry just after T is its fallback. Returns the two sides and
/// whether the run is incomplete (an input failed, a side held nothing).
fn diff_windows(
    args: &DiffArgs,
    settings: Settings,
    at: i64,
) -> (
    Vec<crate::diff::ClientRow>,
    Vec<crate::diff::ClientRow>,
    bool,
) {
    let mut spool = None;
    let (mut files, input_errors, notes) =
        log_files(&args.inputs, args.instance.as_deref(), &mut spool);
    if args.instance.is_none() {
        crate::analyze::name_instances_from_envelopes(&mut files, &settings);
    }
    for e in &input_errors {
        eprintln!("sslcensus: error: {}: {}", printable(&e.input), e.message);
    }
    if !args.quiet {
        for note in &notes {
            eprintln!("sslcensus: note: {}", printable(note));
        }
    }
    let mut incomplete = !input_errors.is_empty();
    let mut side = |window: crate::correlate::Window, quiet: bool| {
        let settings = Settings {
            window,
            ..settings.clone()
        };
        let progress = Progress::new(0, false);
        let mut analysis = analyze(&files, &settings, &progress);
        report_inputs(&analysis, &args.inputs, quiet, window);
        incomplete |= analysis.failed() || !analysis.held_records();
        let rows = judge(
            std::mem::take(&mut analysis.census),
            &args.group_by,
            &Evidence::default(),
        );
        crate::diff::read::from_report_rows(&rows)
    };
    let before = side(
        crate::correlate::Window {
            since: args.since,
            until: Some(at),
        },
        args.quiet,
    );
    // The second reading's notes would repeat the first's.
    let after = side(
        crate::correlate::Window {
            since: Some(at),
            until: args.until,
        },
        true,
    );
    (before, after, incomplete)
}

fn run_capture(args: CaptureArgs) -> ExitCode {
    let request = capture::CaptureRequest {
        engine: args.engine,
        url: args.url,
        host: args.host,
        port: args.port,
        user: args.user,
        database: args.database,
        ssl_mode: args.ssl_mode,
        ssl_ca: args.ssl_ca,
        prompt_password: args.prompt_password,
        defaults_file: args.defaults_file,
        out: args.out,
        instance: args.instance,
        interval: args.interval,
        duration: args.duration,
    };
    match capture::run(request) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sslcensus: capture: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run_analyze(
    args: AnalyzeArgs,
    csv: OutputFormat,
    choose: impl Fn(OutputFormat) -> OutputFormat,
) -> ExitCode {
    let mut inputs = args.inputs.clone();
    if inputs.is_empty() && !args.cloudwatch.wanted() {
        if std::io::stdin().is_terminal() {
            return usage_error("no input: give log files, directories, globs, or - for stdin");
        }
        inputs.push("-".into());
    }
    let prefix = match args
        .log_line_prefix
        .as_deref()
        .map(LinePrefix::compile)
        .transpose()
    {
        Ok(prefix) => prefix,
        Err(e) => return usage_error(&e.to_string()),
    };
    if args.cloudwatch.state.is_some() && (!args.inputs.is_empty() || !args.cloudwatch.wanted()) {
        return usage_error(
            "--state reads live CloudWatch log groups only (--log-group, --log-group-prefix): files are read whole by every run and would be counted again on top of what the state keeps",
        );
    }
    if args.cloudwatch.state.is_some() && args.cloudwatch.insights {
        return usage_error(
            "--insights cannot go with --state: Logs Insights returns counts, not events, so there is no stream position or open session to resume from",
        );
    }
    // What earlier runs read (--state), checked before any reading.
    let state = match args.cloudwatch.state.as_deref().map(load_state).transpose() {
        Ok(state) => state,
        Err(message) => {
            eprintln!("sslcensus: error: {message}");
            return ExitCode::from(1);
        }
    };
    let settings = Settings {
        forced: args.format.map(FormatArg::choice),
        prefix,
        families: Arc::new(args.families()),
        captured_at: args.captured_at,
        window: crate::correlate::Window {
            // With --state, --since applies to streams without a position,
            // where the events are asked; the lines of the others go on
            // from theirs.
            since: args.cloudwatch.since.filter(|_| state.is_none()),
            until: args.cloudwatch.until,
        },
    };
    let Prepared {
        target,
        partial_file,
        evidence,
        inventory,
        scan_failed,
    } = match prepare(
        "analyze",
        &args.judging,
        args.partial.as_deref(),
        &settings.families,
        csv,
        &choose,
    ) {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    let mut spool = None;
    let (mut files, mut input_errors, mut notes) =
        log_files(&inputs, args.instance.as_deref(), &mut spool);
    let mut pushed_rows = Vec::new();
    let mut read_now = None;
    if args.cloudwatch.wanted() {
        let fetched = fetch_log_groups(&args, state.as_ref(), &mut spool);
        if fetched.interrupted {
            eprintln!(
                "sslcensus: interrupted: the running Logs Insights queries were stopped (StopQuery)"
            );
            return ExitCode::from(130);
        }
        read_now = Some((fetched.positions, fetched.events, fetched.files.len()));
        files.extend(fetched.files);
        input_errors.extend(fetched.errors);
        notes.extend(fetched.notes);
        pushed_rows = fetched.insights_rows;
    }
    if args.instance.is_none() {
        crate::analyze::name_instances_from_envelopes(&mut files, &settings);
    }
    for e in &input_errors {
        eprintln!("sslcensus: error: {}: {}", printable(&e.input), e.message);
    }
    let quiet = args.judging.quiet;
    if !quiet {
        for note in &notes {
            eprintln!("sslcensus: note: {}", printable(note));
        }
    }
    let total_bytes = files
        .iter()
        .filter_map(|f| f.path.as_ref())
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let progress = Progress::new(total_bytes, !quiet && std::io::stderr().is_terminal());
    let (mut analysis, streams_left) = match &state {
        Some(state) => {
            crate::analyze::analyze_resuming(&files, &settings, &progress, state.resumed())
        }
        None => (analyze(&files, &settings, &progress), Default::default()),
    };
    progress.finish();
    report_inputs(&analysis, &args.inputs, quiet, settings.window);
    let pushed = (!pushed_rows.is_empty()).then(|| {
        cloudwatch::insights::fold(&pushed_rows, &settings.families, &mut analysis.census)
    });
    if let Some(pushed) = &pushed {
        report_pushdown(pushed, quiet);
    }
    let nothing_usable = !analysis.held_records()
        && pushed
            .as_ref()
            .is_none_or(|p| p.sessions + p.handshake_failures == 0);
    let incomplete = analysis.failed() || !input_errors.is_empty();
    let mut census = std::mem::take(&mut analysis.census);
    let mut partial_failed = false;
    if let (Some(path), Some(file)) = (&args.partial, partial_file) {
        let partial = Partial::of_run(census, &analysis.files, incomplete, settings.window);
        partial_failed = !write_partial(&partial, path, file, quiet);
        census = partial.census;
    }
    // The state goes last, once the report is out: a run stopped before
    // here leaves the last one, and the next run reads the same events.
    let streams_failed = analysis.failed();
    let save_state = || -> bool {
        let (Some(path), Some(state), Some((positions, events, streams))) =
            (&args.cloudwatch.state, &state, read_now)
        else {
            return true;
        };
        if streams_failed {
            eprintln!(
                "sslcensus: error: {}: state not updated, as a stream could not be read whole; the next run reads the same events again",
                path.display()
            );
            return false;
        }
        if let Err(e) = state.after(positions, streams_left).save(path) {
            eprintln!(
                "sslcensus: error: {}: cannot write the state: {e:#}",
                path.display()
            );
            return false;
        }
        // Said even with -q: what this run added to the kept aggregates.
        eprintln!(
            "sslcensus: read {events} new events from {streams} streams (state {})",
            path.display()
        );
        true
    };
    judge_and_report(
        census,
        &args.judging,
        Grounds {
            evidence: &evidence,
            inventory: inventory.as_ref(),
            facts: report::RunFacts {
                window: settings.window,
                command: Some(command_line()),
                read: Some(analysis.totals().to_string()),
                inputs: analysis.files.iter().map(|f| f.fact()).collect(),
            },
        },
        target,
        nothing_usable || incomplete || scan_failed || partial_failed,
        save_state,
    )
}

/// The command line as a report may show it: a key's value masked.
fn command_line() -> String {
    let mut masked = Vec::new();
    let mut secret_next = false;
    for arg in std::env::args() {
        let shown = if secret_next {
            "****".to_string()
        } else if let Some((flag, _)) = arg.split_once('=')
            && flag == "--redact-key"
        {
            format!("{flag}=****")
        } else if arg.contains(char::is_whitespace) {
            format!("'{arg}'")
        } else {
            arg.clone()
        };
        secret_next = arg == "--redact-key";
        masked.push(shown);
    }
    printable(&masked.join(" ")).into_owned()
}

/// What rows are judged and joined with besides the census.
struct Grounds<'a> {
    evidence: &'a Evidence,
    inventory: Option<&'a crate::inventory::Inventory>,
    facts: report::RunFacts,
}

/// Judges a census, writes the report and the summary, and says how the
/// run ends: what `analyze` and `merge` do once they hold a census.
/// `failed`: the run is incomplete already (exit 1, which wins over 3).
/// `after_report`: what must wait for the report (the `--state` file);
/// false when it failed (exit 1).
fn judge_and_report(
    census: Census,
    args: &JudgeArgs,
    grounds: Grounds<'_>,
    target: OutputTarget,
    failed: bool,
    after_report: impl FnOnce() -> bool,
) -> ExitCode {
    let Grounds {
        evidence,
        inventory,
        facts: context,
    } = grounds;
    // Names are collected before the verdicts and replaced after them, so
    // that settings tied by name still apply.
    let redaction = (args.redact || args.redact_key.is_some())
        .then(|| crate::redact::Redactor::new(args.redact_key.as_deref()).table(&census));
    let mut rows = judge(census, &args.group_by, evidence);
    if let Some(inventory) = inventory {
        let joined = crate::inventory::join(&mut rows, inventory, &args.target_ca);
        report_inventory(&joined, args.quiet);
    }
    if let Some(table) = &redaction {
        table.rows(&mut rows);
    }
    let written = match target {
        OutputTarget::File { path, file, format } => file
            .fill(|out| report::write_with(&rows, &context, format, out))
            .with_context(|| format!("writing {}", path.display()))
            .and_then(|()| {
                if !args.quiet {
                    eprintln!("sslcensus: wrote {} rows to {}", rows.len(), path.display());
                }
                print_out(&report::summary_with(&rows, &context, Some(&path)))
            }),
        OutputTarget::Stdout(format) => {
            report::write_with(&rows, &context, format, std::io::stdout().lock())
        }
        OutputTarget::Summary => print_out(&report::summary_with(&rows, &context, None)),
    };
    if let Err(e) = written {
        if is_broken_pipe(&e) {
            // The reader (head, less) has what it wanted.
            return ExitCode::SUCCESS;
        }
        eprintln!("sslcensus: error: {e:#}");
        return ExitCode::from(1);
    }
    if !after_report() {
        return ExitCode::from(1);
    }
    let threshold = match args.fail_on {
        Some(FailOn::Affected) => Some(Verdict::Affected),
        Some(FailOn::Review) => Some(Verdict::Review),
        None => None,
    };
    let matched = threshold.is_some_and(|t| rows.iter().any(|r| r.verdict <= t));
    exit_code(failed, matched)
}

/// The files the inputs name, CloudWatch JSON dumps and `gcloud logging
/// read` arrays among them turned into files of whole lines in `spool` (a
/// temporary folder kept until the end); errors and notes for stderr.
fn log_files(
    inputs: &[String],
    instance: Option<&str>,
    spool: &mut Option<cloudwatch::Spool>,
) -> (Vec<source::InputFile>, Vec<source::InputError>, Vec<String>) {
    let (files, mut input_errors) = source::resolve(inputs, instance);
    let (files, dump_errors, mut notes) = cloudwatch::expand_dumps(files, instance, spool);
    input_errors.extend(dump_errors);
    let (files, array_errors, array_notes) = crate::gcloud::expand_arrays(files, instance, spool);
    input_errors.extend(array_errors);
    notes.extend(array_notes);
    (files, input_errors, notes)
}

/// Reads the `--state` file; a missing one is a first run, said.
fn load_state(path: &std::path::Path) -> Result<crate::state::State, crate::state::StateError> {
    match crate::state::State::load(path)? {
        Some(state) => Ok(state),
        None => {
            eprintln!(
                "sslcensus: note: {}: no state yet: a first run, reading every event (from --since, if given)",
                path.display()
            );
            Ok(crate::state::State::default())
        }
    }
}

/// Pulls the requested log groups into the spool (made here if no dump
/// made it already); with a state, from its positions and up to now less
/// --settle.
fn fetch_log_groups(
    args: &AnalyzeArgs,
    state: Option<&crate::state::State>,
    spool: &mut Option<cloudwatch::Spool>,
) -> cloudwatch::fetch::Fetched {
    let mut request = args.cloudwatch.request();
    if let Some(state) = state {
        request.positions = state.positions();
        let settled = chrono::Utc::now().timestamp_millis()
            - i64::try_from(args.cloudwatch.settle.as_millis()).unwrap_or(i64::MAX);
        if request.until.is_none_or(|until| until > settled) {
            request.until = Some(settled);
            if !args.judging.quiet {
                eprintln!(
                    "sslcensus: note: reading events before {} (--settle): later ones are left for the next run",
                    verdict::rfc3339(settled)
                );
            }
        }
    }
    let spool = match cloudwatch::Spool::in_slot(spool) {
        Ok(spool) => spool,
        Err(e) => {
            return cloudwatch::fetch::Fetched {
                errors: vec![source::InputError {
                    input: "cloudwatch".into(),
                    message: format!("cannot make a temporary folder: {e}"),
                }],
                ..Default::default()
            };
        }
    };
    let progress = Arc::new(FetchProgress::new(
        !args.judging.quiet && std::io::stderr().is_terminal(),
    ));
    let fetched = cloudwatch::fetch::fetch(&request, spool, &progress);
    progress.finish();
    fetched
}

/// Where the report goes.
enum OutputTarget {
    /// A file, created before reading starts: report there, summary on stdout.
    File {
        path: PathBuf,
        /// Written beside the path, renamed onto it once whole.
        file: AtomicFile,
        format: OutputFormat,
    },
    /// The report on stdout.
    Stdout(OutputFormat),
    /// Only the summary, on a terminal.
    Summary,
}

enum Failure {
    Usage(String),
    Run(String),
}

fn output_target(
    args: &JudgeArgs,
    csv: OutputFormat,
    choose: &impl Fn(OutputFormat) -> OutputFormat,
) -> Result<OutputTarget, Failure> {
    let forced = args.output_format.map(OutputFormat::from).map(choose);
    match args.output.as_deref() {
        Some(path) if path.as_os_str() != "-" => {
            let format = match forced {
                Some(format) => format,
                None => OutputFormat::for_path(path)
                    .map(choose)
                    .map_err(|e| Failure::Usage(e.to_string()))?,
            };
            let file = AtomicFile::create(path)
                .map_err(|e| Failure::Run(format!("cannot create {}: {e}", path.display())))?;
            Ok(OutputTarget::File {
                path: path.to_path_buf(),
                file,
                format,
            })
        }
        Some(_) => stdout_target(forced.unwrap_or(csv)),
        None if forced.is_none() && std::io::stdout().is_terminal() => Ok(OutputTarget::Summary),
        None => stdout_target(forced.unwrap_or(csv)),
    }
}

/// What `analyze` and `merge` settle before minutes of reading: where the
/// report and the partial go, and the evidence.
struct Prepared {
    target: OutputTarget,
    partial_file: Option<AtomicFile>,
    evidence: Evidence,
    /// `--instances`: the RDS inventory joined to the rows.
    inventory: Option<crate::inventory::Inventory>,
    /// A tree given to --scan could not be read (the run fails at the end).
    scan_failed: bool,
}

fn prepare(
    command: &str,
    judging: &JudgeArgs,
    partial: Option<&std::path::Path>,
    families: &Families,
    csv: OutputFormat,
    choose: &impl Fn(OutputFormat) -> OutputFormat,
) -> Result<Prepared, ExitCode> {
    if partial.is_some() && (judging.redact || judging.redact_key.is_some()) {
        // Merge ties client settings by name: a partial keeps the names,
        // and --redact is given to merge, whose report leaves the team.
        return Err(usage_error_of(
            command,
            "--redact applies to reports, not to --partial: a partial keeps the names merge needs to tie settings; give --redact to merge",
        ));
    }
    let (target, partial_file) = output_target(judging, csv, choose)
        .and_then(|target| Ok((target, partial_target(partial)?)))
        .map_err(|failure| match failure {
            Failure::Usage(message) => usage_error_of(command, &message),
            Failure::Run(message) => {
                eprintln!("sslcensus: error: {message}");
                ExitCode::from(1)
            }
        })?;
    let (evidence, scan_failed) = load_evidence(judging, families).map_err(|e| {
        eprintln!("sslcensus: error: {e:#}");
        ExitCode::from(1)
    })?;
    let inventory = (!judging.instances.is_empty())
        .then(|| crate::inventory::Inventory::read_files(&judging.instances))
        .transpose()
        .map_err(|e| {
            eprintln!("sslcensus: error: {e:#}");
            ExitCode::from(1)
        })?;
    Ok(Prepared {
        target,
        partial_file,
        evidence,
        inventory,
        scan_failed,
    })
}

/// The partial's file (`--partial`), staged before reading starts.
fn partial_target(path: Option<&std::path::Path>) -> Result<Option<AtomicFile>, Failure> {
    let Some(path) = path else { return Ok(None) };
    if OutputFormat::for_path(path).ok() != Some(OutputFormat::Parquet) {
        return Err(Failure::Usage(format!(
            "--partial {}: a partial is Parquet; name it .parquet",
            path.display()
        )));
    }
    AtomicFile::create(path)
        .map(Some)
        .map_err(|e| Failure::Run(format!("cannot create {}: {e}", path.display())))
}

/// Writes a partial; false (said) when it could not be.
fn write_partial(partial: &Partial, path: &std::path::Path, file: AtomicFile, quiet: bool) -> bool {
    match file.fill(|out| crate::partial::write(partial, out)) {
        Ok(()) => {
            if !quiet {
                eprintln!(
                    "sslcensus: wrote the partial of {} clients to {}",
                    partial.census.clients.len(),
                    path.display()
                );
            }
            true
        }
        Err(e) => {
            eprintln!("sslcensus: error: writing {}: {e:#}", path.display());
            false
        }
    }
}

fn run_merge(
    args: MergeArgs,
    csv: OutputFormat,
    choose: impl Fn(OutputFormat) -> OutputFormat,
) -> ExitCode {
    let Prepared {
        target,
        partial_file,
        evidence,
        inventory,
        scan_failed,
    } = match prepare(
        "merge",
        &args.judging,
        args.partial.as_deref(),
        &args.judging.families(),
        csv,
        &choose,
    ) {
        Ok(prepared) => prepared,
        Err(code) => return code,
    };
    let (merged, errors) = crate::partial::read_all(&args.partials);
    if !errors.is_empty() {
        // A shard missing is a fleet judged in part: nothing is written.
        for e in &errors {
            eprintln!("sslcensus: error: {}", printable(&format!("{e:#}")));
        }
        eprintln!(
            "sslcensus: error: {} of {} partials could not be merged; nothing written",
            errors.len(),
            args.partials.len()
        );
        return ExitCode::from(1);
    }
    let quiet = args.judging.quiet;
    if !quiet {
        let mut by_instance: std::collections::BTreeMap<&str, (Coverage, u64, Option<Engine>)> =
            Default::default();
        for ((instance, engine), c) in &merged.coverage {
            let entry = by_instance.entry(instance).or_default();
            entry.0.merge(c.coverage);
            entry.1 += c.files;
            entry.2 = entry.2.or(*engine);
        }
        report_coverage(by_instance);
        eprintln!(
            "sslcensus: merged {} partials of {} runs: {} clients, {} client addresses; {} disconnections of sessions that began before the logs",
            args.partials.len(),
            merged.runs.len(),
            merged.census.clients.len(),
            merged.census.addresses.len(),
            merged.census.unmatched.disconnections
        );
    }
    // Shards of one fleet share a window: the report says it. Runs of other
    // windows may be merged (a month from four weekly runs), but then the
    // report cannot name one.
    let window = merged.common_window().unwrap_or_else(|| {
        eprintln!(
            "sslcensus: note: the runs merged had different --since/--until windows: the report names none"
        );
        Window::default()
    });
    let incomplete = merged.incomplete_runs();
    if incomplete > 0 {
        eprintln!(
            "sslcensus: error: {incomplete} of the {} runs merged were incomplete (an input could not be read: see their own messages); the report covers the rest",
            merged.runs.len()
        );
    }
    let nothing_usable = !merged.held_records();
    if nothing_usable {
        eprintln!("sslcensus: error: no connection record in any run merged: nothing to judge");
    }
    let mut partial_failed = false;
    if let (Some(path), Some(file)) = (&args.partial, partial_file) {
        partial_failed = !write_partial(&merged, path, file, quiet);
    }
    judge_and_report(
        merged.census,
        &args.judging,
        Grounds {
            evidence: &evidence,
            inventory: inventory.as_ref(),
            facts: report::RunFacts {
                window,
                ..report::RunFacts::default()
            },
        },
        target,
        nothing_usable || incomplete > 0 || scan_failed || partial_failed,
        || true,
    )
}

fn stdout_target(format: OutputFormat) -> Result<OutputTarget, Failure> {
    if format == OutputFormat::Parquet && std::io::stdout().is_terminal() {
        return Err(Failure::Usage(
            "Parquet is binary: redirect stdout to a file or a pipe".into(),
        ));
    }
    Ok(OutputTarget::Stdout(format))
}

/// Prints to stdout, reporting a closed pipe as an error rather than
/// panicking as `print!` does.
fn print_out(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Whether what was written reached the output, or the reader (head, less)
/// closed the pipe, having what it wanted; any other failure is said.
fn output_written(written: anyhow::Result<()>) -> bool {
    match written {
        Err(e) if !is_broken_pipe(&e) => {
            eprintln!("sslcensus: error: {e:#}");
            false
        }
        _ => true,
    }
}

/// Whether writing failed because the reader closed the pipe.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause.downcast_ref::<PolarsError>().is_some_and(|p| {
                matches!(p, PolarsError::IO { error, .. } if error.kind() == std::io::ErrorKind::BrokenPipe)
            })
    })
}

/// Reads --configs, --scan, --endpoint-map, --app-map and --evidence. A file the scan
/// could not read is reported (and fails the run at the end); a bad
/// evidence file stops it here.
fn load_evidence(args: &JudgeArgs, families: &Families) -> anyhow::Result<(Evidence, bool)> {
    let mut settings = Vec::new();
    for path in &args.configs {
        settings.extend(fold::read_settings(path)?);
    }
    let mut scan_failed = false;
    if !args.scan.is_empty() {
        let (found, summary) = walk::scan(&args.scan);
        report_scan(&summary, args.quiet);
        scan_failed = !summary.errors.is_empty();
        settings.extend(found.iter().map(ClientSetting::from));
    }
    let map = match &args.endpoint_map {
        Some(path) => EndpointMap::read(path)?,
        None => EndpointMap::default(),
    };
    let apps = match &args.app_map {
        Some(path) => AppMap::read(path)?,
        None => AppMap::default(),
    };
    let overrides = match &args.evidence {
        Some(path) => fold::read_overrides(path)?,
        None => Vec::new(),
    };
    let evidence = Evidence::new(settings, &map, &apps, overrides, families);
    if evidence.untied_settings > 0 && !args.quiet {
        eprintln!(
            "sslcensus: note: {} client settings name a host that is no RDS endpoint; tie them to instances with --endpoint-map",
            evidence.untied_settings
        );
    }
    Ok((evidence, scan_failed))
}

fn report_scan(summary: &walk::ScanSummary, quiet: bool) {
    for (path, why) in &summary.errors {
        eprintln!(
            "sslcensus: error: {}: {why}",
            printable(&path.display().to_string())
        );
    }
    if !quiet {
        eprintln!(
            "sslcensus: scanned {} files; passed over {} binary and {} files over 1 MiB",
            summary.files_read, summary.binary_files, summary.large_files
        );
    }
}

fn run_scan_config(
    args: ScanConfigArgs,
    csv: OutputFormat,
    choose: impl Fn(OutputFormat) -> OutputFormat,
) -> ExitCode {
    let format = match args.output.as_deref() {
        Some(path) if path.as_os_str() != "-" => match OutputFormat::for_path(path) {
            Ok(format) => Some(choose(format)),
            Err(e) => return usage_error(&e.to_string()),
        },
        _ => None,
    };
    let (found, summary) = walk::scan(&args.paths);
    report_scan(&summary, args.quiet);
    let written = match (&args.output, format) {
        (Some(path), Some(format)) => AtomicFile::create(path)
            .map_err(anyhow::Error::from)
            .and_then(|f| f.fill(|out| report::write_settings(&found, format, out)))
            .map(|()| {
                if !args.quiet {
                    eprintln!(
                        "sslcensus: wrote {} settings to {}",
                        found.len(),
                        path.display()
                    );
                }
            }),
        _ => report::write_settings(&found, csv, std::io::stdout().lock()),
    };
    if let Err(e) = written {
        eprintln!("sslcensus: error: {e:#}");
        return ExitCode::from(1);
    }
    if summary.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn run_truststore(args: TruststoreArgs, choose: impl Fn(OutputFormat) -> OutputFormat) -> ExitCode {
    let format = match args
        .output
        .as_deref()
        .map(|path| OutputFormat::for_path(path).map(&choose))
        .transpose()
    {
        Ok(format) => format,
        Err(e) => return usage_error(&e.to_string()),
    };
    let mut required = args.require.clone();
    let mut seen = std::collections::HashSet::new();
    required.retain(|ca| seen.insert(*ca));
    let (stores, errors) = truststore::read_all(&args.paths, args.storepass.as_deref());
    for e in &errors {
        eprintln!("sslcensus: error: {e}");
    }
    let now = chrono::Utc::now().timestamp();
    // Stores that fall short of --require.
    let mut short = Vec::new();
    for store in &stores {
        println!(
            "{} ({}, {} certificates)",
            printable(&store.path.display().to_string()),
            store.format.as_str(),
            store.certificates.len()
        );
        for coverage in truststore::rds_coverage(store, now) {
            let state = match (coverage.present, coverage.expired, coverage.expires) {
                (false, _, _) => "absent".to_string(),
                (true, true, Some(t)) => format!("present, expired {}", verdict::rfc3339(t * 1000)),
                (true, false, Some(t)) => {
                    format!("present, valid until {}", verdict::rfc3339(t * 1000))
                }
                (true, _, None) => "present".to_string(),
            };
            let regions = if coverage.regions.is_empty() {
                String::new()
            } else {
                format!(" ({})", coverage.regions.join(", "))
            };
            println!("  {:<18} {state}{regions}", coverage.ca.id());
        }
        for cert in &store.certificates {
            if let Some(warning) = cert.rds.as_ref().and_then(|m| m.warning()) {
                println!("  warning: {}: {warning}", printable(&cert.subject));
            }
        }
        if !required.is_empty() {
            let checks = truststore::check_required(store, &required, &args.region, now);
            let met = checks.iter().all(|c| c.outcome.is_ok());
            let details: Vec<String> = checks.iter().map(|c| c.describe()).collect();
            println!(
                "  required: {}: {}",
                if met { "yes" } else { "no" },
                details.join("; ")
            );
            if !met {
                short.push(store.path.display().to_string());
            }
        }
        if args.list {
            for cert in &store.certificates {
                let rds = cert.rds.as_ref().map_or(String::new(), |m| {
                    format!(" [{} {}]", m.name(), m.standing.as_str())
                });
                println!(
                    "    {} (until {}, {}){rds}",
                    printable(&cert.subject),
                    verdict::rfc3339(cert.not_after * 1000),
                    cert.key
                );
            }
        }
    }
    if !required.is_empty() {
        let ids: Vec<&str> = required.iter().map(|ca| ca.id()).collect();
        let scope = if args.region.is_empty() {
            String::new()
        } else {
            format!(" for {}", args.region.join(", "))
        };
        let answer = match (stores.len(), short.len()) {
            (0, _) => "no trust store found".to_string(),
            (1, 0) => "yes, the store holds them".to_string(),
            (n, 0) => format!("yes, all {n} stores hold them"),
            (1, _) => "no, the store falls short".to_string(),
            (n, k) => format!("no, {k} of {n} stores fall short: {}", short.join(", ")),
        };
        println!("required {}{scope}, valid now: {answer}", ids.join(", "));
        if stores.is_empty() && errors.is_empty() {
            eprintln!(
                "sslcensus: error: no trust store found in {}: nothing to check --require against",
                args.paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    if let (Some(path), Some(format)) = (&args.output, format) {
        let written = AtomicFile::create(path)
            .map_err(anyhow::Error::from)
            .and_then(|f| f.fill(|out| report::write_certificates(&stores, format, out)));
        if let Err(e) = written {
            eprintln!("sslcensus: error: {}: {e:#}", path.display());
            return ExitCode::from(1);
        }
    }
    if !errors.is_empty() || !required.is_empty() && stores.is_empty() {
        ExitCode::from(1)
    } else if !short.is_empty() {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}

/// How many lines of one kind stderr names before it only counts them.
const NAMED_ON_STDERR: u64 = 20;

/// Lines of one kind said so far.
#[derive(Default)]
struct Said {
    named: u64,
    more: u64,
}

impl Said {
    /// Whether this one is still named (else it is counted).
    fn name(&mut self) -> bool {
        if self.named < NAMED_ON_STDERR {
            self.named += 1;
            true
        } else {
            self.more += 1;
            false
        }
    }

    fn rest(&self, what: &str) {
        if self.more > 0 {
            eprintln!("sslcensus: … and {} {what}", self.more);
        }
    }
}

#[derive(Default)]
struct SaidCounts {
    errors: Said,
    notes: Said,
    warnings: Said,
}

/// Says on stderr what happened to each input: errors always, warnings
/// and notes unless quiet. Line contents are never printed (they may hold
/// secrets); files and line numbers are.
fn report_inputs(
    analysis: &Analysis,
    inputs: &[String],
    quiet: bool,
    window: crate::correlate::Window,
) {
    for p in &analysis.problems {
        let what = match p.problem {
            Problem::Malformed(why) => format!("skipped: {}", why.0),
            Problem::InvalidUtf8 => "not valid UTF-8; read with replacement characters".to_string(),
        };
        eprintln!("sslcensus: {}:{}: {what}", printable(&p.file), p.line);
    }
    let held = analysis.held_records();
    let totals = analysis.totals();
    // A folder of 100,000 files must not print 100,000 lines: the first
    // few of each kind are named, the rest counted.
    let mut said = SaidCounts::default();
    for f in &analysis.files {
        let shown = (f.skipped_lines + f.invalid_utf8_lines).min(10);
        if f.skipped_lines + f.invalid_utf8_lines > shown {
            eprintln!(
                "sslcensus: {}: {} more problem lines not shown",
                printable(&f.display),
                f.skipped_lines + f.invalid_utf8_lines - shown
            );
        }
        match &f.status {
            // The guards count what they do not name.
            FileStatus::Failed(why) if said.errors.name() => {
                eprintln!("sslcensus: error: {}: {why}", printable(&f.display))
            }
            FileStatus::NotALog(why) if !quiet && said.notes.name() => {
                eprintln!(
                    "sslcensus: note: {}: not read: {why}",
                    printable(&f.display)
                )
            }
            FileStatus::Empty if !quiet && said.notes.name() => {
                eprintln!("sslcensus: note: {}: empty", printable(&f.display))
            }
            FileStatus::SameAs(other) if !quiet && said.notes.name() => {
                eprintln!(
                    "sslcensus: note: {}: not read: the same records as {}, which was read",
                    printable(&f.display),
                    printable(other)
                )
            }
            _ => {}
        }
        if let (Some(caveat), false) = (&f.caveat, quiet)
            && said.notes.name()
        {
            eprintln!("sslcensus: note: {}: {caveat}", printable(&f.display));
        }
        // A log read to its end without one connection record: a wrong
        // format or prefix, or connection logging off while it was written.
        if f.status == FileStatus::Read
            && f.lines > 0
            && f.coverage.records == 0
            && said.warnings.name()
        {
            eprintln!(
                "sslcensus: warning: {}: {} lines read as {}, not one connection record in them{}",
                printable(&f.display),
                f.lines,
                f.format.as_deref().unwrap_or("a log"),
                logging_hint(f.engine)
            );
        }
    }
    said.errors
        .rest("more files could not be read (each counts in the exit code)");
    if !quiet {
        said.notes
            .rest("more notes on files passed over or read with a caveat");
    }
    said.warnings.rest("more logs without a connection record");
    for input in inputs {
        let under: Vec<_> = analysis
            .files
            .iter()
            .filter(|f| std::path::Path::new(&f.display).starts_with(input))
            .collect();
        // A log that failed part-way (a cut-short gzip) is a log all the same.
        let is_log = |f: &&crate::analyze::FileSummary| {
            f.status == FileStatus::Read
                || (matches!(f.status, FileStatus::Failed(_)) && f.lines > 0)
        };
        if std::path::Path::new(input).is_dir() && !under.is_empty() && !under.iter().any(is_log) {
            eprintln!(
                "sslcensus: warning: {input}: no log in it ({} files passed over); an application tree goes to --scan",
                under.len()
            );
        }
    }
    let outside: u64 = analysis
        .files
        .iter()
        .map(|f| f.coverage.outside_window)
        .sum();
    let window_text = || {
        let end = |t: Option<i64>| t.map_or("(open)".to_string(), verdict::rfc3339);
        format!("{} .. {}", end(window.since), end(window.until))
    };
    if !held && outside > 0 {
        eprintln!(
            "sslcensus: error: all {outside} connection records read are outside the window {}: nothing to judge",
            window_text()
        );
    } else if !held {
        eprintln!(
            "sslcensus: error: no connection record in any input ({} of {} files read, {} lines): nothing to judge. Check --format and --log-line-prefix, and that the server logged connections{}",
            totals.read,
            totals.files,
            totals.lines,
            logging_hint(None)
        );
    }
    if window.is_set() {
        // Said even with -q: the report covers this window only.
        eprintln!(
            "sslcensus: window {}: {outside} connection records outside it passed over",
            window_text()
        );
    }
    if quiet {
        return;
    }
    report_coverage(analysis.coverage_by_instance().into_iter().map(
        |(instance, (coverage, files))| {
            let engine = analysis
                .files
                .iter()
                .find(|f| f.instance == instance)
                .and_then(|f| f.engine);
            (instance, (coverage, files as u64, engine))
        },
    ));
    eprintln!(
        "sslcensus: read {totals}; {} disconnections of sessions that began before the logs",
        analysis.census.unmatched.disconnections
    );
}

/// Per instance (its files' coverage together, how many files, the engine
/// their format names): when its connection records were written, and a
/// warning where no login was logged.
fn report_coverage<'a>(
    by_instance: impl IntoIterator<Item = (&'a str, (Coverage, u64, Option<Engine>))>,
) {
    let mut instances = Said::default();
    let mut logins_not_named = 0;
    for (instance, (coverage, files, engine)) in by_instance {
        if coverage.records == 0 {
            continue;
        }
        if coverage.backwards > 0 {
            // A merge of partials keeps the count, not where the first was.
            let first = coverage
                .first_backwards
                .map_or(String::new(), |(to, from)| {
                    format!(
                        " (first to {} after {})",
                        verdict::rfc3339(to),
                        verdict::rfc3339(from)
                    )
                });
            eprintln!(
                "sslcensus: note: {}: the time steps back by more than 2 s {} times{first}: a clock stepped back, or files of one instance out of order; sessions are still tied by pid, but the 1 s sslmode=prefer timing may miss pairs there",
                printable(instance),
                coverage.backwards,
            );
        }
        if !instances.name() {
            logins_not_named += coverage.logins;
            continue;
        }
        let span = match (coverage.span.first, coverage.span.last) {
            (Some(first), Some(last)) => {
                format!("{} .. {}", verdict::rfc3339(first), verdict::rfc3339(last))
            }
            _ => "times unknown".to_string(),
        };
        eprintln!(
            "sslcensus: {}: connection records {span}, {} logins, {} records in {files} files",
            printable(instance),
            coverage.logins,
            coverage.records
        );
        if coverage.logins == 0 {
            eprintln!(
                "sslcensus: warning: {}: no login was logged (only failures or disconnections): connection logging looks off, so clients that connected are missing{}",
                printable(instance),
                logging_hint(engine)
            );
        }
    }
    if instances.more > 0 {
        eprintln!(
            "sslcensus: … and {} more instances with connection records ({logins_not_named} logins)",
            instances.more
        );
    }
}

/// The server setting that makes logins appear in its logs.
fn logging_hint(engine: Option<Engine>) -> &'static str {
    match engine {
        Some(Engine::Postgres) => " (PostgreSQL: log_connections = on, log_disconnections = on)",
        Some(Engine::Mysql | Engine::Mariadb) => {
            " (MySQL/MariaDB: general_log = 1, or the audit plugin with CONNECT events)"
        }
        Some(Engine::Oracle) => " (Oracle: the listener log, LOGGING_LISTENER = ON)",
        _ => {
            " (PostgreSQL log_connections; MySQL/MariaDB general_log or audit CONNECT events; the Oracle listener log)"
        }
    }
}
