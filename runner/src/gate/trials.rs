//! The one trial runner of the gate: baseline and candidate trials in pairs, the order within
//! pairs counterbalanced (A B, B A, A B, … from a seeded start, so a trend within a pair
//! cancels over two pairs), looked at on the schedule of a [`Sequential`] design and stopped as
//! soon as the verdict is decided, or when the trial or wall-clock budget runs out.
//!
//! What a trial *is* comes from a [`TrialSource`]: real runs against two targets (`gate`,
//! `calibrate`) or simulated runs (`calibrate --simulate`) — the looks, the order and the
//! judgement are the same code.

use std::time::{Duration, Instant};

use bench_core::result::RunResult;
use bench_core::stats::{Sequential, Verdict};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

pub use super::trials_report::{Stopped, TrialsReport};
use super::{JudgeError, Look, TrialFailure, TrialsError};
use crate::verdict::VerdictReport;

/// Which side a trial belongs to: the statistics' own sides.
pub use bench_core::stats::Side;

/// Where trials come from.
pub trait TrialSource {
    /// Number of scenarios (each gets its own pairs).
    fn plans(&self) -> usize;
    /// Runs pair `pair`'s trial of scenario `plan` on `side`.
    ///
    /// # Errors
    /// A trial that cannot run (the gate stops with exit 2).
    fn trial(&mut self, plan: usize, side: Side, pair: usize) -> Result<RunResult, TrialFailure>;
    /// The run was interrupted (Ctrl-C): stop at once.
    fn interrupted(&self) -> bool;
}

/// The design of one sequential gate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Design {
    /// Looks and alpha spending; `min_pairs == max_pairs` is a fixed design.
    pub sequential: Sequential,
    /// Wall-clock budget: no pair is started that would, at the pace so far, end after it.
    pub budget: Option<Duration>,
    /// Seed of the order (which side leads the first pair).
    pub seed: u64,
}

/// The trials and the last judgement.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Baseline trials of every scenario.
    pub baseline: Vec<RunResult>,
    /// Candidate trials of every scenario.
    pub candidate: Vec<RunResult>,
    /// The verdict at the last look, with [`VerdictReport::trials`] set (`None` when
    /// interrupted before any look).
    pub report: Option<VerdictReport>,
    /// How the trials went.
    pub trials: TrialsReport,
}

/// A judgement of the trials so far at a look.
pub type Judge<'a> =
    dyn Fn(Vec<RunResult>, Vec<RunResult>, Look) -> Result<VerdictReport, JudgeError> + 'a;

impl Outcome {
    /// No trials yet: the report of a design whose first pair `baseline_first` leads or not.
    fn start(design: &Design, baseline_first: bool) -> Self {
        let seq = design.sequential;
        Self {
            baseline: Vec::new(),
            candidate: Vec::new(),
            report: None,
            trials: TrialsReport {
                order: "counterbalanced".into(),
                seed: design.seed,
                baseline_first,
                min_pairs: seq.min_pairs,
                max_pairs: seq.max_pairs,
                pairs: 0,
                looks: Vec::new(),
                stopped: Stopped::MaxTrials,
                budget_s: design.budget.map(|b| b.as_secs_f64()),
                wall_s: 0.0,
            },
        }
    }
}

/// Whether one more pair, at the pace of the `pairs` run in `elapsed`, would end after `budget`
/// (never before the first pair).
fn next_pair_overruns(elapsed: Duration, pairs: usize, budget: Duration) -> bool {
    pairs > 0 && elapsed + elapsed.div_f64(pairs as f64) > budget
}

/// The sides of pair `pair` in running order: counterbalanced, alternating from the first.
fn pair_order(baseline_first: bool, pair: usize) -> [Side; 2] {
    if baseline_first ^ (pair % 2 == 1) {
        [Side::Baseline, Side::Candidate]
    } else {
        [Side::Candidate, Side::Baseline]
    }
}

/// Runs pairs until the verdict is decided or the budget is spent (see the module docs).
///
/// # Errors
/// A trial that cannot run, or a judgement that cannot be made (bad settings).
pub fn run(
    source: &mut dyn TrialSource,
    design: &Design,
    judge: &Judge<'_>,
) -> Result<Outcome, TrialsError> {
    let seq = design.sequential;
    seq.validate()?;
    let schedule = seq.looks();
    let baseline_first: bool = SmallRng::seed_from_u64(design.seed).random();
    let started = Instant::now();
    let mut out = Outcome::start(design, baseline_first);
    let mut pairs = 0;
    let stopped = loop {
        if pairs >= seq.max_pairs {
            break Stopped::MaxTrials;
        }
        if design
            .budget
            .is_some_and(|budget| next_pair_overruns(started.elapsed(), pairs, budget))
        {
            let look = Look {
                design: seq,
                pairs,
                last: true,
            };
            out.report = Some(judged(&out, judge, look)?);
            out.trials.looks.push(pairs);
            break Stopped::WallClock;
        }
        if !run_pair(source, &mut out, pair_order(baseline_first, pairs), pairs)? {
            out.trials.pairs = pairs;
            out.trials.stopped = Stopped::Interrupted;
            return Ok(out);
        }
        pairs += 1;
        if schedule.contains(&pairs) {
            let look = Look {
                design: seq,
                pairs,
                last: pairs == seq.max_pairs,
            };
            let report = judged(&out, judge, look)?;
            out.trials.looks.push(pairs);
            let decided = report.verdict != Verdict::Inconclusive;
            out.report = Some(report);
            if decided {
                break Stopped::Decided;
            }
        }
    };
    out.trials.pairs = pairs;
    out.trials.stopped = stopped;
    out.trials.wall_s = started.elapsed().as_secs_f64();
    if let Some(report) = &mut out.report {
        report.trials = Some(out.trials.clone());
    }
    Ok(out)
}

/// One pair of trials of every plan, in `order`; `false` when interrupted.
fn run_pair(
    source: &mut dyn TrialSource,
    out: &mut Outcome,
    order: [Side; 2],
    pair: usize,
) -> Result<bool, TrialsError> {
    for plan in 0..source.plans() {
        for side in order {
            let run = source.trial(plan, side, pair).map_err(TrialsError::Trial)?;
            match side {
                Side::Baseline => out.baseline.push(run),
                Side::Candidate => out.candidate.push(run),
            }
            if source.interrupted() {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

fn judged(out: &Outcome, judge: &Judge<'_>, look: Look) -> Result<VerdictReport, TrialsError> {
    Ok(judge(out.baseline.clone(), out.candidate.clone(), look)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A budget stops the gate before a pair that, at the pace so far, would end after it:
    /// never before the first pair, and not while the next pair still fits.
    #[test]
    fn the_budget_stops_before_a_pair_that_would_overrun_it() {
        let budget = Duration::from_secs(60);
        assert!(!next_pair_overruns(Duration::from_secs(100), 0, budget));
        // Two pairs in 40 s: the third would end at 60 s, exactly the budget.
        assert!(!next_pair_overruns(Duration::from_secs(40), 2, budget));
        // Two pairs in 41 s: the third would end at 61.5 s.
        assert!(next_pair_overruns(Duration::from_secs(41), 2, budget));
    }

    /// Pairs alternate which side runs first, from the seeded first pair.
    #[test]
    fn pairs_alternate_which_side_leads() {
        use Side::{Baseline, Candidate};
        assert_eq!(pair_order(true, 0), [Baseline, Candidate]);
        assert_eq!(pair_order(true, 1), [Candidate, Baseline]);
        assert_eq!(pair_order(true, 2), [Baseline, Candidate]);
        assert_eq!(pair_order(false, 0), [Candidate, Baseline]);
        assert_eq!(pair_order(false, 1), [Baseline, Candidate]);
    }
}
