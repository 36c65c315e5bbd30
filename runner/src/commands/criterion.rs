//! `tailguard criterion`: criterion's results as stored runs, compared with main's by the same
//! statistics and verdict contract as `compare` (see `criterion/mod.rs` for what is gated).

use std::collections::BTreeSet;

use anyhow::Context as _;
use bench_core::result::RunResult;
use bench_core::Environment;

use crate::cli::CriterionArgs;
use crate::commands::compare::conclude;
use crate::commands::store;
use crate::criterion::{files, messages, Benchmark, PREFIX};
use crate::store::BranchName;
use crate::gate::{judge, Judging};
use crate::verdict::stored_gate;
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

/// Run the command.
pub fn command(args: &CriterionArgs) -> anyhow::Result<Exit> {
    let cli_gate = args.gate.section().map_err(anyhow::Error::msg)?;
    let benches = read(args, &args.which)?;
    if benches.is_empty() {
        anyhow::bail!(
            "no criterion benchmarks found in {}",
            args.messages.as_ref().unwrap_or(&args.dir).display()
        );
    }
    println!(
        "{} criterion benchmark(s); criterion times batches of iterations, so what is compared \
         is the mean and median time per iteration, not per-call percentiles",
        benches.len()
    );
    let env = Environment::detect();
    let mut candidate: Vec<RunResult> = benches.iter().map(|b| b.to_run(env.clone())).collect();
    if args.save.save {
        for run in &mut candidate {
            store::save(run, &args.save, &args.store)?;
        }
    }

    let names: BTreeSet<String> = candidate.iter().map(|r| r.meta.scenario.clone()).collect();
    let (baseline, source, known) = match (&args.baseline, &args.baseline_which) {
        (Some(spec), _) => {
            let branch = store::store_branch(spec)
                .with_context(|| format!("--baseline {spec:?}: expected store:BRANCH"))?;
            let branch = BranchName::new(branch)?;
            let st = store::open(&args.store)?;
            let mut runs = Vec::new();
            for run in &candidate {
                let n = stored_gate(run).overlay(&cli_gate).baseline_runs();
                let scenario = &run.meta.scenario;
                runs.extend(
                    st.baseline(&branch, scenario, n)
                        .with_context(|| format!("reading baseline of {scenario} on {branch}"))?,
                );
            }
            let known: BTreeSet<String> = st
                .list(Some(&branch), None)?
                .into_iter()
                .map(|r| r.scenario)
                .filter(|s| s.starts_with(PREFIX))
                .collect();
            (runs, format!("{spec} in {}", st.describe()), known)
        }
        (None, Some(which)) => {
            let runs: Vec<RunResult> = read(args, which)?
                .iter()
                .map(|b| b.to_run(env.clone()))
                .collect();
            let known = runs.iter().map(|r| r.meta.scenario.clone()).collect();
            (
                runs,
                format!("criterion's {which:?} in {}", args.dir.display()),
                known,
            )
        }
        (None, None) => {
            for b in &benches {
                println!("  {}  ({} samples)", b.id, b.samples.iters.len());
            }
            return Ok(Exit::Success);
        }
    };
    let compared: BTreeSet<String> = baseline.iter().map(|r| r.meta.scenario.clone()).collect();
    let strip = |s: &String| s.strip_prefix(PREFIX).unwrap_or(s).to_owned();
    let new: Vec<String> = names.difference(&compared).map(strip).collect();
    let removed: Vec<String> = known.difference(&names).map(strip).collect();
    candidate.retain(|r| compared.contains(&r.meta.scenario));
    let mut report =
        judge(baseline, candidate, &cli_gate, Judging::default(), &source).map_err(anyhow::Error::msg)?;
    report.new = new;
    report.removed = removed;
    conclude(&report, &args.gate)
}
