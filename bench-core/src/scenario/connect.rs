//! From a loaded scenario to its protocol's connector, and connector errors back to the field of
//! the scenario file they are about.

use std::path::Path;

use super::{Plan, Scenario};
use crate::driver::graphql::{self, GraphqlOptions};
use crate::driver::grpc::schema::{SchemaError, SchemaSource};
use crate::driver::grpc::{GrpcConnector, GrpcError, GrpcOptions};
use crate::driver::http::{HttpConnector, HttpError, HttpOptions};
use crate::driver::{AnyConnector, ConnectorError};

impl Scenario {
    /// The connector for this scenario. For gRPC this resolves the schema: `.proto` files are
    /// compiled, or the server's reflection service is asked (the only network access before
    /// the load starts).
    pub fn connector(&self) -> Result<AnyConnector, ConnectorError> {
        let h = &self.file.http;
        let http = HttpOptions {
            version: h.version,
            roots: h.roots,
            insecure: h.insecure,
            sources: self.sources.clone(),
        };
        Ok(match &self.plan {
            Plan::Http(requests) => {
                AnyConnector::Http(HttpConnector::new(&self.target, requests, &http)?)
            }
            Plan::Graphql(requests) => {
                let options = GraphqlOptions {
                    http,
                    persisted_queries: self.file.graphql.persisted_queries,
                };
                AnyConnector::Http(graphql::connector(&self.target, requests, &options)?)
            }
            Plan::Grpc(requests) => {
                let g = &self.file.grpc;
                let dir = self.path.parent().unwrap_or(Path::new("."));
                let schema = if g.proto.is_empty() {
                    SchemaSource::Reflection(g.reflection)
                } else {
                    SchemaSource::Protos {
                        files: g.proto.iter().map(|p| dir.join(p)).collect(),
                        import_paths: g.import_paths.iter().map(|p| dir.join(p)).collect(),
                    }
                };
                let options = GrpcOptions {
                    roots: h.roots,
                    insecure: h.insecure,
                    schema,
                    deadline: g.deadline,
                    sources: self.sources.clone(),
                };
                AnyConnector::Grpc(GrpcConnector::new(&self.target, requests, &options)?)
            }
        })
    }

    /// The dotted path of request `i`'s section.
    pub(super) fn section(&self, i: usize) -> String {
        if self.file.request.is_some() {
            "request".into()
        } else {
            format!("requests[{i}]")
        }
    }

    /// The field a connector error is about.
    pub(super) fn error_field(&self, e: &ConnectorError) -> String {
        let names = self.plan.names();
        let of = |request: &str, field: &str| {
            names.iter().position(|n| *n == request).map_or_else(
                || "requests".into(),
                |i| format!("{}.{field}", self.section(i)),
            )
        };
        let field_name = |f: &str| match f {
            "header name" | "header value" | "metadata" => "headers".to_owned(),
            other => other.to_owned(),
        };
        match e {
            ConnectorError::Http(HttpError::Endpoint(_))
            | ConnectorError::Grpc(GrpcError::Endpoint(_))
            | ConnectorError::Grpc(GrpcError::Schema(SchemaError::Reflection { .. })) => {
                "target".into()
            }
            ConnectorError::Http(HttpError::Request { request, field, .. })
            | ConnectorError::Grpc(GrpcError::Request { request, field, .. }) => {
                of(request, &field_name(field))
            }
            ConnectorError::Grpc(GrpcError::Schema(SchemaError::Proto(_))) => "grpc.proto".into(),
            ConnectorError::Grpc(GrpcError::Schema(
                SchemaError::MethodSyntax(method)
                | SchemaError::ClientStreaming(method)
                | SchemaError::UnknownService { method, .. }
                | SchemaError::UnknownMethod { method, .. },
            )) => match &self.plan {
                Plan::Grpc(rs) => rs.iter().position(|r| &r.method == method).map_or_else(
                    || "requests".into(),
                    |i| format!("{}.method", self.section(i)),
                ),
                _ => "requests".into(),
            },
        }
    }
}
