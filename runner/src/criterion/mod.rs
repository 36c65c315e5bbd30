//! criterion results, gated like load scenarios.
//!
//! criterion measures a benchmark as ~100 *samples*, each a batch of `iters` iterations timed
//! together: only batch averages exist, never per-call latencies, so there is no p99 to gate.
//! What is gated is the **mean and the median time per iteration**. Each benchmark becomes a
//! [`RunResult`] (protocol `criterion`, scenario `criterion/<id>`, the samples in
//! [`RunResult::iterations`]), so it is stored like any run (file store or InfluxDB) and compared
//! by the same statistics engine. **One `cargo bench` run is one trial** (its samples' mean and
//! median): the run-to-run variance, the dominant noise on CI, is then in the interval, and
//! batches within a run are never trials. Several runs per side come from criterion's named
//! baselines (`--save-baseline main-1 … main-5`), run interleaved by `.ci/criterion-ab`.

pub mod error;
pub mod files;
pub mod messages;

pub use error::CriterionError;

use bench_core::result::{
    new_run_id, rfc3339, IterationSamples, RunKind, RunMeta, RunResult, SCHEMA_VERSION,
};
use bench_core::scenario::gate::GateSection;
use bench_core::stats::{Distribution, Trial};
use bench_core::Environment;

/// Protocol name of criterion runs.
pub const PROTOCOL: &str = "criterion";
/// Scenario-name prefix of criterion runs.
pub const PREFIX: &str = "criterion/";
/// One benchmark's samples, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Benchmark {
    /// criterion's full id, e.g. `histogram/record`.
    pub id: String,
    /// The samples.
    pub samples: IterationSamples,
    /// Where they were read from.
    pub source: String,
    /// criterion's own point estimates of the mean and median time per iteration (ns).
    pub estimates: Option<(f64, f64)>,
}

impl Benchmark {
    /// The benchmark as a run, to store and compare.
    #[must_use]
    pub fn to_run(&self, environment: Environment) -> RunResult {
        let total_ns: f64 = self.samples.times_ns.iter().sum();
        RunResult {
            schema_version: SCHEMA_VERSION,
            meta: RunMeta {
                run_id: new_run_id(),
                scenario: format!("{PREFIX}{}", self.id),
                protocol: PROTOCOL.into(),
                config: serde_json::json!({
                    "criterion": {
                        "id": self.id,
                        "source": self.source,
                        "mean_ns": self.estimates.map(|e| e.0),
                        "median_ns": self.estimates.map(|e| e.1),
                    },
                }),
                // One run is one trial: the interval holds the drift between runs.
                gate: GateSection {
                    metrics: Some(vec!["mean".into(), "p50".into()]),
                    ..GateSection::default()
                },
                environment,
                shard: None,
                trial: None,
            },
            started_at: rfc3339(std::time::SystemTime::now()),
            duration_s: total_ns / 1e9,
            cancelled: false,
            slo: Vec::new(),
            kind: RunKind::Micro {
                iterations: self.samples.clone(),
            },
            service: None,
            generator: None,
        }
    }
}

/// The trial of a criterion run: all its per-iteration times (µs, the unit of every latency in
/// a verdict). One run is one trial, never a batch of its samples.
#[must_use]
pub fn trial(samples: &IterationSamples) -> Vec<Trial> {
    let per_iter: Vec<f64> = samples
        .per_iteration_ns()
        .into_iter()
        .map(|ns| ns / 1e3)
        .collect();
    Distribution::from_samples(&per_iter)
        .ok()
        .filter(|d| !d.is_empty())
        .map(Trial::from_distribution)
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_one_trial() {
        let s = IterationSamples {
            iters: (1..=105).map(f64::from).collect(),
            times_ns: (1..=105).map(|i| f64::from(i) * 2_000.0).collect(),
        };
        let t = trial(&s);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].dist.len(), 105);
        assert!(
            (t[0].dist.mean().unwrap() - 2.0).abs() < 1e-12,
            "2 µs per iteration"
        );
        let run = Benchmark {
            id: "g/f".into(),
            samples: s,
            source: "x".into(),
            estimates: None,
        }
        .to_run(Environment::default());
        assert_eq!(run.meta.scenario, "criterion/g/f");
        // Its measurement is its samples: no load summary made up from them.
        assert_eq!(run.kind.name(), "micro");
        assert!(run.summary().is_none());
        assert_eq!(run.iterations().unwrap().iters.len(), 105);
    }
}
