//! criterion's output directory: `target/criterion/<benchmark>/<which>/{benchmark,sample,
//! estimates}.json`, where `<which>` is `new` (the latest run), `base` (the one before) or a name
//! given to `--save-baseline`. Benchmarks in groups sit one level deeper; `report/` directories
//! hold HTML and are skipped.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use bench_core::result::IterationSamples;
use serde::Deserialize;

use super::Benchmark;

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

fn read<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{}: not a criterion result file", path.display()))
}

/// Every benchmark below `root` that has results named `which`, sorted by id.
pub fn read_dir(root: &Path, which: &str) -> anyhow::Result<Vec<Benchmark>> {
    if !root.is_dir() {
        anyhow::bail!(
            "{}: no criterion results here (run `cargo bench` first, or pass --dir)",
            root.display()
        );
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
            anyhow::bail!(
                "{}: `iters` and `times` must be non-empty and of equal length ({} vs {})",
                sample_path.display(),
                sample.iters.len(),
                sample.times.len()
            );
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

fn find(dir: &Path, which: &str, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let here = dir.join(which);
    if here.join("benchmark.json").is_file() {
        out.push(here);
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))?;
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
