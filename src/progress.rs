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

/// Progress of pulling CloudWatch Logs events: a line per log group (events
/// and bytes pulled) and a total with the API calls made.
pub struct FetchProgress {
    bars: indicatif::MultiProgress,
    total: ProgressBar,
    calls: AtomicU64,
    events: AtomicU64,
    bytes: AtomicU64,
}

impl FetchProgress {
    pub fn new(visible: bool) -> FetchProgress {
        let bars = indicatif::MultiProgress::with_draw_target(if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        });
        let total = bars.add(ProgressBar::new_spinner());
        total.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] CloudWatch Logs: {msg}")
                .expect("valid progress template"),
        );
        FetchProgress {
            bars,
            total,
            calls: AtomicU64::new(0),
            events: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
        }
    }

    /// A line for one log group.
    pub fn group(&self, name: &str) -> GroupProgress<'_> {
        let bar = self.bars.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("  {prefix}: {msg}").expect("valid progress template"),
        );
        bar.set_prefix(crate::report::printable(name).into_owned());
        GroupProgress {
            fetch: self,
            bar,
            events: 0,
            bytes: 0,
        }
    }

    pub fn finish(&self) {
        self.total.finish_and_clear();
        let _ = self.bars.clear();
    }
}

/// One log group's line.
pub struct GroupProgress<'a> {
    fetch: &'a FetchProgress,
    bar: ProgressBar,
    events: u64,
    bytes: u64,
}

impl GroupProgress<'_> {
    /// One FilterLogEvents page came back.
    pub fn page(&mut self, events: u64, bytes: u64) {
        self.events += events;
        self.bytes += bytes;
        self.bar.set_message(format!(
            "{} events, {}",
            self.events,
            indicatif::BinaryBytes(self.bytes)
        ));
        let f = self.fetch;
        let calls = f.calls.fetch_add(1, Ordering::Relaxed) + 1;
        let events = f.events.fetch_add(events, Ordering::Relaxed) + events;
        let bytes = f.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        f.total.set_message(format!(
            "{calls} API calls, {events} events, {}",
            indicatif::BinaryBytes(bytes)
        ));
        f.total.tick();
    }

    pub fn finish(self) {
        self.bar.finish();
    }
}
