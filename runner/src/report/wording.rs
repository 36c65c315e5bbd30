//! Wording shared by the markdown, HTML and GitHub annotations: the one-line headline, the
//! regressions it names, marks, side labels, intervals, the method and saturation findings.

use bench_core::stats::{Method, Metric, Rule, Verdict};

use super::format::{
    fmt_change, fmt_confidence, fmt_interval, fmt_metric_value, fmt_rate, fmt_threshold, truncate,
};
use crate::evidence::Evidence;
use crate::verdict::{MetricVerdict, ScenarioVerdict, VerdictReport};

/// A failed gated metric (or capacity) of one scenario, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Regression {
    /// Scenario name.
    pub scenario: String,
    /// What regressed: "p99", "capacity".
    pub what: String,
    /// "p99 of http-get regressed +23.4% [+18.1%, +29.0%] (threshold 10%)".
    pub text: String,
    /// The values, e.g. "main 35.10ms → PR 43.30ms".
    pub values: String,
    /// |change| / threshold, to name the worst first.
    severity: f64,
}

/// The mark of a verdict.
#[must_use]
pub fn mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "✅",
        Verdict::Fail => "❌",
        Verdict::Inconclusive => "⚠️",
    }
}

/// The word of a verdict.
#[must_use]
pub fn word(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Inconclusive => "inconclusive",
    }
}

/// Names of the two sides: the branch and "PR" against a stored baseline, else "baseline" and
/// "candidate"; with the commits known (`tailguard report --base-sha --head-sha`), each side is
/// labelled with its commit ("base 1a2b3c4", "head 5d6e7f8").
#[must_use]
pub fn side_labels(report: &VerdictReport) -> (String, String) {
    let p = report.provenance.clone().unwrap_or_default();
    let short = |sha: &Option<String>, word: &str| {
        sha.as_deref()
            .map(|s| format!("{word} {}", s.chars().take(7).collect::<String>()))
    };
    match report.baseline_source.strip_prefix("store:") {
        Some(rest) => {
            let branch = rest.split_whitespace().next().unwrap_or("baseline");
            let pr = short(&p.head_sha, "PR").unwrap_or_else(|| "PR".to_owned());
            (branch.trim_end_matches(',').to_owned(), pr)
        }
        None => (
            short(&p.base_sha, "base").unwrap_or_else(|| "baseline".to_owned()),
            short(&p.head_sha, "head").unwrap_or_else(|| "candidate".to_owned()),
        ),
    }
}

/// Every failed gated metric and capacity, worst first.
#[must_use]
pub fn regressions(report: &VerdictReport) -> Vec<Regression> {
    let (base, cand) = side_labels(report);
    let mut out = Vec::new();
    for s in &report.scenarios {
        for m in s.metrics.iter().filter(|m| is_regression(m)) {
            let c = &m.comparison;
            out.push(Regression {
                scenario: s.scenario.clone(),
                what: c.metric.to_string(),
                text: format!(
                    "{} of {} regressed {} {} (threshold {})",
                    c.metric,
                    s.scenario,
                    fmt_change(c.metric, c.change),
                    fmt_interval(c.metric, c.ci_low, c.ci_high),
                    fmt_threshold(c.metric, c.threshold)
                ),
                values: format!(
                    "{base} {} → {cand} {}",
                    fmt_metric_value(c.metric, c.baseline),
                    fmt_metric_value(c.metric, c.candidate)
                ),
                severity: c.change.unwrap_or(0.0).abs() / c.threshold.max(1e-12),
            });
        }
        if let Some(cap) = s.capacity.as_ref().filter(|c| c.verdict == Verdict::Fail) {
            let text = match (cap.change, cap.baseline_rps) {
                (Some(ch), Some(b)) if ch < -cap.threshold => format!(
                    "capacity of {} fell {} ({b:.1} → {:.1} req/s; threshold {})",
                    s.scenario,
                    fmt_change(Metric::Throughput, Some(ch)),
                    cap.candidate_rps,
                    fmt_threshold(Metric::Throughput, cap.threshold)
                ),
                _ => format!(
                    "capacity of {}: {}",
                    s.scenario,
                    cap.reason.as_deref().unwrap_or("failed")
                ),
            };
            out.push(Regression {
                scenario: s.scenario.clone(),
                what: "capacity".into(),
                text,
                values: format!(
                    "{base} {} → {cand} {}",
                    cap.baseline_rps.map_or("–".to_owned(), fmt_rate),
                    fmt_rate(cap.candidate_rps)
                ),
                severity: cap.change.unwrap_or(-1.0).abs() / cap.threshold.max(1e-12),
            });
        }
    }
    out.sort_by(|a, b| b.severity.total_cmp(&a.severity));
    out
}

fn is_regression(m: &MetricVerdict) -> bool {
    m.gated && m.comparison.verdict == Verdict::Fail
}

/// The one-line verdict, mark first.
#[must_use]
pub fn headline(report: &VerdictReport) -> String {
    let mark = mark(report.verdict);
    match report.verdict {
        Verdict::Fail => {
            let found = regressions(report);
            match found.split_first() {
                Some((worst, rest)) => {
                    let more = match rest.len() {
                        0 => String::new(),
                        1 => " — and 1 more regression".to_owned(),
                        n => format!(" — and {n} more regressions"),
                    };
                    format!("{mark} tailguard: {}{more}", worst.text)
                }
                None => format!("{mark} tailguard: the gate failed"),
            }
        }
        Verdict::Inconclusive => {
            let unsure: Vec<&ScenarioVerdict> = report
                .scenarios
                .iter()
                .filter(|s| s.verdict == Verdict::Inconclusive)
                .collect();
            match unsure.split_first() {
                Some((first, rest)) => {
                    let more = if rest.is_empty() {
                        String::new()
                    } else {
                        format!(" (and {} more scenarios)", rest.len())
                    };
                    let why = first.reason.as_deref().unwrap_or("not enough evidence");
                    format!(
                        "{mark} tailguard: inconclusive — {}: {}{more}",
                        first.scenario,
                        truncate(why, 160)
                    )
                }
                None => format!("{mark} tailguard: inconclusive — nothing was compared"),
            }
        }
        Verdict::Pass => {
            let n = report.scenarios.len();
            let mut gated: Vec<String> = Vec::new();
            for s in &report.scenarios {
                let names = s
                    .metrics
                    .iter()
                    .filter(|m| m.gated)
                    .map(|m| m.comparison.metric.to_string())
                    .chain(s.capacity.as_ref().map(|_| "capacity".to_owned()));
                for name in names {
                    if !gated.contains(&name) {
                        gated.push(name);
                    }
                }
            }
            let thresholds: Vec<f64> = report
                .scenarios
                .iter()
                .map(|s| s.settings.threshold)
                .collect();
            let same = thresholds.windows(2).all(|w| w[0] == w[1]);
            let t = match thresholds.first() {
                Some(t) if same => format!("; threshold {}", fmt_threshold(Metric::Mean, *t)),
                _ => String::new(),
            };
            format!(
                "{mark} tailguard: no regression in {n} scenario{} (gated: {}{t})",
                if n == 1 { "" } else { "s" },
                gated.join(", ")
            )
        }
    }
}

/// How the scenario was decided, in a paragraph.
#[must_use]
pub fn method(s: &ScenarioVerdict) -> String {
    let st = &s.settings;
    let how = match s.used_method() {
        Method::Welch => "Welch's t interval on the logs of the per-trial values".to_owned(),
        Method::Paired => {
            "a paired t interval on the log ratios of interleaved trial pairs".to_owned()
        }
        Method::Bootstrap { resamples, .. } => format!(
            "a two-level bootstrap (trials, then requests within each trial; {resamples} \
             resamples)"
        ),
    };
    let rule = match st.rule {
        Rule::Default => "the change is beyond the threshold and the interval excludes no change",
        Rule::Strict => "the whole interval is beyond the threshold",
    };
    format!(
        "Each trial is reduced to one value per metric; the change is the ratio of the two \
         sides' geometric means − 1 (for the error rate, the difference in percentage points). \
         Its {} interval is {how}. A gated metric passes only when the interval's worse end \
         is within the threshold, and fails when {rule} (threshold {}, error rate {}) and the \
         fail survives Holm's correction over every gated comparison of the gate; anything else \
         is inconclusive, as is fewer than {} trials on a side. See docs/statistics.md.",
        fmt_confidence(st.confidence),
        fmt_threshold(Metric::Mean, st.threshold),
        fmt_threshold(Metric::ErrorRate, st.error_rate_threshold),
        st.min_trials
    )
}

/// The saturation findings of each side, one line each (plus its `must_sustain` check).
#[must_use]
pub fn findings(ev: &Evidence, (base, cand): (&str, &str)) -> Vec<String> {
    let mut out = Vec::new();
    for (label, side) in [(base, &ev.baseline), (cand, &ev.candidate)] {
        let Some(curve) = &side.saturation else {
            continue;
        };
        let knee = curve
            .knee_level
            .map(|k| format!("; latency queues from {}", curve.dimension.format(k)))
            .unwrap_or_default();
        out.push(format!("{label}: {}{knee}", curve.headline));
        if let Some(req) = &curve.requirement {
            let got = req.sustained_rps.map_or("nothing".to_owned(), fmt_rate);
            let v = if req.passed {
                Verdict::Pass
            } else {
                Verdict::Fail
            };
            out.push(format!(
                "{label}: {} must sustain {} (sustained {got})",
                mark(v),
                req.requirement
            ));
        }
    }
    out
}

/// Where two configurations differ: (dotted path, baseline value, candidate value), leaves only.
#[must_use]
pub fn config_diff(
    base: &serde_json::Value,
    cand: &serde_json::Value,
) -> Vec<(String, String, String)> {
    fn walk(
        path: &str,
        a: Option<&serde_json::Value>,
        b: Option<&serde_json::Value>,
        out: &mut Vec<(String, String, String)>,
    ) {
        match (a, b) {
            (Some(serde_json::Value::Object(x)), Some(serde_json::Value::Object(y))) => {
                let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
                keys.sort();
                keys.dedup();
                for k in keys {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(&p, x.get(k), y.get(k), out);
                }
            }
            _ if a == b => {}
            _ => {
                let show =
                    |v: Option<&serde_json::Value>| v.map_or("–".to_owned(), |v| v.to_string());
                out.push((path.to_owned(), show(a), show(b)));
            }
        }
    }
    let mut out = Vec::new();
    walk("", Some(base), Some(cand), &mut out);
    out
}
