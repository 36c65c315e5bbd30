//! The change-point search as the history runs it: e-divisive means on the series' values (logs
//! for ratio metrics), then the change points too small to matter merged away.

use bench_core::stats::change_point::{detect, merge_small, ChangePoint, ChangePointSettings};
use bench_core::stats::StatsError;
use serde::{Deserialize, Serialize};

use super::HistoryMetric;

/// The smallest level shift named a change point. A shift can be significant and still be the
/// drift of the machines rather than of the code (1–2 % between two stretches of a long
/// history); half the gate's default threshold is worth showing, less is not.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MinChange {
    /// Relative, for ratio metrics (latency, throughput): 0.05 = 5 %.
    pub ratio: f64,
    /// Absolute, for the error rate: 0.005 = 0.5 percentage points.
    pub error_rate: f64,
}

impl Default for MinChange {
    fn default() -> Self {
        Self {
            ratio: 0.05,
            error_rate: 0.005,
        }
    }
}

impl MinChange {
    /// The floor in the unit the detector sees for `metric` (the log of a ratio metric).
    #[must_use]
    pub fn shift(&self, metric: HistoryMetric) -> f64 {
        if metric.is_ratio() {
            self.ratio.ln_1p()
        } else {
            self.error_rate
        }
    }
}

/// How change points are found.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Detector {
    /// The e-divisive search and its permutation test.
    pub settings: ChangePointSettings,
    /// The floor below which a significant change point is merged away.
    pub min_change: MinChange,
}

impl Detector {
    /// The change points of `values`, a series of `metric` as [`super::transformed`] gives it.
    ///
    /// # Errors
    /// Invalid settings or a value that is not finite.
    pub fn change_points(
        &self,
        values: &[f64],
        metric: HistoryMetric,
    ) -> Result<Vec<ChangePoint>, StatsError> {
        let found = detect(values, &self.settings)?;
        Ok(merge_small(values, &found, self.min_change.shift(metric)))
    }
}

impl std::fmt::Display for MinChange {
    /// `5 % (error rate 0.5 pp)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} % (error rate {} pp)",
            self.ratio * 100.0,
            self.error_rate * 100.0
        )
    }
}
