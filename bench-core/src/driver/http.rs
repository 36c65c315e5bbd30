//! HTTP/1.1 (keep-alive, one connection per driver, on the lean client in `h1.rs`) and HTTP/2
//! (streams sharing a connection, on hyper's low-level client) over plain TCP or rustls.

use std::cell::RefCell;
use std::net::{SocketAddr, ToSocketAddrs};
use std::rc::Rc;
use std::sync::Arc;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, HOST, USER_AGENT};
use http::{HeaderMap, Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http2;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::h1::H1Conn;

/// An HTTP/1.1 connection idle for longer than this is checked for a server-side close before
/// it is reused.
const IDLE_PROBE_AFTER: std::time::Duration = std::time::Duration::from_millis(500);
use super::tls::{self, Roots};
use super::{Connector, Driver, ErrorKind, Outcome, Status};

/// Which HTTP version to speak.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum HttpVersion {
    /// HTTP/1.1 with keep-alive: one request in flight per connection.
    #[default]
    #[serde(rename = "1.1")]
    Http1,
    /// HTTP/2 (h2c prior knowledge on http://, ALPN h2 on https://): many streams per connection.
    #[serde(rename = "2")]
    Http2,
}

/// Connection options.
#[derive(Debug, Clone, Default)]
pub struct HttpOptions {
    /// Protocol version.
    pub version: HttpVersion,
    /// Trusted roots for https.
    pub roots: Roots,
    /// Accept any server certificate (opt-in, for self-signed test environments).
    pub insecure: bool,
}

/// One request of the mix, as written in a scenario.
#[derive(Debug, Clone, Default)]
pub struct HttpRequestSpec {
    /// Name used in results.
    pub name: String,
    /// Method, e.g. "GET".
    pub method: String,
    /// Path and query, appended to the target's path.
    pub path: String,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// Request body.
    pub body: Vec<u8>,
}

/// Errors building an HTTP connector; they name the offending value.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The target is not an absolute http(s) URL.
    #[error("target {0:?} is not an absolute http:// or https:// URL")]
    Target(String),
    /// A method, path or header could not be used.
    #[error("request {request:?}: invalid {field}: {message}")]
    Request {
        /// Request name.
        request: String,
        /// Field name.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// TLS setup failed.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
}

#[derive(Debug)]
struct Prepared {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
    /// The whole HTTP/1.1 request, encoded once.
    h1: Bytes,
}

struct Shared {
    host: String,
    port: u16,
    addrs: Result<Vec<SocketAddr>, String>,
    tls: Option<TlsConnector>,
    version: HttpVersion,
    requests: Vec<Prepared>,
    names: Vec<String>,
}

/// Makes [`HttpDriver`]s for one target.
#[derive(Debug, Clone)]
pub struct HttpConnector(Arc<Shared>);

impl HttpConnector {
    /// A connector for `target` (e.g. `http://127.0.0.1:8080/api`) and a request mix.
    ///
    /// The host is resolved here, once; a resolution failure is not an error here but makes every
    /// call fail with [`ErrorKind::Connect`], so an unreachable target still yields a result.
    pub fn new(
        target: &str,
        requests: &[HttpRequestSpec],
        options: &HttpOptions,
    ) -> Result<Self, HttpError> {
        let base: Uri = target
            .parse()
            .map_err(|_| HttpError::Target(target.to_owned()))?;
        let https = match base.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            _ => return Err(HttpError::Target(target.to_owned())),
        };
        let host = base
            .host()
            .ok_or_else(|| HttpError::Target(target.to_owned()))?
            .to_owned();
        let port = base.port_u16().unwrap_or(if https { 443 } else { 80 });
        let authority = base
            .authority()
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default();
        let authority = authority.rsplit('@').next().unwrap_or_default().to_owned();
        let base_path = base.path().trim_end_matches('/').to_owned();
        let bare_host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let addrs = (bare_host.as_str(), port)
            .to_socket_addrs()
            .map(Iterator::collect)
            .map_err(|e| format!("cannot resolve {host}: {e}"));

        let tls = if https {
            let alpn: &[&[u8]] = match options.version {
                HttpVersion::Http1 => &[b"http/1.1"],
                HttpVersion::Http2 => &[b"h2"],
            };
            Some(TlsConnector::from(tls::client_config(
                options.roots,
                options.insecure,
                alpn,
            )?))
        } else {
            None
        };

        let scheme = if https { "https" } else { "http" };
        let mut prepared = Vec::with_capacity(requests.len());
        for spec in requests {
            let err = |field, message: String| HttpError::Request {
                request: spec.name.clone(),
                field,
                message,
            };
            let method = Method::from_bytes(spec.method.as_bytes())
                .map_err(|e| err("method", e.to_string()))?;
            let path = if spec.path.starts_with('/') || spec.path.is_empty() {
                format!("{base_path}{}", spec.path)
            } else {
                format!("{base_path}/{}", spec.path)
            };
            let path = if path.is_empty() {
                "/".to_owned()
            } else {
                path
            };
            let uri_text = match options.version {
                HttpVersion::Http1 => path,
                HttpVersion::Http2 => format!("{scheme}://{authority}{path}"),
            };
            let uri: Uri = uri_text
                .parse()
                .map_err(|e: http::uri::InvalidUri| err("path", e.to_string()))?;
            let mut headers = HeaderMap::new();
            if options.version == HttpVersion::Http1 {
                let host_value =
                    HeaderValue::from_str(&authority).map_err(|e| err("target", e.to_string()))?;
                headers.insert(HOST, host_value);
            }
            headers.insert(
                USER_AGENT,
                HeaderValue::from_static(concat!("tailguard/", env!("CARGO_PKG_VERSION"))),
            );
            for (name, value) in &spec.headers {
                let name = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|e| err("header name", e.to_string()))?;
                let value = HeaderValue::from_str(value)
                    .map_err(|e| err("header value", format!("{name}: {e}")))?;
                headers.append(name, value);
            }
            let mut h1_headers = vec![(
                USER_AGENT.as_str().to_owned(),
                concat!("tailguard/", env!("CARGO_PKG_VERSION")).to_owned(),
            )];
            h1_headers.extend(spec.headers.iter().cloned());
            let h1 = super::h1::encode(
                method.as_str(),
                &uri.to_string(),
                &authority,
                &h1_headers,
                &spec.body,
            );
            prepared.push(Prepared {
                method,
                uri,
                headers,
                body: Bytes::from(spec.body.clone()),
                h1: Bytes::from(h1),
            });
        }
        Ok(Self(Arc::new(Shared {
            host: bare_host,
            port,
            addrs,
            tls,
            version: options.version,
            requests: prepared,
            names: requests.iter().map(|r| r.name.clone()).collect(),
        })))
    }
}

impl Connector for HttpConnector {
    type Driver = HttpDriver;

    fn drivers(&self, streams: usize) -> Vec<HttpDriver> {
        match self.0.version {
            HttpVersion::Http1 => (0..streams)
                .map(|_| HttpDriver {
                    shared: self.0.clone(),
                    conn: Conn::H1(None),
                })
                .collect(),
            HttpVersion::Http2 => {
                let slot = Rc::new(H2Slot::default());
                (0..streams)
                    .map(|_| HttpDriver {
                        shared: self.0.clone(),
                        conn: Conn::H2(slot.clone()),
                    })
                    .collect()
            }
        }
    }

    fn request_names(&self) -> Vec<String> {
        self.0.names.clone()
    }
}

#[derive(Debug, Default)]
struct H2Slot {
    sender: RefCell<Option<http2::SendRequest<Full<Bytes>>>>,
    connecting: tokio::sync::Mutex<()>,
}

#[derive(Debug)]
enum Conn {
    H1(Option<H1Conn<Box<dyn Io>>>),
    H2(Rc<H2Slot>),
}

/// Performs HTTP calls on its own (HTTP/1.1) or a shared (HTTP/2) connection.
#[derive(Debug)]
pub struct HttpDriver {
    shared: Arc<Shared>,
    conn: Conn,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls.is_some())
            .field("version", &self.version)
            .field("requests", &self.names)
            .finish_non_exhaustive()
    }
}

impl Shared {
    async fn dial(&self) -> Result<Box<dyn Io>, Outcome> {
        let addrs = self
            .addrs
            .as_ref()
            .map_err(|e| Outcome::failed(ErrorKind::Connect, e.clone()))?;
        let tcp = TcpStream::connect(addrs.as_slice()).await.map_err(|e| {
            Outcome::failed(
                ErrorKind::Connect,
                format!("connect {}:{}: {e}", self.host, self.port),
            )
        })?;
        let _ = tcp.set_nodelay(true);
        match &self.tls {
            None => Ok(Box::new(tcp)),
            Some(connector) => {
                let name =
                    rustls::pki_types::ServerName::try_from(self.host.clone()).map_err(|e| {
                        Outcome::failed(
                            ErrorKind::Connect,
                            format!("TLS server name {}: {e}", self.host),
                        )
                    })?;
                let stream = connector.connect(name, tcp).await.map_err(|e| {
                    Outcome::failed(
                        ErrorKind::Connect,
                        format!("TLS handshake with {}: {e}", self.host),
                    )
                })?;
                Ok(Box::new(stream))
            }
        }
    }

    fn request(&self, index: usize) -> Option<Request<Full<Bytes>>> {
        let p = self.requests.get(index)?;
        let mut req = Request::new(Full::new(p.body.clone()));
        *req.method_mut() = p.method.clone();
        *req.uri_mut() = p.uri.clone();
        *req.headers_mut() = p.headers.clone();
        Some(req)
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Io for T {}

impl HttpDriver {
    async fn send(
        &mut self,
        req: Request<Full<Bytes>>,
    ) -> Result<hyper::Response<hyper::body::Incoming>, Outcome> {
        match &mut self.conn {
            Conn::H1(_) => Err(Outcome::failed(
                ErrorKind::Protocol,
                "HTTP/1.1 does not use hyper",
            )),
            Conn::H2(slot) => {
                let existing = slot
                    .sender
                    .borrow()
                    .as_ref()
                    .filter(|s| !s.is_closed())
                    .cloned();
                let mut sender = match existing {
                    Some(s) => s,
                    None => {
                        let _guard = slot.connecting.lock().await;
                        let again = slot
                            .sender
                            .borrow()
                            .as_ref()
                            .filter(|s| !s.is_closed())
                            .cloned();
                        match again {
                            Some(s) => s,
                            None => {
                                let io = self.shared.dial().await?;
                                let (sender, conn) =
                                    http2::handshake(TokioExecutor::new(), TokioIo::new(io))
                                        .await
                                        .map_err(|e| classify(&e))?;
                                tokio::spawn(conn);
                                *slot.sender.borrow_mut() = Some(sender.clone());
                                sender
                            }
                        }
                    }
                };
                sender.ready().await.map_err(|e| classify(&e))?;
                sender.send_request(req).await.map_err(|e| classify(&e))
            }
        }
    }
}

impl HttpDriver {
    async fn call_h1(&mut self, request: usize) -> Outcome {
        let shared = self.shared.clone();
        let Some(p) = shared.requests.get(request) else {
            return Outcome::failed(
                ErrorKind::Protocol,
                format!("no request #{request} in the mix"),
            );
        };
        let Conn::H1(slot) = &mut self.conn else {
            return Outcome::failed(ErrorKind::Protocol, "not an HTTP/1.1 connection");
        };
        if slot
            .as_mut()
            .is_some_and(|c| c.closed_while_idle(IDLE_PROBE_AFTER))
        {
            *slot = None;
        }
        let conn = match slot {
            Some(c) => c,
            None => match shared.dial().await {
                Ok(io) => slot.insert(H1Conn::new(io)),
                Err(outcome) => return outcome,
            },
        };
        match conn.exchange(&p.h1, p.method == Method::HEAD).await {
            Ok(r) => {
                if !r.keep_alive {
                    *slot = None;
                }
                let mut out = Outcome {
                    status: Some(Status::Http(r.status)),
                    bytes: r.body_bytes,
                    ..Outcome::default()
                };
                if r.status >= 400 {
                    out.error = Some(ErrorKind::Status);
                    out.message = Some(format!("HTTP {}", r.status));
                }
                out
            }
            Err(f) => {
                *slot = None;
                Outcome::failed(f.kind, f.message)
            }
        }
    }
}

impl Driver for HttpDriver {
    async fn call(&mut self, request: usize) -> Outcome {
        if matches!(self.conn, Conn::H1(_)) {
            return self.call_h1(request).await;
        }
        let Some(req) = self.shared.request(request) else {
            return Outcome::failed(
                ErrorKind::Protocol,
                format!("no request #{request} in the mix"),
            );
        };
        let resp = match self.send(req).await {
            Ok(resp) => resp,
            Err(outcome) => {
                self.reset();
                return outcome;
            }
        };
        let code = resp.status().as_u16();
        let mut body = resp.into_body();
        let mut bytes = 0u64;
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(frame) => {
                    if let Some(data) = frame.data_ref() {
                        bytes += data.len() as u64;
                    }
                }
                Err(e) => {
                    self.reset();
                    let mut out = classify(&e);
                    out.status = Some(Status::Http(code));
                    return out;
                }
            }
        }
        let mut out = Outcome {
            status: Some(Status::Http(code)),
            bytes,
            ..Outcome::default()
        };
        if code >= 400 {
            out.error = Some(ErrorKind::Status);
            out.message = Some(format!("HTTP {code}"));
        }
        out
    }

    fn reset(&mut self) {
        match &mut self.conn {
            Conn::H1(slot) => *slot = None,
            Conn::H2(slot) => *slot.sender.borrow_mut() = None,
        }
    }
}

/// Classify a hyper error into an [`ErrorKind`].
fn classify(e: &hyper::Error) -> Outcome {
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else if e.is_incomplete_message() || e.is_canceled() || e.is_closed() || io_reset(e) {
        ErrorKind::Reset
    } else {
        ErrorKind::Protocol
    };
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    Outcome::failed(kind, message)
}

fn io_reset(e: &hyper::Error) -> bool {
    use std::io::ErrorKind as K;
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof
            );
        }
        source = s.source();
    }
    false
}
