//! The result of one comparison: [`Verdict`] and [`Comparison`] (and the analysis scale's
//! change), shared by the comparison (`verdict.rs`) and the decision rule (`decision.rs`).

use serde::{Deserialize, Serialize};

use super::{Method, Metric, Reason};

/// Outcome of one comparison. Serialized as `"pass"`, `"fail"`, `"inconclusive"`.
///
/// Ordered from best to worst (`Pass < Inconclusive < Fail`): the verdict of several
/// comparisons is their maximum ([`Verdict::worst`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The interval shows the change is within the threshold.
    Pass,
    /// The evidence cannot support a decision; see [`Comparison::reason`].
    Inconclusive,
    /// The interval shows a regression beyond the threshold (see [`Rule`]).
    Fail,
}

impl Verdict {
    /// The worst of `verdicts`; `None` when there are none (no evidence is never a pass:
    /// the caller decides what an empty set means).
    pub fn worst(verdicts: impl IntoIterator<Item = Verdict>) -> Option<Verdict> {
        verdicts.into_iter().max()
    }
}

/// Result of comparing one metric.
///
/// `change`, `ci_low` and `ci_high` are in one unit: the relative change
/// `ratio − 1` (0.12 = +12 %) for ratio metrics, the absolute difference of
/// error rates (0.012 = +1.2 percentage points) for [`Metric::ErrorRate`].
/// Numbers that could not be computed are `None` (only ever when the verdict
/// is inconclusive; a pass or fail always has all five).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The compared metric.
    pub metric: Metric,
    /// The decision.
    pub verdict: Verdict,
    /// [`Comparison::reasons`] in words, as the runner worded them when it wrote the verdict
    /// (`None` from [`compare`](super::compare)); a verdict file keeps the words.
    pub reason: Option<String>,
    /// Why, for fail and inconclusive verdicts; for a pass, a caveat (identical values that
    /// allow no ratio). Empty in verdict files written before it existed (their `reason` has
    /// the words).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
    /// Baseline aggregate: geometric mean of the per-trial values for ratio
    /// metrics, arithmetic mean of the per-trial rates for the error rate.
    pub baseline: Option<f64>,
    /// Candidate aggregate, as for `baseline`.
    pub candidate: Option<f64>,
    /// `candidate / baseline − 1`, or `candidate − baseline` for the error rate.
    pub change: Option<f64>,
    /// Lower confidence bound of `change`.
    pub ci_low: Option<f64>,
    /// Upper confidence bound of `change`.
    pub ci_high: Option<f64>,
    /// Threshold applied, in the unit of `change`.
    pub threshold: f64,
    /// Confidence level of the interval.
    pub confidence: f64,
    /// Interval method used.
    pub method: Method,
    /// Number of baseline trials.
    pub baseline_trials: usize,
    /// Number of candidate trials.
    pub candidate_trials: usize,
    /// Per-pair noise: the standard deviation of one candidate-vs-baseline difference on the
    /// analysis scale (the log ratio for ratio metrics), `√k · standard error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise: Option<f64>,
    /// Minimum detectable effect at the trials used: the regression (same unit as `change`,
    /// as a positive magnitude) that fails with 80 % probability under the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mde: Option<f64>,
    /// For an inconclusive verdict with an interval: the trials per side that would decide,
    /// if the estimate and the noise stayed as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trials_needed: Option<usize>,
    /// One-sided p-value of the fail test (H0: no regression for the default rule, a
    /// regression of at most the threshold for the strict one); family-wise control (Holm)
    /// works on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
}

impl Comparison {
    pub(crate) fn inconclusive(mut self, reasons: Vec<Reason>) -> Self {
        self.verdict = Verdict::Inconclusive;
        self.reasons = reasons;
        self
    }
}

/// From the analysis scale (log or raw) to the reported change.
pub(crate) fn to_change(metric: Metric, diff: f64) -> f64 {
    if metric.is_ratio() {
        diff.exp_m1()
    } else {
        diff
    }
}
