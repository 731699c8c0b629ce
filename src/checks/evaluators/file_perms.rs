//! The file owner and mode family: one evaluator for every "FILE is owned by USER:GROUP" and
//! "FILE has mode M or stricter" check (CIS Docker section 3, Kubernetes node files), over the
//! stats the collector recorded.
//!
//! Modes are compared as bit masks, never as numbers: "0644 or stricter" means no permission bit
//! outside 0644, so 0600 and 0444 pass and 0642 (world-writable, numerically smaller) fails.
//! Owners are resolved through the scanned host's `/etc/passwd` and `/etc/group`.

use crate::checks::{ObjectOutcome, Outcome};
use crate::facts::{FileKind, FileStat, HostFacts, Observed, UnavailableKind};

/// What a file must satisfy.
#[derive(Debug, Clone, Copy)]
pub enum FileRule<'a> {
    /// Owned by this user and group (names, as the host's passwd/group files give them).
    Owner { user: &'a str, group: &'a str },
    /// No permission bit (including setuid, setgid, sticky) outside this mask.
    ModeAtMost(u32),
}

impl FileRule<'static> {
    pub const ROOT_ROOT: FileRule<'static> = FileRule::Owner {
        user: "root",
        group: "root",
    };
}

/// One file to judge, with how it was found (for evidence; may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileTarget {
    pub path: String,
    pub origin: String,
}

impl FileTarget {
    pub fn new(path: impl Into<String>, origin: impl Into<String>) -> Self {
        FileTarget {
            path: path.into(),
            origin: origin.into(),
        }
    }
}

/// Judge every target. One target gives its own verdict; several give one object per file
/// (kind `file`) and the worst verdict. A missing file is `skip`, an unreadable one `error`.
pub fn judge(host: &HostFacts, targets: &[FileTarget], rule: FileRule) -> Outcome {
    match targets {
        [] => Outcome::skip("no file to check"),
        [one] => judge_one(host, one, rule),
        many => {
            let objects = many
                .iter()
                .map(|t| {
                    let o = judge_one(host, t, rule);
                    ObjectOutcome {
                        kind: "file",
                        name: t.path.clone(),
                        id: None,
                        verdict: o.verdict,
                        evidence: o.evidence,
                    }
                })
                .collect();
            Outcome::from_objects("files", objects)
        }
    }
}

/// Judge one file.
pub fn judge_one(host: &HostFacts, target: &FileTarget, rule: FileRule) -> Outcome {
    let origin = if target.origin.is_empty() {
        String::new()
    } else {
        format!(" ({})", target.origin)
    };
    let stat = match host.file(&target.path) {
        Observed::Seen(stat) => stat,
        Observed::Unavailable(u) if u.kind == UnavailableKind::NotFound => {
            return Outcome::skip(format!("{} does not exist{origin}", target.path));
        }
        Observed::Unavailable(u) => return Outcome::error(format!("{}{origin}", u.reason)),
    };
    let what = format!("{}{}", target.path, kind_note(stat));
    match rule {
        FileRule::ModeAtMost(max) => {
            let extra = stat.mode & !max;
            if extra == 0 {
                Outcome::pass(format!(
                    "{what}: mode {} ({:04o} or stricter){origin}",
                    stat.mode_octal(),
                    max
                ))
            } else {
                Outcome::fail(format!(
                    "{what}: mode {}, more than {:04o} allows: {}{origin}",
                    stat.mode_octal(),
                    max,
                    describe_bits(extra)
                ))
            }
        }
        FileRule::Owner { user, group } => {
            let owner = host.owner_text(stat);
            let user_ok = id_is(host, stat.uid, user, Db::Passwd);
            let group_ok = id_is(host, stat.gid, group, Db::Group);
            match (user_ok, group_ok) {
                (Ok(true), Ok(true)) => Outcome::pass(format!("{what}: owner {owner}{origin}")),
                (Err(e), _) | (_, Err(e)) => {
                    Outcome::error(format!("{what}: owner {owner}, {e}{origin}"))
                }
                _ => Outcome::fail(format!(
                    "{what}: owner {owner}, expected {user}:{group}{origin}"
                )),
            }
        }
    }
}

fn kind_note(stat: &FileStat) -> String {
    let kind = match stat.kind {
        FileKind::File => "",
        FileKind::Dir => " (directory)",
        FileKind::Socket => " (socket)",
        FileKind::Symlink => " (symlink)",
        FileKind::Fifo => " (fifo)",
        FileKind::CharDevice => " (character device)",
        FileKind::BlockDevice => " (block device)",
    };
    match &stat.link_target {
        Some(t) => format!("{kind} -> {t}"),
        None => kind.to_string(),
    }
}

#[derive(Clone, Copy)]
enum Db {
    Passwd,
    Group,
}

/// Whether numeric `id` is the user or group `name`. `root` is id 0 by definition, so it needs
/// no lookup; other names need the host's passwd/group file, and an unreadable one is an error.
fn id_is(host: &HostFacts, id: u32, name: &str, db: Db) -> Result<bool, String> {
    if name == "root" {
        return Ok(id == 0);
    }
    let (path, found) = match db {
        Db::Passwd => ("/etc/passwd", host.user_name(id)),
        Db::Group => ("/etc/group", host.group_name(id)),
    };
    match found {
        Some(n) => Ok(n == name),
        None => match host.file_text(path) {
            Observed::Seen(_) => Ok(false),
            Observed::Unavailable(u) => Err(format!("cannot resolve id {id}: {}", u.reason)),
        },
    }
}

/// `group write, others write` for bits 0022.
pub fn describe_bits(bits: u32) -> String {
    const NAMES: &[(u32, &str)] = &[
        (0o4000, "setuid"),
        (0o2000, "setgid"),
        (0o1000, "sticky"),
        (0o400, "owner read"),
        (0o200, "owner write"),
        (0o100, "owner execute"),
        (0o040, "group read"),
        (0o020, "group write"),
        (0o010, "group execute"),
        (0o004, "others read"),
        (0o002, "others write"),
        (0o001, "others execute"),
    ];
    NAMES
        .iter()
        .filter(|(b, _)| bits & b != 0)
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Verdict;
    use crate::facts::FileFact;

    fn host(files: &[(&str, u32, u32, u32)]) -> HostFacts {
        let mut h = HostFacts::default();
        for (path, mode, uid, gid) in files {
            h.files.insert(
                path.to_string(),
                FileFact {
                    observed: Observed::Seen(FileStat {
                        kind: FileKind::File,
                        mode: *mode,
                        uid: *uid,
                        gid: *gid,
                        size: 0,
                        link_target: None,
                        content: None,
                        entries: None,
                    }),
                },
            );
        }
        let group = "root:x:0:\ndocker:x:998:alice\n";
        h.files
            .insert("/etc/group".into(), FileFact::text_file(group));
        h
    }

    fn verdict(h: &HostFacts, path: &str, rule: FileRule) -> Verdict {
        judge_one(h, &FileTarget::new(path, ""), rule).verdict
    }

    #[test]
    fn modes_compare_as_bit_masks_not_numbers() {
        let h = host(&[
            ("/a", 0o642, 0, 0),
            ("/b", 0o600, 0, 0),
            ("/c", 0o753, 0, 0),
            ("/d", 0o606, 0, 0),
            ("/e", 0o4644, 0, 0),
            ("/f", 0o444, 0, 0),
        ]);
        assert_eq!(
            verdict(&h, "/a", FileRule::ModeAtMost(0o644)),
            Verdict::Fail
        );
        assert_eq!(
            verdict(&h, "/b", FileRule::ModeAtMost(0o644)),
            Verdict::Pass
        );
        assert_eq!(
            verdict(&h, "/c", FileRule::ModeAtMost(0o755)),
            Verdict::Fail
        );
        assert_eq!(
            verdict(&h, "/d", FileRule::ModeAtMost(0o660)),
            Verdict::Fail
        );
        assert_eq!(
            verdict(&h, "/e", FileRule::ModeAtMost(0o644)),
            Verdict::Fail
        );
        assert_eq!(
            verdict(&h, "/f", FileRule::ModeAtMost(0o644)),
            Verdict::Pass
        );
        let o = judge_one(&h, &FileTarget::new("/a", ""), FileRule::ModeAtMost(0o644));
        assert!(o.evidence.contains("others write"), "{}", o.evidence);
    }

    #[test]
    fn owners_resolve_by_name_and_missing_is_skip() {
        let h = host(&[
            ("/s", 0o660, 0, 998),
            ("/t", 0o660, 0, 5),
            ("/u", 0o660, 1000, 0),
        ]);
        let root_docker = FileRule::Owner {
            user: "root",
            group: "docker",
        };
        assert_eq!(verdict(&h, "/s", root_docker), Verdict::Pass);
        assert_eq!(verdict(&h, "/t", root_docker), Verdict::Fail);
        assert_eq!(verdict(&h, "/u", FileRule::ROOT_ROOT), Verdict::Fail);
        assert_eq!(verdict(&h, "/s", FileRule::ROOT_ROOT), Verdict::Fail);
        assert_eq!(verdict(&h, "/nope", FileRule::ROOT_ROOT), Verdict::Error);
    }

    #[test]
    fn several_files_give_objects_and_worst_verdict() {
        let h = host(&[("/x", 0o444, 0, 0), ("/y", 0o644, 0, 0)]);
        let o = judge(
            &h,
            &[FileTarget::new("/x", ""), FileTarget::new("/y", "")],
            FileRule::ModeAtMost(0o444),
        );
        assert_eq!(o.verdict, Verdict::Fail);
        assert_eq!(o.objects.len(), 2);
        assert_eq!(o.objects[0].kind, "file");
        assert_eq!(o.objects[1].verdict, Verdict::Fail);
    }
}
