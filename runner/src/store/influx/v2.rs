//! The InfluxDB 2.x native API (org, bucket, token): line protocol to `/api/v2/write`, Flux to
//! `/api/v2/query` (answered in annotated CSV, read by `flux_csv.rs`), `/api/v2/delete` for
//! pruning.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use http::Method;
use serde_json::{json, Value};

use super::config::{Auth, InfluxConfig};
use super::flux_csv;
use super::line::Row;
use super::points::{ALL, RUNS};
use super::{InfluxError, Select};
use crate::http_client::{HttpClient, Request};

/// A 2.x client.
#[derive(Debug)]
pub struct V2 {
    http: HttpClient,
    config: InfluxConfig,
    org: String,
    bucket: String,
}

impl V2 {
    /// A client of `bucket` in `org`; needs a token.
    pub fn new(
        http: HttpClient,
        config: InfluxConfig,
        org: String,
        bucket: String,
    ) -> Result<Self, InfluxError> {
        if !matches!(config.auth, Auth::Token(_)) {
            return Err(InfluxError::Config(
                "the InfluxDB 2.x API needs a token: set TAILGUARD_INFLUX_TOKEN".into(),
            ));
        }
        Ok(Self {
            http,
            config,
            org,
            bucket,
        })
    }

    /// `POST {url}/api/v2/{endpoint}?org=…&{params}`.
    fn request(&self, endpoint: &str, params: &[(&str, &str)]) -> Request {
        let url = format!("{}/api/v2/{endpoint}", self.config.url);
        let mut query = vec![("org", self.org.as_str())];
        query.extend_from_slice(params);
        Request::new(Method::POST, url).query(&query)
    }

    /// Write a line-protocol body (nanosecond precision).
    pub async fn write(&self, body: String) -> Result<(), InfluxError> {
        let req = self
            .request("write", &[("bucket", &self.bucket), ("precision", "ns")])
            .body("text/plain; charset=utf-8", body);
        self.config.send(&self.http, req).await.map(drop)
    }

    /// Run Flux and pivot its records (one per field) into rows (one per point). The pivot is
    /// done here rather than in Flux, which would need every field to be present in every point.
    async fn query(&self, flux: String) -> Result<Vec<Row>, InfluxError> {
        let payload = json!({
            "query": flux,
            "type": "flux",
            "dialect": {"header": true, "annotations": ["datatype", "group", "default"]},
        });
        let req = self
            .request("query", &[])
            .header(http::header::ACCEPT, "application/csv")
            .json(&payload);
        let records = flux_csv::records(&self.config.send(&self.http, req).await?)?;
        let mut rows: BTreeMap<(String, i64), Row> = BTreeMap::new();
        for mut values in records {
            let (Some(Value::String(field)), Some(value)) =
                (values.remove("_field"), values.remove("_value"))
            else {
                continue;
            };
            let time = values.get("_time").and_then(Value::as_i64).unwrap_or(0);
            let run = values
                .get("run_id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let row = rows.entry((run, time)).or_insert_with(|| {
                let mut row = Row::default();
                for (k, v) in &values {
                    match k.as_str() {
                        "_time" => {
                            row.0.insert("time".into(), v.clone());
                        }
                        "result" | "table" | "_start" | "_stop" | "_measurement" => {}
                        _ => {
                            row.0.insert(k.clone(), v.clone());
                        }
                    }
                }
                row
            });
            row.0.insert(field, value);
        }
        Ok(rows.into_values().collect())
    }

    fn from(&self, measurement: &str, filters: &[(&str, Option<&str>)]) -> String {
        let mut f = format!(r#"r._measurement == {}"#, string(measurement));
        for (tag, v) in filters {
            if let Some(v) = v {
                let _ = write!(f, " and r.{tag} == {}", string(v));
            }
        }
        format!(
            "from(bucket: {})\n  |> range(start: 0)\n  |> filter(fn: (r) => {f})",
            string(&self.bucket)
        )
    }

    /// Run rows matching `sel`, newest first: the newest run ids by their `requests` field, then
    /// (unless listing) each run's point.
    pub async fn runs(&self, sel: &Select<'_>) -> Result<Vec<Row>, InfluxError> {
        let mut flux = self.from(
            RUNS,
            &[
                ("branch", sel.branch),
                ("scenario", sel.scenario),
                ("run_id", sel.run_id),
            ],
        );
        flux.push_str(
            "\n  |> filter(fn: (r) => r._field == \"requests\")\n  |> group()\n  \
             |> sort(columns: [\"_time\"], desc: true)",
        );
        if let Some(n) = sel.last {
            let _ = write!(flux, "\n  |> limit(n: {n})");
        }
        let mut ids = self.query(flux).await?;
        ids.sort_by_key(|r| std::cmp::Reverse(r.int("time")));
        if sel.listing {
            return Ok(ids);
        }
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let run_id = id.take_str("run_id").unwrap_or_default();
            out.extend(
                self.points(RUNS, &run_id)
                    .await?
                    .into_iter()
                    .find(|r| super::points::same_shard(r, &id)),
            );
        }
        Ok(out)
    }

    /// Every point of one run in `measurement`, oldest first.
    pub async fn points(&self, measurement: &str, run_id: &str) -> Result<Vec<Row>, InfluxError> {
        let flux = self.from(measurement, &[("run_id", Some(run_id))]);
        let mut rows = self.query(flux).await?;
        rows.sort_by_key(|r| r.int("time"));
        Ok(rows)
    }

    /// Delete every point of one run.
    pub async fn delete(&self, run_id: &str) -> Result<(), InfluxError> {
        for m in ALL {
            let payload = json!({
                "start": "1970-01-01T00:00:00Z",
                "stop": "2262-01-01T00:00:00Z",
                "predicate": format!(r#"_measurement="{m}" AND run_id="{run_id}""#),
            });
            let req = self
                .request("delete", &[("bucket", &self.bucket)])
                .json(&payload);
            self.config.send(&self.http, req).await?;
        }
        Ok(())
    }
}

/// A Flux string literal.
fn string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
