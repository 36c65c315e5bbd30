//! The embedded default store: one JSON result per run under
//! `<root>/<branch>/<scenario>/<started_at>_<run_id>.json`, so a baseline can be committed to the
//! repository or kept as a CI artifact. Names are percent-encoded into single path segments
//! (`feature/x` → `feature%2Fx`); file names sort by time.

use std::path::{Path, PathBuf};

use bench_core::result::RunResult;

use super::{BranchName, Saved, Store, StoreError, StoredRun};

/// Runs as files below a root directory.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    /// A store rooted at `root` (created on first save).
    #[must_use]
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn scenario_dir(&self, branch: &BranchName, scenario: &str) -> PathBuf {
        self.root
            .join(encode(branch.as_str()))
            .join(encode(scenario))
    }

    /// The entries of `dir`; none when it does not exist.
    fn entries(dir: &Path) -> Result<Vec<std::fs::DirEntry>, StoreError> {
        match std::fs::read_dir(dir) {
            Ok(e) => Ok(e.filter_map(Result::ok).collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(source) => Err(StoreError::Io {
                action: "listing",
                path: dir.to_owned(),
                source,
            }),
        }
    }

    fn files(dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
        let mut files: Vec<PathBuf> = Self::entries(dir)?
            .into_iter()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        Ok(files)
    }

    fn subdirs(dir: &Path) -> Result<Vec<(String, PathBuf)>, StoreError> {
        let mut dirs: Vec<(String, PathBuf)> = Self::entries(dir)?
            .into_iter()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| (decode(&e.file_name().to_string_lossy()), e.path()))
            .collect();
        dirs.sort();
        Ok(dirs)
    }

    /// (branch, scenario, dir) triples matching the filters.
    fn groups(
        &self,
        branch: Option<&BranchName>,
        scenario: Option<&str>,
    ) -> Result<Vec<(String, String, PathBuf)>, StoreError> {
        let mut out = Vec::new();
        for (b, bdir) in Self::subdirs(&self.root)? {
            if branch.is_some_and(|want| want.as_str() != b) {
                continue;
            }
            for (s, sdir) in Self::subdirs(&bdir)? {
                if scenario.is_some_and(|want| want != s) {
                    continue;
                }
                out.push((b.clone(), s, sdir));
            }
        }
        Ok(out)
    }
}

impl Store for FileStore {
    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    fn save(&self, branch: &BranchName, run: &RunResult) -> Result<Saved, StoreError> {
        let dir = self.scenario_dir(branch, &run.meta.scenario);
        let stamp: String = run
            .started_at
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        // Shards of one run share its id (and often its start): the shard keeps them apart.
        let shard = run
            .meta
            .shard
            .map(|s| format!(".shard{}of{}", s.index, s.count))
            .unwrap_or_default();
        let path = dir.join(format!("{stamp}_{}{shard}.json", encode(&run.meta.run_id)));
        // Write then rename, so a crash never leaves a half-written run behind.
        crate::atomic::write(&path, serde_json::to_string(run)?.as_bytes())?;
        Ok(Saved {
            location: path.display().to_string(),
            warning: None,
        })
    }

    fn baseline(
        &self,
        branch: &BranchName,
        scenario: &str,
        n: usize,
    ) -> Result<Vec<RunResult>, StoreError> {
        let files = Self::files(&self.scenario_dir(branch, scenario))?;
        let start = files.len().saturating_sub(n);
        files[start..]
            .iter()
            .map(|p| RunResult::read(p).map_err(StoreError::from))
            .collect()
    }

    fn by_run_id(&self, run_id: &str) -> Result<Vec<RunResult>, StoreError> {
        let needle = format!("_{}", encode(run_id));
        let mut out = Vec::new();
        for (_, _, dir) in self.groups(None, None)? {
            for path in Self::files(&dir)? {
                let named = path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().contains(&needle));
                if named {
                    let run = RunResult::read(&path)?;
                    if run.meta.run_id == run_id {
                        out.push(run);
                    }
                }
            }
        }
        Ok(out)
    }

    fn list(
        &self,
        branch: Option<&BranchName>,
        scenario: Option<&str>,
    ) -> Result<Vec<StoredRun>, StoreError> {
        let mut out = Vec::new();
        for (b, s, dir) in self.groups(branch, scenario)? {
            for path in Self::files(&dir)? {
                let run = RunResult::read(&path)?;
                out.push(StoredRun {
                    branch: b.clone(),
                    scenario: s.clone(),
                    run_id: run.meta.run_id,
                    started_at: run.started_at,
                    location: path.display().to_string(),
                });
            }
        }
        Ok(out)
    }

    fn prune(
        &self,
        branch: Option<&BranchName>,
        scenario: Option<&str>,
        keep: usize,
    ) -> Result<usize, StoreError> {
        let mut deleted = 0;
        for (_, _, dir) in self.groups(branch, scenario)? {
            let files = Self::files(&dir)?;
            let drop = files.len().saturating_sub(keep);
            for path in &files[..drop] {
                std::fs::remove_file(path).map_err(|source| StoreError::Io {
                    action: "deleting",
                    path: path.clone(),
                    source,
                })?;
                deleted += 1;
            }
        }
        Ok(deleted)
    }
}

/// Percent-encode everything but `[A-Za-z0-9._-]` so a name is one safe path segment.
#[must_use]
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out.starts_with('.') {
        out.replace_range(0..1, "%2E");
    }
    out
}

/// Inverse of [`encode`].
#[must_use]
pub fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_encoding() {
        for name in ["main", "feature/x-1", "a b%c", ".hidden", "ünï"] {
            let e = encode(name);
            assert!(!e.contains('/') && !e.starts_with('.'), "{e}");
            assert_eq!(decode(&e), name);
        }
    }

    #[test]
    fn branch_names_are_validated() {
        assert!(BranchName::new("feature/x").is_ok());
        assert!(BranchName::new("").is_err());
        assert!(BranchName::new("a/../b").is_err());
        assert!(BranchName::new("a\nb").is_err());
    }
}

#[cfg(test)]
mod store_tests {
    use std::time::{Duration, SystemTime};

    use bench_core::recorder::{Counts, Series};
    use bench_core::result::{RunMeta, RunResult};
    use bench_core::Recording;

    use super::*;

    fn run(scenario: &str, id: &str, secs: u64, p: u64) -> RunResult {
        let mut s = Series::default();
        for i in 0..1000 {
            s.latency.record_us(p + i);
            s.service.record_us(p);
        }
        s.requests = 1000;
        let rec = Recording {
            started_at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs),
            duration: Duration::from_secs(1),
            window: Duration::from_secs(1),
            completion_span: Duration::from_secs(1),
            journeys: Vec::new(),
            checks: Vec::new(),
            series: vec![("r".into(), s)],
            counts: Counts::default(),
            timeline: Vec::new(),
            cancelled: false,
            target_rps: None,
            generator: Default::default(),
        };
        let meta = RunMeta {
            run_id: id.into(),
            scenario: scenario.into(),
            ..RunMeta::default()
        };
        RunResult::new(meta, &rec)
    }

    #[test]
    fn saves_lists_reads_newest_n_in_order_and_prunes() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        let main = BranchName::new("main").unwrap();
        let feature = BranchName::new("feature/x").unwrap();
        for (i, id) in ["a", "b", "c", "d"].iter().enumerate() {
            store
                .save(&main, &run("s1", id, i as u64 * 10, 100 + i as u64))
                .unwrap();
        }
        store.save(&main, &run("s2", "e", 5, 100)).unwrap();
        store.save(&feature, &run("s1", "f", 5, 100)).unwrap();

        let last2 = store.baseline(&main, "s1", 2).unwrap();
        let ids: Vec<&str> = last2.iter().map(|r| r.meta.run_id.as_str()).collect();
        assert_eq!(ids, ["c", "d"], "newest two, oldest first");
        assert_eq!(
            last2[1],
            run("s1", "d", 30, 103),
            "histograms read back exactly"
        );
        assert!(store.baseline(&main, "nope", 3).unwrap().is_empty());
        assert_eq!(store.list(None, None).unwrap().len(), 6);
        assert_eq!(
            store.list(Some(&feature), None).unwrap()[0].branch,
            "feature/x"
        );
        assert_eq!(store.list(Some(&main), Some("s1")).unwrap().len(), 4);

        assert_eq!(store.prune(Some(&main), None, 1).unwrap(), 3);
        let left: Vec<String> = store
            .list(None, None)
            .unwrap()
            .into_iter()
            .map(|r| r.run_id)
            .collect();
        assert_eq!(left, ["f", "d", "e"]);
    }

    #[test]
    fn unknown_schema_version_is_a_clear_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        let main = BranchName::new("main").unwrap();
        let path = store.save(&main, &run("s", "a", 0, 100)).unwrap().location;
        let text = std::fs::read_to_string(&path).unwrap().replace(
            &format!("\"schema_version\":{}", bench_core::result::SCHEMA_VERSION),
            "\"schema_version\":7",
        );
        std::fs::write(&path, text).unwrap();
        let err = store.baseline(&main, "s", 5).unwrap_err().to_string();
        assert!(err.contains(&path) && err.contains("version 7"), "{err}");
    }
}
