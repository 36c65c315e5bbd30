//! What kind of run a result is, with what each kind measured: a load run and a step load
//! carry a [`Measurement`] (a step load's covers all its steps together, beside the per-step
//! record); a micro-benchmark (criterion) carries its iteration samples and an instruction-count
//! run (gungraun) its counts. Only batch averages and counts exist for those two: they have no
//! load summary, no latency percentiles.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Measurement, Saturation};

/// The kind of a run, written as `"kind": "load" | "steps" | "micro" | "instructions"` beside
/// its own fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RunKind {
    /// Calls at a rate or by workers, measured per call.
    Load {
        /// What was measured (written flat: `summary`, `histograms`, `requests`, `timeline`).
        #[serde(flatten)]
        measurement: Box<Measurement>,
    },
    /// A step load: the offered rate or the workers raised step by step.
    Steps {
        /// All the steps together.
        #[serde(flatten)]
        measurement: Box<Measurement>,
        /// Per-step results and their analysis.
        saturation: Box<Saturation>,
    },
    /// A micro-benchmark (criterion): batch timings, no per-call latencies.
    Micro {
        /// The timing samples.
        iterations: IterationSamples,
    },
    /// Instruction counts of one benchmark (Valgrind Callgrind, via gungraun): deterministic
    /// counts, no timings.
    Instructions {
        /// The counts.
        instructions: InstructionCounts,
    },
}

impl RunKind {
    /// `load`, `steps`, `micro` or `instructions`, as written.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Load { .. } => "load",
            Self::Steps { .. } => "steps",
            Self::Micro { .. } => "micro",
            Self::Instructions { .. } => "instructions",
        }
    }

    /// A load run of `measurement`.
    #[must_use]
    pub fn load(measurement: Measurement) -> Self {
        Self::Load {
            measurement: Box::new(measurement),
        }
    }
}

/// One benchmark's instruction counts, as gungraun's Callgrind summary gives them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InstructionCounts {
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

/// A micro-benchmark's samples as criterion measures them: sample `i` ran `iters[i]` iterations
/// in `times_ns[i]` nanoseconds. Only batch averages exist; there are no per-call latencies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IterationSamples {
    /// Iterations per sample.
    pub iters: Vec<f64>,
    /// Total time of each sample (ns).
    pub times_ns: Vec<f64>,
}

impl IterationSamples {
    /// Mean time per iteration of each sample (ns), skipping samples without iterations.
    #[must_use]
    pub fn per_iteration_ns(&self) -> Vec<f64> {
        self.iters
            .iter()
            .zip(&self.times_ns)
            .filter(|(n, _)| **n > 0.0)
            .map(|(n, t)| t / n)
            .collect()
    }
}
