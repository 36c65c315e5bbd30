//! The InfluxDB store against a real `influxd` (1.6, v1 API) started by each test on a free
//! loopback port. The 2.x native API is in `influx_v2.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bench_core::result::{rfc3339, RunResult};
use common::influxd::Influxd;
use common::{demo, tailguard, text};
use tailguard::store::influx::config::InfluxConfig;
use tailguard::store::influx::{points, Api, InfluxStore};
use tailguard::store::spool::Spool;
use tailguard::store::{BranchName, Store};
use tailguard_demo::DemoConfig;

fn scenario(dir: &Path) -> PathBuf {
    let p = dir.join("influx-mix.toml");
    std::fs::write(&p, common::mix_scenario("influx-mix", 200)).unwrap();
    p
}

/// A real 2-second run of a two-request mix against the demo target.
fn real_run(dir: &Path) -> RunResult {
    let server = demo(DemoConfig::default());
    common::run_to_json(&scenario(dir), &server.url(), &dir.join("run.json"))
}

fn v1(url: &str, db: &str, spool: &Path) -> InfluxStore {
    let config = InfluxConfig::new(url, None, None, None).unwrap();
    let api = Api::V1 {
        db: db.into(),
        rp: None,
    };
    InfluxStore::new(config, api, Spool::new(spool)).unwrap()
}

fn main_branch() -> BranchName {
    BranchName::new("main").unwrap()
}

fn m(r: &RunResult) -> &bench_core::result::Measurement {
    r.measurement().unwrap()
}

#[test]
fn write_then_read_back_equals_the_original_run() {
    let influx = Influxd::start();
    influx.create_db("perf");
    let dir = tempfile::tempdir().unwrap();
    let mut run = real_run(dir.path());
    assert_eq!(m(&run).requests.len(), 2);
    assert!(m(&run).timeline.len() >= 2);
    // Big enough to need chunking: InfluxDB 1.x refuses string fields over 64 KiB.
    run.meta.config["note"] = serde_json::Value::String("x".repeat(150_000));
    // What the gate measured of the service in this trial (--baseline-cmd).
    run.service = Some(bench_core::service_usage::ServiceUsage {
        cpu_us: 812_000,
        user_us: 700_000,
        system_us: 112_000,
        cpu_us_per_request: Some(203.5),
        peak_rss_kib: 48_128,
        voluntary_switches: 9_001,
        involuntary_switches: 42,
    });
    let st = v1(&influx.url(), "perf", &dir.path().join("spool"));
    let saved = st.save(&main_branch(), &run).unwrap();
    assert_eq!(saved.warning, None, "{saved:?}");

    let back = st.baseline(&main_branch(), "influx-mix", 5).unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0], run);
    assert_eq!(
        m(&back[0]).histograms.latency.to_base64().unwrap(),
        m(&run).histograms.latency.to_base64().unwrap()
    );
    for (a, b) in m(&back[0]).requests.iter().zip(&m(&run).requests) {
        assert_eq!(a.histograms, b.histograms);
    }
    assert_eq!(m(&back[0]).timeline, m(&run).timeline);

    // The Grafana-facing fields are there, one timeline point per second.
    let q = |m: &str, f: &str| influx.count("perf", &format!(r#"SELECT count("{f}") FROM "{m}""#));
    assert_eq!(q("tailguard_run", "p99_us"), 1);
    assert_eq!(q("tailguard_request", "p99_us"), 2);
    assert_eq!(
        q("tailguard_timeline", "requests"),
        m(&run).timeline.len() as u64
    );
    let v = influx.query(
        "perf",
        r#"SELECT "p99_us","rps","latency_histogram" FROM "tailguard_run" WHERE "scenario" = 'influx-mix' AND "branch" = 'main'"#,
    );
    let row = &v["results"][0]["series"][0]["values"][0];
    assert_eq!(row[1].as_u64(), Some(m(&run).summary.latency_us.p99));
    let v = influx.query(
        "perf",
        r#"SELECT "service_cpu_us_per_request","service_peak_rss_kib","service_involuntary_switches" FROM "tailguard_run""#,
    );
    let row = &v["results"][0]["series"][0]["values"][0];
    assert_eq!(row[1].as_f64(), Some(203.5), "{v}");
    assert_eq!(row[2].as_u64(), Some(48_128), "{v}");
    assert_eq!(row[3].as_u64(), Some(42), "{v}");
}

#[test]
fn micro_and_instruction_runs_round_trip_without_load_fields() {
    let influx = Influxd::start();
    influx.create_db("perf");
    let dir = tempfile::tempdir().unwrap();
    let st = v1(&influx.url(), "perf", &dir.path().join("spool"));
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema-v3");
    for (file, kind) in [
        ("criterion.json", "micro"),
        ("instructions.json", "instructions"),
    ] {
        let run = RunResult::read(&fixtures.join(file)).unwrap();
        assert_eq!(run.kind.name(), kind);
        st.save(&main_branch(), &run).unwrap();
        let back = st.baseline(&main_branch(), &run.meta.scenario, 1).unwrap();
        assert_eq!(back, [run]);
    }
    // Both runs are there, with no percentile made up for dashboards.
    let q = |f: &str| {
        influx.count(
            "perf",
            &format!(r#"SELECT count("{f}") FROM "tailguard_run""#),
        )
    };
    assert_eq!((q("duration_s"), q("p99_us"), q("requests")), (2, 0, 0));
}

#[test]
fn the_shards_of_one_run_read_back_apart() {
    let influx = Influxd::start();
    influx.create_db("perf");
    let dir = tempfile::tempdir().unwrap();
    let run = real_run(dir.path());
    let st = v1(&influx.url(), "perf", &dir.path().join("spool"));
    let shards: Vec<RunResult> = (0..3)
        .map(|i| {
            let mut r = run.clone();
            r.meta.run_id = "sharded-1".into();
            r.meta.shard = Some(bench_core::Shard { index: i, count: 3 });
            r.measurement_mut().unwrap().summary.requests += i as u64; // tell them apart
            r
        })
        .collect();
    for s in &shards {
        st.save(&main_branch(), s).unwrap();
    }
    let mut back = st.by_run_id("sharded-1").unwrap();
    back.sort_by_key(|r| r.meta.shard.map(|s| s.index));
    assert_eq!(back, shards);
    assert!(st.by_run_id("nope").unwrap().is_empty());
}

/// The Grafana dashboard in docs/ is valid InfluxQL over this schema and finds data.
#[test]
fn the_grafana_dashboard_queries_run_against_stored_runs() {
    let influx = Influxd::start();
    influx.create_db("perf");
    let dir = tempfile::tempdir().unwrap();
    let run = real_run(dir.path());
    let st = v1(&influx.url(), "perf", &dir.path().join("spool"));
    st.save(&main_branch(), &run).unwrap();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/grafana/tailguard.json"
    );
    let dash: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let fill = |q: &str| {
        q.replace("$scenario", "influx-mix")
            .replace("$branch", "main")
            .replace("$run", &run.meta.run_id)
            .replace("$timeFilter", "time > 0")
            .replace("$__interval", "1h")
    };
    let vars = dash["templating"]["list"].as_array().unwrap();
    let panels = dash["panels"].as_array().unwrap();
    assert!(vars.len() >= 3 && panels.len() >= 6);
    // The change-point annotations are valid here too (with data in history_influx.rs).
    let annotations = dash["annotations"]["list"].as_array().unwrap();
    assert!(annotations.iter().any(|a| a["query"]
        .as_str()
        .unwrap()
        .contains("tailguard_change_point")));
    let queries = vars
        .iter()
        .chain(annotations)
        .map(|v| v["query"].as_str().unwrap())
        .chain(panels.iter().flat_map(|p| {
            p["targets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["query"].as_str().unwrap())
        }));
    for q in queries {
        let v = influx.query("perf", &fill(q));
        let result = &v["results"][0];
        assert!(result["error"].is_null(), "{q}: {v}");
        // Errors-by-kind sums are empty on an error-free run, and one run has no change point;
        // everything else finds the run.
        if !q.contains("errors_timeout") && !q.contains("tailguard_change_point") {
            assert!(
                result["series"].as_array().is_some_and(|s| !s.is_empty()),
                "{q}: {v}"
            );
        }
    }
}

fn shifted(run: &RunResult, id: &str, minutes: u64, scenario: &str) -> RunResult {
    let mut r = run.clone();
    r.meta.run_id = id.into();
    r.meta.scenario = scenario.into();
    r.started_at =
        rfc3339(SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000 + minutes * 60));
    r
}

#[test]
fn baseline_returns_the_last_n_runs_in_order_and_prune_keeps_the_newest() {
    let influx = Influxd::start();
    influx.create_db("perf");
    let dir = tempfile::tempdir().unwrap();
    let run = real_run(dir.path());
    let st = v1(&influx.url(), "perf", &dir.path().join("spool"));
    let main = main_branch();
    let feature = BranchName::new("feature/x").unwrap();
    // Saved out of time order: the store orders by the runs' start, not by arrival.
    for (id, minute) in [("r3", 3), ("r0", 0), ("r4", 4), ("r1", 1), ("r2", 2)] {
        st.save(&main, &shifted(&run, id, minute, "s")).unwrap();
    }
    st.save(&feature, &shifted(&run, "f9", 9, "s")).unwrap();
    st.save(&main, &shifted(&run, "o9", 9, "other")).unwrap();

    let ids = |runs: Vec<RunResult>| runs.into_iter().map(|r| r.meta.run_id).collect::<Vec<_>>();
    assert_eq!(ids(st.baseline(&main, "s", 3).unwrap()), ["r2", "r3", "r4"]);
    assert_eq!(ids(st.baseline(&feature, "s", 3).unwrap()), ["f9"]);
    assert!(st.baseline(&main, "missing", 3).unwrap().is_empty());
    let back = st.baseline(&main, "s", 1).unwrap();
    assert_eq!(back[0], shifted(&run, "r4", 4, "s"));

    let listed: Vec<String> = st
        .list(Some(&main), None)
        .unwrap()
        .into_iter()
        .map(|r| format!("{}/{}/{}", r.branch, r.scenario, r.run_id))
        .collect();
    assert_eq!(
        listed,
        [
            "main/s/r0",
            "main/s/r1",
            "main/s/r2",
            "main/s/r3",
            "main/s/r4",
            "main/other/o9"
        ]
    );
    assert_eq!(st.prune(Some(&main), None, 2).unwrap(), 3);
    assert_eq!(ids(st.baseline(&main, "s", 5).unwrap()), ["r3", "r4"]);
    assert_eq!(ids(st.baseline(&main, "other", 5).unwrap()), ["o9"]);
    assert_eq!(ids(st.baseline(&feature, "s", 5).unwrap()), ["f9"]);
    // Nothing of the pruned runs is left behind in any measurement.
    for m in points::ALL {
        let n = influx.count(
            "perf",
            &format!(r#"SELECT count("requests") FROM "{m}" WHERE "run_id" = 'r0'"#),
        );
        assert_eq!(n, 0, "{m}");
    }
}

#[test]
fn a_run_saved_while_influx_is_down_is_spooled_then_replayed_exactly_once() {
    let mut influx = Influxd::start();
    influx.create_db("perf");
    influx.stop();
    let dir = tempfile::tempdir().unwrap();
    let spool = dir.path().join("spool");
    let server = demo(DemoConfig::default());
    // Credentials in the URL: they must never be printed.
    let url = influx.url().replace("http://", "http://ci:s3cr3t-pw@");
    let store_args = [
        "--store",
        "influx",
        "--influx-url",
        &url,
        "--influx-db",
        "perf",
        "--spool-dir",
        spool.to_str().unwrap(),
    ];
    let out = dir.path().join("run.json");
    let mut args = vec![
        "run",
        scenario(dir.path()).to_str().unwrap().to_owned().leak(),
        "--target",
        server.url().leak(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
        "--save",
        "--branch",
        "main",
    ];
    args.extend(store_args);
    let o = tailguard(&args);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(0), "{t}");
    assert!(
        t.contains("unreachable") && t.contains("tailguard store replay"),
        "{t}"
    );
    assert!(!t.contains("s3cr3t-pw"), "{t}");
    let run = RunResult::read(&out).unwrap();
    assert_eq!(Spool::new(&spool).pending().unwrap().len(), 1);

    // Still down: replay fails, keeps the file.
    let mut replay = vec!["store", "replay"];
    replay.extend(store_args);
    let o = tailguard(&replay);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(!text(&o).contains("s3cr3t-pw"));
    assert_eq!(Spool::new(&spool).pending().unwrap().len(), 1);

    influx.restart();
    let o = tailguard(&replay);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let expected_points = 1 + m(&run).requests.len() + m(&run).timeline.len();
    assert!(
        text(&o).contains(&format!("replayed 1 run(s), {expected_points} point(s)")),
        "{}",
        text(&o)
    );
    assert!(Spool::new(&spool).pending().unwrap().is_empty());
    let o = tailguard(&replay);
    assert!(text(&o).contains("nothing to replay"), "{}", text(&o));

    // Every point present exactly once, and the run reads back as written.
    let id = &run.meta.run_id;
    let count = |m: &str| {
        influx.count(
            "perf",
            &format!(r#"SELECT count("requests") FROM "{m}" WHERE "run_id" = '{id}'"#),
        )
    };
    assert_eq!(count("tailguard_run"), 1);
    assert_eq!(count("tailguard_request"), m(&run).requests.len() as u64);
    assert_eq!(count("tailguard_timeline"), m(&run).timeline.len() as u64);
    let st = v1(&influx.url(), "perf", &spool);
    let mut expected = run.clone();
    expected.meta.environment.git_branch = Some("main".into());
    assert_eq!(
        st.baseline(&main_branch(), "influx-mix", 3).unwrap(),
        [expected]
    );
}

#[test]
fn a_rejected_write_is_reported_spooled_and_not_lost() {
    let influx = Influxd::start();
    let dir = tempfile::tempdir().unwrap();
    let run = real_run(dir.path());
    let st = v1(&influx.url(), "nosuchdb", &dir.path().join("spool"));
    let saved = st.save(&main_branch(), &run).unwrap();
    let warning = saved.warning.unwrap();
    assert!(
        warning.contains("404") && warning.contains("database not found"),
        "{warning}"
    );
    assert!(Path::new(&saved.location).exists());
    assert_eq!(st.spool().pending().unwrap().len(), 1);

    influx.create_db("nosuchdb");
    let done = st.replay().unwrap();
    assert_eq!((done.files, done.remaining), (1, 0));
    assert_eq!(st.baseline(&main_branch(), "influx-mix", 3).unwrap(), [run]);
}
