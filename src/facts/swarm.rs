//! Swarm objects read from a manager node. Node-level swarm state (`Swarm` in `docker info`) is
//! in [`super::DockerFacts::info`]; the node's listen and data-path addresses are in the host file
//! `<DockerRootDir>/swarm/docker-state.json`.

use bollard::models::{Secret, Service};
use serde::{Deserialize, Serialize};

use super::Observed;

/// Collected only when `docker info` says the node is an active swarm manager.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SwarmFacts {
    /// Secret metadata (the API never returns secret data).
    pub secrets: Observed<Vec<Secret>>,
    pub services: Observed<Vec<Service>>,
}

/// The engine's own record of how it joined the swarm (`docker-state.json`): what
/// `docker swarm init/join` was given, which the API does not report.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SwarmNodeState {
    #[serde(rename = "ListenAddr", default)]
    pub listen_addr: String,
    #[serde(rename = "AdvertiseAddr", default)]
    pub advertise_addr: String,
    #[serde(rename = "DataPathAddr", default)]
    pub data_path_addr: String,
    #[serde(rename = "LocalAddr", default)]
    pub local_addr: String,
}

/// Where the engine keeps [`SwarmNodeState`], under its data root.
pub fn node_state_path(docker_root_dir: &str) -> String {
    format!(
        "{}/swarm/docker-state.json",
        docker_root_dir.trim_end_matches('/')
    )
}
