//! Beyond one machine: 4 shards as local processes against the demo target, merged, against one
//! unsharded run of the same schedule; `--start-at`; `merge` refusing what is not one run; the
//! Kubernetes manifests checked by kubernetes-validate (`.ci/run` installs it from PyPI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use bench_core::result::{rfc3339, RunResult};
use common::{demo, tailguard, text};
use tailguard_demo::DemoConfig;

const SCENARIO: &str = r#"
name = "sharded"
protocol = "http"
target = "http://127.0.0.1:1"

[request]
path = "/"

[load]
rate = 4000
duration = "3s"
warmup = "0s"
connections = 32
"#;

fn started(r: &RunResult) -> SystemTime {
    humantime::parse_rfc3339(&r.started_at).unwrap()
}

/// The shard test measures latency with five load processes on the machine's cores; the
/// manifest test starts Python's kubernetes-validate, whose start-up would steal those cores and
/// show as p99. One at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn four_shards_merge_into_the_unsharded_run() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let server = demo(DemoConfig {
        delay: Duration::from_millis(2),
        threads: 2,
        ..DemoConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();

    // One unsharded run of the whole schedule.
    let single = common::run_to_json(&scenario, &server.url(), &dir.path().join("single.json"));

    // Four shard processes, one run id, one start time.
    let start_at = rfc3339(SystemTime::now() + Duration::from_secs(2));
    let outs: Vec<PathBuf> = (0..4)
        .map(|i| dir.path().join(format!("shard-{i}.json")))
        .collect();
    let children: Vec<_> = outs
        .iter()
        .enumerate()
        .map(|(i, out)| {
            Command::new(env!("CARGO_BIN_EXE_tailguard"))
                .args(["run", scenario.to_str().unwrap(), "--target", &server.url()])
                .args(["--shard", &format!("{i}/4"), "--run-id", "run-42"])
                .args([
                    "--start-at",
                    &start_at,
                    "--quiet",
                    "--out",
                    out.to_str().unwrap(),
                ])
                .args(["--save", "--branch", "main", "--store-dir"])
                .arg(dir.path().join("store"))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", text(&o));
    }
    let shards: Vec<RunResult> = outs.iter().map(|p| RunResult::read(p).unwrap()).collect();
    for (i, s) in shards.iter().enumerate() {
        let shard = s.meta.shard.unwrap();
        assert_eq!(
            (shard.index, shard.count, s.meta.run_id.as_str()),
            (i, 4, "run-42")
        );
        assert_eq!(
            s.measurement().unwrap().summary.requests,
            3_000,
            "each shard sends a quarter"
        );
    }
    // They started together.
    let starts: Vec<SystemTime> = shards.iter().map(started).collect();
    let first = *starts.iter().min().unwrap();
    let last = *starts.iter().max().unwrap();
    let spread = last.duration_since(first).unwrap();
    assert!(
        spread <= Duration::from_millis(50),
        "shards started {spread:?} apart"
    );
    let wanted = humantime::parse_rfc3339(&start_at).unwrap();
    let late = first.duration_since(wanted).unwrap_or_default();
    assert!(
        late < Duration::from_millis(50),
        "started {late:?} after --start-at"
    );

    let merged_path = dir.path().join("merged.json");
    let mut args = vec!["merge".to_owned()];
    args.extend(outs.iter().map(|p| p.display().to_string()));
    args.extend(["--out".into(), merged_path.display().to_string()]);
    let o = tailguard(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let merged = RunResult::read(&merged_path).unwrap();
    let (m, s) = (
        &merged.measurement().unwrap().summary,
        &single.measurement().unwrap().summary,
    );
    let within = |a: f64, b: f64, tol: f64| (a / b - 1.0).abs() <= tol;
    assert_eq!(merged.meta.shard, None);
    assert!(
        within(m.requests as f64, s.requests as f64, 0.01),
        "{} vs {}",
        m.requests,
        s.requests
    );
    assert!(within(m.rps, s.rps, 0.01), "{} vs {} req/s", m.rps, s.rps);
    // The demo target answers everything (a loaded generator's last calls go out within the
    // send grace, not as `unsent`).
    assert_eq!(m.errors, 0, "{:?}", m.errors_by_kind);
    // Histograms add exactly: the merged count is the shards' sum.
    assert_eq!(
        merged.measurement().unwrap().histograms.latency.len(),
        shards
            .iter()
            .map(|r| r.measurement().unwrap().histograms.latency.len())
            .sum::<u64>()
    );
    let timeline: u64 = merged
        .measurement()
        .unwrap()
        .timeline
        .iter()
        .map(|p| p.requests)
        .sum();
    assert_eq!(timeline, m.requests);
    // Latency. Comparing with the single-process run is scheduling noise (five load processes
    // on two cores: p99 2–4× apart on an idle machine), so the merge is checked by what holds
    // for any correct merge: a quantile of the merged histogram lies between the shards' own
    // (a mixture's quantile is within its components'), up to the HDR resolution; and no call
    // is faster than the server's 2 ms delay.
    for (q, merged_q, shard_q) in [
        (
            "p50",
            m.latency_us.p50,
            shards
                .iter()
                .map(|r| r.measurement().unwrap().summary.latency_us.p50)
                .collect::<Vec<_>>(),
        ),
        (
            "p99",
            m.latency_us.p99,
            shards
                .iter()
                .map(|r| r.measurement().unwrap().summary.latency_us.p99)
                .collect(),
        ),
    ] {
        let (lo, hi) = (
            *shard_q.iter().min().unwrap(),
            *shard_q.iter().max().unwrap(),
        );
        let slack = |v: u64| v / 500 + 1;
        assert!(
            merged_q + slack(lo) >= lo && merged_q <= hi + slack(hi),
            "merged {q} {merged_q} outside the shards' {shard_q:?}"
        );
    }
    assert!(
        m.latency_us.p50 >= 2_000,
        "p50 {} below the 2 ms delay",
        m.latency_us.p50
    );

    // The same merge from the store, by run id.
    let store = dir.path().join("store");
    let o = tailguard(&[
        "merge",
        "--run-id",
        "run-42",
        "--store-dir",
        store.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let from_store: RunResult =
        RunResult::from_json(&String::from_utf8_lossy(&o.stdout), "stdout").unwrap();
    assert_eq!(
        from_store.measurement().unwrap().summary,
        merged.measurement().unwrap().summary
    );
    assert_eq!(
        from_store.measurement().unwrap().histograms,
        merged.measurement().unwrap().histograms
    );

    // merge refuses what is not one run, and names the file.
    let edit = |from: &Path, to: &str, f: &dyn Fn(&mut RunResult)| {
        let mut r = RunResult::read(from).unwrap();
        f(&mut r);
        let p = dir.path().join(to);
        std::fs::write(&p, r.to_json().unwrap()).unwrap();
        p.display().to_string()
    };
    let others = |skip: usize| -> Vec<String> {
        outs.iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, p)| p.display().to_string())
            .collect()
    };
    let refuse = |files: Vec<String>, want: &[&str]| {
        let mut a = vec!["merge".to_owned()];
        a.extend(files);
        let o = tailguard(&a.iter().map(String::as_str).collect::<Vec<_>>());
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{t}");
        for w in want {
            assert!(t.contains(w), "{w:?} in {t}");
        }
    };
    let mut files = others(3);
    files.push(edit(&outs[3], "other-scenario.json", &|r| {
        r.meta.scenario = "else".into();
    }));
    refuse(files, &["other-scenario.json", "scenario"]);
    let mut files = others(3);
    files.push(edit(&outs[3], "other-run.json", &|r| {
        r.meta.run_id = "run-43".into();
    }));
    refuse(files, &["other-run.json", "run_id"]);
    refuse(others(2), &["missing shard(s) [2] of 4"]);
    let mut files = others(3);
    files.push(outs[0].display().to_string());
    refuse(files, &["shard 0 of 4 appears twice"]);
    refuse(
        vec![dir.path().join("single.json").display().to_string()],
        &["not a shard"],
    );
    let mut a = vec!["merge".to_owned(), "--allow-partial".into()];
    a.extend(others(2));
    let o = tailguard(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let partial: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(partial["summary"]["requests"], 9_000);
}

#[test]
fn rendered_kubernetes_manifests_validate() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/http-get.toml");
    let out = dir.path().join("k8s.yaml");
    let o = tailguard(&[
        "k8s",
        "render",
        scenario.to_str().unwrap(),
        "--parallelism",
        "4",
        "--image",
        "ghcr.io/tailguard/tailguard:0.1.0",
        "--store-secret",
        "tailguard-influx",
        "--arg=--target",
        "--arg",
        "http://api.staging:8080",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let yaml = std::fs::read_to_string(&out).unwrap();
    for want in [
        "kind: ConfigMap",
        "kind: Job",
        "completionMode: Indexed",
        "completions: 4",
        "\"$(SHARD_INDEX)/4\"",
        "batch.kubernetes.io/job-completion-index",
        "\"--start-at\"",
        "name: \"tailguard-influx\"",
        "\"--save\"",
        "cpu: \"1\"",
        "runAsNonRoot: true",
    ] {
        assert!(yaml.contains(want), "{want} in\n{yaml}");
    }
    let o = Command::new("kubernetes-validate")
        .arg("--strict")
        .arg(&out)
        .output()
        .unwrap_or_else(|e| {
            panic!("kubernetes-validate ({e}): pip install kubernetes-validate (.ci/run does)")
        });
    let t = text(&o);
    assert!(
        o.status.success() && !t.contains("ERROR") && t.matches("passed").count() == 2,
        "{t}"
    );

    // A broken scenario fails at render time, not in the pods.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "name = \"x\"\n[load]\nrate = \"fast\"\n").unwrap();
    let o = tailguard(&[
        "k8s",
        "render",
        bad.to_str().unwrap(),
        "--parallelism",
        "2",
        "--image",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("bad.toml"), "{}", text(&o));
}
