//! Stored baselines that respect history (`history/window.rs`, `history/stored.rs`): only the
//! stable segment after the last change point, only runs of the candidate's environment and
//! configuration (or an explicit, reported override), and a prediction interval from the
//! segment's run-to-run spread.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bench_core::result::RunResult;
use common::verdicts::run;
use common::{tailguard, text};
use tailguard::history::series::HistoryMetric;
use tailguard::history::window::{select, WindowPolicy};
use tailguard::history::Detector;
use tailguard::store::file::FileStore;
use tailguard::store::{BranchName, Store};

/// Commit `i` of main: one run at `scale`, its own commit and commit time.
fn commit(i: u32, scale: f64) -> RunResult {
    let mut r = run("svc", "main", i, scale, 3);
    r.meta.run_id = format!("run-{i:02}");
    r.meta.environment.git_commit = Some(format!("{i:040x}"));
    r.meta.environment.git_commit_time = Some(format!("2026-11-{:02}T10:00:00Z", 1 + i));
    r.started_at = format!("2026-11-{:02}T12:00:00.000Z", 1 + i);
    r
}

/// ±6 % run-to-run noise, deterministic.
const NOISE: [f64; 10] = [1.0, 1.08, 0.93, 1.05, 0.95, 1.1, 0.92, 1.02, 0.97, 1.06];

fn policy(allow_mismatch: bool) -> WindowPolicy {
    WindowPolicy {
        max_runs: 5,
        metrics: vec![HistoryMetric::P95, HistoryMetric::P99],
        detector: Detector::default(),
        allow_mismatch,
    }
}

#[test]
fn only_the_runs_after_the_last_change_point_are_the_baseline() {
    // 10 commits at one level, then 12 at +30 %.
    let stored: Vec<RunResult> = (0..22)
        .map(|i| commit(i, NOISE[i as usize % 10] * if i < 10 { 1.0 } else { 1.3 }))
        .collect();
    let candidate = commit(30, 1.3);
    let (runs, w) = select(stored, &candidate.meta, &policy(false)).unwrap();
    let ids: Vec<&str> = runs.iter().map(|r| r.meta.run_id.as_str()).collect();
    assert_eq!(ids, ["run-17", "run-18", "run-19", "run-20", "run-21"]);
    assert_eq!(
        w.since_commit.as_deref(),
        Some(format!("{:040x}", 10).as_str())
    );
    assert!(
        w.reason.contains("since the last change point"),
        "{}",
        w.reason
    );
    assert!(
        w.reason.contains("the 10 earlier commit(s)"),
        "{}",
        w.reason
    );
    // The spread is measured per commit over the 12-commit stable segment only.
    let p95 = w
        .noise
        .iter()
        .find(|n| n.metric == HistoryMetric::P95)
        .unwrap();
    assert!(p95.per_commit && p95.values == 12, "{p95:?}");
    assert!((0.03..0.10).contains(&p95.sd_log), "{p95:?}");
}

#[test]
fn another_environment_is_refused_unless_overridden_and_then_reported() {
    let stored: Vec<RunResult> = (0..8).map(|i| commit(i, NOISE[i as usize])).collect();
    let mut candidate = commit(9, 1.0);
    candidate.meta.environment.cores = 8;
    candidate.meta.environment.cpu_model = Some("Other CPU".into());
    let err = select(stored.clone(), &candidate.meta, &policy(false)).unwrap_err();
    let msg = err.to_string();
    for want in [
        "cores 4 ≠ 8",
        "CPU",
        "--allow-env-mismatch",
        "none of the 8 stored runs",
    ] {
        assert!(msg.contains(want), "{want:?} in {msg}");
    }
    let (runs, w) = select(stored.clone(), &candidate.meta, &policy(true)).unwrap();
    assert_eq!(runs.len(), 5);
    assert_eq!(w.mismatched_used, 8);
    assert!(
        w.reason.contains("OVERRIDE (--allow-env-mismatch)"),
        "{}",
        w.reason
    );

    // A changed scenario configuration is a mismatch too; matching runs are kept, the others
    // left out and counted.
    let mut mixed = stored;
    for r in &mut mixed[..3] {
        r.meta.config["load"]["rate"] = serde_json::json!(999);
    }
    let (runs, w) = select(mixed, &commit(9, 1.0).meta, &policy(false)).unwrap();
    assert_eq!(runs.len(), 5);
    assert!(runs.iter().all(|r| r.meta.config["load"]["rate"] != 999));
    assert_eq!(w.mismatched_left_out, 3);
    assert!(w.reason.contains("left out 3 run(s)"), "{}", w.reason);
}

/// `compare --baseline store:main`: a +12 % candidate whose trials agree closely is a fail
/// against the last 5 runs' spread alone, but main moves ±6 % from commit to commit, so the
/// prediction interval says it cannot tell; the verdict says which runs and why.
#[test]
fn compare_with_the_store_uses_the_run_to_run_spread() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("store"));
    let main = BranchName::new("main").unwrap();
    for i in 0..10 {
        store.save(&main, &commit(i, NOISE[i as usize])).unwrap();
    }
    let mut files = Vec::new();
    for t in 0..3 {
        let mut c = commit(20 + t, 1.13 * (1.0 + 0.002 * f64::from(t)));
        c.meta.run_id = format!("cand-{t}");
        let p = dir.path().join(format!("c{t}.json"));
        std::fs::write(&p, c.to_json().unwrap()).unwrap();
        files.push(p.display().to_string());
    }
    let out = dir.path().join("verdict.json");
    let store_dir = dir.path().join("store").display().to_string();
    let mut args = vec![
        "compare",
        "--baseline",
        "store:main",
        "--store-dir",
        &store_dir,
    ];
    args.extend([
        "--metrics",
        "p95",
        "--out",
        out.to_str().unwrap(),
        "--candidate",
    ]);
    args.extend(files.iter().map(String::as_str));
    let o = tailguard(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("no change point in the 10 stored commit(s)"),
        "{}",
        text(&o)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let s = &v["scenarios"][0];
    assert_eq!(s["verdict"], "inconclusive", "{s}");
    let p95 = s["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"]["quantile"] == 0.95)
        .unwrap();
    assert!(
        p95["reason"]
            .as_str()
            .unwrap()
            .contains("run-to-run spread"),
        "{p95}"
    );
    assert!(p95["ci_low"].as_f64().unwrap() < 0.0, "{p95}");
    assert_eq!(s["baseline_window"]["run_ids"].as_array().unwrap().len(), 5);
}
