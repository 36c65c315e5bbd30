//! How every report format (terminal, markdown, HTML, annotations, progress lines) shows a
//! number: durations, metric values, rates, changes and intervals, thresholds, shares, the noise
//! and power of a comparison, and the verdict mark. One function per kind of value, so a value
//! prints the same way wherever it appears. The plain units come from
//! [`bench_core::format`], which the library uses for the few texts it still writes.

use bench_core::stats::{Comparison, Metric, Verdict};

pub use bench_core::format::{fmt_level, fmt_share, fmt_us};

/// A metric's value: latency as a duration, throughput per second, error rate in %.
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

/// A value of a history series in its unit (`us`, `ns` for benchmarks, `req/s`, `ratio` for
/// the error rate): "1.30ms", "850.0ns", "250.0/s", "1.20%".
#[must_use]
pub fn fmt_unit_value(unit: &str, v: f64) -> String {
    match unit {
        "req/s" => format!("{v:.1}/s"),
        "ratio" => format!("{:.2}%", v * 100.0),
        "ns" if v < 1_000.0 => format!("{v:.1}ns"),
        "ns" => fmt_us((v / 1_000.0).round().max(0.0) as u64),
        _ => fmt_us(v.round().max(0.0) as u64),
    }
}

/// A length of time in seconds: "5.0s".
#[must_use]
pub fn fmt_seconds(s: f64) -> String {
    format!("{s:.1}s")
}

/// Requests per second: "250.0 req/s".
#[must_use]
pub fn fmt_rate(v: f64) -> String {
    format!("{v:.1} req/s")
}

/// A change: relative in % for ratios ("+12.3%"), percentage points for the error rate
/// ("+1.20pp"); "–" without one.
#[must_use]
pub fn fmt_change(metric: Metric, v: Option<f64>) -> String {
    v.map_or_else(
        || "–".into(),
        |v| bench_core::format::fmt_signed_change(metric.is_ratio(), v),
    )
}

/// An interval of changes: "[+18.1%, +29.0%]", or "–" without one.
#[must_use]
pub fn fmt_interval(metric: Metric, lo: Option<f64>, hi: Option<f64>) -> String {
    match (lo, hi) {
        (Some(lo), Some(hi)) => format!(
            "[{}, {}]",
            fmt_change(metric, Some(lo)),
            fmt_change(metric, Some(hi))
        ),
        _ => "–".into(),
    }
}

/// A threshold (or any unsigned change) in the metric's unit: "10%", "12.5%" or "1.00pp".
#[must_use]
pub fn fmt_threshold(metric: Metric, t: f64) -> String {
    match metric {
        Metric::ErrorRate => format!("{:.2}pp", t * 100.0),
        _ => {
            let s = format!("{:.1}", t * 100.0);
            format!("{}%", s.trim_end_matches(".0"))
        }
    }
}

/// A confidence level: "95.0%".
#[must_use]
pub fn fmt_confidence(c: f64) -> String {
    format!("{:.1}%", c * 100.0)
}

/// Noise, power and trials of a comparison: `±4.1% noise, MDE 12.3%, 5 trials (≈23 needed)`.
/// The noise is the sd of one pair's log ratio (percentage points for the error rate).
#[must_use]
pub fn power(c: &Comparison) -> String {
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

/// The verdict mark of the terminal's tables.
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

#[cfg(test)]
mod tests {
    use super::*;
    use bench_core::stats::Quantile;

    #[test]
    fn each_kind_of_value_has_one_form() {
        let p99 = Metric::Quantile(Quantile::P99);
        assert_eq!(fmt_metric_value(p99, Some(12_345.0)), "12.35ms");
        assert_eq!(fmt_metric_value(p99, Some(0.5)), "500.00ns");
        assert_eq!(fmt_metric_value(Metric::ErrorRate, Some(0.0065)), "0.65%");
        assert_eq!(fmt_metric_value(Metric::Throughput, None), "–");
        assert_eq!(fmt_rate(250.0), "250.0 req/s");
        assert_eq!(fmt_seconds(4.96), "5.0s");
        assert_eq!(fmt_change(Metric::ErrorRate, Some(0.012)), "+1.20pp");
        assert_eq!(
            fmt_interval(p99, Some(0.181), Some(0.29)),
            "[+18.1%, +29.0%]"
        );
        assert_eq!(fmt_interval(p99, None, Some(0.29)), "–");
        assert_eq!(fmt_threshold(p99, 0.1), "10%");
        assert_eq!(fmt_threshold(p99, 0.125), "12.5%");
        assert_eq!(fmt_threshold(Metric::ErrorRate, 0.01), "1.00pp");
        assert_eq!(fmt_confidence(0.95), "95.0%");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }
}
