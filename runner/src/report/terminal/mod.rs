//! The terminal summary of a run; the comparison's table is in [`verdict`].

mod text;
mod verdict;

use std::fmt::Write as _;

use bench_core::result::{Measurement, Percentiles, RunResult, Summary};
use bench_core::stats::Metric;

use super::format::{fmt_metric_value, fmt_rate, fmt_seconds, fmt_us, truncate};
pub use text::render;
pub use verdict::{document, verdict};

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

/// The summary table of one run: its latency rows, counts, checks, notes and SLOs.
#[must_use]
pub fn summary(r: &RunResult) -> String {
    if let Some(sat) = r.saturation() {
        return super::saturation::summary(r, sat);
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {}  ({}, {} measured{})",
        r.meta.scenario,
        r.meta.protocol,
        fmt_seconds(r.duration_s),
        if r.cancelled { ", interrupted" } else { "" }
    );
    match r.measurement() {
        Some(m) => {
            latency_rows(&mut out, m);
            counts(&mut out, m);
            checks_and_journeys(&mut out, m);
            notes(&mut out, &m.summary);
        }
        None => not_a_load_run(&mut out, r),
    }
    for check in &r.slo {
        let mark = if check.passed { "ok  " } else { "FAIL" };
        let _ = writeln!(out, "  slo {mark} {}  (actual {})", check.slo, check.actual);
    }
    out
}

/// The percentile header and a row each for latency, service time, the first message of a
/// stream, and each request of a mix.
fn latency_rows(out: &mut String, r: &Measurement) {
    let s = &r.summary;
    let h = &r.histograms;
    let _ = writeln!(
        out,
        "  {:<13} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "", "p50", "p90", "p95", "p99", "p99.9", "max", "mean"
    );
    row(out, "latency", &s.latency_us, h.latency.len(), s.requests);
    row(
        out,
        "service time",
        &s.service_time_us,
        h.service_time.len(),
        s.requests,
    );
    if let (Some(first), Some(fh)) = (&s.first_message_us, &h.first_message) {
        row(out, "first message", first, fh.len(), fh.len());
    }
    if r.requests.len() > 1 {
        for req in &r.requests {
            let mark = if req.journey { "»" } else { "·" };
            row(
                out,
                &format!("{mark} {}", truncate(&req.name, 11)),
                &req.latency_us,
                req.histograms.latency.len(),
                req.requests,
            );
        }
    }
}

/// Requests, rate and errors; messages per stream; status codes; errors by kind.
fn counts(out: &mut String, r: &Measurement) {
    let s = &r.summary;
    let target = s
        .target_rps
        .map(|t| format!(" of {t:.1} target"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "  requests {}  rate {}{target}  late {}  errors {} ({})",
        s.requests,
        fmt_rate(s.rps),
        s.late,
        s.errors,
        fmt_metric_value(Metric::ErrorRate, Some(s.error_rate))
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
}

/// Each check's verdicts, and each journey's completed and failed count.
fn checks_and_journeys(out: &mut String, r: &Measurement) {
    for c in &r.summary.checks {
        let all = c.passed + c.failed;
        let share = if all == 0 {
            "no verdict".to_owned()
        } else {
            format!("{:.2}% passed", 100.0 * c.passed as f64 / all as f64)
        };
        let _ = writeln!(
            out,
            "  check    {}: {}  {} passed, {} failed ({share})",
            truncate(&c.request, 30),
            truncate(&c.check, 50),
            c.passed,
            c.failed
        );
    }
    for j in r.requests.iter().filter(|q| q.journey) {
        let _ = writeln!(
            out,
            "  journey  {}: {} completed, {} failed (end to end p50 {}, p99 {})",
            j.name,
            j.requests - j.errors,
            j.errors,
            fmt_us(j.latency_us.p50),
            fmt_us(j.latency_us.p99)
        );
    }
}

/// A micro-benchmark or instruction counts: what it measured instead of calls, and that a
/// latency percentile does not apply.
fn not_a_load_run(out: &mut String, r: &RunResult) {
    if let Some(i) = r.iterations() {
        let per = i.per_iteration_ns();
        let mean = per.iter().sum::<f64>() / per.len().max(1) as f64;
        let _ = writeln!(
            out,
            "  {} samples, {} iterations, mean {mean:.1} ns per iteration",
            i.iters.len(),
            i.iters.iter().sum::<f64>()
        );
    }
    if let Some(c) = r.instructions() {
        let ir = c.metrics.get("Ir").map_or("–".into(), |v| v.to_string());
        let _ = writeln!(out, "  {ir} instructions (Valgrind {})", c.valgrind);
    }
    let _ = writeln!(
        out,
        "  latency  not applicable: a {} run times no calls",
        r.kind.name()
    );
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
    if s.redirects_followed > 0 {
        let _ = writeln!(out, "  note     {} redirects followed on the target's origin; a call's latency spans all its hops", s.redirects_followed);
    }
    if s.redirects > 0 {
        let _ = writeln!(out, "  WARNING  {} responses were redirects (3xx), not followed: the run may have measured a redirect (e.g. to a login page) rather than the endpoint", s.redirects);
    }
    if s.redirects_offsite > 0 {
        let _ = writeln!(out, "  WARNING  {} of them led to another origin (scheme, host or port), which is never followed: load goes only to the target", s.redirects_offsite);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(!out.contains("followed on") && !out.contains("another origin"));
        s.redirects_followed = 5;
        s.redirects_offsite = 2;
        out.clear();
        notes(&mut out, &s);
        assert!(out.contains("note     5 redirects followed"), "{out}");
        assert!(
            out.contains("WARNING  2 of them led to another origin"),
            "{out}"
        );
    }

    #[test]
    fn a_micro_benchmark_has_no_latency_rows_and_says_why() {
        let run = crate::criterion::Benchmark {
            id: "g/f".into(),
            samples: bench_core::result::IterationSamples {
                iters: vec![10.0, 20.0],
                times_ns: vec![1_000.0, 3_000.0],
            },
            source: "x".into(),
            estimates: None,
        }
        .to_run(bench_core::Environment::default());
        let out = summary(&run);
        assert!(
            out.contains("2 samples, 30 iterations, mean 125.0 ns per iteration"),
            "{out}"
        );
        assert!(
            out.contains("latency  not applicable: a micro run"),
            "{out}"
        );
        for absent in ["p99", "requests", "rate"] {
            assert!(!out.contains(absent), "{absent}: {out}");
        }
    }
}
