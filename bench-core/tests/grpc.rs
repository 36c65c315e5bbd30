//! The gRPC driver against the demo target's tonic service on loopback: schema from a `.proto`
//! file and from reflection (v1, v1alpha, fallback), status codes, deadlines, server streaming,
//! and errors before any load is sent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::time::Duration;

use bench_core::driver::grpc::schema::{Reflection, SchemaSource};
use bench_core::driver::grpc::{GrpcConnector, GrpcOptions, GrpcRequestSpec};
use bench_core::template::Sources;
use common::{demo, errors, run, run_with};
use serde_json::json;
use tailguard_demo::DemoConfig;

fn proto() -> SchemaSource {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/proto");
    SchemaSource::Protos {
        files: vec![dir.join("demo.proto")],
        import_paths: vec![dir],
    }
}

fn request(name: &str, method: &str, message: serde_json::Value) -> GrpcRequestSpec {
    GrpcRequestSpec {
        name: name.into(),
        method: format!("tailguard.demo.v1.Demo/{method}"),
        message,
        metadata: Vec::new(),
    }
}

fn options(schema: SchemaSource) -> GrpcOptions {
    GrpcOptions {
        schema,
        sources: Sources::new(None, 7),
        ..GrpcOptions::default()
    }
}

fn connector(url: &str, requests: &[GrpcRequestSpec], schema: SchemaSource) -> GrpcConnector {
    GrpcConnector::new(url, requests, &options(schema)).unwrap()
}

#[test]
fn unary_calls_from_a_proto_file_succeed() {
    let server = demo(DemoConfig::default());
    let req = request("get-user", "GetUser", json!({"id": "{{random_int 1 100}}"}));
    let r = run_with(connector(&server.url(), &[req], proto()), 300, 4, 8, &[]);
    assert_eq!(r.summary.requests, 300);
    assert_eq!(errors(&r), vec![]);
    assert_eq!(r.summary.statuses.get("OK"), Some(&300));
    assert_eq!(
        r.requests[0].messages, 300,
        "one response message per unary call"
    );
    assert!(
        r.histograms.first_message.is_none(),
        "unary calls have no stream timing"
    );
    assert_eq!(
        server
            .requests_by_route()
            .get("/tailguard.demo.v1.Demo/GetUser"),
        Some(&300)
    );
}

#[test]
fn schema_from_reflection_v1_v1alpha_and_fallback() {
    let server = demo(DemoConfig::default());
    let legacy = demo(DemoConfig {
        legacy_reflection_only: true,
        ..DemoConfig::default()
    });
    let req = request(
        "create",
        "CreatePost",
        json!({"userId": 3, "title": "t {{seq}}", "body": "{{uuid}}"}),
    );
    for (url, version) in [
        (server.url(), Reflection::V1),
        (server.url(), Reflection::V1alpha),
        (legacy.url(), Reflection::Auto),
        (legacy.url(), Reflection::V1alpha),
    ] {
        let c = connector(
            &url,
            std::slice::from_ref(&req),
            SchemaSource::Reflection(version),
        );
        let r = run(c, 50, 2, &[]);
        assert_eq!(errors(&r), vec![], "{version:?} at {url}");
        assert_eq!(r.summary.statuses.get("OK"), Some(&50));
    }
    // A server without v1 and a client that insists on it.
    let e = GrpcConnector::new(
        &legacy.url(),
        &[req],
        &options(SchemaSource::Reflection(Reflection::V1)),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("no reflection service"), "{e}");
    assert!(e.contains("UNIMPLEMENTED"), "{e}");
}

#[test]
fn non_ok_codes_are_failures_counted_by_name() {
    let server = demo(DemoConfig::default());
    let mut unavailable = request("injected", "GetUser", json!({"id": 1}));
    unavailable.metadata = vec![("x-demo-knobs".into(), "error_rate=1".into())];
    let mut exhausted = request("exhausted", "GetUser", json!({"id": 1}));
    exhausted.metadata = vec![("x-demo-knobs".into(), "error_rate=1&grpc_code=8".into())];
    let requests = [
        request("missing", "GetUser", json!({"id": 0})),
        unavailable,
        exhausted,
        request("invalid", "CreatePost", json!({"title": ""})),
    ];
    let r = run(
        connector(&server.url(), &requests, proto()),
        400,
        4,
        &[1.0, 1.0, 1.0, 1.0],
    );
    assert_eq!(r.summary.requests, 400);
    assert_eq!(r.summary.errors, 400);
    assert_eq!(errors(&r), vec![("grpc_status".into(), 400)]);
    let s = &r.summary.statuses;
    for (code, request) in [
        ("NOT_FOUND", 0),
        ("UNAVAILABLE", 1),
        ("RESOURCE_EXHAUSTED", 2),
        ("INVALID_ARGUMENT", 3),
    ] {
        assert_eq!(
            s.get(code),
            Some(&r.requests[request].requests),
            "{code}: {s:?}"
        );
        assert_eq!(r.requests[request].errors, r.requests[request].requests);
    }
    let sample = r.summary.errors_by_kind["grpc_status"]
        .sample
        .clone()
        .unwrap();
    assert!(
        [
            "NOT_FOUND: user 0 not found",
            "UNAVAILABLE: injected error",
            "RESOURCE_EXHAUSTED: injected error",
            "INVALID_ARGUMENT: title must not be empty"
        ]
        .contains(&sample.as_str()),
        "{sample}"
    );
}

#[test]
fn deadline_exceeded_is_enforced_by_the_client() {
    let server = demo(DemoConfig::default());
    let mut slow = request("slow", "GetUser", json!({"id": 1}));
    slow.metadata = vec![("x-demo-knobs".into(), "delay_ms=400".into())];
    let options = GrpcOptions {
        deadline: Some(Duration::from_millis(50)),
        ..options(proto())
    };
    let c = GrpcConnector::new(&server.url(), &[slow], &options).unwrap();
    let r = run(c, 20, 4, &[]);
    assert_eq!(r.summary.statuses.get("DEADLINE_EXCEEDED"), Some(&20));
    assert_eq!(errors(&r), vec![("grpc_status".into(), 20)]);
    let p50 = r.summary.service_time_us.p50;
    assert!(
        (50_000..150_000).contains(&p50),
        "calls end at the deadline: p50 {p50} µs"
    );
}

#[test]
fn streams_record_first_message_end_and_message_count() {
    let server = demo(DemoConfig::default());
    let mut list = request(
        "list",
        "ListPosts",
        json!({"userId": 1, "limit": 5, "intervalMs": 20}),
    );
    list.metadata = vec![("x-demo-knobs".into(), "delay_ms=30".into())];
    let r = run(connector(&server.url(), &[list], proto()), 40, 4, &[]);
    assert_eq!(errors(&r), vec![]);
    assert_eq!(r.requests[0].messages, 200, "5 messages per stream");
    let first = r.requests[0].histograms.first_message.as_ref().unwrap();
    let first_p50 = first.quantile_us(0.5);
    let end_p50 = r.summary.service_time_us.p50;
    // First message after the 30 ms delay; the last 4 × 20 ms later.
    assert!(
        (30_000..50_000).contains(&first_p50),
        "first message p50 {first_p50} µs"
    );
    assert!(
        (110_000..140_000).contains(&end_p50),
        "end p50 {end_p50} µs"
    );
    assert_eq!(first.len(), 40);
    let summary_first = r.summary.first_message_us.unwrap();
    assert_eq!(summary_first.p50, first_p50);
}

#[test]
fn bad_schema_or_method_fails_before_any_load() {
    let server = demo(DemoConfig::default());
    let url = server.url();
    let unknown = request("x", "Nope", json!({}));
    let e = GrpcConnector::new(&url, std::slice::from_ref(&unknown), &options(proto()))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("tailguard.demo.v1.Demo/Nope") && e.contains("GetUser, ListPosts, CreatePost"),
        "{e}"
    );
    let e = GrpcConnector::new(&url, &[unknown], &options(SchemaSource::default()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no method \"Nope\""), "{e}");
    let bad_field = request("x", "GetUser", json!({"idd": 1}));
    let e = GrpcConnector::new(&url, &[bad_field], &options(proto()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("request \"x\"") && e.contains("idd"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.proto");
    std::fs::write(
        &broken,
        "syntax = \"proto3\";\nservice S {\n  rpc A(M) returns (M);\n}\n",
    )
    .unwrap();
    let schema = SchemaSource::Protos {
        files: vec![broken],
        import_paths: vec![],
    };
    let e = GrpcConnector::new(
        &url,
        &[request("x", "GetUser", json!({}))],
        &options(schema),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("broken.proto:3:"), "{e}");
    assert_eq!(server.requests_served(), 0, "no load was sent");
}
