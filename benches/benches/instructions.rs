//! Instruction-count benches of bench-core's hot paths, run under Valgrind's Callgrind by
//! gungraun: `cargo bench -p tailguard-benches --bench instructions` (needs `valgrind` and
//! `gungraun-runner` of the same version as the `gungraun` crate), then `tailguard instructions`
//! to gate their summaries (docs/cargo-bench.md). Each benchmark runs its function once; the
//! setup (building inputs) is not counted.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use bench_core::template::{Names, Sources, Template};
use bench_core::LatencyHistogram;
use gungraun::{
    library_benchmark, library_benchmark_group, main, Callgrind, LibraryBenchmarkConfig,
};
use rand::rngs::SmallRng;
use rand::SeedableRng;
use tailguard::store::influx::line::{self, Point};

/// A histogram holding a run's worth of latencies (1–3 ms, a tail to 200 ms), and the next 1,000.
fn histogram_and_latencies() -> (LatencyHistogram, Vec<u64>) {
    let latency =
        |i: u64| 1_000 + (i * 7_919) % 2_000 + if i.is_multiple_of(100) { 200_000 } else { 0 };
    let mut h = LatencyHistogram::new();
    for i in 0..10_000 {
        h.record_us(latency(i));
    }
    (h, (10_000..11_000).map(latency).collect())
}

// Record 1,000 latencies into an HDR histogram.
#[library_benchmark]
#[bench::thousand(setup = histogram_and_latencies)]
fn hdr_record((mut h, values): (LatencyHistogram, Vec<u64>)) -> LatencyHistogram {
    for v in values {
        h.record_us(black_box(v));
    }
    h
}

const REQUEST: &[u8] = b"GET /users/42 HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n";
const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
date: Sun, 29 Nov 2026 21:00:00 GMT\r\nserver: demo\r\ncontent-length: 27\r\n\r\n\
{\"id\":42,\"name\":\"tailguard\"}";

// One HTTP/1.1 exchange: write the request, parse the response head, count the body.
#[library_benchmark]
#[bench::keep_alive_200(RESPONSE)]
fn h1_exchange(response: &[u8]) -> Option<(u16, u64)> {
    bench_core::driver::h1_exchange_in_memory(black_box(REQUEST), black_box(response))
}

fn template_and_sources() -> (Template, Sources, SmallRng) {
    let t = Template::text(
        "/users/{{seq}}/posts/{{random_int 1 1000}}?trace={{uuid}}",
        Names::default(),
    )
    .unwrap();
    (t, Sources::default(), SmallRng::seed_from_u64(7))
}

// Render a path template with a sequence number, a random integer and a UUID, 100 times.
#[library_benchmark]
#[bench::path_100(setup = template_and_sources)]
fn template_render((t, sources, mut rng): (Template, Sources, SmallRng)) -> usize {
    let mut out = String::with_capacity(128);
    let mut total = 0;
    for _ in 0..100 {
        out.clear();
        let mut values = sources.draw(t.needs(), &mut rng);
        t.render(&mut values, &mut out);
        total += black_box(&out).len();
    }
    total
}

fn points() -> Vec<Point> {
    (0..100)
        .map(|i| {
            let mut p = Point::new("tailguard_requests", 1_764_450_000_000_000_000 + i)
                .tag("branch", "main")
                .tag("scenario", "http mix")
                .tag("request", "get user");
            p.int("count", 10_000 + i.unsigned_abs());
            p.float("p99_us", 2_345.678 + i as f64);
            p.float("rps", 1_999.5);
            p.str("run_id", "20261129T210000000Z_1a2086b842e-7745bc84");
            p
        })
        .collect()
}

// Encode 100 points of a stored run as InfluxDB line protocol.
#[library_benchmark]
#[bench::points_100(setup = points)]
fn line_protocol(points: Vec<Point>) -> String {
    line::body(black_box(&points))
}

library_benchmark_group!(
    name = hot_paths,
    benchmarks = [hdr_record, h1_exchange, template_render, line_protocol]
);

main!(
    // Cache simulation adds L1/LL hits and misses and the estimated cycles to the instructions.
    config = LibraryBenchmarkConfig::default().tool(Callgrind::with_args(["--cache-sim=yes"])),
    library_benchmark_groups = hot_paths
);
