//! Reporting inside GitHub Actions, in one place for every command that writes a verdict
//! (`compare`, `gate`, `criterion`, `demo`): when `GITHUB_ACTIONS=true`, the markdown report is
//! appended to the job summary (`$GITHUB_STEP_SUMMARY`) and each failed gated metric becomes an
//! `::error` annotation (inconclusive scenarios a `::warning`) on standard output.

use std::io::Write;

use bench_core::stats::Verdict;

use super::format::truncate;
use super::output::OutputError;
use super::wording::regressions;
use super::{markdown, outline, output};
use crate::verdict::VerdictReport;

/// The workflow commands for a verdict: one `::error` per regression, one `::warning` per
/// inconclusive scenario.
#[must_use]
pub fn annotations(report: &VerdictReport) -> Vec<String> {
    let mut out: Vec<String> = regressions(report)
        .iter()
        .map(|r| {
            format!(
                "::error title={}::{}",
                property(&format!(
                    "tailguard: {} of {} regressed",
                    r.what, r.scenario
                )),
                data(&format!("{} — {}", r.text, r.values))
            )
        })
        .collect();
    for s in report
        .scenarios
        .iter()
        .filter(|s| s.verdict == Verdict::Inconclusive)
    {
        out.push(format!(
            "::warning title={}::{}",
            property(&format!("tailguard: {} is inconclusive", s.scenario)),
            data(&truncate(
                s.reason.as_deref().unwrap_or("not enough evidence"),
                500
            ))
        ));
    }
    out
}

/// Under GitHub Actions (`env("GITHUB_ACTIONS") == "true"`): append the markdown to the file
/// named by `GITHUB_STEP_SUMMARY` (when set) and write the annotations to `stdout`. Returns
/// whether it ran. `env` reads the environment (a parameter so tests need not change theirs).
///
/// # Errors
/// When the job summary cannot be appended to, or `stdout` refuses the annotations.
pub fn publish(
    report: &VerdictReport,
    env: &dyn Fn(&str) -> Option<String>,
    stdout: &mut dyn Write,
) -> Result<bool, OutputError> {
    if env("GITHUB_ACTIONS").as_deref() != Some("true") {
        return Ok(false);
    }
    if let Some(path) = env("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let text = markdown::render(&outline::document(report, &[]));
        output::append_job_summary(&path, &text)?;
    }
    for line in annotations(report) {
        writeln!(stdout, "{line}").map_err(OutputError::Annotations)?;
    }
    Ok(true)
}

/// Escaping of a workflow command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a workflow command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_are_escaped() {
        assert_eq!(data("+23.4% [a]\nnext"), "+23.4%25 [a]%0Anext");
        assert_eq!(property("a: b, c"), "a%3A b%2C c");
    }

    #[test]
    fn nothing_happens_outside_github_actions() {
        let report = VerdictReport {
            schema_version: 1,
            verdict: Verdict::Inconclusive,
            baseline_source: "x".into(),
            scenarios: Vec::new(),
            new: Vec::new(),
            removed: Vec::new(),
            provenance: None,
            family: None,
            trials: None,
        };
        let mut out = Vec::new();
        assert!(!publish(&report, &|_| None, &mut out).unwrap());
        assert!(out.is_empty());
        let on = |k: &str| (k == "GITHUB_ACTIONS").then(|| "true".to_owned());
        assert!(publish(&report, &on, &mut out).unwrap());
    }
}
