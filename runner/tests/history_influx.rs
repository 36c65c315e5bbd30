//! `tailguard history` against a real `influxd` (v1 API): 12 commits of the demo target, then
//! 12 at +20 %, measured by the real engine and saved to InfluxDB; the history names the first
//! slower commit, writes the change points back as `tailguard_change_point`, and the Grafana
//! dashboard's annotation query finds them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::history::{
    assert_names_the_first_slower_commit, save_commit, scenario, sha, target, DELAY_MS, FAST,
    SLOW_DELAY_MS,
};
use common::influxd::Influxd;
use common::{json, tailguard, text};

#[test]
fn history_over_influxdb_names_the_first_slower_commit_and_annotates_it() {
    let influx = Influxd::start();
    influx.create_db("perf");
    let url = influx.url();
    let (fast, slow) = (target(DELAY_MS), target(SLOW_DELAY_MS));
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(dir.path());
    let spool = dir.path().join("spool");
    let store = [
        "--store",
        "influx",
        "--influx-url",
        &url,
        "--influx-db",
        "perf",
        "--spool-dir",
        spool.to_str().unwrap(),
    ];
    for i in 0..2 * FAST {
        let at = if i < FAST { fast.url() } else { slow.url() };
        save_commit(&s, &at, i, &store);
    }
    let out = dir.path().join("history.json");
    let mut args = vec![
        "history",
        "--metrics",
        "p50,p95,p99",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(&store);
    let o = tailguard(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let h = json(&out);
    assert_names_the_first_slower_commit(&h);
    let written = h["change_points"].as_array().unwrap().len() as u64;
    assert!(
        text(&o).contains(&format!("wrote {written} change point(s)")),
        "{}",
        text(&o)
    );

    // Stored as their own measurement, once per change point (a second history overwrites).
    let o = tailguard(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let q = r#"SELECT count("change") FROM "tailguard_change_point""#;
    assert_eq!(influx.count("perf", q), written);
    let v = influx.query(
        "perf",
        r#"SELECT "change", "p_value", "run_id" FROM "tailguard_change_point" WHERE "metric" = 'p95'"#,
    );
    let row = &v["results"][0]["series"][0];
    assert_eq!(row["values"].as_array().unwrap().len(), 1, "{v}");

    // The dashboard's annotation query, filled as Grafana fills it, finds them with their text.
    let dash: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../docs/grafana/tailguard.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let ann = &dash["annotations"]["list"][0];
    let q = ann["query"]
        .as_str()
        .unwrap()
        .replace("$scenario", "hist")
        .replace("$branch", "main")
        .replace("$timeFilter", "time > 0");
    let v = influx.query("perf", &q);
    let series = &v["results"][0]["series"][0];
    let columns = series["columns"].as_array().unwrap();
    let text_col = columns
        .iter()
        .position(|c| c == ann["textColumn"].as_str().unwrap())
        .unwrap();
    let texts: Vec<&str> = series["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[text_col].as_str().unwrap())
        .collect();
    assert_eq!(texts.len() as u64, written, "{v}");
    let first_slower = sha(FAST);
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("hist p95: +") && t.contains(&first_slower)),
        "{texts:?}"
    );
}
