//! The live progress line: elapsed, achieved rate, p99 so far, errors. Drawn on stderr, at most
//! four times a second, only when stderr is a terminal and the run is not `--quiet`.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bench_core::Progress;

/// Redraws per second, at most.
const REDRAW_EVERY: Duration = Duration::from_millis(250);
/// Width of the bar, in characters.
const BAR_WIDTH: usize = 30;

/// A progress display for one run; hidden when `quiet` or when stderr is not a terminal.
#[derive(Debug)]
pub struct LiveProgress {
    name: String,
    total: Duration,
    shown: bool,
    /// When the line was last drawn (`None`: never).
    drawn: Mutex<Option<Instant>>,
}

impl LiveProgress {
    /// A bar for a run of `total` (warm-up included), labelled `name`.
    #[must_use]
    pub fn new(name: &str, total: Duration, quiet: bool) -> Self {
        Self {
            name: name.to_owned(),
            total,
            shown: !quiet && std::io::stderr().is_terminal(),
            drawn: Mutex::new(None),
        }
    }

    /// Show a snapshot.
    pub fn update(&self, p: &Progress) {
        if !self.shown {
            return;
        }
        let Ok(mut drawn) = self.drawn.lock() else {
            return;
        };
        if drawn.is_some_and(|t| t.elapsed() < REDRAW_EVERY) {
            return;
        }
        *drawn = Some(Instant::now());
        let message = if p.warming_up {
            "warming up".to_owned()
        } else {
            format!(
                "{} req/s  p99 {}  {} req  {} errors",
                p.last_second_rps,
                crate::report::format::fmt_us(p.p99_us),
                p.requests,
                p.errors
            )
        };
        let line = render(&self.name, p.elapsed, self.total, &message);
        let mut err = std::io::stderr().lock();
        // A progress line that cannot be drawn is not worth failing the run for.
        let _ = write!(err, "\r\x1b[2K{line}").and_then(|()| err.flush());
    }

    /// Remove the line.
    pub fn finish(&self) {
        if self.shown && self.drawn.lock().is_ok_and(|d| d.is_some()) {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

/// `name [hh:mm:ss] [=====>      ] message`.
fn render(name: &str, elapsed: Duration, total: Duration, message: &str) -> String {
    let s = elapsed.as_secs();
    let fraction = elapsed.as_secs_f64() / total.as_secs_f64().max(1e-9);
    let done = ((fraction.clamp(0.0, 1.0) * BAR_WIDTH as f64) as usize).min(BAR_WIDTH);
    let head = if done < BAR_WIDTH { ">" } else { "" };
    let rest = BAR_WIDTH - done - head.len();
    format!(
        "{name} [{:02}:{:02}:{:02}] [{}{head}{}] {message}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        "=".repeat(done),
        " ".repeat(rest)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_shows_elapsed_time_and_a_bar_of_constant_width() {
        let total = Duration::from_secs(10);
        let half = render("get", Duration::from_secs(3725), total * 745, "1 req/s");
        assert_eq!(
            half,
            format!(
                "get [01:02:05] [{}>{}] 1 req/s",
                "=".repeat(15),
                " ".repeat(14)
            )
        );
        let start = render("get", Duration::ZERO, total, "warming up");
        assert_eq!(
            start,
            format!("get [00:00:00] [>{}] warming up", " ".repeat(29))
        );
        let end = render("get", total * 2, total, "");
        assert_eq!(end, format!("get [00:00:20] [{}] ", "=".repeat(30)));
    }

    #[test]
    fn a_quiet_or_piped_run_draws_nothing() {
        // Under `cargo test` stderr is captured (not a terminal), and quiet always hides.
        assert!(!LiveProgress::new("x", Duration::from_secs(1), true).shown);
    }
}
