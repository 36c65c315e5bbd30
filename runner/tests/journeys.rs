//! Checks, extraction, journeys, setup and cookies end to end: the `tailguard` binary against the
//! demo target on loopback (its `/login`, `/me`, `/flaky-json` routes, GraphQL `login`/`me` and
//! gRPC `Login`/`GetProfile`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{demo, json, run_out, tailguard, text};
use tailguard_demo::DemoConfig;

/// One load test at a time: the demo's `/flaky-json` counter is shared by the process.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn run(scenario: &Path, target: &str, out: &Path) -> (Option<i32>, String) {
    let o = run_out(scenario, target, out, &[]);
    (o.status.code(), text(&o))
}

fn request<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no request {name}: {}", v["requests"]))
}

/// Every 4th call of `/flaky-json` has the wrong body: of 400 calls exactly 100 fail the check,
/// as failures of kind `check` naming it, and `checks > 99.9%` is breached.
#[test]
fn checks_count_exactly_the_wrong_bodies() {
    let _one = serial();
    let server = demo(DemoConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "flaky.toml",
        r#"name = "flaky"
target = "http://127.0.0.1:1"
slo = ["checks > 99.9%"]

[request]
name = "page"
path = "/flaky-json?every=4"
checks = [
  { name = "ok is true", json = "/ok", equals = true },
  { status = [200] },
]

[load]
model = "closed"
workers = 4
requests = 400
duration = "30s"
"#,
    );
    let out = dir.path().join("out.json");
    let (code, all) = run(&scenario, &server.url(), &out);
    assert_eq!(code, Some(1), "the checks SLO is breached: {all}");
    let v = json(&out);
    let s = &v["summary"];
    assert_eq!(s["requests"], 400, "{s}");
    assert_eq!(s["errors"], 100, "{s}");
    assert_eq!(s["errors_by_kind"]["check"]["count"], 100, "{s}");
    let sample = s["errors_by_kind"]["check"]["sample"].as_str().unwrap();
    assert!(sample.contains("check \"ok is true\" failed"), "{sample}");
    let checks = s["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 2, "{s}");
    assert_eq!(checks[0]["request"], "page");
    assert_eq!(checks[0]["check"], "ok is true");
    assert_eq!(
        (&checks[0]["passed"], &checks[0]["failed"]),
        (&300.into(), &100.into())
    );
    assert_eq!(checks[1]["check"], "status in [200]");
    assert_eq!(
        (&checks[1]["passed"], &checks[1]["failed"]),
        (&400.into(), &0.into())
    );
    assert_eq!(v["slo"][0]["actual"], "87.500%", "{}", v["slo"]);
    assert!(
        all.contains("ok is true"),
        "the terminal shows the checks: {all}"
    );
}

/// The example journey: a setup login whose token authorises a mix request, and a journey
/// whose login token (header and cookie) authorises the profile; steps and journeys get their
/// own rows, the page's check fails on exactly every 10th call, and no token is written out.
#[test]
fn the_example_journey_carries_tokens_from_setup_and_login() {
    let _one = serial();
    let server = demo(DemoConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/journey-login.toml");
    let out = dir.path().join("out.json");
    let o = tailguard(&[
        "run",
        example.to_str().unwrap(),
        "--target",
        &server.url(),
        "--set",
        "load.duration=2s",
        "--set",
        "load.warmup=0s",
        "--out",
        out.to_str().unwrap(),
    ]);
    let all = text(&o);
    assert_eq!(o.status.code(), Some(0), "{all}");
    let v = json(&out);
    let s = &v["summary"];
    let browse = request(&v, "browse");
    assert_eq!(browse["journey"], true);
    let journeys = browse["requests"].as_u64().unwrap();
    assert!(journeys >= 40, "{browse}");
    let login = request(&v, "browse/login");
    let profile = request(&v, "browse/profile");
    let by_cookie = request(&v, "browse/by-cookie");
    let page = request(&v, "browse/page");
    let admin = request(&v, "admin-profile");
    for step in [login, profile, by_cookie] {
        assert_eq!(step["errors"], 0, "{step}");
    }
    assert_eq!(admin["errors"], 0, "the setup's token works: {admin}");
    assert!(admin["requests"].as_u64().unwrap() > 0);
    // Every journey that got to its page step was counted once there.
    assert_eq!(page["requests"], profile["requests"]);
    let pages = page["requests"].as_u64().unwrap();
    assert_eq!(page["errors"].as_u64().unwrap(), pages / 10, "{page}");
    assert_eq!(
        browse["errors"], page["errors"],
        "a failed step fails its journey"
    );
    // Steps are counted as requests; journeys are not.
    let calls: u64 = [
        "browse/login",
        "browse/profile",
        "browse/by-cookie",
        "browse/page",
        "admin-profile",
    ]
    .iter()
    .map(|n| request(&v, n)["requests"].as_u64().unwrap())
    .sum();
    assert_eq!(s["requests"].as_u64().unwrap(), calls, "{s}");
    // The journey's end-to-end latency includes the 5 ms think time after the login.
    assert!(
        browse["latency_us"]["p50"].as_u64().unwrap() >= 5_000,
        "{browse}"
    );
    let page_check = s["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "page ok")
        .unwrap();
    assert_eq!(page_check["failed"].as_u64().unwrap(), pages / 10);
    assert!(all.contains("journey  browse:"), "{all}");
    assert!(
        !std::fs::read_to_string(&out).unwrap().contains("tg."),
        "no token in the result"
    );
    assert!(!all.contains("tg."), "no token on the terminal");
}

/// A failed setup stops the run before any load, exit 2, naming the step.
#[test]
fn a_failed_setup_stops_the_run_before_any_load() {
    let _one = serial();
    let server = demo(DemoConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "setup.toml",
        r#"name = "setup-fails"
target = "http://127.0.0.1:1"

[[setup.steps]]
name = "who-am-i"
path = "/me"
extract.me = { json = "/user" }

[request]
path = "/me"
headers = { authorization = "Bearer {{me}}" }

[load]
rate = 10
duration = "1s"
"#,
    );
    let before = server.requests_served();
    let out = dir.path().join("out.json");
    let (code, all) = run(&scenario, &server.url(), &out);
    assert_eq!(code, Some(2), "{all}");
    assert!(
        all.contains("setup step \"setup/who-am-i\" failed"),
        "{all}"
    );
    assert!(all.contains("HTTP 401"), "{all}");
    assert!(!out.exists(), "no result without load");
    assert_eq!(
        server.requests_served() - before,
        1,
        "only the setup step was sent"
    );
}

/// A token extracted from a failing response is masked in the error sample.
#[test]
fn extracted_tokens_are_masked_in_error_samples() {
    let _one = serial();
    let server = demo(DemoConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "mask.toml",
        r#"name = "mask"
target = "http://127.0.0.1:1"

[request]
method = "POST"
path = "/login"
body = '{"user":"bob"}'
extract.token = { json = "/token" }
checks = [{ json = "/token", equals = "something else" }]

[load]
model = "closed"
workers = 1
requests = 5
duration = "10s"
"#,
    );
    let out = dir.path().join("out.json");
    let (code, all) = run(&scenario, &server.url(), &out);
    assert_eq!(code, Some(0), "{all}");
    let v = json(&out);
    let sample = v["summary"]["errors_by_kind"]["check"]["sample"]
        .as_str()
        .unwrap();
    assert!(sample.contains("<redacted>"), "{sample}");
    assert!(!sample.contains("tg."), "{sample}");
    assert_eq!(v["summary"]["errors"], 5);
}

/// Bad checks, extractions and journeys are refused before any load, naming file, line and
/// field.
#[test]
fn bad_journey_input_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[[journeys.steps]]\npath = \"/a\"\nchecks = [{ status = [200], json = \"/a\" }]\n",
            "journeys[0].steps[0].checks[0]: give exactly one of",
            3,
        ),
        (
            "[[journeys.steps]]\npath = \"/a\"\nextract.tok = { json = \"token\" }\n",
            "journeys[0].steps[0].extract.tok.json: \"token\" is not a JSON Pointer",
            3,
        ),
        (
            "[[journeys.steps]]\npath = \"/a/{{nope}}\"\n",
            "journeys[0].steps[0].path",
            2,
        ),
        (
            "[[journeys.steps]]\npath = \"/a\"\nchecks = [{ status = [999] }]\n",
            "journeys[0].steps[0].checks[0].status: 999 is not an HTTP status code",
            3,
        ),
    ];
    for (i, (steps, want, line)) in cases.iter().enumerate() {
        let scenario = format!(
            "name = \"bad\"\ntarget = \"http://127.0.0.1:1\"\n[load]\nrate = 1\nduration = \"1s\"\n[[journeys]]\nname = \"j\"\n{steps}"
        );
        let path = write(dir.path(), &format!("bad{i}.toml"), &scenario);
        let o = tailguard(&["run", path.to_str().unwrap(), "--quiet"]);
        let all = text(&o);
        assert_eq!(o.status.code(), Some(2), "{all}");
        assert!(all.contains(want), "case {i}: {all}");
        let at = format!("bad{i}.toml:{}:", 7 + line);
        assert!(all.contains(&at), "case {i} at {at}: {all}");
    }
}

/// GraphQL and gRPC journeys: the login's token goes into GraphQL variables and gRPC metadata;
/// a status check that expects `UNAUTHENTICATED` makes that status a pass.
#[test]
fn graphql_and_grpc_journeys_carry_the_login_token() {
    let _one = serial();
    let server = demo(DemoConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let load = "[load]\nmodel = \"closed\"\nworkers = 2\nrequests = 30\nduration = \"30s\"\n";
    let graphql = write(
        dir.path(),
        "gql.toml",
        &format!(
            r#"name = "gql-journey"
protocol = "graphql"
target = "http://127.0.0.1:1"

[[journeys]]
name = "session"

[[journeys.steps]]
name = "login"
query = 'mutation L($u: String!) {{ login(user: $u) {{ token user }} }}'
variables = {{ u = "carol" }}
extract.token = {{ json = "/data/login/token" }}

[[journeys.steps]]
name = "me"
query = 'query M($t: String!) {{ me(token: $t) {{ name }} }}'
variables = {{ t = "{{{{token}}}}" }}
checks = [{{ json = "/data/me/name", equals = "carol" }}]
{load}"#
        ),
    );
    let out = dir.path().join("gql.json");
    let (code, all) = run(&graphql, &format!("{}/graphql", server.url()), &out);
    assert_eq!(code, Some(0), "{all}");
    let v = json(&out);
    assert_eq!(v["summary"]["errors"], 0, "{}", v["summary"]);
    assert_eq!(v["summary"]["requests"], 60, "two steps per journey");
    assert_eq!(request(&v, "session")["requests"], 30);
    assert_eq!(v["summary"]["checks"][0]["passed"], 30);

    let grpc = write(
        dir.path(),
        "grpc.toml",
        &format!(
            r#"name = "grpc-journey"
protocol = "grpc"
target = "http://127.0.0.1:1"

[[journeys]]
name = "session"

[[journeys.steps]]
name = "login"
method = "tailguard.demo.v1.Demo/Login"
message = {{ user = "dave" }}
extract.token = {{ json = "/token" }}
checks = [{{ header = "content-type", matches = "^application/grpc" }}]

[[journeys.steps]]
name = "profile"
method = "tailguard.demo.v1.Demo/GetProfile"
metadata = {{ authorization = "Bearer {{{{token}}}}" }}
checks = [{{ status = ["OK"] }}, {{ json = "/name", equals = "dave" }}]

[[journeys.steps]]
name = "anonymous"
method = "tailguard.demo.v1.Demo/GetProfile"
checks = [{{ status = ["UNAUTHENTICATED"] }}]
{load}"#
        ),
    );
    let out = dir.path().join("grpc.json");
    let (code, all) = run(&grpc, &server.url(), &out);
    assert_eq!(code, Some(0), "{all}");
    let v = json(&out);
    assert_eq!(v["summary"]["errors"], 0, "{}", v["summary"]);
    assert_eq!(v["summary"]["requests"], 90);
    assert_eq!(v["summary"]["statuses"]["UNAUTHENTICATED"], 30);
    let checks = v["summary"]["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 4);
    assert!(
        checks.iter().all(|c| c["passed"] == 30 && c["failed"] == 0),
        "{checks:?}"
    );
}
