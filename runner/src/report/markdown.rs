//! The markdown report, for the pull-request comment and the job summary: the headline, a table
//! per scenario, SLO and saturation results, a mermaid chart of p99 per second, and collapsed
//! details (method, trials, environment, configuration).

use std::fmt::Write as _;

use bench_core::stats::Verdict;

use super::format::truncate;
use super::markdown_text::{code, code_text, escape};
use super::tables::{self, Align, Cell, Table};
use super::wording::{findings, headline, mark, method, side_labels, word};
use crate::verdict::{ScenarioVerdict, VerdictReport};

/// A chart image to link under its scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartLink {
    /// Scenario name.
    pub scenario: String,
    /// Alt text.
    pub title: String,
    /// Where the image is (relative to the markdown file, or a URL).
    pub url: String,
}

/// Render the report. `charts` are image links (e.g. PNGs published next to the report); a PR
/// comment usually has none and relies on the mermaid chart.
#[must_use]
pub fn render(report: &VerdictReport, charts: &[ChartLink]) -> String {
    let (base, cand) = side_labels(report);
    let mut out = String::new();
    let _ = writeln!(out, "## {}\n", escape(&headline(report)));
    provenance(&mut out, report);
    let count = |v: Verdict| report.scenarios.iter().filter(|s| s.verdict == v).count();
    let tally: Vec<String> = [Verdict::Fail, Verdict::Inconclusive, Verdict::Pass]
        .into_iter()
        .filter(|v| count(*v) > 0)
        .map(|v| format!("{} {} {}", mark(v), count(v), word(v)))
        .collect();
    let n = report.scenarios.len();
    let _ = writeln!(
        out,
        "{n} scenario{} · {}: {} · {}\n",
        if n == 1 { "" } else { "s" },
        escape(&base),
        code(&truncate(&report.baseline_source, 100)),
        tally.join(" · ")
    );
    for s in &report.scenarios {
        scenario(&mut out, s, (&base, &cand), charts);
    }
    for (label, names) in [
        ("🆕 New (no baseline yet, not compared)", &report.new),
        ("🗑️ Removed (only in the baseline)", &report.removed),
    ] {
        if !names.is_empty() {
            let list: Vec<String> = names.iter().map(|n| code(n)).collect();
            let _ = writeln!(out, "**{label}:** {}\n", list.join(", "));
        }
    }
    let end = out.trim_end().len();
    out.truncate(end);
    out.push('\n');
    out
}

fn scenario(out: &mut String, s: &ScenarioVerdict, labels: (&str, &str), charts: &[ChartLink]) {
    let _ = writeln!(
        out,
        "### {} {} — {}\n",
        mark(s.verdict),
        code(&s.scenario),
        word(s.verdict)
    );
    if let Some(w) = &s.baseline_window {
        let _ = writeln!(out, "Baseline: {}\n", escape(&w.reason));
    }
    if let Some(reason) = &s.reason {
        let _ = writeln!(out, "> {}\n", escape(reason));
    }
    table(out, &tables::metrics(s, labels));
    let _ = writeln!(
        out,
        "<sub>Gated metrics in bold. Latency is CO-correct: counted from each request's \
         intended send time.</sub>\n"
    );
    if let Some(t) = tables::capacity(s, labels) {
        let _ = writeln!(out, "**Capacity** (saturation)\n");
        table(out, &t);
        if let Some(ev) = &s.evidence {
            for line in findings(ev, labels) {
                let _ = writeln!(out, "- {}", escape(&line));
            }
            out.push('\n');
        }
    }
    if let Some(ev) = &s.evidence {
        if let Some(t) = tables::slos(ev, labels) {
            let _ = writeln!(out, "**SLOs**\n");
            table(out, &t);
        }
        if let Some(chart) = super::mermaid::p99_per_second(&s.scenario, ev, labels) {
            let _ = writeln!(out, "{chart}");
        }
    }
    let links: Vec<&ChartLink> = charts.iter().filter(|c| c.scenario == s.scenario).collect();
    for c in &links {
        let url: String = c
            .url
            .chars()
            .filter(|ch| !"()<> \n\r".contains(*ch))
            .collect();
        let _ = writeln!(out, "![{}]({url})", escape(&c.title));
    }
    if !links.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "<details><summary>Details: method, trials, environment, configuration</summary>\n"
    );
    let _ = writeln!(out, "**Method.** {}\n", method(s));
    if let Some(ev) = &s.evidence {
        let _ = writeln!(out, "**Trials**\n");
        table(out, &tables::trials(ev, labels));
        let _ = writeln!(out, "**Environment**\n");
        table(out, &tables::environment(ev, labels));
        if !ev.candidate.config.is_null() {
            let json = serde_json::to_string_pretty(&ev.candidate.config).unwrap_or_default();
            let _ = writeln!(
                out,
                "**Configuration ({})**\n\n```json\n{json}\n```\n",
                escape(labels.1)
            );
        }
        if let Some(t) = tables::config_changes(ev, labels) {
            let _ = writeln!(out, "**Configuration differences**\n");
            table(out, &t);
        }
    }
    let _ = writeln!(out, "</details>\n");
}

/// A GitHub-flavoured markdown table, then a blank line.
fn table(out: &mut String, t: &Table) {
    let header: Vec<String> = t.header.iter().map(|h| escape(h)).collect();
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let rule: Vec<&str> = t
        .align
        .iter()
        .map(|a| match a {
            Align::Left => ":--",
            Align::Right => "--:",
            Align::Center => ":-:",
        })
        .collect();
    let _ = writeln!(out, "|{}|", rule.join("|"));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(cell).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

fn cell(c: &Cell) -> String {
    let text = if c.code {
        code(&c.text).replace('|', "\\|")
    } else {
        escape(&c.text)
    };
    if c.strong {
        format!("**{text}**")
    } else if c.muted {
        format!("_{text}_")
    } else {
        text
    }
}

/// The commits of both sides and the run, and a warning when the run failed although the
/// verdicts show no regression (a step errored before it wrote its verdict).
fn provenance(out: &mut String, report: &VerdictReport) {
    let Some(p) = &report.provenance else {
        return;
    };
    let mut parts = Vec::new();
    for (word, sha) in [("base", &p.base_sha), ("head", &p.head_sha)] {
        if let Some(sha) = sha {
            parts.push(format!("{word} {}", code(sha)));
        }
    }
    let link = p.run_url.as_deref().filter(|u| is_plain_url(u));
    if let Some(url) = link {
        parts.push(format!("[workflow run]({url})"));
    }
    if !parts.is_empty() {
        let _ = writeln!(out, "{}\n", parts.join(" · "));
    }
    let failed = p.conclusion.as_deref().is_some_and(|c| c != "success");
    if failed && report.verdict != Verdict::Fail {
        let _ =
            writeln!(
            out,
            "> ❌ The check concluded `{}` although no regression is shown here: a step failed \
             before it wrote its verdict; see the {}.\n",
            code_text(p.conclusion.as_deref().unwrap_or_default()),
            link.map_or("workflow run".to_owned(), |u| format!("[workflow run]({u})"))
        );
    }
}

/// An http(s) URL with nothing that could end a markdown link or start markup.
fn is_plain_url(u: &str) -> bool {
    (u.starts_with("https://") || u.starts_with("http://"))
        && !u
            .chars()
            .any(|c| c.is_whitespace() || "()<>[]`\"'\\".contains(c))
}
