//! A saturation finding in words: "sustains 250 req/s with p99 < 200ms; at 275 req/s requests
//! queue (p99 121.30ms), only 247 req/s succeed and 6.5% fail with 503". The library returns the
//! finding as numbers ([`Finding`]); this is the one place that words it.

use bench_core::saturation::{Breach, FailureShare, Finding, Saturation, Sustained};
use bench_core::steps::Dimension;

use super::format::{fmt_level, fmt_share, fmt_us};

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

/// `sat` with its finding worded into `analysis.headline` and each unhealthy step's reasons
/// into its verdict, as the runner stores it.
#[must_use]
pub fn worded(mut sat: Saturation) -> Saturation {
    sat.analysis.headline = sentence(&sat.finding());
    super::reasons::word_steps(&mut sat);
    sat
}

/// The finding in one sentence.
#[must_use]
pub fn sentence(f: &Finding) -> String {
    match f {
        Finding::AboveRange { highest } => format!(
            "{} at the highest level tested; the saturation point is above the tested range",
            sustains(highest)
        ),
        Finding::Breached { sustained, breach } => {
            let at = breach.dimension.format(breach.level);
            let what = breach_words(breach);
            // Failures that only start above the breach step still belong in the finding.
            let later = breach
                .later
                .as_ref()
                .map(|f| {
                    format!(
                        "; from {} calls fail with {}",
                        breach.dimension.format(f.from_level),
                        failure_words(&f.label)
                    )
                })
                .unwrap_or_default();
            match sustained {
                Some(s) => format!("{}; at {at} {what}{later}", sustains(s)),
                None => format!("does not sustain even the lowest level: at {at} {what}{later}"),
            }
        }
        _ => "no steps were run".into(),
    }
}

/// "sustains 250 req/s with p99 < 200ms", "sustains 197 req/s (4 workers) (p99 22.02ms)".
fn sustains(s: &Sustained) -> String {
    let with = if s.latency_slos.is_empty() {
        format!("(p99 {})", fmt_us(s.p99_us))
    } else {
        format!("with {}", s.latency_slos.join(" and "))
    };
    match s.dimension {
        Dimension::Rate => format!("sustains {} req/s {with}", fmt_level(s.level)),
        Dimension::Workers => format!(
            "sustains {:.0} req/s ({}) {with}",
            s.goodput_rps,
            s.dimension.format(s.level)
        ),
    }
}

/// What goes wrong at the breach step: latency (queueing, or just its p99), goodput falling
/// short, and the two most frequent failures.
fn breach_words(b: &Breach) -> String {
    let p99 = fmt_us(b.p99_us);
    let mut what = vec![if b.queueing {
        format!("requests queue (p99 {p99})")
    } else {
        format!("p99 is {p99}")
    }];
    if let Some(goodput) = b.short_goodput_rps {
        what.push(format!("only {goodput:.0} req/s succeed"));
    }
    if let Some(rate) = b.failing {
        what.push(format!(
            "{} fail with {}",
            fmt_share(rate),
            named_failures(&b.failures)
        ));
    }
    match what.split_last() {
        Some((tail, head)) if !head.is_empty() => format!("{} and {tail}", head.join(", ")),
        _ => what.join(""),
    }
}

/// "503", or "503 (2.0%) and calls never sent (20%)" when it fails more than one way.
fn named_failures(signature: &[FailureShare]) -> String {
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
    named.join(" and ")
}

#[cfg(test)]
#[path = "finding_tests.rs"]
mod tests;
