//! Instruction counts: gungraun (Valgrind Callgrind) benchmark summaries, stored as runs and
//! gated against main with plain relative thresholds.
//!
//! A Callgrind count is deterministic for one binary, one input and one Valgrind version: it does
//! not move with machine load, so there are no trials and no statistics. A benchmark's change is
//! `candidate / baseline − 1` per metric, and a metric with a threshold fails beyond it. Counts
//! from different Valgrind versions are not comparable at all (the instrumentation differs); the
//! comparison is then refused rather than reported as a regression. Cache metrics (L1/LL hits and
//! misses, estimated cycles) also depend on the simulated caches, which Callgrind takes from the
//! host's CPU: they are compared only when both sides simulated the same caches.

pub mod compare;
pub mod summary;

use bench_core::result::{new_run_id, rfc3339, RunKind, RunMeta, RunResult, SCHEMA_VERSION};
use bench_core::scenario::gate::GateSection;
use bench_core::Environment;

/// Protocol name of instruction-count runs.
pub const PROTOCOL: &str = "instructions";
/// Scenario-name prefix of instruction-count runs.
pub const PREFIX: &str = "instructions/";

/// One benchmark's counts, as read from its summary or a stored run.
pub use bench_core::result::InstructionCounts as Benchmark;

/// Whether `metric` depends on the simulated caches.
#[must_use]
pub fn is_cache_metric(metric: &str) -> bool {
    !matches!(
        metric,
        "Ir" | "Dr" | "Dw" | "TotalRW" | "SysCount" | "SysTime" | "SysCpuTime"
    ) && !metric.starts_with('B')
}

/// The benchmark as a run, to store (kind `instructions`).
#[must_use]
pub fn to_run(b: &Benchmark, environment: Environment) -> RunResult {
    RunResult {
        schema_version: SCHEMA_VERSION,
        meta: RunMeta {
            run_id: new_run_id(),
            scenario: format!("{PREFIX}{}", b.id),
            protocol: PROTOCOL.into(),
            config: serde_json::json!({
                "instructions": { "id": b.id, "source": b.source },
            }),
            environment,
            shard: None,
            trial: None,
            gate: GateSection::default(),
        },
        started_at: rfc3339(std::time::SystemTime::now()),
        duration_s: 0.0,
        cancelled: false,
        slo: Vec::new(),
        kind: RunKind::Instructions {
            instructions: b.clone(),
        },
        service: None,
        generator: None,
    }
}

/// The benchmark stored in `run` by [`to_run`].
///
/// # Errors
/// When the run is not an instruction-count run.
pub fn from_run(run: &RunResult) -> Result<&Benchmark, InstructionsError> {
    run.instructions()
        .ok_or_else(|| InstructionsError::NotInstructions {
            run_id: run.meta.run_id.clone(),
            scenario: run.meta.scenario.clone(),
            kind: run.kind.name(),
        })
}

/// Why stored runs or `--threshold`s cannot be used by the instruction-count gate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstructionsError {
    /// A stored run of another kind.
    #[error("stored run {run_id} ({scenario}) is a {kind} run, not an instruction-count run")]
    NotInstructions {
        /// The run.
        run_id: String,
        /// Its scenario.
        scenario: String,
        /// Its kind.
        kind: &'static str,
    },
    /// A `--threshold` without `=`.
    #[error("--threshold {spec:?}: expected METRIC=PERCENT, e.g. Ir=1%")]
    ThresholdSyntax {
        /// The argument as given.
        spec: String,
    },
    /// A `--threshold` whose percentage does not parse.
    #[error("--threshold {spec:?}: {source}")]
    ThresholdPercent {
        /// The argument as given.
        spec: String,
        /// Why.
        source: bench_core::scenario::gate::GateError,
    },
    /// A negative or infinite `--threshold`.
    #[error("--threshold {spec:?}: must be 0% or more")]
    ThresholdRange {
        /// The argument as given.
        spec: String,
    },
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn a_benchmark_survives_the_round_trip_through_a_run() {
        let b = Benchmark {
            id: "f::g::h.x".into(),
            metrics: BTreeMap::from([("Ir".into(), 1234.0), ("D1mr".into(), 5.0)]),
            valgrind: "3.19.0".into(),
            caches: Some("I1 cache: 32768 B, 64 B, 8-way associative".into()),
            source: "s".into(),
        };
        let run = to_run(&b, Environment::default());
        assert_eq!(run.meta.scenario, "instructions/f::g::h.x");
        assert!(run.summary().is_none(), "no load summary made up");
        let back = RunResult::from_json(&run.to_json().unwrap(), "mem").unwrap();
        assert_eq!(from_run(&back).unwrap(), &b);
        let mut other = run.clone();
        other.kind = RunKind::Micro {
            iterations: Default::default(),
        };
        assert!(from_run(&other)
            .unwrap_err()
            .to_string()
            .contains("is a micro run, not an instruction-count run"));
        assert!(is_cache_metric("EstimatedCycles") && is_cache_metric("D1mr"));
        assert!(!is_cache_metric("Ir"));
    }
}
