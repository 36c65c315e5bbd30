//! [`judge`]: every scenario of one invocation compared, under one family-wise control, into
//! one [`VerdictReport`].

use std::collections::BTreeMap;

use bench_core::result::RunResult;
use bench_core::scenario::gate::GateSection;
use bench_core::stats::Verdict;

use super::{Family, JudgeError, Look};
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
) -> Result<VerdictReport, JudgeError> {
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
    let family = match how.look {
        None => Family::holm(&p_values, level),
        Some(look) => {
            let alpha = overall_level(look, level);
            Family::holm_by(&p_values, level, |k| look_level(look, alpha / k as f64))
        }
    };
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
) -> Result<Vec<ScenarioVerdict>, JudgeError> {
    groups
        .iter()
        .map(|&(name, b, c)| {
            let file_gate = c.last().or(b.last()).map(stored_gate).unwrap_or_default();
            let gate = file_gate.overlay(cli);
            compare_scenario(name, b, c, &gate, how, family).map_err(|e| JudgeError::Scenario {
                scenario: name.clone(),
                source: Box::new(e),
            })
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

/// The one-sided level at `look` of the sequential design whose overall one-sided level is
/// `alpha`.
fn look_level(look: Look, alpha: f64) -> f64 {
    (1.0 - look.confidence(1.0 - 2.0 * alpha)) / 2.0
}

/// The overall one-sided level `α` of the design whose level at `look` is `level` (the
/// inverse of [`look_level`], by bisection: the level at a look grows with `α`). Holm's step
/// with `k` comparisons left then uses the design at `α/k` (Maurer and Bretz), so the family's
/// fail error over all looks is at most `α` exactly, not only at each look.
fn overall_level(look: Look, level: f64) -> f64 {
    let (mut low, mut high) = (0.0_f64, 0.5_f64);
    for _ in 0..60 {
        let mid = (low + high) / 2.0;
        if look_level(look, mid) < level {
            low = mid;
        } else {
            high = mid;
        }
    }
    (low + high) / 2.0
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

#[cfg(test)]
mod tests {
    use super::*;
    use bench_core::stats::Sequential;

    /// Group-sequential Holm (Maurer and Bretz): Holm's second step uses the design at `α/2`,
    /// whose level at a look is at most half the look's level — equal at the first look (one
    /// look spends `α·t^ρ`, linear in α), below it at the later ones, where plain Holm at the
    /// look's level would allow more and over the looks exceed `α`. A p-value between the two
    /// fails plain Holm but not the family.
    #[test]
    fn holm_steps_use_the_design_at_the_split_level() {
        let design = Sequential {
            min_pairs: 3,
            max_pairs: 20,
        };
        let mut stricter = 0;
        for (pairs, last) in design
            .looks()
            .into_iter()
            .map(|n| (n, false))
            .chain([(7, true)])
        {
            let look = Look {
                design,
                pairs,
                last,
            };
            let level = look_level(look, 0.025);
            let alpha = overall_level(look, level);
            assert!((alpha - 0.025).abs() < 1e-9, "{pairs}: {alpha}");
            let split = look_level(look, 0.0125);
            assert!(
                split <= level / 2.0 * (1.0 + 1e-9),
                "{pairs}: {split} {level}"
            );
            if split > level / 2.0 * (1.0 - 1e-6) {
                continue;
            }
            stricter += 1;
            let between = (split + level / 2.0) / 2.0;
            let ps = [Some(between), Some(between)];
            assert_eq!(Family::holm(&ps, level).cutoff, Some(between));
            let family = Family::holm_by(&ps, level, |k| look_level(look, alpha / k as f64));
            assert_eq!(family.cutoff, None, "{pairs}");
            assert_eq!(family.level, level);
        }
        assert!(stricter >= 3, "{stricter}");
    }
}
