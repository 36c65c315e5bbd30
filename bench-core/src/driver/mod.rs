//! Protocol drivers: one call of a request, classified into an [`Outcome`].
//!
//! The engine owns pacing, timing and recording; a driver only performs a call. A [`Connector`]
//! is shared by every engine thread and makes drivers on the thread that uses them, so drivers may
//! hold thread-local state (connections, buffers) and never cross threads. Several drivers made by
//! one [`Connector::drivers`] call share one connection (HTTP/2 or gRPC streams).

mod any;
mod authority;
mod endpoint;
mod exchange;
pub mod graphql;
pub mod grpc;
pub(crate) mod h1;
mod h1_memory;
mod h2;
pub mod http;
mod http_request;
mod http_send;
pub mod proxy;
pub mod redirect;
pub mod route;
pub mod tls;

pub use any::{AnyConnector, AnyDriver, ConnectorError};
pub use authority::AuthorityError;
pub use endpoint::EndpointError;
pub use exchange::Exchange;
#[doc(hidden)]
pub use h1_memory::exchange_in_memory as h1_exchange_in_memory;
pub use route::ConnectOptions;

use std::fmt;
use std::future::Future;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Why a call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The connection (TCP or TLS) could not be established.
    Connect,
    /// The call did not complete within the request timeout.
    Timeout,
    /// The peer closed or reset the connection mid-call.
    Reset,
    /// The peer violated the protocol (bad HTTP, bad frame, undecodable message).
    Protocol,
    /// An HTTP status counted as failure (4xx and 5xx by default).
    Status,
    /// A GraphQL response with a non-empty `errors` array or `data: null`.
    GraphqlError,
    /// A gRPC call that ended with a non-OK status.
    GrpcStatus,
    /// Redirects followed (`[http] follow_redirects`) ran past the limit or came back to a
    /// request of the same call (a loop).
    TooManyRedirects,
    /// Due in the measured window but never sent: the window ended first (every connection
    /// was busy, or the run was cancelled).
    Unsent,
    /// A response failed one of the request's checks (the message names the check).
    Check,
    /// A value to extract from a response was not there (the message names the variable).
    Extract,
}

impl ErrorKind {
    /// Snake-case name, as used in results.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Timeout => "timeout",
            Self::Reset => "reset",
            Self::Protocol => "protocol",
            Self::Status => "status",
            Self::GraphqlError => "graphql_error",
            Self::GrpcStatus => "grpc_status",
            Self::TooManyRedirects => "too_many_redirects",
            Self::Unsent => "unsent",
            Self::Check => "check",
            Self::Extract => "extract",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status a call ended with, counted per code in results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// An HTTP status code.
    Http(u16),
    /// A gRPC status code (0 = OK).
    Grpc(i32),
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Http(code) => write!(f, "{code}"),
            Self::Grpc(code) => f.write_str(grpc_code_name(*code)),
        }
    }
}

/// The canonical name of a gRPC status code.
#[must_use]
pub fn grpc_code_name(code: i32) -> &'static str {
    match code {
        0 => "OK",
        1 => "CANCELLED",
        2 => "UNKNOWN",
        3 => "INVALID_ARGUMENT",
        4 => "DEADLINE_EXCEEDED",
        5 => "NOT_FOUND",
        6 => "ALREADY_EXISTS",
        7 => "PERMISSION_DENIED",
        8 => "RESOURCE_EXHAUSTED",
        9 => "FAILED_PRECONDITION",
        10 => "ABORTED",
        11 => "OUT_OF_RANGE",
        12 => "UNIMPLEMENTED",
        13 => "INTERNAL",
        14 => "UNAVAILABLE",
        15 => "DATA_LOSS",
        16 => "UNAUTHENTICATED",
        _ => "UNKNOWN_CODE",
    }
}

/// What one call produced.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The protocol status, when the call got that far.
    pub status: Option<Status>,
    /// The failure, if the call failed.
    pub error: Option<ErrorKind>,
    /// A human-readable sample of the failure (first of each kind is kept in results).
    pub message: Option<String>,
    /// Response bytes received (body or messages).
    pub bytes: u64,
    /// For streams: when the first message arrived.
    pub first_message: Option<Instant>,
    /// For streams: messages received.
    pub messages: u64,
    /// The call opened a new connection.
    pub opened: bool,
    /// The call was sent on a connection that was already open.
    pub reused: bool,
    /// The call was written into a connection the server had already closed and was sent
    /// again, once, on a fresh connection.
    pub retried: bool,
    /// Redirects followed within this call (`[http] follow_redirects`).
    pub redirects: u32,
    /// The call ended with a redirect to another origin, which is never followed.
    pub offsite: bool,
}

impl Outcome {
    /// A failed outcome with a message.
    #[must_use]
    pub fn failed(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            error: Some(kind),
            message: Some(message.into()),
            ..Self::default()
        }
    }

    /// A completed HTTP exchange; 4xx and 5xx count as failures of kind [`ErrorKind::Status`].
    #[must_use]
    pub fn http(code: u16, bytes: u64) -> Self {
        let failed = code >= 400;
        Self {
            status: Some(Status::Http(code)),
            error: failed.then_some(ErrorKind::Status),
            message: failed.then(|| format!("HTTP {code}")),
            bytes,
            ..Self::default()
        }
    }

    /// This failure, for a call that got `response`: its status, bytes and connection use are
    /// kept.
    #[must_use]
    pub fn with_response_of(self, response: &Outcome) -> Self {
        Self {
            error: self.error,
            message: self.message,
            ..response.clone()
        }
    }

    /// True when the call succeeded.
    #[must_use]
    pub fn is_ok(&self) -> bool {
        self.error.is_none()
    }
}

/// A byte stream a driver can speak over: TCP or TLS.
pub(crate) trait Io:
    tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static
{
}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static> Io for T {}

/// The kind of failure an I/O error means for a call.
pub(crate) fn io_error_kind(e: &std::io::Error) -> ErrorKind {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
            ErrorKind::Reset
        }
        K::TimedOut => ErrorKind::Timeout,
        _ => ErrorKind::Protocol,
    }
}

/// Performs calls. Made and used on one engine thread; need not be `Send`.
pub trait Driver {
    /// Perform request number `request` of the scenario's mix and classify the result.
    fn call(&mut self, request: usize) -> impl Future<Output = Outcome>;

    /// [`Driver::call`] with the virtual user's variables and extra headers, keeping the
    /// response's headers and body in `exchange` when it asks for them. Drivers that support
    /// none of it (test doubles) just call.
    fn exchange(
        &mut self,
        request: usize,
        exchange: &mut Exchange,
    ) -> impl Future<Output = Outcome> {
        let _ = exchange;
        self.call(request)
    }

    /// Forget the current connection (after a timeout its state is unknown); the next call
    /// reconnects.
    fn reset(&mut self);
}

/// Makes drivers; shared by every engine thread.
pub trait Connector: Send + Sync + 'static {
    /// The driver type.
    type Driver: Driver + 'static;

    /// `streams` drivers that share one connection (1 for HTTP/1.1). Called on the thread that
    /// will use them; connecting happens lazily on the first call, so connect failures are counted
    /// as call errors.
    fn drivers(&self, streams: usize) -> Vec<Self::Driver>;

    /// Names of the requests in the mix, indexed like [`Driver::call`]'s argument.
    fn request_names(&self) -> Vec<String>;
}

/// Why [`block_on_local`] has no output.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Blocked {
    /// No runtime could be built.
    #[error("cannot start a runtime: {0}")]
    Runtime(std::io::Error),
    /// The helper thread panicked.
    #[error("a helper thread panicked")]
    Panicked,
    /// The time ran out.
    #[error("no answer within {0:?}")]
    TimedOut(Duration),
}

/// Run the future `make` returns on a fresh single-threaded runtime (with a `LocalSet`) on a
/// scoped thread — callers may themselves be inside a runtime — for at most `timeout`.
pub(crate) fn block_on_local<R, F, Fut>(timeout: Duration, make: F) -> Result<R, Blocked>
where
    R: Send,
    F: FnOnce() -> Fut + Send,
    Fut: Future<Output = R>,
{
    std::thread::scope(|s| {
        s.spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(Blocked::Runtime)?;
            let local = tokio::task::LocalSet::new();
            local
                .block_on(&rt, async { tokio::time::timeout(timeout, make()).await })
                .map_err(|_| Blocked::TimedOut(timeout))
        })
        .join()
        .unwrap_or(Err(Blocked::Panicked))
    })
}
