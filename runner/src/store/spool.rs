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
        crate::atomic::write(&path, body.as_bytes())?;
        Ok(path)
    }

    /// Where entries that can never be delivered are moved, each with a `.reason` file.
    #[must_use]
    pub fn rejected_dir(&self) -> PathBuf {
        self.dir.join(REJECTED)
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
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "lp"))
            .collect();
        files.sort();
        Ok(files)
    }

    /// Send every spooled file with `send` (which gets a file's whole body and returns how many
    /// points the server accepted), removing each file once accepted. An entry that can never be
    /// delivered (empty, not line protocol, or refused by the server for its content, see
    /// [`StoreError::rejects_content`]) is moved to [`Spool::rejected_dir`] with the reason, and
    /// the replay goes on; any other failure (server down, wrong credentials) stops it.
    pub fn replay(
        &self,
        mut send: impl FnMut(&str) -> Result<usize, StoreError>,
    ) -> Result<Replayed, StoreError> {
        let mut done = Replayed::default();
        let files = self.pending()?;
        done.remaining = files.len();
        for file in files {
            let outcome = match check(&file) {
                Err(reason) => Err(reason),
                Ok(body) => match send(&body) {
                    Ok(points) => Ok(points),
                    Err(e) if e.rejects_content() => Err(Undeliverable::Refused(e)),
                    Err(error) => {
                        return Err(StoreError::Replay {
                            file,
                            done,
                            source: Box::new(error),
                        })
                    }
                },
            };
            match outcome {
                Ok(points) => {
                    std::fs::remove_file(&file).map_err(|source| StoreError::Io {
                        action: "removing",
                        path: file.clone(),
                        source,
                    })?;
                    done.files += 1;
                    done.points += points;
                }
                Err(reason) => done.rejected.push(self.reject(&file, &reason.to_string())?),
            }
            done.remaining -= 1;
        }
        Ok(done)
    }

    /// Move `file` to `rejected/` and write `reason` next to it; returns where it went.
    fn reject(&self, file: &Path, reason: &str) -> Result<Rejected, StoreError> {
        let dir = self.rejected_dir();
        let name = file.file_name().unwrap_or_default();
        let to = dir.join(name);
        let mut why = to.clone().into_os_string();
        why.push(".reason");
        crate::atomic::write(Path::new(&why), format!("{reason}\n").as_bytes())?;
        std::fs::rename(file, &to).map_err(|source| StoreError::Io {
            action: "moving to rejected/",
            path: file.to_owned(),
            source,
        })?;
        Ok(Rejected {
            file: to,
            reason: reason.to_owned(),
        })
    }
}

/// The folder of undeliverable entries, inside the spool.
pub const REJECTED: &str = "rejected";

/// A spool file's body, or why it can never be delivered.
fn check(file: &Path) -> Result<String, Undeliverable> {
    let bytes = std::fs::read(file).map_err(Undeliverable::Unreadable)?;
    let body = String::from_utf8(bytes)
        .map_err(|e| Undeliverable::NotUtf8(e.utf8_error().valid_up_to()))?;
    match super::influx::reader::count_points(&body) {
        Ok(0) => Err(Undeliverable::Empty),
        Ok(_) => Ok(body),
        Err(e) => Err(Undeliverable::Corrupt(e)),
    }
}

/// Why a spooled file can never be delivered (written next to it in `rejected/`).
#[derive(Debug, thiserror::Error)]
enum Undeliverable {
    /// The file cannot be read.
    #[error("unreadable: {0}")]
    Unreadable(std::io::Error),
    /// Not UTF-8, from this byte offset.
    #[error("corrupt: not UTF-8 text (byte offset {0})")]
    NotUtf8(usize),
    /// No points in it.
    #[error("empty: no points")]
    Empty,
    /// A line that is not line protocol.
    #[error("corrupt: {0}")]
    Corrupt(super::influx::reader::LineError),
    /// The server refused its content.
    #[error(transparent)]
    Refused(StoreError),
}

/// What a replay delivered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replayed {
    /// Files sent and removed.
    pub files: usize,
    /// Points in them.
    pub points: usize,
    /// Files still spooled.
    pub remaining: usize,
    /// Entries moved to `rejected/`.
    pub rejected: Vec<Rejected>,
}

/// A spool entry set aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Where it is now (in `rejected/`).
    pub file: PathBuf,
    /// Why.
    pub reason: String,
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

    #[test]
    fn bad_entries_are_set_aside_with_the_reason_and_replay_goes_on(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let spool = Spool::new(dir.path().join("spool"));
        spool.put("a-empty", "\n\n")?;
        std::fs::write(
            spool.dir().join("0000000000001_b-binary.lp"),
            [b'm', 0xff, 0xfe],
        )?;
        spool.put("c-corrupt", "m a=1i 1\nm a=\"open\n")?;
        spool.put("d-refused", "m refused=1i 1\n")?;
        spool.put("e-good", "m a=1i 1\nm a=2i 2\n")?;
        let done = spool.replay(|body| {
            if body.contains("refused") {
                Err(StoreError::Influx(
                    crate::store::influx::InfluxError::Status {
                        status: 400,
                        body: "partial write: field type conflict".into(),
                    },
                ))
            } else {
                Ok(body.lines().count())
            }
        })?;
        assert_eq!((done.files, done.points, done.remaining), (1, 2, 0));
        assert!(spool.pending()?.is_empty());
        let reasons: Vec<String> = done.rejected.iter().map(|r| r.reason.clone()).collect();
        let expected = [
            "not UTF-8 text (byte offset 1)",
            "empty",
            "corrupt: line 2, column 10: unterminated string",
            "400: partial write: field type conflict",
        ];
        assert_eq!(reasons.len(), expected.len(), "{reasons:?}");
        for (reason, words) in reasons.iter().zip(expected) {
            assert!(reason.contains(words), "{reason:?} lacks {words:?}");
        }
        for r in &done.rejected {
            assert_eq!(r.file.parent(), Some(spool.rejected_dir().as_path()));
            let mut why = r.file.clone().into_os_string();
            why.push(".reason");
            assert_eq!(std::fs::read_to_string(why)?.trim(), r.reason);
        }
        // A second replay has nothing left to do and leaves rejected/ alone.
        assert_eq!(spool.replay(|_| Ok(0))?, Replayed::default());
        assert_eq!(std::fs::read_dir(spool.rejected_dir())?.count(), 8);
        Ok(())
    }
}
