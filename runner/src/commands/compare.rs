//! `tailguard compare`: candidate result files against stored runs or baseline files.

use bench_core::result::RunResult;
use bench_core::stats::Verdict;

use crate::admission;
use crate::cli::{CompareArgs, GateFlags};
use crate::commands::store;
use crate::gate::{judge, Judging};
use crate::report::terminal;
use crate::store::BranchName;
use crate::verdict::{stored_gate, VerdictReport};
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
    let mut baseline = Vec::new();
    let mut sources = Vec::new();
    let mut windows = std::collections::BTreeMap::new();
    for spec in &args.baseline {
        if let Some(branch) = store::store_branch(spec) {
            let branch = BranchName::new(branch)?;
            let st = store::open_existing(&args.store)?;
            let mut scenarios: Vec<&str> =
                candidate.iter().map(|r| r.meta.scenario.as_str()).collect();
            scenarios.sort_unstable();
            scenarios.dedup();
            for scenario in scenarios {
                let Some(last) = candidate.iter().rfind(|r| r.meta.scenario == scenario) else {
                    continue;
                };
                let gate = stored_gate(last).overlay(&cli_gate);
                let (runs, window) = crate::history::stored::read(
                    st.as_ref(),
                    &branch,
                    &last.meta,
                    &gate,
                    args.gate.allow_env_mismatch,
                )?;
                windows.insert(scenario.to_owned(), window);
                for run in &runs {
                    named.push((
                        format!("stored run {} ({spec})", run.meta.run_id),
                        run.clone(),
                    ));
                }
                baseline.extend(runs);
            }
            sources.push(format!("{spec} in {}", st.describe()));
        } else {
            let run = RunResult::read(std::path::Path::new(spec))?;
            named.push((spec.clone(), run.clone()));
            baseline.push(run);
            sources.push(spec.clone());
        }
    }
    let runs: Vec<(String, &RunResult)> = named.iter().map(|(n, r)| (n.clone(), r)).collect();
    admission::check_complete(&runs, args.gate.allow_partial)?;
    admission::check_sides(
        baseline.iter().map(|r| r.meta.scenario.as_str()),
        candidate.iter().map(|r| r.meta.scenario.as_str()),
        &sources.join(", "),
    )?;
    let how = Judging {
        interleaved: args.paired,
        look: None,
    };
    let mut report = judge(baseline, candidate, &cli_gate, how, &sources.join(", "))?;
    crate::history::stored::apply_all(&mut report, windows);
    conclude(&report, &args.gate)
}

/// Print the table, write `--out` and `--report-dir`, report to GitHub Actions when running
/// there, warn on inconclusive, and choose the exit status.
pub fn conclude(report: &VerdictReport, flags: &GateFlags) -> anyhow::Result<Exit> {
    print!("{}", terminal::verdict(report));
    if let Some(out) = &flags.out {
        crate::commands::write_json_out(out, report)?;
    }
    if let Some(dir) = &flags.report_dir {
        let files = crate::commands::report::write_dir(report, dir)?;
        eprintln!(
            "wrote the report to {} ({} files)",
            dir.display(),
            files.len()
        );
    }
    crate::report::actions::publish(
        report,
        &|name| std::env::var(name).ok(),
        &mut std::io::stdout(),
    )?;
    Ok(match report.verdict {
        Verdict::Pass => Exit::Success,
        Verdict::Fail => Exit::Failed,
        Verdict::Inconclusive => {
            eprintln!("warning: the verdict is inconclusive (see the reasons above); more trials or longer runs give more evidence");
            if flags.fail_on_inconclusive {
                Exit::Failed
            } else {
                Exit::Success
            }
        }
    })
}
