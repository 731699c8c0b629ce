//! Where systemd finds a unit: the first unit file in search-path order, plus its drop-ins
//! (`NAME.d/*.conf` in every search directory). A pure function over collected directory
//! listings, so it works the same on a live host, a `--root` snapshot and a facts bundle.
//!
//! The search path is systemd's system unit path (systemd.unit(5)) without the generator and
//! transient directories, which only exist while systemd runs; `/lib/systemd/system` is kept for
//! distributions without the merged /usr.

use super::{HostFacts, Observed};
use crate::facts::FileKind;

/// System unit directories, highest priority first.
pub const UNIT_SEARCH_PATH: &[&str] = &[
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
];

/// Units whose files the Docker benchmark inspects.
pub const DOCKER_UNITS: &[&str] = &["docker.service", "docker.socket", "containerd.service"];

/// The files that make up one unit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnitFiles {
    pub name: String,
    /// The unit file systemd loads: the first match in search-path order.
    pub fragment: Option<String>,
    /// The fragment is a link to /dev/null: the unit is masked.
    pub masked: bool,
    /// Drop-in directories (`DIR/NAME.d`) seen in the listings, in search-path order.
    pub dropin_dirs: Vec<String>,
    /// Drop-in files (`*.conf`), ordered by file name as systemd applies them; for one name, the
    /// file in the highest-priority directory wins.
    pub dropins: Vec<String>,
    /// Search directories whose listing could not be read (other than absent), with the reason.
    pub unreadable: Vec<String>,
}

impl UnitFiles {
    /// The fragment and every drop-in.
    pub fn all_files(&self) -> Vec<String> {
        self.fragment
            .iter()
            .cloned()
            .chain(self.dropins.iter().cloned())
            .collect()
    }
}

/// Locate `name` (e.g. `docker.service`) in the collected listings of the search path.
pub fn locate(host: &HostFacts, name: &str) -> UnitFiles {
    let mut unit = UnitFiles {
        name: name.to_string(),
        ..Default::default()
    };
    let dropin_dir_name = format!("{name}.d");
    for dir in UNIT_SEARCH_PATH {
        let names = match host.dir_entries(dir) {
            Ok(Some(names)) => names,
            Ok(None) => continue,
            Err(reason) => {
                unit.unreadable.push(reason);
                continue;
            }
        };
        if unit.fragment.is_none() && names.iter().any(|n| n == name) {
            unit.fragment = Some(format!("{dir}/{name}"));
        }
        if names.contains(&dropin_dir_name) {
            unit.dropin_dirs.push(format!("{dir}/{dropin_dir_name}"));
        }
    }
    if let Some(fragment) = &unit.fragment
        && let Observed::Seen(stat) = host.file(fragment)
    {
        unit.masked =
            stat.link_target.as_deref() == Some("/dev/null") || stat.kind == FileKind::CharDevice;
    }
    let mut by_name: Vec<(String, String)> = Vec::new();
    for dir in &unit.dropin_dirs {
        match host.dir_entries(dir) {
            Ok(Some(names)) => {
                for n in names.iter().filter(|n| n.ends_with(".conf")) {
                    if !by_name.iter().any(|(seen, _)| seen == n) {
                        by_name.push((n.clone(), format!("{dir}/{n}")));
                    }
                }
            }
            Ok(None) => {}
            Err(reason) => unit.unreadable.push(reason),
        }
    }
    by_name.sort();
    unit.dropins = by_name.into_iter().map(|(_, path)| path).collect();
    unit
}

/// `ListenStream=` paths of a socket unit (fragment, then drop-ins; an empty assignment resets
/// the list, as systemd does). Only file-system sockets (absolute paths) are returned.
pub fn listen_stream_paths(host: &HostFacts, unit: &UnitFiles) -> Result<Vec<String>, String> {
    let mut paths: Vec<String> = Vec::new();
    for file in unit.all_files() {
        let text = match host.file_text(&file) {
            Observed::Seen(t) => t,
            Observed::Unavailable(u) => return Err(u.reason),
        };
        let mut in_socket = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                in_socket = line == "[Socket]";
                continue;
            }
            if !in_socket || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some((key, value)) = line.split_once('=')
                && key.trim() == "ListenStream"
            {
                let value = value.trim();
                if value.is_empty() {
                    paths.clear();
                } else if value.starts_with('/') {
                    paths.push(value.to_string());
                }
            }
        }
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{FileFact, FileStat, UnavailableKind};

    fn dir(entries: &[&str]) -> FileFact {
        FileFact {
            observed: Observed::Seen(FileStat {
                kind: FileKind::Dir,
                mode: 0o755,
                uid: 0,
                gid: 0,
                size: 0,
                link_target: None,
                content: None,
                entries: Some(entries.iter().map(|s| s.to_string()).collect()),
            }),
        }
    }

    /// A host whose search directories are absent unless a test adds them.
    fn host() -> HostFacts {
        let mut host = HostFacts::default();
        for d in UNIT_SEARCH_PATH {
            host.files.insert(
                d.to_string(),
                FileFact {
                    observed: Observed::unavailable(
                        UnavailableKind::NotFound,
                        format!("{d}: absent"),
                    ),
                },
            );
        }
        host
    }

    #[test]
    fn first_match_in_search_order_wins_and_dropins_merge_by_name() {
        let mut host = host();
        host.files.insert(
            "/etc/systemd/system".into(),
            dir(&["docker.service.d", "multi-user.target.wants"]),
        );
        host.files.insert(
            "/etc/systemd/system/docker.service.d".into(),
            dir(&["override.conf", "notes.txt"]),
        );
        host.files.insert(
            "/usr/lib/systemd/system".into(),
            dir(&["docker.service", "docker.service.d", "docker.socket"]),
        );
        host.files.insert(
            "/usr/lib/systemd/system/docker.service.d".into(),
            dir(&["10-vendor.conf", "override.conf"]),
        );
        host.files
            .insert("/lib/systemd/system".into(), dir(&["docker.service"]));
        let unit = locate(&host, "docker.service");
        assert_eq!(
            unit.fragment.as_deref(),
            Some("/usr/lib/systemd/system/docker.service")
        );
        assert_eq!(
            unit.dropins,
            vec![
                "/usr/lib/systemd/system/docker.service.d/10-vendor.conf",
                "/etc/systemd/system/docker.service.d/override.conf",
            ]
        );
        assert!(unit.unreadable.is_empty());
        assert_eq!(locate(&host, "containerd.service").fragment, None);
    }

    #[test]
    fn listen_stream_reset_and_paths() {
        let mut host = host();
        host.files.insert(
            "/lib/systemd/system".into(),
            dir(&["docker.socket", "docker.socket.d"]),
        );
        host.files.insert(
            "/lib/systemd/system/docker.socket".into(),
            FileFact::text_file(
                "[Unit]\nDescription=x\n[Socket]\nListenStream=/run/docker.sock\nSocketMode=0660\n",
            ),
        );
        host.files.insert(
            "/lib/systemd/system/docker.socket.d".into(),
            dir(&["a.conf"]),
        );
        host.files.insert(
            "/lib/systemd/system/docker.socket.d/a.conf".into(),
            FileFact::text_file(
                "[Socket]\nListenStream=\nListenStream=/srv/d.sock\nListenStream=2375\n",
            ),
        );
        let unit = locate(&host, "docker.socket");
        assert_eq!(
            listen_stream_paths(&host, &unit).unwrap(),
            vec!["/srv/d.sock"]
        );
    }
}
