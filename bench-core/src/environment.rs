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
    /// tailguard version.
    pub tool_version: String,
    /// Git commit of the code under test, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_commit: Option<String>,
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
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
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
