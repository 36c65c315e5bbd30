//! The result files of older schema versions (`tests/fixtures/schema-vN/`, written by
//! `tests/fixtures/make-results.sh`) and what every version's files must still do.

use std::path::{Path, PathBuf};

use bench_core::result::{RunResult, SCHEMA_VERSION};

use super::{json, tailguard, text};

/// Fixture `name` of schema version `version`.
pub fn fixture(version: u32, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/schema-v{version}/{name}"))
}

/// A path as an argument.
pub fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Each `(file, kind)` is a file of `version` that reads as a current result of that kind,
/// with a load measurement only for `load` and `steps`, and written again reads back the same.
pub fn read_as_current(version: u32, files: &[(&str, &str)]) {
    for &(name, kind) in files {
        let path = fixture(version, name);
        assert_eq!(json(&path)["schema_version"], version, "{name}");
        let run = RunResult::read(&path).unwrap();
        assert_eq!(run.schema_version, SCHEMA_VERSION, "{name}");
        assert_eq!(run.kind.name(), kind, "{name}");
        let measured = matches!(kind, "load" | "steps");
        assert_eq!(run.measurement().is_some(), measured, "{name}");
        let again = RunResult::from_json(&run.to_json().unwrap(), name).unwrap();
        assert_eq!(again, run, "{name}");
        let written = serde_json::to_value(&run).unwrap();
        assert_eq!(written["kind"], kind, "{name}");
        assert_eq!(written.get("summary").is_some(), measured, "{name}");
    }
}

/// `tailguard merge` of the version's two shards: the merged run, after checking that its
/// measurement is the version's own merged run's.
pub fn merge_shards(version: u32, out: &Path) -> RunResult {
    let (a, b) = (
        fixture(version, "shard-0.json"),
        fixture(version, "shard-1.json"),
    );
    let o = tailguard(&["merge", arg(&a), arg(&b), "--out", arg(out)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let merged = RunResult::read(out).unwrap();
    let old = RunResult::read(&fixture(version, "merged.json")).unwrap();
    assert_eq!(merged.schema_version, SCHEMA_VERSION);
    assert_eq!(merged.meta.run_id, format!("v{version}-shards"));
    assert_eq!(merged.meta.shard, None);
    assert!(merged.summary().unwrap().requests > 0);
    assert_eq!(merged.measurement(), old.measurement());
    merged
}

/// `compare` of two files of `version`: the verdict file it writes (a pass, a fail or
/// inconclusive, but no error).
pub fn compare(version: u32, (baseline, candidate): (&str, &str), out: &Path) -> serde_json::Value {
    let (b, c) = (fixture(version, baseline), fixture(version, candidate));
    let o = tailguard(&[
        "compare",
        "--baseline",
        arg(&b),
        "--candidate",
        arg(&c),
        "--out",
        arg(out),
    ]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    json(out)
}
