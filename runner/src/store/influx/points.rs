//! A run as InfluxDB points, and back (the schema of `docs/storage.md`).
//!
//! - `tailguard_run`: one point per run (= one trial of one scenario) at its start time, with
//!   Grafana-friendly fields (percentiles, rps, errors by kind, statuses), the HDR histograms
//!   (`latency_histogram`, …; V2-deflate, base64) and `result`: the run's JSON without its
//!   histograms and timeline, which makes the round trip exact.
//! - `tailguard_request`: one point per request of the mix (tag `request`), with its histograms.
//! - `tailguard_timeline`: one point per second of the run.
//!
//! Every point carries the run's tags, so each run is a series of its own and nothing overwrites
//! anything; within a run, points have distinct timestamps.

use bench_core::result::{Percentiles, RunResult, Summary};
use serde_json::{Map, Value};

use super::line::{Point, Row};
use crate::store::{BranchName, StoreError};

/// Measurement of run points.
pub const RUNS: &str = "tailguard_run";
/// Measurement of per-request points.
pub const REQUESTS: &str = "tailguard_request";
/// Measurement of per-second points.
pub const TIMELINE: &str = "tailguard_timeline";
/// Every measurement, for deletes.
pub const ALL: [&str; 3] = [RUNS, REQUESTS, TIMELINE];

/// The tag names, in the order they are written.
pub const TAGS: [&str; 8] = [
    "scenario", "branch", "commit", "run_id", "trial", "shard", "protocol", "host",
];

const HISTOGRAM: &str = "_histogram";

/// The points of `run`, stored under `branch`.
pub fn encode(branch: &BranchName, run: &RunResult) -> Result<Vec<Point>, StoreError> {
    let t0 = start_ns(run)?;
    let mut json = serde_json::to_value(run)?;
    let tagged = |measurement, t| {
        let env = &run.meta.environment;
        let shard = run
            .meta
            .shard
            .map(|s| format!("{}/{}", s.index, s.count))
            .unwrap_or_default();
        Point::new(measurement, t)
            .tag("scenario", &run.meta.scenario)
            .tag("branch", branch.as_str())
            .tag("commit", env.git_commit.as_deref().unwrap_or(""))
            .tag("run_id", &run.meta.run_id)
            .tag("trial", &run.meta.trial.unwrap_or(0).to_string())
            .tag("shard", &shard)
            .tag("protocol", &run.meta.protocol)
            .tag("host", &env.host)
    };
    let mut p = tagged(RUNS, t0);
    p.float("duration_s", run.duration_s);
    if let Some(u) = &run.service {
        service_usage(&mut p, u);
    }
    let mut points = Vec::new();
    // A micro-benchmark or instruction counts measured no load: `result` carries what it did.
    if let Some(m) = run.measurement() {
        load_fields(&mut p, &m.summary);
        histograms(&mut p, json.get_mut("histograms").map(Value::take));
        if let Some(obj) = json.as_object_mut() {
            obj.remove("timeline");
        }
        for (i, (r, rj)) in m.requests.iter().zip(requests_mut(&mut json)).enumerate() {
            let mut q = tagged(REQUESTS, t0 + i as i64).tag("request", &r.name);
            q.int("index", i as u64);
            percentiles(&mut q, "", &r.latency_us);
            percentiles(&mut q, "service_", &r.service_time_us);
            q.int("requests", r.requests);
            q.int("errors", r.errors);
            q.int("messages", r.messages);
            histograms(&mut q, rj.get_mut("histograms").map(Value::take));
            if let Some(obj) = rj.as_object_mut() {
                obj.remove("histograms");
            }
            points.push(q);
        }
        for tp in &m.timeline {
            let t = t0.saturating_add(i64::try_from(tp.second).unwrap_or(0) * 1_000_000_000);
            let mut q = tagged(TIMELINE, t);
            if let Value::Object(fields) = serde_json::to_value(tp)? {
                for (k, v) in fields {
                    scalar(&mut q, &k, &v);
                }
            }
            points.push(q);
        }
    }
    p.str("result", &json.to_string());
    points.insert(0, p);
    Ok(points)
}

/// A load run's headline numbers as fields, for dashboards.
fn load_fields(p: &mut Point, s: &Summary) {
    percentiles(p, "", &s.latency_us);
    percentiles(p, "service_", &s.service_time_us);
    p.int("requests", s.requests);
    p.int("errors", s.errors);
    p.float("error_rate", s.error_rate);
    p.float("rps", s.rps);
    if let Some(t) = s.target_rps {
        p.float("target_rps", t);
    }
    p.int("late", s.late);
    p.int("bytes", s.bytes);
    for (kind, e) in &s.errors_by_kind {
        p.int(format!("errors_{kind}"), e.count);
    }
    for (status, n) in &s.statuses {
        p.int(format!("status_{status}"), *n);
    }
}

/// Rebuild a run from its run point, its request points and its timeline points.
pub fn decode(run: &Row, requests: &[Row], timeline: &[Row]) -> Result<RunResult, StoreError> {
    let id = run.take_str("run_id").unwrap_or_default();
    let corrupt = |detail: &str| StoreError::Corrupt {
        what: format!("run {id:?} in InfluxDB"),
        detail: detail.to_owned(),
    };
    let blob = run
        .take_str("result")
        .ok_or_else(|| corrupt("no `result` field"))?;
    let mut json: Value =
        serde_json::from_str(&blob).map_err(|e| corrupt(&format!("`result`: {e}")))?;
    let obj = json
        .as_object_mut()
        .ok_or_else(|| corrupt("`result` is not an object"))?;
    // Only a run with a load measurement (a `summary`) had its histograms and timeline split off.
    if obj.contains_key("summary") {
        obj.insert("histograms".into(), histogram_object(run));
        let mut points: Vec<Value> = timeline.iter().map(fields_object).collect();
        points.sort_by_key(|p| p.get("second").and_then(Value::as_u64));
        obj.insert("timeline".into(), Value::Array(points));
    }
    let reqs = requests_mut(&mut json);
    for row in requests {
        let i = row
            .int("index")
            .and_then(|i| usize::try_from(i).ok())
            .ok_or_else(|| corrupt("request point without `index`"))?;
        let slot = reqs
            .get_mut(i)
            .and_then(Value::as_object_mut)
            .ok_or_else(|| corrupt(&format!("request point {i} beyond the run's requests")))?;
        slot.insert("histograms".into(), histogram_object(row));
    }
    Ok(RunResult::from_json(
        &json.to_string(),
        &format!("run {id} in InfluxDB"),
    )?)
}

/// Whether two rows belong to the same shard of a run (the shards of one run share its id).
#[must_use]
pub fn same_shard(a: &Row, b: &Row) -> bool {
    a.take_str("shard") == b.take_str("shard")
}

/// Nanoseconds since the epoch of the run's start.
pub fn start_ns(run: &RunResult) -> Result<i64, StoreError> {
    let t = humantime::parse_rfc3339(&run.started_at).map_err(|e| StoreError::Corrupt {
        what: format!("run {}", run.meta.run_id),
        detail: format!("started_at {:?}: {e}", run.started_at),
    })?;
    let ns = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    Ok(i64::try_from(ns).unwrap_or(i64::MAX))
}

/// The service's own resources (the gate's `--*-cmd`/`--*-pid`), for dashboards; the run's JSON
/// in `result` carries them for the round trip.
fn service_usage(p: &mut Point, u: &bench_core::service_usage::ServiceUsage) {
    p.int("service_cpu_us", u.cpu_us);
    p.int("service_user_us", u.user_us);
    p.int("service_system_us", u.system_us);
    if let Some(v) = u.cpu_us_per_request {
        p.float("service_cpu_us_per_request", v);
    }
    p.int("service_peak_rss_kib", u.peak_rss_kib);
    p.int("service_voluntary_switches", u.voluntary_switches);
    p.int("service_involuntary_switches", u.involuntary_switches);
}

fn percentiles(p: &mut Point, prefix: &str, v: &Percentiles) {
    for (name, value) in [
        ("p50", v.p50),
        ("p90", v.p90),
        ("p95", v.p95),
        ("p99", v.p99),
        ("p999", v.p999),
        ("max", v.max),
    ] {
        p.int(format!("{prefix}{name}_us"), value);
    }
    p.float(format!("{prefix}mean_us"), v.mean);
}

/// `{"latency": "…", …}` → fields `latency_histogram`, ….
fn histograms(p: &mut Point, h: Option<Value>) {
    if let Some(Value::Object(h)) = h {
        for (name, v) in h {
            if let Value::String(s) = v {
                p.str(&format!("{name}{HISTOGRAM}"), &s);
            }
        }
    }
}

fn histogram_object(row: &Row) -> Value {
    let mut out = Map::new();
    for name in row.with_suffix(HISTOGRAM) {
        if let Some(s) = row.take_str(&format!("{name}{HISTOGRAM}")) {
            out.insert(name.to_owned(), Value::String(s));
        }
    }
    Value::Object(out)
}

fn scalar(p: &mut Point, key: &str, v: &Value) {
    match v {
        Value::Number(n) if n.is_u64() => p.int(key, n.as_u64().unwrap_or(0)),
        Value::Number(n) => p.float(key, n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => p.str(key, s),
        Value::Bool(b) => p.int(key, u64::from(*b)),
        _ => {}
    }
}

/// A timeline row as the JSON object it was written from (tags and `time` left out; string
/// chunks joined).
fn fields_object(row: &Row) -> Value {
    let mut out = Map::new();
    for (k, v) in &row.0 {
        if k == "time" || TAGS.contains(&k.as_str()) || is_continuation(row, k) {
            continue;
        }
        let v = match v {
            Value::String(_) => row.take_str(k).map_or(Value::Null, Value::String),
            other => other.clone(),
        };
        out.insert(k.clone(), v);
    }
    Value::Object(out)
}

/// `name_2`, `name_3`, … of a chunked string `name`.
fn is_continuation(row: &Row, key: &str) -> bool {
    key.rsplit_once('_').is_some_and(|(base, n)| {
        n.parse::<u32>().is_ok_and(|n| n >= 2) && row.0.get(base).is_some_and(Value::is_string)
    })
}

fn requests_mut(json: &mut Value) -> &mut [Value] {
    match json.get_mut("requests") {
        Some(Value::Array(a)) => a,
        _ => &mut [],
    }
}
