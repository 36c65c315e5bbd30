//! The terminal table of a comparison, as a document for the terminal backend ([`super::text`]):
//! per scenario, each metric's baseline, candidate, change, interval, verdict and power, then
//! the mix's requests, and the trials and family lines.

use bench_core::stats::{Metric, Verdict};

use super::text;
use crate::report::document::{plain, Block, Cell, Document, Span, Table};
use crate::report::format::{fmt_change, fmt_rate, fmt_seconds, fmt_threshold, mark, truncate};
use crate::report::tables;
use crate::verdict::{RequestVerdict, ScenarioVerdict, VerdictReport};

/// The terminal table of a comparison.
#[must_use]
pub fn verdict(report: &VerdictReport) -> String {
    text::render(&document(report))
}

/// The comparison as the terminal shows it: shorter than the markdown and HTML report
/// ([`crate::report::outline`]), one table per scenario.
#[must_use]
pub fn document(report: &VerdictReport) -> Document {
    let mut blocks: Vec<Block> = report.scenarios.iter().map(scenario).collect();
    for (label, names) in [
        ("new (no baseline, not compared)", &report.new),
        ("removed (only in the baseline)", &report.removed),
    ] {
        if !names.is_empty() {
            blocks.push(Block::Paragraph(vec![plain(format!(
                "{label}: {}",
                names.join(", ")
            ))]));
        }
    }
    let mut run = Vec::new();
    if let Some(t) = &report.trials {
        run.push(plain(format!(
            "trials: {} pairs per scenario ({} order, seed {}), looks at {:?}, stopped: {:?}, {}",
            t.pairs,
            t.order,
            t.seed,
            t.looks,
            t.stopped,
            fmt_seconds(t.wall_s)
        )));
    }
    if let Some(f) = &report.family {
        if !run.is_empty() {
            run.push(Span::Break);
        }
        run.push(plain(format!(
            "family: {} gated comparisons, fails held to {:.2}% family-wise ({})",
            f.comparisons,
            f.level * 100.0,
            f.method
        )));
    }
    if !run.is_empty() {
        blocks.push(Block::Paragraph(run));
    }
    let mut legend = vec![plain("* gated metric; others are informational")];
    if report.scenarios.iter().any(|s| !s.requests.is_empty()) {
        legend.extend([
            Span::Break,
            plain(
                "· request of a mix: its gated metrics on its own histograms; a failed request \
                 fails the scenario",
            ),
        ]);
    }
    blocks.push(Block::Note(legend));
    Document {
        title: vec![plain(format!(
            "verdict: {}  (baseline: {})",
            mark(report.verdict).to_uppercase(),
            report.baseline_source
        ))],
        verdict: Some(report.verdict),
        blocks,
    }
}

/// One scenario: its line, the metric table and its mix requests.
fn scenario(s: &ScenarioVerdict) -> Block {
    let heading = format!(
        "scenario {}: {}  ({} baseline vs {} candidate trials, {:?} method, threshold {})",
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
    let mut blocks = Vec::new();
    if let Some(reason) = &s.reason {
        blocks.push(Block::Quote(vec![plain(truncate(reason, 300))]));
    }
    blocks.push(Block::Table(metric_table(s)));
    if let Some(why) = s.capacity.as_ref().and_then(|c| c.reason.as_ref()) {
        blocks.push(Block::Paragraph(vec![plain(format!(
            "capacity: {}",
            truncate(why, 300)
        ))]));
    }
    blocks.extend(s.requests.iter().map(request_line));
    Block::Section {
        heading: vec![plain(heading)],
        blocks,
    }
}

/// The metric table of the reports (a gated metric emphasised) with the capacity row under it,
/// its columns as wide in every scenario.
fn metric_table(s: &ScenarioVerdict) -> Table {
    let mut t = tables::metrics(s, ("baseline", "candidate"));
    if let Some(c) = &s.capacity {
        t.rows.push(vec![
            Cell::strong("capacity", true),
            Cell::plain(c.baseline_rps.map_or("–".into(), fmt_rate)),
            Cell::plain(fmt_rate(c.candidate_rps)),
            Cell::plain(fmt_change(Metric::Throughput, c.change)),
            Cell::plain(format!(
                "must not fall > {}",
                fmt_threshold(Metric::Throughput, c.threshold)
            )),
            Cell::verdict(c.verdict, true),
            Cell::plain(""),
        ]);
    }
    t.min_width = vec![12, 10, 10, 9, 21, 12];
    t
}

/// One mix request's line: its verdict, its gated changes and why it did not pass.
fn request_line(r: &RequestVerdict) -> Block {
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
    Block::Paragraph(vec![plain(format!(
        "· {:<20} {:<12} {}{why}",
        truncate(&r.request, 20),
        mark(r.verdict),
        gated.join(", ")
    ))])
}
