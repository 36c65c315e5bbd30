//! The command line, as data.

use std::path::PathBuf;
use std::time::Duration;

use bench_core::duration_serde;
use bench_core::scenario::gate::{parse_percent, GateSection};
use bench_core::scenario::Override;
use clap::{Args, Parser, Subcommand, ValueEnum};

mod ci;
mod distributed;
mod history;
pub mod run;
mod service;
mod store;
pub mod values;

pub use ci::{CommentArgs, CriterionArgs, InstructionsArgs, ReportArgs, ReportFormat};
pub use distributed::{K8sAction, K8sRenderArgs, MergeArgs};
pub use history::HistoryArgs;
pub use run::RunArgs;
pub use service::ServiceArgs;
pub use store::{InfluxApiKind, SaveArgs, StoreAction, StoreArgs, StoreKind};

/// tailguard: load tests that gate pull requests on p95/p99 regressions.
#[derive(Debug, Parser)]
#[command(name = "tailguard", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario: live progress, a summary table, SLO checks, JSON with --out.
    Run(RunArgs),
    /// Start the built-in demo target on loopback and run the example scenarios against it.
    Demo(DemoArgs),
    /// Compare candidate runs with a baseline (stored runs or files): per-metric verdicts.
    Compare(CompareArgs),
    /// Run scenarios as trials against baseline and candidate (interleaved) and compare.
    Gate(Box<GateRunArgs>),
    /// Inspect and trim stored baselines.
    Baseline {
        /// What to do.
        #[command(subcommand)]
        action: BaselineAction,
    },
    /// Measure the gate's false-alarm and detection rates against the demo target.
    Calibrate(CalibrateArgs),
    /// Gate criterion benchmarks: read target/criterion (or cargo-criterion's JSON), store them,
    /// compare with main's (mean and median time per iteration).
    Criterion(CriterionArgs),
    /// Gate instruction counts: read gungraun's (Valgrind) summaries, store them, compare with
    /// main's by a relative threshold per metric (default: instructions, 1 %).
    Instructions(InstructionsArgs),
    /// Post the report as the pull request's comment, or update the one posted before.
    Comment(CommentArgs),
    /// Merge the shards of one distributed run into one result.
    Merge(MergeArgs),
    /// Kubernetes: render the manifests of a sharded run (an Indexed Job).
    K8s {
        /// What to do.
        #[command(subcommand)]
        action: K8sAction,
    },
    /// Render a verdict file as markdown (the PR comment), self-contained HTML or JSON, with
    /// charts (SVG and PNG).
    Report(ReportArgs),
    /// A branch's history: change points in its stored runs (commit order), creeping
    /// regressions, trend charts.
    History(HistoryArgs),
    /// Manage the store: send runs spooled while InfluxDB was down.
    Store {
        /// What to do.
        #[command(subcommand)]
        action: StoreAction,
    },
}

/// How to decide; every flag overrides the scenario's `[gate]` section.
#[derive(Debug, Clone, Default, Args)]
pub struct GateFlags {
    /// Relative regression that fails p95/p99 (and other gated ratio metrics), e.g. 10%.
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    pub threshold: Option<f64>,
    /// Absolute error-rate increase that fails, e.g. 1% (one percentage point).
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    pub error_rate_threshold: Option<f64>,
    /// Gated metrics, comma-separated: p50,p90,p95,p99,p99.9,mean,throughput,error_rate.
    #[arg(long, value_delimiter = ',', value_parser = values::metric)]
    pub metrics: Option<Vec<String>>,
    /// Fail only when the whole confidence interval is beyond the threshold.
    #[arg(long)]
    pub strict: bool,
    /// Interval method: welch, paired (interleaved trials) or bootstrap.
    #[arg(long, value_enum)]
    pub method: Option<MethodName>,
    /// Minimum trials per side (fewer is inconclusive).
    #[arg(long)]
    pub min_trials: Option<usize>,
    /// Confidence level of the interval.
    #[arg(long)]
    pub confidence: Option<f64>,
    /// Stored baseline runs to use per scenario with --baseline store:BRANCH.
    #[arg(long)]
    pub baseline_runs: Option<usize>,
    /// Exit 1 when the verdict is inconclusive (default: warn and exit 0).
    #[arg(long)]
    pub fail_on_inconclusive: bool,
    /// Accept cancelled (partial) runs as trials; by default they are refused (exit 2).
    #[arg(long)]
    pub allow_partial: bool,
    /// With --baseline store:BRANCH: also use stored runs of another environment (CPU model,
    /// cores, tailguard version) or scenario configuration (reported); by default refused.
    #[arg(long)]
    pub allow_env_mismatch: bool,
    /// Write the verdict as JSON.
    #[arg(long, value_name = "VERDICT.json")]
    pub out: Option<PathBuf>,
    /// Write the full report here: report.md (comment-ready), report.html (charts inlined) and
    /// charts/ (SVG and PNG).
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,
}

/// `tailguard compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Baseline: `store:BRANCH` (the last n stored runs of each candidate scenario) or result
    /// files; repeat for several.
    #[arg(long, required = true, num_args = 1..)]
    pub baseline: Vec<String>,
    /// Candidate result files.
    #[arg(long, required = true, num_args = 1..)]
    pub candidate: Vec<PathBuf>,
    /// The trials were interleaved B C B C … (pair the i-th of each side).
    #[arg(long)]
    pub paired: bool,
    /// Decision flags.
    #[command(flatten)]
    pub gate: GateFlags,
    /// Store location.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `tailguard gate`.
#[derive(Debug, Args)]
pub struct GateRunArgs {
    /// Scenario files.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// URL of the baseline build (interleaved mode).
    #[arg(long, conflicts_with = "baseline")]
    pub baseline_target: Option<String>,
    /// `store:BRANCH`: compare with stored runs instead of running a baseline build.
    #[arg(long)]
    pub baseline: Option<String>,
    /// URL of the candidate build (default: the scenario's target).
    #[arg(long)]
    pub candidate_target: Option<String>,
    /// Trials per side at the first look (interleaved), or the candidate's trials against a
    /// stored baseline.
    #[arg(long, default_value_t = 3, allow_negative_numbers = true)]
    pub trials: usize,
    /// Interleaved: keep adding pairs while a gated metric is undecided, up to this many per
    /// side (the sequential design; equal to --trials for a fixed design).
    #[arg(long, default_value_t = 20, allow_negative_numbers = true)]
    pub max_trials: usize,
    /// Interleaved: wall-clock budget of the trials (e.g. 10m); no pair is started that would
    /// end after it, and the verdict is taken with what was run.
    #[arg(long, value_parser = humantime::parse_duration)]
    pub budget: Option<std::time::Duration>,
    /// Override the measured duration of every trial (e.g. 10s).
    #[arg(long, value_parser = duration_serde::parse)]
    pub duration: Option<Duration>,
    /// Override any scenario field for both sides.
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = Override::parse_set)]
    pub set: Vec<Override>,
    /// Seed of the counterbalanced order (which side leads the first pair); recorded in the
    /// verdict.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write every trial's result JSON into this directory.
    #[arg(long)]
    pub results_dir: Option<PathBuf>,
    /// Save the candidate runs to the store.
    #[command(flatten)]
    pub save: SaveArgs,
    /// The services: started by the gate, or measured by pid.
    #[command(flatten)]
    pub service: ServiceArgs,
    /// Decision flags.
    #[command(flatten)]
    pub gate: GateFlags,
    /// Store location.
    #[command(flatten)]
    pub store: StoreArgs,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `tailguard baseline ...`.
#[derive(Debug, Subcommand)]
pub enum BaselineAction {
    /// List stored runs.
    List {
        /// Only this branch.
        #[arg(long)]
        branch: Option<String>,
        /// Only this scenario.
        #[arg(long)]
        scenario: Option<String>,
        /// Store location.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Show the summaries of the last n runs of a scenario on a branch.
    Show {
        /// Scenario name.
        scenario: String,
        /// Branch.
        #[arg(long, default_value = "main")]
        branch: String,
        /// How many runs.
        #[arg(long, short = 'n', default_value_t = 5)]
        last: usize,
        /// Store location.
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Delete all but the newest runs of each branch and scenario.
    Prune {
        /// Runs to keep per branch and scenario (0 deletes them all and needs --yes).
        #[arg(long)]
        keep: usize,
        /// Confirm deleting every run of the selection (`--keep 0`).
        #[arg(long)]
        yes: bool,
        /// Only list the runs that would be deleted.
        #[arg(long)]
        dry_run: bool,
        /// Only this branch.
        #[arg(long)]
        branch: Option<String>,
        /// Only this scenario.
        #[arg(long)]
        scenario: Option<String>,
        /// Store location.
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// `tailguard calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Simulated trials (offline, fast: for hundreds of gates) instead of demo targets.
    #[arg(long)]
    pub simulate: bool,
    /// Gates per noise level, true change and design.
    #[arg(long, default_value_t = 20)]
    pub gates: usize,
    /// True p99 changes in percent (0 = A/A).
    #[arg(long, value_delimiter = ',', default_value = "0,5,10,15,20,25")]
    pub levels: Vec<f64>,
    /// Per-trial noise of the latency level in percent (the drift of the demo targets, or the
    /// simulation's σ).
    #[arg(long, value_delimiter = ',', default_value = "5,10")]
    pub noise: Vec<f64>,
    /// Pairs at the first look.
    #[arg(long, default_value_t = 3)]
    pub trials: usize,
    /// Pair budget of the sequential design.
    #[arg(long, default_value_t = 20)]
    pub max_trials: usize,
    /// Also measure a fixed design of this many pairs, for reference (0: none).
    #[arg(long, default_value_t = 10)]
    pub fixed: usize,
    /// Demo targets: measured duration of each trial.
    #[arg(long, default_value = "1s", value_parser = duration_serde::parse)]
    pub duration: Duration,
    /// Demo targets: request rate of each trial.
    #[arg(long, default_value_t = 1000.0, allow_negative_numbers = true)]
    pub rate: f64,
    /// Simulation: requests per trial.
    #[arg(long, default_value_t = 2000)]
    pub requests: u64,
    /// Seed of everything random (orders, simulated trials, demo noise).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Exit 1 when a target of docs/statistics.md is missed (A/A false fails, detection at
    /// +20 %, coverage, inconclusive at 0 % and ≥ +20 %), allowing for the sampling error of
    /// `--gates` gates.
    #[arg(long)]
    pub check: bool,
    /// Write the calibration as JSON.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `--method`: how the confidence interval of a change is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodName {
    /// Welch's t interval (independent runs).
    Welch,
    /// Paired t interval (interleaved trials).
    Paired,
    /// Seeded two-level bootstrap.
    Bootstrap,
}

impl MethodName {
    /// As `[gate] method` spells it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Welch => "welch",
            Self::Paired => "paired",
            Self::Bootstrap => "bootstrap",
        }
    }
}

impl GateFlags {
    /// The flags as a `[gate]` overlay.
    #[must_use]
    pub fn section(&self) -> GateSection {
        GateSection {
            threshold: self.threshold,
            error_rate_threshold: self.error_rate_threshold,
            metrics: self.metrics.clone(),
            rule: self.strict.then_some(bench_core::stats::Rule::Strict),
            method: self.method.map(|m| m.name().to_owned()),
            min_trials: self.min_trials,
            confidence: self.confidence,
            baseline_runs: self.baseline_runs,
        }
    }
}

/// `tailguard demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Measured time of each trial.
    #[arg(long, default_value = "3s", value_parser = duration_serde::parse)]
    pub duration: Duration,
    /// Request rate of every trial (req/s).
    #[arg(long, default_value_t = 500.0, allow_negative_numbers = true)]
    pub rate: f64,
    /// Trials per scenario (the gate's unit of evidence).
    #[arg(long, default_value_t = 3)]
    pub trials: usize,
    /// Branch whose stored runs are the baseline.
    #[arg(long, default_value = "main")]
    pub baseline_branch: String,
    /// Save the trials to the store (how the checked-in baseline is recorded:
    /// `tailguard demo --save --branch main`).
    #[command(flatten)]
    pub save: SaveArgs,
    /// Store location (the checked-in baselines by default).
    #[command(flatten)]
    pub store: StoreArgs,
    /// Directory for the results and report.
    #[arg(long, default_value = "tailguard-out/demo")]
    pub out: PathBuf,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}
