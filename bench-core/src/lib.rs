//! # bench-core — tailguard's load-generation core
//!
//! Drives realistic load at high concurrency and measures latency correctly:
//!
//! * **Pacing** ([`pacer`], [`schedule`]): an open model (constant rate, ramping stages, optional
//!   Poisson arrivals) or a closed model (N workers with think time), composed with a stop
//!   condition (duration or request count) and a warm-up whose samples are discarded.
//! * **Coordinated-omission-correct recording** ([`recorder`]): every request has a *due* time.
//!   Its latency is `completion − due`, even when it could only be sent later because every
//!   connection was busy; a second histogram keeps the service time `completion − send`. Requests
//!   sent late are counted, never dropped.
//! * **Drivers** ([`driver`]): HTTP/1.1 keep-alive and HTTP/2 over TCP or rustls, GraphQL (with
//!   batches and persisted queries) on the HTTP driver, and gRPC (unary and server streaming,
//!   dynamic messages from `.proto` files or server reflection) on its HTTP/2 path, behind a
//!   small [`driver::Driver`] trait.
//! * **Per-request data** ([`template`], [`feeder`]): `{{seq}}`, `{{uuid}}`,
//!   `{{random_int a b}}` and CSV / JSON-lines columns, rendered per call.
//! * **Engine** ([`engine`]): a few OS threads, each with a single-threaded tokio runtime, its own
//!   connections and its own histograms; nothing is shared in the hot path. One-second interval
//!   histograms flow to a collector for progress and the [`timeline`].
//! * **Step loads** ([`steps`], [`saturation`]): the offered load stepped through levels (rate or
//!   workers), one engine run per level, and the analysis that finds the saturation point, the
//!   knee and the failure signature above it.
//! * **Results** ([`result`]): a versioned, serde-serialisable [`RunResult`] whose kind carries
//!   what the run measured — a load run's [`result::Measurement`] keeps HDR histograms in
//!   V2-deflate base64, so runs can be stored, merged ([`result::MeasurementSum`]) and compared
//!   exactly; a micro-benchmark keeps its samples and has no latency percentiles.
//!
//! ## Example
//!
//! Run 200 req/s for one second against a server and read the CO-correct p99:
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Duration;
//! use bench_core::{engine, Cancel, RunConfig, RunMeta, RunResult};
//! use bench_core::driver::http::{HttpConnector, HttpOptions, HttpRequestSpec};
//! use bench_core::pacer::LoadModel;
//! use bench_core::schedule::{Arrival, Rate, RateProfile};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let request = HttpRequestSpec { name: "root".into(), method: "GET".into(), path: "/".into(), ..Default::default() };
//! let connector = HttpConnector::new("http://127.0.0.1:8080", &[request], &HttpOptions::default())?;
//! let config = RunConfig {
//!     model: LoadModel::Open {
//!         profile: RateProfile::constant(Rate::new(200.0).ok_or("rate")?, Duration::from_secs(1)),
//!         arrival: Arrival::Uniform,
//!     },
//!     connections: 8,
//!     ..RunConfig::default()
//! };
//! let recording = engine::run(Arc::new(connector), &config, &Cancel::new(), &mut |_| {})?;
//! let result = RunResult::new(RunMeta { scenario: "example".into(), ..Default::default() }, &recording);
//! let summary = result.summary().ok_or("a load run has a summary")?;
//! println!("p99 = {} µs over {} requests", summary.latency_us.p99, summary.requests);
//! # Ok(()) }
//! ```
//!
//! A runnable version is `cargo run -p bench-core --example quickstart`.
//!
//! ## Panics and errors
//!
//! No public function is meant to panic on any input: `unwrap`, `expect` and `todo!` are denied
//! outside tests, durations read from files are capped at a year
//! ([`duration_serde::MAX`]) so deadlines computed from them cannot overflow, and histograms
//! saturate instead of rejecting a value. A panic is a bug; please report it.
//!
//! Every fallible function returns a [`thiserror`](https://docs.rs/thiserror) error of its own
//! module, whose variants carry the offending value (field, text, file, request) and whose
//! `Display` is the message tailguard shows. Errors never quote a secret (a proxy password, a
//! `${VAR}` value). Most enums are `#[non_exhaustive]`: match them with a wildcard arm.
//!
//! | Part | Functions | Error |
//! |------|-----------|-------|
//! | Scenario files | [`Scenario::load`] and friends | [`scenario::ScenarioError`] (file, line, field) |
//! | … their parts | `[gate]`, `slo`, `must_sustain`, `${VAR}` | [`scenario::gate::GateError`], [`scenario::slo::SloError`], [`saturation::RequirementError`], [`scenario::InterpolateError`] |
//! | Templates | [`template::Template::text`], [`template::Template::json`] | [`template::TemplateError`] |
//! | Data feeders | [`feeder`] | [`feeder::FeederError`] |
//! | Drivers | connectors' `new`, [`driver::AnyConnector::probe`] | [`driver::ConnectorError`], [`driver::EndpointError`], [`driver::http::HttpError`], [`driver::grpc::GrpcError`], [`driver::tls::TlsError`] |
//! | Connections | [`driver::proxy::Proxy::parse`], [`driver::proxy::Proxy::tunnel`], [`driver::route::Hosts::parse`] | [`driver::proxy::ProxyError`], [`driver::proxy::TunnelError`], [`driver::route::HostsError`] |
//! | Checks and extraction | [`flow::check::Check::judge`], [`flow::extract::Extract::capture`], [`flow::Flows::run_setup`] | [`flow::check::CheckFailure`], [`flow::extract::ExtractError`], [`flow::setup::SetupError`] |
//! | Engine | [`engine::run`] | [`engine::EngineError`] |
//! | Results | [`RunResult`] reading, [`merge`], histograms | [`result::ResultError`], [`merge::MergeError`], [`histogram::HistogramError`] |
//! | Statistics | [`stats`] | [`stats::StatsError`] |
//! | Durations | [`duration_serde::parse`] | [`duration_serde::DurationError`] |
//!
//! A failed *call* under load is not an error of the API: it is counted in the run's results by
//! kind ([`driver::ErrorKind`]) and never stops the run.
//!
//! ## Limitations and caveats
//!
//! * Timers have tokio's 1 ms granularity: a request is sent up to ~1 ms after its due time and
//!   that delay is part of its (CO-correct) latency, so sub-millisecond latencies read high by up
//!   to 1 ms in the latency histogram; the service-time histogram is unaffected.
//! * Histograms cover 1 µs to 1 h at 3 significant digits; longer values saturate.
//! * The open model's arrivals are split between engine threads round-robin; each thread's
//!   connections serve only its share, as in wrk2.
//! * A run stops sending at the end of its measured window (or on [`Cancel::cancel`]) and waits
//!   at most [`RunConfig::drain`] (capped at the timeout) for calls in flight, which then count
//!   as timeouts; requests due but never sent count as `unsent` ([`window`]). Past a million
//!   unsent per thread the rest are estimated from the schedule's spacing.

#![deny(missing_docs)]

mod alarm;
mod dispatch;
pub mod driver;
pub mod duration_serde;
pub mod engine;
mod engine_error;
pub mod environment;
pub mod feeder;
pub mod flow;
pub mod format;
pub mod generator;
mod hdr_input;
pub mod histogram;
mod histogram_error;
mod limits;
pub mod merge;
pub mod pacer;
mod parser_proptests;
pub mod recorder;
pub mod redact;
pub mod result;
mod run_config;
pub mod saturation;
pub mod scenario;
pub mod schedule;
pub mod service_usage;
pub mod stats;
pub mod steps;
mod summary;
pub mod template;
mod thread;
pub mod timeline;
pub mod timer;
mod unsent;
pub mod window;
mod worker;

pub use engine::{run, Progress, Recording, RunConfig, Shard};
pub use environment::Environment;
pub use histogram::LatencyHistogram;
pub use pacer::Cancel;
pub use result::{RunMeta, RunResult};
pub use scenario::Scenario;
