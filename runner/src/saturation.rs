//! The verdict of a saturation run beyond its SLOs: whether it sustained anything at all, and
//! whether it met its `must_sustain` (running one is `session/steps.rs`; its chart is written by
//! `output.rs`).

use bench_core::result::RunResult;

/// Whether a saturation run sustained no level at all (its lowest step was already unhealthy):
/// it found no capacity, which is never a green run.
#[must_use]
pub fn sustained_nothing(result: &RunResult) -> bool {
    result
        .saturation()
        .and_then(|s| s.analysis.steps.first())
        .is_some_and(|step| !step.healthy)
}

/// Whether the run missed its `must_sustain`.
#[must_use]
pub fn requirement_failed(result: &RunResult) -> bool {
    result
        .saturation()
        .and_then(|s| s.requirement.as_ref())
        .is_some_and(|r| !r.passed)
}
