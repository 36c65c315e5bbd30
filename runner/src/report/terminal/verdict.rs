//! The terminal table of a comparison: per scenario, each metric's baseline, candidate, change,
//! interval, verdict and power, then the mix's requests and the trials and family lines.

use std::fmt::Write as _;

use bench_core::stats::{Metric, Verdict};

use crate::report::format::{
    fmt_change, fmt_confidence, fmt_interval, fmt_metric_value, fmt_rate, fmt_seconds,
    fmt_threshold, mark, power, truncate,
};
use crate::verdict::{RequestVerdict, ScenarioVerdict, VerdictReport};

/// The terminal table of a comparison.
#[must_use]
pub fn verdict(report: &VerdictReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "verdict: {}  (baseline: {})",
        mark(report.verdict).to_uppercase(),
        report.baseline_source
    );
    for s in &report.scenarios {
        scenario_verdict(&mut out, s);
    }
    for (label, names) in [
        ("new (no baseline, not compared)", &report.new),
        ("removed (only in the baseline)", &report.removed),
    ] {
        if !names.is_empty() {
            let _ = writeln!(out, "\n{label}: {}", names.join(", "));
        }
    }
    if let Some(t) = &report.trials {
        let _ =
            writeln!(
            out,
            "\ntrials: {} pairs per scenario ({} order, seed {}), looks at {:?}, stopped: {:?}, {}",
            t.pairs, t.order, t.seed, t.looks, t.stopped, fmt_seconds(t.wall_s)
        );
    }
    if let Some(f) = &report.family {
        let _ = writeln!(
            out,
            "family: {} gated comparisons, fails held to {:.2}% family-wise ({})",
            f.comparisons,
            f.level * 100.0,
            f.method
        );
    }
    let _ = writeln!(out, "\n  * gated metric; others are informational");
    if report.scenarios.iter().any(|s| !s.requests.is_empty()) {
        let _ = writeln!(
            out,
            "  · request of a mix: its gated metrics on its own histograms; a failed request fails the scenario"
        );
    }
    out
}

/// One scenario of [`verdict`]: its line, the metric table (columns as wide as their widest
/// cell) and its mix requests.
fn scenario_verdict(out: &mut String, s: &ScenarioVerdict) {
    let _ = writeln!(
        out,
        "\nscenario {}: {}  ({} baseline vs {} candidate trials, {:?} method, threshold {})",
        s.scenario,
        mark(s.verdict),
        s.metrics
            .first()
            .map_or(s.baseline_runs.len(), |m| m.comparison.baseline_trials),
        s.metrics
            .first()
            .map_or(s.candidate_runs.len(), |m| m.comparison.candidate_trials),
        s.used_method(),
        fmt_threshold(Metric::Mean, s.settings.threshold)
    );
    if let Some(reason) = &s.reason {
        let _ = writeln!(out, "  {}", truncate(reason, 300));
    }
    metric_table(out, s);
    for r in &s.requests {
        request_line(out, r);
    }
}

/// The metric rows (and the capacity row) of one scenario.
fn metric_table(out: &mut String, s: &ScenarioVerdict) {
    let mut rows: Vec<[String; 6]> = vec![[
        "metric".into(),
        "baseline".into(),
        "candidate".into(),
        "change".into(),
        format!("{} interval", fmt_confidence(s.settings.confidence)),
        "verdict".into(),
    ]];
    let mut tails = vec!["noise, MDE, trials".to_owned()];
    for m in &s.metrics {
        let c = &m.comparison;
        rows.push([
            format!("{}{}", c.metric, if m.gated { " *" } else { "" }),
            fmt_metric_value(c.metric, c.baseline),
            fmt_metric_value(c.metric, c.candidate),
            fmt_change(c.metric, c.change),
            fmt_interval(c.metric, c.ci_low, c.ci_high),
            mark(c.verdict).to_owned(),
        ]);
        tails.push(power(c));
    }
    if let Some(c) = &s.capacity {
        rows.push([
            "capacity *".into(),
            c.baseline_rps.map_or("–".into(), fmt_rate),
            fmt_rate(c.candidate_rps),
            fmt_change(Metric::Throughput, c.change),
            format!(
                "must not fall > {}",
                fmt_threshold(Metric::Throughput, c.threshold)
            ),
            mark(c.verdict).to_owned(),
        ]);
        tails.push(String::new());
    }
    let width = |i: usize, min: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .max()
            .unwrap_or(0)
            .max(min)
    };
    let w = [
        width(0, 12),
        width(1, 10),
        width(2, 10),
        width(3, 9),
        width(4, 21),
        width(5, 12),
    ];
    for (r, tail) in rows.iter().zip(&tails) {
        let line = format!(
            "  {:<w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$}  {:<w5$}  {tail}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2],
            w3 = w[3],
            w4 = w[4],
            w5 = w[5],
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    if let Some(why) = s.capacity.as_ref().and_then(|c| c.reason.as_ref()) {
        let _ = writeln!(out, "  capacity: {}", truncate(why, 300));
    }
}

/// One mix request's line: its verdict, its gated changes and why it did not pass.
fn request_line(out: &mut String, r: &RequestVerdict) {
    let gated: Vec<String> = r
        .metrics
        .iter()
        .filter(|m| m.gated)
        .map(|m| {
            format!(
                "{} {}",
                m.comparison.metric,
                fmt_change(m.comparison.metric, m.comparison.change)
            )
        })
        .collect();
    let why = r
        .reason
        .as_deref()
        .filter(|_| r.verdict != Verdict::Pass)
        .map(|w| format!("  ({})", truncate(w, 160)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  · {:<20} {:<12} {}{why}",
        truncate(&r.request, 20),
        mark(r.verdict),
        gated.join(", ")
    );
}
