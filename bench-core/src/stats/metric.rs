//! What is compared ([`Metric`]) and how one trial is reduced to one number.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Distribution, Quantile};

/// A compared quantity.
///
/// Serialized in snake case: `{"quantile": 0.99}`, `"mean"`, `"throughput"`,
/// `"error_rate"`, `"cpu_per_request"`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// A latency quantile of each trial's distribution (higher is worse).
    Quantile(Quantile),
    /// The mean of each trial's distribution (higher is worse).
    Mean,
    /// Each trial's achieved requests per second (lower is worse).
    Throughput,
    /// Each trial's `errors / requests` (higher is worse), compared as an
    /// absolute difference rather than a ratio.
    ErrorRate,
    /// The service's CPU time per request in each trial, µs (higher is worse); only for trials
    /// whose service was measured (`tailguard gate --baseline-cmd/--candidate-cmd`).
    CpuPerRequest,
}

/// Which way a metric gets worse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Latency-like: an increase is a regression.
    HigherIsWorse,
    /// Throughput-like: a decrease is a regression.
    LowerIsWorse,
}

impl Metric {
    /// Which way this metric gets worse.
    pub fn direction(self) -> Direction {
        match self {
            Metric::Throughput => Direction::LowerIsWorse,
            Metric::Quantile(_) | Metric::Mean | Metric::ErrorRate | Metric::CpuPerRequest => {
                Direction::HigherIsWorse
            }
        }
    }

    /// `true` if compared as a ratio (on the log scale); `false` for
    /// [`Metric::ErrorRate`], compared as a difference.
    pub fn is_ratio(self) -> bool {
        !matches!(self, Metric::ErrorRate)
    }
}

impl fmt::Display for Metric {
    /// `p99`, `mean`, `throughput`, `error_rate`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Metric::Quantile(q) => q.fmt(f),
            Metric::Mean => f.write_str("mean"),
            Metric::Throughput => f.write_str("throughput"),
            Metric::ErrorRate => f.write_str("error_rate"),
            Metric::CpuPerRequest => f.write_str("cpu_per_request"),
        }
    }
}

/// Per-trial quantile estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuantileEstimator {
    /// Harrell–Davis when every trial of both sides has at most
    /// [`QuantileEstimator::AUTO_HARRELL_DAVIS_MAX_SAMPLES`] samples
    /// (criterion-sized), linear otherwise (load tests). Decided once per
    /// comparison so both sides always use the same estimator.
    #[default]
    Auto,
    /// Type-7 linear interpolation ([`Distribution::quantile`]).
    Linear,
    /// Harrell–Davis ([`Distribution::harrell_davis`]).
    HarrellDavis,
}

impl QuantileEstimator {
    /// Largest trial size for which [`QuantileEstimator::Auto`] picks
    /// Harrell–Davis (criterion's ~100 samples). Load-test trials have
    /// thousands: there Harrell–Davis, a smooth average of neighbouring order
    /// statistics, mixes the body and a distinct slow tail when a quantile
    /// sits near their boundary, and its run-to-run variance explodes
    /// (measured by `tailguard calibrate`), so the linear estimator is used.
    pub const AUTO_HARRELL_DAVIS_MAX_SAMPLES: u64 = 500;

    /// Resolves `Auto` for a comparison over `trials`.
    pub(crate) fn resolve<'a>(self, trials: impl IntoIterator<Item = &'a Trial>) -> Self {
        match self {
            QuantileEstimator::Auto => {
                let largest = trials.into_iter().map(|t| t.dist.len()).max();
                if largest.unwrap_or(0) <= Self::AUTO_HARRELL_DAVIS_MAX_SAMPLES {
                    QuantileEstimator::HarrellDavis
                } else {
                    QuantileEstimator::Linear
                }
            }
            other => other,
        }
    }
}

/// What a trial lacks to give a value for a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Unusable {
    /// A quantile or mean of a trial without samples.
    NoSamples,
    /// A throughput that is NaN or infinite.
    NonFiniteRps,
    /// An error rate of a trial without requests.
    NoRequests,
    /// CPU per request of a trial whose service was not measured.
    NoCpu,
}

/// One run of the benchmark: the unit of evidence.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Trial {
    /// Latency (or per-iteration time) distribution of the trial.
    pub dist: Distribution,
    /// Requests issued (denominator of the error rate).
    pub requests: u64,
    /// Requests that failed.
    pub errors: u64,
    /// Achieved requests per second.
    pub rps: f64,
    /// The service's CPU µs per request, when it was measured.
    pub cpu_us_per_request: Option<f64>,
}

impl Trial {
    /// A trial with only a distribution (e.g. criterion samples):
    /// `requests = dist.len()`, no errors, `rps = 0` (throughput is then not
    /// meaningful and compares as unchanged/inconclusive).
    pub fn from_distribution(dist: Distribution) -> Self {
        let requests = dist.len();
        Self {
            dist,
            requests,
            errors: 0,
            rps: 0.0,
            cpu_us_per_request: None,
        }
    }

    /// Why this trial cannot provide `metric`, if it cannot.
    pub(crate) fn unusable_for(&self, metric: Metric) -> Option<Unusable> {
        match metric {
            Metric::Quantile(_) | Metric::Mean if self.dist.is_empty() => Some(Unusable::NoSamples),
            Metric::Throughput if !self.rps.is_finite() => Some(Unusable::NonFiniteRps),
            Metric::ErrorRate if self.requests == 0 => Some(Unusable::NoRequests),
            Metric::CpuPerRequest if !self.cpu_us_per_request.is_some_and(f64::is_finite) => {
                Some(Unusable::NoCpu)
            }
            _ => None,
        }
    }

    /// The trial's value of `metric` (`estimator` already resolved; `Auto`
    /// is treated as linear). NaN only if [`Trial::unusable_for`] says so.
    pub(crate) fn statistic(&self, metric: Metric, estimator: QuantileEstimator) -> f64 {
        let value = match metric {
            Metric::Quantile(q) => match estimator {
                QuantileEstimator::HarrellDavis => self.dist.harrell_davis(q),
                QuantileEstimator::Auto | QuantileEstimator::Linear => self.dist.quantile(q),
            },
            Metric::Mean => self.dist.mean(),
            Metric::Throughput => Some(self.rps),
            Metric::CpuPerRequest => self.cpu_us_per_request,
            Metric::ErrorRate => {
                (self.requests > 0).then(|| self.errors as f64 / self.requests as f64)
            }
        };
        value.unwrap_or(f64::NAN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_display() {
        assert_eq!(Metric::Quantile(Quantile::P99).to_string(), "p99");
        assert_eq!(Metric::ErrorRate.to_string(), "error_rate");
    }

    #[test]
    fn serde_forms() {
        let m = Metric::Quantile(Quantile::P99);
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"quantile":0.99}"#);
        assert_eq!(
            serde_json::to_string(&Metric::ErrorRate).unwrap(),
            r#""error_rate""#
        );
        let back: Metric = serde_json::from_str(r#"{"quantile":0.999}"#).unwrap();
        assert_eq!(back, Metric::Quantile(Quantile::P999));
        assert!(serde_json::from_str::<Metric>(r#"{"quantile":1.5}"#).is_err());
    }

    #[test]
    fn trial_statistics() {
        let dist = Distribution::from_samples(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        let mut t = Trial::from_distribution(dist);
        t.errors = 1;
        let lin = QuantileEstimator::Linear;
        assert_eq!(t.statistic(Metric::Quantile(Quantile::P50), lin), 2.5);
        assert_eq!(t.statistic(Metric::Mean, lin), 2.5);
        assert_eq!(t.statistic(Metric::ErrorRate, lin), 0.25);
        assert_eq!(
            QuantileEstimator::Auto.resolve([&t]),
            QuantileEstimator::HarrellDavis
        );
        let empty = Trial::default();
        assert_eq!(empty.unusable_for(Metric::Mean), Some(Unusable::NoSamples));
        assert_eq!(
            empty.unusable_for(Metric::ErrorRate),
            Some(Unusable::NoRequests)
        );
        assert!(empty.statistic(Metric::Mean, lin).is_nan());
        assert!(empty.unusable_for(Metric::CpuPerRequest).is_some());
        t.cpu_us_per_request = Some(42.5);
        assert_eq!(t.unusable_for(Metric::CpuPerRequest), None);
        assert_eq!(t.statistic(Metric::CpuPerRequest, lin), 42.5);
        assert_eq!(Metric::CpuPerRequest.to_string(), "cpu_per_request");
        assert_eq!(Metric::CpuPerRequest.direction(), Direction::HigherIsWorse);
        assert!(Metric::CpuPerRequest.is_ratio());
    }
}
