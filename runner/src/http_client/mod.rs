//! The one HTTP client of the CLI's own traffic (InfluxDB's v1 and v2 APIs, GitHub's REST API):
//! HTTP/1.1 on hyper 1, TLS through rustls with the system's roots (the bundled webpki roots when
//! the system has none), the same stack the load drivers use, so the binary carries one hyper, one
//! http and one rustls.
//!
//! Proxies as curl uses them: `HTTPS_PROXY` for https URLs (a CONNECT tunnel, TLS end to end),
//! `HTTP_PROXY` for http ones (the request in absolute form to the proxy), `NO_PROXY`
//! exceptions, loopback never proxied ([`connect`]; the variables as bench-core's drivers read
//! them, [`bench_core::driver::proxy::EnvProxy`]).
//!
//! Each request opens its own connection: these are a handful of requests per command, and a
//! fresh connection means a failed request never leaves doubt about a stale pooled one. Errors
//! name the host and port but never the full URL, so query strings and user info stay out of
//! messages.

use std::time::Duration;

use base64::Engine as _;
use bench_core::driver::proxy::{EnvProxy, ProxySetting};
use bytes::Bytes;
use http::header::{HeaderMap, HeaderName};
use http::Method;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_util::rt::TokioIo;
use tokio_rustls::TlsConnector;

use self::connect::Stream;
use self::target::{form, Target};

mod connect;
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
    proxy: ProxySetting,
    connect_timeout: Duration,
    timeout: Duration,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("proxy", &self.proxy)
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
    /// A client that gives up connecting (TCP, proxy and TLS) after `connect_timeout` and on a
    /// whole request after `timeout`, through the proxies of the environment (`HTTPS_PROXY`,
    /// `HTTP_PROXY`, `NO_PROXY`; a bad value is an error naming the variable).
    pub fn new(connect_timeout: Duration, timeout: Duration) -> Result<Self, HttpError> {
        let proxy = EnvProxy::read(&|name| std::env::var(name).ok())
            .map_err(|e| HttpError::Request(e.to_string()))?;
        Self::with_proxy(connect_timeout, timeout, ProxySetting::Env(proxy))
    }

    /// [`HttpClient::new`] with the given proxy setting instead of the environment's.
    pub fn with_proxy(
        connect_timeout: Duration,
        timeout: Duration,
        proxy: ProxySetting,
    ) -> Result<Self, HttpError> {
        use bench_core::driver::tls::{client_config, Roots, TlsOptions};
        let options = TlsOptions {
            roots: Roots::System,
            ..TlsOptions::default()
        };
        let config = client_config(&options, &[b"http/1.1"])
            .map_err(|e| HttpError::Request(e.to_string()))?;
        Ok(Self {
            tls: TlsConnector::from(config),
            proxy,
            connect_timeout,
            timeout,
        })
    }

    /// Send `req` and read the whole answer, whatever its status.
    pub async fn send(&self, req: Request) -> Result<Response, HttpError> {
        let target = Target::parse(&req.url)?;
        let proxy = self.proxy.for_target(target.tls, &target.host);
        // Plain http through a proxy: the request itself goes to the proxy, in absolute form.
        let request = target.request(req, proxy.filter(|_| !target.tls))?;
        let exchange = async {
            let connect = connect::open(&self.tls, &target, proxy);
            let stream = tokio::time::timeout(self.connect_timeout, connect)
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
}

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
