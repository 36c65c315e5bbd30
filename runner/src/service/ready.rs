//! When a started service is ready: its target accepts TCP connections, and with `--ready-path`
//! also answers `GET PATH` on the target's origin with a 2xx (a service that listens before it
//! can serve — a cache warming, migrations running — is not measured half-started).

use std::net::{SocketAddr, TcpStream, ToSocketAddrs as _};
use std::time::Duration;

use bench_core::driver::proxy::ProxySetting;
use http::Method;

use super::ServiceError;
use crate::http_client::{HttpClient, Request};

/// A readiness probe.
#[derive(Debug)]
pub struct Probe {
    addr: SocketAddr,
    /// `scheme://authority/path` when an HTTP answer is required.
    url: Option<String>,
    client: HttpClient,
    rt: tokio::runtime::Runtime,
}

impl Probe {
    /// The probe of `target` (a URL), with `path` on its origin when given.
    ///
    /// # Errors
    /// A target that is not a URL or resolves to no address; a path that does not start with `/`.
    pub fn new(target: &str, path: Option<&str>) -> Result<Self, ServiceError> {
        let bad = |problem: String| ServiceError::Target {
            target: target.to_owned(),
            problem,
        };
        let uri: http::Uri = target
            .parse()
            .map_err(|e| bad(format!("is not a URL: {e}")))?;
        let host = uri.host().ok_or_else(|| bad("has no host".to_owned()))?;
        let scheme = uri.scheme_str().unwrap_or("http");
        let port = uri
            .port_u16()
            .unwrap_or(if scheme == "https" { 443 } else { 80 });
        let addr = (host.trim_matches(['[', ']']), port)
            .to_socket_addrs()
            .map_err(|e| bad(format!("does not resolve: {e}")))?
            .next()
            .ok_or_else(|| bad("resolves to no address".to_owned()))?;
        let url = match path {
            Some(p) if !p.starts_with('/') => return Err(ServiceError::ReadyPath(p.to_owned())),
            Some(p) => Some(format!(
                "{scheme}://{}{p}",
                uri.authority().map_or(host, |a| a.as_str())
            )),
            None => None,
        };
        let second = Duration::from_secs(1);
        let client = HttpClient::with_proxy(second, 2 * second, ProxySetting::Direct)?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| ServiceError::Start {
                action: "starting the readiness probe's runtime".to_owned(),
                error,
            })?;
        Ok(Self {
            addr,
            url,
            client,
            rt,
        })
    }

    /// What it waits for, for messages: `127.0.0.1:8080` or `GET http://127.0.0.1:8080/health`.
    #[must_use]
    pub fn describe(&self) -> String {
        match &self.url {
            Some(url) => format!("GET {url} answering 2xx"),
            None => format!("{} accepting connections", self.addr),
        }
    }

    /// One look: `Ok(())` when ready, else what was seen.
    ///
    /// # Errors
    /// Not ready yet: the connection refused, or the HTTP answer (status or transport error).
    pub fn check(&self) -> Result<(), ServiceError> {
        TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).map_err(|source| {
            ServiceError::Refused {
                addr: self.addr,
                source,
            }
        })?;
        let Some(url) = &self.url else {
            return Ok(());
        };
        let answer = self
            .rt
            .block_on(self.client.send(Request::new(Method::GET, url.clone())))?;
        if answer.is_success() {
            Ok(())
        } else {
            Err(ServiceError::Status {
                url: url.clone(),
                status: answer.status,
            })
        }
    }
}
