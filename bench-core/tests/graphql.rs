//! The GraphQL driver against the demo target's async-graphql endpoint on loopback: success,
//! `errors` and `data: null` classification, batches, persisted queries, HTTP/2.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bench_core::driver::graphql::{self, GraphqlOperation, GraphqlOptions, GraphqlRequestSpec};
use bench_core::driver::http::{HttpConnector, HttpOptions, HttpVersion};
use bench_core::template::Sources;
use common::{demo, errors, run};
use serde_json::json;
use tailguard_demo::DemoConfig;

const USER: &str = "query User($id: ID!) { user(id: $id) { id name email } }";
const POSTS: &str = "query Posts($n: Int) { posts(limit: $n) { id title } }";
const CREATE: &str =
    "mutation Create($t: String!) { createPost(userId: \"1\", title: $t, body: \"b\") { id } }";

fn op(query: &str, variables: serde_json::Value) -> GraphqlOperation {
    GraphqlOperation {
        query: query.into(),
        operation_name: None,
        variables: Some(variables),
    }
}

fn request(name: &str, operations: Vec<GraphqlOperation>, batch: bool) -> GraphqlRequestSpec {
    GraphqlRequestSpec {
        name: name.into(),
        operations,
        batch,
        headers: Vec::new(),
    }
}

fn connector(
    url: &str,
    requests: &[GraphqlRequestSpec],
    version: HttpVersion,
    apq: bool,
) -> HttpConnector {
    let options = GraphqlOptions {
        http: HttpOptions {
            version,
            sources: Sources::new(None, 3),
            ..HttpOptions::default()
        },
        persisted_queries: apq,
    };
    graphql::connector(url, requests, &options).unwrap()
}

#[test]
fn queries_and_mutations_succeed_over_http1_and_http2() {
    let server = demo(DemoConfig::default());
    let endpoint = format!("{}/graphql", server.url());
    let requests = [
        request(
            "user",
            vec![op(USER, json!({"id": "{{random_int 1 1000}}"}))],
            false,
        ),
        request("posts", vec![op(POSTS, json!({"n": 3}))], false),
        request(
            "create",
            vec![op(CREATE, json!({"t": "hello {{uuid}}"}))],
            false,
        ),
    ];
    for version in [HttpVersion::Http1, HttpVersion::Http2] {
        let r = run(
            connector(&endpoint, &requests, version, false),
            300,
            4,
            &[1.0, 1.0, 1.0],
        );
        assert_eq!(r.summary.requests, 300, "{version:?}");
        assert_eq!(errors(&r), vec![], "{version:?}");
        assert_eq!(r.summary.statuses.get("200"), Some(&300));
    }
}

#[test]
fn errors_arrays_and_null_data_are_graphql_errors() {
    let server = demo(DemoConfig::default());
    let endpoint = format!("{}/graphql", server.url());
    let missing = [request(
        "missing",
        vec![op(USER, json!({"id": "0"}))],
        false,
    )];
    let r = run(
        connector(&endpoint, &missing, HttpVersion::Http1, false),
        50,
        2,
        &[],
    );
    assert_eq!(errors(&r), vec![("graphql_error".into(), 50)]);
    assert_eq!(
        r.summary.statuses.get("200"),
        Some(&50),
        "HTTP 200 all the same"
    );
    let sample = r.summary.errors_by_kind["graphql_error"].sample.clone();
    assert_eq!(sample.as_deref(), Some("user 0 not found"));

    // Injected failures: `data: null` with an error, over the query-string knob.
    let injected = format!("{endpoint}?error_rate=1");
    let ok = [request("user", vec![op(USER, json!({"id": "1"}))], false)];
    let r = run(
        connector(&injected, &ok, HttpVersion::Http1, false),
        50,
        2,
        &[],
    );
    assert_eq!(errors(&r), vec![("graphql_error".into(), 50)]);
    let sample = r.summary.errors_by_kind["graphql_error"].sample.clone();
    assert_eq!(sample.as_deref(), Some("injected error"));

    // An invalid document is rejected by the server with errors too.
    let invalid = [request("bad", vec![op("{ nope }", json!({}))], false)];
    let r = run(
        connector(&endpoint, &invalid, HttpVersion::Http1, false),
        10,
        1,
        &[],
    );
    assert_eq!(errors(&r), vec![("graphql_error".into(), 10)]);
}

#[test]
fn batches_fail_when_any_operation_fails() {
    let server = demo(DemoConfig::default());
    let endpoint = format!("{}/graphql", server.url());
    let requests = [
        request(
            "good",
            vec![
                op(USER, json!({"id": "{{seq}}1"})),
                op(POSTS, json!({"n": 2})),
            ],
            true,
        ),
        request(
            "half",
            vec![op(POSTS, json!({"n": 1})), op(USER, json!({"id": "-1"}))],
            true,
        ),
    ];
    let r = run(
        connector(&endpoint, &requests, HttpVersion::Http1, false),
        100,
        2,
        &[1.0, 1.0],
    );
    assert_eq!(r.requests[0].errors, 0);
    assert!(r.requests[0].requests > 20);
    assert_eq!(r.requests[1].errors, r.requests[1].requests);
    assert_eq!(server.requests_by_route().get("/graphql"), Some(&100));
}

#[test]
fn persisted_queries_send_hashes_and_register_once() {
    let server = demo(DemoConfig::default());
    let endpoint = format!("{}/graphql", server.url());
    let requests = [request(
        "user",
        vec![op(USER, json!({"id": "{{random_int 1 9}}"}))],
        false,
    )];
    let r = run(
        connector(&endpoint, &requests, HttpVersion::Http1, true),
        200,
        2,
        &[],
    );
    assert_eq!(errors(&r), vec![]);
    assert_eq!(r.summary.requests, 200);
    // Each connection's first call meets an unknown hash and registers the query; every other
    // call is one hash-only exchange.
    let exchanges = server.requests_by_route()["/graphql"];
    assert!(
        (201..=202).contains(&exchanges),
        "{exchanges} exchanges for 200 calls"
    );
}
