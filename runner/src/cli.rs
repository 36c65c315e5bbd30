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
    /// Seconds per scenario.
    #[arg(long, default_value = "5s")]
    pub duration: String,
    /// Directory for the results and report.
    #[arg(long, default_value = "tailguard-out/demo")]
    pub out: PathBuf,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}
