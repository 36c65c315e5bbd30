//! `tailguard run`: one scenario, live progress, a summary, SLO checks, JSON out.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use bench_core::pacer::LoadModel;
use bench_core::result::{new_run_id, RunMeta, RunResult};
use bench_core::{Cancel, Environment, Scenario, Shard};

use crate::cli::RunArgs;
use crate::overrides::Override;
use crate::preflight;
use crate::progress::LiveProgress;
use crate::report::terminal;
use crate::Exit;

/// Run the command.
pub fn command(args: &RunArgs) -> anyhow::Result<Exit> {
    let mut overrides = args.overrides();
    let mut scenario = crate::overrides::load(&args.scenario, &overrides)?;
    if let (Some(n), LoadModel::Closed { .. }) = (args.connections, &scenario.run_config().model) {
        let n = n.to_string();
        overrides.push(Override::flag("--connections", &n, "load.workers", &n));
        scenario = crate::overrides::load(&args.scenario, &overrides)?;
    }
    if let Some(out) = &args.out {
        preflight::out_file("--out", out)?;
    }
    preflight::save(&args.save, &args.store)?;
    let now = std::time::SystemTime::now();
    let start_at = args
        .start_at
        .as_deref()
        .map(|t| preflight::start_at(t, now))
        .transpose()?;
    let cancel = interrupt_on_ctrl_c();
    let part = Part {
        shard: args.shard,
        start_at,
        run_id: args.run_id.clone(),
    };
    let mut result = execute_part(&scenario, &cancel, args.quiet, &part)?;
    let to_stdout = args.out.as_deref() == Some(Path::new("-"));
    if to_stdout {
        // The JSON goes to stdout (e.g. a Kubernetes pod's log); the table to stderr.
        eprint!("{}", terminal::summary(&result));
    } else {
        print!("{}", terminal::summary(&result));
    }
    if args.save.save && !result.cancelled {
        crate::commands::store::save(&mut result, &args.save, &args.store)?;
    }
    if to_stdout {
        println!("{}", result.to_json()?);
    } else if let Some(out) = &args.out {
        write_result(&result, out)?;
        eprintln!("wrote {}", out.display());
        for chart in crate::saturation::write_charts(&result, out)? {
            eprintln!("wrote {}", chart.display());
        }
    }
    Ok(if result.cancelled {
        Exit::Interrupted
    } else if result.slo.iter().any(|c| !c.passed) || crate::saturation::requirement_failed(&result)
    {
        Exit::Failed
    } else {
        Exit::Success
    })
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
    if let Some(plan) = scenario.step_plan() {
        if part.shard.is_some() {
            anyhow::bail!(
                "saturation scenarios cannot be sharded: their steps decide when to stop"
            );
        }
        return crate::saturation::execute(scenario, &plan, cancel, quiet);
    }
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
        environment: Environment::detect(),
        shard: None,
        trial: None,
    }
}

/// Write a result as pretty JSON, creating parent directories.
pub fn write_result(result: &RunResult, path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let json = result.to_json()?;
    std::fs::write(path, json).with_context(|| format!("writing {}", path.display()))
}

/// A cancellation flag set by the first Ctrl-C (a second one exits at once).
#[must_use]
pub fn interrupt_on_ctrl_c() -> Cancel {
    let cancel = Cancel::new();
    let flag = cancel.clone();
    let spawned = std::thread::Builder::new().name("tailguard-signal".into()).spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_io().build() else {
            return;
        };
        rt.block_on(async {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\ninterrupted: stopping the load and writing the partial result (Ctrl-C again to abort)");
                flag.cancel();
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        });
    });
    if spawned.is_err() {
        eprintln!(
            "warning: cannot watch for Ctrl-C; an interrupted run will not write a partial result"
        );
    }
    cancel
}
