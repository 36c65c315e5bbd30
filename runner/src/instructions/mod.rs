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

use std::collections::BTreeMap;

use bench_core::result::{new_run_id, rfc3339, RunMeta, RunResult, Summary, SCHEMA_VERSION};
use bench_core::Environment;
use serde::{Deserialize, Serialize};

/// Protocol name of instruction-count runs.
pub const PROTOCOL: &str = "instructions";
/// Scenario-name prefix of instruction-count runs.
pub const PREFIX: &str = "instructions/";

/// One benchmark's counts, as read from its summary or a stored run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Benchmark {
    /// `file::group::function` and the bench id, e.g. `instructions::hot_paths::hdr_record.thousand`.
    pub id: String,
    /// Callgrind's totals by gungraun's metric name (`Ir`, `EstimatedCycles`, `D1mr`, …).
    pub metrics: BTreeMap<String, f64>,
    /// Valgrind's version, e.g. `3.19.0`.
    pub valgrind: String,
    /// The simulated caches (Callgrind's `desc:` lines), when the cache simulation was on.
    #[serde(default)]
    pub caches: Option<String>,
    /// Where it was read from.
    pub source: String,
}

/// Whether `metric` depends on the simulated caches.
#[must_use]
pub fn is_cache_metric(metric: &str) -> bool {
    !matches!(
        metric,
        "Ir" | "Dr" | "Dw" | "TotalRW" | "SysCount" | "SysTime" | "SysCpuTime"
    ) && !metric.starts_with('B')
}

impl Benchmark {
    /// The benchmark as a run, to store: the counts are in the run's `config.instructions`.
    #[must_use]
    pub fn to_run(&self, environment: Environment) -> RunResult {
        RunResult {
            schema_version: SCHEMA_VERSION,
            meta: RunMeta {
                run_id: new_run_id(),
                scenario: format!("{PREFIX}{}", self.id),
                protocol: PROTOCOL.into(),
                config: serde_json::json!({ "instructions": self }),
                environment,
                shard: None,
                trial: None,
            },
            started_at: rfc3339(std::time::SystemTime::now()),
            duration_s: 0.0,
            cancelled: false,
            summary: Summary {
                requests: 1,
                ..Summary::default()
            },
            histograms: bench_core::result::Histograms::default(),
            requests: Vec::new(),
            timeline: Vec::new(),
            slo: Vec::new(),
            iterations: None,
            saturation: None,
            service: None,
            generator: None,
        }
    }

    /// The benchmark stored in `run` by [`Benchmark::to_run`].
    ///
    /// # Errors
    /// When the run is not an instruction-count run.
    pub fn from_run(run: &RunResult) -> Result<Self, InstructionsError> {
        let value = run.meta.config.get("instructions").ok_or_else(|| {
            InstructionsError::NotInstructions {
                run_id: run.meta.run_id.clone(),
                scenario: run.meta.scenario.clone(),
            }
        })?;
        serde_json::from_value(value.clone()).map_err(|source| InstructionsError::Stored {
            run_id: run.meta.run_id.clone(),
            scenario: run.meta.scenario.clone(),
            source,
        })
    }
}

/// Why stored runs or `--threshold`s cannot be used by the instruction-count gate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InstructionsError {
    /// A stored run of another kind.
    #[error(
        "stored run {run_id} ({scenario}) has no `config.instructions`: not an instruction-count run"
    )]
    NotInstructions {
        /// The run.
        run_id: String,
        /// Its scenario.
        scenario: String,
    },
    /// A stored run whose benchmark does not parse.
    #[error("stored run {run_id} ({scenario}): config.instructions: {source}")]
    Stored {
        /// The run.
        run_id: String,
        /// Its scenario.
        scenario: String,
        /// The parser's error.
        source: serde_json::Error,
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
        let run = b.to_run(Environment::default());
        assert_eq!(run.meta.scenario, "instructions/f::g::h.x");
        assert_eq!(Benchmark::from_run(&run).unwrap(), b);
        let mut other = run.clone();
        other.meta.config = serde_json::json!({});
        assert!(Benchmark::from_run(&other)
            .unwrap_err()
            .to_string()
            .contains("not an instruction-count run"));
        assert!(is_cache_metric("EstimatedCycles") && is_cache_metric("D1mr"));
        assert!(!is_cache_metric("Ir"));
    }
}
