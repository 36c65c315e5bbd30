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
    InvalidConfig(String),
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
