//! Deterministic runs and verdicts for the report tests: synthetic latencies (a body of 5–7 ms
//! and a 2 % tail of 30–35 ms, scaled per side), per-second timelines, SLO checks and
//! saturation steps, compared by the real engine (`gate::judge`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use bench_core::histogram::LatencyHistogram;
use bench_core::result::{
    Histograms, Measurement, Percentiles, RunKind, RunMeta, RunResult, Summary,
};
use bench_core::saturation::{Criteria, Saturation, StepResult};
use bench_core::scenario::gate::GateSection;
use bench_core::scenario::slo::Slo;
use bench_core::steps::Dimension;
use bench_core::timeline::TimelinePoint;
use bench_core::Environment;
use tailguard::gate::{judge, Judging};
use tailguard::verdict::VerdictReport;

/// Requests per second of a synthetic run.
const RATE: u64 = 400;

/// A small deterministic generator (64-bit LCG), so fixtures never depend on `rand`'s streams.
struct Lcg(u64);

impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn latency_us(rng: &mut Lcg, scale: f64) -> u64 {
    let base = if rng.unit() < 0.02 {
        30_000.0 + 5_000.0 * rng.unit()
    } else {
        5_000.0 + 2_000.0 * rng.unit()
    };
    (base * scale) as u64
}

fn summary(h: &LatencyHistogram, requests: u64, errors: u64, secs: f64) -> Summary {
    Summary {
        requests,
        errors,
        error_rate: errors as f64 / requests.max(1) as f64,
        rps: requests as f64 / secs,
        target_rps: Some(RATE as f64),
        latency_us: Percentiles::of(h),
        service_time_us: Percentiles::of(h),
        statuses: [("200".to_owned(), requests - errors)]
            .into_iter()
            .collect(),
        ..Summary::default()
    }
}

fn environment(branch: &str) -> Environment {
    Environment {
        host: "ci-runner".into(),
        os: "linux-x86_64".into(),
        cores: 4,
        tool_version: "0.1.0".into(),
        git_commit: Some(format!("{:0<40}", branch.len())),
        git_branch: Some(branch.into()),
        ..Environment::default()
    }
}

/// One trial of `scenario` on `branch`: `seconds` at 400 req/s, latencies times `scale`.
pub fn run(scenario: &str, branch: &str, trial: u32, scale: f64, seconds: u64) -> RunResult {
    let mut rng = Lcg(u64::from(trial) * 7919 + branch.len() as u64 * 104_729 + 17);
    let mut total = LatencyHistogram::new();
    let mut timeline = Vec::new();
    for second in 0..seconds {
        let mut h = LatencyHistogram::new();
        for _ in 0..RATE {
            h.record_us(latency_us(&mut rng, scale));
        }
        total.merge(&h);
        timeline.push(TimelinePoint::from_histogram(second, &h, RATE, 0, RATE * 100).unwrap());
    }
    let secs = seconds as f64;
    let mut r = RunResult {
        schema_version: bench_core::result::SCHEMA_VERSION,
        meta: RunMeta {
            run_id: format!("{branch}-{scenario}-{trial}"),
            scenario: scenario.into(),
            protocol: "http".into(),
            config: serde_json::json!({
                "name": scenario,
                "target": "http://127.0.0.1:8080",
                "load": { "model": "open", "rate": RATE, "duration": format!("{seconds}s") },
                "slo": ["p99 < 40ms"],
                "gate": {},
            }),
            environment: environment(branch),
            shard: None,
            trial: Some(trial),
            gate: Default::default(),
        },
        started_at: format!("2026-11-23T10:0{trial}:00.000Z"),
        duration_s: secs,
        cancelled: false,
        slo: Vec::new(),
        kind: RunKind::load(Measurement {
            summary: summary(&total, RATE * seconds, 0, secs),
            histograms: Histograms {
                latency: total.clone(),
                service_time: total,
                first_message: None,
            },
            requests: Vec::new(),
            timeline,
        }),
        service: None,
        generator: None,
    };
    let slo: Slo = "p99 < 40ms".parse().unwrap();
    r.slo = vec![slo.check(r.measurement().unwrap())];
    r
}

/// `n` trials per side; the candidate's latencies times `scale`.
pub fn verdict(scenarios: &[&str], n: u32, scale: f64) -> VerdictReport {
    let mut base = Vec::new();
    let mut cand = Vec::new();
    for s in scenarios {
        for t in 0..n {
            base.push(run(s, "main", t, 1.0, 5));
            cand.push(run(s, "feature", t, scale, 5));
        }
    }
    judge(
        base,
        cand,
        &GateSection::default(),
        Judging::default(),
        "store:main",
    )
    .unwrap()
}

/// A saturation run stepping 100..=400 req/s whose p99 explodes beyond `capacity` req/s.
pub fn saturation_run(branch: &str, capacity: f64) -> RunResult {
    let mut rng = Lcg(branch.len() as u64);
    let mut steps = Vec::new();
    let mut all = LatencyHistogram::new();
    for level in [100.0, 200.0, 300.0, 400.0] {
        let scale = if level > capacity { 40.0 } else { 1.0 };
        let mut h = LatencyHistogram::new();
        let n = level as u64 * 5;
        for _ in 0..n {
            h.record_us(latency_us(&mut rng, scale));
        }
        all.merge(&h);
        let achieved = if level > capacity { capacity } else { level };
        steps.push(StepResult {
            level,
            achieved_rps: achieved,
            summary: summary(&h, n, 0, 5.0),
            latency: h,
        });
    }
    let criteria = Criteria {
        slos: vec!["p99 < 100ms".parse().unwrap()],
        tolerance: 0.05,
    };
    let mut r = run("pool", branch, 0, 1.0, 4);
    r.measurement_mut().unwrap().histograms.latency = all;
    r.into_steps(tailguard::report::finding::worded(Saturation::new(
        Dimension::Rate,
        steps,
        &criteria,
        None,
        None,
    )))
}

/// The capacity gate: the candidate saturates one step earlier than main.
pub fn saturation_verdict() -> VerdictReport {
    judge(
        vec![saturation_run("main", 300.0)],
        vec![saturation_run("feature", 200.0)],
        &GateSection::default(),
        Judging::default(),
        "store:main",
    )
    .unwrap()
}
