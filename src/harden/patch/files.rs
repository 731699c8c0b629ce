//! File owner and mode patches (CIS Docker section 3), designed from a check's object evidence:
//! each failing object names a path; the rule for the check gives the most permissive mode and
//! the owner it allows. Modes are only ever tightened (`current & allowed`), never widened.

use crate::checks::ObjectOutcome;
use crate::facts::{Facts, FileStat};

use super::shell;

/// What a file check allows: the widest mode and the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileRule {
    pub slug: &'static str,
    /// Most permissive mode allowed (`None`: the check is about the owner).
    pub max_mode: Option<u32>,
    /// `user:group` allowed (`None`: the check is about the mode).
    pub owner: Option<(&'static str, &'static str)>,
    /// The path when the check reports no per-file objects.
    pub default_path: Option<&'static str>,
}

const fn mode(slug: &'static str, max: u32, path: Option<&'static str>) -> FileRule {
    FileRule {
        slug,
        max_mode: Some(max),
        owner: None,
        default_path: path,
    }
}
const fn owner(
    slug: &'static str,
    user: &'static str,
    group: &'static str,
    path: Option<&'static str>,
) -> FileRule {
    FileRule {
        slug,
        max_mode: None,
        owner: Some((user, group)),
        default_path: path,
    }
}

/// The benchmark's section 3 rules, by slug.
pub const FILE_RULES: &[FileRule] = &[
    owner("file-docker-service-owner", "root", "root", None),
    mode("file-docker-service-mode", 0o644, None),
    owner("file-docker-socket-unit-owner", "root", "root", None),
    mode("file-docker-socket-unit-mode", 0o644, None),
    owner("file-etc-docker-owner", "root", "root", Some("/etc/docker")),
    mode("file-etc-docker-mode", 0o755, Some("/etc/docker")),
    owner("file-registry-certs-owner", "root", "root", None),
    mode("file-registry-certs-mode", 0o444, None),
    owner("file-tls-ca-cert-owner", "root", "root", None),
    mode("file-tls-ca-cert-mode", 0o444, None),
    owner("file-tls-server-cert-owner", "root", "root", None),
    mode("file-tls-server-cert-mode", 0o444, None),
    owner("file-tls-server-key-owner", "root", "root", None),
    mode("file-tls-server-key-mode", 0o400, None),
    owner(
        "file-docker-sock-owner",
        "root",
        "docker",
        Some("/var/run/docker.sock"),
    ),
    mode("file-docker-sock-mode", 0o660, Some("/var/run/docker.sock")),
    owner("file-daemon-json-owner", "root", "root", None),
    mode("file-daemon-json-mode", 0o644, None),
    owner(
        "file-etc-default-docker-owner",
        "root",
        "root",
        Some("/etc/default/docker"),
    ),
    mode(
        "file-etc-default-docker-mode",
        0o644,
        Some("/etc/default/docker"),
    ),
    owner(
        "file-etc-sysconfig-docker-owner",
        "root",
        "root",
        Some("/etc/sysconfig/docker"),
    ),
    mode(
        "file-etc-sysconfig-docker-mode",
        0o644,
        Some("/etc/sysconfig/docker"),
    ),
    owner(
        "file-containerd-sock-owner",
        "root",
        "root",
        Some("/run/containerd/containerd.sock"),
    ),
    mode(
        "file-containerd-sock-mode",
        0o660,
        Some("/run/containerd/containerd.sock"),
    ),
];

pub fn rule_for(slug: &str) -> Option<&'static FileRule> {
    FILE_RULES.iter().find(|r| r.slug == slug)
}

/// One file's intended change. Old values are read again when applying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// `user:group` as named in the command.
    pub owner_text: Option<String>,
    /// What was seen, for the plan (`0666 root:root (0:0)`), when known.
    pub seen: Option<String>,
}

impl FileChange {
    pub fn commands(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(owner) = &self.owner_text {
            out.push(shell::join(&[
                "chown",
                owner.as_str(),
                "--",
                self.path.as_str(),
            ]));
        }
        if let Some(m) = self.mode {
            out.push(shell::join(&[
                "chmod",
                &format!("{m:04o}"),
                "--",
                self.path.as_str(),
            ]));
        }
        out
    }
}

/// Paths the failing objects of a file check name (object names are paths), or the rule's
/// default path when the check reports none.
pub fn target_paths(
    rule: &FileRule,
    objects: &[ObjectOutcome],
    fallback: Option<&str>,
) -> Vec<String> {
    let mut paths: Vec<String> = objects
        .iter()
        .filter(|o| o.verdict == crate::checks::Verdict::Fail && o.name.starts_with('/'))
        .map(|o| o.name.clone())
        .collect();
    if paths.is_empty()
        && let Some(p) = fallback.or(rule.default_path)
    {
        paths.push(p.to_string());
    }
    paths
}

/// The change for one path under `rule`, or why none can be made. `docker_group` replaces the
/// group `docker` (dockerd's `group` setting names the socket's group).
pub fn change_for(
    facts: &Facts,
    rule: &FileRule,
    path: &str,
    docker_group: &str,
) -> Result<Option<FileChange>, String> {
    let stat: Option<&FileStat> = facts.host.file(path).seen().copied();
    let seen = stat.map(|s| format!("{} {}", s.mode_octal(), facts.host.owner_text(s)));
    let mut change = FileChange {
        path: path.to_string(),
        mode: None,
        uid: None,
        gid: None,
        owner_text: None,
        seen,
    };
    if let Some(max) = rule.max_mode {
        let current = stat.map(|s| s.mode);
        let new = current.map_or(max, |m| m & max);
        if current != Some(new) {
            change.mode = Some(new);
        }
    }
    if let Some((user, group)) = rule.owner {
        let group = if group == "docker" {
            docker_group
        } else {
            group
        };
        let uid =
            uid_of(facts, user).ok_or_else(|| format!("user {user} not found in /etc/passwd"))?;
        let gid =
            gid_of(facts, group).ok_or_else(|| format!("group {group} not found in /etc/group"))?;
        if stat.is_none_or(|s| s.uid != uid || s.gid != gid) {
            change.uid = Some(uid);
            change.gid = Some(gid);
            change.owner_text = Some(format!("{user}:{group}"));
        }
    }
    Ok((change.mode.is_some() || change.uid.is_some()).then_some(change))
}

fn uid_of(facts: &Facts, name: &str) -> Option<u32> {
    if name == "root" {
        return Some(0);
    }
    id_of(facts.host.file_text("/etc/passwd").seen().copied()?, name)
}

fn gid_of(facts: &Facts, name: &str) -> Option<u32> {
    if name == "root" {
        return Some(0);
    }
    id_of(facts.host.file_text("/etc/group").seen().copied()?, name)
}

fn id_of(text: &str, name: &str) -> Option<u32> {
    text.lines().find_map(|line| {
        let mut f = line.split(':');
        (f.next()? == name).then(|| f.nth(1)?.trim().parse().ok())?
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{FileFact, FileKind, Observed};

    fn facts_with(path: &str, mode: u32, uid: u32, gid: u32) -> Facts {
        let mut facts: Facts = serde_json::from_value(serde_json::json!({
            "schema": "threatbench/facts/v1", "tool_version": "0", "collected_at": "now",
            "host": {"root": "/", "hostname": null, "processes": null},
            "docker": {"unavailable": {"kind": "not_collected", "reason": "test"}}
        }))
        .unwrap();
        let stat = |mode, uid, gid, content: Option<&str>| FileFact {
            observed: Observed::Seen(FileStat {
                kind: FileKind::File,
                mode,
                uid,
                gid,
                size: 0,
                link_target: None,
                content: content.map(|c| Observed::Seen(c.to_string())),
                entries: None,
            }),
        };
        facts
            .host
            .files
            .insert(path.into(), stat(mode, uid, gid, None));
        facts.host.files.insert(
            "/etc/passwd".into(),
            stat(
                0o644,
                0,
                0,
                Some("root:x:0:0::/:/bin/sh\nbob:x:1000:1000::/:/bin/sh\n"),
            ),
        );
        facts.host.files.insert(
            "/etc/group".into(),
            stat(0o644, 0, 0, Some("root:x:0:\ndocker:x:998:bob\n")),
        );
        facts
    }

    #[test]
    fn mode_is_only_tightened() {
        let facts = facts_with("/etc/docker/daemon.json", 0o666, 0, 0);
        let rule = rule_for("file-daemon-json-mode").unwrap();
        let c = change_for(&facts, rule, "/etc/docker/daemon.json", "docker")
            .unwrap()
            .unwrap();
        assert_eq!(c.mode, Some(0o644));
        assert_eq!(c.commands(), vec!["chmod 0644 -- /etc/docker/daemon.json"]);
        // Already tighter than required: nothing to do, never widened.
        let facts = facts_with("/etc/docker/daemon.json", 0o600, 0, 0);
        assert_eq!(
            change_for(&facts, rule, "/etc/docker/daemon.json", "docker").unwrap(),
            None
        );
        // 0o640 on a 0o444 rule drops the write bit and keeps what is allowed.
        let facts = facts_with("/etc/docker/certs.d/r/ca.crt", 0o640, 0, 0);
        let rule = rule_for("file-registry-certs-mode").unwrap();
        let c = change_for(&facts, rule, "/etc/docker/certs.d/r/ca.crt", "docker")
            .unwrap()
            .unwrap();
        assert_eq!(c.mode, Some(0o440));
    }

    #[test]
    fn owner_is_resolved_from_the_hosts_group_file() {
        let facts = facts_with("/var/run/docker.sock", 0o660, 1000, 1000);
        let rule = rule_for("file-docker-sock-owner").unwrap();
        let c = change_for(&facts, rule, "/var/run/docker.sock", "docker")
            .unwrap()
            .unwrap();
        assert_eq!((c.uid, c.gid), (Some(0), Some(998)));
        assert_eq!(
            c.commands(),
            vec!["chown root:docker -- /var/run/docker.sock"]
        );
        assert_eq!(c.seen.as_deref(), Some("0660 bob:? (1000:1000)"));
    }

    #[test]
    fn failing_objects_name_the_paths() {
        let rule = rule_for("file-registry-certs-mode").unwrap();
        let obj = |name: &str, verdict| ObjectOutcome {
            kind: "file",
            name: name.into(),
            id: None,
            verdict,
            evidence: String::new(),
        };
        let objects = vec![
            obj("/etc/docker/certs.d/a/ca.crt", crate::checks::Verdict::Fail),
            obj("/etc/docker/certs.d/b/ca.crt", crate::checks::Verdict::Pass),
        ];
        assert_eq!(
            target_paths(rule, &objects, None),
            vec!["/etc/docker/certs.d/a/ca.crt"]
        );
        let sock = rule_for("file-docker-sock-mode").unwrap();
        assert_eq!(target_paths(sock, &[], None), vec!["/var/run/docker.sock"]);
    }
}
