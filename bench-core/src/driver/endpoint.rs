//! Where a driver connects: the target URL taken apart once (scheme, authority, base path,
//! resolved addresses, TLS) and the dialing of a connection: TCP to the target, to its `hosts`
//! override or through a proxy's CONNECT tunnel, then TLS for https. Shared by the HTTP, GraphQL
//! and gRPC drivers.

use std::net::{SocketAddr, ToSocketAddrs};
use std::time::{Duration, Instant};

use http::Uri;
use rustls::pki_types::ServerName;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use super::authority::join_host_port;
use super::proxy::Proxy;
use super::route::ConnectOptions;
use super::tls;
use super::{ErrorKind, Io, Outcome};

/// A target URL's parts and how to reach it.
pub(crate) struct Endpoint {
    /// `host[:port]` as written in the URL (without credentials).
    pub authority: String,
    /// The URL's path without a trailing `/` (prefixes every request path).
    pub base_path: String,
    /// The URL's query, sent with every request (before the request path's own query).
    base_query: Option<String>,
    pub https: bool,
    /// The host as written in the URL, lower case (IPv6 in brackets), and the port (the
    /// scheme's default when the URL gives none): with the scheme, the target's origin.
    host: String,
    port: u16,
    /// The first hop: the proxy, the `hosts` override or the target itself.
    hop: String,
    addrs: Result<Vec<SocketAddr>, Unresolved>,
    /// The proxy and the `host:port` its CONNECT tunnel asks for.
    tunnel: Option<(Proxy, String)>,
    tls: Option<Tls>,
}

struct Tls {
    connector: TlsConnector,
    name: ServerName<'static>,
    identity: bool,
}

/// Why dialling failed: a TLS or proxy failure is a configuration problem, a TCP one may be
/// the target's.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DialError {
    /// The name did not resolve (kept from construction).
    #[error(transparent)]
    Resolve(Unresolved),
    /// TCP connect failed.
    #[error("connect {hop}: {error}")]
    Tcp { hop: String, error: std::io::Error },
    /// The proxy's CONNECT tunnel failed.
    #[error(transparent)]
    Proxy(#[from] super::proxy::TunnelError),
    /// The TLS handshake failed (or the server refused the client certificate just after it).
    #[error("TLS handshake with {name}: {reason}")]
    Tls { name: String, reason: String },
}

/// A first hop whose name did not resolve, with the resolver's message.
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot resolve {host}: {message}")]
pub(crate) struct Unresolved {
    host: String,
    message: String,
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
        options: &ConnectOptions,
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
        let (to_host, to_port) = options.hosts.resolve(&bare_host, port);
        let tunnel = options
            .proxy
            .for_target(https, &bare_host)
            .map(|p| (p.clone(), join_host_port(&to_host, to_port)));
        let (hop_host, hop_port) = match &tunnel {
            Some((p, _)) => (p.host.clone(), p.port),
            None => (to_host, to_port),
        };
        let addrs = (hop_host.as_str(), hop_port)
            .to_socket_addrs()
            .map(Iterator::collect)
            .map_err(|e| Unresolved {
                host: hop_host.clone(),
                message: e.to_string(),
            });
        let tls = if https {
            let t = &options.tls;
            Some(Tls {
                connector: TlsConnector::from(tls::client_config(t, alpn)?),
                name: tls::server_name(t, &bare_host)?,
                identity: t.identity.is_some(),
            })
        } else {
            None
        };
        Ok(Self {
            authority,
            base_path: base.path().trim_end_matches('/').to_owned(),
            base_query: base.query().map(str::to_owned),
            https,
            host: host.to_ascii_lowercase(),
            port,
            hop: join_host_port(&hop_host, hop_port),
            addrs,
            tunnel,
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

    /// Whether an absolute URL is on the target's origin: the same scheme, host and port (RFC
    /// 6454), so that a request to it goes where the target's requests go.
    pub(crate) fn same_origin(&self, url: &Uri) -> bool {
        let https = match url.scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("http") => false,
            Some(s) if s.eq_ignore_ascii_case("https") => true,
            _ => return false,
        };
        let port = url.port_u16().unwrap_or(if https { 443 } else { 80 });
        https == self.https
            && port == self.port
            && url
                .host()
                .is_some_and(|h| h.eq_ignore_ascii_case(&self.host))
    }

    /// The base path joined with a request path (`/` when both are empty), and the target's
    /// query before the request path's own: `http://h/base?x=1` + `/items?y=2` is
    /// `/base/items?x=1&y=2`.
    pub(crate) fn join(&self, path_and_query: &str) -> String {
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path_and_query, None),
        };
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
        let query = [self.base_query.as_deref(), query]
            .into_iter()
            .flatten()
            .filter(|q| !q.is_empty())
            .collect::<Vec<_>>()
            .join("&");
        if query.is_empty() {
            joined
        } else {
            format!("{joined}?{query}")
        }
    }

    /// Open a connection (TCP, through the proxy's tunnel when there is one, and TLS over it for
    /// https).
    pub(crate) async fn dial(&self) -> Result<Box<dyn Io>, Outcome> {
        match self.connect().await {
            Ok(Dialed::Plain(tcp)) => Ok(Box::new(tcp)),
            Ok(Dialed::Tls(tls)) => Ok(tls),
            Err(e) => Err(Outcome::failed(ErrorKind::Connect, e.to_string())),
        }
    }

    async fn connect(&self) -> Result<Dialed, DialError> {
        let addrs = self
            .addrs
            .as_ref()
            .map_err(|e| DialError::Resolve(e.clone()))?;
        let tcp = TcpStream::connect(addrs.as_slice())
            .await
            .map_err(|error| DialError::Tcp {
                hop: self.hop.clone(),
                error,
            })?;
        let _ = tcp.set_nodelay(true);
        if self.tunnel.is_none() && self.tls.is_none() {
            return Ok(Dialed::Plain(tcp));
        }
        // Boxed: the tunnel's and TLS handshake's futures are most of a dial's size, and every
        // connection dials at once at the start (10 000 connections: 10 MB held for a moment).
        Box::pin(self.secure(tcp)).await
    }

    /// The proxy's tunnel and the TLS handshake over a connected `tcp`, when the endpoint has them.
    async fn secure(&self, mut tcp: TcpStream) -> Result<Dialed, DialError> {
        if let Some((proxy, authority)) = &self.tunnel {
            proxy.tunnel(&mut tcp, authority).await?;
        }
        let Some(tls) = &self.tls else {
            return Ok(Dialed::Plain(tcp));
        };
        tls.connector
            .connect(tls.name.clone(), tcp)
            .await
            .map(|s| Dialed::Tls(Box::new(s)))
            .map_err(|e| Self::handshake_error(tls, &e))
    }

    fn handshake_error(tls: &Tls, e: &std::io::Error) -> DialError {
        let name = tls.name.to_str();
        DialError::Tls {
            reason: tls::explain(e, &name, tls.identity),
            name: name.into_owned(),
        }
    }

    /// Dial once before the load, so that a setting that cannot work is an error naming the
    /// reason instead of thousands of identical connect errors. A TLS or proxy failure is such an
    /// error (for TLS 1.3 this includes the server's refusal of the client certificate, which
    /// arrives just after the handshake); a TCP failure or no answer within `timeout` is left to
    /// the run to count.
    pub(crate) async fn probe(&self, timeout: Duration) -> Result<(), DialError> {
        if self.tls.is_none() && self.tunnel.is_none() {
            return Ok(());
        }
        let started = Instant::now();
        let dialed = match tokio::time::timeout(timeout, self.connect()).await {
            Err(_) | Ok(Err(DialError::Resolve(_) | DialError::Tcp { .. })) => return Ok(()),
            Ok(Err(e)) => return Err(e),
            Ok(Ok(d)) => d,
        };
        let (Dialed::Tls(mut stream), Some(tls)) = (dialed, &self.tls) else {
            return Ok(());
        };
        // A refusal takes about one round trip after the handshake; the handshake took two.
        let wait = started
            .elapsed()
            .clamp(Duration::from_millis(250), Duration::from_secs(2));
        let mut byte = [0u8; 1];
        match tokio::time::timeout(wait, stream.read(&mut byte)).await {
            Ok(Err(e)) if e.get_ref().is_some_and(|i| i.is::<rustls::Error>()) => {
                Err(Self::handshake_error(tls, &e))
            }
            _ => Ok(()),
        }
    }
}

enum Dialed {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(target: &str, path: &str) -> String {
        let endpoint = Endpoint::new(target, &ConnectOptions::default(), &[b"http/1.1"]);
        endpoint.map_or_else(|e| e.to_string(), |e| e.join(path))
    }

    /// The target's path prefixes every request path and its query goes with every request,
    /// before the request path's own query.
    #[test]
    fn target_path_and_query_go_with_every_request() {
        let t = "http://127.0.0.1:1/base?x=1";
        assert_eq!(join(t, "/items"), "/base/items?x=1");
        assert_eq!(join(t, "items?y=2"), "/base/items?x=1&y=2");
        assert_eq!(join(t, ""), "/base?x=1");
        assert_eq!(join("http://127.0.0.1:1/base/", "/a?b"), "/base/a?b");
        assert_eq!(join("http://127.0.0.1:1", ""), "/");
        assert_eq!(join("http://127.0.0.1:1?", "/a"), "/a");
    }

    /// Every connection dials at the start, all at once: at 10 000 connections each 100 bytes
    /// of a plain dial's future are 1 MB of the run's peak memory.
    #[test]
    fn a_plain_dial_stays_small() {
        let endpoint = Endpoint::new("http://127.0.0.1:1", &ConnectOptions::default(), &[]);
        let endpoint = endpoint.unwrap();
        let size = std::mem::size_of_val(&endpoint.dial());
        assert!(size <= 256, "a plain dial's future takes {size} bytes");
    }
}
