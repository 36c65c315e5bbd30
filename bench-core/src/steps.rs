//! Step loads: the offered load stepped through a series of levels, each held for a set time —
//! the arrival rate in the open model, the number of workers in the closed model.
//!
//! Each level is one engine run with its own warm-up, histograms and counters. That keeps every
//! step's numbers exact and independent of how the steps before it were cut, lets the closed
//! model change its worker count without a special pacer, and makes stopping early a plain
//! decision between two runs. The price is a short pause between steps (the previous step's
//! in-flight calls finish first) and new connections each step, which the per-step warm-up
//! absorbs. `docs/saturation.md` discusses the choice.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::driver::Connector;
use crate::engine::{EngineError, Progress, Recording, RunConfig};
use crate::pacer::{Cancel, LoadModel, StopCondition};
use crate::recorder::{Counts, Series};
use crate::schedule::{Arrival, Rate, RateProfile};
use crate::timeline::TimelinePoint;

/// What a step load steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    /// The open model's arrival rate (req/s).
    Rate,
    /// The closed model's number of workers.
    Workers,
}

impl Dimension {
    /// The level with its unit: "250 req/s" or "12 workers".
    #[must_use]
    pub fn format(self, level: f64) -> String {
        match self {
            Self::Rate => format!("{} req/s", fmt_level(level)),
            Self::Workers => format!("{} workers", fmt_level(level)),
        }
    }
}

/// A level without needless decimals: "250", "262.5".
#[must_use]
pub fn fmt_level(level: f64) -> String {
    if (level - level.round()).abs() < 1e-9 {
        format!("{level:.0}")
    } else {
        format!("{level:.1}")
    }
}

/// The levels and how each is held.
#[derive(Debug, Clone, PartialEq)]
pub struct StepPlan {
    /// Rate or workers.
    pub dimension: Dimension,
    /// Increasing levels (req/s or workers).
    pub levels: Vec<f64>,
    /// How long each level is measured (after the run configuration's warm-up).
    pub hold: Duration,
    /// Stop after a step whose error rate exceeds this fraction.
    pub stop_error_rate: f64,
}

impl StepPlan {
    /// `steps` evenly spaced levels from `from` to `to`, both included (whole numbers of workers
    /// are rounded and repeated ones dropped).
    #[must_use]
    pub fn linear(dimension: Dimension, from: f64, to: f64, steps: usize) -> Vec<f64> {
        let n = steps.max(1);
        let mut levels: Vec<f64> = (0..n)
            .map(|i| {
                let x = if n == 1 {
                    from
                } else {
                    from + (to - from) * i as f64 / (n - 1) as f64
                };
                match dimension {
                    Dimension::Rate => (x * 10.0).round() / 10.0,
                    Dimension::Workers => x.round().max(1.0),
                }
            })
            .collect();
        levels.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
        levels
    }

    /// The engine configuration of one level: `base` with its load replaced by a constant rate
    /// (open) or `level` workers (closed) for [`StepPlan::hold`].
    #[must_use]
    pub fn config_at(&self, base: &RunConfig, level: f64) -> RunConfig {
        let mut config = base.clone();
        config.stop = StopCondition::default();
        match self.dimension {
            Dimension::Rate => {
                let arrival = match &base.model {
                    LoadModel::Open { arrival, .. } => *arrival,
                    LoadModel::Closed { .. } => Arrival::Uniform,
                };
                let rate = Rate::new(level).unwrap_or(Rate::ZERO);
                config.model = LoadModel::Open {
                    profile: RateProfile::constant(rate, self.hold),
                    arrival,
                };
            }
            Dimension::Workers => {
                let think_time = match &base.model {
                    LoadModel::Closed { think_time, .. } => *think_time,
                    LoadModel::Open { .. } => Duration::ZERO,
                };
                config.model = LoadModel::Closed {
                    think_time,
                    duration: self.hold,
                };
                let workers = level.round().max(1.0) as usize;
                config.connections = workers.div_ceil(config.streams_per_connection.max(1));
            }
        }
        config
    }
}

/// One level's recording.
#[derive(Debug)]
pub struct Step {
    /// The level (req/s or workers).
    pub level: f64,
    /// What the engine recorded at that level.
    pub recording: Recording,
}

/// Why a step load ended before its last level.
#[derive(Debug, Clone, PartialEq)]
pub enum EarlyStop {
    /// A step's error rate passed the plan's limit.
    Errors {
        /// The step's level.
        level: f64,
        /// Its error rate.
        error_rate: f64,
    },
    /// Cancelled (Ctrl-C or SIGTERM); the last step is the interrupted one.
    Cancelled,
}

/// Run the levels of `plan` one after another, calling `progress(step index, level, progress)`
/// during each and `done(step)` after each; stop after a step whose error rate passes the limit.
pub fn run_steps<C: Connector>(
    connector: Arc<C>,
    base: &RunConfig,
    plan: &StepPlan,
    cancel: &Cancel,
    progress: &mut dyn FnMut(usize, f64, &Progress),
    done: &mut dyn FnMut(&Step),
) -> Result<(Vec<Step>, Option<EarlyStop>), EngineError> {
    let mut steps = Vec::with_capacity(plan.levels.len());
    for (i, &level) in plan.levels.iter().enumerate() {
        let config = plan.config_at(base, level);
        let recording = crate::engine::run(connector.clone(), &config, cancel, &mut |p| {
            progress(i, level, p)
        })?;
        if recording.cancelled {
            // The interrupted step still counts in the partial run's totals (it is not a finished
            // step, so `done` does not see it).
            steps.push(Step { level, recording });
            return Ok((steps, Some(EarlyStop::Cancelled)));
        }
        let total = recording.total();
        let error_rate = if total.requests == 0 {
            0.0
        } else {
            total.errors as f64 / total.requests as f64
        };
        let step = Step { level, recording };
        done(&step);
        steps.push(step);
        if error_rate > plan.stop_error_rate && i + 1 < plan.levels.len() {
            return Ok((steps, Some(EarlyStop::Errors { level, error_rate })));
        }
    }
    Ok((steps, None))
}

/// The steps as one recording: series and counts merged, timelines laid end to end, durations
/// added. `None` when there are no steps.
#[must_use]
pub fn merged(steps: &[Step]) -> Option<Recording> {
    let first = steps.first()?;
    let mut series: Vec<(String, Series)> = first
        .recording
        .series
        .iter()
        .map(|(name, _)| (name.clone(), Series::default()))
        .collect();
    let mut journeys = first.recording.journeys.clone();
    journeys
        .iter_mut()
        .for_each(|(_, s)| *s = Series::default());
    let mut checks = first.recording.checks.clone();
    checks
        .iter_mut()
        .for_each(|c| (c.passed, c.failed) = (0, 0));
    let mut counts = Counts::default();
    let mut timeline: Vec<TimelinePoint> = Vec::new();
    let mut duration = Duration::ZERO;
    let mut span = Duration::ZERO;
    let mut window = Duration::ZERO;
    let mut offset = 0;
    let mut generator = crate::generator::GeneratorUsage::default();
    for step in steps {
        let r = &step.recording;
        generator.merge(&r.generator);
        for ((_, mine), (_, theirs)) in series.iter_mut().zip(&r.series) {
            mine.merge(theirs);
        }
        for ((_, mine), (_, theirs)) in journeys.iter_mut().zip(&r.journeys) {
            mine.merge(theirs);
        }
        for (mine, theirs) in checks.iter_mut().zip(&r.checks) {
            mine.passed += theirs.passed;
            mine.failed += theirs.failed;
        }
        counts.merge(&r.counts);
        timeline.extend(r.timeline.iter().cloned().map(|mut p| {
            p.second += offset;
            p
        }));
        offset += r.duration.as_secs_f64().ceil() as u64;
        duration += r.duration;
        span += r.completion_span;
        window += r.window;
    }
    Some(Recording {
        started_at: first.recording.started_at,
        duration,
        window,
        completion_span: span,
        series,
        journeys,
        checks,
        counts,
        timeline,
        cancelled: steps.iter().any(|s| s.recording.cancelled),
        target_rps: None,
        generator,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_levels_include_both_ends() {
        let v = StepPlan::linear(Dimension::Rate, 50.0, 1000.0, 10);
        assert_eq!(v.len(), 10);
        assert_eq!(v[0], 50.0);
        assert_eq!(v[9], 1000.0);
        assert!((v[1] - 155.6).abs() < 1e-9, "{v:?}");
        let w = StepPlan::linear(Dimension::Workers, 1.0, 4.0, 10);
        assert_eq!(w, vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(StepPlan::linear(Dimension::Rate, 7.0, 9.0, 1), vec![7.0]);
    }

    #[test]
    fn config_at_sets_rate_or_workers_for_the_hold() {
        let base = RunConfig {
            streams_per_connection: 4,
            stop: StopCondition {
                max_requests: Some(5),
            },
            ..RunConfig::default()
        };
        let plan = StepPlan {
            dimension: Dimension::Rate,
            levels: vec![100.0],
            hold: Duration::from_secs(2),
            stop_error_rate: 0.1,
        };
        let c = plan.config_at(&base, 100.0);
        match &c.model {
            LoadModel::Open { profile, .. } => {
                assert_eq!(profile.duration(), Duration::from_secs(2));
                assert!((profile.expected_arrivals() - 200.0).abs() < 1e-9);
            }
            LoadModel::Closed { .. } => panic!("open expected"),
        }
        assert_eq!(c.stop.max_requests, None);
        let plan = StepPlan {
            dimension: Dimension::Workers,
            ..plan
        };
        let c = plan.config_at(&base, 10.0);
        assert!(
            matches!(c.model, LoadModel::Closed { duration, .. } if duration == Duration::from_secs(2))
        );
        assert_eq!(c.connections, 3, "10 workers over 4 streams per connection");
    }
}
