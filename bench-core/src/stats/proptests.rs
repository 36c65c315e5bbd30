//! Property tests of [`compare`](super::compare).
#![cfg(test)]

use hdrhistogram::Histogram;
use proptest::prelude::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::{
    compare, Distribution, Method, Metric, Quantile, Reason, Settings, Side, Trial, Verdict,
};

/// Builds `levels.len()` trials of `n` skewed latencies (µs) each. Trial `i`
/// uses RNG seed `seed + i` and is scaled by `levels[i] · slowdown`, so two
/// calls differing only in `slowdown` give every value scaled. Its rps is
/// `5000 / (level · slowdown)`; errors are `errors[i] ‰` of 1000 requests.
fn trials(
    seed: u64,
    levels: &[f64],
    n: usize,
    slowdown: f64,
    hdr: bool,
    errors: &[u64],
) -> Result<Vec<Trial>, TestCaseError> {
    let fail = |e: &dyn std::fmt::Display| TestCaseError::fail(e.to_string());
    levels
        .iter()
        .enumerate()
        .map(|(i, &level)| {
            let mut rng = SmallRng::seed_from_u64(seed.wrapping_add(i as u64));
            let samples: Vec<f64> = (0..n)
                .map(|_| {
                    let u: f64 = rng.random();
                    ((100.0 + 900.0 * u * u * u) * level * slowdown).round()
                })
                .collect();
            let dist = if hdr {
                let mut h =
                    Histogram::<u64>::new_with_bounds(1, 3_600_000_000, 3).map_err(|e| fail(&e))?;
                for &s in &samples {
                    h.record(s as u64).map_err(|e| fail(&e))?;
                }
                Distribution::from_histogram(&h)
            } else {
                Distribution::from_samples(&samples).map_err(|e| fail(&e))?
            };
            Ok(Trial {
                dist,
                requests: 1000,
                errors: errors.get(i).copied().unwrap_or(0),
                rps: 5000.0 / (level * slowdown),
                cpu_us_per_request: None,
            })
        })
        .collect()
}

fn any_metric() -> impl Strategy<Value = Metric> {
    prop_oneof![
        prop::sample::select(vec![0.5, 0.9, 0.95, 0.99, 0.999])
            .prop_filter_map("a quantile in (0, 1)", |q| Quantile::new(q)
                .ok()
                .map(Metric::Quantile)),
        Just(Metric::Mean),
        Just(Metric::Throughput),
        Just(Metric::ErrorRate),
    ]
}

fn ratio_metric() -> impl Strategy<Value = Metric> {
    any_metric().prop_filter("ratio metrics", |m| m.is_ratio())
}

fn any_method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::Welch),
        Just(Method::Paired),
        any::<u64>().prop_map(|seed| Method::Bootstrap {
            resamples: 200,
            seed
        }),
    ]
}

/// Samples per trial: at least 10 000, and enough for `min_tail_samples` = 10.
/// (Passing the tail check only makes a quantile estimable; with, say, 21
/// samples for a p50 the per-trial noise is ~30 % and a +50 % change may
/// rightly stay inconclusive with 3 trials. Even 1000 samples leave ~5 %
/// noise on each trial's p50, which on top of ±10 % levels once made 3 Welch
/// trials miss a +50 % change in CI; at 10 000 samples it is ~1.6 %.)
fn enough_samples(metric: Metric) -> usize {
    match metric {
        Metric::Quantile(q) => ((10.0 / q.tail_samples(1)).ceil() as usize + 1).max(10_000),
        _ => 1000,
    }
}

fn settings(method: Method) -> Settings {
    Settings {
        method,
        ..Settings::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Identical evidence never fails, whatever the metric, method, trial
    /// count or sample size; and when a change is reported it is zero.
    #[test]
    fn identical_never_fails(
        seed in any::<u64>(),
        levels in prop::collection::vec(0.5f64..2.0, 0..7),
        n in 0usize..3000,
        errors in prop::collection::vec(0u64..100, 7),
        hdr in any::<bool>(),
        metric in any_metric(),
        method in any_method(),
        reverse in any::<bool>(),
    ) {
        let b = trials(seed, &levels, n, 1.0, hdr, &errors)?;
        let mut c = b.clone();
        if reverse && method != Method::Paired {
            c.reverse();
        }
        let cmp = compare(&b, &c, metric, &settings(method)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_ne!(cmp.verdict, Verdict::Fail, "{:?}", cmp);
        if let Some(change) = cmp.change {
            prop_assert!(change.abs() < 1e-12, "{:?}", cmp);
        }
    }

    /// Fewer than `min_trials` on either side is inconclusive, even for a
    /// large regression.
    #[test]
    fn too_few_trials_is_inconclusive(
        seed in any::<u64>(),
        short in prop::collection::vec(0.9f64..1.1, 0..3),
        long in prop::collection::vec(0.9f64..1.1, 0..7),
        short_is_baseline in any::<bool>(),
        metric in any_metric(),
        method in any_method(),
    ) {
        let n = enough_samples(metric);
        let (bl, cl) = if short_is_baseline { (&short, &long) } else { (&long, &short) };
        let b = trials(seed, bl, n, 1.0, false, &[])?;
        let c = trials(seed, cl, n, 2.0, false, &[500; 7])?;
        let cmp = compare(&b, &c, metric, &settings(method)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(cmp.verdict, Verdict::Inconclusive, "{:?}", cmp);
        prop_assert!(
            cmp.reasons.iter().any(|r| matches!(r, Reason::TooFewTrials { min: 3, trials, .. } if *trials < 3)),
            "{:?}",
            cmp.reasons
        );
    }

    /// A trial with fewer than 10 000 samples (< 10 beyond p99.9) makes a
    /// p99.9 comparison inconclusive, even for a large regression.
    #[test]
    fn too_few_tail_samples_for_p999_is_inconclusive(
        seed in any::<u64>(),
        levels in prop::collection::vec(0.9f64..1.1, 3..6),
        short_n in 1usize..10_000,
        hdr in any::<bool>(),
        method in any_method(),
    ) {
        let metric = Metric::Quantile(Quantile::P999);
        let mut b = trials(seed, &levels, 10_000, 1.0, hdr, &[])?;
        let c = trials(seed, &levels, 10_000, 1.5, hdr, &[])?;
        b[1..2].clone_from_slice(&trials(seed, &levels[1..2], short_n, 1.0, hdr, &[])?);
        let cmp = compare(&b, &c, metric, &settings(method)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(cmp.verdict, Verdict::Inconclusive, "{:?}", cmp);
        prop_assert!(
            cmp.reasons.iter().any(|r| matches!(
                r,
                Reason::TooFewTailSamples { side: Side::Baseline, trial: 2, needed: 10_000, .. }
            )),
            "{:?}",
            cmp.reasons
        );
    }
}

// A power claim, not an invariant: with 3 trials a +50 % change is missed with a small but
// real probability (the per-trial noise can widen a 95 % interval past zero), so a random seed
// per run makes CI flaky without finding a bug. The cases are drawn from a fixed seed; the
// invariants above keep a fresh seed each run.
proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20_261_130),
        ..ProptestConfig::default()
    })]

    /// Every value 1.5× slower (rps 1.5× lower) fails on every ratio metric,
    /// with ≥ 3 trials, between-trial variation up to ±10 %, and enough
    /// tail samples.
    #[test]
    fn fifty_percent_slower_fails(
        seed in any::<u64>(),
        levels in prop::collection::vec(0.9f64..1.1, 3..7),
        hdr in any::<bool>(),
        metric in ratio_metric(),
        method in any_method(),
    ) {
        let n = enough_samples(metric);
        let b = trials(seed, &levels, n, 1.0, hdr, &[])?;
        let c = trials(seed, &levels, n, 1.5, hdr, &[])?;
        let cmp = compare(&b, &c, metric, &settings(method)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(cmp.verdict, Verdict::Fail, "{:?}", cmp);
    }
}
