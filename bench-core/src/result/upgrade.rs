//! The reader of older result files: a file of schema version 1 to 3 is rewritten, as JSON,
//! into the current shape before it is deserialised, so the rest of the code sees one model.
//!
//! Version 3 moved the gate policy from the untyped `config.gate` to the typed `gate`, and
//! named the kind of run (`kind`: `load`, `steps` when it has `saturation`, `micro` when it has
//! `iterations`); versions 1 and 2 differ only by fields that take their defaults. Version 4
//! named the kind `instructions` (an instruction-count run was a `load` run with its counts in
//! `config.instructions`), and a `micro` or `instructions` run lost the `summary`, `histograms`,
//! `requests` and `timeline` it used to make up (iterations as calls, no percentiles).

use serde_json::{Map, Value};

use super::SCHEMA_VERSION;

/// What a `micro` or `instructions` run of versions 1 to 3 made up to look like a load run.
const MADE_UP: [&str; 4] = ["summary", "histograms", "requests", "timeline"];

/// Rewrite a version `found` (1 to 3) result into the current shape.
pub(super) fn to_current(run: &mut Value, found: u64) {
    let Some(obj) = run.as_object_mut() else {
        return;
    };
    if found < 3 {
        to_v3(obj);
    }
    to_v4(obj);
    obj.insert("schema_version".into(), Value::from(SCHEMA_VERSION));
}

/// The typed gate policy, and the kind from the field the run carries.
fn to_v3(obj: &mut Map<String, Value>) {
    let gate = obj
        .get("config")
        .and_then(|c| c.get("gate"))
        .filter(|g| !g.is_null())
        .cloned();
    if let Some(gate) = gate {
        obj.entry("gate").or_insert(gate);
    }
    let kind = if obj.get("saturation").is_some_and(|s| !s.is_null()) {
        "steps"
    } else if obj.get("iterations").is_some_and(|s| !s.is_null()) {
        "micro"
    } else {
        "load"
    };
    obj.insert("kind".into(), Value::from(kind));
}

/// Instruction counts become their own kind; the made-up load fields of the runs that measured
/// no load are dropped.
fn to_v4(obj: &mut Map<String, Value>) {
    let counts = obj
        .get("config")
        .and_then(|c| c.get("instructions"))
        .filter(|i| i.is_object())
        .cloned();
    let is_instructions = obj.get("protocol").and_then(Value::as_str) == Some("instructions");
    if let Some(counts) = counts.filter(|_| is_instructions) {
        obj.insert("kind".into(), Value::from("instructions"));
        obj.insert("instructions".into(), counts);
    }
    if matches!(
        obj.get("kind").and_then(Value::as_str),
        Some("micro" | "instructions")
    ) {
        for field in MADE_UP {
            obj.remove(field);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{RunResult, SCHEMA_VERSION};
    use super::MADE_UP;

    /// A load run written by tailguard at schema version 2, with `config` replaced.
    fn v2(config: serde_json::Value) -> String {
        let text = include_str!("../../../runner/tests/fixtures/schema-v2/load.json");
        let mut run: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(run["schema_version"], 2);
        run["config"] = config;
        run.to_string()
    }

    #[test]
    fn a_v2_files_config_gate_becomes_the_typed_policy() {
        let text = v2(json!({ "name": "s", "gate": { "threshold": 0.2, "method": "welch" } }));
        let run = RunResult::from_json(&text, "old.json").unwrap();
        assert_eq!(run.schema_version, SCHEMA_VERSION);
        assert_eq!(run.meta.gate.threshold, Some(0.2));
        assert_eq!(run.meta.gate.method.as_deref(), Some("welch"));
        // The description is kept as it was written.
        assert_eq!(run.meta.config["gate"]["threshold"], 0.2);
    }

    #[test]
    fn a_v2_file_without_a_gate_has_the_default_policy() {
        let run = RunResult::from_json(&v2(json!({ "name": "s" })), "old.json").unwrap();
        assert_eq!(run.meta.gate, Default::default());
    }

    #[test]
    fn a_damaged_v2_gate_is_an_error_naming_the_file() {
        let text = v2(json!({ "gate": { "threshold": "lots" } }));
        let e = RunResult::from_json(&text, "old.json")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("old.json: ") && e.contains("lots"), "{e}");
    }

    #[test]
    fn v3_instruction_counts_become_their_own_kind_without_a_made_up_summary() {
        let text = include_str!("../../../runner/tests/fixtures/schema-v3/instructions.json");
        let run = RunResult::from_json(text, "old.json").unwrap();
        assert_eq!(run.kind.name(), "instructions");
        let counts = run.instructions().unwrap();
        assert_eq!(counts.valgrind, "3.19.0");
        assert_eq!(counts.metrics["Ir"], 5403.0);
        assert!(run.summary().is_none());
        let again = serde_json::to_value(&run).unwrap();
        assert!(again.get("summary").is_none() && again.get("histograms").is_none());
        assert_eq!(again["instructions"]["metrics"]["Ir"], 5403.0);
    }

    #[test]
    fn a_v3_micro_run_keeps_its_samples_and_drops_its_made_up_summary() {
        let text = include_str!("../../../runner/tests/fixtures/schema-v3/criterion.json");
        let old: serde_json::Value = serde_json::from_str(text).unwrap();
        assert!(old["summary"]["requests"].as_u64().unwrap() > 0, "made up");
        let run = RunResult::from_json(text, "old.json").unwrap();
        assert!(run.summary().is_none() && run.measurement().is_none());
        assert_eq!(
            run.iterations().unwrap().iters.len(),
            old["iterations"]["iters"].as_array().unwrap().len()
        );
        let again = serde_json::to_value(&run).unwrap();
        for field in MADE_UP {
            assert!(again.get(field).is_none(), "{field}");
        }
    }
}
