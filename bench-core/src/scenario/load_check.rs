//! The `[load]` section's rules (which fields go with which model, what must be positive),
//! checked when a scenario loads; errors name the field.

use std::time::Duration;

use super::file::ScenarioFile;
use super::load::{LoadSection, ModelKind};

/// A field and what is wrong with it.
type Failure = (String, String);

fn fail(field: &str, message: String) -> Failure {
    (field.to_owned(), message)
}

/// Check `[load]` (and `[saturation]` against it).
pub(super) fn validate(file: &ScenarioFile) -> Result<(), Failure> {
    let l = &file.load;
    if let Some(section) = &file.saturation {
        section.validate(l)?;
    }
    match (file.saturation.is_some(), l.model) {
        (true, _) => {}
        (false, ModelKind::Open) => open_model(l)?,
        (false, ModelKind::Closed) => closed_model(l)?,
    }
    common(l)
}

/// The open model's fields: a rate or stages that send something, and a length.
fn open_model(l: &LoadSection) -> Result<(), Failure> {
    if l.rate.is_none() && l.stages.is_empty() {
        return Err(fail(
            "load.rate",
            "the open model needs `rate` (req/s) or `stages`".into(),
        ));
    }
    if l.rate.is_some() && !l.stages.is_empty() {
        return Err(fail(
            "load.stages",
            "give either `rate` or `stages`, not both".into(),
        ));
    }
    let staged: std::time::Duration = l.stages.iter().map(|st| st.duration).sum();
    if !l.stages.is_empty() && staged.is_zero() {
        return Err(fail(
            "load.stages",
            "the stages last no time at all (a run of no time measures nothing)".into(),
        ));
    }
    if !l.stages.is_empty() && l.stages.iter().all(|st| st.rate.per_second() <= 0.0) {
        return Err(fail(
            "load.stages",
            "every stage has rate 0: no request would ever be sent".into(),
        ));
    }
    if l.stages.is_empty() && l.duration.is_none() && l.requests.is_none() {
        return Err(fail(
            "load.duration",
            "give a `duration` or a `requests` count".into(),
        ));
    }
    if l.workers.is_some() {
        return Err(fail(
            "load.workers",
            "`workers` belongs to the closed model; the open model uses `connections`".into(),
        ));
    }
    if let Some(grid) = l.send_grid.filter(|g| *g > MAX_SEND_GRID) {
        return Err(fail(
            "load.send_grid",
            format!("{grid:?} is longer than {MAX_SEND_GRID:?}: a grid moves due times back by up to its length, and that long would turn the rate into bursts"),
        ));
    }
    if let Some(r) = l.rate {
        let r = r.per_second();
        if !(r.is_finite() && r > 0.0) {
            return Err(fail(
                "load.rate",
                format!("must be a finite number > 0, got {r}"),
            ));
        }
    }
    Ok(())
}

/// The longest `load.send_grid` accepted.
const MAX_SEND_GRID: Duration = Duration::from_millis(100);

/// The closed model's fields: workers (not a rate) and a length.
fn closed_model(l: &LoadSection) -> Result<(), Failure> {
    if l.rate.is_some() || !l.stages.is_empty() {
        return Err(fail("load.rate", "the closed model is paced by its workers; remove `rate`/`stages` or use model = \"open\"".into()));
    }
    if l.duration.is_none() && l.requests.is_none() {
        return Err(fail(
            "load.duration",
            "give a `duration` or a `requests` count".into(),
        ));
    }
    if l.send_grid.is_some() {
        return Err(fail(
            "load.send_grid",
            "the closed model keeps no schedule to put on a grid; remove `send_grid` or use model = \"open\"".into(),
        ));
    }
    if l.workers == Some(0) {
        return Err(fail("load.workers", "must be >= 1".into()));
    }
    Ok(())
}

/// The fields of either model: counts at least 1, durations above 0, a drain within the timeout.
fn common(l: &LoadSection) -> Result<(), Failure> {
    if l.connections == 0 {
        return Err(fail("load.connections", "must be >= 1".into()));
    }
    if l.streams_per_connection == 0 {
        return Err(fail("load.streams_per_connection", "must be >= 1".into()));
    }
    if l.timeout.is_zero() {
        return Err(fail("load.timeout", "must be > 0".into()));
    }
    if let Some(drain) = l.drain.filter(|d| *d > l.timeout) {
        return Err(fail(
            "load.drain",
            format!(
                "{drain:?} is longer than load.timeout ({:?}); the drain never exceeds the timeout",
                l.timeout
            ),
        ));
    }
    if l.requests == Some(0) {
        return Err(fail("load.requests", "must be >= 1".into()));
    }
    if l.duration.is_some_and(|d| d.is_zero()) {
        return Err(fail(
            "load.duration",
            "must be > 0 (a run of no time measures nothing)".into(),
        ));
    }
    Ok(())
}
