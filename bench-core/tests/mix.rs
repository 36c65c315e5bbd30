//! Weighted request mixes and per-call templating, observed at the demo target: the shares the
//! server sees match the weights, and templated requests are not all identical.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use bench_core::driver::grpc::schema::SchemaSource;
use bench_core::driver::grpc::{GrpcConnector, GrpcOptions, GrpcRequestSpec};
use bench_core::driver::http::{HttpConnector, HttpOptions, HttpRequestSpec, HttpVersion};
use bench_core::feeder::{Feeder, Order};
use bench_core::template::Sources;
use common::{demo, errors, run, run_with};
use serde_json::json;
use tailguard_demo::DemoConfig;

#[test]
fn observed_shares_of_a_70_20_10_grpc_mix_match_the_weights() {
    let server = demo(DemoConfig::default());
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/proto");
    let call = |name: &str, method: &str, message| GrpcRequestSpec {
        name: name.into(),
        method: format!("tailguard.demo.v1.Demo/{method}"),
        message,
        metadata: Vec::new(),
    };
    let requests = [
        call("user", "GetUser", json!({"id": "{{random_int 1 1000}}"})),
        call("posts", "ListPosts", json!({"userId": 1, "limit": 2})),
        call(
            "create",
            "CreatePost",
            json!({"userId": 1, "title": "{{uuid}}"}),
        ),
    ];
    let options = GrpcOptions {
        schema: SchemaSource::Protos {
            files: vec![dir.join("demo.proto")],
            import_paths: vec![dir],
        },
        ..GrpcOptions::default()
    };
    let connector = GrpcConnector::new(&server.url(), &requests, &options).unwrap();
    let n = 10_000u64;
    let r = run_with(connector, n, 2, 16, &[70.0, 20.0, 10.0]);
    assert_eq!(r.summary.requests, n);
    assert_eq!(errors(&r), vec![]);
    let routes = server.requests_by_route();
    for (i, (method, weight)) in [("GetUser", 0.7), ("ListPosts", 0.2), ("CreatePost", 0.1)]
        .iter()
        .enumerate()
    {
        let seen = routes[&format!("/tailguard.demo.v1.Demo/{method}")];
        assert_eq!(
            seen, r.requests[i].requests,
            "{method}: server and client agree"
        );
        let share = seen as f64 / n as f64;
        assert!(
            (share - weight).abs() <= 0.02,
            "{method}: share {share:.4} vs {weight}"
        );
    }
    // Each request has its own histograms; the streaming one its stream timing.
    assert!(r.requests[1].histograms.first_message.is_some());
    assert!(r.requests[0].histograms.first_message.is_none());
    assert_eq!(r.requests[1].messages, 2 * r.requests[1].requests);
}

#[test]
fn templated_paths_headers_and_feeder_rows_differ_per_call() {
    let server = demo(DemoConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("users.csv");
    std::fs::write(&csv, "user_id,region\n11,eu\n12,us\n13,ap\n").unwrap();
    let feeder = Arc::new(Feeder::load(&csv, Order::Sequential).unwrap());
    let spec = |name: &str, path: &str| HttpRequestSpec {
        name: name.into(),
        method: "POST".into(),
        path: path.into(),
        headers: vec![("x-request-id".into(), "{{uuid}}".into())],
        body: br#"{"n": {{random_int 1 1000000}}}"#.to_vec(),
    };
    for version in [HttpVersion::Http1, HttpVersion::Http2] {
        let options = HttpOptions {
            version,
            sources: Sources::new(Some(feeder.clone()), 5),
            ..HttpOptions::default()
        };
        let requests = [
            spec("seq", &format!("/{version:?}/seq/{{{{seq}}}}")),
            spec(
                "feeder",
                &format!("/{version:?}/users/{{{{user_id}}}}/{{{{region}}}}"),
            ),
        ];
        let connector = HttpConnector::new(&server.url(), &requests, &options).unwrap();
        let r = run(connector, 600, 4, &[1.0, 1.0]);
        assert_eq!(errors(&r), vec![], "{version:?}");
        let routes = server.requests_by_route();
        let seq_paths: Vec<_> = routes
            .keys()
            .filter(|k| k.starts_with(&format!("/{version:?}/seq/")))
            .collect();
        assert_eq!(
            seq_paths.len() as u64,
            r.requests[0].requests,
            "one path per call"
        );
        let user_paths: Vec<(&String, &u64)> = routes
            .iter()
            .filter(|(k, _)| k.starts_with(&format!("/{version:?}/users/")))
            .collect();
        let names: Vec<&str> = user_paths
            .iter()
            .map(|(k, _)| k.rsplit_once("/users/").unwrap().1)
            .collect();
        assert_eq!(names, ["11/eu", "12/us", "13/ap"], "{version:?}");
        let per_row: Vec<u64> = user_paths.iter().map(|(_, v)| **v).collect();
        let (lo, hi) = (per_row.iter().min().unwrap(), per_row.iter().max().unwrap());
        assert!(hi - lo <= 1, "rows are handed out in turn: {per_row:?}");
    }
}
