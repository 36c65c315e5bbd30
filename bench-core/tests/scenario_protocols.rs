//! GraphQL and gRPC scenario files: requests per protocol, files they read (queries, .proto,
//! feeders), and errors that name file, line and field before any load is sent.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use bench_core::scenario::{Plan, Scenario, ScenarioError};

/// Parse a scenario written to `dir` (so relative files resolve there).
fn parse_in(dir: &Path, text: &str) -> Result<Scenario, ScenarioError> {
    let path = dir.join("s.toml");
    std::fs::write(&path, text).unwrap();
    Scenario::load(&path, &[])
}

/// Each (text, location, message) case fails to parse with an error naming both.
fn expect_errors(dir: &Path, cases: &[(String, &str, &str)]) {
    for (text, at, what) in cases {
        let e = parse_in(dir, text).unwrap_err().to_string();
        assert!(
            e.contains(at) && e.contains(what),
            "{e}\nwanted {at} … {what}"
        );
    }
}

#[test]
fn graphql_and_grpc_scenarios_parse_and_bad_ones_name_the_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("q.graphql"), "query Q { posts { id } }").unwrap();
    std::fs::write(dir.path().join("d.csv"), "id\n1\n").unwrap();
    let graphql = r#"name = "g"
protocol = "graphql"
target = "http://127.0.0.1:1/graphql"

[data]
file = "d.csv"

[[requests]]
query_file = "q.graphql"
operation_name = "Q"
variables = { id = "{{id}}" }

[load]
rate = 1
duration = "1s"
"#;
    let s = parse_in(dir.path(), graphql).unwrap();
    match &s.plan {
        Plan::Graphql(r) => {
            assert_eq!(r[0].name, "Q");
            assert_eq!(r[0].operations[0].query, "query Q { posts { id } }");
        }
        other => panic!("{other:?}"),
    }
    let cases = [
        (
            graphql.replace("operation_name = \"Q\"", "path = \"/x\""),
            "s.toml:10:",
            "requests[0].path: `path` is not used with protocol = \"graphql\"",
        ),
        (
            graphql.replace("{{id}}", "{{user}}"),
            "s.toml:1",
            "unknown placeholder {{user}}",
        ),
        (
            graphql.replace("d.csv", "missing.csv"),
            "s.toml:6:",
            "data.file: ",
        ),
        (
            graphql.replace("q.graphql", "nope.graphql"),
            "s.toml:9:",
            "requests[0].query_file: ",
        ),
    ];
    expect_errors(dir.path(), &cases);

    let proto_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/proto");
    let grpc = format!(
        r#"name = "r"
protocol = "grpc"
target = "http://127.0.0.1:1"

[grpc]
proto = ["{}"]

[request]
method = "tailguard.demo.v1.Demo/GetUser"
message = {{ id = "{{{{seq}}}}" }}

[load]
rate = 1
duration = "1s"
"#,
        proto_dir.join("demo.proto").display()
    );
    let s = parse_in(dir.path(), &grpc).unwrap();
    assert_eq!(s.run_config().streams_per_connection, 1);
    let cases = [
        (
            grpc.replace("GetUser", "GetUsers"),
            "s.toml:9:",
            "request.method: method \"tailguard.demo.v1.Demo/GetUsers\"",
        ),
        (
            grpc.replace("demo.proto", "nothere.proto"),
            "s.toml:6:",
            "grpc.proto: ",
        ),
        (
            grpc.replace("{ id =", "{ idd ="),
            "s.toml:10:",
            "request.message: ",
        ),
        (
            grpc.replace("{ id = \"{{seq}}\" }", "{ id = true }"),
            "s.toml:10:",
            "field \"id\" is int64 in the proto, but the message gives the boolean true",
        ),
        (
            grpc.replace("GetUser\"", "ListPosts\"")
                .replace("{ id = \"{{seq}}\" }", "{ user_id = 1, limit = [2] }"),
            "s.toml:10:",
            "field \"limit\" is uint32 in the proto, but the message gives an array",
        ),
        (
            grpc.replace("[request]", "[request]\nbody = \"x\""),
            "s.toml:9:",
            "`body` is not used with protocol = \"grpc\"",
        ),
    ];
    expect_errors(dir.path(), &cases);
}
