//! `tailguard gate`'s service flags: start each build itself, or measure one already running.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

/// The services under test, measured per trial (CPU per request, peak RSS, context switches).
#[derive(Debug, Clone, Default, Args)]
pub struct ServiceArgs {
    /// Start the baseline build with this shell command before the trials and stop it at the end;
    /// ready when --baseline-target accepts connections.
    #[arg(
        long,
        value_name = "CMD",
        requires = "baseline_target",
        conflicts_with = "baseline_pid"
    )]
    pub baseline_cmd: Option<String>,
    /// Start the candidate build with this shell command; ready when --candidate-target accepts
    /// connections.
    #[arg(
        long,
        value_name = "CMD",
        requires = "candidate_target",
        conflicts_with = "candidate_pid"
    )]
    pub candidate_cmd: Option<String>,
    /// Measure the already running baseline service with this pid (and its descendants).
    #[arg(long, value_name = "PID")]
    pub baseline_pid: Option<u32>,
    /// Measure the already running candidate service with this pid (and its descendants).
    #[arg(long, value_name = "PID")]
    pub candidate_pid: Option<u32>,
    /// Read the baseline's CPU and peak memory from this cgroup v2 directory instead of /proc.
    #[arg(long, value_name = "DIR")]
    pub baseline_cgroup: Option<PathBuf>,
    /// Read the candidate's CPU and peak memory from this cgroup v2 directory instead of /proc.
    #[arg(long, value_name = "DIR")]
    pub candidate_cgroup: Option<PathBuf>,
    /// A started service is ready only once `GET PATH` on its target's origin answers 2xx (e.g.
    /// /health); without it, once the target accepts connections.
    #[arg(long, value_name = "PATH")]
    pub ready_path: Option<String>,
    /// How long a started service may take to be ready.
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    pub ready_timeout: Duration,
    /// Where the started services' logs are kept (`baseline.log`, `candidate.log`).
    #[arg(long, value_name = "DIR", default_value = "tailguard-services")]
    pub service_logs: PathBuf,
}
