//! [`compare`]: inconclusive checks, interval, decision rule; its result type.

use serde::{Deserialize, Serialize};

use super::bootstrap::percentile_interval;
use super::{
    paired_interval, welch_interval, Direction, Method, Metric, QuantileEstimator, Rule, Settings,
    StatsError, Trial,
};

/// Outcome of one comparison. Serialized as `"pass"`, `"fail"`, `"inconclusive"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No regression beyond the threshold was found.
    Pass,
    /// A regression beyond the threshold was found.
    Fail,
    /// The evidence cannot support a decision; see [`Comparison::reason`].
    Inconclusive,
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
    /// Why, for fail and inconclusive verdicts; for a pass, a caveat when the
    /// interval does not rule out a regression beyond the threshold.
    pub reason: Option<String>,
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
}

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
    let mut out = Comparison {
        metric,
        verdict: Verdict::Inconclusive,
        reason: None,
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
    };
    let sides = [("baseline", baseline), ("candidate", candidate)];

    let unusable: Vec<String> = sides
        .iter()
        .flat_map(|&(side, trials)| {
            trials.iter().enumerate().filter_map(move |(i, t)| {
                let why = t.unusable_for(metric)?;
                Some(format!("{side} trial {} {why}", i + 1))
            })
        })
        .collect();
    if !unusable.is_empty() {
        return Ok(out.inconclusive(unusable));
    }

    let estimator = match settings.method {
        Method::Bootstrap { .. } => QuantileEstimator::Linear,
        Method::Welch | Method::Paired => {
            settings.estimator.resolve(baseline.iter().chain(candidate))
        }
    };
    let values = |trials: &[Trial]| -> Vec<f64> {
        trials
            .iter()
            .map(|t| t.statistic(metric, estimator))
            .collect()
    };
    let (raw_b, raw_c) = (values(baseline), values(candidate));
    let positive = |v: &[f64]| v.iter().all(|&x| x > 0.0 && x.is_finite());
    // Scale on which means are taken and intervals computed.
    let (tb, tc) = if metric.is_ratio() && positive(&raw_b) && positive(&raw_c) {
        (log_all(&raw_b), log_all(&raw_c))
    } else if metric.is_ratio() {
        (Vec::new(), Vec::new())
    } else {
        (raw_b.clone(), raw_c.clone())
    };
    if let (Some(mb), Some(mc)) = (mean(&tb), mean(&tc)) {
        let back = |m: f64| if metric.is_ratio() { m.exp() } else { m };
        out.baseline = Some(back(mb));
        out.candidate = Some(back(mc));
        out.change = Some(to_change(metric, mc - mb));
    }

    let mut problems = Vec::new();
    for (side, trials) in sides {
        if trials.len() < settings.min_trials {
            let (k, min) = (trials.len(), settings.min_trials);
            problems.push(format!("{side} has {k} trials, at least {min} needed"));
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
                let need = (min as f64 / q.tail_samples(1) - 1e-9).ceil();
                problems.push(format!(
                    "{side} trial {} has {} samples; {q} needs at least {need} per trial \
                     ({min} beyond the quantile)",
                    i + 1,
                    t.dist.len()
                ));
            }
        }
    }
    if settings.method == Method::Paired && baseline.len() != candidate.len() {
        let (kb, kc) = (baseline.len(), candidate.len());
        problems.push(format!(
            "paired method needs as many baseline as candidate trials ({kb} vs {kc})"
        ));
    }
    if !problems.is_empty() {
        return Ok(out.inconclusive(problems));
    }

    if tb.is_empty() {
        // Ratio metric with a non-positive (or non-finite) per-trial value.
        let (mut sb, mut sc) = (raw_b, raw_c);
        sb.sort_by(f64::total_cmp);
        sc.sort_by(f64::total_cmp);
        if sb == sc {
            out.change = Some(0.0);
            out.verdict = Verdict::Pass;
            out.reason = Some(format!(
                "identical per-trial {metric} values (not all positive, so no ratio interval)"
            ));
            return Ok(out);
        }
        let reason = format!("a per-trial {metric} value is not positive: ratio undefined");
        return Ok(out.inconclusive(vec![reason]));
    }

    let interval = match settings.method {
        Method::Welch => welch_interval(&tb, &tc, settings.confidence).map(|i| (i.low, i.high)),
        Method::Paired => paired_interval(&tb, &tc, settings.confidence).map(|i| (i.low, i.high)),
        Method::Bootstrap { resamples, seed } => {
            let conf = settings.confidence;
            percentile_interval(baseline, candidate, metric, conf, resamples, seed)
        }
    };
    let (Some((low, high)), Some(change)) = (interval, out.change) else {
        let reason = "the interval could not be computed (a non-finite or, on the log \
                      scale, non-positive value)"
            .to_owned();
        return Ok(out.inconclusive(vec![reason]));
    };
    let (ci_low, ci_high) = (to_change(metric, low), to_change(metric, high));
    out.ci_low = Some(ci_low);
    out.ci_high = Some(ci_high);
    let (verdict, reason) = decide(&out, change, ci_low, ci_high, settings.rule);
    out.verdict = verdict;
    out.reason = reason;
    Ok(out)
}

impl Comparison {
    fn inconclusive(mut self, reasons: Vec<String>) -> Self {
        self.verdict = Verdict::Inconclusive;
        self.reason = Some(reasons.join("; "));
        self
    }

    /// `+12.3%` for ratio metrics, `+1.20 pp` for the error rate.
    fn fmt_change(&self, x: f64) -> String {
        if self.metric.is_ratio() {
            format!("{:+.1}%", x * 100.0)
        } else {
            format!("{:+.2} pp", x * 100.0)
        }
    }
}

/// The decision rule, on the change scale. Mirrored for lower-is-worse
/// metrics by negating the change and swapping the bounds.
fn decide(
    c: &Comparison,
    change: f64,
    low: f64,
    high: f64,
    rule: Rule,
) -> (Verdict, Option<String>) {
    let t = c.threshold;
    let (worse, worse_low, worse_high, limit) = match c.metric.direction() {
        Direction::HigherIsWorse => (change, low, high, t),
        Direction::LowerIsWorse => (-change, -high, -low, -t),
    };
    let conf = format!("{}%", (c.confidence * 1000.0).round() / 10.0);
    let summary = format!(
        "{} {} [{}, {}]",
        c.metric,
        c.fmt_change(change),
        c.fmt_change(low),
        c.fmt_change(high)
    );
    let limit = c.fmt_change(limit);
    let beyond = worse > t;
    let excludes_no_change = worse_low > 0.0;
    let fails = match rule {
        Rule::Default => beyond && excludes_no_change,
        Rule::Strict => worse_low > t,
    };
    if fails {
        let why = match rule {
            Rule::Default => {
                format!("regression beyond {limit}; the {conf} interval excludes no change")
            }
            Rule::Strict => format!("the whole {conf} interval is beyond {limit}"),
        };
        return (Verdict::Fail, Some(format!("{summary}: {why}")));
    }
    if beyond {
        let why = if excludes_no_change {
            format!("a regression, but the {conf} interval is not entirely beyond {limit} (strict rule)")
        } else {
            format!(
                "beyond {limit}, but the {conf} interval includes no change: more trials needed"
            )
        };
        return (Verdict::Inconclusive, Some(format!("{summary}: {why}")));
    }
    let caveat = (worse_high > t).then(|| {
        format!("{summary}: within {limit}, but the {conf} interval does not rule out a larger regression")
    });
    (Verdict::Pass, caveat)
}

fn log_all(values: &[f64]) -> Vec<f64> {
    values.iter().map(|v| v.ln()).collect()
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// From the analysis scale (log or raw) to the reported change.
fn to_change(metric: Metric, diff: f64) -> f64 {
    if metric.is_ratio() {
        diff.exp_m1()
    } else {
        diff
    }
}

#[cfg(test)]
#[path = "verdict_tests.rs"]
mod tests;
