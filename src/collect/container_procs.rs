//! Processes of running containers, read from the host's `/proc` in one pass and matched to
//! containers by the container id in each process's cgroup path (`/docker/<id>`,
//! `docker-<id>.scope`, `<cgroup-parent>/<id>`), which is how the kernel groups a container's
//! processes and what `docker top` itself lists.
//!
//! Why not `docker top`: for every call dockerd runs `ps -ef` over the whole host, so on a host
//! with hundreds of containers the listing dominates a scan (measured in bench/README.md). One
//! walk of `/proc` serves all containers. It is only trusted for a container whose main process
//! (`State.Pid`) is visible here inside that container's cgroup, which proves this `/proc` is the
//! daemon's host seen from its PID namespace; the collector asks `docker top` for any other
//! (remote daemon, scanner in its own PID namespace).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use bollard::models::ContainerTopResponse;

/// Column titles of the lists built here (the sshd check finds `CMD` by title).
pub const TITLES: [&str; 2] = ["PID", "CMD"];

/// Process lists for the containers `(id, main pid)` whose main process was found in its own
/// cgroup under `root/proc`; containers missing from the result need another source.
pub fn read(root: &Path, containers: &[(String, i64)]) -> HashMap<String, ContainerTopResponse> {
    let wanted: HashSet<&str> = containers.iter().map(|(id, _)| id.as_str()).collect();
    let mut rows: HashMap<String, Vec<(u32, String)>> = HashMap::new();
    let Ok(entries) = std::fs::read_dir(root.join("proc")) else {
        return HashMap::new();
    };
    for entry in entries.filter_map(Result::ok) {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let dir = entry.path();
        // Processes may exit while we read: whatever is gone is simply not listed.
        let Ok(cgroup) = std::fs::read_to_string(dir.join("cgroup")) else {
            continue;
        };
        let Some(id) = container_id_in(&cgroup, &wanted) else {
            continue;
        };
        let Some(cmd) = command_line(&dir) else {
            continue;
        };
        rows.entry(id.to_string()).or_default().push((pid, cmd));
    }
    containers
        .iter()
        .filter_map(|(id, main_pid)| {
            let mut list = rows.remove(id)?;
            if !list.iter().any(|(pid, _)| i64::from(*pid) == *main_pid) {
                return None;
            }
            list.sort();
            Some((
                id.clone(),
                ContainerTopResponse {
                    titles: Some(TITLES.iter().map(|t| t.to_string()).collect()),
                    processes: Some(
                        list.into_iter()
                            .map(|(pid, cmd)| vec![pid.to_string(), cmd])
                            .collect(),
                    ),
                },
            ))
        })
        .collect()
}

/// The wanted container id that appears as a 64-hex-digit run in a `/proc/PID/cgroup` text.
fn container_id_in<'a>(cgroup: &str, wanted: &HashSet<&'a str>) -> Option<&'a str> {
    let bytes = cgroup.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if !bytes[start].is_ascii_hexdigit() {
            start += 1;
            continue;
        }
        let end = bytes[start..]
            .iter()
            .position(|b| !b.is_ascii_hexdigit())
            .map_or(bytes.len(), |n| start + n);
        if end - start == 64
            && let Some(id) = wanted.get(&cgroup[start..end])
        {
            return Some(id);
        }
        start = end;
    }
    None
}

/// The command line as `ps -ef` prints it: arguments joined by spaces, or `[comm]` when the
/// process has none (a zombie).
fn command_line(dir: &Path) -> Option<String> {
    let raw = std::fs::read(dir.join("cmdline")).ok()?;
    let args: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    if !args.is_empty() {
        return Some(args.join(" "));
    }
    let comm = std::fs::read_to_string(dir.join("comm")).ok()?;
    Some(format!("[{}]", comm.trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const B: &str = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    fn write_proc(root: &Path, pid: u32, cgroup: &str, cmdline: &[u8]) {
        let dir = root.join("proc").join(pid.to_string());
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("cgroup"), cgroup).unwrap();
        std::fs::write(dir.join("cmdline"), cmdline).unwrap();
        std::fs::write(dir.join("comm"), "zombie\n").unwrap();
    }

    #[test]
    fn groups_processes_by_cgroup_and_requires_the_main_pid() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        // cgroup v1 (cgroupfs driver) and v2 (systemd driver) layouts.
        write_proc(
            r,
            10,
            &format!("12:pids:/docker/{A}\n1:name=systemd:/docker/{A}\n"),
            b"/usr/sbin/sshd\0-D\0",
        );
        write_proc(r, 11, &format!("0::/system.slice/docker-{A}.scope\n"), b"");
        write_proc(r, 20, &format!("0::/docker/{B}\n"), b"sleep\x00100\x00");
        write_proc(r, 30, "0::/user.slice\n", b"bash\0");
        let lists = read(r, &[(A.into(), 10), (B.into(), 99)]);
        let a = &lists[A];
        assert_eq!(
            a.titles.as_deref(),
            Some(&["PID".to_string(), "CMD".to_string()][..])
        );
        assert_eq!(
            a.processes.as_deref(),
            Some(
                &[
                    vec!["10".to_string(), "/usr/sbin/sshd -D".to_string()],
                    vec!["11".to_string(), "[zombie]".to_string()],
                ][..]
            )
        );
        // B's main process (99) is not visible: this /proc cannot be trusted for it.
        assert!(!lists.contains_key(B));
    }

    #[test]
    fn ids_must_be_whole_64_digit_runs() {
        let wanted: HashSet<&str> = [A].into_iter().collect();
        assert_eq!(
            container_id_in(&format!("0::/docker/{A}"), &wanted),
            Some(A)
        );
        assert_eq!(container_id_in(&format!("0::/docker/{A}0"), &wanted), None);
        assert_eq!(container_id_in("0::/", &wanted), None);
    }
}
