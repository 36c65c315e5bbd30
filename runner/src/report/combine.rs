//! Several verdict files as one report (the gate's and the criterion benches' verdicts of one
//! pull request): every scenario of each, and the worst verdict as the headline's, so a failing
//! check never sits under a "no regression" comment.

use bench_core::stats::Verdict;

use crate::verdict::{Provenance, VerdictReport, VERDICT_SCHEMA_VERSION};

/// One report of `reports` (in order); `provenance` replaces whatever the files carried.
/// `None` when `reports` is empty.
#[must_use]
pub fn combine(
    reports: Vec<VerdictReport>,
    provenance: Option<Provenance>,
) -> Option<VerdictReport> {
    let verdict = Verdict::worst(reports.iter().map(|r| r.verdict))?;
    let mut sources: Vec<String> = Vec::new();
    let mut out = VerdictReport {
        schema_version: VERDICT_SCHEMA_VERSION,
        verdict,
        baseline_source: String::new(),
        scenarios: Vec::new(),
        new: Vec::new(),
        removed: Vec::new(),
        provenance,
        // Each file's family and trials belong to its own invocation (kept in the files).
        family: None,
        trials: None,
    };
    for r in reports {
        if !sources.contains(&r.baseline_source) {
            sources.push(r.baseline_source);
        }
        out.scenarios.extend(r.scenarios);
        out.new.extend(r.new);
        out.removed.extend(r.removed);
    }
    out.baseline_source = sources.join(" + ");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(verdict: Verdict, source: &str) -> VerdictReport {
        VerdictReport {
            schema_version: VERDICT_SCHEMA_VERSION,
            verdict,
            baseline_source: source.into(),
            scenarios: Vec::new(),
            new: vec![format!("{source}-new")],
            removed: Vec::new(),
            provenance: Some(Provenance {
                run_url: Some("https://forged.example".into()),
                ..Provenance::default()
            }),
            family: None,
            trials: None,
        }
    }

    #[test]
    fn the_worst_verdict_leads_and_the_files_provenance_is_dropped() {
        let c = combine(
            vec![
                report(Verdict::Pass, "a"),
                report(Verdict::Fail, "b"),
                report(Verdict::Inconclusive, "a"),
            ],
            None,
        );
        let c = c.unwrap();
        assert_eq!(c.verdict, Verdict::Fail);
        assert_eq!(c.baseline_source, "a + b");
        assert_eq!(c.new, ["a-new", "b-new", "a-new"]);
        assert_eq!(c.provenance, None);
        let two = vec![
            report(Verdict::Pass, "a"),
            report(Verdict::Inconclusive, "a"),
        ];
        assert_eq!(
            combine(two, None).map(|c| c.verdict),
            Some(Verdict::Inconclusive)
        );
        assert!(combine(Vec::new(), None).is_none());
    }
}
