//! `tailguard report`: verdict files as one markdown, HTML or JSON report, with charts; and the report
//! directory that `compare`, `gate`, `criterion` and `demo` write with `--report-dir`.

use std::path::Path;

use anyhow::Context as _;

use crate::cli::{ReportArgs, ReportFormat};
use crate::output;
use crate::report::combine::combine;
use crate::report::{charts, html, markdown, outline, wording};
use crate::verdict::{Provenance, VerdictReport, VERDICT_SCHEMA_VERSION};
use crate::Exit;

/// Run the command.
pub fn command(args: &ReportArgs) -> anyhow::Result<Exit> {
    let reports = args
        .verdicts
        .iter()
        .map(|p| read_verdict(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let provenance = Provenance {
        base_sha: args.base_sha.clone(),
        head_sha: args.head_sha.clone(),
        run_url: args.run_url.clone(),
        conclusion: args.conclusion.clone(),
    };
    let provenance = (provenance != Provenance::default()).then_some(provenance);
    let report = combine(reports, provenance).context("no verdict file given")?;
    let rendered = if args.charts.is_some() || args.format == ReportFormat::Html {
        charts::render(&report)?
    } else {
        Vec::new()
    };
    let mut files = Vec::new();
    if let Some(dir) = &args.charts {
        files = output::charts(&rendered, dir)?;
    }
    let text = match args.format {
        ReportFormat::Markdown => {
            let links = match &args.charts_url {
                Some(url) => outline::linked(&rendered, url),
                None => Vec::new(),
            };
            markdown::render(&outline::document(&report, &links))
        }
        ReportFormat::Html => {
            html::render(&outline::document(&report, &outline::inline(&rendered)))
        }
        ReportFormat::Json => {
            let mut value = serde_json::to_value(&report)?;
            if let Some(map) = value.as_object_mut() {
                map.insert(
                    "headline".into(),
                    serde_json::Value::String(wording::headline(&report)),
                );
                if !files.is_empty() {
                    map.insert("charts".into(), serde_json::to_value(&files)?);
                }
            }
            serde_json::to_string_pretty(&value)? + "\n"
        }
    };
    match &args.out {
        Some(path) => output::text(path, &text)?,
        None => print!("{text}"),
    }
    Ok(Exit::Success)
}

/// Read a verdict file; errors name the file, line and column.
pub fn read_verdict(path: &Path) -> anyhow::Result<VerdictReport> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let version: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    match version
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(v) if v == u64::from(VERDICT_SCHEMA_VERSION) => {}
        Some(v) => anyhow::bail!(
            "{}: verdict schema version {v} is not supported (this tailguard reads version \
             {VERDICT_SCHEMA_VERSION})",
            path.display()
        ),
        None => anyhow::bail!(
            "{}: not a tailguard verdict (no schema_version); write one with `tailguard \
             compare … --out VERDICT.json`",
            path.display()
        ),
    }
    serde_json::from_str(&text)
        .with_context(|| format!("{}: not a tailguard verdict", path.display()))
}
