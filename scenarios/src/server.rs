//! Serving: the accept loop, the per-connection HTTP/1.1 + h2c handling, the routing of a
//! request to HTTP, GraphQL (`/graphql`) or gRPC (`content-type: application/grpc`), the knobs'
//! decision shared by all three, and the [`DemoServer`] handle that runs it all on a dedicated
//! thread.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use rand::rngs::SmallRng;
use rand::{RngCore, SeedableRng};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use crate::auth::Flaky;
use crate::config::{completion_time, inject_error, ConfigError, DemoConfig, DemoError};
use crate::decision::{grpc_code, Decision, Routes};
use crate::graphql::{schema, DemoSchema};
use crate::grpc::Reflection;
use crate::pool::Pool;

/// The body of every response: buffered for HTTP and GraphQL, streamed for gRPC.
type DemoBody = UnsyncBoxBody<Bytes, BoxError>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[path = "server_handler.rs"]
mod handler;

/// State shared by every connection of one server.
struct Shared {
    cfg: DemoConfig,
    base_seed: u64,
    connections: AtomicU64,
    arrivals: AtomicU64,
    served: Arc<AtomicU64>,
    first_arrival: OnceLock<Instant>,
    routes: Routes,
    flaky: Flaky,
    graphql: DemoSchema,
    reflection: Reflection,
    pool: Option<Pool>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("cfg", &self.cfg)
            .field("served", &self.served)
            .finish_non_exhaustive()
    }
}

impl Shared {
    fn new(cfg: DemoConfig) -> Result<Shared, DemoError> {
        let pool = cfg.pool.as_ref().map(Pool::new).transpose()?;
        let base_seed = cfg.seed.unwrap_or_else(random_seed);
        Ok(Shared {
            pool,
            reflection: Reflection::new(cfg.legacy_reflection_only)?,
            cfg,
            base_seed,
            connections: AtomicU64::new(0),
            arrivals: AtomicU64::new(0),
            served: Arc::new(AtomicU64::new(0)),
            first_arrival: OnceLock::new(),
            routes: Routes::default(),
            flaky: Flaky::default(),
            graphql: schema(),
        })
    }

    /// What the knobs (with per-request `overrides` in query-string form) decide for a request
    /// arriving now.
    fn decide(
        self: &Arc<Self>,
        rng: &Mutex<SmallRng>,
        overrides: Option<&str>,
    ) -> Result<Decision, ConfigError> {
        let arrival = Instant::now();
        let first_arrival = *self.first_arrival.get_or_init(|| arrival);
        let seq = self.arrivals.fetch_add(1, Ordering::Relaxed);
        let overridden = overrides.map(|q| self.cfg.with_query(q)).transpose()?;
        let cfg = overridden.as_ref().unwrap_or(&self.cfg);
        let grpc_code = grpc_code(overrides)?;
        let mut rng = rng.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(Decision {
            done: completion_time(cfg, &mut *rng, arrival, first_arrival),
            fail: inject_error(cfg, &mut *rng),
            seq,
            grpc_code,
            served: Arc::clone(&self.served),
        })
    }
}

fn random_seed() -> u64 {
    match SmallRng::try_from_os_rng() {
        Ok(mut rng) => rng.next_u64(),
        // No OS randomness: the clock is good enough for a demo service.
        Err(_) => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0x5eed, |d| d.as_nanos() as u64),
    }
}

fn check_loopback(addr: SocketAddr) -> Result<(), DemoError> {
    if addr.ip().is_loopback() {
        Ok(())
    } else {
        Err(DemoError::NotLoopback(addr))
    }
}

/// A running demo server that owns a dedicated OS thread with its own tokio
/// multi-thread runtime, so a load generator in the same process does not
/// share its threads.
///
/// Dropping it has the same effect as [`DemoServer::shutdown`].
#[derive(Debug)]
pub struct DemoServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl DemoServer {
    /// Binds `bind` (e.g. `"127.0.0.1:0".parse()?`) and serves on a dedicated
    /// thread running a runtime with [`DemoConfig::threads`] workers. Returns
    /// once the socket is bound, so requests can be sent right away.
    ///
    /// Fails with [`DemoError::NotLoopback`] for non-loopback addresses,
    /// [`DemoError::InvalidConfig`] for out-of-range knobs and
    /// [`DemoError::Bind`] if the address cannot be bound.
    pub fn spawn(bind: SocketAddr, cfg: DemoConfig) -> Result<DemoServer, DemoError> {
        check_loopback(bind)?;
        cfg.validate()?;
        let std_listener = std::net::TcpListener::bind(bind)
            .map_err(|source| DemoError::Bind { addr: bind, source })?;
        std_listener
            .set_nonblocking(true)
            .map_err(|source| DemoError::Io {
                context: "cannot make the listener non-blocking",
                source,
            })?;
        let addr = std_listener.local_addr().map_err(|source| DemoError::Io {
            context: "cannot read the bound address",
            source,
        })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cfg.threads.max(1))
            .thread_name("tailguard-demo-worker")
            .enable_all()
            .build()
            .map_err(|source| DemoError::Io {
                context: "cannot start the demo server runtime",
                source,
            })?;
        let listener = {
            let _guard = runtime.enter();
            TcpListener::from_std(std_listener).map_err(|source| DemoError::Io {
                context: "cannot register the listener",
                source,
            })?
        };
        let shared = Arc::new(Shared::new(cfg)?);
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("tailguard-demo".to_owned())
            .spawn(move || {
                runtime.block_on(accept_loop(listener, serving, async {
                    // A dropped sender also means "stop".
                    let _ = stopped.await;
                }));
                runtime.shutdown_timeout(Duration::from_secs(1));
            })
            .map_err(|source| DemoError::Io {
                context: "cannot spawn the demo server thread",
                source,
            })?;
        Ok(DemoServer {
            addr,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The bound address (with the actual port when bound to port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, e.g. `http://127.0.0.1:PORT` (`http://[::1]:PORT` for IPv6).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Total requests answered so far (every route except `/health` and gRPC reflection).
    pub fn requests_served(&self) -> u64 {
        self.shared.served.load(Ordering::Relaxed)
    }

    /// Requests received per route: the HTTP path (without the query), `/graphql`, or the gRPC
    /// method path (`/tailguard.demo.v1.Demo/GetUser`). At most 10,000 distinct routes are kept;
    /// later ones are counted under `(other)`.
    pub fn requests_by_route(&self) -> BTreeMap<String, u64> {
        self.shared.routes.snapshot()
    }

    /// The in-memory pool's mean hold so far: longer than the configured hold on a loaded machine.
    pub fn pool_mean_hold(&self) -> Option<Duration> {
        self.shared.pool.as_ref().and_then(Pool::mean_hold)
    }

    /// Stops accepting, ends the runtime (dropping in-flight requests) and
    /// joins the serving thread.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Serves on `listener` inside the current tokio runtime until `shutdown`
/// resolves; for users already inside a runtime.
///
/// The listener must be bound to a loopback address
/// ([`DemoError::NotLoopback`] otherwise) and `cfg` must be valid. When
/// `shutdown` resolves the listener is closed and open connections are
/// aborted.
pub async fn serve(
    listener: TcpListener,
    cfg: DemoConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), DemoError> {
    let addr = listener.local_addr().map_err(|source| DemoError::Io {
        context: "cannot read the bound address",
        source,
    })?;
    check_loopback(addr)?;
    cfg.validate()?;
    accept_loop(listener, Arc::new(Shared::new(cfg)?), shutdown).await;
    Ok(())
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(serve_connection(stream, Arc::clone(&shared)));
                }
                // Transient (e.g. ECONNABORTED) or resource exhaustion
                // (EMFILE): back off briefly instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            },
        }
    }
    drop(listener);
    connections.shutdown().await;
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let index = shared.connections.fetch_add(1, Ordering::Relaxed);
    let rng = Arc::new(Mutex::new(SmallRng::seed_from_u64(
        shared.base_seed.wrapping_add(index),
    )));
    let service = service_fn(move |req| {
        let shared = Arc::clone(&shared);
        let rng = Arc::clone(&rng);
        async move { Ok::<_, Infallible>(handler::handle(req, &shared, &rng).await) }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).keep_alive(true);
    builder.http2().timer(TokioTimer::new());
    // Connection errors (resets, malformed requests) only end this connection.
    let _ = builder
        .serve_connection(TokioIo::new(stream), service)
        .await;
}
