//! `tailguard criterion`: parsing criterion's real output files (copied from a run of the
//! fixture crate into tests/data/criterion) and cargo-criterion's JSON messages (the documented
//! message shape, filled with the same real samples); then the whole PR loop on the fixture
//! crate (`tests/fixtures/criterion-fixture`): real `cargo bench` runs, stored as main, an
//! unchanged rerun that must not fail and a slowdown (feature `slow`) that must.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{tailguard, text};
use tailguard::criterion::{files, messages};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/criterion")
}

#[test]
fn reads_criterion_output_directories() {
    let benches = files::read_dir(&data().join("target-criterion"), "new").unwrap();
    let ids: Vec<&str> = benches.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["checksum/100", "checksum_1k"]);
    for b in &benches {
        assert_eq!(b.samples.iters.len(), 100);
        let per_iter = b.samples.per_iteration_ns();
        let mean = per_iter.iter().sum::<f64>() / per_iter.len() as f64;
        // criterion's own mean estimate is the mean of the samples' per-iteration times.
        let (est_mean, _) = b.estimates.unwrap();
        assert!((mean / est_mean - 1.0).abs() < 1e-9, "{mean} vs {est_mean}");
    }
    assert!(files::read_dir(&data().join("target-criterion"), "base")
        .unwrap()
        .is_empty());
}

#[test]
fn reads_cargo_criterion_messages_with_the_same_samples() {
    let path = data().join("cargo-criterion.jsonl");
    let from_messages = messages::parse(&std::fs::read_to_string(&path).unwrap(), &path).unwrap();
    let from_files = files::read_dir(&data().join("target-criterion"), "new").unwrap();
    assert_eq!(from_messages.len(), 2);
    for (m, f) in from_messages.iter().zip(&from_files) {
        assert_eq!(m.id, f.id);
        assert_eq!(m.samples, f.samples);
        assert!(m.source.ends_with(".jsonl:1") || m.source.ends_with(".jsonl:3"));
    }
}

#[test]
fn a_corrupt_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("criterion");
    copy_dir(&data().join("target-criterion"), &root);
    let sample = root.join("checksum_1k/new/sample.json");
    std::fs::write(&sample, r#"{"sampling_mode":"Linear","iters":[1.0,2.0"#).unwrap();
    let o = tailguard(&["criterion", "--dir", root.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("checksum_1k/new/sample.json"),
        "{}",
        text(&o)
    );

    let lines = dir.path().join("messages.jsonl");
    std::fs::write(
        &lines,
        "{\"reason\":\"group-complete\"}\n{\"reason\":\"benchmark-complete\",\"id\":\"x\",\"iteration_count\":[1],\"measured_values\":[5],\"unit\":\"furlongs\"}\n",
    )
    .unwrap();
    let o = tailguard(&["criterion", "--messages", lines.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let t = text(&o);
    assert!(t.contains("messages.jsonl:2") && t.contains("unit"), "{t}");

    let o = tailguard(&[
        "criterion",
        "--dir",
        dir.path().join("nope").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("cargo bench"), "{}", text(&o));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// `cargo bench` of the fixture crate, results into `home` (criterion's CRITERION_HOME), in a
/// target directory of its own so it never waits for the one `cargo test` is using.
fn cargo_bench(home: &Path, slow: bool, bench_args: &[&str]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let target = root.join("target/criterion-fixture");
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(root)
        .args([
            "bench",
            "--locked",
            "-p",
            "criterion-fixture",
            "--bench",
            "fixture",
        ])
        .env("CARGO_TARGET_DIR", &target)
        .env("CRITERION_HOME", home);
    if slow {
        cmd.args(["--features", "slow"]);
    }
    cmd.arg("--").args(bench_args);
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "cargo bench failed: {}", text(&o));
}

/// Interleaved named runs of each side (main-i / pr-i), short measurement times.
fn interleaved_runs(home: &Path, slow: bool, runs: usize) {
    let short = ["--warm-up-time", "0.2", "--measurement-time", "0.4"];
    for i in 1..=runs {
        let sides = if i % 2 == 1 {
            [false, true]
        } else {
            [true, false]
        };
        for pr in sides {
            let name = if pr {
                format!("pr-{i}")
            } else {
                format!("main-{i}")
            };
            let mut args = vec!["--save-baseline", &name];
            args.extend(short);
            cargo_bench(home, pr && slow, &args);
        }
    }
}

/// The verdicts compare three runs a side of a few hundred milliseconds each, which a loaded
/// machine can spoil (an unchanged benchmark once read +49 %): each verdict is a statistical
/// claim, measured again once when it does not hold ([`common::statistical`]); what does not
/// depend on timing is asserted outright.
#[test]
fn a_slowdown_fails_the_gate_and_an_unchanged_rerun_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("criterion");
    let store = dir.path().join("store");
    let crit = |extra: &[&str]| {
        let mut args = vec![
            "criterion",
            "--dir",
            home.to_str().unwrap(),
            "--store-dir",
            store.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        tailguard(&args)
    };
    let (mains, prs) = ("main-1,main-2,main-3", "pr-1,pr-2,pr-3");

    // An unchanged PR, three interleaved runs a side: never a failure.
    let unchanged = dir.path().join("unchanged.json");
    common::statistical("unchanged rerun", |_| {
        interleaved_runs(&home, false, 3);
        let o = crit(&[
            "--which",
            prs,
            "--baseline-which",
            mains,
            "--out",
            unchanged.to_str().unwrap(),
        ]);
        assert!(
            text(&o).contains("3 criterion benchmark(s) in 3 run(s)"),
            "{}",
            text(&o)
        );
        common::check(o.status.code() == Some(0), || text(&o))
    });
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&unchanged).unwrap()).unwrap();
    assert_ne!(v["verdict"], "fail", "{v}");
    assert_eq!(v["scenarios"].as_array().unwrap().len(), 3);
    for s in v["scenarios"].as_array().unwrap() {
        let metrics: Vec<String> = s["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["metric"].to_string())
            .collect();
        assert_eq!(metrics, [r#""mean""#, r#"{"quantile":0.5}"#], "{s}");
        // One run, one trial; paired because the runs were interleaved.
        assert_eq!(s["metrics"][0]["baseline_trials"], 3, "{s}");
        assert_eq!(s["metrics"][0]["method"], "paired", "{s}");
    }
    // One run a side is no run-to-run evidence: inconclusive, never a pass.
    let o = crit(&["--which", "pr-1", "--baseline-which", "main-1"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("at least 3 needed"), "{}", text(&o));

    // main's runs stored; a PR that triples the work, plus one benchmark gone and one new.
    let o = crit(&[
        "--which", mains, "--save", "--branch", "main", "--commit", "aaa",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    common::statistical("slowdown", |_| {
        slowdown_fails(&home, &dir.path().join("slow.json"), &crit)
    });
}

/// Three interleaved runs a side, the PR's tripling the work, `checksum/100` removed and
/// `brand_new` added on the PR's side; compared with the stored main and with the named runs.
fn slowdown_fails(
    home: &Path,
    slow: &Path,
    crit: &dyn Fn(&[&str]) -> std::process::Output,
) -> Result<(), String> {
    let (mains, prs) = ("main-1,main-2,main-3", "pr-1,pr-2,pr-3");
    interleaved_runs(home, true, 3);
    for i in 1..=3 {
        std::fs::remove_dir_all(home.join(format!("checksum/100/pr-{i}"))).unwrap();
        let meta = home.join(format!("brand_new/pr-{i}/benchmark.json"));
        copy_dir(
            &home.join(format!("checksum_1k/pr-{i}")),
            meta.parent().unwrap(),
        );
        let text_meta = std::fs::read_to_string(&meta)
            .unwrap()
            .replace("checksum_1k", "brand_new");
        std::fs::write(&meta, text_meta).unwrap();
    }
    let o = crit(&[
        "--which",
        prs,
        "--baseline",
        "store:main",
        "--out",
        slow.to_str().unwrap(),
    ]);
    let t = text(&o);
    assert!(
        t.contains("new (no baseline, not compared): brand_new"),
        "{t}"
    );
    assert!(
        t.contains("removed (only in the baseline): checksum/100"),
        "{t}"
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(slow).unwrap()).unwrap();
    assert_eq!(v["new"][0], "brand_new");
    assert_eq!(v["removed"][0], "checksum/100");
    common::check(o.status.code() == Some(1), || {
        format!("exit {:?}: {t}", o.status.code())
    })?;
    common::check(v["verdict"] == "fail", || format!("{v}"))?;
    for s in v["scenarios"].as_array().unwrap() {
        common::check(s["verdict"] == "fail", || format!("{s}"))?;
        let change = s["metrics"][0]["change"].as_f64();
        common::check(change.is_some_and(|c| c > 0.5), || {
            format!("3× the work: {s}")
        })?;
    }
    // The interleaved named runs in the same directory also fail.
    let o = crit(&["--which", prs, "--baseline-which", mains]);
    common::check(o.status.code() == Some(1), || text(&o))
}
