//! `tailguard calibrate`: measure the gate itself. Against demo targets on loopback it runs many
//! interleaved A/B comparisons with the default settings and reports the false-alarm rate (same
//! build both sides) and the detection rate for injected p99 regressions, using the demo
//! target's tail-delay knob.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bench_core::scenario::gate::GateSection;
use bench_core::stats::Verdict;
use bench_core::{Cancel, Scenario};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use tailguard_demo::{DemoConfig, DemoServer};

use crate::cli::CalibrateArgs;
use crate::commands::run::execute;
use crate::signal::Stop;
use crate::gate::{Family, Judging};
use crate::verdict::compare_scenario;
use crate::Exit;

const DELAY_MS: f64 = 2.0;
const JITTER_MS: f64 = 1.0;
const TAIL_MS: f64 = 20.0;
/// 2 % of requests get the tail delay: p99 lies mid-tail, p95 in the body.
const TAIL_FRACTION: f64 = 0.02;

/// Outcome counts at one injected regression level.
#[derive(Debug, Clone, Serialize)]
pub struct LevelResult {
    /// Injected p99 regression in percent (0 = A/A).
    pub injected_pct: f64,
    /// Comparisons run.
    pub comparisons: usize,
    /// Verdict counts.
    pub fail: usize,
    /// Verdict counts.
    pub pass: usize,
    /// Verdict counts.
    pub inconclusive: usize,
    /// Mean estimated p99 change, in percent.
    pub mean_estimated_p99_change_pct: f64,
}

/// The calibration report.
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    /// Trials per side per comparison.
    pub trials: usize,
    /// Measured duration of each trial.
    pub trial_duration: String,
    /// Request rate of each trial.
    pub rate: f64,
    /// Seconds one comparison took on average.
    pub seconds_per_comparison: f64,
    /// Results, A/A first.
    pub levels: Vec<LevelResult>,
}

fn server(tail_ms: f64, seed: u64) -> anyhow::Result<DemoServer> {
    let cfg = DemoConfig {
        delay: Duration::from_secs_f64(DELAY_MS / 1000.0),
        jitter: Duration::from_secs_f64(JITTER_MS / 1000.0),
        tail_fraction: TAIL_FRACTION,
        tail_delay: Duration::from_secs_f64(tail_ms / 1000.0),
        seed: Some(seed),
        threads: 1,
        ..DemoConfig::default()
    };
    DemoServer::spawn(([127, 0, 0, 1], 0).into(), cfg).context("starting a demo target")
}

/// The tail delay that raises p99 by `pct` percent: p99 sits mid-tail, at about
/// delay + tail + jitter/2.
fn tail_for(pct: f64) -> f64 {
    let p99 = DELAY_MS + TAIL_MS + JITTER_MS / 2.0;
    p99 * (1.0 + pct / 100.0) - DELAY_MS - JITTER_MS / 2.0
}

fn scenario(url: &str, args: &CalibrateArgs) -> anyhow::Result<Scenario> {
    let text = format!(
        "name = \"calibration\"\ntarget = \"{url}\"\n[request]\npath = \"/\"\n[load]\nrate = {}\nduration = \"{}\"\nwarmup = \"300ms\"\nconnections = 32\n",
        args.rate, args.duration
    );
    Ok(Scenario::parse(
        &text,
        Path::new("calibration.toml"),
        &[],
        &|_| None,
    )?)
}

/// Run the command.
pub fn command(args: &CalibrateArgs) -> anyhow::Result<Exit> {
    let stop = Stop::watch();
    let cancel = stop.cancel();
    let mut rng = SmallRng::seed_from_u64(42);
    let baseline = server(TAIL_MS, 1)?;
    let base = scenario(&baseline.url(), args)?;
    let mut levels = Vec::new();
    let started = Instant::now();
    let mut comparisons = 0usize;
    let plan: Vec<(f64, usize)> = std::iter::once((0.0, args.aa))
        .chain(args.levels.iter().map(|l| (*l, args.ab)))
        .collect();
    for (pct, n) in plan {
        // A/A uses a second, identical server: the same build on both sides.
        let candidate = server(tail_for(pct), 2)?;
        let cand = scenario(&candidate.url(), args)?;
        let mut level = LevelResult {
            injected_pct: pct,
            comparisons: 0,
            fail: 0,
            pass: 0,
            inconclusive: 0,
            mean_estimated_p99_change_pct: 0.0,
        };
        let mut change_sum = 0.0;
        for i in 0..n {
            let (b, c) = interleaved(&base, &cand, args.trials, cancel, &mut rng)?;
            if cancel.is_cancelled() {
                return Ok(stop.exit());
            }
            let v = compare_scenario("calibration", &b, &c, &GateSection::default(), Judging { interleaved: true, look: None }, &Family::permissive())
                .map_err(anyhow::Error::msg)?;
            match v.verdict {
                Verdict::Fail => level.fail += 1,
                Verdict::Pass => level.pass += 1,
                Verdict::Inconclusive => level.inconclusive += 1,
            }
            let p99 = v
                .metrics
                .iter()
                .find(|m| m.comparison.metric.to_string() == "p99");
            change_sum += p99.and_then(|m| m.comparison.change).unwrap_or(0.0) * 100.0;
            level.comparisons += 1;
            comparisons += 1;
            eprintln!(
                "+{pct}%: comparison {}/{n}: {:?} (fail {}, pass {}, inconclusive {}){}",
                i + 1,
                v.verdict,
                level.fail,
                level.pass,
                level.inconclusive,
                v.reason.map(|r| format!(" — {r}")).unwrap_or_default()
            );
        }
        level.mean_estimated_p99_change_pct = change_sum / level.comparisons.max(1) as f64;
        levels.push(level);
    }
    let report = Calibration {
        trials: args.trials,
        trial_duration: args.duration.clone(),
        rate: args.rate,
        seconds_per_comparison: started.elapsed().as_secs_f64() / comparisons.max(1) as f64,
        levels,
    };
    println!(
        "{:>9} {:>12} {:>6} {:>6} {:>13} {:>10} {:>16}",
        "injected", "comparisons", "fail", "pass", "inconclusive", "fail rate", "mean est. change"
    );
    for l in &report.levels {
        println!(
            "{:>8}% {:>12} {:>6} {:>6} {:>13} {:>9.1}% {:>15.1}%",
            l.injected_pct,
            l.comparisons,
            l.fail,
            l.pass,
            l.inconclusive,
            100.0 * l.fail as f64 / l.comparisons.max(1) as f64,
            l.mean_estimated_p99_change_pct
        );
    }
    println!(
        "{:.1} s per comparison ({} trials per side)",
        report.seconds_per_comparison, report.trials
    );
    if let Some(out) = &args.out {
        crate::atomic::write(out, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("writing {}", out.display()))?;
    }
    Ok(Exit::Success)
}

/// Trials in B/C pairs, the order within each pair random.
fn interleaved(
    base: &Scenario,
    cand: &Scenario,
    trials: usize,
    cancel: &Cancel,
    rng: &mut SmallRng,
) -> anyhow::Result<(Vec<bench_core::RunResult>, Vec<bench_core::RunResult>)> {
    let (mut b, mut c) = (Vec::new(), Vec::new());
    for _ in 0..trials {
        let candidate_first: bool = rng.random();
        if candidate_first {
            c.push(execute(cand, cancel, true)?);
            b.push(execute(base, cancel, true)?);
        } else {
            b.push(execute(base, cancel, true)?);
            c.push(execute(cand, cancel, true)?);
        }
    }
    Ok((b, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injected_tail_scales_p99() {
        assert!((tail_for(0.0) - TAIL_MS).abs() < 1e-9);
        let p99 = DELAY_MS + TAIL_MS + JITTER_MS / 2.0;
        let raised = DELAY_MS + tail_for(50.0) + JITTER_MS / 2.0;
        assert!((raised / p99 - 1.5).abs() < 1e-9);
    }
}
