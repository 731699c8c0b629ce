//! Section 1: Host configuration. The Docker data root's partition (from the mount table), the
//! docker group's members, audit rules for Docker's files (loaded rules from `auditctl -l` on a
//! live host, else the rules files, with auditd's state), and two review items.

use super::{V131, V160};
use crate::checks::{
    Assessment::*, Check, Component, Context, Doc, Evaluate, Level::*, Outcome, Severity::*,
};
use crate::facts::audit::{self, AuditState, Coverage, RuleLine, RuleSet};
use crate::facts::docker_host::{self as paths, Located, Lookup};
use crate::facts::mountinfo::{self, MountEntry};
use crate::facts::systemd::UNIT_SEARCH_PATH;
use crate::facts::{Observed, UnavailableKind};

macro_rules! audit_check {
    ($slug:literal, $id:literal, $title:literal, $level:ident, $assess:ident, $sev:ident,
     $component:ident, $path:literal, $eval:expr, why: $why:literal) => {
        Check {
            slug: $slug,
            ids: &[(V160, $id), (V131, $id)],
            title: $title,
            level: $level,
            assessment: $assess,
            severity: $sev,
            component: Component::$component,
            doc: Doc {
                what: concat!(
                    "An audit rule that is loaded, or that auditd loads when it starts, records writes and attribute changes to ",
                    $path,
                    ". Skipped when the path does not exist on the host."
                ),
                why: $why,
                evidence: concat!(
                    "The first matching rule (`-w`, `-a always,exit` with `-F path=`/`-F dir=`; a `never` rule first suppresses) in `auditctl -l` on a live scan while auditd runs, else in /etc/audit/rules.d/*.rules and /etc/audit/audit.rules; ",
                    "whether auditd is installed, enabled at boot and running (rules files with no auditd to load them do not count); the path and how it was found."
                ),
                remediation: concat!(
                    "Add `-w ",
                    $path,
                    " -p rwxa -k docker` to /etc/audit/rules.d/docker.rules, run `augenrules --load`, and make sure auditd is installed, enabled and running."
                ),
                references: "auditctl(8), audit.rules(7)",
            },
            evaluate: Evaluate::Context($eval),
        }
    };
}

pub const CHECKS: &[Check] = &[
    Check {
        slug: "host-docker-partition",
        ids: &[(V160, "1.1.1"), (V131, "1.1.1")],
        title: "Docker data root on its own partition",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::DockerHost,
        doc: Doc {
            what: "The Docker root directory (DockerRootDir, normally /var/lib/docker) lives on a file system other than the one mounted at /.",
            why: "Images, containers and volumes grow without bound; on the root file system a runaway container can fill it and stop the host (denial of service).",
            evidence: "The root directory (from `docker info`, else data-root in the effective configuration) and the mount that holds it in the mount table (/proc/<dockerd pid>/mountinfo, /proc/1/mountinfo or /proc/self/mountinfo): its device, source and mounted subtree. A bind mount of a directory of / onto itself (what `mountpoint` counts as a mount, as dockerd makes of its root) is not a separate partition.",
            remediation: "Create a dedicated partition or logical volume, stop Docker, move the data root onto it, mount it at the data root (/etc/fstab) and start Docker.",
            references: "",
        },
        evaluate: Evaluate::Context(partition),
    },
    Check {
        slug: "host-docker-group-trusted-users",
        ids: &[(V160, "1.1.2"), (V131, "1.1.2")],
        title: "Only trusted users can drive the daemon",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::DockerHost,
        doc: Doc {
            what: "Lists the members of the group that owns the Docker socket (`docker`, or dockerd's `group` setting), for a person to confirm each one is trusted.",
            why: "Members of the docker group can start a privileged container and so control the host as root (elevation of privilege).",
            evidence: "Members from the host's /etc/group (supplementary) and /etc/passwd (primary group); whether /etc/nsswitch.conf adds other group sources (LDAP, SSSD) whose members cannot be listed from files.",
            remediation: "Remove users who do not need root-equivalent access: `gpasswd -d <user> docker`.",
            references: "https://docs.docker.com/engine/security/#docker-daemon-attack-surface",
        },
        evaluate: Evaluate::Context(docker_group),
    },
    audit_check!("audit-rule-dockerd", "1.1.3", "auditd watches the dockerd binary", One, Automated,
        Medium, DockerDaemon, "the dockerd executable (/usr/bin/dockerd, or the running daemon's)",
        |ctx| audit_rule(ctx, Lookup::Found(paths::dockerd_binary(&ctx.daemon)), true),
        why: "Replacing or changing the daemon binary is the most direct way to own every container; without a record it cannot be traced (repudiation)."),
    audit_check!("audit-rule-run-containerd", "1.1.4", "auditd watches /run/containerd", One,
        Automated, Low, Containerd, "/run/containerd",
        |ctx| audit_rule(ctx, fixed("/run/containerd"), false),
        why: "/run/containerd holds containerd's sockets and runtime state; changes there affect every container."),
    audit_check!("audit-rule-var-lib-docker", "1.1.5", "auditd watches /var/lib/docker", One,
        Manual, Low, DockerDaemon, "the Docker root directory (/var/lib/docker, or DockerRootDir)",
        |ctx| audit_rule(ctx, root_dir(ctx), false),
        why: "The data root holds images, container file systems and volumes; unrecorded changes there are tampering nobody can trace."),
    audit_check!("audit-rule-etc-docker", "1.1.6", "auditd watches /etc/docker", One, Automated,
        Medium, DockerDaemon, "/etc/docker",
        |ctx| audit_rule(ctx, fixed("/etc/docker"), false),
        why: "/etc/docker holds daemon.json, TLS keys and registry certificates: changes there reconfigure the daemon."),
    audit_check!("audit-rule-docker-service", "1.1.7", "auditd watches the docker.service unit",
        Two, Automated, Low, DockerDaemon, "the docker.service unit file systemd loads",
        |ctx| audit_rule(ctx, unit_path(ctx, "docker.service"), false),
        why: "The unit decides dockerd's command line; an unrecorded edit can open the daemon at the next start."),
    audit_check!("audit-rule-containerd-sock", "1.1.8", "auditd watches containerd.sock", Two,
        Automated, Low, Containerd, "the containerd socket dockerd uses (/run/containerd/containerd.sock by default)",
        |ctx| audit_rule(ctx, Lookup::Found(paths::containerd_socket(ctx.facts, &ctx.daemon)), false),
        why: "containerd's socket gives full control of containers; changes to it should leave a record."),
    audit_check!("audit-rule-docker-socket", "1.1.9", "auditd watches the docker.socket unit",
        Two, Automated, Low, DockerDaemon, "the docker.socket unit file systemd loads",
        |ctx| audit_rule(ctx, unit_path(ctx, "docker.socket"), false),
        why: "docker.socket sets who may reach the API socket; an unrecorded edit can open it to everyone."),
    audit_check!("audit-rule-etc-default-docker", "1.1.10", "auditd watches /etc/default/docker",
        Two, Automated, Low, DockerDaemon, "/etc/default/docker",
        |ctx| audit_rule(ctx, fixed("/etc/default/docker"), false),
        why: "Its variables can reach dockerd's command line."),
    audit_check!("audit-rule-daemon-json", "1.1.11", "auditd watches daemon.json", Two,
        Automated, Medium, DockerDaemon, "the daemon.json dockerd reads (--config-file, default /etc/docker/daemon.json)",
        |ctx| audit_rule(ctx, Lookup::Found(Located { path: ctx.daemon.config_path.clone(), origin: "daemon.json dockerd reads".into() }), false),
        why: "daemon.json sets every daemon option; unrecorded edits are unattributable reconfiguration."),
    audit_check!("audit-rule-containerd-config", "1.1.12", "auditd watches the containerd config",
        Two, Automated, Low, Containerd, "containerd's configuration file (/etc/containerd/config.toml, or its --config)",
        |ctx| audit_rule(ctx, Lookup::Found(paths::containerd_config(&ctx.facts.host)), false),
        why: "containerd's configuration sets runtimes and plugins for every container."),
    audit_check!("audit-rule-etc-sysconfig-docker", "1.1.13", "auditd watches /etc/sysconfig/docker",
        Two, Automated, Low, DockerDaemon, "/etc/sysconfig/docker",
        |ctx| audit_rule(ctx, fixed("/etc/sysconfig/docker"), false),
        why: "Its variables can reach dockerd's command line."),
    audit_check!("audit-rule-containerd-bin", "1.1.14", "auditd watches the containerd binary",
        Two, Automated, Low, Containerd, "the containerd executable (/usr/bin/containerd, or the running one's)",
        |ctx| audit_rule(ctx, Lookup::Found(paths::containerd_binary(&ctx.facts.host)), false),
        why: "A replaced containerd runs every container; the change should leave a record."),
    audit_check!("audit-rule-containerd-shim", "1.1.15", "auditd watches containerd-shim", Two,
        Manual, Low, Containerd, "/usr/bin/containerd-shim",
        |ctx| audit_rule(ctx, fixed("/usr/bin/containerd-shim"), false),
        why: "The shim supervises each container process; a replaced shim sees and controls them."),
    audit_check!("audit-rule-containerd-shim-runc-v1", "1.1.16",
        "auditd watches containerd-shim-runc-v1", Two, Manual, Low, Containerd,
        "/usr/bin/containerd-shim-runc-v1",
        |ctx| audit_rule(ctx, fixed("/usr/bin/containerd-shim-runc-v1"), false),
        why: "The shim supervises each container process; a replaced shim sees and controls them."),
    audit_check!("audit-rule-containerd-shim-runc-v2", "1.1.17",
        "auditd watches containerd-shim-runc-v2", Two, Manual, Low, Containerd,
        "/usr/bin/containerd-shim-runc-v2",
        |ctx| audit_rule(ctx, fixed("/usr/bin/containerd-shim-runc-v2"), false),
        why: "The shim supervises each container process; a replaced shim sees and controls them."),
    audit_check!("audit-rule-runc", "1.1.18", "auditd watches the runc binary", Two, Manual, Low,
        Containerd, "/usr/bin/runc",
        |ctx| audit_rule(ctx, fixed("/usr/bin/runc"), false),
        why: "runc creates every container's namespaces and cgroups; a replaced runc is a host-wide compromise (it was the target of CVE-2019-5736)."),
    Check {
        slug: "host-hardened",
        ids: &[(V160, "1.2.1"), (V131, "1.2.1")],
        title: "Container host OS is hardened",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::DockerHost,
        doc: Doc {
            what: "A review item: the host operating system follows a hardening baseline. threatbench shows the OS release and kernel for the reviewer.",
            why: "Containers share the host kernel; a weak host undoes every container control (tampering, elevation of privilege).",
            evidence: "PRETTY_NAME from os-release and the kernel from /proc/version (or docker info).",
            remediation: "Harden the host against a baseline such as the CIS benchmark for its distribution; keep the kernel patched.",
            references: "https://www.cisecurity.org/cis-benchmarks",
        },
        evaluate: Evaluate::Context(host_hardened),
    },
    Check {
        slug: "host-docker-up-to-date",
        ids: &[(V160, "1.2.2"), (V131, "1.2.2")],
        title: "Docker Engine is kept patched",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::DockerHost,
        doc: Doc {
            what: "A review item: the running Docker Engine is a current, supported release. threatbench shows the version; it works offline and cannot know the newest release.",
            why: "Old engines carry known, exploitable flaws (container escapes such as CVE-2019-5736, CVE-2024-21626).",
            evidence: "Server version, API version, build time and Go version from `docker version`.",
            remediation: "Compare with the release notes and upgrade the engine packages (docker-ce/docker.io, containerd, runc).",
            references: "https://docs.docker.com/engine/release-notes/",
        },
        evaluate: Evaluate::Context(docker_up_to_date),
    },
];

fn fixed(path: &str) -> Lookup {
    Lookup::Found(Located {
        path: path.to_string(),
        origin: String::new(),
    })
}

/// The Docker root dir; the benchmark's /var/lib/docker when it cannot be determined.
fn root_dir(ctx: &Context) -> Lookup {
    match paths::docker_root_dir(ctx.facts, &ctx.daemon) {
        Lookup::Unknown(why) => Lookup::Found(Located {
            path: paths::DEFAULT_DATA_ROOT.into(),
            origin: format!("benchmark default path; {why}"),
        }),
        other => other,
    }
}

/// The unit file systemd loads for `name`.
fn unit_path(ctx: &Context, name: &str) -> Lookup {
    let unit = paths::unit(&ctx.facts.host, name);
    match unit.fragment {
        Some(path) => Lookup::Found(Located {
            path,
            origin: "unit file systemd loads: first in search-path order".into(),
        }),
        None if !unit.unreadable.is_empty() => Lookup::Unknown(format!(
            "{name} not found, and part of the search path could not be read: {}",
            unit.unreadable.join("; ")
        )),
        None => Lookup::Absent(format!(
            "{name} not found in the systemd search path ({})",
            UNIT_SEARCH_PATH.join(", ")
        )),
    }
}

fn partition(ctx: &Context) -> Outcome {
    let root = match paths::docker_root_dir(ctx.facts, &ctx.daemon) {
        Lookup::Found(l) => l,
        Lookup::Absent(why) => return Outcome::skip(why),
        Lookup::Unknown(why) => return Outcome::error(why),
    };
    let host = &ctx.facts.host;
    let mut candidates: Vec<String> = Vec::new();
    if let Some(p) = &ctx.daemon.process {
        candidates.push(format!("/proc/{}/mountinfo", p.pid));
    }
    candidates.extend(["/proc/1/mountinfo".into(), "/proc/self/mountinfo".into()]);
    let mut failures: Vec<String> = Vec::new();
    let Some((source, text)) = candidates
        .iter()
        .find_map(|path| match host.file_text(path) {
            Observed::Seen(text) => Some((path.clone(), text)),
            Observed::Unavailable(u) => {
                if u.kind != UnavailableKind::NotCollected {
                    failures.push(u.reason);
                }
                None
            }
        })
    else {
        return Outcome::error(format!(
            "mount table unavailable ({}): cannot tell which file system holds {}",
            if failures.is_empty() {
                "not collected".to_string()
            } else {
                failures.join("; ")
            },
            root.path
        ));
    };
    let mounts = match mountinfo::parse(text) {
        Ok(m) => m,
        Err(e) => return Outcome::error(format!("{source}: {e}")),
    };
    let (Some(holder), Some(slash)) = (
        mountinfo::covering(&mounts, &root.path),
        mountinfo::covering(&mounts, "/"),
    ) else {
        return Outcome::error(format!("{source}: no mount holds / or {}", root.path));
    };
    let subject = format!("{} ({})", root.path, root.origin);
    if holder.mount_point == "/" {
        return Outcome::fail(format!(
            "{subject} is on the root file system: {} ({source})",
            describe(holder, &mounts)
        ));
    }
    if holder.device == slash.device {
        let how = if holder.is_subtree() {
            format!(
                "a bind mount of {} from the root file system's device",
                holder.root
            )
        } else {
            "the root file system's device mounted again".to_string()
        };
        return Outcome::fail(format!(
            "{subject}: the mount at {} is {how} ({}), not a separate partition; / is {} ({source})",
            holder.mount_point,
            describe(holder, &mounts),
            describe(slash, &mounts)
        ));
    }
    Outcome::pass(format!(
        "{subject} is on a file system other than /'s: the mount at {} is {}; / is {} ({source})",
        holder.mount_point,
        describe(holder, &mounts),
        describe(slash, &mounts)
    ))
}

/// `xfs /dev/sdb1 device 8:17`, and for a bind mount which subtree of which mounted file system.
fn describe(m: &MountEntry, mounts: &[MountEntry]) -> String {
    let base = format!("{} {} device {}", m.fstype, m.source, m.device);
    if !m.is_subtree() {
        return base;
    }
    // Where the whole file system is mounted, if it is: e.g. /tmp for a bind of a dir in /tmp.
    let whole = mounts
        .iter()
        .find(|o| o.device == m.device && !o.is_subtree() && o.mount_point != m.mount_point);
    match whole {
        Some(o) => format!(
            "{base}, subtree {} of the file system mounted at {}",
            m.root, o.mount_point
        ),
        None => format!("{base}, subtree {}", m.root),
    }
}

fn docker_group(ctx: &Context) -> Outcome {
    let host = &ctx.facts.host;
    let docker_group = paths::docker_group(&ctx.daemon);
    let (group, origin) = (&docker_group.name, &docker_group.origin);
    let group_text = match host.file_text("/etc/group") {
        Observed::Seen(t) => t,
        Observed::Unavailable(u) => return Outcome::error(u.reason),
    };
    let nss_note = nss_group_sources(ctx)
        .map(|s| {
            format!(
                "; /etc/nsswitch.conf also takes groups from {s}: members from there are not listed"
            )
        })
        .unwrap_or_default();
    let Some((gid, mut members)) = group_text.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        (f.len() >= 4 && f[0] == group.as_str()).then(|| {
            (
                f[2].to_string(),
                f[3].split(',')
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<String>>(),
            )
        })
    }) else {
        let text = format!("group `{group}` ({origin}) is not in /etc/group{nss_note}");
        return if nss_note.is_empty() && docker_group.known {
            Outcome::pass(format!("{text}: only root can use the daemon socket"))
        } else {
            Outcome::warn(text)
        };
    };
    // Users whose primary group it is are members too, though /etc/group does not list them.
    if let Observed::Seen(passwd) = host.file_text("/etc/passwd") {
        for line in passwd.lines() {
            let f: Vec<&str> = line.split(':').collect();
            if f.len() >= 4 && f[3] == gid && !members.iter().any(|m| m == f[0]) {
                members.push(format!("{} (primary group)", f[0]));
            }
        }
    }
    if members.is_empty() {
        let text = format!("group `{group}` (gid {gid}, {origin}) has no members{nss_note}");
        return if nss_note.is_empty() && docker_group.known {
            Outcome::pass(format!("{text}: only root can use the daemon socket"))
        } else {
            Outcome::warn(text)
        };
    }
    Outcome::warn(format!(
        "{} member(s) of `{group}` (gid {gid}, {origin}), each root-equivalent: {}; confirm each is trusted{nss_note}",
        members.len(),
        members.join(", ")
    ))
}

/// Group sources in nsswitch.conf beyond local files (`ldap`, `sss`, ...), if any.
fn nss_group_sources(ctx: &Context) -> Option<String> {
    let text = ctx.facts.host.file_text("/etc/nsswitch.conf");
    let text = text.seen()?;
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("group:"))?;
    let remote: Vec<&str> = line["group:".len()..]
        .split_whitespace()
        .filter(|s| !s.starts_with('['))
        .filter(|s| !matches!(*s, "files" | "compat" | "systemd" | "db" | "altfiles"))
        .collect();
    (!remote.is_empty()).then(|| remote.join(", "))
}

/// How one path is covered by audit rules, given the state of auditd on the host.
fn audit_rule(ctx: &Context, lookup: Lookup, must_exist: bool) -> Outcome {
    let target = match lookup {
        Lookup::Found(l) => l,
        Lookup::Absent(why) => return Outcome::skip(why),
        Lookup::Unknown(why) => return Outcome::error(why),
    };
    let subject = if target.origin.is_empty() {
        target.path.clone()
    } else {
        format!("{} ({})", target.path, target.origin)
    };
    if !must_exist
        && let Observed::Unavailable(u) = ctx.facts.host.file(&target.path)
        && u.kind == UnavailableKind::NotFound
    {
        return Outcome::skip(format!("{subject} does not exist on this host"));
    }
    let state = AuditState::from_host(&ctx.facts.host);
    let path = target.path.as_str();
    let in_files = |state: &AuditState| -> Result<String, String> {
        let sets = state.files.as_ref().map_err(Clone::clone)?;
        Ok(match audit::best_coverage(sets, path) {
            (Coverage::Recorded(line), Some(_)) => quote(line),
            _ => String::new(),
        })
    };
    match &state.running {
        Ok(Some(pid)) => {
            let running = format!("auditd running (pid {pid})");
            match &state.loaded {
                Some(Ok(loaded)) => {
                    let note = match in_files(&state) {
                        Ok(s) if !s.is_empty() => {
                            format!(
                                "; the rules files have {s} but it is not loaded (run `augenrules --load`)"
                            )
                        }
                        _ => String::new(),
                    };
                    judge_coverage(
                        std::slice::from_ref(loaded),
                        path,
                        &subject,
                        &running,
                        &note,
                    )
                }
                not_read => {
                    let why = match not_read {
                        Some(Err(e)) => e.clone(),
                        _ => "not collected (only a live scan of / runs `auditctl -l`)".into(),
                    };
                    match &state.files {
                        Err(e) => Outcome::error(format!(
                            "{running}; loaded rules: {why}; rules files: {e}"
                        )),
                        Ok(sets) => judge_coverage(
                            sets,
                            path,
                            &subject,
                            &format!(
                                "{running}; loaded rules not read: {why}; judged from the rules files auditd loads when it starts"
                            ),
                            "",
                        ),
                    }
                }
            }
        }
        not_running => {
            let stale = match in_files(&state) {
                Ok(s) if !s.is_empty() => {
                    format!("; the rules files have {s}, but nothing loads it")
                }
                Ok(_) => String::new(),
                Err(e) => format!("; rules files: {e}"),
            };
            let Some(binary) = &state.installed else {
                return Outcome::fail(format!(
                    "auditd is not installed ({} absent): no audit rule is in force for {subject}{stale}",
                    audit::AUDITD_BINARIES.join(", ")
                ));
            };
            match not_running {
                Ok(_) => Outcome::fail(format!(
                    "auditd is installed ({binary}) but not running: no audit rule is in force for {subject}{stale}"
                )),
                Err(why) => match (&state.enabled, &state.files) {
                    (_, Err(e)) => Outcome::error(format!(
                        "process list unavailable ({why}); rules files: {e}"
                    )),
                    (Some(link), Ok(sets)) => judge_coverage(
                        sets,
                        path,
                        &subject,
                        &format!(
                            "auditd installed ({binary}) and enabled at boot ({link}); process list unavailable ({why})"
                        ),
                        "",
                    ),
                    (None, Ok(sets)) => match audit::best_coverage(sets, path) {
                        (Coverage::Recorded(line), Some(_)) => Outcome::error(format!(
                            "{} covers {subject}, but whether auditd runs is unknown ({why}) and it is not enabled at boot",
                            quote(line)
                        )),
                        _ => judge_coverage(
                            sets,
                            path,
                            &subject,
                            &format!("auditd installed ({binary}), not enabled at boot"),
                            "",
                        ),
                    },
                },
            }
        }
    }
}

/// Verdict from the strongest coverage among `sets`, with the context of auditd's state.
fn judge_coverage(sets: &[RuleSet], path: &str, subject: &str, state: &str, note: &str) -> Outcome {
    let sources = if sets.is_empty() {
        "no rules files".to_string()
    } else {
        sets.iter()
            .map(|s| format!("{} ({} rules)", s.source, s.lines.len()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match audit::best_coverage(sets, path) {
        (Coverage::Recorded(line), Some(_)) => {
            Outcome::pass(format!("{} covers {subject}; {state}", quote(line)))
        }
        (Coverage::Weak(line, perms), Some(_)) => Outcome::fail(format!(
            "{} covers {subject} but records only `{perms}`: writes and attribute changes (-p wa) go unrecorded; {state}{note}",
            quote(line)
        )),
        (Coverage::Suppressed(line), Some(_)) => Outcome::fail(format!(
            "{} is the first rule matching {subject} and suppresses its auditing; {state}{note}",
            quote(line)
        )),
        _ => {
            // A rule for the path that auditctl rejects is worth naming: it looks present.
            let rejected = sets
                .iter()
                .flat_map(|s| s.invalid())
                .find(|l| l.text.split_whitespace().any(|t| t.contains(path)))
                .map(|l| match &l.rule {
                    audit::Rule::Invalid(why) => {
                        format!(
                            "; {} mentions it but auditctl rejects that line ({why})",
                            quote(l)
                        )
                    }
                    _ => String::new(),
                })
                .unwrap_or_default();
            Outcome::fail(format!(
                "no audit rule covers {subject} in {sources}{rejected}; {state}{note}"
            ))
        }
    }
}

fn quote(line: &RuleLine) -> String {
    format!("`{}` ({} line {})", line.text, line.source, line.line)
}

fn host_hardened(ctx: &Context) -> Outcome {
    let host = &ctx.facts.host;
    let os = ["/etc/os-release", "/usr/lib/os-release"]
        .iter()
        .find_map(|p| {
            let text = host.file_text(p);
            let text = text.seen()?;
            text.lines().find_map(|l| {
                l.strip_prefix("PRETTY_NAME=")
                    .map(|v| format!("{} ({p})", v.trim_matches('"')))
            })
        });
    let api = ctx.facts.docker.seen().map(|d| &d.info);
    let os = os.or_else(|| {
        api.and_then(|i| i.operating_system.clone())
            .map(|o| format!("{o} (docker info)"))
    });
    let kernel = match host.file_text("/proc/version") {
        Observed::Seen(v) => Some(format!(
            "{} (/proc/version)",
            v.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
        )),
        Observed::Unavailable(_) => api
            .and_then(|i| i.kernel_version.clone())
            .map(|k| format!("kernel {k} (docker info)")),
    };
    Outcome::warn(format!(
        "review the host against a hardening baseline: OS {}; {}",
        os.unwrap_or_else(|| "unknown (no os-release)".into()),
        kernel.unwrap_or_else(|| "kernel unknown (no /proc/version)".into())
    ))
}

fn docker_up_to_date(ctx: &Context) -> Outcome {
    let d = match super::docker(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let v = &d.version;
    let Some(version) = v.version.as_deref() else {
        return Outcome::error("docker version reports no server version");
    };
    let mut details: Vec<String> = Vec::new();
    if let Some(api) = &v.api_version {
        details.push(format!("API {api}"));
    }
    if let Some(built) = &v.build_time {
        details.push(format!("built {built}"));
    }
    if let Some(go) = &v.go_version {
        details.push(go.clone());
    }
    Outcome::warn(format!(
        "Docker Engine {version} ({}) from docker version; threatbench works offline and cannot know the newest release: compare with https://docs.docker.com/engine/release-notes/",
        details.join(", ")
    ))
}
