//! Tests of the SLO thresholds: parsing, refusals, no data, lower bounds.
#![cfg(test)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

#[test]
fn parses_thresholds() {
    let s: Slo = "p99 < 200ms".parse().unwrap();
    assert_eq!(s.metric, SloMetric::Latency(990));
    assert_eq!(s.op, Op::Lt);
    assert!((s.bound - 200_000.0).abs() < 1e-6);
    let s: Slo = "p99.9 <= 1s".parse().unwrap();
    assert_eq!(s.metric, SloMetric::Latency(999));
    let s: Slo = "error_rate < 1%".parse().unwrap();
    assert!((s.bound - 0.01).abs() < 1e-12);
    let s: Slo = "rps >= 100".parse().unwrap();
    assert_eq!((s.metric, s.op), (SloMetric::Rps, Op::Ge));
    assert!("p99 200ms".parse::<Slo>().is_err());
    assert!("p100 < 1s".parse::<Slo>().is_err());
    assert!("latency < 1s".parse::<Slo>().is_err());
    assert!("error_rate < lots".parse::<Slo>().is_err());
    let s: Slo = "p99 < 200ms or no data".parse().unwrap();
    assert!(s.allow_no_data && (s.bound - 200_000.0).abs() < 1e-6);
    assert!(!"p99 < 200ms".parse::<Slo>().unwrap().allow_no_data);
}

#[test]
fn thresholds_that_cannot_fail_or_hold_are_refused() {
    for text in [
        "error_rate < 150%",
        "error_rate <= 100%",
        "error_rate >= 0%",
        "error_rate > -1%",
        "rps > -1",
        "rps >= 0",
        "p99 >= 0ms",
        "mean >= 0s",
    ] {
        let e = text.parse::<Slo>().unwrap_err().to_string();
        assert!(e.contains("can never fail"), "{text}: {e}");
    }
    for text in [
        "error_rate < 0%",
        "error_rate > 100%",
        "rps < 0",
        "p99 < 0ms",
    ] {
        let e = text.parse::<Slo>().unwrap_err().to_string();
        assert!(e.contains("can never hold"), "{text}: {e}");
    }
    for text in ["rps < inf", "rps > NaN", "error_rate < nan%"] {
        let e = text.parse::<Slo>().unwrap_err().to_string();
        assert!(e.contains("finite"), "{text}: {e}");
    }
    for text in [
        "error_rate < 100%",
        "error_rate > 0%",
        "rps > 0",
        "p99 > 0ms",
    ] {
        assert!(text.parse::<Slo>().is_ok(), "{text}");
    }
}

#[test]
fn zero_samples_are_no_data_not_a_pass() {
    let empty = LatencyHistogram::new();
    let summary = Summary::default();
    for text in [
        "p99 < 200ms",
        "max < 1s",
        "error_rate < 1%",
        "rps < 1000",
        "mean < 1s",
    ] {
        let c = text.parse::<Slo>().unwrap().check_in(&empty, &summary);
        assert!(!c.passed, "{text}");
        assert_eq!(c.actual, NO_DATA);
    }
    let allowed: Slo = "p99 < 200ms or no data".parse().unwrap();
    assert!(allowed.check_in(&empty, &summary).passed);
    // Calls that all failed before a response: an error rate, but no latency.
    let failed = Summary {
        requests: 10,
        errors: 10,
        error_rate: 1.0,
        ..Summary::default()
    };
    let p99: Slo = "p99 < 200ms".parse().unwrap();
    assert_eq!(p99.check_in(&empty, &failed).actual, NO_DATA);
    let rate: Slo = "error_rate < 1%".parse().unwrap();
    assert_eq!(rate.check_in(&empty, &failed).actual, "100.000%");
    let mut h = LatencyHistogram::new();
    h.record_us(1000);
    assert!(p99.check_in(&h, &failed).passed);
}

/// `unsent` calls are in the latency histogram as lower bounds: a latency measured only on
/// them is no data, and one that may come from them can breach an upper bound, never hold it.
#[test]
fn unsent_calls_never_make_a_latency_threshold_hold() {
    let p95: Slo = "p95 < 3s".parse().unwrap();
    let max: Slo = "max < 10s".parse().unwrap();
    let mut all_unsent = LatencyHistogram::new();
    for _ in 0..100 {
        all_unsent.record_us(2_000_000);
    }
    let summary = Summary {
        requests: 100,
        errors: 100,
        unsent: 100,
        error_rate: 1.0,
        ..Summary::default()
    };
    let c = p95.check_in(&all_unsent, &summary);
    assert!(!c.passed);
    assert_eq!(c.actual, NO_DATA);
    // 94 answered fast, 6 never sent: p95 may lie among the unsent.
    let mut mixed = LatencyHistogram::new();
    for i in 0..100 {
        mixed.record_us(if i < 94 { 1_000 } else { 2_000_000 });
    }
    let some = Summary {
        requests: 100,
        errors: 6,
        unsent: 6,
        error_rate: 0.06,
        ..Summary::default()
    };
    let c = p95.check_in(&mixed, &some);
    assert!(!c.passed, "{c:?}");
    assert!(c.actual.starts_with("at least"), "{}", c.actual);
    assert!(!max.check_in(&mixed, &some).passed);
    // 1 of 100 unsent: p95 comes from answered calls and may hold.
    let one = Summary {
        unsent: 1,
        errors: 1,
        ..some.clone()
    };
    assert!(p95.check_in(&mixed, &one).passed);
    let above: Slo = "p95 > 1ms".parse().unwrap();
    assert!(
        above.check_in(&mixed, &some).passed,
        "a lower bound may show it"
    );
}

/// A throughput threshold counts calls that succeeded: a target refusing every connection
/// has no throughput.
#[test]
fn rps_counts_successful_calls() {
    let rps: Slo = "rps > 1".parse().unwrap();
    let refused = Summary {
        requests: 100,
        errors: 100,
        error_rate: 1.0,
        rps: 20.0,
        ..Summary::default()
    };
    let c = rps.check_in(&LatencyHistogram::new(), &refused);
    assert!(!c.passed, "{c:?}");
    let half = Summary {
        errors: 50,
        error_rate: 0.5,
        ..refused.clone()
    };
    assert_eq!(
        rps.check_in(&LatencyHistogram::new(), &half).actual,
        "10.0/s"
    );
}

/// `checks > 99.9%` bounds the passed share of every check verdict; no verdict is no data.
#[test]
fn checks_threshold_is_the_pass_rate_of_all_verdicts() {
    use crate::summary::CheckSummary;
    let slo: Slo = "checks > 99.9%".parse().unwrap();
    assert_eq!(slo.metric, SloMetric::Checks);
    assert!("checks > 100%".parse::<Slo>().is_err());
    let verdicts = |passed, failed| CheckSummary {
        request: "r".into(),
        check: "c".into(),
        passed,
        failed,
    };
    let s = Summary {
        requests: 10,
        checks: vec![verdicts(999, 0), verdicts(998, 3)],
        ..Summary::default()
    };
    let c = slo.check_in(&LatencyHistogram::new(), &s);
    assert_eq!((c.passed, c.actual.as_str()), (false, "99.850%"));
    let ok = Summary {
        checks: vec![verdicts(1000, 1), verdicts(1000, 0)],
        ..s.clone()
    };
    assert!(slo.check_in(&LatencyHistogram::new(), &ok).passed);
    let none = Summary::default();
    let c = slo.check_in(&LatencyHistogram::new(), &none);
    assert_eq!((c.passed, c.actual.as_str()), (false, NO_DATA));
}
