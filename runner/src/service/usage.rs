//! What a service spent: CPU time (user + system) over its whole process tree, peak resident
//! memory and context switches, read from `/proc` (Linux), or CPU and peak memory from a cgroup
//! v2 directory when one is given.
//!
//! `/proc/PID/stat` holds a process's CPU time over all its threads, live and exited, in clock
//! ticks (`USER_HZ`, 100 per second on every Linux ABI: 10 ms resolution, a few per mille over a
//! trial of seconds). Child processes are found by their parent pid; a child that exits during a
//! trial takes its CPU time with it (unless the service waits for it), which a cgroup does not
//! lose. Peak RSS is `VmHWM`, reset at each trial's start through `/proc/PID/clear_refs` when
//! the kernel allows it; context switches are summed over every thread (`/proc/PID/task`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ServiceError;

/// Clock ticks per second of `/proc/PID/stat` (`USER_HZ`, fixed by the kernel ABI).
const TICKS_PER_S: u64 = 100;

/// A snapshot of cumulative counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// User CPU time, µs.
    pub user_us: u64,
    /// System CPU time, µs.
    pub system_us: u64,
    /// Largest peak resident set of the processes (or the cgroup's peak), KiB.
    pub peak_rss_kib: u64,
    /// Voluntary context switches (waits for I/O, locks).
    pub voluntary_switches: u64,
    /// Involuntary context switches (preemptions).
    pub involuntary_switches: u64,
    /// Processes in the tree.
    pub processes: u32,
}

/// Where a service's counters are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A process and its descendants.
    Tree(u32),
    /// A cgroup v2 directory (CPU and memory), with the process tree for context switches.
    Cgroup(PathBuf, u32),
}

impl Source {
    /// The counters now.
    ///
    /// # Errors
    /// When the root process is gone or a file cannot be read.
    pub fn read(&self) -> Result<Counters, ServiceError> {
        match self {
            Source::Tree(pid) => read_tree(*pid),
            Source::Cgroup(dir, pid) => {
                let mut c = read_tree(*pid)?;
                let stat = read_text(&dir.join("cpu.stat"))?;
                let field = |name: &str| {
                    stat.lines()
                        .find_map(|l| l.strip_prefix(name)?.trim().parse::<u64>().ok())
                        .ok_or_else(|| ServiceError::NoField {
                            path: dir.join("cpu.stat"),
                            field: name.to_owned(),
                        })
                };
                c.user_us = field("user_usec ")?;
                c.system_us = field("system_usec ")?;
                if let Ok(peak) = read_text(&dir.join("memory.peak")) {
                    c.peak_rss_kib = peak
                        .trim()
                        .parse::<u64>()
                        .map_or(c.peak_rss_kib, |b| b / 1024);
                }
                Ok(c)
            }
        }
    }

    /// Start a new peak-RSS window (best effort: `clear_refs` needs the process's owner).
    pub fn reset_peak(&self) {
        let pid = match self {
            Source::Tree(pid) | Source::Cgroup(_, pid) => *pid,
        };
        for p in tree(pid) {
            let _ = std::fs::write(format!("/proc/{p}/clear_refs"), "5");
        }
        if let Source::Cgroup(dir, _) = self {
            let _ = std::fs::write(dir.join("memory.peak"), "0");
        }
    }
}

fn read_text(path: &Path) -> Result<String, ServiceError> {
    std::fs::read_to_string(path).map_err(|source| ServiceError::Read {
        path: path.to_owned(),
        source,
    })
}

/// `pid` and its descendants, from every process's parent pid.
#[must_use]
pub fn tree(pid: u32) -> Vec<u32> {
    let mut children: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for e in entries.filter_map(Result::ok) {
            let Some(p) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            if let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) {
                if let Some(fields) = stat_fields(&stat) {
                    if let Some(ppid) = fields.get(1).and_then(|f| f.parse::<u32>().ok()) {
                        children.entry(ppid).or_default().push(p);
                    }
                }
            }
        }
    }
    let mut out = vec![pid];
    let mut i = 0;
    while i < out.len() {
        if let Some(c) = children.get(&out[i]) {
            out.extend(c.iter().copied().filter(|c| *c != pid));
        }
        i += 1;
    }
    out
}

/// The fields of `/proc/PID/stat` after the command name (which may hold spaces and
/// parentheses): index 0 is the state, 1 the parent pid, 11 utime, 12 stime.
fn stat_fields(stat: &str) -> Option<Vec<&str>> {
    let rest = &stat[stat.rfind(')')? + 1..];
    Some(rest.split_whitespace().collect())
}

fn read_tree(root: u32) -> Result<Counters, ServiceError> {
    let mut c = Counters::default();
    for pid in tree(root) {
        let stat = match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Ok(s) => s,
            // A descendant that exited since the scan: its time is gone with it.
            Err(_) if pid != root => continue,
            Err(source) => return Err(ServiceError::Gone { pid: root, source }),
        };
        let f = stat_fields(&stat).ok_or(ServiceError::Unreadable { pid })?;
        let tick = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        c.user_us += tick(11) * 1_000_000 / TICKS_PER_S;
        c.system_us += tick(12) * 1_000_000 / TICKS_PER_S;
        c.processes += 1;
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            c.peak_rss_kib = c.peak_rss_kib.max(status_kib(&status, "VmHWM:"));
        }
        let (v, n) = switches(pid);
        c.voluntary_switches += v;
        c.involuntary_switches += n;
    }
    Ok(c)
}

fn status_kib(status: &str, key: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Context switches summed over the threads of `pid` (voluntary, involuntary).
fn switches(pid: u32) -> (u64, u64) {
    let (mut v, mut n) = (0, 0);
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return (0, 0);
    };
    for t in tasks.filter_map(Result::ok) {
        if let Ok(status) = std::fs::read_to_string(t.path().join("status")) {
            v += status_kib(&status, "voluntary_ctxt_switches:");
            n += status_kib(&status, "nonvoluntary_ctxt_switches:");
        }
    }
    (v, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_survive_spaces_and_parentheses_in_the_command_name() {
        let stat = "42 (my (odd) cmd) S 7 42 42 0 -1 0 1 2 3 4 150 25 0 0";
        let f = stat_fields(stat).unwrap();
        assert_eq!((f[0], f[1], f[11], f[12]), ("S", "7", "150", "25"));
    }

    #[test]
    fn this_process_tree_has_its_child_and_counts_cpu_and_memory() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let me = std::process::id();
        assert!(tree(me).contains(&child.id()), "{:?}", tree(me));
        // Burn some CPU so the 10 ms ticks see it.
        let start = std::time::Instant::now();
        let mut x = 0u64;
        while start.elapsed() < std::time::Duration::from_millis(150) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        let c = Source::Tree(me).read().unwrap();
        assert!(c.processes >= 2, "{c:?}");
        assert!(c.user_us + c.system_us >= 50_000, "{c:?}");
        assert!(c.peak_rss_kib > 1_000, "{c:?}");
        assert!(c.voluntary_switches + c.involuntary_switches > 0, "{c:?}");
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(Source::Tree(u32::MAX).read().is_err());
    }
}
