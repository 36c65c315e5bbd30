//! Where a run happened: host, cores, tool version, git commit and branch.

use std::process::Command;

use serde::{Deserialize, Serialize};

/// The machine and source revision a run was made on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    /// Host name.
    pub host: String,
    /// Operating system and architecture, e.g. "linux-x86_64".
    pub os: String,
    /// Logical cores available to the process.
    pub cores: usize,
    /// CPU model (Linux: `model name` of /proc/cpuinfo), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_model: Option<String>,
    /// tailguard version.
    pub tool_version: String,
    /// Git commit of the code under test, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_commit: Option<String>,
    /// When the commit was made (committer date, RFC 3339 UTC), when known: the history's order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_commit_time: Option<String>,
    /// Git branch, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_branch: Option<String>,
}

impl Environment {
    /// Detect the environment. Git facts come from GitHub Actions variables when set
    /// (`GITHUB_SHA`, `GITHUB_HEAD_REF` for pull requests, `GITHUB_REF_NAME`), otherwise from
    /// `git` in the current directory.
    #[must_use]
    pub fn detect() -> Self {
        Self {
            host: hostname(),
            os: format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH),
            cores: std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            cpu_model: cpu_model(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            git_commit_time: git_commit().as_deref().and_then(git_commit_time),
            git_commit: git_commit(),
            git_branch: git_branch(),
        }
    }
}

/// The host's name: the kernel's (`/proc/sys/kernel/hostname`) on Linux, else what the
/// `hostname` command prints, else `unknown`. (No crate: the one that wraps the system call
/// brings four more to every build; docs/benchmarks.md, "build size and time".)
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| {
            let out = Command::new("hostname").output().ok()?;
            out.status
                .success()
                .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
        })
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The commit under test: `GITHUB_SHA`, else `git rev-parse HEAD`.
#[must_use]
pub fn git_commit() -> Option<String> {
    non_empty_env("GITHUB_SHA").or_else(|| git(&["rev-parse", "HEAD"]))
}

/// When `commit` was made (committer date, RFC 3339 UTC), if git knows the commit here.
#[must_use]
pub fn git_commit_time(commit: &str) -> Option<String> {
    let secs: u64 = git(&["show", "-s", "--format=%ct", commit, "--"])?
        .parse()
        .ok()?;
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    Some(humantime::format_rfc3339_seconds(t).to_string())
}

/// The CPU model, from /proc/cpuinfo (Linux); `None` elsewhere.
#[must_use]
pub fn cpu_model() -> Option<String> {
    let text = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| matches!(k.trim(), "model name" | "Model" | "cpu model"))
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The branch under test: `GITHUB_HEAD_REF` (PRs), `GITHUB_REF_NAME`, else git's current branch.
#[must_use]
pub fn git_branch() -> Option<String> {
    non_empty_env("GITHUB_HEAD_REF")
        .or_else(|| non_empty_env("GITHUB_REF_NAME"))
        .or_else(|| git(&["rev-parse", "--abbrev-ref", "HEAD"]).filter(|b| b != "HEAD"))
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
    (!text.is_empty()).then_some(text)
}
