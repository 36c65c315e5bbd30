//! Group-sequential design of the interleaved gate: look at the evidence after `min` pairs,
//! then at a few more (a geometric schedule up to `max`), and stop as soon as every gated
//! metric is decided.
//!
//! Repeated looks must not inflate the error rates, so the total error `α = 1 − confidence`
//! is *spent* over the looks: look `j` (at `n_j` pairs) uses `α_j = α·(t_j^ρ − t_{j−1}^ρ)`
//! with `t_j = n_j / max` (a power spending function, ρ = [`Sequential::RHO`]; `t_0 = 0`), and
//! its interval is a `1 − α_j` interval. By the union bound the intervals of all looks hold
//! simultaneously with probability at least `1 − Σα_j = 1 − α`, whatever the stopping rule
//! looks at — so a decision taken at any look keeps the error rates of the fixed design. The
//! bound is conservative (the looks are correlated); a design with exact boundaries would
//! need slightly fewer trials. With `min == max` there is one look and `α_1 = α`: the fixed
//! design.

use serde::{Deserialize, Serialize};

use super::StatsError;

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
        let alpha = 1.0 - confidence;
        let spent = |n: usize| alpha * (n as f64 / self.max_pairs as f64).powf(Self::RHO);
        let before = if j == 0 { 0.0 } else { spent(looks[j - 1]) };
        Some(1.0 - (spent(pairs) - before))
    }

    /// The confidence of a final look after `pairs` pairs, taken when the budget (trials or
    /// wall clock) ran out: it spends all the error not spent by the scheduled looks before it
    /// (those at fewer pairs, and one at `pairs` itself if it was taken), so the total stays α.
    #[must_use]
    pub fn confidence_at_stop(&self, pairs: usize, confidence: f64) -> f64 {
        let alpha = 1.0 - confidence;
        let taken = self
            .looks()
            .into_iter()
            .filter(|&n| n <= pairs)
            .map(|n| 1.0 - self.confidence_at(n, confidence).unwrap_or(1.0))
            .sum::<f64>();
        // At the last scheduled look everything is already spent: that look's own level.
        if pairs >= self.max_pairs {
            return self
                .confidence_at(self.max_pairs, confidence)
                .unwrap_or(confidence);
        }
        1.0 - (alpha - taken).max(0.0)
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

    #[test]
    fn the_looks_spend_exactly_alpha() {
        let s = Sequential {
            min_pairs: 3,
            max_pairs: 20,
        };
        let spent: f64 = s
            .looks()
            .iter()
            .map(|&n| 1.0 - s.confidence_at(n, 0.95).unwrap_or(1.0))
            .sum();
        assert!((spent - 0.05).abs() < 1e-12, "{spent}");
        assert_eq!(s.confidence_at(4, 0.95), None);
        // Later looks get more of α than earlier ones.
        let first = 1.0 - s.confidence_at(3, 0.95).unwrap_or(1.0);
        let last = 1.0 - s.confidence_at(20, 0.95).unwrap_or(1.0);
        assert!(first < last, "{first} {last}");
        assert_eq!(Sequential::fixed(5).confidence_at(5, 0.95), Some(0.95));
        // Stopping at 8 pairs (looks 3, 5, 7 taken): the rest of α is spent there.
        let stop = 1.0 - s.confidence_at_stop(8, 0.95);
        let taken: f64 = [3, 5, 7]
            .iter()
            .map(|&n| 1.0 - s.confidence_at(n, 0.95).unwrap_or(1.0))
            .sum();
        assert!((stop + taken - 0.05).abs() < 1e-12, "{stop} {taken}");
    }
}
