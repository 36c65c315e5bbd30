//! What a comparison admits as evidence: every scenario on both sides, complete runs, and a
//! sample of every gated metric. No data is never a pass: each gap is a configuration error
//! (exit 2) or a failed gate (exit 1), never an inconclusive exit 0.

use bench_core::result::RunResult;
use bench_core::stats::{Metric, Trial, Verdict};

/// Every candidate scenario needs a baseline and every baseline scenario a candidate: a renamed
/// scenario, a wrong artifact, a misspelt or empty store is a configuration error naming the
/// scenarios on each side, never an inconclusive pass.
pub fn check_sides<'a>(
    baseline: impl IntoIterator<Item = &'a str>,
    candidate: impl IntoIterator<Item = &'a str>,
    source: &str,
) -> Result<(), AdmissionError> {
    let names = |runs: &mut dyn Iterator<Item = &'a str>| -> Vec<String> {
        let mut v: Vec<String> = runs.map(str::to_owned).collect();
        v.sort();
        v.dedup();
        v
    };
    let b = names(&mut baseline.into_iter());
    let c = names(&mut candidate.into_iter());
    let lacking: Vec<String> = c.iter().filter(|n| !b.contains(n)).cloned().collect();
    let unmatched: Vec<String> = b.iter().filter(|n| !c.contains(n)).cloned().collect();
    if lacking.is_empty() && unmatched.is_empty() {
        return Ok(());
    }
    Err(AdmissionError::Sides {
        lacking,
        unmatched,
        candidate: c,
        baseline: b,
        baseline_source: source.to_owned(),
    })
}

/// Why the runs of a comparison are not admitted as evidence (a configuration error, exit 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdmissionError {
    /// Scenarios present on one side only.
    #[error(
        "{}",
        sides_message(lacking, unmatched, candidate, baseline, baseline_source)
    )]
    Sides {
        /// Candidate scenarios without a baseline.
        lacking: Vec<String>,
        /// Baseline scenarios without a candidate.
        unmatched: Vec<String>,
        /// Every candidate scenario.
        candidate: Vec<String>,
        /// Every baseline scenario.
        baseline: Vec<String>,
        /// Where the baseline came from.
        baseline_source: String,
    },
    /// Cancelled runs, refused without `--allow-partial`.
    #[error(
        "{} cancelled (partial) run(s): {}; they measured less than asked, so they are refused \
         as trials; pass --allow-partial to compare them anyway",
        runs.len(),
        runs.join(", ")
    )]
    Partial {
        /// Each run, named (a file, or a stored run).
        runs: Vec<String>,
    },
}

fn sides_message(
    lacking: &[String],
    unmatched: &[String],
    c: &[String],
    b: &[String],
    source: &str,
) -> String {
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
    format!(
        "{} (baseline {source}); candidate scenarios: {}; baseline scenarios: {}. \
         Check for a renamed scenario, the wrong artifact or store directory, or an empty store",
        problems.join("; "),
        list(c),
        list(b),
    )
}

/// Cancelled (partial) runs measured less than they were asked to: refused as trials unless
/// `allow` (`--allow-partial`). `what` names each run (a file, or a stored run).
pub fn check_complete(runs: &[(String, &RunResult)], allow: bool) -> Result<(), AdmissionError> {
    let partial: Vec<String> = runs
        .iter()
        .filter(|(_, r)| r.cancelled)
        .map(|(what, _)| what.clone())
        .collect();
    if partial.is_empty() || allow {
        return Ok(());
    }
    Err(AdmissionError::Partial { runs: partial })
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

/// A regression the generator could have caused is not called: a fail becomes inconclusive,
/// naming the run and why, when a candidate run's generator was saturated on CPU (its busiest
/// engine thread above [`bench_core::generator::CPU_BOUND`] of a core: then any delay is
/// possible). A saturated baseline changes nothing (it can only make the baseline slower). A
/// scheduling lag above its bound is recorded and warned about but does not by itself stop a
/// fail: on a loaded 2-core runner it exceeds 1 ms often enough to hide real regressions
/// (docs/statistics.md). Other verdicts pass through.
pub fn unless_generator_saturated(
    decided: (Verdict, Option<String>),
    _baseline: &[RunResult],
    candidate: &[RunResult],
) -> (Verdict, Option<String>) {
    if decided.0 != Verdict::Fail {
        return decided;
    }
    let saturated = candidate.iter().find_map(|r| {
        let g = r.generator.as_ref()?;
        let cpu = g.cpu_per_thread?;
        (cpu > bench_core::generator::CPU_BOUND).then(|| {
            let why = g
                .saturated
                .as_deref()
                .unwrap_or("the generator was saturated");
            format!("candidate run {}: {why}", r.meta.run_id)
        })
    });
    match saturated {
        None => decided,
        Some(why) => (
            Verdict::Inconclusive,
            Some(format!(
                "{why}; a regression the generator could have caused is not called ({})",
                decided
                    .1
                    .unwrap_or_else(|| "it would have failed".to_owned())
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bench_core::engine::Recording;
    use bench_core::generator::{GeneratorReport, GeneratorUsage};
    use bench_core::result::RunMeta;
    use bench_core::LatencyHistogram;
    use std::time::Duration;

    /// A run with latency p99 ≈ `p99_us`, generator lag p99 ≈ `lag_us` and CPU share `cpu`.
    fn run(p99_us: u64, lag_us: u64, cpu: f64) -> RunResult {
        let mut s = bench_core::recorder::Series::default();
        s.latency.record_us_n(p99_us, 100);
        s.requests = 100;
        let rec = Recording {
            started_at: std::time::SystemTime::UNIX_EPOCH,
            duration: Duration::from_secs(1),
            window: Duration::from_secs(1),
            completion_span: Duration::from_secs(1),
            series: vec![("r".into(), s)],
            journeys: Vec::new(),
            checks: Vec::new(),
            counts: Default::default(),
            timeline: Vec::new(),
            cancelled: false,
            target_rps: None,
            generator: GeneratorUsage::default(),
        };
        let mut r = RunResult::new(RunMeta::default(), &rec);
        let mut lag = LatencyHistogram::new();
        lag.record_us_n(lag_us, 100);
        let usage = GeneratorUsage {
            threads: 1,
            busiest: Some(cpu),
            lag,
            ..GeneratorUsage::default()
        };
        r.generator = Some(GeneratorReport::of(&usage));
        r
    }

    fn fail() -> (Verdict, Option<String>) {
        (Verdict::Fail, Some("p99 +50 %".into()))
    }

    #[test]
    fn a_lagging_candidate_generator_is_recorded_but_does_not_stop_a_fail() {
        let (v, _) = unless_generator_saturated(
            fail(),
            &[run(20_000, 100, 0.3)],
            &[run(30_000, 8_000, 0.3)],
        );
        assert_eq!(v, Verdict::Fail);
    }

    #[test]
    fn a_busy_candidate_generator_makes_a_fail_inconclusive() {
        let (v, _) =
            unless_generator_saturated(fail(), &[run(20_000, 100, 0.3)], &[run(30_000, 100, 0.97)]);
        assert_eq!(v, Verdict::Inconclusive);
    }

    #[test]
    fn a_fail_stands_when_only_the_baseline_was_saturated() {
        // A saturated baseline makes the baseline slower, never the candidate.
        let (v, _) = unless_generator_saturated(
            fail(),
            &[run(20_000, 9_000, 0.99)],
            &[run(30_000, 100, 0.3)],
        );
        assert_eq!(v, Verdict::Fail);
        // Anything but a fail passes through.
        let pass = (Verdict::Pass, None);
        assert_eq!(
            unless_generator_saturated(pass.clone(), &[], &[run(30_000, 9_000, 0.99)]),
            pass
        );
    }
}
