//! What a report needs from the runs behind a verdict, carried in the verdict itself.
//!
//! A verdict file must be enough to render the full report (`tailguard report VERDICT.json`),
//! also in a later workflow that has only the artifact (fork pull requests post their comment
//! from a `workflow_run` job). So each compared scenario carries, per side, a compact summary of
//! its trials: the merged CO-correct HDR histogram (V2-deflate, base64; a few KB), the timeline
//! merged by second across trials (per-second p50/p99 and mean throughput, numbers only), the SLO
//! checks of every trial, the configuration and environment of the last trial, and the
//! saturation curve of a step-load run. Histograms merge exactly, so the merged side is the same
//! distribution the gate's pooled view would have.

use bench_core::environment::Environment;
use bench_core::histogram::LatencyHistogram;
use bench_core::result::{Measurement, MeasurementSum, RunResult};
use bench_core::saturation::RequirementCheck;
use bench_core::steps::Dimension;
use bench_core::timeline::TimelineSum;
use serde::{Deserialize, Serialize};

/// Both sides of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The baseline trials.
    pub baseline: Side,
    /// The candidate trials.
    pub candidate: Side,
}

/// The trials of one side, summarised.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Side {
    /// One line per trial.
    pub trials: Vec<TrialFacts>,
    /// Every trial's CO-correct latency histogram merged (absent for micro-benchmarks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<LatencyHistogram>,
    /// Second i of every trial merged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<Second>,
    /// Each SLO with its outcome in every trial.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slo: Vec<SloOutcome>,
    /// The last trial's effective configuration (secrets removed when it was recorded).
    #[serde(default)]
    pub config: serde_json::Value,
    /// The last trial's environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    /// The last saturation trial's curve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saturation: Option<Curve>,
}

/// One trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialFacts {
    /// Run id.
    pub run_id: String,
    /// Start of the measured phase (RFC 3339).
    pub started_at: String,
    /// Measured seconds.
    pub duration_s: f64,
    /// Calls (none in a micro-benchmark).
    pub requests: u64,
    /// Achieved rate (req/s).
    pub rps: f64,
    /// Failed calls.
    pub errors: u64,
    /// CO-correct p99 (µs); `None` for a micro-benchmark, which has no per-call latencies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p99_us: Option<u64>,
    /// A micro-benchmark's iterations, over all its samples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u64>,
    /// Commit, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// One second of a side's merged timeline (whole seconds of the measured phase only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Second {
    /// Seconds since the measurement started.
    pub second: u64,
    /// Calls completed in this second, averaged over the trials that reached it (req/s).
    pub rps: f64,
    /// Median latency of the second, all trials merged (µs).
    pub p50_us: u64,
    /// 99th percentile latency of the second, all trials merged (µs).
    pub p99_us: u64,
    /// Failed calls in this second, all trials.
    pub errors: u64,
}

/// An SLO across a side's trials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloOutcome {
    /// The threshold as written.
    pub slo: String,
    /// Measured value per trial, as the check printed it.
    pub actual: Vec<String>,
    /// Trials in which it held.
    pub passed: usize,
}

/// The saturation curve of a step-load run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Curve {
    /// What was stepped.
    pub dimension: Dimension,
    /// Per step.
    pub steps: Vec<CurveStep>,
    /// The highest sustained level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saturation_level: Option<f64>,
    /// Where latency starts to queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knee_level: Option<f64>,
    /// The finding in one sentence.
    pub headline: String,
    /// The scenario's `must_sustain`, checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirement: Option<RequirementCheck>,
}

/// One step of a curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurveStep {
    /// Offered rate or workers.
    pub level: f64,
    /// Achieved req/s.
    pub achieved_rps: f64,
    /// Successful req/s.
    pub goodput_rps: f64,
    /// CO-correct p99 (µs).
    pub p99_us: u64,
    /// Failed share of calls.
    pub error_rate: f64,
}

impl Evidence {
    /// Summarise both sides.
    #[must_use]
    pub fn of(baseline: &[RunResult], candidate: &[RunResult]) -> Self {
        Self {
            baseline: Side::of(baseline),
            candidate: Side::of(candidate),
        }
    }
}

impl Side {
    /// Summarise one side's trials: their measurements merged (second `s` of every trial
    /// together), as [`MeasurementSum`] merges any measurements.
    #[must_use]
    pub fn of(runs: &[RunResult]) -> Self {
        let mut sum = MeasurementSum::default();
        for r in runs {
            let Some(m) = r.measurement() else { continue };
            // The last partial second holds only the stragglers after the measured end.
            let full =
                |second: u64| (second + 1) as f64 <= r.duration_s + 0.05 || r.duration_s < 1.0;
            let trial = Measurement {
                timeline: m
                    .timeline
                    .iter()
                    .filter(|p| full(p.second))
                    .cloned()
                    .collect(),
                ..m.clone()
            };
            // A point whose histogram cannot be read still counts its calls: the chart is drawn.
            let _unreadable = sum.add(&trial, 0);
        }
        let latency = sum.histograms().latency.clone();
        let last = runs.last();
        Self {
            trials: runs.iter().map(TrialFacts::of).collect(),
            latency: (!latency.is_empty()).then_some(latency),
            timeline: seconds(&sum.timeline),
            slo: slo_outcomes(runs),
            config: last.map(|r| r.meta.config.clone()).unwrap_or_default(),
            environment: last.map(|r| r.meta.environment.clone()),
            saturation: runs.iter().rev().find_map(Curve::of),
        }
    }
}

impl TrialFacts {
    fn of(r: &RunResult) -> Self {
        let s = r.summary();
        Self {
            run_id: r.meta.run_id.clone(),
            started_at: r.started_at.clone(),
            duration_s: r.duration_s,
            requests: s.map_or(0, |s| s.requests),
            rps: s.map_or(0.0, |s| s.rps),
            errors: s.map_or(0, |s| s.errors),
            p99_us: s.map(|s| s.latency_us.p99),
            iterations: r.iterations().map(|i| i.iters.iter().sum::<f64>() as u64),
            commit: r.meta.environment.git_commit.clone(),
        }
    }
}

impl Curve {
    fn of(r: &RunResult) -> Option<Self> {
        let sat = r.saturation()?;
        Some(Self {
            dimension: sat.dimension,
            steps: sat
                .steps
                .iter()
                .map(|s| CurveStep {
                    level: s.level,
                    achieved_rps: s.achieved_rps,
                    goodput_rps: s.goodput_rps(),
                    p99_us: s.summary.latency_us.p99,
                    error_rate: s.summary.error_rate,
                })
                .collect(),
            saturation_level: sat.analysis.saturation_level,
            knee_level: sat.analysis.knee_level,
            headline: sat.analysis.headline.clone(),
            requirement: sat.requirement.clone(),
        })
    }
}

/// The merged seconds, the rate a mean over the trials that reached each second.
fn seconds(sum: &TimelineSum) -> Vec<Second> {
    sum.seconds
        .iter()
        .map(|(&second, a)| Second {
            second,
            rps: a.requests as f64 / a.parts.max(1) as f64,
            p50_us: a.latency.quantile_us(0.50),
            p99_us: a.latency.quantile_us(0.99),
            errors: a.errors,
        })
        .collect()
}

fn slo_outcomes(runs: &[RunResult]) -> Vec<SloOutcome> {
    let mut out: Vec<SloOutcome> = Vec::new();
    for check in runs.iter().flat_map(|r| &r.slo) {
        let i = match out.iter().position(|o| o.slo == check.slo) {
            Some(i) => i,
            None => {
                out.push(SloOutcome {
                    slo: check.slo.clone(),
                    actual: Vec::new(),
                    passed: 0,
                });
                out.len() - 1
            }
        };
        out[i].actual.push(check.actual.clone());
        out[i].passed += usize::from(check.passed);
    }
    out
}
