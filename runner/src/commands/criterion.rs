//! `tailguard criterion`: criterion's results as stored runs, compared with main's by the same
//! statistics and verdict contract as `compare` (see `criterion/mod.rs` for what is gated).

use std::collections::BTreeSet;

use anyhow::Context as _;
use bench_core::result::RunResult;
use bench_core::Environment;

use crate::cli::CriterionArgs;
use crate::criterion::{files, messages, Benchmark, PREFIX};
use crate::gate::{judge, Judging};
use crate::session::conclude::conclude;
use crate::session::{baselines, stores};
use crate::Exit;

fn read(args: &CriterionArgs, which: &str) -> anyhow::Result<Vec<Benchmark>> {
    match &args.messages {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            messages::parse(&text, path)
        }
        None => files::read_dir(&args.dir, which),
    }
}

/// Every benchmark of every run named in `names`, as runs: one `cargo bench` run, one trial.
fn runs(
    args: &CriterionArgs,
    names: &[String],
    env: &Environment,
) -> anyhow::Result<Vec<RunResult>> {
    if args.messages.is_some() && names.len() > 1 {
        anyhow::bail!("--messages holds one run: give one --which, or read several from --dir");
    }
    let mut out = Vec::new();
    for (i, which) in names.iter().enumerate() {
        for b in read(args, which)? {
            let mut run = b.to_run(env.clone());
            run.meta.trial = u32::try_from(i).ok();
            out.push(run);
        }
    }
    Ok(out)
}

/// Run the command.
pub fn command(args: &CriterionArgs) -> anyhow::Result<Exit> {
    let cli_gate = args.gate.section();
    let env = Environment::detect();
    let mut candidate = runs(args, &args.which, &env)?;
    if candidate.is_empty() {
        anyhow::bail!(
            "no criterion benchmarks found in {}",
            args.messages.as_ref().unwrap_or(&args.dir).display()
        );
    }
    let names: BTreeSet<String> = candidate.iter().map(|r| r.meta.scenario.clone()).collect();
    println!(
        "{} criterion benchmark(s) in {} run(s); criterion times batches of iterations, so what \
         is compared is the mean and median time per iteration of each run (one run, one trial)",
        names.len(),
        args.which.len()
    );
    if args.save.save {
        for run in &mut candidate {
            stores::save(run, &args.save, &args.store)?;
        }
    }
    let (baseline, source, known) = match (&args.baseline, &args.baseline_which) {
        (Some(spec), _) => from_store(args, spec, &names, &cli_gate, &candidate)?,
        (None, Some(which)) => {
            let runs = runs(args, which, &env)?;
            let known = runs.iter().map(|r| r.meta.scenario.clone()).collect();
            let source = format!("criterion's {} in {}", which.join(","), args.dir.display());
            (runs, source, known)
        }
        (None, None) => {
            for run in &candidate {
                let n = run.iterations().map_or(0, |s| s.iters.len());
                println!(
                    "  {}  ({n} samples)",
                    run.meta.scenario.trim_start_matches(PREFIX)
                );
            }
            return Ok(Exit::Success);
        }
    };
    let compared: BTreeSet<String> = baseline.iter().map(|r| r.meta.scenario.clone()).collect();
    let strip = |s: &String| s.strip_prefix(PREFIX).unwrap_or(s).to_owned();
    let new: Vec<String> = names.difference(&compared).map(strip).collect();
    let removed: Vec<String> = known.difference(&names).map(strip).collect();
    candidate.retain(|r| compared.contains(&r.meta.scenario));
    // Named runs on both sides in equal numbers were run interleaved (`.ci/criterion-ab`).
    let how = Judging {
        interleaved: args
            .baseline_which
            .as_ref()
            .is_some_and(|b| b.len() == args.which.len() && b.len() > 1),
        look: None,
    };
    let mut report = judge(baseline, candidate, &cli_gate, how, &source)?;
    report.new = new;
    report.removed = removed;
    Ok(conclude(&report, &args.gate)?)
}

/// The stored runs of every benchmark on `spec`'s branch, and every benchmark the store knows.
fn from_store(
    args: &CriterionArgs,
    spec: &str,
    names: &BTreeSet<String>,
    cli_gate: &bench_core::scenario::gate::GateSection,
    candidate: &[RunResult],
) -> anyhow::Result<(Vec<RunResult>, String, BTreeSet<String>)> {
    let branch = baselines::stored_branch(spec)?;
    let st = stores::open(&args.store)?;
    let mut runs = Vec::new();
    for scenario in names {
        let gate = candidate
            .iter()
            .find(|r| &r.meta.scenario == scenario)
            .map(|r| r.meta.gate.clone())
            .unwrap_or_default();
        let n = gate.overlay(cli_gate).baseline_runs();
        runs.extend(baselines::newest(st.as_ref(), &branch, scenario, n)?);
    }
    let known = baselines::scenarios(st.as_ref(), &branch, PREFIX)?
        .into_keys()
        .collect();
    Ok((runs, format!("{spec} in {}", st.describe()), known))
}
