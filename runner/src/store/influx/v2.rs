//! The InfluxDB 2.x native API (org, bucket, token) through the `influxdb2` crate: line protocol
//! to `/api/v2/write`, Flux to `/api/v2/query`, `/api/v2/delete` for pruning.

use std::collections::BTreeMap;

use influxdb2::models::Query;
use influxdb2::RequestError;
use influxdb2_structmap::value::Value as Flux;
use serde_json::Value;

use super::config::{Auth, InfluxConfig};
use super::line::Row;
use super::points::{ALL, RUNS};
use super::{InfluxError, Select};

/// A 2.x client.
pub struct V2 {
    client: influxdb2::Client,
    config: InfluxConfig,
    org: String,
    bucket: String,
}

impl std::fmt::Debug for V2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("V2")
            .field("url", &self.config.url)
            .field("org", &self.org)
            .field("bucket", &self.bucket)
            .finish_non_exhaustive()
    }
}

impl V2 {
    /// A client of `bucket` in `org`; needs a token.
    pub fn new(
        http: reqwest::ClientBuilder,
        config: InfluxConfig,
        org: String,
        bucket: String,
    ) -> Result<Self, InfluxError> {
        let Auth::Token(token) = &config.auth else {
            return Err(InfluxError::Config(
                "the InfluxDB 2.x API needs a token: set TAILGUARD_INFLUX_TOKEN".into(),
            ));
        };
        let client = influxdb2::ClientBuilder::with_builder(
            http.timeout(config.timeout),
            &config.url,
            &org,
            token,
        )
        .build()
        .map_err(|e| InfluxError::Config(config.redact(&e.to_string())))?;
        Ok(Self {
            client,
            config,
            org,
            bucket,
        })
    }

    fn error(&self, e: RequestError) -> InfluxError {
        match e {
            RequestError::Http { status, text } => InfluxError::Status {
                status: status.as_u16(),
                body: self.config.redact(text.trim()),
            },
            RequestError::ReqwestProcessing { source } => InfluxError::Unreachable(
                self.config
                    .redact(&format!("{}: {}", self.config.url, source.without_url())),
            ),
            other => InfluxError::Response(self.config.redact(&other.to_string())),
        }
    }

    /// Write a line-protocol body (nanosecond precision).
    pub async fn write(&self, body: String) -> Result<(), InfluxError> {
        self.client
            .write_line_protocol(&self.org, &self.bucket, body)
            .await
            .map_err(|e| self.error(e))
    }

    /// Run Flux and pivot its records (one per field) into rows (one per point). The pivot is
    /// done here rather than in Flux: after a Flux `pivot()` absent fields are empty cells, on
    /// which the `influxdb2` crate's CSV parser panics. The query runs as its own task, so a
    /// panic in the client becomes an error instead of ending the process.
    async fn query(&self, flux: String) -> Result<Vec<Row>, InfluxError> {
        let client = self.client.clone();
        let records = tokio::spawn(async move { client.query_raw(Some(Query::new(flux))).await })
            .await
            .map_err(|e| {
                InfluxError::Response(format!("the influxdb2 client failed on the answer: {e}"))
            })?
            .map_err(|e| self.error(e))?;
        let mut rows: BTreeMap<(String, i64), Row> = BTreeMap::new();
        for r in records {
            let mut values: BTreeMap<String, Value> = BTreeMap::new();
            for (k, v) in r.values {
                if let Some(v) = json(v) {
                    values.insert(k, v);
                }
            }
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
                f.push_str(&format!(" and r.{tag} == {}", string(v)));
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
            flux.push_str(&format!("\n  |> limit(n: {n})"));
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
        let start = chrono::DateTime::UNIX_EPOCH.naive_utc();
        let stop = chrono::NaiveDate::from_ymd_opt(2262, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or(start);
        for m in ALL {
            let predicate = format!(r#"_measurement="{m}" AND run_id="{run_id}""#);
            self.client
                .delete(&self.bucket, start, stop, Some(predicate))
                .await
                .map_err(|e| self.error(e))?;
        }
        Ok(())
    }
}

/// A Flux string literal.
fn string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn json(v: Flux) -> Option<Value> {
    Some(match v {
        Flux::String(s) => Value::String(s),
        Flux::Double(d) => serde_json::Number::from_f64(d.into_inner()).map(Value::Number)?,
        Flux::Bool(b) => Value::Bool(b),
        Flux::Long(i) => Value::from(i),
        Flux::UnsignedLong(u) => Value::from(u),
        Flux::TimeRFC(t) => Value::from(t.timestamp_nanos_opt().unwrap_or(0)),
        Flux::Unknown | Flux::Duration(_) | Flux::Base64Binary(_) => return None,
    })
}
