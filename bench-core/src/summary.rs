//! The headline numbers of a run: percentiles, counts, errors by kind, and the HDR histograms
//! they come from (the `summary` and `histograms` of a
//! [`Measurement`](crate::result::Measurement)).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::histogram::LatencyHistogram;
use crate::recorder::Series;

/// Latency percentiles in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Percentiles {
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 95th percentile.
    pub p95: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// Largest value.
    pub max: u64,
    /// Mean.
    pub mean: f64,
}

impl Percentiles {
    /// Percentiles of a histogram.
    #[must_use]
    pub fn of(h: &LatencyHistogram) -> Self {
        Self {
            p50: h.quantile_us(0.50),
            p90: h.quantile_us(0.90),
            p95: h.quantile_us(0.95),
            p99: h.quantile_us(0.99),
            p999: h.quantile_us(0.999),
            max: h.max_us(),
            mean: h.mean_us(),
        }
    }
}

/// Count and first message of one error kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ErrorSummary {
    /// How many.
    pub count: u64,
    /// First message seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<String>,
}

/// The headline numbers of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Measured calls: completed, failed, and due but never sent (`unsent`).
    pub requests: u64,
    /// Failed calls (unsent ones included).
    pub errors: u64,
    /// Calls due in the measured window but never sent because the window ended first; counted
    /// in `requests`, `errors` and `errors_by_kind.unsent`, and in the latency histogram from
    /// their due time to the end of the window.
    #[serde(default)]
    pub unsent: u64,
    /// errors / requests.
    pub error_rate: f64,
    /// Achieved throughput: calls sent (requests − unsent) / the measured window (not the time
    /// to the last completion, which would count the drain).
    pub rps: f64,
    /// Offered rate (open model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_rps: Option<f64>,
    /// Calls sent late because every connection was busy (their latency still counts from
    /// their due time).
    pub late: u64,
    /// Response bytes.
    pub bytes: u64,
    /// CO-correct latency (from the intended send time).
    pub latency_us: Percentiles,
    /// Service time (from the actual send).
    pub service_time_us: Percentiles,
    /// Streams: time from the due time to the first message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_message_us: Option<Percentiles>,
    /// Streams: messages received.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub messages: u64,
    /// Calls per status code ("200", "503", "UNAVAILABLE", …).
    pub statuses: BTreeMap<String, u64>,
    /// Calls that ended with an HTTP 3xx status — a redirect not followed (following is off, the
    /// status is not one that is followed, it leads to another origin, or the chain was too
    /// long): such a run may have measured a redirect (e.g. to a login page) rather than the
    /// endpoint.
    #[serde(default)]
    pub redirects: u64,
    /// Redirects followed on the target's origin (`[http] follow_redirects`), hop by hop: a call
    /// redirected twice counts 2. Its latency spans every hop.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub redirects_followed: u64,
    /// Calls that ended with a redirect to another origin (scheme, host or port), which is never
    /// followed: load goes only to the target. Also counted in `redirects`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub redirects_offsite: u64,
    /// How the calls used their connections.
    #[serde(default)]
    pub connections: ConnectionSummary,
    /// Failures per kind.
    pub errors_by_kind: BTreeMap<String, ErrorSummary>,
    /// Pass and fail counts of every check of every request (none without checks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckSummary>,
}

/// The verdicts of one check of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CheckSummary {
    /// The request (`journey/step` for a journey's step).
    pub request: String,
    /// The check's name.
    pub check: String,
    /// Responses that passed it.
    pub passed: u64,
    /// Responses that failed it.
    pub failed: u64,
}

/// Connections opened and reused over the run (warm-up included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConnectionSummary {
    /// Connections opened (TCP, and TLS over it).
    pub opened: u64,
    /// Calls sent on a connection that was already open.
    pub reused: u64,
    /// Calls written into a connection the server had closed, sent again once on a fresh
    /// connection (idempotent methods only).
    pub retried: u64,
}

/// The two run-level histograms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Histograms {
    /// CO-correct latency.
    pub latency: LatencyHistogram,
    /// Service time.
    pub service_time: LatencyHistogram,
    /// Time to first streamed message (streams only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_message: Option<LatencyHistogram>,
}

impl Histograms {
    pub(crate) fn of(s: &Series) -> Self {
        Self {
            latency: s.latency.clone(),
            service_time: s.service.clone(),
            first_message: s.first_message.clone(),
        }
    }

    /// Add `other`'s calls: exact, HDR counts add.
    pub fn merge(&mut self, other: &Histograms) {
        self.latency.merge(&other.latency);
        self.service_time.merge(&other.service_time);
        if let Some(f) = &other.first_message {
            self.first_message
                .get_or_insert_with(LatencyHistogram::new)
                .merge(f);
        }
    }
}

impl Summary {
    /// Add the counts of a part measured alongside this one (a shard of the same run): calls,
    /// errors, statuses, checks, bytes and rates add (the offered rate adds where it is known).
    /// The percentiles and the error rate are left to [`Summary::summarise`].
    pub(crate) fn add_counts(&mut self, r: &Summary) {
        self.requests += r.requests;
        self.errors += r.errors;
        self.late += r.late;
        self.unsent += r.unsent;
        self.redirects += r.redirects;
        self.redirects_followed += r.redirects_followed;
        self.redirects_offsite += r.redirects_offsite;
        self.connections.opened += r.connections.opened;
        self.connections.reused += r.connections.reused;
        self.connections.retried += r.connections.retried;
        self.bytes += r.bytes;
        self.messages += r.messages;
        self.rps += r.rps;
        if let Some(t) = r.target_rps {
            *self.target_rps.get_or_insert(0.0) += t;
        }
        for c in &r.checks {
            match self
                .checks
                .iter_mut()
                .find(|m| m.request == c.request && m.check == c.check)
            {
                Some(m) => {
                    m.passed += c.passed;
                    m.failed += c.failed;
                }
                None => self.checks.push(c.clone()),
            }
        }
        for (k, v) in &r.statuses {
            *self.statuses.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &r.errors_by_kind {
            let e = self.errors_by_kind.entry(k.clone()).or_default();
            e.count += v.count;
            if e.sample.is_none() {
                e.sample.clone_from(&v.sample);
            }
        }
    }

    /// The error rate from the counts and the percentiles from `h`, the histograms of the same
    /// calls.
    pub(crate) fn summarise(&mut self, h: &Histograms) {
        self.error_rate = if self.requests == 0 {
            0.0
        } else {
            self.errors as f64 / self.requests as f64
        };
        self.latency_us = Percentiles::of(&h.latency);
        self.service_time_us = Percentiles::of(&h.service_time);
        self.first_message_us = h.first_message.as_ref().map(Percentiles::of);
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
