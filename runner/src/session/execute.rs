//! Running a scenario: a load run (open or closed model) or a saturation run's steps, with live
//! progress, its SLOs checked, the result redacted before anything sees it.

use std::sync::Arc;

use bench_core::pacer::LoadModel;
use bench_core::result::{new_run_id, RunMeta, RunResult};
use bench_core::{Cancel, Environment, Scenario, Shard};

use super::SessionError;
use crate::progress::LiveProgress;

/// How this process takes part in a distributed run (docs/distributed.md).
#[derive(Debug, Clone, Default)]
pub struct Part {
    /// This process's shard: 1/N of the rate (open model) or of the workers (closed).
    pub shard: Option<Shard>,
    /// When the shards start together.
    pub start_at: Option<std::time::SystemTime>,
    /// The run id all shards share (or the one `--run-id` gives a single run).
    pub run_id: Option<String>,
}

/// Run a loaded scenario to completion (or Ctrl-C), with progress, and check its SLOs.
pub fn execute(
    scenario: &Scenario,
    cancel: &Cancel,
    quiet: bool,
) -> Result<RunResult, SessionError> {
    execute_part(scenario, cancel, quiet, &Part::default())
}

/// [`execute`] as one part of a distributed run, or under a given run id.
pub fn execute_part(
    scenario: &Scenario,
    cancel: &Cancel,
    quiet: bool,
    part: &Part,
) -> Result<RunResult, SessionError> {
    let mut meta = meta(scenario);
    meta.shard = part.shard;
    if let Some(id) = &part.run_id {
        meta.run_id.clone_from(id);
    }
    let mut result = if let Some(plan) = scenario.step_plan() {
        if part.shard.is_some() {
            return Err(SessionError::ShardedSteps);
        }
        super::steps::execute(scenario, &plan, meta, cancel, quiet)?
    } else {
        execute_load(scenario, cancel, quiet, part, meta)?
    };
    // Secrets never leave the process: every exit (files, stores, verdicts, reports, the
    // terminal) starts from this redacted result.
    bench_core::redact::process()
        .result(&mut result)
        .map_err(SessionError::Redact)?;
    if let Some(why) = result
        .generator
        .as_ref()
        .and_then(|g| g.saturated.as_deref())
    {
        eprintln!(
            "warning: {}: {why}; its own delay may be in the latencies, and the gate calls no \
             regression from this run (give the generator more cores or threads, or lower the \
             load)",
            scenario.name()
        );
    }
    Ok(result)
}

/// The open- or closed-model run of [`execute_part`], described by `meta`.
fn execute_load(
    scenario: &Scenario,
    cancel: &Cancel,
    quiet: bool,
    part: &Part,
    meta: RunMeta,
) -> Result<RunResult, SessionError> {
    let connector = super::connector(scenario)?;
    let mut config = scenario.run_config();
    config.shard = part.shard.unwrap_or_default();
    config.start_at = part.start_at;
    let total = config.warmup
        + match &config.model {
            LoadModel::Open { profile, .. } => profile.duration(),
            LoadModel::Closed { duration, .. } => *duration,
        };
    let bar = LiveProgress::new(scenario.name(), total, quiet);
    let recording = bench_core::run(Arc::new(connector), &config, cancel, &mut |p| bar.update(p))?;
    bar.finish();
    let mut result = RunResult::new(meta, &recording);
    result.slo = bench_core::scenario::slo::check_all(&scenario.slos, &result);
    Ok(result)
}

/// The descriptive facts of a new run of `scenario`.
#[must_use]
pub fn meta(scenario: &Scenario) -> RunMeta {
    RunMeta {
        run_id: new_run_id(),
        scenario: scenario.name().to_owned(),
        protocol: scenario.file.protocol.as_str().to_owned(),
        config: scenario.redacted_config(),
        gate: scenario.file.gate.clone(),
        environment: Environment::detect(),
        shard: None,
        trial: None,
    }
}
