//! A server on 127.0.0.1 (HTTP/1.1 and h2c) that redirects, recording every request it gets;
//! and a second listener, "elsewhere", that only counts the connections it is offered.
//!
//! Routes: `/hop/N?s=STATUS&delay=MS` answers STATUS (default 302) with a `Location` to
//! `/hop/N-1` (an absolute URL, an absolute path or a relative reference, by turns) after MS
//! milliseconds, and `/hop/0` answers 200; `/loop` redirects to itself; `/away` redirects to
//! "elsewhere".

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;

/// A request the server got: method, path and query, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub body: String,
}

pub struct RedirectServer {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// Connections "elsewhere" was offered.
    pub elsewhere_connections: Arc<AtomicU64>,
    _runtime: tokio::runtime::Runtime,
}

impl RedirectServer {
    pub fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let elsewhere = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let away = format!("http://{}/stolen", elsewhere.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let elsewhere_connections = Arc::new(AtomicU64::new(0));
        let count = elsewhere_connections.clone();
        runtime.spawn(async move {
            while elsewhere.accept().await.is_ok() {
                count.fetch_add(1, Ordering::SeqCst);
            }
        });
        let record = seen.clone();
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (record, away) = (record.clone(), away.clone());
                let service = hyper::service::service_fn(move |req| {
                    let (record, away) = (record.clone(), away.clone());
                    async move { Ok::<_, Infallible>(answer(req, &record, &away).await) }
                });
                tokio::spawn(async move {
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            addr,
            seen,
            elsewhere_connections,
            _runtime: runtime,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The requests seen so far, forgetting them.
    pub fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

async fn answer(
    req: Request<Incoming>,
    seen: &Mutex<Vec<Seen>>,
    away: &str,
) -> Response<Full<Bytes>> {
    let method = req.method().to_string();
    let target = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let path = req.uri().path().to_owned();
    let host = match req.uri().authority() {
        Some(a) => a.to_string(),
        None => req
            .headers()
            .get("host")
            .map_or(String::new(), |h| h.to_str().unwrap().to_owned()),
    };
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    seen.lock().unwrap().push(Seen {
        method,
        target,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse::<u64>().ok())
    };
    if let Some(ms) = param("delay") {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let status = param("s").unwrap_or(302) as u16;
    let location = match path.as_str() {
        "/loop" => "/loop".to_owned(),
        "/away" => away.to_owned(),
        p => match p.strip_prefix("/hop/").and_then(|n| n.parse::<u64>().ok()) {
            Some(0) | None => return reply(200, None),
            Some(n) => {
                let next = format!("{}?{query}", n - 1);
                match n % 3 {
                    0 => format!("http://{host}/hop/{next}"),
                    1 => format!("/hop/{next}"),
                    _ => next,
                }
            }
        },
    };
    reply(status, Some(location))
}

fn reply(status: u16, location: Option<String>) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(status);
    if let Some(l) = location {
        builder = builder.header("location", l);
    }
    builder.body(Full::new(Bytes::from_static(b"ok"))).unwrap()
}
