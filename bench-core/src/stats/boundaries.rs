//! Exact group-sequential boundaries: the crossing probabilities of a standardised statistic
//! observed at several looks, computed by recursive numerical integration over the looks
//! (Armitage, McPherson and Rowe 1969; Jennison and Turnbull 2000, ch. 19), and the
//! Lan–DeMets boundaries that spend a given error exactly.
//!
//! At look `k` with information `I_k` (here: pairs), `Z_k = S_k / √I_k` where the score `S`
//! has independent normal increments, so `Corr(Z_j, Z_k) = √(I_j / I_k)`. Under the null
//! hypothesis the density of `Z_k` on the paths that have not crossed `Z_j ≥ b_j` before is
//! carried from look to look on a grid (Simpson's rule), and the probability of crossing at
//! look `k` first is one integral over it. Only the upper boundary exists (one-sided, the
//! other decision does not stop the computation), so the error is bounded whatever else
//! stops the trials: the boundaries are *non-binding*.

use statrs::function::erf::erfc;

/// Grid step on the Z scale (Simpson's rule: the error is far below the 4th digit).
const STEP: f64 = 0.02;
/// Lower end of the grid: the density of a standard normal below it is negligible.
const LOW: f64 = -8.0;
/// A boundary no path crosses (a look that spends nothing).
const NEVER: f64 = 12.0;

/// The standard normal distribution function.
pub(crate) fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// The standard normal quantile (`p` in (0, 1)).
#[cfg(test)]
pub(crate) fn normal_quantile(p: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    Normal::standard().inverse_cdf(p)
}

fn normal_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// The null density of `Z` at one look, restricted to the paths still running, as grid
/// points and their Simpson-weighted densities.
struct Continuation {
    info: f64,
    z: Vec<f64>,
    weight: Vec<f64>,
}

impl Continuation {
    /// Before the first look: all mass at `Z = 0` with no information.
    fn start() -> Self {
        Continuation {
            info: 0.0,
            z: vec![0.0],
            weight: vec![1.0],
        }
    }

    /// Probability that a path still running crosses `bound` at a look with `info`.
    fn crossing(&self, info: f64, bound: f64) -> f64 {
        let step = (info - self.info).sqrt();
        let (root, root_before) = (info.sqrt(), self.info.sqrt());
        self.z
            .iter()
            .zip(&self.weight)
            .map(|(&u, &w)| w * (1.0 - normal_cdf((bound * root - u * root_before) / step)))
            .sum()
    }

    /// The density at the look with `info` of the paths below `bound` there.
    fn next(&self, info: f64, bound: f64) -> Self {
        let step = (info - self.info).sqrt();
        let (root, root_before) = (info.sqrt(), self.info.sqrt());
        let top = bound.min(NEVER);
        let intervals = ((((top - LOW) / STEP).ceil() as usize).max(2) + 1) & !1;
        let h = (top - LOW) / intervals as f64;
        let mut z = Vec::with_capacity(intervals + 1);
        let mut weight = Vec::with_capacity(intervals + 1);
        for i in 0..=intervals {
            let x = LOW + h * i as f64;
            let simpson = if i == 0 || i == intervals {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            let density: f64 = self
                .z
                .iter()
                .zip(&self.weight)
                .map(|(&u, &w)| w * normal_pdf((x * root - u * root_before) / step))
                .sum::<f64>()
                * root
                / step;
            z.push(x);
            weight.push(density * simpson * h / 3.0);
        }
        Continuation { info, z, weight }
    }
}

/// The probability of crossing each upper `bounds[k]` first at look `k` (information
/// `info[k]`, strictly increasing) under the null hypothesis.
#[cfg(test)]
pub(crate) fn crossings(info: &[f64], bounds: &[f64]) -> Vec<f64> {
    let mut state = Continuation::start();
    info.iter()
        .zip(bounds)
        .map(|(&i, &b)| {
            let p = state.crossing(i, b);
            state = state.next(i, b);
            p
        })
        .collect()
}

/// The Lan–DeMets boundaries: at look `k` (information `info[k]`, strictly increasing) the
/// upper boundary on the Z scale whose first-crossing probability is
/// `spent[k] − spent[k−1]` (`spent` cumulative and non-decreasing), so the total error is
/// exactly the last of `spent`.
#[must_use]
pub(crate) fn spending_bounds(info: &[f64], spent: &[f64]) -> Vec<f64> {
    let mut state = Continuation::start();
    let mut before = 0.0;
    info.iter()
        .zip(spent)
        .map(|(&i, &cumulative)| {
            let target = cumulative - before;
            before = cumulative;
            let bound = solve(|b| state.crossing(i, b), target);
            state = state.next(i, bound);
            bound
        })
        .collect()
}

/// The `b` at which the decreasing `crossing(b)` equals `target` (bisection).
fn solve(crossing: impl Fn(f64) -> f64, target: f64) -> f64 {
    if target <= crossing(NEVER) {
        return NEVER;
    }
    let (mut lo, mut hi) = (-NEVER, NEVER);
    for _ in 0..50 {
        let mid = 0.5 * (lo + hi);
        if crossing(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// The constant `c` with a total crossing probability of `alpha` for boundaries
    /// `c · shape[k]`.
    fn constant(info: &[f64], shape: &[f64], alpha: f64) -> f64 {
        solve(
            |c| {
                let bounds: Vec<f64> = shape.iter().map(|s| c * s).collect();
                crossings(info, &bounds).iter().sum()
            },
            alpha,
        )
    }

    #[test]
    fn one_look_is_the_normal_quantile() {
        let b = spending_bounds(&[10.0], &[0.025]);
        assert!(close(b[0], 1.959_964, 1e-5), "{b:?}");
        assert!(close(crossings(&[3.0], &[1.644_854])[0], 0.05, 1e-6));
    }

    #[test]
    fn pocock_and_obrien_fleming_constants_for_five_looks() {
        // Jennison and Turnbull (2000), tables 2.1 and 2.3: K = 5 equally spaced looks,
        // two-sided α = 0.05 (0.025 per side): Pocock C_P = 2.413, O'Brien–Fleming
        // C_B = 2.040; K = 2: 2.178 and 1.977.
        let five = [1.0, 2.0, 3.0, 4.0, 5.0];
        let flat = [1.0; 5];
        let obf: Vec<f64> = five.iter().map(|k: &f64| (5.0 / k).sqrt()).collect();
        let p = constant(&five, &flat, 0.025);
        let o = constant(&five, &obf, 0.025);
        assert!(close(p, 2.413, 0.002), "Pocock {p}");
        assert!(close(o, 2.040, 0.002), "O'Brien-Fleming {o}");
        let two = [1.0, 2.0];
        let p2 = constant(&two, &[1.0, 1.0], 0.025);
        let o2 = constant(&two, &[2f64.sqrt(), 1.0], 0.025);
        assert!(close(p2, 2.178, 0.002), "Pocock K=2 {p2}");
        assert!(close(o2, 1.977, 0.002), "O'Brien-Fleming K=2 {o2}");
    }

    #[test]
    fn lan_demets_obrien_fleming_spending_for_five_looks() {
        // The O'Brien–Fleming-type spending function α(t) = 2 − 2Φ(z_{α/2}/√t) for a
        // one-sided α = 0.025 at five equally spaced looks (Lan and DeMets 1983; gsDesign's
        // sfLDOF):
        // 4.877, 3.357, 2.680, 2.290, 2.031.
        let t = [0.2, 0.4, 0.6, 0.8, 1.0];
        let spent: Vec<f64> = t
            .iter()
            .map(|t: &f64| 2.0 - 2.0 * normal_cdf(2.241_403 / t.sqrt()))
            .collect();
        let b = spending_bounds(&t, &spent);
        for (got, want) in b.iter().zip([4.877, 3.357, 2.680, 2.290, 2.031]) {
            assert!(close(*got, want, 0.002), "{b:?}");
        }
        // And they spend exactly that.
        let total: f64 = crossings(&t, &b).iter().sum();
        assert!(close(total, 0.025, 1e-6), "{total}");
    }

    #[test]
    fn correlated_looks_spend_less_than_the_union_bound() {
        // The same nominal level at every look: the exact total is below the sum.
        let info = [3.0, 5.0, 7.0, 10.0, 14.0, 20.0];
        let b = [2.5; 6];
        let total: f64 = crossings(&info, &b).iter().sum();
        let union = 6.0 * (1.0 - normal_cdf(2.5));
        assert!(total < 0.75 * union, "{total} {union}");
        assert!(total > 1.0 - normal_cdf(2.5), "{total}");
    }
}
