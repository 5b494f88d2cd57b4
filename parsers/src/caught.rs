//! Panics that are caught and answered where they happen: a line that fails
//! inside a parser is skipped and counted, a damaged file is named. The
//! process's panic hook asks [`is_caught`] and stays quiet for those, since
//! the catcher says what happened in words of its own; a panic anywhere
//! else is still reported by the hook.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Runs `f`, catching a panic in it; the hook stays quiet for it.
pub fn catch<R>(f: impl FnOnce() -> R) -> std::thread::Result<R> {
    DEPTH.with(|d| d.set(d.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    DEPTH.with(|d| d.set(d.get() - 1));
    result
}

/// Whether this thread is inside [`catch`].
pub fn is_caught() -> bool {
    DEPTH.with(|d| d.get() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_and_after_a_catch() {
        assert!(!is_caught());
        assert_eq!(catch(is_caught).ok(), Some(true));
        let caught = catch(|| -> () { std::panic::panic_any("x") });
        assert!(caught.is_err());
        assert!(!is_caught(), "the depth is restored after a panic");
        assert_eq!(catch(|| catch(is_caught).ok()).ok().flatten(), Some(true));
    }
}
