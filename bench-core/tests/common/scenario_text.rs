//! Parsing scenario text in tests: a fixed environment (with a secret to mask), overrides as
//! `--set` would give them, and the HTTP requests of the result. Shared by `scenario.rs` and
//! `overrides.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::path::Path;

use bench_core::driver::http::HttpRequestSpec;
use bench_core::scenario::{Override, Plan, Scenario, ScenarioError};

/// The test environment: `TARGET_URL` and a secret `API_TOKEN`; nothing else is set.
pub fn env(name: &str) -> Option<String> {
    match name {
        "TARGET_URL" => Some("http://127.0.0.1:9999/api".into()),
        "API_TOKEN" => Some("s3cr3t-value".into()),
        _ => None,
    }
}

/// The HTTP requests of a scenario.
pub fn http(s: &Scenario) -> &[HttpRequestSpec] {
    match &s.plan {
        Plan::Http(r) => r,
        other => panic!("not HTTP: {other:?}"),
    }
}

/// Parse `text` as `test.toml` with `--set` overrides.
pub fn parse(text: &str, overrides: &[&str]) -> Result<Scenario, ScenarioError> {
    let overrides: Vec<Override> = overrides
        .iter()
        .map(|s| Override::parse_set(s).unwrap())
        .collect();
    Scenario::parse(text, Path::new("test.toml"), &overrides, &env)
}

/// A small HTTP scenario using defaults and the environment.
pub const BASIC: &str = r#"
name = "basic"
target = "${TARGET_URL:-http://127.0.0.1:8080}"

[request]
path = "/items?id=${ITEM:-7}"
headers = { authorization = "Bearer ${API_TOKEN}" }

[load]
rate = 100
duration = "2s"
"#;
