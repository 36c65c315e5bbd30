//! Result files written by the previous schema version still load: `compare`, `report`, `merge`
//! and the file store (`baseline show`, `compare --baseline store:…`) read the fixtures in
//! `tests/fixtures/schema-v2/`, written by tailguard at schema version 2 (by
//! `tests/fixtures/make-results.sh`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use bench_core::result::RunResult;
use common::fixtures::{self, arg, fixture, merge_shards, read_as_current};
use common::{json, tailguard, text};

fn v2(name: &str) -> PathBuf {
    fixture(2, name)
}

/// `compare` of two v2 files: the verdict file it writes.
fn compare(baseline: &str, candidate: &str, out: &Path) -> serde_json::Value {
    fixtures::compare(2, (baseline, candidate), out)
}

#[test]
fn every_v2_fixture_reads_as_a_current_result() {
    read_as_current(
        2,
        &[
            ("load.json", "load"),
            ("load-2.json", "load"),
            ("shard-0.json", "load"),
            ("shard-1.json", "load"),
            ("merged.json", "load"),
            ("steps.json", "steps"),
            ("criterion.json", "micro"),
        ],
    );
    let steps = RunResult::read(&v2("steps.json")).unwrap();
    assert_eq!(steps.saturation().unwrap().steps.len(), 4);
    let micro = RunResult::read(&v2("criterion.json")).unwrap();
    assert!(!micro.iterations().unwrap().iters.is_empty());
}

#[test]
fn a_v2_load_run_is_compared_under_the_gate_policy_it_was_recorded_with() {
    let dir = tempfile::tempdir().unwrap();
    let v = compare("load.json", "load-2.json", &dir.path().join("v.json"));
    let s = &v["scenarios"][0];
    assert_eq!(s["scenario"], "mix");
    // The scenario's [gate]: threshold 15%, Welch, 90% confidence, p50/p99/error_rate gated.
    assert_eq!(s["settings"]["threshold"], 0.15);
    assert_eq!(s["settings"]["method"], "welch");
    assert_eq!(s["settings"]["confidence"], 0.9);
    let gated: Vec<String> = s["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["gated"] == true)
        .map(|m| m["metric"].to_string())
        .collect();
    assert_eq!(
        gated,
        [
            r#"{"quantile":0.5}"#,
            r#"{"quantile":0.99}"#,
            r#""error_rate""#
        ]
    );
    let requests: Vec<&str> = s["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["request"].as_str().unwrap())
        .collect();
    assert_eq!(requests, ["read", "write"]);
}

#[test]
fn a_v2_criterion_run_is_compared_on_mean_and_median_only() {
    let dir = tempfile::tempdir().unwrap();
    let v = compare(
        "criterion.json",
        "criterion.json",
        &dir.path().join("v.json"),
    );
    let s = &v["scenarios"][0];
    assert_eq!(s["scenario"], "criterion/checksum/100");
    let metrics: Vec<String> = s["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["metric"].to_string())
        .collect();
    assert_eq!(metrics, [r#""mean""#, r#"{"quantile":0.5}"#]);
    // One run a side: too few trials to conclude (a criterion run is one trial).
    assert_eq!(s["verdict"], "inconclusive", "{s}");
}

#[test]
fn a_v2_saturation_run_is_compared_on_its_capacity() {
    let dir = tempfile::tempdir().unwrap();
    let v = compare("steps.json", "steps.json", &dir.path().join("v.json"));
    let capacity = &v["scenarios"][0]["capacity"];
    let stored = json(&v2("steps.json"))["saturation"]["analysis"]["capacity_rps"].clone();
    assert!(stored.as_f64().unwrap() > 0.0);
    assert_eq!(capacity["baseline_rps"], stored, "{capacity}");
}

#[test]
fn v2_shards_merge_into_the_v2_merged_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("merged.json");
    let merged = merge_shards(2, &out);
    // The v2 shards' `config.gate` is the merged run's typed policy, written as `gate`.
    assert_eq!(merged.meta.gate.threshold, Some(0.15));
    assert_eq!(json(&out)["gate"]["method"], "welch");
}

#[test]
fn a_v2_verdict_renders_as_markdown_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let verdict = v2("verdict.json");
    for (format, needle) in [("markdown", "mix"), ("html", "<html")] {
        let out = dir.path().join(format!("report.{format}"));
        let charts = dir.path().join(format!("charts-{format}"));
        let o = tailguard(&[
            "report",
            arg(&verdict),
            "--format",
            format,
            "--out",
            arg(&out),
            "--charts",
            arg(&charts),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let report = std::fs::read_to_string(&out).unwrap();
        assert!(report.contains(needle), "{report}");
        assert!(report.to_lowercase().contains("inconclusive"), "{report}");
    }
}

/// A file store holding the v2 runs as `main`'s, as an older tailguard saved them.
fn v2_store(root: &Path) {
    for (scenario, file) in [
        ("mix", "load.json"),
        ("mix", "load-2.json"),
        ("pool", "steps.json"),
        ("criterion%2Fchecksum%2F100", "criterion.json"),
    ] {
        let dir = root.join("main").join(scenario);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(v2(file), dir.join(file)).unwrap();
    }
}

#[test]
fn a_store_of_v2_runs_is_listed_shown_and_compared_against() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    v2_store(&store);
    let o = tailguard(&["baseline", "show", "mix", "--store-dir", arg(&store)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let shown = text(&o);
    for file in ["load.json", "load-2.json"] {
        let started = json(&v2(file))["started_at"].as_str().unwrap().to_owned();
        assert!(shown.contains(&started), "{started}: {shown}");
    }
    let o = tailguard(&["baseline", "list", "--store-dir", arg(&store)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    for id in ["v2-load", "pool", "criterion/checksum/100"] {
        assert!(text(&o).contains(id), "{id}: {}", text(&o));
    }
    let out = dir.path().join("v.json");
    let candidate = v2("merged.json");
    let o = tailguard(&[
        "compare",
        "--baseline",
        "store:main",
        "--store-dir",
        arg(&store),
        "--candidate",
        arg(&candidate),
        "--out",
        arg(&out),
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    let v = json(&out);
    assert_eq!(
        v["scenarios"][0]["baseline_runs"].as_array().unwrap().len(),
        2
    );
    assert_eq!(v["scenarios"][0]["settings"]["threshold"], 0.15);
}
