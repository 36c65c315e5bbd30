//! The outline of a comparison's report, written once for every format: the headline, the
//! commits and the run, a line of context, then per scenario its verdict, tables, findings,
//! charts and collapsed details, then the new and removed scenarios.

use bench_core::stats::Verdict;

use super::charts::Rendered;
use super::document::{code, is_plain_url, plain, strong, Block, Document, Figure, Span, Text};
use super::format::truncate;
use super::tables;
use super::wording::{findings, headline, mark, method, side_labels, word};
use crate::verdict::{ScenarioVerdict, VerdictReport};

/// The report of `report`, with `figures` under their scenarios.
#[must_use]
pub fn document(report: &VerdictReport, figures: &[Figure]) -> Document {
    let (base, cand) = side_labels(report);
    let mut blocks = provenance(report);
    blocks.push(context(report, &base));
    for s in &report.scenarios {
        blocks.push(scenario(s, (&base, &cand), figures));
    }
    for (label, names) in [
        ("🆕 New (no baseline yet, not compared)", &report.new),
        ("🗑️ Removed (only in the baseline)", &report.removed),
    ] {
        if !names.is_empty() {
            let mut text = vec![strong(format!("{label}:")), plain(" ")];
            for (i, n) in names.iter().enumerate() {
                if i > 0 {
                    text.push(plain(", "));
                }
                text.push(code(n));
            }
            blocks.push(Block::Paragraph(text));
        }
    }
    Document {
        title: vec![plain(headline(report))],
        verdict: Some(report.verdict),
        blocks,
    }
}

/// The charts as figures linked at `url` (`<url>/<stem>.png`), for the markdown.
#[must_use]
pub fn linked(charts: &[Rendered], url: &str) -> Vec<Figure> {
    charts
        .iter()
        .map(|c| Figure {
            scenario: c.scenario.clone(),
            title: c.title.clone(),
            url: Some(format!("{}/{}.png", url.trim_end_matches('/'), c.stem)),
            svg: None,
        })
        .collect()
}

/// The charts as figures with their SVG, for the HTML page.
#[must_use]
pub fn inline(charts: &[Rendered]) -> Vec<Figure> {
    charts
        .iter()
        .map(|c| Figure {
            scenario: c.scenario.clone(),
            title: c.title.clone(),
            url: None,
            svg: Some(c.svg.clone()),
        })
        .collect()
}

/// The commits of both sides and the run, and a warning when the run failed although the
/// verdicts show no regression (a step errored before it wrote its verdict).
fn provenance(report: &VerdictReport) -> Vec<Block> {
    let Some(p) = &report.provenance else {
        return Vec::new();
    };
    let run = |url: &str| Span::Link {
        text: "workflow run".into(),
        url: url.to_owned(),
    };
    let mut parts: Vec<Text> = Vec::new();
    for (word, sha) in [("base", &p.base_sha), ("head", &p.head_sha)] {
        if let Some(sha) = sha {
            parts.push(vec![plain(format!("{word} ")), code(sha)]);
        }
    }
    let url = p.run_url.as_deref().filter(|u| is_plain_url(u));
    if let Some(url) = url {
        parts.push(vec![run(url)]);
    }
    let mut blocks = Vec::new();
    if !parts.is_empty() {
        blocks.push(Block::Paragraph(parts.join(&plain(" · "))));
    }
    let failed = p.conclusion.as_deref().is_some_and(|c| c != "success");
    if failed && report.verdict != Verdict::Fail {
        blocks.push(Block::Quote(vec![
            plain("❌ The check concluded "),
            code(p.conclusion.as_deref().unwrap_or_default()),
            plain(
                " although no regression is shown here: a step failed before it wrote its \
                 verdict; see the ",
            ),
            url.map_or(plain("workflow run"), run),
            plain("."),
        ]));
    }
    blocks
}

/// "2 scenarios · main: `store:main …` · ❌ 1 fail · ✅ 1 pass".
fn context(report: &VerdictReport, base: &str) -> Block {
    let count = |v: Verdict| report.scenarios.iter().filter(|s| s.verdict == v).count();
    let tally: Vec<String> = [Verdict::Fail, Verdict::Inconclusive, Verdict::Pass]
        .into_iter()
        .filter(|v| count(*v) > 0)
        .map(|v| format!("{} {} {}", mark(v), count(v), word(v)))
        .collect();
    let n = report.scenarios.len();
    Block::Paragraph(vec![
        plain(format!("{n} scenario{} · ", if n == 1 { "" } else { "s" })),
        plain(base),
        plain(": "),
        code(truncate(&report.baseline_source, 100)),
        plain(format!(" · {}", tally.join(" · "))),
    ])
}

fn scenario(s: &ScenarioVerdict, labels: (&str, &str), figures: &[Figure]) -> Block {
    let mut blocks = Vec::new();
    if let Some(w) = &s.baseline_window {
        blocks.push(Block::Paragraph(vec![plain(format!(
            "Baseline: {}",
            w.reason
        ))]));
    }
    if let Some(reason) = &s.reason {
        blocks.push(Block::Quote(vec![plain(reason)]));
    }
    blocks.push(Block::Table(tables::metrics(s, labels)));
    blocks.push(Block::Note(vec![plain(
        "Gated metrics in bold. Latency is CO-correct: counted from each request's intended \
         send time.",
    )]));
    if let Some(t) = tables::capacity(s, labels) {
        blocks.push(Block::Heading(vec![
            strong("Capacity"),
            plain(" (saturation)"),
        ]));
        blocks.push(Block::Table(t));
        if let Some(ev) = &s.evidence {
            let lines = findings(ev, labels);
            blocks.push(Block::List(
                lines.into_iter().map(|l| vec![plain(l)]).collect(),
            ));
        }
    }
    if let Some(ev) = &s.evidence {
        if let Some(t) = tables::slos(ev, labels) {
            blocks.push(Block::Heading(vec![strong("SLOs")]));
            blocks.push(Block::Table(t));
        }
        if let Some(chart) = super::mermaid::p99_per_second(&s.scenario, ev, labels) {
            blocks.push(Block::Mermaid(chart));
        }
    }
    let mine: Vec<Figure> = figures
        .iter()
        .filter(|f| f.scenario == s.scenario)
        .cloned()
        .collect();
    if !mine.is_empty() {
        blocks.push(Block::Figures(mine));
    }
    blocks.push(details(s, labels));
    Block::Section {
        heading: vec![
            plain(format!("{} ", mark(s.verdict))),
            code(&s.scenario),
            plain(format!(" — {}", word(s.verdict))),
        ],
        blocks,
    }
}

/// Method, trials, environment and configuration, collapsed.
fn details(s: &ScenarioVerdict, labels: (&str, &str)) -> Block {
    let mut blocks = vec![Block::Paragraph(vec![
        strong("Method."),
        plain(format!(" {}", method(s))),
    ])];
    if let Some(ev) = &s.evidence {
        let heading = |h: String| Block::Heading(vec![strong(h)]);
        blocks.push(heading("Trials".into()));
        blocks.push(Block::Table(tables::trials(ev, labels)));
        blocks.push(heading("Environment".into()));
        blocks.push(Block::Table(tables::environment(ev, labels)));
        if !ev.candidate.config.is_null() {
            let json = serde_json::to_string_pretty(&ev.candidate.config).unwrap_or_default();
            blocks.push(heading(format!("Configuration ({})", labels.1)));
            blocks.push(Block::Code {
                lang: "json",
                text: json,
            });
        }
        if let Some(t) = tables::config_changes(ev, labels) {
            blocks.push(heading("Configuration differences".into()));
            blocks.push(Block::Table(t));
        }
    }
    Block::Details {
        summary: "Details: method, trials, environment, configuration".into(),
        blocks,
    }
}
