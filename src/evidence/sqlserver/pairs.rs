//! The `key=value;…` pairs of SQL Server's connection strings, JDBC
//! properties and Prisma URLs, masked.

use super::*;

/// The quoted string around `at`, or the rest of its line.
pub(super) fn enclosing_span(text: &str, at: usize) -> (usize, usize) {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let bytes = text.as_bytes();
    let mut open: Option<(u8, usize)> = None;
    for (i, &b) in bytes.iter().enumerate().take(at).skip(line_start) {
        match open {
            Some((q, _)) if b == q => open = None,
            None if matches!(b, b'"' | b'\'' | b'`') => open = Some((b, i)),
            _ => {}
        }
    }
    match open {
        Some((q, i)) => {
            let end = text[at..line_end]
                .find(q as char)
                .map_or(line_end, |e| at + e);
            (i + 1, end)
        }
        None => {
            let end = line_start + text[line_start..line_end].trim_end().len();
            (line_start, end.max(at))
        }
    }
}

/// One `key=value` of a connection string.
pub(super) struct CsPair<'a> {
    /// Normalized key (lowercase, no spaces or underscores).
    pub(super) key: String,
    pub(super) value: &'a str,
    /// Byte offset of the key in the span.
    pub(super) offset: usize,
    /// The value as written (braces, quotes), in the span.
    pub(super) raw: std::ops::Range<usize>,
}

/// Keys whose values are never shown.
pub(super) fn is_secret(key: &str) -> bool {
    [
        "pwd",
        "password",
        "passphrase",
        "secret",
        "token",
        "accesskey",
    ]
    .iter()
    .any(|s| key.contains(s))
}

/// `span[from..]` with secret values replaced by `****`, whatever they
/// hold (`PWD={a;b}` defeats a pattern).
pub(super) fn masked_from(span: &str, pairs: &[CsPair<'_>], from: usize) -> String {
    let mut out = String::new();
    let mut at = from;
    for p in pairs
        .iter()
        .filter(|p| is_secret(&p.key) && p.raw.start >= from)
    {
        out.push_str(&span[at..p.raw.start]);
        out.push_str("****");
        at = p.raw.end;
    }
    out.push_str(&span[at..]);
    out
}

/// `key=value;…` with `{…}` and quoted values; a leading `NAME=` or
/// `name: ` before the first key (an env var, a YAML key) is skipped.
pub(super) fn cs_pairs(span: &str) -> Vec<CsPair<'_>> {
    let mut out = Vec::new();
    let bytes = span.as_bytes();
    let mut seg_start = 0;
    let mut i = 0;
    let mut depth = 0;
    let mut quote: Option<u8> = None;
    while i <= bytes.len() {
        let b = bytes.get(i).copied();
        match (b, quote) {
            (Some(q), Some(open)) if q == open => quote = None,
            (Some(_), Some(_)) => {}
            (Some(b'{'), None) => depth += 1,
            (Some(b'}'), None) => depth -= 1,
            // A quoted value.
            (Some(q @ (b'"' | b'\'')), None)
                if depth == 0 && span[seg_start..i].trim_end().ends_with('=') =>
            {
                quote = Some(q);
            }
            (Some(b';') | None, None) if depth <= 0 => {
                let seg = &span[seg_start..i];
                if let Some(pair) = cs_pair(seg, seg_start, out.is_empty()) {
                    out.push(pair);
                }
                seg_start = i + 1;
                depth = 0;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

pub(super) fn cs_pair(seg: &str, seg_start: usize, first: bool) -> Option<CsPair<'_>> {
    let trimmed_start = seg.len() - seg.trim_start().len();
    let mut seg_off = seg_start + trimmed_start;
    let mut seg = seg.trim();
    if first {
        // `ConnectionStrings__Default=Server=…`, `export X=Driver={…}`,
        // `connectionString: Server=…`.
        let brace = seg.find('{').unwrap_or(seg.len());
        let eqs: Vec<usize> = seg[..brace].match_indices('=').map(|(i, _)| i).collect();
        if eqs.len() >= 2 {
            let cut = eqs[0] + 1;
            seg_off += cut;
            seg = &seg[cut..];
        }
        if let Some(colon) = seg.find(": ")
            && colon < seg.find('=').unwrap_or(0)
        {
            let cut = colon + 2;
            seg_off += cut;
            seg = &seg[cut..];
        }
        let lead = seg.len() - seg.trim_start().len();
        seg_off += lead;
        seg = seg.trim_start();
    }
    let (k, v) = seg.split_once('=')?;
    let raw_start = seg_off + k.len() + 1 + (v.len() - v.trim_start().len());
    let raw = raw_start..(seg_off + seg.trim_end().len()).max(raw_start);
    let key = norm_key(k);
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let v = v.trim();
    let v = v
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or_else(|| unquote(v));
    Some(CsPair {
        key,
        value: v.trim(),
        offset: seg_off,
        raw,
    })
}

/// `;key=value;key={value}` properties, keys normalized.
/// `;key=value;key={va;lue}` properties (keys normalized) and the text
/// with secrets masked.
pub(super) fn jdbc_props(props: &str) -> (Vec<(String, String)>, String) {
    let pairs = cs_pairs(props);
    let masked = masked_from(props, &pairs, 0);
    let params = pairs
        .into_iter()
        .map(|p| (p.key, p.value.to_string()))
        .collect();
    (params, masked)
}
