//! One connector type for every protocol a scenario can speak, so the engine and the CLI need no
//! per-protocol code: HTTP and GraphQL share the HTTP connector, gRPC has its own.

use super::grpc::{GrpcConnector, GrpcDriver, GrpcError};
use super::http::{HttpConnector, HttpDriver, HttpError};
use super::{Connector, Driver, Outcome};

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
    async fn call(&mut self, request: usize) -> Outcome {
        match self {
            Self::Http(d) => d.call(request).await,
            Self::Grpc(d) => d.call(request).await,
        }
    }

    fn reset(&mut self) {
        match self {
            Self::Http(d) => d.reset(),
            Self::Grpc(d) => d.reset(),
        }
    }
}
