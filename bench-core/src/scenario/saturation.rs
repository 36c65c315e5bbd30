//! `[saturation]`: makes a scenario a step load — the offered load (`[load]`'s model: rate in the
//! open model, workers in the closed one) stepped through levels, each held for `hold` after
//! `load.warmup` — with the criteria of the saturation point and an optional minimum capacity.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::gate::percent_opt;
use super::load::{LoadSection, ModelKind};
use super::Scenario;
use crate::saturation::{Criteria, Requirement};
use crate::steps::{Dimension, StepPlan};

/// Default keep-up tolerance: goodput within 5 % of the offered load.
pub const DEFAULT_TOLERANCE: f64 = 0.05;
/// Default early stop: after a step where more than 10 % of calls fail.
pub const DEFAULT_STOP_ERROR_RATE: f64 = 0.10;

/// The `[saturation]` section as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaturationSection {
    /// First level (req/s, or workers in the closed model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<f64>,
    /// Last level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<f64>,
    /// Number of levels from `from` to `to`, evenly spaced, both included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<usize>,
    /// Or the levels themselves, increasing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<f64>,
    /// How long each level is measured.
    #[serde(with = "crate::duration_serde")]
    pub hold: Duration,
    /// Stop after a step whose error rate exceeds this: `"10%"` (default).
    #[serde(
        default,
        deserialize_with = "percent_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub stop_error_rate: Option<f64>,
    /// Goodput shortfall that still counts as keeping up: `"5%"` (default).
    #[serde(
        default,
        deserialize_with = "percent_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub tolerance: Option<f64>,
    /// Minimum capacity: `"200 req/s with p99 < 200ms"`; a run below it fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub must_sustain: Option<String>,
}

impl SaturationSection {
    /// Check the section and the `[load]` fields it replaces; errors name the field.
    pub(super) fn validate(&self, load: &LoadSection) -> Result<(), (String, String)> {
        let bad = |field: &str, m: &str| Err((format!("saturation.{field}"), m.to_owned()));
        let conflict = |field: &str| {
            Err((
                format!("load.{field}"),
                "a [saturation] scenario steps the load itself; remove this field".to_owned(),
            ))
        };
        if load.rate.is_some() {
            return conflict("rate");
        }
        if !load.stages.is_empty() {
            return conflict("stages");
        }
        if load.duration.is_some() {
            return conflict("duration");
        }
        if load.requests.is_some() {
            return conflict("requests");
        }
        if load.workers.is_some() {
            return conflict("workers");
        }
        match (self.levels.is_empty(), self.from, self.to, self.steps) {
            (true, Some(from), Some(to), Some(steps)) => {
                if !(from.is_finite() && from > 0.0) {
                    return bad("from", "must be a number > 0");
                }
                if !(to.is_finite() && to >= from) {
                    return bad("to", "must be a number >= from");
                }
                if steps == 0 {
                    return bad("steps", "must be >= 1");
                }
            }
            (false, None, None, None) => {
                if self.levels.iter().any(|l| !(l.is_finite() && *l > 0.0))
                    || self.levels.windows(2).any(|w| w[1] <= w[0])
                {
                    return bad("levels", "must be numbers > 0, increasing");
                }
            }
            (false, ..) => return bad("levels", "give either `levels` or `from`/`to`/`steps`"),
            (true, None, ..) => return bad("from", "give `from`, `to` and `steps`, or `levels`"),
            (true, _, None, _) => return bad("to", "give `from`, `to` and `steps`, or `levels`"),
            (true, ..) => return bad("steps", "give `from`, `to` and `steps`, or `levels`"),
        }
        if self.hold.is_zero() {
            return bad("hold", "must be > 0");
        }
        for (field, v) in [
            ("stop_error_rate", self.stop_error_rate),
            ("tolerance", self.tolerance),
        ] {
            if v.is_some_and(|v| !(0.0..=1.0).contains(&v)) {
                return bad(field, "must be a percentage from 0% to 100%");
            }
        }
        if let Some(text) = &self.must_sustain {
            text.parse::<Requirement>()
                .map_err(|m| ("saturation.must_sustain".to_owned(), m.to_string()))?;
        }
        Ok(())
    }
}

impl Scenario {
    /// The step plan of a `[saturation]` scenario (`None` for a plain one). In the open model a
    /// `must_sustain` rate within the range becomes a level of its own, so the requirement is
    /// tested exactly rather than between two steps.
    #[must_use]
    pub fn step_plan(&self) -> Option<StepPlan> {
        let s = self.file.saturation.as_ref()?;
        let dimension = match self.file.load.model {
            ModelKind::Open => Dimension::Rate,
            ModelKind::Closed => Dimension::Workers,
        };
        let mut levels = if s.levels.is_empty() {
            StepPlan::linear(
                dimension,
                s.from.unwrap_or(1.0),
                s.to.unwrap_or(1.0),
                s.steps.unwrap_or(1),
            )
        } else {
            s.levels.clone()
        };
        if let (Dimension::Rate, Some(r)) = (dimension, self.requirement()) {
            let inside = levels.first().is_some_and(|f| *f <= r.rps)
                && levels.last().is_some_and(|l| *l >= r.rps);
            if inside && !levels.iter().any(|l| (l - r.rps).abs() < 1e-9) {
                levels.push(r.rps);
                levels.sort_by(f64::total_cmp);
            }
        }
        Some(StepPlan {
            dimension,
            levels,
            hold: s.hold,
            stop_error_rate: s.stop_error_rate.unwrap_or(DEFAULT_STOP_ERROR_RATE),
        })
    }

    /// What a step must do to count as sustained: the scenario's SLOs and the tolerance.
    #[must_use]
    pub fn saturation_criteria(&self) -> Criteria {
        Criteria {
            slos: self.slos.clone(),
            tolerance: self
                .file
                .saturation
                .as_ref()
                .and_then(|s| s.tolerance)
                .unwrap_or(DEFAULT_TOLERANCE),
        }
    }

    /// The parsed `must_sustain`, if any (validated when the scenario was loaded).
    #[must_use]
    pub fn requirement(&self) -> Option<Requirement> {
        self.file
            .saturation
            .as_ref()?
            .must_sustain
            .as_deref()?
            .parse()
            .ok()
    }
}
