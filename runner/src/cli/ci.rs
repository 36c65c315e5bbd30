//! The CI integrations: `tailguard criterion`, `tailguard report` and `tailguard comment`.

use std::path::PathBuf;

use clap::Args;

use super::{GateFlags, SaveArgs, StoreArgs};

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
