//! [`Settings`] of a comparison: thresholds, confidence, minimum evidence,
//! decision [`Rule`] and interval [`Method`].

use serde::{Deserialize, Serialize};

use super::{QuantileEstimator, StatsError};

/// How the confidence interval of the change is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Welch's t interval on per-trial values (log scale for ratio metrics),
    /// Welch–Satterthwaite df. For independent (e.g. back-to-back) runs.
    #[default]
    Welch,
    /// Paired t interval on `candidate[i] − baseline[i]` (df = k − 1), for
    /// interleaved runs `B C B C …` where pair i shares its conditions.
    Paired,
    /// Seeded two-level bootstrap (trials, then samples within trials),
    /// percentile interval. Quantiles always use the linear estimator here.
    Bootstrap {
        /// Number of bootstrap replicates (≥ 100; 2000 is a good default).
        resamples: usize,
        /// RNG seed: equal inputs and seed give equal results (for a given
        /// `rand` version, whose `StdRng` stream may change across releases).
        seed: u64,
    },
}

impl Method {
    /// Bootstrap with 2000 replicates and a fixed seed.
    pub const BOOTSTRAP: Method = Method::Bootstrap {
        resamples: 2_000,
        seed: 0x7A11_6A4D,
    };
}

/// When a regression beyond the threshold fails the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Fail when the point estimate is beyond the threshold **and** the
    /// interval excludes "no change".
    #[default]
    Default,
    /// Fail only when the whole interval is beyond the threshold.
    Strict,
}

/// Parameters of [`compare`](super::compare). Deserializes with defaults for missing fields.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Relative threshold for ratio metrics: 0.10 fails a > 10 % regression.
    pub threshold: f64,
    /// Absolute threshold for [`Metric::ErrorRate`](super::Metric::ErrorRate) as a fraction: 0.01 = 1
    /// percentage point.
    pub error_rate_threshold: f64,
    /// Two-sided confidence level of the interval, e.g. 0.95.
    pub confidence: f64,
    /// Fewer trials than this on either side is inconclusive (≥ 2).
    pub min_trials: usize,
    /// A quantile metric needs, in every trial, at least this many samples
    /// beyond the quantile (`n · (1 − q) ≥ min_tail_samples`).
    pub min_tail_samples: u64,
    /// Decision rule.
    pub rule: Rule,
    /// Interval method.
    pub method: Method,
    /// Per-trial quantile estimator (ignored by [`Method::Bootstrap`]).
    pub estimator: QuantileEstimator,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            threshold: 0.10,
            error_rate_threshold: 0.01,
            confidence: 0.95,
            min_trials: 3,
            min_tail_samples: 10,
            rule: Rule::Default,
            method: Method::Welch,
            estimator: QuantileEstimator::Auto,
        }
    }
}

impl Settings {
    /// Checks every field's range.
    ///
    /// # Errors
    /// [`StatsError::InvalidSettings`] naming the first bad field.
    pub fn validate(&self) -> Result<(), StatsError> {
        let bad = |msg: String| Err(StatsError::InvalidSettings(msg));
        let unit = |x: f64| x > 0.0 && x < 1.0;
        if !unit(self.threshold) {
            return bad(format!(
                "threshold must be in (0, 1), got {}",
                self.threshold
            ));
        }
        if !unit(self.error_rate_threshold) {
            let t = self.error_rate_threshold;
            return bad(format!("error_rate_threshold must be in (0, 1), got {t}"));
        }
        if !unit(self.confidence) {
            return bad(format!(
                "confidence must be in (0, 1), got {}",
                self.confidence
            ));
        }
        if self.min_trials < 2 {
            return bad(format!(
                "min_trials must be at least 2, got {}",
                self.min_trials
            ));
        }
        if let Method::Bootstrap { resamples, .. } = self.method {
            if resamples < 100 {
                return bad(format!(
                    "bootstrap resamples must be at least 100, got {resamples}"
                ));
            }
        }
        Ok(())
    }
}
