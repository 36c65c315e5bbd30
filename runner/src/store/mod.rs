//! Where runs are kept: the [`Store`] trait and its back-ends (`file.rs`, the embedded default;
//! `influx/`, InfluxDB with a local spool for when it is down).
//!
//! A store keeps every run with its branch and commit, and answers the one question the gate
//! asks: "the last n runs of scenario S on branch B".

pub mod file;
pub mod influx;
pub mod spool;

use std::fmt;
use std::path::PathBuf;

use bench_core::result::{ResultError, RunResult};
use serde::Serialize;

/// A git branch name. Invariant: what `git check-ref-format --branch` accepts (no empty or
/// dot-led segment, no whitespace, control characters or `~^:?*[\\`, no `@{`, no `.lock` end).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct BranchName(String);

impl BranchName {
    /// Validate a branch name.
    pub fn new(name: &str) -> Result<Self, StoreError> {
        let n = name.trim();
        // git's ref-name rules (git check-ref-format), so a stored run's branch is one git has.
        let bad = n.is_empty()
            || n.chars()
                .any(|c| c.is_control() || c.is_whitespace() || "~^:?*[\\".contains(c))
            || n.contains("@{")
            || n.contains("..")
            || n.starts_with('-')
            || n.ends_with(".lock")
            || n.ends_with('.')
            || n.split('/')
                .any(|seg| seg.is_empty() || seg.starts_with('.'));
        if bad {
            return Err(StoreError::BadName {
                what: "branch",
                name: name.to_owned(),
            });
        }
        Ok(Self(n.to_owned()))
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BranchName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stored run, as listed (without loading its histograms).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRun {
    /// Branch it was stored under.
    pub branch: String,
    /// Scenario name.
    pub scenario: String,
    /// Run id.
    pub run_id: String,
    /// Start of the measured phase.
    pub started_at: String,
    /// Where it is (a path for the file store).
    pub location: String,
}

/// Store errors; each names what it was doing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading or writing failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// A stored run could not be read.
    #[error(transparent)]
    Result(#[from] ResultError),
    /// A file could not be written (nothing was left half-written).
    #[error(transparent)]
    Write(#[from] crate::atomic::WriteError),
    /// A name cannot be used.
    #[error("invalid {what} name {name:?} (git's branch-name rules: no spaces, `..`, `~^:?*[\\`, or empty segments)")]
    BadName {
        /// "branch" or "scenario".
        what: &'static str,
        /// The name.
        name: String,
    },
    /// Serialising a run failed.
    #[error("cannot serialise run: {0}")]
    Encode(#[from] serde_json::Error),
    /// A stored run is damaged.
    #[error("{what}: {detail}")]
    Corrupt {
        /// Which run.
        what: String,
        /// What is wrong.
        detail: String,
    },
    /// InfluxDB failed.
    #[error(transparent)]
    Influx(#[from] influx::InfluxError),
    /// Replaying the spool stopped at a file.
    #[error(
        "replay stopped at {}: {source} ({} file(s), {} point(s) delivered; {} file(s) still spooled)",
        file.display(), done.files, done.points, done.remaining
    )]
    Replay {
        /// The file that was not accepted.
        file: PathBuf,
        /// What was delivered before.
        done: spool::Replayed,
        /// Why.
        source: Box<StoreError>,
    },
}

impl StoreError {
    /// Whether the server refused the data itself (malformed points, a field type conflict, a
    /// body too large): sending the same data again can never succeed. Being unreachable,
    /// unauthorised or missing a database is not the data's fault.
    #[must_use]
    pub fn rejects_content(&self) -> bool {
        matches!(
            self,
            Self::Influx(influx::InfluxError::Status {
                status: 400 | 413 | 422,
                ..
            })
        )
    }
}

/// Where a run went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// A path, or a description of the place in the store.
    pub location: String,
    /// Set when the run did not reach the store but was kept locally (the spool): why, and how
    /// to send it later.
    pub warning: Option<String>,
}

/// A place runs are kept.
pub trait Store {
    /// Keep `run` under `branch` (its environment's commit is stored with it); says where.
    fn save(&self, branch: &BranchName, run: &RunResult) -> Result<Saved, StoreError>;

    /// What to call this store in messages (a directory, a server and database).
    fn describe(&self) -> String;

    /// The last `n` runs of `scenario` on `branch`, oldest first.
    fn baseline(
        &self,
        branch: &BranchName,
        scenario: &str,
        n: usize,
    ) -> Result<Vec<RunResult>, StoreError>;

    /// Every stored run with this id: the shards of a distributed run (one run otherwise).
    fn by_run_id(&self, run_id: &str) -> Result<Vec<RunResult>, StoreError>;

    /// Stored runs, optionally only of one branch and/or scenario, oldest first.
    fn list(
        &self,
        branch: Option<&BranchName>,
        scenario: Option<&str>,
    ) -> Result<Vec<StoredRun>, StoreError>;

    /// Delete all but the newest `keep` runs of each (branch, scenario) selected; returns how many
    /// were deleted.
    fn prune(
        &self,
        branch: Option<&BranchName>,
        scenario: Option<&str>,
        keep: usize,
    ) -> Result<usize, StoreError>;
}

/// The runs `prune --keep keep` deletes: all but the newest `keep` of each branch and scenario
/// (`runs` oldest first, as [`Store::list`] returns them).
pub fn to_prune(runs: &[StoredRun], keep: usize) -> Vec<&StoredRun> {
    let mut groups: std::collections::BTreeMap<(&str, &str), Vec<&StoredRun>> =
        std::collections::BTreeMap::new();
    for r in runs {
        groups.entry((&r.branch, &r.scenario)).or_default().push(r);
    }
    groups
        .into_values()
        .flat_map(|g| {
            let n = g.len().saturating_sub(keep);
            g.into_iter().take(n)
        })
        .collect()
}
