//! Grammars of the PostgreSQL 12–18 connection messages (the text after
//! `LOG:  ` / `FATAL:  `), as written by postinit.c, auth.c, postgres.c,
//! backend_startup.c and be-secure-openssl.c; the tables below hold real
//! lines of servers 13–18.
//!
//! Names in these messages are neither quoted nor escaped, so fields are cut
//! at the *next field's* label and optional clauses are taken from the end of
//! the line, never by splitting on spaces.

use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::tag,
    character::complete::{char, u32 as dec_u32},
    combinator::{all_consuming, map, opt, rest, value},
    error::ErrorKind,
    number::complete::double,
    sequence::{preceded, terminated},
};

use crate::literal;
use crate::literal::Literal;
use crate::number::{decimal, digit_run};
pub use crate::observation::Malformed;
use crate::observation::{
    Authorized, Disconnected, FailureKind, Gss, HbaRejected, HbaTransport, Message, Remote,
    SetupDurations, Tls, Transport,
};

literal!(AUTH_FAILED = " authentication failed for user \"");
literal!(GSS_OPENER = " GSS (authenticated=");
literal!(SSL_OPENER = " SSL enabled (protocol=");
literal!(SSL_ENABLED = "SSL enabled (");
literal!(APPLICATION = " application_name=");
literal!(DATABASE = " database=");
literal!(HOST = " host=");
literal!(PORT = " port=");
literal!(CIPHER = ", cipher=");
literal!(BITS = ", bits=");
literal!(METHOD = "\" method=");

/// Parses a message body. `None`: not a message sslcensus reads (statements,
/// checkpoints, …). `Some(Err)`: it starts like one but does not parse.
pub fn parse(msg: &str) -> Option<Result<Message<'_>, Malformed>> {
    // Dispatched on the first byte: each opener is compared only where it
    // can match, not every opener on every line.
    let parsed = match msg.as_bytes().first() {
        Some(b'c') => {
            if let Some(rest) = msg.strip_prefix("connection ") {
                if let Some(rest) = rest.strip_prefix("received: ") {
                    received(rest)
                } else if let Some(rest) = rest.strip_prefix("authorized: ") {
                    authorized(rest, false)
                } else if let Some(rest) = rest.strip_prefix("authenticated: ") {
                    authenticated(rest)
                } else if let Some(rest) = rest.strip_prefix("ready: ") {
                    ready(rest)
                } else {
                    return turned_away(msg);
                }
            } else if let Some(reason) = msg.strip_prefix("could not accept SSL connection: ") {
                Ok(Message::HandshakeFailed {
                    reason,
                    kind: FailureKind::classify(reason),
                })
            } else {
                return turned_away(msg);
            }
        }
        Some(b'd') => match msg.strip_prefix("disconnection: ") {
            Some(rest) => disconnected(rest),
            None => return turned_away(msg),
        },
        Some(b'r') => match msg.strip_prefix("replication connection authorized: ") {
            Some(rest) => authorized(rest, true),
            None => return turned_away(msg),
        },
        _ => return turned_away(msg),
    };
    Some(parsed)
}

/// The messages of a login turned away: an hba rejection, or a failed
/// authentication (whose method comes first, so any opener may start it).
fn turned_away(msg: &str) -> Option<Result<Message<'_>, Malformed>> {
    if msg.starts_with("no pg_hba.conf entry for ") || msg.starts_with("pg_hba.conf rejects ") {
        Some(hba_rejected(msg))
    } else {
        let (method, user) = AUTH_FAILED.split_once(msg)?;
        Some(authentication_failed(method, user))
    }
}

fn received(body: &str) -> Result<Message<'_>, Malformed> {
    let rest = body
        .strip_prefix("host=")
        .ok_or(Malformed("connection received: expected host=… port=…"))?;
    if let Some((host, port)) = host_and_port_at_end(rest) {
        return Ok(Message::Received(Remote {
            host,
            port: Some(port),
        }));
    }
    received_general(rest)
}

/// `H port=P` at the end of `text`, as nearly every TCP line ends: the
/// port's digits (a `u16`), ` port=` before them, and before that a host
/// holding no space, from the start of `text`. Where it applies, the
/// general readings (the first ` port=`, the last ` host=`) find the same
/// cuts: a host without a space holds neither label. `None` elsewhere
/// (`[local]`, a damaged line), for the general reading to decide.
fn host_and_port_at_end(text: &str) -> Option<(&str, u16)> {
    let (before, port) = port_at_end(text)?;
    (!before.as_bytes().contains(&b' ')).then_some((before, port))
}

/// The text before a final ` port=P` (P one to five digits that fit a
/// `u16`), and P.
fn port_at_end(text: &str) -> Option<(&str, u16)> {
    let bytes = text.as_bytes();
    let digits = bytes
        .iter()
        .rev()
        .take(6)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || digits > 5 {
        return None;
    }
    let label = bytes.len().checked_sub(digits + PORT.len())?;
    if !PORT.is_at(bytes, label) {
        return None;
    }
    // ASCII before the label and the digits: character boundaries.
    let port = digit_run(text.get(bytes.len() - digits..)?)?;
    Some((text.get(..label)?, port))
}

fn received_general(rest: &str) -> Result<Message<'_>, Malformed> {
    // The port is the number after the first ` port=`; anything else there
    // (a Unix socket's `[local]`) is all host.
    let with_port = PORT.split_once(rest).and_then(|(host, digits)| {
        let port = digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| decimal::<u16>(digits))??;
        Some(Remote {
            host,
            port: Some(port),
        })
    });
    let remote = with_port.unwrap_or(Remote {
        host: rest,
        port: None,
    });
    Ok(Message::Received(remote))
}

/// A `connection authorized` body cut into: the body with the GSS clause
/// taken off (`with_clause`), the GSS clause, the body with both clauses
/// taken off, the SSL clause.
type Clauses<'a> = (&'a str, Option<Gss>, &'a str, Option<Tls<'a>>);

/// The clauses at the end of a `connection authorized` body: GSS from its
/// last opener, then SSL from its last opener before that, each only where
/// it reads to the end.
fn clauses(body: &str) -> Clauses<'_> {
    ssl_clause_alone(body).unwrap_or_else(|| clauses_general(body))
}

/// [`clauses_general`] for the line nearly every TLS login writes: the
/// last `(` opens the SSL clause, which reads to the end, and no `(` comes
/// before it, so no GSS opener (which holds one) is anywhere in the line.
/// Then the general reading finds the same: the SSL opener at the last
/// `(` is its last occurrence. `None` elsewhere.
fn ssl_clause_alone(body: &str) -> Option<Clauses<'_>> {
    let bytes = body.as_bytes();
    if bytes.last() != Some(&b')') {
        return None;
    }
    let paren = memchr::memrchr(b'(', bytes)?;
    // ` SSL enabled (protocol=`: the `(` is its 14th byte.
    let opener = paren.checked_sub(13)?;
    if !SSL_OPENER.is_at(bytes, opener) || memchr::memchr(b'(', &bytes[..paren]).is_some() {
        return None;
    }
    let tls = ssl_tail(body.get(opener + SSL_OPENER.len()..)?)?;
    Some((body, None, body.get(..opener)?, Some(tls)))
}

/// What [`ssl_clause`] reads, for the clause as servers write it: the
/// protocol up to the first `,` (`, cipher=`), the cipher up to the next
/// (`, bits=`), the bits, maybe the compression, `)`. `None` for anything
/// else, which `ssl_clause` reads.
fn ssl_tail(tail: &str) -> Option<Tls<'_>> {
    let comma = memchr::memchr(b',', tail.as_bytes())?;
    let (protocol, rest) = (tail.get(..comma)?, tail.get(comma..)?);
    let rest = rest.strip_prefix(", cipher=")?;
    let comma = memchr::memchr(b',', rest.as_bytes())?;
    let (cipher, rest) = (rest.get(..comma)?, rest.get(comma..)?);
    let rest = rest.strip_prefix(", bits=")?;
    let digits = rest.bytes().take(11).take_while(u8::is_ascii_digit).count();
    if !(1..=10).contains(&digits) {
        return None;
    }
    let bits = digit_run(rest.get(..digits)?)?;
    let compression = match rest.get(digits..)? {
        ")" => None,
        ", compression=on)" => Some(true),
        ", compression=off)" => Some(false),
        _ => return None,
    };
    Some(Tls {
        protocol,
        cipher,
        bits,
        compression,
    })
}

/// The clauses by their openers' last occurrences, whatever the line.
fn clauses_general(body: &str) -> Clauses<'_> {
    let (with_clause, gss) = strip_trailing_clause(body, &GSS_OPENER, gss_clause);
    // The SSL clause ends in `)`: a plaintext line is not searched for it.
    let (body, tls) = if with_clause.ends_with(')') {
        strip_trailing_clause(with_clause, &SSL_OPENER, ssl_clause)
    } else {
        (with_clause, None)
    };
    (with_clause, gss, body, tls)
}

fn authorized(body: &str, replication: bool) -> Result<Message<'_>, Malformed> {
    let (with_clause, gss, body, tls) = clauses(body);
    let body = body
        .strip_prefix("user=")
        .ok_or(Malformed("connection authorized: expected user="))?;
    // The label is whole UTF-8: both cuts are character boundaries.
    let (before_app, application, application_at) = match APPLICATION
        .find(body)
        .and_then(|at| Some((body.get(..at)?, body.get(at + APPLICATION.len()..)?, at)))
    {
        Some((before, application, at)) => (before, Some(application), at),
        None => (body, None, 0),
    };
    let (user, database) = if replication {
        (before_app, None)
    } else {
        match DATABASE.split_once(before_app) {
            Some((user, database)) => (user, Some(database)),
            None => return Err(Malformed("connection authorized: expected database=")),
        }
    };
    // The opener holds a `(`, which names seldom do: a byte search first.
    let ambiguous_tls =
        application.is_some_and(|app| app.as_bytes().contains(&b'(') && SSL_ENABLED.is_in(app));
    // The clause sits after the name, so the other reading is the name run on
    // to the end of the line: the same label, the line's first, with the
    // clause still after it (`body` is `with_clause` cut, past `user=`).
    let application_with_clause = match (tls, application) {
        (Some(_), Some(_)) => with_clause.get("user=".len() + application_at + APPLICATION.len()..),
        _ => None,
    };
    Ok(Message::Authorized(Authorized {
        replication,
        user,
        database,
        application,
        transport: match tls {
            Some(tls) => Transport::Tls(Some(tls)),
            None => Transport::Plain,
        },
        gss,
        ambiguous_tls,
        application_with_clause,
    }))
}

/// Takes an optional clause that must run to the end of `body`, found by the
/// last occurrence of its opener so that look-alike text earlier in a name
/// is left alone; `clause` reads what follows the opener.
fn strip_trailing_clause<'a, T>(
    body: &'a str,
    opener: &Literal,
    clause: fn(&'a str) -> IResult<&'a str, T>,
) -> (&'a str, Option<T>) {
    let Some((head, tail)) = opener.rsplit_once(body) else {
        return (body, None);
    };
    match all_consuming(clause).parse(tail) {
        Ok((_, parsed)) => (head, Some(parsed)),
        Err(_) => (body, None),
    }
}

/// The SSL clause after ` SSL enabled (protocol=`.
fn ssl_clause(input: &str) -> IResult<&str, Tls<'_>> {
    let missing = || nom::Err::Error(nom::error::Error::new(input, ErrorKind::TakeUntil));
    let (protocol, rest) = CIPHER.split_once(input).ok_or_else(missing)?;
    let (cipher, rest) = BITS.split_once(rest).ok_or_else(missing)?;
    let on_off = alt((value(true, tag("on")), value(false, tag("off"))));
    map(
        (
            dec_u32,
            opt(preceded(tag(", compression="), on_off)),
            char(')'),
        ),
        move |(bits, compression, _)| Tls {
            protocol,
            cipher,
            bits,
            compression,
        },
    )
    .parse(rest)
}

fn yes_no(input: &str) -> IResult<&str, bool> {
    alt((value(true, tag("yes")), value(false, tag("no")))).parse(input)
}

/// The GSS clause after ` GSS (authenticated=`.
fn gss_clause(input: &str) -> IResult<&str, Gss> {
    let (input, (authenticated, encrypted)) =
        (yes_no, preceded(tag(", encrypted="), yes_no)).parse(input)?;
    // The principal (if any) is free text up to the closing parenthesis.
    let (input, _) = alt((preceded(tag(", principal="), rest), tag(")"))).parse(input)?;
    Ok((
        input,
        Gss {
            authenticated,
            encrypted,
        },
    ))
}

/// `identity="…" method=… (file:line)`, or `user="…" …` where the method
/// establishes no identity (PG 17+, trust).
fn authenticated(rest: &str) -> Result<Message<'_>, Malformed> {
    let err =
        Malformed("connection authenticated: expected identity=\"…\" or user=\"…\", then method=…");
    let (quoted, is_identity) = match rest.strip_prefix("identity=\"") {
        Some(quoted) => (quoted, true),
        None => (rest.strip_prefix("user=\"").ok_or(err)?, false),
    };
    let (name, after) = METHOD.rsplit_once(quoted).ok_or(err)?;
    // Method names are a word of a few bytes: a byte loop, not a memchr call.
    let method = after
        .get(..after.bytes().position(|b| b == b' ').unwrap_or(after.len()))
        .unwrap_or(after);
    Ok(Message::Authenticated {
        identity: is_identity.then_some(name),
        method,
    })
}

/// `setup total=… ms, fork=… ms, authentication=… ms` (PG 18+).
fn ready(rest: &str) -> Result<Message<'_>, Malformed> {
    let millis = |label| preceded(tag(label), terminated(double, tag(" ms")));
    all_consuming((
        millis("setup total="),
        millis(", fork="),
        millis(", authentication="),
    ))
    .parse(rest)
    .map(|(_, (total, fork, authentication))| {
        Message::Ready(SetupDurations {
            total,
            fork,
            authentication,
        })
    })
    .map_err(|_: nom::Err<nom::error::Error<&str>>| {
        Malformed("connection ready: expected setup total=… ms, fork=… ms, authentication=… ms")
    })
}

/// `H:MM:SS.mmm` as PostgreSQL's `log_disconnections` writes it, in
/// milliseconds, and the rest. Written out (it runs on every disconnection
/// line); checked: a damaged line may hold any number of digits.
fn session_time(input: &str) -> Option<(&str, u64)> {
    fn number(input: &str) -> Option<(u64, &str)> {
        let mut value: u64 = 0;
        let mut digits = 0;
        for &b in input.as_bytes() {
            let digit = b.wrapping_sub(b'0');
            if digit > 9 {
                break;
            }
            // Too many digits for a u64: not a time PostgreSQL writes.
            value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
            digits += 1;
        }
        // ASCII digits end on a character boundary.
        input
            .get(digits..)
            .filter(|_| digits > 0)
            .map(|rest| (value, rest))
    }
    let (h, rest) = number(input)?;
    let (m, rest) = number(rest.strip_prefix(':')?)?;
    let (s, rest) = number(rest.strip_prefix(':')?)?;
    let (ms, rest) = number(rest.strip_prefix('.')?)?;
    let millis = h
        .checked_mul(60)?
        .checked_add(m)?
        .checked_mul(60)?
        .checked_add(s)?
        .checked_mul(1000)?
        .checked_add(ms)?;
    Some((rest, millis))
}

fn disconnected(rest: &str) -> Result<Message<'_>, Malformed> {
    let err = Malformed("disconnection: expected session time: … user=… database=… host=…");
    let (rest, session_millis) = rest
        .strip_prefix("session time: ")
        .and_then(session_time)
        .ok_or(err)?;
    let rest = rest.strip_prefix(" user=").ok_or(err)?;
    let (user, database, remote) = disconnection_fields_at_end(rest)
        .or_else(|| disconnection_fields(rest))
        .ok_or(err)?;
    Ok(Message::Disconnected(Disconnected {
        session_millis: Some(session_millis),
        user: Some(user),
        database: Some(database),
        remote: Some(remote),
    }))
}

/// A disconnection's user, database and remote after ` user=`: the user
/// up to the first ` database=`, the database up to the last ` host=`, the
/// port after the first ` port=` behind it.
type DisconnectionFields<'a> = (&'a str, &'a str, Remote<'a>);

/// [`disconnection_fields`] for the line nearly every TCP session ends
/// with, ` host=H port=P` at the end and H without a space: the last
/// ` host=` and the first ` port=` after it are those, and the first
/// ` database=` lies before them. `None` elsewhere.
fn disconnection_fields_at_end(rest: &str) -> Option<DisconnectionFields<'_>> {
    let (fields, port) = port_at_end(rest)?;
    let space = memchr::memrchr(b' ', fields.as_bytes())?;
    if !HOST.is_at(fields.as_bytes(), space) {
        return None;
    }
    let (user, database) = DATABASE.split_once(fields.get(..space)?)?;
    let host = fields.get(space + HOST.len()..)?;
    Some((
        user,
        database,
        Remote {
            host,
            port: Some(port),
        },
    ))
}

fn disconnection_fields(rest: &str) -> Option<DisconnectionFields<'_>> {
    let (user, rest) = DATABASE.split_once(rest)?;
    let (database, host_port) = HOST.rsplit_once(rest)?;
    let remote = match PORT.split_once(host_port) {
        Some((host, port)) => Remote {
            host,
            port: Some(decimal(port)?),
        },
        None => Remote {
            host: host_port,
            port: None,
        },
    };
    Some((user, database, remote))
}

fn hba_rejected(msg: &str) -> Result<Message<'_>, Malformed> {
    let err = Malformed("pg_hba.conf rejection: expected host \"…\", user \"…\"");
    let replication = msg.contains(" replication connection ");
    let quoted = msg
        .split_once(" host \"")
        .map(|(_, after)| after)
        .ok_or(err)?;
    let (host, after_host) = quoted.split_once("\", user \"").ok_or(err)?;
    // The transport suffix follows the last quote; a build without SSL has none.
    let (quoted_fields, suffix) = after_host.rsplit_once('"').ok_or(err)?;
    let transport = match suffix {
        ", SSL encryption" | ", SSL on" => HbaTransport::Tls,
        ", GSS encryption" => HbaTransport::Gss,
        ", no encryption" | ", SSL off" => HbaTransport::Plain,
        "" => HbaTransport::Unknown,
        _ => return Err(err),
    };
    let (user, database) = if replication {
        (quoted_fields, None)
    } else {
        let (user, database) = quoted_fields.split_once("\", database \"").ok_or(err)?;
        (user, Some(database))
    };
    Ok(Message::HbaRejected(HbaRejected {
        host,
        user,
        database,
        transport,
    }))
}

/// `<method>` and `<user>"`, either side of ` authentication failed for user "`.
fn authentication_failed<'a>(
    method: &'a str,
    user_quoted: &'a str,
) -> Result<Message<'a>, Malformed> {
    let user = user_quoted
        .strip_suffix('"')
        .ok_or(Malformed("authentication failed: expected a quoted user"))?;
    if method.is_empty() || method.contains("  ") {
        return Err(Malformed("authentication failed: expected a method name"));
    }
    Ok(Message::AuthenticationFailed { method, user })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(msg: &str) -> Message<'_> {
        parse(msg).expect("recognised").expect("parsed")
    }

    fn auth(msg: &str) -> Authorized<'_> {
        match ok(msg) {
            Message::Authorized(a) => a,
            other => panic!("not authorized: {other:?}"),
        }
    }

    const TLS13: Tls<'static> = Tls {
        protocol: "TLSv1.3",
        cipher: "TLS_AES_256_GCM_SHA384",
        bits: 256,
        compression: None,
    };

    /// The written-out readings of the common lines (from the end, the
    /// SSL clause alone) give what the general readings give wherever they
    /// give anything, on clean and damaged bodies and on names that hold
    /// the labels.
    #[test]
    fn the_written_out_readings_agree_with_the_general_ones() {
        let received = [
            "127.0.0.1 port=53004",
            "::1 port=1",
            "[local]",
            "h port=65535",
            "h port=65536",
            "h port=065535",
            "h port=",
            "h port=+80",
            "a port=1 port=2",
            "a b port=2",
            " port=5",
            "port=5",
            "h  port=5",
            "h port=5 ",
        ];
        for rest in received {
            if let Some((host, port)) = host_and_port_at_end(rest) {
                let written_out = Message::Received(Remote {
                    host,
                    port: Some(port),
                });
                assert_eq!(Ok(written_out), received_general(rest), "{rest:?}");
            }
        }
        let disconnections = [
            "app database=shop host=10.0.0.1 port=5432",
            "app database=shop host=[local]",
            "app database= host= port=1",
            "a database=b database=c host=h port=2",
            "a host=x database=b host=h port=2",
            "a database=b host=x host=h port=2",
            "a database=b host=h port=2 port=3",
            "a database=b host=h x port=2",
            "a database=b host=h port=99999",
            "a database=b host=h port=+2",
            "a database=b host=h port=0002",
            "a database=bhost=h port=2",
            "a host=h port=2",
            "database=b host=h port=2",
            " database=b host=h port=2",
        ];
        for rest in disconnections {
            if let Some(written_out) = disconnection_fields_at_end(rest) {
                assert_eq!(Some(written_out), disconnection_fields(rest), "{rest:?}");
            }
        }
        let ssl = " SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)";
        let authorized = [
            format!("user=a database=b application_name=c{ssl}"),
            format!("user=a database=b{ssl}"),
            "user=a database=b SSL enabled (protocol=TLSv1.2, cipher=X, bits=128, compression=off)".into(),
            "user=a database=b SSL enabled (protocol=TLSv1.2, cipher=X, bits=128, compression=on)".into(),
            "user=a database=b SSL enabled (protocol=TLSv1.2, cipher=X, bits=128, compression=maybe)".into(),
            "user=a database=b SSL enabled (protocol=A,B, cipher=X, bits=1)".into(),
            "user=a database=b SSL enabled (protocol=A, cipher=X,Y, bits=1)".into(),
            "user=a database=b SSL enabled (protocol=A, cipher=X, bits=)".into(),
            "user=a database=b SSL enabled (protocol=A, cipher=X, bits=4294967296)".into(),
            "user=a database=b SSL enabled (protocol=A, cipher=X, bits=+1)".into(),
            "user=a database=b SSL enabled (protocol=A, cipher=X, bits=1) ".into(),
            format!("user=a database=b application_name=x(y){ssl}"),
            format!("user=a database=b application_name=x{ssl}{ssl}"),
            format!("user=a database=b application_name=x{ssl} GSS (authenticated=yes, encrypted=yes, principal=p)"),
            format!("user=a database=b application_name=x GSS (authenticated=yes, encrypted=no, principal=p{ssl}"),
            "user=a database=b SSL enabled protocol=A, cipher=X, bits=1)".into(),
            "user=a database=b application_name=c".into(),
            "SSL enabled (protocol=A, cipher=X, bits=1)".into(),
            "(protocol=A, cipher=X, bits=1)".into(),
        ];
        for body in &authorized {
            if let Some(written_out) = ssl_clause_alone(body) {
                assert_eq!(written_out, clauses_general(body), "{body:?}");
            }
        }
        // The common lines do take the written-out readings.
        assert!(host_and_port_at_end(received[0]).is_some());
        assert!(disconnection_fields_at_end(disconnections[0]).is_some());
        assert!(ssl_clause_alone(&authorized[0]).is_some());
        assert!(ssl_clause_alone(&authorized[2]).is_some());
    }

    #[test]
    fn connection_received_over_tcp_ipv6_and_socket() {
        let table = [
            (
                "connection received: host=127.0.0.1 port=53004",
                "127.0.0.1",
                Some(53004),
            ),
            (
                "connection received: host=::1 port=40522",
                "::1",
                Some(40522),
            ),
            ("connection received: host=[local]", "[local]", None),
            (
                "connection received: host=db-client.example.com port=1",
                "db-client.example.com",
                Some(1),
            ),
        ];
        for (line, host, port) in table {
            assert_eq!(ok(line), Message::Received(Remote { host, port }), "{line}");
        }
    }

    #[test]
    fn authorized_with_tls_pg14_to_17() {
        let a = auth(
            "connection authorized: user=postgres database=postgres application_name=app_require SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
        );
        assert_eq!(a.user, "postgres");
        assert_eq!(a.database, Some("postgres"));
        assert_eq!(a.application, Some("app_require"));
        assert_eq!(a.tls(), Some(TLS13));
        assert!(!a.replication && !a.ambiguous_tls);
        // The other reading: a plaintext session whose name ends in the clause.
        assert_eq!(
            a.application_with_clause,
            Some(
                "app_require SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)"
            )
        );
    }

    #[test]
    fn authorized_with_tls_and_compression_pg12_13() {
        let a = auth(
            "connection authorized: user=app database=orders SSL enabled (protocol=TLSv1.2, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256, compression=off)",
        );
        assert_eq!(a.application, None);
        let tls = a.tls().unwrap();
        assert_eq!(
            (tls.protocol, tls.cipher, tls.bits, tls.compression),
            ("TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384", 256, Some(false))
        );
    }

    #[test]
    fn authorized_plaintext_has_no_clause() {
        let a = auth("connection authorized: user=app database=orders application_name=psql");
        assert_eq!((a.application, a.tls()), (Some("psql"), None));
        assert_eq!(a.application_with_clause, None);
    }

    #[test]
    fn names_with_spaces_colons_brackets_and_at_signs_stay_whole() {
        let table = [
            (
                "connection authorized: user=ops@cron database=Sales DW application_name=Npgsql SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
                "ops@cron",
                "Sales DW",
                "Npgsql",
                true,
            ),
            (
                "connection authorized: user=app database=orders application_name=PostgreSQL JDBC Driver SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
                "app",
                "orders",
                "PostgreSQL JDBC Driver",
                true,
            ),
            (
                "connection authorized: user=web database=app application_name=puma: cluster worker 2: 44125 [myapp]",
                "web",
                "app",
                "puma: cluster worker 2: 44125 [myapp]",
                false,
            ),
            (
                "connection authorized: user=analyst database=sales application_name=pgAdmin 4 - DB:sales SSL enabled (protocol=TLSv1.2, cipher=ECDHE-RSA-AES256-GCM-SHA384, bits=256)",
                "analyst",
                "sales",
                "pgAdmin 4 - DB:sales",
                true,
            ),
        ];
        for (line, user, database, app, tls) in table {
            let a = auth(line);
            assert_eq!(a.user, user, "{line}");
            assert_eq!(a.database, Some(database), "{line}");
            assert_eq!(a.application, Some(app), "{line}");
            assert_eq!(a.tls().is_some(), tls, "{line}");
        }
    }

    #[test]
    fn a_name_holding_the_ssl_clause_is_flagged_and_the_real_clause_wins() {
        let a = auth(
            "connection authorized: user=u database=d application_name=x SSL enabled (protocol=TLSv1.0, cipher=NULL, bits=0) SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
        );
        assert_eq!(
            a.application,
            Some("x SSL enabled (protocol=TLSv1.0, cipher=NULL, bits=0)")
        );
        assert_eq!(a.tls(), Some(TLS13));
        assert!(a.ambiguous_tls);
    }

    #[test]
    fn replication_and_gss() {
        let a = auth(
            "replication connection authorized: user=repl application_name=walreceiver SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
        );
        assert!(a.replication);
        assert_eq!(
            (a.user, a.database, a.application),
            ("repl", None, Some("walreceiver"))
        );
        let g = auth(
            "connection authorized: user=u database=d GSS (authenticated=yes, encrypted=yes, principal=u@EXAMPLE.COM)",
        );
        assert_eq!(
            g.gss,
            Some(Gss {
                authenticated: true,
                encrypted: true
            })
        );
        assert_eq!(g.tls(), None);
    }

    #[test]
    fn authenticated_and_disconnection() {
        assert_eq!(
            ok(
                "connection authenticated: identity=\"jürgen \"x\"\" method=scram-sha-256 (/etc/pg_hba.conf:13)"
            ),
            Message::Authenticated {
                identity: Some("jürgen \"x\""),
                method: "scram-sha-256"
            }
        );
        assert_eq!(
            ok(
                "disconnection: session time: 1:02:03.456 user=ops@cron database=Sales DW host=::1 port=40522"
            ),
            Message::Disconnected(Disconnected {
                session_millis: Some(3_723_456),
                user: Some("ops@cron"),
                database: Some("Sales DW"),
                remote: Some(Remote {
                    host: "::1",
                    port: Some(40522)
                }),
            })
        );
        let Message::Disconnected(local) = ok(
            "disconnection: session time: 0:00:00.006 user=postgres database=postgres host=[local]",
        ) else {
            panic!()
        };
        assert_eq!(local.remote.unwrap().port, None);
    }

    #[test]
    fn trust_logins_and_setup_durations_pg17_18() {
        assert_eq!(
            ok("connection authenticated: user=\"ops \"x\"\" method=trust (/etc/pg_hba.conf:2)"),
            Message::Authenticated {
                identity: None,
                method: "trust"
            }
        );
        assert_eq!(
            ok("connection ready: setup total=7.5 ms, fork=0.25 ms, authentication=0 ms"),
            Message::Ready(SetupDurations {
                total: 7.5,
                fork: 0.25,
                authentication: 0.0
            })
        );
        for broken in [
            "connection authenticated: method=trust (/etc/pg_hba.conf:2)",
            "connection authenticated: user=\"postgres\" (/etc/pg_hba.conf:2)",
            "connection ready: setup total=7.5 ms",
            "connection ready: setup total=x ms, fork=0.2 ms, authentication=0.1 ms",
            "connection ready: setup total=7.5 ms, fork=0.2 ms, authentication=0.1 ms extra",
        ] {
            assert!(matches!(parse(broken), Some(Err(_))), "{broken}");
        }
    }

    #[test]
    fn handshake_failures() {
        assert_eq!(
            ok("could not accept SSL connection: tlsv1 alert unknown ca"),
            Message::HandshakeFailed {
                reason: "tlsv1 alert unknown ca",
                kind: FailureKind::CertificateRejected
            }
        );
        assert_eq!(
            ok("could not accept SSL connection: EOF detected"),
            Message::HandshakeFailed {
                reason: "EOF detected",
                kind: FailureKind::Aborted
            }
        );
    }

    #[test]
    fn hba_rejections_old_and_new_wording() {
        let table = [
            (
                "no pg_hba.conf entry for host \"10.0.1.5\", user \"app\", database \"orders\", no encryption",
                Some("orders"),
                HbaTransport::Plain,
            ),
            (
                "no pg_hba.conf entry for host \"10.0.1.5\", user \"app\", database \"orders\", SSL off",
                Some("orders"),
                HbaTransport::Plain,
            ),
            (
                "pg_hba.conf rejects connection for host \"10.0.1.5\", user \"app\", database \"orders\", SSL encryption",
                Some("orders"),
                HbaTransport::Tls,
            ),
            (
                "no pg_hba.conf entry for replication connection from host \"10.0.1.5\", user \"app\", SSL on",
                None,
                HbaTransport::Tls,
            ),
            (
                "no pg_hba.conf entry for host \"10.0.1.5\", user \"app\", database \"orders\"",
                Some("orders"),
                HbaTransport::Unknown,
            ),
        ];
        for (line, database, transport) in table {
            let Message::HbaRejected(h) = ok(line) else {
                panic!("{line}")
            };
            assert_eq!((h.host, h.user), ("10.0.1.5", "app"), "{line}");
            assert_eq!((h.database, h.transport), (database, transport), "{line}");
        }
    }

    #[test]
    fn authentication_failures() {
        assert_eq!(
            ok("password authentication failed for user \"app\""),
            Message::AuthenticationFailed {
                method: "password",
                user: "app"
            }
        );
    }

    #[test]
    fn other_messages_are_not_ours_and_broken_ones_are_reported() {
        assert_eq!(
            parse("statement: SELECT 'connection authorized: user=x'"),
            None
        );
        assert_eq!(parse("checkpoint starting: time"), None);
        assert!(parse("connection authorized: database=x").unwrap().is_err());
        assert!(parse("connection received: port=5").unwrap().is_err());
        assert!(parse("disconnection: session time: x").unwrap().is_err());
    }
}
