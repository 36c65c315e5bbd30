//! `tailguard history` end to end on the file store: the real engine against the demo target,
//! 12 commits at one delay then 12 at +20 %, saved with distinct commits; the history names the
//! first slower commit, `--fail-on-new` alerts once on the commit that reveals it, and the
//! JSON, markdown, charts and HTML page are written.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::history::{
    assert_names_the_first_slower_commit, save_commit, scenario, target, DELAY_MS, FAST,
    SLOW_DELAY_MS,
};
use common::{json, tailguard, text};

#[test]
fn history_names_the_first_slower_commit_and_fail_on_new_alerts_once() {
    let (fast, slow) = (target(DELAY_MS), target(SLOW_DELAY_MS));
    let dir = tempfile::tempdir().unwrap();
    let s = scenario(dir.path());
    let store_dir = dir.path().join("store");
    let store = ["--store-dir", store_dir.to_str().unwrap()];
    for i in 0..FAST {
        save_commit(&s, &fast.url(), i, &store);
    }
    // After each slower commit, the baselines workflow's check.
    let mut alerts = Vec::new();
    for i in FAST..2 * FAST {
        save_commit(&s, &slow.url(), i, &store);
        let o = tailguard(&["history", "--fail-on-new", "--store-dir", store[1]]);
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
        if o.status.code() == Some(1) {
            assert!(
                text(&o).contains("new regression in hist p9"),
                "{}",
                text(&o)
            );
            alerts.push(i);
        }
    }
    // Seen by about the 5th slower commit (the minimum segment). It can come a little earlier:
    // a split may then sit a commit or two before the first slower one (both segments keep 5
    // commits), which is an early, true alert whose location is off by that much.
    assert!(
        alerts.first().is_some_and(|a| (FAST..FAST + 8).contains(a)),
        "alerts after commits {alerts:?}"
    );

    let out = dir.path().join("history.json");
    let html = dir.path().join("trend");
    let report = dir.path().join("report");
    let o = tailguard(&[
        "history",
        "hist",
        "--metrics",
        "p50,p95,p99,throughput",
        "--store-dir",
        store[1],
        "--out",
        out.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
        "--report-dir",
        report.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let h = json(&out);
    assert_names_the_first_slower_commit(&h);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("hist p99") && stdout.contains("regression"),
        "{stdout}"
    );
    // The series are in the JSON, one point per commit in commit order.
    let p99 = h["series"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["metric"] == "p99")
        .unwrap();
    let points = p99["points"].as_array().unwrap();
    assert_eq!(points.len(), 24);
    assert!(points
        .windows(2)
        .all(|w| w[0]["time"].as_str() < w[1]["time"].as_str()));
    // Markdown section with PNG links, charts as SVG and real PNG, a self-contained page.
    let md = std::fs::read_to_string(report.join("history.md")).unwrap();
    assert!(
        md.contains("## History of `main`") && md.contains("charts/history-hist-p99.png"),
        "{md}"
    );
    let png = std::fs::read(report.join("charts/history-hist-p99.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let svg = std::fs::read_to_string(report.join("charts/history-hist-p99.svg")).unwrap();
    assert!(svg.contains("<svg"));
    let page = std::fs::read_to_string(html.join("index.html")).unwrap();
    assert!(
        page.contains("<svg") && !page.contains("<script src") && !page.contains("href=\"http")
    );
    assert!(
        page.contains(&common::history::sha(FAST)),
        "the commits are in the page's table"
    );

    // No stored run is an error, never an empty "no change".
    let o = tailguard(&["history", "--branch", "nope", "--store-dir", store[1]]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("no stored runs of branch nope"),
        "{}",
        text(&o)
    );
}

/// Bad flags name the flag and exit 2 before anything is read.
#[test]
fn bad_history_flags_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let cases: [(&[&str], &str); 9] = [
        (&["--alpha", "2"], "--alpha"),
        (&["--alpha", "0.001"], "smallest p-value"),
        (&["--min-segment", "0"], "min_segment"),
        (
            &["--metrics", "p42"],
            "'p42' for '--metrics <METRICS>': unknown metric \"p42\"",
        ),
        (&["--threshold", "ten"], "--threshold"),
        (
            &["--since", "yesterdayish"],
            "--since <TIME>': \"yesterdayish\": expected RFC 3339",
        ),
        (
            &["--min-change=-5%"],
            "'-5%' for '--min-change <MIN_CHANGE>': \"-5%\" must be 0% or more",
        ),
        (&["--min-change", "NaN"], "--min-change"),
        (
            &["--min-error-rate-change", "lots"],
            "--min-error-rate-change",
        ),
    ];
    for (extra, want) in cases {
        let mut args = vec!["history", "--store-dir", d];
        args.extend_from_slice(extra);
        let o = tailguard(&args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", text(&o));
        assert!(text(&o).contains(want), "{want:?} in {}", text(&o));
    }
    let o = tailguard(&["history", "--store-dir", &format!("{d}/nope")]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("no such directory"), "{}", text(&o));
}
