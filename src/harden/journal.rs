//! The journal of every apply and rollback: what changed, the old values, when. One JSON object
//! per line in `<state dir>/journal.jsonl`, appended, so it can be audited and undone.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::patch::containers::UpdateValues;

/// Default state directory.
pub const DEFAULT_STATE_DIR: &str = "/var/lib/threatbench/harden";
pub const JOURNAL_FILE: &str = "journal.jsonl";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Apply,
    Rollback,
}

/// One apply or rollback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    pub kind: RecordKind,
    /// RFC 3339 time.
    pub at: String,
    pub tool_version: String,
    pub hostname: Option<String>,
    /// The host root the paths are under (`/` live).
    pub root: String,
    pub docker_endpoint: Option<String>,
    /// Slugs of the checks the apply addressed.
    #[serde(default)]
    pub checks: Vec<String>,
    /// For a rollback: the apply it undid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolls_back: Option<String>,
    pub entries: Vec<Entry>,
}

/// One change, with what it replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Entry {
    /// A file whose content, mode or owner changed.
    File {
        /// Path on the host.
        path: String,
        /// Path on this machine (under the root).
        local_path: String,
        existed: bool,
        /// Backup of the old bytes, relative to the state directory (content changes only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        backup: Option<String>,
        old_mode: Option<u32>,
        old_uid: Option<u32>,
        old_gid: Option<u32>,
        new_mode: Option<u32>,
        new_uid: Option<u32>,
        new_gid: Option<u32>,
        content_changed: bool,
        outcome: String,
    },
    DockerUpdate {
        id: String,
        name: String,
        old: UpdateValues,
        new: UpdateValues,
        outcome: String,
    },
    /// dockerd was reloaded (SIGHUP) or restarted.
    Daemon { action: String, outcome: String },
}

impl Entry {
    pub fn outcome(&self) -> &str {
        match self {
            Entry::File { outcome, .. }
            | Entry::DockerUpdate { outcome, .. }
            | Entry::Daemon { outcome, .. } => outcome,
        }
    }
}

pub struct Journal {
    pub state_dir: PathBuf,
}

impl Journal {
    /// Open (creating) the state directory; it is private to root (0700).
    pub fn open(state_dir: &Path) -> io::Result<Journal> {
        fs::create_dir_all(state_dir)?;
        fs::set_permissions(state_dir, fs::Permissions::from_mode(0o700))?;
        Ok(Journal {
            state_dir: state_dir.to_path_buf(),
        })
    }

    fn path(&self) -> PathBuf {
        self.state_dir.join(JOURNAL_FILE)
    }

    pub fn append(&self, record: &Record) -> io::Result<()> {
        let mut line = serde_json::to_string(record).map_err(io::Error::other)?;
        line.push('\n');
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(self.path())?;
        f.write_all(line.as_bytes())?;
        f.sync_all()
    }

    /// Every record, oldest first. A line that does not parse is an error naming the line.
    pub fn records(&self) -> io::Result<Vec<Record>> {
        let text = match fs::read_to_string(self.path()) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(vec![]),
            Err(e) => return Err(e),
        };
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| {
                    io::Error::other(format!("{} line {}: {e}", self.path().display(), i + 1))
                })
            })
            .collect()
    }

    /// The latest apply that no rollback has undone yet.
    pub fn last_open_apply(&self) -> io::Result<Option<Record>> {
        let records = self.records()?;
        let undone: Vec<&str> = records
            .iter()
            .filter_map(|r| r.rolls_back.as_deref())
            .collect();
        Ok(records
            .iter()
            .rev()
            .find(|r| r.kind == RecordKind::Apply && !undone.contains(&r.id.as_str()))
            .cloned())
    }
}

/// A sortable, unique id for an apply: UTC time and process id.
pub fn new_id() -> String {
    let now = jiff::Timestamp::now();
    format!(
        "{}-{}",
        now.strftime("%Y%m%dT%H%M%S%.3fZ"),
        std::process::id()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, kind: RecordKind, rolls_back: Option<&str>) -> Record {
        Record {
            id: id.into(),
            kind,
            at: "2026-01-01T00:00:00Z".into(),
            tool_version: "0".into(),
            hostname: None,
            root: "/".into(),
            docker_endpoint: None,
            checks: vec![],
            rolls_back: rolls_back.map(str::to_string),
            entries: vec![Entry::Daemon {
                action: "reload".into(),
                outcome: "done".into(),
            }],
        }
    }

    #[test]
    fn last_open_apply_skips_what_was_rolled_back() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(&dir.path().join("state")).unwrap();
        assert_eq!(j.last_open_apply().unwrap(), None);
        j.append(&record("a1", RecordKind::Apply, None)).unwrap();
        j.append(&record("a2", RecordKind::Apply, None)).unwrap();
        assert_eq!(j.last_open_apply().unwrap().unwrap().id, "a2");
        j.append(&record("r1", RecordKind::Rollback, Some("a2")))
            .unwrap();
        assert_eq!(j.last_open_apply().unwrap().unwrap().id, "a1");
        assert_eq!(j.records().unwrap().len(), 3);
        fs::write(dir.path().join("state").join(JOURNAL_FILE), "{bad\n").unwrap();
        assert!(j.records().unwrap_err().to_string().contains("line 1"));
    }
}
