//! criterion's output directory: `target/criterion/<benchmark>/<which>/{benchmark,sample,
//! estimates}.json`, where `<which>` is `new` (the latest run), `base` (the one before) or a name
//! given to `--save-baseline`. Benchmarks in groups sit one level deeper; `report/` directories
//! hold HTML and are skipped.

use std::path::{Path, PathBuf};

use bench_core::result::IterationSamples;
use serde::Deserialize;

use super::{Benchmark, CriterionError};

#[derive(Deserialize)]
struct BenchmarkJson {
    full_id: String,
}

#[derive(Deserialize)]
struct SampleJson {
    iters: Vec<f64>,
    times: Vec<f64>,
}

#[derive(Deserialize)]
struct Estimate {
    point_estimate: f64,
}

#[derive(Deserialize)]
struct EstimatesJson {
    mean: Estimate,
    median: Estimate,
}

fn read<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, CriterionError> {
    let text = std::fs::read_to_string(path).map_err(|source| CriterionError::Read {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| CriterionError::NotResult {
        path: path.to_owned(),
        source,
    })
}

/// Every benchmark below `root` that has results named `which`, sorted by id.
///
/// # Errors
/// When `root` is not a directory, or a result file is unreadable or damaged (naming it).
pub fn read_dir(root: &Path, which: &str) -> Result<Vec<Benchmark>, CriterionError> {
    if !root.is_dir() {
        return Err(CriterionError::NoResults {
            root: root.to_owned(),
        });
    }
    let mut dirs = Vec::new();
    find(root, which, &mut dirs)?;
    let mut out = Vec::with_capacity(dirs.len());
    for dir in dirs {
        let bench: BenchmarkJson = read(&dir.join("benchmark.json"))?;
        let sample_path = dir.join("sample.json");
        let sample: SampleJson = read(&sample_path)?;
        let est: EstimatesJson = read(&dir.join("estimates.json"))?;
        if sample.iters.len() != sample.times.len() || sample.iters.is_empty() {
            return Err(CriterionError::Samples {
                path: sample_path,
                iters: sample.iters.len(),
                times: sample.times.len(),
            });
        }
        out.push(Benchmark {
            id: bench.full_id,
            samples: IterationSamples {
                iters: sample.iters,
                times_ns: sample.times,
            },
            source: dir.display().to_string(),
            estimates: Some((est.mean.point_estimate, est.median.point_estimate)),
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

fn find(dir: &Path, which: &str, out: &mut Vec<PathBuf>) -> Result<(), CriterionError> {
    let here = dir.join(which);
    if here.join("benchmark.json").is_file() {
        out.push(here);
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|source| CriterionError::List {
        dir: dir.to_owned(),
        source,
    })?;
    let mut subdirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()) && e.file_name() != "report")
        .map(|e| e.path())
        .collect();
    subdirs.sort();
    for d in subdirs {
        find(&d, which, out)?;
    }
    Ok(())
}
