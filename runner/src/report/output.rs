//! Where reports go: the one place that writes the files of a report. The backends return text
//! and the charts return bytes; this writes them whole (atomically, parent directories created)
//! and says which files it wrote: the report directory (`report.md`, `report.html`, `charts/`),
//! a single report or chart set, a saturation run's chart beside its result, and the GitHub job
//! summary.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::charts::{self, Rendered};
use super::{html, markdown, outline};
use crate::verdict::VerdictReport;

/// Write `bytes` to `path` whole, creating its directory.
pub fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    crate::atomic::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// Write each chart as `<dir>/<stem>.svg` and `.png`; the files written.
pub fn write_charts(charts: &[Rendered], dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
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
pub fn write_dir(report: &VerdictReport, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
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
pub fn append_job_summary(path: &str, markdown: &str) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening the job summary {path}"))?;
    writeln!(file, "{markdown}").with_context(|| format!("writing the job summary {path}"))
}
