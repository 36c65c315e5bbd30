//! The scenario file's sections, as written (before environment interpolation and validation).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::gate;
use crate::driver::http::HttpVersion;
use crate::driver::tls::Roots;
use crate::schedule::{Arrival, Rate, Stage};

/// Protocols a scenario can speak.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// HTTP/1.1 or HTTP/2.
    #[default]
    Http,
}

impl Protocol {
    /// Lower-case name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
        }
    }
}

/// The load model's name in scenario files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// Rate-driven (default).
    #[default]
    Open,
    /// Worker-driven.
    Closed,
}

/// `[http]`: connection options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSection {
    /// "1.1" (default) or "2".
    #[serde(default)]
    pub version: HttpVersion,
    /// Accept any TLS certificate.
    #[serde(default)]
    pub insecure: bool,
    /// "system" (default) or "webpki".
    #[serde(default)]
    pub roots: Roots,
}

/// One request (`[request]`, or each of `[[requests]]` in a weighted mix).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSection {
    /// Name in results (default: "METHOD path").
    #[serde(default)]
    pub name: Option<String>,
    /// HTTP method.
    #[serde(default = "default_method")]
    pub method: String,
    /// Path and query, appended to the target's path.
    #[serde(default = "default_path")]
    pub path: String,
    /// Headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Body text.
    #[serde(default)]
    pub body: Option<String>,
    /// Share of the mix (relative).
    #[serde(default = "default_weight")]
    pub weight: f64,
}

fn default_method() -> String {
    "GET".into()
}
fn default_path() -> String {
    "/".into()
}
fn default_weight() -> f64 {
    1.0
}

/// `[load]`: how hard and how long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadSection {
    /// "open" (default) or "closed".
    #[serde(default)]
    pub model: ModelKind,
    /// Open model: constant rate in req/s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<Rate>,
    /// Open model: ramping stages (instead of `rate`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Stage>,
    /// Open model with stages: the rate at the start (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_rate: Option<Rate>,
    /// "uniform" (default) or "poisson".
    #[serde(default)]
    pub arrival: Arrival,
    /// Measured duration (after warm-up).
    #[serde(
        default,
        with = "crate::duration_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub duration: Option<Duration>,
    /// Stop after this many measured requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<u64>,
    /// Warm-up whose samples are not recorded.
    #[serde(default, with = "crate::duration_serde")]
    pub warmup: Duration,
    /// Connections (open model).
    #[serde(default = "default_connections")]
    pub connections: usize,
    /// Concurrent streams per HTTP/2 connection.
    #[serde(default = "default_streams")]
    pub streams_per_connection: usize,
    /// Closed model: number of workers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workers: Option<usize>,
    /// Closed model: pause between a response and the next request.
    #[serde(default, with = "crate::duration_serde")]
    pub think_time: Duration,
    /// Per-call timeout.
    #[serde(default = "default_timeout", with = "crate::duration_serde")]
    pub timeout: Duration,
    /// Engine threads (0: one per core).
    #[serde(default)]
    pub threads: usize,
    /// Seed for Poisson arrivals and the request mix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

fn default_connections() -> usize {
    16
}
fn default_streams() -> usize {
    1
}
fn default_timeout() -> Duration {
    Duration::from_secs(30)
}

/// A scenario file as written (before environment interpolation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Scenario name (used in results, stores and reports).
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Protocol.
    #[serde(default)]
    pub protocol: Protocol,
    /// Base URL, e.g. `"${TARGET_URL:-http://127.0.0.1:8080}"`.
    pub target: String,
    /// HTTP connection options.
    #[serde(default)]
    pub http: HttpSection,
    /// A single request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestSection>,
    /// A weighted mix of requests.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<RequestSection>,
    /// Load shape.
    pub load: LoadSection,
    /// Absolute thresholds, e.g. `["p99 < 200ms", "error_rate < 1%"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slo: Vec<String>,
    /// How runs of this scenario are compared with the baseline.
    #[serde(default)]
    pub gate: gate::GateSection,
    /// Step load and saturation criteria (makes this a saturation scenario).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saturation: Option<super::saturation::SaturationSection>,
}
