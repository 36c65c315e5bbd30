//! Result files of schema version 3 (`tests/fixtures/schema-v3/`, written by tailguard before
//! schema 4; see its `make.sh`) still load, merge and compare; and a micro-benchmark, which
//! version 3 dressed up as a load run (iterations as calls, percentiles of 0), now shows no
//! latency percentile anywhere: not in a verdict, a report or `baseline show`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use bench_core::result::{RunResult, SCHEMA_VERSION};
use common::{json, tailguard, text};
use tailguard::store::file::encode;

fn v3(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/schema-v3/{name}"))
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
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
    for (name, kind) in [
        ("load.json", "load"),
        ("load-2.json", "load"),
        ("shard-0.json", "load"),
        ("shard-1.json", "load"),
        ("merged.json", "load"),
        ("steps.json", "steps"),
        ("criterion.json", "micro"),
        ("instructions.json", "instructions"),
    ] {
        let text = std::fs::read_to_string(v3(name)).unwrap();
        assert_eq!(json(&v3(name))["schema_version"], 3, "{name} is a v3 file");
        let run = RunResult::from_json(&text, name).unwrap();
        assert_eq!(run.schema_version, SCHEMA_VERSION, "{name}");
        assert_eq!(run.kind.name(), kind, "{name}");
        let measured = matches!(kind, "load" | "steps");
        assert_eq!(run.measurement().is_some(), measured, "{name}");
        // Written again, it is a current file that reads back the same.
        let again = RunResult::from_json(&run.to_json().unwrap(), name).unwrap();
        assert_eq!(again, run, "{name}");
        let written = serde_json::to_value(&run).unwrap();
        assert_eq!(written["kind"], kind);
        assert_eq!(written.get("summary").is_some(), measured, "{name}");
    }
    let steps = RunResult::read(&v3("steps.json")).unwrap();
    assert!(!steps.saturation().unwrap().steps.is_empty());
    assert!(steps.summary().unwrap().requests > 0);
}

#[test]
fn v3_shards_merge_into_the_v3_merged_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("merged.json");
    let (a, b) = (v3("shard-0.json"), v3("shard-1.json"));
    let o = tailguard(&["merge", arg(&a), arg(&b), "--out", arg(&out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let merged = RunResult::read(&out).unwrap();
    let old = RunResult::read(&v3("merged.json")).unwrap();
    assert_eq!(merged.meta.run_id, "v3-shards");
    assert_eq!(merged.meta.shard, None);
    assert_eq!(merged.measurement(), old.measurement());
    assert!(merged.summary().unwrap().requests > 0);
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
    let run = v3("criterion.json");
    let verdict = dir.path().join("v.json");
    let o = tailguard(&[
        "compare",
        "--baseline",
        arg(&run),
        "--candidate",
        arg(&run),
        "--out",
        arg(&verdict),
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    let v = json(&verdict);
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
