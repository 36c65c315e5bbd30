//! The instruction-count gate: per benchmark and metric, `candidate / baseline − 1` against a
//! plain relative threshold; no trials, no statistics (the counts are deterministic).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use super::{is_cache_metric, Benchmark, InstructionsError};

/// Relative thresholds by metric; metrics without one are reported, not gated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Thresholds(pub BTreeMap<String, f64>);

impl Default for Thresholds {
    /// 1 % on instructions.
    fn default() -> Self {
        Self(BTreeMap::from([("Ir".to_owned(), 0.01)]))
    }
}

/// gungraun's name of a metric given by a friendlier alias.
fn canonical(metric: &str) -> &str {
    match metric {
        "instructions" => "Ir",
        "cycles" | "estimated_cycles" => "EstimatedCycles",
        other => other,
    }
}

impl Thresholds {
    /// The defaults with `METRIC=PERCENT` overrides (`Ir=0.5%`, `EstimatedCycles=2%`,
    /// `instructions=off` to stop gating one).
    ///
    /// # Errors
    /// A malformed entry, naming it.
    pub fn with(specs: &[String]) -> Result<Self, InstructionsError> {
        let mut t = Self::default();
        for spec in specs {
            let (metric, value) = spec
                .split_once('=')
                .ok_or_else(|| InstructionsError::ThresholdSyntax { spec: spec.clone() })?;
            let metric = canonical(metric.trim()).to_owned();
            if value.trim() == "off" {
                t.0.remove(&metric);
                continue;
            }
            let pct =
                bench_core::scenario::gate::parse_percent(value.trim()).map_err(|source| {
                    InstructionsError::ThresholdPercent {
                        spec: spec.clone(),
                        source,
                    }
                })?;
            if !(pct.is_finite() && pct >= 0.0) {
                return Err(InstructionsError::ThresholdRange { spec: spec.clone() });
            }
            t.0.insert(metric, pct);
        }
        Ok(t)
    }
}

/// One metric of one benchmark.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The benchmark.
    pub benchmark: String,
    /// gungraun's metric name.
    pub metric: String,
    /// The baseline's count.
    pub baseline: f64,
    /// The candidate's count.
    pub candidate: f64,
    /// `candidate / baseline − 1` (0 when both are 0).
    pub change: f64,
    /// The threshold, when the metric is gated.
    pub threshold: Option<f64>,
    /// Gated and beyond the threshold.
    pub failed: bool,
}

/// The outcome of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// No gated metric beyond its threshold.
    Pass,
    /// At least one gated metric beyond its threshold.
    Fail,
    /// Not compared: the counts come from different Valgrind versions.
    Refused,
}

/// Everything the gate found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The verdict.
    pub verdict: Outcome,
    /// Why the comparison was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// Valgrind's version on each side (baseline, candidate); several when mixed.
    pub valgrind: (String, String),
    /// Per benchmark and metric.
    pub rows: Vec<Row>,
    /// Benchmarks only in the candidate.
    pub new: Vec<String>,
    /// Benchmarks only in the baseline.
    pub removed: Vec<String>,
    /// Benchmarks whose cache metrics were not compared: the simulated caches differ.
    pub caches_differ: Vec<String>,
    /// The thresholds applied.
    pub thresholds: Thresholds,
}

fn versions(benches: &[Benchmark]) -> String {
    let v: BTreeSet<&str> = benches.iter().map(|b| b.valgrind.as_str()).collect();
    v.into_iter().collect::<Vec<_>>().join(", ")
}

/// Compare `candidate` with `baseline` (one entry per benchmark id on each side).
#[must_use]
pub fn compare(baseline: &[Benchmark], candidate: &[Benchmark], thresholds: &Thresholds) -> Report {
    let base: BTreeMap<&str, &Benchmark> = baseline.iter().map(|b| (b.id.as_str(), b)).collect();
    let cand: BTreeMap<&str, &Benchmark> = candidate.iter().map(|b| (b.id.as_str(), b)).collect();
    let mut report = Report {
        verdict: Outcome::Pass,
        refused: None,
        valgrind: (versions(baseline), versions(candidate)),
        rows: Vec::new(),
        new: cand
            .keys()
            .filter(|k| !base.contains_key(*k))
            .map(|k| (*k).to_owned())
            .collect(),
        removed: base
            .keys()
            .filter(|k| !cand.contains_key(*k))
            .map(|k| (*k).to_owned())
            .collect(),
        caches_differ: Vec::new(),
        thresholds: thresholds.clone(),
    };
    let mut mismatched = Vec::new();
    for (id, c) in &cand {
        let Some(b) = base.get(id) else { continue };
        if b.valgrind != c.valgrind {
            mismatched.push(format!("{id}: Valgrind {} vs {}", b.valgrind, c.valgrind));
            continue;
        }
        let same_caches = b.caches == c.caches;
        if !same_caches {
            report.caches_differ.push((*id).to_owned());
        }
        for (metric, &cv) in &c.metrics {
            let Some(&bv) = b.metrics.get(metric) else {
                continue;
            };
            if !same_caches && is_cache_metric(metric) {
                continue;
            }
            report.rows.push(row(id, metric, bv, cv, thresholds));
        }
    }
    if !mismatched.is_empty() {
        report.verdict = Outcome::Refused;
        report.refused = Some(format!(
            "instruction counts of different Valgrind versions are not comparable (a new \
             baseline is needed): {}",
            mismatched.join("; ")
        ));
    } else if report.rows.iter().any(|r| r.failed) {
        report.verdict = Outcome::Fail;
    }
    report
}

fn row(id: &str, metric: &str, baseline: f64, candidate: f64, t: &Thresholds) -> Row {
    let change = if baseline == 0.0 {
        if candidate == 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    } else {
        candidate / baseline - 1.0
    };
    let threshold = t.0.get(metric).copied();
    Row {
        benchmark: id.to_owned(),
        metric: metric.to_owned(),
        baseline,
        candidate,
        change,
        threshold,
        failed: threshold.is_some_and(|th| change > th),
    }
}

/// The report as the terminal shows it: gated metrics always, the others when they moved.
#[must_use]
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let verdict = match report.verdict {
        Outcome::Pass => "PASS",
        Outcome::Fail => "FAIL",
        Outcome::Refused => "NOT COMPARED",
    };
    let (bv, cv) = &report.valgrind;
    let _ = writeln!(
        out,
        "instructions: {verdict}  (Valgrind {bv} baseline, {cv} candidate)"
    );
    if let Some(why) = &report.refused {
        let _ = writeln!(out, "  {why}");
    }
    let _ = writeln!(
        out,
        "  {:<52} {:<16} {:>14} {:>14} {:>9}  verdict",
        "benchmark", "metric", "baseline", "candidate", "change"
    );
    for r in &report.rows {
        if r.threshold.is_none() && r.change == 0.0 {
            continue;
        }
        let verdict = match (r.threshold, r.failed) {
            (None, _) => "not gated".to_owned(),
            (Some(t), false) => format!("pass (≤ +{:.2}%)", t * 100.0),
            (Some(t), true) => format!("FAIL (> +{:.2}%)", t * 100.0),
        };
        let _ = writeln!(
            out,
            "  {:<52} {:<16} {:>14} {:>14} {:>+8.3}%  {verdict}",
            r.benchmark,
            r.metric,
            r.baseline,
            r.candidate,
            r.change * 100.0
        );
    }
    for (label, list) in [
        ("new (no baseline, not compared)", &report.new),
        ("removed (only in the baseline)", &report.removed),
        (
            "cache metrics not compared (different simulated caches)",
            &report.caches_differ,
        ),
    ] {
        if !list.is_empty() {
            let _ = writeln!(out, "{label}: {}", list.join(", "));
        }
    }
    out
}
