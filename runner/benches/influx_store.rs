//! InfluxDB store throughput: points per second written, and the time to store and to load a
//! 60-second run, against a real `influxd` started on a free loopback port (as the tests do).
//!
//! `cargo bench -p tailguard --bench influx_store` (needs `influxd` on PATH: `apt-get install
//! influxdb`). The run is a real 2-second run of the demo target whose timeline is stretched to
//! 60 one-second points (each with its own histogram), i.e. the shape of a 60 s run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant, SystemTime};

use bench_core::result::{rfc3339, RunResult};
use common::influxd::Influxd;
use tailguard::store::influx::config::InfluxConfig;
use tailguard::store::influx::{line, points, Api, InfluxStore};
use tailguard::store::spool::Spool;
use tailguard::store::{BranchName, Store};
use tailguard_demo::DemoConfig;

fn stretched(run: &RunResult, seconds: u64, id: &str) -> RunResult {
    let mut r = run.clone();
    let m = r.measurement_mut().expect("a load run");
    let second = m.timeline[0].clone();
    m.timeline = (0..seconds)
        .map(|s| {
            let mut p = second.clone();
            p.second = s;
            p
        })
        .collect();
    r.duration_s = seconds as f64;
    r.meta.run_id = id.into();
    r
}

fn real_run(dir: &std::path::Path) -> RunResult {
    let server = common::demo(DemoConfig::default());
    let path = dir.join("s.toml");
    std::fs::write(&path, common::mix_scenario("bench-60s", 1000)).unwrap();
    common::run_to_json(&path, &server.url(), &dir.join("r.json"))
}

fn main() {
    let influx = Influxd::start();
    influx.create_db("bench");
    let dir = tempfile::tempdir().unwrap();
    let real = real_run(dir.path());
    let run = stretched(&real, 60, "bench");
    let config = InfluxConfig::new(&influx.url(), None, None, None).unwrap();
    let api = Api::V1 {
        db: "bench".into(),
        rp: None,
    };
    let st = InfluxStore::new(config, api, Spool::new(dir.path().join("spool"))).unwrap();
    let main = BranchName::new("main").unwrap();
    let per_run = points::encode(&main, &run).unwrap().len();
    let bytes = line::body(&points::encode(&main, &run).unwrap()).len();

    let runs = 30;
    let mut store = Vec::new();
    let mut encode = Duration::ZERO;
    for i in 0..runs {
        let mut r = run.clone();
        r.meta.run_id = format!("bench-{i}");
        r.started_at =
            rfc3339(SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000 + i * 120));
        let t = Instant::now();
        let body = line::body(&points::encode(&main, &r).unwrap());
        encode += t.elapsed();
        drop(body);
        let t = Instant::now();
        let saved = st.save(&main, &r).unwrap();
        assert!(saved.warning.is_none(), "{saved:?}");
        store.push(t.elapsed());
    }
    let mut load = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let back = st.baseline(&main, "bench-60s", 1).unwrap();
        load.push(t.elapsed());
        assert_eq!(
            back[0].measurement().expect("a load run").timeline.len(),
            60
        );
    }
    let t = Instant::now();
    let five = st.baseline(&main, "bench-60s", 5).unwrap();
    let load5 = t.elapsed();
    assert_eq!(five.len(), 5);
    // A one-hour run (3,600 timeline points: one bulk write in 5,000-line batches).
    let mut hour = stretched(&real, 3600, "bench-hour");
    hour.meta.scenario = "bench-hour".into();
    let hour_points = points::encode(&main, &hour).unwrap().len();
    let t = Instant::now();
    assert!(st.save(&main, &hour).unwrap().warning.is_none());
    let hour_store = t.elapsed();
    let t = Instant::now();
    assert_eq!(st.baseline(&main, "bench-hour", 1).unwrap()[0], hour);
    let hour_load = t.elapsed();
    println!(
        "store a 1 h run ({hour_points} points): {:.0} ms = {:.0} points/s; load it: {:.0} ms",
        hour_store.as_secs_f64() * 1e3,
        hour_points as f64 / hour_store.as_secs_f64(),
        hour_load.as_secs_f64() * 1e3
    );
    store.sort();
    load.sort();
    let median = |v: &[Duration]| v[v.len() / 2].as_secs_f64() * 1e3;
    let total: f64 = store.iter().map(Duration::as_secs_f64).sum();
    println!("points per 60 s run: {per_run} ({bytes} bytes of line protocol)");
    println!(
        "store a 60 s run: median {:.1} ms (min {:.1}, max {:.1}) over {runs} runs; encoding {:.2} ms of it",
        median(&store),
        store[0].as_secs_f64() * 1e3,
        store[store.len() - 1].as_secs_f64() * 1e3,
        encode.as_secs_f64() * 1e3 / runs as f64
    );
    println!(
        "points written per second: {:.0}",
        (per_run * runs as usize) as f64 / total
    );
    println!(
        "load a 60 s run: median {:.1} ms (min {:.1}, max {:.1}) over 10 loads; 5 runs (a baseline): {:.1} ms",
        median(&load),
        load[0].as_secs_f64() * 1e3,
        load[load.len() - 1].as_secs_f64() * 1e3,
        load5.as_secs_f64() * 1e3
    );
}
