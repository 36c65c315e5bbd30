//! Keeping a run: `--out` first, then the store (`--save`). Whatever fails, the run is not lost:
//! the error names where it is (`--out`, or else the temporary directory).

use std::path::Path;

use bench_core::result::RunResult;

use super::{stores, SessionError};
use crate::cli::{SaveArgs, StoreArgs};
use crate::output;

/// Write `out` (`-` is stdout) first, then store the run when `save.save`. A failure of either
/// is an error (exit 2) that names where the result is.
pub fn keep(
    result: &mut RunResult,
    out: Option<&Path>,
    save: &SaveArgs,
    store: &StoreArgs,
) -> Result<(), SessionError> {
    // The branch and commit go into the result before anything is written, so the file and the
    // store hold the same run.
    let branch = (save.save && !result.cancelled).then(|| stores::stamp(result, save));
    // --out first: whatever happens to the store afterwards, the result is already on disk.
    let mut failures = Vec::new();
    let kept = match out {
        None => None,
        Some(out) if out == Path::new("-") => {
            output::result_to_stdout(result)?;
            Some("stdout".to_owned())
        }
        Some(out) => match output::result(result, out) {
            Ok(()) => {
                if let Err(e) = output::saturation_charts(result, out) {
                    failures.push(crate::exit::describe(&e.into()));
                }
                Some(out.display().to_string())
            }
            Err(e) => {
                failures.push(crate::exit::describe(&e.into()));
                None
            }
        },
    };
    if save.save && result.cancelled && kept.is_none() {
        // A partial run is never stored as a baseline, but it is not thrown away either.
        eprintln!(
            "the partial run was not stored (it was interrupted); it is kept in {}",
            output::keep_elsewhere(result)
        );
    }
    if let Some(branch) = branch {
        let saved = branch.and_then(|b| stores::save_stamped(result, &b, store));
        if let Err(e) = saved {
            failures.push(format!(
                "the run was not stored: {}",
                crate::exit::describe(&e.into())
            ));
        }
    }
    if failures.is_empty() {
        return Ok(());
    }
    let place = kept.unwrap_or_else(|| output::keep_elsewhere(result));
    Err(SessionError::NotKept {
        failures: failures.join("\n"),
        place,
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    #[derive(clap::Parser)]
    struct Flags {
        #[command(flatten)]
        save: SaveArgs,
        #[command(flatten)]
        store: StoreArgs,
    }

    #[test]
    fn out_is_written_and_a_failed_out_keeps_the_run_elsewhere() {
        let dir = tempfile::tempdir().unwrap();
        let flags =
            Flags::try_parse_from(["t", "--store-dir", dir.path().to_str().unwrap()]).unwrap();
        let mut run = crate::output::tests::stored_run();
        run.meta.run_id = format!("keep-test-{}", std::process::id());
        let out = dir.path().join("run.json");
        keep(&mut run, Some(&out), &flags.save, &flags.store).unwrap();
        assert!(out.is_file());

        let blocked = out.join("run.json");
        let e = keep(&mut run, Some(&blocked), &flags.save, &flags.store).unwrap_err();
        let SessionError::NotKept { failures, place } = &e else {
            panic!("{e}");
        };
        assert!(failures.contains("run.json"), "{failures}");
        let kept = std::path::PathBuf::from(place);
        assert!(kept.starts_with(std::env::temp_dir()), "{place}");
        assert_eq!(RunResult::read(&kept).unwrap().meta.run_id, run.meta.run_id);
        std::fs::remove_file(kept).unwrap();
    }
}
