//! [`SessionError`]: why the application layer could not do what a command asked.

use std::path::PathBuf;

use bench_core::driver::ConnectorError;
use bench_core::engine::EngineError;
use bench_core::result::ResultError;

use crate::admission::AdmissionError;
use crate::gate::JudgeError;
use crate::history::HistoryError;
use crate::output::OutputError;
use crate::store::influx::InfluxError;
use crate::store::StoreError;

/// Why a scenario could not be run, a run saved or a baseline found; every variant names the
/// flag, file or scenario it is about. All are bad input or a tool error (exit 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The scenario's target could not be prepared.
    #[error("scenario {}: {source}", path.display())]
    Connector {
        /// The scenario file.
        path: PathBuf,
        /// Why.
        source: ConnectorError,
    },
    /// The engine refused the run.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A saturation run was interrupted before its first step had run at all.
    #[error("the saturation run was stopped before any step")]
    NoStep,
    /// `--shard` with a saturation scenario.
    #[error("saturation scenarios cannot be sharded: their steps decide when to stop")]
    ShardedSteps,
    /// The result could not be redacted.
    #[error("redacting the result: {0}")]
    Redact(#[source] serde_json::Error),
    /// A store failed.
    #[error(transparent)]
    Store(Box<StoreError>),
    /// The InfluxDB configuration is unusable.
    #[error(transparent)]
    Influx(#[from] InfluxError),
    /// `--store influx` without a server.
    #[error("the InfluxDB store needs a server: pass --influx-url or set TAILGUARD_INFLUX_URL")]
    NoInfluxUrl,
    /// The InfluxDB 2.x API without an organisation.
    #[error("the InfluxDB 2.x API needs --influx-org (TAILGUARD_INFLUX_ORG)")]
    NoInfluxOrg,
    /// A file store directory to read baselines from that does not exist.
    #[error(
        "--store-dir {}: no such directory, so there is no baseline to read; check the path \
         (or TAILGUARD_STORE_DIR) and that the baseline artifact was downloaded",
        .0.display()
    )]
    NoStoreDir(PathBuf),
    /// No `--branch` and no git branch to take it from.
    #[error("cannot tell which branch this is (not a git checkout?); pass --branch")]
    NoBranch,
    /// `--commit-time` could not be read.
    #[error(
        "--commit-time {text:?}: {reason} (expected RFC 3339 UTC such as \
         2026-11-29T21:00:00Z, or Unix seconds as `git show -s --format=%ct` prints)"
    )]
    CommitTime {
        /// The flag's value.
        text: String,
        /// Why.
        reason: humantime::TimestampError,
    },
    /// A `--baseline` that must name stored runs but does not.
    #[error("--baseline {0:?}: expected store:BRANCH")]
    BaselineSpec(String),
    /// Stored runs could not be read.
    #[error("reading the stored runs of {scenario} on {branch}: {source}")]
    Reading {
        /// The scenario.
        scenario: String,
        /// The branch.
        branch: String,
        /// Why.
        source: Box<StoreError>,
    },
    /// A stored baseline's window could not be chosen.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// The runs cannot be compared as given.
    #[error(transparent)]
    Admission(#[from] AdmissionError),
    /// A result file could not be read.
    #[error(transparent)]
    Result(#[from] ResultError),
    /// The comparison could not be made.
    #[error(transparent)]
    Judge(#[from] JudgeError),
    /// The interleaved trials failed.
    #[error(transparent)]
    Trials(Box<dyn std::error::Error + Send + Sync>),
    /// Reporting to GitHub Actions failed.
    #[error(transparent)]
    Actions(Box<dyn std::error::Error + Send + Sync>),
    /// A file could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// `--out` or the store failed; the run is kept elsewhere.
    #[error("{failures}\nthe result is kept in {place}")]
    NotKept {
        /// What failed, one line each.
        failures: String,
        /// Where the run is.
        place: String,
    },
}

impl From<StoreError> for SessionError {
    fn from(e: StoreError) -> Self {
        Self::Store(Box::new(e))
    }
}
