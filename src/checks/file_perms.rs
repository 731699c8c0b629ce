//! File mode and owner evaluators shared by every benchmark's file checks. Each returns one
//! [`ObjectOutcome`] per file, with the mode and owner seen and the parent directories that
//! change who can really reach or replace the file.

use super::{ObjectOutcome, Verdict};
use crate::facts::{FileKind, FileStat, HostFacts, Observed, UnavailableKind};

/// What to conclude when the file does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenMissing {
    /// The file is optional here (a default path, a file some versions do not write).
    Skip,
    /// Something names the file, so its absence is itself a finding to look at.
    Error,
}

/// A file to examine and why.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    pub path: &'a str,
    /// What names the file (a flag, a default path), for evidence.
    pub named_by: &'a str,
    pub missing: WhenMissing,
}

fn object(path: &str, verdict: Verdict, evidence: String) -> ObjectOutcome {
    ObjectOutcome {
        kind: "file",
        name: path.to_string(),
        id: None,
        verdict,
        evidence,
    }
}

/// The stat of a target, or the outcome that says why there is none.
fn stat_of<'a>(host: &'a HostFacts, t: &Target) -> Result<&'a FileStat, ObjectOutcome> {
    match host.file(t.path) {
        Observed::Seen(s) => Ok(s),
        Observed::Unavailable(u) if u.kind == UnavailableKind::NotFound => {
            let verdict = match t.missing {
                WhenMissing::Skip => Verdict::Skip,
                WhenMissing::Error => Verdict::Error,
            };
            Err(object(
                t.path,
                verdict,
                format!("does not exist ({})", t.named_by),
            ))
        }
        Observed::Unavailable(u) => Err(object(t.path, Verdict::Error, u.reason)),
    }
}

/// Ancestors of a path, nearest first (`/a/b/c` → `/a/b`, `/a`, `/`).
pub fn ancestors(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = std::path::Path::new(path).parent();
    while let Some(d) = cur {
        let s = d.display().to_string();
        if s.is_empty() {
            break;
        }
        out.push(s);
        cur = d.parent();
    }
    out
}

/// Parent directories others can write (without the sticky bit) or that belong to a non-root
/// group with write access: through them the file can be replaced whatever its own mode.
fn writable_parents(host: &HostFacts, path: &str) -> Vec<String> {
    ancestors(path)
        .into_iter()
        .filter_map(|d| match host.file(&d) {
            Observed::Seen(s) => {
                let sticky = s.mode & 0o1000 != 0;
                let other_w = s.mode & 0o002 != 0 && !sticky;
                let group_w = s.mode & 0o020 != 0 && s.gid != 0 && !sticky;
                let owner_not_root = s.uid != 0;
                (other_w || group_w || owner_not_root)
                    .then(|| format!("{d} {} {}", s.mode_octal(), host.owner_text(s)))
            }
            _ => None,
        })
        .collect()
}

/// The nearest parent that keeps other users out (no search bit for others), if any.
fn shielding_parent(host: &HostFacts, path: &str) -> Option<String> {
    ancestors(path)
        .into_iter()
        .find_map(|d| match host.file(&d) {
            Observed::Seen(s) if s.mode & 0o001 == 0 && s.uid == 0 => {
                Some(format!("{d} {} {}", s.mode_octal(), host.owner_text(s)))
            }
            _ => None,
        })
}

fn parent_text(host: &HostFacts, path: &str) -> String {
    match ancestors(path).first() {
        Some(d) => match host.file(d) {
            Observed::Seen(s) => format!("parent {d} {} {}", s.mode_octal(), host.owner_text(s)),
            Observed::Unavailable(u) => format!("parent {d}: {}", u.reason),
        },
        None => String::new(),
    }
}

/// The file's mode has no permission bit outside `max` (e.g. 0o600: "600 or more
/// restrictive"), and no parent directory lets others replace it.
pub fn mode_at_most(host: &HostFacts, t: &Target, max: u32) -> ObjectOutcome {
    let stat = match stat_of(host, t) {
        Ok(s) => s,
        Err(o) => return o,
    };
    let mode = stat.mode & 0o777;
    let extra = mode & !max;
    let parents = parent_text(host, t.path);
    let writable = writable_parents(host, t.path);
    let kind = if stat.kind == FileKind::Dir {
        "directory "
    } else {
        ""
    };
    if extra != 0 {
        let mut ev = format!(
            "{kind}mode {} allows {:04o} beyond {max:04o} ({}; {parents})",
            stat.mode_octal(),
            extra,
            t.named_by
        );
        if let Some(shield) = shielding_parent(host, t.path) {
            ev.push_str(&format!(
                "; other users cannot reach it through {shield}, which limits the exposure"
            ));
        }
        return object(t.path, Verdict::Fail, ev);
    }
    if !writable.is_empty() {
        return object(
            t.path,
            Verdict::Fail,
            format!(
                "{kind}mode {} but a parent directory lets others replace it: {} ({})",
                stat.mode_octal(),
                writable.join(", "),
                t.named_by
            ),
        );
    }
    object(
        t.path,
        Verdict::Pass,
        format!(
            "{kind}mode {} ({}; {parents})",
            stat.mode_octal(),
            t.named_by
        ),
    )
}

/// The file belongs to `user:group` (names resolved through the host's /etc/passwd and
/// /etc/group; `root` also matches uid/gid 0 when those files lack it).
pub fn owned_by(host: &HostFacts, t: &Target, user: &str, group: &str) -> ObjectOutcome {
    let stat = match stat_of(host, t) {
        Ok(s) => s,
        Err(o) => return o,
    };
    let user_ok =
        host.user_name(stat.uid).as_deref() == Some(user) || (user == "root" && stat.uid == 0);
    let group_ok =
        host.group_name(stat.gid).as_deref() == Some(group) || (group == "root" && stat.gid == 0);
    let owner = host.owner_text(stat);
    let parents = parent_text(host, t.path);
    if user_ok && group_ok {
        object(
            t.path,
            Verdict::Pass,
            format!("owner {owner} ({}; {parents})", t.named_by),
        )
    } else {
        object(
            t.path,
            Verdict::Fail,
            format!(
                "owner {owner}, expected {user}:{group} ({}; {parents})",
                t.named_by
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::FileFact;

    fn host(entries: &[(&str, FileKind, u32, u32)]) -> HostFacts {
        let mut h = HostFacts::default();
        for (path, kind, mode, uid) in entries {
            h.files.insert(
                path.to_string(),
                FileFact {
                    observed: Observed::Seen(FileStat {
                        kind: *kind,
                        mode: *mode,
                        uid: *uid,
                        gid: *uid,
                        size: 1,
                        link_target: None,
                        content: None,
                        entries: None,
                    }),
                },
            );
        }
        h
    }

    fn t(path: &str) -> Target<'_> {
        Target {
            path,
            named_by: "test",
            missing: WhenMissing::Error,
        }
    }

    #[test]
    fn mode_fails_beyond_limit_and_names_a_shielding_parent() {
        let h = host(&[
            ("/var/lib/kubelet/config.yaml", FileKind::File, 0o644, 0),
            ("/var/lib/kubelet", FileKind::Dir, 0o700, 0),
            ("/var/lib", FileKind::Dir, 0o755, 0),
            ("/var", FileKind::Dir, 0o755, 0),
            ("/", FileKind::Dir, 0o755, 0),
        ]);
        let o = mode_at_most(&h, &t("/var/lib/kubelet/config.yaml"), 0o600);
        assert_eq!(o.verdict, Verdict::Fail);
        assert!(o.evidence.contains("0644"), "{}", o.evidence);
        assert!(
            o.evidence.contains("/var/lib/kubelet 0700"),
            "{}",
            o.evidence
        );
        let tight = mode_at_most(&h, &t("/var/lib/kubelet"), 0o700);
        assert_eq!(tight.verdict, Verdict::Pass, "{}", tight.evidence);
    }

    #[test]
    fn world_writable_parent_fails_a_tight_file() {
        let h = host(&[
            ("/etc/kubernetes/manifests/a.yaml", FileKind::File, 0o600, 0),
            ("/etc/kubernetes/manifests", FileKind::Dir, 0o777, 0),
            ("/etc/kubernetes", FileKind::Dir, 0o755, 0),
        ]);
        let o = mode_at_most(&h, &t("/etc/kubernetes/manifests/a.yaml"), 0o600);
        assert_eq!(o.verdict, Verdict::Fail);
        assert!(o.evidence.contains("replace"), "{}", o.evidence);
    }

    #[test]
    fn owner_and_missing_files() {
        let h = host(&[("/f", FileKind::File, 0o600, 1000)]);
        assert_eq!(
            owned_by(&h, &t("/f"), "root", "root").verdict,
            Verdict::Fail
        );
        let mut missing = t("/nope");
        missing.missing = WhenMissing::Skip;
        // Not collected is an error, not a skip: the collector never looked.
        assert_eq!(
            owned_by(&h, &missing, "root", "root").verdict,
            Verdict::Error
        );
    }
}
