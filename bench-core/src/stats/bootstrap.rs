//! Seeded two-level (hierarchical) bootstrap of the comparison statistic.
//!
//! One bootstrap replicate, per side: draw `k` trials with replacement from
//! the side's `k` trials; for each drawn trial draw a bootstrap replicate of
//! its statistic (see `sampling.rs`: exact and O(1) for quantiles); aggregate
//! as the point estimate does (mean of logs for ratio metrics, mean for the
//! error rate). The replicate of the comparison is candidate − baseline on
//! that scale; the interval is the percentile interval of the replicates.
//!
//! Throughput and error rate have no within-trial resampling (a trial has one
//! rps value; its binomial error noise is already part of the between-trial
//! spread): only trials are resampled for them.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::sampling::{mean_replicate, quantile_replicate};
use super::{Metric, Trial};

/// Percentile bootstrap interval of `agg(candidate) − agg(baseline)`, where
/// `agg` is the mean of `ln(statistic)` for ratio metrics and the mean of the
/// statistic for [`Metric::ErrorRate`]. Quantiles use the linear (type-7)
/// estimator, whose bootstrap distribution `sampling.rs` draws exactly.
///
/// Returns `(low, high)`, or `None` if a replicate is not finite (e.g. a
/// resampled quantile of 0 on the log scale) or an input side is empty.
pub(crate) fn percentile_interval(
    baseline: &[Trial],
    candidate: &[Trial],
    metric: Metric,
    confidence: f64,
    resamples: usize,
    seed: u64,
) -> Option<(f64, f64)> {
    if baseline.is_empty() || candidate.is_empty() || resamples == 0 {
        return None;
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut replicates = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let b = side_replicate(&mut rng, baseline, metric);
        let c = side_replicate(&mut rng, candidate, metric);
        let diff = c - b;
        if !diff.is_finite() {
            return None;
        }
        replicates.push(diff);
    }
    replicates.sort_by(f64::total_cmp);
    let alpha = 1.0 - confidence;
    Some((
        sorted_quantile(&replicates, alpha / 2.0),
        sorted_quantile(&replicates, 1.0 - alpha / 2.0),
    ))
}

/// Aggregate statistic of one resample of one side.
fn side_replicate(rng: &mut StdRng, trials: &[Trial], metric: Metric) -> f64 {
    let k = trials.len();
    let mut sum = 0.0;
    for _ in 0..k {
        let trial = &trials[rng.random_range(0..k)];
        let value = match metric {
            Metric::Quantile(q) => quantile_replicate(rng, &trial.dist, q.get()),
            Metric::Mean => mean_replicate(rng, &trial.dist),
            Metric::Throughput | Metric::ErrorRate | Metric::CpuPerRequest => {
                trial.statistic(metric, super::QuantileEstimator::Linear)
            }
        };
        sum += if metric.is_ratio() { value.ln() } else { value };
    }
    sum / k as f64
}

/// Type-7 quantile of an ascending, non-empty slice.
fn sorted_quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lower = h.floor() as usize;
    let frac = h - h.floor();
    match (sorted.get(lower), sorted.get(lower + 1)) {
        (Some(&lo), Some(&hi)) if frac > 0.0 => lo + frac * (hi - lo),
        (Some(&lo), _) => lo,
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{Distribution, Quantile};

    fn trial(scale: f64) -> Trial {
        let samples: Vec<f64> = (1..=2_000).map(|i| scale * f64::from(i).sqrt()).collect();
        let mut t = Trial::from_distribution(Distribution::from_samples(&samples).unwrap());
        t.rps = 1000.0 / scale;
        t
    }

    #[test]
    fn seeded_and_reproducible() {
        let b: Vec<Trial> = [1.0, 1.03, 0.98, 1.01].map(trial).to_vec();
        let c: Vec<Trial> = [1.2, 1.25, 1.18, 1.22].map(trial).to_vec();
        let m = Metric::Quantile(Quantile::P99);
        let one = percentile_interval(&b, &c, m, 0.95, 500, 42).unwrap();
        let two = percentile_interval(&b, &c, m, 0.95, 500, 42).unwrap();
        assert_eq!(one, two);
        let other = percentile_interval(&b, &c, m, 0.95, 500, 43).unwrap();
        assert_ne!(one, other);
        // True log ratio of the geometric means is ln(1.2124/1.0049) ≈ 0.188.
        assert!(one.0 > 0.1 && one.1 < 0.28, "{one:?}");
    }

    #[test]
    fn identical_constant_trials_give_point_interval() {
        let b: Vec<Trial> = [1.0, 1.0, 1.0].map(trial).to_vec();
        let interval = percentile_interval(&b, &b, Metric::Throughput, 0.95, 200, 1).unwrap();
        assert_eq!(interval, (0.0, 0.0));
    }

    #[test]
    fn sorted_quantile_is_type7() {
        let xs = [1.0, 2.0, 4.0, 8.0];
        assert_eq!(sorted_quantile(&xs, 0.0), 1.0);
        assert_eq!(sorted_quantile(&xs, 1.0), 8.0);
        assert!((sorted_quantile(&xs, 0.5) - 3.0).abs() < 1e-12);
        assert_eq!(sorted_quantile(&[5.0], 0.3), 5.0);
    }
}
