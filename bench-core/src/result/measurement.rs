//! What a load run measured, as one mergeable value: the headline [`Summary`], the run-level
//! [`Histograms`] it comes from, the per-request results of the mix and the per-second timeline.
//!
//! Every merge of stored measurements is one fold, [`MeasurementSum`]: the shards of a
//! distributed run (each at its offset from the first), the requests of a mix (by name), and the
//! trials of one side of a comparison. Counts add, HDR histograms add (exactly), timelines add
//! second by second, and the percentiles and the error rate are computed once from the merged
//! histograms ([`Measurement::summarise`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::engine::Recording;
use crate::histogram::HistogramError;
use crate::recorder::Series;
use crate::summary::{ConnectionSummary, ErrorSummary, Histograms, Percentiles, Summary};
use crate::timeline::{TimelinePoint, TimelineSum};

/// What a load run (or a step load, all its steps together) measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// Headline numbers: counts, rates, percentiles.
    pub summary: Summary,
    /// Run-level histograms (HDR V2-deflate, base64), which the percentiles come from.
    pub histograms: Histograms,
    /// Per-request results of the mix.
    pub requests: Vec<RequestResult>,
    /// Per-second timeline.
    pub timeline: Vec<TimelinePoint>,
}

/// One request of a mix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RequestResult {
    /// Name from the scenario.
    pub name: String,
    /// Calls.
    pub requests: u64,
    /// Failures.
    pub errors: u64,
    /// Streamed messages received.
    #[serde(default)]
    pub messages: u64,
    /// CO-correct latency percentiles.
    pub latency_us: Percentiles,
    /// Service-time percentiles.
    pub service_time_us: Percentiles,
    /// Streams: percentiles of the time to the first message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_message_us: Option<Percentiles>,
    /// Histograms.
    pub histograms: Histograms,
    /// A journey's end-to-end row (its `requests` are journeys started, its `errors` failed
    /// ones), not a request: it is not counted in the summary.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub journey: bool,
}

impl RequestResult {
    /// Add the calls of the same request measured alongside: counts and histograms add; the
    /// percentiles are left to [`RequestResult::summarise`].
    fn add(&mut self, other: &RequestResult) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.messages += other.messages;
        self.histograms.merge(&other.histograms);
    }

    /// The percentiles from its histograms.
    fn summarise(&mut self) {
        self.latency_us = Percentiles::of(&self.histograms.latency);
        self.service_time_us = Percentiles::of(&self.histograms.service_time);
        self.first_message_us = self.histograms.first_message.as_ref().map(Percentiles::of);
    }

    fn of(name: &str, s: &Series, journey: bool) -> Self {
        let mut r = Self {
            name: name.to_owned(),
            requests: s.requests,
            errors: s.errors,
            messages: s.messages,
            latency_us: Percentiles::default(),
            service_time_us: Percentiles::default(),
            first_message_us: None,
            histograms: Histograms::of(s),
            journey,
        };
        r.summarise();
        r
    }
}

impl Measurement {
    /// The measurement of an engine recording.
    #[must_use]
    pub fn of(rec: &Recording) -> Self {
        let total = rec.total();
        let journeys = rec.journeys.iter().map(|(n, s)| (n, s, true));
        let requests = rec
            .series
            .iter()
            .map(|(n, s)| (n, s, false))
            .chain(journeys)
            .map(|(name, s, journey)| RequestResult::of(name, s, journey))
            .collect();
        let mut m = Self {
            summary: counts_of(rec, &total),
            histograms: Histograms::of(&total),
            requests,
            timeline: rec.timeline.clone(),
        };
        m.summarise();
        m
    }

    /// The error rate and every percentile (the run's and each request's), from the counts and
    /// the histograms: the one place they are computed.
    pub fn summarise(&mut self) {
        self.summary.summarise(&self.histograms);
        for r in &mut self.requests {
            r.summarise();
        }
    }

    /// Add `other`, measured alongside this one, its second `s` counting as `s + offset_s`
    /// (see [`MeasurementSum::add`]; the merge is complete even when that returns an error).
    pub fn merge(&mut self, other: &Measurement, offset_s: u64) -> Result<(), HistogramError> {
        let mut sum = MeasurementSum::default();
        let mine = sum.add(self, 0);
        let theirs = sum.add(other, offset_s);
        let (merged, encoded) = sum.finish();
        *self = merged;
        mine.and(theirs).and(encoded)
    }
}

/// Measurements merged: the fold behind [`Measurement::merge`], for many parts at once.
#[derive(Debug, Clone, Default)]
pub struct MeasurementSum {
    counts: Summary,
    histograms: Histograms,
    requests: Vec<RequestResult>,
    /// The timelines merged second by second (with how many parts reached each second).
    pub timeline: TimelineSum,
}

impl MeasurementSum {
    /// Add `part`, measured alongside the others (a shard, a trial), its second `s` counting as
    /// `s + offset_s`: counts and rates add, histograms merge, the mix's requests merge by name.
    /// A timeline point whose histogram cannot be read still counts its calls (not its
    /// latencies) and is the error returned — for the caller to stop on, or to let pass.
    pub fn add(&mut self, part: &Measurement, offset_s: u64) -> Result<(), HistogramError> {
        self.counts.add_counts(&part.summary);
        self.histograms.merge(&part.histograms);
        for req in &part.requests {
            match self.requests.iter_mut().find(|m| m.name == req.name) {
                Some(m) => m.add(req),
                None => self.requests.push(req.clone()),
            }
        }
        self.timeline.add(&part.timeline, offset_s)
    }

    /// The merged histograms so far.
    #[must_use]
    pub fn histograms(&self) -> &Histograms {
        &self.histograms
    }

    /// The merged measurement, summarised. Its timeline is empty of any second whose merged
    /// histogram could not be encoded, and that is the error returned.
    pub fn finish(self) -> (Measurement, Result<(), HistogramError>) {
        let (timeline, encoded) = match self.timeline.points() {
            Ok(points) => (points, Ok(())),
            Err(e) => (Vec::new(), Err(e)),
        };
        let mut m = Measurement {
            summary: self.counts,
            histograms: self.histograms,
            requests: self.requests,
            timeline,
        };
        m.summarise();
        (m, encoded)
    }
}

/// The counts of a recording (the percentiles are left to [`Measurement::summarise`]).
fn counts_of(rec: &Recording, total: &Series) -> Summary {
    let window = rec.window.as_secs_f64();
    let mut statuses = BTreeMap::new();
    for (status, n) in &rec.counts.statuses {
        *statuses.entry(status.to_string()).or_insert(0) += n;
    }
    let errors_by_kind = rec
        .counts
        .errors
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                ErrorSummary {
                    count: v.count,
                    sample: v.sample.clone(),
                },
            )
        })
        .collect();
    let sent = total.requests - total.unsent;
    Summary {
        requests: total.requests,
        errors: total.errors,
        unsent: total.unsent,
        rps: if window > 0.0 {
            sent as f64 / window
        } else {
            0.0
        },
        target_rps: rec.target_rps,
        late: rec.counts.late,
        bytes: total.bytes,
        messages: total.messages,
        redirects: rec.counts.redirects(),
        redirects_followed: rec.counts.followed,
        redirects_offsite: rec.counts.offsite,
        connections: ConnectionSummary {
            opened: rec.counts.opened,
            reused: rec.counts.reused,
            retried: rec.counts.retried,
        },
        statuses,
        errors_by_kind,
        checks: rec.checks.clone(),
        ..Summary::default()
    }
}

#[cfg(test)]
#[path = "measurement_tests.rs"]
mod tests;
