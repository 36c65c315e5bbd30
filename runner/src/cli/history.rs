//! `tailguard history`: change points in a branch's stored runs.

use std::path::PathBuf;

use bench_core::scenario::gate::parse_percent;
use clap::Args;

use super::{values, StoreArgs};
use crate::history::HistoryMetric;

/// `tailguard history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Scenario (or criterion benchmark) names; all stored on the branch when none.
    pub scenarios: Vec<String>,
    /// Branch whose history is read.
    #[arg(long, default_value = "main")]
    pub branch: String,
    /// Metrics followed, comma-separated: p50,p90,p95,p99,p99.9,mean,throughput,error_rate
    /// (criterion benchmarks always give mean and median time per iteration).
    #[arg(long, value_delimiter = ',', default_value = "p95,p99", value_parser = HistoryMetric::parse)]
    pub metrics: Vec<HistoryMetric>,
    /// Only commits from this time on: RFC 3339 (2026-11-01T00:00:00Z) or an age (30days).
    #[arg(long, value_name = "TIME", value_parser = values::since)]
    pub since: Option<String>,
    /// Significance level of each change point's permutation test.
    #[arg(long, default_value_t = 0.01)]
    pub alpha: f64,
    /// Fewest commits in a segment (a change is seen once this many commits follow it).
    #[arg(long, default_value_t = 5)]
    pub min_segment: usize,
    /// Permutations per test.
    #[arg(long, default_value_t = 199)]
    pub permutations: usize,
    /// Smallest level shift of a latency or throughput series named a change point, e.g. 5%
    /// (a smaller significant shift is merged into its neighbours).
    #[arg(long, default_value = "5%", value_parser = values::share)]
    pub min_change: f64,
    /// Smallest error-rate shift named a change point, in percentage points, e.g. 0.5%.
    #[arg(long, default_value = "0.5%", value_parser = values::share)]
    pub min_error_rate_change: f64,
    /// Seed of the permutations (the same history and seed give the same change points).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write the history (change points and series) as JSON.
    #[arg(long, value_name = "HISTORY.json")]
    pub out: Option<PathBuf>,
    /// Write history.md (a report section) and its charts (SVG and PNG) here.
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
    /// Write a self-contained trend page, DIR/index.html.
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,
    /// Exit 1 when the newest commit reveals a regression beyond the threshold.
    #[arg(long)]
    pub fail_on_new: bool,
    /// Relative change a new regression must exceed to fail (--fail-on-new), e.g. 10%.
    #[arg(long, default_value = "10%", value_parser = parse_percent)]
    pub threshold: f64,
    /// Absolute error-rate increase a new regression must exceed, e.g. 1%.
    #[arg(long, default_value = "1%", value_parser = parse_percent)]
    pub error_rate_threshold: f64,
    /// With the InfluxDB store: do not write the change points back (measurement
    /// tailguard_change_point, the Grafana dashboard's annotations).
    #[arg(long)]
    pub no_annotate: bool,
    /// Store location.
    #[command(flatten)]
    pub store: StoreArgs,
}
