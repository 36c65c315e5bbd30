//! Finding a baseline: `--baseline store:BRANCH` names stored runs (anything else, a result
//! file). The stored baseline of a load scenario is its stable window on a matching environment
//! (`history/stored.rs`); of a benchmark, the newest runs of it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use bench_core::result::{RunMeta, RunResult};
use bench_core::scenario::gate::GateSection;
use bench_core::Scenario;

use super::{stores, SessionError};
use crate::cli::StoreArgs;
use crate::history::window::BaselineWindow;
use crate::store::{BranchName, Store};

/// Parse `store:BRANCH`; `None` for anything else (a result file).
#[must_use]
pub fn store_branch(spec: &str) -> Option<&str> {
    spec.strip_prefix("store:")
}

/// A `--baseline` that must be `store:BRANCH`: its branch.
pub fn stored_branch(spec: &str) -> Result<BranchName, SessionError> {
    let branch = store_branch(spec).ok_or_else(|| SessionError::BaselineSpec(spec.to_owned()))?;
    Ok(BranchName::new(branch)?)
}

/// The stored baseline of `candidate`'s scenario on `branch`: its stable window on a matching
/// environment, at most `gate`'s baseline runs, and why that window.
pub fn window(
    st: &dyn Store,
    branch: &BranchName,
    candidate: &RunMeta,
    gate: &GateSection,
    allow_env_mismatch: bool,
) -> Result<(Vec<RunResult>, BaselineWindow), SessionError> {
    Ok(crate::history::stored::read(
        st,
        branch,
        candidate,
        gate,
        allow_env_mismatch,
    )?)
}

/// The stored baseline of `candidate`'s scenario on `branch` for `gate` (its [`window`]),
/// refusing partial runs unless `allow_partial`.
pub fn of_scenario(
    branch: &BranchName,
    candidate: &Scenario,
    how: Selection<'_>,
    allow_partial: bool,
) -> Result<(Vec<RunResult>, BaselineWindow), SessionError> {
    let gate = candidate.file.gate.overlay(how.gate);
    let (runs, window) = window(
        stores::open_existing(how.store)?.as_ref(),
        branch,
        &super::execute::meta(candidate),
        &gate,
        how.allow_env_mismatch,
    )?;
    let named: Vec<(String, &RunResult)> = runs
        .iter()
        .map(|r| (format!("stored run {} (store:{branch})", r.meta.run_id), r))
        .collect();
    crate::admission::check_complete(&named, allow_partial)?;
    Ok((runs, window))
}

/// The newest `n` stored runs of `scenario` on `branch`, oldest first.
pub fn newest(
    st: &dyn Store,
    branch: &BranchName,
    scenario: &str,
    n: usize,
) -> Result<Vec<RunResult>, SessionError> {
    st.baseline(branch, scenario, n)
        .map_err(|source| SessionError::Reading {
            scenario: scenario.to_owned(),
            branch: branch.to_string(),
            source: Box::new(source),
        })
}

/// The scenarios with stored runs on `branch` whose names start with `prefix`, with the number
/// of runs of each.
pub fn scenarios(
    st: &dyn Store,
    branch: &BranchName,
    prefix: &str,
) -> Result<BTreeMap<String, usize>, SessionError> {
    let mut out = BTreeMap::new();
    for run in st.list(Some(branch), None)? {
        if run.scenario.starts_with(prefix) {
            *out.entry(run.scenario).or_insert(0) += 1;
        }
    }
    Ok(out)
}

/// The baseline runs of `compare`, each with the name its messages use.
#[derive(Debug, Default)]
pub struct Resolved {
    /// Every baseline run, named (`stored run ID (store:main)` or the file's path).
    pub named: Vec<(String, RunResult)>,
    /// Where they came from, for the report (`store:main in file store …`, a path).
    pub sources: Vec<String>,
    /// The stored baselines' windows, by scenario.
    pub windows: BTreeMap<String, BaselineWindow>,
}

impl Resolved {
    /// The runs alone.
    #[must_use]
    pub fn runs(&self) -> Vec<RunResult> {
        self.named.iter().map(|(_, r)| r.clone()).collect()
    }
}

/// The flags that select stored baselines.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    /// The store to read `store:BRANCH` from.
    pub store: &'a StoreArgs,
    /// The `[gate]` flags, overlaid on each candidate's `[gate]`.
    pub gate: &'a GateSection,
    /// `--allow-env-mismatch`.
    pub allow_env_mismatch: bool,
}

/// The baselines of `candidate` named by `specs`: `store:BRANCH` (the window of each candidate
/// scenario; the newest candidate run of a scenario describes it) or a result file.
pub fn resolve(
    specs: &[String],
    candidate: &[RunResult],
    how: Selection<'_>,
) -> Result<Resolved, SessionError> {
    let mut out = Resolved::default();
    for spec in specs {
        let Some(branch) = store_branch(spec) else {
            let run = RunResult::read(Path::new(spec))?;
            out.named.push((spec.clone(), run));
            out.sources.push(spec.clone());
            continue;
        };
        let branch = BranchName::new(branch)?;
        let st = stores::open_existing(how.store)?;
        let names: BTreeSet<&str> = candidate.iter().map(|r| r.meta.scenario.as_str()).collect();
        for scenario in names {
            let Some(last) = candidate.iter().rfind(|r| r.meta.scenario == scenario) else {
                continue;
            };
            let gate = last.meta.gate.overlay(how.gate);
            let (runs, w) = window(
                st.as_ref(),
                &branch,
                &last.meta,
                &gate,
                how.allow_env_mismatch,
            )?;
            out.windows.insert(scenario.to_owned(), w);
            for run in runs {
                out.named
                    .push((format!("stored run {} ({spec})", run.meta.run_id), run));
            }
        }
        out.sources.push(format!("{spec} in {}", st.describe()));
    }
    Ok(out)
}
