//! Saturation scenarios end to end against the demo target's in-memory connection pool on
//! loopback: detection near the pool's capacity, the 503 signature, the chart files, and the
//! capacity gate (pool 10 → pool 5 fails, the same pool on both sides passes).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{check, demo, json, run_out as run, tailguard, text};
use tailguard_demo::{DemoConfig, DemoServer, PoolConfig};

/// Each test drives a pool to exhaustion; one at a time, so they do not steal each other's CPU.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn pool(size: usize) -> DemoServer {
    demo(DemoConfig {
        pool: Some(PoolConfig {
            size,
            hold: Duration::from_millis(20),
            acquire_timeout: Duration::from_millis(100),
            database_url: None,
        }),
        ..DemoConfig::default()
    })
}

/// Steps of one second after 200 ms of warm-up; `levels` is the `[saturation]` level spec.
fn scenario(dir: &Path, levels: &str) -> PathBuf {
    let path = dir.join("pool.toml");
    let text = format!(
        r#"name = "pool"
target = "http://127.0.0.1:1"
slo = ["p99 < 200ms"]

[request]
path = "/db"

[load]
warmup = "200ms"
connections = 128
timeout = "2s"

[saturation]
{levels}
hold = "1s"
must_sustain = "200 req/s with p99 < 200ms"
"#
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// The capacity the pool really has is `size / hold`, where the hold is what the pool measured:
/// on a loaded machine a request sleeping 20 ms is woken and run again late, so it holds its
/// connection longer and the capacity shrinks (to ~200 req/s at load 15). The detected capacity
/// is compared with that one. Measured from a few seconds of bursty load, it is checked again
/// once when it does not hold ([`common::statistical`]); the files written are checked outright.
#[test]
fn pool_of_5_held_20ms_saturates_near_250_per_second_and_fails_with_503() {
    let _one = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(dir.path(), "from = 150\nto = 330\nsteps = 10");
    let out = dir.path().join("run.json");
    common::statistical("pool of 5", |_| pool_of_5(&s, &out));

    let v = json(&out);
    let capacity = v["saturation"]["analysis"]["capacity_rps"]
        .as_f64()
        .unwrap();
    // The run's own summary covers all steps; the stored config keeps [saturation].
    assert!(v["summary"]["requests"].as_u64().unwrap() > 1000);
    assert_eq!(v["config"]["saturation"]["hold"], "1s");

    let svg = std::fs::read_to_string(dir.path().join("run-saturation.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("offered load (req/s)"));
    assert!(svg.contains(&format!("saturation {capacity:.0} req/s")));
    let png = std::fs::read(dir.path().join("run-saturation.png")).unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (960, 560));
}

/// The capacity a pool really had: its size over its measured mean hold (at most `size / 20 ms`).
fn real_capacity(pool: &DemoServer, size: f64) -> f64 {
    let hold = pool.pool_mean_hold().unwrap().as_secs_f64();
    size / hold.max(0.020)
}

/// One saturation run of a fresh pool of 5: what did not hold.
fn pool_of_5(s: &Path, out: &Path) -> Result<(), String> {
    let target = pool(5);
    let o = run(s, &target.url(), out, &[]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    let v = json(out);
    let sat = &v["saturation"];
    let a = &sat["analysis"];
    let capacity = a["capacity_rps"].as_f64().unwrap();
    let real = real_capacity(&target, 5.0);
    eprintln!("pool of 5: capacity {capacity} req/s detected, {real:.0} real");
    // The requirement holds exactly when the detected capacity reaches it.
    let sustains = capacity >= 200.0;
    let must = if sustains {
        "must ok   sustain 200 req/s"
    } else {
        "must FAIL sustain 200 req/s"
    };
    assert_eq!(
        o.status.code(),
        Some(if sustains { 0 } else { 1 }),
        "{}",
        text(&o)
    );
    assert_eq!(sat["requirement"]["passed"], sustains, "{stdout}");
    assert!(
        stdout.contains(must) && stdout.contains("finding  sustains"),
        "{stdout}"
    );
    check((0.85 * real..=1.15 * real).contains(&capacity), || {
        format!("saturation {capacity} req/s is not within 15% of the pool's {real:.0}\n{stdout}")
    })?;
    assert!(a["breach_level"].as_f64().unwrap() > capacity);
    check(a["signature"][0]["label"] == "503", || stdout.to_string())?;
    let headline = a["headline"].as_str().unwrap();
    check(headline.contains("fail with 503"), || headline.to_owned())?;
    assert!(
        headline.starts_with(&format!(
            "sustains {capacity:.0} req/s with p99 < 200ms; at "
        )),
        "{headline}"
    );
    // The step table has every step with offered vs achieved throughput and CO-correct p99.
    // Achieved is over the span of a step's completions, which a stalled generator's burst
    // shortens (305 req/s at an offered 250 was seen at load 15); counting calls twice doubles it.
    let steps = sat["steps"].as_array().unwrap();
    assert!(steps.len() >= 5 && steps.len() <= 10, "{}", steps.len());
    for step in steps {
        let offered = step["level"].as_f64().unwrap();
        let achieved = step["achieved_rps"].as_f64().unwrap();
        check(achieved > 0.5 * offered && achieved < 1.5 * offered, || {
            step.to_string()
        })?;
        assert!(step["summary"]["latency_us"]["p99"].as_u64().unwrap() >= 20_000);
    }
    Ok(())
}

/// Like the test above, the capacity of pool 10 is compared with the one it really had, and the
/// capacities and the two verdicts are measured again once when they do not hold.
#[test]
fn capacity_gate_fails_pool_10_to_pool_5_and_passes_the_same_pool() {
    let _one = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    common::statistical("capacity gate", |_| capacity_gate());
}

/// Fresh pools of 10 (main) and 5 (PR, twice) compared: what did not hold.
fn capacity_gate() -> Result<(), String> {
    let (main_pool, pr_pool) = (pool(10), pool(5));
    let (main, pr) = (&main_pool.url(), &pr_pool.url());
    let dir = tempfile::tempdir().unwrap();
    // Coarse levels around both capacities (250 and 500 req/s) keep the runs short and the A/A
    // comparison on the same step.
    let s = scenario(
        dir.path(),
        "levels = [150, 200, 300, 400, 450, 500, 550, 600]",
    );
    let p = |name: &str| dir.path().join(name);

    // Exit 1 would be the 200 req/s requirement, which a pool slowed by a loaded machine may miss
    // (the test above checks that it agrees with the capacity).
    let o = run(&s, main, &p("main.json"), &[]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    let o = run(&s, pr, &p("pr.json"), &[]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    // A second run of the same pool, holding it to a capacity it cannot reach: run exits 1.
    let o = run(
        &s,
        pr,
        &p("pr-again.json"),
        &["--set", "saturation.must_sustain=\"400 req/s\""],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("must FAIL sustain 400 req/s"));
    let main_capacity = json(&p("main.json"))["saturation"]["analysis"]["capacity_rps"]
        .as_f64()
        .unwrap();
    let real = real_capacity(&main_pool, 10.0);
    eprintln!("pool of 10: capacity {main_capacity} req/s detected, {real:.0} real");
    check((0.85 * real..=1.15 * real).contains(&main_capacity), || {
        format!("pool 10's capacity {main_capacity}, really {real:.0}")
    })?;

    let compare = |baseline: &str, verdict: &Path| {
        tailguard(&[
            "compare",
            "--baseline",
            p(baseline).to_str().unwrap(),
            "--candidate",
            p("pr.json").to_str().unwrap(),
            "--out",
            verdict.to_str().unwrap(),
        ])
    };
    let o = compare("main.json", &p("v1.json"));
    check(o.status.code() == Some(1), || text(&o))?;
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("capacity fell"),
        "{}",
        text(&o)
    );
    let v = json(&p("v1.json"));
    assert_eq!(v["verdict"], "fail");
    let c = &v["scenarios"][0]["capacity"];
    assert_eq!(c["verdict"], "fail");
    let change = c["change"].as_f64().unwrap();
    check((-0.65..=-0.35).contains(&change), || {
        format!("pool 10 → 5 halves capacity: {change}")
    })?;
    // Latency rows of a saturation scenario are informational; only the capacity is gated.
    assert!(v["scenarios"][0]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["gated"] == false));

    let o = compare("pr-again.json", &p("v2.json"));
    check(o.status.code() == Some(0), || text(&o))?;
    let v = json(&p("v2.json"));
    check(v["verdict"] == "pass", || text(&o))?;
    assert_eq!(v["scenarios"][0]["capacity"]["verdict"], "pass");
    Ok(())
}

#[test]
fn bad_saturation_sections_name_the_field() {
    let dir = tempfile::tempdir().unwrap();
    for (levels, field) in [
        ("from = 100\nsteps = 3", "saturation.to"),
        ("levels = [100, 50]", "saturation.levels"),
        (
            "from = 1\nto = 2\nsteps = 2\nmust_sustain = \"fast\"",
            "saturation.must_sustain",
        ),
    ] {
        let s = scenario(dir.path(), levels);
        let o = tailguard(&["run", s.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("pool.toml:") && stderr.contains(field),
            "{stderr}"
        );
    }
    let s = scenario(dir.path(), "from = 1\nto = 2\nsteps = 2");
    let o = tailguard(&["run", s.to_str().unwrap(), "--rate", "50"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("load.rate"));
}

/// `--run-id` names a saturation run as it names a load run: in its result and in the store.
#[test]
fn a_saturation_run_keeps_the_given_run_id() {
    let _one = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(dir.path(), "levels = [20, 40]");
    let out = dir.path().join("run.json");
    let store = dir.path().join("store");
    let target = demo(DemoConfig::default());
    let store_dir = store.to_str().unwrap();
    let flags = [
        "--run-id",
        "steps-run-7",
        "--save",
        "--branch",
        "main",
        "--store-dir",
        store_dir,
    ];
    let o = run(&s, &target.url(), &out, &flags);
    // Two steps of 40 req/s at most cannot sustain the 200 req/s the scenario asks for.
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v = json(&out);
    assert_eq!(v["run_id"], "steps-run-7", "{}", text(&o));
    assert_eq!(v["saturation"]["steps"].as_array().unwrap().len(), 2);
    let listed = tailguard(&["baseline", "list", "--store-dir", store_dir]);
    assert!(text(&listed).contains("steps-run-7"), "{}", text(&listed));
}
