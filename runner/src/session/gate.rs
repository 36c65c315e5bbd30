//! Running a gate's trials: against a baseline build, interleaved pairs through the gate's one
//! trial runner (`gate::trials::run`, sequential looks, counterbalanced order); against stored
//! runs, a fixed number of candidate trials. Each trial is measured with its side's service
//! usage, written to `--results-dir`, and an interrupted one is never thrown away.

use std::path::Path;
use std::time::Duration;

use bench_core::result::RunResult;
use bench_core::scenario::gate::GateSection;
use bench_core::stats::Sequential;
use bench_core::{Cancel, Scenario};

use super::execute::execute;
use super::SessionError;
use crate::gate::trials::{self, Design, Side, TrialSource};
use crate::gate::{judge, Judging};
use crate::output::{self, keep_elsewhere};
use crate::report::terminal;
use crate::service::sides::Sides;
use crate::verdict::VerdictReport;

/// What one scenario's candidate trials are compared with.
#[derive(Debug)]
pub enum Against {
    /// Trials of the baseline build, interleaved with the candidate's.
    Build(Box<Scenario>),
    /// Stored runs, read before any load.
    Runs(Vec<RunResult>),
}

/// One scenario's candidate and what it is compared against.
pub type Plan = (Scenario, Against);

/// How a gate runs its trials (`tailguard gate`'s flags).
#[derive(Debug, Clone, Copy)]
pub struct GateRun<'a> {
    /// Pairs (interleaved) or candidate trials (against stored runs) at least.
    pub trials: usize,
    /// Pairs at most (the sequential design's budget of pairs).
    pub max_trials: usize,
    /// Wall-clock budget of the sequential design.
    pub budget: Option<Duration>,
    /// Seed of the counterbalanced order.
    pub seed: u64,
    /// No progress bars or per-trial lines.
    pub quiet: bool,
    /// Where every trial's result is written (`--results-dir`).
    pub results_dir: Option<&'a Path>,
    /// The `[gate]` flags.
    pub gate: &'a GateSection,
    /// The baseline, as the report names it.
    pub source: &'a str,
    /// The services whose usage each side's trials measure.
    pub sides: &'a Sides,
    /// Ctrl-C.
    pub cancel: &'a Cancel,
}

/// The trials of a gate and its verdict (`None` when interrupted).
#[derive(Debug)]
pub struct GateOutcome {
    /// The baseline's runs: its trials, or the stored runs.
    pub baseline: Vec<RunResult>,
    /// The candidate's trials.
    pub candidate: Vec<RunResult>,
    /// The verdict; `None` when interrupted.
    pub report: Option<VerdictReport>,
    /// Whether the baseline was stored runs (so only the candidate's trials were run here).
    pub from_store: bool,
}

impl GateOutcome {
    /// The trials run here (stored baseline runs are not).
    #[must_use]
    pub fn trials_run(&self) -> usize {
        let base = if self.from_store {
            0
        } else {
            self.baseline.len()
        };
        base + self.candidate.len()
    }

    /// On an interrupted gate without `--results-dir`, the trials that had finished are kept in
    /// the temporary directory (the interrupted one already was), never thrown away.
    pub fn keep_finished(&self, run: &GateRun<'_>) {
        if run.results_dir.is_some() {
            return;
        }
        let base: &[RunResult] = if self.from_store { &[] } else { &self.baseline };
        for r in base.iter().chain(&self.candidate).filter(|r| !r.cancelled) {
            eprintln!(
                "the finished trial {} of {} is kept in {}",
                r.meta.trial.map_or(0, |t| t + 1),
                r.meta.scenario,
                keep_elsewhere(r)
            );
        }
    }
}

/// The interleaved, sequential gate: pairs of trials through the gate's trial runner.
pub fn interleaved(plans: Vec<Plan>, run: &GateRun<'_>) -> Result<GateOutcome, SessionError> {
    let plans = plans
        .into_iter()
        .filter_map(|(c, a)| match a {
            Against::Build(b) => Some((c, *b)),
            Against::Runs(_) => None,
        })
        .collect();
    let mut targets = Targets { plans, run };
    let design = Design {
        sequential: Sequential {
            min_pairs: run.trials,
            max_pairs: run.max_trials.max(run.trials),
        },
        budget: run.budget,
        seed: run.seed,
    };
    let how = |look| Judging {
        interleaved: true,
        look: Some(look),
    };
    let judge = |b, c, look| judge(b, c, run.gate, how(look), run.source);
    let out =
        trials::run(&mut targets, &design, &judge).map_err(|e| SessionError::Trials(e.into()))?;
    Ok(GateOutcome {
        baseline: out.baseline,
        candidate: out.candidate,
        report: out.report,
        from_store: false,
    })
}

/// Candidate trials against stored runs: a fixed design of `trials` trials.
pub fn against_store(plans: Vec<Plan>, run: &GateRun<'_>) -> Result<GateOutcome, SessionError> {
    let (mut base, mut cand) = (Vec::new(), Vec::new());
    for (candidate, against) in plans {
        if let Against::Runs(runs) = against {
            base.extend(runs);
        }
        for i in 0..run.trials {
            cand.push(trial(&candidate, run, Side::Candidate, i)?);
            if run.cancel.is_cancelled() {
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
        run.gate,
        Judging::default(),
        run.source,
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
    run: &'a GateRun<'a>,
}

impl TrialSource for Targets<'_> {
    fn plans(&self) -> usize {
        self.plans.len()
    }

    fn trial(&mut self, plan: usize, side: Side, pair: usize) -> anyhow::Result<RunResult> {
        let (candidate, base) = &self.plans[plan];
        let scenario = match side {
            Side::Baseline => base,
            Side::Candidate => candidate,
        };
        Ok(trial(scenario, self.run, side, pair)?)
    }

    fn interrupted(&self) -> bool {
        self.run.cancel.is_cancelled()
    }
}

/// Trial `i` of `scenario` on `side`: measured, numbered, written to `--results-dir`; an
/// interrupted one is shown and kept.
fn trial(
    scenario: &Scenario,
    run: &GateRun<'_>,
    side: Side,
    i: usize,
) -> Result<RunResult, SessionError> {
    let side = side.name();
    if !run.quiet {
        eprintln!("{} {side} trial {}", scenario.name(), i + 1);
    }
    let mut result = run
        .sides
        .measure(side, || Ok(execute(scenario, run.cancel, run.quiet)?))
        .map_err(|e| SessionError::Trials(e.into()))?;
    result.meta.trial = u32::try_from(i).ok();
    if let Some(dir) = run.results_dir {
        let file = dir.join(format!("{}-{side}-{}.json", scenario.name(), i + 1));
        output::result(&result, &file)?;
    }
    if result.cancelled {
        print!("{}", terminal::summary(&result));
        if run.results_dir.is_none() {
            eprintln!(
                "the partial {side} trial is kept in {}",
                keep_elsewhere(&result)
            );
        }
    }
    Ok(result)
}
