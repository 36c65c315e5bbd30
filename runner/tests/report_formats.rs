//! Every report format prints a value the same way (issue 17): the terminal table, the markdown
//! and the HTML of one verdict show each metric's values, change and interval, and the
//! capacity's rates and threshold, in the one form `report::format` gives them; and the
//! saturation finding the library words shows a latency as the step table does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bench_core::stats::Metric;
use common::verdicts::{saturation_run, saturation_verdict, verdict};
use tailguard::report::format::{
    fmt_change, fmt_interval, fmt_metric_value, fmt_rate, fmt_threshold, fmt_us,
};
use tailguard::report::{html, markdown, outline, terminal};
use tailguard::verdict::VerdictReport;

/// Every value of the first scenario as `report::format` prints it.
fn values(v: &VerdictReport) -> Vec<String> {
    let s = &v.scenarios[0];
    let mut out = Vec::new();
    for m in &s.metrics {
        let c = &m.comparison;
        out.extend([
            fmt_metric_value(c.metric, c.baseline),
            fmt_metric_value(c.metric, c.candidate),
            fmt_change(c.metric, c.change),
            fmt_interval(c.metric, c.ci_low, c.ci_high),
        ]);
    }
    if let Some(cap) = &s.capacity {
        out.push(fmt_rate(cap.candidate_rps));
        out.extend(cap.baseline_rps.map(fmt_rate));
        out.push(fmt_change(Metric::Throughput, cap.change));
        out.push(fmt_threshold(Metric::Throughput, cap.threshold));
    }
    out.retain(|v| v != "–");
    out
}

#[test]
fn each_value_reads_the_same_in_the_terminal_the_markdown_and_the_html() {
    for v in [verdict(&["http-get"], 3, 1.25), saturation_verdict()] {
        let values = values(&v);
        assert!(values.len() >= 10, "{values:?}");
        for (format, out) in [
            ("terminal", terminal::verdict(&v)),
            ("markdown", markdown::render(&outline::document(&v, &[]))),
            ("html", html::render(&outline::document(&v, &[]))),
        ] {
            for value in &values {
                assert!(
                    out.contains(value.as_str()),
                    "{format} lacks {value}:\n{out}"
                );
            }
        }
    }
}

#[test]
fn the_saturation_finding_shows_a_latency_as_the_step_table_does() {
    let run = saturation_run("main", 300.0);
    let sat = run.saturation().unwrap();
    let breach = sat.analysis.breach_level.unwrap();
    let step = sat.steps.iter().find(|s| s.level == breach).unwrap();
    let p99 = fmt_us(step.summary.latency_us.p99);
    assert!(
        sat.analysis.headline.contains(&format!("(p99 {p99})")),
        "{} lacks {p99}",
        sat.analysis.headline
    );
    let table = terminal::summary(&run);
    let row = table
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{breach:.0} ")))
        .unwrap();
    assert!(row.contains(&p99), "{row}\n{table}");
}
