//! The HTML report for artifacts: one self-contained file (styles and SVG charts inline, no
//! external assets), with the same tables as the markdown.

use std::fmt::Write as _;

use super::charts::Rendered;
use super::tables::{self, Align, Table};
use super::wording::{findings, headline, mark, method, side_labels, word};
use crate::verdict::{ScenarioVerdict, VerdictReport};

pub(crate) const STYLE: &str = "
body { font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1f2328;
       max-width: 1100px; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.4rem; padding: .6rem 1rem; border-radius: 6px; }
h1.pass { background: #dafbe1; } h1.fail { background: #ffebe9; }
h1.inconclusive { background: #fff8c5; }
h2 { font-size: 1.15rem; margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; }
table { border-collapse: collapse; margin: .6rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .7rem; }
th { background: #f6f8fa; } td.r { text-align: right; font-variant-numeric: tabular-nums; }
td.c { text-align: center; } .strong { font-weight: 600; } .muted { color: #656d76; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
pre { background: #f6f8fa; padding: .8rem; overflow: auto; border-radius: 6px; }
blockquote { margin: .5rem 0; padding: .2rem 1rem; border-left: 4px solid #d0d7de;
             color: #57606a; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
figcaption { color: #656d76; font-size: 13px; }
details { margin: 1rem 0; } summary { cursor: pointer; font-weight: 600; }
";

/// Render the report with `charts` inlined under their scenarios.
#[must_use]
pub fn render(report: &VerdictReport, charts: &[Rendered]) -> String {
    let labels = side_labels(report);
    let labels = (labels.0.as_str(), labels.1.as_str());
    let title = headline(report);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        esc(&title)
    );
    let _ = writeln!(
        out,
        "<h1 class=\"{}\">{}</h1>",
        word(report.verdict),
        esc(&title)
    );
    let _ = writeln!(
        out,
        "<p>{} scenario(s) compared with <code>{}</code>.</p>",
        report.scenarios.len(),
        esc(&report.baseline_source)
    );
    for s in &report.scenarios {
        scenario(&mut out, s, labels, charts);
    }
    for (label, names) in [
        ("New (no baseline yet, not compared)", &report.new),
        ("Removed (only in the baseline)", &report.removed),
    ] {
        if !names.is_empty() {
            let list: Vec<String> = names
                .iter()
                .map(|n| format!("<code>{}</code>", esc(n)))
                .collect();
            let _ = writeln!(out, "<p><b>{label}:</b> {}</p>", list.join(", "));
        }
    }
    let _ = writeln!(out, "</body>\n</html>");
    out
}

fn scenario(out: &mut String, s: &ScenarioVerdict, labels: (&str, &str), charts: &[Rendered]) {
    let _ = writeln!(
        out,
        "<section>\n<h2>{} <code>{}</code> — {}</h2>",
        mark(s.verdict),
        esc(&s.scenario),
        word(s.verdict)
    );
    if let Some(reason) = &s.reason {
        let _ = writeln!(out, "<blockquote>{}</blockquote>", esc(reason));
    }
    table(out, &tables::metrics(s, labels));
    let _ = writeln!(
        out,
        "<p class=\"muted\">Gated metrics in bold. Latency is CO-correct: counted from each \
         request's intended send time.</p>"
    );
    if let Some(t) = tables::capacity(s, labels) {
        let _ = writeln!(out, "<h3>Capacity (saturation)</h3>");
        table(out, &t);
        if let Some(ev) = &s.evidence {
            let items: Vec<String> = findings(ev, labels)
                .iter()
                .map(|l| format!("<li>{}</li>", esc(l)))
                .collect();
            let _ = writeln!(out, "<ul>{}</ul>", items.join(""));
        }
    }
    if let Some(t) = s.evidence.as_ref().and_then(|ev| tables::slos(ev, labels)) {
        let _ = writeln!(out, "<h3>SLOs</h3>");
        table(out, &t);
    }
    for c in charts.iter().filter(|c| c.scenario == s.scenario) {
        let _ = writeln!(
            out,
            "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>",
            strip_prolog(&c.svg),
            esc(&c.title)
        );
    }
    let _ = writeln!(
        out,
        "<details>\n<summary>Details: method, trials, environment, configuration</summary>"
    );
    let _ = writeln!(out, "<p><b>Method.</b> {}</p>", esc(&method(s)));
    if let Some(ev) = &s.evidence {
        let _ = writeln!(out, "<h3>Trials</h3>");
        table(out, &tables::trials(ev, labels));
        let _ = writeln!(out, "<h3>Environment</h3>");
        table(out, &tables::environment(ev, labels));
        if !ev.candidate.config.is_null() {
            let json = serde_json::to_string_pretty(&ev.candidate.config).unwrap_or_default();
            let _ = writeln!(
                out,
                "<h3>Configuration ({})</h3>\n<pre>{}</pre>",
                esc(labels.1),
                esc(&json)
            );
        }
        if let Some(t) = tables::config_changes(ev, labels) {
            let _ = writeln!(out, "<h3>Configuration differences</h3>");
            table(out, &t);
        }
    }
    let _ = writeln!(out, "</details>\n</section>");
}

fn table(out: &mut String, t: &Table) {
    let head: Vec<String> = t
        .header
        .iter()
        .map(|h| format!("<th>{}</th>", esc(h)))
        .collect();
    let _ = writeln!(out, "<table>\n<tr>{}</tr>", head.join(""));
    for row in &t.rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&t.align)
            .map(|(c, a)| {
                let mut class = vec![match a {
                    Align::Left => "",
                    Align::Right => "r",
                    Align::Center => "c",
                }];
                if c.strong {
                    class.push("strong");
                }
                if c.muted {
                    class.push("muted");
                }
                let class = class.join(" ").trim().to_owned();
                let text = if c.code {
                    format!("<code>{}</code>", esc(&c.text))
                } else {
                    esc(&c.text)
                };
                if class.is_empty() {
                    format!("<td>{text}</td>")
                } else {
                    format!("<td class=\"{class}\">{text}</td>")
                }
            })
            .collect();
        let _ = writeln!(out, "<tr>{}</tr>", cells.join(""));
    }
    let _ = writeln!(out, "</table>");
}

/// An SVG document without its XML declaration, to inline it.
pub(crate) fn strip_prolog(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

/// HTML text escaping.
#[must_use]
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
