//! Section 3: Docker daemon configuration files. Every item is "this file has this owner" or
//! "this file has this mode or stricter", judged by the shared evaluator in
//! `checks::evaluators::file_perms`; what differs is which files, found here from the facts: unit files
//! through the systemd search path (with drop-ins), TLS files and sockets from the effective
//! daemon configuration, daemon.json from `--config-file`.

use super::{V131, V160};
use crate::checks::evaluators::file_perms::{self, FileRule, FileTarget};
use crate::checks::{
    Assessment::*, Check, Component, Context, Doc, Evaluate, Level::*, Outcome, Severity::*,
};
use crate::facts::docker_host::{self as paths, Located, Lookup};
use crate::facts::systemd::UNIT_SEARCH_PATH;

/// The files a check judges, or the outcome that says why there are none.
type Targets = Result<Vec<FileTarget>, Outcome>;

const MODE_644: FileRule = FileRule::ModeAtMost(0o644);
const ROOT_ROOT: FileRule = FileRule::ROOT_ROOT;

macro_rules! file_check {
    ($slug:literal, $id:literal, $v131:literal, $title:literal, $level:ident, $assess:ident,
     $sev:ident, $component:ident, $eval:expr,
     what: $what:literal, why: $why:literal, evidence: $ev:literal, fix: $fix:literal) => {
        Check {
            slug: $slug,
            ids: &[(V160, $id), (V131, $v131)],
            title: $title,
            level: $level,
            assessment: $assess,
            severity: $sev,
            component: Component::$component,
            doc: Doc {
                what: $what,
                why: $why,
                evidence: $ev,
                remediation: $fix,
                references: "",
            },
            evaluate: Evaluate::Context($eval),
        }
    };
}

pub const CHECKS: &[Check] = &[
    file_check!("file-docker-service-owner", "3.1", "3.1",
        "docker.service owned by root:root", One, Automated, Medium, DockerDaemon,
        |ctx| judge(ctx, unit_files(ctx, "docker.service"), ROOT_ROOT),
        what: "The docker.service unit file systemd loads, and each of its drop-ins, is owned by root:root.",
        why: "Whoever can edit the unit decides dockerd's command line at the next start (e.g. an unauthenticated TCP socket): tampering with the daemon.",
        evidence: "Owner of the first docker.service in the systemd search path (/etc/systemd/system, /run/systemd/system, /usr/local/lib/systemd/system, /usr/lib/systemd/system, /lib/systemd/system) and of every docker.service.d/*.conf, with names from the host's passwd/group.",
        fix: "`chown root:root <unit file>` for the file and each drop-in named in the evidence."),
    file_check!("file-docker-service-mode", "3.2", "3.2",
        "docker.service mode 644 or tighter", One, Automated, Medium, DockerDaemon,
        |ctx| judge(ctx, unit_files(ctx, "docker.service"), MODE_644),
        what: "The docker.service unit file and its drop-ins have no permission bit outside 0644 (bit mask, so 0642 fails and 0600 passes).",
        why: "A group- or world-writable unit lets a non-root user change how dockerd starts: elevation to root at the next restart.",
        evidence: "Mode of the unit file systemd loads (first in search-path order) and of every drop-in, with the bits that exceed 0644.",
        fix: "`chmod 644 <unit file>` (or stricter) for each file named in the evidence."),
    file_check!("file-docker-socket-unit-owner", "3.3", "3.3",
        "docker.socket unit owned by root:root", One, Automated, Medium, DockerDaemon,
        |ctx| judge(ctx, unit_files(ctx, "docker.socket"), ROOT_ROOT),
        what: "The docker.socket unit file and its drop-ins are owned by root:root.",
        why: "docker.socket sets the API socket's path, owner, group and mode; whoever edits it decides who can reach the daemon.",
        evidence: "Owner of the first docker.socket in the systemd search path and of every docker.socket.d/*.conf.",
        fix: "`chown root:root <unit file>` for each file named in the evidence."),
    file_check!("file-docker-socket-unit-mode", "3.4", "3.4",
        "docker.socket unit mode 644 or tighter", One, Automated, Medium, DockerDaemon,
        |ctx| judge(ctx, unit_files(ctx, "docker.socket"), MODE_644),
        what: "The docker.socket unit file and its drop-ins have no permission bit outside 0644.",
        why: "A writable socket unit lets a non-root user open the API socket to everyone (SocketMode=0666).",
        evidence: "Mode of the docker.socket unit systemd loads and of every drop-in, with the bits that exceed 0644.",
        fix: "`chmod 644 <unit file>` for each file named in the evidence."),
    file_check!("file-etc-docker-owner", "3.5", "3.5",
        "/etc/docker owned by root:root", One, Automated, Medium, DockerDaemon,
        |ctx| judge(ctx, fixed("/etc/docker"), ROOT_ROOT),
        what: "The /etc/docker directory is owned by root:root.",
        why: "/etc/docker holds daemon.json, TLS keys and registry certificates; its owner can replace any of them.",
        evidence: "Owner of /etc/docker.",
        fix: "`chown root:root /etc/docker`."),
    file_check!("file-etc-docker-mode", "3.6", "3.6",
        "/etc/docker mode 755 or tighter", One, Automated, Medium, DockerDaemon,
        |ctx| judge(ctx, fixed("/etc/docker"), FileRule::ModeAtMost(0o755)),
        what: "The /etc/docker directory has no permission bit outside 0755 (0753 fails: others may write).",
        why: "A writable /etc/docker lets a non-root user add or swap daemon configuration and certificates.",
        evidence: "Mode of /etc/docker, with the bits that exceed 0755.",
        fix: "`chmod 755 /etc/docker`."),
    file_check!("file-registry-certs-owner", "3.7", "3.7",
        "Registry certificates owned by root:root", One, Manual, Low, Registry,
        |ctx| judge(ctx, registry_certs(ctx), ROOT_ROOT),
        what: "Every file in the registry certificate directories /etc/docker/certs.d/*/ (CA certificates, client certificates and keys, any name) is owned by root:root, user and group.",
        why: "Whoever can replace a registry CA can make Docker trust a forged registry and pull tampered images.",
        evidence: "Owner of each file under /etc/docker/certs.d/<registry>/, one object per file (docker-bench looks only at *.crt and only at the user).",
        fix: "`chown root:root /etc/docker/certs.d/<registry>/*`."),
    file_check!("file-registry-certs-mode", "3.8", "3.8",
        "Registry certificates mode 444 or tighter", One, Manual, Low, Registry,
        |ctx| judge(ctx, registry_certs(ctx), FileRule::ModeAtMost(0o444)),
        what: "Every file in /etc/docker/certs.d/*/ has no permission bit outside 0444 (read-only).",
        why: "A writable certificate or key can be replaced to redirect or impersonate a registry.",
        evidence: "Mode of each file under /etc/docker/certs.d/<registry>/, one object per file.",
        fix: "`chmod 444 /etc/docker/certs.d/<registry>/*` (keys: 400)."),
    file_check!("file-tls-ca-cert-owner", "3.9", "3.9",
        "Daemon TLS CA certificate owned by root:root", One, Manual, Medium, DockerDaemon,
        |ctx| judge(ctx, tls_file(ctx, "tlscacert"), ROOT_ROOT),
        what: "The CA certificate dockerd verifies clients with (`tlscacert`) is owned by root:root.",
        why: "Whoever replaces the CA decides which client certificates the daemon accepts: full API access.",
        evidence: "`tlscacert` from the dockerd command line or daemon.json (or dockerd's ~/.docker default when TLS is on without it), and its owner. Skipped when TLS is not configured.",
        fix: "`chown root:root <tlscacert>`."),
    file_check!("file-tls-ca-cert-mode", "3.10", "3.10",
        "Daemon TLS CA certificate mode 444 or tighter", One, Manual, Medium, DockerDaemon,
        |ctx| judge(ctx, tls_file(ctx, "tlscacert"), FileRule::ModeAtMost(0o444)),
        what: "The `tlscacert` file has no permission bit outside 0444.",
        why: "A writable CA certificate can be swapped for one the attacker controls.",
        evidence: "`tlscacert` and its mode. Skipped when TLS is not configured.",
        fix: "`chmod 444 <tlscacert>`."),
    file_check!("file-tls-server-cert-owner", "3.11", "3.11",
        "Daemon server certificate owned by root:root", One, Manual, Medium, DockerDaemon,
        |ctx| judge(ctx, tls_file(ctx, "tlscert"), ROOT_ROOT),
        what: "The daemon's server certificate (`tlscert`) is owned by root:root.",
        why: "A replaced server certificate lets an attacker impersonate the daemon to clients.",
        evidence: "`tlscert` from the effective configuration and its owner. Skipped when TLS is not configured.",
        fix: "`chown root:root <tlscert>`."),
    file_check!("file-tls-server-cert-mode", "3.12", "3.12",
        "Daemon server certificate mode 444 or tighter", One, Manual, Medium, DockerDaemon,
        |ctx| judge(ctx, tls_file(ctx, "tlscert"), FileRule::ModeAtMost(0o444)),
        what: "The `tlscert` file has no permission bit outside 0444.",
        why: "A writable server certificate can be replaced (spoofing of the daemon).",
        evidence: "`tlscert` and its mode. Skipped when TLS is not configured.",
        fix: "`chmod 444 <tlscert>`."),
    file_check!("file-tls-server-key-owner", "3.13", "3.13",
        "Daemon server key owned by root:root", One, Manual, High, DockerDaemon,
        |ctx| judge(ctx, tls_file(ctx, "tlskey"), ROOT_ROOT),
        what: "The daemon's private key (`tlskey`) is owned by root:root.",
        why: "The key's owner can read it and impersonate the daemon or decrypt its traffic.",
        evidence: "`tlskey` from the effective configuration and its owner. Skipped when TLS is not configured.",
        fix: "`chown root:root <tlskey>`."),
    file_check!("file-tls-server-key-mode", "3.14", "3.14",
        "Daemon server key mode 400", One, Manual, High, DockerDaemon,
        |ctx| judge(ctx, tls_file(ctx, "tlskey"), FileRule::ModeAtMost(0o400)),
        what: "The `tlskey` file has no permission bit outside 0400: owner read only, as CIS 3.14 says (0400 passes, and so would 0000). 0600 fails here as in docker-bench: the owner's write bit is more than the benchmark allows, though for a root-owned key it adds little risk.",
        why: "Anyone who can read the private key can impersonate the daemon (spoofing) and read its TLS traffic (disclosure).",
        evidence: "`tlskey` and its mode, with the bits that exceed 0400. Skipped when TLS is not configured.",
        fix: "`chmod 400 <tlskey>`."),
    file_check!("file-docker-sock-owner", "3.15", "3.15",
        "docker.sock owned by root:docker", One, Automated, High, DockerDaemon,
        |ctx| {
            let group = paths::docker_group(&ctx.daemon);
            judge(ctx, docker_sockets(ctx), FileRule::Owner { user: "root", group: &group.name })
        },
        what: "Every unix socket dockerd listens on is owned by root, group `docker` (or the group dockerd's `group` setting names).",
        why: "Access to the socket is root on the host; a wrong owner or group hands it to the wrong people.",
        evidence: "Each `unix://` entry of the effective `hosts` (flags and daemon.json), the ListenStream paths of docker.socket for `fd://`, or /var/run/docker.sock by default; one object per socket (docker-bench checks only the default path).",
        fix: "`chown root:docker <socket>`; for systemd socket activation set `SocketUser=root` and `SocketGroup=docker` in docker.socket."),
    file_check!("file-docker-sock-mode", "3.16", "3.16",
        "docker.sock mode 660 or tighter", One, Automated, Critical, DockerDaemon,
        |ctx| judge(ctx, docker_sockets(ctx), FileRule::ModeAtMost(0o660)),
        what: "Every unix socket dockerd listens on has no permission bit outside 0660 (0606 fails: others can connect).",
        why: "A socket others can write to gives every local user root on the host through the API.",
        evidence: "Mode of each API socket (see 3.15 for how they are found), with the bits that exceed 0660.",
        fix: "`chmod 660 <socket>`; for socket activation set `SocketMode=0660` in docker.socket."),
    file_check!("file-daemon-json-owner", "3.17", "3.17",
        "daemon.json owned by root:root", Two, Manual, Medium, DockerDaemon,
        |ctx| judge(ctx, daemon_json(ctx), ROOT_ROOT),
        what: "The daemon.json dockerd actually reads (`--config-file`, default /etc/docker/daemon.json) is owned by root:root.",
        why: "daemon.json sets every daemon option; its owner controls the daemon at the next reload.",
        evidence: "Path from dockerd's `--config-file` flag (or the default) and its owner. Skipped when the file does not exist.",
        fix: "`chown root:root <daemon.json>`."),
    file_check!("file-daemon-json-mode", "3.18", "3.18",
        "daemon.json mode 644 or tighter", Two, Manual, Medium, DockerDaemon,
        |ctx| judge(ctx, daemon_json(ctx), MODE_644),
        what: "The daemon.json dockerd reads has no permission bit outside 0644.",
        why: "A writable daemon.json lets a non-root user reconfigure the daemon (e.g. add a TCP listener without TLS).",
        evidence: "Path from `--config-file` (or the default) and its mode. Skipped when the file does not exist.",
        fix: "`chmod 644 <daemon.json>`."),
    file_check!("file-etc-default-docker-owner", "3.19", "3.19",
        "/etc/default/docker owned by root:root", Two, Manual, Low, DockerDaemon,
        |ctx| judge(ctx, fixed("/etc/default/docker"), ROOT_ROOT),
        what: "/etc/default/docker, where present, is owned by root:root.",
        why: "The file's variables (DOCKER_OPTS) can reach dockerd's command line.",
        evidence: "Owner of /etc/default/docker; skipped when it does not exist.",
        fix: "`chown root:root /etc/default/docker`."),
    file_check!("file-etc-default-docker-mode", "3.20", "3.22",
        "/etc/default/docker mode 644 or tighter", Two, Manual, Low, DockerDaemon,
        |ctx| judge(ctx, fixed("/etc/default/docker"), MODE_644),
        what: "/etc/default/docker, where present, has no permission bit outside 0644.",
        why: "A writable environment file lets a non-root user change the daemon's options.",
        evidence: "Mode of /etc/default/docker; skipped when it does not exist.",
        fix: "`chmod 644 /etc/default/docker`."),
    file_check!("file-etc-sysconfig-docker-mode", "3.21", "3.20",
        "/etc/sysconfig/docker mode 644 or tighter", Two, Manual, Low, DockerDaemon,
        |ctx| judge(ctx, fixed("/etc/sysconfig/docker"), MODE_644),
        what: "/etc/sysconfig/docker, where present, has no permission bit outside 0644.",
        why: "A writable environment file lets a non-root user change the daemon's options.",
        evidence: "Mode of /etc/sysconfig/docker; skipped when it does not exist.",
        fix: "`chmod 644 /etc/sysconfig/docker`."),
    file_check!("file-etc-sysconfig-docker-owner", "3.22", "3.21",
        "/etc/sysconfig/docker owned by root:root", Two, Manual, Low, DockerDaemon,
        |ctx| judge(ctx, fixed("/etc/sysconfig/docker"), ROOT_ROOT),
        what: "/etc/sysconfig/docker, where present, is owned by root:root.",
        why: "The file's variables can reach dockerd's command line.",
        evidence: "Owner of /etc/sysconfig/docker; skipped when it does not exist.",
        fix: "`chown root:root /etc/sysconfig/docker`."),
    file_check!("file-containerd-sock-owner", "3.23", "3.23",
        "containerd.sock owned by root:root", One, Automated, High, Containerd,
        |ctx| judge(ctx, containerd_socket(ctx), ROOT_ROOT),
        what: "The containerd socket dockerd uses is owned by root:root.",
        why: "containerd's API runs containers with any privilege; its socket must be root's alone.",
        evidence: "Socket from dockerd's `containerd` setting, else containerd's `--address`, else /run/containerd/containerd.sock (or the managed one under dockerd's exec-root), and its owner.",
        fix: "`chown root:root <containerd socket>`."),
    file_check!("file-containerd-sock-mode", "3.24", "3.24",
        "containerd.sock mode 660 or tighter", One, Automated, High, Containerd,
        |ctx| judge(ctx, containerd_socket(ctx), FileRule::ModeAtMost(0o660)),
        what: "The containerd socket has no permission bit outside 0660.",
        why: "Others who can connect to containerd can start privileged containers: root on the host.",
        evidence: "The containerd socket (see 3.23) and its mode, with the bits that exceed 0660.",
        fix: "`chmod 660 <containerd socket>`."),
];

/// Judge the targets, or return why there are none.
fn judge(ctx: &Context, targets: Targets, rule: FileRule) -> Outcome {
    match targets {
        Ok(t) => file_perms::judge(&ctx.facts.host, &t, rule),
        Err(o) => o,
    }
}

fn target(l: Located) -> FileTarget {
    FileTarget::new(l.path, l.origin)
}

fn fixed(path: &str) -> Targets {
    Ok(vec![FileTarget::new(path, "")])
}

/// A unit's file (first in the search path) and its drop-ins.
fn unit_files(ctx: &Context, name: &str) -> Targets {
    let unit = paths::unit(&ctx.facts.host, name);
    let Some(fragment) = &unit.fragment else {
        let searched = UNIT_SEARCH_PATH.join(", ");
        return Err(if unit.unreadable.is_empty() {
            Outcome::skip(format!(
                "{name} not found in the systemd search path ({searched})"
            ))
        } else {
            Outcome::error(format!(
                "{name} not found, and part of the search path could not be read: {}",
                unit.unreadable.join("; ")
            ))
        });
    };
    if unit.masked {
        return Err(Outcome::skip(format!(
            "{name} is masked ({fragment} -> /dev/null)"
        )));
    }
    let mut targets = vec![FileTarget::new(
        fragment.clone(),
        "unit file systemd loads: first in search-path order",
    )];
    targets.extend(
        unit.dropins
            .iter()
            .map(|d| FileTarget::new(d.clone(), format!("drop-in of {name}"))),
    );
    Ok(targets)
}

fn registry_certs(ctx: &Context) -> Targets {
    match paths::registry_cert_files(&ctx.facts.host) {
        Ok(None) => Err(Outcome::skip(format!(
            "{} does not exist: no registry certificates",
            paths::REGISTRY_CERTS_DIR
        ))),
        Ok(Some(files)) if files.is_empty() => Err(Outcome::skip(format!(
            "no files under {}",
            paths::REGISTRY_CERTS_DIR
        ))),
        Ok(Some(files)) => Ok(files.into_iter().map(|f| FileTarget::new(f, "")).collect()),
        Err(e) => Err(Outcome::error(e)),
    }
}

fn tls_file(ctx: &Context, key: &str) -> Targets {
    match paths::tls_file(&ctx.daemon, key) {
        Lookup::Found(l) => Ok(vec![target(l)]),
        Lookup::Absent(why) => Err(Outcome::skip(why)),
        Lookup::Unknown(why) => Err(Outcome::error(why)),
    }
}

fn docker_sockets(ctx: &Context) -> Targets {
    match paths::docker_sockets(&ctx.facts.host, &ctx.daemon) {
        Ok(list) if list.is_empty() => Err(Outcome::skip(format!(
            "dockerd listens on no unix socket: {}",
            ctx.daemon.hosts().describe("hosts")
        ))),
        Ok(list) => Ok(list.into_iter().map(target).collect()),
        // Flags unknown: the default socket is still a fact worth judging, but other sockets
        // may exist, and the evidence says so.
        Err(why) => Ok(vec![FileTarget::new(
            crate::facts::daemon_config::DEFAULT_SOCKET,
            format!("default socket; other -H sockets cannot be known: {why}"),
        )]),
    }
}

fn daemon_json(ctx: &Context) -> Targets {
    let origin = match &ctx.daemon.process {
        Some(p) if ctx.daemon.config_path != crate::facts::daemon_config::DEFAULT_CONFIG_FILE => {
            format!("--config-file of dockerd (pid {})", p.pid)
        }
        _ => "default daemon.json".to_string(),
    };
    Ok(vec![FileTarget::new(
        ctx.daemon.config_path.clone(),
        origin,
    )])
}

fn containerd_socket(ctx: &Context) -> Targets {
    Ok(vec![target(paths::containerd_socket(
        ctx.facts,
        &ctx.daemon,
    ))])
}
