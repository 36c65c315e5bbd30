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
