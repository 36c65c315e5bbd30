//! What a saturation analysis found, in numbers: the highest level sustained, what goes wrong at
//! the breach step, and failures that only start above it. The library returns it as data; the
//! runner words it ("sustains 250 req/s with p99 < 200ms; at 275 req/s requests queue (p99
//! 121.30ms), only 247 req/s succeed and 6.5% fail with 503").

use super::{FailureShare, Saturation, StepResult, StepVerdict};
use crate::scenario::slo::{Slo, SloMetric};
use crate::steps::Dimension;

/// A breach step whose failed share of calls is at least this names its failures.
pub const FAILING_SHARE: f64 = 0.001;

/// What a saturation analysis found.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Finding {
    /// No step was run.
    NoSteps,
    /// Every step was healthy: the saturation point is above the tested range.
    AboveRange {
        /// The highest level tested.
        highest: Sustained,
    },
    /// A step breached the criteria.
    Breached {
        /// The saturation point; `None` when even the lowest level breached.
        sustained: Option<Sustained>,
        /// The first unhealthy step.
        breach: Breach,
    },
}

/// A level the target sustained.
#[derive(Debug, Clone, PartialEq)]
pub struct Sustained {
    /// What was stepped.
    pub dimension: Dimension,
    /// The level: offered rate (req/s) or workers.
    pub level: f64,
    /// Its goodput (req/s): the capacity in the closed model.
    pub goodput_rps: f64,
    /// Its CO-correct p99 (µs).
    pub p99_us: u64,
    /// The latency SLOs it met, as written (the error-rate and `rps` ones are not about latency);
    /// empty when it was held to none, and then its p99 tells how fast it was.
    pub latency_slos: Vec<String>,
}

/// What goes wrong at the breach step.
#[derive(Debug, Clone, PartialEq)]
pub struct Breach {
    /// What was stepped.
    pub dimension: Dimension,
    /// The step's level.
    pub level: f64,
    /// Its CO-correct p99 (µs).
    pub p99_us: u64,
    /// Requests queue: the knee is at or below this step.
    pub queueing: bool,
    /// Its goodput (req/s) when it fell short of the offered load.
    pub short_goodput_rps: Option<f64>,
    /// Its failed share of calls, when at least [`FAILING_SHARE`].
    pub failing: Option<f64>,
    /// How it fails from this step on, most frequent first (the analysis's signature).
    pub failures: Vec<FailureShare>,
    /// When the step itself hardly fails: the first failure of the signature, which starts above
    /// it (at its `from_level`).
    pub later: Option<FailureShare>,
}

impl Saturation {
    /// What the analysis of this record found. It is read from the stored steps and analysis
    /// alone, so a result file written by an earlier version has one too.
    #[must_use]
    pub fn finding(&self) -> Finding {
        let a = &self.analysis;
        let index =
            |level: Option<f64>| level.and_then(|l| self.steps.iter().position(|s| s.level == l));
        // A text that no longer parses is still shown as written.
        let latency_slos = self
            .slo
            .iter()
            .filter(|text| {
                text.parse::<Slo>().map_or(true, |s| {
                    !matches!(s.metric, SloMetric::Rps | SloMetric::ErrorRate)
                })
            })
            .cloned()
            .collect();
        let Some(last) = self.steps.last() else {
            return Finding::NoSteps;
        };
        let sustained = |s: &StepResult| Sustained {
            dimension: self.dimension,
            level: s.level,
            goodput_rps: s.goodput_rps(),
            p99_us: s.summary.latency_us.p99,
            latency_slos: Vec::clone(&latency_slos),
        };
        let Some(b) = index(a.breach_level) else {
            return Finding::AboveRange {
                highest: sustained(last),
            };
        };
        let queueing = index(a.knee_level).is_some_and(|k| k <= b);
        Finding::Breached {
            sustained: index(a.saturation_level).map(|s| sustained(&self.steps[s])),
            breach: breach(
                self.dimension,
                &self.steps[b],
                a.steps.get(b),
                queueing,
                &a.signature,
            ),
        }
    }
}

fn breach(
    dimension: Dimension,
    step: &StepResult,
    verdict: Option<&StepVerdict>,
    queueing: bool,
    signature: &[FailureShare],
) -> Breach {
    let error_rate = step.summary.error_rate;
    let failing = (error_rate >= FAILING_SHARE).then_some(error_rate);
    Breach {
        dimension,
        level: step.level,
        p99_us: step.summary.latency_us.p99,
        queueing,
        short_goodput_rps: verdict.filter(|v| !v.keeps_up).map(|_| step.goodput_rps()),
        failing,
        failures: signature.to_vec(),
        later: signature.first().filter(|_| failing.is_none()).cloned(),
    }
}
