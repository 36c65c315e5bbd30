//! cargo-criterion's machine-readable output (`cargo criterion --message-format=json`): one JSON
//! object per line; `"reason": "benchmark-complete"` lines carry a benchmark's
//! `iteration_count` and `measured_values` (in `unit`, normally `ns`). Other lines are skipped.

use std::path::Path;

use bench_core::result::IterationSamples;
use serde::Deserialize;

use super::{Benchmark, CriterionError};

#[derive(Deserialize)]
struct Message {
    reason: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    iteration_count: Vec<f64>,
    #[serde(default)]
    measured_values: Vec<f64>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    mean: Option<Estimate>,
    #[serde(default)]
    median: Option<Estimate>,
}

#[derive(Deserialize)]
struct Estimate {
    estimate: f64,
}

/// Scale of a cargo-criterion time unit to nanoseconds.
fn to_ns(unit: &str) -> Option<f64> {
    Some(match unit {
        "ps" => 1e-3,
        "ns" => 1.0,
        "us" | "µs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => return None,
    })
}

/// The benchmarks in `text` (read from `origin`, named in errors with the line).
///
/// # Errors
/// A line that is not a cargo-criterion message, or a `benchmark-complete` one without its id,
/// with an unknown unit or with samples that do not pair up.
pub fn parse(text: &str, origin: &Path) -> Result<Vec<Benchmark>, CriterionError> {
    let mut out: Vec<Benchmark> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let at = || format!("{}:{}", origin.display(), i + 1);
        if line.trim().is_empty() {
            continue;
        }
        let m: Message = serde_json::from_str(line)
            .map_err(|source| CriterionError::Message { at: at(), source })?;
        if m.reason != "benchmark-complete" {
            continue;
        }
        let id = m.id.ok_or_else(|| CriterionError::NoId { at: at() })?;
        let unit = m.unit.as_deref().unwrap_or("ns");
        let scale = to_ns(unit).ok_or_else(|| CriterionError::Unit {
            at: at(),
            unit: unit.to_owned(),
        })?;
        if m.iteration_count.len() != m.measured_values.len() || m.iteration_count.is_empty() {
            return Err(CriterionError::Values { at: at() });
        }
        let b = Benchmark {
            id,
            samples: IterationSamples {
                iters: m.iteration_count,
                times_ns: m.measured_values.iter().map(|v| v * scale).collect(),
            },
            source: at(),
            estimates: m
                .mean
                .zip(m.median)
                .map(|(a, b)| (a.estimate * scale, b.estimate * scale)),
        };
        // A benchmark reported twice (re-run in one stream): the last one counts.
        out.retain(|o| o.id != b.id);
        out.push(b);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}
