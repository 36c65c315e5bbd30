//! Random variates for the bootstrap, and cheap exact bootstrap replicates of
//! a trial's statistic (without resampling its n values).
//!
//! Only `rand` is available (no `rand_distr`), so the few continuous variates
//! needed are implemented here: standard normal (Box–Muller), gamma
//! (Marsaglia–Tsang), beta (ratio of gammas).

use rand::Rng;

use super::Distribution;

/// Resampling a trial's `n` values exactly is affordable up to this size (for
/// the mean); above it the CLT normal approximation is used.
pub(crate) const EXACT_MEAN_RESAMPLE_MAX: u64 = 1_024;

/// Uniform on (0, 1].
fn open_unit<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    1.0 - rng.random::<f64>()
}

/// Standard normal variate (Box–Muller, one of the pair).
pub(crate) fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let radius = (-2.0 * open_unit(rng).ln()).sqrt();
    radius * (std::f64::consts::TAU * rng.random::<f64>()).cos()
}

/// Gamma(shape, 1) variate for `shape >= 1` (Marsaglia & Tsang 2000).
pub(crate) fn gamma<R: Rng + ?Sized>(rng: &mut R, shape: f64) -> f64 {
    debug_assert!(shape >= 1.0);
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = standard_normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = open_unit(rng);
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

/// Beta(a, b) variate for `a, b >= 1`.
pub(crate) fn beta<R: Rng + ?Sized>(rng: &mut R, a: f64, b: f64) -> f64 {
    let x = gamma(rng, a);
    let y = gamma(rng, b);
    x / (x + y)
}

/// Empirical quantile function `F_n⁻¹(u) = x(⌈n·u⌉)` (1-based order statistic).
fn inverse_ecdf(dist: &Distribution, u: f64) -> f64 {
    let n = dist.len() as f64;
    let rank = (n * u).ceil().max(1.0) - 1.0;
    // 0 <= rank <= n − 1 (value_at_rank clamps anyway).
    dist.value_at_rank(rank as u64)
}

/// One draw from the **exact** bootstrap distribution of the type-7 quantile
/// `q` of `dist`, i.e. distributed exactly like `quantile(q)` of a resample
/// of `n` values drawn with replacement — at O(1) cost instead of O(n).
///
/// A resample is `F_n⁻¹(U_1..U_n)` for iid uniforms, and `F_n⁻¹` is monotone,
/// so its j-th order statistic is `F_n⁻¹(U_(j))` with `U_(j) ~ Beta(j, n−j+1)`.
/// Type 7 needs the adjacent order statistics j and j+1
/// (`j = ⌊(n−1)q⌋ + 1`); given `U_(j)`, the remaining `n − j` uniforms are iid on
/// `(U_(j), 1)`, so `U_(j+1) = U_(j) + (1 − U_(j))·(1 − V^{1/(n−j)})` (their
/// minimum). This is exact where the frequently suggested shortcut "rank ~
/// Binomial(n, q), take the value at that rank" is only asymptotically so.
pub(crate) fn quantile_replicate<R: Rng + ?Sized>(rng: &mut R, dist: &Distribution, q: f64) -> f64 {
    let n = dist.len();
    if n <= 1 {
        return dist.value_at_rank(0);
    }
    let h = (n - 1) as f64 * q;
    let j = h.floor() + 1.0; // 1-based order statistic, 1 <= j <= n
    let frac = h + 1.0 - j;
    let nf = n as f64;
    let u_j = beta(rng, j, nf - j + 1.0);
    let low = inverse_ecdf(dist, u_j);
    if frac == 0.0 || j >= nf {
        return low;
    }
    let min_rest = 1.0 - open_unit(rng).powf(1.0 / (nf - j));
    let u_next = u_j + (1.0 - u_j) * min_rest;
    let high = inverse_ecdf(dist, u_next);
    low + frac * (high - low)
}

/// One draw from the bootstrap distribution of the mean of `dist`: exact
/// resampling up to [`EXACT_MEAN_RESAMPLE_MAX`] values, otherwise
/// `mean + σ/√n · Z` (CLT; accurate at load-test sizes).
pub(crate) fn mean_replicate<R: Rng + ?Sized>(rng: &mut R, dist: &Distribution) -> f64 {
    let n = dist.len();
    if n == 0 {
        return f64::NAN;
    }
    if n <= EXACT_MEAN_RESAMPLE_MAX {
        let sum: f64 = (0..n)
            .map(|_| dist.value_at_rank(rng.random_range(0..n)))
            .sum();
        return sum / n as f64;
    }
    let (Some(mean), Some(var)) = (dist.mean(), dist.variance()) else {
        return f64::NAN;
    };
    mean + (var / n as f64).sqrt() * standard_normal(rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Quantile;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    fn mean_sd(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let m = xs.iter().sum::<f64>() / n;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n;
        (m, v.sqrt())
    }

    #[test]
    fn variates_have_the_right_moments() {
        let mut rng = StdRng::seed_from_u64(1);
        let n = 40_000;
        let z: Vec<f64> = (0..n).map(|_| standard_normal(&mut rng)).collect();
        let (m, s) = mean_sd(&z);
        assert!(m.abs() < 0.02 && (s - 1.0).abs() < 0.02, "normal {m} {s}");
        let g: Vec<f64> = (0..n).map(|_| gamma(&mut rng, 3.5)).collect();
        let (m, s) = mean_sd(&g);
        assert!(
            (m - 3.5).abs() < 0.05 && (s - 3.5_f64.sqrt()).abs() < 0.05,
            "gamma {m} {s}"
        );
        // Beta(990, 11): mean a/(a+b), var ab/((a+b)²(a+b+1)).
        let b: Vec<f64> = (0..n).map(|_| beta(&mut rng, 990.0, 11.0)).collect();
        let (m, s) = mean_sd(&b);
        let sd = (990.0 * 11.0 / (1001.0_f64.powi(2) * 1002.0)).sqrt();
        assert!((m - 990.0 / 1001.0).abs() < 0.1 * sd, "beta mean {m}");
        assert!((s / sd - 1.0).abs() < 0.03, "beta sd {s} vs {sd}");
    }

    /// The order-statistic shortcut must match brute-force resampling.
    #[test]
    fn quantile_replicate_matches_brute_force_resampling() {
        let data: Vec<f64> = (1..=40).map(|i| f64::from(i).powf(1.3)).collect();
        let dist = Distribution::from_samples(&data).unwrap();
        let mut rng = StdRng::seed_from_u64(2);
        let reps = 20_000;
        for q in [0.5, 0.9, 0.99] {
            let fast: Vec<f64> = (0..reps)
                .map(|_| quantile_replicate(&mut rng, &dist, q))
                .collect();
            let slow: Vec<f64> = (0..reps)
                .map(|_| {
                    let resample: Vec<f64> =
                        (0..40).map(|_| data[rng.random_range(0..40)]).collect();
                    let d = Distribution::from_samples(&resample).unwrap();
                    d.quantile(Quantile::new(q).unwrap()).unwrap()
                })
                .collect();
            let (mf, sf) = mean_sd(&fast);
            let (ms, ss) = mean_sd(&slow);
            // Monte-Carlo tolerance: ~4 standard errors.
            assert!(
                (mf - ms).abs() < 4.0 * ss * (2.0 / reps as f64).sqrt(),
                "q={q} mean {mf} vs {ms}"
            );
            assert!((sf / ss - 1.0).abs() < 0.04, "q={q} sd {sf} vs {ss}");
        }
    }

    #[test]
    fn mean_replicate_spread() {
        let mut rng = StdRng::seed_from_u64(3);
        for n in [100u32, 5_000] {
            let data: Vec<f64> = (0..n).map(|i| f64::from(i % 17)).collect();
            let dist = Distribution::from_samples(&data).unwrap();
            let reps: Vec<f64> = (0..4_000)
                .map(|_| mean_replicate(&mut rng, &dist))
                .collect();
            let (m, s) = mean_sd(&reps);
            let expected_sd = (dist.variance().unwrap() / f64::from(n)).sqrt();
            assert!(
                (m - dist.mean().unwrap()).abs() < 4.0 * expected_sd / 60.0,
                "n={n}"
            );
            assert!(
                (s / expected_sd - 1.0).abs() < 0.06,
                "n={n}: {s} vs {expected_sd}"
            );
        }
    }

    #[test]
    fn constant_distribution_replicates_exactly() {
        let dist = Distribution::from_weighted(&[(7.0, 500)]).unwrap();
        let mut rng = StdRng::seed_from_u64(4);
        for _ in 0..100 {
            assert_eq!(quantile_replicate(&mut rng, &dist, 0.99), 7.0);
            assert_eq!(mean_replicate(&mut rng, &dist), 7.0);
        }
    }
}
