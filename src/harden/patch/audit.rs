//! Audit rules (CIS Docker 1.1.x): one `-w PATH -k docker` watch per failing audit check, in a
//! file of its own under /etc/audit/rules.d, merged with what that file already holds.

use super::shell;
use crate::facts::Facts;
use crate::facts::daemon_config::DaemonConfig;
use crate::facts::docker_host::{self as paths, Lookup};

/// Where threatbench's rules live; auditd's augenrules concatenates rules.d at load.
pub const RULES_FILE: &str = "/etc/audit/rules.d/threatbench.rules";

/// The watched path of each audit check when the check names no object (Debian/Ubuntu and
/// upstream package locations).
pub const AUDIT_PATHS: &[(&str, &str)] = &[
    ("audit-rule-dockerd", "/usr/bin/dockerd"),
    ("audit-rule-run-containerd", "/run/containerd"),
    ("audit-rule-var-lib-docker", "/var/lib/docker"),
    ("audit-rule-etc-docker", "/etc/docker"),
    (
        "audit-rule-docker-service",
        "/usr/lib/systemd/system/docker.service",
    ),
    (
        "audit-rule-containerd-sock",
        "/run/containerd/containerd.sock",
    ),
    (
        "audit-rule-docker-socket",
        "/usr/lib/systemd/system/docker.socket",
    ),
    ("audit-rule-etc-default-docker", "/etc/default/docker"),
    ("audit-rule-daemon-json", "/etc/docker/daemon.json"),
    (
        "audit-rule-containerd-config",
        "/etc/containerd/config.toml",
    ),
    ("audit-rule-etc-sysconfig-docker", "/etc/sysconfig/docker"),
    ("audit-rule-containerd-bin", "/usr/bin/containerd"),
    ("audit-rule-containerd-shim", "/usr/bin/containerd-shim"),
    (
        "audit-rule-containerd-shim-runc-v1",
        "/usr/bin/containerd-shim-runc-v1",
    ),
    (
        "audit-rule-containerd-shim-runc-v2",
        "/usr/bin/containerd-shim-runc-v2",
    ),
    ("audit-rule-runc", "/usr/bin/runc"),
];

pub fn default_path(slug: &str) -> Option<&'static str> {
    AUDIT_PATHS
        .iter()
        .find(|(s, _)| *s == slug)
        .map(|(_, p)| *p)
}

/// The path an audit check watches on this host, located as the check locates it (the running
/// dockerd's binary, the data root, the unit file systemd loads, ...), else the default path.
pub fn watched_path(slug: &str, facts: &Facts, daemon: &DaemonConfig) -> Option<String> {
    let found = |l: Lookup| match l {
        Lookup::Found(l) => Some(l.path),
        _ => None,
    };
    let unit = |name: &str| paths::unit(&facts.host, name).fragment;
    let located = match slug {
        "audit-rule-dockerd" => Some(paths::dockerd_binary(daemon).path),
        "audit-rule-var-lib-docker" => found(paths::docker_root_dir(facts, daemon)),
        "audit-rule-docker-service" => unit("docker.service"),
        "audit-rule-docker-socket" => unit("docker.socket"),
        "audit-rule-containerd-sock" => Some(paths::containerd_socket(facts, daemon).path),
        "audit-rule-daemon-json" => Some(daemon.config_path.clone()),
        "audit-rule-containerd-config" => Some(paths::containerd_config(&facts.host).path),
        "audit-rule-containerd-bin" => Some(paths::containerd_binary(&facts.host).path),
        _ => None,
    };
    located.or_else(|| default_path(slug).map(str::to_string))
}

/// The rule line for a watched path.
pub fn rule_line(path: &str) -> String {
    format!("-w {} -k docker", shell::quote(path))
}

/// The rules file with `paths` watched: existing lines kept as they are, missing watches appended.
pub fn merged_rules(existing: Option<&str>, paths: &[String]) -> String {
    let mut text = existing.unwrap_or("").to_string();
    if text.is_empty() {
        text.push_str(
            "# Docker audit watches (CIS Docker Benchmark 1.1.x), written by threatbench harden.\n",
        );
    } else if !text.ends_with('\n') {
        text.push('\n');
    }
    for p in paths {
        let line = rule_line(p);
        let present = text.lines().any(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words
                .windows(2)
                .any(|w| w[0] == "-w" && w[1] == shell::quote(p))
        });
        if !present {
            text.push_str(&line);
            text.push('\n');
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_existing_rules_and_adds_only_missing_watches() {
        let existing = "-w /usr/bin/dockerd -k docker\n-a always,exit -F arch=b64 -S mount";
        let out = merged_rules(
            Some(existing),
            &["/usr/bin/dockerd".into(), "/etc/docker".into()],
        );
        assert_eq!(
            out,
            "-w /usr/bin/dockerd -k docker\n-a always,exit -F arch=b64 -S mount\n-w /etc/docker -k docker\n"
        );
        let fresh = merged_rules(None, &["/var/lib/docker".into()]);
        assert!(fresh.starts_with("# Docker audit watches"));
        assert!(fresh.ends_with("-w /var/lib/docker -k docker\n"));
    }
}
