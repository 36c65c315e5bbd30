//! Checks made before any load is sent: everything that would otherwise fail after the run
//! (where the result goes, the branch it is stored under, the store or its spool, the start
//! time of a distributed run) fails first, with the flag and its value named, exit 2.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::cli::{GateFlags, SaveArgs, StoreArgs, StoreKind};
use crate::session::{stores, SessionError};
use crate::store::StoreError;

/// What would fail after the run, found before it: the flag and its value are named.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PreflightError {
    /// An output file flag names a directory.
    #[error("{flag} {}: is a directory; give a file name", path.display())]
    IsDirectory {
        /// The flag.
        flag: String,
        /// Its value.
        path: PathBuf,
    },
    /// The output would overwrite the scenario file.
    #[error("{flag} {}: that is the scenario file; the result would overwrite it", path.display())]
    IsTheInput {
        /// The flag.
        flag: String,
        /// Its value.
        path: PathBuf,
    },
    /// An output's directory is a file.
    #[error("{flag} {}: {} is not a directory", given.display(), existing.display())]
    NotADirectory {
        /// The flag.
        flag: String,
        /// Its value.
        given: PathBuf,
        /// The nearest existing ancestor.
        existing: PathBuf,
    },
    /// An output's directory cannot be written in.
    #[error("{flag} {}: cannot write in {}", given.display(), dir.display())]
    NotWritable {
        /// The flag.
        flag: String,
        /// Its value.
        given: PathBuf,
        /// The directory.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `--branch` is not a branch name.
    #[error("--branch {branch:?}")]
    Branch {
        /// Its value.
        branch: String,
        /// Why.
        source: Box<StoreError>,
    },
    /// The store cannot take the run.
    #[error(transparent)]
    Store(Box<SessionError>),
    /// `--start-at` is not a time.
    #[error("--start-at {text:?}: expected an RFC 3339 time, e.g. 2026-11-23T12:00:00Z")]
    StartAt {
        /// Its value.
        text: String,
        /// Why.
        source: humantime::TimestampError,
    },
    /// `--start-at` is too far in the past.
    #[error(
        "--start-at {text}: is {secs}s in the past; give a time a little ahead so every shard \
         can start together"
    )]
    StartPast {
        /// Its value.
        text: String,
        /// How far, in seconds.
        secs: u64,
    },
    /// `--start-at` is too far ahead.
    #[error(
        "--start-at {text}: is {hours}h ahead (at most {}h); check the date and time zone",
        START_AT_FUTURE.as_secs() / 3600
    )]
    StartFuture {
        /// Its value.
        text: String,
        /// How far, in hours.
        hours: u64,
    },
}

impl From<SessionError> for PreflightError {
    fn from(e: SessionError) -> Self {
        Self::Store(Box::new(e))
    }
}

/// How far in the past `--start-at` may be (clocks of shards differ a little).
pub const START_AT_PAST: Duration = Duration::from_secs(5);
/// How far in the future `--start-at` may be.
pub const START_AT_FUTURE: Duration = Duration::from_secs(24 * 3600);

/// `--out FILE` (or any output file flag): not a directory, and its directory can be created
/// and written in. `-` (stdout) always passes.
pub fn out_file(flag: &str, path: &Path) -> Result<(), PreflightError> {
    if path == Path::new("-") {
        return Ok(());
    }
    if path.is_dir() {
        return Err(PreflightError::IsDirectory {
            flag: flag.to_owned(),
            path: path.to_owned(),
        });
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    writable_dir(flag, path, parent)
}

/// `--report-dir DIR`-like flags: a directory that exists or can be created, and is writable.
pub fn out_dir(flag: &str, path: &Path) -> Result<(), PreflightError> {
    writable_dir(flag, path, path)
}

/// `out` is not the file `input` (the result would overwrite what it was made from).
pub fn not_the_input(flag: &str, out: &Path, input: &Path) -> Result<(), PreflightError> {
    if let (Ok(a), Ok(b)) = (std::fs::canonicalize(out), std::fs::canonicalize(input)) {
        if a == b {
            return Err(PreflightError::IsTheInput {
                flag: flag.to_owned(),
                path: out.to_owned(),
            });
        }
    }
    Ok(())
}

/// `dir` is (or can be created as) a writable directory; errors name `flag` and `given`.
fn writable_dir(flag: &str, given: &Path, dir: &Path) -> Result<(), PreflightError> {
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
        return Err(PreflightError::NotADirectory {
            flag: flag.to_owned(),
            given: given.to_owned(),
            existing: existing.to_owned(),
        });
    }
    let probe: PathBuf = existing.join(format!(".tailguard-probe-{}", std::process::id()));
    // A probe, not an output: the one file this module writes, and removes.
    std::fs::write(&probe, b"").map_err(|source| PreflightError::NotWritable {
        flag: flag.to_owned(),
        given: given.to_owned(),
        dir: existing.to_owned(),
        source,
    })?;
    // The probe is empty and ours; failing to remove it leaves an empty file, nothing worse.
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// `--out` and `--report-dir` of a comparison.
pub fn verdict_outputs(flags: &GateFlags) -> Result<(), PreflightError> {
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
pub fn save(save: &SaveArgs, st: &StoreArgs) -> Result<(), PreflightError> {
    if !save.save {
        if let Some(b) = &save.branch {
            crate::store::BranchName::new(b).map_err(|source| PreflightError::Branch {
                branch: b.clone(),
                source: Box::new(source),
            })?;
        }
        return Ok(());
    }
    stores::branch(save)?;
    match st.store {
        StoreKind::File => out_dir("--store-dir", &st.store_dir),
        StoreKind::Influx => {
            stores::influx(st)?;
            out_dir("--spool-dir", &st.spool_dir)
        }
    }
}

/// Parse `--start-at` (RFC 3339) and keep it near now: at most [`START_AT_PAST`] ago and
/// [`START_AT_FUTURE`] ahead. Says when the run will start.
pub fn start_at(text: &str, now: SystemTime) -> Result<SystemTime, PreflightError> {
    let at = humantime::parse_rfc3339_weak(text).map_err(|source| PreflightError::StartAt {
        text: text.to_owned(),
        source,
    })?;
    match at.duration_since(now) {
        Err(e) if e.duration() > START_AT_PAST => {
            return Err(PreflightError::StartPast {
                text: text.to_owned(),
                secs: e.duration().as_secs(),
            })
        }
        Ok(ahead) if ahead > START_AT_FUTURE => {
            return Err(PreflightError::StartFuture {
                text: text.to_owned(),
                hours: ahead.as_secs() / 3600,
            })
        }
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
