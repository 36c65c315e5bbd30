//! The live progress line: elapsed, achieved rate, p99 so far, errors.

use std::time::Duration;

use bench_core::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress display for one run; hidden when `quiet` or when stderr is not a terminal.
#[derive(Debug)]
pub struct LiveProgress {
    bar: ProgressBar,
}

impl LiveProgress {
    /// A bar for a run of `total` (warm-up included), labelled `name`.
    #[must_use]
    pub fn new(name: &str, total: Duration, quiet: bool) -> Self {
        let bar = ProgressBar::with_draw_target(
            Some(total.as_millis() as u64),
            ProgressDrawTarget::stderr_with_hz(4),
        );
        if quiet {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        let style =
            ProgressStyle::with_template("{prefix:.bold} [{elapsed_precise}] {wide_bar} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(name.to_owned());
        Self { bar }
    }

    /// Show a snapshot.
    pub fn update(&self, p: &Progress) {
        self.bar.set_position(p.elapsed.as_millis() as u64);
        if p.warming_up {
            self.bar.set_message("warming up");
        } else {
            self.bar.set_message(format!(
                "{} req/s  p99 {}  {} req  {} errors",
                p.last_second_rps,
                crate::report::terminal::fmt_us(p.p99_us),
                p.requests,
                p.errors
            ));
        }
    }

    /// Remove the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
