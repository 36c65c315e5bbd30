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

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::store::file::FileStore;

    #[derive(clap::Parser)]
    struct Flags {
        #[command(flatten)]
        store: StoreArgs,
    }

    fn file_store(dir: &Path) -> StoreArgs {
        Flags::try_parse_from(["t", "--store", "file", "--store-dir", dir.to_str().unwrap()])
            .unwrap()
            .store
    }

    fn checked_in() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../baselines")
    }

    #[test]
    fn only_store_specs_name_stored_runs() {
        assert_eq!(store_branch("store:main"), Some("main"));
        assert_eq!(store_branch("base.json"), None);
        assert_eq!(stored_branch("store:main").unwrap().as_str(), "main");
        let e = stored_branch("main").unwrap_err().to_string();
        assert_eq!(e, "--baseline \"main\": expected store:BRANCH");
        assert!(stored_branch("store:a..b").is_err());
    }

    #[test]
    fn the_newest_runs_of_a_scenario_and_the_scenarios_of_a_branch() {
        let st = FileStore::new(checked_in());
        let main = BranchName::new("main").unwrap();
        let all = scenarios(&st, &main, "").unwrap();
        assert_eq!(all.get("http-get"), Some(&6), "{all:?}");
        assert!(scenarios(&st, &main, "http-")
            .unwrap()
            .keys()
            .all(|s| s.starts_with("http-")));
        let runs = newest(&st, &main, "http-get", 2).unwrap();
        assert_eq!(runs.len(), 2);
        assert!(runs[0].started_at <= runs[1].started_at);
        assert!(newest(&st, &main, "none", 3).unwrap().is_empty());
    }

    #[test]
    fn compare_baselines_come_from_the_store_or_from_files() {
        let st = FileStore::new(checked_in());
        let main = BranchName::new("main").unwrap();
        let candidate = newest(&st, &main, "http-get", 1).unwrap();
        let args = file_store(&checked_in());
        let how = Selection {
            store: &args,
            gate: &GateSection::default(),
            allow_env_mismatch: true,
        };
        let resolved = resolve(&["store:main".to_owned()], &candidate, how).unwrap();
        assert!(!resolved.named.is_empty());
        assert!(resolved
            .named
            .iter()
            .all(|(n, r)| { n.starts_with("stored run ") && r.meta.scenario == "http-get" }));
        assert!(resolved.windows.contains_key("http-get"));
        assert!(
            resolved.sources[0].starts_with("store:main in "),
            "{:?}",
            resolved.sources
        );
        let missing = file_store(&checked_in().join("nowhere"));
        let how = Selection {
            store: &missing,
            ..how
        };
        let e = resolve(&["store:main".to_owned()], &candidate, how).unwrap_err();
        assert!(e.to_string().contains("no such directory"), "{e}");
    }
}
