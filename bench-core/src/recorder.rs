//! Per-thread recording: CO-correct latency and service time per request of the mix, status and
//! error counts, and one-second interval histograms flushed to the engine's collector.
//!
//! Latency is `done − due` (due = intended send time), service time is `done − sent`. Calls that
//! failed before any response (connect, reset, protocol errors) are counted but not put in the
//! latency histograms: their near-zero times would hide the tail. Timeouts are recorded at the
//! time they took, which keeps the tail honest.

use std::sync::mpsc::Sender;
use std::time::Instant;

use crate::driver::{ErrorKind, Outcome};
use crate::histogram::LatencyHistogram;

const UNSENT_MESSAGE: &str =
    "due but never sent: the measured window ended before a connection was free";

/// Histograms and counters of one request of the mix.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// CO-correct latency (from the due time).
    pub latency: LatencyHistogram,
    /// Service time (from the actual send).
    pub service: LatencyHistogram,
    /// Time from the due time to the first streamed message (streams only).
    pub first_message: Option<LatencyHistogram>,
    /// Completed calls.
    pub requests: u64,
    /// Failed calls.
    pub errors: u64,
    /// Response bytes.
    pub bytes: u64,
    /// Streamed messages received.
    pub messages: u64,
    /// Calls that were due in the window but never sent (also counted in `requests` and
    /// `errors`, and in `latency` from their due time to the end of the window).
    pub unsent: u64,
    /// Passed and failed counts of each of the request's checks, by check.
    pub checks: Vec<[u64; 2]>,
}

impl Series {
    /// Add `other` into `self`.
    pub fn merge(&mut self, other: &Series) {
        self.latency.merge(&other.latency);
        self.service.merge(&other.service);
        if let Some(theirs) = &other.first_message {
            self.first_message
                .get_or_insert_with(LatencyHistogram::new)
                .merge(theirs);
        }
        self.requests += other.requests;
        self.errors += other.errors;
        self.bytes += other.bytes;
        self.messages += other.messages;
        self.unsent += other.unsent;
        if self.checks.len() < other.checks.len() {
            self.checks.resize(other.checks.len(), [0, 0]);
        }
        for (mine, theirs) in self.checks.iter_mut().zip(&other.checks) {
            mine[0] += theirs[0];
            mine[1] += theirs[1];
        }
    }
}

#[path = "recorder_counts.rs"]
mod counts;
pub use counts::{Counts, ErrorCount};

/// One second of one thread's recording, sent to the collector.
#[derive(Debug)]
pub struct IntervalReport {
    /// Index of the reporting thread.
    pub thread: usize,
    /// Second since the measurement started (by completion time).
    pub second: u64,
    /// Latencies completed in that second.
    pub latency: LatencyHistogram,
    /// Calls completed in that second.
    pub requests: u64,
    /// Failed calls completed in that second.
    pub errors: u64,
    /// Response bytes in that second.
    pub bytes: u64,
}

/// What a thread hands back at the end of the run.
#[derive(Debug, Default)]
pub struct ThreadRecording {
    /// One series per request of the mix.
    pub series: Vec<Series>,
    /// Status and error counts.
    pub counts: Counts,
    /// Completion time of the first measured call.
    pub first_done: Option<Instant>,
    /// Completion time of the last measured call.
    pub last_done: Option<Instant>,
    /// The generator's own scheduling lag: from the due time to the send, of the measured
    /// open-model calls whose connection was free at their due time.
    pub lag: LatencyHistogram,
    /// CPU time of the engine thread over its run, when the system reports it.
    pub cpu: Option<std::time::Duration>,
    /// Wall time of the engine thread's run.
    pub wall: std::time::Duration,
    /// What paced the open model on this thread ("timerfd" or "tokio").
    pub pacing: &'static str,
}

/// Records one thread's samples.
#[derive(Debug)]
pub struct Recorder {
    /// Maps the mix's choices to series (journeys); `None`: choice `i` is request `i`.
    flows: Option<std::sync::Arc<crate::flow::Flows>>,
    thread: usize,
    measure_start: Instant,
    rec: ThreadRecording,
    interval: IntervalReport,
    sink: Sender<IntervalReport>,
}

/// One measured call.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Index of the request in the mix.
    pub request: usize,
    /// When the call was due (intended start).
    pub due: Instant,
    /// When it was actually sent.
    pub sent: Instant,
    /// When it completed.
    pub done: Instant,
    /// Whether it waited for a free connection past its due time.
    pub late: bool,
}

impl Recorder {
    /// A recorder for `requests` series, flushing intervals into `sink`.
    #[must_use]
    pub fn new(
        thread: usize,
        requests: usize,
        measure_start: Instant,
        sink: Sender<IntervalReport>,
    ) -> Self {
        Self {
            flows: None,
            thread,
            measure_start,
            rec: ThreadRecording {
                series: vec![Series::default(); requests.max(1)],
                ..ThreadRecording::default()
            },
            interval: IntervalReport {
                thread,
                second: 0,
                latency: LatencyHistogram::new(),
                requests: 0,
                errors: 0,
                bytes: 0,
            },
            sink,
        }
    }

    /// The same recorder, mapping the mix's choices through `flows` (unsent journeys).
    #[must_use]
    pub fn with_flows(mut self, flows: std::sync::Arc<crate::flow::Flows>) -> Self {
        self.flows = Some(flows);
        self
    }

    /// Record a measured call.
    pub fn record(&mut self, s: Sample, outcome: &Outcome) {
        self.advance_to(s.done);
        let latency = s.done.saturating_duration_since(s.due);
        let service = s.done.saturating_duration_since(s.sent);
        let has_time = outcome.status.is_some()
            || outcome.error == Some(ErrorKind::Timeout)
            || outcome.error.is_none();
        let idx = s.request.min(self.rec.series.len() - 1);
        let series = &mut self.rec.series[idx];
        series.requests += 1;
        series.bytes += outcome.bytes;
        series.messages += outcome.messages;
        if has_time {
            series.latency.record(latency);
            series.service.record(service);
            self.interval.latency.record(latency);
        }
        if let Some(first) = outcome.first_message {
            series
                .first_message
                .get_or_insert_with(LatencyHistogram::new)
                .record(first.saturating_duration_since(s.due));
        }
        let failed = outcome.error.is_some();
        if failed {
            series.errors += 1;
        }
        self.rec.counts.count(outcome);
        if s.late {
            self.rec.counts.late += 1;
        }
        self.interval.requests += 1;
        self.interval.errors += u64::from(failed);
        self.interval.bytes += outcome.bytes;
        self.rec.first_done = Some(self.rec.first_done.map_or(s.done, |t| t.min(s.done)));
        self.rec.last_done = Some(self.rec.last_done.map_or(s.done, |t| t.max(s.done)));
    }

    /// Count one verdict of check `check` of request `request`.
    pub fn count_check(&mut self, request: usize, check: usize, passed: bool) {
        let idx = request.min(self.rec.series.len() - 1);
        let checks = &mut self.rec.series[idx].checks;
        if checks.len() <= check {
            checks.resize(check + 1, [0, 0]);
        }
        checks[check][usize::from(!passed)] += 1;
    }

    /// Record a journey (series `series`) that started at `due` and ended at `done`, completed
    /// or failed; its steps were recorded as calls, so it adds to no run-wide count.
    pub fn record_journey(&mut self, series: usize, due: Instant, done: Instant, ok: bool) {
        let idx = series.min(self.rec.series.len() - 1);
        let s = &mut self.rec.series[idx];
        s.requests += 1;
        s.errors += u64::from(!ok);
        let took = done.saturating_duration_since(due);
        s.latency.record(took);
        s.service.record(took);
    }

    /// Record the generator's scheduling lag of a measured call (see [`ThreadRecording::lag`]).
    pub fn record_lag(&mut self, lag: std::time::Duration) {
        self.rec.lag.record(lag);
    }

    /// Count the connection use of a call that is not measured (warm-up).
    pub fn count_connection(&mut self, outcome: &Outcome) {
        self.rec.counts.count_connection(outcome);
    }

    /// Record `n` calls of request `request` that were due at `due` but never sent because the
    /// window ended at `end`: errors of kind [`ErrorKind::Unsent`] with a latency of
    /// `end − due` (a lower bound: they would have completed later still).
    /// With flows, `entry` is a choice of the mix: an unsent journey counts on its first step
    /// and on its own series.
    pub fn record_unsent(&mut self, entry: usize, due: Instant, end: Instant, n: u64) {
        if n == 0 {
            return;
        }
        self.advance_to(end);
        let latency = end.saturating_duration_since(due);
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        let request = match self.flows.as_deref().map(|f| (f.entry(entry), f)) {
            Some((crate::flow::Entry::Journey(j), f)) => {
                let last = self.rec.series.len() - 1;
                let journey = &mut self.rec.series[f.journey_series(j).min(last)];
                journey.requests += n;
                journey.errors += n;
                journey.unsent += n;
                journey.latency.record_us_n(us, n);
                f.journeys[j].steps.first().copied().unwrap_or(0)
            }
            Some((crate::flow::Entry::Request(r), _)) => r,
            None => entry,
        };
        let idx = request.min(self.rec.series.len() - 1);
        let series = &mut self.rec.series[idx];
        series.requests += n;
        series.errors += n;
        series.unsent += n;
        series.latency.record_us_n(us, n);
        self.interval.latency.record_us_n(us, n);
        self.interval.requests += n;
        self.interval.errors += n;
        self.rec
            .counts
            .count_error(ErrorKind::Unsent, n, UNSENT_MESSAGE);
    }

    /// Flush the current interval if `now` is in a later second (called on each sample and on a
    /// timer, so idle threads still report).
    pub fn advance_to(&mut self, now: Instant) {
        let second = now.saturating_duration_since(self.measure_start).as_secs();
        if second > self.interval.second {
            self.flush(second);
        }
    }

    fn flush(&mut self, next_second: u64) {
        let fresh = IntervalReport {
            thread: self.thread,
            second: next_second,
            latency: LatencyHistogram::new(),
            requests: 0,
            errors: 0,
            bytes: 0,
        };
        let done = std::mem::replace(&mut self.interval, fresh);
        // A closed channel means the collector is gone (run aborted); nothing to do.
        let _ = self.sink.send(done);
    }

    /// Flush the last interval and hand back the recording.
    pub fn finish(&mut self) -> ThreadRecording {
        let next = self.interval.second + 1;
        self.flush(next);
        std::mem::take(&mut self.rec)
    }
}
