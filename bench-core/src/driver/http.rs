//! HTTP/1.1 (keep-alive, one connection per driver, on the lean client in `h1.rs`) and HTTP/2
//! (streams sharing a connection, on hyper's low-level client) over plain TCP or rustls.

use std::net::{SocketAddr, ToSocketAddrs};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, USER_AGENT};
use http::{HeaderMap, Method, Uri};
use serde::{Deserialize, Serialize};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::h1::{self, H1Conn};
use super::h2::{H2Conn, H2Request};
use super::tls::{self, Roots};
use super::{Connector, Driver, ErrorKind, Io, Outcome};

/// An HTTP/1.1 connection idle for longer than this is checked for a server-side close before
/// it is reused.
const IDLE_PROBE_AFTER: Duration = Duration::from_millis(500);

const USER_AGENT_VALUE: &str = concat!("tailguard/", env!("CARGO_PKG_VERSION"));

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

/// A request of the mix in the form its protocol sends it, built once.
#[derive(Debug)]
enum Prepared {
    /// The whole HTTP/1.1 request, encoded; `head` marks a HEAD request (no response body).
    H1 { bytes: Bytes, head: bool },
    /// The parts of an HTTP/2 request.
    H2(Box<H2Request>),
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
            let mut headers = HeaderMap::new();
            headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
            for (name, value) in &spec.headers {
                let name = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|e| err("header name", e.to_string()))?;
                let value = HeaderValue::from_str(value)
                    .map_err(|e| err("header value", format!("{name}: {e}")))?;
                headers.append(name, value);
            }
            let prepared_request = match options.version {
                HttpVersion::Http1 => {
                    let _: Uri = path
                        .parse()
                        .map_err(|e: http::uri::InvalidUri| err("path", e.to_string()))?;
                    let mut all =
                        vec![(USER_AGENT.as_str().to_owned(), USER_AGENT_VALUE.to_owned())];
                    all.extend(spec.headers.iter().cloned());
                    let bytes = h1::encode(method.as_str(), &path, &authority, &all, &spec.body);
                    Prepared::H1 {
                        bytes: Bytes::from(bytes),
                        head: method == Method::HEAD,
                    }
                }
                HttpVersion::Http2 => Prepared::H2(Box::new(H2Request {
                    uri: format!("{scheme}://{authority}{path}")
                        .parse()
                        .map_err(|e: http::uri::InvalidUri| err("path", e.to_string()))?,
                    method,
                    headers,
                    body: Bytes::from(spec.body.clone()),
                })),
            };
            prepared.push(prepared_request);
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
        let shared_h2 = Rc::new(H2Conn::default());
        (0..streams)
            .map(|_| HttpDriver {
                shared: self.0.clone(),
                conn: match self.0.version {
                    HttpVersion::Http1 => Conn::H1(None),
                    HttpVersion::Http2 => Conn::H2(shared_h2.clone()),
                },
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
    /// Open a TCP connection (and TLS over it for https).
    async fn dial(&self) -> Result<Box<dyn Io>, Outcome> {
        let connect_error = |message: String| Outcome::failed(ErrorKind::Connect, message);
        let addrs = self.addrs.as_ref().map_err(|e| connect_error(e.clone()))?;
        let tcp = TcpStream::connect(addrs.as_slice())
            .await
            .map_err(|e| connect_error(format!("connect {}:{}: {e}", self.host, self.port)))?;
        let _ = tcp.set_nodelay(true);
        let Some(connector) = &self.tls else {
            return Ok(Box::new(tcp));
        };
        let name = rustls::pki_types::ServerName::try_from(self.host.clone())
            .map_err(|e| connect_error(format!("TLS server name {}: {e}", self.host)))?;
        let stream = connector
            .connect(name, tcp)
            .await
            .map_err(|e| connect_error(format!("TLS handshake with {}: {e}", self.host)))?;
        Ok(Box::new(stream))
    }
}

impl Driver for HttpDriver {
    async fn call(&mut self, request: usize) -> Outcome {
        let shared = &*self.shared;
        let Some(prepared) = shared.requests.get(request) else {
            return Outcome::failed(
                ErrorKind::Protocol,
                format!("no request #{request} in the mix"),
            );
        };
        match (&mut self.conn, prepared) {
            (Conn::H1(slot), Prepared::H1 { bytes, head }) => {
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
                match conn.exchange(bytes, *head).await {
                    Ok(r) => {
                        if !r.keep_alive {
                            *slot = None;
                        }
                        Outcome::http(r.status, r.body_bytes)
                    }
                    Err(f) => {
                        *slot = None;
                        Outcome::failed(f.kind, f.message)
                    }
                }
            }
            (Conn::H2(conn), Prepared::H2(req)) => conn.call(|| shared.dial(), req).await,
            _ => Outcome::failed(
                ErrorKind::Protocol,
                "request prepared for another HTTP version",
            ),
        }
    }

    fn reset(&mut self) {
        match &mut self.conn {
            Conn::H1(slot) => *slot = None,
            Conn::H2(conn) => conn.reset(),
        }
    }
}
