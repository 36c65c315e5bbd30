//! The decision rule of one comparison, and the power numbers reported with it: the
//! one-sided p-value of the fail test, the minimum detectable effect and the trials a decision
//! would need.
//!
//! Everything is decided on the analysis scale (the log ratio for ratio metrics, the
//! difference for the error rate), oriented so that positive is worse.

use statrs::distribution::{ContinuousCDF, StudentsT};

use super::comparison::to_change;
use super::{Comparison, Direction, Metric, Outcome, Reason, Rule, Verdict};

/// z of 80 % power.
const Z_POWER: f64 = 0.841_621_233_572_914_3;
/// More trials per side than this are never suggested.
const MAX_TRIALS_NEEDED: f64 = 10_000.0;

/// The interval of `candidate − baseline` on the analysis scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Estimate {
    /// Point estimate.
    pub diff: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// Standard error (after the resolution floor).
    pub se: f64,
    /// Degrees of freedom of the t quantile (large for the bootstrap's normal approximation).
    pub df: f64,
    /// The critical value the interval used (`low = diff − crit·se` for t intervals).
    pub crit: f64,
    /// Trials per side (pairs) behind the estimate.
    pub pairs: f64,
}

/// The threshold on the analysis scale, as a positive "worse" amount: `ln(1 + t)` for
/// higher-is-worse ratios, `−ln(1 − t)` for lower-is-worse ones, `t` for the error rate.
fn limit(metric: Metric, t: f64) -> f64 {
    match (metric.is_ratio(), metric.direction()) {
        (false, _) => t,
        (true, Direction::HigherIsWorse) => t.ln_1p(),
        (true, Direction::LowerIsWorse) => -(-t).ln_1p(),
    }
}

/// From a positive "worse" amount on the analysis scale to a positive change magnitude.
fn worse_to_change(metric: Metric, worse: f64) -> f64 {
    match metric.direction() {
        Direction::HigherIsWorse => to_change(metric, worse),
        Direction::LowerIsWorse => -to_change(metric, -worse),
    }
}

/// Applies the rule to `c` (whose `threshold`, `confidence` and `metric` are set) and fills in
/// the interval, verdict, reasons, noise, MDE, p-value and trials needed.
///
/// | rule | fail | pass |
/// | --- | --- | --- |
/// | default | estimate beyond the threshold **and** the interval excludes no change | the interval's worse end within the threshold |
/// | strict | the whole interval beyond the threshold | the same |
///
/// Anything else is inconclusive.
pub(crate) fn decide(c: &mut Comparison, e: &Estimate, rule: Rule) {
    let metric = c.metric;
    let sign = match metric.direction() {
        Direction::HigherIsWorse => 1.0,
        Direction::LowerIsWorse => -1.0,
    };
    let limit = limit(metric, c.threshold);
    let worse = sign * e.diff;
    let (worse_low, worse_high) = if sign > 0.0 {
        (e.low, e.high)
    } else {
        (-e.high, -e.low)
    };
    let (ci_low, ci_high) = (to_change(metric, e.low), to_change(metric, e.high));
    let boundary = match rule {
        Rule::Default => 0.0,
        Rule::Strict => limit,
    };
    record_power(c, e, rule, worse - boundary, limit);

    let fails = match rule {
        Rule::Default => worse > limit && worse_low > 0.0,
        Rule::Strict => worse_low > limit,
    };
    let decided = |outcome| Reason::Decided {
        rule,
        outcome,
        change: to_change(metric, e.diff),
        low: ci_low,
        high: ci_high,
    };
    if fails {
        c.verdict = Verdict::Fail;
        c.reasons = vec![decided(Outcome::Regression)];
        return;
    }
    if worse_high <= limit {
        c.verdict = Verdict::Pass;
        c.reasons.clear();
        return;
    }
    // Distance to the nearer decision: down to the limit for a pass, up past the fail bound.
    let (distance, outcome) = if worse <= limit {
        (limit - worse, Outcome::WithinNotShown)
    } else {
        (worse - boundary, Outcome::BeyondNotShown)
    };
    c.trials_needed = trials_needed(e, distance);
    c.verdict = Verdict::Inconclusive;
    c.reasons = vec![decided(outcome)];
}

/// The interval, per-pair noise, p-value of the fail test (`excess`: the worse amount past
/// the fail boundary) and minimum detectable effect of `c`.
fn record_power(c: &mut Comparison, e: &Estimate, rule: Rule, excess: f64, limit: f64) {
    let metric = c.metric;
    c.ci_low = Some(to_change(metric, e.low));
    c.ci_high = Some(to_change(metric, e.high));
    c.noise = Some(e.se * e.pairs.sqrt());
    c.p_value = Some(p_above(excess, e.se, e.df));
    let detectable = match rule {
        Rule::Default => limit.max(e.crit * e.se),
        Rule::Strict => limit + e.crit * e.se,
    } + Z_POWER * e.se;
    c.mde = Some(worse_to_change(metric, detectable));
}

/// `P(T_df ≥ z / se)`: the one-sided p-value of "the worse amount is at most 0".
fn p_above(excess: f64, se: f64, df: f64) -> f64 {
    if se <= 0.0 || !se.is_finite() {
        return if excess > 0.0 { 0.0 } else { 1.0 };
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => 1.0 - t.cdf(excess / se),
        Err(_) => 1.0,
    }
}

/// Trials per side at which the interval's half-width `crit · se · √(k / n)` shrinks to
/// `distance`, the noise staying as measured.
fn trials_needed(e: &Estimate, distance: f64) -> Option<usize> {
    if distance <= 0.0 || e.se <= 0.0 {
        return None;
    }
    let n = e.pairs * (e.crit * e.se / distance).powi(2);
    (n.is_finite() && n <= MAX_TRIALS_NEEDED).then(|| n.ceil().max(e.pairs + 1.0) as usize)
}
