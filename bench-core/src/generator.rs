//! The generator's self-check: its own CPU time and scheduling lag, recorded with every run, and
//! whether it was saturated — in which case a slow result may be the generator's, not the
//! target's (see `docs/statistics.md`, "How send times stay accurate").
//!
//! The **scheduling lag** of an open-model call is the time from its due time to its send, for
//! calls whose connection was free at their due time: the delay then is the generator's (alarm,
//! CPU, other work on its thread), never the target's. Calls that waited for a busy connection
//! count as `late` instead. The closed model keeps no schedule and records no lag.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::histogram::LatencyHistogram;
use crate::recorder::ThreadRecording;
use crate::summary::Percentiles;

/// The generator counts as saturated when its scheduling lag's p99 exceeds this.
pub const LAG_BOUND: Duration = Duration::from_millis(1);

/// … or when its busiest engine thread used more than this share of a core.
pub const CPU_BOUND: f64 = 0.9;

/// The generator's usage over a run, merged over its engine threads.
#[derive(Debug, Clone, Default)]
pub struct GeneratorUsage {
    /// Engine threads.
    pub threads: usize,
    /// CPU time of the engine threads; `None` when the system does not report it.
    pub cpu: Option<Duration>,
    /// The busiest engine thread's CPU time over its run time (1.0: a whole core).
    pub busiest: Option<f64>,
    /// Scheduling lag (open model).
    pub lag: LatencyHistogram,
    /// What paces the open model: "timerfd" or "tokio".
    pub pacing: &'static str,
}

impl GeneratorUsage {
    /// Add one engine thread's recording.
    pub fn add(&mut self, rec: &ThreadRecording) {
        self.threads += 1;
        self.lag.merge(&rec.lag);
        if self.pacing.is_empty() || rec.pacing == "tokio" {
            self.pacing = rec.pacing;
        }
        let Some(cpu) = rec.cpu else {
            return;
        };
        self.cpu = Some(self.cpu.unwrap_or_default() + cpu);
        let share = cpu.as_secs_f64() / rec.wall.as_secs_f64().max(1e-3);
        self.busiest = larger(self.busiest, Some(share));
    }
}

impl GeneratorUsage {
    /// Add another run's usage (the steps of a step load, run one after another).
    pub fn merge(&mut self, other: &GeneratorUsage) {
        self.threads = self.threads.max(other.threads);
        self.lag.merge(&other.lag);
        if let Some(cpu) = other.cpu {
            self.cpu = Some(self.cpu.unwrap_or_default() + cpu);
        }
        self.busiest = larger(self.busiest, other.busiest);
        if self.pacing.is_empty() || other.pacing == "tokio" {
            self.pacing = other.pacing;
        }
    }
}

/// The generator's footprint as a result records it (`generator` in the result JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GeneratorReport {
    /// Engine threads.
    pub threads: usize,
    /// CPU seconds (user + system) of the engine threads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_s: Option<f64>,
    /// The busiest engine thread's CPU time over its run time (1.0: a whole core).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_per_thread: Option<f64>,
    /// Scheduling-lag percentiles of the open model, in µs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag_us: Option<Percentiles>,
    /// What paced the open model: "timerfd" (Linux) or "tokio" (1 ms ticks).
    #[serde(default)]
    pub pacing: String,
    /// Why the generator counts as saturated; absent when it kept up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saturated: Option<String>,
}

impl GeneratorReport {
    /// The report of a run's usage, with its saturation check.
    #[must_use]
    pub fn of(usage: &GeneratorUsage) -> Self {
        let lag_us = (!usage.lag.is_empty()).then(|| Percentiles::of(&usage.lag));
        let mut report = Self {
            threads: usage.threads,
            cpu_s: usage.cpu.map(|c| c.as_secs_f64()),
            cpu_per_thread: usage.busiest.map(|b| (b * 1000.0).round() / 1000.0),
            lag_us,
            pacing: usage.pacing.to_owned(),
            saturated: None,
        };
        report.saturated = report.saturation();
        report
    }

    /// Why the generator was saturated: its lag's p99 above [`LAG_BOUND`], or a thread above
    /// [`CPU_BOUND`] of a core.
    #[must_use]
    pub fn saturation(&self) -> Option<String> {
        let bound = u64::try_from(LAG_BOUND.as_micros()).unwrap_or(u64::MAX);
        let mut why = Vec::new();
        if let Some(lag) = self.lag_us.filter(|l| l.p99 > bound) {
            why.push(format!(
                "its scheduling lag p99 was {} µs (bound {bound} µs)",
                lag.p99
            ));
        }
        if let Some(cpu) = self.cpu_per_thread.filter(|c| *c > CPU_BOUND) {
            why.push(format!(
                "its busiest thread used {:.0} % of a core (bound {:.0} %)",
                cpu * 100.0,
                CPU_BOUND * 100.0
            ));
        }
        (!why.is_empty()).then(|| format!("the generator was saturated: {}", why.join(", ")))
    }

    /// The worse of two reports (shards of one run): the larger lag and CPU share, summed CPU.
    #[must_use]
    pub fn worst(mut self, other: &GeneratorReport) -> Self {
        self.threads += other.threads;
        self.cpu_s = match (self.cpu_s, other.cpu_s) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        self.cpu_per_thread = larger(self.cpu_per_thread, other.cpu_per_thread);
        if other.lag_us.map(|l| l.p99) > self.lag_us.map(|l| l.p99) {
            self.lag_us = other.lag_us;
        }
        self.saturated = self.saturation();
        self
    }
}

fn larger(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// CPU time of the calling thread, where the system reports it.
pub(crate) fn thread_cpu() -> Option<Duration> {
    #[cfg(unix)]
    {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
        let secs = u64::try_from(t.tv_sec).ok()?;
        let nanos = u32::try_from(t.tv_nsec).ok()?;
        Some(Duration::new(secs, nanos))
    }
    #[cfg(not(unix))]
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(lag_us: u64, cpu_ms: u64, wall_ms: u64) -> GeneratorUsage {
        let mut lag = LatencyHistogram::new();
        lag.record_us_n(lag_us, 100);
        let mut usage = GeneratorUsage {
            pacing: "timerfd",
            ..GeneratorUsage::default()
        };
        usage.add(&ThreadRecording {
            lag,
            cpu: Some(Duration::from_millis(cpu_ms)),
            wall: Duration::from_millis(wall_ms),
            ..ThreadRecording::default()
        });
        usage
    }

    #[test]
    fn a_generator_that_keeps_up_is_not_saturated() {
        let r = GeneratorReport::of(&usage(80, 300, 1000));
        assert_eq!(r.saturated, None);
        assert_eq!(r.cpu_per_thread, Some(0.3));
        assert_eq!(r.lag_us.map(|l| l.p99), Some(80));
    }

    #[test]
    fn lag_or_cpu_above_the_bound_is_saturation() {
        let lagging = GeneratorReport::of(&usage(5_000, 300, 1000));
        assert!(lagging.saturated.as_deref().unwrap().contains("lag p99"));
        let busy = GeneratorReport::of(&usage(80, 950, 1000));
        assert!(busy
            .saturated
            .as_deref()
            .unwrap()
            .contains("95 % of a core"));
        let merged = GeneratorReport::of(&usage(80, 300, 1000)).worst(&lagging);
        assert!(merged.saturated.is_some());
        assert_eq!(merged.threads, 2);
    }
}
