//! The CI integrations: `tailguard criterion`, `tailguard instructions`, `tailguard report` and
//! `tailguard comment`.

use std::path::PathBuf;

use clap::Args;

use super::{values, GateFlags, SaveArgs, StoreArgs};

/// `tailguard criterion`.
#[derive(Debug, Args)]
pub struct CriterionArgs {
    /// criterion's output directory.
    #[arg(long, default_value = "target/criterion")]
    pub dir: PathBuf,
    /// Which results to read in --dir: `new` (the latest `cargo bench`), `base`, or names given
    /// to criterion's `--save-baseline`; several (comma-separated, e.g. `pr-1,pr-2,pr-3`) are
    /// several runs, one trial each.
    #[arg(long, default_value = "new", value_delimiter = ',')]
    pub which: Vec<String>,
    /// Read cargo-criterion's JSON messages (`cargo criterion --message-format=json`) from this
    /// file instead of --dir.
    #[arg(long, value_name = "FILE")]
    pub messages: Option<PathBuf>,
    /// Compare with `store:BRANCH` (the stored runs of each benchmark).
    #[arg(long, conflicts_with = "baseline_which")]
    pub baseline: Option<String>,
    /// Compare with other results in --dir, e.g. `base` or `--save-baseline` names
    /// (comma-separated, one run each: `main-1,main-2,main-3`). With as many as --which, the
    /// i-th of each side are paired (run interleaved, as `.ci/criterion-ab` does).
    #[arg(long, value_delimiter = ',')]
    pub baseline_which: Option<Vec<String>>,
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
    /// The comment's markdown (render it in the trusted job: `tailguard report VERDICT.json…`).
    #[arg(long, value_name = "FILE")]
    pub body: PathBuf,
    /// Write only if the pull request's head is still this commit (exit 2 and no write
    /// otherwise); in a `workflow_run` job: `github.event.workflow_run.head_sha`.
    #[arg(long, value_name = "SHA", value_parser = values::sha)]
    pub head_sha: Option<String>,
    /// With --head-sha: the head must also live in this repository, OWNER/NAME (a fork's for
    /// fork PRs): `github.event.workflow_run.head_repository.full_name`.
    #[arg(long, value_name = "OWNER/NAME", requires = "head_sha")]
    pub head_repo: Option<String>,
    /// Who the token writes as when `GET /user` is closed to it (installation tokens, such as
    /// GITHUB_TOKEN): only this login's comments are ever edited. For another GitHub App's
    /// token: `APP-SLUG[bot]`.
    #[arg(long, value_name = "LOGIN", default_value = "github-actions[bot]")]
    pub bot_login: String,
    /// Give up on one request after this long.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    pub timeout: std::time::Duration,
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
    /// Verdict files (`--out` of compare, gate, criterion; verdict.json of demo): several are
    /// one report whose headline is the worst verdict of them all.
    #[arg(value_name = "VERDICT.json", required = true, num_args = 1..)]
    pub verdicts: Vec<PathBuf>,
    /// The baseline side's commit (labels the baseline columns and heads the report).
    #[arg(long, value_name = "SHA", value_parser = values::sha)]
    pub base_sha: Option<String>,
    /// The candidate side's commit, the pull request's head.
    #[arg(long, value_name = "SHA", value_parser = values::sha)]
    pub head_sha: Option<String>,
    /// Link to the workflow run that produced the verdicts (an http(s) URL).
    #[arg(long, value_name = "URL", value_parser = values::run_url)]
    pub run_url: Option<String>,
    /// The run's conclusion (`github.event.workflow_run.conclusion`): a failed run whose
    /// verdicts show no regression is said to have failed.
    #[arg(long, value_name = "CONCLUSION", value_parser = values::conclusion)]
    pub conclusion: Option<String>,
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

/// `tailguard instructions`.
#[derive(Debug, Args)]
pub struct InstructionsArgs {
    /// gungraun's output directory (every `summary.json` below it is read).
    #[arg(long, default_value = "target/gungraun")]
    pub dir: PathBuf,
    /// Compare with `store:BRANCH` (the newest stored run of each benchmark).
    #[arg(long, conflicts_with = "baseline_dir")]
    pub baseline: Option<String>,
    /// Compare with the summaries of another gungraun run (e.g. main's, benched on this runner
    /// into another target directory).
    #[arg(long, value_name = "DIR")]
    pub baseline_dir: Option<PathBuf>,
    /// A relative threshold, METRIC=PERCENT (repeatable): `Ir=1%` (the default),
    /// `EstimatedCycles=2%`, `Ir=off`. `instructions` and `cycles` are aliases of `Ir` and
    /// `EstimatedCycles`. Metrics without a threshold are reported, not gated.
    #[arg(long, value_name = "METRIC=PERCENT")]
    pub threshold: Vec<String>,
    /// Exit 1 when the comparison is refused (different Valgrind versions), not 0.
    #[arg(long)]
    pub fail_on_refusal: bool,
    /// Write the comparison as JSON.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Store the benchmarks as runs.
    #[command(flatten)]
    pub save: SaveArgs,
    /// Store location.
    #[command(flatten)]
    pub store: StoreArgs,
}
