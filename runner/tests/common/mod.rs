//! Helpers shared by the CLI's integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

use tailguard_demo::{DemoConfig, DemoServer};

/// Run the `tailguard` binary.
pub fn tailguard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tailguard"))
        .args(args)
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

/// A JSON file.
pub fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
