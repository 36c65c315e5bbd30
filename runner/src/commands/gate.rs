//! `tailguard gate`: run each scenario K times against the candidate, and either K times against
//! a baseline build interleaved with it (B C / C B pairs in random order, so the machine's drift
//! hits both sides alike) or against the stored baseline, then compare.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use bench_core::result::RunResult;
use bench_core::{Cancel, Scenario};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::admission;
use crate::cli::GateRunArgs;
use crate::commands::compare::conclude;
use crate::commands::run::{execute, keep_elsewhere, write_result};
use crate::commands::store;
use crate::overrides::{self, Override};
use crate::preflight;
use crate::report::terminal;
use crate::service::sides::Sides;
use crate::signal::Stop;
use crate::store::BranchName;
use crate::verdict::compare_all;
use crate::Exit;
use bench_core::scenario::gate::GateSection;

/// Where the baseline trials come from.
enum Baseline {
    Target(String),
    Stored(BranchName),
}

/// What one scenario's candidate trials are compared with.
enum Against {
    /// Trials of the baseline build, interleaved with the candidate's.
    Build(Box<Scenario>),
    /// Stored runs, read before any load.
    Runs(Vec<RunResult>),
}

/// Run the command.
pub fn command(args: &GateRunArgs) -> anyhow::Result<Exit> {
    let cli_gate = args.gate.section().map_err(anyhow::Error::msg)?;
    let baseline = baseline_of(args)?;
    if args.trials == 0 {
        anyhow::bail!("--trials 0: must be at least 1");
    }
    preflight::verdict_outputs(&args.gate)?;
    preflight::save(&args.save, &args.store)?;
    if let Some(dir) = &args.results_dir {
        preflight::out_dir("--results-dir", dir)?;
    }
    let (source, interleaved) = match &baseline {
        Baseline::Target(url) => (format!("interleaved trials against {url}"), true),
        Baseline::Stored(branch) => (format!("store:{branch}"), false),
    };
    // Everything that can be checked is checked before any load: every scenario loads on both
    // sides, and every stored baseline exists and is complete.
    let mut plans = Vec::new();
    for path in &args.scenarios {
        let target = args.candidate_target.as_deref();
        let candidate = load(path, args, target.map(|t| ("--candidate-target", t)))?;
        let against = match &baseline {
            Baseline::Target(url) => Against::Build(Box::new(load(
                path,
                args,
                Some(("--baseline-target", url)),
            )?)),
            Baseline::Stored(branch) => Against::Runs(stored(args, branch, &candidate, &cli_gate)?),
        };
        plans.push((candidate, against));
    }
    if let Baseline::Stored(_) = baseline {
        let stored = plans.iter().flat_map(|(_, a)| match a {
            Against::Runs(runs) => runs.as_slice(),
            Against::Build(_) => &[],
        });
        admission::check_sides(
            stored.map(|r| r.meta.scenario.as_str()),
            plans.iter().map(|(c, _)| c.name()),
            &format!("{source} in {}", store::open(&args.store)?.describe()),
        )
        .map_err(anyhow::Error::msg)?;
    }
    // Started (or found) before any trial; dropping `sides` stops what was started.
    let sides = Sides::start(
        &args.service,
        args.baseline_target.as_deref(),
        args.candidate_target.as_deref(),
    )?;
    let stop = Stop::watch();
    let cancel = stop.cancel();
    let mut rng = SmallRng::seed_from_u64(args.seed);
    let (mut base_runs, mut cand_runs) = (Vec::new(), Vec::new());
    let started = std::time::Instant::now();
    for (candidate, against) in plans {
        let from_store = matches!(against, Against::Runs(_));
        let (mut b, c) = match against {
            Against::Build(base) => interleave(&candidate, &base, cancel, args, &sides, &mut rng)?,
            Against::Runs(runs) => {
                let mut c = Vec::new();
                for i in 0..args.trials {
                    c.push(trial(&candidate, cancel, args, &sides, "candidate", i)?);
                    if cancel.is_cancelled() {
                        break;
                    }
                }
                (runs, c)
            }
        };
        if cancel.is_cancelled() {
            // Stored baseline runs are already kept; trials measured here are not.
            let (old_base, new_base) = if from_store {
                (&[][..], &[][..])
            } else {
                (base_runs.as_slice(), b.as_slice())
            };
            keep_finished(args, [old_base, new_base, &cand_runs, &c]);
            return Ok(stop.exit());
        }
        base_runs.append(&mut b);
        cand_runs.extend(c);
    }
    eprintln!(
        "gate ran {} trials in {:.1}s",
        base_runs.len() + cand_runs.len(),
        started.elapsed().as_secs_f64()
    );
    // The verdict is written first; a store failure afterwards is reported, the verdict stands.
    let to_save = args.save.save.then(|| cand_runs.clone());
    let report = compare_all(base_runs, cand_runs, &cli_gate, interleaved, &source)
        .map_err(anyhow::Error::msg)?;
    let exit = conclude(&report, &args.gate)?;
    for mut run in to_save.into_iter().flatten() {
        store::save(&mut run, &args.save, &args.store)?;
    }
    Ok(exit)
}

/// On an interrupted gate without `--results-dir`, the trials that had finished are kept in the
/// temporary directory (the interrupted one already was), never thrown away.
fn keep_finished(args: &GateRunArgs, runs: [&[RunResult]; 4]) {
    if args.results_dir.is_some() {
        return;
    }
    for run in runs.iter().flat_map(|r| r.iter()).filter(|r| !r.cancelled) {
        eprintln!(
            "the finished trial {} of {} is kept in {}",
            run.meta.trial.map_or(0, |t| t + 1),
            run.meta.scenario,
            keep_elsewhere(run)
        );
    }
}

fn baseline_of(args: &GateRunArgs) -> anyhow::Result<Baseline> {
    Ok(match (&args.baseline_target, &args.baseline) {
        (Some(url), None) => Baseline::Target(url.clone()),
        (None, Some(spec)) => {
            let branch = store::store_branch(spec)
                .with_context(|| format!("--baseline {spec:?}: expected store:BRANCH"))?;
            Baseline::Stored(BranchName::new(branch)?)
        }
        _ => {
            anyhow::bail!("give --baseline-target URL (interleaved A/B) or --baseline store:BRANCH")
        }
    })
}

/// The stored baseline of `candidate`'s scenario (its `[gate]` overlaid with the flags says
/// how many runs), refusing partial runs unless `--allow-partial`.
fn stored(
    args: &GateRunArgs,
    branch: &BranchName,
    candidate: &Scenario,
    cli_gate: &GateSection,
) -> anyhow::Result<Vec<RunResult>> {
    let n = candidate.file.gate.overlay(cli_gate).baseline_runs();
    let runs = store::open_existing(&args.store)?
        .baseline(branch, candidate.name(), n)
        .with_context(|| format!("reading baseline of {} on {branch}", candidate.name()))?;
    let named: Vec<(String, &RunResult)> = runs
        .iter()
        .map(|r| (format!("stored run {} (store:{branch})", r.meta.run_id), r))
        .collect();
    admission::check_complete(&named, args.gate.allow_partial).map_err(anyhow::Error::msg)?;
    Ok(runs)
}

/// `--trials` pairs of baseline and candidate trials, each pair in random order. Stops early
/// when cancelled (the caller checks).
fn interleave(
    candidate: &Scenario,
    base: &Scenario,
    cancel: &Cancel,
    args: &GateRunArgs,
    sides: &Sides,
    rng: &mut SmallRng,
) -> anyhow::Result<(Vec<RunResult>, Vec<RunResult>)> {
    let (mut b, mut c) = (Vec::new(), Vec::new());
    for i in 0..args.trials {
        let candidate_first: bool = rng.random();
        for is_candidate in [candidate_first, !candidate_first] {
            if is_candidate {
                c.push(trial(candidate, cancel, args, sides, "candidate", i)?);
            } else {
                b.push(trial(base, cancel, args, sides, "baseline", i)?);
            }
            if cancel.is_cancelled() {
                return Ok((b, c));
            }
        }
    }
    Ok((b, c))
}

/// Load a scenario with the gate's overrides; `target` is `(flag, url)`.
fn load(path: &Path, args: &GateRunArgs, target: Option<(&str, &str)>) -> anyhow::Result<Scenario> {
    let mut overrides = Vec::new();
    if let Some((flag, url)) = target {
        overrides.push(Override::flag_str(flag, url, "target"));
    }
    if let Some(d) = &args.duration {
        overrides.push(Override::flag_str("--duration", d, "load.duration"));
    }
    overrides.extend(args.set.iter().map(|s| Override::set(s)));
    overrides::load(path, &overrides)
}

fn trial(
    scenario: &Scenario,
    cancel: &Cancel,
    args: &GateRunArgs,
    sides: &Sides,
    side: &str,
    i: usize,
) -> anyhow::Result<RunResult> {
    if !args.quiet {
        eprintln!("{} {side} trial {}/{}", scenario.name(), i + 1, args.trials);
    }
    let mut run = sides.measure(side, || execute(scenario, cancel, args.quiet))?;
    run.meta.trial = u32::try_from(i).ok();
    if let Some(dir) = &args.results_dir {
        let file: PathBuf = dir.join(format!("{}-{side}-{}.json", scenario.name(), i + 1));
        write_result(&run, &file)?;
    }
    if run.cancelled {
        print!("{}", terminal::summary(&run));
        if args.results_dir.is_none() {
            eprintln!(
                "the partial {side} trial is kept in {}",
                keep_elsewhere(&run)
            );
        }
    }
    Ok(run)
}
