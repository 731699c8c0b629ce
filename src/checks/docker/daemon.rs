//! Section 2: Docker daemon configuration. Settings come from the effective configuration
//! (dockerd flags merged with daemon.json, see `facts::daemon_config`) and, where the API reports
//! the running value, from `docker info`.

use serde_json::Value;

use super::{V131, V160, V180, docker};
use crate::checks::{
    Assessment::*, Check, Component, Context, Doc, Evaluate, Level::*, Outcome, Severity::*,
    Verdict,
};
use crate::facts::daemon_config::{ConfigFile, Setting};

pub const CHECKS: &[Check] = &[
    Check {
        slug: "daemon-rootless",
        ids: &[(V160, "2.1"), (V131, "2.1")],
        title: "Run the Docker daemon as a non-root user where possible",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::DockerDaemon,
        doc: Doc {
            what: "Whether dockerd runs in rootless mode.",
            why: "A root daemon turns any daemon or container escape into full host control; rootless mode confines it to one unprivileged user.",
            evidence: "`SecurityOptions` from `docker info` (`name=rootless` when rootless).",
            remediation: "Where the workload allows it, run Docker in rootless mode (`dockerd-rootless-setuptool.sh install`).",
            references: "https://docs.docker.com/engine/security/rootless/",
        },
        evaluate: Evaluate::Context(rootless),
    },
    Check {
        slug: "daemon-icc-disabled",
        ids: &[(V160, "2.2"), (V131, "2.2")],
        title: "Restrict network traffic between containers on the default bridge",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::DockerDaemon,
        doc: Doc {
            what: "Inter-container communication (`icc`) on the default bridge is disabled.",
            why: "With icc on, every container on docker0 can reach every other one, so one compromised container can probe and attack its neighbours.",
            evidence: "`icc` from the dockerd command line or daemon.json, and the `com.docker.network.bridge.enable_icc` option of the default bridge network.",
            remediation: "Set `\"icc\": false` in daemon.json (or `--icc=false`) and link containers that must talk through user-defined networks.",
            references: "",
        },
        evaluate: Evaluate::Context(icc),
    },
    Check {
        slug: "daemon-log-level-info",
        ids: &[(V160, "2.3"), (V131, "2.3")],
        title: "Set the daemon logging level to info",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::DockerDaemon,
        doc: Doc {
            what: "dockerd logs at level `info` (the default) and not in debug mode.",
            why: "Below info, events needed to reconstruct an incident are lost (repudiation); debug logs leak request details.",
            evidence: "`log-level` and `debug` from the dockerd command line or daemon.json.",
            remediation: "Remove `log-level`/`debug` or set `\"log-level\": \"info\"` in daemon.json.",
            references: "",
        },
        evaluate: Evaluate::Context(log_level),
    },
    Check {
        slug: "daemon-iptables-enabled",
        ids: &[(V160, "2.4"), (V131, "2.4")],
        title: "Allow Docker to manage iptables",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::DockerDaemon,
        doc: Doc {
            what: "`iptables` is not set to false.",
            why: "Without Docker's iptables rules, published ports and network isolation are not enforced as configured.",
            evidence: "`iptables` from the dockerd command line or daemon.json (default true).",
            remediation: "Remove `--iptables=false` / `\"iptables\": false`.",
            references: "",
        },
        evaluate: Evaluate::Context(iptables),
    },
    Check {
        slug: "daemon-no-insecure-registries",
        ids: &[(V160, "2.5"), (V131, "2.5")],
        title: "Do not use insecure registries",
        level: One,
        assessment: Manual,
        severity: High,
        component: Component::Registry,
        doc: Doc {
            what: "No registry is configured as insecure (plain HTTP or unverified TLS), apart from the loopback range Docker always allows.",
            why: "Images pulled without verified TLS can be swapped in transit (tampering with the supply chain).",
            evidence: "`RegistryConfig.InsecureRegistryCIDRs` and `IndexConfigs[*].Secure` from `docker info`, and `insecure-registries` in the configuration.",
            remediation: "Remove entries from `insecure-registries`; give the registry a certificate trusted through `/etc/docker/certs.d/<registry>/ca.crt`.",
            references: "",
        },
        evaluate: Evaluate::Context(insecure_registries),
    },
    Check {
        slug: "daemon-no-aufs",
        ids: &[(V160, "2.6"), (V131, "2.6")],
        title: "Do not use the aufs storage driver",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::DockerDaemon,
        doc: Doc {
            what: "The storage driver is not `aufs`.",
            why: "aufs is unmaintained and has known kernel crashes, a denial-of-service risk for the host.",
            evidence: "`Driver` from `docker info`.",
            remediation: "Switch to `overlay2` (migrate images and volumes first).",
            references: "",
        },
        evaluate: Evaluate::Context(aufs),
    },
    Check {
        slug: "daemon-no-devicemapper",
        ids: &[(V180, "2.7")],
        title: "Do not use the devicemapper storage driver",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::DockerDaemon,
        doc: Doc {
            what: "The daemon's storage driver is not `devicemapper` (new in CIS Docker v1.8.0; runs only when v1.8.0 is the Docker edition: `--benchmark cis-docker-1.8.0`, `--numbering cis-docker-1.8.0` or `benchmark: [cis-docker-1.8.0]` in .threatbench.yaml).",
            why: "devicemapper is deprecated and was removed in Docker Engine v25: loop-lvm mode is slow and fragile, thin pools that fill up take every container on the host down (denial of service), and a daemon upgrade can leave its images unreadable.",
            evidence: "`Driver` from `docker info`; when the API cannot be reached, `storage-driver` from dockerd's flags or daemon.json (an unset driver is then unknown: dockerd picks one at start).",
            remediation: "Move to `overlay2`: save or push the images and back up the volumes, set `\"storage-driver\": \"overlay2\"` in daemon.json (or drop `--storage-driver devicemapper`), restart dockerd, and restore.",
            references: "https://docs.docker.com/engine/deprecated/#device-mapper-storage-driver",
        },
        evaluate: Evaluate::Context(devicemapper),
    },
    Check {
        slug: "daemon-tls-on-tcp",
        ids: &[(V160, "2.7"), (V131, "2.7")],
        title: "Require TLS authentication on a TCP Docker socket",
        level: One,
        assessment: Manual,
        severity: Critical,
        component: Component::DockerClient,
        doc: Doc {
            what: "Every TCP listener of the daemon requires TLS with client verification (`tlsverify` and a CA, certificate and key).",
            why: "An unauthenticated TCP socket gives anyone who reaches it root on the host; without TLS, client traffic can be read and spoofed.",
            evidence: "`hosts` from the dockerd command line or daemon.json (multi-line arrays included), and `tls`, `tlsverify`, `tlscacert`, `tlscert`, `tlskey`.",
            remediation: "Set `\"tlsverify\": true` with `tlscacert`, `tlscert`, `tlskey` in daemon.json, or listen only on the unix socket.",
            references: "https://docs.docker.com/engine/security/protect-access/",
        },
        evaluate: Evaluate::Context(tls_on_tcp),
    },
    Check {
        slug: "daemon-default-ulimit",
        ids: &[(V160, "2.8"), (V131, "2.8")],
        title: "Configure a default ulimit",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::DockerDaemon,
        doc: Doc {
            what: "A daemon-wide `default-ulimits` is configured.",
            why: "Default ulimits cap open files and processes per container, limiting resource exhaustion.",
            evidence: "`default-ulimits` from the dockerd command line or daemon.json.",
            remediation: "Set e.g. `\"default-ulimits\": {\"nofile\": {\"Name\": \"nofile\", \"Hard\": 64000, \"Soft\": 64000}}`.",
            references: "",
        },
        evaluate: Evaluate::Context(default_ulimit),
    },
    Check {
        slug: "daemon-userns-remap",
        ids: &[(V160, "2.9"), (V131, "2.9")],
        title: "Enable user namespace support",
        level: Two,
        assessment: Manual,
        severity: High,
        component: Component::DockerDaemon,
        doc: Doc {
            what: "The daemon remaps container root to an unprivileged host user (`userns-remap`).",
            why: "Without remapping, root in a container is root on the host; an escape is a full host compromise.",
            evidence: "`SecurityOptions` from `docker info` (`name=userns`) and `userns-remap` in the configuration.",
            remediation: "Set `\"userns-remap\": \"default\"` in daemon.json and restart dockerd (existing images and volumes change ownership).",
            references: "https://docs.docker.com/engine/security/userns-remap/",
        },
        evaluate: Evaluate::Context(userns_remap),
    },
    Check {
        slug: "daemon-default-cgroup",
        ids: &[(V160, "2.10"), (V131, "2.10")],
        title: "Use the default cgroup parent unless there is a reason not to",
        level: Two,
        assessment: Manual,
        severity: Low,
        component: Component::DockerDaemon,
        doc: Doc {
            what: "`cgroup-parent` is not changed daemon-wide.",
            why: "A custom parent cgroup can remove the resource limits the default hierarchy applies.",
            evidence: "`cgroup-parent` from the dockerd command line or daemon.json.",
            remediation: "Remove `cgroup-parent` unless its limits have been reviewed.",
            references: "",
        },
        evaluate: Evaluate::Context(cgroup_parent),
    },
    Check {
        slug: "daemon-base-device-size",
        ids: &[(V160, "2.11"), (V131, "2.11")],
        title: "Do not change the base device size without need",
        level: Two,
        assessment: Manual,
        severity: Low,
        component: Component::DockerDaemon,
        doc: Doc {
            what: "`dm.basesize` is not set in `storage-opts`.",
            why: "A larger base device lets one container fill the host's storage.",
            evidence: "`storage-opts` from the dockerd command line or daemon.json.",
            remediation: "Remove `dm.basesize` from `storage-opts`.",
            references: "",
        },
        evaluate: Evaluate::Context(base_device_size),
    },
    Check {
        slug: "daemon-authorization-plugin",
        ids: &[(V160, "2.12"), (V131, "2.12")],
        title: "Enable authorization for Docker client commands",
        level: Two,
        assessment: Manual,
        severity: Medium,
        component: Component::DockerClient,
        doc: Doc {
            what: "An authorization plugin vets Docker API requests.",
            why: "Without one, anyone who reaches the socket can do everything, and actions cannot be tied to a policy.",
            evidence: "`Plugins.Authorization` from `docker info` and `authorization-plugins` in the configuration.",
            remediation: "Install an authorization plugin and set `\"authorization-plugins\": [\"<plugin>\"]`.",
            references: "https://docs.docker.com/engine/extend/plugins_authorization/",
        },
        evaluate: Evaluate::Context(authorization_plugin),
    },
    Check {
        slug: "daemon-remote-logging",
        ids: &[(V160, "2.13"), (V131, "2.13")],
        title: "Configure centralized and remote logging",
        level: Two,
        assessment: Manual,
        severity: Medium,
        component: Component::DockerDaemon,
        doc: Doc {
            what: "The default log driver ships logs off the host.",
            why: "Logs kept only on the host can be wiped by an attacker who gains it (repudiation).",
            evidence: "`LoggingDriver` from `docker info` and `log-opts` in the configuration. `json-file`, `local` and `none` keep logs on the host (docker-bench wrongly passes `local`).",
            remediation: "Set `log-driver` to a remote driver (syslog with a remote `syslog-address`, fluentd, gelf, splunk, awslogs, ...).",
            references: "https://docs.docker.com/engine/logging/configure/",
        },
        evaluate: Evaluate::Context(remote_logging),
    },
    Check {
        slug: "daemon-no-new-privileges",
        ids: &[(V160, "2.14"), (V131, "2.14")],
        title: "Restrict containers from acquiring new privileges daemon-wide",
        level: One,
        assessment: Manual,
        severity: Medium,
        component: Component::DockerDaemon,
        doc: Doc {
            what: "`no-new-privileges` is enabled for all containers by default.",
            why: "setuid binaries in a container can otherwise raise a process's privileges (elevation).",
            evidence: "`no-new-privileges` from the dockerd command line or daemon.json.",
            remediation: "Set `\"no-new-privileges\": true` in daemon.json.",
            references: "",
        },
        evaluate: Evaluate::Context(no_new_privileges),
    },
    Check {
        slug: "daemon-live-restore",
        ids: &[(V160, "2.15"), (V131, "2.15")],
        title: "Enable live restore",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::DockerDaemon,
        doc: Doc {
            what: "Containers keep running while dockerd is stopped or restarted (`live-restore`).",
            why: "Without it, a daemon restart (an upgrade, a crash) stops every container: availability.",
            evidence: "`LiveRestoreEnabled` from `docker info` (the running value).",
            remediation: "Set `\"live-restore\": true` in daemon.json and reload dockerd (`SIGHUP`).",
            references: "https://docs.docker.com/engine/daemon/live-restore/",
        },
        evaluate: Evaluate::Context(live_restore),
    },
    Check {
        slug: "daemon-userland-proxy-disabled",
        ids: &[(V160, "2.16"), (V131, "2.16")],
        title: "Disable the userland proxy",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::DockerDaemon,
        doc: Doc {
            what: "`userland-proxy` is false, so published ports use iptables hairpin NAT.",
            why: "The userland proxy is an extra root process per published port, more attack surface.",
            evidence: "`userland-proxy` from the dockerd command line or daemon.json (default true).",
            remediation: "Set `\"userland-proxy\": false` in daemon.json.",
            references: "",
        },
        evaluate: Evaluate::Context(userland_proxy),
    },
    Check {
        slug: "daemon-seccomp-profile",
        ids: &[(V160, "2.17"), (V131, "2.17")],
        title: "Apply a daemon-wide seccomp profile",
        level: Two,
        assessment: Manual,
        severity: Medium,
        component: Component::DockerDaemon,
        doc: Doc {
            what: "A seccomp profile (Docker's default or a custom one) applies to containers by default.",
            why: "Seccomp removes rarely needed system calls, shrinking the kernel attack surface for escapes.",
            evidence: "`SecurityOptions` from `docker info` (`name=seccomp,profile=...`) and `seccomp-profile` in the configuration.",
            remediation: "Keep the default profile, or set `seccomp-profile` to a reviewed custom profile; never `unconfined`.",
            references: "https://docs.docker.com/engine/security/seccomp/",
        },
        evaluate: Evaluate::Context(seccomp_profile),
    },
    Check {
        slug: "daemon-no-experimental",
        ids: &[(V160, "2.18"), (V131, "2.18")],
        title: "Do not run experimental features in production",
        level: One,
        assessment: Manual,
        severity: Low,
        component: Component::DockerDaemon,
        doc: Doc {
            what: "The daemon does not run with experimental features.",
            why: "Experimental code has had less security review.",
            evidence: "`ExperimentalBuild` from `docker info` / `Experimental` from `docker version`.",
            remediation: "Remove `--experimental` / `\"experimental\": true`.",
            references: "",
        },
        evaluate: Evaluate::Context(experimental),
    },
];

/// The daemon's security options from `docker info` (e.g. `name=seccomp,profile=default`).
fn security_options(ctx: &Context) -> Result<Vec<String>, Outcome> {
    Ok(docker(ctx)?
        .info
        .security_options
        .clone()
        .unwrap_or_default())
}

fn has_security_option(opts: &[String], name: &str) -> bool {
    opts.iter().any(|o| {
        o.split(',')
            .any(|kv| kv == format!("name={name}") || kv == name)
    })
}

/// Add the flag/file conflicts of `keys` to an outcome: the evidence names them, and a pass
/// becomes a warn, since the configuration that passes today stops the daemon's next start.
fn with_conflicts(ctx: &Context, keys: &[&str], mut outcome: Outcome) -> Outcome {
    outcome = at_setting(ctx, keys, outcome);
    let notes: Vec<String> = keys.iter().filter_map(|k| ctx.daemon.conflict(k)).collect();
    if notes.is_empty() {
        return outcome;
    }
    outcome.evidence = format!("{}; {}", outcome.evidence, notes.join("; "));
    if outcome.verdict == Verdict::Pass {
        outcome.verdict = Verdict::Warn;
    }
    outcome
}

/// Where the daemon options of a check are written: daemon.json at the first of `keys` set in
/// it, or (all unset) daemon.json, where they would be added. A flag lives on the process's
/// command line: no file to point at.
fn at_setting(ctx: &Context, keys: &[&str], outcome: Outcome) -> Outcome {
    let settings: Vec<(&str, Setting)> = keys.iter().map(|k| (*k, ctx.daemon.get(k))).collect();
    if let Some((key, Setting::File { path, .. })) = settings
        .iter()
        .find(|(_, s)| matches!(s, Setting::File { .. }))
    {
        return outcome.at(path, Some(key));
    }
    let all_unset = settings
        .iter()
        .all(|(_, s)| matches!(s, Setting::Unset { .. }));
    if all_unset && matches!(ctx.daemon.config_file, ConfigFile::Parsed(_)) {
        return outcome.at(&ctx.daemon.config_path, None);
    }
    outcome
}

/// Verdict for a boolean daemon option: pass when it equals `want` (default `default`).
fn bool_option(ctx: &Context, key: &str, default: bool, want: bool) -> Outcome {
    let setting = ctx.daemon.get(key);
    let outcome = match setting.as_bool(default) {
        Some(v) => Outcome::pass_if(
            v == want,
            setting.describe(key) + &default_note(&setting, default),
        ),
        None => Outcome::error(setting.describe(key)),
    };
    with_conflicts(ctx, &[key], outcome)
}

fn default_note(setting: &Setting, default: impl std::fmt::Display) -> String {
    match setting {
        Setting::Unset { .. } => format!("; dockerd default is {default}"),
        _ => String::new(),
    }
}

fn rootless(ctx: &Context) -> Outcome {
    match security_options(ctx) {
        Ok(opts) if has_security_option(&opts, "rootless") => {
            Outcome::pass("daemon runs rootless (SecurityOptions has name=rootless)")
        }
        Ok(opts) => Outcome::warn(format!(
            "daemon runs as root (SecurityOptions: {}); review whether rootless mode fits",
            opts.join("; ")
        )),
        Err(e) => e,
    }
}

fn icc(ctx: &Context) -> Outcome {
    with_conflicts(ctx, &["bridge", "icc"], icc_setting(ctx))
}

fn icc_setting(ctx: &Context) -> Outcome {
    let bridge = ctx.daemon.get("bridge");
    if bridge.strings().iter().any(|b| b == "none") {
        return Outcome::pass(format!(
            "{}: no default bridge, so no inter-container traffic on it",
            bridge.describe("bridge")
        ));
    }
    let setting = ctx.daemon.get("icc");
    let network_icc = docker(ctx).ok().and_then(|d| {
        d.networks
            .iter()
            .find(|n| n.name.as_deref() == Some("bridge"))
            .and_then(|n| n.options.as_ref())
            .and_then(|o| o.get("com.docker.network.bridge.enable_icc").cloned())
    });
    let api_note = network_icc
        .as_ref()
        .map(|v| format!("; bridge network option enable_icc={v}"))
        .unwrap_or_default();
    match (setting.as_bool(true), network_icc.as_deref()) {
        (_, Some("false")) | (Some(false), None) => {
            Outcome::pass(setting.describe("icc") + &api_note)
        }
        (_, Some(_)) | (Some(true), None) => {
            Outcome::fail(setting.describe("icc") + &default_note(&setting, true) + &api_note)
        }
        (None, None) => Outcome::error(setting.describe("icc")),
    }
}

fn log_level(ctx: &Context) -> Outcome {
    with_conflicts(ctx, &["debug", "log-level"], log_level_setting(ctx))
}

fn log_level_setting(ctx: &Context) -> Outcome {
    let debug = ctx.daemon.get("debug");
    if debug.as_bool(false) == Some(true) {
        return Outcome::fail(debug.describe("debug") + ": debug mode logs at debug level");
    }
    let setting = ctx.daemon.get("log-level");
    match &setting {
        Setting::Unset { .. } => {
            Outcome::pass(setting.describe("log-level") + "; dockerd default is info")
        }
        Setting::Unknown { .. } => Outcome::error(setting.describe("log-level")),
        _ => {
            let level = setting.strings().join("");
            Outcome::pass_if(
                level.eq_ignore_ascii_case("info"),
                setting.describe("log-level"),
            )
        }
    }
}

fn iptables(ctx: &Context) -> Outcome {
    bool_option(ctx, "iptables", true, true)
}

fn insecure_registries(ctx: &Context) -> Outcome {
    with_conflicts(
        ctx,
        &["insecure-registries"],
        insecure_registries_setting(ctx),
    )
}

fn insecure_registries_setting(ctx: &Context) -> Outcome {
    let d = match docker(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let reg = d.info.registry_config.as_ref();
    let cidrs: Vec<String> = reg
        .and_then(|r| r.insecure_registry_cidrs.clone())
        .unwrap_or_default()
        .into_iter()
        // dockerd always allows the loopback range; it is not a configured insecure registry.
        .filter(|c| c != "127.0.0.0/8" && c != "::1/128")
        .collect();
    let mut names: Vec<String> = reg
        .and_then(|r| r.index_configs.as_ref())
        .map(|m| {
            m.iter()
                .filter(|(_, cfg)| cfg.secure == Some(false))
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let configured = ctx.daemon.get("insecure-registries");
    let all: Vec<String> = cidrs.iter().chain(names.iter()).cloned().collect();
    if all.is_empty() {
        Outcome::pass(format!(
            "no insecure registries in docker info (loopback 127.0.0.0/8 is always allowed); {}",
            configured.describe("insecure-registries")
        ))
    } else {
        Outcome::fail(format!(
            "insecure registries: {}; {}",
            all.join(", "),
            configured.describe("insecure-registries")
        ))
    }
}

fn aufs(ctx: &Context) -> Outcome {
    match docker(ctx) {
        Ok(d) => {
            let driver = d.info.driver.clone().unwrap_or_default();
            Outcome::pass_if(
                driver != "aufs",
                format!("storage driver: {driver} (docker info)"),
            )
        }
        Err(e) => e,
    }
}

/// From the running daemon when the API answers; else from its configuration, which shows a
/// devicemapper choice but cannot show the driver dockerd would pick when none is set.
fn devicemapper(ctx: &Context) -> Outcome {
    if let Ok(d) = docker(ctx)
        && let Some(driver) = d.info.driver.as_deref().filter(|d| !d.is_empty())
    {
        return Outcome::pass_if(
            driver != "devicemapper",
            format!("storage driver: {driver} (docker info)"),
        );
    }
    let api = match docker(ctx) {
        Ok(_) => "docker info reports no driver".to_string(),
        Err(e) => e.evidence,
    };
    let setting = ctx.daemon.get("storage-driver");
    match setting.strings().first() {
        Some(driver) => Outcome::pass_if(
            driver != "devicemapper",
            format!(
                "{} (configured; the API was not read: {api})",
                setting.describe("storage-driver")
            ),
        ),
        // An unknown setting already names the API's failure.
        None => Outcome::error(match setting {
            Setting::Unknown { .. } => format!(
                "storage driver unknown: {}",
                setting.describe("storage-driver")
            ),
            _ => format!(
                "storage driver unknown: {api}; {}",
                setting.describe("storage-driver")
            ),
        }),
    }
}

fn tls_on_tcp(ctx: &Context) -> Outcome {
    with_conflicts(
        ctx,
        &[
            "hosts",
            "tls",
            "tlsverify",
            "tlscacert",
            "tlscert",
            "tlskey",
        ],
        tls_on_tcp_setting(ctx),
    )
}

fn tls_on_tcp_setting(ctx: &Context) -> Outcome {
    let hosts = ctx.daemon.hosts();
    if let Setting::Unknown { .. } = hosts {
        return Outcome::error(hosts.describe("hosts"));
    }
    let tcp: Vec<String> = hosts
        .strings()
        .into_iter()
        .filter(|h| {
            let h = h.to_ascii_lowercase();
            h.starts_with("tcp://") || h.starts_with("http://") || h.starts_with("https://")
        })
        .collect();
    if tcp.is_empty() {
        return Outcome::pass(format!(
            "no TCP listener: {}",
            match &hosts {
                Setting::Unset { basis } =>
                    format!("hosts not set, default unix socket only ({basis})"),
                other => other.describe("hosts"),
            }
        ));
    }
    let verify = ctx.daemon.get("tlsverify");
    let tls = ctx.daemon.get("tls");
    let files: Vec<String> = ["tlscacert", "tlscert", "tlskey"]
        .iter()
        .map(|k| ctx.daemon.get(k).describe(k))
        .collect();
    let listeners = format!("dockerd listens on {} ({})", tcp.join(", "), hosts.source());
    match (verify.as_bool(false), tls.as_bool(false)) {
        (Some(true), _) => {
            let missing: Vec<&str> = ["tlscacert", "tlscert", "tlskey"]
                .into_iter()
                .filter(|k| ctx.daemon.get(k).value().is_none())
                .collect();
            if missing.is_empty() {
                Outcome::pass(format!(
                    "{listeners}; {}; {}",
                    verify.describe("tlsverify"),
                    files.join("; ")
                ))
            } else {
                Outcome::warn(format!(
                    "{listeners}; {}; {} not set explicitly, dockerd falls back to ~/.docker: verify those files",
                    verify.describe("tlsverify"),
                    missing.join(", ")
                ))
            }
        }
        (Some(false), Some(true)) => Outcome::fail(format!(
            "{listeners}; TLS without client verification: {}; {}",
            tls.describe("tls"),
            verify.describe("tlsverify")
        )),
        (Some(false), Some(false)) => Outcome::fail(format!(
            "{listeners} without TLS: {}; {}",
            tls.describe("tls"),
            verify.describe("tlsverify")
        )),
        _ => Outcome::error(format!("{listeners}; {}", verify.describe("tlsverify"))),
    }
}

fn default_ulimit(ctx: &Context) -> Outcome {
    with_conflicts(ctx, &["default-ulimits"], default_ulimit_setting(ctx))
}

fn default_ulimit_setting(ctx: &Context) -> Outcome {
    let setting = ctx.daemon.get("default-ulimits");
    match &setting {
        Setting::Unknown { .. } => Outcome::error(setting.describe("default-ulimits")),
        Setting::Unset { .. } => Outcome::warn(format!(
            "{}; review whether a daemon-wide default ulimit is needed",
            setting.describe("default-ulimits")
        )),
        _ if setting.strings().is_empty() => {
            Outcome::warn(setting.describe("default-ulimits") + " (empty)")
        }
        _ => Outcome::pass(setting.describe("default-ulimits")),
    }
}

fn userns_remap(ctx: &Context) -> Outcome {
    with_conflicts(ctx, &["userns-remap"], userns_remap_setting(ctx))
}

fn userns_remap_setting(ctx: &Context) -> Outcome {
    let setting = ctx.daemon.get("userns-remap");
    match security_options(ctx) {
        Ok(opts) => Outcome::pass_if(
            has_security_option(&opts, "userns"),
            format!(
                "SecurityOptions: {} (docker info); {}",
                opts.join("; "),
                setting.describe("userns-remap")
            ),
        ),
        Err(_) => match &setting {
            Setting::Unknown { .. } => Outcome::error(setting.describe("userns-remap")),
            _ => Outcome::pass_if(
                setting.strings().iter().any(|s| !s.is_empty()),
                setting.describe("userns-remap"),
            ),
        },
    }
}

/// Options that should stay unset: warn (for review) when set.
fn unset_or_review(ctx: &Context, key: &str, what: &str) -> Outcome {
    let setting = ctx.daemon.get(key);
    match &setting {
        Setting::Unknown { .. } => Outcome::error(setting.describe(key)),
        Setting::Unset { .. } => Outcome::pass(setting.describe(key)),
        _ => Outcome::warn(format!("{}: {what}", setting.describe(key))),
    }
}

fn cgroup_parent(ctx: &Context) -> Outcome {
    unset_or_review(ctx, "cgroup-parent", "review the limits of this cgroup")
}

fn base_device_size(ctx: &Context) -> Outcome {
    with_conflicts(ctx, &["storage-opts"], base_device_size_setting(ctx))
}

fn base_device_size_setting(ctx: &Context) -> Outcome {
    let setting = ctx.daemon.get("storage-opts");
    match &setting {
        Setting::Unknown { .. } => Outcome::error(setting.describe("storage-opts")),
        _ if setting.strings().iter().any(|o| o.contains("dm.basesize")) => Outcome::warn(format!(
            "{}: dm.basesize changed, review the need",
            setting.describe("storage-opts")
        )),
        _ => Outcome::pass(setting.describe("storage-opts")),
    }
}

fn authorization_plugin(ctx: &Context) -> Outcome {
    with_conflicts(
        ctx,
        &["authorization-plugins"],
        authorization_plugin_setting(ctx),
    )
}

fn authorization_plugin_setting(ctx: &Context) -> Outcome {
    let setting = ctx.daemon.get("authorization-plugins");
    let api: Vec<String> = docker(ctx)
        .ok()
        .and_then(|d| d.info.plugins.as_ref())
        .and_then(|p| p.authorization.clone())
        .unwrap_or_default();
    if !api.is_empty() {
        return Outcome::pass(format!(
            "authorization plugins (docker info): {}",
            api.join(", ")
        ));
    }
    match &setting {
        Setting::Unknown { .. } if docker(ctx).is_err() => {
            Outcome::error(setting.describe("authorization-plugins"))
        }
        _ if !setting.strings().is_empty() => {
            Outcome::pass(setting.describe("authorization-plugins"))
        }
        _ => Outcome::fail(format!(
            "no authorization plugin (docker info Plugins.Authorization empty); {}",
            setting.describe("authorization-plugins")
        )),
    }
}

fn remote_logging(ctx: &Context) -> Outcome {
    with_conflicts(
        ctx,
        &["log-driver", "log-opts"],
        remote_logging_setting(ctx),
    )
}

fn remote_logging_setting(ctx: &Context) -> Outcome {
    let d = match docker(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let Some(driver) = d.info.logging_driver.clone().filter(|s| !s.is_empty()) else {
        return Outcome::error("docker info does not report LoggingDriver");
    };
    let setting = ctx.daemon.get("log-driver");
    let configured = match setting.value() {
        Some(_) => format!("; {}", setting.describe("log-driver")),
        None => String::new(),
    };
    let evidence = format!("default log driver: {driver} (docker info{configured})");
    match driver.as_str() {
        "json-file" | "local" | "none" => {
            Outcome::fail(format!("{evidence}: logs stay on this host"))
        }
        "journald" => Outcome::warn(format!(
            "{evidence}: logs go to the host journal; verify it is forwarded off the host"
        )),
        "syslog" => match log_opt(ctx, "syslog-address") {
            Some(a) if is_local_address(&a) => Outcome::warn(format!(
                "{evidence}, syslog-address {a}: a syslog daemon on this host; verify it forwards the logs"
            )),
            Some(a) => Outcome::pass(format!("{evidence}, syslog-address {a}")),
            None => Outcome::warn(format!(
                "{evidence} without syslog-address: logs go to the local syslog; verify it forwards them"
            )),
        },
        _ => Outcome::pass(evidence),
    }
}

/// One `log-opts` value, from daemon.json (an object) or `--log-opt k=v` flags.
fn log_opt(ctx: &Context, name: &str) -> Option<String> {
    let opts = ctx.daemon.get("log-opts");
    match opts.value() {
        Some(Value::Object(m)) => m.get(name).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
        _ => opts.strings().into_iter().find_map(|o| {
            o.split_once('=')
                .filter(|(k, _)| k.trim() == name)
                .map(|(_, v)| v.trim().to_string())
        }),
    }
}

/// A syslog address on this host: a unix socket, or TCP/UDP to a loopback address.
fn is_local_address(address: &str) -> bool {
    let (scheme, rest) = address.split_once("://").unwrap_or(("udp", address));
    if scheme.starts_with("unix") {
        return true;
    }
    let host = match rest.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => rest.rsplit_once(':').map_or(rest, |(h, _)| h),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn no_new_privileges(ctx: &Context) -> Outcome {
    bool_option(ctx, "no-new-privileges", false, true)
}

fn live_restore(ctx: &Context) -> Outcome {
    with_conflicts(ctx, &["live-restore"], live_restore_setting(ctx))
}

fn live_restore_setting(ctx: &Context) -> Outcome {
    let d = match docker(ctx) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let swarm_active = d
        .info
        .swarm
        .as_ref()
        .and_then(|s| s.local_node_state.as_ref())
        .map(|s| s.to_string() == "active")
        .unwrap_or(false);
    if swarm_active {
        return Outcome::skip("swarm mode is active; live-restore is incompatible with it");
    }
    match d.info.live_restore_enabled {
        Some(v) => Outcome::pass_if(v, format!("LiveRestoreEnabled={v} (docker info)")),
        None => Outcome::error("docker info does not report LiveRestoreEnabled"),
    }
}

fn userland_proxy(ctx: &Context) -> Outcome {
    bool_option(ctx, "userland-proxy", true, false)
}

fn seccomp_profile(ctx: &Context) -> Outcome {
    with_conflicts(ctx, &["seccomp-profile"], seccomp_profile_setting(ctx))
}

fn seccomp_profile_setting(ctx: &Context) -> Outcome {
    let setting = ctx.daemon.get("seccomp-profile");
    let opts = match security_options(ctx) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let seccomp = opts.iter().find(|o| o.contains("name=seccomp"));
    match seccomp {
        Some(o) if o.contains("profile=unconfined") => Outcome::fail(format!(
            "{o} (docker info); {}",
            setting.describe("seccomp-profile")
        )),
        Some(o) => Outcome::pass(format!(
            "{o} (docker info); {}",
            setting.describe("seccomp-profile")
        )),
        None => Outcome::fail(format!(
            "no seccomp in SecurityOptions ({}): the kernel or daemon lacks seccomp",
            opts.join("; ")
        )),
    }
}

fn experimental(ctx: &Context) -> Outcome {
    with_conflicts(ctx, &["experimental"], experimental_setting(ctx))
}

fn experimental_setting(ctx: &Context) -> Outcome {
    match docker(ctx) {
        Ok(d) => {
            let on = d.info.experimental_build.unwrap_or(false);
            Outcome::pass_if(!on, format!("ExperimentalBuild={on} (docker info)"))
        }
        Err(e) => e,
    }
}

#[cfg(test)]
mod tests {
    use super::is_local_address;

    #[test]
    fn syslog_addresses_on_this_host_are_local() {
        for local in [
            "unix:///dev/log",
            "unixgram:///dev/log",
            "udp://127.0.0.1:514",
            "tcp://localhost:514",
            "tcp://[::1]:514",
        ] {
            assert!(is_local_address(local), "{local}");
        }
        for remote in [
            "udp://192.0.2.10:514",
            "tcp+tls://logs.example.com:6514",
            "tcp://[2001:db8::1]:514",
        ] {
            assert!(!is_local_address(remote), "{remote}");
        }
    }
}
