//! HTTP proxies: an explicit `[http] proxy`, or `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` from the
//! environment. Every connection through a proxy is an HTTP CONNECT tunnel (plain http targets
//! too), so TLS and HTTP/2 run end to end and the proxy only relays bytes.

use std::net::IpAddr;

use base64::Engine as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::authority::{split_host_port, AuthorityError};

/// Why a proxy setting is refused. Never quotes the URL, which may hold a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyError {
    /// A scheme other than `http://`.
    #[error("proxy scheme {scheme:?} is not supported: give an http:// proxy (the tunnel to an https target is still TLS end to end)")]
    Scheme {
        /// The scheme as written.
        scheme: String,
    },
    /// The `host:port` part does not parse.
    #[error(transparent)]
    Authority(#[from] AuthorityError),
    /// No host.
    #[error("the proxy URL has no host")]
    NoHost,
    /// A bad proxy variable of the environment.
    #[error("environment variable {name}: {reason}")]
    Env {
        /// The variable's name.
        name: String,
        /// What is wrong with its value.
        reason: Box<ProxyError>,
    },
}

/// Why a CONNECT tunnel through a proxy failed; the message names the proxy (`host:port`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TunnelError {
    /// Writing or reading the connection failed.
    #[error("proxy {proxy}: {error}")]
    Io {
        /// The proxy's `host:port`.
        proxy: String,
        /// The failure.
        error: std::io::Error,
    },
    /// The response head is longer than 16 KiB.
    #[error("proxy {proxy}: CONNECT response head too long")]
    HeadTooLong {
        /// The proxy's `host:port`.
        proxy: String,
    },
    /// The proxy closed the connection before answering.
    #[error("proxy {proxy} closed the connection without answering CONNECT {authority}")]
    Closed {
        /// The proxy's `host:port`.
        proxy: String,
        /// The tunnel's destination.
        authority: String,
    },
    /// The answer is not HTTP.
    #[error("proxy {proxy}: bad CONNECT response: {error}")]
    BadResponse {
        /// The proxy's `host:port`.
        proxy: String,
        /// The parse error.
        error: httparse::Error,
    },
    /// A status other than 2xx.
    #[error("proxy {proxy} refused CONNECT {authority}: {code} {reason}{}", if *.code == 407 { ": the proxy wants credentials (http://user:password@proxy:port)" } else { "" })]
    Refused {
        /// The proxy's `host:port`.
        proxy: String,
        /// The tunnel's destination.
        authority: String,
        /// The status code.
        code: u16,
        /// The reason phrase.
        reason: String,
    },
}

/// The longest CONNECT response head accepted.
const MAX_HEAD: usize = 16 * 1024;

/// A proxy's address and credentials. Debug output never shows the credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    /// Host (IPv6 without brackets).
    pub host: String,
    /// Port (default 80).
    pub port: u16,
    /// `Proxy-Authorization` value from `user:password@` in the URL.
    authorization: Option<String>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy")
            .field("host", &self.host)
            .field("port", &self.port)
            .field(
                "credentials",
                &self.authorization.as_ref().map(|_| "<secret>"),
            )
            .finish()
    }
}

impl Proxy {
    /// `http://[user:password@]host[:port]` (the scheme may be left out). Errors never quote the
    /// URL, which may hold a password.
    pub fn parse(url: &str) -> Result<Self, ProxyError> {
        let rest = match url.split_once("://") {
            Some(("http" | "HTTP", rest)) => rest,
            Some((scheme, _)) => {
                return Err(ProxyError::Scheme {
                    scheme: scheme.to_owned(),
                })
            }
            None => url,
        };
        let authority = rest.split('/').next().unwrap_or_default();
        let (credentials, hostport) = match authority.rsplit_once('@') {
            Some((c, h)) => (Some(c), h),
            None => (None, authority),
        };
        let (host, port) = split_host_port(hostport)?;
        if host.is_empty() {
            return Err(ProxyError::NoHost);
        }
        let authorization = credentials.map(|c| {
            let decoded = percent_decode(c);
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(decoded)
            )
        });
        Ok(Self {
            host,
            port: port.unwrap_or(80),
            authorization,
        })
    }

    /// The `Proxy-Authorization` value for this proxy's credentials, if it has any. A secret:
    /// for a request header only, never for output.
    #[must_use]
    pub fn authorization(&self) -> Option<&str> {
        self.authorization.as_deref()
    }

    /// Open a CONNECT tunnel to `authority` (`host:port`) over `tcp`, a connection to this proxy.
    /// Public for other HTTP clients (tailguard's own, for InfluxDB and GitHub) that honour the
    /// same proxy settings.
    pub async fn tunnel(&self, tcp: &mut TcpStream, authority: &str) -> Result<(), TunnelError> {
        let mut head = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
        if let Some(auth) = &self.authorization {
            head.push_str("Proxy-Authorization: ");
            head.push_str(auth);
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        let proxy = || format!("{}:{}", self.host, self.port);
        let io = |error| TunnelError::Io {
            proxy: proxy(),
            error,
        };
        tcp.write_all(head.as_bytes()).await.map_err(io)?;
        let mut buf = Vec::with_capacity(512);
        let mut byte = [0u8; 1];
        // Byte by byte: whatever follows the head belongs to the tunnel.
        while !buf.ends_with(b"\r\n\r\n") {
            if buf.len() >= MAX_HEAD {
                return Err(TunnelError::HeadTooLong { proxy: proxy() });
            }
            if tcp.read(&mut byte).await.map_err(io)? == 0 {
                return Err(TunnelError::Closed {
                    proxy: proxy(),
                    authority: authority.to_owned(),
                });
            }
            buf.push(byte[0]);
        }
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut response = httparse::Response::new(&mut headers);
        let code = match response.parse(&buf) {
            Ok(_) => response.code.unwrap_or(0),
            Err(error) => {
                return Err(TunnelError::BadResponse {
                    proxy: proxy(),
                    error,
                })
            }
        };
        if (200..300).contains(&code) {
            return Ok(());
        }
        Err(TunnelError::Refused {
            proxy: proxy(),
            authority: authority.to_owned(),
            code,
            reason: response.reason.unwrap_or_default().to_owned(),
        })
    }
}

/// Where connections go: direct, always through one proxy, or as the environment says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProxySetting {
    /// Connect directly.
    #[default]
    Direct,
    /// Through this proxy.
    Always(Proxy),
    /// `HTTPS_PROXY` (https targets) or `HTTP_PROXY` (http targets) unless `NO_PROXY` matches;
    /// loopback targets are always direct.
    Env(EnvProxy),
}

impl ProxySetting {
    /// The proxy for a target on `host` (an `https` one or not), if any.
    #[must_use]
    pub fn for_target(&self, https: bool, host: &str) -> Option<&Proxy> {
        match self {
            Self::Direct => None,
            Self::Always(p) => Some(p),
            Self::Env(env) => env.for_target(https, host),
        }
    }
}

/// The proxy variables of an environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvProxy {
    http: Option<Proxy>,
    https: Option<Proxy>,
    no_proxy: Vec<String>,
}

impl EnvProxy {
    /// Read `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` (or their lower-case names, which win).
    /// An error names the variable.
    pub fn read(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ProxyError> {
        let var = |name: &str| {
            env(&name.to_ascii_lowercase())
                .or_else(|| env(name))
                .filter(|v| !v.trim().is_empty())
        };
        let proxy = |name: &str| {
            var(name)
                .map(|v| {
                    Proxy::parse(v.trim()).map_err(|e| ProxyError::Env {
                        name: name.to_owned(),
                        reason: Box::new(e),
                    })
                })
                .transpose()
        };
        Ok(Self {
            http: proxy("HTTP_PROXY")?,
            https: proxy("HTTPS_PROXY")?,
            no_proxy: var("NO_PROXY")
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_ascii_lowercase())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    fn for_target(&self, https: bool, host: &str) -> Option<&Proxy> {
        let proxy = if https { &self.https } else { &self.http }.as_ref()?;
        let host = host.to_ascii_lowercase();
        let loopback =
            host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        (!loopback && !self.no_proxy.iter().any(|entry| bypasses(entry, &host))).then_some(proxy)
    }
}

/// Whether a `NO_PROXY` entry (`*`, a domain with or without a leading `.`, an IP address or a
/// CIDR block; a `:port` suffix is ignored) covers `host`.
fn bypasses(entry: &str, host: &str) -> bool {
    if entry == "*" {
        return true;
    }
    if let Some((net, bits)) = entry.split_once('/') {
        return match (
            net.parse::<IpAddr>(),
            bits.parse::<u32>(),
            host.parse::<IpAddr>(),
        ) {
            (Ok(net), Ok(bits), Ok(ip)) => in_network(ip, net, bits),
            _ => false,
        };
    }
    let entry = match split_host_port(entry) {
        Ok((h, _)) => h,
        Err(_) => entry.to_owned(),
    };
    let domain = entry.trim_start_matches("*.").trim_start_matches('.');
    host == domain || host.strip_suffix(domain).is_some_and(|h| h.ends_with('.'))
}

fn in_network(ip: IpAddr, net: IpAddr, bits: u32) -> bool {
    let mask = |width: u32| -> u128 {
        if bits == 0 {
            0
        } else {
            (!0u128 << (width - bits.min(width))) & (!0u128 >> (128 - width))
        }
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            (u128::from(u32::from(a)) ^ u128::from(u32::from(b))) & mask(32) == 0
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a) ^ u128::from(b)) & mask(128) == 0,
        _ => false,
    }
}

/// `%XX` escapes of URL userinfo, decoded.
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "proxy_tests.rs"]
mod tests;
