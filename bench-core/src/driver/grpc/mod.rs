//! gRPC over the HTTP/2 path of the HTTP driver: no generated code per target. Requests are
//! written as JSON, turned into protobuf with prost-reflect against a schema from `.proto` files
//! or server reflection ([`schema`]), framed (5-byte prefix) and sent as HTTP/2 POSTs; the status
//! comes from the `grpc-status` / `grpc-message` trailers. Unary and server-streaming methods;
//! for streams the time to the first message and the number of messages are recorded.
//!
//! Requests without placeholders are encoded once; templated ones are rendered, parsed and
//! encoded per call. Responses are deframed and counted, not decoded.

mod encode;
mod frame;
mod json_fit;
mod reflection;
mod response;
pub mod schema;

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Request, Uri};
use http_body_util::Full;
use prost_reflect::MessageDescriptor;
use rand::rngs::SmallRng;

use self::encode::{encode, probe_encode};
use self::response::{read_call, Keep};
use self::schema::{SchemaError, SchemaSource};
use super::endpoint::{Endpoint, EndpointError};
use super::h2::H2Conn;
use super::http_request::USER_AGENT_VALUE;
use super::route::ConnectOptions;
use super::{Connector, Driver, ErrorKind, Exchange, Outcome, Status};
use crate::template::{Needs, Sources, Template, Values};

/// How long schema reflection may take before the run is refused.
const REFLECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// One request of a gRPC mix, as written in a scenario.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GrpcRequestSpec {
    /// Name used in results.
    pub name: String,
    /// Fully qualified method: `package.Service/Method`.
    pub method: String,
    /// The request message as JSON (proto3 JSON mapping); strings may hold placeholders.
    pub message: serde_json::Value,
    /// Metadata (HTTP/2 headers); values may hold placeholders.
    pub metadata: Vec<(String, String)>,
}

/// Connection and schema options.
#[derive(Debug, Clone, Default)]
pub struct GrpcOptions {
    /// TLS, address overrides and proxy.
    pub connect: ConnectOptions,
    /// Where the message types come from.
    pub schema: SchemaSource,
    /// Per-call deadline, sent as `grpc-timeout` and enforced by the client
    /// (`DEADLINE_EXCEEDED`).
    pub deadline: Option<Duration>,
    /// The call counter and data feeder that templates draw from.
    pub sources: Sources,
}

/// Errors building a gRPC connector; each names the method, request or file.
#[derive(Debug, thiserror::Error)]
pub enum GrpcError {
    /// The target is unusable.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    /// The schema or a method could not be resolved.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// A request's message or metadata is unusable.
    #[error("request {request:?}: invalid {field}: {message}")]
    Request {
        /// Request name.
        request: String,
        /// Field name.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// A request ready to send.
#[derive(Debug)]
struct Call {
    uri: Uri,
    streaming: bool,
    input: MessageDescriptor,
    output: MessageDescriptor,
    message: Template,
    /// The framed message when it has no placeholders.
    fixed: Option<Bytes>,
    metadata: Vec<(HeaderName, Template)>,
    needs: Needs,
}

#[derive(Debug)]
struct Shared {
    endpoint: Endpoint,
    calls: Vec<Call>,
    names: Vec<String>,
    deadline: Option<Duration>,
    sources: Sources,
}

/// Makes [`GrpcDriver`]s for one target.
#[derive(Debug, Clone)]
pub struct GrpcConnector(Arc<Shared>);

impl GrpcConnector {
    /// Resolve the schema (compiling `.proto` files or asking the server's reflection service)
    /// and prepare every request. Unknown methods, bad messages and bad `.proto` files are
    /// errors here, before any load is sent.
    pub fn new(
        target: &str,
        requests: &[GrpcRequestSpec],
        options: &GrpcOptions,
    ) -> Result<Self, GrpcError> {
        let endpoint = Endpoint::new(target, &options.connect, &[b"h2"])?;
        let pool = match &options.schema {
            SchemaSource::Protos {
                files,
                import_paths,
            } => schema::compile(files, import_paths)?,
            SchemaSource::Reflection(version) => {
                let mut services = Vec::new();
                for r in requests {
                    let (service, _) = schema::split_method(&r.method)?;
                    if !services.contains(&service) {
                        services.push(service);
                    }
                }
                reflection::fetch(&endpoint, target, &services, *version, REFLECTION_TIMEOUT)?
            }
        };
        let names = options.sources.names();
        let probe = options.sources.probe();
        let mut probe_rng = probe.rng();
        let mut calls = Vec::with_capacity(requests.len());
        for spec in requests {
            let err = |field, message: String| GrpcError::Request {
                request: spec.name.clone(),
                field,
                message,
            };
            let method = schema::find_method(&pool, &spec.method)?;
            let (service, name) = schema::split_method(&spec.method)?;
            let uri = format!(
                "{}://{}{}/{service}/{name}",
                endpoint.scheme(),
                endpoint.authority,
                endpoint.base_path
            );
            let message =
                Template::json(&spec.message, names).map_err(|e| err("message", e.to_string()))?;
            let encoded = probe_encode(&method.input(), &message, &probe, &mut probe_rng)
                .map_err(|e| err("message", e.to_string()))?;
            let mut metadata = Vec::with_capacity(spec.metadata.len());
            for (k, v) in &spec.metadata {
                let key = HeaderName::from_bytes(k.to_ascii_lowercase().as_bytes())
                    .map_err(|e| err("metadata", format!("{k}: {e}")))?;
                let value = Template::text(v, names).map_err(|e| err("metadata", e.to_string()))?;
                metadata.push((key, value));
            }
            let needs = metadata
                .iter()
                .fold(message.needs(), |n, (_, v)| n.or(v.needs()));
            calls.push(Call {
                uri: uri
                    .parse()
                    .map_err(|e: http::uri::InvalidUri| err("method", e.to_string()))?,
                streaming: method.is_server_streaming(),
                fixed: message.literal().map(|_| Bytes::from(encoded)),
                input: method.input(),
                output: method.output(),
                message,
                metadata,
                needs,
            });
        }
        Ok(Self(Arc::new(Shared {
            endpoint,
            calls,
            names: requests.iter().map(|r| r.name.clone()).collect(),
            deadline: options.deadline,
            sources: options.sources.clone(),
        })))
    }
}

impl GrpcConnector {
    pub(crate) fn endpoint(&self) -> &Endpoint {
        &self.0.endpoint
    }
}

impl Connector for GrpcConnector {
    type Driver = GrpcDriver;

    fn drivers(&self, streams: usize) -> Vec<GrpcDriver> {
        let conn = Rc::new(H2Conn::default());
        (0..streams)
            .map(|_| GrpcDriver {
                shared: self.0.clone(),
                conn: conn.clone(),
                rng: self.0.sources.rng(),
            })
            .collect()
    }

    fn request_names(&self) -> Vec<String> {
        self.0.names.clone()
    }
}

/// Performs gRPC calls as streams of a connection shared with its sibling drivers.
#[derive(Debug)]
pub struct GrpcDriver {
    shared: Arc<Shared>,
    conn: Rc<H2Conn>,
    rng: SmallRng,
}

impl Driver for GrpcDriver {
    async fn call(&mut self, request: usize) -> Outcome {
        self.exchange(request, &mut Exchange::default()).await
    }

    async fn exchange(&mut self, request: usize, ex: &mut Exchange) -> Outcome {
        let shared = &*self.shared;
        let Some(call) = shared.calls.get(request) else {
            return Outcome::failed(
                ErrorKind::Protocol,
                format!("no request #{request} in the mix"),
            );
        };
        let mut values = shared
            .sources
            .draw(call.needs, &mut self.rng)
            .with_vars(&ex.vars);
        let req = match build(call, shared.deadline, &mut values, &ex.extra_headers) {
            Ok(r) => r,
            Err(o) => return o,
        };
        let keep = Keep {
            headers: ex.keep_headers.then_some(&mut ex.headers),
            body: ex.keep_body.then_some((&mut ex.body, &call.output)),
        };
        let exchange = exchange(&self.conn, &shared.endpoint, req, call.streaming, keep);
        match shared.deadline {
            None => exchange.await,
            Some(d) => match tokio::time::timeout(d, exchange).await {
                Ok(o) => o,
                // Dropping the exchange resets the stream (RST_STREAM CANCEL).
                Err(_) => grpc_outcome(4, &format!("deadline of {d:?} exceeded"), 0),
            },
        }
    }

    fn reset(&mut self) {
        self.conn.reset();
    }
}

fn build(
    call: &Call,
    deadline: Option<Duration>,
    values: &mut Values<'_>,
    extra: &[(String, String)],
) -> Result<Request<Full<Bytes>>, Outcome> {
    let body = match &call.fixed {
        Some(b) => b.clone(),
        None => Bytes::from(
            encode(&call.input, &call.message.render_string(values)).map_err(|e| {
                Outcome::failed(ErrorKind::Protocol, format!("rendered message: {e}"))
            })?,
        ),
    };
    let mut headers = HeaderMap::with_capacity(5 + call.metadata.len());
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/grpc"),
    );
    headers.insert(http::header::TE, HeaderValue::from_static("trailers"));
    headers.insert(
        http::header::USER_AGENT,
        HeaderValue::from_static(USER_AGENT_VALUE),
    );
    if let Some(d) = deadline {
        if let Ok(v) = HeaderValue::try_from(frame::timeout_header(d)) {
            headers.insert("grpc-timeout", v);
        }
    }
    for (k, v) in &call.metadata {
        let text = v
            .literal()
            .map_or_else(|| v.render_string(values), str::to_owned);
        append(&mut headers, k.clone(), text)?;
    }
    for (k, v) in extra {
        if let Ok(k) = HeaderName::from_bytes(k.as_bytes()) {
            append(&mut headers, k, v.clone())?;
        }
    }
    let mut req = Request::new(Full::new(body));
    *req.method_mut() = http::Method::POST;
    *req.uri_mut() = call.uri.clone();
    *req.headers_mut() = headers;
    Ok(req)
}

fn append(headers: &mut HeaderMap, k: HeaderName, text: String) -> Result<(), Outcome> {
    let value = HeaderValue::try_from(text)
        .map_err(|e| Outcome::failed(ErrorKind::Protocol, format!("rendered metadata {k}: {e}")))?;
    headers.append(k, value);
    Ok(())
}

async fn exchange(
    conn: &H2Conn,
    endpoint: &Endpoint,
    req: Request<Full<Bytes>>,
    streaming: bool,
    keep: Keep<'_>,
) -> Outcome {
    let (resp, opened) = match conn.send(|| endpoint.dial(), req).await {
        Ok(r) => r,
        Err(o) => return o,
    };
    Outcome {
        opened,
        reused: !opened,
        ..read_call(conn, resp, streaming, keep).await
    }
}

/// The outcome of a call that ended with gRPC status `code`.
fn grpc_outcome(code: i32, message: &str, bytes: u64) -> Outcome {
    let failed = code != 0;
    Outcome {
        status: Some(Status::Grpc(code)),
        error: failed.then_some(ErrorKind::GrpcStatus),
        message: failed.then(|| {
            if message.is_empty() {
                super::grpc_code_name(code).to_owned()
            } else {
                format!("{}: {message}", super::grpc_code_name(code))
            }
        }),
        bytes,
        ..Outcome::default()
    }
}
