//! The history end to end: commits of a demo target measured by the real engine and saved with
//! distinct commits and commit times, 12 at one delay then slower ones.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use tailguard_demo::{DemoConfig, DemoServer};

use super::{demo, tailguard, text};

/// Commits measured at the first delay; later ones are 20 % slower.
pub const FAST: u32 = 12;
/// The first delay (ms): long against the generator's own overhead on a busy 2-core machine
/// (a few ms), so the +20 % is the target's; p95 then varies about ±5 % from run to run.
pub const DELAY_MS: u64 = 50;
/// The slower delay (+20 %).
pub const SLOW_DELAY_MS: u64 = 60;

/// The demo target at `delay_ms` (1 ms of jitter).
pub fn target(delay_ms: u64) -> DemoServer {
    demo(DemoConfig {
        delay: Duration::from_millis(delay_ms),
        jitter: Duration::from_millis(1),
        ..DemoConfig::default()
    })
}

/// The scenario: a short open-model run on `/`.
pub fn scenario(dir: &Path) -> PathBuf {
    let path = dir.join("hist.toml");
    let text = r#"name = "hist"
target = "http://127.0.0.1:1"

[request]
path = "/"

[load]
rate = 400
duration = "1s"
warmup = "200ms"
connections = 64
"#;
    std::fs::write(&path, text).unwrap();
    path
}

/// Commit `i`'s hash.
pub fn sha(i: u32) -> String {
    format!("{:040x}", 0x00c0_ffee_0000_u64 + u64::from(i))
}

/// Measure commit `i` against `url` and save it on main through `store` flags.
pub fn save_commit(scenario: &Path, url: &str, i: u32, store: &[&str]) {
    let commit = sha(i);
    let time = (1_790_000_000 + u64::from(i) * 3600).to_string();
    let mut args = vec![
        "run",
        scenario.to_str().unwrap(),
        "--target",
        url,
        "--quiet",
        "--save",
        "--branch",
        "main",
        "--commit",
        &commit,
        "--commit-time",
        &time,
    ];
    args.extend_from_slice(store);
    let o = tailguard(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// The change points of `history.json` for `metric` of the whole scenario.
pub fn change_points<'a>(h: &'a serde_json::Value, metric: &str) -> Vec<&'a serde_json::Value> {
    h["change_points"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["metric"] == metric && c["request"].is_null())
        .collect()
}

/// The history names the first slower commit as the start of a +10..35 % regression of p50,
/// p95 within one commit of it (a loaded machine once put the split one commit early), and
/// nothing else; p99 (4 requests beyond it per run) names nothing else either, and its change
/// point, when it has one, is within one commit of it. On a machine loaded well past
/// its cores (load 10 on 2), p99 swung 56–89 ms within one stretch of commits, wider than the
/// +20 % step, so the p99 step is not significant there: that is the detector being right.
pub fn assert_names_the_first_slower_commit(h: &serde_json::Value) {
    for metric in ["p50", "p95", "p99"] {
        let values: Vec<f64> = h["series"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["metric"] == metric && s["request"].is_null())
            .flat_map(|s| s["points"].as_array().unwrap())
            .map(|p| (p["value"].as_f64().unwrap() / 100.0).round() / 10.0)
            .collect();
        eprintln!("{metric} by commit (ms): {values:?}");
        let cps = change_points(h, metric);
        if metric == "p99" && cps.is_empty() {
            continue;
        }
        assert_eq!(cps.len(), 1, "{metric}: {cps:?}");
        let c = cps[0];
        let at = c["index"].as_u64().unwrap();
        if metric != "p50" {
            assert!(at.abs_diff(u64::from(FAST)) <= 1, "{metric}: {c}");
        } else {
            assert_eq!(c["commit"], sha(FAST), "{metric}: {c}");
            assert_eq!(at, u64::from(FAST), "{metric}: {c}");
        }
        assert_eq!(c["regression"], true, "{c}");
        let change = c["change"].as_f64().unwrap();
        assert!((0.10..0.35).contains(&change), "{metric}: {c}");
        assert!(c["p_value"].as_f64().unwrap() <= 0.01, "{c}");
        assert!(c["run_id"].as_str().is_some_and(|r| !r.is_empty()), "{c}");
        assert!(c["time"].as_str().unwrap().starts_with("2026-"), "{c}");
    }
}
