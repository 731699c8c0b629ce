//! Section 5: Container runtime. Most items are a property of every container in scope
//! (`EachContainer`), judged from its inspect data; a few look at the daemon or swarm.

use bollard::models::RestartPolicyNameEnum;

use super::{OWN, V131, V160, docker};
use crate::checks::{
    Assessment::*, Check, Component, Context, Doc, Evaluate, Level::*, ObjectOutcome, Outcome,
    Severity::*, Verdict,
};
use crate::facts::docker::ContainerView;
use crate::facts::{Observed, UnavailableKind};

/// Capabilities Docker grants by default; adding anything else widens the container's power.
pub const DEFAULT_CAPABILITIES: &[&str] = &[
    "CHOWN",
    "DAC_OVERRIDE",
    "FSETID",
    "FOWNER",
    "MKNOD",
    "NET_RAW",
    "SETGID",
    "SETUID",
    "SETFCAP",
    "SETPCAP",
    "NET_BIND_SERVICE",
    "SYS_CHROOT",
    "KILL",
    "AUDIT_WRITE",
];

/// Host directories whose mounting into a container the benchmark calls sensitive.
pub const SENSITIVE_HOST_DIRS: &[&str] = &[
    "/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr",
];

macro_rules! container_check {
    ($slug:literal, [$($bench:ident $id:literal),+], $title:literal, $level:ident, $assess:ident,
     $sev:ident, $f:path, what: $what:literal, why: $why:literal, evidence: $ev:literal,
     fix: $fix:literal) => {
        Check {
            slug: $slug,
            ids: &[$(($bench, $id)),+],
            title: $title,
            level: $level,
            assessment: $assess,
            severity: $sev,
            component: Component::Container,
            doc: Doc { what: $what, why: $why, evidence: $ev, remediation: $fix, references: "" },
            evaluate: Evaluate::EachContainer($f),
        }
    };
}

pub const CHECKS: &[Check] = &[
    Check {
        slug: "swarm-mode-disabled",
        ids: &[(V160, "5.1"), (V131, "7.1")],
        title: "Do not enable swarm mode unless it is needed",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::Swarm,
        doc: Doc {
            what: "Whether the engine runs in swarm mode.",
            why: "Swarm mode opens management and data-plane ports and adds services that widen the attack surface when not needed.",
            evidence: "`Swarm.LocalNodeState` from `docker info`.",
            remediation: "If swarm is not needed: `docker swarm leave --force`.",
            references: "",
        },
        evaluate: Evaluate::Context(swarm_mode),
    },
    container_check!("container-apparmor-profile", [V160 "5.2", V131 "5.1"],
        "Apply an AppArmor profile to containers", One, Manual, Medium, apparmor,
        what: "Each container runs confined by an AppArmor profile (when the host has AppArmor).",
        why: "AppArmor limits what a compromised container process can touch on the host.",
        evidence: "`AppArmorProfile` and `HostConfig.Privileged` per container; `SecurityOptions` of the daemon for host support.",
        fix: "Run with `--security-opt apparmor=docker-default` (the default) or a custom profile; never `unconfined` or `--privileged`."),
    container_check!("container-selinux-options", [V160 "5.3", V131 "5.2"],
        "Set SELinux security options on containers", Two, Manual, Medium, selinux,
        what: "Each container runs with SELinux labelling (when the daemon has SELinux enabled).",
        why: "SELinux separates containers from each other and from the host.",
        evidence: "`HostConfig.SecurityOpt` (`label=...`) and `Privileged` per container; `SecurityOptions` of the daemon.",
        fix: "Start dockerd with `--selinux-enabled` and do not use `--security-opt label=disable` or `--privileged`."),
    container_check!("container-capabilities-restricted", [V160 "5.4", V131 "5.3"],
        "Restrict Linux kernel capabilities in containers", One, Manual, High, capabilities,
        what: "No capability beyond Docker's default set is added, and the container is not privileged.",
        why: "Extra capabilities such as SYS_ADMIN or NET_ADMIN are common container-escape paths (elevation of privilege).",
        evidence: "`HostConfig.CapAdd`, `CapDrop` and `Privileged` per container.",
        fix: "Remove `--cap-add` entries that are not needed; prefer `--cap-drop ALL --cap-add <needed>`."),
    container_check!("container-privileged", [V160 "5.5", V131 "5.4"],
        "Do not run privileged containers", One, Manual, Critical, privileged,
        what: "No container runs with `--privileged`.",
        why: "A privileged container has every capability, every device and no seccomp or AppArmor confinement: root on the host in all but name.",
        evidence: "`HostConfig.Privileged` per container.",
        fix: "Re-create the container without `--privileged`, adding only the capabilities and devices it needs."),
    container_check!("container-sensitive-host-mounts", [V160 "5.6", V131 "5.5"],
        "Do not mount sensitive host directories into containers", One, Manual, Critical, sensitive_mounts,
        what: "No bind mount of /, /boot, /dev, /etc, /lib, /proc, /sys or /usr (or paths below them). Read-write fails at critical severity; read-only fails too, at medium (a read-only / or /etc still exposes /etc/shadow, TLS keys and kubeconfigs). /etc/localtime and /etc/timezone mounted read-only hold no secret and are not findings.",
        why: "A writable host system directory lets a container change the host (tampering) or read its secrets (disclosure).",
        evidence: "`Mounts[*]` (type, source, destination, RW) per container.",
        fix: "Remove the mount, or mount only the specific file needed, read-only (`:ro`)."),
    container_check!("container-no-writable-host-mounts", [OWN "docker.1"],
        "No sensitive host directory mounted writable", One, Automated, Critical, writable_sensitive_mounts,
        what: "No bind mount of /, /boot, /dev, /etc, /lib, /proc, /sys or /usr (or a path below them) is writable. Read-only mounts of them pass here (5.6 judges those: they still disclose host secrets).",
        why: "A writable host system directory lets a container change the host: cron jobs, systemd units, /etc/shadow, binaries. This is the tampering half of 5.6, kept apart so the threat model can tell a container that can rewrite the host from one that can only read it.",
        evidence: "`Mounts[*]` (type, source, destination, RW) per container.",
        fix: "Remove the mount, or mount it read-only (`:ro`) and only the specific file needed."),
    container_check!("container-no-sshd", [V160 "5.7", V131 "5.6"],
        "Do not run sshd inside containers", One, Manual, Medium, sshd,
        what: "No sshd process runs in a container.",
        why: "sshd in a container is an extra remote entry point with its own credentials to manage and escape paths.",
        evidence: "The container's process list as `docker top` reports it (read from the host; nothing is executed in the container).",
        fix: "Remove sshd from the image; use `docker exec` for administration."),
    container_check!("container-no-privileged-ports", [V160 "5.8", V131 "5.7"],
        "Do not map privileged ports (below 1024) on the host", One, Manual, Low, privileged_ports,
        what: "No published host port is below 1024.",
        why: "Privileged ports are trusted as root-owned services by some clients; mapping them lets a container impersonate one.",
        evidence: "`HostConfig.PortBindings` and `NetworkSettings.Ports` per container.",
        fix: "Publish on a port of 1024 or above (`-p 8080:80`)."),
    container_check!("container-only-needed-ports", [V160 "5.9", V131 "5.8"],
        "Open only the ports the container needs", One, Manual, Low, needed_ports,
        what: "The published ports of each container, for review.",
        why: "Every published port is reachable attack surface.",
        evidence: "`HostConfig.PortBindings` per container.",
        fix: "Publish only the needed ports; do not use `-P` on images that expose many."),
    container_check!("container-host-network", [V160 "5.10", V131 "5.9"],
        "Do not share the host's network namespace", One, Manual, High, host_network,
        what: "No container uses `--network host`.",
        why: "A container on the host network can bind to host interfaces and reach local-only services (such as a TCP Docker socket on 127.0.0.1).",
        evidence: "`HostConfig.NetworkMode` per container.",
        fix: "Re-create the container on a bridge or user-defined network."),
    container_check!("container-memory-limit", [V160 "5.11", V131 "5.10"],
        "Limit container memory", One, Manual, Medium, memory_limit,
        what: "Each container has a memory limit.",
        why: "One container without a limit can exhaust the host's memory: denial of service for every other container.",
        evidence: "`HostConfig.Memory` per container; 0 means unlimited.",
        fix: "`docker update --memory 512m --memory-swap 512m <container>`, or `--memory` at `docker run`."),
    container_check!("container-cpu-priority", [V160 "5.12", V131 "5.11"],
        "Set container CPU priority", One, Manual, Low, cpu_priority,
        what: "Each container has a CPU share, quota, CPU count or cpuset.",
        why: "Without CPU limits one container can starve the others and the host.",
        evidence: "`HostConfig.CpuShares`, `NanoCpus`, `CpuQuota` and `CpusetCpus` per container.",
        fix: "`docker update --cpu-shares 512 <container>` or `--cpus 1.5`."),
    container_check!("container-read-only-rootfs", [V160 "5.13", V131 "5.12"],
        "Mount the container's root file system read-only", One, Manual, Medium, read_only_rootfs,
        what: "Each container's root file system is read-only.",
        why: "A writable root file system lets an attacker plant tools and persist changes in the container (tampering).",
        evidence: "`HostConfig.ReadonlyRootfs` per container.",
        fix: "Re-create with `--read-only` and writable `--tmpfs` or volumes only where needed."),
    container_check!("container-ports-bound-to-interface", [V160 "5.14", V131 "5.13"],
        "Bind incoming container traffic to a specific host interface", One, Manual, Medium, ports_bound,
        what: "Published ports are bound to a specific host address, not to all interfaces.",
        why: "Binding to 0.0.0.0 exposes the service on every network the host is on.",
        evidence: "`HostConfig.PortBindings[*].HostIp` per container (empty, `0.0.0.0` and `::` mean all interfaces).",
        fix: "Publish as `-p 127.0.0.1:8080:80` or the address of the intended interface."),
    container_check!("container-restart-policy", [V160 "5.15", V131 "5.14"],
        "Set the restart policy to on-failure with at most 5 retries", One, Manual, Low, restart_policy,
        what: "The restart policy is `no` or `on-failure` with a maximum of 5 retries; `always` and `unless-stopped` fail (docker-bench wrongly passes them).",
        why: "Endless restarts of a failing or attacked container can exhaust the host (denial of service) and hide the failure.",
        evidence: "`HostConfig.RestartPolicy` (name and MaximumRetryCount) per container.",
        fix: "`docker update --restart on-failure:5 <container>`."),
    container_check!("container-host-pid", [V160 "5.16", V131 "5.15"],
        "Do not share the host's process namespace", One, Manual, High, host_pid,
        what: "No container uses `--pid host`.",
        why: "A container in the host PID namespace sees and can signal every host process, and can read their environments.",
        evidence: "`HostConfig.PidMode` per container.",
        fix: "Re-create the container without `--pid host`."),
    container_check!("container-host-ipc", [V160 "5.17", V131 "5.16"],
        "Do not share the host's IPC namespace", One, Manual, Medium, host_ipc,
        what: "No container uses `--ipc host`.",
        why: "Shared IPC exposes host shared memory to the container.",
        evidence: "`HostConfig.IpcMode` per container.",
        fix: "Re-create the container without `--ipc host`."),
    container_check!("container-host-devices", [V160 "5.18", V131 "5.17"],
        "Do not expose host devices to containers without need", One, Manual, High, host_devices,
        what: "No host device is passed in (`--device`), no device cgroup rule opens devices (`--device-cgroup-rule`), and no container is privileged (which passes all devices); docker-bench misses the last two.",
        why: "Raw device access can bypass file-system permissions and the container boundary.",
        evidence: "`HostConfig.Devices`, `DeviceCgroupRules` and `Privileged` per container.",
        fix: "Remove `--device` and `--device-cgroup-rule` entries that are not needed; mount with the least permissions (`:r`)."),
    container_check!("container-ulimit-override", [V160 "5.19", V131 "5.18"],
        "Override the default ulimit only where needed", One, Manual, Low, ulimit_override,
        what: "Containers that override the daemon's default ulimits, for review.",
        why: "Per-container ulimits can raise limits that protect the host from resource exhaustion.",
        evidence: "`HostConfig.Ulimits` per container.",
        fix: "Remove `--ulimit` overrides that are not needed."),
    container_check!("container-mount-propagation", [V160 "5.20", V131 "5.19"],
        "Do not set mount propagation to shared", One, Manual, Medium, mount_propagation,
        what: "No mount uses shared or rshared propagation.",
        why: "Shared propagation lets mounts made in the container appear on the host.",
        evidence: "`Mounts[*].Propagation` per container.",
        fix: "Re-create without `:shared`/`:rshared` on volumes."),
    container_check!("container-host-uts", [V160 "5.21", V131 "5.20"],
        "Do not share the host's UTS namespace", One, Manual, Medium, host_uts,
        what: "No container uses `--uts host`.",
        why: "With the host UTS namespace a container can change the host's hostname.",
        evidence: "`HostConfig.UTSMode` per container.",
        fix: "Re-create the container without `--uts host`."),
    container_check!("container-seccomp-not-disabled", [V160 "5.22", V131 "5.21"],
        "Do not disable the default seccomp profile", One, Manual, High, seccomp,
        what: "No container runs with `seccomp=unconfined` or privileged (which also disables seccomp; docker-bench misses this).",
        why: "Without seccomp every system call is open to exploit kernel bugs for an escape.",
        evidence: "`HostConfig.SecurityOpt` and `Privileged` per container.",
        fix: "Remove `--security-opt seccomp=unconfined`; use a custom profile that allows only what is needed."),
    Check {
        slug: "container-no-privileged-exec",
        ids: &[(V160, "5.23"), (V131, "5.22")],
        title: "Do not run docker exec with --privileged",
        level: Two,
        assessment: Manual,
        severity: High,
        component: Component::DockerClient,
        doc: Doc {
            what: "`docker exec --privileged` is not used.",
            why: "A privileged exec session gets every capability inside an otherwise confined container.",
            evidence: "Exec sessions running now (`ExecIDs` per container, inspected: `ProcessConfig.privileged`); a privileged one fails. Finished sessions are not visible through the API, so otherwise the item needs a review of the daemon's audit trail.",
            remediation: "Do not use `--privileged` with `docker exec`; restrict exec with an authorization plugin.",
            references: "",
        },
        evaluate: Evaluate::Context(privileged_exec),
    },
    Check {
        slug: "container-no-root-exec",
        ids: &[(V160, "5.24"), (V131, "5.23")],
        title: "Do not run docker exec as root",
        level: Two,
        assessment: Manual,
        severity: Medium,
        component: Component::DockerClient,
        doc: Doc {
            what: "`docker exec --user=root` is not used.",
            why: "Exec as root gives an operator (or an attacker with client access) root in the container.",
            evidence: "Exec sessions running now (`ExecIDs` per container, inspected: `ProcessConfig.user`, else the container's `Config.User`); one running as root fails. Finished sessions are not visible through the API, so otherwise the item needs a review of the daemon's audit trail.",
            remediation: "Exec as the container's own non-root user; restrict exec with an authorization plugin.",
            references: "",
        },
        evaluate: Evaluate::Context(root_exec),
    },
    container_check!("container-cgroup-parent", [V160 "5.25", V131 "5.24"],
        "Use the default cgroup for containers", One, Manual, Low, cgroup_parent,
        what: "No container sets its own `--cgroup-parent`, for review.",
        why: "A custom cgroup parent can escape the resource limits of the default hierarchy.",
        evidence: "`HostConfig.CgroupParent` per container.",
        fix: "Remove `--cgroup-parent` unless its limits were reviewed."),
    container_check!("container-no-new-privileges", [V160 "5.26", V131 "5.25"],
        "Restrict containers from acquiring additional privileges", One, Manual, Medium, no_new_privileges,
        what: "Each container runs with `no-new-privileges`, set on the container or daemon-wide; `no-new-privileges=false` on the container overrides the daemon (docker-bench counts it as set).",
        why: "setuid binaries can otherwise raise a process's privileges inside the container.",
        evidence: "`HostConfig.SecurityOpt` per container and the daemon's `no-new-privileges` setting.",
        fix: "`--security-opt no-new-privileges` on `docker run`, or `\"no-new-privileges\": true` in daemon.json."),
    container_check!("container-health-check", [V160 "5.27", V131 "5.26"],
        "Check container health at runtime", One, Manual, Low, health_check,
        what: "Each container has a health check.",
        why: "Without a health check a hung or hijacked service keeps receiving traffic unnoticed.",
        evidence: "`State.Health` and `Config.Healthcheck` per container.",
        fix: "Add `HEALTHCHECK` to the image or `--health-cmd` to `docker run`."),
    container_check!("container-image-current", [V160 "5.28", V131 "5.27"],
        "Make sure containers run current image versions", One, Manual, Low, image_current,
        what: "The image each container runs, for review against the newest version.",
        why: "Stale images keep known vulnerabilities.",
        evidence: "`Config.Image` and `Image` (digest) per container.",
        fix: "Pull and redeploy current images; pin by digest and rebuild regularly."),
    container_check!("container-pids-limit", [V160 "5.29", V131 "5.28"],
        "Limit the number of processes in a container", One, Manual, Medium, pids_limit,
        what: "Each container has a PIDs cgroup limit.",
        why: "Without one a fork bomb in a container starves the whole host of processes (denial of service).",
        evidence: "`HostConfig.PidsLimit` per container; null, 0 and -1 mean unlimited.",
        fix: "`docker update --pids-limit 200 <container>`, or `--pids-limit` at `docker run`."),
    container_check!("container-not-on-docker0", [V160 "5.30", V131 "5.29"],
        "Do not use Docker's default bridge docker0", Two, Manual, Low, default_bridge,
        what: "No container is attached to the default `bridge` network (docker0).",
        why: "On docker0 all containers share one network and are reachable from each other (ARP spoofing, sniffing).",
        evidence: "`NetworkSettings.Networks` per container.",
        fix: "Attach containers to user-defined networks (`docker network create`)."),
    container_check!("container-host-userns", [V160 "5.31", V131 "5.30"],
        "Do not share the host's user namespace", One, Manual, High, host_userns,
        what: "No container uses `--userns host`.",
        why: "`--userns host` disables user-namespace remapping for the container: its root is host root.",
        evidence: "`HostConfig.UsernsMode` per container.",
        fix: "Re-create the container without `--userns host`."),
    container_check!("container-docker-socket-mount", [V160 "5.32", V131 "5.31"],
        "Do not mount the Docker socket into containers", One, Manual, Critical, docker_socket,
        what: "No container mounts docker.sock (or the directory that holds it).",
        why: "Access to the Docker socket is root on the host: the container can start a privileged container and take over.",
        evidence: "`Mounts[*].Source` per container.",
        fix: "Remove the socket mount; give tools a narrowly scoped API proxy instead."),
];

fn swarm_mode(ctx: &Context) -> Outcome {
    let d = match docker(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let state = d
        .info
        .swarm
        .as_ref()
        .and_then(|s| s.local_node_state.as_ref())
        .map(|s| s.to_string())
        .unwrap_or_default();
    match state.as_str() {
        "active" | "pending" | "locked" => Outcome::warn(format!(
            "Swarm.LocalNodeState={state} (docker info): confirm swarm mode is needed"
        )),
        "" => Outcome::error("docker info does not report Swarm.LocalNodeState"),
        _ => Outcome::pass(format!("Swarm.LocalNodeState={state} (docker info)")),
    }
}

fn privileged_note(c: ContainerView) -> Option<Outcome> {
    c.host_config()
        .privileged
        .unwrap_or(false)
        .then(|| Outcome::fail("Privileged=true disables this confinement"))
}

fn apparmor(ctx: &Context, c: ContainerView) -> Outcome {
    let host_has = docker(ctx)
        .ok()
        .and_then(|d| d.info.security_options.as_ref())
        .map(|o| o.iter().any(|s| s.contains("name=apparmor")));
    // Without AppArmor on the host there is no profile to apply, privileged or not.
    if host_has == Some(false) {
        return Outcome::skip("AppArmor is not enabled on the host (docker info SecurityOptions)");
    }
    if let Some(o) = privileged_note(c) {
        return o;
    }
    let profile = c.inspect.app_armor_profile.clone().unwrap_or_default();
    match profile.as_str() {
        "" | "unconfined" => Outcome::fail(format!("AppArmorProfile={profile:?}")),
        _ => Outcome::pass(format!("AppArmorProfile={profile}")),
    }
}

fn selinux(ctx: &Context, c: ContainerView) -> Outcome {
    let host_has = docker(ctx)
        .ok()
        .and_then(|d| d.info.security_options.as_ref())
        .map(|o| o.iter().any(|s| s.contains("name=selinux")))
        .unwrap_or(false);
    if !host_has {
        return Outcome::skip("SELinux is not enabled in the daemon (docker info SecurityOptions)");
    }
    if let Some(o) = privileged_note(c) {
        return o;
    }
    let labels: Vec<String> = c
        .security_opts()
        .into_iter()
        .filter(|(k, _)| k == "label")
        .map(|(_, v)| v)
        .collect();
    if labels.iter().any(|l| l == "disable") {
        Outcome::fail("SecurityOpt label=disable")
    } else {
        Outcome::pass(format!("SELinux labelling on; labels: {:?}", labels))
    }
}

fn cap_name(cap: &str) -> String {
    cap.trim()
        .to_ascii_uppercase()
        .trim_start_matches("CAP_")
        .to_string()
}

fn capabilities(_: &Context, c: ContainerView) -> Outcome {
    let hc = c.host_config();
    if hc.privileged.unwrap_or(false) {
        return Outcome::fail("Privileged=true: all capabilities");
    }
    let added: Vec<String> = hc.cap_add.iter().flatten().map(|s| cap_name(s)).collect();
    let dropped: Vec<String> = hc.cap_drop.iter().flatten().map(|s| cap_name(s)).collect();
    let extra: Vec<&String> = added
        .iter()
        .filter(|cap| !DEFAULT_CAPABILITIES.contains(&cap.as_str()))
        .collect();
    let evidence = format!("CapAdd={added:?} CapDrop={dropped:?}");
    Outcome::pass_if(extra.is_empty(), evidence)
}

fn privileged(_: &Context, c: ContainerView) -> Outcome {
    let p = c.host_config().privileged.unwrap_or(false);
    Outcome::pass_if(!p, format!("Privileged={p}"))
}

fn bind_mounts(c: ContainerView<'_>) -> impl Iterator<Item = &bollard::models::MountPoint> {
    c.inspect
        .mounts
        .iter()
        .flatten()
        .filter(|m| m.typ.as_deref() == Some("bind"))
}

/// The container's bind mounts of sensitive host paths as `src -> dst`: (writable, read-only).
fn sensitive_binds(c: ContainerView) -> (Vec<String>, Vec<String>) {
    let (mut rw, mut ro) = (Vec::new(), Vec::new());
    for m in bind_mounts(c) {
        let src = m.source.as_deref().unwrap_or("");
        let writable = m.rw.unwrap_or(true);
        if is_sensitive_mount(src, writable) {
            let text = format!("{src} -> {}", m.destination.as_deref().unwrap_or("?"));
            if writable {
                rw.push(text)
            } else {
                ro.push(text)
            }
        }
    }
    (rw, ro)
}

fn sensitive_mounts(_: &Context, c: ContainerView) -> Outcome {
    let (rw, ro) = sensitive_binds(c);
    let rw: Vec<String> = rw.into_iter().map(|m| m + " (rw)").collect();
    let ro: Vec<String> = ro.into_iter().map(|m| m + " (ro)").collect();
    if !rw.is_empty() {
        Outcome::fail(format!(
            "sensitive host paths mounted: {}",
            [rw, ro].concat().join(", ")
        ))
    } else if !ro.is_empty() {
        // Read-only is not safe: a read-only `/` or `/etc` still hands over /etc/shadow, TLS
        // keys and kubeconfigs. Disclosure without tampering: a lower severity.
        Outcome::fail(format!(
            "sensitive host paths mounted read-only (their secrets are readable): {}",
            ro.join(", ")
        ))
        .with_severity(Medium)
    } else {
        Outcome::pass("no sensitive host directory mounted")
    }
}

fn writable_sensitive_mounts(_: &Context, c: ContainerView) -> Outcome {
    let (rw, ro) = sensitive_binds(c);
    if !rw.is_empty() {
        return Outcome::fail(format!(
            "sensitive host paths mounted writable: {}",
            rw.join(", ")
        ));
    }
    Outcome::pass(if ro.is_empty() {
        "no sensitive host directory mounted".to_string()
    } else {
        format!(
            "sensitive host paths mounted read-only only: {}",
            ro.join(", ")
        )
    })
}

/// Host files below a sensitive directory that hold no secret and that images commonly mount
/// read-only to share the host's clock settings: not findings when read-only.
pub const HARMLESS_READ_ONLY_FILES: &[&str] = &["/etc/localtime", "/etc/timezone"];

/// Whether a bind mount of host path `src` is one 5.6 flags: a sensitive directory or a path
/// below one, except [`HARMLESS_READ_ONLY_FILES`] mounted read-only. Shared by the scan and the
/// compose linter.
pub fn is_sensitive_mount(src: &str, writable: bool) -> bool {
    let src = src.trim_end_matches('/');
    let src = if src.is_empty() { "/" } else { src };
    if !writable && HARMLESS_READ_ONLY_FILES.contains(&src) {
        return false;
    }
    SENSITIVE_HOST_DIRS
        .iter()
        .any(|d| src == *d || (*d != "/" && src.starts_with(&format!("{d}/"))))
}

fn sshd(ctx: &Context, c: ContainerView) -> Outcome {
    if !c.is_running() {
        return Outcome::skip("container is not running");
    }
    let d = match docker(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let top = match d.processes.get(c.id()).map(|o| o.as_result()) {
        Some(Ok(top)) => top,
        // It stopped between its inspection and the process listing: nothing runs to judge.
        Some(Err(u)) if u.kind == UnavailableKind::NotFound => {
            return Outcome::skip(u.reason.clone());
        }
        Some(Err(u)) => return Outcome::error(u.reason.clone()),
        None => return Outcome::error("process list was not collected"),
    };
    let cmd_col = top
        .titles
        .iter()
        .flatten()
        .position(|t| t == "CMD" || t == "COMMAND")
        .unwrap_or(usize::MAX);
    let rows = top.processes.clone().unwrap_or_default();
    let sshd: Vec<String> = rows
        .iter()
        .filter_map(|row| row.get(cmd_col).or(row.last()))
        .filter(|cmd| is_sshd(cmd))
        .cloned()
        .collect();
    if sshd.is_empty() {
        Outcome::pass(format!(
            "{} processes, none is sshd ({})",
            rows.len(),
            d.process_source()
        ))
    } else {
        Outcome::fail(format!(
            "sshd running: {} ({})",
            sshd.join("; "),
            d.process_source()
        ))
    }
}

/// Whether a command line (as `ps` shows it) is an OpenSSH server process: the program is
/// `sshd` (or its per-connection `sshd-session`/`sshd-auth` helpers), by path or by the process
/// title OpenSSH sets (`sshd: /usr/sbin/sshd -D [listener] ...`, `sshd: alice [priv]`).
fn is_sshd(cmd: &str) -> bool {
    cmd.split_whitespace()
        .next()
        .map(|exe| exe.trim_end_matches(':'))
        .and_then(|exe| exe.rsplit('/').next())
        .is_some_and(|name| matches!(name, "sshd" | "sshd-session" | "sshd-auth"))
}

/// Host bindings as (container port, host ip, host port), from the configured bindings, and from
/// the live ones for running containers.
fn published_ports(c: ContainerView) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let live = c
        .inspect
        .network_settings
        .as_ref()
        .and_then(|n| n.ports.as_ref());
    let configured = c.host_config().port_bindings.as_ref();
    for map in [configured, live].into_iter().flatten() {
        for (port, bindings) in map {
            for b in bindings.iter().flatten() {
                // An empty HostIp is how a binding to all interfaces is configured; the live
                // view shows it as 0.0.0.0 (and ::). Count it once.
                let ip = match b.host_ip.as_deref().unwrap_or("") {
                    "" => "0.0.0.0".to_string(),
                    ip => ip.to_string(),
                };
                let entry = (port.clone(), ip, b.host_port.clone().unwrap_or_default());
                if !out.contains(&entry) {
                    out.push(entry);
                }
            }
        }
    }
    out.sort();
    out
}

fn port_text(p: &(String, String, String)) -> String {
    if p.1.contains(':') {
        format!("[{}]:{}->{}", p.1, p.2, p.0)
    } else {
        format!("{}:{}->{}", p.1, p.2, p.0)
    }
}

fn privileged_ports(_: &Context, c: ContainerView) -> Outcome {
    let ports = published_ports(c);
    let low: Vec<String> = ports
        .iter()
        .filter(|p| p.2.parse::<u32>().is_ok_and(|n| n > 0 && n < 1024))
        .map(port_text)
        .collect();
    if low.is_empty() {
        Outcome::pass(format!(
            "published: {}",
            list_or_none(ports.iter().map(port_text))
        ))
    } else {
        Outcome::fail(format!("privileged host ports: {}", low.join(", ")))
    }
}

fn list_or_none(items: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = items.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn needed_ports(_: &Context, c: ContainerView) -> Outcome {
    let ports = published_ports(c);
    if ports.is_empty() {
        Outcome::pass("no published ports")
    } else {
        Outcome::warn(format!(
            "published ports, confirm each is needed: {}",
            list_or_none(ports.iter().map(port_text))
        ))
    }
}

fn namespace_mode(value: Option<&str>, field: &str) -> Outcome {
    let v = value.unwrap_or("");
    Outcome::pass_if(v != "host", format!("HostConfig.{field}={v:?}"))
}

fn host_network(_: &Context, c: ContainerView) -> Outcome {
    namespace_mode(c.host_config().network_mode.as_deref(), "NetworkMode")
}

fn host_pid(_: &Context, c: ContainerView) -> Outcome {
    namespace_mode(c.host_config().pid_mode.as_deref(), "PidMode")
}

fn host_ipc(_: &Context, c: ContainerView) -> Outcome {
    namespace_mode(c.host_config().ipc_mode.as_deref(), "IpcMode")
}

fn host_uts(_: &Context, c: ContainerView) -> Outcome {
    namespace_mode(c.host_config().uts_mode.as_deref(), "UTSMode")
}

fn host_userns(_: &Context, c: ContainerView) -> Outcome {
    namespace_mode(c.host_config().userns_mode.as_deref(), "UsernsMode")
}

fn memory_limit(_: &Context, c: ContainerView) -> Outcome {
    match c.host_config().memory.unwrap_or(0) {
        bytes if bytes > 0 => Outcome::pass(format!("HostConfig.Memory = {bytes} bytes")),
        _ => Outcome::fail("HostConfig.Memory = 0 (no limit)"),
    }
}

fn cpu_priority(_: &Context, c: ContainerView) -> Outcome {
    let hc = c.host_config();
    let shares = hc.cpu_shares.unwrap_or(0);
    let nano = hc.nano_cpus.unwrap_or(0);
    let quota = hc.cpu_quota.unwrap_or(0);
    let cpuset = hc.cpuset_cpus.clone().unwrap_or_default();
    let evidence =
        format!("CpuShares={shares} NanoCpus={nano} CpuQuota={quota} CpusetCpus={cpuset:?}");
    // 1024 is the default weight: setting it explicitly limits nothing.
    let limited = (shares > 0 && shares != 1024) || nano > 0 || quota > 0 || !cpuset.is_empty();
    Outcome::pass_if(limited, evidence)
}

fn read_only_rootfs(_: &Context, c: ContainerView) -> Outcome {
    let ro = c.host_config().readonly_rootfs.unwrap_or(false);
    Outcome::pass_if(ro, format!("HostConfig.ReadonlyRootfs={ro}"))
}

fn ports_bound(_: &Context, c: ContainerView) -> Outcome {
    let ports = published_ports(c);
    let wildcard: Vec<String> = ports
        .iter()
        .filter(|p| matches!(p.1.as_str(), "0.0.0.0" | "::" | "[::]"))
        .map(port_text)
        .collect();
    if ports.is_empty() {
        Outcome::pass("no published ports")
    } else if wildcard.is_empty() {
        Outcome::pass(format!(
            "published: {}",
            list_or_none(ports.iter().map(port_text))
        ))
    } else {
        Outcome::fail(format!("bound to all interfaces: {}", wildcard.join(", ")))
    }
}

fn restart_policy(_: &Context, c: ContainerView) -> Outcome {
    let policy = c.host_config().restart_policy.clone().unwrap_or_default();
    let name = policy.name.unwrap_or(RestartPolicyNameEnum::EMPTY);
    let max = policy.maximum_retry_count.unwrap_or(0);
    let evidence = format!("RestartPolicy={}:{max}", name);
    match name {
        RestartPolicyNameEnum::EMPTY | RestartPolicyNameEnum::NO => {
            Outcome::pass(format!("{evidence} (no automatic restart)"))
        }
        RestartPolicyNameEnum::ON_FAILURE if (1..=5).contains(&max) => Outcome::pass(evidence),
        RestartPolicyNameEnum::ON_FAILURE => {
            Outcome::fail(format!("{evidence}: retries unbounded or above 5"))
        }
        _ => Outcome::fail(format!("{evidence}: restarts without limit")),
    }
}

fn host_devices(_: &Context, c: ContainerView) -> Outcome {
    let hc = c.host_config();
    if hc.privileged.unwrap_or(false) {
        return Outcome::fail("Privileged=true: every host device is available");
    }
    let devices: Vec<String> = hc
        .devices
        .iter()
        .flatten()
        .map(|d| {
            format!(
                "{}:{}:{}",
                d.path_on_host.as_deref().unwrap_or("?"),
                d.path_in_container.as_deref().unwrap_or("?"),
                d.cgroup_permissions.as_deref().unwrap_or("")
            )
        })
        .collect();
    // A rule such as `c *:* rwm` lets the container create and use device nodes by number.
    let rules: Vec<String> = hc.device_cgroup_rules.clone().unwrap_or_default();
    let mut found = Vec::new();
    if !devices.is_empty() {
        found.push(format!("host devices: {}", devices.join(", ")));
    }
    if !rules.is_empty() {
        found.push(format!("device cgroup rules: {}", rules.join(", ")));
    }
    if found.is_empty() {
        Outcome::pass("no host devices, no device cgroup rules")
    } else {
        Outcome::fail(found.join("; "))
    }
}

fn ulimit_override(_: &Context, c: ContainerView) -> Outcome {
    let limits: Vec<String> = c
        .host_config()
        .ulimits
        .iter()
        .flatten()
        .map(|u| {
            format!(
                "{}={}:{}",
                u.name.as_deref().unwrap_or("?"),
                u.soft.unwrap_or(0),
                u.hard.unwrap_or(0)
            )
        })
        .collect();
    if limits.is_empty() {
        Outcome::pass("no per-container ulimits (daemon defaults apply)")
    } else {
        Outcome::warn(format!("ulimits overridden, review: {}", limits.join(", ")))
    }
}

fn mount_propagation(_: &Context, c: ContainerView) -> Outcome {
    let shared: Vec<String> = c
        .inspect
        .mounts
        .iter()
        .flatten()
        .filter(|m| matches!(m.propagation.as_deref(), Some("shared" | "rshared")))
        .map(|m| {
            format!(
                "{} ({})",
                m.destination.as_deref().unwrap_or("?"),
                m.propagation.as_deref().unwrap_or("")
            )
        })
        .collect();
    if shared.is_empty() {
        Outcome::pass("no shared mount propagation")
    } else {
        Outcome::fail(format!("shared propagation: {}", shared.join(", ")))
    }
}

fn seccomp(ctx: &Context, c: ContainerView) -> Outcome {
    if c.host_config().privileged.unwrap_or(false) {
        return Outcome::fail("Privileged=true: seccomp is disabled");
    }
    let profile = c
        .security_opts()
        .into_iter()
        .find(|(k, _)| k == "seccomp")
        .map(|(_, v)| v);
    match profile.as_deref() {
        Some("unconfined") => Outcome::fail("SecurityOpt seccomp=unconfined"),
        // The CLI sends a custom profile's JSON inline: name it, do not print it.
        Some(p) if p.trim_start().starts_with('{') => Outcome::pass(format!(
            "SecurityOpt seccomp=<custom profile, {} bytes of JSON>",
            p.len()
        )),
        Some(p) => Outcome::pass(format!("SecurityOpt seccomp={p}")),
        None => daemon_default_seccomp(ctx),
    }
}

/// A container without its own seccomp option gets the daemon's default: judge that, as
/// `docker info` reports it, rather than assume a profile is applied.
fn daemon_default_seccomp(ctx: &Context) -> Outcome {
    let opts = match docker(ctx) {
        Ok(d) => d.info.security_options.clone().unwrap_or_default(),
        Err(e) => return e,
    };
    match opts.iter().find(|o| o.contains("name=seccomp")) {
        Some(o) if o.contains("profile=unconfined") => Outcome::fail(format!(
            "no seccomp override, and the daemon default is unconfined ({o}, docker info)"
        )),
        Some(o) => Outcome::pass(format!(
            "no seccomp override: the daemon default applies ({o}, docker info)"
        )),
        None => Outcome::fail(format!(
            "no seccomp override, and docker info lists no seccomp support (SecurityOptions: {})",
            opts.join("; ")
        )),
    }
}

fn privileged_exec(ctx: &Context) -> Outcome {
    exec_sessions(ctx, "privileged", |_, process| {
        process
            .privileged
            .unwrap_or(false)
            .then(|| "privileged=true".to_string())
    })
}

fn root_exec(ctx: &Context) -> Outcome {
    exec_sessions(ctx, "running as root", |c, process| {
        let own = process.user.as_deref().unwrap_or("");
        let (user, source) = if own.is_empty() {
            (c.user(), "the container's user")
        } else {
            (own, "--user")
        };
        let name = user.split(':').next().unwrap_or("");
        matches!(name, "" | "0" | "root").then(|| {
            let shown = if user.is_empty() {
                "root (unset)"
            } else {
                user
            };
            format!("runs as {shown} ({source})")
        })
    })
}

/// Judge every exec session running now: fail on those `risky` describes, error on those that
/// could not be inspected, and otherwise ask for a review of past use (which the API cannot show).
fn exec_sessions(
    ctx: &Context,
    what: &str,
    risky: fn(ContainerView, &bollard::models::ProcessConfig) -> Option<String>,
) -> Outcome {
    let d = match docker(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let mut objects = Vec::new();
    for inspect in &d.containers {
        let c = ContainerView::new(inspect);
        for exec_id in inspect.exec_ids.iter().flatten() {
            let (verdict, evidence) = match d.exec_sessions.get(exec_id) {
                Some(Observed::Seen(e)) => {
                    let process = e.process_config.clone().unwrap_or_default();
                    let command = std::iter::once(process.entrypoint.clone().unwrap_or_default())
                        .chain(process.arguments.clone().unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join(" ");
                    match risky(c, &process) {
                        Some(why) => (Verdict::Fail, format!("exec `{command}`: {why}")),
                        None => (Verdict::Pass, format!("exec `{command}`: not {what}")),
                    }
                }
                Some(Observed::Unavailable(u)) => (Verdict::Error, u.reason.clone()),
                None => (
                    Verdict::Error,
                    format!("exec session {exec_id} was not inspected (older facts bundle)"),
                ),
            };
            objects.push(ObjectOutcome {
                kind: "exec session",
                name: c.name().to_string(),
                id: Some(exec_id.chars().take(12).collect()),
                verdict,
                evidence,
            });
        }
    }
    let review = "past exec use is only in the daemon's audit trail: review it";
    match Verdict::worst(objects.iter().map(|o| o.verdict)) {
        Some(Verdict::Fail) | Some(Verdict::Error) => {
            Outcome::from_objects("exec sessions running now", objects)
        }
        _ => Outcome {
            verdict: Verdict::Warn,
            evidence: format!(
                "{} exec session(s) running now, none {what}; {review}",
                objects.len()
            ),
            objects,
            severity: None,
            source: None,
        },
    }
}

fn cgroup_parent(_: &Context, c: ContainerView) -> Outcome {
    match c.host_config().cgroup_parent.as_deref().unwrap_or("") {
        "" => Outcome::pass("default cgroup parent"),
        p => Outcome::warn(format!("CgroupParent={p}: review its limits")),
    }
}

fn no_new_privileges(ctx: &Context, c: ContainerView) -> Outcome {
    let own = c
        .security_opts()
        .into_iter()
        .find(|(k, _)| k == "no-new-privileges")
        .map(|(_, v)| v);
    let daemon = ctx.daemon.get("no-new-privileges");
    match own.as_deref() {
        Some("true") => Outcome::pass("SecurityOpt no-new-privileges"),
        Some(v) => Outcome::fail(format!(
            "SecurityOpt no-new-privileges={v} overrides the daemon"
        )),
        None => match daemon.as_bool(false) {
            Some(true) => Outcome::pass(format!(
                "daemon-wide: {}",
                daemon.describe("no-new-privileges")
            )),
            Some(false) => Outcome::fail(format!(
                "not set on the container; daemon: {}",
                daemon.describe("no-new-privileges")
            )),
            None => Outcome::error(format!(
                "not set on the container; daemon setting {}",
                daemon.describe("no-new-privileges")
            )),
        },
    }
}

fn health_check(_: &Context, c: ContainerView) -> Outcome {
    let test = c
        .inspect
        .config
        .as_ref()
        .and_then(|cfg| cfg.healthcheck.as_ref())
        .and_then(|h| h.test.clone())
        .unwrap_or_default();
    if test.first().map(String::as_str) == Some("NONE") {
        return Outcome::fail("health check disabled (Healthcheck.Test = [NONE])");
    }
    let status = c
        .inspect
        .state
        .as_ref()
        .and_then(|s| s.health.as_ref())
        .and_then(|h| h.status.as_ref())
        .map(|s| s.to_string());
    match (test.is_empty(), status) {
        (false, Some(s)) => Outcome::pass(format!("health: {s}; test {test:?}")),
        (false, None) => Outcome::pass(format!("health check configured: {test:?}")),
        (true, _) => Outcome::fail("no health check (Config.Healthcheck unset)"),
    }
}

fn image_current(_: &Context, c: ContainerView) -> Outcome {
    let image_id = c.inspect.image.as_deref().unwrap_or("?");
    Outcome::warn(format!(
        "runs {} ({image_id}): confirm it is the current version",
        c.image()
    ))
}

fn pids_limit(_: &Context, c: ContainerView) -> Outcome {
    match c.host_config().pids_limit {
        Some(n) if n > 0 => Outcome::pass(format!("HostConfig.PidsLimit = {n}")),
        Some(n) => Outcome::fail(format!("HostConfig.PidsLimit = {n} (no limit)")),
        None => Outcome::fail("HostConfig.PidsLimit = null (no limit)"),
    }
}

fn default_bridge(ctx: &Context, c: ContainerView) -> Outcome {
    let mode = c.host_config().network_mode.as_deref().unwrap_or("");
    // With `--bridge=none` dockerd creates no `bridge` network: containers in the default
    // network mode then carry a `bridge` entry that is attached to nothing.
    if let Ok(d) = docker(ctx)
        && d.networks_listed
        && !d
            .networks
            .iter()
            .any(|n| n.name.as_deref() == Some("bridge"))
    {
        return Outcome::pass(format!(
            "no default bridge network on this daemon (bridge none); NetworkMode={mode:?}"
        ));
    }
    let networks: Vec<String> = c
        .inspect
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.as_ref())
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let on_bridge = networks.iter().any(|n| n == "bridge") || mode == "bridge" || mode == "default";
    Outcome::new(
        if on_bridge {
            Verdict::Fail
        } else {
            Verdict::Pass
        },
        format!("NetworkMode={mode:?} networks={networks:?}"),
    )
}

/// The daemon's unix sockets on the host: its `hosts` setting, the endpoint scanned, and the
/// default socket (under both `/run` and `/var/run`).
fn daemon_sockets(ctx: &Context) -> Vec<String> {
    let mut sockets: Vec<String> = ctx
        .daemon
        .hosts()
        .strings()
        .into_iter()
        .chain(ctx.facts.scanner_env.docker_host.clone())
        .chain(docker(ctx).ok().map(|d| d.endpoint.clone()))
        .filter_map(|h| h.strip_prefix("unix://").map(str::to_string))
        .filter(|p| !p.is_empty())
        .collect();
    sockets.extend(["/var/run/docker.sock".into(), "/run/docker.sock".into()]);
    sockets
}

fn docker_socket(ctx: &Context, c: ContainerView) -> Outcome {
    let sockets = daemon_sockets(ctx);
    let hits: Vec<String> = c
        .inspect
        .mounts
        .iter()
        .flatten()
        .filter_map(|m| {
            let src = m.source.as_deref().unwrap_or("").trim_end_matches('/');
            let src = if src.is_empty() { "/" } else { src };
            // The socket itself, or a directory it is in (`/var/run`, the daemon's own dir).
            let holds_socket = src.ends_with("docker.sock")
                || sockets
                    .iter()
                    .any(|s| s == src || src == "/" || s.starts_with(&format!("{src}/")));
            holds_socket.then(|| format!("{src} -> {}", m.destination.as_deref().unwrap_or("?")))
        })
        .collect();
    if hits.is_empty() {
        Outcome::pass("docker.sock not mounted")
    } else {
        Outcome::fail(format!("Docker socket mounted: {}", hits.join(", ")))
    }
}

#[cfg(test)]
mod seccomp_tests {
    use super::*;
    use crate::checks::docker::test_support::{container, docker_facts, facts};

    fn verdict_with(daemon_opts: &[&str]) -> Verdict {
        let mut d = docker_facts();
        d.info.security_options = Some(daemon_opts.iter().map(|s| s.to_string()).collect());
        d.containers = vec![container("web", "sha256:1", Default::default())];
        let f = facts(d);
        let ctx = Context::new(&f);
        let inspect = &f.docker.seen().unwrap().containers[0];
        seccomp(&ctx, ContainerView::new(inspect)).verdict
    }

    #[test]
    fn a_container_without_override_is_judged_by_the_daemon_default() {
        assert_eq!(
            verdict_with(&["name=apparmor", "name=seccomp,profile=default"]),
            Verdict::Pass
        );
        assert_eq!(
            verdict_with(&["name=seccomp,profile=unconfined"]),
            Verdict::Fail
        );
        assert_eq!(verdict_with(&["name=apparmor"]), Verdict::Fail);
    }
}

#[cfg(test)]
mod sensitive_mount_tests {
    use bollard::models::MountPoint;

    use super::*;
    use crate::checks::docker::test_support::{container, docker_facts, facts};
    use crate::checks::{Severity, outcome};

    fn with_mounts(
        name: &str,
        mounts: &[(&str, bool)],
    ) -> bollard::models::ContainerInspectResponse {
        let mut c = container(name, "sha256:1", Default::default());
        c.mounts = Some(
            mounts
                .iter()
                .map(|(src, rw)| MountPoint {
                    typ: Some("bind".into()),
                    source: Some(src.to_string()),
                    destination: Some(format!("/host{src}")),
                    rw: Some(*rw),
                    ..Default::default()
                })
                .collect(),
        );
        c
    }

    /// The combined outcome of 5.6 over these containers, as a scan reports it.
    fn judged(containers: Vec<bollard::models::ContainerInspectResponse>) -> Outcome {
        let mut d = docker_facts();
        d.containers = containers;
        let f = facts(d);
        outcome::each_container(&Context::new(&f), sensitive_mounts)
    }

    #[test]
    fn read_only_sensitive_mounts_fail_at_a_lower_severity() {
        let o = judged(vec![with_mounts("ro", &[("/etc", false)])]);
        assert_eq!(o.verdict, Verdict::Fail);
        assert_eq!(o.severity, Some(Severity::Medium));
        assert!(
            o.objects[0].evidence.contains("/etc -> /host/etc (ro)"),
            "{o:?}"
        );
        // One writable mount anywhere keeps the check at its own (critical) severity.
        let o = judged(vec![
            with_mounts("ro", &[("/etc", false)]),
            with_mounts("rw", &[("/", true)]),
        ]);
        assert_eq!(o.verdict, Verdict::Fail);
        assert_eq!(o.severity, None);
    }

    #[test]
    fn only_writable_sensitive_mounts_fail_docker_1() {
        let judge = |containers| {
            let mut d = docker_facts();
            d.containers = containers;
            let f = facts(d);
            outcome::each_container(&Context::new(&f), writable_sensitive_mounts)
        };
        assert_eq!(
            judge(vec![with_mounts("rw", &[("/etc", true)])]).verdict,
            Verdict::Fail
        );
        let ro = judge(vec![with_mounts("ro", &[("/etc", false)])]);
        assert_eq!(ro.verdict, Verdict::Pass, "{ro:?}");
        assert!(ro.objects[0].evidence.contains("read-only only"), "{ro:?}");
        assert_eq!(judge(vec![with_mounts("none", &[])]).verdict, Verdict::Pass);
        // Without the Docker API nothing is known: error, not pass.
        let mut f = facts(docker_facts());
        f.docker = crate::facts::Observed::unavailable(
            crate::facts::UnavailableKind::Unreachable,
            "Docker daemon at unix:///x not reachable",
        );
        let o = outcome::each_container(&Context::new(&f), writable_sensitive_mounts);
        assert_eq!(o.verdict, Verdict::Error);
    }

    #[test]
    fn clock_files_mounted_read_only_are_not_findings() {
        let o = judged(vec![with_mounts(
            "tz",
            &[("/etc/localtime", false), ("/etc/timezone", false)],
        )]);
        assert_eq!(o.verdict, Verdict::Pass, "{o:?}");
        // Writable, they let the container change the host's clock settings.
        let o = judged(vec![with_mounts("tz", &[("/etc/localtime", true)])]);
        assert_eq!(o.verdict, Verdict::Fail);
        assert!(!is_sensitive_mount("/etc/localtime", false));
        assert!(is_sensitive_mount("/etc/localtime/", true));
        assert!(is_sensitive_mount("/etc/shadow", false));
        assert!(is_sensitive_mount("/", false));
        assert!(!is_sensitive_mount("/srv/data", true));
    }
}
