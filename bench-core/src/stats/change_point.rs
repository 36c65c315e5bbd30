//! Change points in a series of noisy measurements (one value per run, in commit order):
//! hierarchical **e-divisive means** (Matteson & James 2014), the method of MongoDB's CI
//! analysis and of Hunter / Apache Otava.
//!
//! The series is split where the energy statistic between the left and right parts is largest;
//! the split is kept when a permutation test (the observations of every current segment shuffled
//! within it, the largest statistic over all segments recomputed) says a split that strong is
//! rare without a change: `p = (1 + #{permuted ≥ observed}) / (1 + permutations)` ≤ `alpha`.
//! Each kept split divides its segment and the search repeats until no split is significant.
//! Every segment keeps at least `min_segment` values, so a change is seen only once that many
//! values follow it. The permutations come from a seeded generator: the same series and settings
//! give the same change points.
//!
//! A significant split is not always a change worth naming: with enough runs, a drift of 1–2 %
//! between two stretches of the history (a runner image update, a neighbour on the host) is
//! significant. [`merge_small`] removes the change points whose shift is below a floor, the
//! smallest first, re-measuring the neighbours' levels each time (Hunter / Otava's
//! `min_magnitude`).
//!
//! The statistic compares whole distributions (mean absolute differences), not only means, so
//! one outlier moves it little, and no normality is assumed. Cost per test:
//! `permutations × Σ segment length²`.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

use super::StatsError;

/// How change points are searched.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChangePointSettings {
    /// Significance level of each split's permutation test.
    pub alpha: f64,
    /// Fewest values in a segment (a change is seen once this many values follow it).
    pub min_segment: usize,
    /// Permutations per test (the smallest p-value is `1 / (permutations + 1)`).
    pub permutations: usize,
    /// Seed of the permutations.
    pub seed: u64,
}

impl Default for ChangePointSettings {
    fn default() -> Self {
        Self {
            alpha: 0.01,
            min_segment: 5,
            permutations: 199,
            seed: 1,
        }
    }
}

impl ChangePointSettings {
    /// Check the ranges: `alpha` in (0, 1), `min_segment` ≥ 1, `permutations` ≥ 1 and
    /// `alpha ≥ 1 / (permutations + 1)` (otherwise nothing could ever be significant).
    ///
    /// # Errors
    /// [`StatsError::InvalidSettings`] naming the field.
    pub fn validate(&self) -> Result<(), StatsError> {
        let bad = |m: String| Err(StatsError::InvalidSettings(m));
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return bad(format!("alpha must be in (0, 1), got {}", self.alpha));
        }
        if self.min_segment == 0 {
            return bad("min_segment must be at least 1".to_owned());
        }
        if self.permutations == 0 {
            return bad("permutations must be at least 1".to_owned());
        }
        let floor = 1.0 / (self.permutations as f64 + 1.0);
        if self.alpha < floor {
            return bad(format!(
                "alpha {} is below the smallest p-value {floor:.4} that {} permutations can give",
                self.alpha, self.permutations
            ));
        }
        Ok(())
    }
}

/// One change point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChangePoint {
    /// Index of the first value of the new level.
    pub index: usize,
    /// Median of the segment before (up to the previous change point): one stalled run moves
    /// it no more than any other run, so it cannot shrink a real step below a floor.
    pub before: f64,
    /// Median of the segment from `index` (up to the next change point).
    pub after: f64,
    /// The permutation test's p-value when the split was made.
    pub p_value: f64,
}

/// The change points of `values`, in index order.
///
/// # Errors
/// Invalid settings, or a value that is not finite.
pub fn detect(
    values: &[f64],
    settings: &ChangePointSettings,
) -> Result<Vec<ChangePoint>, StatsError> {
    settings.validate()?;
    if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(StatsError::NonFiniteSample { index, value });
    }
    let mut rng = StdRng::seed_from_u64(settings.seed);
    let min = settings.min_segment;
    // Segment boundaries (start indices and the end), and the p-value of each split.
    let mut cuts: Vec<(usize, f64)> = Vec::new();
    loop {
        let bounds = boundaries(values.len(), &cuts);
        let Some((at, observed)) = best_over(values, &bounds, min) else {
            break;
        };
        let mut shuffled = values.to_vec();
        let mut exceed = 0usize;
        for _ in 0..settings.permutations {
            for w in bounds.windows(2) {
                shuffled[w[0]..w[1]].shuffle(&mut rng);
            }
            if best_over(&shuffled, &bounds, min).is_some_and(|(_, q)| q >= observed) {
                exceed += 1;
            }
            shuffled[..].copy_from_slice(values);
        }
        let p = (exceed + 1) as f64 / (settings.permutations + 1) as f64;
        if p > settings.alpha {
            break;
        }
        cuts.push((at, p));
        cuts.sort_by_key(|c| c.0);
    }
    Ok(levels(values, &cuts))
}

/// `change_points` (of `values`, as [`detect`] gives them) without those whose level shift
/// `|after − before|` is below `min_shift` (in the values' unit). The smallest goes first and
/// the two segments it separated become one, so its neighbours' levels are re-measured before
/// the next is judged: a creep of small steps that adds up to more than `min_shift` keeps a
/// change point. The p-values are those of the original splits.
#[must_use]
pub fn merge_small(
    values: &[f64],
    change_points: &[ChangePoint],
    min_shift: f64,
) -> Vec<ChangePoint> {
    let mut cuts: Vec<(usize, f64)> = change_points.iter().map(|c| (c.index, c.p_value)).collect();
    loop {
        let levels = levels(values, &cuts);
        let smallest = levels
            .iter()
            .enumerate()
            .map(|(i, c)| (i, (c.after - c.before).abs()))
            .filter(|(_, shift)| *shift < min_shift)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        match smallest {
            Some((i, _)) => {
                cuts.remove(i);
            }
            None => return levels,
        }
    }
}

/// The change points at `cuts` with the median levels of the segments on either side.
fn levels(values: &[f64], cuts: &[(usize, f64)]) -> Vec<ChangePoint> {
    let bounds = boundaries(values.len(), cuts);
    cuts.iter()
        .enumerate()
        .map(|(i, &(index, p_value))| ChangePoint {
            index,
            before: median(&values[bounds[i]..index]),
            after: median(&values[index..bounds[i + 2]]),
            p_value,
        })
        .collect()
}

/// `[0, cut₁, …, cutₖ, n]`.
fn boundaries(n: usize, cuts: &[(usize, f64)]) -> Vec<usize> {
    let mut b = vec![0];
    b.extend(cuts.iter().map(|c| c.0));
    b.push(n);
    b
}

/// The strongest split over all segments: (absolute index, statistic).
fn best_over(values: &[f64], bounds: &[usize], min: usize) -> Option<(usize, f64)> {
    bounds
        .windows(2)
        .filter_map(|w| best_split(&values[w[0]..w[1]], min).map(|(t, q)| (w[0] + t, q)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// The split `τ` of `x` (both sides at least `min` long) maximising the scaled energy
/// statistic `Q = m·k/(m+k) · (2/(m·k) Σ|xᵢ−yⱼ| − Σ_{i<i'}|xᵢ−xᵢ'|/C(m,2) − Σ_{j<j'}|yⱼ−yⱼ'|/C(k,2))`.
/// O(n²): the sums move one element from right to left per step.
fn best_split(x: &[f64], min: usize) -> Option<(usize, f64)> {
    let n = x.len();
    if n < 2 * min || n < 2 {
        return None;
    }
    // to_left[t] = Σ_{i<t} |x_i − x_t|, to_right[t] = Σ_{j>t} |x_t − x_j|.
    let mut to_left = vec![0.0; n];
    let mut to_right = vec![0.0; n];
    for i in 0..n {
        for j in i + 1..n {
            let d = (x[i] - x[j]).abs();
            to_right[i] += d;
            to_left[j] += d;
        }
    }
    let (mut within_l, mut within_r, mut cross) = (0.0, to_right.iter().sum::<f64>(), 0.0);
    let mut best: Option<(usize, f64)> = None;
    for t in 1..n {
        // Move x[t-1] from the right part to the left.
        within_l += to_left[t - 1];
        within_r -= to_right[t - 1];
        cross += to_right[t - 1] - to_left[t - 1];
        let (m, k) = (t as f64, (n - t) as f64);
        if t < min || n - t < min {
            continue;
        }
        let pairs = |c: f64| if c < 2.0 { 1.0 } else { c * (c - 1.0) / 2.0 };
        let e = 2.0 * cross / (m * k) - within_l / pairs(m) - within_r / pairs(k);
        let q = m * k / (m + k) * e;
        if best.is_none_or(|(_, b)| q > b) {
            best = Some((t, q));
        }
    }
    best
}

/// The median (the mean of the middle two for an even count); NaN when empty.
fn median(x: &[f64]) -> f64 {
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

#[cfg(test)]
#[path = "change_point_tests.rs"]
mod tests;
