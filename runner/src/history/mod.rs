//! A branch's history: series of stored runs in commit order and their change points
//! (`tailguard history`, `docs/history.md`), and what the gate takes from it (`window.rs`: the
//! stable segment of a stored baseline).
//!
//! JSON contract (`--out history.json`): `change_points[]` each with `scenario, metric,
//! request?, index, commit, run_id, time, before, after, change, p_value` (plus `regression` and
//! `new`), and `series[]` with their `points[]` (`index, commit?, time, run_ids, value`).

pub mod chart;
pub mod detector;
pub mod influx;
pub mod outline;
pub mod render;
pub mod series;
pub mod stored;
pub mod window;

use bench_core::stats::change_point::ChangePointSettings;
use serde::{Deserialize, Serialize};

pub use detector::{Detector, MinChange};
pub use series::{by_commit, series_of, HistoryMetric, HistoryPoint, Series};

/// The schema version of history files.
pub const HISTORY_SCHEMA_VERSION: u32 = 1;

/// A change point found with and without the newest point within this many indices is the
/// same change (one more point can move the estimate of where it started).
const SAME_CHANGE: usize = 2;

/// One change point of one series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangePointRow {
    /// Scenario (or benchmark).
    pub scenario: String,
    /// Metric.
    pub metric: HistoryMetric,
    /// Request of the mix, for a per-request series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// Index in the series of the first point of the new level.
    pub index: usize,
    /// The commit where the new level starts.
    pub commit: Option<String>,
    /// Its first run.
    pub run_id: String,
    /// Its commit time (or run start).
    pub time: String,
    /// Level before: the median of the segment before (one stalled run cannot move it).
    pub before: f64,
    /// Level after.
    pub after: f64,
    /// `after / before − 1` (ratio metrics) or `after − before` (error rate).
    pub change: f64,
    /// The permutation test's p-value.
    pub p_value: f64,
    /// The change makes the metric worse (slower, less throughput, more errors).
    pub regression: bool,
    /// Seen only since the newest commit was stored: absent from the history without it.
    pub new: bool,
}

/// The whole history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryReport {
    /// Always [`HISTORY_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Branch read.
    pub branch: String,
    /// Where it was read from.
    pub source: String,
    /// Detector settings.
    pub settings: ChangePointSettings,
    /// The smallest shift named a change point.
    pub min_change: MinChange,
    /// Every change point, by scenario, metric, request, index.
    pub change_points: Vec<ChangePointRow>,
    /// Every series.
    pub series: Vec<Series>,
}

/// Why a history cannot be analysed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// A metric name a history does not follow.
    #[error(
        "unknown metric {name:?} (expected p50, p90, p95, p99, p99.9, mean, median, throughput \
         or error_rate)"
    )]
    UnknownMetric {
        /// The name as written (trimmed, lower-cased).
        name: String,
    },
    /// Detector settings the statistics refuse, or a value that is not finite.
    #[error(transparent)]
    Stats(#[from] bench_core::stats::StatsError),
    /// The stored runs of a baseline could not be read.
    #[error("reading baseline of {scenario} on {branch}: {error}")]
    Store {
        /// The scenario.
        scenario: String,
        /// The branch.
        branch: String,
        /// Why.
        error: Box<crate::store::StoreError>,
    },
    /// A `[gate]` section whose metrics do not parse.
    #[error(transparent)]
    Gate(#[from] bench_core::scenario::gate::GateError),
    /// No stored run fits the candidate (another environment or configuration).
    #[error(transparent)]
    Refused(#[from] window::Refusal),
}

/// The change points of `series`, each compared with the history without the newest point to
/// tell which are new.
pub fn analyse(series: &Series, detector: &Detector) -> Result<Vec<ChangePointRow>, HistoryError> {
    let values = transformed(series);
    let search = |v: &[f64]| detector.change_points(v, series.metric);
    let found = search(&values)?;
    let before_newest = match values.split_last() {
        Some((_, rest)) => search(rest)?,
        None => Vec::new(),
    };
    let mut rows = Vec::with_capacity(found.len());
    for cp in found {
        let Some(p) = series.points.get(cp.index) else {
            continue;
        };
        let (before, after) = if series.metric.is_ratio() {
            (cp.before.exp(), cp.after.exp())
        } else {
            (cp.before, cp.after)
        };
        let change = if series.metric.is_ratio() {
            after / before - 1.0
        } else {
            after - before
        };
        let worse = if series.metric.higher_is_worse() {
            change > 0.0
        } else {
            change < 0.0
        };
        rows.push(ChangePointRow {
            scenario: series.scenario.clone(),
            metric: series.metric,
            request: series.request.clone(),
            index: cp.index,
            commit: p.commit.clone(),
            run_id: p.run_ids.first().cloned().unwrap_or_default(),
            time: p.time.clone(),
            before,
            after,
            change,
            p_value: cp.p_value,
            regression: worse,
            new: !before_newest
                .iter()
                .any(|old| old.index.abs_diff(cp.index) <= SAME_CHANGE),
        });
    }
    Ok(rows)
}

/// The values the detector sees: logs for ratio metrics (a change is a ratio, the noise
/// multiplicative), the values themselves for the error rate.
#[must_use]
pub fn transformed(series: &Series) -> Vec<f64> {
    series
        .points
        .iter()
        .map(|p| {
            if series.metric.is_ratio() {
                p.value.max(f64::MIN_POSITIVE).ln()
            } else {
                p.value
            }
        })
        .collect()
}

/// Analyse every series.
pub fn report(
    branch: &str,
    source: &str,
    series: Vec<Series>,
    detector: &Detector,
) -> Result<HistoryReport, HistoryError> {
    let mut change_points = Vec::new();
    for s in &series {
        change_points.extend(analyse(s, detector)?);
    }
    Ok(HistoryReport {
        schema_version: HISTORY_SCHEMA_VERSION,
        branch: branch.to_owned(),
        source: source.to_owned(),
        settings: detector.settings,
        min_change: detector.min_change,
        change_points,
        series,
    })
}

/// The change points `--fail-on-new` fails on: new regressions beyond `threshold` (relative for
/// ratio metrics, absolute for the error rate).
#[must_use]
pub fn new_regressions(
    report: &HistoryReport,
    threshold: f64,
    error_threshold: f64,
) -> Vec<&ChangePointRow> {
    report
        .change_points
        .iter()
        .filter(|c| {
            let limit = if c.metric.is_ratio() {
                threshold
            } else {
                error_threshold
            };
            c.new && c.regression && c.change.abs() > limit
        })
        .collect()
}

/// A series' label: `scenario p99` or `scenario/request p99`.
#[must_use]
pub fn label(scenario: &str, request: Option<&str>, metric: HistoryMetric) -> String {
    match request {
        Some(r) => format!("{scenario}/{r} {}", metric.name()),
        None => format!("{scenario} {}", metric.name()),
    }
}

/// A change point's change: relative in %, or percentage points for rates.
#[must_use]
pub fn fmt_change(c: &ChangePointRow) -> String {
    bench_core::format::fmt_signed_change(c.metric.is_ratio(), c.change)
}

#[cfg(test)]
mod tests;
