//! [`GatePolicy`]: a scenario's `[gate]` section (overlaid with the flags) resolved into the
//! statistics settings and the gated and reported metrics; [`Look`]: where a sequential gate
//! stands; [`BaselineSource`]: where the baseline trials come from.

use bench_core::scenario::gate::{reported_metrics, GateError, GateSection};
use bench_core::stats::{Metric, Sequential, Settings};

/// Where a look of the sequential design stands: its interval's confidence follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    /// The design.
    pub design: Sequential,
    /// Pairs (trials per side) so far.
    pub pairs: usize,
    /// The last look (the budget ran out): it spends all the error left.
    pub last: bool,
}

impl Look {
    /// The interval's confidence at this look for an overall `confidence`.
    #[must_use]
    pub fn confidence(&self, confidence: f64) -> f64 {
        if self.last {
            self.design.confidence_at_stop(self.pairs, confidence)
        } else {
            self.design
                .confidence_at(self.pairs, confidence)
                .unwrap_or(confidence)
        }
    }
}

/// What one scenario's comparison decides and how.
#[derive(Debug, Clone, PartialEq)]
pub struct GatePolicy {
    /// Thresholds, confidence (already the look's), rule, method.
    pub settings: Settings,
    /// The metrics that decide the verdict.
    pub gated: Vec<Metric>,
    /// Every metric compared and reported (the gated ones included).
    pub reported: Vec<Metric>,
}

impl GatePolicy {
    /// Resolves `gate`. `interleaved` picks the paired method when none is named; a
    /// `capacity` gate (saturation runs) gates no latency metric unless named; `micro`
    /// (criterion) reports only what is gated; `look` sets the sequential design's confidence.
    pub fn resolve(
        gate: &GateSection,
        interleaved: bool,
        capacity: bool,
        micro: bool,
        look: Option<Look>,
    ) -> Result<GatePolicy, GateError> {
        let mut settings = gate.settings(interleaved)?;
        if let Some(look) = look {
            settings.confidence = look.confidence(settings.confidence);
        }
        let gated = if capacity && gate.metrics.is_none() {
            Vec::new()
        } else {
            gate.gated_metrics()?
        };
        let mut reported = if micro {
            Vec::new()
        } else {
            reported_metrics()
        };
        for g in &gated {
            if !reported.contains(g) {
                reported.push(*g);
            }
        }
        Ok(GatePolicy {
            settings,
            gated,
            reported,
        })
    }
}

/// Where the baseline trials of a gate come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaselineSource {
    /// A running baseline build: its trials are interleaved with the candidate's.
    Interleaved(String),
    /// Stored runs of a branch (`store:BRANCH`), selected by `session::baselines::of_scenario`.
    Stored(crate::store::BranchName),
}

impl BaselineSource {
    /// How the verdict names it.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            BaselineSource::Interleaved(url) => format!("interleaved trials against {url}"),
            BaselineSource::Stored(branch) => format!("store:{branch}"),
        }
    }
}
