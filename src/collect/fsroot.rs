//! Read-only access to a host file system through a root directory (`/` live, or a mounted or
//! copied host for `--root`). Absolute symlinks are resolved inside the root, never outside it.

use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Component, Path, PathBuf};

use crate::facts::{FileFact, FileKind, FileStat, Observed, Unavailable, UnavailableKind};

/// Largest file whose content is kept in the facts (config files are far smaller).
pub const MAX_CONTENT_BYTES: u64 = 1024 * 1024;
const MAX_SYMLINK_HOPS: usize = 40;

/// What to record about one path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileRequest {
    /// Absolute path on the host.
    pub path: String,
    /// Keep the text content (small config files).
    pub content: bool,
    /// Keep the names in a directory.
    pub list: bool,
}

impl FileRequest {
    pub fn stat(path: impl Into<String>) -> Self {
        FileRequest {
            path: path.into(),
            content: false,
            list: false,
        }
    }
    pub fn read(path: impl Into<String>) -> Self {
        FileRequest {
            content: true,
            ..FileRequest::stat(path)
        }
    }
    pub fn list(path: impl Into<String>) -> Self {
        FileRequest {
            list: true,
            ..FileRequest::stat(path)
        }
    }

    /// Whether an earlier observation already holds what this request asks for.
    pub fn satisfied_by(&self, fact: &FileFact) -> bool {
        match &fact.observed {
            Observed::Seen(stat) => {
                (!self.content || stat.content.is_some() || stat.kind != FileKind::File)
                    && (!self.list || stat.entries.is_some() || stat.kind != FileKind::Dir)
            }
            Observed::Unavailable(_) => true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct FsRoot {
    root: PathBuf,
}

impl FsRoot {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        FsRoot { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn is_live(&self) -> bool {
        self.root == Path::new("/")
    }

    /// The path on this machine for a host path, symlinks resolved inside the root.
    pub fn resolve(&self, host_path: &str) -> io::Result<PathBuf> {
        if self.is_live() {
            return Ok(PathBuf::from(host_path));
        }
        let mut resolved = PathBuf::from("/");
        let mut pending: Vec<String> = components(host_path);
        pending.reverse();
        let mut hops = 0;
        while let Some(part) = pending.pop() {
            if part == ".." {
                resolved.pop();
                continue;
            }
            let candidate = resolved.join(&part);
            let on_disk = self.join(&candidate);
            match std::fs::symlink_metadata(&on_disk) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    hops += 1;
                    if hops > MAX_SYMLINK_HOPS {
                        return Err(io::Error::other("too many levels of symbolic links"));
                    }
                    let target = std::fs::read_link(&on_disk)?;
                    let target = target.to_string_lossy().to_string();
                    if target.starts_with('/') {
                        resolved = PathBuf::from("/");
                    }
                    let mut more = components(&target);
                    more.reverse();
                    pending.extend(more);
                }
                _ => resolved = candidate,
            }
        }
        Ok(self.join(&resolved))
    }

    /// The path itself on disk, its parent directories resolved inside the root: the last
    /// component's own symlink is seen, and a symlink in a parent (`certs.d -> /etc/docker`)
    /// never leads out of the root.
    fn literal(&self, host_path: &str) -> io::Result<PathBuf> {
        let path = Path::new(host_path);
        match (path.parent(), path.file_name()) {
            (Some(parent), Some(name)) if !self.is_live() => {
                Ok(self.resolve(&parent.to_string_lossy())?.join(name))
            }
            _ => Ok(self.join(path)),
        }
    }

    fn join(&self, host_path: &Path) -> PathBuf {
        let relative = host_path.strip_prefix("/").unwrap_or(host_path);
        self.root.join(relative)
    }

    /// Stat one path (following symlinks inside the root) and record what was asked for.
    pub fn observe(&self, req: &FileRequest) -> FileFact {
        FileFact {
            observed: match self.observe_inner(req) {
                Ok(stat) => Observed::Seen(stat),
                Err(u) => Observed::Unavailable(u),
            },
        }
    }

    fn observe_inner(&self, req: &FileRequest) -> Result<FileStat, Unavailable> {
        let literal = self
            .literal(&req.path)
            .map_err(|e| Unavailable::from_io(&req.path, &e))?;
        let link_target = match std::fs::symlink_metadata(&literal) {
            Ok(meta) if meta.file_type().is_symlink() => std::fs::read_link(&literal)
                .ok()
                .map(|t| t.to_string_lossy().to_string()),
            Ok(_) => None,
            Err(e) => return Err(Unavailable::from_io(&req.path, &e)),
        };
        let on_disk = self
            .resolve(&req.path)
            .map_err(|e| Unavailable::from_io(&req.path, &e))?;
        let meta = std::fs::metadata(&on_disk).map_err(|e| Unavailable::from_io(&req.path, &e))?;
        let ft = meta.file_type();
        let kind = if ft.is_dir() {
            FileKind::Dir
        } else if ft.is_socket() {
            FileKind::Socket
        } else if ft.is_fifo() {
            FileKind::Fifo
        } else if ft.is_char_device() {
            FileKind::CharDevice
        } else if ft.is_block_device() {
            FileKind::BlockDevice
        } else {
            FileKind::File
        };
        let content = (req.content && kind == FileKind::File)
            .then(|| read_text(&on_disk, &req.path, meta.len()));
        let entries = (req.list && kind == FileKind::Dir).then(|| {
            let mut names: Vec<String> = std::fs::read_dir(&on_disk)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| e.file_name().to_string_lossy().to_string())
                        .collect()
                })
                .unwrap_or_default();
            names.sort();
            names
        });
        Ok(FileStat {
            kind,
            mode: meta.mode() & 0o7777,
            uid: meta.uid(),
            gid: meta.gid(),
            size: meta.len(),
            link_target,
            content,
            entries,
        })
    }
}

fn components(path: &str) -> Vec<String> {
    Path::new(path)
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().to_string()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect()
}

fn read_text(on_disk: &Path, host_path: &str, len: u64) -> Observed<String> {
    if len > MAX_CONTENT_BYTES {
        return Observed::unavailable(
            UnavailableKind::Malformed,
            format!(
                "{host_path}: {len} bytes, larger than the {MAX_CONTENT_BYTES}-byte limit for config files"
            ),
        );
    }
    match std::fs::read(on_disk) {
        Ok(bytes) if bytes.contains(&0) => Observed::unavailable(
            UnavailableKind::Malformed,
            format!("{host_path}: binary content, not a text config file"),
        ),
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Observed::Seen(text),
            Err(_) => Observed::unavailable(
                UnavailableKind::Malformed,
                format!("{host_path}: not valid UTF-8"),
            ),
        },
        Err(e) => Observed::Unavailable(Unavailable::from_io(host_path, &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    #[test]
    fn absolute_symlinks_resolve_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("etc/docker")).unwrap();
        std::fs::create_dir_all(root.join("srv")).unwrap();
        std::fs::write(root.join("srv/daemon.json"), "{}").unwrap();
        std::fs::set_permissions(
            root.join("srv/daemon.json"),
            std::fs::Permissions::from_mode(0o640),
        )
        .unwrap();
        symlink("/srv/daemon.json", root.join("etc/docker/daemon.json")).unwrap();
        let fs = FsRoot::new(root);
        let fact = fs.observe(&FileRequest::read("/etc/docker/daemon.json"));
        let Observed::Seen(stat) = fact.observed else {
            panic!("expected seen: {fact:?}");
        };
        assert_eq!(stat.mode, 0o640);
        assert_eq!(stat.link_target.as_deref(), Some("/srv/daemon.json"));
        assert_eq!(stat.content, Some(Observed::Seen("{}".into())));
    }

    #[test]
    fn symlink_loops_and_missing_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        symlink("/b", root.join("a")).unwrap();
        symlink("/a", root.join("b")).unwrap();
        let fs = FsRoot::new(root);
        let Observed::Unavailable(u) = fs.observe(&FileRequest::stat("/a")).observed else {
            panic!("loop must not be seen");
        };
        assert!(u.reason.contains("symbolic links"), "{}", u.reason);
        let Observed::Unavailable(u) = fs.observe(&FileRequest::stat("/missing")).observed else {
            panic!("missing must not be seen");
        };
        assert_eq!(u.kind, UnavailableKind::NotFound);
    }

    /// `certs.d -> /etc/docker` inside a --root: files under it are the root's, never the
    /// scanning machine's (the name below exists in neither /etc/docker).
    #[test]
    fn absolute_symlinks_in_parent_directories_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("etc/docker")).unwrap();
        std::fs::write(root.join("etc/docker/threatbench-only-in-root.crt"), "x").unwrap();
        symlink("/etc/docker", root.join("etc/docker/certs.d")).unwrap();
        symlink("/nowhere", root.join("etc/docker/dangling")).unwrap();
        let fs = FsRoot::new(root);
        let fact = fs.observe(&FileRequest::read(
            "/etc/docker/certs.d/threatbench-only-in-root.crt",
        ));
        let Observed::Seen(stat) = fact.observed else {
            panic!("expected seen through the parent symlink: {fact:?}");
        };
        assert_eq!(stat.content, Some(Observed::Seen("x".into())));
        // A link reached through a linked parent is still seen as a link.
        let Observed::Unavailable(u) = fs
            .observe(&FileRequest::stat("/etc/docker/certs.d/dangling"))
            .observed
        else {
            panic!("a dangling link must not be seen");
        };
        assert_eq!(u.kind, UnavailableKind::NotFound, "{}", u.reason);
        // A loop names the path once.
        symlink("/etc/docker/loop", root.join("etc/docker/loop")).unwrap();
        let Observed::Unavailable(u) = fs.observe(&FileRequest::stat("/etc/docker/loop")).observed
        else {
            panic!("a loop must not be seen");
        };
        assert_eq!(
            u.reason,
            "/etc/docker/loop: too many levels of symbolic links"
        );
    }

    #[test]
    fn binary_content_is_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bin"), [0u8, 1, 2]).unwrap();
        let fs = FsRoot::new(dir.path());
        let Observed::Seen(stat) = fs.observe(&FileRequest::read("/bin")).observed else {
            panic!()
        };
        assert!(matches!(stat.content, Some(Observed::Unavailable(_))));
    }
}
