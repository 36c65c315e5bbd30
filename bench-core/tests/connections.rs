//! Connections are what the user asked for: kept alive and reused, counted in the result; a
//! connection the server closed is retried once (idempotent requests) and the retry is counted;
//! redirects are counted and flagged; the tool's start-up is never the target's latency.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use bench_core::driver::http::{HttpConnector, HttpOptions, HttpRequestSpec};
use bench_core::driver::{Connector, Driver, Outcome};
use bench_core::pacer::{LoadModel, StopCondition};
use bench_core::result::Measurement;
use bench_core::schedule::{Arrival, Rate, RateProfile};
use bench_core::{engine, Cancel, RunConfig};
use common::raw::{Behaviour, RawServer};
use tailguard_demo::DemoConfig;

fn connector(url: &str, method: &str) -> HttpConnector {
    let spec = HttpRequestSpec {
        name: "root".into(),
        method: method.into(),
        path: "/".into(),
        ..Default::default()
    };
    HttpConnector::new(url, &[spec], &HttpOptions::default()).unwrap()
}

fn open(rate: f64, secs: f64, connections: usize) -> RunConfig {
    RunConfig {
        model: LoadModel::Open {
            profile: RateProfile::constant(Rate::new(rate).unwrap(), Duration::from_secs_f64(secs)),
            arrival: Arrival::Uniform,
        },
        connections,
        threads: 1,
        timeout: Duration::from_secs(5),
        ..RunConfig::default()
    }
}

fn run<C: Connector>(connector: C, config: &RunConfig) -> Measurement {
    let rec = engine::run(Arc::new(connector), config, &Cancel::new(), &mut |_| {}).unwrap();
    Measurement::of(&rec)
}

#[test]
fn keep_alive_connections_are_opened_once_and_reused() {
    let server = common::demo(DemoConfig::default());
    let r = run(connector(&server.url(), "GET"), &open(200.0, 1.0, 4));
    let s = &r.summary;
    assert_eq!(s.errors, 0, "{:?}", s.errors_by_kind);
    let opened = s.connections.opened;
    assert!((1..=4).contains(&opened), "{:?}", s.connections);
    assert_eq!(
        s.connections.reused,
        s.requests - opened,
        "{:?}",
        s.connections
    );
    assert_eq!(s.connections.retried, 0);
}

/// Many connections at a rate the target keeps up with: the most recently used connection
/// takes the next request, so a few warm connections carry the load instead of each of the 64
/// in turn (each then idle for 64 / rate, long enough for servers to close it), and no request
/// is reported as having waited for a free connection.
#[test]
fn many_connections_at_a_low_rate_reuse_a_few_warm_ones() {
    let server = common::demo(DemoConfig::default());
    let r = run(connector(&server.url(), "GET"), &open(50.0, 2.0, 64));
    let s = &r.summary;
    assert_eq!(s.errors, 0, "{:?}", s.errors_by_kind);
    assert!(s.connections.opened <= 4, "{:?}", s.connections);
    assert_eq!(s.late, 0, "no connection was busy");
}

/// A server that closes after each response without `Connection: close`: each next request is
/// written into a closed connection, retried once on a fresh one, and counted — not an error.
#[test]
fn server_closing_after_each_response_is_retried_not_an_error() {
    let server = RawServer::start(Behaviour::CloseAfterEachResponse, Duration::from_secs(30));
    let r = common::run(connector(&server.url(), "GET"), 30, 1, &[]);
    let s = &r.summary;
    assert_eq!(s.errors, 0, "{:?}", s.errors_by_kind);
    assert_eq!(s.requests, 30);
    assert!(s.connections.retried >= 20, "{:?}", s.connections);
    assert!(s.connections.opened >= 30, "{:?}", s.connections);
}

/// A server that closes connections idle for 150 ms, with requests 250 ms apart.
#[test]
fn server_closing_idle_connections_is_retried_not_an_error() {
    let server = RawServer::start(
        Behaviour::IdleClose(Duration::from_millis(150)),
        Duration::from_secs(30),
    );
    let r = run(connector(&server.url(), "GET"), &open(4.0, 2.0, 1));
    let s = &r.summary;
    assert_eq!(s.errors, 0, "{:?}", s.errors_by_kind);
    assert_eq!(s.requests, 8);
    assert!(s.connections.retried >= 5, "{:?}", s.connections);
}

/// A POST is not idempotent: it is never sent twice, so the closed connection is an error.
#[test]
fn non_idempotent_requests_are_not_retried() {
    let server = RawServer::start(Behaviour::CloseAfterEachResponse, Duration::from_secs(30));
    let r = common::run(connector(&server.url(), "POST"), 10, 1, &[]);
    assert_eq!(r.summary.connections.retried, 0);
    assert!(r.summary.errors >= 5, "{:?}", r.summary.errors_by_kind);
}

#[test]
fn redirects_are_counted_and_flagged() {
    let server = RawServer::start(Behaviour::Redirect, Duration::from_secs(30));
    let r = common::run(connector(&server.url(), "GET"), 20, 2, &[]);
    let s = &r.summary;
    assert_eq!(s.statuses.get("302"), Some(&20), "{:?}", s.statuses);
    assert_eq!(s.redirects, 20);
}

/// A connector that takes a long time to make its drivers (a slow tool start-up) and a driver
/// that answers at once.
#[derive(Debug)]
struct SlowStart;

#[derive(Debug)]
struct Instant200;

impl Driver for Instant200 {
    async fn call(&mut self, _request: usize) -> Outcome {
        Outcome::http(200, 0)
    }
    fn reset(&mut self) {}
}

impl Connector for SlowStart {
    type Driver = Instant200;
    fn drivers(&self, streams: usize) -> Vec<Instant200> {
        std::thread::sleep(Duration::from_millis(300));
        (0..streams).map(|_| Instant200).collect()
    }
    fn request_names(&self) -> Vec<String> {
        vec!["instant".into()]
    }
}

/// The clock for intended start times starts when the workers are ready: 600 ms of start-up
/// must not show up as latency of the first requests.
#[test]
fn tool_start_up_is_not_recorded_as_latency() {
    let config = RunConfig {
        stop: StopCondition::default(),
        ..open(100.0, 1.0, 2)
    };
    let r = run(SlowStart, &config);
    assert_eq!(r.summary.requests, 100);
    assert!(
        r.summary.latency_us.max < 50_000,
        "max latency {} µs",
        r.summary.latency_us.max
    );
}
