//! `tailguard run`'s flags, and the shortcuts among them that override the scenario.

use std::path::PathBuf;

use clap::Args;

use super::{SaveArgs, StoreArgs};
use crate::overrides::Override;

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
    #[arg(long)]
    pub duration: Option<String>,
    /// Override the number of connections (workers in the closed model).
    #[arg(long, allow_negative_numbers = true)]
    pub connections: Option<usize>,
    /// Override any scenario field: --set load.warmup=5s --set request.headers.x-env=staging
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
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
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
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
    /// The flag shortcuts as overrides, before the explicit `--set`s (which win).
    #[must_use]
    pub fn overrides(&self) -> Vec<Override> {
        let mut v = Vec::new();
        if let Some(t) = &self.target {
            v.push(target_override(t));
        }
        if let Some(r) = self.rate {
            v.push(Override::flag(
                "--rate",
                &r.to_string(),
                "load.rate",
                &r.to_string(),
            ));
        }
        if let Some(d) = &self.duration {
            v.push(Override::flag_str("--duration", d, "load.duration"));
        }
        if let Some(c) = self.connections {
            let c = c.to_string();
            v.push(Override::flag("--connections", &c, "load.connections", &c));
        }
        if self.insecure {
            v.push(Override::flag("--insecure", "", "http.insecure", "true"));
        }
        if let Some(file) = &self.ca_file {
            // Relative to the working directory, not to the scenario file.
            let abs = std::path::absolute(file).unwrap_or_else(|_| file.clone());
            v.push(Override::flag_str(
                "--ca-file",
                &abs.to_string_lossy(),
                "http.ca_file",
            ));
        }
        v.extend(self.set.iter().map(|s| Override::set(s)));
        v
    }
}

/// The override of `--target`, or of `TAILGUARD_TARGET` when the value is that variable's: an
/// environment value is a secret like every `${VAR}` of a scenario, so the scenario reads it by
/// name (redacted wherever text leaves the process) and an error names the variable, not the
/// flag and never the value.
fn target_override(target: &str) -> Override {
    if std::env::var(TARGET_ENV).is_ok_and(|v| v == target) {
        Override {
            set: format!("target=\"${{{TARGET_ENV}}}\""),
            flag: Some(TARGET_ENV.to_owned()),
        }
    } else {
        Override::flag_str("--target", target, "target")
    }
}

/// `I/N` with `I < N`.
fn parse_shard(text: &str) -> Result<bench_core::Shard, String> {
    let bad = || format!("{text:?}: expected I/N with 0 <= I < N, e.g. 0/4");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (index, count): (usize, usize) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if count == 0 || index >= count {
        return Err(bad());
    }
    Ok(bench_core::Shard { index, count })
}
