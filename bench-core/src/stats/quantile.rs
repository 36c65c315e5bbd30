//! A quantile level ([`Quantile`]): validated to lie in (0, 1), shown as `p99`. Its own file
//! because both what is compared (`metric.rs`) and the distributions it is read from
//! (`distribution.rs`) name it.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::StatsError;

/// A quantile level, validated to lie in the open interval (0, 1).
///
/// Serializes as the bare number (`0.99`); deserializing validates it.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Quantile(f64);

impl Quantile {
    /// The median.
    pub const P50: Quantile = Quantile(0.5);
    /// The 90th percentile.
    pub const P90: Quantile = Quantile(0.9);
    /// The 95th percentile.
    pub const P95: Quantile = Quantile(0.95);
    /// The 99th percentile.
    pub const P99: Quantile = Quantile(0.99);
    /// The 99.9th percentile.
    pub const P999: Quantile = Quantile(0.999);

    /// Validates `q ∈ (0, 1)`.
    ///
    /// # Errors
    /// [`StatsError::InvalidQuantile`] otherwise (including NaN).
    pub fn new(q: f64) -> Result<Self, StatsError> {
        if q > 0.0 && q < 1.0 {
            Ok(Self(q))
        } else {
            Err(StatsError::InvalidQuantile(q))
        }
    }

    /// The level as a number in (0, 1).
    pub fn get(self) -> f64 {
        self.0
    }

    /// Expected number of samples beyond the quantile (on the nearer tail)
    /// in a sample of `n`: `n · min(q, 1 − q)`.
    pub fn tail_samples(self, n: u64) -> f64 {
        n as f64 * self.0.min(1.0 - self.0)
    }
}

impl TryFrom<f64> for Quantile {
    type Error = StatsError;
    fn try_from(q: f64) -> Result<Self, StatsError> {
        Self::new(q)
    }
}

impl From<Quantile> for f64 {
    fn from(q: Quantile) -> f64 {
        q.0
    }
}

impl fmt::Display for Quantile {
    /// `p50`, `p99`, `p99.9`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = format!("{:.4}", self.0 * 100.0);
        let pct = pct.trim_end_matches('0').trim_end_matches('.');
        write!(f, "p{pct}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_validation_and_display() {
        assert!(Quantile::new(0.0).is_err());
        assert!(Quantile::new(1.0).is_err());
        assert!(Quantile::new(f64::NAN).is_err());
        assert_eq!(Quantile::P999.to_string(), "p99.9");
        assert_eq!(Quantile::P50.to_string(), "p50");
        // 0.9 is not exactly representable: 100·0.1 must still count as 10.
        assert!(Quantile::P90.tail_samples(100) > 9.999);
    }
}
