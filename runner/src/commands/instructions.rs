//! `tailguard instructions`: gungraun's instruction counts as stored runs, compared with main's
//! by a plain relative threshold per metric (see `instructions/mod.rs`).

use bench_core::Environment;

use crate::cli::InstructionsArgs;
use crate::instructions::compare::{compare, render, Outcome, Thresholds};
use crate::instructions::{summary, Benchmark, PREFIX};
use crate::output;
use crate::session::{baselines, stores};
use crate::Exit;

/// The baseline's benchmarks: the newest stored run of each, or another gungraun directory.
fn baseline(
    args: &InstructionsArgs,
    candidate: &[Benchmark],
) -> anyhow::Result<Option<Vec<Benchmark>>> {
    if let Some(dir) = &args.baseline_dir {
        return Ok(Some(summary::read_dir(dir)?));
    }
    let Some(spec) = &args.baseline else {
        return Ok(None);
    };
    let branch = baselines::stored_branch(spec)?;
    let st = stores::open_existing(&args.store)?;
    let mut out = Vec::new();
    let mut scenarios: std::collections::BTreeSet<String> =
        baselines::scenarios(st.as_ref(), &branch, PREFIX)?
            .into_keys()
            .collect();
    scenarios.extend(candidate.iter().map(|b| format!("{PREFIX}{}", b.id)));
    for scenario in scenarios {
        let runs = baselines::newest(st.as_ref(), &branch, &scenario, 1)?;
        if let Some(run) = runs.last() {
            out.push(Benchmark::from_run(run)?);
        }
    }
    Ok(Some(out))
}

/// Run the command.
pub fn command(args: &InstructionsArgs) -> anyhow::Result<Exit> {
    let thresholds = Thresholds::with(&args.threshold)?;
    let benches = summary::read_dir(&args.dir)?;
    println!(
        "{} gungraun benchmark(s) in {}; instruction counts are deterministic, so each metric is \
         compared by a plain relative threshold",
        benches.len(),
        args.dir.display()
    );
    if args.save.save {
        let env = Environment::detect();
        for b in &benches {
            stores::save(&mut b.to_run(env.clone()), &args.save, &args.store)?;
        }
    }
    let Some(base) = baseline(args, &benches)? else {
        for b in &benches {
            let ir = b.metrics.get("Ir").copied().unwrap_or(f64::NAN);
            println!("  {}  {ir} instructions (Valgrind {})", b.id, b.valgrind);
        }
        return Ok(Exit::Success);
    };
    let report = compare(&base, &benches, &thresholds);
    print!("{}", render(&report));
    if let Some(out) = &args.out {
        output::json(out, &report)?;
    }
    Ok(match report.verdict {
        Outcome::Pass => Exit::Success,
        Outcome::Fail => Exit::Failed,
        Outcome::Refused if args.fail_on_refusal => Exit::Failed,
        Outcome::Refused => {
            eprintln!("warning: not compared (see above); store a new baseline of main");
            Exit::Success
        }
    })
}
