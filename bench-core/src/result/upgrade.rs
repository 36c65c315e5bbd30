//! The reader of older result files: a file of schema version 1 or 2 is rewritten, as JSON,
//! into the current shape before it is deserialised, so the rest of the code sees one model.
//!
//! Version 3 moved the gate policy from the untyped `config.gate` to the typed `gate`, and
//! named the kind of run (`kind`: `load`, `steps` when it has `saturation`, `micro` when it has
//! `iterations`); versions 1 and 2 differ only by fields that take their defaults.

use serde_json::Value;

use super::SCHEMA_VERSION;

/// Rewrite a version 1 or 2 result into the current shape (the caller checked the version).
pub(super) fn to_current(run: &mut Value) {
    let Some(obj) = run.as_object_mut() else {
        return;
    };
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
    obj.insert("schema_version".into(), Value::from(SCHEMA_VERSION));
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{RunResult, SCHEMA_VERSION};

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
}
