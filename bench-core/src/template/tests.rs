//! Unit tests of templates: parsing, typed JSON holes, per-call values, errors.
#![cfg(test)]

use std::collections::HashSet;
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;

use rand::rngs::SmallRng;
use rand::SeedableRng;

use super::*;
use crate::feeder::{Feeder, Order};

fn rng() -> SmallRng {
    SmallRng::seed_from_u64(1)
}

fn render(t: &Template, sources: &Sources, rng: &mut SmallRng) -> String {
    let mut v = sources.draw(t.needs(), rng);
    t.render_string(&mut v)
}

#[test]
fn literal_text_stays_literal() -> TestResult {
    let t = Template::text("/users/42?x={a}", Names::default())?;
    assert_eq!(t.literal(), Some("/users/42?x={a}"));
    let t = Template::text("a{{\"{{\"}}b", Names::default())?;
    assert_eq!(t.literal(), Some("a{{b"));
    Ok(())
}

#[test]
fn seq_uuid_and_random_int_are_distinct_per_call() -> TestResult {
    let sources = Sources::default();
    let t = Template::text(
        "/u/{{seq}}/{{ uuid }}/{{random_int 1 1000}}",
        Names::default(),
    )?;
    assert!(t.literal().is_none());
    assert_eq!(
        t.needs(),
        Needs {
            seq: true,
            row: false
        }
    );
    let mut rng = rng();
    let mut seqs = HashSet::new();
    let mut uuids = HashSet::new();
    let mut ints = HashSet::new();
    for _ in 0..10_000 {
        let s = render(&t, &sources, &mut rng);
        let parts: Vec<&str> = s.split('/').collect();
        seqs.insert(parts[2].parse::<u64>()?);
        let uuid = parts[3];
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4", "version nibble in {uuid}");
        assert!("89ab".contains(&uuid[19..20]), "variant in {uuid}");
        uuids.insert(uuid.to_owned());
        let n: i64 = parts[4].parse()?;
        assert!((1..=1000).contains(&n), "{n}");
        ints.insert(n);
    }
    assert_eq!(seqs.len(), 10_000);
    assert_eq!(seqs.iter().max(), Some(&9_999));
    assert_eq!(uuids.len(), 10_000);
    assert!(ints.len() > 990, "{} of 1000 values seen", ints.len());
    assert!(ints.contains(&1) && ints.contains(&1000));
    Ok(())
}

#[test]
fn json_whole_placeholders_are_typed_and_partial_ones_escaped() -> TestResult {
    let dir = tempfile::tempdir()?;
    let p = dir.path().join("d.jsonl");
    std::fs::write(&p, "{\"id\": 7, \"name\": \"a \\\"q\\\"\"}\n")?;
    let feeder = Arc::new(Feeder::load(&p, Order::Sequential)?);
    let sources = Sources::new(Some(feeder), 1);
    let value = serde_json::json!({
        "id": "{{id}}",
        "n": "{{random_int 5 5}}",
        "label": "user {{name}} #{{seq}}",
        "k": "{{uuid}}",
        "fixed": [1, true, null, "x"],
    });
    let t = Template::json(&value, sources.names())?;
    let text = render(&t, &sources, &mut rng());
    let back: serde_json::Value = serde_json::from_str(&text)?;
    assert_eq!(back["id"], 7);
    assert_eq!(back["n"], 5);
    assert_eq!(back["label"], "user a \"q\" #0");
    assert_eq!(back["k"].as_str().map(str::len), Some(36));
    assert_eq!(back["fixed"], serde_json::json!([1, true, null, "x"]));
    Ok(())
}

#[test]
fn csv_columns_render_as_strings() -> TestResult {
    let dir = tempfile::tempdir()?;
    let p = dir.path().join("d.csv");
    std::fs::write(&p, "user_id\n10\n11\n")?;
    let sources = Sources::new(Some(Arc::new(Feeder::load(&p, Order::Sequential)?)), 1);
    let t = Template::json(&serde_json::json!({"id": "{{user_id}}"}), sources.names())?;
    let mut rng = rng();
    assert_eq!(render(&t, &sources, &mut rng), r#"{"id":"10"}"#);
    assert_eq!(render(&t, &sources, &mut rng), r#"{"id":"11"}"#);
    assert_eq!(render(&t, &sources, &mut rng), r#"{"id":"10"}"#);
    let path = Template::text("/users/{{user_id}}", sources.names())?;
    assert_eq!(render(&path, &sources, &mut rng), "/users/11");
    Ok(())
}

#[test]
fn bad_placeholders_are_explained() -> TestResult {
    let names = Names::default();
    let e = Template::text("{{user_id}}", names)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown placeholder {{user_id}}"), "{e}");
    let e = Template::text("{{random_int 9 1}}", names)
        .unwrap_err()
        .to_string();
    assert!(e.contains("MIN must not exceed MAX"), "{e}");
    let e = Template::text("{{random_int 1}}", names)
        .unwrap_err()
        .to_string();
    assert!(e.contains("random_int MIN MAX"), "{e}");
    let e = Template::text("x {{seq", names).unwrap_err().to_string();
    assert!(e.contains("unclosed"), "{e}");
    assert!(Template::text("{{seq 1}}", names).is_err());
    let columns = vec!["id".to_owned()];
    let e = Template::text(
        "{{name}}",
        Names {
            columns: &columns,
            ..Names::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("columns: id"), "{e}");
    Ok(())
}
