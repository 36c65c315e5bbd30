//! Scenario overrides (`--set`, flags): they win over the file, are typed, and their errors
//! name the override and the field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

#[path = "common/scenario_text.rs"]
mod scenario_text;

use bench_core::pacer::LoadModel;
use bench_core::scenario::{Override, Scenario, SetError};
use scenario_text::{env, http, parse, BASIC};

#[test]
fn overrides_win_and_are_typed() {
    let s = parse(
        BASIC,
        &[
            "load.rate=500",
            "load.duration=1m",
            "load.warmup=5s",
            "request.headers.x-env=staging",
        ],
    )
    .unwrap();
    let c = s.run_config();
    assert_eq!(c.warmup, Duration::from_secs(5));
    match c.model {
        LoadModel::Open { profile, .. } => {
            assert_eq!(profile.duration(), Duration::from_secs(60));
            assert!((profile.expected_arrivals() - 30_000.0).abs() < 1.0);
        }
        LoadModel::Closed { .. } => panic!(),
    }
    assert!(http(&s)[0]
        .headers
        .iter()
        .any(|(k, v)| k == "x-env" && v == "staging"));
    assert_eq!(Override::parse_set("load.rate"), Err(SetError::NoEquals));
    assert_eq!(
        Override::parse_set("load..rate=1"),
        Err(SetError::EmptySegment)
    );
    assert_eq!(
        SetError::NoEquals.to_string(),
        "expected key=value, e.g. load.rate=500"
    );
}

/// An override of the wrong type is reported against the override, with the field, and never
/// at a line of the file; the file's own errors keep their lines.
#[test]
fn typed_override_errors_name_the_override_and_field() {
    let e = |sets: &[&str]| parse(BASIC, sets).unwrap_err().to_string();
    assert_eq!(
        e(&["load.rate=abc"]),
        "--set load.rate=abc: load.rate: invalid type: string \"abc\", expected a number (requests per second)"
    );
    assert!(
        e(&["load.duration=soon"])
            .starts_with("--set load.duration=soon: load.duration: invalid duration \"soon\""),
        "{}",
        e(&["load.duration=soon"])
    );
    assert!(
        e(&["load.bogus=1"]).starts_with("--set load.bogus=1: load.bogus: unknown field `bogus`"),
        "{}",
        e(&["load.bogus=1"])
    );
    assert_eq!(
        e(&["name.first=x"]),
        "--set name.first=x: name.first: name is not a table"
    );
    // The last override of a field is the one blamed; an earlier good one is not.
    assert!(e(&["load.rate=5", "load.rate=-1"]).starts_with("--set load.rate=-1: load.rate:"));
    // Flags are named as the user wrote them.
    let rate = Override::new("--rate -5", "load.rate", -5.0);
    let err = Scenario::parse(BASIC, Path::new("test.toml"), &[rate], &env)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("--rate -5: load.rate: "), "{err}");
    // An error of the file itself is still located in it, whatever the overrides.
    let text = BASIC.replace("rate = 100", "rate = \"fast\"");
    let err = parse(&text, &["load.duration=3s"]).unwrap_err().to_string();
    assert!(err.starts_with("test.toml:10:"), "{err}");
}

/// `--connections`: the connections of the open model, the workers of the closed one (also
/// when a `--set` makes it closed), unless a `--set` names the workers.
#[test]
fn concurrency_sets_workers_in_the_closed_model() {
    let text = BASIC.replace("rate = 100\n", "");
    let with = |sets: &[&str]| {
        let mut o: Vec<Override> = vec![Override::concurrency("--connections 7", 7)];
        o.extend(sets.iter().map(|s| Override::parse_set(s).unwrap()));
        Scenario::parse(&text, Path::new("test.toml"), &o, &env).unwrap()
    };
    let open = parse(BASIC, &[]).unwrap();
    assert_ne!(open.file.load.connections, 7);
    let open = Scenario::parse(
        BASIC,
        Path::new("test.toml"),
        &[Override::concurrency("--connections 7", 7)],
        &env,
    )
    .unwrap();
    assert_eq!(
        (open.file.load.connections, open.file.load.workers),
        (7, None)
    );
    let closed = with(&["load.model=closed"]);
    assert_eq!(closed.file.load.workers, Some(7));
    let named = with(&["load.model=closed", "load.workers=3"]);
    assert_eq!(named.file.load.workers, Some(3));
    let zero = Override::concurrency("--connections 0", 0);
    let err = Scenario::parse(BASIC, Path::new("test.toml"), &[zero], &env)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("--connections 0: load.connections"),
        "{err}"
    );
}
