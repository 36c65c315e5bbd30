//! The finding of a saturation analysis in words: "sustains 250 req/s with p99 < 200ms; at
//! 275 req/s requests queue (p99 121.30ms), only 247 req/s succeed and 6.5% fail with 503".

use super::{Criteria, FailureShare, StepResult, StepVerdict};
use crate::format::{fmt_level, fmt_share, fmt_us};
use crate::scenario::slo::SloMetric;
use crate::steps::Dimension;

/// A failure label in words: "503", "timeouts", "connection resets".
#[must_use]
pub fn failure_words(label: &str) -> String {
    match label {
        "timeout" => "timeouts".into(),
        "reset" => "connection resets".into(),
        "connect" => "connect errors".into(),
        "protocol" => "protocol errors".into(),
        "graphql_error" => "GraphQL errors".into(),
        "unsent" => "calls never sent".into(),
        other => other.into(),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn headline(
    dimension: Dimension,
    steps: &[StepResult],
    verdicts: &[StepVerdict],
    saturation: Option<usize>,
    breach: Option<usize>,
    knee: Option<usize>,
    signature: &[FailureShare],
    criteria: &Criteria,
) -> String {
    let Some(last) = steps.last() else {
        return "no steps were run".into();
    };
    let latency_slos: Vec<&str> = criteria
        .slos
        .iter()
        .filter(|s| !matches!(s.metric, SloMetric::Rps | SloMetric::ErrorRate))
        .map(|s| s.text.as_str())
        .collect();
    let with = |s: &StepResult| {
        if latency_slos.is_empty() {
            format!("(p99 {})", fmt_us(s.summary.latency_us.p99))
        } else {
            format!("with {}", latency_slos.join(" and "))
        }
    };
    let sustained = |s: &StepResult| match dimension {
        Dimension::Rate => format!("sustains {} req/s {}", fmt_level(s.level), with(s)),
        Dimension::Workers => format!(
            "sustains {:.0} req/s ({}) {}",
            s.goodput_rps(),
            dimension.format(s.level),
            with(s)
        ),
    };
    let Some(b) = breach else {
        return format!(
            "{} at the highest level tested; the saturation point is above the tested range",
            sustained(last)
        );
    };
    let bs = &steps[b];
    let what = breach_words(bs, &verdicts[b], knee.is_some_and(|k| k <= b), signature);
    let at = dimension.format(bs.level);
    // Failures that only start above the breach step still belong in the finding.
    let later = match signature.first() {
        Some(f) if bs.summary.error_rate < 0.001 => format!(
            "; from {} calls fail with {}",
            dimension.format(f.from_level),
            failure_words(&f.label)
        ),
        _ => String::new(),
    };
    match saturation {
        Some(s) => format!("{}; at {at} {what}{later}", sustained(&steps[s])),
        None => format!("does not sustain even the lowest level: at {at} {what}{later}"),
    }
}

/// What goes wrong at the breach step `bs`: latency (queueing when the knee is at or below it),
/// goodput falling short, and the most frequent failures.
fn breach_words(
    bs: &StepResult,
    verdict: &StepVerdict,
    queueing: bool,
    signature: &[FailureShare],
) -> String {
    let mut what = Vec::new();
    let p99 = fmt_us(bs.summary.latency_us.p99);
    if queueing {
        what.push(format!("requests queue (p99 {p99})"));
    } else {
        what.push(format!("p99 is {p99}"));
    }
    if !verdict.keeps_up {
        what.push(format!("only {:.0} req/s succeed", bs.goodput_rps()));
    }
    if bs.summary.error_rate >= 0.001 {
        let named: Vec<String> = signature
            .iter()
            .filter(|f| f.share > 0.0)
            .take(2)
            .map(|f| {
                if signature.len() == 1 {
                    failure_words(&f.label)
                } else {
                    format!("{} ({})", failure_words(&f.label), fmt_share(f.share))
                }
            })
            .collect();
        what.push(format!(
            "{} fail with {}",
            fmt_share(bs.summary.error_rate),
            named.join(" and ")
        ));
    }
    match what.split_last() {
        Some((tail, head)) if !head.is_empty() => format!("{} and {tail}", head.join(", ")),
        _ => what.join(""),
    }
}
