//! Files written whole or not at all: the bytes go to a temporary file next to the target, which
//! is renamed over it once complete. A failed write (a full disk, a read-only directory) removes
//! the temporary file, so no `.tmp` debris is left, and a full disk says how much to free.

use std::fs::File;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// A failed write; nothing was left behind.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The file system ran out of space.
    #[error(
        "writing {}: the disk is full; free at least {} on the file system of {} and retry",
        path.display(), kib(*needed), dir.display()
    )]
    Full {
        /// The file that was being written.
        path: PathBuf,
        /// Its directory.
        dir: PathBuf,
        /// Bytes the file needs.
        needed: u64,
    },
    /// Any other failure.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// Cause.
        source: io::Error,
    },
}

/// Write `bytes` to `path` atomically, creating parent directories (`std::fs::write`'s
/// arguments).
pub fn write(path: impl AsRef<Path>, bytes: impl AsRef<[u8]>) -> Result<(), WriteError> {
    write_with(path.as_ref(), bytes.as_ref(), |file, bytes| {
        file.write_all(bytes)?;
        file.sync_all()
    })
}

/// [`write`] with the step that fills the temporary file given (the seam tests use to inject a
/// full disk).
pub fn write_with(
    path: &Path,
    bytes: &[u8],
    fill: impl FnOnce(&mut File, &[u8]) -> io::Result<()>,
) -> Result<(), WriteError> {
    let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => d.to_owned(),
        None => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| classify(e, "creating", &dir, path, bytes))?;
    let tmp = tmp_path(path);
    let mut file = File::create(&tmp).map_err(|e| classify(e, "creating", &tmp, path, bytes))?;
    let filled = fill(&mut file, bytes);
    drop(file);
    let done = filled
        .map_err(|e| classify(e, "writing", &tmp, path, bytes))
        .and_then(|()| {
            std::fs::rename(&tmp, path).map_err(|e| classify(e, "renaming", &tmp, path, bytes))
        });
    if done.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    done
}

/// `dir/.name.<pid>.tmp`: hidden, unique per process, never matching a store's `*.json` or a
/// spool's `*.lp`.
fn tmp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

fn classify(
    source: io::Error,
    action: &'static str,
    at: &Path,
    path: &Path,
    bytes: &[u8],
) -> WriteError {
    if is_full(&source) {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        return WriteError::Full {
            path: path.to_owned(),
            dir: dir.to_owned(),
            needed: bytes.len() as u64,
        };
    }
    WriteError::Io {
        action,
        path: at.to_owned(),
        source,
    }
}

/// ENOSPC, or EDQUOT (a quota counts as a full disk to the user).
fn is_full(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::StorageFull || matches!(e.raw_os_error(), Some(28 | 122))
}

fn kib(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} bytes")
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    #[test]
    fn writes_whole_files_and_replaces_old_ones() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("a/b/r.json");
        write(&path, b"one")?;
        write(&path, b"two")?;
        assert_eq!(std::fs::read_to_string(&path)?, "two");
        assert_eq!(names(&dir.path().join("a/b")), ["r.json"]);
        Ok(())
    }

    #[test]
    fn a_full_disk_leaves_no_debris_and_says_what_to_free() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("r.json");
        write(&path, b"old")?;
        let big = vec![b'x'; 5000];
        let err = write_with(&path, &big, |file, bytes| {
            file.write_all(&bytes[..100])?;
            Err(io::Error::from_raw_os_error(28))
        })
        .err()
        .ok_or("the injected failure was ignored")?;
        let msg = err.to_string();
        assert!(
            matches!(err, WriteError::Full { needed: 5000, .. }),
            "{err:?}"
        );
        assert!(
            msg.contains("disk is full") && msg.contains("free at least 5 KiB"),
            "{msg}"
        );
        assert!(msg.contains(&dir.path().display().to_string()), "{msg}");
        assert_eq!(names(dir.path()), ["r.json"], "no .tmp left behind");
        assert_eq!(std::fs::read_to_string(&path)?, "old", "old file intact");
        Ok(())
    }

    #[test]
    fn other_failures_name_the_path_and_leave_nothing() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x")?;
        let err = write(blocker.join("r.json"), b"x")
            .err()
            .ok_or("writing below a file succeeded")?;
        assert!(err.to_string().contains("creating"), "{err}");
        assert_eq!(names(dir.path()), ["file"]);
        Ok(())
    }
}
