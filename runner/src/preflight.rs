//! Checks made before any load is sent: everything that would otherwise fail after the run
//! (where the result goes, the branch it is stored under, the store or its spool, the start
//! time of a distributed run) fails first, with the flag and its value named, exit 2.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Context as _;

use crate::cli::{GateFlags, SaveArgs, StoreArgs, StoreKind};
use crate::commands::store;

/// How far in the past `--start-at` may be (clocks of shards differ a little).
pub const START_AT_PAST: Duration = Duration::from_secs(5);
/// How far in the future `--start-at` may be.
pub const START_AT_FUTURE: Duration = Duration::from_secs(24 * 3600);

/// `--out FILE` (or any output file flag): not a directory, and its directory can be created
/// and written in. `-` (stdout) always passes.
pub fn out_file(flag: &str, path: &Path) -> anyhow::Result<()> {
    if path == Path::new("-") {
        return Ok(());
    }
    if path.is_dir() {
        anyhow::bail!(
            "{flag} {}: is a directory; give a file name",
            path.display()
        );
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    writable_dir(flag, path, parent)
}

/// `--report-dir DIR`-like flags: a directory that exists or can be created, and is writable.
pub fn out_dir(flag: &str, path: &Path) -> anyhow::Result<()> {
    writable_dir(flag, path, path)
}

/// `out` is not the file `input` (the result would overwrite what it was made from).
pub fn not_the_input(flag: &str, out: &Path, input: &Path) -> anyhow::Result<()> {
    if let (Ok(a), Ok(b)) = (std::fs::canonicalize(out), std::fs::canonicalize(input)) {
        if a == b {
            anyhow::bail!(
                "{flag} {}: that is the scenario file; the result would overwrite it",
                out.display()
            );
        }
    }
    Ok(())
}

/// `dir` is (or can be created as) a writable directory; errors name `flag` and `given`.
fn writable_dir(flag: &str, given: &Path, dir: &Path) -> anyhow::Result<()> {
    let existing = dir
        .ancestors()
        .find(|a| a.as_os_str().is_empty() || a.exists())
        .map_or(Path::new("."), |a| {
            if a.as_os_str().is_empty() {
                Path::new(".")
            } else {
                a
            }
        });
    if !existing.is_dir() {
        anyhow::bail!(
            "{flag} {}: {} is not a directory",
            given.display(),
            existing.display()
        );
    }
    let probe: PathBuf = existing.join(format!(".tailguard-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").with_context(|| {
        format!(
            "{flag} {}: cannot write in {}",
            given.display(),
            existing.display()
        )
    })?;
    // The probe is empty and ours; failing to remove it leaves an empty file, nothing worse.
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// `--out` and `--report-dir` of a comparison.
pub fn verdict_outputs(flags: &GateFlags) -> anyhow::Result<()> {
    if let Some(out) = &flags.out {
        out_file("--out", out)?;
    }
    if let Some(dir) = &flags.report_dir {
        out_dir("--report-dir", dir)?;
    }
    Ok(())
}

/// With `--save`: the branch is valid, and the store (a file store's directory, or InfluxDB's
/// configuration and its spool, which takes the run when the server is down) can take the run.
pub fn save(save: &SaveArgs, st: &StoreArgs) -> anyhow::Result<()> {
    if !save.save {
        if let Some(b) = &save.branch {
            crate::store::BranchName::new(b).with_context(|| format!("--branch {b:?}"))?;
        }
        return Ok(());
    }
    store::branch(save)?;
    match st.store {
        StoreKind::File => out_dir("--store-dir", &st.store_dir),
        StoreKind::Influx => {
            store::influx(st)?;
            out_dir("--spool-dir", &st.spool_dir)
        }
    }
}

/// Parse `--start-at` (RFC 3339) and keep it near now: at most [`START_AT_PAST`] ago and
/// [`START_AT_FUTURE`] ahead. Says when the run will start.
pub fn start_at(text: &str, now: SystemTime) -> anyhow::Result<SystemTime> {
    let at = humantime::parse_rfc3339_weak(text).with_context(|| {
        format!("--start-at {text:?}: expected an RFC 3339 time, e.g. 2026-11-23T12:00:00Z")
    })?;
    match at.duration_since(now) {
        Err(e) if e.duration() > START_AT_PAST => anyhow::bail!(
            "--start-at {text}: is {}s in the past; give a time a little ahead so every shard \
             can start together",
            e.duration().as_secs()
        ),
        Ok(ahead) if ahead > START_AT_FUTURE => anyhow::bail!(
            "--start-at {text}: is {}h ahead (at most {}h); check the date and time zone",
            ahead.as_secs() / 3600,
            START_AT_FUTURE.as_secs() / 3600
        ),
        Ok(ahead) if ahead > Duration::from_secs(1) => {
            eprintln!(
                "waiting until {} ({}s) to start",
                humantime::format_rfc3339_seconds(at),
                ahead.as_secs()
            );
        }
        _ => {}
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_at_is_refused_far_in_the_past_or_future() {
        let now = humantime::parse_rfc3339("2026-11-29T12:00:00Z").unwrap();
        assert!(start_at("2026-11-29T11:59:58Z", now).is_ok());
        assert!(start_at("2026-11-29T12:05:00Z", now).is_ok());
        let e = start_at("2026-11-29T11:00:00Z", now)
            .unwrap_err()
            .to_string();
        assert!(e.contains("3600s in the past"), "{e}");
        let e = start_at("2027-11-29T12:00:00Z", now)
            .unwrap_err()
            .to_string();
        assert!(e.contains("ahead"), "{e}");
        assert!(start_at("tomorrow", now).is_err());
    }

    #[test]
    fn out_files_need_a_writable_directory() {
        let dir = tempfile::tempdir().unwrap();
        assert!(out_file("--out", &dir.path().join("a/b/r.json")).is_ok());
        let e = out_file("--out", dir.path()).unwrap_err().to_string();
        assert!(e.contains("is a directory"), "{e}");
        let file = dir.path().join("f");
        std::fs::write(&file, "").unwrap();
        let e = out_file("--out", &file.join("r.json"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not a directory"), "{e}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
