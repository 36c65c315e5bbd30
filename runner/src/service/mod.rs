//! The service under test as the gate sees it: started by the gate (`--baseline-cmd`,
//! `--candidate-cmd`) or given by pid, and what it spends per trial (CPU time over its process
//! tree, CPU µs per request, peak RSS, context switches).

pub mod process;
pub mod ready;
pub mod sides;
pub mod usage;

use std::net::SocketAddr;
use std::path::PathBuf;

use bench_core::result::RunResult;
use bench_core::scenario::gate::GateSection;
use bench_core::stats::Metric;

/// Why the service cannot be measured or is not ready (yet).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// A counter file that cannot be read.
    #[error("reading {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A counter file without the expected field.
    #[error("{}: no `{field}`", path.display())]
    NoField {
        /// The file.
        path: PathBuf,
        /// The field looked for.
        field: String,
    },
    /// The root process is gone.
    #[error("process {pid}: {source} (has the service exited?)")]
    Gone {
        /// Its pid.
        pid: u32,
        /// Why `/proc/PID/stat` could not be read.
        source: std::io::Error,
    },
    /// A `/proc/PID/stat` without the command's closing parenthesis.
    #[error("/proc/{pid}/stat: unreadable")]
    Unreadable {
        /// The process.
        pid: u32,
    },
    /// The service's port refuses connections.
    #[error("{addr}: {source}")]
    Refused {
        /// Where.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The readiness request failed.
    #[error(transparent)]
    Http(#[from] crate::http_client::HttpError),
    /// A `--*-target` that cannot be probed.
    #[error("{target:?} {problem}")]
    Target {
        /// The target as given.
        target: String,
        /// What is wrong: `is not a URL: …`, `has no host`, `resolves to no address`.
        problem: String,
    },
    /// A `--ready-path` that is not a path.
    #[error("--ready-path {0:?} must start with '/'")]
    ReadyPath(String),
    /// The service's command could not be started, or its log created.
    #[error("{action}: {error}")]
    Start {
        /// What was being done: `creating LOG`, "--baseline-cmd: starting `sh -c …`".
        action: String,
        /// Why.
        error: std::io::Error,
    },
    /// The service exited before it was ready.
    #[error("the {name} service exited ({status}) before {probe}; its log {}:\n{tail}", log.display())]
    Exited {
        /// `baseline` or `candidate`.
        name: String,
        /// Its exit status.
        status: String,
        /// What readiness means here.
        probe: String,
        /// Its log file.
        log: PathBuf,
        /// The log's last lines.
        tail: String,
    },
    /// The service was not ready in time.
    #[error(
        "the {name} service was not ready ({probe}) within {timeout:?}; last seen: {last}; its \
         log {}:\n{tail}",
        log.display()
    )]
    NotReady {
        /// `baseline` or `candidate`.
        name: String,
        /// What readiness means here.
        probe: String,
        /// How long it was given.
        timeout: std::time::Duration,
        /// What the last look saw.
        last: Box<ServiceError>,
        /// Its log file.
        log: PathBuf,
        /// The log's last lines.
        tail: String,
    },
    /// The readiness request was answered, but not with 2xx.
    #[error("GET {url} answered {status}")]
    Status {
        /// The URL.
        url: String,
        /// The answer's status.
        status: u16,
    },
    /// `--NAME-cmd` without the `--NAME-target` that says when it is ready.
    #[error("--{name}-cmd needs --{name}-target")]
    NoTarget {
        /// `baseline` or `candidate`.
        name: String,
    },
    /// A `--NAME-pid` whose counters cannot be read.
    #[error("--{name}-pid {pid}: {source}")]
    Pid {
        /// `baseline` or `candidate`.
        name: String,
        /// The pid as given.
        pid: u32,
        /// Why.
        source: Box<ServiceError>,
    },
    /// The counters of a measured service unreadable around a trial (it exited).
    #[error("the {name} service {when} the trial: {source}")]
    Trial {
        /// `baseline` or `candidate`.
        name: String,
        /// `before` or `after`.
        when: &'static str,
        /// Why.
        source: Box<ServiceError>,
    },
}

/// Whether every run of both sides measured its service's CPU per request.
#[must_use]
pub fn measured(baseline: &[RunResult], candidate: &[RunResult]) -> bool {
    !baseline.is_empty()
        && !candidate.is_empty()
        && baseline
            .iter()
            .chain(candidate)
            .all(|r| r.service.is_some_and(|s| s.cpu_us_per_request.is_some()))
}

/// When both sides measured their service, CPU per request is reported and, unless the gate
/// names its metrics itself, gated (threshold: the ratio threshold, 10 % by default).
pub fn add_cpu_metric(
    baseline: &[RunResult],
    candidate: &[RunResult],
    gate: &GateSection,
    metrics: &mut Vec<Metric>,
    gated: &mut Vec<Metric>,
) {
    if !measured(baseline, candidate) || metrics.contains(&Metric::CpuPerRequest) {
        return;
    }
    metrics.push(Metric::CpuPerRequest);
    if gate.metrics.is_none() {
        gated.push(Metric::CpuPerRequest);
    }
}
