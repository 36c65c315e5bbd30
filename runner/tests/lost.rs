//! A result is never lost: `--out` is written before any store is touched, a store or spool
//! failure afterwards exits 2 naming where the result is, and with nowhere configured that works
//! the run still leaves its JSON in the temporary directory. `baseline prune --keep 0` wants
//! `--yes`. Loads go to a demo target on loopback; the failing store is a file store whose branch
//! directory cannot be made (the checks before the load pass, the save fails).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{demo, json, run_out, tailguard, text};
use tailguard_demo::DemoConfig;

const SCENARIO: &str = r#"name = "lost"
target = "http://127.0.0.1:1"

[request]
path = "/"

[load]
rate = 50
duration = "500ms"
connections = 2
"#;

fn scenario(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("s.toml");
    std::fs::write(&path, SCENARIO).unwrap();
    path
}

/// A file store that passes the checks before the load (the directory exists and is writable)
/// but cannot take a run of branch `main`: `main` is a regular file, so no directory can be
/// created below it, even by root.
fn unwritable(dir: &Path) -> std::path::PathBuf {
    let store = dir.join("store");
    std::fs::create_dir(&store).unwrap();
    std::fs::write(store.join("main"), "").unwrap();
    store
}

#[test]
fn a_failing_store_exits_2_but_the_out_file_stands() {
    let server = demo(DemoConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let store = unwritable(dir.path());
    let o = run_out(
        &scenario(dir.path()),
        &server.url(),
        &out,
        &[
            "--save",
            "--branch",
            "main",
            "--store-dir",
            store.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("the run was not stored"), "{stderr}");
    assert!(
        stderr.contains(&format!("the result is kept in {}", out.display())),
        "{stderr}"
    );
    let v = json(&out);
    assert_eq!(v["summary"]["requests"], 25);
    assert_eq!(
        v["environment"]["git_branch"], "main",
        "stamped before it was written"
    );
}

#[test]
fn with_no_out_and_a_failing_store_the_json_lands_in_the_temp_dir() {
    let server = demo(DemoConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let store = unwritable(dir.path());
    let o: Output = Command::new(env!("CARGO_BIN_EXE_tailguard"))
        .args([
            "run",
            scenario(dir.path()).to_str().unwrap(),
            "--target",
            &server.url(),
            "--quiet",
            "--save",
            "--branch",
            "main",
            "--store-dir",
            store.to_str().unwrap(),
        ])
        .env("TMPDIR", &tmp)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let kept: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}\n{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(&format!("the result is kept in {}", kept[0].display())),
        "{stderr}"
    );
    assert!(stderr.contains("the run was not stored"), "{stderr}");
    assert_eq!(json(&kept[0])["summary"]["requests"], 25);
}

#[test]
fn prune_keep_0_wants_yes_and_dry_run_only_lists() {
    let server = demo(DemoConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let s = scenario(dir.path());
    let save = [
        "--save",
        "--branch",
        "main",
        "--store-dir",
        store.to_str().unwrap(),
    ];
    for i in 0..2 {
        let out = dir.path().join(format!("r{i}.json"));
        let o = run_out(&s, &server.url(), &out, &save);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    let stored = || std::fs::read_dir(store.join("main/lost")).map_or(0, |d| d.count());
    assert_eq!(stored(), 2);
    let prune = |extra: &[&str]| {
        let mut args = vec![
            "baseline",
            "prune",
            "--keep",
            "0",
            "--store-dir",
            store.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        tailguard(&args)
    };

    let o = prune(&[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("--yes") && text(&o).contains("2 in"),
        "{}",
        text(&o)
    );
    assert_eq!(stored(), 2, "nothing deleted without --yes");

    let o = prune(&["--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(stdout.matches("would delete").count(), 2, "{stdout}");
    assert_eq!(stored(), 2, "a dry run deletes nothing");

    let o = prune(&["--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("deleted 2 runs"), "{}", text(&o));
    assert_eq!(stored(), 0);
}
