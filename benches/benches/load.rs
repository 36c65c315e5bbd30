//! A load bench (`harness = false`): bench-core drives the demo target on loopback for a few
//! seconds and writes a `RunResult`, which `tailguard compare` gates like any run.
//! `cargo bench -p tailguard-benches --bench load` (writes target/tailguard-load/load-http.json,
//! or the file named by TAILGUARD_LOAD_OUT).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bench_core::driver::http::{HttpConnector, HttpOptions, HttpRequestSpec};
use bench_core::pacer::{LoadModel, StopCondition};
use bench_core::result::{new_run_id, RunMeta, RunResult};
use bench_core::schedule::{Arrival, Rate, RateProfile};
use bench_core::{Cancel, Environment, RunConfig};
use tailguard_demo::{DemoConfig, DemoServer};

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run briefly then.
    let quick = !std::env::args().any(|a| a == "--bench");
    let server = DemoServer::spawn(
        "127.0.0.1:0".parse().unwrap(),
        DemoConfig {
            delay: Duration::from_millis(2),
            ..DemoConfig::default()
        },
    )
    .unwrap();
    let spec = HttpRequestSpec {
        name: "get".into(),
        method: "GET".into(),
        path: "/".into(),
        ..HttpRequestSpec::default()
    };
    let connector = HttpConnector::new(&server.url(), &[spec], &HttpOptions::default()).unwrap();
    let duration = Duration::from_secs(if quick { 1 } else { 5 });
    let config = RunConfig {
        model: LoadModel::Open {
            profile: RateProfile::constant(Rate::new(2_000.0).unwrap(), duration),
            arrival: Arrival::Uniform,
        },
        stop: StopCondition::default(),
        warmup: Duration::from_millis(500),
        connections: 32,
        ..RunConfig::default()
    };
    let recording =
        bench_core::run(Arc::new(connector), &config, &Cancel::new(), &mut |_| {}).unwrap();
    server.shutdown();
    let meta = RunMeta {
        run_id: new_run_id(),
        scenario: "load-http".into(),
        protocol: "http".into(),
        environment: Environment::detect(),
        ..RunMeta::default()
    };
    let result = RunResult::new(meta, &recording);
    let out = std::env::var_os("TAILGUARD_LOAD_OUT").map_or_else(
        || {
            let target =
                std::env::var_os("CARGO_TARGET_DIR").map_or("target".into(), PathBuf::from);
            target.join("tailguard-load/load-http.json")
        },
        PathBuf::from,
    );
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    std::fs::write(&out, result.to_json().unwrap()).unwrap();
    let s = result.summary().expect("a load run has a summary");
    println!(
        "load-http: {} requests at {:.0} req/s, p50 {} µs, p99 {} µs, {} errors -> {}",
        s.requests,
        s.rps,
        s.latency_us.p50,
        s.latency_us.p99,
        s.errors,
        out.display()
    );
    assert_eq!(s.errors, 0);
}
