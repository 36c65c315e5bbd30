//! From a loaded scenario to its protocol's connector, and connector errors back to the field of
//! the scenario file they are about.

use std::path::Path;
use std::time::Duration;

use super::{Plan, Scenario};
use crate::driver::graphql::{self, GraphqlOptions};
use crate::driver::grpc::schema::{SchemaError, SchemaSource};
use crate::driver::grpc::{GrpcConnector, GrpcError, GrpcOptions};
use crate::driver::http::{HttpConnector, HttpError, HttpOptions};
use crate::driver::{AnyConnector, ConnectorError};
use crate::flow::setup::SetupError;

/// The longest the first connection may take before the load (it is then left to the run).
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

impl Scenario {
    /// The connector for this scenario, ready for load. For gRPC this resolves the schema:
    /// `.proto` files are compiled, or the server's reflection service is asked. Then the target
    /// is dialled once ([`AnyConnector::probe`]): a TLS or proxy failure is an error here,
    /// naming the reason, instead of thousands of identical connect errors in the run. Last,
    /// the `[setup]` steps run (once per loaded scenario).
    pub fn connector(&self) -> Result<AnyConnector, ConnectorError> {
        let connector = self.build_connector()?;
        connector.probe(PROBE_TIMEOUT.min(self.file.load.timeout))?;
        // The setup runs once, before any load; a failure stops the run here.
        self.flows
            .run_setup(&connector, self.file.load.timeout)
            .map_err(|e| SetupError {
                message: self.redactor.text(&e.message),
                ..e
            })?;
        Ok(connector)
    }

    /// The connector, without dialling (except for gRPC reflection).
    pub(super) fn build_connector(&self) -> Result<AnyConnector, ConnectorError> {
        let h = &self.file.http;
        let http = HttpOptions {
            version: h.version,
            connect: self.connect.clone(),
            sources: self.sources.clone(),
            follow_redirects: h.follow_redirects,
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
                    connect: self.connect.clone(),
                    schema,
                    deadline: g.deadline,
                    sources: self.sources.clone(),
                };
                AnyConnector::Grpc(GrpcConnector::new(&self.target, requests, &options)?)
            }
        })
    }

    /// The dotted path of request `i`'s section: the mix's requests, then the journeys' steps,
    /// then the setup's (the order of `flows::build`).
    pub(super) fn section(&self, i: usize) -> String {
        let f = &self.file;
        let mix = if f.request.is_some() {
            1
        } else {
            f.requests.len()
        };
        if i < mix {
            return if f.request.is_some() {
                "request".into()
            } else {
                format!("requests[{i}]")
            };
        }
        let mut k = i - mix;
        for (j, journey) in f.journeys.iter().enumerate() {
            if k < journey.steps.len() {
                return format!("journeys[{j}].steps[{k}]");
            }
            k -= journey.steps.len();
        }
        format!("setup.steps[{k}]")
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
            | ConnectorError::Grpc(
                GrpcError::Endpoint(_) | GrpcError::Schema(SchemaError::Reflection { .. }),
            )
            | ConnectorError::FirstConnection { .. } => "target".into(),
            ConnectorError::Http(HttpError::Request { request, field, .. })
            | ConnectorError::Grpc(GrpcError::Request { request, field, .. }) => {
                of(request, &field_name(field))
            }
            ConnectorError::Grpc(GrpcError::Schema(SchemaError::Proto(_))) => "grpc.proto".into(),
            ConnectorError::Setup(_) => "setup".into(),
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
