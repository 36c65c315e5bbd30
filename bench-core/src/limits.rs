//! Checks before any load is sent: what the machine and the connections can carry.
//!
//! - File descriptors: each connection is one; the soft `RLIMIT_NOFILE` is first raised to the
//!   hard limit (as other load generators do), then a run needing more is refused.
//! - Calls: one connection (or HTTP/2 stream) completes at most one call per [`MIN_CALL`] even on
//!   loopback, so an open-model schedule with more requests than the connections could carry
//!   within the window and the drain is refused instead of queueing requests it can never send.

use std::time::Duration;

use crate::engine_error::EngineError;
use crate::pacer::LoadModel;
use crate::run_config::RunConfig;

/// The shortest call a connection can carry: a loopback round trip of a tiny request.
pub const MIN_CALL: Duration = Duration::from_micros(10);

/// File descriptors the process needs besides its connections (runtime, timer, stdio, files).
const SPARE_FDS: u64 = 64;

/// Check `config` for this shard's `connections` before any load.
pub(crate) fn check(config: &RunConfig, connections: usize) -> Result<(), EngineError> {
    check_fds(connections)?;
    check_calls(config, connections)
}

fn check_fds(connections: usize) -> Result<(), EngineError> {
    let needed = connections as u64 + SPARE_FDS;
    // Raise the soft limit to the hard limit; where it cannot be read (no RLIMIT_NOFILE on this
    // platform, or the call failed), the connect errors of the run itself will tell.
    let Ok(limit) = rlimit::increase_nofile_limit(u64::MAX) else {
        return Ok(());
    };
    if needed > limit {
        return Err(EngineError::Capacity(format!(
            "load.connections: {connections} connections need about {needed} file descriptors, \
             but the limit (RLIMIT_NOFILE, soft raised to hard) is {limit}; lower the connections \
             or raise the hard limit (ulimit -Hn)"
        )));
    }
    Ok(())
}

fn check_calls(config: &RunConfig, connections: usize) -> Result<(), EngineError> {
    let LoadModel::Open { profile, .. } = &config.model else {
        return Ok(()); // the closed model sends only as fast as its workers complete
    };
    let shards = config.shard.count.max(1) as f64;
    let mut requests = profile.expected_arrivals() / shards;
    if let Some(max) = config.stop.max_requests {
        requests = requests.min(max as f64 / shards);
    }
    let lanes = (connections * config.streams_per_connection.max(1)) as f64;
    let span = profile.duration() + config.effective_drain();
    let capacity = lanes * span.as_secs_f64() / MIN_CALL.as_secs_f64();
    if requests > capacity {
        return Err(EngineError::Capacity(format!(
            "load.rate: the schedule asks for {requests:.0} requests, but {connections} \
             connections can carry at most {capacity:.0} in the {:?} window plus the {:?} drain \
             (one call per {MIN_CALL:?} per connection at best); lower the rate or raise \
             load.connections",
            profile.duration(),
            config.effective_drain()
        )));
    }
    Ok(())
}
