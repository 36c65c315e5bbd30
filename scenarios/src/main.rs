//! `tailguard-demo`: run the demo target service until Ctrl-C / SIGTERM.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use tailguard_demo::{serve, DemoConfig, PoolConfig};

/// The tailguard demo target service (loopback only): HTTP/1.1 + h2c, a
/// GraphQL endpoint (/graphql) and a gRPC service with reflection, with
/// injectable latency, tail latency, stalls and errors.
#[derive(Debug, Parser)]
#[command(name = "tailguard-demo", version)]
struct Args {
    /// Loopback address to bind (127.0.0.0/8, ::1 or "localhost").
    #[arg(long, default_value = "127.0.0.1", value_parser = parse_host)]
    host: IpAddr,
    /// Port to bind (0 = pick a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Fixed delay added to every response, e.g. 20ms.
    #[arg(long, default_value = "0s", value_parser = humantime::parse_duration)]
    delay: Duration,
    /// Extra uniform random delay in [0, jitter), e.g. 5ms.
    #[arg(long, default_value = "0s", value_parser = humantime::parse_duration)]
    jitter: Duration,
    /// Fraction of responses answered with HTTP 500 (0.0..=1.0).
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    error_rate: f64,
    /// Fraction of requests that get --tail-delay added (0.0..=1.0).
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    tail_fraction: f64,
    /// Delay added to the --tail-fraction of requests, e.g. 200ms.
    #[arg(long, default_value = "0s", value_parser = humantime::parse_duration)]
    tail_delay: Duration,
    /// Start a stall this long after the first request, e.g. 3s.
    #[arg(long, value_parser = humantime::parse_duration)]
    stall_at: Option<Duration>,
    /// Stall length [default: 1s when --stall-at is given].
    #[arg(long, requires = "stall_at", value_parser = humantime::parse_duration)]
    stall_for: Option<Duration>,
    /// RNG seed for reproducible runs (default: random).
    #[arg(long)]
    seed: Option<u64>,
    /// Tokio worker threads (0 = 1).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Serve /db through a pool of this many connections (capacity = size / hold).
    #[arg(long)]
    pool_size: Option<usize>,
    /// How long each /db request holds its pooled connection.
    #[arg(long, default_value = "20ms", value_parser = humantime::parse_duration)]
    pool_hold: Duration,
    /// How long a /db request waits for a free connection before it is answered 503.
    #[arg(long, default_value = "100ms", value_parser = humantime::parse_duration)]
    pool_acquire_timeout: Duration,
    /// Back the pool with this PostgreSQL (each request runs `SELECT pg_sleep(hold)`).
    /// Only used with --pool-size.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Serve only gRPC reflection v1alpha, as older servers do.
    #[arg(long)]
    legacy_reflection_only: bool,
    /// Noise: sd of the lognormal per-request factor on every wait (e.g. 0.2).
    #[arg(long, default_value_t = 0.0)]
    noise_request_sigma: f64,
    /// Noise: sd (log scale) of the drift level, redrawn every --noise-drift-period.
    #[arg(long, default_value_t = 0.0)]
    noise_drift_sigma: f64,
    /// Noise: how long one drift level lasts.
    #[arg(long, default_value = "0s", value_parser = humantime::parse_duration)]
    noise_drift_period: Duration,
    /// Noise: one GC-like pause in every such slot, at a random offset.
    #[arg(long, default_value = "0s", value_parser = humantime::parse_duration)]
    noise_pause_every: Duration,
    /// Noise: pause length.
    #[arg(long, default_value = "0s", value_parser = humantime::parse_duration)]
    noise_pause_for: Duration,
    /// Multiply every wait by this factor (an injected regression, e.g. 1.2).
    #[arg(long, default_value_t = 1.0)]
    slowdown: f64,
}

/// A `--host` or rate flag clap cannot take.
#[derive(Debug, thiserror::Error)]
enum ArgError {
    /// Not an IP address (or `localhost`).
    #[error("not an IP address: {0}")]
    NotIp(std::net::AddrParseError),
    /// An address off the loopback interface.
    #[error("{0} is not a loopback address; the demo service only binds 127.0.0.0/8 or ::1")]
    NotLoopback(IpAddr),
    /// Not a number.
    #[error("not a number: {0}")]
    NotNumber(std::num::ParseFloatError),
    /// A rate outside `0.0..=1.0`.
    #[error("must be within 0.0..=1.0, got {0}")]
    Rate(f64),
}

fn parse_host(s: &str) -> Result<IpAddr, ArgError> {
    let ip = if s.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        s.parse::<IpAddr>().map_err(ArgError::NotIp)?
    };
    if ip.is_loopback() {
        Ok(ip)
    } else {
        Err(ArgError::NotLoopback(ip))
    }
}

fn parse_rate(s: &str) -> Result<f64, ArgError> {
    let rate: f64 = s.parse().map_err(ArgError::NotNumber)?;
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(ArgError::Rate(rate))
    }
}

impl Args {
    fn config(&self) -> DemoConfig {
        DemoConfig {
            delay: self.delay,
            jitter: self.jitter,
            error_rate: self.error_rate,
            tail_fraction: self.tail_fraction,
            tail_delay: self.tail_delay,
            stall_at: self.stall_at,
            stall_for: match (self.stall_at, self.stall_for) {
                (_, Some(d)) => d,
                (Some(_), None) => Duration::from_secs(1),
                (None, None) => Duration::ZERO,
            },
            seed: self.seed,
            threads: self.threads,
            pool: self.pool_size.map(|size| PoolConfig {
                size,
                hold: self.pool_hold,
                acquire_timeout: self.pool_acquire_timeout,
                database_url: self.database_url.clone(),
            }),
            legacy_reflection_only: self.legacy_reflection_only,
            noise: tailguard_demo::Noise {
                request_sigma: self.noise_request_sigma,
                drift_sigma: self.noise_drift_sigma,
                drift_period: self.noise_drift_period,
                pause_every: self.noise_pause_every,
                pause_for: self.noise_pause_for,
                scale: self.slowdown,
                seed: self.seed.unwrap_or(0),
            },
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let cfg = args.config();
    if let Err(e) = cfg.validate() {
        eprintln!("tailguard-demo: error: {e}");
        return ExitCode::from(2);
    }
    match run(SocketAddr::new(args.host, args.port), cfg) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tailguard-demo: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(addr: SocketAddr, cfg: DemoConfig) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cfg.threads.max(1))
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot bind {addr}"))?;
        let local = listener.local_addr()?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "listening on http://{local}")?;
        if let Some(pool) = &cfg.pool {
            writeln!(stdout, "{}", pool.describe())?;
        }
        stdout.flush()?;
        drop(stdout);
        serve(listener, cfg, shutdown_signal()).await?;
        Ok(())
    })
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
