//! The terminal summary of a run.

use std::fmt::Write as _;

use bench_core::result::{Percentiles, RunResult};

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

fn row(out: &mut String, label: &str, p: &Percentiles) {
    let _ = writeln!(
        out,
        "  {label:<13} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        fmt_us(p.p50),
        fmt_us(p.p90),
        fmt_us(p.p95),
        fmt_us(p.p99),
        fmt_us(p.p999),
        fmt_us(p.max),
        fmt_us(p.mean.round() as u64),
    );
}

/// The summary table of one run.
#[must_use]
pub fn summary(r: &RunResult) -> String {
    let s = &r.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {}  ({}, {:.1}s measured{})",
        r.meta.scenario,
        r.meta.protocol,
        r.duration_s,
        if r.cancelled { ", interrupted" } else { "" }
    );
    let _ = writeln!(
        out,
        "  {:<13} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "", "p50", "p90", "p95", "p99", "p99.9", "max", "mean"
    );
    row(&mut out, "latency", &s.latency_us);
    row(&mut out, "service time", &s.service_time_us);
    if r.requests.len() > 1 {
        for req in &r.requests {
            row(
                &mut out,
                &format!("· {}", truncate(&req.name, 11)),
                &req.latency_us,
            );
        }
    }
    let target = s
        .target_rps
        .map(|t| format!(" of {t:.1} target"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  requests {}  rate {:.1} req/s{target}  late {}  errors {} ({:.2}%)",
        s.requests,
        s.rps,
        s.late,
        s.errors,
        s.error_rate * 100.0
    );
    if !s.statuses.is_empty() {
        let statuses: Vec<String> = s
            .statuses
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        let _ = writeln!(out, "  status   {}", statuses.join("  "));
    }
    for (kind, e) in &s.errors_by_kind {
        let sample = e
            .sample
            .as_deref()
            .map(|m| format!("  e.g. {}", truncate(m, 100)))
            .unwrap_or_default();
        let _ = writeln!(out, "  error    {kind}: {}{sample}", e.count);
    }
    if s.late > 0 {
        let _ = writeln!(out, "  note     {} requests waited for a free connection; their latency counts from their due time", s.late);
    }
    for check in &r.slo {
        let mark = if check.passed { "ok  " } else { "FAIL" };
        let _ = writeln!(out, "  slo {mark} {}  (actual {})", check.slo, check.actual);
    }
    out
}

fn truncate(s: &str, n: usize) -> String {
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

    #[test]
    fn formats_durations() {
        assert_eq!(fmt_us(850), "850µs");
        assert_eq!(fmt_us(12_345), "12.35ms");
        assert_eq!(fmt_us(1_200_000), "1.200s");
    }
}
