//! `tailguard instructions`: gungraun's real output (copied from `cargo bench -p
//! tailguard-benches --bench instructions` with GUNGRAUN_SAVE_SUMMARY=json into
//! tests/data/gungraun), stored as main and gated: an unchanged rerun passes, a rerun with more
//! instructions fails at the 1 % default, a benchmark only on one side is new or removed, and
//! counts from another Valgrind version are refused, not failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{tailguard, text};
use tailguard::instructions::summary;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/gungraun")
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

/// Every file named `name` below `dir`.
fn files_named(dir: &Path, name: &str, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files_named(&p, name, out);
        } else if p.file_name().unwrap().to_str().unwrap().contains(name) {
            out.push(p);
        }
    }
}

/// Multiply the instruction count of the benchmark whose directory contains `which` by `factor`.
fn scale_ir(root: &Path, which: &str, factor: f64) {
    let mut found = Vec::new();
    files_named(root, "summary.json", &mut found);
    let path = found
        .iter()
        .find(|p| p.to_str().unwrap().contains(which))
        .unwrap();
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for profile in v["profiles"].as_array_mut().unwrap() {
        let new = &mut profile["data"]["total"]["metrics"]["Ir"]["values"]["new"];
        *new = serde_json::json!((new.as_f64().unwrap() * factor).round() as u64);
    }
    std::fs::write(path, serde_json::to_string(&v).unwrap()).unwrap();
}

#[test]
fn reads_the_real_summaries_with_valgrind_version_and_caches() {
    let benches = summary::read_dir(&data()).unwrap();
    let ids: Vec<&str> = benches.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "instructions::hot_paths::h1_exchange.keep_alive_200",
            "instructions::hot_paths::hdr_record.thousand",
            "instructions::hot_paths::line_protocol.points_100",
            "instructions::hot_paths::template_render.path_100",
        ]
    );
    for b in &benches {
        assert!(b.metrics["Ir"] > 1_000.0, "{}: {:?}", b.id, b.metrics);
        for m in [
            "EstimatedCycles",
            "I1mr",
            "D1mr",
            "DLmr",
            "L1hits",
            "LLhits",
            "RamHits",
        ] {
            assert!(
                b.metrics.contains_key(m),
                "{}: no {m} in {:?}",
                b.id,
                b.metrics
            );
        }
        assert!(b.valgrind.starts_with("3."), "{}", b.valgrind);
        assert!(b.caches.as_deref().unwrap().contains("LL cache"));
    }
}

#[test]
fn damaged_summaries_and_missing_callgrind_files_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("gungraun");
    copy_dir(&data(), &root);
    let mut found = Vec::new();
    files_named(&root, "summary.json", &mut found);
    std::fs::write(&found[0], r#"{"module_path": "x", "profiles": [{"tool""#).unwrap();
    let o = tailguard(&["instructions", "--dir", root.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains(found[0].to_str().unwrap()),
        "{}",
        text(&o)
    );

    copy_dir(&data(), &root);
    let mut outs = Vec::new();
    files_named(&root, ".out", &mut outs);
    std::fs::remove_file(&outs[0]).unwrap();
    let o = tailguard(&["instructions", "--dir", root.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("Valgrind version is unknown"),
        "{}",
        text(&o)
    );

    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let o = tailguard(&["instructions", "--dir", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("GUNGRAUN_SAVE_SUMMARY=json"),
        "{}",
        text(&o)
    );
}

#[test]
fn stored_main_gates_reruns_new_removed_and_valgrind_versions() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let s = store.to_str().unwrap();
    let main = dir.path().join("main");
    copy_dir(&data(), &main);
    // One benchmark only on main: removed in the PR.
    let mut extra = main.join("extra/only_on_main");
    copy_dir(
        &data().join("tailguard-benches/instructions/hot_paths/hdr_record.thousand"),
        &extra,
    );
    let summary = extra.join("summary.json");
    let text_of = std::fs::read_to_string(&summary).unwrap();
    std::fs::write(&summary, text_of.replace("hdr_record", "old_bench")).unwrap();
    extra.pop();
    let o = tailguard(&[
        "instructions",
        "--dir",
        main.to_str().unwrap(),
        "--save",
        "--branch",
        "main",
        "--commit",
        "abc",
        "--store-dir",
        s,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // Unchanged: pass, every benchmark compared, the removed one listed.
    let pr = dir.path().join("pr");
    copy_dir(&data(), &pr);
    let out = dir.path().join("verdict.json");
    let gate = |dir: &Path, extra: &[&str]| {
        let mut args = vec![
            "instructions",
            "--dir",
            dir.to_str().unwrap(),
            "--baseline",
            "store:main",
            "--store-dir",
            s,
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        tailguard(&args)
    };
    let o = gate(&pr, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["verdict"], "pass");
    assert_eq!(
        v["removed"][0],
        "instructions::hot_paths::old_bench.thousand"
    );
    assert!(
        text(&o).contains("removed (only in the baseline)"),
        "{}",
        text(&o)
    );

    // +0.5 % instructions passes the 1 % default; +3 % fails it, and passes at Ir=5%.
    scale_ir(&pr, "template_render", 1.005);
    assert_eq!(gate(&pr, &[]).status.code(), Some(0));
    scale_ir(&pr, "template_render", 1.03 / 1.005);
    let o = gate(&pr, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("FAIL (> +1.00%)"), "{}", text(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let failed: Vec<&serde_json::Value> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["failed"] == true)
        .collect();
    assert_eq!(failed.len(), 1, "{v}");
    assert_eq!(failed[0]["metric"], "Ir");
    let change = failed[0]["change"].as_f64().unwrap();
    assert!((change - 0.03).abs() < 1e-4, "{change}");
    assert_eq!(
        gate(&pr, &["--threshold", "instructions=5%"]).status.code(),
        Some(0)
    );
    let o = gate(&pr, &["--threshold", "Ir=lots"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--threshold"), "{}", text(&o));

    // A new benchmark is listed, not compared.
    copy_dir(
        &data().join("tailguard-benches/instructions/hot_paths/hdr_record.thousand"),
        &pr.join("x/brand_new"),
    );
    let s2 = pr.join("x/brand_new/summary.json");
    let t = std::fs::read_to_string(&s2).unwrap();
    std::fs::write(&s2, t.replace("hdr_record", "brand_new")).unwrap();
    let o = gate(&pr, &["--threshold", "Ir=5%"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains(
            "new (no baseline, not compared): instructions::hot_paths::brand_new.thousand"
        ),
        "{}",
        text(&o)
    );

    // Another Valgrind version: refused (exit 0 with a warning, 1 with --fail-on-refusal).
    let mut outs = Vec::new();
    files_named(&pr, ".out", &mut outs);
    for f in outs {
        let t = std::fs::read_to_string(&f).unwrap();
        std::fs::write(
            &f,
            t.replacen("creator: callgrind-3.", "creator: callgrind-9.", 1),
        )
        .unwrap();
    }
    let o = gate(&pr, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("NOT COMPARED"), "{}", text(&o));
    assert!(
        text(&o).contains("different Valgrind versions"),
        "{}",
        text(&o)
    );
    assert_eq!(gate(&pr, &["--fail-on-refusal"]).status.code(), Some(1));
}
