//! The PostgreSQL backend of the pool (cargo feature `postgres`): `deadpool-postgres` over
//! `tokio-postgres`, each request one `SELECT pg_sleep(hold)` on a pooled connection.

use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::tokio_postgres::{Config as PgConfig, NoTls};
pub(crate) use deadpool_postgres::Pool as PgPool;
use deadpool_postgres::{Manager, ManagerConfig, PoolError, RecyclingMethod, Runtime, TimeoutType};
use hyper::StatusCode;

use super::{exhausted, PoolConfig};
use crate::config::{ConfigError, DemoError};

/// How long a new database connection may take before the request fails with `500`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The connection settings of a `postgres://` URL.
pub(super) fn parse_url(url: &str) -> Result<PgConfig, ConfigError> {
    PgConfig::from_str(url).map_err(|e| ConfigError::DatabaseUrl(e.to_string()))
}

/// The pool of `cfg.size` connections to `url`.
pub(super) fn pool(url: &str, cfg: &PoolConfig) -> Result<PgPool, DemoError> {
    let pg = parse_url(url)?;
    let manager = Manager::from_config(
        pg,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    PgPool::builder(manager)
        .max_size(cfg.size)
        .wait_timeout(Some(cfg.acquire_timeout))
        .create_timeout(Some(CONNECT_TIMEOUT))
        .runtime(Runtime::Tokio1)
        .build()
        .map_err(|e| ConfigError::DatabasePool(e.to_string()).into())
}

/// Serve one request on a pooled connection.
pub(super) async fn serve(pool: &PgPool, cfg: &PoolConfig) -> (StatusCode, String) {
    let client = match pool.get().await {
        Ok(client) => client,
        Err(PoolError::Timeout(TimeoutType::Wait)) => return exhausted(cfg),
        Err(e) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("database connection: {e}"),
            )
        }
    };
    let query = async {
        let statement = client.prepare_cached("SELECT pg_sleep($1)").await?;
        client.execute(&statement, &[&cfg.hold.as_secs_f64()]).await
    };
    match query.await {
        Ok(_) => (StatusCode::OK, "ok".to_owned()),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("database query: {e}"),
        ),
    }
}
