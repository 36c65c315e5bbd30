//! [`compare`]: inconclusive checks, interval, decision rule.

use super::bootstrap::percentile_interval;
use super::comparison::to_change;
use super::decision::{decide, Estimate};
use super::ttest::t_quantile;
use super::{
    paired_interval, welch_interval, Comparison, Method, Metric, QuantileEstimator, Reason,
    Settings, Side, StatsError, Trial, Verdict,
};

/// Compares `candidate` against `baseline` on `metric`.
///
/// Steps: every trial must be usable for the metric; per-trial values are
/// computed (quantile estimator resolved once for both sides); then the
/// inconclusive conditions are checked (too few trials, too few tail samples,
/// unequal pair counts for [`Method::Paired`], non-positive values for a
/// ratio); then the interval is computed and the decision rule applied (see
/// [`Rule`] and `docs/statistics.md`).
///
/// # Errors
/// Only for invalid `settings` ([`Settings::validate`]); any property of the
/// data yields a [`Comparison`], at worst inconclusive.
pub fn compare(
    baseline: &[Trial],
    candidate: &[Trial],
    metric: Metric,
    settings: &Settings,
) -> Result<Comparison, StatsError> {
    settings.validate()?;
    let mut out = blank(baseline, candidate, metric, settings);
    let unusable = unusable_trials(baseline, candidate, metric);
    if !unusable.is_empty() {
        return Ok(out.inconclusive(unusable));
    }
    let estimator = match settings.method {
        Method::Bootstrap { .. } => QuantileEstimator::Linear,
        Method::Welch | Method::Paired => {
            settings.estimator.resolve(baseline.iter().chain(candidate))
        }
    };
    let values = PerTrial::new(baseline, candidate, metric, estimator);
    values.summarise(&mut out, metric);
    let problems = data_problems(baseline, candidate, metric, settings);
    if !problems.is_empty() {
        return Ok(out.inconclusive(problems));
    }
    if values.scaled.0.is_empty() {
        return Ok(non_positive(out, values));
    }
    let floor = noise_floor(baseline, candidate, metric, estimator);
    let scaled = (values.scaled.0.as_slice(), values.scaled.1.as_slice());
    let Some(est) = estimate(baseline, candidate, scaled, metric, settings, floor) else {
        return Ok(out.inconclusive(vec![Reason::NoInterval]));
    };
    decide(&mut out, &est, settings.rule);
    Ok(out)
}

/// The comparison before anything is known about the data: inconclusive, no values.
fn blank(
    baseline: &[Trial],
    candidate: &[Trial],
    metric: Metric,
    settings: &Settings,
) -> Comparison {
    Comparison {
        metric,
        verdict: Verdict::Inconclusive,
        reason: None,
        reasons: Vec::new(),
        baseline: None,
        candidate: None,
        change: None,
        ci_low: None,
        ci_high: None,
        threshold: if metric.is_ratio() {
            settings.threshold
        } else {
            settings.error_rate_threshold
        },
        confidence: settings.confidence,
        method: settings.method,
        baseline_trials: baseline.len(),
        candidate_trials: candidate.len(),
        noise: None,
        mde: None,
        trials_needed: None,
        p_value: None,
    }
}

/// Why trials cannot give a value for `metric`, one reason per unusable trial.
fn unusable_trials(baseline: &[Trial], candidate: &[Trial], metric: Metric) -> Vec<Reason> {
    [(Side::Baseline, baseline), (Side::Candidate, candidate)]
        .iter()
        .flat_map(|&(side, trials)| {
            trials.iter().enumerate().filter_map(move |(i, t)| {
                Some(Reason::UnusableTrial {
                    side,
                    trial: i + 1,
                    why: t.unusable_for(metric)?,
                })
            })
        })
        .collect()
}

/// The per-trial values of both sides, raw and on the analysis scale (logs for a ratio
/// metric; empty when a ratio metric has a non-positive value).
struct PerTrial {
    raw: (Vec<f64>, Vec<f64>),
    scaled: (Vec<f64>, Vec<f64>),
}

impl PerTrial {
    fn new(
        baseline: &[Trial],
        candidate: &[Trial],
        metric: Metric,
        estimator: QuantileEstimator,
    ) -> Self {
        let values = |trials: &[Trial]| -> Vec<f64> {
            trials
                .iter()
                .map(|t| t.statistic(metric, estimator))
                .collect()
        };
        let (raw_b, raw_c) = (values(baseline), values(candidate));
        let positive = |v: &[f64]| v.iter().all(|&x| x > 0.0 && x.is_finite());
        let scaled = if metric.is_ratio() && positive(&raw_b) && positive(&raw_c) {
            (log_all(&raw_b), log_all(&raw_c))
        } else if metric.is_ratio() {
            (Vec::new(), Vec::new())
        } else {
            (raw_b.clone(), raw_c.clone())
        };
        PerTrial {
            raw: (raw_b, raw_c),
            scaled,
        }
    }

    /// Sets the two sides' values (geometric means for a ratio metric) and the change.
    fn summarise(&self, out: &mut Comparison, metric: Metric) {
        if let (Some(mb), Some(mc)) = (mean(&self.scaled.0), mean(&self.scaled.1)) {
            let back = |m: f64| if metric.is_ratio() { m.exp() } else { m };
            out.baseline = Some(back(mb));
            out.candidate = Some(back(mc));
            out.change = Some(to_change(metric, mc - mb));
        }
    }
}

/// What keeps the data from deciding: too few trials, too few samples beyond the quantile,
/// unequal pair counts for the paired method.
fn data_problems(
    baseline: &[Trial],
    candidate: &[Trial],
    metric: Metric,
    settings: &Settings,
) -> Vec<Reason> {
    let sides = [(Side::Baseline, baseline), (Side::Candidate, candidate)];
    let mut problems = Vec::new();
    for (side, trials) in sides {
        if trials.len() < settings.min_trials {
            problems.push(Reason::TooFewTrials {
                side,
                trials: trials.len(),
                min: settings.min_trials,
            });
        }
    }
    if let Metric::Quantile(q) = metric {
        let min = settings.min_tail_samples;
        for (side, trials) in sides {
            let short = trials
                .iter()
                .enumerate()
                .find(|(_, t)| q.tail_samples(t.dist.len()) + 1e-9 < min as f64);
            if let Some((i, t)) = short {
                let needed = (min as f64 / q.tail_samples(1) - 1e-9).ceil();
                problems.push(Reason::TooFewTailSamples {
                    side,
                    trial: i + 1,
                    samples: t.dist.len(),
                    needed: needed as u64,
                    beyond: min,
                });
            }
        }
    }
    if settings.method == Method::Paired && baseline.len() != candidate.len() {
        problems.push(Reason::UnequalPairs {
            baseline: baseline.len(),
            candidate: candidate.len(),
        });
    }
    problems
}

/// A ratio metric with a non-positive (or non-finite) per-trial value: a pass only when both
/// sides' values are identical, else inconclusive.
fn non_positive(mut out: Comparison, values: PerTrial) -> Comparison {
    let (mut sb, mut sc) = values.raw;
    sb.sort_by(f64::total_cmp);
    sc.sort_by(f64::total_cmp);
    if sb == sc {
        out.change = Some(0.0);
        out.verdict = Verdict::Pass;
        out.reasons = vec![Reason::IdenticalNotPositive];
        return out;
    }
    out.inconclusive(vec![Reason::NotPositive])
}

/// The interval of the difference on the analysis scale, its standard error (floored at the
/// recording resolution) and degrees of freedom.
fn estimate(
    baseline: &[Trial],
    candidate: &[Trial],
    (tb, tc): (&[f64], &[f64]),
    metric: Metric,
    settings: &Settings,
    floor: f64,
) -> Option<Estimate> {
    let pairs = tb.len().min(tc.len()).max(1) as f64;
    let t = match settings.method {
        Method::Welch => welch_interval(tb, tc, settings.confidence)?,
        Method::Paired => paired_interval(tb, tc, settings.confidence)?,
        Method::Bootstrap { resamples, seed } => {
            let conf = settings.confidence;
            let (low, high) =
                percentile_interval(baseline, candidate, metric, conf, resamples, seed)?;
            let diff = mean(tc)? - mean(tb)?;
            // A normal-theory standard error matching the percentile interval's width.
            let z = t_quantile(conf, 1e6)?;
            let se = (high - low) / (2.0 * z);
            return Some(Estimate {
                diff,
                low: low.min(diff - z * floor / pairs.sqrt()),
                high: high.max(diff + z * floor / pairs.sqrt()),
                se: se.max(floor / pairs.sqrt()),
                df: 1e6,
                crit: z,
                pairs,
            });
        }
    };
    let crit = t_quantile(settings.confidence, t.df)?;
    let se = t.std_error.max(floor / pairs.sqrt());
    Some(Estimate {
        diff: t.estimate,
        low: t.estimate - crit * se,
        high: t.estimate + crit * se,
        se,
        df: t.df,
        crit,
        pairs,
    })
}

/// The smallest per-pair noise an interval may assume: per-trial values recorded in HDR
/// buckets are only known to a bucket's width `q` (relative, so on the log scale `q`); the
/// difference of two such values has the noise of two uniform errors, `q·√(2/12)`. Zero for
/// exact samples and for the error rate (counts are exact).
fn noise_floor(
    baseline: &[Trial],
    candidate: &[Trial],
    metric: Metric,
    estimator: QuantileEstimator,
) -> f64 {
    if !matches!(metric, Metric::Quantile(_) | Metric::Mean) {
        return 0.0;
    }
    let widest = baseline
        .iter()
        .chain(candidate)
        .map(|t| t.dist.relative_resolution(t.statistic(metric, estimator)))
        .fold(0.0, f64::max);
    widest * (2.0_f64 / 12.0).sqrt()
}

fn log_all(values: &[f64]) -> Vec<f64> {
    values.iter().map(|v| v.ln()).collect()
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

#[cfg(test)]
#[path = "verdict_tests.rs"]
mod tests;
