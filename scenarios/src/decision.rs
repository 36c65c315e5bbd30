//! What the knobs decide for one request, shared by the HTTP, GraphQL and gRPC routes, and the
//! per-route request counts.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use crate::error::ConfigError;

/// Distinct routes counted by [`crate::DemoServer::requests_by_route`]; later new ones go to
/// `(other)`.
const MAX_ROUTES: usize = 10_000;

/// What the knobs decided for one request.
#[derive(Debug, Clone)]
pub(crate) struct Decision {
    /// When the response is due.
    pub(crate) done: Instant,
    /// Whether it is an injected error.
    pub(crate) fail: bool,
    /// Arrival number.
    pub(crate) seq: u64,
    /// The gRPC status of an injected error (`grpc_code` knob).
    pub(crate) grpc_code: Option<i32>,
    /// The server's count of answered requests.
    pub(crate) served: Arc<AtomicU64>,
}

impl Decision {
    /// Count the request as answered.
    pub(crate) fn served(&self) {
        self.served.fetch_add(1, Ordering::Relaxed);
    }
}

/// The `grpc_code=N` knob of a query-string override (1..=16).
pub(crate) fn grpc_code(overrides: Option<&str>) -> Result<Option<i32>, ConfigError> {
    overrides
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|pair| pair.strip_prefix("grpc_code="))
        .map(|v| {
            v.parse::<i32>()
                .ok()
                .filter(|c| (1..=16).contains(c))
                .ok_or_else(|| ConfigError::Query {
                    key: "grpc_code".to_owned(),
                    expected: "1..=16",
                    value: v.to_owned(),
                })
        })
        .transpose()
}

/// Requests received per route.
#[derive(Debug, Default)]
pub(crate) struct Routes(Mutex<HashMap<String, u64>>);

impl Routes {
    /// Count one request of `route`.
    pub(crate) fn count(&self, route: &str) {
        let mut routes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = routes.get_mut(route) {
            *n += 1;
        } else if routes.len() < MAX_ROUTES {
            routes.insert(route.to_owned(), 1);
        } else {
            *routes.entry("(other)".to_owned()).or_default() += 1;
        }
    }

    /// The counts so far.
    pub(crate) fn snapshot(&self) -> BTreeMap<String, u64> {
        let routes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        routes.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_code_knob() {
        assert_eq!(grpc_code(None), Ok(None));
        assert_eq!(grpc_code(Some("delay_ms=5&grpc_code=8")), Ok(Some(8)));
        assert!(grpc_code(Some("grpc_code=0")).is_err());
        assert!(grpc_code(Some("grpc_code=x")).is_err());
    }

    #[test]
    fn routes_are_capped() {
        let r = Routes::default();
        for i in 0..MAX_ROUTES + 5 {
            r.count(&format!("/r/{i}"));
        }
        r.count("/r/0");
        let s = r.snapshot();
        assert_eq!(s.len(), MAX_ROUTES + 1);
        assert_eq!(s["(other)"], 5);
        assert_eq!(s["/r/0"], 2);
    }
}
