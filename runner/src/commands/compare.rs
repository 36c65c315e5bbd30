//! `tailguard compare`: candidate result files against stored runs or baseline files.

use bench_core::result::RunResult;

use crate::admission;
use crate::cli::CompareArgs;
use crate::gate::{judge, Judging};
use crate::session::baselines::{self, Selection};
use crate::session::conclude::conclude;
use crate::Exit;

/// Run the command.
pub fn command(args: &CompareArgs) -> anyhow::Result<Exit> {
    let cli_gate = args.gate.section();
    crate::preflight::verdict_outputs(&args.gate)?;
    let mut named: Vec<(String, RunResult)> = Vec::new();
    for p in &args.candidate {
        named.push((p.display().to_string(), RunResult::read(p)?));
    }
    let candidate: Vec<RunResult> = named.iter().map(|(_, r)| r.clone()).collect();
    let how = Selection {
        store: &args.store,
        gate: &cli_gate,
        allow_env_mismatch: args.gate.allow_env_mismatch,
    };
    let resolved = baselines::resolve(&args.baseline, &candidate, how)?;
    let baseline = resolved.runs();
    let sources = resolved.sources.join(", ");
    named.extend(resolved.named);
    let runs: Vec<(String, &RunResult)> = named.iter().map(|(n, r)| (n.clone(), r)).collect();
    admission::check_complete(&runs, args.gate.allow_partial)?;
    admission::check_sides(
        baseline.iter().map(|r| r.meta.scenario.as_str()),
        candidate.iter().map(|r| r.meta.scenario.as_str()),
        &sources,
    )?;
    let how = Judging {
        interleaved: args.paired,
        look: None,
    };
    let mut report = judge(baseline, candidate, &cli_gate, how, &sources)?;
    crate::history::stored::apply_all(&mut report, resolved.windows);
    Ok(conclude(&report, &args.gate)?)
}
