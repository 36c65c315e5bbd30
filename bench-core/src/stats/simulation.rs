//! Seeded Monte-Carlo checks of the whole procedure's error rates.
//!
//! Process: trial `i` has a level `exp(σ_between · Z_i)` (run-to-run shift)
//! and `N` lognormal(ln 1000 µs, 0.5) request latencies scaled by it,
//! recorded into an HDR histogram. A/B multiplies every candidate latency.
#![cfg(test)]

use hdrhistogram::Histogram;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

type TestResult = Result<(), Box<dyn std::error::Error>>;

use super::sampling::standard_normal;
use super::{compare, Distribution, Method, Metric, Quantile, Settings, Trial, Verdict};

const P99: Metric = Metric::Quantile(Quantile::P99);
/// Requests per trial: 10 beyond the p99, the minimum the gate accepts.
const N: usize = 1000;

/// Standard normal variates, drawn once: indexing this pool is much cheaper
/// than Box–Muller in a debug build (the test must stay fast).
fn normal_pool(rng: &mut StdRng) -> Vec<f64> {
    (0..1 << 16).map(|_| standard_normal(rng)).collect()
}

/// A simulated trial of `n` requests at `level`, with every latency
/// multiplied by each of `factors` (the same requests, slowed down).
fn trials(
    rng: &mut StdRng,
    pool: &[f64],
    level: f64,
    n: usize,
    factors: &[f64],
) -> Result<Vec<Trial>, Box<dyn std::error::Error>> {
    let empty = Histogram::<u64>::new_with_bounds(1, 1 << 16, 3)?;
    let mut histograms = vec![empty; factors.len()];
    for _ in 0..n {
        let z = pool[usize::from(rng.random::<u16>())];
        let latency = level * 1000.0 * (0.5 * z).exp();
        for (h, factor) in histograms.iter_mut().zip(factors) {
            h.record((latency * factor).round().max(1.0) as u64)?;
        }
    }
    Ok(histograms
        .iter()
        .map(|h| Trial {
            dist: Distribution::from_histogram(h),
            requests: n as u64,
            errors: 0,
            rps: 1000.0,
            cpu_us_per_request: None,
        })
        .collect())
}

/// Level of one trial with run-to-run sd `sd` on the log scale.
fn level(rng: &mut StdRng, sd: f64) -> f64 {
    (sd * standard_normal(rng)).exp()
}

#[derive(Debug, Default)]
struct Tally {
    runs: u32,
    fail: u32,
    /// Intervals (of the A/A change) that exclude 0.
    miss: u32,
}

impl Tally {
    fn add(&mut self, verdict: Verdict, ci: (Option<f64>, Option<f64>)) {
        self.runs += 1;
        self.fail += u32::from(verdict == Verdict::Fail);
        let excludes_zero = matches!(ci, (Some(lo), Some(hi)) if lo > 0.0 || hi < 0.0);
        self.miss += u32::from(excludes_zero);
    }
    fn rate(&self, count: u32) -> f64 {
        f64::from(count) / f64::from(self.runs)
    }
}

/// Unpaired A/A and A/B (+50 %) with 5 trials per side, 3 % run-to-run sd,
/// [`N`] requests per trial, p99.
fn unpaired(
    method: Method,
    comparisons: u32,
    seed: u64,
) -> Result<(Tally, Tally), Box<dyn std::error::Error>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let settings = Settings {
        method,
        ..Settings::default()
    };
    let pool = normal_pool(&mut rng);
    let (mut aa, mut ab) = (Tally::default(), Tally::default());
    for _ in 0..comparisons {
        let (mut baseline, mut same, mut slower) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..5 {
            let l = level(&mut rng, 0.03);
            baseline.extend(trials(&mut rng, &pool, l, N, &[1.0])?);
            let l = level(&mut rng, 0.03);
            let mut pair = trials(&mut rng, &pool, l, N, &[1.0, 1.5])?;
            slower.extend(pair.pop());
            same.extend(pair.pop());
        }
        let c = compare(&baseline, &same, P99, &settings)?;
        aa.add(c.verdict, (c.ci_low, c.ci_high));
        let c = compare(&baseline, &slower, P99, &settings)?;
        ab.add(c.verdict, (c.ci_low, c.ci_high));
    }
    Ok((aa, ab))
}

#[test]
fn welch_false_alarms_and_power() -> TestResult {
    let (aa, ab) = unpaired(Method::Welch, 200, 0x5EED_0001)?;
    eprintln!("welch A/A {aa:?}, A/B {ab:?}");
    assert!(aa.rate(aa.fail) <= 0.05, "A/A false fails {aa:?}");
    // The 95 % interval should miss 0 about 5 % of the time (calibration).
    assert!(aa.rate(aa.miss) <= 0.09, "A/A non-coverage {aa:?}");
    assert!(ab.rate(ab.fail) >= 0.95, "A/B detection {ab:?}");
    Ok(())
}

#[test]
fn bootstrap_false_alarms_and_power() -> TestResult {
    let method = Method::Bootstrap {
        resamples: 400,
        seed: 7,
    };
    let (aa, ab) = unpaired(method, 60, 0x5EED_0002)?;
    eprintln!("bootstrap A/A {aa:?}, A/B {ab:?}");
    assert!(aa.rate(aa.fail) <= 0.05, "A/A false fails {aa:?}");
    assert!(ab.rate(ab.fail) >= 0.95, "A/B detection {ab:?}");
    Ok(())
}

/// Interleaved runs share a drifting machine state (8 % sd per pair, 1 %
/// independent): the paired method removes the drift and detects +15 %,
/// where Welch mostly cannot, without raising false alarms.
#[test]
fn paired_removes_shared_drift() -> TestResult {
    let mut rng = StdRng::seed_from_u64(0x5EED_0003);
    let welch = Settings::default();
    let paired = Settings {
        method: Method::Paired,
        ..Settings::default()
    };
    let pool = normal_pool(&mut rng);
    let (mut aa, mut ab, mut ab_welch) = (Tally::default(), Tally::default(), Tally::default());
    for _ in 0..100 {
        let (mut b, mut same, mut slower) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..5 {
            let drift = level(&mut rng, 0.08);
            let l = drift * level(&mut rng, 0.01);
            b.extend(trials(&mut rng, &pool, l, N, &[1.0])?);
            let l = drift * level(&mut rng, 0.01);
            let mut pair = trials(&mut rng, &pool, l, N, &[1.0, 1.15])?;
            slower.extend(pair.pop());
            same.extend(pair.pop());
        }
        let c = compare(&b, &same, P99, &paired)?;
        aa.add(c.verdict, (c.ci_low, c.ci_high));
        let c = compare(&b, &slower, P99, &paired)?;
        ab.add(c.verdict, (c.ci_low, c.ci_high));
        let c = compare(&b, &slower, P99, &welch)?;
        ab_welch.add(c.verdict, (c.ci_low, c.ci_high));
    }
    eprintln!("paired A/A {aa:?}, A/B +15% {ab:?}, welch A/B +15% {ab_welch:?}");
    assert!(aa.rate(aa.fail) <= 0.05, "paired A/A {aa:?}");
    assert!(aa.rate(aa.miss) <= 0.12, "paired A/A non-coverage {aa:?}");
    assert!(ab.rate(ab.fail) >= 0.6, "paired A/B {ab:?}");
    assert!(
        ab_welch.fail < ab.fail,
        "welch {ab_welch:?} vs paired {ab:?}"
    );
    Ok(())
}
