//! The end of every comparison (`compare`, `gate`, `criterion`, `demo`): the verdict on the
//! terminal, its files, GitHub Actions' job summary and annotations, and the exit status.

use bench_core::stats::Verdict;

use super::SessionError;
use crate::cli::GateFlags;
use crate::report::terminal;
use crate::verdict::VerdictReport;
use crate::Exit;

/// Print the table, write `--out` and `--report-dir`, report to GitHub Actions when running
/// there, warn on inconclusive, and choose the exit status.
pub fn conclude(report: &VerdictReport, flags: &GateFlags) -> Result<Exit, SessionError> {
    print!("{}", terminal::verdict(report));
    if let Some(out) = &flags.out {
        crate::output::json(out, report)?;
    }
    if let Some(dir) = &flags.report_dir {
        crate::output::report_dir(report, dir)?;
    }
    crate::report::actions::publish(
        report,
        &|name| std::env::var(name).ok(),
        &mut std::io::stdout(),
    )
    .map_err(|e| SessionError::Actions(e.into()))?;
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
