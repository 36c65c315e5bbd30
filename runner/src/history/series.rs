//! From stored runs to series: one value per commit (the runs of one commit are its trials,
//! combined), ordered by commit time, for every scenario × metric (and mix request, and
//! criterion benchmark).

use std::collections::BTreeMap;

use bench_core::result::{Percentiles, RunResult};
use serde::{Deserialize, Serialize};

/// A metric a history follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryMetric {
    /// Latency p50 (µs).
    P50,
    /// Latency p90 (µs).
    P90,
    /// Latency p95 (µs).
    P95,
    /// Latency p99 (µs).
    P99,
    /// Latency p99.9 (µs).
    P999,
    /// Mean latency (µs), or a benchmark's mean time per iteration (ns).
    Mean,
    /// A benchmark's median time per iteration (ns).
    Median,
    /// Achieved requests per second.
    Throughput,
    /// Errors / requests.
    ErrorRate,
}

impl HistoryMetric {
    /// Parse `p99`, `p99.9`, `mean`, `throughput`, `error_rate`, ….
    pub fn parse(name: &str) -> Result<Self, super::HistoryError> {
        Ok(match name.trim().to_ascii_lowercase().as_str() {
            "p50" => Self::P50,
            "p90" => Self::P90,
            "p95" => Self::P95,
            "p99" => Self::P99,
            "p99.9" | "p999" => Self::P999,
            "mean" => Self::Mean,
            "median" => Self::Median,
            "throughput" | "rps" => Self::Throughput,
            "error_rate" => Self::ErrorRate,
            other => {
                return Err(super::HistoryError::UnknownMetric {
                    name: other.to_owned(),
                })
            }
        })
    }

    /// Name as the command line and JSON spell it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::P50 => "p50",
            Self::P90 => "p90",
            Self::P95 => "p95",
            Self::P99 => "p99",
            Self::P999 => "p99.9",
            Self::Mean => "mean",
            Self::Median => "median",
            Self::Throughput => "throughput",
            Self::ErrorRate => "error_rate",
        }
    }

    /// Whether a rise is a regression (false for throughput).
    #[must_use]
    pub fn higher_is_worse(self) -> bool {
        self != Self::Throughput
    }

    /// Whether it changes by ratios (compared on the log scale); the error rate by differences.
    #[must_use]
    pub fn is_ratio(self) -> bool {
        self != Self::ErrorRate
    }

    fn of(self, p: &Percentiles) -> Option<f64> {
        Some(match self {
            Self::P50 => p.p50 as f64,
            Self::P90 => p.p90 as f64,
            Self::P95 => p.p95 as f64,
            Self::P99 => p.p99 as f64,
            Self::P999 => p.p999 as f64,
            Self::Mean => p.mean,
            _ => return None,
        })
    }
}

/// One point of a series: one commit (or one run, when no commit was recorded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryPoint {
    /// Position in the series (from 0).
    pub index: usize,
    /// The commit, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Commit time (or the first run's start when the commit time is unknown), RFC 3339.
    pub time: String,
    /// The runs combined into this point (the trials of the commit), oldest first.
    pub run_ids: Vec<String>,
    /// The value: geometric mean over the runs for ratio metrics, arithmetic mean for rates.
    pub value: f64,
}

/// One series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Scenario (or benchmark) name.
    pub scenario: String,
    /// Metric.
    pub metric: HistoryMetric,
    /// Request of the mix; absent for the whole scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// Unit of `value`: `us`, `ns`, `req/s` or `ratio`.
    pub unit: String,
    /// Points, oldest commit first.
    pub points: Vec<HistoryPoint>,
}

/// When a run's commit was made (its start when unknown): the sort key of the history.
#[must_use]
pub fn commit_time(run: &RunResult) -> &str {
    run.meta
        .environment
        .git_commit_time
        .as_deref()
        .unwrap_or(&run.started_at)
}

/// The runs ordered by commit time (then start), grouped by commit: runs without a commit are
/// a group each. Cancelled runs are left out (they are not measurements of the commit).
#[must_use]
pub fn by_commit(mut runs: Vec<RunResult>) -> Vec<Vec<RunResult>> {
    runs.retain(|r| !r.cancelled);
    runs.sort_by(|a, b| {
        (commit_time(a), a.started_at.as_str()).cmp(&(commit_time(b), b.started_at.as_str()))
    });
    let mut groups: Vec<Vec<RunResult>> = Vec::new();
    for run in runs {
        let same = groups.last().is_some_and(|g| {
            let c = &g[0].meta.environment.git_commit;
            c.is_some() && *c == run.meta.environment.git_commit
        });
        match groups.last_mut() {
            Some(g) if same => g.push(run),
            _ => groups.push(vec![run]),
        }
    }
    groups
}

/// Every series of one scenario's commits (`by_commit` output) for `metrics`: the whole
/// scenario and each request of a mix; a criterion benchmark gives mean and median per
/// iteration instead.
#[must_use]
pub fn series_of(
    scenario: &str,
    commits: &[Vec<RunResult>],
    metrics: &[HistoryMetric],
) -> Vec<Series> {
    let micro = commits.iter().flatten().any(|r| r.iterations().is_some());
    let mut out = Vec::new();
    if micro {
        for m in [HistoryMetric::Mean, HistoryMetric::Median] {
            out.push(build(scenario, m, None, "ns", commits, |r| {
                bench_value(r, m)
            }));
        }
        return out;
    }
    let mut requests: Vec<String> = Vec::new();
    let measured = commits.iter().flatten().filter_map(RunResult::measurement);
    for r in measured.flat_map(|m| &m.requests) {
        if !requests.contains(&r.name) {
            requests.push(r.name.clone());
        }
    }
    if requests.len() < 2 {
        requests.clear();
    }
    for &m in metrics {
        let unit = unit(m);
        out.push(build(scenario, m, None, unit, commits, |r| run_value(r, m)));
        for name in &requests {
            let value = |r: &RunResult| request_value(r, name, m);
            out.push(build(scenario, m, Some(name), unit, commits, value));
        }
    }
    out.retain(|s| !s.points.is_empty());
    out
}

fn unit(m: HistoryMetric) -> &'static str {
    match m {
        HistoryMetric::Throughput => "req/s",
        HistoryMetric::ErrorRate => "ratio",
        _ => "us",
    }
}

fn build(
    scenario: &str,
    metric: HistoryMetric,
    request: Option<&String>,
    unit: &str,
    commits: &[Vec<RunResult>],
    value: impl Fn(&RunResult) -> Option<f64>,
) -> Series {
    let mut points = Vec::new();
    for runs in commits {
        let values: Vec<f64> = runs.iter().filter_map(&value).collect();
        let Some(v) = combine(&values, metric.is_ratio()) else {
            continue;
        };
        points.push(HistoryPoint {
            index: points.len(),
            commit: runs[0].meta.environment.git_commit.clone(),
            time: commit_time(&runs[0]).to_owned(),
            run_ids: runs.iter().map(|r| r.meta.run_id.clone()).collect(),
            value: v,
        });
    }
    Series {
        scenario: scenario.to_owned(),
        metric,
        request: request.cloned(),
        unit: unit.to_owned(),
        points,
    }
}

/// Geometric mean of positive values for ratio metrics, arithmetic mean otherwise.
fn combine(values: &[f64], ratio: bool) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    if ratio {
        if values.iter().any(|v| *v <= 0.0) {
            return None;
        }
        Some((values.iter().map(|v| v.ln()).sum::<f64>() / n).exp())
    } else {
        Some(values.iter().sum::<f64>() / n)
    }
}

fn run_value(r: &RunResult, m: HistoryMetric) -> Option<f64> {
    let s = r.summary()?;
    match m {
        HistoryMetric::Throughput => Some(s.rps),
        HistoryMetric::ErrorRate => Some(s.error_rate),
        _ => m.of(&s.latency_us),
    }
}

fn request_value(r: &RunResult, name: &str, m: HistoryMetric) -> Option<f64> {
    let q = r.measurement()?.requests.iter().find(|q| q.name == name)?;
    match m {
        HistoryMetric::Throughput => (r.duration_s > 0.0).then(|| q.requests as f64 / r.duration_s),
        HistoryMetric::ErrorRate => (q.requests > 0).then(|| q.errors as f64 / q.requests as f64),
        _ => m.of(&q.latency_us),
    }
}

fn bench_value(r: &RunResult, m: HistoryMetric) -> Option<f64> {
    let mut per = r.iterations()?.per_iteration_ns();
    if per.is_empty() {
        return None;
    }
    Some(match m {
        HistoryMetric::Median => {
            per.sort_by(f64::total_cmp);
            let mid = per.len() / 2;
            if per.len() % 2 == 0 {
                (per[mid - 1] + per[mid]) / 2.0
            } else {
                per[mid]
            }
        }
        _ => per.iter().sum::<f64>() / per.len() as f64,
    })
}

/// The runs of each scenario, as read from a store.
pub type ByScenario = BTreeMap<String, Vec<RunResult>>;
