//! The InfluxDB store against a real `influxd` (1.6, v1 API) started by each test on a free
//! loopback port, and the 2.x native API against a local recording server (no 2.x server can be
//! installed here).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bench_core::result::{rfc3339, RunResult};
use common::influxd::Influxd;
use common::recording::{Recording, Request};
use common::{demo, tailguard, text};
use tailguard::store::influx::config::InfluxConfig;
use tailguard::store::influx::{line, points, Api, InfluxStore};
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

#[test]
fn write_then_read_back_equals_the_original_run() {
    let influx = Influxd::start();
    influx.create_db("perf");
    let dir = tempfile::tempdir().unwrap();
    let mut run = real_run(dir.path());
    assert_eq!(run.requests.len(), 2);
    assert!(run.timeline.len() >= 2);
    // Big enough to need chunking: InfluxDB 1.x refuses string fields over 64 KiB.
    run.meta.config["note"] = serde_json::Value::String("x".repeat(150_000));
    let st = v1(&influx.url(), "perf", &dir.path().join("spool"));
    let saved = st.save(&main_branch(), &run).unwrap();
    assert_eq!(saved.warning, None, "{saved:?}");

    let back = st.baseline(&main_branch(), "influx-mix", 5).unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0], run);
    assert_eq!(
        back[0].histograms.latency.to_base64().unwrap(),
        run.histograms.latency.to_base64().unwrap()
    );
    for (a, b) in back[0].requests.iter().zip(&run.requests) {
        assert_eq!(a.histograms, b.histograms);
    }
    assert_eq!(back[0].timeline, run.timeline);

    // The Grafana-facing fields are there, one timeline point per second.
    let q = |m: &str, f: &str| influx.count("perf", &format!(r#"SELECT count("{f}") FROM "{m}""#));
    assert_eq!(q("tailguard_run", "p99_us"), 1);
    assert_eq!(q("tailguard_request", "p99_us"), 2);
    assert_eq!(
        q("tailguard_timeline", "requests"),
        run.timeline.len() as u64
    );
    let v = influx.query(
        "perf",
        r#"SELECT "p99_us","rps","latency_histogram" FROM "tailguard_run" WHERE "scenario" = 'influx-mix' AND "branch" = 'main'"#,
    );
    let row = &v["results"][0]["series"][0]["values"][0];
    assert_eq!(row[1].as_u64(), Some(run.summary.latency_us.p99));
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
    let queries = vars
        .iter()
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
        // Errors-by-kind sums are empty on an error-free run; everything else finds the run.
        if !q.contains("errors_timeout") {
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
    let expected_points = 1 + run.requests.len() + run.timeline.len();
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
    assert_eq!(count("tailguard_request"), run.requests.len() as u64);
    assert_eq!(count("tailguard_timeline"), run.timeline.len() as u64);
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

// --- InfluxDB 2.x native API against a recording server -------------------------------------

/// Answer `/api/v2/write` with 204 and `/api/v2/query` with annotated CSV made from what was
/// written, as a 2.x server would (one table per point and field, so no empty cells).
fn fake_v2(req: &Request, before: &[Request]) -> (u16, &'static str, String) {
    match req.path.as_str() {
        "/api/v2/write" => (204, "text/plain", String::new()),
        "/api/v2/delete" => (204, "text/plain", String::new()),
        "/api/v2/query" => {
            let flux: serde_json::Value = serde_json::from_str(&req.body).unwrap();
            let flux = flux["query"].as_str().unwrap();
            let measurement = between(flux, "r._measurement == \"", "\"");
            let run_id = flux
                .contains("r.run_id ==")
                .then(|| between(flux, "r.run_id == \"", "\""));
            let only_requests = flux.contains("r._field == \"requests\"");
            let mut csv = String::new();
            let mut table = 0;
            for w in before.iter().filter(|r| r.path == "/api/v2/write") {
                for l in w.body.lines() {
                    let (m, tags, fields, t) = parse_line(l);
                    let id = tags
                        .iter()
                        .find(|(k, _)| k == "run_id")
                        .map(|(_, v)| v.clone());
                    if m != measurement || (run_id.is_some() && id != run_id) {
                        continue;
                    }
                    for (field, (dtype, value)) in &fields {
                        if only_requests && field != "requests" {
                            continue;
                        }
                        csv_table(&mut csv, table, t, &m, field, &tags, dtype, value);
                        table += 1;
                    }
                }
            }
            (200, "text/csv", csv)
        }
        _ => (404, "text/plain", "not found".into()),
    }
}

fn between(s: &str, start: &str, end: &str) -> String {
    let i = s.find(start).unwrap() + start.len();
    s[i..][..s[i..].find(end).unwrap()].to_owned()
}

#[allow(clippy::too_many_arguments)]
fn csv_table(
    out: &mut String,
    table: usize,
    t: i64,
    m: &str,
    field: &str,
    tags: &[(String, String)],
    dtype: &str,
    value: &str,
) {
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let n = tags.len();
    let time =
        humantime::format_rfc3339_nanos(SystemTime::UNIX_EPOCH + Duration::from_nanos(t as u64));
    out.push_str(&format!(
        "#datatype,string,long,dateTime:RFC3339,string,string{},{dtype}\n",
        ",string".repeat(n)
    ));
    out.push_str(&format!(
        "#group,false,false,false,true,true{},false\n",
        ",true".repeat(n)
    ));
    out.push_str(&format!("#default,_result,,,,{},\n", ",".repeat(n)));
    let names: Vec<String> = tags.iter().map(|(k, _)| k.clone()).collect();
    out.push_str(&format!(
        ",result,table,_time,_measurement,_field,{},_value\n",
        names.join(",")
    ));
    let vals: Vec<String> = tags.iter().map(|(_, v)| q(v)).collect();
    out.push_str(&format!(
        ",,{table},{time},{m},{},{},{}\n\n",
        q(field),
        vals.join(","),
        q(value)
    ));
}

type Fields = Vec<(String, (&'static str, String))>;

/// Line protocol → (measurement, tags, fields with Flux types, time).
fn parse_line(l: &str) -> (String, Vec<(String, String)>, Fields, i64) {
    // Split at unescaped spaces outside quotes: key, fields, time.
    let (mut parts, mut cur, mut esc, mut quoted) = (Vec::new(), String::new(), false, false);
    for c in l.chars() {
        match c {
            _ if esc => {
                cur.push('\\');
                cur.push(c);
                esc = false;
            }
            '\\' => esc = true,
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ' ' if !quoted => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    let split = |s: &str, sep: char| -> Vec<String> {
        let (mut out, mut cur, mut esc, mut quoted) = (Vec::new(), String::new(), false, false);
        for c in s.chars() {
            match c {
                _ if esc => {
                    cur.push('\\');
                    cur.push(c);
                    esc = false;
                }
                '\\' => esc = true,
                '"' => {
                    quoted = !quoted;
                    cur.push(c);
                }
                _ if c == sep && !quoted => out.push(std::mem::take(&mut cur)),
                _ => cur.push(c),
            }
        }
        out.push(cur);
        out
    };
    let unescape = |s: &str| {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            out.push(if c == '\\' { chars.next().unwrap() } else { c });
        }
        out
    };
    let key = split(&parts[0], ',');
    let tags = key[1..]
        .iter()
        .map(|kv| {
            let kv = split(kv, '=');
            (unescape(&kv[0]), unescape(&kv[1]))
        })
        .collect();
    let fields = split(&parts[1], ',')
        .iter()
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            let typed = if let Some(s) = v.strip_prefix('"') {
                ("string", unescape(s.strip_suffix('"').unwrap()))
            } else if let Some(i) = v.strip_suffix('i') {
                ("long", i.to_owned())
            } else {
                ("double", v.to_owned())
            };
            (unescape(k), typed)
        })
        .collect();
    (unescape(&key[0]), tags, fields, parts[2].parse().unwrap())
}

#[test]
fn the_v2_api_writes_and_queries_in_the_2x_request_shape() {
    let server = Recording::start(fake_v2);
    let dir = tempfile::tempdir().unwrap();
    let mut run = real_run(dir.path());
    run.meta.config["note"] = serde_json::Value::String("a \"quoted\", comma'd\\ note".into());
    let config = InfluxConfig::new(&server.url(), Some("tok-abc".into()), None, None).unwrap();
    let api = Api::V2 {
        org: "acme".into(),
        bucket: "perf".into(),
    };
    let st = InfluxStore::new(config, api, Spool::new(dir.path().join("spool"))).unwrap();
    let saved = st.save(&main_branch(), &run).unwrap();
    assert_eq!(saved.warning, None);

    let write = &server.requests()[0];
    assert_eq!(
        (write.method.as_str(), write.path.as_str()),
        ("POST", "/api/v2/write")
    );
    assert_eq!(write.query["org"], "acme");
    assert_eq!(write.query["bucket"], "perf");
    assert_eq!(write.query["precision"], "ns");
    assert_eq!(write.headers["authorization"], "Token tok-abc");
    let expected = line::body(&points::encode(&main_branch(), &run).unwrap());
    assert_eq!(write.body.trim_end(), expected.trim_end());

    let back = st.baseline(&main_branch(), "influx-mix", 2).unwrap();
    assert_eq!(back, [run.clone()]);
    let queries: Vec<Request> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v2/query")
        .collect();
    assert_eq!(
        queries.len(),
        4,
        "run ids, then the run, its requests and its timeline"
    );
    for q in &queries {
        assert_eq!(q.method, "POST");
        assert_eq!(q.query["org"], "acme");
        assert_eq!(q.headers["authorization"], "Token tok-abc");
        let flux = &serde_json::from_str::<serde_json::Value>(&q.body).unwrap()["query"];
        assert!(
            flux.as_str().unwrap().starts_with("from(bucket: \"perf\")"),
            "{flux}"
        );
    }
    let first = &queries[0].body;
    for part in [
        r#"r.branch == \"main\""#,
        r#"r.scenario == \"influx-mix\""#,
        "limit(n: 2)",
        "desc: true",
    ] {
        assert!(first.contains(part), "{part} in {first}");
    }

    assert_eq!(st.prune(Some(&main_branch()), None, 0).unwrap(), 1);
    let deletes: Vec<Request> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/v2/delete")
        .collect();
    assert_eq!(deletes.len(), points::ALL.len());
    assert!(
        deletes[0]
            .body
            .contains(&format!("run_id=\\\"{}\\\"", run.meta.run_id)),
        "{}",
        deletes[0].body
    );
}
