//! `tailguard gate --baseline-cmd/--candidate-cmd`: the gate starts both services itself (a
//! Python HTTP service on loopback, tests/fixtures/cpu_service.py), measures their CPU per
//! request, peak RSS and context switches in every trial, gates CPU per request by default, keeps
//! their logs and stops them at the end. The candidate burns 0.5 ms more CPU per request behind a
//! 20 ms sleep: p99 moves by a few percent, CPU per request by far more than 10 %.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use common::{tailguard, text};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn service_cmd(port: u16, work_ms: f64) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cpu_service.py");
    format!("exec python3 {} {port} 20 {work_ms}", script.display())
}

fn scenario(dir: &Path) -> PathBuf {
    let path = dir.join("service.toml");
    let text = r#"name = "service-cpu"
target = "http://127.0.0.1:1"

[request]
path = "/"

[load]
rate = 80
duration = "3s"
warmup = "300ms"
connections = 16
"#;
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn the_gate_starts_measures_and_stops_both_services_and_catches_cpu_per_request() {
    let dir = tempfile::tempdir().unwrap();
    let (bp, cp) = (free_port(), free_port());
    let logs = dir.path().join("logs");
    let results = dir.path().join("results");
    let out = dir.path().join("verdict.json");
    let s = scenario(dir.path());
    let o = tailguard(&[
        "gate",
        s.to_str().unwrap(),
        "--baseline-target",
        &format!("http://127.0.0.1:{bp}"),
        "--candidate-target",
        &format!("http://127.0.0.1:{cp}"),
        "--baseline-cmd",
        &service_cmd(bp, 0.0),
        "--candidate-cmd",
        &service_cmd(cp, 0.5),
        "--service-logs",
        logs.to_str().unwrap(),
        "--results-dir",
        results.to_str().unwrap(),
        "--trials",
        "3",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let metrics = v["scenarios"][0]["metrics"].as_array().unwrap();
    let row = |name: serde_json::Value| {
        metrics
            .iter()
            .find(|m| m["metric"] == name)
            .unwrap_or_else(|| panic!("no {name} in {metrics:?}"))
    };
    let cpu = row(serde_json::json!("cpu_per_request"));
    assert_eq!(cpu["gated"], true, "{cpu}");
    assert_eq!(cpu["verdict"], "fail", "{cpu}");
    assert!(cpu["change"].as_f64().unwrap() > 0.3, "{cpu}");
    let p99 = row(serde_json::json!({ "quantile": 0.99 }));
    eprintln!(
        "p99 change {}, cpu/request change {}",
        p99["change"], cpu["change"]
    );
    assert!(text(&o).contains("µs CPU"), "{}", text(&o));

    // Every trial stored what its service spent.
    for side in ["baseline", "candidate"] {
        for i in 1..=3 {
            let f = results.join(format!("service-cpu-{side}-{i}.json"));
            let run: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
            let svc = &run["service"];
            assert!(svc["cpu_us"].as_u64().unwrap() > 0, "{f:?}: {svc}");
            assert!(svc["cpu_us_per_request"].as_f64().unwrap() > 0.0, "{svc}");
            assert!(svc["peak_rss_kib"].as_u64().unwrap() > 1_000, "{svc}");
            assert!(svc["voluntary_switches"].as_u64().unwrap() > 0, "{svc}");
        }
        // Logs kept; services stopped (nothing listens any more).
        let log = std::fs::read_to_string(logs.join(format!("{side}.log"))).unwrap();
        assert!(log.contains("listening on 127.0.0.1:"), "{log}");
    }
    for port in [bp, cp] {
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    }
}

#[test]
fn a_service_that_exits_before_it_is_ready_is_an_error_with_its_log() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(dir.path());
    let port = free_port();
    let o = tailguard(&[
        "gate",
        s.to_str().unwrap(),
        "--baseline-target",
        &format!("http://127.0.0.1:{port}"),
        "--baseline-cmd",
        "echo cannot bind; exit 3",
        "--candidate-target",
        &format!("http://127.0.0.1:{}", free_port()),
        "--service-logs",
        dir.path().join("logs").to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("the baseline service exited"),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("cannot bind"), "{}", text(&o));
}

/// Both services answer every GET with 503 for their first 1.5 s: with `--ready-path` the gate
/// waits for a 2xx, so no trial sees one of those errors; a service that stays unhealthy is an
/// error naming the probe and what it last saw.
#[test]
fn a_ready_path_waits_for_a_2xx_and_a_service_that_never_answers_one_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("short.toml");
    let short = std::fs::read_to_string(scenario(dir.path()))
        .unwrap()
        .replace("duration = \"3s\"", "duration = \"1s\"");
    std::fs::write(&path, short).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cpu_service.py");
    let warming = |port: u16, ready_ms: u32| {
        format!("exec python3 {} {port} 1 0 {ready_ms}", script.display())
    };
    let gate = |bp: u16, cp: u16, ready_ms: u32, results: &Path| {
        tailguard(&[
            "gate",
            path.to_str().unwrap(),
            "--baseline-target",
            &format!("http://127.0.0.1:{bp}"),
            "--candidate-target",
            &format!("http://127.0.0.1:{cp}"),
            "--baseline-cmd",
            &warming(bp, ready_ms),
            "--candidate-cmd",
            &warming(cp, ready_ms),
            "--ready-path",
            "/health",
            "--ready-timeout",
            "4s",
            "--service-logs",
            dir.path().join("logs").to_str().unwrap(),
            "--results-dir",
            results.to_str().unwrap(),
            "--trials",
            "2",
            "--max-trials",
            "2",
            "--quiet",
        ])
    };
    let results = dir.path().join("results");
    let o = gate(free_port(), free_port(), 1500, &results);
    assert_ne!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("answering 2xx"), "{}", text(&o));
    let mut runs = 0;
    for entry in std::fs::read_dir(&results).unwrap() {
        let run: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        assert!(run["summary"]["requests"].as_u64().unwrap() > 0, "{run}");
        assert_eq!(run["summary"]["errors"], 0, "{run}");
        runs += 1;
    }
    assert_eq!(runs, 4);

    let (bp, cp) = (free_port(), free_port());
    let o = gate(bp, cp, 600_000, &dir.path().join("never"));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let want = format!("GET http://127.0.0.1:{bp}/health answered 503");
    assert!(text(&o).contains("was not ready"), "{}", text(&o));
    assert!(text(&o).contains(&want), "{want} in {}", text(&o));
    for port in [bp, cp] {
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    }
}
