//! Processes of interest from `/proc` under the scan root. Read directly rather than through a
//! crate because a snapshot root may hold only `cmdline` files, which process crates reject.

use std::path::Path;

use crate::facts::{Observed, ProcessFact, Unavailable, UnavailableKind};

/// Executables whose command lines the checks read. Nothing else is recorded.
pub const INTERESTING: &[&str] = &[
    "dockerd",
    "containerd",
    "auditd",
    "kubelet",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kube-proxy",
    "etcd",
    "k3s",
    "k3s-server",
    "k3s-agent",
    "rke2",
];

pub fn collect(root: &Path) -> Observed<Vec<ProcessFact>> {
    let proc_dir = root.join("proc");
    let entries = match std::fs::read_dir(&proc_dir) {
        Ok(rd) => rd,
        Err(e) => {
            return Observed::Unavailable(Unavailable::from_io(
                &proc_dir.display().to_string(),
                &e,
            ));
        }
    };
    let mut found = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let dir = entry.path();
        // A process may exit between listing and reading: skip it silently, it is gone.
        let Ok(raw) = std::fs::read(dir.join("cmdline")) else {
            continue;
        };
        let argv: Vec<String> = raw
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).to_string())
            .collect();
        let exe = std::fs::read_link(dir.join("exe"))
            .ok()
            .map(|p| p.to_string_lossy().to_string());
        let process = ProcessFact { pid, exe, argv };
        if INTERESTING.contains(&process.exe_name()) {
            found.push(process);
        }
    }
    if found.is_empty() && !proc_dir.join("self").exists() && root == Path::new("/") {
        return Observed::unavailable(UnavailableKind::Error, "/proc is not mounted");
    }
    found.sort_by_key(|p| p.pid);
    Observed::Seen(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cmdline_snapshots_and_ignores_other_processes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("proc/42");
        std::fs::create_dir_all(&p).unwrap();
        std::fs::write(p.join("cmdline"), b"/usr/bin/dockerd\0-H\0fd://\0").unwrap();
        let q = dir.path().join("proc/43");
        std::fs::create_dir_all(&q).unwrap();
        std::fs::write(q.join("cmdline"), b"/bin/bash\0-c\0dockerd\0").unwrap();
        let Observed::Seen(list) = collect(dir.path()) else {
            panic!()
        };
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].pid, 42);
        assert_eq!(list[0].argv, vec!["/usr/bin/dockerd", "-H", "fd://"]);
    }

    #[test]
    fn missing_proc_is_unavailable() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(collect(dir.path()), Observed::Unavailable(_)));
    }

    /// Processes named like dockerd start and exit while /proc is read: each read sees them or
    /// not, never fails and never reports half a process.
    #[test]
    fn processes_that_vanish_mid_scan_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("dockerd");
        std::fs::copy("/bin/sleep", &exe).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let racing = {
            let (stop, exe) = (stop.clone(), exe.clone());
            std::thread::spawn(move || {
                let mut started = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    if let Ok(mut child) = std::process::Command::new(&exe).arg("0.001").spawn() {
                        let _ = child.wait();
                        started += 1;
                    }
                }
                started
            })
        };
        let mut seen = 0;
        for _ in 0..300 {
            let Observed::Seen(list) = collect(std::path::Path::new("/")) else {
                panic!("/proc unreadable")
            };
            for p in list
                .iter()
                .filter(|p| p.argv.first().is_some_and(|a| a.ends_with("/dockerd")))
            {
                assert!(p.pid > 0 && p.argv.len() == 2, "{p:?}");
                seen += 1;
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let started = racing.join().unwrap();
        assert!(started > 10, "the race did not run: {started} processes");
        eprintln!("{started} short-lived processes, seen {seen} times mid-life");
    }
}
