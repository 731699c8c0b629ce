//! Where Docker's files are on this host, derived from the facts: the daemon's flags and
//! daemon.json, the Docker API, the process table and the systemd unit files. The collector uses
//! these to know which files to read, and the checks to know which files to judge, so both agree.
//! Pure functions, no I/O.

use super::daemon_config::{DEFAULT_SOCKET, DaemonConfig, Setting};
use super::systemd::{self, UnitFiles};
use super::{Facts, FileKind, HostFacts, Observed, ProcessFact};

/// dockerd's default `--data-root`.
pub const DEFAULT_DATA_ROOT: &str = "/var/lib/docker";
/// dockerd's default `--exec-root`.
pub const DEFAULT_EXEC_ROOT: &str = "/var/run/docker";
/// containerd's default socket (`--address`), which dockerd uses when it exists.
pub const DEFAULT_CONTAINERD_SOCKET: &str = "/run/containerd/containerd.sock";
pub const DEFAULT_CONTAINERD_CONFIG: &str = "/etc/containerd/config.toml";
/// Registry certificate directories (`certs.d/<registry>/`).
pub const REGISTRY_CERTS_DIR: &str = "/etc/docker/certs.d";
/// Group dockerd gives its unix socket unless `--group` says otherwise.
pub const DEFAULT_DOCKER_GROUP: &str = "docker";

/// A host path and how it was determined, for evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    pub path: String,
    /// E.g. `DockerRootDir from docker info`, `flag --containerd of dockerd (pid 12)`.
    pub origin: String,
}

impl Located {
    fn new(path: impl Into<String>, origin: impl Into<String>) -> Self {
        Located {
            path: path.into(),
            origin: origin.into(),
        }
    }
}

/// The result of looking a path up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(Located),
    /// There is no such thing on this host (the reason names where it was looked for).
    Absent(String),
    /// It could not be determined (the reason says why).
    Unknown(String),
}

/// The directory Docker keeps images, containers and volumes in.
pub fn docker_root_dir(facts: &Facts, daemon: &DaemonConfig) -> Lookup {
    if let Some(info) = facts.docker.seen().map(|d| &d.info)
        && let Some(dir) = info.docker_root_dir.as_deref().filter(|d| !d.is_empty())
    {
        let userns = info
            .security_options
            .iter()
            .flatten()
            .any(|o| o.split(',').any(|kv| kv == "name=userns"));
        // With userns-remap, DockerRootDir is `<data-root>/<uid>.<gid>`: the partition question
        // is about the data root itself.
        if userns
            && let Some((parent, last)) = dir.rsplit_once('/')
            && last
                .split_once('.')
                .is_some_and(|(u, g)| u.parse::<u32>().is_ok() && g.parse::<u32>().is_ok())
        {
            return Lookup::Found(Located::new(
                if parent.is_empty() { "/" } else { parent },
                format!("parent of DockerRootDir {dir} (userns-remap) from docker info"),
            ));
        }
        return Lookup::Found(Located::new(dir, "DockerRootDir from docker info"));
    }
    let setting = daemon.get("data-root");
    match &setting {
        Setting::Unknown { .. } => Lookup::Unknown(format!(
            "Docker root dir unknown: {}; {}",
            api_reason(facts),
            setting.describe("data-root")
        )),
        Setting::Unset { basis } => Lookup::Found(Located::new(
            DEFAULT_DATA_ROOT,
            format!("dockerd default: data-root {basis}"),
        )),
        _ => match setting.strings().first().filter(|s| !s.is_empty()) {
            Some(dir) => Lookup::Found(Located::new(
                dir.trim_end_matches('/'),
                format!("data-root from {}", setting.source()),
            )),
            None => Lookup::Unknown(format!("empty {}", setting.describe("data-root"))),
        },
    }
}

fn api_reason(facts: &Facts) -> String {
    match facts.docker.as_result() {
        Ok(_) => "docker info has no DockerRootDir".into(),
        Err(u) => format!("Docker API unavailable ({})", u.reason),
    }
}

/// The group dockerd gives its unix sockets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerGroup {
    pub name: String,
    /// Where the name comes from, for evidence.
    pub origin: String,
    /// `false` when dockerd's flags are unknown and the default is assumed.
    pub known: bool,
}

/// The group dockerd gives its socket: the `group` setting, else `docker`.
pub fn docker_group(daemon: &DaemonConfig) -> DockerGroup {
    let setting = daemon.get("group");
    match (
        &setting,
        setting.strings().first().filter(|g| !g.is_empty()),
    ) {
        (_, Some(g)) => DockerGroup {
            name: g.clone(),
            origin: format!("group from {}", setting.source()),
            known: true,
        },
        (Setting::Unknown { reason }, None) => DockerGroup {
            name: DEFAULT_DOCKER_GROUP.to_string(),
            origin: format!("dockerd's default; its group setting is unknown: {reason}"),
            known: false,
        },
        _ => DockerGroup {
            name: DEFAULT_DOCKER_GROUP.to_string(),
            origin: "dockerd's default group".to_string(),
            known: true,
        },
    }
}

/// Every unix socket dockerd listens on: the `unix://` entries of the effective `hosts`, the
/// `ListenStream=` paths of docker.socket for `fd://`, or the default socket when `hosts` is unset.
/// An empty list means dockerd listens on TCP only.
pub fn docker_sockets(host: &HostFacts, daemon: &DaemonConfig) -> Result<Vec<Located>, String> {
    let hosts = daemon.hosts();
    match &hosts {
        Setting::Unknown { .. } => return Err(hosts.describe("hosts")),
        Setting::Unset { basis } => {
            return Ok(vec![Located::new(
                DEFAULT_SOCKET,
                format!("default socket: hosts {basis}"),
            )]);
        }
        _ => {}
    }
    let mut out: Vec<Located> = Vec::new();
    for entry in hosts.strings() {
        let origin = format!("hosts entry {entry} ({})", hosts.source());
        if let Some(path) = entry.strip_prefix("unix://") {
            let path = if path.is_empty() {
                DEFAULT_SOCKET
            } else {
                path
            };
            out.push(Located::new(path, origin));
        } else if entry.starts_with("fd://") {
            let unit = systemd::locate(host, "docker.socket");
            let paths = if unit.fragment.is_some() {
                systemd::listen_stream_paths(host, &unit)
                    .map_err(|e| format!("{origin}: docker.socket unreadable: {e}"))?
            } else {
                vec![]
            };
            match (paths.is_empty(), &unit.fragment) {
                (false, Some(f)) => out.extend(
                    paths
                        .into_iter()
                        .map(|p| Located::new(p, format!("ListenStream of {f}, for {origin}"))),
                ),
                _ => out.push(Located::new(
                    DEFAULT_SOCKET,
                    format!("{origin}; no docker.socket ListenStream path found, default socket"),
                )),
            }
        } else if entry.starts_with('/') {
            out.push(Located::new(entry.clone(), origin));
        }
    }
    // /run and /var/run are the same directory on every current distribution.
    let mut seen: Vec<String> = Vec::new();
    out.retain(|l| {
        let key = l.path.replacen("/var/run/", "/run/", 1);
        let fresh = !seen.contains(&key);
        seen.push(key);
        fresh
    });
    Ok(out)
}

/// The single process named `name`, or none when there are zero or several.
fn single_process<'a>(host: &'a HostFacts, name: &'a str) -> Option<&'a ProcessFact> {
    match host.processes_named(name).ok()?.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// Value of `--long`/`-short` in an argument vector (`--address X`, `--address=X`, `-a X`).
pub fn flag_value(argv: &[String], long: &str, short: Option<&str>) -> Option<String> {
    let mut it = argv.iter().skip(1);
    while let Some(arg) = it.next() {
        if let Some(v) = arg.strip_prefix(&format!("--{long}=")) {
            return Some(v.to_string());
        }
        if arg == &format!("--{long}") || short.is_some_and(|s| arg == &format!("-{s}")) {
            return it.next().cloned();
        }
        if let Some(s) = short
            && let Some(v) = arg.strip_prefix(&format!("-{s}="))
        {
            return Some(v.to_string());
        }
    }
    None
}

fn exists(host: &HostFacts, path: &str) -> bool {
    matches!(host.file(path), Observed::Seen(_))
}

/// The containerd socket dockerd uses: its `--containerd` setting; else the `--address` of the one
/// containerd process; else the default socket if it exists, else the one dockerd's managed
/// containerd creates under its exec-root.
pub fn containerd_socket(facts: &Facts, daemon: &DaemonConfig) -> Located {
    let setting = daemon.get("containerd");
    if let Some(path) = setting.strings().first().filter(|p| !p.is_empty()) {
        return Located::new(
            path.trim_start_matches("unix://"),
            format!("containerd from {}", setting.source()),
        );
    }
    let host = &facts.host;
    if let Some(p) = single_process(host, "containerd")
        && let Some(addr) = flag_value(&p.argv, "address", Some("a"))
    {
        return Located::new(
            addr.trim_start_matches("unix://"),
            format!("--address of containerd (pid {})", p.pid),
        );
    }
    if exists(host, DEFAULT_CONTAINERD_SOCKET) {
        return Located::new(DEFAULT_CONTAINERD_SOCKET, "containerd default socket");
    }
    let managed = managed_containerd_socket(daemon);
    if exists(host, &managed) {
        return Located::new(
            managed,
            "socket of the containerd dockerd manages under its exec-root",
        );
    }
    Located::new(DEFAULT_CONTAINERD_SOCKET, "containerd default socket")
}

/// `<exec-root>/containerd/containerd.sock`, where dockerd starts its own containerd.
pub fn managed_containerd_socket(daemon: &DaemonConfig) -> String {
    let exec_root = daemon
        .get("exec-root")
        .strings()
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| DEFAULT_EXEC_ROOT.to_string());
    format!(
        "{}/containerd/containerd.sock",
        exec_root.trim_end_matches('/')
    )
}

/// containerd's configuration file: `--config` of the one containerd process, else the default.
pub fn containerd_config(host: &HostFacts) -> Located {
    if let Some(p) = single_process(host, "containerd")
        && let Some(path) = flag_value(&p.argv, "config", Some("c"))
    {
        return Located::new(path, format!("--config of containerd (pid {})", p.pid));
    }
    Located::new(DEFAULT_CONTAINERD_CONFIG, "containerd default config file")
}

/// The executable of a process, else `default`.
fn binary_of(process: Option<&ProcessFact>, default: &str) -> Located {
    if let Some(p) = process {
        let exe = p
            .exe
            .as_deref()
            .map(|e| e.trim_end_matches(" (deleted)").to_string())
            .or_else(|| p.argv.first().filter(|a| a.starts_with('/')).cloned());
        if let Some(exe) = exe {
            return Located::new(
                exe,
                format!("executable of {} (pid {})", p.exe_name(), p.pid),
            );
        }
    }
    Located::new(default, "benchmark default path")
}

/// The dockerd executable: the one serving the scanned endpoint, else `/usr/bin/dockerd`.
pub fn dockerd_binary(daemon: &DaemonConfig) -> Located {
    binary_of(daemon.process.as_ref(), "/usr/bin/dockerd")
}

/// The containerd executable: the one containerd process's, else `/usr/bin/containerd`.
pub fn containerd_binary(host: &HostFacts) -> Located {
    binary_of(single_process(host, "containerd"), "/usr/bin/containerd")
}

/// A daemon TLS file (`tlscacert`, `tlscert`, `tlskey`). `Absent` when TLS is not configured.
pub fn tls_file(daemon: &DaemonConfig, key: &str) -> Lookup {
    let setting = daemon.get(key);
    match &setting {
        Setting::Unknown { .. } => return Lookup::Unknown(setting.describe(key)),
        Setting::Unset { .. } => {}
        _ => {
            return match setting.strings().first().filter(|p| !p.is_empty()) {
                Some(p) => Lookup::Found(Located::new(p.clone(), setting.describe(key))),
                None => Lookup::Absent(format!("{} (empty)", setting.describe(key))),
            };
        }
    }
    let tls_on = ["tls", "tlsverify"]
        .iter()
        .any(|k| daemon.get(k).as_bool(false) == Some(true));
    if tls_on {
        // dockerd falls back to $DOCKER_CERT_PATH, else ~/.docker, of the user running it (root).
        let file = match key {
            "tlscacert" => "ca.pem",
            "tlscert" => "cert.pem",
            _ => "key.pem",
        };
        return Lookup::Found(Located::new(
            format!("/root/.docker/{file}"),
            format!(
                "{}; TLS is on, so dockerd uses its default (~/.docker of root unless DOCKER_CERT_PATH is set)",
                setting.describe(key)
            ),
        ));
    }
    Lookup::Absent(format!("{}; TLS is not enabled", setting.describe(key)))
}

/// Entries of `/etc/docker/certs.d`: each registry directory (and any file placed directly in
/// it). `Ok(None)` when the directory does not exist.
pub fn registry_cert_dirs(host: &HostFacts) -> Result<Option<Vec<String>>, String> {
    Ok(host.dir_entries(REGISTRY_CERTS_DIR)?.map(|names| {
        names
            .iter()
            .map(|n| format!("{REGISTRY_CERTS_DIR}/{n}"))
            .collect()
    }))
}

/// Every file in the registry certificate directories (`certs.d/*/*`, all names, not only
/// `*.crt`: client certificates and keys matter as much). `Ok(None)` without `certs.d`.
pub fn registry_cert_files(host: &HostFacts) -> Result<Option<Vec<String>>, String> {
    let Some(entries) = registry_cert_dirs(host)? else {
        return Ok(None);
    };
    let mut files = Vec::new();
    for entry in entries {
        match host.file(&entry) {
            Observed::Seen(stat) if stat.kind == FileKind::Dir => {
                for name in host.dir_entries(&entry)?.unwrap_or_default() {
                    files.push(format!("{entry}/{name}"));
                }
            }
            // A file directly in certs.d, or an entry that could not be stat'ed: judge it too.
            _ => files.push(entry),
        }
    }
    Ok(Some(files))
}

/// The systemd files of a unit.
pub fn unit(host: &HostFacts, name: &str) -> UnitFiles {
    systemd::locate(host, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn flag_values_in_every_form() {
        let a = args("containerd --address /x.sock -c=/c.toml");
        assert_eq!(
            flag_value(&a, "address", Some("a")).as_deref(),
            Some("/x.sock")
        );
        assert_eq!(
            flag_value(&a, "config", Some("c")).as_deref(),
            Some("/c.toml")
        );
        let b = args("containerd --address=/y.sock");
        assert_eq!(
            flag_value(&b, "address", Some("a")).as_deref(),
            Some("/y.sock")
        );
        assert_eq!(flag_value(&b, "config", Some("c")), None);
    }
}
