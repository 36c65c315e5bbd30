//! Statistics engine of the regression gate: decides whether a candidate's
//! latency/throughput/error metrics regressed against a baseline.
//!
//! The unit of evidence is the **trial** (one load-test run): every trial is
//! reduced to one number per metric (its p99, its mean, its achieved rps, …) and
//! the comparison is made between the two sets of per-trial numbers. See
//! `docs/statistics.md` for the reasoning; in short:
//!
//! * ratio metrics (quantiles, mean, throughput) are compared on the log scale:
//!   the estimate is the ratio of geometric means of the per-trial statistics,
//!   with a Welch (default), paired, or hierarchical-bootstrap interval;
//! * the error rate is compared as an absolute difference of mean per-trial
//!   rates;
//! * [`compare`] applies the decision rule and returns a typed [`Comparison`]
//!   with a [`Verdict`] and, when not plainly passing, its [`Reason`]s as data (the runner
//!   words them).
//!
//! Module map:
//! * [`Distribution`] (`distribution.rs`): weighted sorted samples built from an
//!   HDR histogram or a slice; type-7 and Harrell–Davis quantiles, mean.
//! * [`Metric`], [`Trial`] (`metric.rs`): what is compared and how one trial is
//!   reduced to one number; [`Quantile`] (`quantile.rs`): a validated quantile level.
//! * [`TInterval`] (`ttest.rs`): Welch and paired t intervals.
//! * `sampling.rs`, `bootstrap.rs`: seeded hierarchical bootstrap.
//! * [`Settings`], [`Method`], [`Rule`] (`settings.rs`): what to decide and how.
//! * [`Comparison`], [`Verdict`] (`comparison.rs`): the result of one comparison; [`Reason`]
//!   (`reason.rs`): why it is not a plain pass.
//! * [`compare`] (`verdict.rs`): checks,
//!   interval (floored at the recording resolution), result.
//! * `decision.rs`: the decision rule (pass only when the interval shows the change within
//!   the threshold), p-value, minimum detectable effect, trials needed.
//! * [`Sequential`] (`sequential.rs`): looks and alpha spending of the sequential gate.
//! * [`prediction`]: prediction intervals (stored baselines' run-to-run spread).
//! * [`change_point`]: change points in a run-by-run history (e-divisive means).
#![deny(missing_docs)]

mod bootstrap;
mod boundaries;
pub mod change_point;
mod comparison;
mod decision;
mod distribution;
mod metric;
pub mod prediction;
mod quantile;
mod reason;
mod sampling;
mod sequential;
mod settings;
mod ttest;
mod verdict;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod simulation;

pub use comparison::{Comparison, Verdict};
pub use distribution::Distribution;
pub use metric::{Direction, Metric, QuantileEstimator, Trial, Unusable};
pub use quantile::Quantile;
pub use reason::{Outcome, Reason, Side};
pub use sequential::Sequential;
pub use settings::{Method, Rule, Settings};
pub use ttest::{paired_interval, welch_interval, TInterval};
pub use verdict::compare;

/// Errors for invalid inputs or settings (caller mistakes, not data outcomes:
/// data that cannot support a decision yields [`Verdict::Inconclusive`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// A quantile outside the open interval (0, 1), or NaN.
    #[error("quantile must be in (0, 1), got {0}")]
    InvalidQuantile(f64),
    /// A sample value that is NaN or infinite.
    #[error("sample {index} is not finite ({value})")]
    NonFiniteSample {
        /// Position of the offending sample in the input slice.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A [`Settings`] field out of its valid range.
    #[error("invalid settings: {0}")]
    InvalidSettings(String),
}
