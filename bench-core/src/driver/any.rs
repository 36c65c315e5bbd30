//! One connector type for every protocol a scenario can speak, so the engine and the CLI need no
//! per-protocol code: HTTP and GraphQL share the HTTP connector, gRPC has its own.

use std::time::Duration;

use super::endpoint::Endpoint;
use super::grpc::{GrpcConnector, GrpcDriver, GrpcError};
use super::http::{HttpConnector, HttpDriver, HttpError};
use super::{block_on_local, Blocked, Connector, Driver, Exchange, Outcome};

/// A connector for HTTP, GraphQL or gRPC.
#[derive(Debug, Clone)]
pub enum AnyConnector {
    /// HTTP/1.1, HTTP/2 or GraphQL over either.
    Http(HttpConnector),
    /// gRPC.
    Grpc(GrpcConnector),
}

/// The driver of an [`AnyConnector`].
#[derive(Debug)]
pub enum AnyDriver {
    /// HTTP or GraphQL.
    Http(HttpDriver),
    /// gRPC.
    Grpc(GrpcDriver),
}

/// Errors building a connector.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// HTTP or GraphQL.
    #[error(transparent)]
    Http(#[from] HttpError),
    /// gRPC.
    #[error(transparent)]
    Grpc(#[from] GrpcError),
    /// A `[setup]` step failed: no load is sent.
    #[error(transparent)]
    Setup(#[from] crate::flow::setup::SetupError),
    /// The first connection failed in a way no call can succeed (TLS or proxy).
    #[error("the first connection to {target} failed: {reason}")]
    FirstConnection {
        /// `host:port` of the target.
        target: String,
        /// What failed, and which setting to change.
        reason: String,
    },
}

impl AnyConnector {
    /// Dial the target once before the load: a TLS handshake or proxy failure is an error
    /// naming the reason (unknown CA, name mismatch, client certificate required or refused,
    /// expired certificate, proxy refusal). TCP failures and timeouts are left to the run.
    pub fn probe(&self, timeout: Duration) -> Result<(), ConnectorError> {
        let endpoint: &Endpoint = match self {
            Self::Http(c) => c.endpoint(),
            Self::Grpc(c) => c.endpoint(),
        };
        let reason = match block_on_local(timeout, || endpoint.probe(timeout)) {
            Ok(Ok(())) | Err(Blocked::TimedOut(_)) => return Ok(()),
            Ok(Err(e)) => e.to_string(),
            Err(e) => e.to_string(),
        };
        Err(ConnectorError::FirstConnection {
            target: endpoint.authority.clone(),
            reason,
        })
    }
}

impl Connector for AnyConnector {
    type Driver = AnyDriver;

    fn drivers(&self, streams: usize) -> Vec<AnyDriver> {
        match self {
            Self::Http(c) => c
                .drivers(streams)
                .into_iter()
                .map(AnyDriver::Http)
                .collect(),
            Self::Grpc(c) => c
                .drivers(streams)
                .into_iter()
                .map(AnyDriver::Grpc)
                .collect(),
        }
    }

    fn request_names(&self) -> Vec<String> {
        match self {
            Self::Http(c) => c.request_names(),
            Self::Grpc(c) => c.request_names(),
        }
    }
}

impl Driver for AnyDriver {
    // gRPC's calls are boxed (one allocation per call, next to tonic's and hyper's own): a
    // future of the enum is as large as its largest variant's, and it sits in every
    // connection's task, so HTTP's smaller one sets the size.
    async fn call(&mut self, request: usize) -> Outcome {
        match self {
            Self::Http(d) => d.call(request).await,
            Self::Grpc(d) => Box::pin(d.call(request)).await,
        }
    }

    async fn exchange(&mut self, request: usize, exchange: &mut Exchange) -> Outcome {
        match self {
            Self::Http(d) => d.exchange(request, exchange).await,
            Self::Grpc(d) => Box::pin(d.exchange(request, exchange)).await,
        }
    }

    fn reset(&mut self) {
        match self {
            Self::Http(d) => d.reset(),
            Self::Grpc(d) => d.reset(),
        }
    }
}
