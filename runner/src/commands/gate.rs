//! `tailguard gate`: run each scenario against the candidate and either against a baseline build
//! interleaved with it — pairs in counterbalanced order, sequentially until every gated metric
//! is decided or the budget runs out (`gate::trials`) — or against the stored baseline, then
//! judge (`gate::judge`).

use std::collections::BTreeMap;
use std::path::Path;

use bench_core::scenario::gate::GateSection;
use bench_core::scenario::Override;
use bench_core::Scenario;

use crate::admission;
use crate::cli::GateRunArgs;
use crate::gate::BaselineSource;
use crate::history::window::BaselineWindow;
use crate::preflight;
use crate::service::sides::Sides;
use crate::session::baselines::{self, Selection};
use crate::session::conclude::conclude;
use crate::session::gate::{self, Against, GateRun, Plan};
use crate::session::stores;
use crate::signal::Stop;
use crate::Exit;

/// Run the command.
pub fn command(args: &GateRunArgs) -> anyhow::Result<Exit> {
    let cli_gate = args.gate.section();
    let baseline = baseline_of(args)?;
    if args.trials == 0 {
        anyhow::bail!("--trials 0: must be at least 1");
    }
    preflight::verdict_outputs(&args.gate)?;
    preflight::save(&args.save, &args.store)?;
    if let Some(dir) = &args.results_dir {
        preflight::out_dir("--results-dir", dir)?;
    }
    let source = baseline.describe();
    let (plans, windows) = plan(args, &baseline, &cli_gate, &source)?;
    // Started (or found) before any trial; dropping `sides` stops what was started.
    let sides = Sides::start(
        &args.service,
        args.baseline_target.as_deref(),
        args.candidate_target.as_deref(),
    )?;
    let stop = Stop::watch();
    let started = std::time::Instant::now();
    let run = GateRun {
        trials: args.trials,
        max_trials: args.max_trials,
        budget: args.budget,
        seed: args.seed,
        quiet: args.quiet,
        results_dir: args.results_dir.as_deref(),
        gate: &cli_gate,
        source: &source,
        sides: &sides,
        cancel: stop.cancel(),
    };
    let mut outcome = match baseline {
        BaselineSource::Interleaved(_) => gate::interleaved(plans, &run)?,
        BaselineSource::Stored(_) => gate::against_store(plans, &run)?,
    };
    let Some(mut report) = outcome.report.take() else {
        // Interrupted: stored baseline runs are already kept; trials measured here are not.
        outcome.keep_finished(&run);
        return Ok(stop.exit());
    };
    eprintln!(
        "gate ran {} trials in {:.1}s",
        outcome.trials_run(),
        started.elapsed().as_secs_f64()
    );
    // The verdict is written first; a store failure afterwards is reported, the verdict stands.
    crate::history::stored::apply_all(&mut report, windows);
    let exit = conclude(&report, &args.gate)?;
    if args.save.save {
        for mut run in outcome.candidate {
            stores::save(&mut run, &args.save, &args.store)?;
        }
    }
    Ok(exit)
}

/// Everything that can be checked before any load: every scenario loads on both sides, and
/// every stored baseline exists, is complete and covers the scenarios. Returns each
/// scenario's candidate and what it is compared against, and the stored baselines' windows.
fn plan(
    args: &GateRunArgs,
    baseline: &BaselineSource,
    cli_gate: &GateSection,
    source: &str,
) -> anyhow::Result<(Vec<Plan>, BTreeMap<String, BaselineWindow>)> {
    let mut plans = Vec::new();
    let mut windows = BTreeMap::new();
    for path in &args.scenarios {
        let target = args.candidate_target.as_deref();
        let candidate = load(path, args, target.map(|t| ("--candidate-target", t)))?;
        let against = match baseline {
            BaselineSource::Interleaved(url) => Against::Build(Box::new(load(
                path,
                args,
                Some(("--baseline-target", url)),
            )?)),
            BaselineSource::Stored(branch) => {
                let how = Selection {
                    store: &args.store,
                    gate: cli_gate,
                    allow_env_mismatch: args.gate.allow_env_mismatch,
                };
                let (runs, window) =
                    baselines::of_scenario(branch, &candidate, how, args.gate.allow_partial)?;
                windows.insert(candidate.name().to_owned(), window);
                Against::Runs(runs)
            }
        };
        plans.push((candidate, against));
    }
    if let BaselineSource::Stored(_) = baseline {
        let stored = plans.iter().flat_map(|(_, a)| match a {
            Against::Runs(runs) => runs.as_slice(),
            Against::Build(_) => &[],
        });
        admission::check_sides(
            stored.map(|r| r.meta.scenario.as_str()),
            plans.iter().map(|(c, _)| c.name()),
            &format!("{source} in {}", stores::open(&args.store)?.describe()),
        )?;
    }
    Ok((plans, windows))
}

fn baseline_of(args: &GateRunArgs) -> anyhow::Result<BaselineSource> {
    Ok(match (&args.baseline_target, &args.baseline) {
        (Some(url), None) => BaselineSource::Interleaved(url.clone()),
        (None, Some(spec)) => BaselineSource::Stored(baselines::stored_branch(spec)?),
        _ => {
            anyhow::bail!("give --baseline-target URL (interleaved A/B) or --baseline store:BRANCH")
        }
    })
}

/// Load a scenario with the gate's overrides; `target` is `(flag, url)`.
fn load(path: &Path, args: &GateRunArgs, target: Option<(&str, &str)>) -> anyhow::Result<Scenario> {
    let mut overrides = Vec::new();
    if let Some((flag, url)) = target {
        overrides.push(Override::new(format!("{flag} {url}"), "target", url));
    }
    if let Some(d) = args.duration {
        overrides.push(crate::cli::run::duration_override(d));
    }
    overrides.extend(args.set.iter().cloned());
    Ok(Scenario::load(path, &overrides)?)
}
