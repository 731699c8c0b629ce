//! Writing files safely and keeping their old bytes: atomic replacement (a temporary file in the
//! same directory, renamed over the original, with the original's mode and owner) and backups in
//! the state directory, so a rollback restores the bytes exactly.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Mode, owner and content of a file before a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub bytes: Vec<u8>,
}

/// Read a file's bytes, mode and owner; `None` when it does not exist.
pub fn snapshot(path: &Path) -> io::Result<Option<Snapshot>> {
    match fs::metadata(path) {
        Ok(meta) => {
            if !meta.is_file() {
                return Err(io::Error::other(format!(
                    "{} is not a regular file",
                    path.display()
                )));
            }
            Ok(Some(Snapshot {
                mode: meta.mode() & 0o7777,
                uid: meta.uid(),
                gid: meta.gid(),
                bytes: fs::read(path)?,
            }))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Replace `path` with `bytes` atomically: write a temporary file next to it, give it `mode` and
/// (when given) the owner, flush it to disk, rename it over `path`, and flush the directory.
pub fn write_atomic(
    path: &Path,
    bytes: &[u8],
    mode: u32,
    owner: Option<(u32, u32)>,
) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.threatbench-{}", std::process::id()));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::fchown(&f, Some(uid), Some(gid))?;
        }
        f.set_permissions(fs::Permissions::from_mode(mode))?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The backups of one apply, under `<state>/backups/<apply id>/`.
pub struct BackupSet {
    pub dir: PathBuf,
}

impl BackupSet {
    pub fn create(state_dir: &Path, apply_id: &str) -> io::Result<BackupSet> {
        let dir = state_dir.join("backups").join(apply_id);
        fs::create_dir_all(&dir)?;
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))?;
        Ok(BackupSet { dir })
    }

    /// Keep `bytes` as backup number `n`; returns the path relative to the state directory.
    /// Backups are private (0600): daemon.json may hold secrets.
    pub fn store(&self, n: usize, bytes: &[u8]) -> io::Result<String> {
        let path = self.dir.join(format!("{n}.orig"));
        write_atomic(&path, bytes, 0o600, None)?;
        let apply_id = self
            .dir
            .file_name()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        Ok(format!("backups/{apply_id}/{n}.orig"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_keeps_the_requested_mode_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("daemon.json");
        fs::write(&path, "{}").unwrap();
        write_atomic(&path, b"{\"icc\": false}\n", 0o640, None).unwrap();
        let snap = snapshot(&path).unwrap().unwrap();
        assert_eq!(snap.bytes, b"{\"icc\": false}\n");
        assert_eq!(snap.mode, 0o640);
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert_eq!(snapshot(&dir.path().join("absent")).unwrap(), None);
    }
}
