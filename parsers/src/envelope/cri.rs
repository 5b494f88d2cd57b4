//! CRI container logs (containerd, CRI-O: the files under `/var/log/pods/`,
//! `/var/log/containers/`): `<RFC 3339 time> <stream> <tag> <line>`, the
//! tag `F` for a whole line or its last part, `P` for a part the runtime
//! cut off (a line longer than its buffer, 16 KiB by default) with the rest
//! on the following lines of the same stream. A record is read at its `F`
//! line, with the `P` parts before it put in front; a `P` line opens to
//! nothing, and the scan moves a hit on one to the `F` line that ends it
//! ([`Envelope::is_partial`]).
//!
//! Source: the Kubernetes CRI logging format (kubernetes `pkg/kubelet/kuberuntime/logs`,
//! `parseCRILog`: time, stream, tag `P`/`F`, content).

use std::borrow::Cow;

use super::{Envelope, Needles, Opened, rfc3339};

#[derive(Debug)]
pub struct Cri;

/// What marks a `P` line: each is a hit, for a needle may straddle the cut.
pub(super) const PART_NEEDLES: [&str; 2] = [" stdout P ", " stderr P "];

/// How many lines before an `F` line are searched for its `P` parts: a
/// connection line is far shorter than even one 16 KiB part.
const LOOK_BACK_LINES: usize = 64;

/// A CRI line's parts: time, stream, whether it is partial, the content.
fn split(line: &str) -> Option<(&str, &str, bool, &str)> {
    let (time, rest) = line.split_once(' ')?;
    let (stream, rest) = rest.split_once(' ')?;
    if !matches!(stream, "stdout" | "stderr") || !time.as_bytes().first()?.is_ascii_digit() {
        return None;
    }
    // The content may be empty: `<time> stdout F` with nothing after.
    let (tag, content) = rest.split_once(' ').unwrap_or((rest, ""));
    // Tags are `:`-separated; the first says partial or full.
    let partial = match tag.split(':').next()? {
        "P" => true,
        "F" => false,
        _ => return None,
    };
    Some((time, stream, partial, content))
}

impl Envelope for Cri {
    fn name(&self) -> &'static str {
        "CRI container log lines"
    }

    fn needles(&self) -> Needles {
        Needles::WithCriParts
    }

    fn open<'a>(&self, line: &'a str) -> Option<Opened<'a>> {
        let (time, _, partial, content) = split(line)?;
        Some(Opened {
            time: rfc3339(Some(time)),
            line: Cow::Borrowed(if partial { "" } else { content }),
        })
    }

    fn open_after<'a>(&self, line: &'a str, before: &[u8]) -> Option<Opened<'a>> {
        let (time, stream, partial, content) = split(line)?;
        if partial {
            return self.open(line);
        }
        // The `P` parts just before, of the same stream (the other stream's
        // lines may come between), last first; a few lines back at most.
        let mut parts = Vec::new();
        let mut rest = before.strip_suffix(b"\n").unwrap_or(before);
        for _ in 0..LOOK_BACK_LINES {
            if rest.is_empty() {
                break;
            }
            let start = memchr::memrchr(b'\n', rest).map_or(0, |i| i + 1);
            let previous = std::str::from_utf8(&rest[start..]).ok();
            match previous.and_then(split) {
                Some((_, s, _, _)) if s != stream => {}
                Some((_, _, true, part)) => parts.push(part.to_string()),
                _ => break,
            }
            rest = &rest[..start.saturating_sub(1)];
            if start == 0 {
                break;
            }
        }
        let time = rfc3339(Some(time));
        if parts.is_empty() {
            return Some(Opened {
                time,
                line: Cow::Borrowed(content),
            });
        }
        parts.reverse();
        Some(Opened {
            time,
            line: Cow::Owned(parts.concat() + content),
        })
    }

    fn is_partial(&self, line: &[u8]) -> bool {
        std::str::from_utf8(line)
            .ok()
            .and_then(split)
            .is_some_and(|(_, _, partial, _)| partial)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real-shaped lines: the samples' lines as containerd writes them.
    #[test]
    fn lines_are_opened() {
        let table = [
            (
                "2026-11-29T05:00:27.123456789Z stderr F 2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@appdb:[12919]:LOG:  connection received: host=127.0.0.10 port=40000",
                Some(1_795_928_427_123),
                "2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@appdb:[12919]:LOG:  connection received: host=127.0.0.10 port=40000",
            ),
            (
                "2026-11-29T05:18:27.345+00:00 stdout F \t\t     5 Connect\tapp-user@127.0.0.42 on shop-db using SSL/TLS",
                Some(1_795_929_507_345),
                "\t\t     5 Connect\tapp-user@127.0.0.42 on shop-db using SSL/TLS",
            ),
            ("2026-11-29T05:18:27Z stdout F", Some(1_795_929_507_000), ""),
            (
                "2026-11-29T05:18:27Z stderr P 2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@",
                Some(1_795_929_507_000),
                "",
            ),
        ];
        let not_opened = [
            "2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@appdb:[12919]:LOG:  x",
            "2026-11-29T05:18:27Z stdin F x",
            "2026-11-29T05:18:27Z stdout X x",
            r#"{"log":"x","stream":"stderr","time":"2026-11-29T05:00:27Z"}"#,
        ];
        crate::envelope::assert_opens(&Cri, &table, &not_opened);
    }

    /// A line cut into `P` parts is read whole at its `F` line; parts of the
    /// other stream, or before an earlier `F`, are not its.
    #[test]
    fn partial_lines_are_joined() {
        let before = concat!(
            "2026-11-29T05:00:26Z stderr F earlier\n",
            "2026-11-29T05:00:27Z stderr P 2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@appdb:[12919]:LOG:  connection auth\n",
            "2026-11-29T05:00:27Z stdout F other stream\n",
            "2026-11-29T05:00:27Z stderr P orized: user=app-user database=appdb \n",
        );
        let last = "2026-11-29T05:00:27.5Z stderr F application_name=app";
        let opened = Cri.open_after(last, before.as_bytes()).unwrap();
        assert_eq!(
            opened.line,
            "2026-11-29 05:00:27 UTC:127.0.0.10(40000):app-user@appdb:[12919]:LOG:  connection authorized: user=app-user database=appdb application_name=app"
        );
        assert_eq!(opened.time, Some(1_795_928_427_500));
        assert!(Cri.is_partial(b"2026-11-29T05:00:27Z stderr P x"));
        assert!(!Cri.is_partial(last.as_bytes()));
        // Nothing before: the line alone.
        assert_eq!(
            Cri.open_after(last, b"").unwrap().line,
            "application_name=app"
        );
    }
}
