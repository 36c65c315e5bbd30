//! [`JudgeError`]: why a comparison cannot be made (its settings, never its data: missing or
//! unusable data is a verdict, not an error).

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
