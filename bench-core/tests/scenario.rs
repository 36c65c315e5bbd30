//! Scenario files: interpolation, defaults, overrides, and errors that name file, line, column
//! and field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

#[path = "common/scenario_text.rs"]
mod scenario_text;

use bench_core::pacer::LoadModel;
use bench_core::scenario::{Scenario, ScenarioError};
use scenario_text::{http, parse, BASIC};

#[test]
fn interpolation_and_defaults() {
    let s = parse(BASIC, &[]).unwrap();
    assert_eq!(s.target, "http://127.0.0.1:9999/api");
    assert_eq!(http(&s)[0].path, "/items?id=7");
    assert_eq!(http(&s)[0].method, "GET");
    assert_eq!(
        http(&s)[0].headers,
        vec![("authorization".to_owned(), "Bearer s3cr3t-value".to_owned())]
    );
    let c = s.run_config();
    assert_eq!(c.connections, 16);
    assert_eq!(c.timeout, Duration::from_secs(30));
    assert_eq!(c.warmup, Duration::ZERO);
    match c.model {
        LoadModel::Open { profile, .. } => assert_eq!(profile.duration(), Duration::from_secs(2)),
        LoadModel::Closed { .. } => panic!("default model is open"),
    }
}

#[test]
fn secrets_from_the_environment_never_reach_the_stored_config() {
    let s = parse(BASIC, &[]).unwrap();
    let stored = serde_json::to_string(&s.redacted_config()).unwrap();
    assert!(!stored.contains("s3cr3t-value"), "{stored}");
    assert!(stored.contains("${API_TOKEN}"), "{stored}");
    let literal = BASIC.replace("Bearer ${API_TOKEN}", "Bearer literal-token");
    let s = parse(&literal, &[]).unwrap();
    let stored = serde_json::to_string(&s.redacted_config()).unwrap();
    assert!(!stored.contains("literal-token"), "{stored}");
    let creds = BASIC.replace(
        "${TARGET_URL:-http://127.0.0.1:8080}",
        "http://user:pw@127.0.0.1:1",
    );
    // Credentials in the target URL would never be sent: refused, without repeating them.
    let err = parse(&creds, &[]).unwrap_err().to_string();
    assert!(err.contains("user info"), "{err}");
    assert!(!err.contains("pw@"), "{err}");
}

#[test]
fn syntax_error_names_line_and_column() {
    let text = "name = \"x\"\ntarget = \"http://127.0.0.1:1\"\n[load]\nrate = = 3\n";
    let e = parse(text, &[]).unwrap_err();
    match &e {
        ScenarioError::Invalid { loc, .. } => {
            assert_eq!(loc.line, 4, "{e}");
            assert!(loc.column >= 6, "{e}");
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().starts_with("test.toml:4:"), "{e}");
}

#[test]
fn unknown_and_mistyped_fields_are_located() {
    let text = BASIC.replace("rate = 100", "rat = 100");
    let e = parse(&text, &[]).unwrap_err().to_string();
    assert!(
        e.starts_with("test.toml:10:1: load.rat:") && e.contains("unknown field `rat`"),
        "{e}"
    );

    let text = BASIC.replace("rate = 100", "rate = \"fast\"");
    let e = parse(&text, &[]).unwrap_err().to_string();
    assert!(
        e.contains("test.toml:10:") && e.contains("load.rate"),
        "{e}"
    );

    let text = BASIC.replace("duration = \"2s\"", "duration = \"soon\"");
    let e = parse(&text, &[]).unwrap_err().to_string();
    assert!(
        e.contains("test.toml:11:") && e.contains("invalid duration"),
        "{e}"
    );
}

#[test]
fn semantic_errors_name_the_field_and_its_line() {
    let text = BASIC.replace("rate = 100\n", "");
    let e = parse(&text, &[]).unwrap_err().to_string();
    assert!(e.contains("load.rate") && e.contains("needs `rate`"), "{e}");
    assert!(e.starts_with("test.toml:9:"), "points at [load]: {e}");

    let text = BASIC.replace("Bearer ${API_TOKEN}", "Bearer ${MISSING_TOKEN}");
    let e = parse(&text, &[]).unwrap_err().to_string();
    assert!(
        e.starts_with("test.toml:7:")
            && e.contains("request.headers.authorization")
            && e.contains("MISSING_TOKEN"),
        "{e}"
    );
}

#[test]
fn slo_thresholds_parse() {
    let text = BASIC.replace(
        "name = \"basic\"",
        "name = \"basic\"\nslo = [\"p99 < 200ms\", \"error_rate < 1%\"]",
    );
    let s = parse(&text, &[]).unwrap();
    assert_eq!(s.slos.len(), 2);
    let text = BASIC.replace(
        "name = \"basic\"",
        "name = \"basic\"\nslo = [\"p99 < 200ms\", \"latency is fine\"]",
    );
    let e = parse(&text, &[]).unwrap_err().to_string();
    assert!(
        e.starts_with("test.toml:3:23:") && e.contains("slo[1]"),
        "{e}"
    );
}

#[test]
fn closed_model_and_stages() {
    let closed = "name = \"c\"\ntarget = \"http://127.0.0.1:1\"\n[request]\n[load]\nmodel = \"closed\"\nworkers = 8\nthink_time = \"10ms\"\nrequests = 50\n";
    let c = parse(closed, &[]).unwrap().run_config();
    assert_eq!(c.connections, 8);
    assert_eq!(c.stop.max_requests, Some(50));
    let ramp = "name = \"r\"\ntarget = \"http://127.0.0.1:1\"\n[request]\n[load]\nstart_rate = 10\nstages = [{ duration = \"10s\", rate = 100 }, { duration = \"5s\", rate = 100 }]\n";
    match parse(ramp, &[]).unwrap().run_config().model {
        LoadModel::Open { profile, .. } => {
            assert_eq!(profile.duration(), Duration::from_secs(15));
            assert!((profile.expected_arrivals() - (550.0 + 500.0)).abs() < 1e-6);
        }
        LoadModel::Closed { .. } => panic!(),
    }
    let bad = closed.replace("workers = 8", "rate = 5");
    assert!(parse(&bad, &[])
        .unwrap_err()
        .to_string()
        .contains("closed model"));
}

#[test]
fn every_example_scenario_in_the_repo_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml")
            && path.file_name().is_some_and(|n| n != "Cargo.toml")
        {
            let text = std::fs::read_to_string(&path).unwrap();
            Scenario::parse(&text, &path, &[], &|_| None).unwrap_or_else(|e| panic!("{e}"));
            n += 1;
        }
    }
    assert!(n >= 3, "found {n} scenarios");
}

const SATURATION: &str = r#"
name = "pool"
target = "http://127.0.0.1:8080"
slo = ["p99 < 200ms", "rps > 1"]

[request]
path = "/db"

[load]
warmup = "1s"
connections = 64

[saturation]
from = 50
to = 1000
steps = 10
hold = "10s"
must_sustain = "200 req/s with p99 < 150ms"
"#;

#[test]
fn saturation_section_makes_a_step_plan_with_the_required_level() {
    use bench_core::steps::Dimension;
    let s = parse(SATURATION, &[]).unwrap();
    let plan = s.step_plan().unwrap();
    assert_eq!(plan.dimension, Dimension::Rate);
    assert_eq!(plan.hold, Duration::from_secs(10));
    assert!((plan.stop_error_rate - 0.10).abs() < 1e-12);
    assert_eq!(
        plan.levels.len(),
        11,
        "10 steps plus the must_sustain level"
    );
    assert!(plan.levels.contains(&200.0));
    assert!(plan.levels.windows(2).all(|w| w[0] < w[1]));
    let c = s.saturation_criteria();
    assert_eq!(c.slos.len(), 2);
    assert!((c.tolerance - 0.05).abs() < 1e-12);
    let r = s.requirement().unwrap();
    assert_eq!((r.rps, r.slos[0].text.as_str()), (200.0, "p99 < 150ms"));
    assert!(parse(BASIC, &[]).unwrap().step_plan().is_none());

    let closed = parse(
        SATURATION,
        &[
            "load.model=\"closed\"",
            "saturation.from=1",
            "saturation.to=16",
            "saturation.steps=4",
            "saturation.tolerance=\"20%\"",
        ],
    )
    .unwrap();
    let plan = closed.step_plan().unwrap();
    assert_eq!(plan.dimension, Dimension::Workers);
    assert_eq!(plan.levels, vec![1.0, 6.0, 11.0, 16.0]);
    assert!((closed.saturation_criteria().tolerance - 0.2).abs() < 1e-12);
}

#[test]
fn saturation_errors_name_the_field() {
    // The bad values come from overrides, so the errors name the override, not a line of the
    // file that the user never wrote.
    let expect = |overrides: &[&str], field: &str| {
        let e = parse(SATURATION, overrides).unwrap_err().to_string();
        let set = format!("--set {}: ", overrides[overrides.len() - 1]);
        assert!(e.contains(field) && e.starts_with(&set), "{e}");
    };
    expect(&["load.rate=100"], "load.rate");
    expect(&["load.duration=\"5s\""], "load.duration");
    expect(&["saturation.levels=[1, 2]"], "saturation.levels");
    expect(&["saturation.steps=0"], "saturation.steps");
    expect(&["saturation.to=10"], "saturation.to");
    expect(&["saturation.hold=\"0s\""], "saturation.hold");
    expect(
        &["saturation.stop_error_rate=\"150%\""],
        "saturation.stop_error_rate",
    );
    expect(
        &["saturation.must_sustain=\"soon\""],
        "saturation.must_sustain",
    );
    expect(&["saturation.bogus=1"], "saturation");
}

/// `load.drain`: default 5 s (never more than the timeout), set explicitly, or refused when
/// longer than the timeout, naming the field and its line.
#[test]
fn drain_defaults_to_five_seconds_capped_by_the_timeout() {
    let s = parse(BASIC, &[]).unwrap();
    assert_eq!(s.run_config().effective_drain(), Duration::from_secs(5));
    let s = parse(BASIC, &["load.timeout=\"2s\""]).unwrap();
    assert_eq!(s.run_config().effective_drain(), Duration::from_secs(2));
    let s = parse(BASIC, &["load.drain=\"250ms\""]).unwrap();
    assert_eq!(s.run_config().effective_drain(), Duration::from_millis(250));
    let text = BASIC.replace(
        "duration = \"2s\"\n",
        "duration = \"2s\"\ntimeout = \"1s\"\ndrain = \"3s\"\n",
    );
    let e = parse(&text, &[]).unwrap_err().to_string();
    assert!(
        e.starts_with("test.toml:13:") && e.contains("load.drain") && e.contains("load.timeout"),
        "{e}"
    );
}

/// `load.send_grid`: 1 ms by default, "0" for every call at its own time; refused above 100 ms
/// and in the closed model, naming the field.
#[test]
fn send_grid_defaults_to_a_millisecond_and_zero_means_exact() {
    let s = parse(BASIC, &[]).unwrap();
    assert_eq!(s.run_config().send_grid, Duration::from_millis(1));
    let s = parse(BASIC, &["load.send_grid=\"0\""]).unwrap();
    assert_eq!(s.run_config().send_grid, Duration::ZERO);
    let s = parse(BASIC, &["load.send_grid=\"5ms\""]).unwrap();
    assert_eq!(s.run_config().send_grid, Duration::from_millis(5));
    let e = parse(BASIC, &["load.send_grid=\"1s\""])
        .unwrap_err()
        .to_string();
    assert!(e.contains("load.send_grid") && e.contains("100ms"), "{e}");
    let closed = BASIC.replace("rate = 100\n", "model = \"closed\"\nworkers = 4\n");
    let e = parse(&closed, &["load.send_grid=\"1ms\""])
        .unwrap_err()
        .to_string();
    assert!(e.contains("load.send_grid") && e.contains("closed"), "{e}");
}
