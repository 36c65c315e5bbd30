//! What a comparison admits as evidence: every scenario on both sides, complete runs, and a
//! sample of every gated metric. No data is never a pass: each gap is a configuration error
//! (exit 2) or a failed gate (exit 1), never an inconclusive exit 0.

use bench_core::result::RunResult;
use bench_core::stats::{Metric, Trial};

/// Every candidate scenario needs a baseline and every baseline scenario a candidate: a renamed
/// scenario, a wrong artifact, a misspelt or empty store is a configuration error naming the
/// scenarios on each side, never an inconclusive pass.
pub fn check_sides<'a>(
    baseline: impl IntoIterator<Item = &'a str>,
    candidate: impl IntoIterator<Item = &'a str>,
    source: &str,
) -> Result<(), String> {
    let names = |runs: &mut dyn Iterator<Item = &'a str>| -> Vec<String> {
        let mut v: Vec<String> = runs.map(str::to_owned).collect();
        v.sort();
        v.dedup();
        v
    };
    let b = names(&mut baseline.into_iter());
    let c = names(&mut candidate.into_iter());
    let lacking: Vec<&String> = c.iter().filter(|n| !b.contains(n)).collect();
    let unmatched: Vec<&String> = b.iter().filter(|n| !c.contains(n)).collect();
    if lacking.is_empty() && unmatched.is_empty() {
        return Ok(());
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_owned()
        } else {
            format!("{v:?}")
        }
    };
    let mut problems = Vec::new();
    if !lacking.is_empty() {
        problems.push(format!("no baseline for candidate scenario(s) {lacking:?}"));
    }
    if !unmatched.is_empty() {
        problems.push(format!(
            "no candidate for baseline scenario(s) {unmatched:?}"
        ));
    }
    Err(format!(
        "{} (baseline {source}); candidate scenarios: {}; baseline scenarios: {}. \
         Check for a renamed scenario, the wrong artifact or store directory, or an empty store",
        problems.join("; "),
        list(&c),
        list(&b),
    ))
}

/// Cancelled (partial) runs measured less than they were asked to: refused as trials unless
/// `allow` (`--allow-partial`). `what` names each run (a file, or a stored run).
pub fn check_complete(runs: &[(String, &RunResult)], allow: bool) -> Result<(), String> {
    let partial: Vec<&str> = runs
        .iter()
        .filter(|(_, r)| r.cancelled)
        .map(|(what, _)| what.as_str())
        .collect();
    if partial.is_empty() || allow {
        return Ok(());
    }
    Err(format!(
        "{} cancelled (partial) run(s): {}; they measured less than asked, so they are refused \
         as trials; pass --allow-partial to compare them anyway",
        partial.len(),
        partial.join(", ")
    ))
}

/// The gated metrics that some trial has no sample of (an empty latency distribution, or no
/// calls at all), as the reason of a failed verdict; `None` when every trial has data.
#[must_use]
pub fn no_data(baseline: &[Trial], candidate: &[Trial], gated: &[Metric]) -> Option<String> {
    let mut gaps = Vec::new();
    for (side, trials) in [("baseline", baseline), ("candidate", candidate)] {
        for (i, t) in trials.iter().enumerate() {
            let empty: Vec<String> = gated
                .iter()
                .filter(|m| match m {
                    Metric::Quantile(_) | Metric::Mean => t.dist.is_empty(),
                    Metric::Throughput | Metric::ErrorRate => t.requests == 0,
                    Metric::CpuPerRequest => t.cpu_us_per_request.is_none(),
                })
                .map(ToString::to_string)
                .collect();
            if !empty.is_empty() {
                gaps.push(format!(
                    "{side} trial {} has no sample of {}",
                    i + 1,
                    empty.join(", ")
                ));
            }
        }
    }
    (!gaps.is_empty()).then(|| format!("no data: {}", gaps.join("; ")))
}
