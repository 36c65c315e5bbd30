//! `tailguard gate`: run each scenario K times against the candidate, and either K times against
//! a baseline build interleaved with it (B C / C B pairs in random order, so the machine's drift
//! hits both sides alike) or against the stored baseline, then compare.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use bench_core::result::RunResult;
use bench_core::{Cancel, Scenario};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::cli::GateRunArgs;
use crate::commands::compare::conclude;
use crate::commands::run::{execute, keep_elsewhere, write_result};
use crate::commands::store;
use crate::report::terminal;
use crate::signal::Stop;
use crate::store::BranchName;
use crate::verdict::{compare_all, stored_gate};
use crate::Exit;

/// Where the baseline trials come from.
enum Baseline {
    Target(String),
    Stored(BranchName),
}

/// Run the command.
pub fn command(args: &GateRunArgs) -> anyhow::Result<Exit> {
    let cli_gate = args.gate.section().map_err(anyhow::Error::msg)?;
    let baseline = match (&args.baseline_target, &args.baseline) {
        (Some(url), None) => Baseline::Target(url.clone()),
        (None, Some(spec)) => {
            let branch = store::store_branch(spec)
                .with_context(|| format!("--baseline {spec:?}: expected store:BRANCH"))?;
            Baseline::Stored(BranchName::new(branch)?)
        }
        _ => {
            anyhow::bail!("give --baseline-target URL (interleaved A/B) or --baseline store:BRANCH")
        }
    };
    if args.trials == 0 {
        anyhow::bail!("--trials must be at least 1");
    }
    let stop = Stop::watch();
    let cancel = stop.cancel();
    let mut rng = SmallRng::seed_from_u64(args.seed);
    let mut base_runs = Vec::new();
    let mut cand_runs = Vec::new();
    let started = std::time::Instant::now();
    for path in &args.scenarios {
        let candidate = load(path, args, args.candidate_target.as_deref())?;
        match &baseline {
            Baseline::Target(url) => {
                let base = load(path, args, Some(url))?;
                for i in 0..args.trials {
                    let candidate_first: bool = rng.random();
                    let order = if candidate_first {
                        [true, false]
                    } else {
                        [false, true]
                    };
                    for is_candidate in order {
                        let (scenario, side) = if is_candidate {
                            (&candidate, "candidate")
                        } else {
                            (&base, "baseline")
                        };
                        let run = trial(scenario, cancel, args, side, i)?;
                        if is_candidate {
                            cand_runs.push(run)
                        } else {
                            base_runs.push(run)
                        }
                        if cancel.is_cancelled() {
                            return Ok(stop.exit());
                        }
                    }
                }
            }
            Baseline::Stored(branch) => {
                for i in 0..args.trials {
                    cand_runs.push(trial(&candidate, cancel, args, "candidate", i)?);
                    if cancel.is_cancelled() {
                        return Ok(stop.exit());
                    }
                }
                let n = cand_runs
                    .last()
                    .map(stored_gate)
                    .unwrap_or_default()
                    .overlay(&cli_gate)
                    .baseline_runs();
                let runs = store::open(&args.store)?
                    .baseline(branch, candidate.name(), n)
                    .with_context(|| {
                        format!("reading baseline of {} on {branch}", candidate.name())
                    })?;
                base_runs.extend(runs);
            }
        }
    }
    eprintln!(
        "gate ran {} trials in {:.1}s",
        base_runs.len() + cand_runs.len(),
        started.elapsed().as_secs_f64()
    );
    if args.save.save {
        for run in &mut cand_runs {
            store::save(run, &args.save, &args.store)?;
        }
    }
    let (source, interleaved) = match &baseline {
        Baseline::Target(url) => (format!("interleaved trials against {url}"), true),
        Baseline::Stored(branch) => (format!("store:{branch}"), false),
    };
    let report = compare_all(base_runs, cand_runs, &cli_gate, interleaved, &source)
        .map_err(anyhow::Error::msg)?;
    conclude(&report, &args.gate)
}

fn load(path: &Path, args: &GateRunArgs, target: Option<&str>) -> anyhow::Result<Scenario> {
    let mut overrides = Vec::new();
    if let Some(t) = target {
        overrides.push(format!("target=\"{}\"", t.replace('"', "\\\"")));
    }
    if let Some(d) = &args.duration {
        overrides.push(format!("load.duration=\"{d}\""));
    }
    overrides.extend(args.set.iter().cloned());
    Ok(Scenario::load(path, &overrides)?)
}

fn trial(
    scenario: &Scenario,
    cancel: &Cancel,
    args: &GateRunArgs,
    side: &str,
    i: usize,
) -> anyhow::Result<RunResult> {
    if !args.quiet {
        eprintln!("{} {side} trial {}/{}", scenario.name(), i + 1, args.trials);
    }
    let mut run = execute(scenario, cancel, args.quiet)?;
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
