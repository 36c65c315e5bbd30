//! From runs to a verdict: group baseline and candidate runs by scenario, compare every metric
//! with the statistics engine, and decide per scenario and overall.
//!
//! JSON contract (`--out verdict.json`): top-level `verdict` is `"pass"`, `"fail"` or
//! `"inconclusive"`; `scenarios[]` each have `scenario`, `verdict` and `metrics[]` with `metric`,
//! `gated`, `verdict`, `baseline`, `candidate`, `change`, `ci_low`, `ci_high`, `reason`; and
//! `evidence` (per side: merged histogram, timeline, SLOs, configuration) for the reports.

use bench_core::result::{RunKind, RunResult};
use bench_core::scenario::gate::GateSection;
use bench_core::stats::{compare, Distribution, Method, Metric, Settings, Trial, Verdict};

use crate::admission;
use crate::capacity::{self, CapacityVerdict};
use crate::evidence::Evidence;
use crate::gate::{Family, GatePolicy, JudgeError, Judging};
use crate::report::reasons;

#[path = "verdict_file.rs"]
mod file;
pub use file::{
    MetricVerdict, Provenance, RequestVerdict, ScenarioVerdict, VerdictReport,
    VERDICT_SCHEMA_VERSION,
};

/// The trial of the statistics engine in a run: the run itself, a load test or a `cargo bench`
/// run (see `criterion/mod.rs`); none in instruction counts, which have no timings.
#[must_use]
pub fn trials(run: &RunResult) -> Vec<Trial> {
    match &run.kind {
        RunKind::Micro { iterations } => crate::criterion::trial(iterations),
        RunKind::Load { measurement } | RunKind::Steps { measurement, .. } => vec![Trial {
            dist: Distribution::from_histogram(measurement.histograms.latency.inner()),
            requests: measurement.summary.requests,
            errors: measurement.summary.errors,
            rps: measurement.summary.rps,
            cpu_us_per_request: run.service.and_then(|s| s.cpu_us_per_request),
        }],
        _ => Vec::new(),
    }
}

/// A trial of one request of a run's mix (its own histograms), if the run has it.
#[must_use]
pub fn request_trial(run: &RunResult, request: &str) -> Option<Trial> {
    let r = run
        .measurement()?
        .requests
        .iter()
        .find(|r| r.name == request)?;
    Some(Trial {
        dist: Distribution::from_histogram(r.histograms.latency.inner()),
        requests: r.requests,
        errors: r.errors,
        rps: if run.duration_s > 0.0 {
            r.requests as f64 / run.duration_s
        } else {
            0.0
        },
        cpu_us_per_request: None,
    })
}

/// Compare one scenario. `gate` is the scenario's section overlaid with the command line;
/// `how` says whether the trials were run in B/C pairs (paired method unless overridden) and
/// at which look of a sequential gate; a gated fail stands only when `family` rejects it.
pub fn compare_scenario(
    scenario: &str,
    baseline: &[RunResult],
    candidate: &[RunResult],
    gate: &GateSection,
    how: Judging,
    family: &Family,
) -> Result<ScenarioVerdict, JudgeError> {
    let threshold = gate.settings(how.interleaved)?.threshold;
    let capacity = capacity::compare(baseline, candidate, threshold);
    // Micro-benchmarks have per-iteration times only: report just what is gated (mean, median).
    let micro = baseline
        .iter()
        .chain(candidate)
        .any(|r| r.iterations().is_some());
    // A saturation run's merged latency mixes every step; its gate is the capacity.
    let policy = GatePolicy::resolve(gate, how.interleaved, capacity.is_some(), micro, how.look)?;
    let settings = policy.settings;
    let (mut metrics, mut gated) = (policy.reported, policy.gated);
    // The service's CPU per request is per trial, never per request of a mix.
    let (request_metrics, request_gated) = (without_cpu(&metrics), without_cpu(&gated));
    crate::service::add_cpu_metric(baseline, candidate, gate, &mut metrics, &mut gated);
    let b: Vec<Trial> = baseline.iter().flat_map(trials).collect();
    let c: Vec<Trial> = candidate.iter().flat_map(trials).collect();
    let rows = compare_rows(&b, &c, (&metrics, &gated), &settings, family)?;
    let (mut verdict, mut reason) = admission::unless_generator_saturated(
        decide(scenario, &rows, baseline.len(), candidate.len()),
        baseline,
        candidate,
    );
    if let Some(why) = admission::no_data(&b, &c, &gated) {
        (verdict, reason) = (Verdict::Fail, Some(why));
    }
    let requests = request_verdicts(
        (scenario, baseline, candidate),
        (&request_metrics, &request_gated),
        &settings,
        family,
    )?;
    if let Some(r) = requests.iter().find(|r| r.verdict == Verdict::Fail) {
        if verdict != Verdict::Fail {
            verdict = Verdict::Fail;
            let why = r.reason.clone().unwrap_or_default();
            reason = Some(format!("request {}: {why}", r.request));
        }
    }
    if let Some(c) = &capacity {
        (verdict, reason) = with_capacity(verdict, reason, c);
    }
    Ok(ScenarioVerdict {
        scenario: scenario.to_owned(),
        verdict,
        reason,
        baseline_runs: baseline.iter().map(|r| r.meta.run_id.clone()).collect(),
        candidate_runs: candidate.iter().map(|r| r.meta.run_id.clone()).collect(),
        settings,
        metrics: rows,
        capacity,
        requests,
        evidence: Some(Evidence::of(baseline, candidate)),
        baseline_window: None,
    })
}

/// Each request of a mix judged on its own histograms (no CPU metric: that is per trial).
fn request_verdicts(
    (scenario, baseline, candidate): (&str, &[RunResult], &[RunResult]),
    (metrics, gated): (&[Metric], &[Metric]),
    settings: &Settings,
    family: &Family,
) -> Result<Vec<RequestVerdict>, JudgeError> {
    let mut requests = Vec::new();
    for name in mix_requests(baseline, candidate) {
        let of = |runs: &[RunResult]| -> Vec<Trial> {
            runs.iter()
                .filter_map(|r| request_trial(r, &name))
                .collect()
        };
        let (b, c) = (of(baseline), of(candidate));
        let rows = compare_rows(&b, &c, (metrics, gated), settings, family)?;
        let (verdict, reason) = match admission::no_data(&b, &c, gated) {
            Some(why) => (Verdict::Fail, Some(why)),
            None => admission::unless_generator_saturated(
                decide(&format!("{scenario}/{name}"), &rows, b.len(), c.len()),
                baseline,
                candidate,
            ),
        };
        requests.push(RequestVerdict {
            request: name,
            verdict,
            reason,
            metrics: rows,
        });
    }
    Ok(requests)
}

/// The scenario's verdict with its capacity comparison's: the worse wins; at an equal
/// verdict other than pass the reasons are joined.
fn with_capacity(
    verdict: Verdict,
    reason: Option<String>,
    capacity: &CapacityVerdict,
) -> (Verdict, Option<String>) {
    if capacity.verdict > verdict {
        return (capacity.verdict, capacity.reason.clone());
    }
    if capacity.verdict == verdict && verdict != Verdict::Pass {
        if let Some(why) = &capacity.reason {
            let joined = match reason {
                Some(r) => format!("{r}; capacity: {why}"),
                None => format!("capacity: {why}"),
            };
            return (verdict, Some(joined));
        }
    }
    (verdict, reason)
}

fn without_cpu(metrics: &[Metric]) -> Vec<Metric> {
    metrics
        .iter()
        .copied()
        .filter(|m| *m != Metric::CpuPerRequest)
        .collect()
}

/// Names of the requests of a mix (in the candidate's order), empty for single-request runs.
fn mix_requests(baseline: &[RunResult], candidate: &[RunResult]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for run in candidate.iter().chain(baseline) {
        for r in run.measurement().into_iter().flat_map(|m| &m.requests) {
            if !names.contains(&r.name) {
                names.push(r.name.clone());
            }
        }
    }
    if names.len() > 1 {
        names
    } else {
        Vec::new()
    }
}

/// Compare every metric of two sets of trials; a gated fail that `family` does not reject is
/// inconclusive.
fn compare_rows(
    b: &[Trial],
    c: &[Trial],
    (metrics, gated): (&[Metric], &[Metric]),
    settings: &Settings,
    family: &Family,
) -> Result<Vec<MetricVerdict>, JudgeError> {
    let mut rows = Vec::with_capacity(metrics.len());
    for metric in metrics {
        let mut s = *settings;
        // Paired needs equal counts; fall back to Welch when they differ (each comparison
        // reports the method it used).
        if s.method == Method::Paired && b.len() != c.len() {
            s.method = Method::Welch;
        }
        let mut comparison = reasons::worded(compare(b, c, *metric, &s)?);
        let is_gated = gated.contains(metric);
        if is_gated && comparison.verdict == Verdict::Fail && !family.rejects(comparison.p_value) {
            comparison.verdict = Verdict::Inconclusive;
            comparison.reason = Some(format!(
                "{}; but not significant after Holm's correction over the {} gated comparisons \
                 of this gate (p = {:.4}, family level {:.4}): more trials needed",
                comparison.reason.unwrap_or_default(),
                family.comparisons,
                comparison.p_value.unwrap_or(1.0),
                family.level
            ));
        }
        rows.push(MetricVerdict {
            gated: is_gated,
            comparison,
        });
    }
    Ok(rows)
}

pub(crate) fn decide(
    scenario: &str,
    rows: &[MetricVerdict],
    nb: usize,
    nc: usize,
) -> (Verdict, Option<String>) {
    if nb == 0 {
        return (
            Verdict::Inconclusive,
            Some(format!("no baseline runs for scenario {scenario:?}")),
        );
    }
    if nc == 0 {
        return (
            Verdict::Inconclusive,
            Some(format!("no candidate runs for scenario {scenario:?}")),
        );
    }
    let gated: Vec<&MetricVerdict> = rows.iter().filter(|r| r.gated).collect();
    let pick = |v: Verdict| -> Vec<String> {
        gated
            .iter()
            .filter(|r| r.comparison.verdict == v)
            .map(|r| match &r.comparison.reason {
                Some(why) => format!("{}: {why}", r.comparison.metric),
                None => r.comparison.metric.to_string(),
            })
            .collect()
    };
    // Without gated metrics (a saturation run) the capacity decides.
    match Verdict::worst(gated.iter().map(|r| r.comparison.verdict)) {
        None | Some(Verdict::Pass) => (Verdict::Pass, None),
        Some(v) => (v, Some(pick(v).join("; "))),
    }
}
