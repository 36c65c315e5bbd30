//! The report of a saturation run: a step table and the headline for the terminal, and the chart
//! of latency and throughput against the offered load.

use std::fmt::Write as _;

use bench_core::result::RunResult;
use bench_core::saturation::Saturation;
use bench_core::steps::Dimension;

use super::chart::{Axis, AxisScale, Chart, Line, Marker, Side};
use super::finding::{failure_words, sentence};
use super::format::{fmt_level, fmt_rate, fmt_seconds, fmt_share, fmt_us};

/// The terminal report of a saturation run: a row per step, then what the analysis found.
#[must_use]
pub fn summary(r: &RunResult, sat: &Saturation) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {}  ({}, saturation: {} steps, {} measured{})",
        r.meta.scenario,
        r.meta.protocol,
        sat.steps.len(),
        fmt_seconds(r.duration_s),
        if r.cancelled { ", interrupted" } else { "" }
    );
    step_rows(&mut out, sat);
    let _ = writeln!(
        out,
        "  (SAT = saturation point; over = not sustained: {})",
        criteria_words(sat)
    );
    analysis_lines(&mut out, sat);
    if let Some(req) = &sat.requirement {
        let mark = if req.passed { "ok  " } else { "FAIL" };
        let sustained = req.sustained_rps.map_or("nothing".to_owned(), fmt_rate);
        let _ = writeln!(
            out,
            "  must {mark} sustain {}  (sustained {sustained})",
            req.requirement
        );
    }
    out
}

/// The step table: level, achieved and goodput rates, latency, errors, the step's mark (ok,
/// over, SAT) and its failures by kind.
fn step_rows(out: &mut String, sat: &Saturation) {
    let level = match sat.dimension {
        Dimension::Rate => "offered/s",
        Dimension::Workers => "workers",
    };
    let _ = writeln!(
        out,
        "  {level:>10} {:>10} {:>10} {:>9} {:>9} {:>9} {:>7}  {:<6} failures",
        "achieved/s", "goodput/s", "p50", "p95", "p99", "errors", "step"
    );
    let a = &sat.analysis;
    for (s, v) in sat.steps.iter().zip(&a.steps) {
        let p = &s.summary.latency_us;
        let failures: Vec<String> = s
            .failures()
            .iter()
            .map(|(label, n)| format!("{label}: {n}"))
            .collect();
        let mark = if a.saturation_level == Some(s.level) {
            "SAT"
        } else if v.healthy {
            "ok"
        } else {
            "over"
        };
        let _ = writeln!(
            out,
            "  {:>10} {:>10.1} {:>10.1} {:>9} {:>9} {:>9} {:>7}  {mark:<6} {}",
            fmt_level(s.level),
            s.achieved_rps,
            s.goodput_rps(),
            fmt_us(p.p50),
            fmt_us(p.p95),
            fmt_us(p.p99),
            fmt_share(s.summary.error_rate),
            failures.join("  ")
        );
    }
}

/// The knee, why the breach step failed, the failure signature, an early stop and the finding.
fn analysis_lines(out: &mut String, sat: &Saturation) {
    let a = &sat.analysis;
    if let Some(knee) = a.knee_level {
        let _ = writeln!(
            out,
            "  knee     latency starts to queue at {}",
            sat.dimension.format(knee)
        );
    }
    if let Some(why) = a
        .breach_level
        .and_then(|b| sat.steps.iter().position(|s| s.level == b))
        .and_then(|i| a.steps.get(i))
    {
        let _ = writeln!(out, "  breach   {}", why.reasons.join("; "));
    }
    for f in &a.signature {
        let _ = writeln!(
            out,
            "  failure  {} from {}: {} calls ({} at the breach)",
            failure_words(&f.label),
            sat.dimension.format(f.from_level),
            f.count,
            fmt_share(f.share)
        );
    }
    if let Some(why) = &sat.stopped_early {
        let _ = writeln!(out, "  stopped  {why}");
    }
    let _ = writeln!(out, "  finding  {}", sentence(&sat.finding()));
}

fn criteria_words(sat: &Saturation) -> String {
    let mut parts = vec![format!(
        "goodput below {:.0}% of the offered load",
        (1.0 - sat.tolerance) * 100.0
    )];
    parts.extend(sat.slo.iter().map(|s| format!("not {s}")));
    parts.join(", or ")
}

/// Latency (p50, p95, p99; log scale) and throughput (achieved, goodput, offered) against the
/// offered load, with the saturation point and the knee marked.
#[must_use]
pub fn chart(r: &RunResult, sat: &Saturation) -> Chart {
    let x_label = match sat.dimension {
        Dimension::Rate => "offered load (req/s)",
        Dimension::Workers => "workers",
    };
    let latency = |name: &str, color, pick: fn(&bench_core::result::Percentiles) -> u64| Line {
        name: name.into(),
        side: Side::Left,
        points: sat
            .steps
            .iter()
            .map(|s| (s.level, pick(&s.summary.latency_us) as f64 / 1000.0))
            .collect(),
        color,
        reference: false,
    };
    let throughput = |name: &str, color, reference, f: &dyn Fn(usize) -> f64| Line {
        name: name.into(),
        side: Side::Right,
        points: sat
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| (s.level, f(i)))
            .collect(),
        color,
        reference,
    };
    let mut lines = vec![
        latency("p50 latency", (120, 170, 230), |p| p.p50),
        latency("p95 latency", (240, 150, 40), |p| p.p95),
        latency("p99 latency", (200, 40, 40), |p| p.p99),
        throughput("achieved req/s", (60, 60, 60), false, &|i| {
            sat.steps[i].achieved_rps
        }),
        throughput("goodput req/s", (30, 140, 60), false, &|i| {
            sat.steps[i].goodput_rps()
        }),
    ];
    lines.push(throughput(
        match sat.dimension {
            Dimension::Rate => "offered req/s",
            Dimension::Workers => "needed to keep up",
        },
        (150, 150, 150),
        true,
        &|i| sat.analysis.steps.get(i).map_or(0.0, |v| v.expected_rps),
    ));
    let mut markers = Vec::new();
    if let Some(level) = sat.analysis.saturation_level {
        markers.push(Marker {
            x: level,
            label: format!(" saturation {}", sat.dimension.format(level)),
            color: (0, 110, 0),
        });
    }
    if let Some(level) = sat.analysis.knee_level {
        markers.push(Marker {
            x: level,
            label: format!(" knee {}", sat.dimension.format(level)),
            color: (170, 90, 0),
        });
    }
    Chart {
        title: format!(
            "{}: latency and throughput by offered load",
            r.meta.scenario
        ),
        x: Axis::new(x_label, AxisScale::Linear),
        left: Axis::new("CO-correct latency (ms, log scale)", AxisScale::Log),
        right: Some(Axis::new("throughput (req/s)", AxisScale::Linear)),
        lines,
        markers,
        size: (960, 560),
    }
}
