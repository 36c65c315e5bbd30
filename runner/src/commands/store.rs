//! `tailguard store replay`, and what every command that stores or reads runs shares: opening
//! the configured store, naming the branch, saving.

use anyhow::Context as _;
use bench_core::environment::{git_branch, git_commit, git_commit_time};
use bench_core::result::RunResult;

use crate::cli::{InfluxApiKind, SaveArgs, StoreAction, StoreArgs, StoreKind};
use crate::store::file::FileStore;
use crate::store::influx::config::InfluxConfig;
use crate::store::influx::{Api, InfluxStore};
use crate::store::spool::Spool;
use crate::store::{BranchName, Store};
use crate::Exit;

/// Run `tailguard store …`.
pub fn command(action: &StoreAction) -> anyhow::Result<Exit> {
    match action {
        StoreAction::Replay { store } => {
            let st = influx(store)?;
            let pending = st.spool().pending()?.len();
            if pending == 0 {
                println!("nothing to replay: {} is empty", st.spool().dir().display());
                return Ok(Exit::Success);
            }
            let done = st.replay()?;
            for r in &done.rejected {
                eprintln!(
                    "warning: set aside {} ({}); fix it and move it back to {} to send it",
                    r.file.display(),
                    r.reason,
                    st.spool().dir().display()
                );
            }
            println!(
                "replayed {} run(s), {} point(s) to {}; {} rejected; the spool is empty",
                done.files,
                done.points,
                st.describe(),
                done.rejected.len()
            );
            if !done.rejected.is_empty() {
                anyhow::bail!(
                    "{} spool entr{} could not be delivered and were moved to {} with the reason",
                    done.rejected.len(),
                    if done.rejected.len() == 1 { "y" } else { "ies" },
                    st.spool().rejected_dir().display()
                );
            }
        }
    }
    Ok(Exit::Success)
}

/// The configured store.
pub fn open(args: &StoreArgs) -> anyhow::Result<Box<dyn Store>> {
    Ok(match args.store {
        StoreKind::File => Box::new(FileStore::new(&args.store_dir)),
        StoreKind::Influx => Box::new(influx(args)?),
    })
}

/// The configured store, to read baselines from: a file store's directory must exist (a
/// misspelt `--store-dir` or a missing artifact is an error, not an empty baseline).
pub fn open_existing(args: &StoreArgs) -> anyhow::Result<Box<dyn Store>> {
    if args.store == StoreKind::File && !args.store_dir.is_dir() {
        anyhow::bail!(
            "--store-dir {}: no such directory, so there is no baseline to read; check the path \
             (or TAILGUARD_STORE_DIR) and that the baseline artifact was downloaded",
            args.store_dir.display()
        );
    }
    open(args)
}

/// The InfluxDB store of `--influx-*` and `TAILGUARD_INFLUX_*` (secrets only from the
/// environment).
pub fn influx(args: &StoreArgs) -> anyhow::Result<InfluxStore> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let url = args.influx_url.as_deref().context(
        "the InfluxDB store needs a server: pass --influx-url or set TAILGUARD_INFLUX_URL",
    )?;
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
            org: args
                .influx_org
                .clone()
                .context("the InfluxDB 2.x API needs --influx-org (TAILGUARD_INFLUX_ORG)")?,
            bucket: args
                .influx_bucket
                .clone()
                .unwrap_or_else(|| args.influx_db.clone()),
        },
    };
    Ok(InfluxStore::new(config, api, Spool::new(&args.spool_dir))?)
}

/// The branch to save under: `--branch`, else GitHub Actions' or git's.
pub fn branch(save: &SaveArgs) -> anyhow::Result<BranchName> {
    let name = save
        .branch
        .clone()
        .or_else(git_branch)
        .context("cannot tell which branch this is (not a git checkout?); pass --branch")?;
    Ok(BranchName::new(&name)?)
}

/// Save `run` (recording `--branch`/`--commit` in its environment) and say where.
pub fn save(run: &mut RunResult, save: &SaveArgs, store: &StoreArgs) -> anyhow::Result<()> {
    let branch = stamp(run, save)?;
    save_stamped(run, &branch, store)
}

/// Record `--branch`/`--commit` in `run`'s environment; returns the branch to store it under.
pub fn stamp(run: &mut RunResult, save: &SaveArgs) -> anyhow::Result<BranchName> {
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
pub fn parse_commit_time(text: &str) -> anyhow::Result<String> {
    let t = match text.trim().parse::<u64>() {
        Ok(secs) => std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs),
        Err(_) => humantime::parse_rfc3339_weak(text.trim()).map_err(|e| {
            anyhow::anyhow!(
                "--commit-time {text:?}: {e} (expected RFC 3339 UTC such as \
                 2026-11-29T21:00:00Z, or Unix seconds as `git show -s --format=%ct` prints)"
            )
        })?,
    };
    Ok(humantime::format_rfc3339_seconds(t).to_string())
}

/// Save a run [`stamp`] prepared and say where; a run that only reached the spool is a warning.
pub fn save_stamped(run: &RunResult, branch: &BranchName, store: &StoreArgs) -> anyhow::Result<()> {
    let saved = open(store)?.save(branch, run)?;
    match saved.warning {
        None => eprintln!("saved {}", saved.location),
        Some(w) => eprintln!("warning: {}", bench_core::redact::process().text(&w)),
    }
    Ok(())
}

/// Parse `store:BRANCH`.
#[must_use]
pub fn store_branch(spec: &str) -> Option<&str> {
    spec.strip_prefix("store:")
}
