//! `tailguard baseline list|show|prune`.

use crate::cli::{BaselineAction, StoreArgs};
use crate::report::format::fmt_us;
use crate::session::{baselines, stores};
use crate::store::{to_prune, BranchName};
use crate::Exit;

/// Run the command.
pub fn command(action: &BaselineAction) -> anyhow::Result<Exit> {
    match action {
        BaselineAction::List {
            branch,
            scenario,
            store: s,
        } => list(branch.as_deref(), scenario.as_deref(), s),
        BaselineAction::Show {
            scenario,
            branch,
            last,
            store: s,
        } => show(scenario, branch, *last, s),
        BaselineAction::Prune {
            keep,
            yes,
            dry_run,
            branch,
            scenario,
            store: s,
        } => prune(
            *keep,
            *yes,
            *dry_run,
            branch.as_deref(),
            scenario.as_deref(),
            s,
        ),
    }
}

/// `baseline list`: one line per stored run.
fn list(branch: Option<&str>, scenario: Option<&str>, s: &StoreArgs) -> anyhow::Result<Exit> {
    let branch = branch.map(BranchName::new).transpose()?;
    let st = stores::open(s)?;
    let runs = st.list(branch.as_ref(), scenario)?;
    if runs.is_empty() {
        println!("no stored runs in {}", st.describe());
    }
    for r in runs {
        println!(
            "{:<20} {:<24} {:<26} {}",
            r.branch, r.scenario, r.started_at, r.run_id
        );
    }
    Ok(Exit::Success)
}

/// `baseline show`: the baseline runs of a scenario on a branch, with their headline numbers.
fn show(scenario: &str, branch: &str, last: usize, s: &StoreArgs) -> anyhow::Result<Exit> {
    let st = stores::open(s)?;
    let runs = baselines::newest(st.as_ref(), &BranchName::new(branch)?, scenario, last)?;
    if runs.is_empty() {
        println!(
            "no stored runs of {scenario} on {branch} in {}",
            st.describe()
        );
    }
    println!(
        "{:<26} {:<10} {:>9} {:>9} {:>9} {:>10} {:>8}",
        "started", "commit", "p50", "p95", "p99", "rps", "errors"
    );
    for r in runs {
        let commit: String = r
            .meta
            .environment
            .git_commit
            .as_deref()
            .unwrap_or("-")
            .chars()
            .take(10)
            .collect();
        let l = &r.summary.latency_us;
        println!(
            "{:<26} {commit:<10} {:>9} {:>9} {:>9} {:>10.1} {:>8}",
            r.started_at,
            fmt_us(l.p50),
            fmt_us(l.p95),
            fmt_us(l.p99),
            r.summary.rps,
            r.summary.errors
        );
    }
    Ok(Exit::Success)
}

/// `baseline prune`: delete all but the newest `keep` runs per branch and scenario.
fn prune(
    keep: usize,
    yes: bool,
    dry_run: bool,
    branch: Option<&str>,
    scenario: Option<&str>,
    s: &StoreArgs,
) -> anyhow::Result<Exit> {
    let branch = branch.map(BranchName::new).transpose()?;
    let st = stores::open(s)?;
    if dry_run || (keep == 0 && !yes) {
        let runs = st.list(branch.as_ref(), scenario)?;
        let doomed = to_prune(&runs, keep);
        for r in &doomed {
            println!(
                "would delete {:<20} {:<24} {:<26} {}",
                r.branch, r.scenario, r.started_at, r.run_id
            );
        }
        if !dry_run {
            anyhow::bail!(
                "--keep 0 deletes every selected run ({} in {}); pass --yes to confirm, \
                 or --dry-run to only list them",
                doomed.len(),
                st.describe()
            );
        }
        println!("dry run: {} run(s) would be deleted", doomed.len());
        return Ok(Exit::Success);
    }
    let n = st.prune(branch.as_ref(), scenario, keep)?;
    println!("deleted {n} runs, kept at most {keep} per branch and scenario");
    Ok(Exit::Success)
}
