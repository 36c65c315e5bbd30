//! HTTP/1.1 (keep-alive, one connection per driver, on the lean client in `h1.rs`) and HTTP/2
//! (streams sharing a connection, on hyper's low-level client) over plain TCP or rustls. GraphQL
//! rides on this driver with a body check of its own ([`Check::Body`]).

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::SmallRng;

use super::endpoint::Endpoint;
use super::h1::H1Conn;
use super::h2::H2Conn;
use super::http_request::Prepared;
pub use super::http_request::{HttpError, HttpRequest, HttpRequestSpec, HttpVersion};
use super::route::ConnectOptions;
use super::{Connector, Driver, ErrorKind, Exchange, Io, Outcome};
use crate::template::{Sources, Values};

/// An HTTP/1.1 connection idle for longer than this is checked for a server-side close before
/// it is reused.
const IDLE_PROBE_AFTER: Duration = Duration::from_millis(500);

/// Connection options.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    /// Protocol version.
    pub version: HttpVersion,
    /// TLS, address overrides and proxy.
    pub connect: ConnectOptions,
    /// The call counter and data feeder that request templates draw from.
    pub sources: Sources,
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

#[derive(Debug)]
enum Conn {
    /// This driver's own connection (opened on first use).
    H1(Option<H1Conn<Box<dyn Io>>>),
    /// The connection this driver's streams share.
    H2(Rc<H2Conn>),
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

/// What a call sends besides its request (extra headers) and keeps of the response besides
/// its body (headers).
struct Wire<'a> {
    extra: &'a [(String, String)],
    headers: Option<&'a mut Vec<(String, String)>>,
}

/// Send one request on the driver's connection and read the response (into `keep` when given).
async fn exchange(
    shared: &Shared,
    conn: &mut Conn,
    prepared: &Prepared,
    (values, scratch): (&mut Values<'_>, &mut Vec<u8>),
    mut keep: Option<&mut Vec<u8>>,
    wire: &mut Wire<'_>,
) -> Outcome {
    if let Some(k) = keep.as_deref_mut() {
        k.clear();
    }
    let endpoint = &shared.endpoint;
    match conn {
        Conn::H1(slot) => {
            let bytes = match prepared.h1_bytes(endpoint, values, scratch, wire.extra) {
                Ok(b) => b,
                Err(outcome) => return outcome,
            };
            let reused = slot
                .as_mut()
                .is_some_and(|c| !c.closed_while_idle(IDLE_PROBE_AFTER));
            let mut headers = wire.headers.as_deref_mut();
            let out = (keep.as_deref_mut(), headers.as_deref_mut());
            let first = h1_exchange(endpoint, slot, reused, bytes, prepared, out);
            match first.await {
                Err(f) if reused && f.before_response && prepared.is_idempotent() => {
                    // The server had closed the kept-alive connection (idle timeout, or a close
                    // after the last response without `Connection: close`): nothing of this
                    // request was processed, so send it once more on a fresh connection.
                    let out = (keep, headers);
                    let second = h1_exchange(endpoint, slot, false, bytes, prepared, out).await;
                    let mut outcome = second.unwrap_or_else(|e| e.outcome);
                    outcome.retried = true;
                    outcome
                }
                Ok(outcome) | Err(H1Error { outcome, .. }) => outcome,
            }
        }
        Conn::H2(conn) => {
            let req = match prepared.h2_request(endpoint, values, wire.extra) {
                Ok(r) => r,
                Err(outcome) => return outcome,
            };
            match conn.send(|| endpoint.dial(), req).await {
                Ok((resp, opened)) => {
                    if let Some(out) = wire.headers.as_deref_mut() {
                        copy_headers(resp.headers(), out);
                    }
                    Outcome {
                        opened,
                        reused: !opened,
                        ..conn.drain(resp, keep).await
                    }
                }
                Err(outcome) => outcome,
            }
        }
    }
}

/// Copy `map` into `out` (lower-case names; values that are not text are skipped).
pub(crate) fn copy_headers(map: &http::HeaderMap, out: &mut Vec<(String, String)>) {
    out.clear();
    for (name, value) in map {
        if let Ok(v) = value.to_str() {
            out.push((name.as_str().to_owned(), v.to_owned()));
        }
    }
}

/// Where an exchange keeps the response's body and headers, when asked to.
type Kept<'a> = (
    Option<&'a mut Vec<u8>>,
    Option<&'a mut Vec<(String, String)>>,
);

/// A failed HTTP/1.1 exchange: its outcome, and whether the connection died before any byte of
/// the response arrived.
struct H1Error {
    outcome: Outcome,
    before_response: bool,
}

/// One exchange on the connection in `slot`, dialling first unless `reused`; the outcome says
/// whether the call opened a connection or reused one.
async fn h1_exchange(
    endpoint: &Endpoint,
    slot: &mut Option<H1Conn<Box<dyn Io>>>,
    reused: bool,
    bytes: &[u8],
    prepared: &Prepared,
    (keep, headers): Kept<'_>,
) -> Result<Outcome, H1Error> {
    if !reused {
        *slot = None;
    }
    let conn = match slot {
        Some(c) => c,
        None => {
            let io = endpoint.dial().await.map_err(|outcome| H1Error {
                outcome,
                before_response: false,
            })?;
            slot.insert(H1Conn::new(io))
        }
    };
    conn.keep_headers(headers.is_some());
    let result = conn
        .exchange(bytes, prepared.is_head(), keep.is_some())
        .await;
    let mut outcome = match result {
        Ok(r) => {
            if let Some(k) = keep {
                k.extend_from_slice(conn.body());
            }
            if let Some(h) = headers {
                h.clear();
                h.extend_from_slice(conn.headers());
            }
            if !r.keep_alive {
                *slot = None;
            }
            Outcome::http(r.status, r.body_bytes)
        }
        Err(f) => {
            *slot = None;
            let mut outcome = Outcome::failed(f.kind, f.message);
            outcome.opened = !reused;
            outcome.reused = reused;
            return Err(H1Error {
                outcome,
                before_response: f.before_response,
            });
        }
    };
    outcome.opened = !reused;
    outcome.reused = reused;
    Ok(outcome)
}
