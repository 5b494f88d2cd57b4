//! The live source: FilterLogEvents over RDS log groups, every page, several
//! groups at once, through the AWS SDK with the default credential chain and
//! adaptive retries.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::config::{ProvideCredentials, Region};
use aws_sdk_cloudwatchlogs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use super::names;
use super::spool::{Event, Spool};
use crate::progress::FetchProgress;
use crate::source::{InputError, InputFile};
use crate::state::{self, GroupPositions};

/// What to read and how to reach it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub groups: Vec<String>,
    pub prefixes: Vec<String>,
    /// Milliseconds since the epoch, inclusive.
    pub since: Option<i64>,
    /// Milliseconds since the epoch, exclusive.
    pub until: Option<i64>,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// Aggregate PostgreSQL groups inside Logs Insights ([`super::insights`]).
    pub insights: bool,
    /// `--state`: how far each group's streams were read. A group with
    /// positions is asked from the earliest of them
    /// ([`GroupPositions::start`]), and each stream's events are skipped up
    /// to its own; `since` applies to streams with none.
    pub positions: BTreeMap<String, GroupPositions>,
}

/// What the source gave.
#[derive(Default)]
pub struct Fetched {
    pub files: Vec<InputFile>,
    pub errors: Vec<InputError>,
    pub notes: Vec<String>,
    /// Logs Insights result rows (`--insights`), for [`super::insights::fold`].
    pub insights_rows: Vec<super::insights::Row>,
    /// Ctrl-C during pushdown: its queries were stopped.
    pub interrupted: bool,
    /// The position of every stream of the groups read (read now or
    /// before), for `--state`.
    pub positions: BTreeMap<String, GroupPositions>,
    /// Events read, and events skipped as read by an earlier run.
    pub events: u64,
    pub already_read: u64,
}

/// Groups read at once. FilterLogEvents has a per-account, per-region rate
/// quota (5 to 25 requests a second depending on the region); a few requests
/// in flight stay within it, and the adaptive retry mode slows the client
/// down when the service throttles anyway.
const GROUPS_AT_ONCE: usize = 4;
/// Attempts per request (throttling and transient errors are retried with
/// exponential backoff and jitter; the SDK's default is 3).
const ATTEMPTS: u32 = 8;

/// Reads the requested groups into `spool`.
pub fn fetch(request: &Request, spool: &mut Spool, progress: &Arc<FetchProgress>) -> Fetched {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return failed(ConnectError::Runtime(e)),
    };
    let (groups, mut fetched) = match runtime.block_on(connect_and_list(request)) {
        Ok(listed) => listed,
        Err(error) => return failed(error),
    };
    let mut names = groups.names;
    if request.insights {
        let (pushed, rest): (Vec<String>, Vec<String>) =
            names.into_iter().partition(|g| super::insights::reads(g));
        names = rest;
        if !names.is_empty() {
            fetched.notes.push(format!(
                "--insights reads PostgreSQL groups; {} others are read with FilterLogEvents",
                names.len()
            ));
        }
        let now = chrono::Utc::now().timestamp_millis();
        let window = super::insights::Window::of(request.since, request.until, now);
        let out = runtime.block_on(super::insights::push_down(
            &groups.client,
            &pushed,
            window,
            progress,
        ));
        fetched.notes.extend(out.notes);
        fetched
            .errors
            .extend(out.errors.into_iter().map(|(input, error)| InputError {
                input,
                message: error.to_string(),
            }));
        fetched.insights_rows = out.rows;
        if out.interrupted {
            fetched.interrupted = true;
            return fetched;
        }
    }
    let read = runtime.block_on(read_groups(groups.client, names, request, progress));
    for (group, outcome) in read {
        match outcome {
            Ok(GroupEvents {
                streams,
                pages,
                positions,
                already_read,
            }) => {
                let events: usize = streams.values().map(Vec::len).sum();
                let skipped = if already_read > 0 {
                    format!(" ({already_read} read by an earlier run skipped)")
                } else {
                    String::new()
                };
                fetched.notes.push(format!(
                    "cloudwatch:{group}: {events} events in {} streams, {pages} FilterLogEvents calls{skipped}",
                    streams.len()
                ));
                fetched.events += events as u64;
                fetched.already_read += already_read;
                fetched.positions.insert(group.clone(), positions);
                for (stream, events) in streams {
                    let display = state::display(&group, &stream);
                    let instance = names::instance(&group, &stream);
                    match spool.add_stream(display.clone(), instance, events) {
                        Ok((input, untimed)) => {
                            if untimed > 0 {
                                fetched.notes.push(format!(
                                    "{display}: {untimed} events with a time outside the calendar were left out"
                                ));
                            }
                            fetched.files.push(input);
                        }
                        Err(e) => fetched.errors.push(InputError {
                            input: display,
                            message: format!("cannot write a temporary file: {e}"),
                        }),
                    }
                }
            }
            Err(error) => fetched.errors.push(InputError {
                input: format!("cloudwatch:{group}"),
                message: error.to_string(),
            }),
        }
    }
    fetched
}

fn failed(error: ConnectError) -> Fetched {
    Fetched {
        errors: vec![InputError {
            input: "cloudwatch".into(),
            message: error.to_string(),
        }],
        ..Fetched::default()
    }
}

struct Groups {
    client: Client,
    names: Vec<String>,
}

/// Loads the configuration, checks that there are credentials, and lists
/// the groups under the prefixes.
async fn connect_and_list(request: &Request) -> Result<(Groups, Fetched), ConnectError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::adaptive().with_max_attempts(ATTEMPTS));
    if let Some(profile) = &request.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &request.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &request.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Err(ConnectError::NoRegion);
    }
    let Some(credentials) = config.credentials_provider() else {
        return Err(ConnectError::NoCredentials);
    };
    // Asked once up front, so that a missing login is one clear message and
    // not one error per group. The SDK's message names the providers it
    // tried; it never holds a key or token.
    if let Err(e) = credentials.provide_credentials().await {
        return Err(ConnectError::CredentialsNotFound(Box::new(e)));
    }
    let client = Client::new(&config);
    let mut fetched = Fetched::default();
    let mut names: BTreeSet<String> = request.groups.iter().cloned().collect();
    for prefix in &request.prefixes {
        let mut token: Option<String> = None;
        let mut found = 0;
        loop {
            let page = client
                .describe_log_groups()
                .log_group_name_prefix(prefix)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| ConnectError::ListGroups {
                    prefix: prefix.clone(),
                    error: explain(&e, "logs:DescribeLogGroups"),
                })?;
            for group in page.log_groups() {
                let Some(name) = group.log_group_name() else {
                    continue;
                };
                found += 1;
                match names::group(name).kind {
                    Some(kind) if !kind.is_read() => fetched.notes.push(format!(
                        "cloudwatch:{name}: passed over: a {} `{}` log holds no connection records sslcensus reads",
                        kind.engine, kind.name
                    )),
                    _ => {
                        names.insert(name.to_string());
                    }
                }
            }
            match page.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_string()),
                _ => break,
            }
        }
        if found == 0 {
            fetched
                .notes
                .push(format!("cloudwatch: no log group starts with {prefix}"));
        }
    }
    Ok((
        Groups {
            client,
            names: names.into_iter().collect(),
        },
        fetched,
    ))
}

/// Why no group could be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot start the network runtime: {0}")]
    Runtime(std::io::Error),
    #[error("no AWS region: give --region, or set AWS_REGION or the profile's region")]
    NoRegion,
    /// No provider in the chain at all.
    #[error("{NO_CREDENTIALS}")]
    NoCredentials,
    /// The chain found none; the SDK's words name the providers it tried
    /// (never a key or token).
    #[error("{NO_CREDENTIALS} ({0})")]
    CredentialsNotFound(Box<dyn std::error::Error + Send + Sync>),
    #[error("cannot list the log groups under {prefix}: {error}")]
    ListGroups { prefix: String, error: ServiceError },
}

const NO_CREDENTIALS: &str = "no AWS credentials found: sslcensus looks where the AWS CLI does — AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the shared config and credentials files (--profile or AWS_PROFILE: keys, roles, credential_process, IAM Identity Center after `aws sso login`), web identity (AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN), the ECS container role and the EC2 instance role";

type Streams = BTreeMap<String, Vec<Event>>;

/// One group's events by stream, the pages it took, and its streams'
/// positions after them.
struct GroupEvents {
    streams: Streams,
    pages: u64,
    positions: GroupPositions,
    already_read: u64,
}

/// Reads every group, a few at a time; results in group-name order.
async fn read_groups(
    client: Client,
    groups: Vec<String>,
    request: &Request,
    progress: &Arc<FetchProgress>,
) -> Vec<(String, Result<GroupEvents, ServiceError>)> {
    let mut pending = groups.into_iter();
    let mut running = tokio::task::JoinSet::new();
    let mut done = Vec::new();
    loop {
        while running.len() < GROUPS_AT_ONCE {
            let Some(group) = pending.next() else {
                break;
            };
            let (client, progress) = (client.clone(), progress.clone());
            let (since, until) = (request.since, request.until);
            let positions = request.positions.get(&group).cloned();
            running.spawn(async move {
                let outcome = read_group(&client, &group, since, until, positions, &progress).await;
                (group, outcome)
            });
        }
        match running.join_next().await {
            Some(Ok(result)) => done.push(result),
            // A task that panicked: its group is lost, named by the panic hook.
            Some(Err(_)) => {}
            None => break,
        }
    }
    done.sort_by(|a, b| a.0.cmp(&b.0));
    done
}

async fn read_group(
    client: &Client,
    group: &str,
    since: Option<i64>,
    until: Option<i64>,
    positions: Option<GroupPositions>,
    progress: &FetchProgress,
) -> Result<GroupEvents, ServiceError> {
    let mut bar = progress.group(group);
    let pattern = names::group(group).kind.and_then(|k| k.filter_pattern());
    let mut streams = Streams::new();
    let mut pages = 0;
    let mut token: Option<String> = None;
    // With positions (--state): from the earliest stream's last time, that
    // time included (events of that millisecond not read yet are read).
    let positions = positions.unwrap_or_default();
    let start = positions.start(since);
    let mut read: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    let mut already_read = 0;
    loop {
        pages += 1;
        let page = client
            .filter_log_events()
            .log_group_name(group)
            .set_filter_pattern(pattern.clone())
            .set_start_time(start)
            // FilterLogEvents' end time is inclusive.
            .set_end_time(until.map(|t| t - 1))
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| explain(&e, "logs:FilterLogEvents"))?;
        let mut bytes = 0;
        for event in page.events() {
            let (Some(timestamp), Some(message)) = (event.timestamp(), event.message()) else {
                continue;
            };
            let stream = event.log_stream_name().unwrap_or_default();
            let id = event.event_id().unwrap_or_default();
            match positions.streams.get(stream) {
                Some(position) if position.has_read(timestamp, id) => {
                    already_read += 1;
                    continue;
                }
                // A stream new since the last run starts at --since.
                None if since.is_some_and(|since| timestamp < since) => continue,
                _ => {}
            }
            bytes += message.len() as u64;
            streams.entry(stream.to_string()).or_default().push(Event {
                timestamp,
                message: message.to_string(),
            });
            read.entry(stream.to_string())
                .or_default()
                .push((timestamp, id.to_string()));
        }
        bar.page(page.events().len() as u64, bytes);
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_string()),
            _ => break,
        }
    }
    bar.finish();
    let mut next = positions;
    next.read_until = until;
    for (stream, events) in read {
        let position = next.streams.remove(&stream).unwrap_or_default();
        let position = position.after(events.iter().map(|(t, id)| (*t, id.as_str())));
        next.streams.insert(stream, position);
    }
    Ok(GroupEvents {
        streams,
        pages,
        positions: next,
        already_read,
    })
}

/// Says why a request failed, naming the permission when the answer is a
/// refusal. Never the service's own message, which may echo the request.
pub(super) fn explain<E>(e: &SdkError<E>, permission: &'static str) -> ServiceError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match e {
        SdkError::ServiceError(_) => match e.code() {
            Some("AccessDeniedException") => ServiceError::AccessDenied { permission },
            Some("ResourceNotFoundException") => ServiceError::NoSuchGroup,
            Some(
                code @ ("UnrecognizedClientException"
                | "InvalidSignatureException"
                | "ExpiredTokenException"
                | "IncompleteSignature"),
            ) => ServiceError::CredentialsRefused(code.to_string()),
            Some(code @ ("ThrottlingException" | "ServiceUnavailableException")) => {
                ServiceError::Throttled(code.to_string())
            }
            Some(code) => ServiceError::Answered(code.to_string()),
            None => ServiceError::AnsweredWithoutCode,
        },
        SdkError::DispatchFailure(_) => {
            ServiceError::Unreachable(DisplayErrorContext(e).to_string())
        }
        SdkError::TimeoutError(_) => ServiceError::TimedOut,
        SdkError::ResponseError(_) => ServiceError::Unreadable,
        _ => ServiceError::NotMade(DisplayErrorContext(e).to_string()),
    }
}

/// A request CloudWatch Logs did not answer with what was asked, in words
/// the user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    #[error("access denied: the credentials lack the IAM permission {permission} on this resource")]
    AccessDenied { permission: &'static str },
    #[error("no such log group in this account and region")]
    NoSuchGroup,
    /// The service's error code.
    #[error("the service refused the credentials ({0}): check or renew them")]
    CredentialsRefused(String),
    /// The service's error code.
    #[error("{0} still after {ATTEMPTS} attempts with backoff; try again later")]
    Throttled(String),
    /// Any other error code.
    #[error("the service answered {0}")]
    Answered(String),
    #[error("the service answered with an error")]
    AnsweredWithoutCode,
    /// The SDK's account of the failure, causes included.
    #[error("could not reach CloudWatch Logs: {0}")]
    Unreachable(String),
    #[error("the request timed out")]
    TimedOut,
    #[error("the service's answer could not be read")]
    Unreadable,
    /// The SDK's account of the failure, causes included.
    #[error("the request could not be made: {0}")]
    NotMade(String),
}
