//! Oracle listener logs: the text `listener.log` and the ADR `log.xml`, which
//! wraps the same records in `<msg …><txt>…</txt></msg>`.
//!
//! Only `establish` records are read: one per connection request, with the
//! CONNECT_DATA the client sent and the ADDRESS it came from. `PROTOCOL=tcps`
//! in that ADDRESS is the only TLS signal a listener gives.
//!
//! Connect data is nested `(KEY=VALUE)` groups whose values may hold
//! parentheses of their own (`(PROGRAM=sqlplus@host (TNS V1-V3))`), so it is
//! read with a small balanced-parenthesis grammar, not a regex.

use chrono::NaiveDate;
use memchr::memmem;
use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::{tag, take_till, take_till1},
    character::complete::{char, digit1, space0},
    combinator::{all_consuming, map},
    multi::many1,
    sequence::{preceded, terminated},
};

use crate::observation::{
    Authorized, LineOutcome, Malformed, Message, Millis, Observation, Remote, Transport,
};

/// Literals every line this parser reads contains: the event of the text
/// record, which log.xml carries on its `<txt>` line too; and log.xml's
/// `<txt>` tag, for a copy that wrapped a record may have cut the event in
/// two (the scan then reads the record at its last line).
pub const NEEDLES: &[&str] = &["establish", "<txt>"];

const EVENT: &str = "establish";

/// Deeper nesting than any connect data has; bounds the grammar's recursion
/// on garbage lines.
const MAX_DEPTH: usize = 16;

const MONTHS: [&[u8]; 12] = [
    b"JAN", b"FEB", b"MAR", b"APR", b"MAY", b"JUN", b"JUL", b"AUG", b"SEP", b"OCT", b"NOV", b"DEC",
];

/// Reads one line; an `establish` record becomes one observation.
///
/// Return code 0 is [`Message::Authorized`], anything else
/// [`Message::Refused`] with reason `TNS-<code>`. The user is CID `USER`:
/// the operating-system user of the client process as the client reports
/// it, not the database account (the listener never sees that). The
/// database is `SERVICE_NAME`, else `SID`, else the record's service field.
/// The remote is the ADDRESS the listener saw, not the client-reported CID
/// `HOST`; local `ipc`/`beq` connections have none.
pub fn observe(line: &str, emit: &mut dyn FnMut(Observation<'_>)) -> LineOutcome {
    let text = record_text(line);
    if !is_establish(text) {
        return None;
    }
    let unescaped;
    let text = if text.contains('&') {
        unescaped = unescape(text);
        unescaped.as_str()
    } else {
        text
    };
    let record = match establish(text) {
        Ok(record) => record,
        Err(why) => return Some(Err(why)),
    };
    let cid = list(&record.connect_data, "CID").unwrap_or_default();
    let user = text_of(cid, "USER");
    let database = text_of(&record.connect_data, "SERVICE_NAME")
        .or_else(|| text_of(&record.connect_data, "SID"))
        .or((!record.service.is_empty()).then_some(record.service));
    let address = record.address.as_deref().unwrap_or_default();
    let remote = text_of(address, "HOST").map(|host| Remote {
        host,
        port: text_of(address, "PORT").and_then(|port| port.parse().ok()),
    });
    let reason;
    let message = if record.code.bytes().all(|b| b == b'0') {
        Message::Authorized(Authorized {
            replication: false,
            user: user.unwrap_or_default(),
            database,
            application: text_of(cid, "PROGRAM"),
            transport: transport(text_of(address, "PROTOCOL")),
            gss: None,
            ambiguous_tls: false,
            application_with_clause: None,
        })
    } else {
        reason = format!("TNS-{}", record.code);
        Message::Refused {
            user,
            database,
            application: text_of(cid, "PROGRAM"),
            transport: transport(text_of(address, "PROTOCOL")),
            reason: &reason,
        }
    };
    emit(Observation {
        time: record.time,
        pid: None,
        remote,
        stored_application: None,
        message,
    });
    Some(Ok(()))
}

/// How many lines one wrapped log.xml `<txt>` record may span.
const WRAPPED_LINES: usize = 16;

/// [`observe`] for the scan, which also has the bytes before the line: a
/// log.xml `<txt>` record whose text a copy wrapped onto following lines
/// (`fold`, an editor, a ticket) is read whole at its last line, its
/// earlier parts put in front as they were (a wrap cuts anywhere, so
/// nothing is put between). A line that starts a record is read alone.
pub fn observe_after(
    line: &str,
    before: &[u8],
    emit: &mut dyn FnMut(Observation<'_>),
) -> LineOutcome {
    let text = record_text(line);
    if text.starts_with('(') || starts_with_time(text) {
        return observe(line, emit);
    }
    let Some(parts) = txt_parts_before(before) else {
        return observe(line, emit);
    };
    let mut joined = String::new();
    for part in parts.iter().rev() {
        joined.push_str(&String::from_utf8_lossy(part));
    }
    joined.push_str(line);
    let joined = joined.trim_start();
    let joined = joined.strip_prefix("<txt>").unwrap_or(joined);
    observe(joined, emit)
}

/// Whether the scan should read `line`'s record at a following line: it is
/// a log.xml `<txt>` record's text (its `<txt>` line, or one after it) not
/// closed on this line, and the next line goes on with text.
pub fn continues(line: &[u8], next: &[u8], before: &[u8]) -> bool {
    let line = line.trim_ascii();
    let next = next.trim_ascii();
    !line.ends_with(b"</txt>")
        && !next.is_empty()
        && !next.starts_with(b"<")
        && (line.starts_with(b"<txt>") || txt_parts_before(before).is_some())
}

/// The text lines since the last `<txt>` tag in `before`, newest first, the
/// tag's line included; `None` when `before` is not inside a `<txt>`
/// element within [`WRAPPED_LINES`] lines.
fn txt_parts_before(before: &[u8]) -> Option<Vec<&[u8]>> {
    let mut parts = Vec::new();
    let mut rest = before.strip_suffix(b"\n")?;
    for _ in 0..WRAPPED_LINES {
        let start = memchr::memrchr(b'\n', rest).map_or(0, |i| i + 1);
        let part = &rest[start..];
        let part = part.strip_suffix(b"\r").unwrap_or(part);
        let trimmed = part.trim_ascii();
        if trimmed.starts_with(b"<txt>") {
            parts.push(part);
            return Some(parts);
        }
        if trimmed.starts_with(b"<") || trimmed.ends_with(b"</txt>") || start == 0 {
            return None;
        }
        parts.push(part);
        rest = &rest[..start - 1];
        // A part that starts a record follows its `<txt>` tag at once; in a
        // text listener.log, the record before ends the look-back here.
        let starts =
            std::str::from_utf8(trimmed).is_ok_and(|t| t.starts_with('(') || starts_with_time(t));
        if starts {
            let tag = memchr::memrchr(b'\n', rest).map_or(rest, |i| &rest[i + 1..]);
            return tag.trim_ascii().starts_with(b"<txt>").then(|| {
                parts.push(tag);
                parts
            });
        }
    }
    None
}

/// Whether the head of a file is a listener log: text records, a log.xml of
/// the `tnslsnr` component, or the banner the listener writes at startup.
pub fn detect(lines: &[String]) -> bool {
    lines.iter().take(200).any(|line| {
        let text = record_text(line);
        line.contains("comp_id='tnslsnr'")
            || line.contains("comp_id=\"tnslsnr\"")
            || (text.starts_with("TNSLSNR for ") && text.contains(": Version "))
            || text.starts_with("System parameter file is ")
            || text.starts_with("Log messages written to ")
            || (starts_with_time(text)
                && (text.to_ascii_uppercase().contains("(CONNECT_DATA=")
                    || text.contains("* service_update *")))
    })
}

/// The listener's own text of a line: without log.xml's `<txt>` /
/// `</txt>`, which may share the record's line or sit on lines of their own.
/// (The ISO time CloudWatch Logs puts in front is [`crate::envelope`]'s.)
fn record_text(line: &str) -> &str {
    let line = line.trim();
    let line = line.strip_prefix("<txt>").unwrap_or(line);
    line.strip_suffix("</txt>").unwrap_or(line).trim()
}

/// Whether the event field is `establish` (`… * establish * …`), not a
/// program or service name that merely holds the word.
fn is_establish(text: &str) -> bool {
    let bytes = text.as_bytes();
    memmem::find_iter(bytes, EVENT).any(|at| {
        bytes[..at].trim_ascii_end().ends_with(b"*")
            && bytes[at + EVENT.len()..]
                .trim_ascii_start()
                .starts_with(b"*")
    })
}

/// log.xml escapes the five XML specials. The `<txt>` tag may sit on another
/// line, so a line cannot tell which form it came from; a text listener.log
/// does not hold these sequences in practice, so every record is unescaped.
/// One pass: `&amp;lt;` is `&lt;`, not `<`.
fn unescape(text: &str) -> String {
    /// What follows the `&` of each entity.
    const ENTITIES: [(&str, char); 5] = [
        ("apos;", '\''),
        ("quot;", '"'),
        ("lt;", '<'),
        ("gt;", '>'),
        ("amp;", '&'),
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((before, after)) = rest.split_once('&') {
        out.push_str(before);
        rest = match ENTITIES
            .iter()
            .find_map(|(name, special)| Some((after.strip_prefix(name)?, special)))
        {
            Some((after_entity, special)) => {
                out.push(*special);
                after_entity
            }
            None => {
                out.push('&');
                after
            }
        };
    }
    out.push_str(rest);
    out
}

/// The listener's `DD-MON-YYYY HH24:MI:SS` (English month abbreviations in
/// any case), read as UTC, the host time zone on Amazon RDS.
fn parse_time(text: &str) -> Option<Millis> {
    fn number(digits: &[u8]) -> Option<u32> {
        digits.iter().try_fold(0u32, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    }
    let b = text.as_bytes();
    if b.len() != 20 || b[2] != b'-' || b[6] != b'-' || b[11] != b' ' {
        return None;
    }
    if b[14] != b':' || b[17] != b':' {
        return None;
    }
    let month = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(&b[3..6]))?;
    NaiveDate::from_ymd_opt(
        number(&b[7..11])? as i32,
        month as u32 + 1,
        number(&b[0..2])?,
    )?
    .and_hms_opt(
        number(&b[12..14])?,
        number(&b[15..17])?,
        number(&b[18..20])?,
    )
    .map(|time| time.and_utc().timestamp_millis())
}

/// Whether a record starts with its time and the field separator.
fn starts_with_time(text: &str) -> bool {
    time_and_rest(text).is_some()
}

/// A record's leading time and what follows its separator.
fn time_and_rest(text: &str) -> Option<(Millis, &str)> {
    let time = parse_time(text.get(..20)?)?;
    let (rest, _) = separator(text.get(20..)?).ok()?;
    Some((time, rest))
}

/// ` * ` between fields (spacing is not confirmed, so any is taken).
fn separator(input: &str) -> IResult<&str, char> {
    preceded(space0, terminated(char('*'), space0)).parse(input)
}

/// One `(KEY=VALUE)` group; keys are case-insensitive.
struct Node<'a> {
    key: &'a str,
    value: Value<'a>,
}

enum Value<'a> {
    Text(&'a str),
    List(Vec<Node<'a>>),
}

/// `(KEY=(…)(…))` or `(KEY=text)`. A value that does not parse as groups is
/// text, kept whole up to its balanced closing parenthesis.
fn node(input: &str, depth: usize) -> IResult<&str, Node<'_>> {
    if depth > MAX_DEPTH {
        return Err(nom::Err::Error(nom::error::Error::new(
            input,
            nom::error::ErrorKind::TooLarge,
        )));
    }
    let (input, key) = preceded(
        char('('),
        terminated(take_till1(|c| matches!(c, '=' | '(' | ')')), char('=')),
    )
    .parse(input)?;
    let children = terminated(
        many1(preceded(space0, |i| node(i, depth + 1))),
        (space0, char(')')),
    );
    let text = terminated(balanced, char(')'));
    let (input, value) = alt((
        map(children, Value::List),
        map(text, |t: &str| Value::Text(t.trim())),
    ))
    .parse(input)?;
    Ok((
        input,
        Node {
            key: key.trim(),
            value,
        },
    ))
}

/// Text up to the `)` that closes its group, nested parentheses included.
fn balanced(input: &str) -> IResult<&str, &str> {
    let mut depth = 0usize;
    for (at, b) in input.bytes().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' if depth == 0 => {
                let (text, rest) = input.split_at(at); // `)` is ASCII: a boundary
                return Ok((rest, text));
            }
            b')' => depth -= 1,
            _ => {}
        }
    }
    Err(nom::Err::Error(nom::error::Error::new(
        input,
        nom::error::ErrorKind::TakeUntil,
    )))
}

fn find<'n, 'a>(nodes: &'n [Node<'a>], key: &str) -> Option<&'n Value<'a>> {
    nodes
        .iter()
        .find(|n| n.key.eq_ignore_ascii_case(key))
        .map(|n| &n.value)
}

fn list<'n, 'a>(nodes: &'n [Node<'a>], key: &str) -> Option<&'n [Node<'a>]> {
    match find(nodes, key)? {
        Value::List(children) => Some(children),
        Value::Text(_) => None,
    }
}

/// A text value; empty ones (`(PROGRAM=)`) count as absent.
fn text_of<'a>(nodes: &[Node<'a>], key: &str) -> Option<&'a str> {
    match find(nodes, key)? {
        Value::Text(text) if !text.is_empty() => Some(text),
        _ => None,
    }
}

fn transport(protocol: Option<&str>) -> Transport<'static> {
    match protocol {
        Some(p) if p.eq_ignore_ascii_case("tcps") => Transport::Tls(None),
        Some(p)
            if ["tcp", "ipc", "beq"]
                .iter()
                .any(|q| p.eq_ignore_ascii_case(q)) =>
        {
            Transport::Plain
        }
        _ => Transport::Unknown,
    }
}

/// The fields of an `establish` record.
struct Establish<'a> {
    time: Option<Millis>,
    connect_data: Vec<Node<'a>>,
    address: Option<Vec<Node<'a>>>,
    service: &'a str,
    code: &'a str,
}

/// `<time> * (CONNECT_DATA=…) * (ADDRESS=…) * establish * <service> * <code>`.
/// A log.xml `<txt>` without the time is read too (the `<msg>` line's time
/// is out of reach), and groups other than these two are skipped.
fn establish(text: &str) -> Result<Establish<'_>, Malformed> {
    let (time, mut rest) = if text.starts_with('(') {
        (None, text)
    } else if let Some((time, rest)) = time_and_rest(text) {
        (Some(time), rest)
    } else {
        return Err(Malformed(
            "listener establish record: expected a DD-MON-YYYY HH24:MI:SS time",
        ));
    };
    let (mut connect_data, mut address) = (Vec::new(), None);
    while rest.starts_with('(') {
        let (after, group) = node(rest, 0).map_err(|_| {
            Malformed("listener establish record: unbalanced parentheses in a (KEY=VALUE) group")
        })?;
        let (after, _) = separator(after)
            .map_err(|_| Malformed("listener establish record: expected ` * ` after a group"))?;
        rest = after;
        match group.value {
            Value::List(children) if group.key.eq_ignore_ascii_case("CONNECT_DATA") => {
                connect_data = children
            }
            Value::List(children) if group.key.eq_ignore_ascii_case("ADDRESS") => {
                address = Some(children)
            }
            _ => {}
        }
    }
    let tail = (
        tag(EVENT),
        separator,
        take_till(|c| c == '*'),
        separator,
        digit1,
        space0,
    );
    let (_, (_, _, service, _, code, _)) =
        all_consuming(tail)
            .parse(rest)
            .map_err(|_: nom::Err<nom::error::Error<&str>>| {
                Malformed(
                    "listener establish record: expected `establish * <service> * <return code>`",
                )
            })?;
    Ok(Establish {
        time,
        connect_data,
        address,
        service: service.trim_end(),
        code,
    })
}

// These lines are typed by hand from ../shared/spec/FORMATS.md section 4 (no
// Oracle server can run here): spacing and the log.xml wrapping are as the
// spec gives them, marked [unconfirmed] there.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::LogFormat;
    use crate::scan::{Sink, scan};

    const T0: Millis = 1_714_557_600_000; // 01-MAY-2024 10:00:00 UTC

    /// Runs `observe` on a line that must be a record and checks its one
    /// observation.
    fn with(line: &str, check: impl FnOnce(&Observation<'_>)) {
        let mut check = Some(check);
        let mut seen = 0;
        let outcome = observe(line, &mut |obs| {
            seen += 1;
            (check.take().expect("one observation"))(&obs)
        });
        assert_eq!(outcome, Some(Ok(())), "{line}");
        assert_eq!(seen, 1, "{line}");
    }

    fn at(host: &'static str, port: u16) -> Option<Remote<'static>> {
        Some(Remote {
            host,
            port: Some(port),
        })
    }

    #[test]
    fn establish_records_are_authorized_sessions() {
        use Transport::{Plain, Tls, Unknown};
        let table = [
            (
                "01-MAY-2024 10:00:00 * (CONNECT_DATA=(SERVICE_NAME=ORCL)(CID=(PROGRAM=JDBC Thin Client)(HOST=__jdbc__)(USER=app))) * (ADDRESS=(PROTOCOL=tcps)(HOST=10.0.1.5)(PORT=53122)) * establish * ORCL * 0",
                ("app", Some("ORCL"), Some("JDBC Thin Client"), Tls(None)),
                at("10.0.1.5", 53122),
                Some(T0),
            ),
            (
                "01-MAY-2024 10:00:01 * (CONNECT_DATA=(SID=ORCL)(CID=(PROGRAM=sqlplus)(HOST=apphost)(USER=oracle))) * (ADDRESS=(PROTOCOL=tcp)(HOST=10.0.1.6)(PORT=40022)) * establish * ORCL * 0",
                ("oracle", Some("ORCL"), Some("sqlplus"), Plain),
                at("10.0.1.6", 40022),
                Some(T0 + 1000),
            ),
            // SERVER, INSTANCE_NAME and CONNECTION_ID around the CID; upper
            // case TCP; a Windows path.
            (
                r"01-MAY-2024 10:00:02 * (CONNECT_DATA=(SERVER=dedicated)(SERVICE_NAME=sales.example.com)(INSTANCE_NAME=ORCL)(CID=(PROGRAM=C:\app\bin\app.exe)(HOST=WIN-APP01)(USER=svc_app))(CONNECTION_ID=K9tZ1kFQbV7gUwEAAAAAAA==)) * (ADDRESS=(PROTOCOL=TCP)(HOST=10.0.2.7)(PORT=51515)) * establish * sales.example.com * 0",
                (
                    "svc_app",
                    Some("sales.example.com"),
                    Some(r"C:\app\bin\app.exe"),
                    Plain,
                ),
                at("10.0.2.7", 51515),
                Some(T0 + 2000),
            ),
            // CID first, lower-case keys and month, upper-case TCPS.
            (
                "01-may-2024 10:00:03 * (connect_data=(cid=(program=/usr/bin/python3)(host=etl01)(user=etl))(service_name=ORCL)) * (address=(protocol=TCPS)(host=10.0.3.9)(port=40100)) * establish * ORCL * 0",
                ("etl", Some("ORCL"), Some("/usr/bin/python3"), Tls(None)),
                at("10.0.3.9", 40100),
                Some(T0 + 3000),
            ),
            // PROGRAM holding parentheses; an empty SERVICE_NAME falls back
            // to the SID.
            (
                "01-MAY-2024 10:00:04 * (CONNECT_DATA=(SERVICE_NAME=)(SID=ORCL)(CID=(PROGRAM=sqlplus@apphost (TNS V1-V3))(HOST=apphost)(USER=oracle))) * (ADDRESS=(PROTOCOL=tcps)(HOST=10.0.1.7)(PORT=40500)) * establish * ORCL * 0",
                (
                    "oracle",
                    Some("ORCL"),
                    Some("sqlplus@apphost (TNS V1-V3)"),
                    Tls(None),
                ),
                at("10.0.1.7", 40500),
                Some(T0 + 4000),
            ),
            // Neither SERVICE_NAME nor SID: the record's service field; no
            // client-reported program or user.
            (
                "01-MAY-2024 10:00:05 * (CONNECT_DATA=(SERVICE_NAME=)(CID=(PROGRAM=)(HOST=__jdbc__)(USER=))) * (ADDRESS=(PROTOCOL=tcp)(HOST=10.0.1.8)(PORT=40600)) * establish * ORCLPDB1 * 0",
                ("", Some("ORCLPDB1"), None, Plain),
                at("10.0.1.8", 40600),
                Some(T0 + 5000),
            ),
            // Local connections: no ADDRESS host.
            (
                "01-MAY-2024 10:00:06 * (CONNECT_DATA=(SID=ORCL)(CID=(PROGRAM=sqlplus)(HOST=db1)(USER=oracle))) * (ADDRESS=(PROTOCOL=ipc)(KEY=ORCL)) * establish * ORCL * 0",
                ("oracle", Some("ORCL"), Some("sqlplus"), Plain),
                None,
                Some(T0 + 6000),
            ),
            (
                "01-MAY-2024 10:00:07 * (CONNECT_DATA=(SID=ORCL)(CID=(PROGRAM=rman)(HOST=db1)(USER=oracle))) * (ADDRESS=(PROTOCOL=beq)(PROGRAM=/u01/app/oracle/bin/oracle)) * establish * ORCL * 0",
                ("oracle", Some("ORCL"), Some("rman"), Plain),
                None,
                Some(T0 + 7000),
            ),
            // No ADDRESS group at all: the transport is not known.
            (
                "01-MAY-2024 10:00:08 * (CONNECT_DATA=(SID=ORCL)(CID=(PROGRAM=sqlplus)(HOST=db1)(USER=oracle))) * establish * ORCL * 0",
                ("oracle", Some("ORCL"), Some("sqlplus"), Unknown),
                None,
                Some(T0 + 8000),
            ),
            // Spaces inside groups, and a program holding the separator and
            // the event word.
            (
                "01-MAY-2024 10:00:09 * (CONNECT_DATA= (SERVICE_NAME = ORCL) (CID=(PROGRAM = establish * tool)(HOST=h)(USER=u))) * (ADDRESS=(PROTOCOL=tcps)(HOST=10.0.1.9)(PORT=1))  *  establish * ORCL * 0",
                ("u", Some("ORCL"), Some("establish * tool"), Tls(None)),
                at("10.0.1.9", 1),
                Some(T0 + 9000),
            ),
            // log.xml: the <txt> tag on the record's line, the closing tag
            // on the next; both on one line; a content line of its own, with
            // entities.
            (
                " <txt>01-MAY-2024 10:00:10 * (CONNECT_DATA=(SERVICE_NAME=ORCL)(CID=(PROGRAM=JDBC Thin Client)(HOST=__jdbc__)(USER=app))) * (ADDRESS=(PROTOCOL=tcps)(HOST=10.0.1.5)(PORT=53123)) * establish * ORCL * 0",
                ("app", Some("ORCL"), Some("JDBC Thin Client"), Tls(None)),
                at("10.0.1.5", 53123),
                Some(T0 + 10_000),
            ),
            (
                " <txt> 01-MAY-2024 10:00:11 * (CONNECT_DATA=(SID=ORCL)(CID=(PROGRAM=O&apos;Brien &amp; Sons &quot;ETL&quot;)(HOST=h)(USER=etl))) * (ADDRESS=(PROTOCOL=tcp)(HOST=10.0.1.10)(PORT=2)) * establish * ORCL * 0 </txt>",
                ("etl", Some("ORCL"), Some(r#"O'Brien & Sons "ETL""#), Plain),
                at("10.0.1.10", 2),
                Some(T0 + 11_000),
            ),
            (
                "01-MAY-2024 10:00:12 * (CONNECT_DATA=(SID=ORCL)(CID=(PROGRAM=&lt;unknown&gt; &amp;lt;raw&amp;gt;)(HOST=h)(USER=u))) * (ADDRESS=(PROTOCOL=TCPS)(HOST=10.0.1.11)(PORT=3)) * establish * ORCL * 0",
                ("u", Some("ORCL"), Some("<unknown> &lt;raw&gt;"), Tls(None)),
                at("10.0.1.11", 3),
                Some(T0 + 12_000),
            ),
            // A <txt> without the time.
            (
                " <txt>(CONNECT_DATA=(SERVICE_NAME=ORCL)(CID=(PROGRAM=x)(HOST=h)(USER=u))) * (ADDRESS=(PROTOCOL=tcps)(HOST=10.0.1.12)(PORT=4)) * establish * ORCL * 0",
                ("u", Some("ORCL"), Some("x"), Tls(None)),
                at("10.0.1.12", 4),
                None,
            ),
        ];
        for (line, (user, database, application, transport), remote, time) in table {
            with(line, |obs| {
                assert_eq!(obs.time, time, "{line}");
                assert_eq!(obs.remote, remote, "{line}");
                assert_eq!(obs.pid, None);
                assert_eq!(obs.stored_application, None);
                let expected = Message::Authorized(Authorized {
                    replication: false,
                    user,
                    database,
                    application,
                    transport,
                    gss: None,
                    ambiguous_tls: false,
                    application_with_clause: None,
                });
                assert_eq!(obs.message, expected, "{line}");
            });
        }
    }

    #[test]
    fn non_zero_return_codes_are_refusals() {
        let table = [
            (
                "01-MAY-2024 10:00:00 * (CONNECT_DATA=(SERVICE_NAME=ORCLX)(CID=(PROGRAM=JDBC Thin Client)(HOST=__jdbc__)(USER=app))) * (ADDRESS=(PROTOCOL=tcps)(HOST=10.0.1.5)(PORT=53130)) * establish * ORCLX * 12514",
                Some("app"),
                Some("ORCLX"),
                Some("JDBC Thin Client"),
                Transport::Tls(None),
                "TNS-12514",
                at("10.0.1.5", 53130),
            ),
            (
                " <txt>01-MAY-2024 10:00:00 * (CONNECT_DATA=(SID=NOPE)(CID=(PROGRAM=)(HOST=__jdbc__)(USER=))) * (ADDRESS=(PROTOCOL=tcp)(HOST=10.0.1.6)(PORT=40023)) * establish * NOPE * 12505",
                None,
                Some("NOPE"),
                None,
                Transport::Plain,
                "TNS-12505",
                at("10.0.1.6", 40023),
            ),
        ];
        for (line, user, database, application, transport, reason, remote) in table {
            with(line, |obs| {
                assert_eq!(obs.time, Some(T0), "{line}");
                assert_eq!(obs.remote, remote, "{line}");
                let expected = Message::Refused {
                    user,
                    database,
                    application,
                    transport,
                    reason,
                };
                assert_eq!(obs.message, expected, "{line}");
            });
        }
    }

    #[test]
    fn other_lines_are_not_connection_events() {
        let lines = [
            "01-MAY-2024 10:00:00 * service_update * ORCL * 0",
            "01-MAY-2024 10:00:00 * service_register * ORCL * 0",
            "01-MAY-2024 10:00:00 * ping * 0",
            "01-MAY-2024 10:00:00 * (CONNECT_DATA=(CID=(PROGRAM=)(HOST=db1)(USER=oracle))(COMMAND=status)(ARGUMENTS=64)(SERVICE=LISTENER)(VERSION=318767104)) * status * 0",
            // The word as a program name of another event.
            "01-MAY-2024 10:00:00 * (CONNECT_DATA=(CID=(PROGRAM=establish)(HOST=db1)(USER=oracle))(COMMAND=status)) * status * 0",
            "WARNING: Subscription for node down event still pending",
            "TNS-12514: TNS:listener does not currently know of service requested in connect descriptor",
            "<msg time='2024-05-01T10:00:00.123+00:00' org_id='oracle' comp_id='tnslsnr' type='UNKNOWN' level='16' host_id='db1' host_addr='10.0.0.1' pid='1234'>",
            " <txt>",
            " </txt>",
            "</msg>",
            "TNSLSNR for Linux: Version 19.0.0.0.0 - Production",
            "",
        ];
        for line in lines {
            assert_eq!(observe(line, &mut |_| panic!("{line}")), None, "{line}");
        }
    }

    #[test]
    fn broken_establish_records_are_malformed() {
        let parens = "unbalanced parentheses in a (KEY=VALUE) group";
        let tail = "expected `establish * <service> * <return code>`";
        let table = [
            // A closing parenthesis short.
            (
                "01-MAY-2024 10:00:00 * (CONNECT_DATA=(SID=ORCL)(CID=(PROGRAM=sqlplus)(HOST=h)(USER=o)) * (ADDRESS=(PROTOCOL=tcp)(HOST=10.0.1.6)(PORT=1)) * establish * ORCL * 0",
                parens,
            ),
            (
                "01-MAY-2024 10:00:00 * (CONNECT_DATA=(SID=ORCL) * establish * ORCL * 0",
                parens,
            ),
            // One too many.
            (
                "01-MAY-2024 10:00:00 * (CONNECT_DATA=(SID=ORCL)(CID=(PROGRAM=sqlplus))(HOST=h)(USER=o))) * (ADDRESS=(PROTOCOL=tcp)(HOST=10.0.1.6)(PORT=1)) * establish * ORCL * 0",
                "expected ` * ` after a group",
            ),
            (
                "32-MAY-2024 10:00:00 * (CONNECT_DATA=(SID=ORCL)) * establish * ORCL * 0",
                "expected a DD-MON-YYYY HH24:MI:SS time",
            ),
            (
                "01-MAY-2024 10:00:00 * (CONNECT_DATA=(SID=ORCL)) * establish * ORCL * twelve",
                tail,
            ),
            (
                "01-MAY-2024 10:00:00 * (CONNECT_DATA=(SID=ORCL)) * establish *",
                tail,
            ),
        ];
        for (line, why) in table {
            match observe(line, &mut |_| panic!("{line}")) {
                Some(Err(Malformed(reason))) => assert!(reason.ends_with(why), "{line}: {reason}"),
                other => panic!("{line}: {other:?}"),
            }
        }
        // Deep nesting is refused, not recursed into.
        let deep = format!(
            "01-MAY-2024 10:00:00 * {}{} * establish * ORCL * 0",
            "(A=".repeat(10_000),
            ")".repeat(9_999)
        );
        assert!(matches!(observe(&deep, &mut |_| {}), Some(Err(_))));
    }

    #[derive(Default)]
    struct Collect {
        seen: Vec<Option<Millis>>,
        malformed: usize,
    }

    impl Sink for Collect {
        fn observation(&mut self, _: usize, o: Observation<'_>) {
            self.seen.push(o.time);
        }
        fn malformed(&mut self, _: usize, _: Malformed) {
            self.malformed += 1;
        }
        fn invalid_utf8(&mut self, _: usize) {}
    }

    #[test]
    fn the_needles_find_text_and_xml_records() {
        let log = concat!(
            "<msg time='2024-05-01T10:00:00.123+00:00' org_id='oracle' comp_id='tnslsnr' type='UNKNOWN' level='16' host_id='db1' host_addr='10.0.0.1' pid='1234'>\n",
            " <txt>01-MAY-2024 10:00:00 * (CONNECT_DATA=(SERVICE_NAME=ORCL)(CID=(PROGRAM=x)(HOST=h)(USER=u))) * (ADDRESS=(PROTOCOL=tcps)(HOST=10.0.1.5)(PORT=1)) * establish * ORCL * 0\n",
            " </txt>\n",
            "</msg>\n",
            "<msg time='2024-05-01T10:00:01.000+00:00' org_id='oracle' comp_id='tnslsnr' type='UNKNOWN' level='16' host_id='db1' host_addr='10.0.0.1' pid='1234'>\n",
            " <txt>\n",
            "01-MAY-2024 10:00:01 * (CONNECT_DATA=(SERVICE_NAME=ORCL)(CID=(PROGRAM=x)(HOST=h)(USER=u))) * (ADDRESS=(PROTOCOL=tcps)(HOST=10.0.1.5)(PORT=2)) * establish * ORCL * 0\r\n",
            " </txt>\n",
            "</msg>\n",
            "01-MAY-2024 10:00:02 * service_update * ORCL * 0\n",
        );
        let mut sink = Collect::default();
        scan(&LogFormat::OracleListener, log.as_bytes(), &mut sink);
        assert_eq!(sink.seen, [Some(T0), Some(T0 + 1000)]);
        assert_eq!(sink.malformed, 0);
    }

    fn owned(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    /// A log.xml whose long `<txt>` lines a copy wrapped (`fold -w 80`, a
    /// ticket): each record read whole, wherever `establish` fell, and a
    /// text listener.log's next line is never joined to a record.
    #[test]
    fn wrapped_txt_records_are_read_whole() {
        let record = "01-MAY-2024 10:00:00 * (CONNECT_DATA=(SERVICE_NAME=ORCL)(CID=(PROGRAM=JDBC Thin Client)(HOST=__jdbc__)(USER=app))) * (ADDRESS=(PROTOCOL=tcps)(HOST=10.0.1.5)(PORT=53122)) * establish * ORCL * 0";
        let msg = "<msg time='2024-05-01T10:00:00.123+00:00' org_id='oracle' comp_id='tnslsnr' type='UNKNOWN' level='16' host_id='db1' host_addr='10.0.0.1' pid='1234'>\n";
        let fold = |text: &str, width: usize| -> String {
            text.as_bytes()
                .chunks(width)
                .map(|c| std::str::from_utf8(c).unwrap().to_string() + "\n")
                .collect()
        };
        // (the log.xml text, records read)
        let table = [
            // `<txt>` and the record on one line, wrapped at 80 columns:
            // `establish` on the last part.
            (
                format!(
                    "{msg}{} </txt>\n</msg>\n",
                    fold(&format!(" <txt>{record}"), 80)
                ),
                1,
            ),
            // Wrapped so that `establish` is on the first part, the tail
            // (service, code) on the next.
            (
                format!(
                    "{msg} <txt>{}\n </txt>\n</msg>\n",
                    record.replacen(" * ORCL", "\n * ORCL", 1)
                ),
                1,
            ),
            // `<txt>` on its own line, the record after it wrapped at 60,
            // `</txt>` on the last part.
            (
                format!(
                    "{msg} <txt>\n{}</msg>\n",
                    fold(&format!("{record} </txt>"), 60)
                ),
                1,
            ),
            // Two records, the second unwrapped.
            (
                format!(
                    "{msg}{} </txt>\n</msg>\n{msg} <txt>{record}\n </txt>\n</msg>\n",
                    fold(&format!(" <txt>{record}"), 100)
                ),
                2,
            ),
            // A text listener.log: the TNS error line after a record is no
            // part of it.
            (
                format!(
                    "{record}\nTNS-12514: TNS:listener does not currently know of service\n{record}\n"
                ),
                2,
            ),
        ];
        for (log, records) in table {
            let mut sink = Collect::default();
            scan(&LogFormat::OracleListener, log.as_bytes(), &mut sink);
            assert_eq!(sink.seen, vec![Some(T0); records], "{log}");
            assert_eq!(sink.malformed, 0, "{log}");
        }
    }

    #[test]
    fn detects_listener_logs_only() {
        let listener = [
            &[
                "01-MAY-2024 10:00:00 * (CONNECT_DATA=(SID=ORCL)(CID=(PROGRAM=sqlplus)(HOST=h)(USER=o))) * (ADDRESS=(PROTOCOL=tcp)(HOST=10.0.1.6)(PORT=1)) * establish * ORCL * 0",
            ][..],
            &["01-MAY-2024 10:00:00 * service_update * ORCL * 0"],
            &[
                "<msg time='2024-05-01T10:00:00.123+00:00' org_id='oracle' comp_id='tnslsnr'",
                " type='UNKNOWN' level='16' host_id='db1'>",
            ],
            &[
                "TNSLSNR for Linux: Version 19.0.0.0.0 - Production",
                "System parameter file is /rdsdbdata/config/listener.ora",
            ],
            &["Log messages written to /rdsdbdata/log/diag/tnslsnr/db1/listener/alert/log.xml"],
            &[" <txt>System parameter file is /rdsdbdata/config/listener.ora"],
        ];
        for lines in listener {
            assert!(detect(&owned(lines)), "{lines:?}");
        }
        let others = [
            &[
                "2026-11-29 03:52:55 UTC:10.0.0.1(5):u@d:[1]:LOG:  connection authorized: user=u database=d",
            ][..],
            &[
                r#"2026-11-29 03:52:55.964 UTC,"postgres","postgres",6504,"127.0.0.1:53004",6b0ba197.1968,2,"authentication",2026-11-29 03:52:55 UTC,3/1,0,LOG,00000,"connection authorized: user=postgres",,,,,,,,,"","client backend",,0"#,
            ],
            &[
                "/usr/sbin/mysqld, Version: 8.0.36 (Source distribution). started with:",
                "2024-05-01T10:00:00.123456Z\t   12 Connect\tapp@10.0.1.5 on db using SSL/TLS",
            ],
            &[
                "2024-05-01T10:00:00.123456Z 0 [System] [MY-010931] [Server] /rdsdbbin/mysql/bin/mysqld: ready for connections.",
            ],
            &["hello world", "01-MAY-2024 was a Wednesday * not a log"],
            &[],
        ];
        for lines in others {
            assert!(!detect(&owned(lines)), "{lines:?}");
        }
    }
}
