//! Facts from the Docker Engine API. The API's own models (bollard) are kept as they are, so a
//! facts bundle reads like `docker inspect` output and nothing is lost between collect and scan.

use std::collections::BTreeMap;

use bollard::models::{
    ContainerInspectResponse, ContainerSummary, ContainerTopResponse, ExecInspectResponse,
    HostConfig, ImageHistoryResponseItem, ImageInspect, ImageSummary, Network, SystemInfo,
    SystemVersion,
};
use serde::{Deserialize, Serialize};

use super::Observed;
use super::image_scan::DeepScanFacts;
use super::swarm::SwarmFacts;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DockerFacts {
    /// The endpoint that answered (e.g. `unix:///var/run/docker.sock`).
    pub endpoint: String,
    /// API version negotiated with the daemon (the lower of client and server).
    pub api_version: String,
    pub version: SystemVersion,
    pub info: SystemInfo,
    /// Whether stopped and created containers were included (`--all-containers`).
    pub all_containers: bool,
    /// Inspect data of every container in scope.
    pub containers: Vec<ContainerInspectResponse>,
    /// Every local image (summary), used or not.
    #[serde(default)]
    pub image_list: Vec<ImageSummary>,
    /// Inspect data and history of every local image.
    #[serde(default)]
    pub images: Vec<ImageFact>,
    #[serde(default)]
    pub networks: Vec<Network>,
    /// Whether the network list was read: only then does an empty or bridge-less `networks`
    /// mean the daemon has no such network.
    #[serde(default)]
    pub networks_listed: bool,
    /// Processes of each running container by container id, in `docker top`'s shape (read on
    /// the host side; nothing is executed inside the container).
    #[serde(default)]
    pub processes: BTreeMap<String, Observed<ContainerTopResponse>>,
    /// Where `processes` came from (`host /proc`, `docker top`, or both); empty in bundles
    /// written before this field existed, which all used `docker top`.
    #[serde(default)]
    pub process_source: String,
    /// Exec sessions running now (each container's `ExecIDs`), inspected, by exec id. Finished
    /// sessions are gone from the API; only the daemon's audit trail has them.
    #[serde(default)]
    pub exec_sessions: BTreeMap<String, Observed<ExecInspectResponse>>,
    /// Objects that could not be read (removed mid-scan, API error): the scan is partial.
    #[serde(default)]
    pub partial: Vec<String>,
    /// Every container, running or not (one cheap list call, whatever `--all-containers` says):
    /// image and container sprawl need the whole picture. `None` in bundles from before it.
    #[serde(default)]
    pub container_list: Option<Observed<Vec<ContainerSummary>>>,
    /// Secrets and services, when this node is an active swarm manager.
    #[serde(default)]
    pub swarm: Option<SwarmFacts>,
    /// Image layer scan results; `None` unless collected with `--deep`.
    #[serde(default)]
    pub deep: Option<DeepScanFacts>,
}

impl DockerFacts {
    /// Where the container process lists came from, for evidence.
    pub fn process_source(&self) -> &str {
        if self.process_source.is_empty() {
            "docker top"
        } else {
            &self.process_source
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImageFact {
    pub id: String,
    pub inspect: Observed<ImageInspect>,
    pub history: Observed<Vec<ImageHistoryResponseItem>>,
}

/// Convenience accessors over one container's inspect data.
#[derive(Debug, Clone, Copy)]
pub struct ContainerView<'a> {
    pub inspect: &'a ContainerInspectResponse,
}

static EMPTY_HOST_CONFIG: std::sync::LazyLock<HostConfig> =
    std::sync::LazyLock::new(HostConfig::default);

impl<'a> ContainerView<'a> {
    pub fn new(inspect: &'a ContainerInspectResponse) -> Self {
        ContainerView { inspect }
    }

    /// Name without Docker's leading slash. Untrusted text: render through the report's sanitiser.
    pub fn name(&self) -> &'a str {
        self.inspect
            .name
            .as_deref()
            .map(|n| n.trim_start_matches('/'))
            .unwrap_or("")
    }

    /// Full container id.
    pub fn id(&self) -> &'a str {
        self.inspect.id.as_deref().unwrap_or("")
    }

    pub fn host_config(&self) -> &'a HostConfig {
        self.inspect
            .host_config
            .as_ref()
            .unwrap_or(&EMPTY_HOST_CONFIG)
    }

    /// `Config.User` as set on the container (image default merged in by the daemon).
    pub fn user(&self) -> &'a str {
        self.inspect
            .config
            .as_ref()
            .and_then(|c| c.user.as_deref())
            .unwrap_or("")
    }

    pub fn is_running(&self) -> bool {
        self.inspect
            .state
            .as_ref()
            .and_then(|s| s.running)
            .unwrap_or(false)
    }

    /// `HostConfig.SecurityOpt`, normalised to `key=value` (Docker also accepts `key:value`).
    pub fn security_opts(&self) -> Vec<(String, String)> {
        self.host_config()
            .security_opt
            .iter()
            .flatten()
            .map(|opt| split_security_opt(opt))
            .collect()
    }

    pub fn image(&self) -> &'a str {
        self.inspect
            .config
            .as_ref()
            .and_then(|c| c.image.as_deref())
            .unwrap_or("")
    }
}

/// Split a security option such as `seccomp=unconfined`, `seccomp:unconfined` or
/// `no-new-privileges` into key and value (a bare key means `true`).
pub fn split_security_opt(opt: &str) -> (String, String) {
    let (key, value) = match opt.find(['=', ':']) {
        Some(i) => (&opt[..i], &opt[i + 1..]),
        None => (opt, "true"),
    };
    (key.trim().to_ascii_lowercase(), value.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn security_opts_accept_both_separators_and_bare_keys() {
        assert_eq!(
            split_security_opt("seccomp:unconfined"),
            ("seccomp".into(), "unconfined".into())
        );
        assert_eq!(
            split_security_opt("no-new-privileges"),
            ("no-new-privileges".into(), "true".into())
        );
        assert_eq!(
            split_security_opt("no-new-privileges=false"),
            ("no-new-privileges".into(), "false".into())
        );
        assert_eq!(
            split_security_opt("label=type:svirt_t"),
            ("label".into(), "type:svirt_t".into())
        );
    }
}
