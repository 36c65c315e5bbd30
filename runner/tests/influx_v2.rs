//! The InfluxDB 2.x native API (org, bucket, token) against a local recording HTTP server: no
//! 2.x server can be installed where this project is built and tested, so the server here checks
//! the request shape and answers queries with annotated CSV built from what was written to it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use common::demo;
use common::recording::{Answer, Recording, Request};
use tailguard::store::influx::config::InfluxConfig;
use tailguard::store::influx::{line, points, Api, InfluxStore};
use tailguard::store::spool::Spool;
use tailguard::store::{BranchName, Store};
use tailguard_demo::DemoConfig;

/// Answer `/api/v2/write` with 204 and `/api/v2/query` with annotated CSV made from what was
/// written, as a 2.x server would (one table per point and field, so no empty cells).
fn fake_v2(req: &Request, before: &[Request]) -> Answer {
    match req.path.as_str() {
        "/api/v2/write" | "/api/v2/delete" => Answer::new(204, "text/plain", ""),
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
            Answer::new(200, "text/csv", csv)
        }
        _ => Answer::new(404, "text/plain", "not found"),
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
    let _ = writeln!(
        out,
        "#datatype,string,long,dateTime:RFC3339,string,string{},{dtype}",
        ",string".repeat(n)
    );
    let _ = writeln!(
        out,
        "#group,false,false,false,true,true{},false",
        ",true".repeat(n)
    );
    let _ = writeln!(out, "#default,_result,,,,{},", ",".repeat(n));
    let names: Vec<String> = tags.iter().map(|(k, _)| k.clone()).collect();
    let _ = writeln!(
        out,
        ",result,table,_time,_measurement,_field,{},_value",
        names.join(",")
    );
    let vals: Vec<String> = tags.iter().map(|(_, v)| q(v)).collect();
    let _ = write!(
        out,
        ",,{table},{time},{m},{},{},{}\n\n",
        q(field),
        vals.join(","),
        q(value)
    );
}

type Fields = Vec<(String, (&'static str, String))>;

/// Line protocol → (measurement, tags, fields with Flux types, time).
fn parse_line(l: &str) -> (String, Vec<(String, String)>, Fields, i64) {
    // Split at unescaped separators outside quotes (keeping the escapes for `unescape`).
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
    // key, fields, time
    let parts = split(l, ' ');
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
    let scenario = dir.path().join("influx-mix.toml");
    std::fs::write(&scenario, common::mix_scenario("influx-mix", 200)).unwrap();
    let target = demo(DemoConfig::default());
    let mut run = common::run_to_json(&scenario, &target.url(), &dir.path().join("run.json"));
    let main_branch = || BranchName::new("main").unwrap();
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
