//! `tailguard calibrate`: measure the gate itself, through the gate's own trial runner and
//! judgement (`gate::trials::run`, `gate::judge`). For each per-trial noise level and true p99
//! change it runs many gates — against two noisy demo targets on loopback, or with simulated
//! trials (`--simulate`) — and reports the verdict counts, the interval coverage, the trials
//! and the wall time; `--check` turns the targets of docs/statistics.md into the exit status.

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use bench_core::scenario::gate::GateSection;
use bench_core::stats::{Metric, Quantile, Sequential, Verdict};
use bench_core::{Cancel, RunResult, Scenario};
use serde::Serialize;
use tailguard_demo::{DemoConfig, DemoServer, Noise};

use crate::cli::CalibrateArgs;
use crate::gate::simulate::Simulated;
use crate::gate::trials::{self, Design, Outcome, Side, TrialSource};
use crate::gate::{judge, Judging};
use crate::session::execute::execute;
use crate::signal::Stop;
use crate::Exit;

const P99: Metric = Metric::Quantile(Quantile::P99);

/// One cell of the calibration: a noise level, a true change and a design.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Row {
    /// Per-trial noise in percent.
    pub noise_pct: f64,
    /// True p99 change in percent.
    pub change_pct: f64,
    /// `sequential 3..20` or `fixed 10`.
    pub design: String,
    /// Gates run.
    pub gates: usize,
    /// Verdict counts.
    pub fail: usize,
    /// Verdict counts.
    pub pass: usize,
    /// Verdict counts.
    pub inconclusive: usize,
    /// Share of the p99 intervals (at the stopping look) that contain the true change.
    pub coverage: f64,
    /// Mean pairs per gate.
    pub mean_pairs: f64,
    /// Mean wall time per gate, seconds.
    pub mean_wall_s: f64,
    /// Mean per-pair noise of p99 the gate measured (sd of the log ratio), percent.
    pub measured_noise_pct: f64,
    /// Mean minimum detectable p99 effect at the stopping look, percent.
    pub mean_mde_pct: f64,
}

/// The calibration report (`docs/calibration*.json`).
#[derive(Debug, Clone, Serialize)]
pub struct Calibration {
    /// `simulated` or `demo targets`.
    pub mode: String,
    /// The command line that produced it.
    pub command: String,
    /// Spending exponent and look growth of the sequential design.
    pub design: (f64, f64),
    /// Results.
    pub rows: Vec<Row>,
    /// Targets missed (empty: all met), with the sampling allowance of the gate counts.
    pub missed: Vec<String>,
}

/// Run the command.
pub fn command(args: &CalibrateArgs) -> anyhow::Result<Exit> {
    let stop = Stop::watch();
    let mut designs = vec![Sequential {
        min_pairs: args.trials,
        max_pairs: args.max_trials.max(args.trials),
    }];
    if args.fixed > 0 {
        designs.push(Sequential::fixed(args.fixed));
    }
    let mut rows = Vec::new();
    let mut seed = args.seed;
    for &noise in &args.noise {
        for &change in &args.levels {
            for design in &designs {
                let mut row = Row {
                    noise_pct: noise,
                    change_pct: change,
                    design: describe(design),
                    ..Row::default()
                };
                for _ in 0..args.gates {
                    seed = seed.wrapping_add(1);
                    let outcome = one_gate(args, *design, (noise, change), seed, stop.cancel())?;
                    if stop.cancel().is_cancelled() {
                        return Ok(stop.exit());
                    }
                    tally(&mut row, &outcome, change / 100.0);
                }
                finish(&mut row);
                eprintln!("{}", line(&row));
                rows.push(row);
            }
        }
    }
    let missed = missed(&rows, &describe(&designs[0]));
    let report = Calibration {
        mode: if args.simulate {
            "simulated"
        } else {
            "demo targets"
        }
        .into(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
        design: (Sequential::RHO, Sequential::GROWTH),
        rows,
        missed,
    };
    println!("{}", table(&report.rows));
    for m in &report.missed {
        println!("target missed: {m}");
    }
    if let Some(out) = &args.out {
        crate::output::json(out, &report)?;
    }
    Ok(if args.check && !report.missed.is_empty() {
        Exit::Failed
    } else {
        Exit::Success
    })
}

fn describe(d: &Sequential) -> String {
    if d.min_pairs == d.max_pairs {
        format!("fixed {}", d.min_pairs)
    } else {
        format!("sequential {}..{}", d.min_pairs, d.max_pairs)
    }
}

/// One gate through the real trial runner and judgement.
fn one_gate(
    args: &CalibrateArgs,
    sequential: Sequential,
    (noise, change): (f64, f64),
    seed: u64,
    cancel: &Cancel,
) -> anyhow::Result<Outcome> {
    let design = Design {
        sequential,
        budget: None,
        seed,
    };
    let how = |look| Judging {
        interleaved: true,
        look: Some(look),
    };
    let gate = GateSection::default();
    let judge = |b, c, look| judge(b, c, &gate, how(look), "calibration");
    let (noise, change) = (noise / 100.0, change / 100.0);
    if args.simulate {
        let mut source = Simulated::new(noise, change, args.requests, seed);
        return trials::run(&mut source, &design, &judge);
    }
    let mut source = Targets::start(args, (noise, change), seed, cancel)?;
    trials::run(&mut source, &design, &judge)
}

fn tally(row: &mut Row, outcome: &Outcome, change: f64) {
    let Some(report) = &outcome.report else {
        return;
    };
    row.gates += 1;
    match report.verdict {
        Verdict::Pass => row.pass += 1,
        Verdict::Fail => row.fail += 1,
        Verdict::Inconclusive => row.inconclusive += 1,
    }
    let p99 = report
        .scenarios
        .iter()
        .flat_map(|s| &s.metrics)
        .find(|m| m.comparison.metric == P99)
        .map(|m| &m.comparison);
    if let Some(c) = p99 {
        let covered =
            matches!((c.ci_low, c.ci_high), (Some(lo), Some(hi)) if lo <= change && change <= hi);
        row.coverage += f64::from(u8::from(covered));
        row.measured_noise_pct += c.noise.unwrap_or(0.0).exp_m1() * 100.0;
        row.mean_mde_pct += c.mde.unwrap_or(0.0) * 100.0;
    }
    row.mean_pairs += outcome.trials.pairs as f64;
    row.mean_wall_s += outcome.trials.wall_s;
}

fn finish(row: &mut Row) {
    let n = row.gates.max(1) as f64;
    for v in [
        &mut row.coverage,
        &mut row.measured_noise_pct,
        &mut row.mean_mde_pct,
        &mut row.mean_pairs,
        &mut row.mean_wall_s,
    ] {
        *v /= n;
    }
}

fn line(r: &Row) -> String {
    let n = r.gates.max(1) as f64;
    format!(
        "{:>5.0}% {:>+6.0}% {:<17} {:>5} {:>6.1}% {:>6.1}% {:>6.1}% {:>6.1}% {:>6.1} {:>7.2}s {:>6.1}% {:>6.1}%",
        r.noise_pct,
        r.change_pct,
        r.design,
        r.gates,
        100.0 * r.fail as f64 / n,
        100.0 * r.pass as f64 / n,
        100.0 * r.inconclusive as f64 / n,
        100.0 * r.coverage,
        r.mean_pairs,
        r.mean_wall_s,
        r.measured_noise_pct,
        r.mean_mde_pct
    )
}

fn table(rows: &[Row]) -> String {
    let mut out = format!(
        "{:>6} {:>7} {:<17} {:>5} {:>7} {:>7} {:>7} {:>7} {:>6} {:>8} {:>7} {:>7}\n",
        "noise",
        "change",
        "design",
        "gates",
        "fail",
        "pass",
        "inconc",
        "cover",
        "pairs",
        "wall",
        "noise~",
        "MDE"
    );
    for r in rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}

/// The targets of docs/statistics.md on the sequential design's rows, each with an allowance
/// of two binomial standard errors for `gates` gates.
fn missed(rows: &[Row], sequential: &str) -> Vec<String> {
    let mut out = Vec::new();
    for r in rows
        .iter()
        .filter(|r| r.design == sequential && r.gates > 0)
    {
        let n = r.gates as f64;
        let rate = |k: usize| k as f64 / n;
        let slack = |p: f64| 2.0 * (p * (1.0 - p) / n).sqrt();
        let at = format!("noise {}%, change {:+}%", r.noise_pct, r.change_pct);
        let mut want = |ok: bool, what: String| {
            if !ok {
                out.push(format!("{at}: {what}"));
            }
        };
        if r.change_pct == 0.0 {
            let f = rate(r.fail);
            want(
                f <= 0.01 + slack(0.01),
                format!("A/A false fails {:.1}% > 1%", f * 100.0),
            );
        }
        if r.change_pct == 0.0 || r.change_pct >= 20.0 {
            let i = rate(r.inconclusive);
            want(
                i <= 0.05 + slack(0.05),
                format!("inconclusive {:.1}% > 5%", i * 100.0),
            );
        }
        if (r.change_pct - 20.0).abs() < 1e-9 {
            let d = rate(r.fail);
            want(
                d >= 0.95 - slack(0.95),
                format!("detection {:.1}% < 95%", d * 100.0),
            );
        }
        if (r.change_pct - 15.0).abs() < 1e-9 {
            let d = rate(r.fail);
            want(
                d >= 0.80 - slack(0.80),
                format!("detection {:.1}% < 80%", d * 100.0),
            );
        }
        want(
            r.coverage >= 0.93 - slack(0.93),
            format!("coverage {:.1}% < 93%", r.coverage * 100.0),
        );
    }
    out
}

/// Two noisy demo targets on loopback, the candidate slowed by the true change.
struct Targets<'a> {
    base: Scenario,
    cand: Scenario,
    cancel: &'a Cancel,
    _servers: (DemoServer, DemoServer),
}

impl<'a> Targets<'a> {
    fn start(
        args: &CalibrateArgs,
        (noise, change): (f64, f64),
        seed: u64,
        cancel: &'a Cancel,
    ) -> anyhow::Result<Self> {
        let trial = args.duration;
        let base = server(noise, 1.0, (seed, 1), trial)?;
        let cand = server(noise, 1.0 + change, (seed, 2), trial)?;
        Ok(Self {
            base: scenario(&base.url(), args)?,
            cand: scenario(&cand.url(), args)?,
            cancel,
            _servers: (base, cand),
        })
    }
}

impl TrialSource for Targets<'_> {
    fn plans(&self) -> usize {
        1
    }

    fn trial(&mut self, _plan: usize, side: Side, _pair: usize) -> anyhow::Result<RunResult> {
        let s = match side {
            Side::Baseline => &self.base,
            Side::Candidate => &self.cand,
        };
        Ok(execute(s, self.cancel, true)?)
    }

    fn interrupted(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

/// A demo target as noisy as a shared runner: 2 ms + lognormal(0.3) per request, 2 % of
/// requests with a 20 ms tail, a drift level of sd `noise` that changes about once per trial,
/// a 5 ms pause every 500 ms; `scale` injects the change.
fn server(
    noise: f64,
    scale: f64,
    (seed, side): (u64, u64),
    trial: Duration,
) -> anyhow::Result<DemoServer> {
    let cfg = DemoConfig {
        delay: Duration::from_millis(2),
        tail_fraction: 0.02,
        tail_delay: Duration::from_millis(20),
        seed: Some(seed.wrapping_mul(31).wrapping_add(side)),
        threads: 1,
        noise: Noise {
            request_sigma: 0.3,
            drift_sigma: noise,
            drift_period: trial,
            pause_every: Duration::from_millis(500),
            pause_for: Duration::from_millis(5),
            scale,
            // Both targets share the drift and the pauses: one machine, one neighbour.
            seed,
        },
        ..DemoConfig::default()
    };
    DemoServer::spawn(([127, 0, 0, 1], 0).into(), cfg).context("starting a demo target")
}

fn scenario(url: &str, args: &CalibrateArgs) -> anyhow::Result<Scenario> {
    let text = format!(
        "name = \"calibration\"\ntarget = \"{url}\"\n[request]\npath = \"/\"\n[load]\nrate = {}\nduration = \"{}\"\nwarmup = \"200ms\"\nconnections = 32\n",
        args.rate,
        bench_core::duration_serde::format(args.duration)
    );
    Ok(Scenario::parse(
        &text,
        Path::new("calibration.toml"),
        &[],
        &|_| None,
    )?)
}

#[cfg(test)]
#[path = "calibrate_tests.rs"]
mod tests;
