//! A run ends on time whatever the target does: the measured window, then a bounded drain;
//! requests due but never sent are counted as `unsent`, calls in flight at the end of the drain
//! as timeouts; a cancelled run goes the same way. Load goes only to servers on 127.0.0.1 that
//! the tests start.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bench_core::driver::http::{HttpConnector, HttpOptions, HttpRequestSpec};
use bench_core::engine::EngineError;
use bench_core::pacer::LoadModel;
use bench_core::schedule::{Arrival, Rate, RateProfile};
use bench_core::{engine, Cancel, RunConfig, RunMeta, RunResult};
use common::raw::{Behaviour, RawServer};
use tailguard_demo::DemoConfig;

fn connector(url: &str) -> Arc<HttpConnector> {
    let spec = HttpRequestSpec {
        name: "root".into(),
        method: "GET".into(),
        path: "/".into(),
        ..Default::default()
    };
    Arc::new(HttpConnector::new(url, &[spec], &HttpOptions::default()).unwrap())
}

fn open(rate: f64, duration: Duration) -> LoadModel {
    LoadModel::Open {
        profile: RateProfile::constant(Rate::new(rate).unwrap(), duration),
        arrival: Arrival::Uniform,
    }
}

/// Run and time it; the result and the wall-clock time the run took.
fn timed_run(url: &str, config: &RunConfig, cancel: &Cancel) -> (RunResult, Duration) {
    let t0 = Instant::now();
    let rec = engine::run(connector(url), config, cancel, &mut |_| {}).unwrap();
    (RunResult::new(RunMeta::default(), &rec), t0.elapsed())
}

fn count(r: &RunResult, kind: &str) -> u64 {
    r.summary()
        .unwrap()
        .errors_by_kind
        .get(kind)
        .map_or(0, |e| e.count)
}

/// The README's example settings (200 req/s for 10 s after a 1 s warm-up, 16 connections, the
/// default 30 s timeout) against a target that accepts connections and never answers: it used
/// to run for about an hour (each queued request waited for a connection, then its timeout).
/// Now it ends after the window plus the default 5 s drain, and every due request is counted.
#[test]
fn hung_target_with_readme_settings_ends_after_window_and_drain() {
    let server = RawServer::start(Behaviour::Hang, Duration::from_secs(60));
    let config = RunConfig {
        model: open(200.0, Duration::from_secs(10)),
        warmup: Duration::from_secs(1),
        connections: 16,
        threads: 2,
        ..RunConfig::default()
    };
    let (r, took) = timed_run(&server.url(), &config, &Cancel::new());
    assert!(took < Duration::from_secs(11 + 5 + 3), "took {took:?}");
    assert!(took >= Duration::from_secs(11 + 5), "took {took:?}");
    let s = r.summary().unwrap();
    // The 16 connections hang on warm-up calls; every measured request is due but never sent.
    assert!(s.unsent >= 1_950, "unsent {}", s.unsent);
    assert_eq!(s.requests, s.unsent + count(&r, "timeout"), "{s:?}");
    assert_eq!(s.errors, s.requests);
    assert_eq!(count(&r, "unsent"), s.unsent);
    // Unsent requests enter the CO-correct histogram from their due time to the window's end:
    // the median one waited about half the window.
    assert!(s.latency_us.p50 >= 4_000_000, "p50 {}", s.latency_us.p50);
    assert!(s.rps < 1.0, "nothing was achieved: rps {}", s.rps);
}

/// Without warm-up the calls in flight at the end of the drain are measured: they count as
/// timeouts, the rest as unsent, and nothing is sent after the window.
#[test]
fn calls_in_flight_at_the_end_of_the_drain_are_timeouts() {
    let server = RawServer::start(Behaviour::Hang, Duration::from_secs(30));
    let config = RunConfig {
        model: open(100.0, Duration::from_secs(2)),
        connections: 4,
        threads: 1,
        drain: Duration::from_secs(1),
        ..RunConfig::default()
    };
    let (r, took) = timed_run(&server.url(), &config, &Cancel::new());
    assert!(took < Duration::from_secs(2 + 1 + 3), "took {took:?}");
    assert_eq!(
        count(&r, "timeout"),
        4,
        "{:?}",
        r.summary().unwrap().errors_by_kind
    );
    assert!(
        (190..=200).contains(&r.summary().unwrap().unsent),
        "{}",
        r.summary().unwrap().unsent
    );
    assert_eq!(
        r.summary().unwrap().requests,
        4 + r.summary().unwrap().unsent
    );
    assert_eq!(
        server.accepted.load(std::sync::atomic::Ordering::SeqCst),
        4,
        "queued requests were not sent on fresh connections after the window"
    );
}

/// Ctrl-C against a hung target: the partial result counts what was due and what was in flight
/// instead of reading `requests 0, errors 0`.
#[test]
fn cancelled_run_of_a_hung_target_counts_unsent_and_in_flight() {
    let server = RawServer::start(Behaviour::Hang, Duration::from_secs(30));
    let config = RunConfig {
        model: open(100.0, Duration::from_secs(30)),
        connections: 4,
        threads: 1,
        drain: Duration::from_millis(500),
        ..RunConfig::default()
    };
    let cancel = Cancel::new();
    let c = cancel.clone();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(2));
        c.cancel();
    });
    let (r, took) = timed_run(&server.url(), &config, &cancel);
    stopper.join().unwrap();
    assert!(r.cancelled);
    assert!(took < Duration::from_secs(2 + 1 + 3), "took {took:?}");
    assert_eq!(
        count(&r, "timeout"),
        4,
        "{:?}",
        r.summary().unwrap().errors_by_kind
    );
    // About 2 s of 100 req/s were due; the 4 in flight are timeouts, the rest unsent.
    assert!(
        (150..=260).contains(&r.summary().unwrap().unsent),
        "{}",
        r.summary().unwrap().unsent
    );
    assert_eq!(
        r.summary().unwrap().requests,
        r.summary().unwrap().unsent + 4
    );
    assert!(r.duration_s < 4.0, "duration {}", r.duration_s);
}

/// A rate far beyond what the connections can carry still ends on time: the queue is counted as
/// unsent (estimated past a million per thread), not sent one by one after the window.
#[test]
fn huge_rate_ends_on_time_and_counts_the_queue() {
    let server = common::demo(DemoConfig::default());
    let config = RunConfig {
        model: open(10_000_000.0, Duration::from_secs(1)),
        connections: 64,
        threads: 1,
        drain: Duration::from_secs(1),
        ..RunConfig::default()
    };
    let (r, took) = timed_run(&server.url(), &config, &Cancel::new());
    assert!(took < Duration::from_secs(1 + 1 + 4), "took {took:?}");
    let s = r.summary().unwrap();
    assert!(
        (s.requests as f64 - 1e7).abs() < 0.05e7,
        "every due request is counted: {}",
        s.requests
    );
    assert!(s.unsent > 9_000_000, "unsent {}", s.unsent);
    assert_eq!(s.errors, s.unsent, "{:?}", s.errors_by_kind);
}

/// `rate = 1e12` cannot be carried by any realistic number of connections: refused before any
/// load, naming the requests asked for and the most the connections can carry.
#[test]
fn absurd_rate_is_refused_before_load_naming_both_numbers() {
    let server = RawServer::start(Behaviour::Hang, Duration::from_secs(10));
    let config = RunConfig {
        model: open(1e12, Duration::from_secs(10)),
        connections: 50,
        ..RunConfig::default()
    };
    let t0 = Instant::now();
    let err = engine::run(
        connector(&server.url()),
        &config,
        &Cancel::new(),
        &mut |_| {},
    )
    .expect_err("refused");
    assert!(t0.elapsed() < Duration::from_secs(1));
    assert!(matches!(err, EngineError::Capacity(_)), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("10000000000000 requests"), "{msg}");
    // 50 connections × (10 s + 5 s drain) / 10 µs per call.
    assert!(msg.contains("at most 75000000"), "{msg}");
    assert_eq!(server.accepted.load(std::sync::atomic::Ordering::SeqCst), 0);
}

/// More connections than file descriptors: refused before any load, naming both numbers.
#[test]
fn connections_beyond_the_file_descriptor_limit_are_refused() {
    let limit = rlimit_hard();
    let connections = usize::try_from(limit).unwrap_or(usize::MAX / 2) + 1;
    let config = RunConfig {
        model: open(10.0, Duration::from_secs(1)),
        connections,
        ..RunConfig::default()
    };
    let err = engine::run(
        connector("http://127.0.0.1:9"),
        &config,
        &Cancel::new(),
        &mut |_| {},
    )
    .expect_err("refused");
    let msg = err.to_string();
    assert!(msg.contains(&connections.to_string()), "{msg}");
    assert!(msg.contains(&limit.to_string()), "{msg}");
    assert!(msg.contains("RLIMIT_NOFILE"), "{msg}");
}

fn rlimit_hard() -> u64 {
    let text = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    line.split_whitespace().nth(4).unwrap().parse().unwrap()
}
