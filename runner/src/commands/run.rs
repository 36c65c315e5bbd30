//! `tailguard run`: one scenario, live progress, a summary, SLO checks, JSON out.

use std::path::Path;

use bench_core::Scenario;

use crate::cli::RunArgs;
use crate::preflight;
use crate::report::terminal;
use crate::session::execute::{execute_part, Part};
use crate::session::keep::keep;
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
    if args.out.as_deref() == Some(Path::new("-")) {
        // The JSON goes to stdout (e.g. a Kubernetes pod's log); the table to stderr.
        eprint!("{}", terminal::summary(&result));
    } else {
        print!("{}", terminal::summary(&result));
    }
    keep(&mut result, args.out.as_deref(), &args.save, &args.store)?;
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
