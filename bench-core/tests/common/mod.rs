//! Helpers shared by the driver tests: a demo target on loopback and count-limited runs.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::Arc;
use std::time::Duration;

use bench_core::driver::Connector;
use bench_core::pacer::{LoadModel, StopCondition};
use bench_core::result::Measurement;
use bench_core::{engine, Cancel, RunConfig};
use tailguard_demo::{DemoConfig, DemoServer};

pub mod pki;
pub mod redirects;

/// A one-thread runtime and a listener it owns on 127.0.0.1 (a free port): the home of the
/// small servers the TLS and proxy tests start.
pub fn loopback_listener() -> (tokio::runtime::Runtime, tokio::net::TcpListener) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    (rt, listener)
}

/// A demo target on 127.0.0.1 with one server thread.
pub fn demo(cfg: DemoConfig) -> DemoServer {
    DemoServer::spawn(
        "127.0.0.1:0".parse().unwrap(),
        DemoConfig { threads: 1, ..cfg },
    )
    .unwrap()
}

/// `requests` calls from `workers` closed-model workers on one engine thread (at most 60 s).
pub fn run<C: Connector>(
    connector: C,
    requests: u64,
    workers: usize,
    weights: &[f64],
) -> Measurement {
    run_with(connector, requests, workers, 1, weights)
}

/// As [`run`], with `streams` concurrent streams per connection (HTTP/2, gRPC).
pub fn run_with<C: Connector>(
    connector: C,
    requests: u64,
    workers: usize,
    streams: usize,
    weights: &[f64],
) -> Measurement {
    let config = RunConfig {
        model: LoadModel::Closed {
            think_time: Duration::ZERO,
            duration: Duration::from_secs(60),
        },
        stop: StopCondition {
            max_requests: Some(requests),
        },
        connections: workers,
        streams_per_connection: streams,
        threads: 1,
        timeout: Duration::from_secs(10),
        weights: weights.to_vec(),
        ..RunConfig::default()
    };
    let rec = engine::run(Arc::new(connector), &config, &Cancel::new(), &mut |_| {}).unwrap();
    Measurement::of(&rec)
}

/// The error kinds of a result with their counts.
pub fn errors(r: &Measurement) -> Vec<(String, u64)> {
    r.summary
        .errors_by_kind
        .iter()
        .map(|(k, v)| (k.clone(), v.count))
        .collect()
}
#[allow(dead_code)]
pub mod raw;
