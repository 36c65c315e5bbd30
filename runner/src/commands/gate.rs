//! `tailguard gate`: run each scenario against the candidate and either against a baseline build
//! interleaved with it — pairs in counterbalanced order, sequentially until every gated metric
//! is decided or the budget runs out (`gate::trials`) — or against the stored baseline, then
//! judge (`gate::judge`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use bench_core::result::RunResult;
use bench_core::stats::Sequential;
use bench_core::{Cancel, Scenario};

use crate::admission;
use crate::cli::GateRunArgs;
use crate::commands::compare::conclude;
use crate::commands::run::{execute, keep_elsewhere, write_result};
use crate::commands::store;
use crate::gate::trials::{self, Design, Side, TrialSource};
use crate::gate::TrialFailure;
use crate::gate::{judge, BaselineSource, Judging};
use crate::history::window::BaselineWindow;
use crate::preflight;
use crate::report::terminal;
use crate::service::sides::Sides;
use crate::signal::Stop;
use crate::store::BranchName;
use crate::verdict::VerdictReport;
use crate::Exit;
use bench_core::scenario::gate::GateSection;
use bench_core::scenario::Override;

/// What one scenario's candidate trials are compared with.
enum Against {
    /// Trials of the baseline build, interleaved with the candidate's.
    Build(Box<Scenario>),
    /// Stored runs, read before any load.
    Runs(Vec<RunResult>),
}

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
    let outcome = match baseline {
        BaselineSource::Interleaved(_) => {
            interleaved(plans, args, &sides, &cli_gate, &source, &stop)?
        }
        BaselineSource::Stored(_) => against_store(plans, args, &sides, &cli_gate, &source, &stop)?,
    };
    let Some(mut report) = outcome.report else {
        // Interrupted: stored baseline runs are already kept; trials measured here are not.
        let base: &[RunResult] = if outcome.from_store {
            &[]
        } else {
            &outcome.baseline
        };
        keep_finished(args, [base, &outcome.candidate]);
        return Ok(stop.exit());
    };
    eprintln!(
        "gate ran {} trials in {:.1}s",
        if outcome.from_store {
            0
        } else {
            outcome.baseline.len()
        } + outcome.candidate.len(),
        started.elapsed().as_secs_f64()
    );
    // The verdict is written first; a store failure afterwards is reported, the verdict stands.
    crate::history::stored::apply_all(&mut report, windows);
    let exit = conclude(&report, &args.gate)?;
    if args.save.save {
        for mut run in outcome.candidate {
            store::save(&mut run, &args.save, &args.store)?;
        }
    }
    Ok(exit)
}

/// One scenario's candidate and what it is compared against.
type Plan = (Scenario, Against);

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
                let (runs, window) = stored(args, branch, &candidate, cli_gate)?;
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
            &format!("{source} in {}", store::open(&args.store)?.describe()),
        )?;
    }
    Ok((plans, windows))
}

/// The trials of a gate and its verdict (`None` when interrupted).
struct GateOutcome {
    baseline: Vec<RunResult>,
    candidate: Vec<RunResult>,
    report: Option<VerdictReport>,
    from_store: bool,
}

/// The interleaved, sequential gate: pairs of trials through the gate's trial runner.
fn interleaved(
    plans: Vec<(Scenario, Against)>,
    args: &GateRunArgs,
    sides: &Sides,
    cli_gate: &GateSection,
    source: &str,
    stop: &Stop,
) -> anyhow::Result<GateOutcome> {
    let plans = plans
        .into_iter()
        .filter_map(|(c, a)| match a {
            Against::Build(b) => Some((c, *b)),
            Against::Runs(_) => None,
        })
        .collect();
    let mut targets = Targets {
        plans,
        cancel: stop.cancel(),
        args,
        sides,
    };
    let design = Design {
        sequential: Sequential {
            min_pairs: args.trials,
            max_pairs: args.max_trials.max(args.trials),
        },
        budget: args.budget,
        seed: args.seed,
    };
    let how = |look| Judging {
        interleaved: true,
        look: Some(look),
    };
    let judge = |b, c, look| judge(b, c, cli_gate, how(look), source);
    let out = trials::run(&mut targets, &design, &judge)?;
    Ok(GateOutcome {
        baseline: out.baseline,
        candidate: out.candidate,
        report: out.report,
        from_store: false,
    })
}

/// Candidate trials against stored runs: a fixed design of `--trials` trials.
fn against_store(
    plans: Vec<(Scenario, Against)>,
    args: &GateRunArgs,
    sides: &Sides,
    cli_gate: &GateSection,
    source: &str,
    stop: &Stop,
) -> anyhow::Result<GateOutcome> {
    let cancel = stop.cancel();
    let (mut base, mut cand) = (Vec::new(), Vec::new());
    for (candidate, against) in plans {
        if let Against::Runs(runs) = against {
            base.extend(runs);
        }
        for i in 0..args.trials {
            cand.push(trial(&candidate, cancel, args, sides, Side::Candidate, i)?);
            if cancel.is_cancelled() {
                return Ok(GateOutcome {
                    baseline: base,
                    candidate: cand,
                    report: None,
                    from_store: true,
                });
            }
        }
    }
    let report = judge(
        base.clone(),
        cand.clone(),
        cli_gate,
        Judging::default(),
        source,
    )?;
    Ok(GateOutcome {
        baseline: base,
        candidate: cand,
        report: Some(report),
        from_store: true,
    })
}

/// The scenarios' two targets as the trial runner's source.
struct Targets<'a> {
    plans: Vec<(Scenario, Scenario)>,
    cancel: &'a Cancel,
    args: &'a GateRunArgs,
    sides: &'a Sides,
}

impl TrialSource for Targets<'_> {
    fn plans(&self) -> usize {
        self.plans.len()
    }

    fn trial(&mut self, plan: usize, side: Side, pair: usize) -> Result<RunResult, TrialFailure> {
        let (candidate, base) = &self.plans[plan];
        let scenario = match side {
            Side::Baseline => base,
            Side::Candidate => candidate,
        };
        Ok(trial(
            scenario,
            self.cancel,
            self.args,
            self.sides,
            side,
            pair,
        )?)
    }

    fn interrupted(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

/// On an interrupted gate without `--results-dir`, the trials that had finished are kept in the
/// temporary directory (the interrupted one already was), never thrown away.
fn keep_finished(args: &GateRunArgs, runs: [&[RunResult]; 2]) {
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

fn baseline_of(args: &GateRunArgs) -> anyhow::Result<BaselineSource> {
    Ok(match (&args.baseline_target, &args.baseline) {
        (Some(url), None) => BaselineSource::Interleaved(url.clone()),
        (None, Some(spec)) => {
            let branch = store::store_branch(spec)
                .with_context(|| format!("--baseline {spec:?}: expected store:BRANCH"))?;
            BaselineSource::Stored(BranchName::new(branch)?)
        }
        _ => {
            anyhow::bail!("give --baseline-target URL (interleaved A/B) or --baseline store:BRANCH")
        }
    })
}

/// The stored baseline of `candidate`'s scenario (`history/stored.rs`: its stable segment on a
/// matching environment, at most the `[gate]`'s baseline runs), refusing partial runs unless
/// `--allow-partial`. The one place that selects stored runs for [`BaselineSource::Stored`].
fn stored(
    args: &GateRunArgs,
    branch: &BranchName,
    candidate: &Scenario,
    cli_gate: &GateSection,
) -> anyhow::Result<(Vec<RunResult>, BaselineWindow)> {
    let gate = candidate.file.gate.overlay(cli_gate);
    let (runs, window) = crate::history::stored::read(
        store::open_existing(&args.store)?.as_ref(),
        branch,
        &crate::commands::run::meta(candidate),
        &gate,
        args.gate.allow_env_mismatch,
    )?;
    let named: Vec<(String, &RunResult)> = runs
        .iter()
        .map(|r| (format!("stored run {} (store:{branch})", r.meta.run_id), r))
        .collect();
    admission::check_complete(&named, args.gate.allow_partial)?;
    Ok((runs, window))
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

fn trial(
    scenario: &Scenario,
    cancel: &Cancel,
    args: &GateRunArgs,
    sides: &Sides,
    side: Side,
    i: usize,
) -> anyhow::Result<RunResult> {
    let side = side.name();
    if !args.quiet {
        eprintln!("{} {side} trial {}", scenario.name(), i + 1);
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
