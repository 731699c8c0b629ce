//! Container patches. What Docker can change on a running container (`docker update`: memory and
//! swap, PIDs limit, CPU shares, restart policy) is applied through the Engine API and shown as
//! the equivalent CLI command. What needs a re-create (privilege, capabilities, read-only root,
//! namespaces, mounts, security options) is shown as a corrected `docker run` line derived from
//! the container's inspect data, every word shell-quoted (names and values are hostile input).

use bollard::models::{
    ContainerInspectResponse, ContainerUpdateBody, ImageConfig, RestartPolicy,
    RestartPolicyNameEnum,
};
use serde::{Deserialize, Serialize};

use super::shell;
use crate::checks::docker::runtime::{DEFAULT_CAPABILITIES, is_sensitive_mount};
use crate::checks::secrets;
use crate::facts::docker::{ContainerView, DockerFacts, split_security_opt};

/// Live-changeable settings of one container. `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateValues {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_swap: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pids_limit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_shares: Option<i64>,
    /// Restart policy name and maximum retry count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<(String, i64)>,
}

impl UpdateValues {
    pub fn is_empty(&self) -> bool {
        *self == UpdateValues::default()
    }

    /// Fill the unset fields from `other` (combining several picks on one container).
    pub fn merge(&mut self, other: &UpdateValues) {
        self.memory = self.memory.or(other.memory);
        self.memory_swap = self.memory_swap.or(other.memory_swap);
        self.pids_limit = self.pids_limit.or(other.pids_limit);
        self.cpu_shares = self.cpu_shares.or(other.cpu_shares);
        if self.restart.is_none() {
            self.restart.clone_from(&other.restart);
        }
    }

    /// The current values of the fields set in `self`, read from inspect data.
    pub fn current(&self, inspect: &ContainerInspectResponse) -> UpdateValues {
        let hc = ContainerView::new(inspect).host_config();
        UpdateValues {
            memory: self.memory.map(|_| hc.memory.unwrap_or(0)),
            memory_swap: self.memory_swap.map(|_| hc.memory_swap.unwrap_or(0)),
            pids_limit: self.pids_limit.map(|_| hc.pids_limit.unwrap_or(0)),
            cpu_shares: self.cpu_shares.map(|_| hc.cpu_shares.unwrap_or(0)),
            restart: self.restart.as_ref().map(|_| {
                let p = hc.restart_policy.clone().unwrap_or_default();
                (
                    p.name.map(|n| n.to_string()).unwrap_or_default(),
                    p.maximum_retry_count.unwrap_or(0),
                )
            }),
        }
    }

    /// The Engine API body for `POST /containers/{id}/update`.
    pub fn body(&self) -> ContainerUpdateBody {
        ContainerUpdateBody {
            memory: self.memory,
            memory_swap: self.memory_swap,
            pids_limit: self.pids_limit,
            cpu_shares: self.cpu_shares,
            restart_policy: self.restart.as_ref().map(|(name, max)| RestartPolicy {
                name: Some(restart_name(name)),
                maximum_retry_count: (name == "on-failure").then_some(*max),
            }),
            ..Default::default()
        }
    }

    /// The equivalent `docker update` command line.
    pub fn command(&self, container: &str) -> String {
        let mut words: Vec<String> = vec!["docker".into(), "update".into()];
        if let Some(m) = self.memory {
            words.extend(["--memory".into(), bytes_text(m)]);
        }
        if let Some(s) = self.memory_swap {
            words.extend(["--memory-swap".into(), bytes_text(s)]);
        }
        if let Some(p) = self.pids_limit {
            words.extend(["--pids-limit".into(), p.to_string()]);
        }
        if let Some(c) = self.cpu_shares {
            words.extend(["--cpu-shares".into(), c.to_string()]);
        }
        if let Some((name, max)) = &self.restart {
            let policy = match name.as_str() {
                "on-failure" if *max > 0 => format!("{name}:{max}"),
                "" => "no".into(),
                _ => name.clone(),
            };
            words.extend(["--restart".into(), policy]);
        }
        // `--` keeps a name that starts with '-' from being read as an option.
        words.push("--".into());
        words.push(container.to_string());
        shell::join(&words)
    }

    /// Values that reverse `self` given the values before it (`old`), and what cannot be
    /// reversed: Docker treats a memory limit of 0 as "unchanged", so an unlimited container
    /// cannot get its "no limit" back without a re-create.
    pub fn reversal(old: &UpdateValues) -> (UpdateValues, Vec<String>) {
        let mut notes = Vec::new();
        let memory = match old.memory {
            Some(0) => {
                notes.push("memory limit: was unlimited; Docker cannot remove a memory limit from an existing container (0 means \"unchanged\" to docker update), re-create it to restore".into());
                None
            }
            other => other,
        };
        // Unlimited swap is -1 to the API; 0 (unset) would be ignored.
        let memory_swap = match old.memory_swap {
            Some(0) if memory.is_none() => None,
            Some(0) => Some(-1),
            other => other,
        };
        // Without a memory reversal, swap must stay consistent with the new memory limit.
        let memory_swap = if memory.is_none() && old.memory == Some(0) {
            None
        } else {
            memory_swap
        };
        let cpu_shares = match old.cpu_shares {
            // 0 means "unchanged" to the API; 1024 is the default weight it stood for.
            Some(0) => Some(1024),
            other => other,
        };
        let restart = old.restart.as_ref().map(|(name, max)| {
            if name.is_empty() {
                ("no".to_string(), 0)
            } else {
                (name.clone(), *max)
            }
        });
        // No PIDs limit is -1 to both the API and the CLI (the CLI reads 0 as "unchanged").
        let pids_limit = old.pids_limit.map(|p| if p <= 0 { -1 } else { p });
        (
            UpdateValues {
                memory,
                memory_swap,
                pids_limit,
                cpu_shares,
                restart,
            },
            notes,
        )
    }
}

fn restart_name(name: &str) -> RestartPolicyNameEnum {
    match name {
        "always" => RestartPolicyNameEnum::ALWAYS,
        "unless-stopped" => RestartPolicyNameEnum::UNLESS_STOPPED,
        "on-failure" => RestartPolicyNameEnum::ON_FAILURE,
        _ => RestartPolicyNameEnum::NO,
    }
}

/// `512m`-style text for whole mebibytes, else bytes; `-1` stays `-1`.
pub fn bytes_text(bytes: i64) -> String {
    const MIB: i64 = 1024 * 1024;
    if bytes > 0 && bytes % (1024 * MIB) == 0 {
        format!("{}g", bytes / (1024 * MIB))
    } else if bytes > 0 && bytes % MIB == 0 {
        format!("{}m", bytes / MIB)
    } else {
        bytes.to_string()
    }
}

/// Parse `512m`, `1g`, `300k` or a byte count.
pub fn parse_bytes(text: &str) -> Result<i64, String> {
    let t = text.trim().to_ascii_lowercase();
    let t = t.strip_suffix('b').unwrap_or(&t);
    let (digits, mult) = match t.chars().last() {
        Some('k') => (&t[..t.len() - 1], 1024),
        Some('m') => (&t[..t.len() - 1], 1024 * 1024),
        Some('g') => (&t[..t.len() - 1], 1024 * 1024 * 1024),
        _ => (t, 1),
    };
    let n: i64 = digits
        .parse()
        .map_err(|_| format!("{text:?}: expected a size such as 512m or 1g"))?;
    n.checked_mul(mult)
        .filter(|v| *v >= 6 * 1024 * 1024)
        .ok_or_else(|| format!("{text:?}: Docker's minimum memory limit is 6m"))
}

/// Corrections a re-create applies to a container's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recreate {
    NotPrivileged,
    DefaultCapabilitiesOnly,
    ReadOnlyRootfs,
    NoHostNetwork,
    NoHostPid,
    NoHostIpc,
    NoHostUts,
    NoHostUserns,
    NoSensitiveMounts,
    NoDockerSocket,
    NoSharedPropagation,
    NoSeccompUnconfined,
    NoApparmorUnconfined,
    NoSelinuxDisable,
    NoNewPrivileges,
    NoHostDevices,
    PortsOnLoopback,
}

impl Recreate {
    /// How a bundled re-create names this correction: `(false, "--privileged")` reads "without
    /// --privileged", `(true, "a read-only root file system")` reads "with ...".
    pub fn phrase(self) -> (bool, &'static str) {
        use Recreate::*;
        match self {
            NotPrivileged => (false, "--privileged"),
            DefaultCapabilitiesOnly => (false, "the added capabilities"),
            ReadOnlyRootfs => (true, "a read-only root file system"),
            NoHostNetwork => (false, "host networking"),
            NoHostPid => (false, "the host's PID namespace"),
            NoHostIpc => (false, "the host's IPC namespace"),
            NoHostUts => (false, "the host's UTS namespace"),
            NoHostUserns => (false, "--userns=host"),
            NoSensitiveMounts => (false, "the sensitive host mounts"),
            NoDockerSocket => (false, "the Docker socket"),
            NoSharedPropagation => (false, "shared mount propagation"),
            NoSeccompUnconfined => (false, "seccomp=unconfined"),
            NoApparmorUnconfined => (false, "apparmor=unconfined"),
            NoSelinuxDisable => (false, "label=disable"),
            NoNewPrivileges => (true, "no-new-privileges"),
            NoHostDevices => (false, "host devices"),
            PortsOnLoopback => (true, "ports published on 127.0.0.1 only"),
        }
    }
}

/// A `docker run` line that re-creates a container, as words (not yet quoted).
#[derive(Debug, Clone, Default)]
pub struct RunSpec {
    pub name: String,
    pub options: Vec<(String, Option<String>)>,
    pub image: String,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Vec<String>,
    /// What the line does not reproduce, for a person to check.
    pub notes: Vec<String>,
    /// Environment variables whose values look like credentials: the line passes them as
    /// `--env=NAME` (the value from the shell's environment) and [`RunSpec::secret_exports`]
    /// copies them from the old container at run time, so no plan, report or stored record
    /// ever holds the value.
    pub secret_env: Vec<String>,
}

impl RunSpec {
    fn opt(&mut self, flag: &str, value: impl Into<String>) {
        self.options.push((flag.to_string(), Some(value.into())));
    }
    fn flag(&mut self, flag: &str) {
        self.options.push((flag.to_string(), None));
    }
    fn remove_where(&mut self, f: impl Fn(&str, Option<&str>) -> bool) -> Vec<String> {
        let mut removed = Vec::new();
        self.options.retain(|(k, v)| {
            let hit = f(k, v.as_deref());
            if hit {
                removed.push(match v {
                    Some(v) => format!("{k} {v}"),
                    None => k.clone(),
                });
            }
            !hit
        });
        removed
    }

    /// The words of the command, `docker run …`.
    pub fn argv(&self) -> Vec<String> {
        let mut words: Vec<String> = vec!["docker".into(), "run".into(), "-d".into()];
        words.push(format!("--name={}", self.name));
        for (k, v) in &self.options {
            match v {
                Some(v) => words.push(format!("{k}={v}")),
                None => words.push(k.clone()),
            }
        }
        if let Some(ep) = &self.entrypoint {
            words.push(format!(
                "--entrypoint={}",
                ep.first().cloned().unwrap_or_default()
            ));
        }
        words.push("--".into());
        words.push(self.image.clone());
        if let Some(ep) = &self.entrypoint {
            words.extend(ep.iter().skip(1).cloned());
        }
        words.extend(self.cmd.iter().cloned());
        words
    }

    pub fn command(&self) -> String {
        shell::join(&self.argv())
    }

    /// The lines that replace the container: rename the old one aside and stop it, set the
    /// credential variables from it, run the corrected line, and remove the old one once the new
    /// one works.
    pub fn recreate_commands(&self) -> Vec<String> {
        let old = format!("{}-pre-harden", self.name);
        let mut commands = vec![
            shell::join(&["docker", "rename", "--", self.name.as_str(), old.as_str()]),
            shell::join(&["docker", "stop", "--", old.as_str()]),
        ];
        commands.extend(self.secret_exports(&old));
        commands.push(self.command());
        if !self.secret_env.is_empty() {
            commands.push(format!("unset {}", self.secret_env.join(" ")));
        }
        commands.push(format!(
            "{}   # once the new container works",
            shell::join(&["docker", "rm", "--", old.as_str()])
        ));
        commands
    }

    /// Shell lines that set each of [`RunSpec::secret_env`] from the environment of the
    /// container `old` (the one being replaced), for the `docker run` line that follows.
    pub fn secret_exports(&self, old: &str) -> Vec<String> {
        self.secret_env
            .iter()
            .map(|name| {
                // `name` is a shell identifier (checked in run_spec), safe unquoted and in sed.
                format!(
                    "export {name}=\"$(docker container inspect --format '{{{{range .Config.Env}}}}{{{{println .}}}}{{{{end}}}}' -- {} | sed -n 's/^{name}=//p')\"",
                    shell::quote(old)
                )
            })
            .collect()
    }
}

/// A name the shell can `export` (and `sed` can match literally): `[A-Za-z_][A-Za-z0-9_]*`.
fn is_shell_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The image's own config, to leave out what the container inherited from it.
fn image_config<'a>(docker: &'a DockerFacts, image_id: &str) -> Option<&'a ImageConfig> {
    docker
        .images
        .iter()
        .find(|i| i.id == image_id)
        .and_then(|i| i.inspect.seen())
        .and_then(|i| i.config.as_ref())
}

/// Rebuild the `docker run` options of a container from its inspect data.
pub fn run_spec(docker: &DockerFacts, inspect: &ContainerInspectResponse) -> RunSpec {
    let view = ContainerView::new(inspect);
    let hc = view.host_config();
    let cfg = inspect.config.clone().unwrap_or_default();
    let image_id = inspect.image.as_deref().unwrap_or("");
    let image_cfg = image_config(docker, image_id);
    let mut spec = RunSpec {
        name: view.name().to_string(),
        image: view.image().to_string(),
        ..Default::default()
    };
    if image_cfg.is_none() {
        spec.notes.push(format!(
            "image {image_id} was not inspected: every environment variable and label is repeated, including the image's own"
        ));
    }
    let image_env: Vec<String> = image_cfg.and_then(|i| i.env.clone()).unwrap_or_default();
    for e in cfg.env.iter().flatten() {
        if image_env.contains(e) {
            continue;
        }
        match secrets::check_env_entry(e) {
            None => spec.opt("--env", e.clone()),
            Some(found) => {
                let name = e.split_once('=').map_or(e.as_str(), |(n, _)| n);
                if is_shell_identifier(name) {
                    spec.opt("--env", name);
                    spec.secret_env.push(name.to_string());
                } else {
                    // No way to pass it from the shell: the value is left for a person to copy.
                    spec.opt("--env", format!("{name}=<copy from the old container>"));
                    spec.notes.push(format!(
                        "environment variable {:?} looks like a credential ({}); copy its value from the old container by hand",
                        crate::report::sanitize::terminal(name),
                        found.reason
                    ));
                }
            }
        }
    }
    let image_labels = image_cfg.and_then(|i| i.labels.clone()).unwrap_or_default();
    let mut labels: Vec<(&String, &String)> = cfg.labels.iter().flatten().collect();
    labels.sort();
    for (k, v) in labels {
        if image_labels.get(k) == Some(v) {
            continue;
        }
        if let Some(found) = secrets::check_assignment(k, v) {
            spec.opt("--label", format!("{k}=<copy from the old container>"));
            spec.notes.push(format!(
                "label {:?} looks like a credential ({}); copy its value from the old container by hand",
                crate::report::sanitize::terminal(k),
                found.reason
            ));
        } else {
            spec.opt("--label", format!("{k}={v}"));
        }
    }
    let user = cfg.user.clone().unwrap_or_default();
    if !user.is_empty() && image_cfg.and_then(|i| i.user.clone()).unwrap_or_default() != user {
        spec.opt("--user", user);
    }
    let workdir = cfg.working_dir.clone().unwrap_or_default();
    if !workdir.is_empty()
        && image_cfg
            .and_then(|i| i.working_dir.clone())
            .unwrap_or_default()
            != workdir
    {
        spec.opt("--workdir", workdir);
    }
    if cfg.tty == Some(true) {
        spec.flag("--tty");
    }
    if cfg.open_stdin == Some(true) {
        spec.flag("--interactive");
    }
    // Network and namespaces.
    match hc.network_mode.as_deref().unwrap_or("default") {
        "default" | "bridge" | "" => {}
        other => spec.opt("--network", other),
    }
    for (flag, mode) in [
        ("--pid", hc.pid_mode.as_deref()),
        ("--uts", hc.uts_mode.as_deref()),
        ("--userns", hc.userns_mode.as_deref()),
    ] {
        if let Some(m) = mode.filter(|m| !m.is_empty()) {
            spec.opt(flag, m);
        }
    }
    if let Some(m) = hc
        .ipc_mode
        .as_deref()
        .filter(|m| !matches!(*m, "" | "private" | "shareable"))
    {
        spec.opt("--ipc", m);
    }
    // Ports.
    let mut ports: Vec<(&String, &Option<Vec<bollard::models::PortBinding>>)> =
        hc.port_bindings.iter().flatten().collect();
    ports.sort_by(|a, b| a.0.cmp(b.0));
    for (port, bindings) in ports {
        for b in bindings.iter().flatten() {
            let ip = b.host_ip.clone().unwrap_or_default();
            let hp = b.host_port.clone().unwrap_or_default();
            let value = match (ip.is_empty(), hp.is_empty()) {
                (true, true) => port.clone(),
                (true, false) => format!("{hp}:{port}"),
                (false, _) => format!("{}:{hp}:{port}", bracket_v6(&ip)),
            };
            spec.opt("--publish", value);
        }
    }
    if hc.publish_all_ports == Some(true) {
        spec.flag("--publish-all");
    }
    // Storage.
    let binds: Vec<String> = hc.binds.clone().unwrap_or_default();
    for b in &binds {
        spec.opt("--volume", b.clone());
    }
    for m in hc.mounts.iter().flatten() {
        let mut parts = vec![format!(
            "type={}",
            m.typ
                .map(|t| t.to_string())
                .unwrap_or_else(|| "volume".into())
        )];
        if let Some(s) = m.source.as_deref().filter(|s| !s.is_empty()) {
            parts.push(format!("source={s}"));
        }
        parts.push(format!("target={}", m.target.clone().unwrap_or_default()));
        if m.read_only == Some(true) {
            parts.push("readonly".into());
        }
        if let Some(p) = m
            .bind_options
            .as_ref()
            .and_then(|o| o.propagation)
            .map(|p| p.to_string())
            .filter(|p| !p.is_empty())
        {
            parts.push(format!("bind-propagation={p}"));
        }
        spec.opt("--mount", parts.join(","));
    }
    // Volumes the container got from the image (anonymous) keep their data under their name.
    let declared: Vec<String> = binds
        .iter()
        .filter_map(|b| bind_parts(b).map(|p| p.1))
        .chain(hc.mounts.iter().flatten().filter_map(|m| m.target.clone()))
        .collect();
    for m in inspect.mounts.iter().flatten() {
        let dest = m.destination.clone().unwrap_or_default();
        if m.typ.as_deref() == Some("volume")
            && !declared.contains(&dest)
            && let Some(name) = m.name.as_deref()
        {
            spec.opt("--volume", format!("{name}:{dest}"));
        }
    }
    let mut tmpfs: Vec<(&String, &String)> = hc.tmpfs.iter().flatten().collect();
    tmpfs.sort();
    for (path, opts) in tmpfs {
        spec.opt(
            "--tmpfs",
            if opts.is_empty() {
                path.clone()
            } else {
                format!("{path}:{opts}")
            },
        );
    }
    if hc.readonly_rootfs == Some(true) {
        spec.flag("--read-only");
    }
    // Privilege and confinement.
    if hc.privileged == Some(true) {
        spec.flag("--privileged");
    }
    for c in hc.cap_add.iter().flatten() {
        spec.opt("--cap-add", c.clone());
    }
    for c in hc.cap_drop.iter().flatten() {
        spec.opt("--cap-drop", c.clone());
    }
    for s in hc.security_opt.iter().flatten() {
        // dockerd adds label=disable by itself to privileged containers.
        if hc.privileged == Some(true)
            && split_security_opt(s) == ("label".into(), "disable".into())
        {
            continue;
        }
        spec.opt("--security-opt", s.clone());
    }
    for d in hc.devices.iter().flatten() {
        let mut v = d.path_on_host.clone().unwrap_or_default();
        if let Some(c) = d.path_in_container.as_deref().filter(|c| !c.is_empty()) {
            v.push(':');
            v.push_str(c);
        }
        if let Some(p) = d
            .cgroup_permissions
            .as_deref()
            .filter(|p| !p.is_empty() && *p != "rwm")
        {
            v.push(':');
            v.push_str(p);
        }
        spec.opt("--device", v);
    }
    for u in hc.ulimits.iter().flatten() {
        spec.opt(
            "--ulimit",
            format!(
                "{}={}:{}",
                u.name.clone().unwrap_or_default(),
                u.soft.unwrap_or(0),
                u.hard.unwrap_or(0)
            ),
        );
    }
    if let Some(g) = hc.cgroup_parent.as_deref().filter(|g| !g.is_empty()) {
        spec.opt("--cgroup-parent", g);
    }
    if hc.init == Some(true) {
        spec.flag("--init");
    }
    // Resources and restart policy, so the new container keeps them.
    if let Some(m) = hc.memory.filter(|m| *m > 0) {
        spec.opt("--memory", bytes_text(m));
    }
    if let Some(s) = hc.memory_swap.filter(|s| *s != 0) {
        spec.opt("--memory-swap", bytes_text(s));
    }
    if let Some(p) = hc.pids_limit.filter(|p| *p > 0) {
        spec.opt("--pids-limit", p.to_string());
    }
    if let Some(c) = hc.cpu_shares.filter(|c| *c > 0) {
        spec.opt("--cpu-shares", c.to_string());
    }
    if let Some(n) = hc.nano_cpus.filter(|n| *n > 0) {
        spec.opt("--cpus", format!("{}", n as f64 / 1e9));
    }
    if let Some(c) = hc.cpuset_cpus.as_deref().filter(|c| !c.is_empty()) {
        spec.opt("--cpuset-cpus", c);
    }
    if let Some(p) = &hc.restart_policy {
        match (p.name, p.maximum_retry_count.unwrap_or(0)) {
            (Some(RestartPolicyNameEnum::ON_FAILURE), n) if n > 0 => {
                spec.opt("--restart", format!("on-failure:{n}"))
            }
            (Some(RestartPolicyNameEnum::EMPTY | RestartPolicyNameEnum::NO) | None, _) => {}
            (Some(name), _) => spec.opt("--restart", name.to_string()),
        }
    }
    if let Some(log) = &hc.log_config {
        let driver = log.typ.clone().unwrap_or_default();
        let daemon_default = docker.info.logging_driver.clone().unwrap_or_default();
        if !driver.is_empty() && driver != daemon_default {
            spec.opt("--log-driver", driver);
        }
        let mut opts: Vec<(&String, &String)> = log.config.iter().flatten().collect();
        opts.sort();
        for (k, v) in opts {
            spec.opt("--log-opt", format!("{k}={v}"));
        }
    }
    for h in hc.extra_hosts.iter().flatten() {
        spec.opt("--add-host", h.clone());
    }
    for d in hc.dns.iter().flatten() {
        spec.opt("--dns", d.clone());
    }
    if hc.auto_remove == Some(true) {
        spec.flag("--rm");
    }
    // Command: only what differs from the image.
    let image_ep = image_cfg
        .and_then(|i| i.entrypoint.clone())
        .unwrap_or_default();
    let ep = cfg.entrypoint.clone().unwrap_or_default();
    if ep != image_ep && !ep.is_empty() {
        spec.entrypoint = Some(ep);
    }
    let image_cmd = image_cfg.and_then(|i| i.cmd.clone()).unwrap_or_default();
    let cmd = cfg.cmd.clone().unwrap_or_default();
    if cmd != image_cmd || spec.entrypoint.is_some() || image_cfg.is_none() {
        spec.cmd = cmd;
    }
    if hc.links.iter().flatten().next().is_some()
        || hc.volumes_from.iter().flatten().next().is_some()
    {
        spec.notes
            .push("--link / --volumes-from are not reproduced".into());
    }
    let networks = inspect
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.as_ref())
        .map(|n| n.len())
        .unwrap_or(0);
    if networks > 1 {
        spec.notes.push(format!(
            "connected to {networks} networks: `docker network connect` the others after the run"
        ));
    }
    if cfg.healthcheck.is_some()
        && image_cfg.and_then(|i| i.healthcheck.as_ref()) != cfg.healthcheck.as_ref()
    {
        spec.notes
            .push("the container's own health check is not reproduced".into());
    }
    spec
}

fn bracket_v6(ip: &str) -> String {
    if ip.contains(':') && !ip.starts_with('[') {
        format!("[{ip}]")
    } else {
        ip.to_string()
    }
}

/// (source, destination, options) of a `-v` bind string.
fn bind_parts(bind: &str) -> Option<(String, String, Vec<String>)> {
    let mut parts = bind.splitn(3, ':');
    let src = parts.next()?.to_string();
    let dst = parts.next()?.to_string();
    let opts = parts
        .next()
        .map(|o| {
            o.split(',')
                .map(str::to_string)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Some((src, dst, opts))
}

fn bind_string(src: &str, dst: &str, opts: &[String]) -> String {
    if opts.is_empty() {
        format!("{src}:{dst}")
    } else {
        format!("{src}:{dst}:{}", opts.join(","))
    }
}

fn holds_docker_socket(src: &str) -> bool {
    src.ends_with("docker.sock")
        || matches!(src, "/var/run" | "/run" | "/var/run/docker" | "/run/docker")
}

/// Apply one correction to a run spec; returns what changed, for the plan.
pub fn apply_fix(spec: &mut RunSpec, fix: Recreate) -> Vec<String> {
    let mut changed = Vec::new();
    let drop_privileged = |spec: &mut RunSpec, changed: &mut Vec<String>| {
        changed.extend(spec.remove_where(|k, _| k == "--privileged"));
    };
    match fix {
        Recreate::NotPrivileged => drop_privileged(spec, &mut changed),
        Recreate::DefaultCapabilitiesOnly => {
            drop_privileged(spec, &mut changed);
            changed.extend(spec.remove_where(|k, v| {
                k == "--cap-add"
                    && v.is_some_and(|c| {
                        let c = c.trim().to_ascii_uppercase();
                        !DEFAULT_CAPABILITIES.contains(&c.trim_start_matches("CAP_"))
                    })
            }));
        }
        Recreate::ReadOnlyRootfs => {
            if !spec.options.iter().any(|(k, _)| k == "--read-only") {
                spec.flag("--read-only");
                changed.push("+ --read-only".into());
            }
            let has_tmp = spec.options.iter().any(|(k, v)| {
                (k == "--tmpfs" || k == "--volume" || k == "--mount")
                    && v.as_deref().is_some_and(|v| {
                        v.starts_with("/tmp") || v.contains(":/tmp") || v.contains("target=/tmp")
                    })
            });
            if !has_tmp {
                spec.opt("--tmpfs", "/tmp");
                changed.push("+ --tmpfs /tmp".into());
            }
        }
        Recreate::NoHostNetwork => {
            changed.extend(spec.remove_where(|k, v| k == "--network" && v == Some("host")))
        }
        Recreate::NoHostPid => {
            changed.extend(spec.remove_where(|k, v| k == "--pid" && v == Some("host")))
        }
        Recreate::NoHostIpc => {
            changed.extend(spec.remove_where(|k, v| k == "--ipc" && v == Some("host")))
        }
        Recreate::NoHostUts => {
            changed.extend(spec.remove_where(|k, v| k == "--uts" && v == Some("host")))
        }
        Recreate::NoHostUserns => {
            changed.extend(spec.remove_where(|k, v| k == "--userns" && v == Some("host")))
        }
        // Read-only is not enough for 5.6 (a read-only /etc still hands over /etc/shadow): the
        // mounts go, except clock files mounted read-only, which 5.6 does not flag.
        Recreate::NoSensitiveMounts => changed.extend(spec.remove_where(|k, v| {
            let bind = match k {
                "--volume" => v
                    .and_then(bind_parts)
                    .map(|(s, _, o)| (s, !o.iter().any(|o| o == "ro"))),
                "--mount" => v.and_then(|v| {
                    let parts: Vec<&str> = v.split(',').collect();
                    let src = parts.iter().find_map(|p| {
                        p.strip_prefix("source=").or_else(|| p.strip_prefix("src="))
                    })?;
                    let bind = parts
                        .iter()
                        .all(|p| !p.starts_with("type=") || *p == "type=bind");
                    let ro = parts
                        .iter()
                        .any(|p| matches!(*p, "readonly" | "ro" | "readonly=true" | "ro=true"));
                    bind.then(|| (src.to_string(), !ro))
                }),
                _ => None,
            };
            bind.is_some_and(|(src, writable)| is_sensitive_mount(&src, writable))
        })),
        Recreate::NoDockerSocket => changed.extend(spec.remove_where(|k, v| {
            (k == "--volume"
                && v.and_then(bind_parts)
                    .is_some_and(|(s, _, _)| holds_docker_socket(&s)))
                || (k == "--mount"
                    && v.is_some_and(|v| {
                        v.split(',')
                            .any(|p| p.strip_prefix("source=").is_some_and(holds_docker_socket))
                    }))
        })),
        Recreate::NoSharedPropagation => {
            for (k, v) in spec.options.iter_mut() {
                let Some(text) = v.clone() else { continue };
                let new = match k.as_str() {
                    "--volume" => bind_parts(&text).map(|(s, d, mut o)| {
                        o.retain(|x| x != "shared" && x != "rshared");
                        bind_string(&s, &d, &o)
                    }),
                    "--mount" => Some(
                        text.split(',')
                            .filter(|p| {
                                !matches!(
                                    *p,
                                    "bind-propagation=shared" | "bind-propagation=rshared"
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(","),
                    ),
                    _ => None,
                };
                if let Some(new) = new.filter(|n| *n != text) {
                    changed.push(format!("{k} {text} -> {new}"));
                    *v = Some(new);
                }
            }
        }
        Recreate::NoSeccompUnconfined
        | Recreate::NoApparmorUnconfined
        | Recreate::NoSelinuxDisable => {
            drop_privileged(spec, &mut changed);
            let (key, bad) = match fix {
                Recreate::NoSeccompUnconfined => ("seccomp", "unconfined"),
                Recreate::NoApparmorUnconfined => ("apparmor", "unconfined"),
                _ => ("label", "disable"),
            };
            changed.extend(spec.remove_where(|k, v| {
                k == "--security-opt"
                    && v.is_some_and(|v| {
                        split_security_opt(v) == (key.to_string(), bad.to_string())
                    })
            }));
        }
        Recreate::NoNewPrivileges => {
            changed.extend(spec.remove_where(|k, v| {
                k == "--security-opt"
                    && v.is_some_and(|v| split_security_opt(v).0 == "no-new-privileges")
            }));
            spec.opt("--security-opt", "no-new-privileges=true");
            changed.push("+ --security-opt no-new-privileges=true".into());
        }
        Recreate::NoHostDevices => {
            drop_privileged(spec, &mut changed);
            changed.extend(spec.remove_where(|k, _| k == "--device"));
        }
        Recreate::PortsOnLoopback => {
            for (k, v) in spec.options.iter_mut() {
                if k != "--publish" {
                    continue;
                }
                let Some(text) = v.clone() else { continue };
                let parts: Vec<&str> = text.split(':').collect();
                let new = match parts.as_slice() {
                    [cp] => format!("127.0.0.1::{cp}"),
                    [hp, cp] => format!("127.0.0.1:{hp}:{cp}"),
                    [ip, hp, cp] if matches!(*ip, "" | "0.0.0.0" | "[::]" | "::") => {
                        format!("127.0.0.1:{hp}:{cp}")
                    }
                    _ => continue,
                };
                changed.push(format!("--publish {text} -> {new}"));
                *v = Some(new);
            }
        }
    }
    changed
}

/// The mount types of a container, for side-effect notes.
pub fn has_volume_mounts(inspect: &ContainerInspectResponse) -> bool {
    inspect
        .mounts
        .iter()
        .flatten()
        .any(|m| matches!(m.typ.as_deref(), Some("volume" | "bind")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::{ContainerConfig, HostConfig};

    fn docker_facts() -> DockerFacts {
        serde_json::from_value(serde_json::json!({
            "endpoint": "unix:///x", "api_version": "1.41", "version": {}, "info": {},
            "all_containers": false, "containers": []
        }))
        .unwrap()
    }

    fn container(name: &str, hc: HostConfig, cmd: Vec<&str>) -> ContainerInspectResponse {
        ContainerInspectResponse {
            name: Some(format!("/{name}")),
            id: Some("abc".into()),
            config: Some(ContainerConfig {
                image: Some("busybox:1".into()),
                cmd: Some(cmd.into_iter().map(str::to_string).collect()),
                env: Some(vec!["MSG=$(id) it's".into()]),
                ..Default::default()
            }),
            host_config: Some(hc),
            ..Default::default()
        }
    }

    /// Credential-looking environment values never appear in the plan's lines, yet the lines
    /// still give the new container those values: run through bash with a stand-in `docker`
    /// that answers `container inspect` as the old container would and echoes `run`'s env.
    #[test]
    fn secret_env_values_are_fetched_at_run_time_not_printed() {
        let password = "Sup3r-s3cret-db-pass";
        let aws = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let mut c = container("db it's", HostConfig::default(), vec!["postgres"]);
        c.config.as_mut().unwrap().env = Some(vec![
            format!("DB_PASSWORD={password}"),
            format!("AWS_SECRET_ACCESS_KEY={aws}"),
            "bad-name.TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789".into(),
            "PGDATA=/var/lib/postgresql/data".into(),
        ]);
        c.config.as_mut().unwrap().labels = Some(
            [(
                "api_token".to_string(),
                "tok-9f8e7d6c5b4a39281706".to_string(),
            )]
            .into_iter()
            .collect(),
        );
        let spec = run_spec(&docker_facts(), &c);
        let old = "db it's-pre-harden";
        let mut lines = spec.secret_exports(old);
        lines.push(spec.command());
        let text = lines.join("\n");
        for secret in [
            password,
            aws,
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "tok-9f8e7d6c5b4a39281706",
        ] {
            assert!(!text.contains(secret), "{secret} printed in:\n{text}");
        }
        assert!(
            text.contains("--env=PGDATA=/var/lib/postgresql/data"),
            "{text}"
        );
        assert_eq!(spec.secret_env, ["DB_PASSWORD", "AWS_SECRET_ACCESS_KEY"]);
        assert_eq!(spec.notes.len(), 3, "{:?}", spec.notes); // and: image not inspected
        assert!(spec.notes.iter().any(|n| n.contains("bad-name.TOKEN")));
        assert!(spec.notes.iter().any(|n| n.contains("api_token")));

        let stand_in = format!(
            r#"docker() {{
  if [ "$1 $2" = "container inspect" ]; then
    [ "$5 $6" = "-- "{old_q} ] || {{ echo "inspected $6" >&2; exit 9; }}
    printf '%s\n' 'PATH=/usr/bin' 'DB_PASSWORD={password}' 'AWS_SECRET_ACCESS_KEY={aws}'
  else
    printf 'run DB_PASSWORD=%s\nrun AWS_SECRET_ACCESS_KEY=%s\n' "$DB_PASSWORD" "$AWS_SECRET_ACCESS_KEY"
  fi
}}
set -e
"#,
            old_q = shell::quote(old)
        );
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!("{stand_in}{text}"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("run DB_PASSWORD={password}\nrun AWS_SECRET_ACCESS_KEY={aws}\n")
        );
    }

    #[test]
    fn sensitive_mounts_go_and_clock_files_stay() {
        let hc = HostConfig {
            binds: Some(vec![
                "/etc:/host-etc:ro".into(),
                "/etc/localtime:/etc/localtime:ro".into(),
                "/srv/data:/data".into(),
                "/:/host".into(),
            ]),
            ..Default::default()
        };
        let c = container("web", hc, vec!["sleep", "1d"]);
        let mut spec = run_spec(&docker_facts(), &c);
        let changed = apply_fix(&mut spec, Recreate::NoSensitiveMounts);
        assert_eq!(changed.len(), 2, "{changed:?}");
        let line = spec.command();
        assert!(
            !line.contains("/host-etc") && !line.contains(":/host "),
            "{line}"
        );
        assert!(
            line.contains("--volume=/etc/localtime:/etc/localtime:ro"),
            "{line}"
        );
        assert!(line.contains("--volume=/srv/data:/data"), "{line}");
    }

    #[test]
    fn run_line_quotes_hostile_values_and_drops_privileged() {
        let hc = HostConfig {
            privileged: Some(true),
            network_mode: Some("host".into()),
            binds: Some(vec![
                "/etc:/host-etc".into(),
                "/var/run/docker.sock:/var/run/docker.sock".into(),
            ]),
            cap_add: Some(vec!["SYS_ADMIN".into(), "NET_BIND_SERVICE".into()]),
            memory: Some(512 * 1024 * 1024),
            ..Default::default()
        };
        let c = container(
            "web;rm -rf ~",
            hc,
            vec!["sh", "-c", "echo 'hi' && sleep 1d"],
        );
        let mut spec = run_spec(&docker_facts(), &c);
        let changed = apply_fix(&mut spec, Recreate::DefaultCapabilitiesOnly);
        assert_eq!(changed, vec!["--privileged", "--cap-add SYS_ADMIN"]);
        apply_fix(&mut spec, Recreate::NoHostNetwork);
        apply_fix(&mut spec, Recreate::NoSensitiveMounts);
        apply_fix(&mut spec, Recreate::NoDockerSocket);
        let line = spec.command();
        assert_eq!(
            line,
            "docker run -d '--name=web;rm -rf ~' '--env=MSG=$(id) it'\\''s' \
             --cap-add=NET_BIND_SERVICE --memory=512m -- busybox:1 sh -c 'echo '\\''hi'\\'' && sleep 1d'"
        );
        // Through a real shell the words come back exactly.
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "printf '%s\\n' {}",
                line.trim_start_matches("docker run ")
            ))
            .output()
            .unwrap();
        let words: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(words, spec.argv()[2..].to_vec());
    }

    #[test]
    fn control_characters_in_names_are_escaped() {
        let c = container(
            "evil\u{1b}]0;owned\u{7}",
            HostConfig::default(),
            vec!["sleep", "1"],
        );
        let spec = run_spec(&docker_facts(), &c);
        let line = spec.command();
        assert!(!line.chars().any(char::is_control), "{line:?}");
        assert!(line.contains("$'--name=evil\\x1b]0;owned\\x07'"), "{line}");
        let update = UpdateValues {
            pids_limit: Some(200),
            ..Default::default()
        };
        let cmd = update.command("evil\u{1b}x");
        assert_eq!(cmd, "docker update --pids-limit 200 -- $'evil\\x1bx'");
    }

    #[test]
    fn update_command_and_body() {
        let u = UpdateValues {
            memory: Some(512 * 1024 * 1024),
            memory_swap: Some(512 * 1024 * 1024),
            restart: Some(("on-failure".into(), 5)),
            ..Default::default()
        };
        assert_eq!(
            u.command("api"),
            "docker update --memory 512m --memory-swap 512m --restart on-failure:5 -- api"
        );
        let body = u.body();
        assert_eq!(body.memory, Some(536870912));
        assert_eq!(body.restart_policy.unwrap().maximum_retry_count, Some(5));
    }

    #[test]
    fn reversal_refuses_to_fake_an_unlimited_memory() {
        let old = UpdateValues {
            memory: Some(0),
            memory_swap: Some(0),
            pids_limit: Some(0),
            cpu_shares: Some(0),
            restart: Some(("always".into(), 0)),
        };
        let (back, notes) = UpdateValues::reversal(&old);
        assert_eq!(back.memory, None);
        assert_eq!(back.memory_swap, None);
        assert_eq!(back.pids_limit, Some(-1));
        assert_eq!(back.cpu_shares, Some(1024));
        assert_eq!(back.restart, Some(("always".into(), 0)));
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn sizes_parse_and_render() {
        assert_eq!(parse_bytes("512m"), Ok(512 * 1024 * 1024));
        assert_eq!(parse_bytes("1g"), Ok(1024 * 1024 * 1024));
        assert!(parse_bytes("1k").is_err());
        assert!(parse_bytes("lots").is_err());
        assert_eq!(bytes_text(1024 * 1024 * 1024), "1g");
        assert_eq!(bytes_text(-1), "-1");
    }
}
