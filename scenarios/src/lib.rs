//! `tailguard-demo`: a small, deliberately misbehaving HTTP, GraphQL and gRPC
//! target service for tailguard's docs, tests, the `tailguard demo` command and CI.
//!
//! The server speaks HTTP/1.1 (keep-alive) and HTTP/2 with prior knowledge
//! (h2c) on the same port, and it only ever binds to loopback addresses
//! (`127.0.0.0/8` or `::1`); anything else is refused with
//! [`DemoError::NotLoopback`].
//!
//! # Routes
//!
//! * `GET /health` answers `200 ok` at once; no knobs are applied and it is
//!   not counted by [`DemoServer::requests_served`].
//! * `POST /graphql` is a GraphQL endpoint (its own small executor): `user(id)`,
//!   `posts(userId, limit)`, `createPost(userId, title, body)`, batched
//!   requests and Apollo persisted queries. An injected error is answered
//!   `200` with `data: null` and an `errors` array.
//! * Requests with `content-type: application/grpc` (HTTP/2) go to the gRPC
//!   service `tailguard.demo.v1.Demo` ([`grpc::DEMO_PROTO`]: `GetUser`,
//!   server-streaming `ListPosts`, `CreatePost`) and to server reflection v1
//!   and v1alpha. Injected errors end with status `UNAVAILABLE` (or the
//!   `grpc_code` knob).
//! * Every other path and method reads the request body, waits according to
//!   the knobs and answers either `200` with a small JSON body
//!   (`{"ok":true,"seq":N}`) or `500 injected error`.
//!
//! * Sessions for journeys (no knobs): `POST /login` (`{"user":"alice"}`) answers
//!   `{"token":…,"user":…}` and sets a `session` cookie; `GET /me` answers `{"user":…}` with a
//!   valid `Authorization: Bearer TOKEN` or `session` cookie, else `401`;
//!   `GET /flaky-json?every=N` answers `{"ok":false}` on exactly every N-th call (default 10),
//!   `{"ok":true}` otherwise. GraphQL has `login(user)` and `me(token)`, gRPC `Login` and
//!   `GetProfile` (metadata `authorization: Bearer TOKEN`, else `UNAUTHENTICATED`).
//! * `GET /db`, when [`DemoConfig::pool`] is set, goes through a bounded connection pool
//!   ([`PoolConfig`]): hold a connection for the hold time, or answer `503` after waiting the
//!   acquire timeout for one — in memory, or on a real PostgreSQL (cargo feature `postgres`).
//!
//! # Knobs ([`DemoConfig`])
//!
//! For a request arriving at `t`, the completion time is
//! `t + delay + uniform[0, jitter) + (tail_delay with probability tail_fraction)`.
//! If a stall is configured (`stall_at = T`, `stall_for = S`, `T` measured from
//! the arrival of the first request the server receives), any response whose
//! completion time falls within `[T, T + S)` is held until `T + S`, which
//! simulates a pause such as a GC or a failover. After sleeping until the
//! completion time, the response is an HTTP 500 with probability `error_rate`.
//! The computation is exposed as the pure function [`completion_time`].
//!
//! [`Noise`] (`DemoConfig::noise`) makes the target as noisy as a shared CI runner: every wait
//! multiplied by a lognormal per-request factor, by a drift level that changes every
//! `drift_period` (a noisy neighbour, on the process's clock so two targets drift together),
//! and held past occasional pauses (GC-like); `scale` injects a known slowdown.
//!
//! Per-request overrides may be given in the query string: `delay_ms`,
//! `jitter_ms`, `tail_delay_ms` (integers, milliseconds), `error_rate` and
//! `tail_fraction` (`0.0..=1.0`), e.g. `GET /work?delay_ms=5&error_rate=0`
//! (also `POST /graphql?delay_ms=5`). gRPC calls take the same text in the
//! metadata `x-demo-knobs`, plus `grpc_code=N` for the status of injected
//! errors. Invalid overrides are answered with `400` (`INVALID_ARGUMENT`).
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use tailguard_demo::{DemoConfig, DemoServer};
//!
//! let cfg = DemoConfig {
//!     delay: Duration::from_millis(20),
//!     error_rate: 0.01,
//!     seed: Some(7),
//!     ..DemoConfig::default()
//! };
//! let server = DemoServer::spawn("127.0.0.1:0".parse()?, cfg)?;
//! println!("load-test target at {}", server.url());
//! assert_eq!(server.requests_served(), 0);
//! server.shutdown();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod auth;
mod config;
mod decision;
mod error;
mod graphql;
pub mod grpc;
mod grpc_messages;
mod noise;
mod pool;
mod server;

pub use config::{completion_time, ConfigError, DemoConfig, DemoError};
pub use noise::Noise;
pub use pool::{PoolConfig, PATH as POOL_PATH};
pub use server::{serve, DemoServer};

/// The example scenarios `tailguard demo` runs against this target, embedded (so they ship
/// with the published crate): path in the repository, TOML text. HTTP, GraphQL and gRPC; the
/// gRPC one takes its schema from the reflection service, so no file is read.
pub const EXAMPLE_SCENARIOS: [(&str, &str); 4] = [
    ("scenarios/http-get.toml", include_str!("../http-get.toml")),
    ("scenarios/http-mix.toml", include_str!("../http-mix.toml")),
    (
        "scenarios/graphql-mix.toml",
        include_str!("../graphql-mix.toml"),
    ),
    ("scenarios/grpc-mix.toml", include_str!("../grpc-mix.toml")),
];
