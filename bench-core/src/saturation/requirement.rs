//! A minimum capacity: `must_sustain = "200 req/s with p99 < 200ms"`. It holds when the
//! saturation point, judged with the requirement's own SLOs (or the scenario's when it names
//! none), is at least the required rate.

use std::str::FromStr;

use super::{analyze, Criteria, RequirementCheck, StepResult};
use crate::scenario::slo::{Slo, SloError};
use crate::steps::Dimension;

/// Why a `must_sustain` is refused; the message quotes it as written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RequirementError {
    /// No positive rate before `with`.
    #[error("{text:?}: expected a rate, e.g. \"200 req/s with p99 < 200ms\"")]
    Rate {
        /// The requirement as written.
        text: String,
    },
    /// One of its thresholds is refused.
    #[error("{text:?}: {reason}")]
    Slo {
        /// The requirement as written.
        text: String,
        /// Why the threshold is refused.
        reason: SloError,
    },
}

/// A parsed `must_sustain`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Requirement {
    /// As written.
    pub text: String,
    /// The rate that must be sustained (req/s).
    pub rps: f64,
    /// Thresholds the sustained step must meet (empty: the scenario's).
    pub slos: Vec<Slo>,
}

impl FromStr for Requirement {
    type Err = RequirementError;

    fn from_str(text: &str) -> Result<Self, RequirementError> {
        let t = text.trim();
        let (rate, slos) = match t.split_once(" with ") {
            Some((r, s)) => (r.trim(), Some(s.trim())),
            None => (t, None),
        };
        let number = ["req/s", "rps", "/s"]
            .iter()
            .find_map(|unit| rate.strip_suffix(unit))
            .unwrap_or(rate)
            .trim();
        let rps: f64 = number
            .parse()
            .ok()
            .filter(|r: &f64| r.is_finite() && *r > 0.0)
            .ok_or_else(|| RequirementError::Rate {
                text: text.to_owned(),
            })?;
        let slos = match slos {
            None => Vec::new(),
            Some(list) => list
                .split(" and ")
                .flat_map(|part| part.split(','))
                .map(|s| {
                    s.parse::<Slo>().map_err(|reason| RequirementError::Slo {
                        text: text.to_owned(),
                        reason,
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(Self {
            text: t.to_owned(),
            rps,
            slos,
        })
    }
}

impl Requirement {
    /// Check against `steps`; `criteria` gives the tolerance, and the SLOs when the requirement
    /// names none.
    #[must_use]
    pub fn check(
        &self,
        dimension: Dimension,
        steps: &[StepResult],
        criteria: &Criteria,
    ) -> RequirementCheck {
        let criteria = Criteria {
            slos: if self.slos.is_empty() {
                criteria.slos.clone()
            } else {
                self.slos.clone()
            },
            tolerance: criteria.tolerance,
        };
        let sustained_rps = analyze(dimension, steps, &criteria).capacity_rps;
        RequirementCheck {
            requirement: self.text.clone(),
            required_rps: self.rps,
            sustained_rps,
            passed: sustained_rps.is_some_and(|s| s >= self.rps - 1e-9),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rate_and_thresholds() {
        let r: Requirement = "200 req/s with p99 < 200ms and error_rate < 1%"
            .parse()
            .unwrap();
        assert_eq!(r.rps, 200.0);
        assert_eq!(r.slos.len(), 2);
        assert_eq!(r.slos[0].text, "p99 < 200ms");
        let r: Requirement = "150.5 rps".parse().unwrap();
        assert_eq!((r.rps, r.slos.len()), (150.5, 0));
        let r: Requirement = "80/s with p95 < 1s, p99 < 2s".parse().unwrap();
        assert_eq!(r.slos.len(), 2);
        assert!("lots".parse::<Requirement>().is_err());
        assert!("-5 req/s".parse::<Requirement>().is_err());
        assert!("200 req/s with p99 fast".parse::<Requirement>().is_err());
    }
}
