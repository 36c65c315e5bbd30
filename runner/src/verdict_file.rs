//! The verdict file's model (`--out verdict.json`, `schema_version` 1): the whole comparison,
//! per scenario, per request of a mix and per metric, with provenance; `verdict.rs` fills it.

use bench_core::stats::{Comparison, Method, Settings, Verdict};
use serde::{Deserialize, Serialize};

use crate::capacity::CapacityVerdict;
use crate::evidence::Evidence;
use crate::gate::Family;

/// The schema version of verdict files.
pub const VERDICT_SCHEMA_VERSION: u32 = 1;

/// One metric of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricVerdict {
    /// Whether this metric decides the scenario's verdict.
    pub gated: bool,
    /// The comparison (metric, verdict, values, interval, reason).
    #[serde(flatten)]
    pub comparison: Comparison,
}

/// One request of a scenario's mix, judged on its own histograms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestVerdict {
    /// Request name.
    pub request: String,
    /// Worst gated verdict of this request.
    pub verdict: Verdict,
    /// Why it is inconclusive or failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Every reported metric.
    pub metrics: Vec<MetricVerdict>,
}

/// One scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioVerdict {
    /// Scenario name.
    pub scenario: String,
    /// Worst gated verdict.
    pub verdict: Verdict,
    /// Why the scenario is inconclusive or failed, in one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Run ids of the baseline trials.
    pub baseline_runs: Vec<String>,
    /// Run ids of the candidate trials.
    pub candidate_runs: Vec<String>,
    /// Settings used.
    pub settings: Settings,
    /// Every reported metric of the whole mix.
    pub metrics: Vec<MetricVerdict>,
    /// Saturation scenarios: the capacity gate (gated; the latency metrics above are then
    /// informational unless `[gate] metrics` names them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<CapacityVerdict>,
    /// Per request of a mix (more than one request): a failed request fails the scenario even
    /// when the total passes; an inconclusive one is reported but does not decide.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<RequestVerdict>,
    /// What the report needs from the runs: histograms, timelines, SLOs, configuration
    /// (`evidence.rs`). Absent in verdicts written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    /// A stored baseline: which runs were selected from the history and why, and their
    /// run-to-run spread (`history/window.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_window: Option<crate::history::window::BaselineWindow>,
}

impl ScenarioVerdict {
    /// The interval method the gated comparisons actually used (the paired method falls back
    /// to Welch when the trial counts differ); the configured one when nothing was compared.
    #[must_use]
    pub fn used_method(&self) -> Method {
        self.metrics
            .iter()
            .find(|m| m.gated)
            .or(self.metrics.first())
            .map_or(self.settings.method, |m| m.comparison.method)
    }
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerdictReport {
    /// Always [`VERDICT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Overall: fail if any scenario failed, else inconclusive if any was, else pass.
    pub verdict: Verdict,
    /// Where the baseline came from (`store:main`, file names, or a target URL).
    pub baseline_source: String,
    /// Per scenario.
    pub scenarios: Vec<ScenarioVerdict>,
    /// Scenarios (benchmarks) only the candidate has: reported, not compared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub new: Vec<String>,
    /// Scenarios (benchmarks) only the baseline has: reported, not compared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
    /// The commits of the two sides and the workflow run, set by `tailguard report` from its
    /// flags (never taken from a verdict file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// Family-wise control over the gated comparisons (absent in verdicts written before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<Family>,
    /// How the trials were run by `tailguard gate` (absent for `compare`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trials: Option<crate::gate::trials_report::TrialsReport>,
}

/// Where a report comes from: `tailguard report --base-sha --head-sha --run-url`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The baseline side's commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_sha: Option<String>,
    /// The candidate side's commit (the PR's head).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_sha: Option<String>,
    /// The workflow run that produced the verdicts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_url: Option<String>,
    /// The run's conclusion as GitHub reports it (`success`, `failure`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<String>,
}
