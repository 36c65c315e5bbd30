//! SIGTERM (Kubernetes, `timeout`, CI cancellation) stops `run`, a saturation run, `gate` and
//! `demo` like Ctrl-C: the partial result is written, the summary printed, and the exit status
//! is 143. Every run here is against a demo target on loopback and is stopped well before its
//! configured 30 s.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{demo, json, text};
use tailguard_demo::{DemoConfig, DemoServer};

const LONG_RUN: &str = r#"name = "long"
target = "http://127.0.0.1:1"

[request]
path = "/"

[load]
rate = 50
duration = "30s"
connections = 4
"#;

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_tailguard"))
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Wait until `ready` (at most 20 s), send SIGTERM with `kill`, and collect the output; a child
/// that outlives 20 s more is killed and the test fails.
fn terminate(child: Child, ready: impl Fn() -> bool) -> Output {
    let start = Instant::now();
    while !ready() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = child.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut child = child;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("tailguard did not stop within 20 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn served(server: &DemoServer, n: u64) -> impl Fn() -> bool + '_ {
    move || server.requests_served() >= n
}

fn assert_partial(o: &Output, result: &Path) {
    assert_eq!(o.status.code(), Some(143), "{}", text(o));
    assert!(text(o).contains("terminated (SIGTERM)"), "{}", text(o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("p99"),
        "{}",
        text(o)
    );
    let v = json(result);
    assert_eq!(v["cancelled"], true, "{v}");
    assert!(v["summary"]["requests"].as_u64().unwrap() > 0, "{v}");
}

#[test]
fn sigterm_stops_a_run_with_its_partial_result_and_exit_143() {
    let server = demo(DemoConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s.toml");
    std::fs::write(&s, LONG_RUN).unwrap();
    let out = dir.path().join("r.json");
    let child = spawn(&[
        "run",
        s.to_str().unwrap(),
        "--target",
        &server.url(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let o = terminate(child, served(&server, 20));
    assert_partial(&o, &out);
}

#[test]
fn sigterm_stops_a_saturation_run_the_same_way() {
    let server = demo(DemoConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s.toml");
    let text = LONG_RUN.replace("rate = 50\nduration = \"30s\"\n", "")
        + "\n[saturation]\nlevels = [50, 60, 70]\nhold = \"10s\"\n";
    std::fs::write(&s, text).unwrap();
    let out = dir.path().join("r.json");
    let child = spawn(&[
        "run",
        s.to_str().unwrap(),
        "--target",
        &server.url(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let o = terminate(child, served(&server, 20));
    assert_partial(&o, &out);
}

#[test]
fn sigterm_stops_a_gate_and_keeps_the_partial_trial() {
    let server = demo(DemoConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s.toml");
    std::fs::write(&s, LONG_RUN).unwrap();
    let results = dir.path().join("trials");
    let child = spawn(&[
        "gate",
        s.to_str().unwrap(),
        "--baseline-target",
        &server.url(),
        "--candidate-target",
        &server.url(),
        "--trials",
        "2",
        "--quiet",
        "--results-dir",
        results.to_str().unwrap(),
    ]);
    let o = terminate(child, served(&server, 20));
    let written: Vec<_> = std::fs::read_dir(&results)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    assert_partial(&o, &written[0]);
}

#[test]
fn sigterm_stops_the_demo_and_keeps_the_partial_trial() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let store = dir.path().join("store");
    let child = spawn(&[
        "demo",
        "--duration",
        "30s",
        "--rate",
        "50",
        "--quiet",
        "--store-dir",
        store.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    // The demo starts its own target; its first trial is under way once the process has been
    // up for a moment (the signal handlers are installed first thing).
    let started = Instant::now();
    let o = terminate(child, || started.elapsed() > Duration::from_secs(3));
    assert_partial(&o, &out.join("http-get-1.json"));
}

/// Without `--results-dir`, an interrupted gate keeps the trials that had finished (and the
/// interrupted one) in the temporary directory instead of dropping them.
#[test]
fn sigterm_keeps_a_gates_finished_trials_without_a_results_dir() {
    let server = demo(DemoConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s.toml");
    std::fs::write(&s, LONG_RUN.replace("30s", "500ms")).unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_tailguard"))
        .args([
            "gate",
            s.to_str().unwrap(),
            "--baseline-target",
            &server.url(),
            "--candidate-target",
            &server.url(),
            "--trials",
            "20",
            "--quiet",
        ])
        .env("TMPDIR", &tmp)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // 25 calls a trial: past 60, two trials have finished and a third is under way.
    let o = terminate(child, served(&server, 60));
    assert_eq!(o.status.code(), Some(143), "{}", text(&o));
    let kept: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    let finished = kept
        .iter()
        .filter(|p| json(p)["cancelled"] != serde_json::Value::Bool(true))
        .count();
    assert!(finished >= 2, "{kept:?}\n{}", text(&o));
    assert!(text(&o).contains("the finished trial"), "{}", text(&o));
}
