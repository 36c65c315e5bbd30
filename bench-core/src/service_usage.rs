//! What the service under test spent during one trial, measured by the gate from outside the
//! service (`/proc` or a cgroup; see the runner's `service/usage.rs`).

use serde::{Deserialize, Serialize};

/// The service's resources over one trial.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ServiceUsage {
    /// User + system CPU time over the trial (the whole process tree, or the cgroup), µs.
    pub cpu_us: u64,
    /// User CPU time, µs.
    pub user_us: u64,
    /// System CPU time, µs.
    pub system_us: u64,
    /// CPU µs per request of the trial (every request sent, failed ones included); `None`
    /// without requests.
    pub cpu_us_per_request: Option<f64>,
    /// Peak resident set during the trial, KiB (the largest process of the tree, or the
    /// cgroup's peak).
    pub peak_rss_kib: u64,
    /// Voluntary context switches during the trial (waits for I/O, locks).
    pub voluntary_switches: u64,
    /// Involuntary context switches during the trial (preemptions).
    pub involuntary_switches: u64,
}
