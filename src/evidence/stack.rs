//! One settings stack (Rails' `database.yml`, libpq URIs, Npgsql strings,
//! …) of one engine: a name, a cheap test of whether a file may hold its
//! settings, and the reader. Each engine keeps its stacks in one table,
//! run in order over each file (earlier stacks claim the text they report,
//! so later ones do not report it again).

use super::{ConfigHit, FileCtx};

/// What the stacks of one engine share while reading one file.
pub trait Reading {
    /// The engine's view of the file, built once from its [`FileCtx`].
    type Cx<'a>;
    /// What the stacks found so far, with the text they claimed.
    type Hits;
}

/// One stack of the engine `R`.
pub trait Stack<R: Reading>: Sync {
    /// What the stack is, for tables and tests.
    #[cfg_attr(not(test), expect(dead_code, reason = "read by the tables' tests"))]
    fn name(&self) -> &'static str;
    /// Whether the file may hold this stack's settings, on its name and a
    /// few needles: a file that fails it costs the stack nothing more.
    fn wants(&self, file: &FileCtx<'_>) -> bool;
    /// Reports the stack's settings in the file into `hits`.
    fn detect(&self, cx: &R::Cx<'_>, hits: &mut R::Hits);
}

/// A stack as a row of its engine's table: the name, the cheap test and
/// the reader, with nothing to write but the three.
pub struct Row<R: Reading> {
    pub name: &'static str,
    pub wants: fn(&FileCtx<'_>) -> bool,
    pub detect: for<'a> fn(&R::Cx<'a>, &mut R::Hits),
}

/// Declares a stack as a [`Row`] of its engine's table, in one line, in
/// the stack's file: `stack::row!(NAME: Engine, "what it is", wants,
/// detect);` is the `pub(super) static NAME: Row<Engine>` with that name,
/// cheap test and reader.
macro_rules! row {
    ($stack:ident: $engine:ty, $name:expr, $wants:expr, $detect:expr) => {
        pub(super) static $stack: $crate::evidence::stack::Row<$engine> =
            $crate::evidence::stack::Row {
                name: $name,
                wants: $wants,
                detect: $detect,
            };
    };
}
pub(crate) use row;

impl<R: Reading> Stack<R> for Row<R> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn wants(&self, file: &FileCtx<'_>) -> bool {
        (self.wants)(file)
    }

    fn detect(&self, cx: &R::Cx<'_>, hits: &mut R::Hits) {
        (self.detect)(cx, hits)
    }
}

/// The byte ranges of a file that stacks have reported: a later stack
/// passes over what an earlier one read (a URL inside a Rails block, a
/// connection string inside a call), so one setting is one hit.
#[derive(Debug, Default)]
pub struct Claimed(Vec<(usize, usize)>);

impl Claimed {
    /// Marks `start..end` as reported.
    pub fn claim(&mut self, start: usize, end: usize) {
        self.0.push((start, end));
    }

    /// Whether the byte at `at` lies in a reported range.
    pub fn holds(&self, at: usize) -> bool {
        self.0.iter().any(|&(s, e)| s <= at && at < e)
    }
}

/// Runs `stacks` in order over one file.
pub fn run<R: Reading>(
    stacks: &[&dyn Stack<R>],
    file: &FileCtx<'_>,
    cx: &R::Cx<'_>,
    hits: &mut R::Hits,
) {
    for stack in stacks {
        if stack.wants(file) {
            stack.detect(cx, hits);
        }
    }
}

/// What the stacks of an engine have found in one file: the hits, and the
/// text they claimed. A hit is a [`ConfigHit`], or what the engine makes
/// one from once the file is read (PostgreSQL's `Setting`: a connection's
/// settings at a byte offset, a line's hits ordered by where they start). It
/// reads as its hits (`Deref`), so a stack that claims nothing pushes to it
/// as to a vector.
#[derive(Debug)]
pub struct Found<H = ConfigHit> {
    pub hits: Vec<H>,
    pub claimed: Claimed,
}

impl<H> Default for Found<H> {
    fn default() -> Self {
        Found {
            hits: Vec::new(),
            claimed: Claimed::default(),
        }
    }
}

impl<H> std::ops::Deref for Found<H> {
    type Target = Vec<H>;

    fn deref(&self) -> &Self::Target {
        &self.hits
    }
}

impl<H> std::ops::DerefMut for Found<H> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.hits
    }
}

/// The hits of `stacks` in one file, in line order, for an engine whose
/// stacks build their [`ConfigHit`]s at once.
pub fn hits<R: Reading<Hits = Found>>(
    stacks: &[&dyn Stack<R>],
    file: &FileCtx<'_>,
    cx: &R::Cx<'_>,
) -> Vec<ConfigHit> {
    let mut found = Found::default();
    run(stacks, file, cx, &mut found);
    found.hits.sort_by_key(|h| h.line);
    found.hits
}

/// A stack's table tests, written beside the stack (compiled in tests
/// only): each `fn name(engine) { rows }` is a `#[test]` that every
/// one-line `testing::cases!` row's text, read by the engine's `detect`,
/// gives exactly its hit, of `engine`; `fn name(engine, wrap) { rows }`
/// first puts each row's text in a file of its kind with `wrap(file,
/// text)`. The rows may name what the engine's `tests.rs` holds (the facts
/// and stack labels as its tables call them). One `case_tests!` a file: its
/// tests are the file's `cases` module.
macro_rules! case_tests {
    (@assert $engine:expr, $rows:expr) => {
        $crate::evidence::testing::assert_cases(detect, $engine, $rows)
    };
    (@assert $engine:expr, $rows:expr, $wrap:expr) => {
        $crate::evidence::testing::assert_cases_wrapped(detect, $engine, $rows, $wrap)
    };
    ($($(#[$attr:meta])* fn $name:ident($engine:expr $(, $wrap:expr)?) { $($rows:tt)* })*) => {
        #[cfg(test)]
        mod cases {
            #[allow(unused_imports)]
            use super::super::tests::*;
            use super::*;

            $(
                $(#[$attr])*
                #[test]
                fn $name() {
                    let rows = $crate::evidence::testing::cases! { $($rows)* };
                    $crate::evidence::stack::case_tests!(@assert $engine, &rows $(, $wrap)?);
                }
            )*
        }
    };
}
pub(crate) use case_tests;

/// Fails unless every stack in `stacks` has a name of its own (engines'
/// tests call it on their tables).
#[cfg(test)]
pub fn assert_distinct_names<R: Reading>(stacks: &[&dyn Stack<R>]) {
    let mut names: Vec<&str> = stacks.iter().map(|s| s.name()).collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count, "{names:?}");
}

#[cfg(test)]
mod tests {
    use super::Claimed;

    #[test]
    fn claimed_ranges_hold_their_start_not_their_end() {
        let mut claimed = Claimed::default();
        claimed.claim(10, 20);
        claimed.claim(30, 31);
        let table = [
            (9, false),
            (10, true),
            (19, true),
            (20, false),
            (30, true),
            (31, false),
        ];
        for (at, held) in table {
            assert_eq!(claimed.holds(at), held, "{at}");
        }
    }
}
