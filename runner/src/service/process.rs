//! A service the gate starts itself (`--baseline-cmd`, `--candidate-cmd`): a shell command run
//! with its output kept in a log file, ready when its address
//! accepts TCP connections, stopped (SIGTERM, then SIGKILL after a grace period) at the end even
//! when the gate fails.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::ready::Probe;
use super::usage::{tree, Source};
use super::ServiceError;

/// A running service.
#[derive(Debug)]
pub struct Service {
    name: String,
    child: Option<Child>,
    log: PathBuf,
    cgroup: Option<PathBuf>,
}

/// How to start one side's service.
#[derive(Debug, Clone)]
pub struct Spec {
    /// `baseline` or `candidate`.
    pub name: String,
    /// The shell command (`sh -c`).
    pub cmd: String,
    /// The target URL; ready when its host:port accepts a TCP connection.
    pub target: String,
    /// Also ready only once `GET` this path on the target's origin answers 2xx.
    pub ready_path: Option<String>,
    /// Give up waiting for readiness after this long.
    pub ready_timeout: Duration,
    /// Where the log goes.
    pub log: PathBuf,
    /// A cgroup v2 directory to read CPU and memory from instead of the process tree.
    pub cgroup: Option<PathBuf>,
}

impl Service {
    /// Start the service and wait until it is ready (its target accepts connections, and answers
    /// the ready path with a 2xx when one is given).
    ///
    /// # Errors
    /// When the command cannot start, exits before it is ready, or is not ready in time (the
    /// log's last lines are in the error); the process is stopped in every case.
    pub fn start(spec: &Spec) -> Result<Self, ServiceError> {
        let probe = Probe::new(&spec.target, spec.ready_path.as_deref())?;
        let creating = |path: &Path| {
            let action = format!("creating {}", path.display());
            move |error| ServiceError::Start { action, error }
        };
        if let Some(dir) = spec.log.parent() {
            std::fs::create_dir_all(dir).map_err(creating(dir))?;
        }
        let log = std::fs::File::create(&spec.log).map_err(creating(&spec.log))?;
        let starting = |error| ServiceError::Start {
            action: format!("--{}-cmd: starting `sh -c {:?}`", spec.name, spec.cmd),
            error,
        };
        let child = Command::new("sh")
            .arg("-c")
            .arg(&spec.cmd)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(creating(&spec.log))?)
            .stderr(log)
            .spawn()
            .map_err(starting)?;
        let mut service = Self {
            name: spec.name.clone(),
            child: Some(child),
            log: spec.log.clone(),
            cgroup: spec.cgroup.clone(),
        };
        service.wait_ready(&probe, spec.ready_timeout)?;
        eprintln!(
            "{} service ready: {} (pid {}, log {})",
            spec.name,
            probe.describe(),
            service.pid(),
            spec.log.display()
        );
        Ok(service)
    }

    fn wait_ready(&mut self, probe: &Probe, timeout: Duration) -> Result<(), ServiceError> {
        let started = Instant::now();
        loop {
            let last = match probe.check() {
                Ok(()) => return Ok(()),
                Err(seen) => seen,
            };
            let exited = match self.child.as_mut() {
                Some(c) => c
                    .try_wait()
                    .map_or_else(|e| Some(e.to_string()), |s| s.map(|s| s.to_string())),
                None => Some("not running".into()),
            };
            if let Some(status) = exited {
                return Err(ServiceError::Exited {
                    name: self.name.clone(),
                    status,
                    probe: probe.describe(),
                    log: self.log.clone(),
                    tail: tail(&self.log),
                });
            }
            if started.elapsed() > timeout {
                self.stop();
                return Err(ServiceError::NotReady {
                    name: self.name.clone(),
                    probe: probe.describe(),
                    timeout,
                    last: Box::new(last),
                    log: self.log.clone(),
                    tail: tail(&self.log),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The shell's pid (the root of the service's process tree).
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Where its counters are read.
    #[must_use]
    pub fn source(&self) -> Source {
        match &self.cgroup {
            Some(dir) => Source::Cgroup(dir.clone(), self.pid()),
            None => Source::Tree(self.pid()),
        }
    }

    /// The log file.
    #[must_use]
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// Stop the whole process tree: SIGTERM, then SIGKILL after 5 s. Idempotent.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pids: Vec<String> = tree(child.id()).iter().map(u32::to_string).collect();
        let _ = Command::new("kill").arg("-TERM").args(&pids).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill")
            .arg("-KILL")
            .args(&pids)
            .stderr(Stdio::null())
            .status();
        let _ = child.kill();
        let _ = child.wait();
        eprintln!(
            "stopped the {} service (log {})",
            self.name,
            self.log.display()
        );
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The last lines of a log, for an error message.
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
