//! The capacity gate of saturation scenarios: the candidate's saturation point against the
//! baseline's, and against the scenario's `must_sustain`.
//!
//! Each run contributes its capacity (req/s at the saturation point; 0 when it sustained no
//! step). Each side is summarised by its median, and the candidate fails when its median is
//! lower than the baseline's by more than the gate's threshold (10 % by default), or when any
//! candidate run missed `must_sustain`. Saturation runs are long, so one run per side is usual;
//! the comparison is then a plain ratio and the step spacing is its resolution (see
//! `docs/saturation.md`).

use bench_core::result::RunResult;
use bench_core::stats::Verdict;
use serde::{Deserialize, Serialize};

/// The capacity verdict of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacityVerdict {
    /// Pass, fail, or inconclusive (no baseline saturation runs).
    pub verdict: Verdict,
    /// Median capacity of the baseline runs (req/s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_rps: Option<f64>,
    /// Median capacity of the candidate runs (req/s).
    pub candidate_rps: f64,
    /// candidate / baseline − 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<f64>,
    /// The drop that fails.
    pub threshold: f64,
    /// The scenario's `must_sustain` rate, when it has one (req/s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_rps: Option<f64>,
    /// Why it failed or is inconclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

fn capacity(run: &RunResult) -> Option<f64> {
    let sat = run.saturation()?;
    Some(sat.analysis.capacity_rps.unwrap_or(0.0))
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Compare capacities; `None` when no candidate run is a saturation run.
#[must_use]
pub fn compare(
    baseline: &[RunResult],
    candidate: &[RunResult],
    threshold: f64,
) -> Option<CapacityVerdict> {
    let candidate_rps = median(candidate.iter().filter_map(capacity).collect())?;
    let baseline_rps = median(baseline.iter().filter_map(capacity).collect());
    let missed: Vec<String> = candidate
        .iter()
        .filter_map(|r| r.saturation()?.requirement.as_ref())
        .filter(|req| !req.passed)
        .map(|req| {
            let got = req
                .sustained_rps
                .map_or("no step".to_owned(), |s| format!("{s:.1} req/s"));
            format!("must sustain {} but sustained {got}", req.requirement)
        })
        .collect();
    let required_rps = candidate
        .iter()
        .find_map(|r| r.saturation()?.requirement.as_ref())
        .map(|req| req.required_rps);
    let change = baseline_rps
        .filter(|b| *b > 0.0)
        .map(|b| candidate_rps / b - 1.0);
    let mut reasons = missed;
    let dropped = change.is_some_and(|c| c < -threshold);
    if let (true, Some(b), Some(c)) = (dropped, baseline_rps, change) {
        reasons.push(format!(
            "capacity fell {:.1}% ({b:.1} → {candidate_rps:.1} req/s), more than the {:.0}% threshold",
            -c * 100.0,
            threshold * 100.0
        ));
    }
    let (verdict, reason) = if !reasons.is_empty() {
        (Verdict::Fail, Some(reasons.join("; ")))
    } else if baseline_rps.is_none() {
        (
            Verdict::Inconclusive,
            Some("no baseline saturation runs to compare the capacity with".to_owned()),
        )
    } else {
        (Verdict::Pass, None)
    };
    Some(CapacityVerdict {
        verdict,
        baseline_rps,
        candidate_rps,
        change,
        threshold,
        required_rps,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use bench_core::engine::Recording;
    use bench_core::result::RunMeta;
    use bench_core::saturation::{Analysis, RequirementCheck, Saturation};
    use bench_core::steps::Dimension;

    use super::*;

    fn recording() -> Recording {
        Recording {
            started_at: std::time::SystemTime::UNIX_EPOCH,
            duration: std::time::Duration::from_secs(1),
            window: std::time::Duration::from_secs(1),
            completion_span: std::time::Duration::from_secs(1),
            journeys: Vec::new(),
            checks: Vec::new(),
            series: Vec::new(),
            counts: Default::default(),
            timeline: Vec::new(),
            cancelled: false,
            target_rps: None,
            generator: Default::default(),
        }
    }

    fn run(capacity: Option<f64>, requirement: Option<(f64, bool)>) -> RunResult {
        RunResult::new(RunMeta::default(), &recording()).into_steps(Saturation {
            dimension: Dimension::Rate,
            slo: Vec::new(),
            tolerance: 0.05,
            steps: Vec::new(),
            analysis: Analysis {
                steps: Vec::new(),
                saturation_level: capacity,
                capacity_rps: capacity,
                knee_level: None,
                breach_level: None,
                signature: Vec::new(),
                headline: String::new(),
            },
            requirement: requirement.map(|(rps, passed)| RequirementCheck {
                requirement: format!("{rps} req/s"),
                required_rps: rps,
                sustained_rps: capacity,
                passed,
            }),
            stopped_early: None,
        })
    }

    #[test]
    fn a_drop_beyond_the_threshold_fails_and_a_small_one_passes() {
        let base = [run(Some(500.0), None)];
        let v = compare(&base, &[run(Some(250.0), None)], 0.10).unwrap();
        assert_eq!(v.verdict, Verdict::Fail);
        assert!((v.change.unwrap() + 0.5).abs() < 1e-12);
        assert!(v.reason.unwrap().contains("capacity fell 50.0%"));
        let v = compare(&base, &[run(Some(460.0), None)], 0.10).unwrap();
        assert_eq!(v.verdict, Verdict::Pass);
        let v = compare(&base, &[run(None, None)], 0.10).unwrap();
        assert_eq!((v.verdict, v.candidate_rps), (Verdict::Fail, 0.0));
    }

    #[test]
    fn medians_requirement_and_missing_baseline() {
        let base = [
            run(Some(300.0), None),
            run(Some(200.0), None),
            run(Some(250.0), None),
        ];
        let cand = [
            run(Some(240.0), Some((200.0, true))),
            run(Some(260.0), Some((200.0, true))),
        ];
        let v = compare(&base, &cand, 0.10).unwrap();
        assert_eq!((v.baseline_rps, v.candidate_rps), (Some(250.0), 250.0));
        assert_eq!((v.verdict, v.required_rps), (Verdict::Pass, Some(200.0)));
        let v = compare(&[], &[run(Some(150.0), Some((200.0, false)))], 0.10).unwrap();
        assert_eq!(v.verdict, Verdict::Fail);
        assert!(v.reason.unwrap().contains("must sustain 200 req/s"));
        let v = compare(&[], &cand, 0.10).unwrap();
        assert_eq!(v.verdict, Verdict::Inconclusive);
        let plain = RunResult::new(RunMeta::default(), &recording());
        assert!(compare(&base, &[plain], 0.10).is_none());
    }
}
