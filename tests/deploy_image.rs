//! The node scan as the DaemonSet in deploy/kubernetes runs it: threatbench in a container with
//! the host's PID namespace and the host's `/` mounted read-only at `/host`, scanning
//! `--root /host`, as root with every capability dropped. No registry is reachable, so the image is made with `docker import` from the
//! binary these tests built and the shared libraries it links (from `ldd`, with the dynamic
//! loader). The container must reach the same host-file verdicts (CIS Docker 1.1 audit rules and
//! partition, 3.x file owners and modes) as a scan run directly on the host with `--root /`.
//!
//! Both scans name the test daemon's socket in DOCKER_HOST: the test machine runs several
//! dockerd processes (one per concurrent test), and the scan picks the one whose `-H` serves
//! that endpoint. On a node there is one dockerd and nothing needs naming. The socket itself is
//! not mounted into the container (as in the DaemonSet), so there the API stays unreachable.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Daemon, Scan, unique_name};
use serde_json::Value;

/// The binary under test.
const BINARY: &str = env!("CARGO_BIN_EXE_threatbench");

/// Removes the image on drop, also when the test fails.
struct Image<'a> {
    daemon: &'a Daemon,
    tag: String,
}

impl Drop for Image<'_> {
    fn drop(&mut self) {
        let _ = self.daemon.docker(&["rmi", "-f", &self.tag]);
    }
}

/// The shared objects `ldd` says the binary loads (the dynamic loader included), by path; the
/// vDSO has no file and is left out.
fn linked_libraries(binary: &str) -> Vec<PathBuf> {
    let out = Command::new("ldd")
        .arg(binary)
        .output()
        .expect("running ldd");
    let text = String::from_utf8_lossy(&out.stdout);
    if text.contains("not a dynamic executable") || text.contains("statically linked") {
        return Vec::new();
    }
    assert!(
        out.status.success(),
        "ldd {binary}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines()
        .filter_map(|line| {
            // `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)` or `/lib64/ld-linux-x86-64.so.2 (0x...)`
            let path = match line.split_once("=>") {
                Some((_, right)) => right.split_whitespace().next()?,
                None => line.split_whitespace().next()?,
            };
            path.starts_with('/').then(|| PathBuf::from(path))
        })
        .collect()
}

/// A root file system holding only threatbench (as /threatbench) and its libraries at the paths
/// the loader looks them up by, plus the `/host` mount point and a `/tmp`.
fn rootfs_tar(dir: &Path) -> PathBuf {
    let path = dir.join("threatbench-rootfs.tar");
    let mut tar = tar::Builder::new(std::fs::File::create(&path).unwrap());
    tar.follow_symlinks(true);
    // dockerd cannot apply GNU sparse entries (tar header type S).
    tar.sparse(false);
    let libraries = linked_libraries(BINARY);
    // Every directory explicitly: dockerd makes missing parents mode 0600, which root without
    // capabilities (the DaemonSet's container) cannot search.
    let mut dirs: BTreeMap<PathBuf, u32> = BTreeMap::from([
        (PathBuf::from("host"), 0o755),
        (PathBuf::from("tmp"), 0o1777),
    ]);
    for lib in &libraries {
        let relative = lib.strip_prefix("/").unwrap();
        for dir in relative.ancestors().skip(1) {
            if !dir.as_os_str().is_empty() {
                dirs.insert(dir.to_path_buf(), 0o755);
            }
        }
    }
    for (dir, mode) in &dirs {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Directory);
        h.set_mode(*mode);
        h.set_uid(0);
        h.set_gid(0);
        h.set_size(0);
        tar.append_data(&mut h, dir, std::io::empty()).unwrap();
    }
    tar.append_path_with_name(BINARY, "threatbench").unwrap();
    for lib in &libraries {
        let name = lib.strip_prefix("/").unwrap();
        tar.append_path_with_name(lib, name)
            .unwrap_or_else(|e| panic!("adding {}: {e}", lib.display()));
    }
    tar.finish().unwrap();
    path
}

/// Whether auditd runs here: a live scan of `/` then reads the rules loaded in the kernel
/// (`auditctl -l`), which a `--root` scan never does (it reads the rules files).
fn auditd_running() -> bool {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .any(|e| std::fs::read_to_string(e.path().join("comm")).is_ok_and(|c| c.trim() == "auditd"))
}

/// Verdicts of the host-file checks: 1.1.x (audit rules, the data root's partition) and 3.x
/// (owners and modes of the daemon's files), by id; without the audit rules when auditd runs.
fn host_file_verdicts(scan: &Scan) -> BTreeMap<String, String> {
    let skip_audit_rules = auditd_running();
    scan.results()
        .iter()
        .filter(|r| {
            !(skip_audit_rules && r["slug"].as_str().unwrap_or("").starts_with("audit-rule-"))
        })
        .filter_map(|r| {
            let id = r["id"].as_str()?;
            (id.starts_with("1.1.") || id.starts_with("3."))
                .then(|| (id.to_string(), r["verdict"].as_str().unwrap_or("").into()))
        })
        .collect()
}

/// The threatbench image, imported once per test.
fn import_image<'a>(daemon: &'a Daemon, dir: &Path) -> Image<'a> {
    let tar = rootfs_tar(dir);
    let image = Image {
        daemon,
        tag: format!("{}:test", unique_name("deploy-image")),
    };
    daemon.docker_ok(&[
        "import",
        "--change",
        r#"ENTRYPOINT ["/threatbench"]"#,
        tar.to_str().unwrap(),
        &image.tag,
    ]);
    image
}

/// `threatbench ARGS` in the image as the DaemonSet's pod runs: the host's PID namespace, the
/// host's `/` read-only at /host, root with no capabilities, no privilege gain, a read-only
/// image; `env` as `-e` options.
fn run_as_the_daemonset(image: &Image, env: &[String], args: &[&str]) -> Scan {
    let mut run = vec![
        "run",
        "--rm",
        "--pull",
        "never",
        "--pid=host",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        "--read-only",
        "-v",
        "/:/host:ro",
    ];
    for e in env {
        run.extend(["-e", e.as_str()]);
    }
    run.push(&image.tag);
    run.extend(args);
    Scan::from_output(&image.daemon.docker(&run))
}

#[test]
fn the_daemonset_way_of_scanning_sees_the_host_files_as_a_host_scan_does() {
    let Some(daemon) = Daemon::main("deploy_image") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let image = import_image(&daemon, work.path());

    let on_host = daemon.scan(&["--root", "/", "--select", "1,3"]);
    let in_pod = run_as_the_daemonset(
        &image,
        &[format!("DOCKER_HOST={}", daemon.host)],
        &[
            "scan", "--root", "/host", "--format", "json", "--select", "1,3",
        ],
    );

    // The container's scan could not reach the API (no socket mounted): it says so, exit 3.
    assert_eq!(in_pod.code, 3, "stderr: {}", in_pod.stderr);
    let host = host_file_verdicts(&on_host);
    let pod = host_file_verdicts(&in_pod);
    assert!(host.len() > 15, "host-file checks ran: {host:?}");
    assert_eq!(
        pod, host,
        "verdicts in the container (left) differ from the host scan (right)"
    );
    // It saw the host and its dockerd, not its own empty container: the daemon's socket is found
    // from the dockerd command line read through the host's /proc, then stat'ed under /host.
    let socket = daemon.host.trim_start_matches("unix://");
    let evidence = in_pod.evidence("file-docker-sock-owner");
    assert!(
        evidence.contains(socket) && evidence.contains("owner"),
        "docker.sock owner evidence in the container: {evidence}"
    );
    assert_eq!(in_pod.json["target"]["root"], Value::from("/host"));
}

/// deploy/kubernetes/with-docker-socket: the same pod with `--docker-host` naming the socket
/// under the read-only host mount. A read-only mount does not stop connect(): the API answers,
/// so the checks that need it are evaluated. This is why the socket is root-equivalent even
/// read-only (deploy/README.md).
#[test]
fn the_docker_socket_under_the_read_only_host_mount_serves_the_api() {
    let Some(daemon) = Daemon::main("deploy_image_socket") else {
        return;
    };
    let Some(socket) = daemon.host.strip_prefix("unix://") else {
        eprintln!("skipping: the test daemon is not on a unix socket");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let image = import_image(&daemon, work.path());
    let container = daemon.run("deploy-image-target", &[]);
    let endpoint = format!("unix:///host{socket}");
    let with_api = run_as_the_daemonset(
        &image,
        &[],
        &[
            "scan",
            "--root",
            "/host",
            "--docker-host",
            &endpoint,
            "--format",
            "json",
            "--select",
            "5",
        ],
    );
    assert!(
        with_api.json["target"]["docker_endpoint"].is_string(),
        "{}",
        with_api.stderr
    );
    // A container-level check reached the container through the API.
    with_api.object("container-privileged", &container);
    with_api.expect("container-privileged", &container, "pass");
}
