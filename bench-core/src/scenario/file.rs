//! The scenario file's sections, as written (before environment interpolation and validation).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::flow_file::{CheckSection, ExtractMap};
use super::gate;
pub use super::load::{LoadSection, ModelKind};
use super::saturation::SaturationSection;
use crate::driver::grpc::schema::Reflection;
use crate::driver::http::HttpVersion;
use crate::driver::tls::Roots;
use crate::feeder::Order;

/// Protocols a scenario can speak.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// HTTP/1.1 or HTTP/2.
    #[default]
    Http,
    /// GraphQL over HTTP (the target is the endpoint).
    Graphql,
    /// gRPC over HTTP/2.
    Grpc,
}

impl Protocol {
    /// Lower-case name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Graphql => "graphql",
            Self::Grpc => "grpc",
        }
    }
}

/// `[http]`: connection options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSection {
    /// "1.1" (default) or "2".
    #[serde(default)]
    pub version: HttpVersion,
    /// Accept any TLS certificate.
    #[serde(default)]
    pub insecure: bool,
    /// Keep a cookie jar per virtual user (cleared when a journey starts).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cookies: bool,
    /// "system" (default), "webpki" or "none" (only `ca_file`).
    #[serde(default)]
    pub roots: Roots,
    /// PEM file of CA certificates trusted besides `roots` (relative to the scenario file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<String>,
    /// PEM file of the client certificate (mutual TLS), intermediates after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert_file: Option<String>,
    /// PEM file of the client certificate's key (PKCS#8, PKCS#1 or SEC1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key_file: Option<String>,
    /// The client key as PEM text, e.g. `"${CLIENT_KEY_PEM}"`: a secret, never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_key: Option<String>,
    /// The name sent in SNI and checked in the server's certificate (default: the target's host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    /// `"name[:port]" = "address[:port]"`: connect there, keep the name (URL, Host, SNI).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hosts: BTreeMap<String, String>,
    /// `http://[user:password@]host:port`, or "none"; unset: `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// Redirects a call follows, on the target's origin only (0, the default: none).
    #[serde(default, skip_serializing_if = "is_default")]
    pub follow_redirects: u32,
}

/// One request (`[request]`, or each of `[[requests]]` in a weighted mix). Which fields apply
/// depends on the scenario's protocol; the others are refused with the field named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestSection {
    /// Name in results (default: "METHOD path", the operation name, or the gRPC method).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// HTTP method (default GET), or the gRPC method `package.Service/Method`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// HTTP: path and query, appended to the target's path (default `/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// HTTP headers; gRPC metadata (also accepted as `metadata`).
    #[serde(
        default,
        alias = "metadata",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub headers: BTreeMap<String, String>,
    /// HTTP: body text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// GraphQL: the query or mutation document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// GraphQL: a file holding the document (relative to the scenario file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_file: Option<String>,
    /// GraphQL: `operationName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_name: Option<String>,
    /// GraphQL: variables, as a table or a JSON string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<serde_json::Value>,
    /// GraphQL: a batch of operations sent as one JSON array.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub batch: Vec<OperationSection>,
    /// gRPC: the request message as a table or a JSON string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<serde_json::Value>,
    /// Share of the mix (relative).
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// Checks on every response.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckSection>,
    /// Values captured from a successful response into variables (`{{name}}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extract: ExtractMap,
    /// A journey's step: pause after it before the next step.
    #[serde(
        default,
        with = "crate::duration_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub think_time: Option<Duration>,
}

/// A GraphQL operation of a batch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationSection {
    /// The query or mutation document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// A file holding the document (relative to the scenario file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_file: Option<String>,
    /// `operationName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_name: Option<String>,
    /// Variables, as a table or a JSON string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<serde_json::Value>,
}

fn default_weight() -> f64 {
    1.0
}

/// `[graphql]`: GraphQL options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphqlSection {
    /// Send persisted-query hashes (Apollo APQ) instead of the documents.
    #[serde(default)]
    pub persisted_queries: bool,
}

/// `[grpc]`: where the schema comes from, and the deadline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrpcSection {
    /// `.proto` files (relative to the scenario file); without them the schema comes from the
    /// server's reflection service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proto: Vec<String>,
    /// Directories imports are resolved in (default: each file's directory).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub import_paths: Vec<String>,
    /// Reflection version: "auto" (v1, then v1alpha), "v1" or "v1alpha".
    #[serde(default)]
    pub reflection: Reflection,
    /// Per-call deadline (`grpc-timeout`); exceeding it is `DEADLINE_EXCEEDED`.
    #[serde(
        default,
        with = "crate::duration_serde::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub deadline: Option<Duration>,
}

/// `[data]`: a feeder of per-call values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSection {
    /// A `.csv` (header line = column names) or `.jsonl` file, relative to the scenario file.
    pub file: String,
    /// "sequential" (default, wrapping around) or "random".
    #[serde(default)]
    pub order: Order,
}

/// A scenario file as written (before environment interpolation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Scenario name (used in results, stores and reports).
    pub name: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Protocol.
    #[serde(default)]
    pub protocol: Protocol,
    /// Base URL, e.g. `"${TARGET_URL:-http://127.0.0.1:8080}"`.
    pub target: String,
    /// HTTP connection options (also the transport of GraphQL; TLS options of gRPC).
    #[serde(default)]
    pub http: HttpSection,
    /// GraphQL options.
    #[serde(default, skip_serializing_if = "is_default")]
    pub graphql: GraphqlSection,
    /// gRPC options.
    #[serde(default, skip_serializing_if = "is_default")]
    pub grpc: GrpcSection,
    /// Per-call data feeder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<DataSection>,
    /// A single request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestSection>,
    /// A weighted mix of requests.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requests: Vec<RequestSection>,
    /// Weighted journeys of ordered steps (in the mix with the requests).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub journeys: Vec<JourneySection>,
    /// Steps run once before the load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup: Option<SetupSection>,
    /// Load shape.
    pub load: LoadSection,
    /// Absolute thresholds, e.g. `["p99 < 200ms", "error_rate < 1%"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slo: Vec<String>,
    /// How runs of this scenario are compared with the baseline.
    #[serde(default)]
    pub gate: gate::GateSection,
    /// Step load and saturation criteria (makes this a saturation scenario).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saturation: Option<SaturationSection>,
}

/// `[[journeys]]`: a weighted sequence of steps, each a request of the scenario's protocol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JourneySection {
    /// Name in results (its steps are named `journey/step`).
    pub name: String,
    /// Share of the mix (relative, with the `[[requests]]`' weights).
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// The steps, in order.
    pub steps: Vec<RequestSection>,
}

/// `[setup]`: steps run once before the load; their extracted variables are every virtual
/// user's starting values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupSection {
    /// The steps, in order.
    #[serde(default)]
    pub steps: Vec<RequestSection>,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}
