//! What to change for a failed check: the concrete change (with the actions `--apply` may take),
//! its side effects, how it is verified, and the effort it takes.

use serde::Serialize;
use serde_json::{Value, json};

use super::patch::audit;
use super::patch::containers::{self, Recreate, UpdateValues};
use super::patch::daemon_json::{self, Edit};
use super::patch::files::{self, FileChange};
use crate::checks::{CheckResult, Verdict};
use crate::facts::Facts;
use crate::facts::daemon_config::DaemonConfig;
use crate::facts::docker::ContainerView;

/// Values the live container changes use.
#[derive(Debug, Clone)]
pub struct Limits {
    pub memory: i64,
    pub pids_limit: i64,
    pub cpu_shares: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory: 512 * 1024 * 1024,
            pids_limit: 200,
            cpu_shares: 512,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    DaemonJson,
    SystemdDropIn,
    DockerUpdate,
    DockerRecreate,
    FilePermissions,
    AuditRules,
    Manual,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::DaemonJson => "daemon-json",
            ChangeKind::SystemdDropIn => "systemd-drop-in",
            ChangeKind::DockerUpdate => "docker-update",
            ChangeKind::DockerRecreate => "docker-recreate",
            ChangeKind::FilePermissions => "file-permissions",
            ChangeKind::AuditRules => "audit-rules",
            ChangeKind::Manual => "manual",
        }
    }
}

/// One step `--apply` can take. Only local, reversible steps exist here.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Edit daemon.json (host path) from the text the plan was made on (`None`: absent).
    DaemonJson {
        path: String,
        original: Option<String>,
        edits: Vec<Edit>,
    },
    File(FileChange),
    /// Watch these paths in the audit rules file.
    AuditRules {
        paths: Vec<String>,
    },
    DockerUpdate {
        id: String,
        name: String,
        values: UpdateValues,
    },
}

/// The concrete change for one pick.
#[derive(Debug, Clone)]
pub struct Change {
    pub kind: ChangeKind,
    pub summary: String,
    /// Commands a person would run (shell-quoted).
    pub commands: Vec<String>,
    /// A unified diff of a file the change edits.
    pub diff: Option<String>,
    /// When the change takes effect (restart, reload, re-create).
    pub activation: Option<String>,
    /// What `--apply` does; empty when nothing can be applied automatically.
    pub actions: Vec<Action>,
    /// Why the change cannot be applied as planned (a conflict, an unreadable file).
    pub blocked: Option<String>,
    pub notes: Vec<String>,
}

impl Change {
    fn manual(summary: impl Into<String>) -> Self {
        Change {
            kind: ChangeKind::Manual,
            summary: summary.into(),
            commands: vec![],
            diff: None,
            activation: None,
            actions: vec![],
            blocked: None,
            notes: vec![],
        }
    }
}

/// How readily a change can be made, from a reversible live update to a person's work. Breaks
/// ties between picks that remove the same risk: the easier change first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effort {
    /// Applied live and reversibly (`docker update`, chmod/chown, a rules file).
    Live,
    /// A daemon.json key dockerd re-reads on SIGHUP.
    Reload,
    /// A daemon.json key (or flag) that needs a dockerd restart.
    Restart,
    /// The container must be re-created.
    Recreate,
    /// Needs a person's input (certificates, a log server, a plugin).
    Manual,
}

impl Effort {
    pub fn describe(self) -> &'static str {
        match self {
            Effort::Live => "applied live and reversibly",
            Effort::Reload => "daemon.json, applied by a dockerd reload",
            Effort::Restart => "needs a dockerd restart",
            Effort::Recreate => "needs the container re-created",
            Effort::Manual => "needs a person's input",
        }
    }
}

/// A failed check's remedy.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub effort: Effort,
    pub change: Change,
    pub side_effects: Vec<String>,
    pub verification: String,
}

/// A daemon option remedy: the edits and the side effects of making them.
struct DaemonRemedy {
    slug: &'static str,
    edits: fn(&DaemonConfig) -> Vec<Edit>,
    side_effects: &'static [&'static str],
}

const DAEMON_REMEDIES: &[DaemonRemedy] = &[
    DaemonRemedy {
        slug: "daemon-icc-disabled",
        edits: |_| vec![Edit::Set("icc".into(), json!(false))],
        side_effects: &[
            "containers on the default bridge can no longer reach each other; those that must talk need a user-defined network or published ports",
        ],
    },
    DaemonRemedy {
        slug: "daemon-live-restore",
        edits: |_| vec![Edit::Set("live-restore".into(), json!(true))],
        side_effects: &[
            "live-restore is incompatible with swarm mode",
            "containers keep running while dockerd is stopped; a hung daemon is no longer noticed through stopped containers",
        ],
    },
    DaemonRemedy {
        slug: "daemon-no-new-privileges",
        edits: |_| vec![Edit::Set("no-new-privileges".into(), json!(true))],
        side_effects: &[
            "applies to containers created afterwards; running containers keep their setting until re-created",
            "setuid/setgid programs in containers (sudo, su, some ping builds) no longer gain privileges",
        ],
    },
    DaemonRemedy {
        slug: "daemon-userland-proxy-disabled",
        edits: |_| vec![Edit::Set("userland-proxy".into(), json!(false))],
        side_effects: &[
            "published ports reached through localhost then rely on iptables hairpin NAT (net.ipv4.conf.*.route_localnet)",
        ],
    },
    DaemonRemedy {
        slug: "daemon-userns-remap",
        edits: |_| vec![Edit::Set("userns-remap".into(), json!("default"))],
        side_effects: &[
            "dockerd creates the user dockremap and a new data directory (/var/lib/docker/<uid>.<gid>): existing images and containers are not visible until pulled and re-created",
            "file ownership of existing volumes and bind mounts changes meaning: files owned by host root become unwritable for container root until chowned to the remapped uid range",
            "--privileged, --pid=host and --network=host then also need --userns=host per container",
        ],
    },
    DaemonRemedy {
        slug: "daemon-log-level-info",
        edits: |d| {
            let mut e = vec![Edit::Set("log-level".into(), json!("info"))];
            if d.get("debug").as_bool(false) == Some(true) {
                e.push(Edit::Set("debug".into(), json!(false)));
            }
            e
        },
        side_effects: &["debug-level detail is no longer logged"],
    },
    DaemonRemedy {
        slug: "daemon-no-experimental",
        edits: |_| vec![Edit::Set("experimental".into(), json!(false))],
        side_effects: &["experimental features (e.g. checkpoint/restore) stop working"],
    },
    DaemonRemedy {
        slug: "daemon-iptables-enabled",
        edits: |_| vec![Edit::Set("iptables".into(), json!(true))],
        side_effects: &[
            "dockerd adds NAT and filter rules to the host firewall: review custom firewall rules",
        ],
    },
    DaemonRemedy {
        slug: "daemon-no-insecure-registries",
        // An empty list, not a removed key: dockerd's reload (SIGHUP) changes only the keys
        // present in the file, so a removed key keeps its old value until a restart.
        edits: |_| vec![Edit::Set("insecure-registries".into(), json!([]))],
        side_effects: &[
            "pulls and pushes to those registries fail until they present a certificate trusted through /etc/docker/certs.d/<registry>/ca.crt",
        ],
    },
    DaemonRemedy {
        slug: "daemon-seccomp-profile",
        edits: |_| vec![Edit::Remove("seccomp-profile".into())],
        side_effects: &[
            "containers get Docker's default seccomp profile: programs that need blocked system calls (some debuggers, nested sandboxes) fail",
        ],
    },
];

/// Live `docker update` remedies.
fn update_values(slug: &str, limits: &Limits) -> Option<(UpdateValues, &'static [&'static str])> {
    Some(match slug {
        "container-memory-limit" => (
            UpdateValues {
                memory: Some(limits.memory),
                memory_swap: Some(limits.memory),
                ..Default::default()
            },
            &[
                "a container that needs more than the limit is OOM-killed: compare with `docker stats` first",
                "swap is disabled for the container (memory-swap equals memory)",
                "Docker cannot remove a memory limit later without re-creating the container (a rollback leaves the limit)",
            ] as &[&str],
        ),
        "container-pids-limit" => (
            UpdateValues {
                pids_limit: Some(limits.pids_limit),
                ..Default::default()
            },
            &["fork/clone fails inside the container beyond the limit (threads count too)"],
        ),
        "container-cpu-priority" => (
            UpdateValues {
                cpu_shares: Some(limits.cpu_shares),
                ..Default::default()
            },
            &[
                "under CPU contention the container gets a smaller share than the default weight 1024",
            ],
        ),
        "container-restart-policy" => (
            UpdateValues {
                restart: Some(("on-failure".into(), 5)),
                ..Default::default()
            },
            &[
                "the container is no longer restarted after it exits cleanly, nor when dockerd restarts; after 5 failed restarts it stays down",
            ],
        ),
        _ => return None,
    })
}

pub(crate) fn recreate_fix(slug: &str) -> Option<(Recreate, &'static str)> {
    Some(match slug {
        "container-privileged" => (
            Recreate::NotPrivileged,
            "the container loses every extra capability and device: add back only what it needs (--cap-add, --device)",
        ),
        "container-capabilities-restricted" => (
            Recreate::DefaultCapabilitiesOnly,
            "operations that needed the dropped capabilities fail",
        ),
        "container-read-only-rootfs" => (
            Recreate::ReadOnlyRootfs,
            "writes outside volumes and tmpfs mounts fail: add --tmpfs or volumes for the paths the application writes",
        ),
        "container-host-network" => (
            Recreate::NoHostNetwork,
            "the container gets its own network namespace and IP: publish the ports it serves with -p",
        ),
        "container-host-pid" => (
            Recreate::NoHostPid,
            "the container no longer sees host processes (monitoring agents lose that view)",
        ),
        "container-host-ipc" => (
            Recreate::NoHostIpc,
            "shared memory with host processes stops working",
        ),
        "container-host-uts" => (Recreate::NoHostUts, "the container gets its own hostname"),
        "container-host-userns" => (
            Recreate::NoHostUserns,
            "the container's root is remapped: files it writes to bind mounts get remapped owners",
        ),
        "container-sensitive-host-mounts" | "container-no-writable-host-mounts" => (
            Recreate::NoSensitiveMounts,
            "the container loses the host directories it mounted: mount only the specific files it needs, or a volume",
        ),
        "container-docker-socket-mount" => (
            Recreate::NoDockerSocket,
            "tools in the container that drive Docker stop working: give them a narrowly scoped API proxy",
        ),
        "container-mount-propagation" => (
            Recreate::NoSharedPropagation,
            "mounts made inside the container no longer appear on the host (and vice versa)",
        ),
        "container-seccomp-not-disabled" => (
            Recreate::NoSeccompUnconfined,
            "system calls outside Docker's default profile fail with EPERM",
        ),
        "container-apparmor-profile" => (
            Recreate::NoApparmorUnconfined,
            "the docker-default AppArmor profile applies: writes to /proc and /sys files are denied",
        ),
        "container-selinux-options" => (
            Recreate::NoSelinuxDisable,
            "SELinux labels apply: bind mounts may need :z or :Z relabelling",
        ),
        "container-no-new-privileges" => (
            Recreate::NoNewPrivileges,
            "setuid/setgid programs in the container no longer gain privileges",
        ),
        "container-host-devices" => (
            Recreate::NoHostDevices,
            "the container loses direct access to the host devices it had",
        ),
        "container-ports-bound-to-interface" => (
            Recreate::PortsOnLoopback,
            "the published ports are reachable only from this host: replace 127.0.0.1 with the address of the intended interface",
        ),
        _ => return None,
    })
}

/// The remedy for a failed check.
pub fn propose(
    facts: &Facts,
    daemon: &DaemonConfig,
    result: &CheckResult,
    limits: &Limits,
) -> Proposal {
    let check = result.check;
    // By slug: a bare id would be read in whatever edition that scan uses (v1.8.0's 2.12 is
    // v1.6.0's 2.11).
    let verify = |what: &str| {
        format!(
            "re-run the check (`threatbench scan --select {}`){what}",
            check.slug
        )
    };
    if let Some(r) = DAEMON_REMEDIES.iter().find(|r| r.slug == check.slug) {
        return daemon_proposal(facts, daemon, (r.edits)(daemon), r.side_effects, verify(""));
    }
    if let Some((values, side)) = update_values(check.slug, limits) {
        return update_proposal(
            facts,
            result,
            values,
            side,
            verify(": expect pass for every container listed"),
        );
    }
    if let Some((fix, side)) = recreate_fix(check.slug) {
        return recreate_proposal(
            facts,
            result,
            fix,
            side,
            verify(" after the new container runs"),
        );
    }
    if let Some(rule) = files::rule_for(check.slug) {
        return file_proposal(facts, daemon, result, rule, verify(""));
    }
    if let Some(path) = audit::watched_path(check.slug, facts, daemon) {
        return audit_proposal(facts, result, path, verify(" after `augenrules --load`"));
    }
    Proposal {
        effort: Effort::Manual,
        change: Change::manual(check.doc.remediation),
        side_effects: vec![],
        verification: verify(" once the change is made"),
    }
}

fn daemon_proposal(
    facts: &Facts,
    daemon: &DaemonConfig,
    edits: Vec<Edit>,
    side_effects: &[&str],
    verification: String,
) -> Proposal {
    let reloadable = edits.iter().all(|e| daemon_json::is_reloadable(e.key()));
    let live_restore = facts
        .docker
        .seen()
        .and_then(|d| d.info.live_restore_enabled)
        .unwrap_or(false);
    let restart_note = if live_restore {
        "takes effect after a dockerd restart (live-restore is on: running containers keep running)"
    } else {
        "takes effect after a dockerd restart; without live-restore a restart stops every running container"
    };
    let activation = if reloadable {
        format!(
            "takes effect after a dockerd reload (SIGHUP, `systemctl reload docker`, or `threatbench harden --reload-daemon`): {} reloadable; no container stops",
            edits
                .iter()
                .map(|e| format!("`{}`", e.key()))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else {
        let not: Vec<String> = edits
            .iter()
            .filter(|e| !daemon_json::is_reloadable(e.key()))
            .map(|e| format!("`{}`", e.key()))
            .collect();
        format!(
            "{restart_note}; {} not reloadable by SIGHUP",
            not.join(", ")
        )
    };
    let mut side: Vec<String> = side_effects.iter().map(|s| s.to_string()).collect();
    let effort = if reloadable {
        Effort::Reload
    } else {
        Effort::Restart
    };
    let summary = edits
        .iter()
        .map(Edit::describe)
        .collect::<Vec<_>>()
        .join(", ");
    let mut notes = Vec::new();
    if daemon.process.is_none() {
        notes.push(format!(
            "dockerd's command line is unknown ({}): a conflict with a flag cannot be ruled out",
            daemon
                .process_note
                .as_deref()
                .unwrap_or("process not visible")
        ));
    }
    // icc=false is refused by dockerd while iptables is off.
    let mut blocked = None;
    if edits
        .iter()
        .any(|e| matches!(e, Edit::Set(k, Value::Bool(false)) if k == "icc"))
        && daemon.get("iptables").as_bool(true) == Some(false)
    {
        blocked = Some(format!(
            "dockerd refuses to start with icc=false while iptables is off ({}): enable iptables first",
            daemon.get("iptables").describe("iptables")
        ));
    }
    let conflicts = daemon_json::flag_conflicts(daemon, &edits);
    if !conflicts.is_empty() {
        // The option lives on the command line: change it there, not in daemon.json.
        let flags: Vec<String> = conflicts
            .iter()
            .map(|c| format!("`{}` (flag `{}`)", c.key, c.arg))
            .collect();
        let dropin = daemon
            .process
            .as_ref()
            .and_then(|p| daemon_json::systemd_dropin(p, &edits));
        let mut change = Change::manual(format!("change on the dockerd command line: {summary}"));
        change.kind = ChangeKind::SystemdDropIn;
        change.blocked = Some(format!(
            "{} set as dockerd flags: adding them to daemon.json would make dockerd refuse to start (an option may be given only one way)",
            flags.join(", ")
        ));
        change.activation =
            Some("takes effect after `systemctl daemon-reload && systemctl restart docker`".into());
        if let Some(d) = dropin {
            change.commands = vec![
                "mkdir -p /etc/systemd/system/docker.service.d".into(),
                "$EDITOR /etc/systemd/system/docker.service.d/threatbench.conf   # content below"
                    .into(),
                "systemctl daemon-reload && systemctl restart docker".into(),
            ];
            change.diff = Some(d);
        }
        change.notes = notes;
        side.push("restarting dockerd stops containers unless live-restore is on".into());
        return Proposal {
            effort: Effort::Restart,
            change,
            side_effects: side,
            verification,
        };
    }
    let facts_text = facts
        .host
        .file_text(&daemon.config_path)
        .seen()
        .map(|s| s.to_string());
    let (original, diff, blocked) = match daemon_json::current_text(daemon, facts_text.as_deref()) {
        Ok(original) => match daemon_json::merge(original.as_deref(), &edits) {
            Ok(new) => {
                let diff = daemon_json::unified_diff(
                    &daemon.config_path,
                    original.as_deref().unwrap_or(""),
                    &new,
                );
                (original, Some(diff), blocked)
            }
            Err(e) => (original, None, Some(format!("{}: {e}", daemon.config_path))),
        },
        Err(e) => (None, None, Some(e)),
    };
    if !daemon.conflicts.is_empty() {
        notes.push(format!(
            "already set both as flags and in {}: {} (dockerd will refuse to start until one is removed)",
            daemon.config_path,
            daemon.conflicts.join(", ")
        ));
    }
    let actions = if blocked.is_none() {
        vec![Action::DaemonJson {
            path: daemon.config_path.clone(),
            original,
            edits: edits.clone(),
        }]
    } else {
        vec![]
    };
    let reload_cmd = if reloadable {
        "systemctl reload docker   # or: kill -HUP $(pidof dockerd)"
    } else {
        "systemctl restart docker"
    };
    Proposal {
        effort,
        change: Change {
            kind: ChangeKind::DaemonJson,
            summary: format!("set in {}: {summary}", daemon.config_path),
            commands: vec![reload_cmd.into()],
            diff,
            activation: Some(activation),
            actions,
            blocked,
            notes,
        },
        side_effects: side,
        verification,
    }
}

fn failing_containers<'a>(
    facts: &'a Facts,
    result: &CheckResult,
) -> Vec<&'a bollard::models::ContainerInspectResponse> {
    let Some(docker) = facts.docker.seen() else {
        return vec![];
    };
    result
        .outcome
        .objects
        .iter()
        .filter(|o| o.verdict == Verdict::Fail)
        .filter_map(|o| {
            docker.containers.iter().find(|c| {
                let v = ContainerView::new(c);
                o.id.as_deref().is_some_and(|id| v.id().starts_with(id)) && v.name() == o.name
            })
        })
        .collect()
}

fn update_proposal(
    facts: &Facts,
    result: &CheckResult,
    values: UpdateValues,
    side_effects: &[&str],
    verification: String,
) -> Proposal {
    let containers = failing_containers(facts, result);
    let mut commands = Vec::new();
    let mut actions = Vec::new();
    for c in &containers {
        let v = ContainerView::new(c);
        commands.push(values.command(v.name()));
        actions.push(Action::DockerUpdate {
            id: v.id().to_string(),
            name: v.name().to_string(),
            values: values.clone(),
        });
    }
    let blocked = containers
        .is_empty()
        .then(|| "no failing container found in the facts".to_string());
    Proposal {
        effort: Effort::Live,
        change: Change {
            kind: ChangeKind::DockerUpdate,
            summary: format!(
                "docker update on {} container(s), through the Engine API",
                containers.len()
            ),
            commands,
            diff: None,
            activation: Some("immediate: no restart of the container".into()),
            actions,
            blocked,
            notes: vec![],
        },
        side_effects: side_effects.iter().map(|s| s.to_string()).collect(),
        verification,
    }
}

fn recreate_proposal(
    facts: &Facts,
    result: &CheckResult,
    fix: Recreate,
    side_effect: &str,
    verification: String,
) -> Proposal {
    let mut commands = Vec::new();
    let mut notes = Vec::new();
    if let Some(docker) = facts.docker.seen() {
        for c in failing_containers(facts, result) {
            let mut spec = containers::run_spec(docker, c);
            let changed = containers::apply_fix(&mut spec, fix);
            let name = spec.name.clone();
            commands.extend(spec.recreate_commands());
            if !changed.is_empty() {
                notes.push(format!(
                    "{}: {}",
                    crate::report::sanitize::terminal(&name),
                    changed.join("; ")
                ));
            }
            for n in spec.notes {
                notes.push(format!("{}: {n}", crate::report::sanitize::terminal(&name)));
            }
        }
    }
    Proposal {
        effort: Effort::Recreate,
        change: Change {
            kind: ChangeKind::DockerRecreate,
            summary: "re-create the container(s) with corrected docker run options (not applied automatically)".into(),
            commands,
            diff: None,
            activation: Some("when the new container starts".into()),
            actions: vec![],
            blocked: None,
            notes,
        },
        side_effects: vec![
            side_effect.to_string(),
            "the container is replaced: files in its writable layer (outside volumes) are lost and its IP address changes".into(),
        ],
        verification,
    }
}

fn file_proposal(
    facts: &Facts,
    daemon: &DaemonConfig,
    result: &CheckResult,
    rule: &files::FileRule,
    verification: String,
) -> Proposal {
    let fallback = rule
        .slug
        .starts_with("file-daemon-json")
        .then_some(daemon.config_path.as_str());
    let paths = files::target_paths(rule, &result.outcome.objects, fallback);
    let mut actions = Vec::new();
    let mut commands = Vec::new();
    let mut notes = Vec::new();
    let group = crate::facts::docker_host::docker_group(daemon).name;
    for p in &paths {
        match files::change_for(facts, rule, p, &group) {
            Ok(Some(c)) => {
                commands.extend(c.commands());
                if let Some(seen) = &c.seen {
                    notes.push(format!("{p}: now {seen}"));
                }
                actions.push(Action::File(c));
            }
            Ok(None) => notes.push(format!("{p}: already within the rule")),
            Err(e) => notes.push(format!("{p}: {e}")),
        }
    }
    let blocked = actions
        .is_empty()
        .then(|| "no file to change could be determined from the evidence".to_string());
    let mut side = Vec::new();
    if rule.max_mode.is_some() {
        side.push("users other than the owner (and group, where allowed) lose the access the tighter mode removes".into());
    }
    if rule.owner.is_some() {
        side.push("the previous owner loses owner rights on the file".into());
    }
    Proposal {
        effort: Effort::Live,
        change: Change {
            kind: ChangeKind::FilePermissions,
            summary: format!("chmod/chown {} file(s)", actions.len()),
            commands,
            diff: None,
            activation: Some("immediate".into()),
            actions,
            blocked,
            notes,
        },
        side_effects: side,
        verification,
    }
}

fn audit_proposal(
    facts: &Facts,
    result: &CheckResult,
    path: String,
    verification: String,
) -> Proposal {
    let mut paths: Vec<String> = result
        .outcome
        .objects
        .iter()
        .filter(|o| o.verdict == Verdict::Fail && o.name.starts_with('/'))
        .map(|o| o.name.clone())
        .collect();
    if paths.is_empty() {
        paths.push(path);
    }
    let existing = facts
        .host
        .file_text(audit::RULES_FILE)
        .seen()
        .map(|s| s.to_string());
    let new = audit::merged_rules(existing.as_deref(), &paths);
    let diff =
        daemon_json::unified_diff(audit::RULES_FILE, existing.as_deref().unwrap_or(""), &new);
    // The rules only take effect where auditd runs.
    let state = crate::facts::audit::AuditState::from_host(&facts.host);
    let (effort, blocked, activation) = match (&state.installed, &state.running) {
        (None, _) => (
            Effort::Manual,
            Some("auditd is not installed: install it first (e.g. `apt-get install auditd`); the rules file is loaded when it starts".to_string()),
            "after auditd is installed and started".to_string(),
        ),
        (Some(_), Ok(Some(_))) => (
            Effort::Live,
            None,
            "after `augenrules --load` (threatbench writes the file, it does not load it)".to_string(),
        ),
        (Some(bin), _) => (
            Effort::Restart,
            None,
            format!("when auditd ({bin}) starts: it is not running now"),
        ),
    };
    Proposal {
        effort,
        change: Change {
            kind: ChangeKind::AuditRules,
            summary: format!("watch {} in {}", paths.join(", "), audit::RULES_FILE),
            commands: vec!["augenrules --load".into()],
            diff: Some(diff),
            activation: Some(activation),
            actions: vec![Action::AuditRules { paths }],
            blocked,
            notes: vec![],
        },
        side_effects: vec!["auditd records every write and attribute change to the watched paths: log volume grows with Docker activity".into()],
        verification,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::Outcome;
    use crate::facts::FileFact;

    /// A host whose dockerd (default socket) runs with `flags` and reads `daemon_json`.
    fn facts(flags: &str, daemon_json: &str) -> Facts {
        let argv: Vec<String> = std::iter::once("dockerd")
            .chain(flags.split_whitespace())
            .map(str::to_string)
            .collect();
        let mut facts: Facts = serde_json::from_value(serde_json::json!({
            "schema": "threatbench/facts/v1", "tool_version": "0", "collected_at": "now",
            "host": {"root": "/", "hostname": "h", "processes": {"seen": [
                {"pid": 42, "exe": "/usr/sbin/dockerd", "argv": argv}
            ]}},
            "docker": {"unavailable": {"kind": "unreachable", "reason": "test"}},
            "scanner_env": {"docker_host": "unix:///var/run/docker.sock"}
        }))
        .unwrap();
        facts.host.files.insert(
            "/etc/docker/daemon.json".into(),
            FileFact::text_file(daemon_json),
        );
        facts
    }

    fn failed(slug: &str) -> CheckResult {
        CheckResult {
            check: crate::checks::find(slug).unwrap(),
            outcome: Outcome::fail("seen"),
        }
    }

    #[test]
    fn an_option_given_as_a_flag_gets_a_systemd_drop_in_not_a_daemon_json_edit() {
        let facts = facts(
            "-H fd:// --userland-proxy=true",
            "{\n  \"debug\": false\n}\n",
        );
        let daemon = DaemonConfig::from_facts(&facts);
        let p = propose(
            &facts,
            &daemon,
            &failed("daemon-userland-proxy-disabled"),
            &Limits::default(),
        );
        assert_eq!(p.change.kind, ChangeKind::SystemdDropIn);
        assert!(p.change.actions.is_empty(), "nothing may be applied");
        let blocked = p.change.blocked.unwrap();
        assert!(
            blocked.contains("`userland-proxy` (flag `--userland-proxy=true`)"),
            "{blocked}"
        );
        assert!(blocked.contains("refuse to start"), "{blocked}");
        let dropin = p.change.diff.unwrap();
        assert!(
            dropin.contains("ExecStart=dockerd -H fd:// --userland-proxy=false\n"),
            "{dropin}"
        );
    }

    #[test]
    fn a_file_option_gets_a_diff_and_says_how_it_takes_effect() {
        let facts = facts("-H fd://", "{\n  \"debug\": false\n}\n");
        let daemon = DaemonConfig::from_facts(&facts);
        let p = propose(
            &facts,
            &daemon,
            &failed("daemon-live-restore"),
            &Limits::default(),
        );
        assert_eq!(p.change.kind, ChangeKind::DaemonJson);
        assert_eq!(p.effort, Effort::Reload);
        let diff = p.change.diff.unwrap();
        assert!(diff.contains("+  \"live-restore\": true\n"), "{diff}");
        assert!(p.change.activation.unwrap().contains("SIGHUP"));
        let p = propose(
            &facts,
            &daemon,
            &failed("daemon-no-new-privileges"),
            &Limits::default(),
        );
        assert_eq!(p.effort, Effort::Restart);
        assert!(p.change.activation.unwrap().contains("restart"));
        assert_eq!(p.change.actions.len(), 1);
    }

    #[test]
    fn icc_is_blocked_while_iptables_is_off() {
        let facts = facts("-H fd:// --iptables=false", "{}");
        let daemon = DaemonConfig::from_facts(&facts);
        let p = propose(
            &facts,
            &daemon,
            &failed("daemon-icc-disabled"),
            &Limits::default(),
        );
        assert!(p.change.blocked.unwrap().contains("iptables"));
        assert!(p.change.actions.is_empty());
    }

    #[test]
    fn keys_already_set_both_ways_are_reported() {
        let facts = facts("-H fd:// --icc=false", "{\"icc\": false}");
        let results = [failed("daemon-live-restore")];
        let assessment = crate::threats::assess(&facts, &results, None);
        let plan = crate::harden::plan::build(&facts, &results, &assessment, &Default::default());
        assert!(
            plan.notes
                .iter()
                .any(|n| n.contains("both set icc") && n.contains("refuse to start")),
            "{:?}",
            plan.notes
        );
    }

    #[test]
    fn invalid_daemon_json_blocks_the_edit_with_the_reason() {
        let facts = facts("-H fd://", "{\"icc\": tru");
        let daemon = DaemonConfig::from_facts(&facts);
        let p = propose(
            &facts,
            &daemon,
            &failed("daemon-live-restore"),
            &Limits::default(),
        );
        assert!(p.change.blocked.unwrap().contains("not valid"));
    }
}
