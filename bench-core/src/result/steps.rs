//! The stored record of a step load (a saturation run): each step's measurements and what the
//! analysis found in them. The analysis itself is [`crate::saturation`]; this record depends on
//! nothing of it, so a result file can be read without the analysis.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Measurement, SloCheck, Summary};
use crate::engine::Recording;
use crate::histogram::LatencyHistogram;
use crate::steps::Dimension;

/// One step's measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    /// The level: offered rate (req/s) or workers.
    pub level: f64,
    /// Calls completed per second over the span of the step's completions.
    pub achieved_rps: f64,
    /// The step's numbers, as in a run's summary (CO-correct latency, errors by kind, statuses).
    pub summary: Summary,
    /// The step's CO-correct latency histogram (HDR V2-deflate, base64), so the SLOs can be
    /// checked again with other criteria.
    pub latency: LatencyHistogram,
}

impl StepResult {
    /// The result of one step's recording.
    #[must_use]
    pub fn of(level: f64, rec: &Recording) -> Self {
        let m = Measurement::of(rec);
        Self {
            level,
            achieved_rps: rec.achieved_rps(),
            summary: m.summary,
            latency: m.histograms.latency,
        }
    }

    /// Successful calls per second: the achieved rate (calls sent) times the share of the sent
    /// calls that succeeded (unsent calls are already missing from the achieved rate).
    #[must_use]
    pub fn goodput_rps(&self) -> f64 {
        let s = &self.summary;
        let sent = s.requests.saturating_sub(s.unsent);
        if sent == 0 {
            return 0.0;
        }
        let ok = sent.saturating_sub(s.errors.saturating_sub(s.unsent));
        self.achieved_rps * ok as f64 / sent as f64
    }

    /// Failed calls by label: HTTP status codes of 400 and above ("503"), gRPC codes other than
    /// OK ("RESOURCE_EXHAUSTED"), and error kinds without a status ("timeout", "reset", …).
    #[must_use]
    pub fn failures(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (status, n) in &self.summary.statuses {
            let failed = match status.parse::<u16>() {
                Ok(code) => code >= 400,
                Err(_) => status != "OK",
            };
            if failed && *n > 0 {
                out.insert(status.clone(), *n);
            }
        }
        for (kind, e) in &self.summary.errors_by_kind {
            if kind != "status" && kind != "grpc_status" && e.count > 0 {
                out.insert(kind.clone(), e.count);
            }
        }
        out
    }
}

/// How one step fared against the criteria.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StepVerdict {
    /// The goodput the step needed to keep up with its offered load (req/s).
    pub expected_rps: f64,
    /// Whether its goodput kept up.
    pub keeps_up: bool,
    /// The SLO checks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slo: Vec<SloCheck>,
    /// Kept up and met every SLO.
    pub healthy: bool,
    /// Why it is not healthy, in words: the goodput short of `expected_rps`, the SLOs breached.
    /// The library leaves it empty; the runner words it from `keeps_up` and `slo` into the
    /// record it writes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

/// One kind of failure above the saturation point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FailureShare {
    /// "503", "timeout", "reset", "RESOURCE_EXHAUSTED", …
    pub label: String,
    /// Calls that failed this way from the breach step on.
    pub count: u64,
    /// Its share of the calls at the breach step.
    pub share: f64,
    /// The lowest level at which it reached 1 % of a step's calls (else where it first showed).
    pub from_level: f64,
}

/// The analysis of a step load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// One verdict per step.
    pub steps: Vec<StepVerdict>,
    /// The saturation point: the last healthy step before the first unhealthy one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saturation_level: Option<f64>,
    /// The capacity the gate compares (req/s): the saturation step's offered rate (open model)
    /// or goodput (closed model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_rps: Option<f64>,
    /// Where latency starts to queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knee_level: Option<f64>,
    /// The first unhealthy step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breach_level: Option<f64>,
    /// How it fails from the breach on, most frequent first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signature: Vec<FailureShare>,
    /// The finding in one sentence, as the runner worded [`crate::saturation::Finding`] when it
    /// wrote the record (the library leaves it empty: it returns the finding as data).
    #[serde(default)]
    pub headline: String,
}

/// A saturation run as stored in its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saturation {
    /// What was stepped.
    pub dimension: Dimension,
    /// The SLOs each step was held to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slo: Vec<String>,
    /// Keep-up tolerance.
    pub tolerance: f64,
    /// Per step, in order.
    pub steps: Vec<StepResult>,
    /// What the steps show.
    pub analysis: Analysis,
    /// The scenario's `must_sustain`, checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement: Option<RequirementCheck>,
    /// Why the run ended before its last level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_early: Option<String>,
}

/// A requirement checked against a step load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequirementCheck {
    /// As written.
    pub requirement: String,
    /// The rate that must be sustained (req/s).
    pub required_rps: f64,
    /// The capacity found under the requirement's SLOs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sustained_rps: Option<f64>,
    /// Whether it holds.
    pub passed: bool,
}
