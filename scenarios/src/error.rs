//! Errors of the demo service.

use std::io;
use std::net::SocketAddr;

/// Errors of the demo service.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// The address is not a loopback address (`127.0.0.0/8` or `::1`).
    #[error(
        "refusing to bind {0}: the demo service only binds loopback addresses (127.0.0.0/8 or ::1)"
    )]
    NotLoopback(SocketAddr),
    /// Binding the listening socket failed.
    #[error("cannot bind {addr}: {source}")]
    Bind {
        /// The address that was requested.
        addr: SocketAddr,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A knob is out of range.
    #[error("invalid demo config: {0}")]
    InvalidConfig(#[from] ConfigError),
    /// Another I/O error (runtime creation, serving thread, socket setup).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}

/// A knob of the demo service (or of one request's overrides) that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A number outside its range.
    #[error("{name} must be within {range}, got {got}")]
    OutOfRange {
        /// The knob.
        name: String,
        /// Its range, as written in the message.
        range: &'static str,
        /// The value given.
        got: String,
    },
    /// A value above its maximum.
    #[error("{name} must be at most {max}, got {got}")]
    TooLarge {
        /// The knob.
        name: String,
        /// Its maximum, as written in the message.
        max: String,
        /// The value given.
        got: String,
    },
    /// `stall_for` without `stall_at`.
    #[error("stall_for is set but stall_at is not")]
    StallWithoutStart,
    /// A noise scale outside `(0, 1000]`.
    #[error("noise.scale must be in (0, 1000], got {0}")]
    NoiseScale(f64),
    /// Pauses as long as their spacing.
    #[error("noise.pause_for must be shorter than noise.pause_every")]
    PauseTooLong,
    /// A pool hold of zero or over an hour.
    #[error("pool hold must be > 0 and at most 1h, got {0:?}")]
    PoolHold(std::time::Duration),
    /// A database URL that does not parse (the driver's message).
    #[error("database URL: {0}")]
    DatabaseUrl(String),
    /// A database pool that cannot be built (the pool's message).
    #[error("database pool: {0}")]
    DatabasePool(String),
    /// A database URL given to a build without the PostgreSQL backend.
    #[error(
        "a database URL needs the PostgreSQL backend: this build of the demo has none \
         (cargo feature `postgres` of tailguard-demo; the `tailguard-demo` binary has it)"
    )]
    NoPostgres,
    /// The embedded `.proto` does not compile (a build defect).
    #[error("demo.proto: {0}")]
    Proto(String),
    /// A per-request override (`?delay_ms=…`, `x-demo-knobs`) that does not parse.
    #[error("{key}: expected {expected}, got {value:?}")]
    Query {
        /// The override's key.
        key: String,
        /// What it takes.
        expected: &'static str,
        /// The value given.
        value: String,
    },
}
