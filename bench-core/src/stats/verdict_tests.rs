//! Unit tests of `verdict.rs` (kept apart to keep that file short).
#![cfg(test)]

use super::*;
use crate::stats::decision::{decide, Estimate};
use crate::stats::{Distribution, Outcome, Quantile, Reason, Rule, Side, StatsError, Unusable};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const P99: Metric = Metric::Quantile(Quantile::P99);

/// A trial whose every quantile and mean is `value` (1000 equal samples).
fn flat(value: f64) -> Result<Trial, StatsError> {
    let mut t = Trial::from_distribution(Distribution::from_weighted(&[(value, 1000)])?);
    t.rps = value;
    Ok(t)
}

fn flats(values: &[f64]) -> Result<Vec<Trial>, StatsError> {
    values.iter().copied().map(flat).collect()
}

fn rates(errors: &[u64]) -> Result<Vec<Trial>, StatsError> {
    errors
        .iter()
        .map(|&e| {
            Ok(Trial {
                requests: 1000,
                errors: e,
                ..flat(1.0)?
            })
        })
        .collect()
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9 * b.abs().max(1.0))
}

// reference.py: PB, PC
const PB: [f64; 6] = [1000.0, 1100.0, 950.0, 1200.0, 1050.0, 990.0];
const PC: [f64; 6] = [1080.0, 1210.0, 1010.0, 1330.0, 1120.0, 1085.0];

#[test]
fn welch_end_to_end_matches_scipy() -> TestResult {
    let c = compare(&flats(&PB)?, &flats(&PC)?, P99, &Settings::default())?;
    assert!(close(c.baseline, 1_045.170_167_376_354_4), "{c:?}");
    assert!(close(c.candidate, 1_134.588_342_171_409_7), "{c:?}");
    assert!(close(c.change, 0.085_553_699_853_027_77), "{c:?}");
    assert!(close(c.ci_low, -0.034_975_223_148_4), "{c:?}");
    assert!(close(c.ci_high, 0.221_136_351_658_475_73), "{c:?}");
    // +8.6 % is within 10 %, but the interval reaches +22 %: a pass is not shown.
    assert_eq!(c.verdict, Verdict::Inconclusive);
    assert!(
        matches!(
            c.reasons[..],
            [Reason::Decided {
                outcome: Outcome::WithinNotShown,
                rule: Rule::Default,
                ..
            }]
        ),
        "{c:?}"
    );
    // Power numbers: noise = √k·se, the trials that would decide, a one-sided p.
    let noise = c.noise.ok_or("noise")?;
    assert!((noise - 0.129).abs() < 0.001, "{c:?}");
    assert!(c.trials_needed.is_some_and(|n| n > 6), "{c:?}");
    assert!(c.p_value.is_some_and(|p| p > 0.05 && p < 0.5), "{c:?}");
    assert!(c.mde.is_some_and(|m| m > 0.1), "{c:?}");
    Ok(())
}

#[test]
fn paired_end_to_end_matches_scipy() -> TestResult {
    let settings = Settings {
        method: Method::Paired,
        ..Settings::default()
    };
    let c = compare(&flats(&PB)?, &flats(&PC)?, P99, &settings)?;
    assert!(close(c.change, 0.085_553_699_853_029), "{c:?}");
    assert!(
        close(c.ci_low, 0.064_120_560_811_283_59_f64.exp_m1()),
        "{c:?}"
    );
    assert!(
        close(c.ci_high, 0.100_059_797_723_508_18_f64.exp_m1()),
        "{c:?}"
    );
    // [+6.6 %, +10.5 %]: the upper bound is beyond +10 %, so not yet a pass.
    assert_eq!(c.verdict, Verdict::Inconclusive, "{c:?}");
    let better: Vec<f64> = PC.iter().map(|v| v * 0.97).collect();
    let c = compare(&flats(&PB)?, &flats(&better)?, P99, &settings)?;
    assert_eq!(c.verdict, Verdict::Pass, "{c:?}");
    // Same data scaled by a further 3 %: +11.8 % with a tight paired interval.
    let worse: Vec<f64> = PC.iter().map(|v| v * 1.03).collect();
    let c = compare(&flats(&PB)?, &flats(&worse)?, P99, &settings)?;
    assert_eq!(c.verdict, Verdict::Fail, "{c:?}");
    // Welch on the same data cannot separate it from the between-trial spread.
    let c = compare(&flats(&PB)?, &flats(&worse)?, P99, &Settings::default())?;
    assert_eq!(c.verdict, Verdict::Inconclusive, "{c:?}");
    assert!(
        matches!(
            c.reasons[..],
            [Reason::Decided {
                outcome: Outcome::BeyondNotShown,
                ..
            }]
        ),
        "{c:?}"
    );
    Ok(())
}

fn rule_case(metric: Metric, rule: Rule, change: f64, low: f64, high: f64) -> Verdict {
    let mut c = Comparison {
        metric,
        verdict: Verdict::Inconclusive,
        reason: None,
        reasons: Vec::new(),
        baseline: None,
        candidate: None,
        change: None,
        ci_low: None,
        ci_high: None,
        threshold: if metric.is_ratio() { 0.10 } else { 0.01 },
        confidence: 0.95,
        method: Method::Welch,
        baseline_trials: 3,
        candidate_trials: 3,
        noise: None,
        mde: None,
        trials_needed: None,
        p_value: None,
    };
    let scale = |x: f64| if metric.is_ratio() { x.ln_1p() } else { x };
    let e = Estimate {
        diff: scale(change),
        low: scale(low),
        high: scale(high),
        se: (scale(high) - scale(low)) / 4.0,
        df: 4.0,
        crit: 2.0,
        pairs: 3.0,
    };
    decide(&mut c, &e, rule);
    c.verdict
}

#[test]
fn decision_rule_table() -> TestResult {
    use Rule::{Default as D, Strict as S};
    use Verdict::{Fail, Inconclusive as Inc, Pass};
    let thr = Metric::Throughput;
    let err = Metric::ErrorRate;
    let cases = [
        // higher is worse
        (P99, D, 0.15, 0.02, 0.30, Fail),
        (P99, D, 0.15, -0.02, 0.30, Inc),
        (P99, D, 0.08, 0.02, 0.14, Inc), // within, but the interval reaches beyond
        (P99, D, 0.04, 0.00, 0.09, Pass),
        (P99, D, 0.10, 0.05, 0.15, Inc), // exactly at the threshold is not beyond
        (P99, D, -0.30, -0.40, -0.20, Pass),
        (P99, S, 0.15, 0.02, 0.30, Inc),
        (P99, S, 0.25, 0.11, 0.40, Fail),
        (P99, S, 0.15, -0.02, 0.30, Inc),
        (P99, S, 0.02, -0.02, 0.06, Pass),
        // lower is worse (throughput): mirrored
        (thr, D, -0.15, -0.30, -0.02, Fail),
        (thr, D, -0.15, -0.30, 0.02, Inc),
        (thr, D, 0.15, 0.02, 0.30, Pass),
        (thr, D, -0.02, -0.12, 0.05, Inc),
        (thr, S, -0.15, -0.30, -0.02, Inc),
        (thr, S, -0.25, -0.40, -0.11, Fail),
        // error rate, absolute threshold 0.01
        (err, D, 0.02, 0.02, 0.02, Fail),
        (err, D, 0.02, -0.001, 0.04, Inc),
        (err, D, 0.005, 0.001, 0.009, Pass),
        (err, D, 0.005, 0.001, 0.011, Inc),
        (err, S, 0.02, 0.005, 0.03, Inc),
    ];
    for (metric, rule, change, low, high, expected) in cases {
        let got = rule_case(metric, rule, change, low, high);
        assert_eq!(got, expected, "{metric} {rule:?} {change} [{low}, {high}]");
    }
    Ok(())
}

/// Identical HDR-recorded trials do not give a zero-width interval: the recording resolution
/// floors the noise, so a difference within a bucket or two is not a certain verdict.
#[test]
fn hdr_resolution_floors_the_interval() -> TestResult {
    let hist = |v: u64| -> Result<Trial, Box<dyn std::error::Error>> {
        let mut h = hdrhistogram::Histogram::<u64>::new_with_bounds(1, 1 << 20, 3)?;
        h.record_n(v, 1000)?;
        Ok(Trial::from_distribution(Distribution::from_histogram(&h)))
    };
    // 10 µs: one-µs buckets, a 10 % resolution.
    let b = vec![hist(10)?, hist(10)?, hist(10)?];
    let c = compare(&b, &b, P99, &Settings::default())?;
    let (lo, hi) = (c.ci_low.ok_or("low")?, c.ci_high.ok_or("high")?);
    assert!(lo < 0.0 && hi > 0.0, "{c:?}");
    assert!(c.noise.is_some_and(|n| n > 0.03), "{c:?}");
    // 11 µs against 10 µs (+10 %): no longer a certain regression.
    let c11 = vec![hist(11)?, hist(11)?, hist(11)?];
    let c = compare(&b, &c11, P99, &Settings::default())?;
    assert_ne!(c.verdict, Verdict::Fail, "{c:?}");
    // At 100 ms the 0.1 % resolution is far below a +20 % change: still a fail.
    let slow = vec![hist(100_000)?, hist(100_000)?, hist(100_000)?];
    let slower = vec![hist(120_000)?, hist(120_000)?, hist(120_000)?];
    let c = compare(&slow, &slower, P99, &Settings::default())?;
    assert_eq!(c.verdict, Verdict::Fail, "{c:?}");
    Ok(())
}

#[test]
fn zero_variance_is_a_point_interval() -> TestResult {
    let b = flats(&[1000.0; 3])?;
    let c = compare(&b, &b, P99, &Settings::default())?;
    assert_eq!(
        (c.change, c.ci_low, c.ci_high),
        (Some(0.0), Some(0.0), Some(0.0))
    );
    assert_eq!((c.verdict, c.reasons), (Verdict::Pass, Vec::new()));
    let c = compare(&b, &flats(&[1500.0; 3])?, P99, &Settings::default())?;
    assert_eq!(c.verdict, Verdict::Fail);
    assert!(close(c.ci_low, 0.5) && close(c.ci_high, 0.5), "{c:?}");
    Ok(())
}

#[test]
fn error_rate_is_an_absolute_difference() -> TestResult {
    let s = Settings::default();
    let c = compare(
        &rates(&[0, 0, 0])?,
        &rates(&[20, 20, 20])?,
        Metric::ErrorRate,
        &s,
    )?;
    assert_eq!(c.verdict, Verdict::Fail, "{c:?}");
    assert!(close(c.change, 0.02) && close(c.ci_low, 0.02), "{c:?}");
    match c.reasons[..] {
        [Reason::Decided {
            outcome: Outcome::Regression,
            change,
            ..
        }] => assert!((change - 0.02).abs() < 1e-12, "{c:?}"),
        _ => panic!("{c:?}"),
    }
    let c = compare(
        &rates(&[0, 0, 0])?,
        &rates(&[5, 5, 5])?,
        Metric::ErrorRate,
        &s,
    )?;
    assert_eq!(c.verdict, Verdict::Pass);
    // One bad trial: +1.67 pp but the interval includes zero.
    let c = compare(
        &rates(&[0, 0, 0])?,
        &rates(&[0, 50, 0])?,
        Metric::ErrorRate,
        &s,
    )?;
    assert_eq!(c.verdict, Verdict::Inconclusive, "{c:?}");
    let c = compare(
        &rates(&[0, 0, 0])?,
        &rates(&[0, 0, 0])?,
        Metric::ErrorRate,
        &s,
    )?;
    assert_eq!((c.verdict, c.change), (Verdict::Pass, Some(0.0)));
    Ok(())
}

#[test]
fn throughput_drop_fails() -> TestResult {
    let b = flats(&[1000.0, 1020.0, 990.0])?;
    let c = flats(&[800.0, 810.0, 790.0])?;
    let cmp = compare(&b, &c, Metric::Throughput, &Settings::default())?;
    assert_eq!(cmp.verdict, Verdict::Fail, "{cmp:?}");
    let cmp = compare(&c, &b, Metric::Throughput, &Settings::default())?;
    assert_eq!(cmp.verdict, Verdict::Pass, "{cmp:?}");
    Ok(())
}

#[test]
fn bootstrap_end_to_end() -> TestResult {
    let s = Settings {
        method: Method::BOOTSTRAP,
        ..Settings::default()
    };
    let b: Vec<f64> = PB.to_vec();
    let c: Vec<f64> = PB.iter().map(|v| v * 1.5).collect();
    let cmp = compare(&flats(&b)?, &flats(&c)?, P99, &s)?;
    assert_eq!(cmp.verdict, Verdict::Fail, "{cmp:?}");
    assert!(close(cmp.change, 0.5), "{cmp:?}");
    let again = compare(&flats(&b)?, &flats(&c)?, P99, &s)?;
    assert_eq!(cmp, again);
    let same = compare(&flats(&b)?, &flats(&b)?, P99, &s)?;
    assert_eq!(same.verdict, Verdict::Pass, "{same:?}");
    assert_eq!(same.change, Some(0.0));
    Ok(())
}

#[path = "verdict_reason_tests.rs"]
mod reasons;
