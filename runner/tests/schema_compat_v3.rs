//! Result files of schema version 3 (`tests/fixtures/schema-v3/`, written by tailguard before
//! schema 4, by `tests/fixtures/make-results.sh`) still load, merge and compare; and a micro-benchmark, which
//! version 3 dressed up as a load run (iterations as calls, percentiles of 0), now shows no
//! latency percentile anywhere: not in a verdict, a report or `baseline show`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use bench_core::result::RunResult;
use common::fixtures::{arg, compare, fixture, merge_shards, read_as_current};
use common::{json, tailguard, text};
use tailguard::store::file::encode;

fn v3(name: &str) -> PathBuf {
    fixture(3, name)
}

/// A file store holding `files` (fixture names) as `main`'s runs of their scenarios.
fn store_of(root: &Path, files: &[&str]) {
    for file in files {
        let scenario = json(&v3(file))["scenario"].as_str().unwrap().to_owned();
        let dir = root.join("main").join(encode(&scenario));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(v3(file), dir.join(file)).unwrap();
    }
}

#[test]
fn every_v3_fixture_reads_as_a_current_result() {
    read_as_current(
        3,
        &[
            ("load.json", "load"),
            ("load-2.json", "load"),
            ("shard-0.json", "load"),
            ("shard-1.json", "load"),
            ("merged.json", "load"),
            ("steps.json", "steps"),
            ("criterion.json", "micro"),
            ("instructions.json", "instructions"),
        ],
    );
    let steps = RunResult::read(&v3("steps.json")).unwrap();
    assert!(!steps.saturation().unwrap().steps.is_empty());
    assert!(steps.summary().unwrap().requests > 0);
}

#[test]
fn v3_shards_merge_into_the_v3_merged_run() {
    let dir = tempfile::tempdir().unwrap();
    merge_shards(3, &dir.path().join("merged.json"));
}

#[test]
fn a_stored_v3_instruction_run_is_the_baseline_of_the_instruction_gate() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    store_of(&store, &["instructions.json"]);
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/gungraun");
    let o = tailguard(&[
        "instructions",
        "--dir",
        arg(&data),
        "--baseline",
        "store:main",
        "--store-dir",
        arg(&store),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    // The counts stored in v3's `config.instructions` are read as the typed kind.
    let row = out
        .lines()
        .find(|l| l.contains("h1_exchange.keep_alive_200") && l.contains(" Ir "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(row.contains("5403") && row.contains("+0.000%"), "{row}");
}

#[test]
fn a_micro_benchmark_shows_no_latency_percentile_in_a_verdict_report_or_listing() {
    let dir = tempfile::tempdir().unwrap();
    let verdict = dir.path().join("v.json");
    let v = compare(3, ("criterion.json", "criterion.json"), &verdict);
    let s = &v["scenarios"][0];
    // Mean and median time per iteration, from the samples; no p99, no throughput.
    let metrics: Vec<String> = s["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["metric"].to_string())
        .collect();
    assert_eq!(metrics, [r#""mean""#, r#"{"quantile":0.5}"#]);
    let trial = &s["evidence"]["baseline"]["trials"][0];
    assert!(trial.get("p99_us").is_none(), "{trial}");
    assert_eq!(trial["iterations"], 19_149_600, "{trial}");
    assert!(s["evidence"]["baseline"].get("latency").is_none());

    let report = dir.path().join("r.md");
    let charts = dir.path().join("charts");
    let o = tailguard(&[
        "report",
        arg(&verdict),
        "--format",
        "markdown",
        "--out",
        arg(&report),
        "--charts",
        arg(&charts),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let md = std::fs::read_to_string(&report).unwrap();
    let row = md
        .lines()
        .find(|l| l.starts_with("| baseline | `"))
        .unwrap_or_else(|| panic!("{md}"));
    assert!(
        row.ends_with("| 19149600 iterations | – | – | – |"),
        "{row}"
    );

    let store = dir.path().join("store");
    store_of(&store, &["criterion.json"]);
    let o = tailguard(&[
        "baseline",
        "show",
        "criterion/checksum/100",
        "--store-dir",
        arg(&store),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let listed = text(&o);
    let line = listed
        .lines()
        .find(|l| l.contains("2026-11-30T08:55:10.378Z"))
        .unwrap_or_else(|| panic!("{listed}"));
    assert!(line.contains("(micro run: not applicable)"), "{line}");
    assert!(!line.contains("0µs") && !line.contains("0.0"), "{line}");
}
