//! The gate's two services: started (or found by pid) before the first trial, measured around
//! every trial, stopped when the gate ends (dropping [`Sides`] stops what it started).

use bench_core::result::RunResult;
use bench_core::service_usage::ServiceUsage;

use super::process::{Service, Spec};
use super::usage::{Counters, Source};
use super::ServiceError;
use crate::cli::ServiceArgs;

/// One side: where its counters come from, and the service when the gate started it.
#[derive(Debug)]
struct Side {
    source: Source,
    _started: Option<Service>,
}

/// The measured sides.
#[derive(Debug, Default)]
pub struct Sides {
    baseline: Option<Side>,
    candidate: Option<Side>,
}

fn side(
    name: &str,
    cmd: Option<&String>,
    pid: Option<u32>,
    cgroup: Option<&std::path::PathBuf>,
    target: Option<&str>,
    args: &ServiceArgs,
) -> Result<Option<Side>, ServiceError> {
    let source = |pid: u32| match cgroup {
        Some(dir) => Source::Cgroup(dir.clone(), pid),
        None => Source::Tree(pid),
    };
    if let Some(cmd) = cmd {
        let target = target.ok_or_else(|| ServiceError::NoTarget {
            name: name.to_owned(),
        })?;
        let service = Service::start(&Spec {
            name: name.to_owned(),
            cmd: cmd.clone(),
            target: target.to_owned(),
            ready_path: args.ready_path.clone(),
            ready_timeout: args.ready_timeout,
            log: args.service_logs.join(format!("{name}.log")),
            cgroup: cgroup.cloned(),
        })?;
        return Ok(Some(Side {
            source: service.source(),
            _started: Some(service),
        }));
    }
    let Some(pid) = pid else { return Ok(None) };
    let source = source(pid);
    source.read().map_err(|e| ServiceError::Pid {
        name: name.to_owned(),
        pid,
        source: Box::new(e),
    })?;
    Ok(Some(Side {
        source,
        _started: None,
    }))
}

impl Sides {
    /// Start or find the services the flags name (none: nothing is measured).
    ///
    /// # Errors
    /// When a service does not start, is not ready in time, or a pid is not readable.
    pub fn start(
        args: &ServiceArgs,
        baseline_target: Option<&str>,
        candidate_target: Option<&str>,
    ) -> Result<Self, ServiceError> {
        Ok(Self {
            baseline: side(
                "baseline",
                args.baseline_cmd.as_ref(),
                args.baseline_pid,
                args.baseline_cgroup.as_ref(),
                baseline_target,
                args,
            )?,
            candidate: side(
                "candidate",
                args.candidate_cmd.as_ref(),
                args.candidate_pid,
                args.candidate_cgroup.as_ref(),
                candidate_target,
                args,
            )?,
        })
    }

    /// Run one trial of `side` (`baseline` or `candidate`) and record what its service spent
    /// in the run.
    ///
    /// # Errors
    /// The trial's error, or the service's counters unreadable before it (it exited).
    pub fn measure<E: From<ServiceError>>(
        &self,
        side: &str,
        trial: impl FnOnce() -> Result<RunResult, E>,
    ) -> Result<RunResult, E> {
        let measured = match side {
            "baseline" => self.baseline.as_ref(),
            _ => self.candidate.as_ref(),
        };
        let Some(s) = measured else { return trial() };
        s.source.reset_peak();
        let read = |when: &'static str| {
            s.source.read().map_err(|e| ServiceError::Trial {
                name: side.to_owned(),
                when,
                source: Box::new(e),
            })
        };
        let before = read("before")?;
        let mut run = trial()?;
        // The run is kept whatever happened to the service (it may have crashed under load).
        match read("after") {
            Ok(after) => {
                let requests = run.summary().map_or(0, |s| s.requests);
                run.service = Some(usage(&before, &after, requests));
            }
            Err(e) => eprintln!("warning: {e}; this trial has no CPU measurement"),
        }
        Ok(run)
    }
}

/// What was spent between two snapshots, over `requests` requests.
#[must_use]
pub fn usage(before: &Counters, after: &Counters, requests: u64) -> ServiceUsage {
    let user_us = after.user_us.saturating_sub(before.user_us);
    let system_us = after.system_us.saturating_sub(before.system_us);
    let cpu_us = user_us + system_us;
    ServiceUsage {
        cpu_us,
        user_us,
        system_us,
        cpu_us_per_request: (requests > 0).then(|| cpu_us as f64 / requests as f64),
        peak_rss_kib: after.peak_rss_kib,
        voluntary_switches: after
            .voluntary_switches
            .saturating_sub(before.voluntary_switches),
        involuntary_switches: after
            .involuntary_switches
            .saturating_sub(before.involuntary_switches),
    }
}
