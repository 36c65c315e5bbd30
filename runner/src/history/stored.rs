//! The stored-baseline hooks of `compare` and `gate`: read a scenario's history from the store,
//! select its window (`window.rs`), and after the comparison widen each gated ratio metric's
//! interval to the prediction interval of the window's run-to-run spread — a candidate session
//! is one more draw from main's history, not a sample of the same session.

use std::collections::BTreeMap;

use bench_core::result::{RunMeta, RunResult};
use bench_core::scenario::gate::GateSection;
use bench_core::stats::{prediction, Direction, Metric, Rule, Verdict};

use super::series::HistoryMetric;
use super::window::{select, BaselineWindow, WindowPolicy, LOOKBACK_RUNS};
use super::HistoryError;
use crate::gate::overall;
use crate::store::{BranchName, Store};
use crate::verdict::{ScenarioVerdict, VerdictReport};

/// The stored baseline of `candidate`'s scenario on `branch`: the newest `gate.baseline_runs()`
/// runs of its stable segment with its fingerprint, and why (printed to stderr).
pub fn read(
    st: &dyn Store,
    branch: &BranchName,
    candidate: &RunMeta,
    gate: &GateSection,
    allow_mismatch: bool,
) -> Result<(Vec<RunResult>, BaselineWindow), HistoryError> {
    let scenario = &candidate.scenario;
    let stored = st
        .baseline(branch, scenario, LOOKBACK_RUNS)
        .map_err(|error| HistoryError::Store {
            scenario: scenario.clone(),
            branch: branch.to_string(),
            error: Box::new(error),
        })?;
    let metrics = gate
        .gated_metrics()?
        .into_iter()
        .filter_map(history_metric)
        .collect();
    let policy = WindowPolicy {
        max_runs: gate.baseline_runs(),
        metrics,
        detector: super::Detector::default(),
        allow_mismatch,
    };
    let (runs, window) = select(stored, candidate, &policy)?;
    if !runs.is_empty() {
        eprintln!("baseline of {scenario} (store:{branch}): {}", window.reason);
    }
    Ok((runs, window))
}

/// Apply every scenario's window and decide the whole report again.
pub fn apply_all(report: &mut VerdictReport, mut windows: BTreeMap<String, BaselineWindow>) {
    for s in &mut report.scenarios {
        if let Some(w) = windows.remove(&s.scenario) {
            apply(s, w);
        }
    }
    report.verdict = overall(&report.scenarios);
}

/// The history metric a gate metric is followed as.
#[must_use]
pub fn history_metric(m: Metric) -> Option<HistoryMetric> {
    Some(match m {
        Metric::Quantile(q) => HistoryMetric::parse(&q.to_string()).ok()?,
        Metric::Mean => HistoryMetric::Mean,
        Metric::Throughput => HistoryMetric::Throughput,
        Metric::ErrorRate => HistoryMetric::ErrorRate,
        // The service's CPU is not stored in the history's series.
        Metric::CpuPerRequest => return None,
    })
}

/// Widen each gated ratio metric's interval to the prediction interval of the window's
/// run-to-run spread (never narrower than the interval it had), and turn a fail whose widened
/// interval no longer shows a regression into inconclusive, saying why.
pub fn apply(s: &mut ScenarioVerdict, window: BaselineWindow) {
    let rule = s.settings.rule;
    let mut changed = false;
    for row in s.metrics.iter_mut().filter(|r| r.gated) {
        let c = &mut row.comparison;
        let Some(noise) =
            history_metric(c.metric).and_then(|m| window.noise.iter().find(|n| n.metric == m))
        else {
            continue;
        };
        let (Some(change), Some(lo), Some(hi)) = (c.change, c.ci_low, c.ci_high) else {
            continue;
        };
        let Some(unit) = prediction::half_width_of(noise.sd_log, noise.values, c.confidence) else {
            continue;
        };
        let d = (1.0 + change).ln();
        let (plo, phi) = ((d - unit).exp() - 1.0, (d + unit).exp() - 1.0);
        c.ci_low = Some(lo.min(plo));
        c.ci_high = Some(hi.max(phi));
        let note = format!(
            "prediction interval from the stored baseline's run-to-run spread ({:.1}% per {}): \
             {:+.1}% to {:+.1}%",
            noise.sd_log * 100.0,
            if noise.per_commit { "commit" } else { "run" },
            plo * 100.0,
            phi * 100.0
        );
        c.reason = Some(match c.reason.take() {
            Some(r) => format!("{r}; {note}"),
            None => note.clone(),
        });
        if c.verdict != Verdict::Fail {
            continue;
        }
        let (near, limit) = match (c.metric.direction(), rule) {
            (Direction::HigherIsWorse, Rule::Strict) => (c.ci_low.unwrap_or(lo), c.threshold),
            (Direction::HigherIsWorse, Rule::Default) => (c.ci_low.unwrap_or(lo), 0.0),
            (Direction::LowerIsWorse, Rule::Strict) => (-c.ci_high.unwrap_or(hi), c.threshold),
            (Direction::LowerIsWorse, Rule::Default) => (-c.ci_high.unwrap_or(hi), 0.0),
        };
        if near <= limit {
            changed = true;
            c.verdict = Verdict::Inconclusive;
            c.reason = Some(format!(
                "{:+.1}% is within main's run-to-run spread; {note}",
                change * 100.0
            ));
        }
    }
    if changed {
        redecide(s);
    }
    s.baseline_window = Some(window);
}

/// Decide a failed scenario again after its metric rows were revised (a stored baseline's
/// prediction interval, `history/window.rs`): it stays failed while a gated metric, a request
/// or the capacity fails.
fn redecide(s: &mut ScenarioVerdict) {
    let still = s.requests.iter().any(|r| r.verdict == Verdict::Fail)
        || s.capacity
            .as_ref()
            .is_some_and(|c| c.verdict == Verdict::Fail);
    if s.verdict == Verdict::Fail && !still {
        (s.verdict, s.reason) = crate::verdict::decide(
            &s.scenario,
            &s.metrics,
            s.baseline_runs.len(),
            s.candidate_runs.len(),
        );
    }
}
