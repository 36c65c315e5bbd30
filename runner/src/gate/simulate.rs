//! Simulated trials for the offline calibration of the gate (`tailguard calibrate
//! --simulate`): the statistics, the looks, the order and the judgement are the real ones; only
//! the trials are drawn instead of measured.
//!
//! Model of a shared CI runner at per-trial noise σ on the latency level: pair `i` has a slow
//! drift `D_i ~ N(0, σ²/2)` that both of its trials share (a noisy neighbour), each trial an
//! independent `E ~ N(0, σ²/2)`, so a trial's log level has sd σ and one pair's log ratio
//! has sd σ too. A trial records `requests` latencies `1 ms · exp(0.2·Z)` times its level (and
//! times `1 + change` on the candidate side) into an HDR histogram, so p95 and p99 carry their
//! own sampling noise (≈ 1–2 % at 2 000 requests) on top.

use bench_core::histogram::LatencyHistogram;
use bench_core::result::{
    Histograms, Measurement, RunKind, RunMeta, RunResult, Summary, SCHEMA_VERSION,
};
use bench_core::Environment;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::trials::{Side, TrialSource};
use super::TrialFailure;

/// Simulated trials of one scenario.
#[derive(Debug)]
pub struct Simulated {
    /// Per-trial sd of the log latency level.
    pub noise: f64,
    /// True relative change of every candidate latency (0.2 = +20 %).
    pub change: f64,
    /// Requests per trial.
    pub requests: u64,
    rng: SmallRng,
    drift: Vec<f64>,
}

impl Simulated {
    /// A source with its own seed.
    #[must_use]
    pub fn new(noise: f64, change: f64, requests: u64, seed: u64) -> Self {
        Self {
            noise,
            change,
            requests,
            rng: SmallRng::seed_from_u64(seed),
            drift: Vec::new(),
        }
    }

    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.rng.random::<f64>();
        let u2: f64 = self.rng.random();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

impl TrialSource for Simulated {
    fn plans(&self) -> usize {
        1
    }

    fn trial(&mut self, _plan: usize, side: Side, pair: usize) -> Result<RunResult, TrialFailure> {
        let half = self.noise / std::f64::consts::SQRT_2;
        while self.drift.len() <= pair {
            let d = half * self.normal();
            self.drift.push(d);
        }
        let mut level = (self.drift[pair] + half * self.normal()).exp();
        if side == Side::Candidate {
            level *= 1.0 + self.change;
        }
        let mut h = LatencyHistogram::new();
        for _ in 0..self.requests {
            let us = 1000.0 * level * (0.2 * self.normal()).exp();
            h.record_us(us.round().max(1.0) as u64);
        }
        Ok(run(h, self.requests, side, pair))
    }

    fn interrupted(&self) -> bool {
        false
    }
}

fn run(h: LatencyHistogram, requests: u64, side: Side, pair: usize) -> RunResult {
    RunResult {
        schema_version: SCHEMA_VERSION,
        meta: RunMeta {
            run_id: format!("sim-{}-{pair}", side.name()),
            scenario: "calibration".into(),
            protocol: "simulated".into(),
            config: serde_json::json!({}),
            environment: Environment::default(),
            shard: None,
            trial: u32::try_from(pair).ok(),
            gate: Default::default(),
        },
        started_at: String::new(),
        duration_s: 1.0,
        cancelled: false,
        service: None,
        generator: None,
        slo: Vec::new(),
        kind: RunKind::load(Measurement {
            summary: Summary {
                requests,
                rps: requests as f64,
                ..Summary::default()
            },
            histograms: Histograms {
                latency: h.clone(),
                service_time: h,
                first_message: None,
            },
            requests: Vec::new(),
            timeline: Vec::new(),
        }),
    }
}
