//! Family-wise control over every gated comparison of one gate invocation (metrics ×
//! scenarios × requests of a mix): Holm's step-down procedure on the one-sided p-values of the
//! fail tests. A comparison fails only when its own rule says fail **and** Holm rejects its
//! null hypothesis at the family's level, so the probability that any comparison of the
//! invocation fails without a real regression is at most `α/2` (for `confidence = 1 − α`)
//! whatever the number of comparisons.

use serde::{Deserialize, Serialize};

/// The family of one judgement, as reported in `verdict.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Family {
    /// `"holm"`.
    pub method: String,
    /// Gated comparisons in the family.
    pub comparisons: usize,
    /// Family-wise level of the fail decisions (one-sided), at this look.
    pub level: f64,
    /// The largest p-value Holm rejects (`None`: none is rejected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cutoff: Option<f64>,
}

impl Family {
    /// Holm's procedure at `level` over `p_values` (a comparison without a p-value counts as
    /// `p = 1`: it is in the family but never rejected).
    #[must_use]
    pub fn holm(p_values: &[Option<f64>], level: f64) -> Family {
        Family::holm_by(p_values, level, |k| level / k as f64)
    }

    /// Holm's procedure where the step with `k` hypotheses left rejects at `step_level(k)`
    /// (`level / k` for plain Holm; a sequential look's level of the design at `α/k` for
    /// Maurer and Bretz's group-sequential Holm). `level` is the family's level, as reported.
    #[must_use]
    pub fn holm_by(
        p_values: &[Option<f64>],
        level: f64,
        step_level: impl Fn(usize) -> f64,
    ) -> Family {
        let mut sorted: Vec<f64> = p_values.iter().map(|p| p.unwrap_or(1.0)).collect();
        sorted.sort_by(f64::total_cmp);
        let m = sorted.len();
        let cutoff = sorted
            .iter()
            .enumerate()
            .take_while(|&(i, &p)| p <= step_level(m - i))
            .map(|(_, &p)| p)
            .last();
        Family {
            method: "holm".into(),
            comparisons: m,
            level,
            cutoff,
        }
    }

    /// Whether a fail with this p-value stands in the family.
    #[must_use]
    pub fn rejects(&self, p: Option<f64>) -> bool {
        matches!((p, self.cutoff), (Some(p), Some(cut)) if p <= cut)
    }

    /// A family that rejects every fail: the first pass, which only collects p-values.
    #[must_use]
    pub fn permissive() -> Family {
        Family {
            method: "holm".into(),
            comparisons: 0,
            level: 1.0,
            cutoff: Some(f64::INFINITY),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_steps_down() {
        // m = 4 at 0.05: 0.01 ≤ 0.0125, 0.015 ≤ 0.01667, 0.03 > 0.025 stops.
        let f = Family::holm(&[Some(0.03), Some(0.01), Some(0.015), Some(0.2)], 0.05);
        assert_eq!(f.comparisons, 4);
        assert_eq!(f.cutoff, Some(0.015));
        assert!(f.rejects(Some(0.01)) && f.rejects(Some(0.015)));
        assert!(!f.rejects(Some(0.03)) && !f.rejects(None));
        // A p-value that passes alone (0.02 < 0.025) fails the family of 12.
        let mut ps = vec![Some(0.02)];
        ps.extend(std::iter::repeat_n(Some(0.5), 11));
        assert_eq!(Family::holm(&ps, 0.025).cutoff, None);
        // Missing p-values count but never reject.
        assert_eq!(Family::holm(&[None, Some(0.001)], 0.05).cutoff, Some(0.001));
        assert_eq!(Family::holm(&[], 0.05).cutoff, None);
    }
}
