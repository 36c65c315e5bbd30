//! The per-second timeline: interval reports from every thread, merged by second and compacted
//! once every thread has moved past that second, so memory stays flat in the run's length.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::histogram::{HistogramError, LatencyHistogram};
use crate::recorder::IntervalReport;

/// One second of the run (by completion time, counted from the end of warm-up).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TimelinePoint {
    /// Seconds since the measurement started.
    pub second: u64,
    /// Calls completed in this second.
    pub requests: u64,
    /// Failed calls completed in this second.
    pub errors: u64,
    /// Response bytes.
    pub bytes: u64,
    /// Median latency (µs, CO-correct).
    pub p50_us: u64,
    /// 90th percentile latency (µs).
    pub p90_us: u64,
    /// 99th percentile latency (µs).
    pub p99_us: u64,
    /// Largest latency (µs).
    pub max_us: u64,
    /// The second's latency histogram (HDR V2-deflate, base64), so timelines merge exactly.
    pub histogram: String,
}

impl TimelinePoint {
    /// Build a point from a second's histogram and counters.
    pub fn from_histogram(
        second: u64,
        h: &LatencyHistogram,
        requests: u64,
        errors: u64,
        bytes: u64,
    ) -> Result<Self, HistogramError> {
        Ok(Self {
            second,
            requests,
            errors,
            bytes,
            p50_us: h.quantile_us(0.50),
            p90_us: h.quantile_us(0.90),
            p99_us: h.quantile_us(0.99),
            max_us: h.max_us(),
            histogram: h.to_base64()?,
        })
    }
}

#[derive(Debug, Default)]
struct Open {
    latency: LatencyHistogram,
    requests: u64,
    errors: u64,
    bytes: u64,
}

/// Merges interval reports as they arrive.
#[derive(Debug)]
pub(crate) struct TimelineBuilder {
    open: BTreeMap<u64, Open>,
    watermark: Vec<u64>,
    done: Vec<TimelinePoint>,
    so_far: LatencyHistogram,
    requests: u64,
    errors: u64,
    last_second_requests: u64,
}

impl TimelineBuilder {
    pub(crate) fn new(threads: usize) -> Self {
        Self {
            open: BTreeMap::new(),
            watermark: vec![0; threads],
            done: Vec::new(),
            so_far: LatencyHistogram::new(),
            requests: 0,
            errors: 0,
            last_second_requests: 0,
        }
    }

    pub(crate) fn add(&mut self, r: IntervalReport) {
        self.so_far.merge(&r.latency);
        self.requests += r.requests;
        self.errors += r.errors;
        if let Some(w) = self.watermark.get_mut(r.thread) {
            *w = (*w).max(r.second + 1);
        }
        let open = self.open.entry(r.second).or_default();
        open.latency.merge(&r.latency);
        open.requests += r.requests;
        open.errors += r.errors;
        open.bytes += r.bytes;
        let low = self.watermark.iter().copied().min().unwrap_or(0);
        self.compact(low);
    }

    fn compact(&mut self, below: u64) {
        while let Some(entry) = self.open.first_entry() {
            if *entry.key() >= below {
                break;
            }
            let (second, o) = entry.remove_entry();
            self.last_second_requests = o.requests;
            // Encoding a histogram built here cannot fail; if it somehow did, keep the counters.
            let point =
                TimelinePoint::from_histogram(second, &o.latency, o.requests, o.errors, o.bytes)
                    .unwrap_or_else(|_| TimelinePoint {
                        second,
                        requests: o.requests,
                        errors: o.errors,
                        bytes: o.bytes,
                        p50_us: 0,
                        p90_us: 0,
                        p99_us: 0,
                        max_us: 0,
                        histogram: String::new(),
                    });
            self.done.push(point);
        }
    }

    /// Requests, errors, last full second's rate and p99 so far.
    pub(crate) fn progress(&self) -> (u64, u64, u64, u64) {
        (
            self.requests,
            self.errors,
            self.last_second_requests,
            self.so_far.quantile_us(0.99),
        )
    }

    /// Finalise every second, dropping the trailing second when it is an empty flush.
    pub(crate) fn finish(mut self, measured: Duration) -> Vec<TimelinePoint> {
        self.compact(u64::MAX);
        let last = measured.as_secs_f64().ceil() as u64;
        self.done.retain(|p| p.requests > 0 || p.second < last);
        self.done
    }
}
