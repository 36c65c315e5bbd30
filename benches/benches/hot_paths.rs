//! criterion benches of bench-core's hot paths: what the generator does for every request.
//! `cargo bench -p tailguard-benches --bench hot_paths`, then `tailguard criterion` to gate them
//! (docs/cargo-bench.md).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use bench_core::driver::http::{HttpConnector, HttpOptions, HttpRequestSpec};
use bench_core::driver::Outcome;
use bench_core::recorder::{Recorder, Sample};
use bench_core::schedule::{Arrival, Rate, RateProfile};
use bench_core::LatencyHistogram;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

/// Latencies spread like a real run: mostly around 1–3 ms, a tail to 200 ms.
fn latencies(n: u64) -> Vec<u64> {
    (0..n)
        .map(|i| 1_000 + (i * 7_919) % 2_000 + if i % 100 == 0 { 200_000 } else { 0 })
        .collect()
}

fn record(c: &mut Criterion) {
    let values = latencies(1024);
    c.bench_function("record/histogram", |b| {
        let mut h = LatencyHistogram::new();
        let mut i = 0;
        b.iter(|| {
            h.record_us(black_box(values[i & 1023]));
            i += 1;
        });
    });
    c.bench_function("record/recorder", |b| {
        let (tx, _rx) = mpsc::channel();
        let start = Instant::now();
        let mut rec = Recorder::new(0, 3, start, tx);
        let ok = Outcome::http(200, 512);
        let mut i = 0u64;
        b.iter(|| {
            let due = start + Duration::from_micros(i);
            let sample = Sample {
                request: (i % 3) as usize,
                due,
                sent: due,
                done: due + Duration::from_micros(values[(i & 1023) as usize]),
                late: false,
            };
            rec.record(black_box(sample), &ok);
            i += 1;
        });
    });
}

fn merge(c: &mut Criterion) {
    let mut a = LatencyHistogram::new();
    let mut b2 = LatencyHistogram::new();
    for (i, v) in latencies(10_000).into_iter().enumerate() {
        if i % 2 == 0 {
            a.record_us(v);
        } else {
            b2.record_us(v * 3);
        }
    }
    c.bench_function("merge/histograms_10k", |b| {
        b.iter_batched_ref(
            || a.clone(),
            |acc| acc.merge(black_box(&b2)),
            BatchSize::SmallInput,
        );
    });
}

fn pace(c: &mut Criterion) {
    let profile = RateProfile::constant(Rate::new(10_000.0).unwrap(), Duration::from_secs(3_600));
    for (name, arrival) in [
        ("pace/uniform", Arrival::Uniform),
        ("pace/poisson", Arrival::Poisson),
    ] {
        c.bench_function(name, |b| {
            let mut arrivals = profile.arrivals(arrival, 7);
            b.iter(|| black_box(arrivals.next()));
        });
    }
}

fn build_request(c: &mut Criterion) {
    let specs = vec![
        HttpRequestSpec {
            name: "get".into(),
            method: "GET".into(),
            path: "/users/42?fields=name,email".into(),
            headers: vec![("authorization".into(), "Bearer abc".into())],
            ..HttpRequestSpec::default()
        },
        HttpRequestSpec {
            name: "post".into(),
            method: "POST".into(),
            path: "/posts".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: br#"{"title":"hello","body":"tailguard"}"#.to_vec(),
        },
    ];
    c.bench_function("build/http_requests", |b| {
        b.iter(|| {
            HttpConnector::new(
                black_box("http://127.0.0.1:8080/api"),
                &specs,
                &HttpOptions::default(),
            )
            .unwrap()
        });
    });
}

criterion_group!(hot_paths, record, merge, pace, build_request);
criterion_main!(hot_paths);
