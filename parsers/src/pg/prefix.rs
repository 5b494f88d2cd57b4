//! `log_line_prefix` compiled into a matcher: the escapes become pieces
//! matched left to right, with backtracking only at variable-width fields.
//! Nothing in a prefix is quoted (`%u@%d` with a user `ops@cron`, `%r` with
//! an IPv6 address), so a piece's end is decided by whether the rest of the
//! prefix and the severity marker (`LOG:  `) still match after it — the same
//! semantics as a regex with lazy fields, at a fraction of its cost on the
//! hot path.

use super::stderr::PrefixError;
use crate::word;

/// What a prefix can tell; only the first occurrence of an escape captures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Time,
    Epoch,
    Pid,
    RemoteHost,
    RemotePort,
    Host,
    Application,
}

const SLOTS: usize = 7;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(Vec<u8>),
    /// `%t`, `%m`, `%s`: `YYYY-MM-DD HH:MM:SS[.fff][ ZONE]`.
    Timestamp,
    /// `%n`: seconds since the epoch, with a fraction.
    Epoch,
    /// `%p`, `%l`, `%x` (one or more digits), `%P` (zero or more), `%Q` (signed).
    Digits {
        min: usize,
        signed: bool,
    },
    /// `%r`: `host(port)`, `[local]`, a bare host, or nothing.
    Remote,
    /// `%h`: a host name or address, `[local]`, or nothing.
    Host,
    /// `%u`, `%d`, `%a`, `%b`, `%i`, `%L`: any text, as short as the rest allows.
    Text,
    /// `%c`: `hex.hex`.
    SessionId,
    /// `%v`: `backend/local` or nothing.
    Vxid,
    /// `%e`: five characters.
    Sqlstate,
    /// `%q`: non-session processes print nothing from here on.
    StopHere,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    piece: Piece,
    slot: Option<Slot>,
}

/// Spans (byte ranges) of what the prefix captured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Captures {
    spans: [Option<(usize, usize)>; SLOTS],
}

impl Captures {
    pub(crate) fn get<'a>(&self, line: &'a str, slot: Slot) -> Option<&'a str> {
        self.spans[slot as usize].and_then(|(start, end)| line.get(start..end))
    }

    fn set(&mut self, slot: Option<Slot>, start: usize, end: usize) {
        if let Some(slot) = slot {
            self.spans[slot as usize] = Some((start, end));
        }
    }

    fn clear(&mut self, slot: Option<Slot>) {
        if let Some(slot) = slot {
            self.spans[slot as usize] = None;
        }
    }
}

/// A successful match: the captures, the severity, and where the message starts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Matched {
    pub captures: Captures,
    pub severity: (usize, usize),
    pub message: usize,
}

/// The compiled prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Matcher {
    steps: Vec<Step>,
    /// The steps are Amazon RDS's `%t:%r:%u@%d:[%p]:` (or with `%m`), each
    /// capturing: [`Matcher::rds_path`] reads it first.
    rds: bool,
}

/// The shape of RDS's prefix, `%t:%r:%u@%d:[%p]:`.
fn is_rds_shape(steps: &[Step]) -> bool {
    let lit = |s: &Step, text: &[u8]| s.piece == Piece::Literal(text.to_vec());
    matches!(
        steps,
        [t, c1, r, c2, u, at, d, open, p, close]
            if t.piece == Piece::Timestamp && t.slot == Some(Slot::Time)
                && lit(c1, b":")
                && r.piece == Piece::Remote && r.slot == Some(Slot::RemoteHost)
                && lit(c2, b":")
                && u.piece == Piece::Text && u.slot.is_none()
                && lit(at, b"@")
                && d.piece == Piece::Text && d.slot.is_none()
                && lit(open, b":[")
                && p.piece == (Piece::Digits { min: 1, signed: false }) && p.slot == Some(Slot::Pid)
                && lit(close, b"]:")
    )
}

/// The severities PostgreSQL writes (`error_severity` in elog.c), as a match
/// the compiler turns into a length switch, not a loop of memcmp calls.
fn is_severity(word: &[u8]) -> bool {
    matches!(
        word,
        b"DEBUG1"
            | b"DEBUG2"
            | b"DEBUG3"
            | b"DEBUG4"
            | b"DEBUG5"
            | b"LOG"
            | b"INFO"
            | b"NOTICE"
            | b"WARNING"
            | b"ERROR"
            | b"FATAL"
            | b"PANIC"
            | b"DETAIL"
            | b"HINT"
            | b"STATEMENT"
            | b"CONTEXT"
            | b"QUERY"
            | b"LOCATION"
    )
}

/// `SEVERITY:  ` at `pos`: the severity's span and the message start.
fn severity(line: &[u8], pos: usize) -> Option<((usize, usize), usize)> {
    let rest = &line[pos..];
    // Nearly every line sslcensus reads is a `LOG:  ` line.
    if rest.starts_with(b"LOG:  ") {
        return Some(((pos, pos + 3), pos + 6));
    }
    let len = rest
        .iter()
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        .count();
    (is_severity(&rest[..len]) && has_at(rest, len, b":  "))
        .then_some(((pos, pos + len), pos + len + 3))
}

/// Whether `text` occurs in `bytes` at `pos`. Prefix literals are a byte or
/// three: compared inline, where `starts_with` calls memcmp.
fn has_at(bytes: &[u8], pos: usize, text: &[u8]) -> bool {
    bytes
        .get(pos..pos + text.len())
        .is_some_and(|here| here.iter().zip(text).all(|(a, b)| a == b))
}

#[inline(always)]
fn run(line: &[u8], pos: usize, accept: impl Fn(u8) -> bool) -> usize {
    line[pos..].iter().take_while(|&&b| accept(b)).count()
}

/// `YYYY-MM-DD HH:MM:SS`: the part of every `%t`/`%m` timestamp.
pub(crate) const DATE_TIME_LEN: usize = 19;

/// Whether `bytes` start with `YYYY-MM-DD HH:MM:SS` (ASCII digits). Every
/// byte is tested and the results and-ed without branches (a fixed-length
/// fold the compiler unrolls): this runs on every line read, and a
/// short-circuiting loop over a shape string cost three times more.
#[inline(always)]
fn has_date_time_shape(bytes: &[u8]) -> bool {
    const SHAPE: &[u8; DATE_TIME_LEN] = b"0000-00-00 00:00:00";
    let Some(head) = bytes.first_chunk::<DATE_TIME_LEN>() else {
        return false;
    };
    head.iter().zip(SHAPE).fold(true, |fits, (&b, &shape)| {
        fits & if shape == b'0' {
            b.wrapping_sub(b'0') < 10
        } else {
            b == shape
        }
    })
}

/// Where a timestamp starting at `pos` may end: with its zone, then without.
fn timestamp_ends(line: &[u8], pos: usize) -> [Option<usize>; 2] {
    if !has_date_time_shape(&line[pos..]) {
        return [None, None];
    }
    let mut end = pos + DATE_TIME_LEN;
    if line.get(end) == Some(&b'.') {
        let digits = run(line, end + 1, |b| b.is_ascii_digit());
        if digits > 0 {
            end += 1 + digits;
        }
    }
    // With the zone first (a regex's greedy try), then without; an array,
    // not a vector: this runs on every line.
    let mut with_zone = None;
    if line.get(end) == Some(&b' ') {
        let letters = run(line, end + 1, |b| b.is_ascii_alphabetic());
        if letters > 0 {
            with_zone = Some(end + 1 + letters);
        } else if matches!(line.get(end + 1), Some(b'+' | b'-')) {
            let digits = run(line, end + 2, |b| b.is_ascii_digit() || b == b':');
            if digits >= 2 {
                with_zone = Some(end + 2 + digits);
            }
        }
    }
    [with_zone, Some(end)]
}

/// Where a field piece starting at `pos` may end, in the order the search
/// tries them (a regex's greedy choices first): up to two single ends, then
/// a run of ends counting down. The first path takes the first; the search
/// tries each in turn.
struct FieldEnds {
    single: [Option<usize>; 2],
    /// From the second end down to the first, both included.
    down: Option<(usize, usize)>,
}

impl Iterator for FieldEnds {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        for end in &mut self.single {
            if let Some(end) = end.take() {
                return Some(end);
            }
        }
        let (low, high) = self.down?;
        self.down = (high > low).then(|| (low, high - 1));
        Some(high)
    }
}

// Inlined: each path's outer match then knows the piece, and the common
// line's prefix costs no call per field.
#[inline(always)]
fn field_ends(piece: &Piece, bytes: &[u8], pos: usize) -> FieldEnds {
    let one = |end: Option<usize>| FieldEnds {
        single: [end, None],
        down: None,
    };
    match piece {
        Piece::Timestamp => FieldEnds {
            single: timestamp_ends(bytes, pos),
            down: None,
        },
        Piece::Epoch => {
            let secs = run(bytes, pos, |b| b.is_ascii_digit());
            let mut end = pos + secs;
            if secs > 0 && bytes.get(end) == Some(&b'.') {
                end += 1 + run(bytes, end + 1, |b| b.is_ascii_digit());
            }
            one((secs > 0).then_some(end))
        }
        Piece::Digits { min, signed } => {
            let sign = usize::from(*signed && bytes.get(pos) == Some(&b'-'));
            let digits = run(bytes, pos + sign, |b| b.is_ascii_digit());
            FieldEnds {
                single: [None, None],
                down: (digits >= *min).then_some((pos + sign + min, pos + sign + digits)),
            }
        }
        Piece::SessionId => {
            let hex = |b: u8| b.is_ascii_hexdigit() && !b.is_ascii_uppercase();
            let first = run(bytes, pos, hex);
            let dot = pos + first;
            let second = if first > 0 && bytes.get(dot) == Some(&b'.') {
                run(bytes, dot + 1, hex)
            } else {
                0
            };
            one((second > 0).then_some(dot + 1 + second))
        }
        Piece::Vxid => {
            let backend = run(bytes, pos, |b| b.is_ascii_digit());
            let slash = pos + backend;
            let local = if backend > 0 && bytes.get(slash) == Some(&b'/') {
                run(bytes, slash + 1, |b| b.is_ascii_digit())
            } else {
                0
            };
            FieldEnds {
                single: [(local > 0).then_some(slash + 1 + local), Some(pos)],
                down: None,
            }
        }
        Piece::Sqlstate => one((bytes.len() >= pos + 5
            && bytes[pos..pos + 5]
                .iter()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()))
        .then_some(pos + 5)),
        Piece::Host => {
            let len = run(bytes, pos, |b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b':' | b'%' | b'_' | b'-')
            });
            FieldEnds {
                single: [has_at(bytes, pos, b"[local]").then_some(pos + 7), None],
                down: Some((pos, pos + len)),
            }
        }
        Piece::Literal(_) | Piece::Text | Piece::Remote | Piece::StopHere => one(None),
    }
}

/// Captures a span, or forgets the slot when there is none.
fn set_or_clear(caps: &mut Captures, slot: Option<Slot>, span: Option<(usize, usize)>) {
    match span {
        Some((start, end)) => caps.set(slot, start, end),
        None => caps.clear(slot),
    }
}

/// A `%r` candidate: host span, port span, where it ends.
type RemoteSpans = (Option<(usize, usize)>, Option<(usize, usize)>, usize);

/// `%r`'s candidates in the order a regex would try them: `[local]`,
/// `host(port)`, a bare host (longest first), nothing.
fn remote_candidates(line: &str, pos: usize) -> impl Iterator<Item = RemoteSpans> + '_ {
    let bytes = line.as_bytes();
    let local = has_at(bytes, pos, b"[local]").then_some((Some((pos, pos + 7)), None, pos + 7));
    let host = run(bytes, pos, |b| {
        !b.is_ascii_whitespace() && b != b'(' && b != b')'
    });
    let with_port = if host > 0 && bytes.get(pos + host) == Some(&b'(') {
        let port_start = pos + host + 1;
        let digits = run(bytes, port_start, |b| b.is_ascii_digit());
        (digits > 0 && bytes.get(port_start + digits) == Some(&b')')).then_some((
            Some((pos, pos + host)),
            Some((port_start, port_start + digits)),
            port_start + digits + 1,
        ))
    } else {
        None
    };
    // The bare hosts are scanned only if `[local]` and `host(port)` fail:
    // the common line never gets there.
    let bare_hosts = std::iter::once_with(move || {
        run(bytes, pos, |b| {
            !b.is_ascii_whitespace() && !matches!(b, b'(' | b')' | b':' | b'@')
        })
    })
    .flat_map(move |bare| {
        // A host ends between characters, never inside one.
        (1..=bare)
            .rev()
            .filter(move |&n| line.is_char_boundary(pos + n))
            .map(move |n| (Some((pos, pos + n)), None, pos + n))
    });
    local
        .into_iter()
        .chain(with_port)
        .chain(bare_hosts)
        .chain(std::iter::once((None, None, pos)))
}

/// The first path (see [`Matcher::first_path`]) through RDS's
/// `%t:%r:%u@%d:[%p]:` written out: nearly every line sslcensus reads has
/// this prefix, and the general loop over pieces cost as much as the rest
/// of the line's parsing. It takes the same first choices (the timestamp
/// with its zone, `%r`'s first candidate, the user up to the first `@`,
/// the database up to the first `:[`, all the pid's digits), so where it
/// matches it captures what the first path would (tested against it); any
/// other line goes to the general matcher.
fn rds_path(line: &str) -> Option<Matched> {
    let bytes = line.as_bytes();
    let time_end = rds_time_end(bytes)?;
    let fields = rds_after_time(bytes, time_end)?;
    let mut captures = Captures::default();
    captures.set(Some(Slot::Time), 0, time_end);
    if let Some((start, end)) = fields.host {
        captures.set(Some(Slot::RemoteHost), start, end);
    }
    if let Some((start, end)) = fields.port {
        captures.set(Some(Slot::RemotePort), start, end);
    }
    captures.set(Some(Slot::Pid), fields.pid.0, fields.pid.1);
    Some(Matched {
        captures,
        severity: fields.severity,
        message: fields.message,
    })
}

/// Where the timestamp RDS's prefix starts with ends, on its first path
/// (with its zone if it has one).
#[inline(always)]
pub(crate) fn rds_time_end(bytes: &[u8]) -> Option<usize> {
    let [with_zone, without] = timestamp_ends(bytes, 0);
    with_zone.or(without)
}

/// What RDS's prefix holds after its timestamp, as byte spans of the line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RdsFields {
    /// `%r`'s host, if any.
    pub host: Option<(usize, usize)>,
    /// `%r`'s port, if any (ASCII digits).
    pub port: Option<(usize, usize)>,
    /// `%p` (ASCII digits).
    pub pid: (usize, usize),
    pub severity: (usize, usize),
    pub message: usize,
}

/// The rest of [`rds_path`] after a timestamp ending at `time_end`:
/// `:%r:%u@%d:[%p]:` and the severity. Split out so that a reader that
/// knows where the timestamp ends (the line repeats the one before it)
/// goes on from there.
#[inline(always)]
pub(crate) fn rds_after_time(bytes: &[u8], time_end: usize) -> Option<RdsFields> {
    let mut pos = time_end;
    if bytes.get(pos) != Some(&b':') {
        return None;
    }
    pos += 1;
    // `%r`: the general matcher's first candidate, as the first path takes it.
    let (host, port, end) = host_and_port(bytes, pos).unwrap_or_else(|| first_remote(bytes, pos));
    pos = end;
    if bytes.get(pos) != Some(&b':') {
        return None;
    }
    pos += 1;
    // `%u@%d:[`: the user up to the first `@`, the database up to the first
    // `:[` after it, searched a word at a time.
    pos = word::find_byte(bytes, pos, b'@')? + 1;
    loop {
        pos = word::find_byte(bytes, pos, b':')? + 1;
        if bytes.get(pos) == Some(&b'[') {
            pos += 1;
            break;
        }
    }
    let digits = run(bytes, pos, |b| b.is_ascii_digit());
    if digits == 0 {
        return None;
    }
    let pid = (pos, pos + digits);
    pos += digits;
    if !has_at(bytes, pos, b"]:") {
        return None;
    }
    let (severity, message) = severity(bytes, pos + 2)?;
    Some(RdsFields {
        host,
        port,
        pid,
        severity,
        message,
    })
}

/// `%r`'s first candidate at `pos` where it is `host(port)`, as nearly
/// every TCP line has it: [`first_remote`]'s answer then, found a word at a
/// time; `None` for anything else (`[local]`, a bare host, a host with a
/// byte below `*` in it), which `first_remote` reads.
#[inline(always)]
fn host_and_port(bytes: &[u8], pos: usize) -> Option<RemoteSpans> {
    // Whitespace and both parentheses are below `*`: where the first such
    // byte is a `(`, the host before it holds none of the bytes that end
    // `first_remote`'s host.
    let open = word::find_below(bytes, pos, b'*')?;
    if open == pos || bytes[open] != b'(' || has_at(bytes, pos, b"[local]") {
        return None;
    }
    let port_start = open + 1;
    let digits = run(bytes, port_start, |b| b.is_ascii_digit());
    (digits > 0 && bytes.get(port_start + digits) == Some(&b')')).then_some((
        Some((pos, open)),
        Some((port_start, port_start + digits)),
        port_start + digits + 1,
    ))
}

/// `%r`'s first candidate at `pos` (what [`remote_candidates`] yields
/// first), without building the iterator: `[local]`, else `host(port)`,
/// else the longest bare host, else nothing.
#[inline(always)]
fn first_remote(bytes: &[u8], pos: usize) -> RemoteSpans {
    if has_at(bytes, pos, b"[local]") {
        return (Some((pos, pos + 7)), None, pos + 7);
    }
    let rest = &bytes[pos..];
    let host = rest
        .iter()
        .position(|&b| b.is_ascii_whitespace() || b == b'(' || b == b')')
        .unwrap_or(rest.len());
    if host > 0 && rest.get(host) == Some(&b'(') {
        let digits = run(rest, host + 1, |b| b.is_ascii_digit());
        if digits > 0 && rest.get(host + 1 + digits) == Some(&b')') {
            let port_start = pos + host + 1;
            return (
                Some((pos, pos + host)),
                Some((port_start, port_start + digits)),
                port_start + digits + 1,
            );
        }
    }
    // The longest bare host ends before an ASCII byte or at the line's
    // end: always a character boundary.
    let bare = run(bytes, pos, |b| {
        !b.is_ascii_whitespace() && !matches!(b, b'(' | b')' | b':' | b'@')
    });
    if bare > 0 {
        (Some((pos, pos + bare)), None, pos + bare)
    } else {
        (None, None, pos)
    }
}

impl Matcher {
    /// Compiles the escapes of a `log_line_prefix`.
    pub(crate) fn compile(escapes: &str) -> Result<Matcher, PrefixError> {
        let mut steps: Vec<Step> = Vec::new();
        let mut seen: Vec<char> = Vec::new();
        let mut chars = escapes.chars();
        while let Some(c) = chars.next() {
            if c != '%' || chars.as_str().starts_with('%') {
                if c == '%' {
                    chars.next(); // `%%` is a literal percent sign
                }
                match steps.last_mut() {
                    Some(Step {
                        piece: Piece::Literal(text),
                        ..
                    }) => text.extend_from_slice(c.to_string().as_bytes()),
                    _ => steps.push(Step {
                        piece: Piece::Literal(c.to_string().into_bytes()),
                        slot: None,
                    }),
                }
                continue;
            }
            let escape = chars.next().ok_or_else(|| PrefixError::LonePercent {
                prefix: escapes.to_string(),
            })?;
            let first = !seen.contains(&escape);
            seen.push(escape);
            let (piece, slot) = match escape {
                't' | 'm' => (Piece::Timestamp, Some(Slot::Time)),
                's' => (Piece::Timestamp, None),
                'n' => (Piece::Epoch, Some(Slot::Epoch)),
                'p' => (
                    Piece::Digits {
                        min: 1,
                        signed: false,
                    },
                    Some(Slot::Pid),
                ),
                'l' | 'x' => (
                    Piece::Digits {
                        min: 1,
                        signed: false,
                    },
                    None,
                ),
                'P' => (
                    Piece::Digits {
                        min: 0,
                        signed: false,
                    },
                    None,
                ),
                'Q' => (
                    Piece::Digits {
                        min: 1,
                        signed: true,
                    },
                    None,
                ),
                'r' => (Piece::Remote, Some(Slot::RemoteHost)),
                'h' => (Piece::Host, Some(Slot::Host)),
                'a' => (Piece::Text, Some(Slot::Application)),
                'u' | 'd' | 'b' | 'i' | 'L' => (Piece::Text, None),
                'c' => (Piece::SessionId, None),
                'v' => (Piece::Vxid, None),
                'e' => (Piece::Sqlstate, None),
                'q' => (Piece::StopHere, None),
                other => {
                    return Err(PrefixError::UnknownEscape {
                        prefix: escapes.to_string(),
                        escape: other,
                    });
                }
            };
            steps.push(Step {
                piece,
                slot: slot.filter(|_| first),
            });
        }
        let rds = is_rds_shape(&steps);
        Ok(Matcher { steps, rds })
    }

    /// Whether this is RDS's prefix (`%t:%r:%u@%d:[%p]:`, or with `%m`),
    /// which [`rds_after_time`] reads.
    pub(crate) fn is_rds(&self) -> bool {
        self.rds
    }

    /// Whether the prefix holds the stored application name (`%a`).
    pub(crate) fn names_the_application(&self) -> bool {
        self.steps
            .iter()
            .any(|step| step.slot == Some(Slot::Application))
    }

    /// Matches the prefix, the severity and its two spaces at `start`.
    pub(crate) fn match_at(&self, line: &str, start: usize) -> Option<Matched> {
        if self.rds
            && start == 0
            && let Some(matched) = rds_path(line)
        {
            return Some(matched);
        }
        let mut captures = Captures::default();
        let (severity, message) = match self.first_path(line, start, &mut captures) {
            Some(found) => found,
            None => {
                captures = Captures::default();
                self.step(line, 0, start, &mut captures)?
            }
        };
        Some(Matched {
            captures,
            severity,
            message,
        })
    }

    /// The path the backtracking search tries first (each piece's first
    /// candidate end), followed without recursion. Almost every real line
    /// matches on it, and when it does the search would have returned the
    /// very same captures; when it does not, `None` sends the line to the
    /// full search.
    fn first_path(
        &self,
        line: &str,
        start: usize,
        caps: &mut Captures,
    ) -> Option<((usize, usize), usize)> {
        let bytes = line.as_bytes();
        let mut pos = start;
        for (i, step) in self.steps.iter().enumerate() {
            let end = match &step.piece {
                Piece::Literal(text) => {
                    if !has_at(bytes, pos, text) {
                        return None;
                    }
                    pos + text.len()
                }
                // The search goes on past `%q` first.
                Piece::StopHere => pos,
                Piece::Text => match self.steps.get(i + 1).map(|s| &s.piece) {
                    Some(Piece::Literal(text)) if !text.is_empty() => {
                        pos + memchr::memchr_iter(text[0], &bytes[pos..])
                            .find(|&at| has_at(bytes, pos + at, text))?
                    }
                    // As short as possible: empty.
                    _ => pos,
                },
                Piece::Timestamp
                | Piece::Epoch
                | Piece::Digits { .. }
                | Piece::SessionId
                | Piece::Vxid
                | Piece::Sqlstate
                | Piece::Host => field_ends(&step.piece, bytes, pos).next()?,
                Piece::Remote => {
                    let (host, port, end) = first_remote(bytes, pos);
                    set_or_clear(caps, step.slot, host);
                    set_or_clear(caps, step.slot.map(|_| Slot::RemotePort), port);
                    pos = end;
                    continue;
                }
            };
            caps.set(step.slot, pos, end);
            pos = end;
        }
        severity(bytes, pos)
    }

    /// Tries the pieces from step `i` at byte `pos`, first success wins.
    fn step(
        &self,
        line: &str,
        i: usize,
        pos: usize,
        caps: &mut Captures,
    ) -> Option<((usize, usize), usize)> {
        let bytes = line.as_bytes();
        let Some(step) = self.steps.get(i) else {
            return severity(bytes, pos);
        };
        let next = |caps: &mut Captures, end: usize| {
            caps.set(step.slot, pos, end);
            self.step(line, i + 1, end, caps)
        };
        match &step.piece {
            Piece::Literal(text) => {
                if has_at(bytes, pos, text) {
                    self.step(line, i + 1, pos + text.len(), caps)
                } else {
                    None
                }
            }
            Piece::StopHere => self.step(line, i + 1, pos, caps).or_else(|| {
                for later in &self.steps[i + 1..] {
                    caps.clear(later.slot);
                }
                caps.clear(Some(Slot::RemotePort));
                severity(bytes, pos)
            }),
            Piece::Text => match self.steps.get(i + 1).map(|s| &s.piece) {
                // As short as possible: end at each occurrence of what follows.
                // Prefix literals are a byte or two (`@`, `:[`): a memchr on
                // the first byte costs nothing to set up, unlike a memmem
                // searcher built per line.
                Some(Piece::Literal(text)) if !text.is_empty() => {
                    memchr::memchr_iter(text[0], &bytes[pos..])
                        .filter(|&at| has_at(bytes, pos + at, text))
                        .find_map(|at| next(caps, pos + at))
                }
                _ => (pos..=bytes.len())
                    .filter(|&end| line.is_char_boundary(end))
                    .find_map(|end| next(caps, end)),
            },
            Piece::Timestamp
            | Piece::Epoch
            | Piece::Digits { .. }
            | Piece::SessionId
            | Piece::Vxid
            | Piece::Sqlstate
            | Piece::Host => field_ends(&step.piece, bytes, pos).find_map(|end| next(caps, end)),
            Piece::Remote => self.remote(line, i, pos, caps),
        }
    }

    /// `%r`: each candidate in turn, first success wins.
    fn remote(
        &self,
        line: &str,
        i: usize,
        pos: usize,
        caps: &mut Captures,
    ) -> Option<((usize, usize), usize)> {
        let slot = self.steps[i].slot;
        let port_slot = slot.map(|_| Slot::RemotePort);
        remote_candidates(line, pos).find_map(|(host, port, end)| {
            set_or_clear(caps, slot, host);
            set_or_clear(caps, port_slot, port);
            self.step(line, i + 1, end, caps)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The search without its fast path.
    fn full_search(m: &Matcher, line: &str) -> Option<(Captures, (usize, usize), usize)> {
        let mut caps = Captures::default();
        let (severity, message) = m.step(line, 0, 0, &mut caps)?;
        Some((caps, severity, message))
    }

    /// RDS's written-out path matches what the first path (and so the
    /// search) matches, on every line of the table below, the first path's
    /// table and the repository's RDS-prefixed samples.
    #[test]
    fn the_rds_path_finds_what_the_first_path_finds() {
        let mut lines: Vec<String> = [
            "2026-11-29 03:52:55 UTC:127.0.0.1(53004):postgres@postgres:[6504]:LOG:  connection received: host=127.0.0.1 port=53004",
            "2026-11-29 03:52:55 UTC:[local]:postgres@postgres:[6504]:LOG:  connection authorized: user=postgres",
            "2026-11-29 03:52:55 UTC:[local](5):u@d:[1]:LOG:  x",
            "2026-11-02 09:14:07 UTC:::1(40522):ops@cron@Sales DW:[8812]:LOG:  connection authorized: user=ops@cron database=Sales DW",
            "2026-11-02 09:14:07 UTC:2600:1f18::1(40522):u@d:[8812]:FATAL:  no pg_hba.conf entry",
            "2026-11-02 09:14:07 UTC:10.0.0.1(5):u@d:[]:LOG:  x",
            "2026-11-02 09:14:07 UTC:10.0.0.1(5):u@d:[12a]:LOG:  x",
            "2026-11-02 09:14:07 UTC:10.0.0.1(5):u@d:[12]:NOTASEVERITY:  x",
            "2026-11-02 09:14:07 UTC:10.0.0.1:u@d:[12]:LOG:  bare host",
            "2026-11-02 09:14:07 UTC::u@d:[12]:LOG:  no host",
            "2026-11-02 09:14:07 UTC:10.0.0.1():u@d:[12]:LOG:  x",
            "2026-11-02 09:14:07 UTC:h(1):user:[x]@db:[3]:LOG:  colon-bracket in the user",
            "2026-11-02 09:14:07 UTC:h(1):u@d:[3]x:[4]:LOG:  a second :[",
            "2026-11-02 09:14:07.123 UTC:h(1):u@d:[3]:LOG:  millis",
            "2026-11-02 09:14:07 +05:30:h(1):u@d:[3]:LOG:  offset zone",
            "2026-11-02 09:14:07:h(1):u@d:[3]:LOG:  no zone",
            "2026-11-02 09:14:07 UTC:h(1):u@d:[3]:LOG: one space",
            "2026-11-02 09:14:07 UTC:h(1):u@d:[3]",
            "2026-11-02 09:14",
            // The host runs to the end of the line (found by the fuzz corpus).
            "2026-11-02 09:14:07 UTC:10.0.0.1",
            "2026-11-02 09:14:07 UTC:10.0.0.1(",
            "2026-11-02 09:14:07 UTC:10.0.0.1(5",
            "2026-11-02 09:14:07 UTC:10.0.0.1(5)",
            "2026-11-02 09:14:07 UTC:10.0.0.1(5):u",
            "2026-11-02 09:14:07 UTC:10.0.0.1(5):u@d:",
            "2026-11-02 09:14:07 UTC:10.0.0.1(5):u@d:[",
            "2026-11-02 09:14:07 UTC:10.0.0.1(5):u@d:[1]",
            "",
        ]
        .map(String::from)
        .to_vec();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/postgresql");
        for entry in walk(&root) {
            if let Ok(text) = std::fs::read_to_string(&entry) {
                lines.extend(
                    text.lines()
                        .filter(|l| l.contains(" UTC:"))
                        .map(String::from),
                );
            }
        }
        assert!(lines.len() > 200, "{}", lines.len());
        for escapes in ["%t:%r:%u@%d:[%p]:", "%m:%r:%u@%d:[%p]:"] {
            let m = Matcher::compile(escapes).unwrap();
            assert!(m.rds, "{escapes}");
            let mut taken = 0;
            for line in &lines {
                let mut caps = Captures::default();
                let first = m
                    .first_path(line, 0, &mut caps)
                    .map(|(severity, message)| (caps, severity, message));
                let fast = rds_path(line).map(|m| (m.captures, m.severity, m.message));
                if fast.is_some() {
                    taken += 1;
                    assert_eq!(fast, first, "{escapes} / {line}");
                }
                let matched = m
                    .match_at(line, 0)
                    .map(|m| (m.captures, m.severity, m.message));
                assert_eq!(matched, full_search(&m, line), "{escapes} / {line}");
            }
            assert!(taken > 200, "{taken}");
        }
        assert!(!Matcher::compile("%t:%r:%u@%d:[%p]: %a").unwrap().rds);
        assert!(!Matcher::compile("%m [%p] %q%u@%d ").unwrap().rds);
    }

    /// The written-out path against the first path on lines damaged at
    /// every byte: each sample line cut short there, or with that byte
    /// replaced by one of the prefix's delimiters; and `%r`'s first
    /// candidate against the candidates' iterator where `%r` starts.
    #[test]
    fn the_rds_path_agrees_with_the_first_path_on_damaged_lines() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/postgresql");
        let mut lines: Vec<String> = Vec::new();
        for entry in walk(&root) {
            if let Ok(text) = std::fs::read_to_string(&entry) {
                lines.extend(
                    text.lines()
                        .filter(|l| l.contains(" UTC:") && l.len() < 200)
                        .take(4)
                        .map(String::from),
                );
            }
        }
        lines.truncate(60);
        assert!(lines.len() > 20, "{}", lines.len());
        let m = Matcher::compile("%t:%r:%u@%d:[%p]:").unwrap();
        let mut compared = 0;
        for line in &lines {
            let bytes = line.as_bytes();
            for at in 0..bytes.len() {
                let mut variants = vec![bytes[..at].to_vec()];
                for b in *b": @[]()1x.+\t" {
                    let mut v = bytes.to_vec();
                    v[at] = b;
                    variants.push(v);
                }
                for v in variants {
                    let Ok(v) = String::from_utf8(v) else {
                        continue;
                    };
                    let mut caps = Captures::default();
                    let first = m
                        .first_path(&v, 0, &mut caps)
                        .map(|(severity, message)| (caps, severity, message));
                    if let Some(fast) = rds_path(&v) {
                        assert_eq!(
                            Some((fast.captures, fast.severity, fast.message)),
                            first,
                            "{v}"
                        );
                    }
                    // Where `%r` starts in these lines, and around it,
                    // for damage there.
                    let near = if (18..60).contains(&at) { 30 } else { 0 };
                    for pos in (18..=v.len()).take(near) {
                        assert_eq!(
                            Some(first_remote(v.as_bytes(), pos)),
                            remote_candidates(&v, pos).next(),
                            "{v} at {pos}"
                        );
                    }
                    compared += 1;
                }
            }
        }
        assert!(compared > 10_000, "{compared}");
    }

    #[test]
    fn the_date_time_shape() {
        // (text, whether it starts with YYYY-MM-DD HH:MM:SS)
        let table = [
            ("2026-11-29 03:52:55", true),
            ("2026-11-29 03:52:55 UTC:x", true),
            ("2026-11-29 03:52:5", false),
            ("2026-11-29T03:52:55", false),
            ("2026/11/29 03:52:55", false),
            ("2026-11-29 03-52:55", false),
            ("20a6-11-29 03:52:55", false),
            ("2026-11-29 03:52:5x", false),
            ("\u{661}026-11-29 03:52:55", false),
            ("", false),
        ];
        for (text, fits) in table {
            assert_eq!(has_date_time_shape(text.as_bytes()), fits, "{text}");
        }
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
        files
    }

    #[test]
    fn the_first_path_finds_what_the_search_finds() {
        // (log_line_prefix, line): lines the first path takes, and lines
        // where it must give up and leave them to the search.
        let table = [
            (
                "%t:%r:%u@%d:[%p]:",
                "2026-11-29 03:52:55 UTC:127.0.0.1(53004):postgres@postgres:[6504]:LOG:  connection received: host=127.0.0.1 port=53004",
            ),
            (
                "%t:%r:%u@%d:[%p]:",
                "2026-11-02 09:14:07 UTC:::1(40522):ops@cron@Sales DW:[8812]:LOG:  connection authorized: user=ops@cron database=Sales DW",
            ),
            (
                "%t:%r:%u@%d:[%p]:",
                "2026-11-02 09:14:07 UTC:[local]:postgres@postgres:[77]:LOG:  connection authorized: user=postgres database=postgres",
            ),
            (
                "%t:%r:%u@%d:[%p]:",
                "2026-11-02 09:14:07 UTC::@:[6504]:LOG:  checkpoint starting: time",
            ),
            (
                "%t:%r:%u@%d:[%p]:",
                "2026-11-02 09:14:07 UTC:10.0.0.1(5):a@b:[c]:[9]:LOG:  database name holds the next literal",
            ),
            (
                "%t:%r:%u@%d:[%p]:",
                "2026-11-02 09:14:07 UTC:10.0.0.1(5):a@b:[9]:LOG  no severity marker",
            ),
            (
                "%m [%p] ",
                "2026-11-29 03:52:55.964 UTC [6504] LOG:  connection received: host=::1 port=1",
            ),
            (
                "%m [%p] %q%u@%d ",
                "2026-11-29 03:52:55.964 UTC [6504] app@orders LOG:  disconnection: session time: 0:00:01.000 user=app database=orders host=::1 port=1",
            ),
            (
                "%m [%p] %q%u@%d ",
                "2026-11-29 03:52:55.964 UTC [6504] LOG:  checkpoint starting: time",
            ),
            (
                "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
                "2026-11-29 03:52:55 UTC [6504]: [3-1] user=app,db=orders,app=billing api,client=10.1.1.1 LOG:  disconnection: session time: 0:00:01.000 user=app database=orders host=10.1.1.1 port=1",
            ),
            (
                "%n|%p|%h|",
                "1795924375.123|42|10.1.1.1|FATAL:  password authentication failed for user \"x\"",
            ),
            (
                "%m %c %v %e %x %%%p%% ",
                "2026-11-29 03:52:55.964 UTC 6b0ba197.1968 3/1 08P01 0 %17% LOG:  connection received: host=::1 port=1",
            ),
            (
                "%m %c %v %e %x %%%p%% ",
                "2026-11-29 03:52:55.964 UTC 6b0ba197.1968  08P01 0 %17% LOG:  connection received: host=::1 port=1",
            ),
            (
                "%t [%p] %q[%a] ",
                "2026-11-29 03:52:55 UTC [5] [app: [x] y] LOG:  disconnection: session time: 0:00:01.000 user=u database=d host=h",
            ),
            (
                "%t [%p] %q[%a] ",
                "2026-11-29 03:52:55 UTC [5] LOG:  checkpoint starting: time",
            ),
            (
                "%t %r %a%u ",
                "2026-11-29 03:52:55 UTC 10.0.0.1 psqlapp LOG:  x",
            ),
            ("%t %r ", "2026-11-29 03:52:55 UTC host(12)x LOG:  x"),
            ("%t %h%p ", "2026-11-29 03:52:55 UTC 10.0.0.12345 LOG:  x"),
            (
                "%m %Q:%P:%a ",
                "2026-11-29 03:52:55.964 +05:30 -12::a LOG:  x",
            ),
            ("%t:%r:%u@%d:[%p]:", "not a log line at all"),
        ];
        let (mut taken, mut searched) = (0, 0);
        for (escapes, line) in table {
            let m = Matcher::compile(escapes).unwrap();
            let full = full_search(&m, line);
            let mut caps = Captures::default();
            if let Some((severity, message)) = m.first_path(line, 0, &mut caps) {
                assert_eq!(Some((caps, severity, message)), full, "{escapes} / {line}");
                taken += 1;
            } else if full.is_some() {
                searched += 1;
            }
            let matched = m
                .match_at(line, 0)
                .map(|m| (m.captures, m.severity, m.message));
            assert_eq!(matched, full, "{escapes} / {line}");
        }
        assert!(taken >= 12 && searched >= 3, "{taken} {searched}");
    }
}
