//! The history in every format: the terminal text, the markdown section (chart images linked)
//! and the HTML page (charts inline) are one document ([`super::outline`]) rendered by the
//! report's backends. Pure functions returning strings; the command writes them.

use super::outline::{caption, document};
use super::{HistoryReport, Series};
use crate::report::charts::Rendered;
use crate::report::document::Figure;
use crate::report::{html, markdown, terminal};

/// The terminal text: the change points, no charts.
#[must_use]
pub fn terminal(report: &HistoryReport) -> String {
    terminal::render(&document(report, &[]))
}

/// A chart of a series in the markdown: its title and the relative path of its PNG.
#[derive(Debug, Clone)]
pub struct ChartLink {
    /// Series label.
    pub label: String,
    /// Relative path of the PNG.
    pub png: String,
}

/// The markdown section: the change points and the charts, each with its commits.
#[must_use]
pub fn markdown(report: &HistoryReport, charts: &[ChartLink]) -> String {
    let figures: Vec<Figure> = charts
        .iter()
        .map(|c| Figure {
            scenario: c.label.clone(),
            title: caption(&c.label),
            url: Some(c.png.clone()),
            svg: None,
        })
        .collect();
    markdown::render(&document(report, &figures))
}

/// The HTML page; `charts[i]` is the chart of `series[i]`.
#[must_use]
pub fn html(report: &HistoryReport, series: &[&Series], charts: &[Rendered]) -> String {
    let figures: Vec<Figure> = series
        .iter()
        .zip(charts)
        .map(|(s, c)| {
            let label = super::label(&s.scenario, s.request.as_deref(), s.metric);
            Figure {
                title: caption(&label),
                scenario: label,
                url: None,
                svg: Some(c.svg.clone()),
            }
        })
        .collect();
    html::render(&document(report, &figures))
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
