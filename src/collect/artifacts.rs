//! Build and deploy files for the linter: walk the paths the user named, pick the files that
//! could be Dockerfiles, compose files or Kubernetes manifests by name, and read them with the
//! limits that keep a scan of a large tree safe (size cap, binary detection, no symlink loops).

use std::path::{Path, PathBuf};

/// Files larger than this are skipped: no Dockerfile, compose file or manifest is this big, and
/// reading one would only cost memory.
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;

/// Directories never descended into.
pub const SKIPPED_DIRS: &[&str] = &[".git", "node_modules", "target"];

/// What a file's name says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameHint {
    Dockerfile,
    Compose,
    /// `.yaml`, `.yml` or `.json`: the content decides.
    Structured,
    /// Anything else: only linted when named on the command line.
    Other,
}

/// Classify a file by its name alone.
pub fn name_hint(path: &Path) -> NameHint {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return NameHint::Other;
    };
    let lower = name.to_ascii_lowercase();
    if lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
    {
        return NameHint::Dockerfile;
    }
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    if yaml && (lower.starts_with("docker-compose") || lower.starts_with("compose.")) {
        return NameHint::Compose;
    }
    if yaml || lower.ends_with(".json") {
        return NameHint::Structured;
    }
    NameHint::Other
}

/// One file to look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// As shown to the user: the path as given, or joined under the directory given.
    pub path: PathBuf,
    pub hint: NameHint,
    /// Named on the command line (linted whatever its name), or found in a directory walk.
    pub explicit: bool,
}

/// The result of walking the inputs.
#[derive(Debug, Default)]
pub struct Discovery {
    pub candidates: Vec<Candidate>,
    /// Files passed over because their names rule them out (`main.rs`, `README.md`, ...).
    pub not_candidates: usize,
    /// Paths that could not be walked (missing, permission denied), with the reason.
    pub errors: Vec<(PathBuf, String)>,
}

/// Walk `paths` (files or directories, recursively). `skip` is asked about every path (as
/// shown) before it is entered or read. Candidates are sorted and de-duplicated.
pub fn discover(paths: &[PathBuf], skip: &dyn Fn(&Path) -> bool) -> Discovery {
    let mut d = Discovery::default();
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk(p, skip, &mut d, 0),
            Ok(_) => {
                if !skip(p) {
                    d.candidates.push(Candidate {
                        path: p.clone(),
                        hint: name_hint(p),
                        explicit: true,
                    });
                }
            }
            Err(e) => d.errors.push((p.clone(), e.to_string())),
        }
    }
    d.candidates.sort_by(|a, b| a.path.cmp(&b.path));
    d.candidates.dedup_by(|a, b| a.path == b.path);
    d
}

fn walk(dir: &Path, skip: &dyn Fn(&Path) -> bool, d: &mut Discovery, depth: usize) {
    // Symlinked directories are not followed (no loops); 64 levels is deeper than any project.
    if depth > 64 {
        d.errors
            .push((dir.to_path_buf(), "directory nesting deeper than 64".into()));
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            d.errors.push((dir.to_path_buf(), e.to_string()));
            return;
        }
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = clean_join(dir, &entry.file_name());
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            let name = entry.file_name();
            if SKIPPED_DIRS.iter().any(|s| name == *s) || skip(&path) {
                continue;
            }
            walk(&path, skip, d, depth + 1);
        } else if ft.is_file() || ft.is_symlink() {
            if ft.is_symlink() && !path.is_file() {
                continue; // a link to a directory (not followed: no loops) or to nowhere
            }
            let hint = name_hint(&path);
            if hint == NameHint::Other {
                d.not_candidates += 1;
                continue;
            }
            if !skip(&path) {
                d.candidates.push(Candidate {
                    path,
                    hint,
                    explicit: false,
                });
            }
        }
    }
}

/// `./x` joined as `x`, so paths read the same whether the user typed `.` or nothing.
fn clean_join(dir: &Path, name: &std::ffi::OsStr) -> PathBuf {
    if dir == Path::new(".") {
        PathBuf::from(name)
    } else {
        dir.join(name)
    }
}

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Skipped on purpose (too large, binary): not an error of the run.
    Skipped(String),
    /// Could not be read: the run is incomplete.
    Failed(String),
}

/// How long a FIFO named on the command line may take to deliver its content.
const STREAM_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Read a file as text, refusing huge and binary files. A FIFO or character device named on the
/// command line (`threatbench lint <(helm template .)`) is read as a stream.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    use std::os::unix::fs::FileTypeExt;
    let meta = std::fs::metadata(path).map_err(|e| ReadError::Failed(e.to_string()))?;
    let ft = meta.file_type();
    if ft.is_fifo() || ft.is_char_device() {
        return text_from_bytes(read_stream(path, STREAM_TIMEOUT)?);
    }
    if !meta.is_file() {
        let kind = if ft.is_socket() {
            "a socket"
        } else if ft.is_block_device() {
            "a block device"
        } else {
            "a directory"
        };
        return Err(ReadError::Failed(format!("{kind}, not a file")));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ReadError::Skipped(format!(
            "{} bytes: larger than the {} MB limit",
            meta.len(),
            MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| ReadError::Failed(e.to_string()))?;
    text_from_bytes(bytes)
}

/// Read a FIFO or device without ever blocking forever: opened non-blocking, so a FIFO that
/// nobody writes to reads as empty at once (instead of hanging the run), a slow writer is waited
/// for up to `timeout`, and at most `MAX_FILE_BYTES + 1` bytes are kept (`/dev/zero`).
fn read_stream(path: &Path, timeout: std::time::Duration) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| ReadError::Failed(e.to_string()))?;
    let started = std::time::Instant::now();
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    loop {
        match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                bytes.extend_from_slice(&chunk[..n]);
                if bytes.len() as u64 > MAX_FILE_BYTES {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if started.elapsed() > timeout {
                    return Err(ReadError::Failed(format!(
                        "the writer sent nothing more for {} s",
                        timeout.as_secs()
                    )));
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(ReadError::Failed(e.to_string())),
        }
    }
    if bytes.is_empty() {
        return Err(ReadError::Failed(
            "a FIFO or device with nothing to read (no writer)".into(),
        ));
    }
    Ok(bytes)
}

/// Decode bytes as UTF-8 text (a leading byte-order mark is dropped), refusing binary data.
pub fn text_from_bytes(bytes: Vec<u8>) -> Result<String, ReadError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::Skipped(format!(
            "{} bytes: larger than the {} MB limit",
            bytes.len(),
            MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    if bytes.iter().take(8192).any(|b| *b == 0) {
        return Err(ReadError::Skipped("binary file (NUL bytes)".into()));
    }
    let mut text = String::from_utf8(bytes)
        .map_err(|e| ReadError::Skipped(format!("not UTF-8 text ({e})")))?;
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_mark_dockerfiles_and_compose_files() {
        for (name, hint) in [
            ("Dockerfile", NameHint::Dockerfile),
            ("dockerfile", NameHint::Dockerfile),
            ("Containerfile", NameHint::Dockerfile),
            ("Dockerfile.alpine", NameHint::Dockerfile),
            ("api.Dockerfile", NameHint::Dockerfile),
            ("compose.yaml", NameHint::Compose),
            ("compose.override.yml", NameHint::Compose),
            ("docker-compose.yml", NameHint::Compose),
            ("docker-compose.prod.yaml", NameHint::Compose),
            ("deploy.yaml", NameHint::Structured),
            ("pod.json", NameHint::Structured),
            ("README.md", NameHint::Other),
            ("Dockerfile-notes.txt", NameHint::Other),
        ] {
            assert_eq!(name_hint(Path::new(name)), hint, "{name}");
        }
    }

    #[test]
    fn walk_skips_vcs_and_build_dirs_and_counts_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "Dockerfile",
            "k8s/app.yaml",
            "src/main.rs",
            ".git/config.yaml",
            "node_modules/x/Dockerfile",
            "target/debug/compose.yaml",
            "vendor/lib/deploy.yml",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root, root.join("k8s/loop")).unwrap();
        let skip_vendor = |p: &Path| p.ends_with("vendor");
        let d = discover(&[root.to_path_buf()], &skip_vendor);
        let names: Vec<String> = d
            .candidates
            .iter()
            .map(|c| {
                c.path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["Dockerfile", "k8s/app.yaml"]);
        assert_eq!(d.not_candidates, 1);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
    }

    #[test]
    fn missing_paths_are_errors_not_panics() {
        let d = discover(&[PathBuf::from("/nonexistent/threatbench")], &|_| false);
        assert_eq!(d.errors.len(), 1);
    }

    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// A FIFO nobody writes to must not hang the linter (it did: `open` blocked for ever).
    #[test]
    fn a_fifo_without_a_writer_is_reported_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("Dockerfile");
        mkfifo(&fifo);
        let started = std::time::Instant::now();
        let got = read_text(&fifo);
        assert!(
            matches!(&got, Err(ReadError::Failed(r)) if r.contains("no writer")),
            "{got:?}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }

    /// `threatbench lint <(helm template .)`: a pipe whose writer is still producing is read to
    /// its end.
    #[test]
    fn a_fifo_with_a_slow_writer_is_read_to_its_end() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("Dockerfile");
        mkfifo(&fifo);
        // O_RDWR opens a FIFO without waiting for a reader: the writer exists before we read.
        let mut writer = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&fifo)
            .unwrap();
        let feeder = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            writer.write_all(b"FROM alpine:3\nUSER 10001\n").unwrap();
            std::thread::sleep(std::time::Duration::from_millis(300));
        });
        assert_eq!(
            read_stream(&fifo, std::time::Duration::from_secs(30)).unwrap(),
            b"FROM alpine:3\nUSER 10001\n"
        );
        feeder.join().unwrap();
    }

    #[test]
    fn binary_and_huge_files_are_skipped_with_a_reason() {
        assert!(matches!(
            text_from_bytes(b"FROM x\0\x01".to_vec()),
            Err(ReadError::Skipped(r)) if r.contains("binary")
        ));
        assert!(matches!(
            text_from_bytes(vec![0xff, 0xfe, 0x41]),
            Err(ReadError::Skipped(r)) if r.contains("UTF-8")
        ));
        let big = vec![b'a'; MAX_FILE_BYTES as usize + 1];
        assert!(matches!(text_from_bytes(big), Err(ReadError::Skipped(r)) if r.contains("limit")));
        assert_eq!(
            text_from_bytes("\u{feff}FROM x".as_bytes().to_vec()).unwrap(),
            "FROM x"
        );
    }
}
