//! gungraun's output: `target/gungraun/<package>/<bench file>/<group>/<function>.<id>/` holds a
//! benchmark's `summary.json` (written with `--save-summary` or `GUNGRAUN_SAVE_SUMMARY=json`)
//! next to Callgrind's output file `callgrind.<function>.<id>.out`. The summary has the counts
//! (`profiles[tool = Callgrind].data.total.metrics.<metric>.values.new`); the Callgrind file's
//! header names the Valgrind version (`creator: callgrind-3.19.0`) and, with the cache
//! simulation, the simulated caches (`desc: I1 cache: …`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Deserialize;

use super::Benchmark;

#[derive(Deserialize)]
struct SummaryJson {
    module_path: String,
    #[serde(default)]
    id: Option<String>,
    profiles: Vec<ProfileJson>,
}

#[derive(Deserialize)]
struct ProfileJson {
    tool: String,
    data: DataJson,
}

#[derive(Deserialize)]
struct DataJson {
    total: TotalJson,
}

#[derive(Deserialize)]
struct TotalJson {
    metrics: BTreeMap<String, MetricJson>,
}

#[derive(Deserialize)]
struct MetricJson {
    values: ValuesJson,
}

#[derive(Deserialize)]
struct ValuesJson {
    #[serde(default)]
    new: Option<f64>,
}

/// Every benchmark summarised below `root`, sorted by id.
///
/// # Errors
/// When `root` holds no summary, or a summary or its Callgrind file is unreadable or damaged
/// (naming the file).
pub fn read_dir(root: &Path) -> anyhow::Result<Vec<Benchmark>> {
    if !root.is_dir() {
        anyhow::bail!(
            "{}: no gungraun results here (run `cargo bench --bench NAME` with \
             GUNGRAUN_SAVE_SUMMARY=json first, or pass --dir)",
            root.display()
        );
    }
    let mut files = Vec::new();
    find(root, &mut files)?;
    if files.is_empty() {
        anyhow::bail!(
            "{}: no summary.json below it; gungraun writes them only with --save-summary or \
             GUNGRAUN_SAVE_SUMMARY=json",
            root.display()
        );
    }
    let mut out = files
        .iter()
        .map(|f| read(f))
        .collect::<anyhow::Result<Vec<_>>>()?;
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// One `summary.json` and the Callgrind file beside it.
///
/// # Errors
/// When either is unreadable or not what gungraun writes.
pub fn read(path: &Path) -> anyhow::Result<Benchmark> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let s: SummaryJson = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a gungraun summary.json", path.display()))?;
    let profile = s
        .profiles
        .iter()
        .find(|p| p.tool == "Callgrind")
        .with_context(|| {
            format!(
                "{}: no Callgrind profile (field `profiles`)",
                path.display()
            )
        })?;
    let metrics: BTreeMap<String, f64> = profile
        .data
        .total
        .metrics
        .iter()
        .filter_map(|(k, m)| m.values.new.map(|v| (k.clone(), v)))
        .collect();
    if !metrics.contains_key("Ir") {
        anyhow::bail!(
            "{}: field `profiles[Callgrind].data.total.metrics.Ir.values.new` missing: no \
             instruction count in this summary",
            path.display()
        );
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let (valgrind, caches) = callgrind_header(dir)?;
    let id = match &s.id {
        Some(id) => format!("{}.{id}", s.module_path),
        None => s.module_path.clone(),
    };
    Ok(Benchmark {
        id,
        metrics,
        valgrind,
        caches,
        source: path.display().to_string(),
    })
}

/// The Valgrind version and the simulated caches from the header of the Callgrind output in
/// `dir` (the current one, `*.out`; `*.out.old` and baselines are earlier runs).
fn callgrind_header(dir: &Path) -> anyhow::Result<(String, Option<String>)> {
    let mut outs: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("callgrind.") && n.ends_with(".out"))
        })
        .collect();
    outs.sort();
    let file = outs.first().with_context(|| {
        format!(
            "{}: no callgrind.*.out beside summary.json, so the Valgrind version is unknown",
            dir.display()
        )
    })?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    parse_header(&text).with_context(|| format!("{}: not a Callgrind output file", file.display()))
}

/// `creator: callgrind-X.Y.Z` → `X.Y.Z`, and the `desc: I1/D1/LL cache:` lines joined.
fn parse_header(text: &str) -> anyhow::Result<(String, Option<String>)> {
    let mut version = None;
    let mut caches = Vec::new();
    // The header ends where the cost lines begin; the first few dozen lines are plenty.
    for line in text.lines().take(64) {
        if let Some(v) = line.strip_prefix("creator: callgrind-") {
            version = Some(v.trim().to_owned());
        } else if let Some(d) = line.strip_prefix("desc: ") {
            if d.contains(" cache: ") {
                caches.push(d.trim().to_owned());
            }
        }
    }
    let version = version.context("no `creator: callgrind-VERSION` line in the header")?;
    Ok((version, (!caches.is_empty()).then(|| caches.join("; "))))
}

fn find(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            find(&p, out)?;
        } else if p.file_name().is_some_and(|n| n == "summary.json") {
            out.push(p);
        }
    }
    Ok(())
}
