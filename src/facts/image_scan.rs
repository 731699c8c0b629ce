//! Facts from reading image layers (`--deep`): files with the setuid or setgid bit, per image.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Observed;

/// Results of the opt-in deep scan, and the limits it ran under.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DeepScanFacts {
    /// Time allowed per image, in seconds.
    pub timeout_secs: u64,
    /// Bytes of `docker save` output read per image at most.
    pub max_bytes: u64,
    /// By image id (`sha256:...`).
    pub images: BTreeMap<String, Observed<ImageFileScan>>,
}

/// What the layers of one image hold, as far as the scan got.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ImageFileScan {
    /// Files with mode & 0o6000 in the image's final file system (whiteouts and overwrites by
    /// upper layers applied), sorted by path.
    pub setuid_files: Vec<SpecialFile>,
    /// Layers read to the end.
    pub layers_read: usize,
    /// Bytes of the image archive read.
    pub bytes_read: u64,
    /// False when a limit stopped the scan or a layer could not be read: files may be missing.
    pub complete: bool,
    /// Why the scan is incomplete, or notes on how it was read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A regular file with the setuid and/or setgid bit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct SpecialFile {
    /// Path inside the image, absolute (`/usr/bin/passwd`). Untrusted text.
    pub path: String,
    /// Permission bits including setuid/setgid (`0o4755`).
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    /// The layer that holds it (its name in the image archive).
    pub layer: String,
}

impl SpecialFile {
    pub fn describe(&self) -> String {
        let bits = match (self.mode & 0o4000 != 0, self.mode & 0o2000 != 0) {
            (true, true) => "setuid+setgid",
            (true, false) => "setuid",
            _ => "setgid",
        };
        format!(
            "{} {:04o} {}:{} ({bits})",
            self.path, self.mode, self.uid, self.gid
        )
    }
}
