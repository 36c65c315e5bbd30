//! Saturation analysis of a step load: which step is the highest the target sustains, where
//! latency starts to queue, and how it fails above that — in numbers, and as a [`Finding`] the
//! runner words in one plain sentence.
//! The algorithm and its limits are in `docs/saturation.md`.
//!
//! * A step **keeps up** when its goodput (successful calls per second, measured over the span of
//!   its completions) is at least `1 − tolerance` of the load it was offered: the rate in the
//!   open model; in the closed model the first step's throughput per worker times the workers.
//! * A step is **healthy** when it keeps up and meets every SLO of the criteria (latency and error
//!   rate; `rps` thresholds do not apply to a single step).
//! * The **saturation point** is the last step of the leading run of healthy steps; the first
//!   unhealthy step is the **breach**, and its failures are the **signature**.
//! * The **knee** is the first step whose median latency is more than twice the lowest step's
//!   (and at least 1 ms more): where requests start to wait rather than be served.

mod finding;
mod requirement;

use std::collections::BTreeMap;

use crate::result::SloCheck;
use crate::scenario::slo::{Slo, SloMetric};
use crate::steps::Dimension;

pub use crate::result::steps::{
    Analysis, FailureShare, RequirementCheck, Saturation, StepResult, StepVerdict,
};
pub use finding::{Breach, Finding, Sustained, FAILING_SHARE};
pub use requirement::{Requirement, RequirementError};

/// Median latency growth that marks the knee.
pub const KNEE_FACTOR: f64 = 2.0;
/// ... and the least absolute growth (µs), so sub-millisecond noise is no knee.
pub const KNEE_MIN_US: u64 = 1_000;
/// A failure label names a load in the signature from the step where it is this share of calls.
const NOTABLE_SHARE: f64 = 0.01;

/// What a step must do to count as sustained.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Criteria {
    /// Latency and error-rate thresholds each step must meet (`rps` thresholds are ignored).
    pub slos: Vec<Slo>,
    /// Shortfall of goodput against the offered load that still counts as keeping up.
    pub tolerance: f64,
}

impl Saturation {
    /// Analyse `steps` and check `requirement`.
    #[must_use]
    pub fn new(
        dimension: Dimension,
        steps: Vec<StepResult>,
        criteria: &Criteria,
        requirement: Option<&Requirement>,
        stopped_early: Option<String>,
    ) -> Self {
        let analysis = analyze(dimension, &steps, criteria);
        let requirement = requirement.map(|r| r.check(dimension, &steps, criteria));
        Self {
            dimension,
            slo: criteria.slos.iter().map(|s| s.text.clone()).collect(),
            tolerance: criteria.tolerance,
            steps,
            analysis,
            requirement,
            stopped_early,
        }
    }
}

/// Judge every step and find the saturation point, knee and failure signature.
#[must_use]
pub fn analyze(dimension: Dimension, steps: &[StepResult], criteria: &Criteria) -> Analysis {
    let per_worker = steps
        .first()
        .map_or(0.0, |s| s.achieved_rps / s.level.max(1.0));
    let verdicts: Vec<StepVerdict> = steps
        .iter()
        .map(|s| {
            let expected_rps = match dimension {
                Dimension::Rate => s.level,
                Dimension::Workers => per_worker * s.level,
            };
            judge(s, expected_rps, criteria)
        })
        .collect();
    let breach = verdicts.iter().position(|v| !v.healthy);
    let saturation = match breach {
        Some(0) => None,
        Some(b) => Some(b - 1),
        None => steps.len().checked_sub(1),
    };
    let capacity_rps = saturation.map(|i| match dimension {
        Dimension::Rate => steps[i].level,
        Dimension::Workers => steps[i].goodput_rps(),
    });
    let knee = steps.first().and_then(|first| {
        let base = first.summary.latency_us.p50;
        let limit = ((base as f64 * KNEE_FACTOR) as u64).max(base + KNEE_MIN_US);
        steps.iter().position(|s| s.summary.latency_us.p50 > limit)
    });
    let signature = breach.map(|b| signature(&steps[b..])).unwrap_or_default();
    Analysis {
        steps: verdicts,
        saturation_level: saturation.map(|i| steps[i].level),
        capacity_rps,
        knee_level: knee.map(|i| steps[i].level),
        breach_level: breach.map(|i| steps[i].level),
        signature,
        // The runner words the finding ([`Saturation::finding`]) into the record it writes.
        headline: String::new(),
    }
}

fn judge(s: &StepResult, expected_rps: f64, criteria: &Criteria) -> StepVerdict {
    let goodput = s.goodput_rps();
    let keeps_up = goodput >= (1.0 - criteria.tolerance) * expected_rps;
    let slo: Vec<SloCheck> = criteria
        .slos
        .iter()
        .filter(|slo| slo.metric != SloMetric::Rps)
        .map(|slo| slo.check_in(&s.latency, &s.summary))
        .collect();
    StepVerdict {
        expected_rps,
        keeps_up,
        healthy: keeps_up && slo.iter().all(|c| c.passed),
        slo,
        // The runner words why a step is unhealthy (from `keeps_up` and `slo`) into the record.
        reasons: Vec::new(),
    }
}

/// Failures from the breach step (`above[0]`) on, the most frequent first — except `unsent`,
/// which always comes last: calls still queued in the generator when a step's window closed are
/// a consequence of the target being slow (already told as "requests queue"), not how it fails,
/// so the finding leads with the target's own failures (a 503, a reset) however few they are.
fn signature(above: &[StepResult]) -> Vec<FailureShare> {
    let Some(breach) = above.first() else {
        return Vec::new();
    };
    let at_breach = breach.failures();
    let mut total: BTreeMap<String, (u64, Option<f64>, Option<f64>)> = BTreeMap::new();
    for s in above {
        let requests = s.summary.requests.max(1) as f64;
        for (label, n) in s.failures() {
            let e = total.entry(label).or_default();
            e.0 += n;
            e.1.get_or_insert(s.level);
            if n as f64 / requests >= NOTABLE_SHARE {
                e.2.get_or_insert(s.level);
            }
        }
    }
    let requests = breach.summary.requests.max(1) as f64;
    let mut out: Vec<FailureShare> = total
        .into_iter()
        .map(|(label, (count, first, notable))| FailureShare {
            share: at_breach.get(&label).copied().unwrap_or(0) as f64 / requests,
            from_level: notable.or(first).unwrap_or(breach.level),
            label,
            count,
        })
        .collect();
    out.sort_by(|a, b| {
        let generator = |f: &FailureShare| f.label == "unsent";
        (generator(a).cmp(&generator(b)))
            .then(b.count.cmp(&a.count))
            .then(a.label.cmp(&b.label))
    });
    out
}

#[cfg(test)]
mod tests;
