//! Group-sequential design of the interleaved gate: look at the evidence after `min` pairs,
//! then at a few more (a geometric schedule up to `max`), and stop as soon as every gated
//! metric is decided.
//!
//! Repeated looks must not inflate the error rates, so the error of each side,
//! `α/2 = (1 − confidence)/2`, is *spent* over the looks with the power spending function
//! `α/2·t^ρ` (`t = n / max`, ρ = [`Sequential::RHO`]; Lan and DeMets 1983, Kim and DeMets
//! 1987). Look `j` gets the boundary `b_j` at which a standardised statistic that has not
//! crossed an earlier boundary crosses with probability `α/2·(t_j^ρ − t_{j−1}^ρ)` — exactly,
//! the looks' correlation `√(n_i/n_j)` counted by recursive numerical integration
//! ([`super::boundaries`]) — and its interval is the `2Φ(b_j) − 1` interval (the repeated
//! confidence interval of Jennison and Turnbull). The intervals of all looks then hold
//! simultaneously with probability `1 − α` (each side's boundary crossed by at most `α/2`),
//! whatever the stopping rule looks at: the boundaries are non-binding. With small samples
//! the t interval at the same nominal level stands in for the normal one (Jennison and
//! Turnbull 2000, §11.4). With `min == max` there is one look at `confidence`: the fixed
//! design.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::{boundaries, StatsError};

/// The schedule of looks and how the error is spent over them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequential {
    /// Pairs (trials per side) at the first look (≥ 2).
    pub min_pairs: usize,
    /// Pairs at the last look: the trial budget (≥ `min_pairs`).
    pub max_pairs: usize,
}

impl Sequential {
    /// Exponent of the spending function `α·t^ρ`: above 1 keeps most of α for the later, more
    /// informative looks, while an early look can still stop a clear case.
    pub const RHO: f64 = 2.0;
    /// Each look has at least this many times the pairs of the one before.
    pub const GROWTH: f64 = 1.35;

    /// The fixed design of `pairs` pairs (one look).
    #[must_use]
    pub fn fixed(pairs: usize) -> Self {
        Self {
            min_pairs: pairs,
            max_pairs: pairs,
        }
    }

    /// Checks `2 ≤ min_pairs ≤ max_pairs`.
    ///
    /// # Errors
    /// [`StatsError::InvalidSettings`] naming the bad bound.
    pub fn validate(&self) -> Result<(), StatsError> {
        if self.min_pairs < 2 {
            return Err(StatsError::InvalidSettings(format!(
                "the first look needs at least 2 trials per side, got {}",
                self.min_pairs
            )));
        }
        if self.max_pairs < self.min_pairs {
            return Err(StatsError::InvalidSettings(format!(
                "max trials {} is below min trials {}",
                self.max_pairs, self.min_pairs
            )));
        }
        Ok(())
    }

    /// The pair counts at which the evidence is looked at, ascending, ending at `max_pairs`.
    #[must_use]
    pub fn looks(&self) -> Vec<usize> {
        let mut looks = vec![self.min_pairs];
        let mut n = self.min_pairs;
        while n < self.max_pairs {
            let next = ((n as f64 * Self::GROWTH).ceil() as usize).max(n + 1);
            // A last step shorter than a growth step would get almost no α: go to the end.
            let rest = self.max_pairs.saturating_sub(next) as f64;
            n = if rest < next as f64 * (Self::GROWTH - 1.0) {
                self.max_pairs
            } else {
                next
            };
            looks.push(n);
        }
        looks
    }

    /// The confidence of the interval at a look after `pairs` pairs, for an overall
    /// `confidence`; `None` when `pairs` is not a look.
    #[must_use]
    pub fn confidence_at(&self, pairs: usize, confidence: f64) -> Option<f64> {
        let looks = self.looks();
        let j = looks.iter().position(|&n| n == pairs)?;
        let levels = self.nominal(&looks[..=j], false, confidence);
        levels.last().copied()
    }

    /// The confidence of a final look after `pairs` pairs, taken when the budget (trials or
    /// wall clock) ran out: the boundary that spends all the error not spent by the scheduled
    /// looks at fewer pairs (a look at `pairs` itself, if one was taken, is subsumed by this
    /// lower boundary at the same statistic), so the total stays exactly α.
    #[must_use]
    pub fn confidence_at_stop(&self, pairs: usize, confidence: f64) -> f64 {
        let mut looks: Vec<usize> = self.looks().into_iter().filter(|&n| n < pairs).collect();
        looks.push(pairs);
        self.nominal(&looks, true, confidence)
            .last()
            .copied()
            .unwrap_or(confidence)
    }

    /// The two-sided nominal confidence `2Φ(b_k) − 1` of the exact boundary `b_k` at each of
    /// `looks`, spending `α/2·(n/N)^ρ` on each side; `last`: the last of `looks` spends all
    /// of `α/2`. Cached: the gate asks for the same design at every look.
    fn nominal(&self, looks: &[usize], last: bool, confidence: f64) -> Vec<f64> {
        type Key = (Vec<usize>, usize, bool, u64);
        static CACHE: Mutex<BTreeMap<Key, Vec<f64>>> = Mutex::new(BTreeMap::new());
        let key = (looks.to_vec(), self.max_pairs, last, confidence.to_bits());
        if let Some(hit) = CACHE.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return hit;
        }
        let side = (1.0 - confidence) / 2.0;
        let n_max = self.max_pairs as f64;
        let info: Vec<f64> = looks.iter().map(|&n| n as f64).collect();
        let mut spent: Vec<f64> = info
            .iter()
            .map(|n| side * (n / n_max).min(1.0).powf(Self::RHO))
            .collect();
        if let (true, Some(end)) = (last, spent.last_mut()) {
            *end = side;
        }
        let levels: Vec<f64> = boundaries::spending_bounds(&info, &spent)
            .into_iter()
            .map(|b| (2.0 * boundaries::normal_cdf(b) - 1.0).min(1.0 - 1e-12))
            .collect();
        if let Ok(mut c) = CACHE.lock() {
            c.insert(key, levels.clone());
        }
        levels
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_grow_geometrically_and_end_at_the_budget() {
        let s = Sequential {
            min_pairs: 3,
            max_pairs: 20,
        };
        assert_eq!(s.looks(), vec![3, 5, 7, 10, 14, 20]);
        let long = Sequential {
            min_pairs: 3,
            max_pairs: 30,
        };
        assert_eq!(long.looks(), vec![3, 5, 7, 10, 14, 19, 30]);
        assert_eq!(Sequential::fixed(10).looks(), vec![10]);
        assert!(Sequential::fixed(1).validate().is_err());
        assert!(Sequential {
            min_pairs: 5,
            max_pairs: 4
        }
        .validate()
        .is_err());
    }

    /// The exact first-crossing probabilities of the design's nominal levels (one side).
    fn spent(looks: &[usize], levels: &[f64]) -> Vec<f64> {
        let info: Vec<f64> = looks.iter().map(|&n| n as f64).collect();
        let bounds: Vec<f64> = levels
            .iter()
            .map(|c| {
                let p = (1.0 - c) / 2.0;
                boundaries::normal_quantile(1.0 - p)
            })
            .collect();
        boundaries::crossings(&info, &bounds)
    }

    #[test]
    fn the_looks_spend_exactly_alpha() {
        let s = Sequential {
            min_pairs: 3,
            max_pairs: 20,
        };
        let looks = s.looks();
        let levels: Vec<f64> = looks
            .iter()
            .map(|&n| s.confidence_at(n, 0.95).unwrap_or(1.0))
            .collect();
        // Each look spends α/2·(n/N)² on its side, exactly (the looks' correlation counted).
        let per_look = spent(&looks, &levels);
        let mut before = 0.0;
        for (&n, p) in looks.iter().zip(&per_look) {
            let cumulative = 0.025 * (n as f64 / 20.0).powi(2);
            assert!((p - (cumulative - before)).abs() < 1e-7, "{n}: {p}");
            before = cumulative;
        }
        let total: f64 = per_look.iter().sum();
        assert!((total - 0.025).abs() < 1e-7, "{total}");
        // The union bound would give the last look only its increment, 1 − 0.95·… = 0.0255
        // two-sided; the exact boundary leaves it more (a narrower interval).
        let last = 1.0 - levels[looks.len() - 1];
        assert!(last > 0.03 && last < 0.05, "{last}");
        let first = 1.0 - levels[0];
        assert!((first - 0.05 * 0.0225).abs() < 1e-6, "{first}");
        assert_eq!(s.confidence_at(4, 0.95), None);
        assert!((Sequential::fixed(5).confidence_at(5, 0.95).unwrap_or(0.0) - 0.95).abs() < 1e-9);
        // Stopping at 8 pairs (looks 3, 5, 7 taken): the rest of α is spent there, exactly.
        let stop = s.confidence_at_stop(8, 0.95);
        let mut taken = levels[..3].to_vec();
        taken.push(stop);
        let total: f64 = spent(&[3, 5, 7, 8], &taken).iter().sum();
        assert!((total - 0.025).abs() < 1e-7, "{total}");
        // A stop at a look already taken lowers that look's boundary: still α in total.
        let again = s.confidence_at_stop(10, 0.95);
        assert!(again < levels[3], "{again} {}", levels[3]);
        let total: f64 = spent(&[3, 5, 7, 10], &[levels[0], levels[1], levels[2], again])
            .iter()
            .sum();
        assert!((total - 0.025).abs() < 1e-7, "{total}");
        assert!((s.confidence_at_stop(20, 0.95) - levels[5]).abs() < 1e-12);
    }

    #[test]
    fn holm_at_a_looks_level_is_nearly_covered_by_the_design_at_the_split_level() {
        // Holm at a look compares p-values with the look's one-sided level divided by up to
        // m. Over the looks that is exactly safe when the design at α/m has, at each look, a
        // level of at least the design at α divided by m. It falls short by a few percent of
        // that level (m = 2 at 5 pairs: 0.1158 % against 0.1178 %; at 20 pairs 1.80 %
        // against 1.88 %; m = 12 at 14 pairs: 11 %), which this bounds. So the gate's Holm
        // takes each step's level from the design at α/k (Maurer and Bretz; `gate/judge.rs`),
        // as docs/statistics.md ("Family-wise control") says.
        let s = Sequential {
            min_pairs: 3,
            max_pairs: 20,
        };
        for m in [2.0, 3.0, 6.0, 12.0] {
            for n in s.looks() {
                let whole = 1.0 - s.confidence_at(n, 0.95).unwrap_or(1.0);
                let split = 1.0 - s.confidence_at(n, 1.0 - 0.05 / m).unwrap_or(1.0);
                assert!(
                    split >= 0.85 * whole / m,
                    "m {m}, look {n}: {split} {whole}"
                );
            }
        }
    }
}
