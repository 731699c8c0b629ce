//! Host files for CIS Docker sections 1 (host configuration) and 3 (daemon configuration files):
//! mount table, group database, audit rules and auditd, systemd unit files and drop-ins, Docker's
//! configuration directories, TLS files and sockets. Each round of collection adds what the facts
//! so far point to (a listing names the files to stat next).

use crate::facts::audit::{self, AUDIT_RULES_DIR, AUDIT_RULES_FILE};
use crate::facts::daemon_config::DaemonConfig;
use crate::facts::docker_host::{self as paths, Lookup};
use crate::facts::systemd::{self, DOCKER_UNITS, UNIT_SEARCH_PATH};
use crate::facts::{Facts, Observed};

use super::fsroot::FileRequest;

/// Files whose presence the audit checks (1.1.x) ask about, at fixed benchmark paths.
pub const AUDITED_FIXED_PATHS: &[&str] = &[
    "/run/containerd",
    "/etc/docker",
    "/etc/default/docker",
    "/etc/sysconfig/docker",
    "/usr/bin/containerd-shim",
    "/usr/bin/containerd-shim-runc-v1",
    "/usr/bin/containerd-shim-runc-v2",
    "/usr/bin/runc",
];

/// Host release and kernel, shown for 1.2.1.
pub const RELEASE_FILES: &[&str] = &["/proc/version", "/etc/os-release", "/usr/lib/os-release"];

pub fn files(facts: &Facts) -> Vec<FileRequest> {
    let host = &facts.host;
    let daemon = DaemonConfig::from_facts(facts);
    let mut out: Vec<FileRequest> = Vec::new();

    // 1.1.1: the mount table as dockerd sees it, else as init sees it, else as we see it.
    let mut mountinfo: Vec<String> = Vec::new();
    if let Some(p) = &daemon.process {
        mountinfo.push(format!("/proc/{}/mountinfo", p.pid));
    }
    mountinfo.extend(["/proc/1/mountinfo".into(), "/proc/self/mountinfo".into()]);
    for path in mountinfo {
        out.push(FileRequest::read(path.clone()));
        // Ask for the next one only when this one was tried and failed.
        if !matches!(host.file(&path), Observed::Unavailable(_)) || !host.files.contains_key(&path)
        {
            break;
        }
    }
    if let Lookup::Found(root) = paths::docker_root_dir(facts, &daemon) {
        out.push(FileRequest::stat(root.path));
    }

    // 1.1.2: the group database and whether it has sources beyond the files.
    out.push(FileRequest::read("/etc/nsswitch.conf"));

    // 1.1.3-1.1.18: rules files, auditd itself, and the audited paths.
    out.push(FileRequest::read(AUDIT_RULES_FILE));
    out.push(FileRequest::list(AUDIT_RULES_DIR));
    out.extend(
        audit::rules_file_paths(host)
            .into_iter()
            .map(FileRequest::read),
    );
    out.extend(audit::AUDITD_BINARIES.iter().map(|p| FileRequest::stat(*p)));
    out.extend(
        audit::AUDITD_ENABLED_LINKS
            .iter()
            .map(|p| FileRequest::stat(*p)),
    );
    out.extend(AUDITED_FIXED_PATHS.iter().map(|p| FileRequest::stat(*p)));
    out.push(FileRequest::stat(paths::dockerd_binary(&daemon).path));
    out.push(FileRequest::stat(paths::containerd_binary(host).path));
    out.push(FileRequest::stat(paths::containerd_config(host).path));

    // Unit files (1.1.7, 1.1.9, 3.1-3.4) and drop-ins; docker.socket is read for ListenStream.
    out.extend(UNIT_SEARCH_PATH.iter().map(|d| FileRequest::list(*d)));
    for name in DOCKER_UNITS {
        let unit = systemd::locate(host, name);
        out.extend(
            unit.dropin_dirs
                .iter()
                .map(|d| FileRequest::list(d.clone())),
        );
        out.extend(unit.all_files().into_iter().map(FileRequest::read));
    }

    // Section 3.
    out.push(FileRequest::list("/etc/docker"));
    out.push(FileRequest::list(paths::REGISTRY_CERTS_DIR));
    if let Ok(Some(entries)) = paths::registry_cert_dirs(host) {
        out.extend(entries.iter().map(|e| FileRequest::list(e.clone())));
    }
    if let Ok(Some(files)) = paths::registry_cert_files(host) {
        out.extend(files.into_iter().map(FileRequest::stat));
    }
    for key in ["tlscacert", "tlscert", "tlskey"] {
        if let Lookup::Found(f) = paths::tls_file(&daemon, key) {
            out.push(FileRequest::stat(f.path));
        }
    }
    match paths::docker_sockets(host, &daemon) {
        Ok(sockets) => out.extend(sockets.into_iter().map(|s| FileRequest::stat(s.path))),
        Err(_) => out.push(FileRequest::stat(
            crate::facts::daemon_config::DEFAULT_SOCKET,
        )),
    }
    out.push(FileRequest::stat(paths::DEFAULT_CONTAINERD_SOCKET));
    out.push(FileRequest::stat(paths::managed_containerd_socket(&daemon)));
    out.push(FileRequest::stat(
        paths::containerd_socket(facts, &daemon).path,
    ));

    // 1.2.1
    out.extend(RELEASE_FILES.iter().map(|p| FileRequest::read(*p)));
    out
}
