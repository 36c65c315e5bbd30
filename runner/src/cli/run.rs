//! `tailguard run`'s flags, and the shortcuts among them that override the scenario.

use std::path::PathBuf;
use std::time::Duration;

use bench_core::duration_serde;
use bench_core::scenario::Override;
use clap::Args;

use super::{values, SaveArgs, StoreArgs};

/// The environment variable `--target` defaults to.
const TARGET_ENV: &str = "TAILGUARD_TARGET";

/// `tailguard run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (TOML).
    pub scenario: PathBuf,
    /// Override the scenario's target URL (from `TAILGUARD_TARGET` it is a secret, redacted).
    #[arg(long, env = TARGET_ENV)]
    pub target: Option<String>,
    /// Override the open model's rate (req/s).
    #[arg(long, allow_negative_numbers = true)]
    pub rate: Option<f64>,
    /// Override the measured duration (e.g. 30s, 2m).
    #[arg(long, value_parser = duration_serde::parse)]
    pub duration: Option<Duration>,
    /// Override the number of connections (workers in the closed model).
    #[arg(long, allow_negative_numbers = true)]
    pub connections: Option<usize>,
    /// Override any scenario field: --set load.warmup=5s --set request.headers.x-env=staging
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = Override::parse_set)]
    pub set: Vec<Override>,
    /// Accept any TLS certificate (self-signed staging).
    #[arg(long)]
    pub insecure: bool,
    /// Trust the CA certificates of this PEM file too (`[http] ca_file`).
    #[arg(long, value_name = "FILE.pem")]
    pub ca_file: Option<PathBuf>,
    /// Write the result as JSON (`-`: to stdout, the table then goes to stderr).
    #[arg(long, value_name = "FILE.json")]
    pub out: Option<PathBuf>,
    /// Generate shard I of N of the load (0-based): 1/N of the rate, or of the workers.
    #[arg(long, value_name = "I/N", value_parser = values::shard)]
    pub shard: Option<bench_core::Shard>,
    /// Start the measured load at this time (RFC 3339), so that shards start together.
    #[arg(long, value_name = "TIME")]
    pub start_at: Option<String>,
    /// Run id shared by the shards of one run (default: a new one).
    #[arg(long)]
    pub run_id: Option<String>,
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

impl RunArgs {
    /// The flag shortcuts as typed overrides, before the explicit `--set`s (which win).
    #[must_use]
    pub fn overrides(&self) -> Vec<Override> {
        let mut v = Vec::new();
        if let Some(t) = &self.target {
            v.push(target_override(t));
        }
        if let Some(r) = self.rate {
            v.push(Override::new(format!("--rate {r}"), "load.rate", r));
        }
        if let Some(d) = self.duration {
            v.push(duration_override(d));
        }
        if let Some(c) = self.connections {
            v.push(Override::concurrency(format!("--connections {c}"), c));
        }
        if self.insecure {
            v.push(Override::new("--insecure", "http.insecure", true));
        }
        if let Some(file) = &self.ca_file {
            // Relative to the working directory, not to the scenario file.
            let abs = std::path::absolute(file).unwrap_or_else(|_| file.clone());
            let abs = abs.to_string_lossy();
            v.push(Override::new(
                format!("--ca-file {abs}"),
                "http.ca_file",
                abs.as_ref(),
            ));
        }
        v.extend(self.set.iter().cloned());
        v
    }
}

/// `--duration D` as the override of `load.duration`.
#[must_use]
pub fn duration_override(d: Duration) -> Override {
    let text = duration_serde::format(d);
    Override::new(format!("--duration {text}"), "load.duration", text)
}

/// The override of `--target`, or of `TAILGUARD_TARGET` when the value is that variable's: an
/// environment value is a secret like every `${VAR}` of a scenario, so the scenario reads it by
/// name (redacted wherever text leaves the process) and an error names the variable, not the
/// flag and never the value.
fn target_override(target: &str) -> Override {
    if std::env::var(TARGET_ENV).is_ok_and(|v| v == target) {
        Override::new(TARGET_ENV, "target", format!("${{{TARGET_ENV}}}"))
    } else {
        Override::new(format!("--target {target}"), "target", target)
    }
}
