//! [`Reason`]: why a comparison is not a plain pass, as data (sides, trial numbers, counts, the
//! interval). The library never words it; the runner does (`runner/src/report/reasons.rs`) and
//! stores the words in [`Comparison::reason`](super::Comparison::reason).

use serde::{Deserialize, Serialize};

use super::{Rule, Unusable};

/// A side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The reference runs.
    Baseline,
    /// The runs under test.
    Candidate,
}

impl Side {
    /// `baseline` or `candidate`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Side::Baseline => "baseline",
            Side::Candidate => "candidate",
        }
    }
}

/// How an interval was decided against the threshold (see `docs/statistics.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// A regression beyond the threshold, as the rule requires it (the verdict fails).
    Regression,
    /// The estimate is within the threshold, but the interval reaches beyond it.
    WithinNotShown,
    /// The estimate is beyond the threshold, but the interval does not show it as the rule
    /// requires (it includes no change; under the strict rule, not all of it is beyond).
    BeyondNotShown,
}

/// One reason a comparison is inconclusive, fails, or passes with a caveat. Trial numbers
/// count from 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// A trial that gives no value for the metric.
    UnusableTrial {
        /// Its side.
        side: Side,
        /// Its number.
        trial: usize,
        /// What it lacks.
        why: Unusable,
    },
    /// Fewer trials than the settings' minimum.
    TooFewTrials {
        /// The side.
        side: Side,
        /// Its trials.
        trials: usize,
        /// The minimum.
        min: usize,
    },
    /// A trial with too few samples beyond the compared quantile (the first such of its side).
    TooFewTailSamples {
        /// Its side.
        side: Side,
        /// Its number.
        trial: usize,
        /// Its samples.
        samples: u64,
        /// The samples per trial the quantile needs.
        needed: u64,
        /// The samples beyond the quantile that makes.
        beyond: u64,
    },
    /// The paired method with unequal trial counts.
    UnequalPairs {
        /// Baseline trials.
        baseline: usize,
        /// Candidate trials.
        candidate: usize,
    },
    /// The interval could not be computed (a non-finite or, on the log scale, non-positive
    /// value).
    NoInterval,
    /// A ratio metric with a per-trial value that is not positive: no ratio.
    NotPositive,
    /// A ratio metric whose per-trial values are not all positive but identical on both
    /// sides (a pass).
    IdenticalNotPositive,
    /// The decision rule's outcome, with the interval it judged (in the unit of
    /// [`Comparison::change`](super::Comparison::change)).
    Decided {
        /// The rule applied.
        rule: Rule,
        /// What it found.
        outcome: Outcome,
        /// The point estimate.
        change: f64,
        /// The interval's lower bound.
        low: f64,
        /// Its upper bound.
        high: f64,
    },
}
