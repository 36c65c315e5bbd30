//! The `tailguard` binary end to end against the demo target on loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use tailguard_demo::{DemoConfig, DemoServer};

fn tailguard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tailguard"))
        .args(args)
        // Tests that fail a gate on purpose must not annotate the CI job running them.
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap()
}

fn scenario(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("s.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn demo(cfg: DemoConfig) -> DemoServer {
    DemoServer::spawn(
        "127.0.0.1:0".parse().unwrap(),
        DemoConfig { threads: 1, ..cfg },
    )
    .unwrap()
}

const SCENARIO: &str = r#"name = "cli"
target = "http://127.0.0.1:1"
slo = ["p99 < 100ms", "error_rate < 1%"]

[request]
path = "/"

[load]
rate = 100
duration = "1s"
connections = 4
"#;

#[test]
fn run_writes_the_json_contract_and_passes_slos() {
    let server = demo(DemoConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(dir.path(), SCENARIO);
    let out = dir.path().join("r.json");
    let o = tailguard(&[
        "run",
        path.to_str().unwrap(),
        "--target",
        &server.url(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout.contains("p99") && stdout.contains("slo ok"),
        "{stdout}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["schema_version"], 4);
    assert_eq!(v["kind"], "load");
    assert_eq!(v["summary"]["requests"], 100);
    assert_eq!(v["summary"]["errors"], 0);
    assert!(v["summary"]["rps"].as_f64().unwrap() > 90.0);
    for key in ["p50", "p90", "p95", "p99", "p999", "max"] {
        assert!(v["summary"]["latency_us"][key].is_u64());
        assert!(v["summary"]["service_time_us"][key].is_u64());
    }
    assert!(v["histograms"]["latency"].as_str().unwrap().len() > 10);
    assert_eq!(v["scenario"], "cli");
    assert!(v["environment"]["cores"].as_u64().unwrap() >= 1);
}

#[test]
fn breached_slo_exits_1() {
    let server = demo(DemoConfig {
        delay: Duration::from_millis(150),
        ..DemoConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(dir.path(), SCENARIO);
    let o = tailguard(&[
        "run",
        path.to_str().unwrap(),
        "--target",
        &server.url(),
        "--quiet",
        "--rate",
        "50",
        "--connections",
        "16",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("slo FAIL p99 < 100ms"), "{stdout}");
}

#[test]
fn unreachable_target_finishes_and_reports_errors() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(dir.path(), SCENARIO);
    let target = format!("http://127.0.0.1:{port}");
    let o = tailguard(&[
        "run",
        path.to_str().unwrap(),
        "--target",
        &target,
        "--quiet",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(1),
        "error-rate SLO breached: {stdout}"
    );
    assert!(stdout.contains("error    connect: 100"), "{stdout}");
}

#[test]
fn malformed_scenario_exits_2_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(dir.path(), &SCENARIO.replace("rate = 100", "rate = -5"));
    let o = tailguard(&["run", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("s.toml:9:") && stderr.contains("load.rate"),
        "{stderr}"
    );
    let o = tailguard(&["run", dir.path().join("missing.toml").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.toml"));
    let o = tailguard(&["run", path.to_str().unwrap(), "--set", "nonsense"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn ctrl_c_stops_the_load_and_writes_the_partial_result() {
    let server = demo(DemoConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(dir.path(), SCENARIO);
    let out = dir.path().join("partial.json");
    let child = Command::new(env!("CARGO_BIN_EXE_tailguard"))
        .args([
            "run",
            path.to_str().unwrap(),
            "--target",
            &server.url(),
            "--duration",
            "60s",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["cancelled"], true);
    let n = v["summary"]["requests"].as_u64().unwrap();
    assert!((50..1000).contains(&n), "partial run recorded {n} requests");
}

#[test]
fn ca_file_flag_is_relative_to_the_working_directory_and_a_bad_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("scenarios")).unwrap();
    let path = dir.path().join("scenarios/s.toml");
    std::fs::write(&path, SCENARIO).unwrap();
    std::fs::write(dir.path().join("ca.pem"), "not a certificate\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tailguard"))
        .current_dir(dir.path())
        .args(["run", "scenarios/s.toml", "--ca-file", "ca.pem", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    let ca = std::path::absolute(dir.path().join("ca.pem")).unwrap();
    assert!(stderr.contains("http.ca_file"), "{stderr}");
    assert!(
        stderr.contains(&format!("{}: no", ca.display())),
        "{stderr}"
    );
    assert!(stderr.contains("BEGIN CERTIFICATE"), "{stderr}");
}
