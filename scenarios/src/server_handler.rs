//! One request to the demo target: `/health`, the pool, the login routes, gRPC reflection, then
//! every other route after the configured delay, jitter and injected errors (`Shared::decide`):
//! GraphQL, gRPC, or a small JSON body.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};
use rand::rngs::SmallRng;

use super::{BoxError, DemoBody, Shared};
use crate::auth;
use crate::graphql::execute;
use crate::grpc::{is_grpc, is_reflection, reflect};
use crate::pool::PATH as POOL_PATH;

pub(super) async fn handle(
    req: Request<Incoming>,
    shared: &Arc<Shared>,
    rng: &Mutex<SmallRng>,
) -> Response<DemoBody> {
    let path = req.uri().path().to_owned();
    if path == "/health" {
        return text(StatusCode::OK, "ok");
    }
    if let (Some(pool), Some(cfg)) = (&shared.pool, &shared.cfg.pool) {
        if path == POOL_PATH {
            let (status, body) = pool.serve(cfg).await;
            shared.served.fetch_add(1, Ordering::Relaxed);
            return text(status, body);
        }
    }
    let grpc = is_grpc(&req);
    if !grpc && auth::ROUTES.contains(&path.as_str()) {
        shared.served.fetch_add(1, Ordering::Relaxed);
        let seq = shared.arrivals.fetch_add(1, Ordering::Relaxed);
        return boxed(auth::serve(req, seq, &shared.flaky).await);
    }
    if grpc && is_reflection(&path) {
        return boxed(reflect(&shared.reflection, req).await);
    }
    shared.routes.count(&path);
    let overrides = if grpc {
        req.headers()
            .get("x-demo-knobs")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    } else {
        req.uri().query().map(str::to_owned)
    };
    let decision = match shared.decide(rng, overrides.as_deref()) {
        Ok(d) => d,
        Err(e) => {
            let msg = e.to_string();
            shared.served.fetch_add(1, Ordering::Relaxed);
            if grpc {
                return boxed(
                    tonic::Status::invalid_argument(msg).into_http::<tonic::body::Body>(),
                );
            }
            return text(StatusCode::BAD_REQUEST, msg);
        }
    };
    if grpc {
        return boxed(crate::grpc::serve(decision, req).await);
    }
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => Bytes::new(),
    };
    // Precise (sub-millisecond) sleep: tokio timers fire up to 2 ms late, which would blur the
    // delay knobs the tests rely on.
    bench_core::timer::sleep_until(decision.done).await;
    decision.served();
    if path == "/graphql" {
        return match execute(&shared.graphql, &body, decision.seq, decision.fail).await {
            Ok(json) => json_response(json),
            Err(e) => text(StatusCode::BAD_REQUEST, e.to_string()),
        };
    }
    if decision.fail {
        return text(StatusCode::INTERNAL_SERVER_ERROR, "injected error");
    }
    json_response(format!("{{\"ok\":true,\"seq\":{}}}", decision.seq))
}

fn boxed<B>(response: Response<B>) -> Response<DemoBody>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    response.map(|b| b.map_err(Into::into).boxed_unsync())
}

fn json_response(body: impl Into<Bytes>) -> Response<DemoBody> {
    let mut response = boxed(Response::new(Full::new(body.into())));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn text(status: StatusCode, body: impl Into<Bytes>) -> Response<DemoBody> {
    let mut response = boxed(Response::new(Full::new(body.into())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
