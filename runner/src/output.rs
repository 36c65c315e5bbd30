//! The output manager: every file the runner writes for the user goes through here — a run's
//! result JSON (`--out`, `--results-dir`, the demo's trials), a verdict or any JSON report
//! (`compare`/`gate`/`criterion`/`history`/`calibrate`/`instructions --out`), text files (k8s
//! manifests, `report --out`, the history page), chart sets, a saturation run's chart and the
//! report directory. Each file is written whole or not at all (`crate::atomic`, parent
//! directories created) and announced on stderr the one way, `wrote PATH`.
//!
//! Renderers stay pure (they return text or bytes); the report directory and chart sets are
//! written by `report/output.rs`, which this module calls. A run that has nowhere else to go is
//! kept in the temporary directory ([`keep_elsewhere`]). Stores (`store/`) write their own
//! files: that is the store's job.

use std::path::{Path, PathBuf};

use bench_core::result::RunResult;
use serde::Serialize;

use crate::atomic::{self, WriteError};
use crate::report::charts::Rendered;
use crate::report::{chart, saturation as saturation_chart};
use crate::verdict::VerdictReport;

/// Why a file could not be written (nothing half-written is left behind).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// The file system refused the write.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The value could not be serialised.
    #[error("serialising {what}: {source}")]
    Json {
        /// What was being serialised.
        what: &'static str,
        /// Why.
        source: serde_json::Error,
    },
    /// A report or chart could not be rendered or written.
    #[error("{context}: {source}")]
    Report {
        /// What was being written.
        context: String,
        /// Why.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl OutputError {
    fn report(context: String) -> impl FnOnce(anyhow::Error) -> Self {
        move |e| Self::Report {
            context,
            source: e.into(),
        }
    }
}

/// Say that `path` was written: the one way every written file is announced.
pub fn announce(path: &Path) {
    eprintln!("wrote {}", path.display());
}

/// Write `bytes` to `path` whole and announce it.
pub fn bytes(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    atomic::write(path, bytes)?;
    announce(path);
    Ok(())
}

/// Write `text` to `path` whole and announce it.
pub fn text(path: &Path, text: &str) -> Result<(), OutputError> {
    bytes(path, text.as_bytes())
}

/// Write `value` as pretty JSON to `path` (a verdict, a JSON report) and announce it.
pub fn json(path: &Path, value: &impl Serialize) -> Result<(), OutputError> {
    let json = serde_json::to_string_pretty(value).map_err(|source| OutputError::Json {
        what: "the report",
        source,
    })?;
    text(path, &json)
}

/// Write a run's result JSON to `path` and announce it.
pub fn result(run: &RunResult, path: &Path) -> Result<(), OutputError> {
    write_result(run, path)?;
    announce(path);
    Ok(())
}

/// Print a run's result JSON on stdout (`--out -`, or `merge` without `--out`).
pub fn result_to_stdout(run: &RunResult) -> Result<(), OutputError> {
    println!("{}", result_json(run)?);
    Ok(())
}

fn result_json(run: &RunResult) -> Result<String, OutputError> {
    run.to_json().map_err(|source| OutputError::Json {
        what: "the result",
        source,
    })
}

/// A result written whole, not announced (the caller says where it went).
fn write_result(run: &RunResult, path: &Path) -> Result<(), OutputError> {
    Ok(atomic::write(path, result_json(run)?)?)
}

/// Keep a result that has nowhere else to go: in the temporary directory, or, when even that
/// cannot be written, on stderr. Returns where it went, for the message.
pub fn keep_elsewhere(run: &RunResult) -> String {
    let path = std::env::temp_dir().join(format!(
        "tailguard-{}.json",
        crate::store::file::encode(&run.meta.run_id)
    ));
    match write_result(run, &path) {
        Ok(()) => path.display().to_string(),
        Err(e) => {
            eprintln!(
                "cannot keep the result in {}: {}",
                path.display(),
                crate::exit::describe(&e.into())
            );
            match run.to_json() {
                Ok(json) => eprintln!("{json}"),
                Err(e) => eprintln!("cannot even serialise the result: {e}"),
            }
            "stderr (above)".to_owned()
        }
    }
}

/// Write each chart as `<dir>/<stem>.svg` and `.png` and announce them; the files written.
pub fn charts(rendered: &[Rendered], dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let files = crate::report::output::write_charts(rendered, dir).map_err(OutputError::report(
        format!("writing charts to {}", dir.display()),
    ))?;
    eprintln!("wrote {} chart files to {}", files.len(), dir.display());
    Ok(files)
}

/// Write the report directory of a verdict (`report.md`, `report.html`, `charts/`) and
/// announce it; the files written.
pub fn report_dir(report: &VerdictReport, dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let files = crate::report::output::write_dir(report, dir).map_err(OutputError::report(
        format!("writing the report to {}", dir.display()),
    ))?;
    eprintln!(
        "wrote the report to {} ({} files)",
        dir.display(),
        files.len()
    );
    Ok(files)
}

/// Write the chart of a saturation result beside `out` (`run.json` → `run-saturation.svg` and
/// `.png`) and announce it; returns the files written (none for a plain run or one without a
/// finished step).
pub fn saturation_charts(run: &RunResult, out: &Path) -> Result<Vec<PathBuf>, OutputError> {
    // A run interrupted during its first step has nothing to draw.
    let Some(sat) = run.saturation().filter(|s| !s.steps.is_empty()) else {
        return Ok(Vec::new());
    };
    let spec = saturation_chart::chart(run, sat);
    let stem = out
        .file_stem()
        .map_or_else(|| "run".to_owned(), |s| s.to_string_lossy().into_owned());
    let svg = out.with_file_name(format!("{stem}-saturation.svg"));
    let png = out.with_file_name(format!("{stem}-saturation.png"));
    let drawing = |e: chart::ChartError| OutputError::Report {
        context: format!("drawing the saturation chart of {}", out.display()),
        source: Box::new(e),
    };
    text(&svg, &chart::svg(&spec).map_err(drawing)?)?;
    bytes(&png, &chart::png(&spec).map_err(drawing)?)?;
    Ok(vec![svg, png])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A load run of the checked-in baseline store.
    pub(crate) fn stored_run() -> RunResult {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../baselines/main/http-get");
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        RunResult::read(&files[0]).unwrap()
    }

    #[test]
    fn a_result_is_written_whole_where_asked_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let run = stored_run();
        let path = dir.path().join("a/b/run.json");
        result(&run, &path).unwrap();
        assert_eq!(RunResult::read(&path).unwrap().meta.run_id, run.meta.run_id);
        // A load run has no saturation chart.
        assert!(saturation_charts(&run, &path).unwrap().is_empty());
        json(&dir.path().join("v.json"), &serde_json::json!({"a": 1})).unwrap();
        let v = std::fs::read_to_string(dir.path().join("v.json")).unwrap();
        assert_eq!(v, "{\n  \"a\": 1\n}");
    }

    #[test]
    fn a_failed_write_names_the_file_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        let e = text(&file.join("out.txt"), "t").unwrap_err();
        assert!(
            e.to_string().contains("out.txt") || e.to_string().contains("/f"),
            "{e}"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_run_with_nowhere_to_go_is_kept_in_the_temporary_directory() {
        let mut run = stored_run();
        run.meta.run_id = format!("output-test-{}", std::process::id());
        let place = keep_elsewhere(&run);
        let kept = PathBuf::from(&place);
        assert!(kept.starts_with(std::env::temp_dir()), "{place}");
        assert_eq!(RunResult::read(&kept).unwrap().meta.run_id, run.meta.run_id);
        std::fs::remove_file(kept).unwrap();
    }
}
