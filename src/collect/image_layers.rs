//! `--deep`: read every local image's layers through the Engine API (`GET /images/{id}/get`, what
//! `docker save` streams) and record the files that carry the setuid or setgid bit (CIS 4.8).
//!
//! The archive is a tar of tars: the docker-archive layout (`<id>/layer.tar` and `manifest.json`)
//! or, from Docker 25 on, an OCI layout (`blobs/sha256/<digest>`, plus the same `manifest.json`).
//! Layers may be plain or gzip-compressed tars. It is parsed as it streams, never written to disk,
//! bounded in time and bytes per image. Upper layers' whiteouts and overwrites are applied, so a
//! setuid file deleted or replaced in a later layer is not reported.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{self, Cursor, Read};
use std::time::Duration;

use bollard::Docker;
use bytes::Bytes;
use futures_util::StreamExt;

use crate::facts::image_scan::{DeepScanFacts, ImageFileScan, SpecialFile};
use crate::facts::{Observed, UnavailableKind};

/// Bounds of the deep scan, per image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeepLimits {
    pub timeout: Duration,
    pub max_bytes: u64,
}

impl Default for DeepLimits {
    fn default() -> Self {
        DeepLimits {
            timeout: Duration::from_secs(60),
            max_bytes: 2 * 1024 * 1024 * 1024,
        }
    }
}

/// Chunks buffered between the HTTP stream and the parser thread.
const CHANNEL_CHUNKS: usize = 8;

/// Scan every image in `image_ids`, one after the other (each export already keeps the daemon
/// and the disk busy).
pub async fn scan_images(
    docker: &Docker,
    image_ids: &[String],
    limits: DeepLimits,
) -> DeepScanFacts {
    let mut facts = DeepScanFacts {
        timeout_secs: limits.timeout.as_secs(),
        max_bytes: limits.max_bytes,
        images: Default::default(),
    };
    let progress = crate::progress::bar(image_ids.len(), "reading image layers (--deep)");
    for id in image_ids {
        let scan = scan_image(docker, id, limits).await;
        facts.images.insert(id.clone(), scan);
        progress.inc(1);
    }
    progress.finish_and_clear();
    facts
}

/// Deep-scan every image the collection listed, through a connection of its own.
pub async fn scan_collected(
    endpoint: &str,
    facts: &mut crate::facts::DockerFacts,
    limits: DeepLimits,
) {
    let ids: Vec<String> = facts.image_list.iter().map(|i| i.id.clone()).collect();
    let docker = match Docker::connect_with_host(endpoint) {
        Ok(d) => d,
        Err(e) => {
            facts.partial.push(format!("deep scan: {e}"));
            return;
        }
    };
    let docker = match docker.negotiate_version().await {
        Ok(d) => d,
        Err(e) => {
            facts.partial.push(format!("deep scan: {e}"));
            return;
        }
    };
    facts.deep = Some(scan_images(&docker, &ids, limits).await);
}

/// Stream one image's archive into the parser, stopping at the limits.
pub async fn scan_image(docker: &Docker, id: &str, limits: DeepLimits) -> Observed<ImageFileScan> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(CHANNEL_CHUNKS);
    let parser = tokio::task::spawn_blocking(move || scan_archive(ChannelReader::new(rx)));
    let deadline = tokio::time::Instant::now() + limits.timeout;
    let mut stream = Box::pin(docker.export_image(id));
    let mut bytes: u64 = 0;
    let mut stopped: Option<String> = None;
    loop {
        let next = match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) => {
                stopped = Some(format!(
                    "time limit of {} s reached after {bytes} bytes",
                    limits.timeout.as_secs()
                ));
                break;
            }
            Ok(next) => next,
        };
        match next {
            None => break,
            Some(Err(e)) => {
                drop(tx);
                let _ = parser.await;
                return Observed::unavailable(
                    UnavailableKind::Error,
                    format!("exporting image {id}: {e}"),
                );
            }
            Some(Ok(chunk)) => {
                bytes += chunk.len() as u64;
                if bytes > limits.max_bytes {
                    stopped = Some(format!("size limit of {} bytes reached", limits.max_bytes));
                    break;
                }
                let sent = tokio::time::timeout_at(deadline, tx.send(chunk)).await;
                match sent {
                    Ok(Ok(())) => {}
                    // The parser gave up (it says why below).
                    Ok(Err(_)) => break,
                    Err(_) => {
                        stopped = Some(format!(
                            "time limit of {} s reached after {bytes} bytes",
                            limits.timeout.as_secs()
                        ));
                        break;
                    }
                }
            }
        }
    }
    drop(stream);
    drop(tx);
    let archive = match parser.await {
        Ok(a) => a,
        Err(e) => {
            return Observed::unavailable(
                UnavailableKind::Error,
                format!("parsing image {id}: {e}"),
            );
        }
    };
    let mut scan = archive.resolve();
    scan.bytes_read = bytes;
    if let Some(reason) = stopped {
        scan.complete = false;
        scan.notes.insert(0, reason);
    }
    Observed::Seen(scan)
}

/// A blocking reader over chunks sent from the async side; end of input when the sender is gone.
struct ChannelReader {
    rx: tokio::sync::mpsc::Receiver<Bytes>,
    current: Bytes,
}

impl ChannelReader {
    fn new(rx: tokio::sync::mpsc::Receiver<Bytes>) -> Self {
        ChannelReader {
            rx,
            current: Bytes::new(),
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(chunk) => self.current = chunk,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        let _ = self.current.split_to(n);
        Ok(n)
    }
}

/// What one layer holds that matters for the final file system.
#[derive(Debug, Default)]
struct LayerScan {
    name: String,
    setuid: Vec<SpecialFile>,
    /// Paths deleted from lower layers (`.wh.<name>`).
    whiteouts: Vec<String>,
    /// Directories whose lower-layer content is hidden (`.wh..wh..opq`).
    opaque_dirs: Vec<String>,
    /// Hashes of every path in the layer, to see files replaced from above.
    paths: HashSet<u64>,
    complete: bool,
}

/// The whole archive, before upper layers are applied to lower ones.
#[derive(Debug, Default)]
pub struct ArchiveScan {
    layers: Vec<LayerScan>,
    /// Layer names bottom to top, from `manifest.json`.
    manifest_order: Option<Vec<String>>,
    notes: Vec<String>,
    /// The outer archive could not be read to its end.
    truncated: bool,
}

fn path_hash(path: &str) -> u64 {
    let mut h = DefaultHasher::new();
    path.hash(&mut h);
    h.finish()
}

/// `./usr/bin/x`, `usr/bin/x/` → `/usr/bin/x`.
fn normalize(raw: &str) -> String {
    let trimmed = raw.trim_start_matches("./").trim_matches('/');
    format!("/{trimmed}")
}

/// Parse an image archive (a tar of layer tars) as it is read.
pub fn scan_archive<R: Read>(reader: R) -> ArchiveScan {
    let mut out = ArchiveScan::default();
    let mut archive = tar::Archive::new(reader);
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            out.truncated = true;
            out.notes.push(format!("image archive unreadable: {e}"));
            return out;
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                out.truncated = true;
                out.notes.push(format!("image archive cut short: {e}"));
                break;
            }
        };
        if entry.header().entry_type() != tar::EntryType::Regular || entry.size() == 0 {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if name == "manifest.json" {
            let mut text = String::new();
            if entry.read_to_string(&mut text).is_ok() {
                out.manifest_order = manifest_layers(&text);
            }
            continue;
        }
        let mut head = Vec::with_capacity(512);
        if (&mut entry).take(512).read_to_end(&mut head).is_err() {
            out.truncated = true;
            break;
        }
        let chained = Cursor::new(head.clone()).chain(&mut entry);
        let layer = match classify(&head) {
            Kind::Tar => scan_layer(&name, chained),
            Kind::Gzip => scan_layer(&name, flate2::read::GzDecoder::new(chained)),
            Kind::Zstd => {
                out.notes.push(format!(
                    "layer {name} is zstd-compressed, which threatbench does not read"
                ));
                out.layers.push(LayerScan {
                    name,
                    ..Default::default()
                });
                continue;
            }
            Kind::Other => continue,
        };
        if !layer.complete {
            out.notes
                .push(format!("layer {name} could not be read to its end"));
        }
        out.layers.push(layer);
    }
    out
}

enum Kind {
    Tar,
    Gzip,
    Zstd,
    Other,
}

fn classify(head: &[u8]) -> Kind {
    if head.len() >= 262 && &head[257..262] == b"ustar" {
        Kind::Tar
    } else if head.starts_with(&[0x1f, 0x8b]) {
        Kind::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Kind::Zstd
    } else {
        Kind::Other
    }
}

/// `Layers` of the first image in `manifest.json`.
fn manifest_layers(text: &str) -> Option<Vec<String>> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let layers = v.get(0)?.get("Layers")?.as_array()?;
    Some(
        layers
            .iter()
            .filter_map(|l| l.as_str().map(str::to_string))
            .collect(),
    )
}

fn scan_layer<R: Read>(name: &str, reader: R) -> LayerScan {
    let mut layer = LayerScan {
        name: name.to_string(),
        ..Default::default()
    };
    let mut archive = tar::Archive::new(reader);
    let Ok(entries) = archive.entries() else {
        return layer;
    };
    for entry in entries {
        let Ok(entry) = entry else {
            return layer;
        };
        let header = entry.header();
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let path = normalize(&raw);
        let (dir, base) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
        if base == ".wh..wh..opq" {
            layer.opaque_dirs.push(if dir.is_empty() {
                "/".into()
            } else {
                dir.into()
            });
            continue;
        }
        if let Some(deleted) = base.strip_prefix(".wh.") {
            layer.whiteouts.push(format!("{dir}/{deleted}"));
            continue;
        }
        layer.paths.insert(path_hash(&path));
        let mode = header.mode().unwrap_or(0);
        let file_like = matches!(
            header.entry_type(),
            tar::EntryType::Regular | tar::EntryType::Link | tar::EntryType::Continuous
        );
        if file_like && mode & 0o6000 != 0 {
            layer.setuid.push(SpecialFile {
                path,
                mode: mode & 0o7777,
                uid: header.uid().unwrap_or(u64::MAX),
                gid: header.gid().unwrap_or(u64::MAX),
                layer: name.to_string(),
            });
        }
    }
    layer.complete = true;
    layer
}

/// Whether `ancestor` is `path` itself or a directory above it.
fn covers(ancestor: &str, path: &str) -> bool {
    ancestor == "/"
        || path == ancestor
        || path
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('/'))
}

impl ArchiveScan {
    /// Apply upper layers to lower ones and keep the setuid files of the final file system.
    pub fn resolve(self) -> ImageFileScan {
        let ArchiveScan {
            mut layers,
            manifest_order,
            mut notes,
            truncated,
        } = self;
        let mut complete = !truncated && layers.iter().all(|l| l.complete);
        match &manifest_order {
            Some(order) => {
                let rank: HashMap<&str, usize> = order
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n.as_str(), i))
                    .collect();
                let missing = order
                    .iter()
                    .filter(|n| !layers.iter().any(|l| &l.name == *n))
                    .count();
                if missing > 0 {
                    complete = false;
                    notes.push(format!(
                        "{missing} of {} layers named in manifest.json were not read",
                        order.len()
                    ));
                }
                layers.retain(|l| rank.contains_key(l.name.as_str()));
                layers.sort_by_key(|l| rank[l.name.as_str()]);
            }
            None => {
                complete = false;
                notes.push(
                    "no manifest.json: layer order unknown, deleted files may be reported".into(),
                );
            }
        }
        let mut files = Vec::new();
        for (i, layer) in layers.iter().enumerate() {
            for f in &layer.setuid {
                let hash = path_hash(&f.path);
                let hidden = layers[i + 1..].iter().any(|upper| {
                    upper.whiteouts.iter().any(|w| covers(w, &f.path))
                        || upper
                            .opaque_dirs
                            .iter()
                            .any(|d| covers(d, &f.path) && d != &f.path)
                        || upper.paths.contains(&hash)
                });
                if !hidden {
                    files.push(f.clone());
                }
            }
        }
        files.sort();
        files.dedup_by(|a, b| a.path == b.path);
        ImageFileScan {
            setuid_files: files,
            layers_read: layers.iter().filter(|l| l.complete).count(),
            bytes_read: 0,
            complete,
            notes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A layer tar with the given (path, mode) regular files.
    fn layer(files: &[(&str, u32)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, mode) in files {
            let mut h = tar::Header::new_ustar();
            h.set_size(3);
            h.set_mode(*mode);
            h.set_uid(0);
            h.set_gid(0);
            h.set_entry_type(tar::EntryType::Regular);
            b.append_data(&mut h, path, &b"abc"[..]).unwrap();
        }
        b.into_inner().unwrap()
    }

    /// An image archive in docker-archive layout: `<name>/layer.tar` and manifest.json.
    fn archive(layers: &[(&str, Vec<u8>)], with_manifest: bool) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut names = Vec::new();
        for (dir, data) in layers {
            let name = format!("{dir}/layer.tar");
            let mut h = tar::Header::new_ustar();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, &name, &data[..]).unwrap();
            names.push(name);
        }
        if with_manifest {
            let manifest = serde_json::json!([{ "Config": "c.json", "Layers": names }]).to_string();
            let mut h = tar::Header::new_ustar();
            h.set_size(manifest.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, "manifest.json", manifest.as_bytes())
                .unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn setuid_and_setgid_files_are_found() {
        let data = archive(
            &[(
                "l1",
                layer(&[
                    ("bin/su", 0o4755),
                    ("usr/bin/wall", 0o2755),
                    ("bin/ls", 0o755),
                ]),
            )],
            true,
        );
        let scan = scan_archive(&data[..]).resolve();
        assert!(scan.complete, "{:?}", scan.notes);
        let paths: Vec<_> = scan.setuid_files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["/bin/su", "/usr/bin/wall"]);
        assert_eq!(scan.setuid_files[0].describe(), "/bin/su 4755 0:0 (setuid)");
        assert_eq!(scan.layers_read, 1);
    }

    #[test]
    fn upper_layers_delete_or_replace_lower_setuid_files() {
        let lower = layer(&[
            ("bin/su", 0o4755),
            ("bin/mount", 0o4755),
            ("opt/tool/run", 0o4755),
            ("usr/bin/passwd", 0o4755),
        ]);
        // Deletes su, replaces mount without the bit, hides /opt/tool, leaves passwd.
        let upper = layer(&[
            ("bin/.wh.su", 0o644),
            ("bin/mount", 0o755),
            ("opt/tool/.wh..wh..opq", 0o644),
        ]);
        let data = archive(&[("base", lower), ("top", upper)], true);
        let scan = scan_archive(&data[..]).resolve();
        let paths: Vec<_> = scan.setuid_files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["/usr/bin/passwd"]);
        assert!(scan.complete);
    }

    #[test]
    fn gzip_layers_are_read() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&layer(&[("bin/ping", 0o4711)])).unwrap();
        let data = archive(&[("l1", gz.finish().unwrap())], true);
        let scan = scan_archive(&data[..]).resolve();
        assert_eq!(scan.setuid_files.len(), 1);
        assert_eq!(scan.setuid_files[0].mode, 0o4711);
    }

    #[test]
    fn a_cut_archive_is_incomplete_not_clean() {
        let data = archive(&[("l1", layer(&[("bin/ls", 0o755)]))], true);
        let cut = &data[..700];
        let scan = scan_archive(cut).resolve();
        assert!(!scan.complete);
        assert!(scan.setuid_files.is_empty());
    }

    #[test]
    fn without_a_manifest_the_order_is_unknown() {
        let data = archive(&[("l1", layer(&[("bin/su", 0o4755)]))], false);
        let scan = scan_archive(&data[..]).resolve();
        assert!(!scan.complete);
        assert!(scan.notes.iter().any(|n| n.contains("manifest.json")));
    }

    #[test]
    fn garbage_is_not_a_panic() {
        let scan = scan_archive(&b"not a tar at all"[..]).resolve();
        assert!(!scan.complete);
    }
}
