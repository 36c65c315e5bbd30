//! [`judge`]: every scenario of one invocation compared, under one family-wise control, into
//! one [`VerdictReport`].

use std::collections::BTreeMap;

use bench_core::result::RunResult;
use bench_core::scenario::gate::GateSection;
use bench_core::stats::Verdict;

use super::{Family, Look};
use crate::verdict::{
    compare_scenario, stored_gate, ScenarioVerdict, VerdictReport, VERDICT_SCHEMA_VERSION,
};

/// How the trials of a judgement were obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Judging {
    /// Trials were run in B/C pairs (the i-th of each side share their conditions).
    pub interleaved: bool,
    /// The look of a sequential gate (`None`: a fixed set of trials, one look).
    pub look: Option<Look>,
}

/// Compares every scenario present on either side. `cli` overlays each scenario's stored
/// `[gate]`. Gated fails stand only when Holm's procedure over all gated comparisons of the
/// invocation rejects them ([`Family`]).
pub fn judge(
    baseline: Vec<RunResult>,
    candidate: Vec<RunResult>,
    cli: &GateSection,
    how: Judging,
    baseline_source: &str,
) -> Result<VerdictReport, String> {
    let base = by_scenario(baseline);
    let cand = by_scenario(candidate);
    let mut names: Vec<&String> = base.keys().chain(cand.keys()).collect();
    names.sort();
    names.dedup();
    let empty = Vec::new();
    let groups: Vec<(&String, &Vec<RunResult>, &Vec<RunResult>)> = names
        .into_iter()
        .map(|n| {
            let b = base.get(n).unwrap_or(&empty);
            let c = cand.get(n).unwrap_or(&empty);
            (n, b, c)
        })
        .collect();
    // First pass: every comparison on its own, for the family's p-values.
    let alone = scenarios(&groups, cli, how, &Family::permissive())?;
    let gated: Vec<_> = alone.iter().flat_map(gated_comparisons).collect();
    let level = gated
        .iter()
        .map(|c| (1.0 - c.confidence) / 2.0)
        .fold(f64::INFINITY, f64::min);
    let level = if level.is_finite() { level } else { 0.025 };
    let p_values: Vec<Option<f64>> = gated.iter().map(|c| c.p_value).collect();
    let family = Family::holm(&p_values, level);
    let all_stand = gated
        .iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .all(|c| family.rejects(c.p_value));
    let scenarios = if all_stand {
        alone
    } else {
        scenarios(&groups, cli, how, &family)?
    };
    Ok(VerdictReport {
        schema_version: VERDICT_SCHEMA_VERSION,
        verdict: overall(&scenarios),
        baseline_source: baseline_source.to_owned(),
        scenarios,
        new: Vec::new(),
        removed: Vec::new(),
        provenance: None,
        family: Some(family),
        trials: None,
    })
}

fn scenarios(
    groups: &[(&String, &Vec<RunResult>, &Vec<RunResult>)],
    cli: &GateSection,
    how: Judging,
    family: &Family,
) -> Result<Vec<ScenarioVerdict>, String> {
    groups
        .iter()
        .map(|&(name, b, c)| {
            let file_gate = c.last().or(b.last()).map(stored_gate).unwrap_or_default();
            let gate = file_gate.overlay(cli);
            compare_scenario(name, b, c, &gate, how, family)
                .map_err(|e| format!("scenario {name}: {e}"))
        })
        .collect()
}

/// Every gated comparison of a scenario: the whole mix's and each request's.
fn gated_comparisons(
    s: &ScenarioVerdict,
) -> impl Iterator<Item = &bench_core::stats::Comparison> + '_ {
    s.metrics
        .iter()
        .chain(s.requests.iter().flat_map(|r| r.metrics.iter()))
        .filter(|m| m.gated)
        .map(|m| &m.comparison)
}

/// The overall verdict: the worst scenario's; no scenario at all is inconclusive.
#[must_use]
pub fn overall(scenarios: &[ScenarioVerdict]) -> Verdict {
    Verdict::worst(scenarios.iter().map(|s| s.verdict)).unwrap_or(Verdict::Inconclusive)
}

/// Group runs by scenario name, keeping order.
#[must_use]
pub fn by_scenario(runs: Vec<RunResult>) -> BTreeMap<String, Vec<RunResult>> {
    let mut map: BTreeMap<String, Vec<RunResult>> = BTreeMap::new();
    for r in runs {
        map.entry(r.meta.scenario.clone()).or_default().push(r);
    }
    map
}
