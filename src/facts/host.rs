//! Facts about the host: processes of interest and the files the checks read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Observed, Unavailable, UnavailableKind};

/// What was seen on the host's file system (under the scan root) and in its process table.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HostFacts {
    /// The file-system root the host was read through (`/` for a live scan).
    pub root: String,
    pub hostname: Option<String>,
    /// `/etc/machine-id` (systemd's stable host identity): with the hostname, it names the host
    /// in the history store, so that two hosts with one name stay apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_id: Option<String>,
    /// Processes whose executable is one the checks care about (dockerd, containerd, kubelet, ...).
    /// Other processes are not recorded: their command lines may hold secrets.
    pub processes: Option<Observed<Vec<ProcessFact>>>,
    /// Files keyed by their absolute path on the host (without the scan root prefix).
    #[serde(default)]
    pub files: BTreeMap<String, FileFact>,
    /// `auditctl -l`: the audit rules loaded in the kernel. Only read on a live scan of `/` while
    /// auditd runs (no file exposes them); `None` when not collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_rules_loaded: Option<Observed<String>>,
}

impl HostFacts {
    /// The hostname, or `(unknown host)`.
    pub fn name(&self) -> &str {
        self.hostname.as_deref().unwrap_or("(unknown host)")
    }

    /// The host's identity in the history store: `hostname/machine-id` when the host has a
    /// machine id, else the hostname. Two hosts that share a name stay apart, and a host keeps
    /// its history across scans.
    pub fn identity(&self) -> String {
        match &self.machine_id {
            Some(id) => format!("{}/{id}", self.name()),
            None => self.name().to_string(),
        }
    }
}

/// One process, identified by its executable, with its full argument vector.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProcessFact {
    pub pid: u32,
    /// Target of `/proc/PID/exe` when readable.
    pub exe: Option<String>,
    /// `/proc/PID/cmdline` split on NUL.
    pub argv: Vec<String>,
}

impl ProcessFact {
    /// Base name of the executable: from `exe` when known, else from `argv[0]`.
    pub fn exe_name(&self) -> &str {
        let path = self
            .exe
            .as_deref()
            .map(|e| e.trim_end_matches(" (deleted)"))
            .or(self.argv.first().map(String::as_str))
            .unwrap_or("");
        path.rsplit('/').next().unwrap_or(path)
    }

    /// The command line as a person would type it (for evidence).
    pub fn command_line(&self) -> String {
        self.argv.join(" ")
    }
}

/// A file (or directory, socket, ...) as stat saw it, or why it could not be seen.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileFact {
    #[serde(flatten)]
    pub observed: Observed<FileStat>,
}

impl FileFact {
    /// A regular file, root-owned 0644, whose text was read (fixtures in tests).
    pub fn text_file(text: &str) -> FileFact {
        FileFact {
            observed: Observed::Seen(FileStat {
                kind: FileKind::File,
                mode: 0o644,
                uid: 0,
                gid: 0,
                size: text.len() as u64,
                link_target: None,
                content: Some(Observed::Seen(text.into())),
                entries: None,
            }),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    File,
    Dir,
    Symlink,
    Socket,
    Fifo,
    CharDevice,
    BlockDevice,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileStat {
    pub kind: FileKind,
    /// Permission bits including setuid/setgid/sticky (`st_mode & 0o7777`).
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u64,
    /// When the path is a symlink: its target; the other fields describe the file it points to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_target: Option<String>,
    /// Content of small text files the checks parse (config files), when requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Observed<String>>,
    /// Names in a directory, when requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entries: Option<Vec<String>>,
}

impl FileStat {
    /// `0644`-style rendering of the permission bits.
    pub fn mode_octal(&self) -> String {
        format!("{:04o}", self.mode)
    }
}

impl HostFacts {
    /// The fact for `path`; `NotCollected` when the collector did not look at it.
    pub fn file(&self, path: &str) -> Observed<&FileStat> {
        match self.files.get(path) {
            Some(FileFact {
                observed: Observed::Seen(s),
            }) => Observed::Seen(s),
            Some(FileFact {
                observed: Observed::Unavailable(u),
            }) => Observed::Unavailable(u.clone()),
            None => Observed::unavailable(
                UnavailableKind::NotCollected,
                format!("{path} was not collected"),
            ),
        }
    }

    /// Text content of a file, distinguishing absent, unreadable and not collected.
    pub fn file_text(&self, path: &str) -> Observed<&str> {
        match self.file(path) {
            Observed::Seen(stat) => match &stat.content {
                Some(Observed::Seen(text)) => Observed::Seen(text.as_str()),
                Some(Observed::Unavailable(u)) => Observed::Unavailable(u.clone()),
                None => Observed::unavailable(
                    UnavailableKind::NotCollected,
                    format!("content of {path} was not collected"),
                ),
            },
            Observed::Unavailable(u) => Observed::Unavailable(u),
        }
    }

    /// Processes whose executable base name is `name`.
    pub fn processes_named<'a>(
        &'a self,
        name: &'a str,
    ) -> Result<Vec<&'a ProcessFact>, Unavailable> {
        match &self.processes {
            Some(Observed::Seen(list)) => {
                Ok(list.iter().filter(|p| p.exe_name() == name).collect())
            }
            Some(Observed::Unavailable(u)) => Err(u.clone()),
            None => Err(Unavailable {
                kind: UnavailableKind::NotCollected,
                reason: "processes were not collected".into(),
            }),
        }
    }

    /// User name for a uid, from the collected `/etc/passwd` under the scan root.
    pub fn user_name(&self, uid: u32) -> Option<String> {
        id_name(self.file_text("/etc/passwd").seen().copied()?, uid)
    }

    /// Group name for a gid, from the collected `/etc/group` under the scan root.
    pub fn group_name(&self, gid: u32) -> Option<String> {
        id_name(self.file_text("/etc/group").seen().copied()?, gid)
    }

    /// Members of a group by name, from `/etc/group` (supplementary members only).
    pub fn group_members(&self, group: &str) -> Option<Vec<String>> {
        let text = self.file_text("/etc/group").seen().copied()?;
        text.lines().find_map(|line| {
            let mut fields = line.split(':');
            (fields.next()? == group).then(|| {
                fields
                    .nth(2)
                    .unwrap_or("")
                    .split(',')
                    .filter(|m| !m.is_empty())
                    .map(str::to_string)
                    .collect()
            })
        })
    }

    /// Names in a collected directory listing; `Ok(None)` when the path does not exist or is not a
    /// directory; `Err` with the reason when it could not be listed or the listing was not collected.
    pub fn dir_entries(&self, dir: &str) -> Result<Option<&[String]>, String> {
        match self.file(dir) {
            Observed::Seen(stat) if stat.kind != FileKind::Dir => Ok(None),
            Observed::Seen(stat) => stat
                .entries
                .as_deref()
                .map(Some)
                .ok_or_else(|| format!("{dir}: listing not collected")),
            Observed::Unavailable(u) if u.kind == UnavailableKind::NotFound => Ok(None),
            Observed::Unavailable(u) => Err(u.reason),
        }
    }

    /// `uid:gid` rendered with names where known, e.g. `root:docker (0:998)`.
    pub fn owner_text(&self, stat: &FileStat) -> String {
        let user = self.user_name(stat.uid).unwrap_or_else(|| "?".into());
        let group = self.group_name(stat.gid).unwrap_or_else(|| "?".into());
        format!("{user}:{group} ({}:{})", stat.uid, stat.gid)
    }
}

/// Name of the numeric id in a passwd/group-format file (`name:x:id:...`).
fn id_name(text: &str, id: u32) -> Option<String> {
    text.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let parsed: u32 = fields.nth(1)?.trim().parse().ok()?;
        (parsed == id && !name.starts_with('#')).then(|| name.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_with(path: &str, text: &str) -> HostFacts {
        let mut host = HostFacts::default();
        host.files.insert(path.into(), FileFact::text_file(text));
        host
    }

    #[test]
    fn resolves_names_and_members_from_group_file() {
        let host = host_with("/etc/group", "root:x:0:\ndocker:x:998:alice,bob\n");
        assert_eq!(host.group_name(998).as_deref(), Some("docker"));
        assert_eq!(host.group_name(5), None);
        assert_eq!(
            host.group_members("docker"),
            Some(vec!["alice".to_string(), "bob".to_string()])
        );
        assert_eq!(host.group_members("root"), Some(vec![]));
    }

    #[test]
    fn uncollected_file_is_not_collected_not_absent() {
        let host = HostFacts::default();
        match host.file("/etc/docker/daemon.json") {
            Observed::Unavailable(u) => assert_eq!(u.kind, UnavailableKind::NotCollected),
            Observed::Seen(_) => panic!("must not be seen"),
        }
    }

    #[test]
    fn exe_name_prefers_exe_link_and_strips_deleted() {
        let p = ProcessFact {
            pid: 1,
            exe: Some("/usr/sbin/dockerd (deleted)".into()),
            argv: vec!["/bin/sh".into()],
        };
        assert_eq!(p.exe_name(), "dockerd");
        let q = ProcessFact {
            pid: 2,
            exe: None,
            argv: vec!["/usr/bin/dockerd".into(), "-H".into()],
        };
        assert_eq!(q.exe_name(), "dockerd");
    }
}
