//! Change points written back to InfluxDB as their own measurement, `tailguard_change_point`,
//! so the Grafana dashboard draws them as annotations (`docs/grafana/tailguard.json`).
//!
//! One point per change point at the time of the commit where the new level starts, tagged
//! `scenario, branch, metric, request, commit`; fields `before, after, change, p_value, index,
//! run_id, regression` and `text` (one line for the annotation). Writing the same history again
//! overwrites the same points (same series and time): nothing is duplicated.

use super::{label, ChangePointRow, HistoryReport};
use crate::store::influx::line::{body, Point};
use crate::store::influx::{InfluxError, InfluxStore};

/// Measurement of change points.
pub const CHANGE_POINTS: &str = "tailguard_change_point";

/// The points of the report's change points (those whose time cannot be read are skipped).
#[must_use]
pub fn points(report: &HistoryReport) -> Vec<Point> {
    report
        .change_points
        .iter()
        .filter_map(|c| point(&report.branch, c))
        .collect()
}

fn point(branch: &str, c: &ChangePointRow) -> Option<Point> {
    let t = humantime::parse_rfc3339_weak(&c.time).ok()?;
    let ns = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
    let mut p = Point::new(CHANGE_POINTS, i64::try_from(ns).ok()?)
        .tag("scenario", &c.scenario)
        .tag("branch", branch)
        .tag("metric", c.metric.name())
        .tag("request", c.request.as_deref().unwrap_or(""))
        .tag("commit", c.commit.as_deref().unwrap_or(""));
    p.float("before", c.before);
    p.float("after", c.after);
    p.float("change", c.change);
    p.float("p_value", c.p_value);
    p.int("index", c.index as u64);
    p.str("run_id", &c.run_id);
    p.int("regression", u64::from(c.regression));
    p.str(
        "text",
        &format!(
            "{}: {} from {} (p {:.4})",
            label(&c.scenario, c.request.as_deref(), c.metric),
            super::fmt_change(c),
            c.commit.as_deref().unwrap_or(&c.run_id),
            c.p_value
        ),
    );
    Some(p)
}

/// Write the report's change points; the number written.
pub fn write(store: &InfluxStore, report: &HistoryReport) -> Result<usize, InfluxError> {
    let points = points(report);
    if points.is_empty() {
        return Ok(0);
    }
    store.write(&body(&points))
}
