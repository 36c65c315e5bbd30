//! Drive the engine from Rust: start the demo target on loopback, send 500 req/s for 2 s, print
//! the CO-correct and service-time percentiles, and write the result JSON.
//!
//! `cargo run -p bench-core --example quickstart`

use std::sync::Arc;
use std::time::Duration;

use bench_core::driver::http::{HttpConnector, HttpOptions, HttpRequestSpec};
use bench_core::pacer::LoadModel;
use bench_core::schedule::{Arrival, Rate, RateProfile};
use bench_core::{engine, Cancel, RunConfig, RunMeta, RunResult};
use tailguard_demo::{DemoConfig, DemoServer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = DemoServer::spawn(
        ([127, 0, 0, 1], 0).into(),
        DemoConfig {
            delay: Duration::from_millis(5),
            tail_fraction: 0.02,
            tail_delay: Duration::from_millis(50),
            threads: 1,
            ..DemoConfig::default()
        },
    )?;
    let request = HttpRequestSpec {
        name: "root".into(),
        method: "GET".into(),
        path: "/".into(),
        ..HttpRequestSpec::default()
    };
    let connector = HttpConnector::new(&server.url(), &[request], &HttpOptions::default())?;
    let config = RunConfig {
        model: LoadModel::Open {
            profile: RateProfile::constant(
                Rate::new(500.0).ok_or("bad rate")?,
                Duration::from_secs(2),
            ),
            arrival: Arrival::Poisson,
        },
        warmup: Duration::from_millis(500),
        connections: 16,
        ..RunConfig::default()
    };
    let recording = engine::run(Arc::new(connector), &config, &Cancel::new(), &mut |_| {})?;
    let meta = RunMeta {
        scenario: "quickstart".into(),
        protocol: "http".into(),
        ..RunMeta::default()
    };
    let result = RunResult::new(meta, &recording);
    // A load run always has a measurement (a micro-benchmark's result would not).
    let s = result.summary().ok_or("not a load run")?;
    println!(
        "{} requests at {:.0} req/s, {} errors, {} late",
        s.requests, s.rps, s.errors, s.late
    );
    println!(
        "latency  p50 {} µs  p99 {} µs  max {} µs",
        s.latency_us.p50, s.latency_us.p99, s.latency_us.max
    );
    println!(
        "service  p50 {} µs  p99 {} µs",
        s.service_time_us.p50, s.service_time_us.p99
    );
    let path = std::env::temp_dir().join("tailguard-quickstart.json");
    std::fs::write(&path, result.to_json()?)?;
    println!("wrote {}", path.display());
    Ok(())
}
