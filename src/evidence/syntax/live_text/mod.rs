//! One file's text as the detectors read it: comments blanked out and the
//! string literals a language concatenates joined, so that `scan-config`
//! reports only live settings. Built once per file in
//! [`crate::evidence::detect_all`]; every detector reads the result, never the file.
//!
//! The syntax is chosen by the file's name (see [`Syntax::of`]); a name no
//! rule knows is read as it is. What each syntax blanks:
//! - `#` comments: anywhere outside strings in Python, Ruby, Elixir, TOML,
//!   HCL and `my.cnf` (mysys' `remove_end_comment`: outside quotes, even
//!   mid-line); at the start of a word (line start or after whitespace) in
//!   YAML (block scalars too: they mostly embed config files, whose
//!   comments those are), shell, `.env` and PowerShell, so `pa#ss` and
//!   `host/#frag` stay; only as a line's first character in `.properties`
//!   (also `!`), Dockerfiles, `.ini`/`.conf`/`.ora` and ODBC files (also
//!   `;`), `my.cnf` (`;`);
//! - `//` and `/* … */` outside strings in Java, JavaScript/TypeScript, Go,
//!   C#, Kotlin, Scala, Swift, Groovy, Rust, C/C++, JSON (JSONC,
//!   `appsettings.json`), PHP (also `#`, but not PHP 8's `#[…]`) and HCL;
//!   nested in Kotlin, Scala, Swift and Rust;
//! - `<!-- … -->` in XML, `.config`, `.csproj`, HTML; `--` and `/* … */`
//!   in SQL; `<# … #>` in PowerShell, `REM`/`::` lines in batch files, Ruby
//!   `=begin … =end`, Go-template `{{/* … */}}` in YAML (Helm);
//! - Python strings that are statements of their own (docstrings): never
//!   read by a client;
//! - `#` lines in shell heredoc bodies (the body is usually a config file
//!   being written, whose comments are comments); the rest of a heredoc
//!   body is read as text, like Ruby, PHP and HCL heredocs;
//! - documentation (`.md`, `.rst`, `.adoc`): all of it. An example in a
//!   README configures no client.
//!
//! Strings are lexed so that a `#` in a quoted URL or the `//` of
//! `postgres://` inside a literal is kept. Template suffixes (`.erb`, `.j2`,
//! `.example`, …) are looked through: `database.yml.erb` is YAML.
//!
//! Literals the language concatenates are joined so a URL split over lines
//! keeps its query string: Python (and C) adjacent literals, `"…" + "…"` in
//! Java, JavaScript/TypeScript, C#, Go, Kotlin, Scala, Swift, Groovy and
//! Ruby, PHP `'…' . '…'`, Elixir `<>`, and `.properties` lines continued
//! with `\`. Only literal-to-literal glue is joined (`"…" + host + "…"`
//! stays as it is).
//!
//! Offsets are kept, which is why detectors need no change: blanked text
//! becomes spaces (newlines stay), and a join rewrites the expression in
//! place as one literal followed by the spaces and newlines it saved. Every
//! byte outside a joined expression keeps its offset and line, and a setting
//! inside one is reported at the line where its first literal starts. (A
//! side list of joined literals was the alternative; every detector's
//! regexes would then have had to scan it too.)
//!
//! Not covered, read as written: files of syntaxes not listed (`.txt`,
//! `Procfile`, Perl, Lua), JavaScript regex literals holding quotes, Ruby
//! `%q(…)` strings, MySQL's backslash escapes in `.sql` strings, the HTML
//! around `<?php` (its apostrophes spoil one line each). Strings that span
//! lines are lexed as such only where the language has them (triple quotes,
//! backquotes, shell, Ruby, SQL); elsewhere an unclosed quote ends at the
//! line's end, so a stray apostrophe spoils one line, not the file.

use std::borrow::Cow;

mod rules;

pub use rules::Syntax;
use rules::{At, Block, Heredoc, Join, Lines, Quote, QuoteStart, Rules};

use super::lex::line_end;

/// The text of the file named `name` as detectors read it: comments
/// blanked, concatenated literals joined, same length and line count.
pub fn live_text<'t>(name: &str, text: &'t str) -> Cow<'t, str> {
    let Some(syntax) = Syntax::of(name) else {
        return Cow::Borrowed(text);
    };
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let changed = match syntax {
        Syntax::Prose => {
            blank(&mut out, 0, b.len());
            true
        }
        Syntax::Properties => properties(&mut out),
        _ => code(syntax.rules(), &mut out),
    };
    if !changed {
        return Cow::Borrowed(text);
    }
    // Blanks and joins cut only at ASCII bytes, so this cannot fail; if it
    // did, the file is read as it is rather than lost.
    String::from_utf8(out).map_or(Cow::Borrowed(text), Cow::Owned)
}

// ---------------------------------------------------------------------------
// Reading code

/// A string literal: `start` includes any prefix (`f`, `@`), `body` is
/// between the quotes.
#[derive(Debug, Clone, Copy)]
struct Literal {
    start: usize,
    body: (usize, usize),
    end: usize,
    /// Index of its quote in the rules; literals join only with their kind.
    quote: usize,
    /// Bracket depth where it starts.
    depth: u32,
    joinable: bool,
}

/// Blanks comments and joins literals in `out`; whether anything changed.
fn code(rules: &Rules, out: &mut [u8]) -> bool {
    let (blanks, literals) = lex(rules, out);
    for &(s, e) in &blanks {
        blank(out, s, e);
    }
    let mut changed = !blanks.is_empty();
    let mut k = 0;
    while k < literals.len() {
        let first = literals[k];
        let mut last = k;
        while last + 1 < literals.len()
            && joins(rules, out, &first, &literals[last], &literals[last + 1])
        {
            last += 1;
        }
        let chain = &literals[k..=last];
        let end = chain[chain.len() - 1].end;
        if rules.python && is_statement(out, &first) && ends_statement(out, end) {
            blank(out, first.start, end);
            changed = true;
        } else if chain.len() > 1 {
            // The first literal's opening, every body, the first's closing.
            let mut kept = vec![(first.start, first.body.1)];
            kept.extend(chain[1..].iter().map(|l| l.body));
            kept.push((first.body.1, first.end));
            splice(out, (first.start, end), &kept);
            changed = true;
        }
        k = last + 1;
    }
    changed
}

/// The comments (and Python docstring candidates: all literals) of `b`.
fn lex(rules: &Rules, b: &[u8]) -> (Vec<(usize, usize)>, Vec<Literal>) {
    let mut blanks = Vec::new();
    let mut literals = Vec::new();
    let mut heredocs: Vec<(Heredoc, Vec<u8>)> = Vec::new();
    let mut depth = 0u32;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            i += 1;
            for (kind, delimiter) in heredocs.drain(..) {
                i = heredoc_body(b, i, kind, &delimiter, &mut blanks);
            }
            continue;
        }
        if let Some(end) = comment_at(rules, b, i) {
            blanks.push((i, end));
            i = end;
            continue;
        }
        if let Some(lit) = literal_at(rules, b, i, depth) {
            i = lit.end;
            literals.push(lit);
            continue;
        }
        if let Some((kind, delimiter, after)) = heredoc_at(rules.heredoc, b, i) {
            heredocs.push((kind, delimiter));
            i = after;
            continue;
        }
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    (blanks, literals)
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn starts_with_ignore_case(b: &[u8], i: usize, s: &str) -> bool {
    b.get(i..i + s.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(s.as_bytes()))
}

fn line_start(b: &[u8], i: usize) -> usize {
    memchr::memrchr(b'\n', &b[..i]).map_or(0, |n| n + 1)
}

fn blank_before(b: &[u8], i: usize) -> bool {
    b[line_start(b, i)..i]
        .iter()
        .all(|&c| c == b' ' || c == b'\t')
}

fn at_ok(at: At, b: &[u8], i: usize) -> bool {
    match at {
        At::Anywhere => true,
        At::WordStart => i == 0 || b[i - 1].is_ascii_whitespace(),
        At::LineStart => blank_before(b, i),
    }
}

/// The end of a comment starting at `i`.
fn comment_at(rules: &Rules, b: &[u8], i: usize) -> Option<usize> {
    if rules.go_templates
        && let Some(end) = go_template_comment(b, i)
    {
        return Some(end);
    }
    for block in rules.blocks {
        if starts_with_ignore_case(b, i, block.open) && at_ok(block.at, b, i) {
            return Some(block_end(
                b,
                i + block.open.len(),
                block,
                rules.nested_blocks,
            ));
        }
    }
    for m in rules.markers {
        if starts_with_ignore_case(b, i, m.text)
            && at_ok(m.at, b, i)
            && !(rules.hash_bracket_is_code && m.text == "#" && b.get(i + 1) == Some(&b'['))
        {
            return Some(line_end(b, i));
        }
    }
    None
}

fn block_end(b: &[u8], mut j: usize, block: &Block, nested: bool) -> usize {
    let mut depth = 1;
    while j < b.len() {
        if nested && b[j..].starts_with(block.open.as_bytes()) {
            depth += 1;
            j += block.open.len();
        } else if starts_with_ignore_case(b, j, block.close) {
            depth -= 1;
            j += block.close.len();
            if depth == 0 {
                return j;
            }
        } else {
            j += 1;
        }
    }
    b.len()
}

/// `{{/* … */}}` with optional trim markers: `{{- /* … */ -}}`.
fn go_template_comment(b: &[u8], i: usize) -> Option<usize> {
    let rest = b.get(i..)?.strip_prefix(b"{{")?;
    let mut j = 0;
    if rest.first() == Some(&b'-') {
        j = 1;
        while rest.get(j).is_some_and(u8::is_ascii_whitespace) {
            j += 1;
        }
    }
    let body = rest.get(j..)?.strip_prefix(b"/*")?;
    let close = memchr::memmem::find(body, b"*/")?;
    let mut k = i + 2 + j + 2 + close + 2;
    let mut m = k;
    while b.get(m).is_some_and(u8::is_ascii_whitespace) {
        m += 1;
    }
    if b.get(m) == Some(&b'-') {
        m += 1;
    }
    if b.get(m..).is_some_and(|r| r.starts_with(b"}}")) {
        k = m + 2;
    }
    Some(k)
}

/// A string literal opening at `i`.
fn literal_at(rules: &Rules, b: &[u8], i: usize, depth: u32) -> Option<Literal> {
    let c = b[i];
    if !matches!(c, b'"' | b'\'' | b'`' | b'@' | b'$' | b'r' | b'b' | b'<') {
        return None;
    }
    let opens_here = match rules.quote_start {
        QuoteStart::Anywhere => true,
        QuoteStart::YamlScalar => yaml_scalar_start(b, i),
        QuoteStart::EnvValue => i > 0 && b[i - 1] == b'=',
    };
    if !opens_here {
        return None;
    }
    for (k, q) in rules.quotes.iter().enumerate() {
        if !b[i..].starts_with(q.open.as_bytes())
            || (is_ident(q.open.as_bytes()[0]) && i > 0 && is_ident(b[i - 1]))
        {
            continue;
        }
        let from = i + q.open.len();
        let (body_end, end) = string_end(b, from, q);
        if q.char_like && !is_char_literal(&b[from..body_end], body_end < end) {
            return None;
        }
        let start = if rules.python { python_prefix(b, i) } else { i };
        return Some(Literal {
            start,
            body: (from, body_end),
            end,
            quote: k,
            depth,
            joinable: !q.char_like,
        });
    }
    None
}

/// Where the body of a string opened before `from` ends, and where the
/// literal ends (equal when it is unterminated).
fn string_end(b: &[u8], from: usize, q: &Quote) -> (usize, usize) {
    let close = q.close.as_bytes();
    let mut j = from;
    while j < b.len() {
        if b[j..].starts_with(close) {
            if q.doubled && b[j + close.len()..].starts_with(close) {
                j += 2 * close.len();
                continue;
            }
            return (j, j + close.len());
        }
        match b[j] {
            b'\\' if q.escapes => j += 2,
            b'\n' if !q.multiline => return (j, j),
            _ => j += 1,
        }
    }
    (b.len(), b.len())
}

/// One character or one escape (`'\u{1F600}'`) between closed quotes.
fn is_char_literal(body: &[u8], closed: bool) -> bool {
    let one_char = std::str::from_utf8(body).is_ok_and(|s| s.chars().count() == 1);
    closed && (one_char || (body.first() == Some(&b'\\') && body.len() <= 10))
}

/// The start of a Python literal whose quote is at `i`, with its prefix
/// (`f`, `rb`, …).
fn python_prefix(b: &[u8], i: usize) -> usize {
    let mut s = i;
    while s > 0 && i - s < 2 && b"rRbBfFuU".contains(&b[s - 1]) {
        s -= 1;
    }
    if s < i && s > 0 && is_ident(b[s - 1]) {
        i
    } else {
        s
    }
}

/// A YAML quote at `i` opens a scalar: at the line's start, after
/// `[{,`, or after whitespace that follows `key:`, `-`, `?`, `[{,`.
fn yaml_scalar_start(b: &[u8], i: usize) -> bool {
    if i == 0 {
        return true;
    }
    match b[i - 1] {
        b'\n' | b'[' | b'{' | b',' => true,
        b' ' | b'\t' => {
            let mut k = i - 1;
            while k > 0 && matches!(b[k - 1], b' ' | b'\t') {
                k -= 1;
            }
            k == 0 || matches!(b[k - 1], b'\n' | b':' | b'-' | b'?' | b'[' | b'{' | b',')
        }
        _ => false,
    }
}

/// A heredoc operator at `i`: its kind, delimiter, and where the line
/// goes on.
fn heredoc_at(kind: Heredoc, b: &[u8], i: usize) -> Option<(Heredoc, Vec<u8>, usize)> {
    if kind == Heredoc::None || b[i] != b'<' {
        return None;
    }
    let rest = &b[i..];
    let mut j = match kind {
        Heredoc::Php => 3 * usize::from(rest.starts_with(b"<<<")),
        // `<<<` is a shell here-string, and `1<<2` a shift.
        _ if rest.starts_with(b"<<<") || (i > 0 && b[i - 1] == b'<') => 0,
        _ => 2 * usize::from(rest.starts_with(b"<<")),
    };
    if j == 0 {
        return None;
    }
    if kind != Heredoc::Php && matches!(rest.get(j), Some(b'-' | b'~')) {
        j += 1;
    }
    if kind != Heredoc::Ruby {
        while matches!(rest.get(j), Some(b' ' | b'\t')) {
            j += 1;
        }
    }
    let quote = rest.get(j).copied().filter(|c| matches!(c, b'\'' | b'"'));
    if quote.is_some() {
        j += 1;
    }
    let name_start = j;
    while rest.get(j).copied().is_some_and(is_ident) {
        j += 1;
    }
    let name = &rest[name_start..j];
    // Ruby's `x << y` is also an append: a heredoc names an upper-case
    // (or quoted) delimiter.
    let plausible = match name.first() {
        None => false,
        Some(c) if c.is_ascii_digit() => false,
        Some(c) => kind != Heredoc::Ruby || quote.is_some() || c.is_ascii_uppercase(),
    };
    if !plausible {
        return None;
    }
    if let Some(q) = quote {
        if rest.get(j) != Some(&q) {
            return None;
        }
        j += 1;
    }
    Some((kind, name.to_vec(), i + j))
}

/// Skips a heredoc body starting at `i`, up to and including its
/// delimiter; blanks `#` lines of shell bodies. Returns where code goes on.
fn heredoc_body(
    b: &[u8],
    mut i: usize,
    kind: Heredoc,
    delimiter: &[u8],
    blanks: &mut Vec<(usize, usize)>,
) -> usize {
    while i < b.len() {
        let end = line_end(b, i);
        let line = &b[i..end];
        let indent = line
            .iter()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count();
        let text = &line[indent..];
        if text.starts_with(delimiter) && !text.get(delimiter.len()).copied().is_some_and(is_ident)
        {
            return i + indent + delimiter.len();
        }
        if kind == Heredoc::Shell && text.first() == Some(&b'#') {
            blanks.push((i + indent, end));
        }
        i = end + 1;
    }
    b.len()
}

/// Whether `b` (the next literal) is concatenated to `a` by the language.
/// Literals of another kind join when the first's closing quote and
/// escapes cannot be confused: `'a' + "b"` becomes `'ab'`, but not
/// `'a' + "it's"`.
fn joins(rules: &Rules, out: &[u8], first: &Literal, a: &Literal, b: &Literal) -> bool {
    if rules.joins.is_empty() || !(a.joinable && b.joinable) {
        return false;
    }
    let close = &out[first.body.1..first.end];
    let body = &out[b.body.0..b.body.1];
    if b.quote != first.quote
        && (close.is_empty()
            || body.contains(&b'\\')
            || memchr::memmem::find(body, close).is_some())
    {
        return false;
    }
    let gap = &out[a.end..b.start];
    let newline = gap.contains(&b'\n');
    let mut glue: Vec<u8> = gap
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let continued = newline && glue.last() == Some(&b'\\');
    if continued {
        glue.pop();
    }
    rules.joins.iter().any(|j| match *j {
        Join::Adjacent(lines) => {
            glue.is_empty()
                && (!newline
                    || continued
                    || lines == Lines::Always
                    || (lines == Lines::InBrackets && a.depth > 0))
        }
        Join::Operator(op) => glue == op.as_bytes(),
    })
}

/// A Python literal that starts a statement: first on its line, outside
/// brackets, not continuing the line before.
fn is_statement(b: &[u8], lit: &Literal) -> bool {
    if lit.depth > 0 || !blank_before(b, lit.start) {
        return false;
    }
    let start = line_start(b, lit.start);
    let before = b[..start.saturating_sub(1)].trim_ascii_end();
    before.last() != Some(&b'\\')
}

/// Nothing but whitespace or `;` follows `end` on its line.
fn ends_statement(b: &[u8], end: usize) -> bool {
    let rest = b[end..line_end(b, end)].trim_ascii_start();
    rest.is_empty() || rest[0] == b';'
}

// ---------------------------------------------------------------------------
// Java .properties

/// `#`/`!` comment lines blanked, `\`-continued lines joined. A comment
/// line cannot be continued, and a continuation line is never a comment
/// (java.util.Properties#load).
fn properties(out: &mut [u8]) -> bool {
    let mut changed = false;
    let mut i = 0;
    while i < out.len() {
        let end = line_end(out, i);
        let content = first_content(out, i, end);
        if content < end && matches!(out[content], b'#' | b'!') {
            blank(out, content, end);
            changed = true;
            i = end + 1;
            continue;
        }
        let mut kept = Vec::new();
        let (mut from, mut line_to) = (i, end);
        loop {
            let body_end = trim_cr(out, from, line_to);
            if continues(&out[from..body_end]) && line_to < out.len() {
                kept.push((from, body_end - 1));
                let next = line_to + 1;
                line_to = line_end(out, next);
                from = first_content(out, next, line_to);
            } else {
                kept.push((from, body_end));
                break;
            }
        }
        if kept.len() > 1 {
            let span = (kept[0].0, kept[kept.len() - 1].1);
            splice(out, span, &kept);
            changed = true;
        }
        i = line_to + 1;
    }
    changed
}

/// The first byte of a line that is not a space, tab or form feed.
fn first_content(b: &[u8], from: usize, to: usize) -> usize {
    from + b[from..to]
        .iter()
        .take_while(|&&c| matches!(c, b' ' | b'\t' | b'\x0c'))
        .count()
}

fn trim_cr(b: &[u8], from: usize, to: usize) -> usize {
    if to > from && b[to - 1] == b'\r' {
        to - 1
    } else {
        to
    }
}

/// An odd number of trailing backslashes continues a line.
fn continues(line: &[u8]) -> bool {
    line.iter().rev().take_while(|&&c| c == b'\\').count() % 2 == 1
}

// ---------------------------------------------------------------------------
// Rewriting in place

/// Every byte of `s..e` but line ends becomes a space.
fn blank(out: &mut [u8], s: usize, e: usize) {
    for c in &mut out[s..e] {
        if !matches!(*c, b'\n' | b'\r') {
            *c = b' ';
        }
    }
}

/// Rewrites `out[span]` as the `kept` ranges back to back, then as many
/// spaces and newlines as were dropped: what follows the span keeps its
/// offset and line (and its column, where the padding is wide enough).
fn splice(out: &mut [u8], span: (usize, usize), kept: &[(usize, usize)]) {
    let mut joined: Vec<u8> = kept
        .iter()
        .flat_map(|&(s, e)| out[s..e].iter().copied())
        .collect();
    let newlines = |s: &[u8]| memchr::memchr_iter(b'\n', s).count();
    let dropped_lines = newlines(&out[span.0..span.1]) - newlines(&joined);
    let pad = (span.1 - span.0) - joined.len() - dropped_lines;
    let column = (span.1 - line_start(out, span.1)).min(pad);
    joined.resize(joined.len() + pad - column, b' ');
    joined.resize(joined.len() + dropped_lines, b'\n');
    joined.resize(joined.len() + column, b' ');
    out[span.0..span.1].copy_from_slice(&joined);
}

#[cfg(test)]
mod tests;
