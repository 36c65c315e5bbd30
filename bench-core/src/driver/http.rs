//! HTTP/1.1 (keep-alive, one connection per driver, on the lean client in `h1.rs`) and HTTP/2
//! (streams sharing a connection, on hyper's low-level client) over plain TCP or rustls. GraphQL
//! rides on this driver with a body check of its own ([`Check::Body`]).

use std::rc::Rc;
use std::sync::Arc;

use rand::rngs::SmallRng;

use super::endpoint::Endpoint;
use super::h2::H2Conn;
use super::http_request::Prepared;
pub use super::http_request::{HttpError, HttpRequest, HttpRequestSpec, HttpVersion};
use super::http_send::{follow, send_h1, send_h2, Conn, Wire};
use super::route::ConnectOptions;
use super::{Connector, Driver, ErrorKind, Exchange, Outcome};
use crate::template::{Sources, Values};

/// Connection options.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    /// Protocol version.
    pub version: HttpVersion,
    /// TLS, address overrides and proxy.
    pub connect: ConnectOptions,
    /// The call counter and data feeder that request templates draw from.
    pub sources: Sources,
    /// Redirects a call follows on the target's origin (0: none; a 3xx ends the call).
    pub follow_redirects: u32,
}

/// How a response is judged: by its status (4xx and 5xx fail), and by its body when a driver
/// riding on this one gives a check (the GraphQL driver's, [`crate::driver::graphql`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) enum Check {
    /// By its status only.
    #[default]
    Status,
    /// Also by the body read into the driver's buffer.
    Body(fn(Outcome, &[u8]) -> Checked),
}

/// A response judged by a body check.
#[derive(Debug)]
pub(crate) enum Checked {
    /// Final.
    Done(Outcome),
    /// The server asks for the entry's registering variant ([`Entry::register`]; a GraphQL
    /// server that does not know a persisted query yet): send it.
    Register(Outcome),
}

/// A request of the mix and, for GraphQL persisted queries, the variant to send when the server
/// does not know the query yet.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) first: Prepared,
    pub(crate) register: Option<Prepared>,
}

struct Shared {
    endpoint: Endpoint,
    version: HttpVersion,
    check: Check,
    requests: Vec<Entry>,
    names: Vec<String>,
    sources: Sources,
    follow_redirects: u32,
}

/// Makes [`HttpDriver`]s for one target.
#[derive(Debug, Clone)]
pub struct HttpConnector(Arc<Shared>);

impl HttpConnector {
    /// A connector for `target` (e.g. `http://127.0.0.1:8080/api`) and a request mix. Strings of
    /// the requests may hold `{{…}}` placeholders ([`crate::template`]), rendered per call from
    /// `options.sources`.
    ///
    /// The host is resolved here, once; a resolution failure is not an error here but makes every
    /// call fail with [`ErrorKind::Connect`], so an unreachable target still yields a result.
    pub fn new(
        target: &str,
        requests: &[HttpRequestSpec],
        options: &HttpOptions,
    ) -> Result<Self, HttpError> {
        let names = options.sources.names();
        let requests = requests
            .iter()
            .map(|spec| HttpRequest::from_spec(spec, names).map(|r| (r, None)))
            .collect::<Result<Vec<_>, _>>()?;
        Self::build(target, requests, options, Check::Status)
    }

    /// A connector for parsed requests, each with an optional variant sent when a GraphQL server
    /// answers `PersistedQueryNotFound`, judged by `check`.
    pub(crate) fn build(
        target: &str,
        requests: Vec<(HttpRequest, Option<HttpRequest>)>,
        options: &HttpOptions,
        check: Check,
    ) -> Result<Self, HttpError> {
        let alpn: &[&[u8]] = match options.version {
            HttpVersion::Http1 => &[b"http/1.1"],
            HttpVersion::Http2 => &[b"h2"],
        };
        let endpoint = Endpoint::new(target, &options.connect, alpn)?;
        let names = requests.iter().map(|(r, _)| r.name.clone()).collect();
        let requests = requests
            .into_iter()
            .map(|(first, register)| {
                Ok(Entry {
                    first: Prepared::new(first, &endpoint, options.version)?,
                    register: register
                        .map(|r| Prepared::new(r, &endpoint, options.version))
                        .transpose()?,
                })
            })
            .collect::<Result<Vec<_>, HttpError>>()?;
        Ok(Self(Arc::new(Shared {
            endpoint,
            version: options.version,
            check,
            requests,
            names,
            sources: options.sources.clone(),
            follow_redirects: options.follow_redirects,
        })))
    }
}

impl HttpConnector {
    pub(crate) fn endpoint(&self) -> &Endpoint {
        &self.0.endpoint
    }
}

impl Connector for HttpConnector {
    type Driver = HttpDriver;

    fn drivers(&self, streams: usize) -> Vec<HttpDriver> {
        let shared_h2 = Rc::new(H2Conn::default());
        (0..streams)
            .map(|_| HttpDriver {
                shared: self.0.clone(),
                conn: match self.0.version {
                    HttpVersion::Http1 => Conn::H1(None),
                    HttpVersion::Http2 => Conn::H2(shared_h2.clone()),
                },
                rng: self.0.sources.rng(),
                scratch: Vec::new(),
                body: Vec::new(),
            })
            .collect()
    }

    fn request_names(&self) -> Vec<String> {
        self.0.names.clone()
    }
}

/// Performs HTTP calls on its own (HTTP/1.1) or a shared (HTTP/2) connection.
#[derive(Debug)]
pub struct HttpDriver {
    shared: Arc<Shared>,
    conn: Conn,
    rng: SmallRng,
    /// Reused buffer for requests rendered per call.
    scratch: Vec<u8>,
    /// Reused buffer for response bodies that are checked (GraphQL).
    body: Vec<u8>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("endpoint", &self.endpoint)
            .field("version", &self.version)
            .field("requests", &self.names)
            .finish_non_exhaustive()
    }
}

impl Driver for HttpDriver {
    async fn call(&mut self, request: usize) -> Outcome {
        self.exchange(request, &mut Exchange::default()).await
    }

    async fn exchange(&mut self, request: usize, ex: &mut Exchange) -> Outcome {
        let shared = &*self.shared;
        let Some(entry) = shared.requests.get(request) else {
            return Outcome::failed(
                ErrorKind::Protocol,
                format!("no request #{request} in the mix"),
            );
        };
        let mut values = shared
            .sources
            .draw(entry.first.needs, &mut self.rng)
            .with_vars(&ex.vars);
        let body_check = match shared.check {
            Check::Status => None,
            Check::Body(check) => Some(check),
        };
        let keep = body_check.is_some() || ex.keep_body;
        let mut wire = Wire {
            extra: &ex.extra_headers,
            headers: ex.keep_headers.then_some(&mut ex.headers),
        };
        let mut outcome = exchange(
            shared,
            &mut self.conn,
            &entry.first,
            (&mut values, &mut self.scratch),
            keep.then_some(&mut self.body),
            &mut wire,
        )
        .await;
        if let (Some(check), Some(_)) = (body_check, outcome.status) {
            let checked = check(outcome, &self.body);
            outcome = match (checked, &entry.register) {
                (Checked::Done(o), _) | (Checked::Register(o), None) => o,
                (Checked::Register(first), Some(register)) => {
                    // Apollo's protocol: the server does not know the hash yet; send the query
                    // with it, which registers it. Both exchanges are one call.
                    let second = exchange(
                        shared,
                        &mut self.conn,
                        register,
                        (&mut values, &mut self.scratch),
                        Some(&mut self.body),
                        &mut wire,
                    )
                    .await;
                    let bytes = first.bytes;
                    let mut o = if second.status.is_some() {
                        match check(second, &self.body) {
                            Checked::Done(o) | Checked::Register(o) => o,
                        }
                    } else {
                        second
                    };
                    o.bytes += bytes;
                    o
                }
            };
        }
        if ex.keep_body {
            ex.body.clear();
            ex.body.extend_from_slice(&self.body);
        }
        outcome
    }

    fn reset(&mut self) {
        match &mut self.conn {
            Conn::H1(slot) => *slot = None,
            Conn::H2(conn) => conn.reset(),
        }
    }
}

/// Send one request on the driver's connection and read the response (into `keep` when given),
/// following redirects when the scenario asks to.
async fn exchange(
    shared: &Shared,
    conn: &mut Conn,
    prepared: &Prepared,
    (values, scratch): (&mut Values<'_>, &mut Vec<u8>),
    mut keep: Option<&mut Vec<u8>>,
    wire: &mut Wire<'_>,
) -> Outcome {
    let endpoint = &shared.endpoint;
    if shared.follow_redirects > 0 {
        let limit = shared.follow_redirects;
        let text = (values, scratch);
        // Boxed (one allocation per call, only with redirects on): the chain holds a request
        // of either protocol, the largest future of the call, in every connection's task.
        return Box::pin(follow(limit, endpoint, conn, prepared, text, keep, wire)).await;
    }
    if let Some(k) = keep.as_deref_mut() {
        k.clear();
    }
    let headers = wire.headers.as_deref_mut();
    let answer = match conn {
        Conn::H1(slot) => match prepared.h1_bytes(endpoint, values, scratch, wire.extra) {
            Ok(bytes) => {
                let (head, idempotent) = (prepared.is_head(), prepared.is_idempotent());
                send_h1(endpoint, slot, bytes, (head, idempotent), (keep, headers)).await
            }
            Err(outcome) => return outcome,
        },
        Conn::H2(conn) => match prepared.h2_request(endpoint, values, wire.extra) {
            // Boxed (one allocation per HTTP/2 call, next to hyper's own dozens): hyper's
            // futures would otherwise sit in every stream's task for the whole run.
            Ok(req) => Box::pin(send_h2(endpoint, conn, req, (keep, headers))).await,
            Err(outcome) => return outcome,
        },
    };
    answer.outcome
}
