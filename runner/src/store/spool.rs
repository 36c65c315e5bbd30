//! The spool: runs that could not be stored yet, kept locally as line-protocol files until
//! `tailguard store replay` delivers them. A file is removed only after the server accepted
//! every point in it; resending a file is harmless (same series, same timestamps, same values).

use std::path::{Path, PathBuf};

use super::StoreError;

/// A spool directory.
#[derive(Debug, Clone)]
pub struct Spool {
    dir: PathBuf,
}

impl Spool {
    /// The spool in `dir` (created on first use).
    #[must_use]
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Keep `body` (line protocol of run `run_id`); returns the file.
    pub fn put(&self, run_id: &str, body: &str) -> Result<PathBuf, StoreError> {
        let io = |action, path: &Path| {
            let path = path.to_owned();
            move |source| StoreError::Io {
                action,
                path,
                source,
            }
        };
        std::fs::create_dir_all(&self.dir).map_err(io("creating", &self.dir))?;
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let safe: String = run_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = self.dir.join(format!("{millis:013}_{safe}.lp"));
        let tmp = path.with_extension("lp.tmp");
        std::fs::write(&tmp, body).map_err(io("writing", &tmp))?;
        std::fs::rename(&tmp, &path).map_err(io("renaming", &tmp))?;
        Ok(path)
    }

    /// Spooled files, oldest first.
    pub fn pending(&self) -> Result<Vec<PathBuf>, StoreError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(StoreError::Io {
                    action: "listing",
                    path: self.dir.clone(),
                    source,
                })
            }
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "lp"))
            .collect();
        files.sort();
        Ok(files)
    }

    /// Send every spooled file with `send` (which gets a file's whole body and returns how many
    /// points the server accepted), removing each file once accepted. Stops at the first failure.
    pub fn replay(
        &self,
        mut send: impl FnMut(&str) -> Result<usize, StoreError>,
    ) -> Result<Replayed, StoreError> {
        let mut done = Replayed::default();
        let files = self.pending()?;
        done.remaining = files.len();
        for file in files {
            let body = std::fs::read_to_string(&file).map_err(|source| StoreError::Io {
                action: "reading",
                path: file.clone(),
                source,
            })?;
            match send(&body) {
                Ok(points) => {
                    std::fs::remove_file(&file).map_err(|source| StoreError::Io {
                        action: "removing",
                        path: file.clone(),
                        source,
                    })?;
                    done.files += 1;
                    done.points += points;
                    done.remaining -= 1;
                }
                Err(error) => {
                    return Err(StoreError::Replay {
                        file,
                        done,
                        source: Box::new(error),
                    })
                }
            }
        }
        Ok(done)
    }
}

/// What a replay delivered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Replayed {
    /// Files sent and removed.
    pub files: usize,
    /// Points in them.
    pub points: usize,
    /// Files still spooled.
    pub remaining: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_removes_only_accepted_files_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("spool"));
        assert_eq!(spool.replay(|_| Ok(0)).unwrap(), Replayed::default());
        let a = spool.put("run/a", "m a=1i 1\n").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = spool.put("run-b", "m b=1i 2\nm b=2i 3\n").unwrap();
        assert!(
            a < b
                && a.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .ends_with("_run_a.lp")
        );
        let mut seen = Vec::new();
        let err = spool
            .replay(|body| {
                seen.push(body.to_owned());
                if body.contains("b=") {
                    Err(StoreError::BadName {
                        what: "test",
                        name: "down".into(),
                    })
                } else {
                    Ok(body.lines().count())
                }
            })
            .unwrap_err();
        let StoreError::Replay { file, done, .. } = err else {
            panic!("{err}")
        };
        assert_eq!(
            (file, done.files, done.points, done.remaining),
            (b.clone(), 1, 1, 1)
        );
        assert_eq!(spool.pending().unwrap(), vec![b]);
        let done = spool.replay(|body| Ok(body.lines().count())).unwrap();
        assert_eq!((done.files, done.points, done.remaining), (1, 2, 0));
        assert!(spool.pending().unwrap().is_empty());
        assert_eq!(seen.len(), 2);
    }
}
