//! `tailguard run`: one scenario, live progress, a summary, SLO checks, JSON out.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use bench_core::pacer::LoadModel;
use bench_core::result::{new_run_id, RunMeta, RunResult};
use bench_core::{Cancel, Environment, Scenario, Shard};

use crate::cli::RunArgs;
use crate::preflight;
use crate::progress::LiveProgress;
use crate::report::terminal;
use crate::signal::Stop;
use crate::Exit;

/// Run the command.
pub fn command(args: &RunArgs) -> anyhow::Result<Exit> {
    let scenario = Scenario::load(&args.scenario, &args.overrides())?;
    if let Some(out) = &args.out {
        preflight::out_file("--out", out)?;
        preflight::not_the_input("--out", out, &args.scenario)?;
    }
    preflight::save(&args.save, &args.store)?;
    let now = std::time::SystemTime::now();
    let start_at = args
        .start_at
        .as_deref()
        .map(|t| preflight::start_at(t, now))
        .transpose()?;
    let stop = Stop::watch();
    let part = Part {
        shard: args.shard,
        start_at,
        run_id: args.run_id.clone(),
    };
    let mut result = execute_part(&scenario, stop.cancel(), args.quiet, &part)?;
    let to_stdout = args.out.as_deref() == Some(Path::new("-"));
    if to_stdout {
        // The JSON goes to stdout (e.g. a Kubernetes pod's log); the table to stderr.
        eprint!("{}", terminal::summary(&result));
    } else {
        print!("{}", terminal::summary(&result));
    }
    keep(&mut result, args)?;
    Ok(if result.cancelled {
        stop.exit()
    } else if result.slo.iter().any(|c| !c.passed)
        || crate::saturation::requirement_failed(&result)
        || crate::saturation::sustained_nothing(&result)
    {
        Exit::Failed
    } else {
        Exit::Success
    })
}

/// Write `--out` first, then store the run (`--save`). A failure of either is an error (exit 2)
/// that names where the result is: `--out`, or else the temporary directory.
fn keep(result: &mut RunResult, args: &RunArgs) -> anyhow::Result<()> {
    // The branch and commit go into the result before anything is written, so the file and the
    // store hold the same run.
    let branch = (args.save.save && !result.cancelled)
        .then(|| crate::commands::store::stamp(result, &args.save));
    // --out first: whatever happens to the store afterwards, the result is already on disk.
    let mut failures = Vec::new();
    let kept = match args.out.as_deref() {
        None => None,
        Some(out) if out == Path::new("-") => {
            println!("{}", result.to_json()?);
            Some("stdout".to_owned())
        }
        Some(out) => match write_result(result, out) {
            Ok(()) => {
                eprintln!("wrote {}", out.display());
                if let Err(e) = write_charts(result, out) {
                    failures.push(crate::exit::describe(&e));
                }
                Some(out.display().to_string())
            }
            Err(e) => {
                failures.push(crate::exit::describe(&e));
                None
            }
        },
    };
    if args.save.save && result.cancelled && kept.is_none() {
        // A partial run is never stored as a baseline, but it is not thrown away either.
        eprintln!(
            "the partial run was not stored (it was interrupted); it is kept in {}",
            keep_elsewhere(result)
        );
    }
    if let Some(branch) = branch {
        let saved =
            branch.and_then(|b| crate::commands::store::save_stamped(result, &b, &args.store));
        if let Err(e) = saved {
            failures.push(format!(
                "the run was not stored: {}",
                crate::exit::describe(&e)
            ));
        }
    }
    if !failures.is_empty() {
        let place = match kept {
            Some(place) => place,
            None => keep_elsewhere(result),
        };
        anyhow::bail!("{}\nthe result is kept in {place}", failures.join("\n"));
    }
    Ok(())
}

/// Write the saturation charts next to the result file `out`.
fn write_charts(result: &RunResult, out: &Path) -> anyhow::Result<()> {
    for chart in crate::saturation::write_charts(result, out)? {
        eprintln!("wrote {}", chart.display());
    }
    Ok(())
}

/// Keep a result that has nowhere else to go: in the temporary directory, or, when even that
/// cannot be written, on stderr. Returns where it went, for the message.
pub fn keep_elsewhere(result: &RunResult) -> String {
    let path = std::env::temp_dir().join(format!(
        "tailguard-{}.json",
        crate::store::file::encode(&result.meta.run_id)
    ));
    match write_result(result, &path) {
        Ok(()) => path.display().to_string(),
        Err(e) => {
            eprintln!(
                "cannot keep the result in {}: {}",
                path.display(),
                crate::exit::describe(&e)
            );
            match result.to_json() {
                Ok(json) => eprintln!("{json}"),
                Err(e) => eprintln!("cannot even serialise the result: {e}"),
            }
            "stderr (above)".to_owned()
        }
    }
}

/// How this process takes part in a distributed run (docs/distributed.md).
#[derive(Debug, Clone, Default)]
pub struct Part {
    /// This process's shard: 1/N of the rate (open model) or of the workers (closed).
    pub shard: Option<Shard>,
    /// When the shards start together.
    pub start_at: Option<std::time::SystemTime>,
    /// The run id all shards share.
    pub run_id: Option<String>,
}

/// Run a loaded scenario to completion (or Ctrl-C), with progress, and check its SLOs.
pub fn execute(scenario: &Scenario, cancel: &Cancel, quiet: bool) -> anyhow::Result<RunResult> {
    execute_part(scenario, cancel, quiet, &Part::default())
}

/// [`execute`] as one part of a distributed run.
pub fn execute_part(
    scenario: &Scenario,
    cancel: &Cancel,
    quiet: bool,
    part: &Part,
) -> anyhow::Result<RunResult> {
    let mut result = if let Some(plan) = scenario.step_plan() {
        if part.shard.is_some() {
            anyhow::bail!(
                "saturation scenarios cannot be sharded: their steps decide when to stop"
            );
        }
        crate::saturation::execute(scenario, &plan, meta(scenario), cancel, quiet)?
    } else {
        execute_load(scenario, cancel, quiet, part)?
    };
    // Secrets never leave the process: every exit (files, stores, verdicts, reports, the
    // terminal) starts from this redacted result.
    bench_core::redact::process()
        .result(&mut result)
        .context("redacting the result")?;
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

/// The open- or closed-model run of [`execute_part`].
fn execute_load(
    scenario: &Scenario,
    cancel: &Cancel,
    quiet: bool,
    part: &Part,
) -> anyhow::Result<RunResult> {
    let connector = scenario
        .connector()
        .with_context(|| format!("scenario {}", scenario.path.display()))?;
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
    let mut meta = meta(scenario);
    meta.shard = part.shard;
    if let Some(id) = &part.run_id {
        meta.run_id.clone_from(id);
    }
    let mut result = RunResult::new(meta, &recording);
    result.slo = result
        .measurement()
        .map(|m| bench_core::scenario::slo::check_all(&scenario.slos, m))
        .unwrap_or_default();
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

/// Write a result as pretty JSON, creating parent directories; atomically, so an interrupted
/// write (a full disk) leaves neither half a file nor a temporary one.
pub fn write_result(result: &RunResult, path: &Path) -> anyhow::Result<()> {
    let json = result.to_json()?;
    Ok(crate::atomic::write(path, json.as_bytes())?)
}
