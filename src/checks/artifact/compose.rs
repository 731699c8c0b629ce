//! docker-compose files against CIS Docker Benchmark section 5 (container runtime), as written in
//! the file: the settings `docker compose up` would pass to the daemon. Each rule carries the
//! slug of the live check for the same control (`container-privileged`, ...), and judges the
//! compose key the way the live check judges the resulting `HostConfig` field (same default
//! capability set, same sensitive directories, same restart-policy limit), so a finding here is
//! the live finding caught before deployment.
//!
//! Differences from the live checks, on purpose: a privileged service is reported once
//! (`container-privileged`), not again under seccomp, AppArmor, devices and capabilities; and
//! settings the file leaves to the image (USER, HEALTHCHECK) are not findings when absent.

use serde_json::Value;

use crate::checks::docker::runtime::{DEFAULT_CAPABILITIES, is_sensitive_mount};
use crate::checks::rule::{Finding, pointer_token, severity_of};
use crate::checks::{Severity, secrets};

/// The live checks whose slugs compose findings carry.
pub const SLUGS: &[&str] = &[
    "container-apparmor-profile",
    "container-selinux-options",
    "container-capabilities-restricted",
    "container-privileged",
    "container-sensitive-host-mounts",
    "container-no-privileged-ports",
    "container-host-network",
    "container-memory-limit",
    "container-cpu-priority",
    "container-read-only-rootfs",
    "container-ports-bound-to-interface",
    "container-restart-policy",
    "container-host-pid",
    "container-host-ipc",
    "container-host-devices",
    "container-mount-propagation",
    "container-host-uts",
    "container-seccomp-not-disabled",
    "container-no-new-privileges",
    "container-health-check",
    "container-pids-limit",
    "container-host-userns",
    "container-docker-socket-mount",
];

/// Evaluate every service of a compose document.
pub fn evaluate(doc: &Value) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(services) = doc.get("services").and_then(Value::as_object) else {
        return out;
    };
    for (name, svc) in services {
        if svc.is_object() {
            Service {
                name,
                v: svc,
                at: format!("/services/{}", pointer_token(name)),
            }
            .evaluate(&mut out);
        }
    }
    out
}

struct Service<'a> {
    name: &'a str,
    v: &'a Value,
    at: String,
}

fn finding(slug: &'static str, at: String, message: String) -> Finding {
    Finding::new(slug, severity_of(slug), at, message)
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.to_ascii_lowercase().as_str(), "true" | "yes" | "1"),
        _ => false,
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A size or count that limits something: a positive number, or a non-zero size string.
fn limits(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Number(n)) => n.as_f64().is_some_and(|n| n > 0.0),
        Some(Value::String(s)) => {
            let s = s.trim();
            !s.is_empty()
                && !matches!(s, "0" | "-1")
                && !s.chars().all(|c| c == '0' || c == '.')
                && !s.starts_with('-')
        }
        _ => false,
    }
}

impl Service<'_> {
    fn ptr(&self, key: &str) -> String {
        format!("{}/{key}", self.at)
    }

    fn who(&self) -> String {
        format!("service {:?}", self.name)
    }

    fn get(&self, path: &str) -> Option<&Value> {
        self.v.pointer(path).filter(|v| !v.is_null())
    }

    fn evaluate(&self, out: &mut Vec<Finding>) {
        let who = self.who();
        if truthy(self.get("/privileged")) {
            out.push(finding(
                "container-privileged",
                self.ptr("privileged"),
                format!(
                    "{who} is privileged: every capability, every device, no seccomp or AppArmor"
                ),
            ));
        }
        self.capabilities(out);
        for (key, slug, what) in [
            (
                "network_mode",
                "container-host-network",
                "the host's network namespace",
            ),
            ("pid", "container-host-pid", "the host's process namespace"),
            ("ipc", "container-host-ipc", "the host's IPC namespace"),
            ("uts", "container-host-uts", "the host's UTS namespace"),
            (
                "userns_mode",
                "container-host-userns",
                "the host's user namespace",
            ),
        ] {
            if self.get(&format!("/{key}")).and_then(Value::as_str) == Some("host") {
                out.push(finding(
                    slug,
                    self.ptr(key),
                    format!("{who}: {key}: host shares {what}"),
                ));
            }
        }
        self.volumes(out);
        self.resources(out);
        if !truthy(self.get("/read_only")) {
            let at = if self.get("/read_only").is_some() {
                self.ptr("read_only")
            } else {
                self.at.clone()
            };
            out.push(
                finding(
                    "container-read-only-rootfs",
                    at,
                    format!("{who}: root file system is writable (read_only not true)"),
                )
                .with_fix(
                    "read_only: true, with tmpfs: or volumes for the paths the service writes",
                ),
            );
        }
        self.security_opt(out);
        if let Some(devices) = self.get("/devices").and_then(Value::as_array) {
            for (i, d) in devices.iter().enumerate() {
                let shown = text(d).unwrap_or_else(|| {
                    d.get("source")
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                        .to_string()
                });
                out.push(finding(
                    "container-host-devices",
                    format!("{}/{i}", self.ptr("devices")),
                    format!("{who} gets host device {shown}"),
                ));
            }
        }
        self.ports(out);
        self.restart(out);
        if let Some(user) = self.get("/user").and_then(text) {
            let name = user.split(':').next().unwrap_or("").trim();
            if name == "root" || name == "0" {
                out.push(finding(
                    "container-user-not-root",
                    self.ptr("user"),
                    format!("{who} runs as user {user:?} (root)"),
                ));
            }
        }
        if let Some(h) = self.get("/healthcheck") {
            let disabled = truthy(h.get("disable"))
                || h.get("test")
                    .and_then(Value::as_array)
                    .and_then(|t| t.first())
                    .and_then(Value::as_str)
                    == Some("NONE")
                || h.get("test").and_then(Value::as_str) == Some("NONE");
            if disabled {
                out.push(finding(
                    "container-health-check",
                    self.ptr("healthcheck"),
                    format!("{who} disables its health check"),
                ));
            }
        }
        self.environment(out);
    }

    fn capabilities(&self, out: &mut Vec<Finding>) {
        let Some(caps) = self.get("/cap_add").and_then(Value::as_array) else {
            return;
        };
        for (i, cap) in caps.iter().enumerate() {
            let Some(cap) = cap.as_str() else { continue };
            let name = cap.trim().to_ascii_uppercase();
            let name = name.trim_start_matches("CAP_");
            if !DEFAULT_CAPABILITIES.contains(&name) {
                out.push(finding(
                    "container-capabilities-restricted",
                    format!("{}/{i}", self.ptr("cap_add")),
                    format!(
                        "{} adds capability {name} beyond Docker's default set",
                        self.who()
                    ),
                ));
            }
        }
    }

    fn volumes(&self, out: &mut Vec<Finding>) {
        let Some(volumes) = self.get("/volumes").and_then(Value::as_array) else {
            return;
        };
        for (i, vol) in volumes.iter().enumerate() {
            let at = format!("{}/{i}", self.ptr("volumes"));
            let Some(m) = Mount::parse(vol) else { continue };
            if !m.bind {
                continue;
            }
            let src = m.source.trim_end_matches('/');
            let src = if src.is_empty() && m.source.starts_with('/') {
                "/"
            } else {
                src
            };
            let who = self.who();
            if src.ends_with("docker.sock")
                || matches!(src, "/var/run" | "/run" | "/var/run/docker" | "/run/docker")
            {
                out.push(finding(
                    "container-docker-socket-mount",
                    at.clone(),
                    format!(
                        "{who} mounts the Docker socket ({src} -> {}): root on the host",
                        m.target
                    ),
                ));
            } else if is_sensitive_mount(src, !m.read_only) {
                let f = finding(
                    "container-sensitive-host-mounts",
                    at.clone(),
                    format!(
                        "{who} mounts host {src} -> {} ({})",
                        m.target,
                        if m.read_only {
                            "read-only"
                        } else {
                            "read-write"
                        }
                    ),
                );
                out.push(if m.read_only {
                    f.with_severity(Severity::Medium)
                } else {
                    f
                });
            }
            if let Some(p) = m.propagation.as_deref()
                && matches!(p, "shared" | "rshared")
            {
                out.push(finding(
                    "container-mount-propagation",
                    at,
                    format!("{who} mounts {src} with {p} propagation"),
                ));
            }
        }
    }

    fn resources(&self, out: &mut Vec<Finding>) {
        let who = self.who();
        let memory =
            limits(self.get("/mem_limit")) || limits(self.get("/deploy/resources/limits/memory"));
        if !memory {
            out.push(
                finding(
                    "container-memory-limit",
                    self.at.clone(),
                    format!("{who} has no memory limit"),
                )
                .with_fix("mem_limit: 512m (or deploy.resources.limits.memory)"),
            );
        }
        let pids =
            limits(self.get("/pids_limit")) || limits(self.get("/deploy/resources/limits/pids"));
        if !pids {
            let at = if self.get("/pids_limit").is_some() {
                self.ptr("pids_limit")
            } else {
                self.at.clone()
            };
            out.push(
                finding(
                    "container-pids-limit",
                    at,
                    format!("{who} has no PIDs limit"),
                )
                .with_fix("pids_limit: 200 (or deploy.resources.limits.pids)"),
            );
        }
        let shares = self.get("/cpu_shares").and_then(Value::as_i64);
        let cpu = ["/cpus", "/cpu_quota", "/cpu_count", "/cpu_percent"]
            .iter()
            .any(|k| limits(self.get(k)))
            || self
                .get("/cpuset")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty())
            || shares.is_some_and(|s| s > 0 && s != 1024)
            || limits(self.get("/deploy/resources/limits/cpus"));
        if !cpu {
            out.push(
                finding(
                    "container-cpu-priority",
                    self.at.clone(),
                    format!("{who} has no CPU limit or share"),
                )
                .with_fix("cpus: 1.5 (or deploy.resources.limits.cpus, cpu_shares: 512)"),
            );
        }
    }

    fn security_opt(&self, out: &mut Vec<Finding>) {
        let who = self.who();
        let opts: Vec<(usize, String, String)> = self
            .get("/security_opt")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .enumerate()
                    .filter_map(|(i, o)| o.as_str().map(|o| (i, o)))
                    .map(|(i, o)| {
                        let (k, v) = o
                            .split_once([':', '='])
                            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                            .unwrap_or((o.trim().to_string(), String::new()));
                        (i, k, v)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let at = |i: usize| format!("{}/{i}", self.ptr("security_opt"));
        match opts.iter().find(|(_, k, _)| k == "no-new-privileges") {
            Some((_, _, v)) if v.is_empty() || v == "true" => {}
            Some((i, _, v)) => out.push(finding(
                "container-no-new-privileges",
                at(*i),
                format!("{who}: no-new-privileges:{v}"),
            )),
            None => out.push(
                finding(
                    "container-no-new-privileges",
                    if self.get("/security_opt").is_some() {
                        self.ptr("security_opt")
                    } else {
                        self.at.clone()
                    },
                    format!("{who} does not set no-new-privileges (unless the daemon sets it for all containers)"),
                )
                .with_fix("security_opt: [\"no-new-privileges:true\"]"),
            ),
        }
        for (i, k, v) in &opts {
            match (k.as_str(), v.as_str()) {
                ("seccomp", "unconfined") => out.push(finding(
                    "container-seccomp-not-disabled",
                    at(*i),
                    format!("{who}: seccomp:unconfined allows every system call"),
                )),
                ("apparmor", "unconfined") => out.push(finding(
                    "container-apparmor-profile",
                    at(*i),
                    format!("{who}: apparmor:unconfined"),
                )),
                ("label", "disable") => out.push(finding(
                    "container-selinux-options",
                    at(*i),
                    format!("{who}: label:disable turns SELinux separation off"),
                )),
                _ => {}
            }
        }
    }

    fn ports(&self, out: &mut Vec<Finding>) {
        let Some(ports) = self.get("/ports").and_then(Value::as_array) else {
            return;
        };
        let who = self.who();
        for (i, p) in ports.iter().enumerate() {
            let at = format!("{}/{i}", self.ptr("ports"));
            let Some(port) = Port::parse(p) else { continue };
            if port.all_interfaces() {
                out.push(
                    finding(
                        "container-ports-bound-to-interface",
                        at.clone(),
                        format!(
                            "{who} publishes {} on all host interfaces",
                            port.describe()
                        ),
                    )
                    .with_fix("bind to one address: \"127.0.0.1:8080:80\" (or host_ip: in the long syntax)"),
                );
            }
            if let Some(low) = port.lowest_host_port()
                && low > 0
                && low < 1024
            {
                out.push(finding(
                    "container-no-privileged-ports",
                    at,
                    format!(
                        "{who} maps privileged host port {low} ({})",
                        port.describe()
                    ),
                ));
            }
        }
    }

    fn restart(&self, out: &mut Vec<Finding>) {
        let who = self.who();
        if let Some(policy) = self.get("/deploy/restart_policy") {
            let condition = policy
                .get("condition")
                .and_then(Value::as_str)
                .unwrap_or("any");
            let attempts = policy.get("max_attempts").and_then(Value::as_i64);
            if condition != "none" && !attempts.is_some_and(|n| (1..=5).contains(&n)) {
                out.push(finding(
                    "container-restart-policy",
                    self.ptr("deploy/restart_policy"),
                    format!(
                        "{who}: deploy.restart_policy condition {condition} with {}",
                        attempts
                            .map(|n| format!("max_attempts {n} (above 5)"))
                            .unwrap_or_else(|| "no max_attempts (unlimited)".into())
                    ),
                ));
            }
            return;
        }
        let Some(restart) = self.get("/restart").and_then(text) else {
            return;
        };
        let (name, count) = restart
            .split_once(':')
            .map(|(n, c)| (n.trim(), c.trim().parse::<i64>().ok()))
            .unwrap_or((restart.trim(), None));
        let bad = match name {
            "no" | "false" | "" => None,
            "on-failure" => match count {
                Some(n) if (1..=5).contains(&n) => None,
                Some(n) => Some(format!("restart: on-failure:{n} (more than 5 retries)")),
                None => Some("restart: on-failure without a retry limit".to_string()),
            },
            other => Some(format!("restart: {other} restarts without limit")),
        };
        if let Some(msg) = bad {
            out.push(
                finding(
                    "container-restart-policy",
                    self.ptr("restart"),
                    format!("{who}: {msg}"),
                )
                .with_fix("restart: \"on-failure:5\""),
            );
        }
    }

    fn environment(&self, out: &mut Vec<Finding>) {
        let Some(env) = self.get("/environment") else {
            return;
        };
        let who = self.who();
        let mut judge = |name: &str, value: &str, at: String| {
            if let Some(s) = secrets::check_assignment(name, value) {
                out.push(finding(
                    "compose-env-literal-secret",
                    at,
                    format!("{who}: environment {s}"),
                ));
            }
        };
        match env {
            Value::Object(map) => {
                for (k, v) in map {
                    if let Some(v) = text(v) {
                        judge(
                            k,
                            &v,
                            format!("{}/{}", self.ptr("environment"), pointer_token(k)),
                        );
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some((k, v)) = item.as_str().and_then(|s| s.split_once('=')) {
                        judge(k, v, format!("{}/{i}", self.ptr("environment")));
                    }
                }
            }
            _ => {}
        }
    }
}

/// A volume entry, short (`/src:/dst:ro,rshared`) or long (`{type: bind, source: ...}`).
#[derive(Debug, PartialEq)]
struct Mount {
    bind: bool,
    source: String,
    target: String,
    read_only: bool,
    propagation: Option<String>,
}

impl Mount {
    fn parse(v: &Value) -> Option<Mount> {
        match v {
            Value::String(s) => Some(Mount::short(s)),
            Value::Object(_) => {
                let ty = v.get("type").and_then(Value::as_str).unwrap_or("volume");
                Some(Mount {
                    bind: ty == "bind",
                    source: v
                        .get("source")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    target: v
                        .get("target")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    read_only: truthy(v.get("read_only")),
                    propagation: v
                        .pointer("/bind/propagation")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                })
            }
            _ => None,
        }
    }

    fn short(s: &str) -> Mount {
        // A Windows drive letter (`C:\data:/data`) is part of the source.
        let (drive, rest) = match s.as_bytes() {
            [d, b':', b'\\' | b'/', ..] if d.is_ascii_alphabetic() => s.split_at(2),
            _ => ("", s),
        };
        let parts: Vec<&str> = rest.split(':').collect();
        let (source, target, opts) = match parts.as_slice() {
            [target] => ("", *target, ""),
            [source, target] => (*source, *target, ""),
            [source, target, opts, ..] => (*source, *target, *opts),
            [] => ("", "", ""),
        };
        let source = format!("{drive}{source}");
        let opts: Vec<&str> = opts.split(',').map(str::trim).collect();
        let bind = source.starts_with(['/', '.', '~']) || source.contains('/') || !drive.is_empty();
        Mount {
            bind,
            source,
            target: target.to_string(),
            read_only: opts.contains(&"ro"),
            propagation: opts
                .iter()
                .find(|o| {
                    matches!(
                        **o,
                        "shared" | "rshared" | "slave" | "rslave" | "private" | "rprivate"
                    )
                })
                .map(|o| o.to_string()),
        }
    }
}

/// A published port, short (`"127.0.0.1:8080-8081:80-81/tcp"`) or long syntax.
#[derive(Debug, PartialEq)]
struct Port {
    host_ip: String,
    /// Host port or range as written; empty when Docker picks one.
    published: String,
    target: String,
}

impl Port {
    fn parse(v: &Value) -> Option<Port> {
        match v {
            Value::Number(n) => Some(Port {
                host_ip: String::new(),
                published: String::new(),
                target: n.to_string(),
            }),
            Value::String(s) => Some(Port::short(s)),
            Value::Object(_) => Some(Port {
                host_ip: v
                    .get("host_ip")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                published: v.get("published").and_then(text).unwrap_or_default(),
                target: v.get("target").and_then(text).unwrap_or_default(),
            }),
            _ => None,
        }
    }

    fn short(s: &str) -> Port {
        let s = s.trim();
        let s = s.split_once('/').map_or(s, |(p, _)| p);
        // `[::1]:8080:80`: a bracketed IPv6 address.
        if let Some(rest) = s.strip_prefix('[')
            && let Some((ip, rest)) = rest.split_once(']')
        {
            let rest = rest.trim_start_matches(':');
            let (published, target) = rest.split_once(':').unwrap_or(("", rest));
            return Port {
                host_ip: ip.to_string(),
                published: published.to_string(),
                target: target.to_string(),
            };
        }
        let parts: Vec<&str> = s.split(':').collect();
        match parts.as_slice() {
            [target] => Port {
                host_ip: String::new(),
                published: String::new(),
                target: target.to_string(),
            },
            [published, target] => Port {
                host_ip: String::new(),
                published: published.to_string(),
                target: target.to_string(),
            },
            _ => {
                let n = parts.len();
                Port {
                    host_ip: parts[..n - 2].join(":"),
                    published: parts[n - 2].to_string(),
                    target: parts[n - 1].to_string(),
                }
            }
        }
    }

    fn all_interfaces(&self) -> bool {
        matches!(self.host_ip.as_str(), "" | "0.0.0.0" | "::" | "[::]")
    }

    /// The lowest host port, when the file fixes one (`8000-8010` → 8000).
    fn lowest_host_port(&self) -> Option<u32> {
        let first = self.published.split('-').next()?.trim();
        first.parse().ok()
    }

    fn describe(&self) -> String {
        let host = if self.published.is_empty() {
            "(random)".to_string()
        } else {
            self.published.clone()
        };
        let ip = if self.host_ip.is_empty() {
            "0.0.0.0"
        } else {
            &self.host_ip
        };
        format!("{ip}:{host}->{}", self.target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A service that follows every section-5 item the file can express.
    const HARDENED: &str = r#"
services:
  web:
    image: nginx:1.27
    read_only: true
    mem_limit: 256m
    pids_limit: 100
    cpus: 0.5
    restart: "on-failure:3"
    security_opt:
      - no-new-privileges:true
    cap_drop: [ALL]
    cap_add: [NET_BIND_SERVICE]
    ports:
      - "127.0.0.1:8080:80"
    volumes:
      - data:/var/lib/data
      - ./conf:/etc/nginx/conf.d:ro
volumes:
  data: {}
"#;

    fn run(edit: &str) -> Vec<Finding> {
        // `edit` is appended to the web service's keys.
        let text = HARDENED.replace(
            "    image: nginx:1.27\n",
            &format!("    image: nginx:1.27\n{edit}"),
        );
        let doc = crate::collect::yaml::parse_stream(&text).unwrap().remove(0);
        evaluate(&doc.value)
    }

    fn run_doc(text: &str) -> Vec<Finding> {
        let doc = crate::collect::yaml::parse_stream(text).unwrap().remove(0);
        evaluate(&doc.value)
    }

    fn slugs(f: &[Finding]) -> Vec<&'static str> {
        let mut s: Vec<&str> = f.iter().map(|f| f.slug).collect();
        s.sort();
        s.dedup();
        s
    }

    #[test]
    fn the_hardened_service_passes() {
        assert!(run("").is_empty(), "{:#?}", run(""));
    }

    #[test]
    fn each_runtime_setting_fails_under_the_live_checks_slug() {
        for (edit, slug, pointer) in [
            (
                "    privileged: true\n",
                "container-privileged",
                "/services/web/privileged",
            ),
            (
                "    network_mode: host\n",
                "container-host-network",
                "/services/web/network_mode",
            ),
            ("    pid: host\n", "container-host-pid", "/services/web/pid"),
            ("    ipc: host\n", "container-host-ipc", "/services/web/ipc"),
            ("    uts: host\n", "container-host-uts", "/services/web/uts"),
            (
                "    userns_mode: host\n",
                "container-host-userns",
                "/services/web/userns_mode",
            ),
            (
                "    devices: [\"/dev/sda:/dev/sda\"]\n",
                "container-host-devices",
                "/services/web/devices/0",
            ),
            (
                "    user: \"0:0\"\n",
                "container-user-not-root",
                "/services/web/user",
            ),
            (
                "    user: root\n",
                "container-user-not-root",
                "/services/web/user",
            ),
            (
                "    healthcheck: {disable: true}\n",
                "container-health-check",
                "/services/web/healthcheck",
            ),
            (
                "    environment: {DB_PASSWORD: hunter2hunter2}\n",
                "compose-env-literal-secret",
                "/services/web/environment/DB_PASSWORD",
            ),
            (
                "    environment: [\"API_TOKEN=abc123xyz987\"]\n",
                "compose-env-literal-secret",
                "/services/web/environment/0",
            ),
        ] {
            let f = run(edit);
            assert_eq!(slugs(&f), [slug], "{edit}");
            assert_eq!(f[0].pointer, pointer, "{edit}");
            assert!(
                crate::checks::rule::find(slug).is_some(),
                "{slug} has metadata"
            );
        }
    }

    #[test]
    fn capabilities_beyond_the_default_set_fail() {
        let f = run_doc(&HARDENED.replace(
            "cap_add: [NET_BIND_SERVICE]",
            "cap_add: [CHOWN, SYS_ADMIN, ALL]",
        ));
        let ptrs: Vec<&str> = f.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(ptrs, ["/services/web/cap_add/1", "/services/web/cap_add/2"]);
    }

    #[test]
    fn volumes_short_and_long_syntax() {
        let f = run_doc(&HARDENED.replace(
            "      - data:/var/lib/data\n",
            "      - /var/run/docker.sock:/var/run/docker.sock\n      - /etc:/host/etc:ro\n      - type: bind\n        source: /\n        target: /host\n        bind: {propagation: rshared}\n",
        ));
        let got: Vec<(&str, &str, Severity)> = f
            .iter()
            .map(|f| (f.slug, f.pointer.as_str(), f.severity))
            .collect();
        assert_eq!(got[0].0, "container-docker-socket-mount");
        assert_eq!(got[0].1, "/services/web/volumes/0");
        assert_eq!(
            got[1],
            (
                "container-sensitive-host-mounts",
                "/services/web/volumes/1",
                Severity::Medium
            )
        );
        assert_eq!(got[2].0, "container-sensitive-host-mounts");
        assert_eq!(got[2].1, "/services/web/volumes/2");
        assert_ne!(
            got[2].2,
            Severity::Medium,
            "read-write / is worse than read-only /etc"
        );
        assert_eq!(got[3].0, "container-mount-propagation");
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn clock_files_mounted_read_only_are_not_findings() {
        let f = run_doc(&HARDENED.replace(
            "      - data:/var/lib/data\n",
            "      - /etc/localtime:/etc/localtime:ro\n      - /etc/timezone:/etc/timezone:ro\n      - /etc/localtime:/etc/localtime\n",
        ));
        let mounts: Vec<&str> = f
            .iter()
            .filter(|f| f.slug == "container-sensitive-host-mounts")
            .map(|f| f.pointer.as_str())
            .collect();
        assert_eq!(
            mounts,
            ["/services/web/volumes/2"],
            "only the writable one: {f:?}"
        );
    }

    #[test]
    fn limits_missing_or_unlimited() {
        let f = run_doc(&HARDENED.replace(
            "    mem_limit: 256m\n    pids_limit: 100\n    cpus: 0.5\n",
            "",
        ));
        assert_eq!(
            slugs(&f),
            [
                "container-cpu-priority",
                "container-memory-limit",
                "container-pids-limit"
            ]
        );
        assert!(f.iter().all(|f| f.pointer == "/services/web"));
        let f = run_doc(&HARDENED.replace("    mem_limit: 256m\n    pids_limit: 100\n    cpus: 0.5\n",
            "    pids_limit: -1\n    deploy:\n      resources:\n        limits: {memory: 1G, cpus: \"2\", pids: 50}\n"));
        assert!(f.is_empty(), "deploy limits count: {f:#?}");
    }

    #[test]
    fn ports_bound_to_all_interfaces_and_privileged_ports() {
        let f = run_doc(&HARDENED.replace(
            "      - \"127.0.0.1:8080:80\"\n",
            "      - \"80:80\"\n      - 9000\n      - target: 443\n        published: \"443\"\n        host_ip: 10.0.0.1\n      - \"127.0.0.1:8000-8010:8000-8010\"\n",
        ));
        let got: Vec<(&str, &str)> = f.iter().map(|f| (f.slug, f.pointer.as_str())).collect();
        assert_eq!(
            got,
            [
                (
                    "container-ports-bound-to-interface",
                    "/services/web/ports/0"
                ),
                ("container-no-privileged-ports", "/services/web/ports/0"),
                (
                    "container-ports-bound-to-interface",
                    "/services/web/ports/1"
                ),
                ("container-no-privileged-ports", "/services/web/ports/2"),
            ]
        );
    }

    #[test]
    fn restart_policies() {
        for (policy, fails) in [
            ("\"no\"", false),
            ("\"on-failure:5\"", false),
            ("\"on-failure:6\"", true),
            ("on-failure", true),
            ("always", true),
            ("unless-stopped", true),
        ] {
            let f = run_doc(
                &HARDENED.replace("restart: \"on-failure:3\"", &format!("restart: {policy}")),
            );
            assert_eq!(!f.is_empty(), fails, "{policy}: {f:?}");
        }
        let f = run_doc(&HARDENED.replace(
            "    restart: \"on-failure:3\"\n",
            "    deploy:\n      restart_policy: {condition: on-failure, max_attempts: 3}\n",
        ));
        assert!(f.is_empty());
        let f = run_doc(&HARDENED.replace(
            "    restart: \"on-failure:3\"\n",
            "    deploy:\n      restart_policy: {condition: any}\n",
        ));
        assert_eq!(slugs(&f), ["container-restart-policy"]);
    }

    #[test]
    fn security_options() {
        let f = run_doc(&HARDENED.replace(
            "      - no-new-privileges:true\n",
            "      - seccomp:unconfined\n      - apparmor=unconfined\n      - label:disable\n",
        ));
        assert_eq!(
            slugs(&f),
            [
                "container-apparmor-profile",
                "container-no-new-privileges",
                "container-seccomp-not-disabled",
                "container-selinux-options"
            ]
        );
        let f = run_doc(&HARDENED.replace("no-new-privileges:true", "no-new-privileges=false"));
        assert_eq!(f[0].pointer, "/services/web/security_opt/0");
        let f = run_doc(&HARDENED.replace("no-new-privileges:true", "no-new-privileges"));
        assert!(f.is_empty());
    }

    #[test]
    fn short_volume_syntax() {
        let m = Mount::short("/var/run/docker.sock:/var/run/docker.sock:ro");
        assert!(m.bind && m.read_only);
        assert_eq!(m.source, "/var/run/docker.sock");
        let m = Mount::short("data:/var/lib/data");
        assert!(!m.bind);
        let m = Mount::short("./conf:/etc/app:rw,rshared");
        assert!(m.bind && !m.read_only);
        assert_eq!(m.propagation.as_deref(), Some("rshared"));
        let m = Mount::short("/cache");
        assert!(!m.bind, "an anonymous volume is not a bind mount");
        let m = Mount::short("C:\\data:/data");
        assert!(m.bind);
        assert_eq!(m.source, "C:\\data");
    }

    #[test]
    fn short_port_syntax() {
        let p = Port::short("80");
        assert!(p.all_interfaces() && p.lowest_host_port().is_none());
        let p = Port::short("8080:80");
        assert_eq!(p.lowest_host_port(), Some(8080));
        assert!(p.all_interfaces());
        let p = Port::short("127.0.0.1:443:443/tcp");
        assert!(!p.all_interfaces());
        assert_eq!(p.lowest_host_port(), Some(443));
        let p = Port::short("127.0.0.1::80");
        assert!(!p.all_interfaces() && p.lowest_host_port().is_none());
        let p = Port::short("[::1]:8080:80");
        assert_eq!(p.host_ip, "::1");
        assert_eq!(p.lowest_host_port(), Some(8080));
        let p = Port::short("1000-1030:1000-1030");
        assert_eq!(p.lowest_host_port(), Some(1000));
        let p = Port::short("::1:8080:80");
        assert_eq!((p.host_ip.as_str(), p.published.as_str()), ("::1", "8080"));
    }
}
