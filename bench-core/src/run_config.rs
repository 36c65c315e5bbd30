//! How to run the load: the model, its size and timing, and this process's shard of it.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::pacer::{LoadModel, StopCondition};

/// Which part of a sharded run this process generates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Zero-based shard index.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Default for Shard {
    fn default() -> Self {
        Self { index: 0, count: 1 }
    }
}

/// How to run the load.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Open or closed model.
    pub model: LoadModel,
    /// Extra stop condition.
    pub stop: StopCondition,
    /// Warm-up before measuring: load is sent but not recorded.
    pub warmup: Duration,
    /// Connections (open model) or workers (closed model) over all threads.
    pub connections: usize,
    /// Concurrent streams per connection (HTTP/2, gRPC); 1 for HTTP/1.1.
    pub streams_per_connection: usize,
    /// Engine threads; 0 means one per available core.
    pub threads: usize,
    /// Per-call timeout.
    pub timeout: Duration,
    /// The open model's send grid: due times move back to its points so one wake-up sends a
    /// cell's calls ([`crate::pacer::SEND_GRID`] by default; zero: every call at its own time).
    pub send_grid: Duration,
    /// After the measured window, how long calls in flight may still complete before they
    /// count as timeouts (capped at `timeout`); see [`crate::window`].
    pub drain: Duration,
    /// Seed for arrival spacing and request-mix choices.
    pub seed: u64,
    /// Weights of the request mix (empty or one entry: always request 0).
    pub weights: Vec<f64>,
    /// This process's shard.
    pub shard: Shard,
    /// When to start (shards of one run share it); `None` starts now.
    pub start_at: Option<SystemTime>,
    /// Checks, extractions, journeys and cookies ([`crate::flow`]); `None`: a plain mix whose
    /// weights are the connector's requests'.
    pub flows: Option<std::sync::Arc<crate::flow::Flows>>,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            model: LoadModel::Closed {
                think_time: Duration::ZERO,
                duration: Duration::from_secs(10),
            },
            stop: StopCondition::default(),
            warmup: Duration::ZERO,
            connections: 16,
            streams_per_connection: 1,
            threads: 0,
            timeout: Duration::from_secs(30),
            send_grid: crate::pacer::SEND_GRID,
            drain: crate::window::DEFAULT_DRAIN,
            seed: 0x7a11_9a4d,
            weights: Vec::new(),
            shard: Shard::default(),
            start_at: None,
            flows: None,
        }
    }
}

impl RunConfig {
    /// The drain actually used: never more than the request timeout.
    #[must_use]
    pub fn effective_drain(&self) -> Duration {
        self.drain.min(self.timeout)
    }

    /// This shard's share of the connections (closed model: of the workers' connections); the
    /// shares of all shards add up to `connections`.
    #[must_use]
    pub fn shard_connections(&self) -> usize {
        let (total, n, i) = (
            self.connections.max(1),
            self.shard.count.max(1),
            self.shard.index,
        );
        (total / n + usize::from(i < total % n)).max(1)
    }
}
