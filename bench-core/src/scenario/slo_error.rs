//! Why an SLO threshold (`p99 < 200ms`) is refused: the errors of parsing `slo.rs`'s thresholds.

/// Why a threshold is refused; the message names the threshold as written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SloError {
    /// No `<`, `<=`, `>` or `>=`.
    #[error("threshold {text:?} has no comparison; write e.g. \"p99 < 200ms\"")]
    NoComparison {
        /// The threshold as written.
        text: String,
    },
    /// The left-hand side is no metric an SLO can bound.
    #[error("threshold {text:?}: unknown metric {metric:?} (p50, p90, p95, p99, p99.9, max, mean, error_rate, rps, checks)")]
    UnknownMetric {
        /// The threshold as written.
        text: String,
        /// The metric as written.
        metric: String,
    },
    /// The bound does not parse for the metric.
    #[error("threshold {text:?}: {reason}")]
    Bound {
        /// The threshold as written.
        text: String,
        /// What is wrong with the bound.
        reason: BoundError,
    },
    /// Every possible value meets the threshold.
    #[error("threshold {text:?} can never fail: {why}; give a bound it can breach")]
    NeverFails {
        /// The threshold as written.
        text: String,
        /// The range of the metric.
        why: &'static str,
    },
    /// No possible value meets the threshold.
    #[error("threshold {text:?} can never hold: {why}")]
    NeverHolds {
        /// The threshold as written.
        text: String,
        /// The range of the metric.
        why: &'static str,
    },
}

/// Why the bound of a threshold (the right-hand side) does not parse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BoundError {
    /// A latency bound that is no duration.
    #[error(transparent)]
    Duration(#[from] crate::duration_serde::DurationError),
    /// A rate bound that is no percentage.
    #[error(transparent)]
    Percent(#[from] crate::scenario::gate::GateError),
    /// An `rps` bound that is no number.
    #[error("{value:?} is not a number of requests per second")]
    NotRps {
        /// The bound as written.
        value: String,
    },
    /// Infinity or NaN.
    #[error("{value:?} is not a finite bound")]
    NotFinite {
        /// The bound as written.
        value: String,
    },
}
