//! cargo-criterion's machine-readable output (`cargo criterion --message-format=json`): one JSON
//! object per line; `"reason": "benchmark-complete"` lines carry a benchmark's
//! `iteration_count` and `measured_values` (in `unit`, normally `ns`). Other lines are skipped.

use std::path::Path;

use anyhow::Context as _;
use bench_core::result::IterationSamples;
use serde::Deserialize;

use super::Benchmark;

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
pub fn parse(text: &str, origin: &Path) -> anyhow::Result<Vec<Benchmark>> {
    let mut out: Vec<Benchmark> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let at = || format!("{}:{}", origin.display(), i + 1);
        if line.trim().is_empty() {
            continue;
        }
        let m: Message = serde_json::from_str(line)
            .with_context(|| format!("{}: not a cargo-criterion JSON message", at()))?;
        if m.reason != "benchmark-complete" {
            continue;
        }
        let id =
            m.id.with_context(|| format!("{}: benchmark-complete without `id`", at()))?;
        let unit = m.unit.as_deref().unwrap_or("ns");
        let scale = to_ns(unit).with_context(|| {
            format!(
                "{}: field `unit`: {unit:?} is not a time unit (ps, ns, us, ms, s)",
                at()
            )
        })?;
        if m.iteration_count.len() != m.measured_values.len() || m.iteration_count.is_empty() {
            anyhow::bail!(
                "{}: `iteration_count` and `measured_values` must be non-empty and of equal length",
                at()
            );
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
