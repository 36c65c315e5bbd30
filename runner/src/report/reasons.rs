//! Reasons in words: why a comparison is not a plain pass ("p99 +12.3% [+4.1%, +20.9%]:
//! regression beyond +10.0%; the 95% interval excludes no change") and why a saturation step
//! is unhealthy ("goodput 231.0 req/s is below 95% of the 250.0 req/s offered"). The library
//! returns both as data ([`Reason`], a step's `keeps_up` and SLO checks); this is the one place
//! that words them, before a verdict or result is written.

use bench_core::saturation::Saturation;
use bench_core::stats::{Comparison, Direction, Outcome, Reason, Rule, Unusable};

use super::format::fmt_change;

/// `c`'s reasons in one line, `; ` between them (`None` without any).
#[must_use]
pub fn comparison(c: &Comparison) -> Option<String> {
    let words: Vec<String> = c.reasons.iter().map(|r| reason(c, r)).collect();
    (!words.is_empty()).then(|| words.join("; "))
}

/// `c` with its reasons worded into [`Comparison::reason`], as verdicts store it.
#[must_use]
pub fn worded(mut c: Comparison) -> Comparison {
    c.reason = comparison(&c);
    c
}

fn reason(c: &Comparison, r: &Reason) -> String {
    let metric = c.metric;
    match r {
        Reason::UnusableTrial { side, trial, why } => {
            format!("{} trial {trial} {}", side.name(), unusable(*why))
        }
        Reason::TooFewTrials { side, trials, min } => {
            format!("{} has {trials} trials, at least {min} needed", side.name())
        }
        Reason::TooFewTailSamples {
            side,
            trial,
            samples,
            needed,
            beyond,
        } => format!(
            "{} trial {trial} has {samples} samples; {metric} needs at least {needed} per trial \
             ({beyond} beyond the quantile)",
            side.name()
        ),
        Reason::UnequalPairs {
            baseline,
            candidate,
        } => format!(
            "paired method needs as many baseline as candidate trials ({baseline} vs {candidate})"
        ),
        Reason::NoInterval => "the interval could not be computed (a non-finite or, on the log \
                               scale, non-positive value)"
            .into(),
        Reason::NotPositive => {
            format!("a per-trial {metric} value is not positive: ratio undefined")
        }
        Reason::IdenticalNotPositive => {
            format!("identical per-trial {metric} values (not all positive, so no ratio interval)")
        }
        Reason::Decided {
            rule,
            outcome,
            change,
            low,
            high,
        } => decided(c, *rule, *outcome, (*change, *low, *high)),
        _ => "not enough evidence".into(),
    }
}

fn unusable(why: Unusable) -> &'static str {
    match why {
        Unusable::NoSamples => "has no samples",
        Unusable::NonFiniteRps => "has a non-finite rps",
        Unusable::NoRequests => "has zero requests",
        Unusable::NoCpu => "has no measurement of the service's CPU",
        _ => "is unusable for this metric",
    }
}

/// "p99 +12.3% [+4.1%, +20.9%]: regression beyond +10.0%; the 95% interval excludes no change",
/// and what more trials would do when it is undecided.
fn decided(
    c: &Comparison,
    rule: Rule,
    outcome: Outcome,
    (change, low, high): (f64, f64, f64),
) -> String {
    let metric = c.metric;
    let conf = format!("{}%", (c.confidence * 1000.0).round() / 10.0);
    let sign = match metric.direction() {
        Direction::HigherIsWorse => 1.0,
        Direction::LowerIsWorse => -1.0,
    };
    let limit = fmt_change(metric, Some(sign * c.threshold));
    let why = match (outcome, rule) {
        (Outcome::Regression, Rule::Default) => {
            format!("regression beyond {limit}; the {conf} interval excludes no change")
        }
        (Outcome::Regression, _) => format!("the whole {conf} interval is beyond {limit}"),
        (Outcome::WithinNotShown, _) => {
            format!("within {limit} not shown: the {conf} interval reaches beyond it")
        }
        (Outcome::BeyondNotShown, Rule::Default) => format!(
            "beyond {limit}, but the {conf} interval includes no change: more trials needed"
        ),
        (Outcome::BeyondNotShown, _) => format!(
            "a regression, but the {conf} interval is not entirely beyond {limit} (strict rule)"
        ),
        _ => format!("undecided at the {conf} level"),
    };
    let more = c
        .trials_needed
        .map(|n| format!("; about {n} trials per side would decide"))
        .unwrap_or_default();
    format!(
        "{metric} {} [{}, {}]: {why}{more}",
        fmt_change(metric, Some(change)),
        fmt_change(metric, Some(low)),
        fmt_change(metric, Some(high))
    )
}

/// Why each step of `sat` is unhealthy, worded into its verdict (`analysis.steps[i].reasons`):
/// its goodput short of the offered load, then each SLO it breached.
pub fn word_steps(sat: &mut Saturation) {
    let keep = (1.0 - sat.tolerance) * 100.0;
    for (verdict, step) in sat.analysis.steps.iter_mut().zip(&sat.steps) {
        let mut reasons = Vec::new();
        if !verdict.keeps_up {
            reasons.push(format!(
                "goodput {:.1} req/s is below {keep:.0}% of the {:.1} req/s offered",
                step.goodput_rps(),
                verdict.expected_rps
            ));
        }
        for c in verdict.slo.iter().filter(|c| !c.passed) {
            reasons.push(format!("{} breached (actual {})", c.slo, c.actual));
        }
        verdict.reasons = reasons;
    }
}

#[cfg(test)]
#[path = "reasons_tests.rs"]
mod tests;
