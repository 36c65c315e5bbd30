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

/// One second of several timelines (or threads' reports) merged: histograms merge, calls,
/// errors and bytes add, and `parts` counts what was added (for a mean over trials).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SecondSum {
    /// The second's latency, every part merged.
    pub latency: LatencyHistogram,
    /// Calls completed.
    pub requests: u64,
    /// Failed calls.
    pub errors: u64,
    /// Response bytes.
    pub bytes: u64,
    /// How many parts were added.
    pub parts: u64,
}

impl SecondSum {
    fn add(&mut self, latency: &LatencyHistogram, requests: u64, errors: u64, bytes: u64) {
        self.latency.merge(latency);
        self.requests += requests;
        self.errors += errors;
        self.bytes += bytes;
        self.parts += 1;
    }

    /// The merged second as a point.
    pub fn point(&self, second: u64) -> Result<TimelinePoint, HistogramError> {
        TimelinePoint::from_histogram(
            second,
            &self.latency,
            self.requests,
            self.errors,
            self.bytes,
        )
    }
}

/// Stored timelines merged second by second: the shards of one run (each at its offset from the
/// first) or the trials of one side of a comparison.
#[derive(Debug, Clone, Default)]
pub struct TimelineSum {
    /// The merged seconds, in order.
    pub seconds: BTreeMap<u64, SecondSum>,
}

impl TimelineSum {
    /// Add `points`, second `s` of them counting as second `s + offset`. Every point's calls are
    /// counted; a point whose histogram cannot be read adds none to the latency and is the
    /// error returned (the first one) — for the caller to stop on, or to let pass.
    pub fn add<'a>(
        &mut self,
        points: impl IntoIterator<Item = &'a TimelinePoint>,
        offset: u64,
    ) -> Result<(), HistogramError> {
        let mut first_error = None;
        for p in points {
            let h = LatencyHistogram::from_base64(&p.histogram).unwrap_or_else(|e| {
                first_error.get_or_insert(e);
                LatencyHistogram::new()
            });
            let slot = self.seconds.entry(p.second + offset).or_default();
            slot.add(&h, p.requests, p.errors, p.bytes);
        }
        first_error.map_or(Ok(()), Err)
    }

    /// The merged timeline.
    pub fn points(&self) -> Result<Vec<TimelinePoint>, HistogramError> {
        self.seconds.iter().map(|(s, sum)| sum.point(*s)).collect()
    }
}

/// Merges interval reports as they arrive.
#[derive(Debug)]
pub(crate) struct TimelineBuilder {
    open: BTreeMap<u64, SecondSum>,
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
        open.add(&r.latency, r.requests, r.errors, r.bytes);
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
            let point = o.point(second).unwrap_or_else(|_| TimelinePoint {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn point(second: u64, latency_us: u64, requests: u64) -> TimelinePoint {
        let mut h = LatencyHistogram::new();
        h.record_us_n(latency_us, requests);
        TimelinePoint::from_histogram(second, &h, requests, 1, 10 * requests).unwrap()
    }

    #[test]
    fn timelines_merge_by_second_at_their_offsets() {
        let mut sum = TimelineSum::default();
        sum.add(&[point(0, 1_000, 10), point(1, 1_000, 10)], 0)
            .unwrap();
        sum.add(&[point(0, 9_000, 30)], 1).unwrap();
        let points = sum.points().unwrap();
        assert_eq!(points.len(), 2);
        assert_eq!((points[0].requests, points[0].p99_us), (10, 1_000));
        let p = &points[1];
        assert_eq!((p.second, p.requests, p.errors, p.bytes), (1, 40, 2, 400));
        assert!(p.p50_us >= 8_990 && p.p50_us <= 9_010, "{}", p.p50_us);
        assert_eq!(sum.seconds[&1].parts, 2);
    }

    #[test]
    fn an_unreadable_point_still_counts_its_calls_and_is_the_error() {
        let mut bad = point(0, 1_000, 5);
        bad.histogram = "not base64".into();
        let mut sum = TimelineSum::default();
        assert!(sum.add(&[bad, point(1, 1_000, 5)], 0).is_err());
        let points = sum.points().unwrap();
        assert_eq!((points[0].requests, points[0].p99_us), (5, 0));
        assert_eq!(points[1].requests, 5);
    }
}
