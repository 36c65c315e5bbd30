//! The connection of one request: direct, or through the proxy the environment names. An https
//! target is reached through a CONNECT tunnel (TLS end to end, the proxy sees only the host and
//! port); a plain http one is a connection to the proxy, which gets the request in absolute form.

use bench_core::driver::proxy::Proxy;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::TlsConnector;

use super::target::Target;
use super::HttpError;

/// A connected byte stream, plain or TLS.
pub(super) trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Stream for T {}

/// A stream to `target`, through `proxy` when given.
pub(super) async fn open(
    tls: &TlsConnector,
    target: &Target,
    proxy: Option<&Proxy>,
) -> Result<Box<dyn Stream>, HttpError> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        HttpError::Transport(format!("{}: {what}: {e}", target.name()))
    };
    let mut tcp = match proxy {
        Some(p) => TcpStream::connect((p.host.as_str(), p.port))
            .await
            .map_err(|e| {
                fail(
                    &format!("cannot connect to proxy {}:{}", p.host, p.port),
                    &e,
                )
            })?,
        None => TcpStream::connect((target.host.as_str(), target.port))
            .await
            .map_err(|e| fail("cannot connect", &e))?,
    };
    let _ = tcp.set_nodelay(true);
    if !target.tls {
        return Ok(Box::new(tcp));
    }
    if let Some(p) = proxy {
        p.tunnel(&mut tcp, &target.name())
            .await
            .map_err(|e| fail("proxy tunnel", &e))?;
    }
    let name =
        ServerName::try_from(target.host.clone()).map_err(|e| fail("not a TLS server name", &e))?;
    let stream = tls
        .connect(name, tcp)
        .await
        .map_err(|e| fail("TLS handshake failed", &e))?;
    Ok(Box::new(stream))
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use bench_core::driver::proxy::{EnvProxy, ProxySetting};
    use http::Method;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::super::{HttpClient, Request};

    /// An origin on loopback that answers every request `200 ok`, and a TLS handshake (first
    /// byte 0x16) with plain text, which no TLS client accepts.
    async fn origin() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut first = [0u8; 1];
                    if s.peek(&mut first).await.unwrap_or(0) == 1 && first[0] == 0x16 {
                        let _ = s.write_all(b"no TLS here\r\n").await;
                        return;
                    }
                    head(&mut s).await;
                    let ok = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok";
                    let _ = s.write_all(ok.as_bytes()).await;
                });
            }
        });
        addr
    }

    /// A request head, read byte by byte.
    async fn head(s: &mut tokio::net::TcpStream) -> String {
        let mut buf = Vec::new();
        let mut byte = [0u8; 1];
        while !buf.ends_with(b"\r\n\r\n") && s.read(&mut byte).await.unwrap_or(0) == 1 {
            buf.push(byte[0]);
        }
        String::from_utf8_lossy(&buf).into_owned()
    }

    /// A CONNECT and absolute-form proxy on loopback that sends every connection to `origin`
    /// (whatever host it names, so no name is ever resolved) and keeps the heads it received.
    async fn proxy(origin: SocketAddr) -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let head = head(&mut client).await;
                    log.lock().unwrap().push(head.clone());
                    let mut upstream = tokio::net::TcpStream::connect(origin).await.unwrap();
                    if head.starts_with("CONNECT ") {
                        let _ = client
                            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                            .await;
                    } else {
                        let _ = upstream.write_all(head.as_bytes()).await;
                    }
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                });
            }
        });
        (addr, seen)
    }

    fn client(vars: &[(&str, String)]) -> HttpClient {
        let env = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        };
        let proxy = ProxySetting::Env(EnvProxy::read(&env).unwrap());
        HttpClient::with_proxy(Duration::from_secs(5), Duration::from_secs(10), proxy).unwrap()
    }

    #[tokio::test]
    async fn http_goes_to_the_proxy_in_absolute_form_with_its_credentials() {
        let (proxy, seen) = proxy(origin().await).await;
        let c = client(&[("HTTP_PROXY", format!("http://u:p@{proxy}"))]);
        let url = "http://influx.example:8086/ping?wait_for_leader=1s";
        let r = c.send(Request::new(Method::GET, url)).await.unwrap();
        assert_eq!((r.status, r.body.as_str()), (200, "ok"));
        let heads = seen.lock().unwrap().clone();
        assert_eq!(heads.len(), 1);
        assert!(
            heads[0]
                .starts_with("GET http://influx.example:8086/ping?wait_for_leader=1s HTTP/1.1\r\n"),
            "{}",
            heads[0]
        );
        assert!(
            heads[0]
                .to_ascii_lowercase()
                .contains("proxy-authorization: basic dtpw\r\n"),
            "{}",
            heads[0]
        );
    }

    #[tokio::test]
    async fn https_goes_through_a_connect_tunnel() {
        // The origin behind the tunnel speaks no TLS: the handshake fails after the tunnel opened.
        let (proxy, seen) = proxy(origin().await).await;
        let c = client(&[
            ("HTTPS_PROXY", format!("{proxy}")),
            ("HTTP_PROXY", "http://127.0.0.1:9".into()),
        ]);
        let e = c
            .send(Request::new(
                Method::GET,
                "https://api.github.example/repos",
            ))
            .await
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("api.github.example:443: TLS handshake failed"),
            "{e}"
        );
        let heads = seen.lock().unwrap().clone();
        assert_eq!(heads.len(), 1);
        assert!(
            heads[0].starts_with("CONNECT api.github.example:443 HTTP/1.1\r\n"),
            "{}",
            heads[0]
        );
        assert!(
            !heads[0]
                .to_ascii_lowercase()
                .contains("proxy-authorization"),
            "{}",
            heads[0]
        );
    }

    #[tokio::test]
    async fn loopback_and_no_proxy_hosts_are_never_proxied() {
        let origin = origin().await;
        let (proxy, seen) = proxy(origin).await;
        let c = client(&[
            ("HTTP_PROXY", format!("http://{proxy}")),
            ("NO_PROXY", "localhost".into()),
        ]);
        for host in ["127.0.0.1", "localhost"] {
            let url = format!("http://{host}:{}/ping", origin.port());
            let r = c.send(Request::new(Method::GET, url)).await.unwrap();
            assert_eq!(r.status, 200);
        }
        assert!(seen.lock().unwrap().is_empty());
        // A bad variable is an error naming it.
        let env = |n: &str| (n == "HTTPS_PROXY").then(|| "socks5://h:1".to_owned());
        let e = EnvProxy::read(&env).unwrap_err().to_string();
        assert!(e.contains("HTTPS_PROXY"), "{e}");
    }
}
