//! Docker edges: the daemon is root on the host; who reaches the daemon (the client, local users
//! through a loose socket or a loopback TCP listener without TLS, the network through any other
//! TCP listener, containers through a mounted socket or the host's network); how a container
//! reaches host root (privileged, CAP_SYS_ADMIN, host PID with CAP_SYS_PTRACE, a writable
//! sensitive host mount); and how an insecure registry reaches every container of its images.

use std::collections::HashMap;
use std::net::IpAddr;

use super::{Builder, Need, TargetKind};
use crate::facts::daemon_config::{DaemonConfig, Setting};
use crate::facts::docker::ContainerView;
use crate::threats::elements::ElementKind;

const HOST: &str = "process:host";
const DOCKERD: &str = "process:dockerd";
const API_FLOW: &str = "flow:docker-client->dockerd";

pub(super) fn edges(b: &mut Builder) {
    if b.element(DOCKERD).is_none() {
        return;
    }
    b.target(DOCKERD, TargetKind::DockerdControl);
    b.target(HOST, TargetKind::HostRoot);
    b.edge(
        DOCKERD,
        HOST,
        ("DKR-E-03", DOCKERD),
        &[
            ("daemon-rootless", Need::NotPassing),
            ("daemon-authorization-plugin", Need::NotPassing),
        ],
        "dockerd runs as root and no authorization plugin stands between its API and `docker run --privileged -v /:/host`",
    );
    b.entry(
        "ee:docker-client",
        "the Docker client (an administrator's account or a CI job) is compromised",
    );
    b.edge(
        "ee:docker-client",
        DOCKERD,
        ("DKR-S-02", "ee:docker-client"),
        &[("daemon-authorization-plugin", Need::NotPassing)],
        "whoever holds the client's access to the API drives dockerd with every right",
    );
    b.entry(
        "entry:local-user",
        "any local user or process on the host (no privilege)",
    );
    for (slug, what) in [
        (
            "file-docker-sock-mode",
            "the Docker socket's mode lets other users connect",
        ),
        (
            "file-docker-sock-owner",
            "the Docker socket belongs to a user or group other than root:docker",
        ),
        (
            "host-docker-group-trusted-users",
            "users outside the trusted ones are in the docker group",
        ),
    ] {
        b.edge(
            "entry:local-user",
            DOCKERD,
            ("DKR-E-03", DOCKERD),
            &[(slug, Need::Fails)],
            what,
        );
    }
    let (loopback, remote) = tcp_listeners(&DaemonConfig::from_facts(b.facts));
    if !loopback.is_empty() || !remote.is_empty() {
        let all: Vec<&str> = loopback.iter().chain(&remote).map(String::as_str).collect();
        b.edge(
            "entry:local-user",
            DOCKERD,
            ("DKR-S-01", API_FLOW),
            &[("daemon-tls-on-tcp", Need::Fails)],
            &format!(
                "dockerd listens on {} without TLS client verification: every local user can connect (loopback is no boundary for them)",
                all.join(", ")
            ),
        );
    }
    if !remote.is_empty() {
        b.entry("entry:network", "anyone who reaches the host's addresses");
        b.edge(
            "entry:network",
            DOCKERD,
            ("DKR-S-01", API_FLOW),
            &[("daemon-tls-on-tcp", Need::Fails)],
            &format!(
                "dockerd listens on {} without TLS client verification",
                remote.join(", ")
            ),
        );
    }
    containers(b, &loopback, &remote);
    registries(b);
}

/// The daemon's TCP listeners: (loopback only, the others).
fn tcp_listeners(daemon: &DaemonConfig) -> (Vec<String>, Vec<String>) {
    let hosts = daemon.hosts();
    if matches!(hosts, Setting::Unset { .. } | Setting::Unknown { .. }) {
        return (vec![], vec![]);
    }
    let mut loopback = Vec::new();
    let mut remote = Vec::new();
    for h in hosts.strings() {
        let lower = h.to_ascii_lowercase();
        let Some(rest) = ["tcp://", "http://", "https://"]
            .iter()
            .find_map(|p| lower.strip_prefix(p))
        else {
            continue;
        };
        let host = host_part(rest);
        let is_loopback =
            host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        if is_loopback {
            loopback.push(h);
        } else {
            remote.push(h);
        }
    }
    (loopback, remote)
}

/// `127.0.0.1` of `127.0.0.1:2375`, `::1` of `[::1]:2375`; empty (all interfaces) for `:2375`.
fn host_part(addr: &str) -> &str {
    let addr = addr.split('/').next().unwrap_or(addr);
    if let Some(rest) = addr.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    match addr.rsplit_once(':') {
        Some((h, _)) => h,
        None => addr,
    }
}

fn cap_names(caps: Option<&Vec<String>>) -> Vec<String> {
    caps.into_iter()
        .flatten()
        .map(|c| {
            c.trim()
                .to_ascii_uppercase()
                .trim_start_matches("CAP_")
                .to_string()
        })
        .collect()
}

fn short_id(id: &str) -> String {
    id.trim_start_matches("sha256:").chars().take(12).collect()
}

/// The element id discovery gives a container.
pub(super) fn container_id(c: &ContainerView) -> String {
    if c.name().is_empty() {
        format!("container:{}", short_id(c.id()))
    } else {
        format!("container:{}", c.name())
    }
}

fn containers(b: &mut Builder, loopback: &[String], remote: &[String]) {
    let Some(api) = b.facts.docker.seen() else {
        return;
    };
    for inspect in &api.containers {
        let c = ContainerView::new(inspect);
        let cid = container_id(&c);
        if b.element(&cid).is_none() {
            continue;
        }
        let hc = c.host_config();
        let host_network = hc.network_mode.as_deref() == Some("host");
        let mut reason =
            vec!["assumed compromised (its application is exposed to its users)".to_string()];
        let published: Vec<String> = hc
            .port_bindings
            .iter()
            .flatten()
            .flat_map(|(port, binds)| {
                binds.iter().flatten().map(move |p| {
                    let ip = p
                        .host_ip
                        .as_deref()
                        .filter(|i| !i.is_empty())
                        .unwrap_or("0.0.0.0");
                    format!("{ip}:{}->{port}", p.host_port.as_deref().unwrap_or(""))
                })
            })
            .collect();
        if !published.is_empty() {
            reason.push(format!("publishes {}", published.join(", ")));
        }
        if host_network {
            reason.push("listens on the host's network".into());
        }
        b.entry(&cid, reason.join("; "));

        b.edge(
            &cid,
            DOCKERD,
            ("DKR-E-08", &cid),
            &[("container-docker-socket-mount", Need::Fails)],
            "the container mounts the Docker socket: it drives dockerd with every right",
        );
        b.edge(
            &cid,
            HOST,
            ("DKR-E-01", &cid),
            &[("container-privileged", Need::Fails)],
            "a privileged container has every capability and the host's devices: it mounts the host's disk",
        );
        let caps = cap_names(hc.cap_add.as_ref());
        let has = |cap: &str| caps.iter().any(|c| c == cap || c == "ALL");
        if has("SYS_ADMIN") {
            b.edge(
                &cid,
                HOST,
                ("DKR-E-07", &cid),
                &[("container-capabilities-restricted", Need::Fails)],
                "CAP_SYS_ADMIN lets root in the container mount file systems and write cgroup release agents that run on the host",
            );
        }
        if hc.pid_mode.as_deref() == Some("host") && has("SYS_PTRACE") {
            b.edge(
                &cid,
                HOST,
                ("DKR-I-09", &cid),
                &[
                    ("container-host-pid", Need::Fails),
                    ("container-capabilities-restricted", Need::Fails),
                ],
                "the host's PID namespace with CAP_SYS_PTRACE: root in the container injects code into host root processes",
            );
        }
        let writable: Vec<String> = inspect
            .mounts
            .iter()
            .flatten()
            .filter(|m| m.typ.as_deref() == Some("bind") && m.rw.unwrap_or(true))
            .filter_map(|m| m.source.clone())
            .filter(|src| crate::checks::docker::runtime::is_sensitive_mount(src, true))
            .collect();
        if !writable.is_empty() {
            b.edge(
                &cid,
                HOST,
                ("DKR-T-11", &cid),
                &[("container-no-writable-host-mounts", Need::Fails)],
                &format!(
                    "host {} mounted writable: root in the container rewrites host files (cron, systemd units, /etc/shadow)",
                    writable.join(", ")
                ),
            );
        }
        let reaches_api = !remote.is_empty() || (host_network && !loopback.is_empty());
        if reaches_api {
            let how = if host_network {
                "shares the host's network namespace"
            } else {
                "reaches the host's addresses"
            };
            let listeners: Vec<&str> = if host_network {
                loopback.iter().chain(remote).map(String::as_str).collect()
            } else {
                remote.iter().map(String::as_str).collect()
            };
            let mut needs = vec![(API_FLOW, "daemon-tls-on-tcp", Need::Fails)];
            if remote.is_empty() {
                // Only the host's network reaches a loopback listener.
                needs.push((cid.as_str(), "container-host-network", Need::Fails));
            }
            b.edge_across(
                &cid,
                DOCKERD,
                ("DKR-S-01", API_FLOW),
                &needs,
                &format!(
                    "the container {how}, where dockerd listens on {} without TLS client verification",
                    listeners.join(", ")
                ),
            );
        }
    }
}

/// The registry an image reference is pulled from (`docker.io` when it names none).
fn registry_of(reference: &str) -> &str {
    match reference.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            first
        }
        _ => "docker.io",
    }
}

/// Whether an image's registry host is the insecure registry `name` (a host[:port] or a CIDR).
fn served_by(registry: &str, name: &str) -> bool {
    if registry == name {
        return true;
    }
    let Some((net, bits)) = name.split_once('/') else {
        return false;
    };
    let host = host_part(registry);
    match (
        host.parse::<IpAddr>(),
        net.parse::<IpAddr>(),
        bits.parse::<u32>(),
    ) {
        (Ok(IpAddr::V4(ip)), Ok(IpAddr::V4(net)), Ok(bits)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (Ok(IpAddr::V6(ip)), Ok(IpAddr::V6(net)), Ok(bits)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

fn registries(b: &mut Builder) {
    let Some(api) = b.facts.docker.seen() else {
        return;
    };
    let registries: Vec<String> = b
        .system
        .elements
        .iter()
        .filter(|e| e.kind == ElementKind::Registry)
        .filter_map(|e| e.id.strip_prefix("process:registry:").map(str::to_string))
        .collect();
    if registries.is_empty() {
        return;
    }
    // Image element id by full image id, and the registries of its tags.
    let mut images: HashMap<&str, (String, Vec<&str>)> = HashMap::new();
    for img in &api.image_list {
        let tags: Vec<&str> = img
            .repo_tags
            .iter()
            .map(String::as_str)
            .filter(|t| *t != "<none>:<none>")
            .collect();
        let name = tags
            .first()
            .map(|t| t.to_string())
            .unwrap_or_else(|| short_id(&img.id));
        images.insert(img.id.as_str(), (format!("image:{name}"), tags));
    }
    let mut users: HashMap<&str, Vec<String>> = HashMap::new();
    for inspect in &api.containers {
        if let Some(image) = inspect.image.as_deref() {
            users
                .entry(image)
                .or_default()
                .push(container_id(&ContainerView::new(inspect)));
        }
    }
    for name in registries {
        let reg = format!("process:registry:{name}");
        let flow = format!("flow:dockerd->registry:{name}");
        let mut any = false;
        for (image_id, (element, tags)) in &images {
            let Some(tag) = tags.iter().find(|t| served_by(registry_of(t), &name)) else {
                continue;
            };
            if b.element(element).is_none() {
                continue;
            }
            let added = b.edge(
                &reg,
                element,
                ("DKR-T-03", &flow),
                &[("daemon-no-insecure-registries", Need::Fails)],
                &format!(
                    "{tag} is pulled from {name} over plain HTTP or unverified TLS: whoever controls the registry or the path to it serves altered layers"
                ),
            );
            if !added {
                continue;
            }
            any = true;
            for cid in users.get(image_id).into_iter().flatten() {
                b.edge(
                    element,
                    cid,
                    ("DKR-T-02", &reg),
                    &[("daemon-no-insecure-registries", Need::Fails)],
                    &format!("{} runs {tag}: altered image code runs in it", cid),
                );
            }
        }
        if any {
            b.entry(
                &reg,
                format!("registry {name}, or anyone on the path to it (insecure transport)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries_of_references_and_insecure_cidrs() {
        assert_eq!(registry_of("busybox:1"), "docker.io");
        assert_eq!(registry_of("library/busybox"), "docker.io");
        assert_eq!(
            registry_of("registry.local:5000/app:1"),
            "registry.local:5000"
        );
        assert_eq!(registry_of("localhost/app"), "localhost");
        assert!(served_by("registry.local:5000", "registry.local:5000"));
        assert!(served_by("10.1.2.3:5000", "10.0.0.0/8"));
        assert!(!served_by("11.1.2.3:5000", "10.0.0.0/8"));
        assert!(!served_by("registry.local:5000", "10.0.0.0/8"));
        assert!(served_by("[fd00::1]:5000", "fd00::/8"));
    }

    #[test]
    fn listeners_split_loopback_from_the_rest() {
        assert_eq!(host_part("127.0.0.1:2375"), "127.0.0.1");
        assert_eq!(host_part("[::1]:2375"), "::1");
        assert_eq!(host_part(":2375"), "");
        assert_eq!(host_part("0.0.0.0:2376"), "0.0.0.0");
    }
}
