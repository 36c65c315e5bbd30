//! No data is never "ok": SLOs on zero samples, a mix request never picked, gated metrics
//! without samples, calls left out of the latency figures, and partial runs as trials.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::verdicts::run;
use common::{demo, tailguard, text};
use tailguard_demo::DemoConfig;

fn write(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path.display().to_string()
}

/// A loopback port nobody listens on (bound by this test, then released): every call is refused.
fn refused_target() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

fn refused_scenario(slo: &str) -> String {
    format!(
        "name = \"refused\"\ntarget = \"{}\"\nslo = [{slo:?}]\n\n[request]\npath = \"/\"\n\n[load]\nrate = 50\nduration = \"1s\"\nconnections = 2\n",
        refused_target()
    )
}

#[test]
fn latency_slo_with_no_response_is_breached_as_no_data() {
    let dir = tempfile::tempdir().unwrap();
    let s = write(dir.path(), "s.toml", &refused_scenario("p99 < 100ms"));
    let o = tailguard(&["run", &s, "--quiet"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("slo FAIL p99 < 100ms  (actual no data)"),
        "{out}"
    );
    assert!(
        out.contains("no data: none of 50 calls produced a response"),
        "{out}"
    );
}

#[test]
fn an_slo_may_allow_no_data_explicitly() {
    let dir = tempfile::tempdir().unwrap();
    let s = write(
        dir.path(),
        "s.toml",
        &refused_scenario("p99 < 100ms or no data"),
    );
    let o = tailguard(&["run", &s, "--quiet"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("slo ok   p99 < 100ms or no data  (actual no data)"),
        "{out}"
    );
}

#[test]
fn a_mix_request_never_picked_fails_the_run() {
    let server = demo(DemoConfig::default());
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "name = \"mix\"\ntarget = \"{}\"\n\n[[requests]]\nname = \"common\"\npath = \"/\"\n\n[[requests]]\nname = \"rare\"\npath = \"/\"\nweight = 1e-12\n\n[load]\nrate = 100\nrequests = 30\nconnections = 2\n",
        server.url()
    );
    let s = write(dir.path(), "s.toml", &body);
    let o = tailguard(&["run", &s, "--quiet"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("slo FAIL request \"rare\" of the mix was called  (actual no data)"),
        "{out}"
    );
}

#[test]
fn latency_rows_say_how_many_calls_they_leave_out() {
    let mut r = run("s", "main", 0, 1.0, 1);
    let measured = r.measurement().unwrap().histograms.latency.len();
    r.measurement_mut().unwrap().summary.requests = measured + 7;
    let table = tailguard::report::terminal::summary(&r);
    assert!(
        table.contains("(leaves out 7 calls that failed without a response)"),
        "{table}"
    );
    r.measurement_mut().unwrap().summary.requests = measured;
    assert!(!tailguard::report::terminal::summary(&r).contains("leaves out"));
}

/// Three baseline trials of "s" and three candidate trials, the candidate's with no response.
fn no_data_files(dir: &Path, cancelled: bool) -> (Vec<String>, Vec<String>) {
    let mut base = Vec::new();
    let mut cand = Vec::new();
    for t in 0..3 {
        let b = run("s", "main", t, 1.0, 3);
        base.push(write(
            dir,
            &format!("b{t}.json"),
            &serde_json::to_string(&b).unwrap(),
        ));
        let mut c = run("s", "feature", t, 1.0, 3);
        if cancelled {
            c.cancelled = true;
        } else {
            let m = c.measurement_mut().unwrap();
            m.summary.errors = m.summary.requests;
            m.summary.error_rate = 1.0;
            m.histograms.latency.clear();
            m.histograms.service_time.clear();
        }
        cand.push(write(
            dir,
            &format!("c{t}.json"),
            &serde_json::to_string(&c).unwrap(),
        ));
    }
    (base, cand)
}

fn compare(base: &[String], cand: &[String], extra: &[&str]) -> std::process::Output {
    let mut args = vec!["compare", "--baseline"];
    args.extend(base.iter().map(String::as_str));
    args.push("--candidate");
    args.extend(cand.iter().map(String::as_str));
    args.extend(extra);
    tailguard(&args)
}

#[test]
fn a_gated_metric_without_samples_fails_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let (base, cand) = no_data_files(dir.path(), false);
    let o = compare(&base, &cand, &["--metrics", "p99"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("no data: candidate trial 1 has no sample of p99"),
        "{out}"
    );
}

#[test]
fn partial_runs_are_trials_only_with_allow_partial() {
    let dir = tempfile::tempdir().unwrap();
    let (base, cand) = no_data_files(dir.path(), true);
    let o = compare(&base, &cand, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("3 cancelled (partial) run(s)") && out.contains("c0.json"),
        "{out}"
    );
    let o = compare(&base, &cand, &["--allow-partial"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// A saturation run whose lowest level already fails sustained nothing: exit 1, even without
/// `must_sustain`.
#[test]
fn a_saturation_run_that_sustains_no_level_fails() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "name = \"sat\"\ntarget = \"{}\"\nslo = [\"p95 < 3s\"]\n\n[request]\npath = \"/\"\n\n[load]\nconnections = 2\n\n[saturation]\nfrom = 20\nto = 40\nsteps = 2\nhold = \"500ms\"\n",
        refused_target()
    );
    let s = write(dir.path(), "s.toml", &body);
    let o = tailguard(&["run", &s, "--quiet"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}
