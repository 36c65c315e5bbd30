//! The outline of the history report, written once for every format (terminal, markdown, HTML,
//! through the report document's backends): the title, a line of what was read and how, the
//! change points (or that there are none), then a section per chart given — the chart and,
//! collapsed, the commits of its series.

use super::{fmt_change, label, ChangePointRow, HistoryReport, Series};
use crate::report::document::{code, plain, Align, Block, Cell, Document, Figure, Table};
use crate::report::format::fmt_unit_value as fmt_value;

/// The report of `report`; each figure (its `scenario` the series' [`label`]) gets a section
/// with its series' commits. No figures, no sections (the terminal).
#[must_use]
pub fn document(report: &HistoryReport, figures: &[Figure]) -> Document {
    let mut blocks = vec![context(report)];
    blocks.push(if report.change_points.is_empty() {
        Block::Paragraph(vec![plain("No change points.")])
    } else {
        Block::Table(change_points(report))
    });
    for f in figures {
        let series = report
            .series
            .iter()
            .find(|s| label(&s.scenario, s.request.as_deref(), s.metric) == f.scenario);
        if let Some(s) = series {
            blocks.push(section(report, s, f));
        }
    }
    Document {
        title: vec![plain("History of "), code(&report.branch)],
        verdict: None,
        blocks,
    }
}

/// The caption of a series' chart.
#[must_use]
pub fn caption(label: &str) -> String {
    format!(
        "{label}: one point per commit, the level of each segment in grey, change points marked"
    )
}

/// What was read and how the change points were found.
fn context(report: &HistoryReport) -> Block {
    let s = &report.settings;
    Block::Paragraph(vec![
        plain(format!("{} series from ", report.series.len())),
        code(&report.source),
        plain(format!(
            ", {} change point(s); e-divisive means with alpha {}, minimum segment {} commits, \
             {} permutations (seed {}), smallest change {}. See docs/history.md.",
            report.change_points.len(),
            s.alpha,
            s.min_segment,
            s.permutations,
            s.seed,
            report.min_change
        )),
    ])
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

/// One row per change point: where, the levels either side, the change, its p-value.
fn change_points(report: &HistoryReport) -> Table {
    use Align::{Left, Right};
    let rows = report
        .change_points
        .iter()
        .map(|c| {
            let unit = unit_of(report, c);
            vec![
                Cell::plain(label(&c.scenario, c.request.as_deref(), c.metric)),
                Cell::plain(c.index.to_string()),
                Cell::code(short(c.commit.as_deref())),
                Cell::code(&c.run_id),
                Cell::plain(&c.time),
                Cell::plain(fmt_value(unit, c.before)),
                Cell::plain(fmt_value(unit, c.after)),
                Cell::plain(fmt_change(c)),
                Cell::plain(format!("{:.4}", c.p_value)),
                Cell::plain(note(c)),
            ]
        })
        .collect();
    Table {
        header: [
            "series", "index", "commit", "run", "time", "before", "after", "change", "p", "note",
        ]
        .map(String::from)
        .to_vec(),
        align: vec![
            Left, Right, Left, Left, Left, Right, Right, Right, Right, Left,
        ],
        rows,
        min_width: Vec::new(),
    }
}

/// A series' chart, and its commits collapsed under it.
fn section(report: &HistoryReport, s: &Series, figure: &Figure) -> Block {
    use Align::{Left, Right};
    let rows = s
        .points
        .iter()
        .map(|p| {
            let cp = report.change_points.iter().find(|c| {
                c.scenario == s.scenario
                    && c.metric == s.metric
                    && c.request == s.request
                    && c.index == p.index
            });
            vec![
                Cell::plain(p.index.to_string()),
                Cell::code(p.commit.as_deref().unwrap_or("–")),
                Cell::plain(&p.time),
                Cell::code(p.run_ids.join(" ")),
                Cell::plain(fmt_value(&s.unit, p.value)),
                cp.map_or_else(Cell::default, |c| {
                    Cell::strong(
                        format!("{} (p {:.4})", fmt_change(c), c.p_value),
                        c.regression,
                    )
                }),
            ]
        })
        .collect();
    let commits = Table {
        header: [
            "index",
            "commit",
            "time",
            "runs",
            s.metric.name(),
            "change point",
        ]
        .map(String::from)
        .to_vec(),
        align: vec![Right, Left, Left, Left, Right, Left],
        rows,
        min_width: Vec::new(),
    };
    Block::Section {
        heading: vec![plain(&figure.scenario)],
        blocks: vec![
            Block::Figures(vec![figure.clone()]),
            Block::Details {
                summary: format!("{} commits", s.points.len()),
                blocks: vec![Block::Table(commits)],
            },
        ],
    }
}
