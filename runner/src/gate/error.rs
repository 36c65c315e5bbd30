//! [`JudgeError`]: why a comparison cannot be made (its settings, never its data: missing or
//! unusable data is a verdict, not an error); [`TrialsError`]: why the trials stopped early.

use bench_core::scenario::gate::GateError;
use bench_core::stats::StatsError;

/// Why a gate cannot judge: a `[gate]` section or flag it cannot use, or settings the
/// statistics refuse; the scenario it was judging is named.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JudgeError {
    /// A `[gate]` section (overlaid with the flags) that does not resolve.
    #[error(transparent)]
    Gate(#[from] GateError),
    /// Settings the statistics refuse.
    #[error(transparent)]
    Stats(#[from] StatsError),
    /// One scenario's comparison failed.
    #[error("scenario {scenario}: {source}")]
    Scenario {
        /// The scenario's name.
        scenario: String,
        /// Why.
        source: Box<JudgeError>,
    },
}

/// Whatever stopped a trial, as its [`TrialSource`](super::trials::TrialSource) reports it
/// (a scenario that cannot run, a result that cannot be written, a service that exited): the
/// sources live in the commands, so the error stays theirs, chain and all.
pub type TrialFailure = Box<dyn std::error::Error + Send + Sync>;

/// Why [`trials::run`](super::trials::run) stopped without an outcome (the gate exits 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrialsError {
    /// A sequential design the statistics refuse.
    #[error(transparent)]
    Design(#[from] StatsError),
    /// A look whose judgement cannot be made.
    #[error(transparent)]
    Judge(#[from] JudgeError),
    /// A trial that could not run.
    #[error(transparent)]
    Trial(TrialFailure),
}
