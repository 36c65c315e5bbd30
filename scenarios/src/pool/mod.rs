//! The connection-pool mode of the demo target, for saturation scenarios.
//!
//! `GET /db` checks a connection out of a bounded pool of [`PoolConfig::size`], holds it for
//! [`PoolConfig::hold`] and answers `200`. A request that waits longer than
//! [`PoolConfig::acquire_timeout`] for a connection is answered `503 pool exhausted`, as a
//! service whose database pool runs dry does. Its capacity is therefore `size / hold`.
//!
//! The pool is an in-memory FIFO semaphore, or, with [`PoolConfig::database_url`], a real
//! PostgreSQL through `deadpool-postgres` ([`postgres`], cargo feature `postgres`, on by default;
//! `tailguard`'s embedded demo leaves it out): each request runs `SELECT pg_sleep(hold)` on a
//! pooled connection, so the hold is spent in the database.

#[cfg(feature = "postgres")]
mod postgres;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hyper::StatusCode;
use tokio::sync::Semaphore;

use crate::error::{ConfigError, DemoError};

/// The route served through the pool.
pub const PATH: &str = "/db";

/// The pool's knobs.
#[derive(Debug, Clone, PartialEq)]
pub struct PoolConfig {
    /// Connections in the pool.
    pub size: usize,
    /// How long each request holds its connection.
    pub hold: Duration,
    /// How long a request waits for a free connection before it is answered `503`.
    pub acquire_timeout: Duration,
    /// A PostgreSQL URL (`postgres://user@host:port/db`); `None` keeps the pool in memory.
    pub database_url: Option<String>,
}

impl PoolConfig {
    /// Requests per second the pool can serve: `size / hold`.
    #[must_use]
    pub fn capacity_rps(&self) -> f64 {
        self.size as f64 / self.hold.as_secs_f64().max(1e-9)
    }

    /// Checks the knobs: at least one connection (at most 10 000), a hold and an acquire timeout
    /// of at most an hour, and a parseable database URL.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=10_000).contains(&self.size) {
            return Err(ConfigError::OutOfRange {
                name: "pool size".to_owned(),
                range: "1..=10000",
                got: self.size.to_string(),
            });
        }
        let hour = Duration::from_secs(3600);
        if self.hold.is_zero() || self.hold > hour {
            return Err(ConfigError::PoolHold(self.hold));
        }
        if self.acquire_timeout > hour {
            return Err(ConfigError::TooLarge {
                name: "pool acquire timeout".to_owned(),
                max: "1h".to_owned(),
                got: format!("{:?}", self.acquire_timeout),
            });
        }
        if let Some(url) = &self.database_url {
            check_database_url(url)?;
        }
        Ok(())
    }

    /// One line for logs: size, backend (credentials not shown), hold, timeout and capacity.
    #[must_use]
    pub fn describe(&self) -> String {
        let backend = match &self.database_url {
            Some(url) => format!("PostgreSQL at {}", bench_core::scenario::redact_url(url)),
            None => "in memory".to_owned(),
        };
        format!(
            "pool of {} connections ({backend}), hold {:?}, acquire timeout {:?}: capacity {:.0} req/s on {PATH}",
            self.size,
            self.hold,
            self.acquire_timeout,
            self.capacity_rps()
        )
    }
}

/// Whether `url` is a PostgreSQL URL this build can use.
#[cfg(feature = "postgres")]
fn check_database_url(url: &str) -> Result<(), ConfigError> {
    postgres::parse_url(url).map(|_| ())
}

#[cfg(not(feature = "postgres"))]
fn check_database_url(_: &str) -> Result<(), ConfigError> {
    Err(ConfigError::NoPostgres)
}

/// How long the in-memory pool's connections were actually held: the hold, plus the wait of the
/// sleeping request to be woken and run again, which a loaded machine lengthens — and with it
/// shrinks the capacity the pool really had (`size / mean hold`).
#[derive(Debug, Default)]
pub(crate) struct Holds {
    nanos: AtomicU64,
    count: AtomicU64,
}

impl Holds {
    fn add(&self, held: Duration) {
        let nanos = u64::try_from(held.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// The mean hold so far (`None` before the first).
    pub(crate) fn mean(&self) -> Option<Duration> {
        let count = self.count.load(Ordering::Relaxed);
        (count > 0).then(|| Duration::from_nanos(self.nanos.load(Ordering::Relaxed) / count))
    }
}

/// A running pool.
pub(crate) enum Pool {
    Memory(Semaphore, Holds),
    #[cfg(feature = "postgres")]
    Postgres(postgres::PgPool),
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Memory(s, _) => write!(f, "Pool::Memory({} free)", s.available_permits()),
            #[cfg(feature = "postgres")]
            Self::Postgres(p) => write!(f, "Pool::Postgres({:?})", p.status()),
        }
    }
}

impl Pool {
    /// Build the pool; database connections are opened on first use.
    pub(crate) fn new(cfg: &PoolConfig) -> Result<Self, DemoError> {
        let Some(url) = &cfg.database_url else {
            return Ok(Self::Memory(Semaphore::new(cfg.size), Holds::default()));
        };
        check_database_url(url)?;
        #[cfg(feature = "postgres")]
        return postgres::pool(url, cfg).map(Self::Postgres);
        #[cfg(not(feature = "postgres"))]
        unreachable!("check_database_url refuses every URL without the postgres feature")
    }

    /// The in-memory pool's mean hold so far.
    pub(crate) fn mean_hold(&self) -> Option<Duration> {
        match self {
            Self::Memory(_, holds) => holds.mean(),
            #[cfg(feature = "postgres")]
            Self::Postgres(_) => None,
        }
    }

    /// Serve one request: check a connection out, hold it, answer.
    pub(crate) async fn serve(&self, cfg: &PoolConfig) -> (StatusCode, String) {
        match self {
            Self::Memory(semaphore, holds) => {
                let Ok(Ok(permit)) =
                    tokio::time::timeout(cfg.acquire_timeout, semaphore.acquire()).await
                else {
                    return exhausted(cfg);
                };
                let start = Instant::now();
                bench_core::timer::sleep_until(start + cfg.hold).await;
                holds.add(start.elapsed());
                drop(permit);
                (StatusCode::OK, "ok".to_owned())
            }
            #[cfg(feature = "postgres")]
            Self::Postgres(pool) => postgres::serve(pool, cfg).await,
        }
    }
}

/// The answer when no connection frees within the acquire timeout.
fn exhausted(cfg: &PoolConfig) -> (StatusCode, String) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        format!(
            "pool exhausted: no connection free within {:?}",
            cfg.acquire_timeout
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> PoolConfig {
        PoolConfig {
            size: 5,
            hold: Duration::from_millis(20),
            acquire_timeout: Duration::from_millis(100),
            database_url: None,
        }
    }

    #[test]
    fn capacity_is_size_over_hold() {
        assert!((cfg().capacity_rps() - 250.0).abs() < 1e-9);
        assert!(cfg().describe().contains("capacity 250 req/s"));
    }

    #[test]
    fn validate_rejects_bad_knobs() {
        cfg().validate().unwrap();
        for bad in [
            PoolConfig { size: 0, ..cfg() },
            PoolConfig {
                hold: Duration::ZERO,
                ..cfg()
            },
            PoolConfig {
                database_url: Some("postgres://h:notaport/db".into()),
                ..cfg()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn database_urls_are_checked_and_not_shown() {
        let with_db = PoolConfig {
            database_url: Some("postgres://app:secret@127.0.0.1:5432/app".into()),
            ..cfg()
        };
        with_db.validate().unwrap();
        assert!(!with_db.describe().contains("secret"));
    }

    #[tokio::test]
    async fn memory_pool_answers_503_when_no_connection_frees_in_time() {
        let cfg = PoolConfig {
            size: 1,
            hold: Duration::from_millis(300),
            acquire_timeout: Duration::from_millis(50),
            ..cfg()
        };
        let pool = Pool::new(&cfg).unwrap();
        let (first, second) = tokio::join!(pool.serve(&cfg), async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            pool.serve(&cfg).await
        });
        assert_eq!(first.0, StatusCode::OK);
        assert_eq!(second.0, StatusCode::SERVICE_UNAVAILABLE);
        assert!(second.1.contains("pool exhausted"), "{}", second.1);
    }
}
