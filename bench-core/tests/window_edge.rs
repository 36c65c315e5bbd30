//! The edges of the measured window, with in-process drivers (no network): a call due before
//! the end that a loaded generator sends a little late is sent, not `unsent`; one delayed past
//! the send grace is `unsent` and never sent; `rps` is over the window, not over the time to the
//! last completion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bench_core::driver::{Connector, Driver, Outcome};
use bench_core::pacer::LoadModel;
use bench_core::schedule::{Arrival, Rate, RateProfile};
use bench_core::{engine, Cancel, RunConfig, RunMeta, RunResult};

/// What the drivers do and saw, shared by every driver of a run.
#[derive(Debug, Default)]
struct Shared {
    /// Once a call comes this long after the first, the thread is blocked for `block_for`
    /// (a generator busy with something else: CPU, another task).
    block_after: Option<Duration>,
    block_for: Duration,
    /// Every call answers after this long (on the timer; the thread stays free).
    answer_after: Duration,
    first: Mutex<Option<Instant>>,
    last: Mutex<Option<Instant>>,
    blocked: AtomicBool,
    calls: AtomicU64,
}

#[derive(Debug)]
struct Local(Arc<Shared>);

impl Driver for Local {
    async fn call(&mut self, _request: usize) -> Outcome {
        let s = &self.0;
        let now = Instant::now();
        s.calls.fetch_add(1, Ordering::SeqCst);
        let first = *s.first.lock().unwrap().get_or_insert(now);
        *s.last.lock().unwrap() = Some(now);
        if let Some(after) = s.block_after {
            if now - first >= after && !s.blocked.swap(true, Ordering::SeqCst) {
                std::thread::sleep(s.block_for); // blocks every worker of this thread
            }
        }
        if !s.answer_after.is_zero() {
            tokio::time::sleep(s.answer_after).await;
        }
        Outcome::http(200, 0)
    }
    fn reset(&mut self) {}
}

#[derive(Debug)]
struct LocalConnector(Arc<Shared>);

impl Connector for LocalConnector {
    type Driver = Local;
    fn drivers(&self, streams: usize) -> Vec<Local> {
        (0..streams).map(|_| Local(self.0.clone())).collect()
    }
    fn request_names(&self) -> Vec<String> {
        vec!["local".into()]
    }
}

/// 100 req/s for 1 s on one thread.
fn run(shared: &Arc<Shared>, connections: usize, cancel: &Cancel) -> RunResult {
    let config = RunConfig {
        model: LoadModel::Open {
            profile: RateProfile::constant(Rate::new(100.0).unwrap(), Duration::from_secs(1)),
            arrival: Arrival::Uniform,
        },
        connections,
        threads: 1,
        ..RunConfig::default()
    };
    let connector = Arc::new(LocalConnector(shared.clone()));
    let rec = engine::run(connector, &config, cancel, &mut |_| {}).unwrap();
    RunResult::new(RunMeta::default(), &rec)
}

/// The flake this fixes: the generator's thread is busy for 60 ms from 940 ms into the window,
/// so the calls due in its last 60 ms are sent a few tens of ms after the end. They were due
/// inside the window and their latency counts from their due time: sent, not `unsent`.
#[test]
fn calls_due_before_the_end_and_sent_a_little_late_are_sent() {
    let shared = Arc::new(Shared {
        block_after: Some(Duration::from_millis(940)),
        block_for: Duration::from_millis(60),
        ..Shared::default()
    });
    let r = run(&shared, 8, &Cancel::new());
    let s = r.summary().unwrap();
    assert_eq!(s.errors, 0, "{:?}", s.errors_by_kind);
    assert_eq!(s.requests, 100);
    assert_eq!(shared.calls.load(Ordering::SeqCst), 100);
    // The late ones carry the delay in the CO-correct latency, from their due time.
    assert!(s.latency_us.max >= 40_000, "max {}", s.latency_us.max);
}

/// Past the send grace (100 ms) a call due before the end is `unsent` and never sent: a
/// generator blocked for 300 ms from 940 ms does not send the window's last calls at 1.24 s.
#[test]
fn calls_delayed_past_the_send_grace_are_unsent_not_sent() {
    let shared = Arc::new(Shared {
        block_after: Some(Duration::from_millis(940)),
        block_for: Duration::from_millis(300),
        ..Shared::default()
    });
    let r = run(&shared, 8, &Cancel::new());
    let s = r.summary().unwrap();
    assert!(s.unsent >= 3, "{:?}", s.errors_by_kind);
    assert_eq!(s.errors, s.unsent, "{:?}", s.errors_by_kind);
    assert_eq!(s.requests, 100);
    assert_eq!(shared.calls.load(Ordering::SeqCst), 100 - s.unsent);
    let first = shared.first.lock().unwrap().unwrap();
    let last = shared.last.lock().unwrap().unwrap();
    assert!(
        last - first < Duration::from_millis(1_000),
        "{:?}",
        last - first
    );
}

/// `rps` is the calls sent over the measured window: 100 calls due in 1 s, each answered after
/// 300 ms, is 100 req/s — not 100 / 1.3 s (the time to the last completion, drain included).
#[test]
fn rps_is_over_the_measured_window() {
    let shared = Arc::new(Shared {
        answer_after: Duration::from_millis(300),
        ..Shared::default()
    });
    // 30 calls in flight at a time: 64 connections carry them.
    let r = run(&shared, 64, &Cancel::new());
    let s = r.summary().unwrap();
    assert_eq!((s.requests, s.errors), (100, 0), "{:?}", s.errors_by_kind);
    assert!((s.rps - 100.0).abs() < 1.0, "rps {}", s.rps);
    assert!(r.duration_s >= 1.25, "duration_s {}", r.duration_s);
}

/// A cancelled run's window ends at the cancellation: about 50 calls in 0.5 s is 100 req/s.
#[test]
fn rps_of_a_cancelled_run_is_over_the_window_until_the_cancellation() {
    let shared = Arc::new(Shared {
        answer_after: Duration::from_millis(300),
        ..Shared::default()
    });
    let cancel = Cancel::new();
    let c = cancel.clone();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        c.cancel();
    });
    let r = run(&shared, 64, &cancel);
    stopper.join().unwrap();
    assert!(r.cancelled);
    let s = r.summary().unwrap();
    assert!((40..=60).contains(&s.requests), "{}", s.requests);
    assert!((s.rps - 100.0).abs() < 15.0, "rps {}", s.rps);
}
