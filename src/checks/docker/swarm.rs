//! Section 7: Docker Swarm configuration. Evaluated only on a node that is in a swarm
//! (`Swarm.LocalNodeState` in `docker info`); elsewhere the items are `skip` with that reason
//! (docker-bench passes them all, which says nothing). 7.3 also runs without swarm when overlay
//! networks exist. Cluster settings are visible on managers only; the listen and data-path
//! addresses come from the engine's `swarm/docker-state.json`, which the API does not report.

use bollard::models::{ClusterInfo, LocalNodeState, SwarmInfo};

use super::{V131, V160, docker};
use crate::checks::secrets;
use crate::checks::{
    Assessment::*, Check, Component, Context, Doc, Evaluate, Level::*, ObjectOutcome, Outcome,
    Severity::*,
};
use crate::facts::swarm::{SwarmNodeState, node_state_path};
use crate::facts::{DockerFacts, Observed};

macro_rules! swarm_check {
    ($slug:literal, $v160:literal, $v131:literal, $title:literal, $sev:ident, $f:path,
     what: $what:literal, why: $why:literal, evidence: $ev:literal, fix: $fix:literal) => {
        Check {
            slug: $slug,
            ids: &[(V160, $v160), (V131, $v131)],
            title: $title,
            level: One,
            assessment: Manual,
            severity: $sev,
            component: Component::Swarm,
            doc: Doc {
                what: $what,
                why: $why,
                evidence: $ev,
                remediation: $fix,
                references: "https://docs.docker.com/engine/swarm/",
            },
            evaluate: Evaluate::Context($f),
        }
    };
}

pub const CHECKS: &[Check] = &[
    swarm_check!("swarm-manager-count", "7.1", "7.2",
        "Ensure that the minimum number of manager nodes have been created in a swarm", Low, manager_count,
        what: "The swarm has an odd number of managers, at most 7: an even count adds no fault tolerance over one fewer, and more than 7 only slows consensus. Whether the count is the minimum the cluster needs is for a person to confirm.",
        why: "Every manager holds the cluster's state and keys; each extra one is another node whose compromise gives control of the swarm.",
        evidence: "`Swarm.Managers` and `Swarm.Nodes` from `docker info` on a manager.",
        fix: "`docker node demote <node>` for managers that are not needed (keep 1, 3 or 5)."),
    swarm_check!("swarm-bind-interface", "7.2", "7.3",
        "Ensure that swarm services are bound to a specific host interface", Medium, bind_interface,
        what: "The swarm management port (2377) listens on a specific address, not on all interfaces.",
        why: "Listening on every interface exposes the cluster management API to every network the host is on.",
        evidence: "`ListenAddr` in `<DockerRootDir>/swarm/docker-state.json` (what `docker swarm init/join --listen-addr` set; the API does not report it), with `Swarm.NodeAddr` from `docker info`.",
        fix: "Re-join or re-initialise the node with `--listen-addr <ip>:2377` (the address of the management interface)."),
    Check {
        slug: "swarm-overlay-encrypted",
        ids: &[(V160, "7.3"), (V131, "7.4")],
        title: "Ensure that all Docker swarm overlay networks are encrypted",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::Swarm,
        doc: Doc {
            what: "Every overlay network has the `encrypted` option (evaluated whenever overlay networks exist, swarm or not).",
            why: "Overlay traffic between nodes is plain VXLAN otherwise: anyone on the path reads or injects container traffic (disclosure, tampering).",
            evidence: "`Driver` and `Options` of each network from the network list.",
            remediation: "Re-create the network with `docker network create --driver overlay --opt encrypted <name>` (the ingress network with `--ingress --opt encrypted`).",
            references: "https://docs.docker.com/engine/network/drivers/overlay/#encrypt-traffic-on-an-overlay-network",
        },
        evaluate: Evaluate::Context(overlay_encrypted),
    },
    swarm_check!("swarm-secrets", "7.4", "7.5",
        "Ensure that Docker's secret management commands are used for managing secrets in a swarm cluster", Medium, swarm_secrets,
        what: "Services take their sensitive data from Docker secrets, not from environment variables: a service whose environment holds a credential fails; a swarm without any secret needs review.",
        why: "Environment variables of a service are readable by anyone who can inspect it, and are copied to every node; secrets are encrypted at rest and given only to the tasks that need them.",
        evidence: "The secret list (names only; the API never returns secret data) and each service's environment, credentials masked.",
        fix: "`docker secret create <name> <file>`, then `docker service update --secret-add <name> --env-rm <VAR> <service>`."),
    swarm_check!("swarm-autolock", "7.5", "7.6",
        "Ensure that swarm manager is run in auto-lock mode", Medium, autolock,
        what: "Manager auto-lock is on, so the raft keys on disk are encrypted and a restarted manager needs the unlock key.",
        why: "Without auto-lock, anyone who copies a manager's disk gets the keys that decrypt the cluster state, secrets included.",
        evidence: "`Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers` from `docker info` on a manager (a locked node has it on).",
        fix: "`docker swarm update --autolock=true`, and keep the unlock key in a password manager."),
    swarm_check!("swarm-autolock-key-rotation", "7.6", "7.7",
        "Ensure that the swarm manager auto-lock key is rotated periodically", Low, autolock_key_rotation,
        what: "The unlock key is rotated periodically. The API does not tell when it was last rotated: a person must confirm.",
        why: "A leaked unlock key stays valid until rotated.",
        evidence: "Whether auto-lock is on. The key itself is never read.",
        fix: "`docker swarm unlock-key --rotate` on a schedule, and record the date."),
    swarm_check!("swarm-node-cert-rotation", "7.7", "7.8",
        "Ensure that node certificates are rotated as appropriate", Low, node_cert_rotation,
        what: "Node certificates expire, and are therefore renewed, within 90 days (Docker's default).",
        why: "A stolen node certificate lets its holder act as that node until it expires.",
        evidence: "`Swarm.Cluster.Spec.CAConfig.NodeCertExpiry` from `docker info` on a manager.",
        fix: "`docker swarm update --cert-expiry 720h` (or shorter, per policy)."),
    swarm_check!("swarm-ca-cert-rotation", "7.8", "7.9",
        "Ensure that CA certificates are rotated as appropriate", Low, ca_cert_rotation,
        what: "The swarm root CA is rotated as policy requires. The API shows the CA, not when it was last rotated: a person must confirm.",
        why: "Whoever holds the root CA key can mint node certificates and join the swarm as a manager.",
        evidence: "`Swarm.Cluster.TLSInfo`, `RootRotationInProgress` and `CreatedAt` from `docker info` on a manager.",
        fix: "`docker swarm ca --rotate` per policy (and after any suspected key exposure)."),
    swarm_check!("swarm-plane-separation", "7.9", "7.10",
        "Ensure that management plane traffic is separated from data plane traffic", Low, plane_separation,
        what: "Container (data plane) traffic uses an address other than the management one (`--data-path-addr`).",
        why: "On a shared interface, a flood of container traffic can starve cluster management (denial of service), and both are exposed on one network.",
        evidence: "`DataPathAddr` and `AdvertiseAddr` in `<DockerRootDir>/swarm/docker-state.json`.",
        fix: "Initialise or join with `--data-path-addr <ip of a separate interface>`."),
];

/// The node's swarm state, or the outcome that ends the check: `error` without Docker facts,
/// `skip` when the node is not in a swarm.
fn in_swarm<'a>(
    ctx: &'a Context,
) -> Result<(&'a DockerFacts, &'a SwarmInfo, LocalNodeState), Outcome> {
    let d = docker(ctx)?;
    let swarm = d.info.swarm.as_ref();
    let state = swarm
        .and_then(|s| s.local_node_state)
        .unwrap_or(LocalNodeState::EMPTY);
    match (swarm, state) {
        (
            Some(s),
            LocalNodeState::ACTIVE
            | LocalNodeState::LOCKED
            | LocalNodeState::PENDING
            | LocalNodeState::ERROR,
        ) => Ok((d, s, state)),
        _ => Err(Outcome::skip(format!(
            "swarm mode is not active on this node (Swarm.LocalNodeState={:?})",
            state.to_string()
        ))),
    }
}

/// The cluster view, which only an active manager has.
fn cluster<'a>(
    ctx: &'a Context,
) -> Result<(&'a DockerFacts, &'a SwarmInfo, &'a ClusterInfo), Outcome> {
    let (d, s, state) = in_swarm(ctx)?;
    if state == LocalNodeState::LOCKED {
        return Err(Outcome::error(
            "the node is locked (auto-lock on, unlock key not given yet): cluster settings unavailable until `docker swarm unlock`",
        ));
    }
    if s.control_available != Some(true) {
        return Err(Outcome::skip(
            "this node is a swarm worker: cluster settings are visible on managers only; scan a manager",
        ));
    }
    match &s.cluster {
        Some(c) => Ok((d, s, c)),
        None => Err(Outcome::error(
            "docker info reports a manager without cluster information",
        )),
    }
}

fn manager_count(ctx: &Context) -> Outcome {
    let (_, s, _) = match cluster(ctx) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let (Some(managers), Some(nodes)) = (s.managers, s.nodes) else {
        return Outcome::error("docker info does not report Swarm.Managers / Swarm.Nodes");
    };
    let tolerates = (managers - 1) / 2;
    let evidence =
        format!("{managers} managers of {nodes} nodes (tolerates {tolerates} manager failure(s))");
    if managers % 2 == 0 {
        Outcome::fail(format!(
            "{evidence}: an even count tolerates no more failures than {} managers",
            managers - 1
        ))
    } else if managers > 7 {
        Outcome::fail(format!("{evidence}: more than 7 managers"))
    } else {
        Outcome::pass(format!(
            "{evidence}; confirm this is the minimum the cluster needs"
        ))
    }
}

/// The node's `docker-state.json`, parsed, with its path for evidence.
fn node_state(ctx: &Context, d: &DockerFacts) -> Result<(String, SwarmNodeState), Outcome> {
    let Some(root) = d.info.docker_root_dir.as_deref() else {
        return Err(Outcome::error(
            "docker info does not report DockerRootDir: swarm/docker-state.json cannot be located",
        ));
    };
    let path = node_state_path(root);
    match ctx.facts.host.file_text(&path) {
        Observed::Seen(text) => match serde_json::from_str::<SwarmNodeState>(text) {
            Ok(state) => Ok((path, state)),
            Err(e) => Err(Outcome::error(format!("{path}: not valid JSON: {e}"))),
        },
        Observed::Unavailable(u) => Err(Outcome::error(format!(
            "the swarm listen and data-path addresses are not reported by the API, and {path} could not be read: {}",
            u.reason
        ))),
    }
}

/// Host part of `ip:port`, `[v6]:port`, or an interface name.
fn host_of(addr: &str) -> &str {
    let addr = addr.trim();
    if let Some(rest) = addr.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    match addr.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) && !host.contains(':') => {
            host
        }
        _ => addr,
    }
}

fn is_wildcard(host: &str) -> bool {
    matches!(host, "" | "0.0.0.0" | "::" | "*")
}

fn bind_interface(ctx: &Context) -> Outcome {
    let (d, s, _) = match in_swarm(ctx) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let (path, state) = match node_state(ctx, d) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let node_addr = s.node_addr.as_deref().unwrap_or("?");
    let listen = state.listen_addr.as_str();
    let evidence = format!(
        "ListenAddr={listen:?} in {path} (Swarm.NodeAddr {node_addr}, AdvertiseAddr {:?})",
        state.advertise_addr
    );
    if is_wildcard(host_of(listen)) {
        Outcome::fail(format!("{evidence}: listens on all interfaces"))
    } else {
        Outcome::pass(evidence)
    }
}

fn overlay_encrypted(ctx: &Context) -> Outcome {
    let d = match docker(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let objects: Vec<ObjectOutcome> = d
        .networks
        .iter()
        .filter(|n| n.driver.as_deref() == Some("overlay"))
        .map(|n| {
            let name = n.name.clone().unwrap_or_default();
            let encrypted = n
                .options
                .as_ref()
                .is_some_and(|o| o.contains_key("encrypted"));
            let ingress = if n.ingress == Some(true) {
                " (the ingress network)"
            } else {
                ""
            };
            let o = Outcome::pass_if(
                encrypted,
                if encrypted {
                    format!("overlay network{ingress} with option encrypted")
                } else {
                    format!("overlay network{ingress} without option encrypted")
                },
            );
            ObjectOutcome {
                kind: "network",
                name,
                id: n.id.as_ref().map(|i| i.chars().take(12).collect()),
                verdict: o.verdict,
                evidence: o.evidence,
            }
        })
        .collect();
    if objects.is_empty() {
        let why = match in_swarm(ctx) {
            Ok(_) => "no overlay networks",
            Err(_) => "no overlay networks (swarm mode is not active)",
        };
        return Outcome::skip(why);
    }
    Outcome::from_objects("overlay networks", objects)
}

fn swarm_secrets(ctx: &Context) -> Outcome {
    let (d, _, _) = match cluster(ctx) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let Some(facts) = &d.swarm else {
        return Outcome::error("secrets and services of the swarm were not collected");
    };
    let secrets_list = match facts.secrets.as_result() {
        Ok(s) => s,
        Err(u) => return Outcome::error(u.reason.clone()),
    };
    let services = match facts.services.as_result() {
        Ok(s) => s,
        Err(u) => return Outcome::error(u.reason.clone()),
    };
    let mut leaky = Vec::new();
    let mut using = Vec::new();
    for service in services {
        let spec = service.spec.as_ref();
        let name = spec.and_then(|s| s.name.clone()).unwrap_or_default();
        let container = spec
            .and_then(|s| s.task_template.as_ref())
            .and_then(|t| t.container_spec.as_ref());
        let env = container.and_then(|c| c.env.clone()).unwrap_or_default();
        let found: Vec<String> = env
            .iter()
            .filter_map(|e| secrets::check_env_entry(e))
            .map(|f| f.to_string())
            .collect();
        if !found.is_empty() {
            leaky.push(format!("{name}: {}", found.join(", ")));
        }
        if container
            .and_then(|c| c.secrets.as_ref())
            .is_some_and(|s| !s.is_empty())
        {
            using.push(name);
        }
    }
    let names: Vec<String> = secrets_list
        .iter()
        .filter_map(|s| s.spec.as_ref().and_then(|sp| sp.name.clone()))
        .collect();
    let summary = format!(
        "{} secrets ({}); {} services, using secrets: {}",
        names.len(),
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        },
        services.len(),
        if using.is_empty() {
            "none".to_string()
        } else {
            using.join(", ")
        }
    );
    if !leaky.is_empty() {
        Outcome::fail(format!(
            "credentials in service environments: {}; {summary}",
            leaky.join("; ")
        ))
    } else if names.is_empty() {
        Outcome::warn(format!(
            "{summary}: confirm services get sensitive data some other safe way"
        ))
    } else {
        Outcome::pass(summary)
    }
}

fn autolock_on(cluster: &ClusterInfo) -> Option<bool> {
    cluster
        .spec
        .as_ref()
        .and_then(|s| s.encryption_config.as_ref())
        .and_then(|e| e.auto_lock_managers)
}

fn autolock(ctx: &Context) -> Outcome {
    if let Ok((_, _, LocalNodeState::LOCKED)) = in_swarm(ctx) {
        return Outcome::pass("the node is locked, which only happens with auto-lock on");
    }
    let (_, _, c) = match cluster(ctx) {
        Ok(x) => x,
        Err(o) => return o,
    };
    match autolock_on(c) {
        Some(on) => Outcome::pass_if(on, format!("EncryptionConfig.AutoLockManagers={on}")),
        None => Outcome::fail("EncryptionConfig.AutoLockManagers unset (off)"),
    }
}

fn autolock_key_rotation(ctx: &Context) -> Outcome {
    let (_, _, c) = match cluster(ctx) {
        Ok(x) => x,
        Err(o) => return o,
    };
    if autolock_on(c) != Some(true) {
        return Outcome::skip(
            "auto-lock is off (see swarm-autolock): there is no unlock key to rotate",
        );
    }
    Outcome::warn(
        "auto-lock is on; when the unlock key was last rotated is not visible through the API: confirm it is rotated on schedule",
    )
}

const NANOS_PER_HOUR: i64 = 3_600_000_000_000;
const MAX_CERT_EXPIRY_HOURS: i64 = 90 * 24;

fn node_cert_rotation(ctx: &Context) -> Outcome {
    let (_, _, c) = match cluster(ctx) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let Some(expiry) = c
        .spec
        .as_ref()
        .and_then(|s| s.ca_config.as_ref())
        .and_then(|ca| ca.node_cert_expiry)
    else {
        return Outcome::error("CAConfig.NodeCertExpiry is not reported");
    };
    let hours = expiry / NANOS_PER_HOUR;
    let evidence = format!(
        "CAConfig.NodeCertExpiry={hours}h ({} days); certificates renew automatically before they expire",
        hours / 24
    );
    if hours <= MAX_CERT_EXPIRY_HOURS {
        Outcome::pass(evidence)
    } else {
        Outcome::fail(format!("{evidence}: longer than 90 days"))
    }
}

fn ca_cert_rotation(ctx: &Context) -> Outcome {
    let (_, _, c) = match cluster(ctx) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let issuer = c
        .tls_info
        .as_ref()
        .and_then(|t| t.cert_issuer_subject.clone())
        .unwrap_or_else(|| "?".into());
    let external = c
        .spec
        .as_ref()
        .and_then(|s| s.ca_config.as_ref())
        .and_then(|ca| ca.external_cas.as_ref())
        .is_some_and(|e| !e.is_empty());
    Outcome::warn(format!(
        "cluster created {}; root CA issuer (base64 DER) {issuer}; external CA: {external}; root rotation in progress: {}. When the CA was last rotated is not visible: confirm it follows policy",
        c.created_at.as_deref().unwrap_or("?"),
        c.root_rotation_in_progress.unwrap_or(false)
    ))
}

fn plane_separation(ctx: &Context) -> Outcome {
    let (d, _, _) = match in_swarm(ctx) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let (path, state) = match node_state(ctx, d) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let data = host_of(&state.data_path_addr);
    let mgmt = host_of(&state.advertise_addr);
    let evidence = format!(
        "DataPathAddr={:?}, AdvertiseAddr={:?} in {path}",
        state.data_path_addr, state.advertise_addr
    );
    if data.is_empty() {
        Outcome::fail(format!(
            "{evidence}: no separate data-path address, data traffic uses the management address"
        ))
    } else if data == mgmt {
        Outcome::fail(format!("{evidence}: the same address"))
    } else {
        Outcome::pass(evidence)
    }
}

#[cfg(test)]
mod tests;
