//! Where a driver connects: the target URL taken apart once (scheme, authority, base path,
//! resolved addresses, TLS) and the dialing of a TCP or TLS connection. Shared by the HTTP,
//! GraphQL and gRPC drivers.

use std::net::{SocketAddr, ToSocketAddrs};

use http::Uri;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::tls::{self, Roots};
use super::{ErrorKind, Io, Outcome};

/// A target URL's parts and how to reach it.
pub(crate) struct Endpoint {
    /// Host without brackets (for resolution and the TLS server name).
    pub host: String,
    pub port: u16,
    /// `host[:port]` as written in the URL (without credentials).
    pub authority: String,
    /// The URL's path without a trailing `/` (prefixes every request path).
    pub base_path: String,
    /// The URL's query, kept for requests without a path of their own (a GraphQL endpoint).
    base_query: Option<String>,
    pub https: bool,
    addrs: Result<Vec<SocketAddr>, String>,
    tls: Option<TlsConnector>,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("authority", &self.authority)
            .field("https", &self.https)
            .finish_non_exhaustive()
    }
}

/// Why a target cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    /// Not an absolute http(s) URL.
    #[error("target {0:?} is not an absolute http:// or https:// URL")]
    Target(String),
    /// TLS setup failed.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
}

impl Endpoint {
    /// Parse `target` and resolve its host once; a resolution failure is kept and makes every
    /// dial fail with [`ErrorKind::Connect`], so an unreachable target still yields a result.
    /// `alpn` is offered on https (e.g. `[b"h2"]`).
    pub(crate) fn new(
        target: &str,
        roots: Roots,
        insecure: bool,
        alpn: &[&[u8]],
    ) -> Result<Self, EndpointError> {
        let bad = || EndpointError::Target(target.to_owned());
        // Scenarios check this when they load; callers of the library get the same rule (a
        // port out of range is an error, never the scheme's default).
        crate::scenario::target::check(target).map_err(|_| bad())?;
        let base: Uri = target.parse().map_err(|_| bad())?;
        let https = match base.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            _ => return Err(bad()),
        };
        let host = base.host().ok_or_else(bad)?.to_owned();
        let port = base.port_u16().unwrap_or(if https { 443 } else { 80 });
        let authority = base
            .authority()
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default();
        let authority = authority.rsplit('@').next().unwrap_or_default().to_owned();
        let bare_host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let addrs = (bare_host.as_str(), port)
            .to_socket_addrs()
            .map(Iterator::collect)
            .map_err(|e| format!("cannot resolve {host}: {e}"));
        let tls = if https {
            Some(TlsConnector::from(tls::client_config(
                roots, insecure, alpn,
            )?))
        } else {
            None
        };
        Ok(Self {
            host: bare_host,
            port,
            authority,
            base_path: base.path().trim_end_matches('/').to_owned(),
            base_query: base.query().map(str::to_owned),
            https,
            addrs,
            tls,
        })
    }

    /// `http` or `https`.
    pub(crate) fn scheme(&self) -> &'static str {
        if self.https {
            "https"
        } else {
            "http"
        }
    }

    /// The base path joined with a request path (`/` when both are empty). An empty request
    /// path keeps the target's query (`http://host/graphql?x=1`).
    pub(crate) fn join(&self, path: &str) -> String {
        let joined = if path.starts_with('/') || path.is_empty() {
            format!("{}{path}", self.base_path)
        } else {
            format!("{}/{path}", self.base_path)
        };
        let joined = if joined.is_empty() {
            "/".to_owned()
        } else {
            joined
        };
        match (path.is_empty(), &self.base_query) {
            (true, Some(q)) => format!("{joined}?{q}"),
            _ => joined,
        }
    }

    /// Open a TCP connection (and TLS over it for https).
    pub(crate) async fn dial(&self) -> Result<Box<dyn Io>, Outcome> {
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
