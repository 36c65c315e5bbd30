//! `RunResult`: the versioned, serialisable record of one run, as written by `tailguard run --out`
//! and read by `compare`, the stores and the reports: metadata with the typed gate policy
//! ([`RunMeta`]) and the [`RunKind`] with what that kind measured — a load run or a step load
//! its [`Measurement`] (summary, histograms, per-request results, timeline), a micro-benchmark
//! its iteration samples, an instruction-count run its counts. Files of older schema versions
//! are upgraded as they are read (`upgrade.rs`).
//!
//! Contract relied on by tools: in a `load` or `steps` run, `summary.latency_us` and
//! `summary.service_time_us` each carry integer `p50, p90, p95, p99, p999, max` (plus `mean`),
//! and `summary.requests`, `summary.errors`, `summary.rps` are always present. A `micro` or
//! `instructions` run has no `summary`.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::engine::{Recording, Shard};
use crate::environment::Environment;
use crate::scenario::gate::GateSection;

mod kind;
mod measurement;
pub mod steps;
mod upgrade;

pub use crate::summary::{
    CheckSummary, ConnectionSummary, ErrorSummary, Histograms, Percentiles, Summary,
};
pub use kind::{InstructionCounts, IterationSamples, RunKind};
pub use measurement::{Measurement, MeasurementSum, RequestResult};
pub use steps::Saturation;

/// The outcome of checking one threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SloCheck {
    /// The threshold as written.
    pub slo: String,
    /// Measured value, in the threshold's unit (ms for latency, % for error rate).
    pub actual: String,
    /// Whether it held.
    pub passed: bool,
}

/// The schema version this build writes. Version 2 added `summary.unsent` (counted in
/// `requests` and `errors`), `summary.redirects` and `summary.connections`; version 3 the typed
/// gate policy `gate` (before, the gate read `config.gate`); version 4 the kind `instructions`
/// (before, a load run with its counts in `config.instructions`), and `micro` and
/// `instructions` runs no longer carry a made-up `summary`, `histograms`, `requests` and
/// `timeline`. Older files are upgraded on reading (see `upgrade.rs`).
pub const SCHEMA_VERSION: u32 = 4;

/// The oldest schema version this build reads (fields added since then take their defaults).
pub const OLDEST_READABLE_VERSION: u32 = 1;

/// Errors reading a result.
#[derive(Debug, thiserror::Error)]
pub enum ResultError {
    /// Not JSON, or not a result.
    #[error("{path}: not a tailguard result: {source}")]
    Parse {
        /// File the JSON came from.
        path: String,
        /// The JSON error (with line and column).
        source: serde_json::Error,
    },
    /// Written by an incompatible version.
    #[error("{path}: result schema version {found} is not supported (this tailguard reads versions {OLDEST_READABLE_VERSION} to {SCHEMA_VERSION}); re-record it or upgrade tailguard")]
    Version {
        /// File the JSON came from.
        path: String,
        /// Version found.
        found: u64,
    },
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
}

/// The facts about a run that are not measurements: what ran, where, and the gate policy it is
/// judged by.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunMeta {
    /// Unique id of the run (shared by the shards of one run).
    pub run_id: String,
    /// Scenario name.
    pub scenario: String,
    /// "http", "graphql" or "grpc".
    pub protocol: String,
    /// The effective scenario configuration, secrets removed: a description for people and
    /// reports (and the history's configuration hash); nothing decides on it.
    pub config: serde_json::Value,
    /// How the gate compares this run: the scenario's `[gate]` section (a criterion run's own
    /// policy), which command-line flags overlay. Defaults when the scenario has none.
    #[serde(default, skip_serializing_if = "is_default")]
    pub gate: GateSection,
    /// Where it ran.
    pub environment: Environment,
    /// Shard of a distributed run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// Index of this trial among the trials of one `gate`/`demo` invocation (from 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial: Option<u32>,
}

/// One run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// Always [`SCHEMA_VERSION`] when written by this build.
    pub schema_version: u32,
    /// Descriptive facts.
    #[serde(flatten)]
    pub meta: RunMeta,
    /// Start of the measured phase (RFC 3339, UTC).
    pub started_at: String,
    /// Measured duration in seconds.
    pub duration_s: f64,
    /// True when the run was stopped early (Ctrl-C).
    #[serde(default)]
    pub cancelled: bool,
    /// SLO thresholds checked against this run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slo: Vec<SloCheck>,
    /// What kind of run it is — a load run, a step load, a micro-benchmark or instruction
    /// counts — with what that kind measured (written as `kind` beside it).
    #[serde(flatten)]
    pub kind: RunKind,
    /// The service's CPU, memory and context switches over the run, when the gate measured
    /// it (`tailguard gate --baseline-cmd/--candidate-cmd` or `--*-pid`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<crate::service_usage::ServiceUsage>,
    /// The generator's own CPU time and scheduling lag, and whether it was saturated (then a
    /// slower result may be the generator's; the gate does not call it a regression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<crate::generator::GeneratorReport>,
}

impl RunResult {
    /// Build a result from an engine recording.
    #[must_use]
    pub fn new(meta: RunMeta, rec: &Recording) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            meta,
            started_at: rfc3339(rec.started_at),
            duration_s: rec.duration.as_secs_f64(),
            cancelled: rec.cancelled,
            slo: Vec::new(),
            kind: RunKind::load(Measurement::of(rec)),
            service: None,
            generator: Some(crate::generator::GeneratorReport::of(&rec.generator)),
        }
    }

    /// Parse a result, checking the schema version first so an unknown version gets a clear
    /// error rather than a missing-field error. `origin` names the source in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<Self, ResultError> {
        #[derive(Deserialize)]
        struct Version {
            schema_version: Option<u64>,
        }
        let v: Version = serde_json::from_str(text).map_err(|source| ResultError::Parse {
            path: origin.to_owned(),
            source,
        })?;
        let found = v.schema_version.unwrap_or(0);
        let parse = |source| ResultError::Parse {
            path: origin.to_owned(),
            source,
        };
        if found == u64::from(SCHEMA_VERSION) {
            return serde_json::from_str(text).map_err(parse);
        }
        if !(u64::from(OLDEST_READABLE_VERSION)..u64::from(SCHEMA_VERSION)).contains(&found) {
            return Err(ResultError::Version {
                path: origin.to_owned(),
                found,
            });
        }
        let mut value: serde_json::Value = serde_json::from_str(text).map_err(parse)?;
        upgrade::to_current(&mut value, found);
        serde_json::from_value(value).map_err(parse)
    }

    /// Read a result file.
    pub fn read(path: &std::path::Path) -> Result<Self, ResultError> {
        let text = std::fs::read_to_string(path).map_err(|source| ResultError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&text, &path.display().to_string())
    }

    /// What a load run or a step load measured; `None` for a micro-benchmark or instruction
    /// counts, which have no load measurement.
    #[must_use]
    pub fn measurement(&self) -> Option<&Measurement> {
        match &self.kind {
            RunKind::Load { measurement } | RunKind::Steps { measurement, .. } => Some(measurement),
            _ => None,
        }
    }

    /// [`RunResult::measurement`], to change.
    pub fn measurement_mut(&mut self) -> Option<&mut Measurement> {
        match &mut self.kind {
            RunKind::Load { measurement } | RunKind::Steps { measurement, .. } => Some(measurement),
            _ => None,
        }
    }

    /// The headline numbers of a load run or a step load (`None` for other kinds).
    #[must_use]
    pub fn summary(&self) -> Option<&Summary> {
        self.measurement().map(|m| &m.summary)
    }

    /// A load run as the step load its measurement came from (other kinds are left as they are).
    #[must_use]
    pub fn into_steps(mut self, saturation: Saturation) -> Self {
        if let RunKind::Load { measurement } = self.kind {
            self.kind = RunKind::Steps {
                measurement,
                saturation: Box::new(saturation),
            };
        }
        self
    }

    /// A step load's steps and analysis, if it is one.
    #[must_use]
    pub fn saturation(&self) -> Option<&Saturation> {
        match &self.kind {
            RunKind::Steps { saturation, .. } => Some(saturation.as_ref()),
            _ => None,
        }
    }

    /// A micro-benchmark's samples, if it is one.
    #[must_use]
    pub fn iterations(&self) -> Option<&IterationSamples> {
        match &self.kind {
            RunKind::Micro { iterations } => Some(iterations),
            _ => None,
        }
    }

    /// An instruction-count run's counts, if it is one.
    #[must_use]
    pub fn instructions(&self) -> Option<&InstructionCounts> {
        match &self.kind {
            RunKind::Instructions { instructions } => Some(instructions),
            _ => None,
        }
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }
}

fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

/// RFC 3339 UTC timestamp with milliseconds.
#[must_use]
pub fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// A new run id: start time plus random bits, sortable by time.
#[must_use]
pub fn new_run_id() -> String {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    format!("{:x}-{:08x}", now.as_millis(), {
        use rand::{Rng, SeedableRng};
        rand::rngs::SmallRng::from_os_rng().random::<u32>()
    })
}
