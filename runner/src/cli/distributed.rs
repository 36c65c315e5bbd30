//! Beyond one machine: `tailguard merge` and `tailguard k8s render` (docs/distributed.md).

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// `tailguard merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard results (`tailguard run --shard I/N --out …`).
    #[arg(required_unless_present = "run_id")]
    pub results: Vec<PathBuf>,
    /// Merge the shards of this run from the store (files or InfluxDB) instead.
    #[arg(long, conflicts_with = "results")]
    pub run_id: Option<String>,
    /// Store location (with --run-id).
    #[command(flatten)]
    pub store: super::StoreArgs,
    /// Where to write the merged result (default: stdout).
    #[arg(long, value_name = "FILE.json")]
    pub out: Option<PathBuf>,
    /// Merge even when shards are missing (the result then covers only those present).
    #[arg(long)]
    pub allow_partial: bool,
}

/// `tailguard k8s …`.
#[derive(Debug, Subcommand)]
pub enum K8sAction {
    /// Write a ConfigMap with the scenario and an Indexed Job whose pods are the shards.
    Render(K8sRenderArgs),
}

/// `tailguard k8s render`.
#[derive(Debug, Args)]
pub struct K8sRenderArgs {
    /// Scenario file (TOML), embedded in the ConfigMap.
    pub scenario: PathBuf,
    /// Shards, one pod each.
    #[arg(long)]
    pub parallelism: usize,
    /// Container image with the `tailguard` binary (see the repository's Dockerfile).
    #[arg(long)]
    pub image: String,
    /// Name of the Job and ConfigMap (default: tailguard-<scenario>).
    #[arg(long)]
    pub name: Option<String>,
    /// Namespace.
    #[arg(long, default_value = "default")]
    pub namespace: String,
    /// Start the load this long after rendering, so that every pod is running by then and all
    /// shards start together.
    #[arg(long, default_value = "2m", value_parser = humantime::parse_duration)]
    pub start_in: std::time::Duration,
    /// CPU request (and limit) of each pod.
    #[arg(long, default_value = "1")]
    pub cpu: String,
    /// Memory request (and limit) of each pod.
    #[arg(long, default_value = "256Mi")]
    pub memory: String,
    /// Secret with the store's environment (TAILGUARD_STORE, TAILGUARD_INFLUX_URL,
    /// TAILGUARD_INFLUX_TOKEN, …); the shards then `--save` into that store.
    #[arg(long)]
    pub store_secret: Option<String>,
    /// Extra `tailguard run` arguments for every shard (e.g. --target URL).
    #[arg(long = "arg", value_name = "ARG", allow_hyphen_values = true)]
    pub args: Vec<String>,
    /// Write the manifests here (default: stdout).
    #[arg(long)]
    pub out: Option<PathBuf>,
}
