//! Swarm objects from a manager node: secret metadata and services. Read-only GETs.

use bollard::Docker;
use bollard::models::{LocalNodeState, SystemInfo};
use bollard::query_parameters::{ListSecretsOptions, ListServicesOptions};

use crate::facts::swarm::SwarmFacts;
use crate::facts::{Observed, UnavailableKind};

/// Whether `docker info` says this node takes part in a swarm (active, or locked/pending/error,
/// which still need the swarm checks' attention).
pub fn in_swarm(info: &SystemInfo) -> bool {
    matches!(
        info.swarm
            .as_ref()
            .and_then(|s| s.local_node_state.as_ref()),
        Some(
            LocalNodeState::ACTIVE
                | LocalNodeState::LOCKED
                | LocalNodeState::PENDING
                | LocalNodeState::ERROR
        )
    )
}

fn is_manager(info: &SystemInfo) -> bool {
    info.swarm
        .as_ref()
        .and_then(|s| s.control_available)
        .unwrap_or(false)
}

/// Secrets and services, only on an active manager (workers cannot list them).
pub async fn collect(docker: &Docker, info: &SystemInfo) -> Option<SwarmFacts> {
    if !in_swarm(info) || !is_manager(info) {
        return None;
    }
    let secrets = match docker.list_secrets(None::<ListSecretsOptions>).await {
        Ok(s) => Observed::Seen(s),
        Err(e) => Observed::unavailable(UnavailableKind::Error, format!("listing secrets: {e}")),
    };
    let services = match docker.list_services(None::<ListServicesOptions>).await {
        Ok(s) => Observed::Seen(s),
        Err(e) => Observed::unavailable(UnavailableKind::Error, format!("listing services: {e}")),
    };
    Some(SwarmFacts { secrets, services })
}
