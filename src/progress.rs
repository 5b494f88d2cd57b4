//! Progress on stderr (bytes and lines) for long reads, shown only when
//! stderr is a terminal and not `--quiet`.

use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    bar: ProgressBar,
    lines: AtomicU64,
}

impl Progress {
    /// `total_bytes` may be 0 when unknown (stdin).
    pub fn new(total_bytes: u64, visible: bool) -> Progress {
        let bar = if visible {
            ProgressBar::with_draw_target(Some(total_bytes), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}) {msg}",
            )
            .expect("valid progress template"),
        );
        Progress {
            bar,
            lines: AtomicU64::new(0),
        }
    }

    pub fn add_bytes(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    pub fn add_lines(&self, lines: u64) {
        let total = self.lines.fetch_add(lines, Ordering::Relaxed) + lines;
        self.bar.set_message(format!("{total} lines"));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
