//! InfluxDB as the store: every run and its timeline as points (schema in `points.rs` and
//! `docs/storage.md`), baselines read back exactly, and a local spool so that nothing is lost
//! when the server is down or rejects a write.
//!
//! Two APIs: v1 (`/write`, InfluxQL; InfluxDB 1.x, and 2.x/3.x through their v1 compatibility
//! API) in `v1.rs`, and the 2.x native API (org, bucket, token) in `v2.rs`.

pub mod config;
mod flux_csv;
pub mod line;
pub mod points;
pub mod reader;
mod v1;
mod v2;

use std::time::Duration;

use bench_core::result::RunResult;

use self::config::InfluxConfig;
use self::line::Row;
use super::spool::{Replayed, Spool};
use super::{BranchName, Saved, Store, StoreError, StoredRun};
use crate::http_client::HttpClient;

/// Lines per write request (InfluxDB's recommended batch size).
pub const BATCH_LINES: usize = 5_000;
/// Attempts per batch before giving up (transient failures only).
const ATTEMPTS: u32 = 4;
/// How long connecting (TCP and TLS) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// First backoff; doubled after each failed attempt.
const BACKOFF: Duration = Duration::from_millis(200);

/// InfluxDB failures, secrets redacted.
#[derive(Debug, thiserror::Error)]
pub enum InfluxError {
    /// Bad settings.
    #[error("{0}")]
    Config(String),
    /// No HTTP response (connection refused, timeout, DNS, TLS).
    #[error("InfluxDB unreachable: {0}")]
    Unreachable(String),
    /// The server answered with an error status.
    #[error("InfluxDB answered {status}: {body}")]
    Status {
        /// HTTP status.
        status: u16,
        /// Its message.
        body: String,
    },
    /// The answer could not be used.
    #[error("InfluxDB: {0}")]
    Response(String),
}

impl InfluxError {
    /// Worth retrying: no answer, a server error, or "too many requests".
    #[must_use]
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable(_) => true,
            Self::Status { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            Self::Config(_) | Self::Response(_) => false,
        }
    }
}

/// Which API and where in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Api {
    /// v1: a database and optionally a retention policy.
    V1 {
        /// Database.
        db: String,
        /// Retention policy (the database's default when `None`).
        rp: Option<String>,
    },
    /// 2.x native: an organisation and a bucket.
    V2 {
        /// Organisation.
        org: String,
        /// Bucket.
        bucket: String,
    },
}

/// Which runs a query selects.
#[derive(Debug, Clone, Copy, Default)]
pub struct Select<'a> {
    /// Only this branch.
    pub branch: Option<&'a str>,
    /// Only this scenario.
    pub scenario: Option<&'a str>,
    /// Only this run.
    pub run_id: Option<&'a str>,
    /// Only the newest n.
    pub last: Option<usize>,
    /// Only the columns a listing needs (not the histograms).
    pub listing: bool,
}

#[derive(Debug)]
enum Client {
    V1(v1::V1),
    V2(v2::V2),
}

/// Runs in InfluxDB, spooled locally when it cannot take them.
#[derive(Debug)]
pub struct InfluxStore {
    client: Client,
    rt: tokio::runtime::Runtime,
    spool: Spool,
    describe: String,
}

impl InfluxStore {
    /// A store on the server of `config`, through `api`, spooling into `spool`.
    pub fn new(config: InfluxConfig, api: Api, spool: Spool) -> Result<Self, InfluxError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| InfluxError::Config(format!("cannot start the HTTP runtime: {e}")))?;
        let http = HttpClient::new(CONNECT_TIMEOUT, config.timeout)
            .map_err(|e| InfluxError::Config(format!("HTTP client: {e}")))?;
        let (client, describe) = match api {
            Api::V1 { db, rp } => {
                let describe = format!("InfluxDB {} (v1 API, database {db})", config.url);
                (Client::V1(v1::V1::new(http, config, db, rp)), describe)
            }
            Api::V2 { org, bucket } => {
                let describe = format!(
                    "InfluxDB {} (v2 API, org {org}, bucket {bucket})",
                    config.url
                );
                (
                    Client::V2(v2::V2::new(http, config, org, bucket)?),
                    describe,
                )
            }
        };
        Ok(Self {
            client,
            rt,
            spool,
            describe,
        })
    }

    /// The spool.
    #[must_use]
    pub fn spool(&self) -> &Spool {
        &self.spool
    }

    async fn write_once(&self, body: String) -> Result<(), InfluxError> {
        match &self.client {
            Client::V1(c) => c.write(body).await,
            Client::V2(c) => c.write(body).await,
        }
    }

    /// Write a line-protocol body in batches, retrying transient failures with backoff;
    /// returns the number of points written.
    pub fn write(&self, body: &str) -> Result<usize, InfluxError> {
        let lines: Vec<&str> = body.lines().filter(|l| !l.trim().is_empty()).collect();
        self.rt.block_on(async {
            for batch in lines.chunks(BATCH_LINES) {
                let text = batch.join("\n");
                let mut wait = BACKOFF;
                let mut attempt = 1;
                loop {
                    match self.write_once(text.clone()).await {
                        Ok(()) => break,
                        Err(e) if e.is_transient() && attempt < ATTEMPTS => {
                            tokio::time::sleep(wait).await;
                            wait *= 2;
                            attempt += 1;
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            Ok(lines.len())
        })
    }

    /// Send everything in the spool; files are removed once InfluxDB accepted all their points.
    pub fn replay(&self) -> Result<Replayed, StoreError> {
        self.spool
            .replay(|body| self.write(body).map_err(StoreError::from))
    }

    fn runs(&self, sel: &Select<'_>) -> Result<Vec<Row>, InfluxError> {
        self.rt.block_on(async {
            match &self.client {
                Client::V1(c) => c.runs(sel).await,
                Client::V2(c) => c.runs(sel).await,
            }
        })
    }

    fn points(&self, measurement: &str, run_id: &str) -> Result<Vec<Row>, InfluxError> {
        self.rt.block_on(async {
            match &self.client {
                Client::V1(c) => c.points(measurement, run_id).await,
                Client::V2(c) => c.points(measurement, run_id).await,
            }
        })
    }

    fn delete(&self, run_id: &str) -> Result<(), InfluxError> {
        self.rt.block_on(async {
            match &self.client {
                Client::V1(c) => c.delete(run_id).await,
                Client::V2(c) => c.delete(run_id).await,
            }
        })
    }

    /// Read one run back from its run row.
    fn load(&self, row: &Row) -> Result<RunResult, StoreError> {
        let id = row.take_str("run_id").unwrap_or_default();
        let mine = |rows: Vec<Row>| -> Vec<Row> {
            rows.into_iter()
                .filter(|r| points::same_shard(r, row))
                .collect()
        };
        let requests = mine(self.points(points::REQUESTS, &id)?);
        let timeline = mine(self.points(points::TIMELINE, &id)?);
        points::decode(row, &requests, &timeline)
    }
}

impl Store for InfluxStore {
    fn describe(&self) -> String {
        self.describe.clone()
    }

    fn save(&self, branch: &BranchName, run: &RunResult) -> Result<Saved, StoreError> {
        let body = line::body(&points::encode(branch, run)?);
        match self.write(&body) {
            Ok(n) => Ok(Saved {
                location: format!("{} ({n} points, run {})", self.describe, run.meta.run_id),
                warning: None,
            }),
            Err(e) => {
                let path = self.spool.put(&run.meta.run_id, &body)?;
                Ok(Saved {
                    location: path.display().to_string(),
                    warning: Some(format!(
                        "{e}; the run was kept in the spool ({}); send it later with \
                         `tailguard store replay`",
                        path.display()
                    )),
                })
            }
        }
    }

    fn baseline(
        &self,
        branch: &BranchName,
        scenario: &str,
        n: usize,
    ) -> Result<Vec<RunResult>, StoreError> {
        let sel = Select {
            branch: Some(branch.as_str()),
            scenario: Some(scenario),
            last: Some(n),
            ..Select::default()
        };
        let mut runs = self
            .runs(&sel)?
            .iter()
            .map(|row| self.load(row))
            .collect::<Result<Vec<_>, _>>()?;
        runs.reverse();
        Ok(runs)
    }

    fn by_run_id(&self, run_id: &str) -> Result<Vec<RunResult>, StoreError> {
        let sel = Select {
            run_id: Some(run_id),
            ..Select::default()
        };
        self.runs(&sel)?.iter().map(|row| self.load(row)).collect()
    }

    fn list(
        &self,
        branch: Option<&BranchName>,
        scenario: Option<&str>,
    ) -> Result<Vec<StoredRun>, StoreError> {
        let sel = Select {
            branch: branch.map(BranchName::as_str),
            scenario,
            listing: true,
            ..Select::default()
        };
        let mut out: Vec<StoredRun> = self
            .runs(&sel)?
            .iter()
            .map(|row| {
                let time = row.int("time").unwrap_or(0);
                let at =
                    std::time::UNIX_EPOCH + Duration::from_nanos(u64::try_from(time).unwrap_or(0));
                let run_id = row.take_str("run_id").unwrap_or_default();
                StoredRun {
                    branch: row.take_str("branch").unwrap_or_default(),
                    scenario: row.take_str("scenario").unwrap_or_default(),
                    location: format!("{} run {run_id}", self.describe),
                    run_id,
                    started_at: bench_core::result::rfc3339(at),
                }
            })
            .collect();
        out.reverse();
        Ok(out)
    }

    fn prune(
        &self,
        branch: Option<&BranchName>,
        scenario: Option<&str>,
        keep: usize,
    ) -> Result<usize, StoreError> {
        let runs = self.list(branch, scenario)?;
        let doomed = super::to_prune(&runs, keep);
        for old in &doomed {
            self.delete(&old.run_id)?;
        }
        Ok(doomed.len())
    }
}
