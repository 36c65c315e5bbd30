//! Where runs are kept: the store flags shared by every command that saves or reads runs, and
//! `tailguard store …`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

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
    /// When that commit was made (the history's order): RFC 3339 UTC or Unix seconds
    /// (default: git's committer date of the commit, when git knows it).
    #[arg(long, env = "TAILGUARD_COMMIT_TIME")]
    pub commit_time: Option<String>,
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
