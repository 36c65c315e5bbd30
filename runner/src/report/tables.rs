//! The report's tables as data, rendered alike by every backend of the report document
//! ([`super::document`]): metrics, capacity, SLOs, trials and environment of one scenario.

use bench_core::stats::{Metric, Verdict};
use bench_core::Environment;

use super::document::{Align, Cell, Table};
use super::format::{
    fmt_change, fmt_confidence, fmt_interval, fmt_metric_value, fmt_rate, fmt_seconds,
    fmt_threshold, fmt_us, power,
};
use super::wording::{config_diff, mark};
use crate::evidence::{Evidence, Side};
use crate::verdict::ScenarioVerdict;

/// Every compared metric: values, change, interval and verdict.
#[must_use]
pub fn metrics(s: &ScenarioVerdict, (base, cand): (&str, &str)) -> Table {
    use Align::{Center, Left, Right};
    let rows = s
        .metrics
        .iter()
        .map(|m| {
            let c = &m.comparison;
            vec![
                Cell::strong(c.metric.to_string(), m.gated),
                Cell::plain(fmt_metric_value(c.metric, c.baseline)),
                Cell::plain(fmt_metric_value(c.metric, c.candidate)),
                Cell::plain(fmt_change(c.metric, c.change)),
                Cell::plain(fmt_interval(c.metric, c.ci_low, c.ci_high)),
                Cell::verdict(c.verdict, m.gated),
                Cell::plain(power(c)),
            ]
        })
        .collect();
    Table {
        header: vec![
            "metric".into(),
            base.into(),
            cand.into(),
            "change".into(),
            format!("{} interval", fmt_confidence(s.settings.confidence)),
            "verdict".into(),
            "noise, MDE, trials".into(),
        ],
        align: vec![Left, Right, Right, Right, Center, Left, Left],
        rows,
        min_width: Vec::new(),
    }
}

/// The capacity gate of a saturation scenario.
#[must_use]
pub fn capacity(s: &ScenarioVerdict, (base, cand): (&str, &str)) -> Option<Table> {
    use Align::{Left, Right};
    let cap = s.capacity.as_ref()?;
    let rps = |v: Option<f64>| v.map_or("–".to_owned(), fmt_rate);
    Some(Table {
        header: vec![
            String::new(),
            base.into(),
            cand.into(),
            "change".into(),
            "verdict".into(),
        ],
        align: vec![Left, Right, Right, Right, Left],
        rows: vec![vec![
            Cell::strong("capacity", true),
            Cell::plain(rps(cap.baseline_rps)),
            Cell::plain(rps(Some(cap.candidate_rps))),
            Cell::plain(fmt_change(Metric::Throughput, cap.change)),
            Cell {
                text: format!(
                    "(must not fall > {})",
                    fmt_threshold(Metric::Throughput, cap.threshold)
                ),
                ..Cell::verdict(cap.verdict, true)
            },
        ]],
        min_width: Vec::new(),
    })
}

/// Each SLO and how many trials of each side held it.
#[must_use]
pub fn slos(ev: &Evidence, (base, cand): (&str, &str)) -> Option<Table> {
    let mut names: Vec<&str> = ev.candidate.slo.iter().map(|o| o.slo.as_str()).collect();
    for o in &ev.baseline.slo {
        if !names.contains(&o.slo.as_str()) {
            names.push(&o.slo);
        }
    }
    if names.is_empty() {
        return None;
    }
    let cell = |side: &Side, name: &str| match side.slo.iter().find(|o| o.slo == name) {
        None => Cell::plain("–"),
        Some(o) => {
            let n = o.actual.len();
            let v = if o.passed == n {
                Verdict::Pass
            } else {
                Verdict::Fail
            };
            Cell::strong(
                format!(
                    "{} held in {}/{n} trial{} ({})",
                    mark(v),
                    o.passed,
                    if n == 1 { "" } else { "s" },
                    o.actual.join(", ")
                ),
                v == Verdict::Fail,
            )
        }
    };
    Some(Table {
        header: vec!["SLO".into(), base.into(), cand.into()],
        align: vec![Align::Left; 3],
        rows: names
            .into_iter()
            .map(|n| vec![Cell::code(n), cell(&ev.baseline, n), cell(&ev.candidate, n)])
            .collect(),
        min_width: Vec::new(),
    })
}

/// One row per trial of each side.
#[must_use]
pub fn trials(ev: &Evidence, (base, cand): (&str, &str)) -> Table {
    use Align::{Left, Right};
    let mut rows = Vec::new();
    for (label, side) in [(base, &ev.baseline), (cand, &ev.candidate)] {
        for t in &side.trials {
            let mut row = vec![
                Cell::plain(label),
                Cell::code(t.run_id.clone()),
                Cell::plain(t.started_at.clone()),
                Cell::plain(fmt_seconds(t.duration_s)),
            ];
            row.extend(match t.p99_us {
                Some(p99) => [
                    Cell::plain(t.requests.to_string()),
                    Cell::plain(fmt_metric_value(Metric::Throughput, Some(t.rps))),
                    Cell::plain(fmt_us(p99)),
                    Cell::plain(t.errors.to_string()),
                ],
                // A micro-benchmark: iterations; no calls, rate or per-call latency.
                None => [
                    Cell::plain(format!("{} iterations", t.iterations.unwrap_or(0))),
                    Cell::plain("–"),
                    Cell::plain("–"),
                    Cell::plain("–"),
                ],
            });
            rows.push(row);
        }
    }
    Table {
        header: [
            "side", "run", "started", "measured", "requests", "rate", "p99", "errors",
        ]
        .map(String::from)
        .to_vec(),
        align: vec![Left, Left, Left, Right, Right, Right, Right, Right],
        rows,
        min_width: Vec::new(),
    }
}

/// Where each side ran.
#[must_use]
pub fn environment(ev: &Evidence, (base, cand): (&str, &str)) -> Table {
    type Field = fn(&Environment) -> String;
    let fields: [(&str, Field); 6] = [
        ("host", |e| e.host.clone()),
        ("os", |e| e.os.clone()),
        ("cores", |e| e.cores.to_string()),
        ("tailguard", |e| e.tool_version.clone()),
        ("commit", |e| {
            e.git_commit
                .as_deref()
                .map_or("–".to_owned(), |c| c.get(..12).unwrap_or(c).to_owned())
        }),
        ("branch", |e| {
            e.git_branch.clone().unwrap_or_else(|| "–".to_owned())
        }),
    ];
    let envs = [&ev.baseline.environment, &ev.candidate.environment];
    Table {
        header: vec![String::new(), base.into(), cand.into()],
        align: vec![Align::Left; 3],
        rows: fields
            .iter()
            .map(|(name, f)| {
                let mut row = vec![Cell::plain(*name)];
                row.extend(
                    envs.iter()
                        .map(|e| Cell::plain(e.as_ref().map_or("–".to_owned(), f))),
                );
                row
            })
            .collect(),
        min_width: Vec::new(),
    }
}

/// The settings in which the two sides' configurations differ (none when equal).
#[must_use]
pub fn config_changes(ev: &Evidence, (base, cand): (&str, &str)) -> Option<Table> {
    let diff = config_diff(&ev.baseline.config, &ev.candidate.config);
    if diff.is_empty() {
        return None;
    }
    Some(Table {
        header: vec!["setting".into(), base.into(), cand.into()],
        align: vec![Align::Left; 3],
        rows: diff
            .into_iter()
            .map(|(path, a, b)| vec![Cell::code(path), Cell::code(a), Cell::code(b)])
            .collect(),
        min_width: Vec::new(),
    })
}
