//! Shared by the commands that store or read runs: opening the store, naming the branch.

use anyhow::Context as _;
use bench_core::environment::{git_branch, git_commit};
use bench_core::result::RunResult;

use crate::cli::{SaveArgs, StoreArgs};
use crate::store::file::FileStore;
use crate::store::{BranchName, Store};

/// The configured store.
#[must_use]
pub fn open(args: &StoreArgs) -> FileStore {
    FileStore::new(&args.store_dir)
}

/// The branch to save under: `--branch`, else GitHub Actions' or git's.
pub fn branch(save: &SaveArgs) -> anyhow::Result<BranchName> {
    let name = save
        .branch
        .clone()
        .or_else(git_branch)
        .context("cannot tell which branch this is (not a git checkout?); pass --branch")?;
    Ok(BranchName::new(&name)?)
}

/// Save `run` (recording `--branch`/`--commit` in its environment) and say where.
pub fn save(run: &mut RunResult, save: &SaveArgs, store: &StoreArgs) -> anyhow::Result<()> {
    let branch = branch(save)?;
    run.meta.environment.git_branch = Some(branch.to_string());
    if let Some(c) = save.commit.clone().or_else(git_commit) {
        run.meta.environment.git_commit = Some(c);
    }
    let location = open(store).save(&branch, run)?;
    eprintln!("saved {location}");
    Ok(())
}

/// Parse `store:BRANCH`.
#[must_use]
pub fn store_branch(spec: &str) -> Option<&str> {
    spec.strip_prefix("store:")
}
