//! The configured store: opening it from `--store …` (secrets only from the environment),
//! naming the branch and commit a run is stored under, saving it and saying where.

use bench_core::environment::{git_branch, git_commit, git_commit_time};
use bench_core::result::RunResult;

use super::SessionError;
use crate::cli::{InfluxApiKind, SaveArgs, StoreArgs, StoreKind};
use crate::store::file::FileStore;
use crate::store::influx::config::InfluxConfig;
use crate::store::influx::{Api, InfluxStore};
use crate::store::spool::Spool;
use crate::store::{BranchName, Store};

/// The configured store.
pub fn open(args: &StoreArgs) -> Result<Box<dyn Store>, SessionError> {
    Ok(match args.store {
        StoreKind::File => Box::new(FileStore::new(&args.store_dir)),
        StoreKind::Influx => Box::new(influx(args)?),
    })
}

/// The configured store, to read baselines from: a file store's directory must exist (a
/// misspelt `--store-dir` or a missing artifact is an error, not an empty baseline).
pub fn open_existing(args: &StoreArgs) -> Result<Box<dyn Store>, SessionError> {
    if args.store == StoreKind::File && !args.store_dir.is_dir() {
        return Err(SessionError::NoStoreDir(args.store_dir.clone()));
    }
    open(args)
}

/// The InfluxDB store of `--influx-*` and `TAILGUARD_INFLUX_*` (secrets only from the
/// environment).
pub fn influx(args: &StoreArgs) -> Result<InfluxStore, SessionError> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let url = args
        .influx_url
        .as_deref()
        .ok_or(SessionError::NoInfluxUrl)?;
    let config = InfluxConfig::new(
        url,
        env("TAILGUARD_INFLUX_TOKEN"),
        env("TAILGUARD_INFLUX_USER"),
        env("TAILGUARD_INFLUX_PASSWORD"),
    )?;
    // The credentials join the scenario's secrets: no message of this process shows them.
    bench_core::redact::remember(&config.redactor());
    let kind = args.influx_api.unwrap_or(if args.influx_org.is_some() {
        InfluxApiKind::V2
    } else {
        InfluxApiKind::V1
    });
    let api = match kind {
        InfluxApiKind::V1 => Api::V1 {
            db: args.influx_db.clone(),
            rp: args.influx_rp.clone(),
        },
        InfluxApiKind::V2 => Api::V2 {
            org: args.influx_org.clone().ok_or(SessionError::NoInfluxOrg)?,
            bucket: args
                .influx_bucket
                .clone()
                .unwrap_or_else(|| args.influx_db.clone()),
        },
    };
    Ok(InfluxStore::new(config, api, Spool::new(&args.spool_dir))?)
}

/// The branch to save under: `--branch`, else GitHub Actions' or git's.
pub fn branch(save: &SaveArgs) -> Result<BranchName, SessionError> {
    let name = save
        .branch
        .clone()
        .or_else(git_branch)
        .ok_or(SessionError::NoBranch)?;
    Ok(BranchName::new(&name)?)
}

/// Save `run` (recording `--branch`/`--commit` in its environment) and say where.
pub fn save(run: &mut RunResult, save: &SaveArgs, store: &StoreArgs) -> Result<(), SessionError> {
    let branch = stamp(run, save)?;
    save_stamped(run, &branch, store)
}

/// Record `--branch`/`--commit` in `run`'s environment; returns the branch to store it under.
pub fn stamp(run: &mut RunResult, save: &SaveArgs) -> Result<BranchName, SessionError> {
    let branch = branch(save)?;
    run.meta.environment.git_branch = Some(branch.to_string());
    if let Some(c) = save.commit.clone().or_else(git_commit) {
        if save.commit.is_some() || run.meta.environment.git_commit_time.is_none() {
            run.meta.environment.git_commit_time = git_commit_time(&c);
        }
        run.meta.environment.git_commit = Some(c);
    }
    if let Some(t) = &save.commit_time {
        run.meta.environment.git_commit_time = Some(parse_commit_time(t)?);
    }
    Ok(branch)
}

/// `--commit-time`: RFC 3339 UTC (`2026-11-29T21:00:00Z`) or Unix seconds, as RFC 3339 UTC.
pub fn parse_commit_time(text: &str) -> Result<String, SessionError> {
    let t = match text.trim().parse::<u64>() {
        Ok(secs) => std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs),
        Err(_) => humantime::parse_rfc3339_weak(text.trim()).map_err(|reason| {
            SessionError::CommitTime {
                text: text.to_owned(),
                reason,
            }
        })?,
    };
    Ok(humantime::format_rfc3339_seconds(t).to_string())
}

/// Save a run [`stamp`] prepared and say where; a run that only reached the spool is a warning.
pub fn save_stamped(
    run: &RunResult,
    branch: &BranchName,
    store: &StoreArgs,
) -> Result<(), SessionError> {
    let saved = open(store)?.save(branch, run)?;
    match saved.warning {
        None => eprintln!("saved {}", saved.location),
        Some(w) => eprintln!("warning: {}", bench_core::redact::process().text(&w)),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_times_are_rfc3339_or_unix_seconds() {
        assert_eq!(parse_commit_time("0").unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(
            parse_commit_time(" 2026-11-29T21:00:00Z ").unwrap(),
            "2026-11-29T21:00:00Z"
        );
        let e = parse_commit_time("yesterday").unwrap_err().to_string();
        assert!(e.starts_with("--commit-time \"yesterday\": "), "{e}");
        assert!(e.contains("Unix seconds"), "{e}");
    }
}
