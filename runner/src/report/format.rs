//! How numbers are shown in every report format: durations, metric values, changes, the
//! noise and power of a comparison, and the verdict mark.

use bench_core::stats::{Metric, Verdict};

/// Microseconds as a short human duration ("850µs", "12.3ms", "1.20s").
#[must_use]
pub fn fmt_us(us: u64) -> String {
    let v = us as f64;
    if us < 1_000 {
        format!("{us}µs")
    } else if us < 1_000_000 {
        format!("{:.2}ms", v / 1_000.0)
    } else {
        format!("{:.3}s", v / 1_000_000.0)
    }
}

/// A metric's value for display: latency in ms, throughput in req/s, error rate in %.
#[must_use]
pub fn fmt_metric_value(metric: Metric, v: Option<f64>) -> String {
    match (metric, v) {
        (_, None) => "–".into(),
        (Metric::Throughput, Some(v)) => format!("{v:.1}/s"),
        (Metric::ErrorRate, Some(v)) => format!("{:.2}%", v * 100.0),
        (Metric::CpuPerRequest, Some(v)) => format!("{v:.1}µs CPU"),
        // Micro-benchmark times per iteration are far below a microsecond.
        (_, Some(v)) if v < 1.0 => format!("{:.2}ns", v * 1e3),
        (_, Some(v)) if v < 10.0 => format!("{v:.3}µs"),
        (_, Some(v)) => fmt_us(v.round().max(0.0) as u64),
    }
}

/// A change for display: relative in % for ratios, percentage points for the error rate.
#[must_use]
pub fn fmt_change(metric: Metric, v: Option<f64>) -> String {
    match (metric, v) {
        (_, None) => "–".into(),
        (Metric::ErrorRate, Some(v)) => format!("{:+.2}pp", v * 100.0),
        (_, Some(v)) => format!("{:+.1}%", v * 100.0),
    }
}

/// Noise, power and trials of a comparison: `±4.1% noise, MDE 12.3%, 5 trials (≈23 needed)`.
/// The noise is the sd of one pair's log ratio (percentage points for the error rate).
#[must_use]
pub fn power(c: &bench_core::stats::Comparison) -> String {
    let pct = |v: f64| match c.metric {
        Metric::ErrorRate => format!("{:.2}pp", v * 100.0),
        _ => format!("{:.1}%", v * 100.0),
    };
    let mut parts = Vec::new();
    if let Some(n) = c.noise {
        // On the log scale a noise n is a factor e^n: shown as the relative spread.
        let n = if c.metric.is_ratio() { n.exp_m1() } else { n };
        parts.push(format!("±{} noise", pct(n)));
    }
    if let Some(m) = c.mde {
        parts.push(format!("MDE {}", pct(m)));
    }
    let k = c.baseline_trials.min(c.candidate_trials);
    let needed = c
        .trials_needed
        .map(|n| format!(" (≈{n} needed)"))
        .unwrap_or_default();
    parts.push(format!("{k} trials{needed}"));
    parts.join(", ")
}

/// The verdict mark used in tables.
#[must_use]
pub fn mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "FAIL",
        Verdict::Inconclusive => "inconclusive",
    }
}

/// `s` cut to `n` characters, the last one `…` when cut.
#[must_use]
pub fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
