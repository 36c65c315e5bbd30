//! `tailguard history --html DIR`: one self-contained page (styles and SVG charts inline) with a
//! chart per series, change points marked, and each series' commits in a table — the trend view
//! for teams on the file store without Grafana.

use std::fmt::Write as _;

use super::render::{fmt_change, fmt_value};
use super::{label, HistoryReport, Series};
use crate::report::charts::Rendered;
use crate::report::html::{esc, strip_prolog, STYLE};

const EXTRA: &str = "tr.cp td { background: #ffebe9; } tr.cp.better td { background: #dafbe1; }";

/// The page; `charts[i]` is the chart of `series[i]`.
#[must_use]
pub fn render(report: &HistoryReport, series: &[&Series], charts: &[Rendered]) -> String {
    let title = format!("tailguard history of {}", report.branch);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}{EXTRA}</style>\n</head>\n<body>\n<h1>{}</h1>",
        esc(&title),
        esc(&title)
    );
    let _ = writeln!(
        out,
        "<p>{} series from <code>{}</code>, {} change point(s); e-divisive means with alpha {}, \
         minimum segment {} commits, {} permutations (seed {}), smallest change {}.</p>",
        report.series.len(),
        esc(&report.source),
        report.change_points.len(),
        report.settings.alpha,
        report.settings.min_segment,
        report.settings.permutations,
        report.settings.seed,
        esc(&report.min_change.to_string())
    );
    for (s, chart) in series.iter().zip(charts) {
        section(&mut out, report, s, chart);
    }
    let _ = writeln!(out, "</body>\n</html>");
    out
}

fn section(out: &mut String, report: &HistoryReport, s: &Series, chart: &Rendered) {
    let name = label(&s.scenario, s.request.as_deref(), s.metric);
    let _ = writeln!(
        out,
        "<section>\n<h2>{}</h2>\n<figure>{}<figcaption>{}: one point per commit, the level \
         of each segment in grey, change points marked.</figcaption></figure>",
        esc(&name),
        strip_prolog(&chart.svg),
        esc(&name)
    );
    let _ = writeln!(
        out,
        "<details><summary>{} commits</summary>\n<table>\n<tr><th>#</th><th>commit</th>\
         <th>time</th><th>runs</th><th>{}</th><th>change point</th></tr>",
        s.points.len(),
        esc(s.metric.name())
    );
    for p in &s.points {
        let cp = report.change_points.iter().find(|c| {
            c.scenario == s.scenario
                && c.metric == s.metric
                && c.request == s.request
                && c.index == p.index
        });
        let (class, note) = match cp {
            Some(c) if c.regression => (
                " class=\"cp\"",
                format!("{} (p {:.4})", fmt_change(c), c.p_value),
            ),
            Some(c) => (
                " class=\"cp better\"",
                format!("{} (p {:.4})", fmt_change(c), c.p_value),
            ),
            None => ("", String::new()),
        };
        let _ = writeln!(
            out,
            "<tr{class}><td class=\"r\">{}</td><td><code>{}</code></td><td>{}</td>\
             <td><code>{}</code></td><td class=\"r\">{}</td><td>{}</td></tr>",
            p.index,
            esc(p.commit.as_deref().unwrap_or("–")),
            esc(&p.time),
            esc(&p.run_ids.join(" ")),
            esc(&fmt_value(&s.unit, p.value)),
            esc(&note)
        );
    }
    let _ = writeln!(out, "</table>\n</details>\n</section>");
}
