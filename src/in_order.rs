//! Parallel map, folded in order as results come in.
//!
//! A window's chunks are scanned on every core, but their outcomes must be
//! folded into the stream's correlator in file order. Collecting them all
//! first left one core idle while the other folded; here the fold of chunk
//! `i` runs as soon as chunks `0..=i` are scanned, on whichever thread
//! finished the last of them, while the other threads scan on.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rayon::prelude::*;

/// Maps every item of `items` on the rayon pool (each thread takes the next
/// unclaimed item, so items finish roughly in order) and folds each result
/// into `state` in item order.
pub fn map_fold_in_order<T, R, S>(
    items: &[T],
    state: &mut S,
    map: impl Fn(&T) -> R + Sync,
    fold: impl Fn(&mut S, usize, R) + Sync,
) where
    T: Sync,
    R: Send,
    S: Send,
{
    let next_item = AtomicUsize::new(0);
    // Results waiting for those before them, and the next one to fold.
    let waiting: Mutex<(usize, BTreeMap<usize, R>)> = Mutex::new((0, BTreeMap::new()));
    // Held by the one thread folding.
    let folder: Mutex<&mut S> = Mutex::new(state);
    let workers = rayon::current_num_threads().clamp(1, items.len().max(1));
    (0..workers).into_par_iter().for_each(|_| {
        loop {
            let i = next_item.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            let result = map(item);
            locked(&waiting).1.insert(i, result);
            fold_ready(&waiting, &folder, &fold);
        }
    });
    // Every result was folded: the last thread to insert one found the
    // folder free or left it to a thread that re-checks after letting go.
    debug_assert!(locked(&waiting).1.is_empty());
}

/// Folds every result that is next in order, unless another thread is
/// folding (it will see them).
fn fold_ready<R, S>(
    waiting: &Mutex<(usize, BTreeMap<usize, R>)>,
    folder: &Mutex<&mut S>,
    fold: &impl Fn(&mut S, usize, R),
) {
    loop {
        let mut state = match folder.try_lock() {
            Ok(state) => state,
            Err(std::sync::TryLockError::Poisoned(e)) => e.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return,
        };
        loop {
            let next = {
                let mut w = locked(waiting);
                let at = w.0;
                match w.1.remove(&at) {
                    Some(result) => {
                        w.0 += 1;
                        (at, result)
                    }
                    None => break,
                }
            };
            fold(&mut state, next.0, next.1);
        }
        drop(state);
        // A result that arrived while this thread held the folder found it
        // taken: look again now that it is free.
        let w = locked(waiting);
        if !w.1.contains_key(&w.0) {
            return;
        }
    }
}

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_every_result_once_in_order() {
        for n in [0, 1, 2, 3, 17, 1000] {
            let items: Vec<usize> = (0..n).collect();
            let mut folded = Vec::new();
            map_fold_in_order(
                &items,
                &mut folded,
                |&i| {
                    // Uneven work, so results come in out of order.
                    let spin = (i * 7919) % 13 * 1000;
                    (0..spin).fold(i, |a, b| a ^ b) ^ (0..spin).fold(0, |a, b| a ^ b)
                },
                |folded, at, r| {
                    assert_eq!(at, r);
                    folded.push(r);
                },
            );
            assert_eq!(folded, items, "{n} items");
        }
    }

    #[test]
    fn runs_inside_another_parallel_loop() {
        let totals: Vec<usize> = (0..8usize)
            .into_par_iter()
            .map(|k| {
                let items: Vec<usize> = (0..50).map(|i| i + k).collect();
                let mut sum = 0;
                map_fold_in_order(&items, &mut sum, |&i| i * 2, |s, _, r| *s += r);
                sum
            })
            .collect();
        let want: Vec<usize> = (0..8).map(|k| (0..50).map(|i| (i + k) * 2).sum()).collect();
        assert_eq!(totals, want);
    }
}
