//! What kind of run a result is: a load run, a step load (saturation) or a micro-benchmark,
//! with what each kind has of its own. The summary, histograms and timeline of the run are
//! beside it in [`RunResult`](super::RunResult): a step load's cover all its steps together, a
//! micro-benchmark's are derived from its samples (iterations as calls, the mean time per
//! iteration as the mean latency; it has no percentiles of its own).

use serde::{Deserialize, Serialize};

use super::Saturation;

/// The kind of a run, written as `"kind": "load" | "steps" | "micro"` beside its own fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RunKind {
    /// Calls at a rate or by workers, measured per call.
    #[default]
    Load,
    /// A step load: the offered rate or the workers raised step by step.
    Steps {
        /// Per-step results and their analysis.
        saturation: Box<Saturation>,
    },
    /// A micro-benchmark (criterion): batch timings, no per-call latencies.
    Micro {
        /// The timing samples.
        iterations: IterationSamples,
    },
}

impl RunKind {
    /// `load`, `steps` or `micro`, as written.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Load => "load",
            Self::Steps { .. } => "steps",
            Self::Micro { .. } => "micro",
        }
    }
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
