//! Mapped windows that survive their file shrinking underneath them.
//!
//! Reading a memory-mapped page past a file's end raises SIGBUS, which kills
//! the process: a log truncated while it is read (logrotate's
//! `copytruncate`, a log cleaner) would end the run with no report and no
//! word. A handler, installed once, catches a SIGBUS whose address lies in a
//! window registered here, maps a page of zeros over the missing page (so
//! the reading thread goes on: zeros hold no line a parser reads) and marks
//! the window; the reader then stops the file with an error naming it and
//! keeps what came before. A SIGBUS anywhere else gets the default action,
//! as before.
//!
//! `mmap` in a signal handler is not on POSIX's async-signal-safe list; on
//! Linux it is a plain system call with no user-space state, which is what
//! this relies on (Linux is the platform sslcensus is built and tested on).

use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use memmap2::Mmap;

/// Windows mapped at once: one per instance read in parallel, and the
/// windows waiting to be unmapped. A window that finds no slot is mapped
/// unguarded (the old behaviour) rather than not read.
const SLOTS: usize = 256;

struct Slot {
    taken: AtomicBool,
    start: AtomicUsize,
    end: AtomicUsize,
    hit: AtomicBool,
}

static TABLE: [Slot; SLOTS] = [const {
    Slot {
        taken: AtomicBool::new(false),
        start: AtomicUsize::new(0),
        end: AtomicUsize::new(0),
        hit: AtomicBool::new(false),
    }
}; SLOTS];
static PAGE: AtomicUsize = AtomicUsize::new(4096);
static INSTALL: Once = Once::new();

extern "C" fn on_sigbus(_: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo with SA_SIGINFO.
    let addr = unsafe { (*info).si_addr() } as usize;
    for slot in &TABLE {
        let (start, end) = (
            slot.start.load(Ordering::Acquire),
            slot.end.load(Ordering::Acquire),
        );
        if start <= addr && addr < end {
            let page = PAGE.load(Ordering::Relaxed);
            let at = addr & !(page - 1);
            // SAFETY: replaces one page of our own read-only window mapping.
            let mapped = unsafe {
                libc::mmap(
                    at as *mut libc::c_void,
                    page,
                    libc::PROT_READ,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                    -1,
                    0,
                )
            };
            if mapped != libc::MAP_FAILED {
                slot.hit.store(true, Ordering::Release);
                return;
            }
        }
    }
    // Not a window of ours: the default action when the access repeats.
    // SAFETY: resetting a handler is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGBUS, libc::SIG_DFL);
    }
}

fn install() {
    INSTALL.call_once(|| {
        // SAFETY: sysconf and sigaction with a handler that only touches
        // atomics and makes system calls.
        unsafe {
            let page = libc::sysconf(libc::_SC_PAGESIZE);
            if page > 0 {
                PAGE.store(page as usize, Ordering::Relaxed);
            }
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigbus as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
        }
    });
}

/// A mapped window whose file may shrink while it is read.
pub struct Guarded {
    map: Mmap,
    slot: Option<usize>,
}

impl Guarded {
    pub fn new(map: Mmap) -> Guarded {
        install();
        let (start, end) = (map.as_ptr() as usize, map.as_ptr() as usize + map.len());
        let slot = TABLE.iter().position(|s| {
            s.taken
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        });
        if let Some(i) = slot {
            TABLE[i].hit.store(false, Ordering::Relaxed);
            TABLE[i].start.store(start, Ordering::Release);
            TABLE[i].end.store(end, Ordering::Release);
        }
        Guarded { map, slot }
    }

    /// Whether a page of the window was missing when read (its file shrank):
    /// what was read there was zeros.
    pub fn shrank(&self) -> bool {
        self.slot
            .is_some_and(|i| TABLE[i].hit.load(Ordering::Acquire))
    }
}

impl std::ops::Deref for Guarded {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.map
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        // Unregistered before the mapping goes (the map field drops after).
        if let Some(i) = self.slot {
            TABLE[i].start.store(0, Ordering::Release);
            TABLE[i].end.store(0, Ordering::Release);
            TABLE[i].taken.store(false, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_window_whose_file_shrinks_reads_zeros_and_says_so() {
        let mut file = tempfile::tempfile().unwrap();
        let page = 4096 * 4;
        file.write_all(&vec![b'x'; page * 4]).unwrap();
        // SAFETY: a private temporary file.
        let map = unsafe { memmap2::MmapOptions::new().map(&file).unwrap() };
        let window = Guarded::new(map);
        assert_eq!(window[page * 3], b'x');
        file.set_len(page as u64).unwrap();
        // Past the new end: zeros instead of SIGBUS.
        assert_eq!(window[page * 3 + 10], 0);
        assert!(window.shrank());
        assert_eq!(window[10], b'x');
        drop(window);
        // The slot is free again and a new window starts clean.
        let map = unsafe { memmap2::MmapOptions::new().len(page).map(&file).unwrap() };
        let again = Guarded::new(map);
        assert!(!again.shrank());
    }
}
