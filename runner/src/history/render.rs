//! The history as text: the terminal table and the markdown section (with chart links) for the
//! report. Pure functions returning strings; the command writes them.

use std::fmt::Write as _;

use super::{label, ChangePointRow, HistoryReport, Series};
use crate::report::format::fmt_us;

/// A value in its series' unit.
#[must_use]
pub fn fmt_value(unit: &str, v: f64) -> String {
    match unit {
        "req/s" => format!("{v:.1}/s"),
        "ratio" => format!("{:.2}%", v * 100.0),
        "ns" if v < 1_000.0 => format!("{v:.1}ns"),
        "ns" => fmt_us((v / 1_000.0).round().max(0.0) as u64),
        _ => fmt_us(v.round().max(0.0) as u64),
    }
}

/// A change: relative in %, or percentage points for rates.
#[must_use]
pub fn fmt_change(c: &ChangePointRow) -> String {
    bench_core::format::fmt_signed_change(c.metric.is_ratio(), c.change)
}

fn short(commit: Option<&str>) -> String {
    commit.map_or_else(|| "–".to_owned(), |c| c.chars().take(10).collect())
}

fn unit_of<'a>(report: &'a HistoryReport, c: &ChangePointRow) -> &'a str {
    report
        .series
        .iter()
        .find(|s| s.scenario == c.scenario && s.metric == c.metric && s.request == c.request)
        .map_or("us", |s| s.unit.as_str())
}

fn note(c: &ChangePointRow) -> &'static str {
    match (c.regression, c.new) {
        (true, true) => "regression, NEW",
        (true, false) => "regression",
        (false, true) => "improvement, NEW",
        (false, false) => "improvement",
    }
}

/// The terminal table: one line per change point, then a line per series without any.
#[must_use]
pub fn terminal(report: &HistoryReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "history of {} in {}: {} series, {} change point(s) (alpha {}, min segment {}, min change {})",
        report.branch,
        report.source,
        report.series.len(),
        report.change_points.len(),
        report.settings.alpha,
        report.settings.min_segment,
        report.min_change
    );
    if report.change_points.is_empty() {
        let _ = writeln!(out, "  no change points");
    } else {
        let _ = writeln!(
            out,
            "  {:<34} {:>5}  {:<10}  {:>10} {:>10} {:>8}  {:>7}  note",
            "series", "index", "commit", "before", "after", "change", "p"
        );
    }
    for c in &report.change_points {
        let unit = unit_of(report, c);
        let _ = writeln!(
            out,
            "  {:<34} {:>5}  {:<10}  {:>10} {:>10} {:>8}  {:>7.4}  {}",
            label(&c.scenario, c.request.as_deref(), c.metric),
            c.index,
            short(c.commit.as_deref()),
            fmt_value(unit, c.before),
            fmt_value(unit, c.after),
            fmt_change(c),
            c.p_value,
            note(c)
        );
    }
    out
}

/// A chart of a series in the markdown: its title and the relative path of its PNG.
#[derive(Debug, Clone)]
pub struct ChartLink {
    /// Series label.
    pub label: String,
    /// Relative path of the PNG.
    pub png: String,
}

/// The markdown section: a table of change points and the charts.
#[must_use]
pub fn markdown(report: &HistoryReport, charts: &[ChartLink]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## History of `{}`\n", report.branch);
    let _ = writeln!(
        out,
        "{} series from {}; change points by e-divisive means (alpha {}, minimum segment {} \
         commits, {} permutations, smallest change {}). See docs/history.md.\n",
        report.series.len(),
        report.source,
        report.settings.alpha,
        report.settings.min_segment,
        report.settings.permutations,
        report.min_change
    );
    if report.change_points.is_empty() {
        let _ = writeln!(out, "No change points.\n");
    } else {
        let _ = writeln!(
            out,
            "| series | from commit | run | time | before | after | change | p | |\n\
             |---|---|---|---|---:|---:|---:|---:|---|"
        );
        for c in &report.change_points {
            let unit = unit_of(report, c);
            let _ = writeln!(
                out,
                "| {} | `{}` | `{}` | {} | {} | {} | **{}** | {:.4} | {} |",
                label(&c.scenario, c.request.as_deref(), c.metric),
                short(c.commit.as_deref()),
                c.run_id,
                c.time,
                fmt_value(unit, c.before),
                fmt_value(unit, c.after),
                fmt_change(c),
                c.p_value,
                note(c)
            );
        }
        out.push('\n');
    }
    for c in charts {
        let _ = writeln!(out, "![{}]({})\n", c.label, c.png);
    }
    out
}

/// Series that a chart is drawn for: the whole-scenario series of each metric (requests of a
/// mix only when they have a change point).
#[must_use]
pub fn charted(report: &HistoryReport) -> Vec<&Series> {
    report
        .series
        .iter()
        .filter(|s| {
            s.request.is_none()
                || report.change_points.iter().any(|c| {
                    c.scenario == s.scenario && c.metric == s.metric && c.request == s.request
                })
        })
        .collect()
}
