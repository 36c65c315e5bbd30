//! Helpers shared by the CLI's integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use tailguard_demo::{DemoConfig, DemoServer};

/// Run the `tailguard` binary.
pub fn tailguard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tailguard"))
        .args(args)
        // Tests that fail a gate on purpose must not annotate the CI job running them.
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap()
}

/// stdout and stderr, for assertion messages.
pub fn text(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A demo target on a free loopback port, one server thread.
pub fn demo(cfg: DemoConfig) -> DemoServer {
    DemoServer::spawn(
        "127.0.0.1:0".parse().unwrap(),
        DemoConfig { threads: 1, ..cfg },
    )
    .unwrap()
}

/// `tailguard run SCENARIO --target URL --quiet --out OUT [extra…]`.
pub fn run_out(scenario: &Path, target: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        scenario.to_str().unwrap(),
        "--target",
        target,
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    tailguard(&args)
}

/// `run_out`, asserting success; the result.
pub fn run_to_json(scenario: &Path, target: &str, out: &Path) -> bench_core::result::RunResult {
    let o = run_out(scenario, target, out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    bench_core::result::RunResult::read(out).unwrap()
}

/// A JSON file.
pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
/// A two-request mix (3:1), 2 s at `rate` req/s, for tests that need a real run.
pub fn mix_scenario(name: &str, rate: u32) -> String {
    format!(
        r#"
name = "{name}"
protocol = "http"
target = "http://127.0.0.1:1"

[[requests]]
name = "read"
path = "/a"
weight = 3

[[requests]]
name = "write"
method = "POST"
path = "/b"
body = "{{}}"
weight = 1

[load]
rate = {rate}
duration = "2s"
warmup = "0s"
connections = 2
"#
    )
}

pub mod fixtures;
pub mod github;
pub mod history;
pub mod influxd;
pub mod recording;
pub mod verdicts;

/// A statistical claim — a verdict or a capacity measured from a few seconds of load, which a
/// loaded machine's scheduling can spoil — checked once more, with fresh measurements, when the
/// first attempt fails. A real bug fails both; noise seldom twice in a row. Deterministic checks
/// (exit codes, file contents) belong outside `attempt`, which returns what did not hold.
pub fn statistical(what: &str, mut attempt: impl FnMut(u32) -> Result<(), String>) {
    if let Err(first) = attempt(1) {
        eprintln!("{what}: the first attempt failed, measuring again: {first}");
        if let Err(second) = attempt(2) {
            panic!("{what}: failed twice\n1: {first}\n2: {second}");
        }
    }
}

/// `Ok` when `holds`, else the message `why` makes.
pub fn check(holds: bool, why: impl FnOnce() -> String) -> Result<(), String> {
    if holds {
        Ok(())
    } else {
        Err(why())
    }
}
