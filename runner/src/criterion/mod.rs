//! criterion results, gated like load scenarios.
//!
//! criterion measures a benchmark as ~100 *samples*, each a batch of `iters` iterations timed
//! together: only batch averages exist, never per-call latencies, so there is no p99 to gate.
//! What is gated is the **mean and the median time per iteration**. Each benchmark becomes a
//! [`RunResult`] (protocol `criterion`, scenario `criterion/<id>`, the samples in
//! [`RunResult::iterations`]), so it is stored like any run (file store or InfluxDB) and compared
//! by the same statistics engine: consecutive groups of [`SAMPLES_PER_TRIAL`] samples are the
//! trials ("batch means", which absorbs the correlation between neighbouring samples).

pub mod files;
pub mod messages;

use bench_core::result::{
    new_run_id, rfc3339, IterationSamples, RunMeta, RunResult, Summary, SCHEMA_VERSION,
};
use bench_core::stats::{Distribution, Trial};
use bench_core::Environment;

/// Protocol name of criterion runs.
pub const PROTOCOL: &str = "criterion";
/// Scenario-name prefix of criterion runs.
pub const PREFIX: &str = "criterion/";
/// Samples per trial: 100 samples (criterion's default) give 5 trials per run, and 20 samples
/// leave 10 beyond the median, which the median comparison needs.
pub const SAMPLES_PER_TRIAL: usize = 20;

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
        let iterations: f64 = self.samples.iters.iter().sum();
        let per_iter = self.samples.per_iteration_ns();
        let mean_us = if per_iter.is_empty() {
            0.0
        } else {
            per_iter.iter().sum::<f64>() / per_iter.len() as f64 / 1e3
        };
        let mut summary = Summary {
            requests: iterations as u64,
            rps: if total_ns > 0.0 {
                iterations / (total_ns / 1e9)
            } else {
                0.0
            },
            ..Summary::default()
        };
        summary.latency_us.mean = mean_us;
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
                    // Strict: the interval only holds this run's noise, not the drift between
                    // runs (docs/cargo-bench.md).
                    "gate": { "metrics": ["mean", "p50"], "rule": "strict" },
                }),
                environment,
                shard: None,
                trial: None,
            },
            started_at: rfc3339(std::time::SystemTime::now()),
            duration_s: total_ns / 1e9,
            cancelled: false,
            summary,
            histograms: bench_core::result::Histograms::default(),
            requests: Vec::new(),
            timeline: Vec::new(),
            slo: Vec::new(),
            iterations: Some(self.samples.clone()),
            saturation: None,
            service: None,
        }
    }
}

/// The trials of a criterion run: per-iteration times (µs, the unit of every latency in a
/// verdict) in consecutive groups of [`SAMPLES_PER_TRIAL`]; a short remainder joins the last
/// group.
#[must_use]
pub fn trials(samples: &IterationSamples) -> Vec<Trial> {
    let per_iter: Vec<f64> = samples
        .per_iteration_ns()
        .into_iter()
        .map(|ns| ns / 1e3)
        .collect();
    let mut groups: Vec<&[f64]> = per_iter.chunks(SAMPLES_PER_TRIAL).collect();
    if groups.len() > 1 && groups.last().is_some_and(|g| g.len() < SAMPLES_PER_TRIAL) {
        groups.pop();
        let start = (groups.len() - 1) * SAMPLES_PER_TRIAL;
        if let Some(last) = groups.last_mut() {
            *last = &per_iter[start..];
        }
    }
    groups
        .into_iter()
        .filter_map(|g| Distribution::from_samples(g).ok())
        .map(Trial::from_distribution)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_become_trials_of_twenty_with_the_remainder_in_the_last() {
        let s = IterationSamples {
            iters: (1..=105).map(f64::from).collect(),
            times_ns: (1..=105).map(|i| f64::from(i) * 2_000.0).collect(),
        };
        let t = trials(&s);
        assert_eq!(t.len(), 5);
        assert_eq!(t.iter().map(|t| t.dist.len()).sum::<u64>(), 105);
        assert_eq!(t[4].dist.len(), 25);
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
        assert_eq!(run.summary.requests, 5565);
        assert!((run.summary.latency_us.mean - 2.0).abs() < 1e-9);
    }
}
