//! The terminal summary of a run; the comparison's table is in [`verdict`].

mod verdict;

use std::fmt::Write as _;

use bench_core::result::{Percentiles, RunResult, Summary};

use super::format::truncate;
pub use super::format::{fmt_change, fmt_metric_value, fmt_us, mark, power};
pub use verdict::verdict;

/// A latency row of `calls` calls of which `samples` have a time. Calls that failed without a
/// response have none (docs/statistics.md): the row says how many it leaves out, and a row
/// without a sample says "no data" instead of printing zeros.
fn row(out: &mut String, label: &str, p: &Percentiles, samples: u64, calls: u64) {
    if samples == 0 {
        let _ = writeln!(
            out,
            "  {label:<13} no data: none of {calls} calls produced a response"
        );
        return;
    }
    let left_out = calls.saturating_sub(samples);
    let note = if left_out > 0 {
        format!("  (leaves out {left_out} calls that failed without a response)")
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "  {label:<13} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}{}",
        fmt_us(p.p50),
        fmt_us(p.p90),
        fmt_us(p.p95),
        fmt_us(p.p99),
        fmt_us(p.p999),
        fmt_us(p.max),
        fmt_us(p.mean.round() as u64),
        note,
    );
}

/// The summary table of one run.
#[must_use]
pub fn summary(r: &RunResult) -> String {
    if let Some(sat) = &r.saturation {
        return super::saturation::summary(r, sat);
    }
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
    let h = &r.histograms;
    row(
        &mut out,
        "latency",
        &s.latency_us,
        h.latency.len(),
        s.requests,
    );
    row(
        &mut out,
        "service time",
        &s.service_time_us,
        h.service_time.len(),
        s.requests,
    );
    if let (Some(first), Some(fh)) = (&s.first_message_us, &h.first_message) {
        row(&mut out, "first message", first, fh.len(), fh.len());
    }
    if r.requests.len() > 1 {
        for req in &r.requests {
            row(
                &mut out,
                &format!("· {}", truncate(&req.name, 11)),
                &req.latency_us,
                req.histograms.latency.len(),
                req.requests,
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
    let streams: Vec<String> = r
        .requests
        .iter()
        .filter(|q| q.first_message_us.is_some() && q.requests > 0)
        .map(|q| {
            format!(
                "{}: {} messages ({:.1} per stream)",
                q.name,
                q.messages,
                q.messages as f64 / q.requests as f64
            )
        })
        .collect();
    if !streams.is_empty() {
        let _ = writeln!(out, "  streams  {}", streams.join("  "));
    }
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
    notes(&mut out, s);
    for check in &r.slo {
        let mark = if check.passed { "ok  " } else { "FAIL" };
        let _ = writeln!(out, "  slo {mark} {}  (actual {})", check.slo, check.actual);
    }
    out
}

/// Connections, and the notes that qualify the numbers above: late and unsent requests,
/// retries, redirects.
fn notes(out: &mut String, s: &Summary) {
    let c = &s.connections;
    if c.opened + c.reused > 0 {
        let _ = writeln!(
            out,
            "  conns    {} opened, {} calls reused one, {} retried on a fresh one",
            c.opened, c.reused, c.retried
        );
    }
    if s.late > 0 {
        let _ = writeln!(out, "  note     {} requests waited for a free connection; their latency counts from their due time", s.late);
    }
    if s.unsent > 0 {
        let _ = writeln!(out, "  note     {} requests were due but never sent before the window ended; counted as errors (unsent), their latency from their due time to the end", s.unsent);
    }
    if c.retried > 0 {
        let _ = writeln!(out, "  note     {} requests met a connection the server had closed and were sent again once on a fresh one", c.retried);
    }
    if s.redirects > 0 {
        let _ = writeln!(out, "  WARNING  {} responses were redirects (3xx), not followed: the run may have measured a redirect (e.g. to a login page) rather than the endpoint", s.redirects);
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

    #[test]
    fn notes_show_connections_unsent_retries_and_redirects_only_when_there_are_some() {
        let mut s = Summary::default();
        let mut out = String::new();
        notes(&mut out, &s);
        assert_eq!(out, "");
        s.unsent = 7;
        s.redirects = 3;
        s.connections.opened = 2;
        s.connections.reused = 40;
        s.connections.retried = 1;
        notes(&mut out, &s);
        assert!(
            out.contains("conns    2 opened, 40 calls reused one, 1 retried"),
            "{out}"
        );
        assert!(out.contains("7 requests were due but never sent"), "{out}");
        assert!(
            out.contains("1 requests met a connection the server had closed"),
            "{out}"
        );
        assert!(
            out.contains("WARNING  3 responses were redirects (3xx)"),
            "{out}"
        );
        assert!(!out.contains("free connection"), "{out}");
    }
}
