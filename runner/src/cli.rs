//! The command line, as data.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
    Gate(GateRunArgs),
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
    /// Post the report as the pull request's comment, or update the one posted before.
    Comment(CommentArgs),
    /// Render a verdict file as markdown (the PR comment), self-contained HTML or JSON, with
    /// charts (SVG and PNG).
    Report(ReportArgs),
    /// Manage the store: send runs spooled while InfluxDB was down.
    Store {
        /// What to do.
        #[command(subcommand)]
        action: StoreAction,
    },
}

/// `tailguard criterion`.
#[derive(Debug, Args)]
pub struct CriterionArgs {
    /// criterion's output directory.
    #[arg(long, default_value = "target/criterion")]
    pub dir: PathBuf,
    /// Which results to read in --dir: `new` (the latest `cargo bench`), `base`, or a name given
    /// to criterion's `--save-baseline`.
    #[arg(long, default_value = "new")]
    pub which: String,
    /// Read cargo-criterion's JSON messages (`cargo criterion --message-format=json`) from this
    /// file instead of --dir.
    #[arg(long, value_name = "FILE")]
    pub messages: Option<PathBuf>,
    /// Compare with `store:BRANCH` (the stored runs of each benchmark).
    #[arg(long, conflicts_with = "baseline_which")]
    pub baseline: Option<String>,
    /// Compare with other results in --dir, e.g. `base` or a `--save-baseline` name.
    #[arg(long)]
    pub baseline_which: Option<String>,
    /// Store the benchmarks as runs.
    #[command(flatten)]
    pub save: SaveArgs,
    /// Decision flags.
    #[command(flatten)]
    pub gate: GateFlags,
    /// Store location.
    #[command(flatten)]
    pub store: StoreArgs,
}

/// `tailguard comment`. The token comes from GITHUB_TOKEN.
#[derive(Debug, Args)]
pub struct CommentArgs {
    /// Repository, OWNER/NAME.
    #[arg(long, env = "GITHUB_REPOSITORY")]
    pub repo: String,
    /// Pull request number.
    #[arg(long)]
    pub pr: u64,
    /// The comment's markdown (e.g. from `tailguard report --format markdown`).
    #[arg(long, value_name = "FILE")]
    pub body: PathBuf,
    /// API base URL (GitHub Enterprise: https://HOST/api/v3).
    #[arg(long, env = "GITHUB_API_URL", default_value = "https://api.github.com")]
    pub api_url: String,
    /// Which of tailguard's comments on the PR this is (one comment per id).
    #[arg(long, default_value = "report")]
    pub id: String,
}

/// `tailguard report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A verdict file (`--out` of compare, gate, criterion; verdict.json of demo).
    #[arg(value_name = "VERDICT.json")]
    pub verdict: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ReportFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Render the charts as SVG and PNG into this directory.
    #[arg(long, value_name = "DIR")]
    pub charts: Option<PathBuf>,
    /// Markdown: link the charts' PNGs as images under this URL or path prefix (where the
    /// --charts directory is published, e.g. `charts/` next to the markdown file).
    #[arg(long, value_name = "URL", requires = "charts")]
    pub charts_url: Option<String>,
}

/// What `tailguard report` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// For the PR comment and the job summary (tables, mermaid chart, collapsed details).
    Markdown,
    /// One self-contained page, charts inlined as SVG.
    Html,
    /// The verdict with its one-line headline.
    Json,
}

/// `tailguard store …`.
#[derive(Debug, Subcommand)]
pub enum StoreAction {
    /// Send the spooled runs to InfluxDB; each spool file is removed once every point in it was
    /// accepted.
    Replay {
        /// Store location.
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Which store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StoreKind {
    /// JSON files below --store-dir.
    File,
    /// InfluxDB (--influx-url); runs it cannot take go to --spool-dir.
    Influx,
}

/// Which InfluxDB API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InfluxApiKind {
    /// `/write` and InfluxQL: InfluxDB 1.x, and 2.x/3.x v1 compatibility.
    V1,
    /// The 2.x native API: org, bucket, token.
    V2,
}

/// Where runs are stored. InfluxDB credentials come only from the environment:
/// TAILGUARD_INFLUX_TOKEN, or TAILGUARD_INFLUX_USER and TAILGUARD_INFLUX_PASSWORD.
#[derive(Debug, Clone, Args)]
pub struct StoreArgs {
    /// Store back-end.
    #[arg(long, env = "TAILGUARD_STORE", value_enum, default_value = "file")]
    pub store: StoreKind,
    /// Directory of the file store.
    #[arg(long, env = "TAILGUARD_STORE_DIR", default_value = "baselines")]
    pub store_dir: PathBuf,
    /// InfluxDB base URL, e.g. http://127.0.0.1:8086.
    #[arg(long, env = "TAILGUARD_INFLUX_URL")]
    pub influx_url: Option<String>,
    /// InfluxDB API (default: v2 when --influx-org is given, else v1).
    #[arg(long, env = "TAILGUARD_INFLUX_API", value_enum)]
    pub influx_api: Option<InfluxApiKind>,
    /// Database (v1 API); also the bucket when --influx-bucket is not given.
    #[arg(long, env = "TAILGUARD_INFLUX_DB", default_value = "tailguard")]
    pub influx_db: String,
    /// Retention policy (v1 API; default: the database's default).
    #[arg(long, env = "TAILGUARD_INFLUX_RP")]
    pub influx_rp: Option<String>,
    /// Organisation (v2 API).
    #[arg(long, env = "TAILGUARD_INFLUX_ORG")]
    pub influx_org: Option<String>,
    /// Bucket (v2 API).
    #[arg(long, env = "TAILGUARD_INFLUX_BUCKET")]
    pub influx_bucket: Option<String>,
    /// Where runs wait when InfluxDB is down or rejects them (`tailguard store replay`).
    #[arg(long, env = "TAILGUARD_SPOOL_DIR", default_value = ".tailguard/spool")]
    pub spool_dir: PathBuf,
}

/// What identifies a saved run.
#[derive(Debug, Clone, Args)]
pub struct SaveArgs {
    /// Store the result (file store: <store-dir>/<branch>/<scenario>/).
    #[arg(long)]
    pub save: bool,
    /// Branch to store under (default: GITHUB_HEAD_REF, GITHUB_REF_NAME, or git's branch).
    #[arg(long, env = "TAILGUARD_BRANCH")]
    pub branch: Option<String>,
    /// Commit to record (default: GITHUB_SHA or git's HEAD).
    #[arg(long, env = "TAILGUARD_COMMIT")]
    pub commit: Option<String>,
}

/// How to decide; every flag overrides the scenario's `[gate]` section.
#[derive(Debug, Clone, Default, Args)]
pub struct GateFlags {
    /// Relative regression that fails p95/p99 (and other gated ratio metrics), e.g. 10%.
    #[arg(long)]
    pub threshold: Option<String>,
    /// Absolute error-rate increase that fails, e.g. 1% (one percentage point).
    #[arg(long)]
    pub error_rate_threshold: Option<String>,
    /// Gated metrics, comma-separated: p50,p90,p95,p99,p99.9,mean,throughput,error_rate.
    #[arg(long, value_delimiter = ',')]
    pub metrics: Option<Vec<String>>,
    /// Fail only when the whole confidence interval is beyond the threshold.
    #[arg(long)]
    pub strict: bool,
    /// Interval method: welch, paired (interleaved trials) or bootstrap.
    #[arg(long)]
    pub method: Option<String>,
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
    /// Trials per side.
    #[arg(long, default_value_t = 3)]
    pub trials: usize,
    /// Override the measured duration of every trial (e.g. 10s).
    #[arg(long)]
    pub duration: Option<String>,
    /// Override any scenario field for both sides.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Seed of the randomised order within each pair.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write every trial's result JSON into this directory.
    #[arg(long)]
    pub results_dir: Option<PathBuf>,
    /// Save the candidate runs to the store.
    #[command(flatten)]
    pub save: SaveArgs,
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
        /// Runs to keep per branch and scenario.
        #[arg(long)]
        keep: usize,
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
    /// A/A comparisons (same build both sides).
    #[arg(long, default_value_t = 50)]
    pub aa: usize,
    /// Comparisons per injected regression level.
    #[arg(long, default_value_t = 20)]
    pub ab: usize,
    /// Injected p99 regressions in percent.
    #[arg(long, value_delimiter = ',', default_value = "5,10,15,25,50")]
    pub levels: Vec<f64>,
    /// Trials per side in each comparison.
    #[arg(long, default_value_t = 3)]
    pub trials: usize,
    /// Measured duration of each trial.
    #[arg(long, default_value = "2s")]
    pub duration: String,
    /// Request rate of each trial.
    #[arg(long, default_value_t = 1000.0)]
    pub rate: f64,
    /// Write the calibration report as JSON.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `tailguard run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Override the scenario's target URL.
    #[arg(long, env = "TAILGUARD_TARGET")]
    pub target: Option<String>,
    /// Override the open model's rate (req/s).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Override the measured duration (e.g. 30s, 2m).
    #[arg(long)]
    pub duration: Option<String>,
    /// Override the number of connections (workers in the closed model).
    #[arg(long)]
    pub connections: Option<usize>,
    /// Override any scenario field: --set load.warmup=5s --set request.headers.x-env=staging
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Accept any TLS certificate (self-signed staging).
    #[arg(long)]
    pub insecure: bool,
    /// Write the result as JSON.
    #[arg(long, value_name = "FILE.json")]
    pub out: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Save the run to the store.
    #[command(flatten)]
    pub save: SaveArgs,
    /// Store location.
    #[command(flatten)]
    pub store: StoreArgs,
}

impl GateFlags {
    /// The flags as a `[gate]` overlay.
    pub fn section(&self) -> Result<bench_core::scenario::gate::GateSection, String> {
        use bench_core::scenario::gate::parse_percent;
        Ok(bench_core::scenario::gate::GateSection {
            threshold: self
                .threshold
                .as_deref()
                .map(parse_percent)
                .transpose()
                .map_err(|e| format!("--threshold: {e}"))?,
            error_rate_threshold: self
                .error_rate_threshold
                .as_deref()
                .map(parse_percent)
                .transpose()
                .map_err(|e| format!("--error-rate-threshold: {e}"))?,
            metrics: self.metrics.clone(),
            rule: self.strict.then_some(bench_core::stats::Rule::Strict),
            method: self.method.clone(),
            min_trials: self.min_trials,
            confidence: self.confidence,
            baseline_runs: self.baseline_runs,
        })
    }
}

impl RunArgs {
    /// The flag shortcuts as `--set` overrides, before the explicit ones (which win).
    #[must_use]
    pub fn overrides(&self) -> Vec<String> {
        let mut v = Vec::new();
        if let Some(t) = &self.target {
            v.push(format!("target={}", toml_string(t)));
        }
        if let Some(r) = self.rate {
            v.push(format!("load.rate={r}"));
        }
        if let Some(d) = &self.duration {
            v.push(format!("load.duration={}", toml_string(d)));
        }
        if let Some(c) = self.connections {
            v.push(format!("load.connections={c}"));
        }
        if self.insecure {
            v.push("http.insecure=true".into());
        }
        v.extend(self.set.iter().cloned());
        v
    }
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `tailguard demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Measured time of each trial.
    #[arg(long, default_value = "3s")]
    pub duration: String,
    /// Request rate of every trial (req/s).
    #[arg(long, default_value_t = 500.0)]
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
