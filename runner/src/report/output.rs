//! Where reports go: the one place that writes the files of a report. The backends return text
//! and the charts return bytes; this writes them whole (atomically, parent directories created)
//! and says which files it wrote: the report directory (`report.md`, `report.html`, `charts/`),
//! a single report or chart set, a saturation run's chart beside its result, and the GitHub job
//! summary.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::chart::ChartError;
use super::charts::{self, Rendered};
use super::{html, markdown, outline};
use crate::atomic::WriteError;
use crate::verdict::VerdictReport;

/// A report file that could not be written, named, or a chart that could not be drawn.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// A directory that could not be created.
    #[error("creating {}: {source}", dir.display())]
    CreateDir {
        /// The directory.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file that could not be written (nothing was left behind).
    #[error("writing {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: WriteError,
    },
    /// The job summary that could not be opened or appended to.
    #[error("{action} the job summary {path}: {source}")]
    JobSummary {
        /// `opening` or `writing`.
        action: &'static str,
        /// The file `GITHUB_STEP_SUMMARY` names.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Standard output refused the annotations.
    #[error(transparent)]
    Annotations(std::io::Error),
    /// A chart that could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
}

/// Write `bytes` to `path` whole, creating its directory.
///
/// # Errors
/// When the directory cannot be created or the file written.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| OutputError::CreateDir {
            dir: dir.to_owned(),
            source,
        })?;
    }
    crate::atomic::write(path, bytes).map_err(|source| OutputError::Write {
        path: path.to_owned(),
        source,
    })
}

/// Write each chart as `<dir>/<stem>.svg` and `.png`; the files written.
///
/// # Errors
/// The first file that cannot be written.
pub fn write_charts(charts: &[Rendered], dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let mut files = Vec::new();
    for c in charts {
        let svg = dir.join(format!("{}.svg", c.stem));
        let png = dir.join(format!("{}.png", c.stem));
        write(&svg, c.svg.as_bytes())?;
        write(&png, &c.png)?;
        files.extend([svg, png]);
    }
    Ok(files)
}

/// Write `dir/report.md` (comment-ready: mermaid, no image links), `dir/report.html` (charts
/// inlined) and `dir/charts/*.svg|png`; the files written.
///
/// # Errors
/// A chart that cannot be drawn, or the first file that cannot be written.
pub fn write_dir(report: &VerdictReport, dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
    let rendered = charts::render(report)?;
    let mut files = write_charts(&rendered, &dir.join("charts"))?;
    let md = dir.join("report.md");
    write(
        &md,
        markdown::render(&outline::document(report, &[])).as_bytes(),
    )?;
    let page = dir.join("report.html");
    let figures = outline::inline(&rendered);
    write(
        &page,
        html::render(&outline::document(report, &figures)).as_bytes(),
    )?;
    files.extend([md, page]);
    Ok(files)
}

/// Append `markdown` and a line break to the job summary file at `path`.
///
/// # Errors
/// When the file cannot be opened or appended to.
pub fn append_job_summary(path: &str, markdown: &str) -> Result<(), OutputError> {
    let failed = |action| {
        move |source| OutputError::JobSummary {
            action,
            path: path.to_owned(),
            source,
        }
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(failed("opening"))?;
    writeln!(file, "{markdown}").map_err(failed("writing"))
}
