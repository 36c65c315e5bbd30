//! `[load]` as written in a scenario file: the model and how hard and how long. Its rules are
//! checked by `load_check.rs`.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::schedule::{Arrival, Rate, Stage};

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
    /// After the measured window, how long calls in flight may still complete before they
    /// count as timeouts (default 5 s or `timeout` if shorter; never more than `timeout`).
    #[serde(
        default,
        with = "crate::duration_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub drain: Option<Duration>,
    /// Open model: the send grid ("1ms" default; "0": every call at its own time).
    #[serde(
        default,
        with = "crate::duration_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub send_grid: Option<Duration>,
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
