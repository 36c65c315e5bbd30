//! The one HTTP client of the CLI's own traffic (InfluxDB's v1 and v2 APIs, GitHub's REST API):
//! HTTP/1.1 on hyper 1, TLS through rustls with the system's roots (the bundled webpki roots when
//! the system has none), the same stack the load drivers use, so the binary carries one hyper, one
//! http and one rustls.
//!
//! Each request opens its own connection: these are a handful of requests per command, and a
//! fresh connection means a failed request never leaves doubt about a stale pooled one. Errors
//! name the host and port but never the full URL, so query strings and user info stay out of
//! messages.

use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http::header::{HeaderMap, HeaderName};
use http::Method;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::TlsConnector;

use self::target::{form, Target};

mod target;

/// Largest response body read (a query answer carrying many runs' histograms stays far below).
pub const MAX_RESPONSE: usize = 256 * 1024 * 1024;

/// Failures of one request.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The URL or a header cannot be sent.
    #[error("{0}")]
    Request(String),
    /// No (complete) answer: DNS, connect, TLS, timeout, a connection closed early.
    #[error("{0}")]
    Transport(String),
}

/// An HTTP client with a connect timeout and a whole-request timeout.
#[derive(Clone)]
pub struct HttpClient {
    tls: TlsConnector,
    connect_timeout: Duration,
    timeout: Duration,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A request being built: method, URL, headers, body.
#[derive(Debug, Clone)]
pub struct Request {
    method: Method,
    url: String,
    headers: Vec<(HeaderName, String)>,
    body: Bytes,
}

/// A complete answer.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: HeaderMap,
    /// Body (lossy UTF-8).
    pub body: String,
}

impl Response {
    /// A header's value, when present and text.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Whether the status is 2xx.
    #[must_use]
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl Request {
    /// `method url`, without body.
    #[must_use]
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Self {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// Append percent-encoded query parameters.
    #[must_use]
    pub fn query(mut self, params: &[(&str, &str)]) -> Self {
        if !params.is_empty() {
            self.url
                .push(if self.url.contains('?') { '&' } else { '?' });
            self.url.push_str(&form(params));
        }
        self
    }

    /// Add a header.
    #[must_use]
    pub fn header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// `Authorization: Basic …`.
    #[must_use]
    pub fn basic_auth(self, user: &str, password: &str) -> Self {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        self.header(http::header::AUTHORIZATION, format!("Basic {token}"))
    }

    /// A body with its content type.
    #[must_use]
    pub fn body(mut self, content_type: &str, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self.header(http::header::CONTENT_TYPE, content_type)
    }

    /// A JSON body.
    #[must_use]
    pub fn json(self, value: &serde_json::Value) -> Self {
        self.body("application/json", value.to_string())
    }

    /// An `application/x-www-form-urlencoded` body.
    #[must_use]
    pub fn form(self, params: &[(&str, &str)]) -> Self {
        self.body("application/x-www-form-urlencoded", form(params))
    }
}

impl HttpClient {
    /// A client that gives up connecting (TCP and TLS) after `connect_timeout` and on a whole
    /// request after `timeout`.
    pub fn new(connect_timeout: Duration, timeout: Duration) -> Result<Self, HttpError> {
        use bench_core::driver::tls::{client_config, Roots, TlsOptions};
        let options = TlsOptions {
            roots: Roots::System,
            ..TlsOptions::default()
        };
        let config = client_config(&options, &[b"http/1.1"])
            .map_err(|e| HttpError::Request(e.to_string()))?;
        Ok(Self {
            tls: TlsConnector::from(config),
            connect_timeout,
            timeout,
        })
    }

    /// Send `req` and read the whole answer, whatever its status.
    pub async fn send(&self, req: Request) -> Result<Response, HttpError> {
        let target = Target::parse(&req.url)?;
        let request = target.request(req)?;
        let exchange = async {
            let stream = tokio::time::timeout(self.connect_timeout, self.connect(&target))
                .await
                .map_err(|_| {
                    HttpError::Transport(format!(
                        "{}: no connection within {:?}",
                        target.name(),
                        self.connect_timeout
                    ))
                })??;
            exchange(stream, request, &target).await
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| {
                HttpError::Transport(format!(
                    "{}: no complete answer within {:?}",
                    target.name(),
                    self.timeout
                ))
            })?
    }

    async fn connect(&self, target: &Target) -> Result<Box<dyn Stream>, HttpError> {
        let fail = |what: &str, e: &dyn std::fmt::Display| {
            HttpError::Transport(format!("{}: {what}: {e}", target.name()))
        };
        let tcp = TcpStream::connect((target.host.as_str(), target.port))
            .await
            .map_err(|e| fail("cannot connect", &e))?;
        let _ = tcp.set_nodelay(true);
        if !target.tls {
            return Ok(Box::new(tcp));
        }
        let name = ServerName::try_from(target.host.clone())
            .map_err(|e| fail("not a TLS server name", &e))?;
        let tls = self
            .tls
            .connect(name, tcp)
            .await
            .map_err(|e| fail("TLS handshake failed", &e))?;
        Ok(Box::new(tls))
    }
}

/// A connected byte stream, plain or TLS.
trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Stream for T {}

/// One request and its answer over a fresh HTTP/1.1 connection.
async fn exchange(
    stream: Box<dyn Stream>,
    request: http::Request<Full<Bytes>>,
    target: &Target,
) -> Result<Response, HttpError> {
    let fail = |e: &dyn std::fmt::Display| HttpError::Transport(format!("{}: {e}", target.name()));
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| fail(&e))?;
    let driver = tokio::spawn(conn);
    let answer = async {
        let resp = sender.send_request(request).await.map_err(|e| fail(&e))?;
        let (parts, body) = resp.into_parts();
        let bytes = Limited::new(body, MAX_RESPONSE)
            .collect()
            .await
            .map_err(|e| fail(&e))?
            .to_bytes();
        Ok(Response {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        })
    };
    let out = answer.await;
    driver.abort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_failures_name_the_host_and_port_only() -> Result<(), HttpError> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .map_err(|e| HttpError::Transport(e.to_string()))?;
        let port = listener
            .local_addr()
            .map_err(|e| HttpError::Transport(e.to_string()))?
            .port();
        drop(listener);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| HttpError::Transport(e.to_string()))?;
        let client = HttpClient::new(Duration::from_secs(2), Duration::from_secs(5))?;
        let url = format!("http://127.0.0.1:{port}/write?token=hidden");
        let err = rt
            .block_on(client.send(Request::new(Method::POST, url)))
            .map(|_| ())
            .unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, HttpError::Transport(_)), "{msg}");
        assert!(
            msg.starts_with(&format!("127.0.0.1:{port}: cannot connect")),
            "{msg}"
        );
        assert!(!msg.contains("hidden"), "{msg}");
        Ok(())
    }
}
