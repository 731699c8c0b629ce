//! `/proc/PID/mountinfo` (proc(5)): which mount holds a path, and from which file system.
//!
//! Pure parsing. mountinfo is used rather than `/proc/mounts` because it gives each mount's
//! device (`major:minor`) and *root* (the directory of the source file system that is mounted):
//! a bind mount of `/var/lib/docker` onto itself shows root `/var/lib/docker` and the device of
//! `/`, which tells it apart from a real separate partition. Small enough not to need a crate
//! (procfs parses a live /proc, not a snapshot's text).

/// One line of mountinfo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountEntry {
    pub id: u32,
    pub parent: u32,
    /// `major:minor` of the file system.
    pub device: String,
    /// The directory of the file system that is mounted (`/` unless a bind mount of a subtree).
    pub root: String,
    pub mount_point: String,
    pub fstype: String,
    /// The mount source (`/dev/sda1`, `overlay`, `tmpfs`).
    pub source: String,
}

impl MountEntry {
    /// `true` when only a subtree of the file system is mounted here (a bind mount).
    pub fn is_subtree(&self) -> bool {
        self.root != "/"
    }
}

/// Parse mountinfo text. A malformed line is an error naming its line number.
pub fn parse(text: &str) -> Result<Vec<MountEntry>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        out.push(parse_line(line).ok_or_else(|| format!("line {}: malformed: {line:?}", n + 1))?);
    }
    Ok(out)
}

fn parse_line(line: &str) -> Option<MountEntry> {
    let fields: Vec<&str> = line.split(' ').collect();
    let sep = fields.iter().position(|f| *f == "-")?;
    if sep < 6 || fields.len() < sep + 3 {
        return None;
    }
    Some(MountEntry {
        id: fields[0].parse().ok()?,
        parent: fields[1].parse().ok()?,
        device: fields[2].to_string(),
        root: unescape(fields[3]),
        mount_point: unescape(fields[4]),
        fstype: fields[sep + 1].to_string(),
        source: unescape(fields[sep + 2]),
    })
}

/// Undo the kernel's octal escapes (`\040` for space, `\011`, `\012`, `\134`).
fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 3 < bytes.len()
            && bytes[i + 1..i + 4]
                .iter()
                .all(|b| (b'0'..=b'7').contains(b))
        {
            let v = (bytes[i + 1] - b'0') * 64 + (bytes[i + 2] - b'0') * 8 + (bytes[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The mount that holds `path`: the longest mount point that is `path` or one of its parents;
/// among mounts stacked on the same point, the last one (the one on top).
pub fn covering<'a>(mounts: &'a [MountEntry], path: &str) -> Option<&'a MountEntry> {
    let path = path.trim_end_matches('/');
    let path = if path.is_empty() { "/" } else { path };
    let holds = |mp: &str| {
        mp == "/"
            || mp == path
            || path
                .strip_prefix(mp)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    let mut best: Option<&MountEntry> = None;
    for m in mounts.iter().filter(|m| holds(&m.mount_point)) {
        if best.is_none_or(|b| m.mount_point.len() >= b.mount_point.len()) {
            best = Some(m);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    // Lines in the shape of a Debian 12 host's /proc/1/mountinfo.
    const HOST: &str = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
30 22 8:17 / /var/lib/docker rw,relatime shared:20 - xfs /dev/sdb1 rw
31 22 0:25 / /run rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,size=812k
40 22 8:1 /srv/with\\040space /mnt/a\\040b rw shared:1 - ext4 /dev/sda1 rw
";

    #[test]
    fn parses_fields_and_escapes() {
        let m = parse(HOST).unwrap();
        assert_eq!(m.len(), 5);
        assert_eq!(m[2].device, "8:17");
        assert_eq!(m[2].source, "/dev/sdb1");
        assert_eq!(m[4].root, "/srv/with space");
        assert_eq!(m[4].mount_point, "/mnt/a b");
        assert!(m[4].is_subtree());
    }

    #[test]
    fn covering_picks_longest_parent_and_top_of_stack() {
        let m = parse(HOST).unwrap();
        assert_eq!(
            covering(&m, "/var/lib/docker/overlay2").unwrap().device,
            "8:17"
        );
        assert_eq!(covering(&m, "/var/lib/dockerx").unwrap().mount_point, "/");
        let stacked =
            format!("{HOST}41 30 8:1 /var/lib/docker /var/lib/docker rw - ext4 /dev/sda1 rw\n");
        let m = parse(&stacked).unwrap();
        assert_eq!(covering(&m, "/var/lib/docker").unwrap().id, 41);
    }

    #[test]
    fn malformed_line_is_an_error() {
        assert!(parse("22 1 8:1 / /\n").unwrap_err().contains("line 1"));
    }
}
