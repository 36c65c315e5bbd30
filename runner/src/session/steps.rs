//! Running a saturation scenario: its levels one engine run each, with a progress bar per step
//! and a line per finished step, then the analysis (worded by `report/finding.rs`).

use std::cell::RefCell;
use std::sync::Arc;

use bench_core::result::{RunKind, RunMeta, RunResult};
use bench_core::saturation::{Saturation, StepResult};
use bench_core::steps::{self, EarlyStop, StepPlan};
use bench_core::{Cancel, Scenario};

use super::SessionError;
use crate::progress::LiveProgress;
use crate::report::finding;
use crate::report::format::{fmt_share, fmt_us};

/// Run the steps of `plan` and analyse them into a result described by `meta`. The result's
/// summary, histograms and timeline cover all steps together; `result.saturation` has each step and the findings.
pub fn execute(
    scenario: &Scenario,
    plan: &StepPlan,
    meta: RunMeta,
    cancel: &Cancel,
    quiet: bool,
) -> Result<RunResult, SessionError> {
    let connector = super::connector(scenario)?;
    let base = scenario.run_config();
    let n = plan.levels.len();
    let bar: RefCell<Option<(usize, LiveProgress)>> = RefCell::new(None);
    let mut results = Vec::with_capacity(n);
    let (ran, stop) = steps::run_steps(
        Arc::new(connector),
        &base,
        plan,
        cancel,
        &mut |i, level, p| {
            let mut bar = bar.borrow_mut();
            if bar.as_ref().is_none_or(|(j, _)| *j != i) {
                let name = format!(
                    "{} {}/{n} {}",
                    scenario.name(),
                    i + 1,
                    plan.dimension.format(level)
                );
                *bar = Some((i, LiveProgress::new(&name, base.warmup + plan.hold, quiet)));
            }
            if let Some((_, b)) = bar.as_ref() {
                b.update(p);
            }
        },
        &mut |step| {
            if let Some((_, b)) = bar.borrow_mut().take() {
                b.finish();
            }
            let s = StepResult::of(step.level, &step.recording);
            if !quiet {
                eprintln!(
                    "{}: achieved {:.1}/s, p99 {}, errors {}",
                    plan.dimension.format(step.level),
                    s.achieved_rps,
                    fmt_us(s.summary.latency_us.p99),
                    fmt_share(s.summary.error_rate)
                );
            }
            results.push(s);
        },
    )?;
    let merged = steps::merged(&ran).ok_or(SessionError::NoStep)?;
    let mut result = RunResult::new(meta, &merged);
    result.cancelled = stop == Some(EarlyStop::Cancelled);
    let stopped_early = match stop {
        Some(EarlyStop::Errors { level, error_rate }) => Some(format!(
            "after {}: {} of calls failed, above the {} limit",
            plan.dimension.format(level),
            fmt_share(error_rate),
            fmt_share(plan.stop_error_rate)
        )),
        Some(EarlyStop::Cancelled) => Some("interrupted".into()),
        None => None,
    };
    result.kind = RunKind::Steps {
        saturation: Box::new(finding::worded(Saturation::new(
            plan.dimension,
            results,
            &scenario.saturation_criteria(),
            scenario.requirement().as_ref(),
            stopped_early,
        ))),
    };
    Ok(result)
}
