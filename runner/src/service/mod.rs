//! The service under test as the gate sees it: started by the gate (`--baseline-cmd`,
//! `--candidate-cmd`) or given by pid, and what it spends per trial (CPU time over its process
//! tree, CPU µs per request, peak RSS, context switches).

pub mod process;
pub mod ready;
pub mod sides;
pub mod usage;

use bench_core::result::RunResult;
use bench_core::scenario::gate::GateSection;
use bench_core::stats::Metric;

/// Whether every run of both sides measured its service's CPU per request.
#[must_use]
pub fn measured(baseline: &[RunResult], candidate: &[RunResult]) -> bool {
    !baseline.is_empty()
        && !candidate.is_empty()
        && baseline
            .iter()
            .chain(candidate)
            .all(|r| r.service.is_some_and(|s| s.cpu_us_per_request.is_some()))
}

/// When both sides measured their service, CPU per request is reported and, unless the gate
/// names its metrics itself, gated (threshold: the ratio threshold, 10 % by default).
pub fn add_cpu_metric(
    baseline: &[RunResult],
    candidate: &[RunResult],
    gate: &GateSection,
    metrics: &mut Vec<Metric>,
    gated: &mut Vec<Metric>,
) {
    if !measured(baseline, candidate) || metrics.contains(&Metric::CpuPerRequest) {
        return;
    }
    metrics.push(Metric::CpuPerRequest);
    if gate.metrics.is_none() {
        gated.push(Metric::CpuPerRequest);
    }
}
