//! gungraun's output: `target/gungraun/<package>/<bench file>/<group>/<function>.<id>/` holds a
//! benchmark's `summary.json` (written with `--save-summary` or `GUNGRAUN_SAVE_SUMMARY=json`)
//! next to Callgrind's output file `callgrind.<function>.<id>.out`. The summary has the counts
//! (`profiles[tool = Callgrind].data.total.metrics.<metric>.values.new`); the Callgrind file's
//! header names the Valgrind version (`creator: callgrind-3.19.0`) and, with the cache
//! simulation, the simulated caches (`desc: I1 cache: …`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Benchmark;

/// gungraun output that cannot be read; every variant names the directory or file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SummaryError {
    /// The results directory does not exist.
    #[error(
        "{}: no gungraun results here (run `cargo bench --bench NAME` with \
         GUNGRAUN_SAVE_SUMMARY=json first, or pass --dir)",
        root.display()
    )]
    NoResults {
        /// The directory looked in.
        root: PathBuf,
    },
    /// A results directory without any `summary.json`.
    #[error(
        "{}: no summary.json below it; gungraun writes them only with --save-summary or \
         GUNGRAUN_SAVE_SUMMARY=json",
        root.display()
    )]
    NoSummary {
        /// The directory looked in.
        root: PathBuf,
    },
    /// A directory that cannot be listed.
    #[error("listing {}: {source}", dir.display())]
    List {
        /// The directory.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file that cannot be read.
    #[error("reading {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A `summary.json` that does not parse.
    #[error("{}: not a gungraun summary.json: {source}", path.display())]
    NotSummary {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// A summary without a Callgrind profile.
    #[error("{}: no Callgrind profile (field `profiles`)", path.display())]
    NoCallgrind {
        /// The summary.
        path: PathBuf,
    },
    /// A summary without the instruction count.
    #[error(
        "{}: field `profiles[Callgrind].data.total.metrics.Ir.values.new` missing: no \
         instruction count in this summary",
        path.display()
    )]
    NoInstructions {
        /// The summary.
        path: PathBuf,
    },
    /// A summary without its Callgrind output file beside it.
    #[error(
        "{}: no callgrind.*.out beside summary.json, so the Valgrind version is unknown",
        dir.display()
    )]
    NoOutput {
        /// The summary's directory.
        dir: PathBuf,
    },
    /// A Callgrind output file without the version line.
    #[error(
        "{}: not a Callgrind output file: no `creator: callgrind-VERSION` line in the header",
        path.display()
    )]
    NotCallgrind {
        /// The file.
        path: PathBuf,
    },
}

fn reading(path: &Path) -> impl FnOnce(std::io::Error) -> SummaryError + '_ {
    |source| SummaryError::Read {
        path: path.to_owned(),
        source,
    }
}

fn listing(dir: &Path) -> impl FnOnce(std::io::Error) -> SummaryError + '_ {
    |source| SummaryError::List {
        dir: dir.to_owned(),
        source,
    }
}

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
pub fn read_dir(root: &Path) -> Result<Vec<Benchmark>, SummaryError> {
    if !root.is_dir() {
        return Err(SummaryError::NoResults {
            root: root.to_owned(),
        });
    }
    let mut files = Vec::new();
    find(root, &mut files)?;
    if files.is_empty() {
        return Err(SummaryError::NoSummary {
            root: root.to_owned(),
        });
    }
    let mut out = files
        .iter()
        .map(|f| read(f))
        .collect::<Result<Vec<_>, _>>()?;
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// One `summary.json` and the Callgrind file beside it.
///
/// # Errors
/// When either is unreadable or not what gungraun writes.
pub fn read(path: &Path) -> Result<Benchmark, SummaryError> {
    let text = std::fs::read_to_string(path).map_err(reading(path))?;
    let s: SummaryJson =
        serde_json::from_str(&text).map_err(|source| SummaryError::NotSummary {
            path: path.to_owned(),
            source,
        })?;
    let profile = s
        .profiles
        .iter()
        .find(|p| p.tool == "Callgrind")
        .ok_or_else(|| SummaryError::NoCallgrind {
            path: path.to_owned(),
        })?;
    let metrics: BTreeMap<String, f64> = profile
        .data
        .total
        .metrics
        .iter()
        .filter_map(|(k, m)| m.values.new.map(|v| (k.clone(), v)))
        .collect();
    if !metrics.contains_key("Ir") {
        return Err(SummaryError::NoInstructions {
            path: path.to_owned(),
        });
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
fn callgrind_header(dir: &Path) -> Result<(String, Option<String>), SummaryError> {
    let mut outs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(listing(dir))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("callgrind.") && n.ends_with(".out"))
        })
        .collect();
    outs.sort();
    let file = outs.first().ok_or_else(|| SummaryError::NoOutput {
        dir: dir.to_owned(),
    })?;
    let text = std::fs::read_to_string(file).map_err(reading(file))?;
    parse_header(&text).ok_or_else(|| SummaryError::NotCallgrind { path: file.clone() })
}

/// `creator: callgrind-X.Y.Z` → `X.Y.Z`, and the `desc: I1/D1/LL cache:` lines joined; `None`
/// without the `creator` line.
fn parse_header(text: &str) -> Option<(String, Option<String>)> {
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
    Some((version?, (!caches.is_empty()).then(|| caches.join("; "))))
}

fn find(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), SummaryError> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(listing(dir))?
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
